// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Partition tables (part.h): GPT and MBR images built in memory by the test
 * itself, read back field by field (names with multi-byte UTF-8, surrogate
 * pairs and a lone surrogate, attribute bits, gaps in numbering, 512- and
 * 4096-byte sectors, entry sizes other than 128, hybrid and protective
 * MBRs, extended partitions with chains of logical ones); the fallbacks
 * between the two GPT copies; a table of named malformations, each with its
 * exact error code and message; every allocation and every read failing in
 * turn with nothing leaked; partitions as slice devices; and the GUID
 * string, canonical and on-disk forms against the example of formats.md §6.3.
 */
#include "helpers.h"

#include "base/base.h"
#include "core/core.h"

static struct dmb_ctx ctx;
static long baseline;

static int setup(void **state)
{
	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	ctx.log_level = DMB_LOG_WARN;
	test_port_fail_alloc_at(0);
	baseline = test_port_live_allocs();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_port_fail_alloc_at(0);
	assert_int_equal(test_port_live_allocs(), baseline);
	return 0;
}

/* --- building images --------------------------------------------------------- */

/* UTF-16 names, 0-terminated arrays of code units. */
static const uint16_t name_ascii[] = { 'r', 'o', 'o', 't', 0 };
static const uint16_t name_mixed[] = { 'h', 0xe9, 'l', 0x2713, ' ', 0xd83d, 0xde00, '!', 0 };
static const uint16_t name_lone[] = { 'a', 0xdc00, 'b', 0xd800, 0 };

struct ent {
	unsigned index;       /* 0-based entry index */
	const char *type;
	const char *uuid;
	uint64_t first, last, attrs;
	const uint16_t *name;
};

struct img {
	uint8_t *mem;
	size_t bytes;
	unsigned ss;
	uint64_t lbas;
	uint32_t count, esize;
	uint64_t array_lbas;
	struct dmb_ram_bdev rb;
	struct dmb_fault_bdev fb;
};

#define DISK_GUID "01234567-89ab-cdef-0123-456789abcdef"
#define T_LINUX "0fc63daf-8483-4772-8e79-3d69d8477de4"
#define T_ESP "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"
#define T_ROOT "4f68bce3-e8cd-4db1-96e7-fbcaf984b709"

static const struct ent std_ents[] = {
	{ 0, T_LINUX, "11111111-2222-3333-4444-555555555555", 40, 99, 0, name_ascii },
	{ 2, T_ESP, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", 100, 199, 1ull | 1ull << 60 | 1ull << 63,
	  name_mixed },
	{ 5, T_ROOT, "00000000-0000-0000-0000-000000000001", 300, 300, 0, name_lone },
};

static void put_guid(uint8_t *p, const char *s)
{
	uint8_t g[16];

	assert_int_equal(dmb_guid_parse(s, g), 0);
	dmb_guid_to_disk(g, p);
}

static uint8_t *sector(struct img *im, uint64_t lba)
{
	return im->mem + lba * im->ss;
}

static uint64_t hdr_lba(const struct img *im, int backup)
{
	return backup ? im->lbas - 1 : 1;
}

static uint8_t *hdr(struct img *im, int backup)
{
	return sector(im, hdr_lba(im, backup));
}

/* Recompute one copy's array CRC (over the geometry the image was built with) and header CRC. */
static void fix_copy(struct img *im, int backup, bool array)
{
	uint8_t *h = hdr(im, backup);

	if (array) {
		uint64_t at = backup ? im->lbas - 1 - im->array_lbas : 2;

		dmbi_put_le32(h + 88, dmbi_crc32(0, sector(im, at), (size_t)im->count * im->esize));
	}
	dmbi_put_le32(h + 16, 0);
	dmbi_put_le32(h + 16, dmbi_crc32(0, h, dmbi_get_le32(h + 12)));
}

static void fix_both(struct img *im)
{
	fix_copy(im, 0, true);
	fix_copy(im, 1, true);
}

static void put_entry(struct img *im, const struct ent *e)
{
	for (int backup = 0; backup < 2; backup++) {
		uint64_t at = backup ? im->lbas - 1 - im->array_lbas : 2;
		uint8_t *p = sector(im, at) + (size_t)e->index * im->esize;

		memset(p, 0, im->esize);
		put_guid(p, e->type);
		put_guid(p + 16, e->uuid);
		dmbi_put_le64(p + 32, e->first);
		dmbi_put_le64(p + 40, e->last);
		dmbi_put_le64(p + 48, e->attrs);
		for (unsigned i = 0; e->name && e->name[i]; i++)
			dmbi_put_le16(p + 56 + 2 * i, e->name[i]);
	}
}

static void mbr_put(uint8_t *sec, unsigned slot, uint8_t boot, uint8_t type, uint32_t start,
		    uint32_t size)
{
	uint8_t *p = sec + 446 + 16 * slot;

	p[0] = boot;
	p[4] = type;
	dmbi_put_le32(p + 8, start);
	dmbi_put_le32(p + 12, size);
	sec[510] = 0x55;
	sec[511] = 0xaa;
}

static void img_alloc(struct img *im, unsigned ss, uint64_t lbas)
{
	memset(im, 0, sizeof(*im));
	im->ss = ss;
	im->lbas = lbas;
	im->bytes = (size_t)(lbas * ss);
	im->mem = calloc(1, im->bytes);
	assert_non_null(im->mem);
}

/* A GPT image: protective MBR, both headers, both arrays, the given entries. */
static void gpt_build(struct img *im, unsigned ss, uint64_t lbas, uint32_t count, uint32_t esize,
		      const struct ent *ents, size_t n)
{
	img_alloc(im, ss, lbas);
	im->count = count;
	im->esize = esize;
	im->array_lbas = ((uint64_t)count * esize + ss - 1) / ss;
	mbr_put(im->mem, 0, 0, 0xee, 1, (uint32_t)DMBI_MIN(lbas - 1, 0xffffffffu));
	for (int backup = 0; backup < 2; backup++) {
		uint8_t *h = hdr(im, backup);

		memcpy(h, "EFI PART", 8);
		dmbi_put_le32(h + 8, 0x00010000);
		dmbi_put_le32(h + 12, 92);
		dmbi_put_le64(h + 24, hdr_lba(im, backup));
		dmbi_put_le64(h + 32, hdr_lba(im, !backup));
		dmbi_put_le64(h + 40, 2 + im->array_lbas);
		dmbi_put_le64(h + 48, lbas - 2 - im->array_lbas);
		put_guid(h + 56, DISK_GUID);
		dmbi_put_le64(h + 72, backup ? lbas - 1 - im->array_lbas : 2);
		dmbi_put_le32(h + 80, count);
		dmbi_put_le32(h + 84, esize);
	}
	for (size_t i = 0; i < n; i++)
		put_entry(im, &ents[i]);
	fix_both(im);
}

/* The standard GPT: 512-byte sectors, 128 entries of 128 bytes, the three std_ents. */
static void gpt_std(struct img *im)
{
	gpt_build(im, 512, 2048, 128, 128, std_ents, ARRAY_SIZE(std_ents));
}

static struct dmb_bdev *img_bdev(struct img *im, unsigned block_shift)
{
	dmb_ram_bdev_init(&im->rb, im->mem, im->bytes, block_shift, false);
	return &im->rb.bdev;
}

static void img_free(struct img *im)
{
	free(im->mem);
	im->mem = NULL;
}

static struct dmb_part_table *load_ok(struct img *im, unsigned block_shift, unsigned ss)
{
	struct dmb_part_table *t = NULL;
	int r;

	dmb_ctx_clear(&ctx);
	r = dmb_part_table_load(&ctx, img_bdev(im, block_shift), ss, &t);
	if (r)
		fail_msg("load failed: %d %s", r, ctx.msg);
	assert_non_null(t);
	return t;
}

