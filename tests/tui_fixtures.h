/* SPDX-License-Identifier: MIT */
/* tui_fixtures.h: small traces for the viewer's tests, written with the VTB writer so the
 * tests read them through the same reader as real files, and the viewer's test helpers
 * around them (an app on a fixture, golden --render texts). Included by the test_tui*.c
 * suites after check.h (static functions: one copy per suite).
 *
 * Times: the trace starts at T0; fixture times are given in microseconds from T0.
 *   simple   one thread: main > app.load > json.parse x2, app.compute > 200 x app.step,
 *            app.save (args, return value, left by an exception)
 *   threads  process 100 (MainThread, worker-1, worker-2) and process 101 (its child)
 *   wrapped  a ring that wrapped: a call whose entry was lost, calls still open at the dump
 *   deep     fib(10) recursion, for navigation
 */
#ifndef VTUI_TESTS_TUI_FIXTURES_H
#define VTUI_TESTS_TUI_FIXTURES_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/vtb.h"
#include "tui/tui.h"

#define FX_T0 1000000000ull
#define FX_US(us) (FX_T0 + (uint64_t)(us) * 1000ull)

static const char *const fx_names[] __attribute__((unused)) = { "simple", "threads", "wrapped", "deep", "long", NULL };

static void fx_header(const char *name, vtb_header *h)
{
	memset(h, 0, sizeof(*h));
	h->pid = 100;
	h->ppid = 1;
	h->cmdline = "python app.py --input data.json";
	h->python_version = "3.11.7";
	h->start_wall_ns = 1764201600000000000ull;
	h->start_mono_ns = FX_T0;
	h->window_start_ns = FX_T0;
	h->dump_ns = FX_US(100000);
	h->ring_capacity = 1000000;
	h->reason = VTB_REASON_EXCEPTION;
	h->reason_text = "ValueError: bad input";
	if (!strcmp(name, "wrapped")) {
		h->reason = VTB_REASON_SIGNAL;
		h->reason_text = "SIGUSR1";
		h->wrapped = 1;
		h->events_dropped = 5000;
		h->window_start_ns = FX_US(10000);
		h->dump_ns = FX_US(60000);
	}
}

#define FX_TRY(x) do { if ((x) < 0) return -1; } while (0)

static int fx_call(vtb_writer *w, uint32_t th, uint64_t b_us, uint64_t e_us, int64_t name)
{
	FX_TRY(vtb_writer_begin(w, th, FX_US(b_us), (uint32_t)name, 0));
	return vtb_writer_end(w, th, FX_US(e_us), 0);
}

static int fx_simple(vtb_writer *w, uint32_t th, uint64_t at_us)
{
	int64_t m = vtb_writer_string(w, "main", "app.py", 1);
	int64_t load = vtb_writer_string(w, "app.load", "app.py", 10);
	int64_t parse = vtb_writer_string(w, "json.parse", "json/__init__.py", 299);
	int64_t comp = vtb_writer_string(w, "app.compute", "app.py", 20);
	int64_t step = vtb_writer_string(w, "app.step", "app.py", 30);
	int64_t save = vtb_writer_string(w, "app.save", "app.py", 40);

	FX_TRY(m | load | parse | comp | step | save);
	FX_TRY(vtb_writer_begin(w, th, FX_US(at_us), (uint32_t)m, 0));
	FX_TRY(vtb_writer_begin(w, th, FX_US(at_us + 1000), (uint32_t)load, 0));
	FX_TRY(fx_call(w, th, at_us + 2000, at_us + 12000, parse));
	FX_TRY(fx_call(w, th, at_us + 13000, at_us + 20000, parse));
	FX_TRY(vtb_writer_end(w, th, FX_US(at_us + 21000), 0));
	FX_TRY(vtb_writer_begin(w, th, FX_US(at_us + 25000), (uint32_t)comp, 0));
	for (int i = 0; i < 200; i++)
		FX_TRY(fx_call(w, th, at_us + 25100 + i * 300, at_us + 25100 + i * 300 + 200, step));
	FX_TRY(vtb_writer_end(w, th, FX_US(at_us + 85000), 0));
	FX_TRY(vtb_writer_begin(w, th, FX_US(at_us + 88000), (uint32_t)save, 0));
	FX_TRY(vtb_writer_args(w, th, "path='/tmp/out.json', mode='w'"));
	FX_TRY(vtb_writer_end(w, th, FX_US(at_us + 99000), VTB_CALL_EXCEPTION));
	FX_TRY(vtb_writer_retval(w, th, "None"));
	return vtb_writer_end(w, th, FX_US(at_us + 100000), 0);
}

