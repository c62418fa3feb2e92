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

void dmb_port_log(enum dmb_log_level level, const char *line)
{
	static const char *const prefix[] = { "error: ", "warning: ", "", "debug: " };

	fprintf(stderr, "dmboot: %s%s\n", prefix[level & 3], line);
}
