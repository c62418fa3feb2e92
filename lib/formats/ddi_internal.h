/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * What the Discoverable Disk Image files share (ddi.c dissection,
 * ddi_types.c, ddi_version.c, ddi_fsprobe.c, ddi_sig.c, ddi_handoff.c), and
 * what tests and fuzzers reach directly: systemd's version order and the
 * parser of a -verity-sig partition's content (formats.md §6.4).
 */
#ifndef DMBOOT_LIB_DDI_INTERNAL_H
#define DMBOOT_LIB_DDI_INTERNAL_H

#include "formats.h"

/* Largest number of JSON tokens, and deepest nesting, a -verity-sig partition may hold. */
#define DMBI_DDI_SIG_MAX_TOKENS 4096
#define DMBI_DDI_SIG_MAX_DEPTH 32u

/*
 * systemd's strverscmp_improved(): -1, 0 or 1 as a is older than, as old
 * as, or newer than b.  Segments of digits or letters, each optionally
 * after '~' (a pre-release: older than anything, even the end of the
 * string), '-' (version-release separator), '^' (a patched release) or
 * '.'; other characters only separate.  Numbers compare by value, letters
 * bytewise, and a numeric segment is newer than an alphabetic one; with
 * all segments equal, more segments is newer.
 */
int dmbi_ddi_version_cmp(const char *a, const char *b);

/*
 * Parse the content of a -verity-sig partition, text[0..len): a JSON
 * object padded with NUL bytes (after the first NUL only NULs), with
 * "rootHash" (hex, 16 to DMB_MAX_DIGEST_SIZE bytes, neither its first nor
 * its last 16 bytes all zero), "signature" (base64 of the DER PKCS#7) and
 * optionally "certificateFingerprint" (64 hex digits); other members are
 * ignored.  Fills root_hash, root_hash_size, signature (allocated; the
 * caller frees it with dmb_port_free() even on failure), signature_size and
 * cert_fingerprint of v, which must start zeroed; root_hash_size stays 0
 * unless rootHash is valid.  who starts every message.
 * Errors: DMB_ECORRUPT (the message says what is wrong), DMB_ENOMEM.
 */
int dmbi_ddi_sig_json_parse(struct dmb_ctx *ctx, const char *who, const char *text, size_t len,
			    struct dmb_ddi_verity *v);

/* The designator name of p ("root", "usr-verity", ...), for messages. */
const char *dmbi_ddi_pname(const struct dmb_ddi_partition *p);

/*
 * What systemd makes of an MBR partition: *d for a bootable 0x83 (generic
 * Linux data) or an 0xEA (XBOOTLDR) one; DMB_ENOENT for any other.
 */
int dmbi_ddi_mbr_classify(const struct dmb_part *p, enum dmb_ddi_designator *d);

/* The file system of part by its magic into out ("" when unknown or unreadable). */
void dmbi_ddi_probe_fstype(struct dmb_bdev *part, enum dmb_ddi_designator d, char *out, size_t cap);

/* Whether the first or the last 16 bytes of a root hash, the partition UUIDs it gives, are zero. */
bool dmbi_ddi_zero_uuid_in(const uint8_t *root_hash, size_t size);

/*
 * Read, parse and verify the signature partition v->sig of ddi on disk;
 * with given_size, its root hash must be given.  hash, when not NULL, is the
 * -verity partition the root hash is for: a rootHash whose size is not that
 * of its superblock's digests is malformed (its size then 0).  Errors:
 * DMB_ERANGE (over DMB_DDI_MAX_SIG_PART_BYTES), DMB_ECORRUPT (content),
 * DMB_EVERIFY (root hash differs from the given one), DMB_ENOTSUP (no
 * verifier), DMB_ENOMEM, the read's error or the verifier's.
 */
int dmbi_ddi_load_signature(struct dmb_ctx *ctx, struct dmb_bdev *disk, struct dmb_ddi *ddi,
			    struct dmb_ddi_verity *v, const struct dmb_ddi_partition *hash,
			    const uint8_t *given, size_t given_size);

/* A block device of partition p of ddi's disk. */
static inline int dmbi_ddi_open_slice(struct dmb_ctx *ctx, struct dmb_bdev *disk,
				      const struct dmb_ddi *ddi, const struct dmb_ddi_partition *p,
				      struct dmb_slice_bdev *sb)
{
	return dmb_part_slice(ctx, disk, ddi->table, p->part, sb);
}

#endif /* DMBOOT_LIB_DDI_INTERNAL_H */
