// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * `dmboot ddi`: Discoverable Disk Images (formats.md §6) after systemd-dissect.
 * inspect shows the partitions systemd-dissect would use, with its columns
 * and JSON keys, and the root hash and signature state; open checks the
 * -verity-sig partition's signature against the trusted certificates before
 * anything is mapped, then creates `root` and `usr` (verity over the data
 * partition when the root hash is known) all or nothing, and records what
 * it made so that close removes exactly that; cmdline prints the
 * dm-mod.create= line (formats.md §1.8) that makes Linux build the same
 * devices at boot.  The library (<dmboot/ddi.h>) does the dissection; this
 * file has the command line, opening an image and cmdline; ddi_inspect.c
 * the output of inspect, ddi_open.c open, close and their registry record.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "ddi.h"

/* Where systemd looks for the certificates it trusts for verity signatures. */
static const char *const default_cert_dirs[] = {
	"/etc/verity.d", "/run/verity.d", "/usr/local/lib/verity.d", "/usr/lib/verity.d",
};

const char *const ddi_dev_names[2] = { "root", "usr" };

static const struct cli_exit_code exit_codes[] = {
	{ 0, DDI_OK }, { DMB_ENOMEM, DDI_NOMEM }, { DMB_EEXIST, DDI_BUSY }, { DMB_EBUSY, DDI_BUSY },
};

const struct cli_exit_map ddi_exit = { exit_codes, CLI_NELEM(exit_codes), NULL, DDI_IMAGE };

/* A signature refused: each reason has its own status. */
static const struct cli_exit_code sig_codes[] = {
	{ DMB_ENOKEY, DDI_UNTRUSTED }, { DMB_EVERIFY, DDI_BADSIG }, { DMB_ECORRUPT, DDI_MALFORMED },
	{ DMB_EINVAL, DDI_MALFORMED },
};

static const struct cli_exit_map sig_exit = { sig_codes, CLI_NELEM(sig_codes), &ddi_exit, 0 };

/* ---- opening and dissecting --------------------------------------------- */

void ddi_image_close(struct image *im)
{
	dmb_ddi_destroy(im->ddi);
	cli_image_close(&im->img);
	dmb_posix_crypto_fini(&im->pc);
}

static bool is_crt(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 4 && strcmp(name + n - 4, ".crt") == 0;
}

/* The *.crt files of systemd's verity.d directories that exist. */
static int add_default_certs(struct image *im)
{
	int r = 0;

	for (size_t i = 0; i < sizeof(default_cert_dirs) / sizeof(default_cert_dirs[0]); i++) {
		DIR *d = opendir(default_cert_dirs[i]);
		struct dirent *de;

		while (r == 0 && d && (de = readdir(d))) {
			struct stat sb;
			char *p;

			if (!is_crt(de->d_name))
				continue;
			if (asprintf(&p, "%s/%s", default_cert_dirs[i], de->d_name) < 0)
				return DMB_ENOMEM;
			if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode))
				r = dmb_posix_crypto_add_trusted(&im->pc, &im->ctx, p);
			free(p);
		}
		if (d)
			closedir(d);
	}
	return r;
}

/* The first signature failure KEEP_GOING recorded, or 0. */
static int sig_error(const struct dmb_ddi *ddi)
{
	return ddi->verity[0].sig_err ? ddi->verity[0].sig_err : ddi->verity[1].sig_err;
}

/*
 * The exit status for a dissection that failed with r.  The library's codes
 * are shared between stages (DMB_EVERIFY is a bad signature and a root hash
 * the partition UUIDs do not match; DMB_ENOKEY an untrusted signer and a
 * missing one), so a second dissection that records signature failures
 * instead of stopping at them tells which stage refused.  Its result only
 * picks the status: nothing is mapped from it.
 */
