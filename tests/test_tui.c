/* SPDX-License-Identifier: MIT */
/* test_tui.c: the viewer without a terminal: the screen model, what the views draw where
 * at several zooms, navigation, the details pane, the command language and keys, and the
 * golden --render outputs in tests/golden/ (VTUI_GOLDEN_UPDATE=1 rewrites them; check
 * them by eye before committing). */
#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filters/filters.h"
#include "tests/tui_fixtures.h"
#include "tui/tui.h"
/* One test checks the model's row index against vtb_row_find: the index is private, and a
 * wrong bucket edge would draw a wrong frame only at some zooms. */
#include "tui/tui_private.h"

/* ---- helpers ---- */

static tui_app *open_fx(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "%s.vtb", name);
	return fx_app(fx_trace(name), path);
}

/* ---- the screen model ---- */

START_TEST(screen_text_and_cells)
{
	tui_screen *s = tui_screen_new(12, 3);
	char *line, *text;

	ck_assert_int_eq(tui_screen_puts(s, 1, 0, "h\xc3\xa9llo", -1, TUI_STYLE_HEADER, TUI_ATTR_BOLD), 5);
	ck_assert_int_eq(tui_screen_cell(s, 2, 0)->ch, 0xe9);
	ck_assert_int_eq(tui_screen_cell(s, 2, 0)->style, TUI_STYLE_HEADER);
	ck_assert_int_eq(tui_screen_cell(s, 2, 0)->attr, TUI_ATTR_BOLD);
	ck_assert_ptr_null(tui_screen_cell(s, 12, 0));
	ck_assert_ptr_null(tui_screen_cell(s, -1, 0));
	/* clipped at the edge, and by max_cols, never silently: an ellipsis ends the cut text */
	ck_assert_int_eq(tui_screen_puts(s, 9, 1, "abcdef", -1, 0, 0), 3);
	ck_assert_int_eq(tui_screen_puts(s, 0, 2, "abcdef", 2, 0, 0), 2);
	ck_assert_int_eq(tui_screen_puts(s, 4, 2, "xy   ", 2, 0, 0), 2); /* blanks cut are no text */
	line = tui_screen_line(s, 0);
	ck_assert_str_eq(line, " h\xc3\xa9llo");
	free(line);
	text = tui_screen_text(s);
	ck_assert_str_eq(text, " h\xc3\xa9llo\n         ab\xe2\x80\xa6\na\xe2\x80\xa6  xy\n");
	free(text);
	tui_screen_set_ascii(s, 1);
	tui_screen_puts(s, 0, 0, "\xc3\xa9t\xc3\xa9", -1, 0, 0);
	line = tui_screen_line(s, 0);
	ck_assert_str_eq(line, "?t?llo");
	free(line);
	ck_assert_int_eq(tui_screen_resize(s, 4, 2), 0);
	ck_assert_int_eq(tui_screen_width(s), 4);
	line = tui_screen_line(s, 1);
	ck_assert_str_eq(line, "");
	free(line);
	tui_screen_free(s);
	tui_screen_free(NULL);
}
END_TEST

START_TEST(screen_wide_chars)
{
	tui_screen *s = tui_screen_new(6, 1);
	char *line;

	/* U+6F22 takes two columns: its right half is a continuation cell */
	ck_assert_int_eq(tui_screen_puts(s, 0, 0, "\xe6\xbc\xa2x", -1, 0, 0), 3);
	ck_assert_int_eq(tui_screen_cell(s, 1, 0)->ch, 0);
	ck_assert_int_eq(tui_screen_cell(s, 2, 0)->ch, 'x');
	line = tui_screen_line(s, 0);
	ck_assert_str_eq(line, "\xe6\xbc\xa2x");
	free(line);
	/* a wide char that would straddle the edge is not drawn: an ellipsis stands for it */
	ck_assert_int_eq(tui_screen_puts(s, 5, 0, "\xe6\xbc\xa2", -1, 0, 0), 1);
	ck_assert_int_eq(tui_screen_cell(s, 5, 0)->ch, 0x2026);
	tui_screen_free(s);
}
END_TEST

/* ---- the model's row index ---- */

/* A row with gaps, bursts and zero-length calls. */
static vtb_trace *bursty_trace(void)
{
	vtb_header h;
	vtb_writer *w;
	vtb_trace *t = NULL;
	char *cause = NULL;
	uint64_t now = FX_T0, r = 12345;
	int64_t th, name;

	fx_header("bursty", &h);
	w = vtb_writer_open_mem(&h);
	th = vtb_writer_thread(w, 100, 1000, "MainThread");
	name = vtb_writer_string(w, "f", "f.py", 1);
	for (int i = 0; i < 5000; i++) {
		r = r * 6364136223846793005ull + 1442695040888963407ull;
		now += (r >> 60) < 2 ? (r >> 40) % 1000000 : (r >> 50) % 7; /* mostly tight, some gaps */
		vtb_writer_begin(w, (uint32_t)th, now, (uint32_t)name, 0);
		now += (r >> 33) % 3 == 0 ? 0 : (r >> 20) % 50;
		vtb_writer_end(w, (uint32_t)th, now, 0);
	}
	t = fx_load_mem(w, 0, &cause);
	free(cause);
	vtb_writer_free(w);
	return t;
}

START_TEST(row_index_matches_row_find)
{
	vtb_trace *traces[] = { fx_trace("deep"), fx_trace("threads"), bursty_trace() };
	size_t checked = 0;

	for (size_t k = 0; k < 3; k++) {
		tui_model m;
		char *cause = NULL;

		ck_assert_ptr_nonnull(traces[k]);
		ck_assert_int_eq(tui_model_init(&m, traces[k], &cause), 0);
		for (size_t t = 0; t < m.thread_count; t++) {
			const vtb_thread *th = tui_model_thread(&m, (int32_t)t);

			for (uint32_t d = 0; d < th->depth_count; d++) {
				uint64_t lo = m.first_ns - 100, hi = m.last_ns + 100;
				uint64_t step = (hi - lo) / 20000 + 1;
				tui_row_cursor c;

				tui_row_cursor_init(&c, &m, (int32_t)t, d);
				for (uint64_t x = lo; x <= hi; x += step, checked++)
					ck_assert_uint_eq(tui_row_cursor_find(&c, x), vtb_row_find(&th->rows[d], x));
				/* every slice's own edges too */
				for (size_t i = 0; i < th->rows[d].count; i++) {
					uint64_t e = tui_slice_end(&th->rows[d].slices[i]);

					ck_assert_uint_eq(tui_row_cursor_find(&c, e), vtb_row_find(&th->rows[d], e));
					ck_assert_uint_eq(tui_row_cursor_find(&c, e - 1), vtb_row_find(&th->rows[d], e - 1));
				}
			}
		}
		tui_model_fini(&m);
	}
	ck_assert_uint_gt(checked, 100000);
}
END_TEST

/* ---- what is drawn where ---- */

