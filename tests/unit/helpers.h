/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * Shared helpers for the cmocka unit tests: a seeded xorshift PRNG, a test
 * resolver over named RAM disks (with open/close accounting), and a small
 * table model that prints dmsetup text and computes, independently of
 * lib/, which lower sector backs every sector of the mapped device.
 * Everything is static inline so each test program takes what it uses.
 */
#ifndef DMBOOT_TEST_HELPERS_H
#define DMBOOT_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dmboot/dmboot.h>

#include "test_port.h"

#define SECTOR 512u
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))

/* --- PRNG: xorshift64*, seeded so every run is the same ------------------ */

struct rng {
	uint64_t s;
};

static inline void rng_seed(struct rng *r, uint64_t seed)
{
	r->s = seed ? seed : 0x9e3779b97f4a7c15ull;
}

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t x = r->s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* Uniform-enough value in [0, n); n > 0. */
static inline uint64_t rng_below(struct rng *r, uint64_t n)
{
	return rng_next(r) % n;
}

/* Value in [lo, hi]. */
static inline uint64_t rng_range(struct rng *r, uint64_t lo, uint64_t hi)
{
	return lo + rng_below(r, hi - lo + 1);
}

static inline void rng_fill(struct rng *r, void *buf, size_t n)
{
	uint8_t *p = buf;

	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(rng_next(r) >> 32);
}

/* --- A resolver over named RAM disks -------------------------------------- */

#define TDEV_MAX 12

struct tdev {
	const char *name;
	uint8_t *mem;           /* libc memory, not counted by the test port */
	uint64_t bytes;
	unsigned block_shift;
	struct dmb_ram_bdev rb;
	struct dmb_bdev *bdev;  /* what open() returns: &rb.bdev or an override */
	int opens, closes;
	unsigned last_flags;
};

struct tres {
	struct dmb_resolver r;
	struct tdev dev[TDEV_MAX];
	size_t n;
	int opens, closes;
	const char *enoent_msg; /* when set, written to ctx->msg on DMB_ENOENT */
	int fail_open;          /* when non-zero, every open() returns it */
};

static inline int tres_open(const struct dmb_resolver *r, struct dmb_ctx *ctx, const char *name,
			    unsigned flags, struct dmb_bdev **out)
{
	struct tres *t = r->priv;

	if (t->fail_open)
		return t->fail_open;
	for (size_t i = 0; i < t->n; i++) {
		if (strcmp(t->dev[i].name, name) == 0) {
			t->dev[i].opens++;
			t->dev[i].last_flags = flags;
			t->opens++;
			*out = t->dev[i].bdev;
			return 0;
		}
	}
	if (t->enoent_msg)
		return dmb_ctx_set_error(ctx, DMB_ENOENT, "%s", t->enoent_msg);
	return DMB_ENOENT;
}

static inline void tres_close(const struct dmb_resolver *r, struct dmb_bdev *bd)
{
	struct tres *t = r->priv;

	for (size_t i = 0; i < t->n; i++) {
		if (t->dev[i].bdev == bd) {
			t->dev[i].closes++;
			t->closes++;
			return;
		}
	}
	fail_msg("close() of a device the resolver never opened");
}

static inline void tres_init(struct tres *t)
{
	memset(t, 0, sizeof(*t));
	t->r.open = tres_open;
	t->r.close = tres_close;
	t->r.priv = t;
}

/* Add a RAM disk of `bytes` bytes filled from rng (or zeros when rng is NULL). */
static inline struct tdev *tres_add(struct tres *t, const char *name, uint64_t bytes,
				    unsigned block_shift, struct rng *rng)
{
	struct tdev *d;

	assert_true(t->n < TDEV_MAX);
	d = &t->dev[t->n++];
	d->name = name;
	d->bytes = bytes;
	d->block_shift = block_shift;
	d->mem = calloc(1, (size_t)bytes);
	assert_non_null(d->mem);
	if (rng)
		rng_fill(rng, d->mem, (size_t)bytes);
	dmb_ram_bdev_init(&d->rb, d->mem, bytes, block_shift, true);
	d->bdev = &d->rb.bdev;
	return d;
}

