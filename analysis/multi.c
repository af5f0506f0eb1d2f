/* SPDX-License-Identifier: MIT */
/* multi.c: several dumps of one run (a parent and its forked or multiprocessing children)
 * as one trace: every thread, call, mark and counter sample is written again through a
 * memory writer and loaded back, so the viewer sees one model (one code path for every
 * source) whose process groups are the dumps. Times move onto the first dump's clock:
 * a monotonic time t of dump i is wall_i + (t - mono_i) on the wall clock, which is
 * t + (wall_i - mono_i) - (wall_0 - mono_0) on dump 0's monotonic clock.
 *
 * A thread's events are written back in the order the writer wants (non-decreasing time,
 * ends matching begins): calls depth first, each call's children found by binary search
 * one row down, and its marks (and for the first thread of a process, its counter
 * samples) merged in by time before each begin and end. */
#define _GNU_SOURCE /* asprintf */
#include "analysis/analysis.h"
#include "analysis/private.h"

#include <stdlib.h>
#include <string.h>

struct merge {
	vtb_writer *w;
	const vtb_trace *t;
	int64_t shift_ns;       /* added to every time of `t` */
	uint32_t *names;        /* string id in t -> id in the writer */
	uint32_t thread;        /* the writer's index of the thread being written */
	const vtb_thread *th;
	size_t mark;            /* next mark of th to write */
	size_t *sample;         /* per counter of t: next sample (only the process's first thread) */
	int counters;           /* this thread carries its process's counters */
};

/* `t` + `shift` on the merged clock; a time outside the format's range comes out as
 * UINT64_MAX, which the writer refuses, so such a merge fails with a message. */
static uint64_t shifted(uint64_t t, int64_t shift)
{
	int64_t r;

	if (__builtin_add_overflow((int64_t)t, shift, &r) || r < 0 || (uint64_t)r > VTB_TIME_MAX)
		return UINT64_MAX;
	return (uint64_t)r;
}

static uint64_t at(const struct merge *m, uint64_t t)
{
	return shifted(t, m->shift_ns);
}

/* The marks and counter samples before `ts` (at it, too), oldest first. */
static int flush(struct merge *m, uint64_t ts)
{
	for (;;) {
		uint64_t best = UINT64_MAX;
		long k = -2; /* -1: the mark, >= 0: a counter */

		if (m->mark < m->th->mark_count && m->th->marks[m->mark].ts_ns <= ts)
			best = m->th->marks[m->mark].ts_ns, k = -1;
		for (size_t c = 0; m->counters && c < vtb_trace_counter_count(m->t); c++) {
			const vtb_counter *ct = vtb_trace_counter(m->t, c);

			if (ct->pid == m->th->pid && m->sample[c] < ct->count && ct->samples[m->sample[c]].ts_ns <= ts &&
			    ct->samples[m->sample[c]].ts_ns < best)
				best = ct->samples[m->sample[c]].ts_ns, k = (long)c;
		}
		if (k == -2)
			return 0;
		if (k == -1) {
			const vtb_mark *mk = &m->th->marks[m->mark++];
			uint32_t id = m->names[mk->name_id];
			int rc = mk->kind == VTB_MARK_LOG ? vtb_writer_log(m->w, m->thread, at(m, mk->ts_ns), mk->level, id, mk->text)
				 : mk->kind == VTB_MARK_OBJECT ? vtb_writer_object(m->w, m->thread, at(m, mk->ts_ns), id, mk->text)
							      : vtb_writer_instant(m->w, m->thread, at(m, mk->ts_ns), id, mk->text);
			if (rc < 0)
				return rc;
		} else {
			const vtb_counter *ct = vtb_trace_counter(m->t, (size_t)k);
			const vtb_sample *s = &ct->samples[m->sample[k]++];

			if (vtb_writer_counter(m->w, m->thread, at(m, s->ts_ns), m->names[ct->name_id],
					       m->names[ct->series_id], s->value) < 0)
				return -1;
		}
	}
}

