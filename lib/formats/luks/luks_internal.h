/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * Shared by the LUKS readers: luks.c (the public API of <dmboot/luks.h>,
 * key slot unlocking common to both versions, the table), luks1.c (the
 * LUKS1 header) and luks2*.c (the LUKS2 binary headers and JSON).
 */
#ifndef DMBOOT_LIB_FORMATS_LUKS_INTERNAL_H
#define DMBOOT_LIB_FORMATS_LUKS_INTERNAL_H

#include "../formats.h"
#include "../../crypt/crypt.h"

/* Largest LUKS2 metadata area (binary header + JSON) cryptsetup accepts. */
#define DMBI_LUKS2_HDR_MAX (4u << 20)

struct dmb_luks {
	struct dmb_luks_hdr hdr;
	/* Owned copies the model points into (json, tokens, unknown names). */
	char *json;
	size_t json_cap;
	char names[128];   /* unknown flag / requirement text hdr points at */
};

/*
 * Fill l->hdr from a LUKS1 header at the start of dev (hdr->version 1,
 * one keyslot entry per slot 0..7 whether active or not, digests[0] the
 * mkDigest with PBKDF2 parameters, segments[0] the payload: type "crypt",
 * encryption cipherName-cipherMode, offset payloadOffset * 512, dynamic,
 * sector_size 512).  Errors as dmb_luks_load().
 */
int dmbi_luks1_load(struct dmb_ctx *ctx, struct dmb_bdev *dev, struct dmb_luks *l);

/*
 * Fill l->hdr from the LUKS2 headers on dev: the newer valid binary header
 * copy (a damaged one passed over with a warning), its JSON validated
 * object by object.  l->json holds the JSON text.  Errors as
 * dmb_luks_load().
 */
int dmbi_luks2_load(struct dmb_ctx *ctx, struct dmb_bdev *dev, struct dmb_luks *l);

/*
 * Whether the header may be unlocked at all (LUKS2 requirements, reencrypt
 * keyslots, non-crypt segments): 0, or DMB_ENOTSUP with a message naming
 * what is refused.  Runs before any key derivation.
 */
int dmbi_luks_check_usable(struct dmb_ctx *ctx, const struct dmb_luks *l);

/*
 * Derive the key of keyslot ks from the passphrase into key
 * (ks->area_key_bytes): PBKDF2 or Argon2 through the provider, the memory
 * cap checked first (DMB_ERANGE, message naming both figures).
 */
int dmbi_luks_derive(struct dmb_ctx *ctx, const struct dmb_luks_keyslot *ks,
		     const uint8_t *pass, size_t pass_len, uint8_t *key);

#endif /* DMBOOT_LIB_FORMATS_LUKS_INTERNAL_H */
