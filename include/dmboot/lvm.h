/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * LVM2 volume groups (formats.md §4): find PV labels on block devices, read
 * every metadata area, take the newest valid copy of each VG's metadata and
 * turn its logical volumes into the dm tables lvm2 would load.
 *
 * Use: dmb_lvm_scan_create(), then dmb_lvm_scan_add() for every device (and
 * every partition: the caller enumerates them), then dmb_lvm_scan_finish().
 * After that the scan holds a read-only model (the structs below), which
 * lives until dmb_lvm_scan_destroy().  dmb_lvm_lv_table() gives the table of
 * one LV; its lower devices carry the names given to dmb_lvm_scan_add().
 */
#ifndef DMBOOT_LVM_H
#define DMBOOT_LVM_H

#ifndef DMBOOT_INSIDE_DMBOOT_H
#error "include <dmboot/dmboot.h>, not <dmboot/lvm.h>"
#endif

/* An LVM id in its printed form: 32 characters in groups 6-4-4-4-4-4-6. */
#define DMB_LVM_ID_CHARS 32
#define DMB_LVM_UUID_MAX 39 /* 32 + 6 dashes + NUL */
/* Longest VG or LV name lvm2 accepts (NAME_LEN - 1). */
#define DMB_LVM_NAME_MAX 127
/* Caps on what a scan accepts (DMB_ERANGE beyond them). */
#define DMB_LVM_MAX_DEVS 4096u   /* devices passed to dmb_lvm_scan_add() */
#define DMB_LVM_MAX_MDAS 8u      /* metadata areas per PV */
#define DMB_LVM_MAX_PVS 65536u   /* PVs in one VG */
#define DMB_LVM_MAX_LVS 65536u   /* LVs in one VG */
#define DMB_LVM_MAX_SEGS 65536u  /* segments in one LV */
#define DMB_LVM_MAX_AREAS 1024u  /* stripes or mirror images in one segment */

/* Status flags (the metadata's `status` and `flags` arrays), as bits. */
#define DMB_LVM_READ (1u << 0)
#define DMB_LVM_WRITE (1u << 1)
#define DMB_LVM_WRITE_LOCKED (1u << 2) /* lvmlockd VG: WRITE_LOCKED in place of WRITE */
#define DMB_LVM_RESIZEABLE (1u << 3)   /* VG */
#define DMB_LVM_EXPORTED (1u << 4)     /* VG and PV */
#define DMB_LVM_CLUSTERED (1u << 5)    /* VG */
#define DMB_LVM_SHARED (1u << 6)       /* VG */
#define DMB_LVM_ALLOCATABLE (1u << 7)  /* PV */
#define DMB_LVM_MISSING (1u << 8)      /* PV: flagged MISSING in the metadata */
#define DMB_LVM_VISIBLE (1u << 9)      /* LV: shown to users (sub-LVs lack it) */
#define DMB_LVM_LOCKED (1u << 10)      /* LV: pvmove in progress */
#define DMB_LVM_FIXED_MINOR (1u << 11) /* LV */
#define DMB_LVM_ACTIVATION_SKIP (1u << 12) /* LV: skipped by vgchange -ay */

struct dmb_lvm_scan;
struct dmb_lvm_vg;
struct dmb_lvm_lv;
struct dmb_lvm_pv;

/* A device that carries a PV label, as dmb_lvm_scan_add() found it. */
struct dmb_lvm_pvdev {
	const char *dev_name;          /* the name given to dmb_lvm_scan_add() */
	struct dmb_bdev *bdev;         /* the device given to dmb_lvm_scan_add() */
	char uuid[DMB_LVM_UUID_MAX];   /* PV id, printed form */
	uint64_t label_sector;         /* 0..3 */
	uint64_t dev_size_bytes;       /* from the pv_header (0: not recorded) */
	uint64_t pe_start_bytes;       /* first data area offset (0: none) */
	unsigned mda_count;            /* metadata areas listed in the pv_header */
	unsigned mda_bad;              /* of which could not be read (damaged) */
	uint64_t mda_size_bytes;       /* size of the smallest metadata area (0: none) */
	uint32_t ext_version;          /* pv_header extension version (0: none) */
	uint32_t ext_flags;            /* bit 0: PV_EXT_USED (the PV belongs to a VG) */
	const struct dmb_lvm_vg *vg;   /* NULL: orphan PV, or its VG could not be read */
	const struct dmb_lvm_pv *pv;   /* this device's entry in vg, or NULL */
};

