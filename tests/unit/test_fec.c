// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * dm-verity FEC: the encoder (lib/verity/fec_encode.c) and the verity
 * target's decoder (lib/targets/verity_fec.c, compiled into this test under
 * other names so it links whether or not the library carries it yet).
 *
 * In-memory images (tree built here with dmbi_hashtree and dmbi_hasher) are
 * encoded, then data and hash blocks are damaged: within the code's
 * capacity they come back exactly, with and without the erasure hints that
 * data-block digests and read errors give, across block sizes from 512 B to
 * 16 KiB (several decoding passes per block); past capacity the repair
 * fails and leaves the caller's buffer alone.  The constructor's checks
 * give Linux's messages.  Finally, when the real veritysetup is installed,
 * images it formats with --fec-device are re-encoded here and compared byte
 * for byte (roots 2, 8, 24; 4 KiB and 1 KiB blocks; hash and FEC offsets;
 * the FEC area in the hash file), and damage to them is repaired from
 * veritysetup's own parity.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, popen */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <dmboot/dmboot.h>

#include "../../ports/posix/dmboot_posix.h"
#include "helpers.h"

#define dmbi_verity_fec_ctr test_verity_fec_ctr
#define dmbi_verity_fec_dtr test_verity_fec_dtr
#define dmbi_verity_fec_decode test_verity_fec_decode
#define dmbi_verity_fec_opts test_verity_fec_opts
#include "targets/verity_fec.c"

/*
 * Allocations live when the test started: a failed test leaves its own
 * behind, which must not fail the tests after it.
 */
static long live_before;

static int note_live(void **state)
{
	(void)state;
	live_before = test_port_live_allocs();
	test_port_fail_alloc_at(0);
	return 0;
}

/* --- A device whose listed blocks fail to read --------------------------- */

struct bad_bdev {
	struct dmb_bdev bdev;
	struct dmb_bdev *lower;
	uint64_t bad[8]; /* in the lower device's blocks */
	size_t nbad;
};

static int bad_read(struct dmb_bdev *bd, uint64_t block, size_t count, void *buf)
{
	struct bad_bdev *b = bd->priv;

	for (size_t i = 0; i < b->nbad; i++)
		if (b->bad[i] >= block && b->bad[i] < block + count)
			return DMB_EIO;
	return b->lower->ops->read(b->lower, block, count, buf);
}

static const struct dmb_bdev_ops bad_ops = { .read = bad_read };

static void bad_init(struct bad_bdev *b, struct dmb_bdev *lower)
{
	memset(b, 0, sizeof(*b));
	b->lower = lower;
	b->bdev.ops = &bad_ops;
	b->bdev.priv = b;
	b->bdev.block_shift = lower->block_shift;
	b->bdev.num_blocks = lower->num_blocks;
}

/* A device of any size that reads as zeros, for geometry-only checks. */
static int zero_read(struct dmb_bdev *bd, uint64_t block, size_t count, void *buf)
{
	(void)block;
	memset(buf, 0, count << bd->block_shift);
	return 0;
}

static const struct dmb_bdev_ops zero_ops = { .read = zero_read };

static void zero_init(struct dmb_bdev *bd, unsigned shift, uint64_t blocks)
{
	memset(bd, 0, sizeof(*bd));
	bd->ops = &zero_ops;
	bd->block_shift = shift;
	bd->num_blocks = blocks;
}

/* --- Building a verity image in memory ----------------------------------- */

static char data_name[] = "data", hash_name[] = "hash", fec_name[] = "fec dev";

struct img {
	unsigned bits;
	size_t bs;
	uint64_t nblocks;
	uint8_t salt[32];
	struct dmb_posix_crypto pc;
	struct dmb_ctx ctx;
	struct dmbi_target ti;
	struct verity v;
	uint8_t *data, *hash, *fec;          /* the devices' memory */
	uint8_t *data0, *hash0;              /* pristine copies */
	uint64_t hash_bytes, fec_bytes;
	struct dmb_ram_bdev rd, rh, rf;
	struct bad_bdev bd;                  /* data device with unreadable blocks */
	struct dmbi_lower ld, lh, lf;
	uint64_t fec_blocks, rounds, fec_start;
	unsigned rsn;
};

/* Write digests of every level (formats.md §2.1) and the root. */
static void build_tree(struct img *m)
{
	struct dmbi_hashtree *t = &m->v.tree;
	struct dmbi_hasher *h = &m->v.hasher;
	uint8_t d[DMB_MAX_DIGEST_SIZE];
	uint64_t hb;
	size_t off;

	if (t->levels == 0) {
		assert_int_equal(dmbi_hasher_digest(h, m->data, m->bs, m->v.root_digest), 0);
		return;
	}
	for (uint64_t b = 0; b < m->nblocks; b++) {
		assert_int_equal(dmbi_hasher_digest(h, m->data + b * m->bs, m->bs, d), 0);
		dmbi_hashtree_locate(t, b, 0, &hb, &off);
		memcpy(m->hash + (hb << m->bits) + off, d, t->digest_size);
	}
	for (unsigned l = 1; l < t->levels; l++)
		for (uint64_t j = 0; j < dmbi_hashtree_level_blocks(t, l - 1); j++) {
			assert_int_equal(dmbi_hasher_digest(h,
							   m->hash + ((t->level_block[l - 1] + j) << m->bits),
							   m->bs, d),
					 0);
			dmbi_hashtree_locate(t, j << (l * t->hash_per_block_bits), l, &hb, &off);
			memcpy(m->hash + (hb << m->bits) + off, d, t->digest_size);
		}
	assert_int_equal(dmbi_hasher_digest(h, m->hash + (t->level_block[t->levels - 1] << m->bits),
					    m->bs, m->v.root_digest),
			 0);
}

/*
 * An image of nblocks data blocks (every zero_every-th one zero, when
 * non-zero), hash_start 1, extra metadata blocks after the tree on the hash
 * device, FEC parity from block 2 of its own device.
 */
