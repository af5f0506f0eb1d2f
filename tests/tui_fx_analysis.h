/* SPDX-License-Identifier: MIT */
/* tui_fx_analysis.h: a trace with known timings for the tracks, panels, statistics, flame
 * graph and diff tests, written with the VTB writer (times in microseconds from FX_T0).
 *
 * process 100, MainThread (tid 1000):
 *   main 0..100000
 *     work 1000..41000 > step 2000..7000, 12000..17000, 22000..27000, 32000..37000
 *     work 50000..70000 > step 51000..61000
 *     gc.collect 80000..82000 (a GC slice)     load-config 85000..90000 (a span)
 *   logs: 3000 INFO app "starting", 15000 WARNING app.db "slow query",
 *         45000 ERROR app "failed to connect", 95000 DEBUG app "done"
 *   instant checkpoint at 60000 ("phase=2"), object cfg at 10000 ("{'a': 1}")
 * worker-1 (tid 1001): worker.run 5000..65000 > step 10000..30000; log INFO pool "worker up" at 6000
 * counters: queue (series queue) 0:0 10000:5 20000:10 20500:2 30000:3 90000:0;
 *           mem: series rss 0:100 50000:200, series heap 0:50 50000:80
 *
 * Statistics of the whole trace: step 6 calls, total 50ms, self 50ms, max 20ms; work 2
 * calls, total 60ms, self 30ms; main total 100ms, self 33ms; worker.run 60ms, self 40ms.
 * `slow` (the "after" trace of the diff) makes the step at 51000 last 20ms (51000..71000,
 * work 50000..75000, main and worker unchanged) and adds a call of `extra` 91000..92000.
 */
#ifndef VTUI_TESTS_TUI_FX_ANALYSIS_H
#define VTUI_TESTS_TUI_FX_ANALYSIS_H

#include "tests/tui_fixtures.h"

static int fxa_events(vtb_writer *w, int slow)
{
	int64_t th, wk, m, work, step, gc, span, app, db, pool, ck, cfg, queue, mem, rss, heap, run, extra;

	FX_TRY(vtb_writer_process(w, 100, 1, "python app.py"));
	FX_TRY(th = vtb_writer_thread(w, 100, 1000, "MainThread"));
	FX_TRY(wk = vtb_writer_thread(w, 100, 1001, "worker-1"));
	FX_TRY(m = vtb_writer_string(w, "main", "app.py", 1));
	FX_TRY(work = vtb_writer_string(w, "work", "app.py", 10));
	FX_TRY(step = vtb_writer_string(w, "step", "app.py", 20));
	FX_TRY(gc = vtb_writer_string(w, "gc.collect", "", 0));
	FX_TRY(span = vtb_writer_string(w, "load-config", "", 0));
	FX_TRY(app = vtb_writer_string(w, "app", "", 0));
	FX_TRY(db = vtb_writer_string(w, "app.db", "", 0));
	FX_TRY(pool = vtb_writer_string(w, "pool", "", 0));
	FX_TRY(ck = vtb_writer_string(w, "checkpoint", "", 0));
	FX_TRY(cfg = vtb_writer_string(w, "cfg", "", 0));
	FX_TRY(queue = vtb_writer_string(w, "queue", "", 0));
	FX_TRY(mem = vtb_writer_string(w, "mem", "", 0));
	FX_TRY(rss = vtb_writer_string(w, "rss", "", 0));
	FX_TRY(heap = vtb_writer_string(w, "heap", "", 0));
	FX_TRY(run = vtb_writer_string(w, "worker.run", "pool.py", 5));
	FX_TRY(extra = vtb_writer_string(w, "extra", "app.py", 30));
	uint32_t t = (uint32_t)th, k = (uint32_t)wk;

	FX_TRY(vtb_writer_counter(w, t, FX_US(0), (uint32_t)queue, (uint32_t)queue, 0));
	FX_TRY(vtb_writer_counter(w, t, FX_US(0), (uint32_t)mem, (uint32_t)rss, 100));
	FX_TRY(vtb_writer_counter(w, t, FX_US(0), (uint32_t)mem, (uint32_t)heap, 50));
	FX_TRY(vtb_writer_begin(w, t, FX_US(0), (uint32_t)m, 0));
	FX_TRY(vtb_writer_begin(w, t, FX_US(1000), (uint32_t)work, 0));
	FX_TRY(vtb_writer_begin(w, t, FX_US(2000), (uint32_t)step, 0));
	FX_TRY(vtb_writer_log(w, t, FX_US(3000), 20, (uint32_t)app, "starting"));
	FX_TRY(vtb_writer_end(w, t, FX_US(7000), 0));
	FX_TRY(vtb_writer_object(w, t, FX_US(10000), (uint32_t)cfg, "{'a': 1}"));
	FX_TRY(vtb_writer_counter(w, t, FX_US(10000), (uint32_t)queue, (uint32_t)queue, 5));
	FX_TRY(vtb_writer_begin(w, t, FX_US(12000), (uint32_t)step, 0));
	FX_TRY(vtb_writer_log(w, t, FX_US(15000), 30, (uint32_t)db, "slow query"));
	FX_TRY(vtb_writer_end(w, t, FX_US(17000), 0));
	FX_TRY(vtb_writer_counter(w, t, FX_US(20000), (uint32_t)queue, (uint32_t)queue, 10));
	FX_TRY(vtb_writer_counter(w, t, FX_US(20500), (uint32_t)queue, (uint32_t)queue, 2));
	FX_TRY(fx_call(w, t, 22000, 27000, step));
	FX_TRY(vtb_writer_counter(w, t, FX_US(30000), (uint32_t)queue, (uint32_t)queue, 3));
	FX_TRY(fx_call(w, t, 32000, 37000, step));
	FX_TRY(vtb_writer_end(w, t, FX_US(41000), 0));
	FX_TRY(vtb_writer_log(w, t, FX_US(45000), 40, (uint32_t)app, "failed to connect"));
	FX_TRY(vtb_writer_begin(w, t, FX_US(50000), (uint32_t)work, 0));
	FX_TRY(vtb_writer_counter(w, t, FX_US(50000), (uint32_t)mem, (uint32_t)rss, 200));
	FX_TRY(vtb_writer_counter(w, t, FX_US(50000), (uint32_t)mem, (uint32_t)heap, 80));
	FX_TRY(fx_call(w, t, 51000, slow ? 71000 : 61000, step));
	FX_TRY(vtb_writer_instant(w, t, FX_US(slow ? 72000 : 62000), (uint32_t)ck, "phase=2"));
	FX_TRY(vtb_writer_end(w, t, FX_US(slow ? 75000 : 70000), 0));
	FX_TRY(vtb_writer_begin(w, t, FX_US(80000), (uint32_t)gc, VTB_CALL_GC));
	FX_TRY(vtb_writer_end(w, t, FX_US(82000), 0));
	FX_TRY(vtb_writer_begin(w, t, FX_US(85000), (uint32_t)span, VTB_CALL_SPAN));
	FX_TRY(vtb_writer_end(w, t, FX_US(90000), 0));
	FX_TRY(vtb_writer_counter(w, t, FX_US(90000), (uint32_t)queue, (uint32_t)queue, 0));
	if (slow)
		FX_TRY(fx_call(w, t, 91000, 92000, extra));
	FX_TRY(vtb_writer_log(w, t, FX_US(95000), 10, (uint32_t)app, "done"));
	FX_TRY(vtb_writer_end(w, t, FX_US(100000), 0));
	FX_TRY(vtb_writer_begin(w, k, FX_US(5000), (uint32_t)run, 0));
	FX_TRY(vtb_writer_log(w, k, FX_US(6000), 20, (uint32_t)pool, "worker up"));
	FX_TRY(fx_call(w, k, 10000, 30000, step));
	return vtb_writer_end(w, k, FX_US(65000), 0);
}

