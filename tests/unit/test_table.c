// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Table parsing (formats.md §1.1-1.5, §1.8): dmsetup text, argument
 * splitting, the concise forms of dmsetup and dm-mod.create=, a table of
 * named malformed tables with their exact error codes and messages, the
 * same for targets built from parts (dmb_table_add_argv(), checked against
 * the equivalent text line), and the property that a printed table parses
 * back to the same table and the same bytes.
 */
#include "helpers.h"

/* Devices every test in this file can name (sizes in sectors). */
static struct tres res;
static struct dmb_ctx ctx;
static long baseline;

static int setup(void **state)
{
	(void)state;
	tres_init(&res);
	tres_add(&res, "d0", 64 * SECTOR, 9, NULL);
	tres_add(&res, "d1", 64 * SECTOR, 9, NULL);
	memset(&ctx, 0, sizeof(ctx));
	ctx.resolver = &res.r;
	baseline = test_port_live_allocs();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(test_port_live_allocs(), baseline);
	tres_free(&res);
	return 0;
}

static struct dmb_table *parse_ok(const char *text)
{
	struct dmb_table *t = NULL;
	int r = dmb_table_parse(&ctx, text, strlen(text), &t);

	if (r)
		fail_msg("parse of \"%s\" failed: %d %s", text, r, ctx.msg);
	assert_non_null(t);
	return t;
}

static void assert_target(const struct dmb_table *t, size_t i, uint64_t start, uint64_t len,
			  const char *type, const char *params, unsigned line)
{
	assert_true(i < t->count);
	assert_int_equal(t->targets[i].start_sectors, start);
	assert_int_equal(t->targets[i].len_sectors, len);
	assert_string_equal(t->targets[i].type, type);
	assert_string_equal(t->targets[i].params, params);
	assert_int_equal(t->targets[i].line, line);
}

/* --- valid text tables ----------------------------------------------------- */

static void test_parse_comments_and_blanks(void **state)
{
	const char *text = "# a comment line\n"
			   "\n"
			   "   \t \n"
			   "  0 8 zero   # the rest is dropped: 8 8 zero\n"
			   "\t8\t16\tlinear\td0\t4\t\n"
			   "24 8 linear d1 0#no space before the comment\n"
			   "#32 8 zero\n"
			   "32  8  striped  1 8 d0 40   \n";
	struct dmb_table *t = parse_ok(text);

	(void)state;
	assert_int_equal(t->count, 4);
	assert_target(t, 0, 0, 8, "zero", "", 4);
	assert_target(t, 1, 8, 16, "linear", "d0\t4", 5);
	assert_target(t, 2, 24, 8, "linear", "d1 0", 6);
	assert_target(t, 3, 32, 8, "striped", "1 8 d0 40", 8);
	assert_int_equal(dmb_table_sectors(t), 40);
	dmb_table_destroy(t);
}

static void test_parse_line_endings_and_numbers(void **state)
{
	struct dmb_table *t;

	(void)state;
	/* CRLF, no final newline, leading zeros, a type of exactly 15 bytes. */
	t = parse_ok("0 008 zero\r\n0008 8 error \r\n");
	assert_target(t, 1, 8, 8, "error", "", 2);
	dmb_table_destroy(t);
	assert_string_equal(ctx.msg, "");

	t = parse_ok("000 8 zero\r\n8 1 abcdefghijklmno");
	assert_target(t, 0, 0, 8, "zero", "", 1);
	assert_target(t, 1, 8, 1, "abcdefghijklmno", "", 2);
	dmb_table_destroy(t);

	/* A table may end exactly at 2^64-1 sectors. */
	t = parse_ok("0 18446744073709551614 zero\n18446744073709551614 1 error");
	assert_int_equal(dmb_table_sectors(t), UINT64_MAX);
	dmb_table_destroy(t);
}

static void test_parse_escaped_hash(void **state)
{
	/* "\#" is an escaped character, not a comment (a device named "a#b"). */
	struct dmb_table *t = parse_ok("0 8 linear a\\#b 0 # comment\n");
	char *argv[4];
	unsigned argc = 0;

	(void)state;
	assert_target(t, 0, 0, 8, "linear", "a\\#b 0", 1);
	assert_int_equal(dmb_split_args(t->targets[0].params, 4, &argc, argv), 0);
	assert_int_equal(argc, 2);
	assert_string_equal(argv[0], "a#b");
	assert_string_equal(argv[1], "0");
	dmb_table_destroy(t);
}

static void test_parse_escaped_trailing_space(void **state)
{
	/* An escaped space ends the last argument; an escaped backslash does not. */
	struct dmb_table *t = parse_ok("0 8 linear d0 a\\  \n8 8 linear d0 b\\\\ \t# c\n");
	char *argv[4];
	unsigned argc = 0;

	(void)state;
	assert_target(t, 0, 0, 8, "linear", "d0 a\\ ", 1);
	assert_target(t, 1, 8, 8, "linear", "d0 b\\\\", 2);
	assert_int_equal(dmb_split_args(t->targets[0].params, 4, &argc, argv), 0);
	assert_int_equal(argc, 2);
	assert_string_equal(argv[1], "a ");
	assert_int_equal(dmb_split_args(t->targets[1].params, 4, &argc, argv), 0);
	assert_int_equal(argc, 2);
	assert_string_equal(argv[1], "b\\");
	dmb_table_destroy(t);
}

static void test_table_add(void **state)
{
	struct dmb_table *t;

	(void)state;
	assert_int_equal(dmb_table_create(&ctx, &t), 0);
	assert_int_equal(dmb_table_sectors(t), 0);
	assert_int_equal(dmb_table_add(&ctx, t, 1, 8, "zero", "", 0), DMB_EINVAL);
	assert_string_equal(ctx.msg, "line 0: table must start at sector 0, not 1");
	assert_int_equal(dmb_table_add(&ctx, t, 0, 8, "", "", 0), DMB_EINVAL);
	assert_string_equal(ctx.msg, "line 0: missing target type");
	assert_int_equal(dmb_table_add(&ctx, t, 0, 8, "abcdefghijklmnopqrstuvwxyz", "", 7),
			 DMB_EINVAL);
	assert_string_equal(ctx.msg,
			    "line 7: target type name \"abcdefghijklmnopqrst...\" longer than 15 bytes");
	for (uint64_t i = 0; i < 20; i++)
		assert_int_equal(dmb_table_add(&ctx, t, i * 4, 4, "linear", "d0 0", (unsigned)i + 1), 0);
	assert_int_equal(t->count, 20);
	assert_int_equal(dmb_table_sectors(t), 80);
	assert_target(t, 19, 76, 4, "linear", "d0 0", 20);
	assert_int_equal(dmb_table_add(&ctx, t, 80, UINT64_MAX, "zero", "", 21), DMB_ERANGE);
	assert_string_equal(ctx.msg,
			    "line 21: target end 80 + 18446744073709551615 is past 2^64-1 sectors");
	assert_int_equal(t->count, 20);
	dmb_table_destroy(t);
	dmb_table_destroy(NULL);
}

