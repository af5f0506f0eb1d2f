/* SPDX-License-Identifier: MIT */
/* view_timeline.c: the flame chart. Each visible row is one depth of one thread; each
 * column a time range. A row is drawn left to right by binary search: find the first call
 * that ends after the column's start, draw it (a block with its name, or one glyph when it
 * is narrower than a column), jump past it. The work is O(columns x log calls) per row,
 * whatever the trace's size. */
#include "tui/tui_private.h"
#include "tui/filter_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct glyphs {
	wchar_t narrow, dense, marker, open, folded;
	const char *ge; /* "at least", before the duration of a call cut by the ring or the dump */
};
static const struct glyphs uni = { L'▌', L'█', L'┊', L'▾', L'▸', "≥" };
static const struct glyphs ascii = { L'|', L'#', L':', L'v', L'>', ">=" };

static const struct glyphs *glyphs_of(const tui_screen *s)
{
	return tui_screen_ascii(s) ? &ascii : &uni;
}

static const char *short_name(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot && dot[1] ? dot + 1 : name;
}

/* The richest label that fits in `room` columns: name and duration, name, short name and
 * duration, then the short name (tui_screen_puts ends it with an ellipsis when cut). */
static void block_label(char *out, size_t len, const char *name, const char *dur, int room)
{
	const char *sn = short_name(name);

	snprintf(out, len, "%s %s", name, dur);
	if ((int)strlen(out) <= room)
		return;
	if ((int)strlen(name) <= room) {
		snprintf(out, len, "%s", name);
		return;
	}
	snprintf(out, len, "%s %s", sn, dur);
	if ((int)strlen(out) > room)
		snprintf(out, len, "%s", sn);
}

static int is_selected(const tui_app *app, int32_t thread, uint32_t depth, size_t i)
{
	const tui_ref *r = &app->view.sel;

	return r->thread == thread && r->depth == depth && r->index == i;
}

static void draw_block(tui_app *app, tui_screen *s, int y, int x0, int x1, const vtb_slice *sl,
		       uint16_t attr)
{
	const tui_view *v = &app->view;
	uint16_t style = TUI_STYLE_FUNC + app->model.hue[sl->name_id < app->model.string_count ? sl->name_id : 0];
	const char *name = tui_model_name(&app->model, sl->name_id);
	int cut = sl->flags & (VTB_CALL_ENTRY_LOST | VTB_CALL_OPEN);
	char dur[32], label[512];
	wchar_t left = '[', right = ']';

	if (sl->start_ns < v->start_ns)
		left = '<';
	else if (sl->flags & VTB_CALL_ENTRY_LOST)
		left = '~';
	if (tui_slice_end(sl) > v->start_ns + v->span_ns)
		right = '>';
	else if (sl->flags & VTB_CALL_OPEN)
		right = '~';
	else if (sl->flags & VTB_CALL_EXCEPTION)
		right = '!';
	tui_fview_paint(app, sl, &style, &attr);
	strcpy(dur, cut ? glyphs_of(s)->ge : "");
	an_fmt_dur(dur + strlen(dur), sizeof(dur) - strlen(dur), sl->dur_ns, tui_screen_ascii(s));
	tui_screen_fill(s, x0, y, x1 - x0 + 1, L' ', style, attr);
	tui_screen_put(s, x0, y, left, style, attr);
	tui_screen_put(s, x1, y, right, style, attr);
	if (x1 - x0 >= 2) {
		block_label(label, sizeof(label), name, dur, x1 - x0 - 1);
		tui_screen_puts(s, x0 + 1, y, label, x1 - x0 - 1, style, attr);
	}
}

