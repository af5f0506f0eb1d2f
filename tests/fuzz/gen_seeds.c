/* SPDX-License-Identifier: MIT */
/* gen_seeds.c: seed corpora the fuzz targets start from, made with the current writer
 * and exporter so that they follow the format as it is now (committed binary seeds would
 * go stale when it changes).
 *
 *   gen_seeds DIR   writes DIR/fuzz_vtb/ (VTB files, each behind the mode bytes fuzz_vtb.c
 *                   reads), DIR/fuzz_json/ (the same traces exported, plain and gzip) and
 *                   DIR/fuzz_view/ (both, behind fuzz_view.c's mode byte)
 *
 * Edge values (0, 1, 2^31, 2^32, 2^53, 2^62, 2^63, 2^64-1) go into every time and count:
 * through the writer up to the format's last time, in raw sections past it.
 */
#include "common/vtb.h"
#include "common/vtb_json.h"
#include "tests/ring_fixture.h"
#include "common/vtb_internal.h"
#include "tests/vtb_craft.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct seed {
	const char *name;
	void (*fill)(vtb_writer *w);
	size_t chunk_bytes; /* 0: the writer's default */
};

#define CHECK(x)                                                                   \
	do {                                                                       \
		if ((x) < 0) {                                                     \
			fprintf(stderr, "gen_seeds: %s failed at line %d\n", #x, __LINE__); \
			exit(1);                                                   \
		}                                                                  \
	} while (0)

static void fill_empty(vtb_writer *w)
{
	(void)w;
}

/* Every event kind on one thread. */
static void fill_kinds(vtb_writer *w)
{
	CHECK(vtb_writer_string(w, "app.main", "/srv/app.py", 1));
	CHECK(vtb_writer_string(w, "app.helper", "/srv/app.py", 9));
	CHECK(vtb_writer_string(w, "progress", "", 0));
	CHECK(vtb_writer_string(w, "done", "", 0));
	CHECK(vtb_writer_string(w, "app.log", "", 0));
	CHECK(vtb_writer_process(w, 10, 1, "python3"));
	CHECK(vtb_writer_thread(w, 10, 10, "MainThread"));
	CHECK(vtb_writer_begin(w, 0, 100, 0, 0));
	CHECK(vtb_writer_args(w, 0, "argv=['x'], n=3"));
	CHECK(vtb_writer_begin(w, 0, 150, 1, VTB_CALL_C));
	CHECK(vtb_writer_instant(w, 0, 160, 3, "step=1"));
	CHECK(vtb_writer_counter(w, 0, 170, 2, 3, 0.5));
	CHECK(vtb_writer_log(w, 0, 180, 40, 4, "disk full"));
	CHECK(vtb_writer_object(w, 0, 190, 1, "<Obj at 0x1>"));
	CHECK(vtb_writer_end(w, 0, 200, VTB_CALL_EXCEPTION));
	CHECK(vtb_writer_retval(w, 0, "None"));
	CHECK(vtb_writer_end(w, 0, 300, 0));
	CHECK(vtb_writer_begin(w, 0, 400, 1, 0)); /* open at the dump */
}

/* Two threads, small chunks: many EVTS sections with open calls at their starts. */
static void fill_chunks(vtb_writer *w)
{
	CHECK(vtb_writer_string(w, "fib", "fib.py", 1));
	CHECK(vtb_writer_string(w, "work", "w.py", 2));
	CHECK(vtb_writer_thread(w, 10, 10, "MainThread"));
	CHECK(vtb_writer_thread(w, 10, 11, "worker-0"));
	for (uint32_t th = 0; th < 2; th++) {
		uint64_t ts = 1000;
		for (int i = 0; i < 6; i++)
			CHECK(vtb_writer_begin(w, th, ts += 7, (uint32_t)(i & 1), 0));
		for (int i = 0; i < 6; i++)
			CHECK(vtb_writer_end(w, th, ts += 11, 0));
		CHECK(vtb_writer_begin(w, th, ts + (1ull << 40), 0, 0)); /* a long gap */
		CHECK(vtb_writer_end(w, th, ts + (1ull << 41), 0));
	}
}

/* Names that are not plain text: invalid UTF-8, control characters, wide characters. */
static void fill_names(vtb_writer *w)
{
	CHECK(vtb_writer_string(w, "bad\xff\xfe", "\x80.py", 3));
	CHECK(vtb_writer_string(w, "ctl\x1b[31m\x07\r\n", "t\tab.py", 4));
	CHECK(vtb_writer_string(w, "\xe6\x97\xa5\xf0\x9f\x94\xa5", "", 0));
	CHECK(vtb_writer_thread(w, 1, 1, "t\x1b]0;x\x07"));
	for (uint32_t i = 0; i < 3; i++) {
		CHECK(vtb_writer_begin(w, 0, 10 + i * 10, i, 0));
		CHECK(vtb_writer_end(w, 0, 15 + i * 10, 0));
	}
}

static const uint64_t edges[] = { 0, 1, 1ull << 31, 1ull << 32, 1ull << 53, 1ull << 62,
				   1ull << 63, UINT64_MAX };
#define EDGE_COUNT (sizeof(edges) / sizeof(edges[0]))

/* Calls, marks and counter samples at every edge time the format holds, on two threads. */
static void fill_edges(vtb_writer *w)
{
	CHECK(vtb_writer_string(w, "edge", "e.py", 1));
	CHECK(vtb_writer_thread(w, 10, 10, "early"));
	CHECK(vtb_writer_thread(w, 10, 11, "late"));
	for (size_t i = 0; i < EDGE_COUNT && edges[i] < VTB_TIME_MAX; i++) {
		CHECK(vtb_writer_begin(w, 0, edges[i], 0, 0));
		CHECK(vtb_writer_counter(w, 0, edges[i], 0, 0, (double)edges[i]));
		CHECK(vtb_writer_end(w, 0, edges[i] + 1, 0));
	}
	CHECK(vtb_writer_begin(w, 1, 0, 0, 0)); /* a call lasting 2^62 */
	CHECK(vtb_writer_instant(w, 1, VTB_TIME_MAX - 1, 0, NULL));
	CHECK(vtb_writer_end(w, 1, VTB_TIME_MAX, 0));
}

static const struct seed seeds[] = {
	{ "edges", fill_edges, 0 },
	{ "empty", fill_empty, 0 },
	{ "kinds", fill_kinds, 0 },
	{ "chunks", fill_chunks, 64 },
	{ "names", fill_names, 0 },
};

static void write_file(const char *path, const uint8_t *prefix, size_t plen, const uint8_t *b, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(prefix, 1, plen, f) != plen || fwrite(b, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "gen_seeds: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void make_dir(const char *path)
{
	if (mkdir(path, 0755) && errno != EEXIST) {
		fprintf(stderr, "gen_seeds: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void view_seed(const char *dir, const char *name, uint8_t mode, const uint8_t *b, size_t len)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/fuzz_view/%s-mode%u", dir, name, mode);
	write_file(path, &mode, 1, b, len);
}

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = malloc(1 << 20);

	if (!f || !b) {
		fprintf(stderr, "gen_seeds: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	*len = fread(b, 1, 1 << 20, f);
	fclose(f);
	return b;
}

/* A raw file whose HEAD times, first_ts, SKIP, record count, string count and thread index
 * all hold `v`: past 2^62 the reader must refuse them, and nothing above may loop on them. */
static void raw_edge(const char *dir, size_t k)
{
	static const uint8_t pre[8] = { 'V', 'T', 'B', 0, 1, 0, 0, 0 };
	uint64_t v = edges[k], head[10] = { 1, 0, 0, 0, v, v, v, v, v, v };
	struct vtb_buf b = { 0 }, p = { 0 };
	uint8_t skip[10];
	char name[32];

	CHECK(vtb_buf_put(&b, pre, 8));
	for (int i = 0; i < 10; i++)
		CHECK(vtb_buf_varint(&p, head[i]));
	CHECK(vtb_buf_put(&p, (const uint8_t[]){ 0, 0, 0 }, 3));
	craft_section(&b, VTB_TAG_HEAD, p.data, p.len);
	craft_section(&b, VTB_TAG_STRS, (const uint8_t[]){ 0, 1, 1, 'f', 0, 0 }, 6);
	craft_section(&b, VTB_TAG_THRD, (const uint8_t[]){ 0, 1, 1, 1, 1, 'T' }, 6);
	for (int variant = 0; variant < 4; variant++) {
		p.len = 0;
		CHECK(vtb_buf_varint(&p, variant == 3 ? v : 0));               /* thread */
		CHECK(vtb_buf_varint(&p, (uint64_t)variant));                  /* seq */
		CHECK(vtb_buf_varint(&p, variant == 0 ? v : 0));               /* first_ts */
		CHECK(vtb_buf_varint(&p, variant == 2 ? v : 3));               /* records */
		CHECK(vtb_buf_put(&p, (const uint8_t[]){ 0, 0x01, 0 }, 3));   /* BEGIN f */
		size_t n = vtb_varint_put(skip, v);
		CHECK(vtb_buf_put(&p, (const uint8_t[]){ 0x1b, 7, (uint8_t)n }, 3));
		CHECK(vtb_buf_put(&p, skip, n));
		CHECK(vtb_buf_varint(&p, vtb_head_end(variant == 1 ? v >> 1 : 5)));
		craft_section(&b, VTB_TAG_EVTS, p.data, p.len);
	}
	p.len = 0;
	CHECK(vtb_buf_varint(&p, 1)); /* a STRS that goes on from id 1 and claims v strings */
	CHECK(vtb_buf_varint(&p, v));
	CHECK(vtb_buf_put(&p, (const uint8_t[]){ 1, 'g', 0, 0 }, 4));
	craft_section(&b, VTB_TAG_STRS, p.data, p.len);
	snprintf(name, sizeof(name), "raw-edge%zu", k);
	view_seed(dir, name, 0, b.data, b.len);
	view_seed(dir, name, 2, b.data, b.len);
	char path[4096];
	snprintf(path, sizeof(path), "%s/fuzz_vtb/%s-mode0.bin", dir, name);
	write_file(path, (const uint8_t[]){ 0 }, 1, b.data, b.len);
	vtb_buf_free(&b);
	vtb_buf_free(&p);
}

static void one_seed(const char *dir, const struct seed *sd)
{
	static const uint8_t modes[] = { 0, 1, 3 };
	vtb_header h = { .pid = 10, .ppid = 1, .cmdline = "python3 app.py", .python_version = "3.11.7",
			 .reason_text = "ValueError: x", .start_wall_ns = 1700000000000000000ull,
			 .dump_ns = 5000, .ring_capacity = 4096, .reason = VTB_REASON_EXCEPTION };
	vtb_writer *w = vtb_writer_open_mem(&h);
	char path[4096], *cause = NULL;
	size_t len;

	if (!w || (sd->chunk_bytes && vtb_writer_set_chunk_bytes(w, sd->chunk_bytes)))
		exit(1);
	sd->fill(w);
	CHECK(vtb_writer_finish(w, &cause));
	const uint8_t *b = vtb_writer_mem(w, &len);
	for (size_t m = 0; m < sizeof(modes); m++) {
		snprintf(path, sizeof(path), "%s/fuzz_vtb/%s-mode%u.bin", dir, sd->name, modes[m]);
		write_file(path, &modes[m], 1, b, len);
	}
	vtb_trace *t = vtb_trace_load_mem(b, len, 0, &cause);
	if (!t) {
		fprintf(stderr, "gen_seeds: %s: %s\n", sd->name, cause);
		exit(1);
	}
	view_seed(dir, sd->name, 0, b, len);
	view_seed(dir, sd->name, 2 | 4 * 7, b, len);
	snprintf(path, sizeof(path), "%s/fuzz_json/%s.json", dir, sd->name);
	CHECK(vtb_json_export(t, path, NULL, NULL, &cause));
	size_t jlen;
	uint8_t *j = read_all(path, &jlen);
	view_seed(dir, sd->name, 1, j, jlen);
	view_seed(dir, sd->name, 1 | 4 * 11, j, jlen);
	free(j);
	snprintf(path, sizeof(path), "%s/fuzz_json/%s.json.gz", dir, sd->name);
	CHECK(vtb_json_export(t, path, NULL, NULL, &cause));
	vtb_trace_free(t);
	vtb_writer_free(w);
}

/* A ring file (tests/ring_fixture.h's sample) and a wrapped one, for fuzz_ring. */
static void ring_seeds(const char *dir)
{
	char path[4096];
	rf_ring r;

	rf_sample(&r);
	snprintf(path, sizeof(path), "%s/fuzz_ring/sample.ring", dir);
	write_file(path, (const uint8_t *)"", 0, r.buf, r.len);
	r.h->state = VTB_RING_RECORDING;
	for (int i = 0; i < 40; i++)
		rf_push(&r, 3000000 + (uint64_t)i, (uint32_t)(i % 3), 0, i % 2 ? VTB_RK_END : VTB_RK_BEGIN);
	snprintf(path, sizeof(path), "%s/fuzz_ring/wrapped.ring", dir);
	write_file(path, (const uint8_t *)"", 0, r.buf, r.len);
	free(r.buf);
}

int main(int argc, char **argv)
{
	char path[4096];

	if (argc != 2) {
		fprintf(stderr, "usage: gen_seeds DIR\n");
		return 2;
	}
	make_dir(argv[1]);
	snprintf(path, sizeof(path), "%s/fuzz_vtb", argv[1]);
	make_dir(path);
	snprintf(path, sizeof(path), "%s/fuzz_json", argv[1]);
	make_dir(path);
	snprintf(path, sizeof(path), "%s/fuzz_ring", argv[1]);
	make_dir(path);
	snprintf(path, sizeof(path), "%s/fuzz_view", argv[1]);
	make_dir(path);
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		one_seed(argv[1], &seeds[i]);
	ring_seeds(argv[1]);
	for (size_t k = 0; k < EDGE_COUNT; k++)
		raw_edge(argv[1], k);
	return 0;
}
