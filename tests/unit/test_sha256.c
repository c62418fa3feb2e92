// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The library's SHA-256 (crypto.h dmb_sha256_*) on every backend this
 * machine runs and every lane count: the FIPS 180-4 examples (checked
 * against OpenSSL too), streaming at every split, and dmb_sha256_many()
 * against OpenSSL one message at a time over message lengths 0 to 3 blocks
 * and 4096, prefix lengths 0 to 130, suffixes and misaligned buffers; then
 * digest_many() and dmb_digest_many() through the host provider (with and
 * without the op, the library's SHA-256 and OpenSSL's) and the freestanding
 * provider.
 */
#include <openssl/evp.h>

#include "helpers.h"

#include "../../ports/freestanding/freestanding.h"
#include "../../ports/posix/dmboot_posix.h"

#define MAX_MSGS 9
#define MAX_LEN 4096
#define MAX_PREFIX 130
#define MAX_SUFFIX 100
#define STRIDE (MAX_PREFIX + MAX_LEN + MAX_SUFFIX + 16)

static struct dmb_sha256_backend backends[8];
static size_t nbackends;

/* Every backend and lane count this build has and this CPU runs. */
static void find_backends(void)
{
	static const enum dmb_sha256_kind kinds[] = { DMB_SHA256_PORTABLE, DMB_SHA256_SHANI,
						      DMB_SHA256_ARMV8 };
	unsigned cpu = dmb_posix_sha256_cpu();

	nbackends = 0;
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++)
		for (unsigned lanes = 1; lanes <= DMB_SHA256_MAX_LANES; lanes *= 2) {
			struct dmb_sha256_backend b;
			bool dup = false;

			if (dmb_sha256_backend_pick(&b, kinds[k], lanes, cpu))
				continue;
			for (size_t i = 0; i < nbackends; i++)
				dup |= backends[i].kind == b.kind && backends[i].lanes == b.lanes;
			if (!dup)
				backends[nbackends++] = b;
		}
	for (size_t i = 0; i < nbackends; i++)
		print_message("sha256 backend %s, %u lane(s)\n", dmb_sha256_backend_name(&backends[i]),
			      backends[i].lanes);
}

static void ossl_sha256(const void *a, size_t alen, const void *b, size_t blen, const void *c,
			size_t clen, uint8_t *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	assert_non_null(ctx);
	assert_true(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL));
	assert_true(EVP_DigestUpdate(ctx, a, alen));
	assert_true(EVP_DigestUpdate(ctx, b, blen));
	assert_true(EVP_DigestUpdate(ctx, c, clen));
	assert_true(EVP_DigestFinal_ex(ctx, out, NULL));
	EVP_MD_CTX_free(ctx);
}

static void lib_sha256(const struct dmb_sha256_backend *b, const void *data, size_t len,
		       uint8_t *out)
{
	struct dmb_sha256 s;

	dmb_sha256_init(&s, b);
	dmb_sha256_update(&s, data, len);
	dmb_sha256_final(&s, out);
}

static void hex32(const char *hex, uint8_t *out)
{
	assert_int_equal(dmb_hex_decode(hex, out, 32), 0);
}

/* FIPS 180-4 examples (the NIST "SHA256.pdf" example values). */
static void test_nist_vectors(void **state)
{
	static const struct {
		const char *msg, *digest;
	} v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklm"
		  "nopqrlmnopqrsmnopqrstnopqrstu",
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	};
	static const char million[] =
		"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
	uint8_t want[32], got[32], ref[32];
	uint8_t *a = malloc(1000000);

	(void)state;
	assert_non_null(a);
	memset(a, 'a', 1000000);
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		hex32(v[i].digest, want);
		ossl_sha256(v[i].msg, strlen(v[i].msg), "", 0, "", 0, ref);
		assert_memory_equal(ref, want, 32);
		for (size_t b = 0; b < nbackends; b++) {
			const void *msgs[1] = { v[i].msg };
			struct dmb_sha256 s;

			lib_sha256(&backends[b], v[i].msg, strlen(v[i].msg), got);
			assert_memory_equal(got, want, 32);
			dmb_sha256_init(&s, &backends[b]);
			dmb_sha256_many(&s, msgs, 1, strlen(v[i].msg), NULL, 0, got);
			assert_memory_equal(got, want, 32);
		}
	}
	hex32(million, want);
	ossl_sha256(a, 1000000, "", 0, "", 0, ref);
	assert_memory_equal(ref, want, 32);
	for (size_t b = 0; b < nbackends; b++) {
		struct dmb_sha256 s;

		lib_sha256(&backends[b], a, 1000000, got);
		assert_memory_equal(got, want, 32);
		/* In 1000-byte pieces, as the FIPS example is often fed. */
		dmb_sha256_init(&s, &backends[b]);
		for (int i = 0; i < 1000; i++)
			dmb_sha256_update(&s, a + 1000 * i, 1000);
		dmb_sha256_final(&s, got);
		assert_memory_equal(got, want, 32);
	}
	free(a);
}

