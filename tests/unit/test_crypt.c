// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Unit tests of dm-crypt support (formats.md §1.7, §3.4, §3.5): the host
 * provider's XTS and PBKDF2 against published vectors, the IV generators
 * against cryptsetup's cipher_iv_test_vectors sums, cipher specification
 * parsing (accepted forms and refusals with their messages), and the crypt
 * target over RAM devices: table round trips, key masking, keyring keys,
 * sector sizes, iv_offset/offset, ciphertext compared with OpenSSL EVP run
 * directly here, split reads, reads across the batch boundaries, keycount 2,
 * and allocation failures; the provider's batched XTS against EVP's, and
 * XTS keys with equal halves.
 *
 * Built with DMBOOT_TEST_NO_OPENSSL (`make unit-qemu` on s390x, against the
 * portable provider), the tests that need AES, PBKDF2 or EVP skip and the
 * IV generators, the AF vectors and the specification parser still run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#ifndef DMBOOT_TEST_NO_OPENSSL
#include <openssl/evp.h>
#else
#include "../../ports/freestanding/freestanding.h"
#endif

#include <dmboot/dmboot.h>
#include "../../ports/posix/dmboot_posix.h"
#include "crypt/crypt.h"
#include "helpers.h"
#include "data/af_vectors.h"

