// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Block device helpers: byte- and sector-granular access to devices of any
 * block size, with the bounce buffers and read-modify-write that keep
 * adapters simple (bdev.h); the RAM device and the slice.
 * Bounce blocks come from the context's bounce buffer when there is one
 * (dmb_ctx_mem): the caller's context for the library's own I/O to lower
 * devices, the device's context for I/O on a mapped device.
 */
#include "core.h"

uint64_t dmb_bdev_bytes(const struct dmb_bdev *bd)
{
	unsigned shift = bd->block_shift;

	if (bd->num_blocks > (UINT64_MAX >> shift))
		return UINT64_MAX;
	return bd->num_blocks << shift;
}

uint64_t dmb_bdev_sectors(const struct dmb_bdev *bd)
{
	return bd->num_blocks << (bd->block_shift - DMB_SECTOR_SHIFT);
}

static bool range_ok(const struct dmb_bdev *bd, uint64_t offset, size_t len)
{
	uint64_t end;

	return dmbi_add_u64(offset, len, &end) && end <= dmb_bdev_bytes(bd);
}

/*
 * A bounce block of bs bytes: the top of the context's bounce buffer when
 * enough of it is left, else dmb_port_malloc().  The buffer is used as a
 * stack because I/O nests (a mapped device's bounce read reaches a target
 * whose lower device may need a bounce of its own); *taken says how much was
 * pushed, for bounce_put().
 */
static uint8_t *bounce_get(struct dmb_ctx *ctx, size_t bs, size_t *taken)
{
	*taken = 0;
	if (ctx && ctx->mem.bounce && ctx->bounce_used <= ctx->mem.bounce_bytes &&
	    ctx->mem.bounce_bytes - ctx->bounce_used >= bs) {
		uint8_t *p = (uint8_t *)ctx->mem.bounce + ctx->bounce_used;

		ctx->bounce_used += bs;
		*taken = bs;
		return p;
	}
	return dmb_port_malloc(bs);
}

static void bounce_put(struct dmb_ctx *ctx, uint8_t *p, size_t taken)
{
	if (taken)
		ctx->bounce_used -= taken;
	else
		dmb_port_free(p);
}

/*
 * Move [offset, offset+len) through whole-block operations.  Full blocks go
 * straight between the device and buf; a partial block at either edge goes
 * through one bounce block (read, patch, write back when writing).
 */
static int rw_bytes(struct dmb_ctx *ctx, struct dmb_bdev *bd, uint64_t offset, size_t len,
		    uint8_t *rbuf, const uint8_t *wbuf)
{
	const unsigned shift = bd->block_shift;
	const size_t bs = (size_t)1 << shift;
	uint8_t *bounce = NULL;
	size_t taken = 0;
	int r = 0;

	if (!range_ok(bd, offset, len))
		return DMB_ERANGE;
	if (wbuf && !bd->ops->write)
		return DMB_EACCES;

	while (len) {
		uint64_t block = offset >> shift;
		size_t in_block = (size_t)(offset & (bs - 1));

		if (in_block == 0 && len >= bs) {
			size_t count = len >> shift;

			r = wbuf ? bd->ops->write(bd, block, count, wbuf)
				 : bd->ops->read(bd, block, count, rbuf);
			if (r)
				break;
			count <<= shift;
			offset += count;
			len -= count;
			if (wbuf)
				wbuf += count;
			else
				rbuf += count;
			continue;
		}

		size_t n = DMBI_MIN(bs - in_block, len);

		if (!bounce) {
			bounce = bounce_get(ctx, bs, &taken);
			if (!bounce) {
				r = DMB_ENOMEM;
				break;
			}
		}
		r = bd->ops->read(bd, block, 1, bounce);
		if (r)
			break;
		if (wbuf) {
			memcpy(bounce + in_block, wbuf, n);
			r = bd->ops->write(bd, block, 1, bounce);
			if (r)
				break;
			wbuf += n;
		} else {
			memcpy(rbuf, bounce + in_block, n);
			rbuf += n;
		}
		offset += n;
		len -= n;
	}
	if (bounce)
		bounce_put(ctx, bounce, taken);
	return r;
}

int dmbi_bdev_read_bytes(struct dmb_ctx *ctx, struct dmb_bdev *bd, uint64_t offset, size_t len,
			 void *buf)
{
	return rw_bytes(ctx, bd, offset, len, buf, NULL);
}

