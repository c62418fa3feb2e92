// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The host crypto provider's ciphers and key derivations: block ciphers in a
 * chaining mode over OpenSSL libcrypto 3 (EVP), PBKDF2 over OpenSSL, Argon2
 * over libargon2 -- the libraries cryptsetup itself uses.  A cipher is
 * fetched and keyed once; each data unit only resets the IV.
 */
#include <stdlib.h>
#include <string.h>

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto_internal.h"

struct dmb_cipher {
	EVP_CIPHER_CTX *enc, *dec;
	EVP_CIPHER *evp;
	size_t block_size;
	bool no_iv;
};

/* OpenSSL's name for mode(cipher) with key_len bytes of key, or false. */
static bool openssl_name(const char *cipher, const char *mode, size_t key_len, char *out,
			 size_t cap)
{
	size_t bits;
	int n;

	if (strcmp(cipher, "aes") && strcmp(cipher, "sm4") && strcmp(cipher, "aria") &&
	    strcmp(cipher, "camellia"))
		return false;
	if (strcmp(mode, "xts") && strcmp(mode, "cbc") && strcmp(mode, "ecb") &&
	    strcmp(mode, "ctr") && strcmp(mode, "cfb") && strcmp(mode, "ofb"))
		return false;
	bits = key_len * 8;
	if (strcmp(mode, "xts") == 0)
		bits /= 2;
	if (strcmp(cipher, "sm4") == 0)
		n = snprintf(out, cap, "SM4-%s", mode);
	else
		n = snprintf(out, cap, "%s-%zu-%s", cipher, bits, mode);
	return n > 0 && (size_t)n < cap;
}

int dmb_posix_cipher_create(const struct dmb_crypto *c, const char *cipher, const char *mode,
			      const uint8_t *key, size_t key_len, struct dmb_cipher **out,
			      size_t *block_size)
{
	struct dmb_cipher *ci;
	char name[64];
	int r = DMB_ENOMEM;

	(void)c;
	*out = NULL;
	if (!openssl_name(cipher, mode, key_len, name, sizeof(name)))
		return DMB_ENOTSUP;
	ci = calloc(1, sizeof(*ci));
	if (!ci)
		return DMB_ENOMEM;
	ci->evp = EVP_CIPHER_fetch(NULL, name, NULL);
	if (!ci->evp) {
		/* Known cipher and mode, no such key size: the key is wrong. */
		r = DMB_EINVAL;
		goto fail;
	}
	if ((size_t)EVP_CIPHER_get_key_length(ci->evp) != key_len) {
		r = DMB_EINVAL;
		goto fail;
	}
	ci->enc = EVP_CIPHER_CTX_new();
	ci->dec = EVP_CIPHER_CTX_new();
	if (!ci->enc || !ci->dec)
		goto fail;
	/* XTS refuses equal key halves in OpenSSL 3 by default; dm-crypt and
	 * cryptsetup accept them (FIPS mode aside), so do we. */
	if (!EVP_CipherInit_ex2(ci->enc, ci->evp, key, NULL, 1, NULL) ||
	    !EVP_CipherInit_ex2(ci->dec, ci->evp, key, NULL, 0, NULL)) {
		r = DMB_EINVAL;
		goto fail;
	}
	EVP_CIPHER_CTX_set_padding(ci->enc, 0);
	EVP_CIPHER_CTX_set_padding(ci->dec, 0);
	ci->block_size = (size_t)EVP_CIPHER_get_block_size(ci->evp);
	if (ci->block_size == 1) /* stream modes (ctr, cfb, ofb) report 1 */
		ci->block_size = 16;
	ci->no_iv = EVP_CIPHER_get_iv_length(ci->evp) == 0;
	if (ci->block_size > DMB_MAX_CIPHER_BLOCK ||
	    (!ci->no_iv && (size_t)EVP_CIPHER_get_iv_length(ci->evp) != ci->block_size)) {
		r = DMB_ENOTSUP;
		goto fail;
	}
	*block_size = ci->block_size;
	*out = ci;
	return 0;
fail:
	dmb_posix_cipher_destroy(ci);
	return r;
}

