// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The freestanding port's crypto provider (<dmboot/crypto.h>), in portable
 * C with no libc: what a bootloader without a crypto library of its own
 * would hand to lib/ to map dm-verity devices and derive LUKS2 Argon2 keys.
 * SHA-256 (FIPS 180-4) is the library's own on its portable backend
 * (dmb_sha256_*: this is what a bootloader that tells the library nothing of
 * its CPU gets); BLAKE2b (RFC 7693, blake2b.c) and Argon2 (RFC 9106,
 * argon2.c) come from their own files.  Digest states come from
 * dmb_port_malloc(); there is no PBKDF2, cipher or signature check, so what
 * needs one fails closed with DMB_ENOTSUP.
 */
#include <dmboot/dmboot.h>

#include "freestanding.h"

struct dmb_digest {
	size_t blake2b_len; /* 0: SHA-256; else BLAKE2b of this many bytes */
	union {
		struct dmb_sha256 sha;
		struct dmb_blake2b b2;
	} u;
};

static int digest_init(struct dmb_digest *d)
{
	if (d->blake2b_len)
		return dmb_freestanding_blake2b_init(&d->u.b2, d->blake2b_len);
	dmb_sha256_init(&d->u.sha, NULL);
	return 0;
}

static int digest_update(struct dmb_digest *d, const void *data, size_t len)
{
	if (d->blake2b_len)
		dmb_freestanding_blake2b_update(&d->u.b2, data, len);
	else
		dmb_sha256_update(&d->u.sha, data, len);
	return 0;
}

static int digest_final(struct dmb_digest *d, uint8_t *out)
{
	if (d->blake2b_len)
		dmb_freestanding_blake2b_final(&d->u.b2, out);
	else
		dmb_sha256_final(&d->u.sha, out);
	return 0;
}

static int digest_copy(struct dmb_digest *dst, const struct dmb_digest *src)
{
	*dst = *src;
	return 0;
}

/* SHA-256 through dmb_sha256_many(); BLAKE2b one message at a time. */
static int digest_many(struct dmb_digest *prefix, const void *const *msgs, size_t n, size_t len,
		       const void *suffix, size_t suffix_len, uint8_t *outs)
{
	struct dmb_blake2b b2;

	if (!prefix->blake2b_len) {
		dmb_sha256_many(&prefix->u.sha, msgs, n, len, suffix, suffix_len, outs);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		b2 = prefix->u.b2;
		dmb_freestanding_blake2b_update(&b2, msgs[i], len);
		if (suffix_len)
			dmb_freestanding_blake2b_update(&b2, suffix, suffix_len);
		dmb_freestanding_blake2b_final(&b2, outs + i * prefix->blake2b_len);
	}
	dmb_wipe(&b2, sizeof(b2));
	return 0;
}

static void digest_destroy(struct dmb_digest *d)
{
	if (d)
		dmb_wipe(d, sizeof(*d));
	dmb_port_free(d);
}

static bool streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static int digest_create(const struct dmb_crypto *c, const char *name, struct dmb_digest **out,
			 size_t *size)
{
	struct dmb_digest *d;
	size_t len;

	(void)c;
	if (streq(name, "sha256"))
		len = 0;
	else if (streq(name, "blake2b-512"))
		len = 64;
	else if (streq(name, "blake2b-256"))
		len = 32;
	else
		return DMB_ENOTSUP;
	d = dmb_port_malloc(sizeof(*d));
	if (!d)
		return DMB_ENOMEM;
	d->blake2b_len = len;
	digest_init(d);
	*out = d;
	*size = len ? len : 32;
	return 0;
}

static const struct dmb_crypto_ops ops = {
	.digest_create = digest_create,
	.digest_init = digest_init,
	.digest_update = digest_update,
	.digest_final = digest_final,
	.digest_copy = digest_copy,
	.digest_destroy = digest_destroy,
	.argon2 = dmb_freestanding_argon2_op,
	.digest_many = digest_many,
};

const struct dmb_crypto dmb_freestanding_crypto = { &ops, NULL };
