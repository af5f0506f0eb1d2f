/* SPDX-License-Identifier: MIT */
/* save.c: write a loaded trace model back as a VTB file (the VTB half of `vtui convert`).
 *
 * The model keeps calls per depth; the writer wants each thread's begin/end stream in time
 * order. A depth-first walk with one cursor per depth rebuilds it: the next slice one level
 * down is a child of the open call when it lies inside it, otherwise the open call ends.
 * Marks and counter samples are merged in by time before each begin or end, never between
 * an end and its return value.
 */
#include "common/trace_internal.h"

#include <stdlib.h>

struct point {
	uint64_t ts_ns;
	size_t seq;
	const vtb_mark *mark;     /* or */
	const vtb_counter *ctr;
	const vtb_sample *sample;
};

struct saver {
	const vtb_trace *t;
	vtb_writer *w;
	uint32_t *sid;            /* model string id -> writer string id */
	uint32_t thread;          /* writer thread index */
	struct point *pts;
	size_t npts, next_pt;
	size_t *ctr_thread;       /* counter -> writer thread */
	size_t nthreads;          /* writer threads: the model's and those for counters */
	size_t step;              /* the thread's next task step (they go by start, as begins) */
};

static int cmp_point(const void *a, const void *b)
{
	const struct point *x = a, *y = b;

	if (x->ts_ns != y->ts_ns)
		return x->ts_ns < y->ts_ns ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int emit_point(struct saver *s, const struct point *p)
{
	if (p->sample)
		return vtb_writer_counter(s->w, s->thread, p->ts_ns, s->sid[p->ctr->name_id],
					  s->sid[p->ctr->series_id], p->sample->value);
	const vtb_mark *m = p->mark;
	const char *text = m->text && *m->text ? m->text : NULL;
	switch (m->kind) {
	case VTB_MARK_OBJECT: return vtb_writer_object(s->w, s->thread, m->ts_ns, s->sid[m->name_id], text);
	case VTB_MARK_LOG: return vtb_writer_log(s->w, s->thread, m->ts_ns, m->level, s->sid[m->name_id], text);
	default: return vtb_writer_instant(s->w, s->thread, m->ts_ns, s->sid[m->name_id], text);
	}
}

/* Emit the points at or before `ts`. */
static int points_until(struct saver *s, uint64_t ts)
{
	int rc = 0;

	while (!rc && s->next_pt < s->npts && s->pts[s->next_pt].ts_ns <= ts)
		rc = emit_point(s, &s->pts[s->next_pt++]);
	return rc;
}

static int gather_points(struct saver *s, const vtb_thread *th, size_t ti)
{
	size_t n = th->mark_count;

	for (size_t i = 0; i < s->t->nctr; i++)
		if (s->ctr_thread[i] == ti)
			n += s->t->ctr[i].n;
	free(s->pts);
	s->pts = malloc((n ? n : 1) * sizeof(*s->pts));
	if (!s->pts)
		return VTB_E_NOMEM;
	s->npts = s->next_pt = 0;
	for (size_t i = 0; i < th->mark_count; i++)
		s->pts[s->npts++] = (struct point){ th->marks[i].ts_ns, s->npts, &th->marks[i], NULL, NULL };
	for (size_t i = 0; i < s->t->nctr; i++) {
		const vtb_counter *c = &s->t->ctr[i].pub;
		for (size_t k = 0; s->ctr_thread[i] == ti && k < c->count; k++)
			s->pts[s->npts++] = (struct point){ c->samples[k].ts_ns, s->npts, NULL, c, &c->samples[k] };
	}
	qsort(s->pts, s->npts, sizeof(*s->pts), cmp_point);
	return 0;
}

#define BEGIN_FLAGS_MASK ((uint32_t) ~(VTB_CALL_OPEN | VTB_CALL_EXCEPTION | VTB_CALL_DAMAGED))

static uint64_t step_start(const vtb_thread *th, size_t k)
{
	return th->rows[th->task_steps[k].depth].slices[th->task_steps[k].index].start_ns;
}

/* The task step that call (depth, index) is, or NULL. */
static const vtb_task_step *step_at(struct saver *s, const vtb_thread *th, uint32_t depth, size_t index)
{
	uint64_t start = th->rows[depth].slices[index].start_ns;

	while (s->step < th->task_step_count && step_start(th, s->step) < start)
		s->step++;
	for (size_t k = s->step; k < th->task_step_count && step_start(th, k) == start; k++)
		if (th->task_steps[k].depth == depth && th->task_steps[k].index == index)
			return &th->task_steps[k];
	return NULL;
}

static int emit_begin(struct saver *s, const vtb_thread *th, uint32_t depth, size_t index)
{
	const vtb_slice *c = &th->rows[depth].slices[index];
	int rc = points_until(s, c->start_ns);

	rc = rc ? rc : vtb_writer_begin(s->w, s->thread, c->start_ns, s->sid[c->name_id], c->flags & BEGIN_FLAGS_MASK);
	const vtb_attachment *a = th->attachment_count ? vtb_thread_attachment(th, depth, (uint32_t)index) : NULL;
	if (!rc && a && a->args)
		rc = vtb_writer_args(s->w, s->thread, a->args);
	const vtb_task_step *step = th->task_step_count ? step_at(s, th, depth, index) : NULL;
	if (!rc && step)
		rc = vtb_writer_task(s->w, s->thread, step->task, step->name);
	return rc;
}

static int emit_end(struct saver *s, const vtb_thread *th, uint32_t depth, size_t index)
{
	const vtb_slice *c = &th->rows[depth].slices[index];
	uint64_t end = c->start_ns + c->dur_ns;
	int rc = points_until(s, end);

	rc = rc ? rc : vtb_writer_end(s->w, s->thread, end, c->flags & ~BEGIN_FLAGS_MASK);
	const vtb_attachment *a = th->attachment_count ? vtb_thread_attachment(th, depth, (uint32_t)index) : NULL;
	if (!rc && a && a->retval)
		rc = vtb_writer_retval(s->w, s->thread, a->retval);
	return rc;
}

/* The depth-first walk; cur[d] is the open (or next) slice at depth d. */
static int save_calls(struct saver *s, const vtb_thread *th, size_t *cur, size_t *emitted)
{
	uint32_t depth = 0;
	int rc = 0;

	while (!rc) {
		const vtb_row *r = depth < th->depth_count ? &th->rows[depth] : NULL;
		const vtb_slice *c = r && cur[depth] < r->count ? &r->slices[cur[depth]] : NULL;
		if (depth > 0) {
			const vtb_slice *top = &th->rows[depth - 1].slices[cur[depth - 1]];
			if (c && c->start_ns >= top->start_ns && c->start_ns + c->dur_ns <= top->start_ns + top->dur_ns) {
				rc = emit_begin(s, th, depth, cur[depth]);
				depth++;
				continue;
			}
			depth--;
			rc = emit_end(s, th, depth, cur[depth]++);
			++*emitted;
			continue;
		}
		if (!c)
			break;
		rc = emit_begin(s, th, 0, cur[0]);
		depth = 1;
	}
	return rc;
}

static int save_thread(struct saver *s, size_t ti)
{
	static const vtb_thread none;
	const vtb_thread *th = ti < s->t->nth ? &s->t->th[ti].pub : &none;
	size_t *cur = calloc(th->depth_count + 1, sizeof(*cur));
	size_t emitted = 0;
	int rc = cur ? gather_points(s, th, ti) : VTB_E_NOMEM;

	s->thread = (uint32_t)ti;
	s->step = 0;
	if (!rc)
		rc = save_calls(s, th, cur, &emitted);
	if (!rc)
		rc = points_until(s, UINT64_MAX);
	if (!rc && emitted != th->call_count)
		rc = VTB_E_FORMAT; /* some calls do not nest inside their parents */
	free(cur);
	return rc;
}

/* Writer threads for the model's threads, plus one per process whose counters have no
 * thread of their own. */
static int save_threads(struct saver *s)
{
	const vtb_trace *t = s->t;

	for (size_t i = 0; i < t->nth; i++)
		if (vtb_writer_thread(s->w, t->th[i].pub.pid, t->th[i].pub.tid, t->th[i].pub.name) < 0)
			return VTB_E_NOMEM;
	s->nthreads = t->nth;
	for (size_t i = 0; i < t->nctr; i++) {
		s->ctr_thread[i] = SIZE_MAX;
		for (size_t j = 0; j < t->nth && s->ctr_thread[i] == SIZE_MAX; j++)
			if (t->th[j].pub.pid == t->ctr[i].pub.pid)
				s->ctr_thread[i] = j;
		for (size_t j = 0; j < i && s->ctr_thread[i] == SIZE_MAX; j++)
			if (t->ctr[j].pub.pid == t->ctr[i].pub.pid && s->ctr_thread[j] >= t->nth)
				s->ctr_thread[i] = s->ctr_thread[j];
		if (s->ctr_thread[i] == SIZE_MAX) {
			int64_t n = vtb_writer_thread(s->w, t->ctr[i].pub.pid, 0, "counters");
			if (n < 0)
				return (int)n;
			s->ctr_thread[i] = (size_t)n;
			s->nthreads = (size_t)n + 1;
		}
	}
	return 0;
}

static int save_names(struct saver *s)
{
	const vtb_trace *t = s->t;

	for (size_t i = 0; i < t->nstr; i++) {
		int64_t id = vtb_writer_string(s->w, t->strs[i].name, t->strs[i].file, t->strs[i].line);
		if (id < 0)
			return (int)id;
		s->sid[i] = (uint32_t)id;
	}
	for (size_t i = 0; i < t->nproc; i++) {
		int rc = vtb_writer_process(s->w, t->procs[i].pid, t->procs[i].ppid, t->procs[i].name);
		if (rc)
			return rc;
	}
	return save_threads(s);
}

/* Writes `t` to `path`; *cause (on failure) is the caller's to free. */
int vtb_trace_save(const vtb_trace *t, const char *path, char **cause)
{
	struct saver s = { .t = t };
	char *why = NULL;
	int rc = VTB_E_NOMEM;

	s.sid = malloc((t->nstr ? t->nstr : 1) * sizeof(*s.sid));
	s.ctr_thread = malloc((t->nctr ? t->nctr : 1) * sizeof(*s.ctr_thread));
	if (!s.sid || !s.ctr_thread)
		goto out;
	s.w = vtb_writer_open_file(path, &t->header, &why);
	if (!s.w) {
		rc = VTB_E_IO;
		goto out;
	}
	rc = save_names(&s);
	for (size_t i = 0; i < s.nthreads && !rc; i++)
		rc = save_thread(&s, i);
	if (!rc)
		rc = vtb_writer_finish(s.w, &why);
	else if (rc == VTB_E_FORMAT)
		why = vtb_fmt("%s: calls do not nest inside their parents", path);
out:
	if (rc && !why)
		why = vtb_fmt("%s: %s", path, vtb_strerror(rc));
	if (cause)
		*cause = why;
	else
		free(why);
	vtb_writer_free(s.w);
	free(s.sid);
	free(s.ctr_thread);
	free(s.pts);
	return rc;
}
