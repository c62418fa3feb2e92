// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * `dmboot dmsetup`: the dmsetup commands over the host registry (formats.md
 * §1.9).  Output has dmsetup's layout; errors are one line on stderr and
 * exit status 1, as dmsetup's.  dmboot adds `read` and `write`, which stand
 * in for the /dev/mapper node the kernel would give.  This file has the
 * command line and the commands that change the registry; dmsetup_show.c
 * the ones that show devices or move their bytes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmsetup.h"

/* Verb flags. */
enum {
	EXCLUSIVE = 1,   /* changes the registry: takes the state lock exclusively */
	NO_STATE = 2,    /* needs no state directory */
};

static void help(FILE *f);

static int do_create_concise(struct state *st, const char *spec, size_t len,
			     char *const *devices, size_t ndevices)
{
	struct dmb_ctx ctx = { 0 };
	struct dmb_concise *c;
	size_t done = 0;
	int r = dmb_concise_parse(&ctx, spec, len, 0, &c);

	if (r) {
		cli_error("create --concise: %s", ctx.msg);
		return r;
	}
	for (; done < c->count; done++) {
		struct dmb_concise_dev *d = &c->devs[done];

		r = cli_create_search(st, d->name, d->uuid, d->minor, d->read_only, d->table, NULL,
				      devices, ndevices);
		if (r)
			break;
	}
	/* All or nothing: take back the devices this command already made. */
	if (r)
		while (done--)
			state_remove(st, c->devs[done].name);
	dmb_concise_destroy(c);
	return r;
}

/*
 * The comma-separated --devices list.  Names are kept as given (relative
 * ones are taken against the directory of create, like the table's).
 */