/* Streaming: every two-way split, and random pieces, equal OpenSSL one-shot. */
static void test_streaming_splits(void **state)
{
	uint8_t buf[300], want[32], got[32];
	struct rng r;

	(void)state;
	rng_seed(&r, 256);
	rng_fill(&r, buf, sizeof(buf));
	for (size_t b = 0; b < nbackends; b++) {
		for (size_t len = 0; len <= sizeof(buf); len += 7) {
			ossl_sha256(buf, len, "", 0, "", 0, want);
			for (size_t cut = 0; cut <= len; cut++) {
				struct dmb_sha256 s;

				dmb_sha256_init(&s, &backends[b]);
				dmb_sha256_update(&s, buf, cut);
				dmb_sha256_update(&s, buf + cut, len - cut);
				dmb_sha256_final(&s, got);
				assert_memory_equal(got, want, 32);
			}
		}
		for (int round = 0; round < 200; round++) {
			size_t len = (size_t)rng_below(&r, sizeof(buf) + 1), at = 0;
			struct dmb_sha256 s;

			dmb_sha256_init(&s, &backends[b]);
			while (at < len) {
				size_t n = (size_t)rng_range(&r, 0, len - at);

				dmb_sha256_update(&s, buf + at, n);
				at += n;
			}
			dmb_sha256_final(&s, got);
			ossl_sha256(buf, len, "", 0, "", 0, want);
			assert_memory_equal(got, want, 32);
		}
	}
}

struct pool {
	uint8_t *mem;     /* MAX_MSGS messages of STRIDE bytes, random */
	uint8_t prefix[MAX_PREFIX], suffix[MAX_SUFFIX];
};

/*
 * n messages of len bytes at offsets 1..15 past 16-byte boundaries (each its
 * own), after plen prefix bytes and before slen suffix bytes: every backend's
 * dmb_sha256_many() equals OpenSSL one message at a time, and so does the
 * streaming path.
 */
static void check_many(const struct pool *p, size_t plen, size_t len, size_t slen, size_t n,
		       unsigned misalign)
{
	const void *msgs[MAX_MSGS];
	uint8_t want[MAX_MSGS][32], got[MAX_MSGS][32];

	for (size_t i = 0; i < n; i++) {
		msgs[i] = p->mem + i * STRIDE + (misalign + i) % 16;
		ossl_sha256(p->prefix, plen, msgs[i], len, p->suffix, slen, want[i]);
	}
	for (size_t b = 0; b < nbackends; b++) {
		struct dmb_sha256 prefix, copy;

		dmb_sha256_init(&prefix, &backends[b]);
		dmb_sha256_update(&prefix, p->prefix, plen);
		copy = prefix;
		memset(got, 0x5a, sizeof(got));
		dmb_sha256_many(&prefix, msgs, n, len, slen ? p->suffix : NULL, slen, got[0]);
		assert_memory_equal(prefix.h, copy.h, sizeof(prefix.h));
		assert_true(prefix.bytes == copy.bytes);
		assert_memory_equal(prefix.buf, copy.buf, plen % 64);
		for (size_t i = 0; i < n; i++) {
			if (memcmp(got[i], want[i], 32) != 0)
				fail_msg("%s x%u: prefix %zu len %zu suffix %zu n %zu msg %zu differs",
					 dmb_sha256_backend_name(&backends[b]), backends[b].lanes, plen,
					 len, slen, n, i);
		}
		/* One at a time through the stream equals the same. */
		if (n == 1) {
			struct dmb_sha256 s = prefix;
			uint8_t one[32];

			dmb_sha256_update(&s, msgs[0], len);
			dmb_sha256_update(&s, p->suffix, slen);
			dmb_sha256_final(&s, one);
			assert_memory_equal(one, want[0], 32);
		}
	}
}

static void pool_init(struct pool *p, uint64_t seed)
{
	struct rng r;

	rng_seed(&r, seed);
	p->mem = malloc((size_t)MAX_MSGS * STRIDE);
	assert_non_null(p->mem);
	rng_fill(&r, p->mem, (size_t)MAX_MSGS * STRIDE);
	rng_fill(&r, p->prefix, sizeof(p->prefix));
	rng_fill(&r, p->suffix, sizeof(p->suffix));
}

