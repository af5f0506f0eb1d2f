/* SPDX-License-Identifier: MIT */
/* test_json.c: Chrome trace event JSON import and export (common/json_*.c).
 *
 * Real files: every JSON trace VizTracer 1.1 wrote in shared/traces opens, and its calls
 * (per thread, each start and duration) equal what the JSON says, read here independently
 * through cJSON. Round trips: VTB -> JSON -> VTB and JSON -> VTB -> JSON keep every call,
 * counter sample, instant, object snapshot, log record and attachment. Damage: truncation
 * at many offsets, wrong types, missing fields, unbalanced B/E, deep nesting and garbage
 * give clear errors or partial data, never a crash.
 */
#define _GNU_SOURCE /* asprintf */
#include "common/vtb.h"
#include "common/vtb_json.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "tui/convert.h"

/* ---- helpers ---- */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static char *tmp_path(const char *suffix)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char *p;
	static int n;

	ck_assert_int_ge(asprintf(&p, "%s/test_json.%ld.%d%s", dir, (long)getpid(), n++, suffix), 0);
	return p;
}

static void spit(const char *path, const char *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* Load JSON text through a temporary file. */
static vtb_trace *load_text(const char *text, size_t len, vtb_json_report *r, char **cause)
{
	char *p = tmp_path(".json");
	spit(p, text, len);
	memset(r, 0, sizeof(*r));
	*cause = NULL;
	vtb_trace *t = vtb_json_load(p, NULL, NULL, r, cause);
	unlink(p);
	free(p);
	return t;
}

/* The folder of VizTracer's traces: $VTUI_SHARED/traces (or $VTUI_SHARED), else the copy
 * in tests/data/viztracer (so a clone tests alone), else ../shared/traces. */
static const char *traces_dir(void)
{
	static char found[4096];
	const char *env = getenv("VTUI_SHARED");
	char cand[4][4096];
	int n = 0;

	if (env) {
		snprintf(cand[n++], sizeof(cand[0]), "%s/traces", env);
		snprintf(cand[n++], sizeof(cand[0]), "%s", env);
	}
	snprintf(cand[n++], sizeof(cand[0]), "tests/data/viztracer");
	snprintf(cand[n++], sizeof(cand[0]), "../shared/traces");
	for (int i = 0; i < n; i++) {
		char *probe;
		ck_assert_int_ge(asprintf(&probe, "%s/viz_fib.json", cand[i]), 0);
		int ok = access(probe, R_OK) == 0;
		free(probe);
		if (ok) {
			memcpy(found, cand[i], sizeof(found));
			return found;
		}
	}
	ck_abort_msg("shared/traces not found: set VTUI_SHARED to the folder that holds traces/");
	return NULL;
}

static char *trace_file(const char *name)
{
	char *p;
	ck_assert_int_ge(asprintf(&p, "%s/%s", traces_dir(), name), 0);
	return p;
}

static const vtb_thread *find_thread(const vtb_trace *t, uint32_t pid, uint64_t tid)
{
	for (size_t i = 0; i < vtb_trace_thread_count(t); i++) {
		const vtb_thread *th = vtb_trace_thread(t, i);
		if (th->pid == pid && th->tid == tid)
			return th;
	}
	return NULL;
}

static int cmp_u64pair(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;
	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return x[1] < y[1] ? -1 : x[1] > y[1];
}

/* ---- real files ---- */

/* Check every X event of `path` against the model: per thread, the sorted (start, dur)
 * pairs in ns equal, and every slice nests inside one at the depth above. Returns the
 * number of X events. */
static size_t check_against_json(const char *path, const vtb_trace *t)
{
	size_t len, total = 0;
	char *buf = slurp(path, &len);
	cJSON *root = cJSON_ParseWithLength(buf, len);
	ck_assert_msg(root != NULL, "%s does not parse with cJSON", path);
	const cJSON *evs = cJSON_GetObjectItem(root, "traceEvents"), *e;

	for (size_t ti = 0; ti < vtb_trace_thread_count(t); ti++) {
		const vtb_thread *th = vtb_trace_thread(t, ti);
		uint64_t *want = calloc(th->call_count * 2 + 2, sizeof(uint64_t));
		uint64_t *got = calloc(th->call_count * 2 + 2, sizeof(uint64_t));
		size_t n = 0, m = 0;
		cJSON_ArrayForEach(e, evs) {
			const char *ph = cJSON_GetStringValue(cJSON_GetObjectItem(e, "ph"));
			if (!ph || strcmp(ph, "X") || cJSON_GetObjectItem(e, "pid")->valuedouble != th->pid ||
			    cJSON_GetObjectItem(e, "tid")->valuedouble != (double)th->tid)
				continue;
			ck_assert_msg(n < th->call_count, "%s: more X events on %llu than calls", path,
				      (unsigned long long)th->tid);
			want[2 * n] = (uint64_t)llround(cJSON_GetObjectItem(e, "ts")->valuedouble * 1000);
			want[2 * n + 1] = (uint64_t)llround(cJSON_GetObjectItem(e, "dur")->valuedouble * 1000);
			n++;
		}
		ck_assert_uint_eq(n, th->call_count);
		for (uint32_t d = 0; d < th->depth_count; d++) {
			for (size_t i = 0; i < th->rows[d].count; i++) {
				const vtb_slice *s = &th->rows[d].slices[i];
				got[2 * m] = s->start_ns;
				got[2 * m + 1] = s->dur_ns;
				m++;
				ck_assert_uint_eq(s->depth, d);
				if (i)
					ck_assert_uint_ge(s->start_ns, th->rows[d].slices[i - 1].start_ns +
								       th->rows[d].slices[i - 1].dur_ns);
				if (d) { /* inside its parent */
					const vtb_row *up = &th->rows[d - 1];
					size_t k = vtb_row_find(up, s->start_ns);
					ck_assert_uint_lt(k, up->count);
					ck_assert_uint_le(up->slices[k].start_ns, s->start_ns);
					ck_assert_uint_ge(up->slices[k].start_ns + up->slices[k].dur_ns,
							  s->start_ns + s->dur_ns);
				}
			}
		}
		ck_assert_uint_eq(m, n);
		qsort(want, n, 2 * sizeof(uint64_t), cmp_u64pair);
		qsort(got, m, 2 * sizeof(uint64_t), cmp_u64pair);
		for (size_t i = 0; i < n; i++) {
			ck_assert_uint_eq(got[2 * i], want[2 * i]);
			ck_assert_uint_eq(got[2 * i + 1], want[2 * i + 1]);
		}
		total += n;
		free(want);
		free(got);
	}
	cJSON_Delete(root);
	free(buf);
	return total;
}

static vtb_trace *load_ok(const char *path, vtb_json_report *r)
{
	char *cause = NULL;
	memset(r, 0, sizeof(*r));
	vtb_trace *t = vtb_json_load(path, NULL, NULL, r, &cause);
	ck_assert_msg(t != NULL, "%s: %s", path, cause ? cause : "?");
	return t;
}

START_TEST(every_shared_trace_matches_its_json)
{
	DIR *d = opendir(traces_dir());
	struct dirent *de;
	int files = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n < 6 || strcmp(de->d_name + n - 5, ".json"))
			continue;
		char *p = trace_file(de->d_name);
		vtb_json_report r;
		vtb_trace *t = load_ok(p, &r);
		ck_assert_uint_eq(check_against_json(p, t), vtb_trace_call_count(t));
		ck_assert_uint_eq(r.unknown_kinds + r.unbalanced + r.skipped_invalid, 0);
		ck_assert_int_eq(r.partial, 0);
		ck_assert_ptr_null(vtb_trace_damage(t)->first_problem);
		free(r.notes);
		vtb_trace_free(t);
		free(p);
		files++;
	}
	closedir(d);
	ck_assert_int_ge(files, 4);
}
END_TEST

