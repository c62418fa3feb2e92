/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/* Numbers: strict parsing, overflow-checked arithmetic, powers of two. */
#ifndef DMBOOT_LIB_BASE_PARSE_H
#define DMBOOT_LIB_BASE_PARSE_H

#include <dmboot/dmboot.h>

/*
 * Strict unsigned parse: the whole string must be digits of the base (10,
 * or 0 for C notation: 0x hex, leading 0 octal), non-empty, no sign, no
 * white space, no overflow.  Returns 0, DMB_EINVAL (syntax) or DMB_ERANGE.
 */
int dmbi_parse_u64(const char *s, unsigned base, uint64_t *out);
/* The same over s[0..len), which need not be NUL-terminated. */
int dmbi_parse_u64_len(const char *s, size_t len, unsigned base, uint64_t *out);
int dmbi_parse_u32(const char *s, unsigned base, uint32_t *out);

/* Overflow-checked arithmetic: return false on overflow. */
static inline bool dmbi_add_u64(uint64_t a, uint64_t b, uint64_t *r)
{
	*r = a + b;
	return *r >= a;
}

/* From 32-bit halves, so that 32-bit targets need no 64-bit division helper. */
static inline bool dmbi_mul_u64(uint64_t a, uint64_t b, uint64_t *r)
{
	uint64_t a_hi = a >> 32, b_hi = b >> 32, cross;

	if (a_hi && b_hi)
		return false;
	cross = a_hi ? a_hi * (uint32_t)b : b_hi * (uint32_t)a;
	if (cross >> 32)
		return false;
	return dmbi_add_u64(cross << 32, (uint64_t)(uint32_t)a * (uint32_t)b, r);
}

static inline bool dmbi_is_pow2(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

static inline unsigned dmbi_ilog2(uint64_t v)
{
	unsigned r = 0;

	while (v >>= 1)
		r++;
	return r;
}

#endif /* DMBOOT_LIB_BASE_PARSE_H */
