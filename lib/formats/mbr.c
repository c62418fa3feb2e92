// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * MBR partition tables (the "dos" label) read as Linux reads them: the four
 * primary entries (an entry with a non-zero size is a partition, whatever
 * its type), and for every extended entry (0x05, 0x0f, 0x85) its chain of
 * EBRs.  In an EBR, data entries are relative to the EBR itself and the
 * link to the next EBR is relative to the start of the extended partition;
 * the third and fourth entries count only when they fit (they sometimes hold
 * garbage).  Logical partitions are numbered from 5 in chain order.
 *
 * Where Linux drops what it cannot place, stops after 100 empty EBRs or 256
 * partitions and truncates partitions at the device end, a table with a
 * partition past the device end, or an EBR chain that loops or leaves its
 * extended partition, is refused here.  Partitions may overlap, as for Linux
 * and sfdisk: a hybrid ISO image's first partition covers the whole image,
 * the others included.  Each is still its own numbered device.
 */
#include "partitions.h"

#define MBR_ID 440
#define MBR_ENTRIES 446
#define MBR_SIGNATURE 510
#define SECTOR 512

struct mbr_entry {
	uint8_t boot, type;
	uint32_t start, size;
};

static void get_entry(const uint8_t *sector, unsigned i, struct mbr_entry *e)
{
	const uint8_t *p = sector + MBR_ENTRIES + 16 * i;

	e->boot = p[0];
	e->type = p[4];
	e->start = dmbi_get_le32(p + 8);
	e->size = dmbi_get_le32(p + 12);
}

static bool is_extended(uint8_t type)
{
	return type == 0x05 || type == 0x0f || type == 0x85;
}

static bool has_signature(const uint8_t *sector)
{
	return sector[MBR_SIGNATURE] == 0x55 && sector[MBR_SIGNATURE + 1] == 0xaa;
}

struct mbr_build {
	struct dmb_ctx *ctx;
	struct dmb_bdev *bd;
	struct dmb_part_table *t;
	size_t cap;        /* parts allocated */
	uint64_t *ebrs;    /* EBR sectors read so far, sorted */
	size_t nebrs;
	unsigned next;     /* number of the next logical partition */
};

/* Append a partition (start and count are below 2^34: the sum cannot wrap). */
static int add_part(struct mbr_build *b, unsigned number, uint64_t start, uint64_t count,
		    const struct mbr_entry *e)
{
	struct dmb_part_table *t = b->t;
	struct dmb_part *p;

	if (start + count > t->disk_lbas)
		return dmb_ctx_set_error(b->ctx, DMB_ECORRUPT,
				  "partition %u (sectors %llu..%llu) lies past the end of the device (%llu sectors)",
				  number, (unsigned long long)start,
				  (unsigned long long)(start + count - 1),
				  (unsigned long long)t->disk_lbas);
	if (t->count == DMB_PART_MAX)
		return dmb_ctx_set_error(b->ctx, DMB_ERANGE, "more than %u partitions", DMB_PART_MAX);
	if (t->count == b->cap) {
		size_t cap = b->cap ? DMBI_MIN(2 * b->cap, (size_t)DMB_PART_MAX) : 8;
		struct dmb_part *parts = dmbi_calloc(cap, sizeof(*parts));

		if (!parts)
			return dmb_ctx_set_error(b->ctx, DMB_ENOMEM, "out of memory for %zu partitions", cap);
		if (t->count)
			memcpy(parts, t->parts, t->count * sizeof(*parts));
		dmb_port_free(t->parts);
		t->parts = parts;
		b->cap = cap;
	}
	p = &t->parts[t->count++];
	p->number = number;
	p->start_lba = start;
	p->lba_count = count;
	p->mbr_type = e->type;
	p->bootable = e->boot == 0x80;
	p->extended = number <= 4 && is_extended(e->type);
	return 0;
}

/*
 * Remember that the EBR at sector was read.  A second visit means the links
 * form a loop; the count is capped so a long chain of empty EBRs ends too.
 */
