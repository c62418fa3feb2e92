// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * libFuzzer target for the veritysetup superblock parser: any 512 bytes are
 * decoded; an accepted superblock's geometry is computed, its table line
 * printed and parsed, and a small tree is checked against RAM devices.
 */
#include <stdlib.h>
#include <string.h>

#include <dmboot/dmboot.h>

#include "../../ports/posix/dmboot_posix.h"

static uint8_t data_mem[64 * 1024], hash_mem[64 * 1024];

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
	char line[2048];

	dmb_posix_crypto_init(&pc);
	ctx.crypto = &pc.crypto;
	memcpy(sb, data, size < sizeof(sb) ? size : sizeof(sb));
	if (dmb_verity_sb_decode(&ctx, sb, &p))
		return 0;
	if (dmb_verity_geometry(&ctx, &p, &g))
		return 0;
	if (dmb_verity_table_line(&ctx, &p, "data", "hash", "00", line, sizeof(line)) < 0)
		abort();
	if (dmb_table_parse(&ctx, line, strlen(line), &t) == 0)
		dmb_table_destroy(t);
	/* Small images only: check a tree against whatever the RAM holds. */
	if ((uint64_t)p.data_blocks * p.data_block_size <= sizeof(data_mem) &&
	    g.hash_end * p.hash_block_size <= sizeof(hash_mem)) {
		dmb_ram_bdev_init(&d, data_mem, sizeof(data_mem), 9, false);
		dmb_ram_bdev_init(&h, hash_mem, sizeof(hash_mem), 9, false);
		(void)dmb_verity_tree_verify(&ctx, &p, &d.bdev, &h.bdev, root, &fail, NULL, NULL);
	}
	return 0;
}
