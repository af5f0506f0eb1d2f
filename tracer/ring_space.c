/* SPDX-License-Identifier: MIT */
/* ring_space.c: the ring file's space, reserved as it is first written, a chunk at a time.
 *
 * Reserving the whole file at start (posix_fallocate of 25 MB by default) cost about 9 ms of
 * CPU on every start, for a ring most short runs never fill. Instead each region of the file
 * (records, arena, name and thread tables) is reserved as its writer first reaches a chunk
 * it has not reserved: MADV_POPULATE_WRITE allocates the pages and maps them, and where the
 * file system has no room it fails with an error where a store would have raised SIGBUS.
 * The records' writer reaches that test on the branch the hot path already had: the next
 * slot is compared with vt.lim, the end of what is reserved, instead of the capacity
 * (vt_push_word_try), and the wrap and the reservation share the out-of-line branch.
 *
 * A chunk that finds no room: the ring shrinks to what it has (its capacity in the header too,
 * before any record beyond it is published, so readers' slot = i % capacity stays right), the
 * arena wraps at what it has, the tables count as full; one warning goes to the tracer's
 * stderr. A file system that says at start it has no room for the whole file is refused then,
 * as before (ring.c falls back to anonymous memory). Kernels before 5.14 (no
 * MADV_POPULATE_WRITE) reserve the whole file at start. */
#include "tracer/vt.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "common/vtb.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14; older kernels say EINVAL */
#endif

/* Bytes reserved at a time: in the tables, in the records and the arena, and the records
 * reserved at start (a page costs about 2 us to reserve: a short run reserves 20 or so). */
#define SPACE_CHUNK (16u << 10)
#define SPACE_RECORDS_CHUNK (256u << 10)
#define SPACE_FIRST_RECORDS (32u << 10)

enum { SPACE_RECORDS, SPACE_ARENA, SPACE_CODES, SPACE_THREADS, SPACE_STRINGS, SPACE_REGIONS };

static struct {
	vtb_ring_header *h;            /* the mapping, NULL before the first */
	size_t map_bytes;
	const char *path;              /* its file (ring.c's buffer: "" when anonymous) */
	int lazy;                      /* a file whose space is reserved chunk by chunk */
	int err_fd;                    /* the tracer's stderr (-1: say nothing) */
	int full[SPACE_REGIONS];       /* a chunk found no room: nothing more is tried (warned) */
	uint64_t off[SPACE_REGIONS], bytes[SPACE_REGIONS];
	uint64_t ready[SPACE_REGIONS]; /* bytes from the region's start reserved */
	uint64_t reserved;             /* file bytes reserved in all */
	uint64_t limit;                /* VTRACE_TEST_RING_ROOM: a file system with this much room */
	int old_kernel;                /* VTRACE_TEST_NO_POPULATE: as if MADV_POPULATE_WRITE failed */
} sp = { .err_fd = -1 };

/* Reserves file bytes [off, off + len) of the mapping at m: 0, or -errno (EINVAL: the
 * kernel cannot; EFAULT or ENOMEM: no room). */
static int populate(void *m, size_t map_bytes, uint64_t off, uint64_t len)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), lo = off / page * page;
	uint64_t hi = (off + len + page - 1) / page * page;
	if (hi > map_bytes)
		hi = map_bytes;
	if (hi <= lo)
		return 0;
	if (sp.old_kernel)
		return -EINVAL;
	if (sp.limit && sp.reserved + (hi - lo) > sp.limit)
		return -EFAULT;
	for (int tries = 0; tries < 8; tries++) {
		if (madvise((char *)m + lo, hi - lo, MADV_POPULATE_WRITE) == 0) {
			sp.reserved += hi - lo;
			return 0;
		}
		if (errno != EINTR && errno != EAGAIN)
			break;
	}
	return -errno;
}

/* What a ring file reserves first: the header and a chunk of records (the hot path writes
 * the slot it is at, and tests only the slot after it against vt.lim). */
static uint64_t first_bytes(const vtb_ring_header *layout)
{
	uint64_t records = layout->capacity * sizeof(vt_record);
	return layout->records_off + (records < SPACE_FIRST_RECORDS ? records : SPACE_FIRST_RECORDS);
}

int vt_space_probe(void *m, size_t map_bytes, const vtb_ring_header *layout, int fd)
{
	struct statvfs st;
	const char *room = getenv("VTRACE_TEST_RING_ROOM"); /* tests: a file system this small */
	const char *old = getenv("VTRACE_TEST_NO_POPULATE");  /* tests: a kernel before 5.14 */
	sp.limit = room && *room ? strtoull(room, NULL, 10) : 0;
	sp.old_kernel = old && *old;
	sp.reserved = 0;
	/* A file system that says it is too small is refused now, not a chunk at a time
	 * (tmpfs without a size limit reports no blocks at all). */
	if (fstatvfs(fd, &st) == 0 && st.f_blocks &&
	    (uint64_t)st.f_bavail * st.f_frsize < layout->file_bytes)
		return -1;
	int rc = populate(m, map_bytes, 0, first_bytes(layout));
	if (rc == -EINVAL) /* an older kernel: the whole file now, as before */
		return posix_fallocate(fd, 0, (off_t)layout->file_bytes) == 0 ? 1 : -1;
	return rc == 0 ? 0 : -1;
}