/* A column where slice i ends: one glyph for one call or for several (up to t1). */
static void draw_cell(tui_app *app, tui_screen *s, int y, int x, const tui_row_cursor *rc, size_t i,
		      uint64_t t1)
{
	const vtb_row *row = rc->row;
	const vtb_slice *sl = &row->slices[i];
	const tui_ref *sel = &app->view.sel;
	const struct glyphs *g = glyphs_of(s);
	size_t i2 = tui_fview_next(app, rc, i + 1);
	int many = i2 < row->count && row->slices[i2].start_ns < t1;
	uint16_t hue = sl->name_id < app->model.string_count ? app->model.hue[sl->name_id] : 0;
	uint16_t style = TUI_STYLE_FUNC + hue, attr = 0;

	/* the selection, or a selection hidden among the calls of this cell */
	if (sel->thread >= 0 && &tui_model_thread(&app->model, sel->thread)->rows[sel->depth] == row &&
	    (sel->index == i || (many && sel->index > i && row->slices[sel->index].start_ns < t1)))
		attr = TUI_ATTR_REVERSE | TUI_ATTR_BOLD;
	tui_fview_paint(app, sl, &style, &attr);
	tui_screen_put(s, x, y, many ? g->dense : g->narrow, style, attr);
}

/* One depth of one thread across the window; col_t[c] is the time at column c's left edge. */
static void draw_depth(tui_app *app, tui_screen *s, int y, int32_t thread, uint32_t depth,
		       const uint64_t *col_t)
{
	const tui_view *v = &app->view;
	int64_t c = 0, cols = v->cols;
	tui_row_cursor rc;
	const vtb_row *row;

	tui_row_cursor_init(&rc, &app->model, thread, depth);
	row = rc.row;
	while (row && c < cols) {
		uint64_t t1 = col_t[c + 1];
		/* the first call the filters leave: hidden runs are skipped 64 calls a word */
		size_t i = tui_fview_next(app, &rc, tui_row_cursor_find(&rc, col_t[c]));
		const vtb_slice *sl;
		int64_t last;
		uint16_t attr;

		if (i >= row->count)
			break;
		sl = &row->slices[i];
		if (sl->start_ns >= t1) { /* a gap: jump to the column where the next call starts */
			int64_t next = tui_view_col(v, sl->start_ns);
			c = next > c ? next : c + 1;
			continue;
		}
		last = tui_view_col(v, sl->dur_ns ? tui_slice_end(sl) - 1 : sl->start_ns);
		if (last >= cols)
			last = cols - 1;
		if (last <= c) {
			draw_cell(app, s, y, (int)c, &rc, i, t1);
			c++;
			continue;
		}
		attr = is_selected(app, thread, depth, i) ? TUI_ATTR_REVERSE | TUI_ATTR_BOLD : 0;
		draw_block(app, s, y, (int)c, (int)last, sl, attr);
		c = last + 1;
	}
}

/* The ring-wrap and dump moments, where a row is blank. */
static void draw_markers(tui_app *app, tui_screen *s, int y0, int h)
{
	const vtb_header *hd = app->model.hdr;
	uint64_t at[2] = { hd->wrapped ? hd->window_start_ns : 0, hd->dump_ns };

	for (int k = 0; k < 2; k++) {
		int64_t c = tui_view_col(&app->view, at[k]);

		if (c == app->view.cols && at[k] <= app->view.start_ns + app->view.span_ns)
			c--; /* the right edge of the last column */
		if (!at[k] || c < 0 || c >= app->view.cols)
			continue;
		for (int y = y0; y < y0 + h; y++) {
			const tui_cell *cell = tui_screen_cell(s, (int)c, y);

			if (cell && cell->ch == L' ' && cell->style == TUI_STYLE_DEFAULT)
				tui_screen_put(s, (int)c, y, glyphs_of(s)->marker, TUI_STYLE_MARKER, 0);
		}
	}
}

static void draw_thread_title(tui_app *app, tui_screen *s, int y, const tui_row *r, int focused)
{
	const vtb_thread *th = tui_model_thread(&app->model, r->thread);
	int folded = app->view.folded[r->thread];
	char calls[32], line[512], who[256];

	tui_fmt_count(calls, sizeof(calls), th->call_count);
	tui_thread_label(th, who, sizeof(who));
	snprintf(line, sizeof(line), " %s  %s call%s, depth %u%s", who, calls, th->call_count == 1 ? "" : "s",
		 th->depth_count, folded ? "  (folded: z opens)" : "");
	tui_screen_fill(s, 0, y, app->view.cols, L' ', TUI_STYLE_THREAD, focused ? TUI_ATTR_BOLD : 0);
	tui_screen_put(s, 0, y, folded ? glyphs_of(s)->folded : glyphs_of(s)->open, TUI_STYLE_THREAD,
		       focused ? TUI_ATTR_BOLD : 0);
	tui_screen_puts(s, 1, y, line, -1, TUI_STYLE_THREAD, focused ? TUI_ATTR_BOLD | TUI_ATTR_UNDERLINE : 0);
}

