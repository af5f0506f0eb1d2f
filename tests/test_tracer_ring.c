/* SPDX-License-Identifier: MIT */
/* test_tracer_ring.c: the black box end to end. A traced program is killed (SIGKILL),
 * crashes (SIGSEGV, abort) or runs on, and its ring file is read back through the common/
 * ring reader and through vtui's batch modes ($VTUI_BUILD/vtui); the ring directory's
 * checks (symlink, world-writable, full), normal exit and fork. */
#include "tests/tracer_fixtures.h"

#include <errno.h>
#include <signal.h>
#include <sys/mount.h>
#include <time.h>

/* The one ring file in the test dir's subdirectory `sub` (asserted), or NULL when none. */
static char *ring_in(const char *sub, int expect)
{
	static char path[PATH_MAX];
	char **paths = NULL, *cause = NULL;
	int n = vtb_ring_list(path_in(sub), &paths, &cause);
	ck_assert_msg(n == expect, "%d ring files in %s (want %d): %s", n, sub, expect, cause ? cause : "");
	if (n <= 0) {
		vtb_ring_list_free(paths, n);
		free(cause);
		return NULL;
	}
	snprintf(path, sizeof path, "%s", paths[0]);
	vtb_ring_list_free(paths, n);
	return path;
}

static vtb_trace *load_ring(const char *path)
{
	char *cause = NULL;
	vtb_trace *t = vtb_trace_load(path, 0, NULL, NULL, &cause);
	ck_assert_msg(t != NULL, "loading %s: %s", path, cause ? cause : "?");
	ck_assert_uint_eq(vtb_trace_header(t)->reason, VTB_REASON_RING);
	return t;
}

/* The calls of `name` carrying every flag of `flags`. */
static size_t count_named_flagged(const vtb_trace *t, const char *name, unsigned flags)
{
	size_t n = 0;
	for (size_t i = 0; i < vtb_trace_thread_count(t); i++) {
		const vtb_thread *th = vtb_trace_thread(t, i);
		for (uint32_t d = 0; d < th->depth_count; d++)
			for (size_t k = 0; k < th->rows[d].count; k++) {
				const vtb_slice *s = &th->rows[d].slices[k];
				n += !strcmp(name_of(t, s), name) && (s->flags & flags) == flags;
			}
	}
	return n;
}

/* The name of the call that started last on any thread. */
static const char *last_started(const vtb_trace *t)
{
	const vtb_slice *last = NULL;
	for (size_t i = 0; i < vtb_trace_thread_count(t); i++) {
		const vtb_thread *th = vtb_trace_thread(t, i);
		for (uint32_t d = 0; d < th->depth_count; d++)
			for (size_t k = 0; k < th->rows[d].count; k++) {
				const vtb_slice *s = &th->rows[d].slices[k];
				if (!last || s->start_ns >= last->start_ns)
					last = s;
			}
	}
	return last ? name_of(t, last) : "";
}

/* Runs vtui with `args` in the test dir, its output into `out`; the exit status. */
static int run_vtui(const char *out, const char *args)
{
	char cmd[16384], bin[PATH_MAX];
	const char *b = getenv("VTUI_BUILD");
	snprintf(cmd, sizeof cmd, "%s/vtui", b && *b ? b : "build");
	ck_assert_msg(realpath(cmd, bin) != NULL, "no vtui at %s", cmd);
	snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s >'%s' 2>&1", dir, bin, args, out);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void assert_file_has(const char *name, const char *text)
{
	char *s = read_file(name);
	ck_assert_msg(strstr(s, text) != NULL, "%s lacks '%s':\n%s", name, text, s);
	free(s);
}

/* step(i) calls leaf(i), 100 times; then doom() ends the process inside itself. */
/* A file under tests/programs/. */
#define DOOM_PROG "tracer_ring/doom.py"

/* The calls before the death are all there, and the ones running are drawn open. */
static void assert_doom_calls(const vtb_trace *t)
{
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.step"), 100);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.leaf"), 100);
	ck_assert_uint_eq(count_misnested(t, "__main__.leaf", "__main__.step"), 0);
	ck_assert_uint_eq(count_named_flagged(t, "__main__.doom", VTB_CALL_OPEN), 1);
	ck_assert_uint_eq(count_named_flagged(t, "__main__.main", VTB_CALL_OPEN), 1);
	ck_assert_uint_eq(count_named_flagged(t, "__main__.step", VTB_CALL_OPEN), 0);
}

