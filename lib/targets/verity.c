// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The verity target (formats.md §1.6, §2; Linux dm-verity): a read-only
 * device whose every data block is checked against a hash tree up to a
 * trusted root digest before it is returned.  Verified hash blocks are kept
 * in a bounded cache, so sequential reads cost one digest per data block and
 * each hash block is read and hashed once; a random read costs at most one
 * hash-block read once the upper levels are cached.  The cache's size comes
 * from the context (dmb_ctx_mem.verity_cache_bytes; verity_cache.c).  At
 * creation the top hash block is checked against the root digest, so that a
 * device no block of which could be read is refused.  A read that fails, for
 * any reason, zeroes the whole range it was asked for, so that a caller that
 * ignores the error never sees unverified bytes.  Optional arguments
 * follow Linux: corruption modes, ignore_zero_blocks, check_at_most_once,
 * FEC (verity_fec.c) and root hash signatures checked at construction.
 * A corrupt block is logged once, for at most 100 blocks, in the default
 * mode (unless the context is DMB_CTX_QUIET_IO) and under
 * ignore_corruption, as Linux logs it in every mode.
 */
#include "verity_target.h"

/* Corruption and error handling */

enum block_type { BLOCK_DATA, BLOCK_METADATA };

/*
 * Whether to log a line about block: the first time only, for the first
 * VERITY_MAX_LOGGED blocks; the line after the last says the limit is
 * reached.  Linux logs every corruption it meets until
 * DM_VERITY_MAX_CORRUPTED_ERRS (100) and then "reached maximum errors"; a
 * reader that retries one block would spend those on it, so each block
 * counts once here.  A device lives for one command on the host, for one
 * boot in a bootloader; the memory is the fixed list in struct verity.
 */
bool dmbi_verity_log_first(struct verity *v, enum verity_log_kind kind, uint64_t block)
{
	/* Blocks are below 2^55: the constructor keeps block << 9 in range. */
	const uint64_t key = block << 3 | (uint64_t)kind;

	for (unsigned i = 0; i < v->nlogged; i++)
		if (v->logged[i] == key)
			return false;
	if (v->nlogged == VERITY_MAX_LOGGED)
		return false;
	v->logged[v->nlogged++] = key;
	return true;
}

/* After a line dmbi_verity_log_first() allowed: say when it was the last. */
void dmbi_verity_log_limit(struct verity *v)
{
	if (v->nlogged == VERITY_MAX_LOGGED)
		dmbi_log(v->ti->ctx, DMB_LOG_ERR, "verity: %s: reached maximum errors",
			 v->data_dev->name);
}

/*
 * Apply the table's mode to a corrupt block (Linux verity_handle_err()).
 * Returns 0 when the read should go on (ignore_corruption) and DMB_EIO when
 * it fails.  The line goes to the log at the error level, as Linux's DMERR
 * does in every mode, so it is seen whatever the context's log level and
 * whether or not the caller prints the context's message: under
 * ignore_corruption with "(ignored)", in the default mode as the message the
 * read fails with (not when the context is DMB_CTX_QUIET_IO: its caller
 * prints that message).  Each block is logged once, for the first
 * VERITY_MAX_LOGGED blocks, both modes counting against the same limit.
 * Restart and panic hand the line to dmb_port_fatal() instead.
 */
static int handle_corruption(struct verity *v, enum block_type type, uint64_t block)
{
	struct dmbi_target *ti = v->ti;
	const char *what = type == BLOCK_DATA ? "data" : "metadata";
	const char *dev = type == BLOCK_DATA ? v->data_dev->name : v->hash_dev->name;
	char reason[DMB_MSG_MAX];

	v->corrupted = true;
	dmbi_snprintf(reason, sizeof(reason), "verity: %s block %llu of %s is corrupted", what,
		      (unsigned long long)block, dev);
	switch (v->mode) {
	case VERITY_MODE_LOGGING:
		if (dmbi_verity_log_first(v, type == BLOCK_DATA ? VERITY_LOG_DATA : VERITY_LOG_METADATA,
					  block)) {
			dmbi_log(ti->ctx, DMB_LOG_ERR, "%s (ignored)", reason);
			dmbi_verity_log_limit(v);
		}
		return 0;
	case VERITY_MODE_RESTART:
		dmb_port_fatal(DMB_FATAL_RESTART, reason);
		break;
	case VERITY_MODE_PANIC:
		dmb_port_fatal(DMB_FATAL_PANIC, reason);
		break;
	case VERITY_MODE_EIO:
		if (!(ti->ctx->flags & DMB_CTX_QUIET_IO) &&
		    dmbi_verity_log_first(v, type == BLOCK_DATA ? VERITY_LOG_DATA : VERITY_LOG_METADATA,
					  block)) {
			dmbi_log(ti->ctx, DMB_LOG_ERR, "%s", reason);
			dmbi_verity_log_limit(v);
		}
		break;
	}
	return dmb_ctx_set_error(ti->ctx, DMB_EIO, "%s", reason);
}

