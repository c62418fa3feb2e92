// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * dm-verity hash areas as veritysetup writes them (formats.md §2.1, §2.2),
 * the part a bootloader needs to map an image: the 512-byte little-endian
 * superblock, the parameter checks and tree geometry Linux applies, and the
 * verity table line (§1.6) for a set of parameters, as text or appended to
 * a table directly.  Building and checking trees is verity_tree.c.
 */
#include <dmboot/dmboot.h>

#include "formats.h"
#include "verity_internal.h"

static const uint8_t sb_magic[8] = { 'v', 'e', 'r', 'i', 't', 'y', 0, 0 };

static bool block_size_ok(uint32_t v)
{
	return dmbi_is_pow2(v) && v >= 512 && v <= (1u << DMB_MAX_BLOCK_SHIFT);
}

int dmb_verity_sb_decode(struct dmb_ctx *ctx, const uint8_t sb[DMB_VERITY_SB_SIZE],
			 struct dmb_verity_params *p)
{
	uint32_t version = dmbi_get_le32(sb + 8);
	size_t name_len;

	memset(p, 0, sizeof(*p));
	if (memcmp(sb, sb_magic, sizeof(sb_magic)) != 0)
		return dmb_ctx_set_error(ctx, DMB_ENOENT, "no verity superblock (signature \"verity\" missing)");
	if (version != 1)
		return dmb_ctx_set_error(ctx, DMB_ENOTSUP, "verity superblock: unsupported version %u",
					 (unsigned)version);
	p->hash_type = dmbi_get_le32(sb + 12);
	if (p->hash_type > 1)
		return dmb_ctx_set_error(ctx, DMB_ENOTSUP, "verity superblock: unsupported hash type %u",
					 p->hash_type);
	memcpy(p->uuid, sb + 16, 16);
	name_len = dmbi_strnlen((const char *)sb + 32, 32);
	if (name_len == 0 || name_len >= sizeof(p->hash_name))
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT,
				  "verity superblock: algorithm name empty or not terminated");
	memcpy(p->hash_name, sb + 32, name_len);
	p->hash_name[name_len] = '\0';
	p->data_block_size = dmbi_get_le32(sb + 64);
	p->hash_block_size = dmbi_get_le32(sb + 68);
	if (!block_size_ok(p->data_block_size))
		return dmb_ctx_set_error(ctx, DMB_ENOTSUP, "verity superblock: unsupported data block size %u",
					 (unsigned)p->data_block_size);
	if (!block_size_ok(p->hash_block_size))
		return dmb_ctx_set_error(ctx, DMB_ENOTSUP, "verity superblock: unsupported hash block size %u",
					 (unsigned)p->hash_block_size);
	p->data_blocks = dmbi_get_le64(sb + 72);
	p->salt_size = dmbi_get_le16(sb + 80);
	if (p->salt_size > DMB_VERITY_MAX_SALT)
		return dmb_ctx_set_error(ctx, DMB_ENOTSUP, "verity superblock: unsupported salt size %zu",
					 p->salt_size);
	memcpy(p->salt, sb + 88, p->salt_size);
	return 0;
}

void dmb_verity_sb_encode(const struct dmb_verity_params *p, uint8_t sb[DMB_VERITY_SB_SIZE])
{
	memset(sb, 0, DMB_VERITY_SB_SIZE);
	memcpy(sb, sb_magic, sizeof(sb_magic));
	dmbi_put_le32(sb + 8, 1);
	dmbi_put_le32(sb + 12, p->hash_type);
	memcpy(sb + 16, p->uuid, 16);
	memcpy(sb + 32, p->hash_name, dmbi_strnlen(p->hash_name, 31));
	dmbi_put_le32(sb + 64, p->data_block_size);
	dmbi_put_le32(sb + 68, p->hash_block_size);
	dmbi_put_le64(sb + 72, p->data_blocks);
	dmbi_put_le16(sb + 80, (uint16_t)p->salt_size);
	memcpy(sb + 88, p->salt, p->salt_size);
}

int dmb_verity_sb_load(struct dmb_ctx *ctx, struct dmb_bdev *dev, uint64_t offset,
		       struct dmb_verity_params *p)
{
	uint8_t sb[DMB_VERITY_SB_SIZE];
	int r;

	if (offset % 512)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "hash offset %llu is not a multiple of 512",
					 (unsigned long long)offset);
	r = dmb_bdev_read_bytes(dev, offset, sizeof(sb), sb);
	if (r == DMB_ERANGE)
		return dmb_ctx_set_error(ctx, DMB_ENOENT, "no verity superblock: device too small");
	if (r)
		return dmb_ctx_set_error(ctx, r, "cannot read the verity superblock at byte %llu",
					 (unsigned long long)offset);
	r = dmb_verity_sb_decode(ctx, sb, p);
	p->hash_offset = offset;
	return r;
}

uint64_t dmb_verity_hash_start(const struct dmb_verity_params *p)
{
	const uint64_t hbs = p->hash_block_size;
	const unsigned shift = dmbi_ilog2(hbs); /* a power of two (verity.h) */

	if (p->no_superblock)
		return p->hash_offset >> shift;
	return (p->hash_offset + DMB_VERITY_SB_SIZE + hbs - 1) >> shift;
}

int dmbi_verity_setup(struct dmb_ctx *ctx, const struct dmb_verity_params *p, struct dmbi_hashtree *t,
		      struct dmbi_hasher *h)
{
	const char *why;
	int r;

