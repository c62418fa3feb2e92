// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * `dmboot sfdisk`: the read-only commands of sfdisk (util-linux 2.38),
 * --dump, --json and --list, of a device under any spelling (cli/image.h),
 * over the library's GPT and MBR reader (part.h).  The output is byte for
 * byte what sfdisk prints when stdout is not a terminal: libfdisk's dump
 * headers and libsmartcols' column widths (a column is as
 * wide as its widest cell or header, widened to its width hint when that is
 * larger), sizes as util-linux's size_to_human_string() rounds them, type
 * names from sfdisk's own lists.  Warnings about a damaged GPT use sfdisk's
 * wording; errors are one line on stderr and exit status 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli/image.h"
#include "parttypes.h"

#define MIB (1024u * 1024u)

/* The options that apply to every device. */
struct sfopts {
	unsigned sector_size;         /* --sector-size, or 0 */
	char **devices;               /* --devices: searched for PARTUUID= and PARTLABEL= */
	size_t ndevices;
};

/* What sfdisk knows about the device besides its table. */
struct disk {
	const char *path;
	struct cli_image img;         /* the device under any spelling (cli/image.h) */
	struct dmb_bdev *bd;          /* img's */
	struct dmb_part_table *t;     /* NULL: no partition table */
	unsigned sector_size;
	uint64_t sectors;             /* in sector_size units */
	unsigned phy, io_min, io_opt, align;
};

static void help(FILE *f)
{
	fprintf(f, "Usage:\n"
		   " sfdisk [options] --dump <dev>\n"
		   " sfdisk [options] --json <dev>\n"
		   " sfdisk [options] --list <dev>...\n"
		   "\n"
		   "Print a GPT or MBR partition table as sfdisk does (read-only).\n"
		   "\n"
		   "Commands:\n"
		   " -d, --dump <dev>          dump partition table (usable for later input)\n"
		   " -J, --json <dev>          dump partition table in JSON format\n"
		   " -l, --list <dev>...       list partitions of each device\n"
		   "\n"
		   "Options:\n"
		   "     --sector-size <size>  logical sector size: 512, 1024, 2048 or 4096\n"
		   "                           (default: the device's, or where GPT sits)\n"
		   "     --devices <dev>[,...] searched for a <dev> given as PARTUUID=<uuid>\n"
		   "                           or PARTLABEL=<name> when udev has no link for it\n"
		   " -h, --help                display this help\n"
		   " -v, --version             display version\n");
}

/* The util-linux release whose sfdisk output dmboot follows. */
#define SFDISK_COMPAT "2.38.1"

/*
 * util-linux's version line as it is, for scripts that read its last word,
 * then dmboot's own on a line of its own.
 */
static void print_version(void)
{
	printf("sfdisk from util-linux %s\ndmboot %s\n", SFDISK_COMPAT, DMB_CLI_VERSION);
}

/* --- values as util-linux formats them ---------------------------------------- */

/* util-linux size_to_human_string(): one decimal, rounded half up, trailing 0 dropped. */
static void human_size(uint64_t bytes, bool long_suffix, char *buf, size_t cap)
{
	static const char letters[] = "BKMGTPE";
	unsigned exp = 0;
	uint64_t dec, frac;
	char suffix[8];

	while (exp < 60 && bytes >= (uint64_t)1 << (exp + 10))
		exp += 10;
	dec = bytes >> exp;
	frac = exp ? bytes & (((uint64_t)1 << exp) - 1) : 0;
	snprintf(suffix, sizeof(suffix), "%s%c%s", long_suffix ? " " : "", letters[exp / 10],
		 long_suffix && exp ? "iB" : "");
	if (frac) {
		/* Thousandths first, then round to tenths. */
		if (frac >= UINT64_MAX / 1000)
			frac = frac / 1024 * 1000 / ((uint64_t)1 << (exp - 10));
		else
			frac = frac * 1000 / ((uint64_t)1 << exp);
		frac = (frac + 50) / 100;
		if (frac == 10) {
			dec++;
			frac = 0;
		}
	}
	if (frac)
		snprintf(buf, cap, "%llu.%llu%s", (unsigned long long)dec, (unsigned long long)frac,
			 suffix);
	else
		snprintf(buf, cap, "%llu%s", (unsigned long long)dec, suffix);
}