/* An I/O error from a lower device, under restart_on_error / panic_on_error. */
static int handle_io_error(struct verity *v, int r)
{
	if (r == DMB_EIO && v->error_mode != VERITY_MODE_EIO) {
		char reason[DMB_MSG_MAX];

		dmbi_snprintf(reason, sizeof(reason), "verity: %s", v->ti->ctx->msg);
		dmb_port_fatal(v->error_mode == VERITY_MODE_PANIC ? DMB_FATAL_PANIC
								  : DMB_FATAL_RESTART,
			       reason);
	}
	return r;
}

/*
 * Get hash block `block` (absolute, on the hash device) into the cache and
 * check it against want, repairing it with FEC when that is on: *ok says
 * whether it matches, *out is its cached bytes either way.  An I/O error
 * is returned as it is, nothing kept.
 */
static int fetch_hash_block(struct verity *v, uint64_t block, const uint8_t *want,
			    uint8_t **out, bool *ok)
{
	struct verity_cache *c = v->cache;
	struct cache_slot *s = dmbi_verity_cache_find(c, block);
	const size_t hbs = (size_t)1 << v->tree.hash_block_bits;
	uint8_t digest[DMB_MAX_DIGEST_SIZE];
	uint8_t *data;
	int r;

	*ok = false;
	if (s && s->verified) {
		v->ti->stats.cache_hits++;
		*out = dmbi_verity_cache_data(c, s);
		*ok = true;
		return 0;
	}
	if (!s) {
		s = dmbi_verity_cache_insert(c, block);
		data = dmbi_verity_cache_data(c, s);
		v->ti->stats.meta_reads++;
		r = dmbi_bdev_read_sectors(v->ti->ctx, v->hash_dev->bdev,
					   block << (v->tree.hash_block_bits - DMB_SECTOR_SHIFT),
					   hbs >> DMB_SECTOR_SHIFT, data);
		if (r) {
			dmbi_verity_cache_drop(c, s); /* keep nothing half-read */
			return r;
		}
	}
	data = dmbi_verity_cache_data(c, s);
	*out = data;
	v->ti->stats.digests++;
	r = dmbi_hasher_digest(&v->hasher, data, hbs, digest);
	if (r)
		return dmb_ctx_set_error(v->ti->ctx, r, "verity: cannot hash block %llu",
					 (unsigned long long)block);
	if (dmb_memcmp_ct(digest, want, v->tree.digest_size) == 0) {
		s->verified = true;
	} else if (v->fec && dmbi_verity_fec_decode(v, false, block, want, data) == 0) {
		v->fec_corrected++;
		s->verified = true;
	}
	*ok = s->verified;
	return 0;
}

/* Get hash block `block` checked against want, or apply the mode to it. */
static int verify_hash_block(struct verity *v, uint64_t block, const uint8_t *want,
			     const uint8_t **out)
{
	uint8_t *data = NULL;
	bool ok;
	int r = fetch_hash_block(v, block, want, &data, &ok);

	if (r)
		return handle_io_error(v, r);
	if (!ok) {
		r = handle_corruption(v, BLOCK_METADATA, block);
		if (r)
			return r;
	}
	*out = data;
	return 0;
}

/*
 * The expected digest of data block `block` when it costs one lookup: the
 * tree has no levels, or the leaf hash block is cached and verified.
 */
