// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Building and checking dm-verity hash trees as veritysetup does (formats.md
 * §2.1, §2.2): the leaves from the data, each level above from the one below
 * it read back from the hash device, then the root and the superblock;
 * checking walks the same way and reports the first failing block where
 * veritysetup does.  Memory stays bounded whatever the device size: data is
 * streamed in chunks of about 1 MiB.  A bootloader build leaves this file
 * out (lib/sources.mk).
 */
#include <dmboot/dmboot.h>

#include "formats.h"
#include "verity_internal.h"

#define CHUNK_BYTES (128u << 10)
/* Blocks hashed side by side (digest_many(): SHA-256 runs up to four lanes). */
#define HASH_GROUP 8u

/* Where digest i of a hash block goes: v1 in power-of-two slots, v0 packed. */
static size_t slot_offset(const struct dmbi_hashtree *t, size_t i)
{
	return t->version ? i << (t->hash_block_bits - t->hash_per_block_bits) : i * t->digest_size;
}

/*
 * Compare a computed hash block with the one on disk and say where they
 * first differ: in the digest of input block `first_input + i` (a block
 * failure) or in padding (a spare-area failure).
 */
static void locate_difference(const struct dmbi_hashtree *t, const uint8_t *want,
			      const uint8_t *have, size_t entries, uint64_t first_input,
			      unsigned input_bits, bool input_on_hash, uint64_t block_pos,
			      struct dmb_verity_failure *fail)
{
	const size_t hbs = (size_t)1 << t->hash_block_bits;
	const size_t slot = slot_offset(t, 1);
	size_t off = 0;

	while (off < hbs && want[off] == have[off])
		off++;
	/*
	 * veritysetup checks each entry's digest, then the padding after it in
	 * its slot, then the rest of the block; a padding failure is reported
	 * where the zero area starts.
	 */
	for (size_t i = 0; i < entries; i++) {
		size_t at = slot_offset(t, i);

		if (off >= at && off < at + t->digest_size) {
			fail->kind = DMB_VERITY_FAIL_BLOCK;
			fail->on_hash_device = input_on_hash;
			fail->position = (first_input + i) << input_bits;
			return;
		}
		if (off >= at + t->digest_size && off < at + slot) {
			fail->kind = DMB_VERITY_FAIL_SPARE;
			fail->on_hash_device = true;
			fail->position = block_pos + at + t->digest_size;
			return;
		}
	}
	fail->kind = DMB_VERITY_FAIL_SPARE;
	fail->on_hash_device = true;
	fail->position = block_pos + slot_offset(t, entries);
}

/*
 * Hash `count` input blocks starting at `first_input` (of size 2^input_bits,
 * on `in` at byte `in_base`) into the hash blocks from `out_block` on, and
 * write or check those hash blocks.
 */
