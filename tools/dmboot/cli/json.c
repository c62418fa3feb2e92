// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The JSON writer of the host CLI (cli/json.h).  The three layouts differ
 * only in whitespace and in two habits of util-linux (empty strings as
 * null, array objects joined as "},{"), so one writer with a style struct
 * prints all of them byte for byte.
 */
#include <stdio.h>
#include <string.h>

#include "json.h"

const struct cli_json_style cli_json_util_linux = {
	.margin = "", .indent = "   ", .key_sep = ": ", .inline_depth = CLI_JSON_MAX_DEPTH,
	.empty_null = true, .join_objects = true,
};

const struct cli_json_style cli_json_systemd_pretty = {
	.margin = "", .indent = "\t", .key_sep = " : ", .inline_depth = CLI_JSON_MAX_DEPTH,
};

const struct cli_json_style cli_json_systemd_short = {
	.margin = "", .inline_key_sep = ":", .inline_sep = ",",
};

const struct cli_json_style cli_json_lvm2 = {
	.margin = "  ", .indent = "    ", .key_sep = ": ", .inline_depth = 4,
	.inline_key_sep = ":", .inline_sep = ", ", .empty_on_line = true,
};

void cli_json_string(const char *s)
{
	static const char controls[] = "\b\f\n\r\t", letters[] = "bfnrt";

	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		const char *c = strchr(controls, *p);

		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (c)
			printf("\\%c", letters[c - controls]);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

void cli_json_init(struct cli_json *j, const struct cli_json_style *style)
{
	memset(j, 0, sizeof(*j));
	j->style = style;
}

/* Whether the container at depth d puts its members on lines of their own. */
static bool indented(const struct cli_json *j, int d)
{
	return j->style->indent && d < j->style->inline_depth;
}

static void newline(const struct cli_json *j, int depth)
{
	putchar('\n');
	fputs(j->style->margin, stdout);
	for (int i = 0; i < depth; i++)
		fputs(j->style->indent, stdout);
}

/* Start a member of the innermost container (or the top value). */
static void member(struct cli_json *j, const char *key, bool object)
{
	int d = j->depth - 1;
	bool lines;

	if (d < 0) {
		fputs(j->style->margin, stdout);
		return;
	}
	lines = indented(j, d);
	if (j->used[d])
		fputs(lines ? "," : j->style->inline_sep, stdout);
	if (lines && !(j->style->join_objects && object && j->close[d] == ']' && j->used[d]))
		newline(j, j->depth);
	j->used[d] = true;
	if (key) {
		cli_json_string(key);
		fputs(lines ? j->style->key_sep : j->style->inline_key_sep, stdout);
	}
}

static void open_container(struct cli_json *j, const char *key, char open, char close)
{
	member(j, key, open == '{');
	putchar(open);
	j->close[j->depth] = close;
	j->used[j->depth] = false;
	j->depth++;
}

void cli_json_object(struct cli_json *j, const char *key)
{
	open_container(j, key, '{', '}');
}

void cli_json_array(struct cli_json *j, const char *key)
{
	open_container(j, key, '[', ']');
}

void cli_json_end(struct cli_json *j)
{
	int d = --j->depth;

	if (indented(j, d) && (j->used[d] || j->style->empty_on_line))
		newline(j, d);
	putchar(j->close[d]);
	if (d == 0)
		putchar('\n');
}

void cli_json_str(struct cli_json *j, const char *key, const char *value)
{
	member(j, key, false);
	if (j->style->empty_null && value && !*value)
		fputs("null", stdout);
	else
		cli_json_string(value);
}

void cli_json_u64(struct cli_json *j, const char *key, uint64_t value)
{
	member(j, key, false);
	printf("%llu", (unsigned long long)value);
}

void cli_json_bool(struct cli_json *j, const char *key, bool value)
{
	member(j, key, false);
	fputs(value ? "true" : "false", stdout);
}
