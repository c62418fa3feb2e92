/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * The life of a mapped device on the host, shared by every subcommand:
 * create (check, instantiate once, record in the registry), open (instantiate
 * from the registry) and close, remove (refusing a device in use).
 */
#ifndef DMBOOT_CLI_DEVICE_H
#define DMBOOT_CLI_DEVICE_H

#include "../cli.h"

/*
 * An instantiated mapped device from the state directory, with everything it
 * holds.
 */
struct cli_dev {
	char *fresh_status;  /* the status right after instantiation */
	struct state *st;
	struct dmb_ctx ctx;
	struct cli_crypto crypto;
	struct cli_resolver res;
	struct dmb_table *table;
	struct dmb_dev *dev;
	struct state_dev *sd;
	bool unlocked;       /* cli_dev_unlock() dropped the state lock */
};

/*
 * Instantiate; flags: DMB_DEV_READONLY to open lower devices read-only.  On
 * failure sets parent's message and returns a dmb_err.
 */
int cli_dev_open(struct state *st, struct dmb_ctx *parent, const char *name, unsigned flags,
		 int depth, struct cli_dev **out);
/* The same for command cmd, printing its error line ("<cmd> <message>"). */
int cli_dev_open_for(struct state *st, const char *cmd, const char *name, unsigned flags,
		     struct cli_dev **out);
/*
 * Drop the state lock for I/O that may last: the device keeps its lower
 * devices open, and other commands can change the registry meanwhile.
 */
void cli_dev_unlock(struct cli_dev *cd);
/* Record a status this command changed, and free everything. */
void cli_dev_close(struct cli_dev *cd);

/* A device's table or status as a new string (free it), or NULL. */
char *cli_dev_text(struct dmb_dev *dev, enum dmb_fmt what, unsigned flags);

/*
 * Create a mapped device from a table and record it (the common part of
 * dmsetup create, veritysetup open, lvm and ddi activation).  The device
 * gets OpenSSL crypto, the state directory's keyring and its stored trusted
 * certificates; base supplies context flags (may be NULL).  Prints its own
 * error line.
 */
int cli_create(struct state *st, const char *name, const char *uuid, int64_t minor,
	       bool read_only, const struct dmb_table *table, const struct dmb_ctx *base);
/*
 * What a create may bring besides the table: signatures the table's keys
 * name (looked up before the keyring files) and the certificates to trust.
 * Both are written into the device's record.
 */
struct cli_trust {
	const struct state_blob *keys;
	size_t nkeys;
	const struct state_blob *certs;
	size_t ncerts;
};
int cli_create_trusted(struct state *st, const char *name, const char *uuid, int64_t minor,
		       bool read_only, const struct dmb_table *table, const struct dmb_ctx *base,
		       const struct cli_trust *trust);
/* Both: trust, and the devices PARTUUID= and PARTLABEL= names are searched on. */
int cli_create_trusted_search(struct state *st, const char *name, const char *uuid,
			      int64_t minor, bool read_only, const struct dmb_table *table,
			      const struct dmb_ctx *base, const struct cli_trust *trust,
			      char *const *devices, size_t ndevices);
/*
 * The same, with the devices PARTUUID= and PARTLABEL= names are searched on
 * (recorded with the device, so it is instantiated the same way later).
 */
int cli_create_search(struct state *st, const char *name, const char *uuid, int64_t minor,
		      bool read_only, const struct dmb_table *table, const struct dmb_ctx *base,
		      char *const *devices, size_t ndevices);

/*
 * Remove a device (refusing one in use), with its status; a damaged record
 * can be removed too.  Prints errors.
 */
/* A name create accepts: what the kernel and /dev/mapper allow. */
bool cli_valid_name(const char *name);

int cli_remove(struct state *st, const char *cmd, const char *name);
/* Remove every device not in use, repeatedly, until none is left or none can go. */
int cli_remove_all(struct state *st);

#endif /* DMBOOT_CLI_DEVICE_H */
