/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * dm-verity images as veritysetup makes them (formats.md §2): the superblock,
 * building and checking the hash tree, and the table that maps the result.
 */
#ifndef DMBOOT_VERITY_H
#define DMBOOT_VERITY_H

#ifndef DMBOOT_INSIDE_DMBOOT_H
#error "include <dmboot/dmboot.h>, not <dmboot/verity.h>"
#endif

#define DMB_VERITY_SB_SIZE 512
#define DMB_VERITY_MAX_SALT 256

/* The corruption mode: what a read does with a block that fails its digest. */
enum dmb_verity_corruption {
	DMB_VERITY_CORRUPTION_EIO = 0,     /* the default: the read fails */
	DMB_VERITY_CORRUPTION_IGNORE,      /* ignore_corruption: log, return the data */
	DMB_VERITY_CORRUPTION_RESTART,     /* restart_on_corruption */
	DMB_VERITY_CORRUPTION_PANIC,       /* panic_on_corruption */
};

/* The error mode: what a read does when a lower device fails. */
enum dmb_verity_error {
	DMB_VERITY_ERROR_EIO = 0,          /* the default: the read fails */
	DMB_VERITY_ERROR_RESTART,          /* restart_on_error */
	DMB_VERITY_ERROR_PANIC,            /* panic_on_error */
};

/*
 * The optional arguments of a verity table (formats.md §1.6).  Zeroed means
 * none.  Strings are borrowed: they must outlive the calls that take the
 * structure.  The four FEC fields count only when fec_dev is set.
 */
struct dmb_verity_opts {
	enum dmb_verity_corruption corruption;
	enum dmb_verity_error error;
	bool ignore_zero_blocks;
	bool check_at_most_once;
	bool try_verify_in_tasklet;
	const char *fec_dev;        /* use_fec_from_device; NULL: no FEC */
	uint32_t fec_roots;         /* fec_roots: parity bytes per codeword */
	uint64_t fec_blocks;        /* fec_blocks: message blocks the parity covers */
	uint64_t fec_start;         /* fec_start: the parity's offset, in data blocks */
	const char *sig_key_desc;   /* root_hash_sig_key_desc; NULL: no signature */
};

/*
 * The optional arguments as the verity target's table status prints them
 * (Linux's verity_status, STATUSTYPE_TABLE): "<count> <arg>...", in the
 * order corruption mode, error mode, ignore_zero_blocks,
 * check_at_most_once, try_verify_in_tasklet, use_fec_from_device <dev>
 * fec_blocks <n> fec_start <n> fec_roots <n>, root_hash_sig_key_desc
 * <desc>, where <count> counts the words after it; "" when o sets nothing.
 * Strings are escaped for the table.  Values are not range-checked: the
 * target's constructor does that.  Returns the length like snprintf
 * (writing at most cap bytes with a NUL), or DMB_EINVAL (an enum value out
 * of range, or an empty FEC device name or key description, or one holding
 * a newline: a table cannot carry them), DMB_ERANGE (the text is longer
 * than DMB_TABLE_MAX_BYTES); ctx gets a message.
 */
DMB_MUST_CHECK int dmb_verity_opts_format(struct dmb_ctx *ctx, const struct dmb_verity_opts *o,
					  char *buf, size_t cap);

/* Everything that describes a verity hash area (what the superblock holds, and more). */
struct dmb_verity_params {
	unsigned hash_type;         /* 0: Chrome OS, 1: normal */
	char hash_name[32];         /* Linux crypto API name, e.g. "sha256" */
	uint32_t data_block_size;   /* bytes, power of two, 512..65536 */
	uint32_t hash_block_size;   /* bytes, power of two, 512..65536 */
	uint64_t data_blocks;
	uint64_t hash_offset;       /* bytes: the superblock, or the tree with no_superblock */
	bool no_superblock;
	uint8_t salt[DMB_VERITY_MAX_SALT];
	size_t salt_size;
	uint8_t uuid[16];           /* superblock only */
	struct dmb_verity_opts opts; /* the table's optional arguments (not on disk) */
};

