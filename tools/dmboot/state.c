// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The host's device registry: one small text file per mapped device in the
 * state directory (DMBOOT_STATE_DIR, else $XDG_RUNTIME_DIR/dmboot, else
 * /tmp/dmboot-UID), so that devices persist between invocations the way
 * kernel dm devices persist between dmsetup calls.  Files are replaced
 * atomically (write, fsync, rename) under an flock on the directory, so a
 * failed or concurrent command never leaves a half-written device.  A record
 * holds everything its device trusts (signatures, certificates), so one
 * rename makes or unmakes the device with its trust; the directory's checks
 * are in state_dir.c.  Renaming a device takes three steps (the record under
 * its new name, its status file, the old record away), so a journal written
 * first lets the next command that takes the lock finish a rename a killed
 * command began, or forget one that never wrote the new record.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dmsetup.h"

#define STATE_MAGIC "dmboot-state 2"
#define STATE_PREFIX "dev-"
/*
 * A state file holds a table of at most DMB_TABLE_MAX_BYTES, a header, and
 * its signatures and certificates in hex.
 */
#define STATE_MAX_BYTES (DMB_TABLE_MAX_BYTES + 65536 + 2 * STATE_BLOBS_MAX_BYTES)

int state_blob_push(struct state_blob **list, size_t *n, const char *label, const void *data,
		    size_t len)
{
	struct state_blob *l = realloc(*list, (*n + 1) * sizeof(**list));
	struct state_blob *b;

	if (!l)
		return -ENOMEM;
	*list = l;
	b = &l[*n];
	b->label = strdup(label);
	b->data = malloc(len ? len : 1);
	b->len = len;
	if (!b->label || !b->data) {
		free(b->label);
		free(b->data);
		return -ENOMEM;
	}
	memcpy(b->data, data, len);
	(*n)++;
	return 0;
}

void state_blob_free(struct state_blob *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		explicit_bzero(list[i].data, list[i].len);
		free(list[i].data);
		free(list[i].label);
	}
	free(list);
}

void state_dev_free(struct state_dev *d)
{
	if (!d)
		return;
	free(d->name);
	free(d->uuid);
	free(d->cwd);
	free(d->table);
	state_free_list(d->deps, d->ndeps);
	state_free_list(d->devices, d->ndevices);
	state_blob_free(d->keys, d->nkeys);
	state_blob_free(d->certs, d->ncerts);
	free(d->status);
	free(d);
}

void state_free_list(char **names, size_t n)
{
	cli_list_free(names, n);
}

static char *dev_path(struct state *st, const char *name)
{
	char *p;

	return asprintf(&p, "%s/" STATE_PREFIX "%s", st->dir, name) < 0 ? NULL : p;
}

/* "<hex label> <hex bytes>"; nonzero when malformed or out of memory. */
static int parse_blob(char *val, struct state_blob **list, size_t *n)
{
	char *sp = strchr(val, ' ');
	size_t llen, dlen;
	uint8_t *label, *data;
	int r = -EINVAL;

	if (!sp)
		return r;
	*sp++ = '\0';
	llen = strlen(val) / 2;
	dlen = strlen(sp) / 2;
	label = malloc(llen + 1);
	data = malloc(dlen + 1);
	if (label && data && dmb_hex_decode(val, label, llen) == 0 &&
	    dmb_hex_decode(sp, data, dlen) == 0 && !memchr(label, '\0', llen)) {
		label[llen] = '\0';
		r = state_blob_push(list, n, (const char *)label, data, dlen);
	}
	free(label);
	if (data)
		explicit_bzero(data, dlen);
	free(data);
	return r;
}

/* Hex of a text without NUL bytes; nonzero when malformed or out of memory. */
static int parse_text(const char *val, char **out)
{
	size_t n = strlen(val) / 2;
	char *t = malloc(n + 1);

	if (!t || dmb_hex_decode(val, (uint8_t *)t, n) || memchr(t, '\0', n)) {
		free(t);
		return -EINVAL;
	}
	t[n] = '\0';
	*out = t;
	return 0;
}

/*
 * Parse a state file; the layout is the one state_save() writes.  A record
 * must name the device its file is named after, so a listing and a lookup
 * never disagree.
 */