static void img_setup(struct img *m, unsigned bits, uint64_t nblocks, unsigned roots,
		      uint64_t extra, unsigned zero_every, uint64_t seed)
{
	struct dmb_fec_encode_args a = { 0 };
	struct rng g;
	const char *why;
	uint64_t parity_blocks;

	memset(m, 0, sizeof(*m));
	m->bits = bits;
	m->bs = (size_t)1 << bits;
	m->nblocks = nblocks;
	rng_seed(&g, seed);
	rng_fill(&g, m->salt, sizeof(m->salt));
	dmb_posix_crypto_init(&m->pc);
	m->ctx.crypto = &m->pc.crypto;
	m->ti.ctx = &m->ctx;
	m->ti.line = 1;
	m->v.ti = &m->ti;

	assert_int_equal(dmbi_hasher_init(&m->v.hasher, &m->pc.crypto, "sha256", 1, m->salt,
					  sizeof(m->salt)),
			 0);
	assert_int_equal(dmbi_hashtree_init(&m->v.tree, 1, bits, bits, nblocks, 1, 32, &why), 0);

	m->data = calloc(nblocks, m->bs);
	rng_fill(&g, m->data, nblocks * m->bs);
	if (zero_every)
		for (uint64_t b = 0; b < nblocks; b += zero_every)
			memset(m->data + b * m->bs, 0, m->bs);
	m->hash_bytes = (m->v.tree.hash_end + extra) << bits;
	m->hash = calloc(1, m->hash_bytes);
	rng_fill(&g, m->hash + (m->v.tree.hash_end << bits), extra << bits);
	build_tree(m);

	assert_int_equal(dmb_verity_fec_blocks(&m->ctx, nblocks, 1, (unsigned)m->bs, m->hash_bytes,
					       false, 0, &m->fec_blocks),
			 0);
	assert_int_equal(m->fec_blocks, nblocks + m->v.tree.hash_end + extra - 1);
	assert_int_equal(dmb_verity_fec_parity_blocks(m->fec_blocks, roots, (unsigned)m->bs,
						      &parity_blocks),
			 0);
	m->rsn = 255 - roots;
	m->rounds = (m->fec_blocks + m->rsn - 1) / m->rsn;
	assert_int_equal(parity_blocks, m->rounds * roots);
	m->fec_start = 2;
	m->fec_bytes = (m->fec_start + parity_blocks) << bits;
	m->fec = calloc(1, m->fec_bytes);

	dmb_ram_bdev_init(&m->rd, m->data, nblocks * m->bs, 9, false);
	dmb_ram_bdev_init(&m->rh, m->hash, m->hash_bytes, bits, false);
	dmb_ram_bdev_init(&m->rf, m->fec, m->fec_bytes, 9, true);
	a.data_dev = &m->rd.bdev;
	a.data_blocks = nblocks;
	a.hash_dev = &m->rh.bdev;
	a.hash_offset_bytes = m->bs; /* hash_start 1 */
	a.fec_blocks = m->fec_blocks;
	a.fec_dev = &m->rf.bdev;
	a.fec_offset_bytes = m->fec_start << bits;
	a.roots = roots;
	a.block_size = (unsigned)m->bs;
	assert_int_equal(dmb_verity_fec_encode(&m->ctx, &a), 0);
	dmb_ram_bdev_init(&m->rf, m->fec, m->fec_bytes, 9, false);

	m->data0 = malloc(nblocks * m->bs);
	memcpy(m->data0, m->data, nblocks * m->bs);
	m->hash0 = malloc(m->hash_bytes);
	memcpy(m->hash0, m->hash, m->hash_bytes);

	bad_init(&m->bd, &m->rd.bdev);
	m->ld = (struct dmbi_lower){ .name = data_name, .bdev = &m->bd.bdev };
	m->lh = (struct dmbi_lower){ .name = hash_name, .bdev = &m->rh.bdev };
	m->lf = (struct dmbi_lower){ .name = fec_name, .bdev = &m->rf.bdev };
	m->v.data_dev = &m->ld;
	m->v.hash_dev = &m->lh;
	m->v.fec_params = (struct verity_fec_params){ fec_name, roots, m->fec_blocks, m->fec_start,
						      15 };
	assert_int_equal(fec_setup(&m->v, &m->lf), 0);
	assert_non_null(m->v.fec);
	assert_null(m->ti.error);
}

static void img_free(struct img *m)
{
	test_verity_fec_dtr(&m->v);
	assert_null(m->v.fec);
	dmbi_hasher_fini(&m->v.hasher);
	dmb_posix_crypto_fini(&m->pc);
	free(m->data);
	free(m->hash);
	free(m->fec);
	free(m->data0);
	free(m->hash0);
	assert_int_equal(test_port_live_allocs(), live_before);
}

/* The digest the pristine tree holds for data block b. */
static void want_data(const struct img *m, uint64_t b, uint8_t *want)
{
	uint64_t hb;
	size_t off;

	if (m->v.tree.levels == 0) {
		memcpy(want, m->v.root_digest, 32);
		return;
	}
	dmbi_hashtree_locate(&m->v.tree, b, 0, &hb, &off);
	memcpy(want, m->hash0 + (hb << m->bits) + off, 32);
}

/* The digest the pristine tree holds for hash block hb (a tree block). */
static void want_hash(const struct img *m, uint64_t hb, uint8_t *want)
{
	const struct dmbi_hashtree *t = &m->v.tree;

	for (unsigned l = 0; l < t->levels; l++) {
		uint64_t j = hb - t->level_block[l], pb;
		size_t off;

		if (hb < t->level_block[l] || j >= dmbi_hashtree_level_blocks(t, l))
			continue;
		if (l == t->levels - 1) {
			memcpy(want, m->v.root_digest, 32);
			return;
		}
		dmbi_hashtree_locate(t, j << ((l + 1) * t->hash_per_block_bits), l + 1, &pb, &off);
		memcpy(want, m->hash0 + (pb << m->bits) + off, 32);
		return;
	}
	fail_msg("hash block %llu is not in the tree", (unsigned long long)hb);
}

static void smash(struct rng *g, uint8_t *p, size_t n)
{
	rng_fill(g, p, n);
}

/* Repair data block b and check the result; expect success or failure. */
static void check_data(struct img *m, uint64_t b, bool ok)
{
	uint8_t want[32];
	uint8_t *buf = malloc(m->bs);

	want_data(m, b, want);
	memset(buf, 0xa5, m->bs);
	if (ok) {
		assert_int_equal(test_verity_fec_decode(&m->v, true, b, want, buf), 0);
		assert_memory_equal(buf, m->data0 + b * m->bs, m->bs);
	} else {
		assert_int_equal(test_verity_fec_decode(&m->v, true, b, want, buf), DMB_EIO);
		for (size_t i = 0; i < m->bs; i++)
			assert_int_equal(buf[i], 0xa5);
	}
	free(buf);
}

static void check_hash(struct img *m, uint64_t hb, bool ok)
{
	uint8_t want[32];
	uint8_t *buf = malloc(m->bs);

	want_hash(m, hb, want);
	memset(buf, 0x5a, m->bs);
	if (ok) {
		assert_int_equal(test_verity_fec_decode(&m->v, false, hb, want, buf), 0);
		assert_memory_equal(buf, m->hash0 + (hb << m->bits), m->bs);
	} else {
		assert_int_equal(test_verity_fec_decode(&m->v, false, hb, want, buf), DMB_EIO);
		for (size_t i = 0; i < m->bs; i++)
			assert_int_equal(buf[i], 0x5a);
	}
	free(buf);
}

