// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * SHA-256's compression function (FIPS 180-4 §6.2.2) in portable C, one
 * message at a time: the backend every build has, and the one a bootloader
 * without a digest of its own verifies dm-verity with.  Small rather than
 * fast; the hardware backends are in sha256_shani.c and sha256_armv8.c.
 */
#include "endian.h"
#include "sha256.h"

const uint32_t dmbi_sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

static uint32_t ror(uint32_t x, unsigned n)
{
	return x >> n | x << (32 - n);
}

/* One round; the caller renames the eight working variables instead of moving them. */
#define ROUND(a, b, c, d, e, f, g, h, i)                                                      \
	do {                                                                                  \
		uint32_t t1 = h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + \
			      dmbi_sha256_k[i] + w[i];                                          \
		uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c)); \
		d += t1;                                                                      \
		h = t1 + t2;                                                                  \
	} while (0)

static void compress(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[64];
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], x = h[7];

	for (unsigned i = 0; i < 16; i++)
		w[i] = dmbi_get_be32(p + 4 * i);
	for (unsigned i = 16; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ w[i - 15] >> 3;
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ w[i - 2] >> 10;

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	for (unsigned i = 0; i < 64; i += 8) {
		ROUND(a, b, c, d, e, f, g, x, i);
		ROUND(x, a, b, c, d, e, f, g, i + 1);
		ROUND(g, x, a, b, c, d, e, f, i + 2);
		ROUND(f, g, x, a, b, c, d, e, i + 3);
		ROUND(e, f, g, x, a, b, c, d, i + 4);
		ROUND(d, e, f, g, x, a, b, c, i + 5);
		ROUND(c, d, e, f, g, x, a, b, i + 6);
		ROUND(b, c, d, e, f, g, x, a, i + 7);
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	h[5] += f;
	h[6] += g;
	h[7] += x;
}

void dmbi_sha256_portable_x1(uint32_t (*h)[8], const uint8_t *const *p, size_t nblocks)
{
	for (size_t b = 0; b < nblocks; b++)
		compress(h[0], p[0] + 64 * b);
}
