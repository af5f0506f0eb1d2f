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
	run_py(NULL, "ver.txt", NULL, "-c 'import sys; print(sys.version_info[1])'");
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
	write_file("prog.py",
		   "import sys\n"
		   "depth = 0\n"
		   "def down(n):\n    global depth\n    depth = n\n    return down(n + 1)\n"
		   "def walk(n):\n    return 0 if n == 0 else 1 + walk(n - 1)\n"
		   "def gen(n):\n    if n:\n        yield from gen(n - 1)\n    yield n\n"
		   "try:\n    down(0)\nexcept RecursionError as e:\n    print('RecursionError', depth, e)\n"
		   "print(walk(sys.getrecursionlimit() - 20))\n"
		   "print(sum(gen(400)))\n"
		   "class R:\n    def __repr__(self):\n        return repr(self)\n"
		   "try:\n    repr(R())\nexcept RecursionError as e:\n    print('repr', type(e).__name__)\n"
		   "import threading\n"
		   "def in_thread():\n    try:\n        down(0)\n    except RecursionError:\n        print('thread', depth)\n"
		   "t = threading.Thread(target=in_thread)\nt.start()\nt.join()\n"
		   "down(0)\n");
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
	write_file("prog.py",
		   "import sys\n"
		   "sys.setrecursionlimit(100000)\n"
		   "def r(n):\n    return 0 if n == 0 else 1 + r(n - 1)\n"
		   "try:\n    print(r(50000))\n"
		   "except RecursionError as e:\n    print('RecursionError', e)\n"
		   "def again(n):\n    return 0 if n == 0 else 1 + again(n - 1)\n"
		   "print(again(2000))\n");
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
	write_file("prog.py",
		   "import sys, threading\n"
		   "sys.setrecursionlimit(100000)\n"
		   "threading.stack_size(1 << 20)\n"
		   "out = []\n"
		   "def r(n):\n    return 0 if n == 0 else 1 + r(n - 1)\n"
		   "def body():\n"
		   "    try:\n        out.append(r(200))\n        out.append(r(90000))\n"
		   "    except RecursionError:\n        out.append('RecursionError')\n"
		   "t = threading.Thread(target=body)\nt.start()\nt.join()\n"
		   "print(out[0], out[-1] in (90000, 'RecursionError'))\n");
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
	write_file("prog.py",
		   "import os, signal\n"
		   "def poke():\n    os.kill(os.getpid(), signal.SIGINT)\n    for _ in range(10**6):\n        pass\n"
		   "try:\n    poke()\nexcept KeyboardInterrupt:\n    print('caught')\n"
		   "def outer():\n    poke()\n"
		   "print('again', flush=True)\nouter()\n");
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
 * itself. Every dump reads back, the handler ran, the program's output is as plain. (A
 * dump signal faster than dumps take would keep the program dumping: signals are not
 * rate-limited.) */
