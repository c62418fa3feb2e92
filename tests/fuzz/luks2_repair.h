/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * For the fuzzers that feed LUKS2 headers (formats.md §5.1, §5.2): write a
 * binary header copy and make its checksum match what the copy now holds,
 * so mutations reach the JSON validation behind the checksum.
 */
#ifndef DMBOOT_FUZZ_LUKS2_REPAIR_H
#define DMBOOT_FUZZ_LUKS2_REPAIR_H

#include <string.h>

#include <dmboot/dmboot.h>

#include "base/base.h"

/* A binary header at img + off for a copy of hdr_size bytes, its sha256 checksum over the copy. */
static inline void luks2_repair_copy(const struct dmb_crypto *c, uint8_t *img, uint64_t off,
				     uint64_t hdr_size, uint64_t seqid)
{
	uint8_t *h = img + off, out[DMB_MAX_DIGEST_SIZE];
	size_t n = 0;

	memset(h, 0, 4096);
	memcpy(h, off ? "SKUL\xba\xbe" : "LUKS\xba\xbe", 6);
	h[7] = 2;
	for (int i = 0; i < 8; i++) {
		h[8 + i] = (uint8_t)(hdr_size >> (56 - 8 * i));
		h[16 + i] = (uint8_t)(seqid >> (56 - 8 * i));
		h[256 + i] = (uint8_t)(off >> (56 - 8 * i));
	}
	memcpy(h + 72, "sha256", 7);
	memcpy(h + 168, "11111111-2222-3333-4444-555555555555", 37);
	if (dmb_digest_oneshot(c, "sha256", h, (size_t)hdr_size, out, &n) == 0 && n <= 64)
		memcpy(h + 448, out, n);
}

#endif /* DMBOOT_FUZZ_LUKS2_REPAIR_H */
