/* test_tui_tmux_filters.c: search, filters and presets driven as a person would, in the
 * real binary inside a private tmux server (the approach of test_tui_tmux.c: one server
 * per test, vtui under `timeout` in a shell that prints its exit status, the pane read
 * with capture-pane). Also the batch command line: --preset, --presets, --script, the
 * stats and convert subcommands, exit statuses. The binary is $VTUI_BUILD/vtui. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/tui_fixtures.h"

static char vtui[512];
static char dir[] = "/tmp/vtui-tmuxf-XXXXXX";
static char sock[64];

static void write_text(const char *name, const char *text)
{
	char path[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

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
	write_text("presets.json",
		   "{ \"about\": \"kept as is\", \"presets\": {\n"
		   "  \"steps\": { \"description\": \"the steps, zoomed\", \"commands\": [\"filter ^app\\\\.step$\", \"goto 40ms\", \"zoom 4x\"] },\n"
		   "  \"slow\": [\"min-duration 8ms\"] } }\n");
	write_text("broken.json", "{ \"presets\": {\n  \"x\": [\"filter a\",, ]\n} }\n");
	write_text("look.vtui", "# a script\n\nhide ^json\\.\n  search save  \n");
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

/* Start vtui with `args` (words for the shell, may name files in dir as DIR/...) on fixture
 * `name` in a 100x24 pane. */
static void start(const char *name, const char *args)
{
	static int servers;

	snprintf(sock, sizeof(sock), "vtui-testf-%d-%d", (int)getpid(), servers++);
	ck_assert_int_eq(sh("cd '%s' && tmux -L %s -f /dev/null new-session -d -x 100 -y 24 "
			    "\"timeout --foreground 120 '%s' %s '%s/%s.vtb'; echo EXIT=\\$?; sleep 30\"",
			    dir, sock, vtui, args ? args : "", dir, name), 0);
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

/* Type text literally (regexes have characters tmux would read as key names). */
static void type(const char *text)
{
	ck_assert_int_eq(sh("tmux -L %s send-keys -l '%s'", sock, text), 0);
}

static char *capture(void)
{
	return sh_out("tmux -L %s capture-pane -p", sock);
}

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
	ck_abort_msg("pane never showed '%s'; it shows:\n%.2400s", text, pane);
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
		pane = capture();
		if (!strstr(pane, text)) {
			free(pane);
			return;
		}
		nanosleep(&nap, NULL);
	}
	ck_abort_msg("pane still shows '%s':\n%.2400s", text, pane);
}

START_TEST(search_with_slash_and_n)
{
	start("simple", NULL);
	expect("? help");
	keys("/");
	expect(":search _");
	type("^app\\.step$");
	keys("Enter");
	/* from the cursor (50ms): the 84th step starts there */
	expect("match 84 of 200");
	expect("/^app\\.step$ 200 calls");
	expect("name app.step");
	keys("n");
	expect("match 85 of 200");
	keys("N N");
	expect("match 83 of 200");
	keys(": 'search' Enter");
	expect("search cleared");
	expect_gone("/^app\\.step$ 200");
	keys("q");
	expect("EXIT=0");
	stop();
}
END_TEST

START_TEST(filter_hide_and_clear)
{
	start("simple", NULL);
	expect("[app.compute 60ms");
	keys("F");
	expect(":filter _");
	type("^app\\.load$");
	keys("Enter");
	expect("[filter ^app\\.load$]");
	expect_gone("[app.compute 60ms");
	expect("[app.load 20ms");
	/* a bad pattern: the error, and the filter there was */
	keys(":");
	type("filter (");
	keys("Enter");
	expect("missing closing parenthesis");
	expect("[filter ^app\\.load$]");
	keys("X");
	expect_gone("[filter");
	expect("[app.compute 60ms");
	keys("H");
	type("compute");
	keys("Enter");
	expect("[hide compute]");
	expect_gone("[app.compute 60ms");
	keys(":");
	type("min-duration 8ms");
	keys("Enter");
	expect("[hide compute | min-duration 8ms]");
	expect("4 of 206 calls shown");
	keys("q");
	expect("EXIT=0");
	stop();
}
END_TEST

START_TEST(presets_start_pick_save)
{
	char *file;

	start("simple", "--presets presets.json -p steps");
	expect("[filter ^app\\.step$]");
	expect("view 30ms-55ms");
	keys("p");
	expect("Presets: Enter or 1-9 applies");
	expect("2  slow");
	keys("2");
	expect("[filter ^app\\.step$ | min-duration 8ms]");
	keys("X :");
	type("hide json");
	keys("Enter");
	keys(":");
	type("save-preset nojson");
	keys("Enter");
	expect("saved preset nojson");
	keys("q");
	expect("EXIT=0");
	stop();
	file = sh_out("cat '%s/presets.json'", dir);
	ck_assert_msg(strstr(file, "\"nojson\"") && strstr(file, "hide json") && strstr(file, "kept as is") &&
		      strstr(file, "\"steps\""), "%s", file);
	free(file);
}
END_TEST

