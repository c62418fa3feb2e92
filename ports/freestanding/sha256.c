// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The freestanding port's crypto provider (<dmboot/crypto.h>), in portable
 * C with no libc: what a bootloader without a crypto library of its own
 * would hand to lib/ to map dm-verity devices and derive LUKS2 Argon2 keys.
 * SHA-256 (FIPS 180-4) is here; BLAKE2b (RFC 7693, blake2b.c) and Argon2
 * (RFC 9106, argon2.c) come from their own files.  Digest states come from
 * dmb_port_malloc(); there is no PBKDF2, cipher or signature check, so what
 * needs one fails closed with DMB_ENOTSUP.
 */
#include <dmboot/dmboot.h>

#include "freestanding.h"

struct sha256 {
	uint32_t h[8];
	uint64_t bytes;       /* message length so far */
	uint8_t block[64];    /* pending input, bytes % 64 of it */
};

struct dmb_digest {
	size_t blake2b_len; /* 0: SHA-256; else BLAKE2b of this many bytes */
	union {
		struct sha256 sha;
		struct dmb_blake2b b2;
	} u;
};

static const uint32_t k[64] = {
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

static void compress(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[64], s[8];

	for (unsigned i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (unsigned i = 16; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ w[i - 15] >> 3;
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ w[i - 2] >> 10;

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	for (unsigned i = 0; i < 8; i++)
		s[i] = h[i];
	for (unsigned i = 0; i < 64; i++) {
		uint32_t t1 = s[7] + (ror(s[4], 6) ^ ror(s[4], 11) ^ ror(s[4], 25)) +
			      ((s[4] & s[5]) ^ (~s[4] & s[6])) + k[i] + w[i];
		uint32_t t2 = (ror(s[0], 2) ^ ror(s[0], 13) ^ ror(s[0], 22)) +
			      ((s[0] & s[1]) ^ (s[0] & s[2]) ^ (s[1] & s[2]));

		s[7] = s[6];
		s[6] = s[5];
		s[5] = s[4];
		s[4] = s[3] + t1;
		s[3] = s[2];
		s[2] = s[1];
		s[1] = s[0];
		s[0] = t1 + t2;
	}
	for (unsigned i = 0; i < 8; i++)
		h[i] += s[i];
}

static void sha256_init(struct sha256 *d)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };

	for (unsigned i = 0; i < 8; i++)
		d->h[i] = iv[i];
	d->bytes = 0;
}

static void sha256_update(struct sha256 *d, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t have = (size_t)(d->bytes % 64);

	d->bytes += len;
	if (have) {
		size_t n = 64 - have < len ? 64 - have : len;

		memcpy(d->block + have, p, n);
		p += n;
		len -= n;
		if (have + n < 64)
			return;
		compress(d->h, d->block);
	}
	for (; len >= 64; p += 64, len -= 64)
		compress(d->h, p);
	if (len)
		memcpy(d->block, p, len);
}

static void sha256_final(struct sha256 *d, uint8_t *out)
{
	uint64_t bits = d->bytes * 8;
	size_t have = (size_t)(d->bytes % 64);

	d->block[have++] = 0x80;
	if (have > 56) {
		memset(d->block + have, 0, 64 - have);
		compress(d->h, d->block);
		have = 0;
	}
	memset(d->block + have, 0, 56 - have);
	for (unsigned i = 0; i < 8; i++)
		d->block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	compress(d->h, d->block);
	for (unsigned i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(d->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(d->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(d->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)d->h[i];
	}
}

static int digest_init(struct dmb_digest *d)
{
	if (d->blake2b_len)
		return dmb_freestanding_blake2b_init(&d->u.b2, d->blake2b_len);
	sha256_init(&d->u.sha);
	return 0;
}

static int digest_update(struct dmb_digest *d, const void *data, size_t len)
{
	if (d->blake2b_len)
		dmb_freestanding_blake2b_update(&d->u.b2, data, len);
	else
		sha256_update(&d->u.sha, data, len);
	return 0;
}

static int digest_final(struct dmb_digest *d, uint8_t *out)
{
	if (d->blake2b_len)
		dmb_freestanding_blake2b_final(&d->u.b2, out);
	else
		sha256_final(&d->u.sha, out);
	return 0;
}

static int digest_copy(struct dmb_digest *dst, const struct dmb_digest *src)
{
	*dst = *src;
	return 0;
}

static void digest_destroy(struct dmb_digest *d)
{
	if (d)
		dmb_wipe(d, sizeof(*d));
	dmb_port_free(d);
}

static bool streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static int digest_create(const struct dmb_crypto *c, const char *name, struct dmb_digest **out,
			 size_t *size)
{
	struct dmb_digest *d;
	size_t len;

	(void)c;
	if (streq(name, "sha256"))
		len = 0;
	else if (streq(name, "blake2b-512"))
		len = 64;
	else if (streq(name, "blake2b-256"))
		len = 32;
	else
		return DMB_ENOTSUP;
	d = dmb_port_malloc(sizeof(*d));
	if (!d)
		return DMB_ENOMEM;
	d->blake2b_len = len;
	digest_init(d);
	*out = d;
	*size = len ? len : 32;
	return 0;
}

static const struct dmb_crypto_ops ops = {
	.digest_create = digest_create,
	.digest_init = digest_init,
	.digest_update = digest_update,
	.digest_final = digest_final,
	.digest_copy = digest_copy,
	.digest_destroy = digest_destroy,
	.argon2 = dmb_freestanding_argon2_op,
};

const struct dmb_crypto dmb_freestanding_crypto = { &ops, NULL };
