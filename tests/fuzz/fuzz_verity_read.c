// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * libFuzzer target for the verity target's read path: a valid image (data
 * and hash tree, made once per hash version), damaged by the input, opened
 * with the modes and options the input picks, then read in the ranges it
 * picks.  Nothing unverified may reach the caller:
 *
 *   - a read that fails comes back as zeros, whatever the mode;
 *   - in the default, restart and panic modes a read that succeeds gives
 *     the image's bytes as formatted (zeros for a zero block under
 *     ignore_zero_blocks), never the damage;
 *   - under ignore_corruption every read succeeds and gives the bytes on
 *     the device, or zeros where ignore_zero_blocks says so.
 *
 * Input: byte 0 picks version (bit 0), mode (bits 1-2), ignore_zero_blocks
 * (bit 3) and check_at_most_once (bit 4); byte 1 the number of damages, each
 * three bytes (a 16-bit offset into data + hash, and the byte to XOR there);
 * then up to MAX_READS reads, three bytes each (a 16-bit first block and a
 * count).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmboot/dmboot.h>

#include "../../ports/posix/dmboot_posix.h"

#define BS 512u
#define DATA_BLOCKS 300u /* 19 leaves of 16 digests, 2 blocks above them, a root */
#define DATA_BYTES (DATA_BLOCKS * BS)
#define HASH_MAX (32u * BS)
#define MAX_READS 8

struct image {
	bool made;
	uint8_t data[DATA_BYTES];
	uint8_t hash[HASH_MAX];
	uint64_t hash_bytes;
	struct dmb_verity_params p;
	char root_hex[2 * 32 + 1];
};

static struct image images[2];
static uint8_t data_now[DATA_BYTES], hash_now[HASH_MAX];
static struct dmb_ram_bdev data_dev, hash_dev;

static int img_open(const struct dmb_resolver *r, struct dmb_ctx *ctx, const char *name,
		    unsigned flags, struct dmb_bdev **out)
{
	(void)r;
	(void)ctx;
	if (flags & DMB_OPEN_WRITE)
		return DMB_EACCES;
	if (strcmp(name, "data") == 0)
		*out = &data_dev.bdev;
	else if (strcmp(name, "hash") == 0)
		*out = &hash_dev.bdev;
	else
		return DMB_ENOENT;
	return 0;
}

static void img_close(const struct dmb_resolver *r, struct dmb_bdev *bd)
{
	(void)r;
	(void)bd;
}

static const struct dmb_resolver resolver = { img_open, img_close, NULL };

