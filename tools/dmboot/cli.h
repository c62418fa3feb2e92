/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * Shared declarations of the dmboot host CLI: the registry of mapped devices
 * (state.c), keys and trust (keys.c), the resolver (resolve.c), the support
 * layer in cli/ and the tools' entry points.
 */
#ifndef DMBOOT_CLI_H
#define DMBOOT_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dmboot/dmboot.h>

#include "../../ports/posix/dmboot_posix.h"
#include "cli/io.h"
#include "cli/json.h"
#include "cli/msg.h"
#include "cli/table.h"
#include "cli/verb.h"

/* The major number mapped devices report, like a kernel's dynamic dm major. */
#define DMB_CLI_MAJOR 253
/* How deep mapped devices may stack. */
#define DMB_CLI_MAX_DEPTH 16

/*
 * Bytes a device record carries: a root hash signature (label: the key
 * description the table names) or a trusted certificate (label: the
 * --trusted-cert argument it came from, for messages).
 */
struct state_blob {
	char *label;
	uint8_t *data;
	size_t len;
};

/* Hex digits of a record's instance id, fresh for every create. */
#define STATE_ID_HEX 32

/* A mapped device as kept in the state directory. */
struct state_dev {
	char id[STATE_ID_HEX + 1];
	char *name;
	char *uuid;       /* "" when none */
	unsigned minor;
	bool read_only;
	char *cwd;        /* relative device paths in the table are relative to this */
	char *table;      /* normalised table text, one target per line */
	char **deps;      /* mapped devices the table uses */
	size_t ndeps;
	char **devices;   /* searched for PARTUUID= and PARTLABEL= (create --devices) */
	size_t ndevices;
	/*
	 * The signatures the table's keys named when it was created, and the
	 * certificates its command trusted: written with the record in one
	 * rename, so trust never outlives or outruns the device.
	 */
	struct state_blob *keys;
	size_t nkeys;
	struct state_blob *certs;
	size_t ncerts;
	char *status;     /* the status at create, shown until a command changes it */
};

int state_blob_push(struct state_blob **list, size_t *n, const char *label, const void *data,
		    size_t len);
void state_blob_free(struct state_blob *list, size_t n);

struct state {
	char *dir;
	int lock_fd;
};

/*
 * Open (creating it if needed), check and lock the state directory.  A
 * directory (or any directory above it) that someone else could write, a
 * symlink, or one owned by another user is refused.  Taking the lock
 * exclusively also removes what killed commands left (.tmp-* files).
 */
int state_open(struct state *st, bool exclusive);
void state_close(struct state *st);
/*
 * Open a file of the state directory (no symlink, a regular file of the
 * caller's that only it can write): a descriptor, or -EPERM, or -errno.
 */
int state_open_private(const char *path, int flags, unsigned mode);
/* Read such a file whole: 0, -ENOENT (silently), or -errno after the error line. */
int state_read_private(const char *path, size_t cap, char **out, size_t *len);
/* A fresh random record id. */
int state_new_id(char id[STATE_ID_HEX + 1]);
/* Certificates and signatures a record may carry, in bytes. */
#define STATE_BLOBS_MAX_BYTES (1u << 20)
/* Drop the lock (for I/O that may last), and take it again. */
void state_unlock(struct state *st);
int state_lock(struct state *st, bool exclusive);
/* 0, -ENOENT, or another negative errno (message printed). */
int state_load(struct state *st, const char *name, struct state_dev **out);
int state_find_minor(struct state *st, unsigned minor, struct state_dev **out);
/* Sorted names of all devices. */
int state_list(struct state *st, char ***names, size_t *n);
void state_free_list(char **names, size_t n);
int state_save(struct state *st, const struct state_dev *d);
int state_remove(struct state *st, const char *name);
void state_dev_free(struct state_dev *d);
/*
 * What the kernel remembers while a device is active and dmboot would forget
 * between commands: the status a device reached (verity's C, a striped 'D').
 * A command that changes it records it; `dmsetup status` shows the record.
 */
int state_save_status(struct state *st, const struct state_dev *d, const char *status);
/*
 * The recorded status, or NULL (free it).  A status file belongs to one
 * instance of the device (its id); one left by an earlier device of the
 * same name is ignored.
 */
