// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Reed-Solomon codec (lib/verity/rs.c): known answers (generator polynomials
 * multiplied out by hand, and the QR-code "HELLO WORLD" 1-M error correction
 * bytes, which use the same field, roots and byte order), every codeword
 * checked against a slow bit-by-bit evaluation at alpha^0..alpha^(r-1), the
 * lane encoder against the single-codeword one, and random round trips with
 * errors and erasures at full capacity for several root counts; beyond
 * capacity the decoder must fail or land on another codeword, never corrupt
 * silently into a non-codeword.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dmboot/dmboot.h>

#include "verity/rs.h"
#include "helpers.h"

/* GF(2^8) multiplication by shift and add, independent of the codec's tables. */
static uint8_t slow_mul(uint8_t a, uint8_t b)
{
	unsigned x = a, r = 0;

	while (b) {
		if (b & 1)
			r ^= x;
		x <<= 1;
		if (x & 0x100)
			x ^= 0x11d;
		b >>= 1;
	}
	return (uint8_t)r;
}

/* c(alpha^j) for a 255-byte codeword, c[0] the x^254 coefficient. */
static uint8_t slow_syndrome(const uint8_t *c, unsigned j)
{
	uint8_t a = 1, s = 0;

	for (unsigned i = 0; i < j; i++)
		a = slow_mul(a, 2);
	for (unsigned p = 0; p < DMBI_RS_N; p++)
		s = slow_mul(s, a) ^ c[p];
	return s;
}

static bool slow_is_codeword(const uint8_t *c, unsigned r)
{
	for (unsigned j = 0; j < r; j++)
		if (slow_syndrome(c, j))
			return false;
	return true;
}

static struct dmbi_rs *make(unsigned r)
{
	struct dmbi_rs *rs = NULL;

	assert_int_equal(dmbi_rs_create(r, &rs), 0);
	assert_non_null(rs);
	assert_int_equal(rs->nroots, r);
	assert_int_equal(rs->k, 255 - r);
	return rs;
}

static void test_create_limits(void **state)
{
	struct dmbi_rs *rs = (void *)1;

	(void)state;
	assert_int_equal(dmbi_rs_create(1, &rs), DMB_EINVAL);
	assert_null(rs);
	assert_int_equal(dmbi_rs_create(25, &rs), DMB_EINVAL);
	assert_int_equal(dmbi_rs_create(0, &rs), DMB_EINVAL);
	test_port_fail_alloc_at(1);
	assert_int_equal(dmbi_rs_create(8, &rs), DMB_ENOMEM);
	test_port_fail_alloc_at(0);
	dmbi_rs_destroy(NULL);
	assert_int_equal(test_port_live_allocs(), 0);
}

/*
 * (x+1)(x+2) = x^2 + 3x + 2; times (x+4) = x^3 + 7x^2 + 14x + 8; times
 * (x+8) = x^4 + 15x^3 + 54x^2 + 120x + 64 (products in GF(2^8) without
 * reduction, all below 256).
 */
static void test_generator(void **state)
{
	static const uint8_t g2[] = { 2, 3, 1 };
	static const uint8_t g4[] = { 64, 120, 54, 15, 1 };
	struct dmbi_rs *rs;

	(void)state;
	rs = make(2);
	assert_memory_equal(rs->gen, g2, sizeof(g2));
	dmbi_rs_destroy(rs);
	rs = make(4);
	assert_memory_equal(rs->gen, g4, sizeof(g4));
	dmbi_rs_destroy(rs);
}

/*
 * A message that is 1 in its last symbol encodes to x^r mod g(x): g's low
 * coefficients, highest degree first.
 */
static void test_unit_message(void **state)
{
	(void)state;
	for (unsigned r = DMBI_RS_MIN_ROOTS; r <= DMBI_RS_MAX_ROOTS; r++) {
		struct dmbi_rs *rs = make(r);
		uint8_t msg[DMBI_RS_N] = { 0 }, par[DMBI_RS_MAX_ROOTS];

		msg[rs->k - 1] = 1;
		dmbi_rs_encode(rs, msg, par);
		for (unsigned j = 0; j < r; j++)
			assert_int_equal(par[j], rs->gen[r - 1 - j]);
		dmbi_rs_destroy(rs);
	}
}

/*
 * QR code version 1-M, "HELLO WORLD": 16 data codewords and 10 error
 * correction codewords over the same field (0x11d, roots alpha^0..alpha^9).
 * A shortened code is the full code with leading zero symbols.
 */
