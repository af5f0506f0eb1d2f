/* SPDX-License-Identifier: MIT */
/* test_tracer.c: the vtrace extension end to end: calls, threads, processes, dumps. Each
 * test runs a small program under vtrace (tests/tracer_fixtures.h) and reads the dump back
 * with the common/ reader. */
#include "tests/tracer_fixtures.h"

/* ---- calls and nesting ---- */

START_TEST(test_calls_and_nesting)
{
	write_program("prog.py", "tracer/calls_and_nesting.py");
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -q -o t.bin prog.py"), 0);
	vtb_trace *t = load("t.bin");
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.top"), 1);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.mid"), 3);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.leaf"), 6);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.fib"), 177);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.<module>"), 1);
	ck_assert_uint_eq(count_misnested(t, "__main__.leaf", "__main__.mid"), 0);
	ck_assert_uint_eq(count_misnested(t, "__main__.mid", "__main__.top"), 0);
	ck_assert_uint_eq(count_misnested(t, "__main__.top", "__main__.<module>"), 0);
	/* fib(10) recurses down to fib(1): ten levels of fib, the first under <module>. */
	const vtb_thread *th = thread_named(t, "MainThread");
	ck_assert_ptr_nonnull(th);
	uint32_t lo = UINT32_MAX, hi = 0;
	for (uint32_t d = 0; d < th->depth_count; d++)
		for (size_t k = 0; k < th->rows[d].count; k++)
			if (strcmp(name_of(t, &th->rows[d].slices[k]), "__main__.fib") == 0) {
				lo = d < lo ? d : lo;
				hi = d > hi ? d : hi;
			}
	ck_assert_uint_eq(hi - lo + 1, 10);
	ck_assert_uint_eq(count_flagged(t, VTB_CALL_ENTRY_LOST), 0);
	const vtb_header *h = vtb_trace_header(t);
	ck_assert_uint_eq(h->reason, VTB_REASON_EXIT);
	ck_assert_uint_eq(h->wrapped, 0);
	ck_assert_uint_eq(h->events_dropped, 0);
	ck_assert_ptr_nonnull(strstr(h->cmdline, "prog.py"));
	ck_assert_uint_eq(h->pid, vtb_trace_thread(t, 0)->pid);
	vtb_trace_free(t);
}
END_TEST

/* Per-function call counts equal what cProfile reports for the same program. */
/* A file under tests/programs/. */
#define CPROFILE_PROG "tracer/cprofile.py"

START_TEST(test_counts_match_cprofile)
{
	write_program("prog.py", CPROFILE_PROG);
	write_program("prof.py", "tracer/counts_match_cprofile-prof.py");
	char *prog = path_in("prog.py");
	ck_assert_int_eq(run_py(NULL, "prof.txt", NULL, "prof.py %s", prog), 0);
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -q -o t.bin %s", prog), 0);
	vtb_trace *t = load("t.bin");
	/* cProfile's line -> calls, summed by line (two lambdas could share one). */
	uint32_t want[64] = { 0 }, got[64] = { 0 };
	char *txt = read_file("prof.txt"), *save = NULL;
	size_t lines = 0;
	for (char *l = strtok_r(txt, "\n", &save); l; l = strtok_r(NULL, "\n", &save), lines++) {
		unsigned line, n;
		ck_assert_int_eq(sscanf(l, "%u %u", &line, &n), 2);
		ck_assert_uint_lt(line, 64);
		want[line] += n;
	}
	ck_assert_uint_ge(lines, 8);
	for (size_t i = 0; i < vtb_trace_thread_count(t); i++) {
		const vtb_thread *th = vtb_trace_thread(t, i);
		for (uint32_t d = 0; d < th->depth_count; d++)
			for (size_t k = 0; k < th->rows[d].count; k++) {
				const vtb_string *s = vtb_trace_string(t, th->rows[d].slices[k].name_id);
				if (strcmp(s->file, prog) == 0 && s->line < 64)
					got[s->line]++;
			}
	}
	for (unsigned line = 0; line < 64; line++)
		ck_assert_msg(want[line] == got[line], "line %u: cProfile %u calls, vtrace %u",
			      line, want[line], got[line]);
	ck_assert_uint_eq(want[8], 21); /* squares: 20 yields and the return */
	free(txt);
	vtb_trace_free(t);
}
END_TEST