static int fx_threads(vtb_writer *w)
{
	int64_t t0, t1, t2, t3;
	int64_t run = vtb_writer_string(w, "worker.run", "pool.py", 5);
	int64_t job = vtb_writer_string(w, "worker.job", "pool.py", 12);

	FX_TRY(vtb_writer_process(w, 100, 1, "python app.py"));
	FX_TRY(vtb_writer_process(w, 101, 100, "python app.py (child)"));
	FX_TRY(t0 = vtb_writer_thread(w, 100, 1000, "MainThread"));
	FX_TRY(t1 = vtb_writer_thread(w, 100, 1001, "worker-1"));
	FX_TRY(t2 = vtb_writer_thread(w, 100, 1002, "worker-2"));
	FX_TRY(t3 = vtb_writer_thread(w, 101, 2000, "MainThread"));
	FX_TRY(fx_simple(w, (uint32_t)t0, 0));
	for (int k = 1; k <= 3; k++) {
		uint32_t th = (uint32_t)(k == 1 ? t1 : k == 2 ? t2 : t3);

		FX_TRY(vtb_writer_begin(w, th, FX_US(k * 5000), (uint32_t)run, 0));
		for (int i = 0; i < 8; i++)
			FX_TRY(fx_call(w, th, k * 5000 + 1000 + i * 9000, k * 5000 + 1000 + i * 9000 + 7000 + k * 100, job));
		FX_TRY(vtb_writer_end(w, th, FX_US(k * 5000 + 80000), 0));
	}
	return 0;
}

static int fx_wrapped(vtb_writer *w)
{
	int64_t th, serve, handle, query, poll;

	FX_TRY(th = vtb_writer_thread(w, 100, 1000, "MainThread"));
	FX_TRY(serve = vtb_writer_string(w, "server.serve_forever", "server.py", 100));
	FX_TRY(handle = vtb_writer_string(w, "server.handle", "server.py", 140));
	FX_TRY(query = vtb_writer_string(w, "db.query", "db.py", 33));
	FX_TRY(poll = vtb_writer_string(w, "selectors.poll", "selectors.py", 400));
	/* serve_forever began before the record: its entry was overwritten */
	FX_TRY(vtb_writer_begin(w, (uint32_t)th, FX_US(10000), (uint32_t)serve, VTB_CALL_ENTRY_LOST));
	for (int i = 0; i < 4; i++) {
		uint64_t at = 12000 + i * 10000;

		FX_TRY(vtb_writer_begin(w, (uint32_t)th, FX_US(at), (uint32_t)handle, 0));
		FX_TRY(fx_call(w, (uint32_t)th, at + 1000, at + 6000, query));
		FX_TRY(vtb_writer_end(w, (uint32_t)th, FX_US(at + 8000), 0));
	}
	/* still running at the dump: writer_finish closes it with VTB_CALL_OPEN */
	FX_TRY(vtb_writer_begin(w, (uint32_t)th, FX_US(53000), (uint32_t)handle, 0));
	return vtb_writer_begin(w, (uint32_t)th, FX_US(55000), (uint32_t)poll, 0);
}

