// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Image names (boot.h; docs/boot.md, "Image names and versions"): the Boot
 * Assessment counter at the end of a name, read as systemd-boot reads the
 * one in a boot entry's file name; the version, by the default rule (after
 * the first '_') or by a pattern in systemd-sysupdate's syntax, matched as
 * sysupdate matches one; and systemd-boot's entry order over the result.
 * Names come from LV names and partition labels, which anyone who can write
 * the disk controls: every length is bounded by DMB_BOOT_NAME_MAX, every
 * number by TRIES_MAX, and nothing here allocates.
 */
#include "ddi_internal.h"

/* The largest counter systemd-boot accepts (INT_MAX of its 32-bit int). */
#define TRIES_MAX 2147483647
_Static_assert(sizeof(int) >= 4, "tries_left and tries_done hold up to TRIES_MAX");

/* ---- patterns ----------------------------------------------------------- */

enum field {
	FIELD_LITERAL,
	FIELD_VERSION, /* @v */
	FIELD_LEFT,    /* @l */
	FIELD_DONE,    /* @d */
};

/*
 * Three fields at most, each once, and text between any two: at most
 * literal, field, literal, field, literal, field, literal.
 */
#define MAX_ELEMS 7

struct elem {
	enum field field;
	size_t off, len; /* FIELD_LITERAL: text[off, off + len) */
};

struct pattern {
	struct elem e[MAX_ELEMS];
	size_t n;
	unsigned fields; /* 1u << enum field, for each field present */
	char text[DMB_BOOT_NAME_MAX]; /* the literal text, "@@" as "@" */
};

/* sysupdate's fields that describe a file or partition, not a name. */
static const struct {
	char c;
	const char *what;
} other_fields[] = {
	{ 'u', "partition UUID" },  { 'f', "partition flags" }, { 't', "modification time" },
	{ 'm', "file mode" },       { 's', "size" },            { 'a', "no-auto flag" },
	{ 'r', "read-only flag" },  { 'g', "growfs flag" },     { 'h', "SHA-256 sum" },
};

/* The field "@c" names, or FIELD_LITERAL when it names none of ours. */
static enum field field_of(char c)
{
	switch (c) {
	case 'v':
		return FIELD_VERSION;
	case 'l':
		return FIELD_LEFT;
	case 'd':
		return FIELD_DONE;
	default:
		return FIELD_LITERAL;
	}
}

static char field_char(enum field f)
{
	return f == FIELD_VERSION ? 'v' : f == FIELD_LEFT ? 'l' : 'd';
}

static int unknown_field(struct dmb_ctx *ctx, const char *pat, char c)
{
	for (size_t i = 0; i < DMBI_ARRAY_SIZE(other_fields); i++)
		if (other_fields[i].c == c)
			return dmb_ctx_set_error(ctx, DMB_ENOTSUP,
						 "pattern %s: field @%c (%s) is not part of a name",
						 pat, c, other_fields[i].what);
	if (c > ' ' && c < 127)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "pattern %s: unknown field @%c", pat, c);
	return dmb_ctx_set_error(ctx, DMB_EINVAL, "pattern %s: unknown field @ and byte 0x%02x", pat,
				 (unsigned char)c);
}

/*
 * Which literal characters a pattern may hold: sysupdate refuses control
 * characters and non-ASCII bytes and reserves $*?[]!\| for later syntax;
 * '/' separates directories there, and a name has none.
 */
static int check_literal(struct dmb_ctx *ctx, const char *pat, char c)
{
	unsigned char u = (unsigned char)c;

	if (u < ' ' || u >= 127)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "pattern %s: byte 0x%02x is not allowed",
					 pat, u);
	if (dmbi_strchr("$*?[]!\\|", c))
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "pattern %s: '%c' is reserved", pat, c);
	if (c == '/')
		return dmb_ctx_set_error(ctx, DMB_EINVAL,
					 "pattern %s: '/' cannot match an image name", pat);
	return 0;
}

