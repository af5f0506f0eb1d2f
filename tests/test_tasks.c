/* SPDX-License-Identifier: MIT */
/* test_tasks.c: asyncio task steps (VTB escape TASK) through the writer and reader, the
 * task lanes (an_tasks_build) with exact figures, `vtui stats --tasks` and the lanes in
 * the timeline (--render), on a hand-built trace. The binary is $VTUI_BUILD/vtui. */
#define _GNU_SOURCE /* asprintf, mkdtemp */
#include "analysis/analysis.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/vtb.h"

enum { LOOP, WORKER, LEAF, MAIN, NNAMES };
static const char *const names[NNAMES] = { "asyncio.run_once", "app.worker", "app.leaf", "app.main" };

/* Thread 0 "MainThread": the loop [0,1000) resumes
 *   alpha (task 7): worker [100,130) (leaf [105,120) inside), worker [300,310)
 *   beta (task 9):  worker [150,200)
 *   Task-1 (task 7 again, another name: a Task freed, another at its address): main [400,450)
 * Thread 1 "Worker-1": its loop [0,500) resumes alpha (task 7): worker [20,80). */
static vtb_trace *known_trace(uint8_t **bytes, size_t *len)
{
	vtb_header h = { .pid = 42, .dump_ns = 1000 };
	vtb_writer *w = vtb_writer_open_mem(&h);
	int64_t id[NNAMES];

	ck_assert_ptr_nonnull(w);
	for (int i = 0; i < NNAMES; i++)
		ck_assert_int_ge(id[i] = vtb_writer_string(w, names[i], "/src/app.py", 1), 0);
	ck_assert_int_eq(vtb_writer_process(w, 42, 1, "python"), 0);
	ck_assert_int_eq(vtb_writer_thread(w, 42, 1000, "MainThread"), 0);
	ck_assert_int_eq(vtb_writer_thread(w, 42, 1001, "Worker-1"), 1);
	/* A step needs an open call. */
	ck_assert_int_eq(vtb_writer_task(w, 0, 7, "alpha"), VTB_E_ARG);
	ck_assert_int_eq(vtb_writer_begin(w, 0, 0, (uint32_t)id[LOOP], 0), 0);
	ck_assert_int_eq(vtb_writer_begin(w, 1, 0, (uint32_t)id[LOOP], 0), 0);
	ck_assert_int_eq(vtb_writer_begin(w, 1, 20, (uint32_t)id[WORKER], 0), 0);
	ck_assert_int_eq(vtb_writer_task(w, 1, 7, "alpha"), 0);
	ck_assert_int_eq(vtb_writer_end(w, 1, 80, 0), 0);
	ck_assert_int_eq(vtb_writer_end(w, 1, 500, 0), 0);
	const struct { uint64_t t0, t1, task; const char *name; int fn; } steps[] = {
		{ 100, 130, 7, "alpha", WORKER }, { 150, 200, 9, "beta", WORKER },
		{ 300, 310, 7, "alpha", WORKER }, { 400, 450, 7, "Task-1", MAIN },
	};
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
		ck_assert_int_eq(vtb_writer_begin(w, 0, steps[i].t0, (uint32_t)id[steps[i].fn], 0), 0);
		ck_assert_int_eq(vtb_writer_task(w, 0, steps[i].task, steps[i].name), 0);
		if (i == 0) { /* an awaited coroutine inside a step is no step */
			ck_assert_int_eq(vtb_writer_begin(w, 0, 105, (uint32_t)id[LEAF], 0), 0);
			ck_assert_int_eq(vtb_writer_end(w, 0, 120, 0), 0);
		}
		ck_assert_int_eq(vtb_writer_end(w, 0, steps[i].t1, 0), 0);
	}
	ck_assert_int_eq(vtb_writer_end(w, 0, 1000, 0), 0);
	ck_assert_int_eq(vtb_writer_finish(w, NULL), 0);
	const uint8_t *mem = vtb_writer_mem(w, len);
	*bytes = malloc(*len);
	memcpy(*bytes, mem, *len);
	vtb_writer_free(w);
	char *cause = NULL;
	vtb_trace *t = vtb_trace_load_mem(*bytes, *len, 0, &cause);
	ck_assert_msg(t != NULL, "%s", cause ? cause : "?");
	return t;
}