/* --- dmb_table_add_argv ----------------------------------------------------- */

/*
 * What a table and a device made of it say: the first error of building the
 * table (r_table) or, when it builds, of dmb_dev_create(), with ctx.msg.
 */
static int load(struct dmb_table *t, int r_table)
{
	struct dmb_dev *dev = NULL;
	int r = r_table;

	if (!r) {
		r = dmb_dev_create(&ctx, t, 0, &dev);
		dmb_dev_destroy(dev);
	}
	dmb_table_destroy(t);
	return r;
}

/* A 1025-argument line ("zero x x ..."), for the argument cap. */
#define MANY_ARGS (DMB_TARGET_MAX_ARGS + 1)
static const char *many_argv[MANY_ARGS];

/*
 * Named malformed targets built from parts, each with the error and message
 * dmb_table_add_argv() (or dmb_dev_create() on its table) must give, and,
 * where text can say the same, the equivalent line, which must fail in
 * dmb_table_parse() or dmb_dev_create() with the same error and message.
 * Rows with after_first go after a "0 8 zero" target.
 */
static void test_table_add_argv_malformed(void **state)
{
	static const char *const d0_empty[] = { "d0", "" };
	static const char *const nl[] = { "d\n0", "0" };
	static const char *const one[] = { "x" };
	static const struct {
		const char *name;
		bool after_first;
		uint64_t start, len;
		const char *type;
		unsigned argc;
		const char *const *argv;
		const char *text;  /* the equivalent line, or NULL */
		int err;
		const char *msg;
	} rows[] = {
		{ "zero length", false, 0, 0, "zero", 0, NULL, "0 0 zero", DMB_EINVAL,
		  "line 1: zero-length target" },
		{ "first target not at sector 0", false, 8, 8, "zero", 0, NULL, "8 8 zero", DMB_EINVAL,
		  "line 1: table must start at sector 0, not 8" },
		{ "gap", true, 9, 8, "zero", 0, NULL, "9 8 zero", DMB_EINVAL,
		  "line 2: gap in table: target starts at sector 9, previous target ends at 8" },
		{ "overlap", true, 4, 8, "zero", 0, NULL, "4 8 zero", DMB_EINVAL,
		  "line 2: overlap in table: target starts at sector 4, previous target ends at 8" },
		{ "end past 2^64-1", true, 8, UINT64_MAX, "zero", 0, NULL,
		  "8 18446744073709551615 zero", DMB_ERANGE,
		  "line 2: target end 8 + 18446744073709551615 is past 2^64-1 sectors" },
		{ "type name too long", false, 0, 8, "abcdefghijklmnopq", 0, NULL,
		  "0 8 abcdefghijklmnopq", DMB_EINVAL,
		  "line 1: target type name \"abcdefghijklmnopq\" longer than 15 bytes" },
		{ "unknown type", false, 0, 8, "nosuch", 0, NULL, "0 8 nosuch", DMB_ENOENT,
		  "line 1: nosuch: unknown target type" },
		{ "too many arguments", false, 0, 8, "zero", MANY_ARGS, many_argv, "many", DMB_ERANGE,
		  "line 1: zero: more than 1024 arguments" },
		{ "arguments the target refuses", true, 8, 8, "zero", 1, one, "8 8 zero x", DMB_EINVAL,
		  "line 2: zero: No arguments required" },
		{ "empty type", false, 0, 8, "", 0, NULL, NULL, DMB_EINVAL,
		  "line 1: missing target type" },
		{ "type with white space", false, 0, 8, "ze ro", 0, NULL, NULL, DMB_EINVAL,
		  "line 1: target type name \"ze ro\" holds white space, '#' or '\\'" },
		{ "type with '#'", false, 0, 8, "a#b", 0, NULL, NULL, DMB_EINVAL,
		  "line 1: target type name \"a#b\" holds white space, '#' or '\\'" },
		{ "type with '\\'", false, 0, 8, "a\\", 0, NULL, NULL, DMB_EINVAL,
		  "line 1: target type name \"a\\\" holds white space, '#' or '\\'" },
		{ "empty argument", false, 0, 8, "linear", 2, d0_empty, NULL, DMB_EINVAL,
		  "line 1: argument 2 is empty, which a table cannot hold" },
		{ "newline in an argument", false, 0, 8, "linear", 2, nl, NULL, DMB_EINVAL,
		  "line 1: newline inside target arguments" },
	};
	static char many_text[16 + 2 * MANY_ARGS];

	(void)state;
	strcpy(many_text, "0 8 zero");
	for (unsigned i = 0; i < MANY_ARGS; i++) {
		many_argv[i] = "x";
		strcat(many_text, " x");
	}
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct dmb_table *t;
		int r;

		assert_int_equal(dmb_table_create(&ctx, &t), 0);
		if (rows[i].after_first)
			assert_int_equal(dmb_table_add_argv(&ctx, t, 0, 8, "zero", 0, NULL), 0);
		r = dmb_table_add_argv(&ctx, t, rows[i].start, rows[i].len, rows[i].type,
				       rows[i].argc, rows[i].argv);
		if (!r)
			assert_int_equal(t->targets[t->count - 1].line, t->count);
		r = load(t, r);
		if (r != rows[i].err || strcmp(ctx.msg, rows[i].msg) != 0)
			fail_msg("%s: got %d \"%s\", want %d \"%s\"", rows[i].name, r, ctx.msg,
				 rows[i].err, rows[i].msg);
		if (rows[i].text) {
			char text[sizeof(many_text) + 16];

			snprintf(text, sizeof(text), "%s%s\n", rows[i].after_first ? "0 8 zero\n" : "",
				 strcmp(rows[i].text, "many") ? rows[i].text : many_text);
			r = dmb_table_parse(&ctx, text, strlen(text), &t);
			r = load(r ? NULL : t, r);
			if (r != rows[i].err || strcmp(ctx.msg, rows[i].msg) != 0)
				fail_msg("%s (text): got %d \"%s\", want %d \"%s\"", rows[i].name, r,
					 ctx.msg, rows[i].err, rows[i].msg);
		}
	}
}

/* The target cap: both routes stop at the same target with the same message. */
static void test_table_add_argv_target_cap(void **state)
{
	const size_t n = DMB_TABLE_MAX_TARGETS + 1;
	char *text = malloc(n * 24), *p = text;
	struct dmb_table *t;
	int r = 0;

	(void)state;
	assert_int_equal(dmb_table_create(&ctx, &t), 0);
	for (size_t i = 0; i < n && !r; i++) {
		r = dmb_table_add_argv(&ctx, t, i, 1, "zero", 0, NULL);
		p += sprintf(p, "%zu 1 zero\n", i);
	}
	assert_int_equal(r, DMB_ERANGE);
	assert_string_equal(ctx.msg, "line 65537: more than 65536 targets");
	assert_int_equal(t->count, DMB_TABLE_MAX_TARGETS);
	dmb_table_destroy(t);
	assert_int_equal(dmb_table_parse(&ctx, text, (size_t)(p - text), &t), DMB_ERANGE);
	assert_string_equal(ctx.msg, "line 65537: more than 65536 targets");
	free(text);
}

