/* SPDX-License-Identifier: MIT */
/* tui_private.h: what the files of tui/ share and nobody else includes.
 *
 * Layers, bottom up: the model (query.c: indexes and navigation over the immutable
 * trace), the view state (view.c: window, cursor, selection, folding, scroll), the views
 * (view_*.c: draw model + view into a screen model), the command language (commands.c,
 * keys.c) and the app (app.c) that ties them together. Only term.c talks to curses.
 */
#ifndef VTUI_TUI_PRIVATE_H
#define VTUI_TUI_PRIVATE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "analysis/analysis.h"
#include "common/vtb.h"
#include "common/vtb_follow.h"
#include "tui/tui.h"

/* ---- model (query.c) ---- */

/* A call: thread index in the trace, depth, index in rows[depth]. thread < 0: none. */
typedef struct tui_ref {
	int32_t thread;
	uint32_t depth;
	size_t index;
} tui_ref;

#define TUI_REF_NONE ((tui_ref){ -1, 0, 0 })

typedef struct tui_model {
	vtb_trace *trace;          /* owned */
	const vtb_header *hdr;
	uint64_t first_ns, last_ns; /* span of everything in the trace */
	size_t thread_count;
	uint32_t *order;           /* thread indexes grouped by process, in display order */
	size_t process_groups;     /* distinct (dump, pid) among threads */
	an_sources *sources;      /* owned; NULL: one dump */
	size_t string_count;
	uint32_t *fn_calls;        /* calls per string id, counted once at load */
	uint8_t *hue;              /* colour hue per string id, from a hash of the name */
	size_t *row_base;          /* per thread: its first entry in buckets[] */
	size_t bucket_rows;
	struct tui_buckets {
		uint64_t t0_ns, span_ns; /* the row's time range, cut in `count` equal buckets */
		size_t count;
		size_t *first;     /* [count + 1]: the first slice ending after each bucket's start */
	} *buckets;
} tui_model;

/* About one bucket per this many slices: 0.5 byte per call turns a row search into one
 * lookup by time and a binary search over a few slices, so a zoomed-out frame touches a
 * few cache lines per column instead of a path through the whole row. */
#define TUI_BUCKET_SLICES 16

/* Searching one row (a row drawn left to right). */
typedef struct tui_row_cursor {
	const vtb_row *row;
	const struct tui_buckets *b;
} tui_row_cursor;

/* Index `t` (which the model then owns, also on failure: tui_model_fini frees it) in one
 * pass: calls per function, hues, thread order, row buckets. 0, or VTB_E_NOMEM with *cause. */
int tui_model_init(tui_model *m, vtb_trace *t, char **cause);
/* Free what init built and the trace. */
void tui_model_fini(tui_model *m);
/* What groups a thread under one title row: its dump (with sources) and its pid. */
uint64_t tui_model_group(const tui_model *m, size_t thread);
/* Order the threads by group, keeping the trace's order within one; counts the groups. */
void tui_model_order(tui_model *m);
void tui_row_cursor_init(tui_row_cursor *c, const tui_model *m, int32_t thread, uint32_t depth);
/* Index of the first slice ending after t (row count if none): vtb_row_find through the
 * row's time buckets. */
size_t tui_row_cursor_find(tui_row_cursor *c, uint64_t t);
/* Everything below returns pointers into the trace, valid while the model lives. */
const vtb_thread *tui_model_thread(const tui_model *m, int32_t thread);
/* The slice `r` names, or NULL when r is none or out of range. */
const vtb_slice *tui_model_slice(const tui_model *m, tui_ref r);
/* A string's name, "?" for an id out of range. */
const char *tui_model_name(const tui_model *m, uint32_t name_id);
uint64_t tui_slice_end(const vtb_slice *s);
/* Index of the first slice of `row` starting at or after t (row count if none). */
size_t tui_row_first_from(const vtb_row *row, uint64_t t);
/* The first slice of rows[depth] of `thread` that overlaps [t0, t1) (t1 > t0); its
 * index goes to *index. Returns how many slices overlap, capped at 2 (0: none). */