START_TEST(test_threads)
{
	write_program("prog.py", "tracer/threads.py");
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "prog.py"), 0);
	vtb_trace *t = load("t.bin");
	const vtb_thread *early = thread_named(t, "early"), *late = thread_named(t, "late"),
			 *main = thread_named(t, "MainThread");
	ck_assert_ptr_nonnull(early);
	ck_assert_ptr_nonnull(late);
	ck_assert_ptr_nonnull(main);
	ck_assert_uint_eq(count_calls(t, early, "__main__.work"), 5);
	ck_assert_uint_eq(count_calls(t, late, "__main__.work"), 7);
	ck_assert_uint_eq(count_calls(t, late, "__main__.late"), 1);
	ck_assert_uint_eq(count_calls(t, main, "__main__.work"), 1);
	ck_assert_uint_ne(early->tid, late->tid);
	ck_assert_uint_ne(early->tid, main->tid);
	ck_assert_uint_ne(early->tid, 0);
	vtb_trace_free(t);
}
END_TEST

START_TEST(test_generators_and_coroutines)
{
	write_program("prog.py", "tracer/generators_and_coroutines.py");
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -q -o t.bin prog.py"), 0);
	vtb_trace *t = load("t.bin");
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.gen"), 4);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.consume"), 1);
	ck_assert_uint_eq(count_misnested(t, "__main__.gen", "__main__.consume"), 0);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.co"), 3);
	ck_assert_uint_eq(count_affix(t, "__main__.", "__await__", 0), 4);
	vtb_trace_free(t);
}
END_TEST

START_TEST(test_exceptions)
{
	write_program("prog.py", "tracer/exceptions.py");
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -q -o t.bin prog.py"), 0);
	vtb_trace *t = load("t.bin");
	ck_assert_uint_eq(count_affix(t, "__main__.", "__init__", VTB_CALL_EXCEPTION), 30);
	ck_assert_uint_eq(count_affix(t, "__main__.bad", "", VTB_CALL_EXCEPTION), 3);
	ck_assert_uint_eq(count_affix(t, "__main__.catcher", "", 0), 3);
	ck_assert_uint_eq(count_affix(t, "__main__.catcher", "", VTB_CALL_EXCEPTION), 0);
	vtb_trace_free(t);
}
END_TEST

/* A ring of 1000 events after 2000 leaf calls keeps the last 500, and the 21 deep() calls
 * around them lost their entries and were still running at the dump. */
START_TEST(test_ring_wrap)
{
	write_program("prog.py", "tracer/ring_wrap.py");
	ck_assert_int_eq(run_py(NULL, NULL, NULL,
				"-m vtrace -q --no-exit-dump --buffer-size 1000 -o t.bin prog.py"), 0);
	vtb_trace *t = load("t.bin");
	const vtb_header *h = vtb_trace_header(t);
	ck_assert_uint_eq(h->wrapped, 1);
	ck_assert_uint_eq(h->ring_capacity, 1000);
	/* <module>, 21 deep() and 2000 leaf() calls were recorded before the dump. */
	ck_assert_uint_eq(h->events_dropped, 1 + 21 + 4000 - 1000);
	ck_assert_uint_eq(h->reason, VTB_REASON_API);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.leaf"), 500);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.deep"), 21);
	ck_assert_uint_eq(count_affix(t, "__main__.deep", "", VTB_CALL_ENTRY_LOST | VTB_CALL_OPEN), 21);
	ck_assert_uint_eq(count_affix(t, "__main__.leaf", "", VTB_CALL_ENTRY_LOST), 0);
	ck_assert_uint_eq(count_affix(t, "__main__.leaf", "", VTB_CALL_OPEN), 0);
	ck_assert_uint_eq(count_misnested(t, "__main__.leaf", "__main__.deep"), 0);
	uint64_t first, last;
	vtb_trace_span(t, &first, &last);
	ck_assert_uint_eq(first, h->window_start_ns);
	ck_assert_uint_le(last, h->dump_ns);
	vtb_trace_free(t);
}
END_TEST

/* ---- dumps ---- */

/* The package with an extension built for another Python says which, and how to build
 * it for this one, instead of a "circular import". */
