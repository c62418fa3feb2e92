// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Partition tables (part.h, formats.md §6): which label a device carries
 * (a protective MBR means GPT, any other MBR is read as one), the logical
 * sector size, the lookups by number, PARTUUID and PARTLABEL, partitions as
 * windows onto their device, and GUIDs between their string, canonical and
 * on-disk forms.  The GPT and MBR readers are gpt.c and mbr.c.
 */
#include "partitions.h"

#define MBR_SIGNATURE 510
#define MBR_ENTRIES 446
#define MBR_TYPE_GPT 0xee

/* --- GUIDs --------------------------------------------------------------- */

/* The string form is 8-4-4-4-12 hex digits: dashes before bytes 4, 6, 8 and 10. */
static const uint8_t dash_after[] = { 4, 6, 8, 10 };

void dmb_guid_format(const uint8_t guid[16], bool upper, char out[37])
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	size_t o = 0, d = 0;

	for (size_t i = 0; i < 16; i++) {
		if (d < sizeof(dash_after) && i == dash_after[d]) {
			out[o++] = '-';
			d++;
		}
		out[o++] = digits[guid[i] >> 4];
		out[o++] = digits[guid[i] & 15];
	}
	out[o] = '\0';
}

int dmb_guid_parse(const char *s, uint8_t guid[16])
{
	uint8_t g[16];
	size_t at = 0, d = 0;

	for (size_t i = 0; i < 16; i++) {
		int hi, lo;

		if (d < sizeof(dash_after) && i == dash_after[d]) {
			if (s[at++] != '-')
				return DMB_EINVAL;
			d++;
		}
		hi = dmbi_hex_digit(s[at]);
		lo = hi < 0 ? -1 : dmbi_hex_digit(s[at + 1]);
		if (lo < 0)
			return DMB_EINVAL;
		g[i] = (uint8_t)(hi << 4 | lo);
		at += 2;
	}
	if (s[at] != '\0')
		return DMB_EINVAL;
	memcpy(guid, g, sizeof(g));
	return 0;
}

/* The first three fields are little-endian on disk; the swap is its own inverse. */
void dmb_guid_from_disk(const uint8_t disk[16], uint8_t guid[16])
{
	static const uint8_t order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
	uint8_t g[16];

	for (size_t i = 0; i < 16; i++)
		g[i] = disk[order[i]];
	memcpy(guid, g, sizeof(g));
}

void dmb_guid_to_disk(const uint8_t guid[16], uint8_t disk[16])
{
	dmb_guid_from_disk(guid, disk);
}

/* --- loading --------------------------------------------------------------- */

static const unsigned sector_sizes[] = { 512, 1024, 2048, 4096 };

/* Whether one candidate header looks like a GPT header of sector size ss at lba. */
static int probe_header(struct dmb_bdev *bd, unsigned ss, uint64_t lba, bool *found)
{
	uint8_t h[32];
	uint32_t hsz;
	int r;

	*found = false;
	r = dmb_bdev_read_bytes(bd, lba * ss, sizeof(h), h);
	if (r)
		return r;
	hsz = dmbi_get_le32(h + 12);
	*found = memcmp(h, "EFI PART", 8) == 0 && hsz >= 92 && hsz <= ss &&
		 dmbi_get_le64(h + 24) == lba;
	return 0;
}

