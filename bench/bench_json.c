/* SPDX-License-Identifier: MIT */
/* bench_json.c: how fast a VizTracer-sized JSON trace opens, and in how much memory.
 *
 * Generates a VizTracer-like Chrome trace (complete events in exit order, names such as
 * "fib (/path/fibc.py:1)" and "builtins.len", float microsecond times, some args and
 * return values, a few counters and instants, four threads), then times, each in a fresh
 * child process so peak RSS is the load's own:
 *   - vtb_json_load (the streaming importer), median of RUNS;
 *   - the naive way side by side: the whole file parsed into one cJSON tree;
 *   - vtb_trace_load of the same trace saved as VTB.
 *
 * Usage: bench_json [EVENTS [RUNS]]   (default 1000000 events, 5 runs)
 *        BENCH_APPEND=bench/RESULTS.md appends the figures as markdown.
 */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench_util.h"
#include "common/vtb.h"
#include "common/vtb_json.h"

struct gen {
	FILE *f;
	size_t events, target;
	double ts_us;
	unsigned rng;
};

static unsigned next_rand(struct gen *g)
{
	g->rng = g->rng * 1103515245u + 12345u;
	return g->rng >> 16;
}

static void put_x(struct gen *g, int tid, double start, double dur, const char *name, int n)
{
	fprintf(g->f, ",\n{\"pid\":1000,\"tid\":%d,\"ts\":%.3f,\"ph\":\"X\",\"dur\":%.17g,\"name\":\"%s\"", tid, start,
		dur, name);
	if (n >= 0 && next_rand(g) % 10 == 0)
		fprintf(g->f, ",\"args\":{\"func_args\":{\"n\":\"%d\"},\"return_value\":\"%d\"}", n, n);
	fputs(",\"cat\":\"FEE\"}", g->f);
	g->events++;
}

/* A fib(n) call tree, children written before their parent as VizTracer does. */
static void gen_fib(struct gen *g, int tid, int n)
{
	double start = g->ts_us;

	g->ts_us += 0.05 + (next_rand(g) % 100) / 1000.0;
	if (n >= 2 && g->events < g->target) {
		gen_fib(g, tid, n - 1);
		gen_fib(g, tid, n - 2);
	} else if (next_rand(g) % 4 == 0) {
		double s = g->ts_us;
		g->ts_us += 0.04;
		put_x(g, tid, s, g->ts_us - s - 0.0001234, "builtins.len", -1);
	}
	g->ts_us += 0.03;
	put_x(g, tid, start, g->ts_us - start - 0.000456, "fib (/home/user/project/fibc.py:1)", n);
}

static int generate(const char *path, size_t target)
{
	struct gen g = { fopen(path, "w"), 0, target, 5811006567.986, 42 };

	if (!g.f)
		return -1;
	fputs("{\"traceEvents\":[{\"ph\":\"M\",\"pid\":1000,\"tid\":1000,\"name\":\"process_name\","
	      "\"args\":{\"name\":\"MainProcess\"}}", g.f);
	for (int k = 0; g.events < target; k++) {
		int tid = 1000 + k % 4;
		double start = g.ts_us;
		g.ts_us += 0.1;
		gen_fib(&g, tid, 12 + k % 5);
		fprintf(g.f, ",\n{\"pid\":1000,\"tid\":%d,\"ts\":%.3f,\"ph\":\"C\",\"name\":\"progress\","
			"\"args\":{\"done\":%d}}", tid, g.ts_us, k);
		fprintf(g.f, ",\n{\"pid\":1000,\"tid\":%d,\"ts\":%.3f,\"ph\":\"i\",\"cat\":\"INSTANT\","
			"\"name\":\"checkpoint\",\"args\":{\"step\":%d},\"s\":\"t\"}", tid, g.ts_us, k);
		g.ts_us += 0.2;
		put_x(&g, tid, start, g.ts_us - start, "Worker.run (/home/user/project/work.py:20)", -1);
		g.events += 2;
	}
	fputs("],\n\"viztracer_metadata\":{\"version\":\"1.1.1\",\"overflow\":false,"
	      "\"baseTimeNanoseconds\":1795569820491122906},\"file_info\":{\"files\":{},\"functions\":{}}}\n", g.f);
	return fclose(g.f) ? -1 : (int)(g.events > 0);
}

enum what { LOAD_JSON, PARSE_WHOLE, LOAD_VTB };

