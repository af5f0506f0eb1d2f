/* SPDX-License-Identifier: MIT */
/* ring_model.c: the model a live reader keeps between snapshots of a ring. It is a trace
 * under construction (the reader's own building blocks, trace_internal.h) that is never
 * finished: each snapshot appends the new records to it (ring_decode.c), evicts what the
 * writer has overwritten since, and hands the caller a finished copy. A refresh so costs
 * the new records plus one copy of the model, not a decode of the whole ring. */
#define _GNU_SOURCE /* mremap */
#include "common/ring_internal.h"
#include "common/trace_internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static uint64_t str_hash_of(const void *ctx, size_t i)
{
	const vtb_string *s = &((const vtb_trace *)ctx)->strs[i];
	return vtb_str_hash(s->name, s->file, s->line);
}

static void live_clear(ring_live *lv)
{
	vtb_trace_free(lv->acc);
	lv->acc = NULL;
	free(lv->slots);
	free(lv->str_hash);
	lv->slots = NULL;
	lv->nslots = 0;
	lv->str_hash = NULL;
	lv->str_hcap = 0;
	lv->ncodes = 0;
	lv->valid = 0;
	lv->text_bytes = 0;
}

int ring_live_reset(ring_live *lv)
{
	live_clear(lv);
	if (!lv->pool)
		lv->pool = vtb_map_pool_new();
	if (!(lv->acc = calloc(1, sizeof *lv->acc)))
		return VTB_E_NOMEM;
	lv->acc->pool = vtb_map_pool_ref(lv->pool);
	return ring_live_string(lv, "<unknown>", "", 0) < 0 ? VTB_E_NOMEM : 0;
}

void ring_live_free(ring_live *lv)
{
	if (!lv)
		return;
	live_clear(lv);
	vtb_map_pool_close(lv->pool);
	free(lv->biggest);
	free(lv->str_of);
	free(lv);
}

/* Interned as the VTB writer does, so two codes of the same function are one name. */
int64_t ring_live_string(ring_live *lv, const char *name, const char *file, uint32_t line)
{
	vtb_trace *t = lv->acc;
	if (t->nstr * 2 >= lv->str_hcap &&
	    vtb_slots_grow(&lv->str_hash, &lv->str_hcap, 256, t->nstr, str_hash_of, t) < 0)
		return VTB_E_NOMEM;
	size_t j = vtb_str_hash(name, file, line) & (lv->str_hcap - 1);
	for (; lv->str_hash[j]; j = (j + 1) & (lv->str_hcap - 1)) {
		const vtb_string *s = &t->strs[lv->str_hash[j] - 1];
		if (s->line == line && !strcmp(s->name, name) && !strcmp(s->file, file))
			return lv->str_hash[j] - 1;
	}
	if (vtb_grow((void **)&t->strs, &t->strcap, t->nstr + 1, sizeof *t->strs) < 0)
		return VTB_E_NOMEM;
	vtb_string *s = &t->strs[t->nstr];
	s->name = vtb_arena_str(&t->arena, name, strlen(name));
	s->file = *file ? vtb_arena_str(&t->arena, file, strlen(file)) : "";
	s->line = line;
	if (!s->name || !s->file)
		return VTB_E_NOMEM;
	lv->str_hash[j] = (uint32_t)++t->nstr;
	return (int64_t)t->nstr - 1;
}

/* Rows past the deepest call held or open are left out of a trace (as if never made). */
static size_t rows_used(const struct vtb_rthread *th)
{
	size_t nrows = th->nrows;
	while (nrows && !th->rows[nrows - 1].n && nrows > th->depth)
		nrows--;
	return nrows;
}

struct vtb_rthread *ring_live_thread(ring_live *lv, size_t i, uint32_t pid, uint64_t tid, const char *name)
{
	vtb_trace *t = lv->acc;
	ring_slot *s = &lv->slots[i];
	if (s->th >= 0)
		return &t->th[s->th];
	if (vtb_grow((void **)&t->th, &t->thcap, t->nth + 1, sizeof *t->th) < 0)
		return NULL;
	struct vtb_rthread *th = &t->th[t->nth];
	memset(th, 0, sizeof *th);
	th->pub.pid = pid;
	th->pub.tid = tid;
	if (!(th->pub.name = vtb_arena_str(&t->arena, name, strlen(name))))
		return NULL;
	s->th = (int32_t)t->nth++;
	return th;
}

#define RING_RESTAMP_NOW 4096u

