// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * dm-verity hash-tree geometry and salted block hashing (formats.md §2.1;
 * Linux verity_ctr's level computation, cryptsetup's VERITY_create).  The
 * tree is stored root first: level levels-1 at hash_start, then each lower
 * level, the leaf level (level 0) last.
 */
#include "hashtree.h"

int dmbi_hashtree_init(struct dmbi_hashtree *t, unsigned version, unsigned data_block_bits,
		       unsigned hash_block_bits, uint64_t data_blocks, uint64_t hash_start,
		       size_t digest_size, const char **why)
{
	uint64_t pos = hash_start;

	memset(t, 0, sizeof(*t));
	t->version = version;
	t->data_block_bits = data_block_bits;
	t->hash_block_bits = hash_block_bits;
	t->data_blocks = data_blocks;
	t->hash_start = hash_start;
	t->digest_size = digest_size;
	t->hash_per_block_bits =
		dmbi_ilog2(dmbi_udiv64((uint64_t)1 << hash_block_bits, (uint32_t)digest_size, NULL));

	if (data_blocks)
		while (t->hash_per_block_bits * t->levels < 64 &&
		       (data_blocks - 1) >> (t->hash_per_block_bits * t->levels))
			t->levels++;
	if (t->levels > DMBI_HASHTREE_MAX_LEVELS) {
		*why = "Too many tree levels";
		return DMB_ERANGE;
	}
	for (int i = (int)t->levels - 1; i >= 0; i--) {
		uint64_t n = dmbi_hashtree_level_blocks(t, (unsigned)i);

		t->level_block[i] = pos;
		if (!dmbi_add_u64(pos, n, &pos)) {
			*why = "Hash device offset overflow";
			return DMB_ERANGE;
		}
	}
	t->hash_end = pos;
	return 0;
}

uint64_t dmbi_hashtree_level_blocks(const struct dmbi_hashtree *t, unsigned level)
{
	unsigned shift = (level + 1) * t->hash_per_block_bits;

	/* ceil(data_blocks / 2^shift), without overflowing for huge devices */
	if (shift >= 64)
		return t->data_blocks ? 1 : 0;
	return (t->data_blocks >> shift) + ((t->data_blocks & (((uint64_t)1 << shift) - 1)) != 0);
}

int dmbi_hasher_init(struct dmbi_hasher *h, const struct dmb_crypto *c, const char *alg,
		     unsigned version, const uint8_t *salt, size_t salt_size)
{
	int r;

	memset(h, 0, sizeof(*h));
	if (!c || !c->ops->digest_create || !c->ops->digest_update || !c->ops->digest_final ||
	    !c->ops->digest_init || !c->ops->digest_destroy)
		return DMB_ENOTSUP;
	h->crypto = c;
	h->version = version;
	h->salt = salt;
	h->salt_size = salt_size;
	r = c->ops->digest_create(c, alg, &h->d, &h->digest_size);
	if (r)
		return r;
	/*
	 * The state every block starts from, hashed once and copied per block:
	 * after the salt for v1, empty for v0 (whose salt follows the block).
	 */
	if (c->ops->digest_copy) {
		size_t size;

		r = c->ops->digest_create(c, alg, &h->salted, &size);
		if (!r && version == 1 && salt_size)
			r = c->ops->digest_update(h->salted, salt, salt_size);
		if (r) {
			dmbi_hasher_fini(h);
			return r;
		}
	}
	return 0;
}

int dmbi_hasher_digest(struct dmbi_hasher *h, const void *block, size_t len, uint8_t *out)
{
	const struct dmb_crypto_ops *ops = h->crypto->ops;
	int r;

	if (h->salted)
		r = ops->digest_copy(h->d, h->salted);
	else
		r = ops->digest_init(h->d);
	if (!r && h->version == 1 && h->salt_size && !h->salted)
		r = ops->digest_update(h->d, h->salt, h->salt_size);
	if (!r)
		r = ops->digest_update(h->d, block, len);
	if (!r && h->version == 0 && h->salt_size)
		r = ops->digest_update(h->d, h->salt, h->salt_size);
	if (!r)
		r = ops->digest_final(h->d, out);
	return r;
}

int dmbi_hasher_digest_many(struct dmbi_hasher *h, const void *const *blocks, size_t n, size_t len,
			    uint8_t *outs)
{
	const bool v0 = h->version == 0 && h->salt_size;
	int r = 0;

	if (h->salted)
		return dmb_digest_many(h->crypto, h->salted, h->d, h->digest_size, blocks, n, len,
				       v0 ? h->salt : NULL, v0 ? h->salt_size : 0, outs);
	for (size_t i = 0; i < n && !r; i++)
		r = dmbi_hasher_digest(h, blocks[i], len, outs + i * h->digest_size);
	return r;
}

void dmbi_hasher_fini(struct dmbi_hasher *h)
{
	if (h->crypto) {
		if (h->d)
			h->crypto->ops->digest_destroy(h->d);
		if (h->salted)
			h->crypto->ops->digest_destroy(h->salted);
	}
	memset(h, 0, sizeof(*h));
}