static void test_qr_vector(void **state)
{
	static const uint8_t data[16] = { 32, 91, 11, 120, 209, 114, 220, 77,
					  67, 64, 236, 17, 236, 17, 236, 17 };
	static const uint8_t ecc[10] = { 196, 35, 39, 119, 235, 215, 231, 226, 93, 23 };
	struct dmbi_rs *rs = make(10);
	uint8_t cw[DMBI_RS_N] = { 0 };

	(void)state;
	memcpy(cw + rs->k - sizeof(data), data, sizeof(data));
	dmbi_rs_encode(rs, cw, cw + rs->k);
	assert_memory_equal(cw + rs->k, ecc, sizeof(ecc));
	assert_true(slow_is_codeword(cw, 10));
	/* Knock out 5 symbols (capacity 10/2) and get it back. */
	for (unsigned i = 0; i < 5; i++)
		cw[rs->k - 16 + 3 * i] ^= (uint8_t)(0x5a + i);
	assert_int_equal(dmbi_rs_decode(rs, cw, NULL, 0), 5);
	assert_memory_equal(cw + rs->k - sizeof(data), data, sizeof(data));
	assert_memory_equal(cw + rs->k, ecc, sizeof(ecc));
	dmbi_rs_destroy(rs);
}

static const unsigned roots_list[] = { 2, 3, 4, 5, 8, 10, 16, 23, 24 };

static void test_encode_is_codeword(void **state)
{
	struct rng g;

	(void)state;
	rng_seed(&g, 1);
	for (size_t t = 0; t < DMBI_ARRAY_SIZE(roots_list); t++) {
		unsigned r = roots_list[t];
		struct dmbi_rs *rs = make(r);

		for (int n = 0; n < 20; n++) {
			uint8_t cw[DMBI_RS_N];

			rng_fill(&g, cw, rs->k);
			dmbi_rs_encode(rs, cw, cw + rs->k);
			assert_true(slow_is_codeword(cw, r));
			assert_int_equal(dmbi_rs_decode(rs, cw, NULL, 0), 0);
		}
		dmbi_rs_destroy(rs);
	}
}

/* Lanes are independent codewords fed symbol by symbol. */
static void test_lanes(void **state)
{
	enum { LANES = 37 };
	struct rng g;

	(void)state;
	rng_seed(&g, 2);
	for (unsigned r = DMBI_RS_MIN_ROOTS; r <= DMBI_RS_MAX_ROOTS; r++) {
		struct dmbi_rs *rs = make(r);
		uint64_t st[LANES * DMBI_RS_MAX_WORDS] = { 0 };
		static uint8_t msg[DMBI_RS_N][LANES];
		uint8_t par[LANES * DMBI_RS_MAX_ROOTS];

		rng_fill(&g, msg, sizeof(msg));
		for (unsigned i = 0; i < rs->k; i++)
			dmbi_rs_lanes_feed(rs, st, msg[i], LANES);
		dmbi_rs_lanes_parity(rs, st, LANES, par);
		for (unsigned c = 0; c < LANES; c++) {
			uint8_t cw[DMBI_RS_N], want[DMBI_RS_MAX_ROOTS];

			for (unsigned i = 0; i < rs->k; i++)
				cw[i] = msg[i][c];
			dmbi_rs_encode(rs, cw, want);
			assert_memory_equal(par + c * r, want, r);
		}
		dmbi_rs_destroy(rs);
	}
}

/* Distinct random positions. */
static void pick(struct rng *g, uint8_t *pos, unsigned n, bool *used)
{
	for (unsigned i = 0; i < n; i++) {
		unsigned p;

		do
			p = (unsigned)rng_below(g, DMBI_RS_N);
		while (used[p]);
		used[p] = true;
		pos[i] = (uint8_t)p;
	}
}

static void test_round_trips(void **state)
{
	struct rng g;

	(void)state;
	rng_seed(&g, 3);
	for (size_t t = 0; t < DMBI_ARRAY_SIZE(roots_list); t++) {
		unsigned r = roots_list[t];
		struct dmbi_rs *rs = make(r);

		for (int n = 0; n < 400; n++) {
			uint8_t cw[DMBI_RS_N], orig[DMBI_RS_N], eras[DMBI_RS_MAX_ROOTS], errs[DMBI_RS_N];
			bool used[DMBI_RS_N] = { false };
			/* f erasures and e errors with 2e + f <= r; the first and
			 * last tries are the pure cases at full capacity. */
			unsigned f = n == 0 ? 0 : n == 1 ? r : (unsigned)rng_below(&g, r + 1);
			unsigned e = (r - f) / 2, changed = 0;
			int res;

			rng_fill(&g, cw, rs->k);
			dmbi_rs_encode(rs, cw, cw + rs->k);
			memcpy(orig, cw, sizeof(cw));
			pick(&g, eras, f, used);
			pick(&g, errs, e, used);
			/* An erased symbol may happen to be right. */
			for (unsigned i = 0; i < f; i++)
				if (rng_below(&g, 4)) {
					cw[eras[i]] ^= (uint8_t)rng_range(&g, 1, 255);
					changed++;
				}
			for (unsigned i = 0; i < e; i++)
				cw[errs[i]] ^= (uint8_t)rng_range(&g, 1, 255);
			changed += e;
			res = dmbi_rs_decode(rs, cw, eras, f);
			assert_int_equal(res, (int)changed);
			assert_memory_equal(cw, orig, sizeof(cw));
		}
		dmbi_rs_destroy(rs);
	}
}

