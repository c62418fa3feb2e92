// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * `dmboot ddi open` and `close`: open creates `root` and `usr` (verity over
 * the data partition when the root hash is known) all or nothing, under the
 * state lock, and records what it made in the state directory (ddi-NAME),
 * so that close removes exactly that and nothing made since under the same
 * names.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ddi.h"

#define RECORD_MAGIC "dmboot-ddi 1"
#define RECORD_PREFIX "ddi-"
#define RECORD_MAX_BYTES 65536

/* The designators of the devices open makes (ddi_dev_names). */
static const enum dmb_ddi_designator dev_which[2] = { DMB_DDI_ROOT, DMB_DDI_USR };

/* ---- the record of what open made --------------------------------------- */

/* The image's absolute path, the key of its record. */
static char *image_key(const char *path)
{
	char *real = realpath(path, NULL), cwd[PATH_MAX], *p;

	if (real)
		return real;
	if (path[0] == '/')
		return strdup(path);
	if (!getcwd(cwd, sizeof(cwd)) || asprintf(&p, "%s/%s", cwd, path) < 0)
		return NULL;
	return p;
}

struct record {
	char *file;       /* its path in the state directory */
	char *image;
	char *names[2];   /* mapped devices open made, NULL for none */
	char *uuids[2];
};

static void record_free(struct record *rec)
{
	free(rec->file);
	free(rec->image);
	for (int i = 0; i < 2; i++) {
		free(rec->names[i]);
		free(rec->uuids[i]);
	}
	memset(rec, 0, sizeof(*rec));
}

static int record_parse(char *text, struct record *rec)
{
	char *save = NULL;
	int ndev = 0;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');

		if (line == text) {
			if (strcmp(line, RECORD_MAGIC) != 0)
				return -EINVAL;
			continue;
		}
		if (!sp)
			return -EINVAL;
		*sp++ = '\0';
		if (strcmp(line, "image") == 0 && !rec->image) {
			rec->image = strdup(sp);
		} else if (strcmp(line, "device") == 0 && ndev < 2) {
			char *uuid = strchr(sp, ' ');

			if (!uuid)
				return -EINVAL;
			*uuid++ = '\0';
			rec->names[ndev] = strdup(sp);
			rec->uuids[ndev] = strdup(uuid);
			if (!rec->names[ndev] || !rec->uuids[ndev])
				return -ENOMEM;
			ndev++;
		}
	}
	return rec->image && ndev ? 0 : -EINVAL;
}

/* The record of image in the state directory: 0, -ENOENT or another error. */
static int record_find(struct state *st, const char *image, struct record *rec)
{
	DIR *d = opendir(st->dir);
	struct dirent *de;
	int r = -ENOENT;

	memset(rec, 0, sizeof(*rec));
	if (!d) {
		cli_error("cannot read state directory %s: %s", st->dir, strerror(errno));
		return -errno;
	}
	while (r == -ENOENT && (de = readdir(d))) {
		char *text = NULL;
		size_t len;

		if (strncmp(de->d_name, RECORD_PREFIX, strlen(RECORD_PREFIX)) != 0)
			continue;
		if (asprintf(&rec->file, "%s/%s", st->dir, de->d_name) < 0) {
			rec->file = NULL;
			r = -ENOMEM;
			break;
		}
		if (cli_read_file(rec->file, RECORD_MAX_BYTES, &text, &len) == 0 &&
		    record_parse(text, rec) == 0 && strcmp(rec->image, image) == 0)
			r = 0;
		else
			record_free(rec);
		free(text);
	}
	closedir(d);
	return r;
}

/* Write a record atomically, as the registry writes devices. */
static int record_save(struct state *st, const struct record *rec)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int r = -ENOMEM;

	if (f) {
		fprintf(f, RECORD_MAGIC "\nimage %s\n", rec->image);
		for (int i = 0; i < 2; i++)
			if (rec->names[i])
				fprintf(f, "device %s %s\n", rec->names[i], rec->uuids[i]);
	}
	if (f && fclose(f) == 0 && text)
		r = cli_write_atomic(st->dir, rec->file, text, len);
	if (r)
		cli_error("cannot write %s: %s", rec->file, strerror(-r));
	free(text);
	return r;
}

