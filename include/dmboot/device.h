/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/* Mapped devices: a table instantiated over lower devices. */
#ifndef DMBOOT_DEVICE_H
#define DMBOOT_DEVICE_H

#ifndef DMBOOT_INSIDE_DMBOOT_H
#error "include <dmboot/dmboot.h>, not <dmboot/device.h>"
#endif

struct dmb_dev;

/* The device refuses writes (DMB_EACCES) and opens lower devices read-only. */
#define DMB_DEV_READONLY 1u

/*
 * Instantiate a table.  Each target's constructor checks its arguments as
 * Linux does; every lower device is opened through ctx->resolver and every
 * extent on it is checked against its size.  On failure nothing stays open.
 * Errors: DMB_ENOENT (unknown target type, device not found), DMB_EINVAL
 * (bad target arguments), DMB_ERANGE (extent past a device's end),
 * DMB_EVERIFY (a verity root digest its top hash block does not match),
 * DMB_ENOMEM, or a resolver error.  The message names the table line.
 */
DMB_MUST_CHECK int dmb_dev_create(struct dmb_ctx *ctx, const struct dmb_table *table, unsigned flags,
		   struct dmb_dev **out);

/* Close lower devices and free the device; accepts NULL and half-built devices. */
void dmb_dev_destroy(struct dmb_dev *dev);

/*
 * The device as a block device: 512-byte blocks (a larger logical block size
 * when a target requires one), num_blocks = the table's end.  Reads and
 * writes are split across targets.  Valid until dmb_dev_destroy().
 */
struct dmb_bdev *dmb_dev_bdev(struct dmb_dev *dev);

uint64_t dmb_dev_sectors(const struct dmb_dev *dev);

/* Counters a target keeps (for benchmarks and tests). */
struct dmb_target_stats {
	uint64_t reads;        /* read requests */
	uint64_t data_reads;   /* reads of lower data devices */
	uint64_t meta_reads;   /* reads of metadata blocks (verity hash blocks) */
	uint64_t digests;      /* blocks hashed */
	uint64_t cache_hits;   /* metadata blocks found in the cache */
};
/* The counters of target i, or NULL. */
const struct dmb_target_stats *dmb_dev_target_stats(const struct dmb_dev *dev, size_t i);
size_t dmb_dev_target_count(const struct dmb_dev *dev);
unsigned dmb_dev_flags(const struct dmb_dev *dev);

/* Names of the distinct lower devices, in order of first use. */
size_t dmb_dev_lower_count(const struct dmb_dev *dev);
const char *dmb_dev_lower_name(const struct dmb_dev *dev, size_t i);

/*
 * Format the device the way `dmsetup table` (DMB_FMT_TABLE) or `dmsetup
 * status` (DMB_FMT_STATUS) prints it: one line per target,
 * "<start> <len> <type> <params>" with a space after the type even when
 * params are empty, each line ended by '\n'.  Devices appear by the names
 * the table gave.  DMB_FMT_CONCISE joins targets with ',' and escapes
 * ',' ';' '\' instead, with no newline (the table part of `dmsetup table
 * --concise`).  DMB_FMT_SHOWKEYS prints keys instead of masking them.
 * Returns the length of the whole text like snprintf (it is truncated, and
 * still NUL-terminated, when cap is too small) or DMB_EINVAL.
 */
enum dmb_fmt {
	DMB_FMT_TABLE = 0,
	DMB_FMT_STATUS = 1,
};
#define DMB_FMT_CONCISE 1u
#define DMB_FMT_SHOWKEYS 2u
DMB_MUST_CHECK int dmb_dev_format(struct dmb_dev *dev, enum dmb_fmt what, unsigned flags, char *buf,
		   size_t cap);

#endif /* DMBOOT_DEVICE_H */
