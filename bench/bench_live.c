/* SPDX-License-Identifier: MIT */
/* bench_live.c: what one refresh of vtui --live costs the viewer, in CPU time. Follows the
 * ring of a running traced process as the terminal loop does and measures, ROUNDS times:
 *   snapshot  vtb_ring_snapshot (copy what is new, decode it into the kept model, evict
 *             what the writer overwrote, hand out a trace)
 *   refresh   snapshot + swapping it into the app (model indexes, filters, panels) + one
 *             render into a 200x60 screen model
 * with PERIOD_MS of waiting before each (default: the viewer's own period, so each refresh
 * decodes what the program wrote in one period; 0: back to back), and prints the medians
 * and maxima (CLOCK_PROCESS_CPUTIME_ID, so waiting is not counted) and the records each
 * snapshot decoded.
 * Usage: bench_live PID [ROUNDS [PERIOD_MS]]   (the ring directory as vtui's: XDG_RUNTIME_DIR) */
#include <stdio.h>
#include <stdlib.h>

#include "bench/bench_util.h"
#include "tui/tui_private.h"

static double cpu_ms(void)
{
	return bench_clock_s(CLOCK_PROCESS_CPUTIME_ID) * 1e3;
}

static void wait_ms(int ms)
{
	if (ms > 0)
		usleep((useconds_t)ms * 1000u);
}

int main(int argc, char **argv)
{
	int rounds = argc > 2 ? atoi(argv[2]) : 20, period = argc > 3 ? atoi(argv[3]) : TUI_LIVE_PERIOD_MS;
	char *cause = NULL;
	vtb_trace *t = NULL;
	tui_live *lv = argc > 1 ? tui_live_open((uint32_t)atoi(argv[1]), NULL, 0, &t, &cause) : NULL;
	tui_app *app;
	tui_screen *s = tui_screen_new(200, 60);
	double *snap = calloc((size_t)rounds, sizeof(double)), *full = calloc((size_t)rounds, sizeof(double));
	double *news = calloc((size_t)rounds, sizeof(double));
	uint64_t behind = 0;

	if (!lv || rounds < 1 || period < 0 || !s || !snap || !full || !news || !(app = tui_app_new(t, "live", &cause))) {
		fprintf(stderr, "usage: bench_live PID [ROUNDS [PERIOD_MS]]: %s\n", cause ? cause : "");
		return 2;
	}
	tui_app_render(app, s);
	printf("events in the ring: %zu\n", (size_t)vtb_trace_event_count(tui_app_trace(app)));
	fflush(stdout); /* a script waits for this line to know the viewer follows */
	for (int i = 0; i < rounds; i++) {
		wait_ms(period);
		double t0 = cpu_ms();
		vtb_trace *a = tui_live_tick(lv, 1, &cause);
		snap[i] = cpu_ms() - t0;
		news[i] = (double)tui_live_stats(lv)->decoded;
		behind += tui_live_stats(lv)->behind;
		vtb_trace_free(a);
		wait_ms(period);
		t0 = cpu_ms();
		if (!(a = tui_live_tick(lv, 1, &cause)) || tui_app_swap_trace(app, a, &cause) < 0) {
			fprintf(stderr, "bench_live: %s\n", cause ? cause : "the process ended");
			return 1;
		}
		tui_app_render(app, s);
		full[i] = cpu_ms() - t0;
	}
	printf("events in the last snapshot: %zu\n", (size_t)vtb_trace_event_count(tui_app_trace(app)));
	double snap_med = bench_median(snap, rounds), full_med = bench_median(full, rounds); /* sorts */
	printf("period %d ms: records decoded per snapshot: median %.0f; records lost (reader lapped): %llu\n",
	       period, bench_median(news, rounds), (unsigned long long)behind);
	printf("snapshot: median %.2f ms CPU, max %.2f ms (%d rounds)\n", snap_med, snap[rounds - 1], rounds);
	printf("refresh (snapshot + swap + render 200x60): median %.2f ms CPU, max %.2f ms\n", full_med,
	       full[rounds - 1]);
	tui_app_free(app);
	tui_screen_free(s);
	tui_live_free(lv);
	free(snap);
	free(full);
	free(news);
	return 0;
}
