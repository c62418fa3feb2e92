/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * Writing dm-verity FEC parity as `veritysetup format --fec-device` does
 * (formats.md §2.3; cryptsetup lib/verity/verity_fec.c), and sizing the
 * message it covers.  The layout itself is in lib/core/fec_layout.h.
 */
#ifndef DMBOOT_LIB_FORMATS_VERITY_FEC_H
#define DMBOOT_LIB_FORMATS_VERITY_FEC_H

#include "../core/util.h"

struct dmb_fec_encode_args {
	/* Message blocks [0, data_blocks) are data_dev's blocks from byte 0. */
	struct dmb_bdev *data_dev;
	uint64_t data_blocks;
	/* Message blocks [data_blocks, fec_blocks) are read from hash_dev
	 * starting at hash_offset_bytes: hash_start_block * block_size, the
	 * root hash block (the superblock is not covered). */
	struct dmb_bdev *hash_dev;
	uint64_t hash_offset_bytes;
	/* Message length in blocks, normally from dmb_verity_fec_blocks();
	 * the table's fec_blocks.  At least data_blocks, and at least 1. */
	uint64_t fec_blocks;
	/* Where the parity goes: dmb_verity_fec_parity_blocks() blocks from
	 * fec_offset_bytes (the table's fec_start is fec_offset_bytes /
	 * block_size).  The area must not overlap the message. */
	struct dmb_bdev *fec_dev;
	uint64_t fec_offset_bytes;
	unsigned roots;      /* parity bytes per codeword, 2..24 (--fec-roots, default 2) */
	unsigned block_size; /* data block size == hash block size, 512..64 KiB, power of 2 */
	/* Optional: called after each batch of rounds with done <= total rounds. */
	void (*progress)(void *cookie, uint64_t done, uint64_t total);
	void *cookie;
};

/*
 * Compute and write the parity.  Bytes of the message past fec_blocks (up
 * to rounds * (255 - roots) blocks) count as zeros.  Memory use stays
 * under about 3.5 MiB whatever the device size.
 * Errors: DMB_EINVAL (bad block size, roots, fec_blocks, or the parity area
 * overlaps the message), DMB_ERANGE (the message or the parity area runs
 * past its device, or a size overflows), DMB_ENOMEM, DMB_EACCES (fec_dev is
 * read-only), or what a device returns.  ctx gets a message.
 */
int dmb_verity_fec_encode(struct dmb_ctx *ctx, const struct dmb_fec_encode_args *a);

/*
 * fec_blocks as veritysetup 2.6 computes it (VERITY_FEC_blocks):
 *
 *   end    = fec_on_hash_dev ? fec_offset_bytes : hash_dev_bytes
 *   blocks = end / block_size
 *   if (blocks) blocks -= hash_start_block
 *   fec_blocks = data_blocks + blocks
 *
 * So the message is the data, then the hash device from the root hash
 * block up to the device end, or up to the FEC area when the FEC area is on
 * the hash device (anything between the tree and the parity is covered
 * too).  hash_dev_bytes is the hash device's size once the tree is written
 * (for an image file veritysetup has just created, the end of the tree).
 * cryptsetup quirk kept: with the FEC area on the hash device at an offset
 * under one block (the default --fec-offset 0) the hash area is not
 * covered at all; blocks is 0 and fec_blocks = data_blocks.
 * Errors: DMB_EINVAL (block size not a power of 2 from 512 to 64 KiB; a
 * non-zero end below hash_start_block, where veritysetup would underflow),
 * DMB_ERANGE (overflow).
 */
int dmb_verity_fec_blocks(struct dmb_ctx *ctx, uint64_t data_blocks, uint64_t hash_start_block,
			  unsigned block_size, uint64_t hash_dev_bytes, bool fec_on_hash_dev,
			  uint64_t fec_offset_bytes, uint64_t *fec_blocks);

/*
 * Size of the parity area in blocks: ceil(fec_blocks / (255 - roots)) *
 * roots (cryptsetup's VERITY_FEC_RS_blocks, "FEC blocks" in veritysetup's
 * output).  Errors: DMB_EINVAL (roots outside 2..24, fec_blocks 0, bad
 * block size), DMB_ERANGE (the area's byte size overflows).
 */
int dmb_verity_fec_parity_blocks(uint64_t fec_blocks, unsigned roots, unsigned block_size,
				 uint64_t *parity_blocks);

#endif /* DMBOOT_LIB_FORMATS_VERITY_FEC_H */
