// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * dm-crypt's sector encryption (formats.md §1.7): keyed ciphers for one
 * specification and key, and the IV of every crypto sector.  The IV sector
 * is counted in 512-byte units from the start of the mapping plus iv_offset
 * (shifted to crypto sectors with iv_large_sectors); with a keycount of N
 * the key is cut into N equal parts and part (512-sector & (N - 1)) is
 * used, as Linux chooses them.  Every cipher call goes through the crypto
 * provider; IVs are built for a batch of sectors at a time so the provider
 * sees few calls per read.
 */
#include "crypt.h"

/* Crypto sectors handled per provider call. */
#define BATCH 64

struct dmbi_crypt_storage {
	const struct dmb_crypto *crypto;
	enum dmbi_crypt_iv iv;
	unsigned keycount;
	unsigned sector_size, sector_shift; /* shift: log2(sector_size / 512) */
	bool iv_large;
	size_t block;                        /* cipher block = IV size */
	struct dmb_cipher *tfm[DMBI_CRYPT_MAX_KEYCOUNT];
	struct dmb_cipher *essiv[DMBI_CRYPT_MAX_KEYCOUNT];
	unsigned benbi_shift;
};

void dmbi_crypt_storage_destroy(struct dmbi_crypt_storage *st)
{
	if (!st)
		return;
	for (unsigned i = 0; i < DMBI_CRYPT_MAX_KEYCOUNT; i++) {
		if (st->tfm[i])
			st->crypto->ops->cipher_destroy(st->tfm[i]);
		if (st->essiv[i])
			st->crypto->ops->cipher_destroy(st->essiv[i]);
	}
	dmbi_wipe(st, sizeof(*st));
	dmb_port_free(st);
}

static int cipher_error(struct dmb_ctx *ctx, int r, const struct dmbi_crypt_spec *sp,
			const char *mode, size_t key_len)
{
	if (r == DMB_ENOTSUP)
		return dmb_ctx_set_error(ctx, r, "crypt: cipher %s-%s is not supported by the crypto provider",
					 sp->cipher, mode);
	if (r == DMB_EINVAL)
		return dmb_ctx_set_error(ctx, r, "crypt: a %zu-byte key does not fit cipher %s-%s",
					 key_len, sp->cipher, mode);
	return dmb_ctx_set_error(ctx, r, "crypt: cannot set up cipher %s-%s", sp->cipher, mode);
}

/* The ESSIV cipher of one key part: ecb(cipher) keyed with hash(part). */
static int essiv_setup(struct dmb_ctx *ctx, struct dmbi_crypt_storage *st,
		       const struct dmbi_crypt_spec *sp, unsigned i, const uint8_t *part, size_t len)
{
	uint8_t salt[DMB_MAX_DIGEST_SIZE];
	size_t salt_len, block;
	int r;

	r = dmb_digest_oneshot(st->crypto, sp->ivopts, part, len, salt, &salt_len);
	if (r) {
		dmbi_wipe(salt, sizeof(salt));
		if (r == DMB_ENOTSUP)
			return dmb_ctx_set_error(ctx, r, "crypt: ESSIV hash %s is not supported by the crypto provider",
						 sp->ivopts);
		return dmb_ctx_set_error(ctx, r, "crypt: ESSIV hash %s failed", sp->ivopts);
	}
	r = st->crypto->ops->cipher_create(st->crypto, sp->cipher, "ecb", salt, salt_len,
					   &st->essiv[i], &block);
	dmbi_wipe(salt, sizeof(salt));
	if (r)
		return cipher_error(ctx, r, sp, "ecb (ESSIV)", salt_len);
	if (block != st->block)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "crypt: ESSIV cipher block size differs");
	return 0;
}

