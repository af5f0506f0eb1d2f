/* SPDX-License-Identifier: MIT */
/* dump.c: turns the ring into a VTB file. Replays each thread's records so the dump is
 * coherent after a wrap: ends whose begins were overwritten get begins at the window start
 * (VTB_CALL_ENTRY_LOST, outermost first); calls still running end at the dump (VTB_CALL_OPEN,
 * done by vtb_writer_finish). Data records whose arena blob was overwritten are dropped and
 * counted. With a minimum duration, calls shorter than it are dropped here with everything
 * below them (they took ring space while recording). */
#include "tracer/vt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/vtb.h"

typedef struct lost_call {
	uint32_t id;
	uint32_t flags;       /* VTB_CALL_C, _SPAN or _GC */
} lost_call;

typedef struct dump_thread {
	int used;
	int64_t depth;        /* replay depth; below zero means begins were lost */
	lost_call *lost;      /* ends with no begin, innermost first */
	size_t lost_count, lost_cap;
	uint64_t *open;       /* ring indexes of the begins open during the scan (min duration) */
	size_t open_count, open_cap;
	uint64_t skip;        /* stream: levels of dropped calls open */
	uint64_t deep;        /* stream: levels open past the format's depth limit */
	int64_t wdepth;       /* stream: calls open in the writer */
	int can_retval;       /* stream: the last record written was an end */
	uint32_t *running;    /* frames running at the dump, outermost first */
	size_t running_count;
	uint64_t last_ns;     /* keeps each thread's timestamps non-decreasing */
	uint32_t wid;         /* writer thread index */
} dump_thread;

typedef struct dump_ctx {
	vt_clock_conv conv;
	uint64_t first, count;      /* ring slot of the oldest record; records held */
	dump_thread *threads;       /* thread_count + 1 (the last for the overflow index) */
	uint32_t nthreads;
	uint32_t *string_of;        /* code id -> writer string id (UINT32_MAX: unused) */
	uint32_t ncodes;
	uint64_t *short_calls;      /* bitmap over ring records: begins and ends to drop */
	uint64_t min_ticks;
	uint64_t data_lost;         /* data records whose blob was overwritten */
	uint64_t too_deep;          /* begins left out: past the format's depth limit */
	char *text;                 /* a blob's text, NUL-terminated */
	uint32_t note_id;           /* string of the depth note; UINT32_MAX: none */
	vtb_writer *w;
} dump_ctx;

/* Record i of the window (i < count). A subtraction, not a 64-bit division: this runs
 * twice per record. */
static inline const vt_record *ring_at(const dump_ctx *d, uint64_t i)
{
	uint64_t k = d->first + i;
	return &vt.ring[k >= vt.cap ? k - vt.cap : k];
}

static int is_gc(uint16_t kind)
{
	return kind == VT_GC_BEGIN || kind == VT_GC_END || kind == VT_D_GC_INFO;
}

/* Threads past the table share the overflow timeline; collections have their own. */
static dump_thread *thread_of(dump_ctx *d, const vt_record *r)
{
	uint32_t overflow = d->nthreads - 2;
	if (is_gc(r->kind))
		return &d->threads[d->nthreads - 1];
	return &d->threads[r->thread < overflow ? r->thread : overflow];
}

static uint32_t code_of(const dump_ctx *d, uint32_t id)
{
	return id < d->ncodes ? id : VT_ID_UNKNOWN;
}

static int is_begin(uint16_t kind)
{
	return kind == VT_BEGIN || kind == VT_C_BEGIN || kind == VT_SPAN_BEGIN || kind == VT_GC_BEGIN;
}

/* The flags a call of this begin or end kind carries. */
static uint32_t call_flags(uint16_t kind)
{
	switch (kind) {
	case VT_C_BEGIN: case VT_C_END: case VT_C_END_EXC:
		return VTB_CALL_C;
	case VT_SPAN_BEGIN: case VT_SPAN_END: case VT_SPAN_END_EXC:
		return VTB_CALL_SPAN;
	case VT_GC_BEGIN: case VT_GC_END:
		return VTB_CALL_GC;
	default:
		return 0;
	}
}

