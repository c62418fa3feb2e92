// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * libFuzzer target for the table parsers and the target constructors
 * (verity's included).  The first byte picks the grammar (dmsetup text,
 * dmsetup concise, kernel dm-mod.create=); a parsed table is instantiated
 * over RAM devices, read, printed, and the printed table, in the text form
 * and in the concise form, must parse back to the same text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmboot/dmboot.h>

#include "../../ports/posix/dmboot_posix.h"

#define RAM_SECTORS 4096

static uint8_t ram[RAM_SECTORS * 512];

struct ram_dev {
	struct dmb_ram_bdev rb;
};

static int ram_open(const struct dmb_resolver *r, struct dmb_ctx *ctx, const char *name,
		    unsigned flags, struct dmb_bdev **out)
{
	struct ram_dev *d;

	(void)r;
	(void)ctx;
	if (strcmp(name, "missing") == 0)
		return DMB_ENOENT;
	d = malloc(sizeof(*d));
	if (!d)
		return DMB_ENOMEM;
	/* Names starting with '4' get 4 KiB blocks, to reach the bounce paths. */
	dmb_ram_bdev_init(&d->rb, ram, sizeof(ram), name[0] == '4' ? 12 : 9,
			  flags & DMB_OPEN_WRITE);
	*out = &d->rb.bdev;
	return 0;
}

static void ram_close(const struct dmb_resolver *r, struct dmb_bdev *bd)
{
	(void)r;
	free(bd->priv);
}

static const struct dmb_resolver resolver = { ram_open, ram_close, NULL };

static char *format(struct dmb_dev *dev, enum dmb_fmt what, unsigned flags)
{
	int n = dmb_dev_format(dev, what, flags, NULL, 0);
	char *s;

	if (n < 0)
		abort();
	s = malloc((size_t)n + 1);
	if (!s || dmb_dev_format(dev, what, flags, s, (size_t)n + 1) != n)
		abort();
	return s;
}

/*
 * A table read back from what a device printed (how: "text" or "concise",
 * printed as spec) must load and print the same text again.
 */
static void check_reads_back(struct dmb_ctx *ctx, const struct dmb_table *t, unsigned devflags,
			     const char *text, const char *how, const char *spec)
{
	struct dmb_dev *dev;
	char *text2;

	if (dmb_dev_create(ctx, t, devflags, &dev)) {
		fprintf(stderr, "printed %s table does not load: %s\n%s\n", how, ctx->msg, spec);
		abort();
	}
	text2 = format(dev, DMB_FMT_TABLE, DMB_FMT_SHOWKEYS);
	if (strcmp(text, text2) != 0) {
		fprintf(stderr, "%s round trip changed the table:\n%s---\n%s", how, text, text2);
		abort();
	}
	free(text2);
	dmb_dev_destroy(dev);
}

/* The text and the concise form of a device's table must read back as the same table. */
static void check_round_trips(struct dmb_ctx *ctx, struct dmb_dev *dev, unsigned devflags)
{
	char *text = format(dev, DMB_FMT_TABLE, DMB_FMT_SHOWKEYS);
	char *concise = format(dev, DMB_FMT_TABLE, DMB_FMT_CONCISE | DMB_FMT_SHOWKEYS);
	size_t n = strlen(concise);
	char *spec = malloc(n + 8);
	struct dmb_concise *c;
	struct dmb_table *t;

	if (!spec)
		abort();
	if (dmb_table_parse(ctx, text, strlen(text), &t)) {
		fprintf(stderr, "printed text table does not parse: %s\n%s\n", ctx->msg, text);
		abort();
	}
	check_reads_back(ctx, t, devflags, text, "text", text);
	dmb_table_destroy(t);
	memcpy(spec, "d,,,rw,", 7);
	memcpy(spec + 7, concise, n + 1);
	if (dmb_concise_parse(ctx, spec, n + 7, 0, &c)) {
		fprintf(stderr, "printed concise table does not parse: %s\n%s\n", ctx->msg, spec);
		abort();
	}
	check_reads_back(ctx, c->devs[0].table, devflags, text, "concise", spec);
	dmb_concise_destroy(c);
	free(spec);
	free(concise);
	free(text);
}

/*
 * The same table built from parts: each target's arguments split as a
 * constructor sees them and appended with dmb_table_add_argv() must give
 * the same arguments back and a device that prints the same text.  A type
 * holding '\' (the parser keeps it, nothing can print it back unescaped) is
 * refused; so are more arguments than a device takes.
 */
static char *dup(const char *s)
{
	char *d = malloc(strlen(s) + 1);

	return d ? strcpy(d, s) : NULL;
}

