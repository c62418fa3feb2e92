// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * BLAKE2b (RFC 7693) in portable C with no libc: unkeyed, any digest length
 * from 1 to 64 bytes, streaming.  Argon2 (argon2.c, RFC 9106 §3.2-§3.3) is
 * built on it, and the freestanding crypto provider (sha256.c) offers it as
 * the digests "blake2b-512" and "blake2b-256".  Words are loaded and stored
 * little-endian byte by byte, so the code does not depend on the host's
 * byte order.
 */
#include "freestanding.h"

/* RFC 7693 §2.6: the SHA-512 initial values. */
static const uint64_t iv[8] = {
	0x6a09e667f3bcc908ull, 0xbb67ae8584caa73bull, 0x3c6ef372fe94f82bull,
	0xa54ff53a5f1d36f1ull, 0x510e527fade682d1ull, 0x9b05688c2b3e6c1full,
	0x1f83d9abfb41bd6bull, 0x5be0cd19137e2179ull,
};

/* RFC 7693 §2.7: the message word schedule of each round (rounds 10 and 11
 * reuse rows 0 and 1). */
static const uint8_t sigma[12][16] = {
	{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	{ 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 },
	{ 11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4 },
	{ 7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8 },
	{ 9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13 },
	{ 2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9 },
	{ 12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11 },
	{ 13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10 },
	{ 6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5 },
	{ 10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0 },
	{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	{ 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 },
};

static uint64_t load64(const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static uint64_t rotr64(uint64_t x, unsigned n)
{
	return x >> n | x << (64 - n);
}

/* RFC 7693 §3.1, the mixing function G. */
static void mix(uint64_t v[16], unsigned a, unsigned b, unsigned c, unsigned d, uint64_t x,
		uint64_t y)
{
	v[a] = v[a] + v[b] + x;
	v[d] = rotr64(v[d] ^ v[a], 32);
	v[c] = v[c] + v[d];
	v[b] = rotr64(v[b] ^ v[c], 24);
	v[a] = v[a] + v[b] + y;
	v[d] = rotr64(v[d] ^ v[a], 16);
	v[c] = v[c] + v[d];
	v[b] = rotr64(v[b] ^ v[c], 63);
}

/* RFC 7693 §3.2, the compression function F over one 128-byte block. */
static void compress(struct dmb_blake2b *s, const uint8_t *block, bool last)
{
	uint64_t v[16], m[16];

	for (unsigned i = 0; i < 16; i++)
		m[i] = load64(block + 8 * i);
	for (unsigned i = 0; i < 8; i++) {
		v[i] = s->h[i];
		v[i + 8] = iv[i];
	}
	v[12] ^= s->t[0];
	v[13] ^= s->t[1];
	if (last)
		v[14] = ~v[14];
	for (unsigned r = 0; r < 12; r++) {
		const uint8_t *z = sigma[r];

		mix(v, 0, 4, 8, 12, m[z[0]], m[z[1]]);
		mix(v, 1, 5, 9, 13, m[z[2]], m[z[3]]);
		mix(v, 2, 6, 10, 14, m[z[4]], m[z[5]]);
		mix(v, 3, 7, 11, 15, m[z[6]], m[z[7]]);
		mix(v, 0, 5, 10, 15, m[z[8]], m[z[9]]);
		mix(v, 1, 6, 11, 12, m[z[10]], m[z[11]]);
		mix(v, 2, 7, 8, 13, m[z[12]], m[z[13]]);
		mix(v, 3, 4, 9, 14, m[z[14]], m[z[15]]);
	}
	for (unsigned i = 0; i < 8; i++)
		s->h[i] ^= v[i] ^ v[i + 8];
	dmb_wipe(v, sizeof(v));
	dmb_wipe(m, sizeof(m));
}

int dmb_freestanding_blake2b_init(struct dmb_blake2b *s, size_t out_len)
{
	if (out_len < 1 || out_len > 64)
		return DMB_EINVAL;
	for (unsigned i = 0; i < 8; i++)
		s->h[i] = iv[i];
	/* Parameter block: digest length, no key, fanout 1, depth 1. */
	s->h[0] ^= 0x01010000ull ^ (uint64_t)out_len;
	s->t[0] = s->t[1] = 0;
	s->fill = 0;
	s->out_len = out_len;
	return 0;
}

static void count(struct dmb_blake2b *s, uint64_t n)
{
	s->t[0] += n;
	if (s->t[0] < n)
		s->t[1]++;
}

void dmb_freestanding_blake2b_update(struct dmb_blake2b *s, const void *data, size_t len)
{
	const uint8_t *p = data;

	/* The last block must be compressed with the final flag, so a full
	 * buffer waits until more input proves it is not the last. */
	while (len) {
		size_t n;

		if (s->fill == sizeof(s->buf)) {
			count(s, sizeof(s->buf));
			compress(s, s->buf, false);
			s->fill = 0;
		}
		n = sizeof(s->buf) - s->fill < len ? sizeof(s->buf) - s->fill : len;
		memcpy(s->buf + s->fill, p, n);
		s->fill += n;
		p += n;
		len -= n;
	}
}

void dmb_freestanding_blake2b_final(struct dmb_blake2b *s, uint8_t *out)
{
	count(s, s->fill);
	memset(s->buf + s->fill, 0, sizeof(s->buf) - s->fill);
	compress(s, s->buf, true);
	for (size_t i = 0; i < s->out_len; i++)
		out[i] = (uint8_t)(s->h[i / 8] >> (8 * (i % 8)));
	dmb_wipe(s, sizeof(*s));
}
