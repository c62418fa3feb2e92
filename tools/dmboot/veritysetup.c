// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * `dmboot veritysetup`: format, verify, open, close and dump, with
 * veritysetup's options, printed fields and exit codes (formats.md §2).
 * format and verify hash the leaf level on every core (each thread with its
 * own context and file descriptors over a disjoint range of leaf blocks),
 * then the small upper levels on one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* veritysetup's exit codes. */
enum {
	EXIT_OK = 0,
	EXIT_PARAMS = 1,     /* wrong parameters */
	EXIT_PERM = 2,       /* no permission (verification failed) */
	EXIT_NOMEM = 3,
	EXIT_DEVICE = 4,     /* wrong device specified */
	EXIT_BUSY = 5,       /* device already exists or is busy */
};

struct vopts {
	struct dmb_verity_params p;
	bool have_hash, have_salt, have_uuid, have_dbs, have_hbs, have_blocks, have_format;
	const char *root_hash_file;
	const char *signature;
	char **certs;
	size_t ncerts;
	bool require_sig;
	const char *mode;          /* ignore_corruption, ... */
	const char *mode_option;   /* the option that set it */
	const char *uuid_text;     /* --uuid as given (printed as given, as veritysetup does) */
	const char *hash_text;     /* --hash as given (format prints it so; the superblock
				      stores it in lower case) */
	bool zero_blocks, at_most_once, tasklets;
	const char *fec_device;
	uint32_t fec_roots;
	uint64_t fec_offset;
	unsigned threads;
	bool verbose;
};

static int exit_code(int r)
{
	switch (r) {
	case 0:
		return EXIT_OK;
	case DMB_ENOMEM:
		return EXIT_NOMEM;
	case DMB_EVERIFY:
	case DMB_ENOKEY:
	case DMB_EACCES:
		return EXIT_PERM;
	case DMB_EEXIST:
	case DMB_EBUSY:
		return EXIT_BUSY;
	case DMB_ENOENT:
	case DMB_EIO:
		return EXIT_DEVICE;
	default:
		return EXIT_PARAMS;
	}
}

static void help(FILE *f)
{
	fprintf(f,
		"Usage: veritysetup [OPTION...] <action> <action-specific>\n"
		"\n"
		"  format <data_device> <hash_device>\n"
		"  verify <data_device> <hash_device> [<root_hash>]\n"
		"  open <data_device> <name> <hash_device> [<root_hash>]\n"
		"  close <name>\n"
		"  dump <hash_device>\n"
		"\n"
		"Options: --hash=NAME --salt=HEX|- --uuid=UUID --data-block-size=BYTES\n"
		"  --hash-block-size=BYTES --data-blocks=N --hash-offset=BYTES --no-superblock\n"
		"  --format=0|1 --fec-device=PATH --fec-roots=N --fec-offset=BYTES\n"
		"  --root-hash-file=PATH --root-hash-signature=PATH --trusted-cert=CERT|DIR\n"
		"  --require-signature --ignore-corruption --restart-on-corruption\n"
		"  --panic-on-corruption --ignore-zero-blocks --check-at-most-once\n"
		"  --use-tasklets --threads=N -v|--verbose\n"
		"\n"
		"Default compiled-in dm-verity parameters:\n"
		"\tHash: sha256, Data block (bytes): 4096, Hash block (bytes): 4096, Salt size: 32, Hash format: 1\n");
}

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

/* Progress on a terminal: a bar on stderr, updated a few times a second. */
struct progress {
	bool tty;
	const char *what;
	uint64_t total;
	_Atomic uint64_t done;
	struct timespec last;
};

static void progress_show(struct progress *pg, bool final)
{
	struct timespec now;
	uint64_t done = atomic_load(&pg->done);
	unsigned pct, bars;

	if (!pg->tty || !pg->total)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!final && (now.tv_sec - pg->last.tv_sec) * 1000000000L + now.tv_nsec -
			      pg->last.tv_nsec < 200000000L)
		return;
	pg->last = now;
	pct = (unsigned)(done * 100 / pg->total);
	bars = pct * 40 / 100;
	fprintf(stderr, "\r%s [%.*s%*s] %3u%%", pg->what, (int)bars,
		"########################################", (int)(40 - bars), "", pct);
	if (final)
		fputc('\n', stderr);
}

