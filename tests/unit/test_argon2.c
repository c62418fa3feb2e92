// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The portable BLAKE2b and Argon2 of the freestanding port
 * (ports/freestanding/blake2b.c, argon2.c) and the host provider's Argon2
 * (libargon2 through ports/posix/): BLAKE2b against RFC 7693 Appendix A and
 * hashlib, incremental against one-shot at every split; Argon2d/i/id against
 * RFC 9106 §5.1-§5.3 (secret and associated data); vectors without them, as
 * LUKS2 uses Argon2, from Debian's argon2 command, against both
 * implementations; both on the same random parameters; Argon2's limits
 * refused by both; and the portable code's memory: one allocation from the
 * port, given back, wiped, or none at all with a caller's block.
 */
#include "helpers.h"

#include "../../ports/freestanding/freestanding.h"
#include "../../ports/posix/dmboot_posix.h"

static void unhex(const char *s, uint8_t *out, size_t n)
{
	assert_int_equal(strlen(s), 2 * n);
	assert_int_equal(dmb_hex_decode(s, out, n), 0);
}

static void check_hex(const uint8_t *got, size_t n, const char *want)
{
	char hex[2 * 256 + 1];

	assert_true(n <= 256);
	dmb_hex_encode(got, n, hex);
	assert_string_equal(hex, want);
}

/*
 * BLAKE2b through the freestanding provider.  "abc" -> 512 bits: RFC 7693
 * Appendix A.  The rest from Python's hashlib:
 *   python3 -c "import hashlib; print(hashlib.blake2b(b'').hexdigest())"
 *   python3 -c "import hashlib; print(hashlib.blake2b(b'abc', digest_size=32).hexdigest())"
 *   python3 -c "import hashlib; print(hashlib.blake2b(bytes(range(256))*3).hexdigest())"
 */
