/* SPDX-License-Identifier: MIT */
/* json_load.c: import a Chrome trace event JSON file (VizTracer, Perfetto, Chrome) into
 * the trace model.
 *
 * Two passes. The first (json_scan.c) hands events one at a time; each becomes a compact
 * record in its thread (calls, begin/end halves, marks and counter samples), with names
 * interned and texts in one pool. The second sorts each thread, rebuilds the nesting of
 * calls from their start and end (complete events carry no depth and VizTracer writes them
 * in exit order), and streams the result through a memory writer into the reader: the one
 * path every trace takes into the model.
 *
 * Time: JSON has float microseconds; the model has integer nanoseconds. Start and duration
 * are rounded each on its own, so a duration equals the JSON's to the nearest nanosecond.
 */
#include "common/json_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json_load.h"

#define JSON_NAME_MAX ((size_t)1 << 16) /* longer names are cut: the model keeps names, not texts */

static const char *const wanted_members[] = { "viztracer_metadata", "vtb_header", NULL };

/* ---- interning ---- */

static uint64_t hash_str(const char *s, int split)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)split;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static uint64_t str_hash_of(const void *ctx, size_t i)
{
	return ((const struct jimp *)ctx)->strs[i].hash;
}

static int rehash_strs(struct jimp *im)
{
	return vtb_slots_grow(&im->shash, &im->shcap, 1024, im->nstr, str_hash_of, im);
}

/* VizTracer names Python functions "qualname (file:line)"; the first " (" after which
 * the rest is "file:digits)" splits it. */
static int split_name(const char *raw, size_t *name_len, const char **file, size_t *file_len,
		      uint32_t *line)
{
	size_t n = strlen(raw);

	if (n < 6 || raw[n - 1] != ')')
		return 0;
	for (const char *p = strstr(raw, " ("); p; p = strstr(p + 1, " (")) {
		const char *f = p + 2, *colon = raw + n - 2;
		while (colon > f && *colon >= '0' && *colon <= '9')
			colon--;
		if (colon <= f || *colon != ':' || colon == raw + n - 2 || raw + n - 2 - colon > 9)
			continue;
		*name_len = (size_t)(p - raw);
		*file = f;
		*file_len = (size_t)(colon - f);
		*line = (uint32_t)strtoul(colon + 1, NULL, 10);
		return 1;
	}
	return 0;
}

static int jstr_fill(struct jstr *s, const char *raw, int split)
{
	size_t nl = strlen(raw), fl = 0;
	const char *file = "";

	s->line = 0;
	s->has_file = split && split_name(raw, &nl, &file, &fl, &s->line);
	s->raw = strdup(raw);
	s->name = strndup(raw, nl < JSON_NAME_MAX ? nl : JSON_NAME_MAX);
	s->file = strndup(file, fl < JSON_NAME_MAX ? fl : JSON_NAME_MAX);
	return s->raw && s->name && s->file ? 0 : VTB_E_NOMEM;
}

/* The index of `raw` (split as a function name when `split`), or a negative error. */
int64_t jimp_intern(struct jimp *im, const char *raw, int split)
{
	uint64_t h = hash_str(raw, split);

	if (im->nstr * 2 >= im->shcap && rehash_strs(im))
		return VTB_E_NOMEM;
	size_t j = h & (im->shcap - 1);
	for (; im->shash[j]; j = (j + 1) & (im->shcap - 1)) {
		struct jstr *s = &im->strs[im->shash[j] - 1];
		if (s->hash == h && s->split == split && !strcmp(s->raw, raw))
			return im->shash[j] - 1;
	}
	if (im->nstr >= UINT32_MAX - 2 ||
	    vtb_grow((void **)&im->strs, &im->strcap, im->nstr + 1, sizeof(*im->strs)))
		return VTB_E_NOMEM;
	struct jstr *s = &im->strs[im->nstr];
	memset(s, 0, sizeof(*s));
	s->hash = h;
	s->split = (uint8_t)split;
	im->nstr++;
	if (jstr_fill(s, raw, split))
		return VTB_E_NOMEM;
	im->shash[j] = (uint32_t)im->nstr;
	return (int64_t)im->nstr - 1;
}

/* ---- threads and processes ---- */

static uint64_t thread_hash_of(const void *ctx, size_t i)
{
	const struct jimp *im = ctx;

	return im->th[i].tid * 31 + im->th[i].pid;
}