/* Message block m of the image, as memory. */
static uint8_t *msg_block(struct img *m, uint64_t b)
{
	if (b < m->nblocks)
		return m->data + b * m->bs;
	return m->hash + ((b - m->nblocks + 1) << m->bits);
}

/* --- Repairs ------------------------------------------------------------- */

/* A wholly garbled block costs each of its codewords one symbol. */
static void test_repair_whole_block(void **state)
{
	static const unsigned bits_list[] = { 9, 10, 12, 14 };
	struct rng g;

	(void)state;
	rng_seed(&g, 10);
	for (size_t t = 0; t < DMBI_ARRAY_SIZE(bits_list); t++) {
		struct img m;
		uint64_t n = bits_list[t] == 14 ? 40 : 700;

		img_setup(&m, bits_list[t], n, 2, 3, 0, 100 + t);
		for (int k = 0; k < 3; k++) {
			uint64_t b = rng_below(&g, n);

			smash(&g, m.data + b * m.bs, m.bs);
			check_data(&m, b, true);
			memcpy(m.data + b * m.bs, m.data0 + b * m.bs, m.bs);
		}
		/* The root and the first leaf. */
		for (int k = 0; k < 2; k++) {
			uint64_t hb = k ? m.v.tree.level_block[0] : 1;

			m.hash[(hb << m.bits) + 7] ^= 0x40;
			smash(&g, m.hash + (hb << m.bits) + m.bs / 2, m.bs / 4);
			check_hash(&m, hb, true);
			memcpy(m.hash + (hb << m.bits), m.hash0 + (hb << m.bits), m.bs);
		}
		img_free(&m);
	}
}

/* roots 4: two bad blocks in one codeword group are plain errors. */
static void test_two_errors_one_group(void **state)
{
	struct img m;
	struct rng g;
	uint64_t b;

	(void)state;
	rng_seed(&g, 11);
	img_setup(&m, 10, 900, 4, 0, 0, 11);
	b = 5;
	m.data[b * m.bs + 3] ^= 1;
	smash(&g, m.data + (b + m.rounds) * m.bs, 100);
	check_data(&m, b, true);
	check_data(&m, b + m.rounds, true);
	/* A data block and a hash block of the same group. */
	memcpy(m.data + (b + m.rounds) * m.bs, m.data0 + (b + m.rounds) * m.bs, m.bs);
	{
		uint64_t mb = m.nblocks + 1, hb = 2; /* message block of hash block 2 */

		while (mb % m.rounds != b % m.rounds)
			mb++, hb++;
		assert_true(hb < m.v.tree.hash_end);
		smash(&g, msg_block(&m, mb), m.bs);
		check_data(&m, b, true);
		check_hash(&m, hb, true);
	}
	img_free(&m);
}

/*
 * roots 4: four bad data blocks in one group are beyond plain decoding,
 * but their digests mark them as erasures; five are beyond that too.
 */
static void test_erasures(void **state)
{
	static const unsigned bits_list[] = { 10, 13 };
	struct rng g;

	(void)state;
	rng_seed(&g, 12);
	for (size_t t = 0; t < DMBI_ARRAY_SIZE(bits_list); t++) {
		struct img m;
		uint64_t b = 7;

		img_setup(&m, bits_list[t], bits_list[t] == 10 ? 1500 : 300, 4, 0, 0, 12 + t);
		for (int i = 0; i < 4; i++)
			smash(&g, m.data + (b + i * m.rounds) * m.bs + 11 * i, m.bs / 3);
		for (int i = 0; i < 4; i++)
			check_data(&m, b + i * m.rounds, true);
		smash(&g, m.data + (b + 4 * m.rounds) * m.bs, 64);
		check_data(&m, b, false);
		check_data(&m, b + 4 * m.rounds, false);
		/* Back to four: repairable again. */
		memcpy(m.data + (b + 3 * m.rounds) * m.bs, m.data0 + (b + 3 * m.rounds) * m.bs, m.bs);
		check_data(&m, b + 4 * m.rounds, true);
		img_free(&m);
	}
}

/* Hash-area blocks give no erasure hints: three in one group (roots 4) fail. */
static void test_hash_blocks_beyond_capacity(void **state)
{
	struct img m;
	uint64_t hb[3], n = 0;
	struct rng g;

	(void)state;
	rng_seed(&g, 13);
	/* 200 data blocks, a tree of 8, 100 metadata blocks: 2 rounds. */
	img_setup(&m, 10, 200, 4, 100, 0, 13);
	assert_int_equal(m.rounds, 2);
	for (uint64_t b = 1; n < 3; b += 2)
		hb[n++] = b;
	for (int i = 0; i < 2; i++)
		smash(&g, m.hash + (hb[i] << m.bits), m.bs);
	check_hash(&m, hb[0], true);
	smash(&g, m.hash + (hb[2] << m.bits), m.bs);
	check_hash(&m, hb[0], false);
	/* A data block in the same group now has three errors besides itself. */
	m.data[0] ^= 0xff;
	check_data(&m, 0, false);
	img_free(&m);
}

/* Unreadable data blocks become erasures too (and zeros on the first try). */
static void test_read_errors(void **state)
{
	struct img m;
	uint64_t b = 3;

	(void)state;
	img_setup(&m, 12, 600, 4, 0, 0, 14);
	for (int i = 1; i <= 3; i++)
		m.bd.bad[m.bd.nbad++] = ((b + i * m.rounds) << m.bits) >> 9;
	m.data[b * m.bs + 100] ^= 0x11;
	check_data(&m, b, true);
	m.bd.bad[m.bd.nbad++] = ((b + 4 * m.rounds) << m.bits) >> 9;
	check_data(&m, b, false);
	/* Parity that cannot be read fails the repair. */
	m.bd.nbad = 0;
	m.v.fec->dev = &m.lh; /* parity offsets now land on the small hash device */
	m.v.fec->start = m.hash_bytes >> m.bits;
	check_data(&m, b, false);
	m.v.fec->dev = &m.lf;
	img_free(&m);
}

/*
 * ignore_zero_blocks: blocks whose digest is the zero block's count as
 * zeros whatever the device holds, as in Linux, so garbage in them does
 * not use up the code's capacity.
 */
static void test_zero_blocks(void **state)
{
	struct img m;
	struct rng g;
	uint64_t b;

	(void)state;
	rng_seed(&g, 15);
	/*
	 * Every even block is zero; with an odd number of rounds the group
	 * of block 1 alternates between data and zero blocks.
	 */
	img_setup(&m, 10, 1000, 4, 0, 2, 15);
	assert_int_equal(m.rounds % 2, 1);
	b = 1;
	m.data[b * m.bs + 9] ^= 0x99;
	for (int i = 1; i <= 11; i += 2)
		smash(&g, m.data + (b + i * m.rounds) * m.bs, m.bs);
	check_data(&m, b, false);
	m.v.zero_blocks = true;
	assert_int_equal(dmbi_hasher_digest(&m.v.hasher, m.data0, m.bs, m.v.zero_digest), 0);
	check_data(&m, b, true);
	img_free(&m);
}