int tui_query_at(const tui_model *m, int32_t thread, uint32_t depth, uint64_t t0, uint64_t t1,
		 size_t *index);
/* Navigation: 0 with *out set, or -1 when there is no such call. */
int tui_query_parent(const tui_model *m, tui_ref r, tui_ref *out);
int tui_query_first_child(const tui_model *m, tui_ref r, tui_ref *out);
/* dir -1: previous, +1: next. Siblings share the parent; neighbours only the depth. */
int tui_query_sibling(const tui_model *m, tui_ref r, int dir, tui_ref *out);
int tui_query_neighbour(const tui_model *m, tui_ref r, int dir, tui_ref *out);
/* Duration minus the time spent in direct children. */
uint64_t tui_query_self_ns(const tui_model *m, tui_ref r);
/* The call at depth `depth` under time t, or the nearest one to it. */
int tui_query_nearest(const tui_model *m, int32_t thread, uint32_t depth, uint64_t t, tui_ref *out);

/* ---- view state (view.c) ---- */

typedef struct tui_view {
	uint64_t start_ns;     /* first visible time */
	uint64_t span_ns;      /* visible time span */
	uint64_t cursor_ns;    /* zoom anchor, shown in the ruler and status line */
	tui_ref sel;
	uint32_t focus;        /* position in model.order of the thread keys act on */
	uint8_t *folded;       /* per trace thread index */
	int scroll;            /* first visible timeline row */
	int cols;              /* timeline width of the last render */
	int rows;              /* timeline height of the last render */
	int details;           /* show the details pane */
	const uint32_t *shown_depths; /* per thread: depth rows the filters leave, UINT32_MAX
				       * for a thread they hide; NULL: no filter (filter_view.c) */
	int follow;            /* scroll the selection or the focus into view at the next draw */
	uint64_t range_t0_ns, range_t1_ns; /* the range (range.c): [t0, t1) when t1 > t0 */
	int range_open;        /* a start is set, the end not yet */
	const struct tui_analysis *an; /* counter, mark and GC rows (tui/analysis.h), or NULL */
} tui_view;

/* A view of the whole trace, nothing selected; 0 or VTB_E_NOMEM. fini frees its arrays. */
int tui_view_init(tui_view *v, const tui_model *m);
void tui_view_fini(tui_view *v);
void tui_view_fit(tui_view *v, const tui_model *m);
/* Zoom by `factor` (> 1 zooms in) keeping the cursor's column in place. */
void tui_view_zoom(tui_view *v, const tui_model *m, double factor);
void tui_view_pan(tui_view *v, const tui_model *m, int64_t delta_ns);
/* Show [t0, t1) with a little margin. */
void tui_view_show(tui_view *v, const tui_model *m, uint64_t t0, uint64_t t1);
/* Keep start/span within the trace and the cursor inside the window. */
void tui_view_clamp(tui_view *v, const tui_model *m);
/* Centre the window on t without zooming, and put the cursor there. */
void tui_view_center(tui_view *v, const tui_model *m, uint64_t t);
/* Column of time t (may be outside [0, cols)); time at the left edge of column c
 * (units.c: the tracks use them too, under the view). */
int64_t tui_view_col(const tui_view *v, uint64_t t);
uint64_t tui_view_time(const tui_view *v, int64_t c);
/* Select `r`, focus its thread, move the cursor onto it and pan it into view. */
void tui_view_select(tui_view *v, const tui_model *m, tui_ref r);

/* Timeline rows: a process title, a thread title, or one depth of a thread. */
/* Track rows (tui/analysis.h): a counter's title (depth: its first counter index) and one
 * series each (depth: counter index), a thread's marks, a process's GC row (depth: index),
 * an asyncio task's lane under its thread (depth: lane index). */
