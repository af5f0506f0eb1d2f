/* SPDX-License-Identifier: MIT */
/* ring_decode.c: a snapshot of a ring file as a trace model, and the ring's info
 * (vtb_ring_info_read: a crashed ring's names the thread, from the copied tables). The copy is checked against
 * the write position read before and after it: a live writer may have overwritten the
 * oldest records (and the one slot it is writing) meanwhile, and those are dropped and
 * counted. The decode replays each thread as the tracer's dump does: ends whose begins
 * went with the wrap begin at the window start (VTB_CALL_ENTRY_LOST), calls still open at
 * the end are closed there (VTB_CALL_OPEN). The decoded model is kept (ring_model.c): the
 * next snapshot of the same ring decodes only the records written since, unless the writer
 * lapped the reader, whose lost records are counted before it decodes the ring anew. */
#include "common/vtb.h"

#include <errno.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ring_internal.h"
#include "common/trace_internal.h"
#include "common/vtb_internal.h"

#define DEC_MAX_DEPTH 65000u   /* under the format's 65535 open calls per thread */
/* Texts the kept model may gather (evicted ones stay in its arena) before it starts over. */
#define DEC_TEXT_KEEP (64u << 20)
#define DEC_TEXT_MAX 65536u
/* A live writer may be writing the arena just past its head: blobs that close behind the
 * oldest intact byte are not trusted (the tracer's blobs hold at most 4 KB of text). */
#define DEC_BLOB_MARGIN (4096u + 64u)
/* Records copied and decoded at a time: 128 KB, decoded while they are in the cache. */
#define DEC_CHUNK 8192u

static int reserve(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	void *q = realloc(*p, (need ? need : 1) * size);
	if (!q)
		return VTB_E_NOMEM;
	*p = q;
	*cap = need;
	return 0;
}

/* Copies the code and thread tables and their strings (counts from r->h). */
static int copy_tables(vtb_ring *r, char **cause)
{
	const vtb_ring_header *h = &r->h;
	int rc = VTB_E_NOMEM;
	if (reserve((void **)&r->codes, &r->codes_cap, h->code_count, sizeof *r->codes) ||
	    reserve((void **)&r->threads, &r->threads_cap, h->thread_count, sizeof *r->threads) ||
	    reserve((void **)&r->strings, &r->strings_cap, h->strings_used + 1, 1))
		goto fail;
	if ((rc = vtb_ring_pread(r->fd, r->codes, h->code_count * sizeof *r->codes, h->codes_off)) ||
	    (rc = vtb_ring_pread(r->fd, r->threads, h->thread_count * sizeof *r->threads, h->threads_off)) ||
	    (rc = vtb_ring_pread(r->fd, r->strings, h->strings_used, h->strings_off)))
		goto fail;
	r->strings[h->strings_used] = '\0';
	r->code_count = h->code_count;
	r->thread_count = h->thread_count;
	r->strings_len = h->strings_used + 1;
	return 0;
fail:
	r->code_count = r->thread_count = r->strings_len = 0;
	*cause = vtb_fmt("%s: reading the tables: %s", r->path, vtb_strerror(rc));
	return rc;
}

int vtb_ring_info_read(vtb_ring *r, vtb_ring_info *info, char **cause)
{
	*cause = NULL;
	int rc = vtb_ring_header_read(r, cause);
	if (rc < 0)
		return rc;
	if (r->h.state == VTB_RING_CRASHED && (rc = copy_tables(r, cause)) < 0)
		return rc;
	vtb_ring_fill_info(r, info);
	return 0;
}

/* Records [first, first + n) into r->records, in order. */
static int copy_records(vtb_ring *r, uint64_t first, uint64_t n)
{
	uint64_t cap = r->h.capacity, slot = first % cap;
	uint64_t part = n < cap - slot ? n : cap - slot;
	int rc;
	if (reserve((void **)&r->records, &r->records_cap, n, sizeof *r->records))
		return VTB_E_NOMEM;
	rc = vtb_ring_read(r, r->records, part * sizeof *r->records, r->h.records_off + slot * sizeof *r->records);
	if (rc == 0 && part < n)
		rc = vtb_ring_read(r, r->records + part, (n - part) * sizeof *r->records, r->h.records_off);
	return rc;
}

/* ---- the decode ---- */

/* ns_of as the lean path computes it: for t ticks past `ticks`, base + t * whole + t * frac / 2^64,
 * exact up to `max` ticks past the base (lean_setup). */
typedef struct lean_clk {
	uint64_t base, ticks, whole, frac, max;
} lean_clk;

typedef struct dec {
	vtb_ring *r;
	ring_live *lv;
	const vtb_ring_record *rec; /* the last chunk decoded ... */
	uint64_t n;             /* ... how many records ... */
	uint64_t pos;           /* ... and the ring position of the first */
	uint64_t keep, end;     /* the ring positions decoded: [keep, end) */
	uint64_t arena_lo, arena_head; /* arena positions still intact */
	int arena_copied;       /* the arena is copied (at the first data record) */
	int live;               /* a writer may still be writing */
	int full;               /* decoding the whole ring into an empty model */
	uint64_t cap;           /* the ring's capacity when the copy began */
	lean_clk clk;           /* ns_of's terms for the lean path (lean_setup) */
	vtb_ring_snap_stats st;
} dec;