int dmbi_part_gpt_sector_size(struct dmb_ctx *ctx, struct dmb_bdev *bd, unsigned *sector_size)
{
	const unsigned bs = 1u << bd->block_shift;
	const uint64_t bytes = dmb_bdev_bytes(bd);
	unsigned found = 0;

	*sector_size = 0;
	/* Primary headers (LBA 1) first, then backups in the last sector. */
	for (int backup = 0; backup < 2 && !found; backup++) {
		for (size_t i = 0; i < DMBI_ARRAY_SIZE(sector_sizes); i++) {
			unsigned ss = sector_sizes[i];
			uint64_t lbas = bytes >> dmbi_ilog2(ss);
			bool hit;
			int r;

			if (ss < bs || lbas < 2)
				continue;
			r = probe_header(bd, ss, backup ? lbas - 1 : 1, &hit);
			if (r)
				return dmb_ctx_set_error(ctx, r, "cannot read a GPT header candidate for %u-byte sectors",
							 ss);
			if (!hit)
				continue;
			if (found)
				return dmb_ctx_set_error(ctx, DMB_ECORRUPT,
						  "GPT %s headers for both %u- and %u-byte sectors",
						  backup ? "backup" : "primary", found, ss);
			found = ss;
		}
	}
	*sector_size = found;
	return 0;
}

static bool is_sector_size(unsigned ss)
{
	for (size_t i = 0; i < DMBI_ARRAY_SIZE(sector_sizes); i++)
		if (ss == sector_sizes[i])
			return true;
	return false;
}

int dmb_part_table_load(struct dmb_ctx *ctx, struct dmb_bdev *bd, unsigned sector_size,
			struct dmb_part_table **out)
{
	const unsigned bs = 1u << bd->block_shift;
	struct dmb_part_table *t = NULL;
	uint8_t mbr[512];
	bool gpt = false;
	int r;

	*out = NULL;
	if (sector_size && !is_sector_size(sector_size))
		return dmb_ctx_set_error(ctx, DMB_EINVAL,
				  "sector size %u: not 512, 1024, 2048 or 4096 bytes", sector_size);
	if (bs > sector_sizes[DMBI_ARRAY_SIZE(sector_sizes) - 1])
		return dmb_ctx_set_error(ctx, DMB_EINVAL,
				  "device block size %u is larger than any partition table sector", bs);
	if (sector_size && sector_size % bs)
		return dmb_ctx_set_error(ctx, DMB_EINVAL,
				  "sector size %u is smaller than the device's block size %u", sector_size,
				  bs);
	if (dmb_bdev_bytes(bd) < sizeof(mbr))
		return dmb_ctx_set_error(ctx, DMB_ENOENT, "no partition table: device smaller than 512 bytes");
	r = dmb_bdev_read_bytes(bd, 0, sizeof(mbr), mbr);
	if (r)
		return dmb_ctx_set_error(ctx, r, "cannot read the MBR: %s", dmb_strerror(r));
	if (mbr[MBR_SIGNATURE] != 0x55 || mbr[MBR_SIGNATURE + 1] != 0xaa)
		return dmb_ctx_set_error(ctx, DMB_ENOENT, "no partition table: no MBR signature 55 aa");
	for (unsigned i = 0; i < 4; i++)
		gpt |= mbr[MBR_ENTRIES + 16 * i + 4] == MBR_TYPE_GPT;
	/*
	 * As Linux: boot indicators other than 0 and 0x80 mean the sector is
	 * something else with a 55 aa (a FAT boot sector, say).  A protective
	 * MBR is judged by its 0xEE entry alone.
	 */
	for (unsigned i = 0; i < 4 && !gpt; i++) {
		uint8_t boot = mbr[MBR_ENTRIES + 16 * i];

		if (boot != 0 && boot != 0x80)
			return dmb_ctx_set_error(ctx, DMB_ENOENT,
					  "no partition table: MBR entry %u has boot indicator 0x%02x",
					  i + 1, boot);
	}
	if (!sector_size && gpt) {
		r = dmbi_part_gpt_sector_size(ctx, bd, &sector_size);
		if (r)
			return r;
	}
	if (!sector_size)
		sector_size = bs > 512 ? bs : 512;

	t = dmbi_calloc(1, sizeof(*t));
	if (!t)
		return dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory for a partition table");
	t->label = gpt ? DMB_PART_GPT : DMB_PART_MBR;
	t->sector_size = sector_size;
	t->disk_lbas = dmb_bdev_bytes(bd) >> dmbi_ilog2(sector_size); /* a power of two, checked above */
	r = gpt ? dmbi_part_gpt_load(ctx, bd, t) : dmbi_part_mbr_load(ctx, bd, mbr, t);
	if (r) {
		dmb_part_table_destroy(t);
		return r;
	}
	*out = t;
	return 0;
}