static const size_t suffixes[] = { 0, 0, 1, 32, 64, 100 };

/* Every length of 0 to 3 blocks and 4096 (+ the salt), with prefixes at block edges. */
static void test_many_lengths(void **state)
{
	static const size_t prefixes[] = { 0, 1, 32, 55, 56, 63, 64, 65, 130 };
	struct pool p;
	unsigned iter = 0;

	(void)state;
	pool_init(&p, 1);
	for (size_t len = 0; len <= 3 * 64 + 1; len++)
		for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++, iter++)
			check_many(&p, prefixes[i], len, suffixes[iter % ARRAY_SIZE(suffixes)],
				   1 + iter % MAX_MSGS, iter % 16);
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		for (size_t n = 1; n <= MAX_MSGS; n++, iter++) {
			check_many(&p, prefixes[i], 4096, 0, n, iter % 16);
			check_many(&p, 0, 4096, prefixes[i] % (MAX_SUFFIX + 1), n, iter % 16);
		}
	free(p.mem);
}

/* Every prefix length of 0 to 130 bytes, at lengths around block edges. */
static void test_many_prefixes(void **state)
{
	static const size_t lens[] = { 0, 1, 55, 56, 64, 119, 4096 };
	struct pool p;
	unsigned iter = 0;

	(void)state;
	pool_init(&p, 2);
	for (size_t plen = 0; plen <= MAX_PREFIX; plen++)
		for (size_t i = 0; i < ARRAY_SIZE(lens); i++, iter++)
			check_many(&p, plen, lens[i], suffixes[iter % ARRAY_SIZE(suffixes)],
				   1 + iter % MAX_MSGS, 1 + iter % 15);
	for (size_t slen = 0; slen <= MAX_SUFFIX; slen++, iter++)
		check_many(&p, 0, 4096 - 7 * slen, slen, 1 + iter % MAX_MSGS, iter % 16);
	free(p.mem);
}

/* A zeroed backend struct and NULL are the portable backend; odd lane counts still work. */
static void test_backend_values(void **state)
{
	struct dmb_sha256_backend zero, odd, b;
	uint8_t want[3][32], got[3][32], msg[3][100];
	const void *msgs[3] = { msg[0], msg[1], msg[2] };
	struct dmb_sha256 s;

	(void)state;
	memset(&zero, 0, sizeof(zero));
	memset(msg, 0xa5, sizeof(msg));
	msg[1][7] = 1;
	msg[2][99] = 2;
	for (int i = 0; i < 3; i++)
		ossl_sha256(msg[i], 100, "", 0, "", 0, want[i]);
	assert_string_equal(dmb_sha256_backend_name(&zero), "portable");
	assert_string_equal(dmb_sha256_backend_name(NULL), "portable");
	dmb_sha256_init(&s, NULL);
	dmb_sha256_many(&s, msgs, 3, 100, NULL, 0, got[0]);
	assert_memory_equal(got, want, sizeof(want));
	dmb_sha256_init(&s, &zero);
	dmb_sha256_many(&s, msgs, 3, 100, NULL, 0, got[0]);
	assert_memory_equal(got, want, sizeof(want));
	for (size_t i = 0; i < nbackends; i++) {
		odd = backends[i];
		odd.lanes = 3;
		dmb_sha256_init(&s, &odd);
		dmb_sha256_many(&s, msgs, 3, 100, NULL, 0, got[0]);
		assert_memory_equal(got, want, sizeof(want));
		odd.lanes = 0;
		dmb_sha256_init(&s, &odd);
		dmb_sha256_many(&s, msgs, 3, 100, NULL, 0, got[0]);
		assert_memory_equal(got, want, sizeof(want));
	}
	/* Unknown kinds are refused and leave the portable backend. */
	assert_int_equal(dmb_sha256_backend_pick(&b, (enum dmb_sha256_kind)7, 4, 0), DMB_ENOTSUP);
	assert_int_equal(b.kind, DMB_SHA256_PORTABLE);
	assert_int_equal(b.lanes, 1);
	assert_int_equal(dmb_sha256_backend_pick(&b, DMB_SHA256_PORTABLE, 4, 0), 0);
	assert_int_equal(b.lanes, 1);
	dmb_sha256_backend_best(&b, dmb_posix_sha256_cpu());
	assert_int_equal(b.kind, backends[nbackends - 1].kind);
	dmb_sha256_many(&s, msgs, 0, 100, NULL, 0, NULL);
}

/* ops with digest_many removed: dmb_digest_many() then copies the prefix per message. */
static struct dmb_crypto_ops no_many_ops;

