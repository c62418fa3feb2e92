// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * dm-verity: the known-answer root hashes of cryptsetup's verity-compat-test
 * and api-test (formats.md §3.1, §3.2) through dmb_verity_tree_build(), then the
 * verity target over RAM devices: every block reads back verified, tampering
 * with a data block or any tree level is caught at the right block while
 * untouched blocks still read (a bad top block, salt or root digest is
 * refused when the device is made), the corruption modes, ignore_zero_blocks,
 * check_at_most_once, the table text, the hash-block cache's costs, and
 * the optional arguments' formatter, round-tripped through the target.
 * A failed read, whether a block does not verify or a lower device fails,
 * comes back zeroed; the memory knobs of the context (cache size, bounce
 * buffer) change costs, never results.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dmboot/dmboot.h>

#include "../../ports/posix/dmboot_posix.h"
#include "test_port.h"

#define SALT "e48da609055204e89ae53b655ca2216dd983cf3cb829f34f63a297d106d53e2d"

static void from_hex(const char *hex, uint8_t *out, size_t *len)
{
	*len = strlen(hex) / 2;
	assert_int_equal(dmb_hex_decode(hex, out, *len), 0);
}

struct kat {
	uint32_t block;
	const char *hash;
	unsigned type;
	const char *salt;
	const char *root;
};

static const struct kat compat_vectors[] = {
	{ 512, "sha256", 1, SALT, "9de18652fe74edfb9b805aaed72ae2aa48f94333f1ba5c452ac33b1c39325174" },
	{ 1024, "sha256", 1, SALT, "54d92778750495d1f80832b486ebd007617d746271511bbf0e295e143da2b3df" },
	{ 4096, "sha256", 1, SALT, "e522df0f97da4febb882ac40f30b37dc0b444bf6df418929463fa25280f09d5c" },
	{ 4096, "sha256", 0, SALT, "cbbf4ebd004ef65e29b935bb635a39cf754d677f3fa10b0126da725bbdf10f7d" },
	{ 4096, "sha256", 1, "", "ef29c902d87350f1da4bfa536e16cebc162a909bf89abe448b81ec500d4fb9bf" },
	{ 1024, "sha1", 1, SALT, "d0e9163ca8844aaa2e88fe5265a8c5d9ee494a99" },
	{ 1024, "sha1", 1, "dadada", "73509e8e868be6b8ac939817a98a3d35121413b2" },
};

static void set_params(struct dmb_verity_params *p, const struct kat *k, uint64_t data_bytes)
{
	memset(p, 0, sizeof(*p));
	p->hash_type = k->type;
	strcpy(p->hash_name, k->hash);
	p->data_block_size = k->block;
	p->hash_block_size = k->block;
	p->data_blocks = data_bytes / k->block;
	from_hex(k->salt, p->salt, &p->salt_size);
}

/*
 * Whether provider c has digest name: false lets a test skip the rows that
 * need one a build against the portable provider lacks (`make unit-qemu`
 * on s390x has no SHA-1 or SHA-512).
 */
static bool have_digest(const struct dmb_crypto *c, const char *name)
{
	struct dmb_digest *d;
	size_t n;

	if (c->ops->digest_create(c, name, &d, &n))
		return false;
	c->ops->digest_destroy(d);
	return true;
}

/* Format 8 MiB of zeros into a separate hash device, with and without a superblock. */
static void test_compat_vectors(void **state)
{
	const uint64_t data_bytes = 8u << 20, hash_bytes = 2u << 20;
	uint8_t *data = calloc(1, data_bytes), *hash = calloc(1, hash_bytes);
	struct dmb_posix_crypto pc;

	(void)state;
	dmb_posix_crypto_init(&pc);
	for (size_t i = 0; i < sizeof(compat_vectors) / sizeof(compat_vectors[0]); i++) {
		for (int sb = 0; sb < 2; sb++) {
			const struct kat *k = &compat_vectors[i];
			struct dmb_ctx ctx = { .crypto = &pc.crypto };
			struct dmb_ram_bdev d, h;
			struct dmb_verity_params p;
			struct dmb_verity_failure fail;
			uint8_t root[64], want[64];
			size_t n;

			if (!have_digest(&pc.crypto, k->hash))
				continue;
			memset(hash, 0, hash_bytes);
			dmb_ram_bdev_init(&d, data, data_bytes, 9, false);
			dmb_ram_bdev_init(&h, hash, hash_bytes, 9, true);
			set_params(&p, k, data_bytes);
			p.no_superblock = !sb;
			assert_int_equal(dmb_verity_tree_build(&ctx, &p, &d.bdev, &h.bdev, root, NULL, NULL), 0);
			from_hex(k->root, want, &n);
			assert_memory_equal(root, want, n);
			assert_int_equal(dmb_verity_tree_verify(&ctx, &p, &d.bdev, &h.bdev, want, &fail, NULL,
							   NULL),
					 0);
			{
				/* A root buffer of exactly the digest's size (ASan sees an over-read). */
				uint8_t *exact = malloc(n);

				assert_non_null(exact);
				memcpy(exact, want, n);
				assert_int_equal(dmb_verity_tree_verify(&ctx, &p, &d.bdev, &h.bdev, exact,
									&fail, NULL, NULL),
						 0);
				free(exact);
			}
			if (sb) {
				struct dmb_verity_params q;

				assert_int_equal(dmb_verity_sb_load(&ctx, &h.bdev, 0, &q), 0);
				assert_int_equal(q.data_blocks, p.data_blocks);
				assert_int_equal(q.salt_size, p.salt_size);
				assert_string_equal(q.hash_name, k->hash);
			}
		}
	}
	free(data);
	free(hash);
	dmb_posix_crypto_fini(&pc);
}

/* The "one device" pass: hash area after the data in the same 9216 KiB file. */
static void test_compat_one_device(void **state)
{
	const uint64_t bytes = 9216u << 10;
	uint8_t *img = calloc(1, bytes);
	struct dmb_posix_crypto pc;

	(void)state;
	dmb_posix_crypto_init(&pc);
	for (size_t i = 0; i < 3; i++) {
		const struct kat *k = &compat_vectors[i];
		struct dmb_ctx ctx = { .crypto = &pc.crypto };
		struct dmb_ram_bdev dev;
		struct dmb_verity_params p;
		uint8_t root[64], want[64];
		size_t n;

		memset(img, 0, bytes);
		dmb_ram_bdev_init(&dev, img, bytes, 9, true);
		set_params(&p, k, 8u << 20);
		p.hash_offset = 8u << 20;
		assert_int_equal(dmb_verity_tree_build(&ctx, &p, &dev.bdev, &dev.bdev, root, NULL, NULL), 0);
		from_hex(k->root, want, &n);
		assert_memory_equal(root, want, n);
	}
	free(img);
	dmb_posix_crypto_fini(&pc);
}

/* api-test's VerityTest: 10000 sectors of zeros, 1250 blocks of 4096. */
static void test_api_vector(void **state)
{
	const uint64_t data_bytes = 10000 * 512;
	uint8_t *data = calloc(1, data_bytes), *hash = calloc(1, 64 << 10);
	struct dmb_posix_crypto pc;
	struct dmb_ctx ctx = { 0 };
	struct dmb_ram_bdev d, h;
	struct dmb_verity_params p;
	struct dmb_verity_geometry g;
	struct kat k = { 4096, "sha256", 1,
			 "20c28ffc129c12360ba6ceea2b6cf04e89c2b41cfe6b8439eb53c1897f50df7b",
			 "ab018b003a967fc782effb293b6dccb60b4f40c06bf80d16391acf686d28b5d6" };
	uint8_t root[64], want[64];
	size_t n;

	(void)state;
	dmb_posix_crypto_init(&pc);
	ctx.crypto = &pc.crypto;
	dmb_ram_bdev_init(&d, data, data_bytes, 9, false);
	dmb_ram_bdev_init(&h, hash, 64 << 10, 9, true);
	set_params(&p, &k, data_bytes);
	assert_int_equal(dmb_verity_geometry(&ctx, &p, &g), 0);
	assert_int_equal(g.levels, 2);
	assert_int_equal(g.hash_blocks, 11); /* 10 leaves + 1 root */
	assert_int_equal(dmb_verity_tree_build(&ctx, &p, &d.bdev, &h.bdev, root, NULL, NULL), 0);
	from_hex(k.root, want, &n);
	assert_memory_equal(root, want, n);
	free(data);
	free(hash);
	dmb_posix_crypto_fini(&pc);
}

