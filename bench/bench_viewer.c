/* SPDX-License-Identifier: MIT */
/* bench_viewer.c: the viewer on a big trace. Generates a VTB file of N calls (default 10
 * million) with the writer: 4 threads, call trees up to 24 deep, 4,000 function names,
 * durations from 150 ns to tens of ms. Then measures, in this order:
 *   load    vtb_trace_load (mmap, salvage) + tui_app_new (per-function counts), wall time
 *   memory  RSS after load minus RSS before, per call
 *   redraw  a replayed key sequence (zooms from fit to nanoseconds and back, pans, selection
 *           moves, thread changes, folding, help): each key, then one render into a 200x60
 *           screen model, timed; median and max
 * Usage: bench_viewer [CALLS] [FILE]  (FILE defaults to $TMPDIR/vtui-bench-CALLS.vtb and is
 * reused when it exists). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench_util.h"
#include "common/vtb.h"
#include "tui/tui.h"

#define THREADS 4
#define NAMES 4000
#define MAX_DEPTH 24

static uint64_t rng = 0x9e3779b97f4a7c15ull;

struct gen {
	vtb_writer *w;
	uint32_t names[NAMES];
	uint64_t t_ns[THREADS];
	size_t calls, budget;
};

/* One call and a random subtree under it; returns -1 on a writer error. */
static int gen_call(struct gen *g, uint32_t th, int depth)
{
	uint64_t r = bench_rand(&rng);
	/* Zipf-like: a few functions are called a lot, most rarely. */
	uint32_t name = g->names[(r % NAMES) * (r % NAMES) / NAMES];
	int pick = (int)((r >> 20) % 20), children;

	/* a few calls at the top, then a branching factor just under 1: trees of all sizes */
	if (depth >= MAX_DEPTH)
		children = 0;
	else if (depth < 2)
		children = 1 + pick % 6;
	else
		children = pick < 9 ? 0 : pick < 14 ? 1 : pick < 18 ? 2 : 3;

	if (vtb_writer_begin(g->w, th, g->t_ns[th], name, 0) < 0)
		return -1;
	g->calls++;
	g->t_ns[th] += 50 + (r >> 40) % 400;
	for (int i = 0; i < children && g->calls < g->budget; i++)
		if (gen_call(g, th, depth + 1) < 0)
			return -1;
	g->t_ns[th] += 100 + (r >> 48) % 1500;
	return vtb_writer_end(g->w, th, g->t_ns[th], 0);
}

static int generate(const char *path, size_t calls)
{
	vtb_header h = { .pid = 4242, .ppid = 1, .cmdline = "python bench.py", .python_version = "3.11.7",
			 .reason = VTB_REASON_API, .start_mono_ns = 1000000000, .window_start_ns = 1000000000,
			 .ring_capacity = 2 * calls + 1000 };
	struct gen g = { 0 };
	char *cause = NULL, name[64], file[64];
	int rc = -1;

	g.budget = calls;
	g.w = vtb_writer_open_file(path, &h, &cause);
	if (!g.w)
		goto out;
	for (int i = 0; i < NAMES; i++) {
		snprintf(name, sizeof(name), "pkg%d.mod%d.Class%d.method_%d", i % 13, i % 97, i % 211, i);
		snprintf(file, sizeof(file), "pkg%d/mod%d.py", i % 13, i % 97);
		g.names[i] = (uint32_t)vtb_writer_string(g.w, name, file, (uint32_t)(i % 900 + 1));
	}
	for (int t = 0; t < THREADS; t++) {
		snprintf(name, sizeof(name), t ? "worker-%d" : "MainThread", t);
		if (vtb_writer_thread(g.w, 4242, 5000 + t, name) < 0)
			goto out;
		g.t_ns[t] = 1000000000ull + t * 1000;
	}
	/* Threads take turns by whole top-level trees; each keeps its own clock. */
	while (g.calls < g.budget)
		for (uint32_t t = 0; t < THREADS && g.calls < g.budget; t++)
			if (gen_call(&g, t, 0) < 0)
				goto out;
	rc = vtb_writer_finish(g.w, &cause);
out:
	if (rc < 0)
		fprintf(stderr, "bench_viewer: writing %s: %s\n", path, cause ? cause : "failed");
	free(cause);
	vtb_writer_free(g.w);
	return rc;
}