/* The thread's slices, counted up to just past `most`. */
static size_t slices_up_to(const struct vtb_rthread *th, size_t most)
{
	size_t n = 0;
	for (size_t d = 0; d < th->nrows && n <= most; d++)
		n += th->rows[d].n;
	return n;
}

/* Depth fields of the thread's slices, as their rows say. */
static void restamp_thread(struct vtb_rthread *th)
{
	for (size_t d = 0; d < th->nrows; d++)
		for (size_t k = 0; k < th->rows[d].n; k++)
			th->rows[d].s[k].depth = (uint16_t)d;
}

int ring_live_outer(ring_live *lv, ring_slot *s, uint64_t from_ns, uint64_t ns, uint32_t str, uint32_t flags)
{
	struct vtb_rthread *th = &lv->acc->th[s->th];
	if (th->nrows + 1 >= VTB_DEPTH_LIMIT) /* no room for one more level: not shown */
		return 0;
	if (vtb_grow((void **)&th->rows, &th->rowcap, th->nrows + 1, sizeof *th->rows) < 0)
		return VTB_E_NOMEM;
	memmove(th->rows + 1, th->rows, th->nrows * sizeof *th->rows);
	memset(th->rows, 0, sizeof *th->rows);
	th->nrows++;
	/* The slices' own depth fields follow: now while the thread holds few (a window that
	 * opens inside a few calls meets their ends first), else once, before the model is
	 * handed out (a decode meeting many such ends would rewrite every slice for each). */
	if (!s->restamp && slices_up_to(th, RING_RESTAMP_NOW) <= RING_RESTAMP_NOW)
		restamp_thread(th);
	else
		s->restamp = 1;
	for (size_t k = 0; k < th->natt; k++)
		th->att[k].depth++;
	for (size_t k = 0; k < th->nsteps; k++)
		th->steps[k].depth++;
	s->end_depth++;
	if (from_ns > ns)
		from_ns = ns;
	vtb_slice sl = { from_ns, ns - from_ns, str, (uint16_t)(flags | VTB_CALL_ENTRY_LOST), 0 };
	int64_t i = vtb_model_slice(th, 0, &sl);
	if (i < 0)
		return (int)i;
	s->can_retval = 1;
	s->end_depth = 0;
	s->end_index = (uint32_t)i;
	return 0;
}

#define RING_HUGE_BYTES (2u << 20)

/* A big row lives in an anonymous mapping (huge pages where the kernel has them), best one
 * a freed trace gave back to the pool: its pages are faulted in already; else a new one
 * is faulted in a few large pages rather than many small ones, and grows by mremap without
 * copying. A model handed out whole takes its mappings along (they go back to the pool). */
static size_t map_round(size_t slices)
{
	if (slices > (SIZE_MAX - RING_HUGE_BYTES) / sizeof(vtb_slice))
		return 0;
	return (slices * sizeof(vtb_slice) + RING_HUGE_BYTES - 1) / RING_HUGE_BYTES * RING_HUGE_BYTES;
}

int ring_row_reserve(ring_live *lv, struct vtb_rrow *r, size_t want)
{
	size_t bytes = map_round(want), n = r->n;
	void *p;
	if (!bytes)
		return VTB_E_NOMEM;
	if (bytes <= r->map_bytes)
		return 0;
	if (r->map_bytes && vtb_map_pool_empty(lv->pool)) { /* grows in place or moves, keeping its pages */
		if ((p = mremap(r->s, r->map_bytes, bytes, MREMAP_MAYMOVE)) == MAP_FAILED)
			return VTB_E_NOMEM;
	} else {
		if (!(p = vtb_map_pool_map(lv->pool, bytes, &bytes)))
			return VTB_E_NOMEM;
		if (n)
			memcpy(p, r->s, n * sizeof *r->s);
		vtb_model_row_free(lv->acc, r);
	}
	r->s = p;
	r->n = n;
	r->cap = bytes / sizeof *r->s;
	r->map_bytes = bytes;
	return 0;
}

/* Index of the first slice of the row that ends at or after `ns`. */
static size_t row_keep_from(const struct vtb_rrow *r, uint64_t ns)
{
	size_t lo = 0, hi = r->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->s[mid].start_ns + r->s[mid].dur_ns >= ns)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static void clip(uint64_t *start, uint64_t *dur, uint16_t *flags, uint64_t ns)
{
	if (*start >= ns)
		return;
	*dur = *start + *dur > ns ? *start + *dur - ns : 0;
	*start = ns;
	*flags |= VTB_CALL_ENTRY_LOST;
}