static void unhex(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

static void tohex(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

static void sha256_hex(const void *p, size_t n, char out[65])
{
	uint8_t md[32];
#ifndef DMBOOT_TEST_NO_OPENSSL
	unsigned len = 0;

	assert_int_equal(EVP_Digest(p, n, md, &len, EVP_sha256(), NULL), 1);
#else
	size_t len = 0;

	assert_int_equal(dmb_digest_oneshot(&dmb_freestanding_crypto, "sha256", p, n, md, &len), 0);
#endif
	tohex(md, 32, out);
}

/* Skip the test when the provider lacks an operation it needs (a build
 * against the portable provider has no cipher and no PBKDF2). */
#define NEED_OP(pc, op)                      \
	do {                                 \
		if (!(pc).crypto.ops->op)    \
			skip();              \
	} while (0)

/* IEEE P1619/D16 XTS-AES vectors 2 and 3 (formats.md §3.5): data unit
 * 0x3333333333, 32 bytes of 0x44. */
static void test_xts_kat(void **state)
{
	static const struct {
		const char *key, *ct;
	} v[] = {
		{ "1111111111111111111111111111111122222222222222222222222222222222",
		  "c454185e6a16936e39334038acef838bfb186fff7480adc4289382ecd6d394f0" },
		{ "fffefdfcfbfaf9f8f7f6f5f4f3f2f1f022222222222222222222222222222222",
		  "af85336b597afc1a900b2eb21ec949d292df4c047e0b21532186a5971a227a89" },
	};
	struct dmb_posix_crypto pc;
	(void)state;
	dmb_posix_crypto_init(&pc);
	NEED_OP(pc, cipher_create);
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		uint8_t key[32], iv[16] = { 0x33, 0x33, 0x33, 0x33, 0x33 }, buf[32], back[32];
		struct dmb_cipher *ci;
		size_t block;
		char hex[65];

		unhex(v[i].key, key, 32);
		memset(buf, 0x44, 32);
		assert_int_equal(pc.crypto.ops->cipher_create(&pc.crypto, "aes", "xts", key, 32, &ci,
							      &block), 0);
		assert_int_equal(block, 16);
		assert_int_equal(pc.crypto.ops->cipher_crypt(ci, true, iv, buf, buf, 32), 0);
		tohex(buf, 32, hex);
		assert_string_equal(hex, v[i].ct);
		assert_int_equal(pc.crypto.ops->cipher_crypt(ci, false, iv, buf, back, 32), 0);
		for (size_t j = 0; j < 32; j++)
			assert_int_equal(back[j], 0x44);
		pc.crypto.ops->cipher_destroy(ci);
	}
	dmb_posix_crypto_fini(&pc);
}

/* OpenSSL's EVP XTS run directly on one data unit with a 16-byte IV. */
static void evp_xts_iv(const uint8_t *key, size_t key_len, bool enc, const uint8_t *iv,
		       const uint8_t *in, uint8_t *out, size_t len)
{
#ifdef DMBOOT_TEST_NO_OPENSSL
	(void)key, (void)key_len, (void)enc, (void)iv, (void)in, (void)out, (void)len;
	skip();
#else
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0;

	assert_non_null(c);
	assert_int_equal(EVP_CipherInit_ex(c, key_len == 64 ? EVP_aes_256_xts() : EVP_aes_128_xts(),
					   NULL, key, iv, enc), 1);
	assert_int_equal(EVP_CipherUpdate(c, out, &n, in, (int)len), 1);
	assert_int_equal(n, (int)len);
	EVP_CIPHER_CTX_free(c);
#endif
}

/*
 * The provider's batch form and its one-unit form against EVP XTS run
 * directly: both key sizes, both directions, in place and not, for unit
 * lengths on both sides of the provider's short-unit path and counts around
 * its piece of units (8192 bytes) and the storage's batch (64 units).
 */
static void test_xts_units(void **state)
{
	static const size_t units[] = { 16, 32, 496, 512, 1024, 2048, 4096 };
	static const size_t counts[] = { 1, 2, 7, 8, 9, 15, 16, 17, 64, 65 };
	struct dmb_posix_crypto pc;
	struct rng rng;
	(void)state;
	dmb_posix_crypto_init(&pc);
	NEED_OP(pc, cipher_create);
	rng_seed(&rng, 1619);
	for (size_t kl = 32; kl <= 64; kl += 32) {
		uint8_t key[64];
		struct dmb_cipher *ci;
		size_t block;

		rng_fill(&rng, key, sizeof(key));
		assert_int_equal(pc.crypto.ops->cipher_create(&pc.crypto, "aes", "xts", key, kl, &ci,
							      &block), 0);
		for (size_t u = 0; u < ARRAY_SIZE(units); u++) {
			for (size_t c = 0; c < ARRAY_SIZE(counts); c++) {
				size_t ul = units[u], n = counts[c], bytes = ul * n;
				uint8_t *pt = malloc(bytes), *ct = malloc(bytes), *want = malloc(bytes);
				uint8_t *ivs = malloc(16 * n);

				assert_true(pt && ct && want && ivs);
				rng_fill(&rng, pt, bytes);
				rng_fill(&rng, ivs, 16 * n);
				for (size_t i = 0; i < n; i++)
					evp_xts_iv(key, kl, true, ivs + 16 * i, pt + i * ul, want + i * ul, ul);
				assert_int_equal(pc.crypto.ops->cipher_crypt_units(ci, true, ivs, pt, ct, ul,
										   n), 0);
				assert_memory_equal(ct, want, bytes);
				/* In place, back to the plaintext. */
				assert_int_equal(pc.crypto.ops->cipher_crypt_units(ci, false, ivs, ct, ct, ul,
										   n), 0);
				assert_memory_equal(ct, pt, bytes);
				/* One unit at a time. */
				for (size_t i = 0; i < n; i++) {
					assert_int_equal(pc.crypto.ops->cipher_crypt(ci, true, ivs + 16 * i,
										     pt + i * ul, ct + i * ul, ul), 0);
					assert_int_equal(pc.crypto.ops->cipher_crypt(ci, false, ivs + 16 * i,
										     ct + i * ul, want + i * ul,
										     ul), 0);
				}
				assert_memory_equal(want, pt, bytes);
				free(pt);
				free(ct);
				free(want);
				free(ivs);
			}
		}
		assert_int_equal(pc.crypto.ops->cipher_crypt_units(ci, true, key, key, key, 8, 1),
				 DMB_EINVAL);
		pc.crypto.ops->cipher_destroy(ci);
	}
	dmb_posix_crypto_fini(&pc);
}

/*
 * A key with equal halves, which Linux's XTS takes outside FIPS mode and
 * OpenSSL 3's XTS takes only to decrypt: the provider encrypts with it at
 * every sector size, and EVP decrypts that back.
 */
static void test_xts_equal_halves(void **state)
{
	static const size_t units[] = { 512, 4096 };
	struct dmb_posix_crypto pc;
	struct rng rng;
	(void)state;
	dmb_posix_crypto_init(&pc);
	NEED_OP(pc, cipher_create);
	rng_seed(&rng, 2);
	for (size_t kl = 32; kl <= 64; kl += 32) {
		uint8_t key[64], ivs[16 * 3], pt[3 * 4096], ct[3 * 4096], back[3 * 4096];
		struct dmb_cipher *ci;
		size_t block;

		rng_fill(&rng, key, kl / 2);
		memcpy(key + kl / 2, key, kl / 2);
		assert_int_equal(pc.crypto.ops->cipher_create(&pc.crypto, "aes", "xts", key, kl, &ci,
							      &block), 0);
		for (size_t u = 0; u < ARRAY_SIZE(units); u++) {
			size_t ul = units[u];

			rng_fill(&rng, pt, 3 * ul);
			rng_fill(&rng, ivs, sizeof(ivs));
			assert_int_equal(pc.crypto.ops->cipher_crypt_units(ci, true, ivs, pt, ct, ul, 3), 0);
			assert_memory_not_equal(ct, pt, 3 * ul);
			for (size_t i = 0; i < 3; i++)
				evp_xts_iv(key, kl, false, ivs + 16 * i, ct + i * ul, back + i * ul, ul);
			assert_memory_equal(back, pt, 3 * ul);
			assert_int_equal(pc.crypto.ops->cipher_crypt(ci, false, ivs, ct, back, ul), 0);
			assert_memory_equal(back, pt, ul);
		}
		pc.crypto.ops->cipher_destroy(ci);
	}
	dmb_posix_crypto_fini(&pc);
}

/*
 * PBKDF2: SHA-1 rows from RFC 6070; the SHA-256 and SHA-512 rows computed with
 *   python3 -c "import hashlib; print(hashlib.pbkdf2_hmac('sha256', b'password', b'salt', 4096, 32).hex())"
 *   python3 -c "import hashlib; print(hashlib.pbkdf2_hmac('sha512', b'password', b'salt', 4096, 64).hex())"
 */
static void test_pbkdf2_kat(void **state)
{
	static const struct {
		const char *hash, *pass, *salt;
		uint32_t iter;
		size_t len;
		const char *dk;
	} v[] = {
		{ "sha1", "password", "salt", 1, 20, "0c60c80f961f0e71f3a9b524af6012062fe037a6" },
		{ "sha1", "password", "salt", 2, 20, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957" },
		{ "sha1", "password", "salt", 4096, 20, "4b007901b765489abead49d926f721d065a429c1" },
		{ "sha1", "passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 25,
		  "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038" },
		{ "sha256", "password", "salt", 4096, 32,
		  "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a" },
		{ "sha512", "password", "salt", 4096, 64,
		  "d197b1b33db0143e018b12f3d1d1479e6cdebdcc97c5c0f87f6902e072f457b5"
		  "143f30602641b3d55cd335988cb36b84376060ecd532e039b742a239434af2d5" },
	};
	struct dmb_posix_crypto pc;
	(void)state;
	dmb_posix_crypto_init(&pc);
	NEED_OP(pc, pbkdf2);
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		uint8_t out[64];
		char hex[129];

		assert_int_equal(pc.crypto.ops->pbkdf2(&pc.crypto, v[i].hash,
						       (const uint8_t *)v[i].pass, strlen(v[i].pass),
						       (const uint8_t *)v[i].salt, strlen(v[i].salt),
						       v[i].iter, out, v[i].len), 0);
		tohex(out, v[i].len, hex);
		assert_string_equal(hex, v[i].dk);
	}
	dmb_posix_crypto_fini(&pc);
}

/* cryptsetup tests/crypto-vectors.c cipher_iv_test_vectors, as formats.md
 * §3.4 lists them: AES-128-CBC, key 2b7e...4f3c, 8192 zero bytes. */
static void test_iv_vectors(void **state)
{
	static const struct {
		const char *spec;
		uint64_t iv_offset;
		unsigned ss;
		bool large;
		const char *sum;
	} v[] = {
		{ "aes-cbc-plain64", 0xfffffff8ull, 512, false,
		  "b3657e6cbae039cd1e1daf65aeb7da2025176a387579684c9a75c7fb2ba217d2" },
		{ "aes-cbc-plain64", 0xfffffff8ull, 4096, false,
		  "b2f10e66d4584e93e798ae9c3ea7adf2931aaa3cc49012050058258f1f5dc667" },
		{ "aes-cbc-plain64", 0xfffffff8ull, 4096, true,
		  "44aaf1230c34322afae3f7957a7ca88b3478bd125cae4a65238a6f3a9605faae" },
		{ "aes-cbc-plain", 0xfffffff8ull, 512, false,
		  "43fd6e2580b213f5ca717918e41291e06e372432fd404b42cbc1721ac75a19c8" },
		{ "aes-cbc-essiv:sha256", 0, 512, false,
		  "a53e74c41a5cf36b6349d5d9bb7a895ad53e766f4c2d0bd38b5e0e91a38c2ade" },
		{ "aes-cbc-essiv:sha256", 0, 4096, true,
		  "a6dc7dc8c49b788172e9dd356c07eb7bd6569ee4dff5dd2e2c198f6358dba7d0" },
		/* tests/unit/data/iv_vectors.py (python cryptography, Linux's IV rules) */
		{ "aes-cbc-null", 0xfffffff8ull, 512, false,
		  "fd05d04d51b9d487a4579a620739c94a00903eafe8b2ac12caeb58f948f6ef08" },
		{ "aes-cbc-benbi", 0xfffffff8ull, 512, false,
		  "f67cfa3bfae73a56601582fb0ee21cb891777052b3fbaeff53c8d6c00f1a8401" },
		{ "aes-cbc-benbi", 0xfffffff8ull, 4096, true,
		  "defd646729d350375cdafd5b2b9c7501c0361d2aa9a16e2044dc0aeaea6558c7" },
		{ "aes-cbc-plain64be", 0xfffffff8ull, 512, false,
		  "28bf09e168cc051b20af8d0136218a8d7a9498a899e9f466d8b799ca04588390" },
		{ "aes-cbc-plain64be", 0xfffffff8ull, 4096, false,
		  "a8175d84c816067fa268dd1e7d6334937b452df4100b90fa148b7386bc094ae3" },
	};
	struct dmb_posix_crypto pc;
	struct dmb_ctx ctx = { 0 };
	uint8_t key[16];
	uint8_t *buf = malloc(8192);
	(void)state;
	assert_non_null(buf);
	unhex("2b7e151628aed2a6abf7158809cf4f3c", key, 16);
	dmb_posix_crypto_init(&pc);
	if (!pc.crypto.ops->cipher_create) {
		free(buf);
		skip();
	}
	ctx.crypto = &pc.crypto;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct dmbi_crypt_spec sp;
		struct dmbi_crypt_storage *st;
		const char *why;
		char sum[65];

		assert_int_equal(dmbi_crypt_spec_parse(v[i].spec, &sp, &why), 0);
		assert_int_equal(dmbi_crypt_storage_create(&ctx, &sp, key, 16, v[i].ss, v[i].large,
							   &st), 0);
		memset(buf, 0, 8192);
		assert_int_equal(dmbi_crypt_storage_crypt(st, true, v[i].iv_offset, buf, 8192), 0);
		sha256_hex(buf, 8192, sum);
		assert_string_equal(sum, v[i].sum);
		assert_int_equal(dmbi_crypt_storage_crypt(st, false, v[i].iv_offset, buf, 8192), 0);
		for (size_t j = 0; j < 8192; j++)
			assert_int_equal(buf[j], 0);
		dmbi_crypt_storage_destroy(st);
	}
	dmb_posix_crypto_fini(&pc);
	free(buf);
}

