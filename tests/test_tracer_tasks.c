/* SPDX-License-Identifier: MIT */
/* test_tracer_tasks.c: asyncio tasks as the tracer records them: every step of a task (the
 * outermost coroutine the event loop resumes) names its task, awaited coroutines do not,
 * and `vtui stats --tasks` gives each task's steps, span, busy and wait time
 * (tests/tracer_fixtures.h; the viewer is $VTUI_BUILD/vtui). */
#include "tests/tracer_fixtures.h"
#include "tests/tmux_harness.h"

#include <signal.h>

/* The steps of task `name` in the dump, and the name of the function each step ran. */
static size_t steps_of(const vtb_trace *t, const char *name, const char *fn)
{
	size_t n = 0;
	for (size_t i = 0; i < vtb_trace_thread_count(t); i++) {
		const vtb_thread *th = vtb_trace_thread(t, i);
		for (size_t k = 0; k < th->task_step_count; k++) {
			const vtb_task_step *s = &th->task_steps[k];
			if (strcmp(s->name, name) != 0)
				continue;
			ck_assert_str_eq(name_of(t, &th->rows[s->depth].slices[s->index]), fn);
			n++;
		}
	}
	return n;
}

static size_t all_steps(const vtb_trace *t)
{
	size_t n = 0;
	for (size_t i = 0; i < vtb_trace_thread_count(t); i++)
		n += vtb_trace_thread(t, i)->task_step_count;
	return n;
}

/* tracer_tasks/task_steps.py: alpha sleeps 0.1s: two steps. beta sleeps 0.05s, then
 * awaits alpha, still running: three steps. The third task, unnamed (Task-N, N depending
 * on the version), sleeps 0.15s: two steps. main (the loop's first task, Task-1) waits for
 * the three: two steps. A coroutine driven by hand, outside any loop, is no task. */
START_TEST(test_task_steps)
{
	write_program("prog.py", "tracer_tasks/task_steps.py");
	ck_assert_int_eq(run_py(NULL, "t.out", NULL, "-m vtrace -q -o t.bin prog.py"), 0);
	char *out = read_file("t.out");
	char main_name[64], third[64];
	ck_assert_int_eq(sscanf(out, "%63s %63s", main_name, third), 2);
	ck_assert_str_eq(main_name, "Task-1");
	vtb_trace *t = load("t.bin");
	ck_assert_uint_eq(steps_of(t, "Task-1", "__main__.main"), 2);
	ck_assert_uint_eq(steps_of(t, "alpha", "__main__.worker"), 2);
	ck_assert_uint_eq(steps_of(t, "beta", "__main__.worker"), 3);
	ck_assert_uint_eq(steps_of(t, third, "__main__.worker"), 2);
	/* no other task; leaf and sleep ran inside the steps, by_hand outside any */
	ck_assert_uint_eq(all_steps(t), 9);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.by_hand"), 1);
	vtb_trace_free(t);

	/* Per task: steps, then span >= what it slept, busy < span, wait = span - busy. */
	char vtui[1024];
	tmux_find_vtui(vtui, sizeof vtui);
	char *csv = sh_out("'%s' stats --tasks --format csv '%s'", vtui, path_in("t.bin"));
	const char *want[] = { "Task-1", "alpha", "beta", third };
	const unsigned steps[] = { 2, 2, 3, 2 };
	const double slept[] = { 0.15, 0.1, 0.1, 0.15 };
	char *line = strchr(csv, '\n');
	ck_assert_msg(line && !strncmp(csv, "task,thread,steps,span,busy,wait\n", 33), "%s", csv);
	for (int i = 0; i < 4; i++) {
		char task[64], thread[64];
		unsigned n;
		unsigned long long span, busy, wait;
		ck_assert_msg(sscanf(line + 1, "%63[^,],%63[^,],%u,%llu,%llu,%llu", task, thread, &n, &span, &busy,
				     &wait) == 6, "%s", csv);
		ck_assert_str_eq(task, want[i]);
		ck_assert_str_eq(thread, "MainThread");
		ck_assert_uint_eq(n, steps[i]);
		ck_assert_uint_ge(span, (unsigned long long)(slept[i] * 1e9));
		ck_assert_uint_lt(busy, span);
		ck_assert_uint_eq(wait, span - busy);
		line = strchr(line + 1, '\n');
		ck_assert_ptr_nonnull(line);
	}
	ck_assert_str_eq(line, "\n");
	free(csv);
	free(out);
}
END_TEST

