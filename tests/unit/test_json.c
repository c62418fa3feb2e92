// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * lib/base/json.c: the tokens of valid documents (types, spans, parents,
 * sizes, next links), a table of named malformed inputs with the exact
 * error and byte each must report, the depth and token limits exactly at
 * and one over, nesting far deeper than any stack would allow, and the
 * string helpers (member lookup, unescaping to UTF-8).
 */
#include "helpers.h"

#include "base/base.h"

#define TOKS 64

static struct dmbi_json_tok toks[TOKS];

static int parse(struct dmbi_json *j, const char *s, size_t cap, unsigned depth)
{
	*j = (struct dmbi_json){ .tok = toks, .cap = cap, .max_depth = depth };
	return dmbi_json_parse(j, s, strlen(s));
}

static void test_tokens(void **state)
{
	const char *s = " {\"a\": [1, -2.5e3, \"x\\\"y\"], \"b\": {}, \"c\": true, \"d\": null} ";
	struct dmbi_json j;

	(void)state;
	assert_int_equal(parse(&j, s, TOKS, 8), 0);
	assert_int_equal(j.count, 12);
	/* 0 {  1 "a"  2 [  3 1  4 -2.5e3  5 "x\"y"  6 "b"  7 {}  8 "c"  9 true  10 "d"  11 null */
	assert_int_equal(toks[0].type, DMBI_JSON_OBJECT);
	assert_int_equal(toks[0].size, 4);
	assert_int_equal(toks[0].next, 12);
	assert_int_equal(toks[0].start, 1);
	assert_int_equal(toks[0].end, strlen(s) - 1);
	assert_true(dmbi_json_eq(s, &toks[1], "a"));
	assert_int_equal(toks[1].next, 2);
	assert_int_equal(toks[2].type, DMBI_JSON_ARRAY);
	assert_int_equal(toks[2].size, 3);
	assert_int_equal(toks[2].parent, 0);
	assert_int_equal(toks[2].next, 6);
	assert_int_equal(toks[3].type, DMBI_JSON_NUMBER);
	assert_int_equal(toks[3].parent, 2);
	assert_memory_equal(s + toks[4].start, "-2.5e3", 6);
	assert_int_equal(toks[4].end - toks[4].start, 6);
	assert_int_equal(toks[5].type, DMBI_JSON_STRING);
	assert_memory_equal(s + toks[5].start, "x\\\"y", 4);
	assert_int_equal(toks[7].type, DMBI_JSON_OBJECT);
	assert_int_equal(toks[7].size, 0);
	assert_int_equal(toks[7].next, 8);
	assert_int_equal(toks[9].type, DMBI_JSON_TRUE);
	assert_int_equal(toks[11].type, DMBI_JSON_NULL);
	assert_int_equal(toks[11].parent, 0);
	assert_int_equal(dmbi_json_member(&j, s, 0, "c"), 9);
	assert_int_equal(dmbi_json_member(&j, s, 0, "e"), -1);
	assert_int_equal(dmbi_json_member(&j, s, 2, "a"), -1);
	/* Top-level scalars are values too. */
	assert_int_equal(parse(&j, "\"\"", TOKS, 1), 0);
	assert_int_equal(j.count, 1);
	assert_int_equal(parse(&j, "0", TOKS, 0), 0);
	assert_int_equal(toks[0].type, DMBI_JSON_NUMBER);
}

static const struct {
	const char *name, *text;
	enum dmbi_json_error error;
	size_t at;
} bad[] = {
	{ "empty", "", DMBI_JSON_ESYNTAX, 0 },
	{ "only white space", "  \n", DMBI_JSON_ESYNTAX, 3 },
	{ "two values", "{} {}", DMBI_JSON_ESYNTAX, 3 },
	{ "trailing comma in object", "{\"a\":1,}", DMBI_JSON_ESYNTAX, 7 },
	{ "trailing comma in array", "[1,]", DMBI_JSON_ESYNTAX, 3 },
	{ "missing value", "{\"a\":}", DMBI_JSON_ESYNTAX, 5 },
	{ "missing colon", "{\"a\" \"b\"}", DMBI_JSON_ESYNTAX, 1 },
	{ "name not a string", "{a:1}", DMBI_JSON_ESYNTAX, 1 },
	{ "unclosed object", "{\"a\":1", DMBI_JSON_ESYNTAX, 6 },
	{ "unclosed array", "[1", DMBI_JSON_ESYNTAX, 2 },
	{ "mismatched bracket", "[1}", DMBI_JSON_ESYNTAX, 2 },
	{ "words run together", "[truefalse]", DMBI_JSON_ESYNTAX, 5 },
	{ "short word", "[tru]", DMBI_JSON_ESYNTAX, 1 },
	{ "leading zero", "[01]", DMBI_JSON_ESYNTAX, 2 },
	{ "bare minus", "[-]", DMBI_JSON_ESYNTAX, 1 },
	{ "fraction without digits", "[1.]", DMBI_JSON_ESYNTAX, 1 },
	{ "exponent without digits", "[1e+]", DMBI_JSON_ESYNTAX, 1 },
	{ "plus sign", "[+1]", DMBI_JSON_ESYNTAX, 1 },
	{ "control character in string", "[\"a\tb\"]", DMBI_JSON_ESYNTAX, 1 },
	{ "unknown escape", "[\"\\x\"]", DMBI_JSON_ESYNTAX, 1 },
	{ "short \\u escape", "[\"\\u12\"]", DMBI_JSON_ESYNTAX, 1 },
	{ "unterminated string", "[\"abc", DMBI_JSON_ESYNTAX, 1 },
	{ "single quotes", "['a']", DMBI_JSON_ESYNTAX, 1 },
	{ "comment", "[1 /* x */]", DMBI_JSON_ESYNTAX, 3 },
	{ "too deep", "[[[[1]]]]", DMBI_JSON_EDEPTH, 3 },
	{ "too many tokens", "[1,2,3,4,5,6,7,8]", DMBI_JSON_ETOKENS, 11 },
};

