// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * `dmboot boot open` and `close`.  open maps the newest bootable image (or
 * the one named): the logical volume it lies in, activated as lvm2 would,
 * then root (and usr) through `ddi open`, which dissects the image again
 * and checks its signature before anything verity-related is mapped; an
 * image that fails there is undone and the next one tried.  A record
 * (boot@PREFIX in the state directory), written before the first device is
 * made, tells close what to remove, so a killed open leaves nothing that
 * close cannot take away.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot.h"
#include "ddi.h"
#include "lvm.h"

#define RECORD_MAGIC "dmboot-boot 1"
#define RECORD_MAX_BYTES 8192

/* What open made under one prefix. */
struct boot_record {
	char *file;     /* path in the state directory */
	char *image;    /* what ddi open was given */
	char *lv;       /* VG/LV open activated, or NULL */
};

static void record_free(struct boot_record *rec)
{
	free(rec->file);
	free(rec->image);
	free(rec->lv);
	memset(rec, 0, sizeof(*rec));
}

static int record_path(const struct state *st, const char *prefix, char **out)
{
	return asprintf(out, "%s/boot@%s", st->dir, prefix ? prefix : "") < 0 ? -ENOMEM : 0;
}

/* 0, -ENOENT (no record), -EINVAL (not one of ours), -ENOMEM. */
static int record_load(const struct state *st, const char *prefix, struct boot_record *rec)
{
	char *text = NULL, *save = NULL;
	size_t len;
	int r;

	memset(rec, 0, sizeof(*rec));
	r = record_path(st, prefix, &rec->file);
	if (!r && access(rec->file, F_OK) != 0)
		r = -ENOENT;
	if (!r)
		r = cli_read_file(rec->file, RECORD_MAX_BYTES, &text, &len);
	for (char *line = r ? NULL : strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line == text && strcmp(line, RECORD_MAGIC) != 0)
			r = -EINVAL;
		else if (strncmp(line, "image ", 6) == 0 && !rec->image)
			rec->image = strdup(line + 6);
		else if (strncmp(line, "lv ", 3) == 0 && !rec->lv)
			rec->lv = strdup(line + 3);
	}
	if (!r && !rec->image)
		r = -EINVAL;
	free(text);
	return r;
}

static int record_save(const struct state *st, const struct boot_record *rec)
{
	char *text = NULL;
	int r = -ENOMEM, n;

	n = asprintf(&text, RECORD_MAGIC "\nimage %s\n%s%s%s", rec->image, rec->lv ? "lv " : "",
		     rec->lv ? rec->lv : "", rec->lv ? "\n" : "");
	if (n >= 0)
		r = cli_write_atomic(st->dir, rec->file, text, (size_t)n);
	if (r)
		cli_error("cannot write %s: %s", rec->file, strerror(-r));
	free(n >= 0 ? text : NULL);
	return r;
}

/* ---- the steps, each undone by close ------------------------------------- */

static int lv_change(const struct boot_opts *o, const char *vglv, bool on)
{
	struct lvm_opts lo = { .devices = o->devices, .ndevices = o->ndevices,
			       .activate = on ? 1 : 0 };
	char *args[1] = { (char *)vglv };

	return lvm_change(false, &lo, args, 1) == LVM_OK ? 0 : -1;
}

static int ddi_verb(const struct boot_opts *o, const char *verb, const char *image)
{
	struct dopts d = { .json = JSON_OFF, .arch = o->arch, .certs = o->certs,
			   .ncerts = o->ncerts, .require_sig = true, .name = o->name };
	char *argv[3] = { (char *)verb, (char *)image, NULL };

	return strcmp(verb, "open") == 0 ? ddi_open(&d, 2, argv) : ddi_close(&d, 2, argv);
}

/* Whether the mapped device name exists. */
static bool mapped(const char *name)
{
	struct state st;
	struct state_dev *d = NULL;
	bool there;

	if (state_open(&st, false))
		return false;
	there = state_load(&st, name, &d) == 0;
	state_dev_free(d);
	state_close(&st);
	return there;
}

/*
 * Open one image: record, activate its LV (recorded for close unless it was
 * active already), ddi open.  A failure undoes what this call made.  Returns a ddi or boot
 * exit status.
 */
