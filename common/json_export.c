/* SPDX-License-Identifier: MIT */
/* json_export.c: write a trace model as Chrome trace event JSON.
 *
 * Streamed, one event a line, so a trace of millions of calls never becomes one tree in
 * memory. Names are written as VizTracer writes them ("qualname (file:line)", C functions
 * by name alone) under cat "FEE"; calls are complete events (ph X), written depth by depth
 * so a parent always comes before a child that starts at the same time. Instants, log
 * records (VizTracer's "logging - <message>" instants), object snapshots (ph O) and counter
 * samples (ph C) follow each thread; each asyncio task step is also a nestable async slice
 * (ph b/e, its id the task's), so Perfetto shows a track per task. What Chrome JSON has no
 * place for (flags, the task a step belongs to, the VTB header) goes into keys viewers
 * ignore ("vtb_flags", "vtb_task", "vtb_header"), so importing the export gives the same
 * trace back.
 */
#include "common/json_private.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct jexp {
	const vtb_trace *t;
	struct jout o;
	char **names;          /* the JSON name of each string, made on first use */
	uint64_t offset_ns;    /* subtracted from every time so that doubles hold it exactly */
	int first;
	uint64_t *first_tid;   /* (pid, thread index) pairs sorted */
	size_t nfirst;
	size_t done, total;
	vtb_progress_fn progress;
	void *progress_ctx;
	int cancelled;
};

static const char *json_name(struct jexp *x, uint32_t id)
{
	const vtb_string *s = vtb_trace_string(x->t, id);

	if (!s)
		return "";
	if (!s->file || !s->file[0])
		return s->name;
	if (!x->names[id] && !(x->names[id] = vtb_fmt("%s (%s:%" PRIu32 ")", s->name, s->file, s->line)))
		x->o.err = 12; /* ENOMEM, reported at close */
	return x->names[id] ? x->names[id] : s->name;
}

/* Start an event: separator, then the fields every event has. */
static void ev_head(struct jexp *x, const char *ph, uint32_t pid, uint64_t tid, uint64_t ts_ns)
{
	jout_puts(&x->o, x->first ? "\n" : ",\n");
	x->first = 0;
	jout_printf(&x->o, "{\"ph\":\"%s\",\"pid\":%" PRIu32 ",\"tid\":%" PRIu64 ",\"ts\":", ph, pid, tid);
	jout_us(&x->o, ts_ns - x->offset_ns);
	if (x->progress && ++x->done % 65536 == 0 && x->progress(x->progress_ctx, x->done, x->total))
		x->cancelled = 1;
}

static void put_call(struct jexp *x, const vtb_thread *th, const vtb_slice *s, const vtb_attachment *a,
		     const vtb_task_step *step)
{
	const vtb_string *str = vtb_trace_string(x->t, s->name_id);
	uint32_t implied = str && (!str->file || !str->file[0]) ? VTB_CALL_C : 0;

	ev_head(x, "X", th->pid, th->tid, s->start_ns);
	jout_puts(&x->o, ",\"dur\":");
	jout_us(&x->o, s->dur_ns);
	jout_puts(&x->o, ",\"name\":");
	jout_str(&x->o, json_name(x, s->name_id));
	jout_puts(&x->o, ",\"cat\":\"FEE\"");
	if (s->flags != implied)
		jout_printf(&x->o, ",\"vtb_flags\":%u", (unsigned)s->flags);
	if (step) {
		jout_printf(&x->o, ",\"" JSON_TASK_KEY "\":{\"id\":\"%" PRIu64 "\",\"name\":", step->task);
		jout_str(&x->o, step->name ? step->name : "");
		jout_puts(&x->o, "}");
	}
	if (a && (a->args || a->retval)) {
		jout_puts(&x->o, ",\"args\":{");
		if (a->args) {
			jout_puts(&x->o, "\"func_args\":");
			jout_text(&x->o, a->args, JT_STRING);
		}
		if (a->retval) {
			jout_puts(&x->o, a->args ? ",\"return_value\":" : "\"return_value\":");
			jout_str(&x->o, a->retval);
		}
		jout_puts(&x->o, "}");
	}
	jout_puts(&x->o, "}");
}

