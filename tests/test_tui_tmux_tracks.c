/* SPDX-License-Identifier: MIT */
/* test_tui_tmux_tracks.c: issue 7 in a real terminal: the log panel and the timeline
 * moving each other, the statistics panel and flame graph keys, `vtui --diff` and several
 * dumps opened together, and `vtui stats --diff` in batch. The harness is the one of
 * test_tui_tmux.c: a private tmux server per test, vtui from $VTUI_BUILD (default "build"). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/tmux_harness.h"
#include "tests/tui_fx_analysis.h"

static char vtui[512];
static char dir[] = "/tmp/vtui-tmux-tracks-XXXXXX";

static void fixtures_setup(void)
{
	char path[600];
	vtb_trace *t;

	tmux_find_vtui(vtui, sizeof(vtui));
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/a.vtb", dir);
	fxa_trace(0, path);
	snprintf(path, sizeof(path), "%s/b.vtb", dir);
	fxa_trace(1, path);
	snprintf(path, sizeof(path), "%s/child.vtb", dir);
	fxa_child(path);
	snprintf(path, sizeof(path), "%s/child.vtb", dir);
	if (!(t = vtb_trace_load(path, 0, NULL, NULL, NULL)))
		abort(); /* the fixtures must be sound files */
	vtb_trace_free(t);
}

static void fixtures_teardown(void)
{
	tmux_remove_dir(dir);
}

/* vtui with `args` (file names are relative to the fixture directory) in a 120x40 pane. */
static void start(const char *args)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "env LC_ALL=C.UTF-8 timeout --foreground 120 '%s' %s", vtui, args);
	tmux_start_in(dir, 120, 40, cmd);
}

START_TEST(log_record_and_timeline)
{
	start("a.vtb");
	tmux_expect("? help");
	tmux_keys("L");
	tmux_expect("logs: 5 of 5 records");
	tmux_keys("k"); /* the panel follows the cursor (50 ms): up from 95 ms to 45 ms */
	tmux_expect("cursor 45ms");
	tmux_expect("mark log record at 45ms on MainThread");
	tmux_expect("text failed to connect");
	tmux_keys("k k");
	tmux_expect("cursor 6ms");
	tmux_expect("on worker-1 tid 1001");
	/* the timeline moves: back in the timeline's keys, then a goto; the panel follows */
	tmux_keys("Escape");
	tmux_keys(":goto Space 14ms Enter");
	tmux_expect("cursor 14ms");
	tmux_keys("o Enter"); /* the panel's selection is now the record after 14 ms */
	tmux_expect("cursor 15ms");
	tmux_expect("text slow query");
	tmux_keys(":log-level Space error Enter");
	tmux_expect("logs: 1 of 5 records, level >= ERROR");
	tmux_keys("Enter");
	tmux_expect("cursor 45ms");
	tmux_keys("q"); /* q in the focused panel closes it, then quits */
	tmux_expect_gone("logs: 1 of 5");
	tmux_keys("q");
	tmux_expect("EXIT=0");
	tmux_stop();
}
END_TEST

START_TEST(stats_and_flame_keys)
{
	start("a.vtb");
	tmux_expect("? help");
	tmux_keys("S");
	tmux_expect("statistics: whole trace, 6 functions, 12 calls");
	tmux_keys("4"); /* sort by self: step first */
	tmux_expect("self▼");
	tmux_keys("Enter");
	tmux_expect("longest call of step: 20ms");
	tmux_expect("sel step 20ms");
	tmux_keys("M");
	tmux_expect("flame graph: whole trace, 7 stacks");
	tmux_expect("main 100ms 62.5%");
	tmux_keys("Down Down Enter");
	tmux_expect("▏work 60ms 37.5%");
	tmux_keys("q q");
	tmux_expect("EXIT=0");
	tmux_stop();
}
END_TEST

START_TEST(diff_and_several_dumps)
{
	char *out;

	start("--diff a.vtb b.vtb");
	tmux_expect("diff by impact: 7 functions; showing b, other: a.vtb");
	tmux_keys("Enter");
	tmux_expect("longest call of step: 20ms");
	tmux_keys("A");
	tmux_expect("showing a, other: b.vtb");
	tmux_expect(" a.vtb │");
	tmux_keys("R");
	tmux_expect("diff by change of mean: 7 functions; showing a");
	tmux_keys("Escape q");
	tmux_expect("EXIT=0");
	tmux_stop();
	start("a.vtb child.vtb");
	tmux_expect("child.vtb (2 of 2): dump: ");
	tmux_expect("a.vtb (1 of 2): dump: ");
	tmux_expect("a.vtb + 1 more");
	tmux_expect("[child.main 30ms");
	tmux_keys("q");
	tmux_expect("EXIT=0");
	tmux_stop();
	out = sh_out("cd '%s' && '%s' stats --diff a.vtb b.vtb --format csv --top 2", dir, vtui);
	ck_assert_str_eq(out, "name,calls_a,calls_b,calls_delta,total_a,total_b,total_delta,self_a,self_b,self_delta,"
			      "mean_a,mean_b,mean_delta,rate_a,rate_b\n"
			      "step,6,6,0,50000000,60000000,10000000,50000000,60000000,10000000,"
			      "8333333,10000000,1666667,60.000,60.000\n"
			      "main,1,1,0,100000000,100000000,0,33000000,27000000,-6000000,100000000,100000000,0,10.000,10.000\n");
	free(out);
	out = sh_out("cd '%s' && '%s' stats --diff a.vtb 2>&1; echo EXIT=$?", dir, vtui);
	ck_assert_ptr_nonnull(strstr(out, "--diff wants two trace files"));
	ck_assert_ptr_nonnull(strstr(out, "EXIT=2"));
	free(out);
	out = sh_out("cd '%s' && '%s' --diff a.vtb 2>&1; echo EXIT=$?", dir, vtui);
	ck_assert_ptr_nonnull(strstr(out, "--diff compares two traces"));
	ck_assert_ptr_nonnull(strstr(out, "EXIT=2"));
	free(out);
}
END_TEST

static Suite *tmux_suite(void)
{
	Suite *s = suite_create("tui_tmux_tracks");
	TCase *tc = tcase_create("terminal");

	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, log_record_and_timeline);
	tcase_add_test(tc, stats_and_flame_keys);
	tcase_add_test(tc, diff_and_several_dumps);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tmux_run(tmux_suite(), fixtures_setup, fixtures_teardown);
}
