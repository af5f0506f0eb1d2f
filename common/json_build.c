/* SPDX-License-Identifier: MIT */
/* json_build.c: the importer's records to a trace model, through a memory writer.
 *
 * Per thread: B/E halves are matched into calls; calls are sorted by start, longer first
 * at equal starts, file order last (a file vtui wrote: file order alone, see
 * cmp_call_ordered); a stack then rebuilds their nesting, so the writer sees begins and
 * ends in time order. A call that overlaps the open one without nesting in it is cut at
 * its end. Marks and counter samples are merged in by time.
 */
#include "common/json_load.h"
#include "common/trace_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_call(const void *pa, const void *pb)
{
	const struct jcall *a = pa, *b = pb;

	if (a->start_ns != b->start_ns)
		return a->start_ns < b->start_ns ? -1 : 1;
	if (a->end_ns != b->end_ns)
		return a->end_ns > b->end_ns ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* A file vtui exported lists calls depth by depth, so at equal starts file order alone
 * puts parents first and keeps a zero-length call before its sibling: no guessing. */
static int cmp_call_ordered(const void *pa, const void *pb)
{
	const struct jcall *a = pa, *b = pb;

	if (a->start_ns != b->start_ns)
		return a->start_ns < b->start_ns ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int cmp_be(const void *pa, const void *pb)
{
	const struct jbe *a = pa, *b = pb;

	if (a->ts_ns != b->ts_ns)
		return a->ts_ns < b->ts_ns ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int cmp_mark(const void *pa, const void *pb)
{
	const struct jmark *a = pa, *b = pb;

	if (a->ts_ns != b->ts_ns)
		return a->ts_ns < b->ts_ns ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* "a, b" as a new text (B's args, then E's). */
static int join_texts(struct jimp *im, uint64_t a, uint64_t b, uint64_t *out)
{
	*out = a ? a : b;
	if (!a || !b)
		return 0;
	im->scratch.len = 0;
	const char *sa = jimp_text(im, a);
	if (vtb_buf_put(&im->scratch, sa, strlen(sa)) || vtb_buf_put(&im->scratch, ", ", 2))
		return VTB_E_NOMEM;
	const char *sb = jimp_text(im, b);
	if (vtb_buf_put(&im->scratch, sb, strlen(sb)))
		return VTB_E_NOMEM;
	return jimp_text_ref(im, &im->scratch, out);
}

static int add_call(struct jthread *t, const struct jbe *b, uint64_t end_ns, uint64_t args, uint64_t ret,
		    uint32_t flags)
{
	if (vtb_grow((void **)&t->calls, &t->callcap, t->ncall + 1, sizeof(*t->calls)))
		return VTB_E_NOMEM;
	t->calls[t->ncall++] = (struct jcall){ b->ts_ns, end_ns, b->name, b->flags | flags, b->seq, args, ret };
	return 0;
}

/* Match B/E halves into calls: an E ends the innermost open B of its thread. */
static int resolve_be(struct jimp *im, struct jthread *t)
{
	size_t *stk = NULL, n = 0, cap = 0;
	int rc = 0;

	if (t->nbe > 1)
		qsort(t->bes, t->nbe, sizeof(*t->bes), cmp_be);
	for (size_t i = 0; i < t->nbe && !rc; i++) {
		const struct jbe *b = &t->bes[i];
		if (!b->is_end) {
			rc = vtb_grow((void **)&stk, &cap, n + 1, sizeof(*stk));
			if (!rc)
				stk[n++] = i;
		} else if (!n) {
			im->e_unmatched++;
		} else {
			const struct jbe *open = &t->bes[stk[--n]];
			uint64_t args;
			rc = join_texts(im, open->args, b->args, &args);
			if (!rc)
				rc = add_call(t, open, b->ts_ns, args, b->ret ? b->ret : open->ret, 0);
		}
	}
	for (; n && !rc; n--, im->b_unclosed++) {
		const struct jbe *open = &t->bes[stk[n - 1]];
		rc = add_call(t, open, t->last_ns, open->args, open->ret, VTB_CALL_OPEN);
	}
	free(stk);
	free(t->bes);
	t->bes = NULL;
	t->nbe = t->becap = 0;
	return rc;
}

/* Writing one thread: the writer, the thread's index in it, and its open calls. */
struct emit {
	struct jimp *im;
	vtb_writer *w;
	struct jthread *t;
	uint32_t thread;
	size_t mi;                  /* next mark */
	struct { uint64_t end_ns, ret; } *stk;
	size_t n, cap;
};

static uint32_t wid(const struct jimp *im, uint32_t i)
{
	return (uint32_t)im->strs[i].wid;
}

static int emit_mark(struct emit *e, const struct jmark *m)
{
	struct jimp *im = e->im;
	uint64_t ts = m->ts_ns + im->ts_offset_ns;
	const char *text = m->kind == JM_COUNTER ? NULL : jimp_text(im, m->data);
	double v;

	switch (m->kind) {
	case JM_INSTANT:
		return vtb_writer_instant(e->w, e->thread, ts, wid(im, m->name), text);
	case JM_OBJECT:
		return vtb_writer_object(e->w, e->thread, ts, wid(im, m->name), text ? text : "");
	case JM_LOG:
		return vtb_writer_log(e->w, e->thread, ts, m->aux, wid(im, m->name), text ? text : "");
	default:
		memcpy(&v, &m->data, sizeof(v));
		return vtb_writer_counter(e->w, e->thread, ts, wid(im, m->name), wid(im, m->aux), v);
	}
}

/* Write the marks at or before `ts_ns` (before the import's offset). */
static int flush_marks(struct emit *e, uint64_t ts_ns)
{
	int rc = 0;

	while (!rc && e->mi < e->t->nmark && e->t->marks[e->mi].ts_ns <= ts_ns)
		rc = emit_mark(e, &e->t->marks[e->mi++]);
	return rc;
}

static int pop_call(struct emit *e)
{
	uint64_t end = e->stk[e->n - 1].end_ns, ret = e->stk[e->n - 1].ret;
	int rc = flush_marks(e, end);

	e->n--;
	if (!rc)
		rc = vtb_writer_end(e->w, e->thread, end + e->im->ts_offset_ns, 0);
	if (!rc && ret)
		rc = vtb_writer_retval(e->w, e->thread, jimp_text(e->im, ret));
	return rc;
}

/* The task step call `c` is, or NULL: the steps are in seq order, a binary search. */
static const struct jtask *task_of(const struct jthread *t, const struct jcall *c)
{
	size_t lo = 0, hi = t->ntask;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->tasks[mid].seq < c->seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->ntask && t->tasks[lo].seq == c->seq ? &t->tasks[lo] : NULL;
}

static int push_call(struct emit *e, struct jcall *c)
{
	const struct jtask *task;
	struct jimp *im = e->im;

	while (e->n && e->stk[e->n - 1].end_ns <= c->start_ns) {
		int rc = pop_call(e);
		if (rc)
			return rc;
	}
	if (e->n && c->end_ns > e->stk[e->n - 1].end_ns) {
		c->end_ns = e->stk[e->n - 1].end_ns;
		im->clamped++;
	}
	if (e->n >= VTB_MAX_DEPTH - 1) {
		im->too_deep++;
		return 0;
	}
	int rc = flush_marks(e, c->start_ns);
	if (!rc)
		rc = vtb_writer_begin(e->w, e->thread, c->start_ns + im->ts_offset_ns, wid(im, c->name), c->flags);
	if (!rc && c->args)
		rc = vtb_writer_args(e->w, e->thread, jimp_text(im, c->args));
	if (!rc && e->t->ntask && (task = task_of(e->t, c)))
		rc = vtb_writer_task(e->w, e->thread, task->id, jimp_text(im, task->name));
	if (!rc && vtb_grow((void **)&e->stk, &e->cap, e->n + 1, sizeof(*e->stk)))
		rc = VTB_E_NOMEM;
	if (!rc) {
		e->stk[e->n].end_ns = c->end_ns;
		e->stk[e->n++].ret = c->ret;
	}
	return rc;
}

static int emit_thread(struct jimp *im, vtb_writer *w, struct jthread *t)
{
	struct emit e = { .im = im, .w = w, .t = t, .thread = (uint32_t)t->wid };
	int rc = resolve_be(im, t);

	if (t->ncall > 1)
		qsort(t->calls, t->ncall, sizeof(*t->calls), im->have_hdr ? cmp_call_ordered : cmp_call);
	if (t->nmark > 1)
		qsort(t->marks, t->nmark, sizeof(*t->marks), cmp_mark);
	for (size_t i = 0; i < t->ncall && !rc; i++)
		rc = push_call(&e, &t->calls[i]);
	while (e.n && !rc)
		rc = pop_call(&e);
	if (!rc)
		rc = flush_marks(&e, UINT64_MAX);
	free(e.stk);
	return rc;
}

/* Threads in order: by process (as met), the main thread (tid == pid) first, then by
 * the first thing they did. */
static int cmp_thread(const void *pa, const void *pb)
{
	const struct jthread *a = pa, *b = pb;

	if (a->porder != b->porder)
		return a->porder < b->porder ? -1 : 1;
	if ((a->tid == a->pid) != (b->tid == b->pid))
		return a->tid == a->pid ? -1 : 1;
	if (a->first_ns != b->first_ns)
		return a->first_ns < b->first_ns ? -1 : 1;
	return a->tid < b->tid ? -1 : a->tid > b->tid;
}

static void make_header(struct jimp *im, vtb_header *h, char *what, size_t what_len)
{
	uint64_t lo = im->min_ns == UINT64_MAX ? 0 : im->min_ns + im->ts_offset_ns;
	uint64_t hi = im->min_ns == UINT64_MAX ? 0 : im->max_ns + im->ts_offset_ns;

	if (im->have_hdr) {
		*h = im->hdr;
		h->cmdline = im->hdr_cmdline;
		h->python_version = im->hdr_python;
		h->reason_text = im->hdr_reason_text;
		return;
	}
	memset(h, 0, sizeof(*h));
	h->pid = im->nproc ? im->procs[0].pid : 0;
	h->reason = VTB_REASON_IMPORT;
	if (im->version)
		snprintf(what, what_len, "VizTracer %.64s JSON", im->version);
	else
		snprintf(what, what_len, "Chrome trace JSON");
	h->reason_text = what;
	h->start_mono_ns = h->window_start_ns = lo;
	h->dump_ns = hi;
	h->wrapped = (uint32_t)im->overflow;
	if (im->have_base && (im->base_ns >= 0 || (uint64_t)-im->base_ns <= lo))
		h->start_wall_ns = (uint64_t)((int64_t)lo + im->base_ns);
}

/* Strings, processes and threads, before any event. */
static int declare(struct jimp *im, vtb_writer *w)
{
	for (size_t i = 0; i < im->nstr; i++) {
		im->strs[i].wid = vtb_writer_string(w, im->strs[i].name, im->strs[i].file, im->strs[i].line);
		if (im->strs[i].wid < 0)
			return (int)im->strs[i].wid;
	}
	for (size_t i = 0; i < im->nproc; i++) {
		int rc = vtb_writer_process(w, im->procs[i].pid, 0, im->procs[i].name);
		if (rc)
			return rc;
	}
	if (im->nth > 1)
		qsort(im->th, im->nth, sizeof(*im->th), cmp_thread);
	for (size_t i = 0; i < im->nth; i++) {
		struct jthread *t = &im->th[i];

		/* a process's metadata (tid = pid) made an entry; unnamed and empty, it is no thread */
		if (!t->ncall && !t->nbe && !t->nmark && !t->name) {
			t->wid = -1;
			continue;
		}
		t->wid = vtb_writer_thread(w, t->pid, t->tid, t->name);
		if (t->wid < 0)
			return (int)t->wid;
	}
	return 0;
}

vtb_trace *jimp_build(struct jimp *im, char **cause)
{
	char what[128];
	vtb_header h;
	vtb_trace *t = NULL;
	size_t len;

	make_header(im, &h, what, sizeof(what));
	vtb_writer *w = vtb_writer_open_mem(&h);
	if (!w) {
		*cause = vtb_fmt("%s: out of memory", im->path);
		return NULL;
	}
	int rc = declare(im, w);
	for (size_t i = 0; i < im->nth && !rc; i++) {
		rc = im->th[i].wid < 0 ? 0 : emit_thread(im, w, &im->th[i]);
		free(im->th[i].calls);
		free(im->th[i].marks);
		free(im->th[i].tasks);
		im->th[i].calls = NULL;
		im->th[i].marks = NULL;
		im->th[i].tasks = NULL;
	}
	if (rc) {
		*cause = vtb_fmt("%s: building the trace failed: %s", im->path, vtb_strerror(rc));
		goto out;
	}
	if (vtb_writer_finish(w, cause))
		goto out;
	const uint8_t *buf = vtb_writer_mem(w, &len);
	t = vtb_trace_load_mem(buf, len, 0, cause);
	if (t && im->partial) { /* so that every reader of the model sees the cut, report or not */
		t->damage.truncated = 1;
		t->damage.first_problem = strdup(im->partial);
	}
out:
	vtb_writer_free(w);
	return t;
}
