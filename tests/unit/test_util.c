// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * lib/core helpers: the library's own snprintf against libc's, strict
 * number parsing against a reference built on strtoull, error strings, the
 * string builder and its table-argument escaping, and the small arithmetic
 * and hex helpers.
 */
#include <errno.h>
#include <limits.h>

#include "helpers.h"

#include "core/core.h"

/* --- dmbi_snprintf against libc --------------------------------------------- */

#define FMT_BUF 512
static char dbuf[FMT_BUF], lbuf[FMT_BUF];
static unsigned fmt_checks;

static void fmt_reset(void)
{
	memset(dbuf, 0x7e, sizeof(dbuf));
	memset(lbuf, 0x7e, sizeof(lbuf));
}

static void fmt_compare(int line, const char *fmt, size_t cap, size_t dn, int ln)
{
	fmt_checks++;
	if (ln < 0)
		fail_msg("line %d: libc failed on \"%s\"", line, fmt);
	if (dn != (size_t)ln || memcmp(dbuf, lbuf, sizeof(dbuf)) != 0)
		fail_msg("line %d: \"%s\" cap %zu: dmb %zu \"%.*s\", libc %d \"%.*s\"", line, fmt, cap,
			 dn, (int)MIN(cap, FMT_BUF), dbuf, ln, (int)MIN(cap, FMT_BUF), lbuf);
}

/*
 * Format the same thing with both, into identically pre-filled buffers:
 * the return value and every byte of the buffer must agree.
 */
#define CHECK_CAP(cap, fmt, ...)                                                         \
	do {                                                                             \
		size_t cap_ = (cap);                                                     \
		size_t dn_;                                                              \
		int ln_;                                                                 \
		fmt_reset();                                                             \
		dn_ = dmbi_snprintf(cap_ ? dbuf : NULL, cap_, fmt, __VA_ARGS__);          \
		ln_ = snprintf(cap_ ? lbuf : NULL, cap_, fmt, __VA_ARGS__);              \
		fmt_compare(__LINE__, fmt, cap_, dn_, ln_);                              \
	} while (0)
#define CHECK(fmt, ...) CHECK_CAP(FMT_BUF, fmt, __VA_ARGS__)

static void test_fmt_fixed(void **state)
{
	int x = 0;

	(void)state;
	CHECK("%d", 0);
	CHECK("%d", 1);
	CHECK("%d", -1);
	CHECK("%d|%d", INT_MAX, INT_MIN);
	CHECK("%i", 42);
	CHECK("%i", -42);
	CHECK("%u", 0u);
	CHECK("%u", UINT_MAX);
	CHECK("%u", (unsigned)-5);
	CHECK("%x", 0xdeadbeefu);
	CHECK("%X", 0xdeadbeefu);
	CHECK("%x", 0u);
	CHECK("%c", 'A');
	CHECK("a%cb", 0);
	CHECK("[%5c]", 'z');
	CHECK("[%-5c]", 'z');
	CHECK("%s", "hello");
	CHECK("%s", "");
	CHECK("[%10s]", "hello");
	CHECK("[%-10s]", "hello");
	CHECK("[%2s]", "hello");
	CHECK("[%.3s]", "hello");
	CHECK("[%.0s]", "hello");
	CHECK("[%.10s]", "hi");
	CHECK("[%10.3s]", "hello");
	CHECK("[%-10.3s]", "hello");
	CHECK("[%.*s]", 2, "hello");
	CHECK("[%.*s]", -1, "hello");
	CHECK("[%.*s]", 0, "hello");
	CHECK("[%*s]", 8, "ab");
	CHECK("[%*s]", -8, "ab");
	CHECK("[%-*s]", 8, "ab");
	CHECK("[%*.*s]", 9, 3, "abcdef");
	CHECK("%s", "%d %s %%");
	CHECK("100%% %s", "done");
	CHECK("%%%d%%", 5);
	CHECK("%p", (void *)&x);
	CHECK("[%5d]", 42);
	CHECK("[%-5d]", 42);
	CHECK("[%05d]", 42);
	CHECK("[%05d]", -42);
	CHECK("[%5d]", -42);
	CHECK("[%1d]", 12345);
	CHECK("[%0d]", -7);
	CHECK("[%08x]", 0xbeefu);
	CHECK("[%-8X]", 0xbeefu);
	CHECK("[%*d]", 7, 3);
	CHECK("[%*d]", -7, 3);
	CHECK("[%0*d]", 7, -3);
	CHECK("[%0*d]", -7, -3);
	CHECK("%hhd", (signed char)-128);
	CHECK("%hhu", (unsigned char)255);
	CHECK("%hd", (short)-32768);
	CHECK("%hu", (unsigned short)65535);
	CHECK("%ld", LONG_MIN);
	CHECK("%ld", LONG_MAX);
	CHECK("%lu", ULONG_MAX);
	CHECK("%lx", ULONG_MAX);
	CHECK("%li", -1L);
	CHECK("%lld", LLONG_MIN);
	CHECK("%lld", LLONG_MAX);
	CHECK("%lld", (long long)INT64_MIN);
	CHECK("%llu", (unsigned long long)UINT64_MAX);
	CHECK("%llx", (unsigned long long)UINT64_MAX);
	CHECK("%llX", 0xabcdef0123456789ull);
	CHECK("[%025lld]", LLONG_MIN);
	CHECK("[%-25lld]", LLONG_MIN);
	CHECK("[%022llu]", (unsigned long long)UINT64_MAX);
	CHECK("%zu", SIZE_MAX);
	CHECK("%zx", (size_t)0x1234);
	CHECK("%zu", (size_t)0);
	CHECK("%s=%d, %s=%llu (%c%c) %x%%", "a", -3, "bb", 18446744073709551615ull, 'o', 'k', 255u);
	CHECK("line %u: %s: %s", 12u, "striped", "Invalid chunk_size");
	CHECK("%s", "no conversions after this");
	CHECK("%.20s...", "abcdefghijklmnopqrstuvwxyz");
	CHECK("%.*s|%5.2s|%-3c|", 3, "xyzw", "pqr", 'c');
}

