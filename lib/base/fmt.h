/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/* Formatting without libc: vsnprintf and a bounded string builder. */
#ifndef DMBOOT_LIB_BASE_FMT_H
#define DMBOOT_LIB_BASE_FMT_H

#include <dmboot/dmboot.h>

/*
 * vsnprintf for lib/: %% %c %s %d %i %u %x %X %p with the flags '-' and '0',
 * a width, a precision (strings only; '*' allowed for both) and the length
 * modifiers hh h l ll z.  Returns the full length like vsnprintf.
 */
size_t dmbi_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap) DMB_PRINTF(3, 0);
size_t dmbi_snprintf(char *buf, size_t cap, const char *fmt, ...) DMB_PRINTF(3, 4);

/* A bounded string builder: appends past cap are counted, not written. */
struct dmbi_strbuf {
	char *buf;
	size_t cap;
	size_t len; /* length the text would have without the cap */
};
void dmbi_strbuf_init(struct dmbi_strbuf *sb, char *buf, size_t cap);
void dmbi_strbuf_printf(struct dmbi_strbuf *sb, const char *fmt, ...) DMB_PRINTF(2, 3);
void dmbi_strbuf_vprintf(struct dmbi_strbuf *sb, const char *fmt, va_list ap) DMB_PRINTF(2, 0);
void dmbi_strbuf_putc(struct dmbi_strbuf *sb, char c);
void dmbi_strbuf_puts(struct dmbi_strbuf *sb, const char *s);
/* Append a table argument, backslash-escaping white space, '\' and '#'. */
void dmbi_strbuf_put_arg(struct dmbi_strbuf *sb, const char *s);

#endif /* DMBOOT_LIB_BASE_FMT_H */
