// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Failure paths: every allocation in table parsing, concise parsing,
 * device creation, formatting and bounce-buffered I/O is made to fail in
 * turn, and each failure must come back as DMB_ENOMEM with nothing leaked
 * and nothing left open; with a bounce buffer in the context, unaligned I/O
 * allocates nothing.  Lower-device faults from dmb_fault_bdev: a failed
 * stripe read is DMB_EIO and marks the stripe dead in the status, and a
 * flipped bit shows up exactly where it was injected.
 */
#include "helpers.h"

static struct tres res;
static struct dmb_ctx ctx;
static long baseline;

static int setup(void **state)
{
	struct rng rng;

	(void)state;
	rng_seed(&rng, 0xfa17);
	tres_init(&res);
	tres_add(&res, "d0", 64 * SECTOR, 9, &rng);
	tres_add(&res, "d1", 64 * SECTOR, 9, &rng);
	tres_add(&res, "d 2", 64 * SECTOR, 9, &rng);
	tres_add(&res, "k4", 64 * SECTOR, 12, &rng);
	tres_add(&res, "e4", 64 * SECTOR, 9, &rng);
	tres_add(&res, "f5", 64 * SECTOR, 9, &rng);
	memset(&ctx, 0, sizeof(ctx));
	ctx.resolver = &res.r;
	test_port_fail_alloc_at(0);
	baseline = test_port_live_allocs();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_port_fail_alloc_at(0);
	assert_int_equal(test_port_live_allocs(), baseline);
	tres_free(&res);
	return 0;
}

/* After a failure: ENOMEM, recorded in ctx, nothing leaked or left open. */
static void assert_clean_enomem(int r, long n, const char *what)
{
	if (r != DMB_ENOMEM)
		fail_msg("%s: allocation %ld failing gave %d (%s), not DMB_ENOMEM", what, n, r, ctx.msg);
	assert_int_equal(ctx.err, DMB_ENOMEM);
	assert_true(ctx.msg[0] != '\0');
	if (test_port_live_allocs() != baseline)
		fail_msg("%s: allocation %ld failing leaked %ld allocations", what, n,
			 test_port_live_allocs() - baseline);
	if (res.opens != res.closes)
		fail_msg("%s: allocation %ld failing left %d devices open", what, n,
			 res.opens - res.closes);
}

/*
 * Parse and create with the n-th allocation failing, for n = 1, 2, ...
 * until it succeeds; the successful device must print the table back.
 */
static void fail_each_allocation(const char *text, const char *canonical)
{
	long n;

	for (n = 1; n < 100000; n++) {
		struct dmb_table *t = NULL;
		struct dmb_dev *dev = NULL;
		int r;

		dmb_ctx_clear(&ctx);
		test_port_fail_alloc_at(n);
		r = dmb_table_parse(&ctx, text, strlen(text), &t);
		if (r == 0) {
			r = dmb_dev_create(&ctx, t, 0, &dev);
			dmb_table_destroy(t);
		} else {
			assert_null(t);
		}
		if (r == 0) {
			char *s;

			assert_true(test_port_alloc_count() < n);
			test_port_fail_alloc_at(0);
			s = format_dev(dev, DMB_FMT_TABLE, 0);
			assert_string_equal(s, canonical);
			free(s);
			dmb_dev_destroy(dev);
			break;
		}
		assert_null(dev);
		test_port_fail_alloc_at(0);
		assert_clean_enomem(r, n, text);
	}
	/* Several allocations were exercised, not just one. */
	assert_true(n > 5);
	assert_int_equal(test_port_live_allocs(), baseline);
	assert_int_equal(res.opens, res.closes);
}