static int split_devices(const char *list, char ***out, size_t *n)
{
	int r;

	*out = NULL;
	*n = 0;
	if (!list)
		return 0;
	r = cli_list_split(out, n, list);
	for (size_t i = 0; !r && i < *n; i++)
		for (const char *p = (*out)[i]; *p && !r; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				r = -EINVAL;
	if (r == -EINVAL)
		cli_error("create: invalid device name in --devices");
	if (!r && *n == 0) {
		cli_error("create: --devices names no device");
		r = -EINVAL;
	}
	return r;
}

static int create_concise(struct state *st, const struct dmsetup_opts *o, int argc, char **argv,
			  char *const *devices, size_t ndevices)
{
	char *text = NULL;
	size_t len;
	int r;

	if (argc > 1 || o->table || o->uuid || o->readonly) {
		cli_error("create --concise takes one argument and no --table, --uuid or --readonly");
		return -EINVAL;
	}
	if (argc == 1)
		return do_create_concise(st, argv[0], strlen(argv[0]), devices, ndevices);
	r = cli_read_file("-", DMB_TABLE_MAX_BYTES, &text, &len);
	if (r == 0)
		r = do_create_concise(st, text, len, devices, ndevices);
	free(text);
	return r;
}

/* The table of create: --table, a file, or stdin. */
static int read_table(const struct dmsetup_opts *o, int argc, char **argv, struct dmb_table **t)
{
	struct dmb_ctx ctx = { 0 };
	char *text;
	size_t len;
	int r;

	if (o->table) {
		text = strdup(o->table);
		len = strlen(o->table);
		if (!text)
			return -ENOMEM;
	} else {
		r = cli_read_file(argc == 2 ? argv[1] : "-", DMB_TABLE_MAX_BYTES, &text, &len);
		if (r)
			return r;
	}
	r = dmb_table_parse(&ctx, text, len, t);
	free(text);
	if (r)
		cli_error("create %s: %s", argv[0], ctx.msg);
	return r;
}

static int run_create(void *opts, int argc, char **argv)
{
	struct dmsetup *d = opts;
	const struct dmsetup_opts *o = &d->o;
	struct dmb_table *table;
	char **devices;
	size_t ndevices;
	int r = split_devices(o->devices, &devices, &ndevices);

	argc--;
	argv++;
	if (r)
		goto out;
	if (o->concise) {
		r = create_concise(&d->st, o, argc, argv, devices, ndevices);
		goto out;
	}
	if (argc < 1 || argc > 2 || (argc == 2 && o->table)) {
		cli_error("create: expected <name> and --table <table>, a table file or stdin");
		r = -EINVAL;
		goto out;
	}
	r = read_table(o, argc, argv, &table);
	if (r)
		goto out;
	r = cli_create_search(&d->st, argv[0], o->uuid ? o->uuid : "", -1, o->readonly, table,
			      NULL, devices, ndevices);
	dmb_table_destroy(table);
out:
	state_free_list(devices, ndevices);
	return r;
}

static int run_remove(void *opts, int argc, char **argv)
{
	struct dmsetup *d = opts;
	int r = 0;

	for (int i = 1; i < argc && r == 0; i++)
		r = cli_remove(&d->st, "remove", argv[i]);
	return r;
}

static int run_remove_all(void *opts, int argc, char **argv)
{
	struct dmsetup *d = opts;

	(void)argc;
	(void)argv;
	return cli_remove_all(&d->st);
}

static int run_help(void *opts, int argc, char **argv)
{
	(void)opts;
	(void)argc;
	(void)argv;
	help(stdout);
	return 0;
}

static const struct cli_verb verb_list[] = {
	{ "create", 0, CLI_ANY, run_create,
	  "  create <name> [-r|--readonly] [-u|--uuid <uuid>] [--devices <dev>[,<dev>...]]\n"
	  "         [--table <table> | <table_file>]\n"
	  "         (without --table or a file, the table is read from stdin)\n"
	  "  create --concise [<name>,<uuid>,<minor>,<ro|rw>,<table>[,<table>...][;...]]",
	  EXCLUSIVE },
	{ "remove", 1, CLI_ANY, run_remove, "  remove <name>...", EXCLUSIVE },
	{ "remove_all", 0, 0, run_remove_all, "  remove_all", EXCLUSIVE },
	{ "rename", 2, 2, dmsetup_rename, "  rename <name> <new_name>", EXCLUSIVE },
	{ "ls", 0, 0, dmsetup_ls, "  ls [-o devno|devname|blkdevname]\n"
	  "  ls --tree [-o device,nodevice,blkdevname,active,open,rw,uuid,ascii,utf,notrunc]",
	  0 },
	{ "deps", 0, CLI_ANY, dmsetup_deps, "  deps [-o devno|devname|blkdevname] [<name>...]", 0 },
	{ "table", 0, CLI_ANY, dmsetup_table, "  table [--concise] [--showkeys] [<name>...]", 0 },
	{ "status", 0, CLI_ANY, dmsetup_status, "  status [<name>...]", 0 },
	{ "info", 0, CLI_ANY, dmsetup_info, "  info [-c|-C|--columns] [<name>...]", 0 },
	{ "read", 1, 1, dmsetup_read,
	  "  read <name> [--offset <bytes>] [--length <bytes>]   (device bytes to stdout)", 0 },
	{ "write", 1, 1, dmsetup_write,
	  "  write <name> [--offset <bytes>]                     (stdin into the device)", 0 },
	{ "targets", 0, 0, dmsetup_targets, "  targets", NO_STATE },
	{ "version", 0, 0, dmsetup_version, "  version", NO_STATE },
	{ "help", 0, CLI_ANY, run_help, NULL, NO_STATE },
};

static int misuse(void *opts, const struct cli_verb *v, const char *name, int nargs)
{
	(void)opts;
	if (!v) {
		cli_error("unknown command '%s'", name);
		help(stderr);
	} else if (nargs < v->min_args && v->min_args == 1) {
		cli_error("%s: expected a device name", name);
	} else if (v->min_args == 2) {
		cli_error("%s: expected <name> and <new_name>", name);
	} else if (v->max_args == 0) {
		cli_error("%s: takes no arguments", name);
	} else {
		cli_error("%s: expected exactly one device name", name);
	}
	return 1;
}

static int prepare(void *opts, const struct cli_verb *v)
{
	struct dmsetup *d = opts;

	if (v->flags & NO_STATE)
		return 0;
	if (state_open(&d->st, (v->flags & EXCLUSIVE) != 0))
		return 1;
	d->have_state = true;
	return 0;
}

static const struct cli_verbs verbs = {
	verb_list, CLI_NELEM(verb_list), misuse, prepare,
};

static void help(FILE *f)
{
	fprintf(f, "Usage: dmsetup <command> [options]\n\n");
	cli_verbs_help(&verbs, f);
	fprintf(f,
		"\n"
		"Devices persist in DMBOOT_STATE_DIR (default $XDG_RUNTIME_DIR/dmboot or\n"
		"/tmp/dmboot-UID).  Lower devices in tables are file or block device paths,\n"
		"/dev/mapper/<name>, 253:<minor>, the <name> of a mapped device, partitions as\n"
		"<image>:p<N>, or PARTUUID=<uuid> and PARTLABEL=<name> on the --devices given.\n");
}

enum {
	OPT_TABLE = 256, OPT_CONCISE, OPT_SHOWKEYS, OPT_OFFSET, OPT_LENGTH, OPT_DEVICES, OPT_TREE,
	OPT_SETUUID, OPT_VERSION,
};

static const struct option longopts[] = {
	{ "table", required_argument, NULL, OPT_TABLE },
	{ "readonly", no_argument, NULL, 'r' },
	{ "uuid", required_argument, NULL, 'u' },
	{ "concise", no_argument, NULL, OPT_CONCISE },
	{ "showkeys", no_argument, NULL, OPT_SHOWKEYS },
	{ "columns", no_argument, NULL, 'c' },
	{ "offset", required_argument, NULL, OPT_OFFSET },
	{ "length", required_argument, NULL, OPT_LENGTH },
	{ "devices", required_argument, NULL, OPT_DEVICES },
	{ "options", required_argument, NULL, 'o' },
	{ "tree", no_argument, NULL, OPT_TREE },
	{ "setuuid", no_argument, NULL, OPT_SETUUID },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, 'h' },
	{ 0, 0, 0, 0 },
};