/* The README's facts, by file. */
static const struct {
	const char *file;
	size_t calls, threads, events;
	int wrapped;
} facts[] = {
	{ "viz_features.json", 1513, 3, 1546, 0 },
	{ "viz_args.json", 102, 1, 104, 0 },
	{ "viz_fib.json", 745, 1, 747, 0 },
	{ "viz_wrapped.json", 300, 1, 302, 1 },
};

START_TEST(readme_facts)
{
	char *p = trace_file(facts[_i].file);
	vtb_json_report r;
	vtb_trace *t = load_ok(p, &r);
	const vtb_header *h = vtb_trace_header(t);

	ck_assert_uint_eq(vtb_trace_call_count(t), facts[_i].calls);
	ck_assert_uint_eq(vtb_trace_thread_count(t), facts[_i].threads);
	ck_assert_uint_eq(r.events_read, facts[_i].events);
	ck_assert_uint_eq(h->wrapped, facts[_i].wrapped);
	ck_assert_uint_eq(h->reason, VTB_REASON_IMPORT);
	ck_assert_uint_gt(h->start_wall_ns, 1700000000ull * 1000000000ull); /* baseTimeNanoseconds */
	ck_assert_uint_eq(h->start_mono_ns, h->window_start_ns);
	free(r.notes);
	vtb_trace_free(t);
	free(p);
}
END_TEST

static const vtb_slice *find_call(const vtb_thread *th, const vtb_trace *t, const char *name, uint64_t start,
				  uint32_t *depth, size_t *index)
{
	for (uint32_t d = 0; d < th->depth_count; d++)
		for (size_t i = 0; i < th->rows[d].count; i++) {
			const vtb_slice *s = &th->rows[d].slices[i];
			if (s->start_ns == start && !strcmp(vtb_trace_string(t, s->name_id)->name, name)) {
				*depth = d;
				*index = i;
				return s;
			}
		}
	return NULL;
}

START_TEST(fib_names_flags_and_durations)
{
	char *p = trace_file("viz_fib.json");
	vtb_json_report r;
	vtb_trace *t = load_ok(p, &r);
	const vtb_thread *th = vtb_trace_thread(t, 0);
	uint32_t d;
	size_t i;

	/* {"ts":5811006574.716,"dur":0.40059748648904747,"name":"fib (/tmp/ceo/viz/fibc.py:1)"} */
	const vtb_slice *s = find_call(th, t, "fib", 5811006574716ull, &d, &i);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->dur_ns, 401);
	const vtb_string *str = vtb_trace_string(t, s->name_id);
	ck_assert_str_eq(str->file, "/tmp/ceo/viz/fibc.py");
	ck_assert_uint_eq(str->line, 1);
	ck_assert_uint_eq(s->flags & VTB_CALL_C, 0);
	ck_assert_str_eq(th->name, "MainThread");
	ck_assert_str_eq(vtb_trace_process(t, 0)->name, "MainProcess");
	/* C functions: "builtins.len" has no file and the C flag */
	size_t c_calls = 0, py_calls = 0;
	for (d = 0; d < th->depth_count; d++)
		for (i = 0; i < th->rows[d].count; i++) {
			const vtb_slice *x = &th->rows[d].slices[i];
			const vtb_string *xs = vtb_trace_string(t, x->name_id);
			if (!strncmp(xs->name, "builtins.", 9)) {
				ck_assert_str_eq(xs->file, "");
				ck_assert(x->flags & VTB_CALL_C);
				c_calls++;
			} else if (!strcmp(xs->name, "fib")) {
				py_calls++;
			}
		}
	ck_assert_uint_gt(c_calls, 0);
	/* fib(0) .. fib(11): sum of 2 * F(i+1) - 1 calls */
	ck_assert_uint_eq(py_calls, 2 * (1 + 1 + 2 + 3 + 5 + 8 + 13 + 21 + 34 + 55 + 89 + 144) - 12);
	free(r.notes);
	vtb_trace_free(t);
	free(p);
}
END_TEST

START_TEST(args_become_attachments)
{
	char *p = trace_file("viz_args.json");
	vtb_json_report r;
	vtb_trace *t = load_ok(p, &r);
	const vtb_thread *th = vtb_trace_thread(t, 0);
	uint32_t d;
	size_t i;

	/* {"ts":5817692984.463,"dur":1.30194,"name":"add (<string>:2)",
	 *  "args":{"func_args":{"a":"1","b":"0"},"return_value":"1"}} */
	const vtb_slice *s = find_call(th, t, "add", 5817692984463ull, &d, &i);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->dur_ns, 1302);
	const vtb_attachment *a = vtb_thread_attachment(th, d, i);
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->args, "a=1, b=0");
	ck_assert_str_eq(a->retval, "1");
	ck_assert_str_eq(vtb_trace_string(t, s->name_id)->file, "<string>");
	ck_assert_uint_eq(th->attachment_count, 101); /* builtins.exec has none */
	free(r.notes);
	vtb_trace_free(t);
	free(p);
}
END_TEST

START_TEST(features_marks_counters_threads)
{
	char *p = trace_file("viz_features.json");
	vtb_json_report r;
	vtb_trace *t = load_ok(p, &r);
	const vtb_thread *main_th = find_thread(t, 20883, 20883);
	size_t kinds[3] = { 0 };

	ck_assert_ptr_nonnull(main_th);
	ck_assert_str_eq(find_thread(t, 20883, 20927)->name, "worker-0");
	ck_assert_str_eq(find_thread(t, 20883, 20928)->name, "worker-1");
	ck_assert_uint_eq(find_thread(t, 20883, 20927)->call_count, 168);
	ck_assert_uint_eq(find_thread(t, 20883, 20928)->call_count, 168);
	ck_assert_uint_eq(main_th->call_count, 1177);
	for (size_t i = 0; i < main_th->mark_count; i++) {
		const vtb_mark *m = &main_th->marks[i];
		kinds[m->kind]++;
		if (i)
			ck_assert_uint_ge(m->ts_ns, main_th->marks[i - 1].ts_ns);
		if (m->kind == VTB_MARK_LOG && m->ts_ns == 5817277489056ull)
			ck_assert_str_eq(m->text, "caught failure");
		if (m->kind == VTB_MARK_INSTANT && m->ts_ns == 5817277079295ull) {
			ck_assert_str_eq(vtb_trace_string(t, m->name_id)->name, "checkpoint");
			ck_assert_str_eq(m->text, "step=0");
		}
		if (m->kind == VTB_MARK_OBJECT && m->ts_ns == 5817276885316ull)
			ck_assert_str_eq(m->text, "phase=step0");
	}
	ck_assert_uint_eq(kinds[VTB_MARK_INSTANT], 5);
	ck_assert_uint_eq(kinds[VTB_MARK_LOG], 7);
	ck_assert_uint_eq(kinds[VTB_MARK_OBJECT], 7); /* N, 5 O, D */
	ck_assert_uint_eq(vtb_trace_counter_count(t), 2);
	for (size_t i = 0; i < 2; i++) {
		const vtb_counter *c = vtb_trace_counter(t, i);
		const char *series = vtb_trace_string(t, c->series_id)->name;
		ck_assert_str_eq(vtb_trace_string(t, c->name_id)->name, "progress");
		ck_assert_uint_eq(c->count, !strcmp(series, "done") ? 10 : 9);
		ck_assert(!strcmp(series, "done") || !strcmp(series, "remaining"));
		ck_assert_double_eq(c->samples[0].value, !strcmp(series, "done") ? 0 : 5);
	}
	free(r.notes);
	vtb_trace_free(t);
	free(p);
}
END_TEST

/* ---- round trips ---- */

