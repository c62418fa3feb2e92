// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * libFuzzer target for dm-crypt cipher specifications and the crypt
 * target (formats.md §1.7).  The input's first line is a cipher
 * specification for dmbi_crypt_spec_parse(); its second line, if any, is
 * the rest of a crypt table line after the key (iv_offset, device, offset,
 * options).  For a few fixed keys the line is turned into a crypt device
 * over a small RAM device, which is written, read back (the plaintext must
 * survive) and printed masked and with keys.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmboot/dmboot.h>

#include "../../ports/posix/dmboot_posix.h"
#include "crypt/crypt.h"

#define RAM_SECTORS 64

static uint8_t ram[RAM_SECTORS * 512];
static struct dmb_ram_bdev ram_dev;

static int ram_open(const struct dmb_resolver *r, struct dmb_ctx *ctx, const char *name,
		    unsigned flags, struct dmb_bdev **out)
{
	(void)r;
	(void)ctx;
	(void)flags;
	if (strcmp(name, "d") != 0)
		return DMB_ENOENT;
	dmb_ram_bdev_init(&ram_dev, ram, sizeof(ram), 9, true);
	*out = &ram_dev.bdev;
	return 0;
}

static void ram_close(const struct dmb_resolver *r, struct dmb_bdev *bd)
{
	(void)r;
	(void)bd;
}

static const struct dmb_resolver resolver = { .open = ram_open, .close = ram_close };

static const char *const keys[] = {
	"000102030405060708090a0b0c0d0e0f",
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	 "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeffe0e1e2e3e4e5e6e7e8e9eaebecedeeef"),
};

static void exercise(struct dmb_ctx *ctx, const char *line)
{
	static uint8_t pt[RAM_SECTORS * 512], got[RAM_SECTORS * 512];
	struct dmb_table *t;
	struct dmb_dev *dev = NULL;
	char out[1024];
	struct dmb_bdev *bd;
	uint64_t n;

	if (dmb_table_parse(ctx, line, strlen(line), &t))
		return;
	if (dmb_dev_create(ctx, t, 0, &dev)) {
		dmb_table_destroy(t);
		return;
	}
	dmb_table_destroy(t);
	bd = dmb_dev_bdev(dev);
	n = dmb_bdev_sectors(bd);
	if (n > RAM_SECTORS)
		n = RAM_SECTORS;
	for (size_t i = 0; i < n * 512; i++)
		pt[i] = (uint8_t)(i * 13 + 1);
	if (dmb_bdev_write_sectors(bd, 0, (size_t)n, pt) == 0) {
		if (dmb_bdev_read_sectors(bd, 0, (size_t)n, got) != 0 ||
		    memcmp(pt, got, (size_t)n * 512) != 0)
			abort();
	}
	(void)dmb_dev_format(dev, DMB_FMT_TABLE, 0, out, sizeof(out));
	(void)dmb_dev_format(dev, DMB_FMT_TABLE, DMB_FMT_SHOWKEYS, out, sizeof(out));
	dmb_dev_destroy(dev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dmb_posix_crypto pc;
	static int inited;
	char spec[256], rest[256], line[800];
	struct dmbi_crypt_spec sp;
	struct dmb_ctx ctx;
	const char *why;
	size_t i = 0, j = 0;

	if (!inited) {
		dmb_posix_crypto_init(&pc);
		inited = 1;
	}
	while (i < size && data[i] != '\n' && j < sizeof(spec) - 1)
		spec[j++] = data[i] == '\0' ? ' ' : (char)data[i], i++;
	spec[j] = '\0';
	if (i < size && data[i] == '\n')
		i++;
	j = 0;
	while (i < size && data[i] != '\n' && j < sizeof(rest) - 1)
		rest[j++] = data[i] == '\0' ? ' ' : (char)data[i], i++;
	rest[j] = '\0';
	if (dmbi_crypt_spec_parse(spec, &sp, &why) != 0 && why == NULL)
		abort();
	if (!rest[0] || strpbrk(spec, " \t"))
		return 0;
	memset(&ctx, 0, sizeof(ctx));
	ctx.crypto = &pc.crypto;
	ctx.resolver = &resolver;
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		snprintf(line, sizeof(line), "0 16 crypt %s %s %s\n", spec, keys[k], rest);
		exercise(&ctx, line);
	}
	return 0;
}
