// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Base64 decoding (RFC 4648, standard alphabet, '=' padding), strict: no
 * white space, no characters outside the alphabet, padding only at the end
 * and only as much as the length needs, no stray bits in the last symbol.
 * The verity signature partition (formats.md §6.4) and LUKS2 JSON carry
 * their binary fields this way.
 */
#include "base64.h"

static int sextet(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int dmbi_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	size_t pad = 0, n = 0;
	uint32_t acc = 0;

	if (len % 4)
		return DMB_EINVAL;
	while (pad < 2 && pad < len && in[len - 1 - pad] == '=')
		pad++;
	if (len / 4 * 3 - pad > cap)
		return DMB_ERANGE;
	for (size_t i = 0; i < len - pad; i++) {
		int v = sextet(in[i]);

		if (v < 0)
			return DMB_EINVAL;
		acc = acc << 6 | (uint32_t)v;
		if (i % 4 == 3) {
			out[n++] = (uint8_t)(acc >> 16);
			out[n++] = (uint8_t)(acc >> 8);
			out[n++] = (uint8_t)acc;
			acc = 0;
		}
	}
	/* The last group: 2 or 3 symbols carry 1 or 2 bytes; the rest must be 0. */
	if (pad == 2) {
		if (acc & 0xf)
			return DMB_EINVAL;
		out[n++] = (uint8_t)(acc >> 4);
	} else if (pad == 1) {
		if (acc & 0x3)
			return DMB_EINVAL;
		out[n++] = (uint8_t)(acc >> 10);
		out[n++] = (uint8_t)(acc >> 2);
	}
	*out_len = n;
	return 0;
}
