// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * `dmboot dmsetup`: the dmsetup commands over the host registry (formats.md
 * §1.9).  Output has dmsetup's layout; errors are one line on stderr and
 * exit status 1, as dmsetup's.  dmboot adds `read` and `write`, which stand
 * in for the /dev/mapper node the kernel would give.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define IO_CHUNK (1u << 20)

struct opts {
	const char *table;
	const char *uuid;
	const char *devices;
	bool readonly;
	bool concise;
	bool showkeys;
	bool columns;
	bool have_offset, have_length;
	uint64_t offset, length;
};

static void help(FILE *f)
{
	fprintf(f,
		"Usage: dmsetup <command> [options]\n"
		"\n"
		"  create <name> [-r|--readonly] [-u|--uuid <uuid>] [--devices <dev>[,<dev>...]]\n"
		"         [--table <table> | <table_file>]\n"
		"         (without --table or a file, the table is read from stdin)\n"
		"  create --concise [<name>,<uuid>,<minor>,<ro|rw>,<table>[,<table>...][;...]]\n"
		"  remove <name>...\n"
		"  remove_all\n"
		"  ls\n"
		"  table [--concise] [--showkeys] [<name>...]\n"
		"  status [<name>...]\n"
		"  info [-c|-C|--columns] [<name>...]\n"
		"  read <name> [--offset <bytes>] [--length <bytes>]   (device bytes to stdout)\n"
		"  write <name> [--offset <bytes>]                     (stdin into the device)\n"
		"\n"
		"Devices persist in DMBOOT_STATE_DIR (default $XDG_RUNTIME_DIR/dmboot or\n"
		"/tmp/dmboot-UID).  Lower devices in tables are file or block device paths,\n"
		"/dev/mapper/<name>, 253:<minor>, the <name> of a mapped device, partitions as\n"
		"<image>:p<N>, or PARTUUID=<uuid> and PARTLABEL=<name> on the --devices given.\n");
}

static bool valid_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > DMB_NAME_MAX || strchr(name, '/') || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return false;
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

