/* SPDX-License-Identifier: MIT */
/* json_load.c: the JSON importer's state (json_load.h) and its helpers: names interned
 * (split into function, file and line), threads and processes found by id, texts kept in
 * one pool, and the state freed. json_events.c and json_build.c call these; they call
 * nothing else of the importer, so the driver (json_import.c) sits above all three.
 */
#include "common/json_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json_load.h"

#define JSON_NAME_MAX ((size_t)1 << 16) /* longer names are cut: the model keeps names, not texts */

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

/* ---- the state's end ---- */

void jthread_free(struct jthread *t)
{
	free(t->name);
	free(t->calls);
	free(t->bes);
	free(t->marks);
	free(t->tasks);
	memset(t, 0, sizeof(*t));
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