static int is_begin(uint16_t k)
{
	return k == VTB_RK_BEGIN || k == VTB_RK_C_BEGIN || k == VTB_RK_SPAN_BEGIN || k == VTB_RK_GC_BEGIN;
}

static int is_call(uint16_t k)
{
	return k >= VTB_RK_BEGIN && k <= VTB_RK_GC_END;
}

static int is_data(uint16_t k)
{
	return k >= VTB_RK_DATA_FIRST && k <= VTB_RK_TASK;
}

static uint32_t call_flags(uint16_t k)
{
	if (k >= VTB_RK_C_BEGIN && k <= VTB_RK_C_END_EXC)
		return VTB_CALL_C;
	if (k >= VTB_RK_SPAN_BEGIN && k <= VTB_RK_SPAN_END_EXC)
		return VTB_CALL_SPAN;
	if (k == VTB_RK_GC_BEGIN || k == VTB_RK_GC_END)
		return VTB_CALL_GC;
	return 0;
}

/* Slot 0 is GC, slot 1 the threads the table has no entry for, 2 + i thread i. */
static size_t slot_of(const dec *d, const vtb_ring_record *rec)
{
	if (rec->kind == VTB_RK_GC_BEGIN || rec->kind == VTB_RK_GC_END || rec->kind == VTB_RK_GC_INFO)
		return 0;
	return rec->thread < d->r->thread_count ? 2u + rec->thread : 1u;
}

static int slots_ensure(ring_live *lv, size_t n)
{
	if (n <= lv->nslots)
		return 0;
	ring_slot *s = realloc(lv->slots, n * sizeof *s);
	if (!s)
		return VTB_E_NOMEM;
	memset(s + lv->nslots, 0, (n - lv->nslots) * sizeof *s);
	for (size_t i = lv->nslots; i < n; i++) {
		s[i].th = -1;
		s[i].last_ns = lv->window_ns;
	}
	lv->slots = s;
	lv->nslots = n;
	return 0;
}

/* The model's string of code `id`, interned the first time it is used. */
static int64_t str_intern(dec *d, uint32_t id)
{
	ring_live *lv = d->lv;
	if (id >= d->r->code_count || id >= lv->ncodes)
		return 0; /* "<unknown>" */
	if (lv->str_of[id] == UINT32_MAX) {
		const vtb_ring_code *c = &d->r->codes[id];
		int64_t s = ring_live_string(lv, vtb_ring_str(d->r, c->name_off), vtb_ring_str(d->r, c->file_off), c->line);
		if (s < 0)
			return s;
		lv->str_of[id] = (uint32_t)s;
	}
	return lv->str_of[id];
}

static inline __attribute__((always_inline)) int64_t str_for(dec *d, uint32_t id)
{
	if (id < d->lv->ncodes && id < d->r->code_count && d->lv->str_of[id] != UINT32_MAX)
		return d->lv->str_of[id];
	return str_intern(d, id);
}

static int codes_ensure(ring_live *lv, size_t n)
{
	if (n <= lv->ncodes)
		return 0;
	if (reserve((void **)&lv->str_of, &lv->str_cap, n, sizeof *lv->str_of))
		return VTB_E_NOMEM;
	memset(lv->str_of + lv->ncodes, 0xff, (n - lv->ncodes) * sizeof *lv->str_of);
	lv->ncodes = n;
	return 0;
}

/* The name and tid of slot i's timeline as the thread table says now (into buf when made up). */
static const char *slot_name(const dec *d, size_t i, char *buf, size_t len, uint64_t *tid)
{
	if (i < 2) {
		*tid = i == 0 ? UINT32_MAX : UINT32_MAX - 1;
		return i == 0 ? "GC" : "(more threads)";
	}
	*tid = d->r->threads[i - 2].native_id;
	const char *name = vtb_ring_thread_name(d->r, i - 2);
	if (!name && *tid == d->r->h.pid)
		name = "MainThread";
	if (!name) {
		snprintf(buf, len, "Thread-%llu", (unsigned long long)*tid);
		name = buf;
	}
	return name;
}

static struct vtb_rthread *slot_thread(dec *d, size_t i)
{
	char fallback[64];
	uint64_t tid;
	if (d->lv->slots[i].th >= 0)
		return &d->lv->acc->th[d->lv->slots[i].th];
	const char *name = slot_name(d, i, fallback, sizeof fallback, &tid);
	return ring_live_thread(d->lv, i, d->r->h.pid, tid, name);
}

/* A thread keeps the name its table entry has now: the tracer names a thread as it starts
 * and again as it ends (a rename in between shows then), after its first records. */
static int refresh_names(dec *d)
{
	ring_live *lv = d->lv;
	char fallback[64];
	uint64_t tid;
	for (size_t i = 2; i < lv->nslots && i - 2 < d->r->thread_count; i++) {
		if (lv->slots[i].th < 0)
			continue;
		struct vtb_rthread *th = &lv->acc->th[lv->slots[i].th];
		const char *name = slot_name(d, i, fallback, sizeof fallback, &tid);
		if (!strcmp(th->pub.name, name))
			continue;
		if (!(th->pub.name = vtb_arena_str(&lv->acc->arena, name, strlen(name))))
			return VTB_E_NOMEM;
		lv->text_bytes += strlen(name) + 1;
	}
	return 0;
}

