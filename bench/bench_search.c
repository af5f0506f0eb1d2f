/* SPDX-License-Identifier: MIT */
/* bench_search.c: search by every field, and flatten, on a 10-million-call trace that has
 * what a search reads besides names: 4 threads, each one call of threading's bootstrap
 * (a stdlib file) over its run, then requests: a handler called with arguments and
 * returning a value, 5 calls under it and 3 under each (21 calls a request), a log record
 * every 100 requests and a KeyError instant every 1,000. 4,000 names, a quarter of them in
 * stdlib files. Each command runs RUNS times through tui_app_exec (after `search` or
 * `clear-filters` undoes it): medians of CPU time (the process's) and wall time.
 * A search runs twice: as a script runs it (the whole count before the command returns)
 * and as the terminal does (tui_app_set_slice(app, 4, 0): the key, then tui_app_idle
 * slices until the count is done); both must end on the same message (the same matches,
 * the same first match).
 * Usage: bench_search [CALLS [RUNS]]   (default 10000000 calls, 9 runs). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_util.h"
#include "common/vtb.h"
#include "tui/tui.h"

#define THREADS 4
#define NAMES 4000
#define MAX_RUNS 64

struct gen {
	vtb_writer *w;
	uint32_t names[NAMES], boot, run, logger, exc;
	uint64_t t_ns[THREADS], requests;
	size_t calls;
};

static int leaf(struct gen *g, uint32_t th, uint32_t name)
{
	if (vtb_writer_begin(g->w, th, g->t_ns[th], name, 0) < 0)
		return -1;
	g->t_ns[th] += 300;
	g->calls++;
	return vtb_writer_end(g->w, th, g->t_ns[th], 0);
}

/* One request: handler(args) > 5 x (work > 3 x leaf). */
static int request(struct gen *g, uint32_t th, uint64_t *rng)
{
	uint64_t r = bench_rand(rng), n = g->requests++;
	char text[96];

	if (vtb_writer_begin(g->w, th, g->t_ns[th], g->names[r % 100], 0) < 0)
		return -1;
	snprintf(text, sizeof(text), "order_id=%llu, sku='sku-%llu', qty=%llu", (unsigned long long)n,
		 (unsigned long long)(r % 1000000), (unsigned long long)(r >> 60));
	if (vtb_writer_args(g->w, th, text) < 0)
		return -1;
	g->calls++;
	g->t_ns[th] += 200;
	for (int k = 0; k < 5; k++) {
		uint32_t name = g->names[100 + (r >> (k * 8)) % (NAMES - 100)];

		if (vtb_writer_begin(g->w, th, g->t_ns[th], name, 0) < 0)
			return -1;
		g->calls++;
		g->t_ns[th] += 100;
		for (int j = 0; j < 3; j++)
			if (leaf(g, th, g->names[100 + (r >> (k * 8 + j + 3)) % (NAMES - 100)]) < 0)
				return -1;
		if (n % 100 == 0 && k == 2) {
			snprintf(text, sizeof(text), "request %llu took %llu ms for sku-%llu", (unsigned long long)n,
				 (unsigned long long)(r % 100), (unsigned long long)(r % 1000000));
			if (vtb_writer_log(g->w, th, g->t_ns[th], 30, g->logger, text) < 0)
				return -1;
		}
		if (n % 1000 == 999 && k == 4) {
			snprintf(text, sizeof(text), "'sku-%llu'", (unsigned long long)(r % 1000000));
			if (vtb_writer_instant(g->w, th, g->t_ns[th], g->exc, text) < 0)
				return -1;
		}
		g->t_ns[th] += 100;
		if (vtb_writer_end(g->w, th, g->t_ns[th], 0) < 0)
			return -1;
	}
	g->t_ns[th] += 200;
	if (vtb_writer_end(g->w, th, g->t_ns[th], 0) < 0)
		return -1;
	return vtb_writer_retval(g->w, th, r & 1 ? "True" : "False");
}

static int names(struct gen *g)
{
	char name[64], file[64];

	for (int i = 0; i < NAMES; i++) {
		if (i < 100)
			snprintf(name, sizeof(name), "svc.handler_%d", i);
		else
			snprintf(name, sizeof(name), "pkg%d.mod%d.fn_%d", i % 13, i % 97, i);
		if (i % 4 == 3)
			snprintf(file, sizeof(file), "/usr/lib/python3.11/lib%d.py", i % 97);
		else
			snprintf(file, sizeof(file), "pkg%d/mod%d.py", i % 13, i % 97);
		g->names[i] = (uint32_t)vtb_writer_string(g->w, name, file, (uint32_t)(i + 1));
	}
	g->boot = (uint32_t)vtb_writer_string(g->w, "threading.Thread._bootstrap", "/usr/lib/python3.11/threading.py", 990);
	g->run = (uint32_t)vtb_writer_string(g->w, "threading.Thread.run", "/usr/lib/python3.11/threading.py", 970);
	g->logger = (uint32_t)vtb_writer_string(g->w, "shop", "", 0);
	g->exc = (uint32_t)vtb_writer_string(g->w, "KeyError", "", 0);
	return 0;
}

