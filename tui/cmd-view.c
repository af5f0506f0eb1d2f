/* SPDX-License-Identifier: MIT */
/* cmd-view.c: the commands that move the view and the selection (zoom, pan, goto,
 * select, thread, fold, scroll, details): their table rows and handlers. The dispatcher
 * (commands.c) has checked the argument counts and words before a handler runs. */
#include "tui/tui_private.h"
#include "tui/filter_view.h"

#include <stdlib.h>
#include <string.h>

static int cmd_zoom(tui_app *app, int argc, char **argv)
{
	tui_view *v = &app->view;
	const vtb_slice *sel = tui_model_slice(&app->model, v->sel);
	char *end;
	double f;

	(void)argc;
	if (!strcmp(argv[1], "in") || !strcmp(argv[1], "out")) {
		tui_view_zoom(v, &app->model, argv[1][0] == 'i' ? 2.0 : 0.5);
	} else if (!strcmp(argv[1], "fit")) {
		tui_view_fit(v, &app->model);
	} else if (!strcmp(argv[1], "sel")) {
		if (!sel) {
			tui_app_msg(app, 1, "nothing selected (Tab or c selects a call)");
			return -1;
		}
		tui_view_show(v, &app->model, sel->start_ns, tui_slice_end(sel));
	} else if (!strcmp(argv[1], "range")) {
		if (v->range_t1_ns <= v->range_t0_ns) {
			tui_app_msg(app, 1, "no range: r sets its start, then its end (:range A..B)");
			return -1;
		}
		tui_view_show(v, &app->model, v->range_t0_ns, v->range_t1_ns);
	} else {
		f = strtod(argv[1], &end);
		if (end == argv[1] || (*end && strcmp(end, "x")) || !(f > 0) || f > 1e9) {
			tui_app_msg(app, 1, "zoom: '%s' is not in, out, fit, sel, range or a factor like 2x", argv[1]);
			return -1;
		}
		tui_view_zoom(v, &app->model, f);
	}
	return 0;
}

static int cmd_pan(tui_app *app, int argc, char **argv)
{
	tui_view *v = &app->view;
	double frac = 0.125;
	int64_t ns;
	int rel;

	if (strcmp(argv[1], "left") && strcmp(argv[1], "right")) {
		if (argc != 2 || an_parse_time(argv[1], &ns, &rel) < 0) {
			tui_app_msg(app, 1, "pan: '%s' is not left, right or a time like -2ms", argv[1]);
			return -1;
		}
		tui_view_pan(v, &app->model, ns);
		return 0;
	}
	if (argc == 3 && (frac = strtod(argv[2], NULL)) <= 0) {
		tui_app_msg(app, 1, "pan: the fraction of the view must be positive");
		return -1;
	}
	/* a huge fraction is a pan to the end, not a double past int64 (undefined) */
	ns = (double)v->span_ns * frac < (double)VTB_TIME_MAX ? (int64_t)((double)v->span_ns * frac)
							       : (int64_t)VTB_TIME_MAX;
	tui_view_pan(v, &app->model, argv[1][0] == 'l' ? -(ns ? ns : 1) : (ns ? ns : 1));
	return 0;
}

/* The call under the cursor in the focused thread at `depth`, or the nearest. */
static int select_cursor(tui_app *app, uint32_t depth)
{
	tui_ref r;
	int32_t thread = (int32_t)app->model.order[app->view.focus];

	if (tui_query_nearest(&app->model, thread, depth, app->view.cursor_ns, &r) < 0) {
		tui_app_msg(app, 1, "no call here: this thread has none at depth %u", depth);
		return -1;
	}
	if (!tui_fview_visible(app, r.thread, r.depth, r.index) && tui_fview_seek(app, &r, 1) < 0 &&
	    tui_fview_seek(app, &r, -1) < 0) {
		tui_app_msg(app, 1, "no call here: the filters hide this thread's calls at depth %u", depth);
		return -1;
	}
	tui_view_select(&app->view, &app->model, r);
	return 0;
}

/* The child under the cursor (or nearest to it) when the cursor is inside the call,
 * otherwise the first child: going down follows the eye. */
static int child_near_cursor(tui_app *app, tui_ref cur, tui_ref *out)
{
	const vtb_slice *p = tui_model_slice(&app->model, cur), *c;
	uint64_t t = app->view.cursor_ns;

	if (p && t >= p->start_ns && t < tui_slice_end(p) &&
	    tui_query_nearest(&app->model, cur.thread, cur.depth + 1, t, out) == 0) {
		c = tui_model_slice(&app->model, *out);
		if (c->start_ns >= p->start_ns && tui_slice_end(c) <= tui_slice_end(p))
			return 0;
	}
	return tui_query_first_child(&app->model, cur, out);
}

