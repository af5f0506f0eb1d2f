/* SPDX-License-Identifier: MIT */
/* model.c: the trace model once loaded: finishing touches, accessors and queries. */
#include "common/trace_internal.h"

#include <stdlib.h>

static uint64_t ctr_key_hash(uint32_t pid, uint32_t name, uint32_t series)
{
	uint64_t h = ((uint64_t)pid * 0x9E3779B97F4A7C15ull) ^ ((uint64_t)name << 32 | series);

	h *= 0xff51afd7ed558ccdull;
	return h ^ (h >> 33);
}

static uint64_t ctr_hash_of(const void *ctx, size_t i)
{
	const vtb_counter *c = &((const vtb_trace *)ctx)->ctr[i].pub;

	return ctr_key_hash(c->pid, c->name_id, c->series_id);
}

static int ctr_rehash(vtb_trace *t)
{
	return vtb_slots_grow(&t->ctr_hash, &t->ctr_hcap, 64, t->nctr, ctr_hash_of, t);
}

/* The slot is owned by the trace. */
struct vtb_rcounter *vtb_model_counter(vtb_trace *t, uint32_t pid, uint32_t name_id, uint32_t series_id)
{
	if (t->nctr * 2 >= t->ctr_hcap && ctr_rehash(t))
		return NULL;
	size_t j = ctr_key_hash(pid, name_id, series_id) & (t->ctr_hcap - 1);
	for (; t->ctr_hash[j]; j = (j + 1) & (t->ctr_hcap - 1)) {
		struct vtb_rcounter *k = &t->ctr[t->ctr_hash[j] - 1];
		if (k->pub.pid == pid && k->pub.name_id == name_id && k->pub.series_id == series_id)
			return k;
	}
	if (vtb_grow((void **)&t->ctr, &t->ctrcap, t->nctr + 1, sizeof(*t->ctr)))
		return NULL;
	struct vtb_rcounter *k = &t->ctr[t->nctr];
	memset(k, 0, sizeof(*k));
	k->pub.pid = pid;
	k->pub.name_id = name_id;
	k->pub.series_id = series_id;
	t->ctr_hash[j] = (uint32_t)++t->nctr;
	return k;
}

