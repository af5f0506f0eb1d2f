/* SPDX-License-Identifier: MIT */
/* bench_ring_decode.c: what vtb_ring_snapshot costs on a ring file this program writes
 * itself, so the figure (and a profile: perf, callgrind) does not depend on a Python
 * program's pace. The ring holds CAP records of busy.py's pattern (mid calling leaf twice,
 * under a <module> call that never ends) for this process (alive, recording). Each round
 * the writer appends NEW records, then one reader that stays open snapshots it: NEW above
 * CAP laps the reader (every snapshot decodes the whole ring anew, as under a fast
 * writer); below it, the snapshot decodes the NEW records into the model it kept.
 * Prints the medians of CPU time (CLOCK_PROCESS_CPUTIME_ID) of the snapshot alone and of
 * the snapshot plus freeing the previous trace (what a viewer's swap frees).
 * With BENCH_ARGS=1 in the environment, each begin is followed by an ARGS record (a text
 * in the arena, as `vtrace --args` writes): the decode's general path, record by record.
 * Usage: bench_ring_decode CAP NEW [ROUNDS]   (the file goes to $TMPDIR, default /dev/shm) */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench/bench_util.h"
#include "common/vtb.h"

typedef struct writer {
	uint8_t *map;
	vtb_ring_header *h;
	uint64_t ns;
	unsigned phase;
	int args;               /* an ARGS record after each begin */
} writer;

/* The ring's layout; an arena that holds the texts of a whole ring's calls when `args`. */
static uint64_t layout(vtb_ring_header *h, uint64_t cap, int args)
{
	memset(h, 0, sizeof *h);
	memcpy(h->magic, VTB_RING_MAGIC, 8);
	h->version = VTB_RING_VERSION;
	h->header_bytes = VTB_RING_HEADER_BYTES;
	h->record_bytes = sizeof(vtb_ring_record);
	h->pid = (uint32_t)getpid();
	h->proc_start = vtb_ring_proc_start(h->pid);
	h->capacity = cap;
	h->records_off = VTB_RING_HEADER_BYTES;
	h->arena_off = h->records_off + cap * sizeof(vtb_ring_record);
	h->arena_bytes = args ? cap * 16 : 1u << 16;
	h->codes_off = h->arena_off + h->arena_bytes;
	h->code_cap = 64;
	h->threads_off = h->codes_off + h->code_cap * sizeof(vtb_ring_code);
	h->thread_cap = 16;
	h->strings_off = h->threads_off + h->thread_cap * sizeof(vtb_ring_thread);
	h->strings_bytes = 4096;
	h->file_bytes = h->strings_off + h->strings_bytes;
	h->strings_used = 1;
	h->state = VTB_RING_RECORDING;
	h->crash_thread = -1;
	h->base_ns = 1000000;
	snprintf(h->cmdline, sizeof h->cmdline, "python3 busy.py");
	snprintf(h->python_version, sizeof h->python_version, "3.11.7");
	return h->file_bytes;
}

static uint32_t add_code(writer *w, const char *name)
{
	vtb_ring_header *h = w->h;
	vtb_ring_code c = { (uint32_t)h->strings_used, 0, 1, 0 };
	memcpy(w->map + h->strings_off + h->strings_used, name, strlen(name) + 1);
	h->strings_used += strlen(name) + 1;
	memcpy(w->map + h->codes_off + h->code_count * sizeof c, &c, sizeof c);
	return h->code_count++;
}

static void push(writer *w, uint32_t id, uint16_t kind)
{
	vtb_ring_header *h = w->h;
	vtb_ring_record rec = { w->ns, id, 0, kind };
	w->ns += 40 + (w->ns % 7);
	memcpy(w->map + h->records_off + (h->head % h->capacity) * sizeof rec, &rec, sizeof rec);
	h->head++;
}

/* An ARGS record: its blob (no blob straddles the arena's end: the rest of it is skipped). */
static void push_args(writer *w)
{
	vtb_ring_header *h = w->h;
	uint64_t off = h->arena_head % h->arena_bytes;
	vtb_ring_blob b = { 0, 0, 1, 0, 3, 40 };
	if (off + b.len_bytes > h->arena_bytes) {
		h->arena_head += h->arena_bytes - off;
		off = 0;
	}
	b.stamp = h->arena_head;
	memcpy(w->map + h->arena_off + off, &b, sizeof b);
	memcpy(w->map + h->arena_off + off + sizeof b, "x=1", 3);
	h->arena_head += b.len_bytes;
	push(w, (uint32_t)b.stamp, VTB_RK_ARGS);
}

