/* SPDX-License-Identifier: MIT */
/* private.h: what the files of analysis/ share and nobody else includes. */
#ifndef VTUI_ANALYSIS_PRIVATE_H
#define VTUI_ANALYSIS_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "common/vtb.h"

/* When a call ends (its start plus its duration). */
static inline uint64_t an_slice_end(const vtb_slice *s)
{
	return s->start_ns + s->dur_ns;
}

/* Index of the first slice of `row` starting at or after t (row->count if none): rows are
 * sorted by start. */
static inline size_t an_row_first_from(const vtb_row *row, uint64_t t)
{
	size_t lo = 0, hi = row->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (row->slices[mid].start_ns < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

#endif