/* Tasks on two threads, each with its own loop: a lane per task, under its thread. */
START_TEST(test_tasks_per_thread)
{
	write_program("prog.py", "tracer_tasks/tasks_per_thread.py");
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -q -o t.bin prog.py"), 0);
	vtb_trace *t = load("t.bin");
	ck_assert_uint_eq(steps_of(t, "w-x", "__main__.step"), 4);
	ck_assert_uint_eq(steps_of(t, "w-y", "__main__.step"), 2);
	ck_assert_uint_eq(steps_of(t, "m-x", "__main__.step"), 4);
	ck_assert_uint_eq(steps_of(t, "m-y", "__main__.step"), 2);
	const vtb_thread *w = thread_named(t, "worker");
	ck_assert_ptr_nonnull(w);
	size_t mine = 0; /* w-x, w-y and the thread's main task (Task-N) */
	for (size_t k = 0; k < w->task_step_count; k++) {
		ck_assert_int_ne(w->task_steps[k].name[0], 'm');
		mine += w->task_steps[k].name[0] == 'w';
	}
	ck_assert_uint_eq(mine, 6);
	ck_assert_uint_eq(w->task_step_count, 8);
	vtb_trace_free(t);
}
END_TEST

/* The black box: a process killed inside a task leaves its steps in the ring file. */
START_TEST(test_tasks_in_ring)
{
	write_program("prog.py", "tracer_tasks/tasks_in_ring.py");
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -q -o t.bin prog.py"), 128 + SIGKILL);
	char vtui[1024];
	tmux_find_vtui(vtui, sizeof vtui);
	char *csv = sh_out("'%s' stats --tasks --format csv \"$(ls '%s'/vtrace/*.ring)\" | cut -d, -f1-3", vtui, path_in(""));
	ck_assert_str_eq(csv, "task,thread,steps\nTask-1,MainThread,1\nkiller,MainThread,2\n");
	free(csv);
}
END_TEST

/* ---- the lanes in the viewer, at 80x24 in tmux ---- */

/* Line `k` after MainThread's title line in `pane` into out ("" when there is none). */
static void lane_line(const char *pane, int k, char *out, size_t len)
{
	const char *p = strstr(pane, "MainThread tid ");

	out[0] = '\0';
	while (p && p > pane && p[-1] != '\n')
		p--;
	for (int i = 0; p && i < k; i++)
		if ((p = strchr(p, '\n')))
			p++;
	if (p)
		snprintf(out, len, "%.*s", (int)strcspn(p, "\n"), p);
}

/* Which line after the title each task's lane is on, by the titles at the whole view. */
struct lanes {
	int main, ingest, report;
};

static int starts(const char *pane, int k, const char *title)
{
	char line[1024];

	lane_line(pane, k, line, sizeof line);
	return !strncmp(line, title, strlen(title)) && line[strlen(title)] == ' ';
}

/* Polls the pane (up to 20 s, no fixed sleeps) until the lane of Task-1, ingest and
 * report hold want[i] (NULL: their title) and no "__main__." call but that one. */
