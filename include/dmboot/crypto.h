/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * The crypto provider: digests, and detached PKCS#7 signature checks against
 * the embedder's trusted certificates.  lib/ does no cryptography of its own;
 * the host provider (ports/posix/) uses OpenSSL libcrypto.  Every operation
 * is optional: a missing one makes whatever needs it fail closed with
 * DMB_ENOTSUP.
 */
#ifndef DMBOOT_CRYPTO_H
#define DMBOOT_CRYPTO_H

#ifndef DMBOOT_INSIDE_DMBOOT_H
#error "include <dmboot/dmboot.h>, not <dmboot/crypto.h>"
#endif

/* Largest digest the library handles (SHA-512, BLAKE2b-512). */
#define DMB_MAX_DIGEST_SIZE 64

struct dmb_crypto;
struct dmb_digest; /* the provider's digest state */

struct dmb_crypto_ops {
	/*
	 * Create a digest state for the algorithm with the Linux crypto API name
	 * `name` ("sha1", "sha256", "sha512", ...), ready for update.  Sets
	 * *size to the digest length (at most DMB_MAX_DIGEST_SIZE).
	 * Errors: DMB_ENOTSUP (unknown algorithm), DMB_ENOMEM.
	 */
	int (*digest_create)(const struct dmb_crypto *c, const char *name, struct dmb_digest **out,
			     size_t *size);
	/* Restart the state (as freshly created). */
	int (*digest_init)(struct dmb_digest *d);
	int (*digest_update)(struct dmb_digest *d, const void *data, size_t len);
	/* Write the digest and leave the state needing digest_init() or digest_copy(). */
	int (*digest_final)(struct dmb_digest *d, uint8_t *out);
	/* Make dst continue from src's state (same algorithm).  Lets a salted
	 * prefix be hashed once. */
	int (*digest_copy)(struct dmb_digest *dst, const struct dmb_digest *src);
	void (*digest_destroy)(struct dmb_digest *d);

	/*
	 * Check a detached PKCS#7/CMS SignedData (DER) over data[0..len) against
	 * the provider's trusted certificates: the signer must be one of them
	 * (no chain building, as systemd and the kernel keyrings behave).
	 * Returns 0 only if the signature verifies.
	 * Errors: DMB_EINVAL (malformed signature), DMB_ENOKEY (signer not
	 * trusted, or no trusted certificates), DMB_EVERIFY (the signature does
	 * not match: tampered, or made over other data), DMB_ENOMEM.  The message
	 * in ctx says which.
	 */
	int (*pkcs7_verify)(const struct dmb_crypto *c, struct dmb_ctx *ctx, const uint8_t *sig,
			    size_t sig_len, const uint8_t *data, size_t len);
};

struct dmb_crypto {
	const struct dmb_crypto_ops *ops;
	void *priv;
};

/*
 * Where keys named in tables live: Linux's keyring as far as tables go
 * (dm-verity's root_hash_sig_key_desc names a "user" key holding the
 * signature).  get() returns the payload in a buffer the library hands back
 * to put().  Errors: DMB_ENOKEY (no such key), DMB_ENOMEM.
 */
struct dmb_keyring {
	int (*get)(const struct dmb_keyring *k, struct dmb_ctx *ctx, const char *desc,
		   uint8_t **data, size_t *len);
	void (*put)(const struct dmb_keyring *k, uint8_t *data, size_t len);
	void *priv;
};

/* One-shot digest through the provider.  Errors as digest_create(). */
DMB_MUST_CHECK int dmb_digest_oneshot(const struct dmb_crypto *c, const char *name, const void *data,
		       size_t len, uint8_t *out, size_t *size);

/* Constant-time comparison: 0 when equal, 1 when not; it cannot fail. */
DMB_MUST_CHECK int dmb_memcmp_ct(const void *a, const void *b, size_t n);

/*
 * Hex helpers.  dmb_hex_decode() takes exactly 2*len hex digits (either case)
 * and returns DMB_EINVAL otherwise; dmb_hex_encode() writes 2*len lowercase
 * digits and a NUL.
 */
DMB_MUST_CHECK int dmb_hex_decode(const char *hex, uint8_t *out, size_t len);
void dmb_hex_encode(const uint8_t *in, size_t len, char *out);

#endif /* DMBOOT_CRYPTO_H */