static void region(int r, uint64_t off, uint64_t bytes, int all)
{
	sp.full[r] = 0;
	sp.off[r] = off;
	sp.bytes[r] = bytes;
	sp.ready[r] = all ? bytes : 0;
}

void vt_space_attach(vtb_ring_header *h, size_t map_bytes, int lazy, const char *path)
{
	sp.h = h;
	sp.path = path;
	sp.map_bytes = map_bytes;
	sp.lazy = lazy;
	region(SPACE_RECORDS, h->records_off, h->capacity * sizeof(vt_record), !lazy);
	region(SPACE_ARENA, h->arena_off, h->arena_bytes, !lazy);
	region(SPACE_CODES, h->codes_off, h->code_cap * sizeof(vtb_ring_code), !lazy);
	region(SPACE_THREADS, h->threads_off, h->thread_cap * sizeof(vtb_ring_thread), !lazy);
	region(SPACE_STRINGS, h->strings_off, h->strings_bytes, !lazy);
	if (lazy)
		sp.ready[SPACE_RECORDS] = first_bytes(h) - h->records_off;
	vt.lim = sp.ready[SPACE_RECORDS] / sizeof(vt_record);
	vt.arena.ready = sp.ready[SPACE_ARENA];
}

void vt_space_set_err_fd(int fd)
{
	sp.err_fd = fd;
}

/* The one warning of a region that found no room, to the tracer's stderr (write(2) alone:
 * this runs on the hot path's out-of-line branch). */
static void warn_full(int r)
{
	static const char *const what[SPACE_REGIONS] = {
		[SPACE_RECORDS] = "the ring keeps %llu events from now on (of %llu)",
		[SPACE_ARENA] = "the arena keeps %llu bytes of texts from now on (of %llu)",
		[SPACE_CODES] = "names past %llu of %llu table entries are not kept in it",
		[SPACE_THREADS] = "threads past %llu of %llu table entries are not kept in it",
		[SPACE_STRINGS] = "names past %llu of %llu bytes are not kept in it",
	};
	unsigned long long have = sp.ready[r], of = sp.bytes[r];
	if (r == SPACE_RECORDS || r == SPACE_CODES || r == SPACE_THREADS) {
		uint64_t each = r == SPACE_RECORDS ? sizeof(vt_record) : r == SPACE_CODES ?
			sizeof(vtb_ring_code) : sizeof(vtb_ring_thread);
		have /= each;
		of /= each;
	}
	char line[PATH_MAX + 256], consequence[160];
	snprintf(consequence, sizeof consequence, what[r], have, of);
	int n = snprintf(line, sizeof line, "vtrace: no room left for the ring file %s: %s\n",
			 sp.path ? sp.path : "", consequence);
	if (sp.err_fd >= 0 && n > 0)
		(void)!write(sp.err_fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

/* Region r reserved up to `end` bytes from its start (a chunk more at a time): 0, or -1
 * when the file system has no room (warned once; the region's later calls fail at once). */
static int reserve(int r, uint64_t end)
{
	if (end <= sp.ready[r])
		return 0;
	if (end > sp.bytes[r] || sp.full[r] || !sp.lazy)
		return -1;
	uint64_t chunk = r == SPACE_RECORDS || r == SPACE_ARENA ? SPACE_RECORDS_CHUNK : SPACE_CHUNK;
	uint64_t to = (end + chunk - 1) / chunk * chunk;
	if (to > sp.bytes[r])
		to = sp.bytes[r];
	if (populate(sp.h, sp.map_bytes, sp.off[r] + sp.ready[r], to - sp.ready[r]) < 0) {
		sp.full[r] = 1;
		warn_full(r);
		return -1;
	}
	sp.ready[r] = to;
	return 0;
}

/* The slot after `next` == vt.lim: 0 at the wrap, else `next` once more of the file is
 * reserved, or 0 in a ring shrunk to `next` slots when the file system has no room. */
static uint64_t next_slot(uint64_t next)
{
	if (next >= vt.cap)
		return 0;
	if (reserve(SPACE_RECORDS, (next + 1) * sizeof(vt_record)) == 0) {
		vt.lim = sp.ready[SPACE_RECORDS] / sizeof(vt_record);
		return next;
	}
	/* The header says so before the record that makes head pass `next` is published. */
	vt.cap = vt.lim = next;
	__atomic_store_n(&sp.h->capacity, next, __ATOMIC_RELEASE);
	return 0;
}

void vt_push_word_slow(uint64_t ticks, uint64_t word)
{
	uint64_t pos = vt.pos, total = vt.total + 1;
	vt.pos = next_slot(pos + 1);
	vt.total = total;
	vt_put(pos, total, vt.ring_head, ticks, word);
}

int vt_arena_grow(uint64_t end)
{
	if (reserve(SPACE_ARENA, end) < 0)
		return -1;
	vt.arena.ready = sp.ready[SPACE_ARENA];
	return 0;
}

int vt_space_codes(uint64_t count)
{
	return reserve(SPACE_CODES, count * sizeof(vtb_ring_code));
}

int vt_space_threads(uint64_t count)
{
	return reserve(SPACE_THREADS, count * sizeof(vtb_ring_thread));
}

int vt_space_strings(uint64_t end)
{
	return reserve(SPACE_STRINGS, end);
}
