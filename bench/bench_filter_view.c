/* SPDX-License-Identifier: MIT */
/* bench_filter_view.c: filters and search in the viewer on a big trace (the file
 * bench_viewer writes: 10 million calls, 4 threads, 4,000 names, depth up to 24).
 * For each command, RUNS times: clear-filters, then the command through tui_app_exec
 * (the regex once per name, the marking pass over every call), timed; then redraws of a
 * 200x60 screen with the filter on, at fit and zoomed in. Medians and extremes. The first
 * filter of a session (fresh pages, cold caches) is reported apart; a pass that only
 * reads every call's duration is measured side by side as the floor.
 * Usage: bench_filter_view [FILE [RUNS]]   (FILE defaults to $TMPDIR/vtui-bench-10000000.vtb;
 * make it with `bench_viewer 10000000` first). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench_util.h"
#include "common/vtb.h"
#include "tui/tui.h"

#define MAX_RUNS 64

/* The commands measured, each after clear-filters. */
static const char *const filters[] = {
	"filter ^pkg\\d+\\.mod(?!1\\d\\.)\\d+\\.Class[0-3]\\.", /* show only: keeps the stacks above */
	"filter method_(17|2[0-9]{2})$",                     /* show only, rare names */
	"hide \\.Class1\\d\\.",                                /* hide subtrees */
	"min-duration 2us",
	"max-depth 6",
};

static const char *const searches[] = {
	"search Class[25]\\.method_\\d*7$",
};

/* Median, min and max of `n` timings of `cmd` (after `before` each time). */
static int time_cmd(tui_app *app, const char *before, const char *cmd, int runs, double *out)
{
	double t[MAX_RUNS];

	for (int r = 0; r < runs; r++) {
		double t0;

		if (before && tui_app_exec(app, before) < 0)
			return -1;
		t0 = bench_now_ms();
		if (tui_app_exec(app, cmd) < 0) {
			fprintf(stderr, "bench_filter_view: '%s': %s\n", cmd, tui_app_message(app));
			return -1;
		}
		t[r] = bench_now_ms() - t0;
	}
	qsort(t, (size_t)runs, sizeof(t[0]), bench_cmp_double);
	out[0] = t[runs / 2];
	out[1] = t[0];
	out[2] = t[runs - 1];
	return 0;
}

/* The floor, side by side: one pass that reads every call's duration (what any marking
 * must at least do). */
static double floor_pass(const vtb_trace *t, int runs)
{
	double best[MAX_RUNS];
	volatile uint64_t sink = 0;

	for (int r = 0; r < runs; r++) {
		double t0 = bench_now_ms();
		uint64_t acc = 0;

		for (size_t i = 0; i < vtb_trace_thread_count(t); i++) {
			const vtb_thread *th = vtb_trace_thread(t, i);

			for (uint32_t d = 0; d < th->depth_count; d++)
				for (size_t k = 0; k < th->rows[d].count; k++)
					acc += th->rows[d].slices[k].dur_ns >= 2000;
		}
		sink += acc;
		best[r] = bench_now_ms() - t0;
	}
	qsort(best, (size_t)runs, sizeof(best[0]), bench_cmp_double);
	return best[runs / 2];
}

/* Median redraw of a few views with the current filters. */
static double redraws(tui_app *app, tui_screen *s)
{
	static const char *const moves[] = {
		"zoom fit", "zoom 8x", "zoom 64x", "zoom 1000x", "zoom fit", "pan right 1", "zoom 4x", "zoom fit",
	};
	double t[sizeof(moves) / sizeof(moves[0])];
	size_t n = sizeof(moves) / sizeof(moves[0]);

	for (size_t i = 0; i < n; i++) {
		double t0;

		tui_app_exec(app, moves[i]);
		t0 = bench_now_ms();
		tui_app_render(app, s);
		t[i] = bench_now_ms() - t0;
	}
	qsort(t, n, sizeof(t[0]), bench_cmp_double);
	return t[n / 2];
}

int main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");
	char path[512], *cause = NULL;
	int runs = argc > 2 ? atoi(argv[2]) : 9;
	double m[3];
	vtb_trace *t;
	tui_app *app;
	tui_screen *s = tui_screen_new(200, 60);

	if (argc > 1)
		snprintf(path, sizeof(path), "%s", argv[1]);
	else
		snprintf(path, sizeof(path), "%s/vtui-bench-10000000.vtb", tmp && *tmp ? tmp : "/tmp");
	if (runs < 1 || runs > MAX_RUNS)
		runs = 9;
	if (access(path, R_OK) != 0) {
		fprintf(stderr, "bench_filter_view: %s is missing: run bench_viewer 10000000 first\n", path);
		return 1;
	}
	t = vtb_trace_load(path, VTB_LOAD_SALVAGE, NULL, NULL, &cause);
	if (!t || !(app = tui_app_new(t, path, &cause))) {
		fprintf(stderr, "bench_filter_view: %s\n", cause ? cause : "load failed");
		return 1;
	}
	tui_app_render(app, s);
	printf("trace: %zu calls, %zu names, %zu threads; %d runs each\n",
	       vtb_trace_call_count(tui_app_trace(app)), vtb_trace_string_count(tui_app_trace(app)),
	       vtb_trace_thread_count(tui_app_trace(app)), runs);
	printf("%-58s one pass over every call: median %7.2f ms\n", "floor (no viewer)",
	       floor_pass(tui_app_trace(app), runs));
	if (time_cmd(app, NULL, filters[0], 1, m) < 0)
		return 1;
	printf("%-58s first filter of the session: %.2f ms\n", filters[0], m[0]);
	for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		char msg[256];

		if (time_cmd(app, "clear-filters", filters[i], runs, m) < 0)
			return 1;
		snprintf(msg, sizeof(msg), "%s", tui_app_message(app));
		printf("%-58s apply: median %7.2f ms (min %.2f, max %.2f); %s; redraw median %.2f ms\n",
		       filters[i], m[0], m[1], m[2], msg, redraws(app, s));
	}
	tui_app_exec(app, "clear-filters");
	for (size_t i = 0; i < sizeof(searches) / sizeof(searches[0]); i++) {
		if (time_cmd(app, "search", searches[i], runs, m) < 0)
			return 1;
		printf("%-58s search + first match: median %7.2f ms (min %.2f, max %.2f); %s\n", searches[i],
		       m[0], m[1], m[2], tui_app_message(app));
		if (time_cmd(app, NULL, "next-match", runs, m) < 0)
			return 1;
		printf("%-58s next-match: median %.3f ms (max %.3f); redraw median %.2f ms\n", "", m[0], m[2],
		       redraws(app, s));
	}
	tui_screen_free(s);
	tui_app_free(app);
	return 0;
}
