// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * `dmboot boot`: find the OS images kept on the given devices (in logical
 * volumes, partitions or whole devices), judge each one (signature, top
 * hash block, architecture, version), list them in the order they would be
 * tried, and print the kernel command line that has Linux build the same
 * verified stack (docs/boot.md).  open and close are in boot_open.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "boot.h"

/* ---- list ------------------------------------------------------------------ */

static const char *host_word(enum boot_host h)
{
	return h == BOOT_HOST_LV ? "lv" : h == BOOT_HOST_PART ? "partition" : "disk";
}

static void json_image(struct cli_json *j, const struct boot_image *im)
{
	cli_json_object(j, NULL);
	cli_json_str(j, "name", im->name);
	cli_json_str(j, "where", im->where);
	cli_json_str(j, "host", host_word(im->host));
	cli_json_str(j, "vg", im->lv ? im->lv->vg->name : NULL);
	cli_json_str(j, "lv", im->lv ? im->lv->name : NULL);
	cli_json_str(j, "version", im->has_version ? im->ver.version : NULL);
	if (im->has_version && im->ver.tries_left >= 0) {
		cli_json_u64(j, "tries_left", (uint64_t)im->ver.tries_left);
		cli_json_u64(j, "tries_done", (uint64_t)im->ver.tries_done);
	}
	cli_json_str(j, "architecture", dmb_ddi_arch_name(im->arch));
	cli_json_str(j, "designator", im->usr ? "usr" : "root");
	cli_json_str(j, im->usr ? "usrhash" : "roothash", im->roothash[0] ? im->roothash : NULL);
	cli_json_str(j, "signature", im->signature);
	cli_json_str(j, "signer", im->signer[0] ? im->signer : NULL);
	cli_json_bool(j, "bootable", !im->reason);
	cli_json_str(j, "reason", im->reason);
	cli_json_end(j);
}

enum { C_NAME, C_VERSION, C_WHERE, C_ARCH, C_SIG, C_SIGNER, C_HASH, C_BOOT, C_COUNT };

static const struct cli_column list_cols[C_COUNT] = {
	{ "NAME", 0, 0, false },   { "VERSION", 0, 0, false }, { "WHERE", 0, 0, false },
	{ "ARCH", 0, 0, false },   { "SIGNATURE", 0, 0, false }, { "SIGNER", 0, 0, false },
	{ "ROOT HASH", 0, 0, false }, { "BOOT", 0, 0, false },
};

static const struct cli_table_style list_style = {
	.prefix = "", .sep = " ", .pad = true, .width = CLI_WIDTH_ESCAPED, .null_text = "-",
};

static int print_list(const struct boot_scan *s, const struct boot_opts *o)
{
	const char **cells;
	char **boot;
	int r = BOOT_OK;

	if (o->json != BOOT_JSON_OFF) {
		struct cli_json j;

		cli_json_init(&j, o->json == BOOT_JSON_PRETTY ? &cli_json_systemd_pretty :
							       &cli_json_systemd_short);
		cli_json_object(&j, NULL);
		cli_json_array(&j, "images");
		for (size_t i = 0; i < s->nimgs; i++)
			json_image(&j, &s->imgs[i]);
		cli_json_end(&j);
		cli_json_end(&j);
		return BOOT_OK;
	}
	if (s->nimgs == 0) {
		printf("No images.\n");
		return BOOT_OK;
	}
	cells = calloc(s->nimgs * C_COUNT, sizeof(*cells));
	boot = calloc(s->nimgs, sizeof(*boot));
	for (size_t i = 0; cells && boot && i < s->nimgs; i++) {
		const struct boot_image *im = &s->imgs[i];
		const char **row = cells + i * C_COUNT;

		if (asprintf(&boot[i], "%s%s", im->reason ? "no: " : "yes",
			     im->reason ? im->reason : "") < 0) {
			boot[i] = NULL;
			r = BOOT_NOMEM;
		}
		row[C_NAME] = im->name;
		row[C_VERSION] = im->has_version ? im->ver.version : NULL;
		row[C_WHERE] = im->where;
		row[C_ARCH] = dmb_ddi_arch_name(im->arch);
		row[C_SIG] = im->signature;
		row[C_SIGNER] = im->signer[0] ? im->signer : NULL;
		row[C_HASH] = im->roothash[0] ? im->roothash : NULL;
		row[C_BOOT] = boot[i];
	}
	if (!cells || !boot)
		r = BOOT_NOMEM;
	if (!r && cli_table_print(&list_style, list_cols, C_COUNT, cells, s->nimgs))
		r = BOOT_NOMEM;
	if (r)
		cli_error("out of memory");
	for (size_t i = 0; boot && i < s->nimgs; i++)
		free(boot[i]);
	free(boot);
	free(cells);
	return r;
}

