// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The dmsetup commands that show devices (table, status, info, in
 * dmsetup's layouts) and dmboot's write, which moves bytes from stdin into
 * a device where the kernel would give a /dev/mapper node (its read is in
 * dmsetup_read.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dmsetup.h"

#define IO_CHUNK (1u << 20)

/*
 * A device's table in the concise form, made by the generator that also
 * makes the kernel's dm-mod.create= line (dmb_concise_format), so both forms
 * come from one place.  NULL with cd->ctx's error on failure.
 */
static char *format_concise(struct cli_dev *cd, bool showkeys)
{
	struct dmb_concise_dev dev = {
		.name = cd->sd->name, .uuid = cd->sd->uuid, .minor = cd->sd->minor,
		.read_only = cd->sd->read_only,
	};
	char *lines = cli_dev_text(cd->dev, DMB_FMT_TABLE, showkeys ? DMB_FMT_SHOWKEYS : 0);
	char *text = NULL;

	lines = cli_keys_render(lines, showkeys);
	int n;

	dmb_ctx_clear(&cd->ctx);
	if (!lines) {
		cli_seterr(&cd->ctx, DMB_ENOMEM, "out of memory");
		return NULL;
	}
	if (dmb_table_parse(&cd->ctx, lines, strlen(lines), &dev.table) == 0) {
		n = dmb_concise_format(&cd->ctx, &dev, 1, 0, NULL, 0);
		text = n >= 0 ? malloc((size_t)n + 1) : NULL;
		if (text && dmb_concise_format(&cd->ctx, &dev, 1, 0, text, (size_t)n + 1) != n) {
			free(text);
			text = NULL;
		} else if (!text && n >= 0)
			cli_seterr(&cd->ctx, DMB_ENOMEM, "out of memory");
	}
	dmb_table_destroy(dev.table);
	/* With --showkeys the text holds keys. */
	explicit_bzero(lines, strlen(lines));
	free(lines);
	return text;
}

static void put_escaped(const char *s)
{
	size_t n = dmb_concise_escape(NULL, 0, s);
	char *buf = malloc(n + 1);

	if (buf) {
		dmb_concise_escape(buf, n + 1, s);
		fputs(buf, stdout);
	}
	free(buf);
}

/*
 * The status recorded (the kernel's status comes from memory, not from the
 * lower devices), else the fresh one; the table of the instantiated device,
 * else the record's (a device whose lower devices went away still shows its
 * table, as in the kernel).  Lines prefixed with the name.
 */
static char *show_lines(struct dmsetup *d, struct cli_dev *cd, const struct state_dev *sd,
			enum dmb_fmt what, bool prefix)
{
	const char *name = sd->name;
	char *text = what == DMB_FMT_STATUS ? state_load_status(&d->st, sd) : NULL;

	if (!text && cd)
		text = cli_dev_text(cd->dev, what, d->o.showkeys ? DMB_FMT_SHOWKEYS : 0);
	else if (!text && what == DMB_FMT_TABLE)
		text = strdup(sd->table);
	if (what == DMB_FMT_TABLE)
		text = cli_keys_render(text, d->o.showkeys);
	for (char *line = text, *nl; line && *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (prefix)
			printf("%s: ", name);
		fwrite(line, 1, (size_t)(nl - line) + 1, stdout);
	}
	return text;
}

/* The concise form of a status: name,uuid,minor,ro|rw,status[;...]. */
static char *show_concise_status(struct dmsetup *d, struct cli_dev *cd, bool first)
{
	char *text = cli_dev_text(cd->dev, DMB_FMT_STATUS,
				  DMB_FMT_CONCISE | (d->o.showkeys ? DMB_FMT_SHOWKEYS : 0));

	if (text) {
		if (!first)
			putchar(';');
		put_escaped(cd->sd->name);
		putchar(',');
		put_escaped(cd->sd->uuid);
		printf(",%u,%s,%s", cd->sd->minor, cd->sd->read_only ? "ro" : "rw", text);
	}
	return text;
}

/*
 * Instantiate a device for showing it; when its lower devices cannot be
 * opened, *cd is NULL and *sd the record alone (only the plain table and the
 * recorded status can be shown then).  Prints the error when neither works.
 */
static int open_for_show(struct dmsetup *d, const char *cmd, const char *name, bool need_dev,
			 struct cli_dev **cd, struct state_dev **sd)
{
	struct dmb_ctx ctx = { 0 };
	int r = cli_dev_open(&d->st, &ctx, name, DMB_DEV_READONLY, 0, cd);

	*sd = NULL;
	if (r == 0)
		return 0;
	if (need_dev || ctx.err == DMB_ENOENT || state_load(&d->st, name, sd) != 0) {
		cli_error("%s %s", cmd, ctx.msg);
		return r;
	}
	return 0;
}

/* table or status of one device. */
static int show_one(struct dmsetup *d, const char *cmd, const char *name, enum dmb_fmt what,
		    bool prefix, bool *first)
{
	struct cli_dev *cd;
	struct state_dev *sd;
	char *text;
	int r = open_for_show(d, cmd, name, d->o.concise, &cd, &sd);

	if (r)
		return r;
	if (!cd) {
		text = show_lines(d, NULL, sd, what, prefix);
		*first = false;
		if (!text) {
			cli_error("%s %s: the lower devices cannot be opened and nothing is "
				  "recorded", cmd, name);
			r = -EIO;
		}
		if (text)
			explicit_bzero(text, strlen(text));
		free(text);
		state_dev_free(sd);
		return r;
	}
	if (d->o.concise && what == DMB_FMT_TABLE) {
		text = format_concise(cd, d->o.showkeys);
		if (text) {
			if (!*first)
				putchar(';');
			fputs(text, stdout);
		} else if (cd->ctx.err != DMB_ENOMEM && cd->ctx.msg[0]) {
			cli_error("%s %s: %s", cmd, name, cd->ctx.msg);
			cli_dev_close(cd);
			return -EINVAL;
		}
	} else if (d->o.concise) {
		text = show_concise_status(d, cd, *first);
	} else {
		text = show_lines(d, cd, cd->sd, what, prefix);
	}
	*first = false;
	if (!text) {
		cli_error("%s %s: out of memory", cmd, name);
		r = -ENOMEM;
	}
	/* With --showkeys it held keys. */
	if (text)
		explicit_bzero(text, strlen(text));
	free(text);
	cli_dev_close(cd);
	return r;
}

/* dmsetup info -c: libdm's columns, each row printed as its device is read. */
static const struct cli_column info_columns[] = {
	{ "Name", 16, 0, false }, { "Maj", 3, 0, true }, { "Min", 3, 0, true },
	{ "Stat", 0, 0, false }, { "Open", 4, 0, true }, { "Targ", 4, 0, true },
	{ "Event", 6, 0, true }, { "UUID", 0, 0, false },
};

static const struct cli_table_style info_style = {
	.prefix = "", .sep = " ", .pad = true, .headings_left = true, .width = CLI_WIDTH_BYTES,
};

/* What info shows of a device: from the instance, else from its record's table. */
struct info_view {
	const struct state_dev *sd;
	const struct cli_dev *cd;  /* NULL: the lower devices cannot be opened */
	size_t targets;
	uint64_t sectors;
};

static int info_view(const struct cli_dev *cd, const struct state_dev *sd, struct info_view *v)
{
	struct dmb_ctx ctx = { 0 };
	struct dmb_table *t;

	v->sd = sd;
	v->cd = cd;
	if (cd) {
		v->targets = dmb_dev_target_count(cd->dev);
		v->sectors = dmb_dev_sectors(cd->dev);
		return 0;
	}
	if (dmb_table_parse(&ctx, sd->table, strlen(sd->table), &t))
		return -EINVAL;
	v->sectors = dmb_table_sectors(t);
	dmb_table_destroy(t);
	v->targets = 0;
	for (const char *p = sd->table; *p; p++)
		v->targets += *p == '\n';
	return 0;
}

static void info_row(const struct info_view *v, size_t nusers)
{
	char maj[16], min[16], open[24], targ[24];
	const char *cells[] = { v->sd->name, maj, min, v->sd->read_only ? "L--r" : "L--w", open,
				targ, "0", v->sd->uuid };

	snprintf(maj, sizeof(maj), "%d", DMB_CLI_MAJOR);
	snprintf(min, sizeof(min), "%u", v->sd->minor);
	snprintf(open, sizeof(open), "%zu", nusers);
	snprintf(targ, sizeof(targ), "%zu", v->targets);
	cli_table_line(&info_style, info_columns, CLI_NELEM(info_columns), cells);
}

static void info_block(const struct info_view *v, size_t nusers)
{
	const struct dmb_dev *dev = v->cd ? v->cd->dev : NULL;

	printf("Name:              %s\n", v->sd->name);
	printf("State:             ACTIVE%s\n", v->sd->read_only ? " (READ-ONLY)" : "");
	printf("Read Ahead:        256\n");
	printf("Tables present:    LIVE\n");
	printf("Open count:        %zu\n", nusers);
	printf("Event number:      0\n");
	printf("Major, minor:      %d, %u\n", DMB_CLI_MAJOR, v->sd->minor);
	printf("Number of targets: %zu\n", v->targets);
	printf("Size:              %llu sectors\n", (unsigned long long)v->sectors);
	printf("Lower devices:     ");
	for (size_t i = 0; dev && i < dmb_dev_lower_count(dev); i++)
		printf("%s%s", i ? ", " : "", dmb_dev_lower_name(dev, i));
	if (!dev)
		printf("(cannot be opened)");
	printf("\n");
	if (*v->sd->uuid)
		printf("UUID: %s\n", v->sd->uuid);
	printf("\n");
}

static int info_one(struct dmsetup *d, const char *cmd, const char *name, bool prefix,
		    bool *first)
{
	struct cli_dev *cd;
	struct state_dev *sd;
	struct info_view v;
	char **users = NULL;
	size_t nusers = 0;
	int r = open_for_show(d, cmd, name, false, &cd, &sd);

	(void)prefix;
	(void)first;
	if (r)
		return r;
	r = info_view(cd, cd ? cd->sd : sd, &v);
	if (r)
		cli_error("%s %s: the record's table cannot be read", cmd, name);
	if (r == 0)
		r = state_users(&d->st, name, &users, &nusers);
	if (r == 0 && d->o.columns)
		info_row(&v, nusers);
	else if (r == 0)
		info_block(&v, nusers);
	state_free_list(users, nusers);
	cli_dev_close(cd);
	state_dev_free(sd);
	return r;
}

static int table_one(struct dmsetup *d, const char *cmd, const char *name, bool prefix,
		     bool *first)
{
	return show_one(d, cmd, name, DMB_FMT_TABLE, prefix, first);
}

static int status_one(struct dmsetup *d, const char *cmd, const char *name, bool prefix,
		      bool *first)
{
	return show_one(d, cmd, name, DMB_FMT_STATUS, prefix, first);
}

/* heading: print the info column headings first. */
int dmsetup_for_devices(struct dmsetup *d, int argc, char **argv, dmsetup_show_fn fn,
			bool heading)
{
	const char *cmd = argv[0];
	char **names = argv + 1;
	size_t n = (size_t)argc - 1;
	bool all = n == 0, prefix, first = true;
	int r = 0;

	if (all) {
		r = state_list(&d->st, &names, &n);
		if (r)
			return r;
		if (n == 0) {
			printf("No devices found\n");
			return 0;
		}
	}
	if (heading)
		cli_table_line(&info_style, info_columns, CLI_NELEM(info_columns), NULL);
	/* dmsetup prefixes lines with the name unless exactly one device was named. */
	prefix = all || n > 1;
	for (size_t i = 0; i < n && r == 0; i++)
		r = fn(d, cmd, names[i], prefix, &first);
	if (d->o.concise && !first)
		putchar('\n');
	if (all)
		state_free_list(names, n);
	return r;
}

int dmsetup_table(void *opts, int argc, char **argv)
{
	return dmsetup_for_devices(opts, argc, argv, table_one, false);
}

int dmsetup_status(void *opts, int argc, char **argv)
{
	return dmsetup_for_devices(opts, argc, argv, status_one, false);
}

int dmsetup_info(void *opts, int argc, char **argv)
{
	struct dmsetup *d = opts;

	if (d->o.options) {
		cli_error("info: -o (report fields) is not supported");
		return -ENOTSUP;
	}
	return dmsetup_for_devices(d, argc, argv, info_one, d->o.columns);
}

/* Fill buf from stdin up to IO_CHUNK bytes; *n is 0 at its end. */
static int read_stdin(const char *name, char *buf, size_t *n)
{
	*n = 0;
	while (*n < IO_CHUNK) {
		ssize_t got = read(0, buf + *n, IO_CHUNK - *n);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			cli_error("write %s: reading stdin: %s", name, strerror(errno));
			return -errno;
		}
		if (got == 0)
			break;
		*n += (size_t)got;
	}
	return 0;
}