/* The AF merge against tests/unit/data/af_vectors.h, computed by
 * tests/unit/data/af_vectors.py with hashlib from the LUKS1 specification:
 * sha1/sha256/sha512, 32- and 64-byte keys, 4 and 4000 stripes. */
static void test_af_vectors(void **state)
{
	struct dmb_posix_crypto pc;
	struct dmb_ctx ctx = { 0 };
	uint8_t *src = malloc(64 * 4000);
	(void)state;
	assert_non_null(src);
	dmb_posix_crypto_init(&pc);
	ctx.crypto = &pc.crypto;
	for (size_t i = 0; i < ARRAY_SIZE(af_vectors); i++) {
		const struct af_vector *v = &af_vectors[i];
		size_t n = (size_t)v->key_len * v->stripes;
		uint8_t key[64];
		char hex[129];
		struct dmb_digest *d;
		size_t dn;

		/* The portable provider has sha256 only. */
		if (pc.crypto.ops->digest_create(&pc.crypto, v->hash, &d, &dn))
			continue;
		pc.crypto.ops->digest_destroy(d);
		for (size_t j = 0; j < n; j++)
			src[j] = (uint8_t)((uint64_t)j * 2654435761u >> 13);
		assert_int_equal(dmbi_af_merge(&ctx, v->hash, src, v->key_len, v->stripes, key), 0);
		tohex(key, v->key_len, hex);
		assert_string_equal(hex, v->key);
	}
	dmb_posix_crypto_fini(&pc);
	free(src);
}

