/* SPDX-License-Identifier: MIT */
/* cmd-panel.c: the commands of the bottom panels (logs, statistics, flame graph, diff),
 * the marks and the counters: the table rows, and the handlers that work on whichever
 * panel is open through its class (`panel`, `longest`) or on the tracks (`mark`,
 * `counter`). The commands that open one panel live in its file. */
#include "tui/tui_private.h"
#include "tui/analysis.h"

#include <stdlib.h>
#include <string.h>

/* Select the call of function `id` that lasts longest; 0 or -1. */
static int select_longest(tui_app *app, uint32_t id)
{
	tui_ref best = TUI_REF_NONE;
	uint64_t max = 0;
	char dur[32];

	/* one pass over the calls: a command run on demand, not per frame */
	for (size_t t = 0; t < app->model.thread_count; t++) {
		const vtb_thread *th = tui_model_thread(&app->model, (int32_t)t);

		for (uint32_t d = 0; d < th->depth_count; d++)
			for (size_t i = 0; i < th->rows[d].count; i++) {
				const vtb_slice *sl = &th->rows[d].slices[i];

				if (sl->name_id == id && (best.thread < 0 || sl->dur_ns > max)) {
					max = sl->dur_ns;
					best = (tui_ref){ (int32_t)t, d, i };
				}
			}
	}
	if (best.thread < 0) {
		tui_app_msg(app, 1, "longest: %s has no calls", tui_model_name(&app->model, id));
		return -1;
	}
	tui_view_select(&app->view, &app->model, best);
	tui_view_show(&app->view, &app->model, tui_model_slice(&app->model, best)->start_ns,
		      tui_slice_end(tui_model_slice(&app->model, best)));
	app->an->mark.thread = -1;
	an_fmt_dur(dur, sizeof(dur), max, app->ascii);
	tui_app_msg(app, 0, "longest call of %s: %s", tui_model_name(&app->model, id), dur);
	return 0;
}

/* The function the analysis keys act on: the open panel's row or node, or the call. */
static uint32_t focused_function(tui_app *app)
{
	const tui_panel_ops *ops = tui_an_shown(app);
	const vtb_slice *sl = tui_model_slice(&app->model, app->view.sel);
	uint32_t id = ops && ops->function ? ops->function(app, app->an->open->st) : UINT32_MAX;

	if (id != UINT32_MAX)
		return id;
	return sl ? sl->name_id : UINT32_MAX;
}

static int cmd_longest(tui_app *app, int argc, char **argv)
{
	uint32_t id = focused_function(app);

	(void)argc;
	(void)argv;
	if (id == UINT32_MAX) {
		tui_app_msg(app, 1, "longest: select a call, a statistics row or a flame graph node first");
		return -1;
	}
	return select_longest(app, id);
}

/* Enter in the open panel: its class says what it does and which command lines follow
 * (handed back to run one by one, as if typed; the last one's result is Enter's). */
static int panel_enter(tui_app *app, const tui_panel_ops *ops)
{
	char cmd[1024] = "", *line = cmd, *nl;

	if (!ops->enter)
		return 0;
	if (ops->enter(app, app->an->open->st, cmd, sizeof(cmd)) < 0)
		return -1;
	for (; *line; line = nl ? nl + 1 : line + strlen(line)) {
		if ((nl = strchr(line, '\n')))
			*nl = '\0';
		if (tui_cmd_then(app, line) < 0)
			return -1;
	}
	return 0;
}

static int cmd_panel(tui_app *app, int argc, char **argv)
{
	const tui_panel_ops *ops = tui_an_shown(app);
	long page = app->screen_h > 0 ? app->screen_h / 3 : 10, far = (long)1e15;
	const char *w = argv[1];

	(void)argc;
	if (!ops) {
		tui_app_msg(app, 1, "no panel is open (L logs, S statistics, M flame graph, V diff, C calls)");
		return -1;
	}
	if (!strcmp(w, "focus"))
		app->an->focus = !app->an->focus;
	else if (!strcmp(w, "close"))
		tui_an_close(app);
	else if (!strcmp(w, "enter"))
		return panel_enter(app, ops);
	else if (ops->move) /* the rest move: by a record, a page, to an end, or aside */
		ops->move(app, app->an->open->st, w,
			  !strcmp(w, "next") ? 1 : !strcmp(w, "prev") ? -1 : !strcmp(w, "page-down") ? page
			  : !strcmp(w, "page-up") ? -page : !strcmp(w, "top") ? -far : !strcmp(w, "bottom") ? far : 0);
	return 0;
}

static int cmd_counter(tui_app *app, int argc, char **argv)
{
	struct tui_analysis *an = app->an;
	long n = an->counter;
	char *end;

	(void)argc;
	if (!an->counter_count) {
		tui_app_msg(app, 1, "this trace holds no counters");
		return -1;
	}
	if (!strcmp(argv[1], "next") || !strcmp(argv[1], "prev"))
		n += argv[1][0] == 'n' ? 1 : -1;
	else if ((n = strtol(argv[1], &end, 10) - 1) < 0 || *end)
		return tui_cmd_usage(app);
	if (n < 0 || (size_t)n >= an->counter_count) {
		tui_app_msg(app, 0, "no such counter (%zu)", an->counter_count);
		return 0;
	}
	an->counter = (int)n;
	return 0;
}

