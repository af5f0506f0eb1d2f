/* SPDX-License-Identifier: MIT */
/* private.h: what the files of analysis/ share and nobody else includes. */
#ifndef VTUI_ANALYSIS_PRIVATE_H
#define VTUI_ANALYSIS_PRIVATE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

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
	return an_lower_bound(row->slices, row->count, sizeof(*row->slices), offsetof(vtb_slice, start_ns), t);
}

/* String `id`'s name, "?" for an id out of range. */
static inline const char *an_name(const vtb_trace *t, uint32_t id)
{
	const vtb_string *s = id < vtb_trace_string_count(t) ? vtb_trace_string(t, id) : NULL;

	return s && s->name ? s->name : "?";
}

/* Python's name of a logging level ("ERROR" for 40 to 49). */
static inline const char *an_level_name(uint32_t level)
{
	static const char *const names[] = { "NOTSET", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL" };

	return names[level >= 50 ? 5 : level / 10];
}

/* Index of the first mark of `th` at or after t (mark_count if none): marks are sorted
 * by time. */
static inline size_t an_mark_first_from(const vtb_thread *th, uint64_t t)
{
	return an_lower_bound(th->marks, th->mark_count, sizeof(*th->marks), offsetof(vtb_mark, ts_ns), t);
}

#endif
