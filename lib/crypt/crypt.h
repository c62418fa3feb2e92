/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * lib/crypt/: dm-crypt's sector encryption (formats.md §1.7), shared by the
 * crypt target and the LUKS readers, which decrypt key slot areas as a
 * dm-crypt device of 512-byte sectors would.  A cipher specification is
 * parsed once (both of Linux's grammars); a storage object holds the keyed
 * ciphers of one specification and key, and en/decrypts whole crypto
 * sectors given their IV sector.
 *
 * Inclusion rule: a file in lib/crypt/ includes <dmboot/...> public headers
 * and lib/base/, lib/core/ and lib/crypt/ headers.
 */
#ifndef DMBOOT_LIB_CRYPT_H
#define DMBOOT_LIB_CRYPT_H

#include "../core/core.h"

#define DMBI_CRYPT_NAME_MAX 64   /* cipher, chain mode, ivopts: at most 63 bytes each */
#define DMBI_CRYPT_MAX_KEYCOUNT 64 /* keycount in cipher:keycount-... (a power of 2) */

enum dmbi_crypt_iv {
	DMBI_IV_NONE,      /* ecb, no IV */
	DMBI_IV_PLAIN,
	DMBI_IV_PLAIN64,
	DMBI_IV_PLAIN64BE,
	DMBI_IV_ESSIV,
	DMBI_IV_BENBI,
	DMBI_IV_NULL,
	DMBI_IV_EBOIV,
};

/* A cipher specification, as dm-crypt's crypt_ctr_cipher() splits it. */
struct dmbi_crypt_spec {
	char cipher[DMBI_CRYPT_NAME_MAX]; /* "aes" */
	char chain[DMBI_CRYPT_NAME_MAX];  /* "xts", "cbc", "ecb" */
	enum dmbi_crypt_iv iv;
	char ivopts[DMBI_CRYPT_NAME_MAX]; /* essiv's hash ("sha256"); "" otherwise */
	unsigned keycount;                /* 1 unless cipher:N-...; a power of 2 */
	bool capi;                        /* given as capi:mode(cipher)-iv */
};

/*
 * Parse spec (`aes-xts-plain64`, `aes-cbc-essiv:sha256`, `aes`,
 * `capi:xts(aes)-plain64`, ...).  Returns 0, DMB_EINVAL with *why set to
 * the kernel's message for a malformed one, or DMB_ENOTSUP with *why naming
 * what is not supported (AEAD/authenc, lmk, tcw, random).
 */
int dmbi_crypt_spec_parse(const char *spec, struct dmbi_crypt_spec *out, const char **why);

struct dmbi_crypt_storage;

/*
 * Key a storage for spec: key_len bytes of key (split in spec->keycount
 * parts); sector_size 512..4096, a power of 2; iv_large_sectors as the
 * table option.  The storage keeps no copy of key beyond the provider's.
 * Errors: DMB_ENOTSUP (the provider lacks the cipher, chain mode or essiv
 * hash: the message names it), DMB_EINVAL (key length wrong for the cipher),
 * DMB_ENOMEM.  The message is set in ctx.
 */
int dmbi_crypt_storage_create(struct dmb_ctx *ctx, const struct dmbi_crypt_spec *spec,
			      const uint8_t *key, size_t key_len, unsigned sector_size,
			      bool iv_large_sectors, struct dmbi_crypt_storage **out);

/*
 * En- or decrypt len bytes in place: whole crypto sectors (len a multiple
 * of sector_size), the first of which starts at iv_sector512 512-byte
 * sectors into the IV space (target-relative sector + iv_offset; the
 * storage applies iv_large_sectors).  Errors: DMB_EINVAL (len), DMB_EIO.
 */
int dmbi_crypt_storage_crypt(struct dmbi_crypt_storage *st, bool encrypt, uint64_t iv_sector512,
			     void *buf, size_t len);

/* Wipe and free; accepts NULL. */
void dmbi_crypt_storage_destroy(struct dmbi_crypt_storage *st);

/*
 * LUKS's anti-forensic splitter (formats.md §5.4): merge `stripes` stripes
 * of key_len bytes in src into key (key_len bytes) with digest hash.
 * Scratch is taken from the port and wiped.  Errors: DMB_ENOTSUP (hash),
 * DMB_ENOMEM, DMB_EINVAL (key_len or stripes 0).
 */
int dmbi_af_merge(struct dmb_ctx *ctx, const char *hash, const uint8_t *src, size_t key_len,
		  uint32_t stripes, uint8_t *key);

#endif /* DMBOOT_LIB_CRYPT_H */
