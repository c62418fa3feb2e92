// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * libFuzzer target for the LUKS2 binary headers (formats.md §5.1, §5.2):
 * the input is the start of a device large enough for the secondary header
 * scan (4 MiB and one header more, the rest zero).  Both copies, their
 * checksums and the choice between them run on it; a header that loads is
 * asked for its table.  No key derivation: the unlock path is fuzzed by
 * fuzz_luks1.
 */
#include <stdlib.h>
#include <string.h>

#include <dmboot/dmboot.h>

#include "../../ports/posix/dmboot_posix.h"

#define DEV_BYTES ((4u << 20) + 16384u)

static uint8_t dev_mem[DEV_BYTES];
static size_t dirty; /* bytes of dev_mem the last input wrote */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dmb_posix_crypto pc;
	static bool inited;
	struct dmb_ctx ctx = { 0 };
	struct dmb_ram_bdev rb;
	struct dmb_luks *l = NULL;
	char line[512];

	if (size > DEV_BYTES)
		return 0;
	if (!inited) {
		dmb_posix_crypto_init(&pc);
		inited = true;
	}
	ctx.crypto = &pc.crypto;
	memset(dev_mem, 0, dirty);
	memcpy(dev_mem, data, size);
	dirty = size;
	dmb_ram_bdev_init(&rb, dev_mem, DEV_BYTES, 9, false);
	if (dmb_luks_load(&ctx, &rb.bdev, &l) != 0)
		return 0;
	if (dmb_luks_table(&ctx, l, "/dev/fuzz", DEV_BYTES / 512, "00", 0, line, sizeof(line)) == 0 &&
	    !strstr(line, " crypt "))
		abort();
	dmb_luks_destroy(l);
	return 0;
}