static int parse(const char *want, char *text, struct state_dev **out)
{
	struct state_dev *d = calloc(1, sizeof(*d));
	char *line = text, *next;
	bool magic = false;

	if (!d)
		return -ENOMEM;
	for (; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!magic) {
			if (strcmp(line, STATE_MAGIC) != 0)
				break;
			magic = true;
			continue;
		}
		if (strcmp(line, "table") == 0) {
			d->table = strdup(next ? next : "");
			break;
		}
		char *val = strchr(line, ' ');
		if (!val)
			continue;
		*val++ = '\0';
		if (strcmp(line, "name") == 0 && !d->name)
			d->name = strdup(val);
		else if (strcmp(line, "uuid") == 0 && !d->uuid)
			d->uuid = strdup(val);
		else if (strcmp(line, "minor") == 0)
			d->minor = (unsigned)strtoul(val, NULL, 10);
		else if (strcmp(line, "mode") == 0)
			d->read_only = strcmp(val, "ro") == 0;
		else if (strcmp(line, "cwd") == 0 && !d->cwd)
			d->cwd = strdup(val);
		else if (strcmp(line, "dep") == 0 && cli_list_push(&d->deps, &d->ndeps, val))
			break;
		else if (strcmp(line, "device") == 0 && cli_list_push(&d->devices, &d->ndevices, val))
			break;
		else if (strcmp(line, "id") == 0 && strlen(val) == STATE_ID_HEX)
			memcpy(d->id, val, STATE_ID_HEX + 1);
		else if (strcmp(line, "key") == 0 && parse_blob(val, &d->keys, &d->nkeys))
			break;
		else if (strcmp(line, "cert") == 0 && parse_blob(val, &d->certs, &d->ncerts))
			break;
		else if (strcmp(line, "status") == 0 && !d->status && parse_text(val, &d->status))
			break;
	}
	/* Silent: callers tell, once, what a damaged record means to them. */
	if (!magic || !d->name || !d->cwd || !d->table || !d->id[0] || strcmp(d->name, want)) {
		state_dev_free(d);
		return -EINVAL;
	}
	if (!d->uuid)
		d->uuid = strdup("");
	*out = d;
	return d->uuid ? 0 : -ENOMEM;
}

int state_load(struct state *st, const char *name, struct state_dev **out)
{
	char *path = dev_path(st, name), *text;
	size_t len;
	int r;

	*out = NULL;
	if (!path)
		return -ENOMEM;
	r = state_read_private(path, STATE_MAX_BYTES, &text, &len);
	if (r == 0) {
		r = parse(name, text, out);
		explicit_bzero(text, len);
		free(text);
	}
	free(path);
	return r;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int state_list(struct state *st, char ***names, size_t *n)
{
	DIR *dir = opendir(st->dir);
	struct dirent *de;
	int r = 0;

	*names = NULL;
	*n = 0;
	if (!dir) {
		cli_error("cannot read state directory %s: %s", st->dir, strerror(errno));
		return -errno;
	}
	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, STATE_PREFIX, strlen(STATE_PREFIX)) != 0)
			continue;
		r = cli_list_push(names, n, de->d_name + strlen(STATE_PREFIX));
		if (r)
			break;
	}
	closedir(dir);
	if (*n)
		qsort(*names, *n, sizeof(**names), by_name);
	return r;
}

int state_find_minor(struct state *st, unsigned minor, struct state_dev **out)
{
	char **names;
	size_t n;
	int r = state_list(st, &names, &n);

	*out = NULL;
	for (size_t i = 0; r == 0 && i < n && !*out; i++) {
		struct state_dev *d;

		if (state_load(st, names[i], &d) == 0) {
			if (d->minor == minor)
				*out = d;
			else
				state_dev_free(d);
		}
	}
	state_free_list(names, n);
	return r ? r : *out ? 0 : -ENOENT;
}

