// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The LUKS2 JSON area (formats.md §5.2, §5.3): tokenized by the base JSON
 * tokenizer within fixed token and depth limits, then validated object by
 * object the way cryptsetup validates a header before using it (required
 * members and their types, decimal ids below 32, 64-bit numbers as strictly
 * parsed strings, the references between digests, keyslots, segments and
 * tokens, the keyslot areas and segments against the metadata layout), and
 * copied into the model of <dmboot/luks.h>.  Unknown token types are kept
 * as written; object types the library cannot use are refused here only
 * when the model cannot hold them (dmbi_luks_check_usable() refuses the
 * rest before any unlock).
 */
#include <dmboot/dmboot.h>

#include "luks2_internal.h"

struct jp {
	struct dmb_ctx *ctx;
	const char *s;
	const struct dmbi_json_tok *t;
	struct dmb_luks_hdr *h;
	uint64_t hdr_size;
	uint64_t keyslots_size;
	uint32_t have_keyslots, have_segments, have_digests;
	uint32_t backup_segments; /* segments flagged backup-*: outside the layout checks */
};

struct flag_name {
	const char *name;
	uint32_t bit;
};

static const struct flag_name config_flags[] = {
	{ "allow-discards", DMB_LUKS_FLAG_ALLOW_DISCARDS },
	{ "same-cpu-crypt", DMB_LUKS_FLAG_SAME_CPU_CRYPT },
	{ "submit-from-crypt-cpus", DMB_LUKS_FLAG_SUBMIT_FROM_CRYPT_CPUS },
	{ "no-journal", DMB_LUKS_FLAG_NO_JOURNAL },
	{ "no-read-workqueue", DMB_LUKS_FLAG_NO_READ_WORKQUEUE },
	{ "no-write-workqueue", DMB_LUKS_FLAG_NO_WRITE_WORKQUEUE },
	{ "high_priority", DMB_LUKS_FLAG_HIGH_PRIORITY },
};

static const char *type_name(enum dmbi_json_type type)
{
	switch (type) {
	case DMBI_JSON_OBJECT:
		return "an object";
	case DMBI_JSON_ARRAY:
		return "an array";
	case DMBI_JSON_STRING:
		return "a string";
	case DMBI_JSON_NUMBER:
		return "a number";
	default:
		return "a literal";
	}
}

/* The value of member name of object obj, of the given type: its index, or a negative error. */
static long need(struct jp *p, size_t obj, const char *who, const char *name, enum dmbi_json_type type)
{
	struct dmbi_json j = { .tok = (struct dmbi_json_tok *)p->t, .count = p->t[obj].next };
	long v = dmbi_json_member(&j, p->s, obj, name);

	if (v < 0)
		return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT, "LUKS2 %s: %s missing", who, name);
	if (p->t[v].type != type)
		return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT, "LUKS2 %s: %s is not %s", who, name,
					 type_name(type));
	return v;
}

/* Like need(), but an absent member gives 0 (a member's value is never token 0). */
static long maybe(struct jp *p, size_t obj, const char *who, const char *name, enum dmbi_json_type type)
{
	struct dmbi_json j = { .tok = (struct dmbi_json_tok *)p->t, .count = p->t[obj].next };

	if (dmbi_json_member(&j, p->s, obj, name) < 0)
		return 0;
	return need(p, obj, who, name, type);
}

static int str_tok(struct jp *p, long v, const char *who, const char *name, char *out, size_t cap)
{
	int n = dmbi_json_unescape(p->s, &p->t[v], out, cap);

	if (n == DMB_ERANGE)
		return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT, "LUKS2 %s: %s longer than %zu bytes", who,
					 name, cap - 1);
	if (n < 0)
		return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT, "LUKS2 %s: %s is not a valid string", who,
					 name);
	return 0;
}

static int get_str(struct jp *p, size_t obj, const char *who, const char *name, char *out, size_t cap)
{
	long v = need(p, obj, who, name, DMBI_JSON_STRING);

	return v < 0 ? (int)v : str_tok(p, v, who, name, out, cap);
}

