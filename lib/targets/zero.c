// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The zero target (formats.md §1.4, Linux dm-zero): reads return zeros,
 * writes are accepted and dropped.  Takes no arguments.
 */
#include "targets.h"

/* Construct a zero mapping: no arguments. */
static int zero_ctr(struct dmbi_target *ti, unsigned argc, char **argv)
{
	(void)argv;
	if (argc != 0) {
		ti->error = "No arguments required";
		return DMB_EINVAL;
	}
	return 0;
}

static int zero_read(struct dmbi_target *ti, uint64_t sector, size_t count, void *buf)
{
	(void)ti;
	(void)sector;
	memset(buf, 0, count << DMB_SECTOR_SHIFT);
	return 0;
}

static int zero_write(struct dmbi_target *ti, uint64_t sector, size_t count, const void *buf)
{
	(void)ti;
	(void)sector;
	(void)count;
	(void)buf;
	return 0;
}

const struct dmbi_target_type dmbi_zero_target = {
	.name = "zero",
	.version = { 1, 2, 0 },
	.ctr = zero_ctr,
	.read = zero_read,
	.write = zero_write,
};
