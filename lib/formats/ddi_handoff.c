// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The handoff: the dm tables of root and usr for a dissected image, and the
 * dm-mod.create= line that has Linux build the same devices, from the same
 * code, within the limits of the kernel's dm-init.
 */
#include "ddi_internal.h"

/* ---- tables and the kernel command line ------------------------------- */

/* Room for a partition name (an image path and ":pN", or PARTUUID=). */
#define DDI_NAME_MAX 4096u

static void part_name(const struct dmb_ddi *ddi, const struct dmb_ddi_partition *p,
		      enum dmb_ddi_names names, const char *image, char *out, size_t cap)
{
	char uuid[DMB_PART_UUID_MAX];

	if (names == DMB_DDI_NAMES_PARTUUID) {
		dmb_part_uuid(ddi->table, p->part, uuid);
		dmbi_snprintf(out, cap, "PARTUUID=%s", uuid);
	} else {
		dmb_part_name_format(out, cap, image, p->part->number);
	}
}

/*
 * Fill t for the data partition, its lower devices already named: dname and
 * hname (the hash partition's), and doff, the data's offset in sectors on
 * dname as text ("0" when dname is the partition itself).
 */
static int make_table(struct dmb_ctx *ctx, const struct dmb_ddi *ddi, struct dmb_bdev *disk,
		      const struct dmb_ddi_verity *v, const struct dmb_ddi_partition *data,
		      const char *dname, const char *hname, const char *doff, struct dmb_table *t,
		      bool *read_only)
{
	char root_hex[2 * DMB_MAX_DIGEST_SIZE + 1];
	uint64_t data_sectors;
	int r;

	data_sectors = data->part->lba_count * (ddi->table->sector_size / 512);
	if (v->hash && v->root_hash_size) {
		struct dmb_verity_params p;
		struct dmb_verity_geometry g;
		struct dmb_slice_bdev hs;
		uint64_t need;

		r = dmbi_ddi_open_slice(ctx, disk, ddi, v->hash, &hs);
		if (!r)
			r = dmb_verity_sb_load(ctx, &hs.bdev, 0, &p);
		if (r == DMB_ENOENT)
			return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s partition %u: no verity superblock",
						 dmbi_ddi_pname(v->hash), v->hash->part->number);
		if (!r)
			r = dmb_verity_geometry(ctx, &p, &g);
		if (r)
			return r;
		if (g.digest_size != v->root_hash_size)
			return dmb_ctx_set_error(ctx, DMB_ECORRUPT,
					  "%s partition %u: %s digests are %zu bytes, the root hash %zu",
					  dmbi_ddi_pname(v->hash), v->hash->part->number, p.hash_name,
					  g.digest_size, v->root_hash_size);
		if (!dmbi_mul_u64(p.data_blocks, p.data_block_size / 512, &need) || need > data_sectors)
			return dmb_ctx_set_error(ctx, DMB_ECORRUPT,
					  "%s partition %u: %llu data blocks do not fit the %s partition",
					  dmbi_ddi_pname(v->hash), v->hash->part->number,
					  (unsigned long long)p.data_blocks, dmbi_ddi_pname(data));
		if (!dmbi_mul_u64(g.hash_end, p.hash_block_size, &need) ||
		    need > dmb_bdev_bytes(&hs.bdev))
			return dmb_ctx_set_error(ctx, DMB_ECORRUPT,
					  "%s partition %u: the hash tree runs past the partition",
					  dmbi_ddi_pname(v->hash), v->hash->part->number);
		dmb_hex_encode(v->root_hash, v->root_hash_size, root_hex);
		*read_only = true;
		return dmb_verity_table_add(ctx, t, &p, dname, hname, root_hex);
	} else {
		const char *argv[2] = { dname, doff };

		/*
		 * Read-only when flagged, and for a file system that cannot be
		 * written (squashfs, erofs), as systemd-dissect shows and mounts it.
		 */
		*read_only = data->read_only || dmbi_strcmp(data->fstype, "squashfs") == 0 ||
			     dmbi_strcmp(data->fstype, "erofs") == 0;
		return dmb_table_add_argv(ctx, t, 0, data_sectors, "linear", 2, argv);
	}
}

