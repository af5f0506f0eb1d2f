/* SPDX-License-Identifier: MIT */
/* test_tui_hostile.c: what a hostile file does to the whole viewer, not only its reader
 * (issue 17). Each file is a few hundred bytes to a few MB, written raw (tests/vtb_craft.h)
 * where the writer would refuse it; each run of $VTUI_BUILD/vtui (default build/vtui) is
 * killed after a deadline and, outside sanitizer builds (whose shadow memory needs
 * terabytes of address space), runs under RLIMIT_AS: a hang or a memory bomb fails the
 * test instead of the machine. */
#include "common/vtb.h"
#include "common/vtb_internal.h"
#include "tests/vtb_craft.h"

#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#if defined(__SANITIZE_ADDRESS__)
#define MEM_CAP 0
#else
#define MEM_CAP 1
#endif

#define T62 (UINT64_C(1) << 62)
/* A tiny file renders in milliseconds; the ruler's wrapped loop took 8 s a frame. */
#define EDGE_SECS 5

static char vtui[512];
static char dir[] = "/tmp/vtui-bombs-XXXXXX";

struct run {
	int status;          /* the exit status, or -signal */
	int timed_out;
	char err[8192];      /* the start of stderr */
};

static void child(long mem_mb, const char *const *args, const char *errpath)
{
	int null = open("/dev/null", O_RDWR), err = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	struct rlimit rl = { (rlim_t)mem_mb << 20, (rlim_t)mem_mb << 20 };

	if (null < 0 || err < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(err, 2) < 0)
		_exit(126);
	if (MEM_CAP && setrlimit(RLIMIT_AS, &rl))
		_exit(126);
	execv(vtui, (char *const *)args);
	_exit(127);
}

/* Runs vtui with args (args[0] is ignored) under a memory cap of mem_mb MiB; killed after
 * `secs` seconds. */
static void run_vtui(struct run *r, long mem_mb, int secs, const char *const *args)
{
	char errpath[600];
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int st = 0;

	snprintf(errpath, sizeof(errpath), "%s/stderr", dir);
	memset(r, 0, sizeof(*r));
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		child(mem_mb, args, errpath);
	for (long waited = 0; waitpid(pid, &st, WNOHANG) == 0; waited += 10) {
		if (waited >= secs * 1000L) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			r->timed_out = 1;
			break;
		}
		nanosleep(&tick, NULL);
	}
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
	FILE *f = fopen(errpath, "r");
	if (f) {
		r->err[fread(r->err, 1, sizeof(r->err) - 1, f)] = '\0';
		fclose(f);
	}
}

/* A run that ended by itself, in time, with status 0 or 1 (a clear error), not a signal. */
static void assert_sane_run(const struct run *r, const char *what)
{
	ck_assert_msg(!r->timed_out, "%s: still running at the deadline (hang)", what);
	ck_assert_msg(r->status == 0 || r->status == 1 || r->status == 2,
		      "%s: status %d (a signal, or the memory cap): %.300s", what, r->status, r->err);
}

static void save(const char *name, const struct vtb_buf *b, char *path, size_t size)
{
	snprintf(path, size, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(b->data, 1, b->len, f), b->len);
	ck_assert_int_eq(fclose(f), 0);
}

/* ---- raw files ---- */

