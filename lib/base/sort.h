/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/* Sorting without recursion or allocation, and the one extent-overlap check. */
#ifndef DMBOOT_LIB_BASE_SORT_H
#define DMBOOT_LIB_BASE_SORT_H

#include <dmboot/dmboot.h>

/*
 * Sort n elements of size bytes in place so that none is before() the one
 * preceding it: heapsort, O(n log n) whatever the input, no recursion and
 * no allocation.  Not stable.
 */
void dmbi_heapsort(void *base, size_t n, size_t size,
		   bool (*before)(const void *a, const void *b));

/*
 * An inclusive extent [first, last] of some space: a partition's sectors
 * (space 0), or an LV's physical extents on one PV (space: the PV).  tag
 * names the extent in messages (a partition number, a segment index).
 */
struct dmbi_span {
	uintptr_t space;
	uint64_t first, last;
	unsigned tag;
};

/*
 * Whether two spans of the same space share a point.  Sorts spans by space,
 * first and tag; on overlap *a and *b get the indices (after the sort) of
 * the first overlapping pair in that order, *a before *b.  O(n log n).
 */
bool dmbi_spans_overlap(struct dmbi_span *spans, size_t n, size_t *a, size_t *b);

#endif /* DMBOOT_LIB_BASE_SORT_H */
