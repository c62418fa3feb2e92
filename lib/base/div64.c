// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * 64-by-32-bit division from 32-bit operations (div64.h).  The high word
 * divides directly; the remainder and the low word then form a 64-bit
 * value whose quotient fits 32 bits: with a divisor below 2^16 it is two
 * more 32-bit divisions of 16 bits each, otherwise a bit-by-bit long
 * division.  32-bit division itself is the compiler's (a single
 * instruction, or __aeabi_uidivmod on ARM, which every ARM bootloader has).
 */
#include "div64.h"

/*
 * Whether the target divides 64-bit numbers natively: a 64-bit one does, in
 * one instruction.  The compiler's own pointer size first, as a replaced
 * port_types.h may define UINTPTR_MAX in a way #if evaluates wrongly.
 */
#if defined(__SIZEOF_POINTER__)
#define DIV64_NATIVE (__SIZEOF_POINTER__ >= 8)
#else
#define DIV64_NATIVE (UINTPTR_MAX > 0xffffffffu)
#endif

uint64_t dmbi_udiv64_long(uint64_t n, uint32_t d, uint32_t *rem)
{
	uint32_t hi = (uint32_t)(n >> 32), lo = (uint32_t)n, q_hi, q_lo, r;

	if (!hi) {
		if (rem)
			*rem = lo % d;
		return lo / d;
	}
	q_hi = hi / d;
	r = hi % d;
	if (d <= 0xffffu) {
		/* r < d < 2^16, so r:16 bits never overflows 32 bits. */
		uint32_t part = r << 16 | lo >> 16;

		q_lo = part / d << 16;
		part = (part % d) << 16 | (lo & 0xffffu);
		q_lo |= part / d;
		r = part % d;
	} else {
		/* Invariant r < d; r * 2 + bit may need 33 bits, whose top is `carry`. */
		q_lo = 0;
		for (int i = 31; i >= 0; i--) {
			uint32_t carry = r >> 31;

			r = r << 1 | (lo >> i & 1u);
			q_lo <<= 1;
			if (carry || r >= d) {
				r -= d;
				q_lo |= 1;
			}
		}
	}
	if (rem)
		*rem = r;
	return (uint64_t)q_hi << 32 | q_lo;
}

uint64_t dmbi_udiv64(uint64_t n, uint32_t d, uint32_t *rem)
{
#if DIV64_NATIVE
	uint64_t q = n / d;

	if (rem)
		*rem = (uint32_t)(n - q * d);
	return q;
#else
	return dmbi_udiv64_long(n, d, rem);
#endif
}
