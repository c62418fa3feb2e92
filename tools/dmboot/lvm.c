// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * dmboot lvm: lvm2's reporting and activation commands over image files.
 * The devices to scan are given with --devices (lvm2's option of the same
 * name); every partition on them is scanned too, as IMAGE:pN.  pvs, vgs and
 * lvs print lvm2's default columns with its widths, alignment, units and
 * JSON layout; vgchange/lvchange -ay create the VG-LV mapped devices with
 * the tables lvm2 would load, -an removes them.  This file has the command
 * line; lvm_scan.c, lvm_fields.c, lvm_report.c and lvm_activate.c the rest.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lvm.h"

/* Verb flags. */
enum {
	CHANGE = 1,   /* vgchange, lvchange: -a takes y or n */
};

static void usage(FILE *f);

/* The lvm2 release whose commands and output dmboot lvm follows. */
#define LVM_COMPAT "2.03.16(2)"
#define LVM_LIBDM_COMPAT "1.02.185"

/*
 * lvm2's version block, with dmboot's version where lvm2 prints its
 * release date, so that scripts reading the "LVM version:" line find the
 * lvm2 release they can expect.
 */
static void print_version(void)
{
	printf("  LVM version:     %s (dmboot %s)\n"
	       "  Library version: %s (dmboot %s)\n",
	       LVM_COMPAT, DMB_CLI_VERSION, LVM_LIBDM_COMPAT, DMB_CLI_VERSION);
}

static int run_version(void *opts, int argc, char **argv)
{
	(void)opts;
	(void)argc;
	(void)argv;
	print_version();
	return LVM_OK;
}

static int run_pvs(void *opts, int argc, char **argv)
{
	struct lvm_opts *o = opts;

	/* PV arguments are devices to scan and report. */
	for (int i = 1; i < argc; i++)
		if (cli_list_split(&o->devices, &o->ndevices, argv[i])) {
			cli_error("out of memory");
			return LVM_FAILED;
		}
	if (o->segments) {
		cli_error("pvs --segments is not supported");
		return LVM_INVALID_CMD_LINE;
	}
	return lvm_report(R_PV, o, NULL, 0);
}

static int run_vgs(void *opts, int argc, char **argv)
{
	return lvm_report(R_VG, opts, argv + 1, (size_t)argc - 1);
}

static int run_lvs(void *opts, int argc, char **argv)
{
	const struct lvm_opts *o = opts;

	return lvm_report(o->segments ? R_SEG : R_LV, o, argv + 1, (size_t)argc - 1);
}

static int run_vgchange(void *opts, int argc, char **argv)
{
	return lvm_change(true, opts, argv + 1, (size_t)argc - 1);
}

static int run_lvchange(void *opts, int argc, char **argv)
{
	return lvm_change(false, opts, argv + 1, (size_t)argc - 1);
}

static const struct cli_verb verb_list[] = {
	{ "pvs", 0, CLI_ANY, run_pvs,
	  "  pvs [--segments] [-o [+]FIELDS] [--reportformat json] [--units U] [--nosuffix]\n"
	  "      [--noheadings] [--separator S] [-a]", 0 },
	{ "vgs", 0, CLI_ANY, run_vgs, "  vgs [VG...]           (same options)", 0 },
	{ "lvs", 0, CLI_ANY, run_lvs,
	  "  lvs [VG|VG/LV...]     (same options; --segments for one row per segment)", 0 },
	{ "vgchange", 0, CLI_ANY, run_vgchange,
	  "  vgchange -ay|-an VG... [--activationmode partial] [-K]", CHANGE },
	{ "lvchange", 0, CLI_ANY, run_lvchange,
	  "  lvchange -ay|-an VG/LV... [--activationmode partial] [-K]", CHANGE },
	{ "version", 0, 0, run_version,
	  "  version               the lvm2 release followed, and dmboot's version", 0 },
};