static vtb_trace *generate(size_t calls)
{
	vtb_header h = { .pid = 4242, .ppid = 1, .cmdline = "python shop.py", .python_version = "3.11.7",
			 .reason = VTB_REASON_API, .start_mono_ns = 1000000000, .window_start_ns = 1000000000,
			 .ring_capacity = 2 * calls + 1000 };
	struct gen g = { 0 };
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	char *cause = NULL;
	vtb_trace *t = NULL;
	const uint8_t *buf;
	size_t len;

	g.w = vtb_writer_open_mem(&h);
	names(&g);
	for (uint32_t th = 0; th < THREADS; th++) {
		char name[32];

		snprintf(name, sizeof(name), "worker-%u", th);
		if (vtb_writer_thread(g.w, 4242, 5000 + th, name) < 0)
			goto out;
		g.t_ns[th] = 1000000000ull + th * 1000;
		if (vtb_writer_begin(g.w, th, g.t_ns[th]++, g.boot, 0) < 0 ||
		    vtb_writer_begin(g.w, th, g.t_ns[th]++, g.run, 0) < 0)
			goto out;
		g.calls += 2;
	}
	while (g.calls + 21 * THREADS <= calls)
		for (uint32_t th = 0; th < THREADS; th++)
			if (request(&g, th, &rng) < 0)
				goto out;
	if (vtb_writer_finish(g.w, &cause) == 0 && (buf = vtb_writer_mem(g.w, &len)))
		t = vtb_trace_load_mem(buf, len, 0, &cause);
out:
	if (!t)
		fprintf(stderr, "bench_search: %s\n", cause ? cause : vtb_writer_cause(g.w));
	free(cause);
	vtb_writer_free(g.w);
	return t;
}

/* Medians over `runs` of `cmd` after `before`: CPU and wall ms into out[0], out[1]. */
static int time_cmd(tui_app *app, const char *before, const char *cmd, int runs, double *out)
{
	double cpu[MAX_RUNS], wall[MAX_RUNS];

	for (int r = 0; r < runs; r++) {
		double c0, w0;

		if (before && tui_app_exec(app, before) < 0)
			return -1;
		c0 = bench_clock_s(CLOCK_PROCESS_CPUTIME_ID);
		w0 = bench_now_s();
		if (tui_app_exec(app, cmd) < 0) {
			fprintf(stderr, "bench_search: '%s': %s\n", cmd, tui_app_message(app));
			return -1;
		}
		cpu[r] = (bench_clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0) * 1e3;
		wall[r] = (bench_now_s() - w0) * 1e3;
	}
	qsort(cpu, (size_t)runs, sizeof(cpu[0]), bench_cmp_double);
	qsort(wall, (size_t)runs, sizeof(wall[0]), bench_cmp_double);
	out[0] = cpu[runs / 2];
	out[1] = wall[runs / 2];
	return 0;
}

static const char *const searches[] = {
	"search name:handler_4\\d$",      /* names only: once per name */
	"search file:^pkg1/mod1\\d\\.py", /* files only: once per distinct file */
	"search handler_4\\d$",           /* no field: names, then every text and mark */
	"search arg:sku-4242",             /* every argument list */
	"search ret:^True$",              /* every return value: half the handlers match */
	"search log:took 9\\d ms",        /* log records only */
	"search exc:keyerror",            /* instants and the dump's exception */
	"search sku-4242\\d\\d",            /* everything: args, logs, exceptions */
};

/* A search as the terminal runs it: the key, then idle slices until the count is done.
 * Medians of the key's CPU ms, the longest slice's and the total into out[0..2]. Each run
 * starts from the middle of the trace, after the same search run whole from there: both
 * must end on the same message. */