/* A formatted image in memory plus a resolver that serves "data" and "hash". */
struct image {
	struct dmb_posix_crypto pc;
	struct dmb_ctx ctx;
	struct dmb_resolver res;
	struct dmb_ram_bdev data, hash, fec;
	struct dmb_bdev *data_over, *hash_over; /* served instead when set */
	uint8_t *data_mem, *hash_mem;
	uint8_t fec_mem[64 << 10];  /* parity area for FEC tables (zeros: never decoded) */
	uint64_t data_bytes, hash_bytes;
	struct dmb_verity_params p;
	struct dmb_verity_geometry g;
	char root_hex[129];
};

static int img_open(const struct dmb_resolver *r, struct dmb_ctx *ctx, const char *name,
		    unsigned flags, struct dmb_bdev **out)
{
	struct image *im = r->priv;

	(void)ctx;
	assert_false(flags & DMB_OPEN_WRITE);
	if (strcmp(name, "data") == 0)
		*out = im->data_over ? im->data_over : &im->data.bdev;
	else if (strcmp(name, "hash") == 0)
		*out = im->hash_over ? im->hash_over : &im->hash.bdev;
	else if (strcmp(name, "fec dev") == 0)
		*out = &im->fec.bdev;
	else
		return DMB_ENOENT;
	return 0;
}

static void img_close(const struct dmb_resolver *r, struct dmb_bdev *bd)
{
	(void)r;
	(void)bd;
}

static struct image *image_make(uint64_t data_blocks, uint32_t bs, const char *alg)
{
	struct image *im = calloc(1, sizeof(*im));
	uint8_t root[64];

	dmb_posix_crypto_init(&im->pc);
	im->ctx.crypto = &im->pc.crypto;
	im->res = (struct dmb_resolver){ img_open, img_close, im };
	im->ctx.resolver = &im->res;
	im->p.hash_type = 1;
	strcpy(im->p.hash_name, alg);
	im->p.data_block_size = bs;
	im->p.hash_block_size = bs;
	im->p.data_blocks = data_blocks;
	im->p.salt_size = 4;
	memcpy(im->p.salt, "\x01\x02\x03\x04", 4);
	assert_int_equal(dmb_verity_geometry(&im->ctx, &im->p, &im->g), 0);
	im->data_bytes = data_blocks * bs;
	im->hash_bytes = im->g.hash_end * bs;
	im->data_mem = malloc(im->data_bytes);
	im->hash_mem = calloc(1, im->hash_bytes);
	for (uint64_t i = 0; i < im->data_bytes; i++)
		im->data_mem[i] = (uint8_t)(i * 2654435761u >> 13);
	/* A few all-zero blocks for ignore_zero_blocks. */
	memset(im->data_mem + 3 * bs, 0, bs);
	dmb_ram_bdev_init(&im->data, im->data_mem, im->data_bytes, 9, true);
	dmb_ram_bdev_init(&im->hash, im->hash_mem, im->hash_bytes, 9, true);
	assert_int_equal(dmb_verity_tree_build(&im->ctx, &im->p, &im->data.bdev, &im->hash.bdev, root,
					   NULL, NULL),
			 0);
	dmb_hex_encode(root, im->g.digest_size, im->root_hex);
	/* From here on the devices are read-only, as the target opens them. */
	dmb_ram_bdev_init(&im->data, im->data_mem, im->data_bytes, 9, false);
	dmb_ram_bdev_init(&im->hash, im->hash_mem, im->hash_bytes, 9, false);
	dmb_ram_bdev_init(&im->fec, im->fec_mem, sizeof(im->fec_mem), 9, false);
	return im;
}

static void image_free(struct image *im)
{
	free(im->data_mem);
	free(im->hash_mem);
	dmb_posix_crypto_fini(&im->pc);
	free(im);
}

static int image_open(struct image *im, const char *opts, struct dmb_dev **dev)
{
	char line[1024];
	struct dmb_table *t;
	int r, n;

	/* The options as given, in any order and case: the text the target parses. */
	n = dmb_verity_table_line(&im->ctx, &im->p, "data", "hash", im->root_hex, line,
				  sizeof(line));
	assert_true(n > 0 && (size_t)n < sizeof(line));
	if (opts)
		snprintf(line + n, sizeof(line) - (size_t)n, " %s", opts);
	assert_int_equal(dmb_table_parse(&im->ctx, line, strlen(line), &t), 0);
	r = dmb_dev_create(&im->ctx, t, DMB_DEV_READONLY, dev);
	dmb_table_destroy(t);
	return r;
}

static char *status_of(struct dmb_dev *dev, enum dmb_fmt what)
{
	static char buf[1024];

	assert_true(dmb_dev_format(dev, what, 0, buf, sizeof(buf)) < (int)sizeof(buf));
	return buf;
}

static void test_target_reads_and_table(void **state)
{
	struct image *im = image_make(300, 4096, "sha256");
	struct dmb_dev *dev;
	uint8_t *buf = malloc(im->data_bytes);
	char want[1024];

	(void)state;
	assert_int_equal(image_open(im, NULL, &dev), 0);
	assert_int_equal(dmb_dev_bdev(dev)->block_shift, 12);
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 0, im->data_bytes, buf), 0);
	assert_memory_equal(buf, im->data_mem, im->data_bytes);
	/* Unaligned byte reads go through the library's bounce buffers. */
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 4095, 3, buf), 0);
	assert_memory_equal(buf, im->data_mem + 4095, 3);
	snprintf(want, sizeof(want), "0 2400 verity 1 data hash 4096 4096 300 1 sha256 %s 01020304\n",
		 im->root_hex);
	assert_string_equal(status_of(dev, DMB_FMT_TABLE), want);
	assert_string_equal(status_of(dev, DMB_FMT_STATUS), "0 2400 verity V\n");
	dmb_dev_destroy(dev);

	/* Options come back in Linux's order whatever order they were given in. */
	assert_int_equal(image_open(im, "4 check_at_most_once IGNORE_ZERO_BLOCKS restart_on_error ignore_corruption", &dev), 0);
	snprintf(want, sizeof(want),
		 "0 2400 verity 1 data hash 4096 4096 300 1 sha256 %s 01020304 4 ignore_corruption restart_on_error ignore_zero_blocks check_at_most_once\n",
		 im->root_hex);
	assert_string_equal(status_of(dev, DMB_FMT_TABLE), want);
	dmb_dev_destroy(dev);
	free(buf);
	image_free(im);
}

/* Tamper with one byte somewhere; only the blocks depending on it fail. */
static void check_tamper(struct image *im, uint8_t *where, uint64_t bad_first, uint64_t bad_count)
{
	const uint32_t bs = im->p.data_block_size;
	uint8_t *buf = malloc(bs);
	struct dmb_dev *dev;

	*where ^= 0x40;
	assert_int_equal(image_open(im, NULL, &dev), 0);
	for (uint64_t b = 0; b < im->p.data_blocks; b++) {
		int r = dmb_bdev_read_bytes(dmb_dev_bdev(dev), b * bs, bs, buf);
		bool bad = b >= bad_first && b < bad_first + bad_count;

		if (bad) {
			assert_int_equal(r, DMB_EIO);
			assert_non_null(strstr(im->ctx.msg, "is corrupted"));
		} else {
			assert_int_equal(r, 0);
			assert_memory_equal(buf, im->data_mem + b * bs, bs);
		}
	}
	assert_string_equal(status_of(dev, DMB_FMT_STATUS),
			    bad_count ? "0 2400 verity C\n" : "0 2400 verity V\n");
	dmb_dev_destroy(dev);
	*where ^= 0x40;
	free(buf);
}

static void test_tamper_every_level(void **state)
{
	/* 300 blocks of 4096 with sha256: 128 digests a hash block, 3 leaves, 1 root. */
	struct image *im = image_make(300, 4096, "sha256");
	char msg[256];

	(void)state;
	assert_int_equal(im->g.levels, 2);
	/* A data block: only that block. */
	check_tamper(im, im->data_mem + 77 * 4096 + 5, 77, 1);
	snprintf(msg, sizeof(msg), "%s", im->ctx.msg);
	assert_non_null(strstr(msg, "data block 77 of data"));
	/* The second leaf hash block (block 1 + 1 + 1): data blocks 128..255. */
	check_tamper(im, im->hash_mem + (im->g.leaf_first + 1) * 4096 + 100, 128, 128);
	assert_non_null(strstr(im->ctx.msg, "metadata block 3 of hash"));
	/* The root hash block: nothing can be read, so the device is refused (ctr_top_block). */
	{
		struct dmb_dev *dev = NULL;

		im->hash_mem[im->g.hash_start * 4096 + 7] ^= 0x40;
		assert_int_equal(image_open(im, NULL, &dev), DMB_EVERIFY);
		assert_null(dev);
		im->hash_mem[im->g.hash_start * 4096 + 7] ^= 0x40;
	}
	/* The superblock is not part of the tree: nothing fails. */
	check_tamper(im, im->hash_mem + 3, 0, 0);
	image_free(im);
}

