// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Partition names and the resolver that opens them (<dmboot/part.h>):
 * "<image>:pN", "PARTUUID=" and "PARTLABEL=" become windows (slice block
 * devices) onto a whole device that a lower resolver opens.  The whole
 * device and its table are shared by its open partitions and closed with
 * the last, so a table naming several partitions of one disk reads that
 * disk's partition table once.  The whole device may itself be a partition
 * ("disk.img:p3:p1": a disk image kept in a partition), up to
 * DMBI_PART_NEST_MAX levels, which bounds the recursion.  A bootloader gets the names the host CLI
 * and the DDI handoff write.
 */
#include "partitions.h"

/* Digits are read while the number so far is at most this: names carry up to 10000009. */
#define NAME_MAX_NUMBER 1000000u

int dmb_part_name_parse(const char *name, struct dmb_part_name *out)
{
	const char *colon = NULL, *p;
	uint32_t n = 0;

	memset(out, 0, sizeof(*out));
	if (dmbi_str_prefix(name, "PARTUUID=") || dmbi_str_prefix(name, "PARTLABEL=")) {
		out->kind = name[4] == 'U' ? DMB_PART_NAME_UUID : DMB_PART_NAME_LABEL;
		out->value = dmbi_strchr(name, '=') + 1;
		return *out->value ? 0 : DMB_EINVAL;
	}
	for (p = name; *p; p++)
		if (*p == ':')
			colon = p;
	if (!colon || colon == name || colon[1] != 'p' || colon[2] < '0' || colon[2] > '9' ||
	    (colon[2] == '0' && colon[3] != '\0'))
		return DMB_EINVAL;
	for (p = colon + 2; *p; p++) {
		if (*p < '0' || *p > '9' || n > NAME_MAX_NUMBER)
			return DMB_EINVAL;
		n = n * 10 + (uint32_t)(*p - '0');
	}
	out->kind = DMB_PART_NAME_NUMBER;
	out->base_len = (size_t)(colon - name);
	out->number = n;
	return 0;
}

size_t dmb_part_name_format(char *buf, size_t cap, const char *base, unsigned number)
{
	return dmbi_snprintf(buf, cap, "%s:p%u", base, number);
}

/* How many partition names may stand inside one another. */
#define DMBI_PART_NEST_MAX 4

