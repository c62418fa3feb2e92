// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Forward error correction for the verity target (formats.md §1.6 options
 * use_fec_from_device, fec_roots, fec_blocks, fec_start; §2.3 layout; Linux
 * drivers/md/dm-verity-fec.c).  When a data or hash block fails its digest,
 * the k = 255 - roots message blocks that share its codewords are read (data
 * blocks from the data device, the rest from the hash device from
 * hash_start, zeros past fec_blocks), each byte column is decoded with its
 * parity from the FEC device, and the repaired block is accepted only if it
 * hashes to the digest the tree expects.  As in Linux, decoding is first
 * tried without erasures; if that fails, data blocks whose own digest does
 * not match (or that cannot be read) are passed to the decoder as erasures,
 * which doubles the number of bad symbols a codeword can lose.  Constructor
 * checks and their messages follow Linux's dmbi_verity_fec_ctr().
 */
#include "verity_target.h"


/* Codewords decoded per pass: the buffers hold k rows of this many bytes. */
#define FEC_MAX_COLS 4096u

struct verity_fec {
	const struct dmbi_lower *dev;
	struct dmbi_rs *rs;
	uint64_t start;        /* fec_start, in blocks */
	uint64_t blocks;       /* fec_blocks: message blocks */
	uint64_t rounds;       /* ceil(blocks / rsn) */
	uint64_t hash_blocks;  /* message blocks on the hash device: blocks - data_blocks */
	unsigned roots;
	unsigned rsn;          /* 255 - roots */
	size_t cols;           /* min(block size, FEC_MAX_COLS) */
	uint8_t *msg;          /* rsn rows of cols bytes: symbol i of column c at msg[i * cols + c] */
	uint8_t *par;          /* cols * roots parity bytes */
	uint64_t *lanes;       /* encoder state for cols codewords */
	uint8_t *check;        /* cols * roots parity bytes the message encodes to */
	uint8_t *blk;          /* one message block as read */
	uint8_t *out;          /* the corrected block, copied out only once it verifies */
	uint8_t *leaf;         /* a leaf hash block, for erasure hints */
	uint64_t leaf_block;   /* which one is in leaf, or UINT64_MAX */
	uint64_t fixed;        /* symbols the last decode_round() corrected, for the log */
};

static int ctr_fail(struct dmbi_target *ti, const char *why, int err)
{
	ti->error = why;
	return err;
}

/*
 * Linux's size checks go through dm-bufio: a device's size in units of the
 * client's block size after its start offset.  Kept as Linux has them so
 * that the same tables load; see the FEC device check below.
 */
static uint64_t units_after(const struct dmb_bdev *bd, uint64_t start_sectors, unsigned unit_bytes)
{
	uint64_t s = dmb_bdev_sectors(bd);

	s = s >= start_sectors ? s - start_sectors : 0;
	return dmbi_udiv64(s, unit_bytes >> DMB_SECTOR_SHIFT, NULL);
}

