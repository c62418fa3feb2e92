/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * The test port: <dmboot/port.h> over libc with fault injection.  Tests and
 * fuzzers link it instead of ports/posix/port.c.
 */
#ifndef DMBOOT_TEST_PORT_H
#define DMBOOT_TEST_PORT_H

/* Make the n-th allocation from now (1-based) and every later one fail; 0 = never. */
void test_port_fail_alloc_at(long n);
/* Allocations made since the last test_port_fail_alloc_at(). */
long test_port_alloc_count(void);
/* Allocations not yet freed. */
long test_port_live_allocs(void);
/* How often dmb_port_fatal() was called (it returns, so the I/O fails). */
int test_port_fatal_calls(void);
/* The last line passed to dmb_port_log(), or "". */
const char *test_port_last_log(void);

#endif /* DMBOOT_TEST_PORT_H */
