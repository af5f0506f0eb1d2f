/* SPDX-License-Identifier: MIT */
/* range.c: a time range of the trace, `range mark|start|end|sel|A..B|clear` (the r key sets
 * its start, then its end). The status line shows it and its duration; the statistics panel
 * and the flame graph count the calls that start in it instead of the visible ones; `zoom
 * range` shows it. The A..B text and the status line's part are range_text.c's, which the
 * panels and `vtui stats --range` (stats_cmd.c) use too. */
#include "tui/tui_private.h"
#include "tui/analysis.h"

#include <string.h>

/* The range is [a, b) or [b, a): set and said; the statistics and the flame graph count it
 * from now on (stats visible goes back to the view). */
static int set_range(tui_app *app, uint64_t a, uint64_t b)
{
	struct tui_stats_panel *sp = tui_an_state(app, &tui_panel_stats);
	struct tui_flame_panel *fp = tui_an_state(app, &tui_panel_flame);
	tui_view *v = &app->view;
	char text[104];

	if (sp)
		sp->stats_scope = TUI_SCOPE_RANGE;
	if (fp)
		fp->flame_scope = TUI_SCOPE_RANGE;
	v->range_open = 0;
	v->range_t0_ns = a < b ? a : b;
	v->range_t1_ns = a < b ? b : a;
	if (v->range_t1_ns == v->range_t0_ns)
		v->range_t1_ns++;
	tui_range_status(app, text, sizeof(text)); /* "range A..B (D)" */
	tui_app_msg(app, 0, "%s", text);
	return 0;
}

static int set_start(tui_app *app, uint64_t t)
{
	char at[32];

	app->view.range_open = 1;
	app->view.range_t0_ns = t;
	app->view.range_t1_ns = 0;
	tui_fmt_at(app, at, sizeof(at), t, app->ascii);
	tui_app_msg(app, 0, "range from %s: r (or :range end) at its end", at);
	return 0;
}

int tui_cmd_range(tui_app *app, int argc, char **argv)
{
	tui_view *v = &app->view;
	const vtb_slice *sel = tui_model_slice(&app->model, v->sel);
	uint64_t t0, t1, at = v->cursor_ns;
	char err[160];

	if (argc == 1) {
		tui_range_status(app, err, sizeof(err));
		tui_app_msg(app, 0, "%s", *err ? err : "no range (r sets its start, then its end)");
		return 0;
	}
	if (!strcmp(argv[1], "clear")) {
		v->range_open = 0;
		v->range_t0_ns = v->range_t1_ns = 0;
		tui_app_msg(app, 0, "range cleared");
		return 0;
	}
	if (!strcmp(argv[1], "mark"))
		return v->range_open ? set_range(app, v->range_t0_ns, at) : set_start(app, at);
	if (!strcmp(argv[1], "start"))
		return v->range_t1_ns > v->range_t0_ns && at < v->range_t1_ns ? set_range(app, at, v->range_t1_ns)
									   : set_start(app, at);
	if (!strcmp(argv[1], "end"))
		return set_range(app, v->range_open || v->range_t1_ns > v->range_t0_ns ? v->range_t0_ns : app->model.first_ns, at);
	if (!strcmp(argv[1], "sel")) {
		if (!sel) {
			tui_app_msg(app, 1, "range sel: select a call first (c, Tab)");
			return -1;
		}
		return set_range(app, sel->start_ns, tui_slice_end(sel));
	}
	if (an_parse_range(app->model.first_ns, app->model.last_ns, argv[1], &t0, &t1, err, sizeof(err)) < 0) {
		tui_app_msg(app, 1, "range: %s", err);
		return -1;
	}
	return set_range(app, t0, t1);
}