/* Checks shared by the table and the command line. */
static int check_which(struct dmb_ctx *ctx, const struct dmb_ddi *ddi,
		       enum dmb_ddi_designator which)
{
	if (which != DMB_DDI_ROOT && which != DMB_DDI_USR)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "only root and usr are mapped");
	if (!ddi->chosen[which])
		return dmb_ctx_set_error(ctx, DMB_ENOENT, "no %s partition", dmb_ddi_designator_name(which));
	/* A root hash from a signature that did not verify maps nothing. */
	if (ddi->verity[which == DMB_DDI_USR].state == DMB_DDI_VERITY_UNVERIFIED)
		return dmb_ctx_set_error(ctx, DMB_EVERIFY, "%s: the root hash signature did not verify",
					 dmb_ddi_designator_name(which));
	return 0;
}

/* A table for which, its partitions named dname, hname at doff. */
static int table_named(struct dmb_ctx *ctx, const struct dmb_ddi *ddi, struct dmb_bdev *disk,
		       enum dmb_ddi_designator which, const char *dname, const char *hname,
		       const char *doff, struct dmb_table **out, bool *read_only)
{
	int r = dmb_table_create(ctx, out);

	if (!r)
		r = make_table(ctx, ddi, disk, &ddi->verity[which == DMB_DDI_USR], ddi->chosen[which],
			       dname, hname, doff, *out, read_only);
	if (r) {
		dmb_table_destroy(*out);
		*out = NULL;
	}
	return r;
}

int dmb_ddi_table(struct dmb_ctx *ctx, const struct dmb_ddi *ddi, struct dmb_bdev *disk,
		  enum dmb_ddi_designator which, enum dmb_ddi_names names, const char *image,
		  struct dmb_table **out, bool *read_only)
{
	const struct dmb_ddi_verity *v;
	char *dname, *hname;
	int r;

	*out = NULL;
	r = check_which(ctx, ddi, which);
	if (r)
		return r;
	if (names == DMB_DDI_NAMES_IMAGE && (!image || dmbi_strlen(image) > DDI_NAME_MAX - 16))
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "no usable image name");
	/* Names are on the heap: a bootloader's stack is small. */
	dname = dmb_port_malloc(2 * DDI_NAME_MAX);
	if (!dname)
		return dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory for a table");
	hname = dname + DDI_NAME_MAX;
	v = &ddi->verity[which == DMB_DDI_USR];
	part_name(ddi, ddi->chosen[which], names, image, dname, DDI_NAME_MAX);
	hname[0] = '\0';
	if (v->hash)
		part_name(ddi, v->hash, names, image, hname, DDI_NAME_MAX);
	r = table_named(ctx, ddi, disk, which, dname, hname, "0", out, read_only);
	dmb_port_free(dname);
	return r;
}

/*
 * The devices of a handoff, in the order dm-init creates them and so the
 * minor each gets (/dev/dm-<index>): a lower device when the image lies
 * inside one, then for root and usr a data and a hash device over it and
 * the verity device on top.
 */
#define HANDOFF_DEVS 7

struct handoff {
	struct dmb_concise_dev devs[HANDOFF_DEVS];
	bool own[HANDOFF_DEVS];        /* tables made here, freed here */
	char names[HANDOFF_DEVS][12];
	char no_uuid[1];
	size_t n;
	int top[2];                    /* root's and usr's device, -1 for none */
};

static struct dmb_concise_dev *new_dev(struct handoff *h, const char *what, const char *suffix)
{
	struct dmb_concise_dev *d = &h->devs[h->n];

	dmbi_snprintf(h->names[h->n], sizeof(h->names[0]), "%s%s", what, suffix);
	d->name = h->names[h->n];
	d->uuid = h->no_uuid;
	d->minor = -1;
	d->read_only = true;
	h->own[h->n] = true;
	return d;
}