static int misuse(void *opts, const struct cli_verb *v, const char *name, int nargs)
{
	(void)opts;
	if (v) {
		cli_error("%s: takes no arguments, %d given", name, nargs);
		return LVM_INVALID_CMD_LINE;
	}
	cli_error("unknown command '%s'", name);
	usage(stderr);
	return LVM_INVALID_CMD_LINE;
}

static const struct cli_verbs verbs = { verb_list, CLI_NELEM(verb_list), misuse, NULL };

static void usage(FILE *f)
{
	fprintf(f, "Usage: dmboot lvm <command> --devices IMAGE[,IMAGE...] [options] [args]\n\n");
	cli_verbs_help(&verbs, f);
	fprintf(f, "\nEvery partition of a device is scanned too, as IMAGE:pN.\n"
		   "-h, --help after any command prints this help; --version the version.\n");
}

static int add_fields(struct lvm_opts *o, const char *spec)
{
	char *n;

	if (!o->fields)
		n = strdup(spec);
	else if (asprintf(&n, "%s,%s", o->fields, spec[0] == '+' ? spec + 1 : spec) < 0)
		n = NULL;
	if (!n)
		return -ENOMEM;
	free(o->fields);
	o->fields = n;
	return 0;
}

enum { O_DEVICES = 256, O_REPORTFORMAT, O_UNITS, O_NOSUFFIX, O_NOHEADINGS, O_SEPARATOR,
       O_SEGMENTS, O_ACTMODE, O_CONFIG, O_HELP, O_VERSION, O_ALIGNED };

static const struct option longopts[] = {
	{ "devices", required_argument, NULL, O_DEVICES },
	{ "reportformat", required_argument, NULL, O_REPORTFORMAT },
	{ "units", required_argument, NULL, O_UNITS },
	{ "nosuffix", no_argument, NULL, O_NOSUFFIX },
	{ "noheadings", no_argument, NULL, O_NOHEADINGS },
	{ "separator", required_argument, NULL, O_SEPARATOR },
	{ "segments", no_argument, NULL, O_SEGMENTS },
	{ "options", required_argument, NULL, 'o' },
	{ "all", no_argument, NULL, 'a' },
	{ "activate", required_argument, NULL, 'A' },
	{ "activationmode", required_argument, NULL, O_ACTMODE },
	{ "ignoreactivationskip", no_argument, NULL, 'K' },
	{ "config", required_argument, NULL, O_CONFIG },
	{ "help", no_argument, NULL, O_HELP },
	{ "version", no_argument, NULL, O_VERSION },
	{ "aligned", no_argument, NULL, O_ALIGNED },
	{ NULL, 0, NULL, 0 },
};

/* -ay, -an and their lvm2 spellings. */
static int set_activate(struct lvm_opts *o, const char *arg)
{
	if (strcmp(arg, "y") == 0 || strcmp(arg, "ay") == 0 || strcmp(arg, "ey") == 0 ||
	    strcmp(arg, "ly") == 0)
		o->activate = 1;
	else if (strcmp(arg, "n") == 0 || strcmp(arg, "ln") == 0)
		o->activate = 0;
	else
		return -EINVAL;
	return 0;
}

/* An option's value: 0, -EINVAL when it is refused, -ENOMEM. */
static int set_value(struct lvm_opts *o, int c, bool change)
{
	switch (c) {
	case O_DEVICES:
		return cli_list_split(&o->devices, &o->ndevices, optarg);
	case O_REPORTFORMAT:
		if (strcmp(optarg, "json") == 0 || strcmp(optarg, "json_std") == 0)
			o->json = true;
		else if (strcmp(optarg, "basic") != 0)
			return -EINVAL;
		return 0;
	case O_UNITS:
		if (strlen(optarg) != 1 || !lvm_units_ok(optarg[0]))
			return -EINVAL;
		o->units = optarg[0];
		return 0;
	case 'o':
		return add_fields(o, optarg);
	case 'a':
	case 'A':
		/* -a is --all in reports and takes y/n in the change commands. */
		if (change)
			return set_activate(o, optarg);
		if (c == 'a')
			o->all = true;
		return 0;
	case O_ACTMODE:
		if (strcmp(optarg, "partial") == 0)
			o->partial = true;
		else if (strcmp(optarg, "complete") != 0 && strcmp(optarg, "degraded") != 0)
			return -EINVAL;
		return 0;
	default:
		return 0;
	}
}

