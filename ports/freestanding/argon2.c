// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Argon2d, Argon2i and Argon2id, version 1.3 (RFC 9106), in portable C with
 * no libc, for ports that have no Argon2 of their own: H0 and the variable
 * length hash H' (§3.2-§3.3) over BLAKE2b (blake2b.c), the compression
 * function G and its permutation P (§3.5-§3.6), the reference block indexing
 * with data-independent addresses (§3.4) and the final XOR of the lanes'
 * last blocks.  Lanes are computed one after another, slice by slice, which
 * gives the same result as running them in parallel: a block only ever
 * refers to blocks of finished slices of other lanes.  The working memory is
 * m' KiB (m_cost rounded down to a multiple of 4 * lanes), from the caller
 * or the port allocator, and is wiped before it is returned.
 */
#include "freestanding.h"

#define BLOCK_WORDS 128u
#define BLOCK_BYTES 1024u
#define SYNC_POINTS 4u
#define VERSION 0x13u

struct block {
	uint64_t v[BLOCK_WORDS];
};

/* One Argon2 computation's fixed values (RFC 9106 §3.4 names in comments). */
struct instance {
	struct block *mem;
	uint32_t passes;      /* t */
	uint32_t blocks;      /* m' */
	uint32_t lanes;       /* p */
	uint32_t lane_len;    /* q = m' / p */
	uint32_t segment_len; /* q / 4 */
	enum dmb_argon2_type type;
};

/* Where a segment is being filled. */
struct position {
	uint32_t pass, lane, slice, index;
};

static void store32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t rotr64(uint64_t x, unsigned n)
{
	return x >> n | x << (64 - n);
}

/* BLAKE2b's G with the multiplications Argon2 adds (RFC 9106 §3.6). */
static uint64_t fblamka(uint64_t x, uint64_t y)
{
	return x + y + 2 * (x & 0xffffffffu) * (y & 0xffffffffu);
}

static void gb(uint64_t *a, uint64_t *b, uint64_t *c, uint64_t *d)
{
	*a = fblamka(*a, *b);
	*d = rotr64(*d ^ *a, 32);
	*c = fblamka(*c, *d);
	*b = rotr64(*b ^ *c, 24);
	*a = fblamka(*a, *b);
	*d = rotr64(*d ^ *a, 16);
	*c = fblamka(*c, *d);
	*b = rotr64(*b ^ *c, 63);
}

/* P over the sixteen words v[i0] .. v[i15] (RFC 9106 §3.6), the index
 * table giving where each of the eight 16-byte registers lies. */
static void permute(uint64_t *v, const unsigned idx[16])
{
	uint64_t *w[16];

	for (unsigned i = 0; i < 16; i++)
		w[i] = &v[idx[i]];
	gb(w[0], w[4], w[8], w[12]);
	gb(w[1], w[5], w[9], w[13]);
	gb(w[2], w[6], w[10], w[14]);
	gb(w[3], w[7], w[11], w[15]);
	gb(w[0], w[5], w[10], w[15]);
	gb(w[1], w[6], w[11], w[12]);
	gb(w[2], w[7], w[8], w[13]);
	gb(w[3], w[4], w[9], w[14]);
}

/* P on each of the eight rows of r, then on each of the eight columns
 * (a column being the two words at 2i, 2i + 1 of every row). */
static void permute_block(struct block *r)
{
	unsigned idx[16];

	for (unsigned row = 0; row < 8; row++) {
		for (unsigned i = 0; i < 16; i++)
			idx[i] = 16 * row + i;
		permute(r->v, idx);
	}
	for (unsigned col = 0; col < 8; col++) {
		for (unsigned i = 0; i < 8; i++) {
			idx[2 * i] = 2 * col + 16 * i;
			idx[2 * i + 1] = 2 * col + 16 * i + 1;
		}
		permute(r->v, idx);
	}
}

/*
 * G(x, y) (RFC 9106 §3.5) into out: out = P(R) ^ R with R = x ^ y, or with
 * xor_into out ^= P(R) ^ R (passes after the first, version 1.3).  out may
 * be x or y.  r is scratch.
 */
