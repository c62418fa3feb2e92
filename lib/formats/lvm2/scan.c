// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * LVM2 scanning and activation tables (<dmboot/lvm.h>, formats.md §4): PV
 * devices are added one by one; finishing the scan groups the metadata
 * copies of all their areas by VG id, builds each VG from the copy with the
 * highest seqno (falling back to older copies when one does not build), and
 * links PVs to their devices.  An LV's table is the one lvm2's dev_manager
 * loads: one linear or striped target per segment, extents turned into
 * sectors as pe_start + pe * extent_size.
 */
#include "lvm2.h"

struct dmb_lvm_scan {
	struct dmb_ctx *ctx;
	bool finished;
	struct lvm_pvdev **devs;
	size_t ndevs, cap;
	struct lvm_copy *copies;
	struct lvm_vg **vgs;
	size_t nvgs;
};

int dmb_lvm_scan_create(struct dmb_ctx *ctx, struct dmb_lvm_scan **out)
{
	struct dmb_lvm_scan *scan = dmbi_calloc(1, sizeof(*scan));

	*out = NULL;
	if (!scan)
		return dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory for an LVM scan");
	scan->ctx = ctx;
	*out = scan;
	return 0;
}

static void pvdev_free(struct lvm_pvdev *d)
{
	if (!d)
		return;
	dmb_port_free(d->name);
	dmb_port_free(d);
}

void dmb_lvm_scan_destroy(struct dmb_lvm_scan *scan)
{
	if (!scan)
		return;
	for (size_t i = 0; i < scan->ndevs; i++)
		pvdev_free(scan->devs[i]);
	for (size_t i = 0; i < scan->nvgs; i++)
		dmbi_lvm_vg_free(scan->vgs[i]);
	dmbi_lvm_copies_free(scan->copies);
	dmb_port_free(scan->devs);
	dmb_port_free(scan->vgs);
	dmb_port_free(scan);
}

int dmb_lvm_scan_add(struct dmb_lvm_scan *scan, const char *name, struct dmb_bdev *bd)
{
	struct dmb_ctx *ctx = scan->ctx;
	struct lvm_copy *copies = NULL;
	struct lvm_pvdev *dev;
	int r;

	if (scan->finished)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "%s: the LVM scan is finished", name);
	if (scan->ndevs >= DMB_LVM_MAX_DEVS)
		return dmb_ctx_set_error(ctx, DMB_ERANGE, "%s: more than %u devices", name,
					 DMB_LVM_MAX_DEVS);
	if (scan->ndevs == scan->cap) {
		size_t cap = scan->cap ? scan->cap * 2 : 8;
		struct lvm_pvdev **n = dmbi_calloc(cap, sizeof(*n));

		if (!n)
			return dmb_ctx_set_error(ctx, DMB_ENOMEM, "%s: out of memory", name);
		if (scan->ndevs)
			memcpy(n, scan->devs, scan->ndevs * sizeof(*n));
		dmb_port_free(scan->devs);
		scan->devs = n;
		scan->cap = cap;
	}
	dev = dmbi_calloc(1, sizeof(*dev));
	if (!dev)
		return dmb_ctx_set_error(ctx, DMB_ENOMEM, "%s: out of memory", name);
	dev->name = dmbi_strdup(name);
	if (!dev->name) {
		r = dmb_ctx_set_error(ctx, DMB_ENOMEM, "%s: out of memory", name);
		goto fail;
	}
	r = dmbi_lvm_pv_read(ctx, name, bd, dev, &copies);
	if (r)
		goto fail;
	for (size_t i = 0; i < scan->ndevs; i++) {
		if (dmbi_strcmp(scan->devs[i]->id, dev->id) == 0) {
			r = dmb_ctx_set_error(ctx, DMB_EEXIST, "%s: PV %s is also on %s", name,
					      dev->pub.uuid, scan->devs[i]->name);
			goto fail;
		}
	}
	dev->pub.dev_name = dev->name;
	dev->pub.bdev = bd;
	scan->devs[scan->ndevs++] = dev;
	/* Keep the copies in scan order: append this device's list. */
	{
		struct lvm_copy **tail = &scan->copies;

		while (*tail)
			tail = &(*tail)->next;
		*tail = copies;
	}
	return 0;
fail:
	dmbi_lvm_copies_free(copies);
	pvdev_free(dev);
	return r;
}