static int refusal_status(struct image *im, int r)
{
	struct dmb_ddi_options keep = im->opt;
	struct dmb_ctx ctx = im->ctx;
	struct dmb_ddi *ddi;
	int d, status = cli_exit_status(&ddi_exit, r);

	if (r == DMB_ENOMEM)
		return DDI_NOMEM;
	keep.flags = (keep.flags & ~DMB_DDI_REQUIRE_SIGNATURE) | DMB_DDI_KEEP_GOING;
	d = dmb_ddi_dissect(&ctx, im->bd, &keep, &ddi);
	if (d == 0 && sig_error(ddi) == r)
		status = cli_exit_status(&sig_exit, r);
	else if (d == 0 && sig_error(ddi) == 0 && r == DMB_ENOKEY)
		status = DDI_UNSIGNED;
	else if (d == DMB_EVERIFY && r == DMB_EVERIFY)
		status = DDI_UUID;
	dmb_ddi_destroy(ddi);
	return status;
}

/*
 * Whether root or usr (v = 0, 1) is chosen and maps without a verified
 * signature: neither signed nor given a root hash by the user, so it maps
 * linear, unverified.
 */
static bool is_unsigned(const struct dmb_ddi *ddi, int v)
{
	static const enum dmb_ddi_designator data[2] = { DMB_DDI_ROOT, DMB_DDI_USR };
	enum dmb_ddi_verity_state s = ddi->verity[v].state;

	return ddi->chosen[data[v]] && s != DMB_DDI_VERITY_SIGNED && s != DMB_DDI_VERITY_EXTERNAL;
}

/*
 * Certificates named on the command line ask for signed images: an unsigned
 * root or usr is refused unless --allow-unsigned lets it through (systemd's
 * image policies say the same with "signed" against "unprotected").  Only
 * the default certificates, as systemd-dissect's default policy, take any.
 */
static int check_policy(const struct image *im, const struct dopts *o, const char *path)
{
	for (int v = 0; v < 2; v++) {
		const struct dmb_ddi_partition *p = im->ddi->chosen[v ? DMB_DDI_USR : DMB_DDI_ROOT];

		if (o->ncerts == 0 || o->allow_unsigned || !is_unsigned(im->ddi, v))
			continue;
		cli_error("%s: %s partition %u has no verity signature, and --trusted-cert maps only signed images (--allow-unsigned maps it unverified)",
			  path, ddi_dev_names[v], p->part->number);
		return DDI_UNSIGNED;
	}
	return DDI_OK;
}

void ddi_warn_unsigned(const struct image *im, const struct dopts *o, const char *path)
{
	for (int v = 0; v < 2; v++) {
		const struct dmb_ddi_partition *p = im->ddi->chosen[v ? DMB_DDI_USR : DMB_DDI_ROOT];

		if (o->allow_unsigned && is_unsigned(im->ddi, v))
			cli_error("warning: %s: %s partition %u has no verity signature: mapped unverified (--allow-unsigned)",
				  path, ddi_dev_names[v], p->part->number);
	}
}

/*
 * Inspection goes on past a bad signature to show it, but not past a
 * --root-hash or --usr-hash that is not the signed one: that is the command
 * line against the image, which open refuses and systemd-dissect too (exit
 * 11, the line open prints), not a signature state to show as "signed".
 */
static int check_given(const struct image *im, const struct dopts *o, const char *path)
{
	for (int v = 0; v < 2; v++) {
		const struct dmb_ddi_verity *vy = &im->ddi->verity[v];

		if (!o->hash_size[v] || !vy->sig || !vy->root_hash_size)
			continue;
		if (vy->root_hash_size != o->hash_size[v] ||
		    memcmp(vy->root_hash, o->hash[v], o->hash_size[v]) != 0) {
			cli_error("%s: %s partition %u: the signed root hash differs from the one given",
				  path, dmb_ddi_designator_name(vy->sig->designator),
				  vy->sig->part->number);
			return DDI_BADSIG;
		}
	}
	return DDI_OK;
}