static int time_sliced(tui_app *app, const char *cmd, int runs, double *out)
{
	double key[MAX_RUNS], slice[MAX_RUNS], total[MAX_RUNS];
	char expect[256];

	for (int r = 0; r < runs; r++) {
		double c0, c1;

		tui_app_set_slice(app, 0, 0);
		if (tui_app_exec(app, "search") < 0 || tui_app_exec(app, "goto 50%") < 0 ||
		    tui_app_exec(app, "select none") < 0 || tui_app_exec(app, cmd) < 0)
			return -1;
		snprintf(expect, sizeof(expect), "%s", tui_app_message(app));
		tui_app_exec(app, "search");
		tui_app_exec(app, "goto 50%");
		tui_app_exec(app, "select none");
		tui_app_set_slice(app, 4, 0);
		c0 = bench_clock_s(CLOCK_PROCESS_CPUTIME_ID);
		if (tui_app_exec(app, cmd) < 0)
			return -1;
		key[r] = (bench_clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0) * 1e3;
		slice[r] = 0;
		while (tui_app_busy(app)) {
			double s0 = bench_clock_s(CLOCK_PROCESS_CPUTIME_ID), ms;

			tui_app_idle(app);
			ms = (bench_clock_s(CLOCK_PROCESS_CPUTIME_ID) - s0) * 1e3;
			slice[r] = ms > slice[r] ? ms : slice[r];
		}
		c1 = bench_clock_s(CLOCK_PROCESS_CPUTIME_ID);
		total[r] = (c1 - c0) * 1e3;
		if (strcmp(tui_app_message(app), expect) != 0) {
			fprintf(stderr, "bench_search: '%s' sliced ends on '%s', not '%s'\n", cmd,
				tui_app_message(app), expect);
			return -1;
		}
	}
	tui_app_set_slice(app, 0, 0);
	printf("%-34s from the middle, whole and sliced: %s\n", cmd, expect);
	qsort(key, (size_t)runs, sizeof(key[0]), bench_cmp_double);
	qsort(slice, (size_t)runs, sizeof(slice[0]), bench_cmp_double);
	qsort(total, (size_t)runs, sizeof(total[0]), bench_cmp_double);
	out[0] = key[runs / 2];
	out[1] = slice[runs / 2];
	out[2] = total[runs / 2];
	return 0;
}

int main(int argc, char **argv)
{
	size_t calls = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
	int runs = argc > 2 ? atoi(argv[2]) : 9;
	char *cause = NULL;
	tui_screen *s = tui_screen_new(200, 60);
	vtb_trace *t;
	tui_app *app;
	double m[3], c0;

	if (runs < 1 || runs > MAX_RUNS)
		runs = 9;
	t = generate(calls);
	c0 = bench_clock_s(CLOCK_PROCESS_CPUTIME_ID);
	if (!t || !(app = tui_app_new(t, "bench-search.vtb", &cause))) {
		fprintf(stderr, "bench_search: %s\n", cause ? cause : "no trace");
		return 1;
	}
	tui_app_render(app, s);
	printf("trace: %zu calls, %zu names, %zu threads; %d runs each; medians\n",
	       vtb_trace_call_count(tui_app_trace(app)), vtb_trace_string_count(tui_app_trace(app)),
	       vtb_trace_thread_count(tui_app_trace(app)), runs);
	printf("%-34s viewer model and first frame: CPU %8.2f ms\n", "open (tui_app_new + render)",
	       (bench_clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0) * 1e3);
	for (size_t i = 0; i < sizeof(searches) / sizeof(searches[0]); i++) {
		char msg[256];

		if (time_cmd(app, "search", searches[i], runs, m) < 0)
			return 1;
		snprintf(msg, sizeof(msg), "%s", tui_app_message(app));
		printf("%-34s search + first match: CPU %8.2f ms, wall %8.2f ms; %s\n", searches[i], m[0], m[1], msg);
		if (strstr(msg, ": 0 calls"))
			continue;
		if (time_cmd(app, NULL, "next-match", runs, m) < 0)
			return 1;
		printf("%-34s next-match: CPU %.3f ms\n", "", m[0]);
	}
	/* after the runs above, so that they go as they did before the count was sliced */
	for (size_t i = 0; i < sizeof(searches) / sizeof(searches[0]); i++) {
		if (time_sliced(app, searches[i], runs, m) < 0)
			return 1;
		printf("%-34s sliced: key CPU %.2f ms, longest idle slice %.2f ms, all %.2f ms\n", searches[i], m[0],
		       m[1], m[2]);
	}
	tui_app_exec(app, "search");
	if (time_cmd(app, "clear-filters", "flatten file:^/usr/lib/python3", runs, m) < 0)
		return 1;
	printf("%-34s apply: CPU %8.2f ms, wall %8.2f ms; %s\n", "flatten file:^/usr/lib/python3", m[0], m[1],
	       tui_app_message(app));
	if (time_cmd(app, "flatten file:^/usr/lib/python3", "clear-filters", runs, m) < 0)
		return 1;
	printf("%-34s back to whole: CPU %8.2f ms, wall %8.2f ms\n", "clear-filters", m[0], m[1]);
	tui_screen_free(s);
	tui_app_free(app);
	return 0;
}
