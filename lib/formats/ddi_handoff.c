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

static int make_table(struct dmb_ctx *ctx, const struct dmb_ddi *ddi, struct dmb_bdev *disk,
		      const struct dmb_ddi_verity *v, const struct dmb_ddi_partition *data,
		      enum dmb_ddi_names names, const char *image, char *dname, char *hname,
		      struct dmb_table *t, char *root_hex, bool *read_only)
{
	uint64_t data_sectors;
	int r;

	part_name(ddi, data, names, image, dname, DDI_NAME_MAX);
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
		part_name(ddi, v->hash, names, image, hname, DDI_NAME_MAX);
		dmb_hex_encode(v->root_hash, v->root_hash_size, root_hex);
		*read_only = true;
		return dmb_verity_table_add(ctx, t, &p, dname, hname, root_hex);
	} else {
		const char *argv[2] = { dname, "0" };

		/*
		 * Read-only when flagged, and for a file system that cannot be
		 * written (squashfs, erofs), as systemd-dissect shows and mounts it.
		 */
		*read_only = data->read_only || dmbi_strcmp(data->fstype, "squashfs") == 0 ||
			     dmbi_strcmp(data->fstype, "erofs") == 0;
		return dmb_table_add_argv(ctx, t, 0, data_sectors, "linear", 2, argv);
	}
}

int dmb_ddi_table(struct dmb_ctx *ctx, const struct dmb_ddi *ddi, struct dmb_bdev *disk,
		  enum dmb_ddi_designator which, enum dmb_ddi_names names, const char *image,
		  struct dmb_table **out, bool *read_only)
{
	const struct dmb_ddi_verity *v;
	const struct dmb_ddi_partition *data;
	char *dname, *hname, root_hex[2 * DMB_MAX_DIGEST_SIZE + 1];
	int r;

	*out = NULL;
	if (which != DMB_DDI_ROOT && which != DMB_DDI_USR)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "only root and usr are mapped");
	v = &ddi->verity[which == DMB_DDI_USR];
	data = ddi->chosen[which];
	if (!data)
		return dmb_ctx_set_error(ctx, DMB_ENOENT, "no %s partition", dmb_ddi_designator_name(which));
	/* A root hash from a signature that did not verify maps nothing. */
	if (v->state == DMB_DDI_VERITY_UNVERIFIED)
		return dmb_ctx_set_error(ctx, DMB_EVERIFY, "%s: the root hash signature did not verify",
					 dmb_ddi_designator_name(which));
	if (names == DMB_DDI_NAMES_IMAGE && (!image || dmbi_strlen(image) > DDI_NAME_MAX - 16))
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "no usable image name");
	/* Names are on the heap: a bootloader's stack is small. */
	dname = dmb_port_malloc(2 * DDI_NAME_MAX);
	if (!dname)
		return dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory for a table");
	hname = dname + DDI_NAME_MAX;
	r = dmb_table_create(ctx, out);
	if (!r)
		r = make_table(ctx, ddi, disk, v, data, names, image, dname, hname, *out, root_hex,
			       read_only);
	if (r) {
		dmb_table_destroy(*out);
		*out = NULL;
	}
	dmb_port_free(dname);
	return r;
}

int dmb_ddi_cmdline(struct dmb_ctx *ctx, const struct dmb_ddi *ddi, struct dmb_bdev *disk,
		    char *buf, size_t cap)
{
	static const enum dmb_ddi_designator which[2] = { DMB_DDI_ROOT, DMB_DDI_USR };
	char dm_names[2][5] = { "root", "usr" }, no_uuid[1] = "";
	struct dmb_concise_dev devs[2] = { 0 };
	struct dmbi_strbuf sb;
	char *spec = NULL;
	size_t ndev = 0, len;
	int r = 0;

	if (!ddi->chosen[DMB_DDI_ROOT])
		return dmb_ctx_set_error(ctx, DMB_ENOENT, "no root partition");
	for (int i = 0; i < 2 && !r; i++) {
		bool ro = true;

		if (!ddi->chosen[which[i]])
			continue;
		r = dmb_ddi_table(ctx, ddi, disk, which[i], DMB_DDI_NAMES_PARTUUID, NULL,
				  &devs[ndev].table, &ro);
		devs[ndev].name = dm_names[i];
		devs[ndev].uuid = no_uuid;
		devs[ndev].minor = -1;
		devs[ndev].read_only = ro;
		if (!r)
			ndev++;
	}
	if (r)
		goto out;
	r = dmb_concise_format(ctx, devs, ndev, DMB_CONCISE_KERNEL, NULL, 0);
	if (r < 0)
		goto out;
	len = (size_t)r;
	spec = dmb_port_malloc(len + 1);
	if (!spec) {
		r = dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory for the command line");
		goto out;
	}
	/* It allocates again, so it can fail again; spec is unset then. */
	r = dmb_concise_format(ctx, devs, ndev, DMB_CONCISE_KERNEL, spec, len + 1);
	if (r < 0)
		goto out;
	dmbi_strbuf_init(&sb, buf, cap);
	dmbi_strbuf_printf(&sb, "dm-mod.create=\"%s\" root=/dev/dm-0", spec);
	if (ndev == 2)
		dmbi_strbuf_puts(&sb, " mount.usr=/dev/dm-1");
	dmbi_strbuf_puts(&sb, " dm-mod.waitfor=");
	{
		bool first = true;

		for (int i = 0; i < 2; i++) {
			const struct dmb_ddi_verity *v = &ddi->verity[i];
			const struct dmb_ddi_partition *ps[2] = { ddi->chosen[which[i]],
								   v->root_hash_size ? v->hash : NULL };

			for (int k = 0; k < 2; k++) {
				char uuid[DMB_PART_UUID_MAX];

				if (!ps[k])
					continue;
				dmb_part_uuid(ddi->table, ps[k]->part, uuid);
				dmbi_strbuf_printf(&sb, "%sPARTUUID=%s", first ? "" : ",", uuid);
				first = false;
			}
		}
	}
	r = sb.len > (size_t)INT32_MAX ? dmb_ctx_set_error(ctx, DMB_ERANGE, "command line too long") :
					 (int)sb.len;
out:
	for (size_t i = 0; i < 2; i++)
		dmb_table_destroy(devs[i].table);
	dmb_port_free(spec);
	return r;
}
