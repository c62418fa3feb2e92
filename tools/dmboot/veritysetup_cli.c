// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The command line of `dmboot veritysetup`: veritysetup's options, with its
 * messages for a value it refuses, its actions as a verb table, and its
 * exit codes (formats.md §2) as a table over the library's errors.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "veritysetup.h"

/*
 * veritysetup's exit codes, as cryptsetup's translate_errno() gives them:
 * 2 is its EPERM (data or signature verification failed), 4 its ENODEV and
 * ENOTBLK (a device that does not exist or cannot be opened: a missing file
 * and a file without permission alike).  Everything else is 1, an I/O error
 * included.
 */
enum {
	EXIT_OK = 0,
	EXIT_PARAMS = 1,     /* wrong parameters */
	EXIT_PERM = 2,       /* no permission (verification failed) */
	EXIT_NOMEM = 3,
	EXIT_DEVICE = 4,     /* wrong device specified */
	EXIT_BUSY = 5,       /* device already exists or is busy */
};

static const struct cli_exit_code exit_codes[] = {
	{ 0, EXIT_OK }, { DMB_ENOMEM, EXIT_NOMEM }, { DMB_EVERIFY, EXIT_PERM },
	{ DMB_ENOKEY, EXIT_PERM }, { DMB_EACCES, EXIT_DEVICE }, { DMB_EEXIST, EXIT_BUSY },
	{ DMB_EBUSY, EXIT_BUSY }, { DMB_ENOENT, EXIT_DEVICE },
};

/* veritysetup -v's last line (on stdout, as its verbose log goes). */
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

static const struct cli_exit_map verity_exit = {
	exit_codes, CLI_NELEM(exit_codes), NULL, EXIT_PARAMS,
};

/* Verb flags. */
enum {
	NO_MODE = 1,   /* a corruption mode (--ignore-corruption, ...) is refused */
};

static void help(FILE *f);

static int run_close(void *opts, int argc, char **argv)
{
	struct state st;
	int r;

	(void)opts;
	(void)argc;
	r = state_open(&st, true) ? DMB_EIO : 0;
	if (!r) {
		r = cli_remove(&st, "close", argv[1]);
		state_close(&st);
	}
	return r;
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
	{ "format", 2, 2, verity_format, "  format <data_device> <hash_device>", NO_MODE },
	{ "verify", 2, 3, verity_verify, "  verify <data_device> <hash_device> [<root_hash>]",
	  NO_MODE },
	{ "open", 3, 4, verity_open, "  open <data_device> <name> <hash_device> [<root_hash>]", 0 },
	{ "close", 1, 1, run_close, "  close <name>", 0 },
	{ "status", 1, 1, verity_status, "  status <name>", 0 },
	{ "dump", 1, 1, verity_dump, "  dump <hash_device>", 0 },
	{ "help", 0, CLI_ANY, run_help, NULL, 0 },
};

static int misuse(void *opts, const struct cli_verb *v, const char *name, int nargs)
{
	(void)opts;
	(void)v;
	(void)nargs;
	cli_error("unknown action or wrong number of arguments: %s", name);
	help(stderr);
	return DMB_EINVAL;
}

static const struct cli_verbs verbs = { verb_list, CLI_NELEM(verb_list), misuse, NULL };

static void help(FILE *f)
{
	fprintf(f, "Usage: veritysetup [OPTION...] <action> <action-specific>\n\n");
	cli_verbs_help(&verbs, f);
	fprintf(f,
		"\n"
		"Options: --hash=NAME --salt=HEX|- --uuid=UUID --data-block-size=BYTES\n"
		"  --hash-block-size=BYTES --data-blocks=N --hash-offset=BYTES --no-superblock\n"
		"  --format=0|1 --fec-device=PATH --fec-roots=N --fec-offset=BYTES\n"
		"  --root-hash-file=PATH --root-hash-signature=PATH --trusted-cert=CERT|DIR\n"
		"  --require-signature --ignore-corruption --restart-on-corruption\n"
		"  --panic-on-corruption --ignore-zero-blocks --check-at-most-once\n"
		"  --use-tasklets --threads=N -v|--verbose -?|--help -V|--version\n"
		"  --devices=DEV[,DEV...] (searched for a device given as PARTUUID=U or\n"
		"  PARTLABEL=L when udev has no /dev/disk link for it)\n"
		"\n"
		"Default compiled-in dm-verity parameters:\n"
		"\tHash: sha256, Data block (bytes): 4096, Hash block (bytes): 4096, Salt size: 32, Hash format: 1\n");
}

enum {
	O_HASH = 256, O_SALT, O_UUID, O_DBS, O_HBS, O_BLOCKS, O_OFFSET, O_NOSB, O_FORMAT,
	O_FECDEV, O_FECROOTS, O_FECOFF, O_ROOTFILE, O_SIG, O_CERT, O_REQSIG, O_IGNCORR,
	O_RESTART, O_PANIC, O_ZERO, O_ONCE, O_TASKLETS, O_THREADS, O_DEBUG, O_HELP, O_DEVICES,
};