/* Copies of the VG vgid, best first: highest seqno, then scan order. */
static size_t collect(struct dmb_lvm_scan *scan, const char *vgid, struct lvm_copy **list,
		      size_t max)
{
	size_t n = 0;

	for (struct lvm_copy *c = scan->copies; c && n < max; c = c->next) {
		size_t at;

		if (dmbi_strcmp(c->vgid, vgid) != 0)
			continue;
		for (at = n; at > 0 && list[at - 1]->seqno < c->seqno; at--)
			list[at] = list[at - 1];
		list[at] = c;
		n++;
	}
	return n;
}

static bool vg_built(const struct dmb_lvm_scan *scan, const char *vgid)
{
	for (size_t i = 0; i < scan->nvgs; i++)
		if (dmbi_strcmp(scan->vgs[i]->pub.uuid, vgid) == 0)
			return true;
	return false;
}

static void link_devices(struct lvm_vg *vg)
{
	for (size_t i = 0; i < vg->pub.pv_count; i++) {
		struct dmb_lvm_pvdev *d = (struct dmb_lvm_pvdev *)vg->pvs[i].dev;

		if (d) {
			d->vg = &vg->pub;
			d->pv = &vg->pvs[i];
		}
	}
}

/* Build one VG from its best usable copy.  Returns 0 or the last failure. */
static int build_vg(struct dmb_lvm_scan *scan, struct lvm_copy **list, size_t n)
{
	struct dmb_ctx *ctx = scan->ctx;
	struct lvm_vg *vg = NULL;
	int r = DMB_ECORRUPT;

	for (size_t i = 0; i < n && !vg; i++) {
		struct dmb_ctx bctx = *ctx;

		bctx.err = 0;
		bctx.msg[0] = '\0';
		r = dmbi_lvm_vg_build(&bctx, list[i], scan->devs, scan->ndevs, &vg);
		if (r == DMB_ENOMEM)
			return dmb_ctx_set_error(ctx, r, "%s", bctx.msg);
		if (r) {
			dmb_ctx_set_error(ctx, r, "%s", bctx.msg);
			if (i + 1 < n)
				dmbi_log(ctx, DMB_LOG_WARN, "%s; trying an older copy", bctx.msg);
		}
	}
	if (!vg)
		return r;
	for (size_t i = 0; i < n; i++) {
		if (list[i]->seqno == vg->pub.seqno)
			vg->pub.copies++;
		else
			vg->pub.mixed_seqno = true;
	}
	for (size_t i = 0; i < vg->pub.pv_count; i++) {
		const struct dmb_lvm_pvdev *d = vg->pvs[i].dev;

		if (d && d->mda_bad)
			vg->pub.mixed_seqno = true;
	}
	if (vg->pub.mixed_seqno)
		dmbi_log(ctx, DMB_LOG_WARN,
			"volume group %s: some metadata areas hold an older or damaged copy; using seqno %llu",
			vg->pub.name, (unsigned long long)vg->pub.seqno);
	link_devices(vg);
	scan->vgs[scan->nvgs++] = vg;
	return 0;
}

int dmb_lvm_scan_finish(struct dmb_lvm_scan *scan)
{
	struct dmb_ctx *ctx = scan->ctx;
	struct lvm_copy **list = NULL;
	size_t ncopies = 0;
	int first_err = 0, r = 0;

	if (scan->finished)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "the LVM scan is finished already");
	scan->finished = true;
	for (struct lvm_copy *c = scan->copies; c; c = c->next)
		ncopies++;
	if (!ncopies)
		return 0;
	list = dmbi_calloc(ncopies, sizeof(*list));
	scan->vgs = dmbi_calloc(ncopies, sizeof(*scan->vgs));
	if (!list || !scan->vgs) {
		r = dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory building volume groups");
		goto out;
	}
	for (struct lvm_copy *c = scan->copies; c; c = c->next) {
		size_t n;

		if (vg_built(scan, c->vgid))
			continue;
		/* Each VG id is tried once: skip ids seen before this copy. */
		{
			bool seen = false;

			for (struct lvm_copy *p = scan->copies; p != c && !seen; p = p->next)
				seen = dmbi_strcmp(p->vgid, c->vgid) == 0;
			if (seen)
				continue;
		}
		n = collect(scan, c->vgid, list, ncopies);
		r = build_vg(scan, list, n);
		if (r == DMB_ENOMEM)
			goto out;
		if (r && !first_err) {
			first_err = r;
			dmbi_log(ctx, DMB_LOG_ERR, "%s", ctx->msg);
		} else if (r) {
			dmbi_log(ctx, DMB_LOG_ERR, "%s", ctx->msg);
		}
	}
	/* Sorted by name, as lvm2 reports them. */
	for (size_t i = 1; i < scan->nvgs; i++) {
		struct lvm_vg *v = scan->vgs[i];
		size_t j = i;

		for (; j > 0 && dmbi_strcmp(scan->vgs[j - 1]->pub.name, v->pub.name) > 0; j--)
			scan->vgs[j] = scan->vgs[j - 1];
		scan->vgs[j] = v;
	}
	r = first_err;
