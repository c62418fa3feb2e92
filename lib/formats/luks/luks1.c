// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The LUKS1 header (formats.md §5.6): the first 592 bytes of the device,
 * big-endian, copied out field by field, converted and validated before
 * anything uses them, then expressed in the model of <dmboot/luks.h> (eight
 * keyslot entries, the mkDigest as digests[0], the payload as segments[0]).
 * The key slot checks follow what cryptsetup's LUKS1 reader enforces: 4000
 * stripes in every slot, every key material area after the header, before
 * the payload (unless the header is detached, payloadOffset 0), inside the
 * device and not overlapping another.
 */
#include <dmboot/dmboot.h>

#include "luks_internal.h"

#define HDR_BYTES 592u
#define NSLOTS 8u
#define STRIPES 4000u /* the only count cryptsetup's LUKS1 reader accepts */
#define KEY_ENABLED 0x00AC71F3u
#define KEY_DISABLED 0x0000DEADu
#define DIGEST_LEN 20u
#define SALT_LEN 32u
#define SLOT_BASE 208u
#define SLOT_LEN 48u

static const uint8_t magic[6] = { 'L', 'U', 'K', 'S', 0xba, 0xbe };

/* A fixed-size string field must hold a NUL and be non-empty if required. */
static int get_str(struct dmb_ctx *ctx, const uint8_t *hdr, size_t off, size_t len,
		   const char *what, bool need, char *out, size_t cap)
{
	size_t n = dmbi_strnlen((const char *)hdr + off, len);

	if (n == len || n >= cap)
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "LUKS header: %s is not terminated", what);
	if (need && n == 0)
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "LUKS header: %s is empty", what);
	memcpy(out, hdr + off, n);
	out[n] = '\0';
	return 0;
}

static uint64_t area_sectors(uint32_t key_bytes)
{
	return ((uint64_t)key_bytes * STRIPES + 511) / 512;
}

static int load_slot(struct dmb_ctx *ctx, const uint8_t *hdr, unsigned i, struct dmb_luks_hdr *h)
{
	const uint8_t *s = hdr + SLOT_BASE + i * SLOT_LEN;
	struct dmb_luks_keyslot *ks = &h->keyslots[i];
	uint32_t active = dmbi_get_be32(s), iters = dmbi_get_be32(s + 4);
	uint32_t kmo = dmbi_get_be32(s + 40), stripes = dmbi_get_be32(s + 44);
	if (active != KEY_ENABLED && active != KEY_DISABLED)
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT,
					 "LUKS keyslot %u is invalid: state 0x%08x is neither enabled nor disabled",
					 i, (unsigned)active);
	if (stripes != STRIPES)
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT,
					 "LUKS keyslot %u is invalid: %u stripes (must be %u)", i,
					 (unsigned)stripes, STRIPES);
	if (active == KEY_ENABLED && iters == 0)
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "LUKS keyslot %u is invalid: 0 iterations", i);
	if ((uint64_t)kmo * 512 < HDR_BYTES)
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT,
					 "LUKS keyslot %u is invalid: key material at sector %u is inside the header",
					 i, (unsigned)kmo);
	ks->id = i;
	ks->active = active == KEY_ENABLED;
	ks->kdf.iterations = iters;
	memcpy(ks->kdf.salt, s + 8, SALT_LEN);
	ks->kdf.salt_len = SALT_LEN;
	ks->area_offset_bytes = (uint64_t)kmo * 512;
	ks->af_stripes = stripes;
	return 0;
}

/* Every area before the payload, inside the device, and none overlapping. */
static int check_areas(struct dmb_ctx *ctx, struct dmb_luks_hdr *h, uint32_t payload,
		       uint64_t dev_sectors, uint32_t key_bytes)
{
	uint64_t len = area_sectors(key_bytes);
	unsigned i, j;

	for (i = 0; i < NSLOTS; i++) {
		uint64_t start = h->keyslots[i].area_offset_bytes / 512;

		if (payload != 0 && start + len > payload)
			return dmb_ctx_set_error(ctx, DMB_ECORRUPT,
						 "LUKS keyslot %u is invalid: key material (sectors %llu..%llu) reaches the payload at sector %u",
						 i, (unsigned long long)start,
						 (unsigned long long)(start + len - 1), (unsigned)payload);
		if (start + len > dev_sectors)
			return dmb_ctx_set_error(ctx, DMB_ECORRUPT,
						 "LUKS keyslot %u is invalid: key material ends past the device (%llu sectors)",
						 i, (unsigned long long)dev_sectors);
		for (j = 0; j < i; j++) {
			uint64_t o = h->keyslots[j].area_offset_bytes / 512;

			if (start < o + len && o < start + len)
				return dmb_ctx_set_error(ctx, DMB_ECORRUPT,
							 "LUKS keyslot %u is invalid: key material overlaps keyslot %u",
							 i, j);
		}
	}
	return 0;
}