static int str_same(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

static void same_string(const vtb_trace *a, uint32_t ia, const vtb_trace *b, uint32_t ib)
{
	const vtb_string *x = vtb_trace_string(a, ia), *y = vtb_trace_string(b, ib);
	ck_assert_str_eq(x->name, y->name);
	ck_assert_str_eq(x->file, y->file);
	ck_assert_uint_eq(x->line, y->line);
}

static void same_thread(const vtb_trace *a, const vtb_thread *x, const vtb_trace *b, const vtb_thread *y)
{
	ck_assert_msg(str_same(x->name, y->name), "thread name %s != %s", x->name, y->name);
	ck_assert_uint_eq(x->call_count, y->call_count);
	ck_assert_uint_eq(x->depth_count, y->depth_count);
	for (uint32_t d = 0; d < x->depth_count; d++) {
		ck_assert_uint_eq(x->rows[d].count, y->rows[d].count);
		for (size_t i = 0; i < x->rows[d].count; i++) {
			const vtb_slice *s = &x->rows[d].slices[i], *r = &y->rows[d].slices[i];
			ck_assert_uint_eq(s->start_ns, r->start_ns);
			ck_assert_uint_eq(s->dur_ns, r->dur_ns);
			ck_assert_uint_eq(s->flags, r->flags);
			same_string(a, s->name_id, b, r->name_id);
		}
	}
	ck_assert_uint_eq(x->mark_count, y->mark_count);
	for (size_t i = 0; i < x->mark_count; i++) {
		const vtb_mark *m = &x->marks[i], *n = &y->marks[i];
		ck_assert_uint_eq(m->ts_ns, n->ts_ns);
		ck_assert_uint_eq(m->kind, n->kind);
		ck_assert_uint_eq(m->level, n->level);
		ck_assert_msg(str_same(m->text, n->text), "mark text [%s] != [%s]", m->text, n->text);
		same_string(a, m->name_id, b, n->name_id);
	}
	ck_assert_uint_eq(x->attachment_count, y->attachment_count);
	for (size_t i = 0; i < x->attachment_count; i++) {
		const vtb_attachment *p = &x->attachments[i], *q = &y->attachments[i];
		ck_assert_uint_eq(p->depth, q->depth);
		ck_assert_uint_eq(p->index, q->index);
		ck_assert_msg(!p->args == !q->args && str_same(p->args, q->args), "args [%s] != [%s]", p->args, q->args);
		ck_assert_msg(!p->retval == !q->retval && str_same(p->retval, q->retval), "retval [%s] != [%s]",
			      p->retval, q->retval);
	}
	ck_assert_uint_eq(x->task_step_count, y->task_step_count);
	for (size_t i = 0; i < x->task_step_count; i++) {
		const vtb_task_step *p = &x->task_steps[i], *q = &y->task_steps[i];
		ck_assert_uint_eq(p->depth, q->depth);
		ck_assert_uint_eq(p->index, q->index);
		ck_assert_uint_eq(p->task, q->task);
		ck_assert_str_eq(p->name, q->name);
	}
}

static const vtb_counter *find_counter(const vtb_trace *t, const vtb_trace *of, const vtb_counter *c)
{
	for (size_t i = 0; i < vtb_trace_counter_count(t); i++) {
		const vtb_counter *x = vtb_trace_counter(t, i);
		if (x->pid == c->pid &&
		    !strcmp(vtb_trace_string(t, x->name_id)->name, vtb_trace_string(of, c->name_id)->name) &&
		    !strcmp(vtb_trace_string(t, x->series_id)->name, vtb_trace_string(of, c->series_id)->name))
			return x;
	}
	return NULL;
}

/* Everything the model holds, compared by content (ids and thread order may differ). */
static void same_trace(const vtb_trace *a, const vtb_trace *b)
{
	const vtb_header *h = vtb_trace_header(a), *g = vtb_trace_header(b);

	ck_assert_uint_eq(h->pid, g->pid);
	ck_assert_uint_eq(h->start_wall_ns, g->start_wall_ns);
	ck_assert_uint_eq(h->start_mono_ns, g->start_mono_ns);
	ck_assert_uint_eq(h->dump_ns, g->dump_ns);
	ck_assert_uint_eq(h->wrapped, g->wrapped);
	ck_assert_uint_eq(h->reason, g->reason);
	ck_assert(str_same(h->reason_text, g->reason_text));
	ck_assert(str_same(h->cmdline, g->cmdline));
	ck_assert_uint_eq(vtb_trace_call_count(a), vtb_trace_call_count(b));
	ck_assert_uint_eq(vtb_trace_thread_count(a), vtb_trace_thread_count(b));
	for (size_t i = 0; i < vtb_trace_thread_count(a); i++) {
		const vtb_thread *x = vtb_trace_thread(a, i);
		const vtb_thread *y = find_thread(b, x->pid, x->tid);
		ck_assert_msg(y != NULL, "thread %u/%llu lost", x->pid, (unsigned long long)x->tid);
		same_thread(a, x, b, y);
	}
	ck_assert_uint_eq(vtb_trace_counter_count(a), vtb_trace_counter_count(b));
	for (size_t i = 0; i < vtb_trace_counter_count(a); i++) {
		const vtb_counter *c = vtb_trace_counter(a, i), *e = find_counter(b, a, c);
		ck_assert_ptr_nonnull(e);
		ck_assert_uint_eq(c->count, e->count);
		for (size_t k = 0; k < c->count; k++) {
			ck_assert_uint_eq(c->samples[k].ts_ns, e->samples[k].ts_ns);
			double u = c->samples[k].value, v = e->samples[k].value;
			ck_assert_msg((isnan(u) && isnan(v)) || u == v, "sample %g != %g", u, v);
		}
	}
	ck_assert_uint_eq(vtb_trace_process_count(a), vtb_trace_process_count(b));
	for (size_t i = 0; i < vtb_trace_process_count(a); i++)
		ck_assert(str_same(vtb_trace_process(a, i)->name, vtb_trace_process(b, i)->name));
}

/* A trace with every kind of thing and the awkward cases: equal times, zero durations,
 * flags, texts that are and are not k=v pairs, quotes, newlines, UTF-8, NaN counters,
 * and clocks past 2^52 ns. */
static vtb_trace *make_rich(uint64_t base)
{
	vtb_header h = { .pid = 7, .ppid = 1, .cmdline = "python app.py --x \"y\"", .python_version = "3.11.7",
			 .reason = VTB_REASON_EXCEPTION, .reason_text = "ValueError: boom",
			 .start_wall_ns = 1790000000123456789ull, .start_mono_ns = base, .window_start_ns = base,
			 .dump_ns = base + 100000, .ring_capacity = 4096, .events_dropped = 12, .wrapped = 1 };
	vtb_writer *w = vtb_writer_open_mem(&h);
	int64_t f_main = vtb_writer_string(w, "main", "/app/a.py", 1);
	int64_t f_work = vtb_writer_string(w, "Worker.run", "/app/w.py", 20);
	int64_t f_len = vtb_writer_string(w, "builtins.len", "", 0);
	int64_t f_span = vtb_writer_string(w, "span: load ü", "", 0);
	int64_t n_ctr = vtb_writer_string(w, "memory", "", 0);
	int64_t s_rss = vtb_writer_string(w, "rss", "", 0);
	int64_t s_odd = vtb_writer_string(w, "odd", "", 0);
	int64_t n_inst = vtb_writer_string(w, "checkpoint", "", 0);
	int64_t n_log = vtb_writer_string(w, "app.db", "", 0);
	int64_t n_obj = vtb_writer_string(w, "state", "", 0);
	ck_assert_int_ge(n_obj, 0);
	ck_assert_int_eq(vtb_writer_process(w, 7, 1, "MainProcess"), 0);
	ck_assert_int_eq(vtb_writer_process(w, 8, 7, NULL), 0);
	ck_assert_int_eq(vtb_writer_thread(w, 7, 7, "MainThread"), 0);
	ck_assert_int_eq(vtb_writer_thread(w, 7, 140001, "worker \"1\""), 1);
	ck_assert_int_eq(vtb_writer_thread(w, 8, 8, NULL), 2);
	uint64_t b = base;
	/* thread 0: main [0,1000) { len [0,0) len [0,10) { span [5,10) } work [10,10) work [500,900) } */
	ck_assert_int_eq(vtb_writer_begin(w, 0, b, (uint32_t)f_main, 0), 0);
	ck_assert_int_eq(vtb_writer_args(w, 0, "argv=['a', 'b'], n=3"), 0);
	ck_assert_int_eq(vtb_writer_counter(w, 0, b, (uint32_t)n_ctr, (uint32_t)s_rss, 1.5e9), 0);
	ck_assert_int_eq(vtb_writer_begin(w, 0, b, (uint32_t)f_len, VTB_CALL_C), 0);
	ck_assert_int_eq(vtb_writer_end(w, 0, b, 0), 0);
	ck_assert_int_eq(vtb_writer_retval(w, 0, "0"), 0);
	ck_assert_int_eq(vtb_writer_begin(w, 0, b, (uint32_t)f_len, VTB_CALL_C), 0);
	ck_assert_int_eq(vtb_writer_args(w, 0, ""), 0);
	ck_assert_int_eq(vtb_writer_begin(w, 0, b + 5, (uint32_t)f_span, VTB_CALL_SPAN), 0);
	ck_assert_int_eq(vtb_writer_instant(w, 0, b + 6, (uint32_t)n_inst, "step=1, note=a, b=c"), 0);
	ck_assert_int_eq(vtb_writer_instant(w, 0, b + 6, (uint32_t)n_inst, "not pairs: \"quoted\"\nline"), 0);
	ck_assert_int_eq(vtb_writer_instant(w, 0, b + 7, (uint32_t)n_inst, NULL), 0);
	ck_assert_int_eq(vtb_writer_end(w, 0, b + 10, 0), 0);
	ck_assert_int_eq(vtb_writer_end(w, 0, b + 10, 0), 0);
	ck_assert_int_eq(vtb_writer_retval(w, 0, "a string with = and , in it"), 0);
	ck_assert_int_eq(vtb_writer_begin(w, 0, b + 10, (uint32_t)f_work, 0), 0);
	ck_assert_int_eq(vtb_writer_task(w, 0, 1, "alpha"), 0); /* asyncio task steps */
	ck_assert_int_eq(vtb_writer_end(w, 0, b + 10, 0), 0);
	ck_assert_int_eq(vtb_writer_log(w, 0, b + 200, 40, (uint32_t)n_log, "disk full: 100% used"), 0);
	ck_assert_int_eq(vtb_writer_object(w, 0, b + 300, (uint32_t)n_obj, "phase=step0, items=[1, 2]"), 0);
	ck_assert_int_eq(vtb_writer_object(w, 0, b + 301, (uint32_t)n_obj, "<object at 0x1>"), 0);
	ck_assert_int_eq(vtb_writer_counter(w, 0, b + 400, (uint32_t)n_ctr, (uint32_t)s_rss, 1.25e9 + 0.1), 0);
	ck_assert_int_eq(vtb_writer_counter(w, 0, b + 400, (uint32_t)n_ctr, (uint32_t)s_odd, NAN), 0);
	ck_assert_int_eq(vtb_writer_counter(w, 0, b + 401, (uint32_t)n_ctr, (uint32_t)s_odd, -INFINITY), 0);
	ck_assert_int_eq(vtb_writer_begin(w, 0, b + 500, (uint32_t)f_work, VTB_CALL_EXCEPTION), 0);
	ck_assert_int_eq(vtb_writer_task(w, 0, 0xfedcba9876543210ull, "Task-\"7\" \xc3\xbc"), 0);
	ck_assert_int_eq(vtb_writer_end(w, 0, b + 900, 0), 0);
	ck_assert_int_eq(vtb_writer_end(w, 0, b + 1000, 0), 0);
	/* thread 1: an open call; thread 2 (another process): a lost entry */
	ck_assert_int_eq(vtb_writer_begin(w, 1, b + 50, (uint32_t)f_work, 0), 0);
	ck_assert_int_eq(vtb_writer_task(w, 1, 1, "alpha"), 0);
	ck_assert_int_eq(vtb_writer_log(w, 1, b + 60, 10, (uint32_t)n_log, ""), 0);
	ck_assert_int_eq(vtb_writer_begin(w, 2, b, (uint32_t)f_main, VTB_CALL_ENTRY_LOST), 0);
	ck_assert_int_eq(vtb_writer_end(w, 2, b + 99999, 0), 0);
	char *cause = NULL;
	ck_assert_int_eq(vtb_writer_finish(w, &cause), 0);
	size_t len;
	const uint8_t *bytes = vtb_writer_mem(w, &len);
	vtb_trace *t = vtb_trace_load_mem(bytes, len, 0, &cause);
	ck_assert_msg(t != NULL, "%s", cause);
	vtb_writer_free(w);
	return t;
}

static vtb_trace *via_json(const vtb_trace *t, const char *suffix)
{
	char *p = tmp_path(suffix), *cause = NULL;
	vtb_json_report r;

	ck_assert_msg(vtb_json_export(t, p, NULL, NULL, &cause) == 0, "%s", cause);
	memset(&r, 0, sizeof(r));
	vtb_trace *back = vtb_json_load(p, NULL, NULL, &r, &cause);
	ck_assert_msg(back != NULL, "%s", cause);
	ck_assert_msg(r.notes == NULL, "notes: %s", r.notes);
	unlink(p);
	free(p);
	return back;
}

static const uint64_t bases[] = { 1000, 5811006567986ull, (1ull << 52) + 123456789ull,
				 (1ull << 62) - 1000000000ull }; /* the last times the format holds */

START_TEST(vtb_json_vtb_round_trip)
{
	vtb_trace *t = make_rich(bases[_i]);
	ck_assert_uint_eq(vtb_trace_call_count(t), 8);

	vtb_trace *back = via_json(t, ".json");
	same_trace(t, back);
	vtb_trace *back_gz = via_json(back, ".json.gz");
	same_trace(t, back_gz);
	/* and through a VTB file */
	char *p = tmp_path(".vtb"), *cause = NULL;
	ck_assert_msg(vtb_trace_save(back_gz, p, &cause) == 0, "%s", cause);
	vtb_trace *saved = vtb_trace_load(p, 0, NULL, NULL, &cause);
	ck_assert_msg(saved != NULL, "%s", cause);
	same_trace(t, saved);
	unlink(p);
	free(p);
	vtb_trace_free(saved);
	vtb_trace_free(back_gz);
	vtb_trace_free(back);
	vtb_trace_free(t);
}
END_TEST

/* VizTracer JSON -> VTB -> JSON -> model: the same as the first import. */
START_TEST(json_vtb_json_round_trip)
{
	char *p = trace_file(facts[_i].file), *bin = tmp_path(".bin"), *cause = NULL;
	vtb_json_report r;
	vtb_trace *t = load_ok(p, &r);

	ck_assert_msg(vtb_trace_save(t, bin, &cause) == 0, "%s", cause);
	vtb_trace *fromvtb = vtb_trace_load(bin, 0, NULL, NULL, &cause);
	ck_assert_msg(fromvtb != NULL, "%s", cause);
	same_trace(t, fromvtb);
	vtb_trace *back = via_json(fromvtb, ".json");
	same_trace(t, back);
	unlink(bin);
	free(bin);
	free(r.notes);
	vtb_trace_free(back);
	vtb_trace_free(fromvtb);
	vtb_trace_free(t);
	free(p);
}
END_TEST

/* The export is JSON that cJSON reads whole, names written as VizTracer writes them. */
START_TEST(export_is_viztracer_shaped)
{
	vtb_trace *t = make_rich(5811006567986ull);
	char *p = tmp_path(".json"), *cause = NULL;
	size_t len;

	ck_assert_int_eq(vtb_json_export(t, p, NULL, NULL, &cause), 0);
	char *text = slurp(p, &len);
	cJSON *root = cJSON_Parse(text);
	ck_assert_ptr_nonnull(root);
	const cJSON *evs = cJSON_GetObjectItem(root, "traceEvents"), *e;
	int x = 0, named = 0, c_named = 0, logs = 0;
	cJSON_ArrayForEach(e, evs) {
		const char *ph = cJSON_GetStringValue(cJSON_GetObjectItem(e, "ph"));
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(e, "name"));
		ck_assert_ptr_nonnull(ph);
		x += !strcmp(ph, "X");
		named += name && !strcmp(name, "main (/app/a.py:1)");
		c_named += name && !strcmp(name, "builtins.len");
		logs += name && !strcmp(name, "logging - disk full: 100% used");
	}
	ck_assert_int_eq(x, 8);
	ck_assert_int_eq(named, 2);
	ck_assert_int_eq(c_named, 2);
	ck_assert_int_eq(logs, 1);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "viztracer_metadata"), "overflow")));
	cJSON_Delete(root);
	free(text);
	unlink(p);
	free(p);
	vtb_trace_free(t);
}
END_TEST

