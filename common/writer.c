/* SPDX-License-Identifier: MIT */
/* writer.c: the VTB encoder. Streams sections into a byte buffer that goes to a file
 * (written out every MB) or stays in memory.
 *
 * Each thread fills its own chunk buffer; a chunk becomes an EVTS section when it reaches
 * chunk_bytes. Strings, processes and threads declared since the last section are written
 * just before the next EVTS section, so every chunk finds its names earlier in the file.
 */
#include "common/vtb_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#define OUT_FLUSH_BYTES (1u << 20)
#define STRS_SECTION_BYTES (1u << 20)
#define DELTA_MAX ((uint64_t)1 << 59) /* larger gaps go through a SKIP record */

struct wstr {
	char *name;
	char *file;
	uint32_t line;
	uint64_t hash;
};

struct wframe {
	uint64_t start_ns;
	uint32_t name_id;
	uint32_t flags;
};

struct wthread {
	uint32_t pid;
	uint64_t tid;
	char *name;
	struct vtb_buf ev;  /* records of the open chunk */
	struct vtb_buf stk; /* the open calls when the chunk began, encoded */
	uint64_t first_ts, last_ts, seq, records;
	uint64_t mtf[VTB_MTF_SLOTS]; /* recent (flags << 32 | name id) of BEGINs */
	struct wframe *stack;
	size_t depth, cap;
	int can_retval;
};

struct wproc {
	uint32_t pid, ppid;
	char *name;
};

struct windex {
	uint32_t tag;
	uint32_t thread;
	uint64_t offset;
	uint64_t first_ts, records;
};

struct vtb_writer {
	int fd;
	char *path;
	struct vtb_buf out;
	uint64_t out_base; /* file offset of out.data[0] */
	uint64_t dump_ns;
	size_t chunk_bytes;
	struct wstr *strs;
	size_t nstr, strcap, str_done;
	uint32_t *hash; /* id + 1, 0 empty */
	size_t hcap;
	struct wproc *procs;
	size_t nproc, proccap, proc_done;
	struct wthread *th;
	size_t nth, thcap, th_done;
	struct windex *idx;
	size_t nidx, idxcap;
	int err;
	char *cause;
	int finished;
};

