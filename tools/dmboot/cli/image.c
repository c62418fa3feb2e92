// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Naming and opening an image under any device spelling (cli/image.h), for
 * every command that reads one: ddi, veritysetup dump|verify|open and
 * sfdisk.  Mapped devices and partitions open through the resolver tables
 * use (resolve.c) and the library's partition resolver; this file only
 * turns the spelling into the name a table would give, with udev's
 * /dev/disk links tried first for PARTUUID= and PARTLABEL=, as Linux user
 * space finds partitions by those names.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device.h"
#include "image.h"
#include "image_names.h"

bool cli_image_is_partname(const char *path)
{
	return strncmp(path, "PARTUUID=", 9) == 0 || strncmp(path, "PARTLABEL=", 10) == 0;
}

int cli_image_name(struct state *st, const char *path, char **out)
{
	struct state_dev *d = NULL;
	struct stat sb;
	unsigned maj, min;
	char end;

	*out = NULL;
	if (stat(path, &sb) == 0 || strncmp(path, "/dev/mapper/", 12) == 0) {
		*out = strdup(path);
	} else if (cli_image_is_partname(path)) {
		/* udev's link when there is one; else the name the resolver searches for. */
		if (cli_udev_link(path, out) == 0 && stat(*out, &sb) != 0) {
			free(*out);
			*out = NULL;
		}
	} else if (st && strchr(path, '/') && path[0] != '/') {
		/* VG/LV, when that device is mapped; else a path that is not there. */
		if (cli_lv_dm_name(path, out) == 0 && state_load(st, *out + 12, &d) != 0) {
			free(*out);
			*out = NULL;
		}
	} else if (st && sscanf(path, "%u:%u%c", &maj, &min, &end) == 2 &&
		   maj == DMB_CLI_MAJOR && state_find_minor(st, min, &d) == 0) {
		*out = asprintf(out, "/dev/mapper/%s", d->name) < 0 ? NULL : *out;
	} else if (st && !strchr(path, '/') && state_load(st, path, &d) == 0) {
		*out = asprintf(out, "/dev/mapper/%s", path) < 0 ? NULL : *out;
	}
	if (!*out)
		*out = strdup(path);
	state_dev_free(d);
	return *out ? 0 : -ENOMEM;
}

/*
 * The resolver's answer for a partition name, as the tools report a missing
 * device: none found and several found are both "no such device" to a
 * command that wanted exactly one (the message says which).
 */
static int partname_error(struct dmb_ctx *ctx, const char *path, int r)
{
	if (r == DMB_EINVAL && cli_image_is_partname(path))
		r = dmb_ctx_wrap_error(ctx, DMB_ENOENT, "", "%s", "");
	return r;
}

int cli_image_open(struct cli_image *im, struct dmb_ctx *ctx, const char *path,
		   char *const *devices, size_t ndevices, unsigned flags)
{
	struct stat sb;
	char cwd[PATH_MAX];
	int r;

	memset(im, 0, sizeof(*im));
	if (stat(path, &sb) == 0) {
		im->name = strdup(path);
		if (!im->name)
			return cli_seterr(ctx, DMB_ENOMEM, "out of memory");
		return dmb_posix_open(ctx, path, flags, &im->bd);
	}
	if (state_open(&im->st, false))
		return dmb_ctx_set_error(ctx, DMB_EIO, "%s", ""); /* state_open() said why */
	im->have_state = true;
	if (cli_image_name(&im->st, path, &im->name) || !getcwd(cwd, sizeof(cwd)) ||
	    cli_resolver_init(&im->res, &im->st, cwd, 0))
		return cli_seterr(ctx, DMB_ENOMEM, "out of memory");
	im->resolved = true;
	if (cli_image_is_partname(im->name) && ndevices == 0) {
		state_unlock(&im->st);
		return cli_seterr(ctx, DMB_ENOENT,
				  "%s: no such partition (no %s link, and no --devices to search)",
				  path, strncmp(path, "PARTUUID=", 9) == 0 ? CLI_BY_PARTUUID
									  : CLI_BY_PARTLABEL);
	}
	im->res.search = devices;
	im->res.nsearch = ndevices;
	r = im->res.r.open(&im->res.r, ctx, im->name, flags, &im->bd);
	state_unlock(&im->st);
	return partname_error(ctx, im->name, r);
}

void cli_image_close(struct cli_image *im)
{
	if (im->resolved && im->bd)
		im->res.r.close(&im->res.r, im->bd);
	else
		dmb_posix_close(im->bd);
	if (im->resolved)
		cli_resolver_fini(&im->res);
	if (im->have_state)
		state_close(&im->st);
	free(im->name);
	memset(im, 0, sizeof(*im));
}

int cli_image_devices(const char *cmd, const char *list, char ***out, size_t *n)
{
	int r;

	*out = NULL;
	*n = 0;
	r = cli_list_split(out, n, list);
	for (size_t i = 0; !r && i < *n; i++)
		for (const char *p = (*out)[i]; *p && !r; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				r = -EINVAL;
	if (r == -EINVAL)
		cli_error("%s: invalid device name in --devices", cmd);
	if (!r && *n == 0) {
		cli_error("%s: --devices names no device", cmd);
		r = -EINVAL;
	}
	if (!r && *n > CLI_IMAGE_MAX_DEVICES) {
		cli_error("%s: --devices names more than %d devices", cmd, CLI_IMAGE_MAX_DEVICES);
		r = -EINVAL;
	}
	if (r) {
		cli_list_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return r;
}

/* Partitions of that name on one whole device; *name is DEVICE:pN for the first. */
static size_t locate_on(const char *path, const char *dev, char **name)
{
	struct dmb_ctx ctx = { .log_level = DMB_LOG_ERR };
	struct dmb_part_table *t = NULL;
	const struct dmb_part *p = NULL;
	struct dmb_bdev *bd;
	size_t n = 0;

	if (dmb_posix_open(&ctx, dev, 0, &bd))
		return 0;
	if (dmb_part_table_load(&ctx, bd, 0, &t) == 0)
		n = strncmp(path, "PARTUUID=", 9) == 0 ? dmb_part_find_uuid(t, path + 9, &p) :
							  dmb_part_find_label(t, path + 10, &p);
	if (n && !*name && asprintf(name, "%s:p%u", dev, p->number) < 0)
		*name = NULL;
	dmb_part_table_destroy(t);
	dmb_posix_close(bd);
	return n;
}

int cli_image_locate(const char *path, char *const *devices, size_t ndevices, char **out)
{
	struct stat sb;
	char *link = NULL;
	size_t hits = 0;

	*out = NULL;
	if (!cli_image_is_partname(path) || ndevices == 0 || stat(path, &sb) == 0 ||
	    (cli_udev_link(path, &link) == 0 && stat(link, &sb) == 0)) {
		free(link);
		*out = strdup(path);
		return *out ? 0 : -ENOMEM;
	}
	free(link);
	for (size_t i = 0; i < ndevices; i++) {
		bool again = false;

		/* A device given twice is searched once, as the resolver does. */
		for (size_t k = 0; k < i && !again; k++)
			again = strcmp(devices[k], devices[i]) == 0;
		if (!again)
			hits += locate_on(path, devices[i], out);
	}
	if (hits == 1)
		return *out ? 0 : -ENOMEM;
	free(*out);
	*out = NULL;
	cli_error("%s: %s on the --devices", path,
		  hits ? "more than one partition has that name" : "no such partition");
	return -ENOENT;
}
