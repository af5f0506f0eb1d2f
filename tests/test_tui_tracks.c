/* SPDX-License-Identifier: MIT */
/* test_tui_tracks.c: issue 7 without a terminal: counter, mark, GC and span rows at
 * several zooms (screen model cells), the log panel following the timeline and moving it,
 * the statistics panel, the flame graph and the diff checked to the nanosecond on a trace
 * with known timings (tests/tui_fx_analysis.h), and several dumps merged on one clock. */
#include <check.h>
#include <math.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tui_fx_analysis.h"
#include "tui/tui.h"
/* The panels' state is private; the tests read it to check numbers exactly. */
#include "tui/analysis.h"

#define MS 1000000ull

static tui_app *open_a(int slow)
{
	return fx_app(fxa_trace(slow, NULL), slow ? "b.vtb" : "a.vtb");
}

/* Render into a new screen (the caller frees). */
static tui_screen *render(tui_app *app, int w, int h, int ascii)
{
	tui_screen *s = tui_screen_new(w, h);

	tui_screen_set_ascii(s, ascii);
	tui_app_render(app, s);
	return s;
}

/* The first screen row whose text contains `needle`, or -1. */
static int find_row(const tui_screen *s, const char *needle)
{
	for (int y = 0; y < tui_screen_height(s); y++) {
		char *line = tui_screen_line(s, y);
		int hit = line && strstr(line, needle);

		free(line);
		if (hit)
			return y;
	}
	return -1;
}

static char *text_of(const tui_screen *s)
{
	return tui_screen_text(s);
}

/* Show [t0, t1) (ns from the start) exactly. */
static void window(tui_app *app, uint64_t t0, uint64_t t1)
{
	app->view.start_ns = FX_T0 + t0;
	app->view.span_ns = t1 - t0;
	app->view.cursor_ns = FX_T0 + t0;
}

static int col_of(const tui_app *app, uint64_t t)
{
	return (int)tui_view_col(&app->view, FX_T0 + t);
}

/* ---- counter tracks ---- */

START_TEST(counter_fit)
{
	tui_app *app = open_a(0);
	tui_screen *s = render(app, 120, 40, 1);
	int y = find_row(s, "queue  counter, scale 0 .. 10") + 1, spike;
	char *status;

	ck_assert_int_gt(y, 0);
	/* 100 ms over 120 columns: the column of 20 ms holds 10 and 2: drawn at 10, bold */
	spike = col_of(app, 20 * MS);
	ck_assert_int_eq(tui_screen_cell(s, spike, y)->ch, L'#');
	ck_assert_int_eq(tui_screen_cell(s, spike, y)->attr & TUI_ATTR_BOLD, TUI_ATTR_BOLD);
	ck_assert_int_eq(tui_screen_cell(s, spike + 1, y)->ch, L'.'); /* 2 of 10: level 2 */
	ck_assert_int_eq(tui_screen_cell(s, spike + 1, y)->attr & TUI_ATTR_BOLD, 0);
	ck_assert_int_eq(tui_screen_cell(s, 0, y)->ch, L'_');       /* 0: the bottom */
	ck_assert_int_eq(tui_screen_cell(s, col_of(app, 12 * MS), y)->ch, L':'); /* 5: level 4 */
	/* two series of one counter stacked under one title, one scale */
	ck_assert_int_gt(find_row(s, "mem  counter (rss, heap), scale 50 .. 200"), 0);
	tui_screen_free(s);
	/* the value under the cursor: the last sample at or before it */
	fx_run(app, "goto 25ms");
	s = render(app, 120, 40, 1);
	status = tui_screen_line(s, 39);
	ck_assert_has(status, "queue=2");
	free(status);
	tui_screen_free(s);
	fx_run(app, "counter 2");
	s = render(app, 120, 40, 1);
	status = tui_screen_line(s, 39);
	ck_assert_has(status, "mem/rss=100");
	free(status);
	tui_screen_free(s);
	/* a click on a series row shows that series */
	s = render(app, 120, 40, 1);
	y = find_row(s, "mem  counter") + 2;
	tui_app_click(app, 10, y);
	tui_screen_free(s);
	s = render(app, 120, 40, 1);
	status = tui_screen_line(s, 39);
	ck_assert_has(status, "mem/heap=50");
	free(status);
	tui_screen_free(s);
	ck_assert_int_eq(tui_app_exec(app, "counter 9"), 0); /* no such counter: a note */
	ck_assert_has(tui_app_message(app), "no such counter");
	tui_app_free(app);
}
END_TEST

