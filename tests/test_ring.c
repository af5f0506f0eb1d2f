/* SPDX-License-Identifier: MIT */
/* test_ring.c: the ring file reader (common/ring.c, ring_decode.c) on files made by hand
 * (tests/ring_fixture.h): what it decodes from a sound file, and that a hostile one
 * (truncated, lying header, huge counts, garbage records, a symlink, a FIFO, a file that
 * shrinks under it) gives an error or a bounded model, never a crash or a hang. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/vtb.h"
#include "common/ring_internal.h"
#include "tests/ring_fixture.h"

#define DEAD_PID 4194303u /* above any pid_max this machine uses: never alive */

static char dir[PATH_MAX];
static char path[PATH_MAX + 64];

static void setup(void)
{
	strcpy(dir, "/tmp/vtui-ring-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/vtrace-1.ring", dir);
}

static void teardown(void)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void put(const rf_ring *r, size_t len)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(r->buf, 1, len, f), len);
	fclose(f);
}

/* Snapshot of the file at `path`: the trace, or NULL with the cause in *why (malloc'd). */
static vtb_trace *snap(vtb_ring_snap_stats *st, char **why)
{
	vtb_ring *r = NULL;
	vtb_trace *t = NULL;
	*why = NULL;
	if (vtb_ring_open(path, &r, why) == 0)
		t = vtb_ring_snapshot(r, st, why);
	vtb_ring_close(r);
	return t;
}

static size_t calls_named(const vtb_trace *t, const char *name, unsigned flags)
{
	size_t n = 0;
	for (size_t i = 0; i < vtb_trace_thread_count(t); i++) {
		const vtb_thread *th = vtb_trace_thread(t, i);
		for (uint32_t d = 0; d < th->depth_count; d++)
			for (size_t k = 0; k < th->rows[d].count; k++) {
				const vtb_slice *s = &th->rows[d].slices[k];
				n += !strcmp(vtb_trace_string(t, s->name_id)->name, name) && (s->flags & flags) == flags;
			}
	}
	return n;
}

START_TEST(test_sound_ring)
{
	rf_ring r;
	vtb_ring_snap_stats st;
	char *why;
	rf_sample(&r);
	r.h->pid = DEAD_PID;
	put(&r, r.len);
	vtb_trace *t = snap(&st, &why);
	ck_assert_msg(t != NULL, "%s", why);
	ck_assert_uint_eq(st.records, 7);
	ck_assert_uint_eq(st.bad + st.overwritten + st.data_lost, 0);
	const vtb_header *h = vtb_trace_header(t);
	ck_assert_str_eq(h->reason_text, "pid 4194303 crashed: SIGSEGV in thread worker-2");
	ck_assert_str_eq(h->cmdline, "python3 prog.py");
	ck_assert_uint_eq(calls_named(t, "__main__.leaf", 0), 2);
	ck_assert_uint_eq(calls_named(t, "__main__.leaf", VTB_CALL_EXCEPTION), 1);
	ck_assert_uint_eq(calls_named(t, "__main__.work", VTB_CALL_OPEN), 1);
	ck_assert_uint_eq(calls_named(t, "__main__.main", VTB_CALL_OPEN), 1);
	/* Open calls end at the crash. */
	ck_assert_uint_eq(h->dump_ns, 2000600);
	const vtb_thread *th = vtb_trace_thread(t, 0);
	ck_assert_str_eq(th->name, "worker-2");
	ck_assert_uint_eq(th->mark_count, 1);
	ck_assert_str_eq(th->marks[0].text, "x=1");
	vtb_trace_free(t);
	free(r.buf);
}
END_TEST