static int visit_ebr(struct mbr_build *b, uint64_t sector)
{
	size_t lo = 0, hi = b->nebrs;

	if (b->nebrs == DMB_PART_MAX)
		return dmb_ctx_set_error(b->ctx, DMB_ERANGE, "more than %u EBRs in the chain of logical partitions",
					 DMB_PART_MAX);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->ebrs[mid] == sector)
			return dmb_ctx_set_error(b->ctx, DMB_ECORRUPT,
					  "EBR at sector %llu is linked twice: the chain of logical partitions loops",
					  (unsigned long long)sector);
		if (b->ebrs[mid] < sector)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(b->ebrs + lo + 1, b->ebrs + lo, (b->nebrs - lo) * sizeof(*b->ebrs));
	b->ebrs[lo] = sector;
	b->nebrs++;
	return 0;
}

/*
 * The logical partitions of extended partition number, at sectors first..
 * (by value: adding partitions moves the array).
 */
static int walk_chain(struct mbr_build *b, unsigned number, uint64_t first, uint64_t first_size)
{
	uint64_t this = first, this_size = first_size;
	uint8_t sector[SECTOR];
	int r;

	if (!b->ebrs) {
		b->ebrs = dmbi_calloc(DMB_PART_MAX, sizeof(*b->ebrs));
		if (!b->ebrs)
			return dmb_ctx_set_error(b->ctx, DMB_ENOMEM, "out of memory for the EBR chain");
	}
	for (;;) {
		struct mbr_entry e;
		bool linked = false;

		if (this < first || this - first >= first_size)
			return dmb_ctx_set_error(b->ctx, DMB_ECORRUPT,
					  "EBR at sector %llu lies outside extended partition %u (sectors %llu..%llu)",
					  (unsigned long long)this, number,
					  (unsigned long long)first,
					  (unsigned long long)(first + first_size - 1));
		r = visit_ebr(b, this);
		if (r)
			return r;
		r = dmb_bdev_read_bytes(b->bd, this * b->t->sector_size, SECTOR, sector);
		if (r)
			return dmb_ctx_set_error(b->ctx, r, "cannot read the EBR at sector %llu: %s",
						 (unsigned long long)this, dmb_strerror(r));
		if (!has_signature(sector)) {
			/* An extended partition without logical ones may start with anything. */
			if (this == first)
				return 0;
			return dmb_ctx_set_error(b->ctx, DMB_ECORRUPT, "EBR at sector %llu has no signature 55 aa",
						 (unsigned long long)this);
		}
		for (unsigned i = 0; i < 4; i++) {
			get_entry(sector, i, &e);
			if (e.size == 0 || is_extended(e.type))
				continue;
			if (i >= 2 && ((uint64_t)e.start + e.size > this_size ||
				       this + e.start + e.size > first + first_size))
				continue;
			r = add_part(b, b->next++, this + e.start, e.size, &e);
			if (r)
				return r;
		}
		for (unsigned i = 0; i < 4 && !linked; i++) {
			get_entry(sector, i, &e);
			linked = e.size != 0 && is_extended(e.type);
		}
		if (!linked)
			return 0;
		this = first + e.start;
		this_size = e.size;
	}
}

int dmbi_part_mbr_load(struct dmb_ctx *ctx, struct dmb_bdev *bd, const uint8_t mbr[512],
		       struct dmb_part_table *t)
{
	struct mbr_build b = { .ctx = ctx, .bd = bd, .t = t, .next = 5 };
	size_t primaries;
	int r = 0;

	t->mbr_id = dmbi_get_le32(mbr + MBR_ID);
	for (unsigned i = 0; i < 4 && !r; i++) {
		struct mbr_entry e;

		get_entry(mbr, i, &e);
		if (e.size)
			r = add_part(&b, i + 1, e.start, e.size, &e);
	}
	/* Logical partitions follow in the order of their extended entries. */
	primaries = t->count;
	for (size_t i = 0; i < primaries && !r; i++)
		if (t->parts[i].extended)
			r = walk_chain(&b, t->parts[i].number, t->parts[i].start_lba,
				       t->parts[i].lba_count);
	dmb_port_free(b.ebrs);
	return r;
}
