// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The linear target (formats.md §1.2, Linux dm-linear): sector s of the
 * target is sector offset + s of the lower device.
 */
#include "targets.h"

struct linear {
	const struct dmbi_lower *dev;
	uint64_t start;
};

/*
 * Construct a linear mapping:
 *   <dev> <offset>
 * offset is a decimal sector count on dev; the extent [offset, offset +
 * target length) must lie inside dev.
 */
static int linear_ctr(struct dmbi_target *ti, unsigned argc, char **argv)
{
	struct linear *lc;
	int r;

	if (argc != 2) {
		ti->error = "Invalid argument count";
		return DMB_EINVAL;
	}
	lc = dmbi_calloc(1, sizeof(*lc));
	if (!lc) {
		ti->error = "Cannot allocate linear context";
		return DMB_ENOMEM;
	}
	ti->priv = lc;
	if (dmbi_arg_u64(argv[1], &lc->start)) {
		ti->error = "Invalid device sector";
		return DMB_EINVAL;
	}
	r = dmbi_target_get_device(ti, argv[0], lc->start, ti->len_sectors, &lc->dev);
	return r;
}

static void linear_dtr(struct dmbi_target *ti)
{
	dmb_port_free(ti->priv);
}

static int linear_read(struct dmbi_target *ti, uint64_t sector, size_t count, void *buf)
{
	struct linear *lc = ti->priv;

	return dmbi_bdev_read_sectors(ti->ctx, lc->dev->bdev, lc->start + sector, count, buf);
}

static int linear_write(struct dmbi_target *ti, uint64_t sector, size_t count, const void *buf)
{
	struct linear *lc = ti->priv;

	return dmbi_bdev_write_sectors(ti->ctx, lc->dev->bdev, lc->start + sector, count, buf);
}

static int linear_flush(struct dmbi_target *ti)
{
	struct linear *lc = ti->priv;

	return dmb_bdev_flush(lc->dev->bdev);
}

static void linear_status(struct dmbi_target *ti, enum dmbi_status_type type, unsigned flags,
			  struct dmbi_strbuf *out)
{
	struct linear *lc = ti->priv;

	(void)flags;
	if (type == DMBI_STATUS_TABLE) {
		dmbi_strbuf_put_arg(out, lc->dev->name);
		dmbi_strbuf_printf(out, " %llu", (unsigned long long)lc->start);
	}
}

const struct dmbi_target_type dmbi_linear_target = {
	.name = "linear",
	.version = { 1, 4, 0 },
	.ctr = linear_ctr,
	.dtr = linear_dtr,
	.read = linear_read,
	.write = linear_write,
	.flush = linear_flush,
	.status = linear_status,
};