out:
	dmb_port_free(list);
	return r;
}

size_t dmb_lvm_scan_pvdev_count(const struct dmb_lvm_scan *scan)
{
	return scan->ndevs;
}

const struct dmb_lvm_pvdev *dmb_lvm_scan_pvdev(const struct dmb_lvm_scan *scan, size_t i)
{
	return i < scan->ndevs ? &scan->devs[i]->pub : NULL;
}

size_t dmb_lvm_scan_vg_count(const struct dmb_lvm_scan *scan)
{
	return scan->nvgs;
}

const struct dmb_lvm_vg *dmb_lvm_scan_vg(const struct dmb_lvm_scan *scan, size_t i)
{
	return i < scan->nvgs ? &scan->vgs[i]->pub : NULL;
}

const struct dmb_lvm_vg *dmb_lvm_find_vg(const struct dmb_lvm_scan *scan, const char *name)
{
	for (size_t i = 0; i < scan->nvgs; i++)
		if (dmbi_strcmp(scan->vgs[i]->pub.name, name) == 0)
			return &scan->vgs[i]->pub;
	return NULL;
}

const struct dmb_lvm_lv *dmb_lvm_find_lv(const struct dmb_lvm_vg *vg, const char *name)
{
	for (size_t i = 0; i < vg->lv_count; i++)
		if (dmbi_strcmp(vg->lvs[i].name, name) == 0)
			return &vg->lvs[i];
	return NULL;
}

static const char *section_str(const void *section, const char *key)
{
	const char *s;

	return section && dmbi_cfg_get_str(section, key, &s) == 0 ? s : NULL;
}

const char *dmb_lvm_vg_str(const struct dmb_lvm_vg *vg, const char *key)
{
	return section_str(vg->section, key);
}

const char *dmb_lvm_lv_str(const struct dmb_lvm_lv *lv, const char *key)
{
	return section_str(lv->section, key);
}

const char *dmb_lvm_seg_str(const struct dmb_lvm_seg *seg, const char *key)
{
	return section_str(seg->section, key);
}

int dmb_lvm_vg_int(const struct dmb_lvm_vg *vg, const char *key, int64_t *out)
{
	return vg->section ? dmbi_cfg_get_int(vg->section, key, out) : DMB_ENOENT;
}

int dmb_lvm_seg_int(const struct dmb_lvm_seg *seg, const char *key, int64_t *out)
{
	return seg->section ? dmbi_cfg_get_int(seg->section, key, out) : DMB_ENOENT;
}

/* Append a name with every '-' doubled, as lvm2 builds dm names. */
static void put_doubled(struct dmbi_strbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (*s == '-')
			dmbi_strbuf_putc(sb, '-');
		dmbi_strbuf_putc(sb, *s);
	}
}

static void put_dm_name(struct dmbi_strbuf *sb, const struct dmb_lvm_lv *lv)
{
	put_doubled(sb, lv->vg->name);
	dmbi_strbuf_putc(sb, '-');
	put_doubled(sb, lv->name);
}

size_t dmb_lvm_dm_name(const struct dmb_lvm_lv *lv, char *buf, size_t cap)
{
	struct dmbi_strbuf sb;

	dmbi_strbuf_init(&sb, buf, cap);
	put_dm_name(&sb, lv);
	return sb.len;
}

static void put_bare_id(struct dmbi_strbuf *sb, const char *uuid)
{
	for (; *uuid; uuid++)
		if (*uuid != '-')
			dmbi_strbuf_putc(sb, *uuid);
}