static int w_fail(vtb_writer *w, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The first failure sticks: later calls return it, finish reports its cause. */
static int w_fail(vtb_writer *w, int err, const char *fmt, ...)
{
	if (w->err)
		return w->err;
	va_list ap;
	va_start(ap, fmt);
	w->cause = vtb_vfmt(fmt, ap);
	va_end(ap);
	w->err = err;
	return err;
}

static int w_drain(vtb_writer *w)
{
	size_t done = 0;

	if (w->fd < 0)
		return 0;
	while (done < w->out.len) {
		ssize_t n = write(w->fd, w->out.data + done, w->out.len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return w_fail(w, VTB_E_IO, "%s: write: %s", w->path, strerror(n < 0 ? errno : EIO));
		done += (size_t)n;
	}
	w->out_base += w->out.len;
	w->out.len = 0;
	return 0;
}

/* Write one section whose payload is the concatenation of up to three parts. */
static int w_section(vtb_writer *w, uint32_t tag, const void *a, size_t alen, const void *b,
		     size_t blen, const void *c, size_t clen)
{
	size_t len = alen + blen + clen;
	uint8_t hdr[8];

	if (w->err)
		return w->err;
	if (len > UINT32_MAX - 64)
		return w_fail(w, VTB_E_ARG, "section of %zu bytes is too large", len);
	if (vtb_buf_reserve(&w->out, len + VTB_SECTION_OVERHEAD) ||
	    vtb_grow((void **)&w->idx, &w->idxcap, w->nidx + 1, sizeof(*w->idx)))
		return w_fail(w, VTB_E_NOMEM, "out of memory");
	w->idx[w->nidx++] = (struct windex){ .tag = tag, .offset = w->out_base + w->out.len };
	vtb_put_u32(hdr, tag);
	vtb_put_u32(hdr + 4, (uint32_t)len);
	uint32_t crc = vtb_crc32c(0, hdr, 8);
	crc = vtb_crc32c(crc, a, alen);
	crc = vtb_crc32c(crc, b, blen);
	crc = vtb_crc32c(crc, c, clen);
	vtb_buf_put(&w->out, hdr, 8);
	vtb_buf_put(&w->out, a, alen);
	vtb_buf_put(&w->out, b, blen);
	vtb_buf_put(&w->out, c, clen);
	vtb_put_u32(hdr, crc);
	vtb_buf_put(&w->out, hdr, 4);
	if (w->out.len >= OUT_FLUSH_BYTES)
		return w_drain(w);
	return 0;
}

static int w_head(vtb_writer *w, const vtb_header *h)
{
	struct vtb_buf b = { 0 };
	const char *s[3] = { h->cmdline, h->python_version, h->reason_text };
	uint64_t v[10] = { h->pid, h->ppid, h->reason, h->wrapped, h->start_wall_ns, h->start_mono_ns,
			   h->window_start_ns, h->dump_ns, h->ring_capacity, h->events_dropped };
	int rc = 0;

	for (int i = 4; i < 8; i++)
		if (v[i] > VTB_TIME_MAX)
			return w_fail(w, VTB_E_ARG, "header time %llu ns is past the format's last time, 2^62 ns",
				      (unsigned long long)v[i]);
	for (int i = 0; i < 10; i++)
		rc |= vtb_buf_varint(&b, v[i]);
	for (int i = 0; i < 3; i++)
		rc |= vtb_buf_str(&b, s[i] ? s[i] : "", s[i] ? strlen(s[i]) : 0);
	if (rc)
		rc = w_fail(w, VTB_E_NOMEM, "out of memory");
	else
		rc = w_section(w, VTB_TAG_HEAD, b.data, b.len, NULL, 0, NULL, 0);
	vtb_buf_free(&b);
	return rc;
}

static vtb_writer *w_new(const vtb_header *h)
{
	vtb_writer *w = calloc(1, sizeof(*w));
	uint8_t pre[VTB_PREAMBLE_BYTES];

	if (!w)
		return NULL;
	w->fd = -1;
	w->chunk_bytes = 65536;
	w->dump_ns = h->dump_ns;
	memcpy(pre, vtb_magic, 4);
	pre[4] = VTB_VERSION & 0xff;
	pre[5] = VTB_VERSION >> 8;
	pre[6] = VTB_MINOR & 0xff;
	pre[7] = VTB_MINOR >> 8;
	if (vtb_buf_put(&w->out, pre, sizeof(pre))) {
		free(w);
		return NULL;
	}
	w_head(w, h);
	return w;
}

/* Opens (truncating) `path`; the caller owns the writer and frees it. */
vtb_writer *vtb_writer_open_file(const char *path, const vtb_header *h, char **cause)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0) {
		if (cause)
			*cause = vtb_fmt("%s: open: %s", path, strerror(errno));
		return NULL;
	}
	return vtb_writer_open_fd(fd, path, h, cause);
}

/* The writer owns fd from here on, failure included; the caller owns the writer. */
vtb_writer *vtb_writer_open_fd(int fd, const char *path, const vtb_header *h, char **cause)
{
	vtb_writer *w = w_new(h);

	if (!w || w->err || !(w->path = strdup(path))) {
		if (cause)
			*cause = vtb_fmt("%s: %s", path, w && w->cause ? w->cause : "out of memory");
		close(fd);
		vtb_writer_free(w);
		return NULL;
	}
	w->fd = fd;
	return w;
}

/* The message of the failure that stuck (owned by the writer), or NULL. */
const char *vtb_writer_cause(const vtb_writer *w)
{
	return w->err ? w->cause : NULL;
}

