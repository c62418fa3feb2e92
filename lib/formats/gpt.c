// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * GPT (UEFI 2.10 §5.3, formats.md §6): the primary header at LBA 1 with its
 * entry array, and the backup header with its own array, each checked on
 * its own: signature, header_size, header CRC, my_lba, a usable range inside
 * the device and clear of the header, entry size and count under the caps,
 * an array inside the device and outside the usable range, the array CRC.
 * The entries themselves do not decide which copy is used, as for Linux and
 * libfdisk: they may overlap or lie outside the usable range, and one that
 * ends before it starts or past the device's last LBA stays in the table
 * (sfdisk lists it) marked no_device (Linux makes no partition of it).  The
 * primary wins; a damaged primary falls back to the backup in the device's
 * last sector, as libfdisk does (Linux only does so with "gpt" on its
 * command line).  Entries become dmbi_parts with GUIDs in canonical order
 * and names in UTF-8.
 */
#include "partitions.h"

#define HDR_SIZE_MIN 92u
#define ENTRY_SIZE_MIN 128u
#define NAME_UNITS 36u
#define WHY_MAX 120

/* One copy of the GPT, as read and checked. */
struct gpt_copy {
	uint64_t lba, alternate_lba, first_lba, last_lba, entries_lba;
	uint32_t entry_count, entry_size, array_crc;
	uint8_t disk_guid[16];
	uint8_t *array;         /* entry_count * entry_size bytes */
	size_t used;            /* entries with a type GUID */
};

static const uint8_t *entry_at(const struct gpt_copy *c, uint32_t i)
{
	return c->array + (size_t)i * c->entry_size;
}

/* An all-zero type GUID marks an unused entry (UEFI; Linux and libfdisk agree). */
static bool entry_used(const uint8_t *e)
{
	for (size_t i = 0; i < 16; i++)
		if (e[i])
			return true;
	return false;
}

static void free_copy(struct gpt_copy *c)
{
	dmb_port_free(c->array);
	c->array = NULL;
}

/* How many entries are used; the partitions they describe are judged in fill_table(). */
static void count_used(struct gpt_copy *c)
{
	c->used = 0;
	for (uint32_t i = 0; i < c->entry_count; i++)
		c->used += entry_used(entry_at(c, i));
}

/* The header h of the copy at lba: signature, size, CRC, place; fills c's fields. */
static int check_header(uint8_t *h, const struct dmb_part_table *t, uint64_t lba,
			struct gpt_copy *c, struct dmbi_strbuf *why)
{
	const unsigned ss = t->sector_size;
	uint32_t hsz, stored, crc;

	if (memcmp(h, "EFI PART", 8) != 0) {
		dmbi_strbuf_puts(why, "no signature");
		return DMB_ECORRUPT;
	}
	hsz = dmbi_get_le32(h + 12);
	if (hsz < HDR_SIZE_MIN || hsz > ss) {
		dmbi_strbuf_printf(why, "header_size %u outside %u..%u", (unsigned)hsz, HDR_SIZE_MIN, ss);
		return DMB_ECORRUPT;
	}
	stored = dmbi_get_le32(h + 16);
	dmbi_put_le32(h + 16, 0);
	crc = dmbi_crc32(0, h, hsz);
	if (crc != stored) {
		dmbi_strbuf_printf(why, "header CRC 0x%08x, computed 0x%08x", (unsigned)stored,
				   (unsigned)crc);
		return DMB_ECORRUPT;
	}
	if (dmbi_get_le64(h + 24) != lba) {
		dmbi_strbuf_printf(why, "my_lba %llu", (unsigned long long)dmbi_get_le64(h + 24));
		return DMB_ECORRUPT;
	}
	c->alternate_lba = dmbi_get_le64(h + 32);
	c->first_lba = dmbi_get_le64(h + 40);
	c->last_lba = dmbi_get_le64(h + 48);
	memcpy(c->disk_guid, h + 56, 16);
	c->entries_lba = dmbi_get_le64(h + 72);
	c->entry_count = dmbi_get_le32(h + 80);
	c->entry_size = dmbi_get_le32(h + 84);
	c->array_crc = dmbi_get_le32(h + 88);
	if (c->first_lba > c->last_lba) {
		dmbi_strbuf_printf(why, "first_usable_lba %llu > last_usable_lba %llu",
			      (unsigned long long)c->first_lba, (unsigned long long)c->last_lba);
		return DMB_ECORRUPT;
	}
	if (c->last_lba >= t->disk_lbas) {
		dmbi_strbuf_printf(why, "last_usable_lba %llu past the end of the device (%llu sectors)",
			      (unsigned long long)c->last_lba, (unsigned long long)t->disk_lbas);
		return DMB_ECORRUPT;
	}
	if (lba >= c->first_lba && lba <= c->last_lba) {
		dmbi_strbuf_printf(why, "header inside the usable LBAs %llu..%llu",
			      (unsigned long long)c->first_lba, (unsigned long long)c->last_lba);
		return DMB_ECORRUPT;
	}
	return 0;
}

