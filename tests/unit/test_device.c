// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Mapped devices (formats.md §1.2-1.5, §1.9): I/O split across linear,
 * striped, zero and error targets checked against an independent model of
 * where every sector lives; reads split every possible way; random writes;
 * 4 KiB-block lower devices (bounce buffers); stacking; read-only devices;
 * and the text dmb_dev_format() prints.
 */
#include "helpers.h"

static struct tres res;
static struct dmb_ctx ctx;
static long baseline;

/* d0..d3: 512-byte blocks; k4: 4096-byte blocks.  128 sectors each. */
#define DEV_SECTORS 128u
enum { D0, D1, D2, D3, K4 };

static int setup(void **state)
{
	struct rng rng;

	(void)state;
	rng_seed(&rng, 0xdef1ce);
	tres_init(&res);
	tres_add(&res, "d0", DEV_SECTORS * SECTOR, 9, &rng);
	tres_add(&res, "d1", DEV_SECTORS * SECTOR, 9, &rng);
	tres_add(&res, "d2", DEV_SECTORS * SECTOR, 9, &rng);
	tres_add(&res, "d3", DEV_SECTORS * SECTOR, 9, &rng);
	tres_add(&res, "k4", DEV_SECTORS * SECTOR, 12, &rng);
	memset(&ctx, 0, sizeof(ctx));
	ctx.resolver = &res.r;
	baseline = test_port_live_allocs();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(test_port_live_allocs(), baseline);
	tres_free(&res);
	return 0;
}

static struct dmb_dev *create_ok(const char *text, unsigned flags)
{
	struct dmb_dev *dev;
	int r = create_from_text(&ctx, text, flags, &dev);

	if (r)
		fail_msg("create failed: %d %s\n%s", r, ctx.msg, text);
	return dev;
}

static struct dmb_dev *create_layout(const struct layout *l, unsigned flags)
{
	char text[4096];

	layout_text(l, &res, NULL, text, sizeof(text));
	return create_ok(text, flags);
}

/*
 * linear, striped over 3 stripes with 3-sector chunks, zero, striped over a
 * 4 KiB-block device, linear on the 4 KiB-block device at unaligned offsets.
 * Four distinct lower devices (see test_many_lower_devices for more).
 */
static const struct layout mixed = {
	.n = 5,
	.t = {
		{ .type = T_LINEAR, .len = 10, .dev = { D0 }, .off = { 3 } },
		{ .type = T_STRIPED, .len = 18, .stripes = 3, .chunk = 3, .dev = { D1, D2, D1 },
		  .off = { 1, 5, 40 } },
		{ .type = T_ZERO, .len = 5 },
		{ .type = T_STRIPED, .len = 12, .stripes = 2, .chunk = 2, .dev = { K4, D0 },
		  .off = { 1, 50 } },
		{ .type = T_LINEAR, .len = 7, .dev = { K4 }, .off = { 9 } },
	},
};

/* --- reads ----------------------------------------------------------------- */

static void test_mixed_matches_model(void **state)
{
	struct dmb_dev *dev = create_layout(&mixed, 0);
	uint64_t n = layout_sectors(&mixed);
	struct smap *m = layout_map(&mixed);
	uint8_t *got = malloc(n * SECTOR), *want = malloc(n * SECTOR);

	(void)state;
	assert_int_equal(dmb_dev_sectors(dev), n);
	assert_int_equal(dmb_dev_bdev(dev)->block_shift, 9);
	assert_int_equal(dmb_dev_target_count(dev), 5);
	assert_int_equal(model_read(m, &res, 0, n, want), 0);
	assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(dev), 0, n, got), 0);
	assert_memory_equal(got, want, n * SECTOR);
	free(got);
	free(want);
	free(m);
	dmb_dev_destroy(dev);
}

/* Every (offset, length) sector pair reads what one big read returns. */
static void test_every_sector_split(void **state)
{
	struct dmb_dev *dev = create_layout(&mixed, 0);
	struct dmb_bdev *bd = dmb_dev_bdev(dev);
	uint64_t n = layout_sectors(&mixed);
	uint8_t *whole = malloc(n * SECTOR), *part = malloc(n * SECTOR);

	(void)state;
	assert_int_equal(dmb_bdev_read_sectors(bd, 0, n, whole), 0);
	for (uint64_t off = 0; off < n; off++) {
		for (uint64_t len = 1; off + len <= n; len++) {
			memset(part, 0xa5, len * SECTOR);
			assert_int_equal(dmb_bdev_read_sectors(bd, off, len, part), 0);
			if (memcmp(part, whole + off * SECTOR, len * SECTOR) != 0)
				fail_msg("read of sectors [%llu, +%llu) differs",
					 (unsigned long long)off, (unsigned long long)len);
		}
	}
	/* Zero-length reads are fine anywhere up to the end, nothing past it. */
	assert_int_equal(dmb_bdev_read_sectors(bd, n, 0, part), 0);
	assert_int_equal(dmb_bdev_read_sectors(bd, n, 1, part), DMB_ERANGE);
	assert_int_equal(dmb_bdev_read_sectors(bd, n - 1, 2, part), DMB_ERANGE);
	assert_int_equal(dmb_bdev_read_sectors(bd, UINT64_MAX, 2, part), DMB_ERANGE);
	free(whole);
	free(part);
	dmb_dev_destroy(dev);
}

