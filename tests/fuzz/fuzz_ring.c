/* SPDX-License-Identifier: MIT */
/* fuzz_ring.c: libFuzzer target for the ring file reader (common/ring.c, ring_decode.c):
 * a black box left in the ring directory is read without trusting a byte of it.
 *
 * Input: the ring file. It is opened through a memfd, its header read, and two snapshots
 * taken (the repeated-snapshot use of a live view). Then the file is shown to a new reader
 * as it was when its writer had written half as many records, and grown back to the input:
 * the reader's second snapshot decodes only the rest into the model it kept. Oracles
 * besides crashes and sanitizers: a failure says why; a model keeps the contract of vtb.h
 * (fuzz_check.h); nothing decoded exceeds the ring's capacity; the two snapshots of an
 * unchanging file agree, and agree with a third reader's whose decode takes every record
 * through the general path (ring_lean = 0, the lean path's oracle).
 */
#include "tests/fuzz/fuzz_file.h"
#include "tests/fuzz/fuzz_check.h"

#include "common/vtb.h"
#include "common/ring_internal.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static vtb_trace *snapshot(vtb_ring *r, vtb_ring_snap_stats *st)
{
	char *cause = NULL;
	vtb_trace *t = vtb_ring_snapshot(r, st, &cause);

	if (!t) {
		FZ_REQUIRE(cause != NULL && *cause != '\0');
	} else {
		FZ_REQUIRE(cause == NULL);
		fz_check_trace(t);
		FZ_REQUIRE(st->records <= vtb_trace_header(t)->ring_capacity);
		FZ_REQUIRE(vtb_trace_call_count(t) <= st->records + 2 * 65535);
	}
	free(cause);
	return t;
}

/* A new reader's snapshot of the file at `path` decoded on the general path only. */
static vtb_trace *general_snapshot(const char *path, vtb_ring_snap_stats *st)
{
	char *cause = NULL;
	vtb_ring *r = NULL;
	vtb_trace *t = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	FZ_REQUIRE(fd >= 0);
	if (vtb_ring_open_fd(fd, "fuzz.ring", &r, &cause) == 0) {
		ring_lean = 0;
		t = snapshot(r, st);
		ring_lean = 1;
	}
	close(fd);
	free(cause);
	vtb_ring_close(r);
	return t;
}

/* The input's ring seen first with half its records written, then whole. */
static void grown(const uint8_t *data, size_t size)
{
	char path[32], *cause = NULL;
	vtb_ring *r = NULL;
	vtb_ring_header h;
	vtb_ring_snap_stats a;
	uint8_t *half = malloc(size);

	FZ_REQUIRE(half != NULL);
	memcpy(half, data, size);
	memcpy(&h, half, sizeof h);
	h.head /= 2;
	h.arena_head /= 2;
	memcpy(half, &h, sizeof h);
	fz_file_put(0, half, size, path);
	free(half);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	FZ_REQUIRE(fd >= 0);
	int rc = vtb_ring_open_fd(fd, "fuzz.ring", &r, &cause);
	close(fd);
	free(cause);
	if (rc < 0)
		return;
	vtb_trace_free(snapshot(r, &a));
	fz_file_put(0, data, size, path);
	vtb_trace_free(snapshot(r, &a));
	vtb_ring_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[32], *cause = NULL;
	vtb_ring *r = NULL;
	vtb_ring_info info;
	vtb_ring_snap_stats a, b;

	fz_file_put(0, data, size, path);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	FZ_REQUIRE(fd >= 0);
	int rc = vtb_ring_open_fd(fd, "fuzz.ring", &r, &cause);
	close(fd);
	if (rc < 0) {
		FZ_REQUIRE(cause != NULL && *cause != '\0');
		free(cause);
		return 0;
	}
	if (vtb_ring_info_read(r, &info, &cause) == 0)
		FZ_REQUIRE(memchr(info.state_text, '\0', sizeof info.state_text) != NULL);
	free(cause);
	vtb_trace *t = snapshot(r, &a), *u = snapshot(r, &b), *g = general_snapshot(path, &b);
	FZ_REQUIRE(!t == !u && !t == !g);
	if (t && u) {
		FZ_REQUIRE(a.records == b.records);
		FZ_REQUIRE(vtb_trace_call_count(t) == vtb_trace_call_count(u));
		FZ_REQUIRE(vtb_trace_event_count(t) == vtb_trace_event_count(u));
		FZ_REQUIRE(vtb_trace_call_count(t) == vtb_trace_call_count(g));
		FZ_REQUIRE(vtb_trace_event_count(t) == vtb_trace_event_count(g));
		FZ_REQUIRE(vtb_trace_string_count(t) == vtb_trace_string_count(g));
	}
	vtb_trace_free(t);
	vtb_trace_free(u);
	vtb_trace_free(g);
	vtb_ring_close(r);
	if (size >= sizeof(vtb_ring_header))
		grown(data, size);
	return 0;
}
