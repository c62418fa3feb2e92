// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Unit tests of the snapshot-origin and snapshot targets
 * (lib/targets/snapshot.c) over RAM disks: COW stores built here by hand in
 * dm-snap-persistent's format (header chunk, metadata areas of {old_chunk,
 * new_chunk} records, data chunks), reads checked chunk by chunk against a
 * model, Linux's status and table text, and two tables of named malformed
 * inputs (table arguments, COW stores), each with the exact error.
 */
#include "helpers.h"

static struct tres res;
static struct dmb_ctx ctx;
static long baseline;

#define ORG_SECTORS 128u
#define COW_SECTORS 256u
#define MAGIC 0x70416e53u

enum { ORG, COW, SMALL, K4 };

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A header in chunk 0 and nothing else (the rest of chunk 0 and area 0 zeroed). */
static void cow_header(uint8_t *cow, uint32_t magic, uint32_t valid, uint32_t version,
		       uint32_t chunk)
{
	memset(cow, 0, 2 * SECTOR);
	put_le32(cow, magic);
	put_le32(cow + 4, valid);
	put_le32(cow + 8, version);
	put_le32(cow + 12, chunk);
}

/* Record i of the metadata area at chunk area_chunk (chunk size chunk sectors). */
static void cow_record(uint8_t *cow, uint32_t chunk, uint64_t area_chunk, size_t i,
		       uint64_t old_chunk, uint64_t new_chunk)
{
	uint8_t *p = cow + area_chunk * chunk * SECTOR + 16 * i;

	put_le64(p, old_chunk);
	put_le64(p + 8, new_chunk);
}