static void test_alloc_failures_create(void **state)
{
	(void)state;
	fail_each_allocation("# a multi-target table\n"
			     "0 8 linear d0 0\n"
			     "8 24 striped 3 4 d1 0 d\\ 2 8 d0 16\n"
			     "32 8 zero\n"
			     "40 8 error d1 40\n"
			     "48 16 linear k4 1\n",
			     "0 8 linear d0 0\n"
			     "8 24 striped 3 4 d1 0 d\\ 2 8 d0 16\n"
			     "32 8 zero \n"
			     "40 8 error \n"
			     "48 16 linear k4 1\n");
}

/* Enough targets and devices that the target and lower lists must grow. */
static void test_alloc_failures_growth(void **state)
{
	char text[2048], canon[2048];
	size_t at = 0, ct = 0;
	static const char *const names[] = { "d0", "d1", "d\\ 2", "k4", "e4", "f5" };

	(void)state;
	for (unsigned i = 0; i < 20; i++) {
		const char *nm = names[i % ARRAY_SIZE(names)];

		at += (size_t)sprintf(text + at, "%u 2 linear %s %u\n", 2 * i, nm, i);
		ct += (size_t)sprintf(canon + ct, "%u 2 linear %s %u\n", 2 * i, nm, i);
	}
	fail_each_allocation(text, canon);
}

static void test_alloc_failures_concise(void **state)
{
	static const char *const specs[] = {
		"root,UUID-1,3,ro,0 8 linear d0 0,8 8 striped 2 4 d1 0 d\\\\ 2 4;"
		"swap,,,rw,0 8 zero,8 8 error;"
		"a\\,b,,,,0 16 linear d1 0",
		"boot,,0x10,ro,0 0x10 linear d0 0,0x10 8 striped 1 8 d1 0;x,,,rw,0 8 linear d1 0",
	};

	(void)state;
	for (size_t k = 0; k < ARRAY_SIZE(specs); k++) {
		unsigned flags = k == 1 ? DMB_CONCISE_KERNEL : 0;
		long n;

		for (n = 1; n < 100000; n++) {
			struct dmb_concise *c = NULL;
			int r;

			dmb_ctx_clear(&ctx);
			test_port_fail_alloc_at(n);
			r = dmb_concise_parse(&ctx, specs[k], strlen(specs[k]), flags, &c);
			test_port_fail_alloc_at(0);
			if (r == 0) {
				assert_int_equal(c->count, k == 0 ? 3 : 2);
				dmb_concise_destroy(c);
				break;
			}
			assert_null(c);
			assert_clean_enomem(r, n, specs[k]);
		}
		assert_true(n > 5);
	}
}

/* Concise formatting allocates; its failure is reported, not truncated. */
static void test_alloc_failures_format(void **state)
{
	static const char want[] = "0 8 linear d\\\\ 2 0,8 8 zero ";
	struct dmb_dev *dev;
	char buf[256];
	long live;

	(void)state;
	assert_int_equal(create_from_text(&ctx, "0 8 linear d\\ 2 0\n8 8 zero", 0, &dev), 0);
	live = test_port_live_allocs();
	test_port_fail_alloc_at(1);
	assert_int_equal(dmb_dev_format(dev, DMB_FMT_TABLE, DMB_FMT_CONCISE, buf, sizeof(buf)),
			 DMB_ENOMEM);
	test_port_fail_alloc_at(2);
	assert_int_equal(dmb_dev_format(dev, DMB_FMT_TABLE, DMB_FMT_CONCISE, buf, sizeof(buf)),
			 DMB_ENOMEM);
	test_port_fail_alloc_at(0);
	assert_int_equal(test_port_live_allocs(), live);
	assert_int_equal(dmb_dev_format(dev, DMB_FMT_TABLE, DMB_FMT_CONCISE, buf, sizeof(buf)),
			 (int)strlen(want));
	assert_string_equal(buf, want);
	dmb_dev_destroy(dev);
}

