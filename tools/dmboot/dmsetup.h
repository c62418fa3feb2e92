/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * What the files of `dmboot dmsetup` share: its options, its verbs, and the
 * registry's rename, which only dmsetup does.
 */
#ifndef DMBOOT_DMSETUP_H
#define DMBOOT_DMSETUP_H

#include "cli/device.h"

struct dmsetup_opts {
	const char *table;
	const char *uuid;
	const char *devices;
	const char *options;   /* -o: deps and ls name forms, ls --tree drawing */
	bool readonly;
	bool tree;
	bool setuuid;
	bool concise;
	bool showkeys;
	bool columns;
	bool have_offset, have_length;
	uint64_t offset, length;
};

/* One dmsetup command: its options and the state directory, open while it runs. */
struct dmsetup {
	struct dmsetup_opts o;
	struct state st;
	bool have_state;
};

/*
 * Rename a device's record (state.c), with its table, trust, status and id,
 * under the exclusive lock; the caller has checked that new_name is free and
 * that no other table uses the device.  A journal is written first, so a
 * command killed in between leaves a rename that state_rename_recover()
 * finishes or forgets; the state lock calls it (state_dir.c).  Prints its
 * error line.
 */
#define STATE_RENAME_JOURNAL ".rename"
int state_rename(struct state *st, const struct state_dev *d, const char *new_name);
int state_rename_recover(struct state *st);

/* The verbs of dmsetup_show.c; argv[0] is the verb, opts a struct dmsetup. */
int dmsetup_table(void *opts, int argc, char **argv);
int dmsetup_status(void *opts, int argc, char **argv);
int dmsetup_info(void *opts, int argc, char **argv);
int dmsetup_read(void *opts, int argc, char **argv);
int dmsetup_write(void *opts, int argc, char **argv);

/*
 * Run fn over the devices argv names after the verb, or over all of them
 * (printing "No devices found" when there are none); prefix tells fn to
 * start its lines with the name, as dmsetup does unless exactly one device
 * was named.
 */
typedef int (*dmsetup_show_fn)(struct dmsetup *d, const char *cmd, const char *name,
			       bool prefix, bool *first);
int dmsetup_for_devices(struct dmsetup *d, int argc, char **argv, dmsetup_show_fn fn,
			bool heading);

/* The verbs of dmsetup_verbs.c. */
int dmsetup_rename(void *opts, int argc, char **argv);
int dmsetup_deps(void *opts, int argc, char **argv);
int dmsetup_ls(void *opts, int argc, char **argv);
int dmsetup_targets(void *opts, int argc, char **argv);
int dmsetup_version(void *opts, int argc, char **argv);

#endif /* DMBOOT_DMSETUP_H */