/* Copy stdin into the device from off on. */
static int copy_in(struct cli_dev *cd, const char *name, uint64_t off, uint64_t size)
{
	/* Page-aligned: the kernel copies into aligned buffers several times faster. */
	char *buf = aligned_alloc(4096, IO_CHUNK);
	size_t n;
	int r = 0;

	if (!buf)
		return -ENOMEM;
	while ((r = read_stdin(name, buf, &n)) == 0 && n) {
		if (n > size - off) {
			cli_error("write %s: data past the end of the device (%llu bytes)", name,
				  (unsigned long long)size);
			r = -ERANGE;
			break;
		}
		dmb_ctx_clear(&cd->ctx);
		r = dmb_bdev_write_bytes(dmb_dev_bdev(cd->dev), off, n, buf);
		if (r) {
			cli_error("write %s: %s", name, cd->ctx.msg[0] ? cd->ctx.msg : dmb_strerror(r));
			break;
		}
		off += n;
	}
	if (r == 0) {
		r = dmb_bdev_flush(dmb_dev_bdev(cd->dev));
		if (r)
			cli_error("write %s: %s", name, cd->ctx.msg);
	}
	free(buf);
	return r;
}

int dmsetup_write(void *opts, int argc, char **argv)
{
	struct dmsetup *d = opts;
	const char *name = argv[1];
	struct state_dev *sd;
	struct cli_dev *cd;
	struct stat sb;
	uint64_t size, off = d->o.offset;
	off_t pos;
	int r = state_load(&d->st, name, &sd);

	(void)argc;
	if (r) {
		if (r == -ENOENT)
			cli_error("write %s: no such device", name);
		else if (r == -EINVAL)
			cli_error("write %s: its record in the state directory is damaged", name);
		return r;
	}
	if (sd->read_only) {
		cli_error("write %s: device is read-only", name);
		state_dev_free(sd);
		return -EACCES;
	}
	state_dev_free(sd);
	r = cli_dev_open_for(&d->st, "write", name, 0, &cd);
	if (r)
		return r;
	size = dmb_bdev_bytes(dmb_dev_bdev(cd->dev));
	/* With a regular file on stdin the rest of it is checked before writing. */
	pos = lseek(0, 0, SEEK_CUR);
	if (off > size || (fstat(0, &sb) == 0 && S_ISREG(sb.st_mode) && pos >= 0 &&
			   sb.st_size > pos && (uint64_t)(sb.st_size - pos) > size - off)) {
		cli_error("write %s: data past the end of the device (%llu bytes)", name,
			  (unsigned long long)size);
		cli_dev_close(cd);
		return -ERANGE;
	}
	cli_dev_unlock(cd);
	r = copy_in(cd, name, off, size);
	cli_dev_close(cd);
	return r;
}