/* The caller owns the writer; NULL when out of memory. */
vtb_writer *vtb_writer_open_mem(const vtb_header *h)
{
	vtb_writer *w = w_new(h);

	if (w && w->err) {
		vtb_writer_free(w);
		return NULL;
	}
	return w;
}

/* Tests and tuning only: the chunk size never changes what a reader gets. */
int vtb_writer_set_chunk_bytes(vtb_writer *w, size_t bytes)
{
	if (bytes < 64 || bytes > (64u << 20))
		return VTB_E_ARG;
	w->chunk_bytes = bytes;
	return 0;
}

static uint64_t str_hash_of(const void *ctx, size_t i)
{
	return ((const vtb_writer *)ctx)->strs[i].hash;
}

static int str_rehash(vtb_writer *w)
{
	return vtb_slots_grow(&w->hash, &w->hcap, 1024, w->nstr, str_hash_of, w);
}

/* Returns the id of (name, file, line), interning it on first sight. */
int64_t vtb_writer_string(vtb_writer *w, const char *name, const char *file, uint32_t line)
{
	if (w->err)
		return w->err;
	if (!name || w->finished || w->nstr >= UINT32_MAX - 1)
		return VTB_E_ARG;
	file = file ? file : "";
	if (strlen(name) > VTB_MAX_TEXT || strlen(file) > VTB_MAX_TEXT)
		return VTB_E_ARG;
	if (w->nstr * 2 >= w->hcap && str_rehash(w))
		return w_fail(w, VTB_E_NOMEM, "out of memory");
	uint64_t h = vtb_str_hash(name, file, line);
	size_t j = h & (w->hcap - 1);
	for (; w->hash[j]; j = (j + 1) & (w->hcap - 1)) {
		struct wstr *s = &w->strs[w->hash[j] - 1];
		if (s->hash == h && s->line == line && !strcmp(s->name, name) && !strcmp(s->file, file))
			return w->hash[j] - 1;
	}
	if (vtb_grow((void **)&w->strs, &w->strcap, w->nstr + 1, sizeof(*w->strs)))
		return w_fail(w, VTB_E_NOMEM, "out of memory");
	struct wstr *s = &w->strs[w->nstr];
	s->name = strdup(name);
	s->file = strdup(file);
	if (!s->name || !s->file) {
		free(s->name);
		free(s->file);
		return w_fail(w, VTB_E_NOMEM, "out of memory");
	}
	s->line = line;
	s->hash = h;
	w->hash[j] = (uint32_t)++w->nstr;
	return (int64_t)w->nstr - 1;
}

/* Copies `name`; 0 or a negative error. */
int vtb_writer_process(vtb_writer *w, uint32_t pid, uint32_t ppid, const char *name)
{
	if (w->err)
		return w->err;
	if (w->finished || (name && strlen(name) > VTB_MAX_TEXT))
		return VTB_E_ARG;
	if (vtb_grow((void **)&w->procs, &w->proccap, w->nproc + 1, sizeof(*w->procs)))
		return w_fail(w, VTB_E_NOMEM, "out of memory");
	char *n = strdup(name ? name : "");
	if (!n)
		return w_fail(w, VTB_E_NOMEM, "out of memory");
	w->procs[w->nproc++] = (struct wproc){ pid, ppid, n };
	return 0;
}

/* Returns the new thread's index. */
int64_t vtb_writer_thread(vtb_writer *w, uint32_t pid, uint64_t tid, const char *name)
{
	if (w->err)
		return w->err;
	if (w->finished || w->nth >= UINT32_MAX - 1 || (name && strlen(name) > VTB_MAX_TEXT))
		return VTB_E_ARG;
	if (vtb_grow((void **)&w->th, &w->thcap, w->nth + 1, sizeof(*w->th)))
		return w_fail(w, VTB_E_NOMEM, "out of memory");
	struct wthread *t = &w->th[w->nth];
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->tid = tid;
	t->name = strdup(name ? name : "");
	if (!t->name)
		return w_fail(w, VTB_E_NOMEM, "out of memory");
	return (int64_t)w->nth++;
}