/*
 * Arguments with characters the text form escapes come back from
 * dmb_split_args() unchanged, and the target equals the parse of the line a
 * device prints for it.
 */
static void test_table_add_argv_escapes(void **state)
{
	static const char *const argv[] = { "a b", "c\\", "#d", "e\tf", " ", "g\\ h" };
	const unsigned argc = sizeof(argv) / sizeof(argv[0]);
	static const char *const lin[] = { "d0", "8" };
	struct dmb_table *t, *back;
	struct dmb_dev *dev;
	char *split[8], text[256];
	unsigned n;
	int len;

	(void)state;
	assert_int_equal(dmb_table_create(&ctx, &t), 0);
	assert_int_equal(dmb_table_add_argv(&ctx, t, 0, 8, "linear", 2, lin), 0);
	assert_int_equal(dmb_table_add_argv(&ctx, t, 8, 4, "error", argc, argv), 0);
	assert_target(t, 0, 0, 8, "linear", "d0 8", 1);
	assert_target(t, 1, 8, 4, "error", "a\\ b c\\\\ \\#d e\\\tf \\  g\\\\\\ h", 2);
	{
		char params[128];

		snprintf(params, sizeof(params), "%s", t->targets[1].params);
		assert_int_equal(dmb_split_args(params, 8, &n, split), 0);
		assert_int_equal(n, argc);
		for (unsigned i = 0; i < argc; i++)
			assert_string_equal(split[i], argv[i]);
	}
	/* The printed line of each target parses back to what was built. */
	snprintf(text, sizeof(text), "0 8 linear %s\n8 4 error %s\n", t->targets[0].params,
		 t->targets[1].params);
	assert_int_equal(dmb_table_parse(&ctx, text, strlen(text), &back), 0);
	for (size_t i = 0; i < 2; i++)
		assert_target(back, i, t->targets[i].start_sectors, t->targets[i].len_sectors,
			      t->targets[i].type, t->targets[i].params, t->targets[i].line);
	dmb_table_destroy(back);
	/* The error target takes any arguments; the device loads and prints. */
	assert_int_equal(dmb_dev_create(&ctx, t, 0, &dev), 0);
	len = dmb_dev_format(dev, DMB_FMT_TABLE, 0, text, sizeof(text));
	assert_true(len > 0 && (size_t)len < sizeof(text));
	assert_string_equal(text, "0 8 linear d0 8\n8 4 error \n");
	dmb_dev_destroy(dev);
	dmb_table_destroy(t);
}

/* --- dmb_split_args -------------------------------------------------------- */

struct split_case {
	const char *in;
	unsigned argc;
	const char *argv[6];
};

static void test_split_args(void **state)
{
	static const struct split_case cases[] = {
		{ "", 0, { NULL } },
		{ " \t \n", 0, { NULL } },
		{ "a", 1, { "a" } },
		{ "  a  \t b\tc  ", 3, { "a", "b", "c" } },
		{ "a\\ b", 1, { "a b" } },
		{ "a\\\\b", 1, { "a\\b" } },
		{ "\\\\ x", 2, { "\\", "x" } },
		{ "\\x\\y\\z", 1, { "xyz" } },
		{ "a\\\tb c", 2, { "a\tb", "c" } },
		{ "a\\ ", 1, { "a " } },
		{ "a\\", 1, { "a\\" } },
		{ "\\\\\\ \\\\", 1, { "\\ \\" } },
		{ "d0 0 d1 8", 4, { "d0", "0", "d1", "8" } },
		{ "\\# #", 2, { "#", "#" } },
		{ "x\\  y", 2, { "x ", "y" } },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char buf[64], *argv[8];
		unsigned argc = 99;

		snprintf(buf, sizeof(buf), "%s", cases[i].in);
		assert_int_equal(dmb_split_args(buf, 8, &argc, argv), 0);
		if (argc != cases[i].argc)
			fail_msg("case %zu \"%s\": argc %u, want %u", i, cases[i].in, argc,
				 cases[i].argc);
		for (unsigned k = 0; k < argc; k++)
			assert_string_equal(argv[k], cases[i].argv[k]);
	}
}

static void test_split_args_max(void **state)
{
	char buf[64], *argv[4];
	unsigned argc = 99;

	(void)state;
	strcpy(buf, "a b c");
	assert_int_equal(dmb_split_args(buf, 3, &argc, argv), 0);
	assert_int_equal(argc, 3);
	strcpy(buf, "a b c");
	assert_int_equal(dmb_split_args(buf, 2, &argc, argv), DMB_ERANGE);
	strcpy(buf, "a\\ b\\ c");
	assert_int_equal(dmb_split_args(buf, 1, &argc, argv), 0);
	assert_int_equal(argc, 1);
	assert_string_equal(argv[0], "a b c");
	strcpy(buf, "  ");
	assert_int_equal(dmb_split_args(buf, 0, &argc, argv), 0);
	assert_int_equal(argc, 0);
	strcpy(buf, "x");
	assert_int_equal(dmb_split_args(buf, 0, &argc, argv), DMB_ERANGE);
}

/* --- malformed tables, one named row each ---------------------------------- */

struct bad_table {
	const char *name;
	const char *text;
	size_t len;     /* 0: strlen(text) */
	int err;
	const char *msg;
};

