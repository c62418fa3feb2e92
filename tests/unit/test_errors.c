// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Error reporting an embedder cannot lose (docs/porting.md §1-§3): the
 * lines read-time failures log through dmb_port_log() (a corrupt verity
 * block in the default mode, FEC repairs, a lower device's I/O error, each
 * once, up to the per-device limit), DMB_CTX_QUIET_IO, a block device's own
 * message reaching the context through bdev.ctx, and the allocator's
 * 8-byte alignment contract.
 */
#define _GNU_SOURCE
#include <unistd.h>

#include "helpers.h"

#include "../../ports/posix/dmboot_posix.h"

#define BS 4096u
#define NBLOCKS 160u

/* Named devices for tables: "data", "hash", "fec", "disk" and "lin". */
struct world {
	struct dmb_posix_crypto pc;
	struct dmb_ctx ctx;
	struct dmb_resolver res;
	struct dmb_ram_bdev data, hash, fec;
	struct dmb_fault_bdev disk;      /* the data device behind "disk" */
	struct dmb_bdev *lin;            /* a mapped device served as "lin" */
	uint8_t *data_mem, *hash_mem, *fec_mem, *data0;
	uint64_t hash_bytes, fec_bytes, fec_blocks;
	struct dmb_verity_params p;
	char root_hex[129];
};

static int w_open(const struct dmb_resolver *r, struct dmb_ctx *ctx, const char *name,
		  unsigned flags, struct dmb_bdev **out)
{
	struct world *w = r->priv;

	(void)flags;
	if (strcmp(name, "data") == 0)
		*out = &w->data.bdev;
	else if (strcmp(name, "hash") == 0)
		*out = &w->hash.bdev;
	else if (strcmp(name, "fec") == 0)
		*out = &w->fec.bdev;
	else if (strcmp(name, "disk") == 0)
		*out = &w->disk.bdev;
	else if (strcmp(name, "lin") == 0 && w->lin)
		*out = w->lin;
	else
		return dmb_ctx_set_error(ctx, DMB_ENOENT, "%s: no such test device", name);
	/* As bdev.h asks: the device reports into the opener's context. */
	if (*out != w->lin)
		(*out)->ctx = ctx;
	return 0;
}

static void w_close(const struct dmb_resolver *r, struct dmb_bdev *bd)
{
	(void)r;
	(void)bd;
}

/* A verity image of NBLOCKS 4 KiB blocks with a superblock, and FEC parity (roots 4). */
static struct world *world_make(void)
{
	struct world *w = calloc(1, sizeof(*w));
	struct dmb_fec_encode_args a = { 0 };
	struct dmb_verity_geometry g;
	uint64_t parity;
	uint8_t root[64];

	dmb_posix_crypto_init(&w->pc);
	w->ctx.crypto = &w->pc.crypto;
	w->res = (struct dmb_resolver){ w_open, w_close, w };
	w->ctx.resolver = &w->res;
	w->p.hash_type = 1;
	strcpy(w->p.hash_name, "sha256");
	w->p.data_block_size = BS;
	w->p.hash_block_size = BS;
	w->p.data_blocks = NBLOCKS;
	w->p.salt_size = 4;
	memcpy(w->p.salt, "\x0a\x0b\x0c\x0d", 4);
	assert_int_equal(dmb_verity_geometry(&w->ctx, &w->p, &g), 0);
	w->hash_bytes = g.hash_end * BS;
	w->data_mem = malloc(NBLOCKS * BS);
	w->data0 = malloc(NBLOCKS * BS);
	w->hash_mem = calloc(1, w->hash_bytes);
	for (size_t i = 0; i < NBLOCKS * BS; i++)
		w->data_mem[i] = (uint8_t)(i * 2654435761u >> 11);
	memcpy(w->data0, w->data_mem, NBLOCKS * BS);
	dmb_ram_bdev_init(&w->data, w->data_mem, NBLOCKS * BS, 9, true);
	dmb_ram_bdev_init(&w->hash, w->hash_mem, w->hash_bytes, 9, true);
	assert_int_equal(dmb_verity_tree_build(&w->ctx, &w->p, &w->data.bdev, &w->hash.bdev, root,
					       NULL, NULL),
			 0);
	dmb_hex_encode(root, g.digest_size, w->root_hex);

