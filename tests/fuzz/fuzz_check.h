/* SPDX-License-Identifier: MIT */
/* fuzz_check.h: what every model a loader returns must satisfy, whatever the input was.
 *
 * The contract of common/vtb.h, checked by the fuzz targets after a successful load: a
 * violation is a bug as real as a crash, so it aborts (libFuzzer keeps the input).
 */
#ifndef VTUI_FUZZ_CHECK_H
#define VTUI_FUZZ_CHECK_H

#include "common/vtb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_REQUIRE(cond)                                                                     \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			fprintf(stderr, "%s:%d: oracle failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                      \
			abort();                                                             \
		}                                                                            \
	} while (0)

static inline uint64_t fz_end(const vtb_slice *s)
{
	return s->start_ns + s->dur_ns;
}

/* Every call below depth 0 lies inside a call of the row above. */
static inline void fz_check_nesting(const vtb_thread *th, uint32_t d, const vtb_slice *s)
{
	const vtb_row *up = &th->rows[d - 1];
	size_t lo = 0, hi = up->count;

	while (lo < hi) { /* the last call of the row above that starts at or before s */
		size_t mid = lo + (hi - lo) / 2;
		if (up->slices[mid].start_ns <= s->start_ns)
			lo = mid + 1;
		else
			hi = mid;
	}
	FZ_REQUIRE(lo > 0);
	FZ_REQUIRE(fz_end(&up->slices[lo - 1]) >= fz_end(s));
}

static inline void fz_check_row(const vtb_trace *t, const vtb_thread *th, uint32_t d,
				uint64_t first, uint64_t last)
{
	const vtb_row *r = &th->rows[d];

	FZ_REQUIRE(r->count == 0 || r->slices != NULL);
	for (size_t k = 0; k < r->count; k++) {
		const vtb_slice *s = &r->slices[k];
		FZ_REQUIRE(s->depth == d);
		FZ_REQUIRE(vtb_trace_string(t, s->name_id) != NULL);
		FZ_REQUIRE(fz_end(s) >= s->start_ns);
		FZ_REQUIRE(s->start_ns >= first && fz_end(s) <= last);
		if (k)
			FZ_REQUIRE(s->start_ns >= fz_end(&r->slices[k - 1]));
		if (d)
			fz_check_nesting(th, d, s);
	}
}

static inline void fz_check_thread(const vtb_trace *t, const vtb_thread *th, uint64_t first,
				   uint64_t last)
{
	size_t calls = 0;

	FZ_REQUIRE(th->name != NULL);
	FZ_REQUIRE(th->depth_count == 0 || th->rows != NULL);
	for (uint32_t d = 0; d < th->depth_count; d++) {
		fz_check_row(t, th, d, first, last);
		calls += th->rows[d].count;
	}
	FZ_REQUIRE(calls == th->call_count);
	for (size_t k = 0; k < th->mark_count; k++) {
		const vtb_mark *m = &th->marks[k];
		FZ_REQUIRE(m->text != NULL);
		FZ_REQUIRE(m->kind <= VTB_MARK_LOG);
		FZ_REQUIRE(vtb_trace_string(t, m->name_id) != NULL);
		FZ_REQUIRE(m->ts_ns >= first && m->ts_ns <= last);
		if (k)
			FZ_REQUIRE(m->ts_ns >= th->marks[k - 1].ts_ns);
	}
	for (size_t k = 0; k < th->attachment_count; k++) {
		const vtb_attachment *a = &th->attachments[k];
		FZ_REQUIRE(a->depth < th->depth_count);
		FZ_REQUIRE(a->index < th->rows[a->depth].count);
		FZ_REQUIRE(a->args != NULL || a->retval != NULL);
		FZ_REQUIRE(vtb_thread_attachment(th, a->depth, a->index) == a);
	}
}

/* Walk the whole model through the public accessors. */
static inline void fz_check_trace(const vtb_trace *t)
{
	const vtb_header *h = vtb_trace_header(t);
	const vtb_damage *dmg = vtb_trace_damage(t);
	uint64_t first, last;
	size_t calls = 0;

	FZ_REQUIRE(h->cmdline && h->python_version && h->reason_text);
	FZ_REQUIRE(dmg != NULL);
	FZ_REQUIRE(dmg->sections_bad == 0 || dmg->first_problem != NULL);
	vtb_trace_span(t, &first, &last);
	FZ_REQUIRE(first <= last);
	for (uint32_t i = 0; i < vtb_trace_string_count(t); i++) {
		const vtb_string *s = vtb_trace_string(t, i);
		FZ_REQUIRE(s && s->name && s->file);
	}
	FZ_REQUIRE(vtb_trace_string(t, (uint32_t)vtb_trace_string_count(t)) == NULL);
	for (size_t i = 0; i < vtb_trace_process_count(t); i++)
		FZ_REQUIRE(vtb_trace_process(t, i) != NULL);
	for (size_t i = 0; i < vtb_trace_thread_count(t); i++) {
		const vtb_thread *th = vtb_trace_thread(t, i);
		fz_check_thread(t, th, first, last);
		calls += th->call_count;
	}
	FZ_REQUIRE(calls == vtb_trace_call_count(t));
	for (size_t i = 0; i < vtb_trace_counter_count(t); i++) {
		const vtb_counter *c = vtb_trace_counter(t, i);
		FZ_REQUIRE(vtb_trace_string(t, c->name_id) && vtb_trace_string(t, c->series_id));
		for (size_t k = 0; k < c->count; k++) {
			FZ_REQUIRE(c->samples[k].ts_ns >= first && c->samples[k].ts_ns <= last);
			if (k)
				FZ_REQUIRE(c->samples[k].ts_ns >= c->samples[k - 1].ts_ns);
		}
	}
}

#endif
