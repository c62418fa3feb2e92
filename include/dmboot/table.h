/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/* dm tables in Linux syntax: dmsetup table text and the concise form. */
#ifndef DMBOOT_TABLE_H
#define DMBOOT_TABLE_H

#ifndef DMBOOT_INSIDE_DMBOOT_H
#error "include <dmboot/dmboot.h>, not <dmboot/table.h>"
#endif

/* Linux's DM_MAX_TYPE_NAME is 16 including the NUL. */
#define DMB_TYPE_NAME_MAX 15
/* Caps on input the library accepts; larger input is DMB_ERANGE. */
#define DMB_TABLE_MAX_BYTES (1u << 20)
#define DMB_TABLE_MAX_TARGETS 65536u
#define DMB_TARGET_MAX_ARGS 1024u
/* Linux's DM_NAME_LEN and DM_UUID_LEN, both including the NUL. */
#define DMB_NAME_MAX 127
#define DMB_UUID_MAX 128

/* One target line: <start> <length> <type> <params>. */
struct dmb_table_target {
	uint64_t start_sectors;
	uint64_t len_sectors;
	char type[DMB_TYPE_NAME_MAX + 1];
	char *params;  /* the rest of the line, trimmed; split by dmb_split_args() */
	unsigned line; /* 1-based line (or concise field) it came from; 0 if built */
};

struct dmb_table {
	size_t count;
	size_t cap;
	struct dmb_table_target *targets;
};

/*
 * Parse a table as `dmsetup create` reads it: one target per line, blank
 * lines and lines starting with '#' skipped, anything after a '#' dropped.
 * Numbers are decimal, strictly parsed.  Targets must start at sector 0, be
 * contiguous and have non-zero lengths; the table must not end past
 * 2^64-1 sectors.  White space a backslash escapes stays part of the last
 * argument, at the end of a line too.  The target type and its arguments
 * are checked later, by dmb_dev_create().
 * Errors (the message names the line): DMB_EINVAL (a NUL byte, a line
 * without <start> <length> <type>, a number that is not decimal, a type
 * name over DMB_TYPE_NAME_MAX bytes, a table not starting at sector 0, a
 * gap, an overlap, a zero length, no targets); DMB_ERANGE (a number over
 * 2^64-1, a table ending past 2^64-1 sectors, input over
 * DMB_TABLE_MAX_BYTES, more than DMB_TABLE_MAX_TARGETS targets);
 * DMB_ENOMEM.
 */
DMB_MUST_CHECK int dmb_table_parse(struct dmb_ctx *ctx, const char *text, size_t len, struct dmb_table **out);

/* An empty table, for building one target at a time. Errors: DMB_ENOMEM. */
DMB_MUST_CHECK int dmb_table_create(struct dmb_ctx *ctx, struct dmb_table **out);

/*
 * Append a target whose arguments are already table text (escaped as
 * dmb_split_args() undoes it); line is for messages and the target's line.
 * Checks the rules dmb_table_parse() applies to a line.
 * Errors: DMB_EINVAL (an empty type, a type over DMB_TYPE_NAME_MAX bytes,
 * a zero length, a first target not at sector 0, a gap, an overlap, params
 * holding a newline: a printed table is one line per target); DMB_ERANGE
 * (the target ends past 2^64-1 sectors, the table already holds
 * DMB_TABLE_MAX_TARGETS targets); DMB_ENOMEM.
 */
DMB_MUST_CHECK int dmb_table_add(struct dmb_ctx *ctx, struct dmb_table *t, uint64_t start_sectors,
		  uint64_t len_sectors, const char *type, const char *params, unsigned line);

/*
 * Append a target from its parts, as a format builds one: the arguments are
 * escaped and joined, so that dmb_split_args() gives argv back and the
 * target is the one dmb_table_parse() makes of its printed line, line
 * number (t->count + 1) and messages included.  Nothing is parsed.
 * Errors: DMB_EINVAL (an empty type, a type over DMB_TYPE_NAME_MAX bytes
 * or holding white space, '#' or '\', a zero length, a first target not at
 * sector 0, a gap, an overlap, an empty argument or one holding a
 * newline); DMB_ERANGE (the target ends past 2^64-1 sectors, the table
 * already holds DMB_TABLE_MAX_TARGETS targets, more than
 * DMB_TARGET_MAX_ARGS arguments, which dmb_dev_create() would refuse with
 * the same message, the arguments' text over DMB_TABLE_MAX_BYTES);
 * DMB_ENOMEM.  The type is not looked up: dmb_dev_create() does that.
 */
