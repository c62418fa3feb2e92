/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * GPT and MBR partition tables (formats.md §6): read a block device's
 * partition table into a validated host struct, and open a partition as a
 * block device of its own (a dmb_slice_bdev).
 */
#ifndef DMBOOT_PART_H
#define DMBOOT_PART_H

#ifndef DMBOOT_INSIDE_DMBOOT_H
#error "include <dmboot/dmboot.h>, not <dmboot/part.h>"
#endif

/* Caps on what a table may declare (DMB_ERANGE beyond them). */
#define DMB_PART_MAX 4096u              /* partitions (GPT entries, MBR logicals) */
#define DMB_GPT_MAX_ARRAY_BYTES (1u << 20) /* GPT partition entry array */

/* A GPT name is 36 UTF-16 code units; as UTF-8 at most 3 bytes each, plus NUL. */
#define DMB_PART_NAME_MAX (36 * 3 + 1)

enum dmb_part_label {
	DMB_PART_GPT = 1,
	DMB_PART_MBR = 2,
};

struct dmb_part {
	/*
	 * The N of "IMAGE:pN", as Linux numbers partitions: for GPT the entry's
	 * index in the array + 1 (unused entries leave gaps); for MBR 1-4 are
	 * the primary slots, 5 and up the logical partitions in chain order.
	 */
	unsigned number;
	uint64_t start_lba;    /* first sector, in the table's sector_size units */
	uint64_t lba_count;    /* length, same units */
	/* GPT */
	uint8_t type_guid[16]; /* canonical byte order: as the string form reads */
	uint8_t uuid[16];      /* canonical byte order */
	uint64_t attrs;        /* attribute bits */
	char name[DMB_PART_NAME_MAX]; /* UTF-8 of the UTF-16LE name */
	/* MBR */
	uint8_t mbr_type;      /* system id (0x83, 0x05, ...) */
	bool bootable;         /* boot indicator 0x80 */
};

struct dmb_part_table {
	enum dmb_part_label label;
	unsigned sector_size;   /* bytes: 512, 1024, 2048 or 4096 */
	/* GPT */
	uint8_t disk_guid[16];  /* canonical byte order */
	uint64_t first_lba, last_lba; /* usable range */
	uint32_t entry_count, entry_size;
	bool used_backup;       /* the primary header or array was damaged */
	bool backup_bad;        /* the backup header or array is damaged or missing */
	/* MBR */
	uint32_t mbr_id;        /* disk signature */
	size_t count;
	struct dmb_part *parts; /* sorted by number */
};

/*
 * Read the partition table of bd.  sector_size 0 means: find it from where
 * "EFI PART" sits (512, 1024, 2048 or 4096; 512 when there is no GPT),
 * otherwise it is the logical sector size to assume.  A GPT behind a
 * protective MBR wins over the MBR.  A damaged primary GPT header or array
 * falls back to the backup (logged as a warning, used_backup set); a
 * damaged or missing backup with a valid primary is logged and set in
 * backup_bad.
 * Errors (the message names the structure and field): DMB_ENOENT no
 * partition table; DMB_ECORRUPT GPT with neither copy valid, or an MBR
 * whose partitions overlap, lie outside the device or form a loop of
 * logical partitions; DMB_ERANGE over a DMB_PART_* cap; DMB_EINVAL a
 * sector_size that is not 512..4096 and a power of two, or not a multiple of
 * bd's block size; DMB_EIO and other errors of the device; DMB_ENOMEM.
 */
int dmb_part_table_load(struct dmb_ctx *ctx, struct dmb_bdev *bd, unsigned sector_size,
			struct dmb_part_table **out);

/* Frees the table; accepts NULL. */
void dmb_part_table_destroy(struct dmb_part_table *t);

/* The partition numbered number, or NULL. */
const struct dmb_part *dmb_part_find(const struct dmb_part_table *t, unsigned number);

/*
 * Make sb a window onto partition p of bd (which t was loaded from).
 * Errors: DMB_ERANGE the partition lies past the end of bd; DMB_EINVAL its
 * start or length is not a whole number of bd's blocks.
 */
int dmb_part_slice(struct dmb_ctx *ctx, struct dmb_bdev *bd, const struct dmb_part_table *t,
		   const struct dmb_part *p, struct dmb_slice_bdev *sb);

/*
 * GUIDs in their string form "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (36
 * characters and a NUL), from and to canonical byte order.  upper selects
 * upper-case hex (as sfdisk prints).  dmb_guid_parse() accepts either case
 * and returns 0 or DMB_EINVAL.  dmb_guid_from_disk() converts GPT's
 * mixed-endian on-disk order (first three fields little-endian).
 */
void dmb_guid_format(const uint8_t guid[16], bool upper, char out[37]);
int dmb_guid_parse(const char *s, uint8_t guid[16]);
void dmb_guid_from_disk(const uint8_t disk[16], uint8_t guid[16]);

#endif /* DMBOOT_PART_H */