static int fec_setup(struct verity *v, const struct dmbi_lower *dev)
{
	struct dmbi_target *ti = v->ti;
	const struct verity_fec_params *p = &v->fec_params;
	const struct dmbi_hashtree *t = &v->tree;
	const unsigned bits = t->data_block_bits;
	const size_t bs = (size_t)1 << bits;
	struct verity_fec *f;
	uint64_t tree_blocks, covered, parity_blocks, area_end, io_size, start_sectors;
	int r;

	if (t->data_block_bits != t->hash_block_bits)
		return ctr_fail(ti, "Block sizes must match to use FEC", DMB_EINVAL);
	if (!(p->given & 2) || !p->roots)
		return ctr_fail(ti, "Missing fec_roots", DMB_EINVAL);
	if (p->roots < DMBI_RS_MIN_ROOTS || p->roots > DMBI_RS_MAX_ROOTS)
		return ctr_fail(ti, "Invalid fec_roots", DMB_EINVAL);
	if (!(p->given & 4) || !p->blocks)
		return ctr_fail(ti, "Missing fec_blocks", DMB_EINVAL);

	f = dmbi_calloc(1, sizeof(*f));
	if (!f)
		return ctr_fail(ti, "Cannot allocate FEC structure", DMB_ENOMEM);
	v->fec = f; /* from here on dmbi_verity_fec_dtr() cleans up */
	f->dev = dev;
	f->roots = p->roots;
	f->rsn = dmbi_fec_rsn(p->roots);
	f->blocks = p->blocks;
	f->start = (p->given & 8) ? p->start : 0; /* Linux defaults fec_start to 0 */
	f->rounds = dmbi_fec_rounds(f->blocks, f->rsn);
	f->leaf_block = UINT64_MAX;

	/* The message must cover the data and the whole tree; more is metadata. */
	tree_blocks = t->hash_end - t->hash_start;
	if (!dmbi_add_u64(t->data_blocks, tree_blocks, &covered) || f->blocks < covered ||
	    !dmbi_fec_parity_blocks_checked(f->blocks, f->roots, bits, &parity_blocks))
		return ctr_fail(ti, "Invalid fec_blocks", DMB_EINVAL);
	f->hash_blocks = f->blocks - t->data_blocks;
	if (units_after(v->hash_dev->bdev, 0, 1u << t->hash_block_bits) < f->hash_blocks)
		return ctr_fail(ti, "Hash device is too small for fec_blocks", DMB_ERANGE);

	/*
	 * Linux compares the FEC device, in units of its parity I/O size, with
	 * rounds * roots / (roots * 512) = rounds / 512, which is far below the
	 * parity area's real size of rounds * roots blocks.  Accept what Linux
	 * accepts, warn when the area is cut short (parity reads past the end
	 * then fail and so does the correction of the blocks they cover).
	 */
	io_size = ((uint64_t)f->roots << DMB_SECTOR_SHIFT) & (bs - 1) ? bs
								 : (uint64_t)f->roots << DMB_SECTOR_SHIFT;
	start_sectors = f->start > (UINT64_MAX >> (bits - DMB_SECTOR_SHIFT))
				? UINT64_MAX
				: f->start << (bits - DMB_SECTOR_SHIFT);
	if (units_after(dev->bdev, start_sectors, (unsigned)io_size) < f->rounds / 512)
		return ctr_fail(ti, "FEC device is too small", DMB_ERANGE);
	if (f->start > (UINT64_MAX >> bits) ||
	    !dmbi_add_u64(f->start << bits, parity_blocks << bits, &area_end) ||
	    area_end > dmb_bdev_bytes(dev->bdev))
		dmbi_log(ti->ctx, DMB_LOG_WARN,
			"line %u: verity: FEC device %s ends before the parity area (%llu blocks from block %llu)",
			ti->line, dev->name, (unsigned long long)parity_blocks,
			(unsigned long long)f->start);

	if (units_after(v->data_dev->bdev, 0, (unsigned)bs) < t->data_blocks)
		return ctr_fail(ti, "Data device is too small", DMB_ERANGE);

	r = dmbi_rs_create(f->roots, &f->rs);
	if (r)
		return ctr_fail(ti, "Cannot allocate RS pool", r);
	f->cols = bs < FEC_MAX_COLS ? bs : FEC_MAX_COLS;
	f->msg = dmbi_calloc(f->rsn, f->cols);
	f->par = dmbi_calloc(f->roots, f->cols);
	f->check = dmbi_calloc(f->roots, f->cols);
	f->lanes = dmbi_calloc(f->cols, f->rs->words * sizeof(uint64_t));
	if (!f->msg || !f->par || !f->check || !f->lanes)
		return ctr_fail(ti, "Cannot allocate FEC buffer prealloc pool", DMB_ENOMEM);
	f->blk = dmbi_calloc(1, bs);
	f->out = dmbi_calloc(1, bs);
	f->leaf = dmbi_calloc(1, (size_t)1 << t->hash_block_bits);
	if (!f->blk || !f->out || !f->leaf)
		return ctr_fail(ti, "Cannot allocate FEC output pool", DMB_ENOMEM);
	return 0;
}

int dmbi_verity_fec_ctr(struct verity *v)
{
	struct dmbi_target *ti = v->ti;
	const struct dmbi_lower *dev;
	int r;

	/* Linux: without use_fec_from_device the other FEC options are ignored. */
	if (!(v->fec_params.given & 1) || !v->fec_params.dev_name)
		return 0;
	r = dmbi_target_get_device(ti, v->fec_params.dev_name, 0, 0, &dev);
	if (r)
		return ctr_fail(ti, "FEC device lookup failed", r);
	return fec_setup(v, dev);
}

void dmbi_verity_fec_dtr(struct verity *v)
{
	struct verity_fec *f = v->fec;

	if (!f)
		return;
	dmbi_rs_destroy(f->rs);
	dmb_port_free(f->msg);
	dmb_port_free(f->par);
	dmb_port_free(f->check);
	dmb_port_free(f->lanes);
	dmb_port_free(f->blk);
	dmb_port_free(f->out);
	dmb_port_free(f->leaf);
	dmb_port_free(f);
	v->fec = NULL;
}

