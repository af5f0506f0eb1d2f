/* SPDX-License-Identifier: MIT */
/* test_calls.c: the call list (analysis/analysis.h) on hand-built traces: the exact rows of a
 * story (calls, logs and an instant in time order, indents, labels), folding, following a
 * call, the incident, random trees walked both ways against a sort of the same events,
 * and `vtui calls`'s output and errors. */
#define _GNU_SOURCE /* mkdtemp */
#include "analysis/analysis.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calls_fixture.h"
#include "cli_capture.h"
#include "tui/tui.h"

static vtb_trace *story(void)
{
	vtb_header h = cfx_header();
	vtb_writer *w = vtb_writer_open_mem(&h);
	char *cause = NULL;
	const uint8_t *buf;
	size_t len;
	vtb_trace *t;

	ck_assert_int_eq(cfx_write(w), 0);
	ck_assert_int_eq(vtb_writer_finish(w, &cause), 0);
	buf = vtb_writer_mem(w, &len);
	t = vtb_trace_load_mem(buf, len, 0, &cause);
	ck_assert_msg(t != NULL, "%s", cause);
	vtb_writer_free(w);
	return t;
}

/* The rows from p on (dir > 0) or back, as "indent label" lines. */
static char *walk(const vtb_trace *t, const calls_list *l, calls_pos p, int dir, int max)
{
	char *out = calloc(1, 8192), label[256];
	size_t n = 0;

	do {
		calls_row r;

		ck_assert_int_eq(calls_row_get(l, p, &r), 0);
		calls_label(t, &r, label, sizeof(label));
		n += (size_t)snprintf(out + n, 8192 - n, "%u %s%s\n", r.indent, r.folded ? "+" : "", label);
	} while (--max && calls_step(l, &p, dir) == 0);
	return out;
}

static char *walk_all(const vtb_trace *t, const calls_list *l, int dir)
{
	calls_pos p;

	ck_assert_int_eq(dir > 0 ? calls_first(l, &p) : calls_last(l, &p), 0);
	return walk(t, l, p, dir, -1);
}

static const char main_rows[] =
	"0 app.main() [exception]\n"
	"1 app.load(path='a.txt') = 3\n"
	"2 io.open()\n"
	"2 io.read()\n"
	"1 [INFO app] loaded 3 items\n"
	"1 app.process() [exception]\n"
	"2 app.step(i=0) = 0\n"
	"2 app.step(i=1) = 2\n"
	"2 [WARNING app] slow step\n"
	"2 app.fetch(key='sku-13') [exception]\n"
	"3 app.lookup() [exception]\n"
	"1 * checkpoint n=2\n";

/* The lines of `text` in the opposite order. */
static char *reversed(const char *text)
{
	size_t n = strlen(text), k = 0;
	char *out = calloc(1, n + 1);

	for (size_t end = n; end > 0;) {
		size_t start = end - 1;

		while (start > 0 && text[start - 1] != '\n')
			start--;
		memcpy(out + k, text + start, end - start);
		k += end - start;
		end = start;
	}
	return out;
}

START_TEST(test_story_rows)
{
	vtb_trace *t = story();
	calls_list *l = calls_list_new(t, 0), *w = calls_list_new(t, 1);
	char *fwd = walk_all(t, l, 1), *back = walk_all(t, l, -1), *want_back = reversed(main_rows);

	ck_assert_str_eq(fwd, main_rows);
	ck_assert_str_eq(back, want_back);
	free(fwd);
	fwd = walk_all(t, w, 1);
	ck_assert_str_eq(fwd, "0 worker.run()\n1 worker.work(n=1)\n1 [INFO app] worker done 1\n1 worker.work(n=2)\n");
	ck_assert_ptr_null(calls_list_new(t, 2));
	free(fwd);
	free(back);
	free(want_back);
	calls_list_free(l);
	calls_list_free(w);
	vtb_trace_free(t);
}
END_TEST

