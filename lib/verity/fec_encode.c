// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The dm-verity FEC encoder, byte-compatible with `veritysetup format
 * --fec-device` (formats.md §2.3; cryptsetup lib/verity/verity_fec.c).  The
 * rounds are processed in batches: for each of the k message symbols, one
 * contiguous read brings in the message blocks of every round in the batch
 * (block n + i * rounds for round n, symbol i), and the Reed-Solomon shift
 * registers of all their codewords, one per byte, advance by that symbol
 * (dmbi_rs_lanes_feed).  After k steps the batch's parity is complete and is
 * laid out exactly as on disk, so it goes out in one write.  The register
 * state of a batch is capped at about 1 MiB so it stays in cache.
 */
#include "verity.h"

#include "../core/core.h"

/* Lane state per batch; one round of a 64 KiB block with 24 roots exceeds it. */
#define STATE_BUDGET_BYTES (1u << 20)

static bool block_size_ok(unsigned bs)
{
	return dmbi_is_pow2(bs) && bs >= (1u << DMB_MIN_BLOCK_SHIFT) &&
	       bs <= (1u << DMB_MAX_BLOCK_SHIFT);
}

int dmb_verity_fec_parity_blocks(uint64_t fec_blocks, unsigned roots, unsigned block_size,
				 uint64_t *parity_blocks)
{
	if (roots < DMBI_RS_MIN_ROOTS || roots > DMBI_RS_MAX_ROOTS || !fec_blocks ||
	    !block_size_ok(block_size))
		return DMB_EINVAL;
	if (!dmbi_fec_parity_blocks_checked(fec_blocks, roots, dmbi_ilog2(block_size),
					    parity_blocks))
		return DMB_ERANGE;
	return 0;
}

int dmb_verity_fec_blocks(struct dmb_ctx *ctx, uint64_t data_blocks, uint64_t hash_start_block,
			  unsigned block_size, uint64_t hash_dev_bytes, bool fec_on_hash_dev,
			  uint64_t fec_offset_bytes, uint64_t *fec_blocks)
{
	uint64_t blocks;

	if (!block_size_ok(block_size))
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "verity FEC: invalid block size %u", block_size);
	blocks = (fec_on_hash_dev ? fec_offset_bytes : hash_dev_bytes) >> dmbi_ilog2(block_size);
	if (blocks) {
		if (blocks < hash_start_block)
			return dmb_ctx_set_error(ctx, DMB_EINVAL,
					  "verity FEC: the %s ends at block %llu, before the hash area at block %llu",
					  fec_on_hash_dev ? "area before the FEC offset" : "hash device",
					  (unsigned long long)blocks,
					  (unsigned long long)hash_start_block);
		blocks -= hash_start_block;
	}
	if (!dmbi_add_u64(blocks, data_blocks, fec_blocks))
		return dmb_ctx_set_error(ctx, DMB_ERANGE, "verity FEC: message size overflows");
	return 0;
}

/* [a, a + alen) and [b, b + blen) intersect; both ends are known not to overflow. */
static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

struct encoder {
	const struct dmb_fec_encode_args *a;
	struct dmb_ctx *ctx;
	unsigned bits;
};

/*
 * Message blocks [m, m + count) into buf: data device, then hash device,
 * then zeros past fec_blocks.
 */
static int read_message(const struct encoder *e, uint64_t m, size_t count, uint8_t *buf)
{
	const struct dmb_fec_encode_args *a = e->a;
	int r;

	while (count) {
		size_t n;
		uint64_t avail;

		if (m < a->data_blocks) {
			avail = a->data_blocks - m;
			n = avail < count ? (size_t)avail : count;
			r = dmb_bdev_read_bytes(a->data_dev, m << e->bits, n << e->bits, buf);
			if (r)
				return dmb_ctx_set_error(e->ctx, r,
						  "verity FEC: cannot read data block %llu: %s",
						  (unsigned long long)m, dmb_strerror(r));
		} else if (m < a->fec_blocks) {
			uint64_t h = m - a->data_blocks;

			avail = a->fec_blocks - m;
			n = avail < count ? (size_t)avail : count;
			r = dmb_bdev_read_bytes(a->hash_dev, a->hash_offset_bytes + (h << e->bits),
						n << e->bits, buf);
			if (r)
				return dmb_ctx_set_error(e->ctx, r,
						  "verity FEC: cannot read hash device block %llu: %s",
						  (unsigned long long)((a->hash_offset_bytes >> e->bits) + h),
						  dmb_strerror(r));
		} else {
			n = count;
			memset(buf, 0, n << e->bits);
		}
		m += n;
		count -= n;
		buf += n << e->bits;
	}
	return 0;
}

/* Check the arguments; on success *rs_blocks is the parity area size in blocks. */
static int check_args(struct dmb_ctx *ctx, const struct dmb_fec_encode_args *a,
		      uint64_t *rs_blocks)
{
	const unsigned bits = block_size_ok(a->block_size) ? dmbi_ilog2(a->block_size) : 0;
	uint64_t data_bytes, hash_bytes, hash_end, fec_bytes, fec_end;

	if (!a->data_dev || !a->hash_dev || !a->fec_dev)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "verity FEC: a device is missing");
	if (!bits)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "verity FEC: invalid block size %u",
					 a->block_size);
	if (a->roots < DMBI_RS_MIN_ROOTS || a->roots > DMBI_RS_MAX_ROOTS)
		return dmb_ctx_set_error(ctx, DMB_EINVAL,
				  "verity FEC: invalid number of parity bytes %u (2..24)", a->roots);
	if (!a->fec_blocks || a->fec_blocks < a->data_blocks)
		return dmb_ctx_set_error(ctx, DMB_EINVAL,
				  "verity FEC: fec_blocks %llu does not cover the %llu data blocks",
				  (unsigned long long)a->fec_blocks,
				  (unsigned long long)a->data_blocks);
	if (dmb_verity_fec_parity_blocks(a->fec_blocks, a->roots, a->block_size, rs_blocks) ||
	    a->data_blocks > (UINT64_MAX >> bits) ||
	    a->fec_blocks - a->data_blocks > (UINT64_MAX >> bits))
		return dmb_ctx_set_error(ctx, DMB_ERANGE, "verity FEC: size overflow");
	data_bytes = a->data_blocks << bits;
	hash_bytes = (a->fec_blocks - a->data_blocks) << bits;
	fec_bytes = *rs_blocks << bits;
	if (data_bytes > dmb_bdev_bytes(a->data_dev))
		return dmb_ctx_set_error(ctx, DMB_ERANGE,
					 "verity FEC: the data device is smaller than %llu blocks",
					 (unsigned long long)a->data_blocks);
	if (!dmbi_add_u64(a->hash_offset_bytes, hash_bytes, &hash_end) ||
	    hash_end > dmb_bdev_bytes(a->hash_dev))
		return dmb_ctx_set_error(ctx, DMB_ERANGE,
				  "verity FEC: %llu blocks from byte %llu run past the hash device",
				  (unsigned long long)(a->fec_blocks - a->data_blocks),
				  (unsigned long long)a->hash_offset_bytes);
	if (!dmbi_add_u64(a->fec_offset_bytes, fec_bytes, &fec_end) ||
	    fec_end > dmb_bdev_bytes(a->fec_dev))
		return dmb_ctx_set_error(ctx, DMB_ERANGE,
				  "verity FEC: the FEC device needs %llu bytes from byte %llu",
				  (unsigned long long)fec_bytes,
				  (unsigned long long)a->fec_offset_bytes);
	/* Writing parity into the message as it is read would encode garbage. */
	if ((a->fec_dev == a->data_dev &&
	     overlaps(a->fec_offset_bytes, fec_bytes, 0, data_bytes)) ||
	    (a->fec_dev == a->hash_dev &&
	     overlaps(a->fec_offset_bytes, fec_bytes, a->hash_offset_bytes, hash_bytes)))
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "verity FEC: the FEC area overlaps the data it protects");
	return 0;
}

/* What encoding and checking share: the codec and one batch of rounds. */
struct batch {
	struct encoder e;
	struct dmbi_rs *rs;
	uint64_t *state;
	uint8_t *msg, *parity;
	uint64_t rounds, batch;
	size_t bs;
	unsigned rsn;
};

static void batch_fini(struct batch *b)
{
	dmb_port_free(b->parity);
	dmb_port_free(b->msg);
	dmb_port_free(b->state);
	dmbi_rs_destroy(b->rs);
}

static int batch_init(struct batch *b, struct dmb_ctx *ctx, const struct dmb_fec_encode_args *a)
{
	uint64_t rs_blocks;
	size_t lanes_max;
	int r = check_args(ctx, a, &rs_blocks);

	memset(b, 0, sizeof(*b));
	if (r)
		return r;
	b->e = (struct encoder){ .a = a, .ctx = ctx, .bits = dmbi_ilog2(a->block_size) };
	b->bs = a->block_size;
	b->rsn = dmbi_fec_rsn(a->roots);
	b->rounds = dmbi_fec_rounds(a->fec_blocks, b->rsn);
	if (dmbi_rs_create(a->roots, &b->rs))
		return dmb_ctx_set_error(ctx, DMB_ENOMEM, "verity FEC: out of memory");
	b->batch = STATE_BUDGET_BYTES / (b->bs * b->rs->words * sizeof(uint64_t));
	if (b->batch == 0)
		b->batch = 1;
	if (b->batch > b->rounds)
		b->batch = b->rounds;
	lanes_max = (size_t)b->batch * b->bs;
	b->state = dmbi_calloc(lanes_max, b->rs->words * sizeof(uint64_t));
	b->msg = dmbi_calloc(lanes_max, 1);
	b->parity = dmbi_calloc(lanes_max, a->roots);
	if (!b->state || !b->msg || !b->parity) {
		batch_fini(b);
		return dmb_ctx_set_error(ctx, DMB_ENOMEM, "verity FEC: out of memory");
	}
	return 0;
}

/* The parity of the nb rounds from n0 into b->parity, laid out as on disk. */
static int batch_parity(struct batch *b, uint64_t n0, size_t nb)
{
	size_t lanes = nb * b->bs;

	memset(b->state, 0, lanes * b->rs->words * sizeof(uint64_t));
	for (unsigned i = 0; i < b->rsn; i++) {
		int r = read_message(&b->e, dmbi_fec_msg_block(b->rounds, n0, i), nb, b->msg);

		if (r)
			return r;
		dmbi_rs_lanes_feed(b->rs, b->state, b->msg, lanes);
	}
	dmbi_rs_lanes_parity(b->rs, b->state, lanes, b->parity);
	return 0;
}

int dmb_verity_fec_encode(struct dmb_ctx *ctx, const struct dmb_fec_encode_args *a)
{
	struct batch b;
	int r = batch_init(&b, ctx, a);

	if (r)
		return r;
	for (uint64_t n0 = 0; n0 < b.rounds; n0 += b.batch) {
		size_t nb = (size_t)(b.rounds - n0 < b.batch ? b.rounds - n0 : b.batch);

		r = batch_parity(&b, n0, nb);
		if (r)
			goto out;
		r = dmb_bdev_write_bytes(a->fec_dev,
					 a->fec_offset_bytes +
						 dmbi_fec_parity_offset(n0, 0, b.e.bits, a->roots),
					 nb * b.bs * a->roots, b.parity);
		if (r) {
			dmb_ctx_set_error(ctx, r, "verity FEC: cannot write parity of round %llu: %s",
					  (unsigned long long)n0, dmb_strerror(r));
			goto out;
		}
		if (a->progress)
			a->progress(a->cookie, n0 + nb, b.rounds);
	}
	r = dmb_bdev_flush(a->fec_dev);
	if (r)
		dmb_ctx_set_error(ctx, r, "verity FEC: cannot flush the FEC device: %s", dmb_strerror(r));
out:
	batch_fini(&b);
	return r;
}

/*
 * Decode the codewords of round n whose stored parity (stored, roots bytes
 * a codeword) differs from the computed one (b->parity at off), adding the
 * symbols each would correct to *errors.  The round's message is gathered
 * into *round (k blocks, allocated on first use): a round with a mismatch is
 * rare, so it is read again rather than kept.
 */
static int check_round(struct batch *b, uint64_t n, size_t off, const uint8_t *stored,
		       uint8_t **round, uint64_t *errors)
{
	const unsigned roots = b->e.a->roots;
	uint8_t cw[DMBI_RS_N];
	bool gathered = false;

	for (size_t c = 0; c < b->bs; c++) {
		int got;

		if (memcmp(b->parity + off + c * roots, stored + off + c * roots, roots) == 0)
			continue;
		if (!*round && !(*round = dmbi_calloc(b->rsn, b->bs)))
			return dmb_ctx_set_error(b->e.ctx, DMB_ENOMEM, "verity FEC: out of memory");
		for (unsigned i = 0; !gathered && i < b->rsn; i++) {
			int r = read_message(&b->e, dmbi_fec_msg_block(b->rounds, n, i), 1,
					     *round + (size_t)i * b->bs);

			if (r)
				return r;
		}
		gathered = true;
		for (unsigned i = 0; i < b->rsn; i++)
			cw[i] = (*round)[(size_t)i * b->bs + c];
		memcpy(cw + b->rsn, stored + off + c * roots, roots);
		got = dmbi_rs_decode(b->rs, cw, NULL, 0);
		if (got < 0) {
			*errors = n;
			return dmb_ctx_set_error(b->e.ctx, DMB_EVERIFY,
					  "verity FEC: cannot repair round %llu", (unsigned long long)n);
		}
		*errors += (uint64_t)got;
	}
	return 0;
}

int dmb_verity_fec_check(struct dmb_ctx *ctx, const struct dmb_fec_encode_args *a,
			 uint64_t *errors)
{
	struct batch b;
	uint8_t *stored = NULL, *round = NULL;
	int r = batch_init(&b, ctx, a);

	*errors = 0;
	if (r)
		return r;
	stored = dmbi_calloc((size_t)b.batch * b.bs, a->roots);
	if (!stored)
		r = dmb_ctx_set_error(ctx, DMB_ENOMEM, "verity FEC: out of memory");
	for (uint64_t n0 = 0; !r && n0 < b.rounds; n0 += b.batch) {
		size_t nb = (size_t)(b.rounds - n0 < b.batch ? b.rounds - n0 : b.batch);
		uint64_t at = a->fec_offset_bytes + dmbi_fec_parity_offset(n0, 0, b.e.bits, a->roots);

		r = batch_parity(&b, n0, nb);
		if (!r) {
			r = dmb_bdev_read_bytes(a->fec_dev, at, nb * b.bs * a->roots, stored);
			if (r)
				dmb_ctx_set_error(ctx, r, "verity FEC: cannot read parity of round %llu: %s",
						  (unsigned long long)n0, dmb_strerror(r));
		}
		for (size_t j = 0; !r && j < nb; j++)
			r = check_round(&b, n0 + j, j * b.bs * a->roots, stored, &round, errors);
		if (!r && a->progress)
			a->progress(a->cookie, n0 + nb, b.rounds);
	}
	dmb_port_free(round);
	dmb_port_free(stored);
	batch_fini(&b);
	return r;
}