/* Every single-bit flip in a small image is caught (sha1, 1 KiB blocks, 3 levels). */
static void test_bit_flip_sweep(void **state)
{
	struct dmb_posix_crypto pc;
	struct image *im;
	uint8_t *buf;
	bool sha1;

	(void)state;
	dmb_posix_crypto_init(&pc);
	sha1 = have_digest(&pc.crypto, "sha1");
	dmb_posix_crypto_fini(&pc);
	if (!sha1)
		skip();
	im = image_make(40, 1024, "sha1");
	buf = malloc(im->data_bytes);
	assert_int_equal(im->g.levels, 2);
	for (uint64_t bit = 0; bit < im->data_bytes * 8; bit += 97) {
		struct dmb_dev *dev;

		im->data_mem[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_equal(image_open(im, NULL, &dev), 0);
		assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 0, im->data_bytes, buf),
				 DMB_EIO);
		dmb_dev_destroy(dev);
		im->data_mem[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	/*
	 * Every byte of the tree counts: digests, v1 slot padding, unused
	 * entries.  A byte of the top block is caught when the device is made.
	 */
	for (uint64_t byte = im->g.hash_start * 1024; byte < im->hash_bytes; byte += 13) {
		struct dmb_dev *dev = NULL;

		im->hash_mem[byte] ^= 1;
		if (byte < (im->g.hash_start + 1) * 1024) {
			assert_int_equal(image_open(im, NULL, &dev), DMB_EVERIFY);
			assert_null(dev);
		} else {
			assert_int_equal(image_open(im, NULL, &dev), 0);
			assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 0, im->data_bytes, buf),
					 DMB_EIO);
			dmb_dev_destroy(dev);
		}
		im->hash_mem[byte] ^= 1;
	}
	free(buf);
	image_free(im);
}

static void test_modes(void **state)
{
	struct image *im = image_make(300, 4096, "sha256");
	uint8_t *buf = malloc(4096);
	struct dmb_dev *dev;
	int fatal;

	(void)state;
	im->data_mem[10 * 4096] ^= 1;
	/* ignore_corruption: the data comes back, status says C. */
	assert_int_equal(image_open(im, "1 ignore_corruption", &dev), 0);
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 10 * 4096, 4096, buf), 0);
	assert_memory_equal(buf, im->data_mem + 10 * 4096, 4096);
	assert_string_equal(status_of(dev, DMB_FMT_STATUS), "0 2400 verity C\n");
	dmb_dev_destroy(dev);
	/* restart/panic: the port's hook is called; it returns here, so the read fails. */
	fatal = test_port_fatal_calls();
	assert_int_equal(image_open(im, "1 restart_on_corruption", &dev), 0);
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 10 * 4096, 4096, buf), DMB_EIO);
	assert_int_equal(test_port_fatal_calls(), fatal + 1);
	assert_non_null(strstr(test_port_last_log(), "fatal 1: verity: data block 10"));
	dmb_dev_destroy(dev);
	assert_int_equal(image_open(im, "1 panic_on_corruption", &dev), 0);
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 10 * 4096, 4096, buf), DMB_EIO);
	assert_non_null(strstr(test_port_last_log(), "fatal 2:"));
	dmb_dev_destroy(dev);
	im->data_mem[10 * 4096] ^= 1;

	/* ignore_zero_blocks: a zero block's bytes are not read; zeros come back. */
	im->data_mem[3 * 4096 + 9] = 0x55;
	assert_int_equal(image_open(im, "1 ignore_zero_blocks", &dev), 0);
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 3 * 4096, 4096, buf), 0);
	for (int i = 0; i < 4096; i++)
		assert_int_equal(buf[i], 0);
	dmb_dev_destroy(dev);
	assert_int_equal(image_open(im, NULL, &dev), 0);
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 3 * 4096, 4096, buf), DMB_EIO);
	dmb_dev_destroy(dev);
	im->data_mem[3 * 4096 + 9] = 0;

	/* check_at_most_once: a block verified once is not hashed again. */
	assert_int_equal(image_open(im, "1 check_at_most_once", &dev), 0);
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 20 * 4096, 4096, buf), 0);
	im->data_mem[20 * 4096] ^= 1;
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 20 * 4096, 4096, buf), 0);
	im->data_mem[20 * 4096] ^= 1;
	dmb_dev_destroy(dev);
	free(buf);
	image_free(im);
}

static void test_cache_costs(void **state)
{
	/* 64 MiB: 16384 data blocks, 128 leaves, 1 root. */
	struct image *im = image_make(16384, 4096, "sha256");
	const struct dmb_target_stats *st;
	uint8_t *buf = malloc(1 << 20);
	struct dmb_dev *dev;
	uint64_t seed = 7;

	(void)state;
	assert_int_equal(image_open(im, NULL, &dev), 0);
	st = dmb_dev_target_stats(dev, 0);
	for (uint64_t off = 0; off < im->data_bytes; off += 1 << 20)
		assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), off, 1 << 20, buf), 0);
	/* Sequential: each hash block read and hashed once, one digest per data block. */
	assert_int_equal(st->meta_reads, im->g.hash_blocks);
	assert_int_equal(st->digests, im->p.data_blocks + im->g.hash_blocks);
	dmb_dev_destroy(dev);

	assert_int_equal(image_open(im, NULL, &dev), 0);
	st = dmb_dev_target_stats(dev, 0);
	for (int i = 0; i < 20000; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		uint64_t b = (seed >> 33) % im->p.data_blocks;

		assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), b * 4096, 4096, buf), 0);
	}
	/* Random: at most one hash block read per data read, once the root is cached. */
	assert_true(st->meta_reads <= 20000 + 1);
	dmb_dev_destroy(dev);
	free(buf);
	image_free(im);
}

static void assert_all(const uint8_t *p, size_t n, uint8_t want, const char *what)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != want)
			fail_msg("%s: byte %zu is %02x, want %02x", what, i, p[i], want);
}

/* Block ranges around bad block 10: at it, starting, ending at and spanning it. */
static const struct {
	uint64_t first, count;
} around_10[] = { { 10, 1 }, { 10, 3 }, { 8, 3 }, { 9, 3 }, { 6, 8 } };

/*
 * Read each range of around_10 into a patterned buffer: the read fails with
 * DMB_EIO, the range comes back zeroed, the byte after it is untouched.
 */
static void check_failed_reads_wipe(struct dmb_dev *dev, const char *what)
{
	uint8_t *buf = malloc(9 * 4096);
	char name[128];

	for (size_t i = 0; i < sizeof(around_10) / sizeof(around_10[0]); i++) {
		size_t n = (size_t)around_10[i].count * 4096;

		snprintf(name, sizeof(name), "%s: blocks %llu+%llu", what,
			 (unsigned long long)around_10[i].first,
			 (unsigned long long)around_10[i].count);
		memset(buf, 0xa5, n + 1);
		assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(dev), around_10[i].first * 8,
						       around_10[i].count * 8, buf),
				 DMB_EIO);
		assert_all(buf, n, 0, name);
		assert_int_equal(buf[n], 0xa5);
	}
	free(buf);
}

