/* SPDX-License-Identifier: MIT */
/* test_follow.c: following a process through its ring file (common/vtb_follow.h) on ring
 * files made by hand in a ring directory of the test's own: finding the ring of a pid or
 * the one recording process, the refusals (no ring, several, another pid's ring, another
 * user's file), snapshots as the writer goes on (due or not, the reader lapped, the last one
 * after the end) and the window. Links common/ only. */
#define _GNU_SOURCE /* asprintf, mkdtemp */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/vtb.h"
#include "common/vtb_follow.h"
#include "tests/ring_fixture.h"

#define DEAD_PID 4194303u /* above any pid_max this machine uses: never alive */

static char dir[PATH_MAX];
static char rings[PATH_MAX + 16];

static void setup(void)
{
	strcpy(dir, "/tmp/vtui-follow-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(rings, sizeof rings, "%s/vtrace", dir);
	ck_assert_int_eq(mkdir(rings, 0700), 0);
	ck_assert_int_eq(setenv("XDG_RUNTIME_DIR", dir, 1), 0);
}

static void teardown(void)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* The ring file named after `pid` in the ring directory (static buffer). */
static const char *ring_path(uint32_t pid)
{
	static char p[PATH_MAX + 64];
	snprintf(p, sizeof p, "%s/vtrace-%u.ring", rings, pid);
	return p;
}

/* Writes `r` as the ring file of `name_pid` (rewritten in place when it exists: a reader
 * reads it with pread, as it reads the writer's mapping). */
static void put(const rf_ring *r, uint32_t name_pid)
{
	FILE *f = fopen(ring_path(name_pid), "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(r->buf, 1, r->len, f), r->len);
	ck_assert_int_eq(fclose(f), 0);
}

/* A ring of process `pid` in state `state` that ran f() `calls` times from 2 ms, 10 us each. */
static void ring_of(rf_ring *r, uint32_t pid, uint32_t state, int calls)
{
	rf_init(r, state);
	r->h->pid = pid;
	uint32_t f = rf_code(r, "__main__.f");
	rf_thread(r, 1, "MainThread");
	for (int i = 0; i < calls; i++) {
		rf_push(r, 2000000 + 20000u * (uint64_t)i, f, 0, VTB_RK_BEGIN);
		rf_push(r, 2010000 + 20000u * (uint64_t)i, f, 0, VTB_RK_END);
	}
}

static size_t calls_of(const vtb_trace *t)
{
	size_t n = 0;
	for (size_t i = 0; i < vtb_trace_thread_count(t); i++)
		n += vtb_trace_thread(t, i)->depth_count ? vtb_trace_thread(t, i)->rows[0].count : 0;
	return n;
}

/* vtb_follow_open(pid, path, window) that must succeed; its first snapshot into *t. */
static vtb_follow *followed(uint32_t pid, const char *path, uint64_t window_ns, vtb_trace **t)
{
	char *cause = NULL;
	vtb_follow *f = vtb_follow_open(pid, path, window_ns, t, &cause);

	ck_assert_msg(f != NULL && *t != NULL, "pid %u %s: %s", pid, path ? path : "-", cause);
	return f;
}

/* Opens the ring as vtb_follow_open(pid, path) should refuse it: the message holds `want`. */
static void refused(uint32_t pid, const char *path, const char *want)
{
	vtb_trace *t = NULL;
	char *cause = NULL;
	vtb_follow *f = vtb_follow_open(pid, path, 0, &t, &cause);

	ck_assert_msg(!f && !t && cause && strstr(cause, want), "pid %u %s: %s, not '%s'", pid, path ? path : "-",
		      cause ? cause : "(opened)", want);
	free(cause);
}

START_TEST(test_finds_by_pid_and_alone)
{
	uint32_t me = (uint32_t)getpid();
	rf_ring r;
	vtb_trace *t = NULL;

	ring_of(&r, me, VTB_RING_RECORDING, 3);
	put(&r, me);
	vtb_follow *f = followed(me, NULL, 0, &t);
	ck_assert_str_eq(vtb_follow_path(f), ring_path(me));
	ck_assert_uint_eq(vtb_follow_pid(f), me);
	ck_assert_uint_eq(calls_of(t), 3);
	ck_assert(!vtb_follow_ended(f));
	vtb_trace_free(t);
	vtb_follow_free(f);
	/* no pid: the one process that records; a dead one's ring beside it does not count */
	rf_ring dead;
	ring_of(&dead, DEAD_PID, VTB_RING_RECORDING, 1);
	put(&dead, DEAD_PID);
	f = followed(0, NULL, 0, &t);
	ck_assert_uint_eq(vtb_follow_pid(f), me);
	vtb_trace_free(t);
	vtb_follow_free(f);
	/* a path: whichever process it is of */
	f = followed(0, ring_path(me), 0, &t);
	ck_assert_uint_eq(vtb_follow_pid(f), me);
	vtb_trace_free(t);
	vtb_follow_free(f);
	free(r.buf);
	free(dead.buf);
}
END_TEST

START_TEST(test_refusals)
{
	uint32_t me = (uint32_t)getpid(), parent = (uint32_t)getppid();
	char want[PATH_MAX + 128];
	rf_ring r;

	snprintf(want, sizeof want, "no recording process in %s (vtui --rings", rings);
	refused(0, NULL, want);
	refused(DEAD_PID, NULL, "no ring file of pid 4194303 in ");
	char *cause = NULL;
	ck_assert_ptr_null(vtb_follow_ring_of(DEAD_PID, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "(is it traced by vtrace?)"));
	free(cause);
	/* a file named after one pid that holds another's ring (copied, forged) */
	ring_of(&r, me, VTB_RING_RECORDING, 1);
	put(&r, DEAD_PID);
	snprintf(want, sizeof want, "%s is the ring of pid %u, not %u", ring_path(DEAD_PID), me, DEAD_PID);
	refused(DEAD_PID, NULL, want);
	ck_assert_int_eq(unlink(ring_path(DEAD_PID)), 0);
	/* two processes record: say which, naming both */
	put(&r, me);
	r.h->pid = parent;
	put(&r, parent);
	refused(0, NULL, "several processes record (pids ");
	vtb_trace *t = NULL;
	ck_assert_ptr_null(vtb_follow_open(0, NULL, 0, &t, &cause));
	snprintf(want, sizeof want, " %u", me);
	ck_assert_msg(strstr(cause, want), "%s", cause);
	snprintf(want, sizeof want, " %u", parent);
	ck_assert_msg(strstr(cause, want), "%s", cause);
	free(cause);
	/* not a ring file */
	FILE *junk = fopen(ring_path(me), "w");
	ck_assert_ptr_nonnull(junk);
	fputs("not a ring\n", junk);
	fclose(junk);
	refused(me, NULL, ring_path(me));
	free(r.buf);
}
END_TEST

/* Another user's ring is refused, as its process would be: a file of root's, opened as
 * nobody when the tests run as root. */
START_TEST(test_owner_only)
{
	uint32_t me = (uint32_t)getpid();
	rf_ring r;
	char want[PATH_MAX + 128];

	if (geteuid() != 0) { /* a file of root's, then */
		refused(0, "/etc/passwd", "/etc/passwd belongs to uid 0: only its owner or root can watch it");
		return;
	}
	ring_of(&r, me, VTB_RING_RECORDING, 1);
	put(&r, me);
	ck_assert_int_eq(chmod(dir, 0755), 0);
	ck_assert_int_eq(chmod(rings, 0755), 0);
	ck_assert_int_eq(chmod(ring_path(me), 0644), 0);
	ck_assert_int_eq(seteuid(65534), 0);
	snprintf(want, sizeof want, "%s belongs to uid 0: only its owner or root can watch it", ring_path(me));
	refused(0, ring_path(me), want);
	ck_assert_int_eq(seteuid(0), 0);
	free(r.buf);
}
END_TEST

START_TEST(test_ticks_until_the_end)
{
	uint32_t me = (uint32_t)getpid();
	rf_ring r;
	vtb_trace *t = NULL;
	char *cause = NULL;
	uint64_t t0, t1, first, last;

	ring_of(&r, me, VTB_RING_RECORDING, 2);
	put(&r, me);
	vtb_follow *f = followed(me, NULL, 30000, &t);
	ck_assert_uint_eq(vtb_follow_window(f), 30000);
	vtb_trace_free(t);
	/* not due yet: nothing, and no error */
	ck_assert_ptr_null(vtb_follow_tick(f, UINT64_C(60) * 1000000000u, &cause));
	ck_assert_ptr_null(cause);
	/* the writer goes on: the next snapshot has the new calls, its window their last 30 us */
	uint32_t fn = 0;
	for (int i = 2; i < 5; i++) {
		rf_push(&r, 2000000 + 20000u * (uint64_t)i, fn, 0, VTB_RK_BEGIN);
		rf_push(&r, 2010000 + 20000u * (uint64_t)i, fn, 0, VTB_RK_END);
	}
	put(&r, me);
	t = vtb_follow_tick(f, 0, &cause);
	ck_assert_msg(t != NULL, "%s", cause);
	ck_assert_uint_eq(calls_of(t), 5);
	vtb_trace_span(t, &first, &last);
	vtb_follow_window_of(f, t, &t0, &t1);
	ck_assert_uint_eq(t1, last + 1);
	ck_assert_uint_eq(t0, last - 30000);
	ck_assert_uint_eq(vtb_follow_dropped(f), 0);
	vtb_trace_free(t);
	/* a lap of the ring between two snapshots: what was overwritten is counted as dropped */
	for (int i = 5; i < 5 + (int)RF_CAP; i++) {
		rf_push(&r, 2000000 + 20000u * (uint64_t)i, fn, 0, VTB_RK_BEGIN);
		rf_push(&r, 2010000 + 20000u * (uint64_t)i, fn, 0, VTB_RK_END);
	}
	put(&r, me);
	t = vtb_follow_tick(f, 0, &cause);
	ck_assert_msg(t != NULL, "%s", cause);
	ck_assert_uint_gt(vtb_follow_stats(f)->behind, 0);
	ck_assert_uint_eq(vtb_follow_dropped(f), vtb_follow_stats(f)->behind);
	vtb_trace_free(t);
	/* the process exits: one last snapshot, then none */
	r.h->state = VTB_RING_EXITED;
	put(&r, me);
	ck_assert(!vtb_follow_ended(f));
	t = vtb_follow_tick(f, 0, &cause);
	ck_assert_msg(t != NULL, "%s", cause);
	ck_assert(vtb_follow_ended(f));
	vtb_trace_free(t);
	ck_assert_ptr_null(vtb_follow_tick(f, 0, &cause));
	ck_assert_ptr_null(cause);
	vtb_follow_free(f);
	vtb_follow_free(NULL);
	free(r.buf);
}
END_TEST

/* A window of 0 (or wider than the snapshot) is the whole snapshot. */
START_TEST(test_whole_window)
{
	uint32_t me = (uint32_t)getpid();
	rf_ring r;
	vtb_trace *t = NULL;
	uint64_t t0, t1, first, last;

	ring_of(&r, me, VTB_RING_RECORDING, 4);
	put(&r, me);
	for (uint64_t window = 0; window <= UINT64_C(1000000000); window += UINT64_C(1000000000)) {
		vtb_follow *f = followed(me, NULL, window, &t);
		vtb_trace_span(t, &first, &last);
		vtb_follow_window_of(f, t, &t0, &t1);
		ck_assert_uint_eq(t0, first);
		ck_assert_uint_eq(t1, last + 1);
		vtb_trace_free(t);
		vtb_follow_free(f);
	}
	free(r.buf);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("follow");
	TCase *tc = tcase_create("follow");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_finds_by_pid_and_alone);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_owner_only);
	tcase_add_test(tc, test_ticks_until_the_end);
	tcase_add_test(tc, test_whole_window);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
