// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Concise device specifications (formats.md §1.9): what `dmsetup create
 * --concise` and the kernel's dm-mod.create= take, parsed into tables and
 * printed back.  A list of its own in lib/sources.mk (DMBOOT_CONCISE_SRCS):
 * a bootloader that only maps tables leaves it out; one that hands its
 * mapping to Linux (the DDI handoff) needs it.
 */
#include "core.h"

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
			end = dmbi_table_comment_start(p, end);
		if (dmbi_table_skip_space(p, end) == end) {
			r = dmb_ctx_set_error(ctx, DMB_EINVAL, "device %u (%s): table %u is empty", devno,
					      d->name, line);
			goto out;
		}
		r = dmbi_table_add_line(ctx, d->table, p, end, kernel ? 0 : 10, line);
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