static inline struct tdev *tres_find(struct tres *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->dev[i].name, name) == 0)
			return &t->dev[i];
	return NULL;
}

static inline void tres_free(struct tres *t)
{
	assert_int_equal(t->opens, t->closes);
	for (size_t i = 0; i < t->n; i++)
		free(t->dev[i].mem);
	t->n = 0;
}

/* --- Parse and create in one step ----------------------------------------- */

static inline int create_from_text(struct dmb_ctx *ctx, const char *text, unsigned flags,
				   struct dmb_dev **out)
{
	struct dmb_table *t;
	int r = dmb_table_parse(ctx, text, strlen(text), &t);

	*out = NULL;
	if (r)
		return r;
	r = dmb_dev_create(ctx, t, flags, out);
	dmb_table_destroy(t);
	return r;
}

/* dmb_dev_format into a fresh libc buffer; the length must be stable. */
static inline char *format_dev(struct dmb_dev *dev, enum dmb_fmt what, unsigned flags)
{
	int n = dmb_dev_format(dev, what, flags, NULL, 0);
	char *s;

	assert_true(n >= 0);
	s = malloc((size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(dmb_dev_format(dev, what, flags, s, (size_t)n + 1), n);
	assert_int_equal(strlen(s), (size_t)n);
	return s;
}

/* --- A table model --------------------------------------------------------- */

enum { T_LINEAR, T_STRIPED, T_ZERO, T_ERROR };

#define TGT_MAX_STRIPES 4
#define LAYOUT_MAX 12

struct tgt {
	int type;
	uint64_t len;                     /* sectors */
	unsigned stripes, chunk;          /* striped */
	int dev[TGT_MAX_STRIPES];         /* resolver device index */
	uint64_t off[TGT_MAX_STRIPES];    /* sectors on that device */
};

struct layout {
	size_t n;
	struct tgt t[LAYOUT_MAX];
};

/* Where a device sector comes from: a lower sector, zeros or an error. */
#define MAP_ZERO (-1)
#define MAP_ERROR (-2)
struct smap {
	int dev;
	uint64_t sector;
};

static inline uint64_t layout_sectors(const struct layout *l)
{
	uint64_t s = 0;

	for (size_t i = 0; i < l->n; i++)
		s += l->t[i].len;
	return s;
}

/*
 * The sector map, computed by walking each target the way its data is laid
 * out on disk (striped: row by row, stripe by stripe, chunk by chunk) rather
 * than by the library's division formula.
 */
static inline struct smap *layout_map(const struct layout *l)
{
	uint64_t total = layout_sectors(l), pos = 0;
	struct smap *m = calloc((size_t)total, sizeof(*m));

	assert_non_null(m);
	for (size_t i = 0; i < l->n; i++) {
		const struct tgt *t = &l->t[i];

		switch (t->type) {
		case T_LINEAR:
			for (uint64_t s = 0; s < t->len; s++)
				m[pos + s] = (struct smap){ t->dev[0], t->off[0] + s };
			break;
		case T_STRIPED: {
			uint64_t done = 0;

			for (uint64_t row = 0; done < t->len; row++)
				for (unsigned k = 0; k < t->stripes; k++)
					for (unsigned c = 0; c < t->chunk; c++)
						m[pos + done++] = (struct smap){
							t->dev[k], t->off[k] + row * t->chunk + c
						};
			assert_int_equal(done, t->len);
			break;
		}
		case T_ZERO:
			for (uint64_t s = 0; s < t->len; s++)
				m[pos + s] = (struct smap){ MAP_ZERO, 0 };
			break;
		default:
			for (uint64_t s = 0; s < t->len; s++)
				m[pos + s] = (struct smap){ MAP_ERROR, 0 };
			break;
		}
		pos += t->len;
	}
	return m;
}

/* Append s to a growing text, escaping like `dmsetup table` does. */
static inline size_t put_escaped(char *out, size_t at, const char *s)
{
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\\' || *s == '#')
			out[at++] = '\\';
		out[at++] = *s;
	}
	return at;
}

/*
 * Print the layout as a table.  Canonical (rng == NULL) is exactly what
 * dmb_dev_format(DMB_FMT_TABLE) must print; with an rng the text is noisy
 * but equivalent: runs of blanks and tabs, comments, blank lines, and
 * gratuitous backslash escapes of ordinary characters.
 */
static inline void layout_text(const struct layout *l, const struct tres *res, struct rng *rng,
			       char *out, size_t cap)
{
	static const char *const names[] = { "linear", "striped", "zero", "error" };
	uint64_t start = 0;
	size_t at = 0;
	char num[64];

#define SEP()                                                                     \
	do {                                                                      \
		if (!rng) {                                                       \
			out[at++] = ' ';                                          \
		} else {                                                          \
			unsigned k_ = (unsigned)rng_range(rng, 1, 3);             \
			while (k_--)                                              \
				out[at++] = rng_below(rng, 3) ? ' ' : '\t';       \
		}                                                                 \
	} while (0)
#define WORD(s)                                                                   \
	do {                                                                      \
		const char *w_ = (s);                                             \
		if (rng && rng_below(rng, 4) == 0 && *w_ != '\\' && *w_ != ' ' && \
		    *w_ != '\t' && *w_ != '#')                                    \
			out[at++] = '\\';                                         \
		at = put_escaped(out, at, w_);                                    \
	} while (0)

	for (size_t i = 0; i < l->n; i++) {
		const struct tgt *t = &l->t[i];

		if (rng && rng_below(rng, 4) == 0)
		{
			if (rng_below(rng, 2))
				at += (size_t)sprintf(out + at, "# comment %zu\n", i);
			else
				out[at++] = '\n';
		}
		if (rng && rng_below(rng, 3) == 0)
			out[at++] = rng_below(rng, 2) ? ' ' : '\t';
		at += (size_t)sprintf(out + at, "%llu", (unsigned long long)start);
		SEP();
		at += (size_t)sprintf(out + at, "%llu", (unsigned long long)t->len);
		SEP();
		at += (size_t)sprintf(out + at, "%s", names[t->type]);
		if (!rng || t->type == T_LINEAR || t->type == T_STRIPED)
			out[at++] = ' ';
		switch (t->type) {
		case T_LINEAR:
			WORD(res->dev[t->dev[0]].name);
			SEP();
			sprintf(num, "%llu", (unsigned long long)t->off[0]);
			WORD(num);
			break;
		case T_STRIPED:
			at += (size_t)sprintf(out + at, "%u", t->stripes);
			SEP();
			at += (size_t)sprintf(out + at, "%u", t->chunk);
			for (unsigned k = 0; k < t->stripes; k++) {
				SEP();
				WORD(res->dev[t->dev[k]].name);
				SEP();
				sprintf(num, "%llu", (unsigned long long)t->off[k]);
				WORD(num);
			}
			break;
		default:
			break;
		}
		if (rng && rng_below(rng, 3) == 0)
			at += (size_t)sprintf(out + at, rng_below(rng, 2) ? " \t" : "\t# trailing");
		out[at++] = '\n';
		assert_true(at < cap / 2);
		start += t->len;
	}
	out[at] = '\0';
#undef SEP
#undef WORD
}

/*
 * The bytes the mapped device must hold at [sector, sector + count), from
 * the lower devices' memory.  Returns DMB_EIO if an error target is in range.
 */
static inline int model_read(const struct smap *m, const struct tres *res, uint64_t sector,
			     size_t count, uint8_t *out)
{
	int r = 0;

	for (size_t i = 0; i < count; i++) {
		const struct smap *e = &m[sector + i];
		uint8_t *dst = out + i * SECTOR;

		if (e->dev == MAP_ZERO)
			memset(dst, 0, SECTOR);
		else if (e->dev == MAP_ERROR)
			r = DMB_EIO;
		else
			memcpy(dst, res->dev[e->dev].mem + e->sector * SECTOR, SECTOR);
	}
	return r;
}

#endif /* DMBOOT_TEST_HELPERS_H */
