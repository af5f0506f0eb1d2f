/* SPDX-License-Identifier: MIT */
/* view_details.c: the pane under the timeline that tells everything about the selected
 * call. Self time walks the direct children only, so it costs what the selection holds. */
#include "tui/tui_private.h"

#include <stdio.h>
#include <string.h>

static void flags_text(char *buf, size_t len, uint16_t flags)
{
	static const struct {
		uint16_t bit;
		const char *text;
	} names[] = {
		{ VTB_CALL_ENTRY_LOST, "entry lost when the ring wrapped" },
		{ VTB_CALL_OPEN, "still running at the dump" },
		{ VTB_CALL_EXCEPTION, "left by an exception" },
		{ VTB_CALL_C, "C function" },
		{ VTB_CALL_SPAN, "custom span" },
		{ VTB_CALL_GC, "garbage collection" },
		{ VTB_CALL_DAMAGED, "end lost in a damaged section" },
	};

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & names[i].bit)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? ", " : "",
				 names[i].text);
}

static void timing_line(tui_app *app, const vtb_slice *sl, int ascii, char *line, size_t len)
{
	char start[32], end[32], dur[32], self[32];
	tui_ref r = app->view.sel;
	uint64_t o = app->model.first_ns, col_ns = app->view.span_ns / (uint64_t)(app->view.cols > 0 ? app->view.cols : 1);
	uint64_t res = sl->dur_ns / 10 < col_ns ? sl->dur_ns / 10 : col_ns;

	an_fmt_time(start, sizeof(start), sl->start_ns - o, res, ascii);
	an_fmt_time(end, sizeof(end), tui_slice_end(sl) - o, res, ascii);
	an_fmt_dur(dur, sizeof(dur), sl->dur_ns, ascii);
	/* self time walks the children: once per selection, not once per frame */
	if (r.thread != app->self_ref.thread || r.depth != app->self_ref.depth || r.index != app->self_ref.index) {
		app->self_ns = tui_query_self_ns(&app->model, r);
		app->self_ref = r;
	}
	an_fmt_dur(self, sizeof(self), app->self_ns, ascii);
	snprintf(line, len, "start %s  end %s  duration %s  self %s", start, end, dur, self);
}

static void count_line(tui_app *app, const vtb_slice *sl, char *line, size_t len)
{
	char calls[32];

	tui_fmt_count(calls, sizeof(calls),
		      sl->name_id < app->model.string_count ? app->model.fn_calls[sl->name_id] : 0);
	snprintf(line, len, "depth %u, %s call%s of this function in the trace", sl->depth, calls,
		 strcmp(calls, "1") ? "s" : "");
}

/* "KeyError: 'sku-13' (unhandled)" then the traceback without that last line. */
static void exception_text(const char *tb, char *buf, size_t len)
{
	size_t n = strlen(tb);
	const char *last;

	while (n && tb[n - 1] == '\n')
		n--;
	for (last = tb + n; last > tb && last[-1] != '\n'; last--)
		;
	snprintf(buf, len, "%.*s (unhandled)\n%.*s", (int)(tb + n - last), last, (int)(last - tb), tb);
}

/* The pane's fields, most wanted first, so that a short pane still has the arguments. */
enum { F_NAME, F_EXCEPTION, F_TIME, F_ARGS, F_RETURN, F_FILE, F_CALLS, F_FLAGS, F_COUNT };

struct fields {
	const char *label[F_COUNT];
	char text[F_COUNT][4200]; /* the exception: a traceback of up to 4096 bytes */
};