/* Preamble and HEAD with the given times, one string "f", `threads` threads. */
static void raw_start(struct vtb_buf *b, uint64_t wall, uint64_t mono, uint64_t dump, unsigned threads)
{
	static const uint8_t pre[8] = { 'V', 'T', 'B', 0, 1, 0, 0, 0 };
	struct vtb_buf p = { 0 };
	uint64_t head[10] = { 1, 0, 0, 0, wall, mono, mono, dump, 0, 0 };

	vtb_buf_put(b, pre, 8);
	for (int i = 0; i < 10; i++)
		vtb_buf_varint(&p, head[i]);
	vtb_buf_put(&p, (const uint8_t[]){ 0, 0, 0 }, 3);
	craft_section(b, VTB_TAG_HEAD, p.data, p.len);
	craft_section(b, VTB_TAG_STRS, (const uint8_t[]){ 0, 1, 1, 'f', 0, 0 }, 6);
	p.len = 0;
	vtb_buf_varint(&p, 0);
	vtb_buf_varint(&p, threads);
	for (unsigned i = 0; i < threads; i++)
		vtb_buf_put(&p, (const uint8_t[]){ 1, (uint8_t)(i + 1), 1, 'T' }, 4);
	craft_section(b, VTB_TAG_THRD, p.data, p.len);
	vtb_buf_free(&p);
}

/* An EVTS chunk of `thread` from `first`: a call of string 0 lasting `dur` (or, when
 * skip != 0, a SKIP of `skip` between its BEGIN and its END). */
static void raw_call(struct vtb_buf *b, unsigned thread, uint64_t first, uint64_t dur, uint64_t skip)
{
	struct vtb_buf e = { 0 };
	uint8_t v[10];

	vtb_buf_varint(&e, thread);
	vtb_buf_put(&e, (const uint8_t[]){ 0 }, 1); /* seq */
	vtb_buf_varint(&e, first);
	vtb_buf_put(&e, (const uint8_t[]){ skip ? 3 : 2, 0, 0x01, 0 }, 4); /* records, open, BEGIN f */
	if (skip) {
		size_t n = vtb_varint_put(v, skip);
		vtb_buf_put(&e, (const uint8_t[]){ 0x1b, VTB_KIND_SKIP, (uint8_t)n }, 3);
		vtb_buf_put(&e, v, n);
	}
	vtb_buf_varint(&e, vtb_head_end(dur));
	craft_section(b, VTB_TAG_EVTS, e.data, e.len);
	vtb_buf_free(&e);
}

/* ---- times at the edges of 64 bits ---- */

static const struct edge {
	const char *what;
	uint64_t wall[2];      /* start_wall_ns of one or two files */
	uint64_t mono;
	uint64_t at[2], dur[2]; /* one call on each of two threads */
	uint64_t skip;
} edges[] = {
	{ "threads at 0 and 2^64-2^40", { 0 }, 0, { 0, UINT64_MAX - (UINT64_C(1) << 40) + 1 }, { 10, 10 }, 0 },
	{ "threads at 0 and 2^62 (the last time)", { 0 }, 0, { 0, T62 - 10 }, { 10, 10 }, 0 },
	{ "a call lasting 2^62", { 0 }, 0, { 0, 0 }, { T62, 1 }, 0 },
	{ "a call lasting 2^62 from 1", { 0 }, 0, { 1, 0 }, { T62, 1 }, 0 },
	{ "a SKIP of 2^63", { 0 }, 0, { 5, 0 }, { 7, 1 }, UINT64_C(1) << 63 },
	{ "files at wall 0 and 2^64-2^33", { 0, UINT64_MAX - (UINT64_C(1) << 33) + 1 }, 0, { 100, 100 }, { 100, 100 }, 0 },
	{ "files at wall 0 and 2^62", { 0, T62 }, 0, { 100, 100 }, { 100, 100 }, 0 },
	{ "files at wall 2^62 and 0, mono 2^62", { T62, 0 }, T62, { T62 - 100, T62 - 100 }, { 100, 100 }, 0 },
};

static void write_edge(const struct edge *e, char paths[2][600])
{
	for (int f = 0; f < (e->wall[1] || e->wall[0] ? 2 : 1); f++) {
		struct vtb_buf b = { 0 };
		int two = !e->wall[1] && !e->wall[0];
		char name[32];

		raw_start(&b, e->wall[f], e->mono, 0, two ? 2 : 1);
		raw_call(&b, 0, e->at[f], e->dur[f], f ? 0 : e->skip);
		if (two)
			raw_call(&b, 1, e->at[1], e->dur[1], 0);
		snprintf(name, sizeof(name), "edge%d.vtb", f);
		save(name, &b, paths[f], sizeof(paths[f]));
		vtb_buf_free(&b);
	}
}