START_TEST(test_story_fold)
{
	vtb_trace *t = story();
	calls_list *l = calls_list_new(t, 0);
	const char *want = "0 app.main() [exception]\n"
			   "1 app.load(path='a.txt') = 3\n"
			   "2 io.open()\n"
			   "2 io.read()\n"
			   "1 [INFO app] loaded 3 items\n"
			   "1 +app.process() [exception]\n"
			   "1 * checkpoint n=2\n";
	char *fwd, *back, *want_back = reversed(want);
	calls_pos p;

	ck_assert_int_eq(calls_fold(l, 1, 1, 1), 0);         /* process */
	ck_assert_int_eq(calls_fold(l, 2, 0, 1), -1);        /* open has no children */
	ck_assert_int_eq(calls_fold(l, 9, 0, 1), -1);
	fwd = walk_all(t, l, 1);
	back = walk_all(t, l, -1);
	ck_assert_str_eq(fwd, want);
	ck_assert_str_eq(back, want_back);
	/* lookup, hidden, shows as process; the warning inside it is not a row */
	ck_assert_int_eq(calls_of_call(l, 3, 0, &p), 0);
	ck_assert_uint_eq(p.kind, CALLS_CALL);
	ck_assert_uint_eq(p.depth, 1);
	ck_assert_uint_eq(p.index, 1);
	ck_assert_int_eq(calls_at_time(l, CFX_US(450), &p), 0);
	ck_assert_uint_eq(p.kind, CALLS_CALL);
	ck_assert_uint_eq(p.index, 1);
	ck_assert_int_eq(calls_of_mark(l, 1, &p), 0);        /* the warning: inside process */
	ck_assert(p.kind == CALLS_CALL && p.depth == 1 && p.index == 1);
	ck_assert_int_eq(calls_of_mark(l, 0, &p), 0);        /* "loaded": shown */
	ck_assert(p.kind == CALLS_MARK && p.index == 0);
	ck_assert_int_eq(calls_of_mark(l, 3, &p), -1);
	ck_assert_int_eq(calls_fold(l, 0, 0, 1), 0);         /* main: one row */
	free(fwd);
	fwd = walk_all(t, l, 1);
	ck_assert_str_eq(fwd, "0 +app.main() [exception]\n");
	calls_unfold_all(l);
	free(fwd);
	fwd = walk_all(t, l, 1);
	ck_assert_str_eq(fwd, main_rows);
	free(fwd);
	free(back);
	free(want_back);
	calls_list_free(l);
	vtb_trace_free(t);
}
END_TEST

START_TEST(test_story_places)
{
	vtb_trace *t = story();
	calls_list *l = calls_list_new(t, 0);
	an_incident in;
	calls_pos p, up;
	char *rows;

	/* a mark comes after the calls that start with it, before later ones */
	ck_assert_int_eq(calls_at_time(l, CFX_US(450), &p), 0);
	ck_assert_uint_eq(p.kind, CALLS_MARK);
	ck_assert_int_eq(calls_up(l, p, &up), 0);           /* in process */
	ck_assert_uint_eq(up.depth, 1);
	ck_assert_uint_eq(up.index, 1);
	ck_assert_int_eq(calls_at_time(l, CFX_US(449), &p), 0);
	rows = walk(t, l, p, 1, 2);
	ck_assert_str_eq(rows, "2 app.step(i=1) = 2\n2 [WARNING app] slow step\n");
	free(rows);
	ck_assert_int_eq(calls_at_time(l, CFX_US(0) - 1, &p), -1);
	ck_assert_int_eq(calls_up(l, (calls_pos){ CALLS_CALL, 0, 0 }, &up), -1);
	ck_assert_int_eq(calls_step(l, &(calls_pos){ CALLS_CALL, 7, 0 }, 1), -1);
	/* the incident: where the KeyError began, at the end of lookup, on MainThread */
	an_incident_find(t, &in);
	ck_assert_int_eq(in.thread, 0);
	ck_assert_uint_eq(in.at_ns, CFX_US(880));
	ck_assert_int_eq(calls_at_time(l, in.at_ns, &p), 0);
	rows = walk(t, l, p, -1, 4);
	ck_assert_str_eq(rows, "3 app.lookup() [exception]\n2 app.fetch(key='sku-13') [exception]\n"
			       "2 [WARNING app] slow step\n2 app.step(i=1) = 2\n");
	free(rows);
	calls_list_free(l);
	vtb_trace_free(t);
}
END_TEST

