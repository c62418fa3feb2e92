// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * dm tables in Linux syntax (formats.md §1.1, §1.8, §1.9).  The text form is
 * what dmsetup reads from --table, a file or stdin; the concise form is what
 * `dmsetup create --concise` and the kernel's dm-mod.create= take.  Checks
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
static const char *comment_start(const char *p, const char *end)
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
static const char *skip_space(const char *p, const char *end)
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
static int add_line(struct dmb_ctx *ctx, struct dmb_table *t, const char *p, const char *end,
		    unsigned base, unsigned line)
{
	const char *tok[3], *tok_end[3];
	char type[DMB_TYPE_NAME_MAX + 1];
	uint64_t start, len;
	char *params;
	int r;

	for (int i = 0; i < 3; i++) {
		p = skip_space(p, end);
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

	p = skip_space(p, end);
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
		cut = comment_start(p, eol);
		if (skip_space(p, cut) != cut) {
			r = add_line(ctx, t, p, cut, 10, line);
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

/* Concise specifications */

/* dm-init's limits (drivers/md/dm-init.c). */
#define KERNEL_MAX_DEVICES 256
#define KERNEL_MAX_TARGETS 256
#define KERNEL_MAX_STR 4096

static const char *const kernel_types[] = {
	"crypt", "delay", "linear", "snapshot-origin", "striped", "verity",
};

void dmb_concise_destroy(struct dmb_concise *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->count; i++) {
		dmb_port_free(c->devs[i].name);
		dmb_port_free(c->devs[i].uuid);
		dmb_table_destroy(c->devs[i].table);
	}
	dmb_port_free(c->devs);
	dmb_port_free(c);
}

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

/* A field of a concise device being collected, unescaped. */
struct field {
	char *buf;
	size_t len;
};

static char *trimmed_dup(const char *s, size_t n)
{
	while (n && dmbi_isspace(*s)) {
		s++;
		n--;
	}
	while (n && dmbi_isspace(s[n - 1]))
		n--;
	return dmbi_strndup(s, n);
}

/*
 * Build one device from its fields: f[0..3] are name, uuid, minor and flags;
 * the table lines follow, one per field.
 */
static int concise_device(struct dmb_ctx *ctx, struct dmb_concise_dev *d, unsigned devno,
			  struct field *f, unsigned nf, unsigned flags)
{
	const bool kernel = flags & DMB_CONCISE_KERNEL;
	char *minor = NULL, *rwro = NULL;
	int r = DMB_ENOMEM;

	if (nf < 5)
		return dmb_ctx_set_error(ctx, DMB_EINVAL,
				  "device %u: five comma-separated fields are required: <name>,<uuid>,<minor>,<flags>,<table>[,<table>...]",
				  devno);
	d->minor = -1;
	d->name = trimmed_dup(f[0].buf, f[0].len);
	d->uuid = trimmed_dup(f[1].buf, f[1].len);
	minor = trimmed_dup(f[2].buf, f[2].len);
	rwro = trimmed_dup(f[3].buf, f[3].len);
	if (!d->name || !d->uuid || !minor || !rwro) {
		dmb_ctx_set_error(ctx, r, "device %u: out of memory", devno);
		goto out;
	}
	r = DMB_EINVAL;
	if (!*d->name) {
		dmb_ctx_set_error(ctx, r, "device %u: empty name", devno);
		goto out;
	}
	if (dmbi_strlen(d->name) > DMB_NAME_MAX) {
		dmb_ctx_set_error(ctx, r, "device %u: name longer than %u bytes", devno, DMB_NAME_MAX);
		goto out;
	}
	if (dmbi_strlen(d->uuid) > DMB_UUID_MAX) {
		dmb_ctx_set_error(ctx, r, "device %u (%s): uuid longer than %u bytes", devno, d->name,
				  DMB_UUID_MAX);
		goto out;
	}
	if (*minor) {
		uint64_t v;

		r = dmbi_parse_u64(minor, kernel ? 0 : 10, &v);
		if (!r && v >= (1u << 20))
			r = DMB_ERANGE;
		if (r) {
			dmb_ctx_set_error(ctx, r, "device %u (%s): invalid minor \"%.20s\"", devno, d->name,
					  minor);
			goto out;
		}
		d->minor = (int64_t)v;
	}
	r = DMB_EINVAL;
	if (dmbi_strcmp(rwro, "ro") == 0) {
		d->read_only = true;
	} else if (dmbi_strcmp(rwro, "rw") != 0 && (kernel || *rwro)) {
		dmb_ctx_set_error(ctx, r, "device %u (%s): invalid flags \"%.20s\": must be 'ro' or 'rw'",
				  devno, d->name, rwro);
		goto out;
	}

	r = dmb_table_create(ctx, &d->table);
	if (r)
		goto out;
	for (unsigned i = 4; i < nf; i++) {
		const char *p = f[i].buf, *end = f[i].buf + f[i].len;
		unsigned line = i - 3;

		if (kernel && line > KERNEL_MAX_TARGETS) {
			r = dmb_ctx_set_error(ctx, DMB_ERANGE, "device %u (%s): more than %u targets", devno,
					      d->name, KERNEL_MAX_TARGETS);
			goto out;
		}
		/* dmsetup parses each table field as a table-file line. */
		if (!kernel)
			end = comment_start(p, end);
		if (skip_space(p, end) == end) {
			r = dmb_ctx_set_error(ctx, DMB_EINVAL, "device %u (%s): table %u is empty", devno,
					      d->name, line);
			goto out;
		}
		r = add_line(ctx, d->table, p, end, kernel ? 0 : 10, line);
		if (r) {
			dmb_ctx_wrap_error(ctx, r, "", "device %u (%s): table ", devno, d->name);
			goto out;
		}
		if (kernel) {
			const char *type = d->table->targets[d->table->count - 1].type;
			bool allowed = false;

			for (size_t k = 0; k < DMBI_ARRAY_SIZE(kernel_types); k++)
				allowed |= dmbi_strcmp(type, kernel_types[k]) == 0;
			if (!allowed) {
				r = dmb_ctx_set_error(ctx, DMB_EINVAL,
					       "device %u (%s): table line %u: target type \"%s\" is not allowed in dm-mod.create=",
					       devno, d->name, line, type);
				goto out;
			}
		}
	}
	r = 0;
out:
	dmb_port_free(minor);
	dmb_port_free(rwro);
	return r;
}

int dmb_concise_parse(struct dmb_ctx *ctx, const char *text, size_t len, unsigned flags,
		      struct dmb_concise **out)
{
	const bool kernel = flags & DMB_CONCISE_KERNEL;
	struct dmb_concise *c = NULL;
	struct field *fields = NULL;
	char *buf = NULL;
	size_t nfields_max, devs_cap = 0, pos = 0;
	unsigned nf = 0;
	int r;

	*out = NULL;
	if (len > DMB_TABLE_MAX_BYTES || (kernel && len >= KERNEL_MAX_STR))
		return dmb_ctx_set_error(ctx, DMB_ERANGE, "concise table is %zu bytes, longer than %u", len,
					 kernel ? KERNEL_MAX_STR - 1 : DMB_TABLE_MAX_BYTES);
	for (size_t i = 0; i < len; i++)
		if (text[i] == '\0')
			return dmb_ctx_set_error(ctx, DMB_EINVAL, "NUL byte in concise table");

	/* Unescaped text never grows, and there are at most len + 1 fields. */
	nfields_max = len + 1;
	c = dmbi_calloc(1, sizeof(*c));
	buf = dmb_port_malloc(len + 1);
	fields = dmbi_calloc(nfields_max, sizeof(*fields));
	if (!c || !buf || !fields) {
		r = dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory for a concise table");
		goto fail;
	}
	fields[0].buf = buf;
	for (size_t i = 0; i <= len; i++) {
		char ch = i < len ? text[i] : ';';

		if (!kernel && ch == '\\' && i < len) {
			if (i + 1 == len) {
				r = dmb_ctx_set_error(ctx, DMB_EINVAL,
					       "backslash must be followed by another character at end of string");
				goto fail;
			}
			buf[pos++] = text[++i];
			fields[nf].len++;
			continue;
		}
		if (ch == ',') {
			nf++;
			fields[nf].buf = buf + pos;
			fields[nf].len = 0;
			continue;
		}
		if (ch != ';') {
			buf[pos++] = ch;
			fields[nf].len++;
			continue;
		}
		/* End of a device ("a;" at the very end leaves an empty last one). */
		if (i == len && nf == 0 && fields[0].len == 0 && c->count > 0)
			break;
		if (c->count == devs_cap) {
			size_t cap = devs_cap ? devs_cap * 2 : 4;
			struct dmb_concise_dev *n = dmbi_calloc(cap, sizeof(*n));

			if (!n) {
				r = dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory for a concise table");
				goto fail;
			}
			if (c->count)
				memcpy(n, c->devs, c->count * sizeof(*n));
			dmb_port_free(c->devs);
			c->devs = n;
			devs_cap = cap;
		}
		if (kernel && c->count >= KERNEL_MAX_DEVICES) {
			r = dmb_ctx_set_error(ctx, DMB_ERANGE, "more than %u devices", KERNEL_MAX_DEVICES);
			goto fail;
		}
		c->count++;
		r = concise_device(ctx, &c->devs[c->count - 1], (unsigned)c->count, fields, nf + 1,
				   flags);
		if (r)
			goto fail;
		nf = 0;
		fields[0].buf = buf + pos;
		fields[0].len = 0;
	}
	dmb_port_free(buf);
	dmb_port_free(fields);
	*out = c;
	return 0;
fail:
	dmb_port_free(buf);
	dmb_port_free(fields);
	dmb_concise_destroy(c);
	return r;
}

/*
 * One field of a concise device.  dmsetup's form escapes ',' ';' '\';
 * dm-mod.create= cannot escape anything, so there such a character (or a
 * '"', which would end the command-line argument, or a control character)
 * makes the line impossible.
 */
static bool put_field(struct dmbi_strbuf *sb, const char *s, bool kernel)
{
	if (!kernel) {
		size_t room = sb->len < sb->cap ? sb->cap - sb->len : 0;

		sb->len += dmb_concise_escape(room ? sb->buf + sb->len : NULL, room, s);
		return true;
	}
	for (; *s; s++) {
		if (*s == ',' || *s == ';' || *s == '"' || (unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
		dmbi_strbuf_putc(sb, *s);
	}
	return true;
}

static bool put_concise(struct dmbi_strbuf *sb, const struct dmb_concise_dev *devs, size_t n,
			bool kernel)
{
	bool ok = true;

	for (size_t i = 0; i < n; i++) {
		const struct dmb_concise_dev *d = &devs[i];

		if (i)
			dmbi_strbuf_putc(sb, ';');
		ok &= put_field(sb, d->name, kernel);
		dmbi_strbuf_putc(sb, ',');
		ok &= put_field(sb, d->uuid ? d->uuid : "", kernel);
		dmbi_strbuf_putc(sb, ',');
		if (d->minor >= 0)
			dmbi_strbuf_printf(sb, "%lld", (long long)d->minor);
		dmbi_strbuf_printf(sb, ",%s", d->read_only ? "ro" : "rw");
		for (size_t t = 0; t < d->table->count; t++) {
			const struct dmb_table_target *tt = &d->table->targets[t];
			char head[64];

			dmbi_snprintf(head, sizeof(head), ",%llu %llu %s ",
				      (unsigned long long)tt->start_sectors,
				      (unsigned long long)tt->len_sectors, tt->type);
			dmbi_strbuf_puts(sb, head);
			ok &= put_field(sb, tt->params, kernel);
		}
	}
	return ok;
}

int dmb_concise_format(struct dmb_ctx *ctx, const struct dmb_concise_dev *devs, size_t n,
		       unsigned flags, char *buf, size_t cap)
{
	const bool kernel = flags & DMB_CONCISE_KERNEL;
	struct dmb_concise *check = NULL;
	struct dmbi_strbuf sb;
	char *text;
	int r;

	dmbi_strbuf_init(&sb, NULL, 0);
	if (!put_concise(&sb, devs, n, kernel))
		return dmb_ctx_set_error(ctx, DMB_EINVAL,
				  "a name, uuid or table holds ',', ';', '\"' or a control character, which dm-mod.create= cannot carry");
	if (sb.len > DMB_TABLE_MAX_BYTES)
		return dmb_ctx_set_error(ctx, DMB_ERANGE, "concise table longer than %u bytes",
					 DMB_TABLE_MAX_BYTES);
	text = dmb_port_malloc(sb.len + 1);
	if (!text)
		return dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory for a concise table");
	dmbi_strbuf_init(&sb, text, sb.len + 1);
	put_concise(&sb, devs, n, kernel);
	/* What the parser of that form refuses (dm-init's limits and targets) is refused here. */
	r = dmb_concise_parse(ctx, text, sb.len, flags, &check);
	dmb_concise_destroy(check);
	if (!r) {
		dmbi_strbuf_init(&sb, buf, cap);
		dmbi_strbuf_puts(&sb, text);
		r = (int)sb.len;
	}
	dmbi_wipe(text, sb.len);
	dmb_port_free(text);
	return r;
}
