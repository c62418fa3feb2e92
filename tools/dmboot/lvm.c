// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * dmboot lvm: lvm2's reporting and activation commands over image files.
 * The devices to scan are given with --devices (lvm2's option of the same
 * name); every partition on them is scanned too, as IMAGE:pN.  pvs, vgs and
 * lvs print lvm2's default columns with its widths, alignment, units and
 * JSON layout; vgchange/lvchange -ay create the VG-LV mapped devices with
 * the tables lvm2 would load, -an removes them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/device.h"

/* lvm2's exit codes. */
enum {
	LVM_OK = 0,
	LVM_INVALID_CMD_LINE = 3,
	LVM_FAILED = 5,
};

/* ---- scanning -------------------------------------------------------- */

struct scanned_dev {
	char *path;
	struct dmb_bdev *bdev;
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

struct opts {
	char **devices;
	size_t ndevices;
	char *fields;       /* -o, joined; a leading '+' adds to the default */
	bool segments, all, noheadings, nosuffix, json, partial, ignore_skip;
	const char *separator;
	char units;
	int activate;       /* 1 -ay, 0 -an, -1 unset */
};

static void scan_fini(struct scan *s)
{
	dmb_lvm_scan_destroy(s->lvm);
	for (size_t i = 0; i < s->ndevs; i++) {
		struct scanned_dev *d = &s->devs[i];

		for (size_t k = 0; k < d->nslices; k++)
			free(d->slice_names[k]);
		free(d->slice_names);
		free(d->slices);
		dmb_part_table_destroy(d->parts);
		dmb_posix_close(d->bdev);
		free(d->path);
	}
	free(s->devs);
}

/* Add one device to the LVM scan; a device that is no PV is fine. */
static void scan_one(struct scan *s, const char *name, struct dmb_bdev *bd)
{
	int r = dmb_lvm_scan_add(s->lvm, name, bd);

	if (r == DMB_ENOENT || r == 0)
		return;
	fprintf(stderr, "  WARNING: %s (device not used).\n", s->ctx.msg);
}

/* Open a device and its partitions and add them all to the scan. */
static int scan_device(struct scan *s, const char *path)
{
	struct scanned_dev *d = &s->devs[s->ndevs];
	int r = dmb_posix_open(&s->ctx, path, 0, &d->bdev);

	if (r) {
		fprintf(stderr, "  Cannot use %s: %s\n", path, s->ctx.msg);
		return r;
	}
	d->path = strdup(path);
	if (!d->path)
		return -ENOMEM;
	s->ndevs++;
	scan_one(s, path, d->bdev);
	/* The library's warnings cannot name the device: say it here instead. */
	s->ctx.log_level = DMB_LOG_ERR;
	r = dmb_part_table_load(&s->ctx, d->bdev, 0, &d->parts);
	s->ctx.log_level = DMB_LOG_WARN;
	if (r == DMB_ENOENT)
		return 0;
	if (r) {
		fprintf(stderr, "  WARNING: %s: partition table: %s\n", path, s->ctx.msg);
		return 0;
	}
	if (d->parts->used_backup)
		fprintf(stderr, "  WARNING: %s: the primary GPT is damaged; using the backup.\n", path);
	else if (d->parts->backup_bad)
		fprintf(stderr, "  WARNING: %s: the backup GPT is damaged or missing.\n", path);
	d->slices = calloc(d->parts->count ? d->parts->count : 1, sizeof(*d->slices));
	d->slice_names = calloc(d->parts->count ? d->parts->count : 1, sizeof(*d->slice_names));
	if (!d->slices || !d->slice_names)
		return -ENOMEM;
	for (size_t i = 0; i < d->parts->count; i++) {
		const struct dmb_part *p = &d->parts->parts[i];
		char *name;

		/* An extended partition only holds the logical ones. */
		if (p->extended ||
		    dmb_part_slice(&s->ctx, d->bdev, d->parts, p, &d->slices[d->nslices]))
			continue;
		if (asprintf(&name, "%s:p%u", path, p->number) < 0)
			return -ENOMEM;
		d->slice_names[d->nslices] = name;
		scan_one(s, name, &d->slices[d->nslices].bdev);
		d->nslices++;
	}
	return 0;
}

static int scan_all(struct scan *s, const struct opts *o)
{
	int r;

	memset(s, 0, sizeof(*s));
	s->ctx.log_level = DMB_LOG_WARN;
	if (o->ndevices == 0) {
		cli_error("no devices to scan: give them with --devices IMAGE[,IMAGE...]");
		return LVM_INVALID_CMD_LINE;
	}
	s->devs = calloc(o->ndevices, sizeof(*s->devs));
	if (!s->devs || dmb_lvm_scan_create(&s->ctx, &s->lvm)) {
		cli_error("out of memory");
		return LVM_FAILED;
	}
	for (size_t i = 0; i < o->ndevices; i++) {
		r = scan_device(s, o->devices[i]);
		if (r == -ENOMEM) {
			cli_error("out of memory");
			return LVM_FAILED;
		}
	}
	r = dmb_lvm_scan_finish(s->lvm);
	if (r == DMB_ENOMEM) {
		cli_error("out of memory");
		return LVM_FAILED;
	}
	if (r)
		fprintf(stderr, "  %s\n", s->ctx.msg);
	/* lvm2 names the PVs a VG misses. */
	for (size_t i = 0; i < dmb_lvm_scan_vg_count(s->lvm); i++) {
		const struct dmb_lvm_vg *vg = dmb_lvm_scan_vg(s->lvm, i);

		for (size_t k = 0; k < vg->pv_count; k++)
			if (!vg->pvs[k].dev)
				fprintf(stderr, "  WARNING: Couldn't find device with uuid %s.\n",
					vg->pvs[k].uuid);
		for (size_t k = 0; k < vg->pv_count; k++)
			if (!vg->pvs[k].dev)
				fprintf(stderr, "  WARNING: VG %s is missing PV %s (last written to %s).\n",
					vg->name, vg->pvs[k].uuid,
					vg->pvs[k].device_hint ? vg->pvs[k].device_hint : "[unknown]");
	}
	return LVM_OK;
}

/* ---- values ---------------------------------------------------------- */

/*
 * Sizes as lvm2 prints them (libdm's dm_size_to_string): 'r' and 'h' pick
 * the largest power-of-1024 unit the size reaches ('R', 'H': of 1000), two
 * decimals, and 'r' marks a rounded value with '<'; a unit letter prints in
 * that unit, lower case for powers of 1024 and upper case for 1000.
 */
static void format_size(uint64_t sectors, char units, bool nosuffix, char *buf, size_t cap)
{
	static const char bin[] = "eptgmk", dec[] = "EPTGMK";
	bool human = strchr("rRhH", units) != NULL;
	const char *prefix = "", *p;
	uint64_t bytes = sectors * 512, unit = 1, base = 1024;
	int precision = 2;
	char suffix;

	if (human) {
		unsigned s = 0;

		base = units == 'r' || units == 'h' ? 1024 : 1000;
		for (int i = 0; i < 6; i++)
			unit *= base;
		while (s < 6 && bytes < unit) {
			unit /= base;
			s++;
		}
		suffix = s == 6 ? (base == 1024 ? 'b' : 'B') : (base == 1024 ? bin : dec)[s];
		if (s < 6 && (units == 'r' || units == 'R')) {
			/* '<' when rounding to two decimals would go up (round half even). */
			double d = 100.0 * (double)bytes / (double)unit;
			double fl = (double)(uint64_t)d, frac = d - fl;
			double near = frac > 0.5 ? fl + 1 : frac < 0.5 ? fl :
				      ((uint64_t)fl % 2 ? fl + 1 : fl);

			if (near != fl)
				prefix = "<";
		}
		if (s == 6)
			precision = 0;
	} else if (units == 's' || units == 'S') {
		unit = 512;
		suffix = 'S';
		precision = 0;
	} else if (units == 'b' || units == 'B') {
		suffix = 'B';
		precision = 0;
	} else {
		p = strchr(bin, units);
		if (!p) {
			p = strchr(dec, units);
			base = 1000;
		}
		for (long i = 0; i < 6 - (p - (base == 1024 ? bin : dec)); i++)
			unit *= base;
		suffix = units;
	}
	if (sectors == 0) {
		snprintf(buf, cap, "0%c", human ? ' ' : suffix);
		if (nosuffix)
			buf[1] = '\0';
		return;
	}
	if (nosuffix && !human)
		snprintf(buf, cap, "%.*f", precision, (double)bytes / (double)unit);
	else
		snprintf(buf, cap, "%s%.*f%c", prefix, precision, (double)bytes / (double)unit,
			 suffix);
}

static bool units_ok(char c)
{
	return c && strchr("rRhHsSbBkKmMgGtTpPeE", c) != NULL;
}

/* One report row: the objects a field may look at. */
struct row {
	const struct dmb_lvm_pvdev *dev;  /* pvs: the device (NULL for a missing PV) */
	const struct dmb_lvm_pv *pv;      /* pvs: the VG's PV entry, if any */
	const struct dmb_lvm_vg *vg;
	const struct dmb_lvm_lv *lv;
	const struct dmb_lvm_seg *seg;
	const char *pv_name;
};

struct report_ctx {
	const struct opts *o;
	struct state *st;       /* NULL when the state directory is unusable */
};

static bool seg_is(const struct dmb_lvm_seg *seg, const char *type)
{
	return strcmp(seg->type, type) == 0;
}

/* The snapshot segment of a snapshot LV. */
static const struct dmb_lvm_seg *snapshot_seg(const struct dmb_lvm_lv *snap)
{
	return snap && snap->seg_count ? &snap->segs[0] : NULL;
}

/*
 * lvm2's lv_is_visible(): a snapshot's own LV never shows; its COW store,
 * which the metadata keeps without VISIBLE, shows when its origin does.
 */
static bool lv_visible(const struct dmb_lvm_lv *lv)
{
	if (lv->seg_count && seg_is(&lv->segs[0], "snapshot"))
		return false;
	if (lv->cow_of) {
		const char *origin = dmb_lvm_seg_str(snapshot_seg(lv->cow_of), "origin");
		const struct dmb_lvm_lv *o = origin ? dmb_lvm_find_lv(lv->vg, origin) : NULL;

		return o && o != lv && (o->status & DMB_LVM_VISIBLE);
	}
	return (lv->status & DMB_LVM_VISIBLE) != 0;
}

static bool lv_partial(const struct dmb_lvm_lv *lv)
{
	for (size_t i = 0; i < lv->seg_count; i++)
		for (size_t k = 0; k < lv->segs[i].area_count; k++)
			if (lv->segs[i].areas[k].pv && !lv->segs[i].areas[k].pv->dev)
				return true;
	return false;
}

static char policy_char(const char *policy, char dflt)
{
	if (!policy)
		return dflt;
	if (strcmp(policy, "contiguous") == 0)
		return 'c';
	if (strcmp(policy, "cling") == 0 || strcmp(policy, "cling_by_tags") == 0)
		return 'l';
	if (strcmp(policy, "anywhere") == 0)
		return 'a';
	if (strcmp(policy, "normal") == 0)
		return 'n';
	return 'i';
}

/* The dm name and uuid lvm2 gives an LV. */
static void lv_dm_ids(const struct dmb_lvm_lv *lv, char *name, size_t ncap, char *uuid,
		      size_t ucap)
{
	dmb_lvm_dm_name(lv, name, ncap);
	dmb_lvm_dm_uuid(lv, uuid, ucap);
}

/* 1 when the LV is active in dmboot's registry, and *open when a device uses it. */
static bool lv_active(const struct report_ctx *rc, const struct dmb_lvm_lv *lv, bool *open)
{
	char name[2 * DMB_NAME_MAX + 8], uuid[DMB_UUID_MAX + 1];
	struct state_dev *d;
	bool active = false;

	*open = false;
	if (!rc->st)
		return false;
	lv_dm_ids(lv, name, sizeof(name), uuid, sizeof(uuid));
	if (state_load(rc->st, name, &d) == 0) {
		active = strcmp(d->uuid, uuid) == 0;
		state_dev_free(d);
	}
	if (active) {
		char **users;
		size_t n;

		if (state_users(rc->st, name, &users, &n) == 0) {
			*open = n > 0;
			state_free_list(users, n);
		}
	}
	return active;
}

static void lv_attr(const struct report_ctx *rc, const struct dmb_lvm_lv *lv, char out[11])
{
	const struct dmb_lvm_seg *seg = lv->seg_count ? &lv->segs[0] : NULL;
	const char *type = seg ? seg->type : "";
	bool open, active = lv_active(rc, lv, &open);
	int64_t zero;

	memcpy(out, "----------", 11);
	if (strcmp(type, "thin-pool") == 0)
		out[0] = 't';
	else if (strcmp(type, "thin") == 0)
		out[0] = 'V';
	else if (strncmp(type, "raid", 4) == 0)
		out[0] = 'r';
	else if (strcmp(type, "mirror") == 0)
		out[0] = 'm';
	else if (strcmp(type, "cache") == 0 || strcmp(type, "writecache") == 0)
		out[0] = 'C';
	else if (strcmp(type, "vdo-pool") == 0)
		out[0] = 'd';
	else if (strcmp(type, "vdo") == 0)
		out[0] = 'v';
	else if (lv->cow_of)
		out[0] = 's';
	else if (lv->origin_of)
		out[0] = 'o';
	else if (strcmp(type, "error") == 0 || strcmp(type, "zero") == 0)
		out[0] = 'v';
	else if (strstr(lv->name, "_tdata"))
		out[0] = 'T';
	else if (strstr(lv->name, "_tmeta") || strstr(lv->name, "_pmspare"))
		out[0] = 'e';
	out[1] = lv->status & DMB_LVM_WRITE ? 'w' : 'r';
	out[2] = policy_char(dmb_lvm_lv_str(lv, "allocation_policy"), 'i');
	if (lv->status & DMB_LVM_LOCKED)
		out[2] = (char)(out[2] - 'a' + 'A');
	if (lv->status & DMB_LVM_FIXED_MINOR)
		out[3] = 'm';
	if (active)
		out[4] = 'a';
	if (open)
		out[5] = 'o';
	if (strcmp(type, "thin") == 0 || strcmp(type, "thin-pool") == 0)
		out[6] = 't';
	else if (out[0] == 's' || out[0] == 'o')
		out[6] = 's';
	else if (out[0] == 'm')
		out[6] = 'm';
	else if (out[0] == 'r')
		out[6] = 'r';
	else if (out[0] == 'C')
		out[6] = 'C';
	else if (strcmp(type, "error") == 0 || strcmp(type, "zero") == 0)
		out[6] = 'v';
	if (seg && strcmp(type, "thin-pool") == 0 &&
	    dmb_lvm_seg_int(seg, "zero_new_blocks", &zero) == 0 && zero)
		out[7] = 'z';
	if (lv_partial(lv))
		out[8] = 'p';
	if (lv->status & DMB_LVM_ACTIVATION_SKIP)
		out[9] = 'k';
}

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

#define ALL_LV (R_LV | R_SEG)
#define ALL (R_PV | R_VG | R_LV | R_SEG)
static const struct field fields[] = {
	{ "pv_name", "PV", 10, false, R_PV, F_PV_NAME },
	{ "vg_name", "VG", 0, false, ALL, F_VG_NAME },
	{ "pv_fmt", "Fmt", 0, false, R_PV, F_PV_FMT },
	{ "pv_attr", "Attr", 0, false, R_PV, F_PV_ATTR },
	{ "pv_size", "PSize", 0, true, R_PV, F_PV_SIZE },
	{ "pv_free", "PFree", 0, true, R_PV, F_PV_FREE },
	{ "pv_uuid", "PV UUID", 38, false, R_PV, F_PV_UUID },
	{ "dev_size", "DevSize", 0, true, R_PV, F_DEV_SIZE },
	{ "pe_start", "1st PE", 7, true, R_PV, F_PE_START },
	{ "pv_used", "Used", 0, true, R_PV, F_PV_USED },
	{ "pv_pe_count", "PE", 3, true, R_PV, F_PV_PE_COUNT },
	{ "pv_pe_alloc_count", "Alloc", 0, true, R_PV, F_PV_PE_ALLOC },
	{ "pv_mda_count", "#PMda", 0, true, R_PV, F_PV_MDA_COUNT },
	{ "pv_mda_size", "PMdaSize", 9, true, R_PV, F_PV_MDA_SIZE },
	{ "pv_ext_vsn", "PExtVsn", 0, true, R_PV, F_PV_EXT_VSN },
	{ "pv_missing", "Missing", 10, false, R_PV, F_PV_MISSING },
	{ "pv_count", "#PV", 0, true, R_VG, F_PV_COUNT },
	{ "lv_count", "#LV", 0, true, R_VG, F_LV_COUNT },
	{ "snap_count", "#SN", 0, true, R_VG, F_SNAP_COUNT },
	{ "vg_attr", "Attr", 5, false, R_VG, F_VG_ATTR },
	{ "vg_size", "VSize", 0, true, R_VG, F_VG_SIZE },
	{ "vg_free", "VFree", 0, true, R_VG, F_VG_FREE },
	{ "vg_uuid", "VG UUID", 38, false, R_VG, F_VG_UUID },
	{ "vg_extent_size", "Ext", 0, true, R_VG, F_VG_EXTENT_SIZE },
	{ "vg_extent_count", "#Ext", 0, true, R_VG, F_VG_EXTENT_COUNT },
	{ "vg_free_count", "Free", 0, true, R_VG, F_VG_FREE_COUNT },
	{ "vg_seqno", "Seq", 0, true, R_VG, F_VG_SEQNO },
	{ "vg_fmt", "Fmt", 0, false, R_VG, F_VG_FMT },
	{ "vg_sysid", "SYS ID", 0, false, R_VG, F_VG_SYSID },
	{ "vg_systemid", "System ID", 0, false, R_VG, F_VG_SYSTEMID },
	{ "vg_lock_type", "LockType", 0, false, R_VG, F_VG_LOCK_TYPE },
	{ "vg_missing_pv_count", "#PV Missing", 0, true, R_VG, F_VG_MISSING_PV_COUNT },
	{ "max_lv", "MaxLV", 0, true, R_VG, F_MAX_LV },
	{ "max_pv", "MaxPV", 0, true, R_VG, F_MAX_PV },
	{ "vg_mda_copies", "#VMdaCps", 0, true, R_VG, F_VG_MDA_COPIES },
	{ "lv_name", "LV", 4, false, ALL_LV, F_LV_NAME },
	{ "lv_attr", "Attr", 0, false, ALL_LV, F_LV_ATTR },
	{ "lv_size", "LSize", 0, true, ALL_LV, F_LV_SIZE },
	{ "pool_lv", "Pool", 0, false, ALL_LV, F_POOL_LV },
	{ "origin", "Origin", 0, false, ALL_LV, F_ORIGIN },
	{ "data_percent", "Data%", 6, true, ALL_LV, F_DATA_PERCENT },
	{ "metadata_percent", "Meta%", 6, true, ALL_LV, F_META_PERCENT },
	{ "move_pv", "Move", 0, false, ALL_LV, F_MOVE_PV },
	{ "mirror_log", "Log", 0, false, ALL_LV, F_MIRROR_LOG },
	{ "copy_percent", "Cpy%Sync", 0, true, ALL_LV, F_COPY_PERCENT },
	{ "convert_lv", "Convert", 0, false, ALL_LV, F_CONVERT_LV },
	{ "lv_uuid", "LV UUID", 38, false, ALL_LV, F_LV_UUID },
	{ "lv_path", "Path", 0, false, ALL_LV, F_LV_PATH },
	{ "lv_dm_path", "DMPath", 0, false, ALL_LV, F_LV_DM_PATH },
	{ "lv_full_name", "LV", 4, false, ALL_LV, F_LV_FULL_NAME },
	{ "seg_count", "#Seg", 0, true, ALL_LV, F_SEG_COUNT },
	{ "lv_active", "Active", 0, false, ALL_LV, F_LV_ACTIVE },
	{ "lv_host", "Host", 10, false, ALL_LV, F_LV_HOST },
	{ "lv_allocation_policy", "AllocPol", 10, false, ALL_LV, F_LV_ALLOC_POLICY },
	{ "segtype", "Type", 0, false, R_SEG, F_SEGTYPE },
	{ "stripes", "#Str", 0, true, R_SEG, F_STRIPES },
	{ "stripe_size", "Stripe", 0, true, R_SEG, F_STRIPE_SIZE },
	{ "seg_start", "Start", 0, true, R_SEG, F_SEG_START },
	{ "seg_start_pe", "Start", 0, true, R_SEG, F_SEG_START_PE },
	{ "seg_size", "SSize", 0, true, R_SEG, F_SEG_SIZE },
	{ "seg_size_pe", "SSize", 0, true, R_SEG, F_SEG_SIZE_PE },
	{ "seg_pe_ranges", "PE Ranges", 0, false, R_SEG, F_SEG_PE_RANGES },
	{ "seg_le_ranges", "LE Ranges", 0, false, R_SEG, F_SEG_LE_RANGES },
	{ "devices", "Devices", 0, false, R_SEG, F_DEVICES },
};

static const char *const default_fields[] = {
	[R_PV] = "pv_name,vg_name,pv_fmt,pv_attr,pv_size,pv_free",
	[R_VG] = "vg_name,pv_count,lv_count,snap_count,vg_attr,vg_size,vg_free",
	[R_LV] = "lv_name,vg_name,lv_attr,lv_size,pool_lv,origin,data_percent,metadata_percent,"
		 "move_pv,mirror_log,copy_percent,convert_lv",
	[R_SEG] = "lv_name,vg_name,lv_attr,stripes,segtype,seg_size",
};

/* The JSON object name of each report. */
static const char *const report_name[] = { [R_PV] = "pv", [R_VG] = "vg", [R_LV] = "lv",
					   [R_SEG] = "seg" };

/*
 * A field by name: the full id, or the id without the report's prefix
 * ("name" in lvs is lv_name, "size" in vgs vg_size), as lvm2 accepts.
 */
static const struct field *find_field(const char *name, enum report_type type)
{
	static const char *const prefix[] = { [R_PV] = "pv_", [R_VG] = "vg_", [R_LV] = "lv_",
					      [R_SEG] = "seg_" };
	char buf[64];

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if ((fields[i].types & type) && strcmp(fields[i].id, name) == 0)
			return &fields[i];
	for (unsigned t = R_PV; t <= R_SEG; t <<= 1) {
		if (!(t & (type == R_SEG ? ALL_LV | R_VG | R_PV : type | R_VG)))
			continue;
		snprintf(buf, sizeof(buf), "%s%s", prefix[t], name);
		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if ((fields[i].types & type) && strcmp(fields[i].id, buf) == 0)
				return &fields[i];
	}
	return NULL;
}

/*
 * A segment's areas: "DEV:FIRST-LAST" joined by sep (seg_pe_ranges,
 * seg_le_ranges), or with extents false "DEV(FIRST)" joined by ','
 * (devices).  A missing PV is "[unknown]", an LV area its LV.
 */
static void area_list(const struct dmb_lvm_seg *seg, bool extents, char sep, char *buf,
		      size_t cap)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < seg->area_count && used < cap; i++) {
		const struct dmb_lvm_area *a = &seg->areas[i];
		const char *name = a->pv ? (a->pv->dev ? a->pv->dev->dev_name : "[unknown]") :
				   a->lv->name;
		unsigned long long first = a->start_extent;
		int n = extents ? snprintf(buf + used, cap - used, "%s%s:%llu-%llu",
					   i ? (char[]){ sep, 0 } : "", name, first,
					   first + seg->area_extents - 1) :
				  snprintf(buf + used, cap - used, "%s%s(%llu)", i ? "," : "", name,
					   first);

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

static void put_u64(char *buf, size_t cap, uint64_t v)
{
	snprintf(buf, cap, "%llu", (unsigned long long)v);
}

/* The text of one field of one row. */
static void field_value(const struct report_ctx *rc, const struct field *f, const struct row *r,
			char *buf, size_t cap)
{
	const struct opts *o = rc->o;
	const struct dmb_lvm_vg *vg = r->vg;
	const struct dmb_lvm_lv *lv = r->lv;
	const struct dmb_lvm_pv *pv = r->pv;
	const char *s;
	uint64_t es = vg ? vg->extent_size_sectors : 0, v;
	int64_t n;
	bool open;

	buf[0] = '\0';
	switch (f->fid) {
	case F_PV_NAME:
		snprintf(buf, cap, "%s", r->pv_name);
		break;
	case F_VG_NAME:
		snprintf(buf, cap, "%s", vg ? vg->name : "");
		break;
	case F_PV_FMT:
	case F_VG_FMT:
		snprintf(buf, cap, "lvm2");
		break;
	case F_PV_ATTR:
		snprintf(buf, cap, "%c%c%c",
			 pv && (pv->status & DMB_LVM_ALLOCATABLE) ? 'a' : '-',
			 vg && (vg->status & DMB_LVM_EXPORTED) ? 'x' : '-',
			 pv && !pv->dev ? 'm' : '-');
		break;
	case F_PV_SIZE:
		v = pv ? (pv->pe_count ? pv->pe_count * es : pv->dev_size_sectors) :
			 r->dev->dev_size_bytes / 512;
		format_size(v, o->units, o->nosuffix, buf, cap);
		break;
	case F_PV_FREE:
		v = pv ? (pv->pe_count - pv->pe_alloc) * es : r->dev->dev_size_bytes / 512;
		format_size(v, o->units, o->nosuffix, buf, cap);
		break;
	case F_PV_USED:
		format_size(pv ? pv->pe_alloc * es : 0, o->units, o->nosuffix, buf, cap);
		break;
	case F_PV_UUID:
		snprintf(buf, cap, "%s", pv ? pv->uuid : r->dev->uuid);
		break;
	case F_DEV_SIZE:
		if (r->dev)
			format_size(dmb_bdev_sectors(r->dev->bdev), o->units, o->nosuffix, buf, cap);
		else
			format_size(0, o->units, o->nosuffix, buf, cap);
		break;
	case F_PE_START:
		format_size(pv ? pv->pe_start_sectors : r->dev->pe_start_bytes / 512, o->units,
			    o->nosuffix, buf, cap);
		break;
	case F_PV_PE_COUNT:
		put_u64(buf, cap, pv ? pv->pe_count : 0);
		break;
	case F_PV_PE_ALLOC:
		put_u64(buf, cap, pv ? pv->pe_alloc : 0);
		break;
	case F_PV_MDA_COUNT:
		put_u64(buf, cap, r->dev ? r->dev->mda_count : 0);
		break;
	case F_PV_MDA_SIZE:
		format_size(r->dev ? r->dev->mda_size_bytes / 512 : 0, o->units, o->nosuffix, buf,
			    cap);
		break;
	case F_PV_EXT_VSN:
		put_u64(buf, cap, r->dev ? r->dev->ext_version : 0);
		break;
	case F_PV_MISSING:
		snprintf(buf, cap, "%s", pv && !pv->dev ? "missing" : "");
		break;
	case F_PV_COUNT:
		put_u64(buf, cap, vg->pv_count);
		break;
	case F_LV_COUNT:
		v = 0;
		for (size_t i = 0; i < vg->lv_count; i++)
			v += lv_visible(&vg->lvs[i]);
		put_u64(buf, cap, v);
		break;
	case F_SNAP_COUNT:
		v = 0;
		for (size_t i = 0; i < vg->lv_count; i++)
			v += vg->lvs[i].seg_count && seg_is(&vg->lvs[i].segs[0], "snapshot");
		put_u64(buf, cap, v);
		break;
	case F_VG_ATTR:
		snprintf(buf, cap, "%c%c%c%c%c%c",
			 vg->status & (DMB_LVM_WRITE | DMB_LVM_WRITE_LOCKED) ? 'w' : 'r',
			 vg->status & DMB_LVM_RESIZEABLE ? 'z' : '-',
			 vg->status & DMB_LVM_EXPORTED ? 'x' : '-', vg->missing_pvs ? 'p' : '-',
			 policy_char(dmb_lvm_vg_str(vg, "allocation_policy"), 'n'),
			 vg->status & DMB_LVM_CLUSTERED ? 'c' :
			 vg->status & DMB_LVM_SHARED || vg->lock_type ? 's' : '-');
		break;
	case F_VG_SIZE:
		format_size(vg->extent_count * es, o->units, o->nosuffix, buf, cap);
		break;
	case F_VG_FREE:
		format_size(vg->free_count * es, o->units, o->nosuffix, buf, cap);
		break;
	case F_VG_UUID:
		snprintf(buf, cap, "%s", vg->uuid);
		break;
	case F_VG_EXTENT_SIZE:
		format_size(es, o->units, o->nosuffix, buf, cap);
		break;
	case F_VG_EXTENT_COUNT:
		put_u64(buf, cap, vg->extent_count);
		break;
	case F_VG_FREE_COUNT:
		put_u64(buf, cap, vg->free_count);
		break;
	case F_VG_SEQNO:
		put_u64(buf, cap, vg->seqno);
		break;
	case F_VG_SYSID:
	case F_VG_SYSTEMID:
		snprintf(buf, cap, "%s", vg->system_id ? vg->system_id : "");
		break;
	case F_VG_LOCK_TYPE:
		snprintf(buf, cap, "%s", vg->lock_type ? vg->lock_type : "");
		break;
	case F_VG_MISSING_PV_COUNT:
		put_u64(buf, cap, vg->missing_pvs);
		break;
	case F_MAX_LV:
	case F_MAX_PV:
	case F_VG_MDA_COPIES:
		s = f->fid == F_MAX_LV ? "max_lv" : f->fid == F_MAX_PV ? "max_pv" : "metadata_copies";
		if (dmb_lvm_vg_int(vg, s, &n))
			n = 0;
		if (f->fid == F_VG_MDA_COPIES && n == 0)
			snprintf(buf, cap, "unmanaged");
		else
			put_u64(buf, cap, (uint64_t)(n < 0 ? 0 : n));
		break;
	case F_LV_NAME:
		snprintf(buf, cap, lv_visible(lv) ? "%s" : "[%s]", lv->name);
		break;
	case F_LV_FULL_NAME:
		snprintf(buf, cap, "%s/%s", vg->name, lv->name);
		break;
	case F_LV_ATTR: {
		char a[11];

		lv_attr(rc, lv, a);
		snprintf(buf, cap, "%s", a);
		break;
	}
	case F_LV_SIZE:
		format_size(lv->size_sectors, o->units, o->nosuffix, buf, cap);
		break;
	case F_POOL_LV:
		s = lv->seg_count && seg_is(&lv->segs[0], "thin") ?
		    dmb_lvm_seg_str(&lv->segs[0], "thin_pool") : NULL;
		snprintf(buf, cap, "%s", s ? s : "");
		break;
	case F_ORIGIN: {
		const struct dmb_lvm_seg *snap = lv->cow_of ? snapshot_seg(lv->cow_of) : NULL;

		s = snap ? dmb_lvm_seg_str(snap, "origin") :
		    lv->seg_count && seg_is(&lv->segs[0], "thin") ?
		    dmb_lvm_seg_str(&lv->segs[0], "origin") : NULL;
		snprintf(buf, cap, "%s", s ? s : "");
		break;
	}
	case F_DATA_PERCENT:
	case F_META_PERCENT:
	case F_MOVE_PV:
	case F_MIRROR_LOG:
	case F_COPY_PERCENT:
	case F_CONVERT_LV:
		/* Kernel status of pools, snapshots, mirrors: nothing dmboot runs. */
		break;
	case F_LV_UUID:
		snprintf(buf, cap, "%s", lv->uuid);
		break;
	case F_LV_PATH:
		if (lv_visible(lv))
			snprintf(buf, cap, "/dev/%s/%s", vg->name, lv->name);
		break;
	case F_LV_DM_PATH: {
		char name[2 * DMB_NAME_MAX + 8];

		dmb_lvm_dm_name(lv, name, sizeof(name));
		snprintf(buf, cap, "/dev/mapper/%s", name);
		break;
	}
	case F_SEG_COUNT:
		put_u64(buf, cap, lv->seg_count);
		break;
	case F_LV_ACTIVE:
		snprintf(buf, cap, "%s", lv_active(rc, lv, &open) ? "active" : "");
		break;
	case F_LV_HOST:
		s = dmb_lvm_lv_str(lv, "creation_host");
		snprintf(buf, cap, "%s", s ? s : "");
		break;
	case F_LV_ALLOC_POLICY:
		s = dmb_lvm_lv_str(lv, "allocation_policy");
		snprintf(buf, cap, "%s", s ? s : "inherit");
		break;
	case F_SEGTYPE:
		snprintf(buf, cap, "%s",
			 seg_is(r->seg, "striped") && r->seg->area_count == 1 ? "linear" :
			 r->seg->type);
		break;
	case F_STRIPES:
		put_u64(buf, cap, r->seg->area_count);
		break;
	case F_STRIPE_SIZE:
		format_size(r->seg->stripe_size_sectors, o->units, o->nosuffix, buf, cap);
		break;
	case F_SEG_START:
		format_size(r->seg->start_extent * es, o->units, o->nosuffix, buf, cap);
		break;
	case F_SEG_START_PE:
		put_u64(buf, cap, r->seg->start_extent);
		break;
	case F_SEG_SIZE:
		format_size(r->seg->extent_count * es, o->units, o->nosuffix, buf, cap);
		break;
	case F_SEG_SIZE_PE:
		put_u64(buf, cap, r->seg->extent_count);
		break;
	case F_SEG_PE_RANGES:
		area_list(r->seg, true, ' ', buf, cap);
		break;
	case F_SEG_LE_RANGES:
		area_list(r->seg, true, ',', buf, cap);
		break;
	case F_DEVICES:
		area_list(r->seg, false, ',', buf, cap);
		break;
	}
}

/* ---- report output --------------------------------------------------- */

#define VALUE_MAX 4096

struct report {
	const struct field **cols;
	size_t ncols;
	struct row *rows;
	size_t nrows, cap;
};

static int add_row(struct report *rep, const struct row *r)
{
	if (rep->nrows == rep->cap) {
		size_t cap = rep->cap ? rep->cap * 2 : 16;
		struct row *n = realloc(rep->rows, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		rep->rows = n;
		rep->cap = cap;
	}
	rep->rows[rep->nrows++] = *r;
	return 0;
}

static int parse_fields(const struct opts *o, enum report_type type, struct report *rep)
{
	char *list = NULL, *save = NULL;
	const char *spec = o->fields;
	int r = 0;

	if (!spec || spec[0] == '+') {
		if (asprintf(&list, "%s%s", default_fields[type], spec ? spec : "") < 0)
			return -ENOMEM;
		for (char *p = list; *p; p++)
			if (*p == '+')
				*p = ',';
	} else {
		list = strdup(spec);
		if (!list)
			return -ENOMEM;
	}
	rep->cols = calloc(strlen(list) + 1, sizeof(*rep->cols));
	if (!rep->cols) {
		free(list);
		return -ENOMEM;
	}
	for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const struct field *f = find_field(tok, type);

		if (!f) {
			fprintf(stderr, "  Unrecognised field: %s\n", tok);
			r = -EINVAL;
			break;
		}
		rep->cols[rep->ncols++] = f;
	}
	free(list);
	return r;
}

static int print_report(const struct report_ctx *rc, enum report_type type, struct report *rep)
{
	const struct opts *o = rc->o;
	size_t ncells = rep->nrows * rep->ncols;
	char **vals = calloc(ncells + 1, sizeof(*vals)), *buf = malloc(VALUE_MAX);
	size_t *width = calloc(rep->ncols + 1, sizeof(*width));
	int r = 0;

	for (size_t i = 0; vals && buf && width && i < ncells; i++) {
		field_value(rc, rep->cols[i % rep->ncols], &rep->rows[i / rep->ncols], buf,
			    VALUE_MAX);
		vals[i] = strdup(buf);
		if (!vals[i])
			break;
	}
	if (!vals || !buf || !width || (ncells && !vals[ncells - 1])) {
		cli_error("out of memory");
		r = -ENOMEM;
		goto out;
	}
	if (o->json) {
		printf("  {\n      \"report\": [\n          {\n              \"%s\": [\n",
		       report_name[type]);
		for (size_t i = 0; i < rep->nrows; i++) {
			printf("                  {");
			for (size_t c = 0; c < rep->ncols; c++) {
				printf("%s\"%s\":", c ? ", " : "", rep->cols[c]->id);
				cli_json_string(vals[i * rep->ncols + c]);
			}
			printf("}%s\n", i + 1 < rep->nrows ? "," : "");
		}
		printf("              ]\n          }\n      ]\n  }\n");
		goto out;
	}
	if (rep->nrows == 0 && !o->separator)
		goto out;
	for (size_t c = 0; c < rep->ncols; c++) {
		width[c] = rep->cols[c]->width;
		if (strlen(rep->cols[c]->heading) > width[c])
			width[c] = strlen(rep->cols[c]->heading);
		for (size_t i = 0; i < rep->nrows; i++) {
			size_t l = strlen(vals[i * rep->ncols + c]);

			if (l > width[c])
				width[c] = l;
		}
	}
	if (!o->noheadings) {
		fputs(o->separator ? "" : "  ", stdout);
		for (size_t c = 0; c < rep->ncols; c++) {
			if (o->separator)
				printf("%s%s", c ? o->separator : "", rep->cols[c]->heading);
			else
				printf("%s%-*s", c ? " " : "", (int)width[c], rep->cols[c]->heading);
		}
		putchar('\n');
	}
	for (size_t i = 0; i < rep->nrows; i++) {
		fputs(o->separator ? "" : "  ", stdout);
		for (size_t c = 0; c < rep->ncols; c++) {
			const char *v = vals[i * rep->ncols + c];

			if (o->separator)
				printf("%s%s", c ? o->separator : "", v);
			else if (rep->cols[c]->right)
				printf("%s%*s", c ? " " : "", (int)width[c], v);
			else
				printf("%s%-*s", c ? " " : "", (int)width[c], v);
		}
		putchar('\n');
	}
out:
	for (size_t i = 0; vals && i < ncells; i++)
		free(vals[i]);
	free(vals);
	free(buf);
	free(width);
	return r;
}

/* ---- the report commands ---------------------------------------------- */

static int cmp_rows_pv(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->pv_name, ((const struct row *)b)->pv_name);
}

