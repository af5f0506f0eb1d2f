/* SPDX-License-Identifier: MIT */
/* incident.c: the moment the dump was triggered, as a place in the trace (`goto incident`,
 * the e key), and the other places `goto` names: the dump, the start, the end, N%.
 *
 * The incident, by the dump's reason:
 *   exception  the "unhandled exception" instant the tracer leaves on the failing thread
 *              (its text: the traceback as Python prints it); in files written before
 *              that instant existed, the thread the reason names ("in thread NAME: ..."),
 *              else the last exception anywhere. The call selected is where the exception
 *              began: the last call an exception left on that thread before the instant,
 *              then down through its last child while that child was left by it too.
 *   log        the log record that dumped: the last one before the dump whose level,
 *              logger and first line the reason names, else the last of the highest level.
 *   others     (signal, api, exit, a ring file's crash or kill) the dump's moment on the
 *              thread a crash names, else the main thread for a signal, else the thread
 *              whose calls end last; the call selected is the last one running there.
 * Found once per trace: a live view's swap of snapshots drops it (app.c).
 */
#include "tui/tui_private.h"
#include "tui/analysis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tui_incident {
	uint64_t at_ns;        /* the moment */
	tui_ref call;          /* the call to select, or none */
	tui_mark_ref mark;     /* the unhandled-exception instant or the log record, or none */
	const char *traceback; /* the instant's text (owned by the trace), or NULL */
	char what[320];        /* what the status line says */
};

/* The dump's moment; outside what the trace holds (an import, a damaged file), its
 * nearest end. */
static uint64_t dump_moment(const tui_model *m)
{
	uint64_t t = m->hdr->dump_ns;

	return t < m->first_ns ? m->first_ns : t > m->last_ns ? m->last_ns : t;
}

/* The thread called `name` (or "tid N"), or -1. */
static int32_t thread_named(const tui_model *m, const char *name, size_t len)
{
	char buf[32];

	for (size_t t = 0; t < m->thread_count; t++) {
		const vtb_thread *th = tui_model_thread(m, (int32_t)t);

		snprintf(buf, sizeof(buf), "tid %llu", (unsigned long long)th->tid);
		if ((th->name && strlen(th->name) == len && !strncmp(th->name, name, len)) ||
		    (strlen(buf) == len && !strncmp(buf, name, len)))
			return (int32_t)t;
	}
	return -1;
}

/* The thread the reason text names after "in thread " (up to ": " or " ("), or -1. */
static int32_t reason_thread(const tui_model *m)
{
	const char *p = strstr(m->hdr->reason_text ? m->hdr->reason_text : "", "in thread ");
	size_t len;

	if (!p)
		return -1;
	p += strlen("in thread ");
	len = strcspn(p, ":(");
	while (len && p[len - 1] == ' ')
		len--;
	return thread_named(m, p, len);
}

static int32_t main_thread(const tui_model *m)
{
	for (size_t t = 0; t < m->thread_count; t++) {
		const vtb_thread *th = tui_model_thread(m, (int32_t)t);

		if (th->pid == m->hdr->pid && th->tid == th->pid)
			return (int32_t)t;
	}
	return m->thread_count ? 0 : -1;
}

/* The thread whose last top-level call ends last, or -1. */
static int32_t last_thread(const tui_model *m)
{
	int32_t best = -1;
	uint64_t best_end = 0;

	for (size_t t = 0; t < m->thread_count; t++) {
		const vtb_thread *th = tui_model_thread(m, (int32_t)t);
		const vtb_row *row = th->depth_count ? &th->rows[0] : NULL;

		if (row && row->count && (best < 0 || tui_slice_end(&row->slices[row->count - 1]) > best_end)) {
			best = (int32_t)t;
			best_end = tui_slice_end(&row->slices[row->count - 1]);
		}
	}
	return best;
}

/* The last child of `r` (the last call one level down starting inside it), or none. */
static tui_ref last_child(const tui_model *m, tui_ref r)
{
	const vtb_slice *s = tui_model_slice(m, r);
	const vtb_thread *th = tui_model_thread(m, r.thread);
	const vtb_row *row;
	size_t i;

	if (!s || r.depth + 1 >= th->depth_count)
		return TUI_REF_NONE;
	row = &th->rows[r.depth + 1];
	i = tui_row_first_from(row, tui_slice_end(s) + 1);
	if (i == 0 || row->slices[i - 1].start_ns < s->start_ns)
		return TUI_REF_NONE;
	return (tui_ref){ r.thread, r.depth + 1, i - 1 };
}

