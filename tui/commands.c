/* SPDX-License-Identifier: MIT */
/* commands.c: the command language. Keys (keys.c), the `:` line, `--cmd` and the tests
 * all run these; a command line is a name and whitespace-separated arguments ('...' or
 * "..." keep spaces, as a regex will need).
 *
 * Adding a command:
 *   1. write `static int cmd_NAME(tui_app *app, int argc, char **argv)` (or an exported
 *      one in its own tui/cmd_*.c, declared in tui_private.h): argv[0] is the name; check
 *      the arguments, change app->view (through view.c) or app state, and return 0; on
 *      bad input call tui_app_msg(app, 1, "...") with what was wrong and return -1;
 *   2. add a row to `commands[]` below: name, optional alias, usage, one line of help;
 *   3. bind a key in keys.c if it deserves one, and list it in man/vtui.1.
 * The help view lists this table, so a new row is documented on screen at once.
 */
#include "tui/tui_private.h"
#include "tui/filter_view.h"
#include "tui/analysis.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 16

static int want_args(tui_app *app, int argc, int lo, int hi, const char *usage)
{
	if (argc - 1 >= lo && argc - 1 <= hi)
		return 0;
	tui_app_msg(app, 1, "usage: %s", usage);
	return -1;
}

static int one_of(const char *word, const char *const *words)
{
	for (; *words; words++)
		if (!strcmp(word, *words))
			return 1;
	return 0;
}

