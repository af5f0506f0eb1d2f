/* SPDX-License-Identifier: MIT */
/* test_common.c: the VTB format and trace model (common/).
 *
 * Round trips of every event kind and header field, edge values, the writer's argument
 * checks, and damage: every truncation and every flipped byte of a small file, crafted
 * sections whose CRC is right but whose content lies.
 */
#include "common/vtb.h"
#include "common/vtb_internal.h"
#include "tests/vtb_craft.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- helpers ---- */

static const vtb_header base_header = {
	.pid = 4242, .ppid = 1, .cmdline = "python3 app.py --flag", .python_version = "3.11.7",
	.reason_text = "ValueError: bad", .start_wall_ns = 1700000000123456789ull,
	.start_mono_ns = 5000, .window_start_ns = 6000, .dump_ns = 1000000, .ring_capacity = 1 << 20,
	.events_dropped = 77, .reason = VTB_REASON_EXCEPTION, .wrapped = 1,
};

/* Finish a memory writer and load what it wrote; the test fails on any error. */
static vtb_trace *finish_load(vtb_writer *w, unsigned flags)
{
	char *cause = NULL;
	size_t len;

	ck_assert_int_eq(vtb_writer_finish(w, &cause), 0);
	const uint8_t *b = vtb_writer_mem(w, &len);
	ck_assert_ptr_nonnull(b);
	vtb_trace *t = vtb_trace_load_mem(b, len, flags, &cause);
	ck_assert_msg(t != NULL, "load failed: %s", cause ? cause : "?");
	return t;
}

/* Copy of a finished memory writer's bytes; the caller frees. */
static uint8_t *finish_copy(vtb_writer *w, size_t *len)
{
	char *cause = NULL;

	ck_assert_int_eq(vtb_writer_finish(w, &cause), 0);
	const uint8_t *b = vtb_writer_mem(w, len);
	uint8_t *c = malloc(*len);
	memcpy(c, b, *len);
	vtb_writer_free(w);
	return c;
}

/* Check's ck_assert records a checkpoint per call (a write to a pipe in fork mode):
 * loops over millions of items test the condition and abort only when it fails. */
#define REQUIRE(cond) \
	do { \
		if (!(cond)) \
			ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #cond); \
	} while (0)

/* Structural invariants every loaded model must keep, damaged input or not. */
static void check_sane(const vtb_trace *t)
{
	size_t calls = 0;

	for (size_t i = 0; i < vtb_trace_thread_count(t); i++) {
		const vtb_thread *th = vtb_trace_thread(t, i);
		size_t th_calls = 0;
		for (uint32_t d = 0; d < th->depth_count; d++) {
			const vtb_row *r = &th->rows[d];
			for (size_t k = 0; k < r->count; k++) {
				const vtb_slice *s = &r->slices[k];
				REQUIRE(s->depth == d);
				REQUIRE(s->name_id < vtb_trace_string_count(t));
				REQUIRE(s->start_ns + s->dur_ns >= s->start_ns);
				if (k)
					REQUIRE(s->start_ns >= r->slices[k - 1].start_ns + r->slices[k - 1].dur_ns);
			}
			th_calls += r->count;
		}
		REQUIRE(th_calls == th->call_count);
		calls += th_calls;
		for (size_t k = 1; k < th->mark_count; k++)
			REQUIRE(th->marks[k].ts_ns >= th->marks[k - 1].ts_ns);
		for (size_t k = 0; k < th->attachment_count; k++) {
			const vtb_attachment *a = &th->attachments[k];
			REQUIRE(a->depth < th->depth_count);
			REQUIRE(a->index < th->rows[a->depth].count);
			REQUIRE(vtb_thread_attachment(th, a->depth, a->index) == a);
		}
	}
	REQUIRE(calls == vtb_trace_call_count(t));
	for (size_t i = 0; i < vtb_trace_counter_count(t); i++) {
		const vtb_counter *c = vtb_trace_counter(t, i);
		for (size_t k = 1; k < c->count; k++)
			REQUIRE(c->samples[k].ts_ns >= c->samples[k - 1].ts_ns);
	}
}