START_TEST(timeline_fit)
{
	tui_app *app = open_fx("simple");
	tui_screen *s = tui_screen_new(80, 24);
	char *l;

	tui_screen_set_ascii(s, 1);
	tui_app_render(app, s);
	/* header: file, pid, why the dump happened, span, events, drops, command line */
	l = tui_screen_line(s, 0);
	ck_assert_has(l, "simple.vtb");
	ck_assert_has(l, "pid 100");
	ck_assert_has(l, "dump: exception ValueError: bad input");
	ck_assert_has(l, "100ms");
	free(l);
	l = tui_screen_line(s, 1); /* ruler: 0 at column 0, a tick every 20ms = 16 columns */
	ck_assert_int_eq(l[0], '|');
	ck_assert_int_eq(strncmp(l + 16, "|20ms", 5), 0);
	ck_assert_int_eq(strncmp(l + 64, "|80ms", 5), 0);
	free(l);
	l = tui_screen_line(s, 2);
	ck_assert_has(l, "MainThread tid 1000  206 calls, depth 3");
	free(l);
	/* main spans the whole width; its children sit under it at 1ms = 0.8 column each */
	l = tui_screen_line(s, 3);
	ck_assert_str_eq(l, "[main 100ms                                                                    ]");
	free(l);
	l = tui_screen_line(s, 4);
	ck_assert_int_eq(strncmp(l, "[app.load 20ms  ]", 17), 0);
	ck_assert_int_eq(strncmp(l + 20, "[app.compute 60ms", 17), 0);
	free(l);
	/* 200 calls of app.step in 60ms: zoomed out, cells with several calls are '#' */
	l = tui_screen_line(s, 5);
	ck_assert_int_eq(l[20], '#');
	ck_assert_int_eq(l[67], '#');
	ck_assert_int_eq(l[19], ' ');
	free(l);
	ck_assert_int_eq(tui_screen_cell(s, 40, 1)->ch, 'v'); /* the cursor at 50ms */
	/* on a tick label the cursor is still its mark; the label it would cover goes */
	fx_run(app, "goto 21.25ms");
	tui_app_render(app, s);
	ck_assert_int_eq(tui_screen_cell(s, 17, 1)->ch, 'v');
	l = tui_screen_line(s, 1);
	ck_assert_ptr_null(strstr(l, "20ms"));
	ck_assert_ptr_nonnull(strstr(l, "|40ms"));
	free(l);
	fx_run(app, "zoom fit");
	tui_app_render(app, s);
	ck_assert_int_eq(tui_screen_cell(s, 0, 3)->style >= TUI_STYLE_FUNC, 1);
	/* the same function has the same colour everywhere; another has its own */
	ck_assert_int_eq(tui_screen_cell(s, 1, 5)->style, tui_screen_cell(s, 11, 5)->style);
	l = tui_screen_line(s, 23);
	ck_assert_has(l, "cursor 50ms");
	ck_assert_has(l, "view 0-100ms (100ms)");
	ck_assert_has(l, "? help");
	free(l);
	tui_screen_free(s);
	tui_app_free(app);
}
END_TEST

/* Zoom levels: what a row shows at each. */
static const struct zoom_case {
	const char *cmds[4];
	int y;
	const char *expect, *status;
} zoom_cases[] = {
	{ { NULL }, 5, "[parse  ][par~]", "view 0-100ms" }, /* cut with a sign */
	/* the cursor keeps its column: at 7ms of 100, the view starts at 6.125ms */
	{ { "goto 7ms", "zoom 8x", NULL }, 5, "<json.parse 10ms     ", "view 6.1ms-18.6ms (12.5ms)" },
	{ { "goto 7ms", "zoom 8x", NULL }, 5, "]      [json.parse 7ms", "(12.5ms)" },
	{ { "goto 40ms", "zoom 64x", NULL }, 5, "]    [app.step ]    [app.step ]", "(1.56ms)" },
	{ { "goto 40ms", "zoom 1000x", NULL }, 5, "<app.step 200us", "(100us)" },
	{ { "goto 40ms", "zoom 8x", "zoom 0.125x", NULL }, 4, "[app.compute 60ms", "view 0-100ms" },
	{ { "goto 40ms", "zoom 8x", "zoom fit", NULL }, 3, "[main 100ms", "(100ms)" },
	{ { "goto 50ms", "zoom 4x", "pan right 1", NULL }, 4, "<app.compute 60ms", "view 62.5ms-87.5ms" },
	{ { "goto 50ms", "zoom 2x", "pan right 1", NULL }, 4, "[app.save 11ms    !", "view 50ms-100ms" },
	{ { "goto 50ms", "zoom 4x", "pan -10ms", NULL }, 4, "<app.compute 60ms", "view 27.5ms-52.5ms" },
};

START_TEST(timeline_zoom_levels)
{
	const struct zoom_case *zc = &zoom_cases[_i];
	tui_app *app = open_fx("simple");
	char *row, *status;

	for (int i = 0; zc->cmds[i]; i++)
		fx_run(app, zc->cmds[i]);
	row = fx_line_of(app, 80, 24, zc->y);
	status = fx_line_of(app, 80, 24, -1);
	ck_assert_has(row, zc->expect);
	ck_assert_has(status, zc->status);
	free(row);
	free(status);
	tui_app_free(app);
}
END_TEST

START_TEST(timeline_resize)
{
	tui_app *app = open_fx("simple");
	char *a = fx_line_of(app, 80, 24, 3), *b = fx_line_of(app, 120, 30, 3), *small = fx_draw(app, 30, 6);
	char *status = fx_line_of(app, 120, 30, 29);

	ck_assert_int_eq((int)strlen(a), 80);
	ck_assert_int_eq((int)strlen(b), 120);
	ck_assert_int_eq(b[119], ']');
	ck_assert_has(status, "? help");
	ck_assert_has(small, "terminal too small");
	ck_assert_has(small, "need 40x8, have 30x6");
	ck_assert_lacks(small, "main");
	free(a);
	free(b);
	free(small);
	free(status);
	tui_app_free(app);
}
END_TEST

START_TEST(timeline_wrapped_and_open)
{
	tui_app *app = open_fx("wrapped");
	char *text = fx_draw(app, 120, 24), *ruler = fx_line_of(app, 80, 24, 1), *row = fx_line_of(app, 80, 24, 3);
	char *deeper = fx_line_of(app, 80, 24, 10);

	ck_assert_has(text, "5,000 records dropped (ring wrapped)");
	ck_assert_has(text, "dump: signal SIGUSR1");
	ck_assert_int_eq(ruler[0], 'W'); /* the record begins at the left edge */
	/* the outer call lost its entry (left ~) and was running at the dump (right ~) */
	ck_assert_int_eq(row[0], '~');
	ck_assert_int_eq(row[79], '~');
	ck_assert_has(row, "server.serve_forever >=50ms");
	ck_assert_int_eq(deeper[0], ':'); /* the wrap moment, drawn down the empty rows */
	fx_run(app, "select cursor");
	free(text);
	text = fx_draw(app, 80, 30);
	ck_assert_has(text, "entry lost when the ring wrapped");
	ck_assert_has(text, "still running at the dump");
	free(text);
	free(ruler);
	free(row);
	free(deeper);
	tui_app_free(app);
}
END_TEST

