/* SPDX-License-Identifier: MIT */
/* test_analysis.c: the analysis library (analysis/analysis.h) on traces with known
 * timings built with the VTB memory writer: per-function statistics and their writers,
 * the diff, the flame graph's tree and the merge of several dumps. Links common/,
 * filters/ and analysis/ only (no viewer). */
#define _GNU_SOURCE /* asprintf */
#include "analysis/analysis.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/vtb.h"
#include "filters/filters.h"
#include "tests/stats_fixture.h"
#include "tests/tui_fx_analysis.h"

#define MS 1000000ull

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

static const an_stats_row *row_named(const an_stats *s, const vtb_trace *t, const char *name)
{
	for (size_t i = 0; i < s->count; i++)
		if (strcmp(vtb_trace_string(t, s->rows[i].name_id)->name, name) == 0)
			return &s->rows[i];
	return NULL;
}

static void check_rows(const an_stats *s, const vtb_trace *t, const struct want *w, size_t n)
{
	uint64_t calls = 0;

	ck_assert_uint_eq(s->count, n);
	for (size_t i = 0; i < n; i++) {
		const an_stats_row *r = row_named(s, t, names[w[i].name]);

		ck_assert_msg(r != NULL, "no row for %s", names[w[i].name]);
		ck_assert_msg(r->calls == w[i].calls && r->total_ns == w[i].total &&
			      r->self_ns == w[i].self && an_stats_mean(r) == w[i].mean &&
			      r->max_ns == w[i].max,
			      "%s: calls %llu total %llu self %llu mean %llu max %llu", names[w[i].name],
			      (unsigned long long)r->calls, (unsigned long long)r->total_ns,
			      (unsigned long long)r->self_ns, (unsigned long long)an_stats_mean(r),
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
	an_stats_scope scope = { .filter = f };
	an_stats *s = NULL;
	char *cause = NULL;

	for (int i = 0; i < 3 && c->commands[i]; i++)
		ck_assert_int_eq(flt_set_command(f, c->commands[i], NULL), 0);
	ck_assert_int_eq(flt_set_eval(f, entry_of, t, vtb_trace_string_count(t), NULL), 0);
	ck_assert_msg(an_stats_compute(t, &scope, &s, &cause) == 0, "%s", cause);
	check_rows(s, t, c->rows, c->count);
	an_stats_free(s);
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
	an_stats *s = NULL;

	ck_assert_int_eq(an_stats_compute(t, NULL, &s, NULL), 0);
	check_rows(s, t, all, 5);
	an_stats_free(s);
	vtb_trace_free(t);
}
END_TEST

struct scope_case {
	an_stats_scope scope;
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
	an_stats *s = NULL;
	char *cause = NULL;

	ck_assert_msg(an_stats_compute(t, &c->scope, &s, &cause) == 0, "%s", cause);
	check_rows(s, t, c->rows, c->count);
	an_stats_free(s);
	vtb_trace_free(t);
}
END_TEST

START_TEST(test_bad_subtree)
{
	static const an_stats_scope bad[] = {
		{ .subtree = 1, .thread = 2 }, { .subtree = 1, .thread = 0, .depth = 4 },
		{ .subtree = 1, .thread = 1, .depth = 1, .index = 1 },
	};
	vtb_trace *t = load_known();

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		an_stats *s = NULL;
		char *cause = NULL;

		ck_assert_int_eq(an_stats_compute(t, &bad[i], &s, &cause), VTB_E_ARG);
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
	an_stats *s = NULL;

	ck_assert_int_eq(vtb_writer_thread(w, 1, 1, "MainThread"), 0);
	for (uint64_t i = 0; i < DEPTH; i++)
		ck_assert_int_eq(vtb_writer_begin(w, 0, i, (uint32_t)id, 0), 0);
	for (uint64_t i = DEPTH; i > 0; i--)
		ck_assert_int_eq(vtb_writer_end(w, 0, 2 * DEPTH - (i - 1), 0), 0);
	ck_assert_int_eq(vtb_writer_finish(w, NULL), 0);
	bytes = vtb_writer_mem(w, &len);
	t = vtb_trace_load_mem(bytes, len, 0, NULL);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(an_stats_compute(t, NULL, &s, NULL), 0);
	ck_assert_uint_eq(s->count, 1);
	ck_assert_uint_eq(s->rows[0].calls, DEPTH);
	ck_assert_uint_eq(s->rows[0].total_ns, 2 * DEPTH);
	ck_assert_uint_eq(s->rows[0].self_ns, 2 * DEPTH);
	ck_assert_uint_eq(s->rows[0].max_ns, 2 * DEPTH);
	/* mean is total / calls: the recursion's time shared by its calls, so calls * mean = total */
	ck_assert_uint_eq(an_stats_mean(&s->rows[0]), 2);
	an_stats_free(s);
	vtb_trace_free(t);
	vtb_writer_free(w);
}
END_TEST

/* ---- sorting and output ---- */

static char *capture(const an_stats *s, const vtb_trace *t, enum an_stats_format fmt,
		     size_t top)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(an_stats_write(s, t, fmt, top, out, NULL), 0);
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
	an_stats *s = NULL;
	enum an_stats_sort by;
	char *text;

	ck_assert_int_eq(an_stats_parse_sort(c->by, &by), 0);
	ck_assert_int_eq(an_stats_compute(t, NULL, &s, NULL), 0);
	an_stats_sort(s, t, by);
	text = capture(s, t, AN_STATS_CSV, 0);
	ck_assert_str_eq(text, c->csv);
	free(text);
	text = capture(s, t, AN_STATS_CSV, 2); /* --top 2: the header and two rows */
	ck_assert_int_eq(strncmp(text, c->csv, strlen(text)), 0);
	ck_assert_int_eq(count_lines(text), 3);
	free(text);
	an_stats_free(s);
	vtb_trace_free(t);
}
END_TEST

START_TEST(test_table_and_json)
{
	vtb_trace *t = load_known();
	an_stats *s = NULL;
	char *text;
	cJSON *root, *fns, *first;
	enum an_stats_format fmt;

	ck_assert_int_eq(an_stats_compute(t, NULL, &s, NULL), 0);
	an_stats_sort(s, t, AN_STATS_TOTAL);
	text = capture(s, t, AN_STATS_TABLE, 1);
	ck_assert_str_eq(text, "     calls      total       self       mean        max  name\n"
			       "         1      100ns       40ns      100ns      100ns  main\n");
	free(text);
	text = capture(s, t, AN_STATS_JSON, 0);
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
	ck_assert_int_eq(an_stats_parse_format("json", &fmt), 0);
	ck_assert_int_eq(fmt, AN_STATS_JSON);
	ck_assert_int_eq(an_stats_parse_format("xml", &fmt), VTB_E_ARG);
	ck_assert_int_eq(an_stats_parse_sort("median", (enum an_stats_sort *)&fmt), VTB_E_ARG);
	an_stats_free(s);
	vtb_trace_free(t);
}
END_TEST

/* ---- diff ---- */

/* The diff of `a` against `b` over all their calls; *sa and *sb are their statistics. */
static an_diff *diff_of(const vtb_trace *a, const vtb_trace *b, an_stats **sa, an_stats **sb)
{
	char *cause = NULL;
	an_diff *d;

	ck_assert_int_eq(an_stats_compute(a, NULL, sa, &cause), 0);
	ck_assert_int_eq(an_stats_compute(b, NULL, sb, &cause), 0);
	ck_assert_int_eq(an_diff_compute(a, *sa, b, *sb, &d), 0);
	return d;
}

static void diff_done(an_diff *d, an_stats *sa, an_stats *sb, vtb_trace *a, vtb_trace *b)
{
	an_diff_free(d);
	an_stats_free(sa);
	an_stats_free(sb);
	vtb_trace_free(a);
	vtb_trace_free(b);
}

START_TEST(diff_exact)
{
	vtb_trace *a = fxa_trace(0, NULL), *b = fxa_trace(1, NULL);
	an_stats *sa, *sb;
	an_diff *d;
	char *cause = NULL, buf[4096] = "";
	FILE *f = tmpfile();
	size_t n;

	d = diff_of(a, b, &sa, &sb);
	ck_assert_uint_eq(d->count, 7);
	ck_assert_str_eq(d->rows[0].name, "step");
	ck_assert_uint_eq(d->rows[0].total_b - d->rows[0].total_a, 10 * MS);
	ck_assert_str_eq(d->rows[1].name, "main"); /* self -6 ms */
	ck_assert_str_eq(d->rows[2].name, "work"); /* self -5 ms, total +5 ms */
	ck_assert_str_eq(d->rows[3].name, "extra");
	ck_assert_int_eq(d->rows[3].id_a, -1);
	ck_assert_uint_eq(d->rows[3].calls_b, 1);
	ck_assert_int_eq(an_diff_write(d, AN_STATS_CSV, 4, f, &cause), 0);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	ck_assert_str_eq(buf,
			 "name,calls_a,calls_b,calls_delta,total_a,total_b,total_delta,self_a,self_b,self_delta,"
			 "mean_a,mean_b,mean_delta,rate_a,rate_b\n"
			 "step,6,6,0,50000000,60000000,10000000,50000000,60000000,10000000,"
			 "8333333,10000000,1666667,60.000,60.000\n"
			 "main,1,1,0,100000000,100000000,0,33000000,27000000,-6000000,100000000,100000000,0,10.000,10.000\n"
			 "work,2,2,0,60000000,65000000,5000000,30000000,25000000,-5000000,30000000,32500000,2500000,"
			 "20.000,20.000\n"
			 "extra,0,1,1,0,1000000,1000000,0,1000000,1000000,0,1000000,1000000,0.000,10.000\n");
	fclose(f);
	diff_done(d, sa, sb, a, b);
}
END_TEST

/* ---- flame graph ---- */

/* The node reached by names from the root, or NULL. */
static const struct an_flame_node *node_at(const vtb_trace *t, const struct an_flame_node *n,
					     const char *const *path)
{
	uint32_t at = 0;

	for (; *path; path++) {
		uint32_t c = n[at].first_child;

		while (c != UINT32_MAX && strcmp(vtb_trace_string(t, n[c].name_id)->name, *path))
			c = n[c].next;
		if (c == UINT32_MAX)
			return NULL;
		at = c;
	}
	return &n[at];
}

START_TEST(flame_exact)
{
	vtb_trace *t = fxa_trace(0, NULL);
	struct an_flame_node *n;
	an_stats_scope sc = { 0 };
	size_t count;

	ck_assert_int_eq(an_flame_build(t, NULL, &n, &count), 0);
	ck_assert_uint_eq(count, 8); /* root + 7 stacks */
	ck_assert_uint_eq(n[0].total_ns, 160 * MS);
	ck_assert_uint_eq(node_at(t, n, (const char *[]){ "main", NULL })->total_ns, 100 * MS);
	ck_assert_uint_eq(node_at(t, n, (const char *[]){ "main", "work", "step", NULL })->total_ns, 30 * MS);
	ck_assert_uint_eq(node_at(t, n, (const char *[]){ "main", "work", "step", NULL })->calls, 5);
	ck_assert_uint_eq(node_at(t, n, (const char *[]){ "worker.run", "step", NULL })->total_ns, 20 * MS);
	/* widest first: main before worker.run, work before load-config and gc.collect */
	ck_assert_str_eq(vtb_trace_string(t, n[n[0].first_child].name_id)->name, "main");
	ck_assert_str_eq(vtb_trace_string(t, n[n[n[0].first_child].first_child].name_id)->name, "work");
	free(n);
	sc.t0_ns = FX_T0;
	sc.t1_ns = FX_T0 + 20 * MS; /* visible: times clipped */
	ck_assert_int_eq(an_flame_build(t, &sc, &n, &count), 0);
	ck_assert_uint_eq(node_at(t, n, (const char *[]){ "main", NULL })->total_ns, 20 * MS);
	ck_assert_uint_eq(node_at(t, n, (const char *[]){ "main", "work", NULL })->total_ns, 19 * MS);
	ck_assert_uint_eq(node_at(t, n, (const char *[]){ "main", "work", "step", NULL })->total_ns, 10 * MS);
	ck_assert_uint_eq(node_at(t, n, (const char *[]){ "worker.run", NULL })->total_ns, 15 * MS);
	ck_assert_uint_eq(node_at(t, n, (const char *[]){ "worker.run", "step", NULL })->total_ns, 10 * MS);
	ck_assert_ptr_null(node_at(t, n, (const char *[]){ "main", "gc.collect", NULL }));
	free(n);
	sc = (an_stats_scope){ .subtree = 1, .thread = 0, .depth = 1, .index = 1 }; /* second work */
	ck_assert_int_eq(an_flame_build(t, &sc, &n, &count), 0);
	ck_assert_uint_eq(count, 3);
	ck_assert_uint_eq(n[0].total_ns, 20 * MS);
	ck_assert_uint_eq(node_at(t, n, (const char *[]){ "work", "step", NULL })->total_ns, 10 * MS);
	free(n);
	vtb_trace_free(t);
}
END_TEST

/* ---- several dumps ---- */

START_TEST(multi_merge_clock)
{
	vtb_trace *in[2] = { fxa_trace(0, NULL), fxa_child(NULL) }, *m;
	const vtb_thread *th;
	char *cause = NULL;

	ck_assert_ptr_nonnull(in[1]);
	m = an_multi_merge(in, NULL, 2, NULL, &cause);
	ck_assert_msg(m != NULL, "merge: %s", cause ? cause : "?");
	ck_assert_uint_eq(vtb_trace_thread_count(m), 3);
	ck_assert_uint_eq(vtb_trace_process_count(m), 2);
	ck_assert_uint_eq(vtb_trace_call_count(m), vtb_trace_call_count(in[0]) + vtb_trace_call_count(in[1]));
	ck_assert_uint_eq(vtb_trace_counter_count(m), 3);
	th = vtb_trace_thread(m, 2);
	ck_assert_uint_eq(th->pid, 101);
	ck_assert_uint_eq(th->rows[0].slices[0].start_ns, FX_US(21000)); /* the parent's clock */
	ck_assert_uint_eq(th->rows[0].slices[0].dur_ns, 30 * MS);
	ck_assert_uint_eq(th->marks[0].ts_ns, FX_US(31000));
	ck_assert_str_eq(th->marks[0].text, "child failed");
	/* the parent's threads come back as they were */
	for (size_t t = 0; t < 2; t++) {
		const vtb_thread *a = vtb_trace_thread(in[0], t), *b = vtb_trace_thread(m, t);

		ck_assert_uint_eq(a->depth_count, b->depth_count);
		ck_assert_uint_eq(a->mark_count, b->mark_count);
		for (uint32_t d = 0; d < a->depth_count; d++) {
			ck_assert_uint_eq(a->rows[d].count, b->rows[d].count);
			for (size_t i = 0; i < a->rows[d].count; i++) {
				ck_assert_uint_eq(a->rows[d].slices[i].start_ns, b->rows[d].slices[i].start_ns);
				ck_assert_uint_eq(a->rows[d].slices[i].dur_ns, b->rows[d].slices[i].dur_ns);
				ck_assert_uint_eq(a->rows[d].slices[i].flags, b->rows[d].slices[i].flags);
			}
		}
	}
	for (size_t c = 0; c < 3; c++)
		ck_assert_uint_eq(vtb_trace_counter(m, c)->count, vtb_trace_counter(in[0], c)->count);
	vtb_trace_free(m);
	vtb_trace_free(in[0]);
	vtb_trace_free(in[1]);
}
END_TEST

/* ---- figures on small hand-built traces ---- */

/* A trace of `evs` written with the known fixture's names and threads under `hdr`. */
static vtb_trace *load_events(const vtb_header *hdr, const struct ev *evs, size_t n)
{
	int64_t ids[NNAMES];
	vtb_writer *w = start_writer(vtb_writer_open_mem(hdr), ids);
	const uint8_t *bytes;
	size_t len = 0;
	char *cause = NULL;
	vtb_trace *t;

	write_events(w, ids, evs, n);
	ck_assert_msg(vtb_writer_finish(w, &cause) == 0, "%s", cause);
	bytes = vtb_writer_mem(w, &len);
	t = vtb_trace_load_mem(bytes, len, 0, &cause);
	ck_assert_msg(t != NULL, "%s", cause);
	vtb_writer_free(w);
	return t;
}

/* Thread 0: main [0,100) > b [10,30), fib [40,50) */
static const struct ev after[] = {
	{ 0, 0, 'B', MAIN }, { 0, 10, 'B', B }, { 0, 30, 'E', 0 }, { 0, 40, 'B', FIB },
	{ 0, 50, 'E', 0 }, { 0, 100, 'E', 0 },
};

/* The known trace against `after`: main gains 30ns of self time (its children shrank),
 * app.a and c are gone, app.b and fib lose calls. Ordered by |self change|, then |total
 * change|: c (self -10, total -20) before fib (self -10, total -10). */
START_TEST(diff_known_figures)
{
	vtb_trace *a = load_known(), *b = load_events(&header, after, sizeof(after) / sizeof(after[0]));
	static const struct {
		const char *name;
		uint64_t calls_a, calls_b, total_a, total_b, self_a, self_b;
	} want[] = {
		{ "main", 1, 1, 100, 100, 40, 70 }, { "app.a", 1, 0, 40, 0, 25, 0 },
		{ "c", 1, 0, 20, 0, 10, 0 },        { "fib", 3, 1, 20, 10, 20, 10 },
		{ "app.b", 3, 1, 25, 20, 25, 20 },
	};
	an_stats *sa, *sb;
	an_diff *d = diff_of(a, b, &sa, &sb);

	ck_assert_uint_eq(d->count, 5);
	for (size_t i = 0; i < 5; i++) {
		const an_diff_row *r = &d->rows[i];

		ck_assert_str_eq(r->name, want[i].name);
		ck_assert_uint_eq(r->calls_a, want[i].calls_a);
		ck_assert_uint_eq(r->calls_b, want[i].calls_b);
		ck_assert_uint_eq(r->total_a, want[i].total_a);
		ck_assert_uint_eq(r->total_b, want[i].total_b);
		ck_assert_uint_eq(r->self_a, want[i].self_a);
		ck_assert_uint_eq(r->self_b, want[i].self_b);
		ck_assert((r->id_a >= 0) == (want[i].calls_a > 0));
		ck_assert((r->id_b >= 0) == (want[i].calls_b > 0));
	}
	diff_done(d, sa, sb, a, b);
}
END_TEST

/* The known trace's stacks: the recursion of fib stays three nodes deep, the two b calls
 * under a make one node, and the b of the worker thread is a node of its own under c. */
START_TEST(flame_known_figures)
{
	vtb_trace *t = load_known();
	struct an_flame_node *n;
	an_stats_scope sc = { .subtree = 1, .thread = 0, .depth = 1, .index = 1 }; /* main's fib */
	size_t count;

	ck_assert_int_eq(an_flame_build(t, NULL, &n, &count), 0);
	ck_assert_uint_eq(count, 9);
	ck_assert_uint_eq(n[0].total_ns, 120);
	ck_assert_str_eq(vtb_trace_string(t, n[n[0].first_child].name_id)->name, "main");
	ck_assert_uint_eq(node_at(t, n, (const char *[]){ "main", "app.a", NULL })->total_ns, 40);
	ck_assert_uint_eq(node_at(t, n, (const char *[]){ "main", "app.a", "app.b", NULL })->total_ns, 15);
	ck_assert_uint_eq(node_at(t, n, (const char *[]){ "main", "app.a", "app.b", NULL })->calls, 2);
	ck_assert_uint_eq(node_at(t, n, (const char *[]){ "main", "fib", "fib", "fib", NULL })->total_ns, 2);
	ck_assert_uint_eq(node_at(t, n, (const char *[]){ "main", "fib", "fib", "fib", NULL })->depth, 4);
	ck_assert_uint_eq(node_at(t, n, (const char *[]){ "c", "app.b", NULL })->total_ns, 10);
	ck_assert_ptr_null(node_at(t, n, (const char *[]){ "app.b", NULL }));
	free(n);
	ck_assert_int_eq(an_flame_build(t, &sc, &n, &count), 0);
	ck_assert_uint_eq(count, 4);
	ck_assert_uint_eq(n[0].total_ns, 20);
	ck_assert_uint_eq(node_at(t, n, (const char *[]){ "fib", "fib", NULL })->total_ns, 9);
	free(n);
	vtb_trace_free(t);
}
END_TEST

/* Two dumps whose monotonic clocks differ: the second's times move by
 * (wall_1 - mono_1) - (wall_0 - mono_0) = (1500 - 50) - (1000 - 100) = 550 ns. */
START_TEST(multi_merge_shift)
{
	vtb_header h0 = header, h1 = header;
	vtb_trace *in[2], *m;
	an_sources *src = NULL;
	const char *paths[2] = { "dir/first.vtb", "second.vtb" };
	char *cause = NULL;
	const vtb_thread *th;

	h0.start_wall_ns = 1000;
	h0.start_mono_ns = 100;
	h1.start_wall_ns = 1500;
	h1.start_mono_ns = 50;
	h1.pid = 43;
	in[0] = load_events(&h0, after, sizeof(after) / sizeof(after[0]));
	in[1] = load_events(&h1, after, sizeof(after) / sizeof(after[0]));
	m = an_multi_merge(in, paths, 2, &src, &cause);
	ck_assert_msg(m != NULL, "merge: %s", cause ? cause : "?");
	ck_assert_uint_eq(vtb_trace_thread_count(m), 4);
	ck_assert_uint_eq(vtb_trace_call_count(m), 6);
	th = vtb_trace_thread(m, 0);
	ck_assert_uint_eq(th->rows[1].slices[1].start_ns, 40);
	th = vtb_trace_thread(m, 2);
	ck_assert_uint_eq(th->rows[0].slices[0].start_ns, 550);
	ck_assert_uint_eq(th->rows[0].slices[0].dur_ns, 100);
	ck_assert_uint_eq(th->rows[1].slices[1].start_ns, 590);
	ck_assert_uint_eq(src->count, 2);
	ck_assert_uint_eq(src->thread_count, 4);
	ck_assert_uint_eq(src->of_thread[1], 0);
	ck_assert_uint_eq(src->of_thread[2], 1);
	/* the process's name (python) wins over the command line */
	ck_assert_str_eq(src->titles[0], "first.vtb (1 of 2): dump: api, pid 42 python");
	an_sources_free(src);
	vtb_trace_free(m);
	vtb_trace_free(in[0]);
	vtb_trace_free(in[1]);
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *analysis_suite(void)
{
	Suite *s = suite_create("analysis");
	TCase *calc = tcase_create("compute"), *out = tcase_create("output");
	TCase *diff = tcase_create("diff"), *flame = tcase_create("flame"), *multi = tcase_create("multi");

	tcase_add_test(calc, test_no_filter_scope);
	tcase_add_loop_test(calc, test_filter_table, 0, N(filter_cases));
	tcase_add_loop_test(calc, test_scope_table, 0, N(scope_cases));
	tcase_add_test(calc, test_bad_subtree);
	tcase_add_test(calc, test_deep_recursion);
	tcase_add_loop_test(out, test_sort_csv, 0, N(sort_cases));
	tcase_add_test(out, test_table_and_json);
	tcase_add_test(diff, diff_exact);
	tcase_add_test(diff, diff_known_figures);
	tcase_add_test(flame, flame_exact);
	tcase_add_test(flame, flame_known_figures);
	tcase_add_test(multi, multi_merge_clock);
	tcase_add_test(multi, multi_merge_shift);
	suite_add_tcase(s, calc);
	suite_add_tcase(s, out);
	suite_add_tcase(s, diff);
	suite_add_tcase(s, flame);
	suite_add_tcase(s, multi);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(analysis_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