static int str_eq(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

/* Two models hold the same things (thread order and string ids included). A salvaged
 * model has calls whose begin or end was lost: saved, they become events, so `events`
 * says whether event counts must match too. */
static void check_equal(const vtb_trace *a, const vtb_trace *b, int events)
{
	const vtb_header *ha = vtb_trace_header(a), *hb = vtb_trace_header(b);

	ck_assert(ha->pid == hb->pid && ha->ppid == hb->ppid && ha->reason == hb->reason);
	ck_assert(ha->dump_ns == hb->dump_ns && ha->start_wall_ns == hb->start_wall_ns);
	ck_assert(str_eq(ha->cmdline, hb->cmdline) && str_eq(ha->reason_text, hb->reason_text));
	ck_assert_uint_eq(vtb_trace_string_count(a), vtb_trace_string_count(b));
	for (uint32_t i = 0; i < vtb_trace_string_count(a); i++) {
		ck_assert_str_eq(vtb_trace_string(a, i)->name, vtb_trace_string(b, i)->name);
		ck_assert_str_eq(vtb_trace_string(a, i)->file, vtb_trace_string(b, i)->file);
		ck_assert_uint_eq(vtb_trace_string(a, i)->line, vtb_trace_string(b, i)->line);
	}
	ck_assert_uint_eq(vtb_trace_process_count(a), vtb_trace_process_count(b));
	ck_assert_uint_ge(vtb_trace_thread_count(b), vtb_trace_thread_count(a));
	for (size_t i = 0; i < vtb_trace_thread_count(a); i++) {
		const vtb_thread *x = vtb_trace_thread(a, i), *y = vtb_trace_thread(b, i);
		ck_assert(x->pid == y->pid && x->tid == y->tid && str_eq(x->name, y->name));
		ck_assert_uint_eq(x->depth_count, y->depth_count);
		for (uint32_t d = 0; d < x->depth_count; d++) {
			ck_assert_uint_eq(x->rows[d].count, y->rows[d].count);
			ck_assert(!memcmp(x->rows[d].slices, y->rows[d].slices, x->rows[d].count * sizeof(vtb_slice)));
		}
		ck_assert_uint_eq(x->mark_count, y->mark_count);
		for (size_t k = 0; k < x->mark_count; k++) {
			ck_assert(x->marks[k].ts_ns == y->marks[k].ts_ns && x->marks[k].kind == y->marks[k].kind);
			ck_assert(x->marks[k].name_id == y->marks[k].name_id && x->marks[k].level == y->marks[k].level);
			ck_assert_str_eq(x->marks[k].text, y->marks[k].text);
		}
		ck_assert_uint_eq(x->attachment_count, y->attachment_count);
		for (size_t k = 0; k < x->attachment_count; k++) {
			ck_assert(x->attachments[k].depth == y->attachments[k].depth);
			ck_assert(x->attachments[k].index == y->attachments[k].index);
			ck_assert(str_eq(x->attachments[k].args, y->attachments[k].args));
			ck_assert(str_eq(x->attachments[k].retval, y->attachments[k].retval));
		}
	}
	ck_assert_uint_eq(vtb_trace_counter_count(a), vtb_trace_counter_count(b));
	for (size_t i = 0; i < vtb_trace_counter_count(a); i++) {
		const vtb_counter *x = vtb_trace_counter(a, i), *y = vtb_trace_counter(b, i);
		ck_assert(x->pid == y->pid && x->name_id == y->name_id && x->series_id == y->series_id);
		ck_assert_uint_eq(x->count, y->count);
		ck_assert(!memcmp(x->samples, y->samples, x->count * sizeof(vtb_sample)));
	}
	ck_assert_uint_eq(vtb_trace_call_count(a), vtb_trace_call_count(b));
	if (events)
		ck_assert_uint_eq(vtb_trace_event_count(a), vtb_trace_event_count(b));
}

/* ---- CRC32C and varints ---- */

START_TEST(crc_known_values)
{
	static const struct { const char *in; uint32_t crc; } cases[] = {
		{ "", 0x00000000 },
		{ "a", 0xC1D04330 },
		{ "123456789", 0xE3069283 },
		{ "The quick brown fox jumps over the lazy dog", 0x22620404 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = strlen(cases[i].in);
		ck_assert_uint_eq(vtb_crc32c(0, cases[i].in, n), cases[i].crc);
		ck_assert_uint_eq(vtb_crc32c_sw(0, cases[i].in, n), cases[i].crc);
		/* Continuing from a prefix gives the same as one call. */
		ck_assert_uint_eq(vtb_crc32c(vtb_crc32c(0, cases[i].in, n / 2), cases[i].in + n / 2, n - n / 2),
				  cases[i].crc);
	}
	uint8_t buf[1031];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 131 + 7);
	for (size_t off = 0; off < 9; off++)
		ck_assert_uint_eq(vtb_crc32c(0, buf + off, sizeof(buf) - off), vtb_crc32c_sw(0, buf + off, sizeof(buf) - off));
}
END_TEST

static const uint64_t varint_values[] = {
	0, 1, 127, 128, 300, 16383, 16384, (1ull << 32) - 1, 1ull << 32, (1ull << 56) + 5,
	(1ull << 63) - 1, 1ull << 63, UINT64_MAX,
};

START_TEST(varint_round_trip)
{
	uint8_t buf[16];
	uint64_t v = varint_values[_i], got = 0;
	size_t n = vtb_varint_put(buf, v);
	const uint8_t *p = buf;

	ck_assert_uint_eq(n, vtb_varint_len(v));
	ck_assert_uint_le(n, 10);
	ck_assert_int_eq(vtb_varint_get(&p, buf + n, &got), 0);
	ck_assert_uint_eq(got, v);
	ck_assert_ptr_eq(p, buf + n);
	/* Cut short by one byte: reported, not read past. */
	p = buf;
	if (n > 1)
		ck_assert_int_eq(vtb_varint_get(&p, buf + n - 1, &got), -1);
	if (n > 1)
		ck_assert_ptr_eq(p, buf);
}
END_TEST

START_TEST(varint_invalid)
{
	uint8_t eleven[11], big[10];
	uint64_t v;
	const uint8_t *p = eleven;

	memset(eleven, 0x80, sizeof(eleven));
	eleven[10] = 0;
	ck_assert_int_eq(vtb_varint_get(&p, eleven + 11, &v), -2);
	/* Ten bytes whose last one carries more than bit 63. */
	memset(big, 0xff, sizeof(big));
	big[9] = 0x02;
	p = big;
	ck_assert_int_eq(vtb_varint_get(&p, big + 10, &v), -2);
	p = big;
	ck_assert_int_eq(vtb_varint_get(&p, big, &v), -1);
}
END_TEST

/* ---- round trips ---- */

START_TEST(round_trip_every_kind)
{
	vtb_writer *w = vtb_writer_open_mem(&base_header);
	int64_t f = vtb_writer_string(w, "mod.Class.method", "/src/mod.py", 42);
	int64_t g = vtb_writer_string(w, "mod.helper", "/src/mod.py", 7);
	int64_t inst = vtb_writer_string(w, "checkpoint", NULL, 0);
	int64_t ctr = vtb_writer_string(w, "memory", NULL, 0);
	int64_t ser = vtb_writer_string(w, "rss", NULL, 0);
	int64_t lg = vtb_writer_string(w, "app.db", NULL, 0);

	ck_assert_int_eq(vtb_writer_string(w, "mod.helper", "/src/mod.py", 7), g);
	ck_assert_int_ne(vtb_writer_string(w, "mod.helper", "/src/mod.py", 8), g);
	ck_assert_int_eq(vtb_writer_process(w, 4242, 1, "python3"), 0);
	int64_t t0 = vtb_writer_thread(w, 4242, 140001, "MainThread");
	int64_t t1 = vtb_writer_thread(w, 4242, 140002, "worker");
	ck_assert(t0 == 0 && t1 == 1);

	ck_assert_int_eq(vtb_writer_begin(w, 0, 6000, f, 0), 0);
	ck_assert_int_eq(vtb_writer_args(w, 0, "x=1, y='a'"), 0);
	ck_assert_int_eq(vtb_writer_begin(w, 0, 6100, g, VTB_CALL_C), 0);
	ck_assert_int_eq(vtb_writer_instant(w, 0, 6150, inst, "k=v"), 0);
	ck_assert_int_eq(vtb_writer_end(w, 0, 6200, VTB_CALL_EXCEPTION), 0);
	ck_assert_int_eq(vtb_writer_retval(w, 0, "None"), 0);
	ck_assert_int_eq(vtb_writer_counter(w, 0, 6300, ctr, ser, -2.5e9), 0);
	ck_assert_int_eq(vtb_writer_log(w, 0, 6400, 40, lg, "connection lost"), 0);
	ck_assert_int_eq(vtb_writer_object(w, 0, 6500, inst, "{'a': 1}"), 0);
	ck_assert_int_eq(vtb_writer_begin(w, 0, 6600, g, VTB_CALL_SPAN | VTB_CALL_GC), 0);
	ck_assert_int_eq(vtb_writer_end(w, 0, 6700, 0), 0);
	ck_assert_int_eq(vtb_writer_begin(w, 1, 6050, g, VTB_CALL_ENTRY_LOST), 0);
	ck_assert_int_eq(vtb_writer_end(w, 1, 7000, 0), 0);
	ck_assert_int_eq(vtb_writer_counter(w, 1, 7000, ctr, ser, 3.0), 0);
	/* Thread 0's outer call stays open: finish ends it at dump_ns. */
	vtb_trace *t = finish_load(w, 0);
	check_sane(t);

	const vtb_header *h = vtb_trace_header(t);
	ck_assert_uint_eq(h->pid, 4242);
	ck_assert_uint_eq(h->ppid, 1);
	ck_assert_str_eq(h->cmdline, base_header.cmdline);
	ck_assert_str_eq(h->python_version, "3.11.7");
	ck_assert_str_eq(h->reason_text, "ValueError: bad");
	ck_assert_uint_eq(h->start_wall_ns, base_header.start_wall_ns);
	ck_assert_uint_eq(h->start_mono_ns, 5000);
	ck_assert_uint_eq(h->window_start_ns, 6000);
	ck_assert_uint_eq(h->dump_ns, 1000000);
	ck_assert_uint_eq(h->ring_capacity, 1 << 20);
	ck_assert_uint_eq(h->events_dropped, 77);
	ck_assert_uint_eq(h->reason, VTB_REASON_EXCEPTION);
	ck_assert_uint_eq(h->wrapped, 1);

	ck_assert_uint_eq(vtb_trace_string_count(t), 7);
	ck_assert_str_eq(vtb_trace_string(t, (uint32_t)f)->name, "mod.Class.method");
	ck_assert_str_eq(vtb_trace_string(t, (uint32_t)f)->file, "/src/mod.py");
	ck_assert_uint_eq(vtb_trace_string(t, (uint32_t)f)->line, 42);
	ck_assert_str_eq(vtb_trace_string(t, (uint32_t)inst)->file, "");
	ck_assert_ptr_null(vtb_trace_string(t, 7));
	ck_assert_uint_eq(vtb_trace_process_count(t), 1);
	ck_assert_str_eq(vtb_trace_process(t, 0)->name, "python3");
	ck_assert_uint_eq(vtb_trace_process(t, 0)->ppid, 1);

	const vtb_thread *th = vtb_trace_thread(t, 0);
	ck_assert_str_eq(th->name, "MainThread");
	ck_assert_uint_eq(th->tid, 140001);
	ck_assert_uint_eq(th->depth_count, 2);
	ck_assert_uint_eq(th->rows[0].count, 1);
	vtb_slice s0 = th->rows[0].slices[0];
	ck_assert(s0.start_ns == 6000 && s0.dur_ns == 1000000 - 6000 && s0.flags == VTB_CALL_OPEN);
	ck_assert_uint_eq(th->rows[1].count, 2);
	vtb_slice s1 = th->rows[1].slices[0], s2 = th->rows[1].slices[1];
	ck_assert(s1.start_ns == 6100 && s1.dur_ns == 100 && s1.name_id == g);
	ck_assert_uint_eq(s1.flags, VTB_CALL_C | VTB_CALL_EXCEPTION);
	ck_assert(s2.start_ns == 6600 && s2.dur_ns == 100 && s2.flags == (VTB_CALL_SPAN | VTB_CALL_GC));
	ck_assert_uint_eq(th->call_count, 3);

	ck_assert_uint_eq(th->mark_count, 3);
	ck_assert(th->marks[0].kind == VTB_MARK_INSTANT && th->marks[0].ts_ns == 6150);
	ck_assert_str_eq(th->marks[0].text, "k=v");
	ck_assert(th->marks[1].kind == VTB_MARK_LOG && th->marks[1].level == 40 && th->marks[1].name_id == lg);
	ck_assert_str_eq(th->marks[1].text, "connection lost");
	ck_assert(th->marks[2].kind == VTB_MARK_OBJECT && th->marks[2].level == 0);
	ck_assert_str_eq(th->marks[2].text, "{'a': 1}");

	ck_assert_uint_eq(th->attachment_count, 2);
	const vtb_attachment *a = vtb_thread_attachment(th, 0, 0);
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->args, "x=1, y='a'");
	ck_assert_ptr_null(a->retval);
	a = vtb_thread_attachment(th, 1, 0);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_null(a->args);
	ck_assert_str_eq(a->retval, "None");
	ck_assert_ptr_null(vtb_thread_attachment(th, 1, 1));

	const vtb_thread *w1 = vtb_trace_thread(t, 1);
	ck_assert_uint_eq(w1->rows[0].slices[0].flags, VTB_CALL_ENTRY_LOST);
	ck_assert_uint_eq(vtb_trace_counter_count(t), 1);
	const vtb_counter *c = vtb_trace_counter(t, 0);
	ck_assert(c->pid == 4242 && c->name_id == ctr && c->series_id == ser && c->count == 2);
	ck_assert(c->samples[0].ts_ns == 6300 && c->samples[0].value == -2.5e9);
	ck_assert(c->samples[1].ts_ns == 7000 && c->samples[1].value == 3.0);

	/* begins 4 + ends 4 + instant + counter 2 + log + object */
	ck_assert_uint_eq(vtb_trace_event_count(t), 13);
	uint64_t first, last;
	vtb_trace_span(t, &first, &last);
	ck_assert_uint_eq(first, 6000);
	ck_assert_uint_eq(last, 1000000);
	const vtb_damage *dmg = vtb_trace_damage(t);
	ck_assert(dmg->sections_bad == 0 && dmg->bytes_lost == 0 && !dmg->truncated && !dmg->first_problem);
	vtb_trace_free(t);
	vtb_writer_free(w);
}
END_TEST

START_TEST(empty_trace)
{
	vtb_header h = { 0 };
	vtb_writer *w = vtb_writer_open_mem(&h);
	vtb_trace *t = finish_load(w, 0);
	uint64_t a = 1, b = 1;

	ck_assert_uint_eq(vtb_trace_thread_count(t), 0);
	ck_assert_uint_eq(vtb_trace_string_count(t), 0);
	ck_assert_uint_eq(vtb_trace_call_count(t), 0);
	ck_assert_uint_eq(vtb_trace_event_count(t), 0);
	ck_assert_str_eq(vtb_trace_header(t)->cmdline, "");
	vtb_trace_span(t, &a, &b);
	ck_assert(a == 0 && b == 0);
	vtb_trace_free(t);
	vtb_writer_free(w);
}
END_TEST

START_TEST(one_event)
{
	vtb_writer *w = vtb_writer_open_mem(&base_header);
	int64_t n = vtb_writer_string(w, "only", NULL, 0);
	vtb_writer_thread(w, 1, 2, NULL);
	ck_assert_int_eq(vtb_writer_instant(w, 0, 123456, (uint32_t)n, NULL), 0);
	vtb_trace *t = finish_load(w, 0);

	ck_assert_uint_eq(vtb_trace_event_count(t), 1);
	const vtb_thread *th = vtb_trace_thread(t, 0);
	ck_assert_uint_eq(th->mark_count, 1);
	ck_assert_uint_eq(th->marks[0].ts_ns, 123456);
	ck_assert_str_eq(th->marks[0].text, "");
	ck_assert_str_eq(th->name, "");
	ck_assert_uint_eq(th->depth_count, 0);
	vtb_trace_free(t);
	vtb_writer_free(w);
}
END_TEST

/* Deep recursion like fib: a million events, and the bytes it takes. */
START_TEST(million_events)
{
	vtb_writer *w = vtb_writer_open_mem(&base_header);
	int64_t n = vtb_writer_string(w, "fib", "fib.py", 1);
	uint64_t ts = 10000;
	uint32_t depth = 0;
	size_t len;

	vtb_writer_thread(w, 1, 1, "main");
	for (int i = 0; i < 500000; i++) {
		/* Down 20 levels, back up, with the steps of a traced fib(): ~70 ns a call,
		 * ~45 ns a return. */
		int down = (i / 20) % 2 == 0;
		if (down || depth == 0) {
			REQUIRE(vtb_writer_begin(w, 0, ts += 70, (uint32_t)n, 0) == 0);
			depth++;
		} else {
			REQUIRE(vtb_writer_end(w, 0, ts += 45, 0) == 0);
			depth--;
		}
		if (down && depth > 1) {
			REQUIRE(vtb_writer_end(w, 0, ts += 40, 0) == 0);
			REQUIRE(vtb_writer_begin(w, 0, ts += 90, (uint32_t)n, 0) == 0);
		}
	}
	uint8_t *b = finish_copy(w, &len);
	char *cause = NULL;
	vtb_trace *t = vtb_trace_load_mem(b, len, 0, &cause);
	ck_assert_msg(t != NULL, "%s", cause);
	check_sane(t);
	size_t calls = vtb_trace_call_count(t);
	ck_assert_uint_eq(vtb_trace_event_count(t), 2 * calls);
	ck_assert_uint_gt(calls, 450000);
	/* The design target: 4 bytes a call or fewer on deep recursion. */
	ck_assert_msg((double)len / (double)calls <= 4.0, "%.3f bytes per call", (double)len / (double)calls);
	vtb_trace_free(t);
	free(b);
}
END_TEST

/* Timestamps far apart: deltas up to 2^64-1 go through the SKIP record. */
/* The format's time range ends at VTB_TIME_MAX (2^62 ns): the largest steps up to it round
 * trip, and the writer refuses a time past it, in the header or in an event. */
