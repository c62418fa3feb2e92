/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * The crypto provider: digests, and detached PKCS#7 signature checks against
 * the embedder's trusted certificates.  lib/ hashes through the provider;
 * the host provider (ports/posix/) uses OpenSSL libcrypto, and for SHA-256
 * the library's own (dmb_sha256_*, below), which a port may also hand out.
 * Every operation is optional: a missing one makes whatever needs it fail
 * closed with DMB_ENOTSUP.
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
struct dmb_cipher; /* the provider's keyed cipher state */

/* Largest cipher block and IV the library handles (AES: 16). */
#define DMB_MAX_CIPHER_BLOCK 16
/* Largest key a cipher takes (AES-256-XTS: 64; dm-crypt's keycount splits
 * longer table keys before they reach the provider). */
#define DMB_MAX_CIPHER_KEY 64

enum dmb_argon2_type {
	DMB_ARGON2D = 0,
	DMB_ARGON2I = 1,
	DMB_ARGON2ID = 2,
};

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

	/*
	 * Create a keyed cipher: `cipher` is a Linux crypto API cipher name
	 * ("aes", "serpent", ...) and `mode` a chaining mode ("xts", "cbc",
	 * "ecb", "ctr", ...), as dm-crypt splits them.  key_len is the whole
	 * key of the mode (XTS: both halves).  Sets *block_size to the cipher's
	 * block size (at most DMB_MAX_CIPHER_BLOCK), which is also the IV size
	 * of every mode but ecb (no IV).  The provider keeps a copy of the key
	 * (or its schedule) and wipes it in cipher_destroy().
	 * Errors: DMB_ENOTSUP (cipher or mode unknown to the provider),
	 * DMB_EINVAL (key length not valid for it), DMB_ENOMEM.
	 */
	int (*cipher_create)(const struct dmb_crypto *c, const char *cipher, const char *mode,
			     const uint8_t *key, size_t key_len, struct dmb_cipher **out,
			     size_t *block_size);
	/*
	 * Encrypt (encrypt true) or decrypt len bytes from in to out (they may
	 * be the same buffer) as one data unit with initial vector iv (the
	 * block size long; ignored by ecb).  len is a non-zero multiple of the
	 * block size.  Errors: DMB_EINVAL (bad length), DMB_EIO.
	 */
	int (*cipher_crypt)(struct dmb_cipher *ci, bool encrypt, const uint8_t *iv,
			    const void *in, void *out, size_t len);
	/*
	 * Optional batch form: count data units of unit_len bytes each, unit i
	 * at in + i * unit_len with IV ivs + i * block size.  NULL: the
	 * library calls cipher_crypt() once per unit.  Same errors.
	 */
	int (*cipher_crypt_units)(struct dmb_cipher *ci, bool encrypt, const uint8_t *ivs,
				  const void *in, void *out, size_t unit_len, size_t count);
	/* Wipe and free; accepts NULL. */
	void (*cipher_destroy)(struct dmb_cipher *ci);

	/*
	 * PBKDF2 (RFC 8018) with HMAC over digest `hash` (a name as for
	 * digest_create()), writing out_len bytes.  iterations >= 1.
	 * Errors: DMB_ENOTSUP (hash unknown), DMB_EINVAL, DMB_ENOMEM.
	 */
	int (*pbkdf2)(const struct dmb_crypto *c, const char *hash, const uint8_t *pass,
		      size_t pass_len, const uint8_t *salt, size_t salt_len, uint32_t iterations,
		      uint8_t *out, size_t out_len);
	/*
	 * Argon2 version 1.3 (RFC 9106) of `type`, t_cost passes, m_cost_kib KiB
	 * of memory and `lanes` lanes, no secret and no associated data, writing
	 * out_len bytes.  The library checks m_cost_kib against the context's
	 * cap (dmb_ctx_mem.kdf_max_kib) before calling.  A provider without
	 * threads computes the lanes one after another (same result).
	 * Errors: DMB_ENOTSUP, DMB_EINVAL (parameters out of Argon2's range),
	 * DMB_ENOMEM.
	 */
	int (*argon2)(const struct dmb_crypto *c, enum dmb_argon2_type type, uint32_t t_cost,
		      uint32_t m_cost_kib, uint32_t lanes, const uint8_t *pass, size_t pass_len,
		      const uint8_t *salt, size_t salt_len, uint8_t *out, size_t out_len);

	/*
	 * Optional: n digests of equal-length messages that continue from one
	 * state.  For i < n, writes to outs + i * (digest size) the digest of
	 * (what prefix has absorbed) || msgs[i][0..len) || suffix[0..suffix_len)
	 * (suffix may be NULL when suffix_len is 0), leaving prefix's state as
	 * it was.  A provider may hash several messages side by side (the host
	 * provider does for "sha256", with dmb_sha256_many()).  NULL: the library
	 * hashes one message at a time (dmb_digest_many()).
	 * Errors: DMB_EIO, DMB_ENOMEM.
	 */
	int (*digest_many)(struct dmb_digest *prefix, const void *const *msgs, size_t n, size_t len,
			   const void *suffix, size_t suffix_len, uint8_t *outs);
};

struct dmb_crypto {
	const struct dmb_crypto_ops *ops;
	void *priv;
};

