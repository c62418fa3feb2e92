// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * libFuzzer target for the LUKS2 JSON validation (formats.md §5.2, §5.3):
 * the input becomes the JSON area of both copies of a 16 KiB header pair
 * whose checksums are recomputed after the mutation (luks2_repair.h), so
 * every input reaches dmbi_luks2_json_load() through dmb_luks_load().  A
 * header that loads is asked for its table.
 */
#include <stdlib.h>
#include <string.h>

#include <dmboot/dmboot.h>

#include "../../ports/posix/dmboot_posix.h"
#include "luks2_repair.h"

#define HDR 16384u
#define DEV_BYTES (2u << 20)

static uint8_t dev_mem[DEV_BYTES];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dmb_posix_crypto pc;
	static bool inited;
	struct dmb_ctx ctx = { 0 };
	struct dmb_ram_bdev rb;
	struct dmb_luks *l = NULL;
	char line[512];

	if (size > HDR - 4096)
		return 0;
	if (!inited) {
		dmb_posix_crypto_init(&pc);
		inited = true;
	}
	ctx.crypto = &pc.crypto;
	memset(dev_mem, 0, 2 * HDR);
	memcpy(dev_mem + 4096, data, size);
	memcpy(dev_mem + HDR + 4096, data, size);
	luks2_repair_copy(&pc.crypto, dev_mem, 0, HDR, 1);
	luks2_repair_copy(&pc.crypto, dev_mem, HDR, HDR, 1);
	dmb_ram_bdev_init(&rb, dev_mem, DEV_BYTES, 9, false);
	if (dmb_luks_load(&ctx, &rb.bdev, &l) != 0)
		return 0;
	if (dmb_luks_table(&ctx, l, "/dev/fuzz", DEV_BYTES / 512, "00", 0, line, sizeof(line)) == 0 &&
	    !strstr(line, " crypt "))
		abort();
	dmb_luks_destroy(l);
	return 0;
}