START_TEST(test_signals_during_dump)
{
	write_file("prog.py",
		   "import os, signal, threading, sys\n"
		   "ticks = [0]\n"
		   "def on_alarm(sig, frame):\n    ticks[0] += 1\n"
		   "signal.signal(signal.SIGALRM, on_alarm)\n"
		   "signal.setitimer(signal.ITIMER_REAL, 0.0002, 0.0002)\n"
		   "def leaf(i):\n    return i\n"
		   "stop = threading.Event()\n"
		   "def pester():\n"
		   "    while not stop.wait(0.01):\n        os.kill(os.getpid(), signal.SIGUSR2)\n"
		   "traced = 'vtrace' in sys.modules\n"
		   "th = threading.Thread(target=pester)\n"
		   "if traced:\n    th.start()\n"
		   "for k in range(8):\n"
		   "    for i in range(30000):\n        leaf(i)\n"
		   "    if traced:\n        import vtrace\n        vtrace.get_tracer().dump('api%d.bin' % k)\n"
		   "stop.set()\n"
		   "if traced:\n    th.join()\n"
		   "signal.setitimer(signal.ITIMER_REAL, 0)\n"
		   "print('done', ticks[0] > 0)\n");
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
	write_file("prog.py",
		   "import threading\n"
		   "lock = threading.Lock()\n"
		   "total = [0]\n"
		   "def work(i):\n    return sum(range(i))\n"
		   "def body(i):\n"
		   "    for _ in range(i + 1):\n        v = work(i)\n"
		   "        with lock:\n            total[0] += v\n"
		   "ts = [threading.Thread(target=body, args=(i,), name='w%d' % i) for i in range(64)]\n"
		   "for t in ts:\n    t.start()\n"
		   "for t in ts:\n    t.join()\n"
		   "print(total[0], threading.active_count())\n");
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
	write_file("prog.py",
		   "import os, threading, warnings\n"
		   "warnings.simplefilter('ignore', DeprecationWarning)\n"
		   "def child_work():\n    return sum(range(10))\n"
		   "def spawn(res):\n"
		   "    pid = os.fork()\n"
		   "    if pid == 0:\n        child_work()\n        os._exit(7)\n"
		   "    res.append(os.waitpid(pid, 0)[1] >> 8)\n    res.append(pid)\n"
		   "res = []\n"
		   "t = threading.Thread(target=spawn, args=(res,), name='forker')\n"
		   "t.start()\nt.join()\n"
		   "print(res[0])\n"
		   "print(res[1], file=open('pid.txt', 'w'))\n");
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

static const char setprofile_prog[] =
	"import sys, threading\n"
	"seen = {}\n"
	"def prof(frame, event, arg):\n"
	"    if event == 'call' and frame.f_code.co_filename == __file__:\n"
	"        seen[frame.f_code.co_name] = seen.get(frame.f_code.co_name, 0) + 1\n"
	"def a():\n    return b() + b()\n"
	"def b():\n    return len([1])\n"
	"def in_thread():\n    a()\n"
	"threading.setprofile(prof)\n"
	"sys.setprofile(prof)\n"
	"a()\n"
	"t = threading.Thread(target=in_thread)\nt.start()\nt.join()\n"
	"sys.setprofile(None)\n"
	"threading.setprofile(None)\n"
	"a()\n"
	"print(sorted(seen.items()))\n";

START_TEST(test_program_sets_profile)
{
	write_file("prog.py", setprofile_prog);
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
	write_file("prog.py",
		   "import vtrace\n"
		   "def f():\n    pass\n"
		   "t = vtrace.get_tracer()\n"
		   "assert t.start() is t\n"
		   "try:\n    vtrace.Tracer(output='other.bin').start()\nexcept RuntimeError as e:\n    print(e)\n"
		   "f()\n"
		   "print(vtrace.get_tracer() is t)\n");
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
	write_file("prog.py",
		   "import sys\n"
		   "def f(i):\n    return i * 2\n"
		   "print(sum(f(i) for i in range(1000)))\n"
		   "print('bye', file=sys.stderr)\n"
		   "sys.exit(5)\n");
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
	write_file("prog.py",
		   "def f(i):\n    return i * 2\n"
		   "print(sum(f(i) for i in range(20000)))\n");
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
	write_file("prøg_函数.py",
		   "def f():\n    return 1\n"
		   "g = {'__name__': 'm\\x1b]0;pwned\\x07'}\n"
		   "exec(compile('def esc():\\n    return 1\\n', 'evil\\x1b[2J\\xff.py', 'exec'), g)\n"
		   "esc = g['esc']\n"
		   "sur = type(f)(f.__code__.replace(co_name='bad\\udcffname'), {'__name__': 's\\udcff'})\n"
		   "g2 = {'__name__': 'nonutf8'}\n"
		   "exec(compile('def filed():\\n    return 5\\n', 'evil\\udcff.py', 'exec'), g2)\n"
		   "g2['filed']()\n"
		   "exec('def ' + 'x' * 20000 + '():\\n    return 2\\n')\n"
		   "def ρ_函数():\n    return 3\n"
		   "class Ω:\n    def método(self):\n        return 4\n"
		   "print(esc(), sur(), globals()['x' * 20000](), ρ_函数(), Ω().método())\n");
	write_file("prog.py", "exec(compile(open('prøg_函数.py').read(), 'prøg_函数.py', 'exec'))\n");
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
	write_file("prog.py",
		   "import asyncio, sys\n"
		   "sys.setrecursionlimit(5000)\n"
		   "def chain(n):\n    if n == 0:\n        yield from range(3)\n    else:\n        yield from chain(n - 1)\n"
		   "print(sum(chain(900)))\n"
		   "def pipeline(k):\n    g = iter(range(100))\n"
		   "    for _ in range(k):\n        g = (x + 1 for x in g)\n    return sum(g)\n"
		   "print(pipeline(500))\n"
		   "async def agen(n):\n    for i in range(n):\n        await asyncio.sleep(0)\n        yield i\n"
		   "async def deep(n):\n    return 0 if n == 0 else 1 + await deep(n - 1)\n"
		   "async def worker(i):\n    s = 0\n    async for v in agen(20):\n        s += v\n"
		   "    return s + await deep(50)\n"
		   "async def main():\n    r = await asyncio.gather(*(worker(i) for i in range(200)))\n"
		   "    return sum(r), await deep(800)\n"
		   "print(asyncio.run(main()))\n");
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
	ck_assert_msg(run_py(NULL, NULL, NULL, "-c 'import test.test_json'") == 0,
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
