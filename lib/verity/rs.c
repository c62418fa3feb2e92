// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Reed-Solomon over GF(2^8) for dm-verity FEC (formats.md §2.3; the code
 * Linux's dm-verity-fec and cryptsetup's veritysetup use: field polynomial
 * 0x11d, first consecutive root alpha^0, alpha = x, RS(255, 255 - nroots)).
 * Encoding divides m(x) * x^nroots by g(x) with a shift register kept in
 * 64-bit words, so one message symbol costs a shift and an xor per word; the
 * lane interface runs that register for thousands of interleaved codewords
 * at once.  Decoding computes syndromes, runs Berlekamp-Massey seeded with
 * the erasure locator, finds the error positions by Chien search and their
 * values by Forney's formula, then re-checks the corrected codeword.
 *
 * Codeword position p (0 = first message symbol) is the coefficient of
 * x^(254 - p), so its locator is X_p = alpha^(254 - p) and X_p^-1 =
 * alpha^(p + 1).
 */
#include "rs.h"

#define GF_POLY 0x11d

static uint8_t gf_mul(const struct dmbi_rs *rs, uint8_t a, uint8_t b)
{
	if (!a || !b)
		return 0;
	return rs->exp[rs->log[a] + rs->log[b]];
}

static uint8_t gf_div(const struct dmbi_rs *rs, uint8_t a, uint8_t b)
{
	/* b != 0 is the caller's invariant. */
	if (!a)
		return 0;
	return rs->exp[rs->log[a] + DMBI_RS_N - rs->log[b]];
}

/* alpha^e for any e >= 0. */
static uint8_t gf_pow(const struct dmbi_rs *rs, unsigned e)
{
	return rs->exp[e % DMBI_RS_N];
}

int dmbi_rs_create(unsigned nroots, struct dmbi_rs **out)
{
	struct dmbi_rs *rs;
	unsigned v = 1;

	*out = NULL;
	if (nroots < DMBI_RS_MIN_ROOTS || nroots > DMBI_RS_MAX_ROOTS)
		return DMB_EINVAL;
	rs = dmbi_calloc(1, sizeof(*rs));
	if (!rs)
		return DMB_ENOMEM;
	rs->nroots = nroots;
	rs->k = DMBI_RS_N - nroots;
	rs->words = (nroots + 7) / 8;

	for (unsigned i = 0; i < DMBI_RS_N; i++) {
		rs->exp[i] = (uint8_t)v;
		rs->exp[i + DMBI_RS_N] = (uint8_t)v;
		rs->log[v] = (uint8_t)i;
		v <<= 1;
		if (v & 0x100)
			v ^= GF_POLY;
	}

	/* g(x) = (x + alpha^0)(x + alpha^1)...(x + alpha^(nroots-1)) */
	rs->gen[0] = 1;
	for (unsigned i = 0; i < nroots; i++) {
		uint8_t root = rs->exp[i];

		rs->gen[i + 1] = rs->gen[i];
		for (unsigned j = i; j > 0; j--)
			rs->gen[j] = rs->gen[j - 1] ^ gf_mul(rs, rs->gen[j], root);
		rs->gen[0] = gf_mul(rs, rs->gen[0], root);
	}

	/*
	 * Register byte j holds the x^(nroots-1-j) coefficient of the running
	 * remainder.  Feeding symbol m: f = m + byte 0; the remainder times x
	 * loses its x^nroots term f, which g(x) replaces by f times g's lower
	 * coefficients: byte j takes byte j+1 xor f * gen[nroots-1-j].
	 */
	for (unsigned f = 0; f < 256; f++)
		for (unsigned j = 0; j < nroots; j++) {
			uint8_t c = gf_mul(rs, (uint8_t)f, rs->gen[nroots - 1 - j]);

			rs->enc[f * rs->words + j / 8] |= (uint64_t)c << (8 * (j % 8));
		}
	*out = rs;
	return 0;
}

void dmbi_rs_destroy(struct dmbi_rs *rs)
{
	dmb_port_free(rs);
}