/* Byte-granular reads: every pair inside windows that cross target edges. */
static void test_every_byte_split(void **state)
{
	struct dmb_dev *dev = create_layout(&mixed, 0);
	struct dmb_bdev *bd = dmb_dev_bdev(dev);
	uint64_t n = layout_sectors(&mixed), bytes = n * SECTOR;
	uint8_t *whole = malloc(bytes), *part = malloc(bytes);
	/* Windows around sector 10 (linear/striped), 33 (zero/striped on k4)
	 * and 45 (striped/linear on k4). */
	static const uint64_t centres[] = { 10 * SECTOR, 33 * SECTOR, 45 * SECTOR + 1 };
	const uint64_t half = 90;
	struct rng rng;

	(void)state;
	rng_seed(&rng, 42);
	assert_int_equal(dmb_bdev_read_bytes(bd, 0, bytes, whole), 0);
	for (size_t c = 0; c < ARRAY_SIZE(centres); c++) {
		uint64_t lo = centres[c] - half, hi = centres[c] + half;

		for (uint64_t off = lo; off <= hi; off++) {
			for (uint64_t end = off; end <= hi; end++) {
				size_t len = (size_t)(end - off);

				assert_int_equal(dmb_bdev_read_bytes(bd, off, len, part), 0);
				if (memcmp(part, whole + off, len) != 0)
					fail_msg("bytes [%llu, +%zu) differ", (unsigned long long)off,
						 len);
			}
		}
	}
	for (int i = 0; i < 3000; i++) {
		uint64_t off = rng_below(&rng, bytes + 1);
		size_t len = (size_t)rng_below(&rng, bytes - off + 1);

		assert_int_equal(dmb_bdev_read_bytes(bd, off, len, part), 0);
		if (len)
			assert_memory_equal(part, whole + off, len);
	}
	assert_int_equal(dmb_bdev_read_bytes(bd, bytes, 0, part), 0);
	assert_int_equal(dmb_bdev_read_bytes(bd, bytes - 1, 2, part), DMB_ERANGE);
	assert_int_equal(dmb_bdev_read_bytes(bd, UINT64_MAX, 2, part), DMB_ERANGE);
	free(whole);
	free(part);
	dmb_dev_destroy(dev);
}

/*
 * Striping against an interleave built chunk by chunk: walk the stripes
 * round-robin, copying chunk after chunk from each stripe's memory.
 */
static void check_interleave(unsigned stripes, unsigned chunk, unsigned rows, const uint64_t *offs)
{
	static const char *const names[] = { "d0", "d1", "d2", "d3" };
	uint64_t len = (uint64_t)stripes * chunk * rows;
	uint8_t *want = malloc(len * SECTOR), *got = malloc(len * SECTOR), *p = want;
	char text[256];
	size_t at;
	struct dmb_dev *dev;

	at = (size_t)sprintf(text, "0 %llu striped %u %u", (unsigned long long)len, stripes, chunk);
	for (unsigned k = 0; k < stripes; k++)
		at += (size_t)sprintf(text + at, " %s %llu", names[k], (unsigned long long)offs[k]);
	dev = create_ok(text, 0);

	for (unsigned row = 0; row < rows; row++) {
		for (unsigned k = 0; k < stripes; k++) {
			const uint8_t *src = res.dev[k].mem + (offs[k] + (uint64_t)row * chunk) * SECTOR;

			memcpy(p, src, (size_t)chunk * SECTOR);
			p += (size_t)chunk * SECTOR;
		}
	}
	assert_int_equal(dmb_dev_sectors(dev), len);
	assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(dev), 0, len, got), 0);
	if (memcmp(got, want, len * SECTOR) != 0)
		fail_msg("interleave differs for %s", text);
	/* And sector by sector. */
	for (uint64_t s = 0; s < len; s++) {
		assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(dev), s, 1, got), 0);
		assert_memory_equal(got, want + s * SECTOR, SECTOR);
	}
	dmb_dev_destroy(dev);
	free(want);
	free(got);
}