START_TEST(test_built_for_other_python)
{
	char cmd[6 * PATH_MAX];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s/other' && cp -r '%s/vtrace' '%s/other/' && cd '%s/other/vtrace' && "
		 "for f in _vtrace.cpython-*; do mv \"$f\" \"$(echo \"$f\" | sed 's/cpython-[0-9]*/cpython-299/')\"; done",
		 dir, pypath, dir, dir);
	ck_assert_int_eq(system(cmd), 0);
	write_program("prog.py", "tracer/built_for_other_python.py");
	ck_assert_int_ne(run_py(NULL, NULL, "t.err", "prog.py"), 0);
	char *err = read_file("t.err");
	ck_assert_msg(strstr(err, "ImportError: vtrace was built for 2.99; build it for 3.") &&
		      strstr(err, " with make PYTHON="), "%s", err);
	ck_assert_ptr_null(strstr(err, "circular"));
	free(err);
}
END_TEST

/* The line after a dump counts ring records and names the reason in vtui's words. */
START_TEST(test_dump_line_words)
{
	write_program("prog.py", "tracer/dump_line_words.py");
	ck_assert_int_eq(run_py(NULL, NULL, "t.err", "prog.py"), 0);
	char *err = read_file("t.err"), want[96];
	vtb_trace *t = load("api.bin");

	snprintf(want, sizeof(want), " ring records, 0 dropped by the ring, reason: %s\n",
		 vtb_reason_name(vtb_trace_header(t)->reason));
	ck_assert_msg(strstr(err, want) != NULL, "'%s' not in %s", want, err);
	ck_assert_ptr_nonnull(strstr(err, "reason: api\n"));
	vtb_trace_free(t);
	free(err);
}
END_TEST

START_TEST(test_dump_on_exception)
{
	write_program("prog.py", "tracer/dump_on_exception.py");
	int plain = run_py(NULL, "p.out", "p.err", "prog.py");
	int traced = run_py(NULL, "t.out", "t.err", "-m vtrace -o t.bin prog.py");
	ck_assert_int_eq(plain, 1);
	ck_assert_int_eq(traced, 1);
	char *po = read_file("p.out"), *to = read_file("t.out"), *pe = read_file("p.err"),
	     *te = read_file("t.err"), *te2 = drop_vtrace_lines(te);
	ck_assert_str_eq(po, to);
	ck_assert_str_eq(pe, te2);
	ck_assert_ptr_nonnull(strstr(te, "vtrace: wrote"));
	ck_assert_ptr_nonnull(strstr(te, "exception"));
	vtb_trace *t = load("t.bin");
	const vtb_header *h = vtb_trace_header(t);
	ck_assert_uint_eq(h->reason, VTB_REASON_EXCEPTION);
	ck_assert_ptr_nonnull(strstr(h->reason_text, "ValueError: boom"));
	ck_assert_uint_eq(count_affix(t, "__main__.inner", "", VTB_CALL_EXCEPTION), 1);
	ck_assert_uint_eq(count_affix(t, "__main__.outer", "", VTB_CALL_EXCEPTION), 1);
	free(po), free(to), free(pe), free(te), free(te2);
	vtb_trace_free(t);
}
END_TEST

START_TEST(test_keyboard_interrupt)
{
	write_program("prog.py", "tracer/keyboard_interrupt.py");
	int plain = run_py(NULL, NULL, "p.err", "prog.py");
	int traced = run_py(NULL, NULL, "t.err", "-m vtrace -o t.bin prog.py");
	ck_assert_int_eq(traced, plain);
	ck_assert_int_ne(plain, 0);
	char *pe = read_file("p.err"), *te = read_file("t.err"), *te2 = drop_vtrace_lines(te);
	ck_assert_str_eq(pe, te2);
	vtb_trace *t = load("t.bin");
	ck_assert_uint_eq(vtb_trace_header(t)->reason, VTB_REASON_EXCEPTION);
	ck_assert_uint_eq(count_affix(t, "__main__.f", "", VTB_CALL_EXCEPTION), 1);
	vtb_trace_free(t);
	free(pe), free(te), free(te2);
}
END_TEST

