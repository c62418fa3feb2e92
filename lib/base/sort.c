// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Sorting and the one extent-overlap check (sort.h): heapsort, O(n log n)
 * whatever the input, with no recursion and no allocation, so that a table
 * an attacker wrote cannot make it slow or deep.
 */
#include "sort.h"

static void swap_bytes(uint8_t *a, uint8_t *b, size_t size)
{
	while (size--) {
		uint8_t t = *a;

		*a++ = *b;
		*b++ = t;
	}
}

static void sift_down(uint8_t *e, size_t root, size_t n, size_t size,
		      bool (*before)(const void *a, const void *b))
{
	for (;;) {
		size_t child = 2 * root + 1;

		if (child >= n)
			return;
		if (child + 1 < n && before(e + child * size, e + (child + 1) * size))
			child++;
		if (!before(e + root * size, e + child * size))
			return;
		swap_bytes(e + root * size, e + child * size, size);
		root = child;
	}
}

void dmbi_heapsort(void *base, size_t n, size_t size,
		   bool (*before)(const void *a, const void *b))
{
	uint8_t *e = base;

	for (size_t i = n / 2; i-- > 0;)
		sift_down(e, i, n, size, before);
	for (size_t end = n; end-- > 1;) {
		swap_bytes(e, e + end * size, size);
		sift_down(e, 0, end, size, before);
	}
}

static bool span_before(const void *pa, const void *pb)
{
	const struct dmbi_span *a = pa, *b = pb;

	if (a->space != b->space)
		return a->space < b->space;
	if (a->first != b->first)
		return a->first < b->first;
	return a->tag < b->tag;
}

/*
 * After the sort, a span overlaps an earlier one of its space exactly when
 * it starts at or before the furthest end seen so far in that space.
 */
bool dmbi_spans_overlap(struct dmbi_span *spans, size_t n, size_t *a, size_t *b)
{
	size_t reach = 0; /* the span of this space reaching furthest so far */

	dmbi_heapsort(spans, n, sizeof(*spans), span_before);
	for (size_t i = 1; i < n; i++) {
		if (spans[i].space != spans[reach].space) {
			reach = i;
			continue;
		}
		if (spans[i].first <= spans[reach].last) {
			*a = reach;
			*b = i;
			return true;
		}
		if (spans[i].last > spans[reach].last)
			reach = i;
	}
	return false;
}
