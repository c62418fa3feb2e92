// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The command line of `dmboot cryptsetup`: cryptsetup 2.6.1's options for
 * open (LUKS1, LUKS2 and plain mode), close, status, isLuks, luksUUID and
 * luksDump, its actions as a verb table, and its exit codes as a table
 * over the library's errors (formats.md §5; the actions are cryptsetup.c
 * and cryptsetup_dump.c).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cryptsetup.h"

/* cryptsetup's exit codes (its translate_errno()). */
enum {
	EXIT_OK = 0,
	EXIT_PARAMS = 1,     /* wrong parameters */
	EXIT_PERM = 2,       /* no permission (bad passphrase) */
	EXIT_NOMEM = 3,
	EXIT_DEVICE = 4,     /* wrong device specified */
	EXIT_BUSY = 5,       /* device already exists or is busy */
};

static const struct cli_exit_code exit_codes[] = {
	{ 0, EXIT_OK }, { DMB_ENOMEM, EXIT_NOMEM }, { DMB_EVERIFY, EXIT_PERM },
	{ DMB_ENOKEY, EXIT_PERM }, { DMB_EACCES, EXIT_DEVICE }, { DMB_EEXIST, EXIT_BUSY },
	{ DMB_EBUSY, EXIT_BUSY }, { DMB_ENOENT, EXIT_DEVICE },
};

static const struct cli_exit_map crypt_exit = {
	exit_codes, CLI_NELEM(exit_codes), NULL, EXIT_PARAMS,
};

/* cryptsetup -v's last line. */
static void show_status(int status)
{
	static const char *const what[] = {
		[EXIT_PARAMS] = "wrong or missing parameters",
		[EXIT_PERM] = "no permission or bad passphrase",
		[EXIT_NOMEM] = "out of memory",
		[EXIT_DEVICE] = "wrong device or file specified",
		[EXIT_BUSY] = "device already exists or device is busy",
	};

	if (status == EXIT_OK)
		printf("Command successful.\n");
	else
		printf("Command failed with code %d (%s).\n", -status,
		       status <= EXIT_BUSY ? what[status] : "unknown error");
}

static void help(FILE *f);

static int run_help(void *opts, int argc, char **argv)
{
	(void)opts;
	(void)argc;
	(void)argv;
	help(stdout);
	return 0;
}

/* luksOpen and plainOpen: open with the type their name says. */
static int run_luks_open(void *opts, int argc, char **argv)
{
	struct copts *o = opts;

	if (!o->type)
		o->type = "luks";
	return cs_open(opts, argc, argv);
}

static int run_plain_open(void *opts, int argc, char **argv)
{
	((struct copts *)opts)->type = "plain";
	return cs_open(opts, argc, argv);
}

static const struct cli_verb verb_list[] = {
	{ "open", 1, 2, cs_open, "\topen <device> [--type <type>] [<name>] - open device as <name>", 0 },
	{ "close", 1, 1, cs_close, "\tclose <name> - close device (remove mapping)", 0 },
	{ "status", 1, 1, cs_status, "\tstatus <name> - show device status", 0 },
	{ "luksDump", 1, 1, cs_luks_dump, "\tluksDump <device> - dump LUKS partition information", 0 },
	{ "isLuks", 1, 1, cs_is_luks, "\tisLuks <device> - tests <device> for LUKS partition header", 0 },
	{ "luksUUID", 1, 1, cs_luks_uuid, "\tluksUUID <device> - print UUID of LUKS device", 0 },
	{ "luksOpen", 2, 2, run_luks_open, NULL, 0 },
	{ "plainOpen", 2, 2, run_plain_open, NULL, 0 },
	{ "luksClose", 1, 1, cs_close, NULL, 0 },
	{ "remove", 1, 1, cs_close, NULL, 0 },
	{ "help", 0, CLI_ANY, run_help, NULL, 0 },
};

