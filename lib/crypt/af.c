// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The anti-forensic information splitter of LUKS1 and LUKS2 key slots
 * (formats.md §5.4): the key is the last stripe XORed with the diffusion of
 * all the stripes before it, diffusion hashing each digest-sized block with
 * its big-endian index in front (a short last block hashed short and the
 * digest cut to it).
 */
#include "crypt.h"

static int diffuse(const struct dmb_crypto *c, struct dmb_digest *d, size_t dsize, uint8_t *buf,
		   size_t len)
{
	uint8_t out[DMB_MAX_DIGEST_SIZE], idx[4];
	const struct dmb_crypto_ops *ops = c->ops;
	int r = 0;

	for (size_t off = 0, j = 0; off < len && !r; off += dsize, j++) {
		size_t n = len - off < dsize ? len - off : dsize;

		dmbi_put_be32(idx, (uint32_t)j);
		r = ops->digest_init(d);
		if (!r)
			r = ops->digest_update(d, idx, 4);
		if (!r)
			r = ops->digest_update(d, buf + off, n);
		if (!r)
			r = ops->digest_final(d, out);
		if (!r)
			memcpy(buf + off, out, n);
	}
	dmbi_wipe(out, sizeof(out));
	return r;
}

int dmbi_af_merge(struct dmb_ctx *ctx, const char *hash, const uint8_t *src, size_t key_len,
		  uint32_t stripes, uint8_t *key)
{
	const struct dmb_crypto *c = ctx ? ctx->crypto : NULL;
	struct dmb_digest *d = NULL;
	uint8_t *buf;
	size_t dsize;
	int r;

	if (!key_len || !stripes)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "AF merge: no key or no stripes");
	if (!c || !c->ops->digest_create)
		return dmb_ctx_set_error(ctx, DMB_ENOTSUP, "AF merge: no digests in the crypto provider");
	r = c->ops->digest_create(c, hash, &d, &dsize);
	if (r)
		return dmb_ctx_set_error(ctx, r, r == DMB_ENOTSUP ? "AF hash %s is not supported"
								  : "AF hash %s cannot be set up",
					 hash);
	buf = dmbi_calloc(1, key_len);
	if (!buf) {
		c->ops->digest_destroy(d);
		return dmb_ctx_set_error(ctx, DMB_ENOMEM, "AF merge: out of memory");
	}
	for (uint32_t i = 0; i + 1 < stripes && !r; i++) {
		const uint8_t *s = src + (size_t)i * key_len;

		for (size_t j = 0; j < key_len; j++)
			buf[j] ^= s[j];
		r = diffuse(c, d, dsize, buf, key_len);
	}
	if (!r) {
		const uint8_t *last = src + (size_t)(stripes - 1) * key_len;

		for (size_t j = 0; j < key_len; j++)
			key[j] = buf[j] ^ last[j];
	} else {
		r = dmb_ctx_set_error(ctx, r, "AF merge: hash %s failed", hash);
	}
	dmbi_wipe(buf, key_len);
	dmb_port_free(buf);
	c->ops->digest_destroy(d);
	return r;
}