/* libfdisk's fdisk_partname(): "p" before the number when the name ends in a digit. */
static char *part_node(const char *dev, unsigned n)
{
	static const char *const udev_dirs[] = { "/dev/disk/by-id/", "/dev/disk/by-path/",
						 "/dev/mapper" };
	size_t w = strlen(dev);
	const char *sep = w && dev[w - 1] >= '0' && dev[w - 1] <= '9' ? "p" : "";
	char *res = NULL;

	if (w >= 4 && strcmp(dev + w - 4, "disc") == 0) {
		w -= 4;
		sep = "part";
	}
	for (size_t i = 0; i < CLI_NELEM(udev_dirs); i++) {
		if (strncmp(dev, udev_dirs[i], strlen(udev_dirs[i])) != 0)
			continue;
		/* udev's names: <name><n>, <name>p<n>, else <name>-part<n>. */
		for (int k = 0; k < 2; k++) {
			if (asprintf(&res, "%.*s%s%u", (int)w, dev, k ? "p" : "", n) < 0)
				return NULL;
			if (access(res, F_OK) == 0)
				return res;
			free(res);
		}
		sep = "-part";
		break;
	}
	if (asprintf(&res, "%.*s%s%u", (int)w, dev, sep, n) < 0)
		return NULL;
	return res;
}

/* libfdisk's GPT attribute string: bits 0-2 by name, 48-63 as "GUID:n,m". */
static void gpt_attrs(uint64_t attrs, char *buf, size_t cap)
{
	static const char *const names[] = { "RequiredPartition", "NoBlockIOProtocol",
					      "LegacyBIOSBootable" };
	size_t at = 0;
	bool guid = false;

	buf[0] = '\0';
	for (unsigned bit = 0; bit < 3; bit++)
		if (attrs & (1ull << bit))
			at += (size_t)snprintf(buf + at, cap - at, "%s%s", at ? " " : "", names[bit]);
	for (unsigned bit = 48; bit < 64; bit++) {
		if (!(attrs & (1ull << bit)))
			continue;
		at += (size_t)snprintf(buf + at, cap - at, "%s%u",
				       guid ? "," : at ? " GUID:" : "GUID:", bit);
		guid = true;
	}
}

static bool is_gpt(const struct disk *d)
{
	return d->t->label == DMB_PART_GPT;
}

static void disk_id(const struct disk *d, char *buf, size_t cap)
{
	if (is_gpt(d))
		dmb_guid_format(d->t->disk_guid, true, buf);
	else
		snprintf(buf, cap, "0x%08x", d->t->mbr_id);
}

static void type_string(const struct disk *d, const struct dmb_part *p, char *buf, size_t cap)
{
	if (is_gpt(d))
		dmb_guid_format(p->type_guid, true, buf);
	else
		snprintf(buf, cap, "%x", p->mbr_type);
}

/* libfdisk's grain: the optimal I/O size, at least 1 MiB, but one sector on small disks. */
static unsigned grain(const struct disk *d)
{
	uint64_t g = d->io_opt > MIB ? d->io_opt : MIB;

	if (d->sectors <= g * 4 / d->sector_size)
		g = d->phy;
	return (unsigned)g;
}

/* --- --json ------------------------------------------------------------------- */

/* One partition's object. */
static int json_partition(struct cli_json *j, const struct disk *d, const struct dmb_part *p)
{
	char *node = part_node(d->path, p->number), buf[256];

	if (!node)
		return -ENOMEM;
	cli_json_object(j, NULL);
	cli_json_str(j, "node", node);
	free(node);
	cli_json_u64(j, "start", p->start_lba);
	cli_json_u64(j, "size", p->lba_count);
	type_string(d, p, buf, sizeof(buf));
	cli_json_str(j, "type", buf);
	if (is_gpt(d)) {
		dmb_guid_format(p->uuid, true, buf);
		cli_json_str(j, "uuid", buf);
		if (p->name[0])
			cli_json_str(j, "name", p->name);
		if (p->attrs) {
			gpt_attrs(p->attrs, buf, sizeof(buf));
			cli_json_str(j, "attrs", buf);
		}
	} else if (p->bootable) {
		cli_json_bool(j, "bootable", true);
	}
	cli_json_end(j);
	return 0;
}