	if (p->hash_type > 1)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "unsupported hash type %u", p->hash_type);
	if (!block_size_ok(p->data_block_size) || !block_size_ok(p->hash_block_size))
		return dmb_ctx_set_error(ctx, DMB_EINVAL,
				  "block sizes must be powers of two from 512 to 65536 bytes");
	if (p->salt_size > DMB_VERITY_MAX_SALT)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "salt longer than %u bytes", DMB_VERITY_MAX_SALT);
	if (p->hash_offset % 512)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "hash offset must be a multiple of 512");
	if (p->data_blocks == 0 || (p->data_blocks << dmbi_ilog2(p->data_block_size)) >>
					   dmbi_ilog2(p->data_block_size) != p->data_blocks)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "invalid number of data blocks %llu",
					 (unsigned long long)p->data_blocks);
	r = dmbi_hasher_init(h, ctx->crypto, p->hash_name, p->hash_type, p->salt, p->salt_size);
	if (r)
		return dmb_ctx_set_error(ctx, r, "hash algorithm %s is not available", p->hash_name);
	if (p->hash_block_size < 2 * h->digest_size) {
		dmbi_hasher_fini(h);
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "hash block size too small for %s", p->hash_name);
	}
	r = dmbi_hashtree_init(t, p->hash_type, dmbi_ilog2(p->data_block_size),
			      dmbi_ilog2(p->hash_block_size), p->data_blocks, dmb_verity_hash_start(p),
			      h->digest_size, &why);
	if (r) {
		dmbi_hasher_fini(h);
		return dmb_ctx_set_error(ctx, r, "%s", why);
	}
	return 0;
}

int dmb_verity_check_params(struct dmb_ctx *ctx, const struct dmb_verity_params *p)
{
	struct dmbi_hashtree t;
	struct dmbi_hasher h;
	int r = dmbi_verity_setup(ctx, p, &t, &h);

	if (!r)
		dmbi_hasher_fini(&h);
	return r;
}

int dmb_verity_geometry(struct dmb_ctx *ctx, const struct dmb_verity_params *p,
			struct dmb_verity_geometry *g)
{
	struct dmbi_hashtree t;
	struct dmbi_hasher h;
	int r = dmbi_verity_setup(ctx, p, &t, &h);

	if (r)
		return r;
	dmbi_hasher_fini(&h);
	memset(g, 0, sizeof(*g));
	g->digest_size = t.digest_size;
	g->levels = t.levels;
	g->hash_start = t.hash_start;
	g->hash_end = t.hash_end;
	g->hash_blocks = t.hash_end - t.hash_start;
	g->leaf_first = t.levels ? t.level_block[0] : t.hash_start;
	g->leaf_blocks = t.levels ? dmbi_hashtree_level_blocks(&t, 0) : 0;
	g->data_per_leaf = (uint64_t)1 << t.hash_per_block_bits;
	return 0;
}

static void put_hex(struct dmbi_strbuf *sb, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dmbi_strbuf_printf(sb, "%02x", p[i]);
}

/* The verity target's arguments: everything after "verity " on the line. */
static void put_params(struct dmbi_strbuf *sb, const struct dmb_verity_params *p,
		       const char *data_dev, const char *hash_dev, const char *root_hex)
{
	dmbi_strbuf_printf(sb, "%u ", p->hash_type);
	dmbi_strbuf_put_arg(sb, data_dev);
	dmbi_strbuf_putc(sb, ' ');
	dmbi_strbuf_put_arg(sb, hash_dev);
	dmbi_strbuf_printf(sb, " %u %u %llu %llu %s %s ", (unsigned)p->data_block_size,
			   (unsigned)p->hash_block_size, (unsigned long long)p->data_blocks,
			   (unsigned long long)dmb_verity_hash_start(p), p->hash_name, root_hex);
	if (p->salt_size)
		put_hex(sb, p->salt, p->salt_size);
	else
		dmbi_strbuf_putc(sb, '-');
	if (dmbi_verity_opts_count(&p->opts)) {
		dmbi_strbuf_putc(sb, ' ');
		dmbi_verity_opts_put(sb, &p->opts);
	}
}

static uint64_t data_sectors(const struct dmb_verity_params *p)
{
	return p->data_blocks * (p->data_block_size / 512);
}

int dmb_verity_table_line(struct dmb_ctx *ctx, const struct dmb_verity_params *p,
			  const char *data_dev, const char *hash_dev, const char *root_hex,
			  char *buf, size_t cap)
{
	struct dmbi_strbuf sb;
	int r = dmb_verity_opts_format(ctx, &p->opts, NULL, 0);

	if (r < 0)
		return r;
	dmbi_strbuf_init(&sb, buf, cap);
	dmbi_strbuf_printf(&sb, "0 %llu verity ", (unsigned long long)data_sectors(p));
	put_params(&sb, p, data_dev, hash_dev, root_hex);
	if (sb.len > DMB_TABLE_MAX_BYTES)
		return dmb_ctx_set_error(ctx, DMB_ERANGE, "verity table line longer than %u bytes",
					 DMB_TABLE_MAX_BYTES);
	return (int)sb.len;
}

int dmb_verity_table_add(struct dmb_ctx *ctx, struct dmb_table *t,
			 const struct dmb_verity_params *p, const char *data_dev,
			 const char *hash_dev, const char *root_hex)
{
	struct dmbi_strbuf sb;
	char *params;
	int r = dmb_verity_opts_format(ctx, &p->opts, NULL, 0);

	if (r < 0)
		return r;
	dmbi_strbuf_init(&sb, NULL, 0);
	put_params(&sb, p, data_dev, hash_dev, root_hex);
	params = dmb_port_malloc(sb.len + 1);
	if (!params)
		return dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory for a verity table");
	dmbi_strbuf_init(&sb, params, sb.len + 1);
	put_params(&sb, p, data_dev, hash_dev, root_hex);
	r = dmb_table_add(ctx, t, 0, data_sectors(p), "verity", params, (unsigned)t->count + 1);
	dmb_port_free(params);
	return r;
}