START_TEST(test_steps_in_model)
{
	uint8_t *bytes;
	size_t len;
	vtb_trace *t = known_trace(&bytes, &len);
	const vtb_thread *th = vtb_trace_thread(t, 0);

	ck_assert_uint_eq(vtb_trace_call_count(t), 8);
	ck_assert_uint_eq(th->task_step_count, 4);
	const char *want[] = { "alpha", "beta", "alpha", "Task-1" };
	const uint64_t start[] = { 100, 150, 300, 400 };
	for (size_t i = 0; i < 4; i++) {
		const vtb_task_step *s = &th->task_steps[i];
		ck_assert_str_eq(s->name, want[i]);
		ck_assert_uint_eq(s->depth, 1);
		ck_assert_uint_eq(th->rows[1].slices[s->index].start_ns, start[i]);
	}
	ck_assert_uint_eq(th->task_steps[1].task, 9);
	ck_assert_uint_eq(vtb_trace_thread(t, 1)->task_step_count, 1);
	vtb_trace_free(t);
	free(bytes);
}
END_TEST

/* Saved back as VTB (vtui convert, :dump of a live view), the steps stay. */
/* The steps of every thread of a and b, the same: place, task and name. */
static void same_steps(const vtb_trace *a, const vtb_trace *b)
{
	ck_assert_uint_eq(vtb_trace_thread_count(a), vtb_trace_thread_count(b));
	for (size_t i = 0; i < vtb_trace_thread_count(a); i++) {
		const vtb_thread *x = vtb_trace_thread(a, i), *y = vtb_trace_thread(b, i);

		ck_assert_uint_eq(x->tid, y->tid);
		ck_assert_uint_eq(x->task_step_count, y->task_step_count);
		for (size_t k = 0; k < x->task_step_count; k++) {
			ck_assert_uint_eq(x->task_steps[k].depth, y->task_steps[k].depth);
			ck_assert_uint_eq(x->task_steps[k].index, y->task_steps[k].index);
			ck_assert_uint_eq(x->task_steps[k].task, y->task_steps[k].task);
			ck_assert_str_eq(x->task_steps[k].name, y->task_steps[k].name);
		}
	}
}

START_TEST(test_steps_saved)
{
	uint8_t *bytes;
	size_t len;
	vtb_trace *t = known_trace(&bytes, &len);
	char path[64] = "/tmp/vtui-tasks-save-XXXXXX", *cause = NULL;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(vtb_trace_save(t, path, &cause), 0);
	vtb_trace *u = vtb_trace_load(path, 0, NULL, NULL, &cause);
	unlink(path);
	ck_assert_msg(u != NULL, "%s", cause ? cause : "?");
	same_steps(t, u);
	vtb_trace_free(u);
	vtb_trace_free(t);
	free(bytes);
}
END_TEST

/* The event loop's frames flattened away: the steps move up with their calls. */
START_TEST(test_steps_flattened)
{
	uint8_t *bytes;
	size_t len;
	vtb_trace *t = known_trace(&bytes, &len);
	uint64_t drop[1] = { 0 };
	char *cause = NULL;

	for (size_t i = 0; i < vtb_trace_string_count(t); i++)
		if (!strcmp(vtb_trace_string(t, (uint32_t)i)->name, "asyncio.run_once"))
			drop[0] |= 1ull << i;
	vtb_trace *f = vtb_trace_flatten(t, drop, 64, &cause);
	ck_assert_msg(f != NULL, "%s", cause ? cause : "?");
	const vtb_thread *th = vtb_trace_thread(f, 0);
	ck_assert_uint_eq(th->task_step_count, 4);
	for (size_t k = 0; k < 4; k++) {
		ck_assert_uint_eq(th->task_steps[k].depth, 0);
		ck_assert_str_eq(vtb_trace_string(f, th->rows[0].slices[th->task_steps[k].index].name_id)->name,
				 k == 3 ? "app.main" : "app.worker");
	}
	an_tasks *ts = NULL;
	ck_assert_int_eq(an_tasks_build(f, &ts), 0);
	ck_assert_uint_eq(ts->count, 4);
	ck_assert_uint_eq(an_task_wait(&ts->lanes[0]), 170);
	an_tasks_free(ts);
	vtb_trace_free(f); /* frees the base it owns */
	free(bytes);
}
END_TEST