void dmb_part_table_destroy(struct dmb_part_table *t)
{
	if (!t)
		return;
	dmb_port_free(t->parts);
	dmb_port_free(t);
}

/* --- lookups --------------------------------------------------------------- */

const struct dmb_part *dmb_part_find(const struct dmb_part_table *t, unsigned number)
{
	size_t lo = 0, hi = t->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->parts[mid].number == number)
			return t->parts[mid].no_device ? NULL : &t->parts[mid];
		if (t->parts[mid].number < number)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void dmb_part_uuid(const struct dmb_part_table *t, const struct dmb_part *p,
		   char out[DMB_PART_UUID_MAX])
{
	if (t->label == DMB_PART_GPT)
		dmb_guid_format(p->uuid, false, out);
	else
		dmbi_snprintf(out, DMB_PART_UUID_MAX, "%08x-%02x", (unsigned)t->mbr_id, p->number);
}

size_t dmb_part_find_uuid(const struct dmb_part_table *t, const char *uuid,
			  const struct dmb_part **first)
{
	char s[DMB_PART_UUID_MAX];
	size_t n = 0;

	if (first)
		*first = NULL;
	for (size_t i = 0; i < t->count; i++) {
		if (t->parts[i].no_device)
			continue;
		dmb_part_uuid(t, &t->parts[i], s);
		if (dmbi_strcasecmp(s, uuid) != 0)
			continue;
		if (first && n == 0)
			*first = &t->parts[i];
		n++;
	}
	return n;
}

size_t dmb_part_find_label(const struct dmb_part_table *t, const char *label,
			   const struct dmb_part **first)
{
	size_t n = 0;

	if (first)
		*first = NULL;
	if (t->label != DMB_PART_GPT || label[0] == '\0')
		return 0;
	for (size_t i = 0; i < t->count; i++) {
		if (t->parts[i].no_device || dmbi_strcmp(t->parts[i].name, label) != 0)
			continue;
		if (first && n == 0)
			*first = &t->parts[i];
		n++;
	}
	return n;
}

int dmb_part_slice(struct dmb_ctx *ctx, struct dmb_bdev *bd, const struct dmb_part_table *t,
		   const struct dmb_part *p, struct dmb_slice_bdev *sb)
{
	const unsigned shift = bd->block_shift;
	const uint64_t bs = (uint64_t)1 << shift;
	uint64_t start, bytes, end;

	if (p->no_device)
		return dmb_ctx_set_error(ctx, DMB_ERANGE,
				  "partition %u: no device (the entry ends before it starts or past the end of the device)",
				  p->number);
	if (!dmbi_mul_u64(p->start_lba, t->sector_size, &start) ||
	    !dmbi_mul_u64(p->lba_count, t->sector_size, &bytes))
		return dmb_ctx_set_error(ctx, DMB_ERANGE, "partition %u: extent overflows", p->number);
	/* Linux keeps an extended partition's first 1 KiB (for boot loaders) as its device. */
	if (p->extended) {
		uint64_t keep = t->sector_size > 1024 ? t->sector_size : 1024;

		bytes = DMBI_MIN(bytes, keep);
	}
	if (start % bs || bytes % bs)
		return dmb_ctx_set_error(ctx, DMB_EINVAL,
				  "partition %u: not a whole number of the device's %llu-byte blocks",
				  p->number, (unsigned long long)bs);
	if (!dmbi_add_u64(start, bytes, &end) || end > dmb_bdev_bytes(bd))
		return dmb_ctx_set_error(ctx, DMB_ERANGE, "partition %u lies past the end of the device",
					 p->number);
	dmb_slice_bdev_init(sb, bd, start >> shift, bytes >> shift);
	return 0;
}
