// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * dmboot: one binary whose subcommands mirror the Linux tools.  Invoked
 * through a symlink named after a tool (dmsetup, ...) it behaves as that
 * subcommand.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: dmboot <command> [arguments]\n"
		   "\n"
		   "Commands (each also works through a symlink of that name):\n"
		   "  dmsetup   create, remove, remove_all, ls, table, status, info, read, write\n"
		   "  veritysetup  format, verify, open, close, dump\n"
		   "  sfdisk    --json, --list: GPT and MBR partition tables\n"
		   "  lvm       pvs, vgs, lvs, vgchange, lvchange: LVM2 volume groups\n"
		   "  ddi       inspect, open, close, cmdline: discoverable disk images\n"
		   "\n"
		   "'dmboot dmsetup help' lists the dmsetup commands.\n");
}

/* The subcommands; a symlink named after one runs it. */
static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} tools[] = {
	{ "dmsetup", cmd_dmsetup },
	{ "veritysetup", cmd_veritysetup },
	{ "sfdisk", cmd_sfdisk },
	{ "lvm", cmd_lvm },
	{ "ddi", cmd_ddi },
	{ "pvs", cmd_lvm },
	{ "vgs", cmd_lvm },
	{ "lvs", cmd_lvm },
	{ "vgchange", cmd_lvm },
	{ "lvchange", cmd_lvm },
};

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');

	base = base ? base + 1 : argv[0];
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (strcmp(base, tools[i].name) == 0) {
			cli_prog = tools[i].name;
			return tools[i].run(argc, argv);
		}
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 1 : 0;
	}
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (strcmp(argv[1], tools[i].name) == 0) {
			cli_prog = tools[i].name;
			return tools[i].run(argc - 1, argv + 1);
		}
	cli_error("unknown command '%s'", argv[1]);
	usage(stderr);
	return 1;
}