/* ---- damaged and hostile input ---- */

struct bad_case {
	const char *json;
	int loads;                 /* 1: a trace comes back */
	size_t calls, invalid, unknown, unbalanced;
	const char *says;          /* in the cause (failure) or the notes (success) */
};

static const struct bad_case bad_cases[] = {
	{ "", 0, 0, 0, 0, 0, "empty" },
	{ "   \n  ", 0, 0, 0, 0, 0, "empty" },
	{ "hello", 0, 0, 0, 0, 0, "expected '{' or '['" },
	{ "{}", 0, 0, 0, 0, 0, "no traceEvents" },
	{ "{\"foo\": [1, 2, {\"a\": \"}\"}]}", 0, 0, 0, 0, 0, "no traceEvents" },
	{ "{\"traceEvents\": 5}", 0, 0, 0, 0, 0, "not an array" },
	{ "{\"traceEvents\": [", 0, 0, 0, 0, 0, "end of file" },
	{ "{\"traceEvents\": [{\"ph\":\"X\",", 0, 0, 0, 0, 0, "line 1, column 28 (byte 27)" },
	{ "{\"traceEvents\":\n[\n{\"ph\": \"X\" \"ts\": 1}]}", 0, 0, 0, 0, 0, "line 3, column 12 (byte 29): invalid JSON" },
	{ "{\"traceEvents\": []}", 1, 0, 0, 0, 0, NULL },
	{ "[]", 1, 0, 0, 0, 0, NULL },
	/* the bare array form may stay unterminated */
	{ "[{\"ph\":\"X\",\"ts\":1,\"dur\":2,\"name\":\"f\",\"pid\":1,\"tid\":1},", 1, 1, 0, 0, 0, NULL },
	{ "[{\"ph\":\"X\",\"ts\":1,\"dur\":2,\"name\":\"f\",\"pid\":1,\"tid\":1}", 1, 1, 0, 0, 0, NULL },
	/* wrong types and missing fields: skipped and counted */
	{ "[{\"ph\":\"X\",\"ts\":\"abc\",\"dur\":1,\"name\":\"f\",\"pid\":1,\"tid\":1}]", 1, 0, 1, 0, 0, "ts" },
	{ "[{\"ph\":\"X\",\"ts\":-5,\"dur\":1,\"name\":\"f\",\"pid\":1,\"tid\":1}]", 1, 0, 1, 0, 0, "ts" },
	{ "[{\"ph\":\"X\",\"ts\":5,\"name\":\"f\",\"pid\":1,\"tid\":1}]", 1, 0, 1, 0, 0, "no dur" },
	{ "[{\"ph\":\"X\",\"ts\":5,\"dur\":-1,\"name\":\"f\",\"pid\":1,\"tid\":1}]", 1, 0, 1, 0, 0, "dur" },
	{ "[{\"ph\":\"X\",\"ts\":5,\"dur\":1,\"name\":7,\"pid\":1,\"tid\":1}]", 1, 0, 1, 0, 0, "name" },
	{ "[{\"ph\":\"X\",\"ts\":5,\"dur\":1,\"pid\":1,\"tid\":1}]", 1, 0, 1, 0, 0, "no name" },
	{ "[{\"ph\":\"X\",\"ts\":5,\"dur\":1,\"name\":\"f\",\"pid\":\"x\",\"tid\":1}]", 1, 0, 1, 0, 0, "pid" },
	{ "[{\"ph\":\"X\",\"ts\":5,\"dur\":1,\"name\":\"f\",\"pid\":1.5,\"tid\":1}]", 1, 0, 1, 0, 0, "pid" },
	{ "[{\"ts\":5,\"dur\":1,\"name\":\"f\"}]", 1, 0, 1, 0, 0, "no ph" },
	{ "[{\"ph\":7}, {\"ph\":\"XX\"}, 5, \"x\", null, [1]]", 1, 0, 6, 0, 0, "6 invalid events" },
	{ "[{\"ph\":\"X\",\"ts\":1e300,\"dur\":1,\"name\":\"f\",\"pid\":1,\"tid\":1}]", 1, 0, 1, 0, 0, "ts" },
	{ "[{\"ph\":\"C\",\"ts\":1,\"name\":\"c\",\"pid\":1,\"args\":5}]", 1, 0, 1, 0, 0, "args" },
	{ "[{\"ph\":\"C\",\"ts\":1,\"name\":\"c\",\"pid\":1,\"args\":{\"a\":\"x\",\"b\":2}}]", 1, 0, 0, 0, 0,
	  "1 counter values were not numbers" },
	{ "[{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":1,\"args\":{}}]", 1, 0, 1, 0, 0, "args.name" },
	/* missing ids: a call needs pid and tid; a counter or instant may be per process */
	{ "[{\"ph\":\"X\",\"ts\":1,\"dur\":2,\"name\":\"f\"},{\"ph\":\"C\",\"ts\":1,\"name\":\"c\",\"pid\":1,"
	  "\"args\":{\"v\":1}},{\"ph\":\"i\",\"s\":\"g\",\"ts\":1,\"name\":\"g\",\"pid\":1}]", 1, 1, 0, 0, 0,
	  "1 events had no pid or tid" },
	/* unknown kinds */
	{ "[{\"ph\":\"s\",\"ts\":1,\"pid\":1,\"tid\":1,\"name\":\"flow\",\"id\":1},"
	  "{\"ph\":\"f\",\"ts\":2,\"pid\":1,\"tid\":1,\"name\":\"flow\",\"id\":1},"
	  "{\"ph\":\"P\",\"ts\":3,\"pid\":1,\"tid\":1}]", 1, 0, 0, 3, 0, "'P' x1, 'f' x1, 's' x1" },
	/* task steps: a vtb_task that is not {id, name} keeps the call, with a note; the async
	 * slices vtui writes for steps (cat "asyncio task") are passed over, others counted */
	{ "[{\"ph\":\"X\",\"ts\":1,\"dur\":2,\"name\":\"f\",\"pid\":1,\"tid\":1,\"vtb_task\":{\"id\":-1,\"name\":\"a\"}},"
	  "{\"ph\":\"X\",\"ts\":4,\"dur\":2,\"name\":\"f\",\"pid\":1,\"tid\":1,\"vtb_task\":\"a\"}]", 1, 2, 0, 0, 0,
	  "2 calls had a vtb_task that is not" },
	{ "[{\"ph\":\"b\",\"ts\":1,\"pid\":1,\"tid\":1,\"cat\":\"asyncio task\",\"id\":\"0x7\",\"name\":\"a\"},"
	  "{\"ph\":\"e\",\"ts\":2,\"pid\":1,\"tid\":1,\"cat\":\"asyncio task\",\"id\":\"0x7\",\"name\":\"a\"},"
	  "{\"ph\":\"b\",\"ts\":1,\"pid\":1,\"tid\":1,\"cat\":\"net\",\"id\":\"0x7\",\"name\":\"a\"}]", 1, 0, 0, 1, 0,
	  "'b' x1" },
	/* unbalanced B/E */
	{ "[{\"ph\":\"E\",\"ts\":1,\"pid\":1,\"tid\":1}]", 1, 0, 0, 0, 1, "no open begin" },
	{ "[{\"ph\":\"B\",\"ts\":1,\"name\":\"a\",\"pid\":1,\"tid\":1},"
	  "{\"ph\":\"i\",\"ts\":9,\"name\":\"late\",\"pid\":1,\"tid\":1}]", 1, 1, 0, 0, 1, "never ended" },
	{ "[{\"ph\":\"B\",\"ts\":1,\"name\":\"a\",\"pid\":1,\"tid\":1},{\"ph\":\"B\",\"ts\":2,\"name\":\"b\",\"pid\":1,\"tid\":1},"
	  "{\"ph\":\"E\",\"ts\":3,\"pid\":1,\"tid\":1},{\"ph\":\"E\",\"ts\":4,\"pid\":1,\"tid\":1},"
	  "{\"ph\":\"E\",\"ts\":5,\"pid\":1,\"tid\":1}]", 1, 2, 0, 0, 1, "no open begin" },
	/* overlapping complete events that do not nest: the inner is cut */
	{ "[{\"ph\":\"X\",\"ts\":0,\"dur\":10,\"name\":\"a\",\"pid\":1,\"tid\":1},"
	  "{\"ph\":\"X\",\"ts\":5,\"dur\":10,\"name\":\"b\",\"pid\":1,\"tid\":1}]", 1, 2, 0, 0, 0, "cut at the parent" },
	/* a good event, then garbage: partial */
	{ "{\"traceEvents\":[{\"ph\":\"X\",\"ts\":1,\"dur\":2,\"name\":\"f\",\"pid\":1,\"tid\":1}, garbage]}", 1, 1, 0, 0, 0,
	  "stops early" },
	{ "{\"traceEvents\":[{\"ph\":\"X\",\"ts\":1,\"dur\":2,\"name\":\"f\",\"pid\":1,\"tid\":1}]} trailing", 1, 1, 0, 0, 0,
	  "after the end" },
	{ "{\"traceEvents\":[{\"ph\":\"X\",\"ts\":1,\"dur\":2,\"name\":\"f\",\"pid\":1,\"tid\":1}], \"x\": [}", 1, 1, 0, 0, 0,
	  "mismatched bracket" },
	{ "{\"traceEvents\":[{\"ph\":\"X\",\"ts\":1,\"dur\":2,\"name\":\"f\",\"pid\":1,\"tid\":1}", 1, 1, 0, 0, 0,
	  "stops early" },
	/* bytes that are not UTF-8, and NUL escapes, in names */
	{ "[{\"ph\":\"X\",\"ts\":1,\"dur\":2,\"name\":\"\xff\xfe bad \\u0000 x\",\"pid\":1,\"tid\":1}]", 1, 1, 0, 0, 0, NULL },
};