START_TEST(timeline_dump_marker)
{
	tui_app *app = open_fx("wrapped");
	char *ruler;

	/* with the view ending at the dump, the last column marks it */
	fx_run(app, "goto 45ms");
	fx_run(app, "zoom 2x");
	fx_run(app, "pan right 1");
	ruler = fx_line_of(app, 80, 24, 1);
	ck_assert_int_eq(ruler[79], 'D');
	free(ruler);
	tui_app_free(app);
}
END_TEST

START_TEST(threads_and_folding)
{
	tui_app *app = open_fx("threads");
	char *text = fx_draw(app, 300, 30);

	ck_assert_has(text, "process 100  python app.py");
	ck_assert_has(text, "process 101  python app.py (child)");
	ck_assert_has(text, "worker-1 tid 1001  9 calls, depth 2");
	ck_assert_has(text, "[worker.job 7.1ms");
	free(text);
	fx_run(app, "thread next"); /* worker-1, selecting its call under the cursor */
	text = fx_draw(app, 300, 30);
	ck_assert_has(text, "name worker.run");
	free(text);
	fx_run(app, "fold");
	text = fx_draw(app, 300, 30);
	ck_assert_has(text, "worker-1 tid 1001  9 calls, depth 2  (folded: z opens)");
	ck_assert_lacks(text, "[worker.job 7.1ms");
	ck_assert_has(text, "[worker.job 7.2ms");
	ck_assert_lacks(text, "name worker.run");
	free(text);
	fx_run(app, "fold all");
	text = fx_draw(app, 300, 30);
	ck_assert_lacks(text, "[main 100ms");
	ck_assert_lacks(text, "[worker.job 7.2ms");
	free(text);
	fx_run(app, "fold all"); /* all were folded: unfold all */
	text = fx_draw(app, 300, 30);
	ck_assert_has(text, "[main 100ms");
	ck_assert_has(text, "[worker.job 7.1ms");
	free(text);
	tui_app_free(app);
}
END_TEST

/* After Tab (and back), the focused thread is on screen whole: its title and its deepest
 * row, not only the title on the bottom line; with or without the details pane. */
START_TEST(thread_next_shows_whole_thread)
{
	static const char *const steps[] = { "thread next", "thread next", "thread next", "thread prev",
					     "thread prev", "thread 4", "thread 1" };

	for (int details = 0; details < 2; details++) {
		tui_app *app = open_fx("threads");

		fx_run(app, details ? "details on" : "details off");
		for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
			tui_view *v = &app->view;
			int32_t t;
			size_t count;
			tui_row *rows;
			int title, last;

			fx_run(app, steps[i]);
			free(fx_draw(app, 80, 16));
			t = (int32_t)app->model.order[v->focus];
			rows = tui_view_rows(v, &app->model, &count);
			title = tui_view_row_of(rows, count, t, UINT32_MAX);
			for (last = title; last + 1 < (int)count && rows[last + 1].thread == t; last++)
				;
			ck_assert_msg(title >= v->scroll && last < v->scroll + v->rows,
				      "%s: thread rows %d-%d, screen shows %d-%d", steps[i], title, last,
				      v->scroll, v->scroll + v->rows - 1);
			free(rows);
		}
		tui_app_free(app);
	}
}
END_TEST

START_TEST(scrolling_pages)
{
	tui_app *app = open_fx("threads");
	char *top, *paged;

	/* 14 timeline rows do not fit in 12 lines: page down shows the last process */
	top = fx_draw(app, 80, 12);
	ck_assert_lacks(top, "process 101");
	fx_run(app, "scroll page-down");
	paged = fx_draw(app, 80, 12);
	ck_assert_has(paged, "process 101");
	ck_assert_lacks(paged, "process 100 ");
	free(paged);
	fx_run(app, "scroll top");
	paged = fx_draw(app, 80, 12);
	ck_assert_str_eq(paged, top);
	free(paged);
	free(top);
	tui_app_free(app);
}
END_TEST

/* ---- navigation and details ---- */

static const struct nav_case {
	const char *cmd;
	const char *name; /* expected in the details pane ("name X") */
} nav_cases[] = {
	{ "goto 5ms", "cursor 5ms" },
	{ "select cursor", "name main" },
	{ "select child", "name app.load" },
	{ "select child", "name json.parse" },
	{ "select next-sibling", "name json.parse" },
	{ "select parent", "name app.load" },
	{ "select next-sibling", "name app.compute" },
	{ "select child", "name app.step" },
	{ "select next", "name app.step" },
	{ "select parent", "name app.compute" },
	{ "select next-sibling", "name app.save" },
	{ "select next-sibling", "name app.save" }, /* the last sibling: nothing moves */
	{ "select prev-sibling", "name app.compute" },
	{ "select prev", "name app.load" },
	{ "select parent", "name main" },
	{ "select parent", "name main" }, /* the root: nothing moves */
};

START_TEST(navigation)
{
	tui_app *app = open_fx("simple");

	for (size_t i = 0; i < sizeof(nav_cases) / sizeof(nav_cases[0]); i++) {
		char *text;

		fx_run(app, nav_cases[i].cmd);
		text = fx_draw(app, 100, 30);
		ck_assert_msg(strstr(text, nav_cases[i].name), "step %zu '%s': no '%s' in\n%s", i,
			      nav_cases[i].cmd, nav_cases[i].name, text);
		free(text);
	}
	fx_run(app, "select none");
	{
		char *text = fx_draw(app, 100, 30);

		ck_assert_lacks(text, "details");
		free(text);
	}
	tui_app_free(app);
}
END_TEST

START_TEST(details_pane)
{
	tui_app *app = open_fx("simple");
	char *text;

	fx_run(app, "goto 5ms");
	fx_run(app, "select cursor");
	fx_run(app, "select child");
	text = fx_draw(app, 100, 30);
	ck_assert_has(text, "file app.py:10");
	ck_assert_has(text, "time start 1ms  end 21ms  duration 20ms  self 3ms");
	ck_assert_has(text, "calls depth 1, 1 call of this function in the trace");
	free(text);
	fx_run(app, "select next-sibling");
	fx_run(app, "select child");
	text = fx_draw(app, 100, 30);
	ck_assert_has(text, "name app.step");
	ck_assert_has(text, "duration 200us  self 200us");
	ck_assert_has(text, "calls depth 2, 200 calls of this function in the trace");
	free(text);
	fx_run(app, "select parent");
	fx_run(app, "select next-sibling");
	text = fx_draw(app, 100, 30);
	ck_assert_has(text, "args path='/tmp/out.json', mode='w'");
	ck_assert_has(text, "return None");
	ck_assert_has(text, "flags left by an exception");
	free(text);
	fx_run(app, "details off");
	text = fx_draw(app, 100, 30);
	ck_assert_lacks(text, "return None");
	free(text);
	tui_app_free(app);
}
END_TEST

