/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * A bounded JSON tokenizer (RFC 8259, strict) that validates and tokenizes
 * in one pass: the verity signature partition's JSON now, LUKS2's header
 * JSON later.  No recursion and no allocation: containers are tracked
 * through the tokens' parent links, the nesting depth and the token count
 * are the caller's limits.
 */
#ifndef DMBOOT_LIB_BASE_JSON_H
#define DMBOOT_LIB_BASE_JSON_H

#include <dmboot/dmboot.h>

enum dmbi_json_type {
	DMBI_JSON_OBJECT,
	DMBI_JSON_ARRAY,
	DMBI_JSON_STRING, /* a value or an object member's name */
	DMBI_JSON_NUMBER,
	DMBI_JSON_TRUE,
	DMBI_JSON_FALSE,
	DMBI_JSON_NULL,
};

#define DMBI_JSON_NONE UINT32_MAX /* the parent of the top-level value */

/*
 * One token.  A string's text is [start, end) inside its quotes, escapes
 * as written; a container's is from its bracket to one past the closing
 * one.  An object's tokens are, per member, its name (a string) and then
 * its value's tokens; size counts members or elements.  next is the index
 * one past the value's last token (for a member's name: its value's index),
 * so a value is skipped in O(1).
 */
struct dmbi_json_tok {
	uint8_t type; /* enum dmbi_json_type */
	uint32_t start, end;
	uint32_t parent;
	uint32_t size;
	uint32_t next;
};

enum dmbi_json_error {
	DMBI_JSON_OK,
	DMBI_JSON_ESYNTAX, /* not JSON at byte at */
	DMBI_JSON_EDEPTH,  /* a container at byte at is nested deeper than max_depth */
	DMBI_JSON_ETOKENS, /* more than cap tokens; the one at byte at is the first over */
};

struct dmbi_json {
	/* Set by the caller. */
	struct dmbi_json_tok *tok;
	size_t cap;         /* tokens tok holds, at most UINT32_MAX - 1 */
	unsigned max_depth; /* containers nested at most this deep (1: a flat object) */
	/* Set by dmbi_json_parse(). */
	size_t count;
	enum dmbi_json_error error;
	size_t at; /* byte offset of the error */
};

/*
 * Tokenize s[0..len): exactly one JSON value with optional white space
 * around it.  Returns 0 with j->count tokens (token 0 the top-level value),
 * or DMB_EINVAL (syntax, or len over UINT32_MAX - 1) or DMB_ERANGE (depth,
 * tokens) with j->error and j->at saying what and where.  The first error
 * in text order is the one reported, except that running out of tokens
 * stops the parse where it happens.
 */
int dmbi_json_parse(struct dmbi_json *j, const char *s, size_t len);

/* Whether string token t is, byte for byte as written, the literal lit. */
bool dmbi_json_eq(const char *s, const struct dmbi_json_tok *t, const char *lit);

/*
 * Decode string token t's escapes into out (cap bytes, NUL-terminated; \u
 * escapes become UTF-8, a surrogate pair one code point).  Returns the
 * decoded length, or DMB_ERANGE when it does not fit, DMB_EINVAL for a lone
 * surrogate or an escaped NUL.
 */
int dmbi_json_unescape(const char *s, const struct dmbi_json_tok *t, char *out, size_t cap);

/* The token index of the value of object obj's (first) member called name, or -1. */
long dmbi_json_member(const struct dmbi_json *j, const char *s, size_t obj, const char *name);

#endif /* DMBOOT_LIB_BASE_JSON_H */