/* A corrupted data block in EIO mode: no byte of the request survives. */
static void test_failed_read_wipes_corrupt(void **state)
{
	struct image *im = image_make(300, 4096, "sha256");
	uint8_t *bounce = malloc(4096);
	uint8_t buf[64];
	struct dmb_dev *dev;

	(void)state;
	im->data_mem[10 * 4096 + 123] ^= 0x10;
	assert_int_equal(image_open(im, NULL, &dev), 0);
	check_failed_reads_wipe(dev, "corrupt");
	/* Blocks next to it still read. */
	{
		uint8_t *ok = malloc(3 * 4096);

		assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(dev), 11 * 8, 24, ok), 0);
		assert_memory_equal(ok, im->data_mem + 11 * 4096, 3 * 4096);
		free(ok);
	}
	/*
	 * Unaligned bytes go through a bounce block: nothing of it reaches the
	 * caller, and the bounce memory of the context is left zeroed too.
	 */
	im->ctx.mem.bounce = bounce;
	im->ctx.mem.bounce_bytes = 4096;
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 10 * 4096 + 100, 40, buf), DMB_EIO);
	assert_all(buf, sizeof(buf), 0xa5, "unaligned read of the bad block");
	assert_all(bounce, 4096, 0, "the context's bounce buffer");
	assert_int_equal(im->ctx.bounce_used, 0);
	im->ctx.mem.bounce = NULL;
	im->ctx.mem.bounce_bytes = 0;
	dmb_dev_destroy(dev);
	/* The fatal hook returns: the read fails and is wiped just the same. */
	assert_int_equal(image_open(im, "1 restart_on_corruption", &dev), 0);
	check_failed_reads_wipe(dev, "restart_on_corruption");
	dmb_dev_destroy(dev);
	im->data_mem[10 * 4096 + 123] ^= 0x10;
	free(bounce);
	image_free(im);
}

/*
 * A lower device that fills the buffer and then reports an error, as a DMA
 * transfer that completes with a bad status may: block `bad` fails.
 */
struct dirty_fail_bdev {
	struct dmb_bdev bdev;
	struct dmb_bdev *lower;
	uint64_t bad;
};

static int dirty_fail_read(struct dmb_bdev *bd, uint64_t block, size_t count, void *buf)
{
	struct dirty_fail_bdev *d = bd->priv;
	int r = d->lower->ops->read(d->lower, block, count, buf);

	if (r == 0 && d->bad >= block && d->bad < block + count)
		r = DMB_EIO;
	return r;
}

static const struct dmb_bdev_ops dirty_fail_ops = { .read = dirty_fail_read };

/* The same through lower-device I/O errors, on the data and on the hash device. */
static void test_failed_read_wipes_io_error(void **state)
{
	struct image *im = image_make(300, 4096, "sha256");
	struct dirty_fail_bdev df;
	struct dmb_fault_bdev fb;
	uint8_t *buf = malloc(4096);
	struct dmb_dev *dev;

	(void)state;
	/* Data device: the bytes arrived, unverified, with an error. */
	df = (struct dirty_fail_bdev){ { &dirty_fail_ops, &df, 9, im->data.bdev.num_blocks, NULL },
				       &im->data.bdev, 10 * 8 + 3 };
	im->data_over = &df.bdev;
	assert_int_equal(image_open(im, NULL, &dev), 0);
	check_failed_reads_wipe(dev, "data device error after the transfer");
	dmb_dev_destroy(dev);
	/* Data device failing before it transfers anything. */
	dmb_fault_bdev_init(&fb, &im->data.bdev);
	im->data_over = &fb.bdev;
	assert_int_equal(image_open(im, NULL, &dev), 0);
	fb.fail_read_at = 1;
	check_failed_reads_wipe(dev, "data device error");
	dmb_dev_destroy(dev);
	im->data_over = NULL;
	/* Hash device: the data was read but cannot be checked. */
	dmb_fault_bdev_init(&fb, &im->hash.bdev);
	im->hash_over = &fb.bdev;
	assert_int_equal(image_open(im, NULL, &dev), 0);
	fb.fail_read_at = 1;
	check_failed_reads_wipe(dev, "hash device error");
	memset(buf, 0xa5, 4096);
	assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(dev), 0, 8, buf), DMB_EIO);
	assert_all(buf, 4096, 0, "hash device error, block 0");
	/* The device recovers once the hash device does. */
	fb.fail_read_at = 0;
	assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(dev), 10 * 8, 8, buf), 0);
	assert_memory_equal(buf, im->data_mem + 10 * 4096, 4096);
	dmb_dev_destroy(dev);
	im->hash_over = NULL;
	free(buf);
	image_free(im);
}

/*
 * The cache size knob: any size gives the same data; a small cache costs
 * re-reads, bounded by one hash block per level per data block.
 */
/*
 * A provider that counts digest_many() calls by their message count, over
 * the image's own: the target's reads must hash data blocks in groups.
 */
#define MANY_MAX 16
static const struct dmb_crypto_ops *many_real;
static unsigned many_hist[MANY_MAX + 1]; /* [n] calls of n messages; [0] more than MANY_MAX */

static int counting_many(struct dmb_digest *prefix, const void *const *msgs, size_t n, size_t len,
			 const void *suffix, size_t suffix_len, uint8_t *outs)
{
	many_hist[n <= MANY_MAX ? n : 0]++;
	return many_real->digest_many(prefix, msgs, n, len, suffix, suffix_len, outs);
}

static void count_many(struct image *im, struct dmb_crypto *c, struct dmb_crypto_ops *ops)
{
	many_real = im->ctx.crypto->ops;
	*ops = *many_real;
	ops->digest_many = counting_many;
	*c = *im->ctx.crypto;
	c->ops = ops;
	im->ctx.crypto = c;
	memset(many_hist, 0, sizeof(many_hist));
}

static void assert_log_lines(const char *const *want, size_t n)
{
	assert_int_equal(test_port_log_count(), n);
	for (size_t i = 0; i < n; i++) {
		int level;

		assert_string_equal(test_port_log_line(i, &level), want[i]);
	}
}

static void test_lane_groups(void **state)
{
	/* 300 blocks: a root (hash block 1) over three leaves (2..4, 128 digests each). */
	struct image *im = image_make(300, 4096, "sha256");
	uint8_t *buf = malloc(im->data_bytes);
	struct dmb_crypto_ops ops;
	struct dmb_crypto c;
	struct dmb_dev *dev;

	(void)state;
	if (!im->ctx.crypto->ops->digest_many)
		skip();
	count_many(im, &c, &ops);
	assert_int_equal(im->g.hash_blocks, 4);

	/*
	 * One read of everything: a walk at each leaf's first block, then
	 * groups of 8 (128 = 16 x 8, and 44 = 5 x 8 + 4).
	 */
	assert_int_equal(image_open(im, NULL, &dev), 0);
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 0, im->data_bytes, buf), 0);
	assert_memory_equal(buf, im->data_mem, im->data_bytes);
	assert_int_equal(many_hist[8], 37);
	assert_int_equal(many_hist[4], 1);
	for (unsigned n = 0; n <= MANY_MAX; n++)
		if (n != 8 && n != 4)
			assert_int_equal(many_hist[n], 0);
	/* A lone block is one message. */
	memset(many_hist, 0, sizeof(many_hist));
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 7 * 4096, 4096, buf), 0);
	assert_int_equal(many_hist[1], 1);
	dmb_dev_destroy(dev);

	/* ignore_zero_blocks: block 3 (zeros) is not hashed, 0..15 is 8 + 7. */
	assert_int_equal(image_open(im, "1 ignore_zero_blocks", &dev), 0);
	memset(many_hist, 0, sizeof(many_hist));
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 0, 16 * 4096, buf), 0);
	assert_memory_equal(buf, im->data_mem, 16 * 4096);
	assert_int_equal(many_hist[8], 1);
	assert_int_equal(many_hist[7], 1);
	dmb_dev_destroy(dev);

	/* check_at_most_once: a block checked before is left out of the group. */
	assert_int_equal(image_open(im, "1 check_at_most_once", &dev), 0);
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 20 * 4096, 4096, buf), 0);
	memset(many_hist, 0, sizeof(many_hist));
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 16 * 4096, 16 * 4096, buf), 0);
	assert_int_equal(many_hist[8], 1);
	assert_int_equal(many_hist[7], 1);
	dmb_dev_destroy(dev);

	/*
	 * Damage in and between groups: data blocks 5, 9 and 130, and leaf
	 * hash block 3 in the digest of data block 143.  Logged in block order,
	 * as when each block is checked alone.
	 */
	im->data_mem[5 * 4096 + 17] ^= 0x40;
	im->data_mem[9 * 4096] ^= 1;
	im->data_mem[130 * 4096 + 4095] ^= 0x80;
	im->hash_mem[3 * 4096 + 15 * 32 + 3] ^= 2;
	assert_int_equal(image_open(im, "1 ignore_corruption", &dev), 0);
	test_port_log_clear();
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 0, im->data_bytes, buf), 0);
	assert_memory_equal(buf, im->data_mem, im->data_bytes);
	{
		static const char *const want[] = {
			"verity: data block 5 of data is corrupted (ignored)",
			"verity: data block 9 of data is corrupted (ignored)",
			"verity: metadata block 3 of hash is corrupted (ignored)",
			"verity: data block 130 of data is corrupted (ignored)",
			"verity: data block 143 of data is corrupted (ignored)",
		};

		assert_log_lines(want, 5);
	}
	assert_string_equal(status_of(dev, DMB_FMT_STATUS), "0 2400 verity C\n");
	dmb_dev_destroy(dev);

	/* The default mode fails at the first bad block of the group, 5, and wipes the buffer. */
	assert_int_equal(image_open(im, NULL, &dev), 0);
	test_port_log_clear();
	memset(buf, 0xaa, 16 * 4096);
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 0, 16 * 4096, buf), DMB_EIO);
	assert_string_equal(im->ctx.msg, "verity: data block 5 of data is corrupted");
	assert_all(buf, 16 * 4096, 0, "failed grouped read");
	{
		static const char *const want[] = { "verity: data block 5 of data is corrupted" };

		assert_log_lines(want, 1);
	}
	/* Blocks before the damage still read; 6..8 and 10..15 too, alone or grouped. */
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 0, 5 * 4096, buf), 0);
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 10 * 4096, 6 * 4096, buf), 0);
	assert_memory_equal(buf, im->data_mem + 10 * 4096, 6 * 4096);
	dmb_dev_destroy(dev);
	free(buf);
	image_free(im);
}

