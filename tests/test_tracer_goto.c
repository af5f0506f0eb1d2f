/* SPDX-License-Identifier: MIT */
/* test_tracer_goto.c: from opening a dump to its incident in one key, in a terminal (tmux),
 * on tests/programs/crash_worker.py traced by vtrace: a service whose worker-2 thread dies
 * of an unhandled KeyError in lookup_price, after worker-1's orders and warning records.
 * One key (e) selects the call the exception began in and the details show its type,
 * message and traceback; on a dump a warning triggered, e selects that record; the tracer
 * leaves the traceback as an "unhandled exception" instant on the failing thread. */
#include "tests/tracer_fixtures.h"
#include "tests/tmux_harness.h"

#include <limits.h>

static char vtui[512], prog[PATH_MAX];

static void goto_setup(void)
{
	setup();
	tmux_find_vtui(vtui, sizeof vtui);
	ck_assert_msg(realpath("tests/programs/crash_worker.py", prog) != NULL,
		      "run from the source tree: tests/programs/crash_worker.py");
}

static void goto_teardown(void)
{
	tmux_stop();
	teardown();
}

/* vtui on `file` of the test dir in a 200x80 pane, once it shows thread `thread`. */
static void open_dump(const char *file, const char *thread)
{
	char cmd[2048];

	snprintf(cmd, sizeof cmd, "timeout --foreground 120 '%s' %s", vtui, file);
	tmux_start_in(dir, 200, 80, cmd);
	tmux_expect(thread);
}

START_TEST(test_unhandled_in_worker_one_key)
{
	const vtb_thread *th;
	vtb_trace *t;
	char *pane;
	size_t unhandled = 0;

	ck_assert_int_eq(run_py(NULL, NULL, "err", "-m vtrace -q --log-handler --log-args -o crash.bin '%s' 40",
				prog), 0);
	t = load("crash.bin");
	th = thread_named(t, "worker-2");
	ck_assert_ptr_nonnull(th);
	for (size_t i = 0; i < th->mark_count; i++)
		if (th->marks[i].kind == VTB_MARK_INSTANT &&
		    !strcmp(vtb_trace_string(t, th->marks[i].name_id)->name, "unhandled exception")) {
			ck_assert_ptr_nonnull(strstr(th->marks[i].text, "Traceback (most recent call last):"));
			ck_assert_ptr_nonnull(strstr(th->marks[i].text, "KeyError: 'sku-13'"));
			unhandled++;
		}
	ck_assert_uint_eq(unhandled, 1);
	vtb_trace_free(t);

	open_dump("crash.bin", "worker-2 tid");
	tmux_keys("e");
	/* the last line of the details: the screen is drawn by then */
	tmux_expect("the unhandled exception (in thread worker-2");
	pane = tmux_wait_for(" args sku='sku-13'");
	ck_assert_msg(strstr(pane, " name __main__.lookup_price\n"), "%.3000s", pane);
	ck_assert_msg(strstr(pane, " exception KeyError: 'sku-13' (unhandled)\n"), "%.3000s", pane);
	ck_assert_msg(strstr(pane, "Traceback (most recent call last):"), "%.3000s", pane);
	ck_assert_msg(strstr(pane, "crash_worker.py\", line 20, in lookup_price"), "%.3000s", pane);
	ck_assert_msg(strstr(pane, "return PRICES[sku]"), "%.3000s", pane);
	ck_assert_msg(strstr(pane, " args sku='sku-13'"), "%.3000s", pane);
	ck_assert_msg(strstr(pane, "the unhandled exception (in thread worker-2: KeyError: 'sku-13')"), "%.3000s", pane);
	free(pane);
	/* < and > walk the calls exceptions began in: none on worker-2 before this one (after
	 * it, Python 3.13's traceback printing catches a KeyError of its own) */
	tmux_type("<");
	tmux_expect("no previous exception on this thread");
	/* { goes back to the thread's last log record before it: order 32's warning */
	tmux_type("{");
	tmux_expect(" text order 32 is large: 171");
	tmux_keys("q");
}
END_TEST

START_TEST(test_log_record_that_dumped)
{
	char *pane;

	ck_assert_int_eq(run_py(NULL, NULL, "err", "-m vtrace -q --log-handler --dump-on-log WARNING "
				"-o warn.bin '%s' 40", prog), 0);
	open_dump("warn.bin", "worker-1 tid");
	tmux_keys("e");
	pane = tmux_wait_for("the log record that dumped");
	/* the first warning: worker-1's order 8 (prices 18, 19 and 20, three of each) */
	ck_assert_msg(strstr(pane, "(WARNING shop: order 8 is large: 171)"), "%.3000s", pane);
	ck_assert_msg(strstr(pane, " mark log record at "), "%.3000s", pane);
	ck_assert_msg(strstr(pane, " on worker-1 tid "), "%.3000s", pane);
	ck_assert_msg(strstr(pane, " text order 8 is large: 171"), "%.3000s", pane);
	free(pane);
	/* the dump was written at this record: nothing after it */
	tmux_type("}");
	tmux_expect("no next log record on this thread");
	tmux_keys("q");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tracer_goto");
	TCase *tc = tcase_create("goto");

	tcase_add_checked_fixture(tc, goto_setup, goto_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_unhandled_in_worker_one_key);
	tcase_add_test(tc, test_log_record_that_dumped);
	suite_add_tcase(s, tc);
	return tf_run(s);
}
