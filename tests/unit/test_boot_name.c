// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Image names (boot.h): systemd's own strverscmp_improved vectors through
 * dmb_version_cmp(); Boot Assessment counters read as systemd-boot reads
 * them (its "+LEFT-DONE" series, shapes that are no counter, the INT_MAX
 * limit); the default rule and systemd-sysupdate patterns (@v, @l, @d, @@,
 * first-occurrence splitting); a table of named malformed names and patterns,
 * each with its exact error code and message; the length bounds; and the
 * boot order of dmb_boot_name_cmp() against a hand-sorted list, with its
 * properties (antisymmetric, transitive) over every triple.
 */
#include "helpers.h"

#include "formats/ddi_internal.h"

static struct dmb_ctx ctx;

static int setup(void **state)
{
	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	return 0;
}

/* ---- systemd's version order ---------------------------------------------- */

static void cmp_is(const char *a, const char *b, int want)
{
	int got = dmb_version_cmp(a, b);

	if (got != want)
		fail_msg("dmb_version_cmp(\"%s\", \"%s\") = %d, want %d", a ? a : "(null)",
			 b ? b : "(null)", got, want);
	if (a && b && dmbi_ddi_version_cmp(a, b) != got)
		fail_msg("dmb_version_cmp(\"%s\", \"%s\") differs from the DDI order", a, b);
}

static void newer(const char *older, const char *newer_one)
{
	cmp_is(older, newer_one, -1);
	cmp_is(newer_one, older, 1);
	cmp_is(older, older, 0);
	cmp_is(newer_one, newer_one, 0);
}

/* systemd src/test/test-string-util.c, TEST(strverscmp_improved). */
static void test_version_systemd(void **state)
{
	static const char *const versions[] = {
		"~1", "", "ab", "abb", "abc", "0001", "002", "12", "122", "122.9",
		"123~rc1", "123", "123-a", "123-a.1", "123-a1", "123-a1.1", "123-3", "123-3.1",
		"123^patch1", "123^1", "123.a-1", "123.1-1", "123a-1", "124",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(versions); i++)
		for (size_t k = i + 1; k < ARRAY_SIZE(versions); k++)
			newer(versions[i], versions[k]);
	newer("123.45-67.88", "123.45-67.89");
	newer("123.45-67.89", "123.45-67.89a");
	newer("123.45-67.ab", "123.45-67.89");
	newer("123.45-67.9", "123.45-67.89");
	newer("123.45-67", "123.45-67.89");
	newer("123.45-66.89", "123.45-67.89");
	newer("123.45-9.99", "123.45-67.89");
	newer("123.42-99.99", "123.45-67.89");
	newer("123-99.99", "123.45-67.89");
	/* '~': pre-releases */
	newer("123~rc1-99.99", "123.45-67.89");
	newer("123~rc1-99.99", "123-45.67.89");
	newer("123~rc1-99.99", "123~rc2-67.89");
	newer("123~rc1-99.99", "123^aa2-67.89");
	newer("123~rc1-99.99", "123aa2-67.89");
	/* '-': version-release separator */
	newer("123-99.99", "123.45-67.89");
	newer("123-99.99", "123^aa2-67.89");
	newer("123-99.99", "123aa2-67.89");
	/* '^': patched releases */
	newer("123^45-67.89", "123.45-67.89");
	newer("123^aa1-99.99", "123^aa2-67.89");
	newer("123^aa2-67.89", "123aa2-67.89");
	/* '.': point releases */
	newer("123.aa2-67.89", "123aa2-67.89");
	newer("123.aa2-67.89", "123.ab2-67.89");
	/* characters that only separate */
	cmp_is("123_aa2-67.89", "123aa+2-67.89", 0);
	/* corner cases */
	cmp_is("123.", "123", 1);
	cmp_is("12_3", "123", -1);
	cmp_is("12_3", "12", 1);
	cmp_is("12_3", "12.3", 1);
	cmp_is("123.0", "123", 1);
	cmp_is("123_0", "123", 1);
	cmp_is("123..0", "123.0", -1);
	/* empty strings, NULL and strings of ignored characters only */
	cmp_is("", NULL, 0);
	cmp_is(NULL, "", 0);
	cmp_is(NULL, NULL, 0);
	cmp_is(NULL, "~", 1);
	cmp_is("0_", "0", 0);
	cmp_is("_0_", "0", 0);
	cmp_is("_0", "0", 0);
	cmp_is("0", "0___", 0);
	cmp_is("", "_", 0);
	cmp_is("_", "", 0);
	cmp_is("_", "_", 0);
	cmp_is("", "~", 1);
	cmp_is("~", "", -1);
	cmp_is("~", "~", 0);
	/* non-ASCII digits are not digits: U+0660..U+0669, U+0E50..U+0E59 */
	cmp_is("1\xd9\xa0\xd9\xa1\xd9\xa2\xd9\xa3\xd9\xa4\xd9\xa5\xd9\xa6\xd9\xa7\xd9\xa8\xd9\xa9",
	       "1", 0);
	cmp_is("1\xe0\xb9\x90\xe0\xb9\x91\xe0\xb9\x92\xe0\xb9\x93\xe0\xb9\x94\xe0\xb9\x95"
	       "\xe0\xb9\x96\xe0\xb9\x97\xe0\xb9\x98\xe0\xb9\x99", "1", 0);
}