static const struct bad_table bad_tables[] = {
	{ "gap", "0 8 zero\n10 8 zero\n", 0, DMB_EINVAL,
	  "line 2: gap in table: target starts at sector 10, previous target ends at 8" },
	{ "gap of one sector", "0 8 zero\n9 8 zero\n", 0, DMB_EINVAL,
	  "line 2: gap in table: target starts at sector 9, previous target ends at 8" },
	{ "overlap of one sector", "0 8 zero\n7 8 zero\n", 0, DMB_EINVAL,
	  "line 2: overlap in table: target starts at sector 7, previous target ends at 8" },
	{ "overlap", "0 8 zero\n4 8 zero\n", 0, DMB_EINVAL,
	  "line 2: overlap in table: target starts at sector 4, previous target ends at 8" },
	{ "repeated start", "0 8 zero\n0 8 zero\n", 0, DMB_EINVAL,
	  "line 2: overlap in table: target starts at sector 0, previous target ends at 8" },
	{ "not starting at 0", "# first\n5 8 zero\n", 0, DMB_EINVAL,
	  "line 2: table must start at sector 0, not 5" },
	{ "zero length", "0 0 zero\n", 0, DMB_EINVAL, "line 1: zero-length target" },
	{ "zero length later", "0 8 zero\n8 0 zero\n", 0, DMB_EINVAL,
	  "line 2: zero-length target" },
	{ "device too small", "0 65 linear d0 0\n", 0, DMB_ERANGE,
	  "line 1: linear: d0 too small for target: start=0, len=65, dev_size=64" },
	{ "extent past device end", "0 8 zero\n8 8 linear d1 57\n", 0, DMB_ERANGE,
	  "line 2: linear: d1 too small for target: start=57, len=8, dev_size=64" },
	{ "second extent on a device too small", "0 8 linear d0 0\n8 8 linear d0 60\n", 0,
	  DMB_ERANGE, "line 2: linear: d0 too small for target: start=60, len=8, dev_size=64" },
	{ "linear offset wraps", "0 8 linear d0 18446744073709551615\n", 0, DMB_ERANGE,
	  "line 1: linear: d0 too small for target: start=18446744073709551615, len=8, dev_size=64" },
	{ "stripe too small", "0 16 striped 2 8 d0 0 d1 57\n", 0, DMB_ERANGE,
	  "line 1: striped: d1 too small for target: start=57, len=8, dev_size=64" },
	{ "trailing junk in length", "0 100x zero\n", 0, DMB_EINVAL,
	  "line 1: invalid length \"100x\"" },
	{ "trailing junk in start", "0z 100 zero\n", 0, DMB_EINVAL,
	  "line 1: invalid start sector \"0z\"" },
	{ "hex start in dmsetup text", "0x0 8 zero\n", 0, DMB_EINVAL,
	  "line 1: invalid start sector \"0x0\"" },
	{ "negative length", "0 -8 zero\n", 0, DMB_EINVAL, "line 1: invalid length \"-8\"" },
	{ "plus sign", "0 +8 zero\n", 0, DMB_EINVAL, "line 1: invalid length \"+8\"" },
	{ "start 2^64", "18446744073709551616 8 zero\n", 0, DMB_ERANGE,
	  "line 1: start sector \"18446744073709551616\" is out of range" },
	{ "length 2^64", "0 18446744073709551616 zero\n", 0, DMB_ERANGE,
	  "line 1: length \"18446744073709551616\" is out of range" },
	{ "start+len past 2^64-1", "0 18446744073709551615 zero\n18446744073709551615 1 zero\n", 0,
	  DMB_ERANGE, "line 2: target end 18446744073709551615 + 1 is past 2^64-1 sectors" },
	{ "first target past 2^64-1", "1 18446744073709551615 zero\n", 0, DMB_ERANGE,
	  "line 1: target end 1 + 18446744073709551615 is past 2^64-1 sectors" },
	{ "unknown target type", "0 8 frobnicate d0 0\n", 0, DMB_ENOENT,
	  "line 1: frobnicate: unknown target type" },
	{ "type names are case-sensitive", "0 8 Linear d0 0\n", 0, DMB_ENOENT,
	  "line 1: Linear: unknown target type" },
	{ "missing device", "0 8 zero\n8 8 linear nosuch 0\n", 0, DMB_ENOENT,
	  "line 2: linear: Device lookup failed: nosuch" },
	{ "missing stripe device", "0 16 striped 2 8 d0 0 nosuch 0\n", 0, DMB_ENOENT,
	  "line 1: striped: Device lookup failed: nosuch" },
	{ "missing error device", "0 8 error nosuch 0\n", 0, DMB_ENOENT,
	  "line 1: error: Device lookup failed: nosuch" },
	{ "stripe count 0", "0 16 striped 0 8 d0 0\n", 0, DMB_EINVAL,
	  "line 1: striped: Invalid stripe count" },
	{ "stripe count x", "0 16 striped x 8 d0 0\n", 0, DMB_EINVAL,
	  "line 1: striped: Invalid stripe count" },
	{ "stripe count 2^32", "0 16 striped 4294967296 8 d0 0\n", 0, DMB_EINVAL,
	  "line 1: striped: Invalid stripe count" },
	{ "stripe count 2^32-1", "0 4294967295 striped 4294967295 1 d0 0\n", 0, DMB_EINVAL,
	  "line 1: striped: Not enough destinations specified" },
	{ "chunk size 0", "0 16 striped 2 0 d0 0 d1 0\n", 0, DMB_EINVAL,
	  "line 1: striped: Invalid chunk_size" },
	{ "chunk size junk", "0 16 striped 2 8k d0 0 d1 0\n", 0, DMB_EINVAL,
	  "line 1: striped: Invalid chunk_size" },
	{ "striped too few arguments", "0 16 striped 2\n", 0, DMB_EINVAL,
	  "line 1: striped: Not enough arguments" },
	{ "length not divisible by stripes", "0 15 striped 2 1 d0 0 d1 0\n", 0, DMB_EINVAL,
	  "line 1: striped: Target length not divisible by number of stripes" },
	{ "length not divisible by chunk", "0 12 striped 2 4 d0 0 d1 0\n", 0, DMB_EINVAL,
	  "line 1: striped: Target length not divisible by chunk size" },
	{ "too few destinations", "0 16 striped 2 8 d0 0\n", 0, DMB_EINVAL,
	  "line 1: striped: Not enough destinations specified" },
	{ "too many destinations", "0 16 striped 1 8 d0 0 d1 0\n", 0, DMB_EINVAL,
	  "line 1: striped: Not enough destinations specified" },
	{ "odd destination list", "0 16 striped 2 8 d0 0 d1\n", 0, DMB_EINVAL,
	  "line 1: striped: Not enough destinations specified" },
	{ "bad stripe offset", "0 16 striped 2 8 d0 0 d1 -1\n", 0, DMB_EINVAL,
	  "line 1: striped: Couldn't parse stripe destination" },
	{ "linear one argument", "0 8 zero\n8 8 linear d0\n", 0, DMB_EINVAL,
	  "line 2: linear: Invalid argument count" },
	{ "linear three arguments", "0 8 linear d0 0 0\n", 0, DMB_EINVAL,
	  "line 1: linear: Invalid argument count" },
	{ "linear no arguments", "0 8 linear\n", 0, DMB_EINVAL,
	  "line 1: linear: Invalid argument count" },
	{ "linear bad offset", "0 8 linear d0 1x\n", 0, DMB_EINVAL,
	  "line 1: linear: Invalid device sector" },
	{ "linear offset 2^64", "0 8 linear d0 18446744073709551616\n", 0, DMB_EINVAL,
	  "line 1: linear: Invalid device sector" },
	{ "error bad offset", "0 8 error d0 x\n", 0, DMB_EINVAL,
	  "line 1: error: Invalid device sector" },
	{ "zero with arguments", "0 8 zero d0\n", 0, DMB_EINVAL,
	  "line 1: zero: No arguments required" },
	{ "zero with escaped blank", "0 8 zero \\ \n", 0, DMB_EINVAL,
	  "line 1: zero: No arguments required" },
	{ "type name of 16 bytes", "0 8 abcdefghijklmnop\n", 0, DMB_EINVAL,
	  "line 1: target type name \"abcdefghijklmnop\" longer than 15 bytes" },
	{ "missing type", "0 8\n", 0, DMB_EINVAL,
	  "line 1: invalid format: expected <start> <length> <type> [<arguments>]" },
	{ "missing type before comment", "0 8 # zero\n", 0, DMB_EINVAL,
	  "line 1: invalid format: expected <start> <length> <type> [<arguments>]" },
	{ "empty table", "", 0, DMB_EINVAL, "table has no targets" },
	{ "only comments", "# nothing\n\n \t\n#0 8 zero\n", 0, DMB_EINVAL,
	  "table has no targets" },
	{ "NUL byte", "0 8 zero\n8 8\0 zero\n", 18, DMB_EINVAL, "line 2: NUL byte in table" },
	{ "NUL byte in comment", "0 8 zero # \0\n", 12, DMB_EINVAL, "line 1: NUL byte in table" },
	{ "line number counts comments", "#\n\n0 8 zero x\n", 0, DMB_EINVAL,
	  "line 3: zero: No arguments required" },
};