/* The states and their texts, by liveness. */
START_TEST(test_state_texts)
{
	static const struct {
		uint32_t state;
		int dead;
		const char *text;
	} cases[] = {
		{ VTB_RING_RECORDING, 1, "pid 4194303 is gone and never dumped: killed (SIGKILL or the OOM killer?)" },
		{ VTB_RING_STOPPED, 1, "pid 4194303 is gone and never dumped: killed (SIGKILL or the OOM killer?)" },
		{ VTB_RING_DUMPED, 1, "pid 4194303 is gone: killed (SIGKILL or the OOM killer?) after a dump to t.bin" },
		{ VTB_RING_EXITED, 1, "pid 4194303 exited" },
		{ VTB_RING_RECORDING, 0, "is alive: recording" },
		{ VTB_RING_DUMPED, 0, "is alive: recording, last dumped to t.bin" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		rf_ring r;
		vtb_ring *ring;
		vtb_ring_info in;
		char *why = NULL;
		rf_init(&r, cases[i].state);
		strcpy(r.h->dump_path, "t.bin");
		if (cases[i].dead)
			r.h->pid = DEAD_PID;
		put(&r, r.len);
		ck_assert_int_eq(vtb_ring_open(path, &ring, &why), 0);
		ck_assert_int_eq(vtb_ring_info_read(ring, &in, &why), 0);
		ck_assert_int_eq(in.alive, !cases[i].dead);
		ck_assert_msg(strstr(in.state_text, cases[i].text), "case %zu: %s", i, in.state_text);
		vtb_ring_close(ring);
		free(r.buf);
	}
}
END_TEST

/* A wrapped ring: an end whose begin was overwritten starts at the window, flagged. */
START_TEST(test_wrapped_entry_lost)
{
	rf_ring r;
	vtb_ring_snap_stats st;
	char *why;
	rf_init(&r, VTB_RING_RECORDING);
	r.h->pid = DEAD_PID;
	uint32_t outer = rf_code(&r, "outer"), inner = rf_code(&r, "inner");
	rf_thread(&r, DEAD_PID, NULL);
	rf_push(&r, 2000000, outer, 0, VTB_RK_BEGIN);
	for (uint64_t i = 0; i < RF_CAP; i++)
		rf_push(&r, 2000001 + i, inner, 0, i % 2 ? VTB_RK_END : VTB_RK_BEGIN);
	rf_push(&r, 2000100, outer, 0, VTB_RK_END);
	put(&r, r.len);
	vtb_trace *t = snap(&st, &why);
	ck_assert_msg(t != NULL, "%s", why);
	ck_assert_uint_eq(st.records, RF_CAP);
	ck_assert_uint_eq(calls_named(t, "outer", VTB_CALL_ENTRY_LOST), 1);
	ck_assert_str_eq(vtb_trace_thread(t, 0)->name, "MainThread");
	ck_assert_uint_eq(vtb_trace_header(t)->events_dropped, 2);
	vtb_trace_free(t);
	free(r.buf);
}
END_TEST

/* Each hostile change either fails with a message or loads a bounded model. */
typedef void (*spoil_fn)(rf_ring *r, size_t *len);

static void spoil_truncate(rf_ring *r, size_t *len) { (void)r; *len = 100; }
static void spoil_half(rf_ring *r, size_t *len) { (void)r; *len = VTB_RING_HEADER_BYTES + 40; }
static void spoil_capacity(rf_ring *r, size_t *len) { (void)len; r->h->capacity = 1ull << 60; }
static void spoil_zero_cap(rf_ring *r, size_t *len) { (void)len; r->h->capacity = 0; }
static void spoil_offsets(rf_ring *r, size_t *len) { (void)len; r->h->strings_off = UINT64_MAX - 8; }
static void spoil_arena(rf_ring *r, size_t *len) { (void)len; r->h->arena_bytes = UINT64_MAX; }
static void spoil_counts(rf_ring *r, size_t *len)
{
	(void)len;
	r->h->code_count = r->h->thread_count = UINT32_MAX;
	r->h->strings_used = UINT64_MAX;
	r->h->head = UINT64_MAX;
	r->h->arena_head = UINT64_MAX / 3;
}
static void spoil_records(rf_ring *r, size_t *len)
{
	(void)len;
	for (size_t i = 0; i < RF_CAP * sizeof(vtb_ring_record); i++)
		r->buf[r->h->records_off + i] = (uint8_t)(i * 131 + 7);
	r->h->head = RF_CAP * 5;
}
static void spoil_strings(rf_ring *r, size_t *len)
{
	(void)len;
	memset(r->buf + r->h->strings_off, 'A', RF_STRINGS); /* no NUL anywhere */
	vtb_ring_code *c = (vtb_ring_code *)(r->buf + r->h->codes_off);
	c[1].name_off = UINT32_MAX;
	r->h->cmdline[sizeof r->h->cmdline - 1] = 'X';
}
static void spoil_version(rf_ring *r, size_t *len) { (void)len; r->h->version = 99; }
static void spoil_clock(rf_ring *r, size_t *len)
{
	(void)len;
	r->h->use_tsc = 1;
	r->h->calib_ticks = r->h->base_ticks + 1;
	r->h->calib_ns = UINT64_MAX;
	r->h->end_ticks = UINT64_MAX;
	r->h->start_ticks = UINT64_MAX;
}
static void spoil_deep(rf_ring *r, size_t *len)
{
	(void)len;
	/* Begins only, far more than a thread may hold open, as the head says. */
	vtb_ring_record *rec = (vtb_ring_record *)(r->buf + r->h->records_off);
	for (size_t i = 0; i < RF_CAP; i++)
		rec[i] = (vtb_ring_record){ 2000000 + i, 0, 0, VTB_RK_BEGIN };
	r->h->head = RF_CAP;
}

START_TEST(test_hostile_files)
{
	static const struct {
		const char *name;
		spoil_fn fn;
		int fails;
	} cases[] = {
		{ "truncated", spoil_truncate, 1 }, { "half", spoil_half, 1 },
		{ "capacity", spoil_capacity, 1 }, { "zero capacity", spoil_zero_cap, 1 },
		{ "offsets", spoil_offsets, 1 }, { "arena", spoil_arena, 1 },
		{ "version", spoil_version, 1 }, { "counts", spoil_counts, 0 },
		{ "records", spoil_records, 0 }, { "strings", spoil_strings, 0 },
		{ "clock", spoil_clock, 0 }, { "deep", spoil_deep, 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		rf_ring r;
		vtb_ring_snap_stats st;
		char *why = NULL;
		size_t len;
		rf_sample(&r);
		len = r.len;
		cases[i].fn(&r, &len);
		put(&r, len);
		vtb_trace *t = snap(&st, &why);
		if (cases[i].fails) {
			ck_assert_msg(t == NULL && why && strstr(why, path), "%s: %s", cases[i].name, why ? why : "loaded");
		} else {
			ck_assert_msg(t != NULL, "%s: %s", cases[i].name, why);
			ck_assert_uint_le(st.records, RF_CAP);
			ck_assert_uint_le(vtb_trace_call_count(t), RF_CAP);
		}
		vtb_trace_free(t);
		free(why);
		free(r.buf);
	}
}
END_TEST

/* Links, FIFOs and devices are refused at once; a directory listing names them. */
START_TEST(test_not_regular)
{
	char *why = NULL, **paths = NULL;
	vtb_ring *ring = NULL;
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	alarm(10); /* a hang fails the test instead of the run */
	ck_assert_int_lt(vtb_ring_open(path, &ring, &why), 0);
	ck_assert_ptr_nonnull(strstr(why, "not a regular file"));
	free(why);
	char link[PATH_MAX + 64];
	snprintf(link, sizeof link, "%s/vtrace-2.ring", dir);
	ck_assert_int_eq(symlink("/etc/passwd", link), 0);
	ck_assert_int_lt(vtb_ring_open(link, &ring, &why), 0);
	ck_assert_ptr_nonnull(strstr(why, "symbolic link"));
	free(why);
	/* vtb_trace_load, as vtui FILE does, refuses the FIFO without blocking too. */
	ck_assert_ptr_null(vtb_trace_load(path, 0, NULL, NULL, &why));
	free(why);
	int n = vtb_ring_list(dir, &paths, &why);
	ck_assert_int_eq(n, 2);
	vtb_ring_list_free(paths, n);
	alarm(0);
}
END_TEST

/* A file that shrinks between the open and the snapshot: an error, not a SIGBUS. */
START_TEST(test_shrinks_under_reader)
{
	rf_ring r;
	vtb_ring *ring = NULL;
	char *why = NULL;
	rf_sample(&r);
	put(&r, r.len);
	ck_assert_int_eq(vtb_ring_open(path, &ring, &why), 0);
	ck_assert_int_eq(truncate(path, VTB_RING_HEADER_BYTES + 64), 0);
	ck_assert_ptr_null(vtb_ring_snapshot(ring, NULL, &why));
	ck_assert_ptr_nonnull(why);
	free(why);
	vtb_ring_close(ring);
	free(r.buf);
}
END_TEST

/* The records are read through a mapping of the file: a file truncated after the mapping
 * was made reads as an error (pread's), not a SIGBUS, and a page never written (a hole)
 * goes through pread too. */
START_TEST(test_truncated_under_mapping)
{
	rf_ring r;
	vtb_ring *ring = NULL;
	char *why = NULL;
	uint8_t buf[3 * 4096];
	rf_init_cap(&r, VTB_RING_RECORDING, 20000);
	r.h->pid = DEAD_PID;
	uint32_t f = rf_code(&r, "f");
	rf_thread(&r, DEAD_PID, NULL);
	for (uint64_t i = 0; i < 20000; i++)
		rf_push(&r, 2000000 + i, f, 0, i % 2 ? VTB_RK_END : VTB_RK_BEGIN);
	put(&r, r.len);
	ck_assert_int_eq(vtb_ring_open(path, &ring, &why), 0);
	vtb_trace *t = vtb_ring_snapshot(ring, NULL, &why);
	ck_assert_msg(t != NULL, "%s", why);
	ck_assert_uint_eq(vtb_trace_call_count(t), 10000);
	vtb_trace_free(t);
	ck_assert_ptr_nonnull(ring->map);
	uint64_t off = r.h->records_off + 16 * 4096;
	ck_assert_int_eq(vtb_ring_read(ring, buf, sizeof buf, off), 0);
	ck_assert_mem_eq(buf, r.buf + off, sizeof buf);
	ck_assert_int_eq(truncate(path, 8192), 0);
	ck_assert_int_eq(vtb_ring_read(ring, buf, sizeof buf, off), VTB_E_TRUNCATED);
	ck_assert_int_eq(truncate(path, (off_t)r.len), 0); /* a hole now: zeros, as pread reads them */
	ck_assert_int_eq(vtb_ring_read(ring, buf, sizeof buf, off), 0);
	for (size_t i = 0; i < sizeof buf; i++)
		ck_assert_uint_eq(buf[i], 0);
	vtb_ring_close(ring);
	free(r.buf);
}
END_TEST

/* A task record's address is a double in its blob: one no u64 holds (NaN, negative, too
 * big) names no task (0), where converting it was undefined (found by fuzz_ring). */
START_TEST(test_task_address_hostile)
{
	static const double values[] = { NAN, -1.0, 1e300, 4096.0 };
	rf_ring r;
	char *why = NULL;
	rf_init(&r, VTB_RING_RECORDING);
	r.h->pid = DEAD_PID;
	uint32_t f = rf_code(&r, "step");
	uint16_t t = (uint16_t)rf_thread(&r, DEAD_PID, NULL);
	for (int i = 0; i < 4; i++) {
		rf_push(&r, 2000000 + 10 * i, f, t, VTB_RK_BEGIN);
		uint64_t at = r.h->arena_off + r.h->arena_head % RF_ARENA + offsetof(vtb_ring_blob, value);
		rf_data(&r, 2000001 + 10 * i, t, VTB_RK_TASK, f, "Task-1");
		memcpy(r.buf + at, &values[i], sizeof values[i]);
		rf_push(&r, 2000002 + 10 * i, f, t, VTB_RK_END);
	}
	put(&r, r.len);
	vtb_trace *tr = snap(NULL, &why);
	ck_assert_msg(tr != NULL, "%s", why);
	const vtb_thread *th = vtb_trace_thread(tr, 0);
	ck_assert_uint_eq(th->task_step_count, 4);
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(th->task_steps[i].task, i == 3 ? 4096 : 0);
	vtb_trace_free(tr);
	free(r.buf);
}
END_TEST

/* Records the writer overwrote while the reader copied are dropped and counted: simulated
 * by moving the head between the two header reads is not possible from outside, so the
 * slot a live writer may be writing (the oldest) is what a live ring drops. */
START_TEST(test_live_drops_oldest_slot)
{
	rf_ring r;
	vtb_ring_snap_stats st;
	char *why;
	rf_init(&r, VTB_RING_RECORDING); /* this process: alive */
	uint32_t f = rf_code(&r, "f");
	rf_thread(&r, 1, NULL);
	for (uint64_t i = 0; i < RF_CAP + 4; i++)
		rf_push(&r, 2000000 + i, f, 0, i % 2 ? VTB_RK_END : VTB_RK_BEGIN);
	put(&r, r.len);
	vtb_trace *t = snap(&st, &why);
	ck_assert_msg(t != NULL, "%s", why);
	ck_assert_uint_eq(st.overwritten, 1);
	ck_assert_uint_eq(st.records, RF_CAP - 1);
	vtb_trace_free(t);
	free(r.buf);
}
END_TEST

/* Two models of the same ring hold the same calls, marks and header times. */
static void same_model(const vtb_trace *a, const vtb_trace *b, int step)
{
	const vtb_header *ha = vtb_trace_header(a), *hb = vtb_trace_header(b);
	ck_assert_msg(ha->window_start_ns == hb->window_start_ns && ha->dump_ns == hb->dump_ns,
		      "step %d: window %llu..%llu against %llu..%llu", step, (unsigned long long)ha->window_start_ns,
		      (unsigned long long)ha->dump_ns, (unsigned long long)hb->window_start_ns, (unsigned long long)hb->dump_ns);
	ck_assert_uint_eq(ha->events_dropped, hb->events_dropped);
	ck_assert_msg(vtb_trace_event_count(a) == vtb_trace_event_count(b), "step %d: %zu events against %zu", step,
		      vtb_trace_event_count(a), vtb_trace_event_count(b));
	ck_assert_uint_eq(vtb_trace_call_count(a), vtb_trace_call_count(b));
	ck_assert_uint_eq(vtb_trace_thread_count(a), vtb_trace_thread_count(b));
	for (size_t i = 0; i < vtb_trace_thread_count(a); i++) {
		const vtb_thread *x = vtb_trace_thread(a, i), *y = vtb_trace_thread(b, i);
		ck_assert_str_eq(x->name, y->name);
		ck_assert_msg(x->depth_count == y->depth_count, "step %d thread %zu: %u levels against %u", step, i,
			      x->depth_count, y->depth_count);
		for (uint32_t d = 0; d < x->depth_count; d++) {
			ck_assert_msg(x->rows[d].count == y->rows[d].count, "step %d depth %u: %zu calls against %zu", step,
				      d, x->rows[d].count, y->rows[d].count);
			for (size_t k = 0; k < x->rows[d].count; k++) {
				const vtb_slice *p = &x->rows[d].slices[k], *q = &y->rows[d].slices[k];
				ck_assert_msg(p->start_ns == q->start_ns && p->dur_ns == q->dur_ns && p->flags == q->flags,
					      "step %d depth %u call %zu: %llu+%llu/%x against %llu+%llu/%x", step, d, k,
					      (unsigned long long)p->start_ns, (unsigned long long)p->dur_ns, p->flags,
					      (unsigned long long)q->start_ns, (unsigned long long)q->dur_ns, q->flags);
				ck_assert_str_eq(vtb_trace_string(a, p->name_id)->name, vtb_trace_string(b, q->name_id)->name);
			}
		}
		ck_assert_uint_eq(x->mark_count, y->mark_count);
		for (size_t k = 0; k < x->mark_count; k++) {
			ck_assert_uint_eq(x->marks[k].ts_ns, y->marks[k].ts_ns);
			ck_assert_str_eq(x->marks[k].text, y->marks[k].text);
		}
	}
}

/* A ring of `cap` records of a dead process with loop_once's names (outer's id returned)
 * and its main thread. */
static uint32_t loop_ring(rf_ring *r, uint64_t cap)
{
	rf_init_cap(r, VTB_RING_RECORDING, cap);
	r->h->pid = DEAD_PID;
	uint32_t outer = rf_code(r, "outer");
	rf_code(r, "work");
	rf_code(r, "leaf");
	rf_code(r, "here");
	rf_thread(r, DEAD_PID, NULL);
	return outer;
}

/* One iteration of the program: work > leaf twice (the second raises), an instant (i >= 0:
 * a big ring's would outlive the fixture's arena, whose texts a kept model holds longer). */
static void loop_once(rf_ring *r, uint64_t *ns, uint16_t thread, int i)
{
	char text[32];
	uint32_t work = 1, leaf = 2, mark = 3;
	snprintf(text, sizeof text, "i=%d", i);
	rf_push(r, (*ns)++, work, thread, VTB_RK_BEGIN);
	rf_push(r, (*ns)++, leaf, thread, VTB_RK_BEGIN);
	rf_push(r, (*ns)++, leaf, thread, VTB_RK_END);
	if (i >= 0)
		rf_data(r, (*ns)++, thread, VTB_RK_INSTANT, mark, text);
	rf_push(r, (*ns)++, leaf, thread, VTB_RK_C_BEGIN);
	rf_push(r, (*ns)++, leaf, thread, VTB_RK_C_END_EXC);
	rf_push(r, (*ns)++, work, thread, VTB_RK_END);
}

/* The ring as written so far, snapshot by the kept reader (opened at the first step) and
 * by a fresh one: the two models must agree. The kept reader's trace is returned. */
static vtb_trace *kept_and_fresh(const rf_ring *r, vtb_ring **kept, vtb_ring_snap_stats *a, int step)
{
	vtb_ring_snap_stats b;
	char *why = NULL;
	put(r, r->len);
	if (!*kept)
		ck_assert_msg(vtb_ring_open(path, kept, &why) == 0, "%s", why);
	vtb_trace *inc = vtb_ring_snapshot(*kept, a, &why);
	ck_assert_msg(inc != NULL, "step %d: %s", step, why);
	vtb_trace *full = snap(&b, &why);
	ck_assert_msg(full != NULL, "step %d: %s", step, why);
	same_model(inc, full, step);
	ck_assert_uint_eq(a->records, b.records);
	vtb_trace_free(full);
	return inc;
}

static void rf_rename(rf_ring *r, uint16_t thread, const char *name)
{
	vtb_ring_thread e;
	uint8_t *at = r->buf + r->h->threads_off + thread * sizeof e;
	memcpy(&e, at, sizeof e);
	e.name_off = rf_str(r, name);
	memcpy(at, &e, sizeof e);
}

/* A reader that keeps the ring open decodes only what is new at each snapshot; its model
 * must be the one a fresh reader decodes from the whole ring, at every step: appends,
 * wraps, a thread that starts later, a thread renamed, an outer call that ends after the
 * reader lost its begin, and a writer that laps the reader (counted as behind). */
START_TEST(test_incremental_matches_full)
{
	rf_ring r;
	vtb_ring *kept = NULL;
	uint64_t ns = 2000000;
	int i = 0, lapped = 0;
	static const int loops[] = { 6, 1, 2, 3, 1, 5, 2, 0, 1, 4 };
	uint32_t outer = loop_ring(&r, RF_CAP);
	rf_push(&r, ns++, outer, 0, VTB_RK_BEGIN);
	for (int step = 0; step < (int)(sizeof loops / sizeof loops[0]); step++) {
		uint64_t before = r.h->head;
		for (int k = 0; k < loops[step]; k++)
			loop_once(&r, &ns, step >= 3 && k == 0 ? 1 : 0, i++);
		if (step == 2)
			rf_thread(&r, 77, "worker");
		if (step == 4) /* renamed as it ran: the tracer names it again as it ends */
			rf_rename(&r, 1, "worker-b");
		if (step == 7)
			rf_push(&r, ns++, outer, 0, VTB_RK_END);
		vtb_ring_snap_stats a;
		vtb_trace *inc = kept_and_fresh(&r, &kept, &a, step);
		/* outer began long before the window; it shows once it has ended, until its end
		 * is overwritten too */
		ck_assert_uint_eq(calls_named(inc, "outer", VTB_CALL_ENTRY_LOST), step == 7 || step == 8);
		/* after a lap the model was handed out whole: the next snapshot decodes anew */
		if (step > 0 && r.h->head - before > RF_CAP) {
			ck_assert_uint_eq(a.behind, r.h->head - RF_CAP - before);
			lapped = 1;
		} else {
			ck_assert_uint_eq(a.behind, 0);
			ck_assert_uint_eq(a.decoded, step && !lapped ? r.h->head - before : RF_CAP);
			lapped = 0;
		}
		vtb_trace_free(inc);
	}
	vtb_ring_close(kept);
	free(r.buf);
}
END_TEST

/* A thread renamed after its first records shows its newest name in a kept reader's
 * snapshots: unnamed ("Thread-TID"), then named as it starts, then renamed. */
START_TEST(test_thread_renamed)
{
	static const char *const names[] = { "Thread-77", "worker", "worker-2" };
	rf_ring r;
	vtb_ring *kept = NULL;
	char *why = NULL;
	rf_init(&r, VTB_RING_RECORDING);
	r.h->pid = DEAD_PID;
	uint32_t f = rf_code(&r, "f");
	uint16_t t = (uint16_t)rf_thread(&r, 77, NULL);
	for (int step = 0; step < 3; step++) {
		if (step)
			rf_rename(&r, t, names[step]);
		if (step < 2) {
			rf_push(&r, 2000000 + r.h->head, f, t, VTB_RK_BEGIN);
			rf_push(&r, 2000000 + r.h->head, f, t, VTB_RK_END);
		}
		put(&r, r.len);
		if (!kept)
			ck_assert_msg(vtb_ring_open(path, &kept, &why) == 0, "%s", why);
		vtb_trace *inc = vtb_ring_snapshot(kept, NULL, &why);
		ck_assert_msg(inc != NULL, "step %d: %s", step, why);
		ck_assert_uint_eq(vtb_trace_thread_count(inc), 1);
		ck_assert_str_eq(vtb_trace_thread(inc, 0)->name, names[step]);
		vtb_trace_free(inc);
	}
	vtb_ring_close(kept);
	free(r.buf);
}
END_TEST

/* The same on a ring big enough for the decode's own ways with size: records copied and
 * decoded a chunk at a time, big rows in mappings reused from the traces freed before,
 * rows that move down a level under an outer call whose begin the ring lost. (A call still
 * open whose begin the ring lost is not in it: a kept model shows it, a fresh one cannot.) */
START_TEST(test_incremental_matches_full_big)
{
	enum { CAP = 20000 };
	static const int loops[] = { 2000, 3500, 300, 1300, 10, 3100, 0, 2900, 700, 4000 };
	rf_ring r;
	vtb_ring *kept = NULL;
	char *why = NULL;
	uint64_t ns = 2000000;
	uint32_t outer = loop_ring(&r, CAP);
	rf_thread(&r, 78, "second");
	rf_push(&r, ns++, outer, 0, VTB_RK_BEGIN);
	for (int step = 0; step < (int)(sizeof loops / sizeof loops[0]); step++) {
		for (int k = 0; k < loops[step]; k++)
			loop_once(&r, &ns, step % 3 == 2 && k % 5 == 0 ? 1 : 0, -1);
		if (step == 2) /* its begin went with the lap of step 1 */
			rf_push(&r, ns++, outer, 0, VTB_RK_END);
		if (step == 4)
			rf_rename(&r, 1, "second-b");
		vtb_ring_snap_stats a;
		vtb_trace *inc = kept_and_fresh(&r, &kept, &a, step);
		ck_assert_uint_eq(calls_named(inc, "outer", VTB_CALL_ENTRY_LOST), step >= 2 && step <= 4);
		if (step % 2) { /* a flattened trace owns its base, the mappings of its rows too */
			uint64_t drop = 0;
			for (uint32_t k = 0; k < vtb_trace_string_count(inc) && k < 64; k++)
				drop |= (uint64_t)!strcmp(vtb_trace_string(inc, k)->name, "work") << k;
			vtb_trace *flat = vtb_trace_flatten(inc, &drop, 64, &why);
			ck_assert_msg(flat != NULL, "step %d: %s", step, why);
			ck_assert_uint_eq(calls_named(flat, "work", 0), 0);
			inc = flat;
		}
		vtb_trace_free(inc);
	}
	vtb_ring_close(kept);
	free(r.buf);
}
END_TEST

/* A live ring that has not wrapped keeps all it holds from one snapshot to the next (the
 * margin kept before a live writer is for a full ring only). */
START_TEST(test_live_unwrapped_keeps_all)
{
	rf_ring r;
	vtb_ring *kept = NULL;
	char *why = NULL;
	rf_init(&r, VTB_RING_RECORDING); /* this process: alive */
	uint32_t f = rf_code(&r, "f");
	rf_thread(&r, 1, NULL);
	for (int step = 0; step < 3; step++) {
		for (uint64_t i = 0; i < 6; i++)
			rf_push(&r, 2000000 + r.h->head, f, 0, i % 2 ? VTB_RK_END : VTB_RK_BEGIN);
		put(&r, r.len);
		if (!kept)
			ck_assert_msg(vtb_ring_open(path, &kept, &why) == 0, "%s", why);
		vtb_trace *t = vtb_ring_snapshot(kept, NULL, &why);
		ck_assert_msg(t != NULL, "%s", why);
		ck_assert_uint_eq(calls_named(t, "f", 0), 3u * (step + 1));
		vtb_trace_free(t);
	}
	vtb_ring_close(kept);
	free(r.buf);
}
END_TEST

/* Every call the same in both (depth fields, flags, names) and their texts the same. */
static void same_calls(const vtb_trace *a, const vtb_trace *b, int step)
{
	same_model(a, b, step);
	ck_assert_uint_eq(vtb_trace_string_count(a), vtb_trace_string_count(b));
	for (size_t i = 0; i < vtb_trace_thread_count(a); i++) {
		const vtb_thread *x = vtb_trace_thread(a, i), *y = vtb_trace_thread(b, i);
		for (uint32_t d = 0; d < x->depth_count; d++)
			for (size_t k = 0; k < x->rows[d].count; k++)
				ck_assert_msg(x->rows[d].slices[k].depth == d && y->rows[d].slices[k].depth == d &&
						      x->rows[d].slices[k].name_id == y->rows[d].slices[k].name_id,
					      "step %d thread %zu depth %u call %zu", step, i, d, k);
		ck_assert_uint_eq(x->attachment_count, y->attachment_count);
		for (size_t k = 0; k < x->attachment_count; k++) {
			const vtb_attachment *p = &x->attachments[k], *q = &y->attachments[k];
			ck_assert(p->depth == q->depth && p->index == q->index);
			ck_assert(!p->args == !q->args && (!p->args || !strcmp(p->args, q->args)));
			ck_assert(!p->retval == !q->retval && (!p->retval || !strcmp(p->retval, q->retval)));
		}
	}
}

/* n records of every kind in a random order (seeded): calls of three threads and one past
 * the table, in runs, ends without begins, exceptions, C calls, spans, GC, texts, names
 * out of the table, kinds that do not exist, times that go back, on a TSC clock. */
static void mixed_records(rf_ring *r, unsigned *seed, uint64_t n)
{
	static const uint16_t kinds[] = { VTB_RK_BEGIN, VTB_RK_BEGIN, VTB_RK_BEGIN, VTB_RK_C_BEGIN, VTB_RK_SPAN_BEGIN,
					  VTB_RK_END, VTB_RK_END, VTB_RK_END, VTB_RK_END_EXC, VTB_RK_C_END,
					  VTB_RK_C_END_EXC, VTB_RK_SPAN_END, VTB_RK_SPAN_END_EXC, VTB_RK_GC_BEGIN,
					  VTB_RK_GC_END, VTB_RK_ARGS, VTB_RK_RETVAL, VTB_RK_INSTANT, 15 };
	static const uint16_t threads[] = { 0, 1, 2, 9 };
	uint16_t thread = 0;
	for (uint64_t i = 0; i < n; i++) {
		unsigned x = (unsigned)rand_r(seed);
		if (x % 16 == 0)
			thread = threads[(x >> 4) % 4];
		uint16_t kind = kinds[(x >> 8) % (sizeof kinds / sizeof kinds[0])];
		uint32_t id = (x >> 16) % 64 == 0 ? 40 : (x >> 16) % 5;
		uint64_t ticks = 1000 + r->h->head * 7 - ((x >> 24) % 32 == 0 ? 20 : 0);
		if (kind >= VTB_RK_DATA_FIRST)
			rf_data(r, ticks, thread, kind, id, "v=1");
		else
			rf_push(r, ticks, id, thread, kind);
	}
}

static void mixed_ring(rf_ring *r, uint64_t cap)
{
	rf_init_cap(r, VTB_RING_RECORDING, cap);
	r->h->pid = DEAD_PID;
	r->h->use_tsc = 1;
	r->h->base_ticks = 1000;
	r->h->base_ns = 5000;
	r->h->calib_ticks = 1000 + 3000000;
	r->h->calib_ns = 5000 + 1000003;
	for (int i = 0; i < 5; i++)
		rf_code(r, (const char *[]){ "a", "b", "c", "a", "e" }[i]);
	rf_thread(r, DEAD_PID, NULL);
	rf_thread(r, 77, "worker");
	rf_thread(r, 78, "other");
}

static vtb_trace *snap_lean(vtb_ring *r, int lean, int step)
{
	char *why = NULL;
	ring_lean = lean;
	vtb_trace *t = vtb_ring_snapshot(r, NULL, &why);
	ring_lean = 1;
	ck_assert_msg(t != NULL, "step %d: %s", step, why);
	return t;
}

/* The decode's lean path (runs of plain calls) builds the model the general path does,
 * record for record: on rings of every kind of record, fresh and kept readers, wrapped
 * and not, appended in steps that lap the readers or not. */
START_TEST(test_lean_matches_general)
{
	enum { CAP = 12000 };
	static const int steps[] = { 3000, 500, 9000, 1, 30000, 700 };
	for (unsigned seed = 1; seed <= 4; seed++) {
		rf_ring r;
		vtb_ring *lean = NULL, *general = NULL;
		char *why = NULL;
		unsigned state = seed;
		mixed_ring(&r, CAP);
		for (int step = 0; step < (int)(sizeof steps / sizeof steps[0]); step++) {
			mixed_records(&r, &state, (uint64_t)steps[step]);
			put(&r, r.len);
			if (!lean)
				ck_assert_msg(vtb_ring_open(path, &lean, &why) == 0 && vtb_ring_open(path, &general, &why) == 0,
					      "%s", why);
			vtb_trace *a = snap_lean(lean, 1, step), *b = snap_lean(general, 0, step);
			same_calls(a, b, step);
			vtb_trace_free(a);
			vtb_trace_free(b);
		}
		vtb_ring_close(lean);
		vtb_ring_close(general);
		free(r.buf);
	}
}
END_TEST

/* A writer process appends to a ring of `cap` records as fast as it can while a kept
 * reader snapshots it `snaps` times: every snapshot is sound (each row's calls in order)
 * and the model drops what the writer overwrote (it never holds more calls than the ring). */
static void follow_writer(uint64_t cap, int snaps)
{
	rf_ring r;
	vtb_ring *kept = NULL;
	char *why = NULL;
	rf_init_cap(&r, VTB_RING_RECORDING, cap);
	uint32_t f = rf_code(&r, "f"), g = rf_code(&r, "g");
	rf_thread(&r, 1, NULL);
	put(&r, r.len);
	pid_t child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		int fd = open(path, O_WRONLY);
		for (uint64_t i = 0; fd >= 0 && i < 500000000; i++) {
			static const uint16_t kinds[4] = { VTB_RK_BEGIN, VTB_RK_BEGIN, VTB_RK_END, VTB_RK_END };
			rf_push(&r, 2000000 + i, i % 4 == 0 || i % 4 == 3 ? f : g, 0, kinds[i % 4]);
			uint64_t slot = (r.h->head - 1) % cap;
			if (pwrite(fd, r.buf + r.h->records_off + slot * sizeof(vtb_ring_record), sizeof(vtb_ring_record),
				   (off_t)(r.h->records_off + slot * sizeof(vtb_ring_record))) < 0 ||
			    pwrite(fd, &r.h->head, sizeof r.h->head, (off_t)offsetof(vtb_ring_header, head)) < 0)
				break;
		}
		_exit(0);
	}
	ck_assert_int_eq(vtb_ring_open(path, &kept, &why), 0);
	size_t most = 0;
	/* A reader descheduled while the writer laps it gets nothing from that snapshot: on a
	 * loaded machine it may take more than `snaps` of them to get calls at all (up to 2 s). */
	for (int i = 0; i < snaps || (most == 0 && i < snaps + 10000); i++) {
		vtb_ring_snap_stats st;
		vtb_trace *t = vtb_ring_snapshot(kept, &st, &why);
		ck_assert_msg(t != NULL, "snapshot %d: %s", i, why);
		size_t calls = vtb_trace_call_count(t);
		most = calls > most ? calls : most;
		ck_assert_msg(calls <= cap, "snapshot %d holds %zu calls, the ring %llu records", i, calls,
			      (unsigned long long)cap);
		for (size_t k = 0; k < vtb_trace_thread_count(t); k++) {
			const vtb_thread *th = vtb_trace_thread(t, k);
			for (uint32_t d = 0; d < th->depth_count; d++)
				for (size_t j = 1; j < th->rows[d].count; j++)
					ck_assert_msg(th->rows[d].slices[j].start_ns >= th->rows[d].slices[j - 1].start_ns +
									     th->rows[d].slices[j - 1].dur_ns,
						      "snapshot %d depth %u: calls %zu and %zu overlap", i, d, j - 1, j);
		}
		vtb_trace_free(t);
		usleep(200);
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	ck_assert_uint_gt(most, 0);
	vtb_ring_close(kept);
	free(r.buf);
}

START_TEST(test_live_writer_bounded)
{
	follow_writer(RF_CAP, 300);
}
END_TEST

/* The same with a ring of several chunks: the writer overwrites what the reader copies. */
START_TEST(test_live_writer_big)
{
	follow_writer(30000, 40);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ring");
	TCase *tc = tcase_create("reader");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30); /* a writer process competes with the reader: slow under load */
	tcase_add_test(tc, test_sound_ring);
	tcase_add_test(tc, test_state_texts);
	tcase_add_test(tc, test_wrapped_entry_lost);
	tcase_add_test(tc, test_hostile_files);
	tcase_add_test(tc, test_not_regular);
	tcase_add_test(tc, test_shrinks_under_reader);
	tcase_add_test(tc, test_truncated_under_mapping);
	tcase_add_test(tc, test_task_address_hostile);
	tcase_add_test(tc, test_live_drops_oldest_slot);
	tcase_add_test(tc, test_incremental_matches_full);
	tcase_add_test(tc, test_thread_renamed);
	tcase_add_test(tc, test_incremental_matches_full_big);
	tcase_add_test(tc, test_live_unwrapped_keeps_all);
	tcase_add_test(tc, test_lean_matches_general);
	tcase_add_test(tc, test_live_writer_bounded);
	tcase_add_test(tc, test_live_writer_big);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