static void test_spec_accepts(void **state)
{
	static const struct {
		const char *spec, *cipher, *chain;
		enum dmbi_crypt_iv iv;
		const char *ivopts;
		unsigned keycount;
		bool capi;
	} v[] = {
		{ "aes-xts-plain64", "aes", "xts", DMBI_IV_PLAIN64, "", 1, false },
		{ "aes-cbc-essiv:sha256", "aes", "cbc", DMBI_IV_ESSIV, "sha256", 1, false },
		{ "aes", "aes", "cbc", DMBI_IV_PLAIN, "", 1, false },
		{ "aes-plain", "aes", "cbc", DMBI_IV_PLAIN, "", 1, false },
		{ "aes-ecb", "aes", "ecb", DMBI_IV_NONE, "", 1, false },
		{ "aes-ecb-plain64", "aes", "ecb", DMBI_IV_NONE, "", 1, false },
		{ "aes:2-xts-plain64", "aes", "xts", DMBI_IV_PLAIN64, "", 2, false },
		{ "aes:64-cbc-benbi", "aes", "cbc", DMBI_IV_BENBI, "", 64, false },
		{ "aes-cbc-null", "aes", "cbc", DMBI_IV_NULL, "", 1, false },
		{ "aes-xts-plain64be", "aes", "xts", DMBI_IV_PLAIN64BE, "", 1, false },
		{ "aes-xts-plain64:junk", "aes", "xts", DMBI_IV_PLAIN64, "", 1, false },
		{ "capi:xts(aes)-plain64", "aes", "xts", DMBI_IV_PLAIN64, "", 1, true },
		{ "capi:cbc(aes)-essiv:sha256", "aes", "cbc", DMBI_IV_ESSIV, "sha256", 1, true },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct dmbi_crypt_spec sp;
		const char *why = "x";

		assert_int_equal(dmbi_crypt_spec_parse(v[i].spec, &sp, &why), 0);
		assert_null(why);
		assert_string_equal(sp.cipher, v[i].cipher);
		assert_string_equal(sp.chain, v[i].chain);
		assert_int_equal(sp.iv, v[i].iv);
		assert_string_equal(sp.ivopts, v[i].ivopts);
		assert_int_equal(sp.keycount, v[i].keycount);
		assert_int_equal(sp.capi, v[i].capi);
	}
}