/* The replayed session: what a person does on a big trace. */
static const int session[] = {
	'0', 'c', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'j', 'j', 'j', 'l', 'l', 'h',
	'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w',
	'd', 'd', 'a', 'D', 'A', ']', ']', '[', 'k', 'k', 'f', 'j', 'j', 'f', 's', 's', 's', 's',
	's', 's', 's', 's', 's', 's', 's', 's', 's', 's', 's', 's', 's', 's', 's', 's', '\t', '\t',
	'c', 'j', 'j', 'z', 'Z', 'Z', 'G', 'g', ' ', 'b', '?', 'q', 'D', 'D', 'D', 'D', '0', 'i',
	'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w',
	'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 's', 's', '0',
};
#define SESSION_KEYS (sizeof(session) / sizeof(session[0]))

int main(int argc, char **argv)
{
	size_t calls = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
	char path[512], *cause = NULL;
	double t0, c0, load_s, reader_s = 0, load_cpu, times[SESSION_KEYS], cpu[SESSION_KEYS];
	long rss0, rss1;
	vtb_trace *t;
	tui_app *app;
	tui_screen *s;

	bench_trace_path(path, sizeof(path), argc, argv, "vtui-bench", calls);
	if (access(path, R_OK) != 0) {
		t0 = bench_now_s();
		if (generate(path, calls) < 0)
			return 1;
		printf("generated %s: %zu calls in %.2f s\n", path, calls, bench_now_s() - t0);
	}
	rss0 = bench_rss_kib();
	t0 = bench_now_s();
	c0 = bench_clock_s(CLOCK_THREAD_CPUTIME_ID);
	t = vtb_trace_load(path, VTB_LOAD_SALVAGE, NULL, NULL, &cause);
	reader_s = bench_now_s() - t0;
	if (!t || !(app = tui_app_new(t, path, &cause))) {
		fprintf(stderr, "bench_viewer: %s\n", cause ? cause : "load failed");
		return 1;
	}
	load_s = bench_now_s() - t0;
	load_cpu = bench_clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
	rss1 = bench_rss_kib();
	calls = vtb_trace_call_count(tui_app_trace(app));
	s = tui_screen_new(200, 60);
	tui_app_render(app, s);
	for (size_t i = 0; i < SESSION_KEYS; i++) {
		tui_app_key(app, session[i]);
		t0 = bench_now_s();
		c0 = bench_clock_s(CLOCK_THREAD_CPUTIME_ID);
		tui_app_render(app, s);
		times[i] = (bench_now_s() - t0) * 1e3;
		cpu[i] = (bench_clock_s(CLOCK_THREAD_CPUTIME_ID) - c0) * 1e3;
		if (getenv("BENCH_VERBOSE") && times[i] > 1)
			fprintf(stderr, "key %zu (%c): %.3f ms\n", i, session[i] > 32 ? session[i] : '.', times[i]);
	}
	qsort(times, SESSION_KEYS, sizeof(times[0]), bench_cmp_double);
	qsort(cpu, SESSION_KEYS, sizeof(cpu[0]), bench_cmp_double);
	printf("viewer: %zu calls, %zu threads\n", calls, vtb_trace_thread_count(tui_app_trace(app)));
	printf("load: %.3f s wall (reader %.3f s, viewer index %.3f s), %.3f s cpu\n", load_s, reader_s,
	       load_s - reader_s, load_cpu);
	printf("memory: %.1f MB RSS after load, %.1f bytes per call\n", (double)(rss1 - rss0) / 1024,
	       (double)(rss1 - rss0) * 1024 / (double)calls);
	printf("redraw (200x60, %zu keys) wall: median %.3f ms, p90 %.3f ms, max %.3f ms\n", SESSION_KEYS,
	       times[SESSION_KEYS / 2], times[SESSION_KEYS * 9 / 10], times[SESSION_KEYS - 1]);
	printf("redraw (200x60, %zu keys) cpu:  median %.3f ms, p90 %.3f ms, max %.3f ms\n", SESSION_KEYS,
	       cpu[SESSION_KEYS / 2], cpu[SESSION_KEYS * 9 / 10], cpu[SESSION_KEYS - 1]);
	tui_screen_free(s);
	tui_app_free(app);
	return 0;
}
