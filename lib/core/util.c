// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Error recording, logging, strict number parsing and string helpers for
 * lib/ (util.h).  Number parsing is stricter than the kernel's sscanf("%llu"):
 * no sign, no white space, no trailing bytes, and overflow is an error rather
 * than a wrap, so a table cannot mean something other than what it says.
 */
#include "util.h"

static const struct {
	int err;
	const char *text;
} error_text[] = {
	{ DMB_OK, "success" },
	{ DMB_ENOENT, "not found" },
	{ DMB_EIO, "I/O error" },
	{ DMB_ENOMEM, "out of memory" },
	{ DMB_EACCES, "access refused" },
	{ DMB_EBUSY, "device in use" },
	{ DMB_EEXIST, "already exists" },
	{ DMB_EINVAL, "invalid argument" },
	{ DMB_ERANGE, "out of range" },
	{ DMB_EVERIFY, "verification failed" },
	{ DMB_ENOTSUP, "not supported" },
	{ DMB_ECORRUPT, "corrupt metadata" },
	{ DMB_ENOKEY, "required key not available" },
};

const char *dmb_strerror(int err)
{
	for (size_t i = 0; i < DMB_ARRAY_SIZE(error_text); i++)
		if (error_text[i].err == err)
			return error_text[i].text;
	return "unknown error";
}

const char *dmb_ctx_message(const struct dmb_ctx *ctx)
{
	return ctx->msg;
}

void dmb_ctx_clear(struct dmb_ctx *ctx)
{
	ctx->err = 0;
	ctx->msg[0] = '\0';
}

int dmb_seterr(struct dmb_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;

	if (!ctx)
		return err;
	ctx->err = err;
	va_start(ap, fmt);
	dmb_vsnprintf(ctx->msg, sizeof(ctx->msg), fmt, ap);
	va_end(ap);
	return err;
}

void dmb_log(const struct dmb_ctx *ctx, enum dmb_log_level level, const char *fmt, ...)
{
	char line[DMB_MSG_MAX];
	va_list ap;

	if (level != DMB_LOG_ERR && (!ctx || (int)level > ctx->log_level))
		return;
	va_start(ap, fmt);
	dmb_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	dmb_port_log(level, line);
}

int dmb_parse_u64_len(const char *s, size_t len, unsigned base, uint64_t *out)
{
	const char *end = s + len;
	uint64_t v = 0;

	if (base == 0) {
		base = 10;
		if (len > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
			base = 16;
			s += 2;
		} else if (len > 1 && s[0] == '0') {
			base = 8;
			s++;
		}
	}
	if (s == end)
		return DMB_EINVAL;
	for (; s < end; s++) {
		int d = dmb_hex_digit(*s);

		if (d < 0 || d >= (int)base)
			return DMB_EINVAL;
		if (!dmb_mul_u64(v, base, &v) || !dmb_add_u64(v, (uint64_t)d, &v))
			return DMB_ERANGE;
	}
	*out = v;
	return 0;
}

int dmb_parse_u64(const char *s, unsigned base, uint64_t *out)
{
	return dmb_parse_u64_len(s, dmb_strlen(s), base, out);
}

int dmb_parse_u32(const char *s, unsigned base, uint32_t *out)
{
	uint64_t v;
	int r = dmb_parse_u64(s, base, &v);

	if (r)
		return r;
	if (v > UINT32_MAX)
		return DMB_ERANGE;
	*out = (uint32_t)v;
	return 0;
}

size_t dmb_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t dmb_strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int dmb_strcmp(const char *a, const char *b)
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

int dmb_strcasecmp(const char *a, const char *b)
{
	while (*a && lower(*a) == lower(*b)) {
		a++;
		b++;
	}
	return (unsigned char)lower(*a) - (unsigned char)lower(*b);
}

char *dmb_strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *dmb_strndup(const char *s, size_t len)
{
	char *p = dmb_port_malloc(len + 1);

	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *dmb_strdup(const char *s)
{
	return dmb_strndup(s, dmb_strlen(s));
}

void *dmb_calloc(size_t n, size_t size)
{
	void *p;

	if (n == 0 || size == 0 || n > SIZE_MAX / size)
		return NULL;
	p = dmb_port_malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void dmb_wipe(void *p, size_t n)
{
	volatile uint8_t *v = p;

	while (n--)
		*v++ = 0;
}

static void swap_bytes(uint8_t *a, uint8_t *b, size_t size)
{
	while (size--) {
		uint8_t t = *a;

		*a++ = *b;
		*b++ = t;
	}
}

static void sift_down(uint8_t *e, size_t root, size_t n, size_t size,
		      bool (*before)(const void *a, const void *b))
{
	for (;;) {
		size_t child = 2 * root + 1;

		if (child >= n)
			return;
		if (child + 1 < n && before(e + child * size, e + (child + 1) * size))
			child++;
		if (!before(e + root * size, e + child * size))
			return;
		swap_bytes(e + root * size, e + child * size, size);
		root = child;
	}
}

void dmb_heapsort(void *base, size_t n, size_t size,
		  bool (*before)(const void *a, const void *b))
{
	uint8_t *e = base;

	for (size_t i = n / 2; i-- > 0;)
		sift_down(e, i, n, size, before);
	for (size_t end = n; end-- > 1;) {
		swap_bytes(e, e + end * size, size);
		sift_down(e, 0, end, size, before);
	}
}