static void test_spec_refuses(void **state)
{
	static const struct {
		const char *spec;
		int err;
		const char *why;
	} v[] = {
		{ "aes-xts", DMB_EINVAL, "IV mechanism required" },
		{ "aes-cbc-essiv", DMB_EINVAL, "Digest algorithm missing for ESSIV mode" },
		{ "aes-xts-bogus", DMB_EINVAL, "Invalid IV mode" },
		{ "aes:3-xts-plain64", DMB_EINVAL, "Bad cipher key count specification" },
		{ "aes:0-xts-plain64", DMB_EINVAL, "Bad cipher key count specification" },
		{ "aes:x-xts-plain64", DMB_EINVAL, "Bad cipher key count specification" },
		{ "aes:128-xts-plain64", DMB_EINVAL, "Bad cipher key count specification" },
		{ "xts(aes)-plain64", DMB_EINVAL, "Bad cipher specification" },
		{ "-xts-plain64", DMB_EINVAL, "Bad cipher specification" },
		{ "aes--plain64", DMB_EINVAL, "Bad cipher specification" },
		{ "aes-xts-lmk", DMB_ENOTSUP, "IV mode not supported (lmk, tcw, random, elephant, eboiv)" },
		{ "aes-xts-tcw", DMB_ENOTSUP, "IV mode not supported (lmk, tcw, random, elephant, eboiv)" },
		{ "aes-cbc-eboiv", DMB_ENOTSUP, "IV mode not supported (lmk, tcw, random, elephant, eboiv)" },
		{ "capi:gcm(aes)-random", DMB_ENOTSUP, "AEAD ciphers (integrity) are not supported" },
		{ "capi:authenc(hmac(sha256),xts(aes))-random", DMB_ENOTSUP,
		  "AEAD ciphers (integrity) are not supported" },
		{ "capi:essiv(cbc(aes),sha256)-plain64", DMB_ENOTSUP,
		  "Cipher API specification not supported (only chainmode(cipher))" },
		{ "capi:xts(aes)", DMB_EINVAL, "IV mechanism required" },
		{ "capi:xts()-plain64", DMB_EINVAL, "Bad cipher specification" },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct dmbi_crypt_spec sp;
		const char *why = NULL;

		assert_int_equal(dmbi_crypt_spec_parse(v[i].spec, &sp, &why), v[i].err);
		assert_non_null(why);
		assert_string_equal(why, v[i].why);
	}
}

/* --- The target over RAM devices ------------------------------------------- */

#define LOWER_SECTORS 128u
#define KEY64                                                                       \
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"          \
	"f0f1f2f3f4f5f6f7f8f9fafbfcfdfeffe0e1e2e3e4e5e6e7e8e9eaebecedeeef"

struct fx {
	struct dmb_posix_crypto pc;
	struct tres res;
	struct dmb_keyring kr;
	struct dmb_ctx ctx;
};

static int kr_get(const struct dmb_keyring *k, struct dmb_ctx *ctx, const char *type,
		  const char *desc, uint8_t **data, size_t *len)
{
	(void)k;
	(void)ctx;
	if (strcmp(type, "logon") || strcmp(desc, "dmb:test"))
		return DMB_ENOKEY;
	*data = malloc(64);
	assert_non_null(*data);
	unhex(KEY64, *data, 64);
	*len = 64;
	return 0;
}

static void kr_put(const struct dmb_keyring *k, uint8_t *data, size_t len)
{
	(void)k;
	memset(data, 0, len);
	free(data);
}

static void fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	dmb_posix_crypto_init(&f->pc);
	tres_init(&f->res);
	tres_add(&f->res, "lower", LOWER_SECTORS * SECTOR, 9, NULL);
	f->kr.get = kr_get;
	f->kr.put = kr_put;
	f->ctx.crypto = &f->pc.crypto;
	f->ctx.resolver = &f->res.r;
	f->ctx.keyring = &f->kr;
}

static void fx_fini(struct fx *f)
{
	tres_free(&f->res);
	dmb_posix_crypto_fini(&f->pc);
}

/* OpenSSL EVP XTS directly: one data unit of ss bytes with tweak le64(s). */
static void evp_xts(const uint8_t *key, size_t key_len, uint64_t s, uint8_t *buf, size_t ss)
{
#ifdef DMBOOT_TEST_NO_OPENSSL
	(void)key, (void)key_len, (void)s, (void)buf, (void)ss;
	skip();
#else
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t iv[16] = { 0 };
	int n = 0;

	for (int i = 0; i < 8; i++)
		iv[i] = (uint8_t)(s >> (8 * i));
	assert_non_null(c);
	assert_int_equal(EVP_EncryptInit_ex(c, key_len == 64 ? EVP_aes_256_xts() : EVP_aes_128_xts(),
					    NULL, key, iv), 1);
	assert_int_equal(EVP_EncryptUpdate(c, buf, &n, buf, (int)ss), 1);
	assert_int_equal(n, (int)ss);
	EVP_CIPHER_CTX_free(c);
#endif
}