/* The next n records of: mid begin, leaf begin, leaf end, leaf begin, leaf end, mid end
 * (each begin followed by its ARGS record when w->args). */
static void write_records(writer *w, uint64_t n)
{
	static const uint16_t kinds[6] = { VTB_RK_BEGIN, VTB_RK_BEGIN, VTB_RK_END, VTB_RK_BEGIN, VTB_RK_END, VTB_RK_END };
	static const uint32_t ids[6] = { 1, 2, 2, 2, 2, 1 };
	for (uint64_t i = 0; i < n; i++, w->phase = (w->phase + 1) % 6) {
		push(w, ids[w->phase], kinds[w->phase]);
		if (w->args && kinds[w->phase] == VTB_RK_BEGIN && ++i < n)
			push_args(w);
	}
}

static double cpu_ms(void)
{
	return bench_clock_s(CLOCK_PROCESS_CPUTIME_ID) * 1e3;
}

int main(int argc, char **argv)
{
	uint64_t cap = argc > 1 ? strtoull(argv[1], NULL, 10) : 0, fresh = argc > 2 ? strtoull(argv[2], NULL, 10) : 0;
	int rounds = argc > 3 ? atoi(argv[3]) : 20;
	const char *tmp = getenv("TMPDIR");
	char path[4096], *cause = NULL;
	vtb_ring_header h;
	writer w = { 0 };
	vtb_ring *r = NULL;

	if (cap < 16 || rounds < 1) {
		fprintf(stderr, "usage: bench_ring_decode CAP NEW [ROUNDS]\n");
		return 2;
	}
	snprintf(path, sizeof path, "%s/bench-ring-%d.ring", tmp && *tmp ? tmp : "/dev/shm", (int)getpid());
	int args = getenv("BENCH_ARGS") && !strcmp(getenv("BENCH_ARGS"), "1");
	uint64_t bytes = layout(&h, cap, args);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)bytes) < 0 ||
	    (w.map = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED) {
		perror(path);
		return 1;
	}
	close(fd);
	memcpy(w.map, &h, sizeof h);
	w.h = (vtb_ring_header *)w.map;
	w.ns = h.base_ns + 1000;
	w.args = args;
	add_code(&w, "<module>");
	add_code(&w, "mid");
	add_code(&w, "leaf");
	vtb_ring_thread th = { 1, (uint64_t)getpid(), 0, 0 };
	memcpy(w.map + h.threads_off, &th, sizeof th);
	w.h->thread_count = 1;
	push(&w, 0, VTB_RK_BEGIN);
	write_records(&w, cap + cap / 3);
	if (vtb_ring_open(path, &r, &cause) < 0) {
		fprintf(stderr, "bench_ring_decode: %s\n", cause);
		return 1;
	}
	double *snap = calloc((size_t)rounds, sizeof(double)), *with_free = calloc((size_t)rounds, sizeof(double));
	vtb_trace *prev = vtb_ring_snapshot(r, NULL, &cause);
	size_t calls = 0;
	vtb_ring_snap_stats st = { 0 };
	for (int i = 0; i < rounds && prev; i++) {
		write_records(&w, fresh);
		double t0 = cpu_ms();
		vtb_trace *t = vtb_ring_snapshot(r, &st, &cause);
		snap[i] = cpu_ms() - t0;
		vtb_trace_free(prev);
		with_free[i] = cpu_ms() - t0;
		prev = t;
		calls = t ? vtb_trace_call_count(t) : 0;
	}
	if (!prev) {
		fprintf(stderr, "bench_ring_decode: %s\n", cause ? cause : "?");
		return 1;
	}
	printf("ring %llu records, %llu new per round: the last snapshot decoded %llu, holds %zu calls\n",
	       (unsigned long long)cap, (unsigned long long)fresh, (unsigned long long)st.decoded, calls);
	printf("snapshot: median %.2f ms CPU; with freeing the previous trace: median %.2f ms (%d rounds)\n",
	       bench_median(snap, rounds), bench_median(with_free, rounds), rounds);
	vtb_trace_free(prev);
	vtb_ring_close(r);
	munmap(w.map, bytes);
	unlink(path);
	free(snap);
	free(with_free);
	return 0;
}