/* A linear device over part of the lower device /dev/dm-0; its index. */
static int add_part_dev(struct dmb_ctx *ctx, struct handoff *h, const struct dmb_ddi *ddi,
			const struct dmb_ddi_partition *p, const char *what, const char *suffix)
{
	uint64_t per = ddi->table->sector_size / 512;
	struct dmb_concise_dev *d = new_dev(h, what, suffix);
	char start[24];
	const char *argv[2] = { "/dev/dm-0", start };
	int r;

	dmbi_snprintf(start, sizeof(start), "%llu", (unsigned long long)(p->part->start_lba * per));
	r = dmb_table_create(ctx, &d->table);
	if (!r)
		r = dmb_table_add_argv(ctx, d->table, 0, p->part->lba_count * per, "linear", 2, argv);
	h->n++;
	return r ? r : (int)h->n - 1;
}

/* The device that maps which (root or usr), and those it stacks on. */
static int add_top(struct dmb_ctx *ctx, struct handoff *h, const struct dmb_ddi *ddi,
		   struct dmb_bdev *disk, enum dmb_ddi_designator which, bool lower)
{
	const struct dmb_ddi_verity *v = &ddi->verity[which == DMB_DDI_USR];
	const struct dmb_ddi_partition *data = ddi->chosen[which];
	const char *what = dmb_ddi_designator_name(which);
	char dname[DMB_PART_UUID_MAX + 16], hname[DMB_PART_UUID_MAX + 16], doff[24] = "0";
	bool verity = v->hash && v->root_hash_size;
	struct dmb_concise_dev *d;
	int r, i;

	hname[0] = '\0';
	if (!lower) {
		part_name(ddi, data, DMB_DDI_NAMES_PARTUUID, NULL, dname, sizeof(dname));
		if (verity)
			part_name(ddi, v->hash, DMB_DDI_NAMES_PARTUUID, NULL, hname, sizeof(hname));
	} else if (!verity) {
		/* Linear needs no device of its own: it takes an offset. */
		dmbi_snprintf(dname, sizeof(dname), "/dev/dm-0");
		dmbi_snprintf(doff, sizeof(doff), "%llu",
			      (unsigned long long)(data->part->start_lba * (ddi->table->sector_size / 512)));
	} else {
		/* Verity reads its data device from sector 0: both need one. */
		for (i = 0; i < 2; i++) {
			r = add_part_dev(ctx, h, ddi, i ? v->hash : data, what, i ? "-hash" : "-data");
			if (r < 0)
				return r;
			dmbi_snprintf(i ? hname : dname, sizeof(dname), "/dev/dm-%d", r);
		}
	}
	d = new_dev(h, what, "");
	h->top[which == DMB_DDI_USR] = (int)h->n;
	h->n++;
	return table_named(ctx, ddi, disk, which, dname, hname, doff, &d->table, &d->read_only);
}

/* Append "PARTUUID=<uuid>" of p to the waitfor list. */
static void put_waitfor(struct dmbi_strbuf *sb, const struct dmb_ddi *ddi,
			const struct dmb_ddi_partition *p, bool *first)
{
	char uuid[DMB_PART_UUID_MAX];

	if (!p)
		return;
	dmb_part_uuid(ddi->table, p->part, uuid);
	dmbi_strbuf_printf(sb, "%sPARTUUID=%s", *first ? "" : ",", uuid);
	*first = false;
}

/* The dm-mod.create= value of h's devices, on the heap; checked as dm-init parses it. */
static int format_spec(struct dmb_ctx *ctx, const struct handoff *h, char **spec)
{
	int r = dmb_concise_format(ctx, h->devs, h->n, DMB_CONCISE_KERNEL, NULL, 0);
	size_t len;

	*spec = NULL;
	if (r < 0)
		return r;
	len = (size_t)r;
	*spec = dmb_port_malloc(len + 1);
	if (!*spec)
		return dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory for the command line");
	/* It allocates again, so it can fail again. */
	r = dmb_concise_format(ctx, h->devs, h->n, DMB_CONCISE_KERNEL, *spec, len + 1);
	return r < 0 ? r : 0;
}