START_TEST(broken_presets_still_open)
{
	start("simple", "--presets broken.json -p x");
	expect("[main 100ms");
	expect("broken.json:2:");
	keys("q");
	expect("EXIT=0");
	stop();
}
END_TEST

/* ---- batch ---- */

START_TEST(cli_presets_scripts_subcommands)
{
	char *out;

	out = sh_out("cd '%s' && '%s' --render 100x12 --presets presets.json --preset steps --script look.vtui "
		     "--cmd 'select parent' simple.vtb 2>&1; echo EXIT=$?", dir, vtui);
	ck_assert_msg(strstr(out, "[filter ^app\\.step$ | hide ^json\\.]") && strstr(out, "/save 1 call") &&
		      strstr(out, "view 30ms-55ms") && strstr(out, "EXIT=0"), "%s", out);
	free(out);
	/* a failing script line names the file and line */
	out = sh_out("cd '%s' && printf 'goto 3ms\\nzoom sideways\\n' > bad.vtui && '%s' --render 80x24 "
		     "--script bad.vtui simple.vtb 2>&1; echo EXIT=$?", dir, vtui);
	ck_assert_msg(strstr(out, "bad.vtui:2: 'zoom sideways'") && strstr(out, "EXIT=1"), "%s", out);
	free(out);
	out = sh_out("cd '%s' && '%s' --render 80x24 --cmd 'filter (' simple.vtb 2>&1; echo EXIT=$?", dir, vtui);
	ck_assert_msg(strstr(out, "missing closing parenthesis") && strstr(out, "EXIT=1"), "%s", out);
	free(out);
	/* broken preset file: the message on stderr, the screen all the same, exit 3 */
	out = sh_out("cd '%s' && '%s' --render 80x24 --presets broken.json -p x simple.vtb 2>&1 >/dev/null; echo EXIT=$?",
		     dir, vtui);
	ck_assert_msg(strstr(out, "broken.json:2:") && strstr(out, "EXIT=3"), "%s", out);
	free(out);
	out = sh_out("cd '%s' && '%s' --render 80x24 --presets broken.json -p x simple.vtb 2>/dev/null", dir, vtui);
	ck_assert_msg(strstr(out, "[main 100ms") != NULL, "%s", out);
	free(out);
	out = sh_out("cd '%s' && '%s' --render 80x24 --presets presets.json -p nope simple.vtb 2>&1 >/dev/null; echo EXIT=$?",
		     dir, vtui);
	ck_assert_msg(strstr(out, "no preset 'nope' (there are: steps, slow") && strstr(out, "EXIT=3"), "%s", out);
	free(out);
	out = sh_out("cd '%s' && '%s' --cmd 'zoom in' simple.vtb 2>&1; echo EXIT=$?", dir, vtui);
	ck_assert_msg(strstr(out, "go with --render") && strstr(out, "EXIT=2"), "%s", out);
	free(out);
	/* subcommands, and JSON traces in every batch mode */
	out = sh_out("cd '%s' && '%s' convert simple.vtb -o simple.json 2>&1 && '%s' stats simple.json --top 1 "
		     "--filter step && '%s' --info simple.json && '%s' --render 100x10 --cmd 'filter step' simple.json; "
		     "echo EXIT=$?", dir, vtui, vtui, vtui, vtui);
	ck_assert_msg(strstr(out, "app.step") && strstr(out, "calls: 206") && strstr(out, "202 of 206 calls shown") &&
		      strstr(out, "EXIT=0"), "%s", out);
	free(out);
	out = sh_out("cd '%s' && '%s' stats missing.vtb 2>&1; echo EXIT=$?", dir, vtui);
	ck_assert_msg(strstr(out, "missing.vtb") && strstr(out, "EXIT=1"), "%s", out);
	free(out);
}
END_TEST

static Suite *tmux_filters_suite(void)
{
	Suite *s = suite_create("tui_tmux_filters");
	TCase *tc = tcase_create("terminal");

	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, search_with_slash_and_n);
	tcase_add_test(tc, filter_hide_and_clear);
	tcase_add_test(tc, presets_start_pick_save);
	tcase_add_test(tc, broken_presets_still_open);
	suite_add_tcase(s, tc);
	tc = tcase_create("cli");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, cli_presets_scripts_subcommands);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(tmux_filters_suite());
	int failed;

	fixtures_setup();
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	fixtures_teardown();
	return failed ? 1 : 0;
}