static void make_image(struct image *im, struct dmb_ctx *ctx, unsigned version)
{
	struct dmb_verity_geometry g;
	uint8_t root[32];

	memset(&im->p, 0, sizeof(im->p));
	im->p.hash_type = version;
	strcpy(im->p.hash_name, "sha256");
	im->p.data_block_size = BS;
	im->p.hash_block_size = BS;
	im->p.data_blocks = DATA_BLOCKS;
	im->p.salt_size = 5;
	memcpy(im->p.salt, "\x5a\xc3\x01\x02\x03", 5);
	if (dmb_verity_geometry(ctx, &im->p, &g) || g.hash_end * BS > HASH_MAX)
		abort();
	im->hash_bytes = g.hash_end * BS;
	for (uint32_t i = 0; i < DATA_BYTES; i++)
		im->data[i] = (uint8_t)((i * 2654435761u) >> 13);
	/* Zero blocks for ignore_zero_blocks, one of them inside a group. */
	memset(im->data + 3 * BS, 0, BS);
	memset(im->data + 130 * BS, 0, BS);
	dmb_ram_bdev_init(&data_dev, im->data, DATA_BYTES, 9, true);
	dmb_ram_bdev_init(&hash_dev, im->hash, im->hash_bytes, 9, true);
	if (dmb_verity_tree_build(ctx, &im->p, &data_dev.bdev, &hash_dev.bdev, root, NULL, NULL))
		abort();
	dmb_hex_encode(root, 32, im->root_hex);
	im->made = true;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static uint8_t buf[DATA_BYTES];

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	static const char *const modes[] = { "", "ignore_corruption", "restart_on_corruption",
					     "panic_on_corruption" };
	static struct dmb_posix_crypto pc;
	static bool pc_ready;
	struct dmb_ctx ctx = { .resolver = &resolver };
	struct image *im;
	struct dmb_table *t;
	struct dmb_dev *dev;
	char line[512], opts[128];
	unsigned version, mode, nopts = 0, ndamage, nreads = 0;
	bool zero_blocks, once;
	size_t at = 2;
	int n;

	if (!pc_ready) {
		dmb_posix_crypto_init(&pc);
		pc_ready = true;
	}
	ctx.crypto = &pc.crypto;
	if (size < 2)
		return 0;
	version = in[0] & 1;
	mode = (in[0] >> 1) & 3;
	zero_blocks = in[0] & 8;
	once = in[0] & 16;
	im = &images[version];
	if (!im->made)
		make_image(im, &ctx, version);

	memcpy(data_now, im->data, DATA_BYTES);
	memcpy(hash_now, im->hash, im->hash_bytes);
	ndamage = in[1] % 16;
	for (unsigned i = 0; i < ndamage && at + 3 <= size; i++, at += 3) {
		uint32_t off = ((uint32_t)in[at] << 8 | in[at + 1]) % (DATA_BYTES + im->hash_bytes);

		if (off < DATA_BYTES)
			data_now[off] ^= in[at + 2];
		else
			hash_now[off - DATA_BYTES] ^= in[at + 2];
	}
	dmb_ram_bdev_init(&data_dev, data_now, DATA_BYTES, 9, false);
	dmb_ram_bdev_init(&hash_dev, hash_now, im->hash_bytes, 9, false);

	opts[0] = 0;
	n = 0;
	if (mode) {
		n += snprintf(opts + n, sizeof(opts) - (size_t)n, " %s", modes[mode]);
		nopts++;
	}
	if (zero_blocks) {
		n += snprintf(opts + n, sizeof(opts) - (size_t)n, " ignore_zero_blocks");
		nopts++;
	}
	if (once) {
		n += snprintf(opts + n, sizeof(opts) - (size_t)n, " check_at_most_once");
		nopts++;
	}
	n = dmb_verity_table_line(&ctx, &im->p, "data", "hash", im->root_hex, line, sizeof(line));
	if (n <= 0 || (size_t)n >= sizeof(line))
		abort();
	if (nopts)
		snprintf(line + n, sizeof(line) - (size_t)n, " %u%s", nopts, opts);
	if (dmb_table_parse(&ctx, line, strlen(line), &t))
		abort();
	if (dmb_dev_create(&ctx, t, DMB_DEV_READONLY, &dev)) {
		/* Only damage to the top hash block may refuse the table. */
		dmb_table_destroy(t);
		return 0;
	}
	dmb_table_destroy(t);

	for (; at + 3 <= size && nreads < MAX_READS; at += 3, nreads++) {
		uint32_t first = ((uint32_t)in[at] << 8 | in[at + 1]) % DATA_BLOCKS;
		uint32_t count = 1 + in[at + 2] % 64;
		size_t len;
		int r;

		if (count > DATA_BLOCKS - first)
			count = DATA_BLOCKS - first;
		len = (size_t)count * BS;
		memset(buf, 0xa5, len);
		r = dmb_bdev_read_bytes(dmb_dev_bdev(dev), (uint64_t)first * BS, len, buf);
		if (r) {
			if (mode == 1 || !all_zero(buf, len))
				abort();
			continue;
		}
		for (uint32_t b = 0; b < count; b++) {
			const uint8_t *got = buf + (size_t)b * BS;
			const uint8_t *want = (mode == 1 ? data_now : im->data) + (size_t)(first + b) * BS;

			if (memcmp(got, want, BS) == 0)
				continue;
			/* ignore_zero_blocks returns zeros for a block whose digest says so. */
			if (zero_blocks && all_zero(got, BS) &&
			    (mode == 1 || all_zero(im->data + (size_t)(first + b) * BS, BS)))
				continue;
			abort();
		}
	}
	dmb_dev_destroy(dev);
	return 0;
}