/* `vtui --render` spun in the ruler (`t += step` wrapped) on the first and sixth files, and
 * the interactive viewer ignored q. Every mode, and commands that move in time, now end. */
START_TEST(edge_times_end)
{
	const struct edge *e = &edges[_i];
	char paths[2][600] = { "", "" };
	const char *second = e->wall[0] || e->wall[1] ? paths[1] : NULL;
	struct run r;

	write_edge(e, paths);
	const char *render[] = { "vtui", "--render", "120x20", "--cmd", "zoom 1000000x", "--cmd", "pan right",
				 "--cmd", "goto 4611686018427387904ns", "--cmd", "select cursor", "--cmd", "zoom fit",
				 "--cmd", "pan -1000000000s", "--cmd", "stats all", "--cmd", "flame all",
				 paths[0], second, NULL };
	run_vtui(&r, 512, EDGE_SECS, render);
	assert_sane_run(&r, e->what);
	const char *plain[] = { "vtui", "--render", "120x20", paths[0], second, NULL };
	run_vtui(&r, 512, EDGE_SECS, plain);
	assert_sane_run(&r, e->what);
	const char *info[] = { "vtui", "--info", paths[0], NULL };
	run_vtui(&r, 512, EDGE_SECS, info);
	assert_sane_run(&r, e->what);
	const char *stats[] = { "vtui", "stats", paths[0], "--format", "csv", NULL };
	run_vtui(&r, 512, EDGE_SECS, stats);
	assert_sane_run(&r, e->what);
	if (second) {
		const char *diff[] = { "vtui", "--diff", paths[0], paths[1], "--render", "100x20", NULL };
		run_vtui(&r, 512, EDGE_SECS, diff);
		assert_sane_run(&r, e->what);
	}
}
END_TEST

/* Found by fuzz_view: zoomed in at the start, a mark or GC slice far right of the view has
 * a column past 2^31; cast to int it went negative and the marks row read before its array. */
START_TEST(far_marks_zoomed_in)
{
	vtb_header h = { .pid = 1, .cmdline = "", .python_version = "", .reason_text = "", .dump_ns = T62 };
	char path[600], *cause = NULL;
	struct run r;

	snprintf(path, sizeof(path), "%s/marks.vtb", dir);
	vtb_writer *w = vtb_writer_open_file(path, &h, &cause);
	ck_assert_msg(w != NULL, "%s", cause);
	int64_t f = vtb_writer_string(w, "f", "f.py", 1);
	ck_assert_int_eq(vtb_writer_thread(w, 1, 1, "t"), 0);
	ck_assert_int_eq(vtb_writer_instant(w, 0, 0, (uint32_t)f, NULL), 0);
	ck_assert_int_eq(vtb_writer_begin(w, 0, 1, (uint32_t)f, 0), 0);
	ck_assert_int_eq(vtb_writer_end(w, 0, 2, 0), 0);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(vtb_writer_instant(w, 0, (T62 >> 3) * (uint64_t)(i + 1), (uint32_t)f, NULL), 0);
	ck_assert_int_eq(vtb_writer_finish(w, &cause), 0);
	vtb_writer_free(w);
	const char *render[] = { "vtui", "--render", "80x24", "--cmd", "goto 0", "--cmd", "zoom 1000000000x",
				 "--cmd", "zoom 1000000000x", "--cmd", "pan right", path, NULL };
	run_vtui(&r, 512, EDGE_SECS, render);
	assert_sane_run(&r, "marks far right");
	ck_assert_int_eq(r.status, 0);
}
END_TEST

