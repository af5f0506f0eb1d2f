/* SPDX-License-Identifier: MIT */
/* test_tui_goto.c: the incident (goto incident, e) for each kind of dump, goto start, end
 * and N%, marks by kind (mark next|prev KIND), the time range (range, the stats panel over
 * it) and presets that keep a view; on a trace written here, times in microseconds:
 *
 *   MainThread  app.main [0, 1000) > app.loop [100, 1000) > app.wait [900, 1000)
 *   worker-2    app.worker [50, 600) left by an exception, holding
 *                 app.step [60, 100), app.step [110, 150) > app.retry [120, 130) (an
 *                 exception it caught), app.price [200, 600) > app.lookup [300, 590), both
 *                 left by the unhandled one; instants tick at 55 and 210, the unhandled
 *                 exception's at 605; log records WARNING at 150, ERROR at 250, CRITICAL 595.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tests/tui_fixtures.h"
#include "tui/tui.h"
#include "tui/tui_private.h"
#include "tui/filter_view.h"
#include "tui/analysis.h"

static const char traceback[] =
	"Traceback (most recent call last):\n"
	"  File \"app.py\", line 9, in price\n"
	"    return lookup(sku)\n"
	"  File \"app.py\", line 3, in lookup\n"
	"    return PRICES[sku]\n"
	"KeyError: 'sku-13'\n";

enum { MAIN, LOOP, WAIT, WORKER, STEP, RETRY, PRICE, LOOKUP, TICK, UNHANDLED, SHOP, NNAMES };
static const char *const names[NNAMES] = { "app.main", "app.loop", "app.wait", "app.worker", "app.step",
					   "app.retry", "app.price", "app.lookup", "tick",
					   "unhandled exception", "shop" };

static void call(vtb_writer *w, uint32_t th, uint64_t b, uint64_t e, int64_t id, uint32_t flags)
{
	ck_assert_int_eq(vtb_writer_begin(w, th, FX_US(b), (uint32_t)id, 0), 0);
	ck_assert_int_eq(vtb_writer_end(w, th, FX_US(e), flags), 0);
}

/* A writer for a trace dumped at dump_us for `reason` with `text`, its names interned into id[]
 * and the process's MainThread declared. */
static vtb_writer *goto_writer(uint32_t reason, const char *text, uint64_t dump_us, int64_t id[NNAMES])
{
	vtb_header h;
	vtb_writer *w;

	fx_header("simple", &h);
	h.reason = reason;
	h.reason_text = text;
	h.dump_ns = FX_US(dump_us);
	w = vtb_writer_open_mem(&h);
	for (int i = 0; i < NNAMES; i++)
		id[i] = vtb_writer_string(w, names[i], i < TICK ? "app.py" : "", (uint32_t)i + 1);
	ck_assert_int_eq(vtb_writer_process(w, 100, 1, "python"), 0);
	ck_assert_int_eq(vtb_writer_thread(w, 100, 100, "MainThread"), 0);
	return w;
}

/* The trace written by w, opened as `file`. */
static tui_app *goto_open(vtb_writer *w, const char *file)
{
	char *cause = NULL;
	vtb_trace *t = fx_load_mem(w, 0, &cause);

	ck_assert_msg(t != NULL, "%s", cause ? cause : "?");
	vtb_writer_free(w);
	return fx_app(t, file);
}

/* MainThread waiting while worker-2 dies of a KeyError in app.lookup, dumped for `reason`
 * with `text`; with_instant 0: written before the tracer left the unhandled-exception instant. */