/* STRS sections for the strings not yet written, cut at about 1 MB. */
static int w_flush_strings(vtb_writer *w)
{
	struct vtb_buf body = { 0 }, hdr = { 0 };
	int rc = 0;

	while (!rc && w->str_done < w->nstr) {
		size_t first = w->str_done, n = 0;
		body.len = hdr.len = 0;
		while (w->str_done < w->nstr && (body.len < STRS_SECTION_BYTES || !n)) {
			struct wstr *s = &w->strs[w->str_done++];
			rc |= vtb_buf_str(&body, s->name, strlen(s->name));
			rc |= vtb_buf_str(&body, s->file, strlen(s->file));
			rc |= vtb_buf_varint(&body, s->line);
			n++;
		}
		rc |= vtb_buf_varint(&hdr, first);
		rc |= vtb_buf_varint(&hdr, n);
		if (rc)
			rc = w_fail(w, VTB_E_NOMEM, "out of memory");
		else
			rc = w_section(w, VTB_TAG_STRS, hdr.data, hdr.len, body.data, body.len, NULL, 0);
	}
	vtb_buf_free(&body);
	vtb_buf_free(&hdr);
	return rc;
}

static int w_flush_procs_threads(vtb_writer *w)
{
	struct vtb_buf b = { 0 };
	int rc = 0;

	if (w->proc_done < w->nproc) {
		rc |= vtb_buf_varint(&b, w->nproc - w->proc_done);
		for (; w->proc_done < w->nproc; w->proc_done++) {
			struct wproc *p = &w->procs[w->proc_done];
			rc |= vtb_buf_varint(&b, p->pid);
			rc |= vtb_buf_varint(&b, p->ppid);
			rc |= vtb_buf_str(&b, p->name, strlen(p->name));
		}
		rc = rc ? w_fail(w, VTB_E_NOMEM, "out of memory")
			: w_section(w, VTB_TAG_PROC, b.data, b.len, NULL, 0, NULL, 0);
	}
	if (!rc && w->th_done < w->nth) {
		b.len = 0;
		rc |= vtb_buf_varint(&b, w->th_done);
		rc |= vtb_buf_varint(&b, w->nth - w->th_done);
		for (; w->th_done < w->nth; w->th_done++) {
			struct wthread *t = &w->th[w->th_done];
			rc |= vtb_buf_varint(&b, t->pid);
			rc |= vtb_buf_varint(&b, t->tid);
			rc |= vtb_buf_str(&b, t->name, strlen(t->name));
		}
		rc = rc ? w_fail(w, VTB_E_NOMEM, "out of memory")
			: w_section(w, VTB_TAG_THRD, b.data, b.len, NULL, 0, NULL, 0);
	}
	vtb_buf_free(&b);
	return rc;
}

static int w_flush_meta(vtb_writer *w)
{
	int rc = w_flush_strings(w);

	return rc ? rc : w_flush_procs_threads(w);
}

/* Turn the open chunk of thread `ti` into an EVTS section. */
static int w_flush_chunk(vtb_writer *w, uint32_t ti)
{
	struct wthread *t = &w->th[ti];
	uint8_t hdr[40];
	size_t n = 0;
	int rc;

	if (!t->records)
		return 0;
	rc = w_flush_meta(w);
	if (rc)
		return rc;
	n += vtb_varint_put(hdr + n, ti);
	n += vtb_varint_put(hdr + n, t->seq);
	n += vtb_varint_put(hdr + n, t->first_ts);
	n += vtb_varint_put(hdr + n, t->records);
	rc = w_section(w, VTB_TAG_EVTS, hdr, n, t->stk.data, t->stk.len, t->ev.data, t->ev.len);
	if (rc)
		return rc;
	struct windex *x = &w->idx[w->nidx - 1];
	x->thread = ti;
	x->first_ts = t->first_ts;
	x->records = t->records;
	t->seq++;
	t->records = 0;
	t->ev.len = t->stk.len = 0;
	return 0;
}