static int cmd_select(tui_app *app, int argc, char **argv)
{
	tui_ref cur = app->view.sel, r;
	const char *what;
	int rc = -1;

	(void)argc;
	what = argv[1]; /* one of the usage's words: the dispatcher checked */
	if (!strcmp(what, "none")) {
		app->view.sel = TUI_REF_NONE;
		return 0;
	}
	if (!app->model.thread_count) {
		tui_app_msg(app, 1, "no call to select: the trace has no threads");
		return -1;
	}
	if (!strcmp(what, "cursor") || cur.thread < 0)
		return select_cursor(app, 0);
	if (!strcmp(what, "parent"))
		rc = tui_query_parent(&app->model, cur, &r);
	else if (!strcmp(what, "child"))
		rc = child_near_cursor(app, cur, &r);
	else if (!strcmp(what, "prev-sibling") || !strcmp(what, "next-sibling"))
		rc = tui_query_sibling(&app->model, cur, what[0] == 'p' ? -1 : 1, &r);
	else
		rc = tui_query_neighbour(&app->model, cur, what[0] == 'p' ? -1 : 1, &r);
	if (rc == 0 && tui_fview_visible_move(app, what, cur, &r) < 0)
		rc = -1; /* only calls the filters hide that way */
	if (rc < 0) {
		tui_app_msg(app, 0, "no %s call", what);
		return 0; /* at an edge of the tree: not an error, nothing moves */
	}
	tui_view_select(&app->view, &app->model, r);
	return 0;
}

static int cmd_thread(tui_app *app, int argc, char **argv)
{
	tui_view *v = &app->view;
	long n = (long)v->focus;
	char *end;

	(void)argc;
	if (!app->model.thread_count) {
		tui_app_msg(app, 1, "thread: the trace has no threads");
		return -1;
	}
	if (!strcmp(argv[1], "next"))
		n++;
	else if (!strcmp(argv[1], "prev"))
		n--;
	else if ((n = strtol(argv[1], &end, 10) - 1) < 0 || *end) {
		tui_app_msg(app, 1, "thread: '%s' is not next, prev or a number from 1", argv[1]);
		return -1;
	}
	while (v->shown_depths && n >= 0 && (size_t)n < app->model.thread_count && argv[1][0] >= 'a' &&
	       v->shown_depths[app->model.order[n]] == UINT32_MAX)
		n += argv[1][0] == 'n' ? 1 : -1; /* past the threads the filters hide */
	if (n < 0 || (size_t)n >= app->model.thread_count) {
		tui_app_msg(app, 0, "no %s thread", n < 0 ? "previous" : "next");
		return 0;
	}
	v->focus = (uint32_t)n;
	v->sel = TUI_REF_NONE;
	v->follow = 1;
	if (!v->folded[app->model.order[n]])
		select_cursor(app, 0);
	app->message[0] = '\0'; /* a thread without calls is fine to visit */
	return 0;
}

static int cmd_fold(tui_app *app, int argc, char **argv)
{
	tui_view *v = &app->view;
	size_t n = app->model.thread_count, folded = 0;

	(void)argv;
	if (!n) {
		tui_app_msg(app, 1, "fold: the trace has no threads");
		return -1;
	}
	if (argc == 1) {
		v->folded[app->model.order[v->focus]] ^= 1;
	} else {
		for (size_t i = 0; i < n; i++)
			folded += v->folded[i];
		memset(v->folded, folded == n ? 0 : 1, n);
	}
	if (v->sel.thread >= 0 && v->folded[v->sel.thread])
		v->sel = TUI_REF_NONE;
	v->follow = 1;
	return 0;
}

static int cmd_scroll(tui_app *app, int argc, char **argv)
{
	tui_view *v = &app->view;
	int page = v->rows > 2 ? v->rows - 1 : 1;
	size_t count = 0;

	(void)argc;
	free(tui_view_rows(v, &app->model, &count));
	if (!strcmp(argv[1], "up") || !strcmp(argv[1], "down"))
		v->scroll += argv[1][0] == 'u' ? -1 : 1;
	else if (!strcmp(argv[1], "page-up") || !strcmp(argv[1], "page-down"))
		v->scroll += !strcmp(argv[1], "page-up") ? -page : page;
	else if (!strcmp(argv[1], "top") || !strcmp(argv[1], "bottom"))
		v->scroll = argv[1][0] == 't' ? 0 : (int)count;
	else {
		tui_app_msg(app, 1, "scroll: '%s' is not up, down, page-up, page-down, top or bottom", argv[1]);
		return -1;
	}
	tui_view_scroll_to(v, -1, count);
	return 0;
}

static int cmd_details(tui_app *app, int argc, char **argv)
{
	int lines;

	if (argc == 2 && !strcmp(argv[1], "more")) { /* the next page of a long text, then the top */
		lines = tui_details_lines(app, app->screen_w);
		app->details_scroll += app->details_rows > 0 ? app->details_rows : 1;
		if (app->details_scroll >= lines)
			app->details_scroll = 0;
		app->view.details = 1;
		return 0;
	}
	app->view.details = argc == 1 ? !app->view.details : !strcmp(argv[1], "on");
	return 0;
}

