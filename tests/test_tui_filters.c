/* SPDX-License-Identifier: MIT */
/* test_tui_filters.c: filters, search and presets in the viewer, without a terminal.
 * Visible calls are checked twice: as exact per-name counts on the fixtures, and call by
 * call against a slow reference that walks each call's ancestors with the model's
 * queries. Search order is checked by walking every match with next/prev. Presets go
 * through real files in a temporary directory. Golden renders with filters applied are in
 * tests/golden/filter_*.txt (VTUI_GOLDEN_UPDATE=1 rewrites them). */
#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/tui_fixtures.h"
#include "tui/tui.h"
/* The visibility of single calls is internal: the reference compares call by call. */
#include "tui/filter_view.h"

/* A random call tree: zero-length calls, calls that start together, rows long enough to
 * be cut in several stretches when parents are indexed. */
static int random_calls(vtb_writer *w, uint32_t th, const int64_t *names, int depth, uint64_t *now,
			uint64_t *r)
{
	int kids;

	*r = *r * 6364136223846793005ull + 1442695040888963407ull;
	kids = depth > 7 ? 0 : (int)((*r >> 33) % (depth < 2 ? 6 : 3));
	if (vtb_writer_begin(w, th, *now, (uint32_t)names[(*r >> 40) % 5], 0) < 0)
		return -1;
	*now += (*r >> 50) % 3; /* often 0: children start with their parent */
	for (int i = 0; i < kids; i++)
		if (random_calls(w, th, names, depth + 1, now, r) < 0)
			return -1;
	*now += (*r >> 20) % 4; /* often 0: zero-length calls */
	return vtb_writer_end(w, th, *now, 0);
}

static vtb_trace *random_trace(void)
{
	static const char *const nm[] = { "a.alpha", "b.beta", "c.gamma", "d.delta", "e.eps" };
	vtb_header h;
	vtb_writer *w;
	vtb_trace *t = NULL;
	char *cause = NULL;
	uint64_t now = FX_T0, r = 99;
	int64_t th, names[5];

	fx_header("random", &h);
	h.dump_ns = FX_T0 + 100000000ull;
	w = vtb_writer_open_mem(&h);
	th = vtb_writer_thread(w, 100, 1000, "MainThread");
	for (int i = 0; i < 5; i++)
		names[i] = vtb_writer_string(w, nm[i], "r.py", (uint32_t)i + 1);
	for (int k = 0; k < 40; k++)
		if (random_calls(w, (uint32_t)th, names, 0, &now, &r) < 0)
			break;
	t = fx_load_mem(w, 0, &cause);
	if (!t)
		fprintf(stderr, "random trace: %s\n", cause ? cause : "?");
	free(cause);
	vtb_writer_free(w);
	return t;
}

/* Calls on the edges of the parent rule (the last call one level up that starts no later,
 * when it reaches the child's start), as "begin end name" in ns from FX_T0, outer first:
 * a zero-length child at its parent's end that the next call, starting there, takes; a
 * child starting with its parent; zero-length calls at a start shared by the next; a gap
 * between two calls hidden together. Names: a=0 b=1 c=2 d=3 e=4. */
static const uint64_t edge_calls[][3] = {
	{ 0, 10, 0 }, { 0, 0, 1 }, { 0, 4, 2 }, { 4, 10, 3 }, { 10, 10, 4 },
	{ 10, 20, 1 }, { 10, 15, 2 }, { 15, 15, 4 }, { 20, 20, 3 },
	{ 20, 30, 0 }, { 20, 22, 0 }, { 22, 22, 4 }, { 25, 27, 0 }, { 27, 27, 2 }, { 27, 30, 3 },
	{ 30, 30, 2 }, { 30, 30, 4 }, { 30, 40, 3 }, { 30, 30, 1 }, { 40, 40, 4 },
};

/* Writes edge_calls[*k ..] nested under the call at *k - 1 that ends at `end`. */
static int edge_nest(vtb_writer *w, uint32_t th, const int64_t *names, size_t *k, uint64_t end)
{
	const size_t n = sizeof(edge_calls) / sizeof(edge_calls[0]);

	while (*k < n && edge_calls[*k][0] <= end && edge_calls[*k][1] <= end) {
		const uint64_t *c = edge_calls[(*k)++];

		if (vtb_writer_begin(w, th, FX_T0 + c[0], (uint32_t)names[c[2]], 0) < 0 ||
		    edge_nest(w, th, names, k, c[1]) < 0 || vtb_writer_end(w, th, FX_T0 + c[1], 0) < 0)
			return -1;
	}
	return 0;
}

static vtb_trace *edges_trace(void)
{
	static const char *const nm[] = { "a.alpha", "b.beta", "c.gamma", "d.delta", "e.eps" };
	vtb_header h;
	vtb_writer *w;
	vtb_trace *t = NULL;
	size_t k = 0;
	char *cause = NULL;
	int64_t th, names[5];

	fx_header("edges", &h);
	h.dump_ns = FX_T0 + 1000;
	w = vtb_writer_open_mem(&h);
	th = vtb_writer_thread(w, 100, 1000, "MainThread");
	for (int i = 0; i < 5; i++)
		names[i] = vtb_writer_string(w, nm[i], "e.py", (uint32_t)i + 1);
	if (edge_nest(w, (uint32_t)th, names, &k, UINT64_MAX) == 0)
		t = fx_load_mem(w, 0, &cause);
	if (!t)
		fprintf(stderr, "edges trace: %s\n", cause ? cause : "?");
	free(cause);
	vtb_writer_free(w);
	return t;
}

static tui_app *open_fx(const char *name)
{
	char path[64];
	vtb_trace *t = !strcmp(name, "random") ? random_trace() : !strcmp(name, "edges") ? edges_trace() : fx_trace(name);

	snprintf(path, sizeof(path), "%s.vtb", name);
	return fx_app(t, path);
}