/* Write a pattern, check the lower device holds EVP's ciphertext with the IV
 * sector dm-crypt uses, read back whole and in every split. */
static void check_io(struct fx *f, const char *opts, uint64_t len, uint64_t iv_offset,
		     uint64_t offset, unsigned ss, bool large)
{
	char line[512];
	uint8_t key[64];
	struct dmb_dev *dev;
	size_t bytes = (size_t)len * SECTOR;
	uint8_t *pt = malloc(bytes), *got = malloc(bytes), *model = malloc(bytes);
	struct tdev *lower = tres_find(&f->res, "lower");
	struct rng rng;
	struct dmb_bdev *bd;

	assert_true(pt && got && model);
	unhex(KEY64, key, 64);
	snprintf(line, sizeof(line), "0 %llu crypt aes-xts-plain64 %s %llu lower %llu%s",
		 (unsigned long long)len, KEY64, (unsigned long long)iv_offset,
		 (unsigned long long)offset, opts);
	assert_int_equal(create_from_text(&f->ctx, line, 0, &dev), 0);
	bd = dmb_dev_bdev(dev);
	rng_seed(&rng, len + iv_offset);
	rng_fill(&rng, pt, bytes);
	assert_int_equal(dmb_bdev_write_sectors(bd, 0, (size_t)len, pt), 0);
	memcpy(model, pt, bytes);
	for (size_t i = 0; i < bytes / ss; i++) {
		uint64_t s = iv_offset + i * (ss / 512);

		if (large)
			s /= ss / 512;
		evp_xts(key, 64, s, model + i * ss, ss);
	}
	assert_memory_equal(lower->mem + offset * SECTOR, model, bytes);
	assert_int_equal(dmb_bdev_read_sectors(bd, 0, (size_t)len, got), 0);
	assert_memory_equal(got, pt, bytes);
	for (uint64_t cut = ss / 512; cut < len; cut += ss / 512) {
		memset(got, 0, bytes);
		assert_int_equal(dmb_bdev_read_sectors(bd, 0, (size_t)cut, got), 0);
		assert_int_equal(dmb_bdev_read_sectors(bd, cut, (size_t)(len - cut),
						       got + cut * SECTOR), 0);
		assert_memory_equal(got, pt, bytes);
	}
	dmb_dev_destroy(dev);
	free(pt);
	free(got);
	free(model);
}

static void test_target_io(void **state)
{
	struct fx f;
	(void)state;
	fx_init(&f);
	NEED_OP(f.pc, cipher_create);
	check_io(&f, "", 64, 0, 0, 512, false);
	check_io(&f, "", 32, 7, 5, 512, false);
	check_io(&f, " 1 sector_size:4096", 64, 16, 8, 4096, false);
	check_io(&f, " 2 sector_size:4096 iv_large_sectors", 64, 16, 8, 4096, true);
	check_io(&f, " 2 iv_large_sectors sector_size:4096", 64, 0, 0, 4096, true);
	fx_fini(&f);
}

/*
 * Reads whose sector counts cross the storage's batch of 64 crypto sectors
 * and the provider's pieces, at every sector size, over a lower device of
 * 66 4096-byte sectors: a single sector anywhere (the last of the device
 * too), 65 sectors, and ranges starting and ending off a batch.
 */
static void test_target_batches(void **state)
{
	static const unsigned sizes[] = { 512, 1024, 2048, 4096 };
	const uint64_t lower_sectors = 66 * 8;
	uint8_t key[64];
	struct fx f;
	(void)state;
	fx_init(&f);
	NEED_OP(f.pc, cipher_create);
	tres_add(&f.res, "big", lower_sectors * SECTOR, 9, NULL);
	unhex(KEY64, key, 64);
	for (size_t z = 0; z < ARRAY_SIZE(sizes); z++) {
		unsigned ss = sizes[z], per = ss / 512;
		uint64_t len = lower_sectors - 8, units = len / per;
		size_t bytes = (size_t)len * SECTOR;
		uint8_t *pt = malloc(bytes), *got = malloc(bytes), *model = malloc(bytes);
		const uint64_t ranges[][2] = {
			{ 0, 1 }, { units - 1, 1 }, { units / 2, 1 }, { 0, 65 < units ? 65 : units },
			{ 1, 65 < units - 1 ? 65 : units - 1 }, { 3, units - 5 }, { 63, 2 },
			{ 0, units },
		};
		char line[256];
		struct dmb_dev *dev;
		struct rng rng;

		assert_true(pt && got && model);
		snprintf(line, sizeof(line), "0 %llu crypt aes-xts-plain64 %s 8 big 8 1 sector_size:%u",
			 (unsigned long long)len, KEY64, ss);
		assert_int_equal(create_from_text(&f.ctx, line, 0, &dev), 0);
		rng_seed(&rng, ss);
		rng_fill(&rng, pt, bytes);
		assert_int_equal(dmb_bdev_write_sectors(dmb_dev_bdev(dev), 0, (size_t)len, pt), 0);
		memcpy(model, pt, bytes);
		for (uint64_t i = 0; i < units; i++)
			evp_xts(key, 64, 8 + i * per, model + i * ss, ss);
		assert_memory_equal(tres_find(&f.res, "big")->mem + 8 * SECTOR, model, bytes);
		for (size_t i = 0; i < ARRAY_SIZE(ranges); i++) {
			uint64_t first = ranges[i][0] * per, count = ranges[i][1] * per;

			memset(got, 0, bytes);
			assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(dev), first, (size_t)count,
							       got), 0);
			assert_memory_equal(got, pt + first * SECTOR, count * SECTOR);
		}
		dmb_dev_destroy(dev);
		free(pt);
		free(got);
		free(model);
	}
	fx_fini(&f);
}