/*
 * Check a parameter set as veritysetup and Linux do (opts are not looked at).
 * Errors: DMB_EINVAL (hash type, a block size, the salt size, an unaligned
 * hash offset, no or too many data blocks, a hash block too small for two
 * digests), DMB_ENOTSUP (hash unknown to the provider, or a provider
 * without digests), DMB_ENOMEM, DMB_ERANGE (too many levels, the tree's
 * end overflows).  ctx gets a message.
 */
DMB_MUST_CHECK int dmb_verity_check_params(struct dmb_ctx *ctx, const struct dmb_verity_params *p);

/*
 * Decode and validate a superblock (512 bytes).  Sets every field but
 * hash_offset and no_superblock; opts are zeroed.
 * Errors: DMB_ENOENT (no "verity" signature), DMB_ENOTSUP (superblock version,
 * hash type, block size or salt size this library does not support),
 * DMB_ECORRUPT (the algorithm name empty or not terminated); the message
 * names the field.
 */
DMB_MUST_CHECK int dmb_verity_sb_decode(struct dmb_ctx *ctx, const uint8_t sb[DMB_VERITY_SB_SIZE],
			 struct dmb_verity_params *p);
void dmb_verity_sb_encode(const struct dmb_verity_params *p, uint8_t sb[DMB_VERITY_SB_SIZE]);

/*
 * Read and decode the superblock at byte offset of dev; sets p->hash_offset.
 * Errors: DMB_EINVAL (offset not a multiple of 512), DMB_ENOENT (no
 * signature, or the device ends before the superblock does), what
 * dmb_verity_sb_decode() returns, or what reading the device returns
 * (DMB_EIO, DMB_ENOMEM, ...).  ctx gets a message.
 */
DMB_MUST_CHECK int dmb_verity_sb_load(struct dmb_ctx *ctx, struct dmb_bdev *dev, uint64_t offset,
		       struct dmb_verity_params *p);

/* First hash block of the tree, in hash blocks: the table's hash_start_block. */
uint64_t dmb_verity_hash_start(const struct dmb_verity_params *p);

/* The tree's geometry (how many blocks, where). */
struct dmb_verity_geometry {
	size_t digest_size;
	unsigned levels;
	uint64_t hash_start;       /* hash blocks */
	uint64_t hash_blocks;      /* hash blocks in the tree */
	uint64_t hash_end;         /* one past the tree, in hash blocks */
	uint64_t leaf_first;       /* first leaf (level 0) hash block */
	uint64_t leaf_blocks;      /* leaf hash blocks */
	uint64_t data_per_leaf;    /* data blocks one leaf hash block covers */
};
/* Errors as dmb_verity_check_params(). */
DMB_MUST_CHECK int dmb_verity_geometry(struct dmb_ctx *ctx, const struct dmb_verity_params *p,
			struct dmb_verity_geometry *g);

/*
 * The verity table line for p: "0 <sectors> verity <type> <data> <hash>
 * <dbs> <hbs> <blocks> <hash_start> <alg> <root_hex> <salt|->", then
 * " " and dmb_verity_opts_format() of p->opts when it sets anything.
 * Device names are escaped for the table.  Returns the length like
 * snprintf (writing at most cap bytes with a NUL), or the errors of
 * dmb_verity_opts_format(), or DMB_ERANGE (the line is longer than
 * DMB_TABLE_MAX_BYTES).
 */
DMB_MUST_CHECK int dmb_verity_table_line(struct dmb_ctx *ctx, const struct dmb_verity_params *p,
					 const char *data_dev, const char *hash_dev,
					 const char *root_hex, char *buf, size_t cap);

/*
 * Append the target of dmb_verity_table_line() to t, without printing and
 * parsing the line: the target is what dmb_table_parse() makes of it, line
 * number (t->count + 1) included.
 * The target goes at sector 0, so t must be empty for it to fit.
 * Errors: those of dmb_verity_opts_format(); those of dmb_table_add()
 * (DMB_EINVAL: t is not empty (an overlap), no data sectors, or a device
 * name or root_hex holding a newline; DMB_ERANGE: t is full); DMB_ENOMEM.
 */
