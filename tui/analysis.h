/* SPDX-License-Identifier: MIT */
/* analysis.h: tracks (counters, marks, GC) and the bottom panels: the panel class
 * (struct tui_panel_ops) and the classes there are (logs, statistics, flame graph, diff),
 * their states. Private to tui/; what they show is computed by the analysis library
 * (analysis/analysis.h).
 *
 * Files: panels.c (the registry of classes), analysis.c (the generic state: the open
 * panel, its layout and keys, the selected mark), tracks.c (counter, mark and GC rows of
 * the timeline), one file per panel class with its state and commands (view_logs.c,
 * view_statspanel.c, flamegraph.c, view_diff.c, view_calls.c), cmd-panel.c (their command
 * rows).
 *
 * Adding a panel: a file that defines `const tui_panel_ops tui_panel_NAME` with its own
 * state, its extern below and one line in panels.c's `classes`; its commands are rows
 * of cmd-panel.c that open it with tui_an_open().
 *
 * Cost: every panel draws in time proportional to its height: the log panel keeps the
 * records of all threads in one time-sorted array (built at the first use) and finds the
 * cursor's record by binary search; statistics and the flame graph are computed once per
 * scope change and cached; a counter row finds each column's samples by binary search.
 */
#ifndef VTUI_ANALYSIS_H
#define VTUI_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "filters/filters.h"
#include "analysis/analysis.h"
#include "tui/tui_private.h"

/* RANGE: the range (range.c) once one is set, else the visible range. */
enum tui_scope { TUI_SCOPE_ALL, TUI_SCOPE_VISIBLE, TUI_SCOPE_SUBTREE, TUI_SCOPE_RANGE };
/* Stats columns, also the sort keys of the panel. */
enum tui_col { TUI_COL_NAME, TUI_COL_CALLS, TUI_COL_TOTAL, TUI_COL_SELF, TUI_COL_MEAN, TUI_COL_MAX };

/* A mark: thread index and index in its marks. thread < 0: none. */
typedef struct tui_mark_ref {
	int32_t thread;
	size_t index;
} tui_mark_ref;

/* GC slices of one process, sorted by start. */
struct tui_gc_track {
	uint32_t pid;
	vtb_slice *slices;
	size_t count;
};

/* A log record in the time-ordered list of every thread's records. */
struct tui_log_ent {
	uint64_t ts_ns;
	int32_t thread;
	uint32_t mark;
};

/* A panel class: what the generic code (analysis.c, cmd-panel.c) asks of a panel. The
 * state is the class's own struct, made by init and handed back to every operation. */
typedef struct tui_panel_ops {
	const char *name;
	/* A new state with the defaults, or NULL when out of memory. */
	void *(*init)(void);
	void (*free)(void *st);
	/* Copy the settings that do not depend on the trace into a new state (a live
	 * snapshot replaced the trace); NULL: nothing carries, the panel closes. */
	void (*carry)(void *to, const void *from);
	/* Rows it takes out of `avail` (NULL: two fifths). */
	int (*height)(int avail);
	/* Bring the state up to date with the trace and the view when the panel opens:
	 * 0, or -1 with a message. NULL: nothing to do. */
	int (*update)(tui_app *app, void *st);
	void (*draw)(tui_app *app, void *st, tui_screen *s, int y0, int h);
	/* A `panel` word: next, prev, page-down, page-up (delta: rows), top, bottom (delta
	 * far past either end), left, right (delta 0). */
	void (*move)(tui_app *app, void *st, const char *word, long delta);
	/* Enter: 0 with the command lines to run next in cmd (one per line, "" for none;
	 * `panel enter` hands them back to the dispatcher), or -1 with a message. */
	int (*enter)(tui_app *app, void *st, char *cmd, size_t len);
	/* The function of the selected row or node (for `longest`), or UINT32_MAX. NULL:
	 * none. */
	uint32_t (*function)(const tui_app *app, const void *st);
	/* Keys of this panel alone while it has the focus, looked up before the keys every
	 * focused panel shares, so a panel's letter never shadows a viewer key elsewhere.
	 * NULL: none. */
	const tui_binding *keys;
} tui_panel_ops;