static tui_app *open_goto(uint32_t reason, const char *text, int with_instant)
{
	int64_t id[NNAMES];
	vtb_writer *w = goto_writer(reason, text, 1000, id);

	ck_assert_int_eq(vtb_writer_thread(w, 100, 101, "worker-2"), 1);
	ck_assert_int_eq(vtb_writer_begin(w, 0, FX_US(0), (uint32_t)id[MAIN], 0), 0);
	ck_assert_int_eq(vtb_writer_begin(w, 0, FX_US(100), (uint32_t)id[LOOP], 0), 0);
	call(w, 0, 900, 1000, id[WAIT], 0);
	ck_assert_int_eq(vtb_writer_end(w, 0, FX_US(1000), 0), 0);
	ck_assert_int_eq(vtb_writer_end(w, 0, FX_US(1000), 0), 0);
	ck_assert_int_eq(vtb_writer_begin(w, 1, FX_US(50), (uint32_t)id[WORKER], 0), 0);
	ck_assert_int_eq(vtb_writer_instant(w, 1, FX_US(55), (uint32_t)id[TICK], "n=1"), 0);
	call(w, 1, 60, 100, id[STEP], 0);
	ck_assert_int_eq(vtb_writer_begin(w, 1, FX_US(110), (uint32_t)id[STEP], 0), 0);
	call(w, 1, 120, 130, id[RETRY], VTB_CALL_EXCEPTION);
	ck_assert_int_eq(vtb_writer_end(w, 1, FX_US(150), 0), 0);
	ck_assert_int_eq(vtb_writer_log(w, 1, FX_US(150), 30, (uint32_t)id[SHOP], "slow step"), 0);
	ck_assert_int_eq(vtb_writer_begin(w, 1, FX_US(200), (uint32_t)id[PRICE], 0), 0);
	ck_assert_int_eq(vtb_writer_instant(w, 1, FX_US(210), (uint32_t)id[TICK], "n=2"), 0);
	ck_assert_int_eq(vtb_writer_log(w, 1, FX_US(250), 40, (uint32_t)id[SHOP], "price failed\nsecond line"), 0);
	call(w, 1, 300, 590, id[LOOKUP], VTB_CALL_EXCEPTION);
	ck_assert_int_eq(vtb_writer_log(w, 1, FX_US(595), 50, (uint32_t)id[SHOP], "other"), 0);
	ck_assert_int_eq(vtb_writer_end(w, 1, FX_US(600), VTB_CALL_EXCEPTION), 0);
	ck_assert_int_eq(vtb_writer_end(w, 1, FX_US(600), VTB_CALL_EXCEPTION), 0);
	if (with_instant)
		ck_assert_int_eq(vtb_writer_instant(w, 1, FX_US(605), (uint32_t)id[UNHANDLED], traceback), 0);
	return goto_open(w, "goto.vtb");
}

static const char *sel_name(tui_app *app)
{
	const vtb_slice *s = tui_model_slice(&app->model, app->view.sel);

	return s ? tui_model_name(&app->model, s->name_id) : "(none)";
}

static const vtb_mark *sel_mark(tui_app *app)
{
	const vtb_thread *th = tui_model_thread(&app->model, app->an->mark.thread);

	return th && app->an->mark.index < th->mark_count ? &th->marks[app->an->mark.index] : NULL;
}

/* One key, each kind of dump: the call selected, or the record, and the status. */
static const struct incident_case {
	uint32_t reason;
	const char *text;
	int with_instant;
	const char *call;     /* the call selected, or NULL: a mark */
	const char *mark;     /* the selected mark's text, or NULL: none */
	const char *status;
} incident_cases[] = {
	{ VTB_REASON_EXCEPTION, "in thread worker-2: KeyError: 'sku-13'", 1, "app.lookup", NULL,
	  "the unhandled exception (in thread worker-2: KeyError: 'sku-13') at 590µs: app.lookup" },
	/* a file from before the instant: the thread the reason names */
	{ VTB_REASON_EXCEPTION, "in thread worker-2: KeyError: 'sku-13'", 0, "app.lookup", NULL,
	  "at 590µs: app.lookup" },
	/* the record the reason names, though a louder one came later */
	{ VTB_REASON_LOG, "ERROR shop: price failed", 1, NULL, "price failed\nsecond line",
	  "the log record that dumped (ERROR shop: price failed) at 250µs" },
	{ VTB_REASON_LOG, "WARNING shop: not recorded", 1, NULL, "other", "the log record that dumped" },
	{ VTB_REASON_SIGNAL, "SIGTERM", 1, "app.wait", NULL, "the dump (signal: SIGTERM) at 1ms: app.wait" },
	{ VTB_REASON_RING, "pid 100 crashed: SIGSEGV in thread worker-2", 0, "app.lookup", NULL,
	  "the dump (ring: pid 100 crashed: SIGSEGV in thread worker-2)" },
	{ VTB_REASON_RING, "pid 100 is gone and never dumped: killed (SIGKILL or the OOM killer?)", 0,
	  "app.wait", NULL, "the dump (ring: pid 100 is gone" },
	/* a ring (live, or killed) with an unhandled exception in it: that exception */
	{ VTB_REASON_RING, "pid 100 is alive: recording, last dumped to t.bin", 1, "app.lookup", NULL,
	  "the last unhandled exception (ring: pid 100 is alive: recording, last dumped to t.bin) at 590µs" },
	{ VTB_REASON_RING, "pid 100 is gone and never dumped: killed (SIGKILL or the OOM killer?)", 1,
	  "app.lookup", NULL, "the last unhandled exception (ring: pid 100 is gone" },
	/* a crash names its thread: the crash, though an exception came before */
	{ VTB_REASON_RING, "pid 100 crashed: SIGSEGV in thread MainThread", 1, "app.wait", NULL,
	  "the dump (ring: pid 100 crashed: SIGSEGV in thread MainThread)" },
};