static void test_cache_size_knob(void **state)
{
	/* 2048 blocks of 4096: 16 leaves and a root, 2 levels. */
	struct image *im = image_make(2048, 4096, "sha256");
	static const size_t sizes[] = { 1, 4096, 6 * 4096, 7 * 4096, 17 * 4096, SIZE_MAX };
	uint8_t *buf = malloc(4096);

	(void)state;
	assert_int_equal(im->g.levels, 2);
	assert_int_equal(im->g.hash_blocks, 17);
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		const struct dmb_target_stats *st;
		struct dmb_dev *dev;
		uint64_t seed = 11;

		im->ctx.mem.verity_cache_bytes = sizes[k];
		assert_int_equal(image_open(im, NULL, &dev), 0);
		st = dmb_dev_target_stats(dev, 0);
		for (uint64_t b = 0; b < im->p.data_blocks; b++) {
			assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(dev), b * 8, 8, buf), 0);
			assert_memory_equal(buf, im->data_mem + b * 4096, 4096);
		}
		/* Sequential reads read each leaf once, even with the smallest cache. */
		assert_true(st->meta_reads >= im->g.hash_blocks);
		assert_true(st->meta_reads <= 2 * im->g.hash_blocks);
		for (int i = 0; i < 2000; i++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			uint64_t b = (seed >> 33) % im->p.data_blocks;

			assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(dev), b * 8, 8, buf), 0);
			assert_memory_equal(buf, im->data_mem + b * 4096, 4096);
		}
		assert_true(st->meta_reads <= im->g.hash_blocks * 2 + 2000 * im->g.levels);
		/* A cache that holds the tree reads each hash block once. */
		if (sizes[k] >= 17 * 4096)
			assert_int_equal(st->meta_reads, im->g.hash_blocks);
		dmb_dev_destroy(dev);
	}
	im->ctx.mem.verity_cache_bytes = 0;
	free(buf);
	image_free(im);
}

/*
 * The bounce buffer knob: unaligned reads of a verity device allocate
 * nothing when the context lends one block, and allocate per call without.
 */
static void test_bounce_knob(void **state)
{
	struct image *im = image_make(300, 4096, "sha256");
	uint8_t *bounce = malloc(4096);
	uint8_t buf[8192];
	struct dmb_dev *dev;

	(void)state;
	assert_int_equal(image_open(im, NULL, &dev), 0);
	test_port_fail_alloc_at(1);
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 4095, 3, buf), DMB_ENOMEM);
	assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(dev), 1, 1, buf), DMB_ENOMEM);
	im->ctx.mem.bounce = bounce;
	im->ctx.mem.bounce_bytes = 4096;
	test_port_fail_alloc_at(1);
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 4095, 3, buf), 0);
	assert_memory_equal(buf, im->data_mem + 4095, 3);
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 77, 8000, buf), 0);
	assert_memory_equal(buf, im->data_mem + 77, 8000);
	assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(dev), 9, 3, buf), 0);
	assert_memory_equal(buf, im->data_mem + 9 * 512, 3 * 512);
	assert_int_equal(test_port_alloc_count(), 0);
	assert_int_equal(im->ctx.bounce_used, 0);
	/* Too small for a 4 KiB block: back to dmb_port_malloc(). */
	im->ctx.mem.bounce_bytes = 4095;
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 4095, 3, buf), DMB_ENOMEM);
	test_port_fail_alloc_at(0);
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 4095, 3, buf), 0);
	assert_memory_equal(buf, im->data_mem + 4095, 3);
	im->ctx.mem.bounce = NULL;
	im->ctx.mem.bounce_bytes = 0;
	dmb_dev_destroy(dev);
	free(bounce);
	image_free(im);
}

/*
 * The top hash block is checked against the root digest when the device is
 * made (Linux leaves it to the first read): each row is one way for the
 * root of the tree not to match, and what the constructor does with it.
 */
static void test_ctr_top_block(void **state)
{
	static const struct {
		const char *name;
		const char *salt;      /* NULL: the image's */
		bool flip_root;        /* a wrong root digest */
		bool flip_top;         /* a flipped byte in the top hash block */
		const char *opts;
		int err;
	} rows[] = {
		{ "intact", NULL, false, false, NULL, 0 },
		{ "top_block_flipped_salt_byte", "01020305", false, false, NULL, DMB_EVERIFY },
		{ "top_block_no_salt", "-", false, false, NULL, DMB_EVERIFY },
		{ "top_block_wrong_root_digest", NULL, true, false, NULL, DMB_EVERIFY },
		{ "top_block_corrupt", NULL, false, true, NULL, DMB_EVERIFY },
		{ "top_block_corrupt_restart", NULL, false, true, "1 restart_on_corruption", DMB_EVERIFY },
		{ "top_block_corrupt_panic", NULL, false, true, "1 panic_on_corruption", DMB_EVERIFY },
		{ "top_block_corrupt_ignored", NULL, false, true, "1 ignore_corruption", 0 },
	};
	struct image *im = image_make(300, 4096, "sha256");
	uint8_t *buf = malloc(4096);

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t *top = im->hash_mem + im->g.hash_start * 4096 + 50;
		char line[1024], root[129];
		struct dmb_table *t;
		struct dmb_dev *dev = NULL;
		int fatal = test_port_fatal_calls(), n;

		snprintf(root, sizeof(root), "%s", im->root_hex);
		if (rows[i].flip_root)
			root[0] = root[0] == '0' ? '1' : '0';
		if (rows[i].flip_top)
			*top ^= 0x01;
		n = snprintf(line, sizeof(line), "0 2400 verity 1 data hash 4096 4096 300 1 sha256 %s %s",
			     root, rows[i].salt ? rows[i].salt : "01020304");
		if (rows[i].opts)
			snprintf(line + n, sizeof(line) - (size_t)n, " %s", rows[i].opts);
		assert_int_equal(dmb_table_parse(&im->ctx, line, strlen(line), &t), 0);
		if (dmb_dev_create(&im->ctx, t, DMB_DEV_READONLY, &dev) != rows[i].err)
			fail_msg("%s: %s", rows[i].name, im->ctx.msg);
		/* Refused at creation, never by stopping the system. */
		assert_int_equal(test_port_fatal_calls(), fatal);
		if (rows[i].err) {
			assert_null(dev);
			if (!strstr(im->ctx.msg, "metadata block 1 of hash, the top of the hash tree, "
						 "does not match the root digest"))
				fail_msg("%s: %s", rows[i].name, im->ctx.msg);
		} else {
			/* The block verified at creation is not read again. */
			assert_int_equal(dmb_dev_target_stats(dev, 0)->meta_reads, 1);
			assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 0, 4096, buf), 0);
			assert_memory_equal(buf, im->data_mem, 4096);
			assert_string_equal(status_of(dev, DMB_FMT_STATUS),
					    rows[i].flip_top ? "0 2400 verity C\n" : "0 2400 verity V\n");
			dmb_dev_destroy(dev);
		}
		dmb_table_destroy(t);
		if (rows[i].flip_top)
			*top ^= 0x01;
	}
	free(buf);
	image_free(im);
}