static void run_bad_table(const struct bad_table *b)
{
	size_t len = b->len ? b->len : strlen(b->text);
	struct dmb_table *t = (struct dmb_table *)1;
	struct dmb_dev *dev = (struct dmb_dev *)1;
	int r;

	dmb_ctx_clear(&ctx);
	r = dmb_table_parse(&ctx, b->text, len, &t);
	if (r == 0) {
		assert_non_null(t);
		r = dmb_dev_create(&ctx, t, 0, &dev);
		dmb_table_destroy(t);
		if (r == 0)
			dmb_dev_destroy(dev);
		else if (dev != NULL)
			fail_msg("%s: *out not NULL after failure", b->name);
	} else if (t != NULL) {
		fail_msg("%s: *out not NULL after failure", b->name);
	}
	if (r != b->err || strcmp(ctx.msg, b->msg) != 0)
		fail_msg("%s: got %d \"%s\", want %d \"%s\"", b->name, r, ctx.msg, b->err, b->msg);
	assert_int_equal(ctx.err, b->err);
	assert_int_equal(res.opens, res.closes);
	assert_int_equal(test_port_live_allocs(), baseline);
}

static void test_bad_tables(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad_tables); i++)
		run_bad_table(&bad_tables[i]);
}

/*
 * A number token is judged by its digits, not its length: a long
 * non-numeric token is a syntax error (DMB_EINVAL, not "out of range"),
 * and zero padding does not overflow anything.
 */
static void test_long_number_tokens(void **state)
{
	static const struct bad_table rows[] = {
		{ "long overflowing length", "0 1000000000000000000000000000000000000000000000 zero\n",
		  0, DMB_ERANGE,
		  "line 1: length \"1000000000000000000000000000000000000000\" is out of range" },
		{ "long junk start", "abcdefghijklmnopqrstuvwxyzabcdefgh 8 zero\n", 0, DMB_EINVAL,
		  "line 1: invalid start sector \"abcdefghijklmnopqrstuvwxyzabcdefgh\"" },
	};
	struct dmb_table *t;

	(void)state;
	t = parse_ok("0 0000000000000000000000000000000000000008 zero\n");
	assert_int_equal(dmb_table_sectors(t), 8);
	dmb_table_destroy(t);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
		run_bad_table(&rows[i]);
}

static void test_bad_table_sizes(void **state)
{
	size_t n = DMB_TABLE_MAX_BYTES + 1;
	char *big = malloc(n + 1), *args;
	struct bad_table b = { "table over 1 MiB", big, n, DMB_ERANGE,
			       "table is larger than 1048576 bytes" };
	size_t at;

	(void)state;
	assert_non_null(big);
	memset(big, '#', n);
	big[n] = '\0';
	run_bad_table(&b);

	/* 1024 arguments reach the constructor; 1025 do not. */
	args = malloc(16 + 2 * 1025 + 2);
	assert_non_null(args);
	at = (size_t)sprintf(args, "0 8 zero");
	for (int i = 0; i < 1024; i++)
		at += (size_t)sprintf(args + at, " x");
	b = (struct bad_table){ "1024 arguments", args, 0, DMB_EINVAL,
				"line 1: zero: No arguments required" };
	run_bad_table(&b);
	sprintf(args + at, " x");
	b = (struct bad_table){ "1025 arguments", args, 0, DMB_ERANGE,
				"line 1: zero: more than 1024 arguments" };
	run_bad_table(&b);
	free(args);
	free(big);
}

/* A resolver's own message becomes the reason; a NULL resolver is reported. */
static void test_resolver_errors(void **state)
{
	struct dmb_dev *dev;

	(void)state;
	res.enoent_msg = "nosuch: no such partition";
	assert_int_equal(create_from_text(&ctx, "0 8 linear nosuch 0", 0, &dev), DMB_ENOENT);
	assert_null(dev);
	assert_string_equal(ctx.msg, "line 1: linear: Device lookup failed: nosuch: no such partition");
	res.enoent_msg = NULL;

	res.fail_open = DMB_EACCES;
	assert_int_equal(create_from_text(&ctx, "0 8 zero\n8 8 linear d0 0", 0, &dev), DMB_EACCES);
	assert_string_equal(ctx.msg, "line 2: linear: Device lookup failed: d0");
	res.fail_open = 0;

	ctx.resolver = NULL;
	assert_int_equal(create_from_text(&ctx, "0 8 linear d0 0", 0, &dev), DMB_ENOENT);
	assert_string_equal(ctx.msg, "line 1: linear: Device lookup failed: d0: no resolver configured");
	/* Tables that name no device need no resolver. */
	assert_int_equal(create_from_text(&ctx, "0 8 zero\n8 8 error", 0, &dev), 0);
	dmb_dev_destroy(dev);
	ctx.resolver = &res.r;

	/* The second stripe fails after the first was opened: nothing stays open. */
	assert_int_equal(create_from_text(&ctx, "0 16 striped 2 8 d0 0 d1 60", 0, &dev), DMB_ERANGE);
	assert_int_equal(res.dev[0].opens, 1);
	assert_int_equal(res.dev[0].closes, 1);
	assert_int_equal(dmb_dev_create(&ctx, NULL, 0, &dev), DMB_EINVAL);
	assert_string_equal(ctx.msg, "table has no targets");
}

/* The parsers record nothing, and do not crash, without a context. */
static void test_parse_without_ctx(void **state)
{
	struct dmb_table *t;
	struct dmb_concise *c;

	(void)state;
	assert_int_equal(dmb_table_parse(NULL, "0 0 zero", 8, &t), DMB_EINVAL);
	assert_null(t);
	assert_int_equal(dmb_table_parse(NULL, "0 8 zero", 8, &t), 0);
	dmb_table_destroy(t);
	assert_int_equal(dmb_concise_parse(NULL, "a,,,rw,0 8 zero,9 1 zero", 24, 0, &c), DMB_EINVAL);
	assert_null(c);
	assert_int_equal(dmb_concise_parse(NULL, "a,,x,rw,0 8 zero", 16, 0, &c), DMB_EINVAL);
	assert_int_equal(dmb_concise_parse(NULL, "a,,,rw,0 8 zero", 15, 0, &c), 0);
	dmb_concise_destroy(c);
	assert_string_equal(ctx.msg, "");
}

/* --- concise form ---------------------------------------------------------- */

static struct dmb_concise *concise_ok(const char *text, unsigned flags)
{
	struct dmb_concise *c = NULL;
	int r = dmb_concise_parse(&ctx, text, strlen(text), flags, &c);

