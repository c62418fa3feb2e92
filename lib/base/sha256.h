/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * Inside the library's SHA-256 (<dmboot/crypto.h>, dmb_sha256_*): the
 * compression functions of each backend, one file each, and the build
 * switches that choose which backends exist.
 *
 * Every compression function has one shape: lanes independent states h[l]
 * (FIPS 180-4 H0..H7 order), each absorbing nblocks 64-byte blocks read from
 * p[l] onwards.  The lane count is part of the function, not an argument.
 *
 * Build switches (define on the compiler's command line):
 *   DMBOOT_SHA256_PORTABLE_ONLY  no hardware backend at all
 *   DMBOOT_SHA256_NO_SHANI       no x86-64 SHA extensions backend
 *   DMBOOT_SHA256_NO_ARMV8       no ARMv8 cryptographic extension backend
 *   DMBOOT_SHA256_ASSUME_ARMV8   the CPU has the ARMv8 SHA-256 instructions
 *                                and SIMD is on: used without the port saying so
 *   DMBOOT_SHA256_ARMV8          build the ARMv8 backend even though the build
 *                                has no FP/SIMD registers (see below)
 */
#ifndef DMBOOT_LIB_BASE_SHA256_H
#define DMBOOT_LIB_BASE_SHA256_H

#include <dmboot/dmboot.h>

#if defined(DMBOOT_SHA256_PORTABLE_ONLY)
#define DMBOOT_SHA256_NO_SHANI 1
#define DMBOOT_SHA256_NO_ARMV8 1
#endif

#if !defined(DMBOOT_SHA256_NO_SHANI) && defined(__x86_64__) && \
	(defined(__GNUC__) || defined(__clang__))
#define DMBI_SHA256_HAVE_SHANI 1
/* SSE state only (no VEX encoding): firmware may not have enabled AVX. */
#define DMBI_SHA256_TARGET_SHANI __attribute__((target("sha,sse4.1")))
#define DMBI_ALWAYS_INLINE inline __attribute__((always_inline))
#endif

/*
 * gcc's <arm_neon.h> enables the SHA-256 intrinsics per function; clang's
 * (up to 16 at least) only when the whole file is built for them, so a clang
 * build has this backend only with -march=armv8-a+crypto (or +sha2) given.
 * A build without FP/SIMD registers (-mgeneral-regs-only, +nofp: __ARM_FP
 * undefined) cannot compile the file and gets the portable backend, unless
 * it defines DMBOOT_SHA256_ARMV8 everywhere and builds sha256_armv8.c alone
 * with those registers allowed.
 */
#if !defined(DMBOOT_SHA256_NO_ARMV8) && defined(__aarch64__) && \
	(defined(__ARM_FP) || defined(DMBOOT_SHA256_ARMV8)) && \
	((defined(__GNUC__) && !defined(__clang__)) || \
	 (defined(__clang__) && defined(__ARM_FEATURE_SHA2)))
#define DMBI_SHA256_HAVE_ARMV8 1
#if defined(__clang__)
#define DMBI_SHA256_TARGET_ARMV8
#else
#define DMBI_SHA256_TARGET_ARMV8 __attribute__((target("+simd+crypto")))
#endif
#define DMBI_ALWAYS_INLINE inline __attribute__((always_inline))
#endif

typedef void dmbi_sha256_blocks_fn(uint32_t (*h)[8], const uint8_t *const *p, size_t nblocks);

/* FIPS 180-4 §4.2.2 round constants. */
extern const uint32_t dmbi_sha256_k[64];

dmbi_sha256_blocks_fn dmbi_sha256_portable_x1;

#ifdef DMBI_SHA256_HAVE_SHANI
/* CPUID says SHA and SSE4.1 are there (SSE state is always on in x86-64). */
bool dmbi_sha256_shani_usable(void);
dmbi_sha256_blocks_fn dmbi_sha256_shani_x1, dmbi_sha256_shani_x2, dmbi_sha256_shani_x4;
#endif

#ifdef DMBI_SHA256_HAVE_ARMV8
dmbi_sha256_blocks_fn dmbi_sha256_armv8_x1, dmbi_sha256_armv8_x2;
#endif

#endif /* DMBOOT_LIB_BASE_SHA256_H */
