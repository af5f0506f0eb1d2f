/* SPDX-License-Identifier: MIT */
/* tui.h: the vtui viewer as a library: load a trace, hold the view state, run named
 * commands, render into a screen model, and (term.c) drive a real terminal.
 *
 * The one public header of tui/: what tui/main.c, the tests and the benchmarks use.
 * Internals shared between the module's files live in tui/tui_private.h.
 */
#ifndef VTUI_TUI_H
#define VTUI_TUI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <wchar.h>

#include "analysis/analysis.h"
#include "common/vtb.h"
#include "common/vtb_json.h"

/* The smallest screen the viewer draws on; below it, it says so instead. */
#define TUI_MIN_WIDTH 40
#define TUI_MIN_HEIGHT 8

/* ---- the screen model: a grid of cells, text and attributes, no terminal ---- */

/* Semantic styles; the terminal layer maps them to colour pairs for the colour mode it
 * found. A call's block uses TUI_STYLE_FUNC + hue (hue 0..255, stable per function name). */
enum tui_style {
	TUI_STYLE_DEFAULT = 0,
	TUI_STYLE_HEADER,
	TUI_STYLE_RULER,
	TUI_STYLE_STATUS,
	TUI_STYLE_PROCESS,
	TUI_STYLE_THREAD,
	TUI_STYLE_MARKER,  /* ring-wrap and dump moments */
	TUI_STYLE_LABEL,   /* keys and field names in the details and help views */
	TUI_STYLE_ERROR,
	TUI_STYLE_DIM,
	TUI_STYLE_MATCH,   /* a call the search matches */
	TUI_STYLE_COUNT,
	TUI_STYLE_FUNC = 64,
};

enum tui_attr {
	TUI_ATTR_BOLD = 1 << 0,
	TUI_ATTR_REVERSE = 1 << 1,
	TUI_ATTR_UNDERLINE = 1 << 2,
};

/* One cell. ch == 0 marks the right half of a double-width character. */
typedef struct tui_cell {
	wchar_t ch;
	uint16_t style;
	uint16_t attr;
} tui_cell;

typedef struct tui_screen tui_screen;

/* A blank width x height screen; NULL when out of memory. The caller owns it. */
tui_screen *tui_screen_new(int width, int height);
/* Resize (contents are cleared); 0 or VTB_E_NOMEM. */
int tui_screen_resize(tui_screen *s, int width, int height);
void tui_screen_free(tui_screen *s);
/* With ascii set, text that is not ASCII is stored as '?'. */
void tui_screen_set_ascii(tui_screen *s, int ascii);
int tui_screen_ascii(const tui_screen *s);
int tui_screen_width(const tui_screen *s);
int tui_screen_height(const tui_screen *s);
void tui_screen_clear(tui_screen *s);
/* The cell at (x, y), or NULL outside the screen; owned by the screen. */
const tui_cell *tui_screen_cell(const tui_screen *s, int x, int y);
void tui_screen_put(tui_screen *s, int x, int y, wchar_t ch, uint16_t style, uint16_t attr);
/* Write UTF-8 text from (x, y), at most max_cols columns (negative: to the edge).
 * Returns the columns written. */
int tui_screen_puts(tui_screen *s, int x, int y, const char *utf8, int max_cols,
		    uint16_t style, uint16_t attr);
/* Fill columns [x, x + n) of row y with ch. */
void tui_screen_fill(tui_screen *s, int x, int y, int n, wchar_t ch, uint16_t style, uint16_t attr);
/* Row y as UTF-8 without trailing blanks; the caller frees. NULL when out of memory. */
char *tui_screen_line(const tui_screen *s, int y);
/* The whole screen as UTF-8 lines each ending in '\n'; the caller frees. */
char *tui_screen_text(const tui_screen *s);