static void test_blake2b_kat(void **state)
{
	static const char abc512[] =
		"ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
		"7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923";
	static const char empty512[] =
		"786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419"
		"d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce";
	static const char abc256[] =
		"bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319";
	static const char long512[] =
		"323e97a7a859ee63c9013debb0ca995811e73117a2f574723416e596ebc184e3"
		"7a59b66d2f597df4a7c1b0d1d41a1a7f28774f46a6864d56c57b9d6c5f7302fb";
	const struct dmb_crypto *c = &dmb_freestanding_crypto;
	uint8_t out[64], data[768];
	size_t size = 0;
	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	assert_int_equal(dmb_digest_oneshot(c, "blake2b-512", "abc", 3, out, &size), 0);
	assert_int_equal(size, 64);
	check_hex(out, 64, abc512);
	assert_int_equal(dmb_digest_oneshot(c, "blake2b-512", "", 0, out, &size), 0);
	check_hex(out, 64, empty512);
	assert_int_equal(dmb_digest_oneshot(c, "blake2b-256", "abc", 3, out, &size), 0);
	assert_int_equal(size, 32);
	check_hex(out, 32, abc256);
	assert_int_equal(dmb_digest_oneshot(c, "blake2b-512", data, sizeof(data), out, &size), 0);
	check_hex(out, 64, long512);
	assert_int_equal(dmb_digest_oneshot(c, "blake2b-384", "abc", 3, out, &size), DMB_ENOTSUP);
	assert_int_equal(dmb_digest_oneshot(c, "sha256", "abc", 3, out, &size), 0);
	check_hex(out, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* Every split of the input into two updates (and a copy of the state in
 * between) gives the one-shot digest. */
static void test_blake2b_splits(void **state)
{
	const struct dmb_crypto *c = &dmb_freestanding_crypto;
	const struct dmb_crypto_ops *ops = c->ops;
	uint8_t data[300], one[64], got[64];
	struct dmb_digest *d, *e;
	size_t size;
	struct rng rng;
	(void)state;
	rng_seed(&rng, 7);
	rng_fill(&rng, data, sizeof(data));
	assert_int_equal(dmb_digest_oneshot(c, "blake2b-512", data, sizeof(data), one, &size), 0);
	assert_int_equal(ops->digest_create(c, "blake2b-512", &d, &size), 0);
	assert_int_equal(ops->digest_create(c, "blake2b-512", &e, &size), 0);
	for (size_t cut = 0; cut <= sizeof(data); cut++) {
		assert_int_equal(ops->digest_init(d), 0);
		assert_int_equal(ops->digest_update(d, data, cut), 0);
		assert_int_equal(ops->digest_copy(e, d), 0);
		assert_int_equal(ops->digest_update(e, data + cut, sizeof(data) - cut), 0);
		assert_int_equal(ops->digest_final(e, got), 0);
		assert_memory_equal(got, one, 64);
	}
	ops->digest_destroy(d);
	ops->digest_destroy(e);
}

/* RFC 9106 §5.1 (Argon2d), §5.2 (Argon2i), §5.3 (Argon2id): password 32 x
 * 0x01, salt 16 x 0x02, secret 8 x 0x03, associated data 12 x 0x04, 32 KiB,
 * 3 passes, 4 lanes, 32-byte tag. */
static void test_rfc9106(void **state)
{
	static const char *const tag[3] = {
		"512b391b6f1162975371d30919734294f868e3be3984f3c1a13a4db9fabe4acb",
		"c814d9d1dc7f37aa13f0d77f2494bda1c8de6b016dd388d29952a4c4672b6ce8",
		"0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659",
	};
	uint8_t pass[32], salt[16], secret[8], ad[12], out[32];
	(void)state;
	memset(pass, 0x01, sizeof(pass));
	memset(salt, 0x02, sizeof(salt));
	memset(secret, 0x03, sizeof(secret));
	memset(ad, 0x04, sizeof(ad));
	for (int t = DMB_ARGON2D; t <= DMB_ARGON2ID; t++) {
		const struct dmb_argon2_input in = {
			.type = (enum dmb_argon2_type)t, .t_cost = 3, .m_cost_kib = 32, .lanes = 4,
			.pass = pass, .pass_len = sizeof(pass), .salt = salt, .salt_len = sizeof(salt),
			.secret = secret, .secret_len = sizeof(secret), .ad = ad, .ad_len = sizeof(ad),
		};

		assert_int_equal(dmb_freestanding_argon2(&in, NULL, 0, out, sizeof(out)), 0);
		check_hex(out, sizeof(out), tag[t]);
	}
}

/*
 * Without secret or associated data (what LUKS2 keyslots use), from Debian
 * 12's argon2 command (package argon2 0~20171227-0.3+deb12u1), each line
 *   printf 'PASS' | argon2 SALT -TYPE -t T -k M -p P -l LEN -r
 * with the row's values:
 *   printf 'password' | argon2 somesalt -id -t 3 -k 256 -p 2 -l 32 -r
 *   printf 'password' | argon2 somesalt -i -t 4 -k 1024 -p 1 -l 64 -r
 *   printf 'dmboot-test' | argon2 saltsaltsalt -d -t 1 -k 64 -p 8 -l 32 -r
 *   printf 'pass' | argon2 0123456789abcdef -id -t 2 -k 100 -p 4 -l 100 -r
 *   printf 'x' | argon2 12345678 -i -t 1 -k 8 -p 1 -l 4 -r
 * Checked against the portable implementation and the host provider.
 */
static const struct cli_vector {
	const char *pass, *salt;
	enum dmb_argon2_type type;
	uint32_t t, m, p;
	size_t len;
	const char *tag;
} cli[] = {
	{ "password", "somesalt", DMB_ARGON2ID, 3, 256, 2, 32,
	  "a3161de99d0e7c0762364b2c4b3ea2b950005973f8879d54287fd8bd56921f36" },
	{ "password", "somesalt", DMB_ARGON2I, 4, 1024, 1, 64,
	  "fa3b1dfbf771f942eafc6c78afc94a36fd601a6cb41307bde197defe797ff3bb"
	  "ef6eb5ac73eff962a75e7bd04ad9ee5ee2517baa206774ede427d88af219d801" },
	{ "dmboot-test", "saltsaltsalt", DMB_ARGON2D, 1, 64, 8, 32,
	  "6d84ad276a2d0de2054719ecf67acb42275308c01e9577fe8ddd4c30c2156c17" },
	{ "pass", "0123456789abcdef", DMB_ARGON2ID, 2, 100, 4, 100,
	  "2facf7f4991520f19ad6c05672f2747f21d852bfb88a63a83adb83e344f3d808"
	  "d90c1a8054653387c65e66615fda6e04ba757dea258cf4d79372b4295c2ec039"
	  "345702b006b0741487269541fc8f8778bc5004ce25ca358cbcbbbdb8887d3f32"
	  "39cc7f48" },
	{ "x", "12345678", DMB_ARGON2I, 1, 8, 1, 4, "f7a2eac9" },
};

static void test_cli_vectors(void **state)
{
	const struct dmb_crypto *fs = &dmb_freestanding_crypto;
	struct dmb_posix_crypto pc;
	(void)state;
	dmb_posix_crypto_init(&pc);
	for (size_t i = 0; i < ARRAY_SIZE(cli); i++) {
		const struct cli_vector *v = &cli[i];
		uint8_t out[128], want[128];

		unhex(v->tag, want, v->len);
		memset(out, 0, sizeof(out));
		assert_int_equal(fs->ops->argon2(fs, v->type, v->t, v->m, v->p,
						 (const uint8_t *)v->pass, strlen(v->pass),
						 (const uint8_t *)v->salt, strlen(v->salt), out, v->len),
				 0);
		assert_memory_equal(out, want, v->len);
		memset(out, 0, sizeof(out));
		assert_int_equal(pc.crypto.ops->argon2(&pc.crypto, v->type, v->t, v->m, v->p,
						       (const uint8_t *)v->pass, strlen(v->pass),
						       (const uint8_t *)v->salt, strlen(v->salt),
						       out, v->len),
				 0);
		assert_memory_equal(out, want, v->len);
	}
	dmb_posix_crypto_fini(&pc);
}

/* The portable code and libargon2 on the same random parameters. */
static void test_random_against_host(void **state)
{
	const struct dmb_crypto *fs = &dmb_freestanding_crypto;
	struct dmb_posix_crypto pc;
	struct rng rng;
	(void)state;
	dmb_posix_crypto_init(&pc);
	rng_seed(&rng, 9106);
	for (unsigned n = 0; n < 24; n++) {
		enum dmb_argon2_type type = (enum dmb_argon2_type)rng_below(&rng, 3);
		uint32_t lanes = (uint32_t)rng_range(&rng, 1, 8);
		uint32_t t = (uint32_t)rng_range(&rng, 1, 3);
		uint32_t m = (uint32_t)rng_range(&rng, 8 * lanes, 2048);
		size_t pass_len = (size_t)rng_below(&rng, 65), salt_len = (size_t)rng_range(&rng, 8, 32);
		size_t out_len = (size_t)rng_range(&rng, 4, 130);
		uint8_t pass[64], salt[32], a[130], b[130];

		rng_fill(&rng, pass, sizeof(pass));
		rng_fill(&rng, salt, sizeof(salt));
		assert_int_equal(fs->ops->argon2(fs, type, t, m, lanes, pass, pass_len, salt, salt_len,
						 a, out_len),
				 0);
		assert_int_equal(pc.crypto.ops->argon2(&pc.crypto, type, t, m, lanes, pass, pass_len,
						       salt, salt_len, b, out_len),
				 0);
		if (memcmp(a, b, out_len))
			fail_msg("type %d t %u m %u lanes %u pass %zu salt %zu out %zu differ", type,
				 t, m, lanes, pass_len, salt_len, out_len);
	}
	dmb_posix_crypto_fini(&pc);
}

/* Argon2's limits: both implementations refuse the same parameters. */
static void test_limits(void **state)
{
	static const struct {
		int type;
		uint32_t t, m, p;
		size_t salt_len, out_len;
	} bad[] = {
		{ DMB_ARGON2ID, 0, 64, 1, 16, 32 },         /* no pass */
		{ DMB_ARGON2ID, 1, 64, 0, 16, 32 },         /* no lane */
		{ DMB_ARGON2ID, 1, 64, 1u << 24, 16, 32 },  /* too many lanes */
		{ DMB_ARGON2I, 1, 15, 2, 16, 32 },          /* m < 8 * lanes */
		{ DMB_ARGON2I, 1, 7, 1, 16, 32 },
		{ DMB_ARGON2D, 1, 64, 1, 16, 3 },           /* tag too short */
		{ DMB_ARGON2D, 1, 64, 1, 7, 32 },           /* salt too short */
	};
	const struct dmb_crypto *fs = &dmb_freestanding_crypto;
	struct dmb_posix_crypto pc;
	uint8_t salt[16] = { 0 }, out[32];
	long base = test_port_live_allocs();
	(void)state;
	dmb_posix_crypto_init(&pc);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		enum dmb_argon2_type type = (enum dmb_argon2_type)bad[i].type;

		test_port_fail_alloc_at(0);
		assert_int_equal(fs->ops->argon2(fs, type, bad[i].t, bad[i].m, bad[i].p,
						 (const uint8_t *)"pw", 2, salt, bad[i].salt_len, out,
						 bad[i].out_len),
				 DMB_EINVAL);
		assert_int_equal(test_port_alloc_count(), 0);
		assert_int_equal(pc.crypto.ops->argon2(&pc.crypto, type, bad[i].t, bad[i].m, bad[i].p,
						       (const uint8_t *)"pw", 2, salt,
						       bad[i].salt_len, out, bad[i].out_len),
				 DMB_EINVAL);
	}
	assert_int_equal(fs->ops->argon2(fs, (enum dmb_argon2_type)3, 1, 64, 1,
					 (const uint8_t *)"pw", 2, salt, 16, out, 32),
			 DMB_ENOTSUP);
	assert_int_equal(pc.crypto.ops->argon2(&pc.crypto, (enum dmb_argon2_type)3, 1, 64, 1,
					       (const uint8_t *)"pw", 2, salt, 16, out, 32),
			 DMB_ENOTSUP);
	assert_int_equal(test_port_live_allocs(), base);
	dmb_posix_crypto_fini(&pc);
}

/* The portable Argon2's memory: m' KiB in one allocation from the port, given
 * back; DMB_ENOMEM when it fails; a caller's block instead of it, left zeroed. */
static void test_memory(void **state)
{
	const struct cli_vector *v = &cli[3]; /* 100 KiB, 4 lanes: m' = 96 KiB */
	uint8_t out[100], want[100];
	uint64_t *block;
	size_t need = dmb_freestanding_argon2_memory_bytes(v->m, v->p);
	long base = test_port_live_allocs();
	struct dmb_argon2_input in = {
		.type = v->type, .t_cost = v->t, .m_cost_kib = v->m, .lanes = v->p,
		.pass = (const uint8_t *)v->pass, .pass_len = strlen(v->pass),
		.salt = (const uint8_t *)v->salt, .salt_len = strlen(v->salt),
	};
	(void)state;
	unhex(v->tag, want, v->len);
	assert_int_equal(need, 96 * 1024);
	assert_int_equal(dmb_freestanding_argon2_memory_bytes(31, 4), 0);
	assert_int_equal(dmb_freestanding_argon2_memory_bytes(32, 4), 32 * 1024);
	assert_int_equal(dmb_freestanding_argon2_memory_bytes(0xffffffffu, 1),
			 sizeof(size_t) > 4 ? (size_t)0xfffffffcu * 1024 : 0);

	test_port_fail_alloc_at(0);
	assert_int_equal(dmb_freestanding_argon2(&in, NULL, 0, out, v->len), 0);
	assert_int_equal(test_port_alloc_count(), 1);
	assert_int_equal(test_port_live_allocs(), base);
	assert_memory_equal(out, want, v->len);

	test_port_fail_alloc_at(1);
	assert_int_equal(dmb_freestanding_argon2(&in, NULL, 0, out, v->len), DMB_ENOMEM);
	test_port_fail_alloc_at(0);

	block = malloc(need + 8);
	assert_non_null(block);
	memset(block, 0x5a, need + 8);
	memset(out, 0, sizeof(out));
	assert_int_equal(dmb_freestanding_argon2(&in, block, need, out, v->len), 0);
	assert_int_equal(test_port_alloc_count(), 0);
	assert_memory_equal(out, want, v->len);
	for (size_t i = 0; i < need / 8; i++)
		assert_int_equal(block[i], 0);
	assert_int_equal(((uint8_t *)block)[need], 0x5a);
	assert_int_equal(dmb_freestanding_argon2(&in, block, need - 1, out, v->len), DMB_EINVAL);
	assert_int_equal(dmb_freestanding_argon2(&in, (uint8_t *)block + 1, need, out, v->len),
			 DMB_EINVAL);
	free(block);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blake2b_kat),
		cmocka_unit_test(test_blake2b_splits),
		cmocka_unit_test(test_rfc9106),
		cmocka_unit_test(test_cli_vectors),
		cmocka_unit_test(test_random_against_host),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