static int add_field(struct dmb_ctx *ctx, const char *pat, struct pattern *p, char c)
{
	enum field f = field_of(c);

	if (f == FIELD_LITERAL)
		return unknown_field(ctx, pat, c);
	if (p->fields & (1u << f))
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "pattern %s: field @%c appears twice", pat,
					 c);
	if (p->n && p->e[p->n - 1].field != FIELD_LITERAL)
		return dmb_ctx_set_error(ctx, DMB_EINVAL,
					 "pattern %s: fields @%c and @%c with no text between them",
					 pat, field_char(p->e[p->n - 1].field), c);
	if (p->n == MAX_ELEMS) /* cannot happen: three fields, text between */
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "pattern %s: too many fields", pat);
	p->e[p->n++] = (struct elem){ .field = f };
	p->fields |= 1u << f;
	return 0;
}

static int add_char(struct dmb_ctx *ctx, const char *pat, struct pattern *p, size_t *k, char c)
{
	if (!p->n || p->e[p->n - 1].field != FIELD_LITERAL) {
		if (p->n == MAX_ELEMS)
			return dmb_ctx_set_error(ctx, DMB_EINVAL, "pattern %s: too many fields", pat);
		p->e[p->n++] = (struct elem){ .field = FIELD_LITERAL, .off = *k };
	}
	p->text[(*k)++] = c;
	p->e[p->n - 1].len++;
	return 0;
}

/* Split pat (shorter than DMB_BOOT_NAME_MAX) into literals and fields. */
static int pattern_parse(struct dmb_ctx *ctx, const char *pat, struct pattern *p)
{
	size_t k = 0;
	int r;

	p->n = 0;
	p->fields = 0;
	for (const char *c = pat; *c; c++) {
		if (c[0] == '@' && c[1] == '\0')
			return dmb_ctx_set_error(ctx, DMB_EINVAL, "pattern %s: ends in a lone @", pat);
		if (c[0] == '@' && c[1] != '@') {
			r = add_field(ctx, pat, p, *++c);
		} else {
			if (c[0] == '@')
				c++; /* "@@" is one literal '@' */
			r = check_literal(ctx, pat, *c);
			if (!r)
				r = add_char(ctx, pat, p, &k, *c);
		}
		if (r)
			return r;
	}
	if (!(p->fields & (1u << FIELD_VERSION)))
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "pattern %s: no @v", pat);
	if ((p->fields & (1u << FIELD_DONE)) && !(p->fields & (1u << FIELD_LEFT)))
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "pattern %s: @d without @l", pat);
	return 0;
}

/* ---- names -------------------------------------------------------------- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static size_t digits(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && is_digit(s[i]))
		i++;
	return i;
}

/* s[0, len) is all digits and len > 0: its value, or DMB_ERANGE over TRIES_MAX. */
static int count_value(const char *s, size_t len, int *out)
{
	uint64_t v = 0;

	for (size_t i = 0; i < len; i++) {
		v = v * 10u + (uint64_t)(s[i] - '0');
		if (v > TRIES_MAX)
			return DMB_ERANGE;
	}
	*out = (int)v;
	return 0;
}

/*
 * The Boot Assessment counter at the end of name[0, *len): systemd-boot
 * takes the last '+', then digits, optionally '-' and digits, then the end.
 * Anything else there is no counter and stays part of the name.  On a
 * counter, *len becomes the length without it.
 */
static int strip_counter(struct dmb_ctx *ctx, const char *name, size_t *len,
			 struct dmb_boot_name *out)
{
	size_t plus = *len, i, nl, nd = 0;

