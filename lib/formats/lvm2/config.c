// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The LVM2 text format (formats.md §4.4, config.h): a tokenizer over a
 * bounded buffer and a parser that builds the tree with an explicit stack of
 * open sections, so hostile nesting costs at most DMBI_CFG_MAX_DEPTH frames
 * and never C recursion.  Token boundaries follow lvm2's libdm-config.c,
 * including its rule that a number or a bare word is only read right after
 * '=', '[' or ','; where lvm2 would silently read something else than the
 * text says, the text is refused.  Every node is one allocation holding its
 * strings, linked into the tree as soon as it exists, so a failure anywhere
 * frees everything through dmbi_cfg_free().
 */
#include "config.h"

enum tok {
	T_EOF,
	T_LBRACE,   /* { */
	T_RBRACE,   /* } */
	T_LBRACKET, /* [ */
	T_RBRACKET, /* ] */
	T_COMMA,
	T_EQUALS,
	T_DQUOTED,  /* "..." : tb..te is inside the quotes, escapes unresolved */
	T_SQUOTED,  /* '...' */
	T_IDENT,    /* a word where a key is expected */
	T_BARE,     /* a word where a value is expected: a string */
	T_INT,
	T_FLOAT,
};

/* Longest piece of input quoted in a message. */
#define SHOW_MAX 40

struct lexer {
	struct dmb_ctx *ctx;
	const char *p, *end; /* unread text */
	unsigned line;       /* line of p */
	enum tok t;          /* current token */
	const char *tb, *te; /* its text */
	unsigned tline;      /* the line it starts on */
	int64_t num;         /* T_INT */
};

/* An open section: where its next child goes. */
struct frame {
	struct dmbi_cfg_node **tail;
	const char *key;
	unsigned line;
};

struct parser {
	struct lexer lx;
	size_t nodes;
	unsigned depth;                           /* open sections below the root */
	struct frame stack[DMBI_CFG_MAX_DEPTH + 1]; /* [0] is the root */
};

static bool word_char(char c)
{
	return !dmbi_isspace(c) && c != '#' && c != '=' && c != '{' && c != '}';
}

/*
 * What may follow a number: blanks, a comment or a character that starts a
 * token of its own.  lvm2 ends a number at any non-digit and reads the rest
 * as the next token, so 12abc would be 12 and then a key abc: refused here.
 */
static bool number_end(const char *p, const char *end)
{
	if (p == end || dmbi_isspace(*p))
		return true;
	switch (*p) {
	case '#':
	case '{':
	case '}':
	case '[':
	case ']':
	case ',':
	case '=':
	case '"':
	case '\'':
		return true;
	default:
		return false;
	}
}

static int show_len(const char *b, const char *e)
{
	return (int)DMBI_MIN((size_t)(e - b), (size_t)SHOW_MAX);
}

static void skip_blanks(struct lexer *lx)
{
	while (lx->p < lx->end) {
		char c = *lx->p;

		if (c == '#') {
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
		} else if (dmbi_isspace(c)) {
			if (c == '\n')
				lx->line++;
			lx->p++;
		} else {
			break;
		}
	}
}

/* A quoted string starting at lx->p; '"' strings skip over \x pairs. */
static int lex_quoted(struct lexer *lx)
{
	const char quote = *lx->p;
	const char *q = lx->p + 1;

	lx->t = quote == '"' ? T_DQUOTED : T_SQUOTED;
	while (q < lx->end && *q != quote) {
		if (*q == '\\' && quote == '"') {
			if (q + 1 == lx->end)
				return dmb_ctx_set_error(lx->ctx, DMB_ECORRUPT,
						  "line %u: backslash at the end of the text inside a string",
						  lx->line);
			q++;
		}
		if (*q == '\n')
			lx->line++;
		q++;
	}
	if (q == lx->end)
		return dmb_ctx_set_error(lx->ctx, DMB_ECORRUPT, "line %u: unterminated string", lx->tline);
	lx->tb = lx->p + 1;
	lx->te = q;
	lx->p = q + 1;
	return 0;
}

/*
 * A number where a value is expected: [+-]digits[.digits] or [+-].digits.
 * lvm2 converts integers with strtoll(s, NULL, 0), so a leading 0 means
 * octal (there is no hex: 'x' ends lvm2's number token).
 */