static int run_list(void *opts, int argc, char **argv)
{
	struct boot_scan s;
	int r;

	(void)argc;
	(void)argv;
	r = boot_scan_run(&s, opts);
	if (!r)
		r = print_list(&s, opts);
	boot_scan_fini(&s);
	return r;
}

/* ---- cmdline --------------------------------------------------------------- */

/* The PARTUUID= list of the PVs an LV's segments use; refused for a PV not on a partition. */
static int lv_waitfor(const struct boot_image *im, char **out)
{
	const struct dmb_lvm_lv *lv = im->lv;
	size_t len = 0;
	char *list = NULL;

	*out = NULL;
	for (size_t i = 0; i < lv->seg_count; i++)
		for (size_t k = 0; k < lv->segs[i].area_count || (k == 0 && !lv->segs[i].area_count);
		     k++) {
			const struct dmb_lvm_area *a = lv->segs[i].areas ? &lv->segs[i].areas[k] : NULL;
			const char *dev = a && a->pv && a->pv->dev ? a->pv->dev->dev_name : NULL;
			char *grown;

			if (!dev)
				continue;
			if (strncmp(dev, "PARTUUID=", 9) != 0) {
				cli_error("%s: its PV %s is not a partition, which the kernel cannot find by PARTUUID=",
					  im->where, dev);
				free(list);
				return BOOT_REFUSED;
			}
			if (list && strstr(list, dev))
				continue;
			grown = realloc(list, len + strlen(dev) + 2);
			if (!grown) {
				free(list);
				return BOOT_NOMEM;
			}
			list = grown;
			len += (size_t)sprintf(list + len, "%s%s", len ? "," : "", dev);
		}
	*out = list;
	if (!list)
		cli_error("%s: no segment of it lies on a PV", im->where);
	return list ? BOOT_OK : BOOT_REFUSED;
}

/* The dm-mod.create= form: the image itself, or the device it lies in mapped first. */
static int line_dm_mod(struct boot_scan *s, const struct boot_image *im, char **line)
{
	char name[2 * DMB_NAME_MAX + 8], uuid[DMB_UUID_MAX + 1], sectors[48];
	struct dmb_ddi_lower lower = { name, uuid, NULL, NULL };
	struct dmb_table *t = NULL;
	char *waitfor = NULL;
	int n, r = BOOT_OK;

	if (im->host == BOOT_HOST_LV) {
		r = lv_waitfor(im, &waitfor);
		dmb_lvm_dm_name(im->lv, name, sizeof(name));
		dmb_lvm_dm_uuid(im->lv, uuid, sizeof(uuid));
		lower.table = im->lvtable;
	} else if (im->host == BOOT_HOST_PART) {
		/* Linux scans no partition table inside a partition: map the partition first. */
		const struct boot_dev *d = im->dev;
		size_t k = (size_t)(im->part - d->parts->parts);

		snprintf(name, sizeof(name), "image");
		uuid[0] = '\0';
		if (asprintf(&waitfor, "PARTUUID=%s", d->uuids[k]) < 0)
			waitfor = NULL;
		snprintf(sectors, sizeof(sectors), "%llu",
			 (unsigned long long)(dmb_bdev_bytes(im->bd) / 512));
		r = waitfor ? BOOT_OK : BOOT_NOMEM;
		if (!r && (dmb_table_create(&s->ctx, &t) ||
			   dmb_table_add_argv(&s->ctx, t, 0, dmb_bdev_bytes(im->bd) / 512, "linear", 2,
					      (const char *const[]){ waitfor, "0" })))
			r = BOOT_NOMEM;
		lower.table = t;
	}
	lower.waitfor = waitfor;
	n = r ? -1 : dmb_ddi_cmdline_lower(&s->ctx, im->ddi, im->bd,
					    im->host == BOOT_HOST_DISK ? NULL : &lower, NULL, 0);
	if (!r && n >= 0 && (*line = malloc((size_t)n + 1)))
		n = dmb_ddi_cmdline_lower(&s->ctx, im->ddi, im->bd,
					  im->host == BOOT_HOST_DISK ? NULL : &lower, *line, (size_t)n + 1);
	else if (!r && n >= 0)
		r = BOOT_NOMEM;
	if (!r && n < 0) {
		cli_error("%s: %s", im->where, s->ctx.msg);
		r = n == DMB_ENOMEM ? BOOT_NOMEM : BOOT_REFUSED;
	}
	dmb_table_destroy(t);
	free(waitfor);
	return r;
}