static void put_line(struct dmbi_strbuf *sb, const struct handoff *h, const struct dmb_ddi *ddi,
		     const struct dmb_ddi_lower *lower, const char *spec)
{
	bool first = true;

	dmbi_strbuf_printf(sb, "dm-mod.create=\"%s\"", spec);
	if (h->top[0] >= 0)
		dmbi_strbuf_printf(sb, " root=/dev/dm-%d", h->top[0]);
	if (h->top[1] >= 0)
		dmbi_strbuf_printf(sb, " mount.usr=/dev/dm-%d", h->top[1]);
	dmbi_strbuf_puts(sb, " dm-mod.waitfor=");
	if (lower) {
		dmbi_strbuf_puts(sb, lower->waitfor);
		return;
	}
	for (int i = 0; i < 2; i++) {
		const struct dmb_ddi_verity *v = &ddi->verity[i];

		if (h->top[i] < 0)
			continue;
		put_waitfor(sb, ddi, ddi->chosen[i ? DMB_DDI_USR : DMB_DDI_ROOT], &first);
		if (v->root_hash_size)
			put_waitfor(sb, ddi, v->hash, &first);
	}
}

/* A waitfor list the command line can carry: no blank, no quote, nothing unprintable. */
static bool plain_word(const char *s)
{
	for (; *s; s++)
		if (*s <= ' ' || *s > '~' || *s == '"')
			return false;
	return true;
}

int dmb_ddi_cmdline_lower(struct dmb_ctx *ctx, const struct dmb_ddi *ddi, struct dmb_bdev *disk,
			  const struct dmb_ddi_lower *lower, char *buf, size_t cap)
{
	static const enum dmb_ddi_designator which[2] = { DMB_DDI_ROOT, DMB_DDI_USR };
	struct handoff h = { .top = { -1, -1 } };
	struct dmbi_strbuf sb;
	char *spec = NULL;
	int r = 0;

	if (!ddi->chosen[DMB_DDI_ROOT] && !ddi->chosen[DMB_DDI_USR])
		return dmb_ctx_set_error(ctx, DMB_ENOENT, "no root or usr partition");
	if (lower && (!lower->name || !lower->table || !lower->waitfor || !lower->waitfor[0]))
		return dmb_ctx_set_error(ctx, DMB_EINVAL,
					 "the lower device needs a name, a table and devices to wait for");
	if (lower && !plain_word(lower->waitfor))
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "devices to wait for: blank, quote or "
					 "unprintable character in \"%s\"", lower->waitfor);
	if (lower) {
		h.devs[0].name = (char *)lower->name;
		h.devs[0].uuid = lower->uuid ? (char *)lower->uuid : h.no_uuid;
		h.devs[0].minor = -1;
		h.devs[0].read_only = true;
		h.devs[0].table = lower->table;
		h.n = 1;
	}
	for (int i = 0; i < 2 && !r; i++)
		if (ddi->chosen[which[i]]) {
			r = check_which(ctx, ddi, which[i]);
			if (!r)
				r = add_top(ctx, &h, ddi, disk, which[i], lower != NULL);
		}
	if (!r)
		r = format_spec(ctx, &h, &spec);
	if (!r) {
		dmbi_strbuf_init(&sb, buf, cap);
		put_line(&sb, &h, ddi, lower, spec);
		r = sb.len > (size_t)INT32_MAX ?
			    dmb_ctx_set_error(ctx, DMB_ERANGE, "command line too long") : (int)sb.len;
	}
	for (size_t i = 0; i < h.n; i++)
		if (h.own[i])
			dmb_table_destroy(h.devs[i].table);
	dmb_port_free(spec);
	return r;
}

int dmb_ddi_cmdline(struct dmb_ctx *ctx, const struct dmb_ddi *ddi, struct dmb_bdev *disk,
		    char *buf, size_t cap)
{
	return dmb_ddi_cmdline_lower(ctx, ddi, disk, NULL, buf, cap);
}