/* A PV as the VG metadata lists it. */
struct dmb_lvm_pv {
	char uuid[DMB_LVM_UUID_MAX];
	const char *device_hint;           /* `device` in the metadata, or NULL */
	const struct dmb_lvm_pvdev *dev;   /* NULL: missing (no scanned device has this id) */
	unsigned status;                   /* DMB_LVM_ALLOCATABLE, DMB_LVM_MISSING, ... */
	uint64_t dev_size_sectors;
	uint64_t pe_start_sectors;         /* first extent on the device */
	uint64_t pe_count;
	uint64_t pe_alloc;                 /* extents used by segments */
};

/* One area of a segment: an extent range on a PV, or a sub-LV. */
struct dmb_lvm_area {
	const struct dmb_lvm_pv *pv;  /* set for PV areas (striped, linear) */
	const struct dmb_lvm_lv *lv;  /* set for LV areas (mirror images) */
	uint64_t start_extent;        /* first PE on pv, or first LE of lv */
};

struct dmb_lvm_seg {
	uint64_t start_extent;        /* logical extent where the segment starts */
	uint64_t extent_count;
	const char *type;             /* as in the metadata, without "+FLAGS" */
	uint32_t stripe_size_sectors; /* striped with more than one stripe; else 0 */
	size_t area_count;            /* stripes (striped), images (mirror), else 0 */
	uint64_t area_extents;        /* extents each area covers (striped: extent_count / stripes) */
	const struct dmb_lvm_area *areas;
	const void *section;          /* private: where dmb_lvm_seg_str() looks */
};

struct dmb_lvm_lv {
	const char *name;
	char uuid[DMB_LVM_UUID_MAX];
	unsigned status;               /* DMB_LVM_READ, DMB_LVM_WRITE, DMB_LVM_VISIBLE, ... */
	uint64_t extent_count;         /* sum of the segments */
	uint64_t size_sectors;
	size_t seg_count;
	const struct dmb_lvm_seg *segs;  /* sorted by start_extent, contiguous from 0 */
	const struct dmb_lvm_vg *vg;
	/*
	 * Snapshots (segment type "snapshot" in an LV of their own) name an
	 * origin and a COW store.  For those two LVs, the first snapshot LV
	 * naming them; NULL otherwise.
	 */
	const struct dmb_lvm_lv *origin_of;  /* this LV is that snapshot's origin */
	const struct dmb_lvm_lv *cow_of;     /* this LV is that snapshot's COW store */
	const void *section;           /* private: where dmb_lvm_lv_str() looks */
};

struct dmb_lvm_vg {
	const char *name;
	char uuid[DMB_LVM_UUID_MAX];
	uint64_t seqno;
	unsigned status;               /* DMB_LVM_RESIZEABLE, DMB_LVM_READ, DMB_LVM_WRITE, ... */
	const char *system_id;         /* NULL when not set */
	const char *lock_type;         /* NULL when not set */
	uint64_t extent_size_sectors;
	uint64_t extent_count;         /* sum of pe_count over its PVs */
	uint64_t free_count;           /* extents no segment uses */
	size_t pv_count;
	const struct dmb_lvm_pv *pvs;
	size_t lv_count;
	const struct dmb_lvm_lv *lvs;  /* metadata order: visible LVs first */
	unsigned missing_pvs;          /* PVs with no scanned device */
	unsigned copies;               /* metadata copies read with the chosen seqno */
	bool mixed_seqno;              /* some metadata areas held an older or damaged copy */
	const void *section;           /* private: where dmb_lvm_vg_str() looks */
};

/* A new, empty scan.  Errors: DMB_ENOMEM. */
DMB_MUST_CHECK int dmb_lvm_scan_create(struct dmb_ctx *ctx, struct dmb_lvm_scan **out);

/*
 * Look for a PV label in sectors 0-3 of bd and, when there is one, read its
 * pv_header and the committed metadata of every metadata area.  name is
 * copied; it is the device name the tables will use.  bd must stay valid
 * until the scan is destroyed.  A damaged metadata area does not fail the
 * call: it is logged (DMB_LOG_WARN), counted in mda_bad, and the VG is read
 * from another copy.
 * Returns 0 when the device is a PV (and is now part of the scan).
 * Errors (message names the device and the field): DMB_ENOENT no label;
 * DMB_ECORRUPT damaged label (bad checksum, wrong sector) or pv_header
 * (areas out of the device, unterminated lists); DMB_ENOTSUP label type other
 * than "LVM2 001"; DMB_EEXIST a device with the same PV id was added before
 * (lvm2 then also refuses the duplicate); DMB_EINVAL called after finish;
 * DMB_ERANGE over DMB_LVM_MAX_DEVS or DMB_LVM_MAX_MDAS; DMB_EIO and other
 * errors of the device's read; DMB_ENOMEM.
 */
DMB_MUST_CHECK int dmb_lvm_scan_add(struct dmb_lvm_scan *scan, const char *name, struct dmb_bdev *bd);

