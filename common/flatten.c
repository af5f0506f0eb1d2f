/* SPDX-License-Identifier: MIT */
/* flatten.c: a trace with chosen calls taken out of the stack, what they called moved up.
 *
 * Each thread is walked in pre-order (a call, then its calls in start order), which is
 * start order, so appending every kept call to the row of its new depth keeps each row
 * sorted. A call's parent is the last call of the row above that starts at or before it
 * (as filter marking and tui_query_parent find it). Moved-up calls cannot overlap the
 * calls of their new row: they lie inside the taken-out call, which did not overlap its
 * siblings. The new trace shares strings, marks, counters and texts with the base it
 * owns, and has its own rows and attachments. */
#include "common/trace_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where the walk of one thread is. */
struct walk {
	const vtb_thread *bt;   /* the base thread */
	struct vtb_rthread *nt; /* the new one */
	const uint64_t *drop;
	size_t nbits;
	size_t *next;           /* per base depth: the next call to visit */
	size_t *att;            /* per base depth: the next attachment to look at */
	uint32_t *new_depth;    /* per stack level: the depth its children go to */
	uint32_t *stack;        /* base depths of the open calls' indexes (stack[k] = depth k) */
	size_t calls;
};

static int dropped(const struct walk *w, uint32_t name_id)
{
	return name_id < w->nbits && ((w->drop[name_id >> 6] >> (name_id & 63)) & 1);
}

/* The attachment of base call (d, i), or NULL; per-depth cursors only move forward. */
static const vtb_attachment *att_of(struct walk *w, uint32_t d, size_t i)
{
	const vtb_attachment *a = w->bt->attachments;
	size_t n = w->bt->attachment_count, *k = &w->att[d];

	while (*k < n && (a[*k].depth < d || (a[*k].depth == d && a[*k].index < i)))
		(*k)++;
	return *k < n && a[*k].depth == d && a[*k].index == i ? &a[*k] : NULL;
}

/* The task step that base call (d, i) is, or NULL (steps go by start: a binary search). */
static const vtb_task_step *step_of(const vtb_thread *bt, uint32_t d, size_t i)
{
	uint64_t start = bt->rows[d].slices[i].start_ns;
	size_t lo = 0, hi = bt->task_step_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const vtb_task_step *m = &bt->task_steps[mid];

		if (bt->rows[m->depth].slices[m->index].start_ns < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < bt->task_step_count; lo++) {
		const vtb_task_step *m = &bt->task_steps[lo];

		if (bt->rows[m->depth].slices[m->index].start_ns != start)
			break;
		if (m->depth == d && m->index == i)
			return m;
	}
	return NULL;
}

/* Visit base call (d, i) at new depth `nd`: keep it there unless dropped. 0 or
 * VTB_E_NOMEM; *child_depth gets the new depth of its calls. */
static int visit(struct walk *w, uint32_t d, size_t i, uint32_t nd, uint32_t *child_depth)
{
	vtb_slice s = w->bt->rows[d].slices[i];
	const vtb_attachment *a;
	int64_t at;

	if (dropped(w, s.name_id)) {
		*child_depth = nd;
		return 0;
	}
	*child_depth = nd + 1;
	s.depth = (uint16_t)nd;
	if ((at = vtb_model_slice(w->nt, nd, &s)) < 0)
		return (int)at;
	w->calls++;
	a = w->bt->attachment_count ? att_of(w, d, i) : NULL;
	if (a && vtb_model_attach(w->nt, nd, (uint32_t)at, a->args, a->retval) < 0)
		return VTB_E_NOMEM;
	const vtb_task_step *st = w->bt->task_step_count ? step_of(w->bt, d, i) : NULL;
	if (st && vtb_model_step(w->nt, nd, (uint32_t)at, st->task, st->name) < 0)
		return VTB_E_NOMEM;
	return 0;
}

/* Does the next call of row d + 1 belong under call i of row d? */
static int child_of(const vtb_thread *bt, uint32_t d, size_t i, size_t c)
{
	const vtb_row *up = &bt->rows[d], *down = &bt->rows[d + 1];
	uint64_t t;

	if (c >= down->count)
		return 0;
	t = down->slices[c].start_ns;
	return up->slices[i].start_ns <= t && up->slices[i].start_ns + up->slices[i].dur_ns >= t &&
	       (i + 1 >= up->count || up->slices[i + 1].start_ns > t);
}

/* Pre-order walk of the calls of row `d0` from its cursor on (the roots, then any call a
 * damaged file left without a parent). */
