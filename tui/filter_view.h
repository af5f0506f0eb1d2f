/* SPDX-License-Identifier: MIT */
/* filter_view.h: filters, search and presets in the viewer. Private to tui/ (like analysis.h):
 * filter_view.c (the filter state, the per-call marking, drawing hooks, filter commands),
 * filter_visible.c (which calls are visible, moving between them),
 * search.c (search, next and previous match), presets_ui.c (presets and their picker).
 *
 * What a filter change costs: the patterns run once per name of the string table
 * (filters/), then one pass over the calls marks each call visible or not in a bitmap,
 * one bit per call, laid out row by row (rows as in tui_model: row_base[thread] + depth).
 * Drawing then tests one bit per drawn call and skips hidden runs 64 calls a word, so a
 * frame stays proportional to the screen.
 *
 * Visibility of a call:
 *   hidden by `hide` / `hide-file` when it or a call above it is excluded (by its name,
 *   file, or with `hide arg:` and the like by its own text: filter_text.c);
 *   hidden when shorter than min-duration or at max-depth or deeper;
 *   with `filter` / `filter-file` (or `filter arg:` ...): shown only when it matches, or
 *   when a shown match sits
 *   below it (its stack, drawn dim, so the chart still reads as a flame chart);
 *   every call of a thread whose name fails `filter-thread` is hidden, title included.
 */
#ifndef VTUI_FILTER_VIEW_H
#define VTUI_FILTER_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "filters/filters.h"
#include "tui/tui_private.h"

/* tui_view.shown_depths value of a thread the thread filter hides. */
#define TUI_THREAD_HIDDEN UINT32_MAX

/* Calls a search matched by their texts or by a mark inside them (search_text.c). */
struct tui_search_hits {
	const vtb_slice **calls;   /* sorted by address, no repeats */
	size_t count;
	size_t per_field[FLT_FIELD_COUNT]; /* matched args, return values, logs, exceptions, marks */
	size_t loose;              /* matched marks with no call around them */
	size_t cap;                /* while collecting */
	int oom;
	const tui_model *m;
};

/* Receives each call a text matched (a call may come more than once). */
typedef void (*tui_search_sink)(void *ctx, int32_t thread, uint32_t depth, size_t index);

/* A scan of the texts and marks a search reads, in steps (search_text.c). */
struct tui_search_scan {
	const tui_model *m;
	flt_pattern *p;
	enum flt_field field;
	tui_search_sink add;
	void *ctx;
	size_t thread, next;       /* where it stopped: a thread, its attachments then its marks */
	size_t units_done, units_total; /* texts and marks read, of all it will read */
	size_t per_field[FLT_FIELD_COUNT]; /* as in tui_search_hits */
	size_t loose;
	int unhandled;             /* the unhandled-exception instant of an exception dump matched */
	int done;
	int err;
	char **cause;
};

struct tui_search_job;

/* What the text filters (filter / hide with arg:, ret:, exc:) select, per call
 * (filter_text.c): bits in the marking's row layout, NULL when none. */
struct tui_text_marks {
	uint64_t *keep;            /* calls a `filter arg:...` selects */
	uint64_t *drop;            /* calls a `hide arg:...` selects */
	struct tui_search_hits kept; /* the kept calls by address (drawing: not dim) */
	struct tui_search_hits dropped; /* scratch while collecting */
};

struct tui_fview {
	flt_set *set;              /* the active filters, evaluated over the string table */
	int has_include;           /* "show only" is on: non-matching stacks are drawn dim */
	uint64_t *vis;             /* one bit per call, rows laid out by row_off; NULL: all */
	size_t *row_off;           /* per model row: its first bit (computed once); no per-call
				    * parent index: marking merges each row with the row above */
	uint32_t *shown_depths;    /* per thread: depth rows left to show, or TUI_THREAD_HIDDEN */
	struct tui_search_hits text_kept; /* calls a text include selected (drawn undimmed) */
	uint64_t shown_calls;      /* calls left visible */

	flt_pattern *search;       /* the search pattern (its field prefix taken off), or NULL */
	char *search_text;         /* the search as typed, prefix included */
	enum flt_field search_field;
	uint64_t *search_bits;     /* per name id: matches the search */
	size_t search_names;       /* names that match */
	uint64_t search_calls;     /* calls of those names (from the model's per-name counts) and
				    * the hits of other names (so far, while the search counts) */
	struct tui_search_job *job; /* the matching calls, one bit each (search.c; owned) */

	uint64_t *flat_bits;       /* per name id: what the model's trace has flattened, or NULL */
	size_t flat_count;         /* ids flat_bits covers */

	flt_presets *presets;      /* loaded at the first use, or by tui_app_open_presets */
	char *presets_path;        /* the --presets file, or NULL for the search path */
	int presets_loaded;
	char *presets_error;       /* what was wrong with the preset files, or NULL */
	size_t picker_pos;         /* selected line of the preset picker */
};

/* A new filter state for `app` (no filters, no search). NULL when out of memory. */
struct tui_fview *tui_fview_new(const tui_model *m);
void tui_fview_free(struct tui_fview *fv);

/* Drawing hooks (view_timeline.c). Index of the first visible call at or after `i` in the
 * row that `rc` searches (the row's count when none). */
size_t tui_fview_next(const tui_app *app, const tui_row_cursor *rc, size_t i);
int tui_fview_visible(const tui_app *app, int32_t thread, uint32_t depth, size_t i);
/* Move r along its row to the nearest call the filters leave, r itself included: forward
 * (dir > 0) or backward. 0, or -1 when there is none (r unchanged). */
