/* SPDX-License-Identifier: MIT */
/* test_diff_rank.c: the diff's per-call mean and calls per second, and its ranking by
 * change of mean when the traces span different times (two signal dumps of one process),
 * on hand-built traces: `vtui stats --diff` (CSV, JSON, --rank), the diff panel
 * (--render) and `diff-rank` in the viewer. The binary is $VTUI_BUILD/vtui. */
#define _GNU_SOURCE /* mkdtemp */
#include "tui/analysis.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/vtb.h"
#include "tests/tui_fixtures.h"

#define MS 1000000ull

/* Before: f 10 times 2 ms from 0, g once [50, 100) ms: spans 100 ms.
 * After, a later dump of a longer window: f 40 times 3 ms from 0, g 4 times 50 ms from
 * 200 ms: spans 400 ms. Totals grow with the window; f's mean grew by 1 ms, g's did not. */
static void write_trace(const char *path, int after)
{
	vtb_header h = { .pid = 42, .dump_ns = (after ? 400 : 100) * MS, .reason = VTB_REASON_SIGNAL };
	char *cause = NULL;
	vtb_writer *w = vtb_writer_open_file(path, &h, &cause);
	int64_t f, g;

	ck_assert_msg(w != NULL, "%s", cause ? cause : "?");
	ck_assert_int_ge(f = vtb_writer_string(w, "app.f", "app.py", 1), 0);
	ck_assert_int_ge(g = vtb_writer_string(w, "app.g", "app.py", 9), 0);
	ck_assert_int_eq(vtb_writer_thread(w, 42, 1, "MainThread"), 0);
	uint64_t fcalls = after ? 40 : 10, fdur = (after ? 3 : 2) * MS;
	for (uint64_t i = 0; i < fcalls; i++) {
		ck_assert_int_eq(vtb_writer_begin(w, 0, i * fdur, (uint32_t)f, 0), 0);
		ck_assert_int_eq(vtb_writer_end(w, 0, (i + 1) * fdur, 0), 0);
	}
	uint64_t gcalls = after ? 4 : 1, g0 = (after ? 200 : 50) * MS;
	for (uint64_t i = 0; i < gcalls; i++) {
		ck_assert_int_eq(vtb_writer_begin(w, 0, g0 + i * 50 * MS, (uint32_t)g, 0), 0);
		ck_assert_int_eq(vtb_writer_end(w, 0, g0 + (i + 1) * 50 * MS, 0), 0);
	}
	ck_assert_int_eq(vtb_writer_finish(w, &cause), 0);
	vtb_writer_free(w);
}

static char dir[] = "/tmp/vtui-diffrank-XXXXXX";
static char before[600], after[600];

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(before, sizeof before, "%s/before.vtb", dir);
	snprintf(after, sizeof after, "%s/after.vtb", dir);
	write_trace(before, 0);
	write_trace(after, 1);
}

static void teardown(void)
{
	unlink(before);
	unlink(after);
	rmdir(dir);
}

/* Output of `vtui ARGS` (stderr too) and its exit code after "rc=". */
static char *run(const char *args)
{
	const char *b = getenv("VTUI_BUILD");
	char cmd[2048], *out = calloc(1, 1 << 16);
	snprintf(cmd, sizeof cmd, "'%s/vtui' %s 2>&1; echo rc=$?", b && *b ? b : "build", args);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	size_t n = fread(out, 1, (1 << 16) - 1, p);
	out[n] = '\0';
	pclose(p);
	return out;
}

static const char head[] = "name,calls_a,calls_b,calls_delta,total_a,total_b,total_delta,self_a,self_b,self_delta,"
			   "mean_a,mean_b,mean_delta,rate_a,rate_b\n";
static const char f_row[] = "app.f,10,40,30,20000000,120000000,100000000,20000000,120000000,100000000,"
			    "2000000,3000000,1000000,100.000,100.000\n";
static const char g_row[] = "app.g,1,4,3,50000000,200000000,150000000,50000000,200000000,150000000,"
			    "50000000,50000000,0,10.000,10.000\n";