START_TEST(test_dump_on_thread_exception)
{
	write_program("prog.py", "tracer/dump_on_thread_exception.py");
	ck_assert_int_eq(run_py(NULL, "t.out", "t.err", "-m vtrace -o 'd{n}.bin' prog.py"), 0);
	char *out = read_file("t.out");
	ck_assert_str_eq(out, "main goes on\n");
	vtb_trace *t = load("d1.bin");
	ck_assert_uint_eq(vtb_trace_header(t)->reason, VTB_REASON_EXCEPTION);
	ck_assert_ptr_nonnull(strstr(vtb_trace_header(t)->reason_text, "crasher"));
	ck_assert_uint_eq(count_affix(t, "__main__.crash", "", VTB_CALL_EXCEPTION), 1);
	vtb_trace_free(t);
	t = load("d2.bin");
	ck_assert_uint_eq(vtb_trace_header(t)->reason, VTB_REASON_EXIT);
	vtb_trace_free(t);
	free(out);
}
END_TEST

START_TEST(test_dump_on_signal)
{
	write_program("prog.py", "tracer/dump_on_signal.py");
	ck_assert_int_eq(run_py(NULL, "t.out", "t.err",
				"-m vtrace --dump-signal SIGUSR2 --no-exit-dump -o 's{n}.bin' prog.py"), 0);
	char *out = read_file("t.out"), *err = read_file("t.err");
	ck_assert_str_eq(out, "after\n");
	ck_assert_ptr_nonnull(strstr(err, "s1.bin"));
	vtb_trace *t = load("s1.bin");
	ck_assert_uint_eq(vtb_trace_header(t)->reason, VTB_REASON_SIGNAL);
	ck_assert_str_eq(vtb_trace_header(t)->reason_text, "SIGUSR2");
	ck_assert_uint_ge(count_calls(t, NULL, "__main__.work"), 1);
	ck_assert_uint_eq(count_affix(t, "__main__.<module>", "", VTB_CALL_OPEN), 1);
	ck_assert_int_ne(access(path_in("s2.bin"), F_OK), 0);
	vtb_trace_free(t);
	/* The signal by number, as vtrace(1) allows. */
	ck_assert_int_eq(run_py(NULL, NULL, NULL,
				"-m vtrace -q --dump-signal %d --no-exit-dump -o n.bin prog.py", SIGUSR2), 0);
	t = load("n.bin");
	ck_assert_str_eq(vtb_trace_header(t)->reason_text, "SIGUSR2");
	vtb_trace_free(t);
	free(out), free(err);
}
END_TEST

/* The program sees the same argv, __main__, stdin, stdout, stderr and exit code. */
START_TEST(test_program_unchanged)
{
	write_program("prog.py", "tracer/program_unchanged.py");
	write_file("in.txt", "hello\nworld\n");
	int plain = run_py(path_in("in.txt"), "p.out", "p.err", "prog.py a -o b");
	int traced = run_py(path_in("in.txt"), "t.out", "t.err", "-m vtrace -o t.bin prog.py a -o b");
	ck_assert_int_eq(plain, 3);
	ck_assert_int_eq(traced, 3);
	char *po = read_file("p.out"), *to = read_file("t.out"), *pe = read_file("p.err"),
	     *te = read_file("t.err"), *te2 = drop_vtrace_lines(te);
	ck_assert_str_eq(po, to);
	ck_assert_ptr_nonnull(strstr(to, "HELLO\nWORLD"));
	ck_assert_ptr_nonnull(strstr(to, "['prog.py', 'a', '-o', 'b'] __main__ /"));
	ck_assert_str_eq(pe, te2);
	vtb_trace *t = load("t.bin");
	ck_assert_uint_eq(vtb_trace_header(t)->reason, VTB_REASON_EXIT);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.shout"), 1);
	vtb_trace_free(t);
	free(po), free(to), free(pe), free(te), free(te2);
}
END_TEST

START_TEST(test_code_string_and_failed_write)
{
	int rc = run_py(NULL, "t.out", "t.err",
			"-m vtrace -o /nonexistent/dir/t.bin -c 'import sys; print(42, sys.argv)' x y");
	ck_assert_int_eq(rc, 0);
	char *out = read_file("t.out"), *err = read_file("t.err");
	ck_assert_str_eq(out, "42 ['-c', 'x', 'y']\n");
	ck_assert_ptr_nonnull(strstr(err, "vtrace: could not write the trace"));
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/dir/t.bin"));
	free(out), free(err);
}
END_TEST