static void test_not_covered(void **state)
{
	struct img m;
	uint8_t want[32] = { 0 }, buf[1024];

	(void)state;
	img_setup(&m, 10, 50, 2, 0, 0, 16);
	assert_int_equal(test_verity_fec_decode(&m.v, true, 50, want, buf), DMB_EIO);
	assert_int_equal(test_verity_fec_decode(&m.v, false, 0, want, buf), DMB_EIO);
	assert_int_equal(test_verity_fec_decode(&m.v, false, m.v.tree.hash_end, want, buf),
			 DMB_EIO);
	/* Intact block, wrong digest: decodes to itself, which does not verify. */
	assert_int_equal(test_verity_fec_decode(&m.v, true, 1, want, buf), DMB_EIO);
	img_free(&m);
	/* No FEC at all. */
	{
		struct verity v = { 0 };

		assert_int_equal(test_verity_fec_decode(&v, true, 0, want, buf), DMB_EIO);
	}
}

/* A single data block: no tree, the root is the block's digest. */
static void test_single_block(void **state)
{
	struct img m;

	(void)state;
	img_setup(&m, 12, 1, 2, 0, 0, 17);
	assert_int_equal(m.v.tree.levels, 0);
	m.data[17] ^= 0x80;
	check_data(&m, 0, true);
	img_free(&m);
}

/* --- The constructor ----------------------------------------------------- */

struct ctr_case {
	const char *name;
	unsigned hash_bits;
	unsigned given;
	uint32_t roots;
	uint64_t blocks;       /* 0: the exact message size */
	int64_t blocks_delta;  /* added to it */
	uint64_t data_dev_blocks, hash_dev_blocks, fec_dev_blocks;
	int err;
	const char *error;
	uint64_t start;
};

/*
 * 128,000 data blocks of 512 bytes need a tree of 2+ levels; the message
 * with roots 2 is 253 * rounds, rounds >= 512 only past 129,536 blocks.
 */
static void run_ctr_case(const struct ctr_case *c)
{
	struct dmb_ctx ctx = { .log_level = DMB_LOG_DEBUG };
	struct dmbi_target ti = { .ctx = &ctx, .line = 3 };
	struct verity v = { .ti = &ti };
	struct dmb_bdev dd, hd, fd;
	struct dmbi_lower ld = { .name = data_name, .bdev = &dd }, lh = { .name = hash_name, .bdev = &hd },
			  lf = { .name = fec_name, .bdev = &fd };
	const char *why;
	uint64_t msg;
	int r;

	assert_int_equal(dmbi_hashtree_init(&v.tree, 1, 9, c->hash_bits, 130000, 1, 32, &why), 0);
	msg = 130000 + v.tree.hash_end - 1;
	zero_init(&dd, 9, c->data_dev_blocks ? c->data_dev_blocks : 130000);
	zero_init(&hd, 9, c->hash_dev_blocks ? c->hash_dev_blocks : v.tree.hash_end + 10);
	zero_init(&fd, 9, c->fec_dev_blocks);
	v.data_dev = &ld;
	v.hash_dev = &lh;
	v.fec_params = (struct verity_fec_params){
		fec_name, c->roots, (c->blocks ? c->blocks : msg) + (uint64_t)c->blocks_delta,
		c->start, c->given
	};
	r = fec_setup(&v, &lf);
	if (c->err != r || (c->error && (!ti.error || strcmp(ti.error, c->error) != 0)))
		fail_msg("%s: got %d \"%s\", want %d \"%s\"", c->name, r,
			 ti.error ? ti.error : "(none)", c->err, c->error ? c->error : "(none)");
	if (!c->error)
		assert_null(ti.error);
	test_verity_fec_dtr(&v);
	assert_null(v.fec);
	assert_int_equal(test_port_live_allocs(), live_before);
}

static void test_ctr_errors(void **state)
{
	static const struct ctr_case cases[] = {
		{ "ok", 9, 15, 2, 0, 0, 0, 0, 10000, 0, NULL, 0 },
		{ "ok, fec_start omitted", 9, 7, 2, 0, 0, 0, 0, 10000, 0, NULL, 0 },
		{ "block sizes", 10, 15, 2, 0, 0, 0, 0, 10000, DMB_EINVAL,
		  "Block sizes must match to use FEC", 0 },
		{ "no roots", 9, 13, 0, 0, 0, 0, 0, 10000, DMB_EINVAL, "Missing fec_roots", 0 },
		{ "roots range", 9, 15, 25, 0, 0, 0, 0, 10000, DMB_EINVAL, "Invalid fec_roots", 0 },
		{ "no blocks", 9, 11, 2, 0, 0, 0, 0, 10000, DMB_EINVAL, "Missing fec_blocks", 0 },
		{ "zero blocks", 9, 15, 2, 1, -1, 0, 0, 10000, DMB_EINVAL, "Missing fec_blocks", 0 },
		{ "blocks short of the tree", 9, 15, 2, 0, -1, 0, 0, 10000, DMB_EINVAL,
		  "Invalid fec_blocks", 0 },
		{ "blocks overflow", 9, 15, 2, UINT64_MAX, 0, 0, 0, 10000, DMB_EINVAL,
		  "Invalid fec_blocks", 0 },
		{ "metadata past the hash device", 9, 15, 2, 0, 1000, 0, 0, 10000, DMB_ERANGE,
		  "Hash device is too small for fec_blocks", 0 },
		{ "metadata up to the end", 9, 15, 2, 0, 11, 0, 0, 10000, 0, NULL, 0 },
		{ "FEC device empty", 9, 15, 2, 0, 0, 0, 0, 0, DMB_ERANGE, "FEC device is too small", 0 },
		{ "fec_start past the FEC device", 9, 15, 2, 0, 0, 0, 0, 10000, DMB_ERANGE,
		  "FEC device is too small", 10000 },
		{ "fec_start overflowing", 9, 15, 2, 0, 0, 0, 0, 10000, DMB_ERANGE,
		  "FEC device is too small", UINT64_MAX / 4 },
		{ "data device", 9, 15, 2, 0, 0, 129999, 0, 10000, DMB_ERANGE,
		  "Data device is too small", 0 },
	};

	(void)state;
	for (size_t i = 0; i < DMBI_ARRAY_SIZE(cases); i++)
		run_ctr_case(&cases[i]);
}

/* Linux's FEC size check is loose: a short parity area loads, with a warning. */
static void test_ctr_short_fec_device(void **state)
{
	const struct ctr_case c = { "short", 9, 15, 2, 0, 0, 0, 0, 3, 0, NULL, 0 };

	(void)state;
	run_ctr_case(&c);
	assert_non_null(strstr(test_port_last_log(), "ends before the parity area"));
}

