/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * dm-verity FEC interleaving geometry (formats.md §2.3), shared by the
 * encoder (lib/verity/fec_encode.c) and the decoder in the verity target
 * (lib/targets/verity_fec.c).
 *
 * The message is fec_blocks blocks: the data blocks, then the hash device
 * from hash_start, then zeros up to rounds * k blocks, where k = 255 - roots
 * and rounds = ceil(fec_blocks / k).  Codeword number n * block_size + b
 * (round n, byte b) takes its symbol i (0 <= i < k) from byte b of message
 * block n + i * rounds, so the k symbols of a codeword lie in k blocks spread
 * evenly over the message and a burst of bad blocks costs each codeword at
 * most one symbol per `rounds` blocks.  The codeword's roots parity bytes are
 * stored at byte (n * block_size + b) * roots of the FEC area: round by round,
 * byte by byte, parity_blocks = rounds * roots blocks in all.
 *
 * Callers keep the values in range: fec_blocks >= 1, and rounds * k and
 * the parity area's byte size fit in 64 bits (checked once with
 * dmbi_fec_parity_blocks_checked() before the plain helpers are used).
 */
#ifndef DMBOOT_LIB_FEC_LAYOUT_H
#define DMBOOT_LIB_FEC_LAYOUT_H

#include "../base/base.h"

#define DMBI_FEC_RSM 255 /* codeword length */

/* Message symbols per codeword. */
static inline unsigned dmbi_fec_rsn(unsigned roots)
{
	return DMBI_FEC_RSM - roots;
}

/* ceil(fec_blocks / rsn): the number of interleaving rounds. */
static inline uint64_t dmbi_fec_rounds(uint64_t fec_blocks, unsigned rsn)
{
	uint32_t rem;
	uint64_t q = dmbi_udiv64(fec_blocks, rsn, &rem);

	return q + (rem != 0);
}

/* The message block holding symbol i of the codewords of round n. */
static inline uint64_t dmbi_fec_msg_block(uint64_t rounds, uint64_t n, unsigned i)
{
	return n + (uint64_t)i * rounds;
}

/*
 * The round of message block m and its symbol index in that round's
 * codewords: m / rounds and m % rounds.  The quotient is below 256 (m is
 * below rounds * rsn), so its 8 bits are found by multiplication, with no
 * 64-bit division.
 */
static inline void dmbi_fec_locate(uint64_t rounds, uint64_t m, uint64_t *n, unsigned *i)
{
	unsigned q = 0;
	uint64_t p;

	for (unsigned bit = 128; bit; bit >>= 1)
		if (dmbi_mul_u64(rounds, q | bit, &p) && p <= m)
			q |= bit;
	*i = q;
	*n = m - (uint64_t)q * rounds;
}

/* Byte offset in the FEC area of the parity of codeword (round n, byte b). */
static inline uint64_t dmbi_fec_parity_offset(uint64_t n, size_t b, unsigned block_bits,
					      unsigned roots)
{
	return ((n << block_bits) + b) * roots;
}

/*
 * Size of the FEC area in blocks (cryptsetup's VERITY_FEC_RS_blocks):
 * rounds * roots.  Returns false if rounds * k or the area's byte size
 * overflows 64 bits.
 */
static inline bool dmbi_fec_parity_blocks_checked(uint64_t fec_blocks, unsigned roots,
						  unsigned block_bits, uint64_t *parity_blocks)
{
	uint64_t rounds = dmbi_fec_rounds(fec_blocks, dmbi_fec_rsn(roots)), span;

	if (!dmbi_mul_u64(rounds, dmbi_fec_rsn(roots), &span) ||
	    !dmbi_mul_u64(rounds, roots, parity_blocks) || block_bits >= 64 ||
	    *parity_blocks > (UINT64_MAX >> block_bits))
		return false;
	return true;
}

#endif /* DMBOOT_LIB_FEC_LAYOUT_H */