static int cmp_rows_lv(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = strcmp(x->vg->name, y->vg->name);

	if (!c)
		c = strcmp(x->lv->name, y->lv->name);
	if (!c && x->seg && y->seg)
		c = x->seg->start_extent < y->seg->start_extent ? -1 :
		    x->seg->start_extent > y->seg->start_extent;
	return c;
}

/* Does a VG or VG/LV argument select this object? */
static bool selected(char **args, size_t nargs, const struct dmb_lvm_vg *vg,
		     const struct dmb_lvm_lv *lv)
{
	if (nargs == 0)
		return true;
	for (size_t i = 0; i < nargs; i++) {
		const char *a = args[i], *slash;

		if (strncmp(a, "/dev/", 5) == 0)
			a += 5;
		slash = strchr(a, '/');
		if (!slash && strcmp(a, vg->name) == 0)
			return true;
		if (slash && lv && (size_t)(slash - a) == strlen(vg->name) &&
		    strncmp(a, vg->name, (size_t)(slash - a)) == 0 && strcmp(slash + 1, lv->name) == 0)
			return true;
	}
	return false;
}

/* Names given that match nothing, reported as lvm2 does. */
static int check_args(const struct scan *s, char **args, size_t nargs, bool lvs)
{
	int rc = LVM_OK;

	for (size_t i = 0; i < nargs; i++) {
		const char *a = strncmp(args[i], "/dev/", 5) == 0 ? args[i] + 5 : args[i];
		const char *slash = strchr(a, '/');
		char vgname[DMB_LVM_NAME_MAX + 1];
		const struct dmb_lvm_vg *vg;
		size_t len = slash ? (size_t)(slash - a) : strlen(a);

		if (len > DMB_LVM_NAME_MAX) {
			fprintf(stderr, "  Volume group \"%s\" not found\n", a);
			rc = LVM_FAILED;
			continue;
		}
		memcpy(vgname, a, len);
		vgname[len] = '\0';
		vg = dmb_lvm_find_vg(s->lvm, vgname);
		if (!vg) {
			fprintf(stderr, "  Volume group \"%s\" not found\n", vgname);
			fprintf(stderr, "  Cannot process volume group %s\n", vgname);
			rc = LVM_FAILED;
		} else if (slash && lvs && !dmb_lvm_find_lv(vg, slash + 1)) {
			fprintf(stderr, "  Failed to find logical volume \"%s\"\n", a);
			rc = LVM_FAILED;
		}
	}
	return rc;
}

