/* SPDX-License-Identifier: MIT */
/* test_tracer_live.c: vtui --live on a running traced program, in a terminal (tmux). The
 * program calls phase_a until the test creates the file `b`, then phase_b until `end`:
 * the view shows phase_a, then phase_b without a key; P freezes it, :dump writes the
 * snapshot (checked by the reader and vtui stats); the header says when the program has
 * exited; vtui stats --live prints each interval's functions. A busy program with a small
 * ring laps the viewer, whose header counts the records it lost; its stats panel follows
 * the program; asking it to dump goes through its --dump-signal (waiting for the dump or
 * not), each dump accounted for; Enter on a running process in vtui --rings follows it
 * live. Threads renamed while they run show their new names at the next snapshot, in the
 * view and in dumps. The binary is $VTUI_BUILD/vtui (default "build"). */
#include "tests/tracer_fixtures.h"
#include "tests/tmux_harness.h"

#include <signal.h>
#include <time.h>

static char vtui[512];

/* A file under tests/programs/. */
#define PHASES_PROG "tracer_live/phases.py"

/* Calls small functions as fast as it can (busy_a, then busy_b once `b` exists). */
#define BUSY_PROG "tracer_live/busy.py"

/* Starts tests/programs/`program` as prog.py under vtrace (with `opts`) in the background
 * in `sub` of the test dir ("." or a new directory); its pid once it runs (waits up to
 * 20 s). The sanitiser runtime goes first, as run_py puts it. */
static int start_prog_with(const char *sub, const char *program, const char *opts)
{
	struct timespec nap = { 0, 50 * 1000 * 1000 };
	const char *preload = getenv("VTRACE_TEST_PRELOAD");
	char pre[2048] = "", name[64];
	char *pid = NULL;

	if (preload && *preload)
		snprintf(pre, sizeof pre, "LD_PRELOAD='%s' ASAN_OPTIONS=detect_leaks=0 ", preload);
	ck_assert_int_eq(sh("mkdir -p '%s/%s'", dir, sub), 0);
	snprintf(name, sizeof name, "%s/prog.py", sub);
	write_program(name, program);
	ck_assert_int_eq(sh("cd '%s/%s' && %sPYTHONPATH='%s' XDG_RUNTIME_DIR='%s' VTRACE_OPTIONS= '%s' -m vtrace -q "
			    "-o out.vtb %s prog.py </dev/null >/dev/null 2>err &", dir, sub, pre, pypath, dir, python(), opts), 0);
	snprintf(name, sizeof name, "%s/pid", sub);
	for (int i = 0; i < 400; i++) {
		free(pid);
		pid = read_file(name);
		if (*pid)
			break;
		nanosleep(&nap, NULL);
	}
	ck_assert_msg(*pid, "prog.py never started in %s", sub);
	int n = atoi(pid);
	free(pid);
	return n;
}

static int start_prog(const char *sub)
{
	return start_prog_with(sub, PHASES_PROG, "");
}

static void live_setup(void)
{
	setup();
	tmux_find_vtui(vtui, sizeof vtui);
}

/* Ends the program in `sub` ("." or a directory) from either phase: `end` alone would leave
 * one in phase_a running on for its 100 s. */
static void end_prog(const char *sub)
{
	ck_assert_int_eq(sh("cd '%s' && test ! -d '%s' || touch '%s/b' '%s/end'", dir, sub, sub, sub), 0);
}

static void live_teardown(void)
{
	end_prog(".");
	end_prog("two");
	tmux_stop();
	teardown();
}

/* Waits up to 20 s for the file `name` of the test dir: whether it came. */
static int wait_file(const char *name)
{
	for (int i = 0; i < 400; i++) {
		if (access(path_in(name), F_OK) == 0)
			return 1;
		nanosleep(&(struct timespec){ 0, 50 * 1000 * 1000 }, NULL);
	}
	return 0;
}

/* The dumps in the test dir, one name a line, sorted. The caller frees. */
static char *dumps(void)
{
	return sh_out("cd '%s' && ls -1 out*.vtb 2>/dev/null", dir);
}

