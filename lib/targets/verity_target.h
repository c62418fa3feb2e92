/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * State shared by the verity target (verity.c) and its forward error
 * correction (verity_fec.c).
 */
#ifndef DMBOOT_LIB_TARGETS_VERITY_H
#define DMBOOT_LIB_TARGETS_VERITY_H

#include "../verity/verity.h"
#include "targets.h"

enum verity_mode {
	VERITY_MODE_EIO = 0,   /* fail the read */
	VERITY_MODE_LOGGING,   /* ignore_corruption: log, return the data */
	VERITY_MODE_RESTART,   /* restart_on_corruption / restart_on_error */
	VERITY_MODE_PANIC,     /* panic_on_corruption / panic_on_error */
};

/* The FEC options of a table (all four given, or FEC is off). */
struct verity_fec_params {
	const char *dev_name;  /* use_fec_from_device; NULL when FEC is off */
	uint32_t roots;        /* fec_roots: 2..24 parity bytes per RS(255, 255-roots) codeword */
	uint64_t blocks;       /* fec_blocks: message blocks covered (data + hash + metadata) */
	uint64_t start;        /* fec_start: parity offset on the FEC device, in data blocks */
	unsigned given;        /* bit per option seen: 1 dev, 2 roots, 4 blocks, 8 start */
};

struct verity_fec;

/*
 * Most hash blocks a cache holds, whatever the context asks for: keeps the
 * bucket count and the slot indexes (int32_t) in range.
 */
#define VERITY_CACHE_MAX_SLOTS (1u << 24)

/*
 * A cache of hash blocks: a chained hash table over a fixed set of slots,
 * replaced by the clock (second chance) algorithm.  Only blocks whose digest
 * matched their parent are marked verified; a block read in logging mode
 * after a mismatch is kept unverified and checked again next time.
 */
struct cache_slot {
	uint64_t block;
	int32_t next;   /* chain in the bucket, -1 ends it */
	bool used;
	bool verified;
	bool referenced;
};

struct verity_cache {
	uint32_t nslots;
	uint32_t nbuckets;  /* power of two */
	uint32_t hand;      /* clock hand */
	size_t block_size;
	struct cache_slot *slots;
	int32_t *buckets;
	uint8_t *data;      /* nslots blocks */
};

/*
 * The cache (verity_cache.c).  create: NULL when out of memory; destroy
 * accepts NULL.  find marks the slot referenced; insert takes a slot for
 * block by the clock, unverified; drop forgets a slot; data is its bytes.
 */
struct verity_cache *dmbi_verity_cache_create(uint32_t nslots, size_t block_size);
void dmbi_verity_cache_destroy(struct verity_cache *c);
struct cache_slot *dmbi_verity_cache_find(struct verity_cache *c, uint64_t block);
struct cache_slot *dmbi_verity_cache_insert(struct verity_cache *c, uint64_t block);
void dmbi_verity_cache_drop(struct verity_cache *c, struct cache_slot *s);
uint8_t *dmbi_verity_cache_data(struct verity_cache *c, const struct cache_slot *s);


/* Distinct blocks a device logs as corrupt (Linux's DM_VERITY_MAX_CORRUPTED_ERRS). */
#define VERITY_MAX_LOGGED 100

/*
 * What a logged line is about: a corrupt data or hash block, FEC failing on
 * either, FEC repairing either.
 */
enum verity_log_kind {
	VERITY_LOG_DATA,
	VERITY_LOG_METADATA,
	VERITY_LOG_FEC_DATA,
	VERITY_LOG_FEC_HASH,
	VERITY_LOG_FIXED_DATA,
	VERITY_LOG_FIXED_HASH,
};

/*
 * Data blocks of one read waiting to be hashed side by side (verity.c): up
 * to VERITY_GROUP blocks whose expected digests are known, hashed with one
 * digest_many() call so that a multi-lane SHA-256 fills its lanes.
 */
#define VERITY_GROUP 8u

struct verity_group {
	unsigned n;
	uint64_t block[VERITY_GROUP];
	void *buf[VERITY_GROUP];
	uint8_t want[VERITY_GROUP * DMB_MAX_DIGEST_SIZE];
	uint8_t got[VERITY_GROUP * DMB_MAX_DIGEST_SIZE];
};

struct verity {
	struct dmbi_target *ti;
	const struct dmbi_lower *data_dev;
	const struct dmbi_lower *hash_dev;
	char alg[32];
	struct dmbi_hashtree tree;
	struct dmbi_hasher hasher;
	uint8_t root_digest[DMB_MAX_DIGEST_SIZE];
	char root_text[2 * DMB_MAX_DIGEST_SIZE + 1]; /* <root_digest> as the table gave it */
	uint8_t *salt;
	size_t salt_size;
	enum verity_mode mode;
	enum verity_mode error_mode;
	bool zero_blocks;                         /* ignore_zero_blocks */
	uint8_t zero_digest[DMB_MAX_DIGEST_SIZE]; /* digest of a zero data block */
	uint8_t *validated;                       /* check_at_most_once bitmap, or NULL */
	bool tasklet;                             /* try_verify_in_tasklet (accepted, no effect) */
	char *sig_key_desc;                       /* root_hash_sig_key_desc, or NULL */
	struct verity_fec_params fec_params;
	struct verity_fec *fec;                   /* NULL when FEC is off */
	struct verity_cache *cache;               /* verified hash blocks */
	bool corrupted;                           /* status 'C' */
	uint64_t fec_corrected;                   /* blocks FEC repaired */
	uint64_t logged[VERITY_MAX_LOGGED];       /* block << 3 | kind, each logged once */
	unsigned nlogged;
	struct verity_group group;                /* verity_read's scratch */
};

/*
 * Logging without flooding (verity.c): dmbi_verity_log_first() says whether
 * a line about block is new (true once per block and kind, for the first
 * VERITY_MAX_LOGGED of them); after logging it, dmbi_verity_log_limit()
 * logs "reached maximum errors" when that was the last.
 */
bool dmbi_verity_log_first(struct verity *v, enum verity_log_kind kind, uint64_t block);
void dmbi_verity_log_limit(struct verity *v);

/*
 * FEC (verity_fec.c).
 *
 * dmbi_verity_fec_ctr() is called by the constructor after the tree geometry is
 * known, when fec_params.dev_name is set: it checks the parameters as Linux
 * does (setting ti->error), opens the FEC device through
 * dmbi_target_get_device(), and allocates what decoding needs.
 *
 * dmbi_verity_fec_decode() corrects one block that failed its digest: a data block
 * (is_data, block = data block number) or a hash block (block = absolute hash
 * block number on the hash device).  buf receives the corrected block, which
 * must hash to want_digest; returns 0 on success, DMB_EIO when the block is
 * beyond the code's capacity or the correction does not verify.
 */
int dmbi_verity_fec_ctr(struct verity *v);
void dmbi_verity_fec_dtr(struct verity *v);
int dmbi_verity_fec_decode(struct verity *v, bool is_data, uint64_t block, const uint8_t *want_digest,
			   uint8_t *buf);
/* The target's status line, either form (verity_status.c). */
void dmbi_verity_status(struct dmbi_target *ti, enum dmbi_status_type type, unsigned flags,
			struct dmbi_strbuf *out);

/* Set the four FEC fields of o from a running FEC (none when FEC is off). */
void dmbi_verity_fec_opts(const struct verity *v, struct dmb_verity_opts *o);

#endif /* DMBOOT_LIB_TARGETS_VERITY_H */