static void compress(struct block *out, const struct block *x, const struct block *y,
		     bool xor_into, struct block *r)
{
	for (unsigned i = 0; i < BLOCK_WORDS; i++)
		r->v[i] = x->v[i] ^ y->v[i];
	if (xor_into) {
		for (unsigned i = 0; i < BLOCK_WORDS; i++)
			out->v[i] ^= r->v[i];
	} else {
		for (unsigned i = 0; i < BLOCK_WORDS; i++)
			out->v[i] = r->v[i];
	}
	permute_block(r);
	for (unsigned i = 0; i < BLOCK_WORDS; i++)
		out->v[i] ^= r->v[i];
}

/* The variable-length hash H' (RFC 9106 §3.3) of a || b, out_len bytes. */
static void hprime(uint8_t *out, size_t out_len, const uint8_t *a, size_t a_len,
		   const uint8_t *b, size_t b_len)
{
	struct dmb_blake2b s;
	uint8_t len[4], v[64];

	store32(len, (uint32_t)out_len);
	dmb_freestanding_blake2b_init(&s, out_len < 64 ? out_len : 64);
	dmb_freestanding_blake2b_update(&s, len, 4);
	dmb_freestanding_blake2b_update(&s, a, a_len);
	dmb_freestanding_blake2b_update(&s, b, b_len);
	if (out_len <= 64) {
		dmb_freestanding_blake2b_final(&s, out);
		return;
	}
	/* r = ceil(out_len / 32) - 2 full hashes give 32 bytes each, the last
	 * gives the remaining out_len - 32 * r (33..64) bytes. */
	dmb_freestanding_blake2b_final(&s, v);
	memcpy(out, v, 32);
	out += 32;
	out_len -= 32;
	while (out_len > 64) {
		dmb_freestanding_blake2b_init(&s, 64);
		dmb_freestanding_blake2b_update(&s, v, 64);
		dmb_freestanding_blake2b_final(&s, v);
		memcpy(out, v, 32);
		out += 32;
		out_len -= 32;
	}
	dmb_freestanding_blake2b_init(&s, out_len);
	dmb_freestanding_blake2b_update(&s, v, 64);
	dmb_freestanding_blake2b_final(&s, out);
	dmb_wipe(v, sizeof(v));
}

static void hash_field(struct dmb_blake2b *s, const uint8_t *p, size_t len)
{
	uint8_t le[4];

	store32(le, (uint32_t)len);
	dmb_freestanding_blake2b_update(s, le, 4);
	if (len)
		dmb_freestanding_blake2b_update(s, p, len);
}

/* H0 (RFC 9106 §3.2) into h0[0..64). */
static void initial_hash(const struct dmb_argon2_input *in, size_t out_len, uint8_t h0[64])
{
	const uint32_t head[6] = { in->lanes, (uint32_t)out_len, in->m_cost_kib, in->t_cost,
				   VERSION, (uint32_t)in->type };
	struct dmb_blake2b s;
	uint8_t le[4];

	dmb_freestanding_blake2b_init(&s, 64);
	for (unsigned i = 0; i < 6; i++) {
		store32(le, head[i]);
		dmb_freestanding_blake2b_update(&s, le, 4);
	}
	hash_field(&s, in->pass, in->pass_len);
	hash_field(&s, in->salt, in->salt_len);
	hash_field(&s, in->secret, in->secret_len);
	hash_field(&s, in->ad, in->ad_len);
	dmb_freestanding_blake2b_final(&s, h0);
}

/* The first two blocks of every lane: H'^1024(H0 || LE32(column) || LE32(lane)). */
static void first_blocks(const struct instance *a, const uint8_t h0[64])
{
	uint8_t tail[8], bytes[BLOCK_BYTES];

	for (uint32_t l = 0; l < a->lanes; l++) {
		for (uint32_t c = 0; c < 2; c++) {
			struct block *b = &a->mem[(size_t)l * a->lane_len + c];

			store32(tail, c);
			store32(tail + 4, l);
			hprime(bytes, BLOCK_BYTES, h0, 64, tail, 8);
			for (unsigned i = 0; i < BLOCK_WORDS; i++) {
				uint64_t w = 0;

				for (unsigned j = 0; j < 8; j++)
					w |= (uint64_t)bytes[8 * i + j] << (8 * j);
				b->v[i] = w;
			}
		}
	}
	dmb_wipe(bytes, sizeof(bytes));
}

/* Whether the block at p takes its reference from an address block (Argon2i;
 * Argon2id in the first two slices of the first pass). */