enum tui_row_kind { TUI_ROW_PROCESS, TUI_ROW_THREAD, TUI_ROW_DEPTH, TUI_ROW_COUNTER_TITLE,
		    TUI_ROW_COUNTER, TUI_ROW_MARKS, TUI_ROW_GC, TUI_ROW_TASK };
typedef struct tui_row {
	uint8_t kind;
	int32_t thread;
	uint32_t depth;
	uint32_t pid;
} tui_row;

/* Track rows (tracks.c): a process's counters and GC row, a thread's marks and task rows, appended
 * at rows[*n]; tui_tracks_max_rows bounds how many all processes and threads add. */
struct tui_analysis;
size_t tui_tracks_max_rows(const tui_model *m);
void tui_tracks_process_rows(const struct tui_analysis *an, const tui_model *m, uint32_t pid,
			     tui_row *rows, size_t *n);
void tui_tracks_thread_rows(const struct tui_analysis *an, const tui_model *m, int32_t thread, tui_row *rows,
			    size_t *n);
struct tui_app;
/* Draw a track row; col_t[c] is the time at column c's left edge (as the timeline's). */
void tui_tracks_draw(struct tui_app *app, tui_screen *s, int y, const tui_row *r, const uint64_t *col_t);
/* The rows for the current folding; *count gets their number. The caller frees. */
tui_row *tui_view_rows(const tui_view *v, const tui_model *m, size_t *count);
/* The row index showing (thread, depth), or its thread title when folded; -1 if none. */
int tui_view_row_of(const tui_row *rows, size_t count, int32_t thread, uint32_t depth);
/* Scroll so that row `row` is visible. */
void tui_view_scroll_to(tui_view *v, int row, size_t row_count);

/* A panel's title line: " what (keys) " on a rule; when that does not fit, the keys
 * lose their words ("j/k move, Esc leaves" -> "j/k Esc") (screen.c). */
void tui_panel_title(tui_screen *s, int y, const char *what, const char *keys);

/* The tid of the tracer's row of GC spans (tracer/dump.c): no thread, but the process's
 * collections, shown as such and not twice as the process's GC track. */
#define TUI_GC_TID 0xffffffffull
/* `in` in at most `cols` characters: when longer, its middle becomes an ellipsis ("~" in
 * ASCII), so names that differ only at the end ("_bootstrap", "_bootstrap_inner") stay
 * apart. */
void tui_elide(char *out, size_t len, const char *in, int cols, int ascii);
/* Characters (code points) of a UTF-8 text: its columns for the names vtui shows. */
int tui_text_cols(const char *s);
/* How much of t (longer than room) to put on a line of `room` columns: up to a blank,
 * or after a | or a comma (usages such as parent|child|next-sibling, argument lists);
 * a word longer than the line is the only thing cut. */
int tui_wrap_at(const char *t, int room);
/* One line of a text shown in `room` columns: *len bytes of t, up to a line break or a
 * wrap (tui_wrap_at); returns the start of the next line, or NULL after the last. */
const char *tui_next_line(const char *t, int room, int *len);
/* The first line of a list of `count` lines in `rows` rows from `top`, moved up so that
 * no row stays empty while lines above are hidden (after a filter shrank the list). */
int tui_list_top(int top, size_t count, int rows);
/* "MainThread tid 123", or "GC (garbage collections)" for the GC row. */
void tui_thread_label(const vtb_thread *th, char *buf, size_t len);

/* ---- units (units.c) ---- */

/* A moment of the trace (the cursor, a mark, a log record), to one column of the view or
 * three significant digits, whichever is finer (units.c). */
void tui_fmt_at(const tui_app *app, char *buf, size_t len, uint64_t t_ns, int ascii);
/* A Python logging level's name ("WARNING"), or the level below it that has one. */
const char *tui_level_name(uint32_t level);
/* "1,234,567" */
void tui_fmt_count(char *buf, size_t len, uint64_t n);

