/* SPDX-License-Identifier: MIT */
/* test_tracer_calls.c: the call list (analysis/analysis.h) of a real program that runs threads,
 * logs and dies of a KeyError, traced with arguments, return values and log records: the
 * incident is the crash in MainThread, the rows before it end with the failing call and
 * hold the warning logged before it, and a worker's rows interleave its log record
 * between its calls. Runs once per interpreter (tools/run-tests.sh). */
#include "analysis/analysis.h"

#include "tests/tracer_fixtures.h"

static void label_of(const vtb_trace *t, const calls_list *l, calls_pos p, char *buf, size_t len)
{
	calls_row r;

	ck_assert_int_eq(calls_row_get(l, p, &r), 0);
	calls_label(t, &r, buf, len);
}

/* Index of the thread called `name`. */
static size_t thread_called(const vtb_trace *t, const char *name)
{
	for (size_t i = 0; i < vtb_trace_thread_count(t); i++)
		if (vtb_trace_thread(t, i)->name && !strcmp(vtb_trace_thread(t, i)->name, name))
			return i;
	ck_abort_msg("no thread %s", name);
	return 0;
}

START_TEST(test_story_of_a_crash)
{
	static const char *const worker[] = { "__main__.work(n=1) = 3", "[INFO shop] worker 1 done",
					      "__main__.price(sku='sku-1') = 3" };
	vtb_trace *t;
	an_incident in;
	calls_list *l;
	calls_pos p;
	char label[512];
	size_t k = 0;
	int warned = 0;

	write_program("shop.py", "tracer_calls/story_of_a_crash.py");
	ck_assert_int_ne(run_py(NULL, NULL, "t.err", "-m vtrace --log-args --log-retval --log-handler INFO "
				"-o t.bin shop.py"), 0);
	t = load("t.bin");
	an_incident_find(t, &in);
	ck_assert_int_eq(in.thread, (int64_t)thread_called(t, "MainThread"));
	ck_assert_ptr_nonnull(l = calls_list_new(t, (size_t)in.thread));
	ck_assert_int_eq(calls_at_time(l, in.at_ns, &p), 0);
	label_of(t, l, p, label, sizeof(label));
	ck_assert_str_eq(label, "__main__.price(sku='sku-13') [exception]");
	/* the call goto incident (e) selects is that row, with the tracer's traceback */
	ck_assert_int_ge(in.call_depth, 0);
	ck_assert_int_eq(calls_of_call(l, (uint32_t)in.call_depth, in.call_index, &p), 0);
	label_of(t, l, p, label, sizeof(label));
	ck_assert_str_eq(label, "__main__.price(sku='sku-13') [exception]");
	ck_assert_ptr_nonnull(in.traceback);
	ck_assert_ptr_nonnull(strstr(in.traceback, "KeyError: 'sku-13'"));
	/* back to main: the warning was logged on the way */
	while (calls_step(l, &p, -1) == 0) {
		label_of(t, l, p, label, sizeof(label));
		warned |= !strcmp(label, "[WARNING shop] pricing sku-13");
		if (!strncmp(label, "__main__.main()", strlen("__main__.main()")))
			break;
	}
	ck_assert_str_eq(label, "__main__.main() [exception]");
	ck_assert(warned);
	calls_list_free(l);
	/* a worker: its call, its log record inside it, the call after the record */
	ck_assert_ptr_nonnull(l = calls_list_new(t, thread_called(t, "w1")));
	ck_assert_int_eq(calls_first(l, &p), 0);
	do {
		label_of(t, l, p, label, sizeof(label));
		k += k < 3 && !strcmp(label, worker[k]);
	} while (calls_step(l, &p, 1) == 0);
	ck_assert_uint_eq(k, 3);
	calls_list_free(l);
	vtb_trace_free(t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tracer_calls");
	TCase *tc = tcase_create("calls");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_story_of_a_crash);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
