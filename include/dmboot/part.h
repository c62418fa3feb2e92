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
#define DMB_GPT_MAX_ENTRY_SIZE 4096u    /* bytes per GPT entry (a multiple of 128) */

/* A GPT name is 36 UTF-16 code units; as UTF-8 at most 3 bytes each, plus NUL. */
#define DMB_PART_NAME_MAX (36 * 3 + 1)

/* The PARTUUID string of dmb_part_uuid(): a GUID, or "xxxxxxxx-nn" for MBR. */
#define DMB_PART_UUID_MAX 37

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
	uint64_t lba_count;    /* length, same units; 0 for a GPT entry that ends before it starts */
	/*
	 * Listed (sfdisk lists it) but no partition: a GPT entry that ends
	 * before it starts, or past the device's last sector, of which Linux
	 * makes no device.  dmb_part_find(), dmb_part_find_uuid() and
	 * dmb_part_find_label() pass over it; dmb_part_slice() refuses it.
	 */
	bool no_device;
	/* GPT */
	uint8_t type_guid[16]; /* canonical byte order: as the string form reads */
	uint8_t uuid[16];      /* canonical byte order */
	uint64_t attrs;        /* attribute bits */
	/*
	 * UTF-8 of the UTF-16LE name, up to its first NUL unit.  Surrogate
	 * pairs become one 4-byte sequence; an unpaired surrogate becomes
	 * U+FFFD, so the name is always valid UTF-8.
	 */
	char name[DMB_PART_NAME_MAX];
	/* MBR */
	uint8_t mbr_type;      /* system id (0x83, 0x05, ...) */
	bool bootable;         /* boot indicator 0x80 */
	/*
	 * A primary extended partition (0x05, 0x0f, 0x85): the container of
	 * the logical ones.  lba_count is its size in the table; as a device
	 * (dmb_part_slice) it is what Linux makes of it, its first 1 KiB (one
	 * sector when sectors are larger).
	 */
	bool extended;
};

struct dmb_part_table {
	enum dmb_part_label label;
	unsigned sector_size;   /* bytes: 512, 1024, 2048 or 4096 */
	uint64_t disk_lbas;     /* device size in sector_size units */
	/* GPT */
	uint8_t disk_guid[16];  /* canonical byte order */
	uint64_t first_lba, last_lba; /* usable range */
	uint32_t entry_count, entry_size;
	/*
	 * Where the backup header is: the primary's alternate_lba, or where
	 * the backup was read when the primary was damaged.  Normally
	 * disk_lbas - 1; it is not after a disk image was grown.
	 */
	uint64_t backup_lba;
	bool used_backup;       /* the primary header or array was damaged */
	bool backup_bad;        /* the backup header or array is damaged or missing */
	/* MBR */
	uint32_t mbr_id;        /* disk signature */
	size_t count;
	struct dmb_part *parts; /* sorted by number */
};

/*
 * Read the partition table of bd.  sector_size 0 means: find it from where
 * "EFI PART" sits (512, 1024, 2048 or 4096, as systemd does: a primary
 * header with my_lba 1 at that byte offset, else a backup header in the
 * device's last sector of that size; 512 or bd's block size when there is
 * no GPT), otherwise it is the logical sector size to assume.
 *
 * A GPT needs a protective MBR (an entry of type 0xEE); it then wins over
 * the MBR's other entries (a hybrid MBR), as with Linux.  A GPT copy is
 * valid when its header (signature, header_size 92..sector_size, CRC,
 * my_lba, usable range inside the device and clear of the header, entry
 * size and count, array inside the device and outside the usable range)
 * and its entry array's CRC check out.  Its entries are taken as Linux
 * takes them: they may overlap and lie outside the usable range; one that
 * ends before it starts or past the device's last sector is no_device
 * (logged as a warning).  A damaged primary falls
 * back to the backup in the device's last sector (logged as a warning,
 * used_backup set); a damaged, missing or differing backup with a valid
 * primary is logged as a warning and set in backup_bad.
 *
 * An MBR (0x55AA, boot indicators 0 or 0x80) gives its non-empty primary
 * entries and, for every extended entry, the logical partitions of its
 * chain of EBRs (offsets as Linux reads them: data relative to its EBR,
 * links relative to the extended partition).  MBR partitions may overlap,
 * as with Linux (hybrid ISO images).
 *
 * Errors (the message names the structure and field): DMB_ENOENT no
 * partition table; DMB_ECORRUPT GPT with neither copy valid, or an MBR
 * whose partitions lie outside the device or form a loop of logical
 * partitions; DMB_ERANGE over a DMB_PART_* or DMB_GPT_* cap (with
 * neither GPT copy valid the code is the primary's, and the message gives
 * both reasons); DMB_EINVAL a
 * sector_size that is not 512..4096 and a power of two, or not a multiple
 * of bd's block size; DMB_EIO and other errors of the device; DMB_ENOMEM.
 */
DMB_MUST_CHECK int dmb_part_table_load(struct dmb_ctx *ctx, struct dmb_bdev *bd, unsigned sector_size,
			struct dmb_part_table **out);

/* Frees the table; accepts NULL. */
void dmb_part_table_destroy(struct dmb_part_table *t);

