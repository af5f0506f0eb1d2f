/* SPDX-License-Identifier: MIT */
/* bench_format.c: the VTB format's size and speed on synthetic event streams.
 *
 * Streams (generated once into memory, then encoded and decoded RUNS times):
 *   deep    fib-like recursion, one name, the steps of a traced CPython call (~70 ns a
 *           call, ~45 ns a return, with jitter);
 *   wide    a loop calling 200 short functions of one or two levels;
 *   mixed   4,000 names with a skewed (Zipf-like) frequency, 30% of calls repeating the
 *           previous call at their depth (loops), depth wandering up to 40, steps from
 *           40 ns to tens of microseconds, 1 name in 20 a C function, a few instants, logs and counter
 *           samples, arguments on 1% of calls;
 *   threads the mixed stream on 16 threads, interleaved.
 * For each: bytes per call in the file, encode rate (vtb_writer_* into memory, finish
 * included) and decode rate (vtb_trace_load_mem: checks, CRCs, model), in events/s,
 * medians of RUNS. Then a 10-million-call mixed trace is written to a file and loaded
 * with vtb_trace_load (mmap), as the viewer opens it: wall time and model bytes per call.
 *
 * Usage: bench_format [CALLS [RUNS [BIG_CALLS]]]  (defaults 1000000, 5, 10000000;
 *        BIG_CALLS 0 skips the file load)
 */
#include "common/vtb.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench_util.h"

enum { EV_BEGIN, EV_END, EV_INSTANT, EV_COUNTER, EV_LOG, EV_ARGS };

struct ev {
	uint64_t ts;
	uint32_t name;
	uint8_t kind, thread;
	uint16_t flags;
};

struct stream {
	const char *label;
	struct ev *ev;
	size_t n, cap, calls;
	uint32_t names, threads;
};

static uint64_t rng_state = 88172645463325252ull;

static void push(struct stream *s, uint64_t ts, int kind, uint32_t name, uint32_t thread, uint16_t flags)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1 << 16;
		s->ev = realloc(s->ev, s->cap * sizeof(*s->ev));
		if (!s->ev) {
			perror("realloc");
			exit(1);
		}
	}
	s->ev[s->n++] = (struct ev){ ts, name, (uint8_t)kind, (uint8_t)thread, flags };
	s->calls += kind == EV_END;
}

/* A step in ns: base plus up to `jitter`. */
static uint64_t step(uint64_t base, uint64_t jitter)
{
	return base + bench_rand(&rng_state) % (jitter + 1);
}

static void gen_fib(struct stream *s, uint64_t *ts, int n)
{
	push(s, *ts += step(55, 30), EV_BEGIN, 0, 0, 0);
	if (n > 1) {
		gen_fib(s, ts, n - 1);
		gen_fib(s, ts, n - 2);
	}
	push(s, *ts += step(30, 30), EV_END, 0, 0, 0);
}

static void gen_deep(struct stream *s, size_t calls)
{
	uint64_t ts = 1000000;

	while (s->calls < calls)
		gen_fib(s, &ts, 20);
	s->names = 1;
}

static void gen_wide(struct stream *s, size_t calls)
{
	uint64_t ts = 1000000;

	push(s, ts, EV_BEGIN, 200, 0, 0);
	while (s->calls < calls) {
		uint32_t f = (uint32_t)(bench_rand(&rng_state) % 200);
		push(s, ts += step(80, 200), EV_BEGIN, f, 0, 0);
		if (f % 3 == 0) {
			push(s, ts += step(60, 100), EV_BEGIN, (f + 1) % 200, 0, 0);
			push(s, ts += step(40, 300), EV_END, 0, 0, 0);
		}
		push(s, ts += step(40, 400), EV_END, 0, 0, 0);
	}
	push(s, ts += 100, EV_END, 0, 0, 0);
	s->names = 201;
}

/* Zipf-like: name k with weight about 1/(k+1). */
static uint32_t skewed_name(uint32_t names)
{
	double u = (double)(bench_rand(&rng_state) >> 11) / (double)(1ull << 53);
	double x = exp2(u * log2((double)names + 1.0)) - 1.0;
	return (uint32_t)x < names ? (uint32_t)x : names - 1;
}

/* Steps: most short, some long (I/O, real work): 40 ns .. ~60 us. */
static uint64_t mixed_step(void)
{
	uint64_t r = bench_rand(&rng_state) % 100;

	if (r < 60)
		return step(40, 300);
	if (r < 90)
		return step(300, 3000);
	return step(3000, 60000);
}

