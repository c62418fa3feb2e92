/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * dm-verity hash-tree geometry and block hashing (formats.md §2.1), shared by
 * the verity target (reads) and the veritysetup-compatible formatter.
 */
#ifndef DMBOOT_LIB_HASHTREE_H
#define DMBOOT_LIB_HASHTREE_H

#include "../base/base.h"

/* Linux's DM_VERITY_MAX_LEVELS. */
#define DMBI_HASHTREE_MAX_LEVELS 63
/* Longest salt: the veritysetup superblock's salt field. */
#define DMBI_HASHTREE_MAX_SALT 256

struct dmbi_hashtree {
	unsigned version;             /* 0: Chrome OS (packed digests, salt last); 1: normal */
	unsigned data_block_bits;
	unsigned hash_block_bits;
	uint64_t data_blocks;
	uint64_t hash_start;          /* first (root) hash block, in hash blocks */
	size_t digest_size;
	unsigned hash_per_block_bits; /* floor(log2(hash block size / digest size)) */
	unsigned levels;              /* 0 when data_blocks <= 1 */
	uint64_t level_block[DMBI_HASHTREE_MAX_LEVELS]; /* first hash block of each level */
	uint64_t hash_end;            /* one past the last hash block */
};

/*
 * Compute the geometry.  The caller has checked the block sizes (powers of
 * two) and that the hash block holds at least two digests.
 * Errors: DMB_ERANGE ("Too many tree levels", "Hash device offset
 * overflow"); *why gets the reason.
 */
int dmbi_hashtree_init(struct dmbi_hashtree *t, unsigned version, unsigned data_block_bits,
		       unsigned hash_block_bits, uint64_t data_blocks, uint64_t hash_start,
		       size_t digest_size, const char **why);

/* Hash blocks at level i (level 0 covers data blocks). */
uint64_t dmbi_hashtree_level_blocks(const struct dmbi_hashtree *t, unsigned level);

/*
 * Where the digest of `block` (a data block for level 0, a level-1 hash block
 * index within its level for level 1, ...) is stored: the absolute hash
 * block and the byte offset in it.
 */
static inline void dmbi_hashtree_locate(const struct dmbi_hashtree *t, uint64_t data_block,
					unsigned level, uint64_t *hash_block, size_t *offset)
{
	uint64_t pos = data_block >> (level * t->hash_per_block_bits);
	size_t idx = (size_t)(pos & (((uint64_t)1 << t->hash_per_block_bits) - 1));

	*hash_block = t->level_block[level] + (pos >> t->hash_per_block_bits);
	*offset = t->version ? idx << (t->hash_block_bits - t->hash_per_block_bits)
			     : idx * t->digest_size;
}

/* Salted block hashing: v1 H(salt || block), v0 H(block || salt). */
struct dmbi_hasher {
	const struct dmb_crypto *crypto;
	struct dmb_digest *d;
	struct dmb_digest *salted; /* the state each block continues: after a v1 salt, else empty;
				    * NULL when the provider has no digest_copy */
	unsigned version;
	const uint8_t *salt;       /* borrowed */
	size_t salt_size;
	size_t digest_size;
};

/*
 * Errors: DMB_ENOTSUP (no provider, or it lacks the algorithm), DMB_ENOMEM.
 * salt is borrowed and must outlive the hasher.
 */
int dmbi_hasher_init(struct dmbi_hasher *h, const struct dmb_crypto *c, const char *alg,
		     unsigned version, const uint8_t *salt, size_t salt_size);
int dmbi_hasher_digest(struct dmbi_hasher *h, const void *block, size_t len, uint8_t *out);
/*
 * The digests of n blocks of len bytes each, one after another in outs
 * (digest_size bytes apart): the provider's digest_many() when it has one,
 * which hashes several blocks side by side (SHA-256 lanes), else one block
 * at a time.  Errors: the provider's.
 */
int dmbi_hasher_digest_many(struct dmbi_hasher *h, const void *const *blocks, size_t n, size_t len,
			    uint8_t *outs);
void dmbi_hasher_fini(struct dmbi_hasher *h);

#endif /* DMBOOT_LIB_HASHTREE_H */