static const struct option longopts[] = {
	{ "hash", required_argument, NULL, 'h' },
	{ "salt", required_argument, NULL, 's' },
	{ "uuid", required_argument, NULL, O_UUID },
	{ "data-block-size", required_argument, NULL, O_DBS },
	{ "hash-block-size", required_argument, NULL, O_HBS },
	{ "data-blocks", required_argument, NULL, O_BLOCKS },
	{ "hash-offset", required_argument, NULL, O_OFFSET },
	{ "no-superblock", no_argument, NULL, O_NOSB },
	{ "format", required_argument, NULL, O_FORMAT },
	{ "fec-device", required_argument, NULL, O_FECDEV },
	{ "fec-roots", required_argument, NULL, O_FECROOTS },
	{ "fec-offset", required_argument, NULL, O_FECOFF },
	{ "root-hash-file", required_argument, NULL, O_ROOTFILE },
	{ "root-hash-signature", required_argument, NULL, O_SIG },
	{ "trusted-cert", required_argument, NULL, O_CERT },
	{ "devices", required_argument, NULL, O_DEVICES },
	{ "require-signature", no_argument, NULL, O_REQSIG },
	{ "ignore-corruption", no_argument, NULL, O_IGNCORR },
	{ "restart-on-corruption", no_argument, NULL, O_RESTART },
	{ "panic-on-corruption", no_argument, NULL, O_PANIC },
	{ "ignore-zero-blocks", no_argument, NULL, O_ZERO },
	{ "check-at-most-once", no_argument, NULL, O_ONCE },
	{ "use-tasklets", no_argument, NULL, O_TASKLETS },
	{ "threads", required_argument, NULL, O_THREADS },
	{ "verbose", no_argument, NULL, 'v' },
	{ "debug", no_argument, NULL, O_DEBUG },
	{ "help", no_argument, NULL, O_HELP },
	{ "version", no_argument, NULL, 'V' },
	{ 0, 0, 0, 0 },
};

static bool parse_size(const char *s, uint64_t *out)
{
	return cli_parse_u64(s, out);
}

static bool dmb_is_pow2_u64(uint64_t v)
{
	return v && !(v & (v - 1));
}

static const char *option_name(const struct option *opts, int c)
{
	for (; opts->name; opts++)
		if (opts->val == c)
			return opts->name;
	return "?";
}

/* At most one corruption mode, as veritysetup insists. */
static bool set_mode(struct vopts *o, const char *mode, const char *option)
{
	if (o->mode && strcmp(o->mode, mode) != 0) {
		const char *a = o->mode_option, *b = option;

		if (strcmp(a, b) > 0) {
			const char *t = a;

			a = b;
			b = t;
		}
		cli_error("Option %s and %s cannot be used together.", a, b);
		return false;
	}
	o->mode = mode;
	o->mode_option = option;
	return true;
}