static int run_report(enum report_type type, const struct opts *o, char **args, size_t nargs)
{
	struct report rep = { 0 };
	struct report_ctx rc = { .o = o };
	struct state st;
	bool have_state = false;
	struct scan s;
	int r = scan_all(&s, o), status = r;

	if (r)
		goto out;
	if (parse_fields(o, type, &rep)) {
		status = LVM_INVALID_CMD_LINE;
		goto out;
	}
	if (state_open(&st, false) == 0) {
		have_state = true;
		rc.st = &st;
	}
	if (type == R_PV) {
		for (size_t i = 0; i < dmb_lvm_scan_pvdev_count(s.lvm); i++) {
			const struct dmb_lvm_pvdev *d = dmb_lvm_scan_pvdev(s.lvm, i);
			struct row row = { .dev = d, .pv = d->pv, .vg = d->vg, .pv_name = d->dev_name };

			if (add_row(&rep, &row))
				goto nomem;
		}
		for (size_t v = 0; v < dmb_lvm_scan_vg_count(s.lvm); v++) {
			const struct dmb_lvm_vg *vg = dmb_lvm_scan_vg(s.lvm, v);

			for (size_t k = 0; k < vg->pv_count; k++) {
				struct row row = { .pv = &vg->pvs[k], .vg = vg, .pv_name = "[unknown]" };

				if (!vg->pvs[k].dev && add_row(&rep, &row))
					goto nomem;
			}
		}
		if (rep.nrows)
			qsort(rep.rows, rep.nrows, sizeof(*rep.rows), cmp_rows_pv);
	} else {
		status = check_args(&s, args, nargs, type != R_VG);
		for (size_t v = 0; v < dmb_lvm_scan_vg_count(s.lvm); v++) {
			const struct dmb_lvm_vg *vg = dmb_lvm_scan_vg(s.lvm, v);

			if (type == R_VG) {
				struct row row = { .vg = vg };

				if (selected(args, nargs, vg, NULL) && add_row(&rep, &row))
					goto nomem;
				continue;
			}
			for (size_t l = 0; l < vg->lv_count; l++) {
				const struct dmb_lvm_lv *lv = &vg->lvs[l];

				if (!lv_visible(lv) && !o->all)
					continue;
				if (!selected(args, nargs, vg, lv))
					continue;
				for (size_t g = 0; g < (type == R_SEG ? lv->seg_count : 1); g++) {
					struct row row = { .vg = vg, .lv = lv,
							   .seg = type == R_SEG ? &lv->segs[g] : NULL };

					if (add_row(&rep, &row))
						goto nomem;
				}
			}
		}
		if (type != R_VG && rep.nrows)
			qsort(rep.rows, rep.nrows, sizeof(*rep.rows), cmp_rows_lv);
	}
	if (print_report(&rc, type, &rep))
		status = LVM_FAILED;
	goto out;
nomem:
	cli_error("out of memory");
	status = LVM_FAILED;
out:
	if (have_state)
		state_close(&st);
	free(rep.cols);
	free(rep.rows);
	scan_fini(&s);
	return status;
}