/* A 64-bit number, written as a JSON string of decimal digits. */
static int u64_tok(struct jp *p, long v, const char *who, const char *name, uint64_t *out)
{
	const struct dmbi_json_tok *t = &p->t[v];
	int r = dmbi_parse_u64_len(p->s + t->start, t->end - t->start, 10, out);

	if (r == DMB_ERANGE)
		return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT, "LUKS2 %s: %s overflows 64 bits", who, name);
	if (r)
		return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT, "LUKS2 %s: %s is not a decimal string", who,
					 name);
	return 0;
}

static int get_u64(struct jp *p, size_t obj, const char *who, const char *name, uint64_t *out)
{
	long v = need(p, obj, who, name, DMBI_JSON_STRING);

	return v < 0 ? (int)v : u64_tok(p, v, who, name, out);
}

/* A small integer, a JSON number without sign, fraction or exponent, in [min, max]. */
static int get_num(struct jp *p, size_t obj, const char *who, const char *name, uint32_t min,
		   uint32_t max, uint32_t *out)
{
	long v = need(p, obj, who, name, DMBI_JSON_NUMBER);
	uint64_t n;

	if (v < 0)
		return (int)v;
	if (dmbi_parse_u64_len(p->s + p->t[v].start, p->t[v].end - p->t[v].start, 10, &n) == DMB_EINVAL)
		return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT, "LUKS2 %s: %s is not an unsigned integer",
					 who, name);
	if (n < min || n > max || p->t[v].end - p->t[v].start > 20)
		return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT, "LUKS2 %s: %s %.*s out of range [%u, %u]",
					 who, name, (int)DMBI_MIN(p->t[v].end - p->t[v].start, 24u),
					 p->s + p->t[v].start, (unsigned)min, (unsigned)max);
	*out = (uint32_t)n;
	return 0;
}

static int get_b64(struct jp *p, size_t obj, const char *who, const char *name, uint8_t *out,
		   size_t cap, size_t *len)
{
	long v = need(p, obj, who, name, DMBI_JSON_STRING);
	const struct dmbi_json_tok *t;

	if (v < 0)
		return (int)v;
	t = &p->t[v];
	if (t->end == t->start ||
	    dmbi_base64_decode(p->s + t->start, t->end - t->start, out, cap, len) != 0)
		return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT,
					 "LUKS2 %s: %s is not base64 of 1 to %zu bytes", who, name, cap);
	return 0;
}

/* An object id: decimal digits naming 0..31. */
static int id_tok(struct jp *p, const struct dmbi_json_tok *t, const char *who, unsigned *id)
{
	uint64_t v;

	if (t->end - t->start > 2 || dmbi_parse_u64_len(p->s + t->start, t->end - t->start, 10, &v) ||
	    v >= DMB_LUKS_MAX_SLOTS)
		return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT, "LUKS2 %s: id \"%.*s\" is not a number below %d",
					 who, (int)DMBI_MIN(t->end - t->start, 24u), p->s + t->start,
					 DMB_LUKS_MAX_SLOTS);
	*id = (unsigned)v;
	return 0;
}

/* An array of id strings as a bit mask. */
static int get_ids(struct jp *p, size_t obj, const char *who, const char *name, uint32_t *mask)
{
	long a = need(p, obj, who, name, DMBI_JSON_ARRAY);
	char what[64];
	unsigned id;
	int r;

	if (a < 0)
		return (int)a;
	*mask = 0;
	dmbi_snprintf(what, sizeof(what), "%s %s", who, name);
	for (uint32_t i = (uint32_t)a + 1; i < p->t[a].next; i = p->t[i].next) {
		if (p->t[i].type != DMBI_JSON_STRING)
			return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT, "LUKS2 %s: an element is not a string",
						 what);
		r = id_tok(p, &p->t[i], what, &id);
		if (r)
			return r;
		*mask |= 1u << id;
	}
	return 0;
}

/*
 * The members of a top-level object as an id-ordered index: idx[id] the
 * token of its value, 0 if absent.  Each value must be an object.
 */