/* The incident by the dump's reason: the loudest last log record, a named thread (with no
 * exception there: its last call at the dump, as `goto incident` shows it). */
static const struct {
	uint32_t reason;
	const char *text;
	int64_t thread;
	uint64_t at_us;
} incident_cases[] = {
	{ VTB_REASON_LOG, "WARNING app: slow step", 0, 450 },
	{ VTB_REASON_SIGNAL, "SIGTERM", 0, 1000 },
	{ VTB_REASON_EXCEPTION, "in thread worker-1: ValueError: x", 1, 1000 }, /* worker-1 has none */
	{ VTB_REASON_EXCEPTION, "ValueError: x", 0, 880 },
	{ VTB_REASON_API, "in thread worker-1: dump()", 1, 1000 },
	{ VTB_REASON_API, "", 0, 1000 },
};

/* The story dumped for incident case i, written at `path` when not NULL. */
static vtb_trace *incident_trace(size_t i, const char *path)
{
	vtb_header h = cfx_header();
	vtb_writer *w;
	const uint8_t *buf;
	size_t len;
	char *cause = NULL;
	vtb_trace *t;
	FILE *f;

	h.reason = incident_cases[i].reason;
	h.reason_text = incident_cases[i].text;
	w = vtb_writer_open_mem(&h);
	ck_assert_int_eq(cfx_write(w), 0);
	ck_assert_int_eq(vtb_writer_finish(w, &cause), 0);
	buf = vtb_writer_mem(w, &len);
	ck_assert_ptr_nonnull(t = vtb_trace_load_mem(buf, len, 0, &cause));
	if (path) {
		ck_assert_ptr_nonnull(f = fopen(path, "wb"));
		ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
		ck_assert_int_eq(fclose(f), 0);
	}
	vtb_writer_free(w);
	return t;
}

START_TEST(test_incident_reasons)
{
	vtb_trace *t = incident_trace((size_t)_i, NULL);
	an_incident in;

	an_incident_find(t, &in);
	ck_assert_msg(in.thread == incident_cases[_i].thread && in.at_ns == CFX_US(incident_cases[_i].at_us),
		      "case %d: thread %lld at %llu", _i, (long long)in.thread,
		      (unsigned long long)(in.at_ns - CFX_T0) / 1000);
	vtb_trace_free(t);
}
END_TEST

/* ---- random trees: the walk against a sort of the events ---- */

struct gcall {
	uint64_t start, end;
	uint32_t depth;
	size_t index;
	int parent;
};

struct gen {
	struct gcall calls[3000];
	size_t ncalls, per_depth[64];
	uint64_t marks[600];
	size_t nmarks;
};

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t rnd(uint64_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state % n;
}

/* Events in time order: begins (a child may start with its parent), ends (always later
 * than the event before), marks at any time, also on a call's start or end. */
static vtb_trace *random_trace(struct gen *g)
{
	vtb_header h = cfx_header();
	vtb_writer *w = vtb_writer_open_mem(&h);
	int stack[64], depth = 0;
	uint64_t now = CFX_T0;
	int64_t name = vtb_writer_string(w, "f", "", 1);
	char *cause = NULL;
	const uint8_t *buf;
	size_t len;
	vtb_trace *t;

	memset(g, 0, sizeof(*g));
	h.reason = VTB_REASON_API;
	ck_assert_int_eq(vtb_writer_thread(w, 42, 1, "T"), 0);
	while (g->ncalls < 2000 || depth > 0) {
		uint64_t r = rnd(10);

		if (r < 2 && g->nmarks < 600) {
			now += rnd(2);
			g->marks[g->nmarks++] = now;
			ck_assert_int_eq(vtb_writer_instant(w, 0, now, (uint32_t)name, ""), 0);
		} else if (r < 6 && depth < 40 && g->ncalls < 2000) {
			struct gcall *c = &g->calls[g->ncalls];

			now += depth > 0 && rnd(3) == 0 ? 0 : 1 + rnd(5);
			*c = (struct gcall){ now, 0, (uint32_t)depth, g->per_depth[depth]++, depth ? stack[depth - 1] : -1 };
			stack[depth++] = (int)g->ncalls++;
			ck_assert_int_eq(vtb_writer_begin(w, 0, now, (uint32_t)name, 0), 0);
		} else if (depth > 0) {
			now += 1 + rnd(5);
			g->calls[stack[--depth]].end = now;
			ck_assert_int_eq(vtb_writer_end(w, 0, now, 0), 0);
		}
	}
	ck_assert_int_eq(vtb_writer_finish(w, &cause), 0);
	buf = vtb_writer_mem(w, &len);
	ck_assert_ptr_nonnull(t = vtb_trace_load_mem(buf, len, 0, &cause));
	vtb_writer_free(w);
	return t;
}