/* The dump `name` was written for reason `reason` (enum vtb_reason) with `text`. */
static void assert_reason(const char *name, uint32_t reason, const char *text)
{
	vtb_trace *t = load(name);
	const vtb_header *h = vtb_trace_header(t);

	ck_assert_msg(h->reason == reason && !strcmp(h->reason_text ? h->reason_text : "", text),
		      "%s: reason %u (%s), not %u (%s)", name, h->reason, h->reason_text, reason, text);
	vtb_trace_free(t);
}

START_TEST(test_live_follows_freezes_dumps_ends)
{
	char cmd[8192];
	int pid = start_prog(".");

	snprintf(cmd, sizeof cmd, "XDG_RUNTIME_DIR='%s' timeout --foreground 120 '%s' --live %d --window 3s",
		 dir, vtui, pid);
	tmux_start_in(dir, 140, 24, cmd);
	tmux_expect("LIVE pid");
	tmux_expect("phase_a");
	write_file("b", "");
	/* no key: the view follows, phase_b comes in and phase_a leaves the 3s window */
	tmux_expect("phase_b");
	tmux_expect_gone("phase_a");
	tmux_expect("(3s)"); /* the status line's view span: the --window */

	/* a folded thread stays folded across snapshots */
	tmux_keys("z");
	tmux_expect("\u25b8 MainThread");
	nanosleep(&(struct timespec){ 1, 0 }, NULL);
	tmux_expect("\u25b8 MainThread");
	tmux_keys("z");
	tmux_expect("\u25be MainThread");
	tmux_expect("phase_b");

	tmux_keys("P");
	tmux_expect("FROZEN pid");
	char *before = tmux_capture(0);
	struct timespec second = { 1, 0 };
	nanosleep(&second, NULL);
	char *after = tmux_capture(0);
	ck_assert_msg(!strcmp(before, after), "the frozen view changed:\n%s\n---\n%s", before, after);
	free(before);
	free(after);
	tmux_type(":dump live.vtb");
	tmux_keys("Enter");
	tmux_expect("wrote live.vtb");
	/* W: the same with a name of its own */
	char wrote[64];
	snprintf(wrote, sizeof wrote, "wrote vtrace-%d-", pid);
	tmux_keys("W");
	tmux_expect(wrote);
	ck_assert_int_eq(sh("cd '%s' && test -s vtrace-%d-*.vtb", dir, pid), 0);
	/* the program has no dump signal: nothing is sent, and the message says why */
	tmux_type(":ask-dump");
	tmux_keys("Enter");
	tmux_expect("has no dump signal");
	vtb_trace *t = load("live.vtb");
	ck_assert_uint_gt(count_affix(t, "__main__.", "phase_b", 0), 0);
	ck_assert_uint_gt(count_affix(t, "__main__.", "phase_a", 0), 0);
	vtb_trace_free(t);
	char *stats = sh_out("'%s' stats '%s' --format csv", vtui, path_in("live.vtb"));
	ck_assert_msg(strstr(stats, "phase_a") && strstr(stats, "phase_b"), "stats of the dump:\n%s", stats);
	free(stats);

	tmux_keys("P");
	tmux_expect("LIVE pid");
	write_file("end", "");
	tmux_expect("ENDED: ");
	tmux_expect("exited");
	tmux_expect("phase_b"); /* the last data stays */
	tmux_keys("q");
	tmux_expect("EXIT=0");
}
END_TEST