	assert_int_equal(dmb_verity_fec_blocks(&w->ctx, NBLOCKS, g.hash_start, BS, w->hash_bytes,
					       false, 0, &w->fec_blocks),
			 0);
	assert_int_equal(dmb_verity_fec_parity_blocks(w->fec_blocks, 4, BS, &parity), 0);
	w->fec_bytes = parity * BS;
	w->fec_mem = calloc(1, w->fec_bytes);
	dmb_ram_bdev_init(&w->fec, w->fec_mem, w->fec_bytes, 9, true);
	a.data_dev = &w->data.bdev;
	a.data_blocks = NBLOCKS;
	a.hash_dev = &w->hash.bdev;
	a.hash_offset_bytes = g.hash_start * BS;
	a.fec_blocks = w->fec_blocks;
	a.fec_dev = &w->fec.bdev;
	a.roots = 4;
	a.block_size = BS;
	assert_int_equal(dmb_verity_fec_encode(&w->ctx, &a), 0);

	dmb_ram_bdev_init(&w->data, w->data_mem, NBLOCKS * BS, 9, false);
	dmb_ram_bdev_init(&w->hash, w->hash_mem, w->hash_bytes, 9, false);
	dmb_ram_bdev_init(&w->fec, w->fec_mem, w->fec_bytes, 9, false);
	dmb_fault_bdev_init(&w->disk, &w->data.bdev);
	dmb_ctx_clear(&w->ctx);
	test_port_log_clear();
	return w;
}

static void world_free(struct world *w)
{
	free(w->data_mem);
	free(w->data0);
	free(w->hash_mem);
	free(w->fec_mem);
	dmb_posix_crypto_fini(&w->pc);
	free(w);
}

static struct dmb_dev *create(struct dmb_ctx *ctx, const char *line)
{
	struct dmb_table *t;
	struct dmb_dev *dev = NULL;

	assert_int_equal(dmb_table_parse(ctx, line, strlen(line), &t), 0);
	assert_int_equal(dmb_dev_create(ctx, t, DMB_DEV_READONLY, &dev), 0);
	dmb_table_destroy(t);
	return dev;
}

/* The verity device over data_name, with fec when asked. */
static struct dmb_dev *open_verity(struct world *w, struct dmb_ctx *ctx, const char *data_name,
				   bool fec)
{
	char line[1024];

	w->p.opts = (struct dmb_verity_opts){ 0 };
	if (fec) {
		w->p.opts.fec_dev = "fec";
		w->p.opts.fec_roots = 4;
		w->p.opts.fec_blocks = w->fec_blocks;
	}
	assert_true(dmb_verity_table_line(ctx, &w->p, data_name, "hash", w->root_hex, line,
					  sizeof(line)) > 0);
	return create(ctx, line);
}

static int read_block(struct dmb_dev *dev, uint64_t b, uint8_t *buf)
{
	return dmb_bdev_read_bytes(dmb_dev_bdev(dev), b * BS, BS, buf);
}

static void assert_log(size_t i, int level, const char *want)
{
	int got_level = -1;
	const char *got = test_port_log_line(i, &got_level);

	assert_non_null(got);
	assert_string_equal(got, want);
	assert_int_equal(got_level, level);
}

/* --- verity corruption in the default mode -------------------------------- */

static void test_corrupt_block_logged_once(void **state)
{
	struct world *w = world_make();
	struct dmb_dev *dev = open_verity(w, &w->ctx, "data", false);
	uint8_t buf[BS];

	(void)state;
	w->data_mem[5 * BS + 100] ^= 0x40;
	assert_int_equal(read_block(dev, 5, buf), DMB_EIO);
	assert_string_equal(dmb_ctx_message(&w->ctx), "verity: data block 5 of data is corrupted");
	assert_int_equal(test_port_log_count(), 1);
	assert_log(0, DMB_LOG_ERR, "verity: data block 5 of data is corrupted");
	/* Read again, and as part of a larger read: no second line. */
	assert_int_equal(read_block(dev, 5, buf), DMB_EIO);
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 0, 8 * BS, w->data0), DMB_EIO);
	assert_int_equal(test_port_log_count(), 1);
	assert_int_equal(read_block(dev, 6, buf), 0);
	assert_int_equal(test_port_log_count(), 1);
	dmb_dev_destroy(dev);
	world_free(w);
}