START_TEST(selection_is_highlighted)
{
	tui_app *app = open_fx("simple");
	tui_screen *s = tui_screen_new(80, 24);

	tui_screen_set_ascii(s, 1);
	fx_run(app, "goto 5ms");
	fx_run(app, "select cursor");
	fx_run(app, "select child"); /* app.load: columns 0..16 of row 4 */
	tui_app_render(app, s);
	ck_assert_int_eq(tui_screen_cell(s, 3, 4)->attr & TUI_ATTR_REVERSE, TUI_ATTR_REVERSE);
	ck_assert_int_eq(tui_screen_cell(s, 25, 4)->attr & TUI_ATTR_REVERSE, 0);
	ck_assert_int_eq(tui_screen_cell(s, 3, 3)->attr & TUI_ATTR_REVERSE, 0);
	/* a call narrower than a column: its cell is highlighted among many */
	fx_run(app, "goto 40ms");
	fx_run(app, "select parent");
	fx_run(app, "select child"); /* app.compute, under the cursor */
	fx_run(app, "select child"); /* app.step 39.8ms..40ms: column 31 */
	tui_app_render(app, s);
	for (int x = 0; x < 80; x++)
		ck_assert_int_eq(tui_screen_cell(s, x, 5)->attr & TUI_ATTR_REVERSE, x == 31 ? TUI_ATTR_REVERSE : 0);
	ck_assert_int_eq(tui_screen_cell(s, 31, 5)->ch, '#');
	tui_screen_free(s);
	tui_app_free(app);
}
END_TEST

START_TEST(mouse_click_and_wheel)
{
	tui_app *app = open_fx("simple");
	char *text, *status;

	free(fx_draw(app, 80, 24)); /* the click maps through the last layout */
	tui_app_click(app, 3, 4);  /* row 4 is depth 1: app.load from column 0 to 16 */
	text = fx_draw(app, 100, 30);
	ck_assert_has(text, "name app.load");
	free(text);
	free(fx_draw(app, 80, 24));
	tui_app_wheel(app, 40, 10, 1); /* zoom in 1.25x around column 40 = 50ms */
	status = fx_line_of(app, 80, 24, -1);
	ck_assert_has(status, "(80ms)");
	free(status);
	tui_app_click(app, 5, 0);  /* the header: nothing happens */
	ck_assert_str_eq(tui_app_message(app), "");
	tui_app_free(app);
}
END_TEST

START_TEST(zoom_to_selection)
{
	tui_app *app = open_fx("simple");
	char *status;

	ck_assert_int_eq(tui_app_exec(app, "zoom sel"), -1);
	ck_assert_has(tui_app_message(app), "nothing selected");
	fx_run(app, "goto 5ms");
	fx_run(app, "select cursor");
	fx_run(app, "select child");
	fx_run(app, "zoom sel"); /* app.load: 1ms..21ms plus a margin of 1ms each side */
	status = fx_line_of(app, 80, 24, -1);
	ck_assert_has(status, "view 0-22ms (22ms)");
	free(status);
	tui_app_free(app);
}
END_TEST

/* ---- the command language and keys ---- */

static const struct bad_case {
	const char *cmd, *msg;
} bad_cases[] = {
	{ "bogus", "unknown command 'bogus'" },
	{ "goto", "usage: goto" },
	{ "goto 5xs", "not a time" },
	{ "goto 500ms", "outside the trace" },
	{ "zoom banana", "not in, out, fit, sel, range or a factor" },
	{ "zoom range", "no range: r sets its start" },
	{ "goto 101%", "not a percentage from 0% to 100%" },
	{ "range 5ms", "not a range like 1.5ms..20ms" },
	{ "range 20ms..5ms", "is empty: its end is not after its start" },
	{ "range 10s..", "past the end of the trace" },
	{ "range x..2ms", "'x' is not a time from the start" },
	{ "range sel", "select a call first" },
	{ "mark next sideways", "usage: mark next|prev|none" },
	{ "zoom -2x", "not in, out" },
	{ "select sideways", "usage: select" },
	{ "thread 9", "no next thread" },
	{ "scroll sideways", "scroll: 'sideways'" },
	{ "pan up", "not left, right or a time" },
	/* the dispatcher checks counts and words from the table row, before any handler */
	{ "quit now", "usage: quit" },
	{ "goto 1ms 2ms", "usage: goto incident|dump|start|end|N%|TIME|+TIME|-TIME" },
	{ "details sideways", "usage: details [on|off|more]" },
	{ "fold some", "usage: fold [all]" },
	{ "panel sideways", "usage: panel next|prev|" },
	{ "sort colour", "usage: sort name|calls|total|self|mean|max" },
	{ "log-level loud", "usage: log-level all|debug" },
	{ "preset", "usage: preset NAME" },
	{ "dump a b", "usage: dump [PATH]" },
};

START_TEST(bad_commands)
{
	tui_app *app = open_fx("simple");
	const struct bad_case *bc = &bad_cases[_i];
	int rc = tui_app_exec(app, bc->cmd);

	/* "no next thread" is information, not a failure */
	if (strcmp(bc->cmd, "thread 9"))
		ck_assert_int_eq(rc, -1);
	ck_assert_has(tui_app_message(app), bc->msg);
	tui_app_free(app);
}
END_TEST

/* A command line the dispatcher refuses never reaches its handler. */
START_TEST(usage_before_handler)
{
	tui_app *app = open_fx("simple");

	ck_assert_int_eq(tui_app_exec(app, "quit now"), -1);
	ck_assert_int_eq(tui_app_done(app), 0);
	ck_assert_int_eq(tui_app_exec(app, "details off"), 0);
	ck_assert_int_eq(tui_app_exec(app, "details sideways"), -1);
	ck_assert_int_eq(tui_app_exec(app, "details"), 0); /* toggles: "sideways" did not */
	ck_assert_int_eq(app->view.details, 1);
	ck_assert_int_eq(tui_app_exec(app, "q"), 0); /* an alias */
	ck_assert_int_eq(tui_app_done(app), 1);
	tui_app_free(app);
}
END_TEST

/* man/vtui.1's list of commands is what the command tables give (make man-commands). */
START_TEST(man_lists_the_commands)
{
	char *cause = NULL;
	int rc = tui_cmd_man_update("man/vtui.1", 0, &cause);

	ck_assert_msg(rc >= 0, "%s", cause);
	ck_assert_msg(rc == 0, "man/vtui.1's list of commands differs from the command tables "
		      "(tui/cmd-*.c): run make man-commands");
}
END_TEST

/* The keys a .TP heading of man/vtui.1's KEYS names (".BR PgDn \", \" C\-f", ".B 0"), added
 * to names[] (n so far, at most max). */
