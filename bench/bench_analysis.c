/* SPDX-License-Identifier: MIT */
/* bench_analysis.c: issue 7's views on a big trace. Generates (with the writer) a trace of
 * N calls (default 2 million) on 2 threads, 2 counters with one sample per 4 calls, and a
 * log record per 64 calls, then measures:
 *   tracks   a redraw (200x60, counter and mark rows on screen) after each of a sequence of
 *            zooms from fit down to microseconds and back: median and max
 *   logs     the first opening of the log panel (all records sorted by time), then redraws
 *            while panning with the panel open (the panel follows the cursor)
 *   stats    the statistics of the whole trace; the visible range (recomputed when the view
 *            moves) at fit and at 1/64 of the trace
 *   flame    the merged flame graph of the whole trace and of 1/64 of it (each function
 *            calls one of three others, so stacks repeat: about 300,000 distinct)
 *   diff     statistics of two traces compared (the trace against itself)
 * Usage: bench_analysis [CALLS] */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bench_util.h"
#include "common/vtb.h"
#include "tui/analysis.h"

#define THREADS 2
#define NAMES 500

static uint64_t rng = 0x2545f4914f6cdd1dull;

struct gen {
	vtb_writer *w;
	uint32_t names[NAMES], counter[2], logger;
	uint64_t t_ns[THREADS];
	size_t calls, budget;
};

/* A call, then (while the budget lasts) a few children; the side events ride along. A
 * child is one of three callees of its parent, so stacks repeat as in a real program. */
static int gen_call(struct gen *g, uint32_t th, int depth, uint32_t parent)
{
	uint32_t idx = depth ? (parent * 7 + 1 + (uint32_t)(bench_rand(&rng) % 3)) % NAMES
			     : (uint32_t)((bench_rand(&rng) % NAMES) * (bench_rand(&rng) % NAMES) / NAMES);
	uint32_t name = g->names[idx];
	int kids = depth < 12 ? (int)(bench_rand(&rng) % 4) : 0;

	if (vtb_writer_begin(g->w, th, g->t_ns[th] += 50 + bench_rand(&rng) % 500, name, 0) < 0)
		return -1;
	g->calls++;
	if (g->calls % 4 == 0 && vtb_writer_counter(g->w, th, g->t_ns[th], g->counter[th], g->counter[th],
						    (double)(bench_rand(&rng) % 1000)) < 0)
		return -1;
	if (g->calls % 64 == 0 && vtb_writer_log(g->w, th, g->t_ns[th], 10 * (1 + bench_rand(&rng) % 5), g->logger,
						 "a log record with some text in it") < 0)
		return -1;
	for (int i = 0; i < kids && g->calls < g->budget; i++)
		if (gen_call(g, th, depth + 1, idx) < 0)
			return -1;
	return vtb_writer_end(g->w, th, g->t_ns[th] += 50 + bench_rand(&rng) % 2000, 0);
}

static vtb_trace *generate(size_t calls)
{
	vtb_header h = { .pid = 1, .cmdline = "bench", .python_version = "3.11", .start_mono_ns = 1000,
			 .window_start_ns = 1000, .ring_capacity = 1 };
	struct gen g = { .budget = calls };
	const uint8_t *buf;
	vtb_trace *t = NULL;
	char name[32];
	size_t len;

	g.w = vtb_writer_open_mem(&h);
	for (int i = 0; i < NAMES; i++) {
		snprintf(name, sizeof(name), "mod.func_%d", i);
		g.names[i] = (uint32_t)vtb_writer_string(g.w, name, "mod.py", (uint32_t)i);
	}
	g.counter[0] = (uint32_t)vtb_writer_string(g.w, "queue", "", 0);
	g.counter[1] = (uint32_t)vtb_writer_string(g.w, "memory", "", 0);
	g.logger = (uint32_t)vtb_writer_string(g.w, "app", "", 0);
	for (int k = 0; k < THREADS; k++) {
		vtb_writer_thread(g.w, 1, (uint64_t)k + 1, k ? "worker" : "MainThread");
		g.t_ns[k] = 1000;
	}
	while (g.calls < calls)
		if (gen_call(&g, (uint32_t)(g.calls / 7 % THREADS), 0, 0) < 0)
			goto out;
	if (vtb_writer_finish(g.w, NULL) == 0 && (buf = vtb_writer_mem(g.w, &len)))
		t = vtb_trace_load_mem(buf, len, VTB_LOAD_SALVAGE, NULL);
out:
	vtb_writer_free(g.w);
	return t;
}