static void draw_process_title(tui_app *app, tui_screen *s, int y, const tui_row *r)
{
	const vtb_process *p = NULL;
	char line[512];

	for (size_t i = 0; i < vtb_trace_process_count(app->model.trace); i++)
		if (vtb_trace_process(app->model.trace, i)->pid == r->pid)
			p = vtb_trace_process(app->model.trace, i);
	if (app->model.sources && (size_t)r->thread < app->model.sources->thread_count) /* which dump */
		snprintf(line, sizeof(line), "%s", app->model.sources->titles[app->model.sources->of_thread[r->thread]]);
	else
		snprintf(line, sizeof(line), "process %u  %s", r->pid, p && p->name ? p->name : "");
	tui_screen_fill(s, 0, y, app->view.cols, L' ', TUI_STYLE_PROCESS, TUI_ATTR_BOLD);
	tui_screen_puts(s, 0, y, line, -1, TUI_STYLE_PROCESS, TUI_ATTR_BOLD);
}

/* After a move, the thread of the selection (or the focused thread) on screen: all of
 * it when it fits, else its title down to the selected call, else the selected call. */
static void follow(tui_app *app, const tui_row *rows, size_t count)
{
	tui_view *v = &app->view;
	int32_t t = v->sel.thread >= 0 ? v->sel.thread : (int32_t)app->model.order[v->focus];
	int first = tui_view_row_of(rows, count, t, UINT32_MAX), last = first, at;

	v->follow = 0;
	if (first < 0)
		return;
	if (first > 0 && rows[first - 1].kind == TUI_ROW_PROCESS)
		first--;
	while (last + 1 < (int)count && rows[last + 1].thread == t)
		last++;
	at = v->sel.thread >= 0 ? tui_view_row_of(rows, count, t, v->sel.depth) : first;
	if (last - first < v->rows) {
		tui_view_scroll_to(v, last, count);
		tui_view_scroll_to(v, first, count);
	} else if (at - first < v->rows) { /* taller than the screen: from its title down */
		v->scroll = first;
		tui_view_scroll_to(v, at, count);
	} else {
		tui_view_scroll_to(v, at, count);
	}
}

void tui_draw_timeline(tui_app *app, tui_screen *s, int y0, int h)
{
	tui_view *v = &app->view;
	size_t count = 0;
	tui_row *rows;
	uint64_t *col_t;
	int32_t focus;

	v->cols = tui_screen_width(s);
	v->rows = h;
	if (app->model.thread_count == 0) {
		tui_screen_puts(s, 1, y0 + h / 2, "this trace holds no threads", -1, TUI_STYLE_DIM, 0);
		return;
	}
	rows = tui_view_rows(v, &app->model, &count);
	col_t = malloc(((size_t)v->cols + 1) * sizeof(*col_t));
	if (!rows || !col_t)
		goto out;
	for (int c = 0; c <= v->cols; c++) /* shared by every row */
		col_t[c] = tui_view_time(v, c);
	if (v->follow)
		follow(app, rows, count);
	tui_view_scroll_to(v, -1, count);
	focus = (int32_t)app->model.order[v->focus];
	for (int i = 0; i < h && v->scroll + i < (int)count; i++) {
		const tui_row *r = &rows[v->scroll + i];

		if (r->kind == TUI_ROW_PROCESS)
			draw_process_title(app, s, y0 + i, r);
		else if (r->kind == TUI_ROW_THREAD)
			draw_thread_title(app, s, y0 + i, r, r->thread == focus);
		else if (r->kind != TUI_ROW_DEPTH)
			tui_tracks_draw(app, s, y0 + i, r, col_t);
		else
			draw_depth(app, s, y0 + i, r->thread, r->depth, col_t);
	}
	draw_markers(app, s, y0, h);
out:
	free(col_t);
	free(rows);
}
