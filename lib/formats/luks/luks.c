// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The public LUKS API of <dmboot/luks.h> (formats.md §5): probing, loading
 * (LUKS1 through luks1.c, LUKS2 through luks2*.c), the key slot unlock
 * common to both versions (§5.4, §5.6: KDF, key material decrypted as a
 * dm-crypt device of 512-byte sectors with IVs from 0, AF merge, PBKDF2
 * digest compared in constant time over an exact key length), the volume
 * key check, and the dm-crypt table cryptsetup loads for the data segment
 * (§5.5).  Every buffer that held a passphrase-derived key, key material or
 * a candidate volume key is wiped on every path.
 */
#include <dmboot/dmboot.h>

#include "luks_internal.h"

static const uint8_t luks_magic[6] = { 'L', 'U', 'K', 'S', 0xba, 0xbe };

int dmb_luks_probe(struct dmb_ctx *ctx, struct dmb_bdev *dev)
{
	uint8_t b[8];
	uint16_t v;
	int r;

	if (dmb_bdev_bytes(dev) < sizeof(b))
		return 0;
	r = dmbi_bdev_read_bytes(ctx, dev, 0, sizeof(b), b);
	if (r)
		return dmb_ctx_set_error(ctx, r, "cannot read the LUKS header");
	if (memcmp(b, luks_magic, sizeof(luks_magic)) != 0)
		return 0;
	v = dmbi_get_be16(b + 6);
	return v == 1 || v == 2 ? v : 0;
}

int dmb_luks_load(struct dmb_ctx *ctx, struct dmb_bdev *dev, struct dmb_luks **out)
{
	struct dmb_luks *l;
	int r;

	*out = NULL;
	r = dmb_luks_probe(ctx, dev);
	if (r < 0)
		return r;
	if (r == 0)
		return dmb_ctx_set_error(ctx, DMB_ENOENT, "Device is not a valid LUKS device.");
	l = dmbi_calloc(1, sizeof(*l));
	if (!l)
		return dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory for the LUKS header");
	r = r == 1 ? dmbi_luks1_load(ctx, dev, l) : dmbi_luks2_load(ctx, dev, l);
	if (r) {
		dmb_luks_destroy(l);
		return r;
	}
	*out = l;
	return 0;
}

void dmb_luks_destroy(struct dmb_luks *l)
{
	if (!l)
		return;
	if (l->json) {
		dmbi_wipe(l->json, l->json_cap);
		dmb_port_free(l->json);
	}
	dmbi_wipe(l, sizeof(*l));
	dmb_port_free(l);
}

const struct dmb_luks_hdr *dmb_luks_header(const struct dmb_luks *l)
{
	return &l->hdr;
}

int dmbi_luks_check_usable(struct dmb_ctx *ctx, const struct dmb_luks *l)
{
	const struct dmb_luks_hdr *h = &l->hdr;
	size_t i;

	if (h->requirements)
		return dmb_ctx_set_error(ctx, DMB_ENOTSUP, "LUKS2 requirement %s is not supported",
					 h->requirements);
	for (i = 0; i < h->nkeyslots; i++)
		if (dmbi_strcmp(h->keyslots[i].type, "reencrypt") == 0)
			return dmb_ctx_set_error(ctx, DMB_ENOTSUP,
						 "keyslot %u is a reencryption keyslot: reencryption is not supported",
						 h->keyslots[i].id);
	for (i = 0; i < h->nsegments; i++) {
		if (dmbi_strcmp(h->segments[i].type, "crypt") != 0)
			return dmb_ctx_set_error(ctx, DMB_ENOTSUP, "segment %u of type %s is not supported",
						 h->segments[i].id, h->segments[i].type);
		if (h->segments[i].integrity)
			return dmb_ctx_set_error(ctx, DMB_ENOTSUP, "segment %u: integrity %s is not supported",
						 h->segments[i].id, h->segments[i].integrity_type);
	}
	return 0;
}

static const struct dmb_crypto_ops *crypto_ops(struct dmb_ctx *ctx)
{
	if (!ctx->crypto || !ctx->crypto->ops)
		return NULL;
	return ctx->crypto->ops;
}

