// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The LUKS2 binary header copies (formats.md §5.1, §5.2): each 4096-byte
 * header is copied out and converted from big-endian, its fields checked
 * (magic, version, hdr_size one of the allowed sizes, hdr_offset equal to
 * where it was read, NUL-terminated strings), its JSON area read only after
 * hdr_size is known to be allowed, its checksum recomputed over the header
 * with the csum field zeroed and the whole JSON area, the JSON area's layout
 * checked (a '{' first, the text ended by NUL and zeros only) and the JSON
 * validated (luks2_json.c).  The newer valid copy wins; a damaged copy is
 * passed over with a warning, never repaired: nothing here writes.
 */
#include <dmboot/dmboot.h>

#include "luks2_internal.h"

#define CSUM_OFF 448u
#define CSUM_LEN 64u
#define AREA_MIN (16u << 10)

static const uint8_t magic_primary[6] = { 'L', 'U', 'K', 'S', 0xba, 0xbe };
static const uint8_t magic_secondary[6] = { 'S', 'K', 'U', 'L', 0xba, 0xbe };

/* One header copy as read; err/msg record why it is damaged. */
struct copy {
	const char *name; /* "primary" or "secondary" */
	uint64_t off;
	uint8_t bin[DMBI_LUKS2_BIN_SIZE];
	uint8_t *area;    /* the JSON area, hdr_size - 4096 bytes */
	size_t json_len;
	uint64_t hdr_size, seqid;
	int err;
	char msg[DMB_MSG_MAX];
};

static bool size_allowed(uint64_t n)
{
	for (uint64_t s = AREA_MIN; s <= DMBI_LUKS2_HDR_MAX; s <<= 1)
		if (n == s)
			return true;
	return false;
}

static int str_field(struct dmb_ctx *ctx, const struct copy *c, size_t off, size_t len,
		     const char *what)
{
	if (dmbi_strnlen((const char *)c->bin + off, len) == len)
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "LUKS2 %s header: %s is not terminated",
					 c->name, what);
	return 0;
}

/* The fixed fields of the binary header, before any size from it is used. */
static int bin_check(struct dmb_ctx *ctx, struct copy *c, const uint8_t magic[6], uint64_t dev_bytes)
{
	uint16_t version = dmbi_get_be16(c->bin + 6);
	uint64_t hdr_off = dmbi_get_be64(c->bin + 256);
	int r;

	if (memcmp(c->bin, magic, 6) != 0)
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "LUKS2 %s header: no magic at offset %llu",
					 c->name, (unsigned long long)c->off);
	if (version != 2)
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "LUKS2 %s header: version %u (must be 2)",
					 c->name, version);
	c->hdr_size = dmbi_get_be64(c->bin + 8);
	c->seqid = dmbi_get_be64(c->bin + 16);
	if (!size_allowed(c->hdr_size))
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "LUKS2 %s header: hdr_size %llu is not allowed",
					 c->name, (unsigned long long)c->hdr_size);
	if (hdr_off != c->off)
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT,
					 "LUKS2 %s header: hdr_offset %llu but read at offset %llu", c->name,
					 (unsigned long long)hdr_off, (unsigned long long)c->off);
	if (c->hdr_size > dev_bytes - c->off)
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "LUKS2 %s header: hdr_size %llu past the device end",
					 c->name, (unsigned long long)c->hdr_size);
	r = str_field(ctx, c, 24, 48, "label");
	if (!r)
		r = str_field(ctx, c, 72, 32, "checksum_alg");
	if (!r)
		r = str_field(ctx, c, 168, 40, "uuid");
	if (!r)
		r = str_field(ctx, c, 208, 48, "subsystem");
	return r;
}