int state_free_minor(struct state *st, unsigned *minor)
{
	char **names;
	size_t n;
	int r = state_list(st, &names, &n);
	bool *used;

	if (r)
		return r;
	used = calloc(n + 1, sizeof(*used));
	if (!used) {
		state_free_list(names, n);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct state_dev *d;

		if (state_load(st, names[i], &d) == 0) {
			if (d->minor <= n)
				used[d->minor] = true;
			state_dev_free(d);
		}
	}
	*minor = 0;
	while (used[*minor])
		(*minor)++;
	free(used);
	state_free_list(names, n);
	return 0;
}

int state_users(struct state *st, const char *name, char ***users, size_t *nusers)
{
	char **names;
	size_t n;
	int r = state_list(st, &names, &n);

	*users = NULL;
	*nusers = 0;
	for (size_t i = 0; r == 0 && i < n; i++) {
		struct state_dev *d;

		if (strcmp(names[i], name) == 0 || state_load(st, names[i], &d) != 0)
			continue;
		for (size_t k = 0; k < d->ndeps && r == 0; k++)
			if (strcmp(d->deps[k], name) == 0)
				r = cli_list_push(users, nusers, d->name);
		state_dev_free(d);
	}
	state_free_list(names, n);
	return r;
}

static void put_hex(FILE *f, const void *data, size_t len)
{
	const uint8_t *p = data;
	char hex[129];

	while (len) {
		size_t n = len < 64 ? len : 64;

		dmb_hex_encode(p, n, hex);
		fwrite(hex, 1, 2 * n, f);
		p += n;
		len -= n;
	}
}

static void put_blob(FILE *f, const char *kind, const struct state_blob *b)
{
	fprintf(f, "%s ", kind);
	put_hex(f, b->label, strlen(b->label));
	fputc(' ', f);
	put_hex(f, b->data, b->len);
	fputc('\n', f);
}

int state_save(struct state *st, const struct state_dev *d)
{
	char *path = dev_path(st, d->name), *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int r = -ENOMEM;

	if (path && f) {
		fprintf(f, STATE_MAGIC "\nname %s\nuuid %s\nminor %u\nmode %s\ncwd %s\n", d->name,
			d->uuid, d->minor, d->read_only ? "ro" : "rw", d->cwd);
		for (size_t i = 0; i < d->ndeps; i++)
			fprintf(f, "dep %s\n", d->deps[i]);
		for (size_t i = 0; i < d->ndevices; i++)
			fprintf(f, "device %s\n", d->devices[i]);
		fprintf(f, "id %s\n", d->id);
		for (size_t i = 0; i < d->nkeys; i++)
			put_blob(f, "key", &d->keys[i]);
		for (size_t i = 0; i < d->ncerts; i++)
			put_blob(f, "cert", &d->certs[i]);
		if (d->status) {
			fputs("status ", f);
			put_hex(f, d->status, strlen(d->status));
			fputc('\n', f);
		}
		fprintf(f, "table\n%s", d->table);
	}
	if (f && fclose(f) == 0 && path && text)
		r = cli_write_atomic(st->dir, path, text, len);
	if (r)
		cli_error("cannot write state for %s in %s: %s", d->name, st->dir, strerror(-r));
	if (text)
		explicit_bzero(text, len);
	free(text);
	free(path);
	return r;
}

static char *status_path(struct state *st, const char *name)
{
	char *p;

	return asprintf(&p, "%s/status-%s", st->dir, name) < 0 ? NULL : p;
}

/* A status file: "<id>\n<status>", so it belongs to one instance of the device. */
int state_save_status(struct state *st, const struct state_dev *d, const char *status)
{
	char *path = status_path(st, d->name), *text = NULL;
	int n = asprintf(&text, "%s\n%s", d->id, status);
	int r = path && n >= 0 ? cli_write_atomic(st->dir, path, text, (size_t)n) : -ENOMEM;

	free(text);
	free(path);
	return r;
}

char *state_load_status(struct state *st, const struct state_dev *d)
{
	char *path = status_path(st, d->name), *text = NULL, *status = NULL;
	size_t len;

	if (path && state_read_private(path, 1 << 20, &text, &len) == 0 &&
	    len > STATE_ID_HEX && memcmp(text, d->id, STATE_ID_HEX) == 0 &&
	    text[STATE_ID_HEX] == '\n')
		status = strdup(text + STATE_ID_HEX + 1);
	free(text);
	free(path);
	if (!status && d->status)
		status = strdup(d->status);
	return status;
}

