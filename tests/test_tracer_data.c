/* SPDX-License-Identifier: MIT */
/* test_tracer_data.c: what vtrace records beside the calls (counters, snapshots, instants,
 * spans, log records, arguments, return values, exceptions, collections) and its filters at
 * record time, each read back from the dump (tests/tracer_fixtures.h). */
#include "tests/tracer_fixtures.h"

/* ---- reading marks, counters and attachments ---- */

/* The i-th mark of `kind` named `name` over all threads (in thread order), or NULL. */
static const vtb_mark *mark_named(const vtb_trace *t, uint32_t kind, const char *name, size_t i,
				  const vtb_thread **in)
{
	for (size_t k = 0; k < vtb_trace_thread_count(t); k++) {
		const vtb_thread *th = vtb_trace_thread(t, k);
		for (size_t m = 0; m < th->mark_count; m++) {
			const vtb_mark *mk = &th->marks[m];
			if (mk->kind == kind && strcmp(vtb_trace_string(t, mk->name_id)->name, name) == 0 &&
			    i-- == 0) {
				if (in)
					*in = th;
				return mk;
			}
		}
	}
	return NULL;
}

static size_t marks_of(const vtb_trace *t, uint32_t kind)
{
	size_t n = 0;
	for (size_t k = 0; k < vtb_trace_thread_count(t); k++) {
		const vtb_thread *th = vtb_trace_thread(t, k);
		for (size_t m = 0; m < th->mark_count; m++)
			n += th->marks[m].kind == kind;
	}
	return n;
}

static const vtb_counter *counter_named(const vtb_trace *t, const char *name, const char *series)
{
	for (size_t i = 0; i < vtb_trace_counter_count(t); i++) {
		const vtb_counter *c = vtb_trace_counter(t, i);
		if (strcmp(vtb_trace_string(t, c->name_id)->name, name) == 0 &&
		    strcmp(vtb_trace_string(t, c->series_id)->name, series) == 0)
			return c;
	}
	return NULL;
}

/* The attachment of the i-th slice named `name` (NULL when it has none); the slice in *out. */
static const vtb_attachment *attachment_of(const vtb_trace *t, const char *name, size_t i,
					   const vtb_slice **out)
{
	for (size_t k = 0; k < vtb_trace_thread_count(t); k++) {
		const vtb_thread *th = vtb_trace_thread(t, k);
		for (uint32_t d = 0; d < th->depth_count; d++)
			for (size_t s = 0; s < th->rows[d].count; s++)
				if (strcmp(name_of(t, &th->rows[d].slices[s]), name) == 0 && i-- == 0) {
					if (out)
						*out = &th->rows[d].slices[s];
					return vtb_thread_attachment(th, d, (uint32_t)s);
				}
	}
	ck_abort_msg("no slice %s", name);
	return NULL;
}

/* ---- data beside the calls ---- */

START_TEST(test_counters_and_snapshots)
{
	write_program("prog.py", "tracer_data/counters_and_snapshots.py");
	ck_assert_int_eq(run_py(NULL, "t.out", NULL, "-m vtrace -q -o t.bin prog.py"), 0);
	char *out = read_file("t.out");
	ck_assert_str_eq(out, "TypeError True\nend\n");
	vtb_trace *t = load("t.bin");
	const vtb_counter *n = counter_named(t, "n", "n");
	ck_assert_ptr_nonnull(n);
	ck_assert_uint_eq(n->count, 3);
	for (size_t i = 0; i < 3; i++)
		ck_assert_double_eq(n->samples[i].value, (double)i * 10);
	ck_assert_uint_lt(n->samples[0].ts_ns, n->samples[2].ts_ns);
	const vtb_counter *r = counter_named(t, "ratio", "ratio");
	ck_assert_ptr_nonnull(r);
	ck_assert_double_eq(r->samples[0].value, 0.25);
	const vtb_counter *p = counter_named(t, "queue", "pending"), *d = counter_named(t, "queue", "done");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(p->count, 2);
	ck_assert_double_eq(p->samples[1].value, 4);
	ck_assert_double_eq(d->samples[0].value, 1.5);
	ck_assert_str_eq(mark_named(t, VTB_MARK_OBJECT, "cfg", 0, NULL)->text, "{'a': [1, 2]}");
	const char *big = mark_named(t, VTB_MARK_OBJECT, "big", 0, NULL)->text;
	ck_assert_uint_lt(strlen(big), 300);
	ck_assert_ptr_nonnull(strstr(big, "'xxxx"));
	ck_assert_ptr_nonnull(strstr(mark_named(t, VTB_MARK_OBJECT, "bad", 0, NULL)->text, "Bad"));
	ck_assert_ptr_nonnull(mark_named(t, VTB_MARK_OBJECT, "deep", 0, NULL));
	ck_assert_ptr_nonnull(strstr(mark_named(t, VTB_MARK_OBJECT, "loop", 0, NULL)->text, "[1, [...]]"));
	/* The reprs ran untraced. */
	ck_assert_uint_eq(count_affix(t, "__main__.", "__repr__", 0), 0);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.work"), 1);
	vtb_trace_free(t);
	free(out);
}
END_TEST