static void check_std_gpt(const struct dmb_part_table *t, unsigned ss)
{
	char s[37];
	const struct dmb_part *p;

	assert_int_equal(t->label, DMB_PART_GPT);
	assert_int_equal(t->sector_size, ss);
	dmb_guid_format(t->disk_guid, false, s);
	assert_string_equal(s, DISK_GUID);
	assert_int_equal(t->entry_count, 128);
	assert_int_equal(t->count, 3);
	assert_int_equal(t->parts[0].number, 1);
	assert_int_equal(t->parts[1].number, 3);
	assert_int_equal(t->parts[2].number, 6);
	p = dmb_part_find(t, 3);
	assert_ptr_equal(p, &t->parts[1]);
	assert_null(dmb_part_find(t, 2));
	assert_null(dmb_part_find(t, 7));
	assert_int_equal(p->start_lba, 100);
	assert_int_equal(p->lba_count, 100);
	assert_int_equal(p->attrs, 1ull | 1ull << 60 | 1ull << 63);
	dmb_guid_format(p->type_guid, true, s);
	assert_string_equal(s, "C12A7328-F81F-11D2-BA4B-00A0C93EC93B");
	dmb_guid_format(p->uuid, false, s);
	assert_string_equal(s, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
	/* é ✓ and U+1F600 from a surrogate pair */
	assert_string_equal(p->name, "h\xc3\xa9l\xe2\x9c\x93 \xf0\x9f\x98\x80!");
	assert_string_equal(t->parts[0].name, "root");
	/* Lone surrogates become U+FFFD. */
	assert_string_equal(t->parts[2].name, "a\xef\xbf\xbd" "b\xef\xbf\xbd");
	assert_int_equal(t->parts[2].lba_count, 1);
	assert_false(t->parts[0].extended);
}

/* --- good tables -------------------------------------------------------------- */

static void test_gpt_512(void **state)
{
	struct img im;
	struct dmb_part_table *t;

	(void)state;
	gpt_std(&im);
	t = load_ok(&im, 9, 0);
	check_std_gpt(t, 512);
	assert_int_equal(t->first_lba, 34);
	assert_int_equal(t->last_lba, 2014);
	assert_int_equal(t->disk_lbas, 2048);
	assert_int_equal(t->backup_lba, 2047);
	assert_false(t->used_backup);
	assert_false(t->backup_bad);
	dmb_part_table_destroy(t);
	/* The same with the sector size given. */
	t = load_ok(&im, 9, 512);
	check_std_gpt(t, 512);
	dmb_part_table_destroy(t);
	img_free(&im);
}

/* 4096-byte sectors: found from where "EFI PART" sits, on 512- and 4096-byte block devices. */
static void test_gpt_4096(void **state)
{
	struct img im;
	struct dmb_part_table *t;

	(void)state;
	gpt_build(&im, 4096, 512, 128, 128, std_ents, ARRAY_SIZE(std_ents));
	for (unsigned shift = 9; shift <= 12; shift++) {
		t = load_ok(&im, shift, 0);
		check_std_gpt(t, 4096);
		assert_int_equal(t->first_lba, 6);
		assert_int_equal(t->last_lba, 506);
		dmb_part_table_destroy(t);
	}
	t = load_ok(&im, 9, 4096);
	dmb_part_table_destroy(t);
	/* Read as 512-byte sectors there is no GPT, only its protective MBR. */
	dmb_ctx_clear(&ctx);
	assert_int_equal(dmb_part_table_load(&ctx, img_bdev(&im, 9), 512, &t), DMB_ECORRUPT);
	assert_null(t);
	assert_non_null(strstr(ctx.msg, "no valid GPT: primary header at LBA 1: no signature"));
	/* With the primary gone, the backup in the last 4096-byte sector still tells the size. */
	memset(hdr(&im, 0), 0, 4096);
	t = load_ok(&im, 9, 0);
	assert_int_equal(t->sector_size, 4096);
	assert_true(t->used_backup);
	check_std_gpt(t, 4096);
	dmb_part_table_destroy(t);
	img_free(&im);
}

/* Entry sizes other than 128 and arrays of other lengths. */
static void test_gpt_entry_sizes(void **state)
{
	static const uint32_t sizes[] = { 128, 256, 512, 4096 };
	struct ent ents[ARRAY_SIZE(std_ents)];
	struct img im;
	struct dmb_part_table *t;

	(void)state;
	/* Past the largest array (16 x 4096 bytes = 128 sectors). */
	for (size_t i = 0; i < ARRAY_SIZE(ents); i++) {
		ents[i] = std_ents[i];
		ents[i].first += 1000;
		ents[i].last += 1000;
	}
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		gpt_build(&im, 512, 4096, 16, sizes[i], ents, ARRAY_SIZE(ents));
		/* The bytes after the name belong to the entry and its CRC, nothing else. */
		if (sizes[i] > 128) {
			memset(sector(&im, 2) + sizes[i] - 1, 0x5a, 1);
			memset(sector(&im, im.lbas - 1 - im.array_lbas) + sizes[i] - 1, 0x5a, 1);
			fix_both(&im);
		}
		t = load_ok(&im, 9, 0);
		assert_int_equal(t->entry_size, sizes[i]);
		assert_int_equal(t->entry_count, 16);
		assert_int_equal(t->count, 3);
		assert_string_equal(t->parts[1].name, "h\xc3\xa9l\xe2\x9c\x93 \xf0\x9f\x98\x80!");
		assert_false(t->used_backup || t->backup_bad);
		dmb_part_table_destroy(t);
		img_free(&im);
	}
}

/* A name of 36 units, every one 3 bytes of UTF-8, fills the name buffer exactly. */
static void test_gpt_long_name(void **state)
{
	uint16_t units[37];
	struct ent e = { 0, T_LINUX, "11111111-2222-3333-4444-555555555555", 40, 99, 0, units };
	struct img im;
	struct dmb_part_table *t;

	(void)state;
	for (size_t i = 0; i < 36; i++)
		units[i] = 0x4e2d;
	units[36] = 0;
	gpt_build(&im, 512, 2048, 128, 128, &e, 1);
	t = load_ok(&im, 9, 0);
	assert_int_equal(strlen(t->parts[0].name), 108);
	assert_int_equal(strlen(t->parts[0].name) + 1, DMB_PART_NAME_MAX);
	assert_memory_equal(t->parts[0].name, "\xe4\xb8\xad\xe4\xb8\xad", 6);
	dmb_part_table_destroy(t);
	img_free(&im);
}

/* An empty GPT: a table with no partitions. */
static void test_gpt_empty(void **state)
{
	struct img im;
	struct dmb_part_table *t;

	(void)state;
	gpt_build(&im, 512, 2048, 128, 128, NULL, 0);
	t = load_ok(&im, 9, 0);
	assert_int_equal(t->label, DMB_PART_GPT);
	assert_int_equal(t->count, 0);
	assert_null(dmb_part_find(t, 1));
	dmb_part_table_destroy(t);
	img_free(&im);
}

/* A hybrid MBR (GPT protective entry plus others): the GPT wins, as with Linux. */
static void test_gpt_hybrid(void **state)
{
	struct img im;
	struct dmb_part_table *t;

	(void)state;
	gpt_std(&im);
	mbr_put(im.mem, 1, 0x80, 0x83, 40, 60);
	mbr_put(im.mem, 2, 0x77, 0x0c, 100, 100); /* not a valid boot indicator: ignored too */
	t = load_ok(&im, 9, 0);
	check_std_gpt(t, 512);
	dmb_part_table_destroy(t);
	img_free(&im);
}

/* --- the two GPT copies -------------------------------------------------------- */

static void damage_primary_header(struct img *im)
{
	hdr(im, 0)[40] ^= 1;
}

static void damage_primary_array(struct img *im)
{
	sector(im, 2)[130] ^= 0x80;
}

static void damage_backup_header(struct img *im)
{
	hdr(im, 1)[20] ^= 1;
}

static void damage_backup_array(struct img *im)
{
	sector(im, im->lbas - 1 - im->array_lbas)[0] ^= 1;
}

static void wipe_backup(struct img *im)
{
	memset(hdr(im, 1), 0, im->ss);
}

/* The backup agrees with itself but not with the primary. */
static void backup_differs(struct img *im)
{
	dmbi_put_le64(hdr(im, 1) + 40, 35);
	fix_copy(im, 1, false);
}

/* The primary's alternate_lba points at the primary itself. */
static void alternate_is_primary(struct img *im)
{
	dmbi_put_le64(hdr(im, 0) + 32, 1);
	fix_copy(im, 0, false);
}

static const struct {
	const char *name;
	void (*damage)(struct img *im);
	bool used_backup;
	const char *log;
} fallbacks[] = {
	{ "primary header CRC", damage_primary_header, true,
	  "GPT: primary header at LBA 1: header CRC 0x" },
	{ "primary array CRC", damage_primary_array, true,
	  "GPT: primary header at LBA 1: entry array CRC 0x" },
	{ "backup header CRC", damage_backup_header, false,
	  "GPT: backup header at LBA 2047: header CRC 0x" },
	{ "backup array CRC", damage_backup_array, false,
	  "GPT: backup header at LBA 2047: entry array CRC 0x" },
	{ "backup missing", wipe_backup, false,
	  "GPT: backup header at LBA 2047: no signature; using the primary" },
	{ "backup differs", backup_differs, false,
	  "GPT: backup header at LBA 2047: differs from the primary; using the primary" },
	{ "alternate_lba 1", alternate_is_primary, false,
	  "GPT: backup header at LBA 1: the primary's alternate_lba is 1; using the primary" },
};