/* Where c's entry array is and how big: within the limits, the device, and clear of the rest. */
static int check_array_place(const struct dmb_part_table *t, uint64_t lba, struct gpt_copy *c,
			     uint64_t *bytes, struct dmbi_strbuf *why)
{
	const unsigned ss = t->sector_size;
	uint64_t array_bytes, array_lbas, array_end;

	if (c->entry_size < ENTRY_SIZE_MIN || c->entry_size % ENTRY_SIZE_MIN) {
		dmbi_strbuf_printf(why, "entry size %u is not a multiple of 128", (unsigned)c->entry_size);
		return DMB_ECORRUPT;
	}
	if (c->entry_size > DMB_GPT_MAX_ENTRY_SIZE) {
		dmbi_strbuf_printf(why, "entry size %u over the limit of %u", (unsigned)c->entry_size,
				   DMB_GPT_MAX_ENTRY_SIZE);
		return DMB_ERANGE;
	}
	if (c->entry_count == 0) {
		dmbi_strbuf_puts(why, "no partition entries");
		return DMB_ECORRUPT;
	}
	if (c->entry_count > DMB_PART_MAX) {
		dmbi_strbuf_printf(why, "%u partition entries, over the limit of %u",
				   (unsigned)c->entry_count, DMB_PART_MAX);
		return DMB_ERANGE;
	}
	array_bytes = (uint64_t)c->entry_count * c->entry_size;
	if (array_bytes > DMB_GPT_MAX_ARRAY_BYTES) {
		dmbi_strbuf_printf(why, "entry array of %llu bytes, over the limit of %u",
				   (unsigned long long)array_bytes, DMB_GPT_MAX_ARRAY_BYTES);
		return DMB_ERANGE;
	}
	array_lbas = (array_bytes + ss - 1) >> dmbi_ilog2(ss); /* a power of two (partitions.c) */
	if (!dmbi_add_u64(c->entries_lba, array_lbas, &array_end) || array_end > t->disk_lbas) {
		dmbi_strbuf_printf(why, "entry array at LBA %llu past the end of the device",
				   (unsigned long long)c->entries_lba);
		return DMB_ECORRUPT;
	}
	if (c->entries_lba == 0 || (c->entries_lba <= lba && lba < array_end)) {
		dmbi_strbuf_printf(why, "entry array at LBA %llu overlaps a header",
				   (unsigned long long)c->entries_lba);
		return DMB_ECORRUPT;
	}
	if (c->entries_lba <= c->last_lba && array_end > c->first_lba) {
		dmbi_strbuf_printf(why, "entry array at LBA %llu overlaps the usable LBAs",
				   (unsigned long long)c->entries_lba);
		return DMB_ECORRUPT;
	}
	*bytes = array_bytes;
	return 0;
}

/*
 * Read and check the copy whose header is at lba.  Returns 0, or an error
 * with the reason in why; c->array is set only on success.
 */
static int load_copy(struct dmb_bdev *bd, const struct dmb_part_table *t, uint64_t lba,
		     struct gpt_copy *c, struct dmbi_strbuf *why)
{
	const unsigned ss = t->sector_size;
	uint64_t array_bytes;
	uint32_t crc;
	uint8_t *h;
	int r;