START_TEST(incident_one_key)
{
	const struct incident_case *c = &incident_cases[_i];
	tui_app *app = open_goto(c->reason, c->text, c->with_instant);
	const vtb_mark *mk;

	tui_app_key(app, 'e');
	ck_assert_has(tui_app_message(app), c->status);
	ck_assert_str_eq(sel_name(app), c->call ? c->call : "(none)");
	mk = sel_mark(app);
	if (c->mark)
		ck_assert_str_eq(mk ? mk->text : "(none)", c->mark);
	else
		ck_assert_ptr_null(mk);
	tui_app_free(app);
}
END_TEST

/* E (the call list at the incident) selects what e does, on each kind of dump, and the
 * finder names the thread and moment e shows. */
START_TEST(incident_keys_agree)
{
	const struct incident_case *c = &incident_cases[_i];
	tui_app *e = open_goto(c->reason, c->text, c->with_instant), *E = open_goto(c->reason, c->text, c->with_instant);
	an_incident in;

	tui_app_key(e, 'e');
	tui_app_key(E, 'E');
	ck_assert_str_eq(sel_name(E), sel_name(e));
	ck_assert_mem_eq(&E->view.sel, &e->view.sel, sizeof(e->view.sel));
	ck_assert_int_eq(E->an->mark.thread, e->an->mark.thread);
	if (e->an->mark.thread >= 0)
		ck_assert_uint_eq(E->an->mark.index, e->an->mark.index);
	an_incident_find(e->model.trace, &in);
	ck_assert_int_eq(in.thread, e->view.sel.thread >= 0 ? e->view.sel.thread : e->an->mark.thread);
	if (e->view.sel.thread >= 0 && c->reason == VTB_REASON_EXCEPTION)
		ck_assert_uint_eq(in.at_ns, tui_slice_end(tui_model_slice(&e->model, e->view.sel)));
	tui_app_free(e);
	tui_app_free(E);
}
END_TEST

/* MainThread's app.main calls step and retry, then raises by its own code (`<module>` say). */
static tui_app *open_long_call(void)
{
	int64_t id[NNAMES];
	vtb_writer *w = goto_writer(VTB_REASON_EXCEPTION, "KeyError: 'host'", 1010, id);

	ck_assert_int_eq(vtb_writer_begin(w, 0, FX_US(0), (uint32_t)id[MAIN], 0), 0);
	call(w, 0, 100, 200, id[STEP], 0);
	call(w, 0, 300, 400, id[RETRY], 0);
	ck_assert_int_eq(vtb_writer_end(w, 0, FX_US(1000), VTB_CALL_EXCEPTION), 0);
	ck_assert_int_eq(vtb_writer_instant(w, 0, FX_US(1005), (uint32_t)id[UNHANDLED], traceback), 0);
	return goto_open(w, "long.vtb");
}

