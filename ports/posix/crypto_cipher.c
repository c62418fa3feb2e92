// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The host crypto provider's ciphers and key derivations: block ciphers in a
 * chaining mode over OpenSSL libcrypto 3 (EVP), PBKDF2 over OpenSSL, Argon2
 * over libargon2 -- the libraries cryptsetup itself uses.  A cipher is
 * fetched and keyed once; each data unit only resets the IV.
 *
 * AES-XTS over short data units (dm-crypt's 512-byte sectors) is costlier
 * that way: OpenSSL 3's IV reset takes about as long as the unit's AES.
 * Such units are done as IEEE 1619 defines XTS (with SSE2 where it is
 * there, in plain C elsewhere), over
 * OpenSSL's AES-ECB: one ECB call encrypts the tweaks of many units, each
 * block is whitened with its tweak (doubled in GF(2^128) from block to
 * block), one ECB call en/decrypts all of them, and the tweaks are applied
 * again.  Longer units keep OpenSSL's XTS, which is faster there, except
 * for a key with equal halves, which OpenSSL's XTS refuses.
 */
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "crypto_internal.h"

/* Data units up to this long go through xts_units(); bytes per ECB call. */
#define XTS_SHORT_UNIT 1024
#define XTS_PIECE 8192

struct dmb_cipher {
	EVP_CIPHER_CTX *enc, *dec;
	EVP_CIPHER *evp;
	size_t block_size;
	bool no_iv;
	/* AES-XTS as ECB: data key encrypt and decrypt, tweak key encrypt. */
	EVP_CIPHER_CTX *ecb_enc, *ecb_dec, *ecb_tweak;
	bool ecb_only; /* every unit through them (enc and dec are not keyed) */
};

/* An AES-XTS key whose halves are equal, which only the ECB form takes. */
static bool xts_equal_halves(const char *cipher, const char *mode, const uint8_t *key,
			     size_t key_len)
{
	return strcmp(cipher, "aes") == 0 && strcmp(mode, "xts") == 0 &&
	       CRYPTO_memcmp(key, key + key_len / 2, key_len / 2) == 0;
}

/* Key the three ECB contexts of AES-XTS (key: both halves); false on failure. */
static bool xts_ecb_setup(struct dmb_cipher *ci, const uint8_t *key, size_t key_len)
{
	EVP_CIPHER *ecb = EVP_CIPHER_fetch(NULL, key_len == 64 ? "aes-256-ecb" : "aes-128-ecb",
					   NULL);
	bool ok;

	ci->ecb_enc = EVP_CIPHER_CTX_new();
	ci->ecb_dec = EVP_CIPHER_CTX_new();
	ci->ecb_tweak = EVP_CIPHER_CTX_new();
	ok = ecb && ci->ecb_enc && ci->ecb_dec && ci->ecb_tweak &&
	     EVP_CipherInit_ex2(ci->ecb_enc, ecb, key, NULL, 1, NULL) &&
	     EVP_CipherInit_ex2(ci->ecb_dec, ecb, key, NULL, 0, NULL) &&
	     EVP_CipherInit_ex2(ci->ecb_tweak, ecb, key + key_len / 2, NULL, 1, NULL);
	EVP_CIPHER_free(ecb);
	if (ok) {
		EVP_CIPHER_CTX_set_padding(ci->ecb_enc, 0);
		EVP_CIPHER_CTX_set_padding(ci->ecb_dec, 0);
		EVP_CIPHER_CTX_set_padding(ci->ecb_tweak, 0);
	}
	return ok;
}

static bool ecb(EVP_CIPHER_CTX *x, const void *in, void *out, size_t len)
{
	int n = 0;

	return EVP_CipherUpdate(x, out, &n, in, (int)len) && (size_t)n == len;
}

#if defined(__SSE2__)
typedef __m128i xts_blk;

static inline xts_blk blk_load(const uint8_t *p)
{
	return _mm_loadu_si128((const __m128i *)(const void *)p);
}

static inline void blk_store(uint8_t *p, xts_blk v)
{
	_mm_storeu_si128((__m128i *)(void *)p, v);
}

static inline xts_blk blk_xor(xts_blk a, xts_blk b)
{
	return _mm_xor_si128(a, b);
}

/* The tweak of the next block: t times x in GF(2^128), little-endian as
 * IEEE 1619 numbers it. */
static inline xts_blk xts_double(xts_blk t)
{
	/* Each 64-bit half shifts left; the top bit of the low half carries into
	 * the high half, the top bit of the high half folds back as 0x87. */
	__m128i top = _mm_srai_epi32(_mm_shuffle_epi32(t, 0x13), 31);

	return _mm_xor_si128(_mm_add_epi64(t, t), _mm_and_si128(top, _mm_set_epi32(0, 1, 0, 0x87)));
}
#else
/* The same in plain C: the block as two little-endian 64-bit halves, so
 * that the arithmetic is the same on either byte order. */
typedef struct {
	uint64_t lo, hi;
} xts_blk;

static inline uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static inline xts_blk blk_load(const uint8_t *p)
{
	xts_blk v = { le64(p), le64(p + 8) };

	return v;
}

static inline void blk_store(uint8_t *p, xts_blk v)
{
	for (int i = 0; i < 8; i++) {
		p[i] = (uint8_t)(v.lo >> (8 * i));
		p[8 + i] = (uint8_t)(v.hi >> (8 * i));
	}
}

static inline xts_blk blk_xor(xts_blk a, xts_blk b)
{
	xts_blk v = { a.lo ^ b.lo, a.hi ^ b.hi };

	return v;
}

static inline xts_blk xts_double(xts_blk t)
{
	xts_blk v = { t.lo << 1 ^ (0x87 & (0 - (t.hi >> 63))), t.hi << 1 | t.lo >> 63 };

	return v;
}
#endif

/*
 * count units of unit_len bytes (a multiple of 16, at most XTS_PIECE), IVs
 * at ivs, through the ECB contexts, a piece of whole units at a time.
 */
static int xts_units(struct dmb_cipher *ci, bool encrypt, const uint8_t *ivs, const uint8_t *in,
		     uint8_t *out, size_t unit_len, size_t count)
{
	xts_blk tw[XTS_PIECE / 16];
	uint8_t t0[XTS_PIECE / 16 * 16];
	size_t per = XTS_PIECE / unit_len, blocks = unit_len / 16, most = 0;
	int r = 0;

	while (count && !r) {
		size_t n = count < per ? count : per, len = n * unit_len;
		xts_blk *tp = tw;

		most = n > most ? n : most;
		if (!ecb(ci->ecb_tweak, ivs, t0, n * 16)) {
			r = DMB_EIO;
			break;
		}
		for (size_t u = 0; u < n; u++) {
			xts_blk t = blk_load(t0 + 16 * u);
			const uint8_t *ip = in + u * unit_len;
			uint8_t *op = out + u * unit_len;

			for (size_t b = 0; b < blocks; b++, tp++) {
				xts_blk v = blk_load(ip + 16 * b);

				*tp = t;
				blk_store(op + 16 * b, blk_xor(v, t));
				t = xts_double(t);
			}
		}
		if (!ecb(encrypt ? ci->ecb_enc : ci->ecb_dec, out, out, len)) {
			r = DMB_EIO;
			break;
		}
		for (size_t b = 0; b < len / 16; b++)
			blk_store(out + 16 * b, blk_xor(blk_load(out + 16 * b), tw[b]));
		ivs += n * 16;
		in += len;
		out += len;
		count -= n;
	}
	/* The tweaks come from the key: wipe what was used. */
	OPENSSL_cleanse(tw, most * unit_len);
	OPENSSL_cleanse(t0, most * 16);
	return r;
}

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
	if (!EVP_CipherInit_ex2(ci->enc, ci->evp, key, NULL, 1, NULL) ||
	    !EVP_CipherInit_ex2(ci->dec, ci->evp, key, NULL, 0, NULL)) {
		/* OpenSSL 3's XTS refuses equal key halves to encrypt; Linux's
		 * accepts them outside FIPS mode, so dm-crypt does: such a key
		 * goes through the ECB form for every unit length, where there
		 * is one. */
		ERR_clear_error();
		if (!xts_equal_halves(cipher, mode, key, key_len)) {
			r = DMB_EINVAL;
			goto fail;
		}
		ci->ecb_only = true;
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
	if (strcmp(cipher, "aes") == 0 && strcmp(mode, "xts") == 0 && !xts_ecb_setup(ci, key, key_len))
		goto fail;
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
	if (ci->ecb_enc && (len <= XTS_SHORT_UNIT || ci->ecb_only))
		return len <= XTS_PIECE ? xts_units(ci, encrypt, iv, in, out, len, 1) : DMB_EINVAL;
	/* Reset only the IV: the key schedule stays. */
	if (!EVP_CipherInit_ex2(x, NULL, NULL, ci->no_iv ? NULL : iv, -1, NULL))
		return DMB_EIO;
	if (!EVP_CipherUpdate(x, out, &n, in, (int)len))
		return DMB_EIO;
	/* Without padding a whole-block update leaves nothing for the final step. */
	if ((size_t)n != len &&
	    (!EVP_CipherFinal_ex(x, (uint8_t *)out + n, &m) || (size_t)(n + m) != len))
		return DMB_EIO;
	return 0;
}

int dmb_posix_cipher_crypt_units(struct dmb_cipher *ci, bool encrypt, const uint8_t *ivs,
				   const void *in, void *out, size_t unit_len, size_t count)
{
	if (ci->ecb_enc && (unit_len <= XTS_SHORT_UNIT || ci->ecb_only)) {
		if (!unit_len || unit_len % 16 || unit_len > XTS_PIECE)
			return DMB_EINVAL;
		return xts_units(ci, encrypt, ivs, in, out, unit_len, count);
	}
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
	EVP_CIPHER_CTX_free(ci->ecb_enc);
	EVP_CIPHER_CTX_free(ci->ecb_dec);
	EVP_CIPHER_CTX_free(ci->ecb_tweak);
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