/* Constructor errors, each with its own message. */
static void test_ctr_errors(void **state)
{
	struct image *im = image_make(300, 4096, "sha256");
	static const struct {
		const char *args;
		const char *msg;
		int err;
	} rows[] = {
		{ "1 data hash 4096 4096 300 1 sha256", "Not enough arguments", DMB_EINVAL },
		{ "2 data hash 4096 4096 300 1 sha256 R -", "Invalid version", DMB_EINVAL },
		{ "1 data hash 4095 4096 300 1 sha256 R -", "Invalid data device block size", DMB_EINVAL },
		{ "1 data hash 4096 256 300 1 sha256 R -", "Invalid hash device block size", DMB_EINVAL },
		{ "1 data hash 4096 4096 3x0 1 sha256 R -", "Invalid data blocks", DMB_EINVAL },
		{ "1 data hash 4096 4096 200 1 sha256 R -", "Data device is too small", DMB_EINVAL },
		{ "1 data hash 4096 4096 300 -1 sha256 R -", "Invalid hash start", DMB_EINVAL },
		{ "1 data hash 4096 4096 300 1 nohash R -", "Cannot initialize hash function", DMB_ENOTSUP },
		{ "1 data hash 4096 4096 300 1 sha256 abcd -", "Invalid root digest", DMB_EINVAL },
		{ "1 data hash 4096 4096 300 1 sha256 R 123", "Invalid salt", DMB_EINVAL },
		{ "1 data hash 4096 4096 300 1 sha256 R - 2 ignore_corruption", "Invalid number of feature args", DMB_EINVAL },
		{ "1 data hash 4096 4096 300 1 sha256 R - 1 frobnicate", "Unrecognized verity feature request", DMB_EINVAL },
		{ "1 data hash 4096 4096 300 1 sha256 R - 1 fec_roots", "FEC feature arguments require a value", DMB_EINVAL },
		{ "1 data hash 4096 4096 300 1 sha256 R - 1 root_hash_sig_key_desc", "root hash verification: Signature key not specified", DMB_EINVAL },
		{ "1 data hash 4096 4096 300 3 sha256 R -", "hash device hash is too small for the hash tree", DMB_ERANGE },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char args[512], line[600], *r;
		struct dmb_table *t;
		struct dmb_dev *dev = NULL;

		snprintf(args, sizeof(args), "%s", rows[i].args);
		r = strstr(args, " R ");
		if (!r && strlen(args) > 2 && strcmp(args + strlen(args) - 2, " R") == 0)
			r = args + strlen(args) - 2;
		if (r) {
			char tail[512];

			snprintf(tail, sizeof(tail), "%s", r + 2);
			snprintf(r, sizeof(args) - (size_t)(r - args), " %s%s", im->root_hex, tail);
		}
		snprintf(line, sizeof(line), "0 2400 verity %s", args);
		assert_int_equal(dmb_table_parse(&im->ctx, line, strlen(line), &t), 0);
		assert_int_equal(dmb_dev_create(&im->ctx, t, DMB_DEV_READONLY, &dev), rows[i].err);
		if (!strstr(im->ctx.msg, rows[i].msg))
			fail_msg("row %zu: message \"%s\" lacks \"%s\"", i, im->ctx.msg, rows[i].msg);
		assert_null(dev);
		dmb_table_destroy(t);
	}
	/* A read-write table is refused. */
	{
		char line[600];
		struct dmb_table *t;
		struct dmb_dev *dev;

		assert_true(dmb_verity_table_line(&im->ctx, &im->p, "data", "hash", im->root_hex,
						  line, sizeof(line)) > 0);
		assert_int_equal(dmb_table_parse(&im->ctx, line, strlen(line), &t), 0);
		assert_int_equal(dmb_dev_create(&im->ctx, t, 0, &dev), DMB_EINVAL);
		assert_non_null(strstr(im->ctx.msg, "Device must be readonly"));
		dmb_table_destroy(t);
	}
	image_free(im);
}

/* --- The optional arguments as text ---------------------------------------- */

static void test_opts_format(void **state)
{
	static const struct {
		const char *name;
		struct dmb_verity_opts o;
		const char *want;
	} rows[] = {
		{ "none", { 0 }, "" },
		{ "ignore_corruption", { .corruption = DMB_VERITY_CORRUPTION_IGNORE }, "1 ignore_corruption" },
		{ "restart_on_corruption", { .corruption = DMB_VERITY_CORRUPTION_RESTART }, "1 restart_on_corruption" },
		{ "panic_on_corruption", { .corruption = DMB_VERITY_CORRUPTION_PANIC }, "1 panic_on_corruption" },
		{ "restart_on_error", { .error = DMB_VERITY_ERROR_RESTART }, "1 restart_on_error" },
		{ "panic_on_error", { .error = DMB_VERITY_ERROR_PANIC }, "1 panic_on_error" },
		{ "ignore_zero_blocks", { .ignore_zero_blocks = true }, "1 ignore_zero_blocks" },
		{ "check_at_most_once", { .check_at_most_once = true }, "1 check_at_most_once" },
		{ "try_verify_in_tasklet", { .try_verify_in_tasklet = true }, "1 try_verify_in_tasklet" },
		{ "fec", { .fec_dev = "fec", .fec_roots = 2, .fec_blocks = 303, .fec_start = 7 },
		  "8 use_fec_from_device fec fec_blocks 303 fec_start 7 fec_roots 2" },
		{ "fec fields without a device", { .fec_roots = 2, .fec_blocks = 303 }, "" },
		{ "fec device escaped", { .fec_dev = "a b\\#", .fec_roots = 24, .fec_blocks = UINT64_MAX },
		  "8 use_fec_from_device a\\ b\\\\\\# fec_blocks 18446744073709551615 fec_start 0 fec_roots 24" },
		{ "signature key", { .sig_key_desc = "dmboot:root" }, "2 root_hash_sig_key_desc dmboot:root" },
		{ "signature key escaped", { .sig_key_desc = "a\tb" }, "2 root_hash_sig_key_desc a\\\tb" },
		{ "everything, in Linux's order",
		  { DMB_VERITY_CORRUPTION_PANIC, DMB_VERITY_ERROR_RESTART, true, true, true, "f", 3, 4,
		    5, "k" },
		  "15 panic_on_corruption restart_on_error ignore_zero_blocks check_at_most_once "
		  "try_verify_in_tasklet use_fec_from_device f fec_blocks 4 fec_start 5 fec_roots 3 "
		  "root_hash_sig_key_desc k" },
	};
	static const struct {
		const char *name;
		struct dmb_verity_opts o;
		const char *msg;
	} bad[] = {
		{ "corruption mode out of range", { .corruption = (enum dmb_verity_corruption)4 },
		  "verity: invalid corruption mode 4" },
		{ "error mode out of range", { .error = (enum dmb_verity_error)3 },
		  "verity: invalid error mode 3" },
		{ "empty FEC device", { .fec_dev = "" },
		  "verity: the FEC device name is empty or holds a newline" },
		{ "FEC device with a newline", { .fec_dev = "a\nb" },
		  "verity: the FEC device name is empty or holds a newline" },
		{ "empty key description", { .sig_key_desc = "" },
		  "verity: the signature key description is empty or holds a newline" },
		{ "key description with a newline", { .sig_key_desc = "\n" },
		  "verity: the signature key description is empty or holds a newline" },
	};
	struct dmb_ctx ctx = { 0 };
	char buf[512];

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int n = dmb_verity_opts_format(&ctx, &rows[i].o, buf, sizeof(buf));

		if (n != (int)strlen(rows[i].want) || strcmp(buf, rows[i].want) != 0)
			fail_msg("%s: got %d \"%s\", want \"%s\"", rows[i].name, n, buf, rows[i].want);
		/* The leading count is the number of words after it. */
		if (n) {
			unsigned words = 0, count = (unsigned)strtoul(buf, NULL, 10);
			char *argv[32];
			char copy[512];

			strcpy(copy, buf);
			assert_int_equal(dmb_split_args(copy, 32, &words, argv), 0);
			assert_int_equal(count, words - 1);
		}
		/* Measuring, and truncation like snprintf. */
		assert_int_equal(dmb_verity_opts_format(&ctx, &rows[i].o, NULL, 0), n);
		if (n > 3) {
			assert_int_equal(dmb_verity_opts_format(&ctx, &rows[i].o, buf, 4), n);
			assert_int_equal(strlen(buf), 3);
			assert_memory_equal(buf, rows[i].want, 3);
		}
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&ctx, 0, sizeof(ctx));
		if (dmb_verity_opts_format(&ctx, &bad[i].o, buf, sizeof(buf)) != DMB_EINVAL ||
		    strcmp(ctx.msg, bad[i].msg) != 0)
			fail_msg("%s: message \"%s\"", bad[i].name, ctx.msg);
	}
}

