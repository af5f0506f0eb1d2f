/* SPDX-License-Identifier: MIT */
/* test_tracer_dumps.c: no dump is lost, overwritten or written where it must not go
 * (issues 12 and 17): distinct names for later dumps, SIGTERM, the with block,
 * multiprocessing pools, the temporary file and the output path, deep recursion, dump
 * signal storms, closed stdio, a changed directory, a full disk, hostile options.
 * Harness: tests/tracer_fixtures.h. */
#include "tests/tracer_fixtures.h"

#include <errno.h>
#include <fcntl.h>
#include <time.h>

static vtb_trace *load_reason(const char *name, uint32_t reason)
{
	vtb_trace *t = load(name);
	ck_assert_msg(vtb_trace_header(t)->reason == reason, "%s: reason %u, expected %u", name,
		      vtb_trace_header(t)->reason, reason);
	return t;
}

static void assert_file_is(const char *name, const char *want)
{
	char *text = read_file(name);
	ck_assert_str_eq(text, want);
	free(text);
}

static void assert_err_has(const char *name, const char *what)
{
	char *err = read_file(name);
	ck_assert_msg(strstr(err, what), "no '%s' in stderr:\n%.3000s", what, err);
	free(err);
}

static void assert_err_lacks(const char *name, const char *what)
{
	char *err = read_file(name);
	ck_assert_msg(!strstr(err, what), "'%s' in stderr:\n%.3000s", what, err);
	free(err);
}

/* Files in the test dir whose names start with prefix and end with suffix. */
static size_t count_files(const char *prefix, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name), ls = strlen(suffix);
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0 && l >= ls &&
		     strcmp(e->d_name + l - ls, suffix) == 0;
	}
	closedir(d);
	return n;
}

/* ---- distinct names ---- */

/* A thread's unhandled exception dumps; the exit dump that follows goes beside it, not
 * over it, and stderr says where. */
START_TEST(test_thread_crash_and_exit_dumps)
{
	write_program("prog.py", "tracer_dumps/thread_crash_and_exit_dumps.py");
	ck_assert_int_eq(run_py(NULL, NULL, "t.err", "-m vtrace -o t.bin prog.py"), 0);
	vtb_trace *t = load_reason("t.bin", VTB_REASON_EXCEPTION);
	ck_assert_ptr_nonnull(strstr(vtb_trace_header(t)->reason_text, "in thread w1"));
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.boom"), 1);
	vtb_trace_free(t);
	t = load_reason("t-2.bin", VTB_REASON_EXIT);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.after"), 1);
	vtb_trace_free(t);
	assert_err_has("t.err", "t-2.bin (");
	assert_err_has("t.err", "t.bin holds an earlier dump of this process");
	/* {n} in the path numbers dumps itself: no suffix. */
	ck_assert_int_eq(run_py(NULL, NULL, "t.err", "-m vtrace -o 'n{n}.bin' prog.py"), 0);
	vtb_trace_free(load_reason("n1.bin", VTB_REASON_EXCEPTION));
	vtb_trace_free(load_reason("n2.bin", VTB_REASON_EXIT));
	assert_err_lacks("t.err", "earlier dump");
	/* A device takes every dump: no /dev/null-2. */
	ck_assert_int_eq(run_py(NULL, NULL, "t.err", "-m vtrace -o /dev/null prog.py"), 0);
	char *err = read_file("t.err");
	const char *second = strstr(err, "vtrace: wrote /dev/null: ");
	ck_assert_ptr_nonnull(second);
	ck_assert_ptr_nonnull(strstr(second + 1, "vtrace: wrote /dev/null: "));
	free(err);
	ck_assert_int_ne(access("/dev/null-2", F_OK), 0);
	/* A file from an earlier run is replaced as before: it is not this process's. */
	write_file("old.bin", "an earlier run");
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -q --no-exception-dump -o old.bin "
				"prog.py"), 0);
	vtb_trace_free(load_reason("old.bin", VTB_REASON_EXIT));
	ck_assert_int_ne(access(path_in("old-2.bin"), F_OK), 0);
}
END_TEST

