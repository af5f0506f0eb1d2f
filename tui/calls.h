/* SPDX-License-Identifier: MIT */
/* calls.h: a thread read as a story: its calls in time order, indented by depth, with the
 * log records, instants and object snapshots interleaved where they happened (the call
 * list of uftrace's tui and `uftrace replay`). No screen here: the viewer's panel
 * (view_calls.c) and `vtui calls` (calls_cmd.c) both read rows through it. It is meant for
 * the analysis library (issue 16) and depends on common/ only.
 *
 * Nothing is materialized: a place in the list is a call (depth, index in rows[depth]) or
 * a mark (index in the thread's marks), and the next or previous row is found from the
 * model's sorted arrays. Calls come in pre-order (a call, then its subtree, then its next
 * sibling), which for a sound trace is the order of (start, depth); a mark comes after
 * every call that starts at or before it. The children of a call are the calls one level
 * down that start at or after it and before the next call of its level (the rule the
 * viewer's parent query uses). A step costs a binary search per level it climbs or
 * descends, whatever the size of the thread, and a folded call skips its subtree and the
 * marks inside it in one search.
 */
#ifndef VTUI_CALLS_H
#define VTUI_CALLS_H

#include <stddef.h>
#include <stdint.h>

#include "common/vtb.h"

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

/* ---- the incident (calls_incident.c) ----
 * The moment the dump was triggered and the thread it happened in, from the header
 * and the model alone: an unhandled exception's thread (named by the reason, else the
 * one whose last exception-left call ends last) at the end of that call; the log record
 * that dumped (the last one before the dump of the highest level); else the dump's
 * moment on the thread the reason names, else the one whose calls end last. */
typedef struct calls_incident {
	int64_t thread;          /* trace thread index, -1 when the trace has no threads */
	uint64_t at_ns;
} calls_incident;

void calls_incident_find(const vtb_trace *t, calls_incident *out);

/* `vtui calls` (calls_cmd.c, on the viewer's side): returns the exit status. */
int vtui_calls_main(int argc, char **argv);

#endif
