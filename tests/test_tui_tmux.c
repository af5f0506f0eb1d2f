/* SPDX-License-Identifier: MIT */
/* test_tui_tmux.c: the real vtui binary in a real terminal. Each test starts a private
 * tmux server (tmux -L vtui-test-<pid>-<n>), runs vtui on a fixture trace inside a shell that
 * prints vtui's exit status afterwards, sends keys, and reads the pane as a person would
 * see it (capture-pane -p). The server is killed at the end of each test; should a test
 * fail before that, vtui ends by `timeout` and the server with its shell soon after.
 * The binary is $VTUI_BUILD/vtui (tools/run-tests.sh sets VTUI_BUILD; default "build"). */
#include <check.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "filters/filters.h"
#include "tests/tmux_harness.h"
#include "tests/tui_fixtures.h"

static char vtui[512];
static char dir[] = "/tmp/vtui-tmux-XXXXXX";

static void fixtures_setup(void)
{
	char path[600];

	tmux_find_vtui(vtui, sizeof(vtui));
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
	tmux_remove_dir(dir);
}

/* Start vtui on fixture `name` in an 80x24 pane (env: more words for env). */
static void start(const char *name, const char *env)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "env %s timeout --foreground 120 '%s' '%s/%s.vtb'",
		 env ? env : "", vtui, dir, name);
	tmux_start(80, 24, cmd);
}

START_TEST(opens_and_quits)
{
	char *pane;

	start("simple", NULL);
	pane = tmux_wait_for("? help");
	ck_assert_ptr_nonnull(strstr(pane, "simple.vtb"));
	ck_assert_ptr_nonnull(strstr(pane, "dump: exception ValueError: bad input"));
	ck_assert_ptr_nonnull(strstr(pane, "[main 100ms"));
	ck_assert_ptr_nonnull(strstr(pane, "cursor 50ms"));
	free(pane);
	tmux_keys("q");
	pane = tmux_wait_for("EXIT=0");
	/* the terminal is back: the viewer's screen is gone */
	ck_assert_ptr_null(strstr(pane, "[main 100ms"));
	free(pane);
	tmux_stop();
}
END_TEST

START_TEST(navigate_and_details)
{
	start("simple", NULL);
	tmux_expect("? help");
	tmux_keys("c");
	tmux_expect("name main");
	tmux_keys("j");
	tmux_expect("name app.compute"); /* the child under the cursor (50ms) */
	tmux_keys("h");
	tmux_expect("name app.load");
	tmux_keys("j");
	tmux_expect("2 calls of this function"); /* json.parse */
	tmux_keys("Enter");
	tmux_expect("view 1.5ms-12.5ms (11ms)");
	tmux_keys("0");
	tmux_expect("view 0-100ms (100ms)");
	tmux_keys("k l l");
	tmux_expect("name app.save");
	tmux_expect("args path='/tmp/out.json', mode='w'");
	tmux_expect("flags left by an exception");
	tmux_keys("Escape");
	tmux_expect_gone("details (i hides)");
	tmux_expect("cursor 93.5ms"); /* the cursor stays where the selection was */
	tmux_keys("w");
	tmux_expect("view 46.8ms-96.8ms (50ms)"); /* and zooming keeps it in its column */
	tmux_keys("q");
	tmux_expect("EXIT=0");
	tmux_stop();
}
END_TEST

START_TEST(help_and_prompt)
{
	start("simple", NULL);
	tmux_expect("? help");
	tmux_keys("?");
	tmux_expect("zoom in around the cursor");
	tmux_expect("page down through the threads");
	tmux_keys("q");
	tmux_expect_gone("zoom in around the cursor");
	tmux_keys(": 'goto 20ms' Enter");
	tmux_expect("cursor 20ms");
	tmux_keys(": 'goto nowhere' Enter");
	tmux_expect("goto: 'nowhere' is not a time");
	tmux_keys(": q Enter");
	tmux_expect("EXIT=0");
	tmux_stop();
}
END_TEST

START_TEST(threads_tab_and_fold)
{
	start("threads", NULL);
	tmux_expect("worker-1 tid 1001");
	tmux_keys("Tab");
	tmux_expect("name worker.run");
	tmux_keys("z");
	tmux_expect("(folded: z opens)");
	tmux_keys("q");
	tmux_expect("EXIT=0");
	tmux_stop();
}
END_TEST