static size_t man_key_names(const char *line, char names[][16], size_t n, size_t max)
{
	char text[256], *o = text;

	for (const char *p = line + strcspn(line, " "); *p && o < text + sizeof(text) - 1; p++) {
		if (p[0] == '\\' && p[1] == '-')
			*o++ = *++p;
		else if (*p != '"')
			*o++ = *p;
	}
	*o = '\0';
	for (char *w = strtok(text, " "); w && n < max; w = strtok(NULL, " "))
		if (strcmp(w, ","))
			snprintf(names[n++], 16, "%s", w);
	return n;
}

/* man/vtui.1's KEYS names every key of the key table, and no other. */
START_TEST(man_lists_the_keys)
{
	FILE *f = fopen("man/vtui.1", "r");
	char line[512], names[160][16], key[16];
	size_t n = 0, bound = 0;
	int in = 0, heading = 0;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, ".SH ", 4))
			in = !strcmp(line, ".SH KEYS");
		else if (in && heading && (!strncmp(line, ".B ", 3) || !strncmp(line, ".BR ", 4)))
			n = man_key_names(line, names, n, 160);
		heading = in && !strcmp(line, ".TP");
	}
	fclose(f);
	for (const tui_binding *b = tui_bindings(); b->key; b++, bound++) {
		size_t j = 0;

		tui_key_name(b->key, key, sizeof(key));
		while (j < n && strcmp(names[j], key))
			j++;
		ck_assert_msg(j < n, "man/vtui.1 KEYS does not list %s (%s)", key, b->command);
	}
	for (size_t j = 0; j < n; j++) {
		const tui_binding *b = tui_bindings();

		for (; b->key; b++) {
			tui_key_name(b->key, key, sizeof(key));
			if (!strcmp(names[j], key))
				break;
		}
		ck_assert_msg(b->key, "man/vtui.1 KEYS lists %s, which no key is", names[j]);
	}
	ck_assert_uint_eq(n, bound); /* each key once */
}
END_TEST

/* Every field prefix search knows is in the search row's help line and man text (the
 * field list is kept by hand there). */
START_TEST(search_row_names_the_fields)
{
	const tui_command *c = tui_command_find("search");
	char word[32];

	ck_assert_ptr_nonnull(c);
	for (int f = FLT_FIELD_ANY + 1; f < FLT_FIELD_COUNT; f++) {
		snprintf(word, sizeof(word), "%s:", flt_field_name((enum flt_field)f));
		ck_assert_msg(strstr(c->help, word), "search's help does not name %s", word);
		snprintf(word, sizeof(word), "*%s:*", flt_field_name((enum flt_field)f));
		ck_assert_msg(strstr(c->man, word), "search's man text does not name %s", word);
	}
}
END_TEST

/* The generated list: a .TP heading per row, in table order, the name (and alias) first,
 * and the markup of the man texts turned into roff. */
START_TEST(man_commands_roff)
{
	static const char *const roff[] = {
		"\\fBselect\\fR, \\fBsel\\fR \\%\\fBparent\\fR|", /* an alias; words bold */
		"\\fBpan\\fR \\%\\fBleft\\fR|\\fBright\\fR [\\fIFRACTION\\fR] | [+\\-]\\fITIME\\fR\n",
		"\\fIthreading.Thread._bootstrap\\fR",      /* an underscore inside a word stays */
		"\\fBvtrace\\-\\fR\\fIpid\\fR\\fB\\-\\fR",  /* '-' in bold is a minus sign */
		"such as \\fB\\eS\\fR or\n",               /* a backslash is printed */
		"(depths 0 to \\fIN\\fR\\-1)",            /* so is a minus before a digit */
		".IP \\fBname:\\fR 8\nfunction names\n",  /* requests keep their markup */
		".SS Filters, search and presets\nFilters change", /* a topic and its opening text */
	};
	char *text = NULL, *p, want[96], name[48];
	size_t len = 0, n = 0, headings = 0;
	FILE *mem = open_memstream(&text, &len);
	const tui_command *c;

	ck_assert_int_eq(tui_cmd_man(mem), 0);
	ck_assert_int_eq(fclose(mem), 0);
	p = text;
	for (; (c = tui_cmd_at(n)); n++) {
		size_t k = 0;

		for (const char *q = c->name; *q && k < sizeof(name) - 3; q++) {
			if (*q == '-')
				name[k++] = '\\';
			name[k++] = *q;
		}
		name[k] = '\0';
		snprintf(want, sizeof(want), ".TP\n\\fB%s\\fR%s", name, c->alias ? ", \\fB" : "");
		ck_assert_msg((p = strstr(p, want)), "no heading for %s, or out of order", c->name);
		p++;
	}
	for (p = text; (p = strstr(p, ".TP\n")); p++)
		headings++;
	ck_assert_uint_gt(n, 30);
	ck_assert_uint_eq(headings, n);
	for (size_t i = 0; i < sizeof(roff) / sizeof(roff[0]); i++)
		ck_assert_msg(strstr(text, roff[i]), "no %s in:\n%s", roff[i], text);
	free(text);
}
END_TEST

/* The whole of file `path` (the caller frees). */
static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text;

	ck_assert_ptr_nonnull(f);
	text = fx_slurp(f);
	fclose(f);
	ck_assert_ptr_nonnull(text);
	return text;
}

/* A page whose list is stale is found, and rewritten between its markers only; a page
 * without markers or a missing page is an error that says so. */
START_TEST(man_commands_rewrite)
{
	char path[] = "/tmp/vtui-man-XXXXXX", *cause = NULL, *before, *after;
	const char *top = ".TH T 1\n.SH COMMANDS\n", *marks =
		".\\\" BEGIN COMMANDS: made by make man-commands from tui/cmd-*.c; edit those\n"
		".TP\n\\fBzoom\\fR old text\n.\\\" END COMMANDS\n", *tail = ".SH SEE ALSO\nvtb(5)\n";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f, "%s%s%s", top, marks, tail);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(tui_cmd_man_update(path, 0, &cause), 1);
	before = read_text(path);
	ck_assert_ptr_nonnull(strstr(before, "old text")); /* a check changes nothing */
	ck_assert_int_eq(tui_cmd_man_update(path, 1, &cause), 1);
	ck_assert_int_eq(tui_cmd_man_update(path, 0, &cause), 0);
	after = read_text(path);
	ck_assert_ptr_null(strstr(after, "old text"));
	ck_assert_int_eq(strncmp(after, top, strlen(top)), 0);
	ck_assert_str_eq(after + strlen(after) - strlen(tail), tail);
	ck_assert_ptr_nonnull(strstr(after, ".SS Moving around\n.TP\n\\fBzoom\\fR"));
	free(before);
	free(after);

	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%s%s", top, tail);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(tui_cmd_man_update(path, 1, &cause), VTB_E_FORMAT);
	ck_assert_msg(strstr(cause, path) && strstr(cause, "END COMMANDS"), "%s", cause);
	free(cause);
	before = read_text(path);
	ck_assert_str_eq(before + strlen(top), tail); /* left as it was */
	free(before);
	remove(path);
	ck_assert_int_eq(tui_cmd_man_update(path, 1, &cause), VTB_E_IO);
	ck_assert_msg(strstr(cause, path) && strstr(cause, "No such file"), "%s", cause);
	free(cause);
}
END_TEST

