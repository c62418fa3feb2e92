/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * Between the two halves of the LUKS2 reader: luks2_hdr.c (the binary
 * header copies, their checksums and the choice between them) and
 * luks2_json.c (the JSON area's objects, formats.md §5.2, §5.3).
 */
#ifndef DMBOOT_LIB_FORMATS_LUKS2_INTERNAL_H
#define DMBOOT_LIB_FORMATS_LUKS2_INTERNAL_H

#include "luks_internal.h"

/* The binary header of each copy (formats.md §5.1). */
#define DMBI_LUKS2_BIN_SIZE 4096u

/* JSON values the tokenizer keeps at most, and how deep they may nest. */
#define DMBI_LUKS2_JSON_MAX_TOKENS 65536u
#define DMBI_LUKS2_JSON_MAX_DEPTH 32u

/*
 * Validate json[0..len) (the JSON text of a copy whose hdr_size is
 * hdr_size_bytes, no NUL padding; it must stay alive as long as h) and
 * fill the objects of h: keyslots, segments, digests, tokens and config.
 * names (128 bytes) receives the text h->unknown_flags and h->requirements
 * point at.  Errors: DMB_ECORRUPT, DMB_ENOTSUP (both with a message naming
 * the object and member), DMB_ENOMEM.
 */
int dmbi_luks2_json_load(struct dmb_ctx *ctx, const char *json, size_t len,
			 uint64_t hdr_size_bytes, struct dmb_luks_hdr *h, char names[128]);

#endif /* DMBOOT_LIB_FORMATS_LUKS2_INTERNAL_H */
