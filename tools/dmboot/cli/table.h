/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * One column printer for the tables of the tools dmboot mirrors:
 * libsmartcols' (sfdisk --list), systemd's format-table (ddi inspect),
 * lvm2's reports and dmsetup info --columns.  A column is as wide as its
 * widest cell or heading; a style says how cells are measured, padded and
 * separated.  Output goes to stdout.
 */
#ifndef DMBOOT_CLI_TABLE_H
#define DMBOOT_CLI_TABLE_H

#include <stdbool.h>
#include <stddef.h>

/* How the width of a cell is counted. */
enum cli_width {
	CLI_WIDTH_BYTES,    /* one column per byte, as printf pads (lvm2, dmsetup) */
	CLI_WIDTH_UTF8,     /* one column per UTF-8 character (util-linux) */
	/*
	 * One per UTF-8 character, and control characters are printed as \xNN
	 * and take four (systemd, with text from disk that must not reach a
	 * terminal raw).
	 */
	CLI_WIDTH_ESCAPED,
};

struct cli_column {
	const char *heading;
	size_t min_width;   /* never narrower (lvm2's field widths) */
	/*
	 * libsmartcols' width hint: the column widens to it unless the heading
	 * alone is wider than every cell.
	 */
	size_t hint;
	bool right;         /* cells align right */
};

struct cli_table_style {
	const char *prefix;     /* before every line */
	const char *sep;        /* between cells */
	bool pad;               /* false: cells as they are (lvm2 --separator) */
	bool pad_last;          /* pad a left-aligned last column too */
	bool headings_left;     /* headings align left in every column */
	bool no_headings;
	enum cli_width width;
	const char *null_text;  /* shown for a NULL cell */
};

/* The display width of s. */
size_t cli_text_width(const char *s, enum cli_width how);

/* Print s as a cell shows it (CLI_WIDTH_ESCAPED: control characters as \xNN). */
void cli_put_text(const char *s, enum cli_width how);

/*
 * Print the heading line and nrows rows of ncols cells (row-major; a NULL
 * cell shows null_text).  0, or -ENOMEM.
 */
int cli_table_print(const struct cli_table_style *s, const struct cli_column *cols, size_t ncols,
		    const char *const *cells, size_t nrows);

/*
 * Print one line of ncols cells (NULL: the headings), each padded to the
 * column's min_width and wider when it does not fit, for tables printed a
 * row at a time.
 */
void cli_table_line(const struct cli_table_style *s, const struct cli_column *cols, size_t ncols,
		    const char *const *cells);

#endif /* DMBOOT_CLI_TABLE_H */
