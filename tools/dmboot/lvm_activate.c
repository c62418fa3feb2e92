// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Activation in `dmboot lvm` (vgchange, lvchange): -ay creates the VG-LV
 * mapped devices with the tables lvm2 would load (formats.md §5), with
 * error-target fillers for areas on missing PVs under --activationmode
 * partial, and a snapshot's origin and COW store each as a -real or -cow
 * layer under its snapshot-origin or snapshot device; -an removes them, the
 * LVs' own devices before their layers and fillers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lvm.h"

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
 * Make one device of an LV as lvm2 does: VG-LV with uuid LVM-<vg><lv> (with
 * "-LAYER" after both for a snapshot's -real or -cow layer), read-only
 * unless both the VG and the LV are writable, with the filler devices of
 * partial activation made first.  A device already there with the same
 * table is left as it is (*made stays false).
 */
static int activate_dev(struct state *st, const struct lvm_opts *o, const struct dmb_lvm_lv *lv,
			const char *layer, bool *made_dev)
{
	char name[2 * DMB_NAME_MAX + 8], uuid[DMB_UUID_MAX + 1], *text = NULL;
	struct dmb_ctx ctx = { 0 };
	struct dmb_table *t = NULL;
	struct dmb_lvm_filler *fillers = NULL;
	size_t nfill = 0;
	bool same, ro, *made = NULL;
	int r;

	*made_dev = false;
	lvm_lv_dm_ids(lv, name, sizeof(name), uuid, sizeof(uuid));
	if (layer) {
		size_t nl = strlen(name), ul = strlen(uuid);

		snprintf(name + nl, sizeof(name) - nl, "-%s", layer);
		snprintf(uuid + ul, sizeof(uuid) - ul, "-%s", layer);
	}
	if (strlen(name) > DMB_NAME_MAX) {
		fprintf(stderr, "  Device name %s for %s/%s is too long.\n", name, lv->vg->name,
			lv->name);
		return LVM_FAILED;
	}
	r = dmb_lvm_lv_table(&ctx, lv, (o->partial ? DMB_LVM_PARTIAL : 0) | (layer ? DMB_LVM_LAYER : 0),
			     &t);
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
	/* Fillers sit under the device that maps the LV's own segments. */
	if (o->partial && (layer || !dmb_lvm_lv_layer(lv)))
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
	*made_dev = !r;
out:
	free(made);
	free(fillers);
	free(text);
	dmb_table_destroy(t);
	return r;
}

/*
 * Activate one LV as lvm2 does.  A snapshot's origin gets its -real layer
 * first, then snapshot-origin over it; a snapshot (the LV of its COW store)
 * needs its origin active, then gets its -cow layer and the snapshot target
 * over the origin's -real and the -cow.  What this call made is removed
 * again when a later step fails.
 */
static int activate_lv(struct state *st, const struct lvm_opts *o, const struct dmb_lvm_lv *lv)
{
	const char *layer = dmb_lvm_lv_layer(lv);
	const struct dmb_lvm_lv *origin = lv->cow_of ? dmb_lvm_snapshot_origin(lv) : NULL;
	struct dmb_ctx ctx = { 0 };
	struct dmb_table *t = NULL;
	bool made_layer = false, made_top;
	int r;

	if (!layer)
		return activate_dev(st, o, lv, NULL, &made_top);
	/* Check the top table first, so that a refusal leaves nothing behind. */
	r = dmb_lvm_lv_table(&ctx, lv, o->partial ? DMB_LVM_PARTIAL : 0, &t);
	dmb_table_destroy(t);
	if (r) {
		fprintf(stderr, "  Cannot activate %s/%s: %s\n", lv->vg->name, lv->name, ctx.msg);
		return LVM_FAILED;
	}
	if (origin && activate_lv(st, o, origin) != LVM_OK)
		return LVM_FAILED;
	r = activate_dev(st, o, lv, layer, &made_layer);
	if (!r)
		r = activate_dev(st, o, lv, NULL, &made_top);
	if (r && made_layer) {
		char name[2 * DMB_NAME_MAX + 8], uuid[DMB_UUID_MAX + 1];
		size_t nl;

		lvm_lv_dm_ids(lv, name, sizeof(name), uuid, sizeof(uuid));
		nl = strlen(name);
		snprintf(name + nl, sizeof(name) - nl, "-%s", layer);
		(void)cli_remove(st, "lvchange", name);
	}
	return r;
}

/*
 * Split a dm name VG-LV[-LAYER] at the '-'s that are not doubled, undoing
 * the doubling; false when it is not such a name (or a part is too long).
 */
static bool split_dm_name(const char *name, char vg[DMB_NAME_MAX + 1], char lv[DMB_NAME_MAX + 1],
			  const char **layer)
{
	size_t vi = 0, li = 0;
	const char *p = name;
	bool split = false;

	*layer = NULL;
	for (; *p && vi < DMB_NAME_MAX && li < DMB_NAME_MAX; p++) {
		if (*p == '-' && p[1] == '-') {
			(split ? lv : vg)[split ? li++ : vi++] = '-';
			p++;
		} else if (*p == '-' && split) {
			*layer = p + 1;
			break;
		} else if (*p == '-') {
			split = true;
		} else {
			(split ? lv : vg)[split ? li++ : vi++] = *p;
		}
	}
	vg[vi] = '\0';
	lv[li] = '\0';
	return split && (!*p || *layer);
}

/* Is the registry device an LV's (its uuid is lvm2's), and does another device use it? */
static bool lv_device(struct state *st, const char *name, bool *in_use)
{
	struct state_dev *d;
	char **users;
	size_t n;
	bool lvm;

	*in_use = false;
	if (state_load(st, name, &d) != 0)
		return false;
	lvm = strncmp(d->uuid, "LVM-", 4) == 0;
	state_dev_free(d);
	if (lvm && state_users(st, name, &users, &n) == 0) {
		*in_use = n > 0;
		state_free_list(users, n);
	}
	return lvm;
}

/*
 * lvm2 checks the LVs for users before it deactivates any: vgchange leaves
 * a VG with an open LV wholly active, naming the first such LV and the
 * count; lvchange names its LV.  The kernel's "holders" of an LV are the
 * mapped devices whose tables use it, hence lvm2's words for that case.
 * true when something is in use (the messages are printed).
 */
static bool refuse_in_use(struct state *st, bool vgchange, char **names, size_t n,
			  const char *vgname, const char *lvname)
{
	unsigned nopen = 0;

	for (size_t i = 0; i < n; i++) {
		char vg[DMB_NAME_MAX + 1], lv[DMB_NAME_MAX + 1];
		const char *layer;
		bool in_use;

		if (!split_dm_name(names[i], vg, lv, &layer) || layer || strcmp(vg, vgname) != 0 ||
		    (lvname && strcmp(lv, lvname) != 0))
			continue;
		if (!lv_device(st, names[i], &in_use) || !in_use)
			continue;
		if (nopen++ == 0)
			fprintf(stderr, "  Logical volume %s/%s is used by another device.\n", vg, lv);
	}
	if (nopen && vgchange)
		fprintf(stderr, "  Can't deactivate volume group \"%s\" with %u open logical volume(s)\n",
			vgname, nopen);
	return nopen > 0;
}

/*
 * Remove the registry devices of a VG (all its LVs, or one with, for an
 * origin, its snapshots): the LVs' own
 * devices first, then the snapshot layers ("VG-LV-real", "VG-LV-cow") and
 * the filler devices ("VG-LV-missing_...") under them.
 * Nothing is removed while one of the LVs is in use (*refused is set);
 * *left counts the LVs whose device stays.
 */
/*
 * The LVs lvchange -an VG/LV takes down with LV: when LV is a snapshot's
 * origin (its VG-LV-real device is there), the snapshots over that device,
 * as lvm2 deactivates an origin with its snapshots.  Their names go to
 * snaps[] (at most cap).
 */
static size_t snapshots_of(struct state *st, char **names, size_t n, const char *vgname,
			   const char *lvname, char snaps[][DMB_NAME_MAX + 1], size_t cap)
{
	size_t ns = 0;

	for (size_t i = 0; i < n && ns == 0; i++) {
		char vg[DMB_NAME_MAX + 1], lv[DMB_NAME_MAX + 1];
		const char *layer;
		char **users;
		size_t nu;

		if (!split_dm_name(names[i], vg, lv, &layer) || !layer || strcmp(layer, "real") ||
		    strcmp(vg, vgname) || strcmp(lv, lvname) || state_users(st, names[i], &users, &nu))
			continue;
		for (size_t u = 0; u < nu && ns < cap; u++) {
			char uvg[DMB_NAME_MAX + 1];

			if (split_dm_name(users[u], uvg, snaps[ns], &layer) && !layer &&
			    strcmp(uvg, vgname) == 0 && strcmp(snaps[ns], lvname) != 0)
				ns++;
		}
		state_free_list(users, nu);
	}
	return ns;
}

#define MAX_SNAPSHOTS 64

static bool wanted(const char *lv, const char *lvname, char snaps[][DMB_NAME_MAX + 1], size_t ns)
{
	if (!lvname || strcmp(lv, lvname) == 0)
		return true;
	for (size_t i = 0; i < ns; i++)
		if (strcmp(lv, snaps[i]) == 0)
			return true;
	return false;
}

static int deactivate(struct state *st, bool vgchange, const char *vgname, const char *lvname,
		      bool *refused, unsigned *left)
{
	const char *cmd = vgchange ? "vgchange" : "lvchange";
	char **names, snaps[MAX_SNAPSHOTS][DMB_NAME_MAX + 1];
	size_t n, ns = 0;
	int r = state_list(st, &names, &n), status = LVM_OK;
	bool busy;

	*refused = false;
	*left = 0;
	if (r) {
		cli_error("cannot list devices");
		return LVM_FAILED;
	}
	if (lvname)
		ns = snapshots_of(st, names, n, vgname, lvname, snaps, MAX_SNAPSHOTS);
	busy = refuse_in_use(st, vgchange, names, n, vgname, lvname);
	for (size_t i = 0; i < ns && !busy; i++)
		busy = refuse_in_use(st, vgchange, names, n, vgname, snaps[i]);
	if (busy) {
		*refused = true;
		state_free_list(names, n);
		return LVM_FAILED;
	}
	/* The LVs' devices, then the snapshot layers under them, then the fillers. */
	for (int pass = 0; pass < 3; pass++) {
		const bool fillers = pass == 2;

		for (size_t i = 0; i < n; i++) {
			char vg[DMB_NAME_MAX + 1], lv[DMB_NAME_MAX + 1];
			const char *layer;
			struct state_dev *d;
			bool in_use;

			if (!split_dm_name(names[i], vg, lv, &layer) || strcmp(vg, vgname) != 0 ||
			    !wanted(lv, lvname, snaps, ns))
				continue;
			if (pass == 0 && layer)
				continue;
			if (pass == 1 && (!layer || (strcmp(layer, "real") && strcmp(layer, "cow"))))
				continue;
			if (fillers && (!layer || strncmp(layer, "missing_", 8) != 0))
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
			if (lv_device(st, names[i], &in_use) && cli_remove(st, cmd, names[i])) {
				status = LVM_FAILED;
				*left += pass == 0;
			}
		}
	}
	state_free_list(names, n);
	return status;
}

int lvm_change(bool vgchange, const struct lvm_opts *o, char **args, size_t nargs)
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
	/*
	 * Scan before taking the state lock: a device to scan may be a mapped
	 * device (an opened LUKS volume), whose opening reads the state too.
	 */
	if (o->activate) {
		r = lvm_scan_all(&s, o);
		scanned = true;
		if (r) {
			lvm_scan_fini(&s);
			return r;
		}
		status = lvm_check_args(&s, args, nargs, !vgchange);
	}
	if (state_open(&st, true)) {
		cli_error("cannot open the state directory");
		if (scanned)
			lvm_scan_fini(&s);
		return LVM_FAILED;
	}
	for (size_t i = 0; i < nargs; i++) {
		const char *a = strncmp(args[i], "/dev/", 5) == 0 ? args[i] + 5 : args[i];
		const char *slash = strchr(a, '/');
		char vgname[DMB_LVM_NAME_MAX + 1];
		size_t len = slash ? (size_t)(slash - a) : strlen(a);
		const struct dmb_lvm_vg *vg;

		if (vgchange == (slash != NULL) || len > DMB_LVM_NAME_MAX) {
			fprintf(stderr, "  Invalid %s name %s.\n",
				vgchange ? "volume group" : "logical volume", a);
			status = LVM_INVALID_CMD_LINE;
			continue;
		}
		memcpy(vgname, a, len);
		vgname[len] = '\0';
		if (!o->activate) {
			bool refused;
			unsigned left;

			if (deactivate(&st, vgchange, vgname, slash ? slash + 1 : NULL, &refused,
				       &left))
				status = LVM_FAILED;
			if (vgchange && !refused)
				printf("  %u logical volume(s) in volume group \"%s\" now active\n",
				       left, vgname);
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
			if (!slash && !lvm_lv_visible(lv))
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
		}
		if (vgchange) {
			unsigned active = 0;
			struct report_ctx rc = { .o = o, .st = &st };

			for (size_t l = 0; l < vg->lv_count; l++) {
				bool open;

				active += lvm_lv_visible(&vg->lvs[l]) && lvm_lv_active(&rc, &vg->lvs[l], &open);
			}
			printf("  %u logical volume(s) in volume group \"%s\" now active\n", active,
			       vg->name);
		}
	}
	if (scanned)
		lvm_scan_fini(&s);
	state_close(&st);
	return status;
}