static int lex_number(struct lexer *lx)
{
	const char *s = lx->p, *q = lx->p, *digits;
	bool neg = false, dot = false;
	size_t ndigits = 0;
	uint64_t v = 0, limit;
	unsigned base = 10;

	if (*q == '+' || *q == '-')
		neg = *q++ == '-';
	digits = q;
	for (; q < lx->end; q++) {
		if (*q >= '0' && *q <= '9')
			ndigits++;
		else if (*q == '.' && !dot)
			dot = true;
		else
			break;
	}
	if (ndigits == 0 || !number_end(q, lx->end)) {
		const char *e = q;

		while (e < lx->end && word_char(*e))
			e++;
		return dmb_ctx_set_error(lx->ctx, DMB_ECORRUPT, "line %u: invalid number '%.*s'",
					 lx->tline, show_len(s, e), s);
	}
	lx->tb = s;
	lx->te = lx->p = q;
	if (dot) {
		lx->t = T_FLOAT;
		return 0;
	}
	lx->t = T_INT;
	if (*digits == '0' && q - digits > 1) {
		base = 8;
		digits++;
	}
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (const char *d = digits; d < q; d++) {
		unsigned dv = (unsigned)(*d - '0');

		if (dv >= base)
			return dmb_ctx_set_error(lx->ctx, DMB_ECORRUPT,
					  "line %u: invalid number '%.*s' (octal, as it starts with 0)",
					  lx->tline, show_len(s, q), s);
		if (!dmbi_mul_u64(v, base, &v) || v > limit - dv)
			return dmb_ctx_set_error(lx->ctx, DMB_ERANGE,
						 "line %u: integer '%.*s' out of range", lx->tline,
						 show_len(s, q), s);
		v += dv;
	}
	/* v <= 2^63 here; -2^63 has no positive int64 counterpart. */
	if (!neg)
		lx->num = (int64_t)v;
	else if (v > (uint64_t)INT64_MAX)
		lx->num = INT64_MIN;
	else
		lx->num = -(int64_t)v;
	return 0;
}

/*
 * Read the next token.  As in lvm2, whether a word or a digit starts a value
 * or a key depends on the token before it: only '=', '[' and ',' are
 * followed by values.
 */
static int next(struct lexer *lx)
{
	const bool value = lx->t == T_EQUALS || lx->t == T_LBRACKET || lx->t == T_COMMA;
	char c;

	skip_blanks(lx);
	lx->tline = lx->line;
	lx->tb = lx->te = lx->p;
	if (lx->p == lx->end) {
		lx->t = T_EOF;
		return 0;
	}
	c = *lx->p;
	switch (c) {
	case '{':
		lx->t = T_LBRACE;
		break;
	case '}':
		lx->t = T_RBRACE;
		break;
	case '[':
		lx->t = T_LBRACKET;
		break;
	case ']':
		lx->t = T_RBRACKET;
		break;
	case ',':
		lx->t = T_COMMA;
		break;
	case '=':
		lx->t = T_EQUALS;
		break;
	case '"':
	case '\'':
		return lex_quoted(lx);
	default:
		if (value && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))
			return lex_number(lx);
		while (lx->p < lx->end && word_char(*lx->p))
			lx->p++;
		lx->te = lx->p;
		lx->t = value ? T_BARE : T_IDENT;
		return 0;
	}
	lx->te = ++lx->p;
	return 0;
}

/* The current token for a message: 'x', or "a string", or "the end of the text". */
static void describe(const struct lexer *lx, char *buf, size_t cap)
{
	if (lx->t == T_EOF)
		dmbi_snprintf(buf, cap, "the end of the text");
	else if (lx->t == T_DQUOTED || lx->t == T_SQUOTED)
		dmbi_snprintf(buf, cap, "a string");
	else
		dmbi_snprintf(buf, cap, "'%.*s'", show_len(lx->tb, lx->te), lx->tb);
}

static bool is_scalar(enum tok t)
{
	return t == T_INT || t == T_FLOAT || t == T_DQUOTED || t == T_SQUOTED || t == T_BARE;
}

/* Bytes of the token's text once unescaped (only "..." has escapes). */
static size_t text_len(enum tok t, const char *b, const char *e)
{
	size_t n = 0;

	for (; b < e; b++, n++)
		if (t == T_DQUOTED && *b == '\\' && b + 1 < e && (b[1] == '"' || b[1] == '\\'))
			b++;
	return n;
}

