/* SPDX-License-Identifier: MIT */
/* test_tui_search.c: a search counted in slices, as the terminal runs it (a key, then
 * tui_app_idle between keys), against the same search counted whole, as scripts run it.
 * Both must end on the same count, message and first match, and n/N must visit the same
 * calls in the same order with the same ranks as a slow reference: every call tested
 * against the name bitmap and the address-sorted hits of tui_search_text, sorted by
 * (start, thread position, depth, index). Keys pressed while a search counts (n, a move,
 * a new search, a filter) are checked against the whole count too. */
#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tui_fixtures.h"
#include "tui/tui.h"
#include "tui/filter_view.h"

static const char *const names[] = { "a.alpha", "b.beta", "c.gamma", "d.delta", "e.eps", "fn_1", "fn_13", "fn_3" };

static uint64_t rnd(uint64_t *r)
{
	*r = *r * 6364136223846793005ull + 1442695040888963407ull;
	return *r >> 33;
}

/* A random call tree with texts: arguments on some calls, return values on others, log
 * records and KeyError instants inside some; zero-length calls and calls that start
 * together (ties in the match order). */
static int calls(vtb_writer *w, uint32_t th, const int64_t *ids, int depth, uint64_t *now, uint64_t *r)
{
	uint64_t x = rnd(r);
	int kids = depth > 6 ? 0 : (int)(x % (depth < 2 ? 5 : 3));
	char text[64];

	if (vtb_writer_begin(w, th, *now, (uint32_t)ids[x / 7 % 8], 0) < 0)
		return -1;
	snprintf(text, sizeof(text), "n=%llu, sku='sku-%llu'", (unsigned long long)(x % 1000),
		 (unsigned long long)(x / 11 % 40));
	if (x % 3 == 0 && vtb_writer_args(w, th, text) < 0)
		return -1;
	*now += x / 13 % 3; /* often 0: children start with their parent */
	if (x % 17 == 0 && vtb_writer_log(w, th, *now, 20, (uint32_t)ids[8], text) < 0)
		return -1;
	if (x % 29 == 0 && vtb_writer_instant(w, th, *now, (uint32_t)ids[9], text + 7) < 0)
		return -1;
	for (int i = 0; i < kids; i++)
		if (calls(w, th, ids, depth + 1, now, r) < 0)
			return -1;
	*now += x / 19 % 4;
	if (vtb_writer_end(w, th, *now, 0) < 0)
		return -1;
	return x % 5 == 1 ? vtb_writer_retval(w, th, x & 32 ? "True" : "False") : 0;
}

static tui_app *open_busy(void)
{
	vtb_header h;
	vtb_writer *w;
	vtb_trace *t;
	char *cause = NULL;
	uint64_t r = 7;
	int64_t ids[10];

	fx_header("busy", &h);
	h.dump_ns = FX_T0 + 10000000ull;
	w = vtb_writer_open_mem(&h);
	for (int i = 0; i < 8; i++)
		ids[i] = vtb_writer_string(w, names[i], i < 4 ? "a.py" : "b.py", (uint32_t)i + 1);
	ids[8] = vtb_writer_string(w, "shop.db", "", 0);
	ids[9] = vtb_writer_string(w, "KeyError", "", 0);
	for (uint32_t th = 0; th < 3; th++) {
		char tn[16];
		uint64_t now = FX_T0 + th; /* threads start together: ties across threads */

		snprintf(tn, sizeof(tn), th ? "worker-%u" : "MainThread", th);
		ck_assert_int_eq(vtb_writer_thread(w, 100, 1000 + th, tn), (int64_t)th);
		for (int k = 0; k < 25; k++)
			ck_assert_int_eq(calls(w, th, ids, 0, &now, &r), 0);
	}
	t = fx_load_mem(w, 0, &cause);
	vtb_writer_free(w);
	free(cause);
	return fx_app(t, "busy.vtb");
}

/* ---- the reference ---- */

struct ref {
	uint64_t start_ns;
	size_t pos;
	tui_ref at;
};

static int cmp_ref(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;

	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	if (x->pos != y->pos)
		return x->pos < y->pos ? -1 : 1;
	if (x->at.depth != y->at.depth)
		return x->at.depth < y->at.depth ? -1 : 1;
	return x->at.index < y->at.index ? -1 : x->at.index > y->at.index;
}

/* The calls the app's search matches, computed call by call, in the order of matches;
 * `thread`: only that thread's (-1: all). The count goes to *n. */