/* An item of the expected order: a call (mark < 0) or a mark. */
struct item {
	uint64_t ts;
	int is_mark;
	uint32_t depth;
	size_t index;
};

static int item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->is_mark != y->is_mark)
		return x->is_mark - y->is_mark;
	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int hidden(const struct gen *g, const uint8_t *folded, const struct item *it)
{
	if (it->is_mark) {
		for (size_t i = 0; i < g->ncalls; i++)
			if (folded[i] && g->calls[i].start <= it->ts && it->ts < g->calls[i].end)
				return 1;
		return 0;
	}
	for (size_t i = 0; i < g->ncalls; i++)
		if (g->calls[i].depth == it->depth && g->calls[i].index == it->index) {
			for (int p = g->calls[i].parent; p >= 0; p = g->calls[p].parent)
				if (folded[p])
					return 1;
			return 0;
		}
	ck_abort_msg("no such call");
	return 0;
}

START_TEST(test_random_walks)
{
	static struct gen g;
	static struct item items[3600];
	static uint8_t folded[3000];
	vtb_trace *t = random_trace(&g);
	calls_list *l = calls_list_new(t, 0);
	size_t n = 0;

	for (size_t i = 0; i < g.ncalls; i++)
		items[n++] = (struct item){ g.calls[i].start, 0, g.calls[i].depth, g.calls[i].index };
	for (size_t i = 0; i < g.nmarks; i++)
		items[n++] = (struct item){ g.marks[i], 1, 0, i };
	qsort(items, n, sizeof(items[0]), item_cmp);
	memset(folded, 0, sizeof(folded));
	for (int round = 0; round < 3; round++) {
		size_t k = 0, shown[3600], m = 0;
		calls_pos p;

		for (size_t i = 0; i < n; i++)
			if (!hidden(&g, folded, &items[i]))
				shown[m++] = i;
		ck_assert_int_eq(calls_first(l, &p), 0);
		do {
			const struct item *it = &items[shown[k]];

			ck_assert_uint_lt(k, m);
			ck_assert_msg(p.kind == (it->is_mark ? CALLS_MARK : CALLS_CALL) && p.index == it->index &&
					      (it->is_mark || p.depth == it->depth),
				      "round %d row %zu: got %u/%u/%zu", round, k, p.kind, p.depth, p.index);
			k++;
		} while (calls_step(l, &p, 1) == 0);
		ck_assert_uint_eq(k, m);
		ck_assert_int_eq(calls_last(l, &p), 0);
		do {
			const struct item *it = &items[shown[--k]];

			ck_assert(p.kind == (it->is_mark ? CALLS_MARK : CALLS_CALL) && p.index == it->index);
		} while (calls_step(l, &p, -1) == 0);
		ck_assert_uint_eq(k, 0);
		/* fold a few more calls with children for the next round */
		for (int f = 0; f < 25; f++) {
			size_t c = (size_t)rnd(g.ncalls);

			if (calls_fold(l, g.calls[c].depth, g.calls[c].index, 1) == 0)
				folded[c] = 1;
		}
	}
	calls_list_free(l);
	vtb_trace_free(t);
}
END_TEST

/* ---- vtui calls ---- */

static char tmpdir[64];

static char *tmp_path(const char *name)
{
	char *p = malloc(strlen(tmpdir) + strlen(name) + 2);

	sprintf(p, "%s/%s", tmpdir, name);
	return p;
}

