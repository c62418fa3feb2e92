// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * dm tables in Linux syntax (formats.md §1.1, §1.8).  The text form is
 * what dmsetup reads from --table, a file or stdin (the concise form, what
 * `dmsetup create --concise` and dm-mod.create= take, is concise.c).  Checks
 * the rules Linux's dm_table_add_target() applies to every table: start at
 * sector 0, contiguous targets (adjoin()), no zero-length target.  Target
 * arguments are left to the targets' constructors.
 */
#include "core.h"

int dmb_table_create(struct dmb_ctx *ctx, struct dmb_table **out)
{
	struct dmb_table *t = dmbi_calloc(1, sizeof(*t));

	*out = NULL;
	if (!t)
		return dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory for a table");
	*out = t;
	return 0;
}

void dmb_table_destroy(struct dmb_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->count; i++)
		dmb_port_free(t->targets[i].params);
	dmb_port_free(t->targets);
	dmb_port_free(t);
}

uint64_t dmb_table_sectors(const struct dmb_table *t)
{
	if (!t->count)
		return 0;
	return t->targets[t->count - 1].start_sectors + t->targets[t->count - 1].len_sectors;
}

/* The parser's refusal of a type name over DMB_TYPE_NAME_MAX bytes. */
static int type_too_long(struct dmb_ctx *ctx, const char *type, size_t n, unsigned line)
{
	return dmb_ctx_set_error(ctx, DMB_EINVAL, "line %u: target type name \"%.*s\" longer than %u bytes",
				 line, (int)DMBI_MIN(n, 40), type, DMB_TYPE_NAME_MAX);
}

/* Linux's dm_table_add_target() rules on where a target may go, and the count cap. */
static int check_extent(struct dmb_ctx *ctx, const struct dmb_table *t, uint64_t start,
			uint64_t len, unsigned line)
{
	uint64_t expected = dmb_table_sectors(t), end;

	if (len == 0)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "line %u: zero-length target", line);
	if (!dmbi_add_u64(start, len, &end))
		return dmb_ctx_set_error(ctx, DMB_ERANGE,
				  "line %u: target end %llu + %llu is past 2^64-1 sectors", line,
				  (unsigned long long)start, (unsigned long long)len);
	if (t->count == 0 && start != 0)
		return dmb_ctx_set_error(ctx, DMB_EINVAL,
					 "line %u: table must start at sector 0, not %llu", line,
					 (unsigned long long)start);
	if (start > expected)
		return dmb_ctx_set_error(ctx, DMB_EINVAL,
				  "line %u: gap in table: target starts at sector %llu, previous target ends at %llu",
				  line, (unsigned long long)start, (unsigned long long)expected);
	if (start < expected)
		return dmb_ctx_set_error(ctx, DMB_EINVAL,
				  "line %u: overlap in table: target starts at sector %llu, previous target ends at %llu",
				  line, (unsigned long long)start, (unsigned long long)expected);
	if (t->count >= DMB_TABLE_MAX_TARGETS)
		return dmb_ctx_set_error(ctx, DMB_ERANGE, "line %u: more than %u targets", line,
					 DMB_TABLE_MAX_TARGETS);
	return 0;
}

/* Append a checked target; params is the caller's allocation, owned by t on success. */
static int append(struct dmb_ctx *ctx, struct dmb_table *t, uint64_t start, uint64_t len,
		  const char *type, char *params, unsigned line)
{
	struct dmb_table_target *tt;

	if (t->count == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 8;
		struct dmb_table_target *n = dmbi_calloc(cap, sizeof(*n));

		if (!n)
			return dmb_ctx_set_error(ctx, DMB_ENOMEM, "line %u: out of memory", line);
		if (t->count)
			memcpy(n, t->targets, t->count * sizeof(*n));
		dmb_port_free(t->targets);
		t->targets = n;
		t->cap = cap;
	}
	tt = &t->targets[t->count];
	tt->params = params;
	tt->start_sectors = start;
	tt->len_sectors = len;
	memcpy(tt->type, type, dmbi_strlen(type) + 1);
	tt->line = line;
	t->count++;
	return 0;
}

int dmb_table_add(struct dmb_ctx *ctx, struct dmb_table *t, uint64_t start, uint64_t len,
		  const char *type, const char *params, unsigned line)
{
	size_t type_len = dmbi_strlen(type);
	char *copy;
	int r;

	if (type_len == 0)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "line %u: missing target type", line);
	if (type_len > DMB_TYPE_NAME_MAX)
		return dmb_ctx_set_error(ctx, DMB_EINVAL,
				  "line %u: target type name \"%.20s...\" longer than %u bytes", line,
				  type, DMB_TYPE_NAME_MAX);
	r = check_extent(ctx, t, start, len, line);
	if (r)
		return r;
	/* A printed table is one target per line, so no argument may hold one. */
	for (const char *c = params; *c; c++)
		if (*c == '\n')
			return dmb_ctx_set_error(ctx, DMB_EINVAL, "line %u: newline inside target arguments",
						 line);
	copy = dmbi_strdup(params);
	if (!copy)
		return dmb_ctx_set_error(ctx, DMB_ENOMEM, "line %u: out of memory", line);
	r = append(ctx, t, start, len, type, copy, line);
	if (r)
		dmb_port_free(copy);
	return r;
}

