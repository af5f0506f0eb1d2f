/* SPDX-License-Identifier: MIT */
/* tracer_fixtures.h: running small programs under vtrace and reading their dumps back, for
 * the tracer's suites (test_tracer*.c). Each test copies a program from
 * tests/programs/<suite>/ (files a reader can run by hand) into a temporary directory
 * (write_program), runs it under the interpreter named by VTRACE_PYTHON with the
 * extension from VTRACE_PYPATH (tools/run-tests.sh sets both, once per interpreter), and
 * reads the dump with the common/ reader. Static functions: one copy per suite. */
#ifndef VTUI_TESTS_TRACER_FIXTURES_H
#define VTUI_TESTS_TRACER_FIXTURES_H

#include <check.h>
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/vtb.h"

static char dir[PATH_MAX];
static const char *extra_env = ""; /* more environment for the next run_py */

static inline const char *python(void)
{
	const char *p = getenv("VTRACE_PYTHON");
	return p && *p ? p : "python3";
}

static char pypath[PATH_MAX];

static inline void setup(void)
{
	const char *p = getenv("VTRACE_PYPATH");
	ck_assert_msg(p && *p, "set VTRACE_PYPATH to the dir holding the built vtrace package "
		      "(tools/run-tests.sh does)");
	/* The programs run in their own directory: the path must not be relative. */
	ck_assert_msg(realpath(p, pypath) != NULL, "VTRACE_PYPATH %s: no such directory", p);
	strcpy(dir, "/tmp/vtrace-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static inline void teardown(void)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

static inline char *path_in(const char *name)
{
	static char p[4][PATH_MAX + 256];
	static int i;
	i = (i + 1) % 4;
	if (snprintf(p[i], sizeof p[i], "%.*s/%.255s", PATH_MAX - 1, dir, name) < 0)
		p[i][0] = '\0';
	return p[i];
}

static inline void write_file(const char *name, const char *text)
{
	FILE *f = fopen(path_in(name), "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* Copies the test program tests/programs/SOURCE (a file a reader can run by hand, from the
 * source tree: suites run from its top) into the test directory as NAME. */
static inline void write_program(const char *name, const char *source)
{
	char from[PATH_MAX];
	snprintf(from, sizeof from, "tests/programs/%s", source);
	FILE *in = fopen(from, "r");
	ck_assert_msg(in != NULL, "%s: not found (run the suite from the top of the source tree)", from);
	FILE *out = fopen(path_in(name), "w");
	ck_assert_ptr_nonnull(out);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, in)) > 0)
		ck_assert_uint_eq(fwrite(chunk, 1, n, out), n);
	ck_assert(!ferror(in));
	fclose(in);
	ck_assert_int_eq(fclose(out), 0);
}

/* The whole file (malloc'd, NUL-terminated); "" when missing. */
static inline char *read_file(const char *name)
{
	FILE *f = fopen(path_in(name), "r");
	char *buf = calloc(1, 1);
	size_t len = 0, n;
	char chunk[4096];
	while (f && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		buf = realloc(buf, len + n + 1);
		memcpy(buf + len, chunk, n);
		len += n;
		buf[len] = '\0';
	}
	if (f)
		fclose(f);
	return buf;
}

/* Runs `python ARGS` in the test dir with stdin from `in` (or /dev/null) and stdout, stderr
 * into files `out` and `err`; returns the exit status (128+N for signal N). */