extern const tui_panel_ops tui_panel_logs, tui_panel_stats, tui_panel_flame, tui_panel_diff, tui_panel_calls;

#define TUI_PANEL_CLASSES 8   /* room in the registry */

/* A class and its state (NULL until the panel is first opened). */
struct tui_panel {
	const tui_panel_ops *ops;
	void *st;
};

struct tui_analysis {
	struct tui_panel panels[TUI_PANEL_CLASSES]; /* by registry order; ops NULL past the last */
	struct tui_panel *open; /* the panel shown, or NULL */
	int focus;             /* the panel gets the movement keys */
	tui_mark_ref mark;     /* the selected mark (details pane), or none */
	int counter;           /* the counter (vtb_trace_counter index) the status line shows, or -1 */
	struct tui_counter_index *cidx; /* per counter: min/max summaries, built at init */
	uint32_t *corder;      /* counter indexes by process, then group, then index */
	size_t counter_count;

	struct tui_gc_track *gc; /* per process with GC slices */
	size_t gc_count;
	an_tasks *tasks;      /* asyncio task lanes (analysis/analysis.h), built at init */
};

/* The log panel's state (view_logs.c). */
struct tui_logs_panel {
	struct tui_log_ent *logs; /* every record, by time; NULL until the first use */
	size_t log_count;
	uint32_t *log_shown;   /* indexes into logs[] that pass the filters */
	size_t log_shown_count;
	int logs_built;
	uint32_t log_min_level;
	flt_pattern *log_re;
	size_t log_sel;        /* position in log_shown */
	int log_top;           /* first line drawn */
	uint64_t log_cursor;   /* the view cursor when the panel last followed it */
};

/* The statistics panel's state (view_statspanel.c). */
struct tui_stats_panel {
	int stats_scope;       /* enum tui_scope */
	int stats_sort;        /* enum tui_col */
	int stats_sorted_by;   /* the order rows are in */
	an_stats *stats;      /* cached for stats_key */
	uint64_t stats_key[4]; /* scope, t0 / thread, t1 / depth, index */
	size_t stats_sel;
	int stats_top;
};

/* The flame graph panel's state (flamegraph.c). */
struct tui_flame_panel {
	int flame_scope;
	struct an_flame_node *flame; /* flame[0] is the root; NULL until computed */
	size_t flame_count;
	uint64_t flame_key[4];
	uint32_t flame_sel;    /* selected node */
	uint32_t flame_zoom;   /* node shown full width */
};

/* The diff panel's state (view_diff.c): the trace not shown, and the rows. */
struct tui_diffview {
	vtb_trace *other;      /* the trace the app does not show (owned) */
	char *other_path;
	int showing_after;     /* the app shows the second trace (after) */
	struct an_diff *d;
	size_t sel;
	int top;
};

/* A new analysis state (panels closed). NULL when out of memory. */
struct tui_analysis *tui_an_new(tui_app *app);
void tui_an_free(struct tui_analysis *an);
/* Carry the open panel, the focus and each panel's settings from `from` to a new `to`
 * (a new snapshot of the trace); 0 or VTB_E_NOMEM. */
int tui_an_carry(struct tui_analysis *to, const struct tui_analysis *from);

/* The state of `ops` in this app, made on first use; NULL when out of memory (with a
 * message). */
void *tui_an_state(tui_app *app, const tui_panel_ops *ops);
/* The state of `ops`, or NULL when it has none yet. */
void *tui_an_peek(const tui_app *app, const tui_panel_ops *ops);
/* Open the panel of `ops` with the keys (its update runs): 0 or -1 with a message. */
int tui_an_open(tui_app *app, const tui_panel_ops *ops);
/* Give `ops` the state `st` (the old one freed) and open it; st NULL: take the state
 * away (not freed: the caller has it) and close the panel if it was open. */
