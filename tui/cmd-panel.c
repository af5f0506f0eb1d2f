/* SPDX-License-Identifier: MIT */
/* cmd-panel.c: the rows of the commands of the bottom panels (logs, statistics, flame
 * graph, diff), the marks and the counters. Their handlers live with the panels' state
 * (analysis.c, view_diff.c). */
#include "tui/tui_private.h"
#include "tui/analysis.h"

const tui_command tui_cmds_panel[] = {
	{ "logs", NULL, "[on|off]", 0, 1, TUI_CMD_CHOICE,
	  "show or hide the log panel (records of every thread in time order)", tui_cmd_logs },
	{ "log-level", NULL, "all|debug|info|warning|error|critical|N", 1, 1, 0,
	  "show log records at or above a level", tui_cmd_log_level },
	{ "log-filter", NULL, "[REGEX]", 0, 0, TUI_CMD_TEXT,
	  "show log records whose message or logger matches (no REGEX: all)", tui_cmd_log_filter },
	{ "stats", NULL, "[visible|subtree|all|off]", 0, 1, TUI_CMD_CHOICE,
	  "per-function statistics of the visible range, the selected call or the trace", tui_cmd_stats },
	{ "sort", NULL, TUI_STATS_SORT_WORDS, 1, 1, TUI_CMD_CHOICE, "sort the statistics panel by a column",
	  tui_cmd_sort },
	{ "longest", NULL, "", 0, 0, 0,
	  "select the longest call of the selected function (stats row, flame node or call)", tui_cmd_longest },
	{ "flame", NULL, "[visible|subtree|all|off]", 0, 1, TUI_CMD_CHOICE,
	  "aggregated flame graph (calls merged by stack) of a scope", tui_cmd_flame },
	{ "panel", NULL, "next|prev|left|right|page-down|page-up|top|bottom|enter|focus|close", 1, 1,
	  TUI_CMD_CHOICE, "move in the open panel, give it or take back the keys", tui_cmd_panel },
	{ "mark", NULL, "next|prev|none", 1, 1, TUI_CMD_CHOICE,
	  "select the next or previous instant, snapshot or log record of the thread", tui_cmd_mark },
	{ "counter", NULL, "next|prev|N", 1, 1, 0, "choose the counter whose value the status line shows",
	  tui_cmd_counter },
	{ "diff", NULL, "[on|off]", 0, 1, TUI_CMD_CHOICE, "show or hide the diff panel (vtui --diff BEFORE AFTER)",
	  tui_cmd_diff },
	{ "diff-open", NULL, "before|after", 1, 1, TUI_CMD_CHOICE,
	  "show the before or after trace, at the diff row's function", tui_cmd_diff_open },
	{ NULL, NULL, NULL, 0, 0, 0, NULL, NULL },
};
