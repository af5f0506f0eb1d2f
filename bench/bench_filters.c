/* SPDX-License-Identifier: MIT */
/* bench_filters.c: applying a regex filter to a ten-million-call trace (target: under
 * 50 ms), next to the pieces it is made of and to `vtui stats` over the same trace.
 *
 * The trace is synthetic but goes through the real path: 50,000 distinct names in a
 * string table, written with the VTB memory writer and loaded by the reader. Each
 * figure is the median of several runs. Usage: bench_filters [calls] [names] [runs]
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bench_util.h"
#include "common/vtb.h"
#include "filters/filters.h"
#include "analysis/analysis.h"

static uint64_t rng = 88172645463325252ull;

/* Names grouped by module, as a tracer interns them: project modules, the standard
 * library and frozen importlib. */
static void add_names(vtb_writer *w, size_t names)
{
	char name[128], file[128];

	for (size_t i = 0; i < names; i++) {
		size_t mod = i / 40, pkg = mod / 25;

		if (mod % 10 == 9) {
			snprintf(name, sizeof(name), "importlib._bootstrap.f%zu", i);
			snprintf(file, sizeof(file), "<frozen importlib._bootstrap_%zu>", mod);
		} else if (mod % 10 >= 6) {
			snprintf(name, sizeof(name), "json.mod%zu.Decoder.decode_%zu", mod, i);
			snprintf(file, sizeof(file), "/usr/lib/python3.11/json/mod%zu.py", mod);
		} else {
			snprintf(name, sizeof(name), "pkg%zu.mod%zu.Class%zu.method_%zu", pkg, mod,
				 i % 7, i);
			snprintf(file, sizeof(file), "/src/pkg%zu/mod%zu.py", pkg, mod);
		}
		if (vtb_writer_string(w, name, file, (uint32_t)(i % 1000 + 1)) < 0)
			exit(1);
	}
}

/* A call and, at random, children: about `*left` calls in all. */
static void write_call(vtb_writer *w, uint32_t th, uint64_t *ts, uint32_t depth, size_t names,
		       size_t *left)
{
	uint32_t id = (uint32_t)(bench_rand(&rng) % names);
	unsigned kids = depth < 14 ? (unsigned)(bench_rand(&rng) % 4) : 0;

	(*left)--;
	vtb_writer_begin(w, th, *ts, id, 0);
	*ts += 1 + bench_rand(&rng) % 50;
	for (unsigned k = 0; k < kids && *left > 0; k++)
		write_call(w, th, ts, depth + 1, names, left);
	*ts += 1 + bench_rand(&rng) % 200;
	vtb_writer_end(w, th, *ts, 0);
}

static vtb_trace *build_trace(size_t calls, size_t names)
{
	vtb_header h = { .cmdline = "bench", .python_version = "3.11", .reason_text = "",
			 .dump_ns = UINT64_MAX / 4 };
	vtb_writer *w = vtb_writer_open_mem(&h);
	uint64_t ts[2] = { 0, 0 };
	size_t left = calls, len = 0;
	const uint8_t *bytes;
	char *cause = NULL;
	vtb_trace *t;

	add_names(w, names);
	vtb_writer_thread(w, 1, 1, "MainThread");
	vtb_writer_thread(w, 1, 2, "Worker-1");
	while (left > 0)
		write_call(w, (uint32_t)(left & 1), &ts[left & 1], 0, names, &left);
	if (vtb_writer_finish(w, &cause) < 0) {
		fprintf(stderr, "bench_filters: %s\n", cause);
		exit(1);
	}
	bytes = vtb_writer_mem(w, &len);
	t = vtb_trace_load_mem(bytes, len, 0, &cause);
	if (t == NULL) {
		fprintf(stderr, "bench_filters: %s\n", cause);
		exit(1);
	}
	vtb_writer_free(w);
	return t;
}

static int entry_of(void *ctx, size_t id, const char **name, const char **file)
{
	const vtb_string *s = vtb_trace_string(ctx, (uint32_t)id);

	*name = s->name;
	*file = s->file;
	return 0;
}

/* Calls passing the flat predicate: what a redraw-independent filter pass costs. */
static size_t pass_calls(const vtb_trace *t, const flt_set *f)
{
	flt_call_filter cf;
	size_t n = 0;

	if (flt_set_call_filter(f, &cf) < 0)
		exit(2);
	for (size_t i = 0; i < vtb_trace_thread_count(t); i++) {
		const vtb_thread *th = vtb_trace_thread(t, i);

		for (uint32_t d = 0; d < th->depth_count; d++)
			for (size_t k = 0; k < th->rows[d].count; k++) {
				const vtb_slice *s = &th->rows[d].slices[k];

				n += (size_t)flt_call_pass(&cf, s->name_id, s->dur_ns, s->depth);
			}
	}
	return n;
}

/* Calls whose name bit is set (the search count). */
static size_t count_bits(const vtb_trace *t, const uint64_t *bm)
{
	size_t n = 0;

	for (size_t i = 0; i < vtb_trace_thread_count(t); i++) {
		const vtb_thread *th = vtb_trace_thread(t, i);

		for (uint32_t d = 0; d < th->depth_count; d++)
			for (size_t k = 0; k < th->rows[d].count; k++)
				n += (size_t)flt_bitmap_test(bm, th->rows[d].slices[k].name_id);
	}
	return n;
}