static int misuse(void *opts, const struct cli_verb *v, const char *name, int nargs)
{
	(void)opts;
	(void)nargs;
	if (v)
		fprintf(stderr, "Command requires device and mapped name as arguments.\n");
	else
		fprintf(stderr, "Unknown action.\n");
	(void)name;
	return DMB_EINVAL;
}

static const struct cli_verbs verbs = { verb_list, CLI_NELEM(verb_list), misuse, NULL };

static void help(FILE *f)
{
	fprintf(f, "Usage: cryptsetup [OPTION...] <action> <action-specific>\n\n"
		   "<action> is one of:\n");
	cli_verbs_help(&verbs, f);
	fprintf(f,
		"\n"
		"Options: --type=luks|luks1|luks2|plain -d|--key-file=FILE --keyfile-offset=BYTES\n"
		"  -l|--keyfile-size=BYTES -S|--key-slot=N --header=FILE -r|--readonly\n"
		"  --volume-key-file=FILE --test-passphrase --dump-json-metadata\n"
		"  --dump-volume-key -c|--cipher=SPEC -s|--key-size=BITS -h|--hash=NAME\n"
		"  -o|--offset=SECTORS -p|--skip=SECTORS -b|--size=SECTORS --sector-size=BYTES\n"
		"  --iv-large-sectors --allow-discards -q|--batch-mode -v|--verbose\n"
		"  -?|--help -V|--version\n"
		"\n"
		"Default compiled-in key and passphrase parameters:\n"
		"\tMaximum keyfile size: 8192kB, Maximum interactive passphrase length 512 (characters)\n"
		"\n"
		"Default compiled-in device cipher parameters:\n"
		"\tplain: aes-cbc-essiv:sha256, Key: 256 bits, Password hashing: ripemd160\n"
		"\tLUKS: aes-xts-plain64, Key: 256 bits, LUKS header hashing: sha256, RNG: /dev/urandom\n");
}

enum {
	O_TYPE = 256, O_KFOFF, O_HEADER, O_VKFILE, O_TEST, O_JSON, O_DUMPVK, O_SECTOR, O_LARGE,
	O_DISCARDS, O_DEBUG, O_HELP,
};

static const struct option longopts[] = {
	{ "type", required_argument, NULL, O_TYPE },
	{ "key-file", required_argument, NULL, 'd' },
	{ "keyfile-offset", required_argument, NULL, O_KFOFF },
	{ "keyfile-size", required_argument, NULL, 'l' },
	{ "key-slot", required_argument, NULL, 'S' },
	{ "header", required_argument, NULL, O_HEADER },
	{ "readonly", no_argument, NULL, 'r' },
	{ "volume-key-file", required_argument, NULL, O_VKFILE },
	{ "master-key-file", required_argument, NULL, O_VKFILE },
	{ "test-passphrase", no_argument, NULL, O_TEST },
	{ "dump-json-metadata", no_argument, NULL, O_JSON },
	{ "dump-volume-key", no_argument, NULL, O_DUMPVK },
	{ "dump-master-key", no_argument, NULL, O_DUMPVK },
	{ "cipher", required_argument, NULL, 'c' },
	{ "key-size", required_argument, NULL, 's' },
	{ "hash", required_argument, NULL, 'h' },
	{ "offset", required_argument, NULL, 'o' },
	{ "skip", required_argument, NULL, 'p' },
	{ "size", required_argument, NULL, 'b' },
	{ "sector-size", required_argument, NULL, O_SECTOR },
	{ "iv-large-sectors", no_argument, NULL, O_LARGE },
	{ "allow-discards", no_argument, NULL, O_DISCARDS },
	{ "batch-mode", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "debug", no_argument, NULL, O_DEBUG },
	{ "help", no_argument, NULL, O_HELP },
	{ "version", no_argument, NULL, 'V' },
	{ 0, 0, 0, 0 },
};