static void test_gpt_fallbacks(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(fallbacks); i++) {
		struct img im;
		struct dmb_part_table *t;

		gpt_std(&im);
		fallbacks[i].damage(&im);
		t = load_ok(&im, 9, 0);
		if (t->used_backup != fallbacks[i].used_backup ||
		    t->backup_bad == fallbacks[i].used_backup)
			fail_msg("%s: used_backup %d backup_bad %d", fallbacks[i].name, t->used_backup,
				 t->backup_bad);
		if (!strstr(test_port_last_log(), fallbacks[i].log))
			fail_msg("%s: logged \"%s\", want \"%s\"", fallbacks[i].name,
				 test_port_last_log(), fallbacks[i].log);
		check_std_gpt(t, 512);
		assert_int_equal(t->backup_lba, fallbacks[i].damage == alternate_is_primary ? 1 : 2047);
		/* No error is left behind by a recovered failure. */
		assert_int_equal(ctx.err, 0);
		dmb_part_table_destroy(t);
		img_free(&im);
	}
}

/* A grown image: the backup stays where the primary says it is. */
static void test_gpt_grown(void **state)
{
	struct img im, big;
	struct dmb_part_table *t;

	(void)state;
	gpt_std(&im);
	img_alloc(&big, 512, 4096);
	memcpy(big.mem, im.mem, im.bytes);
	t = load_ok(&big, 9, 0);
	assert_int_equal(t->backup_lba, 2047);
	assert_int_equal(t->disk_lbas, 4096);
	assert_false(t->backup_bad);
	check_std_gpt(t, 512);
	dmb_part_table_destroy(t);
	img_free(&big);
	img_free(&im);
}

/* --- malformed tables ---------------------------------------------------------- */

static void set32_both(struct img *im, size_t off, uint32_t v)
{
	for (int b = 0; b < 2; b++) {
		dmbi_put_le32(hdr(im, b) + off, v);
		fix_copy(im, b, false);
	}
}

static void set64_both(struct img *im, size_t off, uint64_t v)
{
	for (int b = 0; b < 2; b++) {
		dmbi_put_le64(hdr(im, b) + off, v);
		fix_copy(im, b, false);
	}
}

static void m_header_crc(struct img *im)
{
	damage_primary_header(im);
	damage_backup_header(im);
}

static void m_array_crc(struct img *im)
{
	damage_primary_array(im);
	damage_backup_array(im);
}

static void m_no_signature(struct img *im)
{
	hdr(im, 0)[0] = 'X';
	wipe_backup(im);
}

static void m_header_size_small(struct img *im)
{
	set32_both(im, 12, 91);
}

static void m_header_size_big(struct img *im)
{
	/* The CRC is over header_size bytes, so a bad size is caught before it. */
	dmbi_put_le32(hdr(im, 0) + 12, 513);
	dmbi_put_le32(hdr(im, 1) + 12, 513);
}

static void m_entry_size_odd(struct img *im)
{
	set32_both(im, 84, 130);
}

static void m_entry_size_zero(struct img *im)
{
	set32_both(im, 84, 0);
}

static void m_entry_size_big(struct img *im)
{
	set32_both(im, 84, 8192);
}

static void m_count_zero(struct img *im)
{
	set32_both(im, 80, 0);
}

static void m_count_cap(struct img *im)
{
	set32_both(im, 80, DMB_PART_MAX + 1);
}

static void m_array_cap(struct img *im)
{
	set32_both(im, 80, 4096);
	set32_both(im, 84, 512);
}

static void m_array_outside(struct img *im)
{
	set64_both(im, 72, im->lbas - 10);
}

static void m_array_usable(struct img *im)
{
	set64_both(im, 72, 40);
}

static void m_array_lba0(struct img *im)
{
	set64_both(im, 72, 0);
}

static void m_array_on_header(struct img *im)
{
	dmbi_put_le64(hdr(im, 0) + 72, 1);
	fix_copy(im, 0, false);
	dmbi_put_le64(hdr(im, 1) + 72, im->lbas - im->array_lbas);
	fix_copy(im, 1, false);
}

static void m_my_lba(struct img *im)
{
	set64_both(im, 24, 5);
}

static void m_usable_reversed(struct img *im)
{
	set64_both(im, 40, 1000);
	set64_both(im, 48, 999);
}

static void m_usable_past_end(struct img *im)
{
	set64_both(im, 48, im->lbas);
}

static void m_header_usable(struct img *im)
{
	dmbi_put_le64(hdr(im, 0) + 40, 1);
	fix_copy(im, 0, false);
	dmbi_put_le64(hdr(im, 1) + 48, im->lbas - 1);
	fix_copy(im, 1, false);
}

static void m_part_past_last(struct img *im)
{
	struct ent e = std_ents[2];

	e.last = 2015;
	put_entry(im, &e);
	fix_both(im);
}

static void m_part_before_first(struct img *im)
{
	struct ent e = std_ents[0];

	e.first = 33;
	put_entry(im, &e);
	fix_both(im);
}

static void m_start_after_end(struct img *im)
{
	struct ent e = std_ents[1];

	e.first = 200;
	e.last = 199;
	put_entry(im, &e);
	fix_both(im);
}

static void m_overlap(struct img *im)
{
	struct ent e = std_ents[2];

	e.first = 150;
	e.last = 160;
	put_entry(im, &e);
	fix_both(im);
}

static void m_overlap_edge(struct img *im)
{
	struct ent e = { 9, T_LINUX, "00000000-0000-0000-0000-000000000009", 99, 99, 0, NULL };

	put_entry(im, &e);
	fix_both(im);
}

static void set_extent(struct img *im, unsigned k, uint64_t first, uint64_t last)
{
	struct ent e = std_ents[k];

	e.first = first;
	e.last = last;
	put_entry(im, &e);
	fix_both(im);
}

static void m_part_on_header(struct img *im)
{
	set_extent(im, 0, 1, 99);
}

static void m_part_last_lba(struct img *im)
{
	set_extent(im, 2, 300, 2047);
}

static void m_end_far_before(struct img *im)
{
	set_extent(im, 1, 1000, 100);
}

static void m_part_past_disk(struct img *im)
{
	set_extent(im, 2, 300, 2048);
}

static void m_part_start_past(struct img *im)
{
	set_extent(im, 2, 5000, 6000);
}

static void m_part_end_max(struct img *im)
{
	set_extent(im, 1, 100, UINT64_MAX);
}

static void m_part_all_lbas(struct img *im)
{
	set_extent(im, 1, 0, UINT64_MAX);
}

/* Only the primary's entry 6 overlaps entry 3; the backup is as built. */
static void m_primary_overlap(struct img *im)
{
	uint8_t *e = sector(im, 2) + 5 * im->esize;

	dmbi_put_le64(e + 32, 150);
	dmbi_put_le64(e + 40, 160);
	fix_copy(im, 0, true);
}

/* The primary over a cap, the backup damaged: the primary's code, both reasons. */
static void m_cap_and_crc(struct img *im)
{
	dmbi_put_le32(hdr(im, 0) + 80, DMB_PART_MAX + 1);
	fix_copy(im, 0, false);
	damage_backup_header(im);
}

static void m_truncated(struct img *im)
{
	im->bytes = 1024 * 512;
}

static void m_tiny(struct img *im)
{
	im->bytes = 511;
}

static void m_no_mbr_signature(struct img *im)
{
	im->mem[511] = 0;
}

static void m_boot_indicator(struct img *im)
{
	memset(im->mem + 446, 0, 64);
	mbr_put(im->mem, 1, 0x12, 0x83, 40, 10);
}

/* Primary and backup headers for 512- and for 4096-byte sectors. */
static void m_two_sector_sizes(struct img *im)
{
	memcpy(sector(im, 8), hdr(im, 0), 512);
	dmbi_put_le64(sector(im, 8) + 24, 1);
}

/* --- MBR malformations (the image starts as an empty MBR over 2048 sectors) --- */

static void ebr(struct img *im, uint64_t at, uint32_t data_start, uint32_t data_size,
		uint32_t link_start, uint32_t link_size)
{
	uint8_t *s = sector(im, at);

	memset(s, 0, 512);
	if (data_size)
		mbr_put(s, 0, 0, 0x83, data_start, data_size);
	if (link_size)
		mbr_put(s, 1, 0, 0x05, link_start, link_size);
	s[510] = 0x55;
	s[511] = 0xaa;
}

static void m_mbr_past_end(struct img *im)
{
	mbr_put(im->mem, 0, 0, 0x83, 100, 100);
	mbr_put(im->mem, 1, 0, 0x83, 2000, 49);
}

static void m_mbr_ext_past_end(struct img *im)
{
	mbr_put(im->mem, 3, 0, 0x0f, 1000, 1049);
}

static void m_ebr_loop(struct img *im)
{
	mbr_put(im->mem, 0, 0, 0x05, 1000, 1000);
	ebr(im, 1000, 1, 10, 100, 20);
	ebr(im, 1100, 1, 10, 200, 20);
	ebr(im, 1200, 1, 10, 100, 20); /* back to 1100 */
}

static void m_ebr_self_loop(struct img *im)
{
	mbr_put(im->mem, 0, 0, 0x85, 1000, 1000);
	ebr(im, 1000, 0, 0, 0, 20); /* links to itself, no data */
}

