/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * The test port: <dmboot/port.h> over libc with fault injection.  Tests and
 * fuzzers link it instead of ports/posix/port.c.
 */
#ifndef DMBOOT_TEST_PORT_H
#define DMBOOT_TEST_PORT_H

#include <stdbool.h>
#include <stddef.h>

/* Make the n-th allocation from now (1-based) and every later one fail; 0 = never. */
void test_port_fail_alloc_at(long n);
/* Allocations made since the last test_port_fail_alloc_at(). */
long test_port_alloc_count(void);
/* Allocations not yet freed. */
long test_port_live_allocs(void);
/* How often dmb_port_fatal() was called (it returns, so the I/O fails). */
int test_port_fatal_calls(void);
/*
 * Watch for secrets left in freed memory: from now on every dmb_port_free()
 * of a block that still holds bytes[0..len) somewhere (8 <= len <= 256, at
 * most 16 patterns) counts one hit.  Returns 0, or -1 if refused.
 */
int test_port_watch_pattern(const void *bytes, size_t len);
/* Forget the patterns and reset the hit count. */
void test_port_watch_clear(void);
/* Freed blocks found holding a watched pattern since the last clear. */
long test_port_watch_hits(void);
/*
 * Whether dmb_port_malloc() returns 16-byte aligned blocks
 * (DMB_TEST_MALLOC_ALIGN=16); by default they are 8- and never 16-aligned.
 */
bool test_port_align16(void);
/* The last line passed to dmb_port_log(), or "". */
const char *test_port_last_log(void);
/*
 * Every line passed to dmb_port_log() since the last clear: how many, and
 * line i with its level (the first 256 are kept; NULL past them).
 */
void test_port_log_clear(void);
size_t test_port_log_count(void);
const char *test_port_log_line(size_t i, int *level);

#endif /* DMBOOT_TEST_PORT_H */