/* Dumps from the API to one path, an extension-less path, a dotted directory. */
START_TEST(test_api_dumps_keep_each)
{
	write_program("prog.py", "tracer_dumps/api_dumps_keep_each.py");
	ck_assert_int_eq(run_py(NULL, "t.out", "t.err", "prog.py"), 0);
	char *out = read_file("t.out");
	char want[3 * PATH_MAX + 64];
	snprintf(want, sizeof want, "%s/d.x/trace\n%s/d.x/trace-2\n%s/d.x/trace-3\n", dir, dir, dir);
	ck_assert_str_eq(out, want);
	free(out);
}
END_TEST

/* ---- SIGTERM ---- */

/* SIGTERM dumps once, then the process dies of it: 143 from the shell, as without the
 * tracer, with what it printed before and nothing after. */
START_TEST(test_sigterm_dumps_and_dies)
{
	write_program("prog.py", "tracer_dumps/sigterm_dumps_and_dies.py");
	ck_assert_int_eq(run_py(NULL, "p.out", NULL, "prog.py"), 143);
	ck_assert_int_eq(run_py(NULL, "t.out", "t.err", "-m vtrace -o t.bin prog.py"), 143);
	assert_file_is("t.out", "before\n");
	vtb_trace *t = load_reason("t.bin", VTB_REASON_SIGNAL);
	ck_assert_str_eq(vtb_trace_header(t)->reason_text, "SIGTERM");
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.work"), 100);
	vtb_trace_free(t);
	ck_assert_uint_eq(count_files("t", ".bin"), 1);
	/* --dump-signal SIGTERM: the same fate, one dump. */
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -q --dump-signal SIGTERM -o s.bin "
				"prog.py"), 143);
	vtb_trace_free(load_reason("s.bin", VTB_REASON_SIGNAL));
	ck_assert_uint_eq(count_files("s", ".bin"), 1);
	/* --dump-signal on a signal that ends the program still ends it. */
	write_program("hup.py", "tracer_dumps/sigterm_dumps_and_dies-hup.py");
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "hup.py"), 128 + 1);
	ck_assert_int_eq(run_py(NULL, "t.out", NULL, "-m vtrace -q --dump-signal SIGHUP "
				"--no-exit-dump -o h.bin hup.py"), 128 + 1);
	vtb_trace_free(load_reason("h.bin", VTB_REASON_SIGNAL));
}
END_TEST

/* The ring files left in the test's ring directory (XDG_RUNTIME_DIR/vtrace). */
static size_t count_rings(void)
{
	DIR *d = opendir(path_in("vtrace"));
	struct dirent *e;
	size_t n = 0;
	while (d && (e = readdir(d))) {
		size_t l = strlen(e->d_name);
		n += l > 5 && strcmp(e->d_name + l - 5, ".ring") == 0;
	}
	if (d)
		closedir(d);
	return n;
}

/* SIGTERM while a dump is claimed but not yet written: the dump is written, then the
 * signal does what it does (before, the process died under the exit dump and left no
 * recording: a pool worker exiting as Pool.terminate() signalled it). After an API dump,
 * SIGTERM's own dump follows; after the exception dump, none. The ring file goes: the
 * dumps hold its data. */
START_TEST(test_sigterm_during_dump)
{
	write_program("prog.py", "tracer_dumps/sigterm_during_dump.py");
	ck_assert_int_eq(run_py(NULL, "t.out", "t.err", "-m vtrace -o t.bin prog.py exit"), 143);
	assert_file_is("t.out", "before\n");
	vtb_trace *t = load_reason("t.bin", VTB_REASON_EXIT);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.work"), 10);
	vtb_trace_free(t);
	ck_assert_uint_eq(count_rings(), 0);

	ck_assert_int_eq(run_py(NULL, "t.out", "t.err", "-m vtrace -o a.bin prog.py api"), 143);
	assert_file_is("t.out", "before\n");
	vtb_trace_free(load_reason("a.bin", VTB_REASON_API));
	t = load_reason("a-2.bin", VTB_REASON_SIGNAL);
	ck_assert_str_eq(vtb_trace_header(t)->reason_text, "SIGTERM");
	vtb_trace_free(t);
	ck_assert_uint_eq(count_rings(), 0);

	ck_assert_int_eq(run_py(NULL, "t.out", "t.err", "-m vtrace -o e.bin prog.py exception"), 143);
	assert_err_has("t.err", "KeyError: 'lost'");
	vtb_trace_free(load_reason("e.bin", VTB_REASON_EXCEPTION));
	ck_assert_uint_eq(count_files("e", ".bin"), 1);
}
END_TEST

