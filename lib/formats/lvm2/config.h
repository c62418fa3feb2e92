/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * The LVM2 text format (formats.md §4.4): a tokenizer and a parser into a
 * tree of sections, values and arrays, with bounds on sizes and nesting.
 * Used for the metadata text read from a PV's metadata area.
 *
 * The syntax is what lvm2's libdm-config.c accepts:
 *
 *   text   := entry+
 *   entry  := key '{' entry* '}'  |  key '=' value
 *   value  := scalar  |  '[' ']'  |  '[' scalar (','? scalar)* ','? ']'
 *   key    := word  |  "string"  |  'string'
 *   scalar := integer  |  float  |  "string"  |  'string'  |  word
 *
 * - White space (including newlines) may separate any two tokens and is
 *   needed between none of them; '#' starts a comment to the end of the line.
 * - A word runs up to white space, '#', '=', '{' or '}' (LV names made of
 *   [a-zA-Z0-9+_.-], pv0 and segment1 are words).  After '=', '[' or ',' a
 *   word is a value (a bare string) unless it starts like a number.
 * - Integers: optional sign, decimal digits; a leading 0 means octal, as
 *   lvm2 reads them with strtoll(s, NULL, 0).  int64 range; beyond it is
 *   DMB_ERANGE.  Floats (digits with one '.') are kept as written, their
 *   range unchecked (lvm2 refuses one beyond a double's; metadata has none).
 * - "..." strings turn \" into " and \\ into \ and keep every other
 *   backslash (lvm2's dm_unescape_double_quotes()); '...' strings have no
 *   escapes.  Strings may span lines.
 * - In an array the commas are optional before a quoted string (lvm2's
 *   tokenizer only reads a number or a bare word after '[' or ','), and one
 *   trailing comma is allowed; [,1] and [1,,2] are errors.
 * - NUL bytes at the end of the buffer are ignored (an mda copy includes
 *   the text's terminating NUL); a NUL before them is an error.
 * - Duplicate keys in a section are kept as separate nodes in text order
 *   and every lookup returns the first, as lvm2 does with metadata read
 *   from a disk (dm_config_parse_without_dup_node_check(); its lookup takes
 *   the first match and warns about the rest).
 *
 * Where lvm2 silently reads something other than what the text says, this
 * parser refuses the text instead (DMB_ECORRUPT): an unterminated string
 * (lvm2 drops its last character), a number run into other characters such
 * as 12abc or 1.2.3 (lvm2 splits it into two tokens), a sign or '.' without
 * digits and a leading 0 followed by 8 or 9 (lvm2 reads 0), a key
 * containing '/' (lvm2 makes it a path of nested sections) and a NUL byte
 * inside the text (lvm2 stops there).  A text with no entries is refused,
 * as lvm2 refuses it.
 */
#ifndef DMBOOT_LIB_LVM2_CONFIG_H
#define DMBOOT_LIB_LVM2_CONFIG_H

#include "../formats.h"

/* Caps on what the parser accepts (DMB_ERANGE beyond them). */
#define DMBI_CFG_MAX_DEPTH 32          /* nested sections */
#define DMBI_CFG_MAX_NODES 1000000u    /* sections, values and array elements together */
#define DMBI_CFG_MAX_TEXT (128u << 20) /* bytes of text (an mda holds at most 128 MiB) */

enum dmbi_cfg_type {
	DMBI_CFG_SECTION, /* name { ... } : children in `child` */
	DMBI_CFG_INT,     /* key = 123 (int64) */
	DMBI_CFG_FLOAT,   /* key = 1.5 (kept as text in `str`) */
	DMBI_CFG_STRING,  /* key = "..." (escapes resolved) */
	DMBI_CFG_ARRAY,   /* key = [ v, v, ... ] : elements in `child`, each INT/FLOAT/STRING with key NULL */
};

/*
 * One node of the tree.  A node and its strings are one allocation; the
 * tree is released only as a whole, with dmbi_cfg_free().
 */
struct dmbi_cfg_node {
	enum dmbi_cfg_type type;
	char *key;                  /* NULL for array elements and the root */
	int64_t num;                /* DMBI_CFG_INT */
	char *str;                  /* DMBI_CFG_STRING, DMBI_CFG_FLOAT */
	struct dmbi_cfg_node *child; /* first child (SECTION, ARRAY); NULL when empty */
	struct dmbi_cfg_node *next;  /* next sibling, in text order */
	unsigned line;              /* where it starts (its key's line), for messages */
};

/*
 * Parse text[0..len) (it may end with NULs, which are ignored at the end).
 * The root is a SECTION with key NULL holding the top-level entries.  On
 * success *root owns the tree; on failure *root is NULL and the message in
 * ctx names the line ("line 7: expected '=' or '{' after 'pv0'").
 * Errors: DMB_ECORRUPT (syntax, or a NUL inside the text),
 * DMB_ERANGE (more than DMBI_CFG_MAX_TEXT bytes, DMBI_CFG_MAX_DEPTH nested
 * sections or DMBI_CFG_MAX_NODES nodes; an integer outside int64),
 * DMB_ENOMEM.
 */
int dmbi_cfg_parse(struct dmb_ctx *ctx, const char *text, size_t len, struct dmbi_cfg_node **root);
/* Free a tree from dmbi_cfg_parse(); NULL is accepted.  Uses no recursion. */
void dmbi_cfg_free(struct dmbi_cfg_node *root);

/* The first child of sec named key (any type), or NULL (also when sec is
 * NULL or not a section). */
const struct dmbi_cfg_node *dmbi_cfg_get(const struct dmbi_cfg_node *sec, const char *key);
/*
 * Typed lookups of the first child named key: 0, DMB_ENOENT (missing) or
 * DMB_ECORRUPT (that child has another type).  *out is written only on
 * success.  A one-element array is not a scalar, nor a scalar an array.
 */
int dmbi_cfg_get_int(const struct dmbi_cfg_node *sec, const char *key, int64_t *out);
int dmbi_cfg_get_str(const struct dmbi_cfg_node *sec, const char *key, const char **out);
int dmbi_cfg_get_section(const struct dmbi_cfg_node *sec, const char *key,
			 const struct dmbi_cfg_node **out);
int dmbi_cfg_get_array(const struct dmbi_cfg_node *sec, const char *key,
		       const struct dmbi_cfg_node **out);

/* "section", "integer", "float", "string" or "array", for messages. */
const char *dmbi_cfg_type_name(enum dmbi_cfg_type type);

#endif /* DMBOOT_LIB_LVM2_CONFIG_H */
