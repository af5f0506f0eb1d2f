/* SPDX-License-Identifier: MIT */
/* test_tracer_search.c: search, completion, history and the no-stdlib preset in the real
 * viewer (tmux), on the dump of a program that logs, runs threads and crashes with a
 * KeyError, traced with --log-args and --log-handler under each interpreter (the layout of
 * stdlib frames, threading's bootstrap above every worker call, differs by version).
 * Harnesses: tests/tracer_fixtures.h, tests/tmux_harness.h. */
#include <check.h>
#include <string.h>

#include "tests/tracer_fixtures.h"
#include "tests/tmux_harness.h"

static char vtui[512];
static char srcdir[PATH_MAX]; /* $VTUI_SRCDIR, or where the suite started */

static void search_setup(void)
{
	setup();
	tmux_find_vtui(vtui, sizeof vtui);
	write_program("shop.py", "tracer_search/shop.py");
	ck_assert_int_eq(run_py(NULL, NULL, "shop.err", "-m vtrace --log-args --log-handler=INFO -o shop.vtb shop.py"), 1);
}

static void search_teardown(void)
{
	tmux_stop();
	teardown();
}

/* Start vtui on the dump with the shipped presets. */
static void start(const char *args)
{
	char cmd[8192];

	snprintf(cmd, sizeof cmd, "timeout --foreground 120 '%s' --presets '%s/examples/presets.json' %s shop.vtb",
		 vtui, srcdir, args);
	tmux_start_in(dir, 160, 40, cmd);
	tmux_expect("? help");
}

/* /KeyError finds the exception (the dump's), an argument value is found by arg:, a
 * lower-case pattern matches any case. */
START_TEST(test_search_exception_and_argument)
{
	start("");
	tmux_keys("/");
	tmux_type("KeyError"); /* the dump's exception, and (3.13) traceback's calls got it as an argument */
	tmux_keys("Enter");
	tmux_expect("1 exception)");
	tmux_keys("/");
	tmux_type("exc:KeyError");
	tmux_keys("Enter");
	tmux_expect("1 call (0 names, 1 exception)");
	tmux_keys("/");
	tmux_type("arg:sku=.sku-13.");
	tmux_keys("Enter");
	tmux_expect("1 call (0 names, 1 arg)");
	tmux_expect("sel __main__.price");
	tmux_keys("/");
	tmux_type("exc:keyerror");
	tmux_keys("Enter");
	tmux_expect("/exc:keyerror 1 call");
	tmux_keys("/");
	tmux_type("log:PRICING");    /* upper case: exact case, and the records say "pricing" */
	tmux_keys("Enter");
	tmux_expect("/log:PRICING: 0 calls (0 names)");
	tmux_keys("/");
	tmux_type("log:pricing");
	tmux_keys("Enter");
	tmux_expect("6 calls (0 names, 6 log records)");
	tmux_keys("q");
	tmux_expect("EXIT=0");
}
END_TEST

/* Tab completes command, preset and thread names; Up on the / line recalls searches only,
 * on the : line every command. */
START_TEST(test_tab_and_history)
{
	start("");
	tmux_keys(":");
	tmux_type("flat");
	tmux_keys("Tab");
	tmux_expect(":flatten_  flatten flatten-file");
	tmux_keys("C-u");
	tmux_type("preset no-s");
	tmux_keys("Tab");
	tmux_expect(":preset no-stdlib_  no-stdlib no-stdlib-subtrees");
	tmux_keys("C-u");
	tmux_type("filter-thr");
	tmux_keys("Tab");
	tmux_expect(":filter-thread _");
	tmux_type("pri");
	tmux_keys("Tab");
	tmux_expect(":filter-thread pricer-_  pricer-0 pricer-1");
	tmux_type("1");
	tmux_keys("Enter");
	tmux_expect("[filter-thread pricer-1]");
	tmux_keys("/");
	tmux_type("sku-2");
	tmux_keys("Enter");
	tmux_expect("/sku-2 ");
	tmux_keys("/");
	tmux_keys("Up");
	tmux_expect(":search sku-2_");
	tmux_keys("Up"); /* no older search: stays */
	tmux_expect(":search sku-2_");
	tmux_keys("Down");
	tmux_expect(":search _");
	tmux_keys("Escape");
	tmux_keys(":");
	tmux_keys("Up");
	tmux_expect(":search sku-2_");
	tmux_keys("Up");
	tmux_expect(":filter-thread pricer-1_");
	tmux_keys("Escape");
	tmux_keys("q");
	tmux_expect("EXIT=0");
}
END_TEST

/* Select a worker call by search: the details pane says its depth. */
static char *worker_details(void)
{
	tmux_keys("/");
	tmux_type("name:^__main__\\.worker$");
	tmux_keys("Enter");
	tmux_expect(" name __main__.worker");
	tmux_expect("calls depth ");
	return tmux_capture(0);
}

/* no-stdlib keeps each worker thread's own calls, moved up to its first row; without it
 * threading's frames come first. */
START_TEST(test_no_stdlib_shows_workers)
{
	char *screen;

	start("");
	screen = worker_details();
	ck_assert_msg(!strstr(screen, "calls depth 0,"), "%s", screen);
	free(screen);
	tmux_keys("q");
	tmux_expect("EXIT=0");
	tmux_stop();
	start("-p no-stdlib");
	tmux_expect("flattened)");
	screen = worker_details();
	ck_assert_msg(strstr(screen, "calls depth 0,"), "%s", screen);
	free(screen);
	tmux_keys("q");
	tmux_expect("EXIT=0");
	/* vtui stats counts the calls the viewer shows */
	screen = sh_out("cd '%s' && '%s' stats shop.vtb --presets '%s/examples/presets.json' -p no-stdlib --format csv",
			dir, vtui, srcdir);
	ck_assert_msg(strstr(screen, "__main__.worker") && strstr(screen, "__main__.price") &&
		      !strstr(screen, "threading.") && !strstr(screen, "logging."), "%s", screen);
	free(screen);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tracer_search");
	TCase *tc = tcase_create("search");
	const char *src = getenv("VTUI_SRCDIR");

	if (!realpath(src && *src ? src : ".", srcdir))
		return 1;
	tcase_add_checked_fixture(tc, search_setup, search_teardown);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_search_exception_and_argument);
	tcase_add_test(tc, test_tab_and_history);
	tcase_add_test(tc, test_no_stdlib_shows_workers);
	suite_add_tcase(s, tc);
	return tf_run(s);
}