static int fill_model(struct dmb_ctx *ctx, const uint8_t *hdr, struct dmb_luks_hdr *h,
		      uint64_t dev_sectors)
{
	uint32_t payload = dmbi_get_be32(hdr + 104), key_bytes = dmbi_get_be32(hdr + 108);
	uint32_t mk_iters = dmbi_get_be32(hdr + 164);
	struct dmb_luks_digest *d = &h->digests[0];
	struct dmb_luks_segment *seg = &h->segments[0];
	char spec[DMB_LUKS_NAME_MAX];
	unsigned i;
	int r;

	if (key_bytes < 16 || key_bytes > DMB_LUKS_MAX_KEY_BYTES)
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "LUKS header: key size %u out of range (16..%u)",
					 (unsigned)key_bytes, DMB_LUKS_MAX_KEY_BYTES);
	if (mk_iters == 0)
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "LUKS header: 0 volume key digest iterations");
	if (dmbi_snprintf(spec, sizeof(spec), "%s-%s", h->cipher_name, h->cipher_mode) >= sizeof(spec))
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "LUKS header: cipher specification too long");
	for (i = 0; i < NSLOTS; i++) {
		struct dmb_luks_keyslot *ks = &h->keyslots[i];

		r = load_slot(ctx, hdr, i, h);
		if (r)
			return r;
		memcpy(ks->type, "luks1", 6);
		ks->key_bytes = key_bytes;
		ks->priority = 1;
		memcpy(ks->area_type, "raw", 4);
		memcpy(ks->area_encryption, spec, sizeof(spec));
		ks->area_key_bytes = key_bytes;
		ks->area_size_bytes = area_sectors(key_bytes) * 512;
		memcpy(ks->kdf.type, "pbkdf2", 7);
		memcpy(ks->kdf.hash, h->hash_spec, sizeof(h->hash_spec));
		memcpy(ks->af_type, "luks1", 6);
		memcpy(ks->af_hash, h->hash_spec, sizeof(h->hash_spec));
		ks->digest = 0;
		if (ks->active)
			d->keyslots |= 1u << i;
	}
	r = check_areas(ctx, h, payload, dev_sectors, key_bytes);
	if (r)
		return r;
	if ((uint64_t)payload > dev_sectors)
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "LUKS header: payload offset %u past the device (%llu sectors)",
					 (unsigned)payload, (unsigned long long)dev_sectors);
	h->nkeyslots = NSLOTS;
	h->payload_offset_sectors = payload;
	memcpy(d->type, "pbkdf2", 7);
	memcpy(d->kdf.type, "pbkdf2", 7);
	memcpy(d->kdf.hash, h->hash_spec, sizeof(h->hash_spec));
	d->kdf.iterations = mk_iters;
	memcpy(d->kdf.salt, hdr + 132, SALT_LEN);
	d->kdf.salt_len = SALT_LEN;
	memcpy(d->digest, hdr + 112, DIGEST_LEN);
	d->digest_len = DIGEST_LEN;
	d->segments = 1;
	h->ndigests = 1;
	memcpy(seg->type, "crypt", 6);
	seg->offset_bytes = (uint64_t)payload * 512;
	seg->dynamic = true;
	memcpy(seg->encryption, spec, sizeof(spec));
	seg->sector_size = 512;
	h->nsegments = 1;
	return 0;
}

int dmbi_luks1_load(struct dmb_ctx *ctx, struct dmb_bdev *dev, struct dmb_luks *l)
{
	struct dmb_luks_hdr *h = &l->hdr;
	uint8_t hdr[HDR_BYTES];
	uint16_t version;
	int r;

	memset(h, 0, sizeof(*h));
	if (dmb_bdev_bytes(dev) < HDR_BYTES)
		return dmb_ctx_set_error(ctx, DMB_ENOENT, "device too small for a LUKS header");
	r = dmbi_bdev_read_bytes(ctx, dev, 0, HDR_BYTES, hdr);
	if (r)
		return dmb_ctx_set_error(ctx, r, "cannot read the LUKS header");
	if (memcmp(hdr, magic, sizeof(magic)) != 0) {
		r = dmb_ctx_set_error(ctx, DMB_ENOENT, "no LUKS header (magic missing)");
		goto out;
	}
	version = dmbi_get_be16(hdr + 6);
	if (version != 1) {
		r = dmb_ctx_set_error(ctx, DMB_ENOTSUP, "unsupported LUKS version %u", version);
		goto out;
	}
	h->version = 1;
	r = get_str(ctx, hdr, 8, 32, "cipher name", true, h->cipher_name, sizeof(h->cipher_name));
	if (!r)
		r = get_str(ctx, hdr, 40, 32, "cipher mode", true, h->cipher_mode, sizeof(h->cipher_mode));
	if (!r)
		r = get_str(ctx, hdr, 72, 32, "hash", true, h->hash_spec, sizeof(h->hash_spec));
	if (!r)
		r = get_str(ctx, hdr, 168, 40, "UUID", false, h->uuid, sizeof(h->uuid));
	if (!r)
		r = fill_model(ctx, hdr, h, dmb_bdev_sectors(dev));
out:
	dmbi_wipe(hdr, sizeof(hdr));
	if (r)
		dmbi_wipe(h, sizeof(*h));
	return r;
}