/* Whether the device recorded as name with uuid is still the one open made. */
static bool record_dev_present(struct state *st, const char *name, const char *uuid)
{
	struct state_dev *d;
	bool same;

	if (state_load(st, name, &d) != 0)
		return false;
	same = strcmp(d->uuid, uuid) == 0;
	state_dev_free(d);
	return same;
}

/* ---- open and close --------------------------------------------------- */

/*
 * The devices' dm uuids name the data partition by its PARTUUID (the MBR
 * form too), so close removes a device only while it is still the one open
 * made.
 */
static int make_uuid(const struct dmb_ddi *ddi, const struct dmb_ddi_partition *data,
		     const char *name, char **out)
{
	char uuid[DMB_PART_UUID_MAX], hex[DMB_PART_UUID_MAX];
	size_t n = 0;

	dmb_part_uuid(ddi->table, data->part, uuid);
	for (const char *p = uuid; *p; p++)
		if (*p != '-')
			hex[n++] = *p;
	hex[n] = '\0';
	return asprintf(out, "DMBOOT-DDI-%s-%s", hex, name) < 0 ? -ENOMEM : 0;
}

/* The name of device i: "root" or "usr", after "PREFIX-" with --name. */
static int dev_name(const struct dopts *o, int i, char **out)
{
	if (!o->name)
		*out = strdup(ddi_dev_names[i]);
	else if (asprintf(out, "%s-%s", o->name, ddi_dev_names[i]) < 0)
		*out = NULL;
	return *out ? 0 : -ENOMEM;
}

/* Create the devices and the record under the state lock: all or nothing. */
static int create_all(struct state *st, const char *image, struct dmb_table *const tables[2],
		      const bool ro[2], struct record *rec)
{
	struct record old;
	int made = 0, r;

	r = record_find(st, rec->image, &old);
	if (r == 0) {
		bool busy = false;

		for (int i = 0; i < 2; i++)
			busy |= old.names[i] && record_dev_present(st, old.names[i], old.uuids[i]);
		if (busy) {
			cli_error("%s is already open (ddi close %s)", image, image);
			record_free(&old);
			return -EEXIST;
		}
		/* Its devices were removed some other way: the record is stale. */
		unlink(old.file);
		record_free(&old);
	} else if (r != -ENOENT) {
		return r;
	}
	for (int i = 0; i < 2; i++) {
		if (!tables[i])
			continue;
		r = cli_create(st, rec->names[i], rec->uuids[i], -1, ro[i], tables[i], NULL);
		if (r)
			goto undo;
		made |= 1 << i;
		if (!rec->file && asprintf(&rec->file, "%s/" RECORD_PREFIX "%s", st->dir,
					   rec->names[i]) < 0) {
			rec->file = NULL;
			r = -ENOMEM;
			goto undo;
		}
	}
	r = record_save(st, rec);
	if (r == 0)
		return 0;
undo:
	for (int i = 0; i < 2; i++)
		if (made & (1 << i))
			state_remove(st, rec->names[i]);
	return r;
}

