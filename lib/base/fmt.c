// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * A small vsnprintf so that lib/ can build error messages and table text
 * without libc.  It covers exactly the conversions lib/ uses (see fmt.h);
 * anything else is printed as-is, so a bad format string cannot read
 * arguments it was not given.
 */
#include "fmt.h"

#include "div64.h"
#include "str.h"

struct out {
	char *buf;
	size_t cap;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->cap)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, size_t n)
{
	while (n--)
		put(o, c);
}

static void put_field(struct out *o, const char *s, size_t n, size_t width, bool left, char padc)
{
	size_t fill = width > n ? width - n : 0;

	if (!left)
		pad(o, padc, fill);
	for (size_t i = 0; i < n; i++)
		put(o, s[i]);
	if (left)
		pad(o, ' ', fill);
}

static void put_number(struct out *o, uint64_t v, bool neg, unsigned base, bool upper,
		       size_t width, bool left, bool zero, bool hex_prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	size_t n = 0;

	do {
		uint32_t digit;

		v = dmbi_udiv64(v, base, &digit);
		tmp[sizeof(tmp) - 1 - n++] = digits[digit];
	} while (v);
	if (hex_prefix) {
		tmp[sizeof(tmp) - 1 - n++] = 'x';
		tmp[sizeof(tmp) - 1 - n++] = '0';
	}
	if (neg) {
		if (zero && !left) {
			put(o, '-');
			width = width ? width - 1 : 0;
		} else {
			tmp[sizeof(tmp) - 1 - n++] = '-';
		}
	}
	put_field(o, tmp + sizeof(tmp) - n, n, width, left, zero && !left ? '0' : ' ');
}

/* A conversion's flags, width, precision and length modifier. */
struct spec {
	bool left, zero;
	size_t width, prec;
	int lng; /* -2 hh, -1 h, 0 none, 1 l, 2 ll, 3 z */
};

/* Parse the part of a conversion between '%' and its letter; returns the letter's position. */
static const char *parse_spec(const char *fmt, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){ .prec = SIZE_MAX };
	for (;; fmt++) {
		if (*fmt == '-')
			sp->left = true;
		else if (*fmt == '0')
			sp->zero = true;
		else
			break;
	}
	if (*fmt == '*') {
		int w = va_arg(*ap, int);

		if (w < 0) {
			sp->left = true;
			w = -w;
		}
		sp->width = (size_t)w;
		fmt++;
	} else {
		while (*fmt >= '0' && *fmt <= '9')
			sp->width = sp->width * 10 + (size_t)(*fmt++ - '0');
	}
	if (*fmt == '.') {
		fmt++;
		sp->prec = 0;
		if (*fmt == '*') {
			int p = va_arg(*ap, int);

			sp->prec = p < 0 ? SIZE_MAX : (size_t)p;
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				sp->prec = sp->prec * 10 + (size_t)(*fmt++ - '0');
		}
	}
	if (*fmt == 'h') {
		sp->lng = -1;
		if (*++fmt == 'h') {
			sp->lng = -2;
			fmt++;
		}
	} else if (*fmt == 'l') {
		sp->lng = 1;
		if (*++fmt == 'l') {
			sp->lng = 2;
			fmt++;
		}
	} else if (*fmt == 'z') {
		sp->lng = 3;
		fmt++;
	}
	return fmt;
}

static int64_t signed_arg(va_list *ap, int lng)
{
	int64_t v;

	if (lng == 2)
		v = va_arg(*ap, long long);
	else if (lng == 1)
		v = va_arg(*ap, long);
	else if (lng == 3)
		v = (int64_t)va_arg(*ap, size_t);
	else
		v = va_arg(*ap, int);
	if (lng == -1)
		v = (short)v;
	else if (lng == -2)
		v = (signed char)v;
	return v;
}

static uint64_t unsigned_arg(va_list *ap, int lng, char conv)
{
	uint64_t v;

	if (conv == 'p')
		return (uint64_t)(uintptr_t)va_arg(*ap, void *);
	if (lng == 2)
		v = va_arg(*ap, unsigned long long);
	else if (lng == 1)
		v = va_arg(*ap, unsigned long);
	else if (lng == 3)
		v = va_arg(*ap, size_t);
	else
		v = va_arg(*ap, unsigned int);
	if (lng == -1)
		v = (unsigned short)v;
	else if (lng == -2)
		v = (unsigned char)v;
	return v;
}

/* Print one conversion; false if conv is not one this printf knows. */
static bool convert(struct out *o, char conv, const struct spec *sp, va_list *ap)
{
	switch (conv) {
	case '%':
		put(o, '%');
		return true;
	case 'c': {
		char c = (char)va_arg(*ap, int);

		put_field(o, &c, 1, sp->width, sp->left, ' ');
		return true;
	}
	case 's': {
		const char *s = va_arg(*ap, const char *);

		if (!s)
			s = "(null)";
		put_field(o, s, dmbi_strnlen(s, sp->prec), sp->width, sp->left, ' ');
		return true;
	}
	case 'd':
	case 'i': {
		int64_t v = signed_arg(ap, sp->lng);

		put_number(o, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0, 10, false, sp->width,
			   sp->left, sp->zero, false);
		return true;
	}
	case 'u':
	case 'x':
	case 'X':
	case 'p':
		put_number(o, unsigned_arg(ap, sp->lng, conv), false, conv == 'u' ? 10 : 16,
			   conv == 'X', sp->width, sp->left, sp->zero && conv != 'p', conv == 'p');
		return true;
	default:
		return false;
	}
}

size_t dmbi_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap)
{
	struct out o = { buf, cap, 0 };
	va_list aq;

	va_copy(aq, ap);
	while (*fmt) {
		const char *start = fmt;
		struct spec sp;

		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp, &aq);
		if (!convert(&o, *fmt, &sp, &aq)) {
			/* Unknown conversion: print it verbatim, consume nothing. */
			while (start <= fmt && *start)
				put(&o, *start++);
			if (!*fmt)
				continue;
		}
		fmt++;
	}
	va_end(aq);
	if (cap)
		buf[o.len < cap ? o.len : cap - 1] = '\0';
	return o.len;
}

size_t dmbi_snprintf(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = dmbi_vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
	return n;
}

void dmbi_strbuf_init(struct dmbi_strbuf *sb, char *buf, size_t cap)
{
	sb->buf = buf;
	sb->cap = cap;
	sb->len = 0;
	if (cap)
		buf[0] = '\0';
}

void dmbi_strbuf_vprintf(struct dmbi_strbuf *sb, const char *fmt, va_list ap)
{
	size_t room = sb->len < sb->cap ? sb->cap - sb->len : 0;

	sb->len += dmbi_vsnprintf(room ? sb->buf + sb->len : NULL, room, fmt, ap);
}

void dmbi_strbuf_printf(struct dmbi_strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dmbi_strbuf_vprintf(sb, fmt, ap);
	va_end(ap);
}

void dmbi_strbuf_putc(struct dmbi_strbuf *sb, char c)
{
	if (sb->len + 1 < sb->cap) {
		sb->buf[sb->len] = c;
		sb->buf[sb->len + 1] = '\0';
	}
	sb->len++;
}

void dmbi_strbuf_puts(struct dmbi_strbuf *sb, const char *s)
{
	while (*s)
		dmbi_strbuf_putc(sb, *s++);
}

void dmbi_strbuf_put_arg(struct dmbi_strbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (dmbi_isspace(*s) || *s == '\\' || *s == '#')
			dmbi_strbuf_putc(sb, '\\');
		dmbi_strbuf_putc(sb, *s);
	}
}
