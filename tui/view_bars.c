/* SPDX-License-Identifier: MIT */
/* view_bars.c: the one-line views: the header (what this trace is), the time ruler, and
 * the status line (where you are, what is selected, the command line, messages). */
#include "tui/tui_private.h"
#include "tui/filter_view.h"
#include "tui/analysis.h"

#include <stdio.h>
#include <string.h>

static const char *sep_of(const tui_screen *s)
{
	return tui_screen_ascii(s) ? " | " : " │ ";
}

/* Append to a line buffer, ignoring what does not fit. */
static void cat(char *line, size_t len, const char *a, const char *b)
{
	size_t n = strlen(line);

	snprintf(line + n, len - n, "%s%s", a, b);
}

void tui_draw_header(tui_app *app, tui_screen *s, int y)
{
	const vtb_header *h = app->model.hdr;
	const char *sep = sep_of(s);
	char line[2048] = "", buf[64], num[32];
	int ascii = tui_screen_ascii(s);
	const char *base = strrchr(app->path, '/');

	/* Live, the state says it all first: the ring file is vtrace-PID.ring, and the
	 * snapshot's reason text is the state again. */
	if (app->live)
		tui_live_state(app->live, line + 1, sizeof(line) - 1);
	else
		snprintf(line + 1, sizeof(line) - 1, "%s", base && base[1] ? base + 1 : app->path);
	line[0] = ' ';
	if (app->note) { /* its first line; the status line has room for more */
		snprintf(buf, sizeof(buf), "! %.*s", (int)strcspn(app->note, "\n"), app->note);
		cat(line, sizeof(line), sep, buf);
	}
	if (!app->live) {
		snprintf(buf, sizeof(buf), "pid %u", h->pid);
		cat(line, sizeof(line), sep, buf);
		snprintf(buf, sizeof(buf), "dump: %s", vtb_reason_name(h->reason));
		cat(line, sizeof(line), sep, buf);
		if (h->reason_text && *h->reason_text)
			cat(line, sizeof(line), " ", h->reason_text);
	}
	an_fmt_dur(buf, sizeof(buf), app->model.last_ns - app->model.first_ns, ascii);
	cat(line, sizeof(line), sep, buf);
	tui_fmt_count(num, sizeof(num), vtb_trace_event_count(app->model.trace));
	snprintf(buf, sizeof(buf), "%s events", num);
	cat(line, sizeof(line), sep, buf);
	tui_fmt_count(num, sizeof(num), h->events_dropped);
	snprintf(buf, sizeof(buf), "%s records dropped%s", num, h->wrapped ? " (ring wrapped)" : "");
	cat(line, sizeof(line), sep, buf);
	if (h->cmdline && *h->cmdline)
		cat(line, sizeof(line), sep, h->cmdline);
	tui_screen_fill(s, 0, y, tui_screen_width(s), L' ', TUI_STYLE_HEADER, 0);
	tui_screen_puts(s, 0, y, line, -1, TUI_STYLE_HEADER, TUI_ATTR_BOLD);
}

/* A 1-2-5 step giving at least `min_cols` columns between ticks. */
static uint64_t tick_step(const tui_view *v, int min_cols)
{
	double want = (double)v->span_ns / v->cols * min_cols;
	uint64_t step = 1;

	for (;;) {
		if ((double)step >= want)
			return step;
		if ((double)step * 2 >= want)
			return step * 2;
		if ((double)step * 5 >= want)
			return step * 5;
		if (step > UINT64_MAX / 20)
			return step;
		step *= 10;
	}
}

static void draw_marker(tui_app *app, tui_screen *s, int y, uint64_t t, wchar_t ch)
{
	int64_t c = tui_view_col(&app->view, t);

	if (c == app->view.cols && t <= app->view.start_ns + app->view.span_ns)
		c--; /* the right edge of the last column */
	if (t && c >= 0 && c < app->view.cols)
		tui_screen_put(s, (int)c, y, ch, TUI_STYLE_MARKER, TUI_ATTR_BOLD);
}

/* The widest tick label of the window at this step, plus the tick and a blank. */
static int label_cols(const tui_view *v, uint64_t origin, uint64_t step, int ascii)
{
	char label[64];

	an_fmt_time(label, sizeof(label), v->start_ns + v->span_ns - origin, step, ascii);
	return (int)strlen(label) + 2;
}

/* Ticks far enough apart for their labels: the labels of a deep zoom are longer. */
static uint64_t ruler_step(const tui_view *v, uint64_t origin, int ascii)
{
	int min_cols = 12;
	uint64_t step = tick_step(v, min_cols);

	for (int i = 0; i < 4 && label_cols(v, origin, step, ascii) > min_cols; i++) {
		min_cols = label_cols(v, origin, step, ascii);
		step = tick_step(v, min_cols);
	}
	return step;
}

/* The cursor is always the mark at its column; a label that would cover that column is
 * left out (the status line says where the cursor is), and so is one cut by the edge. */