static struct ref *reference(tui_app *app, int32_t thread, size_t *n)
{
	const tui_model *m = &app->model;
	struct tui_search_hits hits;
	struct ref *out = NULL;
	size_t cap = 0;

	ck_assert_int_eq(tui_search_text(m, app->fv->search, app->fv->search_field, &hits, NULL), 0);
	*n = 0;
	for (size_t p = 0; p < m->thread_count; p++) {
		int32_t t = (int32_t)m->order[p];
		const vtb_thread *th = tui_model_thread(m, t);

		for (uint32_t d = 0; d < th->depth_count && (thread < 0 || t == thread); d++)
			for (size_t i = 0; i < th->rows[d].count; i++) {
				const vtb_slice *s = &th->rows[d].slices[i];
				int name = s->name_id < m->string_count && flt_bitmap_test(app->fv->search_bits, s->name_id);

				ck_assert_int_eq(tui_search_matches(app->fv, m->string_count, s),
						 name || tui_search_hit(&hits, s));
				if (!name && !tui_search_hit(&hits, s))
					continue;
				if (*n == cap) {
					cap = cap ? cap * 2 : 64;
					out = realloc(out, cap * sizeof(*out));
					ck_assert_ptr_nonnull(out);
				}
				out[(*n)++] = (struct ref){ s->start_ns, p, { t, d, i } };
			}
	}
	tui_search_hits_free(&hits);
	qsort(out, *n, sizeof(*out), cmp_ref);
	return out;
}

static int same_ref(tui_ref a, tui_ref b)
{
	return a.thread == b.thread && a.depth == b.depth && a.index == b.index;
}

/* Finish the count in idle slices (asserting it was not done after `key_slices` of them). */
static int idle_until_done(tui_app *app)
{
	int slices = 0;

	while (tui_app_busy(app)) {
		tui_app_idle(app);
		ck_assert_int_lt(++slices, 1000000);
	}
	return slices;
}

/* n from the first match visits every reference match once, ranked, then goes round; N
 * retraces them backwards. */
static void walk(tui_app *app, const struct ref *ref, size_t n)
{
	char want[64];

	for (size_t k = 1; k <= n; k++) {
		fx_run(app, "next-match");
		snprintf(want, sizeof(want), "match %zu of ", (k % n) + 1);
		ck_assert_has(tui_app_message(app), want);
		ck_assert_msg(same_ref(app->view.sel, ref[k % n].at), "next-match %zu went elsewhere", k);
	}
	ck_assert_has(tui_app_message(app), "(from the start)");
	for (size_t k = n; k-- > 0;) {
		fx_run(app, "prev-match");
		ck_assert_msg(same_ref(app->view.sel, ref[k].at), "prev-match %zu went elsewhere", k);
		snprintf(want, sizeof(want), "match %zu of ", k + 1);
		ck_assert_has(tui_app_message(app), want);
		if (k == n - 1) /* from the first, round to the last */
			ck_assert_has(tui_app_message(app), "(from the end)");
	}
}

/* From a cursor before every match: n lands on the first, then the walk. */
static void walk_from_cursor(tui_app *app, const struct ref *ref, size_t n)
{
	fx_run(app, "next-match");
	ck_assert_has(tui_app_message(app), "match 1 of ");
	ck_assert(same_ref(app->view.sel, ref[0].at));
	walk(app, ref, n);
}

static const char *const searches[] = {
	"search name:fn_1", "search file:b\\.py", "search sku-1\\d", "search arg:sku-2",
	"search ret:True", "search log:sku-3", "search exc:keyerror", "search alpha|sku-7'",
};

/* units per slice: 0 (whole), then slices of a few texts or calls */
static const size_t slice_units[] = { 0, 1, 5, 37, 1000 };

/* Whole or in slices of every size: the same message, count, first match and walk. */
START_TEST(sliced_equals_whole)
{
	const char *search = searches[_i / 5];
	size_t units = slice_units[_i % 5], n;
	tui_app *whole = open_busy(), *app = open_busy();
	char *message;
	struct ref *ref;
	int slices;

	fx_run(whole, "goto 0");
	fx_run(whole, search);
	ck_assert_int_eq(tui_app_busy(whole), 0);
	message = strdup(tui_app_message(whole));
	fx_run(app, "goto 0");
	tui_app_set_slice(app, 0, units);
	fx_run(app, search);
	slices = idle_until_done(app);
	if (units == 1) /* a few hundred calls at least: one unit does not finish */
		ck_assert_int_gt(slices, 10);
	if (units == 0)
		ck_assert_int_eq(slices, 0);
	ck_assert_str_eq(tui_app_message(app), message);
	ck_assert_uint_eq(app->fv->search_calls, whole->fv->search_calls);
	ck_assert_uint_eq(app->fv->search_names, whole->fv->search_names);
	ck_assert_uint_gt(app->fv->search_calls, 0);
	ref = reference(app, -1, &n);
	ck_assert_uint_eq(n, app->fv->search_calls);
	ck_assert_msg(same_ref(app->view.sel, ref[0].at), "%s: not on the first match", search);
	walk(app, ref, n);
	free(ref);
	free(message);
	tui_app_free(whole);
	tui_app_free(app);
}
END_TEST

