// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * verity_reads: reads through an open dm-verity device, for bench_verity.py.
 * Built by the bench at run time against build/libdmboot.a and ports/posix:
 *
 *   verity_reads seq|rand DATA HASH ROOT_HEX [--plain] [--req=BYTES]
 *                [--count=N] [--seed=N]
 *
 * Loads the superblock at the start of HASH, builds the verity table with
 * dmb_table_create() and dmb_verity_table_add() and opens the
 * device with dmb_dev_create() (read-only, files opened by a resolver over
 * dmb_posix_open()).  Then times, in this process and on one thread:
 *   seq:  the whole device in --req byte requests (1 MiB), in order;
 *   rand: --count (20000) reads of one data block at seeded random positions.
 * --plain reads the same offsets from DATA's own dmb_bdev (no verity): the
 * same code path minus verification, the baseline for random reads.
 * Afterwards (untimed) a few ranges read through the device are compared
 * with DATA read by pread().
 *
 * Prints key=value lines: the geometry, the read loop's bytes, wall time and
 * CPU time (this process's user+sys), and the verity target's
 * dmb_target_stats, for the whole run and (rand) for the second half alone
 * ("h2_" prefix).  Exit status 0, or 1 with a message.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dmboot_posix.h"

static int r_open(const struct dmb_resolver *r, struct dmb_ctx *ctx, const char *name,
		  unsigned flags, struct dmb_bdev **out)
{
	(void)r;
	return dmb_posix_open(ctx, name, flags, out);
}

static void r_close(const struct dmb_resolver *r, struct dmb_bdev *bd)
{
	(void)r;
	dmb_posix_close(bd);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void die(const char *what, const struct dmb_ctx *ctx, int r)
{
	fprintf(stderr, "verity_reads: %s: %s (%s)\n", what,
		ctx && ctx->msg[0] ? ctx->msg : "", dmb_strerror(r));
	exit(1);
}

static void print_stats(const char *prefix, const struct dmb_target_stats *s)
{
	printf("%sreads=%" PRIu64 "\n%sdata_reads=%" PRIu64 "\n%smeta_reads=%" PRIu64
	       "\n%sdigests=%" PRIu64 "\n%scache_hits=%" PRIu64 "\n",
	       prefix, s->reads, prefix, s->data_reads, prefix, s->meta_reads, prefix,
	       s->digests, prefix, s->cache_hits);
}

static struct dmb_target_stats stats_sub(const struct dmb_target_stats *a,
					 const struct dmb_target_stats *b)
{
	struct dmb_target_stats d = {
		.reads = a->reads - b->reads,
		.data_reads = a->data_reads - b->data_reads,
		.meta_reads = a->meta_reads - b->meta_reads,
		.digests = a->digests - b->digests,
		.cache_hits = a->cache_hits - b->cache_hits,
	};
	return d;
}

/* Compare [off, off+len) of bd with the same bytes of the file. */
static void check_range(struct dmb_bdev *bd, int fd, uint64_t off, size_t len, uint8_t *a,
			uint8_t *b)
{
	int r = dmb_bdev_read_bytes(bd, off, len, a);
	size_t got = 0;

	if (r)
		die("check read", NULL, r);
	while (got < len) {
		ssize_t n = pread(fd, b + got, len - got, (off_t)(off + got));

		if (n <= 0) {
			fprintf(stderr, "verity_reads: pread: %s\n", n ? strerror(errno) : "EOF");
			exit(1);
		}
		got += (size_t)n;
	}
	if (memcmp(a, b, len) != 0) {
		fprintf(stderr, "verity_reads: bytes %" PRIu64 "..%" PRIu64
			" differ from the data file\n", off, off + len - 1);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	struct dmb_posix_crypto pc;
	struct dmb_ctx ctx = { 0 };
	struct dmb_resolver res = { .open = r_open, .close = r_close };
	struct dmb_verity_params p;
	struct dmb_verity_geometry g;
	struct dmb_bdev *hash_bd = NULL, *data_bd = NULL, *bd;
	struct dmb_table *table = NULL;
	struct dmb_dev *dev = NULL;
	struct dmb_target_stats half = { 0 }, end = { 0 };
	const char *mode, *data_path, *hash_path, *root;
	bool plain = false;
	size_t req = 1u << 20;
	uint64_t count = 20000, seed = 1, bytes, dbs, requests = 0, total = 0;
	uint8_t *buf, *cmp;
	double t0, t1, c0, c1;
	int r, fd;

	if (argc < 5) {
		fprintf(stderr, "usage: verity_reads seq|rand DATA HASH ROOT_HEX [--plain] "
				"[--req=BYTES] [--count=N] [--seed=N]\n");
		return 1;
	}
	mode = argv[1];
	data_path = argv[2];
	hash_path = argv[3];
	root = argv[4];
	for (int i = 5; i < argc; i++) {
		if (strcmp(argv[i], "--plain") == 0)
			plain = true;
		else if (strncmp(argv[i], "--req=", 6) == 0)
			req = strtoull(argv[i] + 6, NULL, 10);
		else if (strncmp(argv[i], "--count=", 8) == 0)
			count = strtoull(argv[i] + 8, NULL, 10);
		else if (strncmp(argv[i], "--seed=", 7) == 0)
			seed = strtoull(argv[i] + 7, NULL, 10);
		else {
			fprintf(stderr, "verity_reads: unknown option %s\n", argv[i]);
			return 1;
		}
	}
	if (strcmp(mode, "seq") != 0 && strcmp(mode, "rand") != 0) {
		fprintf(stderr, "verity_reads: mode must be seq or rand\n");
		return 1;
	}

	dmb_posix_crypto_init(&pc);
	ctx.crypto = &pc.crypto;
	ctx.resolver = &res;

	/* The parameters from the superblock, the table from the parameters. */
	memset(&p, 0, sizeof(p));
	r = dmb_posix_open(&ctx, hash_path, 0, &hash_bd);
	if (r)
		die("open hash", &ctx, r);
	r = dmb_verity_sb_load(&ctx, hash_bd, 0, &p);
	dmb_posix_close(hash_bd);
	if (r)
		die("superblock", &ctx, r);
	r = dmb_verity_geometry(&ctx, &p, &g);
	if (r)
		die("geometry", &ctx, r);
	r = dmb_table_create(&ctx, &table);
	if (!r)
		r = dmb_verity_table_add(&ctx, table, &p, data_path, hash_path, root);
	if (r)
		die("table", &ctx, r);
	r = dmb_dev_create(&ctx, table, DMB_DEV_READONLY, &dev);
	if (r)
		die("create", &ctx, r);
	r = dmb_posix_open(&ctx, data_path, 0, &data_bd);
	if (r)
		die("open data", &ctx, r);
	bd = plain ? data_bd : dmb_dev_bdev(dev);

	dbs = p.data_block_size;
	bytes = p.data_blocks * dbs;
	if (req < dbs || req % dbs)
		req = (size_t)dbs;
	if (posix_memalign((void **)&buf, 4096, req) || posix_memalign((void **)&cmp, 4096, req))
		die("malloc", NULL, DMB_ENOMEM);

	printf("mode=%s%s\n", mode, plain ? "-plain" : "");
	printf("data_blocks=%" PRIu64 "\nhash_blocks=%" PRIu64 "\nlevels=%u\n"
	       "leaf_blocks=%" PRIu64 "\ndata_block_size=%" PRIu64 "\n",
	       p.data_blocks, g.hash_blocks, g.levels, g.leaf_blocks, dbs);

	if (strcmp(mode, "seq") == 0) {
		c0 = cpu_now();
		t0 = now();
		for (uint64_t off = 0; off < bytes; off += req) {
			size_t len = bytes - off < req ? (size_t)(bytes - off) : req;

			r = dmb_bdev_read_bytes(bd, off, len, buf);
			if (r)
				die("read", &ctx, r);
			requests++;
			total += len;
		}
		t1 = now();
		c1 = cpu_now();
	} else {
		uint64_t s = seed;

		c0 = cpu_now();
		t0 = now();
		for (uint64_t i = 0; i < count; i++) {
			uint64_t blk = splitmix64(&s) % p.data_blocks;

			if (i == count / 2 && !plain)
				half = *dmb_dev_target_stats(dev, 0);
			r = dmb_bdev_read_bytes(bd, blk * dbs, (size_t)dbs, buf);
			if (r)
				die("read", &ctx, r);
			requests++;
			total += dbs;
		}
		t1 = now();
		c1 = cpu_now();
	}
	if (!plain)
		end = *dmb_dev_target_stats(dev, 0);
	printf("requests=%" PRIu64 "\nbytes=%" PRIu64 "\nseconds=%.9f\ncpu_seconds=%.9f\n",
	       requests, total, t1 - t0, c1 - c0);
	if (!plain) {
		print_stats("", &end);
		if (strcmp(mode, "rand") == 0) {
			struct dmb_target_stats h2 = stats_sub(&end, &half);

			printf("h2_requests=%" PRIu64 "\n", count - count / 2);
			print_stats("h2_", &h2);
		}
	}

	/* Untimed: a few ranges through the device against the file. */
	fd = open(data_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "verity_reads: %s: %s\n", data_path, strerror(errno));
		return 1;
	}
	{
		uint64_t s = seed ^ 0x5eed;
		size_t len = req;

		if (len > bytes)
			len = (size_t)bytes;
		check_range(dmb_dev_bdev(dev), fd, 0, len, buf, cmp);
		check_range(dmb_dev_bdev(dev), fd, bytes - len, len, buf, cmp);
		for (int i = 0; i < 32; i++)
			check_range(dmb_dev_bdev(dev), fd, (splitmix64(&s) % p.data_blocks) * dbs,
				    (size_t)dbs, buf, cmp);
	}
	close(fd);
	printf("checked=ok\n");

	free(buf);
	free(cmp);
	dmb_posix_close(data_bd);
	dmb_dev_destroy(dev);
	dmb_table_destroy(table);
	dmb_posix_crypto_fini(&pc);
	return fflush(stdout) ? 1 : 0;
}