/* Run `vtui calls` with stdout and stderr going to files; returns the exit code. */
static int run_calls(const char *const *args, char **out, char **err)
{
	char *argv[20], *out_path = tmp_path("out"), *err_path = tmp_path("err"), *trace = tmp_path("story.vtb");
	int argc = 0, rc;

	argv[argc++] = "calls";
	for (; *args != NULL; args++)
		argv[argc++] = !strcmp(*args, "@T") ? trace : (char *)*args;
	argv[argc] = NULL;
	rc = cli_run_captured(vtui_calls_main, argc, argv, out_path, err_path, out, err);
	free(out_path);
	free(err_path);
	free(trace);
	return rc;
}

struct cli_case {
	const char *args[12];   /* "@T" is the story trace */
	int rc;
	const char *out;        /* exact stdout, or NULL */
	const char *err;        /* a part of stderr, or NULL for empty */
};

static const struct cli_case cli_cases[] = {
	{ { "@T", "--before", "incident", "--count", "3" }, 0,
	  "       310µs     90µs      app.step(i=1) = 2\n"
	  "       450µs               [WARNING app] slow step\n"
	  "       500µs    390µs      app.fetch(key='sku-13') [exception]\n"
	  "       510µs    370µs        app.lookup() [exception]\n", NULL },
	{ { "@T", "--thread", "worker-1", "--format", "csv" }, 0,
	  "kind,depth,start_ns,dur_ns,name,args,retval,exception,level,text\n"
	  "call,0,50000,550000,worker.run,,,0,0,\n"
	  "call,1,60000,100000,worker.work,n=1,,0,0,\n"
	  "log,1,170000,0,app,,,0,20,worker done 1\n"
	  "call,1,200000,100000,worker.work,n=2,,0,0,\n", NULL },
	{ { "@T", "--thread", "1001", "--after", "100us", "--count", "1", "--format", "csv" }, 0,
	  "kind,depth,start_ns,dur_ns,name,args,retval,exception,level,text\n"
	  "log,1,170000,0,app,,,0,20,worker done 1\n"
	  "call,1,200000,100000,worker.work,n=2,,0,0,\n", NULL },
	{ { "@T", "--thread", "1", "--from", "0.2ms", "--to", "0.4", "--format", "csv" }, 0,
	  "kind,depth,start_ns,dur_ns,name,args,retval,exception,level,text\n"
	  "call,1,200000,700000,app.process,,,1,0,\n"
	  "call,2,210000,90000,app.step,i=0,0,0,0,\n"
	  "call,2,310000,90000,app.step,i=1,2,0,0,\n", NULL },
	{ { "@T", "--thread", "worker-1", "--from", "1ms" }, 0, "", NULL },
	{ { "@T", "--after", "incident", "--format", "csv" }, 0,
	  "kind,depth,start_ns,dur_ns,name,args,retval,exception,level,text\n"
	  "instant,1,950000,0,checkpoint,,,0,0,n=2\n", NULL },
	{ { "--help" }, 0, NULL, NULL },
	{ { "@T", "--thread", "nope" }, 2, "", "no thread 'nope'; the trace has:\n  1  MainThread tid 1000\n  2  worker-1 tid 1001\n" },
	{ { "@T", "--thread", "3" }, 2, "", "no thread '3'" },
	{ { "@T", "--count", "0" }, 2, "", "--count wants a number of calls from 1, not '0'" },
	{ { "@T", "--count", "-4" }, 2, "", "--count wants a number" },
	{ { "@T", "--before", "soon" }, 2, "", "--before wants `incident` or a time" },
	{ { "@T", "--before", "incident", "--after", "1ms" }, 2, "", "do not go together" },
	{ { "@T", "--format", "xml" }, 2, "", "--format wants table, csv or json" },
	{ { NULL }, 2, "", "which trace?" },
	{ { "/nonexistent/t.vtb" }, 1, "", "/nonexistent/t.vtb" },
};

START_TEST(test_cli)
{
	const struct cli_case *c = &cli_cases[_i];
	char *out, *err;

	ck_assert_int_eq(run_calls(c->args, &out, &err), c->rc);
	if (c->out)
		ck_assert_str_eq(out, c->out);
	if (c->err)
		ck_assert_msg(strstr(err, c->err) != NULL, "stderr: %s", err);
	else
		ck_assert_str_eq(err, "");
	free(out);
	free(err);
}
END_TEST

