// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The test port (test_port.h): libc malloc and free with a counter that can
 * make the n-th allocation fail, so tests can prove every allocation failure
 * is handled and nothing leaks; log lines are kept for assertions.  Each
 * block carries its size in a header in front of it, so that a free can
 * scan what the block still holds for watched byte patterns (a key that
 * should have been wiped before the block was given back).
 *
 * Blocks are aligned to 8 bytes and never to 16, the least port.h allows
 * (a bootloader's allocator may give no more), unless DMB_TEST_MALLOC_ALIGN
 * is set to 16 in the environment: libc's block is over-allocated by 8 and
 * the header records how far in the block starts, so free() gets libc's own
 * pointer back (ASan and valgrind see ordinary malloc/free pairs).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#endif
#endif
#ifndef VALGRIND_MAKE_MEM_DEFINED
#define VALGRIND_MAKE_MEM_DEFINED(p, n) ((void)(p), (void)(n))
#endif

#include <dmboot/port.h>

#include "test_port.h"

#define WATCH_MAX 16
#define WATCH_LEN 256

/* Right in front of every block: its size and its offset in libc's block. */
struct blk {
	size_t n;
	size_t off;
};

/* Room for the header and for the 8 bytes that break 16-byte alignment. */
#define BLK_ROOM (sizeof(struct blk) + 8)

static int align16 = -1;

bool test_port_align16(void)
{
	if (align16 < 0) {
		const char *e = getenv("DMB_TEST_MALLOC_ALIGN");

		align16 = e && strcmp(e, "16") == 0;
	}
	return align16;
}

static long fail_at, count, live;
static char last_log[512];
static uint8_t watch[WATCH_MAX][WATCH_LEN];
static size_t watch_len[WATCH_MAX], nwatch;
static long watch_hits;

void test_port_fail_alloc_at(long n)
{
	fail_at = n;
	count = 0;
}

long test_port_alloc_count(void)
{
	return count;
}

long test_port_live_allocs(void)
{
	return live;
}

const char *test_port_last_log(void)
{
	return last_log;
}

int test_port_watch_pattern(const void *bytes, size_t len)
{
	if (nwatch == WATCH_MAX || len < 8 || len > WATCH_LEN)
		return -1;
	memcpy(watch[nwatch], bytes, len);
	watch_len[nwatch++] = len;
	return 0;
}

void test_port_watch_clear(void)
{
	memset(watch, 0, sizeof(watch));
	nwatch = 0;
	watch_hits = 0;
}

long test_port_watch_hits(void)
{
	return watch_hits;
}

static int holds(const uint8_t *p, size_t n, const uint8_t *pat, size_t len)
{
	for (size_t i = 0; i + len <= n; i++)
		if (p[i] == pat[0] && memcmp(p + i, pat, len) == 0)
			return 1;
	return 0;
}

void *dmb_port_malloc(size_t n)
{
	uint8_t *raw, *p;
	struct blk *b;

	count++;
	if (fail_at && count >= fail_at)
		return NULL;
	if (n > SIZE_MAX - BLK_ROOM)
		return NULL;
	raw = malloc(BLK_ROOM + n);
	if (!raw)
		return NULL;
	/* libc's block is at least 8-aligned: so is p, and p is 16-aligned only by choice. */
	p = raw + sizeof(*b);
	if (((uintptr_t)p & 15) == 0 ? !test_port_align16() : test_port_align16())
		p += 8;
	b = (struct blk *)p - 1;
	b->n = n;
	b->off = (size_t)(p - raw);
	live++;
	return p;
}

void dmb_port_free(void *p)
{
	struct blk *b;

	if (!p)
		return;
	b = (struct blk *)p - 1;
	/* Bytes never written hold no secret of ours; valgrind must not
	 * count the scan as a use of them.  The block is freed next. */
	if (nwatch)
		VALGRIND_MAKE_MEM_DEFINED(p, b->n);
	for (size_t i = 0; i < nwatch; i++)
		if (holds(p, b->n, watch[i], watch_len[i])) {
			watch_hits++;
			if (getenv("DMB_TEST_VERBOSE"))
				fprintf(stderr, "freed block of %zu bytes holds watched pattern %zu\n",
					b->n, i);
		}
	live--;
	free((uint8_t *)p - b->off);
}

static int fatal_calls;

int test_port_fatal_calls(void)
{
	return fatal_calls;
}

void dmb_port_fatal(enum dmb_fatal what, const char *reason)
{
	fatal_calls++;
	snprintf(last_log, sizeof(last_log), "fatal %d: %s", (int)what, reason);
}

#define LOG_KEEP 256

static char log_lines[LOG_KEEP][256];
static int log_levels[LOG_KEEP];
static size_t nlog;

void test_port_log_clear(void)
{
	nlog = 0;
	last_log[0] = '\0';
}

size_t test_port_log_count(void)
{
	return nlog;
}

const char *test_port_log_line(size_t i, int *level)
{
	if (i >= nlog || i >= LOG_KEEP)
		return NULL;
	if (level)
		*level = log_levels[i];
	return log_lines[i];
}

void dmb_port_log(enum dmb_log_level level, const char *line)
{
	if (nlog < LOG_KEEP) {
		snprintf(log_lines[nlog], sizeof(log_lines[nlog]), "%s", line);
		log_levels[nlog] = (int)level;
	}
	nlog++;
	snprintf(last_log, sizeof(last_log), "%s", line);
	if (getenv("DMB_TEST_VERBOSE"))
		fprintf(stderr, "log[%d]: %s\n", (int)level, line);
}