/* An exception raised by a long call's own code: e selects that call with the cursor on
 * the moment, not the call's middle; E opens the call list on what the call did last
 * before it, not on its first line. */
START_TEST(incident_in_a_long_call)
{
	tui_app *e = open_long_call(), *E = open_long_call();

	tui_app_key(e, 'e');
	ck_assert_str_eq(sel_name(e), "app.main");
	ck_assert_uint_eq(e->view.cursor_ns, FX_US(1000));
	tui_app_key(E, 'E');
	ck_assert_str_eq(sel_name(E), "app.retry");
	tui_app_free(e);
	tui_app_free(E);
}
END_TEST

/* The details of the call the exception began in, and of those it left on its way up,
 * show the exception and its traceback; other calls do not. */
START_TEST(incident_details_traceback)
{
	tui_app *app = open_goto(VTB_REASON_EXCEPTION, "in thread worker-2: KeyError: 'sku-13'", 1);
	char *text;

	tui_app_key(app, 'e');
	text = fx_draw(app, 100, 45);
	ck_assert_has(text, " name app.lookup\n");
	ck_assert_has(text, " exception KeyError: 'sku-13' (unhandled)\n");
	ck_assert_has(text, "           Traceback (most recent call last):\n");
	ck_assert_has(text, "             File \"app.py\", line 3, in lookup\n");
	ck_assert_has(text, "               return PRICES[sku]\n");
	free(text);
	fx_run(app, "select parent");
	text = fx_draw(app, 100, 45);
	ck_assert_has(text, " name app.price\n");
	ck_assert_has(text, " exception KeyError: 'sku-13' (unhandled)\n");
	free(text);
	fx_run(app, "select prev-sibling");
	text = fx_draw(app, 100, 45);
	ck_assert_has(text, " name app.step\n");
	ck_assert_lacks(text, " exception KeyError");
	free(text);
	tui_app_free(app);
	app = open_goto(VTB_REASON_EXCEPTION, "in thread worker-2: KeyError: 'sku-13'", 0);
	tui_app_key(app, 'e');
	text = fx_draw(app, 100, 45);
	ck_assert_has(text, " name app.lookup\n");
	ck_assert_lacks(text, "(unhandled)");
	free(text);
	tui_app_free(app);
}
END_TEST

/* goto start, end, N% and dump; the cursor lands there. */
START_TEST(goto_places)
{
	tui_app *app = open_goto(VTB_REASON_SIGNAL, "SIGTERM", 1);

	fx_run(app, "zoom 10x");
	fx_run(app, "goto 25%");
	ck_assert_uint_eq(app->view.cursor_ns, FX_US(250));
	fx_run(app, "goto start");
	ck_assert_uint_eq(app->view.cursor_ns, FX_T0);
	fx_run(app, "goto end");
	ck_assert_uint_eq(app->view.cursor_ns + 1, FX_US(1000));
	fx_run(app, "goto 0%");
	ck_assert_uint_eq(app->view.cursor_ns, FX_T0);
	fx_run(app, "goto 12.5%");
	ck_assert_uint_eq(app->view.cursor_ns, FX_US(125));
	fx_run(app, "goto dump");
	ck_assert_has(tui_app_message(app), "the dump (signal)");
	ck_assert_int_eq(tui_app_exec(app, "goto -5%"), -1);
	ck_assert_int_eq(tui_app_exec(app, "goto 5%%"), -1);
	tui_app_free(app);
}
END_TEST

