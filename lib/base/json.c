// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The JSON tokenizer (json.h).  One loop over the text: a value starts,
 * then after it either a ',' and the next member or element, or the end of
 * the enclosing containers.  The container being filled is a token index,
 * and closing it follows its parent link, so nesting costs no stack.  It is
 * as strict as systemd's parser on what the verity signature partition may
 * hold: no trailing commas, no missing values, no words run together, no
 * control characters in strings, every escape one RFC 8259 allows.
 */
#include "json.h"

#include "str.h"

static bool space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

static size_t skip_space(const char *s, size_t len, size_t i)
{
	while (i < len && space(s[i]))
		i++;
	return i;
}

static bool escape_char(char c)
{
	switch (c) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't': case 'u':
		return true;
	default:
		return false;
	}
}

/*
 * The skip_* helpers take the offset where a token starts and return the
 * offset just past it, or 0 when it is malformed (a token is never empty,
 * so 0 is never a valid end).
 */
static size_t skip_string(const char *s, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (s[i] == '"')
			return i + 1;
		if ((unsigned char)s[i] < 0x20)
			return 0;
		if (s[i] != '\\')
			continue;
		if (++i >= len || !escape_char(s[i]))
			return 0;
		for (int k = 0; s[i] == 'u' && k < 4; k++)
			if (i + 1 + (size_t)k >= len || dmbi_hex_digit(s[i + 1 + (size_t)k]) < 0)
				return 0;
		if (s[i] == 'u')
			i += 4;
	}
	return 0;
}