/* One option: -1 to go on, else the exit status. */
static int set_option(struct dmsetup_opts *o, int c, char **argv)
{
	switch (c) {
	case OPT_TABLE:
		o->table = optarg;
		break;
	case 'r':
		o->readonly = true;
		break;
	case 'u':
		o->uuid = optarg;
		break;
	case OPT_DEVICES:
		o->devices = optarg;
		break;
	case OPT_CONCISE:
		o->concise = true;
		break;
	case 'o':
		o->options = optarg;
		break;
	case OPT_TREE:
		o->tree = true;
		break;
	case OPT_SETUUID:
		o->setuuid = true;
		break;
	case OPT_VERSION:
		return dmsetup_version(NULL, 0, NULL) ? 1 : 0;
	case OPT_SHOWKEYS:
		o->showkeys = true;
		break;
	case 'c':
	case 'C':
		o->columns = true;
		break;
	case OPT_OFFSET:
	case OPT_LENGTH:
		if (!cli_parse_u64(optarg, c == OPT_OFFSET ? &o->offset : &o->length)) {
			cli_error("invalid number of bytes \"%s\"", optarg);
			return 1;
		}
		*(c == OPT_OFFSET ? &o->have_offset : &o->have_length) = true;
		break;
	case 'h':
		help(stdout);
		return 0;
	default:
		cli_error("unknown option '%s'", argv[optind - 1]);
		help(stderr);
		return 1;
	}
	return -1;
}

int cmd_dmsetup(int argc, char **argv)
{
	struct dmsetup d = { 0 };
	int c, r;

	/*
	 * -h and --help work after any verb, also where getopt would stop at
	 * the verb (POSIXLY_CORRECT): like dmsetup, help is printed and nothing
	 * else is done.
	 */
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			help(stdout);
			return 0;
		}
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "ru:cCho:", longopts, NULL)) != -1)
		if ((r = set_option(&d.o, c, argv)) >= 0)
			return r;
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		help(stderr);
		return 1;
	}
	r = cli_dispatch(&verbs, &d, argc, argv);
	/* A command line refused, or help: nothing ran against the registry. */
	if (!d.have_state)
		return r;
	state_close(&d.st);
	if (fflush(stdout) != 0 && r == 0) {
		cli_error("writing output: %s", strerror(errno));
		r = -EIO;
	}
	return r ? 1 : 0;
}