START_TEST(test_model)
{
	char *cause = NULL;
	vtb_trace *a = vtb_trace_load(before, 0, NULL, NULL, &cause), *b = vtb_trace_load(after, 0, NULL, NULL, &cause);
	an_stats *sa, *sb;
	an_diff *d;

	ck_assert_int_eq(an_stats_compute(a, NULL, &sa, &cause), 0);
	ck_assert_int_eq(an_stats_compute(b, NULL, &sb, &cause), 0);
	ck_assert_int_eq(an_diff_compute(a, sa, b, sb, &d), 0);
	ck_assert_uint_eq(d->span_a, 100 * MS);
	ck_assert_uint_eq(d->span_b, 400 * MS);
	ck_assert_int_eq(d->rank, AN_DIFF_MEAN); /* 400 > 1.25 x 100 */
	ck_assert_str_eq(d->rows[0].name, "app.f");
	ck_assert_uint_eq(an_diff_mean(&d->rows[0], 0), 2 * MS);
	ck_assert_uint_eq(an_diff_mean(&d->rows[0], 1), 3 * MS);
	ck_assert(an_diff_rate(d, &d->rows[1], 1) == 10.0);
	an_diff_rank(d, AN_DIFF_IMPACT);
	ck_assert_str_eq(d->rows[0].name, "app.g"); /* self +150 ms against +100 ms */
	/* spans within 1.25 times each other: impact */
	d->span_a = 100 * MS;
	d->span_b = 125 * MS;
	an_diff_rank(d, AN_DIFF_AUTO);
	ck_assert_int_eq(d->rank, AN_DIFF_IMPACT);
	d->span_b = 126 * MS;
	an_diff_rank(d, AN_DIFF_AUTO);
	ck_assert_int_eq(d->rank, AN_DIFF_MEAN);
	ck_assert_str_eq(d->rows[0].name, "app.f");
	an_diff_free(d);
	an_stats_free(sa);
	an_stats_free(sb);
	vtb_trace_free(a);
	vtb_trace_free(b);
}
END_TEST

START_TEST(test_cli)
{
	char args[1400], want[1024];

	snprintf(args, sizeof args, "stats --diff '%s' '%s' --format csv", before, after);
	char *out = run(args);
	snprintf(want, sizeof want, "%s%s%src=0\n", head, f_row, g_row);
	ck_assert_str_eq(out, want);
	free(out);
	snprintf(args, sizeof args, "stats --diff '%s' '%s' --format csv --rank impact", before, after);
	out = run(args);
	snprintf(want, sizeof want, "%s%s%src=0\n", head, g_row, f_row);
	ck_assert_str_eq(out, want);
	free(out);
	snprintf(args, sizeof args, "stats --diff '%s' '%s' --format json --top 1 | tr -d ' \\t\\n'", before, after);
	out = run(args);
	ck_assert_str_eq(out, "{\"rank\":\"mean\",\"span_a_ns\":100000000,\"span_b_ns\":400000000,\"functions\":[{"
			      "\"name\":\"app.f\",\"calls_a\":10,\"calls_b\":40,\"total_a_ns\":20000000,"
			      "\"total_b_ns\":120000000,\"self_a_ns\":20000000,\"self_b_ns\":120000000,"
			      "\"mean_a_ns\":2000000,\"mean_b_ns\":3000000,\"calls_per_s_a\":100,"
			      "\"calls_per_s_b\":100}]}rc=0\n");
	free(out);
	snprintf(args, sizeof args, "stats --diff '%s' '%s' --rank median", before, after);
	out = run(args);
	ck_assert_ptr_nonnull(strstr(out, "--rank: 'median' is not one of auto|impact|mean"));
	ck_assert_ptr_nonnull(strstr(out, "rc=2"));
	free(out);
	snprintf(args, sizeof args, "stats '%s' --rank mean", before);
	out = run(args);
	ck_assert_ptr_nonnull(strstr(out, "--rank goes with --diff"));
	ck_assert_ptr_nonnull(strstr(out, "rc=2"));
	free(out);
}
END_TEST