/* Unaligned I/O needs a bounce buffer; without memory it fails cleanly. */
static void test_alloc_failures_io(void **state)
{
	struct dmb_dev *dev;
	uint8_t buf[8 * SECTOR];
	long live;

	(void)state;
	assert_int_equal(create_from_text(&ctx, "0 8 linear d0 0\n8 16 linear k4 3\n", 0, &dev), 0);
	live = test_port_live_allocs();
	test_port_fail_alloc_at(1);
	/* Aligned I/O on 512-byte lowers needs no memory... */
	assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(dev), 0, 8, buf), 0);
	assert_int_equal(dmb_bdev_write_sectors(dmb_dev_bdev(dev), 0, 1, buf), 0);
	/* ...unaligned bytes and sectors on a 4 KiB-block lower do. */
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 3, 10, buf), DMB_ENOMEM);
	assert_int_equal(dmb_bdev_write_bytes(dmb_dev_bdev(dev), 3, 10, buf), DMB_ENOMEM);
	assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(dev), 8, 1, buf), DMB_ENOMEM);
	assert_int_equal(dmb_bdev_write_sectors(dmb_dev_bdev(dev), 9, 2, buf), DMB_ENOMEM);
	/* A bounce in the mapped device succeeds, the one in the lower fails. */
	test_port_fail_alloc_at(2);
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 8 * SECTOR + 1, 10, buf), DMB_ENOMEM);
	test_port_fail_alloc_at(0);
	assert_int_equal(test_port_live_allocs(), live);
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 8 * SECTOR + 1, 10, buf), 0);
	assert_memory_equal(buf, res.dev[3].mem + 3 * SECTOR + 1, 10);
	dmb_dev_destroy(dev);
}

/* --- dmb_fault_bdev --------------------------------------------------------- */

/* Point the resolver's device `name` at a fault wrapper of itself. */
static void wrap(struct dmb_fault_bdev *fb, const char *name)
{
	struct tdev *d = tres_find(&res, name);

	assert_non_null(d);
	dmb_fault_bdev_init(fb, &d->rb.bdev);
	d->bdev = &fb->bdev;
}

/*
 * With a bounce buffer in the context, nested bounces (the mapped device's
 * 512-byte block, then the 4 KiB block of its lower) come from it in turn;
 * what does not fit falls back to dmb_port_malloc().  Nothing stays held
 * after a call, failed or not.
 */
static void test_bounce_buffer_nested(void **state)
{
	static uint8_t bounce[512 + 4096];
	struct dmb_fault_bdev fb;
	struct dmb_dev *dev;
	uint8_t buf[SECTOR];

	(void)state;
	wrap(&fb, "k4");
	assert_int_equal(create_from_text(&ctx, "0 8 linear d0 0\n8 16 linear k4 3\n", 0, &dev), 0);
	ctx.mem.bounce = bounce;
	ctx.mem.bounce_bytes = sizeof(bounce);
	test_port_fail_alloc_at(1);
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 8 * SECTOR + 1, 10, buf), 0);
	assert_memory_equal(buf, res.dev[3].mem + 3 * SECTOR + 1, 10);
	assert_int_equal(dmb_bdev_write_bytes(dmb_dev_bdev(dev), 8 * SECTOR + 5, 3, "abc"), 0);
	assert_memory_equal(res.dev[3].mem + 3 * SECTOR + 5, "abc", 3);
	assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(dev), 9, 1, buf), 0);
	assert_int_equal(test_port_alloc_count(), 0);
	assert_int_equal(ctx.bounce_used, 0);
	/* Room for the outer block only: the inner one is allocated. */
	ctx.mem.bounce_bytes = 1024;
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 8 * SECTOR + 1, 10, buf), DMB_ENOMEM);
	assert_int_equal(ctx.bounce_used, 0);
	test_port_fail_alloc_at(2);
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 8 * SECTOR + 1, 10, buf), 0);
	assert_int_equal(test_port_alloc_count(), 1);
	/* A failing lower device releases what it took. */
	ctx.mem.bounce_bytes = sizeof(bounce);
	fb.fail_read_at = 1;
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 8 * SECTOR + 1, 10, buf), DMB_EIO);
	assert_int_equal(ctx.bounce_used, 0);
	test_port_fail_alloc_at(0);
	ctx.mem.bounce = NULL;
	ctx.mem.bounce_bytes = 0;
	dmb_dev_destroy(dev);
	res.dev[3].bdev = &res.dev[3].rb.bdev;
}