static void expect_lanes(const struct lanes *l, const char *const want[3], const char *also)
{
	const int at[3] = { l->main, l->ingest, l->report };
	struct timespec nap = { 0, 50 * 1000 * 1000 };
	char *pane = NULL, line[1024];
	int ok = 0;

	for (int round = 0; round < 400 && !ok; round++) {
		if (round)
			nanosleep(&nap, NULL);
		free(pane);
		pane = tmux_capture(0);
		ok = !also || strstr(pane, also);
		for (int i = 0; i < 3 && ok; i++) {
			lane_line(pane, at[i], line, sizeof line);
			const char *call = strstr(line, "__main__.");
			ok = want[i] ? call && !strncmp(call, want[i], strlen(want[i])) && !strstr(call + 1, "__main__.")
				     : !call;
		}
	}
	ck_assert_msg(ok, "lanes never showed %s | %s | %s (and %s):\n%s", want[0] ? want[0] : "-",
		      want[1] ? want[1] : "-", want[2] ? want[2] : "-", also ? also : "-", pane);
	free(pane);
}

static void command(const char *line)
{
	tmux_type(line);
	tmux_keys("Enter");
}

/* A real asyncio program with two named tasks, opened at 80x24 with the standard library
 * flattened (the shipped no-stdlib preset): a lane per task under MainThread's title,
 * named by the task; zoomed to a call, the lane of the task it ran in shows that task's
 * step (its coroutine) and the other lanes nothing. */
START_TEST(test_lanes_in_tmux)
{
	char vtui[1024], presets[PATH_MAX], cmd[PATH_MAX + 1200];
	struct lanes l = { 0, 0, 0 };

	ck_assert_ptr_nonnull(realpath("examples/presets.json", presets));
	write_program("lanes.py", "tracer_tasks/lanes_in_tmux.py");
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -q -o t.bin lanes.py"), 0);
	tmux_find_vtui(vtui, sizeof vtui);
	snprintf(cmd, sizeof cmd, "timeout --foreground 120 '%s' --presets '%s' -p no-stdlib t.bin", vtui, presets);
	tmux_start_in(path_in(""), 80, 24, cmd);
	char *pane = tmux_wait_for("? help");
	for (int k = 1; k <= 8; k++) { /* the lanes come right under the title */
		l.main = starts(pane, k, "Task-1") ? k : l.main;
		l.ingest = starts(pane, k, "ingest") ? k : l.ingest;
		l.report = starts(pane, k, "report") ? k : l.report;
	}
	ck_assert_msg(l.main == 1 && l.ingest > 1 && l.report > 1, "no lanes for Task-1, ingest, report:\n%s", pane);
	free(pane);
	command(":goto start");
	command(":search ^__main__\\.parse_rows$");
	command(":zoom sel");
	/* parse_rows ran in a step of ingest (under fetch), while report slept */
	expect_lanes(&l, (const char *const[3]){ NULL, "__main__.ingest ", NULL }, "[__main__.parse_rows ");
	tmux_expect("__main__.fetch "); /* the step's call (cut at the left edge or not, by version) */
	command(":goto start");
	command(":search ^__main__\\.render_report$");
	command(":zoom sel");
	expect_lanes(&l, (const char *const[3]){ NULL, NULL, "__main__.report " }, "[__main__.render_report ");
	command(":zoom fit");
	command(":quit");
	tmux_expect("EXIT=0");
}
END_TEST

static void tmux_teardown(void)
{
	tmux_stop();
	teardown();
}

int main(void)
{
	Suite *s = suite_create("tracer_tasks");
	TCase *tc = tcase_create("lanes_in_tmux");
	const struct tf_case cases[] = {
		{ "task_steps", test_task_steps },
		{ "tasks_per_thread", test_tasks_per_thread },
		{ "tasks_in_ring", test_tasks_in_ring },
	};
	tf_add_cases(s, cases, sizeof cases / sizeof *cases, 120);
	tcase_add_checked_fixture(tc, setup, tmux_teardown);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, test_lanes_in_tmux);
	suite_add_tcase(s, tc);
	return tf_run(s);
}
