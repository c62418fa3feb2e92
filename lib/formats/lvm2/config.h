/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * The LVM2 text format (formats.md §4.4): a tokenizer and a parser into a
 * tree of sections, values and arrays, with bounds on sizes and nesting.
 * Used for the metadata text read from a PV's metadata area.
 */
#ifndef DMBOOT_LIB_LVM2_CONFIG_H
#define DMBOOT_LIB_LVM2_CONFIG_H

#include "../../core/util.h"

/* Caps on what the parser accepts (DMB_ERANGE beyond them). */
#define DMB_CFG_MAX_DEPTH 32          /* nested sections */
#define DMB_CFG_MAX_NODES 1000000u    /* sections, values and array elements together */
#define DMB_CFG_MAX_TEXT (128u << 20) /* bytes of text (an mda holds at most 128 MiB) */

enum dmb_cfg_type {
	DMB_CFG_SECTION, /* name { ... } : children in `child` */
	DMB_CFG_INT,     /* key = 123 (int64) */
	DMB_CFG_FLOAT,   /* key = 1.5 (kept as text in `str`) */
	DMB_CFG_STRING,  /* key = "..." (escapes resolved) */
	DMB_CFG_ARRAY,   /* key = [ v, v, ... ] : elements in `child`, each INT/FLOAT/STRING with key NULL */
};

struct dmb_cfg_node {
	enum dmb_cfg_type type;
	char *key;                  /* NULL for array elements and the root */
	int64_t num;                /* DMB_CFG_INT */
	char *str;                  /* DMB_CFG_STRING, DMB_CFG_FLOAT */
	struct dmb_cfg_node *child; /* first child (SECTION, ARRAY) */
	struct dmb_cfg_node *next;  /* next sibling, in text order */
	unsigned line;              /* where it starts, for messages */
};

/*
 * Parse text[0..len) (it may end with NULs, which are ignored at the end).
 * The root is a SECTION with key NULL holding the top-level entries.
 * Errors: DMB_EINVAL or DMB_ECORRUPT (syntax; the message gives the line),
 * DMB_ERANGE (caps), DMB_ENOMEM.
 */
int dmb_cfg_parse(struct dmb_ctx *ctx, const char *text, size_t len, struct dmb_cfg_node **root);
void dmb_cfg_free(struct dmb_cfg_node *root);

/* The first child of sec named key (any type), or NULL. */
const struct dmb_cfg_node *dmb_cfg_get(const struct dmb_cfg_node *sec, const char *key);
/* Typed lookups: 0, DMB_ENOENT (missing) or DMB_ECORRUPT (wrong type). */
int dmb_cfg_get_int(const struct dmb_cfg_node *sec, const char *key, int64_t *out);
int dmb_cfg_get_str(const struct dmb_cfg_node *sec, const char *key, const char **out);
int dmb_cfg_get_section(const struct dmb_cfg_node *sec, const char *key,
			const struct dmb_cfg_node **out);
int dmb_cfg_get_array(const struct dmb_cfg_node *sec, const char *key,
		      const struct dmb_cfg_node **out);

#endif /* DMBOOT_LIB_LVM2_CONFIG_H */
