// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The host crypto provider's interface (ports/posix/dmboot_posix.h) for a
 * unit-test build without OpenSSL (`make unit-qemu` on s390x): digests from
 * the freestanding port's portable SHA-256 and BLAKE2b, Argon2 from
 * libargon2 (so the portable Argon2 is still checked against the library
 * cryptsetup uses), and nothing else: ciphers, PBKDF2 and PKCS#7 fail
 * closed, as in a provider that lacks them, and no certificate can be
 * trusted.
 */
#include <argon2.h>
#include <string.h>

#include "../../ports/freestanding/freestanding.h"
#include "../../ports/posix/dmboot_posix.h"

static int digest_create(const struct dmb_crypto *c, const char *name, struct dmb_digest **out,
			 size_t *size)
{
	(void)c;
	return dmb_freestanding_crypto.ops->digest_create(&dmb_freestanding_crypto, name, out, size);
}

static int libargon2(const struct dmb_crypto *c, enum dmb_argon2_type type, uint32_t t_cost,
		     uint32_t m_cost_kib, uint32_t lanes, const uint8_t *pass, size_t pass_len,
		     const uint8_t *salt, size_t salt_len, uint8_t *out, size_t out_len)
{
	argon2_type t;
	int r;

	(void)c;
	switch (type) {
	case DMB_ARGON2D:
		t = Argon2_d;
		break;
	case DMB_ARGON2I:
		t = Argon2_i;
		break;
	case DMB_ARGON2ID:
		t = Argon2_id;
		break;
	default:
		return DMB_ENOTSUP;
	}
	if (pass_len > UINT32_MAX || salt_len > UINT32_MAX || out_len > UINT32_MAX)
		return DMB_EINVAL;
	r = argon2_hash(t_cost, m_cost_kib, lanes, pass, pass_len, salt, salt_len, out, out_len,
			NULL, 0, t, ARGON2_VERSION_13);
	if (r == ARGON2_OK)
		return 0;
	return r == ARGON2_MEMORY_ALLOCATION_ERROR ? DMB_ENOMEM : DMB_EINVAL;
}

static struct dmb_crypto_ops portable_ops;

void dmb_posix_crypto_init(struct dmb_posix_crypto *pc)
{
	const struct dmb_crypto_ops *fs = dmb_freestanding_crypto.ops;

	/* The freestanding digest states carry their own ops; only creation
	 * goes through the freestanding provider's handle. */
	portable_ops.digest_create = digest_create;
	portable_ops.digest_init = fs->digest_init;
	portable_ops.digest_update = fs->digest_update;
	portable_ops.digest_final = fs->digest_final;
	portable_ops.digest_copy = fs->digest_copy;
	portable_ops.digest_destroy = fs->digest_destroy;
	portable_ops.argon2 = libargon2;
	memset(pc, 0, sizeof(*pc));
	pc->crypto.ops = &portable_ops;
	pc->crypto.priv = pc;
}

int dmb_posix_crypto_add_trusted(struct dmb_posix_crypto *pc, struct dmb_ctx *ctx,
				 const char *path)
{
	(void)pc;
	(void)ctx;
	(void)path;
	return DMB_ENOTSUP;
}

int dmb_posix_crypto_add_trusted_mem(struct dmb_posix_crypto *pc, struct dmb_ctx *ctx,
				     const char *label, const uint8_t *data, size_t len)
{
	(void)pc;
	(void)ctx;
	(void)label;
	(void)data;
	(void)len;
	return DMB_ENOTSUP;
}

int dmb_posix_crypto_add_trusted_as(struct dmb_posix_crypto *pc, struct dmb_ctx *ctx,
				    const char *path, const char *shown)
{
	(void)pc;
	(void)ctx;
	(void)path;
	(void)shown;
	return DMB_ENOTSUP;
}

void dmb_posix_crypto_fini(struct dmb_posix_crypto *pc)
{
	(void)pc;
}