int ddi_open(void *opts, int argc, char **argv)
{
	const struct dopts *o = opts;
	char *path;
	struct image im;
	struct dmb_table *tables[2] = { NULL, NULL };
	struct record rec = { 0 };
	struct state st;
	bool ro[2] = { true, true };
	int status, r;

	(void)argc;
	/* A partition found by name on --devices is recorded as DEVICE:pN. */
	r = cli_image_locate(argv[1], o->devices, o->ndevices, &path);
	if (r)
		return r == -ENOMEM ? DDI_NOMEM : DDI_NOTFOUND;
	status = ddi_image_open(&im, o, path, 0);
	if (status)
		goto out;
	for (int i = 0; i < 2; i++) {
		const struct dmb_ddi_partition *data = im.ddi->chosen[dev_which[i]];

		if (!data)
			continue;
		r = dmb_ddi_table(&im.ctx, im.ddi, im.bd, dev_which[i], DMB_DDI_NAMES_IMAGE, im.name,
				  &tables[i], &ro[i]);
		if (!r && (dev_name(o, i, &rec.names[i]) ||
			   make_uuid(im.ddi, data, ddi_dev_names[i], &rec.uuids[i])))
			r = cli_seterr(&im.ctx, DMB_ENOMEM, "out of memory");
		if (r) {
			cli_error("%s: %s", path, im.ctx.msg);
			status = cli_exit_status(&ddi_exit, r);
			goto out;
		}
	}
	if (!tables[0] && !tables[1]) {
		cli_error("%s: no root or usr partition to map", path);
		status = DDI_IMAGE;
		goto out;
	}
	rec.image = image_key(im.name);
	if (!rec.image) {
		cli_error("%s: cannot name the image", path);
		status = DDI_NOMEM;
		goto out;
	}
	/* The record is one line per field. */
	if (strchr(rec.image, '\n')) {
		cli_error("%s: an image path with a newline cannot be recorded", path);
		status = DDI_USAGE;
		goto out;
	}
	if (state_open(&st, true)) {
		status = DDI_IMAGE;
		goto out;
	}
	r = create_all(&st, path, tables, ro, &rec);
	state_close(&st);
	status = cli_exit_status(&ddi_exit, r);
	if (status == DDI_OK)
		ddi_warn_unsigned(&im, o, path);
out:
	record_free(&rec);
	for (int i = 0; i < 2; i++)
		dmb_table_destroy(tables[i]);
	ddi_image_close(&im);
	free(path);
	return status;
}

int ddi_close(void *opts, int argc, char **argv)
{
	const struct dopts *o = opts;
	struct record rec;
	struct state st;
	char *key = NULL, *name = NULL, *path;
	int status = DDI_OK, r;

	(void)argc;
	r = cli_image_locate(argv[1], o->devices, o->ndevices, &path);
	if (r)
		return r == -ENOMEM ? DDI_NOMEM : DDI_NOTFOUND;
	if (state_open(&st, true)) {
		free(path);
		return DDI_IMAGE;
	}
	/* The image as open named it: a mapped device under any spelling. */
	if (cli_image_name(&st, path, &name) == 0)
		key = image_key(name);
	free(name);
	if (!key) {
		cli_error("%s: cannot name the image", path);
		state_close(&st);
		free(path);
		return DDI_NOMEM;
	}
	r = record_find(&st, key, &rec);
	if (r) {
		if (r == -ENOENT)
			cli_error("%s: not open", path);
		status = r == -ENOENT ? DDI_NOTFOUND : DDI_IMAGE;
		goto out;
	}
	/* Refuse before removing anything when another device uses one of them. */
	for (int i = 0; i < 2 && status == DDI_OK; i++) {
		char **users;
		size_t n;

		if (!rec.names[i] || !record_dev_present(&st, rec.names[i], rec.uuids[i]))
			continue;
		r = state_users(&st, rec.names[i], &users, &n);
		if (r == 0 && n) {
			cli_error("close %s: device %s is in use by %s", path, rec.names[i],
				  users[0]);
			status = DDI_BUSY;
		} else if (r) {
			status = DDI_IMAGE;
		}
		state_free_list(users, n);
	}
	for (int i = 1; i >= 0 && status == DDI_OK; i--) {
		if (rec.names[i] && record_dev_present(&st, rec.names[i], rec.uuids[i]) &&
		    cli_remove(&st, "close", rec.names[i]) != 0)
			status = DDI_BUSY;
	}
	if (status == DDI_OK && unlink(rec.file) < 0) {
		cli_error("cannot remove %s: %s", rec.file, strerror(errno));
		status = DDI_IMAGE;
	}
	record_free(&rec);
out:
	state_close(&st);
	free(key);
	free(path);
	return status;
}