static void m_ebr_outside(struct img *im)
{
	mbr_put(im->mem, 0, 0, 0x05, 1000, 100);
	ebr(im, 1000, 1, 10, 200, 20);
}

static void m_ebr_no_signature(struct img *im)
{
	mbr_put(im->mem, 0, 0, 0x05, 1000, 1000);
	ebr(im, 1000, 1, 10, 100, 20);
}

static void m_ext_truncated(struct img *im)
{
	mbr_put(im->mem, 0, 0, 0x05, 1000, 1048);
	ebr(im, 1000, 1, 10, 100, 20);
	im->bytes = 1050 * 512; /* the extended partition now ends past the device */
}

/* 4097 EBRs, each with only a link: the chain is capped. */
static void m_ebr_chain_long(struct img *im)
{
	mbr_put(im->mem, 0, 0, 0x05, 16, (uint32_t)(im->lbas - 16));
	for (uint64_t i = 0; i <= DMB_PART_MAX; i++)
		ebr(im, 16 + i, 0, 0, (uint32_t)(i + 1), 1);
}

/* 4093 logical partitions after 4 primaries: one partition over the cap. */
static void m_too_many_logicals(struct img *im)
{
	mbr_put(im->mem, 0, 0, 0x05, 16, (uint32_t)(im->lbas - 16));
	mbr_put(im->mem, 1, 0, 0x83, 1, 1);
	mbr_put(im->mem, 2, 0, 0x83, 2, 1);
	mbr_put(im->mem, 3, 0, 0x83, 3, 1);
	for (uint64_t i = 0; i < DMB_PART_MAX - 3; i++)
		ebr(im, 16 + 2 * i, 1, 1, (uint32_t)(2 * i + 2), 2);
}

struct bad {
	const char *name;
	bool mbr;               /* start from an empty MBR (else the standard GPT) */
	void (*mutate)(struct img *im);
	unsigned sector_size;
	int err;
	const char *msg;        /* the whole message when it starts with '=', else a substring */
};

static const struct bad bad_tables[] = {
	{ "header CRC", false, m_header_crc, 0, DMB_ECORRUPT,
	  "no valid GPT: primary header at LBA 1: header CRC 0x" },
	{ "array CRC", false, m_array_crc, 0, DMB_ECORRUPT,
	  "; backup header at LBA 2047: entry array CRC 0x" },
	{ "no signature", false, m_no_signature, 0, DMB_ECORRUPT,
	  "=no valid GPT: primary header at LBA 1: no signature; backup header at LBA 2047: no signature" },
	{ "header_size 91", false, m_header_size_small, 0, DMB_ECORRUPT,
	  "primary header at LBA 1: header_size 91 outside 92..512" },
	{ "header_size 513", false, m_header_size_big, 0, DMB_ECORRUPT,
	  "backup header at LBA 2047: header_size 513 outside 92..512" },
	{ "entry size 130", false, m_entry_size_odd, 0, DMB_ECORRUPT,
	  "primary header at LBA 1: entry size 130 is not a multiple of 128" },
	{ "entry size 0", false, m_entry_size_zero, 0, DMB_ECORRUPT,
	  "entry size 0 is not a multiple of 128" },
	{ "entry size over the cap", false, m_entry_size_big, 0, DMB_ERANGE,
	  "entry size 8192 over the limit of 4096" },
	{ "no entries", false, m_count_zero, 0, DMB_ECORRUPT, "no partition entries" },
	{ "entry count over the cap", false, m_count_cap, 0, DMB_ERANGE,
	  "4097 partition entries, over the limit of 4096" },
	{ "entry array over the cap", false, m_array_cap, 0, DMB_ERANGE,
	  "entry array of 2097152 bytes, over the limit of 1048576" },
	{ "array outside the disk", false, m_array_outside, 0, DMB_ECORRUPT,
	  "entry array at LBA 2038 past the end of the device" },
	{ "array in the usable area", false, m_array_usable, 0, DMB_ECORRUPT,
	  "entry array at LBA 40 overlaps the usable LBAs" },
	{ "array at LBA 0", false, m_array_lba0, 0, DMB_ECORRUPT,
	  "entry array at LBA 0 overlaps a header" },
	{ "array over its header", false, m_array_on_header, 0, DMB_ECORRUPT,
	  "=no valid GPT: primary header at LBA 1: entry array at LBA 1 overlaps a header; backup header at LBA 2047: entry array at LBA 2016 overlaps a header" },
	{ "my_lba", false, m_my_lba, 0, DMB_ECORRUPT,
	  "=no valid GPT: primary header at LBA 1: my_lba 5; backup header at LBA 2047: my_lba 5" },
	{ "usable range reversed", false, m_usable_reversed, 0, DMB_ECORRUPT,
	  "first_usable_lba 1000 > last_usable_lba 999" },
	{ "usable range past the end", false, m_usable_past_end, 0, DMB_ECORRUPT,
	  "last_usable_lba 2048 past the end of the device (2048 sectors)" },
	{ "header in the usable range", false, m_header_usable, 0, DMB_ECORRUPT,
	  "=no valid GPT: primary header at LBA 1: header inside the usable LBAs 1..2014; backup header at LBA 2047: header inside the usable LBAs 34..2047" },
	{ "over a cap, other copy damaged", false, m_cap_and_crc, 0, DMB_ERANGE,
	  "primary header at LBA 1: 4097 partition entries, over the limit of 4096; backup header at LBA 2047: header CRC" },
	{ "truncated device", false, m_truncated, 0, DMB_ECORRUPT,
	  "=no valid GPT: primary header at LBA 1: last_usable_lba 2014 past the end of the device (1024 sectors); backup header at LBA 1023: no signature" },
	{ "device under one sector", false, m_tiny, 0, DMB_ENOENT,
	  "=no partition table: device smaller than 512 bytes" },
	{ "no MBR signature", false, m_no_mbr_signature, 0, DMB_ENOENT,
	  "=no partition table: no MBR signature 55 aa" },
	{ "headers for two sector sizes", false, m_two_sector_sizes, 0, DMB_ECORRUPT,
	  "=GPT primary headers for both 512- and 4096-byte sectors" },
	{ "sector size 768", false, NULL, 768, DMB_EINVAL,
	  "=sector size 768: not 512, 1024, 2048 or 4096 bytes" },
	{ "sector size 8192", false, NULL, 8192, DMB_EINVAL,
	  "=sector size 8192: not 512, 1024, 2048 or 4096 bytes" },
	{ "boot indicator", true, m_boot_indicator, 0, DMB_ENOENT,
	  "=no partition table: MBR entry 2 has boot indicator 0x12" },
	{ "MBR partition past the end", true, m_mbr_past_end, 0, DMB_ECORRUPT,
	  "=partition 2 (sectors 2000..2048) lies past the end of the device (2048 sectors)" },
	{ "MBR extended past the end", true, m_mbr_ext_past_end, 0, DMB_ECORRUPT,
	  "=partition 4 (sectors 1000..2048) lies past the end of the device (2048 sectors)" },
	{ "EBR loop", true, m_ebr_loop, 0, DMB_ECORRUPT,
	  "=EBR at sector 1100 is linked twice: the chain of logical partitions loops" },
	{ "EBR linked to itself", true, m_ebr_self_loop, 0, DMB_ECORRUPT,
	  "=EBR at sector 1000 is linked twice: the chain of logical partitions loops" },
	{ "EBR outside its extended partition", true, m_ebr_outside, 0, DMB_ECORRUPT,
	  "=EBR at sector 1200 lies outside extended partition 1 (sectors 1000..1099)" },
	{ "EBR without signature", true, m_ebr_no_signature, 0, DMB_ECORRUPT,
	  "=EBR at sector 1100 has no signature 55 aa" },
	{ "extended partition on a truncated device", true, m_ext_truncated, 0, DMB_ECORRUPT,
	  "=partition 1 (sectors 1000..2047) lies past the end of the device (1050 sectors)" },
	{ "EBR chain too long", true, m_ebr_chain_long, 0, DMB_ERANGE,
	  "=more than 4096 EBRs in the chain of logical partitions" },
	{ "too many logical partitions", true, m_too_many_logicals, 0, DMB_ERANGE,
	  "=more than 4096 partitions" },
};