static void test_corrupt_hash_block_logged(void **state)
{
	struct world *w = world_make();
	struct dmb_dev *dev = open_verity(w, &w->ctx, "data", false);
	uint8_t buf[BS];

	(void)state;
	/* Block 1 is the top of a two-level tree (128 digests a block), block 2 the first leaf. */
	w->hash_mem[2 * BS + 7] ^= 1;
	assert_int_equal(read_block(dev, 0, buf), DMB_EIO);
	assert_int_equal(test_port_log_count(), 1);
	assert_log(0, DMB_LOG_ERR, "verity: metadata block 2 of hash is corrupted");
	assert_int_equal(read_block(dev, 1, buf), DMB_EIO);
	assert_int_equal(test_port_log_count(), 1);
	dmb_dev_destroy(dev);
	world_free(w);
}

static void test_corrupt_log_limit(void **state)
{
	struct world *w = world_make();
	struct dmb_dev *dev = open_verity(w, &w->ctx, "data", false);
	uint8_t buf[BS];
	char want[128];

	(void)state;
	for (unsigned b = 0; b < 120; b++)
		w->data_mem[b * BS + 9] ^= 0x80;
	for (unsigned pass = 0; pass < 2; pass++)
		for (unsigned b = 0; b < 120; b++)
			assert_int_equal(read_block(dev, b, buf), DMB_EIO);
	assert_int_equal(test_port_log_count(), 101);
	for (unsigned b = 0; b < 100; b++) {
		snprintf(want, sizeof(want), "verity: data block %u of data is corrupted", b);
		assert_log(b, DMB_LOG_ERR, want);
	}
	assert_log(100, DMB_LOG_ERR, "verity: data: reached maximum errors");
	/* The context still names every failing block. */
	assert_string_equal(dmb_ctx_message(&w->ctx), "verity: data block 119 of data is corrupted");
	dmb_dev_destroy(dev);
	world_free(w);
}

static void test_quiet_io_logs_nothing_returned(void **state)
{
	struct world *w = world_make();
	struct dmb_dev *dev;
	uint8_t buf[BS];

	(void)state;
	w->ctx.flags = DMB_CTX_QUIET_IO;
	dev = open_verity(w, &w->ctx, "data", false);
	w->data_mem[5 * BS] ^= 1;
	assert_int_equal(read_block(dev, 5, buf), DMB_EIO);
	assert_string_equal(dmb_ctx_message(&w->ctx), "verity: data block 5 of data is corrupted");
	assert_int_equal(test_port_log_count(), 0);
	dmb_dev_destroy(dev);

	/* ignore_corruption returns the data: its line is logged all the same. */
	w->p.opts = (struct dmb_verity_opts){ .corruption = DMB_VERITY_CORRUPTION_IGNORE };
	{
		char line[1024];

		assert_true(dmb_verity_table_line(&w->ctx, &w->p, "data", "hash", w->root_hex, line,
						  sizeof(line)) > 0);
		dev = create(&w->ctx, line);
	}
	assert_int_equal(read_block(dev, 5, buf), 0);
	assert_int_equal(test_port_log_count(), 1);
	assert_log(0, DMB_LOG_ERR, "verity: data block 5 of data is corrupted (ignored)");
	dmb_dev_destroy(dev);
	world_free(w);
}

/* --- FEC ------------------------------------------------------------------ */

static void test_fec_corrected_is_a_warning(void **state)
{
	struct world *w = world_make();
	struct dmb_dev *dev;
	uint8_t buf[BS];

	(void)state;
	w->ctx.log_level = DMB_LOG_WARN;
	dev = open_verity(w, &w->ctx, "data", true);
	/* Three bytes in three columns: three symbols corrected. */
	w->data_mem[7 * BS + 1] ^= 0x11;
	w->data_mem[7 * BS + 2000] ^= 0x22;
	w->data_mem[7 * BS + 4095] ^= 0x33;
	assert_int_equal(read_block(dev, 7, buf), 0);
	assert_memory_equal(buf, w->data0 + 7 * BS, BS);
	assert_int_equal(test_port_log_count(), 1);
	assert_log(0, DMB_LOG_WARN, "verity: FEC: corrected 3 errors in data block 7 of data");
	assert_int_equal(read_block(dev, 7, buf), 0);
	assert_int_equal(test_port_log_count(), 1);
	dmb_dev_destroy(dev);

	/* At the default level the warning is not shown, and uses none of the limit. */
	w->ctx.log_level = 0;
	dev = open_verity(w, &w->ctx, "data", true);
	assert_int_equal(read_block(dev, 7, buf), 0);
	assert_int_equal(test_port_log_count(), 1);
	dmb_dev_destroy(dev);
	world_free(w);
}