/* Attachments and task steps follow their calls' new indexes; those of dropped calls go. */
static void evict_attachments(struct vtb_rthread *th, const size_t *gone)
{
	size_t n = 0;
	for (size_t k = 0; k < th->natt; k++) {
		vtb_attachment a = th->att[k];
		if (a.depth < th->nrows && a.index < gone[a.depth])
			continue;
		if (a.depth < th->nrows)
			a.index -= (uint32_t)gone[a.depth];
		th->att[n++] = a;
	}
	th->natt = n;
	n = 0;
	for (size_t k = 0; k < th->nsteps; k++) {
		vtb_task_step st = th->steps[k];
		if (st.depth < th->nrows && st.index < gone[st.depth])
			continue;
		if (st.depth < th->nrows)
			st.index -= (uint32_t)gone[st.depth];
		th->steps[n++] = st;
	}
	th->nsteps = n;
}

static int evict_thread(ring_slot *s, struct vtb_rthread *th, uint64_t ns)
{
	size_t *gone = calloc(th->nrows ? th->nrows : 1, sizeof *gone);
	if (!gone)
		return VTB_E_NOMEM;
	for (size_t d = 0; d < th->nrows; d++) {
		struct vtb_rrow *r = &th->rows[d];
		gone[d] = row_keep_from(r, ns);
		if (gone[d]) {
			memmove(r->s, r->s + gone[d], (r->n - gone[d]) * sizeof *r->s);
			r->n -= gone[d];
		}
		if (r->n) {
			uint16_t f = r->s[0].flags;
			clip(&r->s[0].start_ns, &r->s[0].dur_ns, &f, ns);
			r->s[0].flags = f;
		}
	}
	for (size_t k = 0; k < th->depth; k++) {
		uint64_t dur = 0;
		uint16_t f = (uint16_t)th->stack[k].flags;
		clip(&th->stack[k].start_ns, &dur, &f, ns);
		th->stack[k].flags = f;
	}
	if (s->can_retval && s->end_depth < th->nrows) {
		if (s->end_index < gone[s->end_depth])
			s->can_retval = 0;
		else
			s->end_index -= (uint32_t)gone[s->end_depth];
	}
	evict_attachments(th, gone);
	free(gone);
	size_t m = 0;
	while (m < th->nmarks && th->marks[m].ts_ns < ns)
		m++;
	if (m)
		memmove(th->marks, th->marks + m, (th->nmarks - m) * sizeof *th->marks);
	th->nmarks -= m;
	return 0;
}

int ring_live_evict(ring_live *lv, uint64_t ns)
{
	vtb_trace *t = lv->acc;
	for (size_t i = 0; i < lv->nslots; i++) {
		int rc;
		if (lv->slots[i].th >= 0 && (rc = evict_thread(&lv->slots[i], &t->th[lv->slots[i].th], ns)) < 0)
			return rc;
	}
	for (size_t i = 0; i < t->nctr; i++) {
		struct vtb_rcounter *k = &t->ctr[i];
		size_t n = 0;
		for (size_t j = 0; j < k->n; j++)
			if (k->s[j].ts_ns >= ns)
				k->s[n++] = k->s[j];
		k->n = n;
	}
	lv->window_ns = ns;
	return 0;
}

/* ---- the copy handed to the caller ---- */

/* Depth fields of the slices of threads whose rows moved down, as their rows say. */
static void restamp(ring_live *lv)
{
	for (size_t i = 0; i < lv->nslots; i++) {
		if (!lv->slots[i].restamp || lv->slots[i].th < 0)
			continue;
		restamp_thread(&lv->acc->th[lv->slots[i].th]);
		lv->slots[i].restamp = 0;
	}
}

static const char *copy_str(vtb_trace *t, const char *s)
{
	return s ? vtb_arena_str(&t->arena, s, strlen(s)) : NULL;
}

/* A big row's copy goes to a mapping of the pool (pages already faulted in), with room
 * for the open call the finished trace closes into it. */
static int copy_row(vtb_trace *t, struct vtb_rrow *to, const struct vtb_rrow *r)
{
	size_t bytes = r->n >= RING_ROW_BIG ? map_round(r->n + 1) : 0;
	if (bytes && (to->s = vtb_map_pool_map(t->pool, bytes, &bytes))) {
		to->map_bytes = bytes;
		to->cap = bytes / sizeof *to->s;
	} else if ((to->s = malloc(r->n * sizeof *r->s))) {
		to->cap = r->n;
	} else {
		return VTB_E_NOMEM;
	}
	memcpy(to->s, r->s, r->n * sizeof *r->s);
	to->n = r->n;
	return 0;
}

