/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/* Strings and memory without libc, and two small array macros. */
#ifndef DMBOOT_LIB_BASE_STR_H
#define DMBOOT_LIB_BASE_STR_H

#include <dmboot/dmboot.h>

size_t dmbi_strlen(const char *s);
size_t dmbi_strnlen(const char *s, size_t max);
int dmbi_strcmp(const char *a, const char *b);
/* ASCII case-insensitive compare, as Linux's strcasecmp() on target options. */
int dmbi_strcasecmp(const char *a, const char *b);
char *dmbi_strchr(const char *s, int c);
/* Copy at most len bytes of s into a new NUL-terminated string; NULL on ENOMEM. */
char *dmbi_strndup(const char *s, size_t len);
char *dmbi_strdup(const char *s);

/* Whether s starts with prefix. */
static inline bool dmbi_str_prefix(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return false;
	return true;
}

/* The value of a hex digit (either case), or -1. */
static inline int dmbi_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static inline bool dmbi_isspace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Zeroed allocation of n * size bytes, with the multiplication checked. */
void *dmbi_calloc(size_t n, size_t size);

/* Overwrite memory so the compiler cannot elide it (for secrets). */
void dmbi_wipe(void *p, size_t n);

#define DMBI_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define DMBI_MIN(a, b) ((a) < (b) ? (a) : (b))

#endif /* DMBOOT_LIB_BASE_STR_H */