START_TEST(largest_deltas)
{
	const uint64_t M = VTB_TIME_MAX;
	vtb_header h = base_header;
	h.dump_ns = M;
	vtb_writer *w = vtb_writer_open_mem(&h);
	int64_t n = vtb_writer_string(w, "f", NULL, 0);

	vtb_writer_thread(w, 1, UINT64_MAX, "t");
	ck_assert_int_eq(vtb_writer_begin(w, 0, 0, (uint32_t)n, 0), 0);
	ck_assert_int_eq(vtb_writer_begin(w, 0, 1ull << 61, (uint32_t)n, 0xffff), 0);
	ck_assert_int_eq(vtb_writer_end(w, 0, M - 1, 0), 0);
	ck_assert_int_eq(vtb_writer_instant(w, 0, M, (uint32_t)n, NULL), 0);
	ck_assert_int_eq(vtb_writer_instant(w, 0, M + 1, (uint32_t)n, NULL), VTB_E_ARG);
	ck_assert_int_eq(vtb_writer_end(w, 0, UINT64_MAX, 0), VTB_E_ARG);
	ck_assert_int_eq(vtb_writer_end(w, 0, M, 0), 0);
	ck_assert_int_eq(vtb_writer_begin(w, 0, M, (uint32_t)n, 0), VTB_OK);
	vtb_trace *t = finish_load(w, 0);
	const vtb_thread *th = vtb_trace_thread(t, 0);

	ck_assert_uint_eq(th->tid, UINT64_MAX);
	ck_assert_uint_eq(th->rows[0].slices[0].start_ns, 0);
	ck_assert_uint_eq(th->rows[0].slices[0].dur_ns, M);
	ck_assert_uint_eq(th->rows[0].slices[1].start_ns, M);
	ck_assert_uint_eq(th->rows[0].slices[1].dur_ns, 0);
	ck_assert_uint_eq(th->rows[0].slices[1].flags, VTB_CALL_OPEN);
	ck_assert_uint_eq(th->rows[1].slices[0].start_ns, 1ull << 61);
	ck_assert_uint_eq(th->rows[1].slices[0].dur_ns, (M - 1) - (1ull << 61));
	ck_assert_uint_eq(th->rows[1].slices[0].flags, 0xffff);
	ck_assert_uint_eq(th->marks[0].ts_ns, M);
	ck_assert_uint_eq(vtb_trace_header(t)->dump_ns, M);
	vtb_trace_free(t);
	vtb_writer_free(w);
	/* A header time past the range: the writer will not start. */
	h.start_wall_ns = UINT64_MAX - (1ull << 33) + 1;
	ck_assert_ptr_null(vtb_writer_open_mem(&h));
}
END_TEST

/* Names of 100 KB in several scripts, a 1 MB argument text. */
START_TEST(long_and_unicode_names)
{
	static const char *pieces[] = { "é", "漢字", "🙂", "a", "\xd0\x96" };
	size_t big = 100 * 1024;
	char *name = malloc(big + 8), *text = malloc((1 << 20) + 1);
	size_t k = 0;

	for (size_t i = 0; k < big; i++) {
		const char *p = pieces[i % 5];
		memcpy(name + k, p, strlen(p));
		k += strlen(p);
	}
	name[k] = 0;
	memset(text, 'x', 1 << 20);
	text[1 << 20] = 0;
	vtb_writer *w = vtb_writer_open_mem(&base_header);
	int64_t n = vtb_writer_string(w, name, "ファイル.py", 3);
	int64_t m = vtb_writer_string(w, "", "", 0);
	vtb_writer_thread(w, 1, 1, "Поток");
	ck_assert_int_eq(vtb_writer_begin(w, 0, 10, (uint32_t)n, 0), 0);
	ck_assert_int_eq(vtb_writer_args(w, 0, text), 0);
	ck_assert_int_eq(vtb_writer_end(w, 0, 20, 0), 0);
	ck_assert_int_eq(vtb_writer_instant(w, 0, 30, (uint32_t)m, name), 0);
	vtb_trace *t = finish_load(w, 0);

	ck_assert_str_eq(vtb_trace_string(t, (uint32_t)n)->name, name);
	ck_assert_str_eq(vtb_trace_string(t, (uint32_t)n)->file, "ファイル.py");
	ck_assert_str_eq(vtb_trace_string(t, (uint32_t)m)->name, "");
	ck_assert_str_eq(vtb_trace_thread(t, 0)->name, "Поток");
	ck_assert_str_eq(vtb_trace_thread(t, 0)->attachments[0].args, text);
	ck_assert_str_eq(vtb_trace_thread(t, 0)->marks[0].text, name);
	vtb_trace_free(t);
	vtb_writer_free(w);
	free(name);
	free(text);
}
END_TEST

/* The EXAMPLE of man/vtb.5, byte for byte: the page and the writer must not drift apart. */
START_TEST(man_page_example)
{
	static const uint8_t want[] = {
		0x56, 0x54, 0x42, 0x00, 0x01, 0x00, 0x01, 0x00, 0x48, 0x45, 0x41, 0x44, 0x0e, 0x00, 0x00, 0x00,
		0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xd0, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc1, 0x6a,
		0x5f, 0x1f, 0x53, 0x54, 0x52, 0x53, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x66, 0x04, 0x61,
		0x2e, 0x70, 0x79, 0x03, 0x56, 0x81, 0x29, 0x9d, 0x54, 0x48, 0x52, 0x44, 0x06, 0x00, 0x00, 0x00,
		0x00, 0x01, 0x07, 0x09, 0x01, 0x4d, 0x48, 0x59, 0xdd, 0x68, 0x45, 0x56, 0x54, 0x53, 0x0c, 0x00,
		0x00, 0x00, 0x00, 0x00, 0xe8, 0x07, 0x04, 0x00, 0x01, 0x00, 0x83, 0x0a, 0x78, 0x3c, 0xc1, 0xc6,
		0xe9, 0xbd, 0x49, 0x4e, 0x44, 0x58, 0x19, 0x00, 0x00, 0x00, 0x04, 0x48, 0x45, 0x41, 0x44, 0x08,
		0x53, 0x54, 0x52, 0x53, 0x1a, 0x54, 0x48, 0x52, 0x44, 0x16, 0x45, 0x56, 0x54, 0x53, 0x12, 0x00,
		0xe8, 0x07, 0x04, 0x48, 0xea, 0x7d, 0x26, 0x62, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x56,
		0x54, 0x42, 0x54, 0x52, 0x41, 0x49, 0x4c,
	};
	vtb_header h = { .pid = 7, .dump_ns = 2000 };
	vtb_writer *w = vtb_writer_open_mem(&h);
	int64_t f = vtb_writer_string(w, "f", "a.py", 3);
	size_t len;

	vtb_writer_thread(w, 7, 9, "M");
	ck_assert_int_eq(vtb_writer_begin(w, 0, 1000, (uint32_t)f, 0), 0);
	ck_assert_int_eq(vtb_writer_begin(w, 0, 1040, (uint32_t)f, 0), 0);
	ck_assert_int_eq(vtb_writer_end(w, 0, 1100, 0), 0);
	ck_assert_int_eq(vtb_writer_end(w, 0, 1130, 0), 0);
	uint8_t *b = finish_copy(w, &len);
	ck_assert_uint_eq(len, sizeof(want));
	for (size_t i = 0; i < len; i++)
		ck_assert_msg(b[i] == want[i], "byte %zu: 0x%02x, the page says 0x%02x", i, b[i], want[i]);
	free(b);
}
END_TEST

/* The name cache holds (name, flags) pairs: repeated C calls are as cheap as Python ones,
 * and each keeps its own flags. */
START_TEST(flagged_calls_cached)
{
	vtb_writer *w = vtb_writer_open_mem(&base_header);
	uint32_t py = (uint32_t)vtb_writer_string(w, "loop", NULL, 0);
	uint32_t c = (uint32_t)vtb_writer_string(w, "builtins.len", NULL, 0);
	uint64_t ts = 100;
	size_t len;

	vtb_writer_thread(w, 1, 1, "t");
	for (int i = 0; i < 3000; i++) {
		uint32_t flags = i % 3 == 0 ? 0 : i % 3 == 1 ? VTB_CALL_C : VTB_CALL_C | VTB_CALL_GC;
		REQUIRE(vtb_writer_begin(w, 0, ts += 100, i % 3 ? c : py, flags) == 0);
		REQUIRE(vtb_writer_end(w, 0, ts += 50, i % 7 == 0 ? VTB_CALL_EXCEPTION : 0) == 0);
	}
	uint8_t *b = finish_copy(w, &len);
	char *cause = NULL;
	vtb_trace *t = vtb_trace_load_mem(b, len, 0, &cause);
	ck_assert_msg(t != NULL, "%s", cause);
	const vtb_row *r = &vtb_trace_thread(t, 0)->rows[0];
	ck_assert_uint_eq(r->count, 3000);
	for (size_t i = 0; i < r->count; i++) {
		uint32_t flags = i % 3 == 0 ? 0 : i % 3 == 1 ? VTB_CALL_C : VTB_CALL_C | VTB_CALL_GC;
		flags |= i % 7 == 0 ? VTB_CALL_EXCEPTION : 0;
		REQUIRE(r->slices[i].flags == flags);
		REQUIRE(r->slices[i].name_id == (i % 3 ? c : py));
	}
	/* Exception ends take a flags varint; the rest is 2 + 1 bytes a call. */
	ck_assert_msg((double)len / 3000.0 < 4.0, "%zu bytes", len);
	vtb_trace_free(t);
	free(b);
}
END_TEST

/* ---- the writer refuses what the format cannot say ---- */

START_TEST(writer_rejects_bad_calls)
{
	vtb_writer *w = vtb_writer_open_mem(&base_header);
	int64_t n = vtb_writer_string(w, "f", NULL, 0);

	vtb_writer_thread(w, 1, 1, "t");
	ck_assert_int_eq(vtb_writer_end(w, 0, 10, 0), VTB_E_ARG);           /* no open call */
	ck_assert_int_eq(vtb_writer_begin(w, 1, 10, (uint32_t)n, 0), VTB_E_ARG); /* unknown thread */
	ck_assert_int_eq(vtb_writer_begin(w, 0, 10, 5, 0), VTB_E_ARG);       /* unknown string */
	ck_assert_int_eq(vtb_writer_begin(w, 0, 10, (uint32_t)n, 1u << 16), VTB_E_ARG);
	ck_assert_int_eq(vtb_writer_args(w, 0, "x"), VTB_E_ARG);             /* nothing open */
	ck_assert_int_eq(vtb_writer_retval(w, 0, "x"), VTB_E_ARG);           /* nothing ended */
	ck_assert_int_eq(vtb_writer_begin(w, 0, 100, (uint32_t)n, 0), 0);
	ck_assert_int_eq(vtb_writer_end(w, 0, 99, 0), VTB_E_ARG);            /* time went back */
	ck_assert_int_eq(vtb_writer_instant(w, 0, 50, (uint32_t)n, NULL), VTB_E_ARG);
	ck_assert_int_eq(vtb_writer_counter(w, 0, 200, (uint32_t)n, 9, 1.0), VTB_E_ARG);
	ck_assert_int_eq(vtb_writer_end(w, 0, 100, 0), 0);
	ck_assert_int_eq(vtb_writer_retval(w, 0, "1"), 0);
	ck_assert_int_eq(vtb_writer_retval(w, 0, "2"), VTB_E_ARG);           /* one per call */
	ck_assert_int_eq(vtb_writer_set_chunk_bytes(w, 10), VTB_E_ARG);
	/* The refusals left the stream valid. */
	vtb_trace *t = finish_load(w, 0);
	ck_assert_uint_eq(vtb_trace_call_count(t), 1);
	char *cause = NULL;
	ck_assert_int_eq(vtb_writer_finish(w, &cause), VTB_E_ARG);
	ck_assert_ptr_nonnull(cause);
	free(cause);
	vtb_trace_free(t);
	vtb_writer_free(w);
	vtb_writer_free(NULL);
	vtb_trace_free(NULL);
}
END_TEST