DMB_MUST_CHECK int dmb_table_add_argv(struct dmb_ctx *ctx, struct dmb_table *t,
				      uint64_t start_sectors, uint64_t len_sectors,
				      const char *type, unsigned argc, const char *const *argv);

/* Frees the table; accepts NULL. */
void dmb_table_destroy(struct dmb_table *t);

/* End of the last target: the size of a device made from the table. */
uint64_t dmb_table_sectors(const struct dmb_table *t);

/*
 * Split target parameters in place the way Linux's dm_split_args() does:
 * on white space, where a backslash makes the next character literal.
 * argv gets at most max entries.
 * Errors: DMB_ERANGE (more than max arguments).
 */
DMB_MUST_CHECK int dmb_split_args(char *params, unsigned max, unsigned *argc, char **argv);

/*
 * One device of a concise specification, the form of `dmsetup create
 * --concise` and of the kernel's dm-mod.create=:
 *   <name>,<uuid>,<minor>,<ro|rw>,<table>[,<table>...][;<next device>...]
 */
struct dmb_concise_dev {
	char *name;
	char *uuid;         /* "" when empty */
	int64_t minor;      /* -1 when empty */
	bool read_only;
	struct dmb_table *table;
};

struct dmb_concise {
	size_t count;
	struct dmb_concise_dev *devs;
};

/*
 * Parse a concise specification.  With DMB_CONCISE_KERNEL, follow
 * dm-mod.create= exactly: no backslash escapes, numbers in C notation
 * (0x.., 0..), at most 256 devices of 256 targets, under 4096 bytes, and
 * only the target types the kernel allows there.  Without it, follow
 * dmsetup: a backslash escapes the next character, numbers are decimal.
 * Errors (the message names the device and field): DMB_EINVAL (a NUL
 * byte, a backslash ending the text, a device with fewer than five fields,
 * an empty name, a name over DMB_NAME_MAX or a uuid over DMB_UUID_MAX
 * bytes, a minor that is not a number, flags other than ro or rw (empty
 * means rw in dmsetup's form), an empty table field, a table line
 * dmb_table_parse() would refuse with DMB_EINVAL, a target type
 * dm-mod.create= does not allow); DMB_ERANGE (text over
 * DMB_TABLE_MAX_BYTES, or 4095 bytes for the kernel, a minor of 2^20 or
 * more, over 256 devices or 256 targets a device for the kernel, a table
 * line dmb_table_parse() would refuse with DMB_ERANGE); DMB_ENOMEM.
 */
#define DMB_CONCISE_KERNEL 1u
DMB_MUST_CHECK int dmb_concise_parse(struct dmb_ctx *ctx, const char *text, size_t len, unsigned flags,
		      struct dmb_concise **out);
void dmb_concise_destroy(struct dmb_concise *c);

/*
 * Copy src into dst, backslash-escaping ',' ';' and '\' as `dmsetup table
 * --concise` does.  Returns the length the result needs (without the NUL);
 * writes at most cap bytes including a NUL when cap > 0.
 */
size_t dmb_concise_escape(char *dst, size_t cap, const char *src);

/*
 * The concise specification of n devices, as `dmsetup table --concise`
 * prints it (',' ';' '\' escaped) or, with DMB_CONCISE_KERNEL, as the
 * kernel's dm-mod.create= takes it: unescaped, and checked by parsing it
 * back under that form's rules (its targets, its size and count limits).
 * Returns the length like snprintf (writing at most cap bytes with a NUL),
 * or DMB_EINVAL (a character the form cannot carry, or what
 * dmb_concise_parse() refuses in the text with DMB_EINVAL: a target type
 * the form does not allow, an empty name, ...), DMB_ERANGE (text over
 * DMB_TABLE_MAX_BYTES, or what dmb_concise_parse() refuses with
 * DMB_ERANGE: the form's size and count limits), DMB_ENOMEM.
 */
DMB_MUST_CHECK int dmb_concise_format(struct dmb_ctx *ctx, const struct dmb_concise_dev *devs, size_t n,
		       unsigned flags, char *buf, size_t cap);

#endif /* DMBOOT_TABLE_H */