static int collect(struct jp *p, const char *name, uint32_t idx[DMB_LUKS_MAX_SLOTS], uint32_t *mask)
{
	long o = need(p, 0, "header", name, DMBI_JSON_OBJECT);
	unsigned id;
	int r;

	if (o < 0)
		return (int)o;
	*mask = 0;
	for (uint32_t i = (uint32_t)o + 1; i < p->t[o].next; i = p->t[i + 1].next) {
		r = id_tok(p, &p->t[i], name, &id);
		if (r)
			return r;
		if (*mask & (1u << id))
			return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT, "LUKS2 %s: id %u twice", name, id);
		if (p->t[i + 1].type != DMBI_JSON_OBJECT)
			return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT, "LUKS2 %s %u: not an object", name, id);
		*mask |= 1u << id;
		idx[id] = i + 1;
	}
	return 0;
}

/* ---- keyslots ---------------------------------------------------------- */

static int kdf_load(struct jp *p, size_t ks, const char *who, struct dmb_luks_kdf *kdf)
{
	long o = need(p, ks, who, "kdf", DMBI_JSON_OBJECT);
	char what[48];
	int r;

	if (o < 0)
		return (int)o;
	dmbi_snprintf(what, sizeof(what), "%s kdf", who);
	r = get_str(p, (size_t)o, what, "type", kdf->type, sizeof(kdf->type));
	if (r)
		return r;
	if (dmbi_strcmp(kdf->type, "pbkdf2") == 0) {
		r = get_str(p, (size_t)o, what, "hash", kdf->hash, sizeof(kdf->hash));
		if (!r)
			r = get_num(p, (size_t)o, what, "iterations", 1, UINT32_MAX, &kdf->iterations);
	} else if (dmbi_strcmp(kdf->type, "argon2i") == 0 || dmbi_strcmp(kdf->type, "argon2id") == 0) {
		r = get_num(p, (size_t)o, what, "time", 1, UINT32_MAX, &kdf->time);
		if (!r)
			r = get_num(p, (size_t)o, what, "memory", 1, UINT32_MAX, &kdf->memory_kib);
		if (!r)
			r = get_num(p, (size_t)o, what, "cpus", 1, UINT32_MAX, &kdf->cpus);
	} else {
		return dmb_ctx_set_error(p->ctx, DMB_ENOTSUP, "LUKS2 %s: type %s not supported", what,
					 kdf->type);
	}
	if (!r)
		r = get_b64(p, (size_t)o, what, "salt", kdf->salt, sizeof(kdf->salt), &kdf->salt_len);
	return r;
}

/* An optional string member into out ("" when absent). */
static int opt_str(struct jp *p, size_t obj, const char *who, const char *name, char *out,
		   size_t cap)
{
	long v = maybe(p, obj, who, name, DMBI_JSON_STRING);

	out[0] = '\0';
	return v <= 0 ? (int)v : str_tok(p, v, who, name, out, cap);
}

/* What luksDump shows of a reencrypt keyslot's area: its resilience's parameters. */
static int reencrypt_area_load(struct jp *p, long o, const char *what, struct dmb_luks_keyslot *k)
{
	long v;
	int r = opt_str(p, (size_t)o, what, "hash", k->area_hash, sizeof(k->area_hash));

	if (!r && (v = maybe(p, (size_t)o, what, "sector_size", DMBI_JSON_NUMBER)) != 0)
		r = v < 0 ? (int)v : get_num(p, (size_t)o, what, "sector_size", 1, UINT32_MAX,
					     &k->area_sector_size);
	if (!r && (v = maybe(p, (size_t)o, what, "shift_size", DMBI_JSON_STRING)) != 0)
		r = v < 0 ? (int)v : u64_tok(p, v, what, "shift_size", &k->area_shift_bytes);
	return r;
}

static int area_load(struct jp *p, size_t ks, const char *who, struct dmb_luks_keyslot *k)
{
	long o = need(p, ks, who, "area", DMBI_JSON_OBJECT);
	uint64_t end;
	uint32_t n = 0;
	char what[48];
	int r;

	if (o < 0)
		return (int)o;
	dmbi_snprintf(what, sizeof(what), "%s area", who);
	r = get_str(p, (size_t)o, what, "type", k->area_type, sizeof(k->area_type));
	if (!r)
		r = get_u64(p, (size_t)o, what, "offset", &k->area_offset_bytes);
	if (!r)
		r = get_u64(p, (size_t)o, what, "size", &k->area_size_bytes);
	if (r)
		return r;
	if (!dmbi_add_u64(k->area_offset_bytes, k->area_size_bytes, &end))
		return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT, "LUKS2 %s: offset + size overflows", what);
	if (dmbi_strcmp(k->type, "reencrypt") == 0)
		return reencrypt_area_load(p, o, what, k);
	if (dmbi_strcmp(k->area_type, "raw") != 0)
		return dmb_ctx_set_error(p->ctx, DMB_ENOTSUP, "LUKS2 %s: type %s not supported", what,
					 k->area_type);
	r = get_str(p, (size_t)o, what, "encryption", k->area_encryption, sizeof(k->area_encryption));
	if (!r)
		r = get_num(p, (size_t)o, what, "key_size", 1, DMB_LUKS_MAX_KEY_BYTES, &n);
	k->area_key_bytes = n;
	return r;
}

