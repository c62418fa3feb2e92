/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * Internal helpers shared by lib/: error recording, logging, a bounded
 * string builder, strict number parsing, overflow-checked arithmetic and the
 * few string functions lib/ needs without libc.
 */
#ifndef DMBOOT_LIB_UTIL_H
#define DMBOOT_LIB_UTIL_H

#include <dmboot/dmboot.h>

/* Record err and a formatted message in ctx (ctx may be NULL); returns err. */
int dmb_seterr(struct dmb_ctx *ctx, int err, const char *fmt, ...) DMB_PRINTF(3, 4);

/* Format a line and pass it to dmb_port_log() if ctx's level allows it. */
void dmb_log(const struct dmb_ctx *ctx, enum dmb_log_level level, const char *fmt, ...)
	DMB_PRINTF(3, 4);

/*
 * vsnprintf for lib/: %% %c %s %d %i %u %x %X %p with the flags '-' and '0',
 * a width, a precision (strings only; '*' allowed for both) and the length
 * modifiers hh h l ll z.  Returns the full length like vsnprintf.
 */
size_t dmb_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap) DMB_PRINTF(3, 0);
size_t dmb_snprintf(char *buf, size_t cap, const char *fmt, ...) DMB_PRINTF(3, 4);

/* A bounded string builder: appends past cap are counted, not written. */
struct dmb_sb {
	char *buf;
	size_t cap;
	size_t len; /* length the text would have without the cap */
};
void dmb_sb_init(struct dmb_sb *sb, char *buf, size_t cap);
void dmb_sb_printf(struct dmb_sb *sb, const char *fmt, ...) DMB_PRINTF(2, 3);
void dmb_sb_putc(struct dmb_sb *sb, char c);
void dmb_sb_puts(struct dmb_sb *sb, const char *s);
/* Append a table argument, backslash-escaping white space, '\' and '#'. */
void dmb_sb_put_arg(struct dmb_sb *sb, const char *s);

/*
 * Strict unsigned parse: the whole string must be digits of the base (10,
 * or 0 for C notation: 0x hex, leading 0 octal), non-empty, no sign, no
 * white space, no overflow.  Returns 0, DMB_EINVAL (syntax) or DMB_ERANGE.
 */
int dmb_parse_u64(const char *s, unsigned base, uint64_t *out);
/* The same over s[0..len), which need not be NUL-terminated. */
int dmb_parse_u64_len(const char *s, size_t len, unsigned base, uint64_t *out);
int dmb_parse_u32(const char *s, unsigned base, uint32_t *out);

/* Overflow-checked arithmetic: return false on overflow. */
static inline bool dmb_add_u64(uint64_t a, uint64_t b, uint64_t *r)
{
	*r = a + b;
	return *r >= a;
}

static inline bool dmb_mul_u64(uint64_t a, uint64_t b, uint64_t *r)
{
	if (a != 0 && b > UINT64_MAX / a)
		return false;
	*r = a * b;
	return true;
}

static inline bool dmb_is_pow2(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

static inline unsigned dmb_ilog2(uint64_t v)
{
	unsigned r = 0;

	while (v >>= 1)
		r++;
	return r;
}

size_t dmb_strlen(const char *s);
size_t dmb_strnlen(const char *s, size_t max);
int dmb_strcmp(const char *a, const char *b);
/* ASCII case-insensitive compare, as Linux's strcasecmp() on target options. */
int dmb_strcasecmp(const char *a, const char *b);
char *dmb_strchr(const char *s, int c);
/* Copy at most len bytes of s into a new NUL-terminated string; NULL on ENOMEM. */
char *dmb_strndup(const char *s, size_t len);
char *dmb_strdup(const char *s);

/* The value of a hex digit (either case), or -1. */
static inline int dmb_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static inline bool dmb_isspace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Zeroed allocation of n * size bytes, with the multiplication checked. */
void *dmb_calloc(size_t n, size_t size);

/*
 * Sort n elements of size bytes in place so that none is before() the one
 * preceding it: heapsort, O(n log n) whatever the input, no recursion and
 * no allocation.  Not stable.
 */
void dmb_heapsort(void *base, size_t n, size_t size,
		  bool (*before)(const void *a, const void *b));

/*
 * CRC-32 as zlib's crc32(): dmb_crc32(0, buf, len) is the checksum GPT
 * stores; calls chain.  dmb_crc32_update() is the bare register update with
 * no inversion before or after (LVM2's calc_crc with its own seed).
 */
uint32_t dmb_crc32(uint32_t crc, const void *buf, size_t len);
uint32_t dmb_crc32_update(uint32_t crc, const void *buf, size_t len);

/*
 * Decode base64 (standard alphabet, '=' padding, nothing else) from
 * in[0..len) into out (at most cap bytes); *out_len gets the length.
 * Errors: DMB_EINVAL (not strict base64), DMB_ERANGE (more than cap bytes).
 */
int dmb_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len);

/* Overwrite memory so the compiler cannot elide it (for secrets). */
void dmb_wipe(void *p, size_t n);

#define DMB_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define DMB_MIN(a, b) ((a) < (b) ? (a) : (b))

#endif /* DMBOOT_LIB_UTIL_H */