/*
 * Build the VGs: per VG (by id), take the copy with the highest seqno among
 * all metadata areas of all PVs, falling back to the next one when a copy
 * does not parse, and match its PVs with the scanned devices by id.  A VG
 * none of whose copies can be used is left out and reported; the others are
 * built anyway.
 * Returns 0 when every VG was built.  Errors: DMB_ECORRUPT (metadata text
 * or tree invalid: the message names the VG, the device and the key),
 * DMB_ENOTSUP (metadata format other than lvm2 text version 1), DMB_ERANGE
 * (over a DMB_LVM_MAX_* cap), DMB_EINVAL (called twice) -- for all but
 * DMB_ENOMEM and DMB_EINVAL, the VGs that could be built are available.
 */
DMB_MUST_CHECK int dmb_lvm_scan_finish(struct dmb_lvm_scan *scan);

/* Frees the scan and its model; accepts NULL.  The devices are not closed. */
void dmb_lvm_scan_destroy(struct dmb_lvm_scan *scan);

/* The scanned PV devices, in the order they were added. */
size_t dmb_lvm_scan_pvdev_count(const struct dmb_lvm_scan *scan);
const struct dmb_lvm_pvdev *dmb_lvm_scan_pvdev(const struct dmb_lvm_scan *scan, size_t i);

/* The VGs built by dmb_lvm_scan_finish(), sorted by name. */
size_t dmb_lvm_scan_vg_count(const struct dmb_lvm_scan *scan);
const struct dmb_lvm_vg *dmb_lvm_scan_vg(const struct dmb_lvm_scan *scan, size_t i);

/* The VG named name, or NULL. */
const struct dmb_lvm_vg *dmb_lvm_find_vg(const struct dmb_lvm_scan *scan, const char *name);
/* The LV named name in vg, or NULL. */
const struct dmb_lvm_lv *dmb_lvm_find_lv(const struct dmb_lvm_vg *vg, const char *name);

/*
 * The device-mapper name lvm2 gives an LV: "VG-LV" with every '-' inside
 * each name doubled ("my-vg"/"lv" → "my--vg-lv").  Writes at most cap bytes
 * including the NUL when cap > 0; returns the length the name needs.
 */
size_t dmb_lvm_dm_name(const struct dmb_lvm_lv *lv, char *buf, size_t cap);

/*
 * The device-mapper uuid lvm2 gives an LV: "LVM-" followed by the VG id and
 * the LV id without dashes (68 characters).  Same return as dmb_lvm_dm_name().
 */
size_t dmb_lvm_dm_uuid(const struct dmb_lvm_lv *lv, char *buf, size_t cap);

/*
 * Keys of the metadata the model has no field for (a segment's thin_pool,
 * origin or cow_store, an LV's allocation_policy, a VG's alloc...): the
 * string or integer value of key in the section the object came from.
 * NULL, or DMB_ENOENT, when it is absent or of another type.
 */
const char *dmb_lvm_vg_str(const struct dmb_lvm_vg *vg, const char *key);
const char *dmb_lvm_lv_str(const struct dmb_lvm_lv *lv, const char *key);
const char *dmb_lvm_seg_str(const struct dmb_lvm_seg *seg, const char *key);
DMB_MUST_CHECK int dmb_lvm_vg_int(const struct dmb_lvm_vg *vg, const char *key, int64_t *out);
DMB_MUST_CHECK int dmb_lvm_seg_int(const struct dmb_lvm_seg *seg, const char *key, int64_t *out);

/*
 * Map extents on missing PVs to the error target (lvm2's --activationmode
 * partial): each area on a missing PV reads from a filler device.
 */
#define DMB_LVM_PARTIAL 1u

/*
 * A filler, as lvm2 makes one for each area of an LV on a missing PV: the
 * device "<VG-LV>-missing_<segment>_<area>" (segment and area counted from
 * 0), uuid "<LV's dm uuid>-missing_<segment>_<area>", holding one error
 * target of the segment's length ("0 <sectors> error").  The caller creates
 * the fillers before the LV's own device and removes them after it.
 */
struct dmb_lvm_filler {
	char name[DMB_NAME_MAX + 1];
	char uuid[DMB_UUID_MAX + 1];
	uint64_t sectors;   /* 0 when the names or the size overflow (the table refuses those) */
};

/*
 * The fillers of lv's linear and striped segments: returns how many there
 * are, and writes the first cap of them to out (which may be NULL when cap
 * is 0).
 */
size_t dmb_lvm_lv_fillers(const struct dmb_lvm_lv *lv, struct dmb_lvm_filler *out, size_t cap);