/* Open a chunk at `ts`: record the calls open now so the chunk decodes on its own. */
static int w_start_chunk(vtb_writer *w, struct wthread *t, uint64_t ts)
{
	int rc = vtb_buf_varint(&t->stk, t->depth);

	for (size_t i = 0; i < t->depth && !rc; i++) {
		rc |= vtb_buf_varint(&t->stk, t->stack[i].name_id);
		rc |= vtb_buf_varint(&t->stk, ts - t->stack[i].start_ns);
		rc |= vtb_buf_varint(&t->stk, t->stack[i].flags);
	}
	if (rc)
		return w_fail(w, VTB_E_NOMEM, "out of memory");
	t->first_ts = t->last_ts = ts;
	for (int i = 0; i < VTB_MTF_SLOTS; i++)
		t->mtf[i] = UINT64_MAX;
	t->can_retval = 0;
	return 0;
}

static int w_skip(vtb_writer *w, struct wthread *t, uint64_t delta);

/* Common checks of a record; flushes a full chunk first (never before an attachment, which
 * must stay in the chunk of the call it belongs to) and makes room for `room` more bytes.
 * On success *out is the thread and *delta the time step. */
static __attribute__((noinline)) int w_prep_slow(vtb_writer *w, uint32_t thread, uint64_t ts,
						 size_t room, int attach, struct wthread **out,
						 uint64_t *delta)
{
	if (w->err)
		return w->err;
	if (w->finished || thread >= w->nth)
		return VTB_E_ARG;
	struct wthread *t = &w->th[thread];
	if (ts < t->last_ts || ts > VTB_TIME_MAX)
		return VTB_E_ARG;
	/* A deep stack makes chunk headers large: chunks then grow to 8x their header. */
	if (!attach && t->records && t->ev.len >= w->chunk_bytes && t->ev.len >= 8 * t->stk.len) {
		int rc = w_flush_chunk(w, thread);
		if (rc)
			return rc;
	}
	if (!t->records) {
		int rc = w_start_chunk(w, t, ts);
		if (rc)
			return rc;
	}
	if (vtb_buf_reserve(&t->ev, room + 32))
		return w_fail(w, VTB_E_NOMEM, "out of memory");
	*delta = ts - t->last_ts;
	t->last_ts = ts;
	t->can_retval = 0;
	if (*delta >= DELTA_MAX) {
		int rc = w_skip(w, t, *delta);
		if (rc)
			return rc;
		*delta = 0;
	}
	*out = t;
	return 0;
}

/* w_prep_slow's fast path, inline in each event call (a dump makes millions): an open
 * chunk short of full, room in its buffer, a step that needs no SKIP record. */
static inline __attribute__((always_inline)) int w_prep(vtb_writer *w, uint32_t thread, uint64_t ts,
							 size_t room, int attach,
							 struct wthread **out, uint64_t *delta)
{
	struct wthread *t = thread < w->nth ? &w->th[thread] : NULL;
	if (__builtin_expect(t && !w->err && !w->finished && ts >= t->last_ts && ts <= VTB_TIME_MAX && t->records &&
			     t->ev.len < w->chunk_bytes && ts - t->last_ts < DELTA_MAX &&
			     t->ev.cap - t->ev.len >= room + 32, 1)) {
		*delta = ts - t->last_ts;
		t->last_ts = ts;
		t->can_retval = 0;
		*out = t;
		return 0;
	}
	return w_prep_slow(w, thread, ts, room, attach, out, delta);
}

static inline void ev_varint(struct wthread *t, uint64_t v)
{
	t->ev.len += vtb_varint_put(t->ev.data + t->ev.len, v);
}

