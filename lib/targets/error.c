// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The error target (formats.md §1.5, Linux dm-target.c io_err): every read
 * and write fails with an I/O error.  Like newer kernels it accepts an
 * optional "<dev> <offset>" pair, which is opened and bounds-checked (the
 * kernel uses it only for the queue limits); any other argument count is
 * ignored.
 */
#include "../core/target.h"

/*
 * Construct an error mapping:
 *   [<dev> <offset>]
 */
static int error_ctr(struct dmb_target *ti, unsigned argc, char **argv)
{
	const struct dmb_lower *dev;
	uint64_t start;

	if (argc != 2)
		return 0;
	if (dmb_arg_u64(argv[1], &start)) {
		ti->error = "Invalid device sector";
		return DMB_EINVAL;
	}
	return dmb_target_get_device(ti, argv[0], start, ti->len_sectors, &dev);
}

static int io_error(struct dmb_target *ti, uint64_t sector)
{
	return dmb_seterr(ti->ctx, DMB_EIO, "error target: I/O error at sector %llu",
			  (unsigned long long)(ti->begin_sectors + sector));
}

static int error_read(struct dmb_target *ti, uint64_t sector, size_t count, void *buf)
{
	(void)count;
	(void)buf;
	return io_error(ti, sector);
}

static int error_write(struct dmb_target *ti, uint64_t sector, size_t count, const void *buf)
{
	(void)count;
	(void)buf;
	return io_error(ti, sector);
}

const struct dmb_target_type dmb_error_target = {
	.name = "error",
	.version = { 1, 7, 0 },
	.ctr = error_ctr,
	.read = error_read,
	.write = error_write,
};