static int fx_fib(vtb_writer *w, uint32_t th, int64_t name, int n, uint64_t *t_us)
{
	FX_TRY(vtb_writer_begin(w, th, FX_US(*t_us), (uint32_t)name, 0));
	*t_us += 1;
	if (n > 1) {
		FX_TRY(fx_fib(w, th, name, n - 1, t_us));
		FX_TRY(fx_fib(w, th, name, n - 2, t_us));
	}
	*t_us += 1;
	return vtb_writer_end(w, th, FX_US(*t_us), 0);
}

/* "long": one call whose arguments and return value are longer than a screen is wide. */
static int fx_long(vtb_writer *w, uint32_t th)
{
	int64_t name = vtb_writer_string(w, "shop.process_order", "shop.py", 2);

	FX_TRY(name);
	FX_TRY(vtb_writer_begin(w, th, FX_US(0), (uint32_t)name, 0));
	FX_TRY(vtb_writer_args(w, th, "order_id=2, customer={'name': 'Ada Lovelace', 'address': '12 St James Square'}, "
				      "items=[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], note='ring twice' ARGS-END"));
	FX_TRY(vtb_writer_end(w, th, FX_US(1000), 0));
	return vtb_writer_retval(w, th, "{'order': 2, 'lines': [{'sku': 0, 'qty': 1}, {'sku': 1, 'qty': 2}, "
				 "{'sku': 2, 'qty': 3}, {'sku': 3, 'qty': 1}, {'sku': 4, 'qty': 2}, {'sku': 5, 'qty': 3}, "
				 "{'sku': 6, 'qty': 1}, {'sku': 7, 'qty': 2}, {'sku': 8, 'qty': 3}]} RETURN-END");
}

static int fx_events(const char *name, vtb_writer *w)
{
	int64_t th;
	uint64_t t = 0;

	if (!strcmp(name, "threads"))
		return fx_threads(w);
	if (!strcmp(name, "wrapped"))
		return fx_wrapped(w);
	FX_TRY(th = vtb_writer_thread(w, 100, 1000, "MainThread"));
	if (!strcmp(name, "deep"))
		return fx_fib(w, (uint32_t)th, vtb_writer_string(w, "fib", "fib.py", 1), 10, &t);
	if (!strcmp(name, "long"))
		return fx_long(w, (uint32_t)th);
	return fx_simple(w, (uint32_t)th, 0);
}

/* Finishes the memory writer w and loads what it wrote with `flags`: the trace (the caller
 * frees), or NULL with *cause set when either step failed. w stays the caller's. */
static inline vtb_trace *fx_load_mem(vtb_writer *w, unsigned flags, char **cause)
{
	const uint8_t *buf;
	size_t len;

	if (vtb_writer_finish(w, cause) < 0 || !(buf = vtb_writer_mem(w, &len)))
		return NULL;
	return vtb_trace_load_mem(buf, len, flags, cause);
}

/* The whole of the open file f from its start, NUL-terminated (the caller frees), or NULL
 * when it cannot be read in full. */
static inline char *fx_slurp(FILE *f)
{
	long n;
	char *buf;

	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = n < 0 ? NULL : malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = '\0';
	return buf;
}

/* The fixture `name` as a loaded trace (NULL on failure). */
static inline vtb_trace *fx_trace(const char *name)
{
	vtb_header h;
	vtb_writer *w;
	vtb_trace *t = NULL;
	char *cause = NULL;

	fx_header(name, &h);
	w = vtb_writer_open_mem(&h);
	if (!w)
		return NULL;
	if (fx_events(name, w) == 0)
		t = fx_load_mem(w, VTB_LOAD_SALVAGE, &cause);
	if (!t && cause)
		fprintf(stderr, "fixture %s: %s\n", name, cause);
	free(cause);
	vtb_writer_free(w);
	return t;
}