struct timespec;
/* Seconds from *t0 (CLOCK_MONOTONIC) to now. */
double tui_seconds_since(const struct timespec *t0);
/* A malloc'd printf-style string (the caller frees), or NULL when out of memory. */
char *tui_strdupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- live (live.c) ---- */

/* How often the terminal loop takes a new snapshot of a live ring. */
#define TUI_LIVE_PERIOD_MS 250
/* Milliseconds a key may spend on work that can go on between keys (a search's count). */
#define TUI_SLICE_MS 4

/* The ring followed (its path, pid, --window span); owned by `lv`. */
const vtb_follow *tui_live_follow(const tui_live *lv);
int tui_live_frozen(const tui_live *lv);
/* What the last snapshot met (records decoded, dropped); bench_live.c reads it. */
const vtb_ring_snap_stats *tui_live_stats(const tui_live *lv);
void tui_live_freeze(tui_live *lv, int frozen);
/* "LIVE pid 12", "FROZEN pid 12", or "ENDED: <how the process ended>". */
void tui_live_state(const tui_live *lv, char *buf, size_t len);
/* Swap snapshot `t` into the app (which owns it, also on failure), keeping filters, the
 * open panel and the view's span; while the view's right edge was at the end of the old
 * trace it stays at the end of the new one. 0 or VTB_E_NOMEM. */
int tui_app_swap_trace(tui_app *app, vtb_trace *t, char **cause);
/* :freeze, :follow, :pause (toggle; swap.c) and :dump [PATH] (live.c). */
int tui_cmd_freeze(tui_app *app, int argc, char **argv);

/* ---- asking a process to dump (askdump.c) ---- */
typedef struct tui_ask {
	vtb_ring *ring;
	uint32_t pid;
	int was_dumped;
	char old_path[1024];
} tui_ask;
/* Sends the process of ring `path` (whose pid must be `pid`) its dump signal. 0 sent, or -1
 * when it cannot be asked (not running, no dump signal, not ours); *msg says which (the
 * caller frees it). tui_ask_free after, either way. */
int tui_ask_dump(tui_ask *ask, uint32_t pid, const char *path, char **msg);
/* 1 and the dump's path once the header shows a dump after the ask, else 0. */
int tui_ask_done(tui_ask *ask, char *path, size_t len);
void tui_ask_free(tui_ask *ask);
int tui_cmd_ask_dump(tui_app *app, int argc, char **argv);
int tui_cmd_dump(tui_app *app, int argc, char **argv);

/* ---- the incident and goto (incident.c), marks by kind (marks.c), range (range.c, range_text.c) ---- */

struct tui_incident;
void tui_incident_free(struct tui_incident *in);
/* The traceback of the unhandled exception when `r` is a call it left (NULL otherwise);
 * owned by the trace. */
const char *tui_incident_traceback(struct tui_app *app, tui_ref r);
/* Whether call `r`, which an exception left, is where it began: its last child was not
 * left by it. */
int tui_exception_origin(const tui_model *m, tui_ref r);
int tui_cmd_goto(struct tui_app *app, int argc, char **argv);
int tui_cmd_mark(struct tui_app *app, int argc, char **argv);
int tui_cmd_range(struct tui_app *app, int argc, char **argv);
/* The range's part of the status line ("" without one). */
void tui_range_status(const struct tui_app *app, char *buf, size_t len);

/* ---- the app (app.c) ---- */

enum tui_mode { TUI_MODE_NORMAL, TUI_MODE_COMMAND, TUI_MODE_HELP, TUI_MODE_PICKER };

struct tui_fview; /* filters, search and presets: tui/filter_view.h */