int dmb_bdev_read_bytes(struct dmb_bdev *bd, uint64_t offset, size_t len, void *buf)
{
	return rw_bytes(dmbi_bdev_ctx(bd), bd, offset, len, buf, NULL);
}

int dmb_bdev_write_bytes(struct dmb_bdev *bd, uint64_t offset, size_t len, const void *buf)
{
	return rw_bytes(dmbi_bdev_ctx(bd), bd, offset, len, NULL, buf);
}

int dmbi_bdev_read_sectors(struct dmb_ctx *ctx, struct dmb_bdev *bd, uint64_t sector,
			   size_t count, void *buf)
{
	if (bd->block_shift == DMB_SECTOR_SHIFT) {
		uint64_t end;

		if (!dmbi_add_u64(sector, count, &end) || end > bd->num_blocks)
			return DMB_ERANGE;
		return count ? bd->ops->read(bd, sector, count, buf) : 0;
	}
	if (sector > (UINT64_MAX >> DMB_SECTOR_SHIFT) || count > (SIZE_MAX >> DMB_SECTOR_SHIFT))
		return DMB_ERANGE;
	return rw_bytes(ctx, bd, sector << DMB_SECTOR_SHIFT, count << DMB_SECTOR_SHIFT, buf, NULL);
}

int dmb_bdev_read_sectors(struct dmb_bdev *bd, uint64_t sector, size_t count, void *buf)
{
	return dmbi_bdev_read_sectors(dmbi_bdev_ctx(bd), bd, sector, count, buf);
}

int dmbi_bdev_readv_sectors(struct dmb_ctx *ctx, struct dmb_bdev *bd, uint64_t sector,
			    const struct dmb_iovec *vec, size_t n)
{
	const size_t mask = ((size_t)1 << bd->block_shift) - 1;
	bool direct = bd->ops->readv != NULL && (sector & (mask >> DMB_SECTOR_SHIFT)) == 0;
	uint64_t total = 0, end;

	for (size_t i = 0; i < n; i++) {
		if (vec[i].len & (((size_t)1 << DMB_SECTOR_SHIFT) - 1))
			return DMB_EINVAL;
		direct &= (vec[i].len & mask) == 0;
		total += vec[i].len >> DMB_SECTOR_SHIFT;
	}
	if (sector > (UINT64_MAX >> DMB_SECTOR_SHIFT) || !dmbi_add_u64(sector, total, &end) ||
	    end > dmb_bdev_sectors(bd))
		return DMB_ERANGE;
	if (direct && n)
		return bd->ops->readv(bd, sector >> (bd->block_shift - DMB_SECTOR_SHIFT), vec, n);
	for (size_t i = 0; i < n; i++) {
		int r = dmbi_bdev_read_sectors(ctx, bd, sector, vec[i].len >> DMB_SECTOR_SHIFT,
					       vec[i].base);

		if (r)
			return r;
		sector += vec[i].len >> DMB_SECTOR_SHIFT;
	}
	return 0;
}

int dmb_bdev_readv_sectors(struct dmb_bdev *bd, uint64_t sector, const struct dmb_iovec *vec,
			   size_t n)
{
	return dmbi_bdev_readv_sectors(dmbi_bdev_ctx(bd), bd, sector, vec, n);
}

int dmbi_bdev_write_sectors(struct dmb_ctx *ctx, struct dmb_bdev *bd, uint64_t sector,
			    size_t count, const void *buf)
{
	if (bd->block_shift == DMB_SECTOR_SHIFT) {
		uint64_t end;

		if (!dmbi_add_u64(sector, count, &end) || end > bd->num_blocks)
			return DMB_ERANGE;
		if (!bd->ops->write)
			return DMB_EACCES;
		return count ? bd->ops->write(bd, sector, count, buf) : 0;
	}
	if (sector > (UINT64_MAX >> DMB_SECTOR_SHIFT) || count > (SIZE_MAX >> DMB_SECTOR_SHIFT))
		return DMB_ERANGE;
	return rw_bytes(ctx, bd, sector << DMB_SECTOR_SHIFT, count << DMB_SECTOR_SHIFT, NULL, buf);
}

int dmb_bdev_write_sectors(struct dmb_bdev *bd, uint64_t sector, size_t count, const void *buf)
{
	return dmbi_bdev_write_sectors(dmbi_bdev_ctx(bd), bd, sector, count, buf);
}

