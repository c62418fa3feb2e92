// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The library's own SHA-256 (FIPS 180-4): streaming init/update/final, and
 * dmb_sha256_many(), which hashes equal-length messages that continue from
 * one state (dm-verity's salt, hashed once) a few at a time, so that a core
 * whose SHA instructions have a longer latency than issue interval keeps
 * them busy.  The backend is a value the caller keeps (no global state):
 * portable C (sha256_portable.c), x86-64 SHA extensions (sha256_shani.c,
 * CPUID read here) or the ARMv8 cryptographic extension (sha256_armv8.c,
 * which the port vouches for).
 */
#include "endian.h"
#include "sha256.h"
#include "str.h"

static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
				0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };

/* The most lanes each backend has, as built; 0: not in this build. */
static unsigned kind_lanes(enum dmb_sha256_kind kind)
{
	switch (kind) {
	case DMB_SHA256_PORTABLE:
		return 1;
#ifdef DMBI_SHA256_HAVE_SHANI
	case DMB_SHA256_SHANI:
		return 4;
#endif
#ifdef DMBI_SHA256_HAVE_ARMV8
	case DMB_SHA256_ARMV8:
		return 2;
#endif
	default:
		return 0;
	}
}

static bool kind_runs(enum dmb_sha256_kind kind, unsigned cpu)
{
	(void)cpu;
	switch (kind) {
	case DMB_SHA256_PORTABLE:
		return true;
#ifdef DMBI_SHA256_HAVE_SHANI
	case DMB_SHA256_SHANI:
		return dmbi_sha256_shani_usable();
#endif
#ifdef DMBI_SHA256_HAVE_ARMV8
	case DMB_SHA256_ARMV8:
#ifdef DMBOOT_SHA256_ASSUME_ARMV8
		return true;
#else
		return (cpu & DMB_SHA256_CPU_ARMV8) != 0;
#endif
#endif
	default:
		return false;
	}
}

static int pick(struct dmb_sha256_backend *b, enum dmb_sha256_kind kind, unsigned max_lanes,
		unsigned cpu)
{
	unsigned lanes = kind_lanes(kind);

	b->kind = DMB_SHA256_PORTABLE;
	b->lanes = 1;
	if (!lanes || !kind_runs(kind, cpu))
		return DMB_ENOTSUP;
	while (lanes > 1 && lanes > max_lanes)
		lanes >>= 1;
	b->kind = kind;
	b->lanes = lanes;
	return 0;
}

int dmb_sha256_backend_pick(struct dmb_sha256_backend *b, enum dmb_sha256_kind kind,
			    unsigned max_lanes, unsigned cpu)
{
	return pick(b, kind, max_lanes, cpu);
}

/* On failure pick() leaves the portable backend, the last resort. */
void dmb_sha256_backend_best(struct dmb_sha256_backend *b, unsigned cpu)
{
	if (pick(b, DMB_SHA256_SHANI, DMB_SHA256_MAX_LANES, cpu))
		pick(b, DMB_SHA256_ARMV8, DMB_SHA256_MAX_LANES, cpu);
}

const char *dmb_sha256_backend_name(const struct dmb_sha256_backend *b)
{
	switch (b ? b->kind : DMB_SHA256_PORTABLE) {
	case DMB_SHA256_SHANI:
		return "sha-ni";
	case DMB_SHA256_ARMV8:
		return "armv8";
	default:
		return "portable";
	}
}

/*
 * The compression function for `lanes` messages (1, 2 or 4) on backend kind;
 * a lane count the backend lacks is served by its next smaller one, so a
 * hand-made or zeroed backend struct still works (portable, 1 lane).
 */
static dmbi_sha256_blocks_fn *blocks_fn(enum dmb_sha256_kind kind, unsigned *lanes)
{
	unsigned max = kind_lanes(kind);

	if (*lanes > max)
		*lanes = max;
	switch (kind) {
#ifdef DMBI_SHA256_HAVE_SHANI
	case DMB_SHA256_SHANI:
		if (*lanes >= 4) {
			*lanes = 4;
			return dmbi_sha256_shani_x4;
		}
		if (*lanes == 2)
			return dmbi_sha256_shani_x2;
		*lanes = 1;
		return dmbi_sha256_shani_x1;
#endif
#ifdef DMBI_SHA256_HAVE_ARMV8
	case DMB_SHA256_ARMV8:
		if (*lanes >= 2) {
			*lanes = 2;
			return dmbi_sha256_armv8_x2;
		}
		*lanes = 1;
		return dmbi_sha256_armv8_x1;
#endif
	default:
		*lanes = 1;
		return dmbi_sha256_portable_x1;
	}
}

void dmb_sha256_init(struct dmb_sha256 *s, const struct dmb_sha256_backend *b)
{
	memcpy(s->h, iv, sizeof(iv));
	s->bytes = 0;
	s->backend.kind = b ? b->kind : DMB_SHA256_PORTABLE;
	s->backend.lanes = b ? b->lanes : 1;
}

static void compress1(const struct dmb_sha256 *s, uint32_t h[8], const uint8_t *p, size_t n)
{
	unsigned lanes = 1;
	const uint8_t *ps[1] = { p };

	blocks_fn(s->backend.kind, &lanes)((uint32_t(*)[8])h, ps, n);
}