static void put_dm_uuid(struct dmbi_strbuf *sb, const struct dmb_lvm_lv *lv)
{
	dmbi_strbuf_puts(sb, "LVM-");
	put_bare_id(sb, lv->vg->uuid);
	put_bare_id(sb, lv->uuid);
}

size_t dmb_lvm_dm_uuid(const struct dmb_lvm_lv *lv, char *buf, size_t cap)
{
	struct dmbi_strbuf sb;

	dmbi_strbuf_init(&sb, buf, cap);
	put_dm_uuid(&sb, lv);
	return sb.len;
}

/* lvm2's names for the filler of area s of segment seg: "<VG-LV>-missing_<seg>_<s>". */
static int filler_ids(const struct dmb_lvm_lv *lv, size_t seg, size_t s,
		      struct dmb_lvm_filler *f)
{
	struct dmbi_strbuf name, uuid;

	dmbi_strbuf_init(&name, f->name, sizeof(f->name));
	put_dm_name(&name, lv);
	dmbi_strbuf_printf(&name, "-missing_%zu_%zu", seg, s);
	dmbi_strbuf_init(&uuid, f->uuid, sizeof(f->uuid));
	put_dm_uuid(&uuid, lv);
	dmbi_strbuf_printf(&uuid, "-missing_%zu_%zu", seg, s);
	return name.len > DMB_NAME_MAX || uuid.len > DMB_UUID_MAX ? DMB_ERANGE : 0;
}

static bool linear_or_striped(const struct dmb_lvm_seg *seg)
{
	return dmbi_strcmp(seg->type, "striped") == 0 || dmbi_strcmp(seg->type, "linear") == 0;
}

size_t dmb_lvm_lv_fillers(const struct dmb_lvm_lv *lv, struct dmb_lvm_filler *out, size_t cap)
{
	const uint64_t es = lv->vg->extent_size_sectors;
	size_t n = 0;

	for (size_t i = 0; i < lv->seg_count; i++) {
		const struct dmb_lvm_seg *seg = &lv->segs[i];

		if (!linear_or_striped(seg))
			continue;
		for (size_t k = 0; k < seg->area_count; k++) {
			const struct dmb_lvm_area *a = &seg->areas[k];

			if (!a->pv || a->pv->dev)
				continue;
			if (n < cap) {
				/* The table refuses what overflows or is too long. */
				if (filler_ids(lv, i, k, &out[n]) ||
				    !dmbi_mul_u64(seg->extent_count, es, &out[n].sectors))
					out[n].sectors = 0;
			}
			n++;
		}
	}
	return n;
}

/*
 * The params of segment segno's target into sb; sets *type.  Returns 0, or
 * an error for a segment dmboot cannot map.
 */
static int seg_params(struct dmb_ctx *ctx, const struct dmb_lvm_lv *lv, size_t segno,
		      const struct dmb_lvm_seg *seg, unsigned flags, struct dmbi_strbuf *sb,
		      const char **type)
{
	const uint64_t es = lv->vg->extent_size_sectors;
	bool striped = linear_or_striped(seg);

	if (dmbi_strcmp(seg->type, "error") == 0 || dmbi_strcmp(seg->type, "zero") == 0) {
		*type = seg->type;
		return 0;
	}
	if (!striped || seg->area_count == 0)
		return dmb_ctx_set_error(ctx, DMB_ENOTSUP,
				  "logical volume %s/%s: segment type %s is not supported", lv->vg->name,
				  lv->name, seg->type);
	for (size_t i = 0; i < seg->area_count; i++) {
		const struct dmb_lvm_area *a = &seg->areas[i];

		if (!a->pv)
			return dmb_ctx_set_error(ctx, DMB_ENOTSUP,
					  "logical volume %s/%s: segment at extent %llu maps onto logical volume %s, which is not supported",
					  lv->vg->name, lv->name,
					  (unsigned long long)seg->start_extent, a->lv->name);
		if (!a->pv->dev && !(flags & DMB_LVM_PARTIAL))
			return dmb_ctx_set_error(ctx, DMB_ENOENT,
					  "logical volume %s/%s: PV %s is missing (use partial activation to map its extents to the error target)",
					  lv->vg->name, lv->name, a->pv->uuid);
	}
	*type = seg->area_count == 1 ? "linear" : "striped";
	if (seg->area_count > 1)
		dmbi_strbuf_printf(sb, "%zu %u ", seg->area_count, (unsigned)seg->stripe_size_sectors);
	for (size_t i = 0; i < seg->area_count; i++) {
		const struct dmb_lvm_area *a = &seg->areas[i];
		uint64_t off;

		if (i)
			dmbi_strbuf_putc(sb, ' ');
		if (!a->pv->dev) {
			/* As lvm2: a filler device of error, read from offset 0. */
			struct dmb_lvm_filler f;

			if (filler_ids(lv, segno, i, &f))
				return dmb_ctx_set_error(ctx, DMB_ERANGE,
						  "logical volume %s/%s: the name of the filler for a missing PV is longer than %u bytes",
						  lv->vg->name, lv->name, DMB_NAME_MAX);
			dmbi_strbuf_put_arg(sb, f.name);
			dmbi_strbuf_puts(sb, " 0");
			continue;
		}
		/* vg.c checked pe_start + pe_count * extent_size for overflow. */
		off = a->pv->pe_start_sectors + a->start_extent * es;
		dmbi_strbuf_put_arg(sb, a->pv->dev->dev_name);
		dmbi_strbuf_printf(sb, " %llu", (unsigned long long)off);
	}
	return 0;
}