void tui_an_adopt(tui_app *app, const tui_panel_ops *ops, void *st);
void tui_an_close(tui_app *app);
/* The class of the open panel, or NULL. */
const tui_panel_ops *tui_an_shown(const tui_app *app);
/* `stats` and `flame`: [visible|subtree|all|off] of the panel `ops` whose scope is
 * *scope; no argument toggles. */
int tui_an_scoped(tui_app *app, int argc, char **argv, const tui_panel_ops *ops, int *scope);

/* The app hooks. The command line of a key the focused panel takes, or NULL for the key
 * table. */
const char *tui_an_key(tui_app *app, int key);
/* Rows of the screen the panel takes out of `avail` (0: closed). */
int tui_an_panel_height(tui_app *app, int avail);
void tui_an_draw_panel(tui_app *app, tui_screen *s, int y0, int h);
/* Details of the selected mark: lines needed, and drawing (when no call is selected). */
int tui_an_mark_lines(tui_app *app, int h);
void tui_an_draw_mark(tui_app *app, tui_screen *s, int y0, int h);
/* Status-line text: the shown counter's value at the cursor ("" when none). */
void tui_an_status(tui_app *app, char *buf, size_t len, int ascii);

/* Tracks (tracks.c); the row builders are in tui_private.h. */
/* A click on a track row at column x: selects a mark or a counter. */
void tui_tracks_click(tui_app *app, const tui_row *r, int x);
int tui_gc_build(struct tui_analysis *an, const tui_model *m);
/* Build the counter summaries and GC rows (0 or VTB_E_NOMEM); fini frees them. */
int tui_tracks_init(struct tui_analysis *an, const tui_model *m);
void tui_tracks_fini(struct tui_analysis *an);
/* Index of the first sample at or after t. */
size_t tui_counter_find(const vtb_counter *c, uint64_t t);
/* Index of the first mark of th at or after t. */
size_t tui_mark_find(const vtb_thread *th, uint64_t t);

/* Log panel (view_logs.c). */
/* Move the selection by delta records and the timeline to it (a test drives it). */
void tui_logs_move(tui_app *app, long delta);

/* Scope bounds: 0 with the scope filled, or -1 with a message (nothing selected). */
int tui_scope_fill(tui_app *app, int scope, an_stats_scope *sc, uint64_t key[4]);
/* What a scope covers, for a panel's title ("whole trace", "range 1ms..2ms (1ms)"). */
void tui_scope_name(const tui_app *app, int scope, char *buf, size_t len);


/* Commands of the panels (rows of cmd-panel.c), in the panels' files. */
int tui_cmd_logs(tui_app *app, int argc, char **argv);
int tui_cmd_log_level(tui_app *app, int argc, char **argv);
int tui_cmd_log_filter(tui_app *app, int argc, char **argv);
int tui_cmd_stats(tui_app *app, int argc, char **argv);
int tui_cmd_sort(tui_app *app, int argc, char **argv);
int tui_cmd_flame(tui_app *app, int argc, char **argv);
int tui_cmd_diff(tui_app *app, int argc, char **argv);
int tui_cmd_diff_rank(tui_app *app, int argc, char **argv);
int tui_cmd_diff_open(tui_app *app, int argc, char **argv); /* swap.c: it rebuilds the panels */
void tui_diffv_free(struct tui_diffview *dv);
/* `calls [on|off|incident]` (C, E: view_calls.c). */
int tui_cmd_calls(tui_app *app, int argc, char **argv);
/* The time, duration and indent columns of a call-list row (calls_cmd.c). */
struct calls_row;
void tui_calls_columns(char *buf, size_t len, const struct calls_row *r, uint64_t first_ns, int ascii);


#endif
