/* SPDX-License-Identifier: MIT */
/* bench_calls.c: the call-list panel (C) on one thread of 10M calls: CPU per key, the key
 * and the redraw of a 200x60 screen after it, for scrolling (j, k, PgDn, PgUp, top,
 * bottom), folding, the jump to the incident (E), and search matches (n, N) that the
 * panel follows. The worst case for a list that is not materialized: one thread holds
 * every call, 24 levels deep, with a log record every 1000 calls and arguments on one
 * call in 64.
 *
 *   build/bench/bench_calls [CALLS] [PATH]     (default 10000000, $TMPDIR/vtui-bench-calls-N.vtb)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench_util.h"
#include "common/vtb.h"
#include "tui/tui.h"

#define NAMES 2000
#define MAX_DEPTH 24

static uint64_t rng = 0x243f6a8885a308d3ull;

struct gen {
	vtb_writer *w;
	uint32_t names[NAMES], logger;
	uint64_t t_ns;
	size_t calls, budget;
};

/* A call and a random subtree; returns -1 on a writer error. */
static int gen_call(struct gen *g, int depth)
{
	uint64_t r = bench_rand(&rng);
	int pick = (int)((r >> 20) % 20), children;
	char text[48];

	children = depth >= MAX_DEPTH ? 0 : depth < 3 ? 2 + pick % 5 : pick < 9 ? 0 : pick < 14 ? 1 : pick < 18 ? 2 : 3;
	if (vtb_writer_begin(g->w, 0, g->t_ns, g->names[(r % NAMES) * (r % NAMES) / NAMES], 0) < 0)
		return -1;
	if (g->calls % 64 == 0) {
		snprintf(text, sizeof(text), "n=%zu, key='k%zu'", g->calls, g->calls % 977);
		if (vtb_writer_args(g->w, 0, text) < 0)
			return -1;
	}
	g->calls++;
	g->t_ns += 40 + (r >> 40) % 300;
	if (g->calls % 1000 == 0) {
		snprintf(text, sizeof(text), "processed %zu items", g->calls);
		if (vtb_writer_log(g->w, 0, g->t_ns, g->calls % 5000 ? 20 : 30, g->logger, text) < 0)
			return -1;
	}
	for (int i = 0; i < children && g->calls < g->budget; i++)
		if (gen_call(g, depth + 1) < 0)
			return -1;
	g->t_ns += 60 + (r >> 48) % 900;
	return vtb_writer_end(g->w, 0, g->t_ns, g->calls + 1 >= g->budget ? VTB_CALL_EXCEPTION : 0);
}

static int generate(const char *path, size_t calls)
{
	vtb_header h = { .pid = 4243, .ppid = 1, .cmdline = "python story.py", .python_version = "3.11.7",
			 .reason = VTB_REASON_EXCEPTION, .reason_text = "KeyError: 'k13'",
			 .start_mono_ns = 1000000000, .window_start_ns = 1000000000, .ring_capacity = 2 * calls + 1000 };
	struct gen g = { .budget = calls, .t_ns = 1000000000 };
	char *cause = NULL, name[64], file[64];
	int rc = -1;

	if (!(g.w = vtb_writer_open_file(path, &h, &cause)))
		goto out;
	for (int i = 0; i < NAMES; i++) {
		snprintf(name, sizeof(name), "app.mod%d.Service%d.handle_%d", i % 41, i % 113, i);
		snprintf(file, sizeof(file), "app/mod%d.py", i % 41);
		g.names[i] = (uint32_t)vtb_writer_string(g.w, name, file, (uint32_t)(i % 700 + 1));
	}
	g.logger = (uint32_t)vtb_writer_string(g.w, "app", "", 0);
	if (vtb_writer_thread(g.w, 4243, 6000, "MainThread") < 0)
		goto out;
	while (g.calls < g.budget)
		if (gen_call(&g, 0) < 0)
			goto out;
	rc = vtb_writer_finish(g.w, &cause);
out:
	if (rc < 0)
		fprintf(stderr, "bench_calls: writing %s: %s\n", path, cause ? cause : "failed");
	free(cause);
	vtb_writer_free(g.w);
	return rc;
}

/* CPU ms of one key and the redraw after it. */
static double key_ms(tui_app *app, tui_screen *s, int key)
{
	double c0 = bench_clock_s(CLOCK_THREAD_CPUTIME_ID);

	tui_app_key(app, key);
	tui_app_render(app, s);
	return (bench_clock_s(CLOCK_THREAD_CPUTIME_ID) - c0) * 1e3;
}