/*
 * hh and h convert the promoted int argument to char or short before
 * printing (C11 7.21.6.1), so out-of-range values wrap the same way as in
 * libc.  clang's -Wformat objects to an int where a char is expected.
 */
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wformat"
#endif
static void test_fmt_length_conversion(void **state)
{
	(void)state;
	CHECK("%hhd", 200);
	CHECK("%hhd", -129);
	CHECK("%hhu", 300);
	CHECK("%hhx", 0x1ff);
	CHECK("%hd", 40000);
	CHECK("%hu", 70000);
	CHECK("%hx", 0x12345);
	CHECK("%hi", -32769);
	CHECK("[%05hhd]", 0xff);
	CHECK("[%-6hu]", 0x10001);
}
#if defined(__clang__)
#pragma clang diagnostic pop
#endif

/* The width applies to the whole of %p, "0x" included, as in libc. */
static void test_fmt_pointer_width(void **state)
{
	int x = 0;

	(void)state;
	CHECK("[%20p]", (void *)&x);
	CHECK("[%-20p]", (void *)&x);
	CHECK("[%*p]", 24, (void *)&x);
}

static void test_fmt_truncation(void **state)
{
	(void)state;
	for (size_t cap = 0; cap <= 24; cap++) {
		CHECK_CAP(cap, "%s-%d", "abcdef", 12345);
		CHECK_CAP(cap, "[%-8s|%08x]", "ab", 0xfeedu);
		CHECK_CAP(cap, "%lld%c", LLONG_MIN, '!');
		CHECK_CAP(cap, "%%%5.2s%%", "xyz");
	}
	/* Nothing at all is written with cap 0, not even to a real buffer. */
	memset(dbuf, 'q', sizeof(dbuf));
	assert_int_equal(dmbi_snprintf(dbuf, 0, "%s", "abc"), 3);
	assert_int_equal(dbuf[0], 'q');
}