static void test_striped_interleave(void **state)
{
	static const uint64_t offs[] = { 0, 7, 13, 2 };
	static const uint64_t zero[] = { 0, 0, 0, 0 };

	(void)state;
	check_interleave(3, 3, 4, zero);
	check_interleave(3, 3, 4, offs);
	check_interleave(3, 5, 2, offs);
	check_interleave(2, 4, 5, offs);
	check_interleave(4, 1, 9, offs);
	check_interleave(1, 7, 3, offs);
	check_interleave(4, 8, 3, zero);
	check_interleave(3, 32, 1, offs);
}

/*
 * Reads over many chunks go out as one vectored read per stripe (in
 * batches): every window of a long striped device reads what the
 * interleave says, over lower devices with a readv op (RAM) and without
 * one (the fault wrapper), so both the scatter and the fallback path run.
 */
static void test_striped_vectored(void **state)
{
	static const uint64_t offs[] = { 3, 0, 11 };
	const unsigned stripes = 3, chunk = 1, rows = 100;
	const uint64_t len = (uint64_t)stripes * chunk * rows;
	uint8_t *want = malloc(len * SECTOR), *got = malloc(len * SECTOR);
	struct dmb_fault_bdev fb[3];
	struct rng rng;

	(void)state;
	rng_seed(&rng, 77);
	for (uint64_t s = 0; s < len; s++) {
		uint64_t c = s / chunk, k = c % stripes;
		const uint8_t *src = res.dev[k].mem +
				     (offs[k] + (c / stripes) * chunk + s % chunk) * SECTOR;

		memcpy(want + s * SECTOR, src, SECTOR);
	}
	for (int wrapped = 0; wrapped < 2; wrapped++) {
		char text[256];
		struct dmb_dev *dev;

		for (unsigned k = 0; k < stripes; k++) {
			dmb_fault_bdev_init(&fb[k], &res.dev[k].rb.bdev);
			res.dev[k].bdev = wrapped ? &fb[k].bdev : &res.dev[k].rb.bdev;
		}
		assert_true(wrapped ? res.dev[0].bdev->ops->readv == NULL :
				      res.dev[0].bdev->ops->readv != NULL);
		snprintf(text, sizeof(text), "0 %llu striped 3 1 d0 3 d1 0 d2 11",
			 (unsigned long long)len);
		dev = create_ok(text, 0);
		assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(dev), 0, len, got), 0);
		assert_memory_equal(got, want, len * SECTOR);
		for (int i = 0; i < 2000; i++) {
			uint64_t off = rng_below(&rng, len), n = 1 + rng_below(&rng, len - off);

			memset(got, 0x5a, n * SECTOR);
			assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(dev), off, n, got), 0);
			if (memcmp(got, want + off * SECTOR, n * SECTOR) != 0)
				fail_msg("%s lower devices: sectors [%llu, +%llu) differ",
					 wrapped ? "plain" : "vectored", (unsigned long long)off,
					 (unsigned long long)n);
		}
		dmb_dev_destroy(dev);
	}
	for (unsigned k = 0; k < stripes; k++)
		res.dev[k].bdev = &res.dev[k].rb.bdev;
	free(want);
	free(got);
}

/* --- writes ---------------------------------------------------------------- */

/* Apply a byte write to the model: lower memories through the sector map. */
static void model_write(const struct smap *m, uint8_t **mem, uint64_t off, size_t len,
			const uint8_t *data)
{
	for (size_t i = 0; i < len; i++) {
		uint64_t b = off + i;
		const struct smap *e = &m[b / SECTOR];

		if (e->dev >= 0)
			mem[e->dev][e->sector * SECTOR + b % SECTOR] = data[i];
	}
}

static void model_bytes(const struct smap *m, uint8_t **mem, uint64_t off, size_t len,
			uint8_t *out)
{
	for (size_t i = 0; i < len; i++) {
		uint64_t b = off + i;
		const struct smap *e = &m[b / SECTOR];

		out[i] = e->dev >= 0 ? mem[e->dev][e->sector * SECTOR + b % SECTOR] : 0;
	}
}