/* mark next|prev KIND on worker-2 from its start, and the keys for them. */
START_TEST(marks_by_kind)
{
	tui_app *app = open_goto(VTB_REASON_EXCEPTION, "in thread worker-2: KeyError: 'sku-13'", 1);
	const vtb_mark *mk;

	fx_run(app, "thread 2");
	fx_run(app, "goto start");
	fx_run(app, "mark next exception");
	ck_assert_str_eq(sel_name(app), "app.retry"); /* caught in app.step: it began there */
	tui_app_key(app, '>');
	ck_assert_str_eq(sel_name(app), "app.lookup");
	ck_assert_has(tui_app_message(app), "(the unhandled one)");
	tui_app_key(app, '>');
	ck_assert_has(tui_app_message(app), "no next exception on this thread");
	ck_assert_str_eq(sel_name(app), "app.lookup");
	tui_app_key(app, '<');
	ck_assert_str_eq(sel_name(app), "app.retry");
	fx_run(app, "goto start");
	tui_app_key(app, '}');
	ck_assert_ptr_nonnull(mk = sel_mark(app));
	ck_assert_str_eq(mk->text, "slow step");
	tui_app_key(app, '}');
	ck_assert_str_eq(sel_mark(app)->text, "price failed\nsecond line");
	tui_app_key(app, ')'); /* the next instant after the record: tick n=2 is before it */
	ck_assert_str_eq(sel_mark(app)->text, traceback);
	tui_app_key(app, '(');
	ck_assert_str_eq(sel_mark(app)->text, "n=2");
	tui_app_key(app, '{');
	ck_assert_str_eq(sel_mark(app)->text, "slow step");
	fx_run(app, "mark prev instant");
	ck_assert_str_eq(sel_mark(app)->text, "n=1");
	fx_run(app, "mark prev instant");
	ck_assert_has(tui_app_message(app), "no previous instant on this thread");
	fx_run(app, "mark next snapshot");
	ck_assert_has(tui_app_message(app), "no next snapshot on this thread");
	fx_run(app, "mark next");
	ck_assert_str_eq(sel_mark(app)->text, "slow step");
	tui_app_free(app);
}
END_TEST

/* A range by r at two cursors and by text: the status shows it, the stats panel counts
 * the calls that start in it, zoom range shows it, clear removes it. */
START_TEST(range_stats)
{
	tui_app *app = open_goto(VTB_REASON_EXCEPTION, "x", 1);
	char *text;

	fx_run(app, "goto 100us");
	tui_app_key(app, 'r');
	ck_assert_has(tui_app_message(app), "range from 100µs");
	fx_run(app, "goto 300us");
	tui_app_key(app, 'r');
	ck_assert_has(tui_app_message(app), "range 100µs..300µs (200µs)");
	ck_assert_uint_eq(app->view.range_t0_ns, FX_US(100));
	ck_assert_uint_eq(app->view.range_t1_ns, FX_US(300));
	fx_run(app, "stats");
	text = fx_draw(app, 120, 40);
	/* app.loop, app.step, app.retry and app.price start in it; app.lookup at its end does not */
	ck_assert_has(text, "statistics: range 100us..300us (200us), 4 functions, 4 calls");
	ck_assert_has(text, "range 100us..300us (200us)"); /* in the status line too */
	free(text);
	tui_app_key(app, 't');
	ck_assert_uint_le(app->view.start_ns, FX_US(100));
	ck_assert_uint_ge(app->view.start_ns + app->view.span_ns, FX_US(300));
	ck_assert_uint_lt(app->view.span_ns, FX_US(400));
	fx_run(app, "range 50%..");
	text = fx_draw(app, 120, 40);
	ck_assert_has(text, "statistics: range 500us..1ms (500us), 1 functions, 1 calls"); /* app.wait */
	free(text);
	fx_run(app, "select cursor");
	fx_run(app, "range sel");
	ck_assert_uint_eq(app->view.range_t0_ns, tui_model_slice(&app->model, app->view.sel)->start_ns);
	fx_run(app, "range clear");
	text = fx_draw(app, 120, 40);
	ck_assert_has(text, "statistics: visible range (no range set: r)");
	free(text);
	fx_run(app, "stats visible");
	text = fx_draw(app, 120, 40);
	ck_assert_has(text, "statistics: visible range, ");
	free(text);
	tui_app_free(app);
}
END_TEST

/* save-preset --view keeps the thread, the visible range and the search; applying the
 * preset on a fresh viewer restores them with the filters; without --view the view goes. */
