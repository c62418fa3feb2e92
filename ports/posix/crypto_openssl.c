// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The host crypto provider's digests, over OpenSSL libcrypto 3 (the library
 * cryptsetup uses).  Kernel crypto API names map to OpenSSL names; signature
 * checks are in crypto_sig.c, ciphers and key derivations in crypto_cipher.c.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "crypto_internal.h"

struct dmb_digest {
	EVP_MD_CTX *ctx;
	EVP_MD *md;   /* fetched once: an implicit fetch would repeat at every init */
};

/* Linux crypto API names whose OpenSSL name differs. */
static const struct {
	const char *kernel, *openssl;
} name_map[] = {
	{ "rmd160", "RIPEMD160" },
	{ "blake2b-512", "BLAKE2B512" },
	{ "blake2s-256", "BLAKE2S256" },
	{ "sha3-256", "SHA3-256" },
	{ "sha3-512", "SHA3-512" },
};

const char *dmb_posix_digest_name(const char *kernel_name)
{
	for (size_t i = 0; i < sizeof(name_map) / sizeof(name_map[0]); i++)
		if (strcmp(kernel_name, name_map[i].kernel) == 0)
			return name_map[i].openssl;
	return kernel_name;
}

static int ossl_digest_create(const struct dmb_crypto *c, const char *name,
			      struct dmb_digest **out, size_t *size)
{
	const char *oname = dmb_posix_digest_name(name);
	struct dmb_digest *d;
	EVP_MD *md;
	int n;

	(void)c;
	*out = NULL;
	/* Only plain digests: no XOFs, nothing longer than the library handles. */
	md = EVP_MD_fetch(NULL, oname, NULL);
	if (!md || (EVP_MD_get_flags(md) & EVP_MD_FLAG_XOF)) {
		EVP_MD_free(md);
		return DMB_ENOTSUP;
	}
	n = EVP_MD_get_size(md);
	if (n <= 0 || n > DMB_MAX_DIGEST_SIZE) {
		EVP_MD_free(md);
		return DMB_ENOTSUP;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		EVP_MD_free(md);
		return DMB_ENOMEM;
	}
	d->md = md;
	d->ctx = EVP_MD_CTX_new();
	if (!d->ctx || !EVP_DigestInit_ex(d->ctx, md, NULL)) {
		EVP_MD_CTX_free(d->ctx);
		EVP_MD_free(md);
		free(d);
		return DMB_ENOMEM;
	}
	*size = (size_t)n;
	*out = d;
	return 0;
}

static int ossl_digest_init(struct dmb_digest *d)
{
	return EVP_DigestInit_ex(d->ctx, d->md, NULL) ? 0 : DMB_EIO;
}

static int ossl_digest_update(struct dmb_digest *d, const void *data, size_t len)
{
	return EVP_DigestUpdate(d->ctx, data, len) ? 0 : DMB_EIO;
}

static int ossl_digest_final(struct dmb_digest *d, uint8_t *out)
{
	return EVP_DigestFinal_ex(d->ctx, out, NULL) ? 0 : DMB_EIO;
}

static int ossl_digest_copy(struct dmb_digest *dst, const struct dmb_digest *src)
{
	return EVP_MD_CTX_copy_ex(dst->ctx, src->ctx) ? 0 : DMB_EIO;
}

static void ossl_digest_destroy(struct dmb_digest *d)
{
	if (!d)
		return;
	EVP_MD_CTX_free(d->ctx);
	EVP_MD_free(d->md);
	free(d);
}

static const struct dmb_crypto_ops openssl_ops = {
	.digest_create = ossl_digest_create,
	.digest_init = ossl_digest_init,
	.digest_update = ossl_digest_update,
	.digest_final = ossl_digest_final,
	.digest_copy = ossl_digest_copy,
	.digest_destroy = ossl_digest_destroy,
	.pkcs7_verify = dmb_posix_pkcs7_verify,
	.cipher_create = dmb_posix_cipher_create,
	.cipher_crypt = dmb_posix_cipher_crypt,
	.cipher_crypt_units = dmb_posix_cipher_crypt_units,
	.cipher_destroy = dmb_posix_cipher_destroy,
	.pbkdf2 = dmb_posix_pbkdf2,
	.argon2 = dmb_posix_argon2,
};

void dmb_posix_crypto_init(struct dmb_posix_crypto *pc)
{
	memset(pc, 0, sizeof(*pc));
	pc->crypto.ops = &openssl_ops;
	pc->crypto.priv = pc;
}