START_TEST(test_sigkill_leaves_ring)
{
	write_program("prog.py", DOOM_PROG);
	ck_assert_int_eq(run_py(NULL, NULL, "err", "-m vtrace -q --ring-dir rings -o t.bin prog.py kill"), 128 + SIGKILL);
	ck_assert_int_ne(access(path_in("t.bin"), F_OK), 0);
	const char *ring = ring_in("rings", 1);
	vtb_trace *t = load_ring(ring);
	assert_doom_calls(t);
	ck_assert_str_eq(last_started(t), "__main__.doom");
	const vtb_header *h = vtb_trace_header(t);
	ck_assert_msg(strstr(h->reason_text, "is gone and never dumped: killed (SIGKILL or the OOM killer?)"),
		      "%s", h->reason_text);
	ck_assert_ptr_nonnull(strstr(h->cmdline, "prog.py kill"));
	ck_assert_ptr_nonnull(thread_named(t, "MainThread"));
	vtb_trace_free(t);
	/* Every batch mode of vtui opens it. */
	char args[PATH_MAX + 64];
	snprintf(args, sizeof args, "--info '%s'", ring);
	ck_assert_int_eq(run_vtui("info.txt", args), 0);
	assert_file_has("info.txt", "dump: ring: pid ");
	assert_file_has("info.txt", "is gone and never dumped: killed (SIGKILL or the OOM killer?)");
	snprintf(args, sizeof args, "stats '%s' --sort calls", ring);
	ck_assert_int_eq(run_vtui("stats.txt", args), 0);
	assert_file_has("stats.txt", "__main__.step");
	snprintf(args, sizeof args, "convert '%s' -o conv.bin", ring);
	ck_assert_int_eq(run_vtui("conv.txt", args), 0);
	t = load("conv.bin");
	assert_doom_calls(t);
	ck_assert_uint_eq(vtb_trace_header(t)->reason, VTB_REASON_RING);
	vtb_trace_free(t);
	snprintf(args, sizeof args, "--render 160x20 '%s'", ring);
	ck_assert_int_eq(run_vtui("render.txt", args), 0);
	assert_file_has("render.txt", "never dumped");
}
END_TEST

/* A wrapped ring: the last 50 records, the step whose entry was overwritten starts at the
 * window's start. */
START_TEST(test_sigkill_wrapped_ring)
{
	write_program("prog.py", DOOM_PROG);
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -q --buffer-size 50 --ring-dir rings prog.py kill"),
			 128 + SIGKILL);
	vtb_trace *t = load_ring(ring_in("rings", 1));
	/* doom's begin, 12 whole steps (4 records each) and the end of the 13th-last. */
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.step"), 13);
	ck_assert_uint_eq(count_named_flagged(t, "__main__.step", VTB_CALL_ENTRY_LOST), 1);
	ck_assert_uint_eq(count_named_flagged(t, "__main__.doom", VTB_CALL_OPEN), 1);
	ck_assert_uint_eq(vtb_trace_header(t)->wrapped, 1);
	vtb_trace_free(t);
}
END_TEST

/* Under the sanitizers (VTRACE_TEST_PRELOAD), ASan must leave the fatal signals to the
 * program: its own handler would report and exit 1 instead. */
#define NO_ASAN_SIGNALS "ASAN_OPTIONS=detect_leaks=0:handle_segv=0:handle_abort=0:handle_sigbus=0 "

START_TEST(test_sigsegv_marks_crash)
{
	extra_env = NO_ASAN_SIGNALS;
	write_program("prog.py", DOOM_PROG);
	int rc = run_py(NULL, NULL, "err", "-X faulthandler -m vtrace -q --ring-dir rings prog.py segv worker-2");
	extra_env = "";
	ck_assert_int_eq(rc, 128 + SIGSEGV);
	/* faulthandler still prints: the crash handler chains to it. */
	assert_file_has("err", "Fatal Python error: Segmentation fault");
	vtb_trace *t = load_ring(ring_in("rings", 1));
	assert_doom_calls(t);
	ck_assert_msg(strstr(vtb_trace_header(t)->reason_text, "crashed: SIGSEGV in thread worker-2"), "%s",
		      vtb_trace_header(t)->reason_text);
	ck_assert_uint_eq(count_calls(t, thread_named(t, "worker-2"), "__main__.step"), 100);
	vtb_trace_free(t);
}
END_TEST