/* Visible calls per name, "name:count" sorted by name and joined by spaces. */
static char *visible_counts(tui_app *app)
{
	const tui_model *m = &app->model;
	size_t *per = calloc(m->string_count + 1, sizeof(size_t));
	char *out = calloc(1, 4096);

	for (size_t t = 0; t < m->thread_count; t++) {
		const vtb_thread *th = tui_model_thread(m, (int32_t)t);

		for (uint32_t d = 0; d < th->depth_count; d++)
			for (size_t i = 0; i < th->rows[d].count; i++)
				if (tui_fview_visible(app, (int32_t)t, d, i))
					per[th->rows[d].slices[i].name_id]++;
	}
	for (int pass = 0; pass < 1; pass++) {
		/* names in alphabetical order: insertion over the (few) fixture names */
		const char *last = "";

		for (;;) {
			const char *best = NULL;
			size_t count = 0;

			for (size_t id = 0; id < m->string_count; id++) {
				const char *n = tui_model_name(m, (uint32_t)id);

				if (per[id] && strcmp(n, last) > 0 && (!best || strcmp(n, best) < 0)) {
					best = n;
					count = per[id];
				}
			}
			if (!best)
				break;
			snprintf(out + strlen(out), 4096 - strlen(out), "%s%s:%zu", *out ? " " : "", best, count);
			last = best;
		}
	}
	free(per);
	return out;
}

/* ---- exact visible sets on known traces ---- */

static const struct vis_case {
	const char *fixture;
	const char *cmds[4];
	const char *want;
} vis_cases[] = {
	{ "simple", { NULL }, "app.compute:1 app.load:1 app.save:1 app.step:200 json.parse:2 main:1" },
	{ "simple", { "filter ^app\\.(load|step)$", NULL }, "app.compute:1 app.load:1 app.step:200 main:1" },
	{ "simple", { "filter-file ^json/", NULL }, "app.load:1 json.parse:2 main:1" },
	{ "simple", { "hide app.compute", NULL }, "app.load:1 app.save:1 json.parse:2 main:1" },
	{ "simple", { "hide ^main$", NULL }, "" },
	{ "simple", { "hide-file ^app\\.py$", NULL }, "" },
	{ "simple", { "min-duration 8ms", NULL }, "app.compute:1 app.load:1 app.save:1 json.parse:1 main:1" },
	{ "simple", { "max-depth 2", NULL }, "app.compute:1 app.load:1 app.save:1 main:1" },
	{ "simple", { "filter json", "min-duration 8ms", NULL }, "app.load:1 json.parse:1 main:1" },
	{ "simple", { "filter step", "hide compute", NULL }, "" },
	{ "simple", { "filter step", "filter save", NULL }, "app.compute:1 app.save:1 app.step:200 main:1" },
	{ "simple", { "filter step", "max-depth 2", NULL }, "" },
	{ "simple", { "hide json", "clear-filters", NULL }, "app.compute:1 app.load:1 app.save:1 app.step:200 json.parse:2 main:1" },
	{ "threads", { "filter-thread ^worker", NULL }, "worker.job:16 worker.run:2" },
	{ "threads", { "filter-thread worker-2", "filter job", NULL }, "worker.job:8 worker.run:1" },
	{ "threads", { "hide run", "filter-thread Main", NULL }, "app.compute:1 app.load:1 app.save:1 app.step:200 json.parse:2 main:1" },
	{ "deep", { "max-depth 3", NULL }, "fib:7" },
	{ "wrapped", { "hide db.query", NULL }, "selectors.poll:1 server.handle:5 server.serve_forever:1" },
	{ "wrapped", { "filter poll", NULL }, "selectors.poll:1 server.handle:1 server.serve_forever:1" },
};

START_TEST(visible_sets)
{
	const struct vis_case *vc = &vis_cases[_i];
	tui_app *app = open_fx(vc->fixture);
	char *got;

	for (int i = 0; vc->cmds[i]; i++)
		fx_run(app, vc->cmds[i]);
	got = visible_counts(app);
	ck_assert_msg(!strcmp(got, vc->want), "%s %s: got '%s', want '%s'", vc->fixture,
		      vc->cmds[0] ? vc->cmds[0] : "", got, vc->want);
	free(got);
	tui_app_free(app);
}
END_TEST

/* The reference: each call's visibility from its ancestors, by the model's queries. */
static int ref_visible(tui_app *app, flt_set *f, tui_ref r, int *matched_below);

static int ref_hidden_above(tui_app *app, flt_set *f, tui_ref r)
{
	const uint64_t *exc = flt_set_excluded(f);
	tui_ref p = r;

	do {
		const vtb_slice *s = tui_model_slice(&app->model, p);

		if (flt_bitmap_test(exc, s->name_id))
			return 1;
	} while (tui_query_parent(&app->model, p, &p) == 0);
	return 0;
}

/* Whether a call in the subtree of r (r included) is a visible match. */
static int ref_match_below(tui_app *app, flt_set *f, tui_ref r)
{
	const vtb_thread *th = tui_model_thread(&app->model, r.thread);
	const vtb_slice *s = tui_model_slice(&app->model, r);
	uint64_t end = s->start_ns + s->dur_ns;

	if (flt_bitmap_test(flt_set_included(f), s->name_id) && !ref_hidden_above(app, f, r) &&
	    flt_set_call_limits(f, s->dur_ns, r.depth))
		return 1;
	if (r.depth + 1 >= th->depth_count)
		return 0;
	for (size_t i = 0; i < th->rows[r.depth + 1].count; i++) {
		const vtb_slice *c = &th->rows[r.depth + 1].slices[i];
		tui_ref cr = { r.thread, r.depth + 1, i }, pr;

		if (c->start_ns < s->start_ns || c->start_ns > end)
			continue;
		if (tui_query_parent(&app->model, cr, &pr) == 0 && pr.index == r.index &&
		    ref_match_below(app, f, cr))
			return 1;
	}
	return 0;
}

static int ref_visible(tui_app *app, flt_set *f, tui_ref r, int *matched_below)
{
	const vtb_slice *s = tui_model_slice(&app->model, r);

	*matched_below = 0;
	if (!flt_set_match_thread(f, tui_model_thread(&app->model, r.thread)->name))
		return 0;
	if (ref_hidden_above(app, f, r) || !flt_set_call_limits(f, s->dur_ns, r.depth))
		return 0;
	if (!flt_set_has_include(f))
		return 1;
	return *matched_below = ref_match_below(app, f, r);
}

static const struct ref_case {
	const char *fixture;
	const char *cmds[4];
} ref_cases[] = {
	{ "simple", { "filter parse|save", NULL } },
	{ "simple", { "hide load", "min-duration 150us", NULL } },
	{ "threads", { "filter job", "hide-file app", "filter-thread worker|Main", NULL } },
	{ "threads", { "filter ^main$", "max-depth 2", NULL } },
	{ "deep", { "filter fib", "min-duration 30us", NULL } },
	{ "deep", { "hide fib", NULL } },
	{ "wrapped", { "filter query", "hide-file selectors", NULL } },
	{ "random", { "filter gamma", NULL } },
	{ "random", { "hide beta", NULL } },
	{ "random", { "filter eps|alpha", "hide delta", "min-duration 2ns", NULL } },
	{ "edges", { "hide alpha", NULL } },
	{ "edges", { "hide beta", NULL } },
	{ "edges", { "hide delta", NULL } },
	{ "edges", { "hide gamma|beta", NULL } },
	{ "edges", { "filter eps", NULL } },
	{ "edges", { "filter gamma", NULL } },
	{ "edges", { "filter beta", "hide alpha", NULL } },
	{ "edges", { "filter eps", "hide delta", NULL } },
};