/* One thread's share of the leaf level. */
struct leaf_job {
	const struct vopts *o;
	const char *data_path, *hash_path;
	uint64_t first, count;   /* leaf hash blocks */
	bool verify;
	struct progress *pg;
	bool show;               /* this job runs on the main thread: draw the bar */
	uint64_t reported;       /* data blocks this job has added to pg->done */
	int r;
	struct dmb_verity_failure fail;
	char msg[DMB_MSG_MAX];
};

static void job_progress(void *cookie, uint64_t done, uint64_t total)
{
	struct leaf_job *j = cookie;

	(void)total;
	atomic_fetch_add(&j->pg->done, done - j->reported);
	j->reported = done;
	if (j->show)
		progress_show(j->pg, false);
}

static void *leaf_thread(void *arg)
{
	struct leaf_job *j = arg;
	struct dmb_posix_crypto pc;
	struct dmb_ctx ctx = { 0 };
	struct dmb_bdev *data = NULL, *hash = NULL;

	dmb_posix_crypto_init(&pc);
	ctx.crypto = &pc.crypto;
	j->r = dmb_posix_open(&ctx, j->data_path, 0, &data);
	if (!j->r)
		j->r = dmb_posix_open(&ctx, j->hash_path, j->verify ? 0 : DMB_OPEN_WRITE, &hash);
	if (!j->r)
		j->r = dmb_verity_tree_leaves(&ctx, &j->o->p, data, hash, j->first, j->count,
					      j->verify ? DMB_VERITY_TREE_VERIFY : DMB_VERITY_TREE_BUILD,
					      &j->fail, job_progress, j);
	if (j->r)
		memcpy(j->msg, ctx.msg, sizeof(j->msg));
	dmb_posix_close(data);
	dmb_posix_close(hash);
	dmb_posix_crypto_fini(&pc);
	return NULL;
}

static unsigned thread_count(const struct vopts *o, uint64_t leaves)
{
	long n = o->threads ? (long)o->threads : sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	if (n > 64)
		n = 64;
	if ((uint64_t)n > leaves)
		n = leaves ? (long)leaves : 1;
	return (unsigned)n;
}

/*
 * Hash the leaf level on several threads.  On a verification failure the
 * first failing position (in veritysetup's order: lowest data position) wins.
 */