const char *dmb_lvm_lv_layer(const struct dmb_lvm_lv *lv)
{
	if (lv->origin_of)
		return "real";
	return lv->cow_of ? "cow" : NULL;
}

const struct dmb_lvm_lv *dmb_lvm_snapshot_origin(const struct dmb_lvm_lv *cow)
{
	const char *name;

	if (!cow->cow_of || cow->cow_of->seg_count == 0)
		return NULL;
	name = dmb_lvm_seg_str(&cow->cow_of->segs[0], "origin");
	return name ? dmb_lvm_find_lv(cow->vg, name) : NULL;
}

/* A snapshot of origin that is merging into it (lvm2 loads snapshot-merge then), or NULL. */
static const struct dmb_lvm_lv *merging_snapshot(const struct dmb_lvm_lv *origin)
{
	const struct dmb_lvm_vg *vg = origin->vg;

	for (size_t i = 0; i < vg->lv_count; i++) {
		const struct dmb_lvm_lv *l = &vg->lvs[i];
		const char *name;
		int64_t merging;

		if (l->seg_count != 1 || dmbi_strcmp(l->segs[0].type, "snapshot") != 0)
			continue;
		name = dmb_lvm_seg_str(&l->segs[0], "origin");
		if (name && dmbi_strcmp(name, origin->name) == 0 &&
		    dmb_lvm_seg_int(&l->segs[0], "merging", &merging) == 0 && merging)
			return l;
	}
	return NULL;
}

/* Largest snapshot chunk_size taken from metadata (Linux's bound), sectors. */
#define LVM_SNAP_MAX_CHUNK (0x7fffffffu >> DMB_SECTOR_SHIFT)

/*
 * The top device of a snapshot's origin or COW store, as lvm2 loads it:
 *   origin: "0 <origin size> snapshot-origin <VG-origin>-real"
 *   COW:    "0 <origin size> snapshot <VG-origin>-real <VG-cow>-cow P <chunk_size>"
 * The origin's own segments (its -real layer) must map; a merging snapshot
 * (snapshot-merge) is refused.
 */
static int snapshot_table(struct dmb_ctx *ctx, const struct dmb_lvm_lv *lv, unsigned flags,
			  struct dmb_table **out)
{
	const struct dmb_lvm_lv *origin = lv->cow_of ? dmb_lvm_snapshot_origin(lv) : lv;
	const struct dmb_lvm_lv *merging;
	struct dmb_table *t = NULL;
	char params[4 * DMB_NAME_MAX + 64];
	struct dmbi_strbuf sb;
	int64_t chunk = 0;
	int r;