static inline int run_py(const char *in, const char *out, const char *err, const char *fmt, ...)
{
	char args[4096], cmd[24576];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(args, sizeof args, fmt, ap);
	va_end(ap);
	const char *preload = getenv("VTRACE_TEST_PRELOAD");
	char pre[2048] = "";
	if (preload && *preload)
		snprintf(pre, sizeof pre, "LD_PRELOAD='%s' ASAN_OPTIONS=detect_leaks=0 ", preload);
	/* XDG_RUNTIME_DIR: the ring files (vtrace(1), THE BLACK BOX) go to the test's directory,
	 * removed with it, rather than accumulate in /dev/shm. */
	snprintf(cmd, sizeof cmd, "cd '%s' && %sPYTHONPATH='%s' XDG_RUNTIME_DIR='%s' VTRACE_OPTIONS= %s'%s' %s <'%s' >'%s' 2>'%s'",
		 dir, pre, pypath, dir, extra_env, python(), args, in ? in : "/dev/null",
		 out ? out : "/dev/null", err ? err : "/dev/null");
	int st = system(cmd);
	ck_assert_int_ne(st, -1);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static inline vtb_trace *load(const char *name)
{
	char *cause = NULL;
	vtb_trace *t = vtb_trace_load(path_in(name), 0, NULL, NULL, &cause);
	ck_assert_msg(t != NULL, "loading %s: %s", name, cause ? cause : "?");
	return t;
}

static inline const char *name_of(const vtb_trace *t, const vtb_slice *s)
{
	return vtb_trace_string(t, s->name_id)->name;
}

typedef int (*slice_fn)(const vtb_trace *t, const vtb_thread *th, const vtb_slice *s, void *ctx);

/* Calls fn on every slice of every thread (or only of `only`); returns how many said yes. */
static inline size_t each_slice(const vtb_trace *t, const vtb_thread *only, slice_fn fn, void *ctx)
{
	size_t n = 0;
	for (size_t i = 0; i < vtb_trace_thread_count(t); i++) {
		const vtb_thread *th = vtb_trace_thread(t, i);
		if (only && th != only)
			continue;
		for (uint32_t d = 0; d < th->depth_count; d++)
			for (size_t k = 0; k < th->rows[d].count; k++)
				n += fn(t, th, &th->rows[d].slices[k], ctx) != 0;
	}
	return n;
}

static inline int named(const vtb_trace *t, const vtb_thread *th, const vtb_slice *s, void *ctx)
{
	(void)th;
	return strcmp(name_of(t, s), ctx) == 0;
}

/* Calls named exactly `name` (in thread `th`, or all threads when NULL). */
static inline size_t count_calls(const vtb_trace *t, const vtb_thread *th, const char *name)
{
	return each_slice(t, th, named, (void *)name);
}

/* Names differ between versions (co_qualname from 3.11): match "module." ... ".func". */
struct affix {
	const char *prefix, *suffix;
	unsigned flags;
};

static inline int affixed(const vtb_trace *t, const vtb_thread *th, const vtb_slice *s, void *ctx)
{
	(void)th;
	const struct affix *a = ctx;
	const char *n = name_of(t, s);
	size_t ln = strlen(n), ls = strlen(a->suffix);
	return strncmp(n, a->prefix, strlen(a->prefix)) == 0 && ln >= ls &&
	       strcmp(n + ln - ls, a->suffix) == 0 && (s->flags & a->flags) == a->flags;
}

static inline size_t count_affix(const vtb_trace *t, const char *prefix, const char *suffix, unsigned flags)
{
	struct affix a = { prefix, suffix, flags };
	return each_slice(t, NULL, affixed, &a);
}

/* The slice one level up that holds `s`, or NULL. */
static inline const vtb_slice *parent_of(const vtb_thread *th, const vtb_slice *s)
{
	if (s->depth == 0)
		return NULL;
	const vtb_row *row = &th->rows[s->depth - 1];
	const vtb_slice *best = NULL;
	for (size_t k = 0; k < row->count; k++) {
		const vtb_slice *p = &row->slices[k];
		if (p->start_ns <= s->start_ns && p->start_ns + p->dur_ns >= s->start_ns + s->dur_ns)
			best = p;
	}
	return best;
}

struct nest {
	const char *child, *parent;
};

/* Counts slices named n->child whose parent is not named n->parent. */
static inline int misnested(const vtb_trace *t, const vtb_thread *th, const vtb_slice *s, void *ctx)
{
	const struct nest *n = ctx;
	if (strcmp(name_of(t, s), n->child) != 0)
		return 0;
	const vtb_slice *p = parent_of(th, s);
	return !p || strcmp(name_of(t, p), n->parent) != 0;
}

static inline size_t count_misnested(const vtb_trace *t, const char *child, const char *parent)
{
	struct nest n = { child, parent };
	return each_slice(t, NULL, misnested, &n);
}

static inline const vtb_thread *thread_named(const vtb_trace *t, const char *name)
{
	for (size_t i = 0; i < vtb_trace_thread_count(t); i++)
		if (strcmp(vtb_trace_thread(t, i)->name, name) == 0)
			return vtb_trace_thread(t, i);
	return NULL;
}

static inline int flagged(const vtb_trace *t, const vtb_thread *th, const vtb_slice *s, void *ctx)
{
	(void)t;
	(void)th;
	unsigned f = *(unsigned *)ctx;
	return (s->flags & f) == f;
}

static inline size_t count_flagged(const vtb_trace *t, unsigned flags)
{
	return each_slice(t, NULL, flagged, &flags);
}

/* `text` without the lines vtrace prints ("vtrace: ..."); malloc'd. */
static inline char *drop_vtrace_lines(const char *text)
{
	char *out = calloc(1, strlen(text) + 1);
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);
		if (strncmp(p, "vtrace: ", 8) != 0)
			strncat(out, p, n);
		p += n;
	}
	return out;
}

/* Adds one test to s in a TCase of its own, with the fixture directory (setup, teardown)
 * and a time limit in seconds. */
static inline void tf_add_case(Suite *s, const char *name, const TTest *test, int timeout)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, timeout);
	tcase_add_test(tc, test);
	suite_add_tcase(s, tc);
}

struct tf_case {
	const char *name;
	const TTest *test;
};

/* Adds n tests to s, each as tf_add_case does, with the same time limit. */
static inline void tf_add_cases(Suite *s, const struct tf_case *cases, size_t n, int timeout)
{
	for (size_t i = 0; i < n; i++)
		tf_add_case(s, cases[i].name, cases[i].test, timeout);
}

/* Runs suite s (the runner takes it) in Check's fork mode; the process's exit status. */
static inline int tf_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