static int open_one(const struct boot_opts *o, const struct boot_image *im)
{
	char dm[2 * DMB_NAME_MAX + 8];
	struct boot_record rec = { 0 };
	struct state st;
	int status = BOOT_FAILED;
	bool activate = false;

	if (im->host == BOOT_HOST_LV) {
		dmb_lvm_dm_name(im->lv, dm, sizeof(dm));
		activate = !mapped(dm);
		if (asprintf(&rec.image, "/dev/mapper/%s", dm) < 0)
			rec.image = NULL;
		if (activate && !(rec.lv = strdup(im->where)))
			goto out;
	} else {
		rec.image = strdup(im->where);
	}
	if (!rec.image || strchr(rec.image, '\n') || (rec.lv && strchr(rec.lv, '\n')))
		goto out;
	if (state_open(&st, true))
		goto out;
	if (record_path(&st, o->name, &rec.file) == 0 && access(rec.file, F_OK) == 0) {
		cli_error("boot open%s%s: already open (boot close%s%s)", o->name ? " --name " : "",
			  o->name ? o->name : "", o->name ? " " : "", o->name ? o->name : "");
		state_close(&st);
		status = BOOT_BUSY;
		goto out;
	}
	status = rec.file && record_save(&st, &rec) == 0 ? BOOT_OK : BOOT_FAILED;
	state_close(&st);
	if (status)
		goto out;
	/*
	 * Even an LV mapped already goes through activation: lvm leaves a
	 * device with the LV's own table as it is and refuses one with another.
	 */
	if (im->host == BOOT_HOST_LV && lv_change(o, im->where, true))
		status = BOOT_FAILED;
	if (!status)
		status = ddi_verb(o, "open", rec.image);
	if (status) {
		if (activate)
			lv_change(o, im->where, false);
		unlink(rec.file);
	}
out:
	record_free(&rec);
	return status;
}

int boot_open(void *opts, int argc, char **argv)
{
	const struct boot_opts *o = opts;
	const char *image = argc > 1 ? argv[1] : NULL;
	struct boot_scan s;
	int status = boot_scan_run(&s, o);
	size_t tried = 0;

	for (size_t i = 0; status == BOOT_OK && i < s.nimgs; i++) {
		const struct boot_image *im = &s.imgs[i];
		int r;

		if (image && im != boot_find(&s, image))
			continue;
		if (im->reason) {
			if (image)
				cli_error("%s: cannot boot: %s", im->where, im->reason);
			break;
		}
		tried++;
		r = open_one(o, im);
		if (r == BOOT_OK) {
			printf("%s: version %s mapped as /dev/mapper/%s%s%s\n", im->where,
			       im->has_version ? im->ver.version : "-", o->name ? o->name : "",
			       o->name ? "-" : "", im->usr ? "usr" : "root");
			boot_scan_fini(&s);
			return BOOT_OK;
		}
		/* Busy or out of memory is no reason to try an older image. */
		if (image || r == BOOT_BUSY || r == BOOT_NOMEM)
			status = r == BOOT_BUSY || r == BOOT_NOMEM ? r : BOOT_FAILED;
		else
			cli_error("%s: not opened; trying the next image", im->where);
	}
	if (status == BOOT_OK) {
		if (image && !boot_find(&s, image))
			cli_error("%s: no such image on the devices given", image);
		else if (tried)
			cli_error("no bootable image could be opened");
		else if (!image)
			cli_error("no bootable image on the devices given%s",
				  s.nimgs ? " (boot list tells why)" : "");
		status = BOOT_NONE;
	}
	boot_scan_fini(&s);
	return status;
}

int boot_close(void *opts, int argc, char **argv)
{
	struct boot_opts o = *(const struct boot_opts *)opts;
	struct boot_record rec;
	struct state st;
	int r, status;

	if (argc > 1)
		o.name = argv[1];
	if (o.name && !cli_valid_name(o.name)) {
		cli_error("invalid PREFIX '%s': not a device name", o.name);
		return BOOT_USAGE;
	}
	if (state_open(&st, false))
		return BOOT_FAILED;
	r = record_load(&st, o.name, &rec);
	state_close(&st);
	if (r) {
		if (r == -ENOENT)
			cli_error("boot close%s%s: nothing open", o.name ? " " : "", o.name ? o.name : "");
		else
			cli_error("%s: %s", rec.file ? rec.file : "boot record",
				  r == -EINVAL ? "not a boot record" : strerror(-r));
		record_free(&rec);
		return r == -ENOENT ? BOOT_NONE : BOOT_FAILED;
	}
	/* ddi close says "not open" for devices a killed open never made. */
	status = ddi_verb(&o, "close", rec.image);
	if (status == DDI_NOTFOUND)
		status = BOOT_OK;
	if (status == BOOT_OK && rec.lv && lv_change(&o, rec.lv, false))
		status = BOOT_FAILED;
	if (status == BOOT_OK && unlink(rec.file) != 0 && errno != ENOENT) {
		cli_error("cannot remove %s: %s", rec.file, strerror(errno));
		status = BOOT_FAILED;
	}
	record_free(&rec);
	return status == DDI_BUSY ? BOOT_BUSY : status;
}