int tui_fview_seek(const tui_app *app, tui_ref *r, int dir);
/* A selection move (`what`: child, prev-sibling, next-sibling, prev, next, from `cur`) that
 * landed on *r: when the filters hide *r, the next call along the move they leave (a child
 * of cur, a sibling, a neighbour). 0, or -1 when there is none. */
int tui_fview_visible_move(const tui_app *app, const char *what, tui_ref cur, tui_ref *r);
/* The style and attributes of a drawn call: dim above a match, marked by a search. */
void tui_fview_paint(const tui_app *app, const vtb_slice *sl, uint16_t *style, uint16_t *attr);
/* The status-line summary of filters and search ("" when none), in buf. */
void tui_fview_status(const tui_app *app, char *buf, size_t len);

/* Commands (rows of commands.c's table). The filter words run through filters/ with the
 * rest of the line verbatim as their argument (app->cmd_line). */
int tui_cmd_filter(tui_app *app, int argc, char **argv);
int tui_cmd_search(tui_app *app, int argc, char **argv);
/* `search TEXT` run directly (a preset's view: preset_view.c, which the command table
 * reaches, so it cannot run a command line): 0, or -1 with the message set. */
int tui_search_run(tui_app *app, const char *text);
int tui_cmd_next_match(tui_app *app, int argc, char **argv);
int tui_cmd_prev_match(tui_app *app, int argc, char **argv);
int tui_cmd_preset(tui_app *app, int argc, char **argv);
int tui_cmd_save_preset(tui_app *app, int argc, char **argv);
int tui_cmd_presets(tui_app *app, int argc, char **argv);

/* Replace the filter set with `next` (taken over, freed on failure): evaluate, mark, keep
 * the previous filters on error. 0 or -1 with the message set. */
int tui_fview_commit(tui_app *app, flt_set *next);
/* Run the search again over a new model (after flattening changed it); no message. */
void tui_search_rerun(tui_app *app);
/* Drop the search. */
void tui_search_clear(struct tui_fview *fv);
/* Nonzero when call `s` matches the search (its name or a hit; search_bits not NULL). */
int tui_search_matches(const struct tui_fview *fv, size_t string_count, const vtb_slice *s);
/* Nonzero while the search is still counting (its rest runs in tui_app_idle). */
int tui_search_busy(const struct tui_fview *fv);

/* Start a scan of what `p` matches in `field`'s texts and marks of `m`, handing each
 * matching call to `add` (nothing to scan for name and file). */
void tui_search_scan_init(struct tui_search_scan *c, const tui_model *m, flt_pattern *p,
			  enum flt_field field, tui_search_sink add, void *ctx);
/* Read up to `units` more texts: 1 when the scan is complete, 0 when there is more, or a
 * negative error with *cause (the match limit; the scan then stays failed). */
int tui_search_scan_step(struct tui_search_scan *c, size_t units, char **cause);

/* The calls whose texts (args, return values) or marks (logs, exceptions, instants,
 * snapshots; the dump's exception) match `p` in `field` (FLT_FIELD_ANY: all of them; none
 * for name and file) into *h, which the caller frees with tui_search_hits_free. 0, or a
 * negative error with *cause (the match limit). */
int tui_search_text(const tui_model *m, flt_pattern *p, enum flt_field field,
		    struct tui_search_hits *h, char **cause);
void tui_search_hits_free(struct tui_search_hits *h);
/* Nonzero when `s` is one of the hits. */
int tui_search_hit(const struct tui_search_hits *h, const vtb_slice *s);
/* Index of the first hit at or after address `s` (count when none). */
size_t tui_search_hits_from(const struct tui_search_hits *h, const vtb_slice *s);

/* The calls the text lists of `s` select in model `m`, as bits laid out by `row_off`
 * (filter_text.c) into *out, which the caller frees with tui_text_marks_free. 0, or a
 * negative error with *cause when the matcher set one (the match limit). */
int tui_filter_text(const tui_model *m, flt_set *s, const size_t *row_off, struct tui_text_marks *out,
		    char **cause);
void tui_text_marks_free(struct tui_text_marks *tm);

/* Flattening (flatten_view.c): after `next` was evaluated, show the model's trace with
 * next's flattened names taken out of the stacks (or whole again), when that changed.
 * 0, or -1 with the message set (the model then unchanged). */
int tui_flatten_update(tui_app *app, const flt_set *next);

/* The preset library, loaded along the search path at the first use (owned by the
 * filter state). NULL when out of memory. */
flt_presets *tui_presets_library(tui_app *app);

/* A preset's view (preset_view.c). The texts `take` points out->thread and range into. */
struct tui_preset_texts {
	char thread[256];
	char range[80];
};
/* The viewer's focused thread, visible range and search as a preset view (pointing into
 * `keep` and the search, valid until they change). */
void tui_preset_view_take(tui_app *app, flt_preset_view *out, struct tui_preset_texts *keep);
/* Put a preset's view back: search, thread, range. 0, or -1 with the message set; `said`
 * gets ", thread worker-2, view 1ms..2ms" for the status line. */
int tui_preset_view_restore(tui_app *app, const flt_preset_view *v, char *said, size_t len);

/* The preset picker (TUI_MODE_PICKER): keys and drawing over the timeline. */
void tui_picker_key(tui_app *app, int key);
void tui_draw_picker(tui_app *app, tui_screen *s, int y0, int h);

#endif