/* Times past 2^62 are refused at load with a note that says so. */
START_TEST(edge_times_noted)
{
	char paths[2][600];
	struct run r;

	write_edge(&edges[0], paths);
	const char *info[] = { "vtui", "--info", paths[0], NULL };
	run_vtui(&r, 512, EDGE_SECS, info);
	assert_sane_run(&r, "--info");
	const char *render[] = { "vtui", "--render", "200x10", paths[0], NULL };
	run_vtui(&r, 512, EDGE_SECS, render);
	ck_assert_int_eq(r.status, 0);
}
END_TEST

/* ---- memory bounded by the input ---- */

/* Junk, then chunks naming string ids just inside what the junk could have declared: each
 * reference made lost/3 more placeholders (404 KB took 3.6 GB). */
static void write_placeholder_bomb(char *path, size_t size)
{
	struct vtb_buf b = { 0 }, e = { 0 };
	uint8_t junk[30000];

	raw_start(&b, 0, 0, 0, 1);
	memset(junk, 'J', sizeof(junk));
	vtb_buf_put(&b, junk, sizeof(junk));
	for (uint64_t i = 0; i < 3000; i++) {
		e.len = 0;
		vtb_buf_put(&e, (const uint8_t[]){ 0 }, 1);
		vtb_buf_varint(&e, i);
		vtb_buf_varint(&e, 10 + i);
		vtb_buf_put(&e, (const uint8_t[]){ 2, 0, 0x01 }, 3);
		vtb_buf_varint(&e, 1 + (i + 1) * (sizeof(junk) / 3 - 1));
		vtb_buf_put(&e, (const uint8_t[]){ 0x02 }, 1);
		craft_section(&b, VTB_TAG_EVTS, e.data, e.len);
	}
	save("placeholders.vtb", &b, path, size);
	vtb_buf_free(&b);
	vtb_buf_free(&e);
}

/* 20 threads each 65535 calls deep: 450 bytes a call took 590 MB. */
static void write_deep(char *path, size_t size)
{
	vtb_header h = { .cmdline = "", .python_version = "", .reason_text = "" };
	char *cause = NULL;

	snprintf(path, size, "%s/deep.vtb", dir);
	vtb_writer *w = vtb_writer_open_file(path, &h, &cause);
	ck_assert_msg(w != NULL, "%s", cause);
	int64_t s = vtb_writer_string(w, "r", "r.py", 1);
	for (uint32_t t = 0; t < 20; t++) {
		uint64_t ts = 0;

		ck_assert_int_eq(vtb_writer_thread(w, 1, t, "t"), t);
		for (int i = 0; i < 65535; i++)
			ck_assert_int_eq(vtb_writer_begin(w, t, ts++, (uint32_t)s, 0), 0);
		for (int i = 0; i < 65535; i++)
			ck_assert_int_eq(vtb_writer_end(w, t, ts++, 0), 0);
	}
	ck_assert_int_eq(vtb_writer_finish(w, &cause), 0);
	vtb_writer_free(w);
}

START_TEST(bombs_stay_in_memory_cap)
{
	char path[600];
	struct run r;

	if (_i == 0)
		write_placeholder_bomb(path, sizeof(path));
	else
		write_deep(path, sizeof(path));
	/* 1.3 M calls need about 80 MB of model; the cap leaves room for the libraries */
	long cap = _i == 0 ? 256 : 320;
	const char *info[] = { "vtui", "--info", path, NULL };
	run_vtui(&r, cap, 60, info);
	assert_sane_run(&r, "--info");
	ck_assert_int_eq(r.status, 0);
	const char *render[] = { "vtui", "--render", "100x30", "--cmd", "zoom 4x", path, NULL };
	run_vtui(&r, cap, 60, render);
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(!r.timed_out, "hang");
}
END_TEST

