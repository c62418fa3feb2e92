// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The host's device registry: one small text file per mapped device in the
 * state directory (DMBOOT_STATE_DIR, else $XDG_RUNTIME_DIR/dmboot, else
 * /tmp/dmboot-UID), so that devices persist between invocations the way
 * kernel dm devices persist between dmsetup calls.  Files are replaced
 * atomically (write, fsync, rename) under an flock on the directory, so a
 * failed or concurrent command never leaves a half-written device.
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

#include "cli.h"

#define STATE_MAGIC "dmboot-state 1"
#define STATE_PREFIX "dev-"
/* A state file holds a table of at most DMB_TABLE_MAX_BYTES plus a header. */
#define STATE_MAX_BYTES (DMB_TABLE_MAX_BYTES + 65536)

static int mkdir_p(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			*p = '/';
			return -errno;
		}
		*p = '/';
	}
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int state_open(struct state *st, bool exclusive)
{
	const char *env = getenv("DMBOOT_STATE_DIR");
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	bool shared_tmp = false;
	char *lock;
	struct stat sb;
	int r;

	st->lock_fd = -1;
	if (env && *env)
		r = asprintf(&st->dir, "%s", env);
	else if (xdg && *xdg)
		r = asprintf(&st->dir, "%s/dmboot", xdg);
	else {
		r = asprintf(&st->dir, "/tmp/dmboot-%u", (unsigned)getuid());
		shared_tmp = true;
	}
	if (r < 0) {
		st->dir = NULL;
		cli_error("out of memory");
		return -ENOMEM;
	}
	r = mkdir_p(st->dir);
	if (r) {
		cli_error("cannot create state directory %s: %s", st->dir, strerror(-r));
		goto fail;
	}
	/* In a shared /tmp, another user could have made the directory first. */
	if (shared_tmp && (lstat(st->dir, &sb) < 0 || !S_ISDIR(sb.st_mode) ||
			   sb.st_uid != getuid())) {
		cli_error("state directory %s is not a directory owned by you", st->dir);
		r = -EPERM;
		goto fail;
	}
	if (asprintf(&lock, "%s/.lock", st->dir) < 0) {
		cli_error("out of memory");
		r = -ENOMEM;
		goto fail;
	}
	st->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(lock);
	if (st->lock_fd < 0 || flock(st->lock_fd, exclusive ? LOCK_EX : LOCK_SH) < 0) {
		r = -errno;
		cli_error("cannot lock state directory %s: %s", st->dir, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	state_close(st);
	return r;
}

void state_close(struct state *st)
{
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	st->lock_fd = -1;
	free(st->dir);
	st->dir = NULL;
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

/* Parse a state file; the layout is the one state_save() writes. */
static int parse(const char *path, char *text, struct state_dev **out)
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
	}
	if (!magic || !d->name || !d->cwd || !d->table) {
		cli_error("state file %s is damaged", path);
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
	if (access(path, F_OK) < 0) {
		free(path);
		return -ENOENT;
	}
	r = cli_read_file(path, STATE_MAX_BYTES, &text, &len);
	if (r == 0) {
		r = parse(path, text, out);
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
		fprintf(f, "table\n%s", d->table);
	}
	if (f && fclose(f) == 0 && path && text)
		r = cli_write_atomic(st->dir, path, text, len);
	if (r)
		cli_error("cannot write state for %s in %s: %s", d->name, st->dir, strerror(-r));
	free(text);
	free(path);
	return r;
}

static char *status_path(struct state *st, const char *name)
{
	char *p;

	return asprintf(&p, "%s/status-%s", st->dir, name) < 0 ? NULL : p;
}

int state_save_status(struct state *st, const char *name, const char *status)
{
	char *path = status_path(st, name);
	int r = path ? cli_write_atomic(st->dir, path, status, strlen(status)) : -ENOMEM;

	free(path);
	return r;
}

char *state_load_status(struct state *st, const char *name)
{
	char *path = status_path(st, name), *text = NULL;
	size_t len;

	if (path && access(path, F_OK) == 0 && cli_read_file(path, 1 << 20, &text, &len) != 0)
		text = NULL;
	free(path);
	return text;
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