/* ---- keys: the terminal layer translates its key codes into these ---- */
enum tui_key {
	TUI_KEY_TAB = '\t',
	TUI_KEY_ENTER = '\n',
	TUI_KEY_ESC = 27,
	TUI_KEY_BACKSPACE = 127,
	TUI_KEY_BASE = 0x110000, /* above every Unicode code point */
	TUI_KEY_UP,
	TUI_KEY_DOWN,
	TUI_KEY_LEFT,
	TUI_KEY_RIGHT,
	TUI_KEY_SLEFT,
	TUI_KEY_SRIGHT,
	TUI_KEY_PPAGE,
	TUI_KEY_NPAGE,
	TUI_KEY_HOME,
	TUI_KEY_END,
	TUI_KEY_BTAB,
	TUI_KEY_DC,
};
#define TUI_KEY_CTRL(c) ((c) & 0x1f)

/* ---- the application: a loaded trace, its view state and the command language ---- */

typedef struct tui_app tui_app;
/* vtui --live: a ring file followed (common/vtb_follow.h) while its process runs, in the
 * viewer (tui/live.c: freezing, the header). */
typedef struct tui_live tui_live;

/* A viewer over `trace`, which it takes over (freed by tui_app_free, also on failure).
 * `path` names the file in the header. Returns NULL and sets *cause on failure. */
tui_app *tui_app_new(vtb_trace *trace, const char *path, char **cause);
void tui_app_free(tui_app *app);
/* A note shown in the header and status line (damage, import problems); copied. */
void tui_app_set_note(tui_app *app, const char *note);
/* Follow `lv` (the app owns it): the terminal loop refreshes the trace from it, the view
 * starts on its --window at the end. */
void tui_app_set_live(tui_app *app, tui_live *lv);
/* The live ring being followed, or NULL. */
tui_live *tui_app_live(const tui_app *app);
/* Follow a process as vtb_follow_open does (the ring file `path`, else the ring of `pid`,
 * else the user's one recording process) for the viewer. NULL with *cause. */
tui_live *tui_live_open(uint32_t pid, const char *path, uint64_t window_ns, vtb_trace **first, char **cause);
void tui_live_free(tui_live *lv);
/* A new snapshot when one is due (force: now, frozen or not), or NULL: not due, frozen,
 * the process ended after its last snapshot, or a failure (*cause set). */
vtb_trace *tui_live_tick(tui_live *lv, int force, char **cause);
/* Compare with `before` (taken over, freed by the app, also on failure): the app's own
 * trace is the "after" side; opens the diff panel. 0, or a negative error with *cause. */
int tui_app_set_diff(tui_app *app, vtb_trace *before, const char *before_path, char **cause);
/* Where the threads of a merged trace came from: which dump, and a title for each. */
typedef struct an_sources an_sources;
/* Group the threads by the dump they came from (taken over; NULL does nothing): each dump
 * and process gets a title row with the file, the process's name and the dump's reason. */
void tui_app_set_sources(tui_app *app, an_sources *sources);
/* Run one command line ("goto 12.5ms", "zoom 2x", "select parent").
 * Returns 0, or -1 with the reason in tui_app_message(). */
int tui_app_exec(tui_app *app, const char *line);
/* One key press (a character or a TUI_KEY_*), through the key table. */
void tui_app_key(tui_app *app, int key);
/* Let a command leave work beyond `ms` milliseconds or `units` steps (texts read, calls
 * tested; 0: no bound of that kind) to tui_app_idle: the terminal does, so every key
 * stays short. Both 0, the default: commands finish their work (scripts, batch modes). */
void tui_app_set_slice(tui_app *app, unsigned ms, size_t units);
/* Nonzero while work is left over (a search still counting). */
int tui_app_busy(const tui_app *app);
/* One slice of that work, between keys. */
void tui_app_idle(tui_app *app);
/* A mouse click (button 1) or wheel (+1 up, -1 down) at screen cell (x, y). */
void tui_app_click(tui_app *app, int x, int y);
void tui_app_wheel(tui_app *app, int x, int y, int dir);
/* Draw everything into `s` at its size. */
void tui_app_render(tui_app *app, tui_screen *s);
/* The last command's message ("" when none); owned by the app. */
const char *tui_app_message(const tui_app *app);
/* Nonzero once a quit command ran. */
int tui_app_done(const tui_app *app);
/* Did the viewer quit to the ring list (:rings)? */
int tui_app_to_rings(const tui_app *app);
/* The trace the app shows; owned by the app. */
const vtb_trace *tui_app_trace(const tui_app *app);

