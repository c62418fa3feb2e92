/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * What the files of `dmboot ddi` share: its options, its exit statuses, an
 * image opened and dissected, and the verbs of ddi_inspect.c and ddi_open.c.
 */
#ifndef DMBOOT_DDI_TOOL_H
#define DMBOOT_DDI_TOOL_H

#include "cli/device.h"
#include "cli/image.h"

/* Exit status; every refusal of a signature has its own (docs/ddi.md). */
enum {
	DDI_OK = 0,
	DDI_USAGE = 1,       /* wrong command line */
	DDI_IMAGE = 2,       /* not a usable image: no partition table, no root, a bad superblock, I/O */
	DDI_NOMEM = 3,
	DDI_NOTFOUND = 4,    /* no such image; close: nothing open from it */
	DDI_BUSY = 5,        /* a device exists already or is in use */
	DDI_UNTRUSTED = 10,  /* the signer is not a trusted certificate */
	DDI_BADSIG = 11,     /* the signature is not over this root hash */
	DDI_UUID = 12,       /* the root hash does not match the partition UUIDs */
	DDI_MALFORMED = 13,  /* the -verity-sig partition or its signature is malformed */
	DDI_UNSIGNED = 14,   /* no signature, and --require-signature or --trusted-cert wants one */
};

/*
 * The status for a library or registry error (both are negative errnos):
 * DDI_BUSY for a device that exists or is in use, DDI_IMAGE for the rest.
 */
extern const struct cli_exit_map ddi_exit;

enum json_mode { JSON_OFF, JSON_PRETTY, JSON_SHORT };

struct dopts {
	enum json_mode json;
	enum dmb_ddi_arch arch;
	uint8_t hash[2][DMB_MAX_DIGEST_SIZE]; /* --root-hash, --usr-hash */
	size_t hash_size[2];
	char **certs;
	size_t ncerts;
	bool require_sig;
	bool allow_unsigned;                  /* --allow-unsigned */
	const char *name;                     /* --name: prefix of open's devices, or NULL */
	char **devices;                       /* --devices: searched for PARTUUID=, PARTLABEL= */
	size_t ndevices;
	const struct cli_verb *verb;          /* the verb that runs */
};

/* The mapped devices open makes ("root", "usr"). */
extern const char *const ddi_dev_names[2];

struct image {
	struct dmb_ctx ctx;
	struct dmb_posix_crypto pc;
	struct dmb_bdev *bd;       /* img's */
	struct dmb_ddi *ddi;
	struct dmb_ddi_options opt;
	const char *name;          /* img's: the image as tables name it (cli_image_name) */
	struct cli_image img;
};

/*
 * Open path, load the trusted certificates and dissect with flags.  Prints
 * the error line and returns the exit status; close the image either way.
 */
int ddi_image_open(struct image *im, const struct dopts *o, const char *path, unsigned flags);
void ddi_image_close(struct image *im);

/*
 * After open or cmdline succeeded: one warning line on stderr for each of
 * root and usr that was mapped without a verified signature or a given
 * root hash, which only --allow-unsigned lets through.
 */
void ddi_warn_unsigned(const struct image *im, const struct dopts *o, const char *path);

/* The verbs; argv[0] is the verb, argv[1] the image, opts a struct dopts. */
int ddi_inspect(void *opts, int argc, char **argv);
int ddi_open(void *opts, int argc, char **argv);
int ddi_close(void *opts, int argc, char **argv);

#endif /* DMBOOT_DDI_TOOL_H */