/* The device sector whose read is the k-th read (1-based) of stripe 1 when
 * reading sector by sector with 2 stripes of 4-sector chunks. */
static uint64_t kth_stripe1_sector(uint64_t k)
{
	uint64_t chunk_on_dev = (k - 1) / 4, in_chunk = (k - 1) % 4;

	return (2 * chunk_on_dev + 1) * 4 + in_chunk;
}

static void test_fault_striped_read(void **state)
{
	(void)state;
	for (uint64_t k = 1; k <= 9; k++) {
		struct dmb_fault_bdev fb;
		struct dmb_dev *dev;
		uint8_t buf[SECTOR];
		uint64_t failed_at = UINT64_MAX;
		char *s;

		wrap(&fb, "d1");
		assert_int_equal(create_from_text(&ctx, "0 32 striped 2 4 d0 0 d1 8", 0, &dev), 0);
		s = format_dev(dev, DMB_FMT_STATUS, 0);
		assert_string_equal(s, "0 32 striped 2 d0 d1 1 AA\n");
		free(s);
		fb.fail_read_at = k;
		for (uint64_t sec = 0; sec < 32; sec++) {
			int r = dmb_bdev_read_sectors(dmb_dev_bdev(dev), sec, 1, buf);

			if (r) {
				assert_int_equal(r, DMB_EIO);
				if (failed_at == UINT64_MAX)
					failed_at = sec;
			} else if (failed_at != UINT64_MAX && (sec / 4) % 2 == 1) {
				fail_msg("k=%llu: a read of stripe 1 after the failure succeeded",
					 (unsigned long long)k);
			} else {
				/* Stripe 0 reads keep working and return d0's bytes. */
				uint64_t lower = (sec / 8) * 4 + sec % 4;
				const uint8_t *src = (sec / 4) % 2 ? res.dev[1].mem + (8 + lower) * SECTOR
								   : res.dev[0].mem + lower * SECTOR;

				assert_memory_equal(buf, src, SECTOR);
			}
		}
		assert_int_equal(failed_at, kth_stripe1_sector(k));
		s = format_dev(dev, DMB_FMT_STATUS, 0);
		assert_string_equal(s, "0 32 striped 2 d0 d1 1 AD\n");
		free(s);
		dmb_dev_destroy(dev);
		res.dev[1].bdev = &res.dev[1].rb.bdev;
	}
}

static void test_fault_write_marks_stripe(void **state)
{
	struct dmb_fault_bdev fb;
	struct dmb_dev *dev;
	uint8_t buf[8 * SECTOR] = { 0 };
	char *s;

	(void)state;
	wrap(&fb, "d0");
	assert_int_equal(create_from_text(&ctx, "0 32 striped 2 4 d1 0 d0 8", 0, &dev), 0);
	fb.fail_write_at = 2;
	/* Sectors 0..7: one write to d1, one to d0 (the first d0 write). */
	assert_int_equal(dmb_bdev_write_sectors(dmb_dev_bdev(dev), 0, 8, buf), 0);
	s = format_dev(dev, DMB_FMT_STATUS, 0);
	assert_string_equal(s, "0 32 striped 2 d1 d0 1 AA\n");
	free(s);
	assert_int_equal(dmb_bdev_write_sectors(dmb_dev_bdev(dev), 4, 1, buf), DMB_EIO);
	s = format_dev(dev, DMB_FMT_STATUS, 0);
	assert_string_equal(s, "0 32 striped 2 d1 d0 1 AD\n");
	free(s);
	/* Table output does not change. */
	s = format_dev(dev, DMB_FMT_TABLE, 0);
	assert_string_equal(s, "0 32 striped 2 4 d1 0 d0 8\n");
	free(s);
	dmb_dev_destroy(dev);
}