/* Zooms: the window, and the level expected at a time inside it. */
static const struct zoom_case {
	uint64_t t0, t1, at;
	wchar_t uni, asc;
} zoom_cases[] = {
	{ 0, 100 * MS, 50 * MS, L'▃', L'-' },          /* 3 of 10 */
	{ 19 * MS, 22 * MS, 20250000, L'█', L'#' },    /* between 20 and 20.5 ms: 10 */
	{ 19 * MS, 22 * MS, 21 * MS, L'▂', L'.' },     /* after 20.5 ms: 2 */
	{ 20400000, 20600000, 20300000 + 150000, L'█', L'#' }, /* 200 us window, before the drop */
	{ 89 * MS, 91 * MS, 90500000, L'▁', L'_' },    /* back to 0 */
};

/* Found by fuzz_view (UBSan): a NaN or infinite sample made the level of a column a
 * double with no int; a flame child heavier than its damaged parent drew past it. */
START_TEST(counter_values_not_numbers)
{
	static const double vals[] = { NAN, INFINITY, -INFINITY, 1e308, -1e308, 0, NAN };
	vtb_header h;
	char *cause = NULL;
	size_t len;

	fx_header("simple", &h);
	vtb_writer *w = vtb_writer_open_mem(&h);
	int64_t q = vtb_writer_string(w, "q", "", 0), f = vtb_writer_string(w, "f", "f.py", 1);
	ck_assert_int_eq(vtb_writer_thread(w, 100, 1, "t"), 0);
	ck_assert_int_eq(vtb_writer_begin(w, 0, FX_US(0), (uint32_t)f, 0), 0);
	for (int i = 0; i < 7; i++)
		ck_assert_int_eq(vtb_writer_counter(w, 0, FX_US(i * 10), (uint32_t)q, (uint32_t)q, vals[i]), 0);
	ck_assert_int_eq(vtb_writer_end(w, 0, FX_US(100), 0), 0);
	ck_assert_int_eq(vtb_writer_finish(w, &cause), 0);
	const uint8_t *b = vtb_writer_mem(w, &len);
	tui_app *app = fx_app(vtb_trace_load_mem(b, len, 0, &cause), "nan.vtb");
	vtb_writer_free(w);
	for (int i = 0; i < 3; i++) {
		tui_screen *s = render(app, 100, 30, 1);
		ck_assert_int_gt(find_row(s, "q  counter"), 0);
		tui_screen_free(s);
		fx_run(app, i ? "zoom 8x" : "flame all");
	}
	tui_app_free(app);
}
END_TEST

START_TEST(counter_zooms)
{
	const struct zoom_case *z = &zoom_cases[_i];
	tui_app *app = open_a(0);

	for (int ascii = 0; ascii < 2; ascii++) {
		tui_screen *s;
		int y;

		window(app, z->t0, z->t1);
		s = render(app, 100, 40, ascii);
		y = find_row(s, "queue  counter") + 1;
		ck_assert_int_gt(y, 0);
		ck_assert_msg(tui_screen_cell(s, col_of(app, z->at), y)->ch == (ascii ? z->asc : z->uni),
			      "zoom %d ascii %d: got %lc", _i, ascii, (wint_t)tui_screen_cell(s, col_of(app, z->at), y)->ch);
		tui_screen_free(s);
	}
	tui_app_free(app);
}
END_TEST

/* ---- marks, GC and spans ---- */

