// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The test port (test_port.h): libc malloc and free with a counter that can
 * make the n-th allocation fail, so tests can prove every allocation failure
 * is handled and nothing leaks; log lines are kept for assertions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmboot/port.h>

#include "test_port.h"

static long fail_at, count, live;
static char last_log[512];

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

void *dmb_port_malloc(size_t n)
{
	void *p;

	count++;
	if (fail_at && count >= fail_at)
		return NULL;
	p = malloc(n);
	if (p)
		live++;
	return p;
}

void dmb_port_free(void *p)
{
	if (p)
		live--;
	free(p);
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

void dmb_port_log(enum dmb_log_level level, const char *line)
{
	snprintf(last_log, sizeof(last_log), "%s", line);
	if (getenv("DMB_TEST_VERBOSE"))
		fprintf(stderr, "log[%d]: %s\n", (int)level, line);
}
