// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The mapped-device lifecycle of the host CLI (cli/device.h, formats.md
 * §1.9).  A device is instantiated once when it is created, so a table the
 * library refuses is never recorded, and again from the registry by every
 * later command; what the kernel would remember between commands (a status
 * the device reached) is recorded when the command closes it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "device.h"

bool cli_valid_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > DMB_NAME_MAX || strchr(name, '/') || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return false;
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

static bool valid_uuid(const char *uuid)
{
	if (strlen(uuid) > DMB_UUID_MAX)
		return false;
	for (const char *p = uuid; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

char *cli_dev_text(struct dmb_dev *dev, enum dmb_fmt what, unsigned flags)
{
	int n = dmb_dev_format(dev, what, flags, NULL, 0);
	char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;

	if (buf && dmb_dev_format(dev, what, flags, buf, (size_t)n + 1) != n) {
		free(buf);
		buf = NULL;
	}
	return buf;
}

struct cli_create_args {
	const char *name;
	const char *uuid;
	int64_t minor;
	bool read_only;
	const struct dmb_table *table;
	const struct dmb_ctx *base;
	char *const *devices;
	size_t ndevices;
	const struct cli_trust *trust;
};

static int create(struct state *st, const struct cli_create_args *a);

int cli_create(struct state *st, const char *name, const char *uuid, int64_t minor,
	       bool read_only, const struct dmb_table *table, const struct dmb_ctx *base)
{
	return cli_create_search(st, name, uuid, minor, read_only, table, base, NULL, 0);
}

int cli_create_trusted(struct state *st, const char *name, const char *uuid, int64_t minor,
		       bool read_only, const struct dmb_table *table, const struct dmb_ctx *base,
		       const struct cli_trust *trust)
{
	struct cli_create_args a = { name, uuid, minor, read_only, table, base, NULL, 0, trust };

	return create(st, &a);
}

int cli_create_trusted_search(struct state *st, const char *name, const char *uuid,
			      int64_t minor, bool read_only, const struct dmb_table *table,
			      const struct dmb_ctx *base, const struct cli_trust *trust,
			      char *const *devices, size_t ndevices)
{
	struct cli_create_args a = { name, uuid, minor, read_only, table, base, devices,
				     ndevices, trust };

	return create(st, &a);
}

int cli_create_search(struct state *st, const char *name, const char *uuid, int64_t minor,
		      bool read_only, const struct dmb_table *table, const struct dmb_ctx *base,
		      char *const *devices, size_t ndevices)
{
	struct cli_create_args a = { name, uuid, minor, read_only, table, base, devices,
				     ndevices, NULL };

	return create(st, &a);
}

/* Refuse a name or uuid that is malformed or taken. */
static int check_new(struct state *st, const char *name, const char *uuid)
{
	struct state_dev *other = NULL;
	char **names;
	size_t count;
	int r;

	if (!cli_valid_name(name)) {
		cli_error("create: invalid device name \"%s\"", name);
		return -EINVAL;
	}
	if (!valid_uuid(uuid)) {
		cli_error("create %s: invalid uuid", name);
		return -EINVAL;
	}
	r = state_load(st, name, &other);
	if (r != -ENOENT) {
		state_dev_free(other);
		cli_error("create %s: device %s already exists", name, name);
		return -EEXIST;
	}
	if (!*uuid)
		return 0;
	r = state_list(st, &names, &count);
	for (size_t i = 0; r == 0 && i < count; i++) {
		if (state_load(st, names[i], &other) != 0)
			continue;
		if (strcmp(other->uuid, uuid) == 0) {
			cli_error("create %s: uuid %s is already used by %s", name, uuid, other->name);
			r = -EEXIST;
		}
		state_dev_free(other);
	}
	state_free_list(names, count);
	return r;
}

/* The minor asked for (refused when taken), or the lowest free one for minor < 0. */
static int pick_minor(struct state *st, const char *name, int64_t minor, unsigned *out)
{
	struct state_dev *other;

	if (minor < 0)
		return state_free_minor(st, out);
	if (state_find_minor(st, (unsigned)minor, &other) == 0) {
		cli_error("create %s: minor %lld is already used by %s", name, (long long)minor,
			  other->name);
		state_dev_free(other);
		return -EBUSY;
	}
	*out = (unsigned)minor;
	return 0;
}

/* The record, with the status the device starts with, as the kernel keeps it from its load. */
static int record(struct state *st, struct state_dev *sd, struct dmb_dev *dev)
{
	int r;

	sd->status = cli_dev_text(dev, DMB_FMT_STATUS, 0);
	if (!sd->status) {
		cli_error("create %s: out of memory", sd->name);
		return -ENOMEM;
	}
	/* A status file an earlier device of this name left is not this one's. */
	state_remove_status(st, sd->name);
	r = state_save(st, sd);
	free(sd->status);
	sd->status = NULL;
	return r;
}

static int create(struct state *st, const struct cli_create_args *a)
{
	struct dmb_ctx ctx = { 0 };
	struct cli_crypto cc;
	struct cli_resolver res;
	struct state_dev sd = { 0 };
	struct dmb_dev *dev = NULL;
	char cwd[4096], *text = NULL, **stashed = NULL;
	size_t nstashed = 0;
	const char *name = a->name;
	int r = check_new(st, name, a->uuid);

	if (r)
		return r;
	if (!getcwd(cwd, sizeof(cwd)) || strchr(cwd, '\n')) {
		cli_error("create %s: cannot use the current directory", name);
		return -EINVAL;
	}
	if (state_new_id(sd.id)) {
		cli_error("create %s: no random numbers for the record id", name);
		return -EIO;
	}
	r = cli_resolver_init(&res, st, cwd, 0);
	if (r)
		return r;
	res.search = a->devices;
	res.nsearch = a->ndevices;
	cli_crypto_init(&cc, st, &ctx);
	if (a->trust) {
		cc.keys = a->trust->keys;
		cc.nkeys = a->trust->nkeys;
		r = cli_crypto_trust(&cc, &ctx, a->trust->certs, a->trust->ncerts);
		if (r) {
			cli_error("create %s: %s", name, ctx.msg);
			goto out;
		}
	}
	if (a->base)
		ctx.flags = a->base->flags;
	/* Every failure's message is printed below: the library need not log it too. */
	ctx.flags |= DMB_CTX_QUIET_IO;
	ctx.resolver = &res.r;
	r = dmb_dev_create(&ctx, a->table, a->read_only ? DMB_DEV_READONLY : 0, &dev);
	if (r) {
		cli_error("create %s: %s", name, ctx.msg);
		goto out;
	}
	text = cli_dev_text(dev, DMB_FMT_TABLE, DMB_FMT_SHOWKEYS);
	if (!text) {
		cli_error("create %s: out of memory", name);
		r = -ENOMEM;
		goto out;
	}
	/* No hex key goes into the record: the keyring holds it. */
	if (cli_keys_stash(&text, &stashed, &nstashed)) {
		r = -EIO;
		goto out;
	}
	r = pick_minor(st, name, a->minor, &sd.minor);
	if (r)
		goto out;
	sd.name = (char *)name;
	sd.uuid = (char *)a->uuid;
	sd.read_only = a->read_only;
	sd.cwd = cwd;
	sd.table = text;
	sd.deps = res.mapped;
	sd.ndeps = res.nmapped;
	sd.devices = (char **)a->devices;
	sd.ndevices = a->ndevices;
	sd.keys = cc.used;
	sd.nkeys = cc.nused;
	if (a->trust) {
		sd.certs = (struct state_blob *)a->trust->certs;
		sd.ncerts = a->trust->ncerts;
	}
	r = record(st, &sd, dev);
	cli_keys_drop(stashed, nstashed, r != 0);
	stashed = NULL;
	nstashed = 0;
out:
	cli_keys_drop(stashed, nstashed, true);
	dmb_dev_destroy(dev);
	cli_resolver_fini(&res);
	cli_crypto_fini(&cc);
	if (text)
		explicit_bzero(text, strlen(text));
	free(text);
	return r;
}

/* What a device leaves besides its own file: its status, the keys it named. */
static void remove_extras(struct state *st, const char *name, const struct state_dev *d)
{
	state_remove_status(st, name);
	if (d && d->table)
		cli_keys_release(st, d->table);
}

int cli_remove(struct state *st, const char *cmd, const char *name)
{
	struct state_dev *d;
	char **users;
	size_t n;
	int r = state_load(st, name, &d);

	/* A damaged record (its error is printed) can still be removed. */
	if (r == -ENOENT) {
		cli_error("%s %s: no such device", cmd, name);
		return r;
	}
	if (r && r != -EINVAL)
		return r;
	r = state_users(st, name, &users, &n);
	if (r == 0 && n) {
		cli_error("%s %s: device is in use by %s", cmd, name, users[0]);
		r = -EBUSY;
	}
	state_free_list(users, n);
	if (r == 0)
		r = state_remove(st, name);
	if (r == 0)
		remove_extras(st, name, d);
	state_dev_free(d);
	return r;
}

int cli_remove_all(struct state *st)
{
	for (;;) {
		char **names;
		size_t n, removed = 0;
		int r = state_list(st, &names, &n);

		if (r)
			return r;
		for (size_t i = 0; i < n; i++) {
			char **users;
			size_t nusers;

			struct state_dev *d = NULL;

			if (state_load(st, names[i], &d) != 0) {
				state_dev_free(d);
				d = NULL;
			}
			if (state_users(st, names[i], &users, &nusers) == 0 && nusers == 0 &&
			    state_remove(st, names[i]) == 0) {
				remove_extras(st, names[i], d);
				removed++;
			}
			state_dev_free(d);
			state_free_list(users, nusers);
		}
		state_free_list(names, n);
		if (n == 0)
			return 0;
		if (removed == 0) {
			cli_error("remove_all: unable to remove %zu device(s)", n);
			return -EBUSY;
		}
	}
}

int cli_dev_open(struct state *st, struct dmb_ctx *parent, const char *name, unsigned flags,
		 int depth, struct cli_dev **out)
{
	struct cli_dev *cd = calloc(1, sizeof(*cd));
	int r;

	*out = NULL;
	if (!cd)
		return DMB_ENOMEM;
	r = state_load(st, name, &cd->sd);
	if (r) {
		if (r == -ENOENT)
			r = cli_seterr(parent, DMB_ENOENT, "%s: no such device", name);
		else
			r = cli_seterr(parent, DMB_EINVAL, "%s: its record in the state directory "
				       "is damaged ('dmsetup remove %s' removes it)", name, name);
		free(cd);
		return r;
	}
	if (cli_resolver_init(&cd->res, st, cd->sd->cwd, depth)) {
		r = DMB_ENOMEM;
		goto fail;
	}
	cd->res.from_registry = true;
	cd->res.deps = cd->sd->deps;
	cd->res.ndeps = cd->sd->ndeps;
	cd->res.search = cd->sd->devices;
	cd->res.nsearch = cd->sd->ndevices;
	cd->ctx.resolver = &cd->res.r;
	cd->ctx.log_level = parent->log_level;
	/* The commands print every failed read's message: not logged as well. */
	cd->ctx.flags = parent->flags | DMB_CTX_QUIET_IO;
	cli_crypto_init(&cd->crypto, st, &cd->ctx);
	cd->crypto.keys = cd->sd->keys;
	cd->crypto.nkeys = cd->sd->nkeys;
	cd->crypto.keys_only = true;
	r = cli_crypto_trust(&cd->crypto, &cd->ctx, cd->sd->certs, cd->sd->ncerts);
	if (r) {
		cli_seterr(parent, r, "%s: %s", name, cd->ctx.msg);
		goto fail;
	}
	r = dmb_table_parse(&cd->ctx, cd->sd->table, strlen(cd->sd->table), &cd->table);
	if (r == 0)
		r = dmb_dev_create(&cd->ctx, cd->table,
				   flags | (cd->sd->read_only ? DMB_DEV_READONLY : 0), &cd->dev);
	if (r) {
		cli_seterr(parent, r, "%s: %s", name, cd->ctx.msg);
		goto fail;
	}
	cd->st = st;
	cd->fresh_status = cli_dev_text(cd->dev, DMB_FMT_STATUS, 0);
	*out = cd;
	return 0;
fail:
	cli_dev_close(cd);
	return r;
}

int cli_dev_open_for(struct state *st, const char *cmd, const char *name, unsigned flags,
		     struct cli_dev **out)
{
	struct dmb_ctx ctx = { 0 };
	int r = cli_dev_open(st, &ctx, name, flags, 0, out);

	if (r)
		cli_error("%s %s", cmd, ctx.msg);
	return r;
}

/*
 * Record a status this command changed.  A command that dropped the lock for
 * its I/O takes it again, and records only if the device is still the one
 * it opened.
 */
static void save_status(struct cli_dev *cd, const char *now)
{
	struct state_dev *still = NULL;

	if (cd->unlocked && state_lock(cd->st, false))
		return;
	if (!cd->unlocked || (state_load(cd->st, cd->sd->name, &still) == 0 &&
			      strcmp(still->id, cd->sd->id) == 0))
		state_save_status(cd->st, cd->sd, now);
	state_dev_free(still);
}

void cli_dev_unlock(struct cli_dev *cd)
{
	state_unlock(cd->st);
	cd->unlocked = true;
}

void cli_dev_close(struct cli_dev *cd)
{
	if (!cd)
		return;
	/* Remember a status this command changed (corruption seen, a dead stripe). */
	if (cd->dev && cd->fresh_status) {
		char *now = cli_dev_text(cd->dev, DMB_FMT_STATUS, 0);

		if (now && strcmp(now, cd->fresh_status) != 0)
			save_status(cd, now);
		free(now);
	}
	free(cd->fresh_status);
	dmb_dev_destroy(cd->dev);
	dmb_table_destroy(cd->table);
	cli_resolver_fini(&cd->res);
	cli_crypto_fini(&cd->crypto);
	state_dev_free(cd->sd);
	free(cd);
}