/* systemd's initramfs: roothash= (usrhash=) with the data and hash partitions by PARTUUID=. */
static int line_roothash(const struct boot_image *im, char **line)
{
	const struct dmb_ddi_verity *v = &im->ddi->verity[im->usr];
	const char *w = im->usr ? "usr" : "root";
	char data[DMB_PART_UUID_MAX], hash[DMB_PART_UUID_MAX];

	if (im->host != BOOT_HOST_DISK) {
		cli_error("%s: the image is inside %s, whose partitions the kernel does not scan: use --format=dm-mod%s",
			  im->where, im->host == BOOT_HOST_LV ? "a logical volume" : "a partition",
			  im->host == BOOT_HOST_LV ? " or --format=ddi" : "");
		return BOOT_REFUSED;
	}
	dmb_part_uuid(im->ddi->table, v->data->part, data);
	dmb_part_uuid(im->ddi->table, v->hash->part, hash);
	if (asprintf(line, "%shash=%s systemd.verity_%s_data=PARTUUID=%s systemd.verity_%s_hash=PARTUUID=%s %s=/dev/mapper/%s",
		     w, im->roothash, w, data, w, hash, im->usr ? "mount.usr" : "root", w) < 0)
		return BOOT_NOMEM;
	return BOOT_OK;
}

/* The initramfs form for an image in an LV: root=ddi:lvm:VG/LV and the authenticated hash. */
static int line_ddi(const struct boot_image *im, char **line)
{
	if (im->host != BOOT_HOST_LV) {
		cli_error("%s: the ddi:lvm: form is for an image in a logical volume: use --format=dm-mod or --format=roothash",
			  im->where);
		return BOOT_REFUSED;
	}
	if (asprintf(line, "%s=ddi:lvm:%s/%s rd.ddi.%shash=%s", im->usr ? "mount.usr" : "root",
		     im->lv->vg->name, im->lv->name, im->usr ? "usr" : "root", im->roothash) < 0)
		return BOOT_NOMEM;
	return BOOT_OK;
}

/* The image to boot: the one named, or the first bootable one. */
static const struct boot_image *choose(const struct boot_scan *s, const char *image)
{
	const struct boot_image *im = image ? boot_find(s, image) : s->nimgs ? &s->imgs[0] : NULL;

	if (image && !im)
		cli_error("%s: no such image on the devices given", image);
	else if (!im || im->reason) {
		if (im && image)
			cli_error("%s: cannot boot: %s", im->where, im->reason);
		else
			cli_error("no bootable image on the devices given%s", s->nimgs ? " (boot list tells why)" : "");
		return NULL;
	}
	return im;
}