/* The write position now (read alone), never below `floor`. */
static int head_now(const vtb_ring *r, uint64_t floor, uint64_t *out)
{
	uint64_t h;
	int rc = vtb_ring_pread(r->fd, &h, sizeof h, offsetof(vtb_ring_header, head));
	*out = h > floor ? h : floor;
	return rc;
}

/* The arena, copied at the first data record of a snapshot (most snapshots have none);
 * blobs that the writer may have overwritten during the copy are not trusted after it. */
static int copy_arena(dec *d)
{
	vtb_ring *r = d->r;
	uint64_t after;
	int rc;
	if (reserve((void **)&r->arena, &r->arena_cap, r->h.arena_bytes, 1))
		return VTB_E_NOMEM;
	if ((rc = vtb_ring_pread(r->fd, r->arena, r->h.arena_bytes, r->h.arena_off)) < 0 ||
	    (rc = vtb_ring_pread(r->fd, &after, sizeof after, offsetof(vtb_ring_header, arena_head))) < 0)
		return rc;
	if (after < d->arena_head)
		after = d->arena_head;
	d->arena_lo = after > r->h.arena_bytes ? after - r->h.arena_bytes + (d->live ? DEC_BLOB_MARGIN : 0) : 0;
	d->arena_copied = 1;
	return 0;
}

/* The blob a data record points to (copied into *b; its text follows it in the arena), or
 * NULL when it is gone or does not hold together. */
static const uint8_t *blob_of(const dec *d, const vtb_ring_record *rec, vtb_ring_blob *b)
{
	uint64_t cap = d->r->h.arena_bytes, head = d->arena_head;
	uint64_t back = (uint32_t)((uint32_t)head - rec->id);
	if (!cap || back > head || back > cap || back < sizeof *b || head - back < d->arena_lo)
		return NULL;
	uint64_t pos = head - back, off = pos % cap;
	if (off + sizeof *b > cap)
		return NULL;
	memcpy(b, d->r->arena + off, sizeof *b);
	if (b->stamp != pos || b->len_bytes > back || b->len_bytes > cap - off || b->text_len > DEC_TEXT_MAX ||
	    sizeof *b + b->text_len > b->len_bytes)
		return NULL;
	return d->r->arena + off + sizeof *b;
}

static int push_frame(struct vtb_rthread *th, uint64_t ns, uint32_t str, uint32_t flags)
{
	if (th->depth == th->stackcap && vtb_grow((void **)&th->stack, &th->stackcap, th->depth + 1, sizeof *th->stack))
		return VTB_E_NOMEM;
	th->stack[th->depth++] = (struct vtb_rframe){ ns, str, flags, NULL, NULL, 0 };
	return 0;
}

static const char *keep_text(dec *d, const uint8_t *text, uint32_t len)
{
	d->lv->text_bytes += len + 1u;
	return vtb_arena_str(&d->lv->acc->arena, (const char *)text, len);
}

static int feed_mark(struct vtb_rthread *th, uint64_t ns, uint32_t kind, uint32_t name, uint32_t level,
		     const char *text)
{
	if (!text || vtb_grow((void **)&th->marks, &th->markcap, th->nmarks + 1, sizeof *th->marks))
		return VTB_E_NOMEM;
	th->marks[th->nmarks++] = (vtb_mark){ ns, kind, name, level, text };
	return 0;
}

static int feed_counter(dec *d, uint64_t ns, uint32_t name, uint32_t series, double v)
{
	struct vtb_rcounter *k = vtb_model_counter(d->lv->acc, d->r->h.pid, name, series);
	if (!k || vtb_grow((void **)&k->s, &k->cap, k->n + 1, sizeof *k->s))
		return VTB_E_NOMEM;
	if (k->n && k->s[k->n - 1].ts_ns > ns)
		k->unsorted = 1;
	k->s[k->n++] = (vtb_sample){ ns, v };
	return 0;
}

/* A task's address from a blob's double: one a u64 cannot hold (NaN, negative, too big: a
 * damaged blob) names no task, 0. */
static uint64_t task_of(double v)
{
	return v >= 0 && v < 18446744073709551616.0 ? (uint64_t)v : 0;
}