	while (plus && name[plus - 1] != '+')
		plus--;
	if (!plus)
		return 0;
	i = plus;
	nl = digits(name + i, *len - i);
	if (!nl)
		return 0;
	i += nl;
	if (i < *len && name[i] == '-') {
		nd = digits(name + i + 1, *len - i - 1);
		if (!nd)
			return 0;
		i += 1 + nd;
	}
	if (i != *len)
		return 0;
	if (count_value(name + plus, nl, &out->tries_left))
		return dmb_ctx_set_error(ctx, DMB_ERANGE, "%s: tries left %.*s is over %d", name,
					 (int)nl, name + plus, TRIES_MAX);
	if (nd && count_value(name + plus + nl + 1, nd, &out->tries_done))
		return dmb_ctx_set_error(ctx, DMB_ERANGE, "%s: tries done %.*s is over %d", name,
					 (int)nd, name + plus + nl + 1, TRIES_MAX);
	*len = plus - 1;
	return 0;
}

static bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * systemd-sysupdate's rule for a version, v[0, len) with len > 0 here:
 * [A-Za-z0-9.,_+-] only, and neither "." nor "..".
 */
static int set_version(struct dmb_ctx *ctx, const char *name, const char *v, size_t len,
		       struct dmb_boot_name *out)
{
	for (size_t i = 0; i < len; i++) {
		char c = v[i];

		if (is_alnum(c) || dmbi_strchr(".,_-+", c))
			continue;
		if (c > ' ' && c < 127)
			return dmb_ctx_set_error(ctx, DMB_ENOENT,
						 "%s: version %.*s has '%c', not allowed in versions",
						 name, (int)len, v, c);
		return dmb_ctx_set_error(ctx, DMB_ENOENT,
					 "%s: version %.*s has byte 0x%02x, not allowed in versions",
					 name, (int)len, v, (unsigned char)c);
	}
	if ((len == 1 && v[0] == '.') || (len == 2 && v[0] == '.' && v[1] == '.'))
		return dmb_ctx_set_error(ctx, DMB_ENOENT, "%s: version %.*s is not a version", name,
					 (int)len, v);
	memcpy(out->version, v, len);
	out->version[len] = '\0';
	return 0;
}

/* Where lit[0, litlen) first occurs in s[0, len), or len. */
static size_t find(const char *s, size_t len, const char *lit, size_t litlen)
{
	for (size_t i = 0; i + litlen <= len; i++)
		if (memcmp(s + i, lit, litlen) == 0)
			return i;
	return len;
}

static int no_match(struct dmb_ctx *ctx, const char *pat, const char *name)
{
	return dmb_ctx_set_error(ctx, DMB_ENOENT, "%s does not match pattern %s", name, pat);
}

/*
 * Match s[0, len) (name, perhaps without its counter) against p as
 * sysupdate does: literals must follow in order, a field ends at the first
 * occurrence of the literal after it (no backtracking) or at the end.
 */
static int pattern_match(struct dmb_ctx *ctx, const struct pattern *p, const char *pat,
			 const char *name, const char *s, size_t len, struct dmb_boot_name *out)
{
	size_t pos = 0;
	int r;

	for (size_t i = 0; i < p->n; i++) {
		const struct elem *e = &p->e[i];
		size_t flen;

		if (e->field == FIELD_LITERAL) {
			if (len - pos < e->len || memcmp(s + pos, p->text + e->off, e->len) != 0)
				return no_match(ctx, pat, name);
			pos += e->len;
			continue;
		}
		flen = len - pos;
		if (i + 1 < p->n) {
			const struct elem *next = &p->e[i + 1];

			flen = find(s + pos, len - pos, p->text + next->off, next->len);
			if (flen == len - pos)
				return no_match(ctx, pat, name);
		}
		if (e->field == FIELD_VERSION) {
			if (!flen)
				return dmb_ctx_set_error(ctx, DMB_ENOENT, "no version in %s (pattern %s)",
							 name, pat);
			r = set_version(ctx, name, s + pos, flen, out);
			if (r)
				return r;
		} else {
			const char *what = e->field == FIELD_LEFT ? "tries left" : "tries done";
			int *to = e->field == FIELD_LEFT ? &out->tries_left : &out->tries_done;

			if (!flen || digits(s + pos, flen) != flen)
				return dmb_ctx_set_error(ctx, DMB_ENOENT,
							 "%s does not match pattern %s: %s %.*s is not a number",
							 name, pat, what, (int)flen, s + pos);
			if (count_value(s + pos, flen, to))
				return dmb_ctx_set_error(ctx, DMB_ERANGE, "%s: %s %.*s is over %d",
							 name, what, (int)flen, s + pos, TRIES_MAX);
		}
		pos += flen;
	}
	return pos == len ? 0 : no_match(ctx, pat, name);
}

