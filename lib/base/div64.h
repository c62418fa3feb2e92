/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * 64-bit by 32-bit division without the compiler's runtime helpers: a
 * 32-bit target's "n / d" on uint64_t calls __aeabi_uldivmod, __udivdi3 or
 * the like, which a bootloader need not ship.  Every division of a 64-bit
 * value by a run-time divisor in lib/ goes through dmbi_udiv64() or is a
 * shift by a power of two; `make cross` proves it with nm on five
 * architectures.
 */
#ifndef DMBOOT_LIB_BASE_DIV64_H
#define DMBOOT_LIB_BASE_DIV64_H

#include <dmboot/dmboot.h>

/*
 * n / d, and n % d in *rem unless rem is NULL; d must not be 0.  On 64-bit
 * targets this is the processor's division; on 32-bit ones it is
 * dmbi_udiv64_long().
 */
uint64_t dmbi_udiv64(uint64_t n, uint32_t d, uint32_t *rem);

/* The same from 32-bit operations only, on every target (tested against the native one). */
uint64_t dmbi_udiv64_long(uint64_t n, uint32_t d, uint32_t *rem);

/* n % d; d must not be 0. */
static inline uint32_t dmbi_umod64(uint64_t n, uint32_t d)
{
	uint32_t rem;

	(void)dmbi_udiv64(n, d, &rem);
	return rem;
}

#endif /* DMBOOT_LIB_BASE_DIV64_H */
