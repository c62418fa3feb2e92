// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The report fields of `dmboot lvm`: lvm2's field names, headings and
 * widths, and each field's value as lvm2 prints it (sizes after libdm's
 * dm_size_to_string, lv_attr's ten letters, lvm2's area lists).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lvm.h"

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

bool lvm_units_ok(char c)
{
	return c && strchr("rRhHsSbBkKmMgGtTpPeE", c) != NULL;
}


bool lvm_seg_is(const struct dmb_lvm_seg *seg, const char *type)
{
	return strcmp(seg->type, type) == 0;
}

/* The snapshot segment of a snapshot LV. */
static const struct dmb_lvm_seg *snapshot_seg(const struct dmb_lvm_lv *snap)
{
	return snap && snap->seg_count ? &snap->segs[0] : NULL;
}

/*
 * A snapshot's own LV never shows; its COW store,
 * which the metadata keeps without VISIBLE, shows when its origin does.
 */
bool lvm_lv_visible(const struct dmb_lvm_lv *lv)
{
	if (lv->seg_count && lvm_seg_is(&lv->segs[0], "snapshot"))
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

void lvm_lv_dm_ids(const struct dmb_lvm_lv *lv, char *name, size_t ncap, char *uuid,
		      size_t ucap)
{
	dmb_lvm_dm_name(lv, name, ncap);
	dmb_lvm_dm_uuid(lv, uuid, ucap);
}

bool lvm_lv_active(const struct report_ctx *rc, const struct dmb_lvm_lv *lv, bool *open)
{
	char name[2 * DMB_NAME_MAX + 8], uuid[DMB_UUID_MAX + 1];
	struct state_dev *d;
	bool active = false;

	*open = false;
	if (!rc->st)
		return false;
	lvm_lv_dm_ids(lv, name, sizeof(name), uuid, sizeof(uuid));
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

/*
 * lvm2's Data% of an active snapshot: the sectors its COW store has
 * allocated over the store's size, from the snapshot target's status, to
 * two decimals; lvm2 shows a value that is neither 0 nor 100 as at least
 * 0.01 and at most 99.99.  Empty for any other LV.
 */
static void snapshot_percent(const struct report_ctx *rc, const struct dmb_lvm_lv *lv, char *buf,
			     size_t cap)
{
	char name[2 * DMB_NAME_MAX + 8], uuid[DMB_UUID_MAX + 1], *text;
	unsigned long long start, len, used, total, meta;
	struct dmb_ctx ctx = { 0 };
	struct cli_dev *cd;
	double pct;
	bool open;

	if (!lv->cow_of || !lvm_lv_active(rc, lv, &open))
		return;
	lvm_lv_dm_ids(lv, name, sizeof(name), uuid, sizeof(uuid));
	if (cli_dev_open(rc->st, &ctx, name, DMB_DEV_READONLY, 0, &cd))
		return;
	text = cli_dev_text(cd->dev, DMB_FMT_STATUS, 0);
	if (text && sscanf(text, "%llu %llu snapshot %llu/%llu %llu", &start, &len, &used, &total,
			   &meta) == 5 && total) {
		pct = 100.0 * (double)used / (double)total;
		if (used && pct < 0.01)
			pct = 0.01;
		else if (used < total && pct > 99.99)
			pct = 99.99;
		snprintf(buf, cap, "%.2f", pct);
	}
	free(text);
	cli_dev_close(cd);
}

static void lv_attr(const struct report_ctx *rc, const struct dmb_lvm_lv *lv, char out[11])
{
	const struct dmb_lvm_seg *seg = lv->seg_count ? &lv->segs[0] : NULL;
	const char *type = seg ? seg->type : "";
	bool open, active = lvm_lv_active(rc, lv, &open);
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
	{ "data_percent", "Data%", 6, false, ALL_LV, F_DATA_PERCENT },
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

const char *const lvm_report_names[] = { [R_PV] = "pv", [R_VG] = "vg", [R_LV] = "lv",
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


int lvm_parse_fields(const struct lvm_opts *o, enum report_type type, const struct field ***cols,
		     size_t *ncols)
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
	*cols = calloc(strlen(list) + 1, sizeof(**cols));
	if (!*cols) {
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
		(*cols)[(*ncols)++] = f;
	}
	free(list);
	return r;
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

/* The pvs fields; false for a field of another kind. */
static bool pv_value(const struct report_ctx *rc, const struct field *f, const struct row *r,
		     char *buf, size_t cap)
{
	const struct lvm_opts *o = rc->o;
	const struct dmb_lvm_vg *vg = r->vg;
	const struct dmb_lvm_pv *pv = r->pv;
	uint64_t es = vg ? vg->extent_size_sectors : 0;
	uint64_t v;

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
	default:
		return false;
	}
	return true;
}

/* The VG fields; false for a field of another kind. */
static bool vg_value(const struct report_ctx *rc, const struct field *f, const struct row *r,
		     char *buf, size_t cap)
{
	const struct lvm_opts *o = rc->o;
	const struct dmb_lvm_vg *vg = r->vg;
	const char *s;
	uint64_t es = vg ? vg->extent_size_sectors : 0;
	uint64_t v;
	int64_t n;

	switch (f->fid) {
	case F_PV_COUNT:
		put_u64(buf, cap, vg->pv_count);
		break;
	case F_LV_COUNT:
		v = 0;
		for (size_t i = 0; i < vg->lv_count; i++)
			v += lvm_lv_visible(&vg->lvs[i]);
		put_u64(buf, cap, v);
		break;
	case F_SNAP_COUNT:
		v = 0;
		for (size_t i = 0; i < vg->lv_count; i++)
			v += vg->lvs[i].seg_count && lvm_seg_is(&vg->lvs[i].segs[0], "snapshot");
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
	default:
		return false;
	}
	return true;
}

/* The LV fields; false for a field of another kind. */
static bool lv_value(const struct report_ctx *rc, const struct field *f, const struct row *r,
		     char *buf, size_t cap)
{
	const struct lvm_opts *o = rc->o;
	const struct dmb_lvm_vg *vg = r->vg;
	const struct dmb_lvm_lv *lv = r->lv;
	const char *s;
	bool open;

	switch (f->fid) {
	case F_LV_NAME:
		snprintf(buf, cap, lvm_lv_visible(lv) ? "%s" : "[%s]", lv->name);
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
		s = lv->seg_count && lvm_seg_is(&lv->segs[0], "thin") ?
		    dmb_lvm_seg_str(&lv->segs[0], "thin_pool") : NULL;
		snprintf(buf, cap, "%s", s ? s : "");
		break;
	case F_ORIGIN: {
		const struct dmb_lvm_seg *snap = lv->cow_of ? snapshot_seg(lv->cow_of) : NULL;

		s = snap ? dmb_lvm_seg_str(snap, "origin") :
		    lv->seg_count && lvm_seg_is(&lv->segs[0], "thin") ?
		    dmb_lvm_seg_str(&lv->segs[0], "origin") : NULL;
		snprintf(buf, cap, "%s", s ? s : "");
		break;
	}
	case F_DATA_PERCENT:
		snapshot_percent(rc, lv, buf, cap);
		break;
	case F_META_PERCENT:
	case F_MOVE_PV:
	case F_MIRROR_LOG:
	case F_COPY_PERCENT:
	case F_CONVERT_LV:
		/* Kernel status of pools and mirrors: nothing dmboot runs. */
		break;
	case F_LV_UUID:
		snprintf(buf, cap, "%s", lv->uuid);
		break;
	case F_LV_PATH:
		if (lvm_lv_visible(lv))
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
		snprintf(buf, cap, "%s", lvm_lv_active(rc, lv, &open) ? "active" : "");
		break;
	case F_LV_HOST:
		s = dmb_lvm_lv_str(lv, "creation_host");
		snprintf(buf, cap, "%s", s ? s : "");
		break;
	case F_LV_ALLOC_POLICY:
		s = dmb_lvm_lv_str(lv, "allocation_policy");
		snprintf(buf, cap, "%s", s ? s : "inherit");
		break;
	default:
		return false;
	}
	return true;
}

/* The segment fields (lvs --segments); false for a field of another kind. */
static bool seg_value(const struct report_ctx *rc, const struct field *f, const struct row *r,
		      char *buf, size_t cap)
{
	const struct lvm_opts *o = rc->o;
	const struct dmb_lvm_vg *vg = r->vg;
	uint64_t es = vg ? vg->extent_size_sectors : 0;

	switch (f->fid) {
	case F_SEGTYPE:
		snprintf(buf, cap, "%s",
			 lvm_seg_is(r->seg, "striped") && r->seg->area_count == 1 ? "linear" :
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
	default:
		return false;
	}
	return true;
}

void lvm_field_value(const struct report_ctx *rc, const struct field *f, const struct row *r,
		     char *buf, size_t cap)
{
	buf[0] = '\0';
	if (!pv_value(rc, f, r, buf, cap) && !vg_value(rc, f, r, buf, cap) &&
	    !lv_value(rc, f, r, buf, cap))
		seg_value(rc, f, r, buf, cap);
}