/* ---- activation ------------------------------------------------------- */

/* Does the registry device name hold exactly this table? */
static int same_device(struct state *st, const char *name, const char *uuid, const char *text,
		       bool *same)
{
	struct state_dev *d;
	int r = state_load(st, name, &d);

	*same = false;
	if (r)
		return r;
	*same = strcmp(d->uuid, uuid) == 0 && strcmp(d->table, text) == 0;
	state_dev_free(d);
	return 0;
}

static char *table_text(const struct dmb_table *t)
{
	size_t len = 0, used = 0;
	char *text;

	for (size_t i = 0; i < t->count; i++)
		len += strlen(t->targets[i].params) + DMB_TYPE_NAME_MAX + 48;
	text = malloc(len + 1);
	if (!text)
		return NULL;
	text[0] = '\0';
	for (size_t i = 0; i < t->count; i++)
		used += (size_t)snprintf(text + used, len + 1 - used, "%llu %llu %s %s\n",
					 (unsigned long long)t->targets[i].start_sectors,
					 (unsigned long long)t->targets[i].len_sectors,
					 t->targets[i].type, t->targets[i].params);
	return text;
}

/* Remove the fillers made[] says this command made. */
static void remove_fillers(struct state *st, const struct dmb_lvm_filler *f, size_t n,
			   const bool *made)
{
	for (size_t i = n; i-- > 0;)
		if (made[i])
			(void)cli_remove(st, "lvchange", f[i].name);
}

