// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The smallest port there is: <dmboot/port.h> with no libc at all.  Memory
 * comes from a fixed arena with a bump allocator (free is a no-op), log lines
 * are dropped, and the four memory functions are byte loops.  It exists to
 * prove that lib/ embeds; `make check` links lib/ against it with -nostdlib
 * and runs the result (ports/freestanding/demo.c).
 */
#include "freestanding.h"

#define ARENA_BYTES DMB_FREESTANDING_ARENA_BYTES

static _Alignas(16) unsigned char arena[ARENA_BYTES];
static size_t arena_used;

size_t dmb_freestanding_arena_used(void)
{
	return arena_used;
}

void *dmb_port_malloc(size_t n)
{
	size_t need = (n + 15u) & ~(size_t)15u;
	void *p;

	if (need < n || need > ARENA_BYTES - arena_used)
		return NULL;
	p = arena + arena_used;
	arena_used += need;
	return p;
}

void dmb_port_free(void *p)
{
	(void)p;
}

void dmb_port_log(enum dmb_log_level level, const char *line)
{
	(void)level;
	(void)line;
}

void dmb_port_fatal(enum dmb_fatal what, const char *reason)
{
	(void)what;
	(void)reason;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d < s) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n--; x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}