static bool known_digest(struct verity *v, uint64_t block, uint8_t *want)
{
	const struct dmbi_hashtree *t = &v->tree;
	struct cache_slot *s;
	uint64_t hb;
	size_t off;

	if (t->levels == 0) {
		memcpy(want, v->root_digest, t->digest_size);
		return true;
	}
	dmbi_hashtree_locate(t, block, 0, &hb, &off);
	s = dmbi_verity_cache_find(v->cache, hb);
	if (!s || !s->verified)
		return false;
	v->ti->stats.cache_hits++;
	memcpy(want, dmbi_verity_cache_data(v->cache, s) + off, t->digest_size);
	return true;
}

/* The expected digest of data block `block`, walking down from the root. */
static int digest_for_block(struct verity *v, uint64_t block, uint8_t *want)
{
	const struct dmbi_hashtree *t = &v->tree;
	const uint8_t *parent = v->root_digest;
	const uint8_t *data = NULL;
	uint64_t hb;
	size_t off;
	int r;

	if (known_digest(v, block, want))
		return 0;
	for (int level = (int)t->levels - 1; level >= 0; level--) {
		dmbi_hashtree_locate(t, block, (unsigned)level, &hb, &off);
		r = verify_hash_block(v, hb, parent, &data);
		if (r)
			return r;
		/* The parent digest must survive the next insertion's eviction. */
		memcpy(want, data + off, t->digest_size);
		parent = want;
	}
	return 0;
}

static bool test_validated(const struct verity *v, uint64_t block)
{
	return v->validated && (v->validated[block / 8] >> (block % 8) & 1);
}

static void set_validated(struct verity *v, uint64_t block)
{
	if (v->validated)
		v->validated[block / 8] |= (uint8_t)(1u << (block % 8));
}

/* Judge data block `block` in buf by its digest; repair it with FEC or apply the mode. */
static int check_data_block(struct verity *v, uint64_t block, uint8_t *buf, const uint8_t *want,
			    const uint8_t *digest)
{
	if (dmb_memcmp_ct(digest, want, v->tree.digest_size) == 0) {
		set_validated(v, block);
		return 0;
	}
	if (v->fec && dmbi_verity_fec_decode(v, true, block, want, buf) == 0) {
		v->fec_corrected++;
		set_validated(v, block);
		return 0;
	}
	return handle_corruption(v, BLOCK_DATA, block);
}

/* Hash the waiting blocks in one call, then judge each in order. */
static int flush_group(struct verity *v)
{
	struct verity_group *g = &v->group;
	const size_t ds = v->tree.digest_size;
	const unsigned n = g->n;
	int r;

	g->n = 0;
	if (!n)
		return 0;
	v->ti->stats.digests += n;
	r = dmbi_hasher_digest_many(&v->hasher, (const void *const *)g->buf, n,
				    (size_t)1 << v->tree.data_block_bits, g->got);
	if (r)
		return dmb_ctx_set_error(v->ti->ctx, r, "verity: cannot hash data block %llu",
					 (unsigned long long)g->block[0]);
	for (unsigned i = 0; i < n; i++) {
		r = check_data_block(v, g->block[i], g->buf[i], g->want + i * ds, g->got + i * ds);
		if (r)
			return r;
	}
	return 0;
}

/*
 * Check the nblocks data blocks from `block` on in buf.  Blocks whose
 * digest is known from a cached leaf wait in v->group and are hashed
 * together; a walk down the tree (which may read, log or fail) first
 * settles the blocks waiting before it, so that every block's outcome
 * comes in block order, as when each is checked alone.
 */
