// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * dmb_lvm_activate() (<dmboot/lvm.h>): `lvchange -ay VG/LV` in one call.
 * The devices are scanned (formats.md §4.1-§4.3) and closed again before
 * the LV's device is created, so each is open once at a time: the mapped
 * device opens the PVs its table names through the same resolver.
 */
#include "lvm2.h"

/* Split "VG/LV" into vg and lv (NUL-terminated copies in caller buffers). */
static bool split_name(const char *full, char *vg, char *lv)
{
	const char *slash = dmbi_strchr(full, '/');
	size_t vlen, llen;

	if (!slash)
		return false;
	vlen = (size_t)(slash - full);
	llen = dmbi_strlen(slash + 1);
	if (!vlen || !llen || vlen > DMB_LVM_NAME_MAX || llen > DMB_LVM_NAME_MAX ||
	    dmbi_strchr(slash + 1, '/'))
		return false;
	memcpy(vg, full, vlen);
	vg[vlen] = '\0';
	memcpy(lv, slash + 1, llen + 1);
	return true;
}

/*
 * Open and scan every device; bds[i] is set for each device left open.  A
 * device that is not a usable PV is closed and skipped, as lvm2 skips it.
 */
static int scan_devices(struct dmb_ctx *ctx, const struct dmb_lvm_activate_args *a,
			struct dmb_lvm_scan *scan, struct dmb_bdev **bds)
{
	const struct dmb_resolver *res = ctx->resolver;

	for (size_t i = 0; i < a->ndevs; i++) {
		const char *name = a->devs[i];
		int r;

		dmb_ctx_clear(ctx);
		r = res->open(res, ctx, name, 0, &bds[i]);
		if (r) {
			bds[i] = NULL;
			return dmb_ctx_wrap_error(ctx, r, NULL, "lvm: %s: ", name);
		}
		r = dmb_lvm_scan_add(scan, name, bds[i]);
		if (r == DMB_ENOMEM)
			return r;
		if (r && r != DMB_ENOENT)
			dmbi_log(ctx, DMB_LOG_WARN, "lvm: %s skipped: %s", name, ctx->msg);
		if (r) {
			res->close(res, bds[i]);
			bds[i] = NULL;
		}
	}
	dmb_ctx_clear(ctx);
	return 0;
}

/* The LV's table from a finished scan (finish_err: what dmb_lvm_scan_finish() returned). */
static int lv_table(struct dmb_ctx *ctx, const struct dmb_lvm_scan *scan, int finish_err,
		    const char *vgname, const char *lvname, struct dmb_table **t, bool *ro)
{
	const struct dmb_lvm_vg *vg = dmb_lvm_find_vg(scan, vgname);
	const struct dmb_lvm_lv *lv;
	const char *layer;

	if (!vg && finish_err)
		return dmb_ctx_wrap_error(ctx, finish_err, NULL, "lvm: volume group %s: ", vgname);
	if (!vg)
		return dmb_ctx_set_error(ctx, DMB_ENOENT, "Volume group \"%s\" not found", vgname);
	lv = dmb_lvm_find_lv(vg, lvname);
	if (!lv)
		return dmb_ctx_set_error(ctx, DMB_ENOENT, "Failed to find logical volume \"%s/%s\"",
					 vgname, lvname);
	layer = dmb_lvm_lv_layer(lv);
	if (layer)
		return dmb_ctx_set_error(ctx, DMB_ENOTSUP,
					 "lvm: %s/%s needs its -%s layer device below it: map the layers with dmb_lvm_lv_table(DMB_LVM_LAYER)",
					 vgname, lvname, layer);
	*ro = !(lv->status & DMB_LVM_WRITE) ||
	      !(vg->status & (DMB_LVM_WRITE | DMB_LVM_WRITE_LOCKED));
	dmb_ctx_clear(ctx);
	return dmb_lvm_lv_table(ctx, lv, 0, t);
}

int dmb_lvm_activate(struct dmb_ctx *ctx, const struct dmb_lvm_activate_args *a,
		     struct dmb_dev **out)
{
	char vgname[DMB_LVM_NAME_MAX + 1], lvname[DMB_LVM_NAME_MAX + 1];
	struct dmb_lvm_scan *scan = NULL;
	struct dmb_bdev **bds = NULL;
	struct dmb_table *t = NULL;
	bool ro = false;
	int r;

	*out = NULL;
	if (!a || !a->lv)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "lvm: no logical volume given");
	if (!split_name(a->lv, vgname, lvname))
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "lvm: %s: not a VG/LV name", a->lv);
	if (!a->ndevs || !a->devs)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "lvm: %s: no devices to scan", a->lv);
	if (!ctx->resolver)
		return dmb_ctx_set_error(ctx, DMB_ENOENT, "lvm: %s: no resolver configured", a->lv);
	if (a->ndevs > DMB_LVM_MAX_DEVS)
		return dmb_ctx_set_error(ctx, DMB_ERANGE, "lvm: %s: more than %u devices to scan",
					 a->lv, DMB_LVM_MAX_DEVS);
	bds = dmbi_calloc(a->ndevs, sizeof(*bds));
	if (!bds)
		return dmb_ctx_set_error(ctx, DMB_ENOMEM, "lvm: %s: out of memory", a->lv);
	r = dmb_lvm_scan_create(ctx, &scan);
	if (!r)
		r = scan_devices(ctx, a, scan, bds);
	if (!r) {
		int fin = dmb_lvm_scan_finish(scan);

		r = fin == DMB_ENOMEM || fin == DMB_EINVAL ? fin
							    : lv_table(ctx, scan, fin, vgname, lvname, &t, &ro);
	}
	/* The scan reads the devices it holds until it is destroyed. */
	dmb_lvm_scan_destroy(scan);
	for (size_t i = 0; i < a->ndevs; i++)
		if (bds[i])
			ctx->resolver->close(ctx->resolver, bds[i]);
	dmb_port_free(bds);
	if (!r)
		r = dmb_dev_create(ctx, t, a->flags | (ro ? DMB_DEV_READONLY : 0), out);
	dmb_table_destroy(t);
	return r;
}
