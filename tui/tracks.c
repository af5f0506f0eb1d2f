/* SPDX-License-Identifier: MIT */
/* tracks.c: the timeline rows that are not calls: counters (a sparkline per series under
 * a title with the scale), marks (instants, object snapshots, log records) under their
 * thread's title, and a GC row per process. Each column costs a binary search and, for
 * counters, a walk over a 64-ary min/max summary: a frame stays proportional to the
 * screen however many samples a column covers. */
#include "tui/analysis.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Fan-out of the counter summaries: level l+1 holds the min and max of 64 entries of l. */
#define FAN 64
#define MAX_LEVELS 8

struct tui_counter_index {
	double min, max;                  /* over every sample */
	size_t level_count[MAX_LEVELS];   /* entries per level; level 0 is the samples */
	double *lo[MAX_LEVELS], *hi[MAX_LEVELS];
	int levels;
	uint32_t head;                    /* the first counter of its group (process, name) */
	uint32_t pos;                     /* its place in an->corder */
	double gmin, gmax;                /* the head's: over the group's series */
};

static int index_counter(struct tui_counter_index *x, const vtb_counter *c)
{
	size_t n = c->count;

	x->min = INFINITY;
	x->max = -INFINITY;
	for (size_t i = 0; i < n; i++) {
		x->min = fmin(x->min, c->samples[i].value);
		x->max = fmax(x->max, c->samples[i].value);
	}
	x->level_count[0] = n;
	x->levels = 1;
	while (x->levels < MAX_LEVELS && x->level_count[x->levels - 1] > FAN) {
		int l = x->levels;
		size_t m = (x->level_count[l - 1] + FAN - 1) / FAN;

		x->lo[l] = malloc(m * sizeof(double));
		x->hi[l] = malloc(m * sizeof(double));
		if (!x->lo[l] || !x->hi[l])
			return VTB_E_NOMEM;
		for (size_t j = 0; j < m; j++) {
			x->lo[l][j] = INFINITY;
			x->hi[l][j] = -INFINITY;
		}
		for (size_t i = 0; i < x->level_count[l - 1]; i++) {
			double a = l == 1 ? c->samples[i].value : x->lo[l - 1][i];
			double b = l == 1 ? c->samples[i].value : x->hi[l - 1][i];

			x->lo[l][i / FAN] = fmin(x->lo[l][i / FAN], a);
			x->hi[l][i / FAN] = fmax(x->hi[l][i / FAN], b);
		}
		x->level_count[l] = m;
		x->levels++;
	}
	return 0;
}

static void take(const struct tui_counter_index *x, const vtb_counter *c, int l, size_t i,
		 double *lo, double *hi)
{
	*lo = fmin(*lo, l ? x->lo[l][i] : c->samples[i].value);
	*hi = fmax(*hi, l ? x->hi[l][i] : c->samples[i].value);
}

/* Min and max of samples [i0, i1): partial blocks at both ends, whole blocks one level up. */
static void range_minmax(const struct tui_counter_index *x, const vtb_counter *c, size_t i0,
			 size_t i1, double *lo, double *hi)
{
	*lo = INFINITY;
	*hi = -INFINITY;
	for (int l = 0; l < x->levels && i0 < i1; l++) {
		if (l + 1 == x->levels) {
			while (i0 < i1)
				take(x, c, l, i0++, lo, hi);
			break;
		}
		while (i0 < i1 && i0 % FAN)
			take(x, c, l, i0++, lo, hi);
		while (i1 > i0 && i1 % FAN)
			take(x, c, l, --i1, lo, hi);
		i0 /= FAN;
		i1 /= FAN;
	}
}

struct ckey {
	uint32_t pid, group, k; /* group: the name id, then the group's head */
};

static int cmp_ckey(const void *x, const void *y)
{
	const struct ckey *a = x, *b = y;

	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	return a->k < b->k ? -1 : a->k > b->k;
}

/* Groups counters by (process, name) once: each knows its group's head and scale, and
 * an->corder lists them by process, group, index. Searching earlier counters on every
 * redraw made 100,000 counter names take 13.5 s a frame. */
