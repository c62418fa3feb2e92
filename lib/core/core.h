/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * lib/core/: the engine — tables, devices, block devices, the target
 * registry (target.h), the crypto helpers and the error record (error.c).
 *
 * Inclusion rule: a file in lib/core/ includes <dmboot/...> public headers,
 * lib/base/ and lib/core/ headers, nothing else: the engine knows no target
 * and no on-disk format by anything but the registry's table.
 */
#ifndef DMBOOT_LIB_CORE_H
#define DMBOOT_LIB_CORE_H

#include "../base/base.h"

/* Format a line and pass it to dmb_port_log() if ctx's level allows it. */
void dmbi_log(const struct dmb_ctx *ctx, enum dmb_log_level level, const char *fmt, ...)
	DMB_PRINTF(3, 4);

/*
 * The dmb_bdev_* I/O functions with the context whose bounce buffer
 * (ctx->mem.bounce) serves unaligned edges; ctx may be NULL (each bounce
 * block then comes from dmb_port_malloc()).  Targets pass ti->ctx.
 */
int dmbi_bdev_read_bytes(struct dmb_ctx *ctx, struct dmb_bdev *bd, uint64_t offset, size_t len,
			 void *buf);
int dmbi_bdev_read_sectors(struct dmb_ctx *ctx, struct dmb_bdev *bd, uint64_t sector,
			   size_t count, void *buf);
int dmbi_bdev_readv_sectors(struct dmb_ctx *ctx, struct dmb_bdev *bd, uint64_t sector,
			    const struct dmb_iovec *vec, size_t n);
int dmbi_bdev_write_sectors(struct dmb_ctx *ctx, struct dmb_bdev *bd, uint64_t sector,
			    size_t count, const void *buf);

/* The device under the library's windows (slices) around bd, or bd itself. */
const struct dmb_bdev *dmbi_bdev_base(const struct dmb_bdev *bd);

/* The context of the mapped device bd (dmb_dev_bdev()), or NULL for any other device. */
struct dmb_ctx *dmbi_bdev_ctx(const struct dmb_bdev *bd);

/*
 * The text table parser's pieces the concise parser (concise.c) shares
 * (table.c): where a '#' comment starts in [p, end), the first non-space
 * character, and one trimmed, comment-free line "<start> <len> <type>
 * [params]" appended to t, its numbers in base (10, or 0 for dm-mod.create=).
 */
const char *dmbi_table_comment_start(const char *p, const char *end);
const char *dmbi_table_skip_space(const char *p, const char *end);
int dmbi_table_add_line(struct dmb_ctx *ctx, struct dmb_table *t, const char *p, const char *end,
			unsigned base, unsigned line);

#endif /* DMBOOT_LIB_CORE_H */