START_TEST(test_options_from_env)
{
	extra_env = "VTRACE_OPTIONS='-o env.bin --buffer-size 64' ";
	ck_assert_int_eq(run_py(NULL, NULL, "t.err", "-m vtrace -c pass"), 0);
	extra_env = "";
	vtb_trace *t = load("env.bin");
	ck_assert_uint_eq(vtb_trace_header(t)->ring_capacity, 64);
	vtb_trace_free(t);
	char *err = read_file("t.err");
	ck_assert_ptr_nonnull(strstr(err, "env.bin"));
	free(err);
	/* The command line comes after the environment and wins. */
	extra_env = "VTRACE_OPTIONS='-o env.bin' ";
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -q -o cli.bin -c pass"), 0);
	extra_env = "";
	ck_assert_int_eq(access(path_in("cli.bin"), F_OK), 0);
}
END_TEST

/* ---- processes ---- */

/* Names of files in the test dir starting with `prefix`, counted; the first few kept. */
static size_t files_like(const char *prefix, char names[][256], size_t max)
{
	DIR *d = opendir(dir);
	size_t n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0 && !strstr(e->d_name, ".tmp")) {
			if (n < max)
				snprintf(names[n], 256, "%s", e->d_name);
			n++;
		}
	if (d)
		closedir(d);
	return n;
}

START_TEST(test_fork)
{
	write_program("prog.py", "tracer/fork.py");
	ck_assert_int_eq(run_py(NULL, "t.out", "t.err", "-m vtrace -q -o fk.bin prog.py"), 0);
	/* Nothing on stderr: vtrace starts no thread, so 3.12+ does not warn that a
	 * multi-threaded process forks. */
	char *err = read_file("t.err");
	ck_assert_str_eq(err, "");
	free(err);
	char *out = read_file("t.out");
	unsigned parent, child;
	ck_assert_int_eq(sscanf(out, "%u %u", &parent, &child), 2);
	char name[64];
	snprintf(name, sizeof name, "fk.%u.bin", child);
	vtb_trace *p = load("fk.bin"), *c = load(name);
	ck_assert_uint_eq(vtb_trace_header(p)->pid, parent);
	ck_assert_uint_eq(vtb_trace_header(c)->pid, child);
	ck_assert_uint_eq(vtb_trace_header(c)->ppid, parent);
	ck_assert_uint_eq(count_calls(p, NULL, "__main__.parent_work"), 1);
	ck_assert_uint_eq(count_calls(p, NULL, "__main__.child_work"), 0);
	ck_assert_uint_eq(count_calls(c, NULL, "__main__.child_work"), 2);
	ck_assert_uint_eq(count_calls(c, NULL, "__main__.parent_work"), 0);
	/* A fresh ring: nothing from before the fork. */
	ck_assert_uint_eq(vtb_trace_call_count(c), 2);
	vtb_trace_free(p);
	vtb_trace_free(c);
	free(out);
}
END_TEST

START_TEST(test_multiprocessing)
{
	write_program("prog.py", "tracer/multiprocessing.py");
	ck_assert_int_eq(run_py(NULL, "t.out", NULL, "-m vtrace -q -o 'mp-{pid}.bin' prog.py"), 0);
	char *out = read_file("t.out");
	ck_assert_str_eq(out, "fork 0\nspawn 0\n");
	char names[8][256];
	size_t n = files_like("mp-", names, 8);
	ck_assert_uint_eq(n, 3);
	size_t with_task = 0, named = 0;
	for (size_t i = 0; i < n; i++) {
		vtb_trace *t = load(names[i]);
		const vtb_process *p = vtb_trace_process(t, 0);
		with_task += count_affix(t, "__m", "main__.task", 0) == 1;
		/* each dump names its process as multiprocessing does: the viewer's title rows */
		named += p && p->name && (!strcmp(p->name, "MainProcess") || strstr(p->name, "Process-"));
		vtb_trace_free(t);
	}
	ck_assert_uint_eq(with_task, 2);
	ck_assert_uint_eq(named, 3);
	free(out);
}
END_TEST

/* ---- the standard library end to end ---- */