/* One option: -1 to go on, else the exit status. */
static int set_option(struct lvm_opts *o, const char *cmd, int c, bool change, char **argv)
{
	int r;

	switch (c) {
	case O_NOSUFFIX:
		o->nosuffix = true;
		return -1;
	case O_NOHEADINGS:
		o->noheadings = true;
		return -1;
	case O_SEPARATOR:
		o->separator = optarg;
		return -1;
	case O_ALIGNED:
		o->aligned = true;
		return -1;
	case O_SEGMENTS:
		o->segments = true;
		return -1;
	case 'K':
		o->ignore_skip = true;
		return -1;
	case O_CONFIG:
		/* Accepted for lvm2 command lines; dmboot never touches the kernel. */
		return -1;
	case 'h':
	case O_HELP:
		usage(stdout);
		return LVM_OK;
	case O_VERSION:
		print_version();
		return LVM_OK;
	case O_DEVICES: case O_REPORTFORMAT: case O_UNITS: case 'o': case 'a': case 'A':
	case O_ACTMODE:
		break;
	default:
		cli_error("%s: invalid option '%s'", cmd, argv[optind - 1]);
		return LVM_INVALID_CMD_LINE;
	}
	r = set_value(o, c, change);
	if (r == -ENOMEM) {
		cli_error("out of memory");
		return LVM_FAILED;
	}
	if (r) {
		cli_error("%s: invalid value '%s' for option '%s'", cmd, optarg, argv[optind - 1]);
		return LVM_INVALID_CMD_LINE;
	}
	return -1;
}

/* The operands after the options, behind the verb, for the dispatcher. */
static int run_verb(struct lvm_opts *o, const char *cmd, int argc, char **argv)
{
	char **args = calloc((size_t)argc + 1, sizeof(*args));
	int status;

	if (!args) {
		cli_error("out of memory");
		return LVM_FAILED;
	}
	args[0] = (char *)cmd;
	memcpy(args + 1, argv, (size_t)argc * sizeof(*args));
	status = cli_dispatch(&verbs, o, argc + 1, args);
	free(args);
	return status;
}

int cmd_lvm(int argc, char **argv)
{
	struct lvm_opts o = { .units = 'r', .activate = -1 };
	const struct cli_verb *v;
	const char *cmd;
	bool change;
	int c, status = -1;

	/* "lvm pvs ..." or, through a symlink, "pvs ...". */
	if (strcmp(argv[0], "lvm") == 0 || (strlen(argv[0]) > 4 &&
					   strcmp(argv[0] + strlen(argv[0]) - 4, "/lvm") == 0)) {
		argc--;
		argv++;
	}
	if (argc < 1 || strcmp(argv[0], "help") == 0 || strcmp(argv[0], "--help") == 0 ||
	    strcmp(argv[0], "-h") == 0) {
		usage(argc < 1 ? stderr : stdout);
		return argc < 1 ? LVM_INVALID_CMD_LINE : LVM_OK;
	}
	/* lvm2 wants "lvm version"; --version alone is taken as that too. */
	if (strcmp(argv[0], "--version") == 0) {
		print_version();
		return LVM_OK;
	}
	cmd = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	v = cli_verb_find(&verbs, cmd);
	if (!v)
		return misuse(&o, NULL, cmd, 0);
	change = (v->flags & CHANGE) != 0;
	optind = 1;
	opterr = 0;
	while (status < 0 && (c = getopt_long(argc, argv, change ? "a:Kh" : "ao:h", longopts, NULL)) != -1)
		status = set_option(&o, cmd, c, change, argv);
	if (status < 0)
		status = run_verb(&o, cmd, argc - optind, argv + optind);
	cli_list_free(o.devices, o.ndevices);
	free(o.fields);
	return status;
}