	if (r)
		fail_msg("concise \"%s\" failed: %d %s", text, r, ctx.msg);
	return c;
}

static void test_concise_dmsetup(void **state)
{
	struct dmb_concise *c;

	(void)state;
	c = concise_ok("vol,,,rw,0 8 zero", 0);
	assert_int_equal(c->count, 1);
	assert_string_equal(c->devs[0].name, "vol");
	assert_string_equal(c->devs[0].uuid, "");
	assert_int_equal(c->devs[0].minor, -1);
	assert_false(c->devs[0].read_only);
	assert_int_equal(c->devs[0].table->count, 1);
	assert_target(c->devs[0].table, 0, 0, 8, "zero", "", 1);
	dmb_concise_destroy(c);

	/* Several devices and tables; empty flags mean rw; fields are trimmed. */
	c = concise_ok(" root , CRYPT-1 , 7 , ro , 0 8 linear d0 0 , 8 8 zero ;"
		       "two,,,,0 4 striped 1 4 d1 0;"
		       "three,u,1048575,rw,0 1 error,1 1 error,2 1 error;", 0);
	assert_int_equal(c->count, 3);
	assert_string_equal(c->devs[0].name, "root");
	assert_string_equal(c->devs[0].uuid, "CRYPT-1");
	assert_int_equal(c->devs[0].minor, 7);
	assert_true(c->devs[0].read_only);
	assert_int_equal(c->devs[0].table->count, 2);
	assert_target(c->devs[0].table, 0, 0, 8, "linear", "d0 0", 1);
	assert_target(c->devs[0].table, 1, 8, 8, "zero", "", 2);
	assert_string_equal(c->devs[1].name, "two");
	assert_false(c->devs[1].read_only);
	assert_int_equal(c->devs[1].minor, -1);
	assert_target(c->devs[1].table, 0, 0, 4, "striped", "1 4 d1 0", 1);
	assert_int_equal(c->devs[2].minor, 1048575);
	assert_int_equal(c->devs[2].table->count, 3);
	assert_target(c->devs[2].table, 2, 2, 1, "error", "", 3);
	dmb_concise_destroy(c);

	/* Escapes: "\," and "\;" are literal, "\\" is one backslash, which the
	 * table line then uses as its own escape. */
	c = concise_ok("a\\,b\\;c,u\\\\id,,rw,0 8 linear x\\\\ y\\,z 0,8 8 zero # c\\, d", 0);
	assert_int_equal(c->count, 1);
	assert_string_equal(c->devs[0].name, "a,b;c");
	assert_string_equal(c->devs[0].uuid, "u\\id");
	assert_target(c->devs[0].table, 0, 0, 8, "linear", "x\\ y,z 0", 1);
	assert_target(c->devs[0].table, 1, 8, 8, "zero", "", 2);
	dmb_concise_destroy(c);
}

struct bad_concise {
	const char *name;
	const char *text;
	unsigned flags;
	int err;
	const char *msg;
};

#define FIVE_FIELDS "five comma-separated fields are required: <name>,<uuid>,<minor>,<flags>,<table>[,<table>...]"

static const struct bad_concise bad_concise[] = {
	{ "empty", "", 0, DMB_EINVAL, "device 1: " FIVE_FIELDS },
	{ "four fields", "a,,,rw", 0, DMB_EINVAL, "device 1: " FIVE_FIELDS },
	{ "escaped separator leaves four", "a,,,rw\\,0 8 zero", 0, DMB_EINVAL,
	  "device 1: " FIVE_FIELDS },
	{ "second device short", "a,,,rw,0 8 zero;b,,,rw", 0, DMB_EINVAL, "device 2: " FIVE_FIELDS },
	{ "bad flags", "a,,,rx,0 8 zero", 0, DMB_EINVAL,
	  "device 1 (a): invalid flags \"rx\": must be 'ro' or 'rw'" },
	{ "flags are case-sensitive", "a,,,RO,0 8 zero", 0, DMB_EINVAL,
	  "device 1 (a): invalid flags \"RO\": must be 'ro' or 'rw'" },
	{ "bad minor", "a,,x,rw,0 8 zero", 0, DMB_EINVAL, "device 1 (a): invalid minor \"x\"" },
	{ "hex minor in dmsetup mode", "a,,0x10,rw,0 8 zero", 0, DMB_EINVAL,
	  "device 1 (a): invalid minor \"0x10\"" },
	{ "negative minor", "a,,-1,rw,0 8 zero", 0, DMB_EINVAL, "device 1 (a): invalid minor \"-1\"" },
	{ "minor 2^20", "a,,1048576,rw,0 8 zero", 0, DMB_ERANGE,
	  "device 1 (a): invalid minor \"1048576\"" },
	{ "trailing backslash", "a,,,rw,0 8 zero\\", 0, DMB_EINVAL,
	  "backslash must be followed by another character at end of string" },
	{ "empty name", " ,,,rw,0 8 zero", 0, DMB_EINVAL, "device 1: empty name" },
	{ "empty table field", "a,,,rw,0 8 zero, ", 0, DMB_EINVAL, "device 1 (a): table 2 is empty" },
	{ "comment-only table field", "a,,,rw,# 0 8 zero", 0, DMB_EINVAL,
	  "device 1 (a): table 1 is empty" },
	{ "gap between tables", "a,,,rw,0 8 zero,9 8 zero", 0, DMB_EINVAL,
	  "device 1 (a): table line 2: gap in table: target starts at sector 9, previous target ends at 8" },
	{ "bad number in table", "a,,,rw,0 8x zero", 0, DMB_EINVAL,
	  "device 1 (a): table line 1: invalid length \"8x\"" },
	{ "NUL byte", "a,,,rw,0 8 zero\0", 0, DMB_EINVAL, "NUL byte in concise table" },
	{ "escaped newline in an argument", "a,,,rw,0 8 linear d\\\n0 0", 0, DMB_EINVAL,
	  "device 1 (a): table line 1: newline inside target arguments" },
	{ "newline between arguments", "a,,,rw,0 8 linear d0\n0", 0, DMB_EINVAL,
	  "device 1 (a): table line 1: newline inside target arguments" },
	{ "kernel: zero refused", "a,,,rw,0 8 zero", DMB_CONCISE_KERNEL, DMB_EINVAL,
	  "device 1 (a): table line 1: target type \"zero\" is not allowed in dm-mod.create=" },
	{ "kernel: error refused", "a,,,ro,0 8 linear d0 0,8 8 error", DMB_CONCISE_KERNEL, DMB_EINVAL,
	  "device 1 (a): table line 2: target type \"error\" is not allowed in dm-mod.create=" },
	{ "kernel: empty flags", "a,,,,0 8 linear d0 0", DMB_CONCISE_KERNEL, DMB_EINVAL,
	  "device 1 (a): invalid flags \"\": must be 'ro' or 'rw'" },
	{ "kernel: bad octal minor", "a,,08,rw,0 8 linear d0 0", DMB_CONCISE_KERNEL, DMB_EINVAL,
	  "device 1 (a): invalid minor \"08\"" },
	{ "kernel: no escapes", "a\\,b,,,rw,0 8 linear d0 0", DMB_CONCISE_KERNEL, DMB_EINVAL,
	  "device 1 (a\\): invalid flags \"\": must be 'ro' or 'rw'" },
	{ "kernel: no comments", "a,,,rw,0 8 linear d0 0 # c,# 8 linear", DMB_CONCISE_KERNEL, DMB_EINVAL,
	  "device 1 (a): table line 2: invalid start sector \"#\"" },
};