START_TEST(writer_file_errors)
{
	char *cause = NULL;
	vtb_writer *w = vtb_writer_open_file("/nonexistent-dir/x.vtb", &base_header, &cause);

	ck_assert_ptr_null(w);
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, "/nonexistent-dir/x.vtb") != NULL, "%s", cause);
	free(cause);
	cause = NULL;
	ck_assert_ptr_null(vtb_trace_load("/nonexistent-dir/x.vtb", 0, NULL, NULL, &cause));
	ck_assert_msg(strstr(cause, "No such file") != NULL, "%s", cause);
	free(cause);
	cause = NULL;
	ck_assert_ptr_null(vtb_trace_load("/tmp", 0, NULL, NULL, &cause));
	ck_assert_msg(strstr(cause, "/tmp: is a directory, not a trace") != NULL, "%s", cause);
	free(cause);
	cause = NULL;
	ck_assert_ptr_null(vtb_trace_load("/dev/null", 0, NULL, NULL, &cause));
	ck_assert_msg(strstr(cause, "/dev/null: not a regular file") != NULL, "%s", cause);
	free(cause);
	for (unsigned flags = 0; flags <= VTB_LOAD_SALVAGE; flags += VTB_LOAD_SALVAGE) {
		cause = NULL;
		ck_assert_ptr_null(vtb_trace_load_mem((const uint8_t *)"", 0, flags, &cause));
		ck_assert_msg(cause && strstr(cause, "the file is empty"), "%s", cause ? cause : "(null)");
		free(cause);
	}
}
END_TEST

START_TEST(names_of_enums)
{
	ck_assert_str_eq(vtb_reason_name(VTB_REASON_EXCEPTION), "exception");
	ck_assert_str_eq(vtb_reason_name(VTB_REASON_IMPORT), "import");
	ck_assert_str_eq(vtb_reason_name(999), "unknown");
	ck_assert_str_eq(vtb_strerror(VTB_E_CRC), "checksum mismatch");
	ck_assert_str_eq(vtb_strerror(-100), "unknown error");
	for (int e = VTB_E_ARG; e <= 0; e++)
		ck_assert_str_ne(vtb_strerror(e), "unknown error");
}
END_TEST

START_TEST(row_find_cases)
{
	static const vtb_slice s[] = {
		{ 10, 10, 0, 0, 0 }, { 20, 0, 0, 0, 0 }, { 30, 5, 0, 0, 0 }, { 50, 50, 0, 0, 0 },
	};
	static const struct { uint64_t ts; size_t want; } cases[] = {
		{ 0, 0 }, { 10, 0 }, { 19, 0 }, { 20, 2 }, { 34, 2 }, { 35, 3 }, { 99, 3 }, { 100, 4 }, { UINT64_MAX, 4 },
	};
	vtb_row r = { s, 4 }, empty = { NULL, 0 };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(vtb_row_find(&r, cases[i].ts) == cases[i].want, "ts %llu", (unsigned long long)cases[i].ts);
	ck_assert_uint_eq(vtb_row_find(&empty, 5), 0);
}
END_TEST

/* ---- a sample file with several chunks, threads and string batches ---- */

struct sec {
	uint32_t tag;
	size_t off, size;
	uint64_t records; /* EVTS only */
};

/* An independent walk over a sound file's sections (by their lengths). */
static size_t walk_sections(const uint8_t *b, size_t len, struct sec *out, size_t max)
{
	size_t off = 8, n = 0;

	while (len - off > 16 && n < max) {
		uint32_t plen = vtb_get_u32(b + off + 4);
		out[n] = (struct sec){ vtb_get_u32(b + off), off, plen + 12u, 0 };
		if (out[n].tag == VTB_TAG_EVTS) {
			const uint8_t *p = b + off + 8;
			uint64_t v = 0;
			for (int k = 0; k < 4; k++)
				ck_assert_int_eq(vtb_varint_get(&p, b + off + 8 + plen, &v), 0);
			out[n].records = v;
		}
		off += plen + 12u;
		n++;
	}
	ck_assert_uint_eq(len - off, 16);
	return n;
}

/* No args or return values here: so every record is one model event. */
static uint8_t *sample_file(size_t *len)
{
	vtb_writer *w = vtb_writer_open_mem(&base_header);
	uint32_t names[6];
	uint64_t ts = 7000;

	vtb_writer_set_chunk_bytes(w, 64);
	for (int i = 0; i < 3; i++)
		names[i] = (uint32_t)vtb_writer_string(w, i == 0 ? "main" : i == 1 ? "work" : "leaf", "s.py", (uint32_t)i);
	vtb_writer_process(w, 4242, 1, "py");
	vtb_writer_thread(w, 4242, 1, "main");
	for (int round = 0; round < 6; round++) {
		if (round == 3) {
			for (int i = 3; i < 6; i++)
				names[i] = (uint32_t)vtb_writer_string(w, i == 3 ? "late" : i == 4 ? "later" : "gauge", "", 0);
			vtb_writer_thread(w, 4242, 2, "second");
		}
		uint32_t th = round >= 3 && round % 2 ? 1 : 0;
		vtb_writer_begin(w, th, ts += 100, names[0], 0);
		for (int k = 0; k < 4; k++) {
			vtb_writer_begin(w, th, ts += 90, names[1 + k % 2], k == 1 ? VTB_CALL_C : 0);
			vtb_writer_begin(w, th, ts += 30, names[round >= 3 ? 4 : 2], 0);
			vtb_writer_end(w, th, ts += 20, 0);
			vtb_writer_end(w, th, ts += 70, k == 2 ? VTB_CALL_EXCEPTION : 0);
			if (round >= 3)
				vtb_writer_counter(w, th, ts, names[5], names[3], k);
		}
		vtb_writer_instant(w, th, ts += 5, names[round >= 3 ? 3 : 1], "i");
		if (round != 5)
			vtb_writer_end(w, th, ts += 40, 0);
	}
	return finish_copy(w, len);
}

START_TEST(sample_is_sound)
{
	size_t len;
	uint8_t *b = sample_file(&len);
	struct sec secs[256];
	size_t n = walk_sections(b, len, secs, 256), evts = 0, strs = 0;
	uint64_t records = 0;

	for (size_t i = 0; i < n; i++) {
		evts += secs[i].tag == VTB_TAG_EVTS;
		strs += secs[i].tag == VTB_TAG_STRS;
		records += secs[i].records;
	}
	ck_assert_uint_ge(evts, 6);
	ck_assert_uint_eq(strs, 2);
	ck_assert_uint_eq(secs[0].tag, VTB_TAG_HEAD);
	ck_assert_uint_eq(secs[n - 1].tag, VTB_TAG_INDX);
	char *cause = NULL;
	vtb_trace *t = vtb_trace_load_mem(b, len, 0, &cause);
	ck_assert_msg(t != NULL, "%s", cause);
	ck_assert_uint_eq(vtb_trace_event_count(t), records);
	ck_assert_uint_eq(vtb_trace_thread_count(t), 2);
	ck_assert_uint_eq(vtb_trace_call_count(t), 6 * 9);
	check_sane(t);
	vtb_trace_free(t);
	free(b);
}
END_TEST

/* Cut the file at every byte: strict loads fail with a message; salvage keeps every
 * chunk that ends before the cut, exactly. */
START_TEST(truncated_everywhere)
{
	size_t len;
	uint8_t *b = sample_file(&len);
	struct sec secs[256];
	size_t n = walk_sections(b, len, secs, 256);

	for (size_t cut = 0; cut < len; cut++) {
		char *cause = NULL;
		uint8_t *copy = malloc(cut ? cut : 1); /* exact size: ASan sees any overread */
		memcpy(copy, b, cut);
		vtb_trace *t = vtb_trace_load_mem(copy, cut, 0, &cause);
		ck_assert_msg(t == NULL, "strict load of a file cut at %zu succeeded", cut);
		ck_assert_msg(cause && strstr(cause, "byte "), "cut %zu: %s", cut, cause ? cause : "(null)");
		free(cause);
		cause = NULL;
		uint64_t want = 0;
		for (size_t i = 0; i < n; i++)
			if (secs[i].off + secs[i].size <= cut)
				want += secs[i].records;
		t = vtb_trace_load_mem(copy, cut, VTB_LOAD_SALVAGE, &cause);
		if (cut >= secs[0].off + secs[0].size) {
			ck_assert_msg(t != NULL, "salvage of a cut at %zu failed: %s", cut, cause);
			ck_assert_msg(vtb_trace_event_count(t) == want, "cut %zu: %zu events, want %llu", cut,
				      vtb_trace_event_count(t), (unsigned long long)want);
			ck_assert(vtb_trace_damage(t)->truncated);
			ck_assert_ptr_nonnull(vtb_trace_damage(t)->first_problem);
			check_sane(t);
		} else {
			ck_assert_msg(t == NULL && cause, "cut %zu: nothing intact, yet no error", cut);
		}
		vtb_trace_free(t);
		free(cause);
		free(copy);
	}
	free(b);
}
END_TEST

/* Flip every byte: strict loads fail (except the minor version, which may change);
 * salvage loses exactly the chunk that held the byte, and names its offset. */
START_TEST(flipped_everywhere)
{
	size_t len;
	uint8_t *b = sample_file(&len);
	struct sec secs[256];
	size_t n = walk_sections(b, len, secs, 256);
	uint64_t total = 0;

	for (size_t i = 0; i < n; i++)
		total += secs[i].records;
	for (size_t at = 0; at < len; at++) {
		char *cause = NULL;
		b[at] ^= 0xff;
		vtb_trace *t = vtb_trace_load_mem(b, len, 0, &cause);
		if (at == 6 || at == 7) {
			ck_assert_msg(t != NULL, "minor version byte: %s", cause);
		} else {
			ck_assert_msg(t == NULL, "strict load with byte %zu flipped succeeded", at);
			ck_assert_msg(cause && strstr(cause, "byte "), "flip %zu: %s", at, cause ? cause : "(null)");
		}
		vtb_trace_free(t);
		free(cause);
		cause = NULL;
		uint64_t want = total;
		for (size_t i = 0; i < n; i++)
			if (at >= secs[i].off && at < secs[i].off + secs[i].size)
				want -= secs[i].records;
		t = vtb_trace_load_mem(b, len, VTB_LOAD_SALVAGE, &cause);
		ck_assert_msg(t != NULL, "salvage with byte %zu flipped failed: %s", at, cause);
		ck_assert_msg(vtb_trace_event_count(t) == want, "flip %zu: %zu events, want %llu", at,
			      vtb_trace_event_count(t), (unsigned long long)want);
		if (at != 6 && at != 7)
			ck_assert_msg(vtb_trace_damage(t)->first_problem != NULL, "flip %zu unnoticed", at);
		check_sane(t);
		vtb_trace_free(t);
		b[at] ^= 0xff;
	}
	free(b);
}
END_TEST