START_TEST(test_json_tool)
{
	write_file("in.json", "{\"b\": [1, 2, {\"c\": null}], \"a\": \"x\"}\n");
	ck_assert_int_eq(run_py(NULL, "p.out", NULL, "-m json.tool --sort-keys in.json"), 0);
	ck_assert_int_eq(run_py(NULL, "t.out", NULL, "-m vtrace -q -o t.bin -m json.tool --sort-keys in.json"), 0);
	char *po = read_file("p.out"), *to = read_file("t.out");
	ck_assert_str_eq(po, to);
	ck_assert_ptr_nonnull(strstr(to, "\"a\": \"x\""));
	vtb_trace *t = load("t.bin");
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.main"), 1);
	ck_assert_uint_ge(count_affix(t, "json.decoder.", "decode", 0), 1);
	ck_assert_uint_ge(count_affix(t, "json.encoder.", "iterencode", 0), 1);
	vtb_trace_free(t);
	free(po), free(to);
}
END_TEST

START_TEST(test_unittest)
{
	write_program("test_demo.py", "tracer/unittest-test_demo.py");
	int plain = run_py(NULL, NULL, "p.err", "-m unittest -q test_demo");
	int traced = run_py(NULL, NULL, "t.err", "-m vtrace -q -o t.bin -m unittest -q test_demo");
	ck_assert_int_eq(plain, 0);
	ck_assert_int_eq(traced, 0);
	char *te = read_file("t.err");
	ck_assert_ptr_nonnull(strstr(te, "Ran 2 tests"));
	ck_assert_ptr_nonnull(strstr(te, "OK"));
	vtb_trace *t = load("t.bin");
	ck_assert_uint_eq(count_affix(t, "test_demo.", "test_one", 0), 1);
	ck_assert_uint_eq(count_calls(t, NULL, "test_demo.helper"), 2);
	ck_assert_uint_ge(count_affix(t, "unittest.", "run", 0), 1);
	vtb_trace_free(t);
	free(te);
}
END_TEST

START_TEST(test_c_calls)
{
	write_program("prog.py", "tracer/c_calls.py");
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -q --c-calls -o t.bin prog.py"), 0);
	vtb_trace *t = load("t.bin");
	ck_assert_uint_eq(count_misnested(t, "builtins.len", "__main__.f"), 0);
	ck_assert_uint_eq(count_affix(t, "builtins.len", "", VTB_CALL_C), 5);
	ck_assert_uint_eq(count_affix(t, "list.append", "", VTB_CALL_C), 1);
	/* The tracer's own calls are not recorded. */
	ck_assert_uint_eq(count_calls(t, NULL, "builtins.exec"), 0);
	vtb_trace_free(t);
	/* Without --c-calls there are none. */
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -q -o u.bin prog.py"), 0);
	t = load("u.bin");
	ck_assert_uint_eq(count_flagged(t, VTB_CALL_C), 0);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.f"), 1);
	vtb_trace_free(t);
}
END_TEST

/* The API: start/stop/clear/dump/context manager/get_tracer, {n} in the pattern. */
START_TEST(test_api)
{
	write_program("prog.py", "tracer/api.py");
	ck_assert_int_eq(run_py(NULL, "t.out", "t.err", "prog.py"), 0);
	char *out = read_file("t.out");
	/* 500 compilations of the same code: one name each for <module> and <lambda>. */
	ck_assert_str_eq(out, "api2.bin after.bin 2\n");
	vtb_trace *t1 = load("api1.bin"), *t2 = load("api2.bin"), *t3 = load("after.bin");
	ck_assert_uint_eq(count_calls(t1, NULL, "__main__.a"), 1);
	ck_assert_uint_eq(count_calls(t1, NULL, "__main__.b"), 0);
	ck_assert_uint_eq(count_calls(t2, NULL, "__main__.a"), 0);
	ck_assert_uint_eq(count_calls(t2, NULL, "__main__.b"), 1);
	/* Stopped: the last a() is not recorded, the ring still dumps. */
	ck_assert_uint_eq(count_calls(t3, NULL, "__main__.a"), 0);
	ck_assert_uint_eq(count_calls(t3, NULL, "__main__.b"), 1);
	vtb_trace_free(t1), vtb_trace_free(t2), vtb_trace_free(t3);
	free(out);
}
END_TEST