START_TEST(visible_matches_reference)
{
	const struct ref_case *rc = &ref_cases[_i];
	tui_app *app = open_fx(rc->fixture);
	const tui_model *m = &app->model;
	size_t checked = 0, shown = 0;

	for (int i = 0; rc->cmds[i]; i++)
		fx_run(app, rc->cmds[i]);
	for (size_t t = 0; t < m->thread_count; t++) {
		const vtb_thread *th = tui_model_thread(m, (int32_t)t);

		for (uint32_t d = 0; d < th->depth_count; d++) {
			for (size_t i = 0; i < th->rows[d].count; i++, checked++) {
				tui_ref r = { (int32_t)t, d, i };
				int below, want = ref_visible(app, app->fv->set, r, &below);

				ck_assert_msg(tui_fview_visible(app, r.thread, d, i) == want,
					      "%s: thread %zu depth %u call %zu: visible %d, reference %d",
					      rc->fixture, t, d, i, !want, want);
				shown += (size_t)want;
			}
		}
	}
	ck_assert_uint_gt(checked, 10);
	ck_assert_uint_eq(shown, app->fv->shown_calls);
	if (!strcmp(rc->fixture, "random")) /* big enough to mean something, not all or nothing */
		ck_assert_msg(checked > 1000 && shown > 10 && shown < checked, "%zu of %zu", shown, checked);
	tui_app_free(app);
}
END_TEST

/* The drawn timeline leaves hidden calls out and keeps the status line's summary. */
START_TEST(drawing_follows_filters)
{
	tui_app *app = open_fx("simple");
	char *text, *status;
	tui_screen *s = tui_screen_new(100, 20);

	tui_screen_set_ascii(s, 1);
	fx_run(app, "filter ^app\\.(load|step)$");
	tui_app_render(app, s);
	text = tui_screen_text(s);
	ck_assert_msg(strstr(text, "parse") == NULL && strstr(text, "app.save") == NULL, "%s", text);
	ck_assert_has(text, "[app.load 20ms");
	ck_assert_has(text, "[app.compute 60ms");
	/* app.compute is only the stack above the matches: dim; app.load matches: in colour */
	for (int x = 0; x < 100; x++) {
		const tui_cell *c = tui_screen_cell(s, x, 4);

		if (c->ch == L'[' && x > 20) {
			ck_assert_int_eq(c->style, TUI_STYLE_DIM);
			break;
		}
	}
	ck_assert_int_ge(tui_screen_cell(s, 2, 4)->style, TUI_STYLE_FUNC);
	status = tui_screen_line(s, 19);
	ck_assert_has(status, "[filter ^app\\.(load|step)$]");
	free(status);
	free(text);
	/* max-depth: fewer rows; a thread filter that matches nothing: no rows at all */
	fx_run(app, "clear-filters");
	fx_run(app, "max-depth 1");
	tui_app_render(app, s);
	text = tui_screen_text(s);
	ck_assert_msg(strstr(text, "app.load") == NULL, "%s", text);
	free(text);
	fx_run(app, "filter-thread nothing-like-this");
	tui_app_render(app, s);
	text = tui_screen_text(s);
	ck_assert_msg(strstr(text, "MainThread") == NULL && strstr(text, "main 100ms") == NULL, "%s", text);
	free(text);
	tui_screen_free(s);
	tui_app_free(app);
}
END_TEST

/* Selection moves land on calls the filters leave, and thread moves skip hidden threads. */
static const char *sel_name(tui_app *app)
{
	const vtb_slice *s = tui_model_slice(&app->model, app->view.sel);

	return s ? tui_model_name(&app->model, s->name_id) : "(none)";
}

START_TEST(navigation_skips_hidden)
{
	tui_app *app = open_fx("simple");

	fx_run(app, "hide compute");
	fx_run(app, "goto 50ms");
	fx_run(app, "select cursor");
	ck_assert_str_eq(sel_name(app), "main");
	fx_run(app, "select child"); /* app.compute under the cursor is hidden: the next child */
	ck_assert_str_eq(sel_name(app), "app.save");
	fx_run(app, "select prev");
	ck_assert_str_eq(sel_name(app), "app.load");
	fx_run(app, "select next-sibling");
	ck_assert_str_eq(sel_name(app), "app.save");
	fx_run(app, "clear-filters");
	fx_run(app, "hide parse");
	fx_run(app, "select prev-sibling");
	fx_run(app, "select prev-sibling");
	ck_assert_str_eq(sel_name(app), "app.load");
	fx_run(app, "select child"); /* both children hidden: nothing moves */
	ck_assert_str_eq(sel_name(app), "app.load");
	ck_assert_has(tui_app_message(app), "no child call");
	tui_app_free(app);

	app = open_fx("threads");
	fx_run(app, "filter-thread worker-2");
	fx_run(app, "thread next");
	ck_assert_str_eq(tui_model_thread(&app->model, (int32_t)app->model.order[app->view.focus])->name, "worker-2");
	ck_assert_str_eq(sel_name(app), "worker.run");
	fx_run(app, "thread next");
	ck_assert_has(tui_app_message(app), "no next thread");
	fx_run(app, "thread prev");
	ck_assert_has(tui_app_message(app), "no previous thread");
	tui_app_free(app);
}
END_TEST

/* ---- errors keep what was there ---- */