START_TEST(test_lanes)
{
	uint8_t *bytes;
	size_t len;
	vtb_trace *t = known_trace(&bytes, &len);
	an_tasks *ts = NULL;

	ck_assert_int_eq(an_tasks_build(t, &ts), 0);
	ck_assert_uint_eq(ts->count, 4);
	const struct { uint32_t thread; const char *name; size_t steps; uint64_t span, busy, wait; } want[] = {
		{ 0, "alpha", 2, 210, 40, 170 }, { 0, "beta", 1, 50, 50, 0 },
		{ 0, "Task-1", 1, 50, 50, 0 }, { 1, "alpha", 1, 60, 60, 0 },
	};
	for (size_t i = 0; i < 4; i++) {
		const an_task_lane *l = &ts->lanes[i];
		ck_assert_uint_eq(l->thread, want[i].thread);
		ck_assert_str_eq(l->name, want[i].name);
		ck_assert_uint_eq(l->count, want[i].steps);
		ck_assert_uint_eq(an_task_span(l), want[i].span);
		ck_assert_uint_eq(l->busy_ns, want[i].busy);
		ck_assert_uint_eq(an_task_wait(l), want[i].wait);
	}
	/* alpha's lane: its two steps at depth 0, the await gap [130,300) between them */
	ck_assert_uint_eq(ts->lanes[0].slices[0].start_ns, 100);
	ck_assert_uint_eq(ts->lanes[0].slices[1].start_ns, 300);
	ck_assert_uint_eq(ts->lanes[0].slices[1].depth, 0);
	an_tasks_free(ts);
	vtb_trace_free(t);
	free(bytes);
}
END_TEST

static char dir[] = "/tmp/vtui-tasks-XXXXXX";

static const char *vtui(void)
{
	const char *b = getenv("VTUI_BUILD");
	static char path[512];

	snprintf(path, sizeof path, "%s/vtui", b && *b ? b : "build");
	return path;
}

/* The known trace in a file; returns its path (static). */
static const char *known_file(void)
{
	static char path[600];
	uint8_t *bytes;
	size_t len;
	vtb_trace *t = known_trace(&bytes, &len);

	vtb_trace_free(t);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/tasks.vtb", dir);
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(bytes, 1, len, f), len);
	fclose(f);
	free(bytes);
	return path;
}

static void remove_file(const char *path)
{
	unlink(path);
	rmdir(dir);
}

static char *run(const char *fmt, const char *arg)
{
	char cmd[2048], *out = calloc(1, 1 << 16);
	snprintf(cmd, sizeof cmd, fmt, vtui(), arg);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	size_t n = fread(out, 1, (1 << 16) - 1, p);
	out[n] = '\0';
	ck_assert_int_eq(pclose(p), 0);
	return out;
}

START_TEST(test_cli)
{
	const char *path = known_file();
	char *csv = run("'%s' stats --tasks --format csv '%s'", path);
	ck_assert_str_eq(csv, "task,thread,steps,span,busy,wait\n"
			      "alpha,MainThread,2,210,40,170\n"
			      "beta,MainThread,1,50,50,0\n"
			      "Task-1,MainThread,1,50,50,0\n"
			      "alpha,Worker-1,1,60,60,0\n");
	char *table = run("'%s' stats --tasks '%s'", path);
	ck_assert_str_eq(table, "   steps       span       busy       wait  task (thread)\n"
				"       2      210ns       40ns      170ns  alpha (MainThread)\n"
				"       1       50ns       50ns        0ns  beta (MainThread)\n"
				"       1       50ns       50ns        0ns  Task-1 (MainThread)\n"
				"       1       60ns       60ns        0ns  alpha (Worker-1)\n");
	char *json = run("'%s' stats --tasks --format json '%s' | tr -d ' \\t\\n'", path);
	ck_assert_ptr_nonnull(strstr(json, "{\"tasks\":[{\"task\":\"alpha\",\"tid\":1000,\"thread\":\"MainThread\","
					   "\"steps\":2,\"span\":210,\"busy\":40,\"wait\":170}"));
	char *bad = run("'%s' stats --tasks --diff '%s' x 2>&1; echo rc=$?", path);
	ck_assert_ptr_nonnull(strstr(bad, "--tasks reads one trace, not --diff"));
	ck_assert_ptr_nonnull(strstr(bad, "rc=2"));
	free(csv);
	free(table);
	free(json);
	free(bad);
	remove_file(path);
}
END_TEST

/* The timeline: a lane per task under its thread's title, the steps as blocks and the
 * await gaps blank. (the whole trace fits.) */
START_TEST(test_render_lanes)
{
	const char *path = known_file();
	char *out = run("'%s' --render 102x14 '%s'", path);
	char *main_title = strstr(out, "MainThread");
	ck_assert_msg(main_title != NULL, "%s", out);
	char *alpha = strstr(main_title, "\nalpha");
	char *beta = strstr(main_title, "\nbeta");
	char *task1 = strstr(main_title, "\nTask-1");
	char *worker = strstr(main_title, "Worker-1");
	ck_assert_msg(alpha && beta && task1 && worker && alpha < beta && beta < task1 && task1 < worker, "%s", out);
	/* Worker-1's own alpha lane comes under its title (its step, at 20 ns, covers the
	 * title's third column on) */
	ck_assert_ptr_nonnull(strstr(worker, "\nal "));
	free(out);
	remove_file(path);
}
END_TEST