static int copy_rows(vtb_trace *t, struct vtb_rthread *to, const struct vtb_rthread *th)
{
	size_t nrows = rows_used(th);
	if (nrows && !(to->rows = calloc(nrows, sizeof *to->rows)))
		return VTB_E_NOMEM;
	to->nrows = to->rowcap = nrows;
	for (size_t d = 0; d < nrows; d++) {
		const struct vtb_rrow *r = &th->rows[d];
		if (r->n && copy_row(t, &to->rows[d], r) < 0)
			return VTB_E_NOMEM;
	}
	return 0;
}

/* The thread's texts are the trace's own: each is copied into its arena. */
static int copy_thread(vtb_trace *t, struct vtb_rthread *to, const struct vtb_rthread *th)
{
	memset(to, 0, sizeof *to);
	to->pub.pid = th->pub.pid;
	to->pub.tid = th->pub.tid;
	to->last_ts = th->last_ts;
	to->seen = 1;
	if (!(to->pub.name = copy_str(t, th->pub.name)) || copy_rows(t, to, th) < 0)
		return VTB_E_NOMEM;
	if ((th->depth && !(to->stack = malloc(th->depth * sizeof *to->stack))) ||
	    (th->nmarks && !(to->marks = malloc(th->nmarks * sizeof *to->marks))) ||
	    (th->natt && !(to->att = malloc(th->natt * sizeof *to->att))) ||
	    (th->nsteps && !(to->steps = malloc(th->nsteps * sizeof *to->steps))))
		return VTB_E_NOMEM;
	to->nsteps = to->stepcap = th->nsteps;
	for (size_t k = 0; k < th->nsteps; k++) {
		to->steps[k] = th->steps[k];
		if (!(to->steps[k].name = copy_str(t, th->steps[k].name)))
			return VTB_E_NOMEM;
	}
	to->depth = to->stackcap = th->depth;
	to->nmarks = to->markcap = th->nmarks;
	to->natt = to->attcap = th->natt;
	for (size_t k = 0; k < th->depth; k++) {
		to->stack[k] = th->stack[k];
		if ((th->stack[k].args && !(to->stack[k].args = copy_str(t, th->stack[k].args))) ||
		    (th->stack[k].task_name && !(to->stack[k].task_name = copy_str(t, th->stack[k].task_name))))
			return VTB_E_NOMEM;
	}
	for (size_t k = 0; k < th->nmarks; k++) {
		to->marks[k] = th->marks[k];
		if (!(to->marks[k].text = copy_str(t, th->marks[k].text)))
			return VTB_E_NOMEM;
	}
	for (size_t k = 0; k < th->natt; k++) {
		to->att[k] = th->att[k];
		if ((th->att[k].args && !(to->att[k].args = copy_str(t, th->att[k].args))) ||
		    (th->att[k].retval && !(to->att[k].retval = copy_str(t, th->att[k].retval))))
			return VTB_E_NOMEM;
	}
	return 0;
}

static int thread_empty(const struct vtb_rthread *th)
{
	for (size_t d = 0; d < th->nrows; d++)
		if (th->rows[d].n)
			return 0;
	return !th->nmarks && !th->depth;
}

static int copy_threads(vtb_trace *t, const ring_live *lv)
{
	const vtb_trace *a = lv->acc;
	if (a->nth && !(t->th = calloc(a->nth, sizeof *t->th)))
		return VTB_E_NOMEM;
	t->thcap = a->nth;
	/* thread table order, then the overflow timeline, then GC, as the tracer's dumps */
	for (size_t k = 0; k < lv->nslots; k++) {
		size_t i = k + 2 < lv->nslots ? k + 2 : k + 2 - lv->nslots;
		if (lv->slots[i].th < 0 || thread_empty(&a->th[lv->slots[i].th]))
			continue;
		if (copy_thread(t, &t->th[t->nth++], &a->th[lv->slots[i].th]) < 0)
			return VTB_E_NOMEM;
	}
	return 0;
}

static int copy_counters(vtb_trace *t, const vtb_trace *a)
{
	for (size_t i = 0; i < a->nctr; i++) {
		const struct vtb_rcounter *c = &a->ctr[i];
		if (!c->n)
			continue;
		struct vtb_rcounter *k = vtb_model_counter(t, c->pub.pid, c->pub.name_id, c->pub.series_id);
		if (!k || !(k->s = malloc(c->n * sizeof *c->s)))
			return VTB_E_NOMEM;
		memcpy(k->s, c->s, c->n * sizeof *c->s);
		k->n = k->cap = c->n;
		k->unsorted = c->unsorted;
	}
	return 0;
}