static int hash_level(struct dmb_ctx *ctx, const struct dmbi_hashtree *t, struct dmbi_hasher *h,
		      struct dmb_bdev *in, uint64_t in_base, unsigned input_bits, bool in_is_hash,
		      uint64_t first_input, uint64_t count, struct dmb_bdev *hash, uint64_t out_block,
		      enum dmb_verity_tree_op op, struct dmb_verity_failure *fail,
		      dmb_progress_fn progress, void *cookie)
{
	const size_t hbs = (size_t)1 << t->hash_block_bits;
	const size_t in_size = (size_t)1 << input_bits;
	const size_t per_block = (size_t)1 << t->hash_per_block_bits;
	const size_t chunk_blocks = in_size >= CHUNK_BYTES ? 1 : CHUNK_BYTES / in_size;
	uint8_t *chunk = dmb_port_malloc(DMBI_MIN((uint64_t)chunk_blocks, count) * in_size);
	uint8_t *out = dmbi_calloc(2, hbs), *disk = out + hbs;
	uint64_t done = 0;
	size_t filled = 0;
	int r = 0;

	if (!chunk || !out) {
		r = dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory for hashing");
		goto out;
	}
	while (done < count) {
		size_t n = (size_t)DMBI_MIN((uint64_t)chunk_blocks, count - done);
		uint64_t pos = in_base + ((first_input + done) << input_bits);

		r = dmb_bdev_read_bytes(in, pos, n * in_size, chunk);
		if (r) {
			r = dmb_ctx_set_error(ctx, r, "cannot read %s at byte %llu: %s",
					      in_is_hash ? "the hash device" : "the data device",
					      (unsigned long long)pos, dmb_strerror(r));
			goto out;
		}
		for (size_t i = 0; i < n;) {
			/* Blocks of one hash block at a time, a group side by side. */
			size_t g = DMBI_MIN(DMBI_MIN(n - i, per_block - filled), (size_t)HASH_GROUP);
			const void *blocks[HASH_GROUP];
			uint8_t digests[HASH_GROUP * DMB_MAX_DIGEST_SIZE];

			for (size_t k = 0; k < g; k++)
				blocks[k] = chunk + (i + k) * in_size;
			r = dmbi_hasher_digest_many(h, blocks, g, in_size, digests);
			if (r) {
				r = dmb_ctx_set_error(ctx, r, "hashing failed");
				goto out;
			}
			for (size_t k = 0; k < g; k++)
				memcpy(out + slot_offset(t, filled + k), digests + k * h->digest_size,
				       h->digest_size);
			filled += g;
			done += g;
			i += g;
			if (filled < per_block && done < count)
				continue;
			/* A hash block is complete (or the level ends here). */
			uint64_t at = out_block << t->hash_block_bits;

			if (op == DMB_VERITY_TREE_VERIFY) {
				r = dmb_bdev_read_bytes(hash, at, hbs, disk);
				if (r) {
					r = dmb_ctx_set_error(ctx, r, "cannot read hash block %llu",
							      (unsigned long long)out_block);
					goto out;
				}
				if (memcmp(out, disk, hbs) != 0) {
					locate_difference(t, out, disk, filled,
							  first_input + done - filled, input_bits,
							  in_is_hash, at, fail);
					r = dmb_ctx_set_error(ctx, DMB_EVERIFY,
						       "verification failed at position %llu",
						       (unsigned long long)fail->position);
					goto out;
				}
			} else {
				r = dmb_bdev_write_bytes(hash, at, hbs, out);
				if (r) {
					r = dmb_ctx_set_error(ctx, r, "cannot write hash block %llu",
							      (unsigned long long)out_block);
					goto out;
				}
			}
			memset(out, 0, hbs);
			filled = 0;
			out_block++;
		}
		if (progress)
			progress(cookie, done, count);
	}
out:
	dmb_port_free(chunk);
	dmb_port_free(out);
	return r;
}

int dmb_verity_tree_leaves(struct dmb_ctx *ctx, const struct dmb_verity_params *p,
			   struct dmb_bdev *data, struct dmb_bdev *hash, uint64_t first,
			   uint64_t count, enum dmb_verity_tree_op op,
			   struct dmb_verity_failure *fail, dmb_progress_fn progress, void *cookie)
{
	struct dmbi_hashtree t;
	struct dmbi_hasher h;
	uint64_t leaves, first_data, ndata;
	int r;

	memset(fail, 0, sizeof(*fail));
	r = dmbi_verity_setup(ctx, p, &t, &h);
	if (r)
		return r;
	leaves = t.levels ? dmbi_hashtree_level_blocks(&t, 0) : 0;
	if (first > leaves || count > leaves - first) {
		r = dmb_ctx_set_error(ctx, DMB_ERANGE, "leaf range past the tree");
		goto out;
	}
	if (count == 0)
		goto out;
	first_data = first << t.hash_per_block_bits;
	ndata = DMBI_MIN(count << t.hash_per_block_bits, t.data_blocks - first_data);
	r = hash_level(ctx, &t, &h, data, 0, t.data_block_bits, false, first_data, ndata, hash,
		       t.level_block[0] + first, op, fail, progress, cookie);
out:
	dmbi_hasher_fini(&h);
	return r;
}