START_TEST(bad_input_table)
{
	const struct bad_case *c = &bad_cases[_i];
	vtb_json_report r;
	char *cause = NULL;
	vtb_trace *t = load_text(c->json, strlen(c->json), &r, &cause);

	if (!c->loads) {
		ck_assert_msg(t == NULL, "case %d loaded", _i);
		ck_assert_ptr_nonnull(cause);
		ck_assert_msg(strstr(cause, c->says), "case %d: cause [%s] lacks [%s]", _i, cause, c->says);
		free(cause);
		return;
	}
	ck_assert_msg(t != NULL, "case %d: %s", _i, cause);
	ck_assert_uint_eq(vtb_trace_call_count(t), c->calls);
	ck_assert_uint_eq(r.skipped_invalid, c->invalid);
	ck_assert_uint_eq(r.unknown_kinds, c->unknown);
	ck_assert_uint_eq(r.unbalanced, c->unbalanced);
	if (c->says)
		ck_assert_msg(r.notes && strstr(r.notes, c->says), "case %d: notes [%s] lack [%s]", _i, r.notes, c->says);
	else
		ck_assert_msg(!r.notes, "case %d: notes [%s]", _i, r.notes);
	free(r.notes);
	vtb_trace_free(t);
}
END_TEST

/* B/E pairs nest, take their args (B) and return value (E), and mix with X events. */
START_TEST(begin_end_pairs)
{
	static const char json[] =
		"{\"traceEvents\":["
		"{\"ph\":\"B\",\"ts\":10,\"name\":\"outer\",\"pid\":3,\"tid\":4,\"args\":{\"func_args\":{\"x\":\"1\"}}},"
		"{\"ph\":\"X\",\"ts\":11,\"dur\":1,\"name\":\"inner (/f.py:9)\",\"pid\":3,\"tid\":4},"
		"{\"ph\":\"B\",\"ts\":13,\"name\":\"second\",\"pid\":3,\"tid\":4},"
		"{\"ph\":\"E\",\"ts\":15,\"pid\":3,\"tid\":4,\"args\":{\"return_value\":\"42\"}},"
		"{\"ph\":\"E\",\"ts\":20,\"pid\":3,\"tid\":4}]}";
	vtb_json_report r;
	char *cause = NULL;
	vtb_trace *t = load_text(json, sizeof(json) - 1, &r, &cause);

	ck_assert_msg(t != NULL, "%s", cause);
	ck_assert_ptr_null(r.notes);
	const vtb_thread *th = find_thread(t, 3, 4);
	ck_assert_uint_eq(th->depth_count, 2);
	ck_assert_uint_eq(th->rows[0].count, 1);
	ck_assert_uint_eq(th->rows[0].slices[0].start_ns, 10000);
	ck_assert_uint_eq(th->rows[0].slices[0].dur_ns, 10000);
	ck_assert_uint_eq(th->rows[1].count, 2);
	ck_assert_str_eq(vtb_trace_string(t, th->rows[1].slices[0].name_id)->file, "/f.py");
	ck_assert_uint_eq(th->rows[1].slices[1].dur_ns, 2000);
	ck_assert_str_eq(vtb_thread_attachment(th, 0, 0)->args, "x=1");
	ck_assert_str_eq(vtb_thread_attachment(th, 1, 1)->retval, "42");
	vtb_trace_free(t);
}
END_TEST

