/* SPDX-License-Identifier: MIT */
/* stats_fixture.h: a trace with known per-function statistics (times in ns), written with
 * the VTB writer, for test_analysis.c (the figures) and test_stats.c (`vtui stats`).
 * Included after check.h (static functions: one copy per suite). */
#ifndef VTUI_TESTS_STATS_FIXTURE_H
#define VTUI_TESTS_STATS_FIXTURE_H

#include <stdint.h>

#include "common/vtb.h"

enum { MAIN, A, B, FIB, C, NNAMES };
static const char *const names[NNAMES] __attribute__((unused)) = { "main", "app.a", "app.b", "fib", "c" };

struct ev {
	int thread;
	uint64_t ts;
	char op;        /* 'B' begin, 'E' end */
	int name;
};

/* Thread 0 "MainThread":
 *   main [0,100)  a [10,50)  b [20,30)  b [40,45)  fib [60,80)  fib [61,70)  fib [62,64)
 * Thread 1 "Worker-1":  c [5,25)  b [6,16) */
static const struct ev known[] __attribute__((unused)) = {
	{ 0, 0, 'B', MAIN }, { 1, 5, 'B', C }, { 1, 6, 'B', B }, { 0, 10, 'B', A },
	{ 1, 16, 'E', 0 }, { 0, 20, 'B', B }, { 1, 25, 'E', 0 }, { 0, 30, 'E', 0 },
	{ 0, 40, 'B', B }, { 0, 45, 'E', 0 }, { 0, 50, 'E', 0 }, { 0, 60, 'B', FIB },
	{ 0, 61, 'B', FIB }, { 0, 62, 'B', FIB }, { 0, 64, 'E', 0 }, { 0, 70, 'E', 0 },
	{ 0, 80, 'E', 0 }, { 0, 100, 'E', 0 },
};

static inline vtb_writer *start_writer(vtb_writer *w, int64_t *ids)
{
	ck_assert_ptr_nonnull(w);
	for (int i = 0; i < NNAMES; i++) {
		ids[i] = vtb_writer_string(w, names[i], "/src/app.py", (uint32_t)(10 * i + 1));
		ck_assert_int_ge(ids[i], 0);
	}
	ck_assert_int_eq(vtb_writer_process(w, 42, 1, "python"), 0);
	ck_assert_int_eq(vtb_writer_thread(w, 42, 1000, "MainThread"), 0);
	ck_assert_int_eq(vtb_writer_thread(w, 42, 1001, "Worker-1"), 1);
	return w;
}

static inline void write_events(vtb_writer *w, const int64_t *ids, const struct ev *evs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct ev *e = &evs[i];

		if (e->op == 'B')
			ck_assert_int_eq(vtb_writer_begin(w, (uint32_t)e->thread, e->ts,
							  (uint32_t)ids[e->name], 0), 0);
		else
			ck_assert_int_eq(vtb_writer_end(w, (uint32_t)e->thread, e->ts, 0), 0);
	}
}

static const vtb_header header __attribute__((unused)) = { .pid = 42, .cmdline = "python app.py",
				   .python_version = "3.11.7", .reason_text = "",
				   .dump_ns = 1000, .reason = VTB_REASON_API };


#endif