static int cmp_step_place(const void *pa, const void *pb)
{
	const vtb_task_step *a = *(const vtb_task_step *const *)pa, *b = *(const vtb_task_step *const *)pb;

	if (a->depth != b->depth)
		return a->depth < b->depth ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

/* The thread's task steps in the calls' order, (depth, index), or NULL (none, or out of
 * memory: then the error is set). The caller frees. */
static const vtb_task_step **steps_by_place(struct jexp *x, const vtb_thread *th)
{
	const vtb_task_step **v;

	if (!th->task_step_count)
		return NULL;
	if (!(v = malloc(th->task_step_count * sizeof(*v)))) {
		x->o.err = 12; /* ENOMEM, reported at close */
		return NULL;
	}
	for (size_t i = 0; i < th->task_step_count; i++)
		v[i] = &th->task_steps[i];
	qsort(v, th->task_step_count, sizeof(*v), cmp_step_place);
	return v;
}

/* Calls depth by depth; attachments and steps sorted by (depth, index), so a cursor
 * follows each. */
static void put_calls(struct jexp *x, const vtb_thread *th)
{
	const vtb_task_step **steps = steps_by_place(x, th);
	size_t ai = 0, si = 0;

	for (uint32_t d = 0; d < th->depth_count && !x->cancelled; d++) {
		for (size_t i = 0; i < th->rows[d].count; i++) {
			const vtb_attachment *a = NULL;
			const vtb_task_step *step = NULL;
			while (ai < th->attachment_count &&
			       (th->attachments[ai].depth < d ||
				(th->attachments[ai].depth == d && th->attachments[ai].index < i)))
				ai++;
			if (ai < th->attachment_count && th->attachments[ai].depth == d && th->attachments[ai].index == i)
				a = &th->attachments[ai];
			if (steps && si < th->task_step_count && steps[si]->depth == d && steps[si]->index == i)
				step = steps[si++];
			put_call(x, th, &th->rows[d].slices[i], a, step);
		}
	}
	free(steps);
}

/* Each task step again as a nestable async slice (b, then e) on its task's track. */
static void put_task_tracks(struct jexp *x, const vtb_thread *th)
{
	for (size_t i = 0; i < th->task_step_count && !x->cancelled; i++) {
		const vtb_task_step *st = &th->task_steps[i];
		const vtb_slice *s = &th->rows[st->depth].slices[st->index];

		for (int end = 0; end <= 1; end++) {
			ev_head(x, end ? "e" : "b", th->pid, th->tid, end ? s->start_ns + s->dur_ns : s->start_ns);
			jout_printf(&x->o, ",\"cat\":\"" JSON_TASK_CAT "\",\"id\":\"0x%" PRIx64 "\",\"name\":", st->task);
			jout_str(&x->o, st->name ? st->name : "");
			jout_puts(&x->o, "}");
		}
	}
}

static void put_mark(struct jexp *x, const vtb_thread *th, const vtb_mark *m)
{
	const vtb_string *s = vtb_trace_string(x->t, m->name_id);
	const char *name = s ? s->name : "";

	if (m->kind == VTB_MARK_OBJECT) {
		ev_head(x, "O", th->pid, th->tid, m->ts_ns);
		jout_printf(&x->o, ",\"id\":\"0x%" PRIx32 "\",\"name\":", m->name_id);
		jout_str(&x->o, name);
		jout_puts(&x->o, ",\"args\":{\"snapshot\":");
		jout_text(&x->o, m->text, JT_STRING);
		jout_puts(&x->o, "}}");
		return;
	}
	ev_head(x, "i", th->pid, th->tid, m->ts_ns);
	jout_puts(&x->o, ",\"s\":\"t\",\"cat\":\"INSTANT\",\"name\":");
	if (m->kind == VTB_MARK_LOG) {
		char *full = vtb_fmt(JSON_LOG_PREFIX "%s", m->text ? m->text : "");
		jout_str(&x->o, full ? full : JSON_LOG_PREFIX);
		free(full);
		jout_printf(&x->o, ",\"args\":{\"level\":%" PRIu32 ",\"logger\":", m->level);
		jout_str(&x->o, name);
		jout_puts(&x->o, "}}");
		return;
	}
	jout_str(&x->o, name);
	if (m->text && m->text[0]) {
		jout_puts(&x->o, ",\"args\":");
		jout_text(&x->o, m->text, JT_WRAPPED);
	}
	jout_puts(&x->o, "}");
}

static int cmp_pid_tid(const void *pa, const void *pb)
{
	const uint64_t *a = pa, *b = pb;

	if (a[0] != b[0])
		return a[0] < b[0] ? -1 : 1;
	return a[1] < b[1] ? -1 : a[1] > b[1];
}

/* (pid, tid) of the first thread of each process, sorted by pid, for put_counter. */
static int first_threads(struct jexp *x)
{
	size_t n = vtb_trace_thread_count(x->t), k = 0;

	x->first_tid = calloc(2 * (n ? n : 1), sizeof(uint64_t));
	if (!x->first_tid)
		return VTB_E_NOMEM;
	for (size_t i = 0; i < n; i++) {
		const vtb_thread *th = vtb_trace_thread(x->t, i);
		x->first_tid[2 * k] = th->pid;
		x->first_tid[2 * k + 1] = i; /* the order in the trace decides "first" */
		k++;
	}
	qsort(x->first_tid, k, 2 * sizeof(uint64_t), cmp_pid_tid);
	x->nfirst = k;
	return 0;
}

/* A counter sample on the first thread of its process (Chrome counters are per process). */
static void put_counter(struct jexp *x, const vtb_counter *c)
{
	const vtb_string *name = vtb_trace_string(x->t, c->name_id);
	const vtb_string *series = vtb_trace_string(x->t, c->series_id);
	uint64_t tid = c->pid, key[2] = { c->pid, 0 };
	size_t lo = 0, hi = x->nfirst;

	while (lo < hi) { /* the lowest entry with this pid */
		size_t mid = (lo + hi) / 2;
		if (cmp_pid_tid(&x->first_tid[2 * mid], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < x->nfirst && x->first_tid[2 * lo] == c->pid)
		tid = vtb_trace_thread(x->t, (size_t)x->first_tid[2 * lo + 1])->tid;
	for (size_t i = 0; i < c->count && !x->cancelled; i++) {
		double v = c->samples[i].value;
		ev_head(x, "C", c->pid, tid, c->samples[i].ts_ns);
		jout_puts(&x->o, ",\"name\":");
		jout_str(&x->o, name ? name->name : "");
		jout_puts(&x->o, ",\"args\":{");
		jout_str(&x->o, series ? series->name : "");
		if (isfinite(v))
			jout_printf(&x->o, ":%.17g}}", v);
		else
			jout_printf(&x->o, ":\"%s\"}}", isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
	}
}

static void put_meta(struct jexp *x, const char *what, uint32_t pid, uint64_t tid, const char *name)
{
	if (!name || !name[0])
		return;
	jout_puts(&x->o, x->first ? "\n" : ",\n");
	x->first = 0;
	jout_printf(&x->o, "{\"ph\":\"M\",\"pid\":%" PRIu32 ",\"tid\":%" PRIu64 ",\"name\":\"%s\",\"args\":{\"name\":",
		    pid, tid, what);
	jout_str(&x->o, name);
	jout_puts(&x->o, "}}");
}

static void put_u64(struct jout *o, const char *key, uint64_t v, int comma)
{
	jout_printf(o, "%s\"%s\":\"%" PRIu64 "\"", comma ? "," : "", key, v);
}

static void put_header(struct jexp *x)
{
	const vtb_header *h = vtb_trace_header(x->t);
	struct jout *o = &x->o;

	jout_puts(o, "{\"vtb_header\":{");
	put_u64(o, "pid", h->pid, 0);
	put_u64(o, "ppid", h->ppid, 1);
	put_u64(o, "reason", h->reason, 1);
	put_u64(o, "wrapped", h->wrapped, 1);
	put_u64(o, "start_wall_ns", h->start_wall_ns, 1);
	put_u64(o, "start_mono_ns", h->start_mono_ns, 1);
	put_u64(o, "window_start_ns", h->window_start_ns, 1);
	put_u64(o, "dump_ns", h->dump_ns, 1);
	put_u64(o, "ring_capacity", h->ring_capacity, 1);
	put_u64(o, "events_dropped", h->events_dropped, 1);
	put_u64(o, "ts_offset_ns", x->offset_ns, 1);
	const char *keys[] = { "cmdline", "python_version", "reason_text" };
	const char *vals[] = { h->cmdline, h->python_version, h->reason_text };
	for (int i = 0; i < 3; i++) {
		if (!vals[i])
			continue;
		jout_printf(o, ",\"%s\":", keys[i]);
		jout_str(o, vals[i]);
	}
	jout_printf(o, "},\n\"viztracer_metadata\":{\"overflow\":%s", h->wrapped ? "true" : "false");
	if (h->start_wall_ns)
		jout_printf(o, ",\"baseTimeNanoseconds\":%" PRId64,
			    (int64_t)(h->start_wall_ns - h->start_mono_ns + x->offset_ns));
	jout_puts(o, "},\n\"traceEvents\":[");
}

/* Times are written in microseconds as doubles; past 2^52 ns (52 days of uptime) those
 * lose nanoseconds, so large clocks are written from a whole second before the first. */
static uint64_t time_offset(const vtb_trace *t)
{
	uint64_t first, last;

	vtb_trace_span(t, &first, &last);
	if (last < (1ull << 52) || first > last)
		return 0;
	return first - first % 1000000000u;
}

static void put_all(struct jexp *x)
{
	const vtb_trace *t = x->t;

	put_header(x);
	for (size_t i = 0; i < vtb_trace_process_count(t); i++)
		put_meta(x, "process_name", vtb_trace_process(t, i)->pid, vtb_trace_process(t, i)->pid,
			 vtb_trace_process(t, i)->name);
	for (size_t i = 0; i < vtb_trace_thread_count(t); i++)
		put_meta(x, "thread_name", vtb_trace_thread(t, i)->pid, vtb_trace_thread(t, i)->tid,
			 vtb_trace_thread(t, i)->name);
	for (size_t i = 0; i < vtb_trace_thread_count(t) && !x->cancelled; i++) {
		const vtb_thread *th = vtb_trace_thread(t, i);
		put_calls(x, th);
		put_task_tracks(x, th);
		for (size_t m = 0; m < th->mark_count && !x->cancelled; m++)
			put_mark(x, th, &th->marks[m]);
	}
	for (size_t i = 0; i < vtb_trace_counter_count(t) && !x->cancelled; i++)
		put_counter(x, vtb_trace_counter(t, i));
	jout_puts(&x->o, "\n]}\n");
}

int vtb_json_export(const vtb_trace *t, const char *path, vtb_progress_fn progress, void *progress_ctx,
		    char **cause)
{
	struct jexp x = { .t = t, .first = 1, .progress = progress, .progress_ctx = progress_ctx };
	size_t nstr = vtb_trace_string_count(t);
	int rc;

	x.names = calloc(nstr ? nstr : 1, sizeof(*x.names));
	if (!x.names) {
		*cause = vtb_fmt("out of memory");
		return VTB_E_NOMEM;
	}
	if (first_threads(&x)) {
		*cause = vtb_fmt("out of memory");
		rc = VTB_E_NOMEM;
		goto out;
	}
	x.offset_ns = time_offset(t);
	x.total = vtb_trace_event_count(t);
	for (size_t i = 0; i < vtb_trace_thread_count(t); i++)
		x.total += 2 * vtb_trace_thread(t, i)->task_step_count; /* their async slices */
	rc = jout_open(&x.o, path, cause);
	if (rc)
		goto out;
	put_all(&x);
	if (x.cancelled) {
		jout_abort(&x.o);
		*cause = vtb_fmt("%s: cancelled", path);
		rc = VTB_E_ARG;
		goto out;
	}
	rc = jout_close(&x.o, path, cause);
	if (!rc && progress)
		progress(progress_ctx, x.total, x.total);
out:
	for (size_t i = 0; i < nstr; i++)
		free(x.names[i]);
	free(x.names);
	free(x.first_tid);
	return rc;
}