/* Call (d, i) and everything below it. */
static int put_call(struct merge *m, uint32_t d, size_t i)
{
	const vtb_slice *s = &m->th->rows[d].slices[i];
	const vtb_attachment *a = vtb_thread_attachment(m->th, d, (uint32_t)i);
	uint64_t end = an_slice_end(s);

	if (flush(m, s->start_ns) < 0 ||
	    vtb_writer_begin(m->w, m->thread, at(m, s->start_ns), m->names[s->name_id], s->flags) < 0)
		return -1;
	if (a && a->args && vtb_writer_args(m->w, m->thread, a->args) < 0)
		return -1;
	if (d + 1 < m->th->depth_count) {
		const vtb_row *down = &m->th->rows[d + 1];

		for (size_t j = an_row_first_from(down, s->start_ns); j < down->count; j++) {
			if (down->slices[j].start_ns > end || an_slice_end(&down->slices[j]) > end)
				break;
			if (put_call(m, d + 1, j) < 0)
				return -1;
		}
	}
	if (flush(m, end) < 0 || vtb_writer_end(m->w, m->thread, at(m, end), 0) < 0)
		return -1;
	return a && a->retval ? vtb_writer_retval(m->w, m->thread, a->retval) : 0;
}

static int put_thread(struct merge *m, size_t ti, int counters)
{
	int64_t idx;

	m->th = vtb_trace_thread(m->t, ti);
	if ((idx = vtb_writer_thread(m->w, m->th->pid, m->th->tid, m->th->name)) < 0)
		return -1;
	m->thread = (uint32_t)idx;
	m->mark = 0;
	m->counters = counters;
	for (size_t i = 0; m->th->depth_count && i < m->th->rows[0].count; i++)
		if (put_call(m, 0, i) < 0)
			return -1;
	return flush(m, UINT64_MAX);
}

/* The first thread of `pid` in t, which carries the process's counters. */
static int first_of_pid(const vtb_trace *t, size_t ti)
{
	uint32_t pid = vtb_trace_thread(t, ti)->pid;

	for (size_t j = 0; j < ti; j++)
		if (vtb_trace_thread(t, j)->pid == pid)
			return 0;
	return 1;
}

static int put_trace(struct merge *m)
{
	size_t n = vtb_trace_string_count(m->t);

	for (size_t i = 0; i < n; i++) {
		const vtb_string *s = vtb_trace_string(m->t, (uint32_t)i);
		int64_t id = vtb_writer_string(m->w, s->name ? s->name : "", s->file ? s->file : "", s->line);

		if (id < 0)
			return -1;
		m->names[i] = (uint32_t)id;
	}
	for (size_t i = 0; i < vtb_trace_process_count(m->t); i++) {
		const vtb_process *p = vtb_trace_process(m->t, i);

		if (vtb_writer_process(m->w, p->pid, p->ppid, p->name) < 0)
			return -1;
	}
	for (size_t i = 0; i < vtb_trace_thread_count(m->t); i++)
		if (put_thread(m, i, first_of_pid(m->t, i)) < 0)
			return -1;
	return 0;
}

/* The merged header: the first dump's, with the window and dump moments covering all. */
static void merged_header(vtb_trace *const *traces, size_t count, const int64_t *shift, vtb_header *h)
{
	*h = *vtb_trace_header(traces[0]);
	for (size_t i = 1; i < count; i++) {
		const vtb_header *o = vtb_trace_header(traces[i]);
		uint64_t ws = shifted(o->window_start_ns, shift[i]);
		uint64_t dn = shifted(o->dump_ns, shift[i]);

		h->window_start_ns = ws < h->window_start_ns ? ws : h->window_start_ns; /* UINT64_MAX never wins */
		if (dn != UINT64_MAX && dn > h->dump_ns)
			h->dump_ns = dn;
		h->events_dropped = vtb_add_sat(h->events_dropped, o->events_dropped);
		h->wrapped |= o->wrapped;
	}
}

void an_sources_free(an_sources *s)
{
	if (!s)
		return;
	for (size_t i = 0; s->titles && i < s->count; i++)
		free(s->titles[i]);
	free(s->titles);
	free(s->of_thread);
	free(s);
}

/* "snap1.bin (1 of 2): dump: signal SIGUSR2, pid 12 ForkPoolWorker-1": the file, why it
 * was dumped, and the process's multiprocessing name (or its command line). */