/* Finish `w` (freed here), load what it wrote and open a viewer on it. */
static tui_app *app_of_writer(vtb_writer *w, const char *name)
{
	char *cause = NULL;
	size_t len;

	ck_assert_int_eq(vtb_writer_finish(w, &cause), 0);
	const uint8_t *b = vtb_writer_mem(w, &len);
	vtb_trace *t = vtb_trace_load_mem(b, len, 0, &cause);
	ck_assert_ptr_nonnull(t);
	vtb_writer_free(w);
	tui_app *app = tui_app_new(t, name, &cause);
	ck_assert_ptr_nonnull(app);
	return app;
}

/* Found by fuzz_view: on a trace without threads, `select cursor` and `thread next` failed
 * with no message, and so did fold
 * (--render printed "--cmd 'select cursor': " and nothing else). */
START_TEST(select_in_empty_trace)
{
	vtb_header h;

	fx_header("simple", &h);
	tui_app *app = app_of_writer(vtb_writer_open_mem(&h), "empty.vtb");
	const char *cmds[] = { "select cursor", "select next", "select child", "thread next", "thread 1", "fold",
			       "fold all" };
	for (int i = 0; i < 7; i++) {
		ck_assert_int_lt(tui_app_exec(app, cmds[i]), 0);
		ck_assert_has(tui_app_message(app), "no threads");
	}
	tui_app_free(app);
}
END_TEST

/* Found by fuzz_view (UBSan): goto and pan added a typed time or fraction to times near
 * the format's last one in signed 64 bits. Under the sanitizer build this aborted. */
START_TEST(goto_and_pan_at_the_last_time)
{
	vtb_header h;

	fx_header("simple", &h);
	h.dump_ns = VTB_TIME_MAX;
	vtb_writer *w = vtb_writer_open_mem(&h);
	int64_t f = vtb_writer_string(w, "f", "f.py", 1);
	ck_assert_int_eq(vtb_writer_thread(w, 1, 1, "t"), 0);
	ck_assert_int_eq(vtb_writer_begin(w, 0, 0, (uint32_t)f, 0), 0);
	ck_assert_int_eq(vtb_writer_end(w, 0, VTB_TIME_MAX, 0), 0);
	tui_app *app = app_of_writer(w, "late.vtb");
	ck_assert_int_eq(tui_app_exec(app, "goto 4611686018427387904ns"), 0);
	ck_assert_int_lt(tui_app_exec(app, "goto +8000000000000000000ns"), 0);
	ck_assert_has(tui_app_message(app), "outside the trace");
	ck_assert_int_eq(tui_app_exec(app, "pan right 1e300"), 0);
	ck_assert_int_eq(tui_app_exec(app, "pan left nan"), 0);
	char *text = fx_draw(app, 120, 20);
	ck_assert_ptr_nonnull(text);
	free(text);
	tui_app_free(app);
}
END_TEST

START_TEST(keys_and_prompt)
{
	tui_app *app = open_fx("simple");
	const char *typed = "goto 20ms";
	char *text, *status;

	tui_app_key(app, 'w'); /* zoom in: 50ms around the cursor at 50ms */
	status = fx_line_of(app, 80, 24, -1);
	ck_assert_has(status, "view 25ms-75ms (50ms)");
	free(status);
	tui_app_key(app, '0');
	tui_app_key(app, ':');
	for (const char *p = typed; *p; p++)
		tui_app_key(app, *p);
	status = fx_line_of(app, 80, 24, -1);
	ck_assert_str_eq(status, ":goto 20ms_");
	free(status);
	tui_app_key(app, TUI_KEY_ENTER);
	status = fx_line_of(app, 80, 24, -1);
	ck_assert_has(status, "cursor 20ms");
	free(status);
	tui_app_key(app, 'c');
	tui_app_key(app, TUI_KEY_DOWN);
	text = fx_draw(app, 100, 30);
	ck_assert_has(text, "name app.load");
	free(text);
	tui_app_key(app, '?');
	text = fx_draw(app, 80, 40);
	ck_assert_has(text, "zoom in around the cursor");
	ck_assert_has(text, "w + =");
	ck_assert_has(text, "Tab");
	free(text);
	tui_app_key(app, 'q'); /* closes the help, does not quit */
	ck_assert_int_eq(tui_app_done(app), 0);
	text = fx_draw(app, 80, 24);
	ck_assert_lacks(text, "zoom in around the cursor");
	free(text);
	tui_app_key(app, 'x');
	ck_assert_has(tui_app_message(app), "key x does nothing");
	tui_app_key(app, 'q');
	ck_assert_int_eq(tui_app_done(app), 1);
	tui_app_free(app);
}
END_TEST

START_TEST(help_lists_every_command)
{
	tui_app *app = open_fx("simple");
	static const char *const names[] = { "zoom", "pan", "goto", "select", "thread", "fold",
					     "scroll", "details", "help", "quit" };
	char *text, *first;

	free(fx_draw(app, 100, 30)); /* the help pages by the screen's height */
	fx_run(app, "help");
	first = fx_draw(app, 100, 30);
	ck_assert_has(first, "Keys (q, ? or Esc closes this help");
	tui_app_key(app, TUI_KEY_NPAGE);
	text = fx_draw(app, 100, 30);
	ck_assert_lacks(text, "Keys (q, ? or Esc closes this help");
	ck_assert_has(text, "select the next call an exception began in"); /* the lower part of the key list */
	free(text);
	free(first);
	text = fx_draw(app, 100, 200);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char want[32];

		snprintf(want, sizeof(want), "  %s ", names[i]);
		ck_assert_has(text, want);
	}
	free(text);
	/* at 80 columns lines wrap between words, or after a | of a usage */
	text = fx_draw(app, 80, 200);
	ck_assert_has(text, "parent|child|prev-sibling|next-sibling|prev|next|\n");
	ck_assert_has(text, "                          cursor|none: select a call");
	ck_assert_lacks(text, "\n                          d K walk");
	ck_assert_lacks(strchr(text, '\n'), "~\n"); /* and no line under the header is cut */
	free(text);
	tui_app_free(app);
}
END_TEST

START_TEST(render_batch_reports_bad_command)
{
	tui_app *app = open_fx("simple");
	const char *cmds[] = { "goto 3ms", "zoom sideways" };
	char *cause = NULL;
	FILE *out = tmpfile();

	ck_assert_int_eq(tui_render_batch(app, 80, 24, 1, cmds, 2, out, &cause), VTB_E_ARG);
	ck_assert_has(cause, "--cmd 'zoom sideways'");
	free(cause);
	fclose(out);
	tui_app_free(app);
}
END_TEST

/* ---- times at the precision the zoom needs ---- */