/* The same over a file with every kind of record (arguments, return values, logs, objects,
 * counters, 3 threads): salvage never loses more than the damaged chunk's records. */
static uint8_t *rich_file(size_t *len)
{
	vtb_writer *w = vtb_writer_open_mem(&base_header);
	uint32_t n[4];
	uint64_t ts = 7000;

	vtb_writer_set_chunk_bytes(w, 64);
	for (int i = 0; i < 4; i++)
		n[i] = (uint32_t)vtb_writer_string(w, i == 0 ? "a" : i == 1 ? "b" : i == 2 ? "log" : "ctr", NULL, 0);
	for (int i = 0; i < 3; i++)
		vtb_writer_thread(w, 10 + (uint32_t)i % 2, (uint64_t)i, "t");
	for (int i = 0; i < 40; i++) {
		uint32_t th = (uint32_t)i % 3;
		vtb_writer_begin(w, th, ts += 50, n[i % 2], i % 5 == 0 ? VTB_CALL_C : 0);
		vtb_writer_args(w, th, "x=1");
		vtb_writer_begin(w, th, ts += 20, n[1], 0);
		vtb_writer_log(w, th, ts += 5, 30, n[2], "warn");
		vtb_writer_end(w, th, ts += 20, 0);
		vtb_writer_retval(w, th, "7");
		vtb_writer_object(w, th, ts += 3, n[0], "{}");
		vtb_writer_counter(w, th, ts += 3, n[3], n[3], i);
		if (i % 4)
			vtb_writer_end(w, th, ts += 30, VTB_CALL_EXCEPTION);
	}
	return finish_copy(w, len);
}

START_TEST(rich_flipped_everywhere)
{
	size_t len;
	uint8_t *b = rich_file(&len);
	struct sec secs[512];
	size_t n = walk_sections(b, len, secs, 512);
	char *cause = NULL;
	vtb_trace *t = vtb_trace_load_mem(b, len, 0, &cause);
	ck_assert_msg(t != NULL, "%s", cause);
	size_t total = vtb_trace_event_count(t);
	vtb_trace_free(t);
	for (size_t at = 8; at < len; at++) {
		b[at] ^= 0xff;
		uint64_t lost = 0;
		for (size_t i = 0; i < n; i++)
			if (at >= secs[i].off && at < secs[i].off + secs[i].size)
				lost = secs[i].records;
		t = vtb_trace_load_mem(b, len, 0, &cause);
		REQUIRE(t == NULL && cause);
		free(cause);
		cause = NULL;
		t = vtb_trace_load_mem(b, len, VTB_LOAD_SALVAGE, &cause);
		ck_assert_msg(t != NULL, "flip %zu: %s", at, cause);
		size_t got = vtb_trace_event_count(t);
		ck_assert_msg(got <= total && got + lost >= total, "flip %zu: %zu events of %zu, %llu in the chunk",
			      at, got, total, (unsigned long long)lost);
		check_sane(t);
		vtb_trace_free(t);
		b[at] ^= 0xff;
	}
	free(b);
}
END_TEST

START_TEST(bad_crc_reported)
{
	size_t len;
	uint8_t *b = sample_file(&len);
	struct sec secs[256];
	size_t n = walk_sections(b, len, secs, 256), k = 0;
	char *cause = NULL, want[64];

	while (k < n && secs[k].tag != VTB_TAG_EVTS)
		k++;
	ck_assert_uint_lt(k, n);
	b[secs[k].off + secs[k].size - 1] ^= 1; /* the CRC itself */
	ck_assert_ptr_null(vtb_trace_load_mem(b, len, 0, &cause));
	snprintf(want, sizeof(want), "byte %zu: section checksum mismatch", secs[k].off);
	ck_assert_msg(strstr(cause, want) != NULL, "%s", cause);
	free(cause);
	vtb_trace *t = vtb_trace_load_mem(b, len, VTB_LOAD_SALVAGE, &cause);
	ck_assert_ptr_nonnull(t);
	const vtb_damage *d = vtb_trace_damage(t);
	ck_assert_uint_eq(d->sections_bad, 1);
	ck_assert_uint_eq(d->bytes_lost, secs[k].size);
	ck_assert(!d->truncated);
	ck_assert_msg(strstr(d->first_problem, want) != NULL, "%s", d->first_problem);
	vtb_trace_free(t);
	free(b);
}
END_TEST

/* A chunk lost in the middle of deep calls: the calls it ended are closed where the data
 * resumes (VTB_CALL_DAMAGED); those it began come back from the next chunk's header. */
START_TEST(lost_middle_chunk)
{
	vtb_writer *w = vtb_writer_open_mem(&base_header);
	uint32_t a = (uint32_t)vtb_writer_string(w, "a", NULL, 0), c = (uint32_t)vtb_writer_string(w, "c", NULL, 0);
	uint64_t ts = 100;
	size_t len;

	vtb_writer_thread(w, 1, 1, "t");
	for (int i = 0; i < 10; i++)
		vtb_writer_begin(w, 0, ts += 10, a, 0);
	vtb_writer_flush(w);
	for (int i = 0; i < 5; i++)
		vtb_writer_end(w, 0, ts += 10, 0);
	for (int i = 0; i < 40; i++)
		vtb_writer_begin(w, 0, ts += 10, c, 0), vtb_writer_end(w, 0, ts += 10, 0);
	vtb_writer_flush(w);
	for (int i = 0; i < 3; i++)
		vtb_writer_begin(w, 0, ts += 10, c, 0);
	for (int i = 0; i < 100; i++)
		vtb_writer_instant(w, 0, ts += 10, a, NULL);
	uint8_t *b = finish_copy(w, &len);
	struct sec secs[256];
	size_t n = walk_sections(b, len, secs, 256), k = 0, seen = 0;
	for (k = 0; k < n; k++)
		if (secs[k].tag == VTB_TAG_EVTS && ++seen == 2)
			break;
	b[secs[k].off + 12] ^= 0x40;
	char *cause = NULL;
	vtb_trace *t = vtb_trace_load_mem(b, len, VTB_LOAD_SALVAGE, &cause);
	ck_assert_msg(t != NULL, "%s", cause);
	check_sane(t);
	const vtb_thread *th = vtb_trace_thread(t, 0);
	size_t damaged = 0, open = 0;
	for (uint32_t d = 0; d < th->depth_count; d++)
		for (size_t i = 0; i < th->rows[d].count; i++) {
			damaged += !!(th->rows[d].slices[i].flags & VTB_CALL_DAMAGED);
			open += !!(th->rows[d].slices[i].flags & VTB_CALL_OPEN);
		}
	ck_assert_uint_eq(damaged, 5); /* the a's the lost chunk ended */
	ck_assert_uint_eq(open, 8); /* 5 outer a's and 3 c's still open at the dump */
	ck_assert_uint_eq(vtb_trace_damage(t)->sections_bad, 1);
	vtb_trace_free(t);
	free(b);
}
END_TEST

/* ---- crafted files: sound CRCs around lying contents ---- */

struct craft {
	struct vtb_buf b;
};

/* Preamble, HEAD, STRS with 2 strings, THRD with 1 thread, then the EVTS payload given. */
static void craft_file(struct vtb_buf *b, const uint8_t *evts, size_t n)
{
	static const uint8_t pre[8] = { 'V', 'T', 'B', 0, 1, 0, 0, 0 };
	static const uint8_t head[] = { 1, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0, 0, 0 };
	static const uint8_t strs[] = { 0, 2, 1, 'f', 0, 0, 1, 'g', 0, 0 };
	static const uint8_t thrd[] = { 0, 1, 1, 1, 1, 'T' };

	vtb_buf_put(b, pre, 8);
	craft_section(b, VTB_TAG_HEAD, head, sizeof(head));
	craft_section(b, VTB_TAG_STRS, strs, sizeof(strs));
	craft_section(b, VTB_TAG_THRD, thrd, sizeof(thrd));
	if (evts)
		craft_section(b, VTB_TAG_EVTS, evts, n);
}

#define B(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

/* EVTS payloads: thread, seq, first_ts, records, open calls, then records.
 * Record heads: 0x01 BEGIN + name id, 0x00 END, 0x03 BEGIN from cache slot 0,
 * 0x13 BEGIN + name id + flags, 0x1b ESCAPE, 0x1f reserved. */
static const struct {
	const uint8_t *evts;
	size_t n;
	const char *want;
} bad_evts[] = {
	{ B(0, 0, 10, 1, 0, 0x01, 99), "string id 99 out of range" },
	{ B(7, 0, 10, 1, 0, 0x01, 0), "thread index 7 out of range" },
	{ B(0, 0, 10, 0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0x01, 0), "records cannot fit" },
	{ B(0, 0, 10, 1, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0), "open calls" },
	{ B(0, 0, 10, 1, 0, 0x00), "END with no open call" },
	{ B(0, 0, 10, 1, 0, 0x03), "name cache slot 0 is empty" },
	{ B(0, 0, 10, 1, 0, 0x1f), "reserved record op 7" },
	{ B(0, 0, 10, 2, 0, 0x01, 0, 0x1b, 6, 1, 'x'), "RETVAL not right after an END" },
	{ B(0, 0, 10, 1, 0, 0x1b, 5, 1, 'x'), "ARGS with no open call" },
	{ B(0, 0, 10, 1, 0, 0x1b, 1, 9, 0, 5, 'x'), "runs past the end" },
	{ B(0, 0, 10, 1, 0, 0x1b, 1, 0xff, 0xff, 0x7f, 0), "escape of" },
	{ B(0, 0, 10, 1, 0, 0x1b, 3, 6, 0xff, 0xff, 0xff, 0xff, 0x7f, 0), "log level exceeds 32 bits" },
	{ B(0, 0, 10, 1, 0, 0x1b, 2, 3, 0, 1, 0), "counter value runs past the end" },
	{ B(0, 0, 10, 1, 0, 0x89, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0),
	  "not a valid varint" },
	{ B(0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 1, 0, 0x05, 0), "first_ts 18446744073709551615" },
	/* Times past 2^62 ns: a first_ts, a SKIP of 2^63, a record step past the limit. */
	{ B(0, 0, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 1, 0, 0x05, 0), "past the format's last" },
	{ B(0, 0, 10, 2, 0, 0x1b, 7, 10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x01, 0),
	  "a skip of 9223372036854775808 ns" },
	{ B(0, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 1, 0, 0x05, 0), "timestamp past the format's last" },
	{ B(0, 0, 10, 2, 0, 0x01, 0), "declares 2 records, holds 1" },
	{ B(0, 0, 10, 1, 1, 0, 11, 0, 0x00), "bad start" },
	{ B(0, 0, 10, 1, 1, 0, 0, 0x80, 0x80, 0x04, 0x00), "bad start or flags" },
	{ B(0, 0, 10, 1, 0, 0x13, 0, 0x80, 0x80, 0x04), "call flags 65536 exceed 16 bits" },
};

