// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The reference bootloader port: <dmboot/port.h>, a resolver and a crypto
 * provider written against the generic interface of bootloader.h and
 * nothing else.  A bootloader copies this file and bootloader.h, implements
 * bootloader.h's functions and has a complete adapter.  `make check`
 * compiles it freestanding and runs it under ports/freestanding/demo.c.
 */
#include "bootloader.h"

/* --- the port functions --------------------------------------------------- */

void *dmb_port_malloc(size_t n)
{
	return dmb_bl_malloc(n);
}

void dmb_port_free(void *p)
{
	dmb_bl_free(p);
}

void dmb_port_log(enum dmb_log_level level, const char *line)
{
	static const char *const prefix[] = { "dmboot: error: ", "dmboot: warning: ", "dmboot: ",
					      "dmboot: debug: " };

	dmb_bl_puts((unsigned)level < 4 ? prefix[level] : "dmboot: ");
	dmb_bl_puts(line);
	dmb_bl_puts("\n");
}

/* The reason is printed first: the console is all a restarting machine leaves. */
void dmb_port_fatal(enum dmb_fatal what, const char *reason)
{
	dmb_port_log(DMB_LOG_ERR, reason);
	if (what == DMB_FATAL_RESTART)
		dmb_bl_reset();
	else
		dmb_bl_halt();
}

/* --- block devices by path ------------------------------------------------ */

/*
 * A bootloader device as 512-byte blocks: lib/ reads whole blocks only and
 * bounces anything finer itself, so a block read is one byte-range read.
 * A device's last partial sector (a size not a multiple of 512) is not
 * mapped.  There is no write op: the devices are read-only.
 */
struct bl_bdev {
	struct dmb_bdev bdev;
	struct dmb_bl_dev *dev;
};

static int bl_read(struct dmb_bdev *bd, uint64_t block, size_t count, void *buf)
{
	struct bl_bdev *b = bd->priv;
	int r = dmb_bl_dev_read(b->dev, block << DMB_SECTOR_SHIFT, buf, count << DMB_SECTOR_SHIFT);

	return r ? dmb_ctx_set_error(bd->ctx, DMB_EIO, "read of %zu sectors at %llu failed (%d)",
				     count, (unsigned long long)block, r) : 0;
}

static const struct dmb_bdev_ops bl_bdev_ops = { .read = bl_read };

static int bl_open(const struct dmb_resolver *r, struct dmb_ctx *ctx, const char *name,
		   unsigned flags, struct dmb_bdev **out)
{
	struct bl_bdev *b = dmb_bl_malloc(sizeof(*b));
	uint64_t bytes = 0;

	(void)r;
	(void)flags;
	if (!b)
		return dmb_ctx_set_error(ctx, DMB_ENOMEM, "%s: out of memory", name);
	b->dev = dmb_bl_dev_open(name, &bytes);
	if (!b->dev) {
		dmb_bl_free(b);
		return dmb_ctx_set_error(ctx, DMB_ENOENT, "%s: no such device", name);
	}
	b->bdev = (struct dmb_bdev){ .ops = &bl_bdev_ops, .priv = b, .block_shift = DMB_SECTOR_SHIFT,
				     .num_blocks = bytes >> DMB_SECTOR_SHIFT, .ctx = ctx };
	*out = &b->bdev;
	return 0;
}

static void bl_close(const struct dmb_resolver *r, struct dmb_bdev *bd)
{
	struct bl_bdev *b = bd->priv;

	(void)r;
	dmb_bl_dev_close(b->dev);
	dmb_bl_free(b);
}

const struct dmb_resolver dmb_bl_resolver = { bl_open, bl_close, NULL };

/* --- digests ---------------------------------------------------------------- */

/* The provider's digest state is the bootloader's own, under lib/'s name for it. */
#define BL_DIGEST(d) ((struct dmb_bl_digest *)(void *)(d))

static int bl_digest_create(const struct dmb_crypto *c, const char *name,
			    struct dmb_digest **out, size_t *size)
{
	struct dmb_bl_digest *d = dmb_bl_digest_alloc(name, size);

	(void)c;
	if (d && (*size == 0 || *size > DMB_MAX_DIGEST_SIZE)) {
		dmb_bl_digest_free(d);
		d = NULL;
	}
	if (!d)
		return DMB_ENOTSUP;
	*out = (struct dmb_digest *)(void *)d;
	return 0;
}

static int bl_digest_init(struct dmb_digest *d)
{
	return dmb_bl_digest_init(BL_DIGEST(d)) ? DMB_EIO : 0;
}

static int bl_digest_update(struct dmb_digest *d, const void *data, size_t len)
{
	return dmb_bl_digest_update(BL_DIGEST(d), data, len) ? DMB_EIO : 0;
}

static int bl_digest_final(struct dmb_digest *d, uint8_t *out)
{
	return dmb_bl_digest_final(BL_DIGEST(d), out) ? DMB_EIO : 0;
}

static void bl_digest_destroy(struct dmb_digest *d)
{
	if (d)
		dmb_bl_digest_free(BL_DIGEST(d));
}

static const struct dmb_crypto_ops bl_crypto_ops = {
	.digest_create = bl_digest_create,
	.digest_init = bl_digest_init,
	.digest_update = bl_digest_update,
	.digest_final = bl_digest_final,
	.digest_destroy = bl_digest_destroy,
};

const struct dmb_crypto dmb_bl_crypto = { &bl_crypto_ops, NULL };