void tui_draw_ruler(tui_app *app, tui_screen *s, int y)
{
	const tui_view *v = &app->view;
	int ascii = tui_screen_ascii(s);
	uint64_t origin = app->model.first_ns, step = ruler_step(v, origin, ascii);
	uint64_t rel = v->start_ns - origin;
	uint64_t t = (rel + step - 1) / step * step;
	int64_t cursor = tui_view_col(v, v->cursor_ns);

	tui_screen_fill(s, 0, y, v->cols, ascii ? L'-' : L'─', TUI_STYLE_RULER, 0);
	/* Ticks are at least a column apart: the screen bounds the loop, whatever the times. */
	for (int n = 0; t < rel + v->span_ns && n <= v->cols; t += step, n++) {
		int64_t c = tui_view_col(v, origin + t);
		char label[64];

		if (c < 0 || c >= v->cols)
			continue;
		an_fmt_time(label, sizeof(label), t, step, ascii);
		tui_screen_put(s, (int)c, y, ascii ? L'|' : L'┬', TUI_STYLE_RULER, 0);
		/* a label is whole or absent: cut at the edge, 100.00000m would lie */
		if ((cursor <= c || cursor > c + (int64_t)strlen(label)) &&
		    c + 1 + (int64_t)strlen(label) <= v->cols)
			tui_screen_puts(s, (int)c + 1, y, label, -1, TUI_STYLE_RULER, 0);
	}
	if (app->model.hdr->wrapped)
		draw_marker(app, s, y, app->model.hdr->window_start_ns, L'W');
	draw_marker(app, s, y, app->model.hdr->dump_ns, L'D');
	if (cursor >= 0 && cursor < v->cols)
		tui_screen_put(s, (int)cursor, y, ascii ? L'v' : L'▼', TUI_STYLE_MARKER, TUI_ATTR_BOLD);
}

static void status_position(tui_app *app, tui_screen *s, char *line, size_t len)
{
	const tui_view *v = &app->view;
	const vtb_slice *sel = tui_model_slice(&app->model, v->sel);
	uint64_t o = app->model.first_ns, col_ns = v->span_ns / (v->cols > 0 ? (uint64_t)v->cols : 1);
	int ascii = tui_screen_ascii(s);
	char a[32], b[32], c[32], cv[160];

	/* times to one column, so two columns never read the same; the cursor, a time typed
	 * or found, also to three significant digits as durations are */
	tui_fmt_at(app, a, sizeof(a), v->cursor_ns, ascii);
	snprintf(line, len, " cursor %s", a);
	an_fmt_time(a, sizeof(a), v->start_ns - o, col_ns, ascii);
	an_fmt_time(b, sizeof(b), v->start_ns + v->span_ns - o, col_ns, ascii);
	an_fmt_dur(c, sizeof(c), v->span_ns, ascii);
	cat(line, len, sep_of(s), "view ");
	snprintf(line + strlen(line), len - strlen(line), "%s-%s (%s)", a, b, c);
	if (sel) {
		an_fmt_dur(a, sizeof(a), sel->dur_ns, ascii);
		cat(line, len, sep_of(s), "sel ");
		snprintf(line + strlen(line), len - strlen(line), "%s %s",
			 tui_model_name(&app->model, sel->name_id), a);
	}
	tui_range_status(app, cv, sizeof(cv));
	if (*cv)
		cat(line, len, sep_of(s), cv);
	tui_an_status(app, cv, sizeof(cv), ascii); /* the chosen counter at the cursor */
	if (*cv)
		cat(line, len, sep_of(s), cv);
}

void tui_draw_status(tui_app *app, tui_screen *s, int y)
{
	int w = tui_screen_width(s);
	const char *right = app->message[0] ? app->message : app->note ? app->note : "";
	char line[1024], filters[1024];
	int help_x = w - 7, n, fx = 0;

	tui_screen_fill(s, 0, y, w, L' ', TUI_STYLE_STATUS, 0);
	if (app->mode == TUI_MODE_COMMAND) {
		n = tui_screen_puts(s, 0, y, ":", 1, TUI_STYLE_STATUS, 0);
		n += tui_screen_puts(s, 1, y, app->cmdline, w - 2, TUI_STYLE_STATUS, 0);
		tui_screen_put(s, n, y, L'_', TUI_STYLE_STATUS, TUI_ATTR_REVERSE);
		if (*app->message && n + 3 < w) /* Tab's candidates */
			tui_screen_puts(s, n + 3, y, app->message, w - n - 3, TUI_STYLE_STATUS, TUI_ATTR_BOLD);
		return;
	}
	status_position(app, s, line, sizeof(line));
	tui_fview_status(app, filters, sizeof(filters));
	if (*filters) /* active filters stay in sight: nothing draws over them */
		fx = 1 + tui_screen_puts(s, 1, y, filters, help_x * 3 / 5, TUI_STYLE_STATUS, TUI_ATTR_BOLD);
	if (*right) { /* a message wins over the position when both do not fit: the position
		       * ends in an ellipsis before it, not under it */
		int x = help_x - 1 - tui_text_cols(right);

		if (x < fx + 1)
			x = fx + 1;
		if (x - 2 - fx > 0)
			tui_screen_puts(s, fx, y, line, x - 2 - fx, TUI_STYLE_STATUS, 0);
		tui_screen_puts(s, x, y, right, help_x - 1 - x,
				app->message_is_error || !app->message[0] ? TUI_STYLE_ERROR : TUI_STYLE_STATUS,
				TUI_ATTR_BOLD);
	} else {
		tui_screen_puts(s, fx, y, line, help_x - 1 - fx, TUI_STYLE_STATUS, 0);
	}
	tui_screen_puts(s, help_x, y, "? help", -1, TUI_STYLE_STATUS, TUI_ATTR_BOLD);
}