static void run_bad(const struct bad *b)
{
	struct dmb_part_table *t = (struct dmb_part_table *)1;
	struct img im;
	bool whole = b->msg[0] == '=';
	const char *want = whole ? b->msg + 1 : b->msg;
	int r;

	if (b->mbr) {
		/* Big enough for the long chains; smaller cases cut it with bytes. */
		uint64_t lbas = b->mutate == m_ebr_chain_long || b->mutate == m_too_many_logicals
					? 16 + 2 * (DMB_PART_MAX + 2)
					: 2048;

		img_alloc(&im, 512, lbas);
		mbr_put(im.mem, 0, 0, 0, 0, 0);
	} else {
		gpt_std(&im);
	}
	if (b->mutate)
		b->mutate(&im);
	dmb_ctx_clear(&ctx);
	dmb_ram_bdev_init(&im.rb, im.mem, im.bytes, 9, false);
	r = dmb_part_table_load(&ctx, &im.rb.bdev, b->sector_size, &t);
	if (r != b->err || (whole ? strcmp(ctx.msg, want) != 0 : !strstr(ctx.msg, want)))
		fail_msg("%s: got %d \"%s\", want %d \"%s\"", b->name, r, ctx.msg, b->err, b->msg);
	if (t != NULL)
		fail_msg("%s: *out not NULL after failure", b->name);
	assert_int_equal(ctx.err, b->err);
	assert_int_equal(test_port_live_allocs(), baseline);
	img_free(&im);
}

static void test_bad_tables(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad_tables); i++)
		run_bad(&bad_tables[i]);
}

/*
 * Entries Linux takes as they are (block/partitions/efi.c checks none for
 * overlap or the usable range) and those it makes no partition of (ending
 * past the device's last LBA, or before they start): the primary is used
 * either way, every entry is listed, and the latter are found by no lookup.
 */
struct like_linux {
	const char *name;
	void (*mutate)(struct img *im);
	unsigned number;        /* the entry the case is about */
	bool mapped;            /* Linux makes a partition of it */
	uint64_t start, count;
	bool backup_bad;
	const char *log;        /* a substring of the last log line; NULL: nothing logged */
};

static const struct like_linux like_linux_tables[] = {
	{ "partition past last_lba", m_part_past_last, 6, true, 300, 1716, false, NULL },
	{ "partition before first_lba", m_part_before_first, 1, true, 33, 67, false, NULL },
	{ "partition over the primary header", m_part_on_header, 1, true, 1, 99, false, NULL },
	{ "partition on the device's last LBA", m_part_last_lba, 6, true, 300, 1748, false, NULL },
	{ "overlapping partitions", m_overlap, 6, true, 150, 11, false, NULL },
	{ "partitions sharing one sector", m_overlap_edge, 10, true, 99, 1, false, NULL },
	{ "overlap in the primary only", m_primary_overlap, 6, true, 150, 11, true,
	  "GPT: backup header at LBA 2047: differs from the primary; using the primary" },
	{ "start > end", m_start_after_end, 3, false, 200, 0, false,
	  "=GPT: entry 3 ends (LBA 199) before it starts (LBA 200): no partition 3" },
	{ "end far before start", m_end_far_before, 3, false, 1000, 0, false,
	  "=GPT: entry 3 ends (LBA 100) before it starts (LBA 1000): no partition 3" },
	{ "partition past the end of the device", m_part_past_disk, 6, false, 300, 1749, false,
	  "=GPT: entry 6 (LBA 300..2048) lies past the end of the device (2048 sectors): no partition 6" },
	{ "partition starting past the end", m_part_start_past, 6, false, 5000, 1001, false,
	  "=GPT: entry 6 (LBA 5000..6000) lies past the end of the device (2048 sectors): no partition 6" },
	{ "partition ending at LBA 2^64-1", m_part_end_max, 3, false, 100, 0 - 100ull, false,
	  "=GPT: entry 3 (LBA 100..18446744073709551615) lies past the end of the device (2048 sectors): no partition 3" },
	{ "partition over all 2^64 LBAs", m_part_all_lbas, 3, false, 0, 0, false,
	  "=GPT: entry 3 (LBA 0..18446744073709551615) lies past the end of the device (2048 sectors): no partition 3" },
};

static const struct dmb_part *listed(const struct dmb_part_table *t, unsigned number)
{
	for (size_t i = 0; i < t->count; i++)
		if (t->parts[i].number == number)
			return &t->parts[i];
	return NULL;
}

static void run_like_linux(const struct like_linux *c)
{
	static const char marker[] = "nothing logged";
	struct img im;
	struct dmb_part_table *t;
	const struct dmb_part *p, *found;
	struct dmb_slice_bdev sb;
	char uuid[DMB_PART_UUID_MAX];
	const char *log;

	gpt_std(&im);
	c->mutate(&im);
	dmbi_log(&ctx, DMB_LOG_WARN, "%s", marker);
	t = load_ok(&im, 9, 0);
	log = test_port_last_log();
	if (c->log ? (c->log[0] == '=' ? strcmp(log, c->log + 1) != 0 : !strstr(log, c->log))
		   : strcmp(log, marker) != 0)
		fail_msg("%s: logged \"%s\", want \"%s\"", c->name, log, c->log ? c->log : "");
	if (t->used_backup || t->backup_bad != c->backup_bad)
		fail_msg("%s: used_backup %d backup_bad %d", c->name, t->used_backup, t->backup_bad);
	assert_int_equal(t->count, c->mutate == m_overlap_edge ? 4 : 3);
	p = listed(t, c->number);
	if (!p || p->start_lba != c->start || p->lba_count != c->count || p->no_device == c->mapped)
		fail_msg("%s: partition %u listed %d at %llu+%llu no_device %d", c->name, c->number,
			 p != NULL, p ? (unsigned long long)p->start_lba : 0ull,
			 p ? (unsigned long long)p->lba_count : 0ull, p ? p->no_device : 0);
	dmb_part_uuid(t, p, uuid);
	found = c->mapped ? p : NULL;
	assert_ptr_equal(dmb_part_find(t, c->number), found);
	assert_int_equal(dmb_part_find_uuid(t, uuid, NULL), c->mapped);
	if (p->name[0])
		assert_int_equal(dmb_part_find_label(t, p->name, NULL), c->mapped);
	dmb_ctx_clear(&ctx);
	assert_int_equal(dmb_part_slice(&ctx, &im.rb.bdev, t, p, &sb), c->mapped ? 0 : DMB_ERANGE);
	if (c->mapped)
		assert_int_equal(dmb_bdev_bytes(&sb.bdev), c->count * 512);
	else
		assert_non_null(strstr(ctx.msg, "no device"));
	dmb_part_table_destroy(t);
	img_free(&im);
}

static void test_gpt_entries_like_linux(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(like_linux_tables); i++)
		run_like_linux(&like_linux_tables[i]);
}

/* Sector sizes the device cannot have, and devices whose blocks are too large. */
static void test_bad_sector_sizes(void **state)
{
	struct img im;
	struct dmb_part_table *t;

	(void)state;
	gpt_build(&im, 4096, 512, 128, 128, std_ents, ARRAY_SIZE(std_ents));
	dmb_ctx_clear(&ctx);
	assert_int_equal(dmb_part_table_load(&ctx, img_bdev(&im, 12), 512, &t), DMB_EINVAL);
	assert_string_equal(ctx.msg, "sector size 512 is smaller than the device's block size 4096");
	assert_int_equal(dmb_part_table_load(&ctx, img_bdev(&im, 13), 0, &t), DMB_EINVAL);
	assert_string_equal(ctx.msg,
			    "device block size 8192 is larger than any partition table sector");
	assert_null(t);
	img_free(&im);
}

/* --- MBR -------------------------------------------------------------------------- */

/*
 * 1: bootable Linux, 2: extended (EBRs at 1000, 1100, 1300), 4: FAT; slot 3
 * empty.  Logical 5 at 1001, 6 at 1110 (data offset 10), 7 at 1301.
 */
static void mbr_std(struct img *im, unsigned ss)
{
	img_alloc(im, ss, 2048);
	dmbi_put_le32(im->mem + 440, 0xdeadbeef);
	mbr_put(im->mem, 0, 0x80, 0x83, 100, 100);
	mbr_put(im->mem, 1, 0, 0x05, 1000, 900);
	mbr_put(im->mem, 3, 0, 0x0c, 1900, 148);
	ebr(im, 1000, 1, 50, 100, 100);
	ebr(im, 1100, 10, 90, 300, 50);
	ebr(im, 1300, 1, 40, 0, 0);
}

static void check_mbr_std(const struct dmb_part_table *t, unsigned ss)
{
	static const struct {
		unsigned number;
		uint64_t start, count;
		uint8_t type;
		bool boot, ext;
	} want[] = {
		{ 1, 100, 100, 0x83, true, false }, { 2, 1000, 900, 0x05, false, true },
		{ 4, 1900, 148, 0x0c, false, false }, { 5, 1001, 50, 0x83, false, false },
		{ 6, 1110, 90, 0x83, false, false }, { 7, 1301, 40, 0x83, false, false },
	};
	char s[DMB_PART_UUID_MAX];

	assert_int_equal(t->label, DMB_PART_MBR);
	assert_int_equal(t->sector_size, ss);
	assert_int_equal(t->mbr_id, 0xdeadbeef);
	assert_int_equal(t->count, ARRAY_SIZE(want));
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		const struct dmb_part *p = &t->parts[i];

		assert_int_equal(p->number, want[i].number);
		assert_int_equal(p->start_lba, want[i].start);
		assert_int_equal(p->lba_count, want[i].count);
		assert_int_equal(p->mbr_type, want[i].type);
		assert_int_equal(p->bootable, want[i].boot);
		assert_int_equal(p->extended, want[i].ext);
	}
	dmb_part_uuid(t, &t->parts[3], s);
	assert_string_equal(s, "deadbeef-05");
}

