// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Error lines of the host CLI (cli/msg.h).  Errors are one line: control
 * characters from names or files are shown escaped, so they can neither
 * break the line nor reach the terminal.
 */
#include <stdarg.h>
#include <stdio.h>

#include "msg.h"

const char *cli_prog = "dmboot";

void cli_error(const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: ", cli_prog);
	for (const unsigned char *p = (const unsigned char *)buf; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(stderr, "\\x%02x", *p);
		else
			fputc(*p, stderr);
	}
	fputc('\n', stderr);
}

void cli_print_version(const char *tool, const char *compat)
{
	printf("%s %s (dmboot %s)\n", tool, compat, DMB_CLI_VERSION);
}

int cli_seterr(struct dmb_ctx *ctx, int err, const char *fmt, ...)
{
	char line[DMB_MSG_MAX];
	va_list ap;

	/* libc's vsnprintf, for the conversions lib/'s printf does not have. */
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	return dmb_ctx_set_error(ctx, err, "%s", line);
}