/* Each new Tracer starts with an empty ring, even with the buffer size of the one before;
 * the same Tracer started again keeps what it recorded. */
START_TEST(test_new_tracer_empty_ring)
{
	write_program("prog.py", "tracer/new_tracer_empty_ring.py");
	ck_assert_int_eq(run_py(NULL, "t.out", NULL, "prog.py"), 0);
	char *out = read_file("t.out");
	ck_assert_str_eq(out, "0\n");
	free(out);
	struct {
		const char *file;
		size_t a, b;
	} want[] = { { "t2.bin", 0, 1 }, { "t3.bin", 0, 2 }, { "t1.bin", 1, 0 } };
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		vtb_trace *t = load(want[i].file);
		ck_assert_msg(count_calls(t, NULL, "__main__.a") == want[i].a, "%s: a", want[i].file);
		ck_assert_msg(count_calls(t, NULL, "__main__.b") == want[i].b, "%s: b", want[i].file);
		ck_assert_uint_eq(vtb_trace_header(t)->events_dropped, 0);
		vtb_trace_free(t);
	}
}
END_TEST

/* vtrace keeps off sys.monitoring's PROFILER_ID and frees the tool id it takes when it
 * stops (3.12+): cProfile runs after it in the same process, and during it. Before 3.12
 * the same program checks that cProfile still runs after vtrace's profile function
 * (c_calls). Each run records its own calls, __init__ included (3.13 records specialized
 * __init__ calls through the tool's local events, which must come back with a new tool). */
START_TEST(test_cprofile_after_vtrace)
{
	write_program("prog.py", "tracer/cprofile_after_vtrace.py");
	ck_assert_int_eq(run_py(NULL, "t.out", "t.err", "prog.py"), 0);
	char *out = read_file("t.out"), *err = read_file("t.err");
	ck_assert_msg(strcmp(out, "False 1 []\nTrue 1 []\nFalse 1 []\nboth 1\n") == 0,
		      "out: %s err: %s", out, err);
	free(out);
	free(err);
	for (int i = 0; i < 4; i++) {
		char name[16];
		snprintf(name, sizeof name, "v%d.bin", i);
		vtb_trace *t = load(name);
		ck_assert_uint_eq(count_calls(t, NULL, "__main__.work"), 1);
		ck_assert_msg(count_affix(t, "__main__.", "__init__", 0) == 20, "%s: __init__ %zu",
			      name, count_affix(t, "__main__.", "__init__", 0));
		ck_assert_msg(count_affix(t, "builtins.len", "", VTB_CALL_C) == (i == 1 ? 20u : 0u) ||
			      (i == 3 && count_affix(t, "builtins.len", "", VTB_CALL_C) == 20),
			      "%s: C calls", name);
		vtb_trace_free(t);
	}
}
END_TEST

static Suite *tracer_suite(void)
{
	Suite *s = suite_create("tracer");
	const struct tf_case cases[] = {
		{ "calls", test_calls_and_nesting },
		{ "cprofile", test_counts_match_cprofile },
		{ "threads", test_threads },
		{ "generators", test_generators_and_coroutines },
		{ "exceptions", test_exceptions },
		{ "wrap", test_ring_wrap },
		{ "dump_line_words", test_dump_line_words },
		{ "built_for_other_python", test_built_for_other_python },
		{ "dump_exception", test_dump_on_exception },
		{ "keyboard_interrupt", test_keyboard_interrupt },
		{ "dump_thread_exception", test_dump_on_thread_exception },
		{ "dump_signal", test_dump_on_signal },
		{ "unchanged", test_program_unchanged },
		{ "code_and_failed_write", test_code_string_and_failed_write },
		{ "env", test_options_from_env },
		{ "fork", test_fork },
		{ "multiprocessing", test_multiprocessing },
		{ "json_tool", test_json_tool },
		{ "unittest", test_unittest },
		{ "c_calls", test_c_calls },
		{ "api", test_api },
		{ "new_tracer_empty_ring", test_new_tracer_empty_ring },
		{ "cprofile_after_vtrace", test_cprofile_after_vtrace },
	};
	tf_add_cases(s, cases, sizeof cases / sizeof *cases, 120);
	return s;
}

int main(void)
{
	return tf_run(tracer_suite());
}