int dmbi_luks_derive(struct dmb_ctx *ctx, const struct dmb_luks_keyslot *ks,
		     const uint8_t *pass, size_t pass_len, uint8_t *key)
{
	const struct dmb_crypto_ops *ops = crypto_ops(ctx);
	const struct dmb_luks_kdf *k = &ks->kdf;
	enum dmb_argon2_type t;

	if (dmbi_strcmp(k->type, "pbkdf2") == 0) {
		int r;

		if (!ops || !ops->pbkdf2)
			return dmb_ctx_set_error(ctx, DMB_ENOTSUP, "no PBKDF2 in the crypto provider");
		r = ops->pbkdf2(ctx->crypto, k->hash, pass, pass_len, k->salt, k->salt_len,
				k->iterations, key, ks->area_key_bytes);
		/* The provider sets no message: name the slot and the hash. */
		if (r == DMB_ENOTSUP)
			return dmb_ctx_set_error(ctx, r,
						 "keyslot %u: PBKDF2 hash %s is not supported by the crypto provider",
						 ks->id, k->hash);
		if (r)
			return dmb_ctx_set_error(ctx, r, "keyslot %u: PBKDF2-%s failed", ks->id, k->hash);
		return 0;
	}
	if (dmbi_strcmp(k->type, "argon2i") == 0)
		t = DMB_ARGON2I;
	else if (dmbi_strcmp(k->type, "argon2id") == 0)
		t = DMB_ARGON2ID;
	else
		return dmb_ctx_set_error(ctx, DMB_ENOTSUP, "keyslot %u: KDF %s is not supported", ks->id,
					 k->type);
	if (ctx->mem.kdf_max_kib && k->memory_kib > ctx->mem.kdf_max_kib)
		return dmb_ctx_set_error(ctx, DMB_ERANGE,
					 "keyslot %u: Argon2 needs %u KiB of memory, above the limit of %u KiB",
					 ks->id, (unsigned)k->memory_kib, (unsigned)ctx->mem.kdf_max_kib);
	if (!ops || !ops->argon2)
		return dmb_ctx_set_error(ctx, DMB_ENOTSUP, "no Argon2 in the crypto provider");
	return ops->argon2(ctx->crypto, t, k->time, k->memory_kib, k->cpus, pass, pass_len, k->salt,
			   k->salt_len, key, ks->area_key_bytes);
}

/*
 * Whether cand[0..len) is the volume key of digest d: the PBKDF2 of it over
 * exactly len bytes equals the stored digest (constant-time compare).
 * 0, DMB_EVERIFY, or the provider's error.
 */
static int digest_check(struct dmb_ctx *ctx, const struct dmb_luks_digest *d, const uint8_t *cand,
			size_t len)
{
	const struct dmb_crypto_ops *ops = crypto_ops(ctx);
	uint8_t out[DMB_LUKS_MAX_DIGEST];
	int r;

	if (!ops || !ops->pbkdf2)
		return dmb_ctx_set_error(ctx, DMB_ENOTSUP, "no PBKDF2 in the crypto provider");
	if (dmbi_strcmp(d->type, "pbkdf2") != 0)
		return dmb_ctx_set_error(ctx, DMB_ENOTSUP, "digest %u of type %s is not supported", d->id,
					 d->type);
	if (d->digest_len == 0 || d->digest_len > sizeof(out))
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "digest %u: bad length %zu", d->id,
					 d->digest_len);
	r = ops->pbkdf2(ctx->crypto, d->kdf.hash, cand, len, d->kdf.salt, d->kdf.salt_len,
			d->kdf.iterations, out, d->digest_len);
	if (!r && dmb_memcmp_ct(out, d->digest, d->digest_len) != 0)
		r = DMB_EVERIFY;
	else if (r)
		r = dmb_ctx_set_error(ctx, r, "digest %u: PBKDF2 hash %s %s", d->id, d->kdf.hash,
				      r == DMB_ENOTSUP ? "is not supported by the crypto provider"
						       : "failed");
	dmbi_wipe(out, sizeof(out));
	return r;
}

/* The volume key length the digest is for: that of the keyslots it lists. */
static size_t digest_key_bytes(const struct dmb_luks_hdr *h, const struct dmb_luks_digest *d)
{
	size_t i;

	if (h->version == 1) /* one key size for all eight slots, active or not */
		return h->nkeyslots ? h->keyslots[0].key_bytes : 0;
	for (i = 0; i < h->nkeyslots; i++)
		if (h->keyslots[i].id < 32 && (d->keyslots >> h->keyslots[i].id & 1u))
			return h->keyslots[i].key_bytes;
	return 0;
}

