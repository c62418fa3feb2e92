// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The host resolver: a device name in a table is a mapped device when it is
 * /dev/mapper/NAME, 253:MINOR, or a bare NAME the registry knows; otherwise
 * it is a file or block device path, relative paths taken against the
 * directory the table was created in.  Mapped devices are instantiated from
 * the registry on demand, recursively, so stacks compose as with the kernel.
 *
 * A name that is neither (no such mapped device, no such file) may name a
 * partition: IMAGE:pN is partition N of IMAGE (as Linux numbers them), and
 * PARTUUID=U or PARTLABEL=L the one partition with that PARTUUID or GPT
 * name among the devices given to `dmsetup create --devices`.  The
 * library's partition resolver (dmb_part_resolver) does that over this
 * one, which opens the whole images.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../ports/posix/dmboot_posix.h"
#include "cli/device.h"

/*
 * An open mapped device handed to a table.  Its bdev forwards to the mapped
 * device and copies the inner context's message outwards (bdev.ctx, the
 * opener's) on failure, so the top-level command can name the block and
 * device that failed.
 */
struct handle {
	struct dmb_bdev bdev;
	struct cli_dev *cd;
	struct handle *next;
};

static int pass_error(struct handle *h, int r)
{
	if (r)
		dmb_ctx_set_error(h->bdev.ctx, r, "%s", dmb_ctx_message(&h->cd->ctx));
	return r;
}

static int h_read(struct dmb_bdev *bd, uint64_t block, size_t count, void *buf)
{
	struct handle *h = bd->priv;
	struct dmb_bdev *in = dmb_dev_bdev(h->cd->dev);

	return pass_error(h, in->ops->read(in, block, count, buf));
}

static int h_write(struct dmb_bdev *bd, uint64_t block, size_t count, const void *buf)
{
	struct handle *h = bd->priv;
	struct dmb_bdev *in = dmb_dev_bdev(h->cd->dev);

	return pass_error(h, in->ops->write(in, block, count, buf));
}

static int h_flush(struct dmb_bdev *bd)
{
	struct handle *h = bd->priv;

	return pass_error(h, dmb_bdev_flush(dmb_dev_bdev(h->cd->dev)));
}

static const struct dmb_bdev_ops handle_rw_ops = {
	.read = h_read, .write = h_write, .flush = h_flush
};
static const struct dmb_bdev_ops handle_ro_ops = { .read = h_read, .flush = h_flush };

/* The mapped-device name that name refers to, or NULL for a path. */
static int mapped_name(const struct cli_resolver *cr, const char *name, char **out)
{
	struct state *st = cr->st;

	unsigned maj, min;
	char end;

	*out = NULL;
	if (strncmp(name, "/dev/mapper/", 12) == 0) {
		*out = strdup(name + 12);
		return *out ? 0 : -ENOMEM;
	}
	if (sscanf(name, "%u:%u%c", &maj, &min, &end) == 2 && strchr(name, '+') == NULL &&
	    strchr(name, '-') == NULL && strchr(name, ' ') == NULL) {
		struct state_dev *d;

		if (maj != DMB_CLI_MAJOR || state_find_minor(st, min, &d) != 0)
			return -ENOENT;
		*out = strdup(d->name);
		state_dev_free(d);
		return *out ? 0 : -ENOMEM;
	}
	if (!strchr(name, '/') && cr->from_registry) {
		for (size_t i = 0; i < cr->ndeps; i++)
			if (strcmp(cr->deps[i], name) == 0) {
				*out = strdup(name);
				return *out ? 0 : -ENOMEM;
			}
		return 0;
	}
	if (!strchr(name, '/')) {
		struct state_dev *d;

		if (state_load(st, name, &d) == 0) {
			state_dev_free(d);
			*out = strdup(name);
			return *out ? 0 : -ENOMEM;
		}
	}
	return 0;
}

/* Record a directly used mapped device once (for the registry's deps). */
static int push_mapped(struct cli_resolver *cr, const char *name)
{
	char **l;

	for (size_t i = 0; i < cr->nmapped; i++)
		if (strcmp(cr->mapped[i], name) == 0)
			return 0;
	l = realloc(cr->mapped, (cr->nmapped + 1) * sizeof(*l));
	if (!l)
		return -ENOMEM;
	cr->mapped = l;
	l[cr->nmapped] = strdup(name);
	if (!l[cr->nmapped])
		return -ENOMEM;
	cr->nmapped++;
	return 0;
}

