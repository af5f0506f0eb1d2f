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

/* A "label: value" line; returns the next free row. */
static int field(tui_screen *s, int y, int y_end, const char *label, const char *value)
{
	int n;

	if (y >= y_end)
		return y;
	n = tui_screen_puts(s, 1, y, label, -1, TUI_STYLE_LABEL, TUI_ATTR_BOLD);
	tui_screen_puts(s, 2 + n, y, value, -1, TUI_STYLE_DEFAULT, 0);
	return y + 1;
}

/* Start and end to the digits that tell this call from its neighbours: a tenth of its
 * duration, or one column of the view when that is finer. */
static void timing_line(tui_app *app, const vtb_slice *sl, int ascii, char *line, size_t len)
{
	char start[32], end[32], dur[32], self[32];
	tui_ref r = app->view.sel;
	uint64_t o = app->model.first_ns, col_ns = app->view.span_ns / (uint64_t)(app->view.cols > 0 ? app->view.cols : 1);
	uint64_t res = sl->dur_ns / 10 < col_ns ? sl->dur_ns / 10 : col_ns;

	tui_fmt_time(start, sizeof(start), sl->start_ns - o, res, ascii);
	tui_fmt_time(end, sizeof(end), tui_slice_end(sl) - o, res, ascii);
	tui_fmt_dur(dur, sizeof(dur), sl->dur_ns, ascii);
	/* self time walks the children: once per selection, not once per frame */
	if (r.thread != app->self_ref.thread || r.depth != app->self_ref.depth || r.index != app->self_ref.index) {
		app->self_ns = tui_query_self_ns(&app->model, r);
		app->self_ref = r;
	}
	tui_fmt_dur(self, sizeof(self), app->self_ns, ascii);
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

void tui_draw_details(tui_app *app, tui_screen *s, int y0, int h)
{
	const vtb_slice *sl = tui_model_slice(&app->model, app->view.sel);
	const vtb_thread *th = tui_model_thread(&app->model, app->view.sel.thread);
	const vtb_string *str;
	const vtb_attachment *att;
	char line[1024];
	int y = y0 + 1, end = y0 + h;

	if (!sl || h < 2)
		return;
	str = sl->name_id < app->model.string_count ? vtb_trace_string(app->model.trace, sl->name_id) : NULL;
	att = vtb_thread_attachment(th, app->view.sel.depth, (uint32_t)app->view.sel.index);
	tui_screen_fill(s, 0, y0, tui_screen_width(s), tui_screen_ascii(s) ? L'-' : L'─', TUI_STYLE_RULER, 0);
	tui_screen_puts(s, 2, y0, " details (i hides) ", -1, TUI_STYLE_RULER, TUI_ATTR_BOLD);
	y = field(s, y, end, "name", tui_model_name(&app->model, sl->name_id));
	if (str && str->file && *str->file) {
		snprintf(line, sizeof(line), "%s:%u", str->file, str->line);
		y = field(s, y, end, "file", line);
	}
	timing_line(app, sl, tui_screen_ascii(s), line, sizeof(line));
	y = field(s, y, end, "time", line);
	count_line(app, sl, line, sizeof(line));
	y = field(s, y, end, "calls", line);
	if (att && att->args)
		y = field(s, y, end, "args", att->args);
	if (att && att->retval)
		y = field(s, y, end, "return", att->retval);
	flags_text(line, sizeof(line), sl->flags);
	if (line[0])
		field(s, y, end, "flags", line);
}