START_TEST(marks_row_and_details)
{
	tui_app *app = open_a(0);
	tui_screen *s = render(app, 120, 40, 1);
	int y = find_row(s, "MainThread tid 1000") + 1;
	char *text;

	ck_assert_int_gt(y, 0);
	ck_assert_int_eq(tui_screen_cell(s, col_of(app, 3 * MS), y)->ch, L'l');  /* INFO */
	ck_assert_int_eq(tui_screen_cell(s, col_of(app, 10 * MS), y)->ch, L'o'); /* object */
	ck_assert_int_eq(tui_screen_cell(s, col_of(app, 15 * MS), y)->ch, L'W');
	ck_assert_int_eq(tui_screen_cell(s, col_of(app, 45 * MS), y)->ch, L'E');
	ck_assert_int_eq(tui_screen_cell(s, col_of(app, 45 * MS), y)->style, TUI_STYLE_ERROR);
	ck_assert_int_eq(tui_screen_cell(s, col_of(app, 62 * MS), y)->ch, L'*'); /* instant */
	tui_screen_free(s);
	s = render(app, 120, 40, 0);
	ck_assert_int_eq(tui_screen_cell(s, col_of(app, 45 * MS), y)->ch, L'✖');
	tui_screen_free(s);
	/* zoomed in 10x around the error: still in its column */
	window(app, 40 * MS, 50 * MS);
	s = render(app, 120, 40, 1);
	ck_assert_int_eq(tui_screen_cell(s, col_of(app, 45 * MS), y)->ch, L'E');
	ck_assert_int_eq(tui_screen_cell(s, col_of(app, 45 * MS) - 1, y)->ch, L' ');
	tui_screen_free(s);
	/* mark next from the cursor: the snapshot at 10 ms, its text in the details pane */
	fx_run(app, "zoom fit");
	fx_run(app, "goto 5ms");
	fx_run(app, "mark next");
	ck_assert_int_eq(app->view.cursor_ns, FX_US(10000));
	s = render(app, 120, 40, 1);
	text = text_of(s);
	ck_assert_has(text, "mark object snapshot at 10ms on MainThread");
	ck_assert_has(text, "text {'a': 1}");
	free(text);
	tui_screen_free(s);
	fx_run(app, "mark next");
	ck_assert_int_eq(app->view.cursor_ns, FX_US(15000));
	fx_run(app, "mark prev");
	ck_assert_int_eq(app->view.cursor_ns, FX_US(10000));
	/* a click on the marks row selects the mark under it */
	s = render(app, 120, 40, 1);
	tui_app_click(app, col_of(app, 45 * MS), y);
	ck_assert_int_eq(app->an->mark.thread, 0);
	ck_assert_int_eq(app->view.sel.thread, -1);
	tui_screen_free(s);
	s = render(app, 120, 40, 1);
	text = text_of(s);
	ck_assert_has(text, "name ERROR  logger app");
	free(text);
	tui_screen_free(s);
	tui_app_free(app);
}
END_TEST

/* The tracer writes GC spans on a row of their own (tid 0xffffffff, tracer/dump.c): one
 * row for them, named for what it is, not a thread with a bogus tid beside a GC track. */
START_TEST(tracer_gc_row_once)
{
	vtb_header h = { .pid = 7, .dump_ns = FX_T0 + 10 * MS, .start_mono_ns = FX_T0 };
	vtb_writer *w = vtb_writer_open_mem(&h);
	int64_t main_th, gc_th, f, gc;
	tui_app *app;
	tui_screen *s;
	char *text;

	ck_assert_ptr_nonnull(w);
	ck_assert_int_ge(main_th = vtb_writer_thread(w, 7, 70, "MainThread"), 0);
	ck_assert_int_ge(gc_th = vtb_writer_thread(w, 7, 0xffffffffu, "GC"), 0);
	ck_assert_int_ge(f = vtb_writer_string(w, "f", "f.py", 1), 0);
	ck_assert_int_ge(gc = vtb_writer_string(w, "collect (generation 2)", "", 0), 0);
	ck_assert_int_eq(vtb_writer_begin(w, (uint32_t)main_th, FX_T0, (uint32_t)f, 0), 0);
	ck_assert_int_eq(vtb_writer_end(w, (uint32_t)main_th, FX_T0 + 8 * MS, 0), 0);
	ck_assert_int_eq(vtb_writer_begin(w, (uint32_t)gc_th, FX_T0 + 2 * MS, (uint32_t)gc, VTB_CALL_GC), 0);
	ck_assert_int_eq(vtb_writer_end(w, (uint32_t)gc_th, FX_T0 + 3 * MS, VTB_CALL_GC), 0);
	app = fx_app(fx_load_mem(w, 0, NULL), "gc.vtb");
	vtb_writer_free(w);
	s = render(app, 80, 24, 1);
	text = text_of(s);
	ck_assert_lacks(text, "4294967295");
	ck_assert_has(text, "GC (garbage collections)  1 call, depth 1");
	ck_assert_int_eq(find_row(s, "GC  "), -1); /* no process GC track as well */
	free(text);
	tui_screen_free(s);
	tui_app_free(app);
}
END_TEST