static void check_provider(const struct dmb_crypto *c, const char *name, const EVP_MD *md)
{
	struct dmb_crypto plain = { &no_many_ops, c->priv };
	const struct dmb_crypto *both[2] = { c, &plain };
	uint8_t salt[32], msgs_mem[5][4096 + 1], want[5][64], got[5 * 64];
	const void *msgs[5];
	struct rng r;

	rng_seed(&r, 5);
	rng_fill(&r, salt, sizeof(salt));
	rng_fill(&r, msgs_mem, sizeof(msgs_mem));
	no_many_ops = *c->ops;
	no_many_ops.digest_many = NULL;
	for (int i = 0; i < 5; i++)
		msgs[i] = msgs_mem[i] + (i & 1);
	for (int version = 0; version <= 1; version++) {
		size_t size = 0, unused;

		for (int i = 0; i < 5; i++) {
			EVP_MD_CTX *ctx = EVP_MD_CTX_new();
			unsigned n;

			assert_true(EVP_DigestInit_ex(ctx, md, NULL));
			if (version)
				assert_true(EVP_DigestUpdate(ctx, salt, sizeof(salt)));
			assert_true(EVP_DigestUpdate(ctx, msgs[i], 4096));
			if (!version)
				assert_true(EVP_DigestUpdate(ctx, salt, sizeof(salt)));
			assert_true(EVP_DigestFinal_ex(ctx, want[i], &n));
			EVP_MD_CTX_free(ctx);
		}
		for (int k = 0; k < 2; k++) {
			const struct dmb_crypto *cc = both[k];
			struct dmb_digest *prefix, *scratch;

			assert_int_equal(cc->ops->digest_create(cc, name, &prefix, &size), 0);
			assert_int_equal(cc->ops->digest_create(cc, name, &scratch, &unused), 0);
			if (version)
				assert_int_equal(cc->ops->digest_update(prefix, salt, sizeof(salt)), 0);
			/* Twice: the prefix state is left as it was. */
			for (int twice = 0; twice < 2; twice++) {
				memset(got, 0, sizeof(got));
				assert_int_equal(dmb_digest_many(cc, prefix, scratch, size, msgs, 5, 4096,
								 version ? NULL : salt,
								 version ? 0 : sizeof(salt), got),
						 0);
				for (int i = 0; i < 5; i++)
					assert_memory_equal(got + i * size, want[i], size);
			}
			cc->ops->digest_destroy(prefix);
			cc->ops->digest_destroy(scratch);
		}
	}
}

static void test_providers(void **state)
{
	struct dmb_posix_crypto pc;
	struct dmb_digest *d;
	size_t size;

	(void)state;
	dmb_posix_crypto_init(&pc);
	print_message("host provider SHA-256: %s\n",
		      pc.sha256_lib ? dmb_sha256_backend_name(&pc.sha256) : "openssl");
	for (int lib = 0; lib <= 1; lib++) {
		pc.sha256_lib = lib;
		check_provider(&pc.crypto, "sha256", EVP_sha256());
	}
	check_provider(&pc.crypto, "sha1", EVP_sha1());
	check_provider(&pc.crypto, "sha512", EVP_sha512());
	check_provider(&dmb_freestanding_crypto, "sha256", EVP_sha256());
	check_provider(&dmb_freestanding_crypto, "blake2b-512", EVP_blake2b512());
	/* A provider with neither digest_many() nor a scratch state. */
	assert_int_equal(pc.crypto.ops->digest_create(&pc.crypto, "sha256", &d, &size), 0);
	no_many_ops.digest_many = NULL;
	{
		struct dmb_crypto plain = { &no_many_ops, &pc };
		const void *msgs[1] = { "x" };
		uint8_t out[32];

		assert_int_equal(dmb_digest_many(&plain, d, NULL, size, msgs, 1, 1, NULL, 0, out),
				 DMB_ENOTSUP);
		assert_int_equal(dmb_digest_many(NULL, d, NULL, size, msgs, 1, 1, NULL, 0, out),
				 DMB_ENOTSUP);
	}
	pc.crypto.ops->digest_destroy(d);
	dmb_posix_crypto_fini(&pc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nist_vectors),
		cmocka_unit_test(test_streaming_splits),
		cmocka_unit_test(test_many_lengths),
		cmocka_unit_test(test_many_prefixes),
		cmocka_unit_test(test_backend_values),
		cmocka_unit_test(test_providers),
	};

	find_backends();
	return cmocka_run_group_tests_name("sha256", tests, NULL, NULL);
}