	if (lv->origin_of && lv->cow_of)
		return dmb_ctx_set_error(ctx, DMB_ENOTSUP,
				  "logical volume %s/%s is both a snapshot's origin and a COW store, which lvm2 does not make",
				  lv->vg->name, lv->name);
	if (!origin)
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT,
				  "logical volume %s/%s: snapshot %s names an origin the volume group does not have",
				  lv->vg->name, lv->name, lv->cow_of->name);
	r = dmb_lvm_lv_table(ctx, origin, flags | DMB_LVM_LAYER, &t);
	dmb_table_destroy(t);
	t = NULL;
	if (r)
		return r;
	merging = merging_snapshot(origin);
	if (merging)
		return dmb_ctx_set_error(ctx, DMB_ENOTSUP,
				  "logical volume %s/%s: snapshot %s is merging into %s: segment type snapshot-merge is not supported",
				  lv->vg->name, lv->name, merging->name, origin->name);
	dmbi_strbuf_init(&sb, params, sizeof(params));
	put_dm_name(&sb, origin);
	dmbi_strbuf_puts(&sb, "-real");
	if (lv->cow_of) {
		const struct dmb_lvm_seg *seg = &lv->cow_of->segs[0];

		if (dmb_lvm_seg_int(seg, "chunk_size", &chunk) || chunk < 1 ||
		    chunk > LVM_SNAP_MAX_CHUNK || !dmbi_is_pow2((uint64_t)chunk))
			return dmb_ctx_set_error(ctx, DMB_ECORRUPT,
					  "logical volume %s/%s: snapshot %s: chunk_size missing or not a power of two from 1 to %u sectors",
					  lv->vg->name, lv->name, lv->cow_of->name, LVM_SNAP_MAX_CHUNK);
		dmbi_strbuf_putc(&sb, ' ');
		put_dm_name(&sb, lv);
		dmbi_strbuf_printf(&sb, "-cow P %llu", (unsigned long long)chunk);
	}
	if (sb.len >= sizeof(params))
		return dmb_ctx_set_error(ctx, DMB_ERANGE, "logical volume %s/%s: names too long",
					 lv->vg->name, lv->name);
	r = dmb_table_create(ctx, &t);
	if (!r)
		r = dmb_table_add(ctx, t, 0, origin->size_sectors,
				  lv->cow_of ? "snapshot" : "snapshot-origin", params, 0);
	if (r) {
		dmb_table_destroy(t);
		return r;
	}
	*out = t;
	return 0;
}

int dmb_lvm_lv_table(struct dmb_ctx *ctx, const struct dmb_lvm_lv *lv, unsigned flags,
		     struct dmb_table **out)
{
	const uint64_t es = lv->vg->extent_size_sectors;
	struct dmb_table *t = NULL;
	char *params = NULL;
	size_t cap = 0;
	int r;

	*out = NULL;
	if (lv->seg_count == 0)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "logical volume %s/%s has no segments",
					 lv->vg->name, lv->name);
	if (dmb_lvm_lv_layer(lv) && !(flags & DMB_LVM_LAYER))
		return snapshot_table(ctx, lv, flags, out);
	if (!dmb_lvm_lv_layer(lv) && (flags & DMB_LVM_LAYER))
		return dmb_ctx_set_error(ctx, DMB_EINVAL,
				  "logical volume %s/%s is no snapshot's origin or COW store: it has no layer",
				  lv->vg->name, lv->name);
	r = dmb_table_create(ctx, &t);
	for (size_t i = 0; !r && i < lv->seg_count; i++) {
		const struct dmb_lvm_seg *seg = &lv->segs[i];
		const char *type = NULL;
		uint64_t start, len;
		struct dmbi_strbuf sb;

		if (!dmbi_mul_u64(seg->start_extent, es, &start) ||
		    !dmbi_mul_u64(seg->extent_count, es, &len)) {
			r = dmb_ctx_set_error(ctx, DMB_ERANGE, "logical volume %s/%s: size overflows",
					      lv->vg->name, lv->name);
			break;
		}
		/* Measure, grow the buffer if needed, then write. */
		for (;;) {
			dmbi_strbuf_init(&sb, params, cap);
			r = seg_params(ctx, lv, i, seg, flags, &sb, &type);
			if (r || sb.len < cap)
				break;
			dmb_port_free(params);
			cap = sb.len + 64;
			params = dmb_port_malloc(cap);
			if (!params) {
				cap = 0;
				r = dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory for a table");
				break;
			}
		}
		if (!r)
			r = dmb_table_add(ctx, t, start, len, type, cap ? params : "", 0);
	}
	dmb_port_free(params);
	if (r) {
		dmb_table_destroy(t);
		return r;
	}
	*out = t;
	return 0;
}