static void test_mbr(void **state)
{
	struct img im;
	struct dmb_part_table *t;

	(void)state;
	mbr_std(&im, 512);
	t = load_ok(&im, 9, 0);
	check_mbr_std(t, 512);
	dmb_part_table_destroy(t);
	img_free(&im);
	/* The same table read with 4096-byte sectors (given; an MBR does not tell). */
	mbr_std(&im, 4096);
	t = load_ok(&im, 9, 4096);
	check_mbr_std(t, 4096);
	dmb_part_table_destroy(t);
	t = load_ok(&im, 12, 0);
	check_mbr_std(t, 4096);
	dmb_part_table_destroy(t);
	img_free(&im);
}

/* Linux's rules for EBRs: entries 3 and 4 only when they fit, several data entries. */
static void test_mbr_ebr_rules(void **state)
{
	struct img im;
	struct dmb_part_table *t;

	(void)state;
	img_alloc(&im, 512, 2048);
	mbr_put(im.mem, 0, 0, 0x0f, 1000, 500);
	ebr(&im, 1000, 1, 10, 0, 0);
	mbr_put(sector(&im, 1000), 1, 0, 0x07, 20, 10);      /* a second data entry: counted */
	mbr_put(sector(&im, 1000), 2, 0, 0x83, 40, 10);      /* fits: counted */
	mbr_put(sector(&im, 1000), 3, 0, 0x83, 400, 200);    /* past the chain's area: garbage */
	t = load_ok(&im, 9, 0);
	assert_int_equal(t->count, 4);
	assert_int_equal(t->parts[1].number, 5);
	assert_int_equal(t->parts[2].number, 6);
	assert_int_equal(t->parts[2].mbr_type, 0x07);
	assert_int_equal(t->parts[3].number, 7);
	assert_int_equal(t->parts[3].start_lba, 1040);
	dmb_part_table_destroy(t);
	img_free(&im);
}

/*
 * Overlapping MBR partitions are partitions, as for Linux and sfdisk: a
 * hybrid ISO image's first partition (type 0, from sector 0) covers the
 * whole image and its EFI partition; a logical partition may run out of its
 * extended partition.
 */
static void test_mbr_overlaps(void **state)
{
	struct img im;
	struct dmb_part_table *t;

	(void)state;
	img_alloc(&im, 512, 2048);
	mbr_put(im.mem, 0, 0x80, 0x00, 0, 2048);
	mbr_put(im.mem, 1, 0, 0xef, 100, 20);
	t = load_ok(&im, 9, 0);
	assert_int_equal(t->count, 2);
	assert_true(t->parts[0].bootable && t->parts[0].start_lba == 0 &&
		    t->parts[0].lba_count == 2048 && t->parts[0].mbr_type == 0);
	assert_true(t->parts[1].start_lba == 100 && t->parts[1].mbr_type == 0xef);
	dmb_part_table_destroy(t);
	memset(im.mem, 0, 512);
	mbr_put(im.mem, 0, 0, 0x83, 100, 100);
	mbr_put(im.mem, 1, 0, 0x05, 1000, 500);
	mbr_put(im.mem, 3, 0, 0x83, 1600, 100);
	ebr(&im, 1000, 1, 1000, 0, 0);  /* logical 5: sectors 1001..2000, over partition 4 */
	t = load_ok(&im, 9, 0);
	assert_int_equal(t->count, 4);
	assert_int_equal(t->parts[3].number, 5);
	assert_int_equal(t->parts[3].start_lba, 1001);
	assert_int_equal(t->parts[3].lba_count, 1000);
	dmb_part_table_destroy(t);
	img_free(&im);
}

/* An extended partition with no logical ones, and an MBR with no partitions. */
static void test_mbr_empty(void **state)
{
	struct img im;
	struct dmb_part_table *t;

	(void)state;
	img_alloc(&im, 512, 2048);
	dmbi_put_le32(im.mem + 440, 0x12345678);
	mbr_put(im.mem, 0, 0, 0, 0, 0);
	t = load_ok(&im, 9, 0);
	assert_int_equal(t->label, DMB_PART_MBR);
	assert_int_equal(t->count, 0);
	assert_int_equal(t->mbr_id, 0x12345678);
	dmb_part_table_destroy(t);
	mbr_put(im.mem, 0, 0, 0x05, 100, 100);
	t = load_ok(&im, 9, 0);
	assert_int_equal(t->count, 1);
	assert_true(t->parts[0].extended);
	dmb_part_table_destroy(t);
	img_free(&im);
}

/* --- lookups and slices ---------------------------------------------------------- */