static int verify_data_blocks(struct verity *v, uint64_t block, uint64_t nblocks, uint8_t *buf)
{
	struct verity_group *g = &v->group;
	const size_t dbs = (size_t)1 << v->tree.data_block_bits;
	const size_t ds = v->tree.digest_size;
	int r;

	g->n = 0;
	for (uint64_t i = 0; i < nblocks; i++, buf += dbs) {
		uint8_t *want = g->want + g->n * ds;

		if (test_validated(v, block + i))
			continue;
		if (!known_digest(v, block + i, want)) {
			r = flush_group(v);
			want = g->want;
			if (!r)
				r = digest_for_block(v, block + i, want);
			if (r)
				return r;
		}
		if (v->zero_blocks && dmb_memcmp_ct(want, v->zero_digest, ds) == 0) {
			/* Linux returns zeros without looking at the device's bytes. */
			memset(buf, 0, dbs);
			continue;
		}
		g->block[g->n] = block + i;
		g->buf[g->n] = buf;
		if (++g->n == VERITY_GROUP) {
			r = flush_group(v);
			if (r)
				return r;
		}
	}
	return flush_group(v);
}

static int verity_read(struct dmbi_target *ti, uint64_t sector, size_t count, void *buf)
{
	struct verity *v = ti->priv;
	const unsigned bits = v->tree.data_block_bits - DMB_SECTOR_SHIFT;
	const uint64_t mask = ((uint64_t)1 << bits) - 1;
	uint64_t block = sector >> bits, nblocks = count >> bits;
	int r;

	ti->stats.reads++;
	/* The device's logical block size keeps requests aligned; check anyway. */
	if ((sector & mask) || (count & mask)) {
		r = dmb_ctx_set_error(ti->ctx, DMB_EIO, "verity: unaligned I/O at sector %llu",
				      (unsigned long long)(ti->begin_sectors + sector));
		goto out;
	}
	if (block + nblocks > v->tree.data_blocks) {
		r = dmb_ctx_set_error(ti->ctx, DMB_EIO, "verity: I/O past data block %llu",
				      (unsigned long long)v->tree.data_blocks);
		goto out;
	}
	/* One read for the whole request; the data blocks are contiguous. */
	ti->stats.data_reads++;
	r = dmbi_bdev_read_sectors(ti->ctx, v->data_dev->bdev, sector, count, buf);
	if (r) {
		r = handle_io_error(v, r);
		goto out;
	}
	r = verify_data_blocks(v, block, nblocks, buf);
out:
	/*
	 * Whatever failed, the buffer may hold unverified bytes: the block that
	 * did not match, those after it, or what a failing lower device left.
	 * Zero the whole request (the blocks verified before the failure too),
	 * so a caller that ignores the error boots nothing it should not.
	 */
	if (r)
		dmbi_wipe(buf, count << DMB_SECTOR_SHIFT);
	return r;
}

/* Constructor */

/*
 * Hash blocks to cache: what the context allows (dmb_ctx_mem), at least two
 * per level plus two, so that a lookup's path down the tree and the leaves
 * around it fit together, and never more than the tree holds (one slot for
 * a tree of none: a single data block hashes straight to the root).
 */
static uint32_t cache_slots(const struct verity *v, size_t cache_bytes)
{
	const uint64_t floor = 2 * (uint64_t)v->tree.levels + 2;
	const uint64_t tree = v->tree.hash_end - v->tree.hash_start;
	uint64_t slots = (cache_bytes ? cache_bytes : DMB_VERITY_CACHE_DEFAULT_BYTES) >>
			 v->tree.hash_block_bits;

	if (slots < floor)
		slots = floor;
	if (slots > tree)
		slots = tree ? tree : 1;
	return slots > VERITY_CACHE_MAX_SLOTS ? VERITY_CACHE_MAX_SLOTS : (uint32_t)slots;
}

static int fail(struct dmbi_target *ti, const char *why, int err)
{
	ti->error = why;
	return err;
}

/* Parse a block size argument: a power of two from 512 to 64 KiB. */
static bool parse_block_size(const char *arg, unsigned *bits)
{
	uint32_t v;

	if (dmbi_parse_u32(arg, 10, &v) || !dmbi_is_pow2(v) || v < 512 ||
	    v > (1u << DMB_MAX_BLOCK_SHIFT))
		return false;
	*bits = dmbi_ilog2(v);
	return true;
}

/* "%llu" that must also survive a shift by `bits` into sectors. */
static bool parse_blocks(const char *arg, unsigned bits, uint64_t *out)
{
	return dmbi_arg_u64(arg, out) == 0 && (*out << bits) >> bits == *out;
}