/* A writer on dir/name (path filled) with one thread; the header's pid is 1. */
static vtb_writer *one_thread_file(const char *name, char *path, size_t size)
{
	vtb_header h = { .pid = 1, .cmdline = "", .python_version = "", .reason_text = "" };
	char *cause = NULL;

	snprintf(path, size, "%s/%s", dir, name);
	vtb_writer *w = vtb_writer_open_file(path, &h, &cause);
	ck_assert_msg(w != NULL, "%s", cause);
	ck_assert_int_eq(vtb_writer_thread(w, 1, 1, "t"), 0);
	return w;
}

/* 100,000 distinct counter names: each redraw searched every earlier counter for its group
 * (13.5 s a frame). */
START_TEST(many_counters_render)
{
	char path[600], name[32], *cause = NULL;
	struct run r;
	vtb_writer *w = one_thread_file("counters.vtb", path, sizeof(path));

	for (int i = 0; i < 100000; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		int64_t id = vtb_writer_string(w, name, NULL, 0);
		ck_assert_int_eq(vtb_writer_counter(w, 0, (uint64_t)i, (uint32_t)id, (uint32_t)id, i), 0);
	}
	ck_assert_int_eq(vtb_writer_finish(w, &cause), 0);
	vtb_writer_free(w);
	const char *render[] = { "vtui", "--render", "100x40", "--cmd", "scroll page-down", path, NULL };
	run_vtui(&r, 1024, 10, render);
	ck_assert_msg(!r.timed_out, "a frame of 100,000 counters still drawing after 10 s");
	ck_assert_int_eq(r.status, 0);
}
END_TEST

/* 40,000 names on which '(a+)+$' backtracks just under the per-name match limit: 14.8 s of
 * matching before; the evaluation now has a total budget and says so. */
START_TEST(regex_total_budget)
{
	char path[600], *cause = NULL;
	struct run r;
	vtb_writer *w = one_thread_file("names.vtb", path, sizeof(path));

	for (uint32_t i = 0; i < 40000; i++) {
		int64_t id = vtb_writer_string(w, "aaaaaaaaaaaaaaaaN!", "x.py", i + 1);
		ck_assert_int_eq(vtb_writer_begin(w, 0, 2 * i, (uint32_t)id, 0), 0);
		ck_assert_int_eq(vtb_writer_end(w, 0, 2 * i + 1, 0), 0);
	}
	ck_assert_int_eq(vtb_writer_finish(w, &cause), 0);
	vtb_writer_free(w);
	const char *stats[] = { "vtui", "stats", path, "--filter", "(a+)+$", NULL };
	run_vtui(&r, 1024, 12, stats);
	ck_assert_msg(!r.timed_out, "still matching after 12 s");
	ck_assert_int_ne(r.status, 0);
	ck_assert_msg(strstr(r.err, "matching stopped after 3 s"), "%s", r.err);
	const char *render[] = { "vtui", "--render", "80x20", "--cmd", "search (a+)+$", path, NULL };
	run_vtui(&r, 1024, 12, render);
	ck_assert_msg(!r.timed_out, "search still matching after 12 s");
	ck_assert_msg(strstr(r.err, "matching stopped after 3 s"), "%s", r.err);
}
END_TEST

/* gzip had no caps: 4 MB expanding to 4 GiB of spaces, 3 MB of 20M events. Both are bounded
 * by options now, and passing one says which limit and how to raise it. */
