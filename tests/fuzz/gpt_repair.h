/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * For the fuzzers that feed GPT images: make a mutated GPT header's CRCs
 * match what it now says, so mutations reach the checks behind them.
 */
#ifndef DMBOOT_FUZZ_GPT_REPAIR_H
#define DMBOOT_FUZZ_GPT_REPAIR_H

#include <string.h>

#include <dmboot/dmboot.h>

#include "base/base.h"
#include "core/core.h"

/* Recompute the entry array CRC (when the array is on the image) and the header CRC. */
static inline void gpt_repair_header(uint8_t *img, size_t bytes, unsigned ss, uint64_t lba)
{
	uint8_t *h;
	uint32_t hsz, count, esize;
	uint64_t at;

	if ((lba + 1) * ss > bytes)
		return;
	h = img + lba * ss;
	if (memcmp(h, "EFI PART", 8) != 0)
		return;
	hsz = dmbi_get_le32(h + 12);
	if (hsz < 92 || hsz > ss)
		return;
	at = dmbi_get_le64(h + 72);
	count = dmbi_get_le32(h + 80);
	esize = dmbi_get_le32(h + 84);
	if ((uint64_t)count * esize <= DMB_GPT_MAX_ARRAY_BYTES && at < bytes / ss &&
	    (uint64_t)count * esize <= bytes - at * ss)
		dmbi_put_le32(h + 88, dmbi_crc32(0, img + at * ss, (size_t)count * esize));
	dmbi_put_le32(h + 16, 0);
	dmbi_put_le32(h + 16, dmbi_crc32(0, h, hsz));
}

#endif /* DMBOOT_FUZZ_GPT_REPAIR_H */