static void test_random_writes(void **state)
{
	struct dmb_dev *dev = create_layout(&mixed, 0);
	struct dmb_bdev *bd = dmb_dev_bdev(dev);
	uint64_t bytes = layout_sectors(&mixed) * SECTOR;
	struct smap *m = layout_map(&mixed);
	uint8_t *mem[TDEV_MAX] = { NULL };
	uint8_t *data = malloc(bytes), *got = malloc(bytes), *want = malloc(bytes);
	struct rng rng;

	(void)state;
	rng_seed(&rng, 0x5eed);
	for (size_t i = 0; i < res.n; i++) {
		mem[i] = malloc(res.dev[i].bytes);
		memcpy(mem[i], res.dev[i].mem, res.dev[i].bytes);
	}
	for (int op = 0; op < 1500; op++) {
		uint64_t off = rng_below(&rng, bytes);
		size_t len = (size_t)rng_below(&rng, MIN(bytes - off, 3 * SECTOR) + 1);

		if (rng_below(&rng, 4) == 0) {
			/* Sector-aligned write. */
			uint64_t s = off / SECTOR;
			size_t cnt = (size_t)MIN(len / SECTOR + 1, bytes / SECTOR - s);

			rng_fill(&rng, data, cnt * SECTOR);
			assert_int_equal(dmb_bdev_write_sectors(bd, s, cnt, data), 0);
			model_write(m, mem, s * SECTOR, cnt * SECTOR, data);
		} else {
			rng_fill(&rng, data, len);
			assert_int_equal(dmb_bdev_write_bytes(bd, off, len, data), 0);
			model_write(m, mem, off, len, data);
		}
		off = rng_below(&rng, bytes);
		len = (size_t)rng_below(&rng, bytes - off + 1);
		assert_int_equal(dmb_bdev_read_bytes(bd, off, len, got), 0);
		model_bytes(m, mem, off, len, want);
		if (memcmp(got, want, len) != 0)
			fail_msg("op %d: read of [%llu, +%zu) differs from the model", op,
				 (unsigned long long)off, len);
	}
	/* The whole device, and every byte of every lower device. */
	assert_int_equal(dmb_bdev_read_bytes(bd, 0, bytes, got), 0);
	model_bytes(m, mem, 0, bytes, want);
	assert_memory_equal(got, want, bytes);
	for (size_t i = 0; i < res.n; i++) {
		if (memcmp(mem[i], res.dev[i].mem, res.dev[i].bytes) != 0)
			fail_msg("lower device %s differs from the model", res.dev[i].name);
		free(mem[i]);
	}
	assert_int_equal(dmb_bdev_flush(bd), 0);
	assert_int_equal(dmb_bdev_write_bytes(bd, bytes - 1, 2, data), DMB_ERANGE);
	assert_int_equal(dmb_bdev_write_sectors(bd, bytes / SECTOR, 1, data), DMB_ERANGE);
	free(m);
	free(data);
	free(got);
	free(want);
	dmb_dev_destroy(dev);
}

/* Lower devices with 4 KiB blocks: sector I/O at unaligned offsets. */
static void test_4k_lower(void **state)
{
	struct dmb_dev *dev = create_ok("0 20 linear k4 3\n20 16 linear k4 64\n", 0);
	struct dmb_bdev *bd = dmb_dev_bdev(dev);
	uint8_t *k4 = res.dev[K4].mem, buf[20 * SECTOR], data[5 * SECTOR], before[DEV_SECTORS * SECTOR];
	struct rng rng;

	(void)state;
	rng_seed(&rng, 4096);
	assert_int_equal(res.dev[K4].bdev->block_shift, 12);
	assert_int_equal(dmb_bdev_sectors(res.dev[K4].bdev), DEV_SECTORS);
	for (uint64_t s = 0; s < 20; s++) {
		for (uint64_t c = 1; s + c <= 20; c++) {
			assert_int_equal(dmb_bdev_read_sectors(bd, s, c, buf), 0);
			assert_memory_equal(buf, k4 + (3 + s) * SECTOR, c * SECTOR);
		}
	}
	assert_int_equal(dmb_bdev_read_sectors(bd, 20, 16, buf), 0);
	assert_memory_equal(buf, k4 + 64 * SECTOR, 16 * SECTOR);

	/* Writes: read-modify-write of the 4 KiB blocks keeps the neighbours. */
	for (int i = 0; i < 200; i++) {
		uint64_t s = rng_below(&rng, 36);
		size_t c = (size_t)rng_range(&rng, 1, MIN(5, 36 - s));
		uint64_t lower = s < 20 ? 3 + s : 64 + (s - 20);

		if (s < 20 && s + c > 20)
			c = (size_t)(20 - s);
		memcpy(before, k4, sizeof(before));
		rng_fill(&rng, data, c * SECTOR);
		assert_int_equal(dmb_bdev_write_sectors(bd, s, c, data), 0);
		memcpy(before + lower * SECTOR, data, c * SECTOR);
		assert_memory_equal(k4, before, sizeof(before));
	}
	dmb_dev_destroy(dev);

	/* The RAM device itself: sector helpers over 4 KiB blocks. */
	assert_int_equal(dmb_bdev_read_sectors(res.dev[K4].bdev, 127, 1, buf), 0);
	assert_memory_equal(buf, k4 + 127 * SECTOR, SECTOR);
	assert_int_equal(dmb_bdev_read_sectors(res.dev[K4].bdev, 127, 2, buf), DMB_ERANGE);
	assert_int_equal(dmb_bdev_bytes(res.dev[K4].bdev), DEV_SECTORS * SECTOR);
}

