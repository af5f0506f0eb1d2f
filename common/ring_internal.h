/* SPDX-License-Identifier: MIT */
/* ring_internal.h: what ring.c and ring_decode.c share (not a public header). */
#ifndef VTUI_RING_INTERNAL_H
#define VTUI_RING_INTERNAL_H

#include <stdint.h>
#include <time.h>

#include "common/vtb.h"

#define VTB_RING_MAX_CODES (1u << 24) /* more names than any program has: a lying header */
#define RING_ROW_BIG 4096u /* slices: a row that holds more lives in a mapping (ring_model.c) */

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
	struct ring_live *live;  /* the decoded model kept between snapshots (ring_decode.c) */
	/* The file mapped shared and read-only, for vtb_ring_read (NULL until then, or when
	 * the mapping failed: map_failed). */
	const uint8_t *map;
	size_t map_bytes;
	int map_failed;
};

/* What the decoder keeps of one timeline between snapshots: slot 0 is GC, slot 1 the
 * threads past the table ("(more threads)"), slot 2 + i thread table entry i. */
typedef struct ring_slot {
	int32_t th;              /* its thread in the model, -1 until it has one */
	uint64_t last_ns;        /* times of a thread never go back */
	uint64_t skip;           /* levels of begins past the depth limit */
	int can_retval;          /* the last call record was an end (end_depth, end_index) */
	uint32_t end_depth, end_index;
	int restamp;             /* rows moved down a level: their slices' depth fields are stale */
} ring_slot;

/* The decoded model between snapshots: a trace under construction (never finished) that
 * each snapshot appends the new records to, evicts what the writer overwrote from, and
 * copies out (ring_model.c). */
typedef struct ring_live {
	vtb_trace *acc;
	int valid;               /* acc follows the ring up to `head` */
	int seen;                /* `head` is where the last snapshot stopped */
	uint64_t head;           /* ring position decoded up to */
	uint64_t window_pos;     /* ring position of the oldest record the model holds */
	uint64_t window_ns;      /* its time: nothing in the model starts before it */
	uint64_t last_ns;        /* the latest time decoded */
	uint64_t text_bytes;     /* text copied into acc since the last full decode */
	vtb_ring_header id;      /* the header of the last full decode: a change means start over */
	double ns_per_tick;
	uint64_t tick_whole, tick_frac; /* ns_per_tick as an integer and 64 bits of fraction */
	ring_slot *slots;
	size_t nslots;
	uint32_t *str_of;        /* code id -> string id of acc (0 is "<unknown>") */
	size_t ncodes, str_cap;
	uint32_t *str_hash;      /* string id + 1 by (name, file, line); 0 empty */
	size_t str_hcap;
	struct vtb_map_pool *pool; /* row mappings for reuse (a ref; acc and traces hold others) */
	size_t *biggest;         /* by slot: the most calls a row of the last model handed out */
	size_t nbiggest;         /* whole held (a full decode grows big rows to it at once) */
} ring_live;

/* pread all of len bytes at off: 0, VTB_E_IO or VTB_E_TRUNCATED. */
int vtb_ring_pread(int fd, void *buf, size_t len, uint64_t off);
/* len bytes at off, as vtb_ring_pread, copied from the file's mapping where the pages
 * are in memory now (no system call per read, no page looked up by the kernel per 4 KB),
 * else by pread. */
int vtb_ring_read(vtb_ring *r, void *buf, size_t len, uint64_t off);
/* Reads the header into r->h and checks it against the file size. */
int vtb_ring_header_read(vtb_ring *r, char **cause);
/* A string of the copied strings, "?" when the offset or its end lie outside. */
const char *vtb_ring_str(const vtb_ring *r, uint64_t off);
const char *vtb_ring_thread_name(const vtb_ring *r, uint64_t i);
void vtb_ring_fill_info(vtb_ring *r, vtb_ring_info *in);

/* ring_model.c: the live model. */
struct vtb_rthread;
struct vtb_rrow;
/* Empty acc (a new trace) with string 0 "<unknown>"; slots forgotten. 0 or VTB_E_NOMEM. */
int ring_live_reset(ring_live *lv);
void ring_live_free(ring_live *lv);
/* The string id of acc for (name, file, line), added when new; negative on no memory. */
int64_t ring_live_string(ring_live *lv, const char *name, const char *file, uint32_t line);
/* The model thread of slot `i` (created with `name`, `tid`), or NULL on no memory. */
struct vtb_rthread *ring_live_thread(ring_live *lv, size_t i, uint32_t pid, uint64_t tid, const char *name);
/* An end whose begin the model never saw and that encloses everything the thread holds:
 * the thread's calls move one level down under it, from `from_ns` to `ns`. */
int ring_live_outer(ring_live *lv, ring_slot *s, uint64_t from_ns, uint64_t ns, uint32_t str, uint32_t flags);
/* Room for `want` slices in row r, which moves into (or grows in) a mapping. 0 or VTB_E_NOMEM. */
int ring_row_reserve(ring_live *lv, struct vtb_rrow *r, size_t want);
/* Drops what ended before `ns`; calls that began before it begin there (entry lost). */
int ring_live_evict(ring_live *lv, uint64_t ns);
/* A finished copy of acc with header `h` (its strings copied), open calls closed at the
 * dump; threads in slot order, empty ones left out. NULL on no memory. (acc's slices get
 * their depth fields set first.) */
vtb_trace *ring_live_copy(ring_live *lv, const vtb_header *h);
/* The same without the copy: acc itself becomes the trace, and the next snapshot decodes
 * the ring anew (for a writer that laps the reader between snapshots anyway). */
vtb_trace *ring_live_take(ring_live *lv, const vtb_header *h);

/* 1 (the default): runs of plain calls take the decode's lean path; 0: every record the
 * general one (tests check that both build the same model). */
extern int ring_lean;

/* Does the open file start like a ring file? */
int vtb_ring_fd_is(int fd);
/* Open, snapshot and close: vtb_trace_load's way into a ring file. */
vtb_trace *vtb_ring_load(const char *path, char **cause);

#endif