int ddi_image_open(struct image *im, const struct dopts *o, const char *path, unsigned flags)
{
	int r;

	memset(im, 0, sizeof(*im));
	dmb_posix_crypto_init(&im->pc);
	im->ctx.crypto = &im->pc.crypto;
	for (size_t i = 0; i < o->ncerts; i++) {
		r = dmb_posix_crypto_add_trusted(&im->pc, &im->ctx, o->certs[i]);
		if (r) {
			cli_error("%s", im->ctx.msg);
			return r == DMB_ENOMEM ? DDI_NOMEM : DDI_USAGE;
		}
	}
	if (o->ncerts == 0) {
		r = add_default_certs(im);
		if (r) {
			cli_error("%s", im->ctx.msg[0] ? im->ctx.msg : dmb_strerror(r));
			return r == DMB_ENOMEM ? DDI_NOMEM : DDI_USAGE;
		}
	}
	r = cli_image_open(&im->img, &im->ctx, path, o->devices, o->ndevices, 0);
	if (r) {
		if (!im->ctx.msg[0])
			return DDI_IMAGE;  /* the state directory said why */
		cli_error("%s", im->ctx.msg);
		return r == DMB_ENOENT ? DDI_NOTFOUND : cli_exit_status(&ddi_exit, r);
	}
	im->bd = im->img.bd;
	im->name = im->img.name;
	im->opt.arch = o->arch;
	/* Inspection shows a missing signature; only mapping refuses it. */
	im->opt.flags = flags;
	if (o->require_sig && !(flags & DMB_DDI_KEEP_GOING))
		im->opt.flags |= DMB_DDI_REQUIRE_SIGNATURE;
	for (int v = 0; v < 2; v++) {
		im->opt.root_hash[v] = o->hash_size[v] ? o->hash[v] : NULL;
		im->opt.root_hash_size[v] = o->hash_size[v];
	}
	r = dmb_ddi_dissect(&im->ctx, im->bd, &im->opt, &im->ddi);
	if (r) {
		cli_error("%s: %s", path, im->ctx.msg);
		return (flags & DMB_DDI_KEEP_GOING) ? (r == DMB_EVERIFY ? DDI_UUID : cli_exit_status(&ddi_exit, r))
						    : refusal_status(im, r);
	}
	return (flags & DMB_DDI_KEEP_GOING) ? check_given(im, o, path) : check_policy(im, o, path);
}

/* ---- cmdline ------------------------------------------------------------ */

static void help(FILE *f);

static int cmd_cmdline(const struct dopts *o, const char *path)
{
	struct image im;
	char *line = NULL;
	int status = ddi_image_open(&im, o, path, 0), n;

	if (status)
		goto out;
	n = dmb_ddi_cmdline(&im.ctx, im.ddi, im.bd, NULL, 0);
	if (n >= 0) {
		line = malloc((size_t)n + 1);
		n = line ? dmb_ddi_cmdline(&im.ctx, im.ddi, im.bd, line, (size_t)n + 1)
			 : cli_seterr(&im.ctx, DMB_ENOMEM, "out of memory");
	}
	if (n < 0) {
		cli_error("%s: %s", path, im.ctx.msg);
		status = cli_exit_status(&ddi_exit, n);
		goto out;
	}
	printf("%s\n", line);
	ddi_warn_unsigned(&im, o, path);
out:
	free(line);
	ddi_image_close(&im);
	return status;
}

/* ---- the command line --------------------------------------------------- */

/* The machine's architecture, as systemd names it; UNKNOWN when it has no DPS types. */
static enum dmb_ddi_arch native_arch(void)
{
	struct utsname u;

	return uname(&u) == 0 ? dmb_ddi_arch_parse(u.machine) : DMB_ARCH_UNKNOWN;
}

static bool parse_hash(const char *s, uint8_t *out, size_t *size)
{
	size_t n = strlen(s);

	if (n % 2 || n / 2 < 16 || n / 2 > DMB_MAX_DIGEST_SIZE || dmb_hex_decode(s, out, n / 2))
		return false;
	*size = n / 2;
	return true;
}

/* Verb flags. */
enum {
	JSON_OK = 1,   /* --json applies */
	HELP = 2,      /* help: its output is not checked */
};