START_TEST(crafted_bad_evts)
{
	struct vtb_buf b = { 0 };
	char *cause = NULL;

	craft_file(&b, bad_evts[_i].evts, bad_evts[_i].n);
	vtb_trace *t = vtb_trace_load_mem(b.data, b.len, 0, &cause);
	ck_assert_ptr_null(t);
	ck_assert_msg(cause && strstr(cause, bad_evts[_i].want) && strstr(cause, "byte "), "case %d: got '%s', want '%s'",
		      _i, cause ? cause : "(null)", bad_evts[_i].want);
	free(cause);
	cause = NULL;
	t = vtb_trace_load_mem(b.data, b.len, VTB_LOAD_SALVAGE, &cause);
	ck_assert_msg(t != NULL, "case %d: salvage failed: %s", _i, cause);
	ck_assert_uint_ge(vtb_trace_damage(t)->sections_bad, 1);
	ck_assert_msg(strstr(vtb_trace_damage(t)->first_problem, bad_evts[_i].want), "%s",
		      vtb_trace_damage(t)->first_problem);
	check_sane(t);
	vtb_trace_free(t);
	vtb_buf_free(&b);
}
END_TEST

/* A thread whose first chunk is numbered 1: strict says a chunk is missing; salvage keeps
 * the chunk it has. */
START_TEST(missing_first_chunk)
{
	struct vtb_buf b = { 0 };
	char *cause = NULL;

	craft_file(&b, B(0, 1, 10, 1, 0, 0x01, 0));
	ck_assert_ptr_null(vtb_trace_load_mem(b.data, b.len, 0, &cause));
	ck_assert_msg(strstr(cause, "chunk 1, expected 0"), "%s", cause);
	free(cause);
	vtb_trace *t = vtb_trace_load_mem(b.data, b.len, VTB_LOAD_SALVAGE, &cause);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(vtb_trace_call_count(t), 1);
	ck_assert_uint_eq(vtb_trace_thread(t, 0)->rows[0].slices[0].flags, VTB_CALL_OPEN);
	ck_assert_uint_eq(vtb_trace_thread(t, 0)->rows[0].slices[0].dur_ns, 90); /* to dump_ns 100 */
	vtb_trace_free(t);
	vtb_buf_free(&b);
}
END_TEST

/* Other sections that lie, and files that are not VTB at all. */
static const struct {
	uint32_t tag;
	const uint8_t *payload;
	size_t n;
	const char *want;
} bad_sections[] = {
	{ VTB_TAG_STRS, B(2, 0xff, 0xff, 0xff, 0xff, 0x0f, 0), "strings cannot fit" },
	{ VTB_TAG_STRS, B(9, 1, 1, 'x', 0, 0), "first id 9, expected 2" },
	{ VTB_TAG_STRS, B(2, 1, 0x7f, 'x', 0, 0), "name of 127 bytes runs past" },
	{ VTB_TAG_STRS, B(2, 1, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x7f), "line 34359738367 exceeds 32 bits" },
	{ VTB_TAG_THRD, B(1, 0xff, 0xff, 0xff, 0xff, 0x0f, 0), "threads cannot fit" },
	{ VTB_TAG_PROC, B(0xff, 0xff, 0xff, 0xff, 0x0f, 0), "processes cannot fit" },
	{ VTB_TAG_HEAD, B(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), "a second HEAD section" },
	{ VTB_TAG_INDX, B(0xff, 0xff, 0xff, 0x0f), "entries cannot fit" },
	{ VTB_TAG_INDX, B(1, 'H', 'E', 'A', 'D', 8), "1 entries for 3 sections" },
};

START_TEST(crafted_bad_sections)
{
	struct vtb_buf b = { 0 };
	char *cause = NULL;

	craft_file(&b, NULL, 0);
	craft_section(&b, bad_sections[_i].tag, bad_sections[_i].payload, bad_sections[_i].n);
	vtb_trace *t = vtb_trace_load_mem(b.data, b.len, 0, &cause);
	ck_assert_ptr_null(t);
	ck_assert_msg(cause && strstr(cause, bad_sections[_i].want), "case %d: got '%s', want '%s'", _i,
		      cause ? cause : "(null)", bad_sections[_i].want);
	free(cause);
	cause = NULL;
	t = vtb_trace_load_mem(b.data, b.len, VTB_LOAD_SALVAGE, &cause);
	ck_assert_msg(t != NULL, "case %d: salvage failed: %s", _i, cause);
	check_sane(t);
	ck_assert_uint_eq(vtb_trace_string_count(t), 2);
	vtb_trace_free(t);
	vtb_buf_free(&b);
}
END_TEST

/* A section claiming 4 GB, and an EVTS claiming billions of records: errors, not
 * allocations (ASan would report an allocation of that size). */
START_TEST(absurd_lengths)
{
	struct vtb_buf b = { 0 };
	uint8_t h[8];
	char *cause = NULL;

	craft_file(&b, NULL, 0);
	vtb_put_u32(h, VTB_TAG_EVTS);
	vtb_put_u32(h + 4, 0xfffffff0u);
	vtb_buf_put(&b, h, 8);
	vtb_buf_put(&b, "\0\0\0\0\0\0\0\0", 8);
	ck_assert_ptr_null(vtb_trace_load_mem(b.data, b.len, 0, &cause));
	ck_assert_msg(strstr(cause, "runs past the end of the file"), "%s", cause);
	free(cause);
	vtb_trace *t = vtb_trace_load_mem(b.data, b.len, VTB_LOAD_SALVAGE, &cause);
	ck_assert_ptr_nonnull(t);
	ck_assert(vtb_trace_damage(t)->truncated);
	ck_assert_uint_eq(vtb_trace_damage(t)->bytes_lost, 16);
	vtb_trace_free(t);
	vtb_buf_free(&b);
}
END_TEST

/* Found by hand for the fuzzing work (tests/fuzz/): after a bad section, salvage looked for
 * the next intact one by checksumming every candidate over its claimed length, so a file of
 * section heads that all reach its end took quadratic time (36 s for 1 MB under ASan, about
 * 20 minutes for these 8 MB). The checksum work is bounded now; the rest counts as lost. */
START_TEST(resync_hostile_heads)
{
	struct vtb_buf b = { 0 };
	char *cause = NULL;

	craft_file(&b, NULL, 0);
	size_t good = b.len, total = good + (8u << 20);
	while (b.len + 8 <= total) {
		uint8_t h[8];
		vtb_put_u32(h, VTB_TAG_EVTS);
		vtb_put_u32(h + 4, (uint32_t)(total - b.len - VTB_SECTION_OVERHEAD));
		vtb_buf_put(&b, h, 8);
	}
	vtb_trace *t = vtb_trace_load_mem(b.data, b.len, VTB_LOAD_SALVAGE, &cause);
	ck_assert_msg(t != NULL, "%s", cause);
	check_sane(t);
	ck_assert_uint_eq(vtb_trace_string_count(t), 2);
	ck_assert_uint_eq(vtb_trace_thread_count(t), 1);
	ck_assert_uint_eq(vtb_trace_damage(t)->sections_bad, 1);
	ck_assert_uint_eq(vtb_trace_damage(t)->bytes_lost, b.len - good);
	ck_assert_ptr_nonnull(strstr(vtb_trace_damage(t)->first_problem, "checksum mismatch"));
	vtb_trace_free(t);
	vtb_buf_free(&b);
}
END_TEST

/* The bound leaves ordinary damage alone: an intact section after many false heads is found. */
START_TEST(resync_after_false_heads)
{
	static const uint8_t evts[] = { 0, 0, 10, 2, 0, 0x01, 1, 0x0a };
	struct vtb_buf b = { 0 };
	uint8_t junk[24] = { 0 };
	char *cause = NULL;

	craft_file(&b, NULL, 0);
	size_t good = b.len;
	for (int i = 0; i < 1000; i++) {
		vtb_put_u32(junk, i & 1 ? VTB_TAG_STRS : VTB_TAG_EVTS);
		vtb_put_u32(junk + 4, 12); /* a length that fits, a checksum that does not */
		vtb_buf_put(&b, junk, sizeof(junk));
	}
	size_t bad = b.len - good;
	craft_section(&b, VTB_TAG_EVTS, evts, sizeof(evts));
	vtb_trace *t = vtb_trace_load_mem(b.data, b.len, VTB_LOAD_SALVAGE, &cause);
	ck_assert_msg(t != NULL, "%s", cause);
	check_sane(t);
	ck_assert_uint_eq(vtb_trace_call_count(t), 1);
	ck_assert_uint_eq(vtb_trace_damage(t)->sections_bad, 1);
	ck_assert_uint_eq(vtb_trace_damage(t)->bytes_lost, bad);
	vtb_trace_free(t);
	vtb_buf_free(&b);
}
END_TEST

/* Found by hand for the fuzzing work (tests/fuzz/): salvage makes a placeholder for every
 * thread index a lost section could have declared (3 bytes each), and each costs a few
 * hundred bytes of model: 30 MB of damage before a chunk of thread 10 million took 3 GB.
 * Placeholders are capped now; a chunk past the cap is damage like any unknown thread. */
START_TEST(lost_threads_capped)
{
	static const uint64_t threads[] = { 1000, 200000 };
	struct vtb_buf b = { 0 }, e = { 0 };
	char *cause = NULL;

	craft_file(&b, NULL, 0);
	size_t good = b.len;
	uint8_t zero[4096] = { 'X', 'X', 'X', 'X' };
	for (int i = 0; i < 768; i++) /* 3 MiB lost: room for a million THRD entries */
		vtb_buf_put(&b, zero, sizeof(zero)), zero[0] = 0;
	size_t bad = b.len - good;
	vtb_buf_varint(&e, threads[_i]);
	vtb_buf_put(&e, (const uint8_t[]){ 0, 10, 2, 0, 0x01, 1, 0x0a }, 7);
	craft_section(&b, VTB_TAG_EVTS, e.data, e.len);
	vtb_trace *t = vtb_trace_load_mem(b.data, b.len, VTB_LOAD_SALVAGE, &cause);
	ck_assert_msg(t != NULL, "%s", cause);
	check_sane(t);
	if (_i == 0) { /* under the cap: the chunk loads on a placeholder thread */
		ck_assert_uint_eq(vtb_trace_thread_count(t), threads[0] + 1);
		ck_assert_uint_eq(vtb_trace_call_count(t), 1);
		ck_assert_uint_eq(vtb_trace_damage(t)->bytes_lost, bad);
	} else {
		ck_assert_uint_eq(vtb_trace_thread_count(t), 1);
		ck_assert_uint_eq(vtb_trace_call_count(t), 0);
		ck_assert_uint_eq(vtb_trace_damage(t)->sections_bad, 2);
	}
	vtb_trace_free(t);
	vtb_buf_free(&b);
	vtb_buf_free(&e);
}
END_TEST

/* Junk, then sections naming ids just inside what the junk could have declared: each
 * reference was checked against the current count, so each added lost/3 more (a 404 KB
 * file made 3.6 GB). The made-up ids are bounded by the lost bytes over the whole load. */