static char *source_title(const vtb_trace *t, const char *path, size_t i, size_t count)
{
	const vtb_header *h = vtb_trace_header(t);
	const char *base = path ? strrchr(path, '/') : NULL, *name = h->cmdline ? h->cmdline : "";
	char *out;

	for (size_t p = 0; p < vtb_trace_process_count(t); p++)
		if (vtb_trace_process(t, p)->pid == h->pid && vtb_trace_process(t, p)->name &&
		    *vtb_trace_process(t, p)->name)
			name = vtb_trace_process(t, p)->name;
	if (asprintf(&out, "%s (%zu of %zu): dump: %s%s%s, pid %u %s", base ? base + 1 : path ? path : "dump",
		     i + 1, count, vtb_reason_name(h->reason), h->reason_text && *h->reason_text ? " " : "",
		     h->reason_text ? h->reason_text : "", h->pid, name) < 0)
		return NULL;
	return out;
}

/* Where each thread of the merge came from: the writer numbers threads in the order they
 * are written, dump after dump. */
static an_sources *sources_of(vtb_trace *const *traces, const char *const *paths, size_t count)
{
	an_sources *s = calloc(1, sizeof(*s));
	size_t n = 0;

	for (size_t i = 0; i < count; i++)
		n += vtb_trace_thread_count(traces[i]);
	if (!s || !(s->titles = calloc(count, sizeof(*s->titles))) || !(s->of_thread = calloc(n + 1, sizeof(uint32_t))))
		goto fail;
	s->count = count;
	s->thread_count = n;
	n = 0;
	for (size_t i = 0; i < count; i++) {
		if (!(s->titles[i] = source_title(traces[i], paths ? paths[i] : NULL, i, count)))
			goto fail;
		for (size_t t = 0; t < vtb_trace_thread_count(traces[i]); t++)
			s->of_thread[n++] = (uint32_t)i;
	}
	return s;
fail:
	an_sources_free(s);
	return NULL;
}

vtb_trace *an_multi_merge(vtb_trace *const *traces, const char *const *paths, size_t count,
			   an_sources **sources, char **cause)
{
	int64_t *shift = calloc(count + 1, sizeof(*shift));
	const vtb_header *h0 = count ? vtb_trace_header(traces[0]) : NULL;
	struct merge m = { 0 };
	vtb_trace *out = NULL;
	const uint8_t *buf;
	vtb_header h;
	size_t len;

	if (!shift || !count) {
		*cause = strdup(count ? "out of memory" : "no traces to merge");
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		const vtb_header *o = vtb_trace_header(traces[i]);

		/* Each time is at most 2^62, so each difference fits in 63 bits; their difference
		 * may not, and is then clamped: such a dump cannot share the clock anyway. */
		int64_t d = (int64_t)o->start_wall_ns - (int64_t)o->start_mono_ns;
		int64_t d0 = (int64_t)h0->start_wall_ns - (int64_t)h0->start_mono_ns;

		if (__builtin_sub_overflow(d, d0, &shift[i]))
			shift[i] = d < d0 ? -INT64_MAX : INT64_MAX;
	}
	merged_header(traces, count, shift, &h);
	if (!(m.w = vtb_writer_open_mem(&h))) {
		*cause = strdup("out of memory");
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		m.t = traces[i];
		m.shift_ns = shift[i];
		free(m.names);
		free(m.sample);
		m.names = calloc(vtb_trace_string_count(m.t) + 1, sizeof(*m.names));
		m.sample = calloc(vtb_trace_counter_count(m.t) + 1, sizeof(*m.sample));
		if (!m.names || !m.sample || put_trace(&m) < 0) {
			if (asprintf(cause, "merging dump %zu: the events do not fit one clock (%s)", i + 1,
				     m.names && m.sample ? "a time before the first dump's start?" : "out of memory") < 0)
				*cause = NULL;
			goto out;
		}
	}
	if (vtb_writer_finish(m.w, cause) == 0 && (buf = vtb_writer_mem(m.w, &len)))
		out = vtb_trace_load_mem(buf, len, VTB_LOAD_SALVAGE, cause);
	if (out && sources && !(*sources = sources_of(traces, paths, count))) {
		vtb_trace_free(out);
		out = NULL;
		*cause = strdup("out of memory");
	}
out:
	free(shift);
	free(m.names);
	free(m.sample);
	vtb_writer_free(m.w);
	return out;
}
