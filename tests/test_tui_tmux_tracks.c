/* test_tui_tmux_tracks.c: issue 7 in a real terminal: the log panel and the timeline
 * moving each other, the statistics panel and flame graph keys, `vtui --diff` and several
 * dumps opened together, and `vtui stats --diff` in batch. The harness is the one of
 * test_tui_tmux.c: a private tmux server per test, vtui from $VTUI_BUILD (default "build"). */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/tui_fx_analysis.h"

static char vtui[512];
static char dir[] = "/tmp/vtui-tmux-tracks-XXXXXX";
static char sock[64];

static void fixtures_setup(void)
{
	const char *build = getenv("VTUI_BUILD");
	char path[600], *abs;
	vtb_trace *t;

	snprintf(vtui, sizeof(vtui), "%s/vtui", build && *build ? build : "build");
	if ((abs = realpath(vtui, NULL))) {
		snprintf(vtui, sizeof(vtui), "%s", abs);
		free(abs);
	}
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
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static char *sh_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *sh_out(const char *fmt, ...)
{
	char cmd[4096], *buf = calloc(1, 65536);
	size_t n = 0, r;
	va_list ap;
	FILE *p;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while (n < 65535 && (r = fread(buf + n, 1, 65535 - n, p)) > 0)
		n += r;
	pclose(p);
	return buf;
}

/* vtui with `args` (file names are relative to the fixture directory) in a 120x40 pane. */
static void start(const char *args)
{
	static int servers;

	snprintf(sock, sizeof(sock), "vtui-tracks-%d-%d", (int)getpid(), servers++);
	ck_assert_int_eq(sh("cd '%s' && tmux -L %s -f /dev/null new-session -d -x 120 -y 40 "
			    "\"env LC_ALL=C.UTF-8 timeout --foreground 120 '%s' %s; echo EXIT=\\$?; sleep 30\"",
			    dir, sock, vtui, args), 0);
	sh("tmux -L %s set-option -g status off >/dev/null 2>&1", sock);
}

static void stop(void)
{
	sh("p=$(tmux -L %s display-message -p '#{socket_path}' 2>/dev/null); "
	   "tmux -L %s kill-server >/dev/null 2>&1; [ -n \"$p\" ] && rm -f \"$p\"", sock, sock);
}

static void keys(const char *k)
{
	ck_assert_int_eq(sh("tmux -L %s send-keys %s", sock, k), 0);
}

static char *wait_for(const char *text)
{
	struct timespec nap = { 0, 50 * 1000 * 1000 };
	char *pane = NULL;

	for (int i = 0; i < 200; i++) {
		free(pane);
		pane = sh_out("tmux -L %s capture-pane -p", sock);
		if (strstr(pane, text))
			return pane;
		nanosleep(&nap, NULL);
	}
	/* the bottom of the pane: panels and the status line */
	ck_abort_msg("pane never showed '%s'; it ends with:\n%s", text,
		     pane + (strlen(pane) > 3000 ? strlen(pane) - 3000 : 0));
	return pane;
}

static void expect(const char *text)
{
	free(wait_for(text));
}

static void expect_gone(const char *text)
{
	struct timespec nap = { 0, 50 * 1000 * 1000 };
	char *pane = NULL;

	for (int i = 0; i < 200; i++) {
		free(pane);
		pane = sh_out("tmux -L %s capture-pane -p", sock);
		if (!strstr(pane, text)) {
			free(pane);
			return;
		}
		nanosleep(&nap, NULL);
	}
	ck_abort_msg("pane still shows '%s'", text);
}

START_TEST(log_record_and_timeline)
{
	start("a.vtb");
	expect("? help");
	keys("L");
	expect("logs: 5 of 5 records");
	keys("k"); /* the panel follows the cursor (50 ms): up from 95 ms to 45 ms */
	expect("cursor 45ms");
	expect("mark log record at 45ms on MainThread");
	expect("text failed to connect");
	keys("k k");
	expect("cursor 6ms");
	expect("on worker-1 (tid 1001)");
	/* the timeline moves: back in the timeline's keys, then a goto; the panel follows */
	keys("Escape");
	keys(":goto Space 14ms Enter");
	expect("cursor 14ms");
	keys("o Enter"); /* the panel's selection is now the record after 14 ms */
	expect("cursor 15ms");
	expect("text slow query");
	keys(":log-level Space error Enter");
	expect("logs: 1 of 5 records, level >= ERROR");
	keys("Enter");
	expect("cursor 45ms");
	keys("q"); /* q in the focused panel closes it, then quits */
	expect_gone("logs: 1 of 5");
	keys("q");
	expect("EXIT=0");
	stop();
}
END_TEST

START_TEST(stats_and_flame_keys)
{
	start("a.vtb");
	expect("? help");
	keys("S");
	expect("statistics: whole trace, 6 functions, 12 calls");
	keys("4"); /* sort by self: step first */
	expect("self▼");
	keys("Enter");
	expect("longest call of step: 20ms");
	expect("sel step 20ms");
	keys("M");
	expect("flame graph: whole trace, 7 stacks");
	expect("main 100ms 62.5%");
	keys("Down Down Enter");
	expect("▏work 60ms 37.5%");
	keys("q q");
	expect("EXIT=0");
	stop();
}
END_TEST

START_TEST(diff_and_several_dumps)
{
	char *out;

	start("--diff a.vtb b.vtb");
	expect("diff: 7 functions, largest change first; showing after (b), other: a.vtb");
	keys("Enter");
	expect("longest call of step: 20ms");
	keys("A");
	expect("showing before (a), other: b.vtb");
	expect(" a.vtb │");
	keys("Escape q");
	expect("EXIT=0");
	stop();
	start("a.vtb child.vtb");
	expect("process 101  python app.py (child)");
	expect("a.vtb + 1 more");
	expect("[child.main 30ms");
	keys("q");
	expect("EXIT=0");
	stop();
	out = sh_out("cd '%s' && '%s' stats --diff a.vtb b.vtb --format csv --top 2", dir, vtui);
	ck_assert_str_eq(out, "name,calls_a,calls_b,calls_delta,total_a,total_b,total_delta,self_a,self_b,self_delta\n"
			      "step,6,6,0,50000000,60000000,10000000,50000000,60000000,10000000\n"
			      "main,1,1,0,100000000,100000000,0,33000000,27000000,-6000000\n");
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
	SRunner *sr = srunner_create(tmux_suite());
	int failed;

	fixtures_setup();
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	fixtures_teardown();
	return failed ? 1 : 0;
}