void state_remove_status(struct state *st, const char *name)
{
	char *path = status_path(st, name);

	if (path)
		unlink(path);
	free(path);
}

int state_remove(struct state *st, const char *name)
{
	char *path = dev_path(st, name);
	int r = 0;

	if (!path)
		return -ENOMEM;
	if (unlink(path) < 0) {
		r = -errno;
		cli_error("cannot remove state of %s: %s", name, strerror(errno));
	}
	free(path);
	return r;
}

/* --- rename ---------------------------------------------------------------- */

/*
 * The rename journal (STATE_RENAME_JOURNAL): "<old>\n<new>\n<id>\n".  Names
 * never hold a newline (create refuses control characters) and the id is
 * the record's, which a rename keeps, so the journal tells the new record
 * from another device that happens to have the new name.
 */
static char *journal_path(struct state *st)
{
	char *p;

	return asprintf(&p, "%s/" STATE_RENAME_JOURNAL, st->dir) < 0 ? NULL : p;
}

/* The steps after the new record is in place; each may already be done. */
static int finish_rename(struct state *st, const char *old, const char *new_name)
{
	char *from = status_path(st, old), *to = status_path(st, new_name);
	char *old_rec = dev_path(st, old), *journal = journal_path(st);
	int r = from && to && old_rec && journal ? 0 : -ENOMEM;

	/* The status file keeps the id it belongs to, so it moves as it is. */
	if (r == 0 && rename(from, to) < 0 && errno != ENOENT)
		r = -errno;
	if (r == 0 && unlink(old_rec) < 0 && errno != ENOENT)
		r = -errno;
	if (r == 0 && unlink(journal) < 0 && errno != ENOENT)
		r = -errno;
	if (r)
		cli_error("cannot finish renaming %s to %s in %s: %s", old, new_name, st->dir,
			  strerror(-r));
	free(from);
	free(to);
	free(old_rec);
	free(journal);
	return r;
}

int state_rename(struct state *st, const struct state_dev *d, const char *new_name)
{
	struct state_dev moved = *d;
	char *journal = journal_path(st), *text = NULL;
	int n = asprintf(&text, "%s\n%s\n%s\n", d->name, new_name, d->id);
	int r = journal && n >= 0 ? cli_write_atomic(st->dir, journal, text, (size_t)n) : -ENOMEM;

	if (r)
		cli_error("cannot write the rename journal in %s: %s", st->dir, strerror(-r));
	moved.name = (char *)new_name;
	if (r == 0)
		r = state_save(st, &moved);
	if (r == 0)
		r = finish_rename(st, d->name, new_name);
	else if (journal)
		unlink(journal);
	free(text);
	free(journal);
	return r;
}

int state_rename_recover(struct state *st)
{
	char *journal = journal_path(st), *text = NULL, *new_name, *id, *end;
	struct state_dev *d = NULL;
	bool well_formed;
	size_t len;
	int r;

	if (!journal)
		return -ENOMEM;
	r = state_read_private(journal, 4096, &text, &len);
	if (r == -ENOENT) {
		free(journal);
		return 0;
	}
	new_name = text ? strchr(text, '\n') : NULL;
	id = new_name ? strchr(new_name + 1, '\n') : NULL;
	end = id ? strchr(id + 1, '\n') : NULL;
	well_formed = end && (size_t)(end - id - 1) == STATE_ID_HEX;
	if (r == 0 && well_formed) {
		*new_name++ = *id++ = *end = '\0';
		well_formed = cli_valid_name(text) && cli_valid_name(new_name);
	}
	if (r == 0 && well_formed) {
		/* The new record is there: the rename got past its one atomic step. */
		if (state_load(st, new_name, &d) == 0 && memcmp(d->id, id, STATE_ID_HEX) == 0)
			r = finish_rename(st, text, new_name);
		else if (unlink(journal) < 0)
			r = -errno;
	} else if (r == 0) {
		cli_error("removing a damaged rename journal %s", journal);
		r = unlink(journal) < 0 ? -errno : 0;
	}
	state_dev_free(d);
	free(text);
	free(journal);
	return r;
}