static void gen_mixed(struct stream *s, size_t calls, uint32_t threads)
{
	uint64_t ts = 1000000;
	uint32_t depth[64] = { 0 };
	static uint32_t last[64][41]; /* per thread and depth: the previous call's name */

	s->names = 4000;
	s->threads = threads;
	while (s->calls < calls) {
		uint32_t th = (uint32_t)(bench_rand(&rng_state) % threads);
		uint64_t r = bench_rand(&rng_state) % 1000;
		ts += mixed_step();
		if (r < 3) {
			push(s, ts, EV_INSTANT, skewed_name(s->names), th, 0);
		} else if (r < 5) {
			push(s, ts, EV_COUNTER, 0, th, 0);
		} else if (r < 6) {
			push(s, ts, EV_LOG, 1, th, 0);
		} else if (depth[th] < 40 && (depth[th] == 0 || r < (uint64_t)(500 + 10 * (20 - (int)depth[th])))) {
			uint32_t name = bench_rand(&rng_state) % 10 < 3 ? last[th][depth[th]] : skewed_name(s->names);
			last[th][depth[th]] = name;
			push(s, ts, EV_BEGIN, name, th, name % 20 == 7 ? 8 : 0); /* a C function */
			if (r % 100 == 7)
				push(s, ts, EV_ARGS, 0, th, 0);
			depth[th]++;
		} else {
			push(s, ts, EV_END, 0, th, 0);
			depth[th]--;
		}
	}
	for (uint32_t th = 0; th < threads; th++)
		while (depth[th]--)
			push(s, ts += 10, EV_END, 0, th, 0);
}

/* Encode a stream into memory; returns the writer (finished) for its bytes. */
static vtb_writer *encode(const struct stream *s)
{
	vtb_header h = { .pid = 1, .cmdline = "bench", .python_version = "3.11", .reason_text = "",
			 .dump_ns = s->ev[s->n - 1].ts + 1 };
	vtb_writer *w = vtb_writer_open_mem(&h);
	char name[64];
	int rc = 0;

	for (uint32_t i = 0; i < s->names; i++) {
		snprintf(name, sizeof(name), "pkg%u.module%u.Class%u.method_%u", i % 7, i % 53, i % 11, i);
		vtb_writer_string(w, name, "/srv/app/pkg/module.py", i);
	}
	for (uint32_t i = 0; i < (s->threads ? s->threads : 1); i++)
		vtb_writer_thread(w, 1, 1000 + i, "thread");
	for (size_t i = 0; i < s->n && !rc; i++) {
		const struct ev *e = &s->ev[i];
		switch (e->kind) {
		case EV_BEGIN: rc = vtb_writer_begin(w, e->thread, e->ts, e->name, e->flags); break;
		case EV_END: rc = vtb_writer_end(w, e->thread, e->ts, 0); break;
		case EV_INSTANT: rc = vtb_writer_instant(w, e->thread, e->ts, e->name, "step=3"); break;
		case EV_COUNTER: rc = vtb_writer_counter(w, e->thread, e->ts, 0, 1, (double)(e->ts % 1000)); break;
		case EV_LOG: rc = vtb_writer_log(w, e->thread, e->ts, 30, e->name, "slow query"); break;
		case EV_ARGS: rc = vtb_writer_args(w, e->thread, "x=1, y='abc'"); break;
		}
	}
	char *cause = NULL;
	if (rc || vtb_writer_finish(w, &cause)) {
		fprintf(stderr, "%s: encode failed: %d %s\n", s->label, rc, cause ? cause : "");
		exit(1);
	}
	return w;
}

static void run_stream(struct stream *s, int runs)
{
	double enc[64], dec[64];
	size_t len = 0, events = 0;

	for (int r = 0; r < runs; r++) {
		double t0 = bench_now_s();
		vtb_writer *w = encode(s);
		double t1 = bench_now_s();
		const uint8_t *b = vtb_writer_mem(w, &len);
		char *cause = NULL;
		vtb_trace *t = vtb_trace_load_mem(b, len, 0, &cause);
		double t2 = bench_now_s();
		if (!t || vtb_trace_call_count(t) != s->calls) {
			fprintf(stderr, "%s: decode failed: %s\n", s->label, cause ? cause : "wrong call count");
			exit(1);
		}
		events = vtb_trace_event_count(t);
		enc[r] = t1 - t0;
		dec[r] = t2 - t1;
		vtb_trace_free(t);
		vtb_writer_free(w);
	}
	printf("| %-7s | %9zu | %9zu | %10zu | %6.2f | %12.1f | %12.1f |\n", s->label, s->calls, events, len,
	       (double)len / (double)s->calls, (double)s->n / bench_median(enc, runs) / 1e6,
	       (double)s->n / bench_median(dec, runs) / 1e6);
}