/* An escape record's head, kind and payload length; the caller appends the payload. */
static int w_escape(vtb_writer *w, struct wthread *t, uint64_t delta, uint8_t kind, size_t len)
{
	if (vtb_buf_reserve(&t->ev, len + 32))
		return w_fail(w, VTB_E_NOMEM, "out of memory");
	ev_varint(t, vtb_head_op(VTB_OP_ESCAPE, delta));
	t->ev.data[t->ev.len++] = kind;
	ev_varint(t, len);
	t->records++;
	return 0;
}

static int w_skip(vtb_writer *w, struct wthread *t, uint64_t delta)
{
	int rc = w_escape(w, t, 0, VTB_KIND_SKIP, vtb_varint_len(delta));

	if (!rc)
		ev_varint(t, delta);
	return rc;
}

/* The event calls return 0 or a negative error: a refused argument (VTB_E_ARG) leaves the
 * writer usable, out of memory and I/O errors stick. They copy every text they get. */
int vtb_writer_begin(vtb_writer *w, uint32_t thread, uint64_t ts_ns, uint32_t name_id, uint32_t flags)
{
	struct wthread *t;
	uint64_t delta;
	int slot = -1;

	if (name_id >= w->nstr || flags > 0xffff || (thread < w->nth && w->th[thread].depth >= VTB_MAX_DEPTH))
		return w->err ? w->err : VTB_E_ARG;
	int rc = w_prep(w, thread, ts_ns, 32, 0, &t, &delta);
	if (rc)
		return rc;
	if (t->depth == t->cap && vtb_grow((void **)&t->stack, &t->cap, t->depth + 1, sizeof(*t->stack)))
		return w_fail(w, VTB_E_NOMEM, "out of memory");
	t->stack[t->depth++] = (struct wframe){ ts_ns, name_id, flags };
	uint64_t key = (uint64_t)flags << 32 | name_id;
	for (int i = 0; i < VTB_MTF_SLOTS; i++)
		if (t->mtf[i] == key)
			slot = i;
	if (slot >= 0) {
		ev_varint(t, vtb_head_op((unsigned)slot, delta));
	} else if (flags) {
		ev_varint(t, vtb_head_op(VTB_OP_BEGIN_FLAGS, delta));
		ev_varint(t, name_id);
		ev_varint(t, flags);
	} else {
		ev_varint(t, vtb_head_begin(delta));
		ev_varint(t, name_id);
	}
	/* Move to front: the slots before the hit (or all but the last) shift down one. */
	for (int i = slot >= 0 ? slot : VTB_MTF_SLOTS - 1; i > 0; i--)
		t->mtf[i] = t->mtf[i - 1];
	t->mtf[0] = key;
	t->records++;
	return 0;
}

int vtb_writer_end(vtb_writer *w, uint32_t thread, uint64_t ts_ns, uint32_t flags)
{
	struct wthread *t;
	uint64_t delta;

	if (thread < w->nth && (!w->th[thread].depth || flags > 0xffff))
		return w->err ? w->err : VTB_E_ARG;
	int rc = w_prep(w, thread, ts_ns, 24, 0, &t, &delta);
	if (rc)
		return rc;
	t->depth--;
	if (flags) {
		ev_varint(t, vtb_head_op(VTB_OP_END_FLAGS, delta));
		ev_varint(t, flags);
	} else {
		ev_varint(t, vtb_head_end(delta));
	}
	t->records++;
	t->can_retval = 1;
	return 0;
}

