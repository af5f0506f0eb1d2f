/* SPDX-License-Identifier: MIT */
/* incident.c: `goto incident` (the e key) shows the moment the dump was triggered, as
 * analysis/incident.c finds it (the rules: there), with the call it selects and the status
 * line's words; and the other places `goto` names: the dump, the start, the end, N%.
 * Found once per trace: a live view's swap of snapshots drops it (app.c).
 */
#include "tui/tui_private.h"
#include "tui/analysis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tui_incident {
	an_incident an;        /* what analysis/incident.c found */
	tui_ref call;          /* the call to select, or none */
	tui_mark_ref mark;     /* the unhandled-exception instant or the log record, or none */
	char what[320];        /* what the status line says */
};

/* The dump's moment, as the finder clamps it to the trace. */
static uint64_t dump_moment(const tui_model *m)
{
	uint64_t t = m->hdr->dump_ns;

	return t < m->first_ns ? m->first_ns : t > m->last_ns ? m->last_ns : t;
}

int tui_exception_origin(const tui_model *m, tui_ref r)
{
	return an_exception_began(tui_model_thread(m, r.thread), r.depth, r.index);
}

/* What the status line says of incident `in`. */
static void describe(const tui_model *m, struct tui_incident *in)
{
	const char *reason = m->hdr->reason_text && *m->hdr->reason_text ? m->hdr->reason_text : NULL;

	if (m->hdr->reason == VTB_REASON_EXCEPTION)
		snprintf(in->what, sizeof(in->what), "the unhandled exception (%s)", m->hdr->reason_text);
	else if (m->hdr->reason == VTB_REASON_RING && in->an.traceback)
		snprintf(in->what, sizeof(in->what), "the last unhandled exception (ring: %s)",
			 reason ? reason : "no state");
	else if (m->hdr->reason == VTB_REASON_LOG && in->mark.thread >= 0)
		snprintf(in->what, sizeof(in->what), "the log record that dumped (%s)", m->hdr->reason_text);
	else if (m->hdr->reason == VTB_REASON_LOG)
		snprintf(in->what, sizeof(in->what), "the dump (log: %s; no log record in the trace)",
			 m->hdr->reason_text);
	else
		snprintf(in->what, sizeof(in->what), "the dump (%s: %s)", vtb_reason_name(m->hdr->reason),
			 reason ? reason : "no reason given");
}

static struct tui_incident *find(const tui_model *m)
{
	struct tui_incident *in = calloc(1, sizeof(*in));

	if (!in)
		return NULL;
	an_incident_find(m->trace, &in->an);
	in->call = in->an.call_depth < 0 ? TUI_REF_NONE :
		   (tui_ref){ (int32_t)in->an.thread, (uint32_t)in->an.call_depth, in->an.call_index };
	in->mark = (tui_mark_ref){ (int32_t)in->an.mark_thread, in->an.mark_index };
	describe(m, in);
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

	if (!in || !in->an.traceback || !s || !(c = tui_model_slice(&app->model, in->call)) ||
	    r.thread != in->call.thread)
		return NULL;
	/* the call it began in, and those it left on its way up */
	if (s == c || ((s->flags & VTB_CALL_EXCEPTION) && s->start_ns <= c->start_ns &&
		       tui_slice_end(s) >= tui_slice_end(c) && s->depth < c->depth))
		return in->an.traceback;
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
		tui_view_center(&app->view, &app->model, in->an.at_ns);
		app->view.sel = TUI_REF_NONE;
		app->an->mark = in->mark; /* the details show the record */
		app->view.cursor_ns = in->an.at_ns;
	} else if ((s = tui_model_slice(&app->model, in->call))) {
		show_before(app, in->call);
		/* the cursor on the moment itself: the call may span the whole view */
		if (in->an.at_ns >= app->view.start_ns && in->an.at_ns <= tui_slice_end(s))
			app->view.cursor_ns = in->an.at_ns;
	} else {
		tui_view_center(&app->view, &app->model, in->an.at_ns);
	}
	tui_fmt_at(app, at, sizeof(at), in->an.at_ns, app->ascii);
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
		if (an_parse_percent(m->first_ns, m->last_ns, argv[1], &at) < 0) {
			tui_app_msg(app, 1, "goto: '%s' is not a percentage from 0%% to 100%%", argv[1]);
			return -1;
		}
		tui_view_center(&app->view, m, at);
		return 0;
	}
	if (an_parse_time(argv[1], &ns, &rel) < 0) {
		tui_app_msg(app, 1, "goto: '%s' is not a time like 12.5ms (nor incident, dump, start, end or N%%)", argv[1]);
		return -1;
	}
	/* times are below 2^62, a typed one below 9e18: the sum may pass 2^63 (fuzz_view) */
	if (__builtin_add_overflow(rel ? (int64_t)app->view.cursor_ns : (int64_t)m->first_ns, ns, &t) ||
	    t < (int64_t)m->first_ns || t > (int64_t)m->last_ns) {
		an_fmt_dur(buf, sizeof(buf), m->last_ns - m->first_ns, app->ascii);
		tui_app_msg(app, 1, "goto: %s is outside the trace (0 to %s)", argv[1], buf);
		return -1;
	}
	tui_view_center(&app->view, m, (uint64_t)t);
	return 0;
}