/* The task step slices of the Chrome JSON at `path`: "b name id ts|e name id ts|..." in
 * file order, and how many calls carry vtb_task. */
static char *task_slices(const char *path, int *tagged)
{
	FILE *f = fopen(path, "r");
	char *text = calloc(1, 1 << 16), *out = calloc(1, 4096);
	size_t n = fread(text, 1, (1 << 16) - 1, f);
	cJSON *root, *ev;

	fclose(f);
	text[n] = '\0';
	ck_assert_ptr_nonnull(root = cJSON_Parse(text));
	*tagged = 0;
	cJSON_ArrayForEach(ev, cJSON_GetObjectItem(root, "traceEvents")) {
		const char *ph = cJSON_GetObjectItem(ev, "ph")->valuestring;
		const cJSON *cat = cJSON_GetObjectItem(ev, "cat"), *task = cJSON_GetObjectItem(ev, "vtb_task");

		if (*ph == 'X' && task)
			(*tagged)++;
		if ((*ph != 'b' && *ph != 'e') || !cJSON_IsString(cat) || strcmp(cat->valuestring, "asyncio task"))
			continue;
		snprintf(out + strlen(out), 4096 - strlen(out), "%s%s %s %s %g@%g", *out ? "|" : "", ph,
			 cJSON_GetObjectItem(ev, "name")->valuestring, cJSON_GetObjectItem(ev, "id")->valuestring,
			 cJSON_GetObjectItem(ev, "ts")->valuedouble * 1000, cJSON_GetObjectItem(ev, "tid")->valuedouble);
	}
	cJSON_Delete(root);
	free(text);
	return out;
}

/* VTB -> Chrome JSON -> VTB (vtui convert) keeps every step: place, task and name, so the
 * lanes and their figures come back the same; the JSON has each step as an async slice
 * of its task (ph b/e, id the task) for Perfetto's task tracks, and the call's vtb_task. */
START_TEST(test_json_round_trip)
{
	const char *path = known_file();
	char json[700], back[700], cmd[4096], *cause = NULL;
	int tagged;

	snprintf(json, sizeof json, "%s/tasks.json", dir);
	snprintf(back, sizeof back, "%s/back.vtb", dir);
	snprintf(cmd, sizeof cmd, "'%s' convert '%s' -o '%s' >/dev/null && '%s' convert '%s' -o '%s' >/dev/null", vtui(),
		 path, json, vtui(), json, back);
	ck_assert_int_eq(system(cmd), 0);
	char *slices = task_slices(json, &tagged);
	ck_assert_int_eq(tagged, 5);
	ck_assert_str_eq(slices, "b alpha 0x7 100@1000|e alpha 0x7 130@1000|b beta 0x9 150@1000|e beta 0x9 200@1000|"
				 "b alpha 0x7 300@1000|e alpha 0x7 310@1000|b Task-1 0x7 400@1000|e Task-1 0x7 450@1000|"
				 "b alpha 0x7 20@1001|e alpha 0x7 80@1001");
	free(slices);
	vtb_trace *a = vtb_trace_load(path, 0, NULL, NULL, &cause), *b = vtb_trace_load(back, 0, NULL, NULL, &cause);
	ck_assert_msg(a && b, "%s", cause ? cause : "?");
	same_steps(a, b);
	vtb_trace_free(a);
	vtb_trace_free(b);
	/* the JSON itself opens with its lanes, and the figures are the same */
	char *from_json = run("'%s' stats --tasks --format csv '%s'", json);
	char *from_back = run("'%s' stats --tasks --format csv '%s'", back);
	char *from_vtb = run("'%s' stats --tasks --format csv '%s'", path);
	ck_assert_str_eq(from_json, from_vtb);
	ck_assert_str_eq(from_back, from_vtb);
	free(from_json);
	free(from_back);
	free(from_vtb);
	unlink(json);
	unlink(back);
	remove_file(path);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tasks");
	TCase *tc = tcase_create("tasks");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_steps_in_model);
	tcase_add_test(tc, test_steps_saved);
	tcase_add_test(tc, test_steps_flattened);
	tcase_add_test(tc, test_lanes);
	tcase_add_test(tc, test_cli);
	tcase_add_test(tc, test_render_lanes);
	tcase_add_test(tc, test_json_round_trip);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