/* Equal starts: the longer call is the parent, whatever the file order; equal start and
 * end: file order decides. Float microseconds round to the nearest nanosecond. */
START_TEST(equal_times_and_rounding)
{
	static const char json[] =
		"[{\"ph\":\"X\",\"ts\":1.0004,\"dur\":0.0016,\"name\":\"child\",\"pid\":1,\"tid\":1},"
		"{\"ph\":\"X\",\"ts\":1.0004,\"dur\":0.0036,\"name\":\"parent\",\"pid\":1,\"tid\":1},"
		"{\"ph\":\"X\",\"ts\":0.1,\"dur\":0.0005,\"name\":\"first\",\"pid\":1,\"tid\":1},"
		"{\"ph\":\"X\",\"ts\":0.1,\"dur\":0.0005,\"name\":\"second\",\"pid\":1,\"tid\":1}]";
	vtb_json_report r;
	char *cause = NULL;
	vtb_trace *t = load_text(json, sizeof(json) - 1, &r, &cause);

	ck_assert_msg(t != NULL, "%s", cause);
	const vtb_thread *th = vtb_trace_thread(t, 0);
	ck_assert_uint_eq(th->depth_count, 2);
	ck_assert_str_eq(vtb_trace_string(t, th->rows[0].slices[0].name_id)->name, "first");
	ck_assert_str_eq(vtb_trace_string(t, th->rows[1].slices[0].name_id)->name, "second");
	ck_assert_str_eq(vtb_trace_string(t, th->rows[0].slices[1].name_id)->name, "parent");
	ck_assert_str_eq(vtb_trace_string(t, th->rows[1].slices[1].name_id)->name, "child");
	ck_assert_uint_eq(th->rows[0].slices[0].start_ns, 100);
	ck_assert_uint_eq(th->rows[0].slices[0].dur_ns, 1); /* 0.5 ns rounds away from zero */
	ck_assert_uint_eq(th->rows[0].slices[1].start_ns, 1000); /* 1000.4 */
	ck_assert_uint_eq(th->rows[0].slices[1].dur_ns, 4);      /* 3.6 */
	ck_assert_uint_eq(th->rows[1].slices[1].dur_ns, 2);      /* 1.6 */
	free(r.notes);
	vtb_trace_free(t);
}
END_TEST