static void fill_fields(tui_app *app, const vtb_slice *sl, int ascii, struct fields *f)
{
	const vtb_thread *th = tui_model_thread(&app->model, app->view.sel.thread);
	const vtb_string *str = sl->name_id < app->model.string_count ? vtb_trace_string(app->model.trace, sl->name_id) : NULL;
	const vtb_attachment *att = vtb_thread_attachment(th, app->view.sel.depth, (uint32_t)app->view.sel.index);
	static const char *const labels[F_COUNT] = { "name", "exception", "time", "args", "return", "file", "calls",
						     "flags" };
	const char *tb = tui_incident_traceback(app, app->view.sel);

	memset(f, 0, sizeof(*f));
	memcpy(f->label, labels, sizeof(labels));
	snprintf(f->text[F_NAME], sizeof(f->text[F_NAME]), "%s", tui_model_name(&app->model, sl->name_id));
	if (tb) /* its last line first: the type and message, then how it got there */
		exception_text(tb, f->text[F_EXCEPTION], sizeof(f->text[F_EXCEPTION]));
	timing_line(app, sl, ascii, f->text[F_TIME], sizeof(f->text[F_TIME]));
	if (att && att->args)
		snprintf(f->text[F_ARGS], sizeof(f->text[F_ARGS]), "%s", att->args);
	if (att && att->retval)
		snprintf(f->text[F_RETURN], sizeof(f->text[F_RETURN]), "%s", att->retval);
	if (str && str->file && *str->file)
		snprintf(f->text[F_FILE], sizeof(f->text[F_FILE]), "%s:%u", str->file, str->line);
	count_line(app, sl, f->text[F_CALLS], sizeof(f->text[F_CALLS]));
	flags_text(f->text[F_FLAGS], sizeof(f->text[F_FLAGS]), sl->flags);
}

/* Lay the fields out at width w, wrapped under their value's column: draw the lines from
 * `skip` on into rows [y0, y0 + h) when s is set; returns the line count. */
static int layout(const struct fields *f, tui_screen *s, int w, int y0, int h, int skip)
{
	int n = 0;

	for (int i = 0; i < F_COUNT; i++) {
		const char *t = f->text[i];
		int x = 2 + (int)strlen(f->label[i]), room = w - x - 1;

		if (!*t)
			continue;
		do {
			int len = (int)strcspn(t, "\n"), y = y0 + n - skip;

			if (len > room && room > 10)
				len = tui_wrap_at(t, room);
			if (s && y >= y0 && y < y0 + h) {
				char piece[1024];

				if (t == f->text[i])
					tui_screen_puts(s, 1, y, f->label[i], -1, TUI_STYLE_LABEL, TUI_ATTR_BOLD);
				snprintf(piece, sizeof(piece), "%.*s", len, t);
				tui_screen_puts(s, x, y, piece, room, TUI_STYLE_DEFAULT, 0);
			}
			t += len;
			while (*t == ' ')
				t++;
			if (*t == '\n') /* a line of its own: the indentation after it stays */
				t++;
			n++;
		} while (*t);
	}
	return n;
}

int tui_details_lines(tui_app *app, int w)
{
	const vtb_slice *sl = tui_model_slice(&app->model, app->view.sel);
	struct fields f;

	if (!sl)
		return 0;
	fill_fields(app, sl, 1, &f);
	return layout(&f, NULL, w, 0, 0, 0);
}

void tui_draw_details(tui_app *app, tui_screen *s, int y0, int h)
{
	const vtb_slice *sl = tui_model_slice(&app->model, app->view.sel);
	int w = tui_screen_width(s), lines, rows = h - 1;
	tui_ref r = app->view.sel;
	struct fields f;
	char title[96];

	if (!sl || h < 2)
		return;
	if (r.thread != app->details_ref.thread || r.depth != app->details_ref.depth ||
	    r.index != app->details_ref.index) { /* another call: its text from the top */
		app->details_scroll = 0;
		app->details_ref = r;
	}
	app->details_rows = rows;
	fill_fields(app, sl, tui_screen_ascii(s), &f);
	lines = layout(&f, NULL, w, 0, 0, 0);
	if (app->details_scroll > lines - rows)
		app->details_scroll = lines - rows > 0 ? lines - rows : 0;
	if (lines > rows) /* the title says there is more, and which key shows it */
		snprintf(title, sizeof(title), " details %d-%d of %d (I more, i hides) ", app->details_scroll + 1,
			 app->details_scroll + rows, lines);
	else
		snprintf(title, sizeof(title), " details (i hides) ");
	tui_screen_fill(s, 0, y0, w, tui_screen_ascii(s) ? L'-' : L'─', TUI_STYLE_RULER, 0);
	tui_screen_puts(s, 2, y0, title, -1, TUI_STYLE_RULER, TUI_ATTR_BOLD);
	layout(&f, s, w, y0 + 1, rows, app->details_scroll);
}