static int cmd_zoom(tui_app *app, int argc, char **argv)
{
	tui_view *v = &app->view;
	const vtb_slice *sel = tui_model_slice(&app->model, v->sel);
	char *end;
	double f;

	if (want_args(app, argc, 1, 1, "zoom in|out|fit|sel|FACTORx") < 0)
		return -1;
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
	} else {
		f = strtod(argv[1], &end);
		if (end == argv[1] || (*end && strcmp(end, "x")) || !(f > 0) || f > 1e9) {
			tui_app_msg(app, 1, "zoom: '%s' is not in, out, fit, sel or a factor like 2x", argv[1]);
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

	if (want_args(app, argc, 1, 2, "pan left|right [FRACTION] | pan [+-]TIME") < 0)
		return -1;
	if (strcmp(argv[1], "left") && strcmp(argv[1], "right")) {
		if (argc != 2 || tui_parse_time(argv[1], &ns, &rel) < 0) {
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

/* The innermost call an exception left last (the raise that ended the program), or
 * TUI_REF_NONE. */
static tui_ref exception_call(const tui_model *m)
{
	tui_ref best = TUI_REF_NONE;
	uint64_t best_end = 0;

	for (size_t t = 0; t < m->thread_count; t++) {
		const vtb_thread *th = tui_model_thread(m, (int32_t)t);

		for (uint32_t d = 0; d < th->depth_count; d++)
			for (size_t i = 0; i < th->rows[d].count; i++) {
				const vtb_slice *s = &th->rows[d].slices[i];

				if ((s->flags & VTB_CALL_EXCEPTION) &&
				    (best.thread < 0 || tui_slice_end(s) > best_end ||
				     (tui_slice_end(s) == best_end && d > best.depth))) {
					best = (tui_ref){ (int32_t)t, d, i };
					best_end = tui_slice_end(s);
				}
			}
	}
	return best;
}

/* `goto dump`: where the investigation starts. */
static int goto_dump(tui_app *app)
{
	tui_ref r = app->model.hdr->reason == VTB_REASON_EXCEPTION ? exception_call(&app->model) : TUI_REF_NONE;
	uint64_t at = app->model.hdr->dump_ns;

	if (r.thread >= 0) {
		tui_view_select(&app->view, &app->model, r);
		tui_app_msg(app, 0, "the call the exception left last: %s", tui_model_name(&app->model,
			    tui_model_slice(&app->model, r)->name_id));
		return 0;
	}
	tui_view_center(&app->view, &app->model, at < app->model.first_ns ? app->model.first_ns :
				  at > app->model.last_ns ? app->model.last_ns : at);
	tui_app_msg(app, 0, "the dump (%s)", vtb_reason_name(app->model.hdr->reason));
	return 0;
}

static int cmd_goto(tui_app *app, int argc, char **argv)
{
	tui_view *v = &app->view;
	int64_t ns, t;
	int rel;
	char buf[32];

	if (want_args(app, argc, 1, 1, "goto TIME|dump (12.5ms from the start, +2ms / -2ms from the cursor)") < 0)
		return -1;
	if (!strcmp(argv[1], "dump"))
		return goto_dump(app);
	if (tui_parse_time(argv[1], &ns, &rel) < 0) {
		tui_app_msg(app, 1, "goto: '%s' is not a time like 12.5ms, 300us or 2s", argv[1]);
		return -1;
	}
	/* times are below 2^62, a typed one below 9e18: the sum may pass 2^63 (fuzz_view) */
	if (__builtin_add_overflow(rel ? (int64_t)v->cursor_ns : (int64_t)app->model.first_ns, ns, &t) ||
	    t < (int64_t)app->model.first_ns || t > (int64_t)app->model.last_ns) {
		tui_fmt_dur(buf, sizeof(buf), app->model.last_ns - app->model.first_ns, app->ascii);
		tui_app_msg(app, 1, "goto: %s is outside the trace (0 to %s)", argv[1], buf);
		return -1;
	}
	tui_view_center(v, &app->model, (uint64_t)t);
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
	static const char *const usage =
		"select parent|child|prev-sibling|next-sibling|prev|next|cursor|none";
	tui_ref cur = app->view.sel, r;
	const char *what;
	int rc = -1;

	if (want_args(app, argc, 1, 1, usage) < 0)
		return -1;
	what = argv[1];
	if (!one_of(what, (const char *const[]){ "parent", "child", "prev-sibling", "next-sibling",
						 "prev", "next", "cursor", "none", NULL })) {
		tui_app_msg(app, 1, "usage: %s", usage);
		return -1;
	}
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

	if (want_args(app, argc, 1, 1, "thread next|prev|N") < 0)
		return -1;
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

	if (want_args(app, argc, 0, 1, "fold [all]") < 0)
		return -1;
	if (!n) {
		tui_app_msg(app, 1, "fold: the trace has no threads");
		return -1;
	}
	if (argc == 2 && strcmp(argv[1], "all")) {
		tui_app_msg(app, 1, "usage: fold [all]");
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

	if (want_args(app, argc, 1, 1, "scroll up|down|page-up|page-down|top|bottom") < 0)
		return -1;
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

	if (want_args(app, argc, 0, 1, "details [on|off|more]") < 0)
		return -1;
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

/* `prompt [WORDS]`: open the `:` line with WORDS and a blank already typed. */
static int cmd_prompt(tui_app *app, int argc, char **argv)
{
	app->mode = TUI_MODE_COMMAND;
	app->cmdline[0] = '\0';
	for (int i = 1; i < argc; i++)
		snprintf(app->cmdline + strlen(app->cmdline), sizeof(app->cmdline) - strlen(app->cmdline),
			 "%s ", argv[i]);
	app->cmdline_len = strlen(app->cmdline);
	app->history_pos = app->history_count;
	return 0;
}

static int cmd_help(tui_app *app, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	app->mode = TUI_MODE_HELP;
	app->help_scroll = 0;
	return 0;
}

static int cmd_redraw(tui_app *app, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	app->redraw = 1;
	return 0;
}

static int cmd_quit(tui_app *app, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	app->quit = 1;
	return 0;
}

/* Quits to the ring list: main starts vtui --rings once the terminal is restored. */
static int cmd_rings(tui_app *app, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	app->quit = 2;
	return 0;
}

static const tui_command commands[] = {
	{ "zoom", NULL, "in|out|fit|sel|FACTORx", "zoom around the cursor, fit all, or to the selection", cmd_zoom },
	{ "pan", NULL, "left|right [FRACTION] | [+-]TIME", "move the view in time", cmd_pan },
	{ "goto", NULL, "TIME | +TIME | -TIME | dump", "centre the view and the cursor on a time (from the start, or the cursor); dump: the call an exception left last, or the dump's moment", cmd_goto },
	{ "select", "sel", "parent|child|prev-sibling|next-sibling|prev|next|cursor|none", "select a call", cmd_select },
	{ "thread", NULL, "next|prev|N", "move to another thread", cmd_thread },
	{ "fold", NULL, "[all]", "fold or unfold the current thread (or all)", cmd_fold },
	{ "scroll", NULL, "up|down|page-up|page-down|top|bottom", "scroll the thread list", cmd_scroll },
	{ "details", NULL, "[on|off|more]", "show or hide the details pane; more: the next lines of long arguments, return values and texts", cmd_details },
	{ "filter", NULL, "REGEX", "show only calls whose name matches, and the stack above them (adds to the list)", tui_cmd_filter },
	{ "filter-file", NULL, "REGEX", "show only calls whose source file matches", tui_cmd_filter },
	{ "hide", NULL, "REGEX", "hide calls whose name matches and everything below them", tui_cmd_filter },
	{ "hide-file", NULL, "REGEX", "hide calls whose source file matches and everything below them", tui_cmd_filter },
	{ "min-duration", NULL, "DUR", "hide calls shorter than DUR (50us, 1.5ms; 0 removes it)", tui_cmd_filter },
	{ "max-depth", NULL, "N|none", "show N levels of calls", tui_cmd_filter },
	{ "filter-thread", NULL, "[REGEX]", "show only threads whose name matches (no REGEX: all)", tui_cmd_filter },
	{ "clear-filters", NULL, "", "remove every filter", tui_cmd_filter },
	{ "search", NULL, "[REGEX]", "mark calls whose name matches and go to the first (no REGEX: stop)", tui_cmd_search },
	{ "next-match", NULL, "", "select the next search match in time", tui_cmd_next_match },
	{ "prev-match", NULL, "", "select the previous search match in time", tui_cmd_prev_match },
	{ "preset", NULL, "NAME", "apply a preset: its filters, then its other commands", tui_cmd_preset },
	{ "save-preset", NULL, "NAME", "save the filters as a preset (in the --presets file, or the user's)", tui_cmd_save_preset },
	{ "presets", NULL, "", "pick a preset from a list", tui_cmd_presets },
	{ "logs", NULL, "[on|off]", "show or hide the log panel (records of every thread in time order)", tui_cmd_logs },
	{ "log-level", NULL, "all|debug|info|warning|error|critical|N", "show log records at or above a level", tui_cmd_log_level },
	{ "log-filter", NULL, "[REGEX]", "show log records whose message or logger matches (no REGEX: all)", tui_cmd_log_filter },
	{ "stats", NULL, "[visible|subtree|all|off]", "per-function statistics of the visible range, the selected call or the trace", tui_cmd_stats },
	{ "sort", NULL, "name|calls|total|self|mean|max", "sort the statistics panel by a column", tui_cmd_sort },
	{ "longest", NULL, "", "select the longest call of the selected function (stats row, flame node or call)", tui_cmd_longest },
	{ "flame", NULL, "[visible|subtree|all|off]", "aggregated flame graph (calls merged by stack) of a scope", tui_cmd_flame },
	{ "panel", NULL, "next|prev|left|right|page-down|page-up|top|bottom|enter|focus|close", "move in the open panel, give it or take back the keys", tui_cmd_panel },
	{ "mark", NULL, "next|prev|none", "select the next or previous instant, snapshot or log record of the thread", tui_cmd_mark },
	{ "counter", NULL, "next|prev|N", "choose the counter whose value the status line shows", tui_cmd_counter },
	{ "diff", NULL, "[on|off]", "show or hide the diff panel (vtui --diff BEFORE AFTER)", tui_cmd_diff },
	{ "diff-open", NULL, "before|after", "show the before or after trace, at the diff row's function", tui_cmd_diff_open },
	{ "prompt", NULL, "[WORDS]", "open the : command line (with WORDS typed)", cmd_prompt },
	{ "help", "h", "", "show every key and command", cmd_help },
	{ "redraw", NULL, "", "redraw the whole terminal", cmd_redraw },
	{ "freeze", NULL, "", "vtui --live: stay on the current snapshot", tui_cmd_freeze },
	{ "follow", NULL, "", "vtui --live: follow the process again, now at the right edge", tui_cmd_freeze },
	{ "pause", NULL, "", "vtui --live: freeze, or follow again when frozen", tui_cmd_freeze },
	{ "dump", NULL, "[PATH]", "write the trace on screen (a live snapshot) as a VTB file, asking the process nothing", tui_cmd_dump },
	{ "ask-dump", NULL, "", "vtui --live: ask the process to dump itself, by sending it its --dump-signal", tui_cmd_ask_dump },
	{ "rings", NULL, "", "quit to the list of ring files (black boxes) of the ring directory", cmd_rings },
	{ "quit", "q", "", "quit vtui", cmd_quit },
	{ NULL, NULL, NULL, NULL, NULL },
};

const tui_command *tui_commands(void)
{
	return commands;
}

const tui_command *tui_command_find(const char *name)
{
	for (const tui_command *c = commands; c->name; c++)
		if (!strcmp(c->name, name) || (c->alias && !strcmp(c->alias, name)))
			return c;
	return NULL;
}

/* Split `line` in place into argv; quotes group, and are removed. */
static int split(char *line, char **argv)
{
	int argc = 0;
	char *p = line, *o;

	while (*p && argc < MAX_ARGS) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		argv[argc++] = o = p;
		while (*p && !isspace((unsigned char)*p)) {
			char q = *p;

			if (q == '\'' || q == '"') {
				for (p++; *p && *p != q; p++)
					*o++ = *p;
				if (*p)
					p++;
			} else {
				*o++ = *p++;
			}
		}
		if (*p)
			p++;
		*o = '\0';
	}
	return argc;
}

int tui_command_run(tui_app *app, const char *line)
{
	char *copy = strdup(line), *argv[MAX_ARGS + 1];
	const char *outer;
	const tui_command *c;
	int argc, rc = -1;

	if (!copy) {
		tui_app_msg(app, 1, "out of memory");
		return -1;
	}
	argc = split(copy, argv);
	argv[argc] = NULL;
	if (argc == 0) {
		rc = 0;
		goto out;
	}
	c = tui_command_find(argv[0]);
	if (!c) {
		tui_app_msg(app, 1, "unknown command '%s' (:help lists them)", argv[0]);
		goto out;
	}
	outer = app->cmd_line; /* a preset runs commands from inside one */
	app->cmd_line = line;
	rc = c->run(app, argc, argv);
	app->cmd_line = outer;
out:
	free(copy);
	return rc;
}
