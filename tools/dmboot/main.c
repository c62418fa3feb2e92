// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * dmboot: one binary whose subcommands mirror the Linux tools.  Invoked
 * through a symlink named after a tool (dmsetup, ...) it behaves as that
 * subcommand.  Standard descriptors are made safe before anything else, and
 * a failed write of standard output is an error whatever the tool.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: dmboot <command> [arguments]\n"
		   "\n"
		   "Commands (each also works through a symlink of that name):\n"
		   "  dmsetup   create, remove, remove_all, rename, ls, table, status, info, deps,\n"
		   "            targets, version, read, write\n"
		   "  veritysetup  format, verify, open, close, status, dump\n"
		   "  cryptsetup  open, close, status, luksDump, isLuks, luksUUID: LUKS and plain\n"
		   "  sfdisk    --json, --list: GPT and MBR partition tables\n"
		   "  lvm       pvs, vgs, lvs, vgchange, lvchange: LVM2 volume groups\n"
		   "  ddi       inspect, open, close, cmdline: discoverable disk images\n"
		   "  boot      list, open, cmdline, close: choose and map the newest good OS image\n"
		   "\n"
		   "'dmboot dmsetup help' lists the dmsetup commands; -h or --help after\n"
		   "a command, its help; --version, dmboot's version.\n");
}

/* The subcommands; a symlink named after one runs it. */
static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} tools[] = {
	{ "dmsetup", cmd_dmsetup },
	{ "veritysetup", cmd_veritysetup },
	{ "cryptsetup", cmd_cryptsetup },
	{ "sfdisk", cmd_sfdisk },
	{ "lvm", cmd_lvm },
	{ "ddi", cmd_ddi },
	{ "boot", cmd_boot },
	{ "pvs", cmd_lvm },
	{ "vgs", cmd_lvm },
	{ "lvs", cmd_lvm },
	{ "vgchange", cmd_lvm },
	{ "lvchange", cmd_lvm },
};

/*
 * A closed 0, 1 or 2 would be the number the next open() returns, and the
 * state directory's lock or a record would become stdin or stdout.  Each
 * closed one is taken by /dev/null opened for the other direction, so that
 * using it fails with EBADF as on a closed descriptor.
 */
static int guard_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		int got;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		got = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
		if (got != fd) {
			if (got >= 0)
				close(got);
			return -1;
		}
	}
	return 0;
}

/* The exit status, after making sure what the tool printed was written. */
static int finish(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("write error on standard output: %s", strerror(errno));
		return status ? status : 1;
	}
	return status;
}

static int run(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');

	base = base ? base + 1 : argv[0];
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (strcmp(base, tools[i].name) == 0) {
			cli_prog = tools[i].name;
			return tools[i].run(argc, argv);
		}
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 1 : 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("dmboot %s\n", DMB_CLI_VERSION);
		return 0;
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

int main(int argc, char **argv)
{
	if (guard_std_fds())
		return 1;
	return finish(run(argc, argv));
}
