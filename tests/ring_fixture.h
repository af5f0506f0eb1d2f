/* SPDX-License-Identifier: MIT */
/* ring_fixture.h: small ring files made by hand (common/vtb.h's layout), for the ring
 * reader's tests and the fuzz seeds. Tables are small so a file is a few KB. Static
 * functions: one copy per user. */
#ifndef VTUI_TESTS_RING_FIXTURE_H
#define VTUI_TESTS_RING_FIXTURE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/vtb.h"

#define RF_CAP 32u
#define RF_ARENA 1024u
#define RF_CODES 8u
#define RF_THREADS 4u
#define RF_STRINGS 256u

typedef struct rf_ring {
	uint8_t *buf;
	size_t len;
	vtb_ring_header *h;
} rf_ring;

/* An empty ring of `cap` records for this process (alive), state `state`, ticks in ns. */
static inline void rf_init_cap(rf_ring *r, uint32_t state, uint64_t cap)
{
	vtb_ring_header h;
	memset(&h, 0, sizeof h);
	memcpy(h.magic, VTB_RING_MAGIC, 8);
	h.version = VTB_RING_VERSION;
	h.header_bytes = VTB_RING_HEADER_BYTES;
	h.record_bytes = sizeof(vtb_ring_record);
	h.pid = (uint32_t)getpid();
	h.capacity = cap;
	h.records_off = VTB_RING_HEADER_BYTES;
	h.arena_off = h.records_off + cap * sizeof(vtb_ring_record);
	h.arena_bytes = RF_ARENA;
	h.codes_off = h.arena_off + RF_ARENA;
	h.code_cap = RF_CODES;
	h.threads_off = h.codes_off + RF_CODES * sizeof(vtb_ring_code);
	h.thread_cap = RF_THREADS;
	h.strings_off = h.threads_off + RF_THREADS * sizeof(vtb_ring_thread);
	h.strings_bytes = RF_STRINGS;
	h.file_bytes = h.strings_off + RF_STRINGS;
	h.base_ns = 0;
	h.strings_used = 1;
	h.state = state;
	h.crash_thread = -1;
	strcpy(h.cmdline, "python3 prog.py");
	strcpy(h.python_version, "3.12.1");
	r->len = h.file_bytes;
	r->buf = calloc(1, r->len);
	memcpy(r->buf, &h, sizeof h);
	r->h = (vtb_ring_header *)r->buf;
}

static inline void rf_init(rf_ring *r, uint32_t state)
{
	rf_init_cap(r, state, RF_CAP);
}

static inline uint32_t rf_str(rf_ring *r, const char *s)
{
	uint32_t off = (uint32_t)r->h->strings_used;
	memcpy(r->buf + r->h->strings_off + off, s, strlen(s) + 1);
	r->h->strings_used += strlen(s) + 1;
	return off;
}

static inline uint32_t rf_code(rf_ring *r, const char *name)
{
	vtb_ring_code c = { rf_str(r, name), rf_str(r, "prog.py"), 1, 0 };
	memcpy(r->buf + r->h->codes_off + r->h->code_count * sizeof c, &c, sizeof c);
	return r->h->code_count++;
}

static inline uint32_t rf_thread(rf_ring *r, uint64_t tid, const char *name)
{
	vtb_ring_thread t = { tid, tid, name ? rf_str(r, name) : 0, 0 };
	memcpy(r->buf + r->h->threads_off + r->h->thread_count * sizeof t, &t, sizeof t);
	return r->h->thread_count++;
}

static inline void rf_push(rf_ring *r, uint64_t ns, uint32_t id, uint16_t thread, uint16_t kind)
{
	vtb_ring_record rec = { ns, id, thread, kind };
	memcpy(r->buf + r->h->records_off + (r->h->head % r->h->capacity) * sizeof rec, &rec, sizeof rec);
	r->h->head++;
}

/* A data record with its blob (text) in the arena. */
static inline void rf_data(rf_ring *r, uint64_t ns, uint16_t thread, uint16_t kind, uint32_t name, const char *text)
{
	vtb_ring_blob b = { r->h->arena_head, 0, name, 0, (uint32_t)strlen(text), 0 };
	b.len_bytes = (uint32_t)((sizeof b + b.text_len + 7) & ~7u);
	uint64_t off = r->h->arena_head % RF_ARENA;
	memcpy(r->buf + r->h->arena_off + off, &b, sizeof b);
	memcpy(r->buf + r->h->arena_off + off + sizeof b, text, b.text_len);
	uint64_t pos = r->h->arena_head;
	r->h->arena_head += b.len_bytes;
	rf_push(r, ns, (uint32_t)pos, thread, kind);
}

/* main > work > leaf twice, an instant, then work still open: a crash in worker-2. */
static inline void rf_sample(rf_ring *r)
{
	rf_init(r, VTB_RING_CRASHED);
	uint32_t main_id = rf_code(r, "__main__.main"), work = rf_code(r, "__main__.work");
	uint32_t leaf = rf_code(r, "__main__.leaf"), mark = rf_code(r, "here");
	uint16_t t = (uint16_t)rf_thread(r, 4242, "worker-2");
	rf_push(r, 2000000, main_id, t, VTB_RK_BEGIN);
	rf_push(r, 2000100, work, t, VTB_RK_BEGIN);
	rf_push(r, 2000200, leaf, t, VTB_RK_BEGIN);
	rf_push(r, 2000300, leaf, t, VTB_RK_END);
	rf_data(r, 2000350, t, VTB_RK_INSTANT, mark, "x=1");
	rf_push(r, 2000400, leaf, t, VTB_RK_BEGIN);
	rf_push(r, 2000500, leaf, t, VTB_RK_END_EXC);
	r->h->signal = 11;
	r->h->crash_tid = 4242;
	r->h->crash_thread = t;
	r->h->end_ticks = 2000600;
}

#endif