/* In the child: do it once, write "seconds calls" to fd. */
static void child(enum what w, const char *path, int fd)
{
	char *cause = NULL, out[128];
	double t0 = bench_now_s();
	size_t items = 0;

	if (w == LOAD_JSON || w == LOAD_VTB) {
		vtb_trace *t = w == LOAD_JSON ? vtb_json_load(path, NULL, NULL, NULL, &cause)
					      : vtb_trace_load(path, 0, NULL, NULL, &cause);
		if (!t) {
			fprintf(stderr, "bench_json: %s\n", cause);
			_exit(1);
		}
		items = vtb_trace_call_count(t);
	} else {
		FILE *f = fopen(path, "rb");
		struct stat st;
		if (!f || fstat(fileno(f), &st))
			_exit(1);
		char *buf = malloc((size_t)st.st_size);
		if (!buf || fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
			_exit(1);
		cJSON *root = cJSON_ParseWithLength(buf, (size_t)st.st_size);
		items = (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(root, "traceEvents"));
	}
	int n = snprintf(out, sizeof(out), "%.6f %zu\n", bench_now_s() - t0, items);
	if (write(fd, out, (size_t)n) != n)
		_exit(1);
	_exit(0);
}

/* Run `w` in a child; its time, item count and peak RSS (KiB). */
static int measure(enum what w, const char *path, double *secs, size_t *items, long *rss_kib)
{
	int fds[2], status;
	struct rusage ru;
	char buf[128] = "";

	if (pipe(fds))
		return -1;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		child(w, path, fds[1]);
	}
	close(fds[1]);
	ssize_t n = read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	if (pid < 0 || wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) || n <= 0)
		return -1;
	*rss_kib = ru.ru_maxrss;
	return sscanf(buf, "%lf %zu", secs, items) == 2 ? 0 : -1;
}

struct result {
	double median, min;
	long rss_kib;
	size_t items;
};

static int run(enum what w, const char *path, int runs, struct result *r)
{
	double t[64];

	r->rss_kib = 0;
	for (int i = 0; i < runs; i++) {
		long rss;
		if (measure(w, path, &t[i], &r->items, &rss))
			return -1;
		if (rss > r->rss_kib)
			r->rss_kib = rss;
	}
	qsort(t, (size_t)runs, sizeof(double), bench_cmp_double);
	r->median = t[runs / 2];
	r->min = t[0];
	return 0;
}

static void report(FILE *f, size_t events, double mib, int runs, const struct result *r)
{
	fprintf(f, "| what | median s | min s | peak RSS MiB | items |\n| --- | --- | --- | --- | --- |\n");
	fprintf(f, "| vtb_json_load (streaming, per-event cJSON) | %.3f | %.3f | %.1f | %zu calls |\n", r[0].median,
		r[0].min, r[0].rss_kib / 1024.0, r[0].items);
	fprintf(f, "| cJSON_ParseWithLength of the whole file (tree only, no model) | %.3f | %.3f | %.1f | %zu events |\n",
		r[1].median, r[1].min, r[1].rss_kib / 1024.0, r[1].items);
	fprintf(f, "| vtb_trace_load of the same trace as VTB | %.3f | %.3f | %.1f | %zu calls |\n", r[2].median,
		r[2].min, r[2].rss_kib / 1024.0, r[2].items);
	fprintf(f, "\n%zu events, %.1f MiB of JSON, %d runs each in a fresh process; streaming load uses %.2fx "
		"the time and %.2fx the memory of parsing the tree alone.\n",
		events, mib, runs, r[0].median / r[1].median, (double)r[0].rss_kib / (double)r[1].rss_kib);
}

int main(int argc, char **argv)
{
	size_t events = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	int runs = argc > 2 ? atoi(argv[2]) : 5;
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char json[512], bin[512], *cause = NULL;
	struct result r[3];
	struct stat st;
	int rc = 1;

	if (runs < 1 || runs > 64 || events < 10) {
		fprintf(stderr, "usage: bench_json [EVENTS [RUNS (1..64)]]\n");
		return 2;
	}
	snprintf(json, sizeof(json), "%s/bench_json.%ld.json", tmp, (long)getpid());
	snprintf(bin, sizeof(bin), "%s/bench_json.%ld.bin", tmp, (long)getpid());
	if (generate(json, events) <= 0 || stat(json, &st)) {
		fprintf(stderr, "bench_json: cannot write %s\n", json);
		goto out;
	}
	vtb_trace *t = vtb_json_load(json, NULL, NULL, NULL, &cause);
	if (!t || vtb_trace_save(t, bin, &cause)) {
		fprintf(stderr, "bench_json: %s\n", cause ? cause : "?");
		vtb_trace_free(t);
		goto out;
	}
	vtb_trace_free(t);
	if (run(LOAD_JSON, json, runs, &r[0]) || run(PARSE_WHOLE, json, runs, &r[1]) ||
	    run(LOAD_VTB, bin, runs, &r[2])) {
		fprintf(stderr, "bench_json: a measured run failed\n");
		goto out;
	}
	report(stdout, events, (double)st.st_size / (1 << 20), runs, r);
	const char *append = getenv("BENCH_APPEND");
	FILE *f = append ? fopen(append, "a") : NULL;
	if (f) {
		time_t now_s = time(NULL);
		char when[64];
		strftime(when, sizeof(when), "%Y-%m-%d", gmtime(&now_s));
		fprintf(f, "\n## JSON interop\n\n`BENCH_APPEND=bench/RESULTS.md build/bench/bench_json %zu %d` (%s, %ld cores):\n\n",
			events, runs, when, sysconf(_SC_NPROCESSORS_ONLN));
		report(f, events, (double)st.st_size / (1 << 20), runs, r);
		fclose(f);
	}
	rc = 0;
out:
	free(cause);
	unlink(json);
	unlink(bin);
	return rc;
}
