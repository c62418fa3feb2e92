/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * Reed-Solomon RS(255, 255 - nroots) over GF(2^8), the code of dm-verity FEC
 * (formats.md §2.3): field polynomial x^8+x^4+x^3+x^2+1 (0x11d), generator
 * roots alpha^0 .. alpha^(nroots-1) with alpha = x, systematic, the first
 * message byte the highest-degree coefficient and the parity bytes last.
 * A codec is an allocated table set (no global state); it is read-only
 * after dmbi_rs_create(), so one codec may serve any number of callers.
 */
#ifndef DMBOOT_LIB_RS_H
#define DMBOOT_LIB_RS_H

#include "../base/base.h"

#define DMBI_RS_N 255          /* symbols per codeword */
#define DMBI_RS_MIN_ROOTS 2    /* dm-verity's limits on fec_roots */
#define DMBI_RS_MAX_ROOTS 24
#define DMBI_RS_MAX_WORDS 3    /* 64-bit words of lane state for 24 roots */

struct dmbi_rs {
	unsigned nroots;                   /* parity symbols per codeword */
	unsigned k;                        /* message symbols: 255 - nroots */
	unsigned words;                    /* lane state words: ceil(nroots / 8) */
	uint8_t exp[2 * DMBI_RS_N];         /* alpha^i, i < 510, so log sums need no mod */
	uint8_t log[256];                  /* log_alpha(v) for v != 0 */
	uint8_t gen[DMBI_RS_MAX_ROOTS + 1]; /* generator g(x): gen[i] is the x^i coefficient */
	/* For each feedback symbol f, f * g(x) without its x^nroots term, laid
	 * out as lane state (below): the register update is a shift and an xor. */
	uint64_t enc[256 * DMBI_RS_MAX_WORDS];
};

/*
 * Build a codec for nroots parity symbols.
 * Errors: DMB_EINVAL (nroots outside 2..24), DMB_ENOMEM.
 */
int dmbi_rs_create(unsigned nroots, struct dmbi_rs **out);
void dmbi_rs_destroy(struct dmbi_rs *rs);

/* Parity of one codeword: data[0..k) in, parity[0..nroots) out. */
void dmbi_rs_encode(const struct dmbi_rs *rs, const uint8_t *data, uint8_t *parity);

/*
 * Correct one codeword in place: cw[0..k) message, cw[k..255) parity.
 * eras lists neras distinct positions (0..254) known or suspected to be
 * wrong.  Up to e errors and f erasures are corrected when 2e + f <= nroots;
 * beyond that the decoder either reports failure or, as any bounded-distance
 * decoder may, returns a different valid codeword, which is why dm-verity
 * checks every corrected block against its digest.  cw is left untouched on
 * failure.
 * Returns the number of symbols changed (>= 0), or DMB_EVERIFY (not
 * correctable), DMB_ERANGE (neras > nroots), DMB_EINVAL (an erasure position
 * out of range or repeated).
 */
int dmbi_rs_decode(const struct dmbi_rs *rs, uint8_t *cw, const uint8_t *eras, unsigned neras);

/*
 * Lane encoding: many codewords fed one message symbol at a time, each
 * codeword's shift register kept in rs->words 64-bit words (parity byte j in
 * bits 8*(j%8) of word j/8).  This is how the FEC encoder runs over whole
 * blocks: symbol i of codeword c comes from byte c of the i-th message block.
 *
 * State for n lanes is n * rs->words words, zeroed before the first symbol.
 * dmbi_rs_lanes_feed() takes symbol msg[c] for each lane c < n;
 * dmbi_rs_lanes_parity() writes the nroots parity bytes of each lane to
 * out[c * nroots ...] once all k symbols were fed.
 */
void dmbi_rs_lanes_feed(const struct dmbi_rs *rs, uint64_t *state, const uint8_t *msg, size_t n);
void dmbi_rs_lanes_parity(const struct dmbi_rs *rs, const uint64_t *state, size_t n, uint8_t *out);

#endif /* DMBOOT_LIB_RS_H */