static char *copy_text(char *dst, enum tok t, const char *b, const char *e)
{
	char *o = dst;

	for (; b < e; b++) {
		if (t == T_DQUOTED && *b == '\\' && b + 1 < e && (b[1] == '"' || b[1] == '\\'))
			b++;
		*o++ = *b;
	}
	*o = '\0';
	return dst;
}

/* A token's text, as a key or a string value. */
struct piece {
	enum tok t;
	const char *b, *e;
};

/*
 * Create a node of the given type with an optional key and string (each a
 * piece of the input), and link it at *tail.
 */
static int add_node(struct parser *ps, struct dmbi_cfg_node **tail, enum dmbi_cfg_type type,
		    const struct piece *key, const struct piece *str, unsigned line,
		    struct dmbi_cfg_node **out)
{
	size_t klen = key ? text_len(key->t, key->b, key->e) : 0;
	size_t slen = str ? text_len(str->t, str->b, str->e) : 0;
	size_t bytes = sizeof(struct dmbi_cfg_node);
	struct dmbi_cfg_node *n;
	char *mem;

	if (ps->nodes >= DMBI_CFG_MAX_NODES)
		return dmb_ctx_set_error(ps->lx.ctx, DMB_ERANGE,
				  "line %u: more than %u sections, values and array elements", line,
				  DMBI_CFG_MAX_NODES);
	/* Both lengths are below DMBI_CFG_MAX_TEXT: no overflow. */
	if (key)
		bytes += klen + 1;
	if (str)
		bytes += slen + 1;
	n = dmb_port_malloc(bytes);
	if (!n)
		return dmb_ctx_set_error(ps->lx.ctx, DMB_ENOMEM, "line %u: out of memory", line);
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->line = line;
	mem = (char *)(n + 1);
	if (key) {
		n->key = copy_text(mem, key->t, key->b, key->e);
		mem += klen + 1;
	}
	if (str)
		n->str = copy_text(mem, str->t, str->b, str->e);
	*tail = n;
	ps->nodes++;
	*out = n;
	return 0;
}

/* A scalar token as a node at *tail (a value with key, or an array element). */
static int add_scalar(struct parser *ps, struct dmbi_cfg_node **tail, const struct piece *key,
		      unsigned line, struct dmbi_cfg_node **out)
{
	const struct lexer *lx = &ps->lx;
	const struct piece str = { lx->t, lx->tb, lx->te };
	enum dmbi_cfg_type type = DMBI_CFG_STRING;
	int r;

	if (lx->t == T_INT)
		type = DMBI_CFG_INT;
	else if (lx->t == T_FLOAT)
		type = DMBI_CFG_FLOAT;
	r = add_node(ps, tail, type, key, type == DMBI_CFG_INT ? NULL : &str, line, out);
	if (!r && type == DMBI_CFG_INT)
		(*out)->num = lx->num;
	return r;
}

/* The array after "key = [": elements up to the matching ']'. */
static int parse_array(struct parser *ps, struct dmbi_cfg_node *arr, const struct piece *key)
{
	struct lexer *lx = &ps->lx;
	struct dmbi_cfg_node **tail = &arr->child;
	bool after_element = false;
	char what[SHOW_MAX + 8];
	int r = next(lx);

	while (!r && lx->t != T_RBRACKET) {
		struct dmbi_cfg_node *e;

		if (lx->t == T_EOF)
			return dmb_ctx_set_error(lx->ctx, DMB_ECORRUPT,
					  "line %u: end of text inside array '%.*s' (opened at line %u)",
					  lx->tline, show_len(key->b, key->e), key->b, arr->line);
		if (!is_scalar(lx->t)) {
			describe(lx, what, sizeof(what));
			return dmb_ctx_set_error(lx->ctx, DMB_ECORRUPT,
					  after_element ? "line %u: expected ',' or ']' in array '%.*s', found %s"
							: "line %u: expected a value or ']' in array '%.*s', found %s",
					  lx->tline, show_len(key->b, key->e), key->b, what);
		}
		r = add_scalar(ps, tail, NULL, lx->tline, &e);
		if (r)
			return r;
		tail = &e->next;
		r = next(lx);
		after_element = true;
		if (!r && lx->t == T_COMMA) {
			r = next(lx);
			after_element = false;
		}
	}
	return r ? r : next(lx);
}