static void test_malformed(void **state)
{
	struct dmbi_json j;

	(void)state;
	for (size_t i = 0; i < DMBI_ARRAY_SIZE(bad); i++) {
		int r = parse(&j, bad[i].text, 6, 3);

		if (r != (bad[i].error == DMBI_JSON_ESYNTAX ? DMB_EINVAL : DMB_ERANGE) ||
		    j.error != bad[i].error || j.at != bad[i].at)
			fail_msg("%s: got %d error %d at %zu, want error %d at %zu", bad[i].name, r,
				 j.error, j.at, bad[i].error, bad[i].at);
	}
}

static void test_limits(void **state)
{
	struct dmbi_json j;

	(void)state;
	/* Depth: 3 is allowed, 4 is not, and the error names the fourth bracket. */
	assert_int_equal(parse(&j, "[[[1]]]", TOKS, 3), 0);
	assert_int_equal(parse(&j, "[[[[1]]]]", TOKS, 3), DMB_ERANGE);
	assert_int_equal(j.at, 3);
	assert_int_equal(parse(&j, "{}", TOKS, 0), DMB_ERANGE);
	/* Tokens: exactly cap is fine, one more is not. */
	assert_int_equal(parse(&j, "[1,2,3]", 4, 1), 0);
	assert_int_equal(j.count, 4);
	assert_int_equal(parse(&j, "[1,2,3,4]", 4, 1), DMB_ERANGE);
	assert_int_equal(j.error, DMBI_JSON_ETOKENS);
	assert_int_equal(j.at, 7);
	assert_int_equal(parse(&j, "{\"a\":1}", 2, 1), DMB_ERANGE);
}

/* 100000 levels: refused at the limit, or walked through parent links, with no recursion. */
static void test_deep(void **state)
{
	enum { N = 100000 };
	char *s = malloc(2 * N + 1);
	struct dmbi_json_tok *t = calloc(N, sizeof(*t));
	struct dmbi_json j = { .tok = t, .cap = N, .max_depth = N };

	(void)state;
	assert_non_null(s);
	assert_non_null(t);
	memset(s, '[', N);
	memset(s + N, ']', N);
	s[2 * N] = '\0';
	assert_int_equal(dmbi_json_parse(&j, s, 2 * N), 0);
	assert_int_equal(j.count, N);
	assert_int_equal(t[N - 1].parent, N - 2);
	assert_int_equal(t[0].end, 2 * N);
	j.max_depth = 32;
	assert_int_equal(dmbi_json_parse(&j, s, 2 * N), DMB_ERANGE);
	assert_int_equal(j.at, 32);
	s[2 * N - 1] = '}';
	j.max_depth = N;
	assert_int_equal(dmbi_json_parse(&j, s, 2 * N), DMB_EINVAL);
	assert_int_equal(j.at, 2 * N - 1);
	free(t);
	free(s);
}

static void test_unescape(void **state)
{
	const char *s = "[\"a\\n\\u00e9\\ud83d\\ude00\\/\", \"\\ud83d\", \"\\u0000\", \"abcdef\"]";
	struct dmbi_json j;
	char out[16];

	(void)state;
	assert_int_equal(parse(&j, s, TOKS, 2), 0);
	assert_int_equal(dmbi_json_unescape(s, &toks[1], out, sizeof(out)), 9);
	assert_string_equal(out, "a\n\xc3\xa9\xf0\x9f\x98\x80/");
	assert_int_equal(dmbi_json_unescape(s, &toks[2], out, sizeof(out)), DMB_EINVAL);
	assert_int_equal(dmbi_json_unescape(s, &toks[3], out, sizeof(out)), DMB_EINVAL);
	assert_int_equal(dmbi_json_unescape(s, &toks[4], out, 7), 6);
	assert_int_equal(dmbi_json_unescape(s, &toks[4], out, 6), DMB_ERANGE);
	assert_false(dmbi_json_eq(s, &toks[0], "a"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_deep),
		cmocka_unit_test(test_unescape),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