START_TEST(test_cli_json)
{
	const char *args[] = { "@T", "--before", "incident", "--count", "1", "--format", "json", NULL };
	char *out, *err;
	cJSON *doc, *row;

	ck_assert_int_eq(run_calls(args, &out, &err), 0);
	ck_assert_ptr_nonnull(doc = cJSON_Parse(out));
	ck_assert_int_eq(cJSON_GetArraySize(doc), 1);
	row = cJSON_GetArrayItem(doc, 0);
	ck_assert_str_eq(cJSON_GetObjectItem(row, "name")->valuestring, "app.lookup");
	ck_assert_int_eq(cJSON_GetObjectItem(row, "depth")->valueint, 3);
	ck_assert_int_eq((int)cJSON_GetObjectItem(row, "start_ns")->valuedouble, 510000);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(row, "exception")));
	cJSON_Delete(doc);
	free(out);
	free(err);
}
END_TEST

/* `vtui calls --before incident` ends at what `goto incident` (e) and E select: its last
 * call (its last row, for the log record that dumped; only marks may follow the call) is
 * the incident's, on the incident's thread. */
START_TEST(test_incident_batch_agrees)
{
	char *path = tmp_path("reason.vtb"), *out, *err, *line, want[256], label[256];
	const char *args[] = { path, "--before", "incident", "--count", "1", "--format", "csv", NULL };
	vtb_trace *t = incident_trace((size_t)_i, path);
	uint64_t first, last;
	an_incident in;
	calls_list *l;
	calls_pos p;
	calls_row r;
	size_t n;

	an_incident_find(t, &in);
	vtb_trace_span(t, &first, &last);
	ck_assert_ptr_nonnull(l = calls_list_new(t, (size_t)in.thread));
	if (in.reason == VTB_REASON_LOG)
		ck_assert_int_eq(calls_of_mark(l, in.mark_index, &p), 0);
	else
		ck_assert_int_eq(calls_of_call(l, (uint32_t)in.call_depth, in.call_index, &p), 0);
	ck_assert_int_eq(calls_row_get(l, p, &r), 0);
	calls_label(t, &r, label, sizeof(label));
	snprintf(want, sizeof(want), "%s,%u,%llu,", r.mark ? "log" : "call", r.indent,
		 (unsigned long long)(r.ts_ns - first));
	ck_assert_int_eq(run_calls(args, &out, &err), 0);
	n = strlen(out);
	ck_assert_uint_gt(n, 1);
	do { /* back to the last line of the incident's kind */
		out[n - 1] = '\0';
		line = strrchr(out, '\n') + 1;
		n = (size_t)(line - out);
	} while (strncmp(line, want, strcspn(want, ",")) && n > 1);
	ck_assert_msg(!strncmp(line, want, strlen(want)), "case %d: %s: last row %s, want %s (%s)", _i,
		      incident_cases[_i].text, line, want, label);
	calls_list_free(l);
	vtb_trace_free(t);
	free(out);
	free(err);
	free(path);
}
END_TEST

static void make_files(void)
{
	char *path, *cause = NULL;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vtui-calls-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("test_calls: mkdtemp");
		exit(1);
	}
	path = tmp_path("story.vtb");
	if (cfx_write_file(path, &cause) != 0) {
		fprintf(stderr, "test_calls: writing %s: %s\n", path, cause ? cause : "failed");
		exit(1);
	}
	free(path);
}

static void remove_files(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

int main(void)
{
	Suite *s = suite_create("calls");
	TCase *tc = tcase_create("list");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_story_rows);
	tcase_add_test(tc, test_story_fold);
	tcase_add_test(tc, test_story_places);
	tcase_add_loop_test(tc, test_incident_reasons, 0, sizeof(incident_cases) / sizeof(incident_cases[0]));
	tcase_add_test(tc, test_random_walks);
	tcase_add_loop_test(tc, test_cli, 0, sizeof(cli_cases) / sizeof(cli_cases[0]));
	tcase_add_test(tc, test_cli_json);
	tcase_add_loop_test(tc, test_incident_batch_agrees, 0, sizeof(incident_cases) / sizeof(incident_cases[0]));
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	make_files();
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	remove_files();
	return failed ? 1 : 0;
}
