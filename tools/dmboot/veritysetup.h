/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * What the files of `dmboot veritysetup` share: its options and the
 * actions of veritysetup.c, and the leaf hashing of veritysetup_leaves.c.
 */
#ifndef DMBOOT_VERITYSETUP_H
#define DMBOOT_VERITYSETUP_H

#include "cli/device.h"
#include "cli/image.h"

struct vopts {
	struct dmb_verity_params p;
	bool have_hash, have_salt, have_uuid, have_dbs, have_hbs, have_blocks, have_format;
	const char *root_hash_file;
	const char *signature;
	char **certs;
	size_t ncerts;
	bool require_sig;
	const char *mode;          /* ignore_corruption, ... */
	const char *mode_option;   /* the option that set it */
	const char *uuid_text;     /* --uuid as given (printed as given, as veritysetup does) */
	const char *hash_text;     /* --hash as given (format prints it so; the superblock
				      stores it in lower case) */
	bool zero_blocks, at_most_once, tasklets;
	const char *fec_device;
	char **devices;            /* --devices: searched for PARTUUID= and PARTLABEL= */
	size_t ndevices;
	uint32_t fec_roots;
	uint64_t fec_offset;
	unsigned threads;
	bool verbose;
};

/*
 * The actions; argv[0] is the action, opts a struct vopts.  They return 0
 * or a dmb_err, which veritysetup_cli.c maps to veritysetup's exit codes.
 */
int verity_format(void *opts, int argc, char **argv);
int verity_verify(void *opts, int argc, char **argv);
int verity_open(void *opts, int argc, char **argv);
int verity_dump(void *opts, int argc, char **argv);
/* status NAME: veritysetup_status.c. */
int verity_status(void *opts, int argc, char **argv);

/*
 * Hash (or with verify check) the leaf level on several threads, with a
 * progress bar on a terminal.  On a verification failure the first failing
 * position (in veritysetup's order: lowest data position) is in *fail; on
 * any failure msg (DMB_MSG_MAX bytes) says why.
 */
int verity_leaves(const struct vopts *o, const char *data_path, const char *hash_path,
		  bool verify, struct dmb_verity_failure *fail, char *msg);

#endif /* DMBOOT_VERITYSETUP_H */