static int cmp_att(const void *a, const void *b)
{
	const vtb_attachment *x = a, *y = b;

	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* The rows steps index, for sorting them by start (qsort has no context argument). */
static const vtb_row *step_rows;

static int cmp_step(const void *a, const void *b)
{
	const vtb_task_step *x = a, *y = b;
	uint64_t sx = step_rows[x->depth].slices[x->index].start_ns;
	uint64_t sy = step_rows[y->depth].slices[y->index].start_ns;

	return sx < sy ? -1 : sx > sy;
}

static int cmp_sample(const void *a, const void *b)
{
	const vtb_sample *x = a, *y = b;

	return x->ts_ns < y->ts_ns ? -1 : x->ts_ns > y->ts_ns;
}

/* Give back what geometric growth over-allocated; keep the old block if realloc fails. */
static void *shrink(void *p, size_t n, size_t size)
{
	void *q = n ? realloc(p, n * size) : NULL;

	if (!n) {
		free(p);
		return NULL;
	}
	return q ? q : p;
}

static void span_add(vtb_trace *t, uint64_t a, uint64_t b)
{
	if (a < t->first_ns)
		t->first_ns = a;
	if (b > t->last_ns)
		t->last_ns = b;
}

/* Shrink each depth's slices to fit and point the public rows at them. */
int vtb_model_publish_rows(vtb_trace *t, struct vtb_rthread *th)
{
	size_t calls = 0;

	th->pubrows = calloc(th->nrows ? th->nrows : 1, sizeof(*th->pubrows));
	if (!th->pubrows)
		return VTB_E_NOMEM;
	for (size_t d = 0; d < th->nrows; d++) {
		struct vtb_rrow *r = &th->rows[d];
		if (r->map_bytes && !th->map_bytes && !(th->map_bytes = calloc(th->nrows, sizeof(*th->map_bytes))))
			return VTB_E_NOMEM;
		if (r->map_bytes) /* its untouched pages cost nothing: kept as it is */
			th->map_bytes[d] = r->map_bytes;
		else
			r->s = shrink(r->s, r->n, sizeof(*r->s));
		r->cap = r->n;
		th->pubrows[d] = (vtb_row){ r->s, r->n };
		calls += r->n;
		if (r->n)
			span_add(t, r->s[0].start_ns, r->s[r->n - 1].start_ns + r->s[r->n - 1].dur_ns);
	}
	/* The public rows own the slices from here: the growable ones go (24 bytes a depth). */
	free(th->rows);
	th->rows = NULL;
	th->rowcap = 0;
	th->pub.depth_count = (uint32_t)th->nrows;
	th->pub.rows = th->pubrows;
	th->pub.call_count = calls;
	return 0;
}

static int finish_thread(vtb_trace *t, struct vtb_rthread *th)
{
	uint64_t end = th->last_ts > t->header.dump_ns ? th->last_ts : t->header.dump_ns;
	int64_t idx;

	while (th->depth)
		if (vtb_model_close(t, th, end, VTB_CALL_OPEN, &idx))
			return VTB_E_NOMEM;
	if (vtb_model_publish_rows(t, th))
		return VTB_E_NOMEM;
	th->marks = shrink(th->marks, th->nmarks, sizeof(*th->marks));
	th->markcap = th->nmarks;
	if (th->nmarks)
		span_add(t, th->marks[0].ts_ns, th->marks[th->nmarks - 1].ts_ns);
	if (th->natt > 1)
		qsort(th->att, th->natt, sizeof(*th->att), cmp_att);
	free(th->stack);
	th->stack = NULL;
	th->stackcap = 0;
	th->pub.marks = th->marks;
	th->pub.mark_count = th->nmarks;
	th->pub.attachments = th->att;
	th->pub.attachment_count = th->natt;
	th->steps = shrink(th->steps, th->nsteps, sizeof(*th->steps));
	th->stepcap = th->nsteps;
	if (th->nsteps > 1) {
		step_rows = th->pub.rows;
		qsort(th->steps, th->nsteps, sizeof(*th->steps), cmp_step);
	}
	th->pub.task_steps = th->steps;
	th->pub.task_step_count = th->nsteps;
	return 0;
}

/* 0 or VTB_E_NOMEM; after it the public views of `t` are complete. */
int vtb_model_finish(vtb_trace *t)
{
	t->first_ns = UINT64_MAX;
	t->last_ns = 0;
	for (size_t i = 0; i < t->nth; i++)
		if (finish_thread(t, &t->th[i]))
			return VTB_E_NOMEM;
	for (size_t i = 0; i < t->nctr; i++) {
		struct vtb_rcounter *k = &t->ctr[i];
		if (k->unsorted)
			qsort(k->s, k->n, sizeof(*k->s), cmp_sample);
		k->pub.samples = k->s;
		k->pub.count = k->n;
		if (k->n)
			span_add(t, k->s[0].ts_ns, k->s[k->n - 1].ts_ns);
	}
	if (t->first_ns > t->last_ns)
		t->first_ns = t->last_ns = 0;
	return 0;
}

void vtb_model_row_free(vtb_trace *t, struct vtb_rrow *r)
{
	if (r->map_bytes)
		vtb_map_pool_put(t->pool, r->s, r->map_bytes);
	else
		free(r->s);
	r->s = NULL;
	r->n = r->cap = r->map_bytes = 0;
}

void vtb_model_free_threads(vtb_trace *t)
{
	for (size_t i = 0; i < t->nth; i++) {
		struct vtb_rthread *th = &t->th[i];
		for (size_t d = 0; d < th->nrows; d++) { /* rows until published, pubrows after */
			if (th->rows)
				vtb_model_row_free(t, &th->rows[d]);
			else if (th->map_bytes && th->map_bytes[d])
				vtb_map_pool_put(t->pool, (void *)th->pubrows[d].slices, th->map_bytes[d]);
			else
				free((void *)th->pubrows[d].slices);
		}
		free(th->rows);
		free(th->pubrows);
		free(th->map_bytes);
		free(th->marks);
		free(th->att);
		free(th->steps);
		free(th->stack);
	}
	free(t->th);
	t->th = NULL;
	t->nth = 0;
}

/* Frees the trace and everything its accessors returned; a flattened trace frees its
 * base, which holds what they share. */
void vtb_trace_free(vtb_trace *t)
{
	if (!t)
		return;
	vtb_model_free_threads(t);
	if (t->base) { /* its pool, as its strings, is base's */
		vtb_trace_free(t->base);
		free(t);
		return;
	}
	vtb_map_pool_unref(t->pool);
	for (size_t i = 0; i < t->nctr; i++)
		free(t->ctr[i].s);
	free(t->ctr);
	free(t->ctr_hash);
	free(t->strs);
	free(t->procs);
	free(t->damage.first_problem);
	vtb_arena_free(&t->arena);
	free(t);
}

/* Accessors: what they return is owned by the trace. */
const vtb_header *vtb_trace_header(const vtb_trace *t) { return &t->header; }
const vtb_damage *vtb_trace_damage(const vtb_trace *t) { return &t->damage; }
size_t vtb_trace_string_count(const vtb_trace *t) { return t->nstr; }
size_t vtb_trace_process_count(const vtb_trace *t) { return t->nproc; }
size_t vtb_trace_thread_count(const vtb_trace *t) { return t->nth; }
size_t vtb_trace_counter_count(const vtb_trace *t) { return t->nctr; }
size_t vtb_trace_call_count(const vtb_trace *t) { return t->calls; }
size_t vtb_trace_event_count(const vtb_trace *t) { return t->events; }

/* NULL when `id` is out of range. */
const vtb_string *vtb_trace_string(const vtb_trace *t, uint32_t id)
{
	return id < t->nstr ? &t->strs[id] : NULL;
}

/* NULL when `i` is out of range (and so for the next two). */
const vtb_process *vtb_trace_process(const vtb_trace *t, size_t i)
{
	return i < t->nproc ? &t->procs[i] : NULL;
}

const vtb_thread *vtb_trace_thread(const vtb_trace *t, size_t i)
{
	return i < t->nth ? &t->th[i].pub : NULL;
}

const vtb_counter *vtb_trace_counter(const vtb_trace *t, size_t i)
{
	return i < t->nctr ? &t->ctr[i].pub : NULL;
}

void vtb_trace_span(const vtb_trace *t, uint64_t *first_ns, uint64_t *last_ns)
{
	*first_ns = t->first_ns;
	*last_ns = t->last_ns;
}

/* Slices at one depth do not overlap and are sorted by start, so their ends are sorted too. */
size_t vtb_row_find(const vtb_row *row, uint64_t ts_ns)
{
	size_t lo = 0, hi = row->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const vtb_slice *s = &row->slices[mid];
		if (s->start_ns + s->dur_ns > ts_ns)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Binary search over attachments sorted by (depth, index); owned by the trace. */
const vtb_attachment *vtb_thread_attachment(const vtb_thread *th, uint32_t depth, uint32_t index)
{
	size_t lo = 0, hi = th->attachment_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const vtb_attachment *a = &th->attachments[mid];
		if (a->depth < depth || (a->depth == depth && a->index < index))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < th->attachment_count && th->attachments[lo].depth == depth && th->attachments[lo].index == index)
		return &th->attachments[lo];
	return NULL;
}