static bool valid_uuid(const char *uuid)
{
	if (strlen(uuid) > DMB_UUID_MAX)
		return false;
	for (const char *p = uuid; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

int cli_create(struct state *st, const char *name, const char *uuid, int64_t minor,
	       bool read_only, const struct dmb_table *table, const struct dmb_ctx *base)
{
	return cli_create_search(st, name, uuid, minor, read_only, table, base, NULL, 0);
}

int cli_create_search(struct state *st, const char *name, const char *uuid, int64_t minor,
		      bool read_only, const struct dmb_table *table, const struct dmb_ctx *base,
		      char *const *devices, size_t ndevices)
{
	struct dmb_ctx ctx = { 0 };
	struct cli_crypto cc;
	struct cli_resolver res;
	struct state_dev sd = { 0 }, *other = NULL;
	struct dmb_dev *dev = NULL;
	char cwd[4096], *text = NULL;
	int r, n;

	if (!valid_name(name)) {
		cli_error("create: invalid device name \"%s\"", name);
		return -EINVAL;
	}
	if (!valid_uuid(uuid)) {
		cli_error("create %s: invalid uuid", name);
		return -EINVAL;
	}
	if (state_load(st, name, &other) == 0) {
		state_dev_free(other);
		cli_error("create %s: device %s already exists", name, name);
		return -EEXIST;
	}
	if (*uuid) {
		char **names;
		size_t count;

		r = state_list(st, &names, &count);
		for (size_t i = 0; r == 0 && i < count; i++) {
			if (state_load(st, names[i], &other) != 0)
				continue;
			if (strcmp(other->uuid, uuid) == 0) {
				cli_error("create %s: uuid %s is already used by %s", name, uuid,
					  other->name);
				r = -EEXIST;
			}
			state_dev_free(other);
		}
		state_free_list(names, count);
		if (r)
			return r;
	}
	if (!getcwd(cwd, sizeof(cwd)) || strchr(cwd, '\n')) {
		cli_error("create %s: cannot use the current directory", name);
		return -EINVAL;
	}
	r = cli_resolver_init(&res, st, cwd, 0);
	if (r)
		return r;
	res.search = devices;
	res.nsearch = ndevices;
	r = cli_crypto_init(&cc, st, name, &ctx);
	if (r) {
		cli_error("create %s: %s", name, ctx.msg);
		goto out;
	}
	if (base)
		ctx.flags = base->flags;
	ctx.resolver = &res.r;
	r = dmb_dev_create(&ctx, table, read_only ? DMB_DEV_READONLY : 0, &dev);
	if (r) {
		cli_error("create %s: %s", name, ctx.msg);
		goto out;
	}
	n = dmb_dev_format(dev, DMB_FMT_TABLE, DMB_FMT_SHOWKEYS, NULL, 0);
	text = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (!text) {
		cli_error("create %s: out of memory", name);
		r = -ENOMEM;
		goto out;
	}
	if (dmb_dev_format(dev, DMB_FMT_TABLE, DMB_FMT_SHOWKEYS, text, (size_t)n + 1) != n) {
		cli_error("create %s: the table changed while it was printed", name);
		r = -EINVAL;
		goto out;
	}

	if (minor >= 0) {
		if (state_find_minor(st, (unsigned)minor, &other) == 0) {
			cli_error("create %s: minor %lld is already used by %s", name,
				  (long long)minor, other->name);
			state_dev_free(other);
			r = -EBUSY;
			goto out;
		}
		sd.minor = (unsigned)minor;
	} else {
		unsigned m;

		r = state_free_minor(st, &m);
		if (r)
			goto out;
		sd.minor = m;
	}
	sd.name = (char *)name;
	sd.uuid = (char *)uuid;
	sd.read_only = read_only;
	sd.cwd = cwd;
	sd.table = text;
	sd.deps = res.mapped;
	sd.ndeps = res.nmapped;
	sd.devices = (char **)devices;
	sd.ndevices = ndevices;
	r = state_save(st, &sd);
out:
	dmb_dev_destroy(dev);
	cli_resolver_fini(&res);
	cli_crypto_fini(&cc);
	free(text);
	return r;
}

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
	char *copy, *save = NULL;
	int r = 0;

	*out = NULL;
	*n = 0;
	if (!list)
		return 0;
	copy = strdup(list);
	if (!copy)
		return -ENOMEM;
	for (char *tok = strtok_r(copy, ",", &save); tok && !r; tok = strtok_r(NULL, ",", &save)) {
		char **l;

		for (const char *p = tok; *p && !r; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				r = -EINVAL;
		if (r) {
			cli_error("create: invalid device name in --devices");
			break;
		}
		l = realloc(*out, (*n + 1) * sizeof(*l));
		if (!l || !(l[*n] = strdup(tok))) {
			if (l)
				*out = l;
			r = -ENOMEM;
			break;
		}
		*out = l;
		(*n)++;
	}
	if (!r && *n == 0) {
		cli_error("create: --devices names no device");
		r = -EINVAL;
	}
	free(copy);
	return r;
}

static int cmd_create(struct state *st, const struct opts *o, int argc, char **argv)
{
	struct dmb_ctx ctx = { 0 };
	struct dmb_table *table;
	char *text = NULL, **devices;
	size_t len, ndevices;
	int r = split_devices(o->devices, &devices, &ndevices);

	if (r)
		goto out;
	if (o->concise) {
		if (argc > 1 || o->table || o->uuid || o->readonly) {
			cli_error("create --concise takes one argument and no --table, --uuid or --readonly");
			r = -EINVAL;
		} else if (argc == 1) {
			r = do_create_concise(st, argv[0], strlen(argv[0]), devices, ndevices);
		} else {
			r = cli_read_file("-", DMB_TABLE_MAX_BYTES, &text, &len);
			if (r == 0)
				r = do_create_concise(st, text, len, devices, ndevices);
			free(text);
		}
		goto out;
	}
	if (argc < 1 || argc > 2 || (argc == 2 && o->table)) {
		cli_error("create: expected <name> and --table <table>, a table file or stdin");
		r = -EINVAL;
		goto out;
	}
	if (o->table) {
		text = strdup(o->table);
		len = strlen(o->table);
		if (!text) {
			r = -ENOMEM;
			goto out;
		}
	} else {
		r = cli_read_file(argc == 2 ? argv[1] : "-", DMB_TABLE_MAX_BYTES, &text, &len);
		if (r)
			goto out;
	}
	r = dmb_table_parse(&ctx, text, len, &table);
	free(text);
	if (r) {
		cli_error("create %s: %s", argv[0], ctx.msg);
		goto out;
	}
	r = cli_create_search(st, argv[0], o->uuid ? o->uuid : "", -1, o->readonly, table, NULL,
			      devices, ndevices);
	dmb_table_destroy(table);
out:
	state_free_list(devices, ndevices);
	return r;
}

/* What a device leaves in the state directory besides its own file. */
static void remove_extras(struct state *st, const char *name)
{
	char *desc;

	if (asprintf(&desc, "dmboot:%s", name) >= 0) {
		cli_key_remove(st, desc);
		free(desc);
	}
	cli_trust_remove(st, name);
	state_remove_status(st, name);
}

int cli_remove(struct state *st, const char *cmd, const char *name)
{
	struct state_dev *d;
	char **users;
	size_t n;
	int r = state_load(st, name, &d);

	if (r) {
		if (r == -ENOENT)
			cli_error("%s %s: no such device", cmd, name);
		return r;
	}
	state_dev_free(d);
	r = state_users(st, name, &users, &n);
	if (r == 0 && n) {
		cli_error("%s %s: device is in use by %s", cmd, name, users[0]);
		r = -EBUSY;
	}
	state_free_list(users, n);
	if (r == 0)
		r = state_remove(st, name);
	if (r == 0)
		remove_extras(st, name);
	return r;
}

static int cmd_remove_all(struct state *st)
{
	for (;;) {
		char **names;
		size_t n, removed = 0;
		int r = state_list(st, &names, &n);

		if (r)
			return r;
		for (size_t i = 0; i < n; i++) {
			char **users;
			size_t nusers;

			if (state_users(st, names[i], &users, &nusers) == 0 && nusers == 0 &&
			    state_remove(st, names[i]) == 0) {
				remove_extras(st, names[i]);
				removed++;
			}
			state_free_list(users, nusers);
		}
		state_free_list(names, n);
		if (n == 0)
			return 0;
		if (removed == 0) {
			cli_error("remove_all: unable to remove %zu device(s)", n);
			return -EBUSY;
		}
	}
}

/* Format a device's table or status into a new string. */
static char *format_dev(struct cli_dev *cd, enum dmb_fmt what, unsigned flags)
{
	int n = dmb_dev_format(cd->dev, what, flags, NULL, 0);
	char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;

	if (buf && dmb_dev_format(cd->dev, what, flags, buf, (size_t)n + 1) != n) {
		free(buf);
		buf = NULL;
	}
	return buf;
}

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
	char *lines = format_dev(cd, DMB_FMT_TABLE, showkeys ? DMB_FMT_SHOWKEYS : 0), *text = NULL;
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

/* Open a device by name for reading its table, printing the error line. */
static int open_for_show(struct state *st, const char *cmd, const char *name, struct cli_dev **cd)
{
	struct dmb_ctx ctx = { 0 };
	int r = cli_dev_open(st, &ctx, name, DMB_DEV_READONLY, 0, cd);

	if (r)
		cli_error("%s %s", cmd, ctx.msg);
	return r;
}

/* table or status of one device. */
static int show_one(struct state *st, const char *cmd, const char *name, enum dmb_fmt what,
		    const struct opts *o, bool prefix, bool *first)
{
	struct cli_dev *cd;
	char *text;
	int r = open_for_show(st, cmd, name, &cd);

	if (r)
		return r;
	if (o->concise && what == DMB_FMT_TABLE) {
		text = format_concise(cd, o->showkeys);
		if (text) {
			if (!*first)
				putchar(';');
			fputs(text, stdout);
		} else if (cd->ctx.err != DMB_ENOMEM && cd->ctx.msg[0]) {
			cli_error("%s %s: %s", cmd, name, cd->ctx.msg);
			cli_dev_close(cd);
			return -EINVAL;
		}
	} else if (o->concise) {
		text = format_dev(cd, what, DMB_FMT_CONCISE | (o->showkeys ? DMB_FMT_SHOWKEYS : 0));
		if (text) {
			if (!*first)
				putchar(';');
			put_escaped(cd->sd->name);
			putchar(',');
			put_escaped(cd->sd->uuid);
			printf(",%u,%s,%s", cd->sd->minor, cd->sd->read_only ? "ro" : "rw", text);
		}
	} else {
		text = what == DMB_FMT_STATUS ? state_load_status(st, name) : NULL;
		if (!text)
			text = format_dev(cd, what, o->showkeys ? DMB_FMT_SHOWKEYS : 0);
		for (char *line = text, *nl; line && *line; line = nl + 1) {
			nl = strchr(line, '\n');
			if (prefix)
				printf("%s: ", name);
			fwrite(line, 1, (size_t)(nl - line) + 1, stdout);
		}
	}
	*first = false;
	if (!text) {
		cli_error("%s %s: out of memory", cmd, name);
		r = -ENOMEM;
	}
	free(text);
	cli_dev_close(cd);
	return r;
}

static int info_one(struct state *st, const char *name, bool columns)
{
	struct cli_dev *cd;
	char **users;
	size_t nusers;
	int r = open_for_show(st, "info", name, &cd);

	if (r)
		return r;
	r = state_users(st, name, &users, &nusers);
	if (r) {
		cli_dev_close(cd);
		return r;
	}
	if (columns) {
		printf("%-16s %3d %3u %s %4zu %4zu %6d %s\n", name, DMB_CLI_MAJOR, cd->sd->minor,
		       cd->sd->read_only ? "L--r" : "L--w", nusers, dmb_dev_target_count(cd->dev), 0,
		       cd->sd->uuid);
	} else {
		printf("Name:              %s\n", name);
		printf("State:             ACTIVE%s\n", cd->sd->read_only ? " (READ-ONLY)" : "");
		printf("Read Ahead:        256\n");
		printf("Tables present:    LIVE\n");
		printf("Open count:        %zu\n", nusers);
		printf("Event number:      0\n");
		printf("Major, minor:      %d, %u\n", DMB_CLI_MAJOR, cd->sd->minor);
		printf("Number of targets: %zu\n", dmb_dev_target_count(cd->dev));
		printf("Size:              %llu sectors\n",
		       (unsigned long long)dmb_dev_sectors(cd->dev));
		printf("Lower devices:     ");
		for (size_t i = 0; i < dmb_dev_lower_count(cd->dev); i++)
			printf("%s%s", i ? ", " : "", dmb_dev_lower_name(cd->dev, i));
		printf("\n");
		if (*cd->sd->uuid)
			printf("UUID: %s\n", cd->sd->uuid);
		printf("\n");
	}
	state_free_list(users, nusers);
	cli_dev_close(cd);
	return 0;
}

/* Run fn over the named devices, or over all of them when none is named. */
static int for_devices(struct state *st, const char *cmd, int argc, char **argv,
		       const struct opts *o)
{
	char **names = NULL;
	size_t n = 0;
	bool all = argc == 0, prefix, first = true;
	int r = 0;

	if (all) {
		r = state_list(st, &names, &n);
		if (r)
			return r;
		if (n == 0) {
			printf("No devices found\n");
			return 0;
		}
		if (o->columns && strcmp(cmd, "info") == 0)
			printf("Name             Maj Min Stat Open Targ Event  UUID\n");
	} else {
		names = argv;
		n = (size_t)argc;
		if (o->columns && strcmp(cmd, "info") == 0)
			printf("Name             Maj Min Stat Open Targ Event  UUID\n");
	}
	/* dmsetup prefixes lines with the name unless exactly one device was named. */
	prefix = all || argc > 1;
	for (size_t i = 0; i < n && r == 0; i++) {
		if (strcmp(cmd, "info") == 0)
			r = info_one(st, names[i], o->columns);
		else
			r = show_one(st, cmd, names[i],
				     strcmp(cmd, "status") == 0 ? DMB_FMT_STATUS : DMB_FMT_TABLE, o,
				     prefix, &first);
	}
	if (o->concise && !first)
		putchar('\n');
	if (all)
		state_free_list(names, n);
	return r;
}

static int cmd_ls(struct state *st)
{
	char **names;
	size_t n;
	int r = state_list(st, &names, &n);

	if (r)
		return r;
	if (n == 0)
		printf("No devices found\n");
	for (size_t i = 0; i < n; i++) {
		struct state_dev *d;

		if (state_load(st, names[i], &d) == 0) {
			printf("%s\t(%d:%u)\n", d->name, DMB_CLI_MAJOR, d->minor);
			state_dev_free(d);
		}
	}
	state_free_list(names, n);
	return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int cmd_read(struct state *st, const struct opts *o, const char *name)
{
	struct dmb_ctx ctx = { 0 };
	struct cli_dev *cd;
	uint64_t size, off = o->offset, left;
	char *buf;
	int r = cli_dev_open(st, &ctx, name, DMB_DEV_READONLY, 0, &cd);

	if (r) {
		cli_error("read %s", ctx.msg);
		return r;
	}
	size = dmb_bdev_bytes(dmb_dev_bdev(cd->dev));
	if (off > size || (o->have_length && o->length > size - off)) {
		cli_error("read %s: range past the end of the device (%llu bytes)", name,
			  (unsigned long long)size);
		cli_dev_close(cd);
		return -ERANGE;
	}
	left = o->have_length ? o->length : size - off;
	/* Page-aligned: the kernel copies into aligned buffers several times faster. */
	buf = aligned_alloc(4096, IO_CHUNK);
	if (!buf) {
		cli_dev_close(cd);
		return -ENOMEM;
	}
	while (left && r == 0) {
		/* Keep every chunk after the first sector-aligned. */
		size_t n = (size_t)(left < IO_CHUNK ? left : IO_CHUNK);

		if (off % 512 && n > 512 - off % 512)
			n = 512 - off % 512;
		dmb_ctx_clear(&cd->ctx);
		r = dmb_bdev_read_bytes(dmb_dev_bdev(cd->dev), off, n, buf);
		if (r) {
			cli_error("read %s: %s", name,
				  cd->ctx.msg[0] ? cd->ctx.msg : dmb_strerror(r));
			break;
		}
		r = write_all(1, buf, n);
		if (r)
			cli_error("read %s: writing to stdout: %s", name, strerror(-r));
		off += n;
		left -= n;
	}
	free(buf);
	cli_dev_close(cd);
	return r;
}

static int cmd_write(struct state *st, const struct opts *o, const char *name)
{
	struct dmb_ctx ctx = { 0 };
	struct state_dev *sd;
	struct cli_dev *cd;
	struct stat sb;
	uint64_t size, off = o->offset;
	char *buf;
	int r = state_load(st, name, &sd);

	if (r) {
		if (r == -ENOENT)
			cli_error("write %s: no such device", name);
		return r;
	}
	if (sd->read_only) {
		cli_error("write %s: device is read-only", name);
		state_dev_free(sd);
		return -EACCES;
	}
	state_dev_free(sd);
	r = cli_dev_open(st, &ctx, name, 0, 0, &cd);
	if (r) {
		cli_error("write %s", ctx.msg);
		return r;
	}
	size = dmb_bdev_bytes(dmb_dev_bdev(cd->dev));
	/* With a regular file on stdin the rest of it is checked before writing. */
	off_t pos = lseek(0, 0, SEEK_CUR);

	if (off > size || (fstat(0, &sb) == 0 && S_ISREG(sb.st_mode) && pos >= 0 &&
			   sb.st_size > pos && (uint64_t)(sb.st_size - pos) > size - off)) {
		cli_error("write %s: data past the end of the device (%llu bytes)", name,
			  (unsigned long long)size);
		cli_dev_close(cd);
		return -ERANGE;
	}
	/* Page-aligned: the kernel copies into aligned buffers several times faster. */
	buf = aligned_alloc(4096, IO_CHUNK);
	if (!buf) {
		cli_dev_close(cd);
		return -ENOMEM;
	}
	for (;;) {
		size_t n = 0;

		while (n < IO_CHUNK) {
			ssize_t got = read(0, buf + n, IO_CHUNK - n);

			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0) {
				r = -errno;
				cli_error("write %s: reading stdin: %s", name, strerror(errno));
				break;
			}
			if (got == 0)
				break;
			n += (size_t)got;
		}
		if (r || n == 0)
			break;
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
	cli_dev_close(cd);
	return r;
}

int cmd_dmsetup(int argc, char **argv)
{
	enum { OPT_TABLE = 256, OPT_CONCISE, OPT_SHOWKEYS, OPT_OFFSET, OPT_LENGTH, OPT_DEVICES };
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
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct opts o = { 0 };
	struct state st;
	const char *cmd;
	bool exclusive;
	int c, r;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "ru:cCh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_TABLE:
			o.table = optarg;
			break;
		case 'r':
			o.readonly = true;
			break;
		case 'u':
			o.uuid = optarg;
			break;
		case OPT_DEVICES:
			o.devices = optarg;
			break;
		case OPT_CONCISE:
			o.concise = true;
			break;
		case OPT_SHOWKEYS:
			o.showkeys = true;
			break;
		case 'c':
		case 'C':
			o.columns = true;
			break;
		case OPT_OFFSET:
		case OPT_LENGTH:
			if (!cli_parse_u64(optarg, c == OPT_OFFSET ? &o.offset : &o.length)) {
				cli_error("invalid number of bytes \"%s\"", optarg);
				return 1;
			}
			if (c == OPT_OFFSET)
				o.have_offset = true;
			else
				o.have_length = true;
			break;
		case 'h':
			help(stdout);
			return 0;
		default:
			cli_error("unknown option '%s'", argv[optind - 1]);
			help(stderr);
			return 1;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		help(stderr);
		return 1;
	}
	cmd = argv[0];
	argc--;
	argv++;
	if (strcmp(cmd, "help") == 0) {
		help(stdout);
		return 0;
	}

	static const char *const known[] = { "create", "remove", "remove_all", "ls", "table",
					     "status", "info", "read", "write" };
	bool ok = false;

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		ok |= strcmp(cmd, known[i]) == 0;
	if (!ok) {
		cli_error("unknown command '%s'", cmd);
		help(stderr);
		return 1;
	}
	if ((strcmp(cmd, "read") == 0 || strcmp(cmd, "write") == 0 ||
	     strcmp(cmd, "remove") == 0) && argc < 1) {
		cli_error("%s: expected a device name", cmd);
		return 1;
	}
	if ((strcmp(cmd, "read") == 0 || strcmp(cmd, "write") == 0) && argc != 1) {
		cli_error("%s: expected exactly one device name", cmd);
		return 1;
	}
	if ((strcmp(cmd, "ls") == 0 || strcmp(cmd, "remove_all") == 0) && argc) {
		cli_error("%s: takes no arguments", cmd);
		return 1;
	}

	exclusive = strcmp(cmd, "create") == 0 || strcmp(cmd, "remove") == 0 ||
		    strcmp(cmd, "remove_all") == 0;
	if (state_open(&st, exclusive))
		return 1;
	if (strcmp(cmd, "create") == 0) {
		r = cmd_create(&st, &o, argc, argv);
	} else if (strcmp(cmd, "remove") == 0) {
		r = 0;
		for (int i = 0; i < argc && r == 0; i++)
			r = cli_remove(&st, "remove", argv[i]);
	} else if (strcmp(cmd, "remove_all") == 0) {
		r = cmd_remove_all(&st);
	} else if (strcmp(cmd, "ls") == 0) {
		r = cmd_ls(&st);
	} else if (strcmp(cmd, "read") == 0) {
		r = cmd_read(&st, &o, argv[0]);
	} else if (strcmp(cmd, "write") == 0) {
		r = cmd_write(&st, &o, argv[0]);
	} else {
		r = for_devices(&st, cmd, argc, argv, &o);
	}
	state_close(&st);
	if (fflush(stdout) != 0 && r == 0) {
		cli_error("writing output: %s", strerror(errno));
		r = -EIO;
	}
	return r ? 1 : 0;
}