START_TEST(resize_redraws)
{
	char *pane;

	start("simple", NULL);
	tmux_expect("? help");
	tmux_resize(120, 30);
	pane = tmux_wait_for("\xe2\x94\xac" "10ms"); /* 120 columns leave room for a tick every 10ms */
	{ /* the main block now spans 120 columns: its closing bracket is in column 119 */
		char *line = strstr(pane, "[main 100ms");
		char *eol = line ? strchr(line, '\n') : NULL;

		ck_assert_ptr_nonnull(eol);
		ck_assert_int_eq((int)(eol - line), 120);
	}
	free(pane);
	tmux_resize(30, 6);
	tmux_expect("terminal too small");
	tmux_resize(80, 24);
	tmux_expect("[main 100ms");
	tmux_keys("q");
	tmux_expect("EXIT=0");
	tmux_stop();
}
END_TEST

START_TEST(crash_signal_restores_terminal)
{
	char *pane;

	start("simple", NULL);
	tmux_expect("? help");
	/* SIGSEGV from outside: the handler ends curses, then dies of the signal */
	/* the pane runs sh -> timeout -> vtui: signal the grandchild */
	ck_assert_int_eq(sh("kill -SEGV $(pgrep -P $(pgrep -P $(tmux -L %s list-panes -F '#{pane_pid}')))", tmux_sock), 0);
	pane = tmux_wait_for("EXIT=139");
	ck_assert_ptr_null(strstr(pane, "[main 100ms"));
	/* and vtui itself is gone, not left behind its parent */
	ck_assert_int_ne(sh("pgrep -P $(tmux -L %s list-panes -F '#{pane_pid}') -x timeout >/dev/null", tmux_sock), 0);
	free(pane);
	tmux_stop();
}
END_TEST

/* How many SGR sequences (ESC [ ... m) of the pane carry parameter p? */
static int sgr_param(const char *pane, int p)
{
	int n = 0;

	for (const char *e = strstr(pane, "\033["); e; e = strstr(e + 1, "\033[")) {
		const char *q = e + 2;

		while (*q >= '0' && *q <= '9') {
			char *end;
			long v = strtol(q, &end, 10);

			if (*end == 'm' || *end == ';') {
				if (v == p && (*end == 'm' || end[1] != '5' || (v != 38 && v != 48)))
					n++;
				if ((v == 38 || v == 48) && end[1] == '5') /* 38;5;N: skip the colour */
					break;
			}
			if (*end != ';')
				break;
			q = end + 1;
		}
	}
	return n;
}

START_TEST(no_color_and_ascii)
{
	char *pane;
	int underlined;

	start("simple", "NO_COLOR=1 LC_ALL=C");
	pane = tmux_wait_for("? help");
	ck_assert_ptr_nonnull(strstr(pane, "v MainThread"));  /* ASCII fold mark */
	ck_assert_ptr_nonnull(strstr(pane, "##########"));    /* ASCII dense cells */
	free(pane);
	pane = tmux_capture(1);
	ck_assert_msg(!tmux_has_colour(pane), "colours under NO_COLOR:\n%.500s", pane);
	free(pane);
	tmux_stop();
	start("simple", "TERM=xterm-256color");
	tmux_expect("? help");
	pane = tmux_capture(1);
	ck_assert_msg(strstr(pane, "48;5;"), "no 256-colour backgrounds:\n%.500s", pane);
	free(pane);
	tmux_stop();
	start("simple", "TERM=xterm"); /* 8 colours: colours, but none from the 256 palette */
	tmux_expect("? help");
	pane = tmux_capture(1);
	ck_assert_msg(tmux_has_colour(pane) && !strstr(pane, "48;5;"), "not 8 colours:\n%.500s", pane);
	free(pane);
	tmux_stop();
	/* 8 colours (screen): no call is black on yellow until a search marks its matches so,
	 * underlined */
	start("simple", "TERM=screen");
	tmux_expect("? help");
	pane = tmux_capture(1);
	ck_assert_msg(!sgr_param(pane, 43), "a yellow call before a search:\n%.800s", pane);
	underlined = sgr_param(pane, 4); /* the focused thread's title */
	free(pane);
	tmux_keys("/");
	tmux_type("^app\\.step$");
	tmux_keys("Enter");
	tmux_expect(" of 200: ");
	pane = tmux_capture(1);
	ck_assert_msg(sgr_param(pane, 43) && sgr_param(pane, 4) > underlined, "no yellow underlined match:\n%.800s", pane);
	free(pane);
	tmux_stop();
	start("simple", "TERM=dumb");
	tmux_expect("? help");
	pane = tmux_capture(1);
	ck_assert_msg(!tmux_has_colour(pane), "colours under TERM=dumb:\n%.500s", pane);
	free(pane);
	tmux_stop();
}
END_TEST

