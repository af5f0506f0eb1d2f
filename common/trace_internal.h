/* SPDX-License-Identifier: MIT */
/* trace_internal.h: the trace model's private layout, shared by reader.c, model.c and
 * save.c (not a public header). */
#ifndef VTUI_TRACE_INTERNAL_H
#define VTUI_TRACE_INTERNAL_H

#include "common/vtb_internal.h"

struct vtb_rrow {
	vtb_slice *s;
	size_t n, cap;
	size_t map_bytes;        /* 0: s is malloc'd; else s is a mapping of that many bytes
				  * (a live ring's big rows, ring_model.c), never realloc'd */
};

/* A call the reader has seen begin and not yet end. */
struct vtb_rframe {
	uint64_t start_ns;
	uint32_t name_id;
	uint32_t flags;
	const char *args;
	const char *task_name;   /* a TASK record named the call's asyncio task, else NULL */
	uint64_t task;
};

struct vtb_rthread {
	vtb_thread pub;          /* filled by vtb_model_finish */
	struct vtb_rrow *rows;
	size_t nrows, rowcap;
	vtb_mark *marks;
	size_t nmarks, markcap;
	vtb_attachment *att;
	size_t natt, attcap;
	vtb_task_step *steps;
	size_t nsteps, stepcap;
	struct vtb_rframe *stack;
	size_t depth, stackcap;
	uint64_t last_ts;
	uint64_t next_seq;
	int seen;                /* a chunk of it was decoded */
	int placeholder;         /* referenced before (or without) its THRD entry */
	vtb_row *pubrows;
	size_t *map_bytes;       /* once published: per depth, as vtb_rrow.map_bytes (NULL: none) */
};

struct vtb_rcounter {
	vtb_counter pub;
	vtb_sample *s;
	size_t n, cap;
	int unsorted;
};

struct vtb_trace {
	vtb_header header;
	int have_head;
	vtb_damage damage;
	vtb_string *strs;
	size_t nstr, strcap;
	vtb_process *procs;
	size_t nproc, proccap;
	struct vtb_rthread *th;
	size_t nth, thcap;
	struct vtb_rcounter *ctr;
	size_t nctr, ctrcap;
	uint32_t *ctr_hash;      /* counter index + 1; 0 empty */
	size_t ctr_hcap;
	size_t calls, events;
	uint64_t first_ns, last_ns;
	struct vtb_arena arena;
	vtb_trace *base;         /* a flattened trace: the trace it was made from (owned),
				  * which owns the strings, marks, counters and texts they share */
	struct vtb_map_pool *pool; /* where the mappings of its rows go when freed (a ref) */
};

extern const char vtb_placeholder_file[];

/* Slot of the counter (pid, name, series), created when new; NULL when out of memory. */
struct vtb_rcounter *vtb_model_counter(vtb_trace *t, uint32_t pid, uint32_t name_id, uint32_t series_id);
/* Close open calls at the end, shrink arrays, sort what needs it, fill the public views. */
int vtb_model_finish(vtb_trace *t);
/* Shrink a thread's rows to fit and publish them (pub.rows, depth_count, call_count). */
int vtb_model_publish_rows(vtb_trace *t, struct vtb_rthread *th);
/* Free the threads' own arrays and the thread table. */
void vtb_model_free_threads(vtb_trace *t);
/* Free a row's slices of trace t (a mapping goes to t's pool, else is unmapped); the row
 * is left empty. */
void vtb_model_row_free(vtb_trace *t, struct vtb_rrow *r);

/* Mappings of freed rows a live ring reuses (map_pool.c): its decode then writes pages
 * already faulted in, not new ones the kernel must clear. Refcounted by the ring and the
 * traces it handed out; a ring and its traces are used from one thread at a time. */
