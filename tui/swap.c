/* SPDX-License-Identifier: MIT */
/* swap.c: the trace on screen replaced by a newer one (vtui --live's snapshots): a new
 * model, view, filters and analysis over it, carrying over what the person set up (the
 * window, folds, filters, panels and the selected call, found again by thread, depth and
 * start); and by the one `vtui --diff` keeps aside (diff-open). Above the panels, whose
 * registry (panels.c) it rebuilds the analysis with, and below the commands. */
#include "tui/tui_private.h"
#include "tui/filter_view.h"
#include "tui/analysis.h"

#include <stdlib.h>
#include <string.h>

/* The last `window_ns` of the trace (0: all of it), the cursor at its right edge. */
static void show_tail(tui_app *app, uint64_t window_ns)
{
	tui_view *v = &app->view;
	uint64_t last = app->model.last_ns;

	if (window_ns)
		v->span_ns = window_ns;
	v->start_ns = last > v->span_ns ? last - v->span_ns : 0;
	v->cursor_ns = last ? last - 1 : 0;
	tui_view_clamp(v, &app->model);
}

void tui_app_set_live(tui_app *app, tui_live *lv)
{
	tui_live_free(app->live);
	app->live = lv;
	if (lv)
		show_tail(app, vtb_follow_window(tui_live_follow(lv)));
}

/* A call by what survives a new snapshot: its thread's tid, its depth and its start. */
struct call_key {
	uint64_t tid, start_ns;
	uint32_t depth;
	int valid;
};

static struct call_key call_key_of(const tui_model *m, tui_ref r)
{
	const vtb_slice *sl = tui_model_slice(m, r);
	const vtb_thread *th = tui_model_thread(m, r.thread);

	if (!sl || !th)
		return (struct call_key){ 0 };
	return (struct call_key){ th->tid, sl->start_ns, r.depth, 1 };
}

static int32_t thread_of_tid(const tui_model *m, uint64_t tid)
{
	for (size_t i = 0; i < m->thread_count; i++)
		if (tui_model_thread(m, (int32_t)i)->tid == tid)
			return (int32_t)i;
	return -1;
}

/* The call `k` names in the new model, selected again when it is still there. */
static void reselect(tui_app *app, const struct call_key *k)
{
	int32_t th = k->valid ? thread_of_tid(&app->model, k->tid) : -1;
	size_t index;
	tui_ref r;

	if (th < 0 || !tui_query_at(&app->model, th, k->depth, k->start_ns, k->start_ns + 1, &index))
		return;
	r = (tui_ref){ th, k->depth, index };
	if (tui_model_slice(&app->model, r)->start_ns == k->start_ns)
		app->view.sel = r;
}

/* Folded threads by tid: the new snapshot may order or number them differently. */
static void carry_folds(tui_app *app, size_t old_threads, const uint8_t *old_folded, const uint64_t *tids)
{
	for (size_t i = 0; old_folded && tids && i < old_threads; i++) {
		int32_t th = old_folded[i] ? thread_of_tid(&app->model, tids[i]) : -1;
		if (th >= 0)
			app->view.folded[th] = 1;
	}
}

/* Rebuild the model, view, filters and analysis over `t`; the old ones are gone. */
static int rebuild(tui_app *app, vtb_trace *t, char **cause)
{
	tui_view_fini(&app->view);
	tui_model_fini(&app->model);
	tui_incident_free(app->incident); /* it points into the old trace */
	app->incident = NULL;
	app->self_ref = app->details_ref = TUI_REF_NONE;
	if (tui_model_init(&app->model, t, cause) < 0 || tui_view_init(&app->view, &app->model) < 0 ||
	    !(app->fv = tui_fview_new(&app->model)) || !(app->an = tui_an_new(app))) {
		if (!*cause)
			*cause = strdup("out of memory");
		app->quit = 1; /* nothing left to show */
		return VTB_E_NOMEM;
	}
	return 0;
}