START_TEST(bad_pattern_keeps_filters)
{
	tui_app *app = open_fx("simple");
	char *before, *after, *status;

	fx_run(app, "filter json");
	before = visible_counts(app);
	ck_assert_int_eq(tui_app_exec(app, "filter ("), -1);
	ck_assert_has(tui_app_message(app), "missing closing parenthesis");
	ck_assert_has(tui_app_message(app), "filters unchanged");
	after = visible_counts(app);
	ck_assert_str_eq(before, after);
	status = fx_line_of(app, 120, 24, -1);
	ck_assert_has(status, "[filter json]");
	ck_assert_has(status, "missing closing parenthesis");
	free(status);
	ck_assert_int_eq(tui_app_exec(app, "min-duration 5 parsecs"), -1);
	ck_assert_int_eq(tui_app_exec(app, "max-depth -1"), -1);
	ck_assert_int_eq(tui_app_exec(app, "hide"), -1);
	ck_assert_has(tui_app_message(app), "missing pattern");
	free(after);
	after = visible_counts(app);
	ck_assert_str_eq(before, after);
	/* a search with a bad pattern keeps the search there was */
	fx_run(app, "search step");
	ck_assert_int_eq(tui_app_exec(app, "search [z-a]"), -1);
	ck_assert_has(tui_app_message(app), "search unchanged");
	ck_assert_str_eq(flt_pattern_source(app->fv->search), "step");
	free(before);
	free(after);
	tui_app_free(app);
}
END_TEST

/* A regex takes the rest of the line verbatim: blanks and quotes are the pattern's. */
START_TEST(pattern_is_rest_of_line)
{
	tui_app *app = open_fx("simple");
	char *got;

	fx_run(app, "filter   app\\.(load|save) |main  ");
	ck_assert_str_eq(flt_set_list_pattern(app->fv->set, FLT_INCLUDE_NAME, 0), "app\\.(load|save) |main");
	got = visible_counts(app);
	ck_assert_str_eq(got, "main:1");
	free(got);
	tui_app_free(app);
}
END_TEST

/* ---- search ---- */

static const vtb_slice *selected(tui_app *app)
{
	const vtb_slice *s = tui_model_slice(&app->model, app->view.sel);

	ck_assert_ptr_nonnull(s);
	return s;
}

START_TEST(search_count_and_order)
{
	tui_app *app = open_fx("simple");
	uint64_t prev, first;
	size_t steps = 1;

	fx_run(app, "goto 0");
	fx_run(app, "search ^app\\.step$");
	ck_assert_uint_eq(app->fv->search_calls, 200);
	ck_assert_uint_eq(app->fv->search_names, 1);
	ck_assert_has(tui_app_message(app), "match 1 of 200");
	first = prev = selected(app)->start_ns;
	ck_assert_uint_eq(first, FX_US(25100));
	for (;;) {
		fx_run(app, "next-match");
		if (strstr(tui_app_message(app), "from the start"))
			break;
		ck_assert_uint_gt(selected(app)->start_ns, prev);
		prev = selected(app)->start_ns;
		steps++;
	}
	ck_assert_uint_eq(steps, 200);
	ck_assert_uint_eq(selected(app)->start_ns, first);
	fx_run(app, "prev-match");
	ck_assert_has(tui_app_message(app), "match 200 of 200 (from the end)");
	ck_assert_uint_eq(selected(app)->start_ns, FX_US(25100 + 199 * 300));
	fx_run(app, "prev-match");
	ck_assert_has(tui_app_message(app), "match 199 of 200");
	/* the count is in the status line */
	{
		char *status = fx_line_of(app, 120, 24, -1);

		ck_assert_has(status, "/^app\\.step$ 200 calls");
		free(status);
	}
	fx_run(app, "search");
	ck_assert_ptr_null(app->fv->search);
	ck_assert_int_eq(tui_app_exec(app, "next-match"), -1);
	tui_app_free(app);
}
END_TEST

/* Across threads, ties and recursion: n visits every match once in (start, thread, depth)
 * order and N retraces the same path backwards. */
START_TEST(search_next_prev_inverse)
{
	static const struct { const char *fixture, *search; size_t count; } cases[] = {
		{ "threads", "search worker|main", 3 + 24 + 1 },
		{ "deep", "search fib", 177 },
		{ "wrapped", "search serve|handle|query|poll", 11 },
	};

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		tui_app *app = open_fx(cases[k].fixture);
		tui_ref *seen = calloc(cases[k].count + 1, sizeof(*seen));
		size_t n = 0;

		fx_run(app, "goto 0");
		fx_run(app, cases[k].search);
		ck_assert_uint_eq(app->fv->search_calls, cases[k].count);
		seen[n++] = app->view.sel;
		for (;;) {
			fx_run(app, "next-match");
			if (strstr(tui_app_message(app), "from the start"))
				break;
			ck_assert_uint_lt(n, cases[k].count);
			{
				const vtb_slice *a = tui_model_slice(&app->model, seen[n - 1]), *b = selected(app);

				ck_assert_uint_le(a->start_ns, b->start_ns);
			}
			for (size_t j = 0; j < n; j++)
				ck_assert_msg(memcmp(&seen[j], &app->view.sel, sizeof(tui_ref)) != 0,
					      "%s: match visited twice", cases[k].fixture);
			seen[n++] = app->view.sel;
		}
		ck_assert_uint_eq(n, cases[k].count);
		/* back from the first, round to the last, then every one in reverse */
		for (size_t j = n; j-- > 0;) {
			fx_run(app, "prev-match");
			ck_assert_msg(memcmp(&seen[j], &app->view.sel, sizeof(tui_ref)) == 0,
				      "%s: prev-match %zu went elsewhere", cases[k].fixture, j);
		}
		free(seen);
		tui_app_free(app);
	}
}
END_TEST

/* Search moves skip calls the filters hide. */
START_TEST(search_skips_hidden)
{
	tui_app *app = open_fx("threads");

	fx_run(app, "filter-thread worker-2");
	fx_run(app, "goto 0");
	fx_run(app, "search ^worker\\.job$");
	ck_assert_uint_eq(app->fv->search_calls, 24);
	for (int i = 0; i < 10; i++) {
		const vtb_thread *th = tui_model_thread(&app->model, app->view.sel.thread);

		ck_assert_str_eq(th->name, "worker-2");
		fx_run(app, "next-match");
	}
	fx_run(app, "filter-thread nothing");
	ck_assert_int_eq(tui_app_exec(app, "next-match"), -1);
	ck_assert_has(tui_app_message(app), "no visible call");
	tui_app_free(app);
}
END_TEST


/* ---- search fields, smartcase ---- */

/* A call with a log record, an exception instant and an instant inside it, and a log
 * record outside any call. */