static int rehash_threads(struct jimp *im)
{
	return vtb_slots_grow(&im->thash, &im->thcap_hash, 64, im->nth, thread_hash_of, im);
}

static uint64_t proc_hash_of(const void *ctx, size_t i)
{
	return ((const struct jimp *)ctx)->procs[i].pid * 2654435761u;
}

static int rehash_procs(struct jimp *im)
{
	return vtb_slots_grow(&im->phash, &im->phcap, 64, im->nproc, proc_hash_of, im);
}

/* The process `pid`, made on first sight; NULL when out of memory. */
struct jproc *jimp_process(struct jimp *im, uint32_t pid)
{
	if (im->nproc * 2 >= im->phcap && rehash_procs(im))
		return NULL;
	size_t j = (pid * 2654435761u) & (im->phcap - 1);
	for (; im->phash[j]; j = (j + 1) & (im->phcap - 1))
		if (im->procs[im->phash[j] - 1].pid == pid)
			return &im->procs[im->phash[j] - 1];
	if (vtb_grow((void **)&im->procs, &im->proccap, im->nproc + 1, sizeof(*im->procs)))
		return NULL;
	im->procs[im->nproc] = (struct jproc){ pid, NULL };
	im->phash[j] = (uint32_t)++im->nproc;
	return &im->procs[im->nproc - 1];
}

/* The thread (pid, tid), made on first sight; NULL when out of memory. */
struct jthread *jimp_thread(struct jimp *im, uint32_t pid, uint64_t tid)
{
	if (im->nth * 2 >= im->thcap_hash && rehash_threads(im))
		return NULL;
	size_t j = (tid * 31 + pid) & (im->thcap_hash - 1);
	for (; im->thash[j]; j = (j + 1) & (im->thcap_hash - 1)) {
		struct jthread *t = &im->th[im->thash[j] - 1];
		if (t->pid == pid && t->tid == tid)
			return t;
	}
	struct jproc *p = jimp_process(im, pid);
	if (!p || vtb_grow((void **)&im->th, &im->thcap, im->nth + 1, sizeof(*im->th)))
		return NULL;
	struct jthread *t = &im->th[im->nth];
	memset(t, 0, sizeof(*t));
	t->porder = (uint32_t)(p - im->procs);
	t->pid = pid;
	t->tid = tid;
	t->first_ns = UINT64_MAX;
	im->thash[j] = (uint32_t)++im->nth;
	return t;
}

/* ---- texts ---- */

/* Store a NUL-terminated copy of `b` in the pool: its reference (offset + 1). */
int jimp_text_ref(struct jimp *im, const struct vtb_buf *b, uint64_t *ref)
{
	size_t n = b->len;

	if (n > VTB_MAX_TEXT) {
		n = VTB_MAX_TEXT;
		im->texts_cut++;
	}
	*ref = im->text.len + 1;
	if (vtb_buf_put(&im->text, b->data, n) || vtb_buf_put(&im->text, "", 1))
		return VTB_E_NOMEM;
	return 0;
}

const char *jimp_text(const struct jimp *im, uint64_t ref)
{
	return ref ? (const char *)im->text.data + (ref - 1) : NULL;
}

/* ---- the walk's callbacks (events themselves are in json_events.c) ---- */

static int on_member(void *ctx, const char *key, const cJSON *v)
{
	struct jimp *im = ctx;

	if (!strcmp(key, "viztracer_metadata"))
		return jimp_viztracer_meta(im, v);
	return jimp_vtb_header(im, v);
}

/* ---- notes ---- */