void dmb_sha256_update(struct dmb_sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t have = (size_t)(s->bytes % 64);

	s->bytes += len;
	if (have) {
		size_t n = 64 - have < len ? 64 - have : len;

		memcpy(s->buf + have, p, n);
		p += n;
		len -= n;
		if (have + n < 64)
			return;
		compress1(s, s->h, s->buf, 1);
	}
	if (len >= 64)
		compress1(s, s->h, p, len / 64);
	p += len / 64 * 64;
	if (len % 64)
		memcpy(s->buf, p, len % 64);
}

static void put_be64(uint8_t *p, uint64_t v)
{
	dmbi_put_be32(p, (uint32_t)(v >> 32));
	dmbi_put_be32(p + 4, (uint32_t)v);
}

static void put_digest(uint8_t *out, const uint32_t h[8])
{
	for (unsigned i = 0; i < 8; i++)
		dmbi_put_be32(out + 4 * i, h[i]);
}

void dmb_sha256_final(struct dmb_sha256 *s, uint8_t *out)
{
	uint64_t bits = s->bytes * 8;
	size_t have = (size_t)(s->bytes % 64);

	s->buf[have++] = 0x80;
	if (have > 56) {
		memset(s->buf + have, 0, 64 - have);
		compress1(s, s->h, s->buf, 1);
		have = 0;
	}
	memset(s->buf + have, 0, 56 - have);
	put_be64(s->buf + 56, bits);
	compress1(s, s->h, s->buf, 1);
	put_digest(out, s->h);
	/* The message may have been a key (ESSIV, the AF splitter). */
	dmbi_wipe(s->h, sizeof(s->h));
	dmbi_wipe(s->buf, sizeof(s->buf));
}

/*
 * What each lane hashes, as one virtual byte string:
 *   pending (p = prefix bytes % 64 bytes the prefix state holds) || message
 *   (len) || suffix (slen) || 0x80 || zeros || the bit length (8 bytes)
 * in `blocks` 64-byte blocks.  Block k comes straight from the message when
 * it lies inside it; the others are assembled from the pieces.
 */
struct layout {
	const uint8_t *pending, *suffix;
	size_t p, len, slen;
	uint64_t bits, blocks;
};

/* Copy the part of piece [at, at + n) of the string that falls in block k. */
static void put_piece(uint8_t *block, uint64_t k, uint64_t at, const uint8_t *src, uint64_t n)
{
	uint64_t lo = 64 * k, hi = lo + 64;
	uint64_t a = at > lo ? at : lo, e = at + n < hi ? at + n : hi;

	if (a < e)
		memcpy(block + (a - lo), src + (a - at), (size_t)(e - a));
}

static void fill_block(uint8_t *block, const struct layout *L, const void *msg, uint64_t k)
{
	uint64_t end = (uint64_t)L->p + L->len + L->slen;

	memset(block, 0, 64);
	put_piece(block, k, 0, L->pending, L->p);
	put_piece(block, k, L->p, msg, L->len);
	put_piece(block, k, (uint64_t)L->p + L->len, L->suffix, L->slen);
	if (end / 64 == k)
		block[end % 64] = 0x80;
	if (k + 1 == L->blocks)
		put_be64(block + 56, L->bits);
}

static void hash_group(const struct dmb_sha256 *prefix, const struct layout *L,
		       const void *const *msgs, unsigned lanes, uint8_t *outs)
{
	uint32_t h[DMB_SHA256_MAX_LANES][8];
	uint8_t scratch[DMB_SHA256_MAX_LANES][64];
	const uint8_t *ps[DMB_SHA256_MAX_LANES];
	dmbi_sha256_blocks_fn *fn = blocks_fn(prefix->backend.kind, &lanes);
	/* Blocks [first, last) lie inside the message. */
	uint64_t first = L->p ? 1 : 0, last = ((uint64_t)L->p + L->len) / 64;

	for (unsigned l = 0; l < lanes; l++)
		memcpy(h[l], prefix->h, sizeof(h[l]));
	for (uint64_t k = 0; k < L->blocks;) {
		if (k >= first && k < last) {
			for (unsigned l = 0; l < lanes; l++)
				ps[l] = (const uint8_t *)msgs[l] + (64 * k - L->p);
			fn(h, ps, (size_t)(last - k));
			k = last;
			continue;
		}
		for (unsigned l = 0; l < lanes; l++) {
			fill_block(scratch[l], L, msgs[l], k);
			ps[l] = scratch[l];
		}
		fn(h, ps, 1);
		k++;
	}
	for (unsigned l = 0; l < lanes; l++)
		put_digest(outs + DMB_SHA256_SIZE * l, h[l]);
}

void dmb_sha256_many(const struct dmb_sha256 *prefix, const void *const *msgs, size_t n,
		     size_t len, const void *suffix, size_t suffix_len, uint8_t *outs)
{
	struct layout L;
	unsigned max = prefix->backend.lanes;
	uint8_t *out = outs;

	L.pending = prefix->buf;
	L.p = (size_t)(prefix->bytes % 64);
	L.len = len;
	L.suffix = suffix;
	L.slen = suffix_len;
	L.bits = (prefix->bytes + len + suffix_len) * 8;
	L.blocks = ((uint64_t)L.p + len + suffix_len + 8) / 64 + 1;
	blocks_fn(prefix->backend.kind, &max);
	for (size_t i = 0; i < n;) {
		unsigned lanes = max;

		while (lanes > n - i)
			lanes >>= 1;
		hash_group(prefix, &L, msgs + i, lanes, out);
		i += lanes;
		out += (size_t)DMB_SHA256_SIZE * lanes;
	}
}