/* systemd TEST(strverscmp_improved_rpm): rpm's rpmvercmp.at, with systemd's reversals. */
static void test_version_rpm(void **state)
{
	static const struct {
		const char *a, *b;
		int r;
	} v[] = {
		{ "1.0", "1.0", 0 }, { "1.0", "2.0", -1 }, { "2.0", "1.0", 1 },
		{ "2.0.1", "2.0.1", 0 }, { "2.0", "2.0.1", -1 }, { "2.0.1", "2.0", 1 },
		{ "2.0.1a", "2.0.1a", 0 }, { "2.0.1a", "2.0.1", 1 }, { "2.0.1", "2.0.1a", -1 },
		{ "5.5p1", "5.5p1", 0 }, { "5.5p1", "5.5p2", -1 }, { "5.5p2", "5.5p1", 1 },
		{ "5.5p10", "5.5p10", 0 }, { "5.5p1", "5.5p10", -1 }, { "5.5p10", "5.5p1", 1 },
		{ "10xyz", "10.1xyz", 1 }, { "10.1xyz", "10xyz", -1 },
		{ "xyz10", "xyz10", 0 }, { "xyz10", "xyz10.1", -1 }, { "xyz10.1", "xyz10", 1 },
		{ "xyz.4", "xyz.4", 0 }, { "xyz.4", "8", -1 }, { "8", "xyz.4", 1 },
		{ "xyz.4", "2", -1 }, { "2", "xyz.4", 1 },
		{ "5.5p2", "5.6p1", -1 }, { "5.6p1", "5.5p2", 1 },
		{ "5.6p1", "6.5p1", -1 }, { "6.5p1", "5.6p1", 1 },
		{ "6.0.rc1", "6.0", 1 }, { "6.0", "6.0.rc1", -1 },
		{ "10b2", "10a1", 1 }, { "10a2", "10b2", -1 },
		{ "1.0aa", "1.0aa", 0 }, { "1.0a", "1.0aa", -1 }, { "1.0aa", "1.0a", 1 },
		{ "10.0001", "10.0001", 0 }, { "10.0001", "10.1", 0 }, { "10.1", "10.0001", 0 },
		{ "10.0001", "10.0039", -1 }, { "10.0039", "10.0001", 1 },
		{ "4.999.9", "5.0", -1 }, { "5.0", "4.999.9", 1 },
		{ "20101121", "20101121", 0 }, { "20101121", "20101122", -1 },
		{ "20101122", "20101121", 1 },
		{ "2_0", "2_0", 0 }, { "2.0", "2_0", -1 }, { "2_0", "2.0", 1 },
		{ "a", "a", 0 }, { "a+", "a+", 0 }, { "a+", "a_", 0 }, { "a_", "a+", 0 },
		{ "+a", "+a", 0 }, { "+a", "_a", 0 }, { "_a", "+a", 0 }, { "+_", "+_", 0 },
		{ "_+", "+_", 0 }, { "_+", "_+", 0 }, { "+", "_", 0 }, { "_", "+", 0 },
		{ "1.0~rc1", "1.0~rc1", 0 }, { "1.0~rc1", "1.0", -1 }, { "1.0", "1.0~rc1", 1 },
		{ "1.0~rc1", "1.0~rc2", -1 }, { "1.0~rc2", "1.0~rc1", 1 },
		{ "1.0~rc1~git123", "1.0~rc1~git123", 0 }, { "1.0~rc1~git123", "1.0~rc1", -1 },
		{ "1.0~rc1", "1.0~rc1~git123", 1 },
		{ "1.0^", "1.0^", 0 }, { "1.0^", "1.0", 1 }, { "1.0", "1.0^", -1 },
		{ "1.0^git1", "1.0^git1", 0 }, { "1.0^git1", "1.0", 1 }, { "1.0", "1.0^git1", -1 },
		{ "1.0^git1", "1.0^git2", -1 }, { "1.0^git2", "1.0^git1", 1 },
		{ "1.0^git1", "1.01", -1 }, { "1.01", "1.0^git1", 1 },
		{ "1.0^20160101", "1.0^20160101", 0 }, { "1.0^20160101", "1.0.1", -1 },
		{ "1.0.1", "1.0^20160101", 1 },
		{ "1.0^20160101^git1", "1.0^20160101^git1", 0 },
		{ "1.0^20160102", "1.0^20160101^git1", 1 },
		{ "1.0^20160101^git1", "1.0^20160102", -1 },
		{ "1.0~rc1^git1", "1.0~rc1^git1", 0 }, { "1.0~rc1^git1", "1.0~rc1", 1 },
		{ "1.0~rc1", "1.0~rc1^git1", -1 },
		{ "1.0^git1~pre", "1.0^git1~pre", 0 }, { "1.0^git1", "1.0^git1~pre", 1 },
		{ "1.0^git1~pre", "1.0^git1", -1 },
		{ "1b.fc17", "1b.fc17", 0 }, { "1b.fc17", "1.fc17", 1 }, { "1.fc17", "1b.fc17", -1 },
		{ "1g.fc17", "1g.fc17", 0 }, { "1g.fc17", "1.fc17", 1 }, { "1.fc17", "1g.fc17", -1 },
		{ "1.1.\xce\xb1", "1.1.\xce\xb1", 0 }, { "1.1.\xce\xb1", "1.1.\xce\xb2", 0 },
		{ "1.1.\xce\xb2", "1.1.\xce\xb1", 0 }, { "1.1.\xce\xb1\xce\xb1", "1.1.\xce\xb1", 0 },
		{ "1.1.\xce\xb1", "1.1.\xce\xb2\xce\xb2", 0 },
		{ "1.1.\xce\xb2\xce\xb2", "1.1.\xce\xb1\xce\xb1", 0 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		cmp_is(v[i].a, v[i].b, v[i].r);
}

/* ---- names that parse ------------------------------------------------------- */

struct good {
	const char *pattern, *name, *version;
	int left, done;
};

static void check_good(const struct good *g)
{
	struct dmb_boot_name bn;
	int r;

	memset(&bn, 0x5a, sizeof(bn));
	dmb_ctx_clear(&ctx);
	r = dmb_boot_name_parse(&ctx, g->pattern, g->name, &bn);
	if (r)
		fail_msg("%s (pattern %s): %d (%s)", g->name, g->pattern ? g->pattern : "default",
			 r, dmb_ctx_message(&ctx));
	if (strcmp(bn.version, g->version) != 0 || bn.tries_left != g->left ||
	    bn.tries_done != g->done)
		fail_msg("%s (pattern %s): version \"%s\" +%d-%d, want \"%s\" +%d-%d", g->name,
			 g->pattern ? g->pattern : "default", bn.version, bn.tries_left,
			 bn.tries_done, g->version, g->left, g->done);
	assert_string_equal(dmb_ctx_message(&ctx), "");
}

/*
 * The default rule with systemd-boot's counters: its comment's two series
 * (foobar+3 ... foobar+0-3, foobar+4-0 ... foobar+0-4), and shapes
 * systemd-boot does not take as a counter, which stay in the version.
 */
static void test_counters(void **state)
{
	static const struct good rows[] = {
		{ NULL, "os_1.2.0", "1.2.0", -1, 0 },
		{ NULL, "os_1.2.0+3", "1.2.0", 3, 0 },
		{ NULL, "os_1.2.0+2-1", "1.2.0", 2, 1 },
		{ NULL, "os_1.2.0+1-2", "1.2.0", 1, 2 },
		{ NULL, "os_1.2.0+0-3", "1.2.0", 0, 3 },
		{ NULL, "os_1.2.0+4-0", "1.2.0", 4, 0 },
		{ NULL, "os_1.2.0+3-1", "1.2.0", 3, 1 },
		{ NULL, "os_1.2.0+0-4", "1.2.0", 0, 4 },
		{ NULL, "os_1.2+3-1", "1.2", 3, 1 },          /* the issue's example */
		{ NULL, "os_1.2+007-01", "1.2", 7, 1 },       /* leading zeros, as systemd-boot */
		{ NULL, "os_1+2+3", "1+2", 3, 0 },            /* the last '+' counts */
		{ NULL, "os_1+2+3-4", "1+2", 3, 4 },
		{ NULL, "os_1.2+", "1.2+", -1, 0 },           /* no digits: no counter */
		{ NULL, "os_1.2+x", "1.2+x", -1, 0 },
		{ NULL, "os_1.2+3x", "1.2+3x", -1, 0 },       /* junk after: no counter */
		{ NULL, "os_1.2+3-", "1.2+3-", -1, 0 },       /* '-' without digits */
		{ NULL, "os_1.2+3-1-2", "1.2+3-1-2", -1, 0 }, /* a second '-' */
		{ NULL, "os_1.2+-1", "1.2+-1", -1, 0 },       /* no tries left */
		{ NULL, "os_1.2-3", "1.2-3", -1, 0 },         /* '-' alone is a release */
		{ NULL, "os_1.2+2147483647-2147483647", "1.2", 2147483647, 2147483647 },
		{ NULL, "os_a_b", "a_b", -1, 0 },             /* the first '_' counts */
		{ NULL, "_1", "1", -1, 0 },
		{ NULL, "vg_os_2024.10.1", "os_2024.10.1", -1, 0 },
		{ NULL, "fedora_40.20240601", "40.20240601", -1, 0 },
		{ NULL, "os_1,2", "1,2", -1, 0 },             /* ',' is allowed */
		{ NULL, "os_...", "...", -1, 0 },             /* only "." and ".." are refused */
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
		check_good(&rows[i]);
}

static void test_patterns(void **state)
{
	static const struct good rows[] = {
		{ "os_@v", "os_1.2.0", "1.2.0", -1, 0 },
		{ "os_@v", "os_1.2.0+3-1", "1.2.0", 3, 1 },      /* counter taken off first */
		{ "@v", "1.2", "1.2", -1, 0 },
		{ "@v", "1.2+5", "1.2", 5, 0 },
		{ "os-@v", "os-1.2-3", "1.2-3", -1, 0 },
		{ "os_@v.raw", "os_1.2.raw", "1.2", -1, 0 },
		{ "os_@v.raw", "os_1.2.raw+2", "1.2", 2, 0 },
		{ "os_@v_x86-64", "os_7_x86-64", "7", -1, 0 },
		{ "@v_os", "5_os", "5", -1, 0 },
		{ "a@@b_@v", "a@b_9", "9", -1, 0 },              /* "@@" is a literal '@' */
		{ "@@@v", "@1", "1", -1, 0 },
		{ "os_@v+@l", "os_1.2+3", "1.2", 3, 0 },         /* the pattern reads counters */
		{ "os_@v+@l-@d", "os_1.2+3-1", "1.2", 3, 1 },
		{ "os_@v+@l-@d", "os_1.2+0-7", "1.2", 0, 7 },
		{ "@l-@d_@v", "3-1_1.2", "1.2", 3, 1 },          /* counters anywhere */
		{ "tries@l_os_@v", "tries2_os_9", "9", 2, 0 },
		{ "os@l_@v", "os2_9+5", "9+5", 2, 0 },           /* then +5 stays in the version */
		/* a field ends at the first occurrence of the next text */
		{ "os_@v_@l", "os_1_2", "1", 2, 0 },
		{ "os_@v_x", "os_1_2_x", "1_2", -1, 0 },
		{ "os_@v.img", "os_1.2.img", "1.2", -1, 0 },
		{ "os_@v-@l", "os_1.2-4", "1.2", 4, 0 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
		check_good(&rows[i]);
}

/* ---- what is refused ---------------------------------------------------------- */

struct bad {
	const char *what, *pattern, *name;
	int err;
	const char *msg;
};

static const struct bad bad_rows[] = {
	/* the default rule */
	{ "no underscore", NULL, "os", DMB_ENOENT, "no version in os" },
	{ "nothing after the underscore", NULL, "os_", DMB_ENOENT, "no version in os_" },
	{ "only a counter after it", NULL, "os_+3-1", DMB_ENOENT, "no version in os_+3-1" },
	{ "empty name", NULL, "", DMB_ENOENT, "no version in " },
	{ "space in the version", NULL, "os_1 2", DMB_ENOENT,
	  "os_1 2: version 1 2 has byte 0x20, not allowed in versions" },
	{ "tilde in the version", NULL, "os_1~rc1", DMB_ENOENT,
	  "os_1~rc1: version 1~rc1 has '~', not allowed in versions" },
	{ "caret in the version", NULL, "os_1^p", DMB_ENOENT,
	  "os_1^p: version 1^p has '^', not allowed in versions" },
	{ "non-ASCII version", NULL, "os_1\xc3\xa9", DMB_ENOENT,
	  "os_1\xc3\xa9: version 1\xc3\xa9 has byte 0xc3, not allowed in versions" },
	{ "version \".\"", NULL, "os_.", DMB_ENOENT, "os_.: version . is not a version" },
	{ "version \"..\"", NULL, "os_..+1", DMB_ENOENT, "os_..+1: version .. is not a version" },
	/* counters */
	{ "tries left over INT_MAX", NULL, "os_1+2147483648", DMB_ERANGE,
	  "os_1+2147483648: tries left 2147483648 is over 2147483647" },
	{ "tries done over INT_MAX", NULL, "os_1+1-2147483648", DMB_ERANGE,
	  "os_1+1-2147483648: tries done 2147483648 is over 2147483647" },
	{ "tries left over UINT64_MAX", NULL, "os_1+99999999999999999999999", DMB_ERANGE,
	  "os_1+99999999999999999999999: tries left 99999999999999999999999 is over 2147483647" },
	{ "@l over INT_MAX", "os_@v+@l", "os_1+4294967296", DMB_ERANGE,
	  "os_1+4294967296: tries left 4294967296 is over 2147483647" },
	{ "@d over INT_MAX", "os_@v+@l-@d", "os_1+1-9999999999", DMB_ERANGE,
	  "os_1+1-9999999999: tries done 9999999999 is over 2147483647" },
	/* patterns that are malformed */
	{ "no @v", "os_", "os_1", DMB_EINVAL, "pattern os_: no @v" },
	{ "empty pattern", "", "os_1", DMB_EINVAL, "pattern : no @v" },
	{ "@v twice", "@v_@v", "1_2", DMB_EINVAL, "pattern @v_@v: field @v appears twice" },
	{ "@l twice", "@v+@l+@l", "1+2+3", DMB_EINVAL, "pattern @v+@l+@l: field @l appears twice" },
	{ "fields touching", "os_@v@l", "os_12", DMB_EINVAL,
	  "pattern os_@v@l: fields @v and @l with no text between them" },
	{ "@d without @l", "os_@v-@d", "os_1-2", DMB_EINVAL, "pattern os_@v-@d: @d without @l" },
	{ "lone trailing @", "os_@v@", "os_1", DMB_EINVAL, "pattern os_@v@: ends in a lone @" },
	{ "unknown field", "os_@x_@v", "os_1", DMB_EINVAL, "pattern os_@x_@v: unknown field @x" },
	{ "upper-case field", "os_@V", "os_1", DMB_EINVAL, "pattern os_@V: unknown field @V" },
	{ "@ and a space", "os_@ @v", "os_1", DMB_EINVAL,
	  "pattern os_@ @v: unknown field @ and byte 0x20" },
	{ "sysupdate's @u", "os_@v_@u", "os_1", DMB_ENOTSUP,
	  "pattern os_@v_@u: field @u (partition UUID) is not part of a name" },
	{ "sysupdate's @h", "@h_@v", "os_1", DMB_ENOTSUP,
	  "pattern @h_@v: field @h (SHA-256 sum) is not part of a name" },
	{ "reserved '*'", "os*_@v", "os_1", DMB_EINVAL, "pattern os*_@v: '*' is reserved" },
	{ "reserved '\\'", "os\\_@v", "os_1", DMB_EINVAL, "pattern os\\_@v: '\\' is reserved" },
	{ "slash", "vg/os_@v", "vg/os_1", DMB_EINVAL,
	  "pattern vg/os_@v: '/' cannot match an image name" },
	{ "control character", "os\t@v", "os\t1", DMB_EINVAL,
	  "pattern os\t@v: byte 0x09 is not allowed" },
	{ "non-ASCII literal", "\xc3\xa9_@v", "x_1", DMB_EINVAL,
	  "pattern \xc3\xa9_@v: byte 0xc3 is not allowed" },
	/* names that do not match a pattern */
	{ "wrong prefix", "os_@v", "usr_1", DMB_ENOENT, "usr_1 does not match pattern os_@v" },
	{ "prefix too long", "os_@v", "os", DMB_ENOENT, "os does not match pattern os_@v" },
	{ "empty version", "os_@v", "os_", DMB_ENOENT, "no version in os_ (pattern os_@v)" },
	{ "empty version before text", "os_@v.raw", "os_.raw", DMB_ENOENT,
	  "no version in os_.raw (pattern os_@v.raw)" },
	{ "missing suffix", "os_@v.raw", "os_1", DMB_ENOENT, "os_1 does not match pattern os_@v.raw" },
	{ "text after the pattern", "os_@v_x", "os_1_xy", DMB_ENOENT,
	  "os_1_xy does not match pattern os_@v_x" },
	{ "first occurrence, no backtracking", "os_@v_x", "os_1_x_x", DMB_ENOENT,
	  "os_1_x_x does not match pattern os_@v_x" },
	{ "bad version under a pattern", "os_@v", "os_1 2", DMB_ENOENT,
	  "os_1 2: version 1 2 has byte 0x20, not allowed in versions" },
	{ "@l not a number", "os_@v+@l", "os_1+x", DMB_ENOENT,
	  "os_1+x does not match pattern os_@v+@l: tries left x is not a number" },
	{ "@l empty", "os_@v+@l", "os_1+", DMB_ENOENT,
	  "os_1+ does not match pattern os_@v+@l: tries left  is not a number" },
	{ "@l with a done count", "os_@v+@l", "os_1+3-1", DMB_ENOENT,
	  "os_1+3-1 does not match pattern os_@v+@l: tries left 3-1 is not a number" },
	{ "@d not a number", "os_@v+@l-@d", "os_1+3-y", DMB_ENOENT,
	  "os_1+3-y does not match pattern os_@v+@l-@d: tries done y is not a number" },
	{ "no counter where the pattern wants one", "os_@v+@l", "os_1", DMB_ENOENT,
	  "os_1 does not match pattern os_@v+@l" },
	{ "no done count where the pattern wants one", "os_@v+@l-@d", "os_1.2+3", DMB_ENOENT,
	  "os_1.2+3 does not match pattern os_@v+@l-@d" },
	/* arguments */
	{ "NULL name", NULL, NULL, DMB_EINVAL, "no image name given" },
	{ "NULL name with a pattern", "os_@v", NULL, DMB_EINVAL, "no image name given" },
	{ "NULL name, bad pattern", "os_", NULL, DMB_EINVAL, "pattern os_: no @v" },
	{ "bad pattern before a long name", "@v@",
	  "os_1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  DMB_EINVAL, "pattern @v@: ends in a lone @" },
};

static void test_malformed(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad_rows); i++) {
		const struct bad *b = &bad_rows[i];
		struct dmb_boot_name bn;
		int r;

		memset(&bn, 0x5a, sizeof(bn));
		dmb_ctx_clear(&ctx);
		r = dmb_boot_name_parse(&ctx, b->pattern, b->name, &bn);
		if (r != b->err)
			fail_msg("%s: %d (%s), want %d", b->what, r, dmb_ctx_message(&ctx), b->err);
		if (ctx.err != b->err || strcmp(dmb_ctx_message(&ctx), b->msg) != 0)
			fail_msg("%s: message \"%s\", want \"%s\"", b->what, dmb_ctx_message(&ctx),
				 b->msg);
		/* a failure leaves nothing half-filled */
		if (bn.version[0] || bn.tries_left != -1 || bn.tries_done != 0)
			fail_msg("%s: out not cleared", b->what);
	}
	assert_int_equal(dmb_boot_name_parse(&ctx, NULL, "os_1", NULL), DMB_EINVAL);
	assert_string_equal(dmb_ctx_message(&ctx), "no image name given");
	/* a NULL context is allowed: the code alone */
	assert_int_equal(dmb_boot_name_parse(NULL, "os_@x", "os_1", &(struct dmb_boot_name){ 0 }),
			 DMB_EINVAL);
}

/* Names and patterns up to DMB_BOOT_NAME_MAX - 1 bytes, not one more. */
static void test_bounds(void **state)
{
	char name[DMB_BOOT_NAME_MAX + 8], pat[DMB_BOOT_NAME_MAX + 8], want[DMB_BOOT_NAME_MAX];
	struct dmb_boot_name bn;

	(void)state;
	memset(name, 'a', sizeof(name));
	name[0] = 'o';
	name[1] = '_';
	name[DMB_BOOT_NAME_MAX - 1] = '\0'; /* 255 bytes */
	assert_int_equal(dmb_boot_name_parse(&ctx, NULL, name, &bn), 0);
	assert_int_equal(strlen(bn.version), DMB_BOOT_NAME_MAX - 3);
	assert_string_equal(bn.version, name + 2);

	name[DMB_BOOT_NAME_MAX - 1] = 'a';
	name[DMB_BOOT_NAME_MAX] = '\0'; /* 256 bytes */
	assert_int_equal(dmb_boot_name_parse(&ctx, NULL, name, &bn), DMB_ERANGE);
	snprintf(want, sizeof(want), "%.40s...: image name over 255 bytes", name);
	assert_string_equal(dmb_ctx_message(&ctx), want);
	assert_int_equal(bn.tries_left, -1);
	assert_string_equal(bn.version, "");

	/* a 255-byte pattern of literal text and @v */
	memset(pat, 'p', sizeof(pat));
	memcpy(pat + DMB_BOOT_NAME_MAX - 4, "_@v", 4); /* 255 bytes */
	memset(name, 'p', sizeof(name));
	memcpy(name + DMB_BOOT_NAME_MAX - 4, "_1", 3);
	assert_int_equal(dmb_boot_name_parse(&ctx, pat, name, &bn), 0);
	assert_string_equal(bn.version, "1");
	memcpy(pat + DMB_BOOT_NAME_MAX - 4, "p_@v", 5); /* 256 bytes */
	assert_int_equal(dmb_boot_name_parse(&ctx, pat, name, &bn), DMB_ERANGE);
	snprintf(want, sizeof(want), "%.40s...: pattern over 255 bytes", pat);
	assert_string_equal(dmb_ctx_message(&ctx), want);

	/* the name is not read past DMB_BOOT_NAME_MAX bytes, even unterminated */
	memset(name, 'x', DMB_BOOT_NAME_MAX);
	assert_int_equal(dmb_boot_name_parse(&ctx, NULL, name, &bn), DMB_ERANGE);
}

/* ---- the boot order ------------------------------------------------------------- */

static int cmp_names(const void *a, const void *b)
{
	return dmb_boot_name_cmp(a, b);
}

static struct dmb_boot_name parsed(const char *name)
{
	struct dmb_boot_name bn;

	if (dmb_boot_name_parse(&ctx, NULL, name, &bn))
		fail_msg("%s: %s", name, dmb_ctx_message(&ctx));
	return bn;
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

/*
 * systemd-boot's boot_entry_compare(): no tries left goes to the end, then
 * the newest version, then (both counting) more tries left, fewer done.
 */
static void test_order(void **state)
{
	/* In the order they boot. */
	static const char *const order[] = {
		"os_2.0",       /* newest, known good */
		"os_2.0+3",     /* same version, counting: after the one without */
		"os_2.0+2",     /* fewer tries left */
		"os_2.0+2-1",   /* as many left, more done */
		"os_2.0+1-5",
		"os_1.10+1-2",  /* 1.10 > 1.9 */
		"os_1.9",
		"os_1.2-1",     /* 1.2-1 is newer than 1.2 */
		"os_1.2",
		"os_1.2+1",
		"os_1.1,1",     /* ',' only separates: 1.1.1 */
		"os_3.0+0-3",   /* no tries left: last, however new */
		"os_2.0+0",
		"os_1.0+0-9",
	};
	struct dmb_boot_name bn[ARRAY_SIZE(order)], sorted[ARRAY_SIZE(order)];
	size_t n = ARRAY_SIZE(order);

	(void)state;
	for (size_t i = 0; i < n; i++)
		bn[i] = parsed(order[i]);
	/* every shuffle sorts back to the same order */
	for (unsigned seed = 1; seed <= 50; seed++) {
		struct rng rng;

		rng_seed(&rng, seed);
		memcpy(sorted, bn, n * sizeof(bn[0]));
		for (size_t i = n - 1; i > 0; i--) {
			size_t k = (size_t)rng_below(&rng, i + 1);
			struct dmb_boot_name t = sorted[i];

			sorted[i] = sorted[k];
			sorted[k] = t;
		}
		qsort(sorted, n, sizeof(sorted[0]), cmp_names);
		for (size_t i = 0; i < n; i++)
			if (strcmp(sorted[i].version, bn[i].version) != 0 ||
			    sorted[i].tries_left != bn[i].tries_left ||
			    sorted[i].tries_done != bn[i].tries_done)
				fail_msg("seed %u: position %zu is %s+%d-%d, want %s+%d-%d", seed, i,
					 sorted[i].version, sorted[i].tries_left,
					 sorted[i].tries_done, bn[i].version, bn[i].tries_left,
					 bn[i].tries_done);
	}
	/* a strict order on these: antisymmetric, and transitive over every triple */
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < n; k++) {
			int r = dmb_boot_name_cmp(&bn[i], &bn[k]);

			assert_int_equal(sign(r), i < k ? -1 : i > k ? 1 : 0);
			assert_int_equal(sign(r), -sign(dmb_boot_name_cmp(&bn[k], &bn[i])));
			for (size_t m = 0; m < n; m++)
				if (r < 0 && dmb_boot_name_cmp(&bn[k], &bn[m]) < 0)
					assert_true(dmb_boot_name_cmp(&bn[i], &bn[m]) < 0);
		}
	/* versions systemd's order calls equal, without counters: equal */
	{
		struct dmb_boot_name a = parsed("os_10.0001"), b = parsed("os_10.1");

		assert_int_equal(dmb_boot_name_cmp(&a, &b), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_version_systemd, setup),
		cmocka_unit_test_setup(test_version_rpm, setup),
		cmocka_unit_test_setup(test_counters, setup),
		cmocka_unit_test_setup(test_patterns, setup),
		cmocka_unit_test_setup(test_malformed, setup),
		cmocka_unit_test_setup(test_bounds, setup),
		cmocka_unit_test_setup(test_order, setup),
	};

	return cmocka_run_group_tests_name("boot_name", tests, NULL, NULL);
}