/* Every prefix of a real file (in steps) loads partially or fails cleanly. */
START_TEST(truncated_at_many_offsets)
{
	char *p = trace_file(_i ? "viz_args.json" : "viz_fib.json");
	size_t len, full_calls = _i ? 102 : 745, loaded = 0, failed = 0, prev = 0;
	char *text = slurp(p, &len);

	for (size_t cut = 0; cut < len; cut += cut < 400 ? 1 : 97) {
		vtb_json_report r;
		char *cause = NULL;
		vtb_trace *t = load_text(text, cut, &r, &cause);
		if (!t) {
			ck_assert_msg(cause && strstr(cause, "byte"), "cut %zu: cause [%s]", cut, cause);
			free(cause);
			failed++;
			continue;
		}
		size_t calls = vtb_trace_call_count(t);
		ck_assert_uint_le(calls, full_calls);
		ck_assert_uint_ge(calls, prev); /* a longer prefix never loads less */
		prev = calls;
		ck_assert_int_eq(r.partial, 1);
		ck_assert_ptr_nonnull(strstr(r.notes, "stops early"));
		ck_assert_int_eq(vtb_trace_damage(t)->truncated, 1);
		ck_assert_ptr_nonnull(strstr(vtb_trace_damage(t)->first_problem, "byte"));
		free(r.notes);
		vtb_trace_free(t);
		loaded++;
	}
	ck_assert_uint_gt(loaded, 100);
	ck_assert_uint_gt(failed, 50);
	ck_assert_uint_gt(prev, full_calls - 20);
	free(text);
	free(p);
}
END_TEST

/* Nesting deeper than cJSON takes: inside an event it stops the import with the offset;
 * inside a member nobody reads it streams past. */
START_TEST(deep_nesting)
{
	size_t depth = 200000, n = 0;
	char *buf = malloc(depth * 2 + 512);
	vtb_json_report r;
	char *cause = NULL;

	n += (size_t)sprintf(buf, "{\"file_info\":");
	memset(buf + n, '[', depth);
	memset(buf + n + depth, ']', depth);
	n += 2 * depth;
	n += (size_t)sprintf(buf + n, ",\"traceEvents\":[{\"ph\":\"i\",\"ts\":1,\"name\":\"x\",\"pid\":1,\"tid\":1}]}");
	vtb_trace *t = load_text(buf, n, &r, &cause);
	ck_assert_msg(t != NULL, "%s", cause);
	ck_assert_uint_eq(vtb_trace_event_count(t), 1);
	free(r.notes);
	vtb_trace_free(t);

	n = (size_t)sprintf(buf, "[{\"ph\":\"i\",\"ts\":1,\"name\":\"x\",\"pid\":1,\"tid\":1,\"args\":");
	memset(buf + n, '[', depth);
	memset(buf + n + depth, ']', depth);
	n += 2 * depth;
	n += (size_t)sprintf(buf + n, "}]");
	t = load_text(buf, n, &r, &cause);
	ck_assert_ptr_null(t);
	ck_assert_msg(strstr(cause, "invalid JSON"), "%s", cause);
	free(cause);
	free(buf);
}
END_TEST

START_TEST(gzip_and_damaged_gzip)
{
	char *p = trace_file("viz_fib.json"), *gz = tmp_path(".json.gz");
	size_t len;
	char *text = slurp(p, &len);
	gzFile g = gzopen(gz, "wb");

	ck_assert_int_eq(gzwrite(g, text, (unsigned)len), (int)len);
	ck_assert_int_eq(gzclose(g), Z_OK);
	vtb_json_report r;
	vtb_trace *t = load_ok(gz, &r);
	ck_assert_uint_eq(vtb_trace_call_count(t), 745);
	vtb_trace_free(t);
	/* cut the compressed file in half: partial data or a clear error */
	size_t zlen;
	char *z = slurp(gz, &zlen);
	spit(gz, z, zlen / 2);
	char *cause = NULL;
	memset(&r, 0, sizeof(r));
	t = vtb_json_load(gz, NULL, NULL, &r, &cause);
	ck_assert_msg(t != NULL, "%s", cause);
	ck_assert_uint_lt(vtb_trace_call_count(t), 745);
	ck_assert_uint_gt(vtb_trace_call_count(t), 100);
	ck_assert_int_eq(r.partial, 1);
	ck_assert_msg(strstr(r.notes, "uncompressed data"), "%s", r.notes);
	free(r.notes);
	vtb_trace_free(t);
	/* damage the middle of the compressed stream: the events before it load */
	memset(z + zlen / 2, 0x55, 64);
	spit(gz, z, zlen);
	memset(&r, 0, sizeof(r));
	t = vtb_json_load(gz, NULL, NULL, &r, &cause);
	ck_assert_msg(t != NULL, "%s", cause);
	ck_assert_uint_lt(vtb_trace_call_count(t), 745);
	ck_assert_int_eq(r.partial, 1);
	ck_assert_msg(strstr(r.notes, "gzip data is damaged or cut short") || strstr(r.notes, "invalid JSON"),
		      "%s", r.notes);
	free(r.notes);
	free(cause);
	vtb_trace_free(t);
	unlink(gz);
	free(z);
	free(gz);
	free(text);
	free(p);
}
END_TEST

START_TEST(missing_and_unreadable_files)
{
	vtb_json_report r = { 0 };
	char *cause = NULL;

	ck_assert_ptr_null(vtb_json_load("/nonexistent/x.json", NULL, NULL, &r, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "/nonexistent/x.json"));
	free(cause);
	cause = NULL;
	ck_assert_ptr_null(vtb_json_load("/tmp", NULL, NULL, &r, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "directory"));
	free(cause);
	cause = NULL;
	vtb_trace *t = make_rich(1000);
	ck_assert_int_eq(vtb_json_export(t, "/nonexistent/out.json", NULL, NULL, &cause), VTB_E_IO);
	ck_assert_ptr_nonnull(strstr(cause, "/nonexistent/out.json"));
	free(cause);
	vtb_trace_free(t);
}
END_TEST

/* Seeded mutations of a real file (bytes flipped, deleted, duplicated, structural bytes
 * dropped in): each loads, partially or not, or fails with a cause; none crashes. */
START_TEST(mutated_real_file)
{
	char *p = trace_file("viz_args.json");
	size_t len;
	char *text = slurp(p, &len), *m = malloc(len * 2 + 64);
	static const char bytes[] = "{}[]\",:0-e.\\\xff\x00 ";
	unsigned rng = 12345u + (unsigned)_i;
	size_t loaded = 0;

	for (int round = 0; round < 60; round++) {
		memcpy(m, text, len);
		size_t n = len;
		for (int k = 0; k < 1 + round % 5; k++) {
			rng = rng * 1103515245u + 12345u;
			size_t at = (rng >> 8) % n;
			switch ((rng >> 4) % 4) {
			case 0: m[at] = bytes[(rng >> 16) % (sizeof(bytes) - 1)]; break;
			case 1: memmove(m + at, m + at + 1, n - at - 1); n--; break;
			case 2: memmove(m + at + 1, m + at, n - at); n++; break;
			default: m[at] ^= (char)(1u << ((rng >> 20) % 8)); break;
			}
		}
		vtb_json_report r;
		char *cause = NULL;
		vtb_trace *t = load_text(m, n, &r, &cause);
		ck_assert_msg(t || cause, "round %d: no trace and no cause", round);
		if (t) {
			ck_assert_uint_le(vtb_trace_call_count(t), 104);
			loaded++;
		}
		free(r.notes);
		free(cause);
		vtb_trace_free(t);
	}
	ck_assert_uint_gt(loaded, 0);
	free(m);
	free(text);
	free(p);
}
END_TEST

