// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * `dmboot veritysetup status NAME`: veritysetup's report of an active
 * verity device (docs/veritysetup.md), read from the device's record: its
 * table (formats.md §1.6) and its last status, which is what the kernel
 * reports from memory, so the lower devices are not opened.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "veritysetup.h"

/* A verity table's fields, as `status` prints them. */
struct vstatus {
	const char *version, *data_dev, *hash_dev, *dbs, *hbs, *alg, *root, *salt;
	uint64_t hash_start, len_sectors;
	const char *fec_dev, *fec_roots;
	uint64_t fec_start;
	bool sig, ignore, restart, panic, zero, once, tasklet;
};

static bool opt_is(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

/* The optional arguments status reports; false on a malformed list. */
static bool read_opts(struct vstatus *s, unsigned argc, char **argv)
{
	uint64_t n;

	if (argc == 0)
		return true;
	if (!cli_parse_u64(argv[0], &n) || n != argc - 1)
		return false;
	for (unsigned i = 1; i < argc; i++) {
		const char *o = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		s->ignore |= opt_is(o, "ignore_corruption");
		s->restart |= opt_is(o, "restart_on_corruption");
		s->panic |= opt_is(o, "panic_on_corruption");
		s->zero |= opt_is(o, "ignore_zero_blocks");
		s->once |= opt_is(o, "check_at_most_once");
		s->tasklet |= opt_is(o, "try_verify_in_tasklet");
		if (!val)
			continue;
		if (opt_is(o, "use_fec_from_device"))
			s->fec_dev = val;
		else if (opt_is(o, "fec_roots"))
			s->fec_roots = val;
		else if (opt_is(o, "fec_start") && !cli_parse_u64(val, &s->fec_start))
			return false;
		s->sig |= opt_is(o, "root_hash_sig_key_desc");
		if (opt_is(o, "use_fec_from_device") || opt_is(o, "fec_roots") ||
		    opt_is(o, "fec_blocks") || opt_is(o, "fec_start") ||
		    opt_is(o, "root_hash_sig_key_desc"))
			i++;
	}
	return true;
}

/* Split a one-target verity table; false when it is not one. */
static bool read_table(const struct dmb_table *t, char **argv, struct vstatus *s)
{
	unsigned argc;

	if (t->count != 1 || strcmp(t->targets[0].type, "verity") != 0)
		return false;
	if (dmb_split_args(t->targets[0].params, 64, &argc, argv) || argc < 10 ||
	    !cli_parse_u64(argv[6], &s->hash_start))
		return false;
	s->version = argv[0];
	s->data_dev = argv[1];
	s->hash_dev = argv[2];
	s->dbs = argv[3];
	s->hbs = argv[4];
	s->alg = argv[7];
	s->root = argv[8];
	s->salt = argv[9];
	s->len_sectors = t->targets[0].len_sectors;
	return read_opts(s, argc - 10, argv + 10);
}

static void print_status(const struct vstatus *s, const char *status)
{
	uint64_t hbs = strtoull(s->hbs, NULL, 10);
	char root[2 * DMB_MAX_DIGEST_SIZE + 1];
	size_t n = strlen(s->root) < sizeof(root) ? strlen(s->root) : sizeof(root) - 1;

	/* The kernel reports the root hash in lower case. */
	for (size_t i = 0; i < n; i++)
		root[i] = (char)(s->root[i] >= 'A' && s->root[i] <= 'F' ? s->root[i] - 'A' + 'a'
									  : s->root[i]);
	root[n] = '\0';
	printf("  status:      %s%s\n", strstr(status, " C") ? "corrupted" : "verified",
	       s->sig ? " (with signature)" : "");
	printf("  hash type:   %s\n", s->version);
	printf("  data block:  %s\n", s->dbs);
	printf("  hash block:  %s\n", s->hbs);
	printf("  hash name:   %s\n", s->alg);
	printf("  salt:        %s\n", s->salt);
	printf("  data device: %s\n", s->data_dev);
	printf("  size:        %llu sectors\n", (unsigned long long)s->len_sectors);
	printf("  mode:        readonly\n");
	printf("  hash device: %s\n", s->hash_dev);
	printf("  hash offset: %llu sectors\n", (unsigned long long)(s->hash_start * hbs / 512));
	if (s->fec_dev) {
		printf("  FEC device:  %s\n", s->fec_dev);
		printf("  FEC offset:  %llu sectors\n",
		       (unsigned long long)(s->fec_start * hbs / 512));
		printf("  FEC roots:   %s\n", s->fec_roots ? s->fec_roots : "0");
	}
	printf("  root hash:   %s\n", root);
	if (s->ignore || s->restart || s->panic || s->zero || s->once || s->tasklet)
		printf("  flags:       %s%s%s%s%s%s\n", s->ignore ? "ignore_corruption " : "",
		       s->restart ? "restart_on_corruption " : "",
		       s->panic ? "panic_on_corruption " : "",
		       s->zero ? "ignore_zero_blocks " : "", s->once ? "check_at_most_once" : "",
		       s->tasklet ? "try_verify_in_tasklet" : "");
}

/* One recorded device: its report, or DMB_EINVAL when it is not a verity device. */
static int report(struct state *st, struct state_dev *sd, const char *name)
{
	struct dmb_ctx ctx = { 0 };
	struct dmb_table *t = NULL;
	struct vstatus s = { 0 };
	char *argv[64], *status = state_load_status(st, sd), **users = NULL;
	size_t nusers = 0;
	int r = state_users(st, name, &users, &nusers);

	state_free_list(users, nusers);
	printf("/dev/mapper/%s is active%s.\n", name, r == 0 && nusers ? " and is in use" : "");
	r = dmb_table_parse(&ctx, sd->table, strlen(sd->table), &t);
	if (r || !read_table(t, argv, &s)) {
		printf("  type:        n/a\n");
		r = DMB_EINVAL;
	} else {
		printf("  type:        VERITY\n");
		print_status(&s, status ? status : "");
	}
	dmb_table_destroy(t);
	free(status);
	return r;
}

int verity_status(void *opts, int argc, char **argv)
{
	const char *name = argv[1];
	struct state st;
	struct state_dev *sd = NULL;
	int r;

	(void)opts;
	(void)argc;
	if (strncmp(name, "/dev/mapper/", 12) == 0)
		name += 12;
	if (state_open(&st, false))
		return DMB_EIO;
	r = state_load(&st, name, &sd);
	if (r == -ENOENT) {
		/* veritysetup's words for a name no device has, and its ENODEV: exit 4. */
		printf("/dev/mapper/%s is inactive.\n", name);
		r = DMB_ENOENT;
	} else if (r == 0) {
		r = report(&st, sd, name);
	} else {
		r = DMB_EIO;
	}
	state_dev_free(sd);
	state_close(&st);
	return r;
}