START_TEST(test_abort_marks_crash)
{
	write_program("prog.py", DOOM_PROG);
	extra_env = NO_ASAN_SIGNALS;
	int rc = run_py(NULL, NULL, "err", "-m vtrace -q --ring-dir rings prog.py abort");
	extra_env = "";
	ck_assert_int_eq(rc, 128 + SIGABRT);
	vtb_trace *t = load_ring(ring_in("rings", 1));
	assert_doom_calls(t);
	ck_assert_ptr_nonnull(strstr(vtb_trace_header(t)->reason_text, "crashed: SIGABRT in thread MainThread"));
	vtb_trace_free(t);
}
END_TEST

/* faulthandler enabled after the tracer started chains to the crash handler in turn. */
START_TEST(test_faulthandler_after_start)
{
	write_program("prog.py", "tracer_ring/faulthandler_after_start.py");
	extra_env = NO_ASAN_SIGNALS;
	int rc = run_py(NULL, NULL, "err", "-m vtrace -q --ring-dir rings prog.py");
	extra_env = "";
	ck_assert_int_eq(rc, 128 + SIGSEGV);
	assert_file_has("err", "Fatal Python error: Segmentation fault");
	vtb_trace *t = load_ring(ring_in("rings", 1));
	ck_assert_ptr_nonnull(strstr(vtb_trace_header(t)->reason_text, "crashed: SIGSEGV"));
	ck_assert_uint_eq(count_named_flagged(t, "__main__.boom", VTB_CALL_OPEN), 1);
	vtb_trace_free(t);
}
END_TEST

START_TEST(test_exit_removes_ring)
{
	write_program("prog.py", "tracer_ring/exit_removes_ring.py");
	ck_assert_int_eq(run_py(NULL, NULL, "err", "-m vtrace --ring-dir rings -o t.bin prog.py"), 0);
	ring_in("rings", 0);
	vtb_trace *t = load("t.bin");
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.f"), 1);
	vtb_trace_free(t);
	char *err = read_file("err");
	ck_assert_ptr_null(strstr(err, "anonymous memory"));  /* no warning */
	free(err);
}
END_TEST

/* SIGTERM dumps and ends the process: the ring file goes, as at a normal exit (in /dev/shm
 * it takes memory). When that dump fails, the file stays and says which signal ended the
 * process (it said "killed (SIGKILL or the OOM killer?)"). */
START_TEST(test_sigterm_ring)
{
	write_program("prog.py", DOOM_PROG);
	ck_assert_int_eq(run_py(NULL, NULL, "err", "-m vtrace -q --ring-dir rings -o t.bin prog.py term"),
			 128 + SIGTERM);
	ring_in("rings", 0);
	vtb_trace *t = load("t.bin");
	ck_assert_uint_eq(vtb_trace_header(t)->reason, VTB_REASON_SIGNAL);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.step"), 100);
	vtb_trace_free(t);

	ck_assert_int_eq(run_py(NULL, NULL, "err", "-m vtrace -q --ring-dir rings -o /dev/full prog.py term"),
			 128 + SIGTERM);
	const char *ring = ring_in("rings", 1);
	t = load_ring(ring);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.step"), 100);
	ck_assert_msg(strstr(vtb_trace_header(t)->reason_text, "ended by SIGTERM and never dumped"),
		      "%s", vtb_trace_header(t)->reason_text);
	vtb_trace_free(t);
	ck_assert_int_eq(run_vtui("rings.txt", "--rings rings"), 0);
	assert_file_has("rings.txt", " SIGTERM ");
}
END_TEST