static int run_cmdline(void *opts, int argc, char **argv)
{
	(void)argc;
	return cmd_cmdline(opts, argv[1]);
}

static int run_help(void *opts, int argc, char **argv)
{
	(void)opts;
	(void)argc;
	(void)argv;
	help(stdout);
	return DDI_OK;
}

static const struct cli_verb verb_list[] = {
	{ "inspect", 1, 1, ddi_inspect,
	  "  inspect IMAGE [--json[=pretty|short]]  the partitions systemd-dissect uses", JSON_OK },
	{ "open", 1, 1, ddi_open,
	  "  open IMAGE [--require-signature|--allow-unsigned] [--name PREFIX]  map root (and usr)",
	  0 },
	{ "close", 1, 1, ddi_close,
	  "  close IMAGE                            remove the devices open made", 0 },
	{ "cmdline", 1, 1, run_cmdline,
	  "  cmdline IMAGE [--require-signature|--allow-unsigned]  the dm-mod.create= line", 0 },
	{ "help", 0, CLI_ANY, run_help, NULL, JSON_OK | HELP },
};

/*
 * Every command takes one image, so a wrong count is what is reported for
 * any name, then --json given to another command, then an unknown name.
 */
static int misuse(void *opts, const struct cli_verb *v, const char *name, int nargs)
{
	const struct dopts *o = opts;

	if (!cli_verb_args_ok(v ? v : &verb_list[0], nargs)) {
		cli_error("%s: expected exactly one image", name);
	} else if (o->json != JSON_OFF) {
		cli_error("%s: --json is for inspect", name);
	} else {
		cli_error("unknown command '%s'", name);
		help(stderr);
	}
	return DDI_USAGE;
}

static int prepare(void *opts, const struct cli_verb *v)
{
	struct dopts *o = opts;

	if (o->json != JSON_OFF && !(v->flags & JSON_OK)) {
		cli_error("%s: --json is for inspect", v->name);
		return DDI_USAGE;
	}
	o->verb = v;
	return 0;
}

static const struct cli_verbs verbs = {
	verb_list, CLI_NELEM(verb_list), misuse, prepare,
};

static void help(FILE *f)
{
	fprintf(f, "Usage: dmboot ddi <command> IMAGE [options]\n\n");
	cli_verbs_help(&verbs, f);
	fprintf(f,
		"\n"
		"Options: --trusted-cert=CERT|DIR (repeatable; default: *.crt in /etc/verity.d,\n"
		"  /run/verity.d, /usr/local/lib/verity.d, /usr/lib/verity.d); given, open and\n"
		"  cmdline map only signed images unless --allow-unsigned\n"
		"  --root-hash=HEX --usr-hash=HEX --architecture=ARCH\n"
		"  --name=PREFIX (open: name the devices PREFIX-root, PREFIX-usr)\n"
		"  --devices=DEV[,DEV...] (searched for an IMAGE given as\n"
		"  PARTUUID=U or PARTLABEL=L when udev has no /dev/disk link for it)\n"
		"  -h, --help (after any command too)  --version\n");
}

enum { O_JSON = 256, O_ARCH, O_ROOTHASH, O_USRHASH, O_CERT, O_REQSIG, O_UNSIGNED, O_HELP,
       O_VERSION, O_NAME, O_DEVICES };

/* The systemd release whose systemd-dissect dmboot ddi follows. */
#define DDI_COMPAT "252"

static const struct option longopts[] = {
	{ "json", optional_argument, NULL, O_JSON },
	{ "architecture", required_argument, NULL, O_ARCH },
	{ "root-hash", required_argument, NULL, O_ROOTHASH },
	{ "usr-hash", required_argument, NULL, O_USRHASH },
	{ "trusted-cert", required_argument, NULL, O_CERT },
	{ "require-signature", no_argument, NULL, O_REQSIG },
	{ "allow-unsigned", no_argument, NULL, O_UNSIGNED },
	{ "name", required_argument, NULL, O_NAME },
	{ "devices", required_argument, NULL, O_DEVICES },
	{ "help", no_argument, NULL, O_HELP },
	{ "version", no_argument, NULL, O_VERSION },
	{ NULL, 0, NULL, 0 },
};

