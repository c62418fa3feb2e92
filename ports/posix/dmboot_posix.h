/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/* The host port: files and block devices as dmb_bdevs. */
#ifndef DMBOOT_POSIX_H
#define DMBOOT_POSIX_H

#include <dmboot/dmboot.h>

/*
 * Open a regular file (512-byte blocks; a trailing partial sector is not
 * part of the device, as with a loop device) or a block device (its logical
 * block size and size).  DMB_OPEN_WRITE opens it read-write.
 * Errors: DMB_ENOENT (no such file), DMB_EACCES (permission), DMB_EINVAL (not
 * a file or block device, unsupported block size), DMB_EIO, DMB_ENOMEM; the
 * message names the path.
 */
int dmb_posix_open(struct dmb_ctx *ctx, const char *path, unsigned flags, struct dmb_bdev **out);

/* Close a device from dmb_posix_open(); accepts NULL. */
void dmb_posix_close(struct dmb_bdev *bd);

/*
 * The host crypto provider: OpenSSL digests, and PKCS#7 checks against the
 * certificates added with dmb_posix_crypto_add_trusted().  Use &pc->crypto
 * as ctx->crypto.  SHA-256 is the library's own (dmb_sha256_*) when init
 * finds SHA instructions (sha256_lib true), OpenSSL's otherwise; a caller
 * may change both fields after init.
 */
struct dmb_posix_crypto {
	struct dmb_crypto crypto;
	void *trusted;        /* STACK_OF(X509) *, NULL until a certificate is added */
	struct dmb_sha256_backend sha256;
	bool sha256_lib;
};

/* The DMB_SHA256_CPU_* flags of this CPU (arm64 Linux: from AT_HWCAP). */
unsigned dmb_posix_sha256_cpu(void);

void dmb_posix_crypto_init(struct dmb_posix_crypto *pc);

/*
 * Trust the certificates in path: a PEM file (any number of certificates), a
 * DER file (one), or a directory whose *.crt, *.pem and *.der files are read.
 * Errors: DMB_ENOENT, DMB_EACCES, DMB_EINVAL (no certificate in it), DMB_ENOMEM.
 */
int dmb_posix_crypto_add_trusted(struct dmb_posix_crypto *pc, struct dmb_ctx *ctx,
				 const char *path);
/*
 * Trust the certificates in data (PEM or DER, as in a file), named label in
 * messages.  Errors: DMB_EINVAL, DMB_ENOMEM.
 */
int dmb_posix_crypto_add_trusted_mem(struct dmb_posix_crypto *pc, struct dmb_ctx *ctx,
				     const char *label, const uint8_t *data, size_t len);

/*
 * The same, with error messages naming the files by shown instead of path
 * (a directory's files as shown/NAME): for a caller that reads a copy of
 * what the user named.  shown NULL is path.
 */
int dmb_posix_crypto_add_trusted_as(struct dmb_posix_crypto *pc, struct dmb_ctx *ctx,
				    const char *path, const char *shown);

/* Free the trusted certificates; accepts a provider with none. */
void dmb_posix_crypto_fini(struct dmb_posix_crypto *pc);

#endif /* DMBOOT_POSIX_H */