/* A fork child records into a file of its own, with its pid; the parent's goes at its exit. */
START_TEST(test_fork_child_own_ring)
{
	write_program("prog.py", "tracer_ring/fork_child_own_ring.py");
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -q --ring-dir rings -o t.bin prog.py"), 0);
	const char *ring = ring_in("rings", 1);
	char *pid = read_file("child.pid");
	vtb_trace *t = load_ring(ring);
	ck_assert_uint_eq(vtb_trace_header(t)->pid, (uint32_t)atoi(pid));
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.child_work"), 5);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.parent_work"), 0);
	vtb_trace_free(t);
	free(pid);
	/* The parent's dump has its own calls, the child's ring none of them. */
	t = load("t.bin");
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.parent_work"), 3);
	vtb_trace_free(t);
}
END_TEST

/* How many lines of `name` mention `text`. */
static int lines_with(const char *name, const char *text)
{
	char *s = read_file(name);
	int n = 0;
	for (char *p = s; (p = strstr(p, text)); p += strlen(text))
		n++;
	free(s);
	return n;
}

/* The program runs on with anonymous memory and dumps; one warning says why. */
static void assert_refused(const char *ringdir, const char *why)
{
	char args[PATH_MAX];
	write_program("prog.py", "tracer_ring/fork_child_own_ring-2.py");
	snprintf(args, sizeof args, "-m vtrace --ring-dir '%s' -o t.bin prog.py", ringdir);
	ck_assert_int_eq(run_py(NULL, NULL, "err", "%s", args), 0);
	ck_assert_int_eq(lines_with("err", why), 1);
	ck_assert_int_eq(lines_with("err", "anonymous memory"), 1);
	vtb_trace *t = load("t.bin");
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.f"), 1);
	vtb_trace_free(t);
}

START_TEST(test_ring_dir_symlink)
{
	ck_assert_int_eq(mkdir(path_in("real"), 0700), 0);
	ck_assert_int_eq(symlink(path_in("real"), path_in("link")), 0);
	assert_refused(path_in("link"), "is a symbolic link");
	ring_in("real", 0);
}
END_TEST

START_TEST(test_ring_dir_world_writable)
{
	ck_assert_int_eq(mkdir(path_in("open"), 0700), 0);
	ck_assert_int_eq(chmod(path_in("open"), 0777), 0);
	assert_refused(path_in("open"), "is writable by others");
	ring_in("open", 0);
}
END_TEST

/* A directory without room for the ring: a 1 MB tmpfs where it can be mounted (root),
 * else a failing reservation injected (VTRACE_TEST_FALLOCATE_FAIL). */
START_TEST(test_ring_dir_full)
{
	ck_assert_int_eq(mkdir(path_in("small"), 0700), 0);
	int mounted = mount("tmpfs", path_in("small"), "tmpfs", 0, "size=1m,mode=0700") == 0;
	if (!mounted)
		extra_env = "VTRACE_TEST_FALLOCATE_FAIL=1 ";
	assert_refused(path_in("small"), "no room for a ring file");
	extra_env = "";
	ring_in("small", 0);
	if (mounted)
		ck_assert_int_eq(umount(path_in("small")), 0);
}
END_TEST

