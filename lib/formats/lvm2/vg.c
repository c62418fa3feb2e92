// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * One LVM2 metadata copy turned into the model of <dmboot/lvm.h>
 * (formats.md §4.5, §4.6): the VG's extent size and flags, its PVs matched
 * with the scanned devices by id, its LVs and their segments with every
 * area checked against its PV.  The rules are lvm2's import rules:
 * segments in order and contiguous from extent 0, segment_count equal to
 * the segments present, a stripe count dividing the extent count, every
 * physical extent inside its PV.  Nothing here trusts a number before it
 * has been range-checked; names point into the parsed tree, which the
 * model keeps.
 */
#include "lvm2.h"

static const struct {
	const char *name;
	unsigned bit;
} status_names[] = {
	{ "READ", DMB_LVM_READ },
	{ "WRITE", DMB_LVM_WRITE },
	{ "WRITE_LOCKED", DMB_LVM_WRITE_LOCKED },
	{ "RESIZEABLE", DMB_LVM_RESIZEABLE },
	{ "EXPORTED", DMB_LVM_EXPORTED },
	{ "CLUSTERED", DMB_LVM_CLUSTERED },
	{ "SHARED", DMB_LVM_SHARED },
	{ "ALLOCATABLE", DMB_LVM_ALLOCATABLE },
	{ "MISSING", DMB_LVM_MISSING },
	{ "VISIBLE", DMB_LVM_VISIBLE },
	{ "LOCKED", DMB_LVM_LOCKED },
	{ "FIXED_MINOR", DMB_LVM_FIXED_MINOR },
	{ "ACTIVATION_SKIP", DMB_LVM_ACTIVATION_SKIP },
};

/* Building state: the model being filled and where errors point. */
struct build {
	struct dmb_ctx *ctx;
	struct lvm_vg *vg;
	size_t areas_left;  /* of vg->areas, sized by the first pass */
	const char *vgname;
	const char *where;  /* the device the copy came from */
	const struct dmbi_cfg_node *pvsec, *lvsec;
};

static int corrupt(struct build *b, const char *fmt_what, const char *name, const char *key)
{
	return dmb_ctx_set_error(b->ctx, DMB_ECORRUPT, "%s: volume group %s: %s%s%s: %s", b->where,
				 b->vgname, name ? name : "", name ? " " : "", key, fmt_what);
}

/* The bits of the status and flags arrays of sec (unknown names are kept out). */
static int read_flags(struct build *b, const struct dmbi_cfg_node *sec, const char *name,
		      unsigned *out)
{
	static const char *const keys[] = { "status", "flags" };

	*out = 0;
	for (size_t k = 0; k < DMBI_ARRAY_SIZE(keys); k++) {
		const struct dmbi_cfg_node *arr, *e;
		int r = dmbi_cfg_get_array(sec, keys[k], &arr);

		if (r == DMB_ENOENT)
			continue;
		if (r)
			return corrupt(b, "not an array", name, keys[k]);
		for (e = arr->child; e; e = e->next) {
			if (e->type != DMBI_CFG_STRING)
				return corrupt(b, "holds a non-string", name, keys[k]);
			for (size_t i = 0; i < DMBI_ARRAY_SIZE(status_names); i++)
				if (dmbi_strcmp(e->str, status_names[i].name) == 0)
					*out |= status_names[i].bit;
		}
	}
	return 0;
}

/* A non-negative integer key no larger than max. */
static int read_uint(struct build *b, const struct dmbi_cfg_node *sec, const char *name,
		     const char *key, uint64_t max, bool required, uint64_t *out)
{
	int64_t v;
	int r = dmbi_cfg_get_int(sec, key, &v);

	if (r == DMB_ENOENT && !required) {
		*out = 0;
		return 0;
	}
	if (r == DMB_ENOENT)
		return corrupt(b, "missing", name, key);
	if (r)
		return corrupt(b, "not an integer", name, key);
	if (v < 0 || (uint64_t)v > max)
		return corrupt(b, "out of range", name, key);
	*out = (uint64_t)v;
	return 0;
}

