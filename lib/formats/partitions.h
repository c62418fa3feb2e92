/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * Shared between the partition table readers (partitions.c, gpt.c, mbr.c):
 * the per-label loaders.
 */
#ifndef DMBOOT_LIB_PARTITIONS_H
#define DMBOOT_LIB_PARTITIONS_H

#include "formats.h"

/*
 * Fill t (label, sector_size and disk_lbas already set) from the GPT of bd,
 * or from the MBR in mbr (the device's first 512 bytes) and its EBRs.
 * Errors as dmb_part_table_load(); t is left for the caller to destroy.
 */
int dmbi_part_gpt_load(struct dmb_ctx *ctx, struct dmb_bdev *bd, struct dmb_part_table *t);
int dmbi_part_mbr_load(struct dmb_ctx *ctx, struct dmb_bdev *bd, const uint8_t mbr[512],
		       struct dmb_part_table *t);

/*
 * Where a GPT header sits: 512, 1024, 2048 or 4096 (at least bd's block
 * size), judged by signature, header_size and my_lba alone, as systemd
 * does; 0 when no size matches.  Errors: DMB_ECORRUPT headers for more than
 * one size, and the device's read errors.
 */
int dmbi_part_gpt_sector_size(struct dmb_ctx *ctx, struct dmb_bdev *bd, unsigned *sector_size);

#endif /* DMBOOT_LIB_PARTITIONS_H */
