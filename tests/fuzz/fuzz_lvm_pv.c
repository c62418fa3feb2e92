// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * libFuzzer target for the LVM2 PV reader: the input is the start of a
 * 4 MiB device (zeros after it) scanned for a label, pv_header, metadata
 * area headers and metadata text; a VG it yields is built and every LV's
 * table made, with and without partial activation.  For most inputs the
 * label, metadata header and text CRCs are repaired first, so mutations
 * reach the parsers behind them instead of stopping at a checksum.
 */
#include <stdlib.h>
#include <string.h>

#include <dmboot/dmboot.h>

#include "base/base.h"
#include "core/core.h"

#define DEV_BYTES (4u << 20)
#define MAX_INPUT (64u << 10)
#define SEED 0xf597a6cfu

struct fdev {
	struct dmb_bdev bdev;
	const uint8_t *data;
	size_t len;
};

static int fdev_read(struct dmb_bdev *bd, uint64_t block, size_t count, void *buf)
{
	const struct fdev *f = bd->priv;
	uint64_t off = block << bd->block_shift, n = (uint64_t)count << bd->block_shift;

	memset(buf, 0, (size_t)n);
	if (off < f->len)
		memcpy(buf, f->data + off, (size_t)(f->len - off < n ? f->len - off : n));
	return 0;
}

static const struct dmb_bdev_ops fdev_ops = { .read = fdev_read };

/* Make the checksums match what the (mutated) structures say. */
static void repair(uint8_t *d, size_t len)
{
	for (size_t s = 0; s < 4 && (s + 1) * 512 <= len; s++) {
		uint8_t *label = d + s * 512, *p;
		uint32_t off_xl;

		if (memcmp(label, "LABELONE", 8) != 0)
			continue;
		off_xl = dmbi_get_le32(label + 20);
		if (off_xl >= 32 && off_xl <= 512 - 72) {
			/* Skip the data areas, then fix each metadata area it lists. */
			p = label + off_xl + 40;
			while (p + 16 <= label + 512 && (dmbi_get_le64(p) || dmbi_get_le64(p + 8)))
				p += 16;
			for (p += 16; p + 16 <= label + 512 && dmbi_get_le64(p); p += 16) {
				uint64_t mda = dmbi_get_le64(p), size, toff, tsize, first;
				uint8_t *h;
				uint32_t crc;

				if (mda > len || len - mda < 512)
					continue;
				h = d + mda;
				size = dmbi_get_le64(h + 32);
				toff = dmbi_get_le64(h + 40);
				tsize = dmbi_get_le64(h + 48);
				if (toff >= 512 && size > toff && tsize <= size - 512 &&
				    size <= len - mda) {
					first = size - toff < tsize ? size - toff : tsize;
					crc = dmbi_crc32_update(SEED, h + toff, (size_t)first);
					crc = dmbi_crc32_update(crc, h + 512, (size_t)(tsize - first));
					dmbi_put_le32(h + 56, crc);
				}
				dmbi_put_le32(h, dmbi_crc32_update(SEED, h + 4, 508));
			}
		}
		dmbi_put_le32(label + 16, dmbi_crc32_update(SEED, label + 20, 492));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dmb_ctx ctx = { 0 };
	struct dmb_lvm_scan *scan;
	struct fdev dev;
	uint8_t *copy;

	if (size < 1 || size > MAX_INPUT)
		return 0;
	copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	/* The last byte decides: mostly repaired, sometimes raw. */
	if (data[size - 1] % 8)
		repair(copy, size);
	dev.data = copy;
	dev.len = size;
	dev.bdev.ops = &fdev_ops;
	dev.bdev.priv = &dev;
	dev.bdev.block_shift = 9;
	dev.bdev.num_blocks = DEV_BYTES >> 9;
	if (dmb_lvm_scan_create(&ctx, &scan) == 0) {
		(void)dmb_lvm_scan_add(scan, "a", &dev.bdev);
		(void)dmb_lvm_scan_finish(scan);
		for (size_t v = 0; v < dmb_lvm_scan_vg_count(scan); v++) {
			const struct dmb_lvm_vg *vg = dmb_lvm_scan_vg(scan, v);
			char name[2 * DMB_LVM_NAME_MAX + 8];

			for (size_t l = 0; l < vg->lv_count; l++) {
				struct dmb_table *t;

				dmb_lvm_dm_name(&vg->lvs[l], name, sizeof(name));
				dmb_lvm_dm_uuid(&vg->lvs[l], name, sizeof(name));
				struct dmb_lvm_filler f[4];
				size_t nf = dmb_lvm_lv_fillers(&vg->lvs[l], f, 4);
				int whole = dmb_lvm_lv_table(&ctx, &vg->lvs[l], 0, &t);

				if (whole == 0)
					dmb_table_destroy(t);
				/* An LV with fillers has an area on a missing PV. */
				if (nf && whole == 0)
					abort();
				if (dmb_lvm_lv_table(&ctx, &vg->lvs[l], DMB_LVM_PARTIAL, &t) == 0) {
					/* Every filler is sized and named by the table. */
					for (size_t k = 0; k < nf && k < 4; k++) {
						bool named = false;

						for (size_t i = 0; i < t->count; i++)
							named |= strstr(t->targets[i].params,
									f[k].name) != NULL;
						if (!f[k].sectors || !named)
							abort();
					}
					dmb_table_destroy(t);
				}
			}
		}
		dmb_lvm_scan_destroy(scan);
	}
	free(copy);
	return 0;
}
