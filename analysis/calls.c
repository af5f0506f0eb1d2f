/* SPDX-License-Identifier: MIT */
/* calls.c: the call list of one thread (analysis.h): pre-order walks over the depth rows,
 * merged with the thread's marks by time, with folded calls kept in a sorted array. */
#include "analysis/analysis.h"
#include "analysis/private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct calls_list {
	const vtb_trace *t;
	const vtb_thread *th;
	size_t thread;
	uint64_t *folded;      /* fold_key()s, sorted */
	size_t fold_count, fold_cap;
};

/* Index of the first slice of `row` starting after t (row->count if none). */
static size_t first_after(const vtb_row *row, uint64_t t)
{
	return t == UINT64_MAX ? row->count : an_row_first_from(row, t + 1);
}

/* Index of the first slice starting at or after t. */
static size_t first_from(const vtb_row *row, uint64_t t)
{
	return an_row_first_from(row, t);
}

static const vtb_slice *slice_at(const calls_list *l, uint32_t d, size_t i)
{
	if (d >= l->th->depth_count || i >= l->th->rows[d].count)
		return NULL;
	return &l->th->rows[d].slices[i];
}

static uint64_t fold_key(uint32_t d, size_t i)
{
	return (uint64_t)d << 40 | (uint64_t)i;
}