char *state_load_status(struct state *st, const struct state_dev *d);
void state_remove_status(struct state *st, const char *name);

/* Names of devices whose tables use name (callers free with state_free_list). */
int state_users(struct state *st, const char *name, char ***users, size_t *n);
/* The lowest minor not in use. */
int state_free_minor(struct state *st, unsigned *minor);

/*
 * Crypto and keys for a context: OpenSSL digests and signature checks, the
 * state directory's keyring, and the trusted certificates stored for the
 * device `name` (none when name is NULL).
 */
struct cli_crypto {
	struct dmb_posix_crypto crypto;
	struct dmb_keyring keyring;
	struct state *st;
	/* Keys looked up first: a command's own signature, or a record's. */
	const struct state_blob *keys;
	size_t nkeys;
	/* Instantiating a record: its own keys only, never the keyring files. */
	bool keys_only;
	/* Every key the table fetched, for the record create writes. */
	struct state_blob *used;
	size_t nused;
};
/*
 * Crypt keys of records (crypt_keys.c): hex keys of crypt lines moved into
 * the kernel user keyring before a record is written, the lines rewritten
 * to name them (`:<size>:logon:dmboot:key-<hex>`); *descs lists what was
 * added, for cli_keys_drop() to forget (unlink false) or to unlink again.
 * render turns such references back into the hex key (showkeys) or zeros,
 * as the kernel and dmsetup print a hex key; it frees text and returns the
 * new text (NULL when out of memory).  release unlinks the keys a removed
 * device's table named.  new_desc writes a fresh description (size >= 48).
 */
int cli_keys_stash(char **text, char ***descs, size_t *n);
void cli_keys_drop(char **descs, size_t n, bool unlink);
char *cli_keys_render(char *text, bool showkeys);
void cli_keys_release(struct state *st, const char *table);
int cli_keys_new_desc(char *desc, size_t size);
int cli_crypto_init(struct cli_crypto *cc, struct state *st, struct dmb_ctx *ctx);
/* Trust these certificates (and no others) for signatures. */
int cli_crypto_trust(struct cli_crypto *cc, struct dmb_ctx *ctx, const struct state_blob *certs,
		     size_t n);
void cli_crypto_fini(struct cli_crypto *cc);
/*
 * Read the certificates named by --trusted-cert arguments (files, or
 * directories of *.crt, *.pem, *.der) into blobs labelled by the argument.
 * Prints its error line.
 */
int cli_certs_read(char *const *args, size_t n, struct state_blob **certs, size_t *ncerts);

/*
 * A resolver for tables on the host: file paths (relative ones against cwd),
 * block devices, mapped devices by /dev/mapper/NAME, NAME or 253:MINOR, and
 * partitions: IMAGE:pN, and PARTUUID=... or PARTLABEL=... on the devices in
 * search.
 */
struct cli_resolver {
	struct dmb_resolver r;
	struct state *st;
	char *cwd;
	int depth;
	char **mapped;    /* names of mapped devices opened directly (the deps) */
	size_t nmapped;
	/*
	 * For a device instantiated from the registry: the mapped devices its
	 * table used when it was created.  A bare name means a mapped device
	 * only if it is one of these, so a file's meaning never changes when a
	 * device of the same name appears later.  Unused when creating.
	 */
	bool from_registry;
	char *const *deps;
	size_t ndeps;
	/* Devices searched for PARTUUID= and PARTLABEL= names, as given. */
	char *const *search;
	size_t nsearch;
	void *handles;    /* open handles, for close() */
	struct dmb_resolver plain;      /* files and mapped devices */
	struct dmb_part_resolver parts; /* partition names, over plain */
};

int cli_resolver_init(struct cli_resolver *cr, struct state *st, const char *cwd, int depth);
void cli_resolver_fini(struct cli_resolver *cr);

int cmd_dmsetup(int argc, char **argv);
int cmd_veritysetup(int argc, char **argv);
int cmd_cryptsetup(int argc, char **argv);
int cmd_sfdisk(int argc, char **argv);
int cmd_lvm(int argc, char **argv);
int cmd_boot(int argc, char **argv);
int cmd_ddi(int argc, char **argv);

#endif /* DMBOOT_CLI_H */