static int csum_check(struct dmb_ctx *ctx, struct copy *c)
{
	const struct dmb_crypto *cr = ctx->crypto;
	const char *alg = (const char *)c->bin + 72;
	uint8_t zeroed[DMBI_LUKS2_BIN_SIZE], out[DMB_MAX_DIGEST_SIZE];
	struct dmb_digest *d = NULL;
	size_t dsize = 0;
	int r;

	if (!cr || !cr->ops->digest_create)
		return dmb_ctx_set_error(ctx, DMB_ENOTSUP, "LUKS2 %s header: no digests in the crypto provider",
					 c->name);
	r = cr->ops->digest_create(cr, alg, &d, &dsize);
	if (r)
		return dmb_ctx_set_error(ctx, r, "LUKS2 %s header: checksum_alg %s is not supported", c->name,
					 alg);
	memcpy(zeroed, c->bin, sizeof(zeroed));
	memset(zeroed + CSUM_OFF, 0, CSUM_LEN);
	r = dsize <= CSUM_LEN ? 0 : DMB_ENOTSUP;
	if (!r)
		r = cr->ops->digest_update(d, zeroed, sizeof(zeroed));
	if (!r)
		r = cr->ops->digest_update(d, c->area, (size_t)c->hdr_size - DMBI_LUKS2_BIN_SIZE);
	if (!r)
		r = cr->ops->digest_final(d, out);
	cr->ops->digest_destroy(d);
	if (r)
		return dmb_ctx_set_error(ctx, r, "LUKS2 %s header: checksum %s cannot be computed", c->name, alg);
	if (dmb_memcmp_ct(out, c->bin + CSUM_OFF, dsize) != 0)
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "LUKS2 %s header: checksum mismatch", c->name);
	return 0;
}

/* The JSON area: '{' first, the text ended by NUL, zeros after it. */
static int area_check(struct dmb_ctx *ctx, struct copy *c)
{
	size_t len = (size_t)c->hdr_size - DMBI_LUKS2_BIN_SIZE;

	if (c->area[0] != '{')
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "LUKS2 %s header: JSON area does not start with '{'",
					 c->name);
	c->json_len = dmbi_strnlen((const char *)c->area, len);
	if (c->json_len == len)
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "LUKS2 %s header: JSON text is not terminated",
					 c->name);
	for (size_t i = c->json_len; i < len; i++)
		if (c->area[i])
			return dmb_ctx_set_error(ctx, DMB_ECORRUPT,
						 "LUKS2 %s header: non-zero byte at %zu after the JSON text",
						 c->name, i);
	return 0;
}

/*
 * Read and check the copy at c->off; h (zeroed here) and names receive what
 * the JSON validation fills.  On failure c->err and c->msg say why.
 */
static int copy_read(struct dmb_ctx *ctx, struct dmb_bdev *dev, struct copy *c, const uint8_t magic[6],
		     struct dmb_luks_hdr *h, char names[128])
{
	struct dmb_ctx q = ctx ? *ctx : (struct dmb_ctx){ 0 }; /* the copy's error stays here */
	uint64_t dev_bytes = dmb_bdev_bytes(dev);
	int r;

	dmb_ctx_clear(&q);
	memset(h, 0, sizeof(*h));
	if (c->off > dev_bytes || dev_bytes - c->off < DMBI_LUKS2_BIN_SIZE) {
		r = dmb_ctx_set_error(&q, DMB_ECORRUPT, "LUKS2 %s header: offset %llu past the device end",
				      c->name, (unsigned long long)c->off);
		goto out;
	}
	r = dmbi_bdev_read_bytes(&q, dev, c->off, DMBI_LUKS2_BIN_SIZE, c->bin);
	if (r) {
		r = dmb_ctx_set_error(&q, r, "cannot read the LUKS2 %s header", c->name);
		goto out;
	}
	r = bin_check(&q, c, magic, dev_bytes);
	if (r)
		goto out;
	/* hdr_size is one of the allowed sizes (at most DMBI_LUKS2_HDR_MAX) from here on. */
	c->area = dmbi_calloc(1, (size_t)c->hdr_size - DMBI_LUKS2_BIN_SIZE);
	if (!c->area) {
		r = dmb_ctx_set_error(&q, DMB_ENOMEM, "out of memory for the LUKS2 %s header", c->name);
		goto out;
	}
	r = dmbi_bdev_read_bytes(&q, dev, c->off + DMBI_LUKS2_BIN_SIZE,
				 (size_t)c->hdr_size - DMBI_LUKS2_BIN_SIZE, c->area);
	if (r) {
		r = dmb_ctx_set_error(&q, r, "cannot read the LUKS2 %s JSON area", c->name);
		goto out;
	}
	r = csum_check(&q, c);
	if (!r)
		r = area_check(&q, c);
	if (!r) {
		r = dmbi_luks2_json_load(&q, (const char *)c->area, c->json_len, c->hdr_size, h, names);
		if (r)
			r = dmb_ctx_wrap_error(&q, r, NULL, "%s header: ", c->name);
	}
out:
	c->err = r;
	memcpy(c->msg, dmb_ctx_message(&q), sizeof(c->msg));
	c->msg[sizeof(c->msg) - 1] = '\0';
	return r;
}