/* A signature check that accepts anything, and a keyring holding one key. */
static int accept_any(const struct dmb_crypto *c, struct dmb_ctx *ctx, const uint8_t *sig,
		      size_t sig_len, const uint8_t *data, size_t len)
{
	(void)c;
	(void)ctx;
	(void)sig;
	(void)sig_len;
	(void)data;
	(void)len;
	return 0;
}

static int key_get(const struct dmb_keyring *k, struct dmb_ctx *ctx, const char *type,
		   const char *desc, uint8_t **data, size_t *len)
{
	(void)k;
	(void)ctx;
	if (strcmp(type, "user") != 0 || strcmp(desc, "key one") != 0)
		return DMB_ENOKEY;
	*data = malloc(1);
	*len = 1;
	return *data ? 0 : DMB_ENOMEM;
}

static void key_put(const struct dmb_keyring *k, uint8_t *data, size_t len)
{
	(void)k;
	(void)len;
	free(data);
}

/*
 * Round trip: the line dmb_verity_table_line() prints parses, loads, and the
 * target prints the same line back as its table status; dmb_verity_table_add()
 * makes the target the parser makes of that line.
 */
static void test_opts_round_trip(void **state)
{
	struct image *im = image_make(300, 4096, "sha256");
	struct dmb_crypto_ops ops = *im->pc.crypto.ops;
	struct dmb_crypto crypto = im->pc.crypto;
	const struct dmb_keyring keyring = { key_get, key_put, NULL };
	struct dmb_verity_opts all[] = {
		{ 0 },
		{ .corruption = DMB_VERITY_CORRUPTION_IGNORE, .error = DMB_VERITY_ERROR_PANIC },
		{ .corruption = DMB_VERITY_CORRUPTION_RESTART, .error = DMB_VERITY_ERROR_RESTART,
		  .ignore_zero_blocks = true },
		{ .corruption = DMB_VERITY_CORRUPTION_PANIC, .check_at_most_once = true,
		  .try_verify_in_tasklet = true },
		/* fec_blocks: the data and the tree (set below) */
		{ .fec_dev = "fec dev", .fec_roots = 2, .fec_start = 1 },
		{ .sig_key_desc = "key one" },
		{ DMB_VERITY_CORRUPTION_IGNORE, DMB_VERITY_ERROR_RESTART, true, true, true, "fec dev",
		  2, 0, 1, "key one" },
	};

	(void)state;
	all[4].fec_blocks = all[6].fec_blocks = im->p.data_blocks + im->g.hash_blocks;
	ops.pkcs7_verify = accept_any;
	crypto.ops = &ops;
	im->ctx.crypto = &crypto;
	im->ctx.keyring = &keyring;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		struct dmb_table *parsed, *added;
		struct dmb_dev *dev;
		char line[1024], want[1100];
		int n;

		im->p.opts = all[i];
		n = dmb_verity_table_line(&im->ctx, &im->p, "data", "hash", im->root_hex, line,
					  sizeof(line));
		assert_true(n > 0 && (size_t)n < sizeof(line));
		assert_int_equal(dmb_verity_table_line(&im->ctx, &im->p, "data", "hash", im->root_hex,
						       NULL, 0),
				 n);
		assert_int_equal(dmb_table_parse(&im->ctx, line, (size_t)n, &parsed), 0);
		if (dmb_dev_create(&im->ctx, parsed, DMB_DEV_READONLY, &dev))
			fail_msg("row %zu: %s: %s", i, line, im->ctx.msg);
		snprintf(want, sizeof(want), "%s\n", line);
		assert_string_equal(status_of(dev, DMB_FMT_TABLE), want);
		dmb_dev_destroy(dev);

		assert_int_equal(dmb_table_create(&im->ctx, &added), 0);
		assert_int_equal(dmb_verity_table_add(&im->ctx, added, &im->p, "data", "hash",
						      im->root_hex),
				 0);
		assert_int_equal(added->count, 1);
		assert_int_equal(added->targets[0].start_sectors, parsed->targets[0].start_sectors);
		assert_int_equal(added->targets[0].len_sectors, parsed->targets[0].len_sectors);
		assert_string_equal(added->targets[0].type, parsed->targets[0].type);
		assert_string_equal(added->targets[0].params, parsed->targets[0].params);
		assert_int_equal(added->targets[0].line, parsed->targets[0].line);
		/* A second verity target would overlap the first. */
		assert_int_equal(dmb_verity_table_add(&im->ctx, added, &im->p, "data", "hash",
						      im->root_hex),
				 DMB_EINVAL);
		assert_string_equal(im->ctx.msg,
				    "line 2: overlap in table: target starts at sector 0, previous target ends at 2400");
		dmb_table_destroy(added);
		dmb_table_destroy(parsed);
	}
	/* Options a table cannot carry fail both. */
	{
		struct dmb_table *t;

		im->p.opts = (struct dmb_verity_opts){ .fec_dev = "" };
		assert_int_equal(dmb_verity_table_line(&im->ctx, &im->p, "data", "hash", im->root_hex,
						       NULL, 0),
				 DMB_EINVAL);
		assert_int_equal(dmb_table_create(&im->ctx, &t), 0);
		assert_int_equal(dmb_verity_table_add(&im->ctx, t, &im->p, "data", "hash",
						      im->root_hex),
				 DMB_EINVAL);
		assert_int_equal(t->count, 0);
		dmb_table_destroy(t);
		memset(&im->p.opts, 0, sizeof(im->p.opts));
	}
	image_free(im);
}

/* A signature check that accepts only the text in signed_text, as the kernel checks it. */
static char signed_text[129];

static int accept_signed_text(const struct dmb_crypto *c, struct dmb_ctx *ctx, const uint8_t *sig,
			      size_t sig_len, const uint8_t *data, size_t len)
{
	(void)c;
	(void)sig;
	(void)sig_len;
	if (len == strlen(signed_text) && memcmp(data, signed_text, len) == 0)
		return 0;
	return dmb_ctx_set_error(ctx, DMB_EVERIFY, "over other data");
}

/*
 * Finding 6: the signature covers the root hash text the table gave, in
 * whatever case; the table prints it in lower case as the kernel does, and
 * the form that recreates the device (DMB_FMT_SHOWKEYS) keeps the signed
 * text, so the device can be instantiated again.  A digest name in upper
 * case is refused, as the kernel's crypto API refuses it.
 */
