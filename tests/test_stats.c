/* SPDX-License-Identifier: MIT */
/* test_stats.c: per-function statistics (tui/stats.h) on traces with known timings,
 * built with the VTB memory writer, and the `vtui stats` subcommand's output and exit
 * codes. */
#define _GNU_SOURCE /* asprintf, mkdtemp */
#include "tui/stats.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/vtb.h"
#include "filters/filters.h"

enum { MAIN, A, B, FIB, C, NNAMES };
static const char *const names[NNAMES] = { "main", "app.a", "app.b", "fib", "c" };

struct ev {
	int thread;
	uint64_t ts;
	char op;        /* 'B' begin, 'E' end */
	int name;
};

/* Thread 0 "MainThread":
 *   main [0,100)  a [10,50)  b [20,30)  b [40,45)  fib [60,80)  fib [61,70)  fib [62,64)
 * Thread 1 "Worker-1":  c [5,25)  b [6,16) */
static const struct ev known[] = {
	{ 0, 0, 'B', MAIN }, { 1, 5, 'B', C }, { 1, 6, 'B', B }, { 0, 10, 'B', A },
	{ 1, 16, 'E', 0 }, { 0, 20, 'B', B }, { 1, 25, 'E', 0 }, { 0, 30, 'E', 0 },
	{ 0, 40, 'B', B }, { 0, 45, 'E', 0 }, { 0, 50, 'E', 0 }, { 0, 60, 'B', FIB },
	{ 0, 61, 'B', FIB }, { 0, 62, 'B', FIB }, { 0, 64, 'E', 0 }, { 0, 70, 'E', 0 },
	{ 0, 80, 'E', 0 }, { 0, 100, 'E', 0 },
};

static vtb_writer *start_writer(vtb_writer *w, int64_t *ids)
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

static void write_events(vtb_writer *w, const int64_t *ids, const struct ev *evs, size_t n)
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

static const vtb_header header = { .pid = 42, .cmdline = "python app.py",
				   .python_version = "3.11.7", .reason_text = "",
				   .dump_ns = 1000, .reason = VTB_REASON_API };

static vtb_trace *load_known(void)
{
	int64_t ids[NNAMES];
	vtb_writer *w = start_writer(vtb_writer_open_mem(&header), ids);
	const uint8_t *bytes;
	size_t len = 0;
	char *cause = NULL;
	vtb_trace *t;

	write_events(w, ids, known, sizeof(known) / sizeof(known[0]));
	ck_assert_msg(vtb_writer_finish(w, &cause) == 0, "%s", cause);
	bytes = vtb_writer_mem(w, &len);
	t = vtb_trace_load_mem(bytes, len, 0, &cause);
	ck_assert_msg(t != NULL, "%s", cause);
	vtb_writer_free(w);
	ck_assert_uint_eq(vtb_trace_call_count(t), 9);
	return t;
}

/* Expected row of one name: calls, total, self, mean, max. */
struct want {
	int name;
	uint64_t calls, total, self, mean, max;
};

static int entry_of(void *ctx, size_t id, const char **name, const char **file)
{
	const vtb_string *s = vtb_trace_string(ctx, (uint32_t)id);

	*name = s->name;
	*file = s->file;
	return 0;
}

static const tui_stats_row *row_named(const tui_stats *s, const vtb_trace *t, const char *name)
{
	for (size_t i = 0; i < s->count; i++)
		if (strcmp(vtb_trace_string(t, s->rows[i].name_id)->name, name) == 0)
			return &s->rows[i];
	return NULL;
}

static void check_rows(const tui_stats *s, const vtb_trace *t, const struct want *w, size_t n)
{
	uint64_t calls = 0;

	ck_assert_uint_eq(s->count, n);
	for (size_t i = 0; i < n; i++) {
		const tui_stats_row *r = row_named(s, t, names[w[i].name]);

		ck_assert_msg(r != NULL, "no row for %s", names[w[i].name]);
		ck_assert_msg(r->calls == w[i].calls && r->total_ns == w[i].total &&
			      r->self_ns == w[i].self && tui_stats_mean(r) == w[i].mean &&
			      r->max_ns == w[i].max,
			      "%s: calls %llu total %llu self %llu mean %llu max %llu", names[w[i].name],
			      (unsigned long long)r->calls, (unsigned long long)r->total_ns,
			      (unsigned long long)r->self_ns, (unsigned long long)tui_stats_mean(r),
			      (unsigned long long)r->max_ns);
		calls += w[i].calls;
	}
	ck_assert_uint_eq(s->calls, calls);
}