/* An option that takes no value, or one kept as given; false for another. */
static bool set_flag(struct vopts *o, int c)
{
	switch (c) {
	case O_UUID:
		/* Checked by the action, which names the device. */
		o->have_uuid = true;
		o->uuid_text = optarg;
		return true;
	case O_NOSB:
		o->p.no_superblock = true;
		return true;
	case O_FECDEV:
		o->fec_device = optarg;
		return true;
	case O_ROOTFILE:
		o->root_hash_file = optarg;
		return true;
	case O_SIG:
		o->signature = optarg;
		return true;
	case O_REQSIG:
		o->require_sig = true;
		return true;
	case O_ZERO:
		o->zero_blocks = true;
		return true;
	case O_ONCE:
		o->at_most_once = true;
		return true;
	case O_TASKLETS:
		o->tasklets = true;
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

static bool set_hash(struct vopts *o)
{
	if (strlen(optarg) >= sizeof(o->p.hash_name))
		return false;
	/* veritysetup stores algorithm names in lower case. */
	for (size_t i = 0; optarg[i]; i++)
		o->p.hash_name[i] = (char)(optarg[i] >= 'A' && optarg[i] <= 'Z' ? optarg[i] - 'A' + 'a'
									 : optarg[i]);
	o->p.hash_name[strlen(optarg)] = '\0';
	return true;
}

static bool set_salt(struct vopts *o)
{
	size_t n = strlen(optarg);

	o->have_salt = true;
	if (strcmp(optarg, "-") == 0) {
		o->p.salt_size = 0;
		return true;
	}
	o->p.salt_size = n / 2;
	return n % 2 == 0 && n / 2 <= DMB_VERITY_MAX_SALT &&
	       dmb_hex_decode(optarg, o->p.salt, n / 2) == 0;
}

/*
 * An option with a value to check: false when it is refused, with *why
 * veritysetup's message for it (NULL: the generic one).
 */
static bool set_value(struct vopts *o, int c, const char **why, char *whybuf, size_t cap)
{
	uint64_t v = 0;
	bool ok;

	switch (c) {
	case 'h':
		o->hash_text = optarg;
		return set_hash(o);
	case 's':
		*why = "Invalid salt string specified.";
		return set_salt(o);
	case O_DBS:
	case O_HBS:
		ok = parse_size(optarg, &v) && v >= 512 && v <= (1u << DMB_MAX_BLOCK_SHIFT) &&
		     dmb_is_pow2_u64(v);
		*why = "Unsupported VERITY block size.";
		*(c == O_DBS ? &o->p.data_block_size : &o->p.hash_block_size) = (uint32_t)v;
		return ok;
	case O_BLOCKS:
		o->have_blocks = true;
		return parse_size(optarg, &o->p.data_blocks);
	case O_OFFSET:
		return parse_size(optarg, &o->p.hash_offset) && o->p.hash_offset % 512 == 0;
	case O_FORMAT:
		ok = parse_size(optarg, &v) && v <= 1;
		o->p.hash_type = (unsigned)v;
		if (!ok && parse_size(optarg, &v)) {
			snprintf(whybuf, cap, "Unsupported VERITY hash type %llu.", (unsigned long long)v);
			*why = whybuf;
		}
		return ok;
	case O_FECROOTS:
		ok = parse_size(optarg, &v) && v >= 2 && v <= 24;
		o->fec_roots = (uint32_t)v;
		*why = "Invalid number of parity bytes.";
		return ok;
	case O_FECOFF:
		return parse_size(optarg, &o->fec_offset) && o->fec_offset % 512 == 0;
	case O_THREADS:
		ok = parse_size(optarg, &v) && v >= 1 && v <= 64;
		o->threads = (unsigned)v;
		return ok;
	case O_CERT:
		return cli_list_push(&o->certs, &o->ncerts, optarg) == 0;
	default:
		return false;
	}
}

/* One option: -1 to go on, else the exit status. */
static int set_option(struct vopts *o, int c, char **argv)
{
	static const char *const modes[] = {
		[O_IGNCORR - O_IGNCORR] = "ignore_corruption",
		[O_RESTART - O_IGNCORR] = "restart_on_corruption",
		[O_PANIC - O_IGNCORR] = "panic_on_corruption",
	};
	const char *why = NULL;
	char whybuf[96];

	if (c == O_IGNCORR || c == O_RESTART || c == O_PANIC)
		return set_mode(o, modes[c - O_IGNCORR], argv[optind - 1]) ? -1 : EXIT_PARAMS;
	/*
	 * --help and -? anywhere, before or after the action.  -h is --hash,
	 * as in veritysetup; given last, with no name after it, it asks for
	 * help (veritysetup says "-h: missing argument" there).
	 */
	if (c == O_HELP || (c == '?' && (optopt == '?' || optopt == 'h'))) {
		help(stdout);
		return 0;
	}
	if (c == 'V') {
		cli_print_version("veritysetup", "2.6.1");
		return 0;
	}
	if (c == '?') {
		cli_error("unknown option '%s'", argv[optind - 1]);
		return EXIT_PARAMS;
	}
	if (c == O_DEVICES) {
		cli_list_free(o->devices, o->ndevices);
		return cli_image_devices("veritysetup", optarg, &o->devices, &o->ndevices) ? EXIT_PARAMS
											    : -1;
	}
	if (set_flag(o, c) || set_value(o, c, &why, whybuf, sizeof(whybuf)))
		return -1;
	if (why)
		fprintf(stderr, "%s\n", why);
	else
		cli_error("invalid value '%s' for option --%s", optarg ? optarg : "",
			  option_name(longopts, c));
	return EXIT_PARAMS;
}

int cmd_veritysetup(int argc, char **argv)
{
	struct vopts o = { .p = { .hash_type = 1, .data_block_size = 4096, .hash_block_size = 4096 } };
	const struct cli_verb *v = NULL;
	int c, r, status = -1;

	strcpy(o.p.hash_name, "sha256");
	opterr = 0;
	optind = 1;
	while (status < 0 && (c = getopt_long(argc, argv, "h:s:vV", longopts, NULL)) != -1)
		status = set_option(&o, c, argv);
	if (o.fec_device && !o.fec_roots)
		o.fec_roots = 2;
	if (status < 0 && argc - optind < 1) {
		help(stderr);
		status = EXIT_PARAMS;
	}
	if (status < 0)
		v = cli_verb_find(&verbs, argv[optind]);
	if (v && o.mode && (v->flags & NO_MODE)) {
		cli_error("Option %s is not allowed with %s action.", o.mode_option, v->name);
		status = EXIT_PARAMS;
	}
	if (status < 0) {
		/* A write error on stdout is main.c's finish() to report, as for every tool. */
		r = cli_dispatch(&verbs, &o, argc - optind, argv + optind);
		status = cli_exit_status(&verity_exit, r);
		if (o.verbose)
			show_status(status);
	}
	cli_list_free(o.certs, o.ncerts);
	cli_list_free(o.devices, o.ndevices);
	return status;
}