/* Both stripes dead; a linear target's failure is EIO too. */
static void test_fault_both_stripes(void **state)
{
	struct dmb_fault_bdev f0, f1;
	struct dmb_dev *dev;
	uint8_t buf[SECTOR];
	char *s;

	(void)state;
	wrap(&f0, "d0");
	wrap(&f1, "d1");
	assert_int_equal(create_from_text(&ctx, "0 16 striped 2 4 d0 0 d1 0\n16 8 linear d1 32\n", 0,
					  &dev),
			 0);
	f0.fail_read_at = 1;
	f1.fail_read_at = 1;
	assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(dev), 0, 1, buf), DMB_EIO);
	assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(dev), 20, 1, buf), DMB_EIO);
	s = format_dev(dev, DMB_FMT_STATUS, 0);
	assert_string_equal(s, "0 16 striped 2 d0 d1 1 DA\n16 8 linear \n");
	free(s);
	assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(dev), 4, 1, buf), DMB_EIO);
	s = format_dev(dev, DMB_FMT_STATUS, 0);
	assert_string_equal(s, "0 16 striped 2 d0 d1 1 DD\n16 8 linear \n");
	free(s);
	dmb_dev_destroy(dev);
}

/* flip_bit flips exactly that bit of what is read, and only there. */
static void check_flips(const char *name, unsigned block_shift)
{
	struct dmb_fault_bdev fb;
	struct tdev *d = tres_find(&res, name);
	struct dmb_dev *dev;
	uint8_t *got = malloc(64 * SECTOR);
	struct rng rng;

	rng_seed(&rng, block_shift);
	wrap(&fb, name);
	assert_int_equal(fb.bdev.block_shift, block_shift);
	{
		char text[64];

		sprintf(text, "0 64 linear %s 0", name);
		assert_int_equal(create_from_text(&ctx, text, 0, &dev), 0);
	}
	for (int i = 0; i < 200; i++) {
		uint64_t bit = rng_below(&rng, 64 * SECTOR * 8);
		uint64_t off = rng_below(&rng, 64 * SECTOR), len = rng_below(&rng, 64 * SECTOR - off + 1);

		fb.flip_bit = bit;
		/* Whole device: exactly one bit differs. */
		assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(dev), 0, 64, got), 0);
		for (uint64_t b = 0; b < 64 * SECTOR; b++) {
			uint8_t want = d->mem[b];

			if (b == bit / 8)
				want ^= (uint8_t)(1u << (bit % 8));
			if (got[b] != want)
				fail_msg("%s: bit %llu: byte %llu is %02x, want %02x", name,
					 (unsigned long long)bit, (unsigned long long)b, got[b], want);
		}
		/* A random byte range: flipped only if it covers the bit. */
		assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), off, (size_t)len, got), 0);
		for (uint64_t b = 0; b < len; b++) {
			uint8_t want = d->mem[off + b];

			if (off + b == bit / 8)
				want ^= (uint8_t)(1u << (bit % 8));
			assert_int_equal(got[b], want);
		}
	}
	/* The lower device itself is never changed. */
	fb.flip_bit = UINT64_MAX;
	assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(dev), 0, 64, got), 0);
	assert_memory_equal(got, d->mem, 64 * SECTOR);
	dmb_dev_destroy(dev);
	d->bdev = &d->rb.bdev;
	free(got);
}

static void test_fault_flip_bit(void **state)
{
	(void)state;
	check_flips("d0", 9);
	check_flips("k4", 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_alloc_failures_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_failures_growth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_failures_concise, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_failures_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_failures_io, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounce_buffer_nested, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_striped_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_write_marks_stripe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_both_stripes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_flip_bit, setup, teardown),
	};

	return cmocka_run_group_tests_name("faults", tests, NULL, NULL);
}