static void test_ctr_enomem(void **state)
{
	struct dmb_ctx ctx = { 0 };
	struct dmbi_target ti = { .ctx = &ctx };
	struct verity v = { .ti = &ti };
	struct dmb_bdev dd, hd, fd;
	struct dmbi_lower ld = { .name = data_name, .bdev = &dd }, lh = { .name = hash_name, .bdev = &hd },
			  lf = { .name = fec_name, .bdev = &fd };
	const char *why;
	int r = DMB_ENOMEM;

	(void)state;
	assert_int_equal(dmbi_hashtree_init(&v.tree, 1, 12, 12, 1000, 1, 32, &why), 0);
	zero_init(&dd, 12, 1000);
	zero_init(&hd, 12, 100);
	zero_init(&fd, 12, 100);
	v.data_dev = &ld;
	v.hash_dev = &lh;
	v.fec_params = (struct verity_fec_params){ fec_name, 8, 1000 + 99, 0, 15 };
	for (long n = 1; r == DMB_ENOMEM; n++) {
		ti.error = NULL;
		test_port_fail_alloc_at(n);
		r = fec_setup(&v, &lf);
		test_port_fail_alloc_at(0);
		if (r == DMB_ENOMEM)
			assert_non_null(ti.error);
		test_verity_fec_dtr(&v);
		assert_int_equal(test_port_live_allocs(), live_before);
	}
	assert_int_equal(r, 0);
}

/* Without use_fec_from_device Linux ignores the other FEC options. */
static void test_ctr_without_device(void **state)
{
	struct dmb_ctx ctx = { 0 };
	struct dmbi_target ti = { .ctx = &ctx };
	struct verity v = { .ti = &ti };

	(void)state;
	v.fec_params = (struct verity_fec_params){ NULL, 2, 10, 0, 14 };
	assert_int_equal(test_verity_fec_ctr(&v), 0);
	assert_null(v.fec);
	assert_null(ti.error);
	test_verity_fec_dtr(&v);
}

static void test_status_table(void **state)
{
	struct img m;
	char buf[256];
	char want[256];
	struct dmbi_strbuf sb;
	struct dmb_verity_opts o = { 0 };

	(void)state;
	img_setup(&m, 12, 100, 8, 0, 0, 18);
	test_verity_fec_opts(&m.v, &o);
	dmbi_strbuf_init(&sb, buf, sizeof(buf));
	dmbi_verity_opts_put(&sb, &o);
	snprintf(want, sizeof(want),
		 "8 use_fec_from_device fec\\ dev fec_blocks %llu fec_start 2 fec_roots 8",
		 (unsigned long long)m.fec_blocks);
	assert_string_equal(buf, want);
	img_free(&m);
	{
		struct verity v = { 0 };

		memset(&o, 0, sizeof(o));
		test_verity_fec_opts(&v, &o);
		dmbi_strbuf_init(&sb, buf, sizeof(buf));
		dmbi_verity_opts_put(&sb, &o);
		assert_string_equal(buf, "");
	}
}

/* --- Through the verity target ------------------------------------------- */

static void put_hex(char *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

/*
 * The table option set as veritysetup emits it; corrupt blocks read back
 * repaired through the mapped device, past capacity the read fails.
 */
static void test_target(void **state)
{
	struct img m;
	struct tres res;
	struct dmb_ctx ctx = { 0 };
	struct dmb_dev *dev = NULL;
	struct tdev *dd, *hd;
	char root[65], salt[65], table[1024], *text;
	uint8_t *buf;
	size_t bytes;

	(void)state;
	img_setup(&m, 12, 600, 4, 0, 0, 20);
	tres_init(&res);
	bytes = m.nblocks * m.bs;
	dd = tres_add(&res, "data", bytes, 12, NULL);
	memcpy(dd->mem, m.data, bytes);
	hd = tres_add(&res, "hash", m.hash_bytes, 12, NULL);
	memcpy(hd->mem, m.hash, m.hash_bytes);
	memcpy(tres_add(&res, "fec", m.fec_bytes, 12, NULL)->mem, m.fec, m.fec_bytes);
	ctx.resolver = &res.r;
	ctx.crypto = &m.pc.crypto;
	put_hex(root, m.v.root_digest, 32);
	put_hex(salt, m.salt, 32);
	snprintf(table, sizeof(table),
		 "0 %zu verity 1 data hash 4096 4096 600 1 sha256 %s %s 8 use_fec_from_device fec "
		 "fec_start 2 fec_blocks %llu fec_roots 4",
		 bytes / 512, root, salt, (unsigned long long)m.fec_blocks);

	/* Two bad data blocks in one codeword group, and a bad leaf hash block. */
	memset(dd->mem + 9 * m.bs, 0, 100);
	memset(dd->mem + (9 + m.rounds) * m.bs + 50, 0xff, 10);
	hd->mem[(m.v.tree.level_block[0] << 12) + 5] ^= 1;
	assert_int_equal(create_from_text(&ctx, table, DMB_DEV_READONLY, &dev), 0);
	buf = malloc(bytes);
	assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(dev), 0, bytes / 512, buf), 0);
	assert_memory_equal(buf, m.data0, bytes);
	text = format_dev(dev, DMB_FMT_TABLE, 0);
	assert_non_null(strstr(text, " 8 use_fec_from_device fec fec_blocks "));
	assert_non_null(strstr(text, " fec_start 2 fec_roots 4\n"));
	free(text);
	text = format_dev(dev, DMB_FMT_STATUS, 0);
	assert_non_null(strstr(text, " verity V"));
	free(text);
	dmb_dev_destroy(dev);

	/* Five bad data blocks in a group (roots 4): the read fails. */
	for (int i = 0; i < 5; i++)
		dd->mem[(20 + i * m.rounds) * m.bs + 7] ^= 0x10;
	assert_int_equal(create_from_text(&ctx, table, DMB_DEV_READONLY, &dev), 0);
	assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(dev), 20 * 8, 8, buf), DMB_EIO);
	dmb_dev_destroy(dev);
	free(buf);
	tres_free(&res);
	img_free(&m);
}

/* --- The encoder's arguments --------------------------------------------- */

static void progress(void *cookie, uint64_t done, uint64_t total)
{
	uint64_t *seen = cookie;

	assert_true(done > seen[0] && done <= total);
	seen[0] = done;
	seen[1] = total;
}