int tui_exception_origin(const tui_model *m, tui_ref r)
{
	const vtb_slice *c = tui_model_slice(m, last_child(m, r));

	return !c || !(c->flags & VTB_CALL_EXCEPTION);
}

/* Where the exception that ended last (before `before`) on `thread` (-1: any) began. */
static tui_ref exception_origin(const tui_model *m, int32_t thread, uint64_t before)
{
	tui_ref best = TUI_REF_NONE;
	uint64_t best_end = 0;

	for (size_t t = 0; t < m->thread_count; t++) {
		const vtb_thread *th = tui_model_thread(m, (int32_t)t);

		for (uint32_t d = 0; (thread < 0 || (int32_t)t == thread) && d < th->depth_count; d++)
			for (size_t i = 0; i < th->rows[d].count; i++) {
				const vtb_slice *s = &th->rows[d].slices[i];
				uint64_t end = tui_slice_end(s);

				if ((s->flags & VTB_CALL_EXCEPTION) && end <= before &&
				    (best.thread < 0 || end > best_end || (end == best_end && d < best.depth))) {
					best = (tui_ref){ (int32_t)t, d, i };
					best_end = end;
				}
			}
	}
	/* down the chain of calls the exception left, to the one it started in */
	while (best.thread >= 0 && !tui_exception_origin(m, best))
		best = last_child(m, best);
	return best;
}

tui_ref tui_last_call_at(const tui_model *m, int32_t thread, uint64_t t)
{
	const vtb_thread *th = tui_model_thread(m, thread);
	tui_ref r = TUI_REF_NONE;
	uint64_t lo = 0, hi = t + 1; /* the next call starts in [lo, hi) */

	for (uint32_t d = 0; th && d < th->depth_count; d++) {
		const vtb_row *row = &th->rows[d];
		size_t i = tui_row_first_from(row, hi);
		const vtb_slice *s;

		if (i == 0 || row->slices[i - 1].start_ns < lo)
			break;
		s = &row->slices[i - 1];
		r = (tui_ref){ thread, d, i - 1 };
		lo = s->start_ns;
		if (tui_slice_end(s) < hi)
			hi = tui_slice_end(s) + 1;
	}
	return r;
}

/* The last mark on any thread named `name` at or before `t`. */
static tui_mark_ref last_mark_named(const tui_model *m, const char *name, uint64_t t)
{
	tui_mark_ref best = { -1, 0 };
	uint64_t best_ts = 0;

	for (size_t th_i = 0; th_i < m->thread_count; th_i++) {
		const vtb_thread *th = tui_model_thread(m, (int32_t)th_i);

		for (size_t i = tui_mark_find(th, t + 1); i-- > 0;) {
			const vtb_mark *mk = &th->marks[i];

			if (mk->kind != VTB_MARK_INSTANT || strcmp(tui_model_name(m, mk->name_id), name))
				continue;
			if (best.thread < 0 || mk->ts_ns > best_ts) {
				best = (tui_mark_ref){ (int32_t)th_i, i };
				best_ts = mk->ts_ns;
			}
			break;
		}
	}
	return best;
}

/* Whether log record `mk` is the one the reason text "LEVEL logger: first line" names. */
static int log_is_reason(const tui_model *m, const vtb_mark *mk)
{
	const char *reason = m->hdr->reason_text ? m->hdr->reason_text : "", *p;
	const char *logger = tui_model_name(m, mk->name_id), *level = tui_level_name(mk->level);
	size_t n;

	if (strncmp(reason, level, strlen(level)) || reason[strlen(level)] != ' ')
		return 0;
	p = reason + strlen(level) + 1;
	if (strncmp(p, logger, strlen(logger)) || strncmp(p + strlen(logger), ": ", 2))
		return 0;
	p += strlen(logger) + 2;
	n = strcspn(mk->text, "\n");
	return !strncmp(p, mk->text, strlen(p) < n ? strlen(p) : n);
}

/* The log record that dumped: see the top of the file. */
static tui_mark_ref dumping_log(const tui_model *m)
{
	tui_mark_ref named = { -1, 0 }, loudest = { -1, 0 };
	uint64_t named_ts = 0, loud_ts = 0;
	uint32_t loud_level = 0;

	for (size_t t = 0; t < m->thread_count; t++) {
		const vtb_thread *th = tui_model_thread(m, (int32_t)t);

		for (size_t i = 0; i < th->mark_count && th->marks[i].ts_ns <= dump_moment(m); i++) {
			const vtb_mark *mk = &th->marks[i];

			if (mk->kind != VTB_MARK_LOG)
				continue;
			if (log_is_reason(m, mk) && (named.thread < 0 || mk->ts_ns >= named_ts)) {
				named = (tui_mark_ref){ (int32_t)t, i };
				named_ts = mk->ts_ns;
			}
			if (loudest.thread < 0 || mk->level > loud_level ||
			    (mk->level == loud_level && mk->ts_ns >= loud_ts)) {
				loudest = (tui_mark_ref){ (int32_t)t, i };
				loud_ts = mk->ts_ns;
				loud_level = mk->level;
			}
		}
	}
	return named.thread >= 0 ? named : loudest;
}