/* Calls nested deeper than a VTB thread holds: the deepest are dropped and reported. */
START_TEST(calls_too_deep)
{
	size_t n = 70000, len = 0;
	char *buf = malloc(n * 80 + 16);

	len += (size_t)sprintf(buf, "[");
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(buf + len, "%s{\"ph\":\"X\",\"ts\":%zu,\"dur\":%zu,\"name\":\"f\",\"pid\":1,\"tid\":1}",
				       i ? "," : "", i, 2 * (n - i));
	len += (size_t)sprintf(buf + len, "]");
	vtb_json_report r;
	char *cause = NULL;
	vtb_trace *t = load_text(buf, len, &r, &cause);
	ck_assert_msg(t != NULL, "%s", cause);
	ck_assert_uint_eq(vtb_trace_call_count(t), 65534);
	ck_assert_uint_eq(vtb_trace_thread(t, 0)->depth_count, 65534);
	ck_assert_msg(r.notes && strstr(r.notes, "4466 calls nested deeper than 65534 levels"), "%s", r.notes);
	free(r.notes);
	vtb_trace_free(t);
	free(buf);
}
END_TEST

/* Every event on its own process and thread: tables grow, nothing goes quadratic. */
START_TEST(many_processes_and_threads)
{
	size_t n = 50000, len = 0;
	char *buf = malloc(n * 96 + 16);

	len += (size_t)sprintf(buf, "[");
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(buf + len, "%s{\"ph\":\"X\",\"ts\":%zu,\"dur\":1,\"name\":\"f%zu\",\"pid\":%zu,\"tid\":%zu}",
				       i ? "," : "", i, i % 7, i, i * 3);
	len += (size_t)sprintf(buf + len, "]");
	vtb_json_report r;
	char *cause = NULL;
	vtb_trace *t = load_text(buf, len, &r, &cause);
	ck_assert_msg(t != NULL, "%s", cause);
	ck_assert_uint_eq(vtb_trace_thread_count(t), n);
	ck_assert_uint_eq(vtb_trace_process_count(t), n);
	ck_assert_uint_eq(vtb_trace_thread(t, 1234)->pid, 1234); /* in the order met */
	ck_assert_uint_eq(vtb_trace_thread(t, 1234)->tid, 3702);
	ck_assert_str_eq(vtb_trace_header(t)->reason_text, "Chrome trace JSON");
	vtb_trace_free(t);
	free(buf);
}
END_TEST

static int cancel_at_once(void *ctx, uint64_t done, uint64_t total)
{
	(void)done;
	(void)total;
	++*(int *)ctx;
	return 1;
}

START_TEST(progress_can_cancel)
{
	char *p = trace_file("viz_features.json"), *cause = NULL;
	int calls = 0;

	ck_assert_ptr_null(vtb_json_load(p, cancel_at_once, &calls, NULL, &cause));
	ck_assert_int_eq(calls, 1);
	ck_assert_ptr_nonnull(strstr(cause, "cancelled"));
	free(cause);
	free(p);
}
END_TEST

/* ---- vtui convert ---- */

static int run_convert(const char *in, const char *out)
{
	char *argv[] = { "convert", (char *)in, "-o", (char *)out, NULL };
	fflush(stdout);
	return vtui_convert_main(4, argv);
}

START_TEST(convert_both_ways)
{
	char *p = trace_file("viz_features.json"), *bin = tmp_path(".bin"), *js = tmp_path(".json.gz");
	vtb_json_report r;
	char *cause = NULL;

	ck_assert_int_eq(run_convert(p, bin), 0);
	ck_assert_int_eq(run_convert(bin, js), 0);
	vtb_trace *orig = load_ok(p, &r);
	free(r.notes);
	vtb_trace *fromvtb = vtb_trace_load(bin, 0, NULL, NULL, &cause);
	ck_assert_msg(fromvtb != NULL, "%s", cause);
	vtb_trace *back = load_ok(js, &r);
	ck_assert_ptr_null(r.notes);
	same_trace(orig, fromvtb);
	same_trace(orig, back);
	/* usage errors and failures */
	char *argv1[] = { "convert", p, NULL };
	ck_assert_int_eq(vtui_convert_main(2, argv1), 2);
	ck_assert_int_eq(run_convert(p, "/tmp/x.txt"), 2);
	ck_assert_int_eq(run_convert("/nonexistent.json", bin), 1);
	ck_assert_int_eq(run_convert(p, "/nonexistent/dir/x.bin"), 1);
	vtb_trace_free(orig);
	vtb_trace_free(fromvtb);
	vtb_trace_free(back);
	unlink(bin);
	unlink(js);
	free(bin);
	free(js);
	free(p);
}
END_TEST

/* Found by hand for the fuzzing work (tests/fuzz/): blanks between events stayed in the
 * scanner's buffer until the next event, so a 600 KB gzip of 600 MB of blanks grew it to
 * 512 MiB and then failed with "a single value is larger than 256 MiB". */
START_TEST(blanks_between_events_are_not_kept)
{
	static const char ev1[] = "{\"traceEvents\":[{\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":1,\"dur\":1,\"name\":\"a\"}";
	static const char ev2[] = ",{\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":5,\"dur\":1,\"name\":\"b\"}]}";
	char *gz = tmp_path(".json.gz"), *cause = NULL, *blanks = malloc(1 << 20);
	vtb_json_report r = { 0 };

	ck_assert_ptr_nonnull(blanks);
	memset(blanks, ' ', 1 << 20);
	for (size_t i = 0; i < (1 << 20); i += 64)
		blanks[i] = '\n';
	gzFile g = gzopen(gz, "wb1");
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(gzwrite(g, ev1, sizeof(ev1) - 1), (int)sizeof(ev1) - 1);
	for (int i = 0; i < 600; i++)
		ck_assert_int_eq(gzwrite(g, blanks, 1 << 20), 1 << 20);
	ck_assert_int_eq(gzwrite(g, ev2, sizeof(ev2) - 1), (int)sizeof(ev2) - 1);
	ck_assert_int_eq(gzclose(g), Z_OK);
	vtb_trace *t = vtb_json_load(gz, NULL, NULL, &r, &cause);
	ck_assert_msg(t != NULL, "%s", cause);
	ck_assert_msg(!r.partial, "%s", r.notes);
	ck_assert_uint_eq(vtb_trace_call_count(t), 2);
	vtb_trace_free(t);
	free(r.notes);
	unlink(gz);
	free(gz);
	free(blanks);
}
END_TEST

static Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *real = tcase_create("real files");
	TCase *rt = tcase_create("round trips");
	TCase *bad = tcase_create("bad input");

	tcase_set_timeout(real, 60);
	tcase_set_timeout(rt, 60);
	tcase_set_timeout(bad, 120);
	tcase_add_test(real, every_shared_trace_matches_its_json);
	tcase_add_loop_test(real, readme_facts, 0, sizeof(facts) / sizeof(facts[0]));
	tcase_add_test(real, fib_names_flags_and_durations);
	tcase_add_test(real, args_become_attachments);
	tcase_add_test(real, features_marks_counters_threads);
	tcase_add_loop_test(rt, vtb_json_vtb_round_trip, 0, sizeof(bases) / sizeof(bases[0]));
	tcase_add_loop_test(rt, json_vtb_json_round_trip, 0, sizeof(facts) / sizeof(facts[0]));
	tcase_add_test(rt, export_is_viztracer_shaped);
	tcase_add_test(rt, convert_both_ways);
	tcase_add_loop_test(bad, bad_input_table, 0, sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(bad, begin_end_pairs);
	tcase_add_test(bad, equal_times_and_rounding);
	tcase_add_loop_test(bad, truncated_at_many_offsets, 0, 2);
	tcase_add_test(bad, deep_nesting);
	tcase_add_test(bad, gzip_and_damaged_gzip);
	tcase_add_test(bad, missing_and_unreadable_files);
	tcase_add_test(bad, progress_can_cancel);
	tcase_add_test(bad, many_processes_and_threads);
	tcase_add_test(bad, calls_too_deep);
	tcase_add_loop_test(bad, mutated_real_file, 0, 5);
	tcase_add_test(bad, blanks_between_events_are_not_kept);
	suite_add_tcase(s, real);
	suite_add_tcase(s, rt);
	suite_add_tcase(s, bad);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(json_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