/* Calls per name id: counted once at load, it turns a search count into a sum over
 * the matching ids instead of a pass over the calls. */
static uint32_t *calls_per_name(const vtb_trace *t, size_t nstr)
{
	uint32_t *per = calloc(nstr ? nstr : 1, sizeof(*per));

	for (size_t i = 0; per != NULL && i < vtb_trace_thread_count(t); i++) {
		const vtb_thread *th = vtb_trace_thread(t, i);

		for (uint32_t d = 0; d < th->depth_count; d++)
			for (size_t k = 0; k < th->rows[d].count; k++)
				per[th->rows[d].slices[k].name_id]++;
	}
	return per;
}

static size_t sum_bits(const uint32_t *per, const uint64_t *bm, size_t nstr)
{
	size_t n = 0;

	for (size_t id = 0; id < nstr; id++)
		n += flt_bitmap_test(bm, id) ? per[id] : 0;
	return n;
}

static const char *const filter_cmds[] = {
	"filter ^pkg\\d+\\.mod(?!1\\d\\.)\\d+\\.Class[0-3]\\.",
	"hide-file ^<frozen |/lib/python3(\\.\\d+)?/(?!site-packages/)",
	"min-duration 20ns",
};
#define SEARCH "Class[25]\\.method_\\d*7$"

int main(int argc, char **argv)
{
	size_t calls = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000000;
	size_t names = argc > 2 ? strtoul(argv[2], NULL, 10) : 50000;
	int runs = argc > 3 ? atoi(argv[3]) : 7;
	double ev[64], pa[64], tot[64], se[64], sh[64], st[64], nj[64], ni[64], t0;
	size_t visible = 0, hits = 0, hits2 = 0, nstr, rows = 0;
	uint32_t *per;
	flt_pattern *search = flt_pattern_compile(SEARCH, FLT_PAT_USER, NULL);
	flt_pattern *interp = flt_pattern_compile(SEARCH, FLT_PAT_USER | FLT_PAT_NO_JIT, NULL);
	vtb_trace *t;
	uint64_t *bm;

	if (runs < 1 || runs > 64 || search == NULL || interp == NULL)
		return 2;
	t0 = bench_now_ms();
	t = build_trace(calls, names);
	nstr = vtb_trace_string_count(t);
	bm = calloc(FLT_BITMAP_WORDS(nstr), sizeof(*bm));
	per = calls_per_name(t, nstr);
	printf("trace: %zu calls, %zu names, built and loaded in %.0f ms; pcre2 jit %s\n",
	       vtb_trace_call_count(t), nstr, bench_now_ms() - t0, flt_pattern_jit(search) ? "on" : "off");
	for (int r = 0; r < runs; r++) {
		flt_set *f = flt_set_new();
		an_stats_scope scope = { .filter = f };
		an_stats *s = NULL;

		for (size_t i = 0; i < sizeof(filter_cmds) / sizeof(filter_cmds[0]); i++)
			if (flt_set_command(f, filter_cmds[i], NULL) < 0)
				return 2;
		t0 = bench_now_ms();
		if (flt_set_eval(f, entry_of, t, nstr, NULL) < 0)
			return 2;
		ev[r] = bench_now_ms() - t0;
		visible = pass_calls(t, f);
		pa[r] = bench_now_ms() - t0 - ev[r];
		tot[r] = ev[r] + pa[r];
		t0 = bench_now_ms();
		flt_pattern_eval(search, entry_of, t, nstr, bm, NULL);
		hits = count_bits(t, bm);
		se[r] = bench_now_ms() - t0;
		t0 = bench_now_ms();
		flt_pattern_eval(search, entry_of, t, nstr, bm, NULL);
		hits2 = sum_bits(per, bm, nstr);
		sh[r] = bench_now_ms() - t0;
		t0 = bench_now_ms();
		flt_pattern_eval(search, entry_of, t, nstr, bm, NULL);
		nj[r] = bench_now_ms() - t0;
		t0 = bench_now_ms();
		flt_pattern_eval(interp, entry_of, t, nstr, bm, NULL);
		ni[r] = bench_now_ms() - t0;
		t0 = bench_now_ms();
		if (an_stats_compute(t, &scope, &s, NULL) < 0)
			return 2;
		st[r] = bench_now_ms() - t0;
		rows = s->count;
		an_stats_free(s);
		flt_set_free(f);
	}
	printf("filter (3 commands) over %zu names: eval %.2f ms, pass over calls %.2f ms, "
	       "total %.2f ms (%zu calls pass)\n", nstr, bench_median(ev, runs), bench_median(pa, runs),
	       bench_median(tot, runs), visible);
	printf("search '%s': names + pass over calls %.2f ms (%zu matching calls); names + "
	       "per-name call counts %.2f ms (%zu)\n", SEARCH, bench_median(se, runs), hits,
	       bench_median(sh, runs), hits2);
	printf("one pattern over the names: JIT %.2f ms, interpreter %.2f ms (%.1fx)\n",
	       bench_median(nj, runs), bench_median(ni, runs), bench_median(ni, runs) / bench_median(nj, runs));
	printf("stats with the filter (tree walk, self times, hide subtrees): %.2f ms, %zu rows\n",
	       bench_median(st, runs), rows);
	printf("median of %d runs\n", runs);
	free(bm);
	free(per);
	flt_pattern_free(search);
	flt_pattern_free(interp);
	vtb_trace_free(t);
	return 0;
}