START_TEST(test_live_errors)
{
	char *out = sh_out("XDG_RUNTIME_DIR='%s' '%s' --live 4194303 2>&1; echo rc=$?", dir, vtui);
	ck_assert_msg(strstr(out, "no ring file of pid 4194303") && strstr(out, "rc=1"), "%s", out);
	free(out);
	out = sh_out("XDG_RUNTIME_DIR='%s' '%s' --live 2>&1; echo rc=$?", dir, vtui);
	ck_assert_msg(strstr(out, "no recording process") && strstr(out, "rc=1"), "%s", out);
	free(out);
	out = sh_out("'%s' --live 12x 2>&1; echo rc=$?", vtui);
	ck_assert_msg(strstr(out, "wants a process id") && strstr(out, "rc=2"), "%s", out);
	free(out);
	out = sh_out("'%s' --live --window 0 2>&1; echo rc=$?", vtui);
	ck_assert_msg(strstr(out, "--window wants a duration") && strstr(out, "rc=2"), "%s", out);
	free(out);
	/* another user's ring: refused, saying why (run as nobody when the tests run as root,
	 * the ring directory opened to it) */
	if (geteuid() == 0) {
		ck_assert_int_eq(sh("cd '%s' && chmod 755 . && mkdir -m 755 vtrace && echo x >vtrace/vtrace-123.ring && "
				    "chmod 644 vtrace/vtrace-123.ring", dir), 0);
		out = sh_out("setpriv --reuid=65534 --regid=65534 --clear-groups env XDG_RUNTIME_DIR='%s' '%s' --live 123 "
			     "2>&1; echo rc=$?", dir, vtui);
		ck_assert_msg(strstr(out, "belongs to uid 0: only its owner or root can watch it") && strstr(out, "rc=1"),
			      "%s", out);
		free(out);
		ck_assert_int_eq(sh("rm -r '%s/vtrace'", dir), 0);
	}
	/* two recording processes: --live alone names both */
	int a = start_prog(".");
	int b = start_prog("two");
	out = sh_out("XDG_RUNTIME_DIR='%s' '%s' --live 2>&1 </dev/null; echo rc=$?", dir, vtui);
	char want_a[32], want_b[32];
	snprintf(want_a, sizeof want_a, " %d", a);
	snprintf(want_b, sizeof want_b, " %d", b);
	ck_assert_msg(strstr(out, "several processes record") && strstr(out, want_a) && strstr(out, want_b) &&
		      strstr(out, "rc=1"), "%s (pids %d %d)", out, a, b);
	free(out);
	end_prog("two");
}
END_TEST

/* vtui --live PID in a width x 30 pane, once it shows its header. */
static void start_live(int pid, int width)
{
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "XDG_RUNTIME_DIR='%s' timeout --foreground 120 '%s' --live %d", dir, vtui, pid);
	tmux_start_in(dir, width, 30, cmd);
	tmux_expect("LIVE pid");
}

/* A writer that laps the viewer: the header counts the records the viewer never saw, whole
 * at 80 columns (the ring file's name, which is the pid again, no longer comes first); the
 * stats panel, open, follows the program from busy_a to busy_b without a key. */
START_TEST(test_live_behind_and_stats_panel)
{
	start_live(start_prog_with(".", BUSY_PROG, "--buffer-size 20000"), 80);
	char *pane = tmux_wait_for(" records dropped)");
	ck_assert_msg(strncmp(pane, " LIVE pid ", 10) == 0 && strstr(pane, "(reader fell behind: ") &&
			      strstr(pane, "(reader fell behind: ") < strchr(pane, '\n'),
		      "the header does not start with the state and its count:\n%.300s", pane);
	free(pane);
	tmux_keys("S");
	tmux_expect("busy_a");
	tmux_expect("self");
	write_file("b", "");
	tmux_expect("busy_b");
	tmux_expect_gone("busy_a"); /* the ring holds a few ms: busy_a has left the table */
	tmux_expect("self");
	tmux_keys("S"); /* the panel closes, and q is the viewer's again */
	tmux_expect_gone("self");
	tmux_keys("q");
	tmux_expect("EXIT=0");
}
END_TEST

/* A process started with --dump-signal is asked through it, from the live view and from the
 * command line; the header names the dump. Every dump the process writes is accounted for:
 * the suffix of a later dump is its number in the process (vtrace(1)), so the view's ask
 * writes dump 1 (out.vtb), the shell's dump 2 (out-2.vtb: no out-1 was ever written), the
 * --no-wait ask dump 3 and the exit dump 4. */