static int setup(void **state)
{
	struct rng rng;

	(void)state;
	rng_seed(&rng, 0x5aa9);
	tres_init(&res);
	tres_add(&res, "org", ORG_SECTORS * SECTOR, 9, &rng);
	tres_add(&res, "cow", COW_SECTORS * SECTOR, 9, &rng);
	tres_add(&res, "small", 8 * SECTOR, 9, &rng);
	tres_add(&res, "k4", COW_SECTORS * SECTOR, 12, &rng);
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

static struct dmb_dev *create_ok(const char *text)
{
	struct dmb_dev *dev;
	int r = create_from_text(&ctx, text, 0, &dev);

	if (r)
		fail_msg("create failed: %d %s\n%s", r, ctx.msg, text);
	return dev;
}

/* Every sector of dev is the model's: chunk c from COW chunk map[c], or the origin's. */
static void check_reads(struct dmb_dev *dev, uint32_t chunk, const int64_t *map, size_t nmap)
{
	struct dmb_bdev *bd = dmb_dev_bdev(dev);
	uint8_t *all = malloc(ORG_SECTORS * SECTOR), one[SECTOR];

	assert_int_equal(dmb_bdev_read_sectors(bd, 0, ORG_SECTORS, all), 0);
	for (uint64_t s = 0; s < ORG_SECTORS; s++) {
		uint64_t c = s / chunk;
		const uint8_t *want = res.dev[ORG].mem + s * SECTOR;

		if (c < nmap && map[c] >= 0)
			want = res.dev[COW].mem + ((uint64_t)map[c] * chunk + s % chunk) * SECTOR;
		assert_memory_equal(all + s * SECTOR, want, SECTOR);
		/* One sector at a time gives the same bytes as the big read. */
		assert_int_equal(dmb_bdev_read_sectors(bd, s, 1, one), 0);
		assert_memory_equal(one, want, SECTOR);
	}
	free(all);
}

static void check_text(struct dmb_dev *dev, enum dmb_fmt what, const char *want)
{
	char *s = format_dev(dev, what, 0);

	assert_string_equal(s, want);
	free(s);
}

/* Three exceptions in area 0, chunk 8: reads, status and table as Linux prints them. */
static void test_snapshot_reads(void **state)
{
	uint8_t *cow = res.dev[COW].mem;
	int64_t map[16];
	struct dmb_dev *dev;

	(void)state;
	for (size_t i = 0; i < 16; i++)
		map[i] = -1;
	cow_header(cow, MAGIC, 1, 1, 8);
	memset(cow + 8 * SECTOR, 0, 8 * SECTOR);
	cow_record(cow, 8, 1, 0, 0, 2);
	cow_record(cow, 8, 1, 1, 15, 4);
	cow_record(cow, 8, 1, 2, 5, 3);
	map[0] = 2;
	map[15] = 4;
	map[5] = 3;
	dev = create_ok("0 128 snapshot org cow P 8");
	check_reads(dev, 8, map, 16);
	check_text(dev, DMB_FMT_STATUS, "0 128 snapshot 40/256 16\n");
	check_text(dev, DMB_FMT_TABLE, "0 128 snapshot org cow P 8\n");
	dmb_dev_destroy(dev);

	/* The on-disk chunk size overrides the table's (Linux warns and does the same). */
	dev = create_ok("0 128 snapshot org cow p 16");
	check_reads(dev, 8, map, 16);
	check_text(dev, DMB_FMT_TABLE, "0 128 snapshot org cow P 8\n");
	dmb_dev_destroy(dev);
}

/* Chunk size 1: area 0 full (32 records), area 1 at chunk 34 ends the store. */
static void test_snapshot_two_areas(void **state)
{
	uint8_t *cow = res.dev[COW].mem;
	int64_t map[ORG_SECTORS];
	struct dmb_dev *dev;
	uint64_t next = 2;

	(void)state;
	for (size_t i = 0; i < ORG_SECTORS; i++)
		map[i] = -1;
	cow_header(cow, MAGIC, 1, 1, 1);
	memset(cow + 34 * SECTOR, 0, SECTOR);
	for (size_t i = 0; i < 40; i++) {
		uint64_t old_chunk = (i * 37) % ORG_SECTORS;

		if (next == 34)
			next++; /* area 1 */
		cow_record(cow, 1, i < 32 ? 1 : 34, i % 32, old_chunk, next);
		map[old_chunk] = (int64_t)next++;
	}
	dev = create_ok("0 128 snapshot org cow P 1");
	check_reads(dev, 1, map, ORG_SECTORS);
	/* next_free 43, metadata: header + areas 0 and 1. */
	check_text(dev, DMB_FMT_STATUS, "0 128 snapshot 43/256 3\n");
	dmb_dev_destroy(dev);
}

/*
 * A store that is full up to an area's end gets Linux's next_free past the
 * following area: 32 data chunks after area 0 used, next_free skips chunk 34.
 */
static void test_snapshot_next_free_skips_area(void **state)
{
	uint8_t *cow = res.dev[COW].mem;
	struct dmb_dev *dev;

	(void)state;
	cow_header(cow, MAGIC, 1, 1, 1);
	memset(cow + 34 * SECTOR, 0, SECTOR);
	for (size_t i = 0; i < 32; i++)
		cow_record(cow, 1, 1, i, i, 2 + i);
	dev = create_ok("0 128 snapshot org cow P 1");
	check_text(dev, DMB_FMT_STATUS, "0 128 snapshot 35/256 3\n");
	dmb_dev_destroy(dev);
}

/* Magic 0: a new snapshot with no exceptions reads the origin (Linux would write a header). */
static void test_snapshot_new_store(void **state)
{
	struct dmb_dev *dev;

	(void)state;
	memset(res.dev[COW].mem, 0, SECTOR);
	dev = create_ok("0 128 snapshot org cow P 0");
	check_reads(dev, 32, NULL, 0);
	check_text(dev, DMB_FMT_STATUS, "0 128 snapshot 64/256 64\n");
	check_text(dev, DMB_FMT_TABLE, "0 128 snapshot org cow P 32\n");
	dmb_dev_destroy(dev);
}

/* snapshot-origin reads through at the same sector, prints its device, refuses writes. */
static void test_origin(void **state)
{
	struct dmb_dev *dev;
	uint8_t buf[4 * SECTOR];

	(void)state;
	dev = create_ok("0 64 linear org 0\n64 64 snapshot-origin org");
	assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(dev), 62, 4, buf), 0);
	assert_memory_equal(buf, res.dev[ORG].mem + 62 * SECTOR, sizeof(buf));
	check_text(dev, DMB_FMT_TABLE, "0 64 linear org 0\n64 64 snapshot-origin org\n");
	check_text(dev, DMB_FMT_STATUS, "0 64 linear \n64 64 snapshot-origin \n");
	assert_int_equal(dmb_bdev_write_sectors(dmb_dev_bdev(dev), 64, 1, buf), DMB_EACCES);
	assert_string_equal(ctx.msg,
			    "snapshot-origin target at sector 64 refuses writes: writing needs copy-out to the snapshot's COW store, and dmboot maps snapshots read-only");
	dmb_dev_destroy(dev);

	cow_header(res.dev[COW].mem, MAGIC, 1, 1, 8);
	memset(res.dev[COW].mem + 8 * SECTOR, 0, 8 * SECTOR);
	dev = create_ok("0 128 snapshot org cow P 8");
	assert_int_equal(dmb_bdev_write_sectors(dmb_dev_bdev(dev), 3, 1, buf), DMB_EACCES);
	assert_string_equal(ctx.msg,
			    "snapshot target at sector 0 refuses writes: writing needs copy-out to the snapshot's COW store, and dmboot maps snapshots read-only");
	dmb_dev_destroy(dev);
}