static int default_match(struct dmb_ctx *ctx, const char *name, size_t len,
			 struct dmb_boot_name *out)
{
	size_t u = 0;

	while (u < len && name[u] != '_')
		u++;
	if (u + 1 >= len)
		return dmb_ctx_set_error(ctx, DMB_ENOENT, "no version in %s", name);
	return set_version(ctx, name, name + u + 1, len - u - 1, out);
}

static void clear(struct dmb_boot_name *out)
{
	out->version[0] = '\0';
	out->tries_left = -1;
	out->tries_done = 0;
}

/* Documented in boot.h. */
int dmb_boot_name_parse(struct dmb_ctx *ctx, const char *pattern, const char *name,
			struct dmb_boot_name *out)
{
	struct pattern p = { .n = 0 };
	size_t len;
	int r;

	if (!out)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "no image name given");
	clear(out);
	/* The pattern first: a malformed one is refused whatever the name. */
	if (pattern) {
		if (dmbi_strnlen(pattern, DMB_BOOT_NAME_MAX) == DMB_BOOT_NAME_MAX)
			return dmb_ctx_set_error(ctx, DMB_ERANGE, "%.40s...: pattern over %d bytes",
						 pattern, DMB_BOOT_NAME_MAX - 1);
		r = pattern_parse(ctx, pattern, &p);
		if (r)
			return r;
	}
	if (!name)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "no image name given");
	len = dmbi_strnlen(name, DMB_BOOT_NAME_MAX);
	if (len == DMB_BOOT_NAME_MAX)
		return dmb_ctx_set_error(ctx, DMB_ERANGE, "%.40s...: image name over %d bytes", name,
					 DMB_BOOT_NAME_MAX - 1);
	if (!pattern || !(p.fields & ((1u << FIELD_LEFT) | (1u << FIELD_DONE)))) {
		r = strip_counter(ctx, name, &len, out);
		if (r)
			goto fail;
	}
	r = pattern ? pattern_match(ctx, &p, pattern, name, name, len, out)
		    : default_match(ctx, name, len, out);
	if (r)
		goto fail;
	return 0;
fail:
	clear(out);
	return r;
}

/* ---- order -------------------------------------------------------------- */

static int cmp_int(long a, long b)
{
	return (a > b) - (a < b);
}

/* Documented in boot.h. */
int dmb_boot_name_cmp(const struct dmb_boot_name *a, const struct dmb_boot_name *b)
{
	int r;

	/* No tries left: tried last (systemd-boot's first rule). */
	r = cmp_int(a->tries_left == 0, b->tries_left == 0);
	if (r)
		return r;
	/* Newest first. */
	r = dmbi_ddi_version_cmp(b->version, a->version);
	if (r)
		return r;
	/* systemd-boot stops here unless both count; dmboot puts the one without a counter first. */
	if (a->tries_left < 0 || b->tries_left < 0)
		return cmp_int(a->tries_left >= 0, b->tries_left >= 0);
	r = cmp_int(b->tries_left, a->tries_left);
	if (r)
		return r;
	return cmp_int(a->tries_done, b->tries_done);
}

/* Documented in boot.h. */
int dmb_version_cmp(const char *a, const char *b)
{
	return dmbi_ddi_version_cmp(a ? a : "", b ? b : "");
}
