/* SPDX-License-Identifier: MIT */
/* calls_incident.c: where the dump was triggered, from the model alone (analysis.h), for
 * "the last calls before the incident" of the call list and `vtui calls --before
 * incident`. The viewer's `goto incident` (incident.c) refines the same rules with the
 * tracer's unhandled-exception instant; the two are meant to become one. */
#include "analysis/analysis.h"

#include <string.h>

/* The thread the reason text names after "in thread " (up to ':' or '('), or -1. */
static int64_t reason_thread(const vtb_trace *t)
{
	const char *r = vtb_trace_header(t)->reason_text, *p = strstr(r ? r : "", "in thread ");
	size_t len;

	if (!p)
		return -1;
	p += strlen("in thread ");
	len = strcspn(p, ":(");
	while (len && p[len - 1] == ' ')
		len--;
	for (size_t i = 0; i < vtb_trace_thread_count(t); i++) {
		const char *name = vtb_trace_thread(t, i)->name;

		if (name && strlen(name) == len && !strncmp(name, p, len))
			return (int64_t)i;
	}
	return -1;
}

static int64_t thread_named(const vtb_trace *t, const char *name)
{
	for (size_t i = 0; i < vtb_trace_thread_count(t); i++)
		if (vtb_trace_thread(t, i)->name && !strcmp(vtb_trace_thread(t, i)->name, name))
			return (int64_t)i;
	return -1;
}

/* The end of the thread's last top-level call (0: none). */
static uint64_t last_end(const vtb_thread *th)
{
	const vtb_row *r = th->depth_count ? &th->rows[0] : NULL;

	return r && r->count ? r->slices[r->count - 1].start_ns + r->slices[r->count - 1].dur_ns : 0;
}

static int64_t busiest_last(const vtb_trace *t)
{
	int64_t best = vtb_trace_thread_count(t) ? 0 : -1;

	for (size_t i = 1; i < vtb_trace_thread_count(t); i++)
		if (last_end(vtb_trace_thread(t, i)) > last_end(vtb_trace_thread(t, (size_t)best)))
			best = (int64_t)i;
	return best;
}

/* Where the thread's last exception began: its last top-level call an exception left,
 * then down through the last child while an exception left that too. Its end, or 0. */
static uint64_t exception_end(const vtb_thread *th)
{
	const vtb_slice *s = NULL;
	size_t i = th->depth_count ? th->rows[0].count : 0;

	while (i > 0 && !(th->rows[0].slices[i - 1].flags & VTB_CALL_EXCEPTION))
		i--;
	if (i == 0)
		return 0;
	s = &th->rows[0].slices[i - 1];
	for (uint32_t d = 1; d < th->depth_count; d++) {
		const vtb_row *r = &th->rows[d];
		uint64_t end = s->start_ns + s->dur_ns;

		/* the last call of this level ending by the end of the one above */
		i = end == UINT64_MAX ? r->count : vtb_row_find(r, end);
		if (i == 0 || r->slices[i - 1].start_ns < s->start_ns ||
		    !(r->slices[i - 1].flags & VTB_CALL_EXCEPTION))
			break;
		s = &r->slices[i - 1];
	}
	return s->start_ns + s->dur_ns;
}

static void find_exception(const vtb_trace *t, calls_incident *out)
{
	int64_t th = reason_thread(t);
	uint64_t end = 0;

	if (th < 0)
		th = thread_named(t, "MainThread");
	if (th >= 0)
		end = exception_end(vtb_trace_thread(t, (size_t)th));
	for (size_t i = 0; !end && i < vtb_trace_thread_count(t); i++) {
		uint64_t e = exception_end(vtb_trace_thread(t, i));

		if (e > end) {
			end = e;
			th = (int64_t)i;
		}
	}
	if (end) {
		out->thread = th;
		out->at_ns = end;
	}
}

static void find_log(const vtb_trace *t, calls_incident *out)
{
	const vtb_header *h = vtb_trace_header(t);
	uint32_t level = 0;

	for (size_t i = 0; i < vtb_trace_thread_count(t); i++) {
		const vtb_thread *th = vtb_trace_thread(t, i);

		for (size_t j = 0; j < th->mark_count; j++) {
			const vtb_mark *mk = &th->marks[j];

			if (mk->kind == VTB_MARK_LOG && mk->ts_ns <= h->dump_ns &&
			    (mk->level > level || (mk->level == level && mk->ts_ns >= out->at_ns))) {
				level = mk->level;
				out->thread = (int64_t)i;
				out->at_ns = mk->ts_ns;
			}
		}
	}
}

void calls_incident_find(const vtb_trace *t, calls_incident *out)
{
	const vtb_header *h = vtb_trace_header(t);

	out->thread = reason_thread(t);
	out->at_ns = h->dump_ns;
	if (h->reason == VTB_REASON_EXCEPTION) {
		find_exception(t, out);
	} else if (h->reason == VTB_REASON_LOG) {
		out->at_ns = 0;
		find_log(t, out);
		if (!out->at_ns)
			out->at_ns = h->dump_ns;
	}
	if (out->thread < 0 && h->reason == VTB_REASON_SIGNAL)
		out->thread = thread_named(t, "MainThread");
	if (out->thread < 0)
		out->thread = busiest_last(t);
}