static int run_leaves(const struct vopts *o, const char *data_path, const char *hash_path,
		      bool verify, struct dmb_verity_failure *fail, char *msg)
{
	struct dmb_ctx ctx = { 0 };
	struct dmb_posix_crypto pc;
	struct dmb_verity_geometry g;
	struct progress pg = { .tty = isatty(2), .what = verify ? "Verifying" : "Formatting" };
	struct leaf_job *jobs;
	pthread_t *tids;
	unsigned n;
	int r;

	dmb_posix_crypto_init(&pc);
	ctx.crypto = &pc.crypto;
	r = dmb_verity_geometry(&ctx, &o->p, &g);
	dmb_posix_crypto_fini(&pc);
	if (r) {
		snprintf(msg, DMB_MSG_MAX, "%s", ctx.msg);
		return r;
	}
	n = thread_count(o, g.leaf_blocks);
	jobs = calloc(n, sizeof(*jobs));
	tids = calloc(n, sizeof(*tids));
	if (!jobs || !tids) {
		free(jobs);
		free(tids);
		snprintf(msg, DMB_MSG_MAX, "out of memory");
		return DMB_ENOMEM;
	}
	pg.total = o->p.data_blocks;
	for (unsigned i = 0; i < n; i++) {
		uint64_t per = g.leaf_blocks / n, extra = g.leaf_blocks % n;

		jobs[i].o = o;
		jobs[i].data_path = data_path;
		jobs[i].hash_path = hash_path;
		jobs[i].first = i * per + (i < extra ? i : extra);
		jobs[i].count = per + (i < extra);
		jobs[i].verify = verify;
		jobs[i].pg = &pg;
	}
	jobs[0].show = true;
	for (unsigned i = 1; i < n; i++) {
		if (pthread_create(&tids[i], NULL, leaf_thread, &jobs[i]) != 0) {
			jobs[i].r = DMB_ENOMEM;
			snprintf(jobs[i].msg, sizeof(jobs[i].msg), "cannot start a thread");
			tids[i] = 0;
		}
	}
	leaf_thread(&jobs[0]);
	for (unsigned i = 1; i < n; i++)
		if (tids[i])
			pthread_join(tids[i], NULL);
	progress_show(&pg, true);

	r = 0;
	for (unsigned i = 0; i < n; i++) {
		if (!jobs[i].r)
			continue;
		/* A hard error beats a verification failure; among failures, the lowest position. */
		if (!r || (r == DMB_EVERIFY && jobs[i].r != DMB_EVERIFY) ||
		    (r == DMB_EVERIFY && jobs[i].r == DMB_EVERIFY &&
		     jobs[i].fail.position < fail->position)) {
			r = jobs[i].r;
			*fail = jobs[i].fail;
			memcpy(msg, jobs[i].msg, DMB_MSG_MAX);
		}
	}
	free(jobs);
	free(tids);
	return r;
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

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* Size of a file or block device in bytes, through the port. */
static int device_bytes(const char *path, uint64_t *bytes)
{
	struct dmb_ctx ctx = { 0 };
	struct dmb_bdev *bd;
	int r = dmb_posix_open(&ctx, path, 0, &bd);

	if (r) {
		cli_error("%s", ctx.msg);
		return r;
	}
	*bytes = dmb_bdev_bytes(bd);
	dmb_posix_close(bd);
	return 0;
}

/* The table's fec_blocks and the parity area's size, as veritysetup sizes them. */
static int fec_sizes(const struct vopts *o, const char *hash_path,
		     const struct dmb_verity_geometry *g, uint64_t *fec_blocks,
		     uint64_t *parity_blocks)
{
	struct dmb_ctx ctx = { 0 };
	uint64_t hash_bytes;
	int r = device_bytes(hash_path, &hash_bytes);

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

/* Make sure a regular hash file is at least `bytes` long. */
static int extend_file(const char *path, uint64_t bytes)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	struct stat st;
	int r = 0;

	if (fd < 0) {
		cli_error("cannot open %s: %s", path, strerror(errno));
		return DMB_ENOENT;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size < bytes &&
	    ftruncate(fd, (off_t)bytes) < 0) {
		cli_error("cannot extend %s: %s", path, strerror(errno));
		r = DMB_EIO;
	}
	close(fd);
	return r;
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
		r = cli_read_file(o->root_hash_file, 4096, &text, &len);
		if (r)
			return DMB_ENOENT;
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
		cli_error("Invalid root hash string specified.");
	else
		snprintf(hex, 2 * DMB_MAX_DIGEST_SIZE + 1, "%s", arg);
	free(text);
	return r;
}

/* Fill in the parameters for an existing hash device: from its superblock, or the options. */
static int load_params(struct vopts *o, const char *hash_path, const char *data_path)
{
	struct dmb_ctx ctx = { 0 };
	struct dmb_bdev *bd;
	uint64_t off = o->p.hash_offset;
	int r;

	if (o->p.no_superblock) {
		if (!o->have_blocks && data_path) {
			uint64_t bytes;

			r = device_bytes(data_path, &bytes);
			if (r)
				return r;
			o->p.data_blocks = bytes / o->p.data_block_size;
		}
		return 0;
	}
	r = dmb_posix_open(&ctx, hash_path, 0, &bd);
	if (r) {
		cli_error("%s", ctx.msg);
		return r;
	}
	r = dmb_verity_sb_load(&ctx, bd, off, &o->p);
	dmb_posix_close(bd);
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

static int cmd_format(struct vopts *o, const char *data_path, const char *hash_path)
{
	struct dmb_ctx ctx = { 0 };
	struct dmb_posix_crypto pc;
	struct dmb_verity_geometry g;
	struct dmb_verity_failure fail;
	struct dmb_bdev *data = NULL, *hash = NULL;
	uint8_t root[DMB_MAX_DIGEST_SIZE];
	char root_hex[2 * DMB_MAX_DIGEST_SIZE + 1], msg[DMB_MSG_MAX];
	uint64_t data_bytes, parity_blocks = 0;
	int r;

	dmb_posix_crypto_init(&pc);
	ctx.crypto = &pc.crypto;
	r = device_bytes(data_path, &data_bytes);
	if (r)
		goto out;
	if (!o->have_blocks || o->p.data_blocks == 0)
		o->p.data_blocks = data_bytes / o->p.data_block_size;
	if (o->uuid_text && !parse_uuid(o->uuid_text, o->p.uuid)) {
		fprintf(stderr, "Wrong VERITY UUID format provided on device %s.\n", hash_path);
		r = DMB_EINVAL;
		goto out;
	}
	if (o->p.data_blocks == 0 || o->p.data_blocks > data_bytes / o->p.data_block_size) {
		cli_error("Device %s is too small.", data_path);
		r = DMB_EINVAL;
		goto out;
	}
	if (!o->have_salt) {
		o->p.salt_size = 32;
		if (random_bytes(o->p.salt, 32)) {
			r = DMB_EIO;
			goto out;
		}
	}
	if (!o->p.no_superblock && !o->have_uuid) {
		if (random_bytes(o->p.uuid, 16)) {
			r = DMB_EIO;
			goto out;
		}
		o->p.uuid[6] = (uint8_t)((o->p.uuid[6] & 0x0f) | 0x40);
		o->p.uuid[8] = (uint8_t)((o->p.uuid[8] & 0x3f) | 0x80);
	}
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
	r = extend_file(hash_path, g.hash_end * o->p.hash_block_size);
	if (r)
		goto out;
	r = run_leaves(o, data_path, hash_path, false, &fail, msg);
	if (r) {
		cli_error("%s", msg);
		goto out;
	}
	r = dmb_posix_open(&ctx, data_path, 0, &data);
	if (!r)
		r = dmb_posix_open(&ctx, hash_path, DMB_OPEN_WRITE, &hash);
	if (!r)
		r = dmb_verity_tree_upper(&ctx, &o->p, data, hash, DMB_VERITY_TREE_BUILD, root,
					  &fail);
	if (r) {
		cli_error("%s", ctx.msg);
		goto out;
	}
	if (o->fec_device) {
		struct dmb_bdev *fec = NULL;
		struct dmb_fec_encode_args a = { 0 };
		bool shared = same_file(hash_path, o->fec_device);

		a.data_dev = data;
		a.data_blocks = o->p.data_blocks;
		a.hash_offset_bytes = g.hash_start * o->p.hash_block_size;
		a.roots = o->fec_roots;
		a.block_size = o->p.data_block_size;
		a.fec_offset_bytes = o->fec_offset;
		r = fec_sizes(o, hash_path, &g, &a.fec_blocks, &parity_blocks);
		if (!r)
			r = extend_file(o->fec_device,
					o->fec_offset + parity_blocks * o->p.data_block_size);
		/* Reopen the hash device: the FEC area may have grown the file. */
		if (!r) {
			dmb_posix_close(hash);
			hash = NULL;
			r = dmb_posix_open(&ctx, hash_path, DMB_OPEN_WRITE, &hash);
		}
		if (!r && shared)
			fec = hash;
		else if (!r)
			r = dmb_posix_open(&ctx, o->fec_device, DMB_OPEN_WRITE, &fec);
		a.hash_dev = hash;
		a.fec_dev = fec;
		if (!r)
			r = dmb_verity_fec_encode(&ctx, &a);
		if (fec && fec != hash)
			dmb_posix_close(fec);
		if (r) {
			cli_error("%s", ctx.msg[0] ? ctx.msg : dmb_strerror(r));
			goto out;
		}
	}
	dmb_hex_encode(root, g.digest_size, root_hex);
	if (o->root_hash_file) {
		FILE *f = fopen(o->root_hash_file, "w");

		if (!f || fputs(root_hex, f) < 0 || fclose(f) != 0) {
			cli_error("cannot write %s", o->root_hash_file);
			r = DMB_EIO;
			goto out;
		}
	}
	print_header(hash_path, o, &g, root_hex, parity_blocks);
out:
	dmb_posix_close(data);
	dmb_posix_close(hash);
	dmb_posix_crypto_fini(&pc);
	return r;
}

static int cmd_verify(struct vopts *o, const char *data_path, const char *hash_path,
		      const char *root_arg)
{
	struct dmb_ctx ctx = { 0 };
	struct dmb_posix_crypto pc;
	struct dmb_verity_geometry g;
	struct dmb_verity_failure fail = { 0 };
	struct dmb_bdev *data = NULL, *hash = NULL;
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
	r = device_bytes(data_path, &bytes);
	if (!r && bytes / o->p.data_block_size < o->p.data_blocks) {
		cli_error("Device %s is too small.", data_path);
		r = DMB_EINVAL;
	}
	if (!r)
		r = device_bytes(hash_path, &bytes);
	if (!r && bytes < g.hash_end * o->p.hash_block_size) {
		cli_error("Device %s is too small.", hash_path);
		r = DMB_EINVAL;
	}
	if (r)
		goto out;
	r = run_leaves(o, data_path, hash_path, true, &fail, msg);
	if (!r) {
		r = dmb_posix_open(&ctx, data_path, 0, &data);
		if (!r)
			r = dmb_posix_open(&ctx, hash_path, 0, &hash);
		if (!r)
			r = dmb_verity_tree_upper(&ctx, &o->p, data, hash, DMB_VERITY_TREE_VERIFY,
						  root, &fail);
		memcpy(msg, ctx.msg, sizeof(msg));
	}
	if (r == DMB_EVERIFY) {
		switch (fail.kind) {
		case DMB_VERITY_FAIL_BLOCK:
			fprintf(stderr, "Verification failed at position %llu.\n",
				(unsigned long long)fail.position);
			fprintf(stderr, "Verification of data area failed.\n");
			break;
		case DMB_VERITY_FAIL_SPARE:
			fprintf(stderr, "Spare area is not zeroed at position %llu.\n",
				(unsigned long long)fail.position);
			fprintf(stderr, "Verification of data area failed.\n");
			break;
		default:
			fprintf(stderr, "Verification of root hash failed.\n");
			r = DMB_EINVAL; /* veritysetup exits 1 here, 2 for a bad block */
			break;
		}
	} else if (r) {
		cli_error("%s", msg);
	}
out:
	dmb_posix_close(data);
	dmb_posix_close(hash);
	dmb_posix_crypto_fini(&pc);
	return r;
}

static int cmd_open(struct vopts *o, const char *data_path, const char *name,
		    const char *hash_path, const char *root_arg)
{
	struct state st;
	struct dmb_ctx ctx = { 0 };
	struct dmb_posix_crypto pc;
	struct dmb_verity_geometry g;
	struct dmb_table *table = NULL;
	uint8_t root[DMB_MAX_DIGEST_SIZE];
	char root_hex[2 * DMB_MAX_DIGEST_SIZE + 1], *desc = NULL;
	char *sig = NULL;
	size_t sig_len = 0;
	bool stored = false;
	int r;

	dmb_posix_crypto_init(&pc);
	ctx.crypto = &pc.crypto;
	r = load_params(o, hash_path, data_path);
	if (!r)
		r = dmb_verity_geometry(&ctx, &o->p, &g);
	if (r) {
		if (ctx.msg[0])
			cli_error("%s", ctx.msg);
		dmb_posix_crypto_fini(&pc);
		return r;
	}
	dmb_posix_crypto_fini(&pc);
	r = read_root(o, root_arg, g.digest_size, root, root_hex);
	if (r)
		return r;
	if (o->require_sig && !o->signature) {
		cli_error("Root hash signature required.");
		return DMB_ENOKEY;
	}
	if (o->signature) {
		r = cli_read_file(o->signature, 64 * 1024, &sig, &sig_len);
		if (r)
			return DMB_ENOENT;
		if (asprintf(&desc, "dmboot:%s", name) < 0) {
			free(sig);
			return DMB_ENOMEM;
		}
	}

	/* The table's optional arguments. */
	struct dmb_verity_opts *vo = &o->p.opts;
	static const char *const modes[] = { "", "ignore_corruption", "restart_on_corruption",
					     "panic_on_corruption" };

	memset(vo, 0, sizeof(*vo));
	for (size_t i = 1; o->mode && i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(o->mode, modes[i]) == 0)
			vo->corruption = (enum dmb_verity_corruption)i;
	vo->ignore_zero_blocks = o->zero_blocks;
	vo->check_at_most_once = o->at_most_once;
	vo->try_verify_in_tasklet = o->tasklets;
	if (o->fec_device) {
		uint64_t parity_blocks;

		r = fec_sizes(o, hash_path, &g, &vo->fec_blocks, &parity_blocks);
		if (r)
			goto out;
		vo->fec_dev = o->fec_device;
		vo->fec_start = o->fec_offset / o->p.data_block_size;
		vo->fec_roots = o->fec_roots;
	}
	vo->sig_key_desc = desc;
	r = dmb_table_create(&ctx, &table);
	if (!r)
		r = dmb_verity_table_add(&ctx, table, &o->p, data_path, hash_path, root_hex);
	if (r) {
		cli_error("%s", ctx.msg);
		goto out;
	}

	if (state_open(&st, true)) {
		r = DMB_EIO;
		goto out;
	}
	{
		struct state_dev *other;

		if (state_load(&st, name, &other) == 0) {
			state_dev_free(other);
			cli_error("Device %s already exists.", name);
			r = DMB_EEXIST;
			goto unlock;
		}
	}
	if (desc) {
		r = cli_key_store(&st, desc, (const uint8_t *)sig, sig_len);
		if (!r)
			r = cli_trust_store(&st, name, o->certs, o->ncerts);
		if (r) {
			cli_key_remove(&st, desc);
			goto unlock;
		}
		stored = true;
	}
	/* The device's own trust (stored above) and the keyring come from cli_create. */
	struct dmb_ctx base = { .flags = o->require_sig ? DMB_CTX_REQUIRE_SIGNATURES : 0 };

	r = cli_create(&st, name, "", -1, true, table, &base);
	if (r && stored) {
		cli_key_remove(&st, desc);
		cli_trust_remove(&st, name);
	}
unlock:
	state_close(&st);
out:
	dmb_table_destroy(table);
	free(desc);
	free(sig);
	return r;
}

static int cmd_dump(struct vopts *o, const char *hash_path)
{
	struct dmb_ctx ctx = { 0 };
	struct dmb_posix_crypto pc;
	struct dmb_verity_geometry g;
	int r;

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

static bool parse_size(const char *s, uint64_t *out)
{
	return cli_parse_u64(s, out);
}

static bool dmb_is_pow2_u64(uint64_t v)
{
	return v && !(v & (v - 1));
}

static const char *option_name(const struct option *opts, int c)
{
	for (; opts->name; opts++)
		if (opts->val == c)
			return opts->name;
	return "?";
}

/* At most one corruption mode, as veritysetup insists. */
static bool set_mode(struct vopts *o, const char *mode, const char *option)
{
	if (o->mode && strcmp(o->mode, mode) != 0) {
		const char *a = o->mode_option, *b = option;

		if (strcmp(a, b) > 0) {
			const char *t = a;

			a = b;
			b = t;
		}
		cli_error("Option %s and %s cannot be used together.", a, b);
		return false;
	}
	o->mode = mode;
	o->mode_option = option;
	return true;
}

int cmd_veritysetup(int argc, char **argv)
{
	enum {
		O_HASH = 256, O_SALT, O_UUID, O_DBS, O_HBS, O_BLOCKS, O_OFFSET, O_NOSB, O_FORMAT,
		O_FECDEV, O_FECROOTS, O_FECOFF, O_ROOTFILE, O_SIG, O_CERT, O_REQSIG, O_IGNCORR,
		O_RESTART, O_PANIC, O_ZERO, O_ONCE, O_TASKLETS, O_THREADS, O_DEBUG,
	};
	static const struct option longopts[] = {
		{ "hash", required_argument, NULL, 'h' },
		{ "salt", required_argument, NULL, 's' },
		{ "uuid", required_argument, NULL, O_UUID },
		{ "data-block-size", required_argument, NULL, O_DBS },
		{ "hash-block-size", required_argument, NULL, O_HBS },
		{ "data-blocks", required_argument, NULL, O_BLOCKS },
		{ "hash-offset", required_argument, NULL, O_OFFSET },
		{ "no-superblock", no_argument, NULL, O_NOSB },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "fec-device", required_argument, NULL, O_FECDEV },
		{ "fec-roots", required_argument, NULL, O_FECROOTS },
		{ "fec-offset", required_argument, NULL, O_FECOFF },
		{ "root-hash-file", required_argument, NULL, O_ROOTFILE },
		{ "root-hash-signature", required_argument, NULL, O_SIG },
		{ "trusted-cert", required_argument, NULL, O_CERT },
		{ "require-signature", no_argument, NULL, O_REQSIG },
		{ "ignore-corruption", no_argument, NULL, O_IGNCORR },
		{ "restart-on-corruption", no_argument, NULL, O_RESTART },
		{ "panic-on-corruption", no_argument, NULL, O_PANIC },
		{ "ignore-zero-blocks", no_argument, NULL, O_ZERO },
		{ "check-at-most-once", no_argument, NULL, O_ONCE },
		{ "use-tasklets", no_argument, NULL, O_TASKLETS },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "verbose", no_argument, NULL, 'v' },
		{ "debug", no_argument, NULL, O_DEBUG },
		{ "help", no_argument, NULL, '?' },
		{ 0, 0, 0, 0 },
	};
	struct vopts o = { 0 };
	const char *cmd;
	uint64_t v;
	int c, r;

	o.p.hash_type = 1;
	strcpy(o.p.hash_name, "sha256");
	o.p.data_block_size = 4096;
	o.p.hash_block_size = 4096;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h:s:v", longopts, NULL)) != -1) {
		bool ok = true;
		const char *why = NULL;
		char whybuf[96];

		switch (c) {
		case 'h':
			o.hash_text = optarg;
			ok = strlen(optarg) < sizeof(o.p.hash_name);
			if (ok) {
				/* veritysetup stores algorithm names in lower case. */
				for (size_t i = 0; optarg[i]; i++)
					o.p.hash_name[i] = (char)(optarg[i] >= 'A' && optarg[i] <= 'Z'
								  ? optarg[i] - 'A' + 'a' : optarg[i]);
				o.p.hash_name[strlen(optarg)] = '\0';
			}
			break;
		case 's':
			o.have_salt = true;
			if (strcmp(optarg, "-") == 0) {
				o.p.salt_size = 0;
			} else {
				size_t n = strlen(optarg);

				ok = n % 2 == 0 && n / 2 <= DMB_VERITY_MAX_SALT &&
				     dmb_hex_decode(optarg, o.p.salt, n / 2) == 0;
				o.p.salt_size = n / 2;
			}
			why = "Invalid salt string specified.";
			break;
		case O_UUID:
			/* Checked by the action, which names the device. */
			o.have_uuid = true;
			o.uuid_text = optarg;
			break;
		case O_DBS:
		case O_HBS:
			ok = parse_size(optarg, &v) && v >= 512 && v <= (1u << DMB_MAX_BLOCK_SHIFT) &&
			     dmb_is_pow2_u64(v);
			why = "Unsupported VERITY block size.";
			if (c == O_DBS)
				o.p.data_block_size = (uint32_t)v;
			else
				o.p.hash_block_size = (uint32_t)v;
			break;
		case O_BLOCKS:
			o.have_blocks = true;
			ok = parse_size(optarg, &o.p.data_blocks);
			break;
		case O_OFFSET:
			ok = parse_size(optarg, &o.p.hash_offset) && o.p.hash_offset % 512 == 0;
			break;
		case O_NOSB:
			o.p.no_superblock = true;
			break;
		case O_FORMAT:
			ok = parse_size(optarg, &v) && v <= 1;
			o.p.hash_type = (unsigned)v;
			if (!ok && parse_size(optarg, &v)) {
				snprintf(whybuf, sizeof(whybuf), "Unsupported VERITY hash type %llu.",
					 (unsigned long long)v);
				why = whybuf;
			}
			break;
		case O_FECDEV:
			o.fec_device = optarg;
			break;
		case O_FECROOTS:
			ok = parse_size(optarg, &v) && v >= 2 && v <= 24;
			o.fec_roots = (uint32_t)v;
			why = "Invalid number of parity bytes.";
			break;
		case O_FECOFF:
			ok = parse_size(optarg, &o.fec_offset) && o.fec_offset % 512 == 0;
			break;
		case O_ROOTFILE:
			o.root_hash_file = optarg;
			break;
		case O_SIG:
			o.signature = optarg;
			break;
		case O_CERT: {
			char **l = realloc(o.certs, (o.ncerts + 1) * sizeof(*l));

			ok = l != NULL;
			if (ok) {
				o.certs = l;
				o.certs[o.ncerts++] = optarg;
			}
			break;
		}
		case O_REQSIG:
			o.require_sig = true;
			break;
		case O_IGNCORR:
			ok = set_mode(&o, "ignore_corruption", argv[optind - 1]);
			if (!ok) {
				free(o.certs);
				return EXIT_PARAMS;
			}
			break;
		case O_RESTART:
			ok = set_mode(&o, "restart_on_corruption", argv[optind - 1]);
			if (!ok) {
				free(o.certs);
				return EXIT_PARAMS;
			}
			break;
		case O_PANIC:
			ok = set_mode(&o, "panic_on_corruption", argv[optind - 1]);
			if (!ok) {
				free(o.certs);
				return EXIT_PARAMS;
			}
			break;
		case O_ZERO:
			o.zero_blocks = true;
			break;
		case O_ONCE:
			o.at_most_once = true;
			break;
		case O_TASKLETS:
			o.tasklets = true;
			break;
		case O_THREADS:
			ok = parse_size(optarg, &v) && v >= 1 && v <= 64;
			o.threads = (unsigned)v;
			break;
		case 'v':
			o.verbose = true;
			break;
		case O_DEBUG:
			break;
		case '?':
			if (optopt == 0 && strcmp(argv[optind - 1], "--help") == 0) {
				help(stdout);
				free(o.certs);
				return 0;
			}
			cli_error("unknown option '%s'", argv[optind - 1]);
			free(o.certs);
			return EXIT_PARAMS;
		default:
			ok = false;
			break;
		}
		if (!ok) {
			if (why)
				fprintf(stderr, "%s\n", why);
			else
				cli_error("invalid value '%s' for option --%s", optarg ? optarg : "",
					  option_name(longopts, c));
			free(o.certs);
			return EXIT_PARAMS;
		}
	}
	if (o.fec_device && !o.fec_roots)
		o.fec_roots = 2;
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		help(stderr);
		free(o.certs);
		return EXIT_PARAMS;
	}
	cmd = argv[0];
	argc--;
	argv++;
	if (o.mode && (strcmp(cmd, "format") == 0 || strcmp(cmd, "verify") == 0)) {
		cli_error("Option %s is not allowed with %s action.", o.mode_option, cmd);
		free(o.certs);
		return EXIT_PARAMS;
	}
	if (strcmp(cmd, "format") == 0 && argc == 2)
		r = cmd_format(&o, argv[0], argv[1]);
	else if (strcmp(cmd, "verify") == 0 && (argc == 2 || argc == 3))
		r = cmd_verify(&o, argv[0], argv[1], argc == 3 ? argv[2] : NULL);
	else if (strcmp(cmd, "open") == 0 && (argc == 3 || argc == 4))
		r = cmd_open(&o, argv[0], argv[1], argv[2], argc == 4 ? argv[3] : NULL);
	else if (strcmp(cmd, "close") == 0 && argc == 1) {
		struct state st;

		r = state_open(&st, true) ? DMB_EIO : 0;
		if (!r) {
			r = cli_remove(&st, "close", argv[0]);
			state_close(&st);
		}
	} else if (strcmp(cmd, "dump") == 0 && argc == 1)
		r = cmd_dump(&o, argv[0]);
	else if (strcmp(cmd, "help") == 0) {
		help(stdout);
		r = 0;
	} else {
		cli_error("unknown action or wrong number of arguments: %s", cmd);
		help(stderr);
		r = DMB_EINVAL;
	}
	free(o.certs);
	if (fflush(stdout) != 0 && r == 0)
		r = DMB_EIO;
	if (o.verbose && r)
		fprintf(stderr, "Command failed with code %d.\n", r);
	return exit_code(r);
}
