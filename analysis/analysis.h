/* SPDX-License-Identifier: MIT */
/* analysis.h: what is computed over a loaded trace, with no user interface: the analysis
 * library, used by the viewer's panels and by the batch commands (`vtui stats`). It needs
 * common/ and filters/ only.
 *
 * Files: stats.c (per-function statistics and their table, CSV and JSON writers), diff.c
 * (two traces compared function by function), flame.c (the aggregated flame graph's
 * tree), multi.c (several dumps of one run merged onto one clock), calls.c and
 * incident.c (a thread's call list, the incident), tasks.c (asyncio tasks as lanes:
 * their steps stitched together, per-task figures), text.c (times, durations and ranges
 * as people read and type them, messages cleaned for a terminal), load.c (a trace file
 * opened by its kind, JSON under the limits the options set, or VTB).
 *
 * Statistics, per string id: calls, total, self, mean and max, as vtui(1) STATISTICS
 * defines them:
 *   calls  calls counted (see the scope below), recursive ones included
 *   total  inclusive time: the sum of durations of counted calls that have no counted
 *          ancestor of the same id, so recursion is not counted twice (as cProfile's
 *          cumulative time)
 *   self   the call's duration minus its direct children's, summed over counted calls;
 *          always the intrinsic self time, whatever the filters hide
 *   mean   total / calls: equal to the mean duration of a call for a function that does
 *          not recurse; for one that does, the time per call, so that calls * mean is
 *          always total and the columns never disagree
 *   max    the longest counted call
 * All in nanoseconds. Self times come from one linear pass per thread over the depth
 * rows (children sit at depth + 1 inside their parent's span).
 */
#ifndef VTUI_ANALYSIS_LIB_H
#define VTUI_ANALYSIS_LIB_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>

#include "common/vtb.h"
#include "common/vtb_json.h"
#include "filters/filters.h"

/* In the panel's column order; `vtui stats --sort` and the `sort` command take the same
 * words (AN_STATS_SORT_WORDS). */
enum an_stats_sort { AN_STATS_NAME, AN_STATS_CALLS, AN_STATS_TOTAL, AN_STATS_SELF, AN_STATS_MEAN,
		      AN_STATS_MAX };
#define AN_STATS_SORT_WORDS "name|calls|total|self|mean|max"
enum an_stats_format { AN_STATS_TABLE, AN_STATS_CSV, AN_STATS_JSON };

/* Which calls count. Zeroed, it means every call of every thread. */
typedef struct an_stats_scope {
	uint64_t t0_ns, t1_ns;   /* count calls starting in [t0, t1); t1 == 0: no range */
	int subtree;             /* nonzero: only the subtree of one slice (itself included) */
	size_t thread;           /* with subtree: the slice's thread index, */
	uint32_t depth;          /* its depth */
	size_t index;            /* and its index in rows[depth] */
	/* Filters, evaluated over the trace's string table (flt_set_eval) before the call,
	 * or NULL. Counted: threads passing the thread pattern; calls whose name is included,
	 * which have no excluded call at or above them (hide drops the subtree), and which
	 * pass min-duration and max-depth. A set with text lists (arg:, ret:, exc:) is
	 * refused: they select calls, not names. */
	flt_set *filter;
} an_stats_scope;

typedef struct an_stats_row {
	uint32_t name_id;
	uint64_t calls;
	uint64_t total_ns;
	uint64_t self_ns;
	uint64_t max_ns;
} an_stats_row;

typedef struct an_stats {
	an_stats_row *rows;     /* one per id with calls > 0 */
	size_t count;
	uint64_t calls;          /* calls counted over all rows */
} an_stats;

/* Compute the statistics of `t` in `scope` (NULL: everything). Returns 0 with *out a
 * result the caller frees with an_stats_free, or a negative VTB_E* code with *cause. */
int an_stats_compute(const vtb_trace *t, const an_stats_scope *scope, an_stats **out,
		      char **cause);
void an_stats_free(an_stats *s);
/* Sort rows by `by`, largest first; ties by name, then id (AN_STATS_NAME: names A to Z). */
void an_stats_sort(an_stats *s, const vtb_trace *t, enum an_stats_sort by);
/* The value of a row that `by` sorts on (0 for AN_STATS_NAME). */
uint64_t an_stats_key(const an_stats_row *r, enum an_stats_sort by);
/* total / calls of a row, rounded to the nearest ns. */
uint64_t an_stats_mean(const an_stats_row *r);
/* Write the first `top` rows (0: all) as a table, CSV (header name,calls,total,self,mean,max,
 * times in ns) or JSON (through cJSON). Returns 0 or VTB_E_IO / VTB_E_NOMEM with *cause. */
