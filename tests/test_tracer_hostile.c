/* SPDX-License-Identifier: MIT */
/* test_tracer_hostile.c: programs that push the tracer where it could break them (issue 9,
 * reliability). Each test runs a program plain and under vtrace and asserts that it behaves
 * the same (exit status, stdout, stderr but vtrace's own lines), and that the dump, where
 * one is expected, reads back. Harness: tests/tracer_fixtures.h. */
#include "tests/tracer_fixtures.h"

/* Runs `prog.py ARGS` plain (p.out, p.err) and under `-m vtrace OPTS` (t.out, t.err);
 * asserts the same status, stdout and stderr (vtrace's lines aside). Returns the status. */
static int same_as_plain(const char *opts, const char *args)
{
	int plain = run_py(NULL, "p.out", "p.err", "prog.py %s", args);
	int traced = run_py(NULL, "t.out", "t.err", "-m vtrace %s prog.py %s", opts, args);
	char *po = read_file("p.out"), *to = read_file("t.out"), *pe = read_file("p.err"),
	     *te = read_file("t.err"), *te2 = drop_vtrace_lines(te);
	ck_assert_msg(plain == traced, "status plain %d, traced %d; traced stderr:\n%.2000s", plain,
		      traced, te);
	ck_assert_str_eq(po, to);
	ck_assert_str_eq(pe, te2);
	free(po), free(to), free(pe), free(te), free(te2);
	return plain;
}

static int minor_version(void)
{
	write_program("minor_version.py", "tracer_hostile/minor_version.py");
	run_py(NULL, "ver.txt", NULL, "minor_version.py");
	char *v = read_file("ver.txt");
	int m = atoi(v);
	free(v);
	ck_assert_int_ge(m, 9);
	return m;
}

/* ---- recursion ---- */

/* Up to the recursion limit and past it, in the main thread and another: the same depth,
 * the same RecursionError (the runner's frames do not count); and a
 * recursion just under the default limit works (3.12 ran out of C recursion budget at 745
 * levels under a frame-evaluation hook before the tracer gave it back). */
START_TEST(test_recursion_limit)
{
	write_program("prog.py", "tracer_hostile/recursion_limit.py");
	ck_assert_int_eq(same_as_plain("-q -o t.bin", ""), 1);
	char *out = read_file("t.out"), *err = read_file("t.err");
	ck_assert_ptr_nonnull(strstr(out, "RecursionError 9"));
	ck_assert_ptr_nonnull(strstr(out, "\n980\n80200\nrepr RecursionError\nthread 99"));
	ck_assert_ptr_nonnull(strstr(err, "RecursionError: maximum recursion depth exceeded"));
	vtb_trace *t = load("t.bin");
	ck_assert_uint_eq(vtb_trace_header(t)->reason, VTB_REASON_EXCEPTION);
	ck_assert_uint_ge(count_affix(t, "__main__.down", "", VTB_CALL_EXCEPTION), 900);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.walk"), 981);
	vtb_trace_free(t);
	free(out), free(err);
}
END_TEST

/* A program that raises the limit to 100,000 and recurses 50,000 deep. Under the hook every
 * Python call takes C stack: the tracer's guard turns what would be a stack overflow into
 * the RecursionError CPython raises when it runs out of stack, never a crash. 3.9 and 3.10
 * crash plain (their calls always took C stack); there the tracer must not do worse. */
START_TEST(test_deep_recursion_raised_limit)
{
	write_program("prog.py", "tracer_hostile/deep_recursion_raised_limit.py");
	int plain = run_py(NULL, "p.out", NULL, "prog.py");
	int traced = run_py(NULL, "t.out", "t.err", "-m vtrace -q -o t.bin prog.py");
	char *po = read_file("p.out"), *to = read_file("t.out"), *te = read_file("t.err");
	ck_assert_msg(traced == 0, "traced status %d:\n%.2000s", traced, te);
	ck_assert_msg(plain == 0 || minor_version() <= 10, "plain status %d on 3.11+", plain);
	if (plain == 0 && strcmp(po, to) != 0) /* the guard met: RecursionError, then on as plain */
		ck_assert_str_eq(to, "RecursionError maximum recursion depth exceeded\n2000\n");
	else if (plain == 0)
		ck_assert_str_eq(to, "50000\n2000\n");
	vtb_trace *t = load("t.bin");
	ck_assert_uint_ge(count_calls(t, NULL, "__main__.r"), 10000);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.again"), 2001);
	vtb_trace_free(t);
	free(po), free(to), free(te);
}
END_TEST

/* The guard is per thread: a thread with a small stack recurses until RecursionError, no
 * crash, and the main thread goes on. */
