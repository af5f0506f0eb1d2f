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
	  "show only calls whose name (file:, arg:, ret:, log:, exc:, mark: their file, arguments, return value, logs, exception, marks) "
	  "matches, and the stack above them (adds to the list)", tui_cmd_filter,
	  "Show only the calls whose qualified name matches, and the calls above them, drawn dim, so that\n"
	  "the chart still reads as a flame chart.\n"
	  "Several *filter* commands add up: a call that matches any of them is shown." },
	{ "filter-file", NULL, "REGEX", TEXT, "show only calls whose source file matches", tui_cmd_filter,
	  "The same by the call's source file." },
	{ "hide", NULL, "[FIELD:]REGEX", TEXT,
	  "hide calls whose name (file:, arg:, ret:, exc: as filter) matches and everything below them", tui_cmd_filter,
	  "Hide the calls whose name matches and everything below them." },
	{ "hide-file", NULL, "REGEX", TEXT, "hide calls whose source file matches and everything below them",
	  tui_cmd_filter, "The same by source file." },
	{ "flatten", NULL, "REGEX", TEXT,
	  "hide calls whose name (file: their file) matches, keeping what they called one level up", tui_cmd_filter,
	  "Take the calls whose name matches out of their stack and keep what they called: their calls\n"
	  "move up one level for each flattened caller, so a thread whose every call runs under\n"
	  "_threading.Thread._bootstrap_ shows the program's own calls under its title.\n"
	  "The viewer then shows a flattened copy of the trace (built once per change, in one pass over\n"
	  "the calls, the original kept): *vtui stats* counts the same calls, *dump* writes every call.\n"
	  "Flattened calls are not searched." },
	{ "flatten-file", NULL, "REGEX", TEXT, "flatten calls whose source file matches", tui_cmd_filter,
	  "The same by source file.\n"
	  ".PP\n"
	  "*filter*, *hide* and *flatten* take a field prefix: *name:*_REGEX_ (the default) or\n"
	  "*file:*_REGEX_ (*hide file:^/usr/* is *hide-file ^/usr/*).\n"
	  "*filter* and *hide* also take a call's own text, as *search* reads it: *arg:*_REGEX_ (the\n"
	  "call's arguments), *ret:*_REGEX_ (its return value) and *exc:*_REGEX_ (an exception began in\n"
	  "it: an instant *--log-exceptions* recorded, or the dump's unhandled exception), *log:*_REGEX_\n"
	  "(a log record made in the call itself, by its message or logger) and *mark:*_REGEX_ (an\n"
	  "instant, snapshot or log record made in it, by its name);\n"
	  "*hide arg:sku-13* hides the calls that got _sku-13_ and what they called,\n"
	  "*filter exc:KeyError* shows the calls a _KeyError_ began in and their stacks.\n"
	  "These patterns run once per text, not per name, and are\n"
	  "case-sensitive like the other filters; presets keep them as commands.\n"
	  "*vtui stats* refuses them (its filters work on names).\n"
	  "*flatten* takes names and files only: an error says so." },
	{ "min-duration", NULL, "DUR", TEXT, "hide calls shorter than DUR (50us, 1.5ms; 0 removes it)", tui_cmd_filter,
	  "Hide calls shorter than _DUR_ (*300ns*, *50us*, *12.5ms*, *2s*); *0* removes the limit." },
	{ "max-depth", NULL, "N|none", TEXT, "show N levels of calls", tui_cmd_filter,
	  "Show _N_ levels of calls (depths 0 to _N_-1); *none* removes the limit." },
	{ "filter-thread", NULL, "[REGEX]", TEXT, "show only threads whose name matches (no REGEX: all)", tui_cmd_filter,
	  "Show only the threads whose name matches; without a pattern, every thread." },
	{ "clear-filters", NULL, "", TEXT, "remove every filter", tui_cmd_filter,
	  "Remove every filter (*X*)." },
	{ "search", NULL, "[FIELD:]REGEX", TEXT,
	  "mark calls whose name, args, return value, logs, exceptions or marks match (file:, name:, arg:, ret:, "
	  "log:, exc:, mark: look at one) and go to the first; lower case: any case (no REGEX: stop)", tui_cmd_search,
	  "Mark the calls that match (in a colour of their own, or bold and underlined without\n"
	  "colours), say in the status line how many calls, function names and other things matched\n"
	  "(\"3 calls (1 name, 2 args)\"), and select the first one at or after the cursor.\n"
	  "Without a field, a search looks at everything but file paths: function names, argument and\n"
	  "return value texts, log messages and loggers, exceptions (their type and message) and the\n"
	  "names and texts of other marks; so */KeyError* finds the call that raised it and */sku-13*\n"
	  "a call that got it as an argument.\n"
	  "A field prefix looks at one of them:\n"
	  ".RS\n"
	  ".IP *name:* 8\n"
	  "function names\n"
	  ".IP *file:* 8\n"
	  "source file paths\n"
	  ".IP *arg:* 8\n"
	  "the arguments of calls (*vtrace --log-args*)\n"
	  ".IP *ret:* 8\n"
	  "return values (*--log-retval*)\n"
	  ".IP *log:* 8\n"
	  "log messages and logger names\n"
	  ".IP *exc:* 8\n"
	  "exceptions: the instants *--log-exceptions* records (type and message) and the dump's\n"
	  "unhandled exception\n"
	  ".IP *mark:* 8\n"
	  "the names of instants, snapshots and loggers\n"
	  ".RE\n"
	  ".IP\n"
	  "A log record, an exception or an instant counts for the innermost call around it (the call\n"
	  "that logged or raised); one outside every call is counted as such, and n and N cannot select\n"
	  "it. The dump's unhandled exception counts for the call that raised it.\n"
	  "Smartcase: a pattern without an upper-case letter (letters of escapes such as *\\S* or\n"
	  "*\\p{Lu}* aside) matches in any case; */keyerror* finds _KeyError_, */KeyError* not\n"
	  "_keyerror_.\n"
	  "Names and files are matched once each; texts once per argument list, return value and mark,\n"
	  "and only for the fields asked.\n"
	  "In the terminal, what grows with the trace (the texts, the calls of the matching names) is\n"
	  "counted a few milliseconds at a time between keys, so no key waits for it: until it is done\n"
	  "the status line says *(counting)*, the message how far it got, and *n* and *N* count a\n"
	  "little more instead of moving; when it is done the first match is selected, unless the\n"
	  "selection moved meanwhile.\n"
	  "*--script*, *--cmd* and *--render* count whole before the next command.\n"
	  "Without a pattern, stop searching.\n"
	  "A bad pattern keeps the search there was." },
	{ "next-match", NULL, "", 0, 0, 0, "select the next search match in time", tui_cmd_next_match,
	  "Select the next match in time order (by start, then thread, then depth), going round at the\n"
	  "end; calls the filters hide are skipped.\n"
	  "The status line says which match of how many it is." },
	{ "prev-match", NULL, "", 0, 0, 0, "select the previous search match in time", tui_cmd_prev_match,
	  "Select the previous match in the same order as *next-match*, going round at the start." },
	{ "preset", NULL, "NAME", 1, 0, TUI_CMD_TEXT, "apply a preset: its filters, then its other commands",
	  tui_cmd_preset,
	  "Apply a preset: its filter commands first (all of them or, when one fails, none), then its other\n"
	  "commands in order." },
	{ "save-preset", NULL, "[--view] NAME", 1, 0, TUI_CMD_TEXT,
	  "save the filters as a preset (in the --presets file, or the user's); --view: also the thread, the visible range and the search",
	  tui_cmd_save_preset,
	  "Save the current filters as the preset _NAME_, starting with *clear-filters* so that\n"
	  "applying it gives back the same view.\n"
	  "With *--view*, the preset also keeps the focused thread (by name), the visible range and the\n"
	  "search, which applying it restores after its commands; without, a view saved before is dropped.\n"
	  "It goes to the *--presets* file when one was given, else to the file that already holds\n"
	  "_NAME_, else to the first preset file found, else to _~/.config/vtui/presets.json_.\n"
	  "The file's other presets and keys are kept.\n"
	  "The status line says where it wrote, and when it created the directory." },
	{ "presets", NULL, "", 0, 0, 0, "pick a preset from a list", tui_cmd_presets,
	  "Open the preset picker (*p*)." },
	{ NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL },
};