/* While it counts: the status line says so, nothing is selected yet; then the first match. */
START_TEST(counting_shows_then_selects)
{
	tui_app *app = open_busy();
	char *status;

	fx_run(app, "goto 0");
	tui_app_set_slice(app, 0, 5);
	fx_run(app, "search sku-1\\d");
	ck_assert_int_eq(tui_app_busy(app), 1);
	ck_assert_has(tui_app_message(app), "counting");
	ck_assert_int_lt(app->view.sel.thread, 0);
	status = fx_line_of(app, 160, 24, -1);
	ck_assert_has(status, "calls (counting)");
	free(status);
	idle_until_done(app);
	ck_assert_has(tui_app_message(app), "match 1 of ");
	ck_assert_int_ge(app->view.sel.thread, 0);
	status = fx_line_of(app, 160, 24, -1);
	ck_assert_lacks(status, "(counting)");
	free(status);
	tui_app_free(app);
}
END_TEST

/* n and N pressed while it counts: each does a slice more and says so, without moving;
 * the press that completes it moves from where the search began. */
START_TEST(next_while_counting)
{
	static const char *const keys[] = { "next-match", "prev-match" };
	tui_app *app = open_busy();
	struct ref *ref;
	size_t n;
	int presses = 0;

	fx_run(app, "goto 0");
	tui_app_set_slice(app, 0, 3);
	fx_run(app, "search ret:True");
	while (tui_app_busy(app)) {
		fx_run(app, keys[_i]);
		presses++;
		if (tui_app_busy(app)) {
			ck_assert_has(tui_app_message(app), "counting");
			ck_assert_int_lt(app->view.sel.thread, 0);
		}
	}
	ck_assert_int_gt(presses, 1);
	ref = reference(app, -1, &n);
	/* from the cursor at 0: n goes to the first, N round to the last */
	ck_assert(same_ref(app->view.sel, ref[_i ? n - 1 : 0].at));
	ck_assert_has(tui_app_message(app), _i ? "(from the end)" : "match 1 of ");
	free(ref);
	tui_app_free(app);
}
END_TEST

/* A selection moved while it counts stays: the count only says what matched. */
START_TEST(moved_while_counting)
{
	tui_app *app = open_busy(), *whole = open_busy();
	tui_ref sel;

	fx_run(whole, "search arg:sku-2");
	fx_run(app, "goto 0");
	tui_app_set_slice(app, 0, 5);
	fx_run(app, "search arg:sku-2");
	ck_assert_int_eq(tui_app_busy(app), 1);
	fx_run(app, "select cursor");
	sel = app->view.sel;
	ck_assert_int_ge(sel.thread, 0);
	idle_until_done(app);
	ck_assert(same_ref(app->view.sel, sel));
	ck_assert_has(tui_app_message(app), "/arg:sku-2: ");
	ck_assert_has(tui_app_message(whole), tui_app_message(app) + strlen("/arg:sku-2: "));
	tui_app_free(app);
	tui_app_free(whole);
}
END_TEST

/* A search started while another counts replaces it: the count, the fields and the
 * matches are the new one's alone. */
START_TEST(replaced_while_counting)
{
	tui_app *app = open_busy(), *whole = open_busy();
	struct ref *ref;
	size_t n;

	fx_run(whole, "goto 0");
	fx_run(whole, "search log:sku-3");
	fx_run(app, "goto 0");
	tui_app_set_slice(app, 0, 4);
	fx_run(app, "search sku-1\\d");
	tui_app_idle(app);
	ck_assert_int_eq(tui_app_busy(app), 1);
	fx_run(app, "search log:sku-3");
	idle_until_done(app);
	ck_assert_str_eq(tui_app_message(app), tui_app_message(whole));
	ck_assert_uint_eq(app->fv->search_calls, whole->fv->search_calls);
	ck_assert_lacks(tui_app_message(app), "arg");
	ref = reference(app, -1, &n);
	ck_assert_uint_eq(n, app->fv->search_calls);
	walk(app, ref, n);
	free(ref);
	tui_app_free(app);
	tui_app_free(whole);
}
END_TEST

