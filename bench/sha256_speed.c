// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * sha256_speed: the library's SHA-256 per backend and lane count against
 * OpenSSL's EVP SHA-256 one message at a time, on dm-verity's work: 4 KiB
 * blocks each hashed after a 32-byte salt (version 1), the salt's state
 * computed once.  Built by bench/bench_sha256.py with each compiler; prints
 * one line per method: "NAME LANES GB/s TSC-cycles/byte".  Every method's
 * digests are first checked against OpenSSL's; the figures are the best of
 * a few rounds over the same 64 MiB.
 *
 *   sha256_speed [MIB] [ROUNDS]
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include <dmboot/dmboot.h>

#if defined(__linux__) && defined(__aarch64__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

#if defined(__x86_64__)
#include <x86intrin.h>
#define HAVE_TSC 1
#endif

#define BLOCK 4096
#define SALT 32
#define GROUP 32 /* blocks per dmb_sha256_many() call: a 128 KiB read */

/* As the host port's dmb_posix_sha256_cpu(), without linking the provider. */
static unsigned cpu_flags(void)
{
#if defined(__linux__) && defined(__aarch64__) && defined(HWCAP_SHA2)
	return (getauxval(AT_HWCAP) & HWCAP_SHA2) ? DMB_SHA256_CPU_ARMV8 : 0;
#else
	return 0;
#endif
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t ticks(void)
{
#ifdef HAVE_TSC
	return __rdtsc();
#else
	return 0;
#endif
}

struct run {
	const uint8_t *data;
	size_t blocks;
	const uint8_t *salt;
	uint8_t *out;
};

static void run_lib(const struct run *r, const struct dmb_sha256_backend *b)
{
	struct dmb_sha256 prefix;
	const void *msgs[GROUP];

	dmb_sha256_init(&prefix, b);
	dmb_sha256_update(&prefix, r->salt, SALT);
	for (size_t i = 0; i < r->blocks; i += GROUP) {
		size_t n = r->blocks - i < GROUP ? r->blocks - i : GROUP;

		for (size_t j = 0; j < n; j++)
			msgs[j] = r->data + (i + j) * BLOCK;
		dmb_sha256_many(&prefix, msgs, n, BLOCK, NULL, 0, r->out + i * 32);
	}
}

static void run_evp(const struct run *r)
{
	EVP_MD_CTX *salted = EVP_MD_CTX_new(), *ctx = EVP_MD_CTX_new();
	EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);

	EVP_DigestInit_ex(salted, md, NULL);
	EVP_DigestUpdate(salted, r->salt, SALT);
	for (size_t i = 0; i < r->blocks; i++) {
		EVP_MD_CTX_copy_ex(ctx, salted);
		EVP_DigestUpdate(ctx, r->data + i * BLOCK, BLOCK);
		EVP_DigestFinal_ex(ctx, r->out + i * 32, NULL);
	}
	EVP_MD_CTX_free(ctx);
	EVP_MD_CTX_free(salted);
	EVP_MD_free(md);
}

/* b NULL: OpenSSL.  Returns 0, or 1 if a digest differs from ref. */
static int measure(const char *name, const struct run *r, const struct dmb_sha256_backend *b,
		   const uint8_t *ref, int rounds)
{
	double best = 1e30;
	uint64_t best_ticks = 0;

	for (int k = 0; k <= rounds; k++) {
		double t0 = now();
		uint64_t c0 = ticks();

		if (b)
			run_lib(r, b);
		else
			run_evp(r);
		uint64_t c1 = ticks();
		double t = now() - t0;

		if (k == 0) {
			if (ref && memcmp(r->out, ref, r->blocks * 32) != 0) {
				fprintf(stderr, "sha256_speed: %s x%u: digests differ from OpenSSL\n",
					name, b ? b->lanes : 1);
				return 1;
			}
			continue; /* the first round warms up and checks */
		}
		if (t < best) {
			best = t;
			best_ticks = c1 - c0;
		}
	}
	printf("%s %u %.3f %.3f\n", name, b ? b->lanes : 1,
	       (double)r->blocks * BLOCK / best / 1e9,
	       best_ticks ? (double)best_ticks / ((double)r->blocks * (BLOCK + SALT)) : 0.0);
	return 0;
}

int main(int argc, char **argv)
{
	static const enum dmb_sha256_kind kinds[] = { DMB_SHA256_PORTABLE, DMB_SHA256_SHANI,
						      DMB_SHA256_ARMV8 };
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 64;
	int rounds = argc > 2 ? atoi(argv[2]) : 5, rc = 0;
	struct run r;
	uint8_t salt[SALT], *data, *ref;
	unsigned cpu = cpu_flags();

	r.blocks = mib * (1 << 20) / BLOCK;
	data = malloc(r.blocks * BLOCK);
	ref = malloc(r.blocks * 32);
	r.out = malloc(r.blocks * 32);
	if (!data || !ref || !r.out || !r.blocks)
		return 2;
	srand(1);
	for (size_t i = 0; i < r.blocks * BLOCK; i++)
		data[i] = (uint8_t)rand();
	for (int i = 0; i < SALT; i++)
		salt[i] = (uint8_t)(i * 37 + 1);
	r.data = data;
	r.salt = salt;
	run_evp(&r);
	memcpy(ref, r.out, r.blocks * 32);
	rc |= measure("openssl-evp", &r, NULL, NULL, rounds);
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		for (unsigned lanes = 1; lanes <= DMB_SHA256_MAX_LANES; lanes *= 2) {
			struct dmb_sha256_backend b;

			if (dmb_sha256_backend_pick(&b, kinds[k], lanes, cpu) || b.lanes != lanes)
				continue;
			/* The portable backend is slow: fewer rounds. */
			rc |= measure(dmb_sha256_backend_name(&b), &r, &b, ref,
				      kinds[k] == DMB_SHA256_PORTABLE ? rounds / 10 + 1 : rounds);
		}
	free(data);
	free(ref);
	free(r.out);
	return rc;
}
