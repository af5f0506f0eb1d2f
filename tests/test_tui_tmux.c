/* test_tui_tmux.c: the real vtui binary in a real terminal. Each test starts a private
 * tmux server (tmux -L vtui-test-<pid>-<n>), runs vtui on a fixture trace inside a shell that
 * prints vtui's exit status afterwards, sends keys, and reads the pane as a person would
 * see it (capture-pane -p). The server is killed at the end of each test; should a test
 * fail before that, vtui ends by `timeout` and the server with its shell soon after.
 * The binary is $VTUI_BUILD/vtui (tools/run-tests.sh sets VTUI_BUILD; default "build"). */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/tui_fixtures.h"

static char vtui[512];
static char dir[] = "/tmp/vtui-tmux-XXXXXX";
static char sock[64];

static void fixtures_setup(void)
{
	const char *build = getenv("VTUI_BUILD");
	char path[600], *abs;

	snprintf(vtui, sizeof(vtui), "%s/vtui", build && *build ? build : "build");
	abs = realpath(vtui, NULL);
	if (abs) {
		snprintf(vtui, sizeof(vtui), "%s", abs);
		free(abs);
	}
	if (!mkdtemp(dir))
		abort();
	for (int i = 0; fx_names[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s.vtb", dir, fx_names[i]);
		if (fx_write(fx_names[i], path) < 0)
			abort();
	}
	snprintf(path, sizeof(path), "%s/garbage.vtb", dir);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs("this is not a trace at all, just some text that goes on for a while\n", f);
		fclose(f);
	}
}