DMB_MUST_CHECK int dmb_verity_table_add(struct dmb_ctx *ctx, struct dmb_table *t,
					const struct dmb_verity_params *p, const char *data_dev,
					const char *hash_dev, const char *root_hex);

/*
 * What dmb_verity_open() maps, as `veritysetup open <data> <name> <hash>
 * <root>` takes it.  Zeroed fields mean defaults; strings are borrowed for
 * the call.
 */
struct dmb_verity_open_args {
	/* The data device: a name ctx->resolver opens, as in a table.  Required. */
	const char *data_dev;
	/* The hash device; NULL: data_dev itself, the hash area (superblock
	 * first) at hash_offset after the data, as with --hash-offset. */
	const char *hash_dev;
	/* Bytes: where the superblock is on the hash device (--hash-offset). */
	uint64_t hash_offset;
	/* NULL: the parameters come from the superblock at hash_offset.  Else
	 * they are taken as they are, nothing is read (veritysetup's
	 * --no-superblock and its options): p->hash_offset then says where the
	 * tree (or superblock) is and hash_offset above is not used. */
	const struct dmb_verity_params *params;
	/* The root hash in hex, either case (veritysetup's <root_hash>).  Required. */
	const char *root_hex;
	/* The table's optional arguments (corruption and error modes, FEC
	 * device, signature key description...); NULL: params->opts when
	 * params is set, else none. */
	const struct dmb_verity_opts *opts;
};

/*
 * Map a verity device in one call: read the superblock from the hash
 * device (opened through ctx->resolver and closed again) unless a->params
 * gives the parameters, check them, check the root hash's length, build
 * the table with dmb_verity_table_add() and create the read-only device
 * with dmb_dev_create(), which reads the top hash block and checks it
 * against the root hash.  *out is the device (read it through
 * dmb_dev_bdev(); its block size is the data block size), NULL on failure.
 * Data and hash on one device must not overlap: the data blocks end at
 * or before the hash area.
 * Errors (the message names the device):
 *   DMB_EINVAL   no data device or root hash; a root hash that is not
 *                2 * digest size hex digits; the data area runs into the
 *                hash area on a shared device; parameters
 *                dmb_verity_check_params() refuses; bad optional arguments
 *   DMB_ENOENT   no resolver; a device the resolver does not find; no
 *                superblock at hash_offset (no "verity" signature, or the
 *                device ends before it)
 *   DMB_ENOTSUP  a superblock version, hash type, block or salt size this
 *                library does not support; a digest the provider lacks
 *   DMB_ECORRUPT a superblock whose algorithm name is empty or unterminated
 *   DMB_ERANGE   the data device too small for the data blocks, the hash
 *                device too small for the tree
 *   DMB_EVERIFY  the top hash block does not match the root hash (a wrong
 *                root hash or salt, or a corrupt hash device)
 *   DMB_ENOKEY, DMB_EACCES  what a root hash signature check returns
 *   DMB_EIO, DMB_ENOMEM     reading the devices; memory
 * Later reads of a corrupt data block fail with DMB_EIO (the default
 * corruption mode) and come back zeroed.
 */
DMB_MUST_CHECK int dmb_verity_open(struct dmb_ctx *ctx, const struct dmb_verity_open_args *a,
				   struct dmb_dev **out);

/*
 * Building and checking hash trees (formats/verity_tree.c, which a
 * bootloader build can leave out).
 */

/* Where and why a verification failed. */
enum dmb_verity_fail {
	DMB_VERITY_OK = 0,
	DMB_VERITY_FAIL_BLOCK,      /* a block's digest differs: position is in that block's file */
	DMB_VERITY_FAIL_SPARE,      /* non-zero padding in a hash block: position on the hash device */
	DMB_VERITY_FAIL_ROOT,       /* the top block does not hash to the root digest */
};
struct dmb_verity_failure {
	enum dmb_verity_fail kind;
	bool on_hash_device;        /* position is on the hash device (else the data device) */
	uint64_t position;          /* byte offset of the failing block (or spare area) */
};

/* What a tree pass does with the hash blocks it computes. */
enum dmb_verity_tree_op {
	DMB_VERITY_TREE_BUILD,      /* write them to the hash device */
	DMB_VERITY_TREE_VERIFY,     /* compare them with those on the hash device */
};

