/* SPDX-License-Identifier: MIT */
/* incident.c: the moment the dump was triggered, as a place in the trace (analysis.h): the
 * viewer's `goto incident` (e) and `calls incident` (E), `vtui calls --before incident` and
 * search's landing of the dump's exception all use it, so they agree.
 *
 * The incident, by the dump's reason:
 *   exception  the "unhandled exception" instant the tracer leaves on the failing thread
 *              (its text: the traceback as Python prints it); in files written before
 *              that instant existed, the thread the reason names ("in thread NAME: ..."),
 *              else the last exception anywhere. The call is where the exception began:
 *              the last call an exception left on that thread before the instant, then
 *              down through its last child while that child was left by it too; the
 *              moment is that call's end. With no such call, the last call running on the
 *              named thread at the instant (or the dump).
 *   log        the log record that dumped: the last one before the dump whose level,
 *              logger and first line the reason names, else the last of the highest level;
 *              the call is the last one running on its thread at the record.
 *   ring       a ring file (a live process, or one killed) that holds an "unhandled
 *              exception" instant and names no crashed thread: the last such exception,
 *              as above (a main thread that died of it while other threads keep the
 *              process alive, or until a supervisor kills it); else as the others.
 *   others     (signal, api, exit, a ring file's crash or kill) the dump's moment on the
 *              thread a crash names, else the main thread for a signal, else the thread
 *              whose calls end last; the call is the last one running there.
 */
#include "analysis/analysis.h"
#include "analysis/private.h"

#include <stdio.h>
#include <string.h>

struct ref {
	int64_t thread; /* -1: none */
	uint32_t depth;
	size_t index;
};

#define REF_NONE ((struct ref){ -1, 0, 0 })

static const vtb_slice *slice_of(const vtb_trace *t, struct ref r)
{
	const vtb_thread *th = r.thread >= 0 ? vtb_trace_thread(t, (size_t)r.thread) : NULL;

	return th && r.depth < th->depth_count && r.index < th->rows[r.depth].count ?
		       &th->rows[r.depth].slices[r.index] : NULL;
}

/* The dump's moment; outside what the trace holds (an import, a damaged file), its
 * nearest end. */
static uint64_t dump_moment(const vtb_trace *t)
{
	uint64_t d = vtb_trace_header(t)->dump_ns, first, last;

	vtb_trace_span(t, &first, &last);
	if (last < first)
		last = first;
	return d < first ? first : d > last ? last : d;
}

/* The thread called `name` (or "tid N"), or -1. */
static int64_t thread_named(const vtb_trace *t, const char *name, size_t len)
{
	char buf[32];

	for (size_t i = 0; i < vtb_trace_thread_count(t); i++) {
		const vtb_thread *th = vtb_trace_thread(t, i);

		snprintf(buf, sizeof(buf), "tid %llu", (unsigned long long)th->tid);
		if ((th->name && strlen(th->name) == len && !strncmp(th->name, name, len)) ||
		    (strlen(buf) == len && !strncmp(buf, name, len)))
			return (int64_t)i;
	}
	return -1;
}

/* The thread the reason text names after "in thread " (up to ": " or " ("), or -1. */
static int64_t reason_thread(const vtb_trace *t)
{
	const char *r = vtb_trace_header(t)->reason_text, *p = strstr(r ? r : "", "in thread ");
	size_t len;

	if (!p)
		return -1;
	p += strlen("in thread ");
	len = strcspn(p, ":(");
	while (len && p[len - 1] == ' ')
		len--;
	return thread_named(t, p, len);
}

static int64_t main_thread(const vtb_trace *t)
{
	for (size_t i = 0; i < vtb_trace_thread_count(t); i++) {
		const vtb_thread *th = vtb_trace_thread(t, i);

		if (th->pid == vtb_trace_header(t)->pid && th->tid == th->pid)
			return (int64_t)i;
	}
	return vtb_trace_thread_count(t) ? 0 : -1;
}

/* The thread whose last top-level call ends last, or -1. */
static int64_t last_thread(const vtb_trace *t)
{
	int64_t best = -1;
	uint64_t best_end = 0;

	for (size_t i = 0; i < vtb_trace_thread_count(t); i++) {
		const vtb_thread *th = vtb_trace_thread(t, i);
		const vtb_row *row = th->depth_count ? &th->rows[0] : NULL;

		if (row && row->count && (best < 0 || an_slice_end(&row->slices[row->count - 1]) > best_end)) {
			best = (int64_t)i;
			best_end = an_slice_end(&row->slices[row->count - 1]);
		}
	}
	return best;
}

/* The last child of rows[depth][index] (the last call one level down starting inside it):
 * its index, or -1. */
