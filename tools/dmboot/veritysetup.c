// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * `dmboot veritysetup`: format, verify, open, close and dump, with
 * veritysetup's options, printed fields and exit codes (formats.md §2).
 * This file has the actions; format and verify hash the leaf level on
 * every core (veritysetup_leaves.c), then the small upper levels on one.
 * veritysetup_cli.c has the command line, veritysetup_status.c the status
 * action.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "veritysetup.h"

static bool parse_uuid(const char *s, uint8_t out[16])
{
	char hex[33];
	size_t n = 0;

	if (strlen(s) != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
			continue;
		}
		hex[n++] = s[i];
	}
	hex[32] = '\0';
	return dmb_hex_decode(hex, out, 16) == 0;
}

static void format_uuid(const uint8_t u[16], char out[37])
{
	char hex[33];

	dmb_hex_encode(u, 16, hex);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

/* Fill buf with random bytes from the kernel. */
static int random_bytes(void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n) {
		ssize_t got = getrandom(p, n, 0);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

/*
 * veritysetup's header block.  parity_blocks is the FEC area's size (0: no
 * FEC).  Like veritysetup, device sizes are shown only for areas at offset 0.
 */
static void print_header(const char *hash_path, const struct vopts *o,
			 const struct dmb_verity_geometry *g, const char *root_hex,
			 uint64_t parity_blocks)
{
	const struct dmb_verity_params *p = &o->p;
	char uuid[37] = "";
	char salt[2 * DMB_VERITY_MAX_SALT + 1];

	if (!p->no_superblock && o->uuid_text)
		snprintf(uuid, sizeof(uuid), "%s", o->uuid_text);
	else if (!p->no_superblock)
		format_uuid(p->uuid, uuid);
	if (p->salt_size)
		dmb_hex_encode(p->salt, p->salt_size, salt);
	else
		strcpy(salt, "-");
	printf("VERITY header information for %s\n", hash_path);
	printf("UUID:            \t%s\n", uuid);
	printf("Hash type:       \t%u\n", p->hash_type);
	printf("Data blocks:     \t%llu\n", (unsigned long long)p->data_blocks);
	printf("Data block size: \t%u\n", p->data_block_size);
	printf("Hash blocks:     \t%llu\n", (unsigned long long)g->hash_blocks);
	printf("Hash block size: \t%u\n", p->hash_block_size);
	printf("Hash algorithm:  \t%s\n", o->hash_text ? o->hash_text : p->hash_name);
	if (parity_blocks) {
		printf("FEC RS roots:   \t%u\n", o->fec_roots);
		printf("FEC blocks:     \t%llu\n", (unsigned long long)parity_blocks);
	}
	printf("Salt:            \t%s\n", salt);
	if (root_hex)
		printf("Root hash:      \t%s\n", root_hex);
	if (p->hash_offset == 0)
		printf("Hash device size: \t%llu [bytes]\n",
		       (unsigned long long)(g->hash_end * p->hash_block_size));
	if (parity_blocks && o->fec_offset == 0)
		printf("FEC device size: \t%llu [bytes]\n",
		       (unsigned long long)(parity_blocks * p->data_block_size));
}

/* Whether a and b are one file; two spellings that are not files, when they are equal. */
static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (stat(a, &sa) != 0 && b && stat(b, &sb) != 0)
		return strcmp(a, b) == 0;
	return stat(a, &sa) == 0 && b && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/*
 * Open a device the command reads, under any device spelling (cli/image.h).
 * A missing file and one without permission are both veritysetup's "does
 * not exist or access denied" (its exit 4); a PARTUUID= or PARTLABEL= that
 * names no partition or several says which, with the same exit; any other
 * failure says what happened.
 */
static int open_input(const struct vopts *o, const char *path, struct cli_image *im)
{
	struct dmb_ctx ctx = { 0 };
	int r = cli_image_open(im, &ctx, path, o->devices, o->ndevices, 0);

	if (r == DMB_ENOENT && cli_image_is_partname(path) && ctx.msg[0]) {
		cli_error("%s", ctx.msg);
		return DMB_ENOENT;
	}
	if (r == DMB_ENOENT || r == DMB_EACCES) {
		fprintf(stderr, "Device %s does not exist or access denied.\n", path);
		return DMB_ENOENT;
	}
	if (r && ctx.msg[0])
		cli_error("%s", ctx.msg);
	return r;
}

/* Size of a device in bytes. */
static int device_bytes(const struct vopts *o, const char *path, uint64_t *bytes)
{
	struct cli_image im;
	int r = open_input(o, path, &im);

	if (!r)
		*bytes = dmb_bdev_bytes(im.bd);
	cli_image_close(&im);
	return r;
}

/* The table's fec_blocks and the parity area's size, as veritysetup sizes them. */
static int fec_sizes(const struct vopts *o, const char *hash_path,
		     const struct dmb_verity_geometry *g, uint64_t *fec_blocks,
		     uint64_t *parity_blocks)
{
	struct dmb_ctx ctx = { 0 };
	uint64_t hash_bytes;
	int r = device_bytes(o, hash_path, &hash_bytes);

	if (r)
		return r;
	r = dmb_verity_fec_blocks(&ctx, o->p.data_blocks, g->hash_start, o->p.data_block_size,
				  hash_bytes, same_file(hash_path, o->fec_device), o->fec_offset,
				  fec_blocks);
	if (!r)
		r = dmb_verity_fec_parity_blocks(*fec_blocks, o->fec_roots, o->p.data_block_size,
						 parity_blocks);
	if (r)
		cli_error("%s", ctx.msg[0] ? ctx.msg : "invalid FEC parameters");
	return r;
}

/*
 * Make sure a regular hash (what: "hash") or FEC file is at least `bytes`
 * long, creating it as veritysetup does: a file that cannot be created is
 * its "Cannot create ... for writing." (exit 1), one that exists and cannot
 * be opened its "does not exist or access denied" (exit 4).
 */
static int extend_file(const char *path, const char *what, uint64_t bytes)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	struct stat st;
	int r = 0;

	if (fd < 0 && lstat(path, &st) == 0) {
		fprintf(stderr, "Device %s does not exist or access denied.\n", path);
		return DMB_ENOENT;
	}
	if (fd < 0) {
		fprintf(stderr, "Cannot create %s image %s for writing.\n", what, path);
		return DMB_EINVAL;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size < bytes &&
	    ftruncate(fd, (off_t)bytes) < 0) {
		cli_error("cannot extend %s: %s", path, strerror(errno));
		r = DMB_EIO;
	}
	close(fd);
	return r;
}

/* A small file the user named; NULL with no message when it cannot be opened. */
static char *read_named(const char *path, size_t cap, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *text = NULL;

	if (fd >= 0 && cli_read_fd(fd, path, cap, &text, len))
		text = NULL;
	if (fd >= 0)
		close(fd);
	return text;
}

static int read_root(const struct vopts *o, const char *arg, size_t size, uint8_t *root,
		     char *hex)
{
	char *text = NULL;
	size_t len;
	int r;

	if (o->root_hash_file) {
		if (arg) {
			cli_error("give the root hash either as an argument or with --root-hash-file");
			return DMB_EINVAL;
		}
		text = read_named(o->root_hash_file, 4096, &len);
		if (!text) {
			/* veritysetup says so and exits 0; an error is not a success here. */
			fprintf(stderr, "Cannot read root hash file %s.\n", o->root_hash_file);
			return DMB_EINVAL;
		}
		while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
			text[--len] = '\0';
		arg = text;
	}
	if (!arg) {
		cli_error("root hash required");
		return DMB_EINVAL;
	}
	r = strlen(arg) == 2 * size ? dmb_hex_decode(arg, root, size) : DMB_EINVAL;
	if (r)
		fprintf(stderr, "Invalid root hash string specified.\n");
	else
		dmb_hex_encode(root, size, hex); /* lower case, as veritysetup writes the table */
	free(text);
	return r;
}

/* Fill in the parameters for an existing hash device: from its superblock, or the options. */
static int load_params(struct vopts *o, const char *hash_path, const char *data_path)
{
	struct dmb_ctx ctx = { 0 };
	struct cli_image im;
	uint64_t off = o->p.hash_offset;
	int r;

	if (o->p.no_superblock) {
		if (!o->have_blocks && data_path) {
			uint64_t bytes;

			r = device_bytes(o, data_path, &bytes);
			if (r)
				return r;
			o->p.data_blocks = bytes / o->p.data_block_size;
		}
		return 0;
	}
	r = open_input(o, hash_path, &im);
	if (!r)
		r = dmb_verity_sb_load(&ctx, im.bd, off, &o->p);
	cli_image_close(&im);
	if (r && !ctx.err)
		return r;
	if (r) {
		if (r == DMB_ENOENT) {
			fprintf(stderr, "Device %s is not a valid VERITY device.\n", hash_path);
			return DMB_EINVAL;
		}
		cli_error("%s: %s", hash_path, ctx.msg);
		return r;
	}
	return 0;
}

/* A random salt and UUID (RFC 4122 version 4) where the options give none. */
static int fill_random(struct vopts *o)
{
	if (!o->have_salt) {
		o->p.salt_size = 32;
		if (random_bytes(o->p.salt, 32))
			return DMB_EIO;
	}
	if (!o->p.no_superblock && !o->have_uuid) {
		if (random_bytes(o->p.uuid, 16))
			return DMB_EIO;
		o->p.uuid[6] = (uint8_t)((o->p.uuid[6] & 0x0f) | 0x40);
		o->p.uuid[8] = (uint8_t)((o->p.uuid[8] & 0x3f) | 0x80);
	}
	return 0;
}

/* The parameters of format, checked against the data device. */
static int format_params(struct vopts *o, const char *data_path, const char *hash_path)
{
	uint64_t data_bytes;
	int r = device_bytes(o, data_path, &data_bytes);

	if (r)
		return r;
	if (!o->have_blocks || o->p.data_blocks == 0)
		o->p.data_blocks = data_bytes / o->p.data_block_size;
	if (o->uuid_text && !parse_uuid(o->uuid_text, o->p.uuid)) {
		fprintf(stderr, "Wrong VERITY UUID format provided on device %s.\n", hash_path);
		return DMB_EINVAL;
	}
	if (o->p.data_blocks == 0 || o->p.data_blocks > data_bytes / o->p.data_block_size) {
		cli_error("Device %s is too small.", data_path);
		return DMB_EINVAL;
	}
	return fill_random(o);
}

/*
 * Compute the FEC parity of the data and hash areas into --fec-device.
 * *hash is reopened: the FEC area may have grown the file.
 */
static int encode_fec(struct dmb_ctx *ctx, const struct vopts *o, const char *hash_path,
		      const struct dmb_verity_geometry *g, struct dmb_bdev *data,
		      struct dmb_bdev **hash, uint64_t *parity_blocks)
{
	struct dmb_bdev *fec = NULL;
	struct dmb_fec_encode_args a = { 0 };
	bool shared = same_file(hash_path, o->fec_device);
	int r;

	a.data_dev = data;
	a.data_blocks = o->p.data_blocks;
	a.hash_offset_bytes = g->hash_start * o->p.hash_block_size;
	a.roots = o->fec_roots;
	a.block_size = o->p.data_block_size;
	a.fec_offset_bytes = o->fec_offset;
	r = fec_sizes(o, hash_path, g, &a.fec_blocks, parity_blocks);
	if (!r)
		r = extend_file(o->fec_device, "FEC", o->fec_offset + *parity_blocks * o->p.data_block_size);
	if (!r) {
		dmb_posix_close(*hash);
		*hash = NULL;
		r = dmb_posix_open(ctx, hash_path, DMB_OPEN_WRITE, hash);
	}
	if (!r && shared)
		fec = *hash;
	else if (!r)
		r = dmb_posix_open(ctx, o->fec_device, DMB_OPEN_WRITE, &fec);
	a.hash_dev = *hash;
	a.fec_dev = fec;
	if (!r)
		r = dmb_verity_fec_encode(ctx, &a);
	if (fec && fec != *hash)
		dmb_posix_close(fec);
	if (r)
		cli_error("%s", ctx->msg[0] ? ctx->msg : dmb_strerror(r));
	return r;
}

/* The hash tree (and FEC) of a checked format; root gets the root hash. */
static int build_tree(struct dmb_ctx *ctx, struct vopts *o, const char *data_path,
		      const char *hash_path, const struct dmb_verity_geometry *g, uint8_t *root,
		      uint64_t *parity_blocks)
{
	struct dmb_verity_failure fail;
	struct dmb_bdev *data = NULL, *hash = NULL;
	char msg[DMB_MSG_MAX];
	int r = extend_file(hash_path, "hash", g->hash_end * o->p.hash_block_size);

	if (r)
		return r;
	r = verity_leaves(o, data_path, hash_path, false, &fail, msg);
	if (r) {
		cli_error("%s", msg);
		return r;
	}
	r = dmb_posix_open(ctx, data_path, 0, &data);
	if (!r)
		r = dmb_posix_open(ctx, hash_path, DMB_OPEN_WRITE, &hash);
	if (!r)
		r = dmb_verity_tree_upper(ctx, &o->p, data, hash, DMB_VERITY_TREE_BUILD, root, &fail);
	if (r)
		cli_error("%s", ctx->msg);
	else if (o->fec_device)
		r = encode_fec(ctx, o, hash_path, g, data, &hash, parity_blocks);
	dmb_posix_close(data);
	dmb_posix_close(hash);
	return r;
}

int verity_format(void *opts, int argc, char **argv)
{
	struct vopts *o = opts;
	const char *data_path = argv[1], *hash_path = argv[2];
	struct dmb_ctx ctx = { 0 };
	struct dmb_posix_crypto pc;
	struct dmb_verity_geometry g;
	uint8_t root[DMB_MAX_DIGEST_SIZE];
	char root_hex[2 * DMB_MAX_DIGEST_SIZE + 1];
	uint64_t parity_blocks = 0;
	int r;

	(void)argc;
	dmb_posix_crypto_init(&pc);
	ctx.crypto = &pc.crypto;
	r = format_params(o, data_path, hash_path);
	if (r)
		goto out;
	r = dmb_verity_geometry(&ctx, &o->p, &g);
	if (r == DMB_ENOTSUP) {
		fprintf(stderr, "Hash algorithm %s not supported.\n", o->p.hash_name);
		goto out;
	}
	if (r) {
		cli_error("%s", ctx.msg);
		goto out;
	}
	if (same_file(data_path, hash_path) &&
	    o->p.hash_offset < o->p.data_blocks * o->p.data_block_size) {
		cli_error("Data area overlaps with hash area.");
		r = DMB_EINVAL;
		goto out;
	}
	r = build_tree(&ctx, o, data_path, hash_path, &g, root, &parity_blocks);
	if (r)
		goto out;
	dmb_hex_encode(root, g.digest_size, root_hex);
	if (o->root_hash_file && cli_write_path(o->root_hash_file, root_hex, strlen(root_hex))) {
		cli_error("cannot write %s", o->root_hash_file);
		r = DMB_EIO;
		goto out;
	}
	print_header(hash_path, o, &g, root_hex, parity_blocks);
out:
	dmb_posix_crypto_fini(&pc);
	return r;
}

/*
 * After a failed verification with --fec-device, what veritysetup does: the
 * parity is checked over the whole message, nothing written.  A data area
 * the parity repairs verifies (exit 0, with the count of symbols it would
 * correct); a root hash that did not match stays a failure.
 */
static int fec_repairable(const struct vopts *o, const char *data_path, const char *hash_path,
			  const struct dmb_verity_geometry *g, bool root_failed)
{
	struct dmb_ctx ctx = { 0 };
	struct dmb_fec_encode_args a = { 0 };
	struct cli_image data = { 0 }, hash = { 0 }, fec = { 0 };
	uint64_t parity_blocks, errors = 0;
	int r = fec_sizes(o, hash_path, g, &a.fec_blocks, &parity_blocks);

	if (!r)
		r = open_input(o, data_path, &data);
	if (!r)
		r = open_input(o, hash_path, &hash);
	if (!r)
		r = open_input(o, o->fec_device, &fec);
	if (!r) {
		a.data_dev = data.bd;
		a.data_blocks = o->p.data_blocks;
		a.hash_dev = hash.bd;
		a.hash_offset_bytes = g->hash_start * o->p.hash_block_size;
		a.fec_dev = fec.bd;
		a.fec_offset_bytes = o->fec_offset;
		a.roots = o->fec_roots;
		a.block_size = o->p.data_block_size;
		r = dmb_verity_fec_check(&ctx, &a, &errors);
		if (r == DMB_EVERIFY)
			fprintf(stderr, "Failed to repair parity for block %llu.\n",
				(unsigned long long)errors);
		else if (r)
			cli_error("%s", ctx.msg);
	}
	if (r)
		fprintf(stderr, "Errors cannot be repaired with FEC device.\n");
	else if (errors)
		fprintf(stderr, "Found %llu repairable errors with FEC device.\n",
			(unsigned long long)errors);
	cli_image_close(&data);
	cli_image_close(&hash);
	cli_image_close(&fec);
	return r == DMB_EVERIFY || (!r && root_failed) ? DMB_EVERIFY : r;
}

/* veritysetup's lines for a failed verify, and its verdict (with FEC: repaired or not). */
static int verify_failed(const struct vopts *o, const char *data_path, const char *hash_path,
			 const struct dmb_verity_geometry *g, const struct dmb_verity_failure *fail)
{
	switch (fail->kind) {
	case DMB_VERITY_FAIL_BLOCK:
		fprintf(stderr, "Verification failed at position %llu.\n",
			(unsigned long long)fail->position);
		fprintf(stderr, "Verification of data area failed.\n");
		break;
	case DMB_VERITY_FAIL_SPARE:
		fprintf(stderr, "Spare area is not zeroed at position %llu.\n",
			(unsigned long long)fail->position);
		fprintf(stderr, "Verification of data area failed.\n");
		break;
	default:
		fprintf(stderr, "Verification of root hash failed.\n");
		/* veritysetup exits 1 here, 2 for a bad block; with FEC, 2 in both cases. */
		if (!o->fec_device)
			return DMB_EINVAL;
		return fec_repairable(o, data_path, hash_path, g, true);
	}
	return o->fec_device ? fec_repairable(o, data_path, hash_path, g, false) : DMB_EVERIFY;
}

int verity_verify(void *opts, int argc, char **argv)
{
	struct vopts *o = opts;
	const char *data_path = argv[1], *hash_path = argv[2], *root_arg = argc == 4 ? argv[3] : NULL;
	struct dmb_ctx ctx = { 0 };
	struct dmb_posix_crypto pc;
	struct dmb_verity_geometry g;
	struct dmb_verity_failure fail = { 0 };
	struct cli_image data = { 0 }, hash = { 0 };
	uint8_t root[DMB_MAX_DIGEST_SIZE];
	char root_hex[2 * DMB_MAX_DIGEST_SIZE + 1], msg[DMB_MSG_MAX] = "";
	uint64_t bytes;
	int r;

	dmb_posix_crypto_init(&pc);
	ctx.crypto = &pc.crypto;
	r = load_params(o, hash_path, data_path);
	if (r)
		goto out;
	r = dmb_verity_geometry(&ctx, &o->p, &g);
	if (r) {
		cli_error("%s", ctx.msg);
		goto out;
	}
	r = read_root(o, root_arg, g.digest_size, root, root_hex);
	if (r)
		goto out;
	r = device_bytes(o, data_path, &bytes);
	if (!r && bytes / o->p.data_block_size < o->p.data_blocks) {
		cli_error("Device %s is too small.", data_path);
		r = DMB_EINVAL;
	}
	if (!r)
		r = device_bytes(o, hash_path, &bytes);
	if (!r && bytes < g.hash_end * o->p.hash_block_size) {
		cli_error("Device %s is too small.", hash_path);
		r = DMB_EINVAL;
	}
	if (r)
		goto out;
	r = verity_leaves(o, data_path, hash_path, true, &fail, msg);
	if (!r) {
		r = cli_image_open(&data, &ctx, data_path, o->devices, o->ndevices, 0);
		if (!r)
			r = cli_image_open(&hash, &ctx, hash_path, o->devices, o->ndevices, 0);
		if (!r)
			r = dmb_verity_tree_upper(&ctx, &o->p, data.bd, hash.bd, DMB_VERITY_TREE_VERIFY,
						  root, &fail);
		memcpy(msg, ctx.msg, sizeof(msg));
	}
	if (r == DMB_EVERIFY)
		r = verify_failed(o, data_path, hash_path, &g, &fail);
	else if (r)
		cli_error("%s", msg);
out:
	cli_image_close(&data);
	cli_image_close(&hash);
	dmb_posix_crypto_fini(&pc);
	return r;
}

/* The parameters and geometry of an existing hash device, for open. */
static int open_geometry(struct vopts *o, const char *data_path, const char *hash_path,
			 struct dmb_verity_geometry *g)
{
	struct dmb_ctx ctx = { 0 };
	struct dmb_posix_crypto pc;
	int r;

	dmb_posix_crypto_init(&pc);
	ctx.crypto = &pc.crypto;
	r = load_params(o, hash_path, data_path);
	if (!r)
		r = dmb_verity_geometry(&ctx, &o->p, g);
	if (r && ctx.msg[0])
		cli_error("%s", ctx.msg);
	dmb_posix_crypto_fini(&pc);
	return r;
}

/* --root-hash-signature: the signature and the key description it is stored under. */
static int read_signature(const struct vopts *o, const char *name, char **sig, size_t *sig_len,
			  char **desc)
{
	if (o->require_sig && !o->signature) {
		cli_error("Root hash signature required.");
		return DMB_ENOKEY;
	}
	if (!o->signature)
		return 0;
	*sig = read_named(o->signature, 64 * 1024, sig_len);
	if (!*sig) {
		fprintf(stderr, "Invalid signature file %s.\n", o->signature);
		return DMB_EINVAL;
	}
	if (asprintf(desc, "dmboot:%s", name) < 0) {
		*desc = NULL;
		free(*sig);
		*sig = NULL;
		return DMB_ENOMEM;
	}
	return 0;
}

/* The table's optional arguments, in o->p.opts. */
static int optional_args(struct vopts *o, const char *hash_path,
			 const struct dmb_verity_geometry *g, const char *desc)
{
	static const char *const modes[] = { "", "ignore_corruption", "restart_on_corruption",
					     "panic_on_corruption" };
	struct dmb_verity_opts *vo = &o->p.opts;

	memset(vo, 0, sizeof(*vo));
	for (size_t i = 1; o->mode && i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(o->mode, modes[i]) == 0)
			vo->corruption = (enum dmb_verity_corruption)i;
	vo->ignore_zero_blocks = o->zero_blocks;
	vo->check_at_most_once = o->at_most_once;
	vo->try_verify_in_tasklet = o->tasklets;
	if (o->fec_device) {
		uint64_t parity_blocks;
		int r = fec_sizes(o, hash_path, g, &vo->fec_blocks, &parity_blocks);

		if (r)
			return r;
		vo->fec_dev = o->fec_device;
		vo->fec_start = o->fec_offset / o->p.data_block_size;
		vo->fec_roots = o->fec_roots;
	}
	vo->sig_key_desc = desc;
	return 0;
}

/* The verity table of open, built without printing and parsing it. */
static int open_table(const struct vopts *o, const char *data_path, const char *hash_path,
		      const char *root_hex, struct dmb_table **table)
{
	struct dmb_ctx ctx = { 0 };
	int r = dmb_table_create(&ctx, table);

	if (!r)
		r = dmb_verity_table_add(&ctx, *table, &o->p, data_path, hash_path, root_hex);
	if (r)
		cli_error("%s", ctx.msg);
	return r;
}

/*
 * Under the state lock: refuse a name in use, then create the device with
 * its signature (desc NULL: none) and the certificates the command named,
 * both written into its record with it: all or nothing.
 */
static int create_locked(const struct vopts *o, const char *name, const struct dmb_table *table,
			 const char *desc, const char *sig, size_t sig_len)
{
	struct state_blob key = { (char *)desc, (uint8_t *)sig, sig_len };
	struct cli_trust trust = { desc ? &key : NULL, desc ? 1 : 0, NULL, 0 };
	struct dmb_ctx base = { .flags = o->require_sig ? DMB_CTX_REQUIRE_SIGNATURES : 0 };
	struct state_blob *certs = NULL;
	struct state st;
	struct state_dev *other;
	int r;

	if (state_open(&st, true))
		return DMB_EIO;
	r = state_load(&st, name, &other);
	if (r != -ENOENT) {
		state_dev_free(other);
		cli_error("Device %s already exists.", name);
		r = DMB_EEXIST;
		goto unlock;
	}
	if (desc) {
		r = cli_certs_read(o->certs, o->ncerts, &certs, &trust.ncerts);
		if (r)
			goto unlock;
		trust.certs = certs;
	}
	r = cli_create_trusted_search(&st, name, "", -1, true, table, &base, &trust, o->devices,
				      o->ndevices);
	state_blob_free(certs, trust.ncerts);
unlock:
	state_close(&st);
	return r;
}

/*
 * The names open's table gives its devices (cli_image_name): a mapped
 * device as /dev/mapper/NAME however it was spelt, so that the registry
 * finds it again; a file, a partition or a name to search as given.
 */
static int table_names(struct vopts *o, const char *data_path, const char *hash_path,
		       char *names[3])
{
	struct state st;
	int r = 0;

	if (state_open(&st, false))
		return DMB_EIO;
	if (cli_image_name(&st, data_path, &names[0]) || cli_image_name(&st, hash_path, &names[1]) ||
	    (o->fec_device && cli_image_name(&st, o->fec_device, &names[2]))) {
		cli_error("out of memory");
		r = DMB_ENOMEM;
	}
	state_close(&st);
	if (!r && names[2])
		o->fec_device = names[2];
	return r;
}

int verity_open(void *opts, int argc, char **argv)
{
	struct vopts *o = opts;
	const char *data_path = argv[1], *name = argv[2], *hash_path = argv[3];
	const char *root_arg = argc == 5 ? argv[4] : NULL;
	struct dmb_verity_geometry g;
	struct dmb_table *table = NULL;
	uint8_t root[DMB_MAX_DIGEST_SIZE];
	char root_hex[2 * DMB_MAX_DIGEST_SIZE + 1], *desc = NULL, *sig = NULL;
	char *names[3] = { NULL, NULL, NULL };
	size_t sig_len = 0;
	uint64_t data_bytes;
	int r = open_geometry(o, data_path, hash_path, &g);

	if (!r)
		r = device_bytes(o, data_path, &data_bytes);
	if (!r)
		r = read_root(o, root_arg, g.digest_size, root, root_hex);
	if (!r)
		r = read_signature(o, name, &sig, &sig_len, &desc);
	if (!r)
		r = table_names(o, data_path, hash_path, names);
	if (!r)
		r = optional_args(o, names[1], &g, desc);
	if (!r)
		r = open_table(o, names[0], names[1], root_hex, &table);
	if (!r)
		r = create_locked(o, name, table, desc, sig, sig_len);
	dmb_table_destroy(table);
	for (int i = 0; i < 3; i++)
		free(names[i]);
	free(desc);
	free(sig);
	return r;
}

int verity_dump(void *opts, int argc, char **argv)
{
	struct vopts *o = opts;
	const char *hash_path = argv[1];
	struct dmb_ctx ctx = { 0 };
	struct dmb_posix_crypto pc;
	struct dmb_verity_geometry g;
	int r;

	(void)argc;
	if (o->p.no_superblock) {
		cli_error("dump needs a superblock");
		return DMB_EINVAL;
	}
	r = load_params(o, hash_path, NULL);
	if (r)
		return r;
	o->hash_text = NULL;  /* dump shows the superblock's algorithm */
	o->uuid_text = NULL;
	dmb_posix_crypto_init(&pc);
	ctx.crypto = &pc.crypto;
	r = dmb_verity_geometry(&ctx, &o->p, &g);
	dmb_posix_crypto_fini(&pc);
	if (r) {
		cli_error("%s: %s", hash_path, ctx.msg);
		return r;
	}
	print_header(hash_path, o, &g, NULL, 0);
	return 0;
}