typedef void (*dmb_progress_fn)(void *cookie, uint64_t done, uint64_t total);

/*
 * The leaf level, for leaf hash blocks [first, first + count): hash the data
 * blocks they cover and write the leaf blocks (DMB_VERITY_TREE_BUILD) or
 * compare them with those on the hash device (DMB_VERITY_TREE_VERIFY).
 * Independent ranges may run in parallel, each with its own context.
 * fail is cleared, and filled on DMB_EVERIFY.  Memory: about 1 MiB.
 * Errors: those of dmb_verity_check_params(), DMB_ERANGE (the range runs
 * past the leaves), DMB_EVERIFY (verify only), DMB_ENOMEM, and what reading
 * data or hash, hashing, or writing hash returns (DMB_EIO, DMB_ERANGE for
 * a device too small, DMB_EACCES for a read-only hash device, ...).
 */
DMB_MUST_CHECK int dmb_verity_tree_leaves(struct dmb_ctx *ctx, const struct dmb_verity_params *p,
					  struct dmb_bdev *data, struct dmb_bdev *hash,
					  uint64_t first, uint64_t count, enum dmb_verity_tree_op op,
					  struct dmb_verity_failure *fail, dmb_progress_fn progress,
					  void *cookie);

/*
 * The levels above the leaves, read back from the hash device, and the root:
 * write them and return the root digest in root (DMB_VERITY_TREE_BUILD), or
 * compare them and the root with root (DMB_VERITY_TREE_VERIFY).  Building
 * writes the superblock too unless p->no_superblock, then flushes hash.
 * With a single data block there is no tree and the root is that block's
 * digest (hence the data device).  fail is cleared, and filled on
 * DMB_EVERIFY.
 * Errors: those of dmb_verity_check_params(), DMB_EVERIFY (verify only),
 * DMB_ENOMEM, and what reading, hashing, writing or flushing returns
 * (DMB_EIO, DMB_ERANGE, DMB_EACCES, ...).
 */
DMB_MUST_CHECK int dmb_verity_tree_upper(struct dmb_ctx *ctx, const struct dmb_verity_params *p,
					 struct dmb_bdev *data, struct dmb_bdev *hash,
					 enum dmb_verity_tree_op op, uint8_t *root,
					 struct dmb_verity_failure *fail);

/*
 * dmb_verity_tree_leaves() over all leaves, then dmb_verity_tree_upper():
 * build the whole tree (and the superblock) and return the root digest, or
 * verify it against root (fail may be NULL).  Errors as those two.
 */
DMB_MUST_CHECK int dmb_verity_tree_build(struct dmb_ctx *ctx, const struct dmb_verity_params *p,
					 struct dmb_bdev *data, struct dmb_bdev *hash,
					 uint8_t *root, dmb_progress_fn progress, void *cookie);
DMB_MUST_CHECK int dmb_verity_tree_verify(struct dmb_ctx *ctx, const struct dmb_verity_params *p,
					  struct dmb_bdev *data, struct dmb_bdev *hash,
					  const uint8_t *root, struct dmb_verity_failure *fail,
					  dmb_progress_fn progress, void *cookie);

/*
 * FEC: writing dm-verity parity as `veritysetup format --fec-device` does
 * (docs/formats.md §2.3), and sizing the message it covers.
 */
struct dmb_fec_encode_args {
	/* Message blocks [0, data_blocks) are data_dev's blocks from byte 0. */
	struct dmb_bdev *data_dev;
	uint64_t data_blocks;
	/* Message blocks [data_blocks, fec_blocks) are read from hash_dev
	 * starting at hash_offset_bytes: hash_start_block * block_size, the
	 * root hash block (the superblock is not covered). */
	struct dmb_bdev *hash_dev;
	uint64_t hash_offset_bytes;
	/* Message length in blocks, normally from dmb_verity_fec_blocks();
	 * the table's fec_blocks.  At least data_blocks, and at least 1. */
	uint64_t fec_blocks;
	/* Where the parity goes: dmb_verity_fec_parity_blocks() blocks from
	 * fec_offset_bytes (the table's fec_start is fec_offset_bytes /
	 * block_size).  The area must not overlap the message. */
	struct dmb_bdev *fec_dev;
	uint64_t fec_offset_bytes;
	unsigned roots;      /* parity bytes per codeword, 2..24 (--fec-roots, default 2) */
	unsigned block_size; /* data block size == hash block size, 512..64 KiB, power of 2 */
	/* Optional: called after each batch of rounds with done <= total rounds. */
	void (*progress)(void *cookie, uint64_t done, uint64_t total);
	void *cookie;
};