START_TEST(gc_and_span_rows)
{
	tui_app *app = open_a(0);
	tui_screen *s = render(app, 120, 40, 1);
	int y = find_row(s, "GC "), x;
	char *text;

	ck_assert_int_gt(y, 0);
	x = col_of(app, 81 * MS);
	ck_assert_int_eq(tui_screen_cell(s, x, y)->ch, L'#');
	ck_assert_int_eq(tui_screen_cell(s, col_of(app, 70 * MS), y)->ch, L' ');
	tui_screen_free(s);
	window(app, 78 * MS, 92 * MS); /* zoomed in: the GC slice and the span have their names */
	s = render(app, 120, 40, 1);
	ck_assert_int_eq(find_row(s, "GC"), y);
	text = text_of(s);
	ck_assert_has(text, "gc.collect 2ms");
	ck_assert_has(text, "[load-config 5ms");
	free(text);
	tui_screen_free(s);
	tui_app_free(app);
}
END_TEST

/* ---- the log panel ---- */

START_TEST(log_panel_follows_timeline)
{
	tui_app *app = open_a(0);
	struct tui_analysis *an = app->an;
	struct tui_logs_panel *lp = tui_an_state(app, &tui_panel_logs);
	tui_screen *s;
	int y;

	fx_run(app, "logs");
	ck_assert_int_eq(lp->log_count, 5);
	fx_run(app, "goto 40ms"); /* the timeline moves: the panel selects the next record */
	s = render(app, 120, 40, 1);
	ck_assert_int_eq(lp->logs[lp->log_shown[lp->log_sel]].ts_ns, FX_US(45000));
	y = find_row(s, "failed to connect");
	ck_assert_int_gt(y, 0);
	ck_assert_int_eq(tui_screen_cell(s, 20, y)->style, TUI_STYLE_ERROR); /* errors stand out */
	ck_assert_int_eq(tui_screen_cell(s, 20, y)->attr & TUI_ATTR_REVERSE, TUI_ATTR_REVERSE);
	tui_screen_free(s);
	/* and the panel moves the timeline: j in the focused panel */
	tui_app_key(app, 'j');
	ck_assert_int_eq(app->view.cursor_ns, FX_US(95000));
	ck_assert_int_eq(an->mark.thread, 0);
	tui_app_key(app, 'k');
	tui_app_key(app, 'k');
	ck_assert_int_eq(app->view.cursor_ns, FX_US(15000));
	/* the other thread's record: the focus moves to worker-1 */
	tui_app_key(app, 'k');
	ck_assert_int_eq(app->view.cursor_ns, FX_US(6000));
	ck_assert_int_eq(app->model.order[app->view.focus], 1);
	/* Esc gives the keys back to the timeline: j selects a call again */
	tui_app_key(app, TUI_KEY_ESC);
	ck_assert_int_eq(an->focus, 0);
	tui_app_key(app, 'j');
	ck_assert_int_eq(app->view.cursor_ns, FX_US(6000));
	fx_run(app, "logs off");
	ck_assert_ptr_null(tui_an_shown(app));
	tui_app_free(app);
}
END_TEST

/* A filter that shrinks the list leaves no empty rows under records scrolled out above. */
START_TEST(log_panel_refills_after_filter)
{
	tui_app *app = open_a(0);
	struct tui_logs_panel *lp = tui_an_state(app, &tui_panel_logs);
	tui_screen *s;
	char *text;

	fx_run(app, "logs");
	tui_screen_free(render(app, 80, 13, 1)); /* a panel of three records */
	tui_logs_move(app, 10);
	tui_screen_free(render(app, 80, 13, 1));
	ck_assert_int_eq(lp->log_top, 2);
	fx_run(app, "log-level warning");
	s = render(app, 80, 13, 1);
	text = text_of(s);
	ck_assert_has(text, "logs: 2 of 5 records");
	ck_assert_has(text, "slow query");
	ck_assert_has(text, "failed to connect");
	free(text);
	tui_screen_free(s);
	tui_app_free(app);
}
END_TEST

