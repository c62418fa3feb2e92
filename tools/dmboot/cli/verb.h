/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * The command-line skeleton every dmboot tool shares: a table of verbs
 * with their argument counts, handlers and help lines, one dispatcher, exit
 * statuses mapped from error codes by tables, and the small argument
 * parsers (numbers, comma lists).
 */
#ifndef DMBOOT_CLI_VERB_H
#define DMBOOT_CLI_VERB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* No upper limit on a verb's arguments. */
#define CLI_ANY (-1)

/*
 * One verb.  argv[0] of the handler is the verb itself; min_args and
 * max_args count the arguments after it.  flags are the tool's own.
 */
struct cli_verb {
	const char *name;
	int min_args, max_args;
	int (*run)(void *opts, int argc, char **argv);
	const char *help;   /* the usage line(s), without the final newline; NULL: not listed */
	unsigned flags;
};

struct cli_verbs {
	const struct cli_verb *verb;
	size_t count;
	/*
	 * Print why name cannot run with nargs arguments (v is NULL for no
	 * such verb) and return the tool's result for it.
	 */
	int (*misuse)(void *opts, const struct cli_verb *v, const char *name, int nargs);
	/*
	 * Optional: called once the verb and its argument count are accepted,
	 * before the handler; a nonzero result is returned instead of running it.
	 */
	int (*prepare)(void *opts, const struct cli_verb *v);
};

const struct cli_verb *cli_verb_find(const struct cli_verbs *t, const char *name);
bool cli_verb_args_ok(const struct cli_verb *v, int nargs);
/* Run the verb argv[0] names (argc >= 1), or return what misuse says. */
int cli_dispatch(const struct cli_verbs *t, void *opts, int argc, char **argv);
/* Print the help lines of the verbs, one after the other. */
void cli_verbs_help(const struct cli_verbs *t, FILE *f);

/* An exit status for an error code, as a table. */
struct cli_exit_code {
	int err;
	int status;
};

struct cli_exit_map {
	const struct cli_exit_code *code;
	size_t count;
	const struct cli_exit_map *next;  /* consulted for a code not listed here */
	int other;                        /* without next: the status for the rest */
};

int cli_exit_status(const struct cli_exit_map *m, int err);

/* Strict decimal parse of a command-line number. */
bool cli_parse_u64(const char *s, uint64_t *out);

/* Append s (a copy) to a string list.  0 or -ENOMEM. */
int cli_list_push(char ***list, size_t *n, const char *s);
/* Append the items of a comma-separated list (empty items skipped).  0 or -ENOMEM. */
int cli_list_split(char ***list, size_t *n, const char *commas);
void cli_list_free(char **list, size_t n);

#endif /* DMBOOT_CLI_VERB_H */