static bool data_independent(const struct instance *a, const struct position *p)
{
	return a->type == DMB_ARGON2I ||
	       (a->type == DMB_ARGON2ID && p->pass == 0 && p->slice < SYNC_POINTS / 2);
}

/* The next address block: G(0, G(0, Z)) with Z's counter advanced. */
static void next_addresses(struct block *addr, struct block *z, struct block *r)
{
	z->v[6]++;
	memcpy(addr, z, sizeof(*addr));
	for (unsigned k = 0; k < 2; k++) {
		memcpy(r, addr, sizeof(*r));
		permute_block(r);
		for (unsigned i = 0; i < BLOCK_WORDS; i++)
			addr->v[i] ^= r->v[i];
	}
}

/* Column of the reference block in lane ref_lane for the block at p, from the
 * pseudo-random j1 (RFC 9106 §3.4.2). */
static uint32_t ref_column(const struct instance *a, const struct position *p, uint32_t j1,
			   bool same_lane)
{
	uint32_t area, start = 0;
	uint64_t x, y;

	if (p->pass == 0) {
		/* Only the slices already finished, and in this lane this
		 * slice up to the previous block. */
		area = p->slice * a->segment_len;
		if (same_lane)
			area += p->index - 1;
		else if (p->index == 0)
			area--;
	} else {
		/* The whole lane but the segment being filled. */
		area = a->lane_len - a->segment_len;
		if (same_lane)
			area += p->index - 1;
		else if (p->index == 0)
			area--;
		if (p->slice != SYNC_POINTS - 1)
			start = (p->slice + 1) * a->segment_len;
	}
	x = (uint64_t)j1 * j1 >> 32;
	y = (uint64_t)area * x >> 32;
	return (uint32_t)(((uint64_t)start + area - 1 - y) % a->lane_len);
}

/* Fill one segment (RFC 9106 §3.4): lane p->lane, slice p->slice. */
static void fill_segment(const struct instance *a, struct position *p, struct block scratch[3])
{
	struct block *r = &scratch[0], *addr = &scratch[1], *z = &scratch[2];
	bool indep = data_independent(a, p);
	uint32_t first = p->pass == 0 && p->slice == 0 ? 2 : 0;
	size_t lane_base = (size_t)p->lane * a->lane_len;

	if (indep) {
		memset(z, 0, sizeof(*z));
		z->v[0] = p->pass;
		z->v[1] = p->lane;
		z->v[2] = p->slice;
		z->v[3] = a->blocks;
		z->v[4] = a->passes;
		z->v[5] = (uint64_t)a->type;
		if (first)
			next_addresses(addr, z, r);
	}
	for (p->index = first; p->index < a->segment_len; p->index++) {
		uint32_t col = p->slice * a->segment_len + p->index;
		uint32_t prev = col ? col - 1 : a->lane_len - 1;
		uint64_t rnd;
		uint32_t ref_lane;
		struct block *cur = &a->mem[lane_base + col];

		if (indep) {
			if (p->index % BLOCK_WORDS == 0)
				next_addresses(addr, z, r);
			rnd = addr->v[p->index % BLOCK_WORDS];
		} else {
			rnd = a->mem[lane_base + prev].v[0];
		}
		ref_lane = (uint32_t)((rnd >> 32) % a->lanes);
		if (p->pass == 0 && p->slice == 0)
			ref_lane = p->lane;
		col = ref_column(a, p, (uint32_t)rnd, ref_lane == p->lane);
		compress(cur, &a->mem[lane_base + prev], &a->mem[(size_t)ref_lane * a->lane_len + col],
			 p->pass != 0, r);
	}
}

/* Tag: H'(XOR of every lane's last block). */
static void finalize(const struct instance *a, uint8_t *out, size_t out_len, struct block *acc)
{
	uint8_t bytes[BLOCK_BYTES];

	memcpy(acc, &a->mem[a->lane_len - 1], sizeof(*acc));
	for (uint32_t l = 1; l < a->lanes; l++) {
		const struct block *b = &a->mem[(size_t)l * a->lane_len + a->lane_len - 1];

		for (unsigned i = 0; i < BLOCK_WORDS; i++)
			acc->v[i] ^= b->v[i];
	}
	for (unsigned i = 0; i < BLOCK_WORDS; i++)
		for (unsigned j = 0; j < 8; j++)
			bytes[8 * i + j] = (uint8_t)(acc->v[i] >> (8 * j));
	hprime(out, out_len, bytes, BLOCK_BYTES, NULL, 0);
	dmb_wipe(bytes, sizeof(bytes));
}