START_TEST(test_deep_recursion_small_thread_stack)
{
	write_program("prog.py", "tracer_hostile/deep_recursion_small_thread_stack.py");
	int traced = run_py(NULL, "t.out", "t.err", "-m vtrace -q -o t.bin prog.py");
	char *to = read_file("t.out"), *te = read_file("t.err");
	ck_assert_msg(traced == 0, "traced status %d:\n%.2000s", traced, te);
	ck_assert_str_eq(to, "200 True\n");
	vtb_trace *t = load("t.bin");
	ck_assert_uint_ge(count_calls(t, NULL, "__main__.r"), 201);
	vtb_trace_free(t);
	free(to), free(te);
}
END_TEST

/* ---- signals ---- */

/* A real SIGINT: caught as KeyboardInterrupt, then one nobody catches (status 128+2). */
START_TEST(test_sigint)
{
	write_program("prog.py", "tracer_hostile/sigint.py");
	ck_assert_int_eq(same_as_plain("-o t.bin", ""), 128 + 2);
	char *out = read_file("t.out");
	ck_assert_str_eq(out, "caught\nagain\n");
	vtb_trace *t = load("t.bin");
	ck_assert_uint_eq(vtb_trace_header(t)->reason, VTB_REASON_EXCEPTION);
	ck_assert_ptr_nonnull(strstr(vtb_trace_header(t)->reason_text, "KeyboardInterrupt"));
	ck_assert_uint_eq(count_affix(t, "__main__.outer", "", VTB_CALL_EXCEPTION), 1);
	vtb_trace_free(t);
	free(out);
}
END_TEST

/* Signals arrive while dumps run: a 0.2 ms interval timer with a Python handler, and the
 * dump signal sent from another thread every 10 ms while the program dumps a large ring
 * itself. Every dump reads back, the handler ran, the program's output is as plain; a
 * signal that came during an API dump gets its dump after it (signal dumps are
 * rate-limited: tests/test_tracer_dumps.c). */
START_TEST(test_signals_during_dump)
{
	write_program("prog.py", "tracer_hostile/signals_during_dump.py");
	ck_assert_int_eq(same_as_plain("-q --buffer-size 100000 --no-exit-dump --dump-signal SIGUSR2 "
				       "-o 'sig{n}.bin'", ""), 0);
	char *out = read_file("t.out");
	ck_assert_str_eq(out, "done True\n");
	for (int k = 0; k < 8; k++) {
		char name[32];
		snprintf(name, sizeof name, "api%d.bin", k);
		vtb_trace *t = load(name);
		ck_assert_uint_eq(vtb_trace_header(t)->reason, VTB_REASON_API);
		ck_assert_uint_ge(count_calls(t, NULL, "__main__.leaf"), 30000);
		vtb_trace_free(t);
	}
	/* At least one signal dump landed; each one reads back. */
	size_t sig_dumps = 0;
	for (int n = 1; n <= 400; n++) {
		char name[32];
		snprintf(name, sizeof name, "sig%d.bin", n);
		if (access(path_in(name), F_OK) != 0)
			continue;
		vtb_trace *t = load(name);
		ck_assert_uint_eq(vtb_trace_header(t)->reason, VTB_REASON_SIGNAL);
		vtb_trace_free(t);
		sig_dumps++;
	}
	ck_assert_uint_ge(sig_dumps, 1);
	free(out);
}
END_TEST

/* ---- threads and processes ---- */

START_TEST(test_64_threads)
{
	write_program("prog.py", "tracer_hostile/64_threads.py");
	ck_assert_int_eq(same_as_plain("-q -o t.bin", ""), 0);
	vtb_trace *t = load("t.bin");
	for (int i = 0; i < 64; i++) {
		char name[16];
		snprintf(name, sizeof name, "w%d", i);
		const vtb_thread *th = thread_named(t, name);
		ck_assert_msg(th != NULL, "no thread %s in the dump", name);
		ck_assert_uint_eq(count_calls(t, th, "__main__.work"), (size_t)i + 1);
	}
	vtb_trace_free(t);
}
END_TEST

/* fork() from a thread other than the main one: the child writes its own dump with only
 * what it ran, exits with its own status; the parent carries on. */
START_TEST(test_fork_from_thread)
{
	write_program("prog.py", "tracer_hostile/fork_from_thread.py");
	ck_assert_int_eq(same_as_plain("-q -o fk.bin", ""), 0);
	char *out = read_file("t.out"), *pid = read_file("pid.txt");
	ck_assert_str_eq(out, "7\n");
	char name[64];
	snprintf(name, sizeof name, "fk.%d.bin", atoi(pid));
	vtb_trace *c = load(name), *p = load("fk.bin");
	ck_assert_uint_eq(vtb_trace_header(c)->pid, (uint32_t)atoi(pid));
	ck_assert_uint_eq(count_calls(c, NULL, "__main__.child_work"), 1);
	ck_assert_uint_eq(count_calls(p, NULL, "__main__.child_work"), 0);
	ck_assert_uint_eq(count_calls(p, NULL, "__main__.spawn"), 1);
	vtb_trace_free(c);
	vtb_trace_free(p);
	free(out), free(pid);
}
END_TEST

