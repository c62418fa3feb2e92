// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * dmb_verity_open() (<dmboot/verity.h>): `veritysetup open` in one call.
 * The superblock (formats.md §2.2) gives the parameters unless the caller
 * does, the verity table line (§1.6) is built without printing it, and the
 * engine creates the device.  The helper holds no device open once it
 * returns: the mapped device opens its own lowers through the resolver.
 */
#include "formats.h"

/* Read the superblock of the hash device at offset into p. */
static int load_superblock(struct dmb_ctx *ctx, const char *hash, uint64_t offset,
			   struct dmb_verity_params *p)
{
	const struct dmb_resolver *res = ctx->resolver;
	struct dmb_bdev *bd = NULL;
	int r;

	if (!res)
		return dmb_ctx_set_error(ctx, DMB_ENOENT, "verity: %s: no resolver configured", hash);
	dmb_ctx_clear(ctx);
	r = res->open(res, ctx, hash, 0, &bd);
	if (r)
		return dmb_ctx_wrap_error(ctx, r, NULL, "verity: hash device %s: ", hash);
	r = dmb_verity_sb_load(ctx, bd, offset, p);
	res->close(res, bd);
	if (r)
		return dmb_ctx_wrap_error(ctx, r, NULL, "verity: hash device %s: ", hash);
	return 0;
}

/* The checks the table's constructor would make later, with messages naming the devices. */
static int check_open(struct dmb_ctx *ctx, const struct dmb_verity_open_args *a,
		      const struct dmb_verity_params *p, const char *hash)
{
	struct dmb_verity_geometry g;
	uint64_t data_end;
	size_t n = dmbi_strlen(a->root_hex);
	uint8_t root[DMB_MAX_DIGEST_SIZE];
	int r;

	r = dmb_verity_geometry(ctx, p, &g);
	if (r)
		return dmb_ctx_wrap_error(ctx, r, NULL, "verity: %s: ", a->data_dev);
	if (n != 2 * g.digest_size || dmb_hex_decode(a->root_hex, root, g.digest_size))
		return dmb_ctx_set_error(ctx, DMB_EINVAL,
					 "verity: %s: the root hash must be %zu hex digits for %s",
					 a->data_dev, 2 * g.digest_size, p->hash_name);
	/* check_params() bounds the block size; the shift cannot lose bits unnoticed. */
	if (dmbi_strcmp(hash, a->data_dev) == 0 &&
	    (!dmbi_mul_u64(p->data_blocks, p->data_block_size, &data_end) ||
	     data_end > p->hash_offset))
		return dmb_ctx_set_error(ctx, DMB_EINVAL,
					 "verity: %s: the data area (%llu blocks of %u bytes) overlaps the hash area at byte %llu",
					 a->data_dev, (unsigned long long)p->data_blocks,
					 (unsigned)p->data_block_size, (unsigned long long)p->hash_offset);
	return 0;
}

int dmb_verity_open(struct dmb_ctx *ctx, const struct dmb_verity_open_args *a,
		    struct dmb_dev **out)
{
	struct dmb_verity_params p;
	struct dmb_table *t = NULL;
	const char *hash;
	int r;

	*out = NULL;
	if (!a || !a->data_dev || !a->data_dev[0])
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "verity: no data device given");
	if (!a->root_hex)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "verity: %s: no root hash given", a->data_dev);
	hash = a->hash_dev ? a->hash_dev : a->data_dev;
	if (a->params) {
		p = *a->params;
	} else {
		memset(&p, 0, sizeof(p));
		r = load_superblock(ctx, hash, a->hash_offset, &p);
		if (r)
			return r;
	}
	if (a->opts)
		p.opts = *a->opts;
	r = check_open(ctx, a, &p, hash);
	if (!r)
		r = dmb_table_create(ctx, &t);
	if (!r) {
		r = dmb_verity_table_add(ctx, t, &p, a->data_dev, hash, a->root_hex);
		if (r == DMB_EINVAL || r == DMB_ERANGE)
			r = dmb_ctx_wrap_error(ctx, r, NULL, "verity: %s: ", a->data_dev);
	}
	if (!r)
		r = dmb_dev_create(ctx, t, DMB_DEV_READONLY, out);
	dmb_table_destroy(t);
	return r;
}