/* Run each command then render; median and max of the renders (ms). */
static void frames(tui_app *app, tui_screen *s, const char *label, const char *const *cmds, size_t n)
{
	double *ms = calloc(n, sizeof(*ms));

	for (size_t i = 0; i < n; i++) {
		double t0;

		tui_app_exec(app, cmds[i]);
		t0 = bench_now_s();
		tui_app_render(app, s);
		ms[i] = (bench_now_s() - t0) * 1e3;
	}
	qsort(ms, n, sizeof(*ms), bench_cmp_double);
	printf("%-34s %3zu frames: median %.2f ms, max %.2f ms\n", label, n, ms[n / 2], ms[n - 1]);
	free(ms);
}

static double timed(tui_app *app, const char *cmd)
{
	double t0 = bench_now_s();

	tui_app_exec(app, cmd);
	return (bench_now_s() - t0) * 1e3;
}

int main(int argc, char **argv)
{
	static const char *const zooms[] = { "zoom fit", "zoom 4x", "zoom 4x", "zoom 4x", "zoom 4x", "zoom 4x",
					     "zoom 4x", "zoom 4x", "zoom 0.25x", "zoom 0.25x", "zoom 0.25x",
					     "zoom 0.25x", "zoom 0.25x", "zoom 0.25x", "zoom fit" };
	static const char *const pans[] = { "zoom 64x", "pan right", "pan right", "pan right", "pan right",
					    "pan right 1", "pan right 1", "pan left 1", "pan left", "pan left" };
	size_t calls = argc > 1 ? strtoull(argv[1], NULL, 10) : 2000000;
	double t0 = bench_now_s();
	vtb_trace *t = generate(calls), *t2;
	an_stats *sa = NULL, *sb = NULL;
	struct an_flame_node *nodes;
	an_diff *d = NULL;
	char *cause = NULL;
	tui_screen *s = tui_screen_new(200, 60);
	tui_app *app;
	size_t count;

	if (!t || !s)
		return 1;
	printf("trace: %zu calls, %zu counter samples per counter, generated in %.2f s\n",
	       vtb_trace_call_count(t), vtb_trace_counter(t, 0)->count, bench_now_s() - t0);
	t2 = generate(calls);
	app = tui_app_new(t, "bench", &cause);
	if (!app || !t2)
		return 1;
	frames(app, s, "timeline with tracks", zooms, sizeof(zooms) / sizeof(zooms[0]));
	printf("%-34s %.1f ms\n", "logs: first opening (sort)", timed(app, "logs"));
	frames(app, s, "logs panel open, panning", pans, sizeof(pans) / sizeof(pans[0]));
	tui_app_exec(app, "zoom fit");
	printf("%-34s %.1f ms\n", "stats: whole trace", timed(app, "stats all"));
	printf("%-34s %.1f ms\n", "stats: visible, fit", timed(app, "stats visible"));
	tui_app_exec(app, "zoom 64x");
	t0 = bench_now_s();
	tui_app_render(app, s); /* the visible scope follows the view: recomputed at the draw */
	printf("%-34s %.1f ms\n", "stats: visible 1/64, with a redraw", (bench_now_s() - t0) * 1e3);
	frames(app, s, "stats visible 1/64, panning", pans + 1, sizeof(pans) / sizeof(pans[0]) - 1);
	t0 = bench_now_s();
	an_flame_build(t2, NULL, &nodes, &count);
	printf("%-34s %.1f ms (%zu stacks)\n", "flame: whole trace", (bench_now_s() - t0) * 1e3, count - 1);
	free(nodes);
	printf("%-34s %.1f ms\n", "flame: visible 1/64", timed(app, "flame visible"));
	t0 = bench_now_s();
	an_stats_compute(t2, NULL, &sa, &cause);
	an_stats_compute(tui_app_trace(app), NULL, &sb, &cause);
	an_diff_compute(t2, sa, tui_app_trace(app), sb, &d);
	printf("%-34s %.1f ms (%zu functions)\n", "diff: two statistics, compared", (bench_now_s() - t0) * 1e3,
	       d ? d->count : 0);
	an_diff_free(d);
	an_stats_free(sa);
	an_stats_free(sb);
	vtb_trace_free(t2);
	tui_app_free(app);
	tui_screen_free(s);
	return 0;
}