static int feed_data(dec *d, ring_slot *s, struct vtb_rthread *th, const vtb_ring_record *rec, uint64_t ns)
{
	vtb_ring_blob b;
	int rc;
	if (!d->arena_copied && (rc = copy_arena(d)) < 0)
		return rc;
	const uint8_t *text = blob_of(d, rec, &b);
	if (!text) {
		d->st.data_lost++;
		return 0;
	}
	int64_t name = str_for(d, b.name), aux = rec->kind == VTB_RK_COUNTER ? str_for(d, b.aux) : 0;
	if (name < 0 || aux < 0)
		return VTB_E_NOMEM;
	switch (rec->kind) {
	case VTB_RK_INSTANT:
		return feed_mark(th, ns, VTB_MARK_INSTANT, (uint32_t)name, 0, keep_text(d, text, b.text_len));
	case VTB_RK_OBJECT:
		return feed_mark(th, ns, VTB_MARK_OBJECT, (uint32_t)name, 0, keep_text(d, text, b.text_len));
	case VTB_RK_LOG:
		return feed_mark(th, ns, VTB_MARK_LOG, (uint32_t)name, b.aux, keep_text(d, text, b.text_len));
	case VTB_RK_COUNTER:
		return feed_counter(d, ns, (uint32_t)name, (uint32_t)aux, b.value);
	case VTB_RK_ARGS:
		if (!s->skip && th->depth > 0 && !s->can_retval &&
		    !(th->stack[th->depth - 1].args = keep_text(d, text, b.text_len)))
			return VTB_E_NOMEM;
		return 0;
	case VTB_RK_TASK: /* the open call is a step of this asyncio task (an address: exact in a double) */
		if (s->skip || th->depth == 0 || s->can_retval)
			return 0;
		if (!(th->stack[th->depth - 1].task_name = keep_text(d, text, b.text_len)))
			return VTB_E_NOMEM;
		th->stack[th->depth - 1].task = task_of(b.value);
		return 0;
	default: /* a return value, or a collection's numbers after its end */
		if (s->skip || !s->can_retval)
			return 0;
		const char *r = keep_text(d, text, b.text_len);
		return r && vtb_model_attach(th, s->end_depth, s->end_index, NULL, r) == 0 ? 0 : VTB_E_NOMEM;
	}
}

/* A row that has grown big moves into a mapping (ring_row_reserve) that doubles as it
 * fills, or is made at once as big as the biggest row of its thread in the last model
 * handed out whole. A mapped row keeps room for one more slice: the open call the
 * finished model closes into it (a mapping is never realloc'd). */
static int row_grow(dec *d, const ring_slot *s, struct vtb_rrow *row)
{
	size_t i = (size_t)(s - d->lv->slots), want = row->cap * 2;
	if (i < d->lv->nbiggest && d->lv->biggest[i] + d->lv->biggest[i] / 8 > want)
		want = d->lv->biggest[i] + d->lv->biggest[i] / 8;
	return ring_row_reserve(d->lv, row, want);
}

static int feed_call(dec *d, ring_slot *s, struct vtb_rthread *th, const vtb_ring_record *rec, uint64_t ns)
{
	int begin = is_begin(rec->kind), was_skipping = s->skip > 0;
	s->can_retval = 0;
	if (begin && (s->skip || th->depth >= DEC_MAX_DEPTH)) {
		s->skip++;
		return 0;
	}
	if (!begin && was_skipping) {
		s->skip--;
		return 0;
	}
	int64_t str = str_for(d, rec->id);
	if (str < 0)
		return (int)str;
	if (begin)
		return push_frame(th, ns, (uint32_t)str, call_flags(rec->kind));
	int exc = rec->kind == VTB_RK_END_EXC || rec->kind == VTB_RK_C_END_EXC || rec->kind == VTB_RK_SPAN_END_EXC;
	if (!th->depth) /* begun before anything the model holds */
		return ring_live_outer(d->lv, s, d->lv->window_ns, ns, (uint32_t)str,
				       call_flags(rec->kind) | (exc ? VTB_CALL_EXCEPTION : 0));
	struct vtb_rrow *row = th->depth - 1 < th->nrows ? &th->rows[th->depth - 1] : NULL;
	if (row && row->n + 1 >= row->cap && (row->map_bytes || row->cap >= RING_ROW_BIG) && row_grow(d, s, row) < 0)
		return VTB_E_NOMEM;
	int64_t idx = 0;
	if (vtb_model_close(d->lv->acc, th, ns, exc ? VTB_CALL_EXCEPTION : 0, &idx))
		return VTB_E_NOMEM;
	s->can_retval = 1;
	s->end_depth = (uint32_t)th->depth;
	s->end_index = (uint32_t)idx;
	return 0;
}

static uint64_t ns_of(const dec *d, uint64_t ticks)
{
	const vtb_ring_header *h = &d->r->h;
	uint64_t base = h->base_ns < VTB_TIME_MAX ? h->base_ns : VTB_TIME_MAX;
	if (ticks <= h->base_ticks)
		return base;
	uint64_t t = ticks - h->base_ticks;
	unsigned __int128 ns = (unsigned __int128)t * d->lv->tick_whole +
			       (((unsigned __int128)t * d->lv->tick_frac) >> 64) + base;
	return ns < VTB_TIME_MAX ? (uint64_t)ns : VTB_TIME_MAX;
}

/* The clock's rate from the two pairs of the header (1 ns per tick when they say nothing),
 * kept as a whole part and 64 bits of fraction: no floating point per record. */
static void set_rate(ring_live *lv, const vtb_ring_header *h)
{
	double rate = 1.0;
	if (h->use_tsc && h->calib_ticks > h->base_ticks && h->calib_ns > h->base_ns)
		rate = (double)(h->calib_ns - h->base_ns) / (double)(h->calib_ticks - h->base_ticks);
	if (!(rate > 1e-3 && rate < 1e3))
		rate = 1.0;
	lv->tick_whole = (uint64_t)rate;
	double frac = (rate - (double)lv->tick_whole) * 18446744073709551616.0; /* 2^64: exact */
	lv->tick_frac = frac < 18446744073709549568.0 ? (uint64_t)frac : UINT64_MAX;
}