/* The arguments joined by spaces, each escaped as dmb_split_args() undoes it. */
static void put_args(struct dmbi_strbuf *sb, unsigned argc, const char *const *argv)
{
	for (unsigned i = 0; i < argc; i++) {
		if (i)
			dmbi_strbuf_putc(sb, ' ');
		dmbi_strbuf_put_arg(sb, argv[i]);
	}
}

int dmb_table_add_argv(struct dmb_ctx *ctx, struct dmb_table *t, uint64_t start, uint64_t len,
		       const char *type, unsigned argc, const char *const *argv)
{
	/* The line the target has in the printed table, as if parsed from it. */
	const unsigned line = (unsigned)t->count + 1;
	size_t type_len = dmbi_strlen(type);
	struct dmbi_strbuf sb;
	char *params;
	int r;

	if (type_len == 0)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "line %u: missing target type", line);
	if (type_len > DMB_TYPE_NAME_MAX)
		return type_too_long(ctx, type, type_len, line);
	/* The parser ends a type at white space and a line at '#'; '\' is not undone in a type. */
	for (const char *c = type; *c; c++)
		if (dmbi_isspace(*c) || *c == '#' || *c == '\\')
			return dmb_ctx_set_error(ctx, DMB_EINVAL,
					  "line %u: target type name \"%s\" holds white space, '#' or '\\'",
					  line, type);
	r = check_extent(ctx, t, start, len, line);
	if (r)
		return r;
	/* What dmb_dev_create() refuses for the printed line, refused here. */
	if (argc > DMB_TARGET_MAX_ARGS)
		return dmb_ctx_set_error(ctx, DMB_ERANGE, "line %u: %s: more than %u arguments", line,
					 type, DMB_TARGET_MAX_ARGS);
	for (unsigned i = 0; i < argc; i++) {
		/* The text form splits on white space: an empty argument would vanish. */
		if (!argv[i][0])
			return dmb_ctx_set_error(ctx, DMB_EINVAL,
					  "line %u: argument %u is empty, which a table cannot hold",
					  line, i + 1);
		for (const char *c = argv[i]; *c; c++)
			if (*c == '\n')
				return dmb_ctx_set_error(ctx, DMB_EINVAL,
						  "line %u: newline inside target arguments", line);
	}
	dmbi_strbuf_init(&sb, NULL, 0);
	put_args(&sb, argc, argv);
	if (sb.len > DMB_TABLE_MAX_BYTES)
		return dmb_ctx_set_error(ctx, DMB_ERANGE, "line %u: arguments longer than %u bytes",
					 line, DMB_TABLE_MAX_BYTES);
	params = dmb_port_malloc(sb.len + 1);
	if (!params)
		return dmb_ctx_set_error(ctx, DMB_ENOMEM, "line %u: out of memory", line);
	dmbi_strbuf_init(&sb, params, sb.len + 1);
	put_args(&sb, argc, argv);
	r = append(ctx, t, start, len, type, params, line);
	if (r)
		dmb_port_free(params);
	return r;
}

/*
 * Where a '#' comment starts in [p, end), or end.  dmsetup cuts every line
 * at its first '#'; dmboot lets "\#" through as an escaped character so that
 * a device name containing '#' can be printed and read back.
 */
const char *dmbi_table_comment_start(const char *p, const char *end)
{
	for (; p < end; p++) {
		if (*p == '\\' && p + 1 < end)
			p++;
		else if (*p == '#')
			break;
	}
	return p;
}

/* Skip white space; return the new position. */
const char *dmbi_table_skip_space(const char *p, const char *end)
{
	while (p < end && dmbi_isspace(*p))
		p++;
	return p;
}

/* The end of the token starting at p. */
static const char *token_end(const char *p, const char *end)
{
	while (p < end && !dmbi_isspace(*p))
		p++;
	return p;
}

/*
 * Drop trailing white space from [p, end), but not white space that a
 * backslash escapes: "a\\ " ends with an argument holding a space.
 */
static const char *trim_end(const char *p, const char *end)
{
	while (end > p && dmbi_isspace(end[-1])) {
		const char *q = end - 1;

		while (q > p && q[-1] == '\\')
			q--;
		if ((end - 1 - q) % 2)
			break;
		end--;
	}
	return end;
}