static void test_find_uuid_label(void **state)
{
	struct img im;
	struct dmb_part_table *t;
	const struct dmb_part *p;
	char s[DMB_PART_UUID_MAX];

	(void)state;
	gpt_std(&im);
	t = load_ok(&im, 9, 0);
	dmb_part_uuid(t, &t->parts[1], s);
	assert_string_equal(s, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
	assert_int_equal(dmb_part_find_uuid(t, "AAAAAAAA-bbbb-CCCC-dddd-EEEEEEEEEEEE", &p), 1);
	assert_ptr_equal(p, &t->parts[1]);
	assert_int_equal(dmb_part_find_uuid(t, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeef", &p), 0);
	assert_null(p);
	assert_int_equal(dmb_part_find_label(t, "root", &p), 1);
	assert_ptr_equal(p, &t->parts[0]);
	assert_int_equal(dmb_part_find_label(t, "Root", NULL), 0);
	assert_int_equal(dmb_part_find_label(t, "", &p), 0);
	assert_null(p);
	dmb_part_table_destroy(t);
	img_free(&im);

	/* Two partitions with one label: both counted, the first returned. */
	{
		struct ent e[2] = { std_ents[0], std_ents[1] };

		e[1].name = name_ascii;
		gpt_build(&im, 512, 2048, 128, 128, e, 2);
		t = load_ok(&im, 9, 0);
		assert_int_equal(dmb_part_find_label(t, "root", &p), 2);
		assert_int_equal(p->number, 1);
		dmb_part_table_destroy(t);
		img_free(&im);
	}

	mbr_std(&im, 512);
	t = load_ok(&im, 9, 0);
	assert_int_equal(dmb_part_find_uuid(t, "DEADBEEF-06", &p), 1);
	assert_int_equal(p->number, 6);
	assert_int_equal(dmb_part_find_uuid(t, "deadbeef-3", &p), 0);
	assert_int_equal(dmb_part_find_label(t, "root", &p), 0);
	dmb_part_table_destroy(t);
	img_free(&im);
}

static void test_slice(void **state)
{
	struct img im;
	struct dmb_part_table *t;
	struct dmb_slice_bdev sb;
	struct rng rng;
	uint8_t buf[100 * 512];

	(void)state;
	rng_seed(&rng, 7);
	mbr_std(&im, 512);
	rng_fill(&rng, sector(&im, 100), 100 * 512);
	t = load_ok(&im, 9, 0);
	assert_int_equal(dmb_part_slice(&ctx, &im.rb.bdev, t, dmb_part_find(t, 1), &sb), 0);
	assert_int_equal(sb.bdev.num_blocks, 100);
	assert_int_equal(dmb_bdev_read_bytes(&sb.bdev, 0, sizeof(buf), buf), 0);
	assert_memory_equal(buf, sector(&im, 100), sizeof(buf));
	assert_int_equal(dmb_bdev_read_bytes(&sb.bdev, 1, sizeof(buf), buf), DMB_ERANGE);
	/* The extended partition is its first 1 KiB, as with Linux. */
	assert_int_equal(dmb_part_slice(&ctx, &im.rb.bdev, t, dmb_part_find(t, 2), &sb), 0);
	assert_int_equal(sb.first_block, 1000);
	assert_int_equal(sb.bdev.num_blocks, 2);
	/* A table from a larger device does not fit this one. */
	im.rb.bdev.num_blocks = 1500;
	assert_int_equal(dmb_part_slice(&ctx, &im.rb.bdev, t, dmb_part_find(t, 4), &sb),
			 DMB_ERANGE);
	assert_string_equal(ctx.msg, "partition 4 lies past the end of the device");
	dmb_part_table_destroy(t);
	img_free(&im);

	/* 4096-byte sectors over a 4096-byte-block device; 512-byte sectors there do not divide. */
	gpt_build(&im, 4096, 512, 128, 128, std_ents, ARRAY_SIZE(std_ents));
	t = load_ok(&im, 12, 0);
	assert_int_equal(dmb_part_slice(&ctx, &im.rb.bdev, t, dmb_part_find(t, 3), &sb), 0);
	assert_int_equal(sb.first_block, 100);
	assert_int_equal(sb.bdev.num_blocks, 100);
	t->sector_size = 512;
	assert_int_equal(dmb_part_slice(&ctx, &im.rb.bdev, t, dmb_part_find(t, 1), &sb),
			 DMB_EINVAL);
	assert_string_equal(ctx.msg, "partition 1: not a whole number of the device's 4096-byte blocks");
	dmb_part_table_destroy(t);
	img_free(&im);
}

/* --- failures ----------------------------------------------------------------------- */

typedef void (*build_fn)(struct img *im);

static void build_gpt_std(struct img *im)
{
	gpt_std(im);
}

static void build_gpt_damaged(struct img *im)
{
	gpt_std(im);
	damage_primary_array(im);
}

static void build_mbr_std(struct img *im)
{
	mbr_std(im, 512);
}

static void build_gpt_4096(struct img *im)
{
	gpt_build(im, 4096, 512, 128, 128, std_ents, ARRAY_SIZE(std_ents));
}

static const build_fn builders[] = { build_gpt_std, build_gpt_damaged, build_mbr_std,
				     build_gpt_4096 };

/* The n-th allocation failing, for every n: DMB_ENOMEM, nothing leaked, until it succeeds. */
static void test_alloc_failures(void **state)
{
	(void)state;
	for (size_t b = 0; b < ARRAY_SIZE(builders); b++) {
		struct img im;
		long n;

		builders[b](&im);
		for (n = 1; n < 1000; n++) {
			struct dmb_part_table *t = NULL;
			int r;

			dmb_ctx_clear(&ctx);
			test_port_fail_alloc_at(n);
			r = dmb_part_table_load(&ctx, img_bdev(&im, b == 3 ? 12 : 9), 0, &t);
			test_port_fail_alloc_at(0);
			if (r == 0) {
				assert_true(test_port_alloc_count() < n);
				dmb_part_table_destroy(t);
				break;
			}
			if (r != DMB_ENOMEM)
				fail_msg("builder %zu: allocation %ld failing gave %d (%s)", b, n, r,
					 ctx.msg);
			assert_null(t);
			assert_int_equal(ctx.err, DMB_ENOMEM);
			if (test_port_live_allocs() != baseline)
				fail_msg("builder %zu: allocation %ld failing leaked %ld", b, n,
					 test_port_live_allocs() - baseline);
		}
		assert_true(n > 2);
		img_free(&im);
	}
}

/*
 * The n-th read failing (and every later one), for every n: the table is
 * either read correctly (the failure hit only a copy it could do without)
 * or the load fails with DMB_EIO; nothing leaks either way.
 */
static void test_read_failures(void **state)
{
	(void)state;
	for (size_t b = 0; b < ARRAY_SIZE(builders); b++) {
		struct img im;
		uint64_t n;
		int ok = 0, eio = 0;

		builders[b](&im);
		for (n = 1; n < 100; n++) {
			struct dmb_part_table *t = NULL;
			int r;

			dmb_fault_bdev_init(&im.fb, img_bdev(&im, b == 3 ? 12 : 9));
			im.fb.fail_read_at = n;
			dmb_ctx_clear(&ctx);
			r = dmb_part_table_load(&ctx, &im.fb.bdev, 0, &t);
			if (r == 0) {
				ok++;
				if (b == 2)
					check_mbr_std(t, 512);
				else
					check_std_gpt(t, b == 3 ? 4096 : 512);
				dmb_part_table_destroy(t);
				if (im.fb.reads < n)
					break;
				continue;
			}
			eio++;
			if (r != DMB_EIO && r != DMB_ECORRUPT)
				fail_msg("builder %zu: read %llu failing gave %d (%s)", b,
					 (unsigned long long)n, r, ctx.msg);
			assert_null(t);
			assert_int_equal(test_port_live_allocs(), baseline);
		}
		assert_true(eio > 0 && ok > 0);
		img_free(&im);
	}
}

/* A flipped bit anywhere in the standard GPT's metadata still reads the same table. */
static void test_bit_flips(void **state)
{
	struct img im;
	uint64_t spots[][2] = { { 1, 0 }, { 1, 90 }, { 2, 0 }, { 2, 200 }, { 33, 511 },
				{ 2047, 3 }, { 2046, 17 } };

	(void)state;
	gpt_std(&im);
	for (size_t i = 0; i < ARRAY_SIZE(spots); i++) {
		struct dmb_part_table *t = NULL;

		dmb_fault_bdev_init(&im.fb, img_bdev(&im, 9));
		im.fb.flip_bit = (spots[i][0] * 512 + spots[i][1]) * 8 + 3;
		dmb_ctx_clear(&ctx);
		assert_int_equal(dmb_part_table_load(&ctx, &im.fb.bdev, 0, &t), 0);
		check_std_gpt(t, 512);
		assert_true(t->used_backup || t->backup_bad);
		dmb_part_table_destroy(t);
	}
	img_free(&im);
}

/* --- GUIDs ---------------------------------------------------------------------------- */

static void test_guid(void **state)
{
	/* formats.md §6.3: the root x86-64 type GUID and its on-disk bytes. */
	static const uint8_t disk[16] = { 0xe3, 0xbc, 0x68, 0x4f, 0xcd, 0xe8, 0xb1, 0x4d,
					  0x96, 0xe7, 0xfb, 0xca, 0xf9, 0x84, 0xb7, 0x09 };
	static const uint8_t canon[16] = { 0x4f, 0x68, 0xbc, 0xe3, 0xe8, 0xcd, 0x4d, 0xb1,
					   0x96, 0xe7, 0xfb, 0xca, 0xf9, 0x84, 0xb7, 0x09 };
	static const char *const bad[] = {
		"", "4f68bce3-e8cd-4db1-96e7-fbcaf984b70", "4f68bce3-e8cd-4db1-96e7-fbcaf984b7090",
		"4f68bce3e8cd-4db1-96e7-fbcaf984b709-", "4f68bce3-e8cd-4db1-96e7_fbcaf984b709",
		"4f68bce3-e8cd-4db1-96e7-fbcaf984b70g", " 4f68bce3-e8cd-4db1-96e7-fbcaf984b709",
		"4f68bce3-e8cd-4db1-96e7-fbcaf984b709 ", "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B7G9",
		"{4f68bce3-e8cd-4db1-96e7-fbcaf984b709}", "4f68bce3-e8cd-4db1-96e-7fbcaf984b709",
	};
	uint8_t g[16], d[16];
	char s[37];

	(void)state;
	dmb_guid_from_disk(disk, g);
	assert_memory_equal(g, canon, 16);
	dmb_guid_format(g, false, s);
	assert_string_equal(s, "4f68bce3-e8cd-4db1-96e7-fbcaf984b709");
	dmb_guid_format(g, true, s);
	assert_string_equal(s, "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709");
	memset(g, 0, sizeof(g));
	assert_int_equal(dmb_guid_parse("4F68bce3-E8CD-4db1-96E7-fbcaf984B709", g), 0);
	assert_memory_equal(g, canon, 16);
	dmb_guid_to_disk(g, d);
	assert_memory_equal(d, disk, 16);
	/* In place, and back: the swap is its own inverse. */
	dmb_guid_from_disk(d, d);
	assert_memory_equal(d, canon, 16);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		memcpy(g, canon, 16);
		if (dmb_guid_parse(bad[i], g) != DMB_EINVAL)
			fail_msg("parsed \"%s\"", bad[i]);
		assert_memory_equal(g, canon, 16);
	}
	/* Every byte value survives format then parse. */
	for (unsigned v = 0; v < 256; v++) {
		for (size_t i = 0; i < 16; i++)
			g[i] = (uint8_t)(v + i * 17);
		dmb_guid_format(g, v & 1, s);
		assert_int_equal(dmb_guid_parse(s, d), 0);
		assert_memory_equal(d, g, 16);
	}
}

/* --- partition names and the partition resolver ------------------------------------ */

static void test_part_names(void **state)
{
	static const struct {
		const char *name;
		int r;
		enum dmb_part_name_kind kind;
		size_t base_len;
		unsigned number;
		const char *value;
	} rows[] = {
		{ "disk.img:p1", 0, DMB_PART_NAME_NUMBER, 8, 1, NULL },
		{ "a:b:p12", 0, DMB_PART_NAME_NUMBER, 3, 12, NULL },
		{ "x:p1000000", 0, DMB_PART_NAME_NUMBER, 1, 1000000, NULL },
		{ "x:p10000009", 0, DMB_PART_NAME_NUMBER, 1, 10000009, NULL }, /* the largest */
		{ "x:p10000010", DMB_EINVAL, 0, 0, 0, NULL },
		{ "PARTUUID=11111111-2222", 0, DMB_PART_NAME_UUID, 0, 0, "11111111-2222" },
		{ "PARTLABEL=root", 0, DMB_PART_NAME_LABEL, 0, 0, "root" },
		{ "PARTLABEL=", DMB_EINVAL, 0, 0, 0, NULL },       /* empty label */
		{ "PARTUUID=", DMB_EINVAL, 0, 0, 0, NULL },        /* empty uuid */
		{ "disk", DMB_EINVAL, 0, 0, 0, NULL },             /* no ':' */
		{ ":p1", DMB_EINVAL, 0, 0, 0, NULL },              /* no image */
		{ "disk:p", DMB_EINVAL, 0, 0, 0, NULL },           /* no digits */
		{ "disk:p0", 0, DMB_PART_NAME_NUMBER, 4, 0, NULL }, /* 0 parses; no table has it */
		{ "disk:p01", DMB_EINVAL, 0, 0, 0, NULL },         /* leading zero */
		{ "disk:p1x", DMB_EINVAL, 0, 0, 0, NULL },         /* trailing junk */
		{ "disk:q1", DMB_EINVAL, 0, 0, 0, NULL },          /* not 'p' */
		{ "disk:p-1", DMB_EINVAL, 0, 0, 0, NULL },         /* sign */
		{ "disk:p99999999999", DMB_EINVAL, 0, 0, 0, NULL }, /* overflow */
		{ "disk:p1:x", DMB_EINVAL, 0, 0, 0, NULL },        /* the last ':' counts */
		{ "partuuid=abc", DMB_EINVAL, 0, 0, 0, NULL },     /* case matters */
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct dmb_part_name pn;
		int r = dmb_part_name_parse(rows[i].name, &pn);

		if (r != rows[i].r)
			fail_msg("%s: %d, want %d", rows[i].name, r, rows[i].r);
		if (r)
			continue;
		assert_int_equal(pn.kind, rows[i].kind);
		if (pn.kind == DMB_PART_NAME_NUMBER) {
			assert_int_equal(pn.base_len, rows[i].base_len);
			assert_int_equal(pn.number, rows[i].number);
		} else {
			assert_string_equal(pn.value, rows[i].value);
		}
	}
	assert_int_equal(dmb_part_name_format(buf, sizeof(buf), "disk.img", 12), 12);
	assert_string_equal(buf, "disk.img:p12");
	assert_int_equal(dmb_part_name_format(buf, 5, "disk.img", 12), 12);
	assert_string_equal(buf, "disk");
}

/* A lower resolver over named RAM images; counts its opens and closes. */
struct ram_images {
	struct dmb_resolver r;
	struct img *imgs;
	const char *const *names;
	size_t n;
	struct dmb_ram_bdev rb[4];
	int opens, closes;
};

static int ram_open(const struct dmb_resolver *r, struct dmb_ctx *c, const char *name,
		    unsigned flags, struct dmb_bdev **out)
{
	struct ram_images *ri = r->priv;

	(void)flags;
	for (size_t i = 0; i < ri->n; i++)
		if (strcmp(ri->names[i], name) == 0) {
			dmb_ram_bdev_init(&ri->rb[i], ri->imgs[i].mem, ri->imgs[i].bytes, 9, false);
			ri->opens++;
			*out = &ri->rb[i].bdev;
			return 0;
		}
	return dmb_ctx_set_error(c, DMB_ENOENT, "%s: no such image", name);
}

static void ram_close(const struct dmb_resolver *r, struct dmb_bdev *bd)
{
	struct ram_images *ri = r->priv;

	(void)bd;
	ri->closes++;
}

static void test_part_resolver(void **state)
{
	static const char *const names[] = { "gpt", "mbr", "blank", "gpt2" };
	static const char *const search[] = { "blank", "gpt", "mbr", "gpt" };
	static const char *const search2[] = { "gpt", "gpt2" };
	struct img imgs[4];
	struct ram_images ri;
	struct dmb_part_resolver pr;
	struct dmb_bdev *a, *b, *c;
	uint8_t buf[512];
	static const struct {
		const char *name;
		int r;
		const char *msg;
	} bad[] = {
		{ "gpt:p2", DMB_ENOENT, "gpt:p2: gpt has no partition 2" },
		{ "nosuch:p1", DMB_ENOENT, "nosuch: no such image" },
		{ "blank:p1", DMB_ENOENT, "blank: " },
		{ "PARTLABEL=nosuch", DMB_ENOENT, "PARTLABEL=nosuch: no such partition on the devices given" },
		{ "plain", DMB_ENOENT, "plain: no such image" },
		/* A partition as a whole device: it has no table of its own here. */
		{ "gpt:p1:p1", DMB_ENOENT, "gpt:p1: " },
		{ "gpt:p1:p1:p1:p1:p1", DMB_EINVAL,
		  "gpt:p1:p1:p1:p1: partitions nest deeper than 4 levels" },
	};

	(void)state;
	memset(&ri, 0, sizeof(ri));
	ri.r = (struct dmb_resolver){ ram_open, ram_close, &ri };
	ri.imgs = imgs;
	ri.names = names;
	ri.n = ARRAY_SIZE(names);
	gpt_std(&imgs[0]);
	mbr_std(&imgs[1], 512);
	img_alloc(&imgs[2], 512, 64);
	gpt_std(&imgs[3]);
	for (uint64_t l = 40; l < 100; l++)
		memset(imgs[0].mem + l * 512, (int)l, 512);
	dmb_part_resolver_init(&pr, &ri.r);

	/* Without devices to search, PARTUUID= and PARTLABEL= name nothing. */
	assert_int_equal(pr.r.open(&pr.r, &ctx, "PARTLABEL=root", 0, &a), DMB_ENOENT);
	assert_string_equal(ctx.msg, "PARTLABEL=root: no devices to search (dmsetup create --devices)");
	pr.search = search;
	pr.nsearch = ARRAY_SIZE(search);

	/* One whole device for several partitions, opened once, closed with the last. */
	assert_int_equal(pr.r.open(&pr.r, &ctx, "gpt:p1", 0, &a), 0);
	assert_int_equal(pr.r.open(&pr.r, &ctx, "PARTUUID=11111111-2222-3333-4444-555555555555", 0, &b), 0);
	assert_int_equal(pr.r.open(&pr.r, &ctx, "PARTLABEL=root", 0, &c), 0);
	/* gpt once and kept; blank and mbr opened by each search and closed again. */
	assert_int_equal(ri.opens, 5);
	assert_int_equal(ri.closes, 4);
	assert_int_equal(dmb_bdev_sectors(a), 60);
	assert_int_equal(dmb_bdev_read_bytes(b, 512, 512, buf), 0);
	assert_int_equal(buf[0], 41);
	assert_int_equal(dmb_bdev_read_bytes(c, 59 * 512, 512, buf), 0);
	assert_int_equal(buf[511], 99);
	pr.r.close(&pr.r, a);
	pr.r.close(&pr.r, b);
	assert_int_equal(ri.closes, 4);
	pr.r.close(&pr.r, c);
	assert_int_equal(ri.closes, 5);

	/* MBR partitions by number and PARTUUID. */
	assert_int_equal(pr.r.open(&pr.r, &ctx, "mbr:p6", 0, &a), 0);
	assert_int_equal(dmb_bdev_sectors(a), 90);
	assert_int_equal(pr.r.open(&pr.r, &ctx, "PARTUUID=DEADBEEF-05", 0, &b), 0);
	assert_int_equal(dmb_bdev_sectors(b), 50);
	pr.r.close(&pr.r, b);
	pr.r.close(&pr.r, a);

	/* Named malformed or missing partitions, each with its exact error. */
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int r;

		dmb_ctx_clear(&ctx);
		r = pr.r.open(&pr.r, &ctx, bad[i].name, 0, &a);
		if (r != bad[i].r || strncmp(ctx.msg, bad[i].msg, strlen(bad[i].msg)) != 0)
			fail_msg("%s: %d \"%s\", want %d \"%s\"", bad[i].name, r, ctx.msg, bad[i].r,
				 bad[i].msg);
	}

	/* The same PARTUUID on two devices is ambiguous. */
	pr.search = search2;
	pr.nsearch = ARRAY_SIZE(search2);
	assert_int_equal(pr.r.open(&pr.r, &ctx, "PARTLABEL=root", 0, &a), DMB_EINVAL);
	assert_string_equal(ctx.msg, "PARTLABEL=root: 2 partitions match (one is gpt:p1)");
	assert_int_equal(ri.opens, ri.closes);
	for (size_t i = 0; i < 4; i++)
		img_free(&imgs[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_gpt_512, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gpt_4096, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gpt_entry_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gpt_long_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gpt_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gpt_hybrid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gpt_fallbacks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gpt_grown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gpt_entries_like_linux, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_sector_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mbr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mbr_ebr_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mbr_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mbr_overlaps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_uuid_label, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bit_flips, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_part_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_part_resolver, setup, teardown),
	};

	return cmocka_run_group_tests_name("part", tests, NULL, NULL);
}