static bool is_fec_opt(const char *name)
{
	return dmbi_strcasecmp(name, "use_fec_from_device") == 0 ||
	       dmbi_strcasecmp(name, "fec_roots") == 0 || dmbi_strcasecmp(name, "fec_blocks") == 0 ||
	       dmbi_strcasecmp(name, "fec_start") == 0;
}

static int parse_fec_opt(struct verity *v, const char *name, const char *value)
{
	struct verity_fec_params *p = &v->fec_params;
	const unsigned bits = v->tree.data_block_bits - DMB_SECTOR_SHIFT;
	uint32_t roots;

	if (dmbi_strcasecmp(name, "use_fec_from_device") == 0) {
		p->dev_name = value;
		p->given |= 1;
	} else if (dmbi_strcasecmp(name, "fec_roots") == 0) {
		if (dmbi_parse_u32(value, 10, &roots) || roots < 2 || roots > 24)
			return fail(v->ti, "Invalid fec_roots", DMB_EINVAL);
		p->roots = roots;
		p->given |= 2;
	} else if (dmbi_strcasecmp(name, "fec_blocks") == 0) {
		if (!parse_blocks(value, bits, &p->blocks))
			return fail(v->ti, "Invalid fec_blocks", DMB_EINVAL);
		p->given |= 4;
	} else {
		if (!parse_blocks(value, bits, &p->start))
			return fail(v->ti, "Invalid fec_start", DMB_EINVAL);
		p->given |= 8;
	}
	return 0;
}

/* The optional arguments: [<#opt_params> <opt_params>...]. */
static int parse_opt_args(struct verity *v, unsigned argc, char **argv)
{
	struct dmbi_target *ti = v->ti;
	uint32_t n;
	int r;

	if (argc == 0)
		return 0;
	if (dmbi_parse_u32(argv[0], 10, &n) || n > argc - 1)
		return fail(ti, "Invalid number of feature args", DMB_EINVAL);
	for (unsigned i = 1; i <= n; i++) {
		const char *opt = argv[i];

		if (dmbi_strcasecmp(opt, "ignore_corruption") == 0)
			v->mode = VERITY_MODE_LOGGING;
		else if (dmbi_strcasecmp(opt, "restart_on_corruption") == 0)
			v->mode = VERITY_MODE_RESTART;
		else if (dmbi_strcasecmp(opt, "panic_on_corruption") == 0)
			v->mode = VERITY_MODE_PANIC;
		else if (dmbi_strcasecmp(opt, "restart_on_error") == 0)
			v->error_mode = VERITY_MODE_RESTART;
		else if (dmbi_strcasecmp(opt, "panic_on_error") == 0)
			v->error_mode = VERITY_MODE_PANIC;
		else if (dmbi_strcasecmp(opt, "ignore_zero_blocks") == 0)
			v->zero_blocks = true;
		else if (dmbi_strcasecmp(opt, "check_at_most_once") == 0) {
			if (!v->validated) {
				if (v->tree.data_blocks > INT32_MAX)
					return fail(ti, "Invalid data blocks for check_at_most_once",
						    DMB_EINVAL);
				v->validated = dmbi_calloc(v->tree.data_blocks / 8 + 1, 1);
				if (!v->validated)
					return fail(ti, "Cannot allocate bitset for check_at_most_once",
						    DMB_ENOMEM);
			}
		} else if (dmbi_strcasecmp(opt, "try_verify_in_tasklet") == 0) {
			v->tasklet = true;
		} else if (is_fec_opt(opt)) {
			if (i == n)
				return fail(ti, "FEC feature arguments require a value", DMB_EINVAL);
			r = parse_fec_opt(v, opt, argv[++i]);
			if (r)
				return r;
		} else if (dmbi_strcasecmp(opt, "root_hash_sig_key_desc") == 0) {
			if (i == n)
				return fail(ti, "root hash verification: Signature key not specified",
					    DMB_EINVAL);
			dmb_port_free(v->sig_key_desc);
			v->sig_key_desc = dmbi_strdup(argv[++i]);
			if (!v->sig_key_desc)
				return fail(ti, "Cannot allocate signature key description",
					    DMB_ENOMEM);
		} else {
			return fail(ti, "Unrecognized verity feature request", DMB_EINVAL);
		}
	}
	if (n + 1 != argc)
		return fail(ti, "Unrecognized verity feature request", DMB_EINVAL);
	return 0;
}

