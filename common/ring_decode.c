/* SPDX-License-Identifier: MIT */
/* ring_decode.c: a snapshot of a ring file as a trace model. The copy is checked against
 * the write position read before and after it: a live writer may have overwritten the
 * oldest records (and the one slot it is writing) meanwhile, and those are dropped and
 * counted. The decode replays each thread as the tracer's dump does: ends whose begins
 * went with the wrap begin at the window start (VTB_CALL_ENTRY_LOST), calls still open at
 * the end are closed there by the writer (VTB_CALL_OPEN). It goes through a memory writer
 * and the VTB reader, so a ring loads into the same model as any trace. */
#include "common/vtb.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ring_internal.h"
#include "common/vtb_internal.h"

#define DEC_MAX_DEPTH 65000u   /* under the writer's 65535 open calls per thread */
#define DEC_TEXT_MAX 65536u
/* A live writer may be writing the arena just past its head: blobs that close behind the
 * oldest intact byte are not trusted (the tracer's blobs hold at most 4 KB of text). */
#define DEC_BLOB_MARGIN (4096u + 64u)

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

int vtb_ring_copy_tables(vtb_ring *r, char **cause)
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

/* Records [first, first + n) into r->records, in order. */
static int copy_records(vtb_ring *r, uint64_t first, uint64_t n)
{
	uint64_t cap = r->h.capacity, slot = first % cap;
	uint64_t part = n < cap - slot ? n : cap - slot;
	int rc;
	if (reserve((void **)&r->records, &r->records_cap, n, sizeof *r->records))
		return VTB_E_NOMEM;
	rc = vtb_ring_pread(r->fd, r->records, part * sizeof *r->records,
			    r->h.records_off + slot * sizeof *r->records);
	if (rc == 0 && part < n)
		rc = vtb_ring_pread(r->fd, r->records + part, (n - part) * sizeof *r->records, r->h.records_off);
	return rc;
}

static int copy_arena(vtb_ring *r)
{
	if (reserve((void **)&r->arena, &r->arena_cap, r->h.arena_bytes, 1))
		return VTB_E_NOMEM;
	return vtb_ring_pread(r->fd, r->arena, r->h.arena_bytes, r->h.arena_off);
}

/* ---- the decode ---- */

typedef struct dec_lost {
	uint32_t id, flags;
} dec_lost;

typedef struct dec_thread {
	int used;
	int64_t depth;        /* scan depth; below zero: begins were lost */
	dec_lost *lost;       /* ends with no begin, innermost first */
	size_t lost_count, lost_cap;
	int64_t wdepth;       /* calls open in the writer */
	uint64_t skip;        /* levels of begins past DEC_MAX_DEPTH */
	int can_retval;
	uint64_t last_ns;
	uint32_t wid;
} dec_thread;