/*
 * Create the filler devices of an LV's areas on missing PVs (one error
 * target each, as lvm2 makes them), leaving ones that exist alike; made[i]
 * tells which were made.  On failure, remove those again.
 */
static int create_fillers(struct state *st, const struct dmb_lvm_filler *f, size_t n,
			  bool *made)
{
	for (size_t i = 0; i < n; i++) {
		struct dmb_ctx ctx = { 0 };
		struct dmb_table *t = NULL;
		char text[64];
		bool same;
		int r;

		made[i] = false;
		if (f[i].sectors == 0)
			goto fail; /* the LV's table has refused it already */
		snprintf(text, sizeof(text), "0 %llu error \n", (unsigned long long)f[i].sectors);
		if (same_device(st, f[i].name, f[i].uuid, text, &same) == 0) {
			if (same)
				continue;
			fprintf(stderr, "  Device %s exists with another table; deactivate it first.\n",
				f[i].name);
			goto fail;
		}
		r = dmb_table_create(&ctx, &t);
		if (!r)
			r = dmb_table_add(&ctx, t, 0, f[i].sectors, "error", "", 1);
		if (!r)
			r = cli_create(st, f[i].name, f[i].uuid, -1, false, t, NULL);
		dmb_table_destroy(t);
		if (r)
			goto fail;
		made[i] = true;
	}
	return LVM_OK;
fail:
	remove_fillers(st, f, n, made);
	return LVM_FAILED;
}