START_TEST(preset_view_round_trip)
{
	char dir[] = "/tmp/vtui-goto-XXXXXX", path[64], *cause = NULL, *text;
	tui_app *app = open_goto(VTB_REASON_EXCEPTION, "x", 1);
	uint64_t start, span;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/p.json", dir);
	ck_assert_int_eq(tui_app_open_presets(app, path, &cause) < 0, 1); /* not there yet */
	free(cause);
	fx_run(app, "hide ^app\\.step$");
	fx_run(app, "search look");
	fx_run(app, "thread 2");
	fx_run(app, "goto 400us");
	fx_run(app, "zoom 8x");
	start = app->view.start_ns;
	span = app->view.span_ns;
	fx_run(app, "save-preset --view incident");
	ck_assert_has(tui_app_message(app), "saved preset incident (2 commands, thread, range, search) to ");
	tui_app_free(app);

	app = open_goto(VTB_REASON_EXCEPTION, "x", 1);
	cause = NULL;
	ck_assert_int_eq(tui_app_open_presets(app, path, &cause), 0);
	fx_run(app, "preset incident");
	ck_assert_has(tui_app_message(app), "preset incident: applied, search /look/, thread worker-2, view ");
	ck_assert_str_eq(tui_model_thread(&app->model, (int32_t)app->model.order[app->view.focus])->name, "worker-2");
	ck_assert_uint_le(app->view.start_ns > start ? app->view.start_ns - start : start - app->view.start_ns, span / 500);
	ck_assert_uint_le(app->view.span_ns > span ? app->view.span_ns - span : span - app->view.span_ns, span / 500);
	ck_assert_ptr_nonnull(app->fv->search);
	ck_assert_str_eq(flt_pattern_source(app->fv->search), "look");
	text = flt_set_describe(app->fv->set);
	ck_assert_str_eq(text, "hide ^app\\.step$");
	free(text);
	fx_run(app, "save-preset incident");
	ck_assert_has(tui_app_message(app), "saved preset incident (2 commands) to ");
	tui_app_free(app);
	app = open_goto(VTB_REASON_EXCEPTION, "x", 1);
	ck_assert_int_eq(tui_app_open_presets(app, path, &cause), 0);
	fx_run(app, "preset incident");
	ck_assert_lacks(tui_app_message(app), "thread worker-2");
	tui_app_free(app);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* Bad words name what is wrong. */
START_TEST(preset_view_bad)
{
	char dir[] = "/tmp/vtui-goto-XXXXXX", path[64], *cause = NULL;
	tui_app *app = open_goto(VTB_REASON_EXCEPTION, "x", 1);
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/p.json", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("{\"presets\": {\"t\": {\"commands\": [], \"view\": {\"thread\": \"worker-9\"}},"
	      " \"r\": {\"commands\": [], \"view\": {\"range\": \"5s..6s\"}}}}", f);
	fclose(f);
	ck_assert_int_eq(tui_app_open_presets(app, path, &cause), 0);
	ck_assert_int_eq(tui_app_exec(app, "preset t"), -1);
	ck_assert_has(tui_app_message(app), "preset t, its view: no thread 'worker-9' in this trace");
	ck_assert_int_eq(tui_app_exec(app, "preset r"), -1);
	ck_assert_has(tui_app_message(app), "preset r, its view: view range: '5s' is past the end of the trace");
	ck_assert_int_eq(tui_app_exec(app, "save-preset --view"), -1);
	ck_assert_has(tui_app_message(app), "usage: save-preset [--view] NAME");
	tui_app_free(app);
	unlink(path);
	rmdir(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tui_goto");
	TCase *tc = tcase_create("goto");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, incident_one_key, 0, sizeof(incident_cases) / sizeof(incident_cases[0]));
	tcase_add_test(tc, incident_in_a_long_call);
	tcase_add_loop_test(tc, incident_keys_agree, 0, sizeof(incident_cases) / sizeof(incident_cases[0]));
	tcase_add_test(tc, incident_details_traceback);
	tcase_add_test(tc, goto_places);
	tcase_add_test(tc, marks_by_kind);
	tcase_add_test(tc, range_stats);
	tcase_add_test(tc, preset_view_round_trip);
	tcase_add_test(tc, preset_view_bad);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