static void run_bad_concise(const struct bad_concise *b, size_t len)
{
	struct dmb_concise *c = (struct dmb_concise *)1;
	int r;

	dmb_ctx_clear(&ctx);
	r = dmb_concise_parse(&ctx, b->text, len, b->flags, &c);
	if (r != b->err || strcmp(ctx.msg, b->msg) != 0)
		fail_msg("%s: got %d \"%s\", want %d \"%s\"", b->name, r, ctx.msg, b->err, b->msg);
	assert_null(c);
	assert_int_equal(test_port_live_allocs(), baseline);
}

static void test_concise_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad_concise); i++) {
		const struct bad_concise *b = &bad_concise[i];

		/* The NUL row is the only one whose length is not strlen(). */
		run_bad_concise(b, strcmp(b->name, "NUL byte") == 0 ? strlen(b->text) + 1
								       : strlen(b->text));
	}
}

static void test_concise_long_name(void **state)
{
	char text[400];
	struct dmb_concise *c;
	struct bad_concise b = { "name of 128 bytes", text, 0, DMB_EINVAL,
				 "device 1: name longer than 127 bytes" };

	(void)state;
	memset(text, 'n', 127);
	strcpy(text + 127, ",,,rw,0 8 zero");
	c = concise_ok(text, 0);
	assert_int_equal(strlen(c->devs[0].name), 127);
	dmb_concise_destroy(c);
	memset(text, 'n', 128);
	strcpy(text + 128, ",,,rw,0 8 zero");
	run_bad_concise(&b, strlen(text));

	memcpy(text, "n,", 2);
	memset(text + 2, 'u', 129);
	strcpy(text + 131, ",,rw,0 8 zero");
	b = (struct bad_concise){ "uuid of 129 bytes", text, 0, DMB_EINVAL,
				  "device 1 (n): uuid longer than 128 bytes" };
	run_bad_concise(&b, strlen(text));
}

static void test_concise_kernel(void **state)
{
	struct dmb_concise *c;
	struct dmb_dev *dev;
	char text[8192];
	size_t at;

	(void)state;
	/* C-notation numbers, backslashes and '#' are plain characters. */
	c = concise_ok("boot,,0x10,ro,0 0x10 linear d0 0,0x10 010 striped 1 8 d1 0;"
		       "x\\y,,010,rw,0 8 linear d0 # 1;", DMB_CONCISE_KERNEL);
	assert_int_equal(c->count, 2);
	assert_int_equal(c->devs[0].minor, 16);
	assert_true(c->devs[0].read_only);
	assert_target(c->devs[0].table, 0, 0, 16, "linear", "d0 0", 1);
	assert_target(c->devs[0].table, 1, 16, 8, "striped", "1 8 d1 0", 2);
	assert_string_equal(c->devs[1].name, "x\\y");
	assert_int_equal(c->devs[1].minor, 8);
	assert_target(c->devs[1].table, 0, 0, 8, "linear", "d0 # 1", 1);
	assert_int_equal(dmb_dev_create(&ctx, c->devs[0].table, DMB_DEV_READONLY, &dev), 0);
	assert_int_equal(dmb_dev_sectors(dev), 24);
	dmb_dev_destroy(dev);
	dmb_concise_destroy(c);

	/* A trailing backslash is fine without escapes. */
	c = concise_ok("a,,,rw,0 8 linear d0 0\\", DMB_CONCISE_KERNEL);
	assert_target(c->devs[0].table, 0, 0, 8, "linear", "d0 0\\", 1);
	dmb_concise_destroy(c);

	/* 4095 bytes are accepted, 4096 are not. */
	at = (size_t)sprintf(text, "a,,,rw,");
	memset(text + at, ' ', 4095 - at - strlen("0 8 linear d0 0"));
	strcpy(text + 4095 - strlen("0 8 linear d0 0"), "0 8 linear d0 0");
	assert_int_equal(strlen(text), 4095);
	c = concise_ok(text, DMB_CONCISE_KERNEL);
	dmb_concise_destroy(c);
	memmove(text + 1, text, 4096);
	text[0] = ' ';
	{
		struct bad_concise b = { "kernel: 4096 bytes", text, DMB_CONCISE_KERNEL, DMB_ERANGE,
					 "concise table is 4096 bytes, longer than 4095" };

		run_bad_concise(&b, 4096);
	}
	/* The same text is fine for dmsetup. */
	c = concise_ok(text, 0);
	dmb_concise_destroy(c);

	/* 256 targets per device, not 257. */
	at = (size_t)sprintf(text, "a,,,rw,0 1 delay");
	for (int i = 1; i < 256; i++)
		at += (size_t)sprintf(text + at, ",%d 1 delay", i);
	c = concise_ok(text, DMB_CONCISE_KERNEL);
	assert_int_equal(c->devs[0].table->count, 256);
	dmb_concise_destroy(c);
	sprintf(text + at, ",256 1 delay");
	{
		struct bad_concise b = { "kernel: 257 targets", text, DMB_CONCISE_KERNEL, DMB_ERANGE,
					 "device 1 (a): more than 256 targets" };

		run_bad_concise(&b, strlen(text));
	}
}

static void test_concise_escape(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(dmb_concise_escape(buf, sizeof(buf), "plain text"), 10);
	assert_string_equal(buf, "plain text");
	assert_int_equal(dmb_concise_escape(buf, sizeof(buf), "a,b;c\\d"), 10);
	assert_string_equal(buf, "a\\,b\\;c\\\\d");
	assert_int_equal(dmb_concise_escape(buf, sizeof(buf), ""), 0);
	assert_string_equal(buf, "");
	assert_int_equal(dmb_concise_escape(NULL, 0, ",,,"), 6);
	/* Truncated output is a NUL-terminated prefix. */
	for (size_t cap = 1; cap <= 11; cap++) {
		memset(buf, 'X', sizeof(buf));
		assert_int_equal(dmb_concise_escape(buf, cap, "a,b;c\\d"), 10);
		assert_int_equal(strlen(buf), cap - 1);
		assert_memory_equal(buf, "a\\,b\\;c\\\\d", cap - 1);
	}
}

/* --- property: print, parse, print ----------------------------------------- */

/* Lower devices, some with names that need escaping; "big" has 4 KiB blocks. */
static const char *const prop_names[] = { "d0", "d1", "a b", "c\\d", "e#f", "p,q;r", "t\tu", "big" };
#define PROP_DEV_SECTORS 96u