/* Write a big mixed trace to a file by streaming (no event list), then load it. */
static void run_big(size_t calls, int runs)
{
	char path[256];
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	struct stream s = { .label = "big" };
	size_t chunk = 1000000, done = 0;

	snprintf(path, sizeof(path), "%s/vtb-bench-format-%d.vtb", dir, (int)getpid());
	vtb_header h = { .pid = 1, .cmdline = "bench", .python_version = "3.11", .reason_text = "", .dump_ns = 0 };
	char *cause = NULL;
	vtb_writer *w = vtb_writer_open_file(path, &h, &cause);
	if (!w) {
		fprintf(stderr, "%s\n", cause);
		exit(1);
	}
	char name[64];
	for (uint32_t i = 0; i < 4000; i++) {
		snprintf(name, sizeof(name), "pkg%u.module%u.Class%u.method_%u", i % 7, i % 53, i % 11, i);
		vtb_writer_string(w, name, "/srv/app/pkg/module.py", i);
	}
	for (uint32_t i = 0; i < 4; i++)
		vtb_writer_thread(w, 1, 1000 + i, "thread");
	uint64_t base = 0;
	while (done < calls) {
		s.n = s.calls = 0;
		gen_mixed(&s, chunk, 4);
		for (size_t i = 0; i < s.n; i++) {
			const struct ev *e = &s.ev[i];
			uint64_t ts = base + e->ts;
			if (e->kind == EV_BEGIN)
				vtb_writer_begin(w, e->thread, ts, e->name, e->flags);
			else if (e->kind == EV_END)
				vtb_writer_end(w, e->thread, ts, 0);
		}
		base += s.ev[s.n - 1].ts + 1000;
		done += s.calls;
	}
	if (vtb_writer_finish(w, &cause)) {
		fprintf(stderr, "%s\n", cause);
		exit(1);
	}
	vtb_writer_free(w);
	free(s.ev);
	double wall[64], cpu[64];
	size_t got = 0;
	long grown = 0;
	for (int r = 0; r < runs; r++) {
		long before = bench_rss_kib();
		double t0 = bench_now_s(), c0 = bench_clock_s(CLOCK_PROCESS_CPUTIME_ID);
		vtb_trace *t = vtb_trace_load(path, 0, NULL, NULL, &cause);
		wall[r] = bench_now_s() - t0;
		cpu[r] = bench_clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
		if (!t) {
			fprintf(stderr, "%s\n", cause);
			exit(1);
		}
		if (r == 0)
			grown = bench_rss_kib() - before;
		got = vtb_trace_call_count(t);
		vtb_trace_free(t);
	}
	FILE *f = fopen(path, "rb");
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fclose(f);
	unlink(path);
	double mid = bench_median(wall, runs); /* sorts: wall[0] is the fastest after it */
	printf("\nFile load (vtb_trace_load, mmap): %zu calls on 4 threads, %.1f MB (%.2f bytes/call): "
	       "wall median %.3f s of %d runs (min %.3f s), CPU median %.3f s; model memory %.1f bytes/call "
	       "(RSS growth)\n",
	       got, (double)size / 1e6, (double)size / (double)got, mid, runs, wall[0], bench_median(cpu, runs),
	       (double)grown * 1024.0 / (double)got);
}

int main(int argc, char **argv)
{
	size_t calls = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
	int runs = argc > 2 ? atoi(argv[2]) : 5;
	size_t big = argc > 3 ? strtoull(argv[3], NULL, 10) : 10000000;
	struct stream s[4] = { { .label = "deep" }, { .label = "wide" }, { .label = "mixed" }, { .label = "threads" } };

	if (runs < 1 || runs > 64 || calls < 1000) {
		fprintf(stderr, "usage: bench_format [CALLS>=1000 [RUNS 1..64 [BIG_CALLS]]]\n");
		return 2;
	}
	gen_deep(&s[0], calls);
	gen_wide(&s[1], calls);
	gen_mixed(&s[2], calls, 1);
	gen_mixed(&s[3], calls, 16);
	printf("VTB format: %zu calls per stream, medians of %d runs (events/s in millions)\n\n", calls, runs);
	printf("| stream  |     calls |    events |      bytes | B/call | encode Mev/s | decode Mev/s |\n");
	printf("|---------|-----------|-----------|------------|--------|--------------|--------------|\n");
	for (int i = 0; i < 4; i++) {
		run_stream(&s[i], runs);
		free(s[i].ev);
	}
	if (big)
		run_big(big, runs < 3 ? runs : 3);
	return 0;
}