/*
 * Compute and write the parity.  Bytes of the message past fec_blocks (up
 * to rounds * (255 - roots) blocks) count as zeros.  Memory use stays
 * under about 3.5 MiB whatever the device size.
 * Errors: DMB_EINVAL (bad block size, roots, fec_blocks, or the parity area
 * overlaps the message), DMB_ERANGE (the message or the parity area runs
 * past its device, or a size overflows), DMB_ENOMEM, DMB_EACCES (fec_dev is
 * read-only), or what a device returns.  ctx gets a message.
 */
DMB_MUST_CHECK int dmb_verity_fec_encode(struct dmb_ctx *ctx, const struct dmb_fec_encode_args *a);

/*
 * Check existing parity as `veritysetup verify --fec-device` does after a
 * failed verification: every codeword of the message is decoded (no
 * erasures) and *errors counts the symbols the parity would correct, 0 when
 * all match.  Nothing is written (fec_dev may be read-only; progress, if
 * set, counts rounds).  Cost: the parity is recomputed as by
 * dmb_verity_fec_encode(); only a codeword whose parity differs is decoded.
 * Errors: those of dmb_verity_fec_encode() but DMB_EACCES, and
 * DMB_EVERIFY (a codeword has more errors than the parity corrects: *errors
 * is then its round, and ctx names it).
 */
DMB_MUST_CHECK int dmb_verity_fec_check(struct dmb_ctx *ctx, const struct dmb_fec_encode_args *a,
					uint64_t *errors);

/*
 * fec_blocks as veritysetup 2.6 computes it (VERITY_FEC_blocks):
 *
 *   end    = fec_on_hash_dev ? fec_offset_bytes : hash_dev_bytes
 *   blocks = end / block_size
 *   if (blocks) blocks -= hash_start_block
 *   fec_blocks = data_blocks + blocks
 *
 * So the message is the data, then the hash device from the root hash
 * block up to the device end, or up to the FEC area when the FEC area is on
 * the hash device (anything between the tree and the parity is covered
 * too).  hash_dev_bytes is the hash device's size once the tree is written
 * (for an image file veritysetup has just created, the end of the tree).
 * cryptsetup quirk kept: with the FEC area on the hash device at an offset
 * under one block (the default --fec-offset 0) the hash area is not
 * covered at all; blocks is 0 and fec_blocks = data_blocks.
 * Errors: DMB_EINVAL (block size not a power of 2 from 512 to 64 KiB; a
 * non-zero end below hash_start_block, where veritysetup would underflow),
 * DMB_ERANGE (overflow).
 */
DMB_MUST_CHECK int dmb_verity_fec_blocks(struct dmb_ctx *ctx, uint64_t data_blocks, uint64_t hash_start_block,
			  unsigned block_size, uint64_t hash_dev_bytes, bool fec_on_hash_dev,
			  uint64_t fec_offset_bytes, uint64_t *fec_blocks);

/*
 * Size of the parity area in blocks: ceil(fec_blocks / (255 - roots)) *
 * roots (cryptsetup's VERITY_FEC_RS_blocks, "FEC blocks" in veritysetup's
 * output).  Errors: DMB_EINVAL (roots outside 2..24, fec_blocks 0, bad
 * block size), DMB_ERANGE (the area's byte size overflows).
 */
DMB_MUST_CHECK int dmb_verity_fec_parity_blocks(uint64_t fec_blocks, unsigned roots, unsigned block_size,
				 uint64_t *parity_blocks);

#endif /* DMBOOT_VERITY_H */