/* Decrypt the key material area of ks in place with key dk (512-byte sectors, IV from 0). */
static int decrypt_area(struct dmb_ctx *ctx, const struct dmb_luks_keyslot *ks, const uint8_t *dk,
			uint8_t *buf, size_t len)
{
	struct dmbi_crypt_storage *st = NULL;
	struct dmbi_crypt_spec spec;
	const char *why = NULL;
	int r;

	r = dmbi_crypt_spec_parse(ks->area_encryption, &spec, &why);
	if (r)
		return dmb_ctx_set_error(ctx, r, "keyslot %u: cipher %s: %s", ks->id, ks->area_encryption,
					 why ? why : "not supported");
	r = dmbi_crypt_storage_create(ctx, &spec, dk, ks->area_key_bytes, 512, false, &st);
	if (r)
		return r;
	r = dmbi_crypt_storage_crypt(st, false, 0, buf, len);
	dmbi_crypt_storage_destroy(st);
	if (r)
		return dmb_ctx_set_error(ctx, r, "keyslot %u: cannot decrypt the key material", ks->id);
	return 0;
}

/*
 * Try one keyslot: 0 with the volume key in vk (ks->key_bytes), DMB_EVERIFY
 * when the passphrase is not this slot's, or another error.
 */
static int try_slot(struct dmb_ctx *ctx, const struct dmb_luks *l, struct dmb_bdev *dev,
		    const struct dmb_luks_keyslot *ks, const uint8_t *pass, size_t pass_len,
		    uint8_t *vk)
{
	const struct dmb_luks_hdr *h = &l->hdr;
	uint8_t dk[DMB_LUKS_MAX_KEY_BYTES];
	uint8_t *buf = NULL;
	uint64_t need;
	size_t len = 0;
	int r;

	if (ks->key_bytes == 0 || ks->key_bytes > DMB_LUKS_MAX_KEY_BYTES || ks->area_key_bytes == 0 ||
	    ks->area_key_bytes > DMB_LUKS_MAX_KEY_BYTES || ks->af_stripes == 0 || ks->digest < 0 ||
	    (size_t)ks->digest >= h->ndigests)
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "keyslot %u: inconsistent parameters", ks->id);
	if (digest_key_bytes(h, &h->digests[ks->digest]) != ks->key_bytes)
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "keyslot %u: key size differs from its digest's",
					 ks->id);
	need = ((uint64_t)ks->key_bytes * ks->af_stripes + 511) / 512 * 512;
	if (need > ks->area_size_bytes || need > (uint64_t)DMB_LUKS_MAX_KEY_BYTES * 4000 + 511)
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "keyslot %u: key material larger than its area",
					 ks->id);
	len = (size_t)need;
	r = dmbi_luks_derive(ctx, ks, pass, pass_len, dk);
	if (r)
		goto out;
	buf = dmb_port_malloc(len);
	if (!buf) {
		r = dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory for keyslot %u", ks->id);
		goto out;
	}
	r = dmbi_bdev_read_bytes(ctx, dev, ks->area_offset_bytes, len, buf);
	if (r) {
		r = dmb_ctx_wrap_error(ctx, r, NULL, "keyslot %u: key material: ", ks->id);
		goto out;
	}
	r = decrypt_area(ctx, ks, dk, buf, len);
	if (!r)
		r = dmbi_af_merge(ctx, ks->af_hash, buf, ks->key_bytes, ks->af_stripes, vk);
	if (!r)
		r = digest_check(ctx, &h->digests[ks->digest], vk, ks->key_bytes);
out:
	dmbi_wipe(dk, sizeof(dk));
	if (buf) {
		dmbi_wipe(buf, len);
		dmb_port_free(buf);
	}
	if (r)
		dmbi_wipe(vk, DMB_LUKS_MAX_KEY_BYTES);
	return r;
}