/* The analysis fixture (slow: the diff's "after"), loaded or written to `path`. */
static inline vtb_trace *fxa_trace(int slow, const char *path)
{
	vtb_header h;
	vtb_writer *w;
	vtb_trace *t = NULL;
	char *cause = NULL;

	fx_header("simple", &h);
	w = path ? vtb_writer_open_file(path, &h, &cause) : vtb_writer_open_mem(&h);
	if (w && fxa_events(w, slow) < 0)
		fprintf(stderr, "analysis fixture: the writer refused an event\n");
	else if (w && !path)
		t = fx_load_mem(w, VTB_LOAD_SALVAGE, &cause);
	else if (w)
		vtb_writer_finish(w, &cause);
	if (cause)
		fprintf(stderr, "analysis fixture: %s\n", cause);
	free(cause);
	vtb_writer_free(w);
	return t;
}

/* A child process's dump (pid 101) with its own monotonic clock: recording began at
 * mono 5 s, 20 ms (wall clock) after the parent's. child.main runs 1..31 ms of its clock,
 * so 21..51 ms of the parent's; an ERROR log at its 11 ms (the parent's 31 ms). */
#define FXA_CHILD_MONO 5000000000ull

static inline vtb_trace *fxa_child(const char *path)
{
	vtb_header h;
	vtb_writer *w;
	vtb_trace *t = NULL;
	char *cause = NULL;
	int64_t th, cm, lg;
	uint64_t at = FXA_CHILD_MONO;

	fx_header("simple", &h);
	h.pid = 101;
	h.ppid = 100;
	h.start_wall_ns += 20000000ull;
	h.start_mono_ns = h.window_start_ns = at;
	h.dump_ns = at + 40000000ull;
	w = path ? vtb_writer_open_file(path, &h, &cause) : vtb_writer_open_mem(&h);
	if (!w || vtb_writer_process(w, 101, 100, "python app.py (child)") < 0 ||
	    (th = vtb_writer_thread(w, 101, 2000, "MainThread")) < 0 ||
	    (cm = vtb_writer_string(w, "child.main", "app.py", 50)) < 0 || (lg = vtb_writer_string(w, "child", "", 0)) < 0 ||
	    vtb_writer_begin(w, (uint32_t)th, at + 1000000, (uint32_t)cm, 0) < 0 ||
	    vtb_writer_log(w, (uint32_t)th, at + 11000000, 40, (uint32_t)lg, "child failed") < 0 ||
	    vtb_writer_end(w, (uint32_t)th, at + 31000000, 0) < 0)
		fprintf(stderr, "child fixture: the writer refused an event\n");
	else if (!path)
		t = fx_load_mem(w, VTB_LOAD_SALVAGE, &cause);
	else
		vtb_writer_finish(w, &cause);
	if (cause)
		fprintf(stderr, "child fixture: %s\n", cause);
	free(cause);
	vtb_writer_free(w);
	return t;
}

#endif