static int print_json(const struct disk *d)
{
	const struct dmb_part_table *t = d->t;
	struct cli_json j;
	char buf[256];

	cli_json_init(&j, &cli_json_util_linux);
	cli_json_object(&j, NULL);
	cli_json_object(&j, "partitiontable");
	cli_json_str(&j, "label", is_gpt(d) ? "gpt" : "dos");
	disk_id(d, buf, sizeof(buf));
	cli_json_str(&j, "id", buf);
	cli_json_str(&j, "device", d->path);
	cli_json_str(&j, "unit", "sectors");
	if (is_gpt(d)) {
		cli_json_u64(&j, "firstlba", t->first_lba);
		cli_json_u64(&j, "lastlba", t->last_lba);
		if (t->entry_count != 128) {
			snprintf(buf, sizeof(buf), "%u", t->entry_count);
			cli_json_str(&j, "table-length", buf);
		}
	}
	if (grain(d) != MIB) {
		snprintf(buf, sizeof(buf), "%u", grain(d));
		cli_json_str(&j, "grain", buf);
	}
	cli_json_u64(&j, "sectorsize", d->sector_size);
	if (t->count) {
		cli_json_array(&j, "partitions");
		for (size_t i = 0; i < t->count; i++)
			if (json_partition(&j, d, &t->parts[i]))
				return -ENOMEM;
		cli_json_end(&j);
	}
	cli_json_end(&j);
	cli_json_end(&j);
	return 0;
}

/* --- --dump ------------------------------------------------------------------- */