/* A record made of up to two varints, an optional f64 and an optional text. */
static int w_point(vtb_writer *w, uint32_t thread, uint64_t ts, uint8_t kind, int nv, uint64_t v0,
		   uint64_t v1, const double *f, const char *text)
{
	size_t tlen = text ? strlen(text) : 0;
	struct wthread *t;
	uint64_t delta;

	if (tlen > VTB_MAX_TEXT)
		return w->err ? w->err : VTB_E_ARG;
	int rc = w_prep(w, thread, ts, 0, kind >= VTB_KIND_ARGS, &t, &delta);
	if (rc)
		return rc;
	size_t len = (nv > 0 ? vtb_varint_len(v0) : 0) + (nv > 1 ? vtb_varint_len(v1) : 0) +
		     (f ? 8 : vtb_varint_len(tlen) + tlen);
	rc = w_escape(w, t, delta, kind, len);
	if (rc)
		return rc;
	if (nv > 0)
		ev_varint(t, v0);
	if (nv > 1)
		ev_varint(t, v1);
	if (f) {
		uint64_t bits;
		memcpy(&bits, f, 8);
		vtb_put_u64(t->ev.data + t->ev.len, bits);
		t->ev.len += 8;
	} else {
		ev_varint(t, tlen);
		vtb_buf_put(&t->ev, text, tlen);
	}
	return 0;
}

int vtb_writer_instant(vtb_writer *w, uint32_t thread, uint64_t ts_ns, uint32_t name_id, const char *args)
{
	if (name_id >= w->nstr)
		return w->err ? w->err : VTB_E_ARG;
	return w_point(w, thread, ts_ns, VTB_KIND_INSTANT, 1, name_id, 0, NULL, args);
}

int vtb_writer_counter(vtb_writer *w, uint32_t thread, uint64_t ts_ns, uint32_t name_id,
		       uint32_t series_id, double value)
{
	if (name_id >= w->nstr || series_id >= w->nstr)
		return w->err ? w->err : VTB_E_ARG;
	return w_point(w, thread, ts_ns, VTB_KIND_COUNTER, 2, name_id, series_id, &value, NULL);
}

int vtb_writer_log(vtb_writer *w, uint32_t thread, uint64_t ts_ns, uint32_t level, uint32_t logger_id,
		   const char *message)
{
	if (logger_id >= w->nstr)
		return w->err ? w->err : VTB_E_ARG;
	return w_point(w, thread, ts_ns, VTB_KIND_LOG, 2, level, logger_id, NULL, message);
}

int vtb_writer_object(vtb_writer *w, uint32_t thread, uint64_t ts_ns, uint32_t name_id, const char *text)
{
	if (name_id >= w->nstr)
		return w->err ? w->err : VTB_E_ARG;
	return w_point(w, thread, ts_ns, VTB_KIND_OBJECT, 1, name_id, 0, NULL, text);
}

/* Attachments carry no time of their own: they take the thread's last timestamp. */
int vtb_writer_args(vtb_writer *w, uint32_t thread, const char *text)
{
	if (thread >= w->nth || !w->th[thread].depth || !text)
		return w->err ? w->err : VTB_E_ARG;
	return w_point(w, thread, w->th[thread].last_ts, VTB_KIND_ARGS, 0, 0, 0, NULL, text);
}

int vtb_writer_task(vtb_writer *w, uint32_t thread, uint64_t task, const char *name)
{
	if (thread >= w->nth || !w->th[thread].depth || !name)
		return w->err ? w->err : VTB_E_ARG;
	return w_point(w, thread, w->th[thread].last_ts, VTB_KIND_TASK, 1, task, 0, NULL, name);
}

int vtb_writer_retval(vtb_writer *w, uint32_t thread, const char *text)
{
	if (thread >= w->nth || !w->th[thread].can_retval || !text || !w->th[thread].records)
		return w->err ? w->err : VTB_E_ARG;
	return w_point(w, thread, w->th[thread].last_ts, VTB_KIND_RETVAL, 0, 0, 0, NULL, text);
}

/* Ends every thread's chunk now (tests use it to place chunk boundaries). */
int vtb_writer_flush(vtb_writer *w)
{
	int rc = w->err;

	for (size_t i = 0; i < w->nth && !rc; i++)
		rc = w_flush_chunk(w, (uint32_t)i);
	return rc ? rc : w_flush_meta(w);
}