/*
 * The register update for each word count.  Bytes past nroots stay zero:
 * the table has none there and the shift brings in zeros from the top.
 */
void dmbi_rs_lanes_feed(const struct dmbi_rs *rs, uint64_t *state, const uint8_t *msg, size_t n)
{
	const uint64_t *t = rs->enc;

	switch (rs->words) {
	case 1:
		for (size_t c = 0; c < n; c++) {
			uint64_t s0 = state[c];
			const uint64_t *e = t + ((s0 ^ msg[c]) & 0xff);

			state[c] = (s0 >> 8) ^ e[0];
		}
		break;
	case 2:
		for (size_t c = 0; c < n; c++) {
			uint64_t *s = state + 2 * c;
			uint64_t s0 = s[0], s1 = s[1];
			const uint64_t *e = t + 2 * ((s0 ^ msg[c]) & 0xff);

			s[0] = ((s0 >> 8) | (s1 << 56)) ^ e[0];
			s[1] = (s1 >> 8) ^ e[1];
		}
		break;
	default:
		for (size_t c = 0; c < n; c++) {
			uint64_t *s = state + 3 * c;
			uint64_t s0 = s[0], s1 = s[1], s2 = s[2];
			const uint64_t *e = t + 3 * ((s0 ^ msg[c]) & 0xff);

			s[0] = ((s0 >> 8) | (s1 << 56)) ^ e[0];
			s[1] = ((s1 >> 8) | (s2 << 56)) ^ e[1];
			s[2] = (s2 >> 8) ^ e[2];
		}
		break;
	}
}

void dmbi_rs_lanes_parity(const struct dmbi_rs *rs, const uint64_t *state, size_t n, uint8_t *out)
{
	const unsigned r = rs->nroots, w = rs->words;

	for (size_t c = 0; c < n; c++, state += w, out += r)
		for (unsigned j = 0; j < r; j++)
			out[j] = (uint8_t)(state[j / 8] >> (8 * (j % 8)));
}

void dmbi_rs_encode(const struct dmbi_rs *rs, const uint8_t *data, uint8_t *parity)
{
	uint64_t state[DMBI_RS_MAX_WORDS] = { 0 };

	for (unsigned i = 0; i < rs->k; i++)
		dmbi_rs_lanes_feed(rs, state, &data[i], 1);
	dmbi_rs_lanes_parity(rs, state, 1, parity);
}

/* True when cw is a codeword: its parity is what the message encodes to. */
static bool is_codeword(const struct dmbi_rs *rs, const uint8_t *cw)
{
	uint8_t parity[DMBI_RS_MAX_ROOTS];

	dmbi_rs_encode(rs, cw, parity);
	return memcmp(parity, cw + rs->k, rs->nroots) == 0;
}

/* p(x) at x = alpha^e, p of degree <= deg. */
static uint8_t poly_eval(const struct dmbi_rs *rs, const uint8_t *p, unsigned deg, unsigned e)
{
	uint8_t x = gf_pow(rs, e), v = 0;

	for (unsigned i = deg + 1; i-- > 0;)
		v = gf_mul(rs, v, x) ^ p[i];
	return v;
}