/* The partition numbered number, or NULL (also when it is no_device). */
const struct dmb_part *dmb_part_find(const struct dmb_part_table *t, unsigned number);

/*
 * The PARTUUID Linux gives partition p of t (blkid and the kernel's root=
 * print the same): for GPT its unique GUID in lower case, for MBR
 * "<disk signature as 8 hex digits>-<number as 2 hex digits>".
 */
void dmb_part_uuid(const struct dmb_part_table *t, const struct dmb_part *p,
		   char out[DMB_PART_UUID_MAX]);

/*
 * Partitions by PARTUUID (compared with dmb_part_uuid() ignoring case) or
 * by PARTLABEL (the GPT name, byte for byte; an empty label matches
 * nothing).  Return how many partitions of t match; *first (when first is
 * not NULL) gets the lowest-numbered match, or NULL.
 */
size_t dmb_part_find_uuid(const struct dmb_part_table *t, const char *uuid,
			  const struct dmb_part **first);
size_t dmb_part_find_label(const struct dmb_part_table *t, const char *label,
			   const struct dmb_part **first);

/*
 * Make sb a window onto partition p of bd (which t was loaded from).
 * Errors: DMB_ERANGE the partition lies past the end of bd or is no_device;
 * DMB_EINVAL its start or length is not a whole number of bd's blocks.
 */
DMB_MUST_CHECK int dmb_part_slice(struct dmb_ctx *ctx, struct dmb_bdev *bd, const struct dmb_part_table *t,
		   const struct dmb_part *p, struct dmb_slice_bdev *sb);

/*
 * GUIDs in their string form "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (36
 * characters and a NUL), from and to canonical byte order.  upper selects
 * upper-case hex (as sfdisk prints).  dmb_guid_parse() accepts either case
 * and returns 0 or DMB_EINVAL.  dmb_guid_from_disk() converts GPT's
 * mixed-endian on-disk order (first three fields little-endian);
 * dmb_guid_to_disk() converts back (the same swap).
 */
void dmb_guid_format(const uint8_t guid[16], bool upper, char out[37]);
DMB_MUST_CHECK int dmb_guid_parse(const char *s, uint8_t guid[16]);
void dmb_guid_from_disk(const uint8_t disk[16], uint8_t guid[16]);
void dmb_guid_to_disk(const uint8_t guid[16], uint8_t disk[16]);

/*
 * Partition names, as the host CLI and the DDI handoff write them:
 * "<image>:p<N>" (N as Linux numbers partitions, decimal, no leading zero,
 * at most 10000009), "PARTUUID=<uuid>" and "PARTLABEL=<label>" (non-empty).
 */
enum dmb_part_name_kind {
	DMB_PART_NAME_NUMBER, /* <image>:p<N> */
	DMB_PART_NAME_UUID,   /* PARTUUID=<uuid> */
	DMB_PART_NAME_LABEL,  /* PARTLABEL=<label> */
};

struct dmb_part_name {
	enum dmb_part_name_kind kind;
	size_t base_len;   /* NUMBER: the image is name[0..base_len) */
	unsigned number;   /* NUMBER */
	const char *value; /* UUID, LABEL: inside name, after the '=' */
};

/* Parse name as a partition name.  Errors: DMB_EINVAL (it is not one). */
DMB_MUST_CHECK int dmb_part_name_parse(const char *name, struct dmb_part_name *out);

/* "<base>:p<number>" into buf (cap bytes, NUL-terminated); the length like snprintf. */
size_t dmb_part_name_format(char *buf, size_t cap, const char *base, unsigned number);

/*
 * A resolver that understands partition names and passes every other name
 * to lower.  Each whole device is opened through lower once and its table
 * read once, however many of its partitions are open; it is closed with the
 * last.  Set it up with dmb_part_resolver_init(), optionally fill in the
 * fields below, and give &pr->r to the context.  No global state; every
 * allocation goes through the port.
 */
struct dmb_part_resolver {
	struct dmb_resolver r;            /* what the context uses */
	const struct dmb_resolver *lower; /* opens whole devices and all other names */
	/* The devices PARTUUID= and PARTLABEL= search, in order (a name given
	 * twice is searched once); none: such names fail with DMB_ENOENT. */
	const char *const *search;
	size_t nsearch;
	/* Optional: true when name is a device of lower's, which then wins
	 * over reading it as a partition name (a file called "a:p1"). */
	bool (*is_device)(void *cookie, const char *name);
	/* Optional: called once per whole device when its table is loaded
	 * (to warn of a damaged GPT copy, say). */
	void (*loaded)(void *cookie, const char *name, const struct dmb_part_table *t);
	void *cookie;
	void *priv_wholes, *priv_parts; /* private */
};

void dmb_part_resolver_init(struct dmb_part_resolver *pr, const struct dmb_resolver *lower);

/*
 * The resolver's open() for a partition name: DMB_ENOENT (no such
 * partition, or no devices to search), DMB_EINVAL (PARTUUID= or PARTLABEL=
 * matches several partitions: the message names one), DMB_ENOMEM, what
 * dmb_part_table_load() and dmb_part_slice() return for the whole device,
 * and what lower's open() returns.  Messages start with the name.
 */

#endif /* DMBOOT_PART_H */