/* The program's own SIGTERM handler (set before the tracer starts) still runs after the
 * dump, and decides what happens: here it exits 3. */
START_TEST(test_sigterm_program_handler)
{
	write_program("prog.py", "tracer_dumps/sigterm_program_handler.py");
	ck_assert_int_eq(run_py(NULL, "t.out", "t.err", "prog.py"), 3);
	assert_file_is("t.out", "handled\n");
	vtb_trace *t = load_reason("t.bin", VTB_REASON_SIGNAL);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.work"), 1);
	vtb_trace_free(t);
	/* One dump: the exit that follows does not write another. */
	ck_assert_uint_eq(count_files("t", ".bin"), 1);
}
END_TEST

/* ---- the with block ---- */

START_TEST(test_with_block_writes)
{
	write_program("prog.py", "tracer_dumps/with_block_writes.py");
	ck_assert_int_eq(run_py(NULL, "t.out", "t.err", "prog.py"), 0);
	vtb_trace *t = load_reason("x.bin", VTB_REASON_EXIT);
	ck_assert_str_eq(vtb_trace_header(t)->reason_text, "end of the with block");
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.f"), 1);
	vtb_trace_free(t);
	assert_err_has("t.err", "x.bin: ");
	assert_err_has("t.err", "vtrace: wrote ");
}
END_TEST

/* ---- multiprocessing ---- */

static int count_work(const vtb_trace *t, const vtb_thread *th, const vtb_slice *s, void *ctx)
{
	(void)th;
	(void)ctx;
	const char *n = name_of(t, s);
	size_t l = strlen(n);
	return l >= 5 && strcmp(n + l - 5, ".work") == 0;
}

/* Finished dumps (.bin) in a directory of the test dir; -1 while a dump is being written
 * there (a .vtb.tmp file). */
static int count_in(const char *sub)
{
	DIR *d = opendir(path_in(sub));
	struct dirent *e;
	int n = 0, tmp = 0;
	while (d && (e = readdir(d))) {
		size_t l = strlen(e->d_name);
		n += l > 4 && strcmp(e->d_name + l - 4, ".bin") == 0;
		tmp |= strstr(e->d_name, ".vtb.tmp") != NULL;
	}
	if (d)
		closedir(d);
	return tmp ? -1 : n;
}

/* Every process of a pool program leaves one readable recording: the parent, each worker
 * (and the forkserver), whichever way the pool ends; the workers' files hold every task. */
static void check_pool(const char *method, int processes)
{
	static const char *hows[] = { "with", "terminate", "close" };
	write_program("pool.py", "tracer_dumps/with_block_writes-pool.py");
	for (size_t h = 0; h < 3; h++) {
		char cmd[2 * PATH_MAX + 64];
		snprintf(cmd, sizeof cmd, "rm -rf '%s/out' && mkdir '%s/out'", dir, dir);
		ck_assert_int_eq(system(cmd), 0);
		/* A hang says which way of ending hung. */
		const char *saved = extra_env;
		extra_env = "timeout 60 ";
		int st = run_py(NULL, "t.out", "t.err", "-m vtrace -q -o 'out/mp-{pid}.bin' "
				"pool.py %s %s", method, hows[h]);
		extra_env = saved;
		char *out = read_file("t.out"), *err = read_file("t.err");
		ck_assert_msg(st == 0 && strcmp(out, "8555\n") == 0, "%s %s: status %d, out %s, "
			      "err %.2000s", method, hows[h], st, out, err);
		free(out), free(err);
		/* The forkserver ends after the program (when it sees the program gone); slow under
		 * the sanitizers and load. */
		for (int wait = 0; wait < 900 && count_in("out") < processes; wait++)
			usleep(100 * 1000);
		DIR *d = opendir(path_in("out"));
		struct dirent *e;
		int files = 0;
		size_t work = 0;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			char name[300];
			snprintf(name, sizeof name, "out/%.250s", e->d_name);
			vtb_trace *t = load(name);
			work += each_slice(t, NULL, count_work, NULL);
			vtb_trace_free(t);
			files++;
		}
		closedir(d);
		ck_assert_msg(files == processes, "%s %s: %d recordings for %d processes", method,
			      hows[h], files, processes);
		ck_assert_msg(work == 30, "%s %s: %zu calls of work in the recordings", method,
			      hows[h], work);
	}
}

