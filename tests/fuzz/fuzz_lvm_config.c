// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * libFuzzer target for the LVM2 text parser (lib/formats/lvm2/config.h).
 * Any bytes are parsed as a metadata text; a failure must be a syntax or
 * range error with a message and no tree.  An accepted tree is checked
 * against the parser's promises (caps, array elements without keys or
 * children, lookups finding the first child of a name), printed in one fixed
 * layout, and the printed text must parse back to the same tree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmboot/dmboot.h>

#include "formats/lvm2/config.h"

struct text {
	char *p;
	size_t len, cap;
};

static void put(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->p = realloc(t->p, t->cap);
		if (!t->p)
			abort();
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len] = '\0';
}

static void puts_quoted(struct text *t, const char *s)
{
	put(t, "\"", 1);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			put(t, "\\", 1);
		put(t, s, 1);
	}
	put(t, "\"", 1);
}

/* Every key and string quoted, one entry a line. */
static void print_tree(struct text *t, const struct dmbi_cfg_node *sec)
{
	char num[32];

	for (const struct dmbi_cfg_node *c = sec->child; c; c = c->next) {
		if (c->key) {
			puts_quoted(t, c->key);
			put(t, c->type == DMBI_CFG_SECTION ? " {\n" : " = ", 3);
		}
		switch (c->type) {
		case DMBI_CFG_SECTION:
			print_tree(t, c);
			put(t, "}", 1);
			break;
		case DMBI_CFG_ARRAY:
			put(t, "[", 1);
			print_tree(t, c);
			put(t, "]", 1);
			break;
		case DMBI_CFG_INT:
			snprintf(num, sizeof(num), "%lld", (long long)c->num);
			put(t, num, strlen(num));
			break;
		case DMBI_CFG_FLOAT:
			put(t, c->str, strlen(c->str));
			break;
		case DMBI_CFG_STRING:
			puts_quoted(t, c->str);
			break;
		}
		if (c->key)
			put(t, "\n", 1);
		else if (c->next)
			put(t, ", ", 2);
	}
}

static int same(const struct dmbi_cfg_node *a, const struct dmbi_cfg_node *b)
{
	if (a->type != b->type || !a->key != !b->key || (a->key && strcmp(a->key, b->key)))
		return 0;
	if (a->type == DMBI_CFG_INT && a->num != b->num)
		return 0;
	if ((a->type == DMBI_CFG_STRING || a->type == DMBI_CFG_FLOAT) && strcmp(a->str, b->str))
		return 0;
	for (a = a->child, b = b->child; a && b; a = a->next, b = b->next)
		if (!same(a, b))
			return 0;
	return !a && !b;
}

/* The typed lookup of c's name, when c is the first child of that name. */
static void check_lookup(const struct dmbi_cfg_node *sec, const struct dmbi_cfg_node *c)
{
	const struct dmbi_cfg_node *got = NULL;
	const char *str = NULL;
	int64_t num = 0;
	int r;

	switch (c->type) {
	case DMBI_CFG_SECTION:
		r = dmbi_cfg_get_section(sec, c->key, &got);
		break;
	case DMBI_CFG_ARRAY:
		r = dmbi_cfg_get_array(sec, c->key, &got);
		break;
	case DMBI_CFG_INT:
		r = dmbi_cfg_get_int(sec, c->key, &num);
		got = r == 0 && num == c->num ? c : NULL;
		break;
	case DMBI_CFG_STRING:
		r = dmbi_cfg_get_str(sec, c->key, &str);
		got = r == 0 && str == c->str ? c : NULL;
		break;
	default:
		r = dmbi_cfg_get_int(sec, c->key, &num) == DMB_ECORRUPT ? 0 : -1;
		got = c;
		break;
	}
	if (r || got != c)
		abort();
}

/* The parser's promises about a tree; returns the number of nodes below sec. */
static size_t check(const struct dmbi_cfg_node *sec, unsigned depth)
{
	size_t n = 0;

	if (depth > DMBI_CFG_MAX_DEPTH)
		abort();
	for (const struct dmbi_cfg_node *c = sec->child; c; c = c->next, n++) {
		const struct dmbi_cfg_node *first;

		if (!c->key || !c->key[0] || strchr(c->key, '/') || c->line == 0)
			abort();
		/* The lookup finds this node or an earlier one of the same name. */
		first = dmbi_cfg_get(sec, c->key);
		if (!first || strcmp(first->key, c->key) || first->line > c->line)
			abort();
		if (first == c)
			check_lookup(sec, c);
		if ((c->type == DMBI_CFG_INT || c->type == DMBI_CFG_FLOAT || c->type == DMBI_CFG_STRING) &&
		    c->child)
			abort();
		if (c->type != DMBI_CFG_INT && c->type != DMBI_CFG_SECTION && c->type != DMBI_CFG_ARRAY &&
		    !c->str)
			abort();
		if (c->type == DMBI_CFG_SECTION)
			n += check(c, depth + 1);
		if (c->type != DMBI_CFG_ARRAY)
			continue;
		for (const struct dmbi_cfg_node *e = c->child; e; e = e->next, n++)
			if (e->key || e->child || e->line < c->line ||
			    (e->type != DMBI_CFG_INT && e->type != DMBI_CFG_FLOAT &&
			     e->type != DMBI_CFG_STRING) ||
			    (e->type != DMBI_CFG_INT && !e->str))
				abort();
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dmb_ctx ctx = { 0 };
	struct dmbi_cfg_node *root = NULL, *again = NULL;
	struct text t = { 0 };
	int r = dmbi_cfg_parse(&ctx, (const char *)data, size, &root);

	if (r) {
		if ((r != DMB_ECORRUPT && r != DMB_ERANGE) || root || !ctx.msg[0])
			abort();
		return 0;
	}
	if (!root || root->key || root->type != DMBI_CFG_SECTION || !root->child)
		abort();
	if (check(root, 0) > DMBI_CFG_MAX_NODES)
		abort();
	print_tree(&t, root);
	if (dmbi_cfg_parse(&ctx, t.p, t.len, &again)) {
		fprintf(stderr, "printed tree does not parse: %s\n%s\n", ctx.msg, t.p);
		abort();
	}
	if (!same(root, again)) {
		fprintf(stderr, "round trip changed the tree:\n%s\n", t.p);
		abort();
	}
	dmbi_cfg_free(again);
	dmbi_cfg_free(root);
	free(t.p);
	return 0;
}
