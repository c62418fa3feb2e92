// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * systemd's version order for partition labels (strverscmp_improved), by
 * which the newest of several candidate root partitions is chosen.
 */
#include "ddi_internal.h"

/* ---- systemd's version order (strverscmp_improved) -------------------- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool version_char(char c)
{
	return is_digit(c) || is_alpha(c) || c == '~' || c == '-' || c == '^' || c == '.';
}

static int cmp_int(long a, long b)
{
	return (a > b) - (a < b);
}

/* Documented in ddi_internal.h. */
int dmbi_ddi_version_cmp(const char *a, const char *b)
{
	static const char prefixes[] = { '-', '^', '.' };

	/*
	 * No shortcut for empty strings: "" is newer than "~1" and as new as
	 * "_", because '~' and the separators are handled before the end.
	 */
	for (;;) {
		const char *aa, *bb;
		int r;

		while (*a && !version_char(*a))
			a++;
		while (*b && !version_char(*b))
			b++;
		if (*a == '~' || *b == '~') {
			r = cmp_int(*a != '~', *b != '~');
			if (r)
				return r;
			a++;
			b++;
		}
		if (!*a || !*b)
			return cmp_int((unsigned char)*a, (unsigned char)*b);
		for (size_t i = 0; i < sizeof(prefixes); i++) {
			if (*a == prefixes[i] || *b == prefixes[i]) {
				r = cmp_int(*a != prefixes[i], *b != prefixes[i]);
				if (r)
					return r;
				a++;
				b++;
			}
		}
		if (is_digit(*a) || is_digit(*b)) {
			for (aa = a; is_digit(*aa); aa++)
				;
			for (bb = b; is_digit(*bb); bb++)
				;
			r = cmp_int(a != aa, b != bb);
			if (r)
				return r;
			while (*a == '0')
				a++;
			while (*b == '0')
				b++;
			r = cmp_int(aa - a, bb - b);
			if (!r)
				r = memcmp(a, b, (size_t)(aa - a));
			if (r)
				return r < 0 ? -1 : 1;
		} else {
			for (aa = a; is_alpha(*aa); aa++)
				;
			for (bb = b; is_alpha(*bb); bb++)
				;
			r = memcmp(a, b, (size_t)DMBI_MIN(aa - a, bb - b));
			if (!r)
				r = cmp_int(aa - a, bb - b);
			if (r)
				return r < 0 ? -1 : 1;
		}
		a = aa;
		b = bb;
	}
}