/*
 * Check the root hash signature named by root_hash_sig_key_desc: a detached
 * PKCS#7 over the root digest's hex text exactly as the table wrote it.
 */
static int verify_signature(struct verity *v, const char *root_hex)
{
	struct dmbi_target *ti = v->ti;
	struct dmb_ctx *ctx = ti->ctx;
	const struct dmb_keyring *k = ctx->keyring;
	uint8_t *sig;
	size_t sig_len;
	int r;

	if (!v->sig_key_desc) {
		if (ctx->flags & DMB_CTX_REQUIRE_SIGNATURES)
			return fail(ti, "root hash verification: Root hash verification failed: signature required",
				    DMB_ENOKEY);
		return 0;
	}
	if (!k || !k->get)
		return fail(ti, "root hash verification: Invalid key specified: no keyring",
			    DMB_ENOKEY);
	if (!ctx->crypto || !ctx->crypto->ops->pkcs7_verify)
		return fail(ti, "root hash verification: no signature support in the crypto provider",
			    DMB_ENOTSUP);
	dmb_ctx_clear(ctx);
	r = k->get(k, ctx, "user", v->sig_key_desc, &sig, &sig_len);
	if (r)
		return dmb_ctx_wrap_error(ctx, r, v->sig_key_desc,
					  "line %u: verity: root hash verification: Invalid key specified: ",
					  ti->line);
	dmb_ctx_clear(ctx);
	r = ctx->crypto->ops->pkcs7_verify(ctx->crypto, ctx, sig, sig_len,
					   (const uint8_t *)root_hex, dmbi_strlen(root_hex));
	if (k->put)
		k->put(k, sig, sig_len);
	if (r)
		return dmb_ctx_wrap_error(ctx, r, NULL, "line %u: verity: root hash verification failed: ",
					  ti->line);
	return 0;
}

/*
 * Check the top hash block against the root digest at creation, which Linux
 * leaves to the first read: a wrong root hash or salt, or a top block that
 * does not verify, makes a device of which no block can ever be read, and
 * is refused now (DMB_EVERIFY) rather than at every read.  The block stays
 * in the cache, verified, so it costs no extra read later.  A top block FEC
 * repairs is fine; under ignore_corruption the device is made, as Linux
 * would make it, and the block is logged as corrupt; under restart and
 * panic modes it is refused rather than stopping the system at creation.
 * With a single data block there is no hash block: its digest is the root,
 * checked when it is read.
 */
static int check_top_block(struct verity *v)
{
	const struct dmbi_hashtree *t = &v->tree;
	struct dmbi_target *ti = v->ti;
	uint8_t *data = NULL;
	uint64_t hb;
	size_t off;
	bool ok;
	int r;

	if (t->levels == 0)
		return 0;
	dmbi_hashtree_locate(t, 0, t->levels - 1, &hb, &off);
	/* A failed FEC repair is said by the refusal below, not logged apart. */
	if (v->fec)
		(void)dmbi_verity_log_first(v, VERITY_LOG_FEC_HASH, hb);
	r = fetch_hash_block(v, hb, v->root_digest, &data, &ok);
	if (r)
		return dmb_ctx_wrap_error(ti->ctx, r, NULL, "line %u: verity: reading the top hash block: ",
					  ti->line);
	if (ok)
		return 0;
	if (v->mode == VERITY_MODE_LOGGING)
		return handle_corruption(v, BLOCK_METADATA, hb);
	return dmb_ctx_set_error(ti->ctx, DMB_EVERIFY,
				 "line %u: verity: metadata block %llu of %s, the top of the hash tree, does not match the root digest%s: a wrong root hash or salt, or a corrupt hash device",
				 ti->line, (unsigned long long)hb, v->hash_dev->name,
				 v->fec ? " and FEC cannot correct it" : "");
}

/*
 * The kernel's crypto API finds a digest by its exact name, and every name
 * it has is in lower case: `SHA256` in a table is refused there, so here too
 * (OpenSSL, behind the port, would take it and the table would map on the
 * host and not on the booted system).
 */