/* A whole device with open partitions: its device and table, shared by them. */
struct whole {
	char *name;
	bool nested;    /* a partition itself, opened through this resolver */
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

static void pr_close(const struct dmb_resolver *r, struct dmb_bdev *bd);

/* Close a whole device with the resolver that opened it. */
static void close_whole_bd(struct dmb_part_resolver *pr, struct whole *w)
{
	if (w->nested)
		pr_close(&pr->r, w->bd);
	else
		pr->lower->close(pr->lower, w->bd);
}

/* The number of partition suffixes (":pN") in name: how deep it nests. */
static unsigned nest_depth(const char *name)
{
	unsigned d = 0;

	for (const char *p = name; *p; p++)
		if (p[0] == ':' && p[1] == 'p' && p[2] >= '0' && p[2] <= '9')
			d++;
	return d;
}

static void put_whole(struct dmb_part_resolver *pr, struct whole *w)
{
	struct whole **pp = (struct whole **)&pr->priv_wholes;

	if (--w->refs > 0)
		return;
	for (; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	dmb_part_table_destroy(w->t);
	close_whole_bd(pr, w);
	dmb_port_free(w->name);
	dmb_port_free(w);
}

/*
 * The whole device name with its table, opened once per resolver.
 * *no_table tells a device without a partition table from other failures.
 */
static int get_whole(struct dmb_part_resolver *pr, struct dmb_ctx *ctx, const char *name,
		     size_t len, unsigned flags, struct whole **out, bool *no_table)
{
	struct dmb_part_name inner;
	struct whole *w;
	int r;

	*no_table = false;
	for (w = pr->priv_wholes; w; w = w->next)
		if (w->flags == flags && dmbi_strlen(w->name) == len &&
		    memcmp(w->name, name, len) == 0) {
			w->refs++;
			*out = w;
			return 0;
		}
	w = dmbi_calloc(1, sizeof(*w));
	if (!w || !(w->name = dmbi_strndup(name, len))) {
		dmb_port_free(w);
		return dmb_ctx_set_error(ctx, DMB_ENOMEM, "%.*s: out of memory", (int)len, name);
	}
	w->flags = flags;
	w->nested = dmb_part_name_parse(w->name, &inner) == 0 &&
		    inner.kind == DMB_PART_NAME_NUMBER &&
		    !(pr->is_device && pr->is_device(pr->cookie, w->name));
	if (w->nested && nest_depth(w->name) >= DMBI_PART_NEST_MAX) {
		r = dmb_ctx_set_error(ctx, DMB_EINVAL, "%s: partitions nest deeper than %d levels",
				      w->name, DMBI_PART_NEST_MAX);
		goto fail;
	}
	r = w->nested ? pr->r.open(&pr->r, ctx, w->name, flags, &w->bd)
		      : pr->lower->open(pr->lower, ctx, w->name, flags, &w->bd);
	if (r)
		goto fail;
	r = dmb_part_table_load(ctx, w->bd, 0, &w->t);
	if (r) {
		*no_table = r == DMB_ENOENT;
		dmb_ctx_wrap_error(ctx, r, NULL, "%s: ", w->name);
		close_whole_bd(pr, w);
		goto fail;
	}
	if (pr->loaded)
		pr->loaded(pr->cookie, w->name, w->t);
	w->refs = 1;
	w->next = pr->priv_wholes;
	pr->priv_wholes = w;
	*out = w;
	return 0;
fail:
	dmb_port_free(w->name);
	dmb_port_free(w);
	return r;
}

static bool named_before(const struct dmb_part_resolver *pr, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (dmbi_strcmp(pr->search[k], pr->search[i]) == 0)
			return true;
	return false;
}

/* PARTUUID= or PARTLABEL=: exactly one partition among the devices to search. */
static int search_part(struct dmb_part_resolver *pr, struct dmb_ctx *ctx, const char *name,
		       const struct dmb_part_name *pn, unsigned flags, struct whole **out,
		       const struct dmb_part **part)
{
	struct whole *found = NULL;
	size_t matches = 0;
	int r;

	*out = NULL;
	if (pr->nsearch == 0)
		return dmb_ctx_set_error(ctx, DMB_ENOENT,
					 "%s: no devices to search (dmsetup create --devices)", name);
	for (size_t i = 0; i < pr->nsearch; i++) {
		const struct dmb_part *p;
		struct whole *w;
		bool no_table;
		size_t n;

		if (named_before(pr, i))
			continue;
		r = get_whole(pr, ctx, pr->search[i], dmbi_strlen(pr->search[i]), flags, &w, &no_table);
		if (r && no_table)
			continue;
		if (r)
			goto fail;
		n = pn->kind == DMB_PART_NAME_UUID ? dmb_part_find_uuid(w->t, pn->value, &p)
						   : dmb_part_find_label(w->t, pn->value, &p);
		if (n && !found) {
			found = w;
			*part = p;
		} else {
			put_whole(pr, w);
		}
		matches += n;
	}
	if (matches == 0)
		return dmb_ctx_set_error(ctx, DMB_ENOENT, "%s: no such partition on the devices given",
					 name);
	if (matches > 1) {
		r = dmb_ctx_set_error(ctx, DMB_EINVAL, "%s: %zu partitions match (one is %s:p%u)", name,
				      matches, found->name, (*part)->number);
		goto fail;
	}
	*out = found;
	return 0;
fail:
	if (found)
		put_whole(pr, found);
	return r;
}

static int open_part(struct dmb_part_resolver *pr, struct dmb_ctx *ctx, const char *name,
		     const struct dmb_part_name *pn, unsigned flags, struct dmb_bdev **out)
{
	const struct dmb_part *p = NULL;
	struct part_handle *h;
	struct whole *w = NULL;
	bool no_table;
	int r;

	if (pn->kind == DMB_PART_NAME_NUMBER) {
		r = get_whole(pr, ctx, name, pn->base_len, flags, &w, &no_table);
		if (r)
			return r;
		p = dmb_part_find(w->t, pn->number);
		if (!p) {
			r = dmb_ctx_set_error(ctx, DMB_ENOENT, "%s: %s has no partition %u", name,
					      w->name, pn->number);
			goto fail;
		}
	} else {
		r = search_part(pr, ctx, name, pn, flags, &w, &p);
		if (r)
			return r;
	}
	h = dmbi_calloc(1, sizeof(*h));
	if (!h) {
		r = dmb_ctx_set_error(ctx, DMB_ENOMEM, "%s: out of memory", name);
		goto fail;
	}
	r = dmb_part_slice(ctx, w->bd, w->t, p, &h->sb);
	if (r) {
		dmb_ctx_wrap_error(ctx, r, NULL, "%s: ", name);
		dmb_port_free(h);
		goto fail;
	}
	h->w = w;
	h->next = pr->priv_parts;
	pr->priv_parts = h;
	*out = &h->sb.bdev;
	return 0;
fail:
	put_whole(pr, w);
	return r;
}

static int pr_open(const struct dmb_resolver *r, struct dmb_ctx *ctx, const char *name,
		   unsigned flags, struct dmb_bdev **out)
{
	struct dmb_part_resolver *pr = r->priv;
	struct dmb_part_name pn;

	/* A device of the lower resolver's of that name always wins. */
	if (dmb_part_name_parse(name, &pn) == 0 && !(pr->is_device && pr->is_device(pr->cookie, name)))
		return open_part(pr, ctx, name, &pn, flags, out);
	return pr->lower->open(pr->lower, ctx, name, flags, out);
}

static void pr_close(const struct dmb_resolver *r, struct dmb_bdev *bd)
{
	struct dmb_part_resolver *pr = r->priv;

	for (struct part_handle **pp = (struct part_handle **)&pr->priv_parts; *pp;
	     pp = &(*pp)->next) {
		if (&(*pp)->sb.bdev == bd) {
			struct part_handle *h = *pp;

			*pp = h->next;
			put_whole(pr, h->w);
			dmb_port_free(h);
			return;
		}
	}
	pr->lower->close(pr->lower, bd);
}

void dmb_part_resolver_init(struct dmb_part_resolver *pr, const struct dmb_resolver *lower)
{
	memset(pr, 0, sizeof(*pr));
	pr->r.open = pr_open;
	pr->r.close = pr_close;
	pr->r.priv = pr;
	pr->lower = lower;
}