static int af_load(struct jp *p, size_t ks, const char *who, struct dmb_luks_keyslot *k)
{
	long o = need(p, ks, who, "af", DMBI_JSON_OBJECT);
	char what[48];
	uint64_t need_bytes;
	int r;

	if (o < 0)
		return (int)o;
	dmbi_snprintf(what, sizeof(what), "%s af", who);
	r = get_str(p, (size_t)o, what, "type", k->af_type, sizeof(k->af_type));
	if (r)
		return r;
	if (dmbi_strcmp(k->af_type, "luks1") != 0)
		return dmb_ctx_set_error(p->ctx, DMB_ENOTSUP, "LUKS2 %s: type %s not supported", what,
					 k->af_type);
	r = get_num(p, (size_t)o, what, "stripes", 1, UINT32_MAX, &k->af_stripes);
	if (!r && k->af_stripes != 4000)
		r = dmb_ctx_set_error(p->ctx, DMB_ECORRUPT, "LUKS2 %s: stripes %u, not 4000", what,
				      (unsigned)k->af_stripes);
	if (!r)
		r = get_str(p, (size_t)o, what, "hash", k->af_hash, sizeof(k->af_hash));
	/* Unlocking reads the split key, 4000 stripes in 512-byte sectors, from the area. */
	need_bytes = ((uint64_t)k->key_bytes * 4000 + 511) / 512 * 512;
	if (!r && k->area_size_bytes < need_bytes)
		r = dmb_ctx_set_error(p->ctx, DMB_ECORRUPT,
				      "LUKS2 %s: area of %llu bytes, the key material needs %llu", who,
				      (unsigned long long)k->area_size_bytes,
				      (unsigned long long)need_bytes);
	return r;
}

static int keyslot_load(struct jp *p, size_t o, unsigned id, struct dmb_luks_keyslot *k)
{
	char who[24];
	uint32_t n;
	long v;
	int r;

	dmbi_snprintf(who, sizeof(who), "keyslot %u", id);
	k->id = id;
	k->active = true;
	k->digest = -1;
	k->priority = 1;
	r = get_str(p, o, who, "type", k->type, sizeof(k->type));
	if (r)
		return r;
	if (dmbi_strcmp(k->type, "luks2") != 0 && dmbi_strcmp(k->type, "reencrypt") != 0)
		return dmb_ctx_set_error(p->ctx, DMB_ENOTSUP, "LUKS2 %s: type %s not supported", who,
					 k->type);
	r = get_num(p, o, who, "key_size", 1, DMB_LUKS_MAX_KEY_BYTES, &n);
	if (r)
		return r;
	k->key_bytes = n;
	v = maybe(p, o, who, "priority", DMBI_JSON_NUMBER);
	if (v < 0)
		return (int)v;
	if (v) {
		r = get_num(p, o, who, "priority", 0, 2, &n);
		if (r)
			return r;
		k->priority = (int)n;
	}
	r = area_load(p, o, who, k);
	if (!r && dmbi_strcmp(k->type, "reencrypt") == 0) {
		r = opt_str(p, o, who, "mode", k->reenc_mode, sizeof(k->reenc_mode));
		if (!r)
			r = opt_str(p, o, who, "direction", k->reenc_direction, sizeof(k->reenc_direction));
		return r;
	}
	if (r)
		return r;
	r = kdf_load(p, o, who, &k->kdf);
	if (!r)
		r = af_load(p, o, who, k);
	return r;
}

/* ---- segments ---------------------------------------------------------- */