/* The data segment: the one with the lowest id. */
static const struct dmb_luks_segment *data_segment(const struct dmb_luks_hdr *h)
{
	const struct dmb_luks_segment *best = NULL;
	size_t i;

	for (i = 0; i < h->nsegments; i++)
		if (!best || h->segments[i].id < best->id)
			best = &h->segments[i];
	return best;
}

/*
 * Whether the keyslot's key is the data segment's volume key: its digest
 * lists that segment.  An unbound keyslot (luksAddKey --unbound) holds a
 * key of its own under a digest with no segment; mapping the data with it
 * would read garbage, so it never yields a volume key.
 */
static bool slot_bound(const struct dmb_luks_hdr *h, const struct dmb_luks_keyslot *ks)
{
	const struct dmb_luks_segment *seg = data_segment(h);

	return seg && seg->id < 32 && ks->digest >= 0 && (size_t)ks->digest < h->ndigests &&
	       (h->digests[ks->digest].segments >> seg->id & 1u);
}

static const struct dmb_luks_keyslot *find_slot(const struct dmb_luks_hdr *h, unsigned id)
{
	size_t i;

	for (i = 0; i < h->nkeyslots; i++)
		if (h->keyslots[i].id == id)
			return &h->keyslots[i];
	return NULL;
}

/* Try one slot, folding the expected failures into the caller's tally. */
static int attempt(struct dmb_ctx *ctx, const struct dmb_luks *l, struct dmb_bdev *dev,
		   const struct dmb_luks_keyslot *ks, const uint8_t *pass, size_t pass_len,
		   uint8_t *key, unsigned *over_cap, unsigned *tried)
{
	int r = try_slot(ctx, l, dev, ks, pass, pass_len, key);

	(*tried)++;
	if (r == DMB_ERANGE) {
		dmbi_log(ctx, DMB_LOG_WARN, "%s", dmb_ctx_message(ctx));
		(*over_cap)++;
	}
	return r;
}

int dmb_luks_unlock(struct dmb_ctx *ctx, const struct dmb_luks *l, struct dmb_bdev *dev, int slot,
		    const uint8_t *pass, size_t pass_len, uint8_t *vk, size_t vk_cap, size_t *vk_len,
		    int *slot_used)
{
	const struct dmb_luks_hdr *h = &l->hdr;
	uint8_t key[DMB_LUKS_MAX_KEY_BYTES];
	const struct dmb_luks_keyslot *ks = NULL;
	unsigned over_cap = 0, tried = 0;
	int prio, r;
	size_t i;

	r = dmbi_luks_check_usable(ctx, l);
	if (r)
		return r;
	r = DMB_EVERIFY;
	if (slot >= 0) {
		ks = find_slot(h, (unsigned)slot);
		if (!ks || !ks->active)
			return dmb_ctx_set_error(ctx, DMB_ENOENT, "Keyslot %d is not active.", slot);
		r = attempt(ctx, l, dev, ks, pass, pass_len, key, &over_cap, &tried);
		if (r == 0 && !slot_bound(h, ks)) {
			dmbi_wipe(key, sizeof(key));
			return dmb_ctx_set_error(ctx, DMB_EACCES,
						 "keyslot %d is unbound: its key is not the volume key", slot);
		}
	}
	for (prio = 2; slot < 0 && prio >= 1 && (r == DMB_EVERIFY || r == DMB_ERANGE); prio--)
		for (i = 0; i < h->nkeyslots && (r == DMB_EVERIFY || r == DMB_ERANGE); i++) {
			ks = &h->keyslots[i];
			if (!ks->active || ks->priority != prio || !slot_bound(h, ks))
				continue;
			r = attempt(ctx, l, dev, ks, pass, pass_len, key, &over_cap, &tried);
		}
	if (r == DMB_ERANGE && over_cap < tried)
		r = DMB_EVERIFY;
	if (r == 0) {
		if (vk_cap < ks->key_bytes) {
			r = dmb_ctx_set_error(ctx, DMB_ERANGE, "volume key buffer too small");
		} else {
			memcpy(vk, key, ks->key_bytes);
			*vk_len = ks->key_bytes;
			*slot_used = (int)ks->id;
		}
	} else if (r == DMB_EVERIFY) {
		r = dmb_ctx_set_error(ctx, DMB_ENOKEY, "No key available with this passphrase.");
	}
	dmbi_wipe(key, sizeof(key));
	return r;
}