/* Read message block m into f->blk (m < f->blocks). */
static int read_msg_block(struct verity *v, uint64_t m)
{
	struct verity_fec *f = v->fec;
	const unsigned bits = v->tree.data_block_bits;
	const struct dmbi_lower *l = v->data_dev;
	uint64_t block = m;

	if (m >= v->tree.data_blocks) {
		block = v->tree.hash_start + (m - v->tree.data_blocks);
		l = v->hash_dev;
	}
	/* Overflow means past any device: the read fails as Linux's would. */
	if (block > (UINT64_MAX >> bits))
		return DMB_ERANGE;
	return dmbi_bdev_read_bytes(v->ti->ctx, l->bdev, block << bits, (size_t)1 << bits,
				    f->blk);
}

/*
 * The digest the tree stores for data block d, read from its leaf hash
 * block without checking the leaf.  It only steers erasures and
 * ignore_zero_blocks; the corrected block is checked against a verified
 * digest whatever this returns.
 */
static int leaf_digest(struct verity *v, uint64_t d, uint8_t *digest)
{
	struct verity_fec *f = v->fec;
	const struct dmbi_hashtree *t = &v->tree;
	uint64_t hb;
	size_t off;
	int r;

	if (t->levels == 0) {
		memcpy(digest, v->root_digest, t->digest_size);
		return 0;
	}
	dmbi_hashtree_locate(t, d, 0, &hb, &off);
	if (hb != f->leaf_block) {
		f->leaf_block = UINT64_MAX;
		r = dmbi_bdev_read_bytes(v->ti->ctx, v->hash_dev->bdev, hb << t->hash_block_bits,
					 (size_t)1 << t->hash_block_bits, f->leaf);
		if (r)
			return r;
		f->leaf_block = hb;
	}
	memcpy(digest, f->leaf + off, t->digest_size);
	return 0;
}

/*
 * Load symbol row i (message block m) for the columns [pos, pos + cols).
 * On the first pass, with eras non-NULL, a data block that cannot be read
 * or does not match its digest becomes an erasure.
 */
static void load_row(struct verity *v, unsigned i, uint64_t m, size_t pos, uint8_t *eras,
		     unsigned *neras)
{
	struct verity_fec *f = v->fec;
	const size_t bs = (size_t)1 << v->tree.data_block_bits;
	uint8_t want[DMB_MAX_DIGEST_SIZE], got[DMB_MAX_DIGEST_SIZE];
	bool hint = eras && pos == 0 && *neras <= f->roots;

	/* Past the message, or unreadable: zeros, as the encoder saw. */
	if (m >= f->blocks)
		return;
	if (read_msg_block(v, m)) {
		if (hint)
			eras[(*neras)++] = (uint8_t)i;
		return;
	}
	if (m < v->tree.data_blocks && (v->zero_blocks || hint) && leaf_digest(v, m, want) == 0) {
		/* Linux skips known zero blocks: their bytes count as zeros. */
		if (v->zero_blocks &&
		    dmb_memcmp_ct(want, v->zero_digest, v->tree.digest_size) == 0)
			return;
		if (hint && dmbi_hasher_digest(&v->hasher, f->blk, bs, got) == 0 &&
		    dmb_memcmp_ct(want, got, v->tree.digest_size) != 0)
			eras[(*neras)++] = (uint8_t)i;
	}
	memcpy(f->msg + (size_t)i * f->cols, f->blk + pos, f->cols);
}

/*
 * Decode every codeword of round n and keep symbol `target` of each: the
 * message block being repaired.  Result in f->out.
 */
