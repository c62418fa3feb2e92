/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/* Shared between the host crypto provider's files. */
#ifndef DMBOOT_POSIX_CRYPTO_INTERNAL_H
#define DMBOOT_POSIX_CRYPTO_INTERNAL_H

#include "dmboot_posix.h"

int dmb_posix_pkcs7_verify(const struct dmb_crypto *c, struct dmb_ctx *ctx, const uint8_t *sig,
			   size_t sig_len, const uint8_t *data, size_t len);

/* OpenSSL's name for a Linux crypto API digest name. */
const char *dmb_posix_digest_name(const char *kernel_name);

int dmb_posix_cipher_create(const struct dmb_crypto *c, const char *cipher, const char *mode,
			    const uint8_t *key, size_t key_len, struct dmb_cipher **out,
			    size_t *block_size);
int dmb_posix_cipher_crypt(struct dmb_cipher *ci, bool encrypt, const uint8_t *iv,
			   const void *in, void *out, size_t len);
int dmb_posix_cipher_crypt_units(struct dmb_cipher *ci, bool encrypt, const uint8_t *ivs,
				 const void *in, void *out, size_t unit_len, size_t count);
void dmb_posix_cipher_destroy(struct dmb_cipher *ci);
int dmb_posix_pbkdf2(const struct dmb_crypto *c, const char *hash, const uint8_t *pass,
		     size_t pass_len, const uint8_t *salt, size_t salt_len, uint32_t iterations,
		     uint8_t *out, size_t out_len);
int dmb_posix_argon2(const struct dmb_crypto *c, enum dmb_argon2_type type, uint32_t t_cost,
		     uint32_t m_cost_kib, uint32_t lanes, const uint8_t *pass, size_t pass_len,
		     const uint8_t *salt, size_t salt_len, uint8_t *out, size_t out_len);

#endif /* DMBOOT_POSIX_CRYPTO_INTERNAL_H */