/* A record through the general path: any kind, any thread, every case. */
static int feed_one(dec *d, const vtb_ring_record *rec)
{
	if (!is_call(rec->kind) && !is_data(rec->kind)) {
		d->st.bad++;
		return 0;
	}
	size_t si = slot_of(d, rec);
	ring_slot *s = &d->lv->slots[si];
	struct vtb_rthread *th = s->th >= 0 ? &d->lv->acc->th[s->th] : slot_thread(d, si);
	if (!th)
		return VTB_E_NOMEM;
	uint64_t ns = ns_of(d, rec->ticks);
	if (ns < s->last_ns)
		ns = s->last_ns;
	s->last_ns = ns;
	if (ns > th->last_ts)
		th->last_ts = ns;
	if (ns > d->lv->last_ns)
		d->lv->last_ns = ns;
	return is_data(rec->kind) ? feed_data(d, s, th, rec, ns) : feed_call(d, s, th, rec, ns);
}

/* The calls the lean path takes: begins and ends of functions, C functions and spans
 * (a GC has a timeline of its own); flags of the call a begin opens, or an end adds. */
static const struct lean_kind {
	uint8_t lean, begin;
	uint16_t flags;
} lean_kinds[VTB_RK_SPAN_END_EXC + 1] = {
	[VTB_RK_BEGIN] = { 1, 1, 0 },
	[VTB_RK_END] = { 1, 0, 0 },
	[VTB_RK_END_EXC] = { 1, 0, VTB_CALL_EXCEPTION },
	[VTB_RK_C_BEGIN] = { 1, 1, VTB_CALL_C },
	[VTB_RK_C_END] = { 1, 0, 0 },
	[VTB_RK_C_END_EXC] = { 1, 0, VTB_CALL_EXCEPTION },
	[VTB_RK_SPAN_BEGIN] = { 1, 1, VTB_CALL_SPAN },
	[VTB_RK_SPAN_END] = { 1, 0, 0 },
	[VTB_RK_SPAN_END_EXC] = { 1, 0, VTB_CALL_EXCEPTION },
};

int ring_lean = 1;

/* One thread's state while the lean path decodes a run of its records, and what it reads
 * of the decode's: in a local that nothing points to, the compiler keeps them in registers
 * across the stores into the rows. */
typedef struct lean_state {
	struct vtb_rframe *stack;
	size_t depth, depth_lim; /* open calls, and the most the stack holds without growing */
	struct vtb_rrow *rows;
	size_t nrows;
	uint64_t last_ns;
	const uint32_t *str_of;  /* code id -> string id, for ids below code_lim */
	size_t code_lim;
	lean_clk clk;            /* ticks to ns */
} lean_state;

/* The decode's part of a lean run's state: what the names and the clock are now. */
static void lean_clock(const dec *d, lean_state *l)
{
	l->str_of = d->lv->str_of;
	l->code_lim = d->r->code_count < d->lv->ncodes ? d->r->code_count : d->lv->ncodes;
	l->clk = d->clk;
}

/* One record of the run: 1 when taken, 0 when the general path must take it (nothing
 * changed then). Ticks before the base wrap past clk.max: ns_of on the general path takes
 * them, as those past clk.max (no call in the loop: its values stay in registers). */
static inline __attribute__((always_inline)) int lean_one(lean_state *l, const vtb_ring_record *rec)
{
	const struct lean_kind *k = &lean_kinds[rec->kind];
	uint64_t t = rec->ticks - l->clk.ticks;
	if (rec->id >= l->code_lim || l->str_of[rec->id] == UINT32_MAX || t > l->clk.max)
		return 0;
	uint64_t ns = l->clk.base + t * l->clk.whole + (uint64_t)(((unsigned __int128)t * l->clk.frac) >> 64);
	if (ns < l->last_ns)
		ns = l->last_ns;
	if (k->begin) {
		if (l->depth >= l->depth_lim)
			return 0;
		l->stack[l->depth++] = (struct vtb_rframe){ ns, l->str_of[rec->id], k->flags, NULL, NULL, 0 };
	} else {
		if (l->depth - 1 >= l->nrows) /* none open (wraps), or no row yet */
			return 0;
		struct vtb_rrow *row = &l->rows[l->depth - 1];
		const struct vtb_rframe *f = &l->stack[l->depth - 1];
		/* a mapped row keeps room for one more (row_grow); the rest grows on the general path */
		if (row->n + 1 >= row->cap || f->args || f->task_name)
			return 0;
		l->depth--;
		row->s[row->n++] = (vtb_slice){ f->start_ns, ns - f->start_ns, f->name_id,
						(uint16_t)(f->flags | k->flags), (uint16_t)l->depth };
	}
	l->last_ns = ns;
	return 1;
}

/* After a run of `taken` records that went from th->depth open calls to l->depth: the
 * thread's state as the general path leaves it (an end last: its call may get a value). */