/*
 * Activate one LV as lvm2 does: the device VG-LV with uuid LVM-<vg><lv>,
 * read-only unless both the VG and the LV are writable, with the filler
 * devices of partial activation made first.  An LV already active with the
 * same table is left as it is.
 */
static int activate_lv(struct state *st, const struct opts *o, const struct dmb_lvm_lv *lv)
{
	char name[2 * DMB_NAME_MAX + 8], uuid[DMB_UUID_MAX + 1], *text = NULL;
	struct dmb_ctx ctx = { 0 };
	struct dmb_table *t = NULL;
	struct dmb_lvm_filler *fillers = NULL;
	size_t nfill = 0;
	bool same, ro, *made = NULL;
	int r;

	lv_dm_ids(lv, name, sizeof(name), uuid, sizeof(uuid));
	if (strlen(name) > DMB_NAME_MAX) {
		fprintf(stderr, "  Device name %s for %s/%s is too long.\n", name, lv->vg->name,
			lv->name);
		return LVM_FAILED;
	}
	r = dmb_lvm_lv_table(&ctx, lv, o->partial ? DMB_LVM_PARTIAL : 0, &t);
	if (r == DMB_ENOENT) {
		fprintf(stderr,
			"  Refusing activation of partial LV %s/%s.  Use '--activationmode partial' to override.\n",
			lv->vg->name, lv->name);
		return LVM_FAILED;
	}
	if (r) {
		fprintf(stderr, "  Cannot activate %s/%s: %s\n", lv->vg->name, lv->name, ctx.msg);
		return LVM_FAILED;
	}
	text = table_text(t);
	if (o->partial)
		nfill = dmb_lvm_lv_fillers(lv, NULL, 0);
	if (nfill) {
		fillers = calloc(nfill, sizeof(*fillers));
		made = calloc(nfill, sizeof(*made));
		if (fillers)
			dmb_lvm_lv_fillers(lv, fillers, nfill);
	}
	if (!text || (nfill && (!fillers || !made))) {
		cli_error("out of memory");
		r = LVM_FAILED;
		goto out;
	}
	if (same_device(st, name, uuid, text, &same) == 0) {
		if (!same)
			fprintf(stderr, "  Device %s exists with another table; deactivate it first.\n",
				name);
		r = same ? LVM_OK : LVM_FAILED;
		goto out;
	}
	ro = !(lv->status & DMB_LVM_WRITE) ||
	     !(lv->vg->status & (DMB_LVM_WRITE | DMB_LVM_WRITE_LOCKED));
	r = create_fillers(st, fillers, nfill, made);
	if (!r && cli_create(st, name, uuid, -1, ro, t, NULL)) {
		remove_fillers(st, fillers, nfill, made);
		r = LVM_FAILED;
	}
	if (r)
		fprintf(stderr, "  Failed to activate %s/%s.\n", lv->vg->name, lv->name);
out:
	free(made);
	free(fillers);
	free(text);
	dmb_table_destroy(t);
	return r;
}