static int run_cmdline(void *opts, int argc, char **argv)
{
	const struct boot_opts *o = opts;
	const struct boot_image *im;
	struct boot_scan s;
	char *line = NULL;
	int r = boot_scan_run(&s, o);

	if (!r) {
		im = choose(&s, argc > 1 ? argv[1] : NULL);
		r = !im ? BOOT_NONE :
		    o->format == BOOT_FMT_ROOTHASH ? line_roothash(im, &line) :
		    o->format == BOOT_FMT_DDI	   ? line_ddi(im, &line) :
						     line_dm_mod(&s, im, &line);
	}
	if (r == BOOT_NOMEM)
		cli_error("out of memory");
	if (!r)
		printf("%s\n", line);
	free(line);
	boot_scan_fini(&s);
	return r;
}

/* ---- the command line --------------------------------------------------- */

static void help(FILE *f);

static int run_help(void *opts, int argc, char **argv)
{
	(void)opts;
	(void)argc;
	(void)argv;
	help(stdout);
	return BOOT_OK;
}

enum { JSON_OK = 1, HELP = 2 };

static const struct cli_verb verb_list[] = {
	{ "list", 0, 0, run_list,
	  "  list --devices DEV...            the images found, newest bootable first", JSON_OK },
	{ "open", 0, 1, boot_open,
	  "  open --devices DEV... [IMAGE] [--name PREFIX]  map the newest good image (or IMAGE)", 0 },
	{ "cmdline", 0, 1, run_cmdline,
	  "  cmdline --devices DEV... [IMAGE] [--format dm-mod|roothash|ddi]  its kernel command line",
	  0 },
	{ "close", 0, 1, boot_close, "  close [PREFIX]                   remove what open made", 0 },
	{ "help", 0, CLI_ANY, run_help, NULL, JSON_OK | HELP },
};

static int misuse(void *opts, const struct cli_verb *v, const char *name, int nargs)
{
	(void)opts;
	(void)nargs;
	if (v)
		cli_error("%s: too many arguments", name);
	else
		cli_error("unknown command '%s'", name);
	help(stderr);
	return BOOT_USAGE;
}

static int prepare(void *opts, const struct cli_verb *v)
{
	const struct boot_opts *o = opts;

	if (o->json != BOOT_JSON_OFF && !(v->flags & JSON_OK)) {
		cli_error("%s: --json is for list", v->name);
		return BOOT_USAGE;
	}
	if (o->name && strcmp(v->name, "open") != 0 && strcmp(v->name, "close") != 0) {
		cli_error("%s: --name is for open and close", v->name);
		return BOOT_USAGE;
	}
	return 0;
}

static const struct cli_verbs verbs = { verb_list, CLI_NELEM(verb_list), misuse, prepare };

static void help(FILE *f)
{
	fprintf(f, "Usage: dmboot boot <command> --devices DEV[,DEV...] [options]\n\n");
	cli_verbs_help(&verbs, f);
	fprintf(f,
		"\n"
		"Options: --devices=DEV[,DEV...] (repeatable) the disks to scan\n"
		"  --trusted-cert=CERT (repeatable) the certificates an image must be signed by\n"
		"  --match=PATTERN  where the version is in a name (systemd-sysupdate's @v; default:\n"
		"                   after the first '_')\n"
		"  --min-version=V  refuse images older than V\n"
		"  --architecture=ARCH  --json[=pretty|short] (list)  --name=PREFIX (open, close)\n"
		"  --format=dm-mod|roothash|ddi (cmdline)  -h, --help\n");
}

enum { O_DEVICES = 256, O_CERT, O_MATCH, O_MIN, O_NAME, O_JSON, O_FORMAT, O_ARCH, O_HELP };

static const struct option longopts[] = {
	{ "devices", required_argument, NULL, O_DEVICES },
	{ "trusted-cert", required_argument, NULL, O_CERT },
	{ "match", required_argument, NULL, O_MATCH },
	{ "min-version", required_argument, NULL, O_MIN },
	{ "name", required_argument, NULL, O_NAME },
	{ "json", optional_argument, NULL, O_JSON },
	{ "format", required_argument, NULL, O_FORMAT },
	{ "architecture", required_argument, NULL, O_ARCH },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 },
};