static int decode_round(struct verity *v, uint64_t n, unsigned target, const uint8_t *want,
			bool use_erasures)
{
	struct verity_fec *f = v->fec;
	const unsigned bits = v->tree.data_block_bits;
	const size_t bs = (size_t)1 << bits;
	uint8_t eras[DMBI_RS_MAX_ROOTS + 1];
	uint8_t cw[DMBI_RS_N];
	uint8_t digest[DMB_MAX_DIGEST_SIZE];
	unsigned neras = 0;
	uint64_t off;
	int r;

	f->fixed = 0;
	for (size_t pos = 0; pos < bs; pos += f->cols) {
		memset(f->msg, 0, (size_t)f->rsn * f->cols);
		for (unsigned i = 0; i < f->rsn; i++)
			load_row(v, i, dmbi_fec_msg_block(f->rounds, n, i), pos,
				 use_erasures ? eras : NULL, &neras);

		/*
		 * The offset within the area fits (fec_setup() checked the area's
		 * byte size); the area's start may not, on a table Linux accepts.
		 */
		if (f->start > (UINT64_MAX >> bits) ||
		    !dmbi_add_u64(f->start << bits, dmbi_fec_parity_offset(n, pos, bits, f->roots),
				  &off))
			return DMB_ERANGE;
		r = dmbi_bdev_read_bytes(v->ti->ctx, f->dev->bdev, off, f->cols * f->roots, f->par);
		if (r)
			return r;
		/*
		 * Re-encode all columns at once; only those whose parity differs
		 * hold errors and go through the decoder.
		 */
		memset(f->lanes, 0, f->cols * f->rs->words * sizeof(uint64_t));
		for (unsigned i = 0; i < f->rsn; i++)
			dmbi_rs_lanes_feed(f->rs, f->lanes, f->msg + (size_t)i * f->cols, f->cols);
		dmbi_rs_lanes_parity(f->rs, f->lanes, f->cols, f->check);
		for (size_t c = 0; c < f->cols; c++) {
			if (memcmp(f->check + c * f->roots, f->par + c * f->roots, f->roots) == 0) {
				f->out[pos + c] = f->msg[(size_t)target * f->cols + c];
				continue;
			}
			for (unsigned i = 0; i < f->rsn; i++)
				cw[i] = f->msg[(size_t)i * f->cols + c];
			memcpy(cw + f->rsn, f->par + c * f->roots, f->roots);
			r = dmbi_rs_decode(f->rs, cw, eras, neras);
			if (r < 0)
				return r;
			f->fixed += (unsigned)r;
			f->out[pos + c] = cw[target];
		}
	}
	r = dmbi_hasher_digest(&v->hasher, f->out, bs, digest);
	if (r)
		return r;
	return dmb_memcmp_ct(digest, want, v->tree.digest_size) ? DMB_EVERIFY : 0;
}

int dmbi_verity_fec_decode(struct verity *v, bool is_data, uint64_t block, const uint8_t *want_digest,
			   uint8_t *buf)
{
	struct verity_fec *f = v->fec;
	const struct dmbi_hashtree *t = &v->tree;
	uint64_t m, n;
	unsigned target;
	int r;

	if (!f)
		return DMB_EIO;
	if (is_data) {
		if (block >= t->data_blocks)
			return DMB_EIO;
		m = block;
	} else {
		if (block < t->hash_start || block - t->hash_start >= f->hash_blocks)
			return DMB_EIO;
		m = t->data_blocks + (block - t->hash_start);
	}
	dmbi_fec_locate(f->rounds, m, &n, &target);
	f->leaf_block = UINT64_MAX; /* the tree may have been repaired since */

	r = decode_round(v, n, target, want_digest, false);
	if (r)
		r = decode_round(v, n, target, want_digest, true);
	if (r) {
		/* Once per block, as the corruption that follows is (verity.c). */
		if (dmbi_verity_log_first(v, is_data ? VERITY_LOG_FEC_DATA : VERITY_LOG_FEC_HASH,
					  block)) {
			dmbi_log(v->ti->ctx, DMB_LOG_ERR, "verity: FEC: cannot correct %s block %llu of %s: %s",
				 is_data ? "data" : "hash", (unsigned long long)block,
				 is_data ? v->data_dev->name : v->hash_dev->name, dmb_strerror(r));
			dmbi_verity_log_limit(v);
		}
		return DMB_EIO;
	}
	/*
	 * A warning, as Linux's "FEC %llu: corrected %d errors"; once per block,
	 * and counted against the limit only when the context shows warnings.
	 */
	if (v->ti->ctx->log_level >= DMB_LOG_WARN &&
	    dmbi_verity_log_first(v, is_data ? VERITY_LOG_FIXED_DATA : VERITY_LOG_FIXED_HASH, block)) {
		dmbi_log(v->ti->ctx, DMB_LOG_WARN, "verity: FEC: corrected %llu errors in %s block %llu of %s",
			 (unsigned long long)f->fixed, is_data ? "data" : "hash",
			 (unsigned long long)block, is_data ? v->data_dev->name : v->hash_dev->name);
		dmbi_verity_log_limit(v);
	}
	memcpy(buf, f->out, (size_t)1 << t->data_block_bits);
	return 0;
}

void dmbi_verity_fec_opts(const struct verity *v, struct dmb_verity_opts *o)
{
	const struct verity_fec *f = v->fec;

	if (!f)
		return;
	o->fec_dev = f->dev->name;
	o->fec_blocks = f->blocks;
	o->fec_start = f->start;
	o->fec_roots = f->roots;
}