static int group_counters(struct tui_analysis *an, const vtb_trace *t)
{
	size_t n = an->counter_count;
	struct ckey *key = malloc((n + 1) * sizeof(*key));

	an->corder = malloc((n + 1) * sizeof(*an->corder));
	if (!key || !an->corder) {
		free(key);
		return VTB_E_NOMEM;
	}
	for (size_t k = 0; k < n; k++) {
		const vtb_counter *c = vtb_trace_counter(t, k);
		key[k] = (struct ckey){ c->pid, c->name_id, (uint32_t)k };
	}
	qsort(key, n, sizeof(*key), cmp_ckey);
	for (size_t i = 0; i < n; i++) {
		struct tui_counter_index *x = &an->cidx[key[i].k], *h;
		int first = i == 0 || key[i].pid != key[i - 1].pid || key[i].group != key[i - 1].group;

		x->head = first ? key[i].k : an->cidx[key[i - 1].k].head;
		h = &an->cidx[x->head];
		if (first)
			h->gmin = INFINITY, h->gmax = -INFINITY;
		if (vtb_trace_counter(t, key[i].k)->count)
			h->gmin = fmin(h->gmin, x->min), h->gmax = fmax(h->gmax, x->max);
	}
	for (size_t i = 0; i < n; i++)
		key[i].group = an->cidx[key[i].k].head;
	qsort(key, n, sizeof(*key), cmp_ckey);
	for (size_t i = 0; i < n; i++) {
		an->corder[i] = key[i].k;
		an->cidx[key[i].k].pos = (uint32_t)i;
	}
	free(key);
	return 0;
}

int tui_tracks_init(struct tui_analysis *an, const tui_model *m)
{
	an->counter_count = vtb_trace_counter_count(m->trace);
	an->counter = an->counter_count ? 0 : -1;
	an->cidx = calloc(an->counter_count + 1, sizeof(*an->cidx));
	if (!an->cidx)
		return VTB_E_NOMEM;
	for (size_t k = 0; k < an->counter_count; k++)
		if (index_counter(&an->cidx[k], vtb_trace_counter(m->trace, k)) < 0)
			return VTB_E_NOMEM;
	if (group_counters(an, m->trace) < 0 || an_tasks_build(m->trace, &an->tasks) < 0)
		return VTB_E_NOMEM;
	return tui_gc_build(an, m);
}

void tui_tracks_fini(struct tui_analysis *an)
{
	for (size_t k = 0; an->cidx && k < an->counter_count; k++)
		for (int l = 1; l < MAX_LEVELS; l++) {
			free(an->cidx[k].lo[l]);
			free(an->cidx[k].hi[l]);
		}
	free(an->cidx);
	free(an->corder);
	for (size_t i = 0; i < an->gc_count; i++)
		free(an->gc[i].slices);
	free(an->gc);
	an_tasks_free(an->tasks);
}

static int cmp_start(const void *a, const void *b)
{
	const vtb_slice *x = a, *y = b;

	return x->start_ns < y->start_ns ? -1 : x->start_ns > y->start_ns;
}

static struct tui_gc_track *gc_track(struct tui_analysis *an, uint32_t pid)
{
	struct tui_gc_track *g;

	for (size_t i = 0; i < an->gc_count; i++)
		if (an->gc[i].pid == pid)
			return &an->gc[i];
	g = realloc(an->gc, (an->gc_count + 1) * sizeof(*g));
	if (!g)
		return NULL;
	an->gc = g;
	g = &an->gc[an->gc_count++];
	*g = (struct tui_gc_track){ pid, NULL, 0 };
	return g;
}

/* GC slices of every thread, one sorted row per process (the collector runs under the
 * GIL, so the slices of one process do not overlap). */
int tui_gc_build(struct tui_analysis *an, const tui_model *m)
{
	for (size_t t = 0; t < m->thread_count; t++) {
		const vtb_thread *th = vtb_trace_thread(m->trace, t);

		if (th->tid == TUI_GC_TID) /* the tracer's GC row already is the process's track */
			continue;
		for (uint32_t d = 0; d < th->depth_count; d++)
			for (size_t i = 0; i < th->rows[d].count; i++) {
				struct tui_gc_track *g;
				vtb_slice *ns;

				if (!(th->rows[d].slices[i].flags & VTB_CALL_GC))
					continue;
				if (!(g = gc_track(an, th->pid)) ||
				    !(ns = realloc(g->slices, (g->count + 1) * sizeof(*ns))))
					return VTB_E_NOMEM;
				g->slices = ns;
				g->slices[g->count++] = th->rows[d].slices[i];
			}
	}
	for (size_t i = 0; i < an->gc_count; i++)
		qsort(an->gc[i].slices, an->gc[i].count, sizeof(vtb_slice), cmp_start);
	return 0;
}

size_t tui_counter_find(const vtb_counter *c, uint64_t t)
{
	return an_lower_bound(c->samples, c->count, sizeof(*c->samples), offsetof(vtb_sample, ts_ns), t);
}