/* One entry, its key being the current token: "key { ..." or "key = value". */
static int parse_entry(struct parser *ps)
{
	struct lexer *lx = &ps->lx;
	struct frame *f = &ps->stack[ps->depth];
	const struct piece key = { lx->t, lx->tb, lx->te };
	const unsigned line = lx->tline;
	struct dmbi_cfg_node *n;
	char what[SHOW_MAX + 8];
	int r;

	if (text_len(key.t, key.b, key.e) == 0)
		return dmb_ctx_set_error(lx->ctx, DMB_ECORRUPT, "line %u: empty key", line);
	for (const char *c = key.b; c < key.e; c++)
		if (*c == '/')
			return dmb_ctx_set_error(lx->ctx, DMB_ECORRUPT,
					  "line %u: key '%.*s' contains '/' (lvm2 would read a path)",
					  line, show_len(key.b, key.e), key.b);
	r = next(lx);
	if (r)
		return r;
	if (lx->t == T_LBRACE) {
		if (ps->depth == DMBI_CFG_MAX_DEPTH)
			return dmb_ctx_set_error(lx->ctx, DMB_ERANGE,
						 "line %u: sections nested deeper than %u", line,
						 DMBI_CFG_MAX_DEPTH);
		r = add_node(ps, f->tail, DMBI_CFG_SECTION, &key, NULL, line, &n);
		if (r)
			return r;
		f->tail = &n->next;
		f = &ps->stack[++ps->depth];
		f->tail = &n->child;
		f->key = n->key;
		f->line = line;
		return next(lx);
	}
	if (lx->t != T_EQUALS) {
		describe(lx, what, sizeof(what));
		return dmb_ctx_set_error(lx->ctx, DMB_ECORRUPT,
				  "line %u: expected '=' or '{' after '%.*s', found %s", lx->tline,
				  show_len(key.b, key.e), key.b, what);
	}
	r = next(lx);
	if (r)
		return r;
	if (lx->t == T_LBRACKET) {
		r = add_node(ps, f->tail, DMBI_CFG_ARRAY, &key, NULL, line, &n);
		if (r)
			return r;
		f->tail = &n->next;
		return parse_array(ps, n, &key);
	}
	if (!is_scalar(lx->t)) {
		describe(lx, what, sizeof(what));
		return dmb_ctx_set_error(lx->ctx, DMB_ECORRUPT,
				  "line %u: expected a value after '%.*s =', found %s", lx->tline,
				  show_len(key.b, key.e), key.b, what);
	}
	r = add_scalar(ps, f->tail, &key, line, &n);
	if (r)
		return r;
	f->tail = &n->next;
	return next(lx);
}

/* Entries and section ends up to the end of the text. */
static int parse_entries(struct parser *ps, const struct dmbi_cfg_node *root)
{
	struct lexer *lx = &ps->lx;
	char what[SHOW_MAX + 8];
	int r = next(lx);

	while (!r) {
		const struct frame *f = &ps->stack[ps->depth];

		switch (lx->t) {
		case T_EOF:
			if (ps->depth)
				return dmb_ctx_set_error(lx->ctx, DMB_ECORRUPT,
						  "line %u: end of text inside section '%.*s' (opened at line %u)",
						  lx->tline, SHOW_MAX, f->key, f->line);
			if (!root->child)
				return dmb_ctx_set_error(lx->ctx, DMB_ECORRUPT, "the text has no entries");
			return 0;
		case T_RBRACE:
			if (!ps->depth)
				return dmb_ctx_set_error(lx->ctx, DMB_ECORRUPT,
						  "line %u: unexpected '}' outside any section",
						  lx->tline);
			ps->depth--;
			r = next(lx);
			break;
		case T_IDENT:
		case T_DQUOTED:
		case T_SQUOTED:
			r = parse_entry(ps);
			break;
		default:
			describe(lx, what, sizeof(what));
			return dmb_ctx_set_error(lx->ctx, DMB_ECORRUPT,
					  "line %u: expected a key, found %s", lx->tline, what);
		}
	}
	return r;
}

