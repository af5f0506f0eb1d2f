/* SPDX-License-Identifier: MIT */
/* reader.c: VTB decoder. One pass over the sections, in file order, building the model.
 *
 * Nothing in the file is trusted: each length is checked against the bytes left, each
 * count is bounded by the bytes that would have to follow, ids are checked against what
 * has been declared, arrays grow only as records actually arrive. In salvage mode a bad
 * section is skipped (the walk resyncs on the next section whose tag, length and CRC all
 * check out) and the first problem is kept with its byte offset.
 */
#include "common/trace_internal.h"
#include "common/ring_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROGRESS_STEP (4u << 20)
#define LOST_THREADS_MAX (1u << 17) /* placeholder threads one load may make (see ld_lost_threads) */

const char vtb_placeholder_file[] = "";

struct secinfo {
	uint32_t tag;
	uint32_t thread;
	uint64_t off;
	uint64_t first_ts, records;
};

struct ld {
	vtb_trace *t;
	const uint8_t *buf;
	size_t len;
	int salvage;
	int code;           /* the error that fails a strict load */
	char *err;
	size_t lost;        /* bytes in skipped sections: bounds the ids they could have declared */
	size_t placeholders; /* strings and threads made up for ids the lost bytes declared */
	size_t lost_threads; /* the threads among them */
	vtb_progress_fn progress;
	void *progress_ctx;
	size_t next_progress;
	struct secinfo *secs;
	size_t nsecs, seccap;
	struct vtb_rframe *stk; /* open calls a chunk declares */
	size_t stkcap;
	int saw_trailer;
	struct secinfo evts;    /* thread, first_ts, records of the last EVTS decoded */
	size_t resync_left;     /* bytes resync() may still checksum (see there) */
};

/* Record a problem at byte `off` and return `code`. The caller skips the section (salvage)
 * or the load fails with the first problem (strict). */