int dmb_verity_tree_upper(struct dmb_ctx *ctx, const struct dmb_verity_params *p,
			  struct dmb_bdev *data, struct dmb_bdev *hash, enum dmb_verity_tree_op op,
			  uint8_t *root, struct dmb_verity_failure *fail)
{
	struct dmbi_hashtree t;
	struct dmbi_hasher h;
	uint8_t digest[DMB_MAX_DIGEST_SIZE], *top = NULL;
	size_t top_size;
	uint64_t top_pos;
	struct dmb_bdev *top_dev;
	int r;

	memset(fail, 0, sizeof(*fail));
	r = dmbi_verity_setup(ctx, p, &t, &h);
	if (r)
		return r;
	for (unsigned level = 1; level < t.levels; level++) {
		r = hash_level(ctx, &t, &h, hash, 0, t.hash_block_bits, true, t.level_block[level - 1],
			       dmbi_hashtree_level_blocks(&t, level - 1), hash,
			       t.level_block[level], op, fail, NULL, NULL);
		if (r)
			goto out;
	}
	/* The root digest covers the top hash block, or the only data block. */
	if (t.levels) {
		top_dev = hash;
		top_size = p->hash_block_size;
		top_pos = t.level_block[t.levels - 1] * p->hash_block_size;
	} else {
		top_dev = data;
		top_size = p->data_block_size;
		top_pos = 0;
	}
	top = dmb_port_malloc(top_size);
	if (!top) {
		r = dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory");
		goto out;
	}
	r = dmb_bdev_read_bytes(top_dev, top_pos, top_size, top);
	if (r) {
		r = dmb_ctx_set_error(ctx, r, "cannot read the top block at byte %llu",
				      (unsigned long long)top_pos);
		goto out;
	}
	r = dmbi_hasher_digest(&h, top, top_size, digest);
	if (r) {
		r = dmb_ctx_set_error(ctx, r, "hashing failed");
		goto out;
	}
	if (op == DMB_VERITY_TREE_VERIFY) {
		if (dmb_memcmp_ct(digest, root, t.digest_size) != 0) {
			fail->kind = DMB_VERITY_FAIL_ROOT;
			r = dmb_ctx_set_error(ctx, DMB_EVERIFY, "verification of root hash failed");
		}
		goto out;
	}
	memcpy(root, digest, t.digest_size);
	if (!p->no_superblock) {
		uint8_t sb[DMB_VERITY_SB_SIZE];

		dmb_verity_sb_encode(p, sb);
		r = dmb_bdev_write_bytes(hash, p->hash_offset, sizeof(sb), sb);
		if (r)
			r = dmb_ctx_set_error(ctx, r, "cannot write the verity superblock");
	}
	if (!r)
		r = dmb_bdev_flush(hash);
out:
	dmb_port_free(top);
	dmbi_hasher_fini(&h);
	return r;
}

static int all_leaves_then_upper(struct dmb_ctx *ctx, const struct dmb_verity_params *p,
				 struct dmb_bdev *data, struct dmb_bdev *hash,
				 enum dmb_verity_tree_op op, uint8_t *root,
				 struct dmb_verity_failure *fail,
				 dmb_progress_fn progress, void *cookie)
{
	struct dmb_verity_geometry g;
	struct dmb_verity_failure ignored;
	int r = dmb_verity_geometry(ctx, p, &g);

	if (!fail)
		fail = &ignored;
	if (r)
		return r;
	r = dmb_verity_tree_leaves(ctx, p, data, hash, 0, g.leaf_blocks, op, fail, progress,
				   cookie);
	if (r)
		return r;
	return dmb_verity_tree_upper(ctx, p, data, hash, op, root, fail);
}

int dmb_verity_tree_build(struct dmb_ctx *ctx, const struct dmb_verity_params *p,
			  struct dmb_bdev *data, struct dmb_bdev *hash, uint8_t *root,
			  dmb_progress_fn progress, void *cookie)
{
	return all_leaves_then_upper(ctx, p, data, hash, DMB_VERITY_TREE_BUILD, root, NULL,
				     progress, cookie);
}

int dmb_verity_tree_verify(struct dmb_ctx *ctx, const struct dmb_verity_params *p,
			   struct dmb_bdev *data, struct dmb_bdev *hash, const uint8_t *root,
			   struct dmb_verity_failure *fail, dmb_progress_fn progress, void *cookie)
{
	uint8_t want[DMB_MAX_DIGEST_SIZE];
	struct dmb_verity_geometry g;
	int r = dmb_verity_geometry(ctx, p, &g);

	/* Only the digest's own bytes of the caller's root: the buffer may be no longer. */
	if (r)
		return r;
	memcpy(want, root, g.digest_size);
	return all_leaves_then_upper(ctx, p, data, hash, DMB_VERITY_TREE_VERIFY, want, fail,
				     progress, cookie);
}

