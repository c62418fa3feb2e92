/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * One JSON writer for the layouts of the tools dmboot mirrors: util-linux
 * (sfdisk --json), systemd (systemd-dissect --json=pretty|short) and lvm2
 * (--reportformat json).  A style says how members are indented and
 * separated; the writer keeps the nesting.  Output goes to stdout.
 */
#ifndef DMBOOT_CLI_JSON_H
#define DMBOOT_CLI_JSON_H

#include <stdbool.h>
#include <stdint.h>

/* How deep containers may nest; the callers' shapes are fixed and stay within it. */
#define CLI_JSON_MAX_DEPTH 8

struct cli_json_style {
	const char *margin;     /* before every indented line and the first '{' */
	const char *indent;     /* one level of indentation; NULL: all on one line */
	const char *key_sep;    /* between a key and its value on indented lines */
	/*
	 * Containers this deep (the top one is 0) and deeper are written on one
	 * line, with these separators (lvm2's report rows).
	 */
	int inline_depth;
	const char *inline_key_sep;
	const char *inline_sep;
	bool empty_null;        /* "" is written as null (util-linux) */
	bool join_objects;      /* objects in an array after the first as ",{" (util-linux) */
	bool empty_on_line;     /* an empty indented array closes on a line of its own (lvm2) */
};

extern const struct cli_json_style cli_json_util_linux;
extern const struct cli_json_style cli_json_systemd_pretty;
extern const struct cli_json_style cli_json_systemd_short;
extern const struct cli_json_style cli_json_lvm2;

struct cli_json {
	const struct cli_json_style *style;
	int depth;                          /* open containers */
	char close[CLI_JSON_MAX_DEPTH];     /* '}' or ']' for each */
	bool used[CLI_JSON_MAX_DEPTH];      /* the container has a member */
};

/*
 * Print s as a JSON string, as util-linux, systemd and lvm2 write them: '"'
 * and '\' escaped, \b \f \n \r \t, other control characters as \u00XX;
 * NULL prints null.
 */
void cli_json_string(const char *s);

void cli_json_init(struct cli_json *j, const struct cli_json_style *style);
/* Open an object or array: key names it inside an object, NULL elsewhere. */
void cli_json_object(struct cli_json *j, const char *key);
void cli_json_array(struct cli_json *j, const char *key);
/* Close the innermost container; closing the top one ends the line. */
void cli_json_end(struct cli_json *j);
void cli_json_str(struct cli_json *j, const char *key, const char *value);
void cli_json_u64(struct cli_json *j, const char *key, uint64_t value);
void cli_json_bool(struct cli_json *j, const char *key, bool value);

#endif /* DMBOOT_CLI_JSON_H */