static void test_target_table(void **state)
{
	static const struct {
		const char *in, *masked, *shown;
	} v[] = {
		{ "0 64 crypt aes-xts-plain64 " KEY64 " 0 lower 0",
		  "0 64 crypt aes-xts-plain64 "
		  "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
		  " 0 lower 0\n",
		  "0 64 crypt aes-xts-plain64 " KEY64 " 0 lower 0\n" },
		{ "0 64 crypt capi:xts(aes)-plain64 " KEY64 " 8 lower 8 3 allow_discards sector_size:4096 iv_large_sectors",
		  "0 64 crypt capi:xts(aes)-plain64 "
		  "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
		  " 8 lower 8 3 allow_discards sector_size:4096 iv_large_sectors\n",
		  "0 64 crypt capi:xts(aes)-plain64 " KEY64
		  " 8 lower 8 3 allow_discards sector_size:4096 iv_large_sectors\n" },
		{ "0 64 crypt aes-xts-plain64 :64:logon:dmb:test 0 lower 0",
		  "0 64 crypt aes-xts-plain64 :64:logon:dmb:test 0 lower 0\n",
		  "0 64 crypt aes-xts-plain64 :64:logon:dmb:test 0 lower 0\n" },
	};
	struct fx f;
	(void)state;
	fx_init(&f);
	NEED_OP(f.pc, cipher_create);
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct dmb_dev *dev;
		char *s;

		assert_int_equal(create_from_text(&f.ctx, v[i].in, 0, &dev), 0);
		s = format_dev(dev, DMB_FMT_TABLE, 0);
		assert_string_equal(s, v[i].masked);
		free(s);
		s = format_dev(dev, DMB_FMT_TABLE, DMB_FMT_SHOWKEYS);
		assert_string_equal(s, v[i].shown);
		free(s);
		s = format_dev(dev, DMB_FMT_STATUS, 0);
		assert_true(strstr(s, "crypt") != NULL);
		free(s);
		dmb_dev_destroy(dev);
	}
	fx_fini(&f);
}

/* The keyring key and the hex key of the same bytes give the same ciphertext. */
static void test_keyring_same_bytes(void **state)
{
	struct fx f;
	struct dmb_dev *a, *b;
	uint8_t buf[4096], x[4096];
	(void)state;
	fx_init(&f);
	NEED_OP(f.pc, cipher_create);
	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(create_from_text(&f.ctx, "0 8 crypt aes-xts-plain64 " KEY64 " 0 lower 0", 0, &a), 0);
	assert_int_equal(dmb_bdev_write_sectors(dmb_dev_bdev(a), 0, 8, buf), 0);
	dmb_dev_destroy(a);
	assert_int_equal(create_from_text(&f.ctx, "0 8 crypt aes-xts-plain64 :64:logon:dmb:test 0 lower 0",
					  0, &b), 0);
	assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(b), 0, 8, x), 0);
	assert_memory_equal(x, buf, sizeof(buf));
	dmb_dev_destroy(b);
	assert_int_not_equal(create_from_text(&f.ctx, "0 8 crypt aes-xts-plain64 :32:logon:dmb:test 0 lower 0",
					      0, &b), 0);
	assert_int_not_equal(create_from_text(&f.ctx, "0 8 crypt aes-xts-plain64 :64:logon:other 0 lower 0",
					      0, &b), 0);
	assert_int_not_equal(create_from_text(&f.ctx, "0 8 crypt aes-xts-plain64 :64:trusted:dmb:test 0 lower 0",
					      0, &b), 0);
	fx_fini(&f);
}