size_t tui_mark_find(const vtb_thread *th, uint64_t t)
{
	return an_lower_bound(th->marks, th->mark_count, sizeof(*th->marks), offsetof(vtb_mark, ts_ns), t);
}

size_t tui_tracks_max_rows(const tui_model *m)
{
	size_t steps = 0; /* bounds the task lanes */

	for (size_t i = 0; i < vtb_trace_thread_count(m->trace); i++)
		steps += vtb_trace_thread(m->trace, i)->task_step_count;
	return 2 * vtb_trace_counter_count(m->trace) + m->thread_count + vtb_trace_process_count(m->trace) +
	       m->process_groups + 1 + steps;
}

void tui_tracks_process_rows(const struct tui_analysis *an, const tui_model *m, uint32_t pid,
			     tui_row *rows, size_t *n)
{
	const vtb_trace *t = m->trace;
	size_t lo = 0, hi = an->counter_count;

	while (lo < hi) { /* the first of the process in corder */
		size_t mid = lo + (hi - lo) / 2;

		if (vtb_trace_counter(t, an->corder[mid])->pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < an->counter_count && vtb_trace_counter(t, an->corder[i])->pid == pid; i++) {
		uint32_t k = an->corder[i];

		if (an->cidx[k].head == k)
			rows[(*n)++] = (tui_row){ TUI_ROW_COUNTER_TITLE, -1, k, pid };
		rows[(*n)++] = (tui_row){ TUI_ROW_COUNTER, -1, k, pid };
	}
	for (size_t i = 0; i < an->gc_count; i++)
		if (an->gc[i].pid == pid && an->gc[i].count)
			rows[(*n)++] = (tui_row){ TUI_ROW_GC, -1, (uint32_t)i, pid };
}

void tui_tracks_thread_rows(const struct tui_analysis *an, const tui_model *m, int32_t thread, tui_row *rows,
			    size_t *n)
{
	const vtb_thread *th = tui_model_thread(m, thread);

	if (th && th->mark_count)
		rows[(*n)++] = (tui_row){ TUI_ROW_MARKS, thread, 0, th->pid };
	for (size_t i = 0; th && an->tasks && i < an->tasks->count; i++)
		if (an->tasks->lanes[i].thread == (uint32_t)thread)
			rows[(*n)++] = (tui_row){ TUI_ROW_TASK, thread, (uint32_t)i, th->pid };
}

/* The scale of counter k's group: min and max over all its series. */
static void group_scale(const tui_app *app, uint32_t k, double *lo, double *hi)
{
	const struct tui_counter_index *h = &app->an->cidx[app->an->cidx[k].head];

	*lo = h->gmin;
	*hi = h->gmax;
	if (!(*lo <= *hi))
		*lo = *hi = 0;
}

static void draw_counter_title(tui_app *app, tui_screen *s, int y, const tui_row *r)
{
	const vtb_counter *c = vtb_trace_counter(app->model.trace, r->depth);
	char line[512], series[256] = "";
	double lo, hi;

	group_scale(app, r->depth, &lo, &hi);
	/* the series, top to bottom, as many as the line holds */
	for (size_t i = app->an->cidx[r->depth].pos; i < app->an->counter_count &&
	     app->an->cidx[app->an->corder[i]].head == r->depth && strlen(series) < sizeof(series) - 1; i++) {
		const vtb_counter *o = vtb_trace_counter(app->model.trace, app->an->corder[i]);

		if (o->series_id != o->name_id)
			snprintf(series + strlen(series), sizeof(series) - strlen(series), "%s%s",
				 *series ? ", " : " (", tui_model_name(&app->model, o->series_id));
	}
	snprintf(line, sizeof(line), " %s  counter%s%s, scale %.6g .. %.6g", tui_model_name(&app->model, c->name_id),
		 series, *series ? ")" : "", lo, hi);
	tui_screen_fill(s, 0, y, app->view.cols, L' ', TUI_STYLE_THREAD, 0);
	tui_screen_puts(s, 0, y, line, -1, TUI_STYLE_THREAD, 0);
}

/* Level 0..8 of v on [lo, hi]; 0 only for the bottom of the scale. */
static int level_of(double v, double lo, double hi)
{
	double l;

	if (!(hi > lo))
		return v > 0 || lo == hi ? 4 : 0;
	/* clamped as a double: a NaN or infinite sample (a file's bytes) has no int (fuzz_view) */
	l = ceil((v - lo) / (hi - lo) * 8.0);
	return !(l > 0) ? 0 : l > 8 ? 8 : (int)l;
}

/* One series: per column the min and max of its samples (or the value carried from the
 * sample before); the block is as high as the max, and a column whose values span more
 * than one level is drawn bold so a spike between two samples is never lost. */
static void draw_counter(tui_app *app, tui_screen *s, int y, const tui_row *r, const uint64_t *col_t)
{
	static const wchar_t uni[] = L" ▁▂▃▄▅▆▇█", asc[] = L" _.-:=+*#";
	const vtb_counter *c = vtb_trace_counter(app->model.trace, r->depth);
	const struct tui_counter_index *x = &app->an->cidx[r->depth];
	const wchar_t *g = tui_screen_ascii(s) ? asc : uni;
	uint16_t style = TUI_STYLE_FUNC + app->model.hue[c->series_id < app->model.string_count ? c->series_id : 0];
	double glo, ghi;

	group_scale(app, r->depth, &glo, &ghi);
	for (int col = 0; col < app->view.cols; col++) {
		size_t i0 = tui_counter_find(c, col_t[col]), i1 = tui_counter_find(c, col_t[col + 1]);
		double lo, hi;
		int a, b;

		if (i0 == i1 && i0 == 0)
			continue; /* before the first sample */
		if (i0 == i1) {
			lo = hi = c->samples[i0 - 1].value;
		} else {
			range_minmax(x, c, i0, i1, &lo, &hi);
		}
		a = level_of(lo, glo, ghi);
		b = level_of(hi, glo, ghi);
		tui_screen_put(s, col, y, b ? g[b] : g[1], style, b > a + 1 ? TUI_ATTR_BOLD : 0);
	}
}

/* The most telling mark of marks [i0, i1): error log, warning, log, object, instant. */
static int mark_rank(const vtb_mark *mk)
{
	if (mk->kind == VTB_MARK_LOG)
		return mk->level >= 40 ? 5 : mk->level >= 30 ? 4 : 3;
	return mk->kind == VTB_MARK_OBJECT ? 2 : 1;
}

static void mark_glyph(const vtb_mark *mk, int ascii, wchar_t *ch, uint16_t *style)
{
	static const wchar_t uni[] = L"?◆■●▲✖", asc[] = L"?*olWE";
	int rank = mark_rank(mk);

	*ch = (ascii ? asc : uni)[rank];
	*style = rank == 5 ? TUI_STYLE_ERROR : rank == 4 ? TUI_STYLE_MARKER : rank == 3 ? TUI_STYLE_LABEL : TUI_STYLE_DEFAULT;
}

/* The column after `col` where time t falls, at most the screen's width: the column of a
 * time far right of the view does not fit an int (a negative column read before the array,
 * found by fuzz_view). */
static int skip_to(const tui_view *v, int col, uint64_t t)
{
	int64_t next = tui_view_col(v, t);

	if (next <= col)
		return col + 1;
	return next < v->cols ? (int)next : v->cols;
}

/* Marks examined per column at most: enough to find an error among a burst. */
#define MARK_SCAN 256

static void draw_marks(tui_app *app, tui_screen *s, int y, const tui_row *r, const uint64_t *col_t)
{
	const vtb_thread *th = tui_model_thread(&app->model, r->thread);
	const tui_mark_ref *sel = &app->an->mark;
	int col = 0;

	while (col < app->view.cols) {
		size_t i = tui_mark_find(th, col_t[col]), best, k;
		uint16_t style, attr = 0;
		wchar_t ch;

		if (i >= th->mark_count)
			break;
		if (th->marks[i].ts_ns >= col_t[col + 1]) {
			col = skip_to(&app->view, col, th->marks[i].ts_ns);
			continue;
		}
		best = i;
		for (k = i; k < th->mark_count && k < i + MARK_SCAN && th->marks[k].ts_ns < col_t[col + 1]; k++) {
			if (mark_rank(&th->marks[k]) > mark_rank(&th->marks[best]))
				best = k;
			if (sel->thread == r->thread && sel->index == k)
				attr |= TUI_ATTR_REVERSE;
		}
		mark_glyph(&th->marks[best], tui_screen_ascii(s), &ch, &style);
		if (k > i + 1)
			attr |= TUI_ATTR_BOLD;
		tui_screen_put(s, col, y, ch, style, attr);
		col++;
	}
}

/* A row of slices that do not overlap (GC, a task's steps), `title` at its left. */
static void draw_slices(tui_app *app, tui_screen *s, int y, const char *title, const vtb_row row,
			const uint64_t *col_t)
{
	int col = 0, ascii = tui_screen_ascii(s);

	tui_screen_puts(s, 0, y, title, -1, TUI_STYLE_DIM, 0);
	while (col < app->view.cols) {
		size_t i = vtb_row_find(&row, col_t[col]);
		const vtb_slice *sl;
		int64_t last;
		char dur[32], label[128];
		uint16_t style;

		if (i >= row.count)
			break;
		sl = &row.slices[i];
		if (sl->start_ns >= col_t[col + 1]) {
			col = skip_to(&app->view, col, sl->start_ns);
			continue;
		}
		style = TUI_STYLE_FUNC + app->model.hue[sl->name_id < app->model.string_count ? sl->name_id : 0];
		last = tui_view_col(&app->view, sl->dur_ns ? tui_slice_end(sl) - 1 : sl->start_ns);
		if (last >= app->view.cols)
			last = app->view.cols - 1;
		if (last < col)
			last = col;
		tui_screen_fill(s, col, y, (int)(last - col + 1), ascii ? L'#' : L'█', style, 0);
		if (last - col >= 3) {
			an_fmt_dur(dur, sizeof(dur), sl->dur_ns, ascii);
			snprintf(label, sizeof(label), "%s %s", tui_model_name(&app->model, sl->name_id), dur);
			tui_screen_fill(s, col, y, (int)(last - col + 1), L' ', style, 0);
			tui_screen_puts(s, col + 1, y, label, (int)(last - col - 1), style, 0);
		}
		col = (int)last + 1;
	}
}

static void draw_gc(tui_app *app, tui_screen *s, int y, const tui_row *r, const uint64_t *col_t)
{
	const struct tui_gc_track *g = &app->an->gc[r->depth];

	draw_slices(app, s, y, "GC", (vtb_row){ g->slices, g->count }, col_t);
}

/* A task's lane: its steps as blocks, the await gaps between them empty. */
static void draw_task(tui_app *app, tui_screen *s, int y, const tui_row *r, const uint64_t *col_t)
{
	const an_task_lane *l = &app->an->tasks->lanes[r->depth];

	draw_slices(app, s, y, l->name, (vtb_row){ l->slices, l->count }, col_t);
}

void tui_tracks_draw(tui_app *app, tui_screen *s, int y, const tui_row *r, const uint64_t *col_t)
{
	if (!app->an)
		return;
	if (r->kind == TUI_ROW_COUNTER_TITLE)
		draw_counter_title(app, s, y, r);
	else if (r->kind == TUI_ROW_COUNTER)
		draw_counter(app, s, y, r, col_t);
	else if (r->kind == TUI_ROW_MARKS)
		draw_marks(app, s, y, r, col_t);
	else if (r->kind == TUI_ROW_GC)
		draw_gc(app, s, y, r, col_t);
	else if (r->kind == TUI_ROW_TASK)
		draw_task(app, s, y, r, col_t);
}

void tui_tracks_click(tui_app *app, const tui_row *r, int x)
{
	const tui_view *v = &app->view;

	if (r->kind == TUI_ROW_COUNTER || r->kind == TUI_ROW_COUNTER_TITLE) {
		app->an->counter = (int)r->depth;
	} else if (r->kind == TUI_ROW_MARKS) {
		const vtb_thread *th = tui_model_thread(&app->model, r->thread);
		size_t i = tui_mark_find(th, tui_view_time(v, x));

		if (i < th->mark_count && th->marks[i].ts_ns < tui_view_time(v, x + 1)) {
			app->an->mark = (tui_mark_ref){ r->thread, i };
			app->view.sel = TUI_REF_NONE;
		}
	}
}

void tui_an_status(tui_app *app, char *buf, size_t len, int ascii)
{
	const vtb_counter *c;
	size_t i;

	(void)ascii;
	buf[0] = '\0';
	if (!app->an || app->an->counter < 0 || (size_t)app->an->counter >= app->an->counter_count)
		return;
	c = vtb_trace_counter(app->model.trace, (size_t)app->an->counter);
	i = tui_counter_find(c, app->view.cursor_ns + 1); /* the last sample at or before it */
	if (i == 0)
		return;
	snprintf(buf, len, "%s%s%s=%.6g", tui_model_name(&app->model, c->name_id),
		 c->series_id != c->name_id ? "/" : "",
		 c->series_id != c->name_id ? tui_model_name(&app->model, c->series_id) : "",
		 c->samples[i - 1].value);
}