/*
 * Snapshots, as lvm2 activates them: a snapshot's origin LV is two devices,
 * "<VG-LV>-real" (the LV's own segments) under "<VG-LV>" (snapshot-origin
 * over -real), and the LV holding a snapshot's COW store (the one lvs shows
 * as the snapshot) is "<VG-LV>-cow" (its own segments) under "<VG-LV>"
 * (snapshot over the origin's -real and the -cow); the uuids are the LVs'
 * with "-real" and "-cow" appended.  dmb_lvm_lv_layer() names the layer
 * under lv: "real", "cow", or NULL for an LV with no layer.  DMB_LVM_LAYER
 * asks dmb_lvm_lv_table() for the layer's table instead of the top one.
 */
#define DMB_LVM_LAYER 2u
const char *dmb_lvm_lv_layer(const struct dmb_lvm_lv *lv);

/* The origin LV of the snapshot whose COW store is cow, or NULL. */
const struct dmb_lvm_lv *dmb_lvm_snapshot_origin(const struct dmb_lvm_lv *cow);

/*
 * The dm table lvm2 loads for lv, one target per segment:
 *   "linear <dev> <pe_start + pe * extent_size>" for one stripe,
 *   "striped <n> <stripe_size> <dev> <offset> ..." for n > 1.
 * Lower devices are the names given to dmb_lvm_scan_add() (escaped for the
 * table).  With DMB_LVM_PARTIAL, an area on a missing PV is its filler
 * device (dmb_lvm_lv_fillers()) at offset 0, as lvm2 maps it.
 * For a snapshot's origin or COW store without DMB_LVM_LAYER, the one
 * snapshot-origin or snapshot target above (the origin's segments must map,
 * and the snapshot's chunk_size must be a power of two); with DMB_LVM_LAYER,
 * the segments of the layer (DMB_EINVAL for an LV without a layer).
 * Errors (message names the LV): DMB_ENOTSUP a segment type dmboot does not
 * activate (thin, thin-pool, cache, raid*, mirror, vdo, integrity, a
 * snapshot merging into its origin, the hidden snapshot LV itself ...: the
 * message names the LV and the type); DMB_ENOENT an area on a
 * missing PV without DMB_LVM_PARTIAL; DMB_ECORRUPT an extent range outside
 * its PV; DMB_ERANGE sector arithmetic overflows; DMB_ENOMEM.
 */
DMB_MUST_CHECK int dmb_lvm_lv_table(struct dmb_ctx *ctx, const struct dmb_lvm_lv *lv, unsigned flags,
		     struct dmb_table **out);

/* What dmb_lvm_activate() maps, as `lvchange -ay --devices <devs> VG/LV`. */
struct dmb_lvm_activate_args {
	/* The devices to scan: names ctx->resolver opens (they become the
	 * table's lower devices).  Devices without a PV label are skipped. */
	const char *const *devs;
	size_t ndevs;
	/* "VG/LV".  Required. */
	const char *lv;
	/* DMB_DEV_READONLY; an LV or VG without write permission is mapped
	 * read-only anyway, as lvm2 does. */
	unsigned flags;
};

/*
 * Activate one LV in one call: open each device through ctx->resolver,
 * scan it (dmb_lvm_scan_add(); a device with no PV label is skipped, one
 * with a damaged label or metadata is skipped with a warning logged, as
 * lvm2 does), build the VGs, find the LV, close the devices again and
 * create the device of dmb_lvm_lv_table() with dmb_dev_create().  *out is
 * the mapped device, NULL on failure.  An LV that needs devices of its own
 * underneath (a snapshot's origin or COW store, with its -real or -cow
 * layer) is refused; map those with dmb_lvm_lv_table() and DMB_LVM_LAYER.
 * Errors (the message names the device, VG or LV):
 *   DMB_EINVAL   no args, no devices, or lv not of the form VG/LV
 *   DMB_ENOENT   no resolver; a device the resolver does not find; no
 *                such VG ("Volume group "vg" not found") or LV ("Failed to
 *                find logical volume "vg/lv""); an area on a missing PV
 *   DMB_ENOTSUP  an LV with a layer (snapshot origin or COW store), or a
 *                segment type dmb_lvm_lv_table() refuses
 *   DMB_ECORRUPT, DMB_ERANGE  what dmb_lvm_scan_finish() reports for the
 *                VG named, or dmb_lvm_lv_table() for the LV
 *   errors of dmb_dev_create(); DMB_EIO and device errors; DMB_ENOMEM
 */
DMB_MUST_CHECK int dmb_lvm_activate(struct dmb_ctx *ctx, const struct dmb_lvm_activate_args *a,
				    struct dmb_dev **out);

#endif /* DMBOOT_LVM_H */