START_TEST(test_instants_and_spans)
{
	write_program("prog.py", "tracer_data/instants_and_spans.py");
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -q -o t.bin prog.py"), 0);
	vtb_trace *t = load("t.bin");
	ck_assert_str_eq(mark_named(t, VTB_MARK_INSTANT, "start", 0, NULL)->text, "size=3, name='x'");
	ck_assert_str_eq(mark_named(t, VTB_MARK_INSTANT, "end", 0, NULL)->text, "");
	ck_assert_uint_eq(count_affix(t, "load", "", VTB_CALL_SPAN), 1);
	ck_assert_uint_eq(count_affix(t, "parse", "", VTB_CALL_SPAN), 1);
	ck_assert_uint_eq(count_misnested(t, "load", "__main__.work"), 0);
	ck_assert_uint_eq(count_misnested(t, "parse", "load"), 0);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.leaf"), 3);
	ck_assert_uint_eq(each_slice(t, NULL, misnested, &(struct nest){ "__main__.leaf", "parse" }), 1);
	ck_assert_uint_eq(count_affix(t, "fails", "", VTB_CALL_SPAN | VTB_CALL_EXCEPTION), 1);
	ck_assert_uint_eq(count_affix(t, "load", "", VTB_CALL_EXCEPTION), 0);
	const vtb_attachment *a = attachment_of(t, "load", 0, NULL);
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->args, "path='/tmp/a'");
	/* The instant sits inside work(), the span's time inside the instants'. */
	const vtb_slice *load;
	attachment_of(t, "load", 0, &load);
	ck_assert_uint_le(mark_named(t, VTB_MARK_INSTANT, "start", 0, NULL)->ts_ns, load->start_ns);
	ck_assert_uint_ge(mark_named(t, VTB_MARK_INSTANT, "end", 0, NULL)->ts_ns,
			  load->start_ns + load->dur_ns);
	vtb_trace_free(t);
}
END_TEST

/* The handler records every record a logger passes on, on the thread that logs it, and the
 * program's own logging setup still works. */
START_TEST(test_log_handler)
{
	write_program("prog.py", "tracer_data/log_handler.py");
	ck_assert_int_eq(run_py(NULL, "p.out", NULL, "prog.py"), 0);
	ck_assert_int_eq(run_py(NULL, "t.out", NULL, "-m vtrace -q --log-handler INFO -o t.bin prog.py"), 0);
	char *po = read_file("p.out"), *to = read_file("t.out");
	ck_assert_str_eq(po, to);
	ck_assert_ptr_nonnull(strstr(to, "INFO connected to db1"));
	vtb_trace *t = load("t.bin");
	ck_assert_uint_eq(marks_of(t, VTB_MARK_LOG), 3);
	const vtb_thread *th = NULL;
	const vtb_mark *m = mark_named(t, VTB_MARK_LOG, "app.db", 0, &th);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->level, 20);
	ck_assert_str_eq(m->text, "connected to db1");
	ck_assert_str_eq(th->name, "MainThread");
	m = mark_named(t, VTB_MARK_LOG, "app.db", 1, NULL);
	ck_assert_uint_eq(m->level, 30);
	ck_assert_str_eq(m->text, "slow query");
	m = mark_named(t, VTB_MARK_LOG, "side", 0, &th);
	ck_assert_uint_eq(m->level, 40);
	ck_assert_str_eq(th->name, "worker");
	/* Our handler formats untraced: the program's handler alone calls format methods, as
	 * many as in a run without ours (names differ between versions, hence the suffix). */
	size_t formats = count_affix(t, "logging.", ".format", 0);
	ck_assert_uint_ge(formats, 3);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.work"), 1);
	vtb_trace_free(t);
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -q -o n.bin prog.py"), 0);
	t = load("n.bin");
	ck_assert_uint_eq(count_affix(t, "logging.", ".format", 0), formats);
	ck_assert_uint_eq(marks_of(t, VTB_MARK_LOG), 0);
	vtb_trace_free(t);
	/* WARNING and up only. */
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -q --log-handler warning -o w.bin prog.py"), 0);
	t = load("w.bin");
	ck_assert_uint_eq(marks_of(t, VTB_MARK_LOG), 2);
	vtb_trace_free(t);
	/* No level, the script right after: the script is not taken for the level (DEBUG). */
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -q -o d.bin --log-handler prog.py"), 0);
	t = load("d.bin");
	ck_assert_uint_eq(marks_of(t, VTB_MARK_LOG), 3);
	vtb_trace_free(t);
	free(po), free(to);
}
END_TEST