static int read_id(struct build *b, const struct dmbi_cfg_node *sec, const char *name,
		   char out[DMB_LVM_UUID_MAX])
{
	char bare[DMB_LVM_ID_CHARS + 1];
	const char *s;

	if (dmbi_cfg_get_str(sec, "id", &s) != 0 || !dmbi_lvm_id_parse(s, bare))
		return corrupt(b, "missing or invalid", name, "id");
	dmbi_lvm_id_format(bare, out);
	return 0;
}

/* lvm2's rule for VG and LV names: [a-zA-Z0-9+_.-], no leading '-', not "." or "..". */
static bool valid_name(const char *s)
{
	size_t len = dmbi_strnlen(s, DMB_LVM_NAME_MAX + 1);

	if (len == 0 || len > DMB_LVM_NAME_MAX || s[0] == '-')
		return false;
	if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

static size_t count_sections(const struct dmbi_cfg_node *sec)
{
	size_t n = 0;

	for (const struct dmbi_cfg_node *c = sec ? sec->child : NULL; c; c = c->next)
		n += c->type == DMBI_CFG_SECTION;
	return n;
}

static int read_pvs(struct build *b, struct lvm_pvdev *const *devs, size_t ndevs)
{
	struct lvm_vg *vg = b->vg;
	const uint64_t es = vg->pub.extent_size_sectors;
	size_t i = 0;

	for (const struct dmbi_cfg_node *s = b->pvsec->child; s; s = s->next) {
		struct dmb_lvm_pv *pv = &vg->pvs[i];
		char bare[DMB_LVM_ID_CHARS + 1];
		uint64_t data_sectors, end;
		const char *hint;
		int r;

		if (s->type != DMBI_CFG_SECTION)
			continue;
		r = read_id(b, s, s->key, pv->uuid);
		if (!r)
			r = read_flags(b, s, s->key, &pv->status);
		if (!r)
			r = read_uint(b, s, s->key, "dev_size", UINT64_MAX, false, &pv->dev_size_sectors);
		if (!r)
			r = read_uint(b, s, s->key, "pe_start", UINT64_MAX, true, &pv->pe_start_sectors);
		if (!r)
			r = read_uint(b, s, s->key, "pe_count", UINT32_MAX, true, &pv->pe_count);
		if (r)
			return r;
		if (!dmbi_mul_u64(pv->pe_count, es, &data_sectors) ||
		    !dmbi_add_u64(pv->pe_start_sectors, data_sectors, &end) ||
		    end > UINT64_MAX >> DMB_SECTOR_SHIFT)
			return corrupt(b, "extents overflow the sector range", s->key, "pe_count");
		pv->device_hint = dmbi_cfg_get_str(s, "device", &hint) == 0 ? hint : NULL;
		dmbi_lvm_id_parse(pv->uuid, bare);
		for (size_t d = 0; d < ndevs; d++)
			if (dmbi_strcmp(devs[d]->id, bare) == 0)
				pv->dev = &devs[d]->pub;
		for (size_t k = 0; k < i; k++)
			if (dmbi_strcmp(vg->pvs[k].uuid, pv->uuid) == 0)
				return corrupt(b, "lists the same PV id twice", s->key, "id");
		if (!pv->dev)
			vg->pub.missing_pvs++;
		vg->pub.extent_count += pv->pe_count;
		i++;
	}
	return 0;
}

static const struct dmb_lvm_pv *find_pv(struct build *b, const char *key)
{
	size_t i = 0;

	for (const struct dmbi_cfg_node *s = b->pvsec->child; s; s = s->next) {
		if (s->type != DMBI_CFG_SECTION)
			continue;
		if (dmbi_strcmp(s->key, key) == 0)
			return &b->vg->pvs[i];
		i++;
	}
	return NULL;
}

static const struct dmb_lvm_lv *find_lv(const struct lvm_vg *vg, const char *name)
{
	for (size_t i = 0; i < vg->pub.lv_count; i++)
		if (dmbi_strcmp(vg->lvs[i].name, name) == 0)
			return &vg->lvs[i];
	return NULL;
}

/*
 * The areas of a segment: `stripes` (striped, linear) or `mirrors` hold
 * pairs of a PV key or LV name and a first extent.  PV areas are checked
 * to lie inside their PV and counted as allocated there.
 */
static int read_areas(struct build *b, const struct dmbi_cfg_node *seg, const char *lvname,
		      const char *key, size_t count, uint64_t area_len, struct dmb_lvm_area *areas)
{
	const struct dmbi_cfg_node *arr, *e;
	size_t n = 0;

	if (dmbi_cfg_get_array(seg, key, &arr) != 0)
		return corrupt(b, "missing or not an array", lvname, key);
	for (e = arr->child; e; e = e->next ? e->next->next : NULL) {
		const struct dmbi_cfg_node *v = e->next;
		struct dmb_lvm_area *a = &areas[n];
		uint64_t last;

		if (n == count)
			return corrupt(b, "holds more areas than the segment's count", lvname, key);
		if (e->type != DMBI_CFG_STRING || !v || v->type != DMBI_CFG_INT || v->num < 0)
			return corrupt(b, "is not a list of name, extent pairs", lvname, key);
		a->start_extent = (uint64_t)v->num;
		a->pv = find_pv(b, e->str);
		if (!a->pv)
			a->lv = find_lv(b->vg, e->str);
		if (!a->pv && !a->lv)
			return corrupt(b, "names an unknown PV or LV", lvname, key);
		if (a->pv) {
			struct dmb_lvm_pv *pv = (struct dmb_lvm_pv *)a->pv;

			if (!dmbi_add_u64(a->start_extent, area_len, &last) || last > pv->pe_count)
				return corrupt(b, "extent range past the end of its PV", lvname, key);
			pv->pe_alloc += area_len;
		}
		n++;
	}
	if (n != count)
		return corrupt(b, "holds fewer areas than the segment's count", lvname, key);
	return 0;
}

/* Is a segment type, up to any "+FLAGS", name? */
static bool type_is(const char *type, const char *name)
{
	size_t n = dmbi_strlen(name);

	return dmbi_strnlen(type, n + 1) >= n && memcmp(type, name, n) == 0 &&
	       (type[n] == '\0' || type[n] == '+');
}

/* Segment types whose areas dmboot reads, and the key holding them. */
static const char *areas_key(const char *type, bool *striped)
{
	*striped = type_is(type, "striped") || type_is(type, "linear");
	if (*striped)
		return "stripes";
	if (type_is(type, "mirror"))
		return "mirrors";
	return NULL;
}

/* How many areas a segment section declares (for the first, sizing pass). */
static uint64_t declared_areas(const struct dmbi_cfg_node *seg)
{
	const struct dmbi_cfg_node *arr;
	uint64_t n = 0;
	const char *type;
	bool striped;

	if (dmbi_cfg_get_str(seg, "type", &type) != 0)
		return 0;
	if (!areas_key(type, &striped))
		return 0;
	if (dmbi_cfg_get_array(seg, striped ? "stripes" : "mirrors", &arr) != 0)
		return 0;
	for (const struct dmbi_cfg_node *e = arr->child; e; e = e->next)
		n++;
	return (n + 1) / 2;
}

static int read_segment(struct build *b, struct dmb_lvm_lv *lv, const struct dmbi_cfg_node *s,
			struct dmb_lvm_seg *seg, struct dmb_lvm_area *areas, uint64_t expect_le)
{
	const char *type, *key;
	uint64_t count = 0, stripe_size = 0, area_len;
	char *plus;
	bool striped;
	int r;

	r = read_uint(b, s, lv->name, "start_extent", UINT32_MAX, true, &seg->start_extent);
	if (!r)
		r = read_uint(b, s, lv->name, "extent_count", UINT32_MAX, true, &seg->extent_count);
	if (r)
		return r;
	if (seg->start_extent != expect_le)
		return corrupt(b, "segment does not start where the previous one ends", lv->name,
			       s->key);
	if (seg->extent_count == 0)
		return corrupt(b, "segment of zero extents", lv->name, s->key);
	if (dmbi_cfg_get_str(s, "type", &type) != 0)
		return corrupt(b, "missing segment type", lv->name, s->key);
	/* Status flags may follow the type after '+'; the tree's copy is ours. */
	plus = dmbi_strchr(type, '+');
	if (plus)
		*plus = '\0';
	seg->type = type;
	seg->section = s;
	key = areas_key(type, &striped);
	if (!key)
		return 0;
	if (striped) {
		r = read_uint(b, s, lv->name, "stripe_count", DMB_LVM_MAX_AREAS, true, &count);
		if (!r && count == 0)
			r = corrupt(b, "zero stripes", lv->name, "stripe_count");
		if (!r && count > 1)
			r = read_uint(b, s, lv->name, "stripe_size", UINT32_MAX, true, &stripe_size);
		if (!r && count > 1 && stripe_size == 0)
			r = corrupt(b, "zero stripe size", lv->name, "stripe_size");
		if (r)
			return r;
		/* Both fit 32 bits (read_uint's limits): a 32-bit division. */
		if ((uint32_t)seg->extent_count % (uint32_t)count)
			return corrupt(b, "extent count not divisible by the stripe count", lv->name,
				       s->key);
		area_len = (uint32_t)seg->extent_count / (uint32_t)count;
		seg->stripe_size_sectors = (uint32_t)stripe_size;
	} else {
		r = read_uint(b, s, lv->name, "mirror_count", DMB_LVM_MAX_AREAS, true, &count);
		if (!r && count == 0)
			r = corrupt(b, "zero mirror images", lv->name, "mirror_count");
		if (r)
			return r;
		area_len = seg->extent_count;
	}
	/*
	 * read_areas() writes at most min(count, pairs in the array) areas; the
	 * first pass sized vg->areas from the same arrays.  Check it anyway.
	 */
	if (DMBI_MIN(count, declared_areas(s)) > b->areas_left)
		return corrupt(b, "more areas than the segments declare", lv->name, key);
	seg->area_count = (size_t)count;
	seg->area_extents = area_len;
	seg->areas = areas;
	r = read_areas(b, s, lv->name, key, (size_t)count, area_len, areas);
	if (!r)
		b->areas_left -= (size_t)count;
	return r;
}

/* The LV of vg named name, writable (it lives in vg->lvs), or NULL. */
static struct dmb_lvm_lv *lv_named(struct lvm_vg *vg, const char *name)
{
	const struct dmb_lvm_lv *lv = find_lv(vg, name);

	return lv ? &vg->lvs[lv - vg->lvs] : NULL;
}

/* Record which LVs snapshots use as origin and COW store, once. */
static void link_snapshots(struct lvm_vg *vg)
{
	for (size_t i = 0; i < vg->pub.lv_count; i++) {
		const struct dmb_lvm_lv *snap = &vg->lvs[i];

		for (size_t k = 0; k < snap->seg_count; k++) {
			const struct dmbi_cfg_node *s = snap->segs[k].section;
			struct dmb_lvm_lv *lv;
			const char *name;

			if (dmbi_strcmp(snap->segs[k].type, "snapshot") != 0)
				continue;
			if (dmbi_cfg_get_str(s, "origin", &name) == 0 && (lv = lv_named(vg, name)) &&
			    !lv->origin_of)
				lv->origin_of = snap;
			if (dmbi_cfg_get_str(s, "cow_store", &name) == 0 &&
			    (lv = lv_named(vg, name)) && !lv->cow_of)
				lv->cow_of = snap;
		}
	}
}

static int read_lvs(struct build *b)
{
	struct lvm_vg *vg = b->vg;
	struct dmb_lvm_seg *seg = vg->segs;
	struct dmb_lvm_area *area = vg->areas;
	size_t i = 0;
	int r;

	/* Names first: segments may name other LVs (mirror images, pvmove). */
	for (const struct dmbi_cfg_node *s = b->lvsec ? b->lvsec->child : NULL; s; s = s->next) {
		if (s->type != DMBI_CFG_SECTION)
			continue;
		if (!valid_name(s->key))
			return corrupt(b, "invalid logical volume name", NULL, s->key);
		if (find_lv(vg, s->key))
			return corrupt(b, "listed twice", "logical volume", s->key);
		vg->lvs[i].name = s->key;
		vg->lvs[i].vg = &vg->pub;
		vg->pub.lv_count = ++i;
	}
	i = 0;
	for (const struct dmbi_cfg_node *s = b->lvsec ? b->lvsec->child : NULL; s; s = s->next) {
		struct dmb_lvm_lv *lv;
		uint64_t nsegs, le = 0;

		if (s->type != DMBI_CFG_SECTION)
			continue;
		lv = &vg->lvs[i++];
		lv->section = s;
		r = read_id(b, s, lv->name, lv->uuid);
		if (!r)
			r = read_flags(b, s, lv->name, &lv->status);
		if (!r)
			r = read_uint(b, s, lv->name, "segment_count", DMB_LVM_MAX_SEGS, true, &nsegs);
		if (r)
			return r;
		if (nsegs != count_sections(s))
			return corrupt(b, "segment_count disagrees with the segments present",
				       lv->name, "segment_count");
		lv->segs = seg;
		for (const struct dmbi_cfg_node *c = s->child; c; c = c->next) {
			if (c->type != DMBI_CFG_SECTION)
				continue;
			r = read_segment(b, lv, c, seg, area, le);
			if (r)
				return r;
			le += seg->extent_count;
			area += seg->area_count;
			seg++;
			lv->seg_count++;
		}
		lv->extent_count = le;
		if (!dmbi_mul_u64(le, vg->pub.extent_size_sectors, &lv->size_sectors))
			return corrupt(b, "size overflows", lv->name, "extent_count");
	}
	link_snapshots(vg);
	return 0;
}

/*
 * No physical extent may belong to two areas (lvm2's vg_validate refuses
 * such metadata): the one extent-overlap check, with the PV as the space.
 */
static int check_overlaps(struct build *b, size_t nareas)
{
	const struct lvm_vg *vg = b->vg;
	struct dmbi_span *runs = dmbi_calloc(nareas ? nareas : 1, sizeof(*runs));
	size_t n = 0, i, j;
	int r = 0;

	if (!runs)
		return dmb_ctx_set_error(b->ctx, DMB_ENOMEM, "out of memory for volume group %s",
					 b->vgname);
	for (size_t l = 0; l < vg->pub.lv_count; l++) {
		const struct dmb_lvm_lv *lv = &vg->lvs[l];

		for (size_t s = 0; s < lv->seg_count; s++) {
			const struct dmb_lvm_seg *seg = &lv->segs[s];

			for (size_t a = 0; a < seg->area_count; a++)
				if (seg->areas[a].pv && seg->area_extents && n < nareas)
					runs[n++] = (struct dmbi_span){
						(uintptr_t)seg->areas[a].pv, seg->areas[a].start_extent,
						seg->areas[a].start_extent + seg->area_extents - 1, 0
					};
		}
	}
	if (dmbi_spans_overlap(runs, n, &i, &j)) {
		char what[64];

		dmbi_snprintf(what, sizeof(what), "extent %llu is used twice",
			      (unsigned long long)runs[j].first);
		r = corrupt(b, what, ((const struct dmb_lvm_pv *)runs[j].space)->uuid, "stripes");
	}
	dmb_port_free(runs);
	return r;
}

void dmbi_lvm_vg_free(struct lvm_vg *vg)
{
	if (!vg)
		return;
	dmbi_cfg_free(vg->root);
	dmb_port_free(vg->pvs);
	dmb_port_free(vg->lvs);
	dmb_port_free(vg->segs);
	dmb_port_free(vg->areas);
	dmb_port_free(vg);
}

int dmbi_lvm_vg_build(struct dmb_ctx *ctx, struct lvm_copy *copy, struct lvm_pvdev *const *devs,
		      size_t ndevs, struct lvm_vg **out)
{
	struct build b = { .ctx = ctx, .vgname = copy->vgname, .where = copy->dev->name };
	const struct dmbi_cfg_node *vgsec = copy->vgsec;
	size_t npvs, nlvs, nsegs = 0, nareas = 0;
	uint64_t alloc = 0;
	const char *s;
	struct lvm_vg *vg;
	int r;

	*out = NULL;
	if (!valid_name(copy->vgname))
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: invalid volume group name", b.where);
	if (dmbi_cfg_get_str(vgsec, "format", &s) == 0 && dmbi_strcmp(s, "lvm2") != 0)
		return dmb_ctx_set_error(ctx, DMB_ENOTSUP, "%s: volume group %s: format \"%s\", not lvm2",
					 b.where, b.vgname, s);
	if (dmbi_cfg_get_section(vgsec, "physical_volumes", &b.pvsec) != 0)
		return corrupt(&b, "missing", NULL, "physical_volumes");
	r = dmbi_cfg_get_section(vgsec, "logical_volumes", &b.lvsec);
	if (r && r != DMB_ENOENT)
		return corrupt(&b, "not a section", NULL, "logical_volumes");
	npvs = count_sections(b.pvsec);
	nlvs = count_sections(b.lvsec);
	if (npvs == 0)
		return corrupt(&b, "lists no PV", NULL, "physical_volumes");
	if (npvs > DMB_LVM_MAX_PVS || nlvs > DMB_LVM_MAX_LVS)
		return dmb_ctx_set_error(ctx, DMB_ERANGE, "%s: volume group %s: over %u PVs or %u LVs",
					 b.where, b.vgname, DMB_LVM_MAX_PVS, DMB_LVM_MAX_LVS);
	for (const struct dmbi_cfg_node *l = b.lvsec ? b.lvsec->child : NULL; l; l = l->next) {
		for (const struct dmbi_cfg_node *g = l->child; l->type == DMBI_CFG_SECTION && g;
		     g = g->next) {
			if (g->type != DMBI_CFG_SECTION)
				continue;
			nsegs++;
			nareas += (size_t)DMBI_MIN(declared_areas(g), (uint64_t)DMB_LVM_MAX_AREAS + 1);
		}
	}
	if (nsegs > DMB_LVM_MAX_SEGS * 4)
		return dmb_ctx_set_error(ctx, DMB_ERANGE, "%s: volume group %s: over %u segments", b.where,
					 b.vgname, DMB_LVM_MAX_SEGS * 4);

	vg = dmbi_calloc(1, sizeof(*vg));
	if (!vg)
		return dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory for volume group %s", b.vgname);
	b.vg = vg;
	vg->pvs = dmbi_calloc(npvs, sizeof(*vg->pvs));
	vg->lvs = dmbi_calloc(nlvs ? nlvs : 1, sizeof(*vg->lvs));
	vg->segs = dmbi_calloc(nsegs ? nsegs : 1, sizeof(*vg->segs));
	vg->areas = dmbi_calloc(nareas ? nareas : 1, sizeof(*vg->areas));
	b.areas_left = nareas;
	if (!vg->pvs || !vg->lvs || !vg->segs || !vg->areas) {
		r = dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory for volume group %s", b.vgname);
		goto fail;
	}
	vg->pub.name = copy->vgname;
	memcpy(vg->pub.uuid, copy->vgid, sizeof(vg->pub.uuid));
	vg->pub.seqno = copy->seqno;
	vg->pub.pvs = vg->pvs;
	vg->pub.lvs = vg->lvs;
	vg->pub.section = vgsec;
	r = read_flags(&b, vgsec, NULL, &vg->pub.status);
	if (!r)
		r = read_uint(&b, vgsec, NULL, "extent_size", UINT32_MAX, true,
			      &vg->pub.extent_size_sectors);
	if (!r && vg->pub.extent_size_sectors == 0)
		r = corrupt(&b, "zero", NULL, "extent_size");
	if (r)
		goto fail;
	vg->pub.system_id = dmbi_cfg_get_str(vgsec, "system_id", &s) == 0 && s[0] ? s : NULL;
	vg->pub.lock_type = dmbi_cfg_get_str(vgsec, "lock_type", &s) == 0 && s[0] ? s : NULL;
	r = read_pvs(&b, devs, ndevs);
	if (r)
		goto fail;
	vg->pub.pv_count = npvs;
	r = read_lvs(&b);
	if (r)
		goto fail;
	r = check_overlaps(&b, nareas);
	if (r)
		goto fail;
	for (size_t i = 0; i < npvs; i++)
		alloc += vg->pvs[i].pe_alloc;
	vg->pub.free_count = vg->pub.extent_count - alloc;
	vg->root = copy->root;
	copy->root = NULL;
	*out = vg;
	return 0;
fail:
	dmbi_lvm_vg_free(vg);
	return r;
}