START_TEST(log_panel_filters)
{
	tui_app *app = open_a(0);
	struct tui_logs_panel *lp = tui_an_state(app, &tui_panel_logs);
	char *text;
	tui_screen *s;

	fx_run(app, "log-level warning");
	ck_assert_int_eq(lp->log_shown_count, 2);
	fx_run(app, "log-level error");
	ck_assert_int_eq(lp->log_shown_count, 1);
	fx_run(app, "log-level all");
	fx_run(app, "log-filter slow|worker");
	ck_assert_int_eq(lp->log_shown_count, 2);
	fx_run(app, "log-filter ^app\\.db$"); /* the logger's name matches too */
	ck_assert_int_eq(lp->log_shown_count, 1);
	s = render(app, 120, 40, 1);
	text = text_of(s);
	ck_assert_has(text, "logs: 1 of 5 records, /^app\\.db$/");
	ck_assert_has(text, "slow query");
	free(text);
	tui_screen_free(s);
	ck_assert_int_eq(tui_app_exec(app, "log-filter (unclosed"), -1);
	ck_assert_int_eq(lp->log_shown_count, 1); /* the old filter stays */
	ck_assert_int_eq(tui_app_exec(app, "log-level loud"), -1);
	fx_run(app, "log-filter");
	ck_assert_int_eq(lp->log_shown_count, 5);
	tui_app_free(app);
}
END_TEST

/* ---- statistics ---- */

static const an_stats_row *row_named(tui_app *app, const char *name)
{
	const an_stats *st = ((struct tui_stats_panel *)tui_an_state(app, &tui_panel_stats))->stats;

	for (size_t i = 0; st && i < st->count; i++)
		if (!strcmp(tui_model_name(&app->model, st->rows[i].name_id), name))
			return &st->rows[i];
	ck_abort_msg("no row %s", name);
	return NULL;
}

START_TEST(stats_scopes_exact)
{
	tui_app *app = open_a(0);
	const an_stats_row *r;

	fx_run(app, "stats all");
	r = row_named(app, "step");
	ck_assert_uint_eq(r->calls, 6);
	ck_assert_uint_eq(r->total_ns, 50 * MS);
	ck_assert_uint_eq(r->self_ns, 50 * MS);
	ck_assert_uint_eq(r->max_ns, 20 * MS);
	ck_assert_uint_eq(an_stats_mean(r), 8333333);
	r = row_named(app, "work");
	ck_assert_uint_eq(r->calls, 2);
	ck_assert_uint_eq(r->total_ns, 60 * MS);
	ck_assert_uint_eq(r->self_ns, 30 * MS);
	ck_assert_uint_eq(row_named(app, "main")->self_ns, 33 * MS);
	ck_assert_uint_eq(row_named(app, "worker.run")->self_ns, 40 * MS);
	ck_assert_uint_eq(row_named(app, "gc.collect")->total_ns, 2 * MS);
	ck_assert_uint_eq(row_named(app, "load-config")->total_ns, 5 * MS);
	/* the visible range: calls starting in [0, 20 ms) */
	window(app, 0, 20 * MS);
	fx_run(app, "stats visible");
	r = row_named(app, "step");
	ck_assert_uint_eq(r->calls, 3);
	ck_assert_uint_eq(r->total_ns, 30 * MS);
	/* the first work call's subtree */
	fx_run(app, "zoom fit");
	app->view.sel = (tui_ref){ 0, 1, 0 };
	fx_run(app, "stats subtree");
	ck_assert_uint_eq(((struct tui_stats_panel *)tui_an_state(app, &tui_panel_stats))->stats->count, 2);
	r = row_named(app, "step");
	ck_assert_uint_eq(r->calls, 4);
	ck_assert_uint_eq(r->total_ns, 20 * MS);
	ck_assert_uint_eq(row_named(app, "work")->self_ns, 20 * MS);
	tui_app_free(app);
}
END_TEST

/* Sort column and the names in the order expected. */
static const struct sort_case {
	const char *cmd;
	const char *order[6];
} sort_cases[] = {
	{ "sort self", { "step", "worker.run", "main", "work", "load-config", "gc.collect" } },
	{ "sort total", { "main", "work", "worker.run", "step", "load-config", "gc.collect" } },
	{ "sort calls", { "step", "work", "gc.collect", "load-config", "main", "worker.run" } },
	{ "sort mean", { "main", "worker.run", "work", "step", "load-config", "gc.collect" } },
	{ "sort max", { "main", "worker.run", "work", "step", "load-config", "gc.collect" } },
	{ "sort name", { "gc.collect", "load-config", "main", "step", "work", "worker.run" } },
};

