// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Helpers around the crypto provider (crypto.h): one-shot and many-message digests,
 * wiping, constant-time comparison and hex conversion.
 */
#include "core.h"

int dmb_digest_oneshot(const struct dmb_crypto *c, const char *name, const void *data,
		       size_t len, uint8_t *out, size_t *size)
{
	struct dmb_digest *d;
	int r;

	if (!c || !c->ops->digest_create)
		return DMB_ENOTSUP;
	r = c->ops->digest_create(c, name, &d, size);
	if (r)
		return r;
	r = c->ops->digest_update(d, data, len);
	if (!r)
		r = c->ops->digest_final(d, out);
	c->ops->digest_destroy(d);
	return r;
}

int dmb_digest_many(const struct dmb_crypto *c, struct dmb_digest *prefix,
		    struct dmb_digest *scratch, size_t size, const void *const *msgs, size_t n,
		    size_t len, const void *suffix, size_t suffix_len, uint8_t *outs)
{
	const struct dmb_crypto_ops *ops = c ? c->ops : NULL;
	int r = 0;

	if (ops && ops->digest_many)
		return ops->digest_many(prefix, msgs, n, len, suffix, suffix_len, outs);
	if (!ops || !ops->digest_copy || !scratch)
		return DMB_ENOTSUP;
	for (size_t i = 0; i < n && !r; i++) {
		r = ops->digest_copy(scratch, prefix);
		if (!r)
			r = ops->digest_update(scratch, msgs[i], len);
		if (!r && suffix_len)
			r = ops->digest_update(scratch, suffix, suffix_len);
		if (!r)
			r = ops->digest_final(scratch, outs + i * size);
	}
	return r;
}

void dmb_wipe(void *p, size_t n)
{
	dmbi_wipe(p, n);
}

int dmb_memcmp_ct(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= x[i] ^ y[i];
	return diff != 0;
}

int dmb_hex_decode(const char *hex, uint8_t *out, size_t len)
{
	if (dmbi_strnlen(hex, 2 * len + 1) != 2 * len)
		return DMB_EINVAL;
	for (size_t i = 0; i < len; i++) {
		int hi = dmbi_hex_digit(hex[2 * i]), lo = dmbi_hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return DMB_EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void dmb_hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}
