// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The error target (formats.md §1.5, Linux dm-target.c io_err): every read
 * and write fails with an I/O error.  Like newer kernels it accepts an
 * optional "<dev> <offset>" pair, which is opened and bounds-checked (the
 * kernel uses it only for the queue limits); any other argument count is
 * ignored.
 */
#include "targets.h"

/*
 * Construct an error mapping:
 *   [<dev> <offset>]
 */
static int error_ctr(struct dmbi_target *ti, unsigned argc, char **argv)
{
	const struct dmbi_lower *dev;
	uint64_t start;

	if (argc != 2)
		return 0;
	if (dmbi_arg_u64(argv[1], &start)) {
		ti->error = "Invalid device sector";
		return DMB_EINVAL;
	}
	return dmbi_target_get_device(ti, argv[0], start, ti->len_sectors, &dev);
}

static int io_error(struct dmbi_target *ti, uint64_t sector)
{
	return dmb_ctx_set_error(ti->ctx, DMB_EIO, "error target: I/O error at sector %llu",
				 (unsigned long long)(ti->begin_sectors + sector));
}

static int error_read(struct dmbi_target *ti, uint64_t sector, size_t count, void *buf)
{
	(void)count;
	(void)buf;
	return io_error(ti, sector);
}

static int error_write(struct dmbi_target *ti, uint64_t sector, size_t count, const void *buf)
{
	(void)count;
	(void)buf;
	return io_error(ti, sector);
}

const struct dmbi_target_type dmbi_error_target = {
	.name = "error",
	.version = { 1, 7, 0 },
	.ctr = error_ctr,
	.read = error_read,
	.write = error_write,
};
