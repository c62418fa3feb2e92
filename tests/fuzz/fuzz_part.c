// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * libFuzzer target for the GPT and MBR readers.  The first byte picks the
 * sector size asked for (auto, 512, 1024, 4096), the device's block size
 * (512 or 4096 bytes) and whether the GPT checksums are repaired after
 * mutation (as cryptsetup's crypt2_load_fuzz repairs LUKS2's), so that the
 * fuzzer gets past the CRCs to the header fields and the entries; the rest
 * is the disk image, on a RAM device.  An accepted table must hold what
 * part.h promises: partitions sorted by number, names in valid UTF-8, each
 * inside the device and found by the lookups unless it is a GPT entry
 * marked no_device (one ending past the device or before it starts), which
 * no lookup finds and no slice opens; GPT partitions may overlap and leave
 * the usable range, as for Linux.  Every other partition must open as a
 * slice and read at both ends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmboot/dmboot.h>

#include "base/base.h"
#include "core/core.h"
#include "gpt_repair.h"

#define MAX_IMAGE (4u << 20)

static uint8_t image[MAX_IMAGE];

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_part: %s\n", what);
		abort();
	}
}

static bool valid_utf8(const char *s)
{
	const uint8_t *p = (const uint8_t *)s;

	while (*p) {
		unsigned n = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2 :
					 (*p & 0xf8) == 0xf0 ? 3 : 4;

		if (n == 4)
			return false;
		p++;
		for (unsigned i = 0; i < n; i++, p++)
			if ((*p & 0xc0) != 0x80)
				return false;
	}
	return true;
}

static void exercise(struct dmb_ctx *ctx, struct dmb_bdev *bd, const struct dmb_part_table *t)
{
	uint8_t buf[4096];

	check(t->sector_size >= 512 && t->sector_size <= 4096, "sector size");
	check(t->count <= DMB_PART_MAX, "partition count");
	for (size_t i = 0; i < t->count; i++) {
		const struct dmb_part *p = &t->parts[i], *q;
		struct dmb_slice_bdev sb;
		char uuid[DMB_PART_UUID_MAX];
		char guid[37];
		uint8_t back[16];

		check(i == 0 || p->number > t->parts[i - 1].number, "parts not sorted by number");
		check(dmb_part_find(t, p->number) == (p->no_device ? NULL : p), "dmb_part_find");
		check(valid_utf8(p->name) && strlen(p->name) < DMB_PART_NAME_MAX, "name not UTF-8");
		if (t->label == DMB_PART_GPT)
			check(p->number <= t->entry_count, "number past the entries");
		dmb_guid_format(p->uuid, true, guid);
		check(dmb_guid_parse(guid, back) == 0 && memcmp(back, p->uuid, 16) == 0,
		      "GUID round trip");
		if (p->no_device) {
			check(t->label == DMB_PART_GPT, "no_device outside a GPT");
			check(p->lba_count == 0 || p->start_lba + (p->lba_count - 1) >= t->disk_lbas,
			      "no_device partition inside the device");
			check(dmb_part_slice(ctx, bd, t, p, &sb) == DMB_ERANGE, "no_device slice opened");
			continue;
		}
		check(p->lba_count > 0 && p->start_lba + p->lba_count <= t->disk_lbas,
		      "partition outside the device");
		dmb_part_uuid(t, p, uuid);
		check(dmb_part_find_uuid(t, uuid, &q) >= 1 && q != NULL, "own PARTUUID not found");
		if (p->name[0])
			check(dmb_part_find_label(t, p->name, &q) >= 1, "own PARTLABEL not found");
		if (dmb_part_slice(ctx, bd, t, p, &sb) == 0) {
			uint64_t bytes = dmb_bdev_bytes(&sb.bdev);
			size_t n = bytes < sizeof(buf) ? (size_t)bytes : sizeof(buf);

			check(dmb_bdev_read_bytes(&sb.bdev, 0, n, buf) == 0, "slice read at start");
			check(dmb_bdev_read_bytes(&sb.bdev, bytes - n, n, buf) == 0, "slice read at end");
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned asked[] = { 0, 512, 1024, 4096 };
	struct dmb_ctx ctx = { 0 };
	struct dmb_ram_bdev rb;
	struct dmb_part_table *t = NULL;
	unsigned shift, mode;
	size_t bytes;

	if (size < 1)
		return 0;
	shift = data[0] & 4 ? 12 : 9;
	mode = data[0] >> 3 & 3;
	bytes = DMBI_MIN(size - 1, (size_t)MAX_IMAGE);
	memcpy(image, data + 1, bytes);
	/* Whole blocks of zeros after the input, so short inputs still make a device. */
	{
		size_t bs = (size_t)1 << shift, padded = (bytes + bs - 1) / bs * bs;

		if (padded > MAX_IMAGE)
			padded = MAX_IMAGE / bs * bs;
		memset(image + bytes, 0, padded - bytes);
		bytes = padded;
	}
	if (mode) {
		/* Repair both copies for every sector size; mode 2 also makes the MBR protective. */
		for (unsigned ss = 512; ss <= 4096; ss *= 2) {
			gpt_repair_header(image, bytes, ss, 1);
			if (bytes / ss >= 2)
				gpt_repair_header(image, bytes, ss, bytes / ss - 1);
		}
		if (mode == 2 && bytes >= 512) {
			image[446 + 4] = 0xee;
			image[510] = 0x55;
			image[511] = 0xaa;
		}
	}
	dmb_ram_bdev_init(&rb, image, bytes, shift, false);
	if (dmb_part_table_load(&ctx, &rb.bdev, asked[data[0] & 3], &t) == 0) {
		exercise(&ctx, &rb.bdev, t);
		dmb_part_table_destroy(t);
	} else {
		check(t == NULL, "table set on failure");
		check(ctx.msg[0] != '\0', "failure without a message");
	}
	return 0;
}