START_TEST(placeholders_bounded_overall)
{
	struct vtb_buf b = { 0 }, e = { 0 };
	char *cause = NULL;
	uint8_t junk[3000];

	craft_file(&b, NULL, 0);
	memset(junk, 'J', sizeof(junk));
	vtb_buf_put(&b, junk, sizeof(junk));
	for (uint64_t i = 0; i < 50; i++) {
		e.len = 0;
		/* _i 0: string ids, _i 1: thread indexes, each just inside the room left */
		uint64_t id = _i ? 1 + (i + 1) * 999 : 2 + (i + 1) * 999;
		vtb_buf_varint(&e, _i ? id : 0);
		vtb_buf_varint(&e, i); /* seq */
		vtb_buf_varint(&e, 10 + i);
		vtb_buf_put(&e, (const uint8_t[]){ 2, 0, 0x01 }, 3);
		vtb_buf_varint(&e, _i ? 0 : id);
		vtb_buf_put(&e, (const uint8_t[]){ 0x02 }, 1);
		craft_section(&b, VTB_TAG_EVTS, e.data, e.len);
	}
	vtb_trace *t = vtb_trace_load_mem(b.data, b.len, VTB_LOAD_SALVAGE, &cause);
	ck_assert_msg(t != NULL, "%s", cause);
	check_sane(t);
	ck_assert_uint_le(vtb_trace_string_count(t) + vtb_trace_thread_count(t), 3 + sizeof(junk) / 3);
	ck_assert_uint_ge(vtb_trace_call_count(t), 1); /* the first reference is within the room */
	vtb_trace_free(t);
	vtb_buf_free(&b);
	vtb_buf_free(&e);
}
END_TEST

START_TEST(not_vtb_files)
{
	static const struct { const char *bytes; size_t n; int code; } cases[] = {
		{ "", 0, VTB_E_FORMAT },
		{ "VTB", 3, VTB_E_FORMAT },
		{ "VTB\0\1\0", 6, VTB_E_TRUNCATED },
		{ "{\"traceEvents\": []}", 19, VTB_E_FORMAT },
		{ "VTB\0\2\0\0\0", 8, VTB_E_VERSION },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *cause = NULL;
		ck_assert_ptr_null(vtb_trace_load_mem((const uint8_t *)cases[i].bytes, cases[i].n, 0, &cause));
		ck_assert_msg(cause != NULL, "case %zu", i);
		free(cause);
		cause = NULL;
		vtb_trace *t = vtb_trace_load_mem((const uint8_t *)cases[i].bytes, cases[i].n, VTB_LOAD_SALVAGE, &cause);
		ck_assert_msg(t == NULL && cause && strstr(cause, "byte"), "case %zu: %s", i, cause ? cause : "(null)");
		free(cause);
	}
}
END_TEST

/* 65535 open calls are the limit; one more is an error, in the writer and the reader. */
START_TEST(depth_limit)
{
	vtb_writer *w = vtb_writer_open_mem(&base_header);
	uint32_t n = (uint32_t)vtb_writer_string(w, "r", NULL, 0);

	vtb_writer_thread(w, 1, 1, "t");
	for (uint64_t i = 0; i < 65535; i++)
		REQUIRE(vtb_writer_begin(w, 0, i, n, 0) == 0);
	ck_assert_int_eq(vtb_writer_begin(w, 0, 70000, n, 0), VTB_E_ARG);
	vtb_trace *t = finish_load(w, 0);
	ck_assert_uint_eq(vtb_trace_thread(t, 0)->depth_count, 65535);
	ck_assert_uint_eq(vtb_trace_thread(t, 0)->rows[65534].slices[0].depth, 65534);
	vtb_trace_free(t);
	vtb_writer_free(w);

	struct vtb_buf ev = { 0 }, b = { 0 };
	char *cause = NULL;
	uint8_t hdr[] = { 0, 0, 10, 0x84, 0x80, 0x04, 0 }; /* 65540 records */
	vtb_buf_put(&ev, hdr, sizeof(hdr));
	for (int i = 0; i < 65540; i++)
		vtb_buf_put(&ev, "\x01\x00", 2);
	craft_file(&b, ev.data, ev.len);
	ck_assert_ptr_null(vtb_trace_load_mem(b.data, b.len, 0, &cause));
	ck_assert_msg(strstr(cause, "call depth exceeds 65535"), "%s", cause);
	free(cause);
	vtb_buf_free(&ev);
	vtb_buf_free(&b);
}
END_TEST

/* ---- files, progress, save ---- */

static int progress_calls, progress_cancel;
static uint64_t progress_last;

static int on_progress(void *ctx, uint64_t done, uint64_t total)
{
	(void)ctx;
	ck_assert_uint_le(done, total);
	ck_assert_uint_ge(done, progress_last);
	progress_last = done;
	progress_calls++;
	return progress_cancel;
}

/* A trace with a bit of everything, big enough for progress calls (10 MB). */
static void write_big(const char *path, size_t calls)
{
	char *cause = NULL;
	vtb_writer *w = vtb_writer_open_file(path, &base_header, &cause);
	ck_assert_msg(w != NULL, "%s", cause);
	uint32_t names[64];
	char nm[32];
	for (int i = 0; i < 64; i++) {
		snprintf(nm, sizeof(nm), "mod.f%d", i);
		names[i] = (uint32_t)vtb_writer_string(w, nm, "m.py", (uint32_t)i);
	}
	vtb_writer_thread(w, 1, 1, "a");
	vtb_writer_thread(w, 1, 2, "b");
	uint64_t ts = 1000;
	uint32_t x = 12345;
	for (size_t i = 0; i < calls; i++) {
		x = x * 1103515245u + 12345u;
		uint32_t th = (x >> 20) & 1;
		REQUIRE(vtb_writer_begin(w, th, ts += 50 + (x >> 24), names[(x >> 8) % 64], 0) == 0);
		if (i % 1000 == 0)
			REQUIRE(vtb_writer_args(w, th, "n=1") == 0);
		if (i % 777 == 0)
			REQUIRE(vtb_writer_counter(w, th, ts, names[0], names[1], (double)i) == 0);
		REQUIRE(vtb_writer_end(w, th, ts += 30 + (x >> 26), 0) == 0);
		if (i % 1001 == 0)
			REQUIRE(vtb_writer_retval(w, th, "r") == 0);
	}
	ck_assert_int_eq(vtb_writer_finish(w, &cause), 0);
	vtb_writer_free(w);
}

START_TEST(file_progress_and_save)
{
	char dir[] = "/tmp/vtb-test-XXXXXX", path[64], saved[64];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/big.vtb", dir);
	snprintf(saved, sizeof(saved), "%s/saved.vtb", dir);
	write_big(path, 3000000);
	char *cause = NULL;
	progress_calls = 0;
	progress_last = 0;
	vtb_trace *t = vtb_trace_load(path, 0, on_progress, NULL, &cause);
	ck_assert_msg(t != NULL, "%s", cause);
	ck_assert_int_ge(progress_calls, 3);
	ck_assert_uint_eq(vtb_trace_call_count(t), 3000000);
	check_sane(t);
	ck_assert_int_eq(vtb_trace_save(t, saved, &cause), 0);
	vtb_trace *u = vtb_trace_load(saved, 0, NULL, NULL, &cause);
	ck_assert_msg(u != NULL, "%s", cause);
	check_equal(t, u, 1);
	vtb_trace_free(u);
	progress_cancel = 1;
	progress_last = 0;
	ck_assert_ptr_null(vtb_trace_load(path, 0, on_progress, NULL, &cause));
	ck_assert_msg(strstr(cause, "cancelled"), "%s", cause);
	free(cause);
	progress_cancel = 0;
	vtb_trace_free(t);
	unlink(path);
	unlink(saved);
	rmdir(dir);
}
END_TEST

/* Save after load gives the same model, for each kind of content (and for a salvaged
 * trace with damaged calls). */