	memset(c, 0, sizeof(*c));
	c->lba = lba;
	if (lba >= t->disk_lbas || lba == 0) {
		dmbi_strbuf_printf(why, "not on the device (%llu sectors)",
				   (unsigned long long)t->disk_lbas);
		return DMB_ECORRUPT;
	}
	h = dmb_port_malloc(ss);
	if (!h) {
		dmbi_strbuf_puts(why, "out of memory");
		return DMB_ENOMEM;
	}
	r = dmb_bdev_read_bytes(bd, lba * ss, ss, h);
	if (r) {
		dmbi_strbuf_printf(why, "cannot read it: %s", dmb_strerror(r));
		goto out;
	}
	r = check_header(h, t, lba, c, why);
	if (!r)
		r = check_array_place(t, lba, c, &array_bytes, why);
	if (r)
		goto out;
	c->array = dmb_port_malloc((size_t)array_bytes);
	if (!c->array) {
		dmbi_strbuf_puts(why, "out of memory");
		r = DMB_ENOMEM;
		goto out;
	}
	r = dmb_bdev_read_bytes(bd, c->entries_lba * ss, (size_t)array_bytes, c->array);
	if (r) {
		dmbi_strbuf_printf(why, "cannot read its entry array: %s", dmb_strerror(r));
		goto out;
	}
	crc = dmbi_crc32(0, c->array, (size_t)array_bytes);
	if (crc != c->array_crc) {
		dmbi_strbuf_printf(why, "entry array CRC 0x%08x, computed 0x%08x", (unsigned)c->array_crc,
				   (unsigned)crc);
		r = DMB_ECORRUPT;
		goto out;
	}
	count_used(c);
out:
	if (r)
		free_copy(c);
	dmb_port_free(h);
	return r;
}

/* UTF-16LE to UTF-8; an unpaired surrogate becomes U+FFFD. */
static void name_to_utf8(const uint8_t *raw, char *out)
{
	size_t o = 0;

	for (unsigned i = 0; i < NAME_UNITS; i++) {
		uint32_t u = dmbi_get_le16(raw + 2 * i);

		if (u == 0)
			break;
		if (u >= 0xd800 && u <= 0xdfff) {
			uint32_t lo = i + 1 < NAME_UNITS ? dmbi_get_le16(raw + 2 * (i + 1)) : 0;

			if (u <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff) {
				u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
				i++;
			} else {
				u = 0xfffd;
			}
		}
		/* At most 3 bytes per unit (4 per pair): 36 units fit DMB_PART_NAME_MAX. */
		if (u < 0x80) {
			out[o++] = (char)u;
		} else if (u < 0x800) {
			out[o++] = (char)(0xc0 | u >> 6);
			out[o++] = (char)(0x80 | (u & 0x3f));
		} else if (u < 0x10000) {
			out[o++] = (char)(0xe0 | u >> 12);
			out[o++] = (char)(0x80 | (u >> 6 & 0x3f));
			out[o++] = (char)(0x80 | (u & 0x3f));
		} else {
			out[o++] = (char)(0xf0 | u >> 18);
			out[o++] = (char)(0x80 | (u >> 12 & 0x3f));
			out[o++] = (char)(0x80 | (u >> 6 & 0x3f));
			out[o++] = (char)(0x80 | (u & 0x3f));
		}
	}
	out[o] = '\0';
}

/*
 * The extent of entry e as p, and whether Linux makes a device of it
 * (block/partitions/efi.c): not when it ends past the device's last LBA or
 * starts there, nor when it ends before it starts (its size is then 0, as
 * libfdisk shows it; Linux skips the size 0 of end = start - 1, and dmboot
 * skips the others too rather than make a device of 2^64 sectors).
 */
static void entry_extent(struct dmb_ctx *ctx, const struct dmb_part_table *t, const uint8_t *e,
			 struct dmb_part *p)
{
	const uint64_t first = dmbi_get_le64(e + 32), last = dmbi_get_le64(e + 40);

	p->start_lba = first;
	if (last < first) {
		p->lba_count = 0;
		p->no_device = true;
		dmbi_log(ctx, DMB_LOG_WARN, "GPT: entry %u ends (LBA %llu) before it starts (LBA %llu): no partition %u",
			 p->number, (unsigned long long)last, (unsigned long long)first, p->number);
		return;
	}
	p->lba_count = last - first + 1;
	if (last >= t->disk_lbas) {
		p->no_device = true;
		dmbi_log(ctx, DMB_LOG_WARN,
			 "GPT: entry %u (LBA %llu..%llu) lies past the end of the device (%llu sectors): no partition %u",
			 p->number, (unsigned long long)first, (unsigned long long)last,
			 (unsigned long long)t->disk_lbas, p->number);
	}
}

