/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/* What the files of `dmboot dmsetup` share: its options and its verbs. */
#ifndef DMBOOT_DMSETUP_H
#define DMBOOT_DMSETUP_H

#include "cli/device.h"

struct dmsetup_opts {
	const char *table;
	const char *uuid;
	const char *devices;
	bool readonly;
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

/* The verbs of dmsetup_show.c; argv[0] is the verb, opts a struct dmsetup. */
int dmsetup_table(void *opts, int argc, char **argv);
int dmsetup_status(void *opts, int argc, char **argv);
int dmsetup_info(void *opts, int argc, char **argv);
int dmsetup_read(void *opts, int argc, char **argv);
int dmsetup_write(void *opts, int argc, char **argv);

#endif /* DMBOOT_DMSETUP_H */