static bool fits32(size_t n)
{
	return n <= 0xffffffffu;
}

size_t dmb_freestanding_argon2_memory_bytes(uint32_t m_cost_kib, uint32_t lanes)
{
	uint64_t blocks;

	if (lanes < 1 || lanes > DMB_ARGON2_MAX_LANES || m_cost_kib < 8ull * lanes)
		return 0;
	blocks = (uint64_t)m_cost_kib / (SYNC_POINTS * lanes) * (SYNC_POINTS * lanes);
	if (blocks > (size_t)-1 / BLOCK_BYTES)
		return 0;
	return (size_t)blocks * BLOCK_BYTES;
}

static int check(const struct dmb_argon2_input *in, size_t out_len)
{
	if (in->type != DMB_ARGON2D && in->type != DMB_ARGON2I && in->type != DMB_ARGON2ID)
		return DMB_ENOTSUP;
	if (in->t_cost < 1 || in->lanes < 1 || in->lanes > DMB_ARGON2_MAX_LANES ||
	    in->m_cost_kib < 8ull * in->lanes)
		return DMB_EINVAL;
	if (out_len < DMB_ARGON2_MIN_OUT || !fits32(out_len) || in->salt_len < DMB_ARGON2_MIN_SALT ||
	    !fits32(in->salt_len) || !fits32(in->pass_len) || !fits32(in->secret_len) ||
	    !fits32(in->ad_len))
		return DMB_EINVAL;
	if ((in->pass_len && !in->pass) || !in->salt || (in->secret_len && !in->secret) ||
	    (in->ad_len && !in->ad))
		return DMB_EINVAL;
	return 0;
}

int dmb_freestanding_argon2(const struct dmb_argon2_input *in, void *memory, size_t memory_bytes,
			    uint8_t *out, size_t out_len)
{
	struct instance a;
	struct block scratch[3];
	struct position p;
	uint8_t h0[64];
	size_t need;
	int r = check(in, out_len);

	if (r)
		return r;
	need = dmb_freestanding_argon2_memory_bytes(in->m_cost_kib, in->lanes);
	if (!need)
		return DMB_ENOMEM;
	if (memory && (memory_bytes < need || (uintptr_t)memory % sizeof(uint64_t)))
		return DMB_EINVAL;
	a.mem = memory ? memory : dmb_port_malloc(need);
	if (!a.mem)
		return DMB_ENOMEM;
	a.passes = in->t_cost;
	a.blocks = (uint32_t)(need / BLOCK_BYTES);
	a.lanes = in->lanes;
	a.lane_len = a.blocks / in->lanes;
	a.segment_len = a.lane_len / SYNC_POINTS;
	a.type = in->type;

	initial_hash(in, out_len, h0);
	first_blocks(&a, h0);
	for (p.pass = 0; p.pass < a.passes; p.pass++)
		for (p.slice = 0; p.slice < SYNC_POINTS; p.slice++)
			for (p.lane = 0; p.lane < a.lanes; p.lane++)
				fill_segment(&a, &p, scratch);
	finalize(&a, out, out_len, &scratch[0]);

	dmb_wipe(h0, sizeof(h0));
	dmb_wipe(scratch, sizeof(scratch));
	dmb_wipe(a.mem, need);
	if (!memory)
		dmb_port_free(a.mem);
	return 0;
}

int dmb_freestanding_argon2_op(const struct dmb_crypto *c, enum dmb_argon2_type type,
			       uint32_t t_cost, uint32_t m_cost_kib, uint32_t lanes,
			       const uint8_t *pass, size_t pass_len, const uint8_t *salt,
			       size_t salt_len, uint8_t *out, size_t out_len)
{
	const struct dmb_argon2_input in = {
		.type = type,
		.t_cost = t_cost,
		.m_cost_kib = m_cost_kib,
		.lanes = lanes,
		.pass = pass,
		.pass_len = pass_len,
		.salt = salt,
		.salt_len = salt_len,
	};

	(void)c;
	return dmb_freestanding_argon2(&in, NULL, 0, out, out_len);
}