START_TEST(test_dump_on_log)
{
	write_program("prog.py", "tracer_data/dump_on_log.py");
	ck_assert_int_eq(run_py(NULL, NULL, "t.err", "-m vtrace --dump-on-log ERROR -o 'd{n}.bin' prog.py"), 0);
	char *err = read_file("t.err");
	ck_assert_ptr_nonnull(strstr(err, "reason: log"));
	vtb_trace *t = load("d1.bin");
	const vtb_header *h = vtb_trace_header(t);
	ck_assert_uint_eq(h->reason, VTB_REASON_LOG);
	ck_assert_ptr_nonnull(strstr(h->reason_text, "ERROR pay: card 2 declined"));
	/* Records from the dump level on only: the error, not the warnings. */
	ck_assert_uint_eq(marks_of(t, VTB_MARK_LOG), 1);
	ck_assert_uint_eq(count_affix(t, "__main__.charge", "", VTB_CALL_OPEN), 1);
	vtb_trace_free(t);
	t = load("d2.bin");
	ck_assert_uint_eq(vtb_trace_header(t)->reason, VTB_REASON_EXIT);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.charge"), 4);
	vtb_trace_free(t);
	free(err);
	/* The API: a LogHandler on one logger, --log-handler lower than the dump level. */
	write_program("api.py", "tracer_data/dump_on_log-api.py");
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "api.py"), 0);
	t = load("a1.bin");
	ck_assert_uint_eq(vtb_trace_header(t)->reason, VTB_REASON_LOG);
	ck_assert_uint_eq(marks_of(t, VTB_MARK_LOG), 2);
	ck_assert_str_eq(mark_named(t, VTB_MARK_LOG, "api", 0, NULL)->text, "one");
	ck_assert_uint_eq(mark_named(t, VTB_MARK_LOG, "api", 1, NULL)->level, 50);
	vtb_trace_free(t);
}
END_TEST

START_TEST(test_args_and_retval)
{
	write_program("prog.py", "tracer_data/args_and_retval.py");
	ck_assert_int_eq(run_py(NULL, "t.out", NULL, "-m vtrace -q --log-args --log-retval -o t.bin prog.py"), 0);
	char *out = read_file("t.out");
	ck_assert_str_eq(out, "ok\n");
	vtb_trace *t = load("t.bin");
	const vtb_attachment *a = attachment_of(t, "__main__.add", 0, NULL);
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->args, "a=1, b=2, key='k', rest=(), kw={}");
	ck_assert_str_eq(a->retval, "3");
	a = attachment_of(t, "__main__.take", 0, NULL);
	ck_assert_ptr_nonnull(strstr(a->args, "Bad"));
	ck_assert_ptr_nonnull(strstr(a->retval, "Bad"));
	a = attachment_of(t, "__main__.take", 1, NULL);
	ck_assert_ptr_nonnull(a->args);
	a = attachment_of(t, "__main__.take", 2, NULL);
	ck_assert_uint_lt(strlen(a->args), 300);
	ck_assert_uint_lt(strlen(a->retval), 300);
	ck_assert_uint_eq(count_affix(t, "__main__.", "__repr__", 0), 0);
	ck_assert_uint_eq(count_affix(t, "reprlib.", "", 0), 0);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.gen"), 2);
	vtb_trace_free(t);
	free(out);
}
END_TEST