struct tui_app {
	tui_model model;
	tui_view view;
	char *path;
	char *note;           /* damage or import problems, or NULL */
	char message[256];    /* the last command's outcome, for the status line */
	int message_is_error;
	int mode;             /* enum tui_mode */
	char cmdline[256];    /* what is typed after ':' */
	size_t cmdline_len;
	char *history[32];    /* command lines run from ':' (newest last) */
	size_t history_count;
	size_t history_pos;
	char history_prefix[256]; /* what the prompt opened with: recall keeps to lines so begun */
	int help_scroll;
	int ascii;            /* the last render's screen was ASCII-only */
	int screen_w, screen_h; /* size of the last render */
	tui_ref details_ref;  /* the call details_scroll belongs to */
	int details_scroll;   /* first line of its details shown (I scrolls) */
	int details_rows;     /* text rows of the pane at the last render */
	tui_ref self_ref;     /* the call self_ns belongs to: computed once per selection */
	uint64_t self_ns;
	int timeline_y, timeline_h; /* where the last render put the timeline (mouse) */
	int redraw;           /* the terminal layer should repaint everything */
	struct tui_fview *fv; /* filters, search, presets (owned) */
	unsigned slice_ms;    /* tui_app_set_slice */
	size_t slice_units;
	const char *cmd_line; /* the command line being run (a regex takes its rest verbatim) */
	const struct tui_command *cmd; /* its table row (for its usage), or NULL */
	struct tui_then *then; /* the lines its handler hands back (tui_cmd_then), or NULL */
	int then_depth;       /* handed-back lines running handed-back lines: stop at a loop */
	struct tui_analysis *an; /* tracks, panels, marks: tui/analysis.h (owned) */
	tui_live *live;       /* vtui --live: the followed ring (owned), or NULL */
	struct tui_incident *incident; /* where the dump was triggered (incident.c), or NULL */
	int quit;
};