START_TEST(test_ask_dump)
{
	int pid = start_prog_with(".", PHASES_PROG, "--dump-signal SIGUSR1");
	char want[512];

	start_live(pid, 200);
	tmux_type(":ask-dump");
	tmux_keys("Enter");
	tmux_expect("asked pid");
	tmux_expect("(SIGUSR1, its --dump-signal)");
	tmux_expect(", dumped to ");
	tmux_expect("out.vtb");
	tmux_keys("q");
	tmux_expect("EXIT=0");
	vtb_trace *t = load("out.vtb");
	ck_assert_uint_gt(count_affix(t, "__main__.", "phase_a", 0), 0);
	vtb_trace_free(t);
	assert_reason("out.vtb", VTB_REASON_SIGNAL, "SIGUSR1");
	/* from the shell: waits for the dump and names it */
	nanosleep(&(struct timespec){ 1, 200000000 }, NULL); /* one signal dump a second */
	char *out = sh_out("XDG_RUNTIME_DIR='%s' '%s' --ask-dump %d 2>&1; echo rc=$?", dir, vtui, pid);
	snprintf(want, sizeof want, "asked pid %d to dump (SIGUSR1, its --dump-signal)\npid %d dumped to %s\nrc=0\n",
		 pid, pid, path_in("out-2.vtb"));
	ck_assert_str_eq(out, want);
	free(out);
	out = dumps();
	ck_assert_str_eq(out, "out-2.vtb\nout.vtb\n");
	free(out);
	assert_reason("out-2.vtb", VTB_REASON_SIGNAL, "SIGUSR1");

	/* --no-wait sends the signal and returns: the process, stopped, cannot have dumped when
	 * vtui exits 0 (waiting, it would have waited 5 s and failed); continued, it dumps */
	nanosleep(&(struct timespec){ 1, 200000000 }, NULL);
	ck_assert_int_eq(kill(pid, SIGSTOP), 0);
	out = sh_out("XDG_RUNTIME_DIR='%s' timeout 4 '%s' --ask-dump %d --no-wait 2>&1; echo rc=$?", dir, vtui, pid);
	kill(pid, SIGCONT);
	snprintf(want, sizeof want, "asked pid %d to dump (SIGUSR1, its --dump-signal)\nrc=0\n", pid);
	ck_assert_str_eq(out, want);
	free(out);
	ck_assert_msg(wait_file("out-3.vtb"), "the dump asked with --no-wait never came");
	assert_reason("out-3.vtb", VTB_REASON_SIGNAL, "SIGUSR1");
	/* the program ends: its exit dump is the fourth and last */
	end_prog(".");
	ck_assert_msg(wait_file("out-4.vtb"), "no exit dump");
	assert_reason("out-4.vtb", VTB_REASON_EXIT, "");
	out = dumps();
	ck_assert_str_eq(out, "out-2.vtb\nout-3.vtb\nout-4.vtb\nout.vtb\n");
	free(out);

	out = sh_out("'%s' --ask-dump 2>&1; '%s' --ask-dump x 2>&1; echo rc=$?", vtui, vtui);
	ck_assert_msg(strstr(out, "usage: vtui --ask-dump PID") && strstr(out, "rc=2"), "%s", out);
	free(out);
	/* a process without a dump signal is not signalled (SIGUSR1 would kill it) */
	int other = start_prog("two");
	out = sh_out("XDG_RUNTIME_DIR='%s' '%s' --ask-dump %d 2>&1; echo rc=$?", dir, vtui, other);
	ck_assert_msg(strstr(out, "has no dump signal") && strstr(out, "rc=1"), "%s", out);
	free(out);
	ck_assert_int_eq(kill(other, 0), 0);
	end_prog("two");
	out = sh_out("XDG_RUNTIME_DIR='%s' '%s' --ask-dump 4194303 2>&1; echo rc=$?", dir, vtui);
	ck_assert_msg(strstr(out, "no ring file of pid 4194303") && strstr(out, "rc=1"), "%s", out);
	free(out);
}
END_TEST

/* vtui --rings: Enter on a running process follows it live. */
START_TEST(test_rings_enter_follows)
{
	char cmd[8192];
	int pid = start_prog(".");

	snprintf(cmd, sizeof cmd, "XDG_RUNTIME_DIR='%s' timeout --foreground 120 '%s' --rings", dir, vtui);
	tmux_start_in(dir, 160, 24, cmd);
	tmux_expect("recording");
	tmux_keys("Enter");
	char want[32];
	snprintf(want, sizeof want, "LIVE pid %d", pid);
	tmux_expect(want);
	tmux_expect("phase_a");
	write_file("b", "");
	tmux_expect("phase_b"); /* following: no key */
	tmux_keys("q");
	tmux_expect("EXIT=0");
}
END_TEST