/* keycount 2: sector s uses key part s & 1, each an AES-128-XTS key. */
static void test_keycount(void **state)
{
	struct fx f;
	struct dmb_dev *dev;
	uint8_t key[64], pt[8 * 512], model[8 * 512];
	struct tdev *lower;
	(void)state;
	fx_init(&f);
	NEED_OP(f.pc, cipher_create);
	lower = tres_find(&f.res, "lower");
	unhex(KEY64, key, 64);
	memset(pt, 0xa5, sizeof(pt));
	assert_int_equal(create_from_text(&f.ctx, "0 8 crypt aes:2-xts-plain64 " KEY64 " 3 lower 0", 0,
					  &dev), 0);
	assert_int_equal(dmb_bdev_write_sectors(dmb_dev_bdev(dev), 0, 8, pt), 0);
	memcpy(model, pt, sizeof(pt));
	for (unsigned i = 0; i < 8; i++)
		evp_xts(key + 32 * ((i + 3) & 1), 32, i + 3, model + i * 512, 512);
	assert_memory_equal(lower->mem, model, sizeof(model));
	dmb_dev_destroy(dev);
	fx_fini(&f);
}

static void test_target_refuses(void **state)
{
	static const char *const bad[] = {
		"0 8 crypt aes-xts-plain64 zz" KEY64 " 0 lower 0",
		"0 8 crypt aes-xts-plain64 0" KEY64 " 0 lower 0",
		"0 8 crypt aes:3-xts-plain64 " KEY64 " 0 lower 0",
		"0 8 crypt aes-xts " KEY64 " 0 lower 0",
		"0 8 crypt aes-xts-plain64 " KEY64 " 0 lower 0 1 integrity:28:aead",
		"0 8 crypt aes-xts-plain64 " KEY64 " 0 lower 0 1 sector_size:1000",
		"0 16 crypt aes-xts-plain64 " KEY64 " 1 lower 0 1 sector_size:4096",
		"0 12 crypt aes-xts-plain64 " KEY64 " 0 lower 0 1 sector_size:4096",
		"0 8 crypt aes-xts-plain64 " KEY64 " 0 lower 0 1 bogus",
		"0 8 crypt aes-xts-plain64 " KEY64 " 0 lower 0 2 allow_discards",
		"0 8 crypt serpent-xts-plain64 " KEY64 " 0 lower 0",
		"0 8 crypt aes-cbc-lmk " KEY64 " 0 lower 0",
		"0 8 crypt aes-xts-plain64 - 0 lower 0",
		"0 8 crypt aes-xts-plain64 " KEY64 " x lower 0",
		"0 8 crypt aes-xts-plain64 " KEY64 " 0 lower x",
		"0 8 crypt aes-xts-plain64 " KEY64 " 0 nosuch 0",
		"0 8 crypt aes-xts-plain64 " KEY64 " 0 lower",
	};
	struct fx f;
	(void)state;
	fx_init(&f);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct dmb_dev *dev = NULL;

		assert_int_not_equal(create_from_text(&f.ctx, bad[i], 0, &dev), 0);
		assert_null(dev);
		assert_int_equal(f.res.opens, f.res.closes);
	}
	fx_fini(&f);
}

/* Each allocation of a crypt device's creation fails in turn: an error, and
 * nothing left allocated. */
static void test_alloc_faults(void **state)
{
	static const char *const lines[] = {
		"0 64 crypt aes-cbc-essiv:sha256 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
		" 8 lower 8 2 sector_size:4096 iv_large_sectors",
		"0 64 crypt aes-xts-plain64 :64:logon:dmb:test 0 lower 0",
	};
	struct fx f;
	(void)state;
	fx_init(&f);
	NEED_OP(f.pc, cipher_create);
	for (size_t l = 0; l < ARRAY_SIZE(lines); l++) {
		long base = test_port_live_allocs(), total;
		struct dmb_dev *dev;

		test_port_fail_alloc_at(0);
		assert_int_equal(create_from_text(&f.ctx, lines[l], 0, &dev), 0);
		total = test_port_alloc_count();
		dmb_dev_destroy(dev);
		assert_true(total > 0);
		for (long n = 1; n <= total; n++) {
			test_port_fail_alloc_at(n);
			dev = NULL;
			assert_int_not_equal(create_from_text(&f.ctx, lines[l], 0, &dev), 0);
			assert_null(dev);
			assert_int_equal(test_port_live_allocs(), base);
		}
		test_port_fail_alloc_at(0);
	}
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xts_kat),
		cmocka_unit_test(test_xts_units),
		cmocka_unit_test(test_xts_equal_halves),
		cmocka_unit_test(test_pbkdf2_kat),
		cmocka_unit_test(test_iv_vectors),
		cmocka_unit_test(test_af_vectors),
		cmocka_unit_test(test_spec_accepts),
		cmocka_unit_test(test_spec_refuses),
		cmocka_unit_test(test_target_io),
		cmocka_unit_test(test_target_batches),
		cmocka_unit_test(test_target_table),
		cmocka_unit_test(test_keyring_same_bytes),
		cmocka_unit_test(test_keycount),
		cmocka_unit_test(test_target_refuses),
		cmocka_unit_test(test_alloc_faults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
