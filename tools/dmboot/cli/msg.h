/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * Messages of the dmboot host CLI: one error line on stderr, and an error
 * recorded in a context for the caller to print.
 */
#ifndef DMBOOT_CLI_MSG_H
#define DMBOOT_CLI_MSG_H

#include <dmboot/dmboot.h>

/* Program name used in messages ("dmsetup" or "dmboot dmsetup"). */
extern const char *cli_prog;

/* Print "<prog>: <message>" to stderr, control characters escaped. */
void cli_error(const char *fmt, ...) DMB_PRINTF(1, 2);

/* Record err and a message in ctx (truncated to fit); returns err. */
int cli_seterr(struct dmb_ctx *ctx, int err, const char *fmt, ...) DMB_PRINTF(3, 4);

/* dmboot's own version, printed by every tool's --version. */
#define DMB_CLI_VERSION "0.9.0"

/*
 * Print a tool's --version line on stdout: "<tool> <compat> (dmboot
 * <version>)", where compat is the release of the Linux tool whose
 * behaviour dmboot follows (veritysetup's "2.6.1", ...).
 */
void cli_print_version(const char *tool, const char *compat);

#endif /* DMBOOT_CLI_MSG_H */