/*
 * Where keys named in tables live: Linux's keyring as far as tables go.
 * type is the kernel key type: "user" for dm-verity's
 * root_hash_sig_key_desc (a key holding the signature), "logon" or "user"
 * for a dm-crypt key given as :<size>:<type>:<description>.  get() returns
 * the payload in a buffer the library hands back to put(), which must wipe
 * it.  Errors: DMB_ENOKEY (no such key), DMB_ENOTSUP (key type not kept
 * here), DMB_ENOMEM.
 */
struct dmb_keyring {
	int (*get)(const struct dmb_keyring *k, struct dmb_ctx *ctx, const char *type,
		   const char *desc, uint8_t **data, size_t *len);
	void (*put)(const struct dmb_keyring *k, uint8_t *data, size_t len);
	void *priv;
};

/*
 * The library's own SHA-256 (FIPS 180-4), for ports and tools: what a
 * provider without a SHA-256 of its own hands out, and how any provider
 * hashes many dm-verity blocks at once (digest_many()).  No allocation, no
 * global state: the backend is a value the caller chooses once and keeps.
 */
#define DMB_SHA256_SIZE 32
#define DMB_SHA256_MAX_LANES 4

enum dmb_sha256_kind {
	DMB_SHA256_PORTABLE = 0, /* C, 1 lane: every build has it */
	DMB_SHA256_SHANI = 1,    /* x86-64 SHA extensions with SSE4.1 (no AVX): 1, 2, 4 lanes */
	DMB_SHA256_ARMV8 = 2,    /* ARMv8 cryptographic extension (SIMD on): 1, 2 lanes */
};

/*
 * What the port knows of the CPU, for dmb_sha256_backend_best()/_pick().
 * x86-64 needs nothing: the library reads CPUID.  On arm64 the port says
 * whether the SHA-256 instructions exist and SIMD is enabled (Linux:
 * getauxval(AT_HWCAP) & HWCAP_SHA2), unless the build defines
 * DMBOOT_SHA256_ASSUME_ARMV8 (docs/porting.md "SHA-256").
 */
#define DMB_SHA256_CPU_ARMV8 0x1u

/* A zeroed struct is the portable backend. */
struct dmb_sha256_backend {
	enum dmb_sha256_kind kind;
	unsigned lanes; /* most messages dmb_sha256_many() hashes at once: 1, 2 or 4 */
};

/* A SHA-256 state; plain data, copy it to fork a prefix. */
struct dmb_sha256 {
	uint32_t h[8];
	uint64_t bytes; /* absorbed so far */
	uint8_t buf[64]; /* the pending bytes % 64 of them */
	struct dmb_sha256_backend backend;
};

/* The fastest backend this build has and this CPU runs, with all its lanes. */
void dmb_sha256_backend_best(struct dmb_sha256_backend *b, unsigned cpu);
/*
 * Backend kind with at most max_lanes lanes (rounded down to one it has;
 * 0 counts as 1), for tests, benchmarks and a port's own policy.
 * Errors: DMB_ENOTSUP (not in this build, or the CPU lacks it; *b is then
 * the portable backend).
 */
DMB_MUST_CHECK int dmb_sha256_backend_pick(struct dmb_sha256_backend *b,
					   enum dmb_sha256_kind kind, unsigned max_lanes,
					   unsigned cpu);
/* "portable", "sha-ni" or "armv8". */
const char *dmb_sha256_backend_name(const struct dmb_sha256_backend *b);

/* Start a state on backend b (NULL: portable), which must come from _best()/_pick(). */
void dmb_sha256_init(struct dmb_sha256 *s, const struct dmb_sha256_backend *b);
void dmb_sha256_update(struct dmb_sha256 *s, const void *data, size_t len);
/* Write the 32-byte digest and wipe the state; it needs dmb_sha256_init() again. */
void dmb_sha256_final(struct dmb_sha256 *s, uint8_t *out);
/*
 * n digests at once: for i < n, outs + 32 * i receives the SHA-256 of
 * (what prefix has absorbed) || msgs[i][0..len) || suffix[0..suffix_len).
 * dm-verity version 1 absorbs the salt into prefix; version 0 passes it as
 * the suffix.  prefix is not changed.  The backend runs up to its lane
 * count of messages side by side.  Blocks are copied to the stack and not
 * wiped afterwards: for public data; hash secrets with init/update/final.
 */
void dmb_sha256_many(const struct dmb_sha256 *prefix, const void *const *msgs, size_t n,
		     size_t len, const void *suffix, size_t suffix_len, uint8_t *outs);

/* One-shot digest through the provider.  Errors as digest_create(). */
DMB_MUST_CHECK int dmb_digest_oneshot(const struct dmb_crypto *c, const char *name, const void *data,
		       size_t len, uint8_t *out, size_t *size);

/*
 * digest_many() through the provider, or, when it has none, one message at
 * a time: scratch (a state of the same algorithm, whose content is lost)
 * continues from prefix through digest_copy() for each.  size is the digest
 * size digest_create() gave.  Errors: DMB_ENOTSUP (neither digest_many() nor
 * digest_copy() and a scratch state), those of the provider's calls.
 */
DMB_MUST_CHECK int dmb_digest_many(const struct dmb_crypto *c, struct dmb_digest *prefix,
				   struct dmb_digest *scratch, size_t size, const void *const *msgs,
				   size_t n, size_t len, const void *suffix, size_t suffix_len,
				   uint8_t *outs);

/* Overwrite n bytes at p with zeros in a way the compiler keeps. */
void dmb_wipe(void *p, size_t n);

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