static void lean_done(dec *d, ring_slot *s, struct vtb_rthread *th, const lean_state *l, uint64_t taken,
		      int end_last)
{
	d->lv->acc->calls += (taken - (l->depth - th->depth)) / 2; /* begins - ends = depth's change */
	th->depth = l->depth;
	s->last_ns = l->last_ns;
	s->can_retval = end_last;
	if (end_last) {
		s->end_depth = (uint32_t)l->depth;
		s->end_index = (uint32_t)(l->rows[l->depth].n - 1);
	}
	if (l->last_ns > th->last_ts)
		th->last_ts = l->last_ns;
	if (l->last_ns > d->lv->last_ns)
		d->lv->last_ns = l->last_ns;
}

/* Are the first two records plain calls of one thread? A run shorter than that (a call
 * with its arguments recorded: a begin, then its ARGS record) is not worth setting up. */
static inline int lean_pair(const vtb_ring_record *recs, uint64_t n)
{
	return n >= 2 && recs[0].kind <= VTB_RK_SPAN_END_EXC && lean_kinds[recs[0].kind].lean &&
	       recs[1].kind <= VTB_RK_SPAN_END_EXC && lean_kinds[recs[1].kind].lean && recs[1].thread == recs[0].thread;
}

/* The lean path: the records from `recs` on that are the common case (plain calls of one
 * thread of the table, names already interned, room in the stack and the row, no text on
 * the call), with the thread's state held in locals. Returns how many it took; the general
 * path takes the next (lean_pair is checked before). Same model as feed_one's (tests
 * compare, ring_lean = 0). Not inlined: in update's body the loop's values would not stay
 * in registers. */
static __attribute__((noinline)) uint64_t feed_run(dec *d, const vtb_ring_record *recs, uint64_t n)
{
	uint16_t thread = recs[0].thread;
	if (thread >= d->r->thread_count)
		return 0;
	ring_slot *s = &d->lv->slots[2u + thread];
	if (s->th < 0 || s->skip)
		return 0;
	struct vtb_rthread *th = &d->lv->acc->th[s->th];
	const struct vtb_rframe *top = th->depth ? &th->stack[th->depth - 1] : NULL;
	if (!lean_kinds[recs[0].kind].begin && top && (top->args || top->task_name))
		return 0; /* an end the run would stop at */
	lean_state l = { .stack = th->stack, .depth = th->depth, .rows = th->rows, .nrows = th->nrows,
			 .last_ns = s->last_ns };
	l.depth_lim = th->stackcap < DEC_MAX_DEPTH ? th->stackcap : DEC_MAX_DEPTH;
	lean_clock(d, &l);
	uint64_t i = 0;
	while (i < n && recs[i].thread == thread && recs[i].kind <= VTB_RK_SPAN_END_EXC &&
	       lean_kinds[recs[i].kind].lean && lean_one(&l, &recs[i]))
		i++;
	if (i)
		lean_done(d, s, th, &l, i, !lean_kinds[recs[i - 1].kind].begin);
	return i;
}

/* Records in order into the model, each thread's times kept non-decreasing. */
static int feed(dec *d, const vtb_ring_record *recs, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		int rc;
		if (ring_lean && lean_pair(recs + i, n - i))
			i += feed_run(d, recs + i, n - i);
		if (i < n && (rc = feed_one(d, &recs[i])) < 0)
			return rc;
	}
	return 0;
}

static uint64_t time_ok(uint64_t ns)
{
	return ns < VTB_TIME_MAX ? ns : VTB_TIME_MAX;
}

static void fill_header(const dec *d, vtb_header *out, const vtb_ring_info *info, uint64_t head)
{
	const vtb_ring_header *h = &d->r->h;
	const ring_live *lv = d->lv;
	memset(out, 0, sizeof *out);
	out->pid = h->pid;
	out->ppid = h->ppid;
	out->cmdline = h->cmdline;
	out->python_version = h->python_version;
	out->reason = VTB_REASON_RING;
	out->reason_text = info->state_text;
	out->start_mono_ns = ns_of(d, h->start_ticks);
	out->start_wall_ns = time_ok(vtb_add_sat(h->start_wall_ns, out->start_mono_ns - (h->base_ns < out->start_mono_ns ? h->base_ns : out->start_mono_ns)));
	out->window_start_ns = lv->window_ns;
	out->dump_ns = lv->last_ns > lv->window_ns ? lv->last_ns : lv->window_ns;
	if (h->end_ticks && ns_of(d, h->end_ticks) > out->dump_ns &&
	    (h->state == VTB_RING_CRASHED || h->state == VTB_RING_EXITED))
		out->dump_ns = ns_of(d, h->end_ticks);
	out->ring_capacity = h->capacity;
	out->events_dropped = head - d->st.records;
	out->wrapped = head > h->capacity;
}

/* The writer's position moved while copying: the records it overwrote (and the slot it may
 * be writing now) are dropped from the front of the copy. */
static uint64_t first_intact(const vtb_ring *r, uint64_t first, uint64_t head_after, int live)
{
	uint64_t cap = r->h.capacity;
	uint64_t lo = head_after + (live ? 1 : 0) > cap ? head_after + (live ? 1 : 0) - cap : 0;
	return lo > first ? lo : first;
}