static void test_h9_6_root_hash_case(void **state)
{
	struct image *im = image_make(300, 4096, "sha256");
	struct dmb_crypto_ops ops = *im->pc.crypto.ops;
	struct dmb_crypto crypto = im->pc.crypto;
	const struct dmb_keyring keyring = { key_get, key_put, NULL };
	char upper[129], line[1024], lower_line[1100], shown[1100];
	struct dmb_table *t;
	struct dmb_dev *dev;
	int n;

	(void)state;
	ops.pkcs7_verify = accept_signed_text;
	crypto.ops = &ops;
	im->ctx.crypto = &crypto;
	im->ctx.keyring = &keyring;
	for (size_t i = 0; im->root_hex[i]; i++)
		upper[i] = (char)toupper((unsigned char)im->root_hex[i]);
	upper[strlen(im->root_hex)] = '\0';
	im->p.opts.sig_key_desc = "key one";
	n = dmb_verity_table_line(&im->ctx, &im->p, "data", "hash", upper, line, sizeof(line));
	assert_true(n > 0 && (size_t)n < sizeof(line));
	n = dmb_verity_table_line(&im->ctx, &im->p, "data", "hash", im->root_hex, lower_line,
				  sizeof(lower_line) - 1);
	assert_true(n > 0);
	strcat(lower_line, "\n");

	/* Signed over the lower case: the upper-case table is other data. */
	strcpy(signed_text, im->root_hex);
	assert_int_equal(dmb_table_parse(&im->ctx, line, strlen(line), &t), 0);
	assert_int_equal(dmb_dev_create(&im->ctx, t, DMB_DEV_READONLY, &dev), DMB_EVERIFY);
	dmb_table_destroy(t);

	/* Signed over the upper case: made, printed in lower case, recreated from SHOWKEYS. */
	strcpy(signed_text, upper);
	assert_int_equal(dmb_table_parse(&im->ctx, line, strlen(line), &t), 0);
	assert_int_equal(dmb_dev_create(&im->ctx, t, DMB_DEV_READONLY, &dev), 0);
	dmb_table_destroy(t);
	assert_string_equal(status_of(dev, DMB_FMT_TABLE), lower_line);
	assert_true(dmb_dev_format(dev, DMB_FMT_TABLE, DMB_FMT_SHOWKEYS, shown, sizeof(shown)) > 0);
	assert_non_null(strstr(shown, upper));
	dmb_dev_destroy(dev);
	assert_int_equal(dmb_table_parse(&im->ctx, shown, strlen(shown), &t), 0);
	assert_int_equal(dmb_dev_create(&im->ctx, t, DMB_DEV_READONLY, &dev), 0);
	assert_string_equal(status_of(dev, DMB_FMT_TABLE), lower_line);
	dmb_dev_destroy(dev);
	dmb_table_destroy(t);

	/* Without a signature, every form is lower case. */
	memset(&im->p.opts, 0, sizeof(im->p.opts));
	n = dmb_verity_table_line(&im->ctx, &im->p, "data", "hash", upper, line, sizeof(line));
	assert_int_equal(dmb_table_parse(&im->ctx, line, (size_t)n, &t), 0);
	assert_int_equal(dmb_dev_create(&im->ctx, t, DMB_DEV_READONLY, &dev), 0);
	assert_true(dmb_dev_format(dev, DMB_FMT_TABLE, DMB_FMT_SHOWKEYS, shown, sizeof(shown)) > 0);
	assert_non_null(strstr(shown, im->root_hex));
	dmb_dev_destroy(dev);
	dmb_table_destroy(t);

	/* SHA256: the kernel finds no such digest. */
	strcpy(im->p.hash_name, "SHA256");
	n = dmb_verity_table_line(&im->ctx, &im->p, "data", "hash", im->root_hex, line,
				  sizeof(line));
	assert_int_equal(dmb_table_parse(&im->ctx, line, (size_t)n, &t), 0);
	assert_int_equal(dmb_dev_create(&im->ctx, t, DMB_DEV_READONLY, &dev), DMB_EINVAL);
	assert_string_equal(im->ctx.msg,
			    "line 1: verity: Cannot initialize hash function SHA256: the kernel names digests in lower case (sha256)");
	dmb_table_destroy(t);
	image_free(im);
}

/*
 * Finding 13: dmb_verity_fec_check() counts the symbols the parity would
 * correct, as `veritysetup verify --fec-device` does, writes nothing, and
 * names the round of a codeword beyond repair.
 */
static void test_h9_13_fec_check(void **state)
{
	struct image *im = image_make(300, 4096, "sha256");
	struct dmb_fec_encode_args a = { 0 };
	struct dmb_ram_bdev fec;
	uint64_t fec_blocks, parity_blocks, errors, rounds;
	uint8_t *mem, *copy;
	size_t bytes;

	(void)state;
	assert_int_equal(dmb_verity_fec_blocks(&im->ctx, 300, im->g.hash_start, 4096, im->hash_bytes,
					       false, 0, &fec_blocks),
			 0);
	assert_int_equal(dmb_verity_fec_parity_blocks(fec_blocks, 2, 4096, &parity_blocks), 0);
	bytes = (size_t)parity_blocks * 4096;
	mem = calloc(1, bytes);
	copy = malloc(bytes);
	dmb_ram_bdev_init(&fec, mem, bytes, 9, true);
	a.data_dev = &im->data.bdev;
	a.data_blocks = 300;
	a.hash_dev = &im->hash.bdev;
	a.hash_offset_bytes = im->g.hash_start * 4096;
	a.fec_blocks = fec_blocks;
	a.fec_dev = &fec.bdev;
	a.roots = 2;
	a.block_size = 4096;
	assert_int_equal(dmb_verity_fec_encode(&im->ctx, &a), 0);
	memcpy(copy, mem, bytes);
	dmb_ram_bdev_init(&fec, mem, bytes, 9, false);   /* checking needs no write */
	assert_int_equal(dmb_verity_fec_check(&im->ctx, &a, &errors), 0);
	assert_int_equal(errors, 0);

	im->data_mem[5000] ^= 0x5a;                      /* one symbol of one codeword */
	im->data_mem[4096 * 200 + 7] ^= 0x01;            /* and one of another */
	assert_int_equal(dmb_verity_fec_check(&im->ctx, &a, &errors), 0);
	assert_int_equal(errors, 2);
	im->data_mem[5000] ^= 0x5a;
	im->data_mem[4096 * 200 + 7] ^= 0x01;

	/* Two symbols of one codeword: more than 2 roots correct. */
	rounds = (fec_blocks + 252) / 253;
	im->data_mem[4096 * rounds + 9] ^= 0xff;
	im->data_mem[9] ^= 0xff;
	assert_int_equal(dmb_verity_fec_check(&im->ctx, &a, &errors), DMB_EVERIFY);
	assert_int_equal(errors, 0);
	assert_string_equal(im->ctx.msg, "verity FEC: cannot repair round 0");
	assert_memory_equal(copy, mem, bytes);
	free(copy);
	free(mem);
	image_free(im);
}

static void test_superblock_malformed(void **state)
{
	static const struct {
		const char *name;
		size_t off;
		uint8_t val;
		int err;
		const char *msg;
	} rows[] = {
		{ "bad signature", 0, 'V', DMB_ENOENT, "no verity superblock" },
		{ "version 2", 8, 2, DMB_ENOTSUP, "unsupported version 2" },
		{ "hash type 2", 12, 2, DMB_ENOTSUP, "unsupported hash type 2" },
		{ "empty algorithm", 32, 0, DMB_ECORRUPT, "algorithm name empty" },
		{ "data block size 4097", 64, 1, DMB_ENOTSUP, "unsupported data block size 4097" },
		{ "hash block size 4097", 68, 1, DMB_ENOTSUP, "unsupported hash block size 4097" },
		{ "salt size 257", 81, 1, DMB_ENOTSUP, "unsupported salt size 288" },
	};
	struct dmb_verity_params p = { 0 };
	uint8_t sb[512];

	(void)state;
	p.hash_type = 1;
	strcpy(p.hash_name, "sha256");
	p.data_block_size = 4096;
	p.hash_block_size = 4096;
	p.data_blocks = 10;
	p.salt_size = 32;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct dmb_ctx ctx = { 0 };
		struct dmb_verity_params q;

		dmb_verity_sb_encode(&p, sb);
		assert_int_equal(dmb_verity_sb_decode(&ctx, sb, &q), 0);
		sb[rows[i].off] = rows[i].val;
		assert_int_equal(dmb_verity_sb_decode(&ctx, sb, &q), rows[i].err);
		if (!strstr(ctx.msg, rows[i].msg))
			fail_msg("%s: message \"%s\" lacks \"%s\"", rows[i].name, ctx.msg, rows[i].msg);
	}
	/* Not terminated within 32 bytes. */
	{
		struct dmb_ctx ctx = { 0 };
		struct dmb_verity_params q;

		dmb_verity_sb_encode(&p, sb);
		memset(sb + 32, 'a', 32);
		assert_int_equal(dmb_verity_sb_decode(&ctx, sb, &q), DMB_ECORRUPT);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compat_vectors),
		cmocka_unit_test(test_compat_one_device),
		cmocka_unit_test(test_api_vector),
		cmocka_unit_test(test_target_reads_and_table),
		cmocka_unit_test(test_tamper_every_level),
		cmocka_unit_test(test_bit_flip_sweep),
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_cache_costs),
		cmocka_unit_test(test_lane_groups),
		cmocka_unit_test(test_failed_read_wipes_corrupt),
		cmocka_unit_test(test_failed_read_wipes_io_error),
		cmocka_unit_test(test_cache_size_knob),
		cmocka_unit_test(test_bounce_knob),
		cmocka_unit_test(test_ctr_errors),
		cmocka_unit_test(test_ctr_top_block),
		cmocka_unit_test(test_superblock_malformed),
		cmocka_unit_test(test_opts_format),
		cmocka_unit_test(test_opts_round_trip),
		cmocka_unit_test(test_h9_6_root_hash_case),
		cmocka_unit_test(test_h9_13_fec_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