/* ---- the program's own hooks, and the tracer started twice ---- */

/* A file under tests/programs/. */
#define SETPROFILE_PROG "tracer_hostile/setprofile.py"

START_TEST(test_program_sets_profile)
{
	write_program("prog.py", SETPROFILE_PROG);
	ck_assert_int_eq(same_as_plain("-q -o t.bin", ""), 0);
	char *out = read_file("t.out");
	ck_assert_ptr_nonnull(strstr(out, "('a', 2), ('b', 4), ('in_thread', 1)"));
	vtb_trace *t = load("t.bin");
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.a"), 3);
	vtb_trace_free(t);
	/* With C calls, which 3.9 .. 3.11 take from the same profile API. */
	ck_assert_int_eq(same_as_plain("-q --c-calls -o c.bin", ""), 0);
	t = load("c.bin");
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.a"), 3);
	vtb_trace_free(t);
	free(out);
}
END_TEST

START_TEST(test_start_twice)
{
	write_program("prog.py", "tracer_hostile/start_twice.py");
	ck_assert_int_eq(run_py(NULL, "t.out", "t.err", "-m vtrace -q -o t.bin prog.py"), 0);
	char *out = read_file("t.out");
	ck_assert_str_eq(out, "another vtrace.Tracer is recording\nTrue\n");
	vtb_trace *t = load("t.bin");
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.f"), 1);
	vtb_trace_free(t);
	ck_assert_int_ne(access(path_in("other.bin"), F_OK), 0);
	free(out);
	/* vtrace under vtrace: a clear error, status 2, the outer dump still readable. */
	ck_assert_int_eq(run_py(NULL, "n.out", "n.err", "-m vtrace -q -o outer.bin -m vtrace -q "
				"-o inner.bin -c 'print(1)'"), 2);
	char *err = read_file("n.err");
	ck_assert_ptr_nonnull(strstr(err, "cannot start tracing: another vtrace.Tracer is recording"));
	t = load("outer.bin");
	vtb_trace_free(t);
	free(err);
}
END_TEST

/* ---- where the dump cannot go ---- */

static void assert_write_failed(const char *what)
{
	char *err = read_file("t.err");
	ck_assert_msg(strstr(err, "vtrace: could not write the trace") && strstr(err, what),
		      "no clear warning naming '%s':\n%.2000s", what, err);
	free(err);
}

START_TEST(test_unwritable_output)
{
	write_program("prog.py", "tracer_hostile/unwritable_output.py");
	struct stat before, after;
	ck_assert_int_eq(stat("/dev/full", &before), 0);
	ck_assert_int_eq(same_as_plain("-o /dev/full", ""), 5);
	assert_write_failed("No space left on device");
	/* A device stays a device: the dump is not renamed over it. */
	ck_assert_int_eq(stat("/dev/full", &after), 0);
	ck_assert(S_ISCHR(after.st_mode));
	ck_assert_uint_eq(after.st_rdev, before.st_rdev);
	ck_assert_int_eq(same_as_plain("-o prog.py/t.bin", ""), 5);
	assert_write_failed("prog.py/t.bin");
	ck_assert_int_eq(same_as_plain("-o .", ""), 5);
	assert_write_failed("Is a directory");
	ck_assert_int_eq(same_as_plain("-o /dev/null", ""), 5);
	char *err = read_file("t.err");
	ck_assert_ptr_nonnull(strstr(err, "vtrace: wrote /dev/null"));
	free(err);
	ck_assert_int_eq(stat("/dev/null", &after), 0);
	ck_assert(S_ISCHR(after.st_mode));
}
END_TEST

/* A full disk: the file size limit (the interpreter ignores SIGXFSZ, so writes past it
 * fail with EFBIG as on a full file system). No partial file is left behind. */
START_TEST(test_full_disk)
{
	write_program("prog.py", "tracer_hostile/full_disk.py");
	const char *saved = extra_env;
	extra_env = "sh -c 'ulimit -f 16 && exec \"$0\" \"$@\"' ";
	ck_assert_int_eq(same_as_plain("-o big.bin", ""), 0);
	extra_env = saved;
	assert_write_failed("File too large");
	ck_assert_int_ne(access(path_in("big.bin"), F_OK), 0);
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t tmp = 0;
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		tmp += strstr(e->d_name, ".tmp") != NULL;
	closedir(d);
	ck_assert_uint_eq(tmp, 0);
}
END_TEST

/* ---- names ---- */

