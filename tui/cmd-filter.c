/* SPDX-License-Identifier: MIT */
/* cmd-filter.c: the rows of the filter, search and preset commands. Their handlers live
 * with their state (filter_view.c, search.c, presets_ui.c). The filter commands take
 * their arguments as text for the filter language (filters/), which checks them the same
 * way in presets and on the : line. */
#include "tui/tui_private.h"
#include "tui/filter_view.h"

#define TEXT 0, 0, TUI_CMD_TEXT /* any arguments, read whole */

const tui_command tui_cmds_filter[] = {
	{ "filter", NULL, "[FIELD:]REGEX", TEXT,
	  "show only calls whose name (file:, arg:, ret:, exc: their file, arguments, return value, exception) "
	  "matches, and the stack above them (adds to the list)", tui_cmd_filter },
	{ "filter-file", NULL, "REGEX", TEXT, "show only calls whose source file matches", tui_cmd_filter },
	{ "hide", NULL, "[FIELD:]REGEX", TEXT,
	  "hide calls whose name (file:, arg:, ret:, exc: as filter) matches and everything below them", tui_cmd_filter },
	{ "hide-file", NULL, "REGEX", TEXT, "hide calls whose source file matches and everything below them",
	  tui_cmd_filter },
	{ "flatten", NULL, "REGEX", TEXT,
	  "hide calls whose name (file: their file) matches, keeping what they called one level up", tui_cmd_filter },
	{ "flatten-file", NULL, "REGEX", TEXT, "flatten calls whose source file matches", tui_cmd_filter },
	{ "min-duration", NULL, "DUR", TEXT, "hide calls shorter than DUR (50us, 1.5ms; 0 removes it)", tui_cmd_filter },
	{ "max-depth", NULL, "N|none", TEXT, "show N levels of calls", tui_cmd_filter },
	{ "filter-thread", NULL, "[REGEX]", TEXT, "show only threads whose name matches (no REGEX: all)", tui_cmd_filter },
	{ "clear-filters", NULL, "", TEXT, "remove every filter", tui_cmd_filter },
	{ "search", NULL, "[FIELD:]REGEX", TEXT,
	  "mark calls whose name, args, return value, logs, exceptions or marks match (file:, name:, arg:, ret:, "
	  "log:, exc:, mark: look at one) and go to the first; lower case: any case (no REGEX: stop)", tui_cmd_search },
	{ "next-match", NULL, "", 0, 0, 0, "select the next search match in time", tui_cmd_next_match },
	{ "prev-match", NULL, "", 0, 0, 0, "select the previous search match in time", tui_cmd_prev_match },
	{ "preset", NULL, "NAME", 1, 0, TUI_CMD_TEXT, "apply a preset: its filters, then its other commands",
	  tui_cmd_preset },
	{ "save-preset", NULL, "[--view] NAME", 1, 0, TUI_CMD_TEXT,
	  "save the filters as a preset (in the --presets file, or the user's); --view: also the thread, the visible range and the search",
	  tui_cmd_save_preset },
	{ "presets", NULL, "", 0, 0, 0, "pick a preset from a list", tui_cmd_presets },
	{ NULL, NULL, NULL, 0, 0, 0, NULL, NULL },
};