struct filter_case {
	const char *commands[3];
	struct want rows[5];
	size_t count;
};

static const struct filter_case filter_cases[] = {
	{ { NULL }, { { MAIN, 1, 100, 40, 100, 100 }, { A, 1, 40, 25, 40, 40 },
		      { B, 3, 25, 25, 8, 10 }, { FIB, 3, 20, 20, 7, 20 }, { C, 1, 20, 10, 20, 20 } },
	  5 },
	/* hide drops a and the b calls below it; main's self time stays intrinsic */
	{ { "hide ^app\\.a$" }, { { MAIN, 1, 100, 40, 100, 100 }, { B, 1, 10, 10, 10, 10 },
				  { FIB, 3, 20, 20, 7, 20 }, { C, 1, 20, 10, 20, 20 } }, 4 },
	{ { "filter ^app\\.b$" }, { { B, 3, 25, 25, 8, 10 } }, 1 },
	{ { "filter-file app\\.py$", "hide ^(main|c)$" }, { { 0 } }, 0 },
	{ { "filter ^app\\.b$", "hide ^app\\.a$" }, { { B, 1, 10, 10, 10, 10 } }, 1 },
	{ { "min-duration 10ns" }, { { MAIN, 1, 100, 40, 100, 100 }, { A, 1, 40, 25, 40, 40 },
				     { B, 2, 20, 20, 10, 10 }, { FIB, 1, 20, 11, 20, 20 },
				     { C, 1, 20, 10, 20, 20 } }, 5 },
	/* the inner fib is cut by both limits; total stays the outer one's */
	{ { "min-duration 3ns", "max-depth 3", "filter ^fib" }, { { FIB, 2, 20, 18, 10, 20 } }, 1 },
	{ { "max-depth 3", "filter ^fib" }, { { FIB, 2, 20, 18, 10, 20 } }, 1 },
	{ { "max-depth 2" }, { { MAIN, 1, 100, 40, 100, 100 }, { A, 1, 40, 25, 40, 40 },
			       { B, 1, 10, 10, 10, 10 }, { FIB, 1, 20, 11, 20, 20 },
			       { C, 1, 20, 10, 20, 20 } }, 5 },
	{ { "filter-thread ^Worker" }, { { B, 1, 10, 10, 10, 10 }, { C, 1, 20, 10, 20, 20 } }, 2 },
	{ { "filter ^fib$", "hide ^fib$" }, { { 0 } }, 0 },
	{ { "filter (?<=app\\.)b" }, { { B, 3, 25, 25, 8, 10 } }, 1 },
};

START_TEST(test_filter_table)
{
	const struct filter_case *c = &filter_cases[_i];
	vtb_trace *t = load_known();
	flt_set *f = flt_set_new();
	tui_stats_scope scope = { .filter = f };
	tui_stats *s = NULL;
	char *cause = NULL;

	for (int i = 0; i < 3 && c->commands[i]; i++)
		ck_assert_int_eq(flt_set_command(f, c->commands[i], NULL), 0);
	ck_assert_int_eq(flt_set_eval(f, entry_of, t, vtb_trace_string_count(t), NULL), 0);
	ck_assert_msg(tui_stats_compute(t, &scope, &s, &cause) == 0, "%s", cause);
	check_rows(s, t, c->rows, c->count);
	tui_stats_free(s);
	flt_set_free(f);
	vtb_trace_free(t);
}
END_TEST

START_TEST(test_no_filter_scope)
{
	static const struct want all[] = {
		{ MAIN, 1, 100, 40, 100, 100 }, { A, 1, 40, 25, 40, 40 }, { B, 3, 25, 25, 8, 10 },
		{ FIB, 3, 20, 20, 7, 20 }, { C, 1, 20, 10, 20, 20 },
	};
	vtb_trace *t = load_known();
	tui_stats *s = NULL;

	ck_assert_int_eq(tui_stats_compute(t, NULL, &s, NULL), 0);
	check_rows(s, t, all, 5);
	tui_stats_free(s);
	vtb_trace_free(t);
}
END_TEST

