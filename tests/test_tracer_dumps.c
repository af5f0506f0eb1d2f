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
	write_file("prog.py",
		   "import threading\n"
		   "def boom():\n    raise ValueError('worker died')\n"
		   "def after():\n    return 1\n"
		   "t = threading.Thread(target=boom, name='w1')\nt.start()\nt.join()\nafter()\n");
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
	write_file("prog.py",
		   "import os, vtrace\n"
		   "os.mkdir('d.x')\n"
		   "t = vtrace.Tracer(output='d.x/trace').start()\n"
		   "print(t.dump())\nprint(t.dump())\nprint(t.dump('d.x/trace'))\n"
		   "t.stop()\n");
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
	write_file("prog.py",
		   "import os, signal, time\n"
		   "def work(i):\n    return i\n"
		   "for i in range(100):\n    work(i)\n"
		   "print('before', flush=True)\n"
		   "os.kill(os.getpid(), signal.SIGTERM)\n"
		   "time.sleep(10)\nprint('after')\n");
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
	write_file("hup.py",
		   "import os, signal, time\n"
		   "os.kill(os.getpid(), signal.SIGHUP)\ntime.sleep(10)\nprint('after')\n");
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "hup.py"), 128 + 1);
	ck_assert_int_eq(run_py(NULL, "t.out", NULL, "-m vtrace -q --dump-signal SIGHUP "
				"--no-exit-dump -o h.bin hup.py"), 128 + 1);
	vtb_trace_free(load_reason("h.bin", VTB_REASON_SIGNAL));
}
END_TEST

/* The program's own SIGTERM handler (set before the tracer starts) still runs after the
 * dump, and decides what happens: here it exits 3. */
START_TEST(test_sigterm_program_handler)
{
	write_file("prog.py",
		   "import os, signal, sys, time, vtrace\n"
		   "def on_term(sig, frame):\n    print('handled', flush=True)\n    sys.exit(3)\n"
		   "signal.signal(signal.SIGTERM, on_term)\n"
		   "t = vtrace.Tracer(output='t.bin', dump_on_exit=True).start()\n"
		   "def work():\n    os.kill(os.getpid(), signal.SIGTERM)\n    time.sleep(10)\n"
		   "work()\n");
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
	write_file("prog.py",
		   "import vtrace\n"
		   "def f():\n    return 1\n"
		   "with vtrace.Tracer(output='x.bin'):\n    f()\n"
		   "print('out of the block')\n");
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
	write_file("pool.py",
		   "import multiprocessing as mp, sys, time\n"
		   "def work(x):\n    time.sleep(0.01)\n    return x * x\n"
		   /* Every worker is up (its tracer too) before the pool can end: one killed
		    * while its interpreter starts could not record, traced or not. */
		   "def ready(b):\n    b.wait()\n"
		   "if __name__ == '__main__':\n"
		   "    ctx = mp.get_context(sys.argv[1])\n"
		   "    b = ctx.Barrier(4)\n"
		   "    if sys.argv[2] == 'with':\n"
		   "        with ctx.Pool(3, ready, (b,)) as p:\n"
		   "            b.wait()\n            print(sum(p.map(work, range(30))))\n"
		   "    else:\n"
		   "        p = ctx.Pool(3, ready, (b,))\n        b.wait()\n"
		   "        print(sum(p.map(work, range(30))))\n"
		   "        p.terminate() if sys.argv[2] == 'terminate' else p.close()\n"
		   "        p.join()\n");
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
	write_file("prog.py",
		   "import os, vtrace\n"
		   "dead = os.fork()\n"
		   "if dead == 0:\n    os._exit(0)\n"
		   "os.waitpid(dead, 0)\n"
		   "open('t.bin.vtb.tmp%d' % dead, 'w').write('stale')\n"
		   "os.symlink('victim', 't.bin.vtb.tmp%d' % os.getpid())\n"
		   "t = vtrace.Tracer(output='t.bin').start()\n"
		   "r = t.dump()\n"
		   "print(r is None, os.path.exists('t.bin.vtb.tmp%d' % dead))\n"
		   "os.unlink('t.bin.vtb.tmp%d' % os.getpid())\n"
		   "print(t.dump() is not None)\n");
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
	write_file("prog.py", "print('done')\n");
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
	write_file("prog.py",
		   "import sys, threading\n"
		   "sys.setrecursionlimit(200000)\n"
		   "threading.stack_size(512 * 1024 * 1024)\n"
		   "def r(n):\n    return 0 if n == 0 else 1 + r(n - 1)\n"
		   "def after():\n    return 2\n"
		   "out = []\n"
		   "t = threading.Thread(target=lambda: out.append(r(70000)), name='deep')\n"
		   "t.start()\nt.join()\nafter()\nprint(out)\n");
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
	write_file("prog.py",
		   "import os, subprocess, threading, time\n"
		   "def leaf(i):\n    return i\n"
		   "def work():\n    end = time.monotonic() + 3\n    while time.monotonic() < end:\n        leaf(0)\n"
		   "pester = subprocess.Popen(['sh', '-c', 'while kill -USR2 %d 2>/dev/null; do "
		   "sleep 0.005; done' % os.getpid()])\n"
		   "time.sleep(0.2)\n"
		   "t0 = time.monotonic()\n"
		   "ts = [threading.Thread(target=work) for _ in range(8)]\n"
		   "for t in ts:\n    t.start()\n"
		   "for t in ts:\n    t.join()\n"
		   "print('done', flush=True)\n"
		   "open('elapsed', 'w').write('%d' % (time.monotonic() - t0 + 1))\n");
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
	write_file("prog.py",
		   "import os, sys\n"
		   "os.close(1)\nos.close(2)\n"
		   "a = os.open('data1', os.O_WRONLY | os.O_CREAT, 0o644)\n"
		   "b = os.open('data2', os.O_WRONLY | os.O_CREAT, 0o644)\n"
		   "assert (a, b) == (1, 2), (a, b)\n"
		   "os.write(a, b'one\\n')\nos.write(b, b'two\\n')\n");
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
	write_file("prog.py",
		   "import os\nos.makedirs('sub', exist_ok=True)\nos.chdir('sub')\n"
		   "def f():\n    return 1\nf()\n");
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
	write_file("prog.py",
		   "def f(i):\n    return i\n"
		   "for i in range(100000):\n    f(i)\n");
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
	write_file("prog.py", "print('ran')\n");
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
	write_file("prog.py",
		   "import signal, vtrace\n"
		   "for kw in ({'output': ''}, {'output': 'a\\0b'}, {'output': '{x}'},\n"
		   "           {'dump_signal': signal.SIGKILL}, {'dump_signal': 'SIGBUS'},\n"
		   "           {'output': 5}):\n"
		   "    try:\n        vtrace.Tracer(**kw)\n        print('accepted', kw)\n"
		   "    except (ValueError, TypeError) as e:\n        print(type(e).__name__)\n");
	ck_assert_int_eq(run_py(NULL, "t.out", NULL, "prog.py"), 0);
	assert_file_is("t.out", "ValueError\nValueError\nValueError\nValueError\nValueError\nTypeError\n");
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
		{ "with_block", test_with_block_writes },
		{ "tmp_symlink", test_tmp_symlink_refused },
		{ "fifo", test_fifo_refused },
		{ "closed_stdio", test_closed_stdio },
		{ "chdir", test_relative_output_after_chdir },
		{ "enospc", test_full_device_enospc },
		{ "hostile_options", test_hostile_options },
		{ "hostile_api", test_hostile_api_values },
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