static const vtb_mark *mark_of(const tui_model *m, tui_mark_ref r)
{
	const vtb_thread *th = tui_model_thread(m, r.thread);

	return th && r.index < th->mark_count ? &th->marks[r.index] : NULL;
}

static void find_exception(const tui_model *m, struct tui_incident *in)
{
	tui_mark_ref mr = last_mark_named(m, TUI_UNHANDLED, dump_moment(m));
	const vtb_mark *mk = mark_of(m, mr);
	int32_t t = mk ? mr.thread : reason_thread(m);

	in->mark = mr;
	in->at_ns = mk ? mk->ts_ns : dump_moment(m);
	in->traceback = mk ? mk->text : NULL;
	in->call = exception_origin(m, t, mk ? mk->ts_ns : UINT64_MAX);
	if (in->call.thread < 0 && t >= 0)
		in->call = tui_last_call_at(m, t, in->at_ns);
	else if (in->call.thread >= 0) /* the instant comes after the hook formatted the text */
		in->at_ns = tui_slice_end(tui_model_slice(m, in->call));
	snprintf(in->what, sizeof(in->what), "the unhandled exception (%s)", m->hdr->reason_text);
}

static void find_log(const tui_model *m, struct tui_incident *in)
{
	const vtb_mark *mk;

	in->mark = dumping_log(m);
	if (!(mk = mark_of(m, in->mark))) {
		snprintf(in->what, sizeof(in->what), "the dump (log: %s; no log record in the trace)",
			 m->hdr->reason_text);
		return;
	}
	in->at_ns = mk->ts_ns;
	in->call = tui_last_call_at(m, in->mark.thread, mk->ts_ns);
	snprintf(in->what, sizeof(in->what), "the log record that dumped (%s)", m->hdr->reason_text);
}

static void find_moment(const tui_model *m, struct tui_incident *in)
{
	int32_t t = reason_thread(m);

	if (t < 0)
		t = m->hdr->reason == VTB_REASON_SIGNAL ? main_thread(m) : last_thread(m);
	in->call = t >= 0 ? tui_last_call_at(m, t, in->at_ns) : TUI_REF_NONE;
	snprintf(in->what, sizeof(in->what), "the dump (%s: %s)", vtb_reason_name(m->hdr->reason),
		 m->hdr->reason_text && *m->hdr->reason_text ? m->hdr->reason_text : "no reason given");
}

static struct tui_incident *find(const tui_model *m)
{
	struct tui_incident *in = calloc(1, sizeof(*in));

	if (!in)
		return NULL;
	in->call = TUI_REF_NONE;
	in->mark = (tui_mark_ref){ -1, 0 };
	in->at_ns = dump_moment(m);
	if (m->hdr->reason == VTB_REASON_EXCEPTION)
		find_exception(m, in);
	else if (m->hdr->reason == VTB_REASON_LOG)
		find_log(m, in);
	else
		find_moment(m, in);
	return in;
}

/* The incident of the app's trace, found at the first use; NULL when out of memory. */
static const struct tui_incident *incident(tui_app *app)
{
	if (!app->incident)
		app->incident = find(&app->model);
	return app->incident;
}

void tui_incident_free(struct tui_incident *in)
{
	free(in);
}

const char *tui_incident_traceback(tui_app *app, tui_ref r)
{
	const struct tui_incident *in = incident(app);
	const vtb_slice *s = tui_model_slice(&app->model, r), *c;

	if (!in || !in->traceback || !s || !(c = tui_model_slice(&app->model, in->call)) ||
	    r.thread != in->call.thread)
		return NULL;
	/* the call it began in, and those it left on its way up */
	if (s == c || ((s->flags & VTB_CALL_EXCEPTION) && s->start_ns <= c->start_ns &&
		       tui_slice_end(s) >= tui_slice_end(c) && s->depth < c->depth))
		return in->traceback;
	return NULL;
}

/* Show the call with what ran just before it: 30 of its durations back, or 100us, or its
 * caller's start when that is further back, whichever is the furthest. */