/* Runs vtui stats --live on the running program; its output (the caller frees) and status. */
static char *stats_live(int pid, const char *opts, int *rc)
{
	char *out = sh_out("XDG_RUNTIME_DIR='%s' '%s' stats --live %d %s 2>&1; echo rc=$?", dir, vtui, pid, opts);
	char *st = strstr(out, "rc=");
	ck_assert_ptr_nonnull(st);
	*rc = atoi(st + 3);
	return out;
}

START_TEST(test_stats_live_intervals)
{
	int pid = start_prog("."), rc;
	char *out = stats_live(pid, "--interval 1s --count 1", &rc);

	ck_assert_msg(rc == 0 && strstr(out, "# interval 1 of pid") && strstr(out, "__main__.phase_a") &&
		      !strstr(out, "phase_b") && !strstr(out, "# interval 2"), "%s", out);
	free(out);
	write_file("b", "");
	nanosleep(&(struct timespec){ 1, 0 }, NULL); /* the phase_a call running then ends in 0.3s */
	out = stats_live(pid, "--interval 1s --count 2 --format csv", &rc);
	char *second = strstr(out, "\n\nname,calls,total,self,mean,max\n");
	ck_assert_msg(rc == 0 && !strncmp(out, "name,calls,total,self,mean,max\n", 31) && second &&
		      strstr(out, "__main__.phase_b,") && strstr(second, "__main__.phase_b,") &&
		      !strstr(out, "phase_a"), "%s", out);
	free(out);
	/* the program ends while stats follows it: status 4, the last interval printed */
	ck_assert_int_eq(sh("(sleep 1; touch '%s') &", path_in("end")), 0);
	out = stats_live(pid, "--interval 400ms --format json", &rc);
	ck_assert_msg(rc == 4 && strstr(out, "\"functions\"") && strstr(out, "__main__.phase_b"), "%s", out);
	free(out);
	out = stats_live(pid, "--count 1", &rc);
	ck_assert_msg(rc == 1 && strstr(out, "no ring file of pid"), "%s", out);
	free(out);
	out = sh_out("'%s' stats --live 1 trace.bin 2>&1; '%s' stats x.bin --count 2 2>&1; echo rc=$?", vtui, vtui);
	ck_assert_msg(strstr(out, "--live reads the process") && strstr(out, "go with --live") && strstr(out, "rc=2"),
		      "%s", out);
	free(out);
}
END_TEST

/* Threads renamed as they run (tests/programs/tracer_live/renames.py), and one renamed
 * before it starts. */
#define RENAMES_PROG "tracer_live/renames.py"
static const char *const old_names[] = { "worker-old", "sleeper-old", "quiet-old", "MainThread" };
static const char *const new_names[] = { "worker-7", "sleeper-9", "quiet-3", "boss", "early-new" };
#define NNAMES(a) (sizeof a / sizeof *a)

/* The path of the one ring file in the test dir (asserted); a static buffer. */
static const char *ring_path(void)
{
	static char path[PATH_MAX];
	char **paths = NULL, *cause = NULL;
	int n = vtb_ring_list(path_in("vtrace"), &paths, &cause);
	ck_assert_msg(n == 1, "%d ring files: %s", n, cause ? cause : "");
	snprintf(path, sizeof path, "%s", paths[0]);
	vtb_ring_list_free(paths, n);
	return path;
}

/* The ring file of the one process recording in the test dir, open. */
static vtb_ring *open_ring(void)
{
	char *cause = NULL;
	vtb_ring *r = NULL;
	ck_assert_msg(vtb_ring_open(ring_path(), &r, &cause) == 0, "%s", cause);
	return r;
}

/* The one ring file in the test dir, read whole (as vtui opens it). */
static vtb_trace *load_ring_file(void)
{
	char *cause = NULL;
	vtb_trace *t = vtb_trace_load(ring_path(), 0, NULL, NULL, &cause);
	ck_assert_msg(t != NULL, "loading the ring file: %s", cause ? cause : "?");
	return t;
}

/* Runs tests/programs/`program`, which kills itself (SIGKILL), and reads the ring file it
 * left. */