static int64_t last_child(const vtb_thread *th, uint32_t depth, size_t index)
{
	const vtb_slice *s = &th->rows[depth].slices[index];
	const vtb_row *row;
	size_t i;

	if (depth + 1 >= th->depth_count)
		return -1;
	row = &th->rows[depth + 1];
	i = an_row_first_from(row, an_slice_end(s) + 1);
	if (i == 0 || row->slices[i - 1].start_ns < s->start_ns)
		return -1;
	return (int64_t)i - 1;
}

int an_exception_began(const vtb_thread *th, uint32_t depth, size_t index)
{
	int64_t c = th && depth < th->depth_count && index < th->rows[depth].count ?
			    last_child(th, depth, index) : -1;

	return c < 0 || !(th->rows[depth + 1].slices[c].flags & VTB_CALL_EXCEPTION);
}

/* Where the exception that ended last (before `before`) on `thread` (-1: any) began. */
static struct ref exception_origin(const vtb_trace *t, int64_t thread, uint64_t before)
{
	struct ref best = REF_NONE;
	uint64_t best_end = 0;

	for (size_t i = 0; i < vtb_trace_thread_count(t); i++) {
		const vtb_thread *th = vtb_trace_thread(t, i);

		for (uint32_t d = 0; (thread < 0 || (int64_t)i == thread) && d < th->depth_count; d++)
			for (size_t k = 0; k < th->rows[d].count; k++) {
				const vtb_slice *s = &th->rows[d].slices[k];
				uint64_t end = an_slice_end(s);

				if ((s->flags & VTB_CALL_EXCEPTION) && end <= before &&
				    (best.thread < 0 || end > best_end || (end == best_end && d < best.depth))) {
					best = (struct ref){ (int64_t)i, d, k };
					best_end = end;
				}
			}
	}
	/* down the chain of calls the exception left, to the one it started in */
	while (best.thread >= 0) {
		const vtb_thread *th = vtb_trace_thread(t, (size_t)best.thread);

		if (an_exception_began(th, best.depth, best.index))
			break;
		best = (struct ref){ best.thread, best.depth + 1, (size_t)last_child(th, best.depth, best.index) };
	}
	return best;
}

/* The deepest call of `thread` running at `at`, or else the last one before it; none if
 * none. */
static struct ref last_call_at(const vtb_trace *t, int64_t thread, uint64_t at)
{
	const vtb_thread *th = thread >= 0 ? vtb_trace_thread(t, (size_t)thread) : NULL;
	struct ref r = REF_NONE;
	uint64_t lo = 0, hi = at + 1; /* the next call starts in [lo, hi) */

	for (uint32_t d = 0; th && d < th->depth_count; d++) {
		const vtb_row *row = &th->rows[d];
		size_t i = an_row_first_from(row, hi);
		const vtb_slice *s;

		if (i == 0 || row->slices[i - 1].start_ns < lo)
			break;
		s = &row->slices[i - 1];
		r = (struct ref){ thread, d, i - 1 };
		lo = s->start_ns;
		if (an_slice_end(s) < hi)
			hi = an_slice_end(s) + 1;
	}
	return r;
}

/* The last instant on any thread named `name` at or before `at`: 0 with its thread and
 * index, or -1. */
static int last_instant_named(const vtb_trace *t, const char *name, uint64_t at, int64_t *thread, size_t *index)
{
	uint64_t best_ts = 0;

	*thread = -1;
	for (size_t i = 0; i < vtb_trace_thread_count(t); i++) {
		const vtb_thread *th = vtb_trace_thread(t, i);

		for (size_t k = an_mark_first_from(th, at + 1); k-- > 0;) {
			const vtb_mark *mk = &th->marks[k];

			if (mk->kind != VTB_MARK_INSTANT || strcmp(an_name(t, mk->name_id), name))
				continue;
			if (*thread < 0 || mk->ts_ns > best_ts) {
				*thread = (int64_t)i;
				*index = k;
				best_ts = mk->ts_ns;
			}
			break;
		}
	}
	return *thread < 0 ? -1 : 0;
}

/* Whether log record `mk` is the one the reason text "LEVEL logger: first line" names. */
static int log_is_reason(const vtb_trace *t, const vtb_mark *mk)
{
	const char *reason = vtb_trace_header(t)->reason_text, *p;
	const char *logger = an_name(t, mk->name_id), *level = an_level_name(mk->level);
	size_t n;

	reason = reason ? reason : "";
	if (strncmp(reason, level, strlen(level)) || reason[strlen(level)] != ' ')
		return 0;
	p = reason + strlen(level) + 1;
	if (strncmp(p, logger, strlen(logger)) || strncmp(p + strlen(logger), ": ", 2))
		return 0;
	p += strlen(logger) + 2;
	n = strcspn(mk->text, "\n");
	return !strncmp(p, mk->text, strlen(p) < n ? strlen(p) : n);
}