static int walk_from(struct walk *w, uint32_t d0)
{
	const vtb_thread *bt = w->bt;
	size_t top = 0;
	int rc;

	while (top > 0 || w->next[d0] < bt->rows[d0].count) {
		uint32_t d = top ? w->stack[top - 1] + 1 : d0, cd;
		size_t parent = top ? w->next[d - 1] - 1 : 0;

		if (top && (d >= bt->depth_count || !child_of(bt, d - 1, parent, w->next[d]))) {
			top--; /* the call at the stack's top has no more calls */
			continue;
		}
		if ((rc = visit(w, d, w->next[d], top ? w->new_depth[top - 1] : d0, &cd)) < 0)
			return rc;
		w->next[d]++;
		w->stack[top] = d;
		w->new_depth[top++] = cd;
	}
	return 0;
}

static int cmp_slice(const void *a, const void *b)
{
	const vtb_slice *x = a, *y = b;

	return x->start_ns < y->start_ns ? -1 : x->start_ns > y->start_ns;
}

static int cmp_att(const void *a, const void *b)
{
	const vtb_attachment *x = a, *y = b;

	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int flatten_thread(struct walk *w)
{
	const vtb_thread *bt = w->bt;
	size_t n = bt->depth_count + 1;
	int rc = VTB_E_NOMEM;

	w->next = calloc(n, sizeof(*w->next));
	w->att = calloc(n, sizeof(*w->att));
	w->new_depth = calloc(n, sizeof(*w->new_depth));
	w->stack = calloc(n, sizeof(*w->stack));
	if (!w->next || !w->att || !w->new_depth || !w->stack)
		goto out;
	rc = 0;
	for (uint32_t d = 0; d < bt->depth_count && rc == 0; d++)
		rc = walk_from(w, d); /* d > 0: calls a damaged file left without a parent */
	/* Orphans of a damaged file were appended after the walk of the roots. */
	for (size_t d = 0; rc == 0 && d < w->nt->nrows; d++)
		for (size_t i = 1; i < w->nt->rows[d].n; i++)
			if (w->nt->rows[d].s[i].start_ns < w->nt->rows[d].s[i - 1].start_ns) {
				qsort(w->nt->rows[d].s, w->nt->rows[d].n, sizeof(vtb_slice), cmp_slice);
				w->nt->nsteps = 0; /* their indexes moved: a damaged file's tasks go */
				break;
			}
	if (w->nt->natt > 1)
		qsort(w->nt->att, w->nt->natt, sizeof(*w->nt->att), cmp_att);
out:
	free(w->next);
	free(w->att);
	free(w->new_depth);
	free(w->stack);
	return rc;
}

vtb_trace *vtb_trace_flatten(vtb_trace *base, const uint64_t *drop, size_t nbits, char **cause)
{
	vtb_trace *t = malloc(sizeof(*t));

	if (!t)
		goto nomem;
	*t = *base; /* the header, strings, processes, counters and texts: base's */
	t->base = base;
	t->calls = 0;
	t->nth = t->thcap = 0;
	if (!(t->th = calloc(base->nth ? base->nth : 1, sizeof(*t->th))))
		goto fail;
	t->nth = t->thcap = base->nth;
	for (size_t i = 0; i < base->nth; i++) {
		struct vtb_rthread *nt = &t->th[i];
		struct walk w = { &base->th[i].pub, nt, drop, nbits, NULL, NULL, NULL, NULL, 0 };

		nt->pub = base->th[i].pub;
		if (flatten_thread(&w) < 0 || vtb_model_publish_rows(t, nt) < 0)
			goto fail;
		nt->pub.attachments = nt->att;
		nt->pub.attachment_count = nt->natt;
		/* kept steps, in the walk's start order, at their new places */
		nt->pub.task_steps = nt->steps;
		nt->pub.task_step_count = nt->nsteps;
		t->calls += w.calls;
	}
	t->first_ns = base->first_ns; /* publishing widened the span: it is base's */
	t->last_ns = base->last_ns;
	return t;
fail:
	vtb_model_free_threads(t); /* base stays the caller's */
	free(t);
nomem:
	if (cause)
		*cause = strdup("out of memory flattening the calls");
	return NULL;
}

vtb_trace *vtb_trace_unflatten(vtb_trace *t)
{
	vtb_trace *base = t ? t->base : NULL;

	if (!base)
		return t;
	t->base = NULL;
	vtb_model_free_threads(t);
	free(t);
	return base;
}

const vtb_trace *vtb_trace_base(const vtb_trace *t)
{
	return t->base ? t->base : t;
}