/* The panel says how it ranks, and at 80 columns keeps the mean columns first. */
START_TEST(test_panel)
{
	char args[1400];

	snprintf(args, sizeof args, "--diff '%s' '%s' --render 80x14", before, after);
	char *out = run(args);
	ck_assert_msg(strstr(out, "diff by change of mean: 2 functions; showing b, other: before.vtb") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "calls a>b    mean a   mean b  mean +-     /s a") != NULL, "%s", out);
	char *f = strstr(out, " app.f ");
	ck_assert_msg(f != NULL && strstr(f, "10>40") && strstr(f, "2ms      3ms     +1ms      100") &&
			      strstr(f, " app.g ") && strstr(f, "50ms     50ms        0       10"), "%s", out);
	free(out);
	snprintf(args, sizeof args, "--diff '%s' '%s' --render 160x14", before, after);
	out = run(args);
	ck_assert_msg(strstr(out, "total a  total b total +-   self a   self b  self +-   mean a   mean b  mean +-"
				  "     /s a     /s b") != NULL, "%s", out);
	free(out);
}
END_TEST

/* The viewer on `after` with `before` kept aside, as vtui --diff opens them. */
static tui_app *diff_app(void)
{
	char *cause = NULL;
	tui_app *app = fx_app(vtb_trace_load(after, 0, NULL, NULL, &cause), "after.vtb");

	ck_assert_int_eq(tui_app_set_diff(app, vtb_trace_load(before, 0, NULL, NULL, &cause), before, &cause), 0);
	return app;
}

/* The diff panel's title, rows (the functions' names in screen order) and selected row's
 * function, at 100x24. */
static void panel_sel(tui_app *app, char *title, size_t tlen, char *rows, size_t rlen, char *sel, size_t slen)
{
	tui_screen *s = tui_screen_new(100, 24);
	int next = -1; /* the row a function may be on: under the column heads, then each next */

	title[0] = rows[0] = sel[0] = '\0';
	tui_screen_set_ascii(s, 1);
	tui_app_render(app, s);
	for (int y = 0; y < 24; y++) {
		char *line = tui_screen_line(s, y);

		if (strstr(line, "- diff ")) { /* the panel's rule, not the status line */
			snprintf(title, tlen, "%s", line);
			next = y + 2;
		} else if (y == next && !strncmp(line, " app.", 5)) {
			line[1 + strcspn(line + 1, " ")] = '\0';
			snprintf(rows + strlen(rows), rlen - strlen(rows), "%s%s", *rows ? " " : "", line + 1);
			if (tui_screen_cell(s, 1, y)->attr & TUI_ATTR_REVERSE)
				snprintf(sel, slen, "%s", line + 1);
			next++;
		}
		free(line);
	}
	tui_screen_free(s);
}

static void panel(tui_app *app, char *title, size_t tlen, char *rows, size_t rlen)
{
	char sel[64];

	panel_sel(app, title, tlen, rows, rlen, sel, sizeof sel);
}

/* The function of the panel's selected row (reverse video). */
static const char *selected(tui_app *app)
{
	static char title[256], rows[256], sel[64];

	panel_sel(app, title, sizeof title, rows, sizeof rows, sel, sizeof sel);
	return sel;
}

/* `diff-rank` sorts the panel again: its title says the ranking in force, the rows follow,
 * the selected function stays selected; no word toggles, auto goes back to the spans' rule;
 * a wrong word or no second trace is an error. */
