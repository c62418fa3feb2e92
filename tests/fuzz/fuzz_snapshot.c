// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * libFuzzer target for the snapshot target's table arguments and its
 * persistent COW store reader.  The first four bytes pick the table (chunk
 * size, store type, target length) and whether the header is repaired (the
 * magic, version 1, valid and a power-of-two chunk size written over the
 * input's, so most mutations reach the metadata areas behind the header);
 * the rest is the COW device (up to 256 KiB, zeros after the input, a size
 * in whole sectors) over a 64 KiB origin of known bytes.  A store that loads
 * must read the same bytes whole and sector by sector, every sector equal to
 * the origin's or to some COW sector at the same offset in its chunk, and
 * print its status and table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmboot/dmboot.h>

#define ORG_SECTORS 128u
#define MAX_COW (256u << 10)

static uint8_t origin[ORG_SECTORS * 512];
static uint8_t cow[MAX_COW];
static size_t cow_bytes;

static int fz_open(const struct dmb_resolver *r, struct dmb_ctx *ctx, const char *name,
		   unsigned flags, struct dmb_bdev **out)
{
	struct dmb_ram_bdev *rb;

	(void)r;
	(void)ctx;
	(void)flags;
	rb = malloc(sizeof(*rb));
	if (!rb)
		return DMB_ENOMEM;
	if (strcmp(name, "org") == 0)
		dmb_ram_bdev_init(rb, origin, sizeof(origin), 9, false);
	else
		dmb_ram_bdev_init(rb, cow, cow_bytes, 9, false);
	*out = &rb->bdev;
	return 0;
}

static void fz_close(const struct dmb_resolver *r, struct dmb_bdev *bd)
{
	(void)r;
	free(bd->priv); /* the dmb_ram_bdev fz_open allocated */
}

static const struct dmb_resolver resolver = { fz_open, fz_close, NULL };

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Is sector s of the device (chunk size chunk) the origin's or a COW sector of the same offset? */
static bool plausible(const uint8_t *got, uint64_t s, uint32_t chunk)
{
	if (memcmp(got, origin + s * 512, 512) == 0)
		return true;
	for (size_t at = (size_t)(s % chunk) * 512; at + 512 <= cow_bytes; at += (size_t)chunk * 512)
		if (memcmp(got, cow + at, 512) == 0)
			return true;
	return false;
}

static void check(struct dmb_dev *dev, uint32_t chunk)
{
	struct dmb_bdev *bd = dmb_dev_bdev(dev);
	uint64_t n = dmb_dev_sectors(dev);
	static uint8_t all[ORG_SECTORS * 512];
	uint8_t one[512];
	char text[512];

	if (dmb_bdev_read_sectors(bd, 0, (size_t)n, all))
		abort();
	for (uint64_t s = 0; s < n; s++) {
		if (dmb_bdev_read_sectors(bd, s, 1, one) || memcmp(one, all + s * 512, 512) != 0 ||
		    !plausible(one, s, chunk))
			abort();
	}
	if (dmb_dev_format(dev, DMB_FMT_STATUS, 0, text, sizeof(text)) < 0 ||
	    dmb_dev_format(dev, DMB_FMT_TABLE, 0, text, sizeof(text)) < 0)
		abort();
	if (dmb_bdev_write_sectors(bd, 0, 1, one) != DMB_EACCES)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const stores[] = { "P", "p", "N", "PO", "X" };
	struct dmb_ctx ctx = { 0 };
	struct dmb_table *t = NULL;
	struct dmb_dev *dev = NULL;
	char table[128];
	uint32_t chunk;
	uint64_t len;

	if (size < 4)
		return 0;
	if (origin[1] == 0)
		for (size_t i = 0; i < sizeof(origin); i++)
			origin[i] = (uint8_t)(i * 131 + i / 512 + 1);
	chunk = data[0] & 0x80 ? data[0] & 0x7f : 1u << (data[0] % 12);
	len = 1 + data[2] % ORG_SECTORS;
	size -= 4;
	if (size > MAX_COW)
		size = MAX_COW;
	cow_bytes = (size + 511) & ~(size_t)511;
	if (cow_bytes == 0)
		cow_bytes = 512;
	memset(cow, 0, cow_bytes);
	memcpy(cow, data + 4, size);
	if (data[3] & 1) {
		put_le32(cow, 0x70416e53u);
		put_le32(cow + 4, 1);
		put_le32(cow + 8, 1);
		put_le32(cow + 12, 1u << (data[3] >> 1) % 8);
	}
	snprintf(table, sizeof(table), "0 %llu snapshot org cow %s %u", (unsigned long long)len,
		 stores[data[1] % 5], chunk);
	ctx.resolver = &resolver;
	if (dmb_table_parse(&ctx, table, strlen(table), &t))
		return 0;
	if (dmb_dev_create(&ctx, t, 0, &dev) == 0) {
		char st[128];
		unsigned long long c = 0;
		const char *p;

		/* The chunk size in use is the last number the table prints. */
		if (dmb_dev_format(dev, DMB_FMT_TABLE, 0, st, sizeof(st)) < 0)
			abort();
		p = strrchr(st, ' ');
		if (!p || sscanf(p, "%llu", &c) != 1 || c == 0 || (c & (c - 1)))
			abort();
		check(dev, (uint32_t)c);
		dmb_dev_destroy(dev);
	}
	dmb_table_destroy(t);
	return 0;
}