START_TEST(test_exceptions_logged)
{
	write_program("prog.py", "tracer_data/exceptions_logged.py");
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -q --log-exceptions -o t.bin prog.py"), 0);
	vtb_trace *t = load("t.bin");
	ck_assert_uint_eq(marks_of(t, VTB_MARK_INSTANT), 2);
	const vtb_mark *m = mark_named(t, VTB_MARK_INSTANT, "ValueError", 0, NULL);
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m->text, "boom");
	const vtb_slice *bad;
	attachment_of(t, "__main__.bad", 0, &bad);
	ck_assert_uint_ge(m->ts_ns, bad->start_ns);
	ck_assert_uint_le(m->ts_ns, bad->start_ns + bad->dur_ns);
	m = mark_named(t, VTB_MARK_INSTANT, "__main__.MyError", 0, NULL);
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m->text, "mine");
	vtb_trace_free(t);
	/* Without the option: none. */
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -q -o u.bin prog.py"), 0);
	t = load("u.bin");
	ck_assert_uint_eq(marks_of(t, VTB_MARK_INSTANT), 0);
	vtb_trace_free(t);
}
END_TEST

/* ---- --log-exceptions: every raise once, caught where raised or not ---- */

/* A file under tests/programs/. */
#define RAISE_PROG "tracer_data/raise.py"

/* Runs RAISE_PROG under vtrace with `opts`; its output must be as without vtrace. */
static vtb_trace *run_raise_prog(const char *opts)
{
	write_program("prog.py", RAISE_PROG);
	ck_assert_int_eq(run_py(NULL, "t.out", NULL, "-m vtrace -q %s -o t.bin prog.py", opts), 0);
	char *out = read_file("t.out");
	ck_assert_str_eq(out, "done\n");
	free(out);
	return load("t.bin");
}

static size_t marks_count(const vtb_trace *t, uint32_t kind, const char *name)
{
	size_t n = 0;
	while (mark_named(t, kind, name, n, NULL))
		n++;
	return n;
}

/* Exactly one instant is named `name` with text `text`, inside the first call of `fn`
 * (the import system raises and catches exceptions of its own: KeyError on 3.12+). */
static void assert_raised_in(const vtb_trace *t, const char *name, const char *text,
			     const char *fn)
{
	const vtb_mark *m = NULL, *k;
	size_t n = 0;
	for (size_t i = 0; (k = mark_named(t, VTB_MARK_INSTANT, name, i, NULL)) != NULL; i++)
		if (strcmp(k->text, text) == 0) {
			m = k;
			n++;
		}
	ck_assert_msg(n == 1, "%zu instants %s '%s', not 1", n, name, text);
	const vtb_slice *s;
	attachment_of(t, fn, 0, &s);
	ck_assert_uint_ge(m->ts_ns, s->start_ns);
	ck_assert_uint_le(m->ts_ns, s->start_ns + s->dur_ns);
}

/* Raised and caught in one function: recorded once each, the loop's three exceptions
 * (likely at one reused address) three times, one raised by a C function in its caller. */
START_TEST(test_raise_caught_where_raised)
{
	vtb_trace *t = run_raise_prog("--log-exceptions");
	assert_raised_in(t, "ValueError", "caught here", "__main__.same");
	assert_raised_in(t, "ValueError", "invalid literal for int() with base 10: 'x'",
			 "__main__.from_c");
	ck_assert_uint_eq(marks_count(t, VTB_MARK_INSTANT, "IndexError"), 3);
	for (size_t i = 0; i < 3; i++) {
		char want[4];
		snprintf(want, sizeof want, "%zu", i);
		assert_raised_in(t, "IndexError", want, "__main__.loop");
	}
	/* A __str__ that raises gives a note, and its own exception is not recorded. */
	assert_raised_in(t, "__main__.Bad", "<repr failed: RuntimeError>", "__main__.bad");
	ck_assert_uint_eq(marks_count(t, VTB_MARK_INSTANT, "__main__.Bad"), 1);
	ck_assert_uint_eq(marks_count(t, VTB_MARK_INSTANT, "RuntimeError"), 0);
	vtb_trace_free(t);
}
END_TEST

/* Up through three frames (and out of a with block over a generator context manager):
 * once, in the frame that raised it. */
