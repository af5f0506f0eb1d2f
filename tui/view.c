/* SPDX-License-Identifier: MIT */
/* view.c: the view state: which time window is visible, where the cursor is, what is
 * selected and folded, how far the thread list is scrolled. Pure state and arithmetic:
 * drawing is in view_*.c, the meaning of keys in commands.c. */
#include "tui/tui_private.h"

#include <stdlib.h>

/* The narrowest window: one nanosecond per column, and never under this. */
#define MIN_SPAN_NS 40

static uint64_t total_span(const tui_model *m)
{
	return m->last_ns > m->first_ns ? m->last_ns - m->first_ns : 1;
}

static uint64_t min_span(const tui_view *v)
{
	return (uint64_t)v->cols > MIN_SPAN_NS ? (uint64_t)v->cols : MIN_SPAN_NS;
}

int tui_view_init(tui_view *v, const tui_model *m)
{
	*v = (tui_view){ 0 };
	v->sel = TUI_REF_NONE;
	v->details = 1;
	v->cols = 80;
	v->rows = 20;
	v->folded = calloc(m->thread_count + 1, 1);
	if (!v->folded)
		return VTB_E_NOMEM;
	tui_view_fit(v, m);
	return 0;
}

void tui_view_fini(tui_view *v)
{
	free(v->folded);
	v->folded = NULL;
}

void tui_view_clamp(tui_view *v, const tui_model *m)
{
	uint64_t total = total_span(m);

	if (v->span_ns > total)
		v->span_ns = total;
	if (v->span_ns < min_span(v))
		v->span_ns = min_span(v);
	if (v->start_ns < m->first_ns)
		v->start_ns = m->first_ns;
	if (v->span_ns <= total && v->start_ns + v->span_ns > m->last_ns)
		v->start_ns = m->last_ns > v->span_ns ? m->last_ns - v->span_ns : 0;
	if (v->start_ns < m->first_ns)
		v->start_ns = m->first_ns;
	if (v->cursor_ns < v->start_ns)
		v->cursor_ns = v->start_ns;
	if (v->cursor_ns >= v->start_ns + v->span_ns)
		v->cursor_ns = v->start_ns + v->span_ns - 1;
}

void tui_view_fit(tui_view *v, const tui_model *m)
{
	v->start_ns = m->first_ns;
	v->span_ns = total_span(m);
	v->cursor_ns = m->first_ns + v->span_ns / 2;
	tui_view_clamp(v, m);
}

void tui_view_zoom(tui_view *v, const tui_model *m, double factor)
{
	double left = (double)(v->cursor_ns - v->start_ns) / (double)v->span_ns;
	double span = (double)v->span_ns / factor;
	uint64_t anchor = v->cursor_ns;

	if (span < (double)min_span(v))
		span = (double)min_span(v);
	if (span > (double)total_span(m))
		span = (double)total_span(m);
	v->span_ns = (uint64_t)span;
	v->start_ns = anchor - (uint64_t)(left * span) > anchor ? 0 : anchor - (uint64_t)(left * span);
	tui_view_clamp(v, m);
	v->cursor_ns = anchor >= v->start_ns && anchor < v->start_ns + v->span_ns ? anchor : v->cursor_ns;
}

void tui_view_pan(tui_view *v, const tui_model *m, int64_t delta_ns)
{
	uint64_t old = v->start_ns;

	if (delta_ns < 0 && (uint64_t)-delta_ns > v->start_ns)
		v->start_ns = 0;
	else
		v->start_ns += delta_ns;
	tui_view_clamp(v, m);
	/* The cursor keeps its column, so w/s after a pan zoom where the eye is. */
	v->cursor_ns += v->start_ns - old;
	tui_view_clamp(v, m);
}

void tui_view_show(tui_view *v, const tui_model *m, uint64_t t0, uint64_t t1)
{
	uint64_t span = t1 > t0 ? t1 - t0 : 1;
	uint64_t margin = span / 20;

	v->span_ns = span + 2 * margin;
	v->start_ns = t0 > margin ? t0 - margin : 0;
	v->cursor_ns = t0 + span / 2;
	tui_view_clamp(v, m);
}