/* Is it still the ring the model was decoded from (the same layout, process and clock)? */
static int same_ring(const vtb_ring_header *a, const vtb_ring_header *b)
{
	return a->capacity == b->capacity && a->records_off == b->records_off && a->arena_off == b->arena_off &&
	       a->arena_bytes == b->arena_bytes && a->pid == b->pid && a->proc_start == b->proc_start &&
	       a->base_ticks == b->base_ticks && a->base_ns == b->base_ns && a->calib_ticks == b->calib_ticks &&
	       a->calib_ns == b->calib_ns && a->use_tsc == b->use_tsc;
}

/* A new model for the ring from position `pos` on (`rec` its record, NULL when there is
 * none): the first snapshot, or after the writer lapped the reader. */
static int start_over(dec *d, uint64_t pos, const vtb_ring_record *rec)
{
	ring_live *lv = d->lv;
	int rc = ring_live_reset(lv);
	if (rc < 0)
		return rc;
	lv->id = d->r->h;
	set_rate(lv, &d->r->h);
	lv->window_pos = pos;
	lv->window_ns = ns_of(d, rec ? rec->ticks : d->r->h.start_ticks);
	lv->last_ns = lv->window_ns;
	d->full = 1;
	return 0;
}

/* After an append: what the writer has overwritten since goes from the model, up to the
 * time of the oldest record left, by the write position as it is now (the decode took a
 * while). A live writer is about to overwrite that record, so the one a margin later is
 * taken: from the last chunk copied when it holds it, else read alone and trusted only if
 * the writer did not reach it meanwhile (else the eviction waits for the next snapshot). */
#define DEC_EVICT_MARGIN 4096u

static int evict(dec *d, int live)
{
	ring_live *lv = d->lv;
	uint64_t cap = d->r->h.capacity, margin = live ? (cap / 4 < DEC_EVICT_MARGIN ? cap / 4 : DEC_EVICT_MARGIN) : 0;
	vtb_ring_record rec;
	vtb_ring_header h;
	if (vtb_ring_pread(d->r->fd, &h, sizeof h, 0) < 0)
		return 0;
	uint64_t end = d->end, head = h.head > end ? h.head : end;
	if (head + (live ? 1 : 0) <= cap) /* nothing overwritten yet */
		return 0;
	uint64_t q = first_intact(d->r, 0, head, live) + margin;
	if (q >= end)
		q = end ? end - 1 : 0;
	if (q <= lv->window_pos)
		return 0;
	if (q >= d->pos && q < d->pos + d->n)
		rec = d->rec[q - d->pos];
	else if (vtb_ring_pread(d->r->fd, &rec, sizeof rec, d->r->h.records_off + (q % cap) * sizeof rec) < 0 ||
		 vtb_ring_pread(d->r->fd, &h, sizeof h, 0) < 0 || h.head + (live ? 1 : 0) > q + cap)
		return 0;
	uint64_t ns = ns_of(d, rec.ticks);
	if (ns > lv->last_ns)
		ns = lv->last_ns;
	lv->window_pos = q;
	return ns > lv->window_ns ? ring_live_evict(lv, ns) : 0;
}

/* ns_of's terms, the model's clock rate set: up to clk.max ticks past the base,
 * t * whole + (t * frac >> 64) + base stays under VTB_TIME_MAX (the fraction's term is
 * below t), so 64-bit arithmetic gives ns_of's own result. */
static void lean_setup(dec *d)
{
	const vtb_ring_header *h = &d->r->h;
	lean_clk *c = &d->clk;
	c->base = h->base_ns < VTB_TIME_MAX ? h->base_ns : VTB_TIME_MAX;
	c->ticks = h->base_ticks;
	c->whole = d->lv->tick_whole;
	c->frac = d->lv->tick_frac;
	c->max = (VTB_TIME_MAX - c->base) / (c->whole + 1);
}

/* Before the first record decoded (at `from`, `rec`; NULL when none is): a new model when
 * `over` (none to follow, or a gap after it), the tables' new entries, the threads' names. */
static int begin(dec *d, int over, uint64_t from, const vtb_ring_record *rec)
{
	vtb_ring *r = d->r;
	int rc;
	d->keep = from;
	if (over && (rc = start_over(d, from, rec)) < 0)
		return rc;
	if ((rc = slots_ensure(d->lv, r->thread_count + 2u)) < 0 || (rc = codes_ensure(d->lv, r->code_count)) < 0)
		return rc;
	lean_setup(d);
	return refresh_names(d);
}

/* Copies records [first, end) a chunk at a time and feeds each while it is still in the
 * cache. A chunk is trusted once the write position read after its copy shows the writer
 * had not reached it: what the writer overwrote before the reader copied it is dropped from
 * the front (and the model starts over after it); should the writer catch up with the decode
 * itself, the model stops at the last chunk it could trust. */