struct bad_table {
	const char *name;
	const char *table;
	int err;
	const char *msg;
};

static const struct bad_table bad_tables[] = {
	{ "too few arguments", "0 128 snapshot org cow P", DMB_EINVAL,
	  "line 1: snapshot: requires 4 or more arguments" },
	{ "feature arguments", "0 128 snapshot org cow P 8 1 discard_zeroes_cow", DMB_ENOTSUP,
	  "line 1: snapshot: feature arguments (discard_zeroes_cow, discard_passdown_origin) are not supported" },
	{ "transient store", "0 128 snapshot org cow N 8", DMB_ENOTSUP,
	  "line 1: snapshot: transient exception store N is not supported: dmboot maps persistent (P) snapshots only" },
	{ "overflow store", "0 128 snapshot org cow po 8", DMB_ENOTSUP,
	  "line 1: snapshot: exception store PO (overflow reporting) is not supported: dmboot maps persistent (P) snapshots only" },
	{ "unknown store", "0 128 snapshot org cow X 8", DMB_EINVAL,
	  "line 1: snapshot: Exception store type not recognised" },
	{ "chunk not a number", "0 128 snapshot org cow P 8k", DMB_EINVAL,
	  "line 1: snapshot: Invalid chunk size" },
	{ "chunk not a power of two", "0 128 snapshot org cow P 12", DMB_EINVAL,
	  "line 1: snapshot: Chunk size is not a power of 2" },
	{ "chunk too high", "0 128 snapshot org cow P 4194304", DMB_EINVAL,
	  "line 1: snapshot: Chunk size is too high" },
	{ "chunk below the block size", "0 128 snapshot org k4 P 4", DMB_EINVAL,
	  "line 1: snapshot: Chunk size is not a multiple of device blocksize" },
	{ "origin too small", "0 256 snapshot org cow P 8", DMB_ERANGE,
	  "line 1: snapshot: org too small for target: start=0, len=256, dev_size=128" },
	{ "origin arguments", "0 128 snapshot-origin org cow", DMB_EINVAL,
	  "line 1: snapshot-origin: origin: incorrect number of arguments" },
	{ "origin too small for the origin target", "0 256 snapshot-origin org", DMB_ERANGE,
	  "line 1: snapshot-origin: org too small for target: start=0, len=256, dev_size=128" },
};

static void test_bad_tables(void **state)
{
	(void)state;
	cow_header(res.dev[COW].mem, MAGIC, 1, 1, 8);
	for (size_t i = 0; i < ARRAY_SIZE(bad_tables); i++) {
		const struct bad_table *b = &bad_tables[i];
		struct dmb_dev *dev = NULL;
		int r = create_from_text(&ctx, b->table, 0, &dev);

		if (r != b->err || strcmp(ctx.msg, b->msg) != 0)
			fail_msg("%s: got %d \"%s\", want %d \"%s\"", b->name, r, ctx.msg, b->err,
				 b->msg);
		assert_null(dev);
	}
}

/* A malformed COW store: how to make it from a valid one-exception store, and the error. */
struct bad_cow {
	const char *name;
	void (*make)(uint8_t *cow);
	const char *cow_dev;
	int err;
	const char *msg;
};

static void bad_magic(uint8_t *c) { put_le32(c, 0x534e4170); }
static void bad_version(uint8_t *c) { put_le32(c + 8, 2); }
static void invalid(uint8_t *c) { put_le32(c + 4, 0); }
static void chunk_zero(uint8_t *c) { put_le32(c + 12, 0); }
static void chunk_odd(uint8_t *c) { put_le32(c + 12, 24); }
static void chunk_huge(uint8_t *c) { put_le32(c + 12, 1u << 23); }
static void new_beyond(uint8_t *c) { cow_record(c, 8, 1, 1, 3, 32); }
static void new_on_area(uint8_t *c) { cow_record(c, 8, 1, 1, 3, 1); }
static void old_beyond(uint8_t *c) { cow_record(c, 8, 1, 1, 16, 3); }
static void twice(uint8_t *c) { cow_record(c, 8, 1, 1, 0, 3); }

/* Chunk 1: area 0 full, area 1 would sit at chunk 34 of a 34-sector device. */
static void truncated(uint8_t *c)
{
	put_le32(c + 12, 1);
	for (size_t i = 0; i < 32; i++)
		cow_record(c, 1, 1, i, i, 2 + i);
}

static void empty_small(uint8_t *c) { memset(c, 0, 16); }