static tui_app *open_marks(void)
{
	vtb_header h;
	vtb_writer *w;
	int64_t th, f, g, lg, exc, tick;
	char *cause = NULL;
	vtb_trace *t;

	fx_header("simple", &h);
	w = vtb_writer_open_mem(&h);
	th = vtb_writer_thread(w, 100, 1000, "MainThread");
	f = vtb_writer_string(w, "shop.checkout", "shop.py", 1);
	g = vtb_writer_string(w, "shop.lookup", "shop.py", 9);
	lg = vtb_writer_string(w, "shop.db", "", 0);
	exc = vtb_writer_string(w, "KeyError", "", 0);
	tick = vtb_writer_string(w, "tick", "", 0);
	ck_assert(th == 0 && f >= 0 && g >= 0 && lg >= 0 && exc >= 0 && tick >= 0);
	ck_assert_int_eq(vtb_writer_log(w, 0, FX_US(1), 20, (uint32_t)lg, "starting"), 0);
	ck_assert_int_eq(vtb_writer_begin(w, 0, FX_US(10), (uint32_t)f, 0), 0);
	ck_assert_int_eq(vtb_writer_begin(w, 0, FX_US(20), (uint32_t)g, 0), 0);
	ck_assert_int_eq(vtb_writer_log(w, 0, FX_US(30), 40, (uint32_t)lg, "no price for sku-13"), 0);
	ck_assert_int_eq(vtb_writer_instant(w, 0, FX_US(40), (uint32_t)exc, "'sku-13'"), 0);
	ck_assert_int_eq(vtb_writer_end(w, 0, FX_US(50), VTB_CALL_EXCEPTION), 0);
	ck_assert_int_eq(vtb_writer_instant(w, 0, FX_US(60), (uint32_t)tick, "n=1"), 0);
	ck_assert_int_eq(vtb_writer_end(w, 0, FX_US(90), VTB_CALL_EXCEPTION), 0);
	t = fx_load_mem(w, 0, &cause);
	vtb_writer_free(w);
	free(cause);
	return fx_app(t, "marks.vtb");
}

static const struct {
	const char *fixture, *search;
	uint64_t calls;
	const char *message, *selected; /* selected NULL: nothing visible to go to */
} field_searches[] = {
	/* the simple fixture: app.save has args path=..., returns None, the dump's exception
	 * (ValueError: bad input) left it */
	{ "simple", "search path='/tmp", 1, "1 call (0 names, 1 arg)", "app.save" },
	{ "simple", "search arg:/tmp/out", 1, "1 call (0 names, 1 arg)", "app.save" },
	{ "simple", "search arg:/TMP/out", 0, "0 calls (0 names)", NULL },      /* smartcase */
	{ "simple", "search ret:none", 1, "1 call (0 names, 1 return value)", "app.save" },
	{ "simple", "search arg:none", 0, "0 calls (0 names)", NULL },
	{ "simple", "search valueerror", 1, "1 call (0 names, 1 exception)", "app.save" },
	{ "simple", "search exc:bad input", 1, "1 exception", "app.save" },
	{ "simple", "search file:^json/", 2, "2 calls (1 name)", "json.parse" },
	{ "simple", "search file:app.py", 204, "204 calls (5 names)", "main" },
	{ "simple", "search name:APP", 0, "0 calls (0 names)", NULL },
	{ "simple", "search app\\.STEP", 0, "0 calls", NULL },
	{ "simple", "search app\\.step", 200, "200 calls (1 name)", "app.step" },
	{ "simple", "search APP\\.STEP", 0, "0 calls", NULL },
	{ "marks", "search KeyError", 1, "1 call (0 names, 1 exception)", "shop.lookup" },
	{ "marks", "search sku-13", 1, "1 call (0 names, 1 log record, 1 exception)", "shop.lookup" },
	{ "marks", "search log:starting", 0, "0 calls (0 names, 1 log record, 1 outside any call)", NULL },
	{ "marks", "search log:shop\\.db", 1, "1 call (0 names, 2 log records, 1 outside any call)", "shop.lookup" },
	{ "marks", "search mark:tick", 1, "1 call (0 names, 1 mark)", "shop.checkout" },
	{ "marks", "search mark:sku", 0, "0 calls (0 names)", NULL },
	{ "marks", "search shop\\.", 2, "2 calls (2 names, 2 log records, 1 outside any call)", "shop.checkout" },
	{ "marks", "search exc:keyerror", 1, "1 exception", "shop.lookup" },
};

/* Each field finds what it names and nothing else; the message counts calls, names and
 * what matched; the first match is selected. */
START_TEST(search_fields)
{
	tui_app *app = !strcmp(field_searches[_i].fixture, "marks") ? open_marks() : open_fx("simple");

	fx_run(app, "goto 0");
	fx_run(app, field_searches[_i].search);
	ck_assert_uint_eq(app->fv->search_calls, field_searches[_i].calls);
	ck_assert_has(tui_app_message(app), field_searches[_i].message);
	if (field_searches[_i].selected)
		ck_assert_str_eq(tui_model_name(&app->model, selected(app)->name_id), field_searches[_i].selected);
	tui_app_free(app);
}
END_TEST

/* An exception leaves every call it passes through: goto dump lands on the innermost, where
 * it was raised, not on the outermost that ended last (the dump's exception here is
 * shop.lookup's, passed up through shop.checkout). */
START_TEST(goto_incident_lands_on_the_raise)
{
	tui_app *app = open_marks();

	fx_run(app, "goto incident");
	ck_assert_str_eq(tui_model_name(&app->model, selected(app)->name_id), "shop.lookup");
	tui_app_free(app);
}
END_TEST

/* The matched calls are drawn as matches, n walks them, and an empty field is refused. */
START_TEST(search_text_hits_walk)
{
	tui_app *app = open_marks();

	fx_run(app, "search sku-13");
	ck_assert_int_eq(tui_search_matches(app->fv, app->model.string_count, selected(app)), 1);
	fx_run(app, "next-match");
	ck_assert_has(tui_app_message(app), "match 1 of 1 (from the start)");
	ck_assert_int_eq(tui_app_exec(app, "search arg:"), -1);
	ck_assert_has(tui_app_message(app), "nothing to search for after 'arg:' (search unchanged)");
	ck_assert_str_eq(app->fv->search_text, "sku-13");
	tui_app_free(app);
}
END_TEST

/* ---- flatten ---- */

static char *row_names(tui_app *app, int32_t thread, uint32_t depth)
{
	const vtb_thread *th = tui_model_thread(&app->model, thread);
	char *out = calloc(1, 4096);

	for (size_t i = 0; depth < th->depth_count && i < th->rows[depth].count; i++) {
		const char *n = tui_model_name(&app->model, th->rows[depth].slices[i].name_id);

		if (i == 0 || strcmp(n, tui_model_name(&app->model, th->rows[depth].slices[i - 1].name_id)))
			snprintf(out + strlen(out), 4096 - strlen(out), "%s%s", *out ? " " : "", n);
	}
	return out;
}