/*
 * Remove the registry devices of a VG (all its LVs, or one): the LVs' own
 * devices first, then the filler devices ("VG-LV-missing_...") under them.
 */
static int deactivate(struct state *st, const char *vgname, const char *lvname, unsigned *count)
{
	char **names;
	size_t n;
	int r = state_list(st, &names, &n), status = LVM_OK;

	if (r) {
		cli_error("cannot list devices");
		return LVM_FAILED;
	}
	for (int fillers = 0; fillers < 2; fillers++) {
		for (size_t i = 0; i < n; i++) {
			char vg[DMB_NAME_MAX + 1], lv[DMB_NAME_MAX + 1];
			struct state_dev *d;
			size_t vi = 0, li = 0;
			const char *p = names[i], *layer = NULL;
			bool split = false;

			/*
			 * The dm name VG-LV[-LAYER] splits at the '-'s that are not
			 * doubled.
			 */
			for (; *p && vi < DMB_NAME_MAX && li < DMB_NAME_MAX; p++) {
				if (*p == '-' && p[1] == '-') {
					(split ? lv : vg)[split ? li++ : vi++] = '-';
					p++;
				} else if (*p == '-' && split) {
					layer = p + 1;
					break;
				} else if (*p == '-') {
					split = true;
				} else {
					(split ? lv : vg)[split ? li++ : vi++] = *p;
				}
			}
			vg[vi] = '\0';
			lv[li] = '\0';
			if (!split || (*p && !layer) || strcmp(vg, vgname) != 0 ||
			    (lvname && strcmp(lv, lvname) != 0))
				continue;
			if (fillers ? !layer || strncmp(layer, "missing_", 8) != 0 : layer != NULL)
				continue;
			/* A filler stays while its LV, which could not be removed, uses it. */
			if (fillers) {
				char base[DMB_NAME_MAX + 1];
				size_t len = (size_t)(layer - 1 - names[i]);

				memcpy(base, names[i], len);
				base[len] = '\0';
				if (state_load(st, base, &d) == 0) {
					state_dev_free(d);
					continue;
				}
			}
			if (state_load(st, names[i], &d) != 0)
				continue;
			if (strncmp(d->uuid, "LVM-", 4) == 0) {
				if (cli_remove(st, "lvchange", names[i]))
					status = LVM_FAILED;
				else if (!fillers)
					(*count)++;
			}
			state_dev_free(d);
		}
	}
	state_free_list(names, n);
	return status;
}

static int run_change(bool vgchange, const struct opts *o, char **args, size_t nargs)
{
	struct state st;
	struct scan s = { 0 };
	bool scanned = false;
	int status = LVM_OK, r;

	if (o->activate < 0) {
		cli_error("%s: give -ay or -an", vgchange ? "vgchange" : "lvchange");
		return LVM_INVALID_CMD_LINE;
	}
	if (nargs == 0) {
		cli_error("%s: name the %s", vgchange ? "vgchange" : "lvchange",
			  vgchange ? "volume groups" : "logical volumes (VG/LV)");
		return LVM_INVALID_CMD_LINE;
	}
	if (state_open(&st, true)) {
		cli_error("cannot open the state directory");
		return LVM_FAILED;
	}
	if (o->activate) {
		r = scan_all(&s, o);
		scanned = true;
		if (r) {
			status = r;
			goto out;
		}
		status = check_args(&s, args, nargs, !vgchange);
	}
	for (size_t i = 0; i < nargs; i++) {
		const char *a = strncmp(args[i], "/dev/", 5) == 0 ? args[i] + 5 : args[i];
		const char *slash = strchr(a, '/');
		char vgname[DMB_LVM_NAME_MAX + 1];
		size_t len = slash ? (size_t)(slash - a) : strlen(a);
		const struct dmb_lvm_vg *vg;
		unsigned count = 0;

		if (vgchange == (slash != NULL) || len > DMB_LVM_NAME_MAX) {
			fprintf(stderr, "  Invalid %s name %s.\n",
				vgchange ? "volume group" : "logical volume", a);
			status = LVM_INVALID_CMD_LINE;
			continue;
		}
		memcpy(vgname, a, len);
		vgname[len] = '\0';
		if (!o->activate) {
			if (deactivate(&st, vgname, slash ? slash + 1 : NULL, &count))
				status = LVM_FAILED;
			if (vgchange)
				printf("  0 logical volume(s) in volume group \"%s\" now active\n",
				       vgname);
			continue;
		}
		vg = dmb_lvm_find_vg(s.lvm, vgname);
		if (!vg)
			continue;
		for (size_t l = 0; l < vg->lv_count; l++) {
			const struct dmb_lvm_lv *lv = &vg->lvs[l];

			if (slash && strcmp(lv->name, slash + 1) != 0)
				continue;
			/* vgchange activates the visible LVs; hidden ones belong to another. */
			if (!slash && !lv_visible(lv))
				continue;
			if ((lv->status & DMB_LVM_ACTIVATION_SKIP) && !o->ignore_skip) {
				if (slash)
					fprintf(stderr, "  Activation of logical volume %s/%s is prohibited while logical volume %s/%s has skip activation flag set; use -K.\n",
						vg->name, lv->name, vg->name, lv->name);
				continue;
			}
			r = activate_lv(&st, o, lv);
			if (r)
				status = r;
			else
				count++;
		}
		if (vgchange) {
			unsigned active = 0;
			struct report_ctx rc = { .o = o, .st = &st };

			for (size_t l = 0; l < vg->lv_count; l++) {
				bool open;

				active += lv_visible(&vg->lvs[l]) && lv_active(&rc, &vg->lvs[l], &open);
			}
			printf("  %u logical volume(s) in volume group \"%s\" now active\n", active,
			       vg->name);
		}
	}
out:
	if (scanned)
		scan_fini(&s);
	state_close(&st);
	return status;
}

