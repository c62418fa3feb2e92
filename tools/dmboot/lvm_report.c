// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The reports of `dmboot lvm` (pvs, vgs, lvs): the rows lvm2 would list, in
 * its order, printed in its columns or its JSON layout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lvm.h"

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

/* lvm2's --reportformat json: one object per row, its fields as strings. */
static void print_json(enum report_type type, const struct report *rep, char *const *vals)
{
	struct cli_json j;

	cli_json_init(&j, &cli_json_lvm2);
	cli_json_object(&j, NULL);
	cli_json_array(&j, "report");
	cli_json_object(&j, NULL);
	cli_json_array(&j, lvm_report_names[type]);
	for (size_t i = 0; i < rep->nrows; i++) {
		cli_json_object(&j, NULL);
		for (size_t c = 0; c < rep->ncols; c++)
			cli_json_str(&j, rep->cols[c]->id, vals[i * rep->ncols + c]);
		cli_json_end(&j);
	}
	cli_json_end(&j);
	cli_json_end(&j);
	cli_json_end(&j);
	cli_json_end(&j);
}

/*
 * lvm2's columns: headings left-aligned, a column as wide as its field's
 * width, heading or widest value (in bytes, as libdm pads), "  " before
 * every line, --separator or not; with --separator the values as they are
 * (padded to the same widths under --aligned), joined by it.
 */
static int print_columns(const struct lvm_opts *o, const struct report *rep, char *const *vals)
{
	struct cli_table_style style = {
		.prefix = "  ", .sep = o->separator ? o->separator : " ",
		.pad = !o->separator || o->aligned, .pad_last = true, .headings_left = true,
		.no_headings = o->noheadings, .width = CLI_WIDTH_BYTES,
	};
	struct cli_column *cols = calloc(rep->ncols + 1, sizeof(*cols));
	int r;

	if (!cols)
		return -ENOMEM;
	for (size_t c = 0; c < rep->ncols; c++) {
		cols[c].heading = rep->cols[c]->heading;
		cols[c].min_width = rep->cols[c]->width;
		cols[c].right = rep->cols[c]->right;
	}
	r = cli_table_print(&style, cols, rep->ncols, (const char *const *)vals, rep->nrows);
	free(cols);
	return r;
}

static int print_report(const struct report_ctx *rc, enum report_type type, struct report *rep)
{
	const struct lvm_opts *o = rc->o;
	size_t ncells = rep->nrows * rep->ncols;
	char **vals = calloc(ncells + 1, sizeof(*vals)), *buf = malloc(VALUE_MAX);
	int r = 0;

	for (size_t i = 0; vals && buf && i < ncells; i++) {
		lvm_field_value(rc, rep->cols[i % rep->ncols], &rep->rows[i / rep->ncols], buf,
				VALUE_MAX);
		vals[i] = strdup(buf);
		if (!vals[i])
			break;
	}
	if (!vals || !buf || (ncells && !vals[ncells - 1]))
		r = -ENOMEM;
	else if (o->json)
		print_json(type, rep, vals);
	else if (rep->nrows)
		r = print_columns(o, rep, vals);
	if (r)
		cli_error("out of memory");
	for (size_t i = 0; vals && i < ncells; i++)
		free(vals[i]);
	free(vals);
	free(buf);
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

int lvm_check_args(const struct scan *s, char **args, size_t nargs, bool lvs)
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

int lvm_report(enum report_type type, const struct lvm_opts *o, char **args, size_t nargs)
{
	struct report rep = { 0 };
	struct report_ctx rc = { .o = o };
	struct state st;
	bool have_state = false;
	struct scan s;
	int r = lvm_scan_all(&s, o), status = r;

	if (r)
		goto out;
	if (lvm_parse_fields(o, type, &rep.cols, &rep.ncols)) {
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
		status = lvm_check_args(&s, args, nargs, type != R_VG);
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

				if (!lvm_lv_visible(lv) && !o->all)
					continue;
				/* A snapshot's internal LV (snapshot0): lvm2 lists it not even with -a. */
				if (lv->seg_count && lvm_seg_is(&lv->segs[0], "snapshot"))
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
	lvm_scan_fini(&s);
	return status;
}