static void check_add_argv(struct dmb_ctx *ctx, const struct dmb_table *t)
{
	static char *argv[DMB_TARGET_MAX_ARGS], *argv2[DMB_TARGET_MAX_ARGS];
	struct dmb_table *t2;
	struct dmb_dev *dev, *dev2;

	if (dmb_table_create(ctx, &t2))
		abort();
	for (size_t i = 0; i < t->count; i++) {
		const struct dmb_table_target *tt = &t->targets[i];
		char *params = dup(tt->params), *params2;
		unsigned argc, argc2;
		int r, split, want = 0;

		if (!params)
			abort();
		split = dmb_split_args(params, DMB_TARGET_MAX_ARGS, &argc, argv);
		if (split) {
			/* The same refusal, from all the arguments. */
			char **all = malloc(sizeof(*all) * (strlen(tt->params) / 2 + 2));
			unsigned n;

			if (!all || dmb_split_args(strcpy(params, tt->params),
						   (unsigned)(strlen(tt->params) / 2 + 2), &n, all))
				abort();
			r = dmb_table_add_argv(ctx, t2, tt->start_sectors, tt->len_sectors, tt->type, n,
					       (const char *const *)all);
			free(all);
			free(params);
			if (r != DMB_ERANGE && !(strchr(tt->type, '\\') && r == DMB_EINVAL)) {
				fprintf(stderr, "add_argv of %u arguments: %d %s\n", n, r, ctx->msg);
				abort();
			}
			dmb_table_destroy(t2);
			return;
		}
		if (strchr(tt->type, '\\'))
			want = DMB_EINVAL;
		r = dmb_table_add_argv(ctx, t2, tt->start_sectors, tt->len_sectors, tt->type, argc,
				       (const char *const *)argv);
		if (r != want) {
			fprintf(stderr, "add_argv of target %zu: %d, want %d: %s\n", i, r, want, ctx->msg);
			abort();
		}
		if (r) {
			free(params);
			dmb_table_destroy(t2);
			return;
		}
		params2 = dup(t2->targets[i].params);
		if (!params2 || dmb_split_args(params2, DMB_TARGET_MAX_ARGS, &argc2, argv2) ||
		    argc2 != argc ||
		    strcmp(t2->targets[i].type, tt->type) != 0)
			abort();
		for (unsigned a = 0; a < argc; a++)
			if (strcmp(argv[a], argv2[a]) != 0)
				abort();
		free(params2);
		free(params);
	}
	/* Line numbers may differ (blank lines, comments); nothing printed shows them. */
	if (dmb_dev_create(ctx, t, DMB_DEV_READONLY, &dev) == 0) {
		char *text, *text2;

		if (dmb_dev_create(ctx, t2, DMB_DEV_READONLY, &dev2)) {
			fprintf(stderr, "table built from parts does not load: %s\n", ctx->msg);
			abort();
		}
		text = format(dev, DMB_FMT_TABLE, DMB_FMT_SHOWKEYS);
		text2 = format(dev2, DMB_FMT_TABLE, DMB_FMT_SHOWKEYS);
		if (strcmp(text, text2) != 0) {
			fprintf(stderr, "built from parts:\n%s---\n%s", text, text2);
			abort();
		}
		free(text);
		free(text2);
		dmb_dev_destroy(dev2);
		dmb_dev_destroy(dev);
	}
	dmb_table_destroy(t2);
}

static void exercise(struct dmb_ctx *ctx, const struct dmb_table *t, uint64_t seed)
{
	const unsigned devflags = (unsigned)(seed & 1) ? DMB_DEV_READONLY : 0;
	struct dmb_dev *dev;
	uint8_t buf[8 * 512];

	if (dmb_dev_create(ctx, t, devflags, &dev))
		return;
	uint64_t sectors = dmb_dev_sectors(dev);
	uint64_t at = (seed >> 8) % sectors, n = 1 + (seed >> 40) % 8;

	if (n > sectors - at)
		n = sectors - at;
	(void)dmb_bdev_read_bytes(dmb_dev_bdev(dev), at * 512 + (seed >> 4) % 7, (size_t)n * 512 - 7, buf);
	if (!(seed & 1))
		(void)dmb_bdev_write_bytes(dmb_dev_bdev(dev), at * 512 + 3, (size_t)n * 512 - 5, buf);

	free(format(dev, DMB_FMT_STATUS, 0));
	check_round_trips(ctx, dev, devflags);
	dmb_dev_destroy(dev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dmb_posix_crypto pc;
	struct dmb_ctx ctx = { .resolver = &resolver };
	uint64_t seed = 0;

	/* OpenSSL digests, so verity tables reach their constructor. */
	dmb_posix_crypto_init(&pc);
	ctx.crypto = &pc.crypto;

	if (size < 1)
		return 0;
	for (size_t i = 0; i < size && i < 8; i++)
		seed = seed * 131 + data[i];
	switch (data[0] % 3) {
	case 0: {
		struct dmb_table *t;

		if (dmb_table_parse(&ctx, (const char *)data + 1, size - 1, &t) == 0) {
			check_add_argv(&ctx, t);
			exercise(&ctx, t, seed);
			dmb_table_destroy(t);
		}
		break;
	}
	default: {
		struct dmb_concise *c;
		unsigned flags = data[0] % 3 == 2 ? DMB_CONCISE_KERNEL : 0;

		if (dmb_concise_parse(&ctx, (const char *)data + 1, size - 1, flags, &c) == 0) {
			for (size_t i = 0; i < c->count; i++)
				exercise(&ctx, c->devs[i].table, seed + i);
			dmb_concise_destroy(c);
		}
		break;
	}
	}
	return 0;
}