struct vtb_map_pool;
/* A new pool (one reference, the caller's), NULL when out of memory. */
struct vtb_map_pool *vtb_map_pool_new(void);
/* Another reference to p (NULL stays NULL). */
struct vtb_map_pool *vtb_map_pool_ref(struct vtb_map_pool *p);
/* Drops a reference; the last one unmaps what the pool kept. */
void vtb_map_pool_unref(struct vtb_map_pool *p);
/* The owner's last reference: the pool keeps nothing more, from now on. */
void vtb_map_pool_close(struct vtb_map_pool *p);
/* Gives the mapping to the pool (unmapped when the pool is full or gone: p NULL). */
void vtb_map_pool_put(struct vtb_map_pool *p, void *addr, size_t len_bytes);
/* Does the pool keep no mapping? */
int vtb_map_pool_empty(const struct vtb_map_pool *p);
/* A mapping of at least len_bytes, the caller's: the pool's, else a new one faulted in
 * whole (*got: its size); NULL when out of memory. */
void *vtb_map_pool_map(struct vtb_map_pool *p, size_t len_bytes, size_t *got);

/* Append a slice at `depth` of thread `th`; returns its index or a negative error. */
static inline __attribute__((always_inline)) int64_t vtb_model_slice(struct vtb_rthread *th, uint32_t depth, const vtb_slice *s)
{
	if (depth >= th->nrows) {
		if (vtb_grow((void **)&th->rows, &th->rowcap, (size_t)depth + 1, sizeof(*th->rows)))
			return VTB_E_NOMEM;
		memset(th->rows + th->nrows, 0, (depth + 1 - th->nrows) * sizeof(*th->rows));
		th->nrows = (size_t)depth + 1;
	}
	struct vtb_rrow *r = &th->rows[depth];
	/* A row per depth: 65535 deep stacks have as many rows of a few slices each. */
	if (r->n == r->cap && vtb_grow_min((void **)&r->s, &r->cap, r->n + 1, sizeof(*r->s), 1))
		return VTB_E_NOMEM;
	r->s[r->n] = *s;
	return (int64_t)r->n++;
}

/* Append an attachment, or fill the last one when it is the same call. */
static inline int vtb_model_attach(struct vtb_rthread *th, uint32_t depth, uint32_t index, const char *args,
				   const char *retval)
{
	if (th->natt && th->att[th->natt - 1].depth == depth && th->att[th->natt - 1].index == index) {
		vtb_attachment *a = &th->att[th->natt - 1];
		if (args)
			a->args = args;
		if (retval)
			a->retval = retval;
		return 0;
	}
	if (vtb_grow((void **)&th->att, &th->attcap, th->natt + 1, sizeof(*th->att)))
		return VTB_E_NOMEM;
	th->att[th->natt++] = (vtb_attachment){ depth, index, args, retval };
	return 0;
}

/* Append a task step (the call rows[depth][index]). */
static inline int vtb_model_step(struct vtb_rthread *th, uint32_t depth, uint32_t index, uint64_t task,
				 const char *name)
{
	if (vtb_grow((void **)&th->steps, &th->stepcap, th->nsteps + 1, sizeof(*th->steps)))
		return VTB_E_NOMEM;
	th->steps[th->nsteps++] = (vtb_task_step){ depth, index, task, name };
	return 0;
}

/* End the innermost open call of `th` at `ts` (>= its start), OR-ing `flags`; its slice
 * index goes to *index. */
static inline __attribute__((always_inline)) int vtb_model_close(vtb_trace *t, struct vtb_rthread *th, uint64_t ts, uint32_t flags,
				  int64_t *index)
{
	struct vtb_rframe *f = &th->stack[--th->depth];
	vtb_slice s = { f->start_ns, ts - f->start_ns, f->name_id, (uint16_t)(f->flags | flags),
			(uint16_t)th->depth };
	int64_t i = vtb_model_slice(th, (uint32_t)th->depth, &s);

	if (i < 0)
		return (int)i;
	if (f->args && vtb_model_attach(th, (uint32_t)th->depth, (uint32_t)i, f->args, NULL))
		return VTB_E_NOMEM;
	if (f->task_name && vtb_model_step(th, (uint32_t)th->depth, (uint32_t)i, f->task, f->task_name))
		return VTB_E_NOMEM;
	t->calls++;
	*index = i;
	return 0;
}

#endif