static vtb_trace *killed_ring(const char *program, const char *out)
{
	write_program("prog.py", program);
	ck_assert_int_eq(run_py(NULL, out, "err", "prog.py"), 128 + SIGKILL);
	return load_ring_file();
}

static vtb_trace *snapshot(vtb_ring *r)
{
	vtb_ring_snap_stats st;
	char *cause = NULL;
	vtb_trace *t = vtb_ring_snapshot(r, &st, &cause);
	ck_assert_msg(t != NULL, "snapshot: %s", cause ? cause : "?");
	return t;
}

/* Does trace `t` have a thread of each name in `names` (want 1), or of none (want 0)? */
static int names_are(const vtb_trace *t, const char *const *names, size_t n, int want)
{
	for (size_t i = 0; i < n; i++)
		if ((thread_named(t, names[i]) != NULL) != want)
			return 0;
	return 1;
}

/* The thread names of `t`, for a message: a static buffer. */
static const char *thread_names(const vtb_trace *t)
{
	static char buf[1024];
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < vtb_trace_thread_count(t) && len < sizeof buf; i++)
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", i ? ", " : "", vtb_trace_thread(t, i)->name);
	return buf;
}

/* Asserts `t` names the threads by their new names and none by an old one. */
static void assert_renamed(const vtb_trace *t, const char *what)
{
	ck_assert_msg(names_are(t, new_names, NNAMES(new_names), 1) && names_are(t, old_names, NNAMES(old_names), 0),
		      "%s names the threads %s", what, thread_names(t));
}

/* A rename, by the thread itself or by another, and the main thread's own, reach the ring
 * file at once: the live reader's next snapshot names the threads by their new names while
 * they run, and so does the ring file read whole; the exit dump too. */
START_TEST(test_renames_reach_ring)
{
	start_prog_with(".", RENAMES_PROG, "");
	vtb_ring *r = open_ring();
	vtb_trace *t = NULL;
	/* every thread has recorded a call (up to a minute: the sanitizers are slow) */
	for (int i = 0; i < 600; i++) {
		vtb_trace_free(t);
		t = snapshot(r);
		if (names_are(t, old_names, NNAMES(old_names), 1) && thread_named(t, "early-new"))
			break;
		nanosleep(&(struct timespec){ 0, 100 * 1000 * 1000 }, NULL);
	}
	ck_assert_msg(names_are(t, old_names, NNAMES(old_names), 1), "before the renames: %s", thread_names(t));
	vtb_trace_free(t);
	write_file("go", "");
	ck_assert(wait_file("worker-renamed") && wait_file("main-renamed"));
	t = snapshot(r);
	assert_renamed(t, "the next snapshot");
	vtb_trace_free(t);
	t = load_ring_file();
	assert_renamed(t, "the ring file");
	vtb_trace_free(t);
	vtb_ring_close(r);
	write_file("end", "");
	ck_assert_msg(wait_file("out.vtb"), "no exit dump"); /* written whole, then renamed */
	t = load("out.vtb");
	assert_renamed(t, "the exit dump");
	vtb_trace_free(t);
}
END_TEST

/* The live view names a thread by its new name at the next refresh, without a key; :dump
 * writes the snapshot with the new names. */
START_TEST(test_live_view_renames)
{
	start_live(start_prog_with(".", RENAMES_PROG, ""), 160);
	tmux_keys("z"); /* every thread folded: one line each */
	tmux_expect("worker-old");
	tmux_expect("sleeper-old");
	write_file("go", "");
	tmux_expect("worker-7");
	tmux_expect("sleeper-9");
	tmux_expect("quiet-3");
	tmux_expect("boss");
	tmux_expect_gone("worker-old");
	tmux_type(":dump live.vtb");
	tmux_keys("Enter");
	tmux_expect("wrote live.vtb");
	vtb_trace *t = load("live.vtb");
	assert_renamed(t, "the view's dump");
	vtb_trace_free(t);
	tmux_keys("q");
	tmux_expect("EXIT=0");
}
END_TEST

/* A thread running before the tracer started renames itself while it records, then ends:
 * the dump names it by its new name. Thread.name is wrapped only while a tracer records. */