static const struct time_case {
	uint64_t t_ns, res_ns;
	const char *text;
} time_cases[] = {
	{ 0, 1, "0" },
	{ 495000000, 1000000, "495ms" },
	{ 495000123, 1, "495.000123ms" },
	{ 495000123, 100, "495.0001ms" },
	{ 495000160, 100, "495.0002ms" },   /* rounded, as durations are */
	{ 999999999, 1000, "1s" },  /* the carry reaches the whole part */
	{ 7250, 1000, "7us" },
	{ 7250, 100, "7.3us" },
	{ 1500000000, 1000000000, "2s" },
	{ 20000000, 2000000, "20ms" },
	{ 20000000, 200000, "20ms" },
	{ 20100000, 200000, "20.1ms" },
};

/* Long names lose their middle, so names that differ at the end stay apart. */
START_TEST(elide_middle)
{
	char a[64], b[64];

	tui_elide(a, sizeof(a), "threading.Thread._bootstrap", 20, 1);
	tui_elide(b, sizeof(b), "threading.Thread._bootstrap_inner", 20, 1);
	ck_assert_str_eq(a, "thread~ad._bootstrap");
	ck_assert_str_eq(b, "thread~otstrap_inner");
	ck_assert_int_eq(tui_text_cols(b), 20);
	tui_elide(a, sizeof(a), "short", 20, 1);
	ck_assert_str_eq(a, "short");
	tui_elide(a, sizeof(a), "h\xc3\xa9h\xc3\xa9h\xc3\xa9h\xc3\xa9", 5, 0); /* by characters, not bytes */
	ck_assert_str_eq(a, "h\xe2\x80\xa6\xc3\xa9h\xc3\xa9");
	ck_assert_int_eq(tui_text_cols(a), 5);
}
END_TEST

/* A panel's keys fit at 80 columns: without their words when the words do not fit. */
START_TEST(panel_title_keys_fit)
{
	tui_screen *s = tui_screen_new(80, 2);
	char *line;

	tui_screen_set_ascii(s, 1);
	tui_panel_title(s, 0, "statistics: whole trace, 103 functions, 12,147 calls",
			"j/k move, 1-6 sort, Enter longest call, Esc leaves, S closes");
	tui_panel_title(s, 1, "logs: 4 of 5 records", "j/k move, Enter shows, Esc leaves, L closes");
	line = tui_screen_line(s, 0);
	ck_assert_has(line, "calls (j/k 1-6 Enter Esc S) --");
	free(line);
	line = tui_screen_line(s, 1);
	ck_assert_has(line, "records (j/k move, Enter shows, Esc leaves, L closes) --");
	free(line);
	tui_screen_free(s);
}
END_TEST

START_TEST(time_at_resolution)
{
	const struct time_case *tc = &time_cases[_i];
	char buf[64];

	an_fmt_time(buf, sizeof(buf), tc->t_ns, tc->res_ns, 1);
	ck_assert_str_eq(buf, tc->text);
}
END_TEST

/* Every label of the ruler, the view's bounds and the cursor read differently however far
 * the zoom goes; the cursor's mark is always on the ruler. */
START_TEST(deep_zoom_times_distinct)
{
	static const char *const zooms[] = { "zoom 1x", "zoom 100x", "zoom 10000x", "zoom 1000000x" };
	tui_app *app = open_fx("simple");

	fx_run(app, "goto 49.5ms");
	for (size_t z = 0; z < sizeof(zooms) / sizeof(zooms[0]); z++) {
		char *ruler, *status, *p, prev[64] = "", a[64], b[64];
		int labels = 0;

		fx_run(app, zooms[z]);
		ruler = fx_line_of(app, 80, 24, 1);
		status = fx_line_of(app, 80, 24, -1);
		ck_assert_msg(strchr(ruler, 'v') != NULL, "no cursor mark on '%s'", ruler);
		for (p = strchr(ruler, '|'); p; p = strchr(p + 1, '|')) {
			char label[64];

			if (sscanf(p + 1, "%63[0-9.a-z]", label) != 1 || !strcmp(label, "v"))
				continue;
			ck_assert_msg(strcmp(label, prev) != 0, "label %s twice on '%s'", label, ruler);
			snprintf(prev, sizeof(prev), "%s", label);
			labels++;
		}
		ck_assert_msg(labels >= 2, "%d labels on '%s' after %s", labels, ruler, zooms[z]);
		ck_assert_int_eq(sscanf(strstr(status, "view "), "view %63[^-]-%63[^ ]", a, b), 2);
		ck_assert_msg(strcmp(a, b) != 0, "view %s-%s after %s", a, b, zooms[z]);
		free(ruler);
		free(status);
	}
	tui_app_free(app);
}
END_TEST

/* Neighbouring short calls have starts that read differently in the details pane. */
START_TEST(details_start_of_short_siblings)
{
	tui_app *app = open_fx("deep");
	char *text, start[2][64];

	fx_run(app, "goto 60us");
	fx_run(app, "select cursor");
	for (int i = 0; i < 6; i++)
		fx_run(app, "select child");
	for (int i = 0; i < 2; i++) {
		text = fx_draw(app, 80, 30);
		ck_assert_msg(sscanf(strstr(text, "time start "), "time start %63s", start[i]) == 1, "%s", text);
		free(text);
		fx_run(app, "select next-sibling");
	}
	text = fx_draw(app, 80, 30);
	ck_assert_msg(strcmp(start[0], start[1]) != 0, "both start at %s: %s", start[0], text);
	free(text);
	tui_app_free(app);
}
END_TEST

/* Long arguments wrap in the details pane, I shows the rest, and a short screen keeps the
 * arguments' first line. */
START_TEST(details_wrap_and_scroll)
{
	tui_app *app = open_fx("long");
	char *text;

	fx_run(app, "select cursor");
	text = fx_draw(app, 80, 24);
	ck_assert_has(text, " args order_id=2");
	ck_assert_has(text, "ARGS-END"); /* wrapped, not cut */
	ck_assert_has(text, "details 1-7 of ");
	ck_assert_lacks(text, "RETURN-END");
	free(text);
	tui_app_key(app, 'I');
	text = fx_draw(app, 80, 24);
	ck_assert_has(text, "RETURN-END");
	free(text);
	tui_app_key(app, 'I'); /* past the end: back to the top */
	text = fx_draw(app, 80, 24);
	ck_assert_has(text, " name shop.process_order");
	free(text);
	text = fx_draw(app, 80, 14); /* four lines: name, time and the arguments still */
	ck_assert_has(text, " args order_id=2");
	free(text);
	tui_app_free(app);
}
END_TEST

/* One key reaches the incident: in a file without the unhandled-exception instant, the
 * call the last exception began in (app.save, which its caller app.run left too). */