/* A live process's ring opens as a consistent snapshot, again and again, while it writes. */
START_TEST(test_live_ring_snapshots)
{
	char cmd[PATH_MAX * 2 + 4096];
	write_program("prog.py", "tracer_ring/live_ring_snapshots.py");
	const char *preload = getenv("VTRACE_TEST_PRELOAD");
	char pre[2048] = "";
	if (preload && *preload)
		snprintf(pre, sizeof pre, "LD_PRELOAD='%s' ASAN_OPTIONS=detect_leaks=0 ", preload);
	snprintf(cmd, sizeof cmd, "cd '%s' && %sPYTHONPATH='%s' VTRACE_OPTIONS= '%s' -m vtrace -q --buffer-size 4096 "
		 "--ring-dir rings --no-exit-dump prog.py >/dev/null 2>&1 &", dir, pre, pypath, python());
	ck_assert_int_eq(system(cmd), 0);
	char *pid = NULL;
	/* Slow under the sanitizers: up to a minute to start. */
	for (int i = 0; i < 1200 && !*(pid = read_file("pid")); i++) {
		free(pid);
		usleep(50000);
	}
	const char *ring = ring_in("rings", 1);
	vtb_ring *r = NULL;
	char *cause = NULL;
	ck_assert_msg(vtb_ring_open(ring, &r, &cause) == 0, "%s", cause);
	/* The pid is written before the loop runs: wait (slow under the sanitizers and load)
	 * until the ring holds a hundred calls of work(). */
	for (int i = 0; i < 600; i++) {
		vtb_ring_snap_stats st;
		vtb_trace *t = vtb_ring_snapshot(r, &st, &cause);
		ck_assert_msg(t != NULL, "snapshot: %s", cause);
		size_t calls = count_calls(t, NULL, "__main__.work");
		vtb_trace_free(t);
		if (calls > 100)
			break;
		usleep(100000);
	}
	int full = 0;
	for (int i = 0; i < 20; i++) {
		vtb_ring_snap_stats st;
		vtb_trace *t = vtb_ring_snapshot(r, &st, &cause);
		ck_assert_msg(t != NULL, "snapshot %d: %s", i, cause);
		ck_assert_ptr_nonnull(strstr(vtb_trace_header(t)->reason_text, "is alive: recording"));
		ck_assert_uint_eq(st.bad, 0);
		ck_assert_uint_le(st.records, 4096);
		/* the kept model drops what the writer overwrote: it never outgrows the ring */
		ck_assert_uint_le(vtb_trace_event_count(t), 4096 + 64);
		/* Every work() holds exactly one leaf(): nothing torn made it in. */
		ck_assert_uint_eq(count_misnested(t, "__main__.leaf", "__main__.work"), 0);
		/* A reader descheduled while it copies (a loaded machine) may see the writer lap
		 * this small ring: what was overwritten is dropped and counted, not shown. */
		if (count_calls(t, NULL, "__main__.work") > 100)
			full++;
		else
			ck_assert_uint_gt(st.overwritten, 0);
		vtb_trace_free(t);
	}
	ck_assert_int_gt(full, 10);
	vtb_ring_info in;
	ck_assert_int_eq(vtb_ring_info_read(r, &in, &cause), 0);
	ck_assert_int_eq(in.alive, 1);
	ck_assert_uint_eq(in.pid, (uint32_t)atoi(pid));
	write_file("stop", "");
	for (int i = 0; i < 1200 && kill(atoi(pid), 0) == 0; i++)
		usleep(50000);
	ck_assert_int_ne(kill(atoi(pid), 0), 0);
	vtb_ring_close(r);
	ring_in("rings", 0); /* a normal exit took it away */
	free(pid);
}
END_TEST

/* Bytes the file system allocated to the file. */
static long long allocated(const char *path)
{
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	return (long long)st.st_blocks * 512;
}

/* A short run reserves a few hundred KB of its 25 MB ring file; a kernel without
 * MADV_POPULATE_WRITE (before 5.14) reserves all of it at start. Either file reads back. */
START_TEST(test_ring_reserved_as_written)
{
	write_program("prog.py", DOOM_PROG);
	for (int old = 0; old <= 1; old++) {
		extra_env = old ? "VTRACE_TEST_NO_POPULATE=1 " : "";
		int rc = run_py(NULL, NULL, "err", "-m vtrace -q --ring-dir %s prog.py kill", old ? "old" : "new");
		extra_env = "";
		ck_assert_int_eq(rc, 128 + SIGKILL);
		const char *ring = ring_in(old ? "old" : "new", 1);
		struct stat st;
		ck_assert_int_eq(stat(ring, &st), 0);
		ck_assert_int_gt(st.st_size, 25000000);
		if (old)
			ck_assert_int_ge(allocated(ring), st.st_size);
		else
			ck_assert_int_lt(allocated(ring), 2000000);
		vtb_trace *t = load_ring(ring);
		assert_doom_calls(t);
		ck_assert_uint_eq(vtb_trace_header(t)->ring_capacity, 1000000);
		vtb_trace_free(t);
	}
}
END_TEST

/* ---- a ring directory that runs out of room while the program records ---- */

#define OUTGROWN_ARGS "--buffer-size 100000 --log-args --ring-dir small"
#define OUTGROWN_WARNING "the ring keeps 2048 events from now on (of 100000)"

