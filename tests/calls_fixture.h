/* SPDX-License-Identifier: MIT */
/* calls_fixture.h: a "story" trace for the call list (test_calls.c, test_tui_tmux_calls.c):
 * what a small threaded program that logs and then crashes on a KeyError leaves, with
 * exact times. Times in µs from 0 (written as ns * 1000 from 1 s):
 *
 * MainThread (tid 1000), the dump's thread (unhandled KeyError: 'sku-13'):
 *   main                   [0, 1000)   exception
 *     load(path='a.txt')=3 [10, 100)
 *       open               [20, 40)
 *       read               [50, 90)
 *     log INFO app "loaded 3 items"        @110
 *     process              [200, 900)  exception
 *       step(i=0)=0        [210, 300)
 *       step(i=1)=2        [310, 400)
 *       log WARNING app "slow step"         @450
 *       fetch(key='sku-13')[500, 890)  exception
 *         lookup           [510, 880)  exception
 *     instant checkpoint "n=2"             @950
 * worker-1 (tid 1001):
 *   run [50, 600)  work(n=1) [60, 160)  log INFO "worker done 1" @170  work(n=2) [200, 300)
 * The header is included by one file of a suite: static functions. */
#ifndef VTUI_TESTS_CALLS_FIXTURE_H
#define VTUI_TESTS_CALLS_FIXTURE_H

#include <stdint.h>
#include <string.h>

#include "common/vtb.h"

#define CFX_T0 UINT64_C(1000000000)
#define CFX_US(us) (CFX_T0 + (uint64_t)(us) * 1000u)

enum { CFX_MAIN, CFX_LOAD, CFX_OPEN, CFX_READ, CFX_PROCESS, CFX_STEP, CFX_FETCH, CFX_LOOKUP, CFX_RUN,
       CFX_WORK, CFX_APP, CFX_CHECKPOINT, CFX_NNAMES };

/* One event: 'B' begin (args), 'E' end (flags, retval), 'L' log (level, text), 'I' instant. */
struct cfx_ev {
	int thread;
	uint64_t us;
	char op;
	int name;
	const char *text;   /* args (B), retval (E), message (L), instant args (I) */
	uint32_t n;         /* flags (E), level (L) */
};

static const struct cfx_ev cfx_story[] = {
	{ 0, 0, 'B', CFX_MAIN, NULL, 0 },
	{ 0, 10, 'B', CFX_LOAD, "path='a.txt'", 0 },
	{ 0, 20, 'B', CFX_OPEN, NULL, 0 }, { 0, 40, 'E', 0, NULL, 0 },
	{ 1, 50, 'B', CFX_RUN, NULL, 0 },
	{ 0, 50, 'B', CFX_READ, NULL, 0 },
	{ 1, 60, 'B', CFX_WORK, "n=1", 0 },
	{ 0, 90, 'E', 0, NULL, 0 },
	{ 0, 100, 'E', 0, "3", 0 },
	{ 0, 110, 'L', CFX_APP, "loaded 3 items", 20 },
	{ 1, 160, 'E', 0, NULL, 0 },
	{ 1, 170, 'L', CFX_APP, "worker done 1", 20 },
	{ 0, 200, 'B', CFX_PROCESS, NULL, 0 },
	{ 1, 200, 'B', CFX_WORK, "n=2", 0 },
	{ 0, 210, 'B', CFX_STEP, "i=0", 0 }, { 0, 300, 'E', 0, "0", 0 },
	{ 1, 300, 'E', 0, NULL, 0 },
	{ 0, 310, 'B', CFX_STEP, "i=1", 0 }, { 0, 400, 'E', 0, "2", 0 },
	{ 0, 450, 'L', CFX_APP, "slow step", 30 },
	{ 0, 500, 'B', CFX_FETCH, "key='sku-13'", 0 },
	{ 0, 510, 'B', CFX_LOOKUP, NULL, 0 },
	{ 1, 600, 'E', 0, NULL, 0 },
	{ 0, 880, 'E', 0, NULL, VTB_CALL_EXCEPTION },
	{ 0, 890, 'E', 0, NULL, VTB_CALL_EXCEPTION },
	{ 0, 900, 'E', 0, NULL, VTB_CALL_EXCEPTION },
	{ 0, 950, 'I', CFX_CHECKPOINT, "n=2", 0 },
	{ 0, 1000, 'E', 0, NULL, VTB_CALL_EXCEPTION },
};

/* Write the story through `w` (opened with cfx_header()); 0, or the first error. */
static int cfx_write(vtb_writer *w)
{
	static const char *const names[CFX_NNAMES] = { "app.main", "app.load", "io.open", "io.read", "app.process",
						       "app.step", "app.fetch", "app.lookup", "worker.run",
						       "worker.work", "app", "checkpoint" };
	int64_t ids[CFX_NNAMES];
	int rc = 0;

	for (int i = 0; i < CFX_NNAMES; i++)
		if ((ids[i] = vtb_writer_string(w, names[i], i == CFX_APP || i == CFX_CHECKPOINT ? "" : "/src/app.py",
						(uint32_t)(10 * i + 1))) < 0)
			return (int)ids[i];
	if (vtb_writer_process(w, 42, 1, "python app.py") < 0 || vtb_writer_thread(w, 42, 1000, "MainThread") != 0 ||
	    vtb_writer_thread(w, 42, 1001, "worker-1") != 1)
		return VTB_E_ARG;
	for (size_t i = 0; rc == 0 && i < sizeof(cfx_story) / sizeof(cfx_story[0]); i++) {
		const struct cfx_ev *e = &cfx_story[i];
		uint32_t th = (uint32_t)e->thread;

		if (e->op == 'B') {
			rc = vtb_writer_begin(w, th, CFX_US(e->us), (uint32_t)ids[e->name], 0);
			if (rc == 0 && e->text)
				rc = vtb_writer_args(w, th, e->text);
		} else if (e->op == 'E') {
			rc = vtb_writer_end(w, th, CFX_US(e->us), e->n);
			if (rc == 0 && e->text)
				rc = vtb_writer_retval(w, th, e->text);
		} else if (e->op == 'L') {
			rc = vtb_writer_log(w, th, CFX_US(e->us), e->n, (uint32_t)ids[e->name], e->text);
		} else {
			rc = vtb_writer_instant(w, th, CFX_US(e->us), (uint32_t)ids[e->name], e->text);
		}
	}
	return rc;
}

static vtb_header cfx_header(void)
{
	vtb_header h;

	memset(&h, 0, sizeof(h));
	h.pid = 42;
	h.ppid = 1;
	h.cmdline = "python app.py";
	h.python_version = "3.11.7";
	h.reason = VTB_REASON_EXCEPTION;
	h.reason_text = "KeyError: 'sku-13'";
	h.start_mono_ns = CFX_T0;
	h.window_start_ns = CFX_T0;
	h.dump_ns = CFX_US(1000);
	h.ring_capacity = 1000;
	return h;
}

/* The story as a file at `path`: 0 or a negative error (cause set). */
static int cfx_write_file(const char *path, char **cause)
{
	vtb_header h = cfx_header();
	vtb_writer *w = vtb_writer_open_file(path, &h, cause);
	int rc;

	if (!w)
		return VTB_E_IO;
	rc = cfx_write(w);
	if (rc == 0)
		rc = vtb_writer_finish(w, cause);
	vtb_writer_free(w);
	return rc;
}

#endif