/* The blob a data record points to, or NULL when the arena overwrote it since. */
static const vt_blob *blob_of(const vt_record *r)
{
	const vt_arena *a = &vt.arena;
	uint64_t back = (uint32_t)((uint32_t)a->head - r->id);
	if (!a->buf || back > a->head || back > a->cap || back < sizeof(vt_blob))
		return NULL;
	uint64_t pos = a->head - back, off = pos % a->cap;
	const vt_blob *b = (const vt_blob *)(a->buf + off);
	if (off + sizeof *b > a->cap || b->stamp != pos || b->len_bytes > back ||
	    off + b->len_bytes > a->cap || sizeof *b + b->text_len > b->len_bytes)
		return NULL;
	return b;
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap * 2 : 16;
	void *q = realloc(*p, n * size);
	if (!q)
		return VTB_E_NOMEM;
	*p = q;
	*cap = n;
	return 0;
}

static int lost_push(dump_thread *t, uint32_t id, uint32_t flags)
{
	if (grow((void **)&t->lost, &t->lost_cap, t->lost_count + 1, sizeof *t->lost) < 0)
		return VTB_E_NOMEM;
	t->lost[t->lost_count].id = id;
	t->lost[t->lost_count++].flags = flags;
	return 0;
}

static void mark_short(dump_ctx *d, uint64_t i)
{
	d->short_calls[i >> 6] |= 1ull << (i & 63);
}

static int is_short(const dump_ctx *d, uint64_t i)
{
	return d->short_calls && ((d->short_calls[i >> 6] >> (i & 63)) & 1);
}

/* The data record's strings are used; a record whose blob is gone is counted. */
static void scan_data(dump_ctx *d, const vt_record *r)
{
	const vt_blob *b = blob_of(r);
	if (!b) {
		d->data_lost++;
		return;
	}
	if (r->kind == VT_D_INSTANT || r->kind == VT_D_COUNTER || r->kind == VT_D_LOG ||
	    r->kind == VT_D_OBJECT)
		d->string_of[code_of(d, b->name)] = 0;
	if (r->kind == VT_D_COUNTER)
		d->string_of[code_of(d, b->aux)] = 0;
}

/* A begin, or an end matched with the begin it closes (min duration). */
static int scan_call(dump_ctx *d, dump_thread *t, uint64_t i, const vt_record *r)
{
	if (is_begin(r->kind)) {
		t->depth++;
		if (!d->short_calls)
			return 0;
		if (grow((void **)&t->open, &t->open_cap, t->open_count + 1, sizeof *t->open) < 0)
			return VTB_E_NOMEM;
		t->open[t->open_count++] = i;
		return 0;
	}
	if (t->depth <= 0)
		return lost_push(t, code_of(d, r->id), call_flags(r->kind));
	t->depth--;
	if (d->short_calls && t->open_count) {
		uint64_t b = t->open[--t->open_count];
		if (r->ticks - ring_at(d, b)->ticks < d->min_ticks) {
			mark_short(d, b);
			mark_short(d, i);
		}
	}
	return 0;
}

/* Pass 1: which threads, functions and names the window uses, which begins it lost, and
 * which calls are too short to keep. */