START_TEST(test_raise_propagates_once)
{
	vtb_trace *t = run_raise_prog("--log-exceptions");
	assert_raised_in(t, "KeyError", "'deep'", "__main__.c");
	ck_assert_uint_eq(count_affix(t, "__main__", ".c", VTB_CALL_EXCEPTION), 1);
	ck_assert_uint_eq(count_affix(t, "__main__", ".a", VTB_CALL_EXCEPTION), 1);
	ck_assert_uint_eq(marks_count(t, VTB_MARK_INSTANT, "ZeroDivisionError"), 1);
	assert_raised_in(t, "ZeroDivisionError", "cm", "__main__.through_cm");
	/* Up through a thousand frames, its message read at the recursion limit. */
	ck_assert_uint_eq(marks_count(t, VTB_MARK_INSTANT, "RecursionError"), 1);
	const vtb_mark *m = mark_named(t, VTB_MARK_INSTANT, "RecursionError", 0, NULL);
	ck_assert_msg(strncmp(m->text, "maximum recursion depth exceeded", 32) == 0, "%s", m->text);
	ck_assert_uint_ge(count_calls(t, NULL, "__main__.down"), 900);
	vtb_trace_free(t);
}
END_TEST

/* A bare raise, then raise e of the same exception one frame up: once. An exception raised
 * and caught in a finally block while another is on its way out: each once. */
START_TEST(test_raise_reraised_once)
{
	vtb_trace *t = run_raise_prog("--log-exceptions");
	ck_assert_uint_eq(marks_count(t, VTB_MARK_INSTANT, "__main__.MyError"), 1);
	assert_raised_in(t, "__main__.MyError", "again", "__main__.bare");
	ck_assert_uint_eq(marks_count(t, VTB_MARK_INSTANT, "TypeError"), 1);
	assert_raised_in(t, "TypeError", "outer", "__main__.nested");
	ck_assert_uint_eq(marks_count(t, VTB_MARK_INSTANT, "OSError"), 1);
	assert_raised_in(t, "OSError", "inner", "__main__.nested");
	vtb_trace_free(t);
}
END_TEST

/* A thread started after the tracer records its raises, on its own track. */
START_TEST(test_raise_in_thread)
{
	vtb_trace *t = run_raise_prog("--log-exceptions");
	const vtb_thread *w = thread_named(t, "w"), *in = NULL;
	ck_assert_ptr_nonnull(w);
	ck_assert_uint_eq(marks_count(t, VTB_MARK_INSTANT, "LookupError"), 2);
	for (size_t i = 0; i < 2; i++) {
		char want[16];
		snprintf(want, sizeof want, "in thread %zu", i);
		assert_raised_in(t, "LookupError", want, "__main__.worker");
		mark_named(t, VTB_MARK_INSTANT, "LookupError", i, &in);
		ck_assert_ptr_eq(in, w);
	}
	vtb_trace_free(t);
}
END_TEST

/* Without the option nothing is recorded, and the calls are the same. */
START_TEST(test_raise_off)
{
	vtb_trace *t = run_raise_prog("");
	ck_assert_uint_eq(marks_of(t, VTB_MARK_INSTANT), 0);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.same"), 1);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.worker"), 1);
	vtb_trace_free(t);
	/* The API's log_exceptions=True is the option. */
	write_program("api.py", "tracer_data/raise_off-api.py");
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "api.py"), 0);
	t = load("a.bin");
	assert_raised_in(t, "ValueError", "api", "__main__.f");
	ck_assert_uint_eq(marks_count(t, VTB_MARK_INSTANT, "ValueError"), 1);
	vtb_trace_free(t);
	t = load("b.bin");
	ck_assert_uint_eq(marks_of(t, VTB_MARK_INSTANT), 0);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.f"), 1);
	vtb_trace_free(t);
}
END_TEST

START_TEST(test_gc_spans)
{
	write_program("prog.py", "tracer_data/gc_spans.py");
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -q --log-gc -o t.bin prog.py"), 0);
	vtb_trace *t = load("t.bin");
	const vtb_thread *gc = thread_named(t, "GC");
	ck_assert_ptr_nonnull(gc);
	ck_assert_uint_ge(count_affix(t, "gc.collect (generation 2)", "", VTB_CALL_GC), 1);
	ck_assert_uint_ge(count_affix(t, "gc.collect (generation 0)", "", VTB_CALL_GC), 1);
	ck_assert_uint_eq(each_slice(t, gc, flagged, &(unsigned){ VTB_CALL_GC }), gc->call_count);
	/* The collections found the 100 cycles between them. */
	int total = 0;
	for (uint32_t k = 0; k < gc->rows[0].count; k++) {
		const vtb_attachment *a = vtb_thread_attachment(gc, 0, k);
		int n = -1;
		ck_assert_ptr_nonnull(a);
		ck_assert_int_eq(sscanf(a->retval, "collected=%d, uncollectable=", &n), 1);
		total += n;
	}
	ck_assert_int_ge(total, 100);
	vtb_trace_free(t);
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -q -o u.bin prog.py"), 0);
	t = load("u.bin");
	ck_assert_ptr_null(thread_named(t, "GC"));
	vtb_trace_free(t);
}
END_TEST