/* --- stacking -------------------------------------------------------------- */

static void test_stacked(void **state)
{
	struct dmb_dev *inner = create_ok("0 64 striped 2 4 d1 0 d2 8\n64 16 linear k4 5\n", 0);
	const uint64_t n_inner = 80, n_outer = 56;
	uint8_t *img_inner = malloc(n_inner * SECTOR), *got = malloc(n_outer * SECTOR);
	uint8_t *want = malloc(n_outer * SECTOR), data[3 * SECTOR];
	struct tdev *t;
	struct dmb_dev *outer;
	struct rng rng;

	(void)state;
	rng_seed(&rng, 77);
	/* The inner device as the outer table's "inner" lower device. */
	assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(inner), 0, n_inner, img_inner), 0);
	t = &res.dev[res.n++];
	memset(t, 0, sizeof(*t));
	t->name = "inner";
	t->bdev = dmb_dev_bdev(inner);
	t->bytes = n_inner * SECTOR;

	outer = create_ok("0 16 linear inner 8\n16 8 zero\n24 32 striped 2 8 inner 40 d0 4\n", 0);
	assert_int_equal(dmb_dev_sectors(outer), n_outer);
	/* Expected, from the inner image: */
	memcpy(want, img_inner + 8 * SECTOR, 16 * SECTOR);
	memset(want + 16 * SECTOR, 0, 8 * SECTOR);
	memcpy(want + 24 * SECTOR, img_inner + 40 * SECTOR, 8 * SECTOR);
	memcpy(want + 32 * SECTOR, res.dev[D0].mem + 4 * SECTOR, 8 * SECTOR);
	memcpy(want + 40 * SECTOR, img_inner + 48 * SECTOR, 8 * SECTOR);
	memcpy(want + 48 * SECTOR, res.dev[D0].mem + 12 * SECTOR, 8 * SECTOR);
	assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(outer), 0, n_outer, got), 0);
	assert_memory_equal(got, want, n_outer * SECTOR);

	/* Unaligned writes through both layers land where both tables say. */
	for (int i = 0; i < 100; i++) {
		uint64_t off = rng_below(&rng, n_outer * SECTOR - sizeof(data));
		size_t len = (size_t)rng_range(&rng, 1, sizeof(data));

		rng_fill(&rng, data, len);
		assert_int_equal(dmb_bdev_write_bytes(dmb_dev_bdev(outer), off, len, data), 0);
		for (size_t k = 0; k < len; k++)
			if (off + k < 16 * SECTOR || off + k >= 24 * SECTOR)
				want[off + k] = data[k];
	}
	assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(outer), 0, n_outer, got), 0);
	assert_memory_equal(got, want, n_outer * SECTOR);
	/* Check the bottom layer directly: inner sector 8 is outer sector 0. */
	assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(inner), 8, 16, got), 0);
	assert_memory_equal(got, want, 16 * SECTOR);
	/* Inner sectors 8..11 are chunk 2 = stripe 0, row 1: d1 sectors 4..7. */
	assert_memory_equal(res.dev[D1].mem + 4 * SECTOR, want, 4 * SECTOR);
	/* Inner 12..15: chunk 3 = stripe 1, row 1: d2 sectors 8 + 4 .. 15. */
	assert_memory_equal(res.dev[D2].mem + 12 * SECTOR, want + 4 * SECTOR, 4 * SECTOR);
	assert_memory_equal(res.dev[D0].mem + 4 * SECTOR, want + 32 * SECTOR, 8 * SECTOR);

	dmb_dev_destroy(outer);
	assert_int_equal(t->opens, 1);
	assert_int_equal(t->closes, 1);
	dmb_dev_destroy(inner);
	res.n--;
	free(img_inner);
	free(got);
	free(want);
}

/* --- read-only and error --------------------------------------------------- */