static size_t skip_digits(const char *s, size_t len, size_t i)
{
	while (i < len && digit(s[i]))
		i++;
	return i;
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static size_t skip_number(const char *s, size_t len, size_t i)
{
	size_t j;

	if (i < len && s[i] == '-')
		i++;
	if (i >= len || !digit(s[i]))
		return 0;
	i = s[i] == '0' ? i + 1 : skip_digits(s, len, i);
	if (i < len && s[i] == '.') {
		j = skip_digits(s, len, i + 1);
		if (j == i + 1)
			return 0;
		i = j;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		j = skip_digits(s, len, i);
		if (j == i)
			return 0;
		i = j;
	}
	return i;
}

static size_t skip_word(const char *s, size_t len, size_t i, const char *word)
{
	size_t n = dmbi_strlen(word);

	return len - i >= n && memcmp(s + i, word, n) == 0 ? i + n : 0;
}

/* A string, number, true, false or null: its end, and its type in *type. */
static size_t skip_scalar(const char *s, size_t len, size_t i, uint8_t *type)
{
	if (i >= len)
		return 0;
	switch (s[i]) {
	case '"':
		*type = DMBI_JSON_STRING;
		return skip_string(s, len, i);
	case 't':
		*type = DMBI_JSON_TRUE;
		return skip_word(s, len, i, "true");
	case 'f':
		*type = DMBI_JSON_FALSE;
		return skip_word(s, len, i, "false");
	case 'n':
		*type = DMBI_JSON_NULL;
		return skip_word(s, len, i, "null");
	default:
		*type = DMBI_JSON_NUMBER;
		return skip_number(s, len, i);
	}
}

static int fail(struct dmbi_json *j, enum dmbi_json_error e, size_t at)
{
	j->error = e;
	j->at = at;
	return e == DMBI_JSON_ESYNTAX ? DMB_EINVAL : DMB_ERANGE;
}

/*
 * Append a token of the container parent (DMBI_JSON_NONE at the top);
 * member says it is an object member's name, which the object counts (its
 * value is not counted again).
 */
static int push(struct dmbi_json *j, uint8_t type, size_t start, size_t end, uint32_t parent,
		bool member, uint32_t *out)
{
	struct dmbi_json_tok *t;

	if (j->count == j->cap)
		return fail(j, DMBI_JSON_ETOKENS, start);
	*out = (uint32_t)j->count;
	t = &j->tok[j->count++];
	*t = (struct dmbi_json_tok){ type, (uint32_t)start, (uint32_t)end, parent, 0, *out + 1 };
	if (parent != DMBI_JSON_NONE && (member || j->tok[parent].type == DMBI_JSON_ARRAY))
		j->tok[parent].size++;
	return 0;
}

/* A member's name at *i, the ':' and the white space up to its value. */
static int member_name(struct dmbi_json *j, const char *s, size_t len, size_t *i, uint32_t obj)
{
	size_t at = *i, end;
	uint32_t k;
	int r;

	if (at >= len || s[at] != '"' || !(end = skip_string(s, len, at)))
		return fail(j, DMBI_JSON_ESYNTAX, at);
	r = push(j, DMBI_JSON_STRING, at + 1, end - 1, obj, true, &k);
	if (r)
		return r;
	end = skip_space(s, len, end);
	if (end >= len || s[end] != ':')
		return fail(j, DMBI_JSON_ESYNTAX, at);
	*i = skip_space(s, len, end + 1);
	return 0;
}

/* Close container c at its bracket s[i]; returns its parent. */
static uint32_t close_container(struct dmbi_json *j, uint32_t c, size_t i)
{
	j->tok[c].end = (uint32_t)(i + 1);
	j->tok[c].next = (uint32_t)j->count;
	return j->tok[c].parent;
}

int dmbi_json_parse(struct dmbi_json *j, const char *s, size_t len)
{
	uint32_t cur = DMBI_JSON_NONE, t;
	unsigned depth = 0;
	size_t i = skip_space(s, len, 0), at, end;
	uint8_t type;
	int r;

	j->count = 0;
	j->error = DMBI_JSON_OK;
	j->at = 0;
	if (len >= UINT32_MAX || j->cap >= UINT32_MAX)
		return fail(j, DMBI_JSON_ESYNTAX, 0);
	for (;;) {
		/* A value starts at i. */
		at = i;
		if (i < len && (s[i] == '{' || s[i] == '[')) {
			bool object = s[i] == '{';

			if (depth == j->max_depth)
				return fail(j, DMBI_JSON_EDEPTH, at);
			r = push(j, object ? DMBI_JSON_OBJECT : DMBI_JSON_ARRAY, i, i + 1, cur, false, &t);
			if (r)
				return r;
			cur = t;
			depth++;
			i = skip_space(s, len, i + 1);
			if (i >= len || s[i] != (object ? '}' : ']')) {
				if (object && (r = member_name(j, s, len, &i, cur)))
					return r;
				continue;
			}
			cur = close_container(j, cur, i);
			depth--;
			i++;
		} else {
			end = skip_scalar(s, len, i, &type);
			if (!end)
				return fail(j, DMBI_JSON_ESYNTAX, at);
			r = type == DMBI_JSON_STRING ? push(j, type, i + 1, end - 1, cur, false, &t)
						     : push(j, type, i, end, cur, false, &t);
			if (r)
				return r;
			i = end;
		}
		/* After a value: a ',' and the next member or element, or the end of containers. */
		for (;;) {
			bool object;

			at = i = skip_space(s, len, i);
			if (depth == 0)
				return i == len ? 0 : fail(j, DMBI_JSON_ESYNTAX, at);
			object = j->tok[cur].type == DMBI_JSON_OBJECT;
			if (i < len && s[i] == ',') {
				i = skip_space(s, len, i + 1);
				if (object && (r = member_name(j, s, len, &i, cur)))
					return r;
				break;
			}
			if (i >= len || s[i] != (object ? '}' : ']'))
				return fail(j, DMBI_JSON_ESYNTAX, at);
			cur = close_container(j, cur, i);
			depth--;
			i++;
		}
	}
}

bool dmbi_json_eq(const char *s, const struct dmbi_json_tok *t, const char *lit)
{
	size_t n = dmbi_strlen(lit);

	return t->type == DMBI_JSON_STRING && t->end - t->start == n &&
	       memcmp(s + t->start, lit, n) == 0;
}

static uint32_t hex4(const char *p)
{
	uint32_t v = 0;

	for (int k = 0; k < 4; k++)
		v = v << 4 | (uint32_t)dmbi_hex_digit(p[k]);
	return v;
}

/* Append code point cp as UTF-8 at out[*n], within cap - 1 bytes. */
static int put_utf8(char *out, size_t cap, size_t *n, uint32_t cp)
{
	uint8_t b[4];
	size_t k;

	if (cp < 0x80) {
		b[0] = (uint8_t)cp;
		k = 1;
	} else if (cp < 0x800) {
		b[0] = (uint8_t)(0xc0 | cp >> 6);
		b[1] = (uint8_t)(0x80 | (cp & 0x3f));
		k = 2;
	} else if (cp < 0x10000) {
		b[0] = (uint8_t)(0xe0 | cp >> 12);
		b[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (uint8_t)(0x80 | (cp & 0x3f));
		k = 3;
	} else {
		b[0] = (uint8_t)(0xf0 | cp >> 18);
		b[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3f));
		b[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
		b[3] = (uint8_t)(0x80 | (cp & 0x3f));
		k = 4;
	}
	if (*n + k >= cap)
		return DMB_ERANGE;
	memcpy(out + *n, b, k);
	*n += k;
	return 0;
}

int dmbi_json_unescape(const char *s, const struct dmbi_json_tok *t, char *out, size_t cap)
{
	static const char plain[] = "\"\\/bfnrt", coded[] = "\"\\/\b\f\n\r\t";
	size_t n = 0;
	int r;

	if (cap == 0)
		return DMB_ERANGE;
	for (uint32_t i = t->start; i < t->end; i++) {
		uint32_t cp;

		if (s[i] != '\\') {
			if (n + 1 >= cap)
				return DMB_ERANGE;
			out[n++] = s[i];
			continue;
		}
		i++;
		if (s[i] != 'u') {
			if (n + 1 >= cap)
				return DMB_ERANGE;
			out[n++] = coded[dmbi_strchr(plain, s[i]) - plain];
			continue;
		}
		/* The tokenizer checked the four hex digits. */
		cp = hex4(s + i + 1);
		i += 4;
		if (cp >= 0xd800 && cp < 0xdc00) {
			uint32_t lo;

			if (i + 6 >= t->end || s[i + 1] != '\\' || s[i + 2] != 'u')
				return DMB_EINVAL;
			lo = hex4(s + i + 3);
			if (lo < 0xdc00 || lo >= 0xe000)
				return DMB_EINVAL;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			i += 6;
		} else if ((cp >= 0xdc00 && cp < 0xe000) || cp == 0) {
			return DMB_EINVAL;
		}
		r = put_utf8(out, cap, &n, cp);
		if (r)
			return r;
	}
	out[n] = '\0';
	return (int)DMBI_MIN(n, (size_t)0x7fffffff);
}

long dmbi_json_member(const struct dmbi_json *j, const char *s, size_t obj, const char *name)
{
	if (obj >= j->count || j->tok[obj].type != DMBI_JSON_OBJECT)
		return -1;
	for (uint32_t k = (uint32_t)obj + 1; k < j->tok[obj].next; k = j->tok[k + 1].next)
		if (dmbi_json_eq(s, &j->tok[k], name))
			return (long)k + 1;
	return -1;
}
