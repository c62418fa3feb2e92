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
 * name among the devices given to `dmsetup create --devices`.  Each image
 * is opened once, its table read once, and its partitions handed out as
 * windows onto it (dmb_slice_bdev); the image closes with its last
 * partition.
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
 * device and copies the inner context's message outwards on failure, so the
 * top-level command can name the block and device that failed.
 */
struct handle {
	struct dmb_bdev bdev;
	struct dmb_ctx *outer;
	struct cli_dev *cd;
	struct handle *next;
};

static int pass_error(struct handle *h, int r)
{
	if (r && h->outer) {
		h->outer->err = r;
		memcpy(h->outer->msg, h->cd->ctx.msg, sizeof(h->outer->msg));
	}
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
	h->outer = ctx;
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

/* An image whose partitions are open: its device and table, shared by them. */
struct whole {
	char *name;
	unsigned flags;
	struct dmb_bdev *bd;
	struct dmb_part_table *t;
	int refs;
	struct whole *next;
};

struct part_handle {
	struct dmb_slice_bdev sb;
	struct whole *w;
	struct part_handle *next;
};

enum part_kind { PART_NUMBER, PART_UUID, PART_LABEL };

struct part_spec {
	enum part_kind kind;
	size_t base_len;        /* PART_NUMBER: IMAGE is name[0..base_len) */
	unsigned number;
	const char *value;      /* PART_UUID, PART_LABEL: what follows '=' */
};

/* IMAGE:pN, PARTUUID=U or PARTLABEL=L (N decimal without leading zeros). */
static bool parse_part_spec(const char *name, struct part_spec *ps)
{
	const char *p = strrchr(name, ':');
	unsigned long n = 0;

	memset(ps, 0, sizeof(*ps));
	if (strncmp(name, "PARTUUID=", 9) == 0 || strncmp(name, "PARTLABEL=", 10) == 0) {
		ps->kind = name[4] == 'U' ? PART_UUID : PART_LABEL;
		ps->value = strchr(name, '=') + 1;
		return *ps->value != '\0';
	}
	if (!p || p == name || p[1] != 'p' || p[2] < '0' || p[2] > '9' ||
	    (p[2] == '0' && p[3] != '\0'))
		return false;
	for (p += 2; *p; p++) {
		if (*p < '0' || *p > '9' || n > 1000000)
			return false;
		n = n * 10 + (unsigned long)(*p - '0');
	}
	ps->kind = PART_NUMBER;
	ps->base_len = (size_t)(strrchr(name, ':') - name);
	ps->number = (unsigned)n;
	return true;
}

/* Whether name is a mapped device or an existing file: then it is not a partition. */
static bool names_device(const struct cli_resolver *cr, const char *name)
{
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

static void put_whole(struct cli_resolver *cr, struct whole *w)
{
	struct whole **pp = (struct whole **)&cr->wholes;

	if (--w->refs > 0)
		return;
	for (; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	dmb_part_table_destroy(w->t);
	close_plain(cr, w->bd);
	free(w->name);
	free(w);
}

/*
 * The image name with its partition table, opened once per resolver.
 * *no_table tells a device without a partition table from other failures.
 */
static int get_whole(struct cli_resolver *cr, struct dmb_ctx *ctx, const char *name,
		     unsigned flags, struct whole **out, bool *no_table)
{
	struct whole *w;
	int rc;

	*no_table = false;
	for (w = cr->wholes; w; w = w->next)
		if (w->flags == flags && strcmp(w->name, name) == 0) {
			w->refs++;
			*out = w;
			return 0;
		}
	w = calloc(1, sizeof(*w));
	if (!w || !(w->name = strdup(name))) {
		rc = cli_seterr(ctx, DMB_ENOMEM, "%s: out of memory", name);
		goto fail;
	}
	w->flags = flags;
	rc = open_plain(cr, ctx, name, flags, &w->bd);
	if (rc)
		goto fail;
	rc = dmb_part_table_load(ctx, w->bd, 0, &w->t);
	if (rc) {
		char why[DMB_MSG_MAX];

		*no_table = rc == DMB_ENOENT;
		memcpy(why, ctx->msg, sizeof(why));
		cli_seterr(ctx, rc, "%s: %s", name, why);
		goto fail;
	}
	/* Said once, when the device is made; the registry's later opens stay quiet. */
	if (!cr->from_registry && w->t->used_backup)
		cli_error("warning: %s: the primary GPT is damaged; using the backup GPT", name);
	else if (!cr->from_registry && w->t->backup_bad)
		cli_error("warning: %s: the backup GPT is damaged or missing", name);
	w->refs = 1;
	w->next = cr->wholes;
	cr->wholes = w;
	*out = w;
	return 0;
fail:
	if (w && w->bd)
		close_plain(cr, w->bd);
	if (w)
		free(w->name);
	free(w);
	return rc;
}

/* PARTUUID= or PARTLABEL=: exactly one partition among the devices to search. */
static int search_part(struct cli_resolver *cr, struct dmb_ctx *ctx, const char *name,
		       const struct part_spec *ps, unsigned flags, struct whole **out,
		       const struct dmb_part **part)
{
	struct whole *found = NULL;
	size_t matches = 0;
	int rc;

	*out = NULL;
	if (cr->nsearch == 0)
		return cli_seterr(ctx, DMB_ENOENT,
				  "%s: no devices to search (dmsetup create --devices)", name);
	for (size_t i = 0; i < cr->nsearch; i++) {
		const struct dmb_part *p;
		struct whole *w;
		bool no_table, again = false;
		size_t n;

		/* A device named twice is searched once. */
		for (size_t k = 0; k < i && !again; k++)
			again = strcmp(cr->search[k], cr->search[i]) == 0;
		if (again)
			continue;
		rc = get_whole(cr, ctx, cr->search[i], flags, &w, &no_table);
		if (rc && no_table)
			continue;
		if (rc)
			goto fail;
		n = ps->kind == PART_UUID ? dmb_part_find_uuid(w->t, ps->value, &p)
					  : dmb_part_find_label(w->t, ps->value, &p);
		if (n && !found) {
			found = w;
			*part = p;
		} else {
			put_whole(cr, w);
		}
		matches += n;
	}
	if (matches == 0)
		return cli_seterr(ctx, DMB_ENOENT, "%s: no such partition on the devices given",
				  name);
	if (matches > 1) {
		rc = cli_seterr(ctx, DMB_EINVAL, "%s: %zu partitions match (one is %s:p%u)", name,
				matches, found->name, (*part)->number);
		goto fail;
	}
	*out = found;
	return 0;
fail:
	if (found)
		put_whole(cr, found);
	return rc;
}

static int open_part(struct cli_resolver *cr, struct dmb_ctx *ctx, const char *name,
		     const struct part_spec *ps, unsigned flags, struct dmb_bdev **out)
{
	const struct dmb_part *p = NULL;
	struct part_handle *h = NULL;
	struct whole *w = NULL;
	bool no_table;
	int rc;

	if (ps->kind == PART_NUMBER) {
		char *base = strndup(name, ps->base_len);

		if (!base)
			return DMB_ENOMEM;
		rc = get_whole(cr, ctx, base, flags, &w, &no_table);
		free(base);
		if (rc)
			return rc;
		p = dmb_part_find(w->t, ps->number);
		if (!p) {
			rc = cli_seterr(ctx, DMB_ENOENT, "%s: %s has no partition %u", name, w->name,
					ps->number);
			goto fail;
		}
	} else {
		rc = search_part(cr, ctx, name, ps, flags, &w, &p);
		if (rc)
			return rc;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		rc = DMB_ENOMEM;
		goto fail;
	}
	rc = dmb_part_slice(ctx, w->bd, w->t, p, &h->sb);
	if (rc) {
		char why[DMB_MSG_MAX];

		memcpy(why, ctx->msg, sizeof(why));
		cli_seterr(ctx, rc, "%s: %s", name, why);
		goto fail;
	}
	h->w = w;
	h->next = cr->parts;
	cr->parts = h;
	*out = &h->sb.bdev;
	return 0;
fail:
	free(h);
	put_whole(cr, w);
	return rc;
}

static int r_open(const struct dmb_resolver *r, struct dmb_ctx *ctx, const char *name,
		  unsigned flags, struct dmb_bdev **out)
{
	struct cli_resolver *cr = r->priv;
	struct part_spec ps;

	/* A mapped device or an existing file of that name always wins. */
	if (parse_part_spec(name, &ps) && !names_device(cr, name))
		return open_part(cr, ctx, name, &ps, flags, out);
	return open_plain(cr, ctx, name, flags, out);
}

static void r_close(const struct dmb_resolver *r, struct dmb_bdev *bd)
{
	struct cli_resolver *cr = r->priv;

	for (struct part_handle **pp = (struct part_handle **)&cr->parts; *pp;
	     pp = &(*pp)->next) {
		if (&(*pp)->sb.bdev == bd) {
			struct part_handle *h = *pp;

			*pp = h->next;
			put_whole(cr, h->w);
			free(h);
			return;
		}
	}
	close_plain(cr, bd);
}

int cli_resolver_init(struct cli_resolver *cr, struct state *st, const char *cwd, int depth)
{
	memset(cr, 0, sizeof(*cr));
	cr->r.open = r_open;
	cr->r.close = r_close;
	cr->r.priv = cr;
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