#define ROW_NAMES(app, t, d, want) do { char *r_ = row_names(app, t, d); ck_assert_str_eq(r_, want); free(r_); } while (0)

/* All lines of app drawn on a 160x60 screen, joined; the caller frees. */
static char *screen_text(tui_app *app)
{
	char *all = calloc(1, 60 * 700);

	for (int y = 0; y < 60; y++) {
		char *line = fx_line_of(app, 160, 60, y);

		strcat(all, line);
		strcat(all, "\n");
		free(line);
	}
	return all;
}

/* The statistics panel stays open across a flatten and counts the calls left; clearing
 * the filters counts them all again. */
START_TEST(flatten_renews_stats_panel)
{
	tui_app *app = open_fx("threads");
	char *text;

	fx_run(app, "stats all");
	text = screen_text(app);
	ck_assert_has(text, "worker.run");
	free(text);
	fx_run(app, "flatten ^worker\\.run$");
	text = screen_text(app);
	ck_assert_has(text, "worker.job");
	ck_assert_lacks(text, "worker.run");
	free(text);
	fx_run(app, "clear-filters");
	text = screen_text(app);
	ck_assert_has(text, "worker.run");
	free(text);
	tui_app_free(app);
}
END_TEST

/* `flatten` takes worker.run out of the worker threads: their jobs become their roots;
 * the selection, a search and the other filters follow; clear-filters puts it back. */
START_TEST(flatten_in_viewer)
{
	tui_app *app = open_fx("threads");
	const vtb_slice *s;
	uint64_t start;

	ROW_NAMES(app, 1, 0, "worker.run");
	ck_assert_uint_eq(tui_model_thread(&app->model, 1)->depth_count, 2);
	fx_run(app, "thread 2");
	fx_run(app, "select child");
	fx_run(app, "select next-sibling");
	fx_run(app, "search worker\\.job");
	ck_assert_uint_eq(app->fv->search_calls, 24);
	fx_run(app, "goto 0");
	start = selected(app)->start_ns;
	fx_run(app, "flatten ^worker\\.run$");
	ck_assert_has(tui_app_message(app), "230 of 230 calls shown (3 flattened)");
	ck_assert_uint_eq(vtb_trace_call_count(app->model.trace), 230);
	for (int32_t t = 1; t <= 3; t++) {
		ck_assert_uint_eq(tui_model_thread(&app->model, t)->depth_count, 1);
		ROW_NAMES(app, t, 0, "worker.job");
		ck_assert_uint_eq(tui_model_thread(&app->model, t)->rows[0].count, 8);
	}
	ROW_NAMES(app, 0, 1, "app.load app.compute app.save"); /* MainThread untouched */
	s = selected(app);
	ck_assert_uint_eq(app->view.sel.depth, 0);
	ck_assert_uint_eq(s->start_ns, start);
	ck_assert_uint_eq(app->fv->search_calls, 24);
	fx_run(app, "next-match");
	ck_assert_str_eq(tui_model_name(&app->model, selected(app)->name_id), "worker.job");
	fx_run(app, "hide ^worker\\.job$");
	ck_assert_has(tui_app_message(app), "206 of 230 calls shown (3 flattened)");
	fx_run(app, "flatten file:^app\\.py$");
	ROW_NAMES(app, 0, 0, "json.parse");
	ck_assert_has(tui_app_message(app), "2 of 26 calls shown (207 flattened)");
	fx_run(app, "clear-filters");
	ck_assert_uint_eq(vtb_trace_call_count(app->model.trace), 233);
	ROW_NAMES(app, 1, 0, "worker.run");
	ROW_NAMES(app, 1, 1, "worker.job");
	ck_assert_uint_eq(app->fv->search_calls, 24);
	tui_app_free(app);
}
END_TEST

/* ---- keys ---- */

static void type(tui_app *app, const char *text)
{
	for (const char *p = text; *p; p++)
		tui_app_key(app, (unsigned char)*p);
}

/* Tab completes a command name (typing what the candidates share and listing them) and a
 * thread name as a pattern; Up on the / line recalls only searches, on the : line any line. */
START_TEST(tab_completion_and_history)
{
	tui_app *app = open_fx("threads");

	type(app, ":fla");
	tui_app_key(app, TUI_KEY_TAB);
	ck_assert_str_eq(app->cmdline, "fla");
	ck_assert_str_eq(tui_app_message(app), "flatten flatten-file flame"); /* table order */
	type(app, "t");
	tui_app_key(app, TUI_KEY_TAB);
	ck_assert_str_eq(app->cmdline, "flatten");
	ck_assert_str_eq(tui_app_message(app), "flatten flatten-file");
	type(app, "-");
	tui_app_key(app, TUI_KEY_TAB);
	ck_assert_str_eq(app->cmdline, "flatten-file ");
	tui_app_key(app, TUI_KEY_CTRL('u'));
	type(app, "filter-thread work");
	tui_app_key(app, TUI_KEY_TAB);
	ck_assert_str_eq(app->cmdline, "filter-thread worker-");
	type(app, "2");
	tui_app_key(app, TUI_KEY_TAB);
	ck_assert_str_eq(app->cmdline, "filter-thread worker-2 ");
	tui_app_key(app, TUI_KEY_ENTER);
	ck_assert_str_eq(flt_set_get_thread(app->fv->set), "worker-2");
	type(app, "/worker");
	tui_app_key(app, TUI_KEY_ENTER);
	type(app, ":zoom fit");
	tui_app_key(app, TUI_KEY_ENTER);
	type(app, "/");
	tui_app_key(app, TUI_KEY_UP);
	ck_assert_str_eq(app->cmdline, "search worker");
	tui_app_key(app, TUI_KEY_UP); /* nothing older that is a search */
	ck_assert_str_eq(app->cmdline, "search worker");
	tui_app_key(app, TUI_KEY_DOWN);
	ck_assert_str_eq(app->cmdline, "search ");
	tui_app_key(app, TUI_KEY_ESC);
	type(app, ":");
	tui_app_key(app, TUI_KEY_UP);
	ck_assert_str_eq(app->cmdline, "zoom fit");
	tui_app_key(app, TUI_KEY_UP);
	ck_assert_str_eq(app->cmdline, "search worker");
	tui_app_key(app, TUI_KEY_UP);
	ck_assert_str_eq(app->cmdline, "filter-thread worker-2 ");
	tui_app_key(app, TUI_KEY_ESC);
	tui_app_free(app);
}
END_TEST

