// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * libFuzzer target for the JSON tokenizer (lib/base/json.c).  Whatever the
 * bytes: the result is 0, DMB_EINVAL or DMB_ERANGE with a matching error
 * kind and a position inside the input; on success every token's span is
 * inside the input and inside its parent's, parents come before their
 * children, next links skip exactly a value's tokens, each container's
 * size is its number of members or elements, and unescaping any string
 * stays in its buffer.  A second parse with a tighter limit of tokens or
 * depth fails exactly when the first parse needed more.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmboot/dmboot.h>

#include "base/base.h"

#define MAX_TOKENS 4096
#define MAX_DEPTH 64

static struct dmbi_json_tok tok[MAX_TOKENS];

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_json: %s\n", what);
		abort();
	}
}

/* The nesting depth of token i: containers above it, itself included. */
static unsigned depth_of(uint32_t i)
{
	unsigned d = tok[i].type <= DMBI_JSON_ARRAY;

	for (uint32_t p = tok[i].parent; p != DMBI_JSON_NONE; p = tok[p].parent)
		d++;
	return d;
}

static void check_tokens(const struct dmbi_json *j, const char *s, size_t len)
{
	unsigned deepest = 0;
	char out[256];

	check(j->count >= 1 && tok[0].parent == DMBI_JSON_NONE && tok[0].next == j->count,
	      "token 0 is not the whole document");
	for (uint32_t i = 0; i < j->count; i++) {
		const struct dmbi_json_tok *t = &tok[i];
		uint32_t children = 0;

		check(t->start <= t->end && t->end <= len, "span outside the input");
		check(t->next > i && t->next <= j->count, "next link out of order");
		if (t->parent != DMBI_JSON_NONE) {
			const struct dmbi_json_tok *p = &tok[t->parent];

			check(t->parent < i, "parent after its child");
			check(p->type <= DMBI_JSON_ARRAY, "parent not a container");
			check(t->start > p->start && t->end < p->end, "span outside its parent");
			check(t->next <= p->next, "value runs past its parent");
		}
		if (t->type == DMBI_JSON_OBJECT) {
			for (uint32_t k = i + 1; k < t->next; k = tok[k + 1].next) {
				check(tok[k].type == DMBI_JSON_STRING && tok[k].next == k + 1 &&
				      k + 1 < t->next, "object member without a name and value");
				children++;
			}
			check(s[t->start] == '{' && s[t->end - 1] == '}', "object brackets");
		} else if (t->type == DMBI_JSON_ARRAY) {
			for (uint32_t k = i + 1; k < t->next; k = tok[k].next)
				children++;
			check(s[t->start] == '[' && s[t->end - 1] == ']', "array brackets");
		} else if (t->type == DMBI_JSON_STRING) {
			int n = dmbi_json_unescape(s, t, out, sizeof(out));

			check(n == DMB_ERANGE || n == DMB_EINVAL || (n >= 0 && (size_t)n < sizeof(out) &&
								     out[n] == '\0'),
			      "unescape result");
		}
		if (t->type <= DMBI_JSON_ARRAY)
			check(t->size == children, "container size");
		if (depth_of(i) > deepest)
			deepest = depth_of(i);
	}
	check(deepest <= MAX_DEPTH, "deeper than the limit");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct dmbi_json j = { .tok = tok, .cap = MAX_TOKENS, .max_depth = MAX_DEPTH };
	int r = dmbi_json_parse(&j, s, size);

	if (r) {
		check((r == DMB_EINVAL && j.error == DMBI_JSON_ESYNTAX) ||
		      (r == DMB_ERANGE && (j.error == DMBI_JSON_EDEPTH || j.error == DMBI_JSON_ETOKENS)),
		      "error code and kind disagree");
		check(j.at <= size, "error position outside the input");
		return 0;
	}
	check_tokens(&j, s, size);
	{
		size_t count = j.count;
		struct dmbi_json k = { .tok = tok, .cap = count - 1, .max_depth = MAX_DEPTH };

		if (count > 1)
			check(dmbi_json_parse(&k, s, size) == DMB_ERANGE && k.error == DMBI_JSON_ETOKENS,
			      "fewer tokens than needed accepted");
		k.cap = count;
		check(dmbi_json_parse(&k, s, size) == 0 && k.count == count, "exact token count refused");
	}
	return 0;
}
