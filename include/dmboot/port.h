/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * The platform contract: everything an embedder must supply for lib/ to
 * link, and nothing else.  lib/ includes only this header, which takes
 * its types from <dmboot/port_types.h> (the compiler's freestanding
 * headers by default, or the embedder's own); `make check` proves it by
 * building lib/ with -ffreestanding -nostdinc and listing the undefined
 * symbols of the result.
 *
 * A bootloader implements the functions below (usually as one-line wrappers
 * around its own malloc, free and printf) and links lib/.  ports/posix/ is
 * the host implementation; ports/freestanding/ is the smallest one there is.
 */
#ifndef DMBOOT_PORT_H
#define DMBOOT_PORT_H

#include <dmboot/port_types.h>

#if defined(__GNUC__) || defined(__clang__)
#define DMB_PRINTF(fmt_idx, arg_idx) __attribute__((format(printf, fmt_idx, arg_idx)))
#define DMB_UNUSED __attribute__((unused))
#define DMB_MUST_CHECK __attribute__((warn_unused_result))
#else
#define DMB_PRINTF(fmt_idx, arg_idx)
#define DMB_UNUSED
#define DMB_MUST_CHECK
#endif

/*
 * Allocate n bytes aligned to 8 bytes (or to the larger of the alignments
 * of uint64_t and of pointers, where that is more), or return NULL.  lib/
 * stores nothing that needs more (no long double, no vector types), so an
 * allocator that gives 8 is enough, also on 64-bit machines whose malloc()
 * gives 16.  lib/ never asks for 0 bytes and treats NULL as DMB_ENOMEM; it
 * never aborts.
 */
void *dmb_port_malloc(size_t n);

/* Release memory from dmb_port_malloc().  NULL must be accepted. */
void dmb_port_free(void *p);

enum dmb_log_level {
	DMB_LOG_ERR = 0,
	DMB_LOG_WARN = 1,
	DMB_LOG_INFO = 2,
	DMB_LOG_DEBUG = 3,
};

/*
 * Emit one finished log line (no trailing newline).  lib/ formats the line
 * itself (see dmbi_log() in lib/core/core.h, which carries the printf format
 * attribute), so the port needs no printf.
 */
void dmb_port_log(enum dmb_log_level level, const char *line);

enum dmb_fatal {
	DMB_FATAL_RESTART = 1, /* e.g. dm-verity restart_on_corruption */
	DMB_FATAL_PANIC = 2,   /* e.g. dm-verity panic_on_corruption */
};

/*
 * A table asked for the system to restart or panic (dm-verity's
 * restart_on_corruption, panic_on_error, ...); reason names the device and
 * block.  It should not return; if it does, the I/O fails with DMB_EIO.
 */
void dmb_port_fatal(enum dmb_fatal what, const char *reason);

/*
 * The four memory functions C compilers may emit calls to even in
 * freestanding code.  They have the ISO C contracts.  A hosted port gets
 * them from libc.
 */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif /* DMBOOT_PORT_H */