START_TEST(keys_search_filter_clear)
{
	tui_app *app = open_fx("simple");
	char *status;

	tui_app_key(app, '/');
	ck_assert_int_eq(app->mode, TUI_MODE_COMMAND);
	ck_assert_str_eq(app->cmdline, "search ");
	type(app, "parse");
	tui_app_key(app, TUI_KEY_ENTER);
	ck_assert_uint_eq(app->fv->search_calls, 2);
	tui_app_key(app, 'n');
	ck_assert_has(tui_app_message(app), "match");
	tui_app_key(app, 'F');
	ck_assert_str_eq(app->cmdline, "filter ");
	type(app, "load");
	tui_app_key(app, TUI_KEY_ENTER);
	tui_app_key(app, 'H');
	type(app, "parse");
	tui_app_key(app, TUI_KEY_ENTER);
	status = fx_line_of(app, 120, 24, -1);
	ck_assert_has(status, "[filter load | hide parse]");
	free(status);
	tui_app_key(app, 'X');
	ck_assert_int_ne(flt_set_is_empty(app->fv->set), 0);
	status = fx_line_of(app, 120, 24, -1);
	ck_assert_msg(strstr(status, "[filter") == NULL, "%s", status);
	free(status);
	tui_app_free(app);
}
END_TEST

/* ---- presets ---- */

static char tmpdir[] = "/tmp/vtui-filters-XXXXXX";

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static char *read_back(const char *name)
{
	char path[256], *buf = calloc(1, 65536);
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_gt(fread(buf, 1, 65535, f), 0);
	fclose(f);
	return buf;
}

static void presets_setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void presets_teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	strcpy(tmpdir, "/tmp/vtui-filters-XXXXXX");
}

static tui_app *open_with_presets(const char *fixture, const char *file, int want_rc)
{
	tui_app *app = open_fx(fixture);
	char path[256], *cause = NULL;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, file);
	ck_assert_int_eq(tui_app_open_presets(app, path, &cause) < 0, want_rc < 0);
	free(cause);
	return app;
}

START_TEST(preset_round_trip)
{
	tui_app *app;
	char *before, *after, *file;

	write_file("p.json", "{ \"about\": \"kept\", \"presets\": { \"other\": [\"max-depth 2\"] } }\n");
	app = open_with_presets("simple", "p.json", 0);
	fx_run(app, "filter ^app\\.");
	fx_run(app, "hide save");
	fx_run(app, "min-duration 150us");
	fx_run(app, "max-depth 3");
	before = visible_counts(app);
	fx_run(app, "save-preset mine");
	ck_assert_has(tui_app_message(app), "saved preset mine");
	fx_run(app, "clear-filters");
	fx_run(app, "preset other");
	fx_run(app, "preset mine"); /* replaces: the saved preset starts with clear-filters */
	after = visible_counts(app);
	ck_assert_str_eq(before, after);
	free(after);
	tui_app_free(app);
	/* the file kept its other content, and a fresh viewer reads the preset back */
	file = read_back("p.json");
	ck_assert_has(file, "\"about\"");
	ck_assert_has(file, "\"other\"");
	ck_assert_has(file, "min-duration 150us");
	free(file);
	app = open_with_presets("simple", "p.json", 0);
	fx_run(app, "preset mine");
	after = visible_counts(app);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	tui_app_free(app);
}
END_TEST

START_TEST(preset_runs_viewer_commands)
{
	tui_app *app;
	char *status;
	uint64_t span;

	write_file("p.json", "{ \"presets\": {"
		   " \"look\": { \"description\": \"steps, zoomed\", \"commands\": [\"goto 40ms\", \"filter step\", \"zoom 4x\", \"search step\"] },"
		   " \"a\": [\"preset b\"], \"b\": [\"preset a\"],"
		   " \"bad\": [\"filter ok\", \"filter (\"],"
		   " \"stops\": [\"zoom 2x\", \"nosuch\", \"zoom 2x\"] } }");
	app = open_with_presets("simple", "p.json", 0);
	fx_run(app, "preset look");
	ck_assert_uint_eq(app->view.span_ns, 25000000);
	ck_assert_ptr_nonnull(app->fv->search);
	status = fx_line_of(app, 120, 24, -1);
	ck_assert_has(status, "[filter step] /step 200 calls");
	free(status);
	/* each preset's commands run after it, the inner ones first; the message says where */
	ck_assert_int_eq(tui_app_exec(app, "preset a"), -1);
	ck_assert_str_eq(tui_app_message(app), "preset a, 'preset b': preset b, 'preset a': preset a, 'preset b': "
					       "preset b, 'preset a': preset a: presets run each other in a loop");
	span = app->view.span_ns;
	ck_assert_int_eq(tui_app_exec(app, "preset stops"), -1); /* at its first error */
	ck_assert_str_eq(tui_app_message(app), "preset stops, 'nosuch': unknown command 'nosuch' (:help lists them)");
	ck_assert_uint_eq(app->view.span_ns, span / 2);
	ck_assert_int_eq(tui_app_exec(app, "preset bad"), -1);
	ck_assert_has(tui_app_message(app), "command 2 'filter ('");
	ck_assert_str_eq(flt_set_list_pattern(app->fv->set, FLT_INCLUDE_NAME, 0), "step");
	ck_assert_uint_eq(flt_set_list_count(app->fv->set, FLT_INCLUDE_NAME), 1);
	ck_assert_int_eq(tui_app_exec(app, "preset nope"), -1);
	ck_assert_has(tui_app_message(app), "no preset 'nope' (there are: look, a, b, bad, stops)");
	tui_app_free(app);
}
END_TEST

START_TEST(preset_picker)
{
	tui_app *app;
	tui_screen *s = tui_screen_new(100, 24);
	char *text;

	write_file("p.json", "{ \"presets\": { \"one\": [\"max-depth 1\"], "
		   "\"two\": { \"description\": \"only parse\", \"commands\": [\"filter parse\"] } } }");
	app = open_with_presets("simple", "p.json", 0);
	tui_screen_set_ascii(s, 1);
	tui_app_key(app, 'p');
	ck_assert_int_eq(app->mode, TUI_MODE_PICKER);
	tui_app_render(app, s);
	text = tui_screen_text(s);
	ck_assert_has(text, "1  one");
	ck_assert_has(text, "2  two              only parse  (p.json)");
	free(text);
	tui_app_key(app, 'j');
	tui_app_key(app, TUI_KEY_ENTER);
	ck_assert_int_eq(app->mode, TUI_MODE_NORMAL);
	ck_assert_has(tui_app_message(app), "preset two");
	ck_assert_str_eq(flt_set_list_pattern(app->fv->set, FLT_INCLUDE_NAME, 0), "parse");
	tui_app_key(app, 'p');
	tui_app_key(app, TUI_KEY_ESC);
	ck_assert_int_eq(app->mode, TUI_MODE_NORMAL);
	tui_app_key(app, 'p');
	tui_app_key(app, '1');
	ck_assert_uint_eq(flt_set_get_max_depth(app->fv->set), 1);
	tui_screen_free(s);
	tui_app_free(app);
}
END_TEST