const tui_command tui_cmds_panel[] = {
	{ "calls", NULL, "[on|off|incident]", 0, 1, TUI_CMD_CHOICE,
	  "show or hide the call list of the selected thread; incident: the last calls before the incident",
	  tui_cmd_calls,
	  "Show or hide the call list of the selected thread (*C*); *incident*: open it at the last\n"
	  "calls before the incident (*E*)." },
	{ "logs", NULL, "[on|off]", 0, 1, TUI_CMD_CHOICE,
	  "show or hide the log panel (records of every thread in time order)", tui_cmd_logs,
	  "Show or hide the log panel, the records of every thread in time order (*L*)." },
	{ "log-level", NULL, "all|debug|info|warning|error|critical|N", 1, 1, 0,
	  "show log records at or above a level", tui_cmd_log_level,
	  "Show the log records at or above a level." },
	{ "log-filter", NULL, "[REGEX]", 0, 0, TUI_CMD_TEXT,
	  "show log records whose message or logger matches (no REGEX: all)", tui_cmd_log_filter,
	  "Show the log records whose message or logger matches (no _REGEX_: all)." },
	{ "stats", NULL, "[visible|range|subtree|all|off]", 0, 1, TUI_CMD_CHOICE,
	  "per-function statistics of the visible range, the range (r), the selected call or the trace; a range set is counted",
	  tui_cmd_stats,
	  "Open the statistics panel on a scope: the visible range, the range (*r*), the selected\n"
	  "call's subtree or the whole trace (no word: show or hide it, *S*).\n"
	  "Setting a range chooses *range*, which counts the calls that start in it (the visible range\n"
	  "while none is set)." },
	{ "sort", NULL, AN_STATS_SORT_WORDS, 1, 1, TUI_CMD_CHOICE, "sort the statistics panel by a column",
	  tui_cmd_sort, "Sort the statistics panel by a column." },
	{ "longest", NULL, "", 0, 0, 0,
	  "select the longest call of the selected function (stats row, flame node or call)", cmd_longest,
	  "Select the longest call of the selected function: the statistics row, the flame graph node, or\n"
	  "the selected call's (*J*)." },
	{ "flame", NULL, "[visible|range|subtree|all|off]", 0, 1, TUI_CMD_CHOICE,
	  "aggregated flame graph (calls merged by stack) of a scope", tui_cmd_flame,
	  "Open the flame graph, calls merged by stack, on a scope as *stats* takes (*M*)." },
	{ "panel", NULL, "next|prev|left|right|page-down|page-up|top|bottom|enter|focus|close", 1, 1,
	  TUI_CMD_CHOICE, "move in the open panel, give it or take back the keys", cmd_panel,
	  "Move in the open panel, act on its line, give it or take back the keys (*o*), or close it." },
	{ "mark", NULL, "next|prev|none [any|log|instant|snapshot|exception]", 1, 2, TUI_CMD_CHOICE,
	  "select the next or previous mark of the thread (any kind, or one: log record, instant, object snapshot, or the call an exception began in)",
	  tui_cmd_mark,
	  "Select the next or previous mark of the current thread, from the cursor (*m*, *K*), or only\n"
	  "one kind: log records (*}*, *{*), instants (*)*, *(*), object snapshots, or exceptions\n"
	  "(*>*, *<*): the calls an exception began in (left by it while their last child was not), in\n"
	  "the order they ended; *none* selects no mark." },
	{ "counter", NULL, "next|prev|N", 1, 1, 0, "choose the counter whose value the status line shows",
	  cmd_counter, "Choose the counter whose value at the cursor the status line shows." },
	{ "diff", NULL, "[on|off]", 0, 1, TUI_CMD_CHOICE, "show or hide the diff panel (vtui --diff BEFORE AFTER)",
	  tui_cmd_diff, "Show or hide the diff panel of *vtui --diff* _BEFORE AFTER_ (*V*)." },
	{ "diff-rank", NULL, "[" AN_DIFF_RANK_WORDS "]", 0, 1, TUI_CMD_CHOICE,
	  "rank the diff panel by impact, by change of mean, or auto (mean when the spans differ); no word: the other",
	  tui_cmd_diff_rank,
	  "Rank the diff panel's functions by *impact* or by *change of mean* (see *DIFF*), or as the\n"
	  "viewer does by default (*auto*: by change of mean when one trace spans more than 1.25 times\n"
	  "the other's time); no word: the other ranking (*R* in the panel).\n"
	  "The selected function stays selected; the panel's title says the ranking in force." },
	{ "diff-open", NULL, "before|after", 1, 1, TUI_CMD_CHOICE,
	  "show the before or after trace, at the diff row's function", tui_cmd_diff_open,
	  "Show the before or the after trace, at the diff row's function (*A*, *B* in the panel)." },
	{ NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL },
};