/* Random widths, precisions, values, lengths and caps, seeded. */
static void test_fmt_random(void **state)
{
	static const char *const strs[] = { "", "a", "hello", "device-mapper", "x y\tz" };
	struct rng rng;

	(void)state;
	rng_seed(&rng, 0xf0f0);
	for (int i = 0; i < 20000; i++) {
		int w = (int)rng_range(&rng, 0, 60) - 30;
		int p = (int)rng_range(&rng, 0, 40) - 5;
		size_t cap = rng_below(&rng, 4) == 0 ? rng_below(&rng, 40) : FMT_BUF;
		uint64_t v = rng_next(&rng) >> rng_below(&rng, 64);
		const char *s = strs[rng_below(&rng, ARRAY_SIZE(strs))];

		if (rng_below(&rng, 2))
			v = (uint64_t)-(int64_t)v;
		switch (rng_below(&rng, 20)) {
		case 0: CHECK_CAP(cap, "[%*d]", w, (int)v); break;
		case 1: CHECK_CAP(cap, "[%-*d]", w, (int)v); break;
		case 2: CHECK_CAP(cap, "[%0*d]", w, (int)v); break;
		case 3: CHECK_CAP(cap, "[%*u]", w, (unsigned)v); break;
		case 4: CHECK_CAP(cap, "[%0*x]", w, (unsigned)v); break;
		case 5: CHECK_CAP(cap, "[%-*X]", w, (unsigned)v); break;
		case 6: CHECK_CAP(cap, "[%*.*s]", w, p, s); break;
		case 7: CHECK_CAP(cap, "[%-*.*s]", w, p, s); break;
		case 8: CHECK_CAP(cap, "[%*lld]", w, (long long)v); break;
		case 9: CHECK_CAP(cap, "[%0*llu]", w, (unsigned long long)v); break;
		case 10: CHECK_CAP(cap, "[%*llx]", w, (unsigned long long)v); break;
		case 11: CHECK_CAP(cap, "[%*c]", w, (int)(v % 94) + 33); break;
		case 12: CHECK_CAP(cap, "[%*hhd]", w, (signed char)v); break;
		case 13: CHECK_CAP(cap, "[%0*hd]", w, (short)v); break;
		case 14: CHECK_CAP(cap, "[%*hu]", w, (unsigned short)v); break;
		case 15: CHECK_CAP(cap, "[%-*ld]", w, (long)v); break;
		case 16: CHECK_CAP(cap, "[%*lu]", w, (unsigned long)v); break;
		case 17: CHECK_CAP(cap, "[%0*zu]", w, (size_t)v); break;
		case 18: CHECK_CAP(cap, "[%*i|%s|%.*s]", w, (int)v, s, p, s); break;
		default: CHECK_CAP(cap, "%lli%%%*hhx", (long long)v, w, (unsigned char)v); break;
		}
	}
	assert_true(fmt_checks >= 20000);
}

/* --- number parsing ------------------------------------------------------ */

struct num_case {
	const char *s;
	unsigned base;
	int err;
	uint64_t v;
};

static const struct num_case u64_cases[] = {
	{ "0", 10, 0, 0 },
	{ "1", 10, 0, 1 },
	{ "007", 10, 0, 7 },
	{ "017", 10, 0, 17 },
	{ "18446744073709551615", 10, 0, UINT64_MAX },
	{ "00018446744073709551615", 10, 0, UINT64_MAX },
	{ "18446744073709551616", 10, DMB_ERANGE, 0 },
	{ "18446744073709551620", 10, DMB_ERANGE, 0 },
	{ "99999999999999999999", 10, DMB_ERANGE, 0 },
	{ "", 10, DMB_EINVAL, 0 },
	{ "+1", 10, DMB_EINVAL, 0 },
	{ "-1", 10, DMB_EINVAL, 0 },
	{ "-0", 10, DMB_EINVAL, 0 },
	{ " 1", 10, DMB_EINVAL, 0 },
	{ "1 ", 10, DMB_EINVAL, 0 },
	{ "1\n", 10, DMB_EINVAL, 0 },
	{ "0x1f", 10, DMB_EINVAL, 0 },
	{ "1a", 10, DMB_EINVAL, 0 },
	{ "a", 10, DMB_EINVAL, 0 },
	{ "1.0", 10, DMB_EINVAL, 0 },
	{ "0x1f", 0, 0, 31 },
	{ "0X1F", 0, 0, 31 },
	{ "0xAbC", 0, 0, 0xabc },
	{ "017", 0, 0, 15 },
	{ "0", 0, 0, 0 },
	{ "00", 0, 0, 0 },
	{ "10", 0, 0, 10 },
	{ "08", 0, DMB_EINVAL, 0 },
	{ "09", 0, DMB_EINVAL, 0 },
	{ "0x", 0, DMB_EINVAL, 0 },
	{ "0xg", 0, DMB_EINVAL, 0 },
	{ "0x-1", 0, DMB_EINVAL, 0 },
	{ "0x 1", 0, DMB_EINVAL, 0 },
	{ "x1", 0, DMB_EINVAL, 0 },
	{ "", 0, DMB_EINVAL, 0 },
	{ "+1", 0, DMB_EINVAL, 0 },
	{ "-1", 0, DMB_EINVAL, 0 },
	{ " 1", 0, DMB_EINVAL, 0 },
	{ "1 ", 0, DMB_EINVAL, 0 },
	{ "1f", 0, DMB_EINVAL, 0 },
	{ "0xffffffffffffffff", 0, 0, UINT64_MAX },
	{ "0x0000000000000000ffffffffffffffff", 0, 0, UINT64_MAX },
	{ "0x10000000000000000", 0, DMB_ERANGE, 0 },
	{ "01777777777777777777777", 0, 0, UINT64_MAX },
	{ "02000000000000000000000", 0, DMB_ERANGE, 0 },
	{ "18446744073709551615", 0, 0, UINT64_MAX },
	{ "18446744073709551616", 0, DMB_ERANGE, 0 },
};