/*
 * Past capacity (2e + f > r) a bounded-distance decoder fails or settles on
 * another codeword within its radius: one that differs from the received
 * word in e' places besides the erasures with 2e' + f <= r.  It must never
 * hand back a non-codeword or go past that radius, and on failure it must
 * leave the input alone.  With few spare roots (r - f small) almost every
 * word is within the radius of some codeword, so only the error-only runs
 * have a detection rate to check: for r >= 8 a wrong codeword turns up in
 * well under 10% of them.
 */
static void test_beyond_capacity(void **state)
{
	struct rng g;

	(void)state;
	rng_seed(&g, 4);
	for (size_t t = 0; t < DMBI_ARRAY_SIZE(roots_list); t++) {
		unsigned r = roots_list[t], detected = 0, plain = 0;
		struct dmbi_rs *rs = make(r);

		for (unsigned n = 0; n < 400; n++) {
			uint8_t cw[DMBI_RS_N], before[DMBI_RS_N], errs[DMBI_RS_N];
			uint8_t eras[DMBI_RS_MAX_ROOTS];
			bool used[DMBI_RS_N] = { false };
			unsigned f = n % 2 ? (unsigned)rng_below(&g, r) : 0;
			unsigned e = (r - f) / 2 + 1 + (unsigned)rng_below(&g, 3), other = 0;
			int res;

			rng_fill(&g, cw, rs->k);
			dmbi_rs_encode(rs, cw, cw + rs->k);
			pick(&g, eras, f, used);
			pick(&g, errs, e, used);
			for (unsigned i = 0; i < f; i++)
				cw[eras[i]] ^= (uint8_t)rng_range(&g, 1, 255);
			for (unsigned i = 0; i < e; i++)
				cw[errs[i]] ^= (uint8_t)rng_range(&g, 1, 255);
			memcpy(before, cw, sizeof(cw));
			res = dmbi_rs_decode(rs, cw, eras, f);
			plain += f == 0;
			if (res < 0) {
				assert_int_equal(res, DMB_EVERIFY);
				assert_memory_equal(cw, before, sizeof(cw));
				detected += f == 0;
				continue;
			}
			assert_true(slow_is_codeword(cw, r));
			for (unsigned p = 0; p < DMBI_RS_N; p++) {
				bool erased = false;

				for (unsigned i = 0; i < f; i++)
					erased |= eras[i] == p;
				other += cw[p] != before[p] && !erased;
			}
			assert_true(2 * other + f <= r);
		}
		if (r >= 8)
			assert_true(detected >= plain * 9 / 10);
		dmbi_rs_destroy(rs);
	}
}

static void test_bad_erasures(void **state)
{
	struct dmbi_rs *rs = make(4);
	uint8_t cw[DMBI_RS_N] = { 0 };
	const uint8_t five[5] = { 0, 1, 2, 3, 4 }, dup[2] = { 7, 7 }, out[1] = { 255 };

	(void)state;
	cw[3] = 1;
	assert_int_equal(dmbi_rs_decode(rs, cw, five, 5), DMB_ERANGE);
	assert_int_equal(dmbi_rs_decode(rs, cw, dup, 2), DMB_EINVAL);
	assert_int_equal(dmbi_rs_decode(rs, cw, out, 1), DMB_EINVAL);
	assert_int_equal(cw[3], 1);
	/* The all-zero word with erasures is already a codeword. */
	cw[3] = 0;
	assert_int_equal(dmbi_rs_decode(rs, cw, five, 4), 0);
	dmbi_rs_destroy(rs);
}

/* Errors in the parity symbols are corrected like any other. */
static void test_parity_errors(void **state)
{
	struct dmbi_rs *rs = make(8);
	uint8_t cw[DMBI_RS_N], orig[DMBI_RS_N];
	const uint8_t eras[4] = { 251, 252, 253, 254 };
	struct rng g;

	(void)state;
	rng_seed(&g, 5);
	rng_fill(&g, cw, rs->k);
	dmbi_rs_encode(rs, cw, cw + rs->k);
	memcpy(orig, cw, sizeof(cw));
	for (unsigned p = 247; p < 255; p += 2)
		cw[p] ^= 0xff;
	assert_int_equal(dmbi_rs_decode(rs, cw, NULL, 0), 4);
	assert_memory_equal(cw, orig, sizeof(cw));
	memset(cw + 251, 0, 4);
	cw[0] ^= 1;
	cw[100] ^= 2;
	assert_true(dmbi_rs_decode(rs, cw, eras, 4) >= 2);
	assert_memory_equal(cw, orig, sizeof(cw));
	dmbi_rs_destroy(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_limits),
		cmocka_unit_test(test_generator),
		cmocka_unit_test(test_unit_message),
		cmocka_unit_test(test_qr_vector),
		cmocka_unit_test(test_encode_is_codeword),
		cmocka_unit_test(test_lanes),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_beyond_capacity),
		cmocka_unit_test(test_bad_erasures),
		cmocka_unit_test(test_parity_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
