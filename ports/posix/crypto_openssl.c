// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The host crypto provider's digests, over OpenSSL libcrypto 3 (the library
 * cryptsetup uses), except SHA-256 on a CPU with SHA instructions: there the
 * library's own (dmb_sha256_*) hashes dm-verity's equal-length blocks
 * several at a time through digest_many().  Kernel crypto API names map to
 * OpenSSL names; signature checks are in crypto_sig.c, ciphers and key
 * derivations in crypto_cipher.c.
 */
#include <stdlib.h>
#include <string.h>

#if defined(__linux__) && defined(__aarch64__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

#include <openssl/evp.h>

#include "crypto_internal.h"

struct dmb_digest {
	EVP_MD_CTX *ctx; /* NULL for the library's SHA-256 */
	EVP_MD *md;   /* fetched once: an implicit fetch would repeat at every init */
	EVP_MD_CTX *tmp; /* digest_many()'s state for an OpenSSL digest, made at first use */
	struct dmb_sha256 sha;
	struct dmb_sha256_backend backend;
};

unsigned dmb_posix_sha256_cpu(void)
{
#if defined(__linux__) && defined(__aarch64__) && defined(HWCAP_SHA2)
	return (getauxval(AT_HWCAP) & HWCAP_SHA2) ? DMB_SHA256_CPU_ARMV8 : 0;
#else
	return 0;
#endif
}

static int lib_sha256_create(const struct dmb_posix_crypto *pc, struct dmb_digest **out,
			     size_t *size)
{
	struct dmb_digest *d = calloc(1, sizeof(*d));

	if (!d)
		return DMB_ENOMEM;
	d->backend = pc->sha256;
	dmb_sha256_init(&d->sha, &d->backend);
	*size = DMB_SHA256_SIZE;
	*out = d;
	return 0;
}

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
	const struct dmb_posix_crypto *pc = c ? c->priv : NULL;
	const char *oname = dmb_posix_digest_name(name);
	struct dmb_digest *d;
	EVP_MD *md;
	int n;

	*out = NULL;
	if (pc && pc->sha256_lib && strcmp(name, "sha256") == 0)
		return lib_sha256_create(pc, out, size);
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
	if (!d->ctx) {
		dmb_sha256_init(&d->sha, &d->backend);
		return 0;
	}
	return EVP_DigestInit_ex(d->ctx, d->md, NULL) ? 0 : DMB_EIO;
}

static int ossl_digest_update(struct dmb_digest *d, const void *data, size_t len)
{
	if (!d->ctx) {
		dmb_sha256_update(&d->sha, data, len);
		return 0;
	}
	return EVP_DigestUpdate(d->ctx, data, len) ? 0 : DMB_EIO;
}

static int ossl_digest_final(struct dmb_digest *d, uint8_t *out)
{
	if (!d->ctx) {
		dmb_sha256_final(&d->sha, out);
		return 0;
	}
	return EVP_DigestFinal_ex(d->ctx, out, NULL) ? 0 : DMB_EIO;
}

static int ossl_digest_copy(struct dmb_digest *dst, const struct dmb_digest *src)
{
	if (!dst->ctx != !src->ctx)
		return DMB_EINVAL;
	if (!dst->ctx) {
		dst->sha = src->sha;
		return 0;
	}
	return EVP_MD_CTX_copy_ex(dst->ctx, src->ctx) ? 0 : DMB_EIO;
}

static int ossl_digest_many(struct dmb_digest *prefix, const void *const *msgs, size_t n,
			    size_t len, const void *suffix, size_t suffix_len, uint8_t *outs)
{
	size_t size;

	if (!prefix->ctx) {
		dmb_sha256_many(&prefix->sha, msgs, n, len, suffix, suffix_len, outs);
		return 0;
	}
	if (!prefix->tmp) {
		prefix->tmp = EVP_MD_CTX_new();
		if (!prefix->tmp)
			return DMB_ENOMEM;
	}
	size = (size_t)EVP_MD_get_size(prefix->md);
	for (size_t i = 0; i < n; i++)
		if (!EVP_MD_CTX_copy_ex(prefix->tmp, prefix->ctx) ||
		    !EVP_DigestUpdate(prefix->tmp, msgs[i], len) ||
		    (suffix_len && !EVP_DigestUpdate(prefix->tmp, suffix, suffix_len)) ||
		    !EVP_DigestFinal_ex(prefix->tmp, outs + i * size, NULL))
			return DMB_EIO;
	return 0;
}

static void ossl_digest_destroy(struct dmb_digest *d)
{
	if (!d)
		return;
	EVP_MD_CTX_free(d->ctx);
	EVP_MD_CTX_free(d->tmp);
	EVP_MD_free(d->md);
	/* The library's state may hold key material (ESSIV, the AF splitter). */
	dmb_wipe(d, sizeof(*d));
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
	.digest_many = ossl_digest_many,
};

void dmb_posix_crypto_init(struct dmb_posix_crypto *pc)
{
	memset(pc, 0, sizeof(*pc));
	pc->crypto.ops = &openssl_ops;
	pc->crypto.priv = pc;
	/* OpenSSL's own SHA-256 is faster than portable C: keep it there. */
	dmb_sha256_backend_best(&pc->sha256, dmb_posix_sha256_cpu());
	pc->sha256_lib = pc->sha256.kind != DMB_SHA256_PORTABLE;
}