static int segment_crypt(struct jp *p, size_t o, const char *who, struct dmb_luks_segment *g)
{
	long v;
	int r;

	r = get_u64(p, o, who, "iv_tweak", &g->iv_tweak);
	if (!r)
		r = get_str(p, o, who, "encryption", g->encryption, sizeof(g->encryption));
	if (!r)
		r = get_num(p, o, who, "sector_size", 512, 4096, &g->sector_size);
	if (r)
		return r;
	if (!dmbi_is_pow2(g->sector_size))
		return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT, "LUKS2 %s: sector_size %u not a power of 2",
					 who, (unsigned)g->sector_size);
	if (!g->dynamic && (g->size_bytes & (g->sector_size - 1)))
		return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT,
					 "LUKS2 %s: size not a multiple of sector_size %u", who,
					 (unsigned)g->sector_size);
	v = maybe(p, o, who, "integrity", DMBI_JSON_OBJECT);
	if (v <= 0)
		return (int)v;
	g->integrity = true;
	r = get_str(p, (size_t)v, who, "type", g->integrity_type, sizeof(g->integrity_type));
	if (!r && need(p, (size_t)v, who, "journal_encryption", DMBI_JSON_STRING) < 0)
		r = DMB_ECORRUPT;
	if (!r && need(p, (size_t)v, who, "journal_integrity", DMBI_JSON_STRING) < 0)
		r = DMB_ECORRUPT;
	return r;
}

static int segment_load(struct jp *p, size_t o, unsigned id, struct dmb_luks_segment *g)
{
	char who[24], flag[DMB_LUKS_NAME_MAX];
	uint64_t end;
	long v;
	int r;

	dmbi_snprintf(who, sizeof(who), "segment %u", id);
	g->id = id;
	r = get_str(p, o, who, "type", g->type, sizeof(g->type));
	if (!r)
		r = get_u64(p, o, who, "offset", &g->offset_bytes);
	v = r ? r : need(p, o, who, "size", DMBI_JSON_STRING);
	if (v < 0)
		return (int)v;
	if (dmbi_json_eq(p->s, &p->t[v], "dynamic"))
		g->dynamic = true;
	else if ((r = u64_tok(p, v, who, "size", &g->size_bytes)) != 0)
		return r;
	if (g->offset_bytes % 512)
		return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT, "LUKS2 %s: offset not 512-byte aligned", who);
	if (!dmbi_add_u64(g->offset_bytes, g->size_bytes, &end))
		return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT, "LUKS2 %s: offset + size overflows", who);
	v = maybe(p, o, who, "flags", DMBI_JSON_ARRAY);
	if (v < 0)
		return (int)v;
	for (uint32_t i = (uint32_t)v + 1; v && i < p->t[v].next; i = p->t[i].next) {
		if (p->t[i].type != DMBI_JSON_STRING)
			return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT, "LUKS2 %s: a flag is not a string", who);
		r = str_tok(p, (long)i, who, "a flag", flag, sizeof(flag));
		if (r)
			return r;
		if (dmbi_str_prefix(flag, "backup-"))
			p->backup_segments |= 1u << id;
		g->nflags++;
		/* For luksDump: cut to fit, never refused for its length. */
		dmbi_snprintf(g->flags + dmbi_strlen(g->flags), sizeof(g->flags) - dmbi_strlen(g->flags),
			      "%s%s", g->nflags > 1 ? ", " : "", flag);
	}
	if (dmbi_strcmp(g->type, "crypt") == 0 || dmbi_strcmp(g->type, "hw-opal-crypt") == 0)
		return segment_crypt(p, o, who, g);
	if (dmbi_strcmp(g->type, "linear") == 0 || dmbi_strcmp(g->type, "hw-opal") == 0)
		return 0;
	return dmb_ctx_set_error(p->ctx, DMB_ENOTSUP, "LUKS2 %s: type %s not supported", who, g->type);
}

/* ---- digests and tokens ------------------------------------------------- */