/* Set the status message (printf-style); error marks it as a failure. */
void tui_app_msg(tui_app *app, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- commands (commands.c, the tables in cmd-*.c) and keys (keys.c) ---- */

enum tui_cmd_flag {
	/* argv[1], when given, is one of the words of the usage's first argument
	 * ("parent|child|none", "[on|off]"): the dispatcher checks it */
	TUI_CMD_CHOICE = 1,
	/* the arguments are text the handler reads whole with tui_cmd_rest() (a regex keeps
	 * its blanks and quotes); max_args is not checked */
	TUI_CMD_TEXT = 2,
};

/* A named command, a row of one topic's table. The dispatcher checks min_args <=
 * argc - 1 <= max_args (and the TUI_CMD_CHOICE word) and prints "usage: NAME USAGE"
 * before run() is called; run() gets argv[0] = the name and returns 0, or -1 after
 * setting an error with tui_app_msg(). */
typedef struct tui_command {
	const char *name;
	const char *alias;    /* a short name, or NULL */
	const char *usage;    /* arguments, for the usage error, :help and the man page */
	int min_args, max_args;
	unsigned flags;       /* enum tui_cmd_flag */
	const char *help;     /* one line, for :help */
	int (*run)(tui_app *app, int argc, char **argv);
	const char *man;      /* the man page's text (markup: man_commands.c), or NULL: the help */
} tui_command;

/* The `:` line: Tab completion of the word at its end (complete.c); the prompt opened
 * (with the words typed so far); Up (dir -1) and Down through the history (history.c). */
void tui_line_complete(tui_app *app);
void tui_line_opened(tui_app *app);
void tui_line_recall(tui_app *app, int dir);

/* The topic tables (cmd-view.c, cmd-filter.c, cmd-panel.c, cmd-app.c), each ended by a
 * NULL name; commands.c lists them in the order :help shows them. */
extern const tui_command tui_cmds_view[], tui_cmds_filter[], tui_cmds_panel[], tui_cmds_app[];

/* The i-th command of all tables (help order), or NULL past the last: for help and
 * Tab completion. */
const tui_command *tui_cmd_at(size_t i);
/* The man page's heading of the topic the i-th command opens, and its opening text (markup,
 * or NULL) into *intro; NULL when the i-th command opens no topic. */
const char *tui_cmd_topic(size_t i, const char **intro);
/* Write man/vtui.1's list of commands (roff) from the tables (man_commands.c); 0 or
 * VTB_E_IO. */
int tui_cmd_man(FILE *out);
/* Compare the list of commands in the man page at `path` (between its marker lines) with
 * tui_cmd_man's, and when `rewrite`, replace it: 0 when they agree, 1 when they differ
 * (rewritten or not), or a negative error with *cause (the caller frees; may be NULL when
 * out of memory). */
int tui_cmd_man_update(const char *path, int rewrite, char **cause);
/* The command called `name` or with that alias, or NULL. */
const tui_command *tui_command_find(const char *name);
/* The i-th choice word of the row's usage ("[on|off]": 0 "on", 1 "off") into buf; 0, or -1
 * past the last. */
int tui_cmd_choice_word(const tui_command *c, size_t i, char *buf, size_t len);
/* Split, look up, check and run one command line. */
int tui_command_run(tui_app *app, const char *line);
/* Set "usage: NAME USAGE" of the command being run as the error (message.c); returns
 * -1. For a value the handler finds bad after the dispatcher's checks. */
int tui_cmd_usage(tui_app *app);
/* The argument text of the command being run: the line after its first word and blanks,
 * without trailing blanks (message.c). The caller frees; NULL when out of memory. */
char *tui_cmd_rest(const tui_app *app);
/* A copy of p without its leading blanks and trailing blanks and line ends (message.c). The
 * caller frees; NULL when out of memory. */
char *tui_trim_dup(const char *p);

/* Command lines a handler hands back to the dispatcher, which runs them once the handler
 * has returned 0: so a handler never calls the command language, whose tables name it. */
typedef struct tui_then {
	char **lines;
	size_t count;
	char *context; /* tui_cmd_then_as's, or NULL */
	int (*done)(tui_app *app, void *ctx, int rc); /* tui_cmd_then_done's, or NULL */
	void *done_ctx;
} tui_then;
/* Hand back `line` to run after the running command, as if typed next: the message is
 * cleared first, and the last line's result is the command's (message.c). 0, or -1 with
 * a message. */
int tui_cmd_then(tui_app *app, const char *line);
/* Run the lines handed back as `context`'s ("preset NAME"): until the first error, whose
 * message becomes "CONTEXT, 'LINE': MESSAGE". 0, or -1 with a message. */
int tui_cmd_then_as(tui_app *app, const char *context);
/* Once the lines handed back ran (or the handler failed), call done(app, ctx, rc) with
 * their result, which it returns or replaces; done owns ctx. 0, or -1 with a message (ctx
 * not taken). */
int tui_cmd_then_done(tui_app *app, int (*done)(tui_app *app, void *ctx, int rc), void *ctx);

typedef struct tui_binding {
	int key;
	const char *command;  /* a command line */
	const char *help;     /* shown once per command line in the help view; NULL: alias */
} tui_binding;

/* The key table, terminated by key 0. */
const tui_binding *tui_bindings(void);
/* The command line bound to `key`, or NULL. */
const char *tui_key_command(int key);
/* A key's name as a person types it ("w", "Enter", "C-f", "PgDn"). */
void tui_key_name(int key, char *buf, size_t len);

/* ---- views ---- */

/* Each draws the rows [y0, y0 + h) of `s`. */
void tui_draw_header(tui_app *app, tui_screen *s, int y);
void tui_draw_ruler(tui_app *app, tui_screen *s, int y);
void tui_draw_status(tui_app *app, tui_screen *s, int y);
void tui_draw_timeline(tui_app *app, tui_screen *s, int y0, int h);
void tui_draw_details(tui_app *app, tui_screen *s, int y0, int h);
/* Lines the selected call's details take at width w, wrapped (0: nothing selected). */
int tui_details_lines(tui_app *app, int w);
void tui_draw_help(tui_app *app, tui_screen *s, int y0, int h);
/* Lines the help view has, for scrolling. */
int tui_help_lines(int width);

#endif
