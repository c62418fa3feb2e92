/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/* Error codes and the library context that carries the last error message. */
#ifndef DMBOOT_ERROR_H
#define DMBOOT_ERROR_H

#ifndef DMBOOT_INSIDE_DMBOOT_H
#error "include <dmboot/dmboot.h>, not <dmboot/error.h>"
#endif

/*
 * Every function that can fail returns 0 or one of these negative values.
 * They equal the negated Linux errno numbers of the same meaning, so a
 * bootloader with errno.h can pass them straight on.  Corrupt metadata,
 * failed verification, missing support and I/O errors stay distinct: a boot
 * policy treats each differently.
 */
enum dmb_err {
	DMB_OK = 0,
	DMB_ENOENT = -2,     /* not found: no such device, target type or key */
	DMB_EIO = -5,        /* I/O error from a lower device or the error target */
	DMB_ENOMEM = -12,    /* dmb_port_malloc() returned NULL */
	DMB_EACCES = -13,    /* access refused: write to a read-only device */
	DMB_EBUSY = -16,     /* device in use */
	DMB_EEXIST = -17,    /* name already in use */
	DMB_EINVAL = -22,    /* invalid argument or table syntax */
	DMB_ERANGE = -34,    /* number or extent out of range */
	DMB_EVERIFY = -74,   /* verification failed: hash or signature mismatch (EBADMSG) */
	DMB_ENOTSUP = -95,   /* not supported (EOPNOTSUPP) */
	DMB_ECORRUPT = -117, /* corrupt on-disk metadata (EUCLEAN) */
	DMB_ENOKEY = -126,   /* a required key or signature is missing */
};

/* Short English description of an error code ("I/O error", ...). */
const char *dmb_strerror(int err);

/*
 * Refuse dm-verity tables without a root hash signature (the kernel's
 * dm_verity.require_signatures=1).
 */
#define DMB_CTX_REQUIRE_SIGNATURES 1u

/*
 * Do not log the read-time failures that are returned (a verity block that
 * is corrupt in the default mode, an I/O error of a lower device): for a
 * caller that prints every failed call's message (dmb_ctx_message()) and
 * would show each one twice.  Without it they go to dmb_port_log() at
 * DMB_LOG_ERR besides the returned code, so that an embedder who prints
 * nothing still sees "verity: data block 488 of /dev/fd2 is corrupted".
 * Lines about data that is returned all the same (ignore_corruption, FEC
 * repairs and FEC failures) are logged either way.
 */
#define DMB_CTX_QUIET_IO 2u

/* Longest message the library stores, including the terminating NUL. */
#define DMB_MSG_MAX 256

struct dmb_resolver;
struct dmb_crypto;
struct dmb_keyring;

/* Default and smallest hash-block cache of a verity device (dmb_ctx_mem). */
#define DMB_VERITY_CACHE_DEFAULT_BYTES (1u << 20)

/*
 * Memory the library may use, for embedders with a small fixed heap
 * (docs/porting.md §7 lists every allocation and what it costs).  Zero means
 * the defaults.
 */
struct dmb_ctx_mem {
	/*
	 * Bytes of verified hash blocks each verity device keeps, read when
	 * the device is created; 0 means DMB_VERITY_CACHE_DEFAULT_BYTES.  It
	 * is rounded down to whole hash blocks, up to a floor of 2 * levels + 2
	 * blocks (levels of the device's tree), so any value works, and down
	 * to the tree's own size.  A cache that holds the whole tree costs one
	 * digest per data block read; a smaller one re-reads and re-hashes
	 * evicted hash blocks (at most one per tree level per data block read).
	 */
	size_t verity_cache_bytes;
	/*
	 * Optional scratch memory for unaligned I/O: byte ranges and sectors
	 * that do not start or end on a device block go through a bounce
	 * block, taken from here instead of from dmb_port_malloc() on each
	 * call.  Nested I/O (a mapped device over a lower device that also
	 * needs one) takes successive blocks, so size it as the sum of the
	 * largest block sizes of the stack (a verity device over 512-byte
	 * lowers: its data block size).  When too little is left the library
	 * falls back to dmb_port_malloc().  NULL: always dmb_port_malloc().
	 * Used for I/O on devices created with this context and by their
	 * targets; the library keeps no data in it between calls.
	 */
	void *bounce;
	size_t bounce_bytes;
	/*
	 * Most memory one key derivation may use, in KiB (LUKS2 Argon2
	 * keyslots): a keyslot asking for more is skipped, with a message
	 * naming both figures, before anything is allocated.  0: no cap.
	 */
	uint32_t kdf_max_kib;
};

/*
 * The library context.  The caller owns it (usually on the stack) and
 * zero-initialises it: zero means defaults.  Every object created with a
 * context keeps a pointer to it, so it must outlive them.  A context is not
 * shared between threads.
 */
struct dmb_ctx {
	/* Set by the caller. */
	const struct dmb_resolver *resolver; /* NULL: tables may name no devices */
	const struct dmb_crypto *crypto;     /* NULL: targets needing crypto fail closed */
	const struct dmb_keyring *keyring;   /* NULL: tables may name no keys */
	unsigned flags;                      /* DMB_CTX_* */
	int log_level;                       /* enum dmb_log_level; 0 = errors only */
	struct dmb_ctx_mem mem;              /* zero: default memory use */

	/* Set by the library on failure: the code and one line naming the table
	 * line, target, on-disk field or block. */
	int err;
	char msg[DMB_MSG_MAX];

	/* Owned by the library: bytes of mem.bounce held by I/O in progress. */
	size_t bounce_used;
};

/* The message of the last failure, or "" if none was recorded. */
const char *dmb_ctx_message(const struct dmb_ctx *ctx);

/* Forget the last failure. */
void dmb_ctx_clear(struct dmb_ctx *ctx);

/*
 * Record a failure: err and one formatted line (the library's own printf
 * subset: %% %c %s %d %i %u %x %X %p, flags '-' '0', width, string
 * precision, length modifiers hh h l ll z; the text is cut at DMB_MSG_MAX).
 * ctx may be NULL.  Returns err, so that `return dmb_ctx_set_error(...)`
 * reads as the failure it is.  Ports and callers use this, never ctx->msg.
 */
int dmb_ctx_set_error(struct dmb_ctx *ctx, int err, const char *fmt, ...) DMB_PRINTF(3, 4);
int dmb_ctx_vset_error(struct dmb_ctx *ctx, int err, const char *fmt, va_list ap)
	DMB_PRINTF(3, 0);

/*
 * Put context in front of the failure already recorded: the message becomes
 * the formatted text followed by the previous message, or by fallback when
 * none was recorded (dmb_strerror(err) when fallback is NULL).  Returns err.
 */
int dmb_ctx_wrap_error(struct dmb_ctx *ctx, int err, const char *fallback, const char *fmt, ...)
	DMB_PRINTF(4, 5);

#endif /* DMBOOT_ERROR_H */
