/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * What the files of `dmboot cryptsetup` share: its options, the actions of
 * cryptsetup.c and cryptsetup_dump.c, and the volume keys kept in the
 * kernel's user keyring (keys_kernel.c).
 */
#ifndef DMBOOT_CRYPTSETUP_H
#define DMBOOT_CRYPTSETUP_H

#include "cli.h"
#include "cli/device.h"
#include "cli/image.h"

struct copts {
	const char *type;          /* --type: luks, luks1, luks2, plain; NULL: luks */
	const char *key_file;      /* --key-file, "-" for stdin */
	uint64_t keyfile_offset;
	uint64_t keyfile_size;     /* 0: to the end (capped) */
	int key_slot;              /* -1: any */
	const char *header;        /* --header */
	const char *volume_key_file;
	bool readonly, test_passphrase, verbose, batch;
	bool dump_json, dump_volume_key;
	/* plain mode */
	const char *cipher, *hash;
	uint32_t key_size_bits;    /* 0: the default */
	uint64_t offset, skip, size;  /* 512-byte sectors */
	uint32_t sector_size;
	bool iv_large_sectors, allow_discards;
};

/* The actions; argv[0] is the action.  They return 0 or a dmb_err. */
int cs_open(void *opts, int argc, char **argv);
int cs_status(void *opts, int argc, char **argv);
int cs_close(void *opts, int argc, char **argv);
int cs_is_luks(void *opts, int argc, char **argv);
int cs_luks_uuid(void *opts, int argc, char **argv);
int cs_luks_dump(void *opts, int argc, char **argv);

/*
 * The passphrase or key file as cryptsetup reads it for the device named
 * img (prompt "Enter passphrase for IMG: "), into a buffer to free with
 * cs_secret_free().  0 or a dmb_err after the error line.
 */
int cs_read_secret(const struct copts *o, const char *img, uint8_t **out, size_t *len);
void cs_secret_free(uint8_t *p, size_t len);

/* Load the LUKS header of path (o->header when given), printing errors. */
int cs_load(struct dmb_ctx *ctx, const struct copts *o, const char *path, struct cli_image *im,
	    struct dmb_luks **out);
/*
 * A context with host crypto (OpenSSL's legacy provider loaded too) and the
 * Argon2 memory cap of this machine; cs_ctx_fini() releases both.
 */
void cs_ctx_init(struct dmb_ctx *ctx, struct dmb_posix_crypto *pc);
void cs_ctx_fini(struct dmb_posix_crypto *pc);

/*
 * The kernel user keyring (@u): add a key of type user readable only by
 * its possessor and owner, read one back, unlink one.  add returns 0 or a
 * dmb_err after the error line; read 0, DMB_ENOKEY or DMB_ENOMEM; unlink
 * 0 or DMB_ENOKEY (none of that description).
 */
int cs_key_add(const char *desc, const uint8_t *key, size_t len);
int cs_key_read(const char *desc, uint8_t **out, size_t *len);
int cs_key_unlink(const char *desc);

#endif /* DMBOOT_CRYPTSETUP_H */
