/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/* Strict base64 decoding (the verity signature partition's "signature"). */
#ifndef DMBOOT_LIB_BASE_BASE64_H
#define DMBOOT_LIB_BASE_BASE64_H

#include <dmboot/dmboot.h>

/*
 * Decode base64 (standard alphabet, '=' padding, nothing else) from
 * in[0..len) into out (at most cap bytes); *out_len gets the length.
 * Errors: DMB_EINVAL (not strict base64), DMB_ERANGE (more than cap bytes).
 */
int dmbi_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len);

#endif /* DMBOOT_LIB_BASE_BASE64_H */
