/* SPDX-License-Identifier: MIT */
/* ring_internal.h: what ring.c and ring_decode.c share (not a public header). */
#ifndef VTUI_RING_INTERNAL_H
#define VTUI_RING_INTERNAL_H

#include <stdint.h>
#include <time.h>

#include "common/vtb.h"

#define VTB_RING_MAX_CODES (1u << 24) /* more names than any program has: a lying header */

struct vtb_ring {
	int fd;
	char *path;
	uint64_t file_bytes;     /* as fstat says now */
	time_t mtime;
	vtb_ring_header h;       /* the last header read, checked and clamped */
	/* The copies of the last snapshot (reused by the next one). */
	vtb_ring_record *records;
	size_t records_cap;      /* records */
	uint8_t *arena;
	size_t arena_cap;        /* bytes */
	vtb_ring_code *codes;
	size_t codes_cap, code_count;
	vtb_ring_thread *threads;
	size_t threads_cap, thread_count;
	char *strings;
	size_t strings_cap, strings_len;
};

/* pread all of len bytes at off: 0, VTB_E_IO or VTB_E_TRUNCATED. */
int vtb_ring_pread(int fd, void *buf, size_t len, uint64_t off);
/* Reads the header into r->h and checks it against the file size. */
int vtb_ring_header_read(vtb_ring *r, char **cause);
/* Copies the code and thread tables and their strings (counts from r->h). */
int vtb_ring_copy_tables(vtb_ring *r, char **cause);
/* A string of the copied strings, "?" when the offset or its end lie outside. */
const char *vtb_ring_str(const vtb_ring *r, uint64_t off);
const char *vtb_ring_thread_name(const vtb_ring *r, uint64_t i);
void vtb_ring_fill_info(vtb_ring *r, vtb_ring_info *in);

/* Does the open file start like a ring file? */
int vtb_ring_fd_is(int fd);
/* Open, snapshot and close: vtb_trace_load's way into a ring file. */
vtb_trace *vtb_ring_load(const char *path, char **cause);

#endif