static int fill_table(struct dmb_ctx *ctx, struct dmb_part_table *t, const struct gpt_copy *c)
{
	size_t n = 0;

	dmb_guid_from_disk(c->disk_guid, t->disk_guid);
	t->first_lba = c->first_lba;
	t->last_lba = c->last_lba;
	t->entry_count = c->entry_count;
	t->entry_size = c->entry_size;
	if (c->used == 0)
		return 0;
	t->parts = dmbi_calloc(c->used, sizeof(*t->parts));
	if (!t->parts)
		return DMB_ENOMEM;
	for (uint32_t i = 0; i < c->entry_count; i++) {
		const uint8_t *e = entry_at(c, i);
		struct dmb_part *p = &t->parts[n];

		if (!entry_used(e))
			continue;
		p->number = i + 1;
		dmb_guid_from_disk(e, p->type_guid);
		dmb_guid_from_disk(e + 16, p->uuid);
		entry_extent(ctx, t, e, p);
		p->attrs = dmbi_get_le64(e + 48);
		name_to_utf8(e + 56, p->name);
		n++;
	}
	t->count = n;
	return 0;
}

/* The backup repeats the primary except for where things are. */
static bool same_table(const struct gpt_copy *a, const struct gpt_copy *b)
{
	return memcmp(a->disk_guid, b->disk_guid, 16) == 0 && a->first_lba == b->first_lba &&
	       a->last_lba == b->last_lba && a->entry_count == b->entry_count &&
	       a->entry_size == b->entry_size && a->array_crc == b->array_crc;
}

int dmbi_part_gpt_load(struct dmb_ctx *ctx, struct dmb_bdev *bd, struct dmb_part_table *t)
{
	struct gpt_copy pri = { 0 }, bak = { 0 };
	const struct gpt_copy *use;
	char pbuf[WHY_MAX], bbuf[WHY_MAX];
	struct dmbi_strbuf pwhy, bwhy;
	uint64_t last = t->disk_lbas ? t->disk_lbas - 1 : 0;
	int rp, rb, r;

	dmbi_strbuf_init(&pwhy, pbuf, sizeof(pbuf));
	dmbi_strbuf_init(&bwhy, bbuf, sizeof(bbuf));
	rp = load_copy(bd, t, 1, &pri, &pwhy);
	if (rp == DMB_ENOMEM) {
		r = dmb_ctx_set_error(ctx, rp, "out of memory for the GPT");
		goto out;
	}
	if (rp == 0) {
		t->backup_lba = pri.alternate_lba;
		rb = pri.alternate_lba == 1 ? DMB_ECORRUPT : load_copy(bd, t, pri.alternate_lba, &bak,
								      &bwhy);
		if (rb == DMB_ENOMEM) {
			r = dmb_ctx_set_error(ctx, rb, "out of memory for the GPT");
			goto out;
		}
		if (pri.alternate_lba == 1)
			dmbi_strbuf_puts(&bwhy, "the primary's alternate_lba is 1");
		else if (rb == 0 && !same_table(&pri, &bak))
			dmbi_strbuf_puts(&bwhy, "differs from the primary");
		if (rb || bwhy.len) {
			t->backup_bad = true;
			dmbi_log(ctx, DMB_LOG_WARN, "GPT: backup header at LBA %llu: %s; using the primary",
				 (unsigned long long)pri.alternate_lba, bbuf);
		}
		use = &pri;
	} else {
		rb = load_copy(bd, t, last, &bak, &bwhy);
		if (rb == DMB_ENOMEM) {
			r = dmb_ctx_set_error(ctx, rb, "out of memory for the GPT");
			goto out;
		}
		if (rb) {
			r = dmb_ctx_set_error(ctx, rp,
				       "no valid GPT: primary header at LBA 1: %s; backup header at LBA %llu: %s",
				       pbuf, (unsigned long long)last, bbuf);
			goto out;
		}
		dmbi_log(ctx, DMB_LOG_WARN, "GPT: primary header at LBA 1: %s; using the backup at LBA %llu",
			 pbuf, (unsigned long long)last);
		t->used_backup = true;
		t->backup_lba = last;
		use = &bak;
	}
	r = fill_table(ctx, t, use);
	if (r)
		r = dmb_ctx_set_error(ctx, r, "out of memory for %zu partitions", use->used);
out:
	free_copy(&pri);
	free_copy(&bak);
	return r;
}