START_TEST(gzip_limits)
{
	static const char ev[] = "{\"ph\":\"X\",\"name\":\"f\",\"pid\":1,\"tid\":1,\"ts\":1,\"dur\":1},";
	char path[600], blanks[4096];
	struct run r;

	snprintf(path, sizeof(path), "%s/bomb.json.gz", dir);
	gzFile gz = gzopen(path, "wb9");
	ck_assert_ptr_nonnull(gz);
	memset(blanks, ' ', sizeof(blanks));
	gzputs(gz, "{\"traceEvents\": [");
	for (int i = 0; i < (_i ? 0 : 8 << 10); i++) /* 32 MiB of blanks */
		ck_assert_int_eq(gzwrite(gz, blanks, sizeof(blanks)), sizeof(blanks));
	for (int i = 0; i < (_i ? 200000 : 0); i++)
		ck_assert_int_gt(gzputs(gz, ev), 0);
	gzputs(gz, ev); /* one event at least: a JSON file of which none loads is an error */
	gzputs(gz, "{}]}");
	ck_assert_int_eq(gzclose(gz), Z_OK);
	const char *limit[] = { "--max-json-bytes", "--max-events" }, *value[] = { "1M", "1000" };
	const char *info[] = { "vtui", "--info", limit[_i], value[_i], path, NULL };
	run_vtui(&r, 512, 30, info);
	assert_sane_run(&r, "--info");
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "over the limit") && strstr(r.err, limit[_i]), "%s", r.err);
	const char *stats[] = { "vtui", "stats", limit[_i], value[_i], path, NULL };
	run_vtui(&r, 512, 30, stats);
	ck_assert_msg(strstr(r.err, "over the limit") && strstr(r.err, limit[_i]), "%s", r.err);
	const char *unlimited[] = { "vtui", "--info", limit[_i], "0", path, NULL };
	run_vtui(&r, 512, 60, unlimited);
	ck_assert_int_eq(r.status, 0);
}
END_TEST

/* Bytes that drive or reorder a terminal: ESC, BEL, C1 CSI, U+202E, U+2028. */
static const char *const unsafe[] = { "\x1b", "\x07", "\xc2\x9b", "\xe2\x80\xae", "\xe2\x80\xa8" };

static void assert_clean(const char *text, const char *what)
{
	for (size_t i = 0; i < sizeof(unsafe) / sizeof(unsafe[0]); i++)
		ck_assert_msg(!strstr(text, unsafe[i]), "%s: unsafe byte sequence %zu reached the output: %s",
			      what, i, text);
}

/* Messages quoted names, paths, preset names and commands raw: the match-limit message,
 * -p errors, vtui convert on success and on load errors. One cleaner for all of them. */
START_TEST(messages_are_clean)
{
	static const char evil[] = "\x1b]2;PWNED\x07\xc2\x9b" "31m\xe2\x80\xae\xe2\x80\xa8";
	vtb_header h = { .pid = 1, .cmdline = evil, .python_version = "", .reason_text = evil };
	char path[600], out[700], name[128], bad[700], *cause = NULL, stdout_path[700];
	struct run r;

	snprintf(path, sizeof(path), "%s/evil%s.vtb", dir, evil);
	snprintf(name, sizeof(name), "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa%s", evil);
	vtb_writer *w = vtb_writer_open_file(path, &h, &cause);
	ck_assert_msg(w != NULL, "%s", cause);
	ck_assert_int_eq(vtb_writer_thread(w, 1, 1, evil), 0);
	int64_t id = vtb_writer_string(w, name, evil, 1);
	ck_assert_int_eq(vtb_writer_begin(w, 0, 1, (uint32_t)id, 0), 0);
	ck_assert_int_eq(vtb_writer_end(w, 0, 2, 0), 0);
	ck_assert_int_eq(vtb_writer_finish(w, &cause), 0);
	vtb_writer_free(w);
	snprintf(out, sizeof(out), "%s/out%s.json", dir, evil);
	snprintf(bad, sizeof(bad), "%s/missing%s.vtb", dir, evil);
	snprintf(stdout_path, sizeof(stdout_path), "%s/stdout", dir);
	const char *const runs[][8] = {
		{ "vtui", "stats", path, "--filter", "(a+)+$", NULL },
		{ "vtui", "--render", "80x20", "--cmd", "search (a+)+$", path, NULL },
		{ "vtui", "--render", "80x20", "--cmd", evil, path, NULL },
		{ "vtui", "-p", evil, "--render", "80x20", path, NULL },
		{ "vtui", "convert", bad, "-o", out, NULL },
		{ "vtui", "convert", path, "-o", out, NULL },
		{ "vtui", "--info", path, NULL },
		{ "vtui", "stats", path, NULL },
	};
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		run_vtui(&r, 512, 30, (const char *const *)runs[i]);
		ck_assert_msg(!r.timed_out, "run %zu hung", i);
		ck_assert_msg(i < 4 ? r.status != 0 : 1, "run %zu: no error: %s", i, r.err);
		assert_clean(r.err, runs[i][1]);
		ck_assert_msg(*r.err || i >= 5, "run %zu: nothing on stderr", i);
	}
	/* stdout too: the success line of convert, --info and stats */
	char cmd[2200];
	for (int i = 0; i < 3; i++) {
		snprintf(cmd, sizeof(cmd), i == 0 ? "'%s' convert '%s' -o '%s' > '%s' 2>&1"
			 : i == 1 ? "'%s' --info '%s' > '%s' 2>&1%s" : "'%s' stats '%s' > '%s' 2>&1%s",
			 vtui, path, i == 0 ? out : stdout_path, i == 0 ? stdout_path : "");
		ck_assert_int_eq(system(cmd), 0);
		FILE *f = fopen(stdout_path, "r");
		char text[8192] = "";
		ck_assert_ptr_nonnull(f);
		text[fread(text, 1, sizeof(text) - 1, f)] = '\0';
		fclose(f);
		ck_assert_msg(*text, "no output");
		assert_clean(text, "stdout");
	}
}
END_TEST