/* The option at p (after its "--") as the man page writes it: "\-\-max\-depth". */
static void man_option(const char *p, char *buf, size_t len)
{
	size_t k = (size_t)snprintf(buf, len, "\\-\\-");

	for (; (islower((unsigned char)*p) || *p == '-') && k + 3 < len; p++) {
		if (*p == '-')
			buf[k++] = '\\';
		buf[k++] = *p;
	}
	buf[k] = '\0';
}

/* Every option the --help of vtui and of its subcommands names is in man/vtui.1 (the two
 * are kept by hand). */
static void options_in_man(const char *vtui)
{
	static const char *const subs[] = { "", "stats", "calls", "convert" };
	char *man = sh_out("cat man/vtui.1"), *out, want[64];

	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		size_t n = 0;

		out = sh_out("'%s' %s --help 2>&1", vtui, subs[i]);
		for (const char *p = out; (p = strstr(p, "--")); n++) {
			p += 2;
			man_option(p, want, sizeof(want));
			ck_assert_msg(strstr(man, want), "vtui %s --help names %s, man/vtui.1 does not", subs[i], want);
		}
		ck_assert_uint_gt(n, 1);
		free(out);
	}
	free(man);
}

/* ---- the command line, without a terminal ---- */

START_TEST(cli_batch_and_errors)
{
	char *out, *version, want[128];

	out = sh_out("'%s' --info '%s/wrapped.vtb'", vtui, dir);
	ck_assert_ptr_nonnull(strstr(out, "dump: signal: SIGUSR1"));
	ck_assert_ptr_nonnull(strstr(out, "ring: 1000000 records, 5,000 dropped, wrapped"));
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
	/* too small to draw is an error on stderr, not a screen saying so on stdout */
	out = sh_out("'%s' --render 10x5 '%s/simple.vtb' 2>/dev/null; echo EXIT=$?", vtui, dir);
	ck_assert_str_eq(out, "EXIT=1\n");
	free(out);
	out = sh_out("'%s' --render 10x5 '%s/simple.vtb' 2>&1 >/dev/null", vtui, dir);
	ck_assert_ptr_nonnull(strstr(out, "--render 10x5 is too small: the viewer needs at least 40x8"));
	free(out);
	/* each part of a JSON note on its own line; a JSON of which nothing loads fails */
	ck_assert_int_eq(sh("printf '{\"traceEvents\":[{\"ph\":\"Q\"},{\"ph\":\"X\",\"name\":\"y\",\"ts\":1,"
			    "\"dur\":3,\"pid\":1,\"tid\":1},{\"ph\":\"X\",\"pid\":1,\"tid\":1}]}' >'%s/part.json'", dir), 0);
	out = sh_out("'%s' --info '%s/part.json' 2>&1; echo EXIT=$?", vtui, dir);
	ck_assert_ptr_nonnull(strstr(out, "\nnote: 1 events of kinds not imported were skipped (ph 'Q' x1)\nnote: 1 invalid"));
	ck_assert_ptr_null(strstr(out, ")?1"));
	ck_assert_ptr_nonnull(strstr(out, "EXIT=0"));
	free(out);
	ck_assert_int_eq(sh("printf '{\"traceEvents\":[{\"ph\":\"Q\"}]}' >'%s/none.json'", dir), 0);
	for (int i = 0; i < 3; i++) {
		static const char *const how[] = { "--info", "--render 80x24", "stats" };

		out = sh_out("'%s' %s '%s/none.json' 2>&1; echo EXIT=$?", vtui, how[i], dir);
		ck_assert_msg(strstr(out, "none.json: no event could be loaded: 1 events of kinds not imported") &&
			      strstr(out, "EXIT=1"), "%s: %s", how[i], out);
		free(out);
	}
	out = sh_out("'%s' --help", vtui);
	ck_assert_ptr_nonnull(strstr(out, "--render WxH"));
	for (int f = FLT_FIELD_ANY + 1; f < FLT_FIELD_COUNT; f++) { /* the search fields, by hand there */
		snprintf(want, sizeof(want), " %s:", flt_field_name((enum flt_field)f));
		ck_assert_msg(strstr(out, want), "vtui --help does not name the search field%s", want);
	}
	free(out);
	options_in_man(vtui);
	/* the version is the one in VERSION (the tests run from the top of the tree) */
	version = sh_out("cat VERSION");
	ck_assert_msg(version[0] >= '0' && version[0] <= '9', "VERSION holds '%s'", version);
	version[strcspn(version, "\n")] = '\0';
	snprintf(want, sizeof(want), "vtui %s (VTB format %d)\n", version, VTB_VERSION);
	out = sh_out("'%s' --version", vtui);
	ck_assert_str_eq(out, want);
	free(out);
	free(version);
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
	return tmux_run(tmux_suite(), fixtures_setup, fixtures_teardown);
}