static int digest_load(struct jp *p, size_t o, unsigned id, struct dmb_luks_digest *d)
{
	char who[24];
	int r;

	dmbi_snprintf(who, sizeof(who), "digest %u", id);
	d->id = id;
	r = get_str(p, o, who, "type", d->type, sizeof(d->type));
	if (r)
		return r;
	if (dmbi_strcmp(d->type, "pbkdf2") != 0)
		return dmb_ctx_set_error(p->ctx, DMB_ENOTSUP, "LUKS2 %s: type %s not supported", who,
					 d->type);
	dmbi_snprintf(d->kdf.type, sizeof(d->kdf.type), "pbkdf2");
	r = get_ids(p, o, who, "keyslots", &d->keyslots);
	if (!r)
		r = get_ids(p, o, who, "segments", &d->segments);
	if (!r)
		r = get_str(p, o, who, "hash", d->kdf.hash, sizeof(d->kdf.hash));
	if (!r)
		r = get_num(p, o, who, "iterations", 1, UINT32_MAX, &d->kdf.iterations);
	if (!r)
		r = get_b64(p, o, who, "salt", d->kdf.salt, sizeof(d->kdf.salt), &d->kdf.salt_len);
	if (!r)
		r = get_b64(p, o, who, "digest", d->digest, sizeof(d->digest), &d->digest_len);
	return r;
}

static int token_load(struct jp *p, size_t o, unsigned id, struct dmb_luks_token *k)
{
	char who[24];
	int r;

	dmbi_snprintf(who, sizeof(who), "token %u", id);
	k->id = id;
	k->json = p->s + p->t[o].start;
	k->json_len = p->t[o].end - p->t[o].start;
	r = get_str(p, o, who, "type", k->type, sizeof(k->type));
	if (!r)
		r = get_ids(p, o, who, "keyslots", &k->keyslots);
	if (!r && dmbi_strcmp(k->type, "luks2-keyring") == 0)
		r = get_str(p, o, who, "key_description", k->key_description,
			    sizeof(k->key_description));
	return r;
}

/* ---- config ------------------------------------------------------------ */

/* The first string of array a into out (cap bytes), or "" for none. */
static int first_string(struct jp *p, long a, const char *who, char *out, size_t cap)
{
	out[0] = '\0';
	for (uint32_t i = (uint32_t)a + 1; i < p->t[a].next; i = p->t[i].next)
		if (p->t[i].type != DMBI_JSON_STRING)
			return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT, "LUKS2 %s: an element is not a string",
						 who);
	if (p->t[a].size)
		return str_tok(p, (long)a + 1, who, "an element", out, cap);
	return 0;
}

static int config_flags_load(struct jp *p, long a, char names[64])
{
	char flag[DMB_LUKS_NAME_MAX];
	size_t f;
	int r;

	r = first_string(p, a, "config flags", flag, sizeof(flag));
	for (uint32_t i = (uint32_t)a + 1; !r && i < p->t[a].next; i = p->t[i].next) {
		r = str_tok(p, (long)i, "config", "a flag", flag, sizeof(flag));
		for (f = 0; !r && f < DMBI_ARRAY_SIZE(config_flags); f++)
			if (dmbi_strcmp(flag, config_flags[f].name) == 0)
				break;
		if (r)
			break;
		if (f < DMBI_ARRAY_SIZE(config_flags)) {
			p->h->flags |= config_flags[f].bit;
		} else if (!p->h->unknown_flags) {
			dmbi_snprintf(names, 64, "%s", flag);
			p->h->unknown_flags = names;
		}
	}
	return r;
}

static int config_load(struct jp *p, char names[128])
{
	long o = need(p, 0, "header", "config", DMBI_JSON_OBJECT), v;
	uint64_t json_size;
	int r;

	if (o < 0)
		return (int)o;
	r = get_u64(p, (size_t)o, "config", "json_size", &json_size);
	if (!r && json_size != p->hdr_size - DMBI_LUKS2_BIN_SIZE)
		r = dmb_ctx_set_error(p->ctx, DMB_ECORRUPT,
				      "LUKS2 config: json_size %llu, the header's JSON area is %llu bytes",
				      (unsigned long long)json_size,
				      (unsigned long long)(p->hdr_size - DMBI_LUKS2_BIN_SIZE));
	if (!r)
		r = get_u64(p, (size_t)o, "config", "keyslots_size", &p->keyslots_size);
	if (r)
		return r;
	if (p->keyslots_size % 4096)
		return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT, "LUKS2 config: keyslots_size not 4 KiB aligned");
	if (p->keyslots_size > (128u << 20))
		return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT, "LUKS2 config: keyslots_size over 128 MiB");
	p->h->keyslots_size_bytes = p->keyslots_size;
	v = maybe(p, (size_t)o, "config", "flags", DMBI_JSON_ARRAY);
	if (v > 0)
		r = config_flags_load(p, v, names);
	if (v < 0 || r)
		return v < 0 ? (int)v : r;
	v = maybe(p, (size_t)o, "config", "requirements", DMBI_JSON_OBJECT);
	if (v > 0)
		v = maybe(p, (size_t)v, "config requirements", "mandatory", DMBI_JSON_ARRAY);
	if (v > 0) {
		r = first_string(p, v, "config requirements mandatory", names + 64, 64);
		if (!r && names[64])
			p->h->requirements = names + 64;
	}
	return v < 0 ? (int)v : r;
}