static void prop_devices(struct tres *t, struct rng *rng)
{
	tres_init(t);
	for (size_t i = 0; i < ARRAY_SIZE(prop_names); i++)
		tres_add(t, prop_names[i], PROP_DEV_SECTORS * SECTOR,
			 strcmp(prop_names[i], "big") == 0 ? 12 : 9, rng);
}

static void random_layout(struct rng *rng, const struct tres *t, struct layout *l)
{
	l->n = (size_t)rng_range(rng, 1, 6);
	for (size_t i = 0; i < l->n; i++) {
		struct tgt *g = &l->t[i];

		memset(g, 0, sizeof(*g));
		g->type = (int)rng_below(rng, 4);
		switch (g->type) {
		case T_LINEAR:
			g->len = rng_range(rng, 1, 40);
			g->dev[0] = (int)rng_below(rng, t->n);
			g->off[0] = rng_below(rng, PROP_DEV_SECTORS - g->len + 1);
			break;
		case T_STRIPED: {
			uint64_t rows;

			g->stripes = (unsigned)rng_range(rng, 1, TGT_MAX_STRIPES);
			g->chunk = (unsigned)rng_range(rng, 1, 7);
			rows = rng_range(rng, 1, 3);
			g->len = g->stripes * g->chunk * rows;
			for (unsigned k = 0; k < g->stripes; k++) {
				g->dev[k] = (int)rng_below(rng, t->n);
				g->off[k] = rng_below(rng, PROP_DEV_SECTORS - g->chunk * rows + 1);
			}
			break;
		}
		case T_ZERO:
			g->len = rng_range(rng, 1, 64);
			break;
		default:
			g->len = rng_range(rng, 1, 8);
			break;
		}
	}
}

/*
 * Every sector of dev reads as the model says (or fails where it says), one
 * sector at a time and one whole target at a time.
 */
static void check_against_model(struct dmb_dev *dev, const struct layout *l, const struct smap *m,
				const struct tres *t)
{
	uint64_t sectors = layout_sectors(l), start = 0;
	uint8_t *got = malloc((size_t)sectors * SECTOR), *want = malloc((size_t)sectors * SECTOR);

	assert_int_equal(dmb_dev_sectors(dev), sectors);
	for (uint64_t s = 0; s < sectors; s++) {
		int wr = model_read(m, t, s, 1, want);
		int r = dmb_bdev_read_sectors(dmb_dev_bdev(dev), s, 1, got);

		assert_int_equal(r, wr);
		if (!r)
			assert_memory_equal(got, want, SECTOR);
	}
	for (size_t i = 0; i < l->n; i++) {
		size_t n = (size_t)l->t[i].len;
		int wr = model_read(m, t, start, n, want);
		int r = dmb_bdev_read_sectors(dmb_dev_bdev(dev), start, n, got);

		assert_int_equal(r, wr);
		if (!r)
			assert_memory_equal(got, want, n * SECTOR);
		start += n;
	}
	free(got);
	free(want);
}

static void test_print_parse_property(void **state)
{
	struct rng rng;
	struct tres t;
	struct dmb_ctx pctx = { 0 };
	char *noisy = malloc(1 << 16), *canon = malloc(1 << 16);

	(void)state;
	assert_non_null(noisy);
	assert_non_null(canon);
	rng_seed(&rng, 0x7ab1e5eedull);
	prop_devices(&t, &rng);
	pctx.resolver = &t.r;
	for (int iter = 0; iter < 500; iter++) {
		struct layout l;
		struct dmb_dev *dev1, *dev2, *dev3;
		struct dmb_concise *c;
		struct smap *m;
		char *text1, *text2, *conc, *spec;
		uint8_t *img1, *img2;
		uint64_t sectors;
		int r;

		random_layout(&rng, &t, &l);
		sectors = layout_sectors(&l);
		layout_text(&l, &t, &rng, noisy, 1 << 16);
		layout_text(&l, &t, NULL, canon, 1 << 16);
		r = create_from_text(&pctx, noisy, 0, &dev1);
		if (r)
			fail_msg("iteration %d: %d %s\n%s", iter, r, pctx.msg, noisy);
		text1 = format_dev(dev1, DMB_FMT_TABLE, 0);
		if (strcmp(text1, canon) != 0)
			fail_msg("iteration %d: printed\n%s\nwant\n%s\nfrom\n%s", iter, text1, canon,
				 noisy);
		r = create_from_text(&pctx, text1, 0, &dev2);
		if (r)
			fail_msg("iteration %d: reparse: %d %s\n%s", iter, r, pctx.msg, text1);
		text2 = format_dev(dev2, DMB_FMT_TABLE, 0);
		assert_string_equal(text1, text2);

		/* Same bytes through both devices, and what the model says. */
		m = layout_map(&l);
		check_against_model(dev1, &l, m, &t);
		img1 = malloc((size_t)sectors * SECTOR);
		img2 = malloc((size_t)sectors * SECTOR);
		assert_non_null(img1);
		assert_non_null(img2);
		r = dmb_bdev_read_sectors(dmb_dev_bdev(dev1), 0, (size_t)sectors, img1);
		assert_int_equal(dmb_bdev_read_sectors(dmb_dev_bdev(dev2), 0, (size_t)sectors, img2), r);
		if (!r)
			assert_memory_equal(img1, img2, (size_t)sectors * SECTOR);

		/* The concise form parses back to the same table. */
		conc = format_dev(dev1, DMB_FMT_TABLE, DMB_FMT_CONCISE);
		assert_null(strchr(conc, '\n'));
		spec = malloc(strlen(conc) + 32);
		assert_non_null(spec);
		sprintf(spec, "vol\\,%d,,,rw,%s", iter, conc);
		r = dmb_concise_parse(&pctx, spec, strlen(spec), 0, &c);
		if (r)
			fail_msg("iteration %d: concise: %d %s\n%s", iter, r, pctx.msg, spec);
		assert_int_equal(c->count, 1);
		assert_int_equal(dmb_dev_create(&pctx, c->devs[0].table, 0, &dev3), 0);
		text2 = (free(text2), format_dev(dev3, DMB_FMT_TABLE, 0));
		assert_string_equal(text1, text2);
		check_against_model(dev3, &l, m, &t);

		dmb_dev_destroy(dev3);
		dmb_concise_destroy(c);
		dmb_dev_destroy(dev2);
		dmb_dev_destroy(dev1);
		free(spec);
		free(conc);
		free(img1);
		free(img2);
		free(m);
		free(text1);
		free(text2);
	}
	assert_int_equal(test_port_live_allocs(), baseline);
	tres_free(&t);
	free(noisy);
	free(canon);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parse_comments_and_blanks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_line_endings_and_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_escaped_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_escaped_trailing_space, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_add, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_add_argv_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_add_argv_target_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_add_argv_escapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_args, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_args_max, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_number_tokens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_table_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolver_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_without_ctx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concise_dmsetup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concise_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concise_long_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concise_kernel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concise_escape, setup, teardown),
		cmocka_unit_test_setup_teardown(test_print_parse_property, setup, teardown),
	};

	return cmocka_run_group_tests_name("table", tests, NULL, NULL);
}