/* `--script /dev/zero` read until memory ran out and then ran as an empty script (exit 0). */
START_TEST(script_from_dev_zero)
{
	char paths[2][600];
	struct run r;

	write_edge(&edges[1], paths);
	const char *render[] = { "vtui", "--render", "80x20", "--script", "/dev/zero", paths[0], NULL };
	run_vtui(&r, 256, 30, render);
	ck_assert_msg(!r.timed_out, "hang");
	ck_assert_int_ne(r.status, 0);
	ck_assert_msg(r.status > 0, "killed by signal %d (memory?)", -r.status);
	ck_assert_msg(strstr(r.err, "/dev/zero:1: a NUL byte"), "%s", r.err);
}
END_TEST

static Suite *hostile_suite(void)
{
	Suite *s = suite_create("tui_hostile");
	TCase *tc = tcase_create("edges");

	tcase_add_loop_test(tc, edge_times_end, 0, sizeof(edges) / sizeof(edges[0]));
	tcase_add_test(tc, edge_times_noted);
	tcase_add_test(tc, far_marks_zoomed_in);
	tcase_set_timeout(tc, 200);
	suite_add_tcase(s, tc);
	tc = tcase_create("memory");
	tcase_add_loop_test(tc, bombs_stay_in_memory_cap, 0, 2);
	tcase_add_test(tc, script_from_dev_zero);
	tcase_add_test(tc, many_counters_render);
	tcase_add_test(tc, regex_total_budget);
	tcase_add_loop_test(tc, gzip_limits, 0, 2);
	tcase_set_timeout(tc, 300);
	suite_add_tcase(s, tc);
	tc = tcase_create("terminal");
	tcase_add_test(tc, messages_are_clean);
	tcase_set_timeout(tc, 300);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	const char *build = getenv("VTUI_BUILD");
	char *abs;

	snprintf(vtui, sizeof(vtui), "%s/vtui", build && *build ? build : "build");
	if ((abs = realpath(vtui, NULL))) {
		snprintf(vtui, sizeof(vtui), "%s", abs);
		free(abs);
	}
	if (!mkdtemp(dir))
		return EXIT_FAILURE;
	SRunner *sr = srunner_create(hostile_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