/* ---- the layout and the references between objects ---------------------- */

static int check_areas(struct jp *p)
{
	const struct dmb_luks_hdr *h = p->h;
	uint64_t lo = 2 * p->hdr_size, hi = lo + p->keyslots_size;

	for (size_t i = 0; i < h->nkeyslots; i++) {
		const struct dmb_luks_keyslot *a = &h->keyslots[i];
		uint64_t a_end = a->area_offset_bytes + a->area_size_bytes;

		if (a->area_offset_bytes < lo)
			return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT,
						 "LUKS2 keyslot %u: area inside the header copies", a->id);
		if (a_end > hi)
			return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT,
						 "LUKS2 keyslot %u: area past the keyslots area", a->id);
		for (size_t k = 0; k < i; k++) {
			const struct dmb_luks_keyslot *b = &h->keyslots[k];

			if (a->area_size_bytes && b->area_size_bytes &&
			    a->area_offset_bytes < b->area_offset_bytes + b->area_size_bytes &&
			    b->area_offset_bytes < a_end)
				return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT,
							 "LUKS2 keyslot %u: area overlaps keyslot %u", a->id, b->id);
		}
	}
	for (size_t i = 0; i < h->nsegments; i++) {
		const struct dmb_luks_segment *g = &h->segments[i];

		if (p->backup_segments & (1u << g->id))
			continue;
		/* Offset 0: a detached header, the segment is on another device. */
		if (g->offset_bytes && g->offset_bytes < hi)
			return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT,
						 "LUKS2 segment %u: offset inside the metadata and keyslots areas",
						 g->id);
		for (size_t k = 0; k < h->nsegments; k++) {
			const struct dmb_luks_segment *o = &h->segments[k];

			if (k == i || (p->backup_segments & (1u << o->id)))
				continue;
			if (g->dynamic && o->offset_bytes > g->offset_bytes)
				return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT,
							 "LUKS2 segment %u: dynamic but not the last", g->id);
			if (k < i && (o->dynamic || g->offset_bytes < o->offset_bytes + o->size_bytes) &&
			    (g->dynamic || o->offset_bytes < g->offset_bytes + g->size_bytes))
				return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT,
							 "LUKS2 segment %u: overlaps segment %u", g->id, o->id);
		}
	}
	return 0;
}

static int check_refs(struct jp *p)
{
	struct dmb_luks_hdr *h = p->h;
	uint32_t digested = 0;

	for (size_t i = 0; i < h->ndigests; i++) {
		const struct dmb_luks_digest *d = &h->digests[i];
		uint32_t ks = d->keyslots & ~p->have_keyslots, sg = d->segments & ~p->have_segments;

		for (unsigned b = 0; b < DMB_LUKS_MAX_SLOTS; b++) {
			if (ks & (1u << b))
				return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT,
							 "LUKS2 digest %u: keyslot %u does not exist", d->id, b);
			if (sg & (1u << b))
				return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT,
							 "LUKS2 digest %u: segment %u does not exist", d->id, b);
		}
		digested |= d->segments;
	}
	for (size_t i = 0; i < h->ntokens; i++)
		for (unsigned b = 0; b < DMB_LUKS_MAX_SLOTS; b++)
			if (h->tokens[i].keyslots & ~p->have_keyslots & (1u << b))
				return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT,
							 "LUKS2 token %u: keyslot %u does not exist",
							 h->tokens[i].id, b);
	for (size_t i = 0; i < h->nsegments; i++) {
		const struct dmb_luks_segment *g = &h->segments[i];

		if (dmbi_strcmp(g->type, "crypt") == 0 && !(p->backup_segments & (1u << g->id)) &&
		    !(digested & (1u << g->id)))
			return dmb_ctx_set_error(p->ctx, DMB_ECORRUPT, "LUKS2 segment %u: no digest", g->id);
	}
	for (size_t i = 0; i < h->nkeyslots; i++)
		for (size_t k = 0; k < h->ndigests && h->keyslots[i].digest < 0; k++)
			if (h->digests[k].keyslots & (1u << h->keyslots[i].id))
				h->keyslots[i].digest = (int)k;
	return 0;
}