START_TEST(save_round_trip)
{
	char dir[] = "/tmp/vtb-test-XXXXXX", path[64];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.vtb", dir);
	size_t len;
	uint8_t *b = sample_file(&len);
	struct sec secs[256];
	size_t n = walk_sections(b, len, secs, 256);
	char *cause = NULL;
	if (_i == 1)
		b[secs[n / 2].off + 9] ^= 0x10; /* damage one section in the middle */
	if (_i == 2)
		len = secs[n - 3].off + 5;      /* cut off the tail */
	vtb_trace *t = vtb_trace_load_mem(b, len, VTB_LOAD_SALVAGE, &cause);
	ck_assert_msg(t != NULL, "%s", cause);
	ck_assert_int_eq(vtb_trace_save(t, path, &cause), 0);
	vtb_trace *u = vtb_trace_load(path, 0, NULL, NULL, &cause);
	ck_assert_msg(u != NULL, "%s", cause);
	check_equal(t, u, _i == 0);
	ck_assert_ptr_null(vtb_trace_damage(u)->first_problem);
	vtb_trace_free(t);
	vtb_trace_free(u);
	free(b);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* Counters of a process none of whose threads is in the trace still round-trip. */
START_TEST(save_counter_without_thread)
{
	struct vtb_buf ev = { 0 }, file = { 0 };
	char dir[] = "/tmp/vtb-test-XXXXXX", path[64], *cause = NULL;
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/c.vtb", dir);
	vtb_writer *w = vtb_writer_open_mem(&base_header);
	uint32_t c = (uint32_t)vtb_writer_string(w, "ctr", NULL, 0);
	vtb_writer_thread(w, 77, 1, "x");
	vtb_writer_counter(w, 0, 10, c, c, 1.5);
	vtb_writer_counter(w, 0, 20, c, c, 2.5);
	vtb_trace *t = finish_load(w, 0);
	ck_assert_int_eq(vtb_trace_save(t, path, &cause), 0);
	vtb_trace *u = vtb_trace_load(path, 0, NULL, NULL, &cause);
	ck_assert_msg(u != NULL, "%s", cause);
	check_equal(t, u, 1);
	vtb_trace_free(t);
	vtb_trace_free(u);
	vtb_writer_free(w);
	vtb_buf_free(&ev);
	vtb_buf_free(&file);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* The damaged corpus on disk, loaded through the mmap path: every truncation and a flip
 * per section, written to a temporary directory. */
START_TEST(damaged_corpus_on_disk)
{
	char dir[] = "/tmp/vtb-corpus-XXXXXX", path[96];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	size_t len;
	uint8_t *b = sample_file(&len);
	struct sec secs[256];
	size_t n = walk_sections(b, len, secs, 256), files = 0;

	for (size_t i = 0; i < n; i++) {
		for (int kind = 0; kind < 2; kind++) {
			size_t cut = kind ? secs[i].off + secs[i].size / 2 : len;
			snprintf(path, sizeof(path), "%s/%s-%zu.vtb", dir, kind ? "cut" : "flip", i);
			FILE *f = fopen(path, "wb");
			ck_assert_ptr_nonnull(f);
			if (!kind)
				b[secs[i].off + secs[i].size / 2] ^= 0x5a;
			fwrite(b, 1, cut, f);
			fclose(f);
			if (!kind)
				b[secs[i].off + secs[i].size / 2] ^= 0x5a;
			char *cause = NULL;
			ck_assert_ptr_null(vtb_trace_load(path, 0, NULL, NULL, &cause));
			ck_assert_msg(strstr(cause, path) && strstr(cause, "byte "), "%s", cause);
			free(cause);
			cause = NULL;
			vtb_trace *t = vtb_trace_load(path, VTB_LOAD_SALVAGE, NULL, NULL, &cause);
			if (t) {
				check_sane(t);
				files++;
			}
			vtb_trace_free(t);
			free(cause);
			unlink(path);
		}
	}
	ck_assert_uint_ge(files, 2 * n - 2); /* all but a cut or flip of HEAD itself load */
	free(b);
	rmdir(dir);
}
END_TEST


/* ---- flattening ---- */

static void call(vtb_writer *w, uint32_t th, uint64_t b, uint64_t e, int64_t name)
{
	ck_assert_int_eq(vtb_writer_begin(w, th, b, (uint32_t)name, 0), 0);
	ck_assert_int_eq(vtb_writer_end(w, th, e, 0), 0);
}

/* The row's calls as "name@start" words, for exact comparisons. */
static char *row_text(const vtb_trace *t, const vtb_thread *th, uint32_t d)
{
	char *out = calloc(1, 512);

	for (size_t i = 0; i < th->rows[d].count; i++) {
		const vtb_slice *s = &th->rows[d].slices[i];

		ck_assert_uint_eq(s->depth, d);
		snprintf(out + strlen(out), 512 - strlen(out), "%s%s@%llu", i ? " " : "",
			 vtb_trace_string(t, s->name_id)->name, (unsigned long long)s->start_ns);
	}
	return out;
}

#define ROW_EQ(t, th, d, want) do { char *r_ = row_text(t, th, d); ck_assert_str_eq(r_, want); free(r_); } while (0)

/* Flattening _bootstrap and run: what they called moves up one level per flattened
 * caller, a flattened leaf goes, a flattened root leaves its calls as roots; attachments
 * follow their calls; marks, strings and the base are kept. */
START_TEST(flatten_tree_depths)
{
	vtb_writer *w = vtb_writer_open_mem(&base_header);
	int64_t m = vtb_writer_string(w, "main", "app.py", 1), b = vtb_writer_string(w, "_bootstrap", "t.py", 1);
	int64_t r = vtb_writer_string(w, "run", "t.py", 2), k = vtb_writer_string(w, "work", "app.py", 3);
	int64_t h = vtb_writer_string(w, "helper", "app.py", 4), a = vtb_writer_string(w, "after", "app.py", 5);
	uint64_t drop[1] = { (1u << 1) | (1u << 2) };
	vtb_trace *base, *t;
	const vtb_thread *th;
	const vtb_attachment *at;
	char *cause = NULL;

	ck_assert_int_eq(vtb_writer_thread(w, 4242, 1, "MainThread"), 0);
	ck_assert_int_eq(vtb_writer_thread(w, 4242, 2, "worker"), 1);
	ck_assert_int_eq(vtb_writer_begin(w, 0, 6000, (uint32_t)m, 0), 0);
	ck_assert_int_eq(vtb_writer_begin(w, 0, 6010, (uint32_t)b, 0), 0);
	ck_assert_int_eq(vtb_writer_begin(w, 0, 6020, (uint32_t)r, 0), 0);
	ck_assert_int_eq(vtb_writer_begin(w, 0, 6030, (uint32_t)k, 0), 0);
	ck_assert_int_eq(vtb_writer_args(w, 0, "sku='sku-13'"), 0);
	call(w, 0, 6040, 6100, h);
	call(w, 0, 6110, 6120, r); /* a flattened leaf */
	ck_assert_int_eq(vtb_writer_instant(w, 0, 6150, h, "k=v"), 0);
	ck_assert_int_eq(vtb_writer_end(w, 0, 6300, 0), 0);
	ck_assert_int_eq(vtb_writer_begin(w, 0, 6310, (uint32_t)k, 0), 0);
	ck_assert_int_eq(vtb_writer_begin(w, 0, 6320, (uint32_t)r, 0), 0);
	ck_assert_int_eq(vtb_writer_begin(w, 0, 6330, (uint32_t)h, 0), 0);
	ck_assert_int_eq(vtb_writer_end(w, 0, 6400, 0), 0);
	ck_assert_int_eq(vtb_writer_retval(w, 0, "42"), 0);
	ck_assert_int_eq(vtb_writer_end(w, 0, 6600, 0), 0);
	ck_assert_int_eq(vtb_writer_end(w, 0, 6700, 0), 0);
	ck_assert_int_eq(vtb_writer_end(w, 0, 6800, 0), 0);
	ck_assert_int_eq(vtb_writer_end(w, 0, 6900, 0), 0);
	call(w, 0, 6910, 6990, a);
	ck_assert_int_eq(vtb_writer_end(w, 0, 7000, 0), 0);
	ck_assert_int_eq(vtb_writer_begin(w, 1, 6000, (uint32_t)r, 0), 0); /* a flattened root */
	ck_assert_int_eq(vtb_writer_begin(w, 1, 6010, (uint32_t)k, 0), 0);
	call(w, 1, 6020, 6030, h);
	ck_assert_int_eq(vtb_writer_end(w, 1, 6050, 0), 0);
	ck_assert_int_eq(vtb_writer_end(w, 1, 6100, 0), 0);
	call(w, 1, 6200, 6300, k);
	base = finish_load(w, 0);
	vtb_writer_free(w);
	ck_assert_uint_eq(vtb_trace_call_count(base), 14);

	t = vtb_trace_flatten(base, drop, 6, &cause);
	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_eq(vtb_trace_base(t), base);
	ck_assert_uint_eq(vtb_trace_call_count(t), 9);
	th = vtb_trace_thread(t, 0);
	ck_assert_uint_eq(th->depth_count, 3);
	ck_assert_uint_eq(th->call_count, 6);
	ROW_EQ(t, th, 0, "main@6000");
	ROW_EQ(t, th, 1, "work@6030 work@6310 after@6910");
	ROW_EQ(t, th, 2, "helper@6040 helper@6330");
	at = vtb_thread_attachment(th, 1, 0);
	ck_assert_ptr_nonnull(at);
	ck_assert_str_eq(at->args, "sku='sku-13'");
	at = vtb_thread_attachment(th, 2, 1);
	ck_assert_ptr_nonnull(at);
	ck_assert_str_eq(at->retval, "42");
	ck_assert_uint_eq(th->attachment_count, 2);
	ck_assert_uint_eq(th->mark_count, 1);
	ck_assert_uint_eq(th->marks[0].ts_ns, 6150);
	th = vtb_trace_thread(t, 1);
	ck_assert_uint_eq(th->depth_count, 2);
	ROW_EQ(t, th, 0, "work@6010 work@6200");
	ROW_EQ(t, th, 1, "helper@6020");
	ck_assert_str_eq(vtb_trace_string(t, (uint32_t)k)->name, "work");
	ck_assert_str_eq(vtb_trace_header(t)->reason_text, "ValueError: bad");

	ck_assert_ptr_eq(vtb_trace_unflatten(t), base); /* t is gone, base whole */
	ck_assert_uint_eq(vtb_trace_call_count(base), 14);
	ck_assert_uint_eq(vtb_trace_thread(base, 0)->depth_count, 6);
	ck_assert_ptr_eq(vtb_trace_unflatten(base), base);
	t = vtb_trace_flatten(base, drop, 6, &cause);
	vtb_trace_free(t); /* frees base with it (ASan/valgrind see a leak or a double free otherwise) */
	free(cause);
}
END_TEST

/* Nothing flattened: the same calls at the same depths. */
START_TEST(flatten_nothing)
{
	vtb_writer *w = vtb_writer_open_mem(&base_header);
	int64_t f = vtb_writer_string(w, "f", "a.py", 1);
	uint64_t drop[1] = { 0 };
	vtb_trace *base, *t;

	ck_assert_int_eq(vtb_writer_thread(w, 4242, 1, "MainThread"), 0);
	ck_assert_int_eq(vtb_writer_begin(w, 0, 6000, (uint32_t)f, 0), 0);
	call(w, 0, 6010, 6020, f);
	call(w, 0, 6020, 6020, f); /* zero length, starting where its sibling ends */
	ck_assert_int_eq(vtb_writer_end(w, 0, 6100, 0), 0);
	base = finish_load(w, 0);
	vtb_writer_free(w);
	t = vtb_trace_flatten(base, drop, 1, NULL);
	ck_assert_ptr_nonnull(t);
	ROW_EQ(t, vtb_trace_thread(t, 0), 0, "f@6000");
	ROW_EQ(t, vtb_trace_thread(t, 0), 1, "f@6010 f@6020");
	vtb_trace_free(t);
}
END_TEST

static Suite *common_suite(void)
{
	Suite *s = suite_create("common");
	TCase *basics = tcase_create("basics"), *damage = tcase_create("damage"), *files = tcase_create("files");

	tcase_add_test(basics, crc_known_values);
	tcase_add_loop_test(basics, varint_round_trip, 0, sizeof(varint_values) / sizeof(varint_values[0]));
	tcase_add_test(basics, varint_invalid);
	tcase_add_test(basics, round_trip_every_kind);
	tcase_add_test(basics, flatten_tree_depths);
	tcase_add_test(basics, flatten_nothing);
	tcase_add_test(basics, empty_trace);
	tcase_add_test(basics, one_event);
	tcase_add_test(basics, man_page_example);
	tcase_add_test(basics, flagged_calls_cached);
	tcase_add_test(basics, million_events);
	tcase_add_test(basics, largest_deltas);
	tcase_add_test(basics, long_and_unicode_names);
	tcase_add_test(basics, writer_rejects_bad_calls);
	tcase_add_test(basics, writer_file_errors);
	tcase_add_test(basics, names_of_enums);
	tcase_add_test(basics, row_find_cases);
	tcase_add_test(basics, depth_limit);
	tcase_add_test(damage, sample_is_sound);
	tcase_add_test(damage, truncated_everywhere);
	tcase_add_test(damage, flipped_everywhere);
	tcase_add_test(damage, rich_flipped_everywhere);
	tcase_add_test(damage, bad_crc_reported);
	tcase_add_test(damage, lost_middle_chunk);
	tcase_add_loop_test(damage, crafted_bad_evts, 0, sizeof(bad_evts) / sizeof(bad_evts[0]));
	tcase_add_loop_test(damage, crafted_bad_sections, 0, sizeof(bad_sections) / sizeof(bad_sections[0]));
	tcase_add_test(damage, missing_first_chunk);
	tcase_add_test(damage, absurd_lengths);
	tcase_add_test(damage, not_vtb_files);
	tcase_add_test(damage, resync_after_false_heads);
	tcase_add_loop_test(damage, lost_threads_capped, 0, 2);
	tcase_add_loop_test(damage, placeholders_bounded_overall, 0, 2);
	tcase_add_test(files, file_progress_and_save);
	tcase_add_loop_test(files, save_round_trip, 0, 3);
	tcase_add_test(files, save_counter_without_thread);
	tcase_add_test(files, damaged_corpus_on_disk);
	/* Sanitizer builds run the million-event cases several times slower. */
	tcase_set_timeout(basics, 300);
	tcase_set_timeout(damage, 300);
	tcase_set_timeout(files, 300);
	suite_add_tcase(s, basics);
	suite_add_tcase(s, damage);
	suite_add_tcase(s, files);
	/* A hostile file must load in linear time: the quadratic search took minutes here. */
	TCase *hostile = tcase_create("hostile");
	tcase_add_test(hostile, resync_hostile_heads);
	tcase_set_timeout(hostile, 60);
	suite_add_tcase(s, hostile);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(common_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