static int ld_bad(struct ld *l, int code, size_t off, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int ld_bad(struct ld *l, int code, size_t off, const char *fmt, ...)
{
	char **slot = l->salvage ? &l->t->damage.first_problem : &l->err;
	if (*slot)
		return code;
	va_list ap;
	va_start(ap, fmt);
	char *msg = vtb_vfmt(fmt, ap);
	va_end(ap);
	*slot = vtb_fmt("byte %zu: %s", off, msg ? msg : "out of memory");
	free(msg);
	if (!l->salvage)
		l->code = code;
	return code;
}

/* A cursor over one section's payload, with the file offset for messages. */
struct cur {
	const uint8_t *p, *end, *base;
	size_t base_off;
	struct ld *l;
	const char *what;
};

static size_t cur_off(const struct cur *c)
{
	return c->base_off + (size_t)(c->p - c->base);
}

static int cur_varint(struct cur *c, uint64_t *v, const char *field)
{
	int rc = vtb_varint_get(&c->p, c->end, v);

	if (rc == -1)
		return ld_bad(c->l, VTB_E_FORMAT, cur_off(c), "%s: %s runs past the end of the section", c->what, field);
	if (rc)
		return ld_bad(c->l, VTB_E_FORMAT, cur_off(c), "%s: %s is not a valid varint (over 64 bits)", c->what, field);
	return 0;
}

static int cur_u32(struct cur *c, uint32_t *v, const char *field)
{
	uint64_t x;
	int rc = cur_varint(c, &x, field);

	if (!rc && x > UINT32_MAX)
		rc = ld_bad(c->l, VTB_E_FORMAT, cur_off(c), "%s: %s %llu exceeds 32 bits", c->what, field,
			    (unsigned long long)x);
	*v = (uint32_t)x;
	return rc;
}

/* A string: varint length then bytes; copied into the arena. */
static int cur_str(struct cur *c, const char **s, const char *field)
{
	uint64_t n;
	int rc = cur_varint(c, &n, field);

	if (rc)
		return rc;
	if (n > (uint64_t)(c->end - c->p))
		return ld_bad(c->l, VTB_E_FORMAT, cur_off(c), "%s: %s of %llu bytes runs past the end of the section",
			      c->what, field, (unsigned long long)n);
	*s = n ? vtb_arena_str(&c->l->t->arena, (const char *)c->p, n) : "";
	if (!*s)
		return ld_bad(c->l, VTB_E_NOMEM, cur_off(c), "out of memory");
	c->p += n;
	return 0;
}

static int ld_head(struct ld *l, struct cur *c)
{
	vtb_header *h = &l->t->header;
	vtb_header n = { 0 };
	uint64_t v[10];
	const char *names[10] = { "pid", "ppid", "reason", "wrapped", "start_wall_ns", "start_mono_ns",
				  "window_start_ns", "dump_ns", "ring_capacity", "events_dropped" };
	int rc = 0;

	if (l->t->have_head)
		return ld_bad(l, VTB_E_FORMAT, c->base_off - 8, "a second HEAD section");
	for (int i = 0; i < 10 && !rc; i++)
		rc = cur_varint(c, &v[i], names[i]);
	for (int i = 0; i < 3 && !rc; i++)
		if (v[i] > UINT32_MAX)
			rc = ld_bad(l, VTB_E_FORMAT, c->base_off, "HEAD: %s exceeds 32 bits", names[i]);
	for (int i = 4; i < 8 && !rc; i++)
		if (v[i] > VTB_TIME_MAX)
			rc = ld_bad(l, VTB_E_FORMAT, c->base_off, "HEAD: %s %llu is past the format's last time, "
				    "2^62 ns", names[i], (unsigned long long)v[i]);
	if (!rc)
		rc = cur_str(c, &n.cmdline, "cmdline");
	if (!rc)
		rc = cur_str(c, &n.python_version, "python_version");
	if (!rc)
		rc = cur_str(c, &n.reason_text, "reason_text");
	if (rc)
		return rc;
	/* Later minor versions may append fields: the rest is ignored. */
	n.pid = (uint32_t)v[0];
	n.ppid = (uint32_t)v[1];
	n.reason = (uint32_t)v[2];
	n.wrapped = v[3] != 0;
	n.start_wall_ns = v[4];
	n.start_mono_ns = v[5];
	n.window_start_ns = v[6];
	n.dump_ns = v[7];
	n.ring_capacity = v[8];
	n.events_dropped = v[9];
	*h = n;
	l->t->have_head = 1;
	return 0;
}

/* How many more ids lost sections could have declared: every STRS or THRD entry takes at
 * least 3 bytes, and the bound is over the whole load, not per reference, so junk followed
 * by many references cannot make lost/3 placeholders each time (a 404 KB file made 3.6 GB). */
static size_t ld_lost_room(const struct ld *l)
{
	return l->lost / 3 > l->placeholders ? l->lost / 3 - l->placeholders : 0;
}

static int ld_placeholder_string(struct ld *l, size_t id)
{
	vtb_trace *t = l->t;
	char name[48];

	if (vtb_grow((void **)&t->strs, &t->strcap, id + 1, sizeof(*t->strs)))
		return VTB_E_NOMEM;
	while (t->nstr <= id) {
		snprintf(name, sizeof(name), "<lost string %zu>", t->nstr);
		const char *s = vtb_arena_str(&t->arena, name, strlen(name));
		if (!s)
			return VTB_E_NOMEM;
		t->strs[t->nstr++] = (vtb_string){ s, vtb_placeholder_file, 0 };
		l->placeholders++;
	}
	return 0;
}

/* A string id met in the data: known, or (salvage) declared in a section that was lost. */
static int ld_string_id(struct ld *l, size_t off, uint64_t id, const char *what)
{
	vtb_trace *t = l->t;

	if (id < t->nstr)
		return 0;
	if (l->salvage && id - t->nstr < ld_lost_room(l)) {
		if (ld_placeholder_string(l, (size_t)id))
			return ld_bad(l, VTB_E_NOMEM, off, "out of memory");
		return 0;
	}
	return ld_bad(l, VTB_E_FORMAT, off, "%s: string id %llu out of range (%zu strings)", what,
		      (unsigned long long)id, t->nstr);
}

/* Store string `id`: a new one, or a late declaration of an id a lost section held. */
static int ld_put_string(struct ld *l, struct cur *c, uint64_t id, const vtb_string *s)
{
	vtb_trace *t = l->t;

	if (id >= UINT32_MAX)
		return ld_bad(l, VTB_E_FORMAT, cur_off(c), "STRS: string id %llu too large", (unsigned long long)id);
	if (id < t->nstr) {
		if (t->strs[id].file == vtb_placeholder_file)
			t->strs[id] = *s;
		return 0;
	}
	if (vtb_grow((void **)&t->strs, &t->strcap, t->nstr + 1, sizeof(*t->strs)))
		return ld_bad(l, VTB_E_NOMEM, cur_off(c), "out of memory");
	t->strs[t->nstr++] = *s;
	return 0;
}

static int ld_strs(struct ld *l, struct cur *c)
{
	vtb_trace *t = l->t;
	uint64_t first, count;
	int rc = cur_varint(c, &first, "first id");

	rc = rc ? rc : cur_varint(c, &count, "count");
	if (rc)
		return rc;
	if (count > (uint64_t)(c->end - c->p) / 3)
		return ld_bad(l, VTB_E_FORMAT, c->base_off, "STRS: %llu strings cannot fit in %zu bytes",
			      (unsigned long long)count, (size_t)(c->end - c->p));
	if (first != t->nstr && (!l->salvage || first > UINT32_MAX))
		return ld_bad(l, VTB_E_FORMAT, c->base_off, "STRS: first id %llu, expected %zu",
			      (unsigned long long)first, t->nstr);
	if (first > t->nstr && ld_string_id(l, c->base_off, first - 1, "STRS"))
		return VTB_E_FORMAT;
	for (uint64_t i = 0; i < count && !rc; i++) {
		vtb_string s;
		rc = cur_str(c, &s.name, "name");
		rc = rc ? rc : cur_str(c, &s.file, "file");
		rc = rc ? rc : cur_u32(c, &s.line, "line");
		rc = rc ? rc : ld_put_string(l, c, first + i, &s);
	}
	return rc;
}

static int ld_proc(struct ld *l, struct cur *c)
{
	vtb_trace *t = l->t;
	uint64_t count;
	int rc = cur_varint(c, &count, "count");

	if (rc)
		return rc;
	if (count > (uint64_t)(c->end - c->p) / 3)
		return ld_bad(l, VTB_E_FORMAT, c->base_off, "PROC: %llu processes cannot fit in %zu bytes",
			      (unsigned long long)count, (size_t)(c->end - c->p));
	for (uint64_t i = 0; i < count; i++) {
		vtb_process p;
		rc = cur_u32(c, &p.pid, "pid");
		if (!rc)
			rc = cur_u32(c, &p.ppid, "ppid");
		if (!rc)
			rc = cur_str(c, &p.name, "name");
		if (rc)
			return rc;
		if (vtb_grow((void **)&t->procs, &t->proccap, t->nproc + 1, sizeof(*t->procs)))
			return ld_bad(l, VTB_E_NOMEM, cur_off(c), "out of memory");
		t->procs[t->nproc++] = p;
	}
	return 0;
}

/* Threads that lost sections could still have declared. A placeholder costs a few hundred
 * bytes of model, so their number is capped as well (the tracer writes at most 65537
 * threads): 30 MB of damage made 10 million, 3 GB, before. */
static size_t ld_lost_threads(const struct ld *l)
{
	size_t room = ld_lost_room(l), cap = LOST_THREADS_MAX - l->lost_threads;

	return room < cap ? room : cap;
}

static int ld_new_threads(struct ld *l, size_t upto)
{
	vtb_trace *t = l->t;
	char name[48];

	if (vtb_grow((void **)&t->th, &t->thcap, upto, sizeof(*t->th)))
		return VTB_E_NOMEM;
	while (t->nth < upto) {
		struct vtb_rthread *th = &t->th[t->nth];
		memset(th, 0, sizeof(*th));
		snprintf(name, sizeof(name), "<lost thread %zu>", t->nth);
		th->pub.name = vtb_arena_str(&t->arena, name, strlen(name));
		if (!th->pub.name)
			return VTB_E_NOMEM;
		th->placeholder = 1;
		t->nth++;
		l->placeholders++;
		l->lost_threads++;
	}
	return 0;
}

static int ld_thrd(struct ld *l, struct cur *c)
{
	vtb_trace *t = l->t;
	uint64_t first, count;
	int rc = cur_varint(c, &first, "first index");

	rc = rc ? rc : cur_varint(c, &count, "count");
	if (rc)
		return rc;
	if (count > (uint64_t)(c->end - c->p) / 3)
		return ld_bad(l, VTB_E_FORMAT, c->base_off, "THRD: %llu threads cannot fit in %zu bytes",
			      (unsigned long long)count, (size_t)(c->end - c->p));
	if (first != t->nth && (!l->salvage || (first > t->nth && first - t->nth > ld_lost_threads(l))))
		return ld_bad(l, VTB_E_FORMAT, c->base_off, "THRD: first index %llu, expected %zu",
			      (unsigned long long)first, t->nth);
	if (first + count >= UINT32_MAX)
		return ld_bad(l, VTB_E_FORMAT, c->base_off, "THRD: thread index too large");
	for (uint64_t i = 0; i < count; i++) {
		uint32_t pid;
		uint64_t tid;
		const char *name;
		rc = cur_u32(c, &pid, "pid");
		rc = rc ? rc : cur_varint(c, &tid, "tid");
		rc = rc ? rc : cur_str(c, &name, "name");
		if (rc)
			return rc;
		if (first + i >= t->nth) {
			if (ld_new_threads(l, first + i + 1))
				return ld_bad(l, VTB_E_NOMEM, cur_off(c), "out of memory");
			l->placeholders--; /* this one is declared here, not made up */
			l->lost_threads--;
		}
		struct vtb_rthread *th = &t->th[first + i];
		if (!th->placeholder)
			continue;
		th->pub.pid = pid;
		th->pub.tid = tid;
		th->pub.name = name;
		th->placeholder = 0;
	}
	return 0;
}

/* ---- EVTS: one chunk of one thread ---- */

/* The decoding state of one chunk. */
struct dec {
	struct ld *l;
	vtb_trace *t;
	struct vtb_rthread *th;
	struct cur *c;
	uint64_t ti;
	uint64_t ts;
	uint64_t n;              /* records decoded */
	const uint8_t *rec;      /* start of the current record */
	uint64_t mtf[VTB_MTF_SLOTS]; /* recent (flags << 32 | name id) of BEGINs */
	int prev_end;            /* the previous record was an END */
	uint32_t end_depth;      /* and the slice it made */
	uint32_t end_index;
};

static int dec_bad(struct dec *d, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int dec_bad(struct dec *d, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = vtb_vfmt(fmt, ap);
	va_end(ap);
	size_t off = d->c->base_off + (size_t)(d->rec - d->c->base);
	ld_bad(d->l, code, off, "EVTS of thread %llu, record %llu: %s", (unsigned long long)d->ti,
	       (unsigned long long)d->n, msg ? msg : "out of memory");
	free(msg);
	return code;
}

static int dec_varint(struct dec *d, const uint8_t **p, const uint8_t *end, uint64_t *v, const char *what)
{
	int rc = vtb_varint_get(p, end, v);

	if (rc)
		return dec_bad(d, VTB_E_FORMAT, rc == -1 ? "%s runs past the end" : "%s is not a valid varint", what);
	return 0;
}

static int dec_name(struct dec *d, uint64_t id)
{
	if (id < d->t->nstr)
		return 0;
	if (ld_string_id(d->l, d->c->base_off + (size_t)(d->rec - d->c->base), id, "EVTS"))
		return VTB_E_FORMAT;
	return 0;
}

static inline __attribute__((always_inline)) int dec_begin(struct dec *d, uint64_t name, uint64_t flags)
{
	struct vtb_rthread *th = d->th;

	if (flags > 0xffff)
		return dec_bad(d, VTB_E_FORMAT, "call flags %llu exceed 16 bits", (unsigned long long)flags);
	if (th->depth >= VTB_MAX_DEPTH)
		return dec_bad(d, VTB_E_FORMAT, "call depth exceeds %d", VTB_MAX_DEPTH);
	if (th->depth == th->stackcap &&
	    vtb_grow((void **)&th->stack, &th->stackcap, th->depth + 1, sizeof(*th->stack)))
		return dec_bad(d, VTB_E_NOMEM, "out of memory");
	th->stack[th->depth++] = (struct vtb_rframe){ d->ts, (uint32_t)name, (uint32_t)flags, NULL, NULL, 0 };
	/* Move to front, as the writer did. */
	uint64_t key = flags << 32 | name;
	int slot = VTB_MTF_SLOTS - 1;
	for (int i = 0; i < VTB_MTF_SLOTS; i++)
		if (d->mtf[i] == key) {
			slot = i;
			break;
		}
	for (int i = slot; i > 0; i--)
		d->mtf[i] = d->mtf[i - 1];
	d->mtf[0] = key;
	d->t->events++;
	return 0;
}

static inline __attribute__((always_inline)) int dec_end(struct dec *d, uint64_t flags)
{
	int64_t idx = 0;

	if (flags > 0xffff)
		return dec_bad(d, VTB_E_FORMAT, "call flags %llu exceed 16 bits", (unsigned long long)flags);
	if (!d->th->depth)
		return dec_bad(d, VTB_E_FORMAT, "END with no open call");
	if (vtb_model_close(d->t, d->th, d->ts, (uint32_t)flags, &idx))
		return dec_bad(d, VTB_E_NOMEM, "out of memory");
	d->end_depth = (uint32_t)d->th->depth;
	d->end_index = (uint32_t)idx;
	d->prev_end = 1;
	d->t->events++;
	return 0;
}

static int dec_mark(struct dec *d, uint32_t kind, uint32_t name, uint32_t level, const char *text)
{
	struct vtb_rthread *th = d->th;

	if (vtb_grow((void **)&th->marks, &th->markcap, th->nmarks + 1, sizeof(*th->marks)))
		return dec_bad(d, VTB_E_NOMEM, "out of memory");
	th->marks[th->nmarks++] = (vtb_mark){ d->ts, kind, name, level, text };
	d->t->events++;
	return 0;
}

static int dec_counter(struct dec *d, uint32_t name, uint32_t series, double v)
{
	struct vtb_rcounter *k = vtb_model_counter(d->t, d->th->pub.pid, name, series);

	if (!k || vtb_grow((void **)&k->s, &k->cap, k->n + 1, sizeof(*k->s)))
		return dec_bad(d, VTB_E_NOMEM, "out of memory");
	if (k->n && k->s[k->n - 1].ts_ns > d->ts)
		k->unsorted = 1;
	k->s[k->n++] = (vtb_sample){ d->ts, v };
	d->t->events++;
	return 0;
}

/* An escape record's payload: `kind`, bytes [c->p, c->end). A table of the kinds, one
 * case each, which is why it runs long. */
static int dec_escape(struct dec *d, uint8_t kind, struct cur *c, int prev_end)
{
	uint64_t a = 0, b = 0;
	const char *text = "";
	int rc = 0;

	switch (kind) {
	case VTB_KIND_SKIP:
		rc = cur_varint(c, &a, "time skip");
		if (!rc && a > VTB_TIME_MAX - d->ts)
			return dec_bad(d, VTB_E_FORMAT, "a skip of %llu ns goes past the format's last time, 2^62 ns",
				       (unsigned long long)a);
		d->ts += a;
		return rc;
	case VTB_KIND_INSTANT:
	case VTB_KIND_OBJECT:
		rc = cur_varint(c, &a, "name");
		rc = rc ? rc : dec_name(d, a);
		rc = rc ? rc : cur_str(c, &text, "text");
		return rc ? rc : dec_mark(d, kind == VTB_KIND_INSTANT ? VTB_MARK_INSTANT : VTB_MARK_OBJECT,
					  (uint32_t)a, 0, text);
	case VTB_KIND_LOG:
		rc = cur_varint(c, &a, "level");
		if (!rc && a > UINT32_MAX)
			rc = dec_bad(d, VTB_E_FORMAT, "log level exceeds 32 bits");
		rc = rc ? rc : cur_varint(c, &b, "logger");
		rc = rc ? rc : dec_name(d, b);
		rc = rc ? rc : cur_str(c, &text, "message");
		return rc ? rc : dec_mark(d, VTB_MARK_LOG, (uint32_t)b, (uint32_t)a, text);
	case VTB_KIND_COUNTER: {
		rc = cur_varint(c, &a, "counter");
		rc = rc ? rc : dec_name(d, a);
		rc = rc ? rc : cur_varint(c, &b, "series");
		rc = rc ? rc : dec_name(d, b);
		if (!rc && c->end - c->p < 8)
			rc = dec_bad(d, VTB_E_FORMAT, "counter value runs past the end");
		if (rc)
			return rc;
		uint64_t bits = vtb_get_u64(c->p);
		double v;
		memcpy(&v, &bits, 8);
		c->p += 8;
		return dec_counter(d, (uint32_t)a, (uint32_t)b, v);
	}
	case VTB_KIND_ARGS:
		if (!d->th->depth)
			return dec_bad(d, VTB_E_FORMAT, "ARGS with no open call");
		rc = cur_str(c, &text, "args");
		if (!rc)
			d->th->stack[d->th->depth - 1].args = text;
		return rc;
	case VTB_KIND_TASK:
		if (!d->th->depth)
			return dec_bad(d, VTB_E_FORMAT, "TASK with no open call");
		rc = cur_varint(c, &a, "task");
		rc = rc ? rc : cur_str(c, &text, "task name");
		if (!rc) {
			d->th->stack[d->th->depth - 1].task = a;
			d->th->stack[d->th->depth - 1].task_name = text;
		}
		return rc;
	case VTB_KIND_RETVAL:
		if (!prev_end)
			return dec_bad(d, VTB_E_FORMAT, "RETVAL not right after an END");
		rc = cur_str(c, &text, "retval");
		if (!rc && vtb_model_attach(d->th, d->end_depth, d->end_index, NULL, text))
			rc = dec_bad(d, VTB_E_NOMEM, "out of memory");
		return rc;
	default:
		return 0; /* a kind from a later minor version: its length lets us skip it */
	}
}

/* One record at *p. A state machine over the head's op; says so because it is long. */
static int dec_record(struct dec *d, const uint8_t **p, const uint8_t *end)
{
	uint64_t h, delta, x = 0, y = 0;
	int prev_end = d->prev_end;
	unsigned op;

	d->rec = *p;
	d->prev_end = 0;
	if (vtb_varint_get(p, end, &h))
		return dec_varint(d, p, end, &h, "record head");
	if (!(h & 1)) {
		op = 8; /* END */
		delta = h >> 1;
	} else if (!(h & 2)) {
		op = 9; /* BEGIN with a name id */
		delta = h >> 2;
	} else {
		op = (h >> 2) & 7;
		delta = h >> 5;
	}
	if (delta > VTB_TIME_MAX - d->ts)
		return dec_bad(d, VTB_E_FORMAT, "timestamp past the format's last time, 2^62 ns");
	d->ts += delta;
	switch (op) {
	case 8:
		return dec_end(d, 0);
	case 9:
		if (dec_varint(d, p, end, &x, "name") || dec_name(d, x))
			return VTB_E_FORMAT;
		return dec_begin(d, x, 0);
	case VTB_OP_BEGIN_FLAGS:
		if (dec_varint(d, p, end, &x, "name") || dec_name(d, x) || dec_varint(d, p, end, &y, "flags"))
			return VTB_E_FORMAT;
		return dec_begin(d, x, y);
	case VTB_OP_END_FLAGS:
		if (dec_varint(d, p, end, &y, "flags"))
			return VTB_E_FORMAT;
		return dec_end(d, y);
	case VTB_OP_ESCAPE: {
		if (*p >= end)
			return dec_bad(d, VTB_E_FORMAT, "escape kind runs past the end");
		uint8_t kind = *(*p)++;
		if (dec_varint(d, p, end, &x, "escape length"))
			return VTB_E_FORMAT;
		if (x > (uint64_t)(end - *p))
			return dec_bad(d, VTB_E_FORMAT, "escape of %llu bytes runs past the end", (unsigned long long)x);
		struct cur c = { *p, *p + x, d->c->base, d->c->base_off, d->l, "EVTS" };
		*p += x;
		return dec_escape(d, kind, &c, prev_end);
	}
	case VTB_OP_RESERVED:
		return dec_bad(d, VTB_E_FORMAT, "reserved record op 7");
	default:
		if (d->mtf[op] == UINT64_MAX)
			return dec_bad(d, VTB_E_FORMAT, "name cache slot %u is empty", op);
		return dec_begin(d, (uint32_t)d->mtf[op], d->mtf[op] >> 32);
	}
}

/* Read the calls open at the chunk's start into l->stk. */
static int dec_stack(struct dec *d, struct cur *c, uint64_t depth, uint64_t first)
{
	struct ld *l = d->l;
	uint64_t prev = 0;

	if (depth > VTB_MAX_DEPTH || depth > (uint64_t)(c->end - c->p) / 3)
		return ld_bad(l, VTB_E_FORMAT, cur_off(c), "EVTS: %llu open calls (at most %d, 3 bytes each)",
			      (unsigned long long)depth, VTB_MAX_DEPTH);
	if (vtb_grow((void **)&l->stk, &l->stkcap, (size_t)depth, sizeof(*l->stk)))
		return ld_bad(l, VTB_E_NOMEM, cur_off(c), "out of memory");
	for (uint64_t i = 0; i < depth; i++) {
		uint64_t name, back, flags;
		int rc = cur_varint(c, &name, "open call name");
		rc = rc ? rc : ld_string_id(l, cur_off(c), name, "EVTS open call");
		rc = rc ? rc : cur_varint(c, &back, "open call start");
		rc = rc ? rc : cur_varint(c, &flags, "open call flags");
		if (rc)
			return rc;
		if (back > first || first - back < prev || flags > 0xffff)
			return ld_bad(l, VTB_E_FORMAT, cur_off(c), "EVTS: open call %llu has a bad start or flags",
				      (unsigned long long)i);
		prev = first - back;
		l->stk[i] = (struct vtb_rframe){ prev, (uint32_t)name, (uint32_t)flags, NULL, NULL, 0 };
	}
	return 0;
}

/* Match the declared open calls with what the thread has open. Salvage closes the calls
 * whose end was in a lost chunk (VTB_CALL_DAMAGED) and opens those begun there. */
static int dec_reconcile(struct dec *d, size_t depth, uint64_t first, size_t off)
{
	struct ld *l = d->l;
	struct vtb_rthread *th = d->th;
	size_t common = 0;
	int64_t idx;

	while (common < th->depth && common < depth && th->stack[common].name_id == l->stk[common].name_id &&
	       th->stack[common].start_ns == l->stk[common].start_ns)
		common++;
	if (th->seen && (common != th->depth || common != depth)) {
		if (!l->salvage)
			return ld_bad(l, VTB_E_FORMAT, off, "EVTS of thread %llu: the open calls at its start "
				      "do not match the previous chunk", (unsigned long long)d->ti);
		uint64_t end_at = depth > common ? l->stk[common].start_ns : first;
		if (end_at < th->last_ts)
			return ld_bad(l, VTB_E_FORMAT, off, "EVTS of thread %llu: open calls begin before "
				      "earlier data", (unsigned long long)d->ti);
		while (th->depth > common)
			if (vtb_model_close(d->t, th, end_at, VTB_CALL_DAMAGED, &idx))
				return ld_bad(l, VTB_E_NOMEM, off, "out of memory");
	}
	if (vtb_grow((void **)&th->stack, &th->stackcap, depth, sizeof(*th->stack)))
		return ld_bad(l, VTB_E_NOMEM, off, "out of memory");
	for (; th->depth < depth; th->depth++)
		th->stack[th->depth] = l->stk[th->depth];
	return 0;
}

static int dec_thread(struct ld *l, struct cur *c, uint64_t ti)
{
	vtb_trace *t = l->t;

	if (ti < t->nth)
		return 0;
	if (l->salvage && ti - t->nth < ld_lost_threads(l)) {
		if (ld_new_threads(l, (size_t)ti + 1))
			return ld_bad(l, VTB_E_NOMEM, c->base_off, "out of memory");
		return 0;
	}
	return ld_bad(l, VTB_E_FORMAT, c->base_off, "EVTS: thread index %llu out of range (%zu threads)",
		      (unsigned long long)ti, t->nth);
}

/* The chunk header's claims against the thread's state, before anything is applied. */
static int dec_check_chunk(struct dec *d, uint64_t seq, uint64_t first, uint64_t records)
{
	struct ld *l = d->l;
	struct cur *c = d->c;

	if (records > (uint64_t)(c->end - c->p))
		return ld_bad(l, VTB_E_FORMAT, c->base_off, "EVTS: %llu records cannot fit in %zu bytes",
			      (unsigned long long)records, (size_t)(c->end - c->p));
	if (first > VTB_TIME_MAX)
		return ld_bad(l, VTB_E_FORMAT, c->base_off, "EVTS: first_ts %llu ns is past the format's last "
			      "time, 2^62 ns", (unsigned long long)first);
	if (d->th->seen && first < d->th->last_ts)
		return ld_bad(l, VTB_E_FORMAT, c->base_off, "EVTS of thread %llu starts at %llu ns, before its "
			      "previous record", (unsigned long long)d->ti, (unsigned long long)first);
	if (seq < d->th->next_seq || (!l->salvage && seq != d->th->next_seq))
		return ld_bad(l, VTB_E_FORMAT, c->base_off, "EVTS of thread %llu: chunk %llu, expected %llu",
			      (unsigned long long)d->ti, (unsigned long long)seq, (unsigned long long)d->th->next_seq);
	return 0;
}

static int ld_evts(struct ld *l, struct cur *c)
{
	struct dec d = { .l = l, .t = l->t, .c = c };
	uint64_t seq, first, records, depth;
	int rc = cur_varint(c, &d.ti, "thread");

	rc = rc ? rc : cur_varint(c, &seq, "sequence");
	rc = rc ? rc : cur_varint(c, &first, "first_ts");
	rc = rc ? rc : cur_varint(c, &records, "records");
	rc = rc ? rc : cur_varint(c, &depth, "open calls");
	rc = rc ? rc : dec_thread(l, c, d.ti);
	rc = rc ? rc : dec_stack(&d, c, depth, first);
	if (rc)
		return rc;
	d.th = &l->t->th[d.ti];
	l->evts = (struct secinfo){ .thread = (uint32_t)d.ti, .first_ts = first, .records = records };
	rc = dec_check_chunk(&d, seq, first, records);
	rc = rc ? rc : dec_reconcile(&d, (size_t)depth, first, c->base_off);
	if (rc)
		return rc;
	d.th->seen = 1;
	d.th->next_seq = seq + 1;
	d.ts = first;
	for (int i = 0; i < VTB_MTF_SLOTS; i++)
		d.mtf[i] = UINT64_MAX;
	for (const uint8_t *p = c->p; p < c->end && !rc; d.n++)
		rc = dec_record(&d, &p, c->end);
	d.th->last_ts = d.ts;
	if (!d.th->depth && d.th->stackcap > 64) { /* a deep stack unwound: 100 of them held 150 MB */
		free(d.th->stack);
		d.th->stack = NULL;
		d.th->stackcap = 0;
	}
	if (!rc && d.n != records)
		rc = ld_bad(l, VTB_E_FORMAT, c->base_off, "EVTS: declares %llu records, holds %llu",
			    (unsigned long long)records, (unsigned long long)d.n);
	return rc;
}

static int ld_indx(struct ld *l, struct cur *c, size_t off)
{
	uint64_t count, at = 0;
	int rc = cur_varint(c, &count, "count");

	if (rc)
		return rc;
	if (count > (uint64_t)(c->end - c->p) / 5)
		return ld_bad(l, VTB_E_FORMAT, c->base_off, "INDX: %llu entries cannot fit in %zu bytes",
			      (unsigned long long)count, (size_t)(c->end - c->p));
	if (count != l->nsecs)
		return ld_bad(l, VTB_E_FORMAT, c->base_off, "INDX: %llu entries for %zu sections",
			      (unsigned long long)count, l->nsecs);
	for (uint64_t i = 0; i < count; i++) {
		struct secinfo *s = &l->secs[i];
		uint64_t d, th = 0, ts = 0, n = 0;
		if (c->end - c->p < 4)
			return ld_bad(l, VTB_E_FORMAT, cur_off(c), "INDX: entry %llu runs past the end", (unsigned long long)i);
		uint32_t tag = vtb_get_u32(c->p);
		c->p += 4;
		rc = cur_varint(c, &d, "offset");
		if (!rc && tag == VTB_TAG_EVTS) {
			rc = cur_varint(c, &th, "thread");
			rc = rc ? rc : cur_varint(c, &ts, "first_ts");
			rc = rc ? rc : cur_varint(c, &n, "records");
		}
		if (rc)
			return rc;
		at += d;
		if (tag != s->tag || at != s->off || th != s->thread || ts != s->first_ts || n != s->records)
			return ld_bad(l, VTB_E_FORMAT, cur_off(c),
				      "INDX: entry %llu does not match the section at byte %llu",
				      (unsigned long long)i, (unsigned long long)s->off);
	}
	(void)off;
	return 0;
}

/* Is there a whole section at `off` whose CRC checks out? Sets *size (header to CRC). */
static int sec_ok(const struct ld *l, size_t off, size_t *size)
{
	if (l->len - off < VTB_SECTION_OVERHEAD)
		return VTB_E_TRUNCATED;
	uint32_t plen = vtb_get_u32(l->buf + off + 4);
	if (plen > l->len - off - VTB_SECTION_OVERHEAD)
		return VTB_E_TRUNCATED;
	*size = (size_t)plen + VTB_SECTION_OVERHEAD;
	uint32_t crc = vtb_get_u32(l->buf + off + 8 + plen);
	return vtb_crc32c(0, l->buf + off, 8 + (size_t)plen) == crc ? 0 : VTB_E_CRC;
}

static int known_tag(uint32_t tag)
{
	return tag == VTB_TAG_HEAD || tag == VTB_TAG_STRS || tag == VTB_TAG_PROC ||
	       tag == VTB_TAG_THRD || tag == VTB_TAG_EVTS || tag == VTB_TAG_INDX;
}

static int is_trailer(const struct ld *l, size_t off)
{
	return l->len - off == VTB_TRAILER_BYTES && !memcmp(l->buf + off + 8, vtb_trailer_magic, 8);
}

/* The next offset after `off` where a known, intact section (or the trailer) starts.
 * Each candidate costs a checksum over its length, so a file of section heads that all
 * reach its end would take quadratic time: the bytes checksummed over the whole load are
 * bounded by l->resync_left, and once it runs out the rest of the file counts as lost. */
static size_t resync(struct ld *l, size_t off)
{
	size_t size;

	for (size_t q = off; l->len - q >= VTB_SECTION_OVERHEAD; q++) {
		if (is_trailer(l, q))
			return q;
		if (!known_tag(vtb_get_u32(l->buf + q)))
			continue;
		size_t cost = 8 + (size_t)vtb_get_u32(l->buf + q + 4);
		if (cost <= l->len - q - 4) {
			if (cost > l->resync_left)
				return l->len;
			l->resync_left -= cost;
		}
		if (!sec_ok(l, q, &size))
			return q;
	}
	return l->len;
}

static int ld_dispatch(struct ld *l, uint32_t tag, size_t off, uint32_t plen)
{
	struct cur c = { l->buf + off + 8, l->buf + off + 8 + plen, l->buf + off + 8, off + 8, l, "" };

	switch (tag) {
	case VTB_TAG_HEAD: c.what = "HEAD"; return ld_head(l, &c);
	case VTB_TAG_STRS: c.what = "STRS"; return ld_strs(l, &c);
	case VTB_TAG_PROC: c.what = "PROC"; return ld_proc(l, &c);
	case VTB_TAG_THRD: c.what = "THRD"; return ld_thrd(l, &c);
	case VTB_TAG_EVTS: c.what = "EVTS"; return ld_evts(l, &c);
	case VTB_TAG_INDX: c.what = "INDX"; return l->salvage ? 0 : ld_indx(l, &c, off);
	default: return 0; /* a section from a later minor version: skipped */
	}
}

static int ld_note_section(struct ld *l, uint32_t tag, size_t off)
{
	if (vtb_grow((void **)&l->secs, &l->seccap, l->nsecs + 1, sizeof(*l->secs)))
		return ld_bad(l, VTB_E_NOMEM, off, "out of memory");
	struct secinfo *s = &l->secs[l->nsecs++];
	*s = tag == VTB_TAG_EVTS ? l->evts : (struct secinfo){ 0 };
	s->tag = tag;
	s->off = off;
	return 0;
}

static void ld_skip(struct ld *l, size_t from, size_t to)
{
	l->t->damage.sections_bad++;
	l->t->damage.bytes_lost += to - from;
	l->lost += to - from;
}

static int ld_trailer(struct ld *l, size_t off, size_t indx_off)
{
	uint64_t at = vtb_get_u64(l->buf + off);

	if (indx_off == SIZE_MAX || at != indx_off)
		return ld_bad(l, VTB_E_FORMAT, off, "trailer points to byte %llu, the index is %s",
			      (unsigned long long)at, indx_off == SIZE_MAX ? "missing" : "elsewhere");
	l->saw_trailer = 1;
	return 0;
}

/* One section at `off`: checked, decoded; returns the offset after it or after the damage. */
static int ld_section(struct ld *l, size_t *off, size_t *indx_off)
{
	size_t size, at = *off;
	int rc = sec_ok(l, at, &size);

	if (rc) {
		if (!l->salvage)
			return rc == VTB_E_CRC ? ld_bad(l, rc, at, "section checksum mismatch")
					       : ld_bad(l, rc, at, "section runs past the end of the file (%zu bytes left)",
							l->len - at);
		ld_bad(l, rc, at, rc == VTB_E_CRC ? "section checksum mismatch" : "truncated section");
		*off = resync(l, at + 1);
		ld_skip(l, at, *off);
		return 0;
	}
	uint32_t tag = vtb_get_u32(l->buf + at);
	uint32_t plen = (uint32_t)(size - VTB_SECTION_OVERHEAD);
	if (!l->salvage && !l->t->have_head && tag != VTB_TAG_HEAD)
		return ld_bad(l, VTB_E_FORMAT, at, "the first section is not HEAD");
	if (!l->salvage && *indx_off != SIZE_MAX)
		return ld_bad(l, VTB_E_FORMAT, at, "a section after the index");
	if (tag == VTB_TAG_INDX)
		*indx_off = at;
	rc = ld_dispatch(l, tag, at, plen);
	if (rc && (!l->salvage || rc == VTB_E_NOMEM))
		return rc;
	if (rc)
		ld_skip(l, at, at + size);
	else if (tag != VTB_TAG_INDX && ld_note_section(l, tag, at))
		return VTB_E_NOMEM;
	*off = at + size;
	return 0;
}

static int ld_preamble(struct ld *l)
{
	if (l->len < VTB_PREAMBLE_BYTES || memcmp(l->buf, vtb_magic, 4)) {
		int code = l->len >= 4 && !memcmp(l->buf, vtb_magic, 4) ? VTB_E_TRUNCATED : VTB_E_FORMAT;
		if (!l->len)
			return ld_bad(l, VTB_E_FORMAT, 0, "the file is empty");
		if (!l->salvage || l->len < VTB_PREAMBLE_BYTES)
			return ld_bad(l, code, 0, code == VTB_E_FORMAT ? "not a VTB file (bad magic)" : "truncated preamble");
		return ld_bad(l, 0, 0, "bad magic");
	}
	unsigned major = l->buf[4] | l->buf[5] << 8;
	if (major != VTB_VERSION) {
		/* A new major version uses new section tags, so salvage cannot misread it. */
		if (!l->salvage)
			return ld_bad(l, VTB_E_VERSION, 4, "VTB version %u, this reader knows version %d", major, VTB_VERSION);
		ld_bad(l, 0, 4, "VTB version %u, this reader knows version %d", major, VTB_VERSION);
	}
	return 0;
}

static int ld_walk(struct ld *l)
{
	size_t off = VTB_PREAMBLE_BYTES, indx_off = SIZE_MAX;
	int rc = ld_preamble(l);

	if (rc)
		return rc;
	while (off < l->len && !rc) {
		if (l->progress && off >= l->next_progress) {
			if (l->progress(l->progress_ctx, off, l->len))
				return ld_bad(l, VTB_E_ARG, off, "load cancelled");
			l->next_progress = off + PROGRESS_STEP;
		}
		if (is_trailer(l, off)) {
			rc = ld_trailer(l, off, indx_off);
			off = l->len;
		} else {
			rc = ld_section(l, &off, &indx_off);
		}
	}
	if (l->salvage && rc != VTB_E_NOMEM && rc != VTB_E_ARG) {
		rc = 0;
		if (!l->saw_trailer)
			l->t->damage.truncated = 1;
		if (!l->t->have_head && !l->nsecs) {
			free(l->err);
			l->err = vtb_fmt("not a VTB file: no intact section found (first problem: %s)",
					 l->t->damage.first_problem ? l->t->damage.first_problem : "none");
			return VTB_E_FORMAT;
		}
	}
	if (!rc && !l->salvage && !l->saw_trailer)
		rc = ld_bad(l, VTB_E_TRUNCATED, l->len, "the file ends without the index and trailer (truncated)");
	if (!rc && l->progress)
		l->progress(l->progress_ctx, l->len, l->len);
	return rc;
}

static vtb_trace *ld_run(const uint8_t *buf, size_t len, unsigned flags, vtb_progress_fn progress,
			 void *ctx, const char *path, char **cause)
{
	struct ld l = { .buf = buf, .len = len, .salvage = !!(flags & VTB_LOAD_SALVAGE),
			.progress = progress, .progress_ctx = ctx,
			.resync_left = (len < SIZE_MAX / 16 ? len * 8 : SIZE_MAX / 2) + (64u << 20) };
	int rc;

	l.t = calloc(1, sizeof(*l.t));
	if (!l.t) {
		rc = VTB_E_NOMEM;
		goto out;
	}
	l.t->header.cmdline = l.t->header.python_version = l.t->header.reason_text = "";
	rc = ld_walk(&l);
	if (l.salvage && rc && !l.err) {
		/* Fatal even in salvage: move the message where the caller looks. */
		l.err = l.t->damage.first_problem;
		l.t->damage.first_problem = NULL;
	}
	if (!rc)
		rc = vtb_model_finish(l.t);
	if (!rc && l.salvage && !l.t->damage.first_problem && l.t->damage.truncated)
		l.t->damage.first_problem = vtb_fmt("byte %zu: no index and trailer at the end", len);
out:
	if (rc) {
		if (cause) {
			const char *why = l.err ? l.err : vtb_strerror(rc);
			*cause = path ? vtb_fmt("%s: %s", path, why) : strdup(why);
		}
		vtb_trace_free(l.t);
		l.t = NULL;
	}
	free(l.err);
	free(l.secs);
	free(l.stk);
	return l.t;
}

/* The caller owns the trace. */
vtb_trace *vtb_trace_load_mem(const uint8_t *buf, size_t len_bytes, unsigned flags, char **cause)
{
	return ld_run(buf, len_bytes, flags, NULL, NULL, NULL, cause);
}

/* The caller owns the trace; *cause (on failure) too. */
vtb_trace *vtb_trace_load(const char *path, unsigned flags, vtb_progress_fn progress, void *progress_ctx,
			  char **cause)
{
	vtb_trace *t = NULL;
	struct stat st;
	void *map = MAP_FAILED;
	/* O_NONBLOCK: a FIFO in a trace's place must not hang the open. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0 || fstat(fd, &st)) {
		if (cause)
			*cause = vtb_fmt("%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		if (cause)
			*cause = vtb_fmt("%s: %s", path, S_ISDIR(st.st_mode) ? "is a directory, not a trace"
									  : "not a regular file");
		goto out;
	}
	if (vtb_ring_fd_is(fd)) {
		t = vtb_ring_load(path, cause);
		goto out;
	}
	if (st.st_size == 0) {
		t = ld_run((const uint8_t *)"", 0, flags, progress, progress_ctx, path, cause);
		goto out;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		if (cause)
			*cause = vtb_fmt("%s: mmap: %s", path, strerror(errno));
		goto out;
	}
	madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
	t = ld_run(map, (size_t)st.st_size, flags, progress, progress_ctx, path, cause);
out:
	if (map != MAP_FAILED)
		munmap(map, (size_t)st.st_size);
	if (fd >= 0)
		close(fd);
	return t;
}
