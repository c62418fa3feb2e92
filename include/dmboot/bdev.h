/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/* Block devices: what the library reads and writes, and what it exports. */
#ifndef DMBOOT_BDEV_H
#define DMBOOT_BDEV_H

#ifndef DMBOOT_INSIDE_DMBOOT_H
#error "include <dmboot/dmboot.h>, not <dmboot/bdev.h>"
#endif

/* Smallest and largest supported block sizes, as shifts (512 B .. 64 KiB). */
#define DMB_MIN_BLOCK_SHIFT 9
#define DMB_MAX_BLOCK_SHIFT 16
#define DMB_SECTOR_SHIFT 9

struct dmb_bdev;

/* One buffer of a vectored read. */
struct dmb_iovec {
	void *base;
	size_t len;
};

/*
 * Operations of a block device.  Every operation works on whole blocks;
 * callers guarantee block + count <= num_blocks and count > 0, so an adapter
 * needs no bounds checks of its own.  Each returns 0 or a dmb_err code
 * (normally DMB_EIO).  The library owns alignment: it never asks for a
 * partial block and brings its own bounce buffers.
 *
 * A failing operation may also say why, in one line naming the device and
 * block: dmb_ctx_set_error(bd->ctx, DMB_EIO, "%s: read of block %llu: %s",
 * ...) (bd->ctx may be NULL: the call then does nothing).  The library keeps
 * that line and puts its own context in front of it (the table's device
 * name, the sector) when it records the failure; an operation that sets no
 * message gets dmb_strerror()'s text instead.
 */
struct dmb_bdev_ops {
	/* Read count blocks starting at block into buf. Required. */
	int (*read)(struct dmb_bdev *bd, uint64_t block, size_t count, void *buf);
	/* Write count blocks. NULL means the device is read-only. */
	int (*write)(struct dmb_bdev *bd, uint64_t block, size_t count, const void *buf);
	/* Make written blocks durable. NULL means nothing to do. */
	int (*flush)(struct dmb_bdev *bd);
	/*
	 * Optional: read consecutive blocks starting at block into the n
	 * buffers of vec, one after the other (every len a whole number of
	 * blocks, n > 0).  It saves a call per buffer where the platform can
	 * scatter (preadv); NULL means the library calls read() per buffer.
	 */
	int (*readv)(struct dmb_bdev *bd, uint64_t block, const struct dmb_iovec *vec, size_t n);
};

struct dmb_bdev {
	const struct dmb_bdev_ops *ops;
	void *priv;            /* the adapter's own state */
	unsigned block_shift;  /* log2(block size), DMB_MIN..DMB_MAX_BLOCK_SHIFT */
	uint64_t num_blocks;   /* device size in blocks */
	/*
	 * Where the ops report a failure's message (dmb_ctx_set_error()), or
	 * NULL for codes only.  A resolver's open() sets it to the context it
	 * is given, which is the one the device's user reads messages from
	 * and which outlives the open; a mapped device's is the context it
	 * was created with.  The library reads it, never changes it.
	 */
	struct dmb_ctx *ctx;
};

/* Device size in bytes (saturates at UINT64_MAX) and in 512-byte sectors. */
uint64_t dmb_bdev_bytes(const struct dmb_bdev *bd);
uint64_t dmb_bdev_sectors(const struct dmb_bdev *bd);

/*
 * Read or write any byte range.  Unaligned edges go through a bounce buffer
 * (read-modify-write for writes).
 * Errors: DMB_ERANGE (range past the end), DMB_EACCES (write to a device
 * without a write op), DMB_ENOMEM (bounce buffer), or what the device returns.
 */
DMB_MUST_CHECK int dmb_bdev_read_bytes(struct dmb_bdev *bd, uint64_t offset, size_t len, void *buf);
DMB_MUST_CHECK int dmb_bdev_write_bytes(struct dmb_bdev *bd, uint64_t offset, size_t len, const void *buf);

/*
 * The same in 512-byte sectors, for devices of any block size.  Errors as
 * dmb_bdev_read_bytes() and dmb_bdev_write_bytes(); DMB_ERANGE also when
 * the sector count's byte size overflows.
 */
DMB_MUST_CHECK int dmb_bdev_read_sectors(struct dmb_bdev *bd, uint64_t sector, size_t count, void *buf);
DMB_MUST_CHECK int dmb_bdev_write_sectors(struct dmb_bdev *bd, uint64_t sector, size_t count, const void *buf);

/*
 * Read consecutive 512-byte sectors starting at sector into the n buffers
 * of vec in order (each len a multiple of 512): one readv() when the
 * device has it and its block size divides every buffer, else a read per
 * buffer.  Errors as dmb_bdev_read_sectors().
 */
DMB_MUST_CHECK int dmb_bdev_readv_sectors(struct dmb_bdev *bd, uint64_t sector, const struct dmb_iovec *vec,
			   size_t n);

/* Flush if the device has a flush op; 0 otherwise.  Errors: what the device's flush returns. */
DMB_MUST_CHECK int dmb_bdev_flush(struct dmb_bdev *bd);

/*
 * A block device over caller memory (a bootloader's RAM disk, or tests).
 * writable = false gives a read-only device.  bytes is rounded down to whole
 * blocks.
 */
struct dmb_ram_bdev {
	struct dmb_bdev bdev;
	uint8_t *mem;
};
void dmb_ram_bdev_init(struct dmb_ram_bdev *rb, void *mem, uint64_t bytes,
		       unsigned block_shift, bool writable);

/*
 * A window onto another device (a partition, an LV's extent): blocks
 * [first_block, first_block + num_blocks) of lower, in lower's block size.
 * Read-only when lower is.  The caller checks the window lies inside lower.
 */
struct dmb_slice_bdev {
	struct dmb_bdev bdev;
	struct dmb_bdev *lower;
	uint64_t first_block;
};
void dmb_slice_bdev_init(struct dmb_slice_bdev *sb, struct dmb_bdev *lower, uint64_t first_block,
			 uint64_t num_blocks);

/*
 * A fault-injecting wrapper for tests: the fail_read_at-th read (1-based;
 * 0 = never) and every later one fail with DMB_EIO, the same for writes;
 * flip_bit, when not UINT64_MAX, is a bit offset in the device flipped in
 * every read that covers it.  An injected failure is described in
 * fb->bdev.ctx when the caller set it ("fault: read of block B (N blocks)
 * failed: injected I/O error").
 */
struct dmb_fault_bdev {
	struct dmb_bdev bdev;
	struct dmb_bdev *lower;
	uint64_t fail_read_at, fail_write_at;
	uint64_t reads, writes;
	uint64_t flip_bit;
};
void dmb_fault_bdev_init(struct dmb_fault_bdev *fb, struct dmb_bdev *lower);

/*
 * How a table's device names become block devices.  open() is called once
 * per distinct name in a table, with DMB_OPEN_WRITE unless the mapped device
 * is read-only; close() is called once for each successful open().  On
 * failure open() returns DMB_ENOENT (no such device), DMB_EACCES or
 * DMB_EIO and may describe it in ctx (dmb_ctx_set_error()).  On success it
 * sets (*out)->ctx = ctx, so that the device's ops can describe their
 * failures too.
 */
#define DMB_OPEN_WRITE 1u
struct dmb_resolver {
	int (*open)(const struct dmb_resolver *r, struct dmb_ctx *ctx, const char *name,
		    unsigned flags, struct dmb_bdev **out);
	void (*close)(const struct dmb_resolver *r, struct dmb_bdev *bd);
	void *priv;
};

#endif /* DMBOOT_BDEV_H */