static int decode(dec *d, uint64_t first, uint64_t end, int over, int live)
{
	vtb_ring *r = d->r;
	uint64_t pos = first;
	int fed = 0, rc;
	d->keep = first;
	while (pos < end) {
		uint64_t m = end - pos < DEC_CHUNK ? end - pos : DEC_CHUNK, now;
		if ((rc = copy_records(r, pos, m)) < 0 || (rc = head_now(r, end, &now)) < 0)
			return rc;
		uint64_t lo = first_intact(r, pos, now, live);
		if (lo > pos && fed)
			break;
		if (lo >= pos + m) {
			pos = lo;
			continue;
		}
		if (!fed && (rc = begin(d, over || lo > first, lo, &r->records[lo - pos])) < 0)
			return rc;
		fed = 1;
		d->rec = r->records + (lo - pos);
		d->pos = lo;
		d->n = pos + m - lo;
		if ((rc = feed(d, d->rec, d->n)) < 0)
			return rc;
		d->st.decoded += d->n;
		pos += m;
	}
	if (!fed && (rc = begin(d, over || pos > first, pos < end ? pos : end, NULL)) < 0)
		return rc;
	d->end = fed ? pos : d->keep;
	d->st.overwritten = end - first - d->st.decoded;
	return 0;
}

/* Copies what is new since the model's position (the whole ring when it starts over) and
 * decodes it into the model. The tables are read after the write position: every name a
 * record before it uses is in them. */
static int update(dec *d, vtb_ring_info *info, char **cause)
{
	vtb_ring *r = d->r;
	ring_live *lv = d->lv;
	int rc;
	if ((rc = vtb_ring_header_read(r, cause)) < 0 || (rc = copy_tables(r, cause)) < 0)
		return rc;
	vtb_ring_fill_info(r, info);
	uint64_t head = r->h.head, cap = r->h.capacity;
	d->cap = cap;
	uint64_t oldest = head > cap ? head - cap : 0;
	int full = !lv->valid || head < lv->head || lv->head < oldest || !same_ring(&lv->id, &r->h);
	int live = r->h.state != VTB_RING_CRASHED && r->h.state != VTB_RING_EXITED && info->alive;
	d->live = live;
	uint64_t first = full ? oldest : lv->head;
	lv->valid = 0;
	d->arena_head = r->h.arena_head;
	if ((rc = decode(d, first, head, full, live)) < 0)
		return rc;
	if (lv->seen && head >= lv->head && d->keep > lv->head)
		d->st.behind = d->keep - lv->head;
	/* nothing new: nothing more was overwritten, and the window stays where it was */
	if (!d->full && d->st.decoded && (rc = evict(d, live)) < 0)
		return rc;
	lv->head = d->end;
	lv->seen = 1;
	lv->valid = lv->text_bytes < DEC_TEXT_KEEP + 8 * r->h.arena_bytes;
	return 0;
}

/* A writer whose file system ran out of room shrinks its ring once (vtb(5)): records copied
 * while it did may sit at slots of the old capacity, so the ring is decoded anew, once. */
static int update_same_capacity(dec *d, vtb_ring_info *info, char **cause)
{
	vtb_ring *r = d->r;
	ring_live *lv = d->lv;
	int rc;
	if ((rc = update(d, info, cause)) < 0 || (rc = vtb_ring_header_read(r, cause)) < 0 ||
	    r->h.capacity == d->cap)
		return rc;
	lv->valid = 0;
	memset(d, 0, sizeof *d);
	d->r = r;
	d->lv = lv;
	return update(d, info, cause);
}

vtb_trace *vtb_ring_snapshot(vtb_ring *r, vtb_ring_snap_stats *st, char **cause)
{
	vtb_ring_info info;
	vtb_header h;
	dec d;
	vtb_trace *t = NULL;
	int rc = VTB_E_NOMEM;

	*cause = NULL;
	memset(&d, 0, sizeof d);
	d.r = r;
	if (!r->live && !(r->live = calloc(1, sizeof *r->live)))
		goto fail;
	d.lv = r->live;
	if ((rc = update_same_capacity(&d, &info, cause)) < 0)
		goto fail;
	d.st.records = d.end - d.lv->window_pos;
	fill_header(&d, &h, &info, d.end);
	/* A writer that lapped this reader will lap it again: keeping the model buys nothing. */
	if (!(t = d.st.behind ? ring_live_take(d.lv, &h) : ring_live_copy(d.lv, &h))) {
		rc = VTB_E_NOMEM;
		goto fail;
	}
	if (st)
		*st = d.st;
	return t;
fail:
	if (r->live)
		r->live->valid = 0;
	if (!*cause)
		*cause = vtb_fmt("%s: reading the ring: %s%s", r->path, vtb_strerror(rc),
				 rc == VTB_E_TRUNCATED ? " (the file is shorter than its header says)" : "");
	return NULL;
}

int vtb_ring_fd_is(int fd)
{
	uint8_t magic[8];
	return vtb_ring_pread(fd, magic, sizeof magic, 0) == 0 && vtb_ring_is(magic, sizeof magic);
}

vtb_trace *vtb_ring_load(const char *path, char **cause)
{
	vtb_ring *r = NULL;
	char *why = NULL;
	vtb_trace *t = NULL;
	if (vtb_ring_open(path, &r, &why) == 0)
		t = vtb_ring_snapshot(r, NULL, &why);
	vtb_ring_close(r);
	if (cause)
		*cause = why;
	else
		free(why);
	return t;
}
