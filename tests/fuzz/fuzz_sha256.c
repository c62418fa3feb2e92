// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * libFuzzer target for the library's SHA-256 (lib/base/sha256*.c).  The
 * first bytes choose a prefix length, a message length (up to 4200 bytes
 * when byte 3 is 0xff, else under 200), a suffix length, a message count
 * and a lane limit; the rest is the data the prefix, messages
 * and suffix are cut from (cycled, each message at its own alignment).
 * Every backend this machine runs, at that lane limit, must give through
 * dmb_sha256_many() what the portable backend gives one message at a time
 * through init/update/final, with the updates split where the input says.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmboot/dmboot.h>

#include "../../ports/posix/dmboot_posix.h"

#define MAX_MSGS 9
#define MAX_LEN 4200
#define MAX_PREFIX 130
#define MAX_SUFFIX 100
#define STRIDE (MAX_LEN + 16)

static uint8_t pool[MAX_MSGS * STRIDE], prefix_bytes[MAX_PREFIX], suffix_bytes[MAX_SUFFIX];

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_sha256: %s\n", what);
		abort();
	}
}

static void cycle_fill(uint8_t *dst, size_t n, const uint8_t *src, size_t len, size_t skew)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = len ? (uint8_t)(src[(i + skew) % len] + i / len) : (uint8_t)i;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum dmb_sha256_kind kinds[] = { DMB_SHA256_PORTABLE, DMB_SHA256_SHANI,
						      DMB_SHA256_ARMV8 };
	const void *msgs[MAX_MSGS];
	uint8_t want[MAX_MSGS][32], got[MAX_MSGS * 32];
	size_t plen, len, slen, n, cut;
	unsigned lanes;

	if (size < 8)
		return 0;
	plen = (data[0] | (size_t)data[1] << 8) % (MAX_PREFIX + 1);
	/* Long messages only now and then, and fewer of them: the smoke run stays short. */
	len = data[3] == 0xff ? (data[2] | (size_t)data[4] << 8) % (MAX_LEN + 1) : data[2] % 200;
	slen = data[4] % (MAX_SUFFIX + 1);
	n = 1 + data[5] % (len > 256 ? 3 : MAX_MSGS);
	lanes = 1u << (data[6] % 3);
	cut = data[7];
	data += 8;
	size -= 8;
	cycle_fill(prefix_bytes, plen, data, size, 0);
	cycle_fill(suffix_bytes, slen, data, size, 7);
	for (size_t i = 0; i < n; i++) {
		struct dmb_sha256 s;
		uint8_t *m = pool + i * STRIDE + (cut + i) % 16;
		size_t c = len ? (cut * 17 + i) % (len + 1) : 0;

		cycle_fill(m, len, data, size, 31 * i + 1);
		msgs[i] = m;
		dmb_sha256_init(&s, NULL);
		dmb_sha256_update(&s, prefix_bytes, plen);
		dmb_sha256_update(&s, m, c);
		dmb_sha256_update(&s, m + c, len - c);
		dmb_sha256_update(&s, suffix_bytes, slen);
		dmb_sha256_final(&s, want[i]);
	}
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct dmb_sha256_backend b;
		struct dmb_sha256 prefix;

		if (dmb_sha256_backend_pick(&b, kinds[k], lanes, dmb_posix_sha256_cpu()))
			continue;
		dmb_sha256_init(&prefix, &b);
		dmb_sha256_update(&prefix, prefix_bytes, plen);
		dmb_sha256_many(&prefix, msgs, n, len, suffix_bytes, slen, got);
		for (size_t i = 0; i < n; i++)
			check(memcmp(got + 32 * i, want[i], 32) == 0,
			      "dmb_sha256_many() differs from the portable stream");
	}
	return 0;
}