static void test_parse_u64(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(u64_cases); i++) {
		const struct num_case *c = &u64_cases[i];
		uint64_t v = 0x5a5a;
		int r = dmbi_parse_u64(c->s, c->base, &v);

		if (r != c->err || (r == 0 && v != c->v))
			fail_msg("dmbi_parse_u64(\"%s\", %u): %d %llu, want %d %llu", c->s, c->base, r,
				 (unsigned long long)v, c->err, (unsigned long long)c->v);
	}
}

static void test_parse_u32(void **state)
{
	static const struct num_case cases[] = {
		{ "0", 10, 0, 0 },
		{ "4294967295", 10, 0, UINT32_MAX },
		{ "4294967296", 10, DMB_ERANGE, 0 },
		{ "18446744073709551616", 10, DMB_ERANGE, 0 },
		{ "0xffffffff", 0, 0, UINT32_MAX },
		{ "0x100000000", 0, DMB_ERANGE, 0 },
		{ "037777777777", 0, 0, UINT32_MAX },
		{ "", 10, DMB_EINVAL, 0 },
		{ "-1", 10, DMB_EINVAL, 0 },
		{ "12x", 10, DMB_EINVAL, 0 },
		{ "0x12", 10, DMB_EINVAL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint32_t v = 0x5a5a;
		int r = dmbi_parse_u32(cases[i].s, cases[i].base, &v);

		if (r != cases[i].err || (r == 0 && v != cases[i].v))
			fail_msg("dmbi_parse_u32(\"%s\", %u): %d %u", cases[i].s, cases[i].base, r, v);
	}
}

/* Parsing a counted span: nothing past len is looked at. */
static void test_parse_u64_len(void **state)
{
	static const struct {
		const char *s;
		size_t len;
		unsigned base;
		int err;
		uint64_t v;
	} cases[] = {
		{ "123456", 3, 10, 0, 123 },
		{ "123x", 3, 10, 0, 123 },
		{ "0x1f", 3, 0, 0, 1 },
		{ "0x1f", 2, 0, DMB_EINVAL, 0 },
		{ "0x1f", 1, 0, 0, 0 },
		{ "017", 2, 0, 0, 1 },
		{ "9", 0, 10, DMB_EINVAL, 0 },
		{ "1\0002", 3, 10, DMB_EINVAL, 0 },
		{ "1 2", 3, 10, DMB_EINVAL, 0 },
		{ "184467440737095516150", 20, 10, 0, UINT64_MAX },
		{ "184467440737095516160", 20, 10, DMB_ERANGE, 0 },
		{ "0000000000000000000000000000000000000000000000000007", 52, 10, 0, 7 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t v = 0x5a5a;
		int r = dmbi_parse_u64_len(cases[i].s, cases[i].len, cases[i].base, &v);

		if (r != cases[i].err || (r == 0 && v != cases[i].v))
			fail_msg("dmbi_parse_u64_len(\"%.*s\", %zu, %u): %d %llu", (int)cases[i].len,
				 cases[i].s, cases[i].len, cases[i].base, r, (unsigned long long)v);
	}
}

/*
 * Random strings against a reference: base 10 accepts exactly the
 * non-empty all-digit strings that strtoull parses without ERANGE; printed
 * numbers parse back in every notation base 0 accepts.
 */
static void test_parse_random(void **state)
{
	static const char alphabet[] = "01234567890123456789012345678901234567890123456789 +-xXaf";
	struct rng rng;
	char s[48];

	(void)state;
	rng_seed(&rng, 0x1234567);
	for (int i = 0; i < 20000; i++) {
		size_t n = (size_t)rng_below(&rng, 24);
		bool digits = n > 0;
		uint64_t v = 0, ref;
		int r;

		for (size_t k = 0; k < n; k++) {
			s[k] = alphabet[rng_below(&rng, sizeof(alphabet) - 1)];
			digits &= s[k] >= '0' && s[k] <= '9';
		}
		s[n] = '\0';
		r = dmbi_parse_u64(s, 10, &v);
		{
			uint64_t v2 = v;
			char padded[64];

			/* The counted form agrees, whatever follows the span. */
			snprintf(padded, sizeof(padded), "%s%c9", s, (char)rng_range(&rng, '0', '9'));
			assert_int_equal(dmbi_parse_u64_len(padded, n, 10, &v2), r);
			if (!r)
				assert_int_equal(v2, v);
		}
		errno = 0;
		ref = strtoull(s, NULL, 10);
		if (!digits) {
			/* Invalid; a digit prefix that already overflows may say so. */
			if (r != DMB_EINVAL && !(r == DMB_ERANGE && errno == ERANGE && s[0] >= '0' &&
						 s[0] <= '9'))
				fail_msg("dmbi_parse_u64(\"%s\") = %d", s, r);
			continue;
		}
		if (errno == ERANGE) {
			assert_int_equal(r, DMB_ERANGE);
		} else {
			assert_int_equal(r, 0);
			assert_int_equal(v, ref);
		}
	}
	for (int i = 0; i < 5000; i++) {
		uint64_t v = rng_next(&rng) >> rng_below(&rng, 64), got = 0;

		snprintf(s, sizeof(s), "%llu", (unsigned long long)v);
		assert_int_equal(dmbi_parse_u64(s, 10, &got), 0);
		assert_int_equal(got, v);
		snprintf(s, sizeof(s), "%#llx", (unsigned long long)v);
		assert_int_equal(dmbi_parse_u64(v ? s : "0x0", 0, &got), 0);
		assert_int_equal(got, v);
		snprintf(s, sizeof(s), "0%llo", (unsigned long long)v);
		assert_int_equal(dmbi_parse_u64(s, 0, &got), 0);
		assert_int_equal(got, v);
		if (v > 9) {
			/* base 10 does not take the octal form's leading zero as octal. */
			snprintf(s, sizeof(s), "0%llu", (unsigned long long)v);
			assert_int_equal(dmbi_parse_u64(s, 10, &got), 0);
			assert_int_equal(got, v);
		}
	}
}

/* --- errors and messages ---------------------------------------------------- */

/*
 * Properties, not a copy of the text: the codes are the negated Linux errno
 * values, each has its own non-empty message, and anything else is
 * "unknown error".
 */
static void test_strerror(void **state)
{
	static const int codes[] = {
		DMB_OK, DMB_ENOENT, DMB_EIO, DMB_ENOMEM, DMB_EACCES, DMB_EBUSY, DMB_EEXIST,
		DMB_EINVAL, DMB_ERANGE, DMB_EVERIFY, DMB_ENOTSUP, DMB_ECORRUPT, DMB_ENOKEY,
	};
	static const int unknown[] = { 1, -1, -3, 2, 5, -100, -9999, INT_MIN, INT_MAX };

	(void)state;
	assert_int_equal(DMB_ENOENT, -ENOENT);
	assert_int_equal(DMB_EIO, -EIO);
	assert_int_equal(DMB_ENOMEM, -ENOMEM);
	assert_int_equal(DMB_EACCES, -EACCES);
	assert_int_equal(DMB_EBUSY, -EBUSY);
	assert_int_equal(DMB_EEXIST, -EEXIST);
	assert_int_equal(DMB_EINVAL, -EINVAL);
	assert_int_equal(DMB_ERANGE, -ERANGE);
	assert_int_equal(DMB_EVERIFY, -EBADMSG);
	assert_int_equal(DMB_ENOTSUP, -EOPNOTSUPP);
	assert_int_equal(DMB_ECORRUPT, -117);
	assert_int_equal(DMB_ENOKEY, -126);
	for (size_t i = 0; i < ARRAY_SIZE(codes); i++) {
		const char *text = dmb_strerror(codes[i]);

		assert_non_null(text);
		assert_true(text[0] != '\0');
		assert_string_not_equal(text, "unknown error");
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(text, dmb_strerror(codes[k]));
	}
	for (size_t i = 0; i < ARRAY_SIZE(unknown); i++)
		assert_string_equal(dmb_strerror(unknown[i]), "unknown error");
}

static void test_seterr(void **state)
{
	struct dmb_ctx ctx = { 0 };
	char longer[400];

	(void)state;
	assert_string_equal(dmb_ctx_message(&ctx), "");
	assert_int_equal(dmb_ctx_set_error(&ctx, DMB_EIO, "block %llu: %s", 12ull, "bad"), DMB_EIO);
	assert_int_equal(ctx.err, DMB_EIO);
	assert_string_equal(dmb_ctx_message(&ctx), "block 12: bad");
	memset(longer, 'm', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	assert_int_equal(dmb_ctx_set_error(&ctx, DMB_EINVAL, "%s", longer), DMB_EINVAL);
	assert_int_equal(strlen(ctx.msg), DMB_MSG_MAX - 1);
	dmb_ctx_clear(&ctx);
	assert_int_equal(ctx.err, 0);
	assert_string_equal(dmb_ctx_message(&ctx), "");
	assert_int_equal(dmb_ctx_set_error(NULL, DMB_ENOMEM, "x"), DMB_ENOMEM);
}

/* --- string builder and small helpers -------------------------------------- */

static void test_string_builder(void **state)
{
	char buf[64], small[6];
	struct dmbi_strbuf sb;

	(void)state;
	dmbi_strbuf_init(&sb, buf, sizeof(buf));
	dmbi_strbuf_printf(&sb, "%llu %s ", 8ull, "linear");
	dmbi_strbuf_put_arg(&sb, "a b\\c#d\te");
	dmbi_strbuf_putc(&sb, '|');
	dmbi_strbuf_puts(&sb, "tail");
	assert_string_equal(buf, "8 linear a\\ b\\\\c\\#d\\\te|tail");
	assert_int_equal(sb.len, strlen(buf));

	/* Past the cap the length still counts and the text stays a prefix. */
	dmbi_strbuf_init(&sb, small, sizeof(small));
	dmbi_strbuf_puts(&sb, "abc");
	dmbi_strbuf_put_arg(&sb, "d e");
	dmbi_strbuf_printf(&sb, "%d", 12345);
	assert_int_equal(sb.len, 3 + 4 + 5);
	assert_string_equal(small, "abcd\\");
	dmbi_strbuf_init(&sb, NULL, 0);
	dmbi_strbuf_printf(&sb, "%s", "counted");
	dmbi_strbuf_putc(&sb, 'x');
	assert_int_equal(sb.len, 8);
}

static void test_small_helpers(void **state)
{
	static const char abc[] = "abc";
	uint64_t r;
	uint8_t bin[4];
	char hex[9];

	(void)state;
	assert_true(dmbi_add_u64(UINT64_MAX - 1, 1, &r));
	assert_int_equal(r, UINT64_MAX);
	assert_false(dmbi_add_u64(UINT64_MAX, 1, &r));
	assert_true(dmbi_mul_u64(UINT64_MAX / 3, 3, &r));
	assert_false(dmbi_mul_u64(UINT64_MAX / 3 + 1, 3, &r));
	assert_true(dmbi_mul_u64(0, UINT64_MAX, &r));
	assert_int_equal(r, 0);
	assert_false(dmbi_is_pow2(0));
	assert_true(dmbi_is_pow2(1));
	assert_false(dmbi_is_pow2(6));
	assert_true(dmbi_is_pow2(1ull << 63));
	assert_int_equal(dmbi_ilog2(1), 0);
	assert_int_equal(dmbi_ilog2(4096), 12);
	assert_int_equal(dmbi_ilog2(UINT64_MAX), 63);
	assert_int_equal(dmbi_strcasecmp("Restart_On_Corruption", "restart_on_corruption"), 0);
	assert_true(dmbi_strcasecmp("a", "b") < 0);
	assert_true(dmbi_strcmp("b", "a") > 0);
	assert_true(dmbi_strcmp("a", "ab") < 0);
	assert_int_equal(dmbi_strnlen("abc", 2), 2);
	assert_ptr_equal(dmbi_strchr(abc, 'c'), abc + 2);
	assert_ptr_equal(dmbi_strchr(abc, '\0'), abc + 3);
	assert_null(dmbi_strchr(abc, 'z'));
	assert_int_equal(dmb_hex_decode("00fFa5", bin, 3), 0);
	assert_int_equal(bin[0], 0);
	assert_int_equal(bin[1], 0xff);
	assert_int_equal(bin[2], 0xa5);
	assert_int_equal(dmb_hex_decode("00fFa", bin, 3), DMB_EINVAL);
	assert_int_equal(dmb_hex_decode("00fFa5b", bin, 3), DMB_EINVAL);
	assert_int_equal(dmb_hex_decode("0g", bin, 1), DMB_EINVAL);
	dmb_hex_encode((const uint8_t *)"\x01\xab\xff\x10", 4, hex);
	assert_string_equal(hex, "01abff10");
	assert_int_equal(dmb_memcmp_ct("abc", "abc", 3), 0);
	assert_int_not_equal(dmb_memcmp_ct("abc", "abd", 3), 0);
	assert_null(dmbi_calloc(0, 4));
	assert_null(dmbi_calloc(SIZE_MAX / 2, 4));
}

/* An element wider than a word, ordered by key then tag; sum checks the permutation. */
struct heap_elem {
	uint64_t key;
	uint32_t tag;
	uint8_t pad[5];
};

static bool heap_before(const void *pa, const void *pb)
{
	const struct heap_elem *a = pa, *b = pb;

	return a->key != b->key ? a->key < b->key : a->tag < b->tag;
}

static void test_heapsort(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 7, 64, 257 };
	struct heap_elem e[257];
	uint64_t seed = 12345;

	(void)state;
	for (size_t k = 0; k < ARRAY_SIZE(sizes); k++) {
		for (int pattern = 0; pattern < 4; pattern++) {
			size_t n = sizes[k];
			uint64_t sum = 0, sum2 = 0;

			for (size_t i = 0; i < n; i++) {
				seed = seed * 6364136223846793005ull + 1442695040888963407ull;
				/* random, few distinct keys, ascending, descending */
				e[i].key = pattern == 0 ? seed >> 33 : pattern == 1 ? (seed >> 33) % 3 :
					   pattern == 2 ? i : n - i;
				e[i].tag = (uint32_t)i;
				memset(e[i].pad, 0xa5, sizeof(e[i].pad));
				sum += e[i].key * 1000003u + e[i].tag;
			}
			dmbi_heapsort(e, n, sizeof(e[0]), heap_before);
			for (size_t i = 0; i < n; i++) {
				sum2 += e[i].key * 1000003u + e[i].tag;
				assert_int_equal(e[i].pad[4], 0xa5);
				if (i)
					assert_false(heap_before(&e[i], &e[i - 1]));
			}
			assert_true(sum == sum2);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fmt_fixed),
		cmocka_unit_test(test_fmt_length_conversion),
		cmocka_unit_test(test_fmt_pointer_width),
		cmocka_unit_test(test_fmt_truncation),
		cmocka_unit_test(test_fmt_random),
		cmocka_unit_test(test_parse_u64),
		cmocka_unit_test(test_parse_u32),
		cmocka_unit_test(test_parse_u64_len),
		cmocka_unit_test(test_parse_random),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_seterr),
		cmocka_unit_test(test_string_builder),
		cmocka_unit_test(test_small_helpers),
		cmocka_unit_test(test_heapsort),
	};

	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