static int in_nonutf8_file(const vtb_trace *t, const vtb_thread *th, const vtb_slice *s, void *ctx)
{
	(void)th;
	(void)ctx;
	const vtb_string *str = vtb_trace_string(t, s->name_id);
	return strcmp(str->name, "nonutf8.filed") == 0 && strcmp(str->file, "evil\xff.py") == 0;
}

/* Huge, non-ASCII and hostile names (escape sequences, control characters, a lone
 * surrogate), a non-ASCII file name: the program runs as plain and the dump reads back. */
START_TEST(test_hostile_names)
{
	write_program("prøg_函数.py", "tracer_hostile/hostile_names-prøg_函数.py");
	write_program("prog.py", "tracer_hostile/hostile_names.py");
	ck_assert_int_eq(same_as_plain("-q -o t.bin", ""), 0);
	char *out = read_file("t.out");
	ck_assert_str_eq(out, "1 1 2 3 4\n");
	vtb_trace *t = load("t.bin");
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.ρ_函数"), 1);
	ck_assert_uint_eq(count_affix(t, "__main__.", "método", 0), 1);
	ck_assert_uint_eq(count_affix(t, "__main__.xxxxxxxx", "xxxxxxxx", 0), 1);
	ck_assert_uint_eq(count_affix(t, "m\x1b]0;pwned\x07.", "esc", 0), 1);
	/* Names and files with surrogates keep their bytes (surrogateescape), not "?". */
	ck_assert_uint_eq(count_affix(t, "s\xff.", "", 0), 1);
	ck_assert_uint_eq(each_slice(t, NULL, in_nonutf8_file, NULL), 1);
	vtb_trace_free(t);
	free(out);
}
END_TEST

/* ---- generators and async ---- */

START_TEST(test_deep_generators_and_async)
{
	write_program("prog.py", "tracer_hostile/deep_generators_and_async.py");
	ck_assert_int_eq(same_as_plain("-q -o t.bin", ""), 0);
	char *out = read_file("t.out");
	ck_assert_str_eq(out, "3\n54950\n(48000, 800)\n");
	vtb_trace *t = load("t.bin");
	ck_assert_uint_ge(count_calls(t, NULL, "__main__.chain"), 901);
	ck_assert_uint_ge(count_affix(t, "__main__.", "worker", 0), 200);
	vtb_trace_free(t);
	free(out);
}
END_TEST

/* ---- CPython's own tests: one quick module (the long runs are in tests/README.md) ---- */

START_TEST(test_cpython_test_module)
{
	/* Not installed with this interpreter: say so and fail, never pass silently. */
	write_program("has_test_json.py", "tracer_hostile/cpython_test_module.py");
	ck_assert_msg(run_py(NULL, NULL, NULL, "has_test_json.py") == 0,
		      "the interpreter has no test.test_json (install its test package)");
	int plain = run_py(NULL, "p.out", "p.err", "-m test -q test_json");
	int traced = run_py(NULL, "t.out", "t.err",
			    "-m vtrace -q --buffer-size 100000 -o t.bin -m test -q test_json");
	char *po = read_file("p.out"), *to = read_file("t.out");
	ck_assert_msg(plain == 0, "test_json plain: status %d\n%.3000s", plain, po);
	ck_assert_msg(traced == 0, "test_json under vtrace: status %d\n%.3000s", traced, to);
	ck_assert_ptr_nonnull(strstr(to, "SUCCESS"));
	vtb_trace *t = load("t.bin");
	ck_assert_uint_ge(vtb_trace_call_count(t), 1000);
	vtb_trace_free(t);
	free(po), free(to);
}
END_TEST

static Suite *hostile_suite(void)
{
	Suite *s = suite_create("tracer_hostile");
	struct {
		const char *name;
		const TTest *test;
		int timeout;
	} cases[] = {
		{ "recursion_limit", test_recursion_limit, 120 },
		{ "deep_recursion", test_deep_recursion_raised_limit, 120 },
		{ "deep_recursion_thread", test_deep_recursion_small_thread_stack, 120 },
		{ "sigint", test_sigint, 60 },
		{ "signals_during_dump", test_signals_during_dump, 180 },
		{ "threads_64", test_64_threads, 120 },
		{ "fork_from_thread", test_fork_from_thread, 60 },
		{ "setprofile", test_program_sets_profile, 60 },
		{ "start_twice", test_start_twice, 60 },
		{ "unwritable_output", test_unwritable_output, 60 },
		{ "full_disk", test_full_disk, 60 },
		{ "hostile_names", test_hostile_names, 60 },
		{ "generators_async", test_deep_generators_and_async, 120 },
		{ "cpython_test_json", test_cpython_test_module, 180 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		tf_add_case(s, cases[i].name, cases[i].test, cases[i].timeout);
	return s;
}

int main(void)
{
	return tf_run(hostile_suite());
}