/* A small arena after many long messages keeps the newest texts; older records whose text
 * was overwritten are dropped and counted, the calls around them are all there. */
START_TEST(test_arena_wraps)
{
	write_program("prog.py", "tracer_data/arena_wraps.py");
	ck_assert_int_eq(run_py(NULL, NULL, "t.err", "-m vtrace --buffer-size 200000 -o t.bin prog.py"), 0);
	vtb_trace *t = load("t.bin");
	/* 200000 events give an 800000-byte arena: 198 blobs of 4000 bytes and their headers. */
	size_t logs = marks_of(t, VTB_MARK_LOG);
	ck_assert_uint_eq(logs, 198);
	const vtb_mark *last = mark_named(t, VTB_MARK_LOG, "big", logs - 1, NULL);
	ck_assert_uint_eq(strlen(last->text), 4000);
	ck_assert_int_eq(strncmp(last->text, "00299x", 6), 0);
	ck_assert_int_eq(strncmp(mark_named(t, VTB_MARK_LOG, "big", 0, NULL)->text, "00102x", 6), 0);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.step"), 300);
	char *err = read_file("t.err"), want[64];
	snprintf(want, sizeof want, "%zu texts overwritten", (size_t)300 - logs);
	ck_assert_msg(strstr(err, want) != NULL, "'%s' not in: %s", want, err);
	vtb_trace_free(t);
	free(err);
}
END_TEST

/* ---- filters at record time ---- */

/* A file under tests/programs/. */
#define FILTER_PROG "tracer_data/filter.py"

/* A file under tests/programs/. */
#define HELPER_PY "tracer_data/helper.py"

/* Runs FILTER_PROG with `opts`; returns its trace. */
static vtb_trace *run_filtered(const char *opts)
{
	write_program("prog.py", FILTER_PROG);
	write_program("helper.py", HELPER_PY);
	unlink(path_in("f.bin"));
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -q %s -o f.bin prog.py", opts), 0);
	return load("f.bin");
}

START_TEST(test_filter_exclude_include)
{
	vtb_trace *t = run_filtered("--exclude '^__main__\\.mid$'");
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.mid"), 0);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.leaf"), 6);
	ck_assert_uint_eq(count_calls(t, NULL, "helper.assist"), 3);
	/* The excluded function's callees take its place under its caller. */
	ck_assert_uint_eq(count_misnested(t, "__main__.slow", "__main__.top"), 0);
	ck_assert_uint_eq(count_misnested(t, "helper.assist", "__main__.top"), 0);
	vtb_trace_free(t);
	t = run_filtered("--include '^helper\\.' --include 'slow'");
	ck_assert_uint_eq(count_calls(t, NULL, "helper.assist"), 3);
	ck_assert_uint_eq(count_calls(t, NULL, "helper.inner"), 3);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.slow"), 3);
	ck_assert_uint_eq(count_calls(t, NULL, "helper.<module>"), 1); /* the import */
	ck_assert_uint_eq(vtb_trace_call_count(t), 10);
	ck_assert_uint_eq(count_misnested(t, "helper.inner", "helper.assist"), 0);
	vtb_trace_free(t);
	/* Files: only helper.py, and everything but prog.py. */
	t = run_filtered("--include-files '/helper\\.py$'");
	ck_assert_uint_eq(vtb_trace_call_count(t), 7);
	vtb_trace_free(t);
	t = run_filtered("--exclude-files '/prog\\.py$' --exclude-files 'threading'");
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.top"), 0);
	ck_assert_uint_eq(count_calls(t, NULL, "helper.inner"), 3);
	ck_assert_uint_eq(count_affix(t, "threading.", "", 0), 0);
	ck_assert_uint_eq(count_calls(t, NULL, "helper.assist"), 3);
	vtb_trace_free(t);
}
END_TEST

