// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * SHA-256's compression function (FIPS 180-4 §6.2.2) on the x86-64 SHA
 * extensions, for 1, 2 and 4 independent messages side by side: one
 * SHA256RNDS2 has a longer latency than its issue interval, so a single
 * message leaves the unit idle half the time.  Only SSE registers and
 * legacy (non-VEX) encodings are used, as firmware may not have enabled AVX
 * state; the functions carry their own target attribute, so the file needs
 * no special flags, and the compiler saves whatever xmm registers the
 * calling convention (System V or Microsoft x64) asks for.  CPUID is read
 * through the compiler's <cpuid.h>, which needs no runtime library.
 */
#include "sha256.h"

#ifdef DMBI_SHA256_HAVE_SHANI

/*
 * gcc's <xmmintrin.h> pulls in <mm_malloc.h>, hence <stdlib.h>, even when
 * freestanding; its include guard, set first, keeps lib/ libc-free.  Clang
 * includes it only in hosted builds.
 */
#if !defined(__clang__) && !defined(_MM_MALLOC_H_INCLUDED)
#define _MM_MALLOC_H_INCLUDED 1
#endif
#include <cpuid.h>
#include <immintrin.h>

bool dmbi_sha256_shani_usable(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSE4_1))
		return false;
	if (__get_cpuid_max(0, NULL) < 7)
		return false;
	__cpuid_count(7, 0, a, b, c, d);
	return (b & bit_SHA) != 0;
}

/*
 * The state lives as ABEF and CDGH (the order SHA256RNDS2 takes); every
 * step below is done for each lane before the next, so that the lanes'
 * dependency chains interleave in program order.  Both loops must unroll
 * completely (the arrays then live in registers): clang does so for 2
 * lanes only when told in its own words.
 */
#if defined(__clang__)
#define UNROLLED _Pragma("clang loop unroll(full)")
#else
#define UNROLLED _Pragma("GCC unroll 16")
#endif
#define EACH(l) UNROLLED for (unsigned l = 0; l < L; l++)

static DMBI_ALWAYS_INLINE DMBI_SHA256_TARGET_SHANI void
lanes_blocks(const unsigned L, uint32_t (*h)[8], const uint8_t *const *p, size_t nblocks)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i st0[4], st1[4], save0[4], save1[4], m[4][4];

	EACH(l) {
		__m128i dcba = _mm_loadu_si128((const __m128i *)&h[l][0]);
		__m128i hgfe = _mm_loadu_si128((const __m128i *)&h[l][4]);
		__m128i cdab = _mm_shuffle_epi32(dcba, 0xb1);
		__m128i efgh = _mm_shuffle_epi32(hgfe, 0x1b);

		st0[l] = _mm_alignr_epi8(cdab, efgh, 8);
		st1[l] = _mm_blend_epi16(efgh, cdab, 0xf0);
	}
	for (size_t b = 0; b < nblocks; b++) {
		EACH(l) {
			save0[l] = st0[l];
			save1[l] = st1[l];
		}
		UNROLLED for (unsigned g = 0; g < 16; g++) {
			const __m128i k = _mm_loadu_si128((const __m128i *)&dmbi_sha256_k[4 * g]);

			if (g < 4) {
				EACH(l) m[l][g] = _mm_shuffle_epi8(
					_mm_loadu_si128((const __m128i *)(p[l] + 64 * b + 16 * g)), bswap);
			} else {
				EACH(l) {
					__m128i t = _mm_sha256msg1_epu32(m[l][g & 3], m[l][(g + 1) & 3]);

					t = _mm_add_epi32(t, _mm_alignr_epi8(m[l][(g + 3) & 3],
									 m[l][(g + 2) & 3], 4));
					m[l][g & 3] = _mm_sha256msg2_epu32(t, m[l][(g + 3) & 3]);
				}
			}
			EACH(l) {
				__m128i w = _mm_add_epi32(m[l][g & 3], k);

				st1[l] = _mm_sha256rnds2_epu32(st1[l], st0[l], w);
				st0[l] = _mm_sha256rnds2_epu32(st0[l], st1[l], _mm_shuffle_epi32(w, 0x0e));
			}
		}
		EACH(l) {
			st0[l] = _mm_add_epi32(st0[l], save0[l]);
			st1[l] = _mm_add_epi32(st1[l], save1[l]);
		}
	}
	EACH(l) {
		__m128i feba = _mm_shuffle_epi32(st0[l], 0x1b);
		__m128i dchg = _mm_shuffle_epi32(st1[l], 0xb1);

		_mm_storeu_si128((__m128i *)&h[l][0], _mm_blend_epi16(feba, dchg, 0xf0));
		_mm_storeu_si128((__m128i *)&h[l][4], _mm_alignr_epi8(dchg, feba, 8));
	}
}

DMBI_SHA256_TARGET_SHANI void dmbi_sha256_shani_x1(uint32_t (*h)[8], const uint8_t *const *p,
						      size_t nblocks)
{
	lanes_blocks(1, h, p, nblocks);
}

DMBI_SHA256_TARGET_SHANI void dmbi_sha256_shani_x2(uint32_t (*h)[8], const uint8_t *const *p,
						      size_t nblocks)
{
	lanes_blocks(2, h, p, nblocks);
}

DMBI_SHA256_TARGET_SHANI void dmbi_sha256_shani_x4(uint32_t (*h)[8], const uint8_t *const *p,
						      size_t nblocks)
{
	lanes_blocks(4, h, p, nblocks);
}

#else
/* ISO C wants a declaration in every translation unit. */
typedef int dmbi_sha256_shani_absent;
#endif
