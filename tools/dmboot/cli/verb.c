// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The verb dispatcher, exit-status tables and argument parsers of the host
 * CLI (cli/verb.h).  Each tool keeps its own messages for a command line it
 * refuses, in its misuse callback, since the tools mirrored word them
 * differently.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "verb.h"

const struct cli_verb *cli_verb_find(const struct cli_verbs *t, const char *name)
{
	for (size_t i = 0; i < t->count; i++)
		if (strcmp(t->verb[i].name, name) == 0)
			return &t->verb[i];
	return NULL;
}

bool cli_verb_args_ok(const struct cli_verb *v, int nargs)
{
	return nargs >= v->min_args && (v->max_args == CLI_ANY || nargs <= v->max_args);
}

int cli_dispatch(const struct cli_verbs *t, void *opts, int argc, char **argv)
{
	const struct cli_verb *v = cli_verb_find(t, argv[0]);
	int r;

	if (!v || !cli_verb_args_ok(v, argc - 1))
		return t->misuse(opts, v, argv[0], argc - 1);
	if (t->prepare && (r = t->prepare(opts, v)) != 0)
		return r;
	return v->run(opts, argc, argv);
}

void cli_verbs_help(const struct cli_verbs *t, FILE *f)
{
	for (size_t i = 0; i < t->count; i++)
		if (t->verb[i].help)
			fprintf(f, "%s\n", t->verb[i].help);
}

int cli_exit_status(const struct cli_exit_map *m, int err)
{
	for (size_t i = 0; i < m->count; i++)
		if (m->code[i].err == err)
			return m->code[i].status;
	return m->next ? cli_exit_status(m->next, err) : m->other;
}

bool cli_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

int cli_list_push(char ***list, size_t *n, const char *s)
{
	char **l = realloc(*list, (*n + 1) * sizeof(*l));

	if (!l)
		return -ENOMEM;
	*list = l;
	l[*n] = strdup(s);
	if (!l[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

int cli_list_split(char ***list, size_t *n, const char *commas)
{
	char *copy = strdup(commas), *save = NULL;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (char *tok = strtok_r(copy, ",", &save); tok && !r; tok = strtok_r(NULL, ",", &save))
		r = cli_list_push(list, n, tok);
	free(copy);
	return r;
}

void cli_list_free(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}