START_TEST(stats_sort_and_longest)
{
	const struct sort_case *c = &sort_cases[_i];
	tui_app *app = open_a(0);
	tui_screen *s;
	int y;

	fx_run(app, "stats all");
	fx_run(app, c->cmd);
	if (!strcmp(c->cmd, "sort name")) /* names have no magnitude: A to Z */
		ck_assert_int_eq(((struct tui_stats_panel *)tui_an_state(app, &tui_panel_stats))->stats_sort, TUI_COL_NAME);
	s = render(app, 120, 40, 1);
	y = find_row(s, "mean"); /* the column heads */
	ck_assert_int_gt(y, 0);
	for (int i = 0; i < 6; i++) {
		char *line = tui_screen_line(s, y + 1 + i);

		ck_assert_msg(!strncmp(line + 1, c->order[i], strlen(c->order[i])) &&
				      line[1 + strlen(c->order[i])] == ' ',
			      "%s: row %d is '%s', want %s", c->cmd, i, line, c->order[i]);
		free(line);
	}
	tui_screen_free(s);
	tui_app_free(app);
}
END_TEST

START_TEST(longest_call)
{
	tui_app *app = open_a(0);
	const vtb_slice *sl;

	ck_assert_int_eq(tui_app_exec(app, "longest"), -1); /* nothing selected */
	fx_run(app, "stats all");
	fx_run(app, "sort calls"); /* step first */
	tui_app_key(app, TUI_KEY_ENTER); /* Enter in the stats panel: its longest call */
	sl = tui_model_slice(&app->model, app->view.sel);
	ck_assert_ptr_nonnull(sl);
	ck_assert_str_eq(tui_model_name(&app->model, sl->name_id), "step");
	ck_assert_uint_eq(sl->dur_ns, 20 * MS);
	ck_assert_int_eq(app->view.sel.thread, 1); /* worker-1's */
	ck_assert_has(tui_app_message(app), "longest call of step: 20ms");
	/* J from a selected call, panel closed */
	fx_run(app, "stats off");
	app->view.sel = (tui_ref){ 0, 1, 1 }; /* the second work call */
	tui_app_key(app, 'J');
	sl = tui_model_slice(&app->model, app->view.sel);
	ck_assert_uint_eq(sl->dur_ns, 40 * MS);
	tui_app_free(app);
}
END_TEST

/* ---- flame graph ---- */

START_TEST(flame_panel_zoom)
{
	tui_app *app = open_a(0);
	tui_screen *s;
	char *line;
	int y;

	fx_run(app, "flame all");
	s = render(app, 120, 40, 1);
	y = find_row(s, "flame graph: whole trace, 7 stacks");
	ck_assert_int_gt(y, 0);
	line = tui_screen_line(s, y + 1);
	ck_assert_has(line, "all 160ms 100.0%");
	free(line);
	line = tui_screen_line(s, y + 2);
	ck_assert_has(line, "|main 100ms 62.5%");
	ck_assert_has(line, "|worker.run 60ms 37.5%");
	/* main is 100/160 of 120 columns: worker.run starts at column 75 */
	ck_assert_int_eq(strstr(line, "|worker.run") - line, 75);
	free(line);
	tui_screen_free(s);
	/* Down Down Enter: zoom into main > work, which then fills the width */
	tui_app_key(app, TUI_KEY_DOWN);
	tui_app_key(app, TUI_KEY_DOWN);
	tui_app_key(app, TUI_KEY_ENTER);
	s = render(app, 120, 40, 1);
	line = tui_screen_line(s, y + 1);
	ck_assert_has(line, "|work 60ms 37.5%");
	free(line);
	line = tui_screen_line(s, y + 2);
	ck_assert_has(line, "|step 30ms 18.8%");
	free(line);
	/* half of work's width */
	ck_assert_int_ne(tui_screen_cell(s, 59, y + 2)->style, TUI_STYLE_DEFAULT);
	ck_assert_int_eq(tui_screen_cell(s, 60, y + 2)->style, TUI_STYLE_DEFAULT);
	tui_screen_free(s);
	tui_app_key(app, 'g'); /* back to the root */
	ck_assert_int_eq(((struct tui_flame_panel *)tui_an_state(app, &tui_panel_flame))->flame_zoom, 0);
	tui_app_free(app);
}
END_TEST

/* ---- diff ---- */

