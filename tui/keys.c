/* SPDX-License-Identifier: MIT */
/* keys.c: the key table. Every key runs a command line of the command language
 * (commands.c), so a key does nothing a `:` line or `--cmd` could not. Keys follow
 * Perfetto (w a s d, f, 0), less (space, b, g, G, /) and vim (h j k l, C-f C-b, :).
 * To bind a key: add a row; the first row of a command line carries its help text,
 * later rows for the same line are aliases (help NULL). The help view lists them in this
 * order; man/vtui.1's KEYS says what each does (test_tui checks that it names every key). */
#include "tui/tui_private.h"

#include <stdio.h>
#include <string.h>

static const tui_binding bindings[] = {
	{ 'w', "zoom in", "zoom in around the cursor" },
	{ '+', "zoom in", NULL },
	{ '=', "zoom in", NULL },
	{ 's', "zoom out", "zoom out around the cursor" },
	{ '-', "zoom out", NULL },
	{ 'a', "pan left", "pan left by an eighth of the view" },
	{ TUI_KEY_LEFT, "pan left", NULL },
	{ 'd', "pan right", "pan right by an eighth of the view" },
	{ TUI_KEY_RIGHT, "pan right", NULL },
	{ 'A', "pan left 1", "pan left by a whole view" },
	{ TUI_KEY_SLEFT, "pan left 1", NULL },
	{ 'D', "pan right 1", "pan right by a whole view" },
	{ TUI_KEY_SRIGHT, "pan right 1", NULL },
	{ '0', "zoom fit", "fit the whole trace" },
	{ 'f', "zoom sel", "zoom to the selected call" },
	{ TUI_KEY_ENTER, "zoom sel", NULL },
	{ 'k', "select parent", "select the parent (the caller)" },
	{ TUI_KEY_UP, "select parent", NULL },
	{ 'j', "select child", "select a child: the one under the cursor, or the first" },
	{ TUI_KEY_DOWN, "select child", NULL },
	{ 'h', "select prev-sibling", "select the previous sibling" },
	{ 'l', "select next-sibling", "select the next sibling" },
	{ '[', "select prev", "select the previous call at the same depth" },
	{ ']', "select next", "select the next call at the same depth" },
	{ 'c', "select cursor", "select the call under the cursor" },
	{ TUI_KEY_ESC, "select none", "clear the selection" },
	{ TUI_KEY_TAB, "thread next", "move to the next thread" },
	{ TUI_KEY_BTAB, "thread prev", "move to the previous thread" },
	{ 'z', "fold", "fold or unfold the current thread" },
	{ 'Z', "fold all", "fold every thread, or unfold all when all are folded" },
	{ TUI_KEY_NPAGE, "scroll page-down", "page down through the threads" },
	{ ' ', "scroll page-down", NULL },
	{ TUI_KEY_CTRL('f'), "scroll page-down", NULL },
	{ TUI_KEY_PPAGE, "scroll page-up", "page up through the threads" },
	{ 'b', "scroll page-up", NULL },
	{ TUI_KEY_CTRL('b'), "scroll page-up", NULL },
	{ TUI_KEY_CTRL('e'), "scroll down", "scroll down one row" },
	{ TUI_KEY_CTRL('y'), "scroll up", "scroll up one row" },
	{ 'g', "scroll top", "go to the first thread" },
	{ TUI_KEY_HOME, "scroll top", NULL },
	{ 'G', "scroll bottom", "go to the last thread" },
	{ TUI_KEY_END, "scroll bottom", NULL },
	{ 'i', "details", "show or hide the details pane" },
	{ 'I', "details more", "scroll the details pane (long arguments, return values)" },
	{ '/', "prompt search", "search names, args, return values, logs, exceptions and marks (:search [FIELD:]REGEX; Up: earlier searches)" },
	{ 'n', "next-match", "select the next search match in time" },
	{ 'N', "prev-match", "select the previous search match in time" },
	{ 'F', "prompt filter", "show only calls matching a regex (:filter REGEX)" },
	{ 'H', "prompt hide", "hide calls matching a regex and what they call (:hide REGEX)" },
	{ 'X', "clear-filters", "remove every filter" },
	{ 'p', "presets", "pick a preset from a list" },
	{ 'L', "logs", "show or hide the log panel" },
	{ 'C', "calls", "show or hide the call list of the selected thread" },
	{ 'E', "calls incident", "the call list at the last calls before the incident" },
	{ 'S', "stats", "show or hide the statistics panel" },
	{ 'M', "flame", "show or hide the flame graph" },
	{ 'o', "panel focus", "give the keys to the open panel, or back (in it: j k move, Enter goes, Esc)" },
	{ 'e', "goto incident", "go to the incident: the call an unhandled exception began in, the log record that dumped, the last call at a signal or crash" },
	{ 'J', "longest", "select the longest call of the selected function" },
	{ 'm', "mark next", "select the next mark (log, instant, snapshot) of the thread" },
	{ 'K', "mark prev", "select the previous mark of the thread" },
	{ '>', "mark next exception", "select the next call an exception began in (on the thread)" },
	{ '<', "mark prev exception", "select the previous call an exception began in" },
	{ '}', "mark next log", "select the next log record of the thread" },
	{ '{', "mark prev log", "select the previous log record of the thread" },
	{ ')', "mark next instant", "select the next instant event of the thread" },
	{ '(', "mark prev instant", "select the previous instant event of the thread" },
	{ 'r', "range mark", "set the range's start at the cursor, then its end (stats count the range)" },
	{ 't', "zoom range", "zoom to the time range" },
	{ 'V', "diff", "show or hide the diff panel (vtui --diff)" },
	{ ':', "prompt", "type a command (:goto 12.5ms, :zoom 2x, :help)" },
	{ '?', "help", "this help" },
	{ TUI_KEY_CTRL('l'), "redraw", "redraw the screen" },
	{ 'P', "pause", "vtui --live: freeze on the snapshot, or follow again" },
	{ 'W', "dump", "write the trace on screen (a live snapshot) as a VTB file (:dump PATH)" },
	{ 'R', "rings", "leave for the list of ring files (vtui --rings)" },
	{ 'q', "quit", "quit" },
	{ 0, NULL, NULL },
};

const tui_binding *tui_bindings(void)
{
	return bindings;
}

const char *tui_key_command(int key)
{
	for (const tui_binding *b = bindings; b->key; b++)
		if (b->key == key)
			return b->command;
	return NULL;
}

void tui_key_name(int key, char *buf, size_t len)
{
	static const struct {
		int key;
		const char *name;
	} named[] = {
		{ TUI_KEY_TAB, "Tab" }, { TUI_KEY_ENTER, "Enter" }, { TUI_KEY_ESC, "Esc" },
		{ ' ', "Space" }, { TUI_KEY_UP, "Up" }, { TUI_KEY_DOWN, "Down" },
		{ TUI_KEY_LEFT, "Left" }, { TUI_KEY_RIGHT, "Right" }, { TUI_KEY_SLEFT, "S-Left" },
		{ TUI_KEY_SRIGHT, "S-Right" }, { TUI_KEY_PPAGE, "PgUp" }, { TUI_KEY_NPAGE, "PgDn" },
		{ TUI_KEY_HOME, "Home" }, { TUI_KEY_END, "End" }, { TUI_KEY_BTAB, "S-Tab" },
	};

	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		if (named[i].key == key) {
			snprintf(buf, len, "%s", named[i].name);
			return;
		}
	}
	if (key > 0 && key < 0x20)
		snprintf(buf, len, "C-%c", key + 'a' - 1);
	else
		snprintf(buf, len, "%c", key);
}