/* `whole` runs `cmd`, then counts a search whole; `app` starts counting the same search
 * in slices and runs `cmd` while it counts. Both from the cursor at 0. */
static void during_count(tui_app *app, tui_app *whole, const char *cmd)
{
	fx_run(whole, cmd);
	fx_run(whole, "goto 0");
	fx_run(whole, "search sku-1\\d");
	fx_run(app, "goto 0");
	tui_app_set_slice(app, 0, 5);
	fx_run(app, "search sku-1\\d");
	ck_assert_int_eq(tui_app_busy(app), 1);
	fx_run(app, cmd);
}

/* A filter set while it counts: the count is the same (a count of matches, not of what
 * is shown) and the first match and the walk keep to the thread left visible. */
START_TEST(filtered_while_counting)
{
	tui_app *app = open_busy(), *whole = open_busy();
	struct ref *ref;
	size_t n;
	int32_t worker;

	during_count(app, whole, "filter-thread worker-1");
	ck_assert_int_eq(tui_app_busy(app), 1);
	idle_until_done(app);
	ck_assert_str_eq(tui_app_message(app), tui_app_message(whole));
	ck_assert_uint_eq(app->fv->search_calls, whole->fv->search_calls);
	ck_assert(same_ref(app->view.sel, whole->view.sel));
	worker = app->view.sel.thread;
	ck_assert_str_eq(tui_model_thread(&app->model, worker)->name, "worker-1");
	ref = reference(app, worker, &n);
	ck_assert_uint_lt(n, app->fv->search_calls);
	ck_assert(same_ref(app->view.sel, ref[0].at));
	for (size_t k = 1; k <= n; k++) {
		fx_run(app, "next-match");
		ck_assert_msg(same_ref(app->view.sel, ref[k % n].at), "next-match %zu went elsewhere", k);
	}
	free(ref);
	tui_app_free(app);
	tui_app_free(whole);
}
END_TEST

/* Flattening while it counts runs the search again over the new model: the count is the
 * one the whole search gets after the same flattening, and the walk agrees with the
 * reference on the flattened calls. */
START_TEST(flattened_while_counting)
{
	tui_app *app = open_busy(), *whole = open_busy();
	struct ref *ref;
	size_t n;

	during_count(app, whole, "flatten b\\.beta");
	idle_until_done(app);
	ck_assert_uint_eq(app->fv->search_calls, whole->fv->search_calls);
	ck_assert_uint_gt(app->fv->search_calls, 0);
	ref = reference(app, -1, &n);
	ck_assert_uint_eq(n, app->fv->search_calls);
	fx_run(app, "goto 0");
	fx_run(app, "select none");
	walk_from_cursor(app, ref, n);
	free(ref);
	tui_app_free(app);
	tui_app_free(whole);
}
END_TEST

/* Other keys while it counts work, and clearing the search stops the count. */
START_TEST(cleared_while_counting)
{
	tui_app *app = open_busy();

	tui_app_set_slice(app, 0, 2);
	fx_run(app, "search name:fn_1");
	ck_assert_int_eq(tui_app_busy(app), 1);
	fx_run(app, "zoom 2x");
	ck_assert_int_eq(tui_app_busy(app), 1);
	fx_run(app, "search");
	ck_assert_int_eq(tui_app_busy(app), 0);
	ck_assert_ptr_null(app->fv->search);
	tui_app_idle(app); /* nothing left to do */
	ck_assert_str_eq(tui_app_message(app), "search cleared");
	ck_assert_int_eq(tui_app_exec(app, "next-match"), -1);
	tui_app_free(app);
}
END_TEST

static Suite *search_suite(void)
{
	Suite *s = suite_create("tui_search");
	TCase *tc = tcase_create("sliced");

	tcase_add_loop_test(tc, sliced_equals_whole, 0, (int)(sizeof(searches) / sizeof(searches[0]) * 5));
	tcase_add_test(tc, counting_shows_then_selects);
	tcase_add_loop_test(tc, next_while_counting, 0, 2);
	tcase_add_test(tc, moved_while_counting);
	tcase_add_test(tc, replaced_while_counting);
	tcase_add_test(tc, filtered_while_counting);
	tcase_add_test(tc, flattened_while_counting);
	tcase_add_test(tc, cleared_while_counting);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(search_suite());
	int failed;

	setlocale(LC_CTYPE, "C.UTF-8");
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