/* A broken file: a clear error with the file and the position, and the viewer goes on. */
START_TEST(broken_preset_file)
{
	tui_app *app;
	char path[256], *cause = NULL;

	write_file("bad.json", "{ \"presets\": {\n  \"x\": [\"filter a\",, ]\n} }\n");
	app = open_fx("simple");
	snprintf(path, sizeof(path), "%s/bad.json", tmpdir);
	ck_assert_int_lt(tui_app_open_presets(app, path, &cause), 0);
	ck_assert_has(cause, "bad.json:2:");
	free(cause);
	ck_assert_int_eq(tui_app_exec(app, "preset x"), -1);
	ck_assert_has(tui_app_message(app), "bad.json:2:");
	fx_run(app, "filter json"); /* the viewer itself works on */
	ck_assert_int_eq(tui_app_exec(app, "presets"), -1);
	ck_assert_has(tui_app_message(app), "bad.json:2:");
	tui_app_free(app);
	write_file("type.json", "{ \"presets\": { \"x\": [1] } }");
	app = open_with_presets("simple", "type.json", -1);
	ck_assert_int_eq(tui_app_exec(app, "preset x"), -1);
	ck_assert_has(tui_app_message(app), "presets.x");
	tui_app_free(app);
}
END_TEST

/* ---- scripts ---- */

START_TEST(script_lines_and_errors)
{
	tui_app *app = open_fx("simple");
	tui_cmd_src *cmds = NULL;
	size_t n = 0;
	char path[256], *cause = NULL;
	FILE *out = tmpfile();

	write_file("s.vtui", "# a comment\n\n  filter ^app\\.   \ngoto 40ms\n\t# another\nzoom banana\n");
	snprintf(path, sizeof(path), "%s/s.vtui", tmpdir);
	ck_assert_int_eq(tui_cmd_src_append(&cmds, &n, "max-depth 3", "--cmd"), 0);
	ck_assert_int_eq(tui_script_append(path, &cmds, &n, &cause), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(cmds[1].line, "filter ^app\\.");
	ck_assert_has(cmds[2].origin, "s.vtui:4");
	ck_assert_int_eq(tui_render_script(app, 80, 24, 1, cmds, n, out, &cause), VTB_E_ARG);
	ck_assert_has(cause, "s.vtui:6: 'zoom banana'");
	free(cause);
	cause = NULL;
	ck_assert_int_lt(tui_script_append("/nonexistent/x.vtui", &cmds, &n, &cause), 0);
	ck_assert_has(cause, "/nonexistent/x.vtui");
	free(cause);
	tui_cmd_src_free(cmds, n);
	fclose(out);
	tui_app_free(app);
}
END_TEST

/* ---- golden renders with filters ---- */

static const struct golden {
	const char *file, *fixture, *size;
	const char *cmds[8];
} goldens[] = {
	{ "filter_show_only", "simple", "100x16", { "filter ^app\\.(load|step)$", NULL } },
	{ "filter_hide_limits", "simple", "100x16", { "hide compute", "min-duration 8ms", NULL } },
	{ "filter_threads", "threads", "100x20", { "filter-thread ^(MainThread|worker-1)$", "max-depth 2", "hide load", NULL } },
	{ "filter_search", "simple", "100x16", { "filter step|save", "goto 30ms", "search step", "next-match", "zoom 8x", NULL } },
	{ "filter_deep", "deep", "120x20", { "filter ^fib$", "min-duration 40us", "goto 100us", "zoom 2x", NULL } },
};

START_TEST(golden_render)
{
	const struct golden *g = &goldens[_i];
	tui_app *app = open_fx(g->fixture);

	fx_golden_check(app, g->file, g->size, 1, g->cmds);
	tui_app_free(app);
}
END_TEST

static Suite *filters_suite(void)
{
	Suite *s = suite_create("tui_filters");
	TCase *tc = tcase_create("visible");

	tcase_add_loop_test(tc, visible_sets, 0, sizeof(vis_cases) / sizeof(vis_cases[0]));
	tcase_add_loop_test(tc, visible_matches_reference, 0, sizeof(ref_cases) / sizeof(ref_cases[0]));
	tcase_add_test(tc, drawing_follows_filters);
	tcase_add_test(tc, navigation_skips_hidden);
	tcase_add_test(tc, bad_pattern_keeps_filters);
	tcase_add_test(tc, pattern_is_rest_of_line);
	suite_add_tcase(s, tc);
	tc = tcase_create("search");
	tcase_add_test(tc, search_count_and_order);
	tcase_add_test(tc, search_next_prev_inverse);
	tcase_add_test(tc, search_skips_hidden);
	tcase_add_loop_test(tc, search_fields, 0, sizeof(field_searches) / sizeof(field_searches[0]));
	tcase_add_test(tc, search_text_hits_walk);
	tcase_add_test(tc, goto_incident_lands_on_the_raise);
	tcase_add_test(tc, flatten_in_viewer);
	tcase_add_test(tc, flatten_renews_stats_panel);
	tcase_add_test(tc, tab_completion_and_history);
	tcase_add_test(tc, keys_search_filter_clear);
	suite_add_tcase(s, tc);
	tc = tcase_create("presets");
	tcase_add_checked_fixture(tc, presets_setup, presets_teardown);
	tcase_add_test(tc, preset_round_trip);
	tcase_add_test(tc, preset_runs_viewer_commands);
	tcase_add_test(tc, preset_picker);
	tcase_add_test(tc, broken_preset_file);
	tcase_add_test(tc, script_lines_and_errors);
	suite_add_tcase(s, tc);
	tc = tcase_create("golden");
	tcase_add_loop_test(tc, golden_render, 0, sizeof(goldens) / sizeof(goldens[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	setlocale(LC_CTYPE, "C.UTF-8");
	sr = srunner_create(filters_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