static void test_encode_args(void **state)
{
	enum { BS = 1024, N = 300 };
	static uint8_t data[N * BS], hash[40 * BS], fec[64 * BS];
	struct dmb_ram_bdev rd, rh, rf, rfro;
	struct dmb_fault_bdev ff;
	struct dmb_ctx ctx = { 0 };
	struct dmb_fec_encode_args a = { 0 }, b;
	uint64_t seen[2] = { 0, 0 };
	struct rng g;
	int r = DMB_ENOMEM;

	(void)state;
	rng_seed(&g, 19);
	rng_fill(&g, data, sizeof(data));
	rng_fill(&g, hash, sizeof(hash));
	dmb_ram_bdev_init(&rd, data, sizeof(data), 9, true);
	dmb_ram_bdev_init(&rh, hash, sizeof(hash), 10, true);
	dmb_ram_bdev_init(&rf, fec, sizeof(fec), 12, true);
	dmb_ram_bdev_init(&rfro, fec, sizeof(fec), 12, false);
	a.data_dev = &rd.bdev;
	a.data_blocks = N;
	a.hash_dev = &rh.bdev;
	a.hash_offset_bytes = BS;
	a.fec_blocks = N + 39;
	a.fec_dev = &rf.bdev;
	a.fec_offset_bytes = 3 * BS; /* not aligned to the FEC device's 4 KiB blocks */
	a.roots = 24;
	a.block_size = BS;
	a.progress = progress;
	a.cookie = seen;
	/* 339 blocks, 231 per round: 2 rounds of 24 parity blocks. */
	assert_int_equal(dmb_verity_fec_encode(&ctx, &a), 0);
	assert_int_equal(seen[0], 2);
	assert_int_equal(seen[1], 2);
	a.progress = NULL;

	b = a, b.block_size = 768;
	assert_int_equal(dmb_verity_fec_encode(&ctx, &b), DMB_EINVAL);
	b = a, b.block_size = 1u << 17;
	assert_int_equal(dmb_verity_fec_encode(&ctx, &b), DMB_EINVAL);
	b = a, b.roots = 1;
	assert_int_equal(dmb_verity_fec_encode(&ctx, &b), DMB_EINVAL);
	b = a, b.roots = 25;
	assert_int_equal(dmb_verity_fec_encode(&ctx, &b), DMB_EINVAL);
	b = a, b.fec_blocks = N - 1;
	assert_int_equal(dmb_verity_fec_encode(&ctx, &b), DMB_EINVAL);
	b = a, b.fec_blocks = 0, b.data_blocks = 0;
	assert_int_equal(dmb_verity_fec_encode(&ctx, &b), DMB_EINVAL);
	b = a, b.hash_dev = NULL;
	assert_int_equal(dmb_verity_fec_encode(&ctx, &b), DMB_EINVAL);
	b = a, b.data_blocks = N + 1, b.fec_blocks = N + 40;
	assert_int_equal(dmb_verity_fec_encode(&ctx, &b), DMB_ERANGE);
	b = a, b.fec_blocks = N + 40;
	assert_int_equal(dmb_verity_fec_encode(&ctx, &b), DMB_ERANGE);
	b = a, b.hash_offset_bytes = UINT64_MAX - 10;
	assert_int_equal(dmb_verity_fec_encode(&ctx, &b), DMB_ERANGE);
	b = a, b.fec_offset_bytes = 17 * BS;
	assert_int_equal(dmb_verity_fec_encode(&ctx, &b), DMB_ERANGE);
	b = a, b.fec_blocks = UINT64_MAX;
	assert_int_equal(dmb_verity_fec_encode(&ctx, &b), DMB_ERANGE);
	b = a, b.fec_dev = &rfro.bdev;
	assert_int_equal(dmb_verity_fec_encode(&ctx, &b), DMB_EACCES);
	/* Parity over the message it is computed from. */
	b = a, b.fec_dev = &rh.bdev, b.fec_offset_bytes = 0, b.fec_blocks = N + 1, b.roots = 2;
	assert_int_equal(dmb_verity_fec_encode(&ctx, &b), DMB_EINVAL);
	b = a, b.fec_dev = &rd.bdev, b.fec_offset_bytes = (N - 4) * BS, b.fec_blocks = N,
	b.roots = 2, b.hash_dev = &rh.bdev;
	assert_int_equal(dmb_verity_fec_encode(&ctx, &b), DMB_EINVAL);
	/* ...but after it on the same device is fine (veritysetup's --fec-offset). */
	b = a, b.fec_dev = &rh.bdev, b.fec_offset_bytes = 2 * BS, b.fec_blocks = N + 1,
	b.roots = 2;
	assert_int_equal(dmb_verity_fec_encode(&ctx, &b), 0);
	/* Device errors. */
	dmb_fault_bdev_init(&ff, &rf.bdev);
	ff.fail_write_at = 1;
	b = a, b.fec_dev = &ff.bdev, b.progress = NULL;
	assert_int_equal(dmb_verity_fec_encode(&ctx, &b), DMB_EIO);
	assert_non_null(strstr(ctx.msg, "cannot write parity"));
	dmb_fault_bdev_init(&ff, &rd.bdev);
	ff.fail_read_at = 5;
	b = a, b.data_dev = &ff.bdev, b.progress = NULL;
	assert_int_equal(dmb_verity_fec_encode(&ctx, &b), DMB_EIO);
	assert_non_null(strstr(ctx.msg, "cannot read data block"));
	dmb_fault_bdev_init(&ff, &rh.bdev);
	ff.fail_read_at = 1;
	b = a, b.hash_dev = &ff.bdev, b.progress = NULL;
	assert_int_equal(dmb_verity_fec_encode(&ctx, &b), DMB_EIO);
	assert_non_null(strstr(ctx.msg, "cannot read hash device block"));
	/* Every allocation failure is reported and nothing leaks. */
	b = a, b.progress = NULL;
	for (long n = 1; r == DMB_ENOMEM; n++) {
		test_port_fail_alloc_at(n);
		r = dmb_verity_fec_encode(&ctx, &b);
		test_port_fail_alloc_at(0);
		assert_int_equal(test_port_live_allocs(), live_before);
	}
	assert_int_equal(r, 0);
}

