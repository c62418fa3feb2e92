/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * What the files of `dmboot lvm` share: its options, the scan of the
 * devices (lvm_scan.c), the report fields and their values (lvm_fields.c),
 * the reports (lvm_report.c) and activation (lvm_activate.c).
 */
#ifndef DMBOOT_LVM_TOOL_H
#define DMBOOT_LVM_TOOL_H

#include "cli/device.h"
#include "cli/image.h"

/* lvm2's exit codes. */
enum {
	LVM_OK = 0,
	LVM_INVALID_CMD_LINE = 3,
	LVM_FAILED = 5,
};

struct scanned_dev {
	char *path;
	struct cli_image im;        /* the device under any spelling (docs/sfdisk.md) */
	struct dmb_bdev *bdev;      /* im.bd */
	struct dmb_part_table *parts;
	struct dmb_slice_bdev *slices;
	char **slice_names;
	size_t nslices;
};

struct scan {
	struct dmb_ctx ctx;
	struct dmb_lvm_scan *lvm;
	struct scanned_dev *devs;
	size_t ndevs;
};

struct lvm_opts {
	char **devices;
	size_t ndevices;
	char *fields;       /* -o, joined; a leading '+' adds to the default */
	bool segments, all, noheadings, nosuffix, json, partial, ignore_skip, aligned;
	const char *separator;
	char units;
	int activate;       /* 1 -ay, 0 -an, -1 unset */
};

struct row {
	const struct dmb_lvm_pvdev *dev;  /* pvs: the device (NULL for a missing PV) */
	const struct dmb_lvm_pv *pv;      /* pvs: the VG's PV entry, if any */
	const struct dmb_lvm_vg *vg;
	const struct dmb_lvm_lv *lv;
	const struct dmb_lvm_seg *seg;
	const char *pv_name;
};

struct report_ctx {
	const struct lvm_opts *o;
	struct state *st;       /* NULL when the state directory is unusable */
};

enum field_id {
	F_PV_NAME, F_VG_NAME, F_PV_FMT, F_PV_ATTR, F_PV_SIZE, F_PV_FREE, F_PV_UUID, F_DEV_SIZE,
	F_PE_START, F_PV_USED, F_PV_PE_COUNT, F_PV_PE_ALLOC, F_PV_MDA_COUNT, F_PV_MDA_SIZE,
	F_PV_EXT_VSN, F_PV_MISSING,
	F_PV_COUNT, F_LV_COUNT, F_SNAP_COUNT, F_VG_ATTR, F_VG_SIZE, F_VG_FREE, F_VG_UUID,
	F_VG_EXTENT_SIZE, F_VG_EXTENT_COUNT, F_VG_FREE_COUNT, F_VG_SEQNO, F_VG_FMT, F_VG_SYSID,
	F_VG_SYSTEMID, F_VG_LOCK_TYPE, F_VG_MISSING_PV_COUNT, F_MAX_LV, F_MAX_PV, F_VG_MDA_COPIES,
	F_LV_NAME, F_LV_ATTR, F_LV_SIZE, F_POOL_LV, F_ORIGIN, F_DATA_PERCENT, F_META_PERCENT,
	F_MOVE_PV, F_MIRROR_LOG, F_COPY_PERCENT, F_CONVERT_LV, F_LV_UUID, F_LV_PATH, F_LV_DM_PATH,
	F_LV_FULL_NAME, F_SEG_COUNT, F_LV_ACTIVE, F_LV_HOST, F_LV_ALLOC_POLICY,
	F_SEGTYPE, F_STRIPES, F_STRIPE_SIZE, F_SEG_START, F_SEG_START_PE, F_SEG_SIZE,
	F_SEG_SIZE_PE, F_SEG_PE_RANGES, F_SEG_LE_RANGES, F_DEVICES,
};

enum report_type { R_PV = 1, R_VG = 2, R_LV = 4, R_SEG = 8 };

struct field {
	const char *id;
	const char *heading;
	unsigned width;      /* lvm2's minimum display width */
	bool right;          /* numbers and sizes align right */
	unsigned types;      /* reports it may appear in */
	enum field_id fid;
};

/* Scan the devices of --devices and their partitions; an lvm2 exit code. */
int lvm_scan_all(struct scan *s, const struct lvm_opts *o);
void lvm_scan_fini(struct scan *s);

bool lvm_seg_is(const struct dmb_lvm_seg *seg, const char *type);
/* lvm2's lv_is_visible(). */
bool lvm_lv_visible(const struct dmb_lvm_lv *lv);
/* Whether the LV is active in dmboot's registry, and *open when a device uses it. */
bool lvm_lv_active(const struct report_ctx *rc, const struct dmb_lvm_lv *lv, bool *open);
/* The dm name and uuid lvm2 gives an LV. */
void lvm_lv_dm_ids(const struct dmb_lvm_lv *lv, char *name, size_t ncap, char *uuid,
		   size_t ucap);
bool lvm_units_ok(char c);

/* The JSON object name of each report. */
extern const char *const lvm_report_names[];
/*
 * The columns of a report: -o's fields, or the default ones (with a leading
 * '+', followed by -o's).  0, -EINVAL after naming an unknown field, -ENOMEM.
 */
int lvm_parse_fields(const struct lvm_opts *o, enum report_type type, const struct field ***cols,
		     size_t *ncols);
/* The text of one field of one row. */
void lvm_field_value(const struct report_ctx *rc, const struct field *f, const struct row *r,
		     char *buf, size_t cap);

/* VG and VG/LV arguments that name nothing, reported as lvm2 does; an exit code. */
int lvm_check_args(const struct scan *s, char **args, size_t nargs, bool lvs);
/* pvs, vgs, lvs (R_LV or, with --segments, R_SEG); an exit code. */
int lvm_report(enum report_type type, const struct lvm_opts *o, char **args, size_t nargs);
/* vgchange or lvchange -ay|-an; an exit code. */
int lvm_change(bool vgchange, const struct lvm_opts *o, char **args, size_t nargs);

#endif /* DMBOOT_LVM_TOOL_H */