START_TEST(test_early_thread_renamed)
{
	write_program("prog.py", "tracer_live/renames_early.py");
	ck_assert_int_eq(run_py(NULL, "out", "err", "prog.py"), 0);
	char *out = read_file("out");
	ck_assert_str_eq(out, "wrapped True\nnamed early-renamed\nrestored True\nwrapped again True\n"
			      "restored again True\ndumped True\n");
	free(out);
	vtb_trace *t = load("out.vtb");
	ck_assert_msg(thread_named(t, "early-renamed") && !thread_named(t, "early-old"), "the dump names the threads %s",
		      thread_names(t));
	vtb_trace_free(t);
}
END_TEST

/* A tracer started again with another ring size maps a new ring file: the threads that
 * run on keep there the names the old file gave them, at their start or by a rename. */
START_TEST(test_names_survive_new_ring)
{
	vtb_trace *t = killed_ring("tracer_live/renames_remap.py", NULL);
	ck_assert_msg(thread_named(t, "keeper") && thread_named(t, "renamed-new"), "the ring file names the threads %s",
		      thread_names(t));
	ck_assert_uint_eq(count_calls(t, thread_named(t, "keeper"), "__main__.work"), 1);
	vtb_trace_free(t);
}
END_TEST

/* Threads running before the tracer started are named in the ring file as they first
 * record: by their name at the start, or by a rename made before. */
START_TEST(test_early_threads_named_in_ring)
{
	vtb_trace *t = killed_ring("tracer_live/renames_early_ring.py", NULL);
	ck_assert_msg(thread_named(t, "busy-early") && thread_named(t, "idle-new") && !thread_named(t, "idle-old"),
		      "the ring file names the threads %s", thread_names(t));
	ck_assert_uint_eq(count_calls(t, thread_named(t, "idle-new"), "__main__.work"), 1);
	vtb_trace_free(t);
}
END_TEST

/* The setter that tells renames is no frame of its own: a rename meets the recursion
 * limit as deep as without the tracer. */
START_TEST(test_rename_at_recursion_limit)
{
	write_program("prog.py", "tracer_live/rename_at_limit.py");
	ck_assert_int_eq(run_py(NULL, "plain", "err", "prog.py"), 0);
	ck_assert_int_eq(run_py(NULL, "traced", "err", "-m vtrace -q -o t.vtb prog.py"), 0);
	char *plain = read_file("plain"), *traced = read_file("traced");
	ck_assert_int_gt(atoi(plain), 800);
	ck_assert_str_eq(traced, plain);
	free(plain);
	free(traced);
}
END_TEST

/* Renames spend a bounded share of the ring file's strings, and an unchanged name none:
 * the functions met after many renames keep their names in the file. */
START_TEST(test_renames_bounded)
{
	vtb_trace *t = killed_ring("tracer_live/renames_bounded.py", "out");
	char *out = read_file("out");
	ck_assert_str_eq(out, "['threads renamed too often: the ring file shows some of them by an older name']\n");
	free(out);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.late"), 1);
	/* a name from the second loop (the first spent nothing), not its last */
	ck_assert_uint_eq(vtb_trace_thread_count(t), 1);
	const char *name = vtb_trace_thread(t, 0)->name;
	ck_assert_msg(!strncmp(name, "task-", 5) && strcmp(name, "task-029999"), "the thread is named %s", name);
	vtb_trace_free(t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tracer_live");
	TCase *tc = tcase_create("live");

	tcase_add_checked_fixture(tc, live_setup, live_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_live_follows_freezes_dumps_ends);
	tcase_add_test(tc, test_live_errors);
	tcase_add_test(tc, test_stats_live_intervals);
	tcase_add_test(tc, test_live_behind_and_stats_panel);
	tcase_add_test(tc, test_ask_dump);
	tcase_add_test(tc, test_rings_enter_follows);
	tcase_add_test(tc, test_renames_reach_ring);
	tcase_add_test(tc, test_live_view_renames);
	tcase_add_test(tc, test_early_thread_renamed);
	tcase_add_test(tc, test_renames_bounded);
	tcase_add_test(tc, test_rename_at_recursion_limit);
	tcase_add_test(tc, test_names_survive_new_ring);
	tcase_add_test(tc, test_early_threads_named_in_ring);
	suite_add_tcase(s, tc);
	return tf_run(s);
}
