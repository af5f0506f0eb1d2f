/* SPDX-License-Identifier: MIT */
/* analysis.h: tracks (counters, marks, GC), the log panel, the statistics panel, the
 * aggregated flame graph and the trace diff panel. Private to tui/; what they show is
 * computed by the analysis library (analysis/analysis.h).
 *
 * Files: analysis.c (the state, the bottom panel's layout, keys and commands), tracks.c
 * (counter, mark and GC rows of the timeline), view_logs.c, view_statspanel.c,
 * flamegraph.c, view_diff.c.
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

enum tui_panel { TUI_PANEL_NONE, TUI_PANEL_LOGS, TUI_PANEL_STATS, TUI_PANEL_FLAME, TUI_PANEL_DIFF };
enum tui_scope { TUI_SCOPE_ALL, TUI_SCOPE_VISIBLE, TUI_SCOPE_SUBTREE };
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

struct tui_analysis {
	int panel;             /* enum tui_panel */
	int focus;             /* the panel gets the movement keys */
	tui_mark_ref mark;     /* the selected mark (details pane), or none */
	int counter;           /* the counter (vtb_trace_counter index) the status line shows, or -1 */
	struct tui_counter_index *cidx; /* per counter: min/max summaries, built at init */
	uint32_t *corder;      /* counter indexes by process, then group, then index */
	size_t counter_count;

	struct tui_gc_track *gc; /* per process with GC slices */
	size_t gc_count;
	tui_tasks *tasks;      /* asyncio task lanes (tui/stats.h), built at init */

	/* logs */
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

	/* statistics */
	int stats_scope;       /* enum tui_scope */
	int stats_sort;        /* enum tui_col */
	int stats_sorted_by;   /* the order rows are in */
	tui_stats *stats;      /* cached for stats_key */
	uint64_t stats_key[4]; /* scope, t0 / thread, t1 / depth, index */
	size_t stats_sel;
	int stats_top;

	/* flame graph */
	int flame_scope;
	struct tui_flame_node *flame; /* flame[0] is the root; NULL until computed */
	size_t flame_count;
	uint64_t flame_key[4];
	uint32_t flame_sel;    /* selected node */
	uint32_t flame_zoom;   /* node shown full width */

	struct tui_diffview *diff; /* `vtui --diff`: the other trace and the comparison, or NULL */
};

/* The viewer's side of a diff: the trace not shown, and the rows. */
struct tui_diffview {
	vtb_trace *other;      /* the trace the app does not show (owned) */
	char *other_path;
	int showing_after;     /* the app shows the second trace (after) */
	struct tui_diff *d;
	size_t sel;
	int top;
};

/* A new analysis state (panels closed). NULL when out of memory. */
struct tui_analysis *tui_an_new(tui_app *app);
void tui_an_free(struct tui_analysis *an);

/* The app hooks. A key the focused panel takes (returns 1), or 0 for the key table. */
int tui_an_key(tui_app *app, int key);
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
int tui_logs_build(tui_app *app);
int tui_logs_refilter(tui_app *app);
void tui_logs_draw(tui_app *app, tui_screen *s, int y0, int h);
void tui_logs_move(tui_app *app, long delta);
/* Move the timeline to the selected record and select it as the mark. */
void tui_logs_goto(tui_app *app);
const char *tui_level_name(uint32_t level);

/* Statistics panel (view_statspanel.c). */
int tui_statsp_update(tui_app *app);
void tui_statsp_draw(tui_app *app, tui_screen *s, int y0, int h);
void tui_statsp_move(tui_app *app, long delta);
/* The function of the selected stats row, or UINT32_MAX. */
uint32_t tui_statsp_selected(const tui_app *app);
/* Scope bounds: 0 with the scope filled, or -1 with a message (nothing selected). */
int tui_scope_fill(tui_app *app, int scope, tui_stats_scope *sc, uint64_t key[4]);

/* Flame graph (flamegraph.c). */
int tui_flame_update(tui_app *app);
void tui_flame_draw(tui_app *app, tui_screen *s, int y0, int h);
/* dir: "parent", "child", "prev", "next". 0 or -1 when there is none. */
int tui_flame_move(tui_app *app, const char *dir);

/* Commands (rows of commands.c's table). */
int tui_cmd_logs(tui_app *app, int argc, char **argv);
int tui_cmd_log_level(tui_app *app, int argc, char **argv);
int tui_cmd_log_filter(tui_app *app, int argc, char **argv);
int tui_cmd_stats(tui_app *app, int argc, char **argv);
int tui_cmd_sort(tui_app *app, int argc, char **argv);
int tui_cmd_longest(tui_app *app, int argc, char **argv);
int tui_cmd_flame(tui_app *app, int argc, char **argv);
int tui_cmd_panel(tui_app *app, int argc, char **argv);
int tui_cmd_mark(tui_app *app, int argc, char **argv);
int tui_cmd_counter(tui_app *app, int argc, char **argv);
int tui_cmd_diff(tui_app *app, int argc, char **argv);
int tui_cmd_diff_open(tui_app *app, int argc, char **argv);

/* Diff panel (view_diff.c). */
void tui_diffv_draw(tui_app *app, tui_screen *s, int y0, int h);
void tui_diffv_move(tui_app *app, long delta);
/* Select the longest call of the selected row's function in the shown trace and search
 * for its calls (n / N go through them). */
int tui_diffv_enter(tui_app *app);
void tui_diffv_free(struct tui_diffview *dv);
/* Select the call of function `id` (in the shown trace) that lasts longest; 0 or -1. */
int tui_select_longest(tui_app *app, uint32_t id);


#endif