int an_stats_write(const an_stats *s, const vtb_trace *t, enum an_stats_format fmt,
		    size_t top, FILE *out, char **cause);

/* Writers of per-function tables (this file's and diff.c's) share these. */
/* A name for a one-line table cell or a terminal: control characters and bytes that are
 * not valid UTF-8 become '?', so a file's text never sends the terminal a sequence. */
void an_stats_put_clean(FILE *out, const char *name);
/* RFC 4180: quote a field holding a comma, a quote or a line break. */
void an_stats_put_csv_field(FILE *out, const char *text);
struct cJSON;
/* Add "functions": [item(ctx, 0) .. item(ctx, n - 1)] to `root` (NULL: out of memory),
 * print it and a newline to `out`, and delete it. 0 or VTB_E_NOMEM. */
int an_stats_json_write(struct cJSON *root, size_t n, struct cJSON *(*item)(const void *ctx, size_t i),
			 const void *ctx, FILE *out);
/* The same with the list under `key`. */
int an_stats_json_list(struct cJSON *root, const char *key, size_t n,
			struct cJSON *(*item)(const void *ctx, size_t i), const void *ctx, FILE *out);
/* End a write to `out` that returned rc (0 or VTB_E_NOMEM): flush it. Returns rc, or
 * VTB_E_IO; when not 0, *cause (if cause is not NULL) says "writing WHAT: ...". */
int an_stats_write_end(int rc, FILE *out, const char *what, char **cause);

/* Parse one of AN_STATS_SORT_WORDS and "table|csv|json"; 0 or VTB_E_ARG. */
int an_stats_parse_sort(const char *text, enum an_stats_sort *by);
int an_stats_parse_format(const char *text, enum an_stats_format *fmt);

/* Index of the first of `count` records of `size` bytes at `base`, sorted by the uint64_t
 * at byte `key_offset` of each, whose key is >= t (count if none). Inline, so each caller's
 * constant size and offset fold into it (the viewer's searches by time use it too). */