static void test_fec_failure_then_corruption(void **state)
{
	struct world *w = world_make();
	struct dmb_dev *dev = open_verity(w, &w->ctx, "data", true);
	uint8_t buf[BS];

	(void)state;
	/* A whole block of garbage in every column: beyond 4 roots without erasures. */
	memset(w->data_mem + 11 * BS, 0xa5, BS);
	assert_int_equal(read_block(dev, 11, buf), 0);
	assert_memory_equal(buf, w->data0 + 11 * BS, BS);
	/* Five blocks of one codeword group: no correction. */
	uint64_t rounds = (w->fec_blocks + 250) / 251;

	for (unsigned i = 0; i < 5; i++)
		memset(w->data_mem + (20 + i * rounds) * BS, 0x5a, 64);
	test_port_log_clear();
	assert_int_equal(read_block(dev, 20, buf), DMB_EIO);
	assert_int_equal(test_port_log_count(), 2);
	{
		const char *fec_line = test_port_log_line(0, NULL);
		const char *prefix = "verity: FEC: cannot correct data block 20 of data: ";

		assert_int_equal(strncmp(fec_line, prefix, strlen(prefix)), 0);
	}
	assert_log(1, DMB_LOG_ERR, "verity: data block 20 of data is corrupted");
	dmb_dev_destroy(dev);
	world_free(w);
}

/* --- lower I/O errors ----------------------------------------------------- */

static void test_lower_error_once_through_a_stack(void **state)
{
	struct world *w = world_make();
	struct dmb_dev *lin, *dev;
	char line[128];
	uint8_t buf[BS];
	const char *want = "linear: disk: read error at sector 80: "
			   "fault: read of block 80 (8 blocks) failed: injected I/O error";

	(void)state;
	snprintf(line, sizeof(line), "0 %u linear disk 0", NBLOCKS * (BS / 512));
	lin = create(&w->ctx, line);
	w->lin = dmb_dev_bdev(lin);
	dev = open_verity(w, &w->ctx, "lin", false);
	w->disk.fail_read_at = 1;
	/* A stale message must not be taken for the device's. */
	dmb_ctx_set_error(&w->ctx, DMB_EINVAL, "stale");
	assert_int_equal(read_block(dev, 10, buf), DMB_EIO);
	assert_string_equal(dmb_ctx_message(&w->ctx), want);
	assert_int_equal(test_port_log_count(), 1);
	assert_log(0, DMB_LOG_ERR, want);
	dmb_dev_destroy(dev);
	dmb_dev_destroy(lin);
	world_free(w);
}

static void test_lower_error_two_contexts(void **state)
{
	struct world *w = world_make();
	struct dmb_ctx upper = { .crypto = &w->pc.crypto, .resolver = &w->res };
	struct dmb_dev *lin, *dev;
	char line[128];
	uint8_t buf[BS];

	(void)state;
	snprintf(line, sizeof(line), "0 %u linear disk 0", NBLOCKS * (BS / 512));
	lin = create(&w->ctx, line);
	w->lin = dmb_dev_bdev(lin);
	dev = open_verity(w, &upper, "lin", false);
	w->disk.fail_read_at = 1;
	assert_int_equal(read_block(dev, 0, buf), DMB_EIO);
	/* Said once, by the layer that knows "disk"; the upper context gets the line. */
	assert_int_equal(test_port_log_count(), 1);
	assert_string_equal(dmb_ctx_message(&upper), test_port_log_line(0, NULL));
	assert_string_equal(dmb_ctx_message(&upper), dmb_ctx_message(&w->ctx));
	dmb_dev_destroy(dev);
	dmb_dev_destroy(lin);
	world_free(w);
}

/* A device whose read fails and says nothing. */
static int mute_read(struct dmb_bdev *bd, uint64_t block, size_t count, void *buf)
{
	(void)bd;
	(void)block;
	(void)count;
	(void)buf;
	return DMB_EIO;
}

static const struct dmb_bdev_ops mute_ops = { .read = mute_read };