static int parse_number(struct dmb_ctx *ctx, const char *p, size_t n, unsigned base,
			const char *what, unsigned line, uint64_t *out)
{
	int r = dmbi_parse_u64_len(p, n, base, out);

	if (r == DMB_ERANGE)
		return dmb_ctx_set_error(ctx, r, "line %u: %s \"%.*s\" is out of range", line, what,
					 (int)DMBI_MIN(n, 40), p);
	if (r)
		return dmb_ctx_set_error(ctx, r, "line %u: invalid %s \"%.*s\"", line, what,
					 (int)DMBI_MIN(n, 40), p);
	return 0;
}

/*
 * Parse one trimmed, comment-free, non-empty line "<start> <len> <type>
 * [params]" and append it.  Numbers are in the given base (10 for dmsetup
 * text, 0 for dm-mod.create=).
 */
int dmbi_table_add_line(struct dmb_ctx *ctx, struct dmb_table *t, const char *p, const char *end,
		    unsigned base, unsigned line)
{
	const char *tok[3], *tok_end[3];
	char type[DMB_TYPE_NAME_MAX + 1];
	uint64_t start, len;
	char *params;
	int r;

	for (int i = 0; i < 3; i++) {
		p = dmbi_table_skip_space(p, end);
		tok[i] = p;
		tok_end[i] = p = token_end(p, end);
		if (tok[i] == tok_end[i])
			return dmb_ctx_set_error(ctx, DMB_EINVAL,
					  "line %u: invalid format: expected <start> <length> <type> [<arguments>]",
					  line);
	}
	r = parse_number(ctx, tok[0], (size_t)(tok_end[0] - tok[0]), base, "start sector", line,
			 &start);
	if (r)
		return r;
	r = parse_number(ctx, tok[1], (size_t)(tok_end[1] - tok[1]), base, "length", line, &len);
	if (r)
		return r;
	if ((size_t)(tok_end[2] - tok[2]) > DMB_TYPE_NAME_MAX)
		return type_too_long(ctx, tok[2], (size_t)(tok_end[2] - tok[2]), line);
	memcpy(type, tok[2], (size_t)(tok_end[2] - tok[2]));
	type[tok_end[2] - tok[2]] = '\0';

	p = dmbi_table_skip_space(p, end);
	end = trim_end(p, end);
	params = dmbi_strndup(p, (size_t)(end - p));
	if (!params)
		return dmb_ctx_set_error(ctx, DMB_ENOMEM, "line %u: out of memory", line);
	r = dmb_table_add(ctx, t, start, len, type, params, line);
	dmb_port_free(params);
	return r;
}

int dmb_table_parse(struct dmb_ctx *ctx, const char *text, size_t len, struct dmb_table **out)
{
	const char *p = text, *end = text + len;
	struct dmb_table *t;
	unsigned line = 0;
	int r;

	*out = NULL;
	if (len > DMB_TABLE_MAX_BYTES)
		return dmb_ctx_set_error(ctx, DMB_ERANGE, "table is larger than %u bytes",
					 DMB_TABLE_MAX_BYTES);
	r = dmb_table_create(ctx, &t);
	if (r)
		return r;
	while (p < end) {
		const char *eol = p, *cut;

		while (eol < end && *eol != '\n')
			eol++;
		line++;
		for (cut = p; cut < eol; cut++) {
			if (*cut == '\0') {
				r = dmb_ctx_set_error(ctx, DMB_EINVAL, "line %u: NUL byte in table", line);
				goto fail;
			}
		}
		/* dmsetup drops everything after a '#', then trims. */
		cut = dmbi_table_comment_start(p, eol);
		if (dmbi_table_skip_space(p, cut) != cut) {
			r = dmbi_table_add_line(ctx, t, p, cut, 10, line);
			if (r)
				goto fail;
		}
		p = eol + 1;
	}
	if (t->count == 0) {
		r = dmb_ctx_set_error(ctx, DMB_EINVAL, "table has no targets");
		goto fail;
	}
	*out = t;
	return 0;
fail:
	dmb_table_destroy(t);
	return r;
}

int dmb_split_args(char *params, unsigned max, unsigned *argc, char **argv)
{
	char *in = params, *out = params;
	unsigned n = 0;

	for (;;) {
		while (dmbi_isspace(*in))
			in++;
		if (!*in)
			break;
		if (n == max)
			return DMB_ERANGE;
		argv[n++] = out;
		/* Unescape in place: the output never runs ahead of the input. */
		while (*in && !dmbi_isspace(*in)) {
			if (*in == '\\' && in[1])
				in++;
			*out++ = *in++;
		}
		if (*in)
			in++;
		*out++ = '\0';
	}
	*argc = n;
	return 0;
}

/* Kept with the core: device.c escapes names with it when printing tables. */
size_t dmb_concise_escape(char *dst, size_t cap, const char *src)
{
	struct dmbi_strbuf sb;

	dmbi_strbuf_init(&sb, dst, cap);
	for (; *src; src++) {
		if (*src == ',' || *src == ';' || *src == '\\')
			dmbi_strbuf_putc(&sb, '\\');
		dmbi_strbuf_putc(&sb, *src);
	}
	return sb.len;
}