struct scope_case {
	tui_stats_scope scope;
	struct want rows[4];
	size_t count;
};

static const struct scope_case scope_cases[] = {
	{ { .t0_ns = 10, .t1_ns = 50 }, { { A, 1, 40, 25, 40, 40 }, { B, 2, 15, 15, 8, 10 } }, 2 },
	{ { .t0_ns = 5, .t1_ns = 7 }, { { C, 1, 20, 10, 20, 20 }, { B, 1, 10, 10, 10, 10 } }, 2 },
	{ { .t0_ns = 61, .t1_ns = 1000 }, { { FIB, 2, 9, 9, 5, 9 } }, 1 },
	{ { .t0_ns = 100, .t1_ns = 1000 }, { { 0 } }, 0 },
	/* subtree of a (thread 0, depth 1, index 0) and of the outer fib (index 1) */
	{ { .subtree = 1, .thread = 0, .depth = 1, .index = 0 },
	  { { A, 1, 40, 25, 40, 40 }, { B, 2, 15, 15, 8, 10 } }, 2 },
	{ { .subtree = 1, .thread = 0, .depth = 1, .index = 1 }, { { FIB, 3, 20, 20, 7, 20 } }, 1 },
	{ { .subtree = 1, .thread = 1, .depth = 0, .index = 0 },
	  { { C, 1, 20, 10, 20, 20 }, { B, 1, 10, 10, 10, 10 } }, 2 },
	/* subtree and range together: the b calls of a from 30 on */
	{ { .subtree = 1, .thread = 0, .depth = 1, .index = 0, .t0_ns = 30, .t1_ns = 100 },
	  { { B, 1, 5, 5, 5, 5 } }, 1 },
};

START_TEST(test_scope_table)
{
	const struct scope_case *c = &scope_cases[_i];
	vtb_trace *t = load_known();
	tui_stats *s = NULL;
	char *cause = NULL;

	ck_assert_msg(tui_stats_compute(t, &c->scope, &s, &cause) == 0, "%s", cause);
	check_rows(s, t, c->rows, c->count);
	tui_stats_free(s);
	vtb_trace_free(t);
}
END_TEST

START_TEST(test_bad_subtree)
{
	static const tui_stats_scope bad[] = {
		{ .subtree = 1, .thread = 2 }, { .subtree = 1, .thread = 0, .depth = 4 },
		{ .subtree = 1, .thread = 1, .depth = 1, .index = 1 },
	};
	vtb_trace *t = load_known();

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tui_stats *s = NULL;
		char *cause = NULL;

		ck_assert_int_eq(tui_stats_compute(t, &bad[i], &s, &cause), VTB_E_ARG);
		ck_assert_ptr_null(s);
		ck_assert_ptr_nonnull(strstr(cause, "no slice"));
		free(cause);
	}
	vtb_trace_free(t);
}
END_TEST

/* Deep recursion: call i of n runs over [i, 2n - i). Self is 2 ns each; the total counts
 * the outermost call only; nothing recurses on the C stack. */
