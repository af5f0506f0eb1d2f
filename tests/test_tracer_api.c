/* SPDX-License-Identifier: MIT */
/* test_tracer_api.c: the vtrace package's edges: what importing it changes (nothing), what
 * the command-line runner imports ahead of the program (as little as it can), the C
 * extension's errors (always an exception, never a SystemError), and `-m module` run as
 * python runs it. */
#include "tests/tracer_fixtures.h"

/* Every function of _vtrace, given arguments of every wrong kind and count, idle and while
 * recording, fails with an exception of its own (tests/programs/api_errors.py). */
START_TEST(test_errors_always_set)
{
	char prog[PATH_MAX];
	ck_assert_msg(realpath("tests/programs/api_errors.py", prog) != NULL,
		      "run from the source tree: tests/programs/api_errors.py not found");
	ck_assert_int_eq(run_py(NULL, "t.out", "t.err", "'%s'", prog), 0);
	char *out = read_file("t.out");
	unsigned n = 0;
	ck_assert_msg(sscanf(out, "checked %u\n", &n) == 1, "SystemError from: %s", out);
	ck_assert_uint_ge(n, 20);
	free(out);
	/* The two that failed so, by name. */
	write_program("prog.py", "tracer_api/errors_always_set.py");
	ck_assert_int_eq(run_py(NULL, "t.out", "t.err", "prog.py"), 0);
	out = read_file("t.out");
	ck_assert_str_eq(out, "a thread name must be a str, not NoneType\n"
			      "the prefix must be a str, not NoneType\n"
			      "names must be a dict, not NoneType\n");
	free(out);
}
END_TEST

/* Importing vtrace patches nothing and imports little; the first start patches sys and,
 * once the program imports it, threading. A thread running before the start keeps its
 * name in the dump after it ended, as one started after. */
START_TEST(test_import_changes_nothing)
{
	write_program("prog.py", "tracer_api/import_changes_nothing.py");
	ck_assert_int_eq(run_py(NULL, "t.out", "t.err", "prog.py"), 0);
	char *out = read_file("t.out");
	ck_assert_str_eq(out, "True []\nFalse False False\n");
	free(out);
	vtb_trace *t = load("t.bin");
	ck_assert_uint_eq(count_calls(t, NULL, "threading.enumerate"), 0); /* vtrace's, not the program's */
	ck_assert_ptr_nonnull(thread_named(t, "early"));
	ck_assert_ptr_nonnull(thread_named(t, "late"));
	ck_assert_uint_eq(count_calls(t, thread_named(t, "early"), "__main__.work"), 1);
	vtb_trace_free(t);
	/* A program that never imports threading: its main thread is still MainThread (-S: a
	 * site customization may import threading itself). */
	write_program("prog.py", "tracer_api/import_changes_nothing-2.py");
	ck_assert_int_eq(run_py(NULL, "t.out", NULL, "-S -m vtrace -q -o m.bin prog.py"), 0);
	out = read_file("t.out");
	ck_assert_str_eq(out, "False\n");
	free(out);
	t = load("m.bin");
	ck_assert_uint_eq(count_calls(t, thread_named(t, "MainThread"), "__main__.f"), 1);
	vtb_trace_free(t);
}
END_TEST

/* python -m vtrace script.py, given no option, imports nothing ahead of the program that
 * python -m alone would not (argparse, re, json, signal, threading cost more CPU than the rest
 * of the runner), and its options are the parser's defaults. */
START_TEST(test_runner_imports_little)
{
	write_program("prog.py", "tracer_api/runner_imports_little.py");
	/* Against python -m: runpy's own imports (3.9's imports re) are python's. */
	ck_assert_int_eq(run_py(NULL, "p.out", NULL, "-m prog"), 0);
	ck_assert_int_eq(run_py(NULL, "t.out", NULL, "-m vtrace prog.py"), 0);
	char *plain = read_file("p.out"), *traced = read_file("t.out");
	ck_assert_str_eq(traced, plain);
	free(plain);
	free(traced);
	vtb_trace_free(load("trace.bin"));
	write_program("defaults.py", "tracer_api/runner_imports_little-defaults.py");
	ck_assert_int_eq(run_py(NULL, "t.out", "t.err", "defaults.py"), 0);
	char *out = read_file("t.out");
	ck_assert_str_eq(out, "True True\nTrue True\nTrue True\n");
	free(out);
}
END_TEST