static void test_fec_blocks(void **state)
{
	struct dmb_ctx ctx = { 0 };
	uint64_t n = 0, p = 0;

	(void)state;
	/* Separate hash file of 4 blocks, tree from block 1: 256 + 3. */
	assert_int_equal(dmb_verity_fec_blocks(&ctx, 256, 1, 4096, 16384, false, 0, &n), 0);
	assert_int_equal(n, 259);
	/* veritysetup printed "FEC blocks: 16" for this with roots 8. */
	assert_int_equal(dmb_verity_fec_parity_blocks(n, 8, 4096, &p), 0);
	assert_int_equal(p, 16);
	/* Partial trailing block of the hash device is not covered. */
	assert_int_equal(dmb_verity_fec_blocks(&ctx, 256, 1, 4096, 16384 + 4095, false, 0, &n), 0);
	assert_int_equal(n, 259);
	/* FEC area in the hash file at 64 KiB: everything up to it. */
	assert_int_equal(dmb_verity_fec_blocks(&ctx, 256, 1, 4096, 16384, true, 65536, &n), 0);
	assert_int_equal(n, 256 + 15);
	/* ... at offset 0 (veritysetup's default): data only. */
	assert_int_equal(dmb_verity_fec_blocks(&ctx, 256, 1, 4096, 16384, true, 0, &n), 0);
	assert_int_equal(n, 256);
	assert_int_equal(dmb_verity_fec_blocks(&ctx, 256, 3, 4096, 16384, true, 4096, &n),
			 DMB_EINVAL);
	assert_int_equal(dmb_verity_fec_blocks(&ctx, 256, 1, 3000, 16384, false, 0, &n),
			 DMB_EINVAL);
	assert_int_equal(dmb_verity_fec_blocks(&ctx, UINT64_MAX, 0, 512, 1024, false, 0, &n),
			 DMB_ERANGE);
	assert_int_equal(dmb_verity_fec_parity_blocks(0, 8, 4096, &p), DMB_EINVAL);
	assert_int_equal(dmb_verity_fec_parity_blocks(10, 1, 4096, &p), DMB_EINVAL);
	assert_int_equal(dmb_verity_fec_parity_blocks(UINT64_MAX / 2, 24, 4096, &p), DMB_ERANGE);
	assert_int_equal(dmb_verity_fec_parity_blocks(253, 2, 512, &p), 0);
	assert_int_equal(p, 2);
	assert_int_equal(dmb_verity_fec_parity_blocks(254, 2, 512, &p), 0);
	assert_int_equal(p, 4);
}

/* --- Against the real veritysetup ---------------------------------------- */

