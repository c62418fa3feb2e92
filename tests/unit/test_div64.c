// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Division without runtime helpers (lib/base/div64.h) against the
 * compiler's own 64-bit division: the edge cases, then random operands of
 * every size; and the other division-free helpers built for 32-bit
 * targets: the overflow-checked multiplication and the FEC round lookup.
 */
#include "helpers.h"

#include "base/base.h"
#include "verity/fec_layout.h"

static void check_div(uint64_t n, uint32_t d)
{
	uint32_t rem = 0xdeadbeef, rem_long = 0xdeadbeef;
	uint64_t q = dmbi_udiv64(n, d, &rem), q_long = dmbi_udiv64_long(n, d, &rem_long);

	if (q != n / d || rem != n % d || q_long != n / d || rem_long != n % d)
		fail_msg("%llu / %u: native %llu rem %llu, dmbi_udiv64 %llu rem %u, long %llu rem %u",
			 (unsigned long long)n, d, (unsigned long long)(n / d),
			 (unsigned long long)(n % d), (unsigned long long)q, rem,
			 (unsigned long long)q_long, rem_long);
	assert_int_equal(dmbi_udiv64(n, d, NULL), n / d);
	assert_int_equal(dmbi_udiv64_long(n, d, NULL), n / d);
	assert_int_equal(dmbi_umod64(n, d), n % d);
}

static void test_div64_edges(void **state)
{
	static const uint64_t ns[] = { 0, 1, 2, 9, 10, 0xffff, 0x10000, 0xffffffffu, 0x100000000ull,
				       0x1ffffffffull, 0xfffffffeffffffffull, UINT64_MAX - 1, UINT64_MAX,
				       0x8000000000000000ull, 0x7fffffffffffffffull };
	static const uint32_t ds[] = { 1, 2, 3, 7, 10, 16, 255, 0xfffe, 0xffff, 0x10000, 0x10001,
				       0x7fffffff, 0x80000000u, 0x80000001u, 0xfffffffeu, UINT32_MAX };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ns); i++)
		for (size_t j = 0; j < ARRAY_SIZE(ds); j++)
			check_div(ns[i], ds[j]);
	/* Quotient and remainder at their largest. */
	check_div((uint64_t)UINT32_MAX * UINT32_MAX + (UINT32_MAX - 1), UINT32_MAX);
	check_div(UINT64_MAX, 1);
	check_div(UINT64_MAX, UINT32_MAX);
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* Random operands of random widths, so that every path of the long division runs. */
static void test_div64_random(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 200000; i++) {
		uint64_t n = rnd() >> (rnd() % 64);
		uint32_t d = (uint32_t)(rnd() >> (32 + rnd() % 32));

		check_div(n, d ? d : 1);
	}
}

static void test_mul_u64(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 200000; i++) {
		uint64_t a = rnd() >> (rnd() % 64), b = rnd() >> (rnd() % 64), r = 0;
		bool fits = a == 0 || b <= UINT64_MAX / a;

		assert_int_equal(dmbi_mul_u64(a, b, &r), fits);
		if (fits)
			assert_int_equal(r, a * b);
	}
	uint64_t r;

	assert_true(dmbi_mul_u64(0xffffffffu, 0xffffffffu, &r));
	assert_int_equal(r, 0xfffffffe00000001ull);
	assert_true(dmbi_mul_u64(0x100000000ull, 0xffffffffu, &r));
	assert_false(dmbi_mul_u64(0x100000000ull, 0x100000000ull, &r));
	assert_true(dmbi_mul_u64(0x1ffffffffull, 0x80000000u, &r));
	assert_false(dmbi_mul_u64(0x200000000ull, 0x80000000u, &r));
	assert_true(dmbi_mul_u64(UINT64_MAX, 1, &r));
	assert_false(dmbi_mul_u64(UINT64_MAX, 2, &r));
}

/* dmbi_fec_locate() is m / rounds and m % rounds for every m below rounds * rsn. */
static void test_fec_locate(void **state)
{
	static const uint64_t rounds[] = { 1, 2, 3, 255, 4096, 0x100000001ull,
					   UINT64_MAX / 253 }; /* rounds * rsn fits (fec_layout.h) */

	(void)state;
	for (size_t k = 0; k < ARRAY_SIZE(rounds); k++) {
		for (unsigned rsn = 231; rsn <= 253; rsn += 11) {
			for (unsigned t = 0; t < 2000; t++) {
				uint64_t m = t < 1000 ? t : rnd() % (rounds[k] * rsn), n;
				unsigned i;

				if (m >= rounds[k] * rsn)
					continue;
				dmbi_fec_locate(rounds[k], m, &n, &i);
				assert_int_equal(i, m / rounds[k]);
				assert_int_equal(n, m % rounds[k]);
			}
			uint64_t n, last = rounds[k] * rsn - 1;
			unsigned i;

			dmbi_fec_locate(rounds[k], last, &n, &i);
			assert_int_equal(i, rsn - 1);
			assert_int_equal(n, rounds[k] - 1);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_div64_edges),
		cmocka_unit_test(test_div64_random),
		cmocka_unit_test(test_mul_u64),
		cmocka_unit_test(test_fec_locate),
	};

	return cmocka_run_group_tests_name("div64", tests, NULL, NULL);
}
