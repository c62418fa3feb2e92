// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * libFuzzer target for the LUKS1 reader (formats.md §5.6) and the common
 * unlock path (§5.4): the input is the start of a 1 MiB device (header and
 * key material, the rest zero).  A header that loads is asked for its
 * table and a volume key check, and, when its iteration counts are small
 * enough to keep the run fast, unlocked with a fixed passphrase (every
 * slot, or the slot the last input byte names).
 */
#include <stdlib.h>
#include <string.h>

#include <dmboot/dmboot.h>

#include "../../ports/posix/dmboot_posix.h"

#define DEV_BYTES (1u << 20)
#define MAX_ITERATIONS 2000u /* sum over what one run may derive */

static uint8_t dev_mem[DEV_BYTES];

static bool cheap(const struct dmb_luks_hdr *h)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < h->nkeyslots; i++)
		if (h->keyslots[i].active)
			sum += (uint64_t)h->keyslots[i].kdf.iterations + h->digests[0].kdf.iterations;
	return sum <= MAX_ITERATIONS;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dmb_posix_crypto pc;
	static bool inited;
	struct dmb_ctx ctx = { 0 };
	struct dmb_ram_bdev rb;
	struct dmb_luks *l = NULL;
	uint8_t vk[DMB_LUKS_MAX_KEY_BYTES];
	char line[512];
	size_t vk_len = 0;
	int slot_used = -1, slot;

	if (size > DEV_BYTES)
		return 0;
	if (!inited) {
		dmb_posix_crypto_init(&pc);
		inited = true;
	}
	ctx.crypto = &pc.crypto;
	ctx.mem.kdf_max_kib = 1024;
	memset(dev_mem, 0, DEV_BYTES);
	memcpy(dev_mem, data, size);
	dmb_ram_bdev_init(&rb, dev_mem, DEV_BYTES, 9, false);
	if (dmb_luks_probe(&ctx, &rb.bdev) < 0 || dmb_luks_load(&ctx, &rb.bdev, &l) != 0)
		return 0;
	if (dmb_luks_table(&ctx, l, "/dev/fuzz", DEV_BYTES / 512, "00", 0, line, sizeof(line)) == 0 &&
	    !strstr(line, " crypt "))
		abort();
	memset(vk, 0x5a, sizeof(vk));
	(void)dmb_luks_check_key(&ctx, l, vk, dmb_luks_header(l)->keyslots[0].key_bytes);
	if (cheap(dmb_luks_header(l))) {
		slot = size > 592 && data[size - 1] < 8 ? data[size - 1] : -1;
		if (dmb_luks_unlock(&ctx, l, &rb.bdev, slot, (const uint8_t *)"fuzz", 4, vk, sizeof(vk),
				    &vk_len, &slot_used) == 0 &&
		    (vk_len == 0 || vk_len > sizeof(vk) || slot_used < 0 || slot_used > 7))
			abort();
	}
	dmb_wipe(vk, sizeof(vk));
	dmb_luks_destroy(l);
	return 0;
}