int dmb_bdev_flush(struct dmb_bdev *bd)
{
	return bd->ops->flush ? bd->ops->flush(bd) : 0;
}

/* RAM device */

static int ram_read(struct dmb_bdev *bd, uint64_t block, size_t count, void *buf)
{
	struct dmb_ram_bdev *rb = bd->priv;

	memcpy(buf, rb->mem + (block << bd->block_shift), count << bd->block_shift);
	return 0;
}

static int ram_readv(struct dmb_bdev *bd, uint64_t block, const struct dmb_iovec *vec,
		     size_t n)
{
	struct dmb_ram_bdev *rb = bd->priv;
	const uint8_t *src = rb->mem + (block << bd->block_shift);

	for (size_t i = 0; i < n; i++) {
		memcpy(vec[i].base, src, vec[i].len);
		src += vec[i].len;
	}
	return 0;
}

static int ram_write(struct dmb_bdev *bd, uint64_t block, size_t count, const void *buf)
{
	struct dmb_ram_bdev *rb = bd->priv;

	memcpy(rb->mem + (block << bd->block_shift), buf, count << bd->block_shift);
	return 0;
}

static const struct dmb_bdev_ops ram_ops = {
	.read = ram_read, .write = ram_write, .readv = ram_readv
};
static const struct dmb_bdev_ops ram_ro_ops = { .read = ram_read, .readv = ram_readv };

void dmb_ram_bdev_init(struct dmb_ram_bdev *rb, void *mem, uint64_t bytes, unsigned block_shift,
		       bool writable)
{
	rb->mem = mem;
	rb->bdev.ops = writable ? &ram_ops : &ram_ro_ops;
	rb->bdev.priv = rb;
	rb->bdev.block_shift = block_shift;
	rb->bdev.num_blocks = bytes >> block_shift;
	rb->bdev.ctx = NULL;
}

/* Window onto another device */

static int slice_read(struct dmb_bdev *bd, uint64_t block, size_t count, void *buf)
{
	struct dmb_slice_bdev *sb = bd->priv;

	return sb->lower->ops->read(sb->lower, sb->first_block + block, count, buf);
}

static int slice_write(struct dmb_bdev *bd, uint64_t block, size_t count, const void *buf)
{
	struct dmb_slice_bdev *sb = bd->priv;

	return sb->lower->ops->write(sb->lower, sb->first_block + block, count, buf);
}

static int slice_readv(struct dmb_bdev *bd, uint64_t block, const struct dmb_iovec *vec,
		       size_t n)
{
	struct dmb_slice_bdev *sb = bd->priv;
	struct dmb_bdev *lower = sb->lower;

	if (lower->ops->readv)
		return lower->ops->readv(lower, sb->first_block + block, vec, n);
	for (size_t i = 0; i < n; i++) {
		size_t count = vec[i].len >> bd->block_shift;
		int r = lower->ops->read(lower, sb->first_block + block, count, vec[i].base);

		if (r)
			return r;
		block += count;
	}
	return 0;
}

static int slice_flush(struct dmb_bdev *bd)
{
	struct dmb_slice_bdev *sb = bd->priv;

	return dmb_bdev_flush(sb->lower);
}

static const struct dmb_bdev_ops slice_ops = {
	.read = slice_read, .write = slice_write, .flush = slice_flush, .readv = slice_readv
};
static const struct dmb_bdev_ops slice_ro_ops = {
	.read = slice_read, .flush = slice_flush, .readv = slice_readv
};

void dmb_slice_bdev_init(struct dmb_slice_bdev *sb, struct dmb_bdev *lower, uint64_t first_block,
			 uint64_t num_blocks)
{
	sb->lower = lower;
	sb->first_block = first_block;
	sb->bdev.ops = lower->ops->write ? &slice_ops : &slice_ro_ops;
	sb->bdev.priv = sb;
	sb->bdev.block_shift = lower->block_shift;
	sb->bdev.num_blocks = num_blocks;
	sb->bdev.ctx = NULL;
}

const struct dmb_bdev *dmbi_bdev_base(const struct dmb_bdev *bd)
{
	for (;;) {
		if (bd->ops == &slice_ops || bd->ops == &slice_ro_ops)
			bd = ((const struct dmb_slice_bdev *)bd->priv)->lower;
		else
			return bd;
	}
}