START_TEST(test_filter_depth_and_duration)
{
	vtb_trace *t = run_filtered("--max-depth 3");
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.<module>"), 1);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.top"), 1);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.mid"), 3);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.leaf"), 0);
	ck_assert_uint_eq(count_calls(t, NULL, "helper.assist"), 0);
	const vtb_thread *th = thread_named(t, "MainThread");
	ck_assert_uint_le(th->depth_count, 3);
	vtb_trace_free(t);
	/* Short calls go, with their callees (leaf under slow); slow calls and the stack
	 * above them stay, nested as they were. */
	t = run_filtered("--min-duration 5ms");
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.slow"), 3);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.mid"), 3);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.leaf"), 0);
	ck_assert_uint_eq(count_calls(t, NULL, "helper.assist"), 0);
	ck_assert_uint_eq(count_calls(t, NULL, "helper.inner"), 0);
	ck_assert_uint_eq(count_misnested(t, "__main__.slow", "__main__.mid"), 0);
	ck_assert_uint_eq(count_misnested(t, "__main__.mid", "__main__.top"), 0);
	vtb_trace_free(t);
	/* A bad duration is a usage error. */
	ck_assert_int_eq(run_py(NULL, NULL, "e.err", "-m vtrace --min-duration 5parsecs -c pass"), 2);
	char *err = read_file("e.err");
	ck_assert_ptr_nonnull(strstr(err, "--min-duration"));
	free(err);
}
END_TEST

START_TEST(test_decorators)
{
	write_program("prog.py", "tracer_data/decorators.py");
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -q -o t.bin prog.py"), 0);
	vtb_trace *t = load("t.bin");
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.quiet"), 0);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.brief"), 2);
	ck_assert_uint_eq(count_affix(t, "__main__.", "m", 0), 0);
	/* Only main's own leaf(): none from under quiet, brief or K.m. */
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.leaf"), 1);
	ck_assert_uint_eq(count_misnested(t, "__main__.brief", "__main__.main"), 0);
	vtb_trace_free(t);
}
END_TEST

START_TEST(test_ignore_c_and_bad_patterns)
{
	write_program("prog.py", "tracer_data/ignore_c_and_bad_patterns.py");
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -q --c-calls --ignore-c -o t.bin prog.py"), 0);
	vtb_trace *t = load("t.bin");
	ck_assert_uint_eq(count_flagged(t, VTB_CALL_C), 0);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.f"), 1);
	vtb_trace_free(t);
	/* C calls pass through the name filters too. */
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -q --c-calls --exclude '^builtins\\.len$' -o u.bin prog.py"), 0);
	t = load("u.bin");
	ck_assert_uint_eq(count_calls(t, NULL, "builtins.len"), 0);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.f"), 1);
	vtb_trace_free(t);
	ck_assert_int_eq(run_py(NULL, NULL, "e.err", "-m vtrace -o t.bin --include 'ab(c' prog.py"), 2);
	char *err = read_file("e.err");
	ck_assert_ptr_nonnull(strstr(err, "--include"));
	ck_assert_ptr_nonnull(strstr(err, "missing closing parenthesis"));
	ck_assert_ptr_nonnull(strstr(err, "offset 4"));
	free(err);
}
END_TEST

/* Runs in one process with different filters: none reuses the verdicts an earlier one
 * cached on the code objects. (A ring of the same size carries over: clear() empties it.) */
START_TEST(test_filters_per_run)
{
	write_program("prog.py", "tracer_data/filters_per_run.py");
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "prog.py"), 0);
	vtb_trace *t = load("one.bin");
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.a"), 0);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.b"), 1);
	vtb_trace_free(t);
	t = load("two.bin");
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.a"), 1);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.b"), 0);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.both"), 0);
	vtb_trace_free(t);
	t = load("three.bin");
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.a"), 1);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.both"), 1);
	/* 3.13 takes these from sys.monitoring once the call site is specialized. */
	ck_assert_uint_eq(count_affix(t, "__main__.", "__init__", 0), 50);
	vtb_trace_free(t);
	/* Back to the first filters (their cached keys), with b marked ignored since. */
	t = load("four.bin");
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.a"), 0);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.b"), 0);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.both"), 1);
	vtb_trace_free(t);
}
END_TEST

/* ---- the configuration file ---- */

