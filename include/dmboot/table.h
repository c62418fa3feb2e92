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
 * Errors (message names the line): DMB_EINVAL syntax, gap, overlap, zero
 * length, a newline inside the arguments, empty table; DMB_ERANGE number overflow or input over the caps;
 * DMB_ENOMEM.
 */
DMB_MUST_CHECK int dmb_table_parse(struct dmb_ctx *ctx, const char *text, size_t len, struct dmb_table **out);

/* An empty table, for building one target at a time. DMB_ENOMEM. */
DMB_MUST_CHECK int dmb_table_create(struct dmb_ctx *ctx, struct dmb_table **out);

/*
 * Append a target; checks the same rules as dmb_table_parse() (the
 * arguments may not hold a newline: a printed table is one line per target).
 * Errors: DMB_EINVAL, DMB_ERANGE, DMB_ENOMEM.
 */
DMB_MUST_CHECK int dmb_table_add(struct dmb_ctx *ctx, struct dmb_table *t, uint64_t start_sectors,
		  uint64_t len_sectors, const char *type, const char *params, unsigned line);

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
 * Errors: DMB_EINVAL, DMB_ERANGE, DMB_ENOMEM; the message names the device
 * and field.
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
 * or DMB_EINVAL (a character the form cannot carry, a target it refuses),
 * DMB_ERANGE (over its limits), DMB_ENOMEM.
 */
DMB_MUST_CHECK int dmb_concise_format(struct dmb_ctx *ctx, const struct dmb_concise_dev *devs, size_t n,
		       unsigned flags, char *buf, size_t cap);

#endif /* DMBOOT_TABLE_H */