START_TEST(diff_view_opens_both)
{
	tui_app *app = open_a(1);
	char *cause = NULL;
	const vtb_slice *sl;

	ck_assert_int_eq(tui_app_set_diff(app, fxa_trace(0, NULL), "a.vtb", &cause), 0);
	ck_assert_ptr_eq(tui_an_shown(app), &tui_panel_diff);
	{ /* at 80 columns names have room (not cut to 9 characters) and the changes show */
		tui_screen *s = render(app, 80, 24, 1);
		char *text = text_of(s);

		ck_assert_has(text, " gc.collect ");
		ck_assert_has(text, " load-config ");
		ck_assert_has(text, "total a  total b total +-  self +-");
		free(text);
		tui_screen_free(s);
	}
	tui_app_key(app, 'j');
	tui_app_key(app, 'j'); /* work */
	tui_app_key(app, TUI_KEY_ENTER);
	sl = tui_model_slice(&app->model, app->view.sel);
	ck_assert_str_eq(tui_model_name(&app->model, sl->name_id), "work");
	ck_assert_uint_eq(sl->dur_ns, 40 * MS);
	ck_assert_str_eq(app->path, "b.vtb");
	tui_app_key(app, 'A'); /* the before trace, at the same function */
	ck_assert_str_eq(app->path, "a.vtb");
	ck_assert_int_eq(((struct tui_diffview *)tui_an_peek(app, &tui_panel_diff))->showing_after, 0);
	ck_assert_int_eq(((struct tui_diffview *)tui_an_peek(app, &tui_panel_diff))->sel, 2);
	sl = tui_model_slice(&app->model, app->view.sel);
	ck_assert_str_eq(tui_model_name(&app->model, sl->name_id), "work");
	tui_app_key(app, 'k');
	tui_app_key(app, 'k');
	tui_app_key(app, 'k'); /* back up to step; j to extra, which the before trace lacks */
	for (int i = 0; i < 3; i++)
		tui_app_key(app, 'j');
	ck_assert_int_eq(tui_app_exec(app, "panel enter"), -1);
	ck_assert_has(tui_app_message(app), "extra has no calls in the before trace");
	fx_run(app, "diff-open after");
	ck_assert_str_eq(app->path, "b.vtb");
	sl = tui_model_slice(&app->model, app->view.sel);
	ck_assert_str_eq(tui_model_name(&app->model, sl->name_id), "extra");
	/* a flattened trace is kept aside whole: the filters go with the view */
	{
		size_t calls = vtb_trace_call_count(app->model.trace);

		fx_run(app, "flatten ^work$");
		ck_assert_uint_lt(vtb_trace_call_count(app->model.trace), calls);
		fx_run(app, "diff-open before");
		fx_run(app, "diff-open after");
		ck_assert_uint_eq(vtb_trace_call_count(app->model.trace), calls);
	}
	tui_app_free(app);
	app = open_a(0);
	ck_assert_int_eq(tui_app_exec(app, "diff"), -1); /* one trace: no diff */
	tui_app_free(app);
}
END_TEST

/* ---- several dumps ---- */

START_TEST(multi_view_groups)
{
	vtb_trace *in[2] = { fxa_trace(0, NULL), fxa_child(NULL) };
	char *cause = NULL, *text;
	tui_app *app = tui_app_new(an_multi_merge(in, NULL, 2, NULL, &cause), "a.vtb + 1 more", &cause);
	tui_screen *s;

	ck_assert_ptr_nonnull(app);
	fx_run(app, "logs");
	s = render(app, 120, 50, 1);
	text = text_of(s);
	ck_assert_has(text, "process 100  python app.py");
	ck_assert_has(text, "process 101  python app.py (child)");
	ck_assert_has(text, "101/MainThread child failed");
	free(text);
	tui_screen_free(s);
	vtb_trace_free(in[0]);
	vtb_trace_free(in[1]);
	tui_app_free(app);
}
END_TEST

/* Two dumps of one process: each has its own title row (file, process, reason), so the
 * two sets of threads do not look the same. */