int dmb_luks_check_key(struct dmb_ctx *ctx, const struct dmb_luks *l, const uint8_t *vk,
		       size_t vk_len)
{
	const struct dmb_luks_hdr *h = &l->hdr;
	size_t i;
	int r;

	for (i = 0; i < h->ndigests; i++) {
		const struct dmb_luks_digest *d = &h->digests[i];

		if (!(d->segments & 1u) || digest_key_bytes(h, d) != vk_len)
			continue;
		r = digest_check(ctx, d, vk, vk_len);
		if (r != DMB_EVERIFY)
			return r;
	}
	return dmb_ctx_set_error(ctx, DMB_EVERIFY, "Volume key does not match the volume.");
}

int dmb_luks_table(struct dmb_ctx *ctx, const struct dmb_luks *l, const char *data_dev,
		   uint64_t data_sectors, const char *key_text, uint32_t extra_flags, char *out,
		   size_t cap)
{
	static const struct {
		uint32_t flag;
		const char *name;
	} opts[] = { /* the order of dm-crypt's own table status */
		{ DMB_LUKS_FLAG_ALLOW_DISCARDS, "allow_discards" },
		{ DMB_LUKS_FLAG_SAME_CPU_CRYPT, "same_cpu_crypt" },
		{ DMB_LUKS_FLAG_SUBMIT_FROM_CRYPT_CPUS, "submit_from_crypt_cpus" },
		{ DMB_LUKS_FLAG_NO_READ_WORKQUEUE, "no_read_workqueue" },
		{ DMB_LUKS_FLAG_NO_WRITE_WORKQUEUE, "no_write_workqueue" },
		{ DMB_LUKS_FLAG_HIGH_PRIORITY, "high_priority" },
	};
	const struct dmb_luks_hdr *h = &l->hdr;
	const struct dmb_luks_segment *seg = data_segment(h);
	uint32_t flags = h->flags | extra_flags;
	uint64_t start, len;
	struct dmbi_strbuf sb;
	unsigned nopt = 0;
	size_t i, n;

	if (!seg || dmbi_strcmp(seg->type, "crypt") != 0 || seg->integrity)
		return dmb_ctx_set_error(ctx, DMB_ENOTSUP, "the data segment cannot be mapped by dm-crypt");
	if (seg->sector_size < 512 || seg->sector_size > 4096 || (seg->sector_size & (seg->sector_size - 1)))
		return dmb_ctx_set_error(ctx, DMB_ENOTSUP, "segment sector size %u",
					 (unsigned)seg->sector_size);
	start = seg->offset_bytes / 512;
	if (start > data_sectors)
		return dmb_ctx_set_error(ctx, DMB_ERANGE, "the data segment starts past the device's end");
	len = seg->dynamic ? data_sectors - start : seg->size_bytes / 512;
	if (len > data_sectors - start)
		return dmb_ctx_set_error(ctx, DMB_ERANGE, "the data segment ends past the device's end");
	if (len & (seg->sector_size / 512 - 1))
		return dmb_ctx_set_error(ctx, DMB_ERANGE,
					 "Device size is not aligned to requested sector size.");
	if (len == 0)
		return dmb_ctx_set_error(ctx, DMB_ERANGE, "the data segment is empty");
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		nopt += (flags & opts[i].flag) != 0;
	nopt += seg->sector_size != 512;
	dmbi_strbuf_init(&sb, out, cap);
	dmbi_strbuf_printf(&sb, "0 %llu crypt %s %s %llu %s %llu", (unsigned long long)len,
			   seg->encryption, key_text, (unsigned long long)seg->iv_tweak, data_dev,
			   (unsigned long long)start);
	if (nopt)
		dmbi_strbuf_printf(&sb, " %u", nopt);
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (flags & opts[i].flag)
			dmbi_strbuf_printf(&sb, " %s", opts[i].name);
	if (seg->sector_size != 512)
		dmbi_strbuf_printf(&sb, " sector_size:%u", (unsigned)seg->sector_size);
	n = sb.len;
	if (n + 1 > cap) {
		if (cap)
			dmbi_wipe(out, cap);
		return dmb_ctx_set_error(ctx, DMB_ERANGE, "table line does not fit in %zu bytes", cap);
	}
	return 0;
}