typedef struct dec {
	vtb_ring *r;
	uint64_t n;             /* records copied */
	uint64_t arena_lo, arena_head; /* arena positions still intact */
	double ns_per_tick;
	dec_thread *threads;    /* thread_count + 2: the overflow timeline, then GC */
	uint32_t nthreads;
	uint32_t *string_of;    /* code id -> writer string (UINT32_MAX: unused) */
	uint32_t ncodes;        /* code_count + 1: the last for unknown ids */
	char *text;
	vtb_writer *w;
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

static dec_thread *thread_of(dec *d, const vtb_ring_record *rec)
{
	if (rec->kind == VTB_RK_GC_BEGIN || rec->kind == VTB_RK_GC_END || rec->kind == VTB_RK_GC_INFO)
		return &d->threads[d->nthreads - 1];
	return &d->threads[rec->thread < d->nthreads - 2 ? rec->thread : d->nthreads - 2];
}

static uint32_t code_of(const dec *d, uint32_t id)
{
	return id < d->ncodes - 1 ? id : d->ncodes - 1;
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

static int lost_push(dec_thread *t, uint32_t id, uint32_t flags)
{
	if (t->lost_count >= DEC_MAX_DEPTH)
		return 0;
	if (vtb_grow((void **)&t->lost, &t->lost_cap, t->lost_count + 1, sizeof *t->lost) < 0)
		return VTB_E_NOMEM;
	t->lost[t->lost_count++] = (dec_lost){ id, flags };
	return 0;
}

static void use_data(dec *d, const vtb_ring_record *rec)
{
	vtb_ring_blob h;
	if (!blob_of(d, rec, &h)) {
		d->st.data_lost++;
		return;
	}
	if (rec->kind <= VTB_RK_OBJECT)
		d->string_of[code_of(d, h.name)] = 0;
	if (rec->kind == VTB_RK_COUNTER)
		d->string_of[code_of(d, h.aux)] = 0;
}

/* Pass 1: threads and names used, begins lost. */
static int scan(dec *d)
{
	for (uint64_t i = 0; i < d->n; i++) {
		const vtb_ring_record *rec = &d->r->records[i];
		if (!is_call(rec->kind) && !is_data(rec->kind)) {
			d->st.bad++;
			continue;
		}
		dec_thread *t = thread_of(d, rec);
		t->used = 1;
		if (is_data(rec->kind)) {
			use_data(d, rec);
			continue;
		}
		d->string_of[code_of(d, rec->id)] = 0;
		if (is_begin(rec->kind))
			t->depth++;
		else if (t->depth > 0)
			t->depth--;
		else if (lost_push(t, code_of(d, rec->id), call_flags(rec->kind)) < 0)
			return VTB_E_NOMEM;
	}
	return 0;
}

static int add_strings(dec *d)
{
	for (uint32_t id = 0; id < d->ncodes; id++) {
		if (d->string_of[id] == UINT32_MAX)
			continue;
		const char *name = "<unknown>", *file = "";
		uint32_t line = 0;
		if (id < d->ncodes - 1) {
			const vtb_ring_code *c = &d->r->codes[id];
			name = vtb_ring_str(d->r, c->name_off);
			file = vtb_ring_str(d->r, c->file_off);
			line = c->line;
		}
		int64_t s = vtb_writer_string(d->w, name, file, line);
		if (s < 0)
			return (int)s;
		d->string_of[id] = (uint32_t)s;
	}
	return 0;
}

static int add_thread(dec *d, uint32_t i)
{
	char fallback[64];
	const char *name;
	uint64_t tid = 0;
	if (i == d->nthreads - 1) {
		name = "GC";
		tid = UINT32_MAX;
	} else if (i == d->nthreads - 2) {
		name = "(more threads)";
		tid = UINT32_MAX - 1;
	} else {
		tid = d->r->threads[i].native_id;
		name = vtb_ring_thread_name(d->r, i);
		if (!name && tid == d->r->h.pid)
			name = "MainThread";
		if (!name) {
			snprintf(fallback, sizeof fallback, "Thread-%llu", (unsigned long long)tid);
			name = fallback;
		}
	}
	int64_t wid = vtb_writer_thread(d->w, d->r->h.pid, tid, name);
	if (wid < 0)
		return (int)wid;
	d->threads[i].wid = (uint32_t)wid;
	return 0;
}

static uint64_t ns_of(const dec *d, uint64_t ticks)
{
	const vtb_ring_header *h = &d->r->h;
	if (ticks <= h->base_ticks)
		return h->base_ns;
	double ns = (double)(ticks - h->base_ticks) * d->ns_per_tick;
	return ns < 4e18 ? h->base_ns + (uint64_t)ns : h->base_ns + 4000000000000000000ull;
}

/* The clock's rate from the two pairs of the header; 1 ns per tick when they say nothing. */
static double ns_per_tick(const vtb_ring_header *h)
{
	if (!h->use_tsc || h->calib_ticks <= h->base_ticks || h->calib_ns <= h->base_ns)
		return 1.0;
	double rate = (double)(h->calib_ns - h->base_ns) / (double)(h->calib_ticks - h->base_ticks);
	return rate > 1e-3 && rate < 1e3 ? rate : 1.0;
}

static int add_lost(dec *d, dec_thread *t, uint64_t window_ns)
{
	for (size_t i = t->lost_count; i-- > 0;) {
		int rc = vtb_writer_begin(d->w, t->wid, window_ns, d->string_of[t->lost[i].id],
					  VTB_CALL_ENTRY_LOST | t->lost[i].flags);
		if (rc < 0)
			return rc;
	}
	t->wdepth = (int64_t)t->lost_count;
	return 0;
}

static int stream_data(dec *d, dec_thread *t, const vtb_ring_record *rec, uint64_t ns)
{
	vtb_ring_blob b;
	const uint8_t *text = blob_of(d, rec, &b);
	if (!text)
		return 0;
	memcpy(d->text, text, b.text_len);
	d->text[b.text_len] = '\0';
	uint32_t name = d->string_of[code_of(d, b.name)];
	switch (rec->kind) {
	case VTB_RK_INSTANT:
		return vtb_writer_instant(d->w, t->wid, ns, name, d->text);
	case VTB_RK_COUNTER:
		return vtb_writer_counter(d->w, t->wid, ns, name, d->string_of[code_of(d, b.aux)], b.value);
	case VTB_RK_LOG:
		return vtb_writer_log(d->w, t->wid, ns, b.aux, name, d->text);
	case VTB_RK_OBJECT:
		return vtb_writer_object(d->w, t->wid, ns, name, d->text);
	case VTB_RK_ARGS:
		return !t->skip && t->wdepth > 0 && !t->can_retval ? vtb_writer_args(d->w, t->wid, d->text) : 0;
	case VTB_RK_TASK:
		return !t->skip && t->wdepth > 0 && !t->can_retval ?
			vtb_writer_task(d->w, t->wid, (uint64_t)b.value, d->text) : 0;
	default:
		return !t->skip && t->can_retval ? vtb_writer_retval(d->w, t->wid, d->text) : 0;
	}
}

static int stream_call(dec *d, dec_thread *t, const vtb_ring_record *rec, uint64_t ns)
{
	int begin = is_begin(rec->kind);
	t->can_retval = !begin && !t->skip;
	if (begin && (t->skip || t->wdepth >= DEC_MAX_DEPTH)) {
		t->skip++;
		return 0;
	}
	if (!begin && t->skip) {
		t->skip--;
		return 0;
	}
	if (begin) {
		t->wdepth++;
		return vtb_writer_begin(d->w, t->wid, ns, d->string_of[code_of(d, rec->id)], call_flags(rec->kind));
	}
	if (t->wdepth <= 0) /* its begin was past the lost ones kept */
		return 0;
	t->wdepth--;
	int exc = rec->kind == VTB_RK_END_EXC || rec->kind == VTB_RK_C_END_EXC || rec->kind == VTB_RK_SPAN_END_EXC;
	return vtb_writer_end(d->w, t->wid, ns, exc ? VTB_CALL_EXCEPTION : 0);
}

/* Pass 2: every record in order, each thread's times kept non-decreasing. */
static int stream(dec *d)
{
	for (uint64_t i = 0; i < d->n; i++) {
		const vtb_ring_record *rec = &d->r->records[i];
		if (!is_call(rec->kind) && !is_data(rec->kind))
			continue;
		dec_thread *t = thread_of(d, rec);
		uint64_t ns = ns_of(d, rec->ticks);
		if (ns < t->last_ns)
			ns = t->last_ns;
		t->last_ns = ns;
		int rc = is_data(rec->kind) ? stream_data(d, t, rec, ns) : stream_call(d, t, rec, ns);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void fill_header(const dec *d, vtb_header *out, const vtb_ring_info *info, uint64_t head)
{
	const vtb_ring_header *h = &d->r->h;
	memset(out, 0, sizeof *out);
	out->pid = h->pid;
	out->ppid = h->ppid;
	out->cmdline = h->cmdline;
	out->python_version = h->python_version;
	out->reason = VTB_REASON_RING;
	out->reason_text = info->state_text;
	out->start_mono_ns = ns_of(d, h->start_ticks);
	out->start_wall_ns = h->start_wall_ns + (out->start_mono_ns - h->base_ns);
	out->window_start_ns = d->n ? ns_of(d, d->r->records[0].ticks) : out->start_mono_ns;
	out->dump_ns = d->n ? ns_of(d, d->r->records[d->n - 1].ticks) : out->window_start_ns;
	if (h->end_ticks && ns_of(d, h->end_ticks) > out->dump_ns &&
	    (h->state == VTB_RING_CRASHED || h->state == VTB_RING_EXITED))
		out->dump_ns = ns_of(d, h->end_ticks);
	if (out->window_start_ns > out->dump_ns)
		out->window_start_ns = out->dump_ns;
	out->ring_capacity = h->capacity;
	out->events_dropped = head - d->n;
	out->wrapped = head > h->capacity;
}

static int write_all(dec *d, const vtb_header *h)
{
	int rc = vtb_writer_process(d->w, h->pid, h->ppid, NULL);
	if (rc == 0)
		rc = add_strings(d);
	for (uint32_t i = 0; rc == 0 && i < d->nthreads; i++)
		if (d->threads[i].used && (rc = add_thread(d, i)) == 0)
			rc = add_lost(d, &d->threads[i], h->window_start_ns);
	for (uint32_t i = 0; i < d->nthreads; i++)
		d->threads[i].last_ns = h->window_start_ns;
	if (rc == 0)
		rc = stream(d);
	return rc;
}

static void dec_free(dec *d)
{
	for (uint32_t i = 0; d->threads && i < d->nthreads; i++)
		free(d->threads[i].lost);
	free(d->threads);
	free(d->string_of);
	free(d->text);
	vtb_writer_free(d->w);
}

/* Decodes the copied records into a trace. */
static vtb_trace *decode(dec *d, const vtb_ring_info *info, uint64_t head, char **cause)
{
	vtb_header h;
	vtb_trace *t = NULL;
	size_t len;
	int rc = VTB_E_NOMEM;
	d->nthreads = (uint32_t)d->r->thread_count + 2;
	d->ncodes = (uint32_t)d->r->code_count + 1;
	d->threads = calloc(d->nthreads, sizeof *d->threads);
	d->string_of = malloc(d->ncodes * sizeof *d->string_of);
	d->text = malloc(DEC_TEXT_MAX + 1);
	d->ns_per_tick = ns_per_tick(&d->r->h);
	if (!d->threads || !d->string_of || !d->text)
		goto out;
	memset(d->string_of, 0xff, d->ncodes * sizeof *d->string_of);
	fill_header(d, &h, info, head);
	if (!(d->w = vtb_writer_open_mem(&h)))
		goto out;
	if ((rc = scan(d)) == 0 && (rc = write_all(d, &h)) == 0 && (rc = vtb_writer_finish(d->w, cause)) == 0) {
		const uint8_t *bytes = vtb_writer_mem(d->w, &len);
		t = vtb_trace_load_mem(bytes, len, 0, cause);
		return t;
	}
out:
	if (!*cause)
		*cause = vtb_fmt("%s: decoding the ring: %s", d->r->path, vtb_strerror(rc));
	return NULL;
}

/* The writer's position moved while copying: the records it overwrote (and the slot it may
 * be writing now) are dropped from the front of the copy. */
static uint64_t first_intact(const vtb_ring *r, uint64_t first, uint64_t head_after, int live)
{
	uint64_t cap = r->h.capacity;
	uint64_t lo = head_after + (live ? 1 : 0) > cap ? head_after + (live ? 1 : 0) - cap : 0;
	return lo > first ? lo : first;
}

vtb_trace *vtb_ring_snapshot(vtb_ring *r, vtb_ring_snap_stats *st, char **cause)
{
	vtb_ring_info info;
	dec d;
	vtb_trace *t = NULL;
	int rc;

	*cause = NULL;
	memset(&d, 0, sizeof d);
	d.r = r;
	if ((rc = vtb_ring_header_read(r, cause)) < 0)
		return NULL;
	uint64_t head = r->h.head, cap = r->h.capacity, arena_head = r->h.arena_head;
	uint64_t n = head < cap ? head : cap, first = head - n;
	int live = r->h.state != VTB_RING_CRASHED && r->h.state != VTB_RING_EXITED;
	if ((rc = copy_records(r, first, n)) < 0 || (rc = copy_arena(r)) < 0 ||
	    (rc = vtb_ring_header_read(r, cause)) < 0 || (rc = vtb_ring_copy_tables(r, cause)) < 0)
		goto fail;
	vtb_ring_fill_info(r, &info);
	live = live && info.alive;
	uint64_t head_after = r->h.head >= head ? r->h.head : head;
	uint64_t keep_from = first_intact(r, first, head_after, live);
	uint64_t skip = keep_from - first < n ? keep_from - first : n;
	d.st.overwritten = skip;
	if (skip && n > skip)
		memmove(r->records, r->records + skip, (n - skip) * sizeof *r->records);
	d.n = n - skip;
	d.st.records = d.n;
	d.arena_head = arena_head;
	uint64_t arena_after = r->h.arena_head >= arena_head ? r->h.arena_head : arena_head;
	d.arena_lo = arena_after > r->h.arena_bytes ? arena_after - r->h.arena_bytes + (live ? DEC_BLOB_MARGIN : 0) : 0;
	t = decode(&d, &info, head, cause);
	if (st)
		*st = d.st;
	dec_free(&d);
	return t;
fail:
	if (!*cause)
		*cause = vtb_fmt("%s: reading the ring: %s%s", r->path, vtb_strerror(rc),
				 rc == VTB_E_TRUNCATED ? " (the file is shorter than its header says)" : "");
	dec_free(&d);
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