START_TEST(multi_same_process_titles)
{
	vtb_trace *in[2] = { fxa_trace(0, NULL), fxa_trace(1, NULL) };
	static const char *const paths[] = { "/tmp/snap1.bin", "snap2.bin" };
	an_sources *src = NULL;
	char *cause = NULL, *text;
	tui_app *app = tui_app_new(an_multi_merge(in, paths, 2, &src, &cause), "snap1.bin + 1 more", &cause);
	tui_screen *s;
	const char *t1, *t2;

	ck_assert_ptr_nonnull(app);
	ck_assert_ptr_nonnull(src);
	tui_app_set_sources(app, src);
	ck_assert_int_eq(app->model.process_groups, 2);
	s = render(app, 80, 60, 1);
	text = text_of(s);
	t1 = strstr(text, "snap1.bin (1 of 2): dump: exception ValueError: bad input, pid 100 python app.py");
	t2 = strstr(text, "snap2.bin (2 of 2): dump: exception ValueError: bad input, pid 100 python app.py");
	ck_assert_msg(t1 && t2 && t1 < t2, "titles missing or out of order:\n%s", text);
	ck_assert_ptr_nonnull(strstr(t1, "MainThread tid 1000"));
	ck_assert_ptr_nonnull(strstr(t2, "MainThread tid 1000"));
	free(text);
	tui_screen_free(s);
	vtb_trace_free(in[0]);
	vtb_trace_free(in[1]);
	tui_app_free(app);
}
END_TEST

/* ---- every panel at 80x24 (tests/golden/screen80_*.txt) ---- */

enum { G_ONE, G_DIFF, G_DUMPS };

static const struct golden80 {
	const char *file;
	int kind;
	const char *cmds[6];
} goldens80[] = {
	{ "screen80_logs", G_ONE, { "logs", NULL } },
	{ "screen80_logs_error", G_ONE, { "logs", "log-level error", NULL } },
	{ "screen80_stats", G_ONE, { "stats all", NULL } },
	{ "screen80_flame", G_ONE, { "flame all", NULL } },
	{ "screen80_marks", G_ONE, { "goto 45ms", "mark next", NULL } },
	{ "screen80_diff", G_DIFF, { NULL } },
	{ "screen80_two_dumps", G_DUMPS, { NULL } },
};

START_TEST(golden_80x24)
{
	const struct golden80 *g = &goldens80[_i];
	static const char *const paths[] = { "snap1.bin", "snap2.bin" };
	vtb_trace *in[2] = { NULL, NULL };
	an_sources *src = NULL;
	char *cause = NULL;
	tui_app *app;

	if (g->kind == G_DUMPS) {
		in[0] = fxa_trace(0, NULL);
		in[1] = fxa_trace(1, NULL);
		app = tui_app_new(an_multi_merge(in, paths, 2, &src, &cause), "snap1.bin + 1 more", &cause);
		tui_app_set_sources(app, src);
	} else {
		app = open_a(g->kind == G_DIFF);
		if (g->kind == G_DIFF)
			ck_assert_int_eq(tui_app_set_diff(app, fxa_trace(0, NULL), "a.vtb", &cause), 0);
	}
	ck_assert_ptr_nonnull(app);
	fx_golden_check(app, g->file, "80x24", 0, g->cmds);
	tui_app_free(app);
	vtb_trace_free(in[0]);
	vtb_trace_free(in[1]);
}
END_TEST

static Suite *tracks_suite(void)
{
	Suite *s = suite_create("tui_tracks");
	TCase *tc = tcase_create("tracks");

	tcase_add_test(tc, counter_fit);
	tcase_add_test(tc, counter_values_not_numbers);
	tcase_add_loop_test(tc, counter_zooms, 0, sizeof(zoom_cases) / sizeof(zoom_cases[0]));
	tcase_add_test(tc, marks_row_and_details);
	tcase_add_test(tc, gc_and_span_rows);
	tcase_add_test(tc, tracer_gc_row_once);
	suite_add_tcase(s, tc);
	tc = tcase_create("logs");
	tcase_add_test(tc, log_panel_follows_timeline);
	tcase_add_test(tc, log_panel_filters);
	tcase_add_test(tc, log_panel_refills_after_filter);
	suite_add_tcase(s, tc);
	tc = tcase_create("analysis");
	tcase_add_test(tc, stats_scopes_exact);
	tcase_add_loop_test(tc, stats_sort_and_longest, 0, sizeof(sort_cases) / sizeof(sort_cases[0]));
	tcase_add_test(tc, longest_call);
	tcase_add_test(tc, flame_panel_zoom);
	suite_add_tcase(s, tc);
	tc = tcase_create("traces");
	tcase_add_test(tc, diff_view_opens_both);
	tcase_add_test(tc, multi_view_groups);
	tcase_add_test(tc, multi_same_process_titles);
	tcase_add_loop_test(tc, golden_80x24, 0, sizeof(goldens80) / sizeof(goldens80[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	setlocale(LC_CTYPE, "C.UTF-8");
	sr = srunner_create(tracks_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
