// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The few string and memory functions lib/ needs without libc (str.h):
 * length, comparison, duplication, a checked zeroed allocation and a wipe
 * the compiler cannot elide.
 */
#include "str.h"

size_t dmbi_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t dmbi_strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int dmbi_strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

int dmbi_strcasecmp(const char *a, const char *b)
{
	while (*a && lower(*a) == lower(*b)) {
		a++;
		b++;
	}
	return (unsigned char)lower(*a) - (unsigned char)lower(*b);
}

char *dmbi_strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *dmbi_strndup(const char *s, size_t len)
{
	char *p = dmb_port_malloc(len + 1);

	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *dmbi_strdup(const char *s)
{
	return dmbi_strndup(s, dmbi_strlen(s));
}

void *dmbi_calloc(size_t n, size_t size)
{
	void *p;

	if (n == 0 || size == 0 || n > SIZE_MAX / size)
		return NULL;
	p = dmb_port_malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void dmbi_wipe(void *p, size_t n)
{
	volatile uint8_t *v = p;

	while (n--)
		*v++ = 0;
}