/* ---- command line ----------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: dmboot lvm <command> --devices IMAGE[,IMAGE...] [options] [args]\n"
		"\n"
		"  pvs [--segments] [-o [+]FIELDS] [--reportformat json] [--units U] [--nosuffix]\n"
		"      [--noheadings] [--separator S] [-a]\n"
		"  vgs [VG...]           (same options)\n"
		"  lvs [VG|VG/LV...]     (same options; --segments for one row per segment)\n"
		"  vgchange -ay|-an VG... [--activationmode partial] [-K]\n"
		"  lvchange -ay|-an VG/LV... [--activationmode partial] [-K]\n"
		"\n"
		"Every partition of a device is scanned too, as IMAGE:pN.\n");
}

static int add_devices(struct opts *o, const char *list)
{
	char *copy = strdup(list), *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char **n = realloc(o->devices, (o->ndevices + 1) * sizeof(*n));

		if (!n || !(n[o->ndevices] = strdup(tok))) {
			if (n)
				o->devices = n;
			free(copy);
			return -ENOMEM;
		}
		o->devices = n;
		o->ndevices++;
	}
	free(copy);
	return 0;
}

static int add_fields(struct opts *o, const char *spec)
{
	char *n;

	if (!o->fields)
		n = strdup(spec);
	else if (asprintf(&n, "%s,%s", o->fields, spec[0] == '+' ? spec + 1 : spec) < 0)
		n = NULL;
	if (!n)
		return -ENOMEM;
	free(o->fields);
	o->fields = n;
	return 0;
}

int cmd_lvm(int argc, char **argv)
{
	enum { O_DEVICES = 256, O_REPORTFORMAT, O_UNITS, O_NOSUFFIX, O_NOHEADINGS, O_SEPARATOR,
	       O_SEGMENTS, O_ACTMODE, O_CONFIG, O_HELP };
	static const struct option longopts[] = {
		{ "devices", required_argument, NULL, O_DEVICES },
		{ "reportformat", required_argument, NULL, O_REPORTFORMAT },
		{ "units", required_argument, NULL, O_UNITS },
		{ "nosuffix", no_argument, NULL, O_NOSUFFIX },
		{ "noheadings", no_argument, NULL, O_NOHEADINGS },
		{ "separator", required_argument, NULL, O_SEPARATOR },
		{ "segments", no_argument, NULL, O_SEGMENTS },
		{ "options", required_argument, NULL, 'o' },
		{ "all", no_argument, NULL, 'a' },
		{ "activate", required_argument, NULL, 'A' },
		{ "activationmode", required_argument, NULL, O_ACTMODE },
		{ "ignoreactivationskip", no_argument, NULL, 'K' },
		{ "config", required_argument, NULL, O_CONFIG },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .units = 'r', .activate = -1 };
	const char *cmd;
	int c, status;
	bool change;

	/* "lvm pvs ..." or, through a symlink, "pvs ...". */
	if (strcmp(argv[0], "lvm") == 0 || (strlen(argv[0]) > 4 &&
					   strcmp(argv[0] + strlen(argv[0]) - 4, "/lvm") == 0)) {
		argc--;
		argv++;
	}
	if (argc < 1 || strcmp(argv[0], "help") == 0 || strcmp(argv[0], "--help") == 0) {
		usage(argc < 1 ? stderr : stdout);
		return argc < 1 ? LVM_INVALID_CMD_LINE : LVM_OK;
	}
	cmd = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	change = strcmp(cmd, "vgchange") == 0 || strcmp(cmd, "lvchange") == 0;
	if (!change && strcmp(cmd, "pvs") != 0 && strcmp(cmd, "vgs") != 0 &&
	    strcmp(cmd, "lvs") != 0) {
		cli_error("unknown command '%s'", cmd);
		usage(stderr);
		return LVM_INVALID_CMD_LINE;
	}
	optind = 1;
	opterr = 0;
	/* -a is --all in reports and takes y/n in the change commands. */
	while ((c = getopt_long(argc, argv, change ? "a:K" : "ao:", longopts, NULL)) != -1) {
		int r = 0;

		switch (c) {
		case O_DEVICES:
			r = add_devices(&o, optarg);
			break;
		case O_REPORTFORMAT:
			if (strcmp(optarg, "json") == 0 || strcmp(optarg, "json_std") == 0)
				o.json = true;
			else if (strcmp(optarg, "basic") != 0)
				r = -EINVAL;
			break;
		case O_UNITS:
			if (strlen(optarg) != 1 || !units_ok(optarg[0]))
				r = -EINVAL;
			else
				o.units = optarg[0];
			break;
		case O_NOSUFFIX:
			o.nosuffix = true;
			break;
		case O_NOHEADINGS:
			o.noheadings = true;
			break;
		case O_SEPARATOR:
			o.separator = optarg;
			break;
		case O_SEGMENTS:
			o.segments = true;
			break;
		case 'o':
			r = add_fields(&o, optarg);
			break;
		case 'a':
			if (!change) {
				o.all = true;
				break;
			}
			/* fall through */
		case 'A':
			if (change) {
				if (strcmp(optarg, "y") == 0 || strcmp(optarg, "ay") == 0 ||
				    strcmp(optarg, "ey") == 0 || strcmp(optarg, "ly") == 0)
					o.activate = 1;
				else if (strcmp(optarg, "n") == 0 || strcmp(optarg, "ln") == 0)
					o.activate = 0;
				else
					r = -EINVAL;
			}
			break;
		case O_ACTMODE:
			if (strcmp(optarg, "partial") == 0)
				o.partial = true;
			else if (strcmp(optarg, "complete") != 0 && strcmp(optarg, "degraded") != 0)
				r = -EINVAL;
			break;
		case 'K':
			o.ignore_skip = true;
			break;
		case O_CONFIG:
			/* Accepted for lvm2 command lines; dmboot never touches the kernel. */
			break;
		case O_HELP:
			usage(stdout);
			status = LVM_OK;
			goto out;
		default:
			cli_error("%s: invalid option '%s'", cmd, argv[optind - 1]);
			status = LVM_INVALID_CMD_LINE;
			goto out;
		}
		if (r == -ENOMEM) {
			cli_error("out of memory");
			status = LVM_FAILED;
			goto out;
		}
		if (r) {
			cli_error("%s: invalid value '%s' for option '%s'", cmd, optarg,
				  argv[optind - 1]);
			status = LVM_INVALID_CMD_LINE;
			goto out;
		}
	}
	if (strcmp(cmd, "pvs") == 0) {
		/* PV arguments are devices to scan and report. */
		for (int i = optind; i < argc; i++)
			if (add_devices(&o, argv[i])) {
				cli_error("out of memory");
				status = LVM_FAILED;
				goto out;
			}
		if (o.segments) {
			cli_error("pvs --segments is not supported");
			status = LVM_INVALID_CMD_LINE;
			goto out;
		}
		status = run_report(R_PV, &o, NULL, 0);
	} else if (strcmp(cmd, "vgs") == 0) {
		status = run_report(R_VG, &o, argv + optind, (size_t)(argc - optind));
	} else if (strcmp(cmd, "lvs") == 0) {
		status = run_report(o.segments ? R_SEG : R_LV, &o, argv + optind,
				    (size_t)(argc - optind));
	} else {
		status = run_change(strcmp(cmd, "vgchange") == 0, &o, argv + optind,
				    (size_t)(argc - optind));
	}
out:
	for (size_t i = 0; i < o.ndevices; i++)
		free(o.devices[i]);
	free(o.devices);
	free(o.fields);
	return status;
}