START_TEST(test_pool_fork)
{
	check_pool("fork", 4);
}
END_TEST

START_TEST(test_pool_spawn)
{
	check_pool("spawn", 4);
}
END_TEST

/* The parent, the forkserver and its three workers. */
START_TEST(test_pool_forkserver)
{
	check_pool("forkserver", 5);
}
END_TEST

/* ---- the temporary file and the output path ---- */

/* A symlink planted at the temporary file's name is not followed: the file it points to
 * keeps its bytes, the dump is a regular file of mode 0600. A stale temporary file of a
 * dead process is removed. */
START_TEST(test_tmp_symlink_refused)
{
	write_file("victim", "precious");
	write_program("prog.py", "tracer_dumps/tmp_symlink_refused.py");
	ck_assert_int_eq(run_py(NULL, "t.out", "t.err", "prog.py"), 0);
	char *out = read_file("t.out"), *victim = read_file("victim");
	ck_assert_str_eq(out, "True False\nTrue\n");
	ck_assert_str_eq(victim, "precious");
	free(out), free(victim);
	assert_err_has("t.err", "File exists");
	struct stat st;
	ck_assert_int_eq(lstat(path_in("t.bin"), &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	vtb_trace_free(load_reason("t.bin", VTB_REASON_API));
}
END_TEST

/* A FIFO, directly or through a planted symlink, is refused with a message; the program
 * exits as it would (it used to hang at exit, waiting for a reader). */
START_TEST(test_fifo_refused)
{
	write_program("prog.py", "tracer_dumps/fifo_refused.py");
	ck_assert_int_eq(mkfifo(path_in("fifo.bin"), 0600), 0);
	ck_assert_int_eq(symlink("fifo.bin", path_in("link.bin")), 0);
	const char *targets[] = { "fifo.bin", "link.bin" };
	for (int i = 0; i < 2; i++) {
		int st = run_py(NULL, "t.out", "t.err", "-m vtrace -o %s prog.py", targets[i]);
		ck_assert_int_eq(st, 0);
		char *out = read_file("t.out");
		ck_assert_str_eq(out, "done\n");
		free(out);
		assert_err_has("t.err", "is a FIFO");
		assert_err_has("t.err", "refusing");
	}
	struct stat st;
	ck_assert_int_eq(lstat(path_in("link.bin"), &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_int_eq(count_files("fifo.bin.vtb", ""), 0);
}
END_TEST

/* Recursion deeper than the format holds (65535 open calls): the dump keeps the calls
 * up to the limit, leaves the deeper ones out with a note in the trace and on stderr,
 * and everything else is there. */
START_TEST(test_deeper_than_format)
{
	write_program("prog.py", "tracer_dumps/deeper_than_format.py");
	ck_assert_int_eq(run_py(NULL, "t.out", "t.err", "-m vtrace -o t.bin prog.py"), 0);
	assert_file_is("t.out", "[70000]\n");
	assert_err_has("t.err", "calls nested deeper than 65535 levels left out");
	vtb_trace *t = load_reason("t.bin", VTB_REASON_EXIT);
	const vtb_thread *th = thread_named(t, "deep");
	ck_assert_ptr_nonnull(th);
	ck_assert_uint_eq(th->depth_count, 65535);
	ck_assert_uint_ge(count_calls(t, th, "__main__.r"), 65000);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.after"), 1);
	size_t notes = 0;
	for (size_t m = 0; m < th->mark_count; m++)
		notes += th->marks[m].kind == VTB_MARK_INSTANT &&
			 strcmp(vtb_trace_string(t, th->marks[m].name_id)->name, "vtrace.depth_limit") == 0;
	ck_assert_uint_eq(notes, 1);
	vtb_trace_free(t);
}
END_TEST

/* 8 threads at work and SIGUSR2 every 5 ms from another process: the program ends
 * normally in reasonable time, with few dumps (rate-limited, signals during a dump
 * coalesced), no RecursionError, every dump readable; with and without the exit dump
 * (a signal after the tracer stopped must not find SIG_DFL). */
START_TEST(test_dump_signal_storm)
{
	write_program("prog.py", "tracer_dumps/dump_signal_storm.py");
	const char *modes[] = { "", "--no-exit-dump" };
	for (int m = 0; m < 2; m++) {
		time_t start = time(NULL);
		int st = run_py(NULL, "t.out", "t.err", "-m vtrace --buffer-size 200000 "
				"--dump-signal SIGUSR2 %s -o 'd%d-{n}.bin' prog.py", modes[m], m);
		char *out = read_file("t.out"), *err = read_file("t.err");
		ck_assert_msg(st == 0 && strcmp(out, "done\n") == 0, "status %d, stderr %.2000s", st, err);
		ck_assert_msg(!strstr(err, "RecursionError") && !strstr(err, "Traceback"), "%.2000s", err);
		free(out);
		char *el = read_file("elapsed");
		long elapsed = atol(el);
		free(el);
		ck_assert_int_lt(time(NULL) - start, 90);
		char prefix[8];
		snprintf(prefix, sizeof prefix, "d%d-", m);
		size_t dumps = count_files(prefix, ".bin");
		ck_assert_msg(dumps >= 2 && dumps <= (size_t)elapsed + 3, "%zu dumps in %ld s: %.3000s",
			      dumps, elapsed, err);
		/* The exit dump's line counts the signals folded into the dumps before it. */
		ck_assert(m == 1 || strstr(err, "dump signals coalesced"));
		free(err);
		for (size_t n = 1; n <= dumps; n++) {
			char name[32];
			snprintf(name, sizeof name, "d%d-%zu.bin", m, n);
			vtb_trace_free(load(name));
		}
	}
}
END_TEST

/* The program closes stdout and stderr and opens two data files (fds 1 and 2): vtrace's
 * lines go to the stderr it started with, never into the data. */
START_TEST(test_closed_stdio)
{
	write_program("prog.py", "tracer_dumps/closed_stdio.py");
	ck_assert_int_eq(run_py(NULL, NULL, "t.err", "-m vtrace -o t.bin prog.py"), 0);
	char *one = read_file("data1"), *two = read_file("data2");
	ck_assert_str_eq(one, "one\n");
	ck_assert_str_eq(two, "two\n");
	free(one), free(two);
	assert_err_has("t.err", "vtrace: wrote ");
	vtb_trace_free(load("t.bin"));
}
END_TEST

/* A relative -o names a file in the directory vtrace started in, though the program
 * changes directory; errors name the full path. */
START_TEST(test_relative_output_after_chdir)
{
	write_program("prog.py", "tracer_dumps/relative_output_after_chdir.py");
	ck_assert_int_eq(run_py(NULL, NULL, "t.err", "-m vtrace -o t.bin prog.py"), 0);
	vtb_trace *t = load("t.bin");
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.f"), 1);
	vtb_trace_free(t);
	ck_assert_int_ne(access(path_in("sub/t.bin"), F_OK), 0);
	char full[PATH_MAX + 32];
	snprintf(full, sizeof full, "%s/nodir/t.bin", dir);
	ck_assert_int_eq(run_py(NULL, NULL, "t.err", "-m vtrace -o nodir/t.bin prog.py"), 0);
	assert_err_has("t.err", full);
	assert_err_has("t.err", "No such file or directory");
}
END_TEST

/* A dump bigger than a chunk into /dev/full fails while events are written: the message
 * says ENOSPC, not a generic I/O error. */
START_TEST(test_full_device_enospc)
{
	write_program("prog.py", "tracer_dumps/full_device_enospc.py");
	ck_assert_int_eq(run_py(NULL, NULL, "t.err", "-m vtrace -o /dev/full prog.py"), 0);
	assert_err_has("t.err", "No space left on device");
	assert_err_lacks("t.err", "input/output error");
}
END_TEST

/* ---- hostile options ---- */

/* Each bad value: status 2, a one-line reason naming the problem, no traceback, and the
 * program not run. */
START_TEST(test_hostile_options)
{
	static const struct {
		const char *env, *config, *args, *says;
	} cases[] = {
		{ "", NULL, "--dump-signal SIGKILL", "cannot be caught" },
		{ "", NULL, "--dump-signal 19", "cannot be caught" },
		{ "", NULL, "--dump-signal SIGSEGV", "means a crash" },
		{ "", NULL, "--dump-signal 99999", "unknown signal" },
		{ "", NULL, "--dump-signal ''", "unknown signal" },
		{ "", NULL, "-o ''", "path is empty" },
		{ "", NULL, "-o '{'", "a brace" },
		{ "", NULL, "-o 'x{pd}.bin'", "a brace" },
		{ "", NULL, "-o 'x}{n}'", "a brace" },
		{ "", NULL, "-o $(printf 'a%.0s' $(seq 300))", "longer than 200 bytes" },
		{ "", NULL, "-o $(printf 'a/%.0s' $(seq 2100))", "bytes long" },
		{ "VTRACE_OPTIONS=\"-o 'x\" ", NULL, "", "VTRACE_OPTIONS: No closing quotation" },
		{ "VTRACE_OPTIONS='--dump-signal KILL' ", NULL, "", "cannot be caught" },
		{ "", "{\"output\": \"{time\"}", "", "a brace" },
		{ "", "{\"output\": \"a\\u0000b\"}", "", ".vtrace.json:1:14: a string holds \\u0000" },
		{ "", NULL, "--config /dev/zero", "/dev/zero: not a regular file" },
		{ "", NULL, "--config fifo", "fifo: not a regular file" },
		{ "", "{\"dump_signal\": 9}", "", "cannot be caught" },
		{ "", "{\"dump_signal\": \"SIGSTOP\"}", "", "cannot be caught" },
	};
	write_program("prog.py", "tracer_dumps/hostile_options.py");
	ck_assert_int_eq(mkfifo(path_in("fifo"), 0600), 0);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		unlink(path_in(".vtrace.json"));
		if (cases[i].config)
			write_file(".vtrace.json", cases[i].config);
		const char *saved = extra_env;
		extra_env = cases[i].env;
		int st = run_py(NULL, "t.out", "t.err", "-m vtrace %s prog.py", cases[i].args);
		extra_env = saved;
		char *out = read_file("t.out"), *err = read_file("t.err");
		ck_assert_msg(st == 2 && strstr(err, cases[i].says) && !strstr(err, "Traceback") &&
			      !*out, "case %zu (%s%s): status %d, stdout %s, stderr %.1500s", i,
			      cases[i].env, cases[i].args, st, out, err);
		free(out), free(err);
	}
	/* Placeholders at the edges are fine. */
	unlink(path_in(".vtrace.json"));
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -q -o '{n}{n}{pid}-{time}' prog.py"), 0);
	ck_assert_uint_eq(count_files("11", ""), 1);
}
END_TEST

/* The API refuses the same paths and signals with ValueError. */
START_TEST(test_hostile_api_values)
{
	write_program("prog.py", "tracer_dumps/hostile_api_values.py");
	ck_assert_int_eq(run_py(NULL, "t.out", NULL, "prog.py"), 0);
	assert_file_is("t.out", "ValueError\nValueError\nValueError\nValueError\nValueError\nTypeError\n");
}
END_TEST

/* --dump-mode: the dump gets the mode asked for, as given (the umask aside), the ring file
 * its read bits; the default stays 0600; bad modes are refused before anything runs. */
START_TEST(test_dump_mode)
{
	write_program("prog.py", "tracer_dumps/dump_mode.py");
	ck_assert_int_eq(run_py(NULL, "t.out", NULL, "prog.py"), 0);
	assert_file_is("t.out", "0o640\n0o640\n");
	write_program("run.py", "tracer_dumps/dump_mode-run.py");
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -q --dump-mode 0644 -o c.bin run.py"), 0);
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -q -o d.bin run.py"), 0);
	write_file(".vtrace.json", "{\"dump_mode\": \"0440\"}");
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -q -o f.bin run.py"), 0);
	const struct { const char *file; unsigned mode; } want[] = {
		{ "c.bin", 0644 }, { "d.bin", 0600 }, { "f.bin", 0440 },
	};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		struct stat st;
		ck_assert_int_eq(stat(path_in(want[i].file), &st), 0);
		ck_assert_msg((st.st_mode & 07777) == want[i].mode, "%s: mode %o, not %o",
			      want[i].file, st.st_mode & 07777, want[i].mode);
	}
	unlink(path_in(".vtrace.json"));
	static const struct { const char *args, *says; } bad[] = {
		{ "--dump-mode 0646", "never writable by others" },
		{ "--dump-mode 4600", "no setuid, setgid or sticky bit" },
		{ "--dump-mode 0200", "owner must be able to read it" },
		{ "--dump-mode rw", "not an octal mode" },
		{ "--dump-mode ''", "not an octal mode" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		int st = run_py(NULL, "t.out", "t.err", "-m vtrace %s run.py", bad[i].args);
		char *out = read_file("t.out"), *err = read_file("t.err");
		ck_assert_msg(st == 2 && strstr(err, bad[i].says) && !strstr(err, "Traceback") && !*out,
			      "%s: status %d, stdout %s, stderr %.1500s", bad[i].args, st, out, err);
		free(out), free(err);
	}
	write_program("values.py", "tracer_dumps/dump_mode_values.py");
	ck_assert_int_eq(run_py(NULL, "t.out", NULL, "values.py"), 0);
	assert_file_is("t.out", "ValueError\nValueError\nValueError\nValueError\nValueError\n"
		       "ValueError\nValueError\nValueError\nValueError\nValueError\nTypeError\n"
		       "TypeError\nTypeError\n0o640\n0o640\n0o600\n0o400\n");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tracer_dumps");
	const struct tf_case cases[] = {
		{ "thread_crash_and_exit", test_thread_crash_and_exit_dumps },
		{ "api_dumps_keep_each", test_api_dumps_keep_each },
		{ "sigterm", test_sigterm_dumps_and_dies },
		{ "sigterm_handler", test_sigterm_program_handler },
		{ "sigterm_during_dump", test_sigterm_during_dump },
		{ "with_block", test_with_block_writes },
		{ "tmp_symlink", test_tmp_symlink_refused },
		{ "fifo", test_fifo_refused },
		{ "closed_stdio", test_closed_stdio },
		{ "chdir", test_relative_output_after_chdir },
		{ "enospc", test_full_device_enospc },
		{ "hostile_options", test_hostile_options },
		{ "hostile_api", test_hostile_api_values },
		{ "dump_mode", test_dump_mode },
	};
	tf_add_cases(s, cases, sizeof cases / sizeof *cases, 90);
	const struct tf_case slow[] = {
		{ "pool_fork", test_pool_fork },
		{ "pool_spawn", test_pool_spawn },
		{ "pool_forkserver", test_pool_forkserver },
		{ "deeper_than_format", test_deeper_than_format },
		{ "dump_signal_storm", test_dump_signal_storm },
	};
	tf_add_cases(s, slow, sizeof slow / sizeof *slow, 240);
	return tf_run(s);
}