START_TEST(goto_dump_selects_the_raise)
{
	tui_app *app = open_fx("simple");
	const vtb_slice *sl;

	tui_app_key(app, 'e');
	sl = tui_model_slice(&app->model, app->view.sel);
	ck_assert_ptr_nonnull(sl);
	ck_assert_str_eq(tui_model_name(&app->model, sl->name_id), "app.save");
	ck_assert_int_eq(sl->flags & VTB_CALL_EXCEPTION, VTB_CALL_EXCEPTION);
	ck_assert_has(tui_app_message(app), "the unhandled exception (");
	ck_assert_has(tui_app_message(app), ": app.save");
	tui_app_free(app);
	app = open_fx("wrapped"); /* a signal: the dump's moment */
	fx_run(app, "goto dump");
	ck_assert_has(tui_app_message(app), "the dump (signal)");
	/* at the trace's end the cursor keeps inside the view: one ns before it */
	ck_assert_uint_ge(app->view.cursor_ns + 1, app->model.hdr->dump_ns <= app->model.last_ns ?
			  app->model.hdr->dump_ns : app->model.last_ns);
	tui_app_free(app);
}
END_TEST

/* A message in the status line does not overwrite the selection's text: the position ends
 * with an ellipsis and a blank before the message. */
START_TEST(status_message_beside_position)
{
	tui_app *app = open_fx("simple");
	char *status;

	fx_run(app, "goto 5ms");
	fx_run(app, "select cursor");
	fx_run(app, "select child");
	ck_assert_int_eq(tui_app_exec(app, "select prev-sibling"), 0);
	status = fx_line_of(app, 60, 24, -1);
	ck_assert_has(status, "(1~ ");
	ck_assert_has(status, " no prev-sibling call ? help");
	ck_assert_has(status, " cursor ");
	free(status);
	tui_app_free(app);
}
END_TEST

/* A terminal too small says so on the screen; --render that small is an error. */
START_TEST(too_small)
{
	tui_app *app = open_fx("simple");
	FILE *out = tmpfile();
	char *cause = NULL, *text = fx_draw(app, 30, 6);

	ck_assert_has(text, "need 40x8, have 30x6");
	free(text);
	ck_assert_int_eq(tui_render_batch(app, 30, 6, 1, NULL, 0, out, &cause), VTB_E_ARG);
	ck_assert_str_eq(cause, "--render 30x6 is too small: the viewer needs at least 40x8");
	ck_assert_int_eq(ftell(out), 0);
	free(cause);
	fclose(out);
	tui_app_free(app);
}
END_TEST

/* ---- golden --render outputs ---- */

static const struct golden {
	const char *file, *fixture, *size;
	int ascii;
	const char *cmds[8];
} goldens[] = {
	{ "simple_fit", "simple", "100x30", 1, { NULL } },
	{ "simple_fit_utf8", "simple", "100x30", 0, { NULL } },
	{ "simple_nav", "simple", "100x30", 1,
	  { "goto 5ms", "select cursor", "select child", "select next-sibling", "select child", "zoom sel", NULL } },
	{ "simple_zoom_steps", "simple", "80x24", 1, { "goto 40ms", "zoom 64x", NULL } },
	{ "threads_fold", "threads", "100x30", 1, { "thread next", "fold", "thread next", NULL } },
	{ "wrapped", "wrapped", "100x24", 1, { NULL } },
	{ "wrapped_open", "wrapped", "100x24", 1, { "goto 48ms", "zoom 4x", "select cursor", "select child", NULL } },
	{ "deep_zoom", "deep", "120x30", 1, { "goto 60us", "zoom 3x", "select cursor", "select child", "select child", NULL } },
	{ "help", "simple", "100x60", 1, { "help", NULL } },
	/* every screen at 80x24, the size of a default terminal */
	{ "screen80_timeline", "threads", "80x24", 0, { NULL } },
	{ "screen80_details_long_args", "long", "80x24", 0, { "select cursor", NULL } },
	{ "screen80_details_long_args_more", "long", "80x24", 0, { "select cursor", "details more", NULL } },
	{ "screen80_help", "simple", "80x24", 0, { "help", NULL } },
	{ "screen80_zoomed", "simple", "80x24", 0, { "goto 49.5ms", "zoom 100000x", "select cursor", NULL } },
};

START_TEST(golden_render)
{
	const struct golden *g = &goldens[_i];
	tui_app *app = open_fx(g->fixture);

	fx_golden_check(app, g->file, g->size, g->ascii, g->cmds);
	tui_app_free(app);
}
END_TEST

static Suite *tui_suite(void)
{
	Suite *s = suite_create("tui");
	TCase *tc = tcase_create("screen");

	tcase_add_test(tc, screen_text_and_cells);
	tcase_add_test(tc, screen_wide_chars);
	suite_add_tcase(s, tc);
	tc = tcase_create("model");
	tcase_add_test(tc, row_index_matches_row_find);
	suite_add_tcase(s, tc);
	tc = tcase_create("views");
	tcase_add_test(tc, timeline_fit);
	tcase_add_loop_test(tc, timeline_zoom_levels, 0, sizeof(zoom_cases) / sizeof(zoom_cases[0]));
	tcase_add_test(tc, timeline_resize);
	tcase_add_test(tc, timeline_wrapped_and_open);
	tcase_add_test(tc, timeline_dump_marker);
	tcase_add_test(tc, threads_and_folding);
	tcase_add_test(tc, scrolling_pages);
	tcase_add_test(tc, thread_next_shows_whole_thread);
	suite_add_tcase(s, tc);
	tc = tcase_create("navigation");
	tcase_add_test(tc, navigation);
	tcase_add_test(tc, details_pane);
	tcase_add_test(tc, zoom_to_selection);
	tcase_add_test(tc, selection_is_highlighted);
	tcase_add_test(tc, mouse_click_and_wheel);
	suite_add_tcase(s, tc);
	tc = tcase_create("commands");
	tcase_add_loop_test(tc, bad_commands, 0, sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, usage_before_handler);
	tcase_add_test(tc, man_lists_the_commands);
	tcase_add_test(tc, man_commands_roff);
	tcase_add_test(tc, man_lists_the_keys);
	tcase_add_test(tc, search_row_names_the_fields);
	tcase_add_test(tc, man_commands_rewrite);
	tcase_add_test(tc, keys_and_prompt);
	tcase_add_test(tc, select_in_empty_trace);
	tcase_add_test(tc, goto_and_pan_at_the_last_time);
	tcase_add_test(tc, help_lists_every_command);
	tcase_add_test(tc, render_batch_reports_bad_command);
	tcase_add_loop_test(tc, time_at_resolution, 0, sizeof(time_cases) / sizeof(time_cases[0]));
	tcase_add_test(tc, deep_zoom_times_distinct);
	tcase_add_test(tc, elide_middle);
	tcase_add_test(tc, panel_title_keys_fit);
	tcase_add_test(tc, too_small);
	tcase_add_test(tc, status_message_beside_position);
	tcase_add_test(tc, details_wrap_and_scroll);
	tcase_add_test(tc, goto_dump_selects_the_raise);
	tcase_add_test(tc, details_start_of_short_siblings);
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

	setlocale(LC_CTYPE, "C.UTF-8"); /* double-width characters are measured by wcwidth */
	sr = srunner_create(tui_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