/* A file, block device or mapped device by name (no partitions). */
static int open_plain(struct cli_resolver *cr, struct dmb_ctx *ctx, const char *name,
		      unsigned flags, struct dmb_bdev **out)
{
	struct handle *h;
	char *mapped, *path;
	int rc = mapped_name(cr, name, &mapped);

	if (rc == -ENOENT) {
		return cli_seterr(ctx, DMB_ENOENT, "%s: no such mapped device", name);
	}
	if (rc)
		return DMB_ENOMEM;

	if (!mapped) {
		if (name[0] == '/' || !cr->cwd) {
			path = strdup(name);
		} else if (asprintf(&path, "%s/%s", cr->cwd, name) < 0) {
			path = NULL;
		}
		if (!path)
			return DMB_ENOMEM;
		rc = dmb_posix_open(ctx, path, flags, out);
		/* Name the device as the table does, not by the joined path. */
		if (rc && strncmp(ctx->msg, path, strlen(path)) == 0) {
			char why[DMB_MSG_MAX];

			memcpy(why, ctx->msg, sizeof(why));
			cli_seterr(ctx, rc, "%s%s", name, why + strlen(path));
		}
		free(path);
		return rc;
	}

	h = calloc(1, sizeof(*h));
	if (!h) {
		free(mapped);
		return DMB_ENOMEM;
	}
	if (cr->depth >= DMB_CLI_MAX_DEPTH) {
		rc = cli_seterr(ctx, DMB_ERANGE, "%s: devices stacked deeper than %d", name,
				DMB_CLI_MAX_DEPTH);
		goto fail;
	}
	rc = cli_dev_open(cr->st, ctx, mapped, flags & DMB_OPEN_WRITE ? 0 : DMB_DEV_READONLY,
			  cr->depth + 1, &h->cd);
	if (rc)
		goto fail;
	if ((flags & DMB_OPEN_WRITE) && h->cd->sd->read_only) {
		rc = cli_seterr(ctx, DMB_EACCES, "%s: device is read-only", name);
		goto fail;
	}
	if (push_mapped(cr, mapped)) {
		rc = DMB_ENOMEM;
		goto fail;
	}
	h->bdev.ctx = ctx;
	h->bdev.ops = flags & DMB_OPEN_WRITE ? &handle_rw_ops : &handle_ro_ops;
	h->bdev.priv = h;
	h->bdev.block_shift = dmb_dev_bdev(h->cd->dev)->block_shift;
	h->bdev.num_blocks = dmb_dev_bdev(h->cd->dev)->num_blocks;
	h->next = cr->handles;
	cr->handles = h;
	free(mapped);
	*out = &h->bdev;
	return 0;
fail:
	if (h->cd)
		cli_dev_close(h->cd);
	free(h);
	free(mapped);
	return rc;
}

static void close_plain(struct cli_resolver *cr, struct dmb_bdev *bd)
{
	struct handle **pp = (struct handle **)&cr->handles;

	if (bd->ops != &handle_rw_ops && bd->ops != &handle_ro_ops) {
		dmb_posix_close(bd);
		return;
	}
	for (; *pp; pp = &(*pp)->next) {
		if (&(*pp)->bdev == bd) {
			struct handle *h = *pp;

			*pp = h->next;
			cli_dev_close(h->cd);
			free(h);
			return;
		}
	}
}

/* --- partitions ------------------------------------------------------------ */

/*
 * Partition names are the library's (dmb_part_resolver): it opens whole
 * devices through open_plain(), and a mapped device or an existing file of
 * a name always wins over reading the name as a partition.
 */

/* Whether name is a mapped device or an existing file: then it is not a partition. */
static bool names_device(void *cookie, const char *name)
{
	const struct cli_resolver *cr = cookie;
	struct state_dev *d;
	struct stat sb;
	char *mapped = NULL, *path = NULL;
	bool found = false;

	if (mapped_name(cr, name, &mapped) == 0 && mapped) {
		found = state_load(cr->st, mapped, &d) == 0;
		if (found)
			state_dev_free(d);
	} else if (name[0] == '/' || !cr->cwd) {
		found = stat(name, &sb) == 0;
	} else if (asprintf(&path, "%s/%s", cr->cwd, name) >= 0) {
		found = stat(path, &sb) == 0;
	} else {
		path = NULL;
	}
	free(mapped);
	free(path);
	return found;
}

/* Said once, when the device is made; the registry's later opens stay quiet. */
static void table_loaded(void *cookie, const char *name, const struct dmb_part_table *t)
{
	const struct cli_resolver *cr = cookie;

	if (!cr->from_registry && t->used_backup)
		cli_error("warning: %s: the primary GPT is damaged; using the backup GPT", name);
	else if (!cr->from_registry && t->backup_bad)
		cli_error("warning: %s: the backup GPT is damaged or missing", name);
}

static int plain_open(const struct dmb_resolver *r, struct dmb_ctx *ctx, const char *name,
		      unsigned flags, struct dmb_bdev **out)
{
	return open_plain(r->priv, ctx, name, flags, out);
}

static void plain_close(const struct dmb_resolver *r, struct dmb_bdev *bd)
{
	close_plain(r->priv, bd);
}

static int r_open(const struct dmb_resolver *r, struct dmb_ctx *ctx, const char *name,
		  unsigned flags, struct dmb_bdev **out)
{
	struct cli_resolver *cr = r->priv;

	cr->parts.search = (const char *const *)cr->search;
	cr->parts.nsearch = cr->nsearch;
	return cr->parts.r.open(&cr->parts.r, ctx, name, flags, out);
}

static void r_close(const struct dmb_resolver *r, struct dmb_bdev *bd)
{
	struct cli_resolver *cr = r->priv;

	cr->parts.r.close(&cr->parts.r, bd);
}

int cli_resolver_init(struct cli_resolver *cr, struct state *st, const char *cwd, int depth)
{
	memset(cr, 0, sizeof(*cr));
	cr->r.open = r_open;
	cr->r.close = r_close;
	cr->r.priv = cr;
	cr->plain.open = plain_open;
	cr->plain.close = plain_close;
	cr->plain.priv = cr;
	dmb_part_resolver_init(&cr->parts, &cr->plain);
	cr->parts.is_device = names_device;
	cr->parts.loaded = table_loaded;
	cr->parts.cookie = cr;
	cr->st = st;
	cr->depth = depth;
	cr->cwd = cwd ? strdup(cwd) : NULL;
	return cwd && !cr->cwd ? -ENOMEM : 0;
}

void cli_resolver_fini(struct cli_resolver *cr)
{
	free(cr->cwd);
	state_free_list(cr->mapped, cr->nmapped);
	cr->mapped = NULL;
	cr->nmapped = 0;
}