/* --devices A,B: each one, in order. */
static int push_devices(struct boot_opts *o, const char *arg)
{
	char *copy = strdup(arg), *save = NULL;
	int r = copy ? 0 : -ENOMEM;

	for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t && !r;
	     t = strtok_r(NULL, ",", &save))
		r = cli_list_push(&o->devices, &o->ndevices, t);
	free(copy);
	return r;
}

static int set_option(struct boot_opts *o, int c, char **argv)
{
	switch (c) {
	case O_DEVICES:
		return push_devices(o, optarg) ? BOOT_NOMEM : -1;
	case O_CERT:
		return cli_list_push(&o->certs, &o->ncerts, optarg) ? BOOT_NOMEM : -1;
	case O_MATCH: {
		struct dmb_ctx ctx = { 0 };
		struct dmb_boot_name bn;
		int r = dmb_boot_name_parse(&ctx, optarg, "", &bn);

		/* A pattern that cannot match anything is an error of the command line. */
		if (r != 0 && r != DMB_ENOENT) {
			cli_error("invalid --match: %s", ctx.msg);
			return BOOT_USAGE;
		}
		o->match = optarg;
		return -1;
	}
	case O_MIN:
		o->min_version = optarg;
		return -1;
	case O_NAME:
		if (!cli_valid_name(optarg) || strlen(optarg) + strlen("-root") > DMB_NAME_MAX) {
			cli_error("invalid --name '%s': a device name of at most %d characters", optarg,
				  DMB_NAME_MAX - 5);
			return BOOT_USAGE;
		}
		o->name = optarg;
		return -1;
	case O_JSON:
		if (!optarg || strcmp(optarg, "pretty") == 0)
			o->json = BOOT_JSON_PRETTY;
		else if (strcmp(optarg, "short") == 0)
			o->json = BOOT_JSON_SHORT;
		else if (strcmp(optarg, "off") == 0)
			o->json = BOOT_JSON_OFF;
		else {
			cli_error("invalid --json mode '%s' (pretty, short or off)", optarg);
			return BOOT_USAGE;
		}
		return -1;
	case O_FORMAT:
		if (strcmp(optarg, "dm-mod") == 0)
			o->format = BOOT_FMT_DM_MOD;
		else if (strcmp(optarg, "roothash") == 0)
			o->format = BOOT_FMT_ROOTHASH;
		else if (strcmp(optarg, "ddi") == 0)
			o->format = BOOT_FMT_DDI;
		else {
			cli_error("invalid --format '%s' (dm-mod, roothash or ddi)", optarg);
			return BOOT_USAGE;
		}
		return -1;
	case O_ARCH:
		o->arch = dmb_ddi_arch_parse(optarg);
		if (o->arch == DMB_ARCH_UNKNOWN) {
			cli_error("unknown architecture '%s'", optarg);
			return BOOT_USAGE;
		}
		return -1;
	case 'h':
	case O_HELP:
		help(stdout);
		return BOOT_OK;
	default:
		cli_error("unknown option '%s'", argv[optind - 1]);
		help(stderr);
		return BOOT_USAGE;
	}
}

int cmd_boot(int argc, char **argv)
{
	struct boot_opts o = { .json = BOOT_JSON_OFF };
	struct utsname u;
	int c, status = -1;

	o.arch = uname(&u) == 0 ? dmb_ddi_arch_parse(u.machine) : DMB_ARCH_UNKNOWN;
	opterr = 0;
	optind = 1;
	while (status < 0 && (c = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
		status = set_option(&o, c, argv);
	if (status < 0 && argc - optind < 1) {
		help(stderr);
		status = BOOT_USAGE;
	}
	if (status < 0)
		status = cli_dispatch(&verbs, &o, argc - optind, argv + optind);
	if (status == BOOT_OK && fflush(stdout) != 0) {
		cli_error("writing output: %s", strerror(errno));
		status = BOOT_FAILED;
	}
	cli_list_free(o.devices, o.ndevices);
	cli_list_free(o.certs, o.ncerts);
	return status;
}