int dmb_posix_cipher_crypt(struct dmb_cipher *ci, bool encrypt, const uint8_t *iv,
			     const void *in, void *out, size_t len)
{
	EVP_CIPHER_CTX *x = encrypt ? ci->enc : ci->dec;
	int n = 0, m = 0;

	if (!len || len % ci->block_size || len > INT32_MAX)
		return DMB_EINVAL;
	/* Reset only the IV: the key schedule stays. */
	if (!EVP_CipherInit_ex2(x, NULL, NULL, ci->no_iv ? NULL : iv, -1, NULL))
		return DMB_EIO;
	if (!EVP_CipherUpdate(x, out, &n, in, (int)len) ||
	    !EVP_CipherFinal_ex(x, (uint8_t *)out + n, &m) || (size_t)(n + m) != len)
		return DMB_EIO;
	return 0;
}

int dmb_posix_cipher_crypt_units(struct dmb_cipher *ci, bool encrypt, const uint8_t *ivs,
				   const void *in, void *out, size_t unit_len, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		int r = dmb_posix_cipher_crypt(ci, encrypt, ivs + i * ci->block_size,
					  (const uint8_t *)in + i * unit_len,
					  (uint8_t *)out + i * unit_len, unit_len);
		if (r)
			return r;
	}
	return 0;
}

void dmb_posix_cipher_destroy(struct dmb_cipher *ci)
{
	if (!ci)
		return;
	/* EVP_CIPHER_CTX_free() cleanses the key schedule. */
	EVP_CIPHER_CTX_free(ci->enc);
	EVP_CIPHER_CTX_free(ci->dec);
	EVP_CIPHER_free(ci->evp);
	OPENSSL_cleanse(ci, sizeof(*ci));
	free(ci);
}

int dmb_posix_pbkdf2(const struct dmb_crypto *c, const char *hash, const uint8_t *pass,
		       size_t pass_len, const uint8_t *salt, size_t salt_len, uint32_t iterations,
		       uint8_t *out, size_t out_len)
{
	const char *oname = dmb_posix_digest_name(hash);
	EVP_MD *md;
	int ok;

	(void)c;
	if (!iterations || iterations > INT32_MAX || pass_len > INT32_MAX ||
	    salt_len > INT32_MAX || out_len > INT32_MAX || !out_len)
		return DMB_EINVAL;
	md = EVP_MD_fetch(NULL, oname, NULL);
	if (!md || (EVP_MD_get_flags(md) & EVP_MD_FLAG_XOF)) {
		EVP_MD_free(md);
		return DMB_ENOTSUP;
	}
	/* An empty passphrase is a valid one; OpenSSL wants a non-NULL pointer. */
	ok = PKCS5_PBKDF2_HMAC(pass_len ? (const char *)pass : "", (int)pass_len,
			       salt_len ? salt : (const uint8_t *)"", (int)salt_len, (int)iterations,
			       md, (int)out_len, out);
	EVP_MD_free(md);
	return ok ? 0 : DMB_ENOMEM;
}

int dmb_posix_argon2(const struct dmb_crypto *c, enum dmb_argon2_type type, uint32_t t_cost,
		       uint32_t m_cost_kib, uint32_t lanes, const uint8_t *pass, size_t pass_len,
		       const uint8_t *salt, size_t salt_len, uint8_t *out, size_t out_len)
{
	argon2_type t;
	int r;

	(void)c;
	switch (type) {
	case DMB_ARGON2D:
		t = Argon2_d;
		break;
	case DMB_ARGON2I:
		t = Argon2_i;
		break;
	case DMB_ARGON2ID:
		t = Argon2_id;
		break;
	default:
		return DMB_ENOTSUP;
	}
	if (pass_len > UINT32_MAX || salt_len > UINT32_MAX || out_len > UINT32_MAX)
		return DMB_EINVAL;
	/* Threads as the lanes ask, as cryptsetup does; the result does not
	 * depend on them. */
	r = argon2_hash(t_cost, m_cost_kib, lanes, pass, pass_len, salt, salt_len, out, out_len,
			NULL, 0, t, ARGON2_VERSION_13);
	if (r == ARGON2_OK)
		return 0;
	if (r == ARGON2_MEMORY_ALLOCATION_ERROR)
		return DMB_ENOMEM;
	return DMB_EINVAL;
}