static int check_alg_case(struct dmbi_target *ti, const char *alg)
{
	char lower[32];
	size_t i;
	bool upper = false;

	for (i = 0; alg[i] && i + 1 < sizeof(lower); i++) {
		upper |= alg[i] >= 'A' && alg[i] <= 'Z';
		lower[i] = (char)(alg[i] >= 'A' && alg[i] <= 'Z' ? alg[i] - 'A' + 'a' : alg[i]);
	}
	lower[i] = '\0';
	if (!upper)
		return 0;
	return dmb_ctx_set_error(ti->ctx, DMB_EINVAL,
				 "line %u: verity: Cannot initialize hash function %s: the kernel names digests in lower case (%s)",
				 ti->line, alg, lower);
}

/*
 * Construct a verity mapping:
 *   <version> <data_dev> <hash_dev> <data_block_size> <hash_block_size>
 *   <num_data_blocks> <hash_start_block> <algorithm> <root_digest> <salt|->
 *   [<#opt_params> <opt_params>...]
 * version 0 (Chrome OS) or 1; block sizes powers of two from 512 to 64 KiB;
 * hash_start_block in hash blocks.  The table must be read-only.  Optional
 * arguments: ignore_corruption | restart_on_corruption | panic_on_corruption,
 * restart_on_error | panic_on_error, ignore_zero_blocks, check_at_most_once,
 * try_verify_in_tasklet, use_fec_from_device <dev> fec_roots <n>
 * fec_blocks <n> fec_start <n>, root_hash_sig_key_desc <desc>.
 */