static void fixtures_teardown(void)
{
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

/* Run a shell command built from fmt; returns its exit status. */
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

/* Output of a shell command (at most 64 KiB); the caller frees. */
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

/* Start vtui on fixture `name` in an 80x24 pane (extra: more words for the shell). */
static void start(const char *name, const char *env)
{
	static int servers;

	/* a fresh socket per server: a dying server must not meet the next one */
	snprintf(sock, sizeof(sock), "vtui-test-%d-%d", (int)getpid(), servers++);
	ck_assert_int_eq(sh("tmux -L %s -f /dev/null new-session -d -x 80 -y 24 "
			    "\"env %s timeout --foreground 120 '%s' '%s/%s.vtb'; echo EXIT=\\$?; sleep 30\"",
			    sock, env ? env : "", vtui, dir, name), 0);
	sh("tmux -L %s set-option -g status off >/dev/null 2>&1", sock);
}

static void stop(void)
{
	/* kill-server leaves the socket file behind: remove it too */
	sh("p=$(tmux -L %s display-message -p '#{socket_path}' 2>/dev/null); "
	   "tmux -L %s kill-server >/dev/null 2>&1; [ -n \"$p\" ] && rm -f \"$p\"", sock, sock);
}

static void keys(const char *k)
{
	ck_assert_int_eq(sh("tmux -L %s send-keys %s", sock, k), 0);
}

static char *capture(void)
{
	return sh_out("tmux -L %s capture-pane -p", sock);
}

/* Wait (up to 10 s) until the pane shows `text`; returns the pane. */
static char *wait_for(const char *text)
{
	struct timespec nap = { 0, 50 * 1000 * 1000 };
	char *pane = NULL;

	for (int i = 0; i < 200; i++) {
		free(pane);
		pane = capture();
		if (strstr(pane, text))
			return pane;
		nanosleep(&nap, NULL);
	}
	ck_abort_msg("pane never showed '%s'; it shows:\n%.1800s", text, pane);
	return pane;
}

static void expect(const char *text)
{
	free(wait_for(text));
}

/* Wait (up to 10 s) until the pane no longer shows `text`. */
static void expect_gone(const char *text)
{
	struct timespec nap = { 0, 50 * 1000 * 1000 };
	char *pane = NULL;

	for (int i = 0; i < 200; i++) {
		free(pane);
		pane = capture();
		if (!strstr(pane, text)) {
			free(pane);
			return;
		}
		nanosleep(&nap, NULL);
	}
	ck_abort_msg("pane still shows '%s':\n%.1800s", text, pane);
}

START_TEST(opens_and_quits)
{
	char *pane;

	start("simple", NULL);
	pane = wait_for("? help");
	ck_assert_ptr_nonnull(strstr(pane, "simple.vtb"));
	ck_assert_ptr_nonnull(strstr(pane, "dump: exception ValueError: bad input"));
	ck_assert_ptr_nonnull(strstr(pane, "[main 100ms"));
	ck_assert_ptr_nonnull(strstr(pane, "cursor 50ms"));
	free(pane);
	keys("q");
	pane = wait_for("EXIT=0");
	/* the terminal is back: the viewer's screen is gone */
	ck_assert_ptr_null(strstr(pane, "[main 100ms"));
	free(pane);
	stop();
}
END_TEST

START_TEST(navigate_and_details)
{
	start("simple", NULL);
	expect("? help");
	keys("c");
	expect("name main");
	keys("j");
	expect("name app.compute"); /* the child under the cursor (50ms) */
	keys("h");
	expect("name app.load");
	keys("j");
	expect("2 calls of this function"); /* json.parse */
	keys("Enter");
	expect("view 1.5ms-12.5ms (11ms)");
	keys("0");
	expect("view 0-100ms (100ms)");
	keys("k l l");
	expect("name app.save");
	expect("args path='/tmp/out.json', mode='w'");
	expect("flags left by an exception");
	keys("Escape");
	expect_gone("details (i hides)");
	expect("cursor 93.5ms"); /* the cursor stays where the selection was */
	keys("w");
	expect("view 46.8ms-96.8ms (50ms)"); /* and zooming keeps it in its column */
	keys("q");
	expect("EXIT=0");
	stop();
}
END_TEST

START_TEST(help_and_prompt)
{
	start("simple", NULL);
	expect("? help");
	keys("?");
	expect("zoom in around the cursor");
	expect("page down through the threads");
	keys("q");
	expect_gone("zoom in around the cursor");
	keys(": 'goto 20ms' Enter");
	expect("cursor 20ms");
	keys(": 'goto nowhere' Enter");
	expect("goto: 'nowhere' is not a time");
	keys(": q Enter");
	expect("EXIT=0");
	stop();
}
END_TEST

START_TEST(threads_tab_and_fold)
{
	start("threads", NULL);
	expect("worker-1 tid 1001");
	keys("Tab");
	expect("name worker.run");
	keys("z");
	expect("(folded: z opens)");
	keys("q");
	expect("EXIT=0");
	stop();
}
END_TEST

START_TEST(resize_redraws)
{
	char *pane;

	start("simple", NULL);
	expect("? help");
	sh("tmux -L %s resize-window -x 120 -y 30", sock);
	pane = wait_for("\xe2\x94\xac" "10ms"); /* 120 columns leave room for a tick every 10ms */
	{ /* the main block now spans 120 columns: its closing bracket is in column 119 */
		char *line = strstr(pane, "[main 100ms");
		char *eol = line ? strchr(line, '\n') : NULL;

		ck_assert_ptr_nonnull(eol);
		ck_assert_int_eq((int)(eol - line), 120);
	}
	free(pane);
	sh("tmux -L %s resize-window -x 30 -y 6", sock);
	expect("terminal too small");
	sh("tmux -L %s resize-window -x 80 -y 24", sock);
	expect("[main 100ms");
	keys("q");
	expect("EXIT=0");
	stop();
}
END_TEST

START_TEST(crash_signal_restores_terminal)
{
	char *pane;

	start("simple", NULL);
	expect("? help");
	/* SIGSEGV from outside: the handler ends curses, then dies of the signal */
	/* the pane runs sh -> timeout -> vtui: signal the grandchild */
	ck_assert_int_eq(sh("kill -SEGV $(pgrep -P $(pgrep -P $(tmux -L %s list-panes -F '#{pane_pid}')))", sock), 0);
	pane = wait_for("EXIT=139");
	ck_assert_ptr_null(strstr(pane, "[main 100ms"));
	/* and vtui itself is gone, not left behind its parent */
	ck_assert_int_ne(sh("pgrep -P $(tmux -L %s list-panes -F '#{pane_pid}') -x timeout >/dev/null", sock), 0);
	free(pane);
	stop();
}
END_TEST

/* Does captured text set a foreground or background colour (SGR 30-37, 40-47, 38;5, 48;5)? */
static int has_colour(const char *text)
{
	for (const char *p = strstr(text, "\033["); p; p = strstr(p + 1, "\033[")) {
		const char *q = p + 2;

		while (*q && *q != 'm') {
			int code = atoi(q);

			if ((code >= 30 && code <= 38) || (code >= 40 && code <= 48))
				return 1;
			while (*q >= '0' && *q <= '9')
				q++;
			if (*q == ';')
				q++;
			else
				break;
		}
	}
	return 0;
}

START_TEST(no_color_and_ascii)
{
	char *pane;

	start("simple", "NO_COLOR=1 LC_ALL=C");
	pane = wait_for("? help");
	ck_assert_ptr_nonnull(strstr(pane, "v MainThread"));  /* ASCII fold mark */
	ck_assert_ptr_nonnull(strstr(pane, "##########"));    /* ASCII dense cells */
	free(pane);
	pane = sh_out("tmux -L %s capture-pane -p -e", sock);
	ck_assert_msg(!has_colour(pane), "colours under NO_COLOR:\n%.500s", pane);
	free(pane);
	stop();
	start("simple", "TERM=xterm-256color");
	expect("? help");
	pane = sh_out("tmux -L %s capture-pane -p -e", sock);
	ck_assert_msg(strstr(pane, "48;5;"), "no 256-colour backgrounds:\n%.500s", pane);
	free(pane);
	stop();
	start("simple", "TERM=xterm"); /* 8 colours: colours, but none from the 256 palette */
	expect("? help");
	pane = sh_out("tmux -L %s capture-pane -p -e", sock);
	ck_assert_msg(has_colour(pane) && !strstr(pane, "48;5;"), "not 8 colours:\n%.500s", pane);
	free(pane);
	stop();
	start("simple", "TERM=dumb");
	expect("? help");
	pane = sh_out("tmux -L %s capture-pane -p -e", sock);
	ck_assert_msg(!has_colour(pane), "colours under TERM=dumb:\n%.500s", pane);
	free(pane);
	stop();
}
END_TEST

/* ---- the command line, without a terminal ---- */

START_TEST(cli_batch_and_errors)
{
	char *out;

	out = sh_out("'%s' --info '%s/wrapped.vtb'", vtui, dir);
	ck_assert_ptr_nonnull(strstr(out, "dump: signal: SIGUSR1"));
	ck_assert_ptr_nonnull(strstr(out, "ring: 1000000 events, 5,000 dropped, wrapped"));
	ck_assert_ptr_nonnull(strstr(out, "calls: 11"));
	free(out);
	out = sh_out("'%s' --render 100x30 --cmd 'goto 5ms' --cmd 'select cursor' --cmd 'select child' '%s/simple.vtb'", vtui, dir);
	ck_assert_ptr_nonnull(strstr(out, "name app.load"));
	ck_assert_ptr_nonnull(strstr(out, "[main 100ms"));
	free(out);
	/* the binary's --render is the golden text (run from the source tree) */
	ck_assert_int_eq(sh("'%s' --render 100x30 --ascii '%s/simple.vtb' | cmp -s - tests/golden/simple_fit.txt", vtui, dir), 0);
	ck_assert_int_eq(sh("LC_ALL=C.UTF-8 '%s' --render 100x30 '%s/simple.vtb' | cmp -s - tests/golden/simple_fit_utf8.txt", vtui, dir), 0);
	ck_assert_int_eq(sh("LC_ALL=C '%s' --render 100x30 '%s/simple.vtb' | cmp -s - tests/golden/simple_fit.txt", vtui, dir), 0);
	out = sh_out("'%s' --render 80x24 --cmd 'zoom sideways' '%s/simple.vtb' 2>&1; echo EXIT=$?", vtui, dir);
	ck_assert_ptr_nonnull(strstr(out, "--cmd 'zoom sideways'"));
	ck_assert_ptr_nonnull(strstr(out, "EXIT=1"));
	free(out);
	out = sh_out("'%s' '%s/missing.vtb' 2>&1; echo EXIT=$?", vtui, dir);
	ck_assert_ptr_nonnull(strstr(out, "missing.vtb"));
	ck_assert_ptr_null(strstr(out, "EXIT=0"));
	free(out);
	out = sh_out("'%s' --info '%s/garbage.vtb' 2>&1; echo EXIT=$?", vtui, dir);
	ck_assert_ptr_nonnull(strstr(out, "garbage.vtb"));
	ck_assert_ptr_nonnull(strstr(out, "EXIT=1"));
	free(out);
	out = sh_out("'%s' '%s/simple.vtb' </dev/null 2>&1; echo EXIT=$?", vtui, dir);
	ck_assert_ptr_nonnull(strstr(out, "needs a terminal"));
	ck_assert_ptr_nonnull(strstr(out, "EXIT=2"));
	free(out);
	out = sh_out("'%s' --render 12 '%s/simple.vtb' 2>&1; echo EXIT=$?", vtui, dir);
	ck_assert_ptr_nonnull(strstr(out, "WIDTHxHEIGHT"));
	ck_assert_ptr_nonnull(strstr(out, "EXIT=2"));
	free(out);
	out = sh_out("'%s' --help; '%s' --version", vtui, vtui);
	ck_assert_ptr_nonnull(strstr(out, "--render WxH"));
	ck_assert_ptr_nonnull(strstr(out, "vtui " ));
	free(out);
}
END_TEST

static Suite *tmux_suite(void)
{
	Suite *s = suite_create("tui_tmux");
	TCase *tc = tcase_create("terminal");

	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, opens_and_quits);
	tcase_add_test(tc, navigate_and_details);
	tcase_add_test(tc, help_and_prompt);
	tcase_add_test(tc, threads_tab_and_fold);
	tcase_add_test(tc, resize_redraws);
	tcase_add_test(tc, crash_signal_restores_terminal);
	tcase_add_test(tc, no_color_and_ascii);
	suite_add_tcase(s, tc);
	tc = tcase_create("cli");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, cli_batch_and_errors);
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