static void report(const char *what, double *ms, size_t n)
{
	qsort(ms, n, sizeof(ms[0]), bench_cmp_double);
	printf("%-34s %4zu keys  cpu median %.3f ms, p90 %.3f ms, max %.3f ms\n", what, n, ms[n / 2],
	       ms[n * 9 / 10], ms[n - 1]);
}

/* `count` presses of each key in `keys`, reported as one group; after each, a redraw
 * without a key measures what the screen costs alone (the panel's rows and the timeline). */
static void run_keys(tui_app *app, tui_screen *s, const char *what, const int *keys, size_t nkeys, size_t count)
{
	double *ms = malloc(nkeys * count * sizeof(*ms)), *redraw = malloc(nkeys * count * sizeof(*ms));
	size_t n = 0;

	for (size_t i = 0; i < count; i++)
		for (size_t k = 0; k < nkeys; k++) {
			double c0;

			ms[n] = key_ms(app, s, keys[k]);
			c0 = bench_clock_s(CLOCK_THREAD_CPUTIME_ID);
			tui_app_render(app, s);
			redraw[n++] = (bench_clock_s(CLOCK_THREAD_CPUTIME_ID) - c0) * 1e3;
		}
	report(what, ms, n);
	qsort(redraw, n, sizeof(redraw[0]), bench_cmp_double);
	printf("%-34s            redraw alone: median %.3f ms\n", "", redraw[n / 2]);
	free(ms);
	free(redraw);
}

int main(int argc, char **argv)
{
	size_t calls = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
	char path[512], *cause = NULL;
	double t0, first_n;
	vtb_trace *t;
	tui_app *app;
	tui_screen *s;

	bench_trace_path(path, sizeof(path), argc, argv, "vtui-bench-calls", calls);
	if (access(path, R_OK) != 0) {
		t0 = bench_now_s();
		if (generate(path, calls) < 0)
			return 1;
		printf("generated %s: %zu calls in %.2f s\n", path, calls, bench_now_s() - t0);
	}
	t = vtb_trace_load(path, 0, NULL, NULL, &cause);
	if (!t || !(app = tui_app_new(t, path, &cause))) {
		fprintf(stderr, "bench_calls: %s\n", cause ? cause : "load failed");
		return 1;
	}
	s = tui_screen_new(200, 60);
	tui_app_render(app, s);
	printf("call list: %zu calls in one thread, %s\n", vtb_trace_call_count(t), path);
	printf("%-34s    1 key   cpu %.3f ms\n", "E (open at the incident)", key_ms(app, s, 'E'));
	run_keys(app, s, "k (up one row)", (const int[]){ 'k' }, 1, 300);
	run_keys(app, s, "j (down one row)", (const int[]){ 'j' }, 1, 300);
	run_keys(app, s, "PgUp, PgDn (a page: 20 rows)", (const int[]){ 'b', ' ' }, 2, 50);
	run_keys(app, s, "g, G (top, bottom)", (const int[]){ 'g', 'G' }, 2, 20);
	run_keys(app, s, "Enter (fold, unfold), j", (const int[]){ '\r', 'j', 'k', '\r' }, 4, 25);
	tui_app_key(app, 'g');
	tui_app_key(app, 'h'); /* fold the first top-level call: its subtree is one row */
	run_keys(app, s, "j, k past a folded 1-in-8 subtree", (const int[]){ 'j', 'k' }, 2, 50);
	/* search: the timeline's n and N, the panel following the match */
	tui_app_key(app, '\x1b');
	t0 = bench_clock_s(CLOCK_THREAD_CPUTIME_ID);
	tui_app_exec(app, "search handle_7$");
	tui_app_render(app, s);
	printf("%-34s    1 cmd   cpu %.3f ms\n", ":search handle_7$", (bench_clock_s(CLOCK_THREAD_CPUTIME_ID) - t0) * 1e3);
	t0 = bench_clock_s(CLOCK_THREAD_CPUTIME_ID);
	tui_app_key(app, 'n');
	tui_app_render(app, s);
	first_n = (bench_clock_s(CLOCK_THREAD_CPUTIME_ID) - t0) * 1e3;
	printf("%-34s    1 key   cpu %.3f ms (lists the matches once)\n", "first n (search handle_7$)", first_n);
	run_keys(app, s, "n, N (next, previous match)", (const int[]){ 'n', 'n', 'N' }, 3, 40);
	printf("%s\n", tui_app_message(app));
	tui_app_key(app, 'C'); /* what the screen costs without the panel */
	run_keys(app, s, "n with the panel closed", (const int[]){ 'n' }, 1, 40);
	tui_screen_free(s);
	tui_app_free(app);
	return 0;
}
