/* SPDX-License-Identifier: MIT */
/* test_tui_tmux_filters.c: search, filters and presets driven as a person would, in the
 * real binary inside a private tmux server (the approach of test_tui_tmux.c: one server
 * per test, vtui under `timeout` in a shell that prints its exit status, the pane read
 * with capture-pane). Also the batch command line: --preset, --presets, --script, the
 * stats and convert subcommands, exit statuses. The binary is $VTUI_BUILD/vtui. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/tmux_harness.h"
#include "tests/tui_fixtures.h"

static char vtui[512];
static char dir[] = "/tmp/vtui-tmuxf-XXXXXX";

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
	char path[600];

	tmux_find_vtui(vtui, sizeof(vtui));
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
	tmux_remove_dir(dir);
}

/* Start vtui with `args` (words for the shell, may name files in dir as DIR/...) on fixture
 * `name` in a 100x24 pane. */
static void start(const char *name, const char *args)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "timeout --foreground 120 '%s' %s '%s/%s.vtb'",
		 vtui, args ? args : "", dir, name);
	tmux_start_in(dir, 100, 24, cmd);
}

START_TEST(search_with_slash_and_n)
{
	start("simple", NULL);
	tmux_expect("? help");
	tmux_keys("/");
	tmux_expect(":search _");
	tmux_type("^app\\.step$");
	tmux_keys("Enter");
	/* from the cursor (50ms): the 84th step starts there */
	tmux_expect("match 84 of 200");
	tmux_expect("/^app\\.step$ 200 calls");
	tmux_expect("name app.step");
	tmux_keys("n");
	tmux_expect("match 85 of 200");
	tmux_keys("N N");
	tmux_expect("match 83 of 200");
	tmux_keys(": 'search' Enter");
	tmux_expect("search cleared");
	tmux_expect_gone("/^app\\.step$ 200");
	tmux_keys("q");
	tmux_expect("EXIT=0");
	tmux_stop();
}
END_TEST

START_TEST(filter_hide_and_clear)
{
	start("simple", NULL);
	tmux_expect("[app.compute 60ms");
	tmux_keys("F");
	tmux_expect(":filter _");
	tmux_type("^app\\.load$");
	tmux_keys("Enter");
	tmux_expect("[filter ^app\\.load$]");
	tmux_expect_gone("[app.compute 60ms");
	tmux_expect("[app.load 20ms");
	/* a bad pattern: the error, and the filter there was */
	tmux_keys(":");
	tmux_type("filter (");
	tmux_keys("Enter");
	tmux_expect("missing closing parenthesis");
	tmux_expect("[filter ^app\\.load$]");
	tmux_keys("X");
	tmux_expect_gone("[filter");
	tmux_expect("[app.compute 60ms");
	tmux_keys("H");
	tmux_type("compute");
	tmux_keys("Enter");
	tmux_expect("[hide compute]");
	tmux_expect_gone("[app.compute 60ms");
	tmux_keys(":");
	tmux_type("min-duration 8ms");
	tmux_keys("Enter");
	tmux_expect("[hide compute | min-duration 8ms]");
	tmux_expect("4 of 206 calls shown");
	tmux_keys("q");
	tmux_expect("EXIT=0");
	tmux_stop();
}
END_TEST

START_TEST(presets_start_pick_save)
{
	char *file;

	start("simple", "--presets presets.json -p steps");
	tmux_expect("[filter ^app\\.step$]");
	tmux_expect("view 30ms-55ms");
	tmux_keys("p");
	tmux_expect("Presets: Enter or 1-9 applies");
	tmux_expect("2  slow");
	tmux_keys("2");
	tmux_expect("[filter ^app\\.step$ | min-duration 8ms]");
	tmux_keys("X :");
	tmux_type("hide json");
	tmux_keys("Enter");
	tmux_keys(":");
	tmux_type("save-preset nojson");
	tmux_keys("Enter");
	tmux_expect("saved preset nojson");
	tmux_keys("q");
	tmux_expect("EXIT=0");
	tmux_stop();
	file = sh_out("cat '%s/presets.json'", dir);
	ck_assert_msg(strstr(file, "\"nojson\"") && strstr(file, "hide json") && strstr(file, "kept as is") &&
		      strstr(file, "\"steps\""), "%s", file);
	free(file);
}
END_TEST

START_TEST(broken_presets_still_open)
{
	start("simple", "--presets broken.json -p x");
	tmux_expect("[main 100ms");
	tmux_expect("broken.json:2:");
	tmux_keys("q");
	tmux_expect("EXIT=0");
	tmux_stop();
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
	return tmux_run(tmux_filters_suite(), fixtures_setup, fixtures_teardown);
}