START_TEST(test_deep_recursion)
{
	enum { DEPTH = 20000 };
	vtb_writer *w = vtb_writer_open_mem(&(vtb_header){ .dump_ns = 4 * DEPTH });
	int64_t id = vtb_writer_string(w, "rec", "r.py", 1);
	const uint8_t *bytes;
	size_t len;
	vtb_trace *t;
	tui_stats *s = NULL;

	ck_assert_int_eq(vtb_writer_thread(w, 1, 1, "MainThread"), 0);
	for (uint64_t i = 0; i < DEPTH; i++)
		ck_assert_int_eq(vtb_writer_begin(w, 0, i, (uint32_t)id, 0), 0);
	for (uint64_t i = DEPTH; i > 0; i--)
		ck_assert_int_eq(vtb_writer_end(w, 0, 2 * DEPTH - (i - 1), 0), 0);
	ck_assert_int_eq(vtb_writer_finish(w, NULL), 0);
	bytes = vtb_writer_mem(w, &len);
	t = vtb_trace_load_mem(bytes, len, 0, NULL);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(tui_stats_compute(t, NULL, &s, NULL), 0);
	ck_assert_uint_eq(s->count, 1);
	ck_assert_uint_eq(s->rows[0].calls, DEPTH);
	ck_assert_uint_eq(s->rows[0].total_ns, 2 * DEPTH);
	ck_assert_uint_eq(s->rows[0].self_ns, 2 * DEPTH);
	ck_assert_uint_eq(s->rows[0].max_ns, 2 * DEPTH);
	/* mean is total / calls: the recursion's time shared by its calls, so calls * mean = total */
	ck_assert_uint_eq(tui_stats_mean(&s->rows[0]), 2);
	tui_stats_free(s);
	vtb_trace_free(t);
	vtb_writer_free(w);
}
END_TEST

/* ---- sorting and output ---- */

static char *capture(const tui_stats *s, const vtb_trace *t, enum tui_stats_format fmt,
		     size_t top)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(tui_stats_write(s, t, fmt, top, out, NULL), 0);
	fclose(out);
	return text;
}

static int count_lines(const char *text)
{
	int n = 0;

	for (; *text != '\0'; text++)
		n += *text == '\n';
	return n;
}

struct sort_case {
	const char *by;
	const char *csv;
};

static const struct sort_case sort_cases[] = {
	{ "total", "name,calls,total,self,mean,max\nmain,1,100,40,100,100\napp.a,1,40,25,40,40\n"
		   "app.b,3,25,25,8,10\nc,1,20,10,20,20\nfib,3,20,20,7,20\n" },
	{ "self", "name,calls,total,self,mean,max\nmain,1,100,40,100,100\napp.a,1,40,25,40,40\n"
		  "app.b,3,25,25,8,10\nfib,3,20,20,7,20\nc,1,20,10,20,20\n" },
	{ "calls", "name,calls,total,self,mean,max\napp.b,3,25,25,8,10\nfib,3,20,20,7,20\n"
		   "app.a,1,40,25,40,40\nc,1,20,10,20,20\nmain,1,100,40,100,100\n" },
	{ "max", "name,calls,total,self,mean,max\nmain,1,100,40,100,100\napp.a,1,40,25,40,40\n"
		 "c,1,20,10,20,20\nfib,3,20,20,7,20\napp.b,3,25,25,8,10\n" },
};

START_TEST(test_sort_csv)
{
	const struct sort_case *c = &sort_cases[_i];
	vtb_trace *t = load_known();
	tui_stats *s = NULL;
	enum tui_stats_sort by;
	char *text;

	ck_assert_int_eq(tui_stats_parse_sort(c->by, &by), 0);
	ck_assert_int_eq(tui_stats_compute(t, NULL, &s, NULL), 0);
	tui_stats_sort(s, t, by);
	text = capture(s, t, TUI_STATS_CSV, 0);
	ck_assert_str_eq(text, c->csv);
	free(text);
	text = capture(s, t, TUI_STATS_CSV, 2); /* --top 2: the header and two rows */
	ck_assert_int_eq(strncmp(text, c->csv, strlen(text)), 0);
	ck_assert_int_eq(count_lines(text), 3);
	free(text);
	tui_stats_free(s);
	vtb_trace_free(t);
}
END_TEST

