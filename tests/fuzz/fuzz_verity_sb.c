// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * libFuzzer target for the veritysetup superblock parser: any 512 bytes are
 * decoded; an accepted superblock's geometry is computed, its table line
 * (with optional arguments taken from the bytes after the superblock)
 * printed and parsed and compared with dmb_verity_table_add()'s target, and
 * a small tree is checked against RAM devices.
 */
#include <stdlib.h>
#include <string.h>

#include <dmboot/dmboot.h>

#include "../../ports/posix/dmboot_posix.h"

static uint8_t data_mem[64 * 1024], hash_mem[64 * 1024];

/*
 * Optional arguments from the bytes after the superblock: modes (some out
 * of range), flags, and a FEC device and key description (maybe empty or
 * holding a newline) from the bytes after those.
 */
static void fuzz_opts(struct dmb_verity_opts *o, const uint8_t *d, size_t n, char s[2][64])
{
	size_t at = 2;

	memset(o, 0, sizeof(*o));
	o->corruption = (enum dmb_verity_corruption)(d[0] % 5);
	o->error = (enum dmb_verity_error)(d[0] / 5 % 4);
	o->ignore_zero_blocks = d[1] & 1;
	o->check_at_most_once = d[1] & 2;
	o->try_verify_in_tasklet = d[1] & 4;
	for (int i = 0; i < 2; i++) {
		size_t k = 0;

		while (at < n && d[at] && k < 63)
			s[i][k++] = (char)d[at++];
		s[i][k] = '\0';
		at++;
	}
	if (d[1] & 8) {
		o->fec_dev = s[0];
		o->fec_roots = d[0];
		o->fec_blocks = (uint64_t)d[1] << 40;
		o->fec_start = n;
	}
	if (d[1] & 16)
		o->sig_key_desc = s[1];
}

static bool one_arg(const char *s)
{
	return s == NULL || (*s && !strchr(s, '\n'));
}

static bool opts_ok(const struct dmb_verity_opts *o)
{
	return (unsigned)o->corruption <= DMB_VERITY_CORRUPTION_PANIC &&
	       (unsigned)o->error <= DMB_VERITY_ERROR_PANIC && one_arg(o->fec_dev) &&
	       one_arg(o->sig_key_desc);
}

/*
 * The parsed line: its option count counts the words after it, and
 * dmb_verity_table_add() makes the same target without the text.
 */
static void check_table(struct dmb_ctx *ctx, const struct dmb_table *t,
			const struct dmb_verity_params *p)
{
	static char *argv[DMB_TARGET_MAX_ARGS];
	char params[4096];
	struct dmb_table *t2;
	unsigned argc;

	if (t->count != 1 || strlen(t->targets[0].params) >= sizeof(params))
		abort();
	strcpy(params, t->targets[0].params);
	if (dmb_split_args(params, DMB_TARGET_MAX_ARGS, &argc, argv) || argc < 10)
		abort();
	if (argc > 10 && strtoul(argv[10], NULL, 10) != argc - 11)
		abort();
	if (dmb_table_create(ctx, &t2) || dmb_verity_table_add(ctx, t2, p, "data", "hash", "00") ||
	    strcmp(t2->targets[0].params, t->targets[0].params) != 0 ||
	    t2->targets[0].len_sectors != t->targets[0].len_sectors ||
	    t2->targets[0].line != t->targets[0].line)
		abort();
	dmb_table_destroy(t2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dmb_posix_crypto pc;
	struct dmb_ctx ctx = { 0 };
	struct dmb_verity_params p;
	struct dmb_verity_geometry g;
	struct dmb_verity_failure fail;
	struct dmb_ram_bdev d, h;
	struct dmb_table *t;
	uint8_t sb[DMB_VERITY_SB_SIZE] = { 0 }, root[DMB_MAX_DIGEST_SIZE] = { 0 };
	char line[4096], strings[2][64];
	int n;

	dmb_posix_crypto_init(&pc);
	ctx.crypto = &pc.crypto;
	memcpy(sb, data, size < sizeof(sb) ? size : sizeof(sb));
	if (dmb_verity_sb_decode(&ctx, sb, &p))
		return 0;
	if (dmb_verity_geometry(&ctx, &p, &g))
		return 0;
	if (size > DMB_VERITY_SB_SIZE + 2)
		fuzz_opts(&p.opts, data + DMB_VERITY_SB_SIZE, size - DMB_VERITY_SB_SIZE, strings);
	n = dmb_verity_table_line(&ctx, &p, "data", "hash", "00", line, sizeof(line));
	if (n != (opts_ok(&p.opts) ? n : DMB_EINVAL) || (opts_ok(&p.opts) && n <= 0))
		abort();
	if (n > 0 && (size_t)n < sizeof(line) && dmb_table_parse(&ctx, line, strlen(line), &t) == 0) {
		check_table(&ctx, t, &p);
		dmb_table_destroy(t);
	}
	/* Small images only: check a tree against whatever the RAM holds. */
	if ((uint64_t)p.data_blocks * p.data_block_size <= sizeof(data_mem) &&
	    g.hash_end * p.hash_block_size <= sizeof(hash_mem)) {
		dmb_ram_bdev_init(&d, data_mem, sizeof(data_mem), 9, false);
		dmb_ram_bdev_init(&h, hash_mem, sizeof(hash_mem), 9, false);
		(void)dmb_verity_tree_verify(&ctx, &p, &d.bdev, &h.bdev, root, &fail, NULL, NULL);
	}
	return 0;
}