START_TEST(test_config_file)
{
	write_program("prog.py", FILTER_PROG);
	write_program("helper.py", HELPER_PY);
	write_file(".vtrace.json",
		   "{\n  \"output\": \"cfg.bin\",\n  \"quiet\": true,\n"
		   "  \"include\": \"^helper\\\\.\",\n  \"log_args\": true\n}\n");
	ck_assert_int_eq(run_py(NULL, NULL, "t.err", "-m vtrace prog.py"), 0);
	char *err = read_file("t.err");
	ck_assert_str_eq(err, "");
	free(err);
	vtb_trace *t = load("cfg.bin");
	ck_assert_uint_eq(vtb_trace_call_count(t), 7);
	ck_assert_str_eq(attachment_of(t, "helper.assist", 0, NULL)->args, "");
	vtb_trace_free(t);
	/* The command line wins over the file. */
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace -o cli.bin --include slow prog.py"), 0);
	t = load("cli.bin");
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.slow"), 3);
	vtb_trace_free(t);
	/* --config names another file. */
	write_file("other.json", "{\"output\": \"other.bin\", \"max_depth\": 1, \"quiet\": true}");
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "-m vtrace --config other.json prog.py"), 0);
	t = load("other.bin");
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.<module>"), 1);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.top"), 0);
	vtb_trace_free(t);
	/* The API reads the same file. */
	write_program("api.py", "tracer_data/config_file-api.py");
	ck_assert_int_eq(run_py(NULL, "api.out", NULL, "api.py"), 0);
	char *out = read_file("api.out");
	ck_assert_str_eq(out, "[('include', '^helper\\\\.'), ('log_args', True), ('output', 'cfg.bin'), "
			      "('quiet', True)]\n");
	free(out);
}
END_TEST

START_TEST(test_config_errors)
{
	static const struct {
		const char *json, *want;
	} cases[] = {
		{ "{\n  \"quiet\": true,\n  \"colour\": 1\n}\n", ".vtrace.json:3:3: unknown key \"colour\"" },
		{ "{\n  \"max_depth\": \"3\"\n}\n", ".vtrace.json:2:3: \"max_depth\" must be an integer" },
		{ "{\"max_depth\": -1}", "\"max_depth\" must be an integer" },
		{ "{\"include\": [\"a\", 2]}", "\"include\" must be a string or a list of strings" },
		{ "{\"log_args\": \"yes\"}", "\"log_args\" must be true or false" },
		{ "{\n  \"quiet\": true,\n  \"output\": \n", ".vtrace.json:4:1: not valid JSON" },
		{ "[1, 2]", "must be a JSON object" },
		{ "{\"include\": \"(x\"}", "--include: bad pattern '(x': missing closing parenthesis" },
	};
	write_program("prog.py", "tracer_data/config_errors.py");
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		write_file(".vtrace.json", cases[i].json);
		ck_assert_int_eq(run_py(NULL, "t.out", "t.err", "-m vtrace -o t.bin prog.py"), 2);
		char *err = read_file("t.err"), *out = read_file("t.out");
		ck_assert_msg(strstr(err, cases[i].want) != NULL, "case %zu: '%s' not in: %s", i,
			      cases[i].want, err);
		ck_assert_str_eq(out, "");
		free(err), free(out);
	}
	ck_assert_int_eq(run_py(NULL, NULL, "t.err", "-m vtrace --config none.json prog.py"), 2);
	char *err = read_file("t.err");
	ck_assert_ptr_nonnull(strstr(err, "none.json: No such file"));
	free(err);
}
END_TEST

static Suite *data_suite(void)
{
	Suite *s = suite_create("tracer_data");
	const struct tf_case cases[] = {
		{ "counters_snapshots", test_counters_and_snapshots },
		{ "instants_spans", test_instants_and_spans },
		{ "log_handler", test_log_handler },
		{ "dump_on_log", test_dump_on_log },
		{ "args_retval", test_args_and_retval },
		{ "exceptions", test_exceptions_logged },
		{ "raise_caught_here", test_raise_caught_where_raised },
		{ "raise_propagates", test_raise_propagates_once },
		{ "raise_reraised", test_raise_reraised_once },
		{ "raise_thread", test_raise_in_thread },
		{ "raise_off", test_raise_off },
		{ "gc", test_gc_spans },
		{ "arena", test_arena_wraps },
		{ "filter_names_files", test_filter_exclude_include },
		{ "filter_depth_duration", test_filter_depth_and_duration },
		{ "decorators", test_decorators },
		{ "ignore_c_bad_patterns", test_ignore_c_and_bad_patterns },
		{ "filters_per_run", test_filters_per_run },
		{ "config", test_config_file },
		{ "config_errors", test_config_errors },
	};
	tf_add_cases(s, cases, sizeof cases / sizeof *cases, 120);
	return s;
}

int main(void)
{
	return tf_run(data_suite());
}