/* The directory `small` with room for the ring file's start but not for all of it: a 4 MB
 * tmpfs the program fills up after its first calls where one can be mounted (root), else a
 * file system of 400 KB injected (VTRACE_TEST_RING_ROOM). The program's arguments into
 * args. Returns whether a tmpfs was mounted. */
static int outgrown_dir(char *args, size_t len)
{
	ck_assert_int_eq(mkdir(path_in("small"), 0700), 0);
	int mounted = mount("tmpfs", path_in("small"), "tmpfs", 0, "size=4m,mode=0700") == 0;
	extra_env = mounted ? "" : "VTRACE_TEST_RING_ROOM=409600 ";
	snprintf(args, len, "%s", mounted ? "fill small" : "");
	return mounted;
}

/* The program may still be exiting (its mapping keeps the tmpfs busy): up to a minute. */
static void outgrown_done(int mounted)
{
	extra_env = "";
	int rc = mounted ? umount(path_in("small")) : 0;
	for (int i = 0; i < 1200 && rc < 0 && errno == EBUSY; i++) {
		usleep(50000);
		rc = umount(path_in("small"));
	}
	ck_assert_int_eq(rc, 0);
}

/* What a reader sees of the program that outgrew its directory: the ring shrank to the 2048
 * records it had reserved, and holds the last of them, whole. */
static void assert_outgrown(const vtb_trace *t)
{
	ck_assert_uint_eq(vtb_trace_header(t)->ring_capacity, 2048);
	ck_assert_uint_eq(vtb_trace_header(t)->wrapped, 1);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.last"), 1);
	/* 3 records a call (begin, arguments, end): about 680 of them, all of phase two. */
	size_t steps = count_calls(t, NULL, "__main__.step");
	ck_assert_msg(steps > 600 && steps < 700, "%zu steps", steps);
	ck_assert_uint_ge(count_calls(t, NULL, "__main__.phase"), 1); /* the one after last() */
}

/* How many ring files `sub` holds. */
static int rings_in(const char *sub)
{
	char **paths = NULL, *cause = NULL;
	int n = vtb_ring_list(path_in(sub), &paths, &cause);
	vtb_ring_list_free(paths, n);
	free(cause);
	return n;
}

/* The exit dump: one warning, then the ring's last events with their arguments (the arena
 * wrapped at what it had reserved). */
START_TEST(test_ring_dir_outgrown)
{
	char args[64];
	write_program("prog.py", "tracer_ring/outgrows_ring_dir.py");
	int mounted = outgrown_dir(args, sizeof args);
	int rc = run_py(NULL, NULL, "err", "-m vtrace " OUTGROWN_ARGS " -o t.bin prog.py %s", args);
	outgrown_done(mounted);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(lines_with("err", "no room left for the ring file"), 2);
	ck_assert_int_eq(lines_with("err", OUTGROWN_WARNING), 1);
	ck_assert_int_eq(lines_with("err", "the arena keeps 262144 bytes of texts from now on (of 400000)"), 1);
	vtb_trace *t = load("t.bin");
	assert_outgrown(t);
	ck_assert_uint_eq(count_misnested(t, "__main__.step", "__main__.<module>"), 0);
	const vtb_thread *th = thread_named(t, "MainThread");
	ck_assert_ptr_nonnull(th);
	const vtb_slice *last = NULL;
	uint32_t last_k = 0;
	for (uint32_t k = 0; k < th->rows[1].count; k++)
		if (!strcmp(name_of(t, &th->rows[1].slices[k]), "__main__.step"))
			last = &th->rows[1].slices[k], last_k = k;
	ck_assert_ptr_nonnull(last);
	const vtb_attachment *a = vtb_thread_attachment(th, 1, last_k);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(strstr(a->args, "i=19999, pad='yyy"));
	vtb_trace_free(t);
	ring_in("small", 0);
}
END_TEST