void tui_view_center(tui_view *v, const tui_model *m, uint64_t t)
{
	v->start_ns = t > v->span_ns / 2 ? t - v->span_ns / 2 : 0;
	tui_view_clamp(v, m);
	v->cursor_ns = t;
	tui_view_clamp(v, m);
}

void tui_view_select(tui_view *v, const tui_model *m, tui_ref r)
{
	const vtb_slice *s = tui_model_slice(m, r);
	uint64_t end, mid, view_end;

	if (!s)
		return;
	v->sel = r;
	v->follow = 1;
	v->folded[r.thread] = 0;
	for (size_t i = 0; i < m->thread_count; i++)
		if ((int32_t)m->order[i] == r.thread)
			v->focus = (uint32_t)i;
	end = tui_slice_end(s);
	view_end = v->start_ns + v->span_ns;
	if (end <= v->start_ns || s->start_ns >= view_end) {
		if (s->dur_ns < v->span_ns)
			tui_view_center(v, m, s->start_ns + s->dur_ns / 2);
		else
			tui_view_center(v, m, s->start_ns + v->span_ns / 2 - v->span_ns / 20);
	}
	/* A cursor already inside the call stays, so going down and up again is stable. */
	mid = s->start_ns + s->dur_ns / 2;
	if (v->cursor_ns < s->start_ns || v->cursor_ns >= end)
		v->cursor_ns = mid;
	tui_view_clamp(v, m);
}

tui_row *tui_view_rows(const tui_view *v, const tui_model *m, size_t *count)
{
	size_t n = 0, cap = 2 * m->thread_count + 1 + (v->an ? tui_tracks_max_rows(m) : 0);
	uint64_t group = 0;
	tui_row *rows;

	for (size_t i = 0; i < m->thread_count; i++)
		if (!v->folded[m->order[i]])
			cap += tui_model_thread(m, (int32_t)m->order[i])->depth_count;
	rows = malloc(cap * sizeof(*rows));
	if (!rows) {
		*count = 0;
		return NULL;
	}
	for (size_t i = 0; i < m->thread_count; i++) {
		int32_t t = (int32_t)m->order[i];
		const vtb_thread *th = tui_model_thread(m, t);
		/* filters leave fewer rows, or hide the thread */
		uint32_t depths = v->shown_depths ? v->shown_depths[t] : th->depth_count;

		if (depths == UINT32_MAX)
			continue;
		int first = n == 0 || tui_model_group(m, (size_t)t) != group;

		group = tui_model_group(m, (size_t)t);

		if (m->process_groups > 1 && first)
			rows[n++] = (tui_row){ TUI_ROW_PROCESS, t, 0, th->pid };
		if (first && v->an) /* counters and GC of the process, above its threads */
			tui_tracks_process_rows(v->an, m, th->pid, rows, &n);
		rows[n++] = (tui_row){ TUI_ROW_THREAD, t, 0, th->pid };
		if (v->an && !v->folded[t])
			tui_tracks_thread_rows(v->an, m, t, rows, &n);
		for (uint32_t d = 0; !v->folded[t] && d < depths && d < th->depth_count; d++)
			rows[n++] = (tui_row){ TUI_ROW_DEPTH, t, d, th->pid };
	}
	*count = n;
	return rows;
}

int tui_view_row_of(const tui_row *rows, size_t count, int32_t thread, uint32_t depth)
{
	int title = -1;

	for (size_t i = 0; i < count; i++) {
		if (rows[i].thread != thread)
			continue;
		if (rows[i].kind == TUI_ROW_THREAD)
			title = (int)i;
		if (rows[i].kind == TUI_ROW_DEPTH && rows[i].depth == depth)
			return (int)i;
	}
	return title;
}

void tui_view_scroll_to(tui_view *v, int row, size_t row_count)
{
	int max = (int)row_count - v->rows;

	if (row >= 0 && row < v->scroll)
		v->scroll = row;
	if (row >= 0 && row >= v->scroll + v->rows)
		v->scroll = row - v->rows + 1;
	if (v->scroll > max)
		v->scroll = max;
	if (v->scroll < 0)
		v->scroll = 0;
}