static int set_head(vtb_trace *t, const vtb_header *h)
{
	t->header = *h;
	t->have_head = 1;
	if (!(t->header.cmdline = copy_str(t, h->cmdline)) || !(t->header.python_version = copy_str(t, h->python_version)) ||
	    !(t->header.reason_text = copy_str(t, h->reason_text)))
		return VTB_E_NOMEM;
	if (!(t->procs = calloc(1, sizeof *t->procs)))
		return VTB_E_NOMEM;
	t->procs[0] = (vtb_process){ h->pid, h->ppid, "" };
	t->nproc = t->proccap = 1;
	return 0;
}

static int copy_strings(vtb_trace *t, const vtb_trace *a)
{
	if (a->nstr && !(t->strs = malloc(a->nstr * sizeof *t->strs)))
		return VTB_E_NOMEM;
	t->nstr = t->strcap = a->nstr;
	for (size_t i = 0; i < a->nstr; i++) {
		t->strs[i] = a->strs[i];
		if (!(t->strs[i].name = copy_str(t, a->strs[i].name)) || !(t->strs[i].file = copy_str(t, a->strs[i].file)))
			return VTB_E_NOMEM;
	}
	return 0;
}

/* Calls closed, and events as the VTB reader counts them: a begin and an end a call, one
 * begin an open call, and each mark and sample. */
static void count(vtb_trace *t)
{
	t->calls = t->events = 0;
	for (size_t i = 0; i < t->nth; i++) {
		const struct vtb_rthread *th = &t->th[i];
		for (size_t d = 0; d < th->nrows; d++)
			t->calls += th->rows[d].n;
		t->events += th->nmarks + th->depth;
	}
	for (size_t i = 0; i < t->nctr; i++)
		t->events += t->ctr[i].n;
	t->events += 2 * t->calls;
}

static vtb_trace *finish(vtb_trace *t)
{
	count(t);
	if (vtb_model_finish(t) < 0) {
		vtb_trace_free(t);
		return NULL;
	}
	return t;
}

vtb_trace *ring_live_copy(ring_live *lv, const vtb_header *h)
{
	restamp(lv);
	vtb_trace *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->pool = vtb_map_pool_ref(lv->pool);
	if (set_head(t, h) < 0 || copy_strings(t, lv->acc) < 0 || copy_threads(t, lv) < 0 ||
	    copy_counters(t, lv->acc) < 0) {
		vtb_trace_free(t);
		return NULL;
	}
	return finish(t);
}

static void thread_parts_free(vtb_trace *t, struct vtb_rthread *th)
{
	for (size_t d = 0; d < th->nrows; d++)
		vtb_model_row_free(t, &th->rows[d]);
	free(th->rows);
	free(th->marks);
	free(th->att);
	free(th->steps);
	free(th->stack);
}

/* The biggest row of slot i's thread, for the next full decode (none when out of memory). */
static void keep_biggest(ring_live *lv, size_t i, const struct vtb_rthread *th)
{
	if (i >= lv->nbiggest) {
		size_t *b = realloc(lv->biggest, lv->nslots * sizeof *b);
		if (!b)
			return;
		memset(b + lv->nbiggest, 0, (lv->nslots - lv->nbiggest) * sizeof *b);
		lv->biggest = b;
		lv->nbiggest = lv->nslots;
	}
	lv->biggest[i] = 0;
	for (size_t d = 0; d < th->nrows; d++)
		if (th->rows[d].n > lv->biggest[i])
			lv->biggest[i] = th->rows[d].n;
}

vtb_trace *ring_live_take(ring_live *lv, const vtb_header *h)
{
	restamp(lv);
	vtb_trace *t = lv->acc;
	struct vtb_rthread *th = calloc(t->nth ? t->nth : 1, sizeof *th);
	if (!th)
		return NULL;
	size_t n = 0;
	for (size_t k = 0; k < lv->nslots; k++) {
		size_t i = k + 2 < lv->nslots ? k + 2 : k + 2 - lv->nslots;
		if (lv->slots[i].th < 0)
			continue;
		struct vtb_rthread *x = &t->th[lv->slots[i].th];
		keep_biggest(lv, i, x);
		if (thread_empty(x))
			thread_parts_free(t, x);
		else
			th[n++] = *x;
		lv->slots[i].th = -1;
	}
	free(t->th);
	t->th = th;
	t->nth = n;
	t->thcap = n ? n : 1;
	lv->acc = NULL;
	lv->valid = 0;
	if (set_head(t, h) < 0) {
		vtb_trace_free(t);
		return NULL;
	}
	return finish(t);
}