/* The log record that dumped (see the top of the file) into out's mark. */
static void dumping_log(const vtb_trace *t, an_incident *out)
{
	int64_t named = -1, loudest = -1;
	size_t named_i = 0, loud_i = 0;
	uint64_t named_ts = 0, loud_ts = 0, at = dump_moment(t);
	uint32_t loud_level = 0;

	for (size_t i = 0; i < vtb_trace_thread_count(t); i++) {
		const vtb_thread *th = vtb_trace_thread(t, i);

		for (size_t k = 0; k < th->mark_count && th->marks[k].ts_ns <= at; k++) {
			const vtb_mark *mk = &th->marks[k];

			if (mk->kind != VTB_MARK_LOG)
				continue;
			if (log_is_reason(t, mk) && (named < 0 || mk->ts_ns >= named_ts)) {
				named = (int64_t)i;
				named_i = k;
				named_ts = mk->ts_ns;
			}
			if (loudest < 0 || mk->level > loud_level || (mk->level == loud_level && mk->ts_ns >= loud_ts)) {
				loudest = (int64_t)i;
				loud_i = k;
				loud_ts = mk->ts_ns;
				loud_level = mk->level;
			}
		}
	}
	out->mark_thread = named >= 0 ? named : loudest;
	out->mark_index = named >= 0 ? named_i : loud_i;
}

static const vtb_mark *mark_of(const vtb_trace *t, const an_incident *in)
{
	const vtb_thread *th = in->mark_thread >= 0 ? vtb_trace_thread(t, (size_t)in->mark_thread) : NULL;

	return th && in->mark_index < th->mark_count ? &th->marks[in->mark_index] : NULL;
}

static struct ref find_exception(const vtb_trace *t, an_incident *out)
{
	const vtb_mark *mk = NULL;
	int64_t th;
	struct ref call;

	if (last_instant_named(t, AN_UNHANDLED, dump_moment(t), &out->mark_thread, &out->mark_index) == 0)
		mk = mark_of(t, out);
	th = mk ? out->mark_thread : reason_thread(t);
	out->at_ns = mk ? mk->ts_ns : out->at_ns;
	out->traceback = mk ? mk->text : NULL;
	out->thread = th;
	call = exception_origin(t, th, mk ? mk->ts_ns : UINT64_MAX);
	if (call.thread < 0 && th >= 0)
		call = last_call_at(t, th, out->at_ns);
	else if (call.thread >= 0) /* the instant comes after the hook formatted the text */
		out->at_ns = an_slice_end(slice_of(t, call));
	return call;
}

static struct ref find_log(const vtb_trace *t, an_incident *out)
{
	const vtb_mark *mk;

	dumping_log(t, out);
	if (!(mk = mark_of(t, out)))
		return REF_NONE;
	out->thread = out->mark_thread;
	out->at_ns = mk->ts_ns;
	return last_call_at(t, out->mark_thread, mk->ts_ns);
}

static struct ref find_moment(const vtb_trace *t, an_incident *out)
{
	out->thread = reason_thread(t);
	if (out->thread < 0)
		out->thread = out->reason == VTB_REASON_SIGNAL ? main_thread(t) : last_thread(t);
	return last_call_at(t, out->thread, out->at_ns);
}

/* A ring file with no crashed thread but an unhandled exception in its window. */
static int ring_exception(const vtb_trace *t)
{
	int64_t th;
	size_t k;

	return vtb_trace_header(t)->reason == VTB_REASON_RING && reason_thread(t) < 0 &&
	       last_instant_named(t, AN_UNHANDLED, dump_moment(t), &th, &k) == 0;
}

void an_incident_find(const vtb_trace *t, an_incident *out)
{
	struct ref call;

	memset(out, 0, sizeof(*out));
	out->reason = vtb_trace_header(t)->reason;
	out->thread = -1;
	out->mark_thread = -1;
	out->at_ns = dump_moment(t);
	if (out->reason == VTB_REASON_EXCEPTION || ring_exception(t))
		call = find_exception(t, out);
	else if (out->reason == VTB_REASON_LOG)
		call = find_log(t, out);
	else
		call = find_moment(t, out);
	out->call_depth = call.thread >= 0 ? (int64_t)call.depth : -1;
	out->call_index = call.index;
	if (call.thread >= 0)
		out->thread = call.thread;
	/* no call and no thread the rules name: where the calls end, for a call list to open */
	if (out->thread < 0)
		out->thread = last_thread(t);
	if (out->thread < 0)
		out->thread = main_thread(t);
}