static size_t fold_find(const calls_list *l, uint64_t key)
{
	size_t lo = 0, hi = l->fold_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->folded[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int calls_is_folded(const calls_list *l, uint32_t depth, size_t index)
{
	size_t k;

	if (!l->fold_count)
		return 0;
	k = fold_find(l, fold_key(depth, index));
	return k < l->fold_count && l->folded[k] == fold_key(depth, index);
}

/* The children of (d, i): rows[d + 1][*lo, *hi), the calls starting from it to the next
 * call of its level. 0, or -1 when it has none. */
static int child_range(const calls_list *l, uint32_t d, size_t i, size_t *lo, size_t *hi)
{
	const vtb_slice *s = slice_at(l, d, i), *next = slice_at(l, d, i + 1);
	const vtb_row *down;

	if (!s || d + 1 >= l->th->depth_count)
		return -1;
	down = &l->th->rows[d + 1];
	*lo = first_from(down, s->start_ns);
	*hi = next ? first_from(down, next->start_ns) : down->count;
	return *lo < *hi ? 0 : -1;
}

/* The parent of (d, i): the last call one level up starting no later. 0 or -1. */
static int parent_of(const calls_list *l, uint32_t d, size_t i, size_t *parent)
{
	const vtb_slice *s = slice_at(l, d, i);
	size_t k;

	if (!s || d == 0)
		return -1;
	k = first_after(&l->th->rows[d - 1], s->start_ns);
	if (k == 0)
		return -1;
	*parent = k - 1;
	return 0;
}

/* The next (dir > 0) or previous sibling of (d, i): same level, same parent. */
static int sibling(const calls_list *l, uint32_t d, size_t i, int dir, size_t *out)
{
	size_t j, p1 = 0, p2 = 0;
	int r1, r2;

	if (dir < 0 ? i == 0 : !slice_at(l, d, i + 1))
		return -1;
	j = dir < 0 ? i - 1 : i + 1;
	r1 = parent_of(l, d, i, &p1);
	r2 = parent_of(l, d, j, &p2);
	if (r1 != r2 || p1 != p2)
		return -1;
	*out = j;
	return 0;
}

/* The call after (*d, *i) in pre-order, skipping folded subtrees. */
static int call_next(const calls_list *l, uint32_t *pd, size_t *pi)
{
	uint32_t d = *pd;
	size_t i = *pi, lo, hi, p;

	if (!calls_is_folded(l, d, i) && child_range(l, d, i, &lo, &hi) == 0) {
		*pd = d + 1;
		*pi = lo;
		return 0;
	}
	for (;;) {
		if (sibling(l, d, i, 1, &p) == 0) {
			*pd = d;
			*pi = p;
			return 0;
		}
		if (parent_of(l, d, i, &p) < 0)
			return -1;
		d--;
		i = p;
	}
}

/* The last row of the subtree of (*d, *i) as shown: down through last children. */
static void call_last_in(const calls_list *l, uint32_t *pd, size_t *pi)
{
	size_t lo, hi;

	while (!calls_is_folded(l, *pd, *pi) && child_range(l, *pd, *pi, &lo, &hi) == 0) {
		(*pd)++;
		*pi = hi - 1;
	}
}

static int call_prev(const calls_list *l, uint32_t *pd, size_t *pi)
{
	size_t p;

	if (sibling(l, *pd, *pi, -1, &p) == 0) {
		*pi = p;
		call_last_in(l, pd, pi);
		return 0;
	}
	if (parent_of(l, *pd, *pi, &p) < 0)
		return -1;
	(*pd)--;
	*pi = p;
	return 0;
}

/* The last call shown that starts at or before t: down from the last top-level call
 * starting by t, through the last child starting by t, stopping at a folded call (or at
 * any call when `folds` is 0: then the path passes every call running at t). */
static int call_before(const calls_list *l, uint64_t t, int folds, uint32_t *pd, size_t *pi)
{
	size_t k, lo, hi;
	uint32_t d = 0;

	if (!l->th->depth_count || (k = first_after(&l->th->rows[0], t)) == 0)
		return -1;
	k--;
	while ((!folds || !calls_is_folded(l, d, k)) && child_range(l, d, k, &lo, &hi) == 0) {
		size_t j = first_after(&l->th->rows[d + 1], t);

		if (j <= lo)
			break;
		k = (j < hi ? j : hi) - 1;
		d++;
	}
	*pd = d;
	*pi = k;
	return 0;
}

/* The folded call mark `j` is hidden in (its range in *t0, *t1), or 0 when it shows. */
static int mark_hidden(const calls_list *l, size_t j, uint64_t *t0, uint64_t *t1)
{
	uint64_t ts = l->th->marks[j].ts_ns;
	const vtb_slice *s;
	uint32_t d;
	size_t i;

	if (!l->fold_count || call_before(l, ts, 1, &d, &i) < 0 || !calls_is_folded(l, d, i))
		return 0;
	s = slice_at(l, d, i);
	if (ts >= an_slice_end(s))
		return 0;
	*t0 = s->start_ns;
	*t1 = an_slice_end(s);
	return 1;
}

/* The first shown mark at or after index j (dir > 0), or at or before it: a folded call
 * skips all its marks in one search. */
static int mark_shown(const calls_list *l, size_t j, int dir, size_t *out)
{
	uint64_t t0, t1;

	while (j < l->th->mark_count) {
		if (!mark_hidden(l, j, &t0, &t1)) {
			*out = j;
			return 0;
		}
		if (dir > 0)
			j = an_mark_first_from(l->th, t1);
		else if ((j = an_mark_first_from(l->th, t0)) == 0)
			return -1;
		else
			j--;
	}
	return -1;
}

/* Merge a candidate call (d, i) (ok_c) with a candidate mark m (ok_m): going forward
 * the earlier, going back the later; a mark comes after calls that start with it. */
static void pick(const calls_list *l, int dir, int ok_c, uint32_t d, size_t i, int ok_m, size_t m,
		 calls_pos *out)
{
	int mark = ok_m;

	if (ok_c && ok_m) {
		uint64_t ts = l->th->marks[m].ts_ns, start = slice_at(l, d, i)->start_ns;

		mark = dir > 0 ? ts < start : ts >= start;
	}
	*out = mark ? (calls_pos){ CALLS_MARK, 0, m } : (calls_pos){ CALLS_CALL, d, i };
}

int calls_first(const calls_list *l, calls_pos *out)
{
	int ok_c = l->th->depth_count && l->th->rows[0].count;
	size_t m = 0;
	int ok_m = mark_shown(l, 0, 1, &m) == 0;

	if (!ok_c && !ok_m)
		return -1;
	pick(l, 1, ok_c, 0, 0, ok_m, m, out);
	return 0;
}

int calls_last(const calls_list *l, calls_pos *out)
{
	return calls_at_time(l, UINT64_MAX, out);
}

int calls_at_time(const calls_list *l, uint64_t t, calls_pos *out)
{
	uint32_t d = 0;
	size_t i = 0, m = 0, j = t == UINT64_MAX ? l->th->mark_count : an_mark_first_from(l->th, t + 1);
	int ok_c = call_before(l, t, 1, &d, &i) == 0;
	int ok_m = j > 0 && mark_shown(l, j - 1, -1, &m) == 0;

	if (!ok_c && !ok_m)
		return -1;
	pick(l, -1, ok_c, d, i, ok_m, m, out);
	return 0;
}

/* The step from a call. */
static int step_call(const calls_list *l, calls_pos *p, int dir)
{
	uint32_t d = p->depth;
	size_t i = p->index, m = 0, j;
	uint64_t start = slice_at(l, d, i)->start_ns;
	int ok_c, ok_m;

	if (dir > 0) {
		ok_c = call_next(l, &d, &i) == 0;
		ok_m = mark_shown(l, an_mark_first_from(l->th, start), 1, &m) == 0;
		/* a mark inside this folded call is hidden, and none before it comes after */
	} else {
		ok_c = call_prev(l, &d, &i) == 0;
		j = an_mark_first_from(l->th, start);
		ok_m = j > 0 && mark_shown(l, j - 1, -1, &m) == 0;
	}
	if (!ok_c && !ok_m)
		return -1;
	pick(l, dir, ok_c, d, i, ok_m, m, p);
	return 0;
}

/* The step from a mark. */
static int step_mark(const calls_list *l, calls_pos *p, int dir)
{
	uint64_t ts = l->th->marks[p->index].ts_ns;
	uint32_t d = 0;
	size_t i = 0, m = 0;
	int ok_c, ok_m;

	if (dir > 0) {
		ok_m = mark_shown(l, p->index + 1, 1, &m) == 0;
		if (call_before(l, ts, 1, &d, &i) == 0)
			ok_c = call_next(l, &d, &i) == 0;
		else
			ok_c = l->th->depth_count && l->th->rows[0].count;
	} else {
		ok_m = p->index > 0 && mark_shown(l, p->index - 1, -1, &m) == 0;
		ok_c = call_before(l, ts, 1, &d, &i) == 0;
	}
	if (!ok_c && !ok_m)
		return -1;
	pick(l, dir, ok_c, d, i, ok_m, m, p);
	return 0;
}

int calls_step(const calls_list *l, calls_pos *p, int dir)
{
	calls_pos q = *p;
	int rc;

	if (p->kind == CALLS_CALL ? !slice_at(l, p->depth, p->index) : p->index >= l->th->mark_count)
		return -1;
	rc = p->kind == CALLS_CALL ? step_call(l, &q, dir) : step_mark(l, &q, dir);
	if (rc == 0)
		*p = q;
	return rc;
}

int calls_of_call(const calls_list *l, uint32_t depth, size_t index, calls_pos *out)
{
	uint32_t d = depth;
	size_t i = index, p;

	if (!slice_at(l, depth, index))
		return -1;
	*out = (calls_pos){ CALLS_CALL, depth, index };
	while (parent_of(l, d, i, &p) == 0) {
		d--;
		i = p;
		if (calls_is_folded(l, d, i))
			*out = (calls_pos){ CALLS_CALL, d, i };
	}
	return 0;
}

int calls_of_mark(const calls_list *l, size_t index, calls_pos *out)
{
	uint64_t t0, t1;
	uint32_t d;
	size_t i;

	if (index >= l->th->mark_count)
		return -1;
	*out = (calls_pos){ CALLS_MARK, 0, index };
	/* the walk from the top stops at the outermost folded call on the way */
	if (mark_hidden(l, index, &t0, &t1) && call_before(l, l->th->marks[index].ts_ns, 1, &d, &i) == 0)
		*out = (calls_pos){ CALLS_CALL, d, i };
	return 0;
}

int calls_fold(calls_list *l, uint32_t depth, size_t index, int folded)
{
	uint64_t key = fold_key(depth, index);
	size_t k = fold_find(l, key), lo, hi;
	int is = k < l->fold_count && l->folded[k] == key;

	if (child_range(l, depth, index, &lo, &hi) < 0)
		return -1;
	if (is == !!folded)
		return 0;
	if (!folded) {
		memmove(&l->folded[k], &l->folded[k + 1], (l->fold_count - k - 1) * sizeof(*l->folded));
		l->fold_count--;
		return 0;
	}
	if (l->fold_count == l->fold_cap) {
		size_t cap = l->fold_cap ? 2 * l->fold_cap : 16;
		uint64_t *f = realloc(l->folded, cap * sizeof(*f));

		if (!f)
			return VTB_E_NOMEM;
		l->folded = f;
		l->fold_cap = cap;
	}
	memmove(&l->folded[k + 1], &l->folded[k], (l->fold_count - k) * sizeof(*l->folded));
	l->folded[k] = key;
	l->fold_count++;
	return 0;
}

void calls_unfold_all(calls_list *l)
{
	l->fold_count = 0;
}

/* The deepest call running at t (start <= t < end): 0 with it, or -1. */
static int call_running(const calls_list *l, uint64_t t, uint32_t *pd, size_t *pi)
{
	size_t p;

	if (call_before(l, t, 0, pd, pi) < 0)
		return -1;
	for (;;) {
		const vtb_slice *s = slice_at(l, *pd, *pi);

		if (s->start_ns <= t && t < an_slice_end(s))
			return 0;
		if (parent_of(l, *pd, *pi, &p) < 0)
			return -1;
		(*pd)--;
		*pi = p;
	}
}

/* One more than the depth of the deepest call running at t (0: none). */
static uint32_t mark_indent(const calls_list *l, uint64_t t)
{
	uint32_t d;
	size_t i;

	return call_running(l, t, &d, &i) == 0 ? d + 1 : 0;
}

int calls_up(const calls_list *l, calls_pos p, calls_pos *out)
{
	uint32_t d;
	size_t i;

	if (p.kind == CALLS_MARK) {
		if (p.index >= l->th->mark_count || call_running(l, l->th->marks[p.index].ts_ns, &d, &i) < 0)
			return -1;
		return calls_of_call(l, d, i, out);
	}
	if (parent_of(l, p.depth, p.index, &i) < 0)
		return -1;
	return calls_of_call(l, p.depth - 1, i, out);
}

int calls_row_get(const calls_list *l, calls_pos p, calls_row *row)
{
	size_t lo, hi;

	memset(row, 0, sizeof(*row));
	row->pos = p;
	if (p.kind == CALLS_MARK) {
		if (p.index >= l->th->mark_count)
			return -1;
		row->mark = &l->th->marks[p.index];
		row->ts_ns = row->mark->ts_ns;
		row->indent = mark_indent(l, row->ts_ns);
		return 0;
	}
	if (!(row->slice = slice_at(l, p.depth, p.index)))
		return -1;
	const vtb_attachment *a = vtb_thread_attachment(l->th, p.depth, (uint32_t)p.index);

	row->ts_ns = row->slice->start_ns;
	row->dur_ns = row->slice->dur_ns;
	row->indent = p.depth;
	row->flags = row->slice->flags;
	row->has_children = child_range(l, p.depth, p.index, &lo, &hi) == 0;
	row->folded = row->has_children && calls_is_folded(l, p.depth, p.index);
	row->args = a ? a->args : NULL;
	row->retval = a ? a->retval : NULL;
	return 0;
}

void calls_label(const vtb_trace *t, const calls_row *row, char *buf, size_t len)
{
	const vtb_mark *mk = row->mark;

	if (!len)
		return;
	if (mk && mk->kind == VTB_MARK_LOG)
		snprintf(buf, len, "[%s %s] %s", an_level_name(mk->level), an_name(t, mk->name_id), mk->text);
	else if (mk)
		snprintf(buf, len, "%s %s%s%s", mk->kind == VTB_MARK_OBJECT ? "=" : "*", an_name(t, mk->name_id),
			 *mk->text ? " " : "", mk->text);
	else if (row->slice)
		snprintf(buf, len, "%s(%s)%s%s%s", an_name(t, row->slice->name_id), row->args ? row->args : "",
			 row->retval ? " = " : "", row->retval ? row->retval : "",
			 row->flags & VTB_CALL_EXCEPTION ? " [exception]" : "");
	else
		buf[0] = '\0';
}

calls_list *calls_list_new(const vtb_trace *t, size_t thread)
{
	calls_list *l;

	if (thread >= vtb_trace_thread_count(t) || !(l = calloc(1, sizeof(*l))))
		return NULL;
	l->t = t;
	l->th = vtb_trace_thread(t, thread);
	l->thread = thread;
	return l;
}

void calls_list_free(calls_list *l)
{
	if (!l)
		return;
	free(l->folded);
	free(l);
}

size_t calls_list_thread(const calls_list *l)
{
	return l->thread;
}
