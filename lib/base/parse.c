// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Strict number parsing (parse.h).  Stricter than the kernel's
 * sscanf("%llu"): no sign, no white space, no trailing bytes, and overflow is
 * an error rather than a wrap, so a table cannot mean something other than
 * what it says.
 */
#include "parse.h"

#include "str.h"

int dmbi_parse_u64_len(const char *s, size_t len, unsigned base, uint64_t *out)
{
	const char *end = s + len;
	uint64_t v = 0;

	if (base == 0) {
		base = 10;
		if (len > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
			base = 16;
			s += 2;
		} else if (len > 1 && s[0] == '0') {
			base = 8;
			s++;
		}
	}
	if (s == end)
		return DMB_EINVAL;
	for (; s < end; s++) {
		int d = dmbi_hex_digit(*s);

		if (d < 0 || d >= (int)base)
			return DMB_EINVAL;
		if (!dmbi_mul_u64(v, base, &v) || !dmbi_add_u64(v, (uint64_t)d, &v))
			return DMB_ERANGE;
	}
	*out = v;
	return 0;
}

int dmbi_parse_u64(const char *s, unsigned base, uint64_t *out)
{
	return dmbi_parse_u64_len(s, dmbi_strlen(s), base, out);
}

int dmbi_parse_u32(const char *s, unsigned base, uint32_t *out)
{
	uint64_t v;
	int r = dmbi_parse_u64(s, base, &v);

	if (r)
		return r;
	if (v > UINT32_MAX)
		return DMB_ERANGE;
	*out = (uint32_t)v;
	return 0;
}