/* libfdisk's quoting of a name in a dump: the quote, \\, `, $ and unprintable bytes as \xNN. */
static void dump_quoted(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\' || *p == '`' || *p == '$' || *p < 0x20 || *p >= 0x7f)
			printf("\\x%02X", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

/* sfdisk --dump: libfdisk's script headers, then one line per partition. */
static int print_dump(const struct disk *d)
{
	const struct dmb_part_table *t = d->t;
	char buf[256];

	printf("label: %s\n", is_gpt(d) ? "gpt" : "dos");
	disk_id(d, buf, sizeof(buf));
	printf("label-id: %s\ndevice: %s\nunit: sectors\n", buf, d->path);
	if (is_gpt(d)) {
		printf("first-lba: %llu\nlast-lba: %llu\n", (unsigned long long)t->first_lba,
		       (unsigned long long)t->last_lba);
		if (t->entry_count != 128)
			printf("table-length: %u\n", t->entry_count);
	}
	if (grain(d) != MIB)
		printf("grain: %u\n", grain(d));
	printf("sector-size: %u\n\n", d->sector_size);
	for (size_t i = 0; i < t->count; i++) {
		const struct dmb_part *p = &t->parts[i];
		char *node = part_node(d->path, p->number);

		if (!node)
			return -ENOMEM;
		type_string(d, p, buf, sizeof(buf));
		printf("%s : start=%12llu, size=%12llu, type=%s", node,
		       (unsigned long long)p->start_lba, (unsigned long long)p->lba_count, buf);
		free(node);
		if (is_gpt(d)) {
			dmb_guid_format(p->uuid, true, buf);
			printf(", uuid=%s", buf);
			if (p->name[0]) {
				fputs(", name=", stdout);
				dump_quoted(p->name);
			}
			if (p->attrs) {
				gpt_attrs(p->attrs, buf, sizeof(buf));
				printf(", attrs=\"%s\"", buf);
			}
		} else if (p->bootable) {
			fputs(", bootable", stdout);
		}
		putchar('\n');
	}
	return 0;
}

/* --- --list ------------------------------------------------------------------- */

enum col_id { COL_DEVICE, COL_BOOT, COL_START, COL_END, COL_SECTORS, COL_SIZE, COL_ID, COL_TYPE };

/*
 * libfdisk's fields: header, width hint, right-aligned.  The Type column's
 * hint is relative (0.1 of the terminal), which does not count when the
 * output is not a terminal.
 */
static const struct cli_column cols[] = {
	[COL_DEVICE] = { "Device", 0, 10, false },
	[COL_BOOT] = { "Boot", 0, 1, false },
	[COL_START] = { "Start", 0, 5, true },
	[COL_END] = { "End", 0, 5, true },
	[COL_SECTORS] = { "Sectors", 0, 5, true },
	[COL_SIZE] = { "Size", 0, 5, true },
	[COL_ID] = { "Id", 0, 2, true },
	[COL_TYPE] = { "Type", 0, 0, false },
};

static const enum col_id gpt_cols[] = { COL_DEVICE, COL_START, COL_END, COL_SECTORS, COL_SIZE,
					COL_TYPE };
static const enum col_id dos_cols[] = { COL_DEVICE, COL_BOOT, COL_START, COL_END, COL_SECTORS,
					COL_SIZE, COL_ID, COL_TYPE };

/* libsmartcols, output not a terminal: cells measured in UTF-8 characters. */
static const struct cli_table_style list_style = {
	.prefix = "", .sep = " ", .pad = true, .width = CLI_WIDTH_UTF8,
};

static char *cell(const struct disk *d, const struct dmb_part *p, enum col_id c)
{
	char buf[64];
	const char *name;

	switch (c) {
	case COL_DEVICE:
		return part_node(d->path, p->number);
	case COL_BOOT:
		return strdup(p->bootable ? "*" : "");
	case COL_START:
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)p->start_lba);
		break;
	case COL_END:
		/* libfdisk's end of an empty partition (an entry ending before it starts) is its start. */
		snprintf(buf, sizeof(buf), "%llu",
			 (unsigned long long)(p->start_lba + p->lba_count - (p->lba_count ? 1 : 0)));
		break;
	case COL_SECTORS:
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)p->lba_count);
		break;
	case COL_SIZE:
		human_size(p->lba_count * d->sector_size, false, buf, sizeof(buf));
		break;
	case COL_ID:
		snprintf(buf, sizeof(buf), "%x", p->mbr_type);
		break;
	case COL_TYPE:
		type_string(d, p, buf, sizeof(buf));
		name = is_gpt(d) ? cli_gpt_type_name(buf) : cli_mbr_type_name(p->mbr_type);
		return strdup(name ? name : "unknown");
	}
	return strdup(buf);
}

static int print_table(const struct disk *d)
{
	const enum col_id *ids = is_gpt(d) ? gpt_cols : dos_cols;
	const size_t ncols = is_gpt(d) ? CLI_NELEM(gpt_cols) : CLI_NELEM(dos_cols);
	const size_t nrows = d->t->count;
	char **cells = calloc(nrows * ncols + 1, sizeof(*cells));
	struct cli_column shown[CLI_NELEM(dos_cols)];
	int r = 0;

	if (!cells)
		return -ENOMEM;
	for (size_t c = 0; c < ncols; c++)
		shown[c] = cols[ids[c]];
	for (size_t i = 0; i < nrows * ncols && !r; i++) {
		cells[i] = cell(d, &d->t->parts[i / ncols], ids[i % ncols]);
		if (!cells[i])
			r = -ENOMEM;
	}
	if (!r)
		r = cli_table_print(&list_style, shown, ncols, (const char *const *)cells, nrows);
	for (size_t i = 0; i < nrows * ncols; i++)
		free(cells[i]);
	free(cells);
	return r;
}

static int print_list(const struct disk *d)
{
	uint64_t bytes = d->sectors * d->sector_size;
	char size[32], id[64];
	uint64_t last = 0;
	bool disorder = false;
	int r = 0;

	human_size(bytes, true, size, sizeof(size));
	printf("Disk %s: %s, %llu bytes, %llu sectors\n", d->path, size, (unsigned long long)bytes,
	       (unsigned long long)d->sectors);
	printf("Units: sectors of 1 * %u = %u bytes\n", d->sector_size, d->sector_size);
	printf("Sector size (logical/physical): %u bytes / %u bytes\n", d->sector_size, d->phy);
	printf("I/O size (minimum/optimal): %u bytes / %u bytes\n", d->io_min, d->io_opt);
	if (d->align)
		printf("Alignment offset: %u bytes\n", d->align);
	if (!d->t)
		return 0;
	printf("Disklabel type: %s\n", is_gpt(d) ? "gpt" : "dos");
	disk_id(d, id, sizeof(id));
	printf("Disk identifier: %s\n", id);
	if (d->t->count == 0)
		return 0;
	putchar('\n');
	r = print_table(d);
	for (size_t i = 0; i < d->t->count; i++) {
		disorder |= d->t->parts[i].start_lba < last;
		last = d->t->parts[i].start_lba;
	}
	if (!r && disorder)
		printf("\nPartition table entries are not in disk order.\n");
	return r;
}

/* --- devices ------------------------------------------------------------------ */

/* Sector and I/O sizes as libfdisk finds them: a block device's topology, else the sector size. */
static void topology(struct disk *d)
{
	struct stat sb;
	int fd, v;
	unsigned u;

	d->phy = d->io_min = d->io_opt = d->sector_size;
	d->align = 0;
	if (stat(d->path, &sb) != 0 || !S_ISBLK(sb.st_mode))
		return;
	fd = open(d->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (ioctl(fd, BLKPBSZGET, &u) == 0 && u >= d->sector_size)
		d->phy = u;
	d->io_min = d->phy;
	if (ioctl(fd, BLKIOMIN, &u) == 0 && u)
		d->io_min = u;
	d->io_opt = d->io_min;
	if (ioctl(fd, BLKIOOPT, &u) == 0 && u)
		d->io_opt = u;
	if (ioctl(fd, BLKALIGNOFF, &v) == 0 && v > 0)
		d->align = (unsigned)v;
	close(fd);
}

/*
 * What `sfdisk --verify` says of a GPT's entries, on stderr: every pair that
 * overlaps, and those Linux makes no partition of (too big, or ending before
 * they start).  The table is listed all the same, as sfdisk lists it.
 */
static void verify_gpt(const struct dmb_part_table *t)
{
	for (size_t i = 0; i < t->count; i++) {
		const struct dmb_part *a = &t->parts[i];

		for (size_t k = i + 1; k < t->count && a->lba_count; k++) {
			const struct dmb_part *b = &t->parts[k];

			if (b->lba_count && a->start_lba <= b->start_lba + (b->lba_count - 1) &&
			    b->start_lba <= a->start_lba + (a->lba_count - 1))
				fprintf(stderr, "Partition %u overlaps with partition %u.\n", a->number,
					b->number);
		}
	}
	/* A size of 0 is an entry ending before it starts, or LBAs 0..2^64-1 wrapping. */
	for (size_t i = 0; i < t->count; i++)
		if (t->parts[i].no_device && (t->parts[i].lba_count || !t->parts[i].start_lba))
			fprintf(stderr, "Partition %u is too big for the disk.\n", t->parts[i].number);
	for (size_t i = 0; i < t->count; i++)
		if (t->parts[i].no_device && !t->parts[i].lba_count && t->parts[i].start_lba)
			fprintf(stderr, "Partition %u ends before it starts.\n", t->parts[i].number);
}

/*
 * Open path and read its table.  Returns 0 (d->t NULL when there is none and
 * no_table_ok), or 1 after printing the error line.
 */
static int open_disk(struct disk *d, const char *path, const struct sfopts *o, bool no_table_ok)
{
	unsigned sector_size = o->sector_size;
	struct dmb_ctx ctx = { 0 };
	int r;

	memset(d, 0, sizeof(*d));
	d->path = path;
	r = cli_image_open(&d->img, &ctx, path, o->devices, o->ndevices, 0);
	/* A partition name that matches none or several says so; other failures as sfdisk. */
	if (r && cli_image_is_partname(path) && ctx.msg[0])
		cli_error("cannot open %s", ctx.msg);
	else if (r && (ctx.msg[0] || r == DMB_ENOENT))
		cli_error("cannot open %s: %s", path, strerror(-r));
	if (r)
		return 1;
	d->bd = d->img.bd;
	d->sector_size = sector_size ? sector_size : 512;
	if (d->sector_size < (1u << d->bd->block_shift))
		d->sector_size = 1u << d->bd->block_shift;
	if (dmb_bdev_bytes(d->bd) < d->sector_size) {
		/* libfdisk refuses a device smaller than one sector. */
		cli_error("cannot open %s: %s", path, strerror(EINVAL));
		return 1;
	}
	r = dmb_part_table_load(&ctx, d->bd, sector_size, &d->t);
	if (r == 0)
		d->sector_size = d->t->sector_size;
	if (r == DMB_ENOENT && no_table_ok)
		r = 0;
	if (r == DMB_ENOENT) {
		cli_error("%s: does not contain a recognized partition table", path);
		return 1;
	}
	if (r) {
		cli_error("%s: %s", path, ctx.msg);
		return 1;
	}
	d->sectors = dmb_bdev_bytes(d->bd) / d->sector_size;
	topology(d);
	/* sfdisk's recovery notes, on stderr like sfdisk's. */
	if (d->t && d->t->used_backup)
		fprintf(stderr, "The primary GPT table is corrupt, but the backup appears OK, so that will be used.\n");
	else if (d->t && d->t->backup_bad)
		fprintf(stderr, "The backup GPT table is corrupt, but the primary appears OK, so that will be used.\n");
	else if (d->t && is_gpt(d) && d->t->backup_lba != d->sectors - 1)
		fprintf(stderr, "The backup GPT table is not on the end of the device.\n");
	if (d->t && is_gpt(d))
		verify_gpt(d->t);
	return 0;
}

static void close_disk(struct disk *d)
{
	dmb_part_table_destroy(d->t);
	cli_image_close(&d->img);
	d->t = NULL;
	d->bd = NULL;
}

enum { OPT_SECTOR_SIZE = 256, OPT_DEVICES };

static const struct option longopts[] = {
	{ "json", no_argument, NULL, 'J' },
	{ "dump", no_argument, NULL, 'd' },
	{ "list", no_argument, NULL, 'l' },
	{ "sector-size", required_argument, NULL, OPT_SECTOR_SIZE },
	{ "devices", required_argument, NULL, OPT_DEVICES },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'v' },
	{ 0, 0, 0, 0 },
};

/* One option: -1 to go on, else the exit status. */
static int set_option(int c, int *cmd, struct sfopts *o, char **argv)
{
	uint64_t v;

	switch (c) {
	case 'J':
	case 'd':
	case 'l':
		*cmd = c;
		return -1;
	case OPT_SECTOR_SIZE:
		if (!cli_parse_u64(optarg, &v) || (v != 512 && v != 1024 && v != 2048 && v != 4096)) {
			cli_error("invalid sector size argument: '%s'", optarg);
			return 1;
		}
		o->sector_size = (unsigned)v;
		return -1;
	case OPT_DEVICES:
		cli_list_free(o->devices, o->ndevices);
		return cli_image_devices("sfdisk", optarg, &o->devices, &o->ndevices) ? 1 : -1;
	case 'h':
		help(stdout);
		return 0;
	case 'v':
		print_version();
		return 0;
	default:
		cli_error("unrecognized option '%s'", argv[optind - 1]);
		help(stderr);
		return 1;
	}
}

/* --json or --list of each device; 0, or 1 when one of them failed. */
static int show_disks(int cmd, const struct sfopts *o, int argc, char **argv)
{
	int r = 0;

	for (int i = 0; i < argc; i++) {
		struct disk d;

		if (open_disk(&d, argv[i], o, cmd == 'l')) {
			close_disk(&d);
			r = 1;
			continue;
		}
		/* sfdisk separates a device it could open from any argument before it. */
		if (cmd == 'l' && i > 0)
			fputs("\n\n", stdout);
		if ((cmd == 'J' ? print_json(&d) : cmd == 'd' ? print_dump(&d) : print_list(&d)) != 0) {
			cli_error("out of memory");
			r = 1;
		}
		close_disk(&d);
	}
	return r;
}

int cmd_sfdisk(int argc, char **argv)
{
	struct sfopts o = { 0 };
	int c, cmd = 0, r = -1;

	opterr = 0;
	optind = 1;
	while (r < 0 && (c = getopt_long(argc, argv, "Jdlhv", longopts, NULL)) != -1)
		r = set_option(c, &cmd, &o, argv);
	argc -= optind;
	argv += optind;
	if (r < 0 && !cmd) {
		cli_error("only --json and --list (and --dump) are available (dmboot does not write partition tables)");
		r = 1;
	}
	if (r < 0 && argc < 1) {
		cli_error("no disk device specified");
		r = 1;
	}
	if (r < 0 && cmd != 'l' && argc > 1) {
		cli_error("--%s takes one device, not %d", cmd == 'J' ? "json" : "dump", argc);
		r = 1;
	}
	if (r < 0) {
		r = show_disks(cmd, &o, argc, argv);
		if (fflush(stdout) != 0 && r == 0) {
			cli_error("writing output: %s", strerror(errno));
			r = 1;
		}
	}
	cli_list_free(o.devices, o.ndevices);
	return r;
}