static inline size_t an_lower_bound(const void *base, size_t count, size_t size, size_t key_offset, uint64_t t)
{
	const unsigned char *p = base;
	size_t lo = 0, hi = count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t key;

		memcpy(&key, p + mid * size + key_offset, sizeof(key));
		if (key < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ---- diff (diff.c) ----
 * Two traces of one program compared function by function (by qualified name). */

typedef struct an_diff_row {
	const char *name;      /* owned by trace a or b */
	int64_t id_a, id_b;    /* string ids, -1 when absent */
	uint64_t calls_a, calls_b, total_a, total_b, self_a, self_b;
} an_diff_row;

/* How rows are ranked: impact (|self change|, then |total change|), or change of mean
 * (|mean change|, then |total change|), the default when the traces span different
 * times (AN_DIFF_SPAN_RATIO), where totals grow with the time recorded. */
enum an_diff_rank { AN_DIFF_AUTO, AN_DIFF_IMPACT, AN_DIFF_MEAN };
#define AN_DIFF_RANK_WORDS "auto|impact|mean"
#define AN_DIFF_SPAN_RATIO 1.25

typedef struct an_diff {
	an_diff_row *rows;    /* sorted as `rank` says */
	size_t count;
	uint64_t span_a, span_b; /* the time each trace spans (vtb_trace_span), ns */
	int rank;              /* AN_DIFF_IMPACT or AN_DIFF_MEAN: how rows are sorted */
} an_diff;

/* Compare the statistics `sa` of trace `a` with `sb` of `b` by qualified function name
 * (ids with the same name are added up). 0 with *out (the caller frees with
 * an_diff_free), or VTB_E_NOMEM. The rows point into the traces' names. */
int an_diff_compute(const vtb_trace *a, const an_stats *sa, const vtb_trace *b, const an_stats *sb,
		     an_diff **out);
void an_diff_free(an_diff *d);
/* Sort the rows by `rank` (AN_DIFF_AUTO: by mean when one trace spans more than
 * AN_DIFF_SPAN_RATIO times the other's time, else by impact). */
void an_diff_rank(an_diff *d, enum an_diff_rank rank);
/* One of AN_DIFF_RANK_WORDS; 0 or VTB_E_ARG. */
int an_diff_parse_rank(const char *text, enum an_diff_rank *rank);
/* Per side (0: a, 1: b): the mean (total / calls, rounded; 0 without calls) and the calls
 * per second of the trace's span (0 for an empty span). */
uint64_t an_diff_mean(const an_diff_row *r, int side);
double an_diff_rate(const an_diff *d, const an_diff_row *r, int side);
/* Table, CSV (name,calls_a,calls_b,calls_delta,total_a,...,mean_a,mean_b,mean_delta,
 * rate_a,rate_b) or JSON. 0 or VTB_E_IO. */
int an_diff_write(const an_diff *d, enum an_stats_format fmt, size_t top, FILE *out, char **cause);

/* ---- flame graph (flame.c) ---- */

/* One node of the aggregated flame graph: calls merged by stack. */
struct an_flame_node {
	uint32_t name_id;
	uint32_t parent;       /* UINT32_MAX for the root */
	uint32_t first_child;  /* children sorted widest first, linked by next; UINT32_MAX: none */
	uint32_t next;
	uint32_t depth;        /* 0: the root (all threads) */
	uint64_t total_ns;     /* time under this stack */
	uint64_t calls;
};

/* Build the merged tree of `t` in scope (NULL: everything; with a range, the calls that
 * overlap it count the part inside it; with a subtree, the call and what it holds):
 * *out (out[0] is the root, the caller frees it) and *count. 0 or VTB_E_NOMEM. */
int an_flame_build(const vtb_trace *t, const an_stats_scope *sc, struct an_flame_node **out,
		    size_t *count);

/* ---- several dumps of one run (multi.c) ---- */

/* Where the threads of a merged trace came from: which dump, and a title for each. */
typedef struct an_sources {
	size_t count;              /* dumps */
	char **titles;             /* per dump: "snap1.bin (1 of 2): dump: signal, pid 12 ForkPoolWorker-1" */
	size_t thread_count;
	uint32_t *of_thread;       /* per thread of the merged trace: its dump */
} an_sources;

/* One trace holding the threads, counters and marks of `traces` (several dumps of one run:
 * a parent and its children, or one process dumped twice), their times moved onto the
 * first one's clock through each header's start_wall_ns and start_mono_ns. `paths` (or
 * NULL) name the dumps; with `sources` set, *sources receives where each thread came from,
 * for tui_app_set_sources. The inputs stay the caller's. NULL with *cause on failure; the
 * caller owns the results. */
vtb_trace *an_multi_merge(vtb_trace *const *traces, const char *const *paths, size_t count,
			   an_sources **sources, char **cause);
void an_sources_free(an_sources *s);

/* ---- asyncio tasks (tasks.c) ---- */

/* One lane per task of a thread (the task's steps, by start). */
typedef struct an_task_lane {
	uint32_t thread;         /* trace thread index */
	uint64_t task;           /* vtb_task_step.task */
	const char *name;        /* owned by the trace */
	const vtb_slice *slices; /* the steps' calls, by start, depth 0 */
	size_t count;
	uint64_t first_ns;       /* the first step's start */
	uint64_t last_ns;        /* the last step's end */
	uint64_t busy_ns;        /* the steps' durations summed */
} an_task_lane;

typedef struct an_tasks {
	an_task_lane *lanes;    /* by thread, then first step */
	size_t count;
	vtb_slice *slices;       /* every lane's */
} an_tasks;

/* The task lanes of `t` (none when it recorded no task): 0 with *out, or VTB_E_NOMEM.
 * The result refers to `t`'s names: free it first with an_tasks_free. */
int an_tasks_build(const vtb_trace *t, an_tasks **out);
void an_tasks_free(an_tasks *ts);
/* span: last_ns - first_ns; wait: span - busy (the gaps between steps). */
uint64_t an_task_span(const an_task_lane *l);
uint64_t an_task_wait(const an_task_lane *l);
/* Write the lanes as a table, CSV (task,thread,steps,span,busy,wait; ns) or JSON
 * ({"tasks": [...]}). 0, or VTB_E_IO / VTB_E_NOMEM with *cause. */
int an_tasks_write(const an_tasks *ts, const vtb_trace *t, enum an_stats_format fmt, FILE *out,
		    char **cause);

/* ---- a thread's call list (calls.c) ----
 * 
 */
enum calls_kind { CALLS_CALL, CALLS_MARK };

/* A row of the list: a call (depth, index in rows[depth]) or a mark (index; depth 0). */
typedef struct calls_pos {
	uint32_t kind;   /* enum calls_kind */
	uint32_t depth;
	size_t index;
} calls_pos;

/* What a row shows; the pointers are owned by the trace. */
typedef struct calls_row {
	calls_pos pos;
	uint64_t ts_ns;          /* a call's start, a mark's time */
	uint64_t dur_ns;         /* 0 for a mark */
	uint32_t indent;         /* a call's depth; a mark: one more than the call it is in */
	uint16_t flags;          /* a call's enum vtb_call_flag */
	uint8_t has_children;
	uint8_t folded;
	const vtb_slice *slice;  /* the call, or NULL */
	const vtb_mark *mark;    /* the mark, or NULL */
	const char *args;        /* a call's arguments and return value when recorded, else NULL */
	const char *retval;
} calls_row;

typedef struct calls_list calls_list;

/* The list of thread `thread` of `t` (which must outlive it), nothing folded. NULL when
 * out of memory or the thread does not exist. The caller owns it. */
calls_list *calls_list_new(const vtb_trace *t, size_t thread);
void calls_list_free(calls_list *l);
size_t calls_list_thread(const calls_list *l);

/* The first or last row: 0, or -1 when the thread has none. */
int calls_first(const calls_list *l, calls_pos *out);
int calls_last(const calls_list *l, calls_pos *out);
/* Move *p to the next (dir > 0) or previous row: 0, or -1 (p unchanged) past the end. */
int calls_step(const calls_list *l, calls_pos *p, int dir);
/* The last row at or before t (a mark at t included); -1 when every row is later. */
int calls_at_time(const calls_list *l, uint64_t t, calls_pos *out);
/* The row that shows call (depth, index): itself, or its outermost folded ancestor.
 * -1 when there is no such call. */
int calls_of_call(const calls_list *l, uint32_t depth, size_t index, calls_pos *out);
/* The same for mark `index`: itself, or the outermost folded call it happened in. */
int calls_of_mark(const calls_list *l, size_t index, calls_pos *out);
/* The row of the call row p is in: a call's parent, the deepest call running at a mark.
 * -1 at the top level. */
int calls_up(const calls_list *l, calls_pos p, calls_pos *out);

/* Fold (folded = 1) or unfold a call; a call without children does not fold. 0, -1 when
 * there is no such call or it has no children, VTB_E_NOMEM. */
int calls_fold(calls_list *l, uint32_t depth, size_t index, int folded);
int calls_is_folded(const calls_list *l, uint32_t depth, size_t index);
/* Unfold everything. */
void calls_unfold_all(calls_list *l);

/* Fill *row for p: 0, or -1 when p names nothing. */
int calls_row_get(const calls_list *l, calls_pos p, calls_row *row);
/* The row's text without its time columns: "name(args) = retval" and " [exception]" for a
 * call (args and "= retval" only when recorded), "[ERROR logger] message" for a log
 * record, "* name args" for an instant, "= name repr" for an object snapshot. Cut to
 * len - 1 bytes. */
void calls_label(const vtb_trace *t, const calls_row *row, char *buf, size_t len);

/* ---- the incident (incident.c) ----
 * Where the dump was triggered, by the dump's reason (the rules: incident.c's opening
 * comment): one finder for the viewer's `goto incident` (e), the call list's `calls
 * incident` (E), `vtui calls --before incident` and search's landing of the dump's
 * exception. The name of the instant the tracer leaves where an exception went unhandled
 * (tracer/vtrace UNHANDLED); its text is the traceback. */
#define AN_UNHANDLED "unhandled exception"

typedef struct an_incident {
	uint32_t reason;        /* the header's enum vtb_reason */
	int64_t thread;         /* trace thread index: the call's, the mark's, else the one the
				 * rules name; -1 when the trace has no threads */
	int64_t call_depth;     /* the call: rows[call_depth].slices[call_index] of the thread; */
	size_t call_index;      /* call_depth -1 when there is none */
	uint64_t at_ns;         /* the moment */
	int64_t mark_thread;    /* the unhandled-exception instant or the log record that dumped: */
	size_t mark_index;      /* marks[mark_index] of thread mark_thread; -1 when none */
	const char *traceback;  /* the instant's text (owned by the trace), or NULL */
} an_incident;

/* Fill *out with the incident of `t` (which must outlive its pointers). Scans every call
 * once for an exception reason, the marks for a log reason. */
void an_incident_find(const vtb_trace *t, an_incident *out);
/* Whether call rows[depth][index] of `th`, which an exception left, is where it began:
 * its last child was not left by it (or it has none). */
int an_exception_began(const vtb_thread *th, uint32_t depth, size_t index);

/* ---- times and text as people read and type them (text.c) ----
 * The viewer and the batch commands print and parse the same words. */

/* "12.5ms", "980ns", "1.23s": three significant digits. ascii: "us" for "µs". */
void an_fmt_dur(char *buf, size_t len, uint64_t ns, int ascii);
/* A point in time (ns from the trace's start) in the unit of the larger of t and res_ns,
 * with the decimals it takes to tell apart two times res_ns apart ("495.000123ms"),
 * trailing zeros dropped:
 * ruler ticks (res = the step), view bounds (one column), a call's start and end. */
void an_fmt_time(char *buf, size_t len, uint64_t t_ns, uint64_t res_ns, int ascii);
/* res_ns, or finer when it would leave t fewer than three significant digits. */
uint64_t an_time_res(uint64_t t_ns, uint64_t res_ns);
/* Parse "12.5ms", "3s", "400us", "-2ms", "1500" (ms). *relative is set for a
 * leading + or -. Returns 0 or VTB_E_ARG. */
int an_parse_time(const char *text, int64_t *ns, int *relative);
/* "95%": 0 with *t the point that far into the trace spanning [first_ns, last_ns], or -1. */
int an_parse_percent(uint64_t first_ns, uint64_t last_ns, const char *text, uint64_t *t);
/* "1.5ms..20ms", "10%..90%", "..2s", "1s.." (times from first_ns): 0 with [*t0, *t1) in
 * the trace's times, or -1 with a message in err. */
int an_parse_range(uint64_t first_ns, uint64_t last_ns, const char *text, uint64_t *t0, uint64_t *t1,
		    char *err, size_t len);
/* The range [t0, t1) as "1.5ms..20ms (18.5ms)" from first_ns, at a resolution of res_ns. */
void an_fmt_range(uint64_t first_ns, uint64_t t0, uint64_t t1, uint64_t res_ns, int ascii, char *buf, size_t len);
/* A malloc'd copy of `text` with each unsafe character and invalid byte as '?' per byte
 * ('\n' kept when keep_newlines); NULL when out of memory. */
char *an_clean(const char *text, int keep_newlines);
/* fprintf of a message that quotes names, paths or commands: every unsafe character of
 * the result but '\n' is printed as '?'. The one way the batch modes write to stderr. */
int an_fprintf_clean(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- opening a trace file by its kind (load.c) ---- */

/* Whether `s` ends with `suffix`. */
int an_ends_with(const char *s, const char *suffix);
/* Whether `path` names Chrome trace JSON (.json, .json.gz) rather than VTB. */
int an_is_json_name(const char *path);
/* Whether the file at `path` is JSON: by its name, or for other names by its first bytes. */
int an_is_json_file(const char *path);
/* --max-json-bytes SIZE (K, M, G suffixes) or --max-events N (`option` without dashes):
 * the limits of every JSON load that follows. 0, or -1 with *cause. */
int an_json_limit_option(const char *option, const char *value, char **cause);
/* vtb_json_load under those limits (the caller owns the trace and report->notes). */
vtb_trace *an_json_load(const char *path, vtb_progress_fn fn, void *ctx, vtb_json_report *report,
			 char **cause);
/* The --help lines of the two options. */
#define AN_JSON_LIMITS_HELP \
	"  --max-json-bytes SIZE\n" \
	"                     stop reading JSON past SIZE bytes once uncompressed\n" \
	"                     (default 1G; K, M, G suffixes; 0: no limit)\n" \
	"  --max-events N     stop reading JSON past N events (default 20000000; 0: none)\n"

/* A Chrome JSON trace, as vtb_json_load, with its notes (one a line) in *notes (NULL: not
 * wanted) for the caller to free; a file of which no event loads is an error. */
vtb_trace *an_load_json(const char *path, vtb_progress_fn fn, void *ctx, char **notes, char **cause);

#endif