static bool set_flag(struct copts *o, int c)
{
	switch (c) {
	case 'r':
		o->readonly = true;
		return true;
	case O_TEST:
		o->test_passphrase = true;
		return true;
	case O_JSON:
		o->dump_json = true;
		return true;
	case O_DUMPVK:
		o->dump_volume_key = true;
		return true;
	case O_LARGE:
		o->iv_large_sectors = true;
		return true;
	case O_DISCARDS:
		o->allow_discards = true;
		return true;
	case 'q':
		o->batch = true;
		return true;
	case 'v':
		o->verbose = true;
		return true;
	case O_DEBUG:
		return true;
	default:
		return false;
	}
}

/* An option with a value: false when it is refused. */
static bool set_value(struct copts *o, int c)
{
	uint64_t v = 0;

	switch (c) {
	case O_TYPE:
		o->type = optarg;
		return true;
	case 'd':
		o->key_file = optarg;
		return true;
	case O_HEADER:
		o->header = optarg;
		return true;
	case O_VKFILE:
		o->volume_key_file = optarg;
		return true;
	case 'c':
		o->cipher = optarg;
		return true;
	case 'h':
		o->hash = optarg;
		return true;
	case O_KFOFF:
		return cli_parse_u64(optarg, &o->keyfile_offset);
	case 'l':
		return cli_parse_u64(optarg, &o->keyfile_size);
	case 'S':
		o->key_slot = (int)v;
		if (!cli_parse_u64(optarg, &v) || v >= DMB_LUKS_MAX_SLOTS)
			return false;
		o->key_slot = (int)v;
		return true;
	case 's':
		o->key_size_bits = (uint32_t)v;
		if (!cli_parse_u64(optarg, &v) || !v || v % 8 || v > 8 * DMB_LUKS_MAX_KEY_BYTES)
			return false;
		o->key_size_bits = (uint32_t)v;
		return true;
	case 'o':
		return cli_parse_u64(optarg, &o->offset);
	case 'p':
		return cli_parse_u64(optarg, &o->skip);
	case 'b':
		return cli_parse_u64(optarg, &o->size);
	case O_SECTOR:
		if (!cli_parse_u64(optarg, &v) || v < 512 || v > 4096 || (v & (v - 1)))
			return false;
		o->sector_size = (uint32_t)v;
		return true;
	default:
		return false;
	}
}

static const char *option_name(int c)
{
	for (const struct option *p = longopts; p->name; p++)
		if (p->val == c)
			return p->name;
	return "?";
}

/* One option: -1 to go on, else the exit status. */
static int set_option(struct copts *o, int c, char **argv)
{
	if (c == O_HELP || (c == '?' && optopt == '?')) {
		help(stdout);
		return 0;
	}
	if (c == 'V') {
		cli_print_version("cryptsetup", "2.6.1");
		return 0;
	}
	if (c == '?') {
		cli_error("unknown option '%s'", argv[optind - 1]);
		return EXIT_PARAMS;
	}
	if (set_flag(o, c) || set_value(o, c))
		return -1;
	if (c == 'S')
		fprintf(stderr, "Key slot is invalid.\n");
	else if (c == O_SECTOR)
		fprintf(stderr, "Unsupported encryption sector size.\n");
	else
		cli_error("invalid value '%s' for option --%s", optarg ? optarg : "", option_name(c));
	return EXIT_PARAMS;
}

int cmd_cryptsetup(int argc, char **argv)
{
	struct copts o = { .key_slot = -1 };
	int c, r, status = -1;

	opterr = 0;
	optind = 1;
	while (status < 0 &&
	       (c = getopt_long(argc, argv, "d:l:S:rc:s:h:o:p:b:qvV", longopts, NULL)) != -1)
		status = set_option(&o, c, argv);
	if (status < 0 && argc - optind < 1) {
		help(stderr);
		status = EXIT_PARAMS;
	}
	if (status < 0) {
		r = cli_dispatch(&verbs, &o, argc - optind, argv + optind);
		status = cli_exit_status(&crypt_exit, r);
		if (o.verbose)
			show_status(status);
	}
	return status;
}