int dmbi_cfg_parse(struct dmb_ctx *ctx, const char *text, size_t len, struct dmbi_cfg_node **root)
{
	struct parser *ps = NULL;
	struct dmbi_cfg_node *top = NULL;
	int r;

	*root = NULL;
	if (len > DMBI_CFG_MAX_TEXT)
		return dmb_ctx_set_error(ctx, DMB_ERANGE, "metadata text of %zu bytes is larger than %u",
					 len, DMBI_CFG_MAX_TEXT);
	while (len && text[len - 1] == '\0')
		len--;
	/* The tokenizer may then treat every byte as text. */
	for (size_t i = 0, line = 1; i < len; i++) {
		if (text[i] == '\n')
			line++;
		else if (text[i] == '\0')
			return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "line %zu: NUL byte inside the text",
						 line);
	}
	ps = dmbi_calloc(1, sizeof(*ps));
	top = dmbi_calloc(1, sizeof(*top));
	if (!ps || !top) {
		r = dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory for metadata text");
		goto out;
	}
	top->type = DMBI_CFG_SECTION;
	top->line = 1;
	ps->lx.ctx = ctx;
	ps->lx.p = text;
	ps->lx.end = text + len;
	ps->lx.line = 1;
	ps->lx.t = T_EOF;
	ps->stack[0].tail = &top->child;
	ps->stack[0].line = 1;
	r = parse_entries(ps, top);
	if (!r) {
		*root = top;
		top = NULL;
	}
out:
	dmbi_cfg_free(top);
	dmb_port_free(ps);
	return r;
}

void dmbi_cfg_free(struct dmbi_cfg_node *n)
{
	/*
	 * Rotate children into the sibling chain (child as left, next as right
	 * link) so that the tree empties with no stack, however it is shaped.
	 */
	while (n) {
		struct dmbi_cfg_node *c = n->child;

		if (c) {
			n->child = c->next;
			c->next = n;
			n = c;
		} else {
			c = n->next;
			dmb_port_free(n);
			n = c;
		}
	}
}

const struct dmbi_cfg_node *dmbi_cfg_get(const struct dmbi_cfg_node *sec, const char *key)
{
	if (!sec || sec->type != DMBI_CFG_SECTION)
		return NULL;
	for (const struct dmbi_cfg_node *c = sec->child; c; c = c->next)
		if (c->key && dmbi_strcmp(c->key, key) == 0)
			return c;
	return NULL;
}

static int get_typed(const struct dmbi_cfg_node *sec, const char *key, enum dmbi_cfg_type type,
		     const struct dmbi_cfg_node **out)
{
	const struct dmbi_cfg_node *n = dmbi_cfg_get(sec, key);

	if (!n)
		return DMB_ENOENT;
	if (n->type != type)
		return DMB_ECORRUPT;
	*out = n;
	return 0;
}

int dmbi_cfg_get_int(const struct dmbi_cfg_node *sec, const char *key, int64_t *out)
{
	const struct dmbi_cfg_node *n;
	int r = get_typed(sec, key, DMBI_CFG_INT, &n);

	if (!r)
		*out = n->num;
	return r;
}

int dmbi_cfg_get_str(const struct dmbi_cfg_node *sec, const char *key, const char **out)
{
	const struct dmbi_cfg_node *n;
	int r = get_typed(sec, key, DMBI_CFG_STRING, &n);

	if (!r)
		*out = n->str;
	return r;
}

int dmbi_cfg_get_section(const struct dmbi_cfg_node *sec, const char *key,
			 const struct dmbi_cfg_node **out)
{
	return get_typed(sec, key, DMBI_CFG_SECTION, out);
}

int dmbi_cfg_get_array(const struct dmbi_cfg_node *sec, const char *key,
		       const struct dmbi_cfg_node **out)
{
	return get_typed(sec, key, DMBI_CFG_ARRAY, out);
}

const char *dmbi_cfg_type_name(enum dmbi_cfg_type type)
{
	switch (type) {
	case DMBI_CFG_SECTION:
		return "section";
	case DMBI_CFG_INT:
		return "integer";
	case DMBI_CFG_FLOAT:
		return "float";
	case DMBI_CFG_STRING:
		return "string";
	case DMBI_CFG_ARRAY:
		return "array";
	}
	return "unknown";
}