static void test_read_only(void **state)
{
	const char *text = "0 8 linear d0 0\n8 8 striped 2 4 d1 0 k4 0\n16 8 zero\n";
	struct dmb_dev *dev;
	uint8_t data[2 * SECTOR], got[2 * SECTOR], *copy = malloc(DEV_SECTORS * SECTOR);

	(void)state;
	memcpy(copy, res.dev[D0].mem, DEV_SECTORS * SECTOR);
	dev = create_ok(text, DMB_DEV_READONLY);
	assert_int_equal(dmb_dev_flags(dev), DMB_DEV_READONLY);
	for (int i = D0; i <= D1; i++)
		assert_int_equal(res.dev[i].last_flags, 0);
	assert_int_equal(res.dev[K4].last_flags, 0);
	memset(data, 0x5a, sizeof(data));
	assert_int_equal(dmb_bdev_write_bytes(dmb_dev_bdev(dev), 3, 10, data), DMB_EACCES);
	assert_int_equal(dmb_bdev_write_sectors(dmb_dev_bdev(dev), 0, 1, data), DMB_EACCES);
	assert_int_equal(dmb_bdev_write_sectors(dmb_dev_bdev(dev), 16, 2, data), DMB_EACCES);
	assert_memory_equal(res.dev[D0].mem, copy, DEV_SECTORS * SECTOR);
	assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(dev), 0, 2, got), 0);
	assert_memory_equal(got, copy, sizeof(got));
	dmb_dev_destroy(dev);

	/* A writable mapping over a lower device without a write op. */
	{
		struct tdev *ro = tres_add(&res, "ro", 16 * SECTOR, 9, NULL);

		dmb_ram_bdev_init(&ro->rb, ro->mem, ro->bytes, 9, false);
		dev = create_ok("0 8 zero\n8 16 linear ro 0\n", 0);
		assert_int_equal(dmb_bdev_write_sectors(dmb_dev_bdev(dev), 0, 2, data), 0);
		assert_int_equal(dmb_bdev_write_sectors(dmb_dev_bdev(dev), 9, 1, data), DMB_EACCES);
		assert_int_equal(dmb_bdev_write_bytes(dmb_dev_bdev(dev), 8 * SECTOR + 1, 2, data),
				 DMB_EACCES);
		assert_int_equal(ro->mem[SECTOR + 1], 0);
		dmb_dev_destroy(dev);
	}

	/* Writable: lowers are opened for writing. */
	dev = create_ok(text, 0);
	assert_int_equal(dmb_dev_flags(dev), 0);
	assert_int_equal(res.dev[D0].last_flags, DMB_OPEN_WRITE);
	assert_int_equal(res.dev[K4].last_flags, DMB_OPEN_WRITE);
	assert_int_equal(dmb_bdev_write_sectors(dmb_dev_bdev(dev), 0, 1, data), 0);
	assert_memory_equal(res.dev[D0].mem, data, SECTOR);
	dmb_dev_destroy(dev);
	free(copy);
}

static void test_error_target(void **state)
{
	struct dmb_dev *dev = create_ok("0 8 linear d0 0\n8 8 error\n16 8 zero\n24 8 error d3 100\n", 0);
	struct dmb_bdev *bd = dmb_dev_bdev(dev);
	uint8_t buf[8 * SECTOR];
	char *text;

	(void)state;
	assert_int_equal(dmb_bdev_read_sectors(bd, 6, 4, buf), DMB_EIO);
	assert_string_equal(ctx.msg, "error target: I/O error at sector 8");
	assert_int_equal(dmb_bdev_read_sectors(bd, 13, 2, buf), DMB_EIO);
	assert_string_equal(ctx.msg, "error target: I/O error at sector 13");
	assert_int_equal(dmb_bdev_read_bytes(bd, 15 * SECTOR + 511, 1, buf), DMB_EIO);
	assert_string_equal(ctx.msg, "error target: I/O error at sector 15");
	assert_int_equal(dmb_bdev_write_sectors(bd, 10, 1, buf), DMB_EIO);
	assert_string_equal(ctx.msg, "error target: I/O error at sector 10");
	assert_int_equal(dmb_bdev_read_sectors(bd, 30, 2, buf), DMB_EIO);
	assert_string_equal(ctx.msg, "error target: I/O error at sector 30");
	/* The targets around it still work. */
	assert_int_equal(dmb_bdev_read_sectors(bd, 0, 8, buf), 0);
	assert_memory_equal(buf, res.dev[D0].mem, 8 * SECTOR);
	memset(buf, 1, sizeof(buf));
	assert_int_equal(dmb_bdev_read_sectors(bd, 16, 8, buf), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0);
	/* "<dev> <offset>" opens the device but is not printed (no status). */
	assert_int_equal(dmb_dev_lower_count(dev), 2);
	assert_string_equal(dmb_dev_lower_name(dev, 1), "d3");
	text = format_dev(dev, DMB_FMT_TABLE, 0);
	assert_string_equal(text, "0 8 linear d0 0\n8 8 error \n16 8 zero \n24 8 error \n");
	free(text);
	dmb_dev_destroy(dev);
}