static void show_before(tui_app *app, tui_ref r)
{
	const vtb_slice *s = tui_model_slice(&app->model, r), *p;
	tui_ref parent;
	uint64_t end = tui_slice_end(s), back = s->dur_ns * 30 > 100000 ? s->dur_ns * 30 : 100000, t0;

	t0 = end - app->model.first_ns > back ? end - back : app->model.first_ns;
	if (tui_query_parent(&app->model, r, &parent) == 0 && (p = tui_model_slice(&app->model, parent)) &&
	    p->start_ns < t0)
		t0 = p->start_ns;
	tui_view_show(&app->view, &app->model, t0, end + (end - t0) / 8 + 1);
	tui_view_select(&app->view, &app->model, r);
}

static int goto_incident(tui_app *app)
{
	const struct tui_incident *in = incident(app);
	const vtb_slice *s;
	char at[32];

	if (!in) {
		tui_app_msg(app, 1, "out of memory");
		return -1;
	}
	app->an->mark = (tui_mark_ref){ -1, 0 };
	if (app->model.hdr->reason == VTB_REASON_LOG && in->mark.thread >= 0) {
		tui_view_center(&app->view, &app->model, in->at_ns);
		app->view.sel = TUI_REF_NONE;
		app->an->mark = in->mark; /* the details show the record */
		app->view.cursor_ns = in->at_ns;
	} else if ((s = tui_model_slice(&app->model, in->call))) {
		show_before(app, in->call);
	} else {
		tui_view_center(&app->view, &app->model, in->at_ns);
	}
	tui_fmt_at(app, at, sizeof(at), in->at_ns, app->ascii);
	s = tui_model_slice(&app->model, app->view.sel);
	tui_app_msg(app, 0, "%s at %s%s%s", in->what, at, s ? ": " : "",
		    s ? tui_model_name(&app->model, s->name_id) : "");
	return 0;
}

/* `goto dump`: the moment the dump was written. */
static int goto_dump(tui_app *app)
{
	const tui_model *m = &app->model;

	tui_view_center(&app->view, m, dump_moment(m));
	tui_app_msg(app, 0, "the dump (%s)", vtb_reason_name(m->hdr->reason));
	return 0;
}

/* "95%", "12.5%": a point of the trace's span. 0 with *t, or -1 (not a percentage). */
int tui_parse_percent(uint64_t first_ns, uint64_t last_ns, const char *text, uint64_t *t)
{
	char *end;
	double p = strtod(text, &end);

	if (end == text || strcmp(end, "%") || !(p >= 0 && p <= 100))
		return -1;
	*t = first_ns + (uint64_t)((double)(last_ns - first_ns) * p / 100.0);
	return 0;
}

int tui_cmd_goto(tui_app *app, int argc, char **argv)
{
	const tui_model *m = &app->model;
	int64_t ns, t;
	uint64_t at;
	int rel;
	char buf[32];

	(void)argc; /* one argument: the dispatcher checked */
	if (!strcmp(argv[1], "incident"))
		return goto_incident(app);
	if (!strcmp(argv[1], "dump"))
		return goto_dump(app);
	if (!strcmp(argv[1], "start") || !strcmp(argv[1], "end")) {
		tui_view_center(&app->view, m, argv[1][0] == 's' ? m->first_ns : m->last_ns ? m->last_ns - 1 : 0);
		return 0;
	}
	if (strchr(argv[1], '%')) {
		if (tui_parse_percent(m->first_ns, m->last_ns, argv[1], &at) < 0) {
			tui_app_msg(app, 1, "goto: '%s' is not a percentage from 0%% to 100%%", argv[1]);
			return -1;
		}
		tui_view_center(&app->view, m, at);
		return 0;
	}
	if (tui_parse_time(argv[1], &ns, &rel) < 0) {
		tui_app_msg(app, 1, "goto: '%s' is not a time like 12.5ms (nor incident, dump, start, end or N%%)", argv[1]);
		return -1;
	}
	/* times are below 2^62, a typed one below 9e18: the sum may pass 2^63 (fuzz_view) */
	if (__builtin_add_overflow(rel ? (int64_t)app->view.cursor_ns : (int64_t)m->first_ns, ns, &t) ||
	    t < (int64_t)m->first_ns || t > (int64_t)m->last_ns) {
		tui_fmt_dur(buf, sizeof(buf), m->last_ns - m->first_ns, app->ascii);
		tui_app_msg(app, 1, "goto: %s is outside the trace (0 to %s)", argv[1], buf);
		return -1;
	}
	tui_view_center(&app->view, m, (uint64_t)t);
	return 0;
}