/* Killed after it outgrew its directory: the ring file says the new capacity. */
START_TEST(test_ring_dir_outgrown_killed)
{
	char args[64];
	write_program("prog.py", "tracer_ring/outgrows_ring_dir.py");
	int mounted = outgrown_dir(args, sizeof args);
	int rc = run_py(NULL, NULL, "err", "-m vtrace -q " OUTGROWN_ARGS " prog.py %s kill", args);
	ck_assert_int_eq(rc, 128 + SIGKILL);
	ck_assert_int_eq(lines_with("err", "no room left"), 0); /* -q */
	vtb_trace *t = load_ring(ring_in("small", 1));
	outgrown_done(mounted);
	assert_outgrown(t);
	vtb_trace_free(t);
}
END_TEST

/* Waits for the program's file `name` (up to a minute: the sanitizers are slow). */
static void wait_for(const char *name)
{
	for (int i = 0; i < 1200 && access(path_in(name), F_OK) != 0; i++)
		usleep(50000);
	ck_assert_msg(access(path_in(name), F_OK) == 0, "the program never wrote %s", name);
}

/* A live reader follows the ring across the shrink: its next snapshot reads the new
 * capacity, not slots of the old one. */
START_TEST(test_ring_dir_outgrown_live)
{
	char args[64], cmd[PATH_MAX * 2 + 4096], *cause = NULL;
	write_program("prog.py", "tracer_ring/outgrows_ring_dir.py");
	int mounted = outgrown_dir(args, sizeof args);
	const char *preload = getenv("VTRACE_TEST_PRELOAD");
	char pre[2048] = "";
	if (preload && *preload)
		snprintf(pre, sizeof pre, "LD_PRELOAD='%s' ASAN_OPTIONS=detect_leaks=0 ", preload);
	snprintf(cmd, sizeof cmd, "cd '%s' && %s%sPYTHONPATH='%s' VTRACE_OPTIONS= '%s' -m vtrace -q " OUTGROWN_ARGS
		 " --no-exit-dump prog.py %s wait >/dev/null 2>&1 &", dir, pre, extra_env, pypath, python(), args);
	ck_assert_int_eq(system(cmd), 0);
	wait_for("one");
	vtb_ring *r = NULL;
	ck_assert_msg(vtb_ring_open(ring_in("small", 1), &r, &cause) == 0, "%s", cause);
	vtb_ring_snap_stats st;
	vtb_trace *t = vtb_ring_snapshot(r, &st, &cause);
	ck_assert_msg(t != NULL, "snapshot: %s", cause);
	ck_assert_uint_eq(vtb_trace_header(t)->ring_capacity, 100000);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.step"), 300);
	vtb_trace_free(t);
	write_file("one.go", "");
	wait_for("two");
	t = vtb_ring_snapshot(r, &st, &cause);
	ck_assert_msg(t != NULL, "snapshot: %s", cause);
	ck_assert_uint_eq(st.bad, 0);
	ck_assert_ptr_nonnull(strstr(vtb_trace_header(t)->reason_text, "is alive: recording"));
	assert_outgrown(t);
	vtb_trace_free(t);
	write_file("two.go", "");
	vtb_ring_close(r);
	for (int i = 0; i < 1200 && rings_in("small") > 0; i++)
		usleep(50000);
	outgrown_done(mounted);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tracer_ring");
	const struct tf_case cases[] = {
		{ "sigkill", test_sigkill_leaves_ring },
		{ "sigkill_wrapped", test_sigkill_wrapped_ring },
		{ "sigsegv", test_sigsegv_marks_crash },
		{ "abort", test_abort_marks_crash },
		{ "faulthandler_after", test_faulthandler_after_start },
		{ "exit_removes", test_exit_removes_ring },
		{ "sigterm_ring", test_sigterm_ring },
		{ "fork_child", test_fork_child_own_ring },
		{ "dir_symlink", test_ring_dir_symlink },
		{ "dir_world_writable", test_ring_dir_world_writable },
		{ "dir_full", test_ring_dir_full },
		{ "live", test_live_ring_snapshots },
		{ "reserved_as_written", test_ring_reserved_as_written },
		{ "dir_outgrown", test_ring_dir_outgrown },
		{ "dir_outgrown_killed", test_ring_dir_outgrown_killed },
		{ "dir_outgrown_live", test_ring_dir_outgrown_live },
	};
	tf_add_cases(s, cases, sizeof cases / sizeof *cases, 150);
	return tf_run(s);
}