static int w_index(vtb_writer *w)
{
	struct vtb_buf b = { 0 };
	uint64_t prev = 0;
	size_t n = w->nidx;
	int rc = vtb_buf_varint(&b, n);
	uint8_t tr[VTB_TRAILER_BYTES];

	for (size_t i = 0; i < n && !rc; i++) {
		struct windex *x = &w->idx[i];
		uint8_t tag[4];
		vtb_put_u32(tag, x->tag);
		rc |= vtb_buf_put(&b, tag, 4);
		rc |= vtb_buf_varint(&b, x->offset - prev);
		prev = x->offset;
		if (x->tag == VTB_TAG_EVTS) {
			rc |= vtb_buf_varint(&b, x->thread);
			rc |= vtb_buf_varint(&b, x->first_ts);
			rc |= vtb_buf_varint(&b, x->records);
		}
	}
	if (rc) {
		vtb_buf_free(&b);
		return w_fail(w, VTB_E_NOMEM, "out of memory");
	}
	uint64_t at = w->out_base + w->out.len;
	rc = w_section(w, VTB_TAG_INDX, b.data, b.len, NULL, 0, NULL, 0);
	vtb_buf_free(&b);
	vtb_put_u64(tr, at);
	memcpy(tr + 8, vtb_trailer_magic, 8);
	if (!rc && vtb_buf_put(&w->out, tr, sizeof(tr)))
		rc = w_fail(w, VTB_E_NOMEM, "out of memory");
	return rc;
}

/* Closes the calls still open at dump time, then writes the tail. *cause is the
 * caller's to free. */
int vtb_writer_finish(vtb_writer *w, char **cause)
{
	int rc = w->err;

	if (!rc && w->finished)
		rc = w_fail(w, VTB_E_ARG, "writer already finished");
	for (size_t i = 0; i < w->nth && !rc; i++) {
		struct wthread *t = &w->th[i];
		uint64_t end = t->last_ts > w->dump_ns ? t->last_ts : w->dump_ns;
		while (t->depth && !rc)
			rc = vtb_writer_end(w, (uint32_t)i, end, VTB_CALL_OPEN);
	}
	if (!rc)
		rc = vtb_writer_flush(w);
	if (!rc)
		rc = w_index(w);
	if (!rc)
		rc = w_drain(w);
	if (!rc && w->fd >= 0) {
		int fd = w->fd;
		w->fd = -1;
		if (close(fd))
			rc = w_fail(w, VTB_E_IO, "%s: close: %s", w->path, strerror(errno));
	}
	w->finished = 1;
	if (rc && cause)
		*cause = strdup(w->cause ? w->cause : vtb_strerror(rc));
	return rc;
}

/* The bytes stay owned by the writer; NULL unless a memory writer finished cleanly. */
const uint8_t *vtb_writer_mem(const vtb_writer *w, size_t *len_bytes)
{
	if (w->fd >= 0 || w->path || !w->finished || w->err) {
		*len_bytes = 0;
		return NULL;
	}
	*len_bytes = w->out.len;
	return w->out.data;
}

/* Frees everything; a file writer not finished leaves its partial file behind. */
void vtb_writer_free(vtb_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	for (size_t i = 0; i < w->nstr; i++) {
		free(w->strs[i].name);
		free(w->strs[i].file);
	}
	for (size_t i = 0; i < w->nproc; i++)
		free(w->procs[i].name);
	for (size_t i = 0; i < w->nth; i++) {
		free(w->th[i].name);
		free(w->th[i].stack);
		vtb_buf_free(&w->th[i].ev);
		vtb_buf_free(&w->th[i].stk);
	}
	free(w->strs);
	free(w->hash);
	free(w->procs);
	free(w->th);
	free(w->idx);
	vtb_buf_free(&w->out);
	free(w->path);
	free(w->cause);
	free(w);
}
