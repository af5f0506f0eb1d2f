/* SPDX-License-Identifier: MIT */
/* flatten_view.c: `flatten` in the viewer. A flattened call leaves its stack and what it
 * called moves up a level, so the rows of a thread change: the viewer shows a flattened
 * copy of the trace (common/flatten.c, which keeps the original) and rebuilds the model
 * over it, once per change of what is flattened. Everything that indexes calls (rows,
 * search hits, filter marks, the panels' statistics and flame graph) is rebuilt with it; the view keeps its
 * window, folds and the selected call when it is still there. */
#include "tui/filter_view.h"
#include "tui/analysis.h"

#include <stdlib.h>
#include <string.h>

/* The selected call by what survives flattening: its thread, start and name. */
struct sel_key {
	int32_t thread;
	uint64_t start_ns;
	uint32_t name_id;
};

static struct sel_key sel_key_of(const tui_app *app)
{
	const vtb_slice *s = tui_model_slice(&app->model, app->view.sel);

	return s ? (struct sel_key){ app->view.sel.thread, s->start_ns, s->name_id }
		 : (struct sel_key){ -1, 0, 0 };
}

static tui_ref find_call(const tui_model *m, const struct sel_key *k)
{
	const vtb_thread *th = k->thread >= 0 ? tui_model_thread(m, k->thread) : NULL;
	size_t i;

	for (uint32_t d = 0; th && d < th->depth_count; d++)
		if (tui_query_at(m, k->thread, d, k->start_ns, k->start_ns + 1, &i) &&
		    th->rows[d].slices[i].start_ns == k->start_ns && th->rows[d].slices[i].name_id == k->name_id)
			return (tui_ref){ k->thread, d, i };
	return TUI_REF_NONE;
}

/* What indexed the old model's calls. */
static void drop_indexes(tui_app *app)
{
	struct tui_fview *fv = app->fv;

	free(fv->vis);
	free(fv->shown_depths);
	free(fv->row_off);
	fv->vis = NULL;
	fv->shown_depths = NULL;
	fv->row_off = NULL;
	app->view.shown_depths = NULL;
	app->self_ref = app->details_ref = TUI_REF_NONE;
}

/* Panels over the new model: statistics and the flame graph recomputed, their settings,
 * the open panel and the diff (the other trace) kept. 0, or -1 when out of memory. */
static int renew_panels(tui_app *app)
{
	struct tui_analysis *old = app->an, *an;
	void *diff = tui_an_peek(app, &tui_panel_diff);
	const tui_panel_ops *shown = tui_an_shown(app);
	int focus = old->focus;

	if (diff)
		tui_an_adopt(app, &tui_panel_diff, NULL); /* moves to the new state */
	if (!(an = tui_an_new(app)) || tui_an_carry(an, old) < 0) {
		tui_an_free(an);
		app->view.an = old;
		if (diff)
			tui_an_adopt(app, &tui_panel_diff, diff);
		return -1;
	}
	app->an = an;
	tui_an_free(old);
	if (diff)
		tui_an_adopt(app, &tui_panel_diff, diff);
	if (shown && shown != &tui_panel_diff && tui_an_shown(app) != shown)
		tui_an_open(app, shown);
	if (!shown && diff)
		tui_an_close(app);
	app->an->focus = focus;
	return 0;
}

/* Index `t` (which takes over the model's trace) as the model. */
static int remodel(tui_app *app, vtb_trace *t, const struct sel_key *sel)
{
	tui_model *m = &app->model;
	an_sources *sources = m->sources;
	char *cause = NULL;

	drop_indexes(app);
	m->trace = NULL; /* t owns it now, or is it */
	m->sources = NULL;
	tui_model_fini(m);
	if (tui_model_init(m, t, &cause) < 0) {
		tui_app_msg(app, 1, "%s", cause ? cause : "out of memory");
		free(cause);
		an_sources_free(sources);
		app->quit = 1; /* nothing left to show */
		return -1;
	}
	if (sources) {
		m->sources = sources;
		tui_model_order(m);
	}
	app->view.sel = find_call(m, sel);
	tui_search_rerun(app);
	if (renew_panels(app) < 0) {
		tui_app_msg(app, 1, "out of memory");
		return -1;
	}
	return 0;
}

int tui_flatten_update(tui_app *app, const flt_set *next)
{
	struct tui_fview *fv = app->fv;
	const uint64_t *flat = flt_set_has_flatten(next) ? flt_set_flattened(next) : NULL;
	size_t n = flt_set_eval_count(next), bytes = (FLT_BITMAP_WORDS(n) + 1) * sizeof(uint64_t);
	struct sel_key sel = sel_key_of(app);
	uint64_t *copy = NULL;
	vtb_trace *base, *t;
	char *cause = NULL;

	if (!flat && !fv->flat_bits)
		return 0;
	if (flat && fv->flat_bits && fv->flat_count == n &&
	    !memcmp(flat, fv->flat_bits, FLT_BITMAP_WORDS(n) * sizeof(uint64_t)))
		return 0;
	if (flat && !(copy = calloc(1, bytes))) {
		tui_app_msg(app, 1, "out of memory flattening (filters unchanged)");
		return -1;
	}
	if (copy)
		memcpy(copy, flat, FLT_BITMAP_WORDS(n) * sizeof(uint64_t));
	base = vtb_trace_unflatten(app->model.trace);
	app->model.trace = base;
	t = flat ? vtb_trace_flatten(base, flat, n, &cause) : base;
	free(fv->flat_bits);
	fv->flat_bits = t && flat ? copy : NULL;
	fv->flat_count = n;
	if (!t) { /* shown whole again */
		free(copy);
		tui_app_msg(app, 1, "%s (filters unchanged)", cause ? cause : "out of memory");
		free(cause);
		remodel(app, base, &sel);
		return -1;
	}
	return remodel(app, t, &sel);
}
