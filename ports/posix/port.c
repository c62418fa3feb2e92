// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/* The host implementation of <dmboot/port.h>: libc malloc, free and stderr. */
#include <stdio.h>
#include <stdlib.h>

#include <dmboot/port.h>

void *dmb_port_malloc(size_t n)
{
	return malloc(n);
}

void dmb_port_free(void *p)
{
	free(p);
}

/*
 * The host cannot restart or panic the machine for a mapped file: the command
 * stops with its own exit status instead (10 restart, 11 panic).
 */
void dmb_port_fatal(enum dmb_fatal what, const char *reason)
{
	fprintf(stderr, "dmboot: %s requested: %s\n",
		what == DMB_FATAL_PANIC ? "panic" : "restart", reason);
	exit(what == DMB_FATAL_PANIC ? 11 : 10);
}

/*
 * The CLI's contexts are DMB_CTX_QUIET_IO: a failed read's line reaches the
 * user once, as the command's error, and what comes here are the lines about
 * data returned all the same (ignore_corruption, FEC) and warnings.
 */
void dmb_port_log(enum dmb_log_level level, const char *line)
{
	static const char *const prefix[] = { "error: ", "warning: ", "", "debug: " };

	fprintf(stderr, "dmboot: %s%s\n", prefix[level & 3], line);
}