const tui_command tui_cmds_view[] = {
	{ "zoom", NULL, "in|out|fit|sel|range|FACTORx", 1, 1, 0,
	  "zoom around the cursor, fit all, to the selection or to the range", cmd_zoom,
	  "Zoom in or out by 2 around the cursor, fit the whole trace, zoom to the selected call or to\n"
	  "the range, or zoom by a factor (below 1 zooms out)." },
	{ "pan", NULL, "left|right [FRACTION] | [+-]TIME", 1, 2, 0, "move the view in time", cmd_pan,
	  "Move the view by a fraction of its width (an eighth by default) or by a time." },
	{ "goto", NULL, "incident|dump|start|end|N%|TIME|+TIME|-TIME", 1, 1, 0,
	  "go to the incident (the call an unhandled exception began in, the log record that dumped, the last call at a signal or crash), the dump's moment, the start, the end, N% of the trace, or a time (from the start, or the cursor)",
	  tui_cmd_goto,
	  "Centre the view and put the cursor on a time, e.g. *goto 12.5ms*, on that share of the\n"
	  "trace's span, e.g. *goto 95%*, on the moment the dump was written (*dump*), the start or\n"
	  "the end of the trace.\n"
	  ".IP\n"
	  "*goto incident* goes to the moment the dump was triggered (*e*).\n"
	  "After an unhandled exception: select the call it began in (the last call the exception left\n"
	  "on the thread it ended, then down through the last child it left too), show it with what ran\n"
	  "just before it, and show in the details pane the exception's type, message and traceback\n"
	  "(from the _unhandled exception_ instant the tracer leaves on that thread; files written\n"
	  "before it existed still get the call, from the thread the dump's reason names).\n"
	  "After a log record at the dump level: select that record (the last one before the dump whose\n"
	  "level, logger and first line the reason gives; else the last of the highest level).\n"
	  "For a ring file (a live process, or a killed one) that names no crashed thread, the last\n"
	  "unhandled exception in it, as after one (a main thread that died of it while other threads\n"
	  "keep the process alive).\n"
	  "After a signal, an API dump, the exit, or for a ring file (a crash or a kill): the last call\n"
	  "running at the dump's moment on the thread the crash names, else the main thread for a\n"
	  "signal, else the thread whose calls end last.\n"
	  "The status line says which it is.\n"
	  ".IP\n"
	  "After any command but *scroll*, the selected call and the focused thread are on screen:\n"
	  "the whole thread when it fits, else from its title down." },
	{ "range", NULL, "[mark|start|end|sel|A..B|clear]", 0, 1, 0,
	  "set a time range (at the cursor, the selected call, or times or N% like 1.5ms..20ms): the status line shows its duration, the stats panel counts it, zoom range shows it",
	  tui_cmd_range,
	  "Set a time range: *mark* sets its start at the cursor, then its end (*r*); *start* and\n"
	  "*end* set one end at the cursor; *sel* takes the selected call's span; _A_.._B_ takes times\n"
	  "from the start of the trace or percentages of its span (*1.5ms..20ms*, *10%..90%*; an end\n"
	  "left out is the trace's start or end); *clear* removes it.\n"
	  "The status line shows the range and its duration; the statistics panel and the flame graph\n"
	  "count the calls that start in it; *zoom range* shows it.\n"
	  "No word: say the range." },
	{ "select", "sel", "parent|child|prev-sibling|next-sibling|prev|next|cursor|none", 1, 1, TUI_CMD_CHOICE,
	  "select a call", cmd_select,
	  "Move the selection: to the parent of the selected call, a child (the one under the\n"
	  "cursor, or the first), its previous or next sibling, the previous or next call at the same\n"
	  "depth, the call under the cursor, or none." },
	{ "thread", NULL, "next|prev|N", 1, 1, 0, "move to another thread", cmd_thread,
	  "Move to another thread (numbered from 1 in display order) and select its call under the cursor." },
	{ "fold", NULL, "[all]", 0, 1, TUI_CMD_CHOICE, "fold or unfold the current thread (or all)", cmd_fold,
	  "Fold or unfold the current thread, or all threads." },
	{ "scroll", NULL, "up|down|page-up|page-down|top|bottom", 1, 1, 0, "scroll the thread list", cmd_scroll,
	  "Scroll the list of threads." },
	{ "details", NULL, "[on|off|more]", 0, 1, TUI_CMD_CHOICE,
	  "show or hide the details pane; more: the next lines of long arguments, return values and texts",
	  cmd_details,
	  "Show or hide the details pane; *more* scrolls it by a page (the next lines of long\n"
	  "arguments, return values and texts), as *I* does." },
	{ NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL },
};
