// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The fault-injecting block device of <dmboot/bdev.h>, for tests: failing
 * reads and writes from the n-th one on, and a bit flipped in every read
 * that covers it.  In a list of its own (lib/sources.mk,
 * DMBOOT_CORE_TEST_SRCS), so that a bootloader does not carry it.
 */
#include "core.h"

static int fault_fail(struct dmb_bdev *bd, const char *what, uint64_t block, size_t count)
{
	return dmb_ctx_set_error(bd->ctx, DMB_EIO, "fault: %s of block %llu (%zu blocks) failed: injected I/O error",
				 what, (unsigned long long)block, count);
}

static int fault_read(struct dmb_bdev *bd, uint64_t block, size_t count, void *buf)
{
	struct dmb_fault_bdev *fb = bd->priv;
	uint64_t first_bit = (block << bd->block_shift) * 8;
	uint64_t end_bit = first_bit + ((uint64_t)count << bd->block_shift) * 8;
	int r;

	if (fb->fail_read_at && ++fb->reads >= fb->fail_read_at)
		return fault_fail(bd, "read", block, count);
	r = fb->lower->ops->read(fb->lower, block, count, buf);
	if (r == 0 && fb->flip_bit >= first_bit && fb->flip_bit < end_bit) {
		uint64_t bit = fb->flip_bit - first_bit;

		((uint8_t *)buf)[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	return r;
}

static int fault_write(struct dmb_bdev *bd, uint64_t block, size_t count, const void *buf)
{
	struct dmb_fault_bdev *fb = bd->priv;

	if (fb->fail_write_at && ++fb->writes >= fb->fail_write_at)
		return fault_fail(bd, "write", block, count);
	return fb->lower->ops->write(fb->lower, block, count, buf);
}

static int fault_flush(struct dmb_bdev *bd)
{
	struct dmb_fault_bdev *fb = bd->priv;

	return dmb_bdev_flush(fb->lower);
}

static const struct dmb_bdev_ops fault_ops = {
	.read = fault_read, .write = fault_write, .flush = fault_flush
};
static const struct dmb_bdev_ops fault_ro_ops = { .read = fault_read, .flush = fault_flush };

void dmb_fault_bdev_init(struct dmb_fault_bdev *fb, struct dmb_bdev *lower)
{
	memset(fb, 0, sizeof(*fb));
	fb->lower = lower;
	fb->flip_bit = UINT64_MAX;
	fb->bdev.ops = lower->ops->write ? &fault_ops : &fault_ro_ops;
	fb->bdev.priv = fb;
	fb->bdev.block_shift = lower->block_shift;
	fb->bdev.num_blocks = lower->num_blocks;
}