static int scan(dump_ctx *d)
{
	for (uint64_t i = 0; i < d->count; i++) {
		const vt_record *r = ring_at(d, i);
		dump_thread *t = thread_of(d, r);
		t->used = 1;
		if (r->kind >= VT_D_FIRST) {
			scan_data(d, r);
			continue;
		}
		d->string_of[code_of(d, r->id)] = 0;
		int rc = scan_call(d, t, i, r);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int thread_for_ident(uint64_t ident)
{
	for (uint32_t i = vt.thread_count; i-- > 0;)
		if (vt.threads[i].ident == ident)
			return (int)i;
	return -1;
}

/* The recorded frames of a thread's stack, outermost first: those between the tracer's
 * own frames (the dump call inside, the CLI runner outside). */
static int stack_of(PyThreadState *ts, dump_thread *t)
{
	size_t n = 0, cap = 0;
	uint32_t *ids = NULL;
	int seen = 0, rc = 0;
	PyFrameObject *f = PyThreadState_GetFrame(ts);
	while (f) {
		PyObject *code = vt_pyframe_code(f);
		uint32_t id = code && PyCode_Check(code) ? vt_code_id(code, vt_pyframe_globals(f)) : VT_ID_SKIP;
		if (id == VT_ID_SKIP && seen)
			break;
		if (id != VT_ID_SKIP) {
			seen = 1;
			if (n == cap) {
				uint32_t *m = realloc(ids, (cap = cap ? cap * 2 : 64) * sizeof *m);
				if (!m) {
					rc = VTB_E_NOMEM;
					break;
				}
				ids = m;
			}
			ids[n++] = id;
		}
		PyFrameObject *back = PyFrame_GetBack(f);
		Py_DECREF(f);
		f = back;
	}
	Py_XDECREF(f);
	for (size_t i = 0; i < n / 2; i++) {
		uint32_t x = ids[i];
		ids[i] = ids[n - 1 - i];
		ids[n - 1 - i] = x;
	}
	t->running = ids;
	t->running_count = n;
	return rc;
}

/* After a wrap, what each thread was running at the dump (so calls whose entries were lost
 * and that had not ended still show). Runs before string_of is sized: it may name code. */
static int walk_stacks(dump_ctx *d)
{
	vt_exc exc;
	int rc = 0;
	vt_exc_save(&exc);
	PyInterpreterState *interp = PyThreadState_Get()->interp;
	for (PyThreadState *ts = PyInterpreterState_ThreadHead(interp); ts && rc == 0;
	     ts = PyThreadState_Next(ts)) {
		int i = thread_for_ident(ts->thread_id);
		if (i >= 0 && !d->threads[i].running)
			rc = stack_of(ts, &d->threads[i]);
	}
	vt_exc_restore(&exc);
	return rc;
}

/* Marks the functions of running stacks used; threads with one are dumped. */
static void use_stacks(dump_ctx *d)
{
	for (uint32_t i = 0; i < d->nthreads; i++) {
		dump_thread *t = &d->threads[i];
		if (t->running_count > (size_t)t->depth)
			t->used = 1;
		for (size_t k = 0; k < t->running_count; k++)
			d->string_of[t->running[k] < d->ncodes ? t->running[k] : VT_ID_UNKNOWN] = 0;
	}
}

static int add_strings(dump_ctx *d)
{
	for (uint32_t id = 0; id < d->ncodes; id++) {
		if (d->string_of[id] == UINT32_MAX)
			continue;
		const vt_code *c = &vt.codes[id];
		int64_t s = vtb_writer_string(d->w, c->name, c->file, c->line);
		if (s < 0)
			return (int)s;
		d->string_of[id] = (uint32_t)s;
	}
	return 0;
}

/* module.attr of a module the program already imported, or NULL (new reference). */
static PyObject *loaded_attr(const char *module, const char *attr)
{
	PyObject *key = PyUnicode_FromString(module);
	PyObject *mod = key ? PyImport_GetModule(key) : NULL;
	PyObject *v = mod ? PyObject_GetAttrString(mod, attr) : NULL;
	Py_XDECREF(key);
	Py_XDECREF(mod);
	PyErr_Clear();
	return v;
}

/* o._name when it is a str, or NULL (new reference). */
static PyObject *name_of(PyObject *o)
{
	PyObject *name = o ? PyObject_GetAttrString(o, "_name") : NULL;
	PyErr_Clear();
	if (name && !PyUnicode_Check(name))
		Py_CLEAR(name);
	return name;
}

/* A live thread's name from threading._active; NULL when it has none (new reference). */
static PyObject *live_thread_name(uint64_t ident)
{
	PyObject *active = loaded_attr("threading", "_active"), *name;
	PyObject *id = PyLong_FromUnsignedLongLong(ident);
	PyObject *th = active && id && PyDict_Check(active) ? PyDict_GetItemWithError(active, id) : NULL;
	PyErr_Clear();
	name = name_of(th);
	Py_XDECREF(active);
	Py_XDECREF(id);
	return name;
}

static int add_thread(dump_ctx *d, uint32_t index, uint32_t pid)
{
	dump_thread *t = &d->threads[index];
	char fallback[64];
	const char *name = NULL;
	PyObject *live = NULL;
	uint64_t native = 0;
	if (index == d->nthreads - 1) {
		name = "GC";
		native = UINT32_MAX; /* no real thread: a tid no kernel gives */
	} else if (index == d->nthreads - 2) {
		name = "(more threads)";
	} else {
		const vt_thread *vth = &vt.threads[index];
		native = vth->native_id;
		name = vth->name;
		if (!name && (live = live_thread_name(vth->ident)))
			name = PyUnicode_AsUTF8(live);
		if (!name) {
			PyErr_Clear();
			snprintf(fallback, sizeof fallback, "Thread-%llu", (unsigned long long)native);
			name = fallback;
		}
	}
	int64_t wid = vtb_writer_thread(d->w, pid, native, name);
	Py_XDECREF(live);
	if (wid < 0)
		return (int)wid;
	t->wid = (uint32_t)wid;
	return 0;
}

/* The stack at window start: frames still running at the dump whose entries went with the
 * wrap, then the calls that ended inside the window; all outermost first, at the window
 * start. */
static int add_lost(dump_ctx *d, dump_thread *t, uint64_t window_ns)
{
	size_t keep = t->running_count > (size_t)t->depth ? t->running_count - (size_t)t->depth : 0;
	/* Past the depth limit the outermost go: their ends then close nothing (stream_call). */
	if (keep > VTB_DEPTH_LIMIT / 2)
		keep = VTB_DEPTH_LIMIT / 2;
	if (t->lost_count > VTB_DEPTH_LIMIT / 2)
		t->lost_count = VTB_DEPTH_LIMIT / 2;
	for (size_t i = 0; i < keep; i++) {
		int rc = vtb_writer_begin(d->w, t->wid, window_ns, d->string_of[t->running[i]],
					  VTB_CALL_ENTRY_LOST);
		if (rc < 0)
			return rc;
	}
	for (size_t i = t->lost_count; i-- > 0;) {
		uint32_t id = t->lost[i].id;
		int rc = vtb_writer_begin(d->w, t->wid, window_ns, d->string_of[id],
					  VTB_CALL_ENTRY_LOST | t->lost[i].flags);
		if (rc < 0)
			return rc;
	}
	t->wdepth = (int64_t)(keep + t->lost_count);
	return 0;
}

/* A data record; arguments and return values only where they have their call. */
static int stream_data(dump_ctx *d, dump_thread *t, const vt_record *r, uint64_t ns)
{
	const vt_blob *b = blob_of(r);
	int rc = 0;
	if (!b)
		return 0;
	memcpy(d->text, b + 1, b->text_len);
	d->text[b->text_len] = '\0';
	uint32_t name = d->string_of[code_of(d, b->name)];
	switch (r->kind) {
	case VT_D_INSTANT:
		return vtb_writer_instant(d->w, t->wid, ns, name, d->text);
	case VT_D_COUNTER:
		return vtb_writer_counter(d->w, t->wid, ns, name, d->string_of[code_of(d, b->aux)],
					  b->value);
	case VT_D_LOG:
		return vtb_writer_log(d->w, t->wid, ns, b->aux, name, d->text);
	case VT_D_OBJECT:
		return vtb_writer_object(d->w, t->wid, ns, name, d->text);
	case VT_D_ARGS:
		if (!t->skip && !t->deep && t->wdepth > 0 && !t->can_retval)
			rc = vtb_writer_args(d->w, t->wid, d->text);
		return rc;
	case VT_D_TASK:
		if (!t->skip && !t->deep && t->wdepth > 0 && !t->can_retval)
			rc = vtb_writer_task(d->w, t->wid, (uint64_t)b->value, d->text);
		return rc;
	default: /* return values, a collection's result */
		if (!t->skip && !t->deep && t->can_retval)
			rc = vtb_writer_retval(d->w, t->wid, d->text);
		return rc;
	}
}

/* An instant where the first call too deep for the format was left out. */
static void note_too_deep(dump_ctx *d, dump_thread *t, uint64_t ns)
{
	char text[128];
	snprintf(text, sizeof text, "calls nested deeper than %d levels are left out of this dump",
		 VTB_DEPTH_LIMIT);
	if (d->note_id != UINT32_MAX)
		vtb_writer_instant(d->w, t->wid, ns, d->note_id, text);
}

/* A begin or an end, unless it belongs to a dropped (short) call or lies below one. */
static int stream_call(dump_ctx *d, dump_thread *t, uint64_t i, const vt_record *r, uint64_t ns)
{
	int begin = is_begin(r->kind);
	if (t->deep || (begin && !t->skip && t->wdepth >= VTB_DEPTH_LIMIT)) {
		/* Depth is kept up to the format's limit; deeper calls are left out (counted and
		 * noted), not the dump. */
		if (begin && !d->too_deep++)
			note_too_deep(d, t, ns);
		t->deep += begin ? 1 : -1;
		t->can_retval = 0;
		return 0;
	}
	if (!begin && !t->skip && t->wdepth <= 0)
		return 0; /* its begin was left out with the outermost lost calls */
	if (t->skip || is_short(d, i)) {
		t->skip += begin ? 1 : (t->skip ? -1 : 0);
		t->can_retval = 0;
		return 0;
	}
	t->can_retval = !begin;
	if (begin) {
		t->wdepth++;
		return vtb_writer_begin(d->w, t->wid, ns, d->string_of[code_of(d, r->id)],
					call_flags(r->kind));
	}
	t->wdepth--;
	int exc = r->kind == VT_END_EXC || r->kind == VT_C_END_EXC || r->kind == VT_SPAN_END_EXC;
	return vtb_writer_end(d->w, t->wid, ns, exc ? VTB_CALL_EXCEPTION : 0);
}

/* Pass 2: every record, in order. */
static int stream(dump_ctx *d)
{
	for (uint64_t i = 0; i < d->count; i++) {
		const vt_record *r = ring_at(d, i);
		dump_thread *t = thread_of(d, r);
		uint64_t ns = vt_clock_ns(&d->conv, r->ticks);
		if (ns < t->last_ns)
			ns = t->last_ns;
		t->last_ns = ns;
		int rc = r->kind >= VT_D_FIRST ? stream_data(d, t, r, ns) : stream_call(d, t, i, r, ns);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static char *read_cmdline(void)
{
	char buf[4096];
	vt_read_cmdline(buf, sizeof buf);
	return strdup(buf);
}

static char *python_version(void)
{
	const char *v = Py_GetVersion();
	return strndup(v, strcspn(v, " "));
}

static void fill_header(vtb_header *h, const dump_ctx *d, uint64_t now_ticks, uint32_t reason,
			const char *reason_text)
{
	memset(h, 0, sizeof *h);
	h->pid = (uint32_t)getpid();
	h->ppid = (uint32_t)getppid();
	h->reason = reason;
	h->reason_text = reason_text ? reason_text : "";
	h->start_mono_ns = vt_clock_ns(&d->conv, vt.start_ticks);
	h->start_wall_ns = vt.base_wall_ns + (h->start_mono_ns - vt.base_mono_ns);
	h->dump_ns = vt_clock_ns(&d->conv, now_ticks);
	h->window_start_ns = d->count ? vt_clock_ns(&d->conv, ring_at(d, 0)->ticks) : h->start_mono_ns;
	if (h->window_start_ns > h->dump_ns)
		h->window_start_ns = h->dump_ns;
	h->ring_capacity = vt.cap;
	h->events_dropped = vt.total - d->count;
	h->wrapped = vt.total > vt.cap;
}

/* The multiprocessing name of this process ("ForkPoolWorker-1"), when the program uses
 * multiprocessing; NULL otherwise (new reference). */
static PyObject *live_process_name(void)
{
	PyObject *cur = loaded_attr("multiprocessing.process", "_current_process");
	PyObject *name = name_of(cur);
	Py_XDECREF(cur);
	return name;
}

static int write_events(dump_ctx *d, const vtb_header *h)
{
	PyObject *pname = live_process_name();
	const char *name = pname ? PyUnicode_AsUTF8(pname) : NULL;
	int rc;

	PyErr_Clear();
	rc = vtb_writer_process(d->w, h->pid, h->ppid, name);
	Py_XDECREF(pname);
	if (rc == 0)
		rc = add_strings(d);
	int64_t note = rc == 0 ? vtb_writer_string(d->w, "vtrace.depth_limit", "", 0) : -1;
	d->note_id = note >= 0 ? (uint32_t)note : UINT32_MAX;
	for (uint32_t i = 0; rc == 0 && i < d->nthreads; i++)
		if (d->threads[i].used)
			rc = add_thread(d, i, h->pid);
	for (uint32_t i = 0; i < d->nthreads; i++)
		d->threads[i].last_ns = h->window_start_ns;
	for (uint32_t i = 0; rc == 0 && i < d->nthreads; i++)
		if (d->threads[i].used)
			rc = add_lost(d, &d->threads[i], h->window_start_ns);
	if (rc == 0)
		rc = stream(d);
	return rc;
}

static int dump_to(dump_ctx *d, vt_output *o, uint64_t now_ticks, uint32_t reason,
		   const char *reason_text, char **cause)
{
	vtb_header h;
	char *cmdline = read_cmdline(), *pyver = python_version();
	fill_header(&h, d, now_ticks, reason, reason_text);
	h.cmdline = cmdline ? cmdline : "";
	h.python_version = pyver ? pyver : "";
	int rc = 0;
	d->w = vtb_writer_open_fd(o->fd, o->tmp ? o->tmp : o->path, &h, cause);
	o->fd = -1;
	if (!d->w) {
		rc = VTB_E_NOMEM;
		goto out;
	}
	rc = scan(d);
	if (rc == 0) {
		use_stacks(d);
		rc = write_events(d, &h);
	}
	/* An I/O error says what the system said (ENOSPC, EFBIG), not only "I/O error". */
	const char *wc = rc < 0 ? vtb_writer_cause(d->w) : NULL;
	if (rc < 0 && !*cause && asprintf(cause, "%s: writing events: %s", o->tmp ? o->tmp : o->path,
					  wc ? wc : vtb_strerror(rc)) < 0)
		*cause = NULL;
	if (rc == 0)
		rc = vtb_writer_finish(d->w, cause);
out:
	vtb_writer_free(d->w);
	free(cmdline);
	free(pyver);
	return rc;
}

static void ctx_free(dump_ctx *d)
{
	if (d->threads)
		for (uint32_t i = 0; i < d->nthreads; i++) {
			free(d->threads[i].lost);
			free(d->threads[i].running);
			free(d->threads[i].open);
		}
	free(d->threads);
	free(d->string_of);
	free(d->short_calls);
	free(d->text);
}

static int ctx_init(dump_ctx *d)
{
	memset(d, 0, sizeof *d);
	vt_clock_calibrate(&d->conv);
	d->count = vt.total < vt.cap ? vt.total : vt.cap;
	d->first = vt.total > vt.cap ? vt.pos : 0;
	d->nthreads = vt.thread_count + 2; /* and the overflow timeline, and the GC track */
	d->threads = calloc(d->nthreads, sizeof *d->threads);
	d->text = malloc(VT_TEXT_MAX + 1);
	if (!d->text)
		return VTB_E_NOMEM;
	if (vt.min_ns) {
		d->min_ticks = (uint64_t)((double)vt.min_ns / d->conv.ns_per_tick);
		d->short_calls = calloc((d->count + 63) / 64 + 1, sizeof *d->short_calls);
		if (!d->short_calls)
			return VTB_E_NOMEM;
	}
	if (d->threads && vt.total > vt.cap && walk_stacks(d) < 0)
		return VTB_E_NOMEM;
	d->ncodes = vt.code_count;
	d->string_of = malloc((d->ncodes ? d->ncodes : 1) * sizeof *d->string_of);
	if (!d->threads || !d->string_of)
		return VTB_E_NOMEM;
	memset(d->string_of, 0xff, (d->ncodes ? d->ncodes : 1) * sizeof *d->string_of);
	return 0;
}

int vt_dump(const char *pattern, unsigned mode, uint32_t reason, const char *reason_text,
	    vt_dump_result *res, char **cause)
{
	dump_ctx d;
	vt_output o;
	uint64_t now = vt_ticks();
	int was_recording = vt.recording;
	/* Nothing the dump runs may add records while the ring is read. */
	vt.recording = 0;
	vt.dumping = 1;
	vt.dump_seq++;
	memset(res, 0, sizeof *res);
	*cause = NULL;
	int rc = ctx_init(&d);
	if (rc == 0)
		rc = vt_output_open(&o, pattern, vt.dump_seq, mode, cause);
	else
		memset(&o, 0, sizeof o), o.fd = -1;
	if (rc == 0)
		rc = dump_to(&d, &o, now, reason, reason_text, cause);
	if (o.path) {
		int crc = vt_output_commit(&o, rc == 0, cause);
		rc = rc < 0 ? rc : crc;
	}
	res->path = o.path;
	res->asked = o.asked;
	o.path = o.asked = NULL;
	res->events = d.count;
	res->dropped = vt.total - d.count;
	res->data_lost = d.data_lost;
	res->too_deep = d.too_deep;
	vt.data_lost = d.data_lost;
	if (rc < 0 && !*cause && asprintf(cause, "%s", vtb_strerror(rc)) < 0)
		*cause = NULL;
	vt_output_free(&o);
	ctx_free(&d);
	vt.recording = was_recording;
	vt.dumping = 0;
	return rc;
}