/* ---- loading, batch use ---- */

/* `vtui stats TRACE [options]`: argv[0] is "stats". Prints to stdout, errors to stderr.
 * Returns the process exit code: 0 success, 1 a bad trace file, 2 bad usage or a bad
 * pattern or value, 3 a bad or missing preset. */
int vtui_stats_main(int argc, char **argv);
/* `vtui calls` (calls_cmd.c): returns the exit status. */
int vtui_calls_main(int argc, char **argv);
/* Load `path`: Chrome JSON for .json/.json.gz, otherwise VTB with salvage. With
 * `progress` set, a bar with the bytes read goes to stderr once loading takes longer
 * than half a second. *note receives a malloc'd description of damage or import
 * problems (or NULL). Returns NULL and sets *cause on failure. The caller owns the trace. */
vtb_trace *tui_load(const char *path, int progress, char **note, char **cause);
/* vtui --rings [DIR]: list the ring files, open one (rings.c). Returns the exit status. */
int vtui_rings_main(int argc, char **argv);
/* vtui --live [PID] [--window D]: the viewer following a running process. */
int vtui_live_main(int argc, char **argv);
/* vtui --ask-dump PID: send a traced process its --dump-signal (askdump.c). */
int vtui_ask_dump_main(int argc, char **argv);
/* Replaces this process by vtui --rings on the directory of `path` when it is a ring file
 * (else the default); returns 1 only when that fails. */
int vtui_rings_reopen(const char *path);
/* Print the header and counts of `t` (vtui --info). Returns 0 or VTB_E_IO. */
int tui_print_info(const vtb_trace *t, const char *path, const char *note, FILE *out);
/* Parse "WxH"; 0 or VTB_E_ARG. */
int tui_parse_size(const char *text, int *width, int *height);
/* tui_render_script over `cmds`, each with the origin "--cmd". */
int tui_render_batch(tui_app *app, int width, int height, int ascii,
		     const char *const *cmds, size_t cmd_count, FILE *out, char **cause);

/* ---- filters, presets and scripts (filter_view.c, presets_ui.c, script.c) ---- */

/* Load the preset library: `explicit_path` alone when not NULL (--presets FILE), else the
 * search path of filters.h. Returns 0, or a negative FLT_E_* code with *cause (may be NULL)
 * naming each broken file and the position: the good files are still used. */
int tui_app_open_presets(tui_app *app, const char *explicit_path, char **cause);

/* A command line and where it came from ("--cmd", "run.vtui:3:"), for error messages. */
typedef struct tui_cmd_src {
	char *line;
	char *origin;
} tui_cmd_src;

/* Append a copy of (line, origin) to the array *cmds of *count entries (realloc'd). */
int tui_cmd_src_append(tui_cmd_src **cmds, size_t *count, const char *line, const char *origin);
/* Append the commands of the script `path`: one per line, blank lines and lines starting
 * with # skipped. 0, or a negative VTB_E_* code with *cause (file and line). */
int tui_script_append(const char *path, tui_cmd_src **cmds, size_t *count, char **cause);
void tui_cmd_src_free(tui_cmd_src *cmds, size_t count);
/* Run `cmds` in order, then print the screen as plain text (vtui --render). Returns 0, or
 * VTB_E_ARG with *cause naming the failing command's origin, VTB_E_NOMEM or VTB_E_IO. */
int tui_render_script(tui_app *app, int width, int height, int ascii, const tui_cmd_src *cmds,
		      size_t count, FILE *out, char **cause);

/* ---- the terminal ---- */

/* Run the interactive viewer on the terminal until a quit command; the terminal is
 * restored on return and on crash signals. mouse: clicks select, the wheel zooms.
 * Returns 0, or a negative error with *cause (malloc'd, the caller frees). */
int tui_term_run(tui_app *app, int mouse, char **cause);
/* A list to choose from on the terminal: `title` and a `heading` above, `lines` one per
 * row (arrows or j/k move). Returns the index Enter picked, `count` for q or Esc, or a negative VTB error
 * with *cause. */
int tui_term_pick(const char *title, const char *heading, const char *const *lines, int count,
		  char **cause);

#endif