static const char *find_veritysetup(void)
{
	static const char *const paths[] = { "/usr/sbin/veritysetup", "/sbin/veritysetup",
					     "/usr/bin/veritysetup" };
	const char *env = getenv("DMB_VERITYSETUP");

	if (env && *env)
		return access(env, X_OK) == 0 ? env : NULL;
	for (size_t i = 0; i < DMBI_ARRAY_SIZE(paths); i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return NULL;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void spew(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* The value after "<key>:" and white space on a line of veritysetup's output. */
static bool field(const char *out, const char *key, char *val, size_t cap)
{
	const char *p = strstr(out, key);
	size_t n = 0;

	if (!p)
		return false;
	p += strlen(key);
	while (*p == ' ' || *p == '\t')
		p++;
	while (p[n] && p[n] != '\n' && n + 1 < cap)
		n++;
	memcpy(val, p, n);
	val[n] = 0;
	return true;
}

struct compat {
	unsigned bs, roots;
	uint64_t blocks;
	uint64_t hash_offset, fec_offset;
	bool same_file;      /* --fec-device is the hash file */
	uint64_t presize;    /* same file: the hash file's size before formatting */
	bool no_superblock;
};

static const struct compat compat_cases[] = {
	{ 4096, 2, 300, 0, 0, false, 0, false },
	{ 4096, 8, 300, 8192, 12288, false, 0, false },
	{ 4096, 24, 257, 0, 65536, true, 65536, false },
	{ 4096, 8, 500, 8192, 0, false, 0, true },
	{ 1024, 2, 2000, 4096, 0, false, 0, false },
	{ 1024, 8, 1500, 0, 153600, true, 153600, false },
	{ 1024, 24, 1800, 0, 3072, false, 0, false },
	{ 1024, 24, 700, 2048, 51200, true, 51200, false },
	/* The default --fec-offset 0 in the hash file: only the data is covered,
	 * and the superblock later overwrites the parity's first 512 bytes. */
	{ 4096, 2, 300, 0, 0, true, 0, false },
};

static void run_compat(const char *tool, const struct compat *c, unsigned idx)
{
	char dir[] = "/tmp/dmb-fec-XXXXXX", data_p[64], hash_p[64], fec_p[64], cmd[1024];
	char out[8192], root_hex[160], salt_hex[600], tmp[64];
	size_t data_len, hash_len, fec_len, got = 0, salt_len;
	uint8_t *data, *hash, *fec, *mine, salt[256];
	uint64_t hash_start, fec_blocks, parity_blocks, fec_dev_len;
	struct dmb_ctx ctx = { 0 };
	struct dmb_ram_bdev rd, rh, rf;
	struct dmb_fec_encode_args a = { 0 };
	const size_t skip = c->same_file && c->fec_offset == 0 ? 512 : 0;
	struct rng g;
	FILE *p;

	assert_non_null(mkdtemp(dir));
	snprintf(data_p, sizeof(data_p), "%s/data", dir);
	snprintf(hash_p, sizeof(hash_p), "%s/hash", dir);
	snprintf(fec_p, sizeof(fec_p), "%s/fec", dir);

	data_len = c->blocks * c->bs;
	data = calloc(1, data_len);
	rng_seed(&g, 1000 + idx);
	rng_fill(&g, data, data_len);
	memset(data + 5 * c->bs, 0, 9 * c->bs); /* some zero blocks */
	spew(data_p, data, data_len);
	if (c->presize) {
		uint8_t *z = calloc(1, c->presize);

		spew(hash_p, z, c->presize);
		free(z);
	}
	snprintf(cmd, sizeof(cmd),
		 "'%s' format --data-block-size=%u --hash-block-size=%u --fec-roots=%u "
		 "--fec-device='%s' --hash-offset=%llu --fec-offset=%llu %s '%s' '%s' 2>&1",
		 tool, c->bs, c->bs, c->roots, c->same_file ? hash_p : fec_p,
		 (unsigned long long)c->hash_offset, (unsigned long long)c->fec_offset,
		 c->no_superblock ? "--no-superblock" : "", data_p, hash_p);
	p = popen(cmd, "r");
	assert_non_null(p);
	got = fread(out, 1, sizeof(out) - 1, p);
	out[got] = 0;
	if (pclose(p) != 0)
		fail_msg("%s failed:\n%s", cmd, out);
	assert_true(field(out, "Root hash:", root_hex, sizeof(root_hex)));
	assert_true(field(out, "Salt:", salt_hex, sizeof(salt_hex)));
	assert_true(field(out, "FEC blocks:", tmp, sizeof(tmp)));

	hash = slurp(hash_p, &hash_len);
	fec = c->same_file ? hash : slurp(fec_p, &fec_len);
	if (c->same_file)
		fec_len = hash_len;
	hash_start = c->no_superblock ? c->hash_offset / c->bs
				      : (c->hash_offset + 512 + c->bs - 1) / c->bs;

	/*
	 * The hash device's size as veritysetup saw it when it computed
	 * fec_blocks: the file before the parity was appended to it.
	 */
	assert_int_equal(dmb_verity_fec_blocks(&ctx, c->blocks, hash_start, c->bs,
					       c->same_file ? c->fec_offset : hash_len,
					       c->same_file, c->fec_offset, &fec_blocks),
			 0);
	assert_int_equal(dmb_verity_fec_parity_blocks(fec_blocks, c->roots, c->bs, &parity_blocks),
			 0);
	assert_int_equal(parity_blocks, strtoull(tmp, NULL, 10));
	assert_true(fec_len >= c->fec_offset + parity_blocks * c->bs);

	/* Encode into a copy whose parity area is cleared. */
	fec_dev_len = c->fec_offset + parity_blocks * c->bs;
	mine = calloc(1, fec_dev_len > hash_len ? fec_dev_len : hash_len);
	if (c->same_file)
		memcpy(mine, hash, c->fec_offset);
	dmb_ram_bdev_init(&rd, data, data_len, 9, false);
	dmb_ram_bdev_init(&rh, c->same_file ? mine : hash, c->same_file ? fec_dev_len : hash_len,
			  9, true);
	dmb_ram_bdev_init(&rf, mine, fec_dev_len, 9, true);
	a.data_dev = &rd.bdev;
	a.data_blocks = c->blocks;
	a.hash_dev = &rh.bdev;
	a.hash_offset_bytes = hash_start * c->bs;
	a.fec_blocks = fec_blocks;
	a.fec_dev = c->same_file ? &rh.bdev : &rf.bdev;
	a.fec_offset_bytes = c->fec_offset;
	a.roots = c->roots;
	a.block_size = c->bs;
	assert_int_equal(dmb_verity_fec_encode(&ctx, &a), 0);
	if (memcmp(mine + c->fec_offset + skip, fec + c->fec_offset + skip,
		   parity_blocks * c->bs - skip) != 0)
		fail_msg("case %u: parity differs from veritysetup's", idx);

	/* Repair damage from veritysetup's own parity and tree. */
	if (!skip) {
		struct img m;
		const char *why;
		uint8_t want[32], *buf = malloc(c->bs), *fecmem = malloc(fec_len);
		uint64_t b = c->blocks / 2, hb = hash_start, leaf;
		size_t off;

		memcpy(fecmem, fec, fec_len);
		memset(&m, 0, sizeof(m));
		dmb_posix_crypto_init(&m.pc);
		m.ctx.crypto = &m.pc.crypto;
		m.ti.ctx = &m.ctx;
		m.v.ti = &m.ti;
		salt_len = strcmp(salt_hex, "-") ? strlen(salt_hex) / 2 : 0;
		assert_int_equal(dmb_hex_decode(salt_hex, salt, salt_len), 0);
		assert_int_equal(dmb_hex_decode(root_hex, m.v.root_digest, 32), 0);
		assert_int_equal(dmbi_hasher_init(&m.v.hasher, &m.pc.crypto, "sha256", 1, salt,
						  salt_len),
				 0);
		assert_int_equal(dmbi_hashtree_init(&m.v.tree, 1, dmbi_ilog2(c->bs),
						   dmbi_ilog2(c->bs), c->blocks, hash_start, 32, &why),
				 0);
		dmb_ram_bdev_init(&m.rd, data, data_len, 9, false);
		dmb_ram_bdev_init(&m.rh, hash, hash_len, 9, false);
		dmb_ram_bdev_init(&m.rf, fecmem, fec_len, 9, false);
		m.ld = (struct dmbi_lower){ .name = data_name, .bdev = &m.rd.bdev };
		m.lh = (struct dmbi_lower){ .name = hash_name, .bdev = &m.rh.bdev };
		m.lf = (struct dmbi_lower){ .name = fec_name, .bdev = &m.rf.bdev };
		m.v.data_dev = &m.ld;
		m.v.hash_dev = &m.lh;
		m.v.fec_params = (struct verity_fec_params){ fec_name, c->roots, fec_blocks,
							     c->fec_offset / c->bs, 15 };
		assert_int_equal(fec_setup(&m.v, &m.lf), 0);

		dmbi_hashtree_locate(&m.v.tree, b, 0, &leaf, &off);
		memcpy(want, hash + leaf * c->bs + off, 32);
		memcpy(buf, data + b * c->bs, c->bs);
		memset(data + b * c->bs, 0xee, c->bs);
		assert_int_equal(test_verity_fec_decode(&m.v, true, b, want, data + b * c->bs), 0);
		assert_memory_equal(data + b * c->bs, buf, c->bs);

		memcpy(buf, hash + hb * c->bs, c->bs);
		hash[hb * c->bs + 1] ^= 0x24;
		assert_int_equal(test_verity_fec_decode(&m.v, false, hb, m.v.root_digest,
							hash + hb * c->bs),
				 0);
		assert_memory_equal(hash + hb * c->bs, buf, c->bs);

		test_verity_fec_dtr(&m.v);
		dmbi_hasher_fini(&m.v.hasher);
		dmb_posix_crypto_fini(&m.pc);
		free(buf);
		free(fecmem);
	}

	free(mine);
	if (!c->same_file)
		free(fec);
	free(hash);
	free(data);
	unlink(data_p);
	unlink(hash_p);
	unlink(fec_p);
	rmdir(dir);
}

static void test_veritysetup_compat(void **state)
{
	const char *tool = find_veritysetup();

	(void)state;
	if (!tool) {
		print_message("veritysetup not installed: skipped\n");
		skip();
	}
	for (unsigned i = 0; i < DMBI_ARRAY_SIZE(compat_cases); i++)
		run_compat(tool, &compat_cases[i], i);
	assert_int_equal(test_port_live_allocs(), live_before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_repair_whole_block, note_live),
		cmocka_unit_test_setup(test_two_errors_one_group, note_live),
		cmocka_unit_test_setup(test_erasures, note_live),
		cmocka_unit_test_setup(test_hash_blocks_beyond_capacity, note_live),
		cmocka_unit_test_setup(test_read_errors, note_live),
		cmocka_unit_test_setup(test_zero_blocks, note_live),
		cmocka_unit_test_setup(test_not_covered, note_live),
		cmocka_unit_test_setup(test_single_block, note_live),
		cmocka_unit_test_setup(test_ctr_errors, note_live),
		cmocka_unit_test_setup(test_ctr_short_fec_device, note_live),
		cmocka_unit_test_setup(test_ctr_enomem, note_live),
		cmocka_unit_test_setup(test_ctr_without_device, note_live),
		cmocka_unit_test_setup(test_status_table, note_live),
		cmocka_unit_test_setup(test_target, note_live),
		cmocka_unit_test_setup(test_encode_args, note_live),
		cmocka_unit_test_setup(test_fec_blocks, note_live),
		cmocka_unit_test_setup(test_veritysetup_compat, note_live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
