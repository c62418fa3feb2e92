// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The column printer of the host CLI (cli/table.h).  Widths are measured
 * the way each mirrored tool measures them, so padding matches theirs for
 * any text, and text from disk printed with CLI_WIDTH_ESCAPED can neither
 * break a line nor reach the terminal.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "table.h"

static bool is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

size_t cli_text_width(const char *s, enum cli_width how)
{
	size_t w = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (how == CLI_WIDTH_BYTES)
			w++;
		else if (how == CLI_WIDTH_ESCAPED && is_control(*p))
			w += 4;
		else
			w += (*p & 0xc0) != 0x80;
	}
	return w;
}

void cli_put_text(const char *s, enum cli_width how)
{
	if (how != CLI_WIDTH_ESCAPED) {
		fputs(s, stdout);
		return;
	}
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (is_control(*p))
			printf("\\x%02x", *p);
		else
			putchar(*p);
	}
}

static void put_cell(const struct cli_table_style *s, const char *text, size_t width, bool right,
		     bool last)
{
	size_t w = cli_text_width(text, s->width), pad = s->pad && w < width ? width - w : 0;

	if (right)
		printf("%*s", (int)pad, "");
	cli_put_text(text, s->width);
	if (!right && (!last || s->pad_last))
		printf("%*s", (int)pad, "");
}

/* One line (cells NULL: the headings); width NULL pads to the columns' minimum widths. */
static void put_line(const struct cli_table_style *s, const struct cli_column *cols, size_t ncols,
		     const char *const *cells, const size_t *width)
{
	fputs(s->prefix, stdout);
	for (size_t c = 0; c < ncols; c++) {
		const char *text = cells ? cells[c] : cols[c].heading;
		bool right = cols[c].right && (cells || !s->headings_left);

		if (c)
			fputs(s->sep, stdout);
		put_cell(s, text ? text : s->null_text, width ? width[c] : cols[c].min_width, right,
			 c + 1 == ncols);
	}
	putchar('\n');
}

/* A column's width: its widest cell or heading, then its minimum and hint. */
static size_t column_width(const struct cli_table_style *s, const struct cli_column *col,
			   const char *const *cells, size_t stride, size_t nrows)
{
	size_t head = cli_text_width(col->heading, s->width), w = 0;

	for (size_t row = 0; row < nrows; row++) {
		const char *text = cells[row * stride] ? cells[row * stride] : s->null_text;
		size_t cw = cli_text_width(text, s->width);

		if (cw > w)
			w = cw;
	}
	if (w < head)
		w = head;
	else if (w < col->hint && head < col->hint)
		w = col->hint;
	return w < col->min_width ? col->min_width : w;
}

int cli_table_print(const struct cli_table_style *s, const struct cli_column *cols, size_t ncols,
		    const char *const *cells, size_t nrows)
{
	size_t *width = calloc(ncols ? ncols : 1, sizeof(*width));

	if (!width)
		return -ENOMEM;
	for (size_t c = 0; c < ncols; c++)
		width[c] = column_width(s, &cols[c], cells + c, ncols, nrows);
	if (!s->no_headings)
		put_line(s, cols, ncols, NULL, width);
	for (size_t row = 0; row < nrows; row++)
		put_line(s, cols, ncols, cells + row * ncols, width);
	free(width);
	return 0;
}

void cli_table_line(const struct cli_table_style *s, const struct cli_column *cols, size_t ncols,
		    const char *const *cells)
{
	put_line(s, cols, ncols, cells, NULL);
}