int dmbi_crypt_storage_create(struct dmb_ctx *ctx, const struct dmbi_crypt_spec *sp,
			      const uint8_t *key, size_t key_len, unsigned sector_size,
			      bool iv_large_sectors, struct dmbi_crypt_storage **out)
{
	const struct dmb_crypto *c = ctx ? ctx->crypto : NULL;
	struct dmbi_crypt_storage *st;
	size_t part;
	int r = 0;

	*out = NULL;
	if (!c || !c->ops->cipher_create || !c->ops->cipher_crypt || !c->ops->cipher_destroy)
		return dmb_ctx_set_error(ctx, DMB_ENOTSUP, "crypt: no cipher support in the crypto provider");
	if (sector_size < 512 || sector_size > 4096 || (sector_size & (sector_size - 1)))
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "crypt: invalid sector size %u", sector_size);
	if (!sp->keycount || sp->keycount > DMBI_CRYPT_MAX_KEYCOUNT || key_len % sp->keycount)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "crypt: Error decoding and setting key");
	part = key_len / sp->keycount;
	if (part > DMB_MAX_CIPHER_KEY)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "crypt: key of %zu bytes is too long", part);
	st = dmbi_calloc(1, sizeof(*st));
	if (!st)
		return dmb_ctx_set_error(ctx, DMB_ENOMEM, "crypt: cannot allocate the cipher state");
	st->crypto = c;
	st->iv = sp->iv;
	st->keycount = sp->keycount;
	st->sector_size = sector_size;
	while ((512u << st->sector_shift) < sector_size)
		st->sector_shift++;
	st->iv_large = iv_large_sectors;
	for (unsigned i = 0; i < sp->keycount && !r; i++) {
		size_t block;

		r = c->ops->cipher_create(c, sp->cipher, sp->chain, key + i * part, part,
					  &st->tfm[i], &block);
		if (r) {
			r = cipher_error(ctx, r, sp, sp->chain, part);
			break;
		}
		if (i == 0)
			st->block = block;
		if (block != st->block || block < 8 || block > DMB_MAX_CIPHER_BLOCK) {
			r = dmb_ctx_set_error(ctx, DMB_ENOTSUP, "crypt: cipher block size %zu not supported",
					      block);
			break;
		}
		if (sp->iv == DMBI_IV_ESSIV)
			r = essiv_setup(ctx, st, sp, i, key + i * part, part);
	}
	if (!r && sp->iv == DMBI_IV_BENBI) {
		unsigned log = 0;

		while ((1u << log) < st->block)
			log++;
		if ((1u << log) != st->block || log > 9)
			r = dmb_ctx_set_error(ctx, DMB_EINVAL, "crypt: cypher blocksize is not a power of 2 or too big for benbi");
		st->benbi_shift = 9 - log;
	}
	if (r) {
		dmbi_crypt_storage_destroy(st);
		return r;
	}
	*out = st;
	return 0;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	dmbi_put_be32(p, (uint32_t)(v >> 32));
	dmbi_put_be32(p + 4, (uint32_t)v);
}

/* IVs of n crypto sectors from 512-sector cc, into ivs.  The storage itself
 * is not written: reads on several threads may share it. */
static int make_ivs(const struct dmbi_crypt_storage *st, uint8_t *ivs, unsigned k, uint64_t cc,
		    size_t n)
{
	size_t b = st->block;

	memset(ivs, 0, n * b);
	for (size_t i = 0; i < n; i++) {
		uint64_t s = cc + ((uint64_t)i << st->sector_shift);
		uint8_t *iv = ivs + i * b;

		if (st->iv_large)
			s >>= st->sector_shift;
		switch (st->iv) {
		case DMBI_IV_PLAIN:
			dmbi_put_le32(iv, (uint32_t)s);
			break;
		case DMBI_IV_PLAIN64:
		case DMBI_IV_ESSIV:
			dmbi_put_le64(iv, s);
			break;
		case DMBI_IV_PLAIN64BE:
			put_be64(iv + b - 8, s);
			break;
		case DMBI_IV_BENBI:
			put_be64(iv + b - 8, (s << st->benbi_shift) + 1);
			break;
		default: /* null, none */
			break;
		}
	}
	if (st->iv == DMBI_IV_ESSIV)
		return st->crypto->ops->cipher_crypt(st->essiv[k], true, NULL, ivs, ivs, n * b);
	return 0;
}

int dmbi_crypt_storage_crypt(struct dmbi_crypt_storage *st, bool encrypt, uint64_t iv_sector512,
			     void *buf, size_t len)
{
	const struct dmb_crypto_ops *ops = st->crypto->ops;
	uint8_t ivs[BATCH * DMB_MAX_CIPHER_BLOCK];
	uint8_t *p = buf;
	size_t total, done = 0;

	if (!len || len % st->sector_size)
		return DMB_EINVAL;
	total = len / st->sector_size;
	while (done < total) {
		uint64_t cc = iv_sector512 + ((uint64_t)done << st->sector_shift);
		unsigned k = (unsigned)(cc & (st->keycount - 1));
		size_t n = total - done;
		int r;

		if (n > BATCH)
			n = BATCH;
		/* A keycount above 1 may change the key part from one sector to
		 * the next: one sector at a time then. */
		if (st->keycount > 1)
			n = 1;
		r = make_ivs(st, ivs, k, cc, n);
		if (!r && ops->cipher_crypt_units)
			r = ops->cipher_crypt_units(st->tfm[k], encrypt, ivs, p, p,
						    st->sector_size, n);
		else
			for (size_t i = 0; i < n && !r; i++)
				r = ops->cipher_crypt(st->tfm[k], encrypt, ivs + i * st->block,
						      p + i * st->sector_size,
						      p + i * st->sector_size, st->sector_size);
		if (r) {
			dmbi_wipe(ivs, sizeof(ivs));
			return r == DMB_EINVAL ? DMB_EINVAL : DMB_EIO;
		}
		p += n * st->sector_size;
		done += n;
	}
	/* ESSIV IVs are derived from the key: leave none behind. */
	dmbi_wipe(ivs, sizeof(ivs));
	return 0;
}