static int objects_load(struct jp *p)
{
	uint32_t ks[DMB_LUKS_MAX_SLOTS] = { 0 }, sg[DMB_LUKS_MAX_SLOTS] = { 0 };
	uint32_t dg[DMB_LUKS_MAX_SLOTS] = { 0 }, tk[DMB_LUKS_MAX_SLOTS] = { 0 };
	uint32_t have_tokens;
	struct dmb_luks_hdr *h = p->h;
	int r;

	r = collect(p, "keyslots", ks, &p->have_keyslots);
	if (!r)
		r = collect(p, "tokens", tk, &have_tokens);
	if (!r)
		r = collect(p, "segments", sg, &p->have_segments);
	if (!r)
		r = collect(p, "digests", dg, &p->have_digests);
	for (unsigned id = 0; !r && id < DMB_LUKS_MAX_SLOTS; id++) {
		if (ks[id])
			r = keyslot_load(p, ks[id], id, &h->keyslots[h->nkeyslots++]);
		if (!r && sg[id])
			r = segment_load(p, sg[id], id, &h->segments[h->nsegments++]);
		if (!r && dg[id])
			r = digest_load(p, dg[id], id, &h->digests[h->ndigests++]);
		if (!r && tk[id])
			r = token_load(p, tk[id], id, &h->tokens[h->ntokens++]);
	}
	return r;
}

int dmbi_luks2_json_load(struct dmb_ctx *ctx, const char *json, size_t len,
			 uint64_t hdr_size_bytes, struct dmb_luks_hdr *h, char names[128])
{
	struct dmbi_json j = { .max_depth = DMBI_LUKS2_JSON_MAX_DEPTH };
	struct jp p = { .ctx = ctx, .s = json, .h = h, .hdr_size = hdr_size_bytes };
	int r;

	/* Every token but the last takes two bytes at least ("1," "[]" "\"\":"). */
	j.cap = DMBI_MIN(len / 2 + 1, (size_t)DMBI_LUKS2_JSON_MAX_TOKENS);
	j.tok = dmbi_calloc(j.cap, sizeof(*j.tok));
	if (!j.tok)
		return dmb_ctx_set_error(ctx, DMB_ENOMEM, "LUKS2 JSON: out of memory");
	r = dmbi_json_parse(&j, json, len);
	if (r) {
		if (j.error == DMBI_JSON_EDEPTH)
			r = dmb_ctx_set_error(ctx, DMB_ECORRUPT, "LUKS2 JSON: nested deeper than %u levels at byte %zu",
					      DMBI_LUKS2_JSON_MAX_DEPTH, j.at);
		else if (j.error == DMBI_JSON_ETOKENS)
			r = dmb_ctx_set_error(ctx, DMB_ECORRUPT, "LUKS2 JSON: more than %u values",
					      DMBI_LUKS2_JSON_MAX_TOKENS);
		else
			r = dmb_ctx_set_error(ctx, DMB_ECORRUPT, "LUKS2 JSON: malformed at byte %zu", j.at);
		goto out;
	}
	p.t = j.tok;
	if (j.tok[0].type != DMBI_JSON_OBJECT) {
		r = dmb_ctx_set_error(ctx, DMB_ECORRUPT, "LUKS2 JSON: not an object");
		goto out;
	}
	r = config_load(&p, names);
	if (!r)
		r = objects_load(&p);
	if (!r)
		r = check_areas(&p);
	if (!r)
		r = check_refs(&p);
out:
	dmb_port_free(j.tok);
	return r;
}