static int note(struct vtb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int note(struct vtb_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *s = vtb_vfmt(fmt, ap);
	va_end(ap);
	int rc = s ? vtb_buf_put(b, s, strlen(s)) : VTB_E_NOMEM;
	if (!rc)
		rc = vtb_buf_put(b, "\n", 1);
	free(s);
	return rc;
}

static void note_unknown(const struct jimp *im, struct vtb_buf *b)
{
	char list[512] = "";
	size_t n = 0;

	for (int c = 0; c < 128; c++) {
		if (!im->unknown[c])
			continue;
		n += (size_t)snprintf(list + n, n < sizeof(list) ? sizeof(list) - n : 0, "%s'%c' x%zu",
				      n ? ", " : "", c ? c : '?', im->unknown[c]);
		if (n >= sizeof(list))
			break;
	}
	note(b, "%zu events of kinds not imported were skipped (ph %s)", im->unknown_total, list);
}

/* One line per kind of problem. */
static char *make_notes(const struct jimp *im)
{
	struct vtb_buf b = { 0 };

	if (im->partial)
		note(&b, "the JSON stops early, events before the problem were loaded: %s", im->partial);
	if (im->unknown_total)
		note_unknown(im, &b);
	if (im->invalid)
		note(&b, "%zu invalid events were skipped; the first: %s", im->invalid,
		     im->first_invalid ? im->first_invalid : "?");
	if (im->e_unmatched)
		note(&b, "%zu end events (ph E) had no open begin on their thread and were dropped", im->e_unmatched);
	if (im->b_unclosed)
		note(&b, "%zu begin events (ph B) were never ended: they end at their thread's last event, marked open",
		     im->b_unclosed);
	if (im->clamped)
		note(&b, "%zu calls ended after their parent without nesting in it: cut at the parent's end", im->clamped);
	if (im->too_deep)
		note(&b, "%zu calls nested deeper than %u levels were dropped", im->too_deep, VTB_MAX_DEPTH - 1);
	if (im->no_ids)
		note(&b, "%zu events had no pid or tid (pid taken as 0, tid as the pid)", im->no_ids);
	if (im->bad_samples)
		note(&b, "%zu counter values were not numbers and were skipped", im->bad_samples);
	if (im->texts_cut)
		note(&b, "%zu texts longer than 64 MiB were cut", im->texts_cut);
	if (!b.len)
		return NULL;
	b.data[b.len - 1] = 0; /* the last newline */
	return (char *)b.data;
}

static void fill_report(const struct jimp *im, vtb_json_report *r)
{
	memset(r, 0, sizeof(*r));
	r->events_read = im->events;
	r->unknown_kinds = im->unknown_total;
	r->unbalanced = im->e_unmatched + im->b_unclosed;
	r->skipped_invalid = im->invalid;
	r->partial = im->partial != NULL;
	r->notes = make_notes(im);
}

void jimp_free(struct jimp *im)
{
	for (size_t i = 0; i < im->nstr; i++) {
		free(im->strs[i].raw);
		free(im->strs[i].name);
		free(im->strs[i].file);
	}
	free(im->strs);
	free(im->shash);
	for (size_t i = 0; i < im->nth; i++)
		jthread_free(&im->th[i]);
	free(im->th);
	free(im->thash);
	for (size_t i = 0; i < im->nproc; i++)
		free(im->procs[i].name);
	free(im->procs);
	free(im->phash);
	vtb_buf_free(&im->text);
	vtb_buf_free(&im->scratch);
	free(im->first_invalid);
	free(im->partial);
	free(im->version);
	free(im->hdr_cmdline);
	free(im->hdr_python);
	free(im->hdr_reason_text);
}

/* The walk ended at a problem: fail when nothing came before it, else load what did. */
static int take_problem(struct jimp *im, struct js_result *res, char **cause)
{
	if (!res->problem)
		return 0;
	if (!res->elements) {
		*cause = res->problem;
		res->problem = NULL;
		return VTB_E_FORMAT;
	}
	im->partial = res->problem;
	res->problem = NULL;
	return 0;
}

vtb_trace *vtb_json_load(const char *path, vtb_progress_fn progress, void *progress_ctx,
			 vtb_json_report *report, char **cause)
{
	struct jimp im = { 0 };
	struct js_result res = { 0 };
	vtb_trace *t = NULL;
	struct js_callbacks cb = { jimp_event, on_member, wanted_members, &im, progress, progress_ctx };

	im.path = path;
	im.min_ns = UINT64_MAX;
	int rc = js_walk(path, &cb, &res, cause);
	if (rc) {
		if (!*cause)
			*cause = vtb_fmt("%s: %s", path, vtb_strerror(rc));
		goto out;
	}
	if (take_problem(&im, &res, cause))
		goto out;
	if (!res.found_events) {
		*cause = vtb_fmt("%s: not a Chrome trace: no traceEvents array", path);
		goto out;
	}
	t = jimp_build(&im, cause);
	if (t && report)
		fill_report(&im, report);
out:
	free(res.problem);
	jimp_free(&im);
	return t;
}