static void test_lower_error_without_message_and_limit(void **state)
{
	struct world *w = world_make();
	struct dmb_dev *lin;
	char line[128], want[128];
	uint8_t buf[512];

	(void)state;
	/* "disk" is the fault device's slot; make it a mute one. */
	w->disk.bdev.ops = &mute_ops;
	snprintf(line, sizeof(line), "0 64 linear disk 0");
	lin = create(&w->ctx, line);
	for (unsigned i = 0; i < 110; i++)
		assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(lin), i % 64, 1, buf), DMB_EIO);
	assert_string_equal(dmb_ctx_message(&w->ctx), "linear: disk: read error at sector 45: I/O error");
	assert_int_equal(test_port_log_count(), 101);
	snprintf(want, sizeof(want), "linear: disk: read error at sector %u: I/O error", 99 % 64);
	assert_log(99, DMB_LOG_ERR, want);
	assert_log(100, DMB_LOG_ERR, "linear: disk: reached maximum errors");
	dmb_dev_destroy(lin);
	world_free(w);
}

/* --- the bdev message path ------------------------------------------------- */

static void test_bdev_message_reaches_ctx(void **state)
{
	struct world *w = world_make();
	struct dmb_ctx ctx = { 0 };
	uint8_t buf[100];

	(void)state;
	w->disk.bdev.ctx = &ctx;
	w->disk.fail_read_at = 2;
	assert_int_equal(dmb_bdev_read_bytes(&w->disk.bdev, 0, sizeof(buf), buf), 0);
	assert_int_equal(dmb_bdev_read_bytes(&w->disk.bdev, 1000, sizeof(buf), buf), DMB_EIO);
	assert_int_equal(ctx.err, DMB_EIO);
	assert_string_equal(dmb_ctx_message(&ctx),
			    "fault: read of block 1 (1 blocks) failed: injected I/O error");
	/* The library does not log what no mapped device read. */
	assert_int_equal(test_port_log_count(), 0);
	/* Without a context the op still fails, with the code alone. */
	w->disk.bdev.ctx = NULL;
	dmb_ctx_clear(&ctx);
	assert_int_equal(dmb_bdev_read_bytes(&w->disk.bdev, 0, sizeof(buf), buf), DMB_EIO);
	assert_string_equal(dmb_ctx_message(&ctx), "");
	world_free(w);
}

static void test_file_bdev_message(void **state)
{
	char path[] = "/tmp/dmb_errors_XXXXXX";
	struct dmb_ctx ctx = { 0 };
	struct dmb_bdev *bd;
	uint8_t buf[512];
	int fd = mkstemp(path);
	char want[256];

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 4096), 0);
	close(fd);
	assert_int_equal(dmb_posix_open(&ctx, path, 0, &bd), 0);
	assert_ptr_equal(bd->ctx, &ctx);
	/* Shrink the file under the device: the read meets the end of the file. */
	assert_int_equal(truncate(path, 1024), 0);
	assert_int_equal(dmb_bdev_read_sectors(bd, 5, 1, buf), DMB_EIO);
	snprintf(want, sizeof(want),
		 "%s: read of block 5 (byte 2560) failed: unexpected end of file", path);
	assert_string_equal(dmb_ctx_message(&ctx), want);
	dmb_posix_close(bd);
	unlink(path);
}

/* --- the allocator's alignment --------------------------------------------- */

static void test_port_blocks_are_8_not_16_aligned(void **state)
{
	void *p[64];

	(void)state;
	for (size_t i = 0; i < 64; i++) {
		p[i] = dmb_port_malloc(1 + i * 37);
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] % 8, 0);
		if (test_port_align16())
			assert_int_equal((uintptr_t)p[i] % 16, 0);
		else
			assert_int_equal((uintptr_t)p[i] % 16, 8);
	}
	for (size_t i = 0; i < 64; i++)
		dmb_port_free(p[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corrupt_block_logged_once),
		cmocka_unit_test(test_corrupt_hash_block_logged),
		cmocka_unit_test(test_corrupt_log_limit),
		cmocka_unit_test(test_quiet_io_logs_nothing_returned),
		cmocka_unit_test(test_fec_corrected_is_a_warning),
		cmocka_unit_test(test_fec_failure_then_corruption),
		cmocka_unit_test(test_lower_error_once_through_a_stack),
		cmocka_unit_test(test_lower_error_two_contexts),
		cmocka_unit_test(test_lower_error_without_message_and_limit),
		cmocka_unit_test(test_bdev_message_reaches_ctx),
		cmocka_unit_test(test_file_bdev_message),
		cmocka_unit_test(test_port_blocks_are_8_not_16_aligned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