int dmbi_rs_decode(const struct dmbi_rs *rs, uint8_t *cw, const uint8_t *eras, unsigned neras)
{
	const unsigned r = rs->nroots;
	uint8_t s[DMBI_RS_MAX_ROOTS];          /* syndromes c(alpha^j) */
	uint8_t lambda[DMBI_RS_MAX_ROOTS + 1]; /* error-and-erasure locator */
	uint8_t b[DMBI_RS_MAX_ROOTS + 1], t[DMBI_RS_MAX_ROOTS + 1];
	uint8_t omega[DMBI_RS_MAX_ROOTS];      /* evaluator S(x) lambda(x) mod x^r */
	uint8_t pos[DMBI_RS_MAX_ROOTS];
	uint8_t fixed[DMBI_RS_N];
	unsigned deg, npos = 0, L, changed = 0;
	bool seen[DMBI_RS_N] = { false };

	if (neras > r)
		return DMB_ERANGE;
	for (unsigned i = 0; i < neras; i++) {
		if (eras[i] >= DMBI_RS_N || seen[eras[i]])
			return DMB_EINVAL;
		seen[eras[i]] = true;
	}
	if (is_codeword(rs, cw))
		return 0;

	memset(s, 0, sizeof(s));
	for (unsigned p = 0; p < DMBI_RS_N; p++)
		for (unsigned j = 0; j < r; j++)
			s[j] = (s[j] ? rs->exp[rs->log[s[j]] + j] : 0) ^ cw[p];

	/* Seed with the erasure locator prod(1 + X_e x). */
	memset(lambda, 0, sizeof(lambda));
	lambda[0] = 1;
	for (unsigned i = 0; i < neras; i++) {
		uint8_t x = gf_pow(rs, DMBI_RS_N - 1 - eras[i]);

		for (unsigned j = i + 1; j > 0; j--)
			lambda[j] ^= gf_mul(rs, lambda[j - 1], x);
	}
	memcpy(b, lambda, sizeof(b));
	L = neras;

	/* Berlekamp-Massey over the syndromes the erasures leave free. */
	for (unsigned k = neras + 1; k <= r; k++) {
		uint8_t d = 0;

		for (unsigned i = 0; i < k; i++)
			d ^= gf_mul(rs, lambda[i], s[k - 1 - i]);
		if (d == 0) {
			memmove(b + 1, b, r);
			b[0] = 0;
			continue;
		}
		t[0] = lambda[0];
		for (unsigned i = 1; i <= r; i++)
			t[i] = lambda[i] ^ gf_mul(rs, d, b[i - 1]);
		if (2 * L <= k + neras - 1) {
			L = k + neras - L;
			for (unsigned i = 0; i <= r; i++)
				b[i] = gf_div(rs, lambda[i], d);
		} else {
			memmove(b + 1, b, r);
			b[0] = 0;
		}
		memcpy(lambda, t, sizeof(lambda));
	}
	deg = r;
	while (deg > 0 && lambda[deg] == 0)
		deg--;
	/*
	 * Bounded distance: deg - neras errors besides the erasures, and only
	 * 2 * errors + erasures <= nroots are guaranteed to be the nearest
	 * codeword.  A longer locator is a guess; refuse it.
	 */
	if (deg == 0 || 2 * deg > r + neras)
		return DMB_EVERIFY;

	/* Chien search: position p is in error when lambda(X_p^-1) = 0. */
	for (unsigned p = 0; p < DMBI_RS_N && npos < deg; p++)
		if (poly_eval(rs, lambda, deg, p + 1) == 0)
			pos[npos++] = (uint8_t)p;
	if (npos != deg)
		return DMB_EVERIFY;

	for (unsigned i = 0; i < r; i++) {
		omega[i] = 0;
		for (unsigned j = 0; j <= i; j++)
			omega[i] ^= gf_mul(rs, s[j], lambda[i - j]);
	}

	/* Forney with first root alpha^0: e = X omega(X^-1) / lambda'(X^-1). */
	memcpy(fixed, cw, DMBI_RS_N);
	for (unsigned i = 0; i < npos; i++) {
		unsigned p = pos[i];
		uint8_t num = poly_eval(rs, omega, r - 1, p + 1), den = 0;

		for (unsigned j = 1; j <= deg; j += 2)
			den ^= gf_mul(rs, lambda[j], gf_pow(rs, (p + 1) * (j - 1)));
		if (den == 0)
			return DMB_EVERIFY;
		uint8_t e = gf_mul(rs, gf_pow(rs, DMBI_RS_N - 1 - p), gf_div(rs, num, den));

		if (e) {
			fixed[p] ^= e;
			changed++;
		}
	}
	/* Guard against a locator whose roots fit but do not explain the syndromes. */
	if (!is_codeword(rs, fixed))
		return DMB_EVERIFY;
	memcpy(cw, fixed, DMBI_RS_N);
	return (int)changed;
}