/* -m runs a module as python does, through importlib's public API: argv, __name__, the
 * exit status, and the errors (missing module, package without __main__, relative name). */
START_TEST(test_run_module_as_python)
{
	ck_assert_int_eq(mkdir(path_in("pkg"), 0755), 0);
	ck_assert_int_eq(mkdir(path_in("bare"), 0755), 0);
	write_program("pkg/__init__.py", "tracer_api/run_module_as_python-pkg-__init__.py");
	write_program("pkg/__main__.py", "tracer_api/run_module_as_python-pkg-__main__.py");
	write_program("bare/__init__.py", "tracer_api/run_module_as_python-bare-__init__.py");
	write_program("mod.py", "tracer_api/run_module_as_python-mod.py");
	const char *cases[] = { "pkg x -y", "bare", "nosuch", ".rel", "mod a b", "pkg.nosuch", "nosuch.x" };
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		int plain = run_py(NULL, "p.out", "p.err", "-m %s", cases[i]);
		int traced = run_py(NULL, "t.out", "t.err", "-m vtrace -q --no-exit-dump -m %s", cases[i]);
		char *po = read_file("p.out"), *pe = read_file("p.err");
		char *to = read_file("t.out"), *te = read_file("t.err");
		ck_assert_msg(plain == traced, "-m %s: exit %d plain, %d traced", cases[i], plain, traced);
		ck_assert_msg(strcmp(po, to) == 0, "-m %s: out %s plain, %s traced", cases[i], po, to);
		ck_assert_msg(strcmp(pe, te) == 0, "-m %s: err %s plain, %s traced", cases[i], pe, te);
		free(po);
		free(pe);
		free(to);
		free(te);
	}
	/* The runner no longer reaches into runpy's private functions. */
	write_program("prog.py", "tracer_api/run_module_as_python.py");
	ck_assert_int_eq(run_py(NULL, "t.out", NULL, "prog.py"), 0);
	char *out = read_file("t.out");
	ck_assert_str_eq(out, "__main__ pkg.__main__ ['z']\n");
	free(out);
}
END_TEST

/* The package's type hints hold together and ship (py.typed), its public API has
 * docstrings (tests/programs/tracer_api/typed.py); `--help` names the program as typed. */
START_TEST(test_type_hints)
{
	write_program("typed.py", "tracer_api/typed.py");
	ck_assert_int_eq(run_py(NULL, "t.out", "t.err", "typed.py"), 0);
	char *out = read_file("t.out");
	unsigned n = 0;
	ck_assert_msg(sscanf(out, "checked %u\n", &n) == 1, "%s", out);
	ck_assert_uint_ge(n, 90);
	free(out);
	ck_assert_int_eq(run_py(NULL, "t.out", NULL, "-m vtrace --help"), 0);
	out = read_file("t.out");
	ck_assert_msg(strstr(out, "usage: ") == out && strstr(out, " -m vtrace [options]") &&
		      !strstr(out, "__main__"), "%.300s", out);
	free(out);
}
END_TEST

static Suite *api_suite(void)
{
	Suite *s = suite_create("tracer_api");
	const struct tf_case cases[] = {
		{ "errors_always_set", test_errors_always_set },
		{ "import_changes_nothing", test_import_changes_nothing },
		{ "runner_imports_little", test_runner_imports_little },
		{ "run_module_as_python", test_run_module_as_python },
		{ "type_hints", test_type_hints },
	};
	tf_add_cases(s, cases, sizeof cases / sizeof *cases, 120);
	return s;
}


int main(void)
{
	return tf_run(api_suite());
}
