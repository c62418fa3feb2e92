// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * dmb_ddi_open() (<dmboot/ddi.h>): dissect a Discoverable Disk Image and
 * map its root or usr partition (formats.md §6) in one call.  The disk is
 * open only while it is dissected and its table built; the mapped device
 * opens the partitions the table names ("<disk>:pN") through the context's
 * resolver, which must understand partition names.
 */
#include "ddi_internal.h"

/* Dissect the open disk and build the table of the partition asked for. */
static int ddi_table(struct dmb_ctx *ctx, const struct dmb_ddi_open_args *a, struct dmb_bdev *bd,
		     struct dmb_table **t, bool *ro)
{
	struct dmb_ddi *ddi = NULL;
	enum dmb_ddi_designator which;
	int r;

	dmb_ctx_clear(ctx);
	r = dmb_ddi_dissect(ctx, bd, &a->options, &ddi);
	if (r) {
		r = dmb_ctx_wrap_error(ctx, r, NULL, "ddi: %s: ", a->disk);
		goto out;
	}
	which = a->usr || !ddi->chosen[DMB_DDI_ROOT] ? DMB_DDI_USR : DMB_DDI_ROOT;
	if (!ddi->chosen[which]) {
		r = dmb_ctx_set_error(ctx, DMB_ENOENT, "ddi: %s: no %s partition", a->disk,
				      a->usr ? "usr" : "root or usr");
		goto out;
	}
	r = dmb_ddi_table(ctx, ddi, bd, which, DMB_DDI_NAMES_IMAGE, a->disk, t, ro);
	if (r)
		r = dmb_ctx_wrap_error(ctx, r, NULL, "ddi: %s: ", a->disk);
out:
	dmb_ddi_destroy(ddi);
	return r;
}

int dmb_ddi_open(struct dmb_ctx *ctx, const struct dmb_ddi_open_args *a, struct dmb_dev **out)
{
	const struct dmb_resolver *res = ctx->resolver;
	struct dmb_bdev *bd = NULL;
	struct dmb_table *t = NULL;
	bool ro = false;
	int r;

	*out = NULL;
	if (!a || !a->disk || !a->disk[0])
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "ddi: no disk given");
	if (a->options.flags & DMB_DDI_KEEP_GOING)
		return dmb_ctx_set_error(ctx, DMB_EINVAL,
					 "ddi: %s: DMB_DDI_KEEP_GOING is for inspection, never for mapping",
					 a->disk);
	if (!res)
		return dmb_ctx_set_error(ctx, DMB_ENOENT, "ddi: %s: no resolver configured", a->disk);
	dmb_ctx_clear(ctx);
	r = res->open(res, ctx, a->disk, 0, &bd);
	if (r)
		return dmb_ctx_wrap_error(ctx, r, NULL, "ddi: %s: ", a->disk);
	r = ddi_table(ctx, a, bd, &t, &ro);
	res->close(res, bd);
	if (!r)
		r = dmb_dev_create(ctx, t, a->flags | (ro ? DMB_DEV_READONLY : 0), out);
	dmb_table_destroy(t);
	return r;
}