START_TEST(test_table_and_json)
{
	vtb_trace *t = load_known();
	tui_stats *s = NULL;
	char *text;
	cJSON *root, *fns, *first;
	enum tui_stats_format fmt;

	ck_assert_int_eq(tui_stats_compute(t, NULL, &s, NULL), 0);
	tui_stats_sort(s, t, TUI_STATS_TOTAL);
	text = capture(s, t, TUI_STATS_TABLE, 1);
	ck_assert_str_eq(text, "     calls      total       self       mean        max  name\n"
			       "         1      100ns       40ns      100ns      100ns  main\n");
	free(text);
	text = capture(s, t, TUI_STATS_JSON, 0);
	root = cJSON_Parse(text);
	ck_assert_ptr_nonnull(root);
	ck_assert_int_eq(cJSON_GetObjectItem(root, "calls")->valueint, 9);
	fns = cJSON_GetObjectItem(root, "functions");
	ck_assert_int_eq(cJSON_GetArraySize(fns), 5);
	first = cJSON_GetArrayItem(fns, 2);
	ck_assert_str_eq(cJSON_GetObjectItem(first, "name")->valuestring, "app.b");
	ck_assert_str_eq(cJSON_GetObjectItem(first, "file")->valuestring, "/src/app.py");
	ck_assert_int_eq(cJSON_GetObjectItem(first, "line")->valueint, 21);
	ck_assert_int_eq(cJSON_GetObjectItem(first, "calls")->valueint, 3);
	ck_assert_int_eq(cJSON_GetObjectItem(first, "total_ns")->valueint, 25);
	ck_assert_int_eq(cJSON_GetObjectItem(first, "self_ns")->valueint, 25);
	ck_assert_int_eq(cJSON_GetObjectItem(first, "mean_ns")->valueint, 8);
	ck_assert_int_eq(cJSON_GetObjectItem(first, "max_ns")->valueint, 10);
	cJSON_Delete(root);
	free(text);
	ck_assert_int_eq(tui_stats_parse_format("json", &fmt), 0);
	ck_assert_int_eq(fmt, TUI_STATS_JSON);
	ck_assert_int_eq(tui_stats_parse_format("xml", &fmt), VTB_E_ARG);
	ck_assert_int_eq(tui_stats_parse_sort("median", (enum tui_stats_sort *)&fmt), VTB_E_ARG);
	tui_stats_free(s);
	vtb_trace_free(t);
}
END_TEST

/* ---- the subcommand ---- */

static char tmpdir[64];

