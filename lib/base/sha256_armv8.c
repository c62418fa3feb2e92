// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * SHA-256's compression function (FIPS 180-4 §6.2.2) on the ARMv8
 * cryptographic extension (SHA256H, SHA256H2, SHA256SU0, SHA256SU1), for 1
 * and 2 independent messages side by side.  The functions carry their own
 * target attribute (gcc), so the rest of lib/ builds without SIMD as many
 * arm64 bootloaders do; such a bootloader enables SIMD before hashing and
 * tells dmb_sha256_backend_best() so (DMB_SHA256_CPU_ARMV8).  On other
 * architectures the file is empty.
 */
#include "sha256.h"

#ifdef DMBI_SHA256_HAVE_ARMV8

#include <arm_neon.h>

#if defined(__clang__)
#define UNROLLED _Pragma("clang loop unroll(full)")
#else
#define UNROLLED _Pragma("GCC unroll 16")
#endif
#define EACH(l) UNROLLED for (unsigned l = 0; l < L; l++)

/* The state lives as ABCD and EFGH; each step is done for every lane in turn. */
static DMBI_ALWAYS_INLINE DMBI_SHA256_TARGET_ARMV8 void
lanes_blocks(const unsigned L, uint32_t (*h)[8], const uint8_t *const *p, size_t nblocks)
{
	uint32x4_t abcd[2], efgh[2], save0[2], save1[2], m[2][4];

	EACH(l) {
		abcd[l] = vld1q_u32(&h[l][0]);
		efgh[l] = vld1q_u32(&h[l][4]);
	}
	for (size_t b = 0; b < nblocks; b++) {
		EACH(l) {
			save0[l] = abcd[l];
			save1[l] = efgh[l];
			for (unsigned i = 0; i < 4; i++)
				m[l][i] = vreinterpretq_u32_u8(
					vrev32q_u8(vld1q_u8(p[l] + 64 * b + 16 * i)));
		}
		UNROLLED for (unsigned g = 0; g < 16; g++) {
			const uint32x4_t k = vld1q_u32(&dmbi_sha256_k[4 * g]);

			EACH(l) {
				uint32x4_t w = vaddq_u32(m[l][g & 3], k);
				uint32x4_t prev = abcd[l];

				abcd[l] = vsha256hq_u32(abcd[l], efgh[l], w);
				efgh[l] = vsha256h2q_u32(efgh[l], prev, w);
				if (g < 12)
					m[l][g & 3] = vsha256su1q_u32(
						vsha256su0q_u32(m[l][g & 3], m[l][(g + 1) & 3]),
						m[l][(g + 2) & 3], m[l][(g + 3) & 3]);
			}
		}
		EACH(l) {
			abcd[l] = vaddq_u32(abcd[l], save0[l]);
			efgh[l] = vaddq_u32(efgh[l], save1[l]);
		}
	}
	EACH(l) {
		vst1q_u32(&h[l][0], abcd[l]);
		vst1q_u32(&h[l][4], efgh[l]);
	}
}

DMBI_SHA256_TARGET_ARMV8 void dmbi_sha256_armv8_x1(uint32_t (*h)[8], const uint8_t *const *p,
						      size_t nblocks)
{
	lanes_blocks(1, h, p, nblocks);
}

DMBI_SHA256_TARGET_ARMV8 void dmbi_sha256_armv8_x2(uint32_t (*h)[8], const uint8_t *const *p,
						      size_t nblocks)
{
	lanes_blocks(2, h, p, nblocks);
}

#else
/* ISO C wants a declaration in every translation unit. */
typedef int dmbi_sha256_armv8_absent;
#endif