static bool parse_json(const char *arg, enum json_mode *mode)
{
	if (!arg || strcmp(arg, "pretty") == 0)
		*mode = JSON_PRETTY;
	else if (strcmp(arg, "short") == 0)
		*mode = JSON_SHORT;
	else if (strcmp(arg, "off") == 0)
		*mode = JSON_OFF;
	else
		return false;
	return true;
}

/* One option: -1 to go on, else the exit status. */
static int set_option(struct dopts *o, int c, char **argv)
{
	switch (c) {
	case O_JSON:
		if (!parse_json(optarg, &o->json)) {
			cli_error("invalid --json mode '%s' (pretty, short or off)", optarg);
			return DDI_USAGE;
		}
		break;
	case O_ARCH:
		o->arch = dmb_ddi_arch_parse(optarg);
		if (o->arch == DMB_ARCH_UNKNOWN) {
			cli_error("unknown architecture '%s'", optarg);
			return DDI_USAGE;
		}
		break;
	case O_ROOTHASH:
	case O_USRHASH:
		if (!parse_hash(optarg, o->hash[c == O_USRHASH], &o->hash_size[c == O_USRHASH])) {
			cli_error("invalid root hash '%s'", optarg);
			return DDI_USAGE;
		}
		break;
	case O_CERT:
		if (cli_list_push(&o->certs, &o->ncerts, optarg))
			return DDI_NOMEM;
		break;
	case O_REQSIG:
		o->require_sig = true;
		break;
	case O_UNSIGNED:
		o->allow_unsigned = true;
		break;
	case O_NAME:
		o->name = optarg;
		break;
	case O_DEVICES:
		cli_list_free(o->devices, o->ndevices);
		if (cli_image_devices("ddi", optarg, &o->devices, &o->ndevices))
			return DDI_USAGE;
		break;
	case 'h':
	case O_HELP:
		help(stdout);
		return DDI_OK;
	case O_VERSION:
		/* systemd's "systemd 252 (...)", dmboot's version in the parentheses. */
		cli_print_version("systemd", DDI_COMPAT);
		return DDI_OK;
	default:
		cli_error("unknown option '%s'", argv[optind - 1]);
		help(stderr);
		return DDI_USAGE;
	}
	return -1;
}

int cmd_ddi(int argc, char **argv)
{
	struct dopts o = { .json = JSON_OFF };
	int c, status = -1;

	o.arch = native_arch();
	opterr = 0;
	optind = 1;
	while (status < 0 && (c = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
		status = set_option(&o, c, argv);
	if (status < 0 && o.require_sig && o.allow_unsigned) {
		cli_error("--allow-unsigned and --require-signature contradict each other");
		status = DDI_USAGE;
	}
	if (status < 0 && argc - optind < 1) {
		help(stderr);
		status = DDI_USAGE;
	}
	if (status < 0 && o.name && strcmp(argv[optind], "open") != 0) {
		cli_error("--name goes with open only");
		status = DDI_USAGE;
	}
	/* PREFIX-root and PREFIX-usr must be device names. */
	if (status < 0 && o.name && (!cli_valid_name(o.name) ||
				     strlen(o.name) + strlen("-root") > DMB_NAME_MAX)) {
		cli_error("invalid --name '%s': a device name of at most %d characters", o.name,
			  DMB_NAME_MAX - 5);
		status = DDI_USAGE;
	}
	if (status < 0)
		status = cli_dispatch(&verbs, &o, argc - optind, argv + optind);
	if (o.verb && !(o.verb->flags & HELP) && status == DDI_OK && fflush(stdout) != 0) {
		cli_error("writing output: %s", strerror(errno));
		status = DDI_IMAGE;
	}
	cli_list_free(o.certs, o.ncerts);
	cli_list_free(o.devices, o.ndevices);
	return status;
}