/* Writes to the zero target are dropped and read back as zeros. */
static void test_zero_target(void **state)
{
	struct dmb_dev *dev = create_ok("0 18446744073709551615 zero", 0);
	struct dmb_bdev *bd = dmb_dev_bdev(dev);
	uint8_t buf[3 * SECTOR];

	(void)state;
	assert_int_equal(dmb_dev_sectors(dev), UINT64_MAX);
	assert_int_equal(dmb_bdev_bytes(bd), UINT64_MAX);
	memset(buf, 7, sizeof(buf));
	assert_int_equal(dmb_bdev_write_sectors(bd, UINT64_MAX - 3, 3, buf), 0);
	assert_int_equal(dmb_bdev_read_sectors(bd, UINT64_MAX - 3, 3, buf), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(dmb_bdev_read_sectors(bd, UINT64_MAX - 1, 2, buf), DMB_ERANGE);
	dmb_dev_destroy(dev);
}

/* --- formatting ------------------------------------------------------------ */

/* Every cap gives a NUL-terminated prefix and the same return value. */
static void check_truncation(struct dmb_dev *dev, enum dmb_fmt what, unsigned flags,
			     const char *full)
{
	size_t n = strlen(full);
	char *buf = malloc(n + 8);

	for (size_t cap = 1; cap <= n + 1; cap++) {
		memset(buf, 'Z', n + 8);
		assert_int_equal(dmb_dev_format(dev, what, flags, buf, cap), (int)n);
		assert_int_equal(strlen(buf), cap - 1);
		assert_memory_equal(buf, full, cap - 1);
		assert_int_equal(buf[cap], 'Z');
	}
	free(buf);
}

static void test_format(void **state)
{
	struct dmb_dev *dev;
	char *s;

	(void)state;
	dev = create_ok("0 16 striped 2 4 d0 0 d1 8", 0);
	s = format_dev(dev, DMB_FMT_STATUS, 0);
	assert_string_equal(s, "0 16 striped 2 d0 d1 1 AA\n");
	free(s);
	s = format_dev(dev, DMB_FMT_TABLE, 0);
	assert_string_equal(s, "0 16 striped 2 4 d0 0 d1 8\n");
	free(s);
	dmb_dev_destroy(dev);

	dev = create_ok("0 100 zero", 0);
	s = format_dev(dev, DMB_FMT_STATUS, 0);
	assert_string_equal(s, "0 100 zero \n");
	free(s);
	s = format_dev(dev, DMB_FMT_TABLE, 0);
	assert_string_equal(s, "0 100 zero \n");
	free(s);
	dmb_dev_destroy(dev);

	dev = create_ok("0 8 linear d0 7\n8 4 linear\td1\t0\n12 4 error\n", 0);
	s = format_dev(dev, DMB_FMT_STATUS, 0);
	assert_string_equal(s, "0 8 linear \n8 4 linear \n12 4 error \n");
	free(s);
	s = format_dev(dev, DMB_FMT_TABLE, 0);
	assert_string_equal(s, "0 8 linear d0 7\n8 4 linear d1 0\n12 4 error \n");
	check_truncation(dev, DMB_FMT_TABLE, 0, s);
	free(s);
	assert_int_equal(dmb_dev_format(dev, (enum dmb_fmt)2, 0, NULL, 0), DMB_EINVAL);
	dmb_dev_destroy(dev);
}

static void test_format_escaping(void **state)
{
	const char *names[] = { "a,b", "c\\d", "e f", "g#h;" };
	struct dmb_dev *dev;
	char *s;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		tres_add(&res, names[i], 16 * SECTOR, 9, NULL);
	dev = create_ok("0 8 linear a,b 0\n8 8 linear c\\\\d 1\n16 8 striped 2 4 e\\ f 0 g\\#h; 2\n", 0);
	s = format_dev(dev, DMB_FMT_TABLE, 0);
	assert_string_equal(s, "0 8 linear a,b 0\n8 8 linear c\\\\d 1\n"
			       "16 8 striped 2 4 e\\ f 0 g\\#h; 2\n");
	free(s);
	s = format_dev(dev, DMB_FMT_TABLE, DMB_FMT_CONCISE);
	assert_string_equal(s, "0 8 linear a\\,b 0,8 8 linear c\\\\\\\\d 1,"
			       "16 8 striped 2 4 e\\\\ f 0 g\\\\#h\\; 2");
	check_truncation(dev, DMB_FMT_TABLE, DMB_FMT_CONCISE, s);
	free(s);
	s = format_dev(dev, DMB_FMT_STATUS, DMB_FMT_CONCISE);
	assert_string_equal(s, "0 8 linear ,8 8 linear ,16 8 striped 2 e\\\\ f g\\\\#h\\; 1 AA");
	free(s);
	s = format_dev(dev, DMB_FMT_STATUS, 0);
	assert_string_equal(s, "0 8 linear \n8 8 linear \n16 8 striped 2 e\\ f g\\#h; 1 AA\n");
	check_truncation(dev, DMB_FMT_STATUS, 0, s);
	free(s);
	dmb_dev_destroy(dev);
}

/* --- lower devices --------------------------------------------------------- */

static void test_lower_dedup(void **state)
{
	struct dmb_dev *dev = create_ok("0 8 linear d1 0\n"
					"8 16 striped 2 8 d0 0 d1 8\n"
					"24 8 linear d0 16\n"
					"32 8 error d2 0\n"
					"40 8 striped 2 4 d2 8 d2 16\n",
					0);

	(void)state;
	assert_int_equal(dmb_dev_lower_count(dev), 3);
	assert_string_equal(dmb_dev_lower_name(dev, 0), "d1");
	assert_string_equal(dmb_dev_lower_name(dev, 1), "d0");
	assert_string_equal(dmb_dev_lower_name(dev, 2), "d2");
	assert_null(dmb_dev_lower_name(dev, 3));
	for (int i = D0; i <= D2; i++) {
		assert_int_equal(res.dev[i].opens, 1);
		assert_int_equal(res.dev[i].closes, 0);
	}
	assert_int_equal(res.dev[D3].opens, 0);
	assert_non_null(dmb_dev_target_stats(dev, 4));
	assert_null(dmb_dev_target_stats(dev, 5));
	dmb_dev_destroy(dev);
	for (int i = D0; i <= D2; i++)
		assert_int_equal(res.dev[i].closes, 1);
	dmb_dev_destroy(NULL);
}

/*
 * More distinct lower devices than the first allocation of the lower-device
 * list holds: targets must keep working after the list grows.
 */
static void test_many_lower_devices(void **state)
{
	static const struct layout many = {
		.n = 6,
		.t = {
			{ .type = T_LINEAR, .len = 8, .dev = { D0 }, .off = { 1 } },
			{ .type = T_LINEAR, .len = 8, .dev = { D1 }, .off = { 2 } },
			{ .type = T_LINEAR, .len = 8, .dev = { D2 }, .off = { 3 } },
			{ .type = T_STRIPED, .len = 8, .stripes = 2, .chunk = 2, .dev = { D3, D0 },
			  .off = { 4, 40 } },
			{ .type = T_LINEAR, .len = 8, .dev = { K4 }, .off = { 5 } },
			{ .type = T_STRIPED, .len = 16, .stripes = 4, .chunk = 1,
			  .dev = { K4, D3, D2, D1 }, .off = { 60, 61, 62, 63 } },
		},
	};
	struct dmb_dev *dev = create_layout(&many, 0);
	uint64_t n = layout_sectors(&many);
	struct smap *m = layout_map(&many);
	uint8_t *got = malloc(n * SECTOR), *want = malloc(n * SECTOR);
	char text[1024], *s;

	(void)state;
	assert_int_equal(dmb_dev_lower_count(dev), 5);
	assert_int_equal(model_read(m, &res, 0, n, want), 0);
	assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(dev), 0, n, got), 0);
	assert_memory_equal(got, want, n * SECTOR);
	layout_text(&many, &res, NULL, text, sizeof(text));
	s = format_dev(dev, DMB_FMT_TABLE, 0);
	assert_string_equal(s, text);
	free(s);
	free(m);
	free(got);
	free(want);
	dmb_dev_destroy(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mixed_matches_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_sector_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_byte_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_striped_interleave, setup, teardown),
		cmocka_unit_test_setup_teardown(test_striped_vectored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_4k_lower, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stacked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_target, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero_target, setup, teardown),
		cmocka_unit_test_setup_teardown(test_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_format_escaping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lower_dedup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_lower_devices, setup, teardown),
	};

	return cmocka_run_group_tests_name("device", tests, NULL, NULL);
}