int tui_app_swap_trace(tui_app *app, vtb_trace *t, char **cause)
{
	tui_view old = app->view;
	uint64_t old_last = app->model.last_ns, col = old.cols > 0 ? old.span_ns / (uint64_t)old.cols : 0;
	int at_end = old.start_ns + old.span_ns + col >= old_last;
	int whole = at_end && old.start_ns <= app->model.first_ns + col; /* keeps showing it all */
	uint64_t want = app->live ? vtb_follow_window(tui_live_follow(app->live)) : 0;
	struct tui_analysis *old_an = app->an;
	flt_set *filters = app->fv->set;
	char msg[sizeof(app->message)];
	int msg_error = app->message_is_error, rc;
	struct call_key sel = call_key_of(&app->model, old.sel);
	size_t old_threads = app->model.thread_count;
	uint64_t *tids = calloc(old_threads + 1, sizeof(*tids));
	uint8_t *folded = old.folded;

	memcpy(msg, app->message, sizeof(msg));
	for (size_t i = 0; tids && i < old_threads; i++)
		tids[i] = tui_model_thread(&app->model, (int32_t)i)->tid;
	app->view.folded = NULL; /* kept in `folded` until carried over */
	app->fv->set = NULL;
	tui_fview_free(app->fv);
	app->fv = NULL;
	app->an = NULL;
	rc = rebuild(app, t, cause);
	if (rc == 0 && (rc = tui_an_carry(app->an, old_an)) < 0)
		*cause = strdup("out of memory");
	if (rc == 0)
		carry_folds(app, old_threads, folded, tids);
	free(tids);
	free(folded);
	tui_an_free(old_an);
	if (rc < 0) {
		flt_set_free(filters);
		return rc;
	}
	if (filters && !flt_set_is_empty(filters))
		tui_fview_commit(app, filters);
	else
		flt_set_free(filters);
	memcpy(app->message, msg, sizeof(msg));
	app->message_is_error = msg_error;
	/* the view keeps its span; following, its right edge stays on "now" */
	app->view.details = old.details;
	app->view.range_t0_ns = old.range_t0_ns;
	app->view.range_t1_ns = old.range_t1_ns;
	app->view.range_open = old.range_open;
	app->view.scroll = old.scroll;
	app->view.focus = old.focus < app->model.thread_count ? old.focus : 0;
	app->view.cols = old.cols;
	app->view.rows = old.rows;
	app->view.span_ns = old.span_ns;
	if (whole && want >= old.span_ns) { /* the ring is not longer than --window yet */
		show_tail(app, want);
	} else if (whole) {
		tui_view_fit(&app->view, &app->model);
		app->view.cursor_ns = app->model.last_ns ? app->model.last_ns - 1 : 0;
	} else if (at_end) {
		uint64_t back = old.start_ns + old.span_ns > old.cursor_ns ? old.start_ns + old.span_ns - old.cursor_ns : 0;
		show_tail(app, 0);
		app->view.cursor_ns = app->model.last_ns > back ? app->model.last_ns - back : 0;
	} else {
		app->view.start_ns = old.start_ns;
		app->view.cursor_ns = old.cursor_ns;
	}
	tui_view_clamp(&app->view, &app->model);
	reselect(app, &sel);
	return 0;
}

/* Swap the trace on screen with the one `vtui --diff` keeps aside: a new model, view,
 * filter and analysis state over it (the rebuild above); the diff panel moves across as
 * it is. */
static int diff_swap(tui_app *app, struct tui_diffview *dv)
{
	/* kept whole: the filters, flatten included, go with the view */
	vtb_trace *shown = vtb_trace_unflatten(app->model.trace);
	char *path = app->path, *cause = NULL;

	tui_an_adopt(app, &tui_panel_diff, NULL); /* kept: the analysis' free must not free it */
	app->model.trace = NULL; /* kept: fini must not free it */
	tui_an_free(app->an);
	tui_fview_free(app->fv);
	app->an = NULL;
	app->fv = NULL;
	app->path = dv->other_path;
	dv->other_path = path;
	if (rebuild(app, dv->other, &cause) < 0) {
		dv->other = shown;
		tui_diffv_free(dv);
		free(cause);
		return -1;
	}
	dv->other = shown;
	dv->showing_after = !dv->showing_after;
	tui_an_adopt(app, &tui_panel_diff, dv);
	app->redraw = 1;
	return 0;
}

/* `diff-open before|after`: here, above the panels, as it rebuilds them. */
int tui_cmd_diff_open(tui_app *app, int argc, char **argv)
{
	struct tui_diffview *dv = tui_an_peek(app, &tui_panel_diff);
	int after;

	(void)argc;
	if (!dv) {
		tui_app_msg(app, 1, "diff-open: no second trace (start with vtui --diff BEFORE AFTER)");
		return -1;
	}
	after = argv[1][0] == 'a';
	if (after != dv->showing_after && diff_swap(app, dv) < 0) {
		tui_app_msg(app, 1, "diff-open: out of memory");
		return -1;
	}
	dv = tui_an_peek(app, &tui_panel_diff);
	if (tui_panel_diff.function(app, dv) != UINT32_MAX) /* at the row's function */
		return tui_cmd_then(app, "panel enter");
	return 0;
}

static int want_live(tui_app *app)
{
	if (app->live)
		return 0;
	tui_app_msg(app, 1, "not following a process (vtui --live PID)");
	return -1;
}

/* `freeze`, `follow`, `pause` (toggles): follow the process or stay on this snapshot
 * (here, not in live.c: following again swaps the trace). */
int tui_cmd_freeze(tui_app *app, int argc, char **argv)
{
	int frozen;

	if (want_live(app) < 0)
		return -1;
	frozen = !strcmp(argv[0], "pause") ? !tui_live_frozen(app->live) : !strcmp(argv[0], "freeze");
	(void)argc;
	tui_live_freeze(app->live, frozen);
	if (!frozen) { /* back to "now" at the right edge */
		char *cause = NULL;
		vtb_trace *t = tui_live_tick(app->live, 1, &cause);
		uint64_t span = app->view.span_ns;
		if (t && tui_app_swap_trace(app, t, &cause) == 0) {
			app->view.span_ns = span;
			app->view.start_ns = app->model.last_ns > span ? app->model.last_ns - span : 0;
			tui_view_clamp(&app->view, &app->model);
		}
		free(cause);
	}
	tui_app_msg(app, 0, frozen ? "frozen on this snapshot (P or :follow follows again)" : "following the process");
	return 0;
}
