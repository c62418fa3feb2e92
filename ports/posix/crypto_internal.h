/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/* Shared between the host crypto provider's files. */
#ifndef DMBOOT_POSIX_CRYPTO_INTERNAL_H
#define DMBOOT_POSIX_CRYPTO_INTERNAL_H

#include "dmboot_posix.h"

int dmb_posix_pkcs7_verify(const struct dmb_crypto *c, struct dmb_ctx *ctx, const uint8_t *sig,
			   size_t sig_len, const uint8_t *data, size_t len);

#endif /* DMBOOT_POSIX_CRYPTO_INTERNAL_H */