static int verity_ctr(struct dmbi_target *ti, unsigned argc, char **argv)
{
	struct verity *v;
	unsigned dbits, hbits;
	uint32_t version;
	uint64_t data_blocks, hash_start, need;
	const char *why;
	int r;

	v = dmbi_calloc(1, sizeof(*v));
	if (!v)
		return fail(ti, "Cannot allocate verity structure", DMB_ENOMEM);
	ti->priv = v;
	v->ti = ti;
	if (!ti->read_only)
		return fail(ti, "Device must be readonly", DMB_EINVAL);
	if (argc < 10)
		return fail(ti, "Not enough arguments", DMB_EINVAL);
	if (dmbi_parse_u32(argv[0], 10, &version) || version > 1)
		return fail(ti, "Invalid version", DMB_EINVAL);
	if (!parse_block_size(argv[3], &dbits))
		return fail(ti, "Invalid data device block size", DMB_EINVAL);
	if (!parse_block_size(argv[4], &hbits))
		return fail(ti, "Invalid hash device block size", DMB_EINVAL);
	if (!parse_blocks(argv[5], dbits - DMB_SECTOR_SHIFT, &data_blocks))
		return fail(ti, "Invalid data blocks", DMB_EINVAL);
	if (ti->len_sectors > data_blocks << (dbits - DMB_SECTOR_SHIFT))
		return fail(ti, "Data device is too small", DMB_EINVAL);
	if (!parse_blocks(argv[6], hbits - DMB_SECTOR_SHIFT, &hash_start))
		return fail(ti, "Invalid hash start", DMB_EINVAL);

	if (dmbi_strlen(argv[7]) >= sizeof(v->alg))
		return fail(ti, "Cannot initialize hash function", DMB_ENOTSUP);
	memcpy(v->alg, argv[7], dmbi_strlen(argv[7]) + 1);
	r = check_alg_case(ti, v->alg);
	if (r)
		return r;
	if (dmbi_strcmp(argv[9], "-") != 0) {
		size_t n = dmbi_strlen(argv[9]);

		if (n % 2 || n / 2 > DMBI_HASHTREE_MAX_SALT)
			return fail(ti, "Invalid salt", DMB_EINVAL);
		v->salt_size = n / 2;
		v->salt = dmb_port_malloc(v->salt_size + 1);
		if (!v->salt)
			return fail(ti, "Cannot allocate salt", DMB_ENOMEM);
		if (dmb_hex_decode(argv[9], v->salt, v->salt_size))
			return fail(ti, "Invalid salt", DMB_EINVAL);
	}
	r = dmbi_hasher_init(&v->hasher, ti->ctx->crypto, v->alg, version, v->salt, v->salt_size);
	if (r)
		return fail(ti, "Cannot initialize hash function", r);
	if (((size_t)1 << hbits) < v->hasher.digest_size * 2)
		return fail(ti, "Digest size too big", DMB_EINVAL);
	if (dmbi_strlen(argv[8]) != v->hasher.digest_size * 2 ||
	    dmb_hex_decode(argv[8], v->root_digest, v->hasher.digest_size))
		return fail(ti, "Invalid root digest", DMB_EINVAL);
	memcpy(v->root_text, argv[8], dmbi_strlen(argv[8]) + 1);

	r = dmbi_hashtree_init(&v->tree, version, dbits, hbits, data_blocks, hash_start,
			       v->hasher.digest_size, &why);
	if (r)
		return fail(ti, why, r);
	r = parse_opt_args(v, argc - 10, argv + 10);
	if (r)
		return r;

	r = dmbi_target_get_device(ti, argv[1], 0, ti->len_sectors, &v->data_dev);
	if (r)
		return r;
	r = dmbi_target_get_device(ti, argv[2], 0, 0, &v->hash_dev);
	if (r)
		return r;
	if (((size_t)1 << dbits) < ((size_t)1 << v->data_dev->bdev->block_shift))
		return fail(ti, "Invalid data device block size", DMB_EINVAL);
	if (((size_t)1 << hbits) < ((size_t)1 << v->hash_dev->bdev->block_shift))
		return fail(ti, "Invalid hash device block size", DMB_EINVAL);
	need = v->tree.hash_end << (hbits - DMB_SECTOR_SHIFT);
	if ((need >> (hbits - DMB_SECTOR_SHIFT)) != v->tree.hash_end ||
	    need > dmb_bdev_sectors(v->hash_dev->bdev))
		return dmb_ctx_set_error(ti->ctx, DMB_ERANGE,
				  "line %u: verity: hash device %s is too small for the hash tree: it needs %llu blocks of %u bytes, it has %llu bytes",
				  ti->line, v->hash_dev->name, (unsigned long long)v->tree.hash_end,
				  1u << hbits,
				  (unsigned long long)dmb_bdev_bytes(v->hash_dev->bdev));

	/* dmbi_verity_fec_ctr() reports missing options; without a device, FEC stays off. */
	if (v->fec_params.given) {
		r = dmbi_verity_fec_ctr(v);
		if (r)
			return r;
	}
	if (v->zero_blocks) {
		uint8_t *zero = dmbi_calloc((size_t)1 << dbits, 1);

		if (!zero)
			return fail(ti, "Cannot allocate zero digest", DMB_ENOMEM);
		r = dmbi_hasher_digest(&v->hasher, zero, (size_t)1 << dbits, v->zero_digest);
		dmb_port_free(zero);
		if (r)
			return fail(ti, "Cannot hash a zero block", r);
	}
	v->cache = dmbi_verity_cache_create(cache_slots(v, ti->ctx->mem.verity_cache_bytes),
				(size_t)1 << hbits);
	if (!v->cache)
		return fail(ti, "Cannot allocate the hash block cache", DMB_ENOMEM);
	ti->block_shift = dbits;
	r = verify_signature(v, argv[8]);
	if (r)
		return r;
	return check_top_block(v);
}

static void verity_dtr(struct dmbi_target *ti)
{
	struct verity *v = ti->priv;

	if (!v)
		return;
	if (v->fec)
		dmbi_verity_fec_dtr(v);
	dmbi_verity_cache_destroy(v->cache);
	dmbi_hasher_fini(&v->hasher);
	dmb_port_free(v->salt);
	dmb_port_free(v->validated);
	dmb_port_free(v->sig_key_desc);
	dmb_port_free(v);
}

const struct dmbi_target_type dmbi_verity_target = {
	.name = "verity",
	.version = { 1, 10, 0 },
	.ctr = verity_ctr,
	.dtr = verity_dtr,
	.read = verity_read,
	.status = dmbi_verity_status,
};