START_TEST(test_viewer_rank)
{
	tui_app *app = diff_app();
	char title[256], rows[256];

	panel(app, title, sizeof title, rows, sizeof rows);
	ck_assert_has(title, "diff by change of mean: 2 functions; showing b, other: before.vtb");
	ck_assert_str_eq(rows, "app.f app.g");
	ck_assert_str_eq(selected(app), "app.f");
	fx_run(app, "diff-rank impact");
	ck_assert_str_eq(tui_app_message(app), "diff ranked by impact");
	panel(app, title, sizeof title, rows, sizeof rows);
	ck_assert_has(title, "diff by impact: 2 functions; showing b");
	ck_assert_str_eq(rows, "app.g app.f"); /* self +150 ms before +100 ms */
	ck_assert_str_eq(selected(app), "app.f"); /* followed to its new row */
	fx_run(app, "diff-rank");                 /* the other one */
	panel(app, title, sizeof title, rows, sizeof rows);
	ck_assert_has(title, "diff by change of mean: ");
	ck_assert_str_eq(rows, "app.f app.g");
	fx_run(app, "diff-rank impact");
	fx_run(app, "diff-rank auto");
	ck_assert_has(tui_app_message(app), "diff ranked by change of mean (auto: one trace spans more than 1.25");
	panel(app, title, sizeof title, rows, sizeof rows);
	ck_assert_str_eq(rows, "app.f app.g");
	/* the panel's key (vtui --diff opens it with the keys): R toggles */
	ck_assert_int_eq(app->an->focus, 1);
	tui_app_key(app, 'R');
	panel(app, title, sizeof title, rows, sizeof rows);
	ck_assert_has(title, "diff by impact: ");
	ck_assert_has(title, "R Esc");
	/* the ranking stays when the other trace is shown */
	fx_run(app, "diff-open before");
	panel(app, title, sizeof title, rows, sizeof rows);
	ck_assert_has(title, "diff by impact: 2 functions; showing a, other: after.vtb");
	ck_assert_str_eq(rows, "app.g app.f");
	/* closed, the command opens it again */
	fx_run(app, "diff off");
	fx_run(app, "diff-rank mean");
	panel(app, title, sizeof title, rows, sizeof rows);
	ck_assert_str_eq(rows, "app.f app.g");
	/* R is the diff panel's alone: with the stats panel focused it still leaves for the
	 * ring files (the key table's R), and the ranking stays */
	fx_run(app, "stats");
	ck_assert_int_eq(app->an->focus, 1);
	ck_assert_ptr_null(tui_an_key(app, 'R'));
	fx_run(app, "diff");
	ck_assert_str_eq(tui_an_key(app, 'R'), "diff-rank");
	ck_assert_int_eq(tui_app_exec(app, "diff-rank median"), -1);
	ck_assert_has(tui_app_message(app), "usage: diff-rank [auto|impact|mean]");
	ck_assert_int_eq(tui_app_exec(app, "diff-rank mean impact"), -1);
	tui_app_free(app);
	app = fx_app(vtb_trace_load(after, 0, NULL, NULL, NULL), "after.vtb");
	ck_assert_int_eq(tui_app_exec(app, "diff-rank mean"), -1);
	ck_assert_has(tui_app_message(app), "diff-rank: no second trace");
	tui_app_free(app);
}
END_TEST

/* Tab on the : line completes the choice words of diff-rank (any command's, from its row). */
START_TEST(test_viewer_complete)
{
	tui_app *app = diff_app();

	tui_app_key(app, ':');
	for (const char *p = "diff-rank "; *p; p++)
		tui_app_key(app, (unsigned char)*p);
	tui_app_key(app, TUI_KEY_TAB);
	ck_assert_str_eq(tui_app_message(app), "auto impact mean");
	tui_app_key(app, 'm');
	tui_app_key(app, TUI_KEY_TAB);
	ck_assert_str_eq(app->cmdline, "diff-rank mean ");
	tui_app_key(app, TUI_KEY_ENTER);
	ck_assert_str_eq(tui_app_message(app), "diff ranked by change of mean");
	tui_app_key(app, ':');
	for (const char *p = "details m"; *p; p++)
		tui_app_key(app, (unsigned char)*p);
	tui_app_key(app, TUI_KEY_TAB);
	ck_assert_str_eq(app->cmdline, "details more ");
	tui_app_key(app, TUI_KEY_ESC);
	tui_app_free(app);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("diff_rank");
	TCase *tc = tcase_create("diff_rank");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_model);
	tcase_add_test(tc, test_cli);
	tcase_add_test(tc, test_panel);
	tcase_add_test(tc, test_viewer_rank);
	tcase_add_test(tc, test_viewer_complete);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