static void copy_free(struct copy *c)
{
	dmb_port_free(c->area);
	c->area = NULL;
}

/* The secondary: after the primary when that one's hdr_size is known, else scanned. */
static int secondary_read(struct dmb_ctx *ctx, struct dmb_bdev *dev, const struct copy *p, struct copy *s,
			  struct dmb_luks_hdr *h, char names[128])
{
	int first_err = 0;
	char first_msg[DMB_MSG_MAX] = "";

	if (!p->err) {
		s->off = p->hdr_size;
		return copy_read(ctx, dev, s, magic_secondary, h, names);
	}
	for (uint64_t off = AREA_MIN; off <= DMBI_LUKS2_HDR_MAX; off <<= 1) {
		copy_free(s);
		s->off = off;
		if (!copy_read(ctx, dev, s, magic_secondary, h, names))
			return 0;
		/* The first offset holding a secondary magic gives the reason. */
		if (!first_err && memcmp(s->bin, magic_secondary, 6) == 0) {
			first_err = s->err;
			memcpy(first_msg, s->msg, sizeof(first_msg));
		}
	}
	copy_free(s);
	if (first_err) {
		s->err = first_err;
		memcpy(s->msg, first_msg, sizeof(s->msg));
	} else {
		s->err = DMB_ECORRUPT;
		memcpy(s->msg, "LUKS2 secondary header: not found at 16 KiB to 4 MiB",
		       sizeof("LUKS2 secondary header: not found at 16 KiB to 4 MiB"));
	}
	return s->err;
}

static void bin_fill(struct dmb_luks_hdr *h, const struct copy *c, bool secondary)
{
	h->version = 2;
	memcpy(h->label, c->bin + 24, 48);
	memcpy(h->checksum_alg, c->bin + 72, 32);
	memcpy(h->uuid, c->bin + 168, 40);
	memcpy(h->subsystem, c->bin + 208, 48);
	h->seqid = c->seqid;
	h->hdr_size_bytes = c->hdr_size;
	h->secondary = secondary;
}

int dmbi_luks2_load(struct dmb_ctx *ctx, struct dmb_bdev *dev, struct dmb_luks *l)
{
	struct copy *cp = dmbi_calloc(2, sizeof(*cp));
	struct dmb_luks_hdr *scratch = dmbi_calloc(1, sizeof(*scratch));
	char names[128];
	struct copy *use = NULL, *bad = NULL;
	int r;

	if (!cp || !scratch) {
		r = dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory for the LUKS2 headers");
		goto out;
	}
	cp[0].name = "primary";
	cp[1].name = "secondary";
	copy_read(ctx, dev, &cp[0], magic_primary, scratch, names);
	secondary_read(ctx, dev, &cp[0], &cp[1], scratch, names);
	if (!cp[0].err && !cp[1].err)
		use = cp[1].seqid > cp[0].seqid ? &cp[1] : &cp[0];
	else if (!cp[0].err)
		use = &cp[0], bad = &cp[1];
	else if (!cp[1].err)
		use = &cp[1], bad = &cp[0];
	if (!use) {
		r = dmb_ctx_set_error(ctx, cp[0].err, "%s", cp[0].msg);
		goto out;
	}
	if (bad)
		dmbi_log(ctx, DMB_LOG_WARN, "LUKS2 %s header is damaged (%s); using the %s header", bad->name,
			 bad->msg, use->name);
	/* Validate the chosen copy again, now into the model and its own names. */
	memset(&l->hdr, 0, sizeof(l->hdr));
	r = dmbi_luks2_json_load(ctx, (const char *)use->area, use->json_len, use->hdr_size, &l->hdr,
				 l->names);
	if (r)
		goto out;
	l->json = (char *)use->area;
	l->json_cap = (size_t)use->hdr_size - DMBI_LUKS2_BIN_SIZE;
	use->area = NULL;
	bin_fill(&l->hdr, use, use == &cp[1]);
	l->hdr.json = l->json;
	l->hdr.json_len = use->json_len;
out:
	if (cp) {
		copy_free(&cp[0]);
		copy_free(&cp[1]);
	}
	dmb_port_free(cp);
	dmb_port_free(scratch);
	return r;
}