static char *tmp_path(const char *name)
{
	char *p;

	if (tmpdir[0] == '\0') {
		strcpy(tmpdir, "/tmp/vtui-test-stats-XXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	}
	ck_assert_int_ge(asprintf(&p, "%s/%s", tmpdir, name), 0);
	return p;
}

static void remove_tmpdir(void)
{
	char *cmd;

	ck_assert_int_ge(asprintf(&cmd, "rm -rf '%s'", tmpdir), 0);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	tmpdir[0] = '\0';
}

static char *write_known_file(void)
{
	int64_t ids[NNAMES];
	char *path = tmp_path("known.vtb"), *cause = NULL;
	vtb_writer *w = start_writer(vtb_writer_open_file(path, &header, &cause), ids);

	write_events(w, ids, known, sizeof(known) / sizeof(known[0]));
	ck_assert_msg(vtb_writer_finish(w, &cause) == 0, "%s", cause);
	vtb_writer_free(w);
	return path;
}

static void put_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = calloc(1, 65536);

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_lt(fread(text, 1, 65535, f), 65535);
	fclose(f);
	return text;
}

/* Run `vtui stats` with stdout and stderr going to files; returns the exit code. */
static int run_stats(const char *const *args, char **out, char **err)
{
	char *argv[16], *out_path = tmp_path("out"), *err_path = tmp_path("err");
	int argc = 0, rc, so = dup(1), se = dup(2);

	argv[argc++] = "stats";
	while (*args != NULL)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	fflush(stdout);
	fflush(stderr);
	ck_assert(freopen(out_path, "w", stdout) != NULL);
	ck_assert(freopen(err_path, "w", stderr) != NULL);
	rc = vtui_stats_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	*out = read_text(out_path);
	*err = read_text(err_path);
	free(out_path);
	free(err_path);
	return rc;
}

struct cli_case {
	const char *args[10];   /* "@T" is the known trace, "@P" the preset file */
	int rc;
	const char *out;        /* exact stdout, or NULL */
	const char *err;        /* a part of stderr, or NULL for empty */
};

static const char preset_file[] =
	"{\"presets\": {\"workers\": {\"description\": \"w\", \"commands\": [\"filter-thread Worker\", "
	"\"goto 10\"]},\n \"bad\": [\"filter (\"]}}";

static const struct cli_case cli_cases[] = {
	{ { "@T", "--format", "csv", "--sort", "self", "--top", "2" }, 0,
	  "name,calls,total,self,mean,max\nmain,1,100,40,100,100\napp.a,1,40,25,40,40\n", NULL },
	{ { "--filter", "^app\\.", "@T", "--format=csv" }, 0,
	  "name,calls,total,self,mean,max\napp.a,1,40,25,40,40\napp.b,3,25,25,8,10\n", NULL },
	{ { "@T", "--format", "csv", "--hide", "^app\\.a$", "--min-duration", "20ns" }, 0,
	  "name,calls,total,self,mean,max\nmain,1,100,40,100,100\nc,1,20,10,20,20\n"
	  "fib,1,20,11,20,20\n", NULL },
	{ { "@T", "--format", "csv", "--presets", "@P", "--preset", "workers", "--max-depth", "1" },
	  0, "name,calls,total,self,mean,max\nc,1,20,10,20,20\n", NULL },
	{ { "@T", "--format", "csv", "--thread", "^Main", "--filter", "^fib$", "--sort", "calls" }, 0,
	  "name,calls,total,self,mean,max\nfib,3,20,20,7,20\n", NULL },
	{ { "@T", "--format", "csv", "--filter", "^nothing$" }, 0,
	  "name,calls,total,self,mean,max\n", NULL },
	{ { "@T", "--filter", "ab(c" }, 2, "", "missing closing parenthesis at offset 4" },
	{ { "@T", "--min-duration", "fast" }, 2, "", "bad duration 'fast'" },
	{ { "@T", "--sort", "median" }, 2, "", "--sort: 'median' is not one of name|calls|total|self|mean|max" },
	/* the panel's sort keys and vtui's -p are vtui stats' too */
	{ { "@T", "--format", "csv", "--sort", "mean", "--top", "3" }, 0,
	  "name,calls,total,self,mean,max\nmain,1,100,40,100,100\napp.a,1,40,25,40,40\nc,1,20,10,20,20\n", NULL },
	{ { "@T", "--format", "csv", "--sort", "name", "--top", "2" }, 0,
	  "name,calls,total,self,mean,max\napp.a,1,40,25,40,40\napp.b,3,25,25,8,10\n", NULL },
	{ { "@T", "--presets", "@P", "-p", "nope" }, 3, "", "no preset 'nope' (2 presets found)" },
	{ { "@T", "--format", "xml" }, 2, "", "--format: 'xml' is not" },
	{ { "@T", "--top", "-3" }, 2, "", "--top: '-3' is not a count" },
	{ { "@T", "--bogus" }, 2, "", "usage: vtui stats" },
	{ { "--top", "3" }, 2, "", "no trace file given" },
	{ { "@T", "@T" }, 2, "", "one trace file at a time" },
	{ { "/nonexistent/trace.vtb" }, 1, "", "/nonexistent/trace.vtb" },
	{ { "@P" }, 1, "", "vtui stats: " },     /* a JSON preset file is not a VTB trace */
	/* Chrome JSON under a name that does not say so is known by its first bytes. */
	{ { "@J", "--format", "csv" }, 0, "name,calls,total,self,mean,max\nf,1,5000,5000,5000,5000\n", NULL },
	{ { "@E" }, 1, "", "the file is empty" },
	{ { "@T", "--presets", "@P", "--preset", "nope" }, 3, "", "no preset 'nope' (2 presets found)" },
	{ { "@T", "--presets", "@P", "--preset", "bad" }, 3, "",
	  "preset 'bad' (" },
	{ { "@T", "--presets", "/nonexistent/p.json", "--preset", "x" }, 3, "",
	  "/nonexistent/p.json: No such file" },
	{ { "@T", "--presets", "@B", "--preset", "x" }, 3, "", ":2:1: JSON syntax error" },
	{ { "--help" }, 0, NULL, NULL },
	/* --range: the calls starting in a time range (from the start) or a share of the span */
	{ { "@T", "--format", "csv", "--range", "55ns..100ns" }, 0,
	  "name,calls,total,self,mean,max\nfib,3,20,20,7,20\n", NULL },
	{ { "@T", "--format", "csv", "--range", "60%.." }, 0,
	  "name,calls,total,self,mean,max\nfib,3,20,20,7,20\n", NULL },
	{ { "@T", "--format", "csv", "--range", "..6ns", "--sort", "name" }, 0,
	  "name,calls,total,self,mean,max\nc,1,20,10,20,20\nmain,1,100,40,100,100\n", NULL },
	{ { "@T", "--range", "60ns..", "--top", "1" }, 0,
	  "# range 60ns..100ns (40ns) of @T\n     calls      total       self       mean        max  name\n"
	  "         3       20ns       20ns        7ns       20ns  fib\n", NULL },
	{ { "@T", "--range", "5ns" }, 2, "", "--range: '5ns' is not a range like 1.5ms..20ms" },
	{ { "@T", "--range", "50ns..10ns" }, 2, "", "--range: '50ns..10ns' is empty" },
	{ { "@T", "--range", "1s.." }, 2, "", "--range: '1s' is past the end of the trace (100ns)" },
	{ { "@T", "--range", "10%..x" }, 2, "", "--range: 'x' is not a time from the start" },
	{ { "@T", "--range", "10%..120%" }, 2, "", "--range: '120%' is not a time from the start" },
	{ { "--live", "1", "--range", "1s.." }, 2, "", "--range goes with a trace file, not --live" },
};

START_TEST(test_cli_table)
{
	const struct cli_case *c = &cli_cases[_i];
	char *trace = write_known_file(), *presets = tmp_path("p.json"), *broken = tmp_path("b.json");
	char *json = tmp_path("trace"), *empty = tmp_path("empty.bin");
	const char *args[10] = { NULL };
	char *out, *err;

	put_text(presets, preset_file);
	put_text(broken, "{\"presets\": {}\n");
	put_text(json, " {\"traceEvents\": [{\"ph\": \"X\", \"pid\": 1, \"tid\": 1, \"ts\": 0, \"dur\": 5, "
		       "\"name\": \"f\"}]}\n");
	put_text(empty, "");
	for (int i = 0; i < 10 && c->args[i]; i++)
		args[i] = strcmp(c->args[i], "@T") == 0 ? trace : strcmp(c->args[i], "@P") == 0
			  ? presets : strcmp(c->args[i], "@B") == 0 ? broken : strcmp(c->args[i], "@J") == 0
			  ? json : strcmp(c->args[i], "@E") == 0 ? empty : c->args[i];
	ck_assert_int_eq(run_stats(args, &out, &err), c->rc);
	if (c->out != NULL && strstr(c->out, "@T")) { /* the trace's path in the output */
		char *want = calloc(1, strlen(c->out) + strlen(trace) + 1), *at = strstr(c->out, "@T");

		sprintf(want, "%.*s%s%s", (int)(at - c->out), c->out, trace, at + 2);
		ck_assert_str_eq(out, want);
		free(want);
	} else if (c->out != NULL)
		ck_assert_str_eq(out, c->out);
	else
		ck_assert_ptr_nonnull(strstr(out, "usage: vtui stats"));
	if (c->err != NULL)
		ck_assert_msg(strstr(err, c->err) != NULL, "stderr '%s' lacks '%s'", err, c->err);
	else
		ck_assert_str_eq(err, "");
	free(out);
	free(err);
	free(trace);
	free(presets);
	free(broken);
	free(json);
	free(empty);
	remove_tmpdir();
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *stats_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *calc = tcase_create("compute"), *out = tcase_create("output");
	TCase *cli = tcase_create("cli");

	tcase_add_test(calc, test_no_filter_scope);
	tcase_add_loop_test(calc, test_filter_table, 0, N(filter_cases));
	tcase_add_loop_test(calc, test_scope_table, 0, N(scope_cases));
	tcase_add_test(calc, test_bad_subtree);
	tcase_add_test(calc, test_deep_recursion);
	tcase_add_loop_test(out, test_sort_csv, 0, N(sort_cases));
	tcase_add_test(out, test_table_and_json);
	tcase_add_loop_test(cli, test_cli_table, 0, N(cli_cases));
	suite_add_tcase(s, calc);
	suite_add_tcase(s, out);
	suite_add_tcase(s, cli);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(stats_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