static const struct bad_cow bad_cows[] = {
	{ "bad magic", bad_magic, "cow", DMB_ECORRUPT,
	  "line 1: snapshot: COW device cow: Invalid or corrupt snapshot: bad magic (magic, expected) (1397637488, 1883336275)" },
	{ "version 2", bad_version, "cow", DMB_ENOTSUP,
	  "line 1: snapshot: COW device cow: unable to handle snapshot disk version (version, supported) (2, 1)" },
	{ "invalidated snapshot", invalid, "cow", DMB_EIO,
	  "line 1: snapshot: COW device cow: the snapshot is invalid (it overflowed or failed; Linux fails every read of it)" },
	{ "chunk size 0", chunk_zero, "cow", DMB_ECORRUPT,
	  "line 1: snapshot: COW device cow: invalid on-disk chunk size 0: Chunk size is not a power of 2" },
	{ "chunk size 24", chunk_odd, "cow", DMB_ECORRUPT,
	  "line 1: snapshot: COW device cow: invalid on-disk chunk size 24: Chunk size is not a power of 2" },
	{ "chunk size 2^23", chunk_huge, "cow", DMB_ECORRUPT,
	  "line 1: snapshot: COW device cow: invalid on-disk chunk size 8388608: Chunk size is too high" },
	{ "new chunk beyond the device", new_beyond, "cow", DMB_ECORRUPT,
	  "line 1: snapshot: COW device cow: exception maps a chunk beyond the end of the device (new chunk, chunks) (32, 32)" },
	{ "new chunk on a metadata area", new_on_area, "cow", DMB_ECORRUPT,
	  "line 1: snapshot: COW device cow: exception maps onto a metadata area (old chunk, new chunk) (3, 1)" },
	{ "old chunk beyond the origin", old_beyond, "cow", DMB_ECORRUPT,
	  "line 1: snapshot: COW device cow: exception for a chunk beyond the origin (old chunk, chunks) (16, 16)" },
	{ "one chunk twice", twice, "cow", DMB_ECORRUPT,
	  "line 1: snapshot: COW device cow: two exceptions for one chunk (old chunk, larger new chunk) (0, 3)" },
	{ "truncated area", truncated, "small34", DMB_ECORRUPT,
	  "line 1: snapshot: COW device small34: truncated: metadata area lies beyond the end of the device (area, chunks) (1, 34)" },
	{ "new store on one chunk", empty_small, "small", DMB_ERANGE,
	  "line 1: snapshot: COW device small: too small for a header and one metadata area (chunks, needed) (1, 2)" },
};

static void test_bad_cows(void **state)
{
	struct tdev *s34;

	(void)state;
	s34 = tres_add(&res, "small34", 34 * SECTOR, 9, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(bad_cows); i++) {
		const struct bad_cow *b = &bad_cows[i];
		struct tdev *d = tres_find(&res, b->cow_dev);
		struct dmb_dev *dev = NULL;
		char table[64];
		int r;

		memset(d->mem, 0, (size_t)d->bytes);
		cow_header(d->mem, MAGIC, 1, 1, 8);
		if (d->bytes >= 16 * SECTOR)
			cow_record(d->mem, 8, 1, 0, 0, 2);
		b->make(d->mem);
		snprintf(table, sizeof(table), "0 128 snapshot org %s P 8", b->cow_dev);
		r = create_from_text(&ctx, table, 0, &dev);
		if (r != b->err || strcmp(ctx.msg, b->msg) != 0)
			fail_msg("%s: got %d \"%s\", want %d \"%s\"", b->name, r, ctx.msg, b->err,
				 b->msg);
		assert_null(dev);
	}
	(void)s34;
}

/* Every allocation and every read the constructor makes may fail: a clean error each time. */
static void test_snapshot_faults(void **state)
{
	uint8_t *cow = res.dev[COW].mem;

	(void)state;
	cow_header(cow, MAGIC, 1, 1, 1);
	memset(cow + 34 * SECTOR, 0, SECTOR);
	for (size_t i = 0; i < 32; i++)
		cow_record(cow, 1, 1, i, 127 - i, 2 + i);
	cow_record(cow, 1, 34, 0, 0, 40);
	for (int n = 1;; n++) {
		struct dmb_dev *dev = NULL;
		int r;

		test_port_fail_alloc_at(n);
		r = create_from_text(&ctx, "0 128 snapshot org cow P 1", 0, &dev);
		test_port_fail_alloc_at(0);
		if (r == 0) {
			check_text(dev, DMB_FMT_STATUS, "0 128 snapshot 41/256 3\n");
			dmb_dev_destroy(dev);
			break;
		}
		assert_int_equal(r, DMB_ENOMEM);
		assert_null(dev);
		assert_true(n < 100);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_snapshot_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_two_areas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_next_free_skips_area, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_new_store, setup, teardown),
		cmocka_unit_test_setup_teardown(test_origin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_cows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_faults, setup, teardown),
	};

	return cmocka_run_group_tests_name("snapshot", tests, NULL, NULL);
}