/* Write the fixture `name` to `path`; 0 or -1. */
static inline int fx_write(const char *name, const char *path)
{
	vtb_header h;
	vtb_writer *w;
	char *cause = NULL;
	int rc = -1;

	fx_header(name, &h);
	w = vtb_writer_open_file(path, &h, &cause);
	if (w && fx_events(name, w) == 0 && vtb_writer_finish(w, &cause) == 0)
		rc = 0;
	if (rc < 0)
		fprintf(stderr, "fixture %s: %s\n", name, cause ? cause : "writer failed");
	free(cause);
	vtb_writer_free(w);
	return rc;
}

/* A viewer on trace t (the app takes it), opened as file `path`; asserts both. */
static inline tui_app *fx_app(vtb_trace *t, const char *path)
{
	char *cause = NULL;
	tui_app *app;

	ck_assert_msg(t != NULL, "fixture %s did not load", path);
	app = tui_app_new(t, path, &cause);
	ck_assert_msg(app != NULL, "tui_app_new: %s", cause ? cause : "?");
	return app;
}

/* Runs one command in app; asserts it succeeded. */
static inline void fx_run(tui_app *app, const char *cmd)
{
	ck_assert_msg(tui_app_exec(app, cmd) == 0, "'%s' failed: %s", cmd, tui_app_message(app));
}

/* app drawn in ASCII on a WxH screen, the whole screen as text; the caller frees. */
static inline char *fx_draw(tui_app *app, int w, int h)
{
	tui_screen *s = tui_screen_new(w, h);
	char *text;

	tui_screen_set_ascii(s, 1);
	tui_app_render(app, s);
	text = tui_screen_text(s);
	tui_screen_free(s);
	return text;
}

/* Line y (from the bottom when negative) of app drawn in ASCII on a WxH screen; the
 * caller frees. */
static inline char *fx_line_of(tui_app *app, int w, int h, int y)
{
	tui_screen *s = tui_screen_new(w, h);
	char *line;

	tui_screen_set_ascii(s, 1);
	tui_app_render(app, s);
	line = tui_screen_line(s, y < 0 ? h + y : y);
	tui_screen_free(s);
	return line;
}

#define ck_assert_has(hay, needle) \
	ck_assert_msg(strstr((hay), (needle)) != NULL, "'%s' not in:\n%.3000s", (needle), (hay))
#define ck_assert_lacks(hay, needle) \
	ck_assert_msg(strstr((hay), (needle)) == NULL, "'%s' unexpected in:\n%.3000s", (needle), (hay))

/* Renders app at `size` after cmds (NULL-terminated) as `vtui --render` does and asserts
 * the text is tests/golden/<file>.txt (VTUI_GOLDEN_UPDATE=1 rewrites that file first). */
static inline void fx_golden_check(tui_app *app, const char *file, const char *size, int ascii,
				   const char *const *cmds)
{
	const char *update = getenv("VTUI_GOLDEN_UPDATE");
	char path[256], *cause = NULL, *got, *want;
	size_t n = 0;
	FILE *out = tmpfile(), *f;
	int w, h;

	while (cmds[n])
		n++;
	ck_assert_int_eq(tui_parse_size(size, &w, &h), 0);
	ck_assert_int_eq(tui_render_batch(app, w, h, ascii, cmds, n, out, &cause), 0);
	got = fx_slurp(out);
	ck_assert_ptr_nonnull(got);
	snprintf(path, sizeof(path), "tests/golden/%s.txt", file);
	if (update && *update == '1') {
		f = fopen(path, "w");
		ck_assert_msg(f != NULL, "cannot write %s", path);
		fputs(got, f);
		fclose(f);
	}
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s is missing (run from the source tree)", path);
	want = fx_slurp(f);
	ck_assert_ptr_nonnull(want);
	fclose(f);
	ck_assert_msg(!strcmp(got, want), "%s differs; got:\n%.3000s", path, got);
	free(got);
	free(want);
	fclose(out);
}

#endif
