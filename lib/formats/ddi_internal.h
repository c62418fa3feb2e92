/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * Internals of the Discoverable Disk Image code (ddi.c) that tests and
 * fuzzers reach directly: systemd's version order for partition labels and
 * the parser of a -verity-sig partition's content (formats.md §6.4).
 */
#ifndef DMBOOT_LIB_DDI_INTERNAL_H
#define DMBOOT_LIB_DDI_INTERNAL_H

#include <dmboot/dmboot.h>

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

#endif /* DMBOOT_LIB_DDI_INTERNAL_H */
