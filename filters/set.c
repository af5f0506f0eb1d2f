/* SPDX-License-Identifier: MIT */
/* set.c: a selection of calls (include/exclude lists, limits, thread), evaluated once
 * per string id into two bitmaps. */
#include "filters/filters.h"

#include <stdlib.h>
#include <string.h>

#include "filters/private.h"

struct pattern_list {
	flt_pattern **items;
	size_t count;
};

struct flt_set {
	struct pattern_list lists[FLT_LIST_COUNT];
	flt_pattern *thread;
	uint64_t min_ns;
	uint32_t max_depth;      /* 0: no limit */
	uint64_t *included;      /* bitmaps of the last eval, eval_count bits */
	uint64_t *excluded;
	uint64_t *pass;          /* included & ~excluded */
	uint64_t *flattened;
	size_t eval_count;
};

flt_set *flt_set_new(void)
{
	return calloc(1, sizeof(flt_set));
}

static void drop_bitmaps(flt_set *s)
{
	free(s->included);
	free(s->excluded);
	free(s->pass);
	free(s->flattened);
	s->included = s->excluded = s->pass = s->flattened = NULL;
	s->eval_count = 0;
}

void flt_set_clear(flt_set *s)
{
	for (int l = 0; l < FLT_LIST_COUNT; l++) {
		for (size_t i = 0; i < s->lists[l].count; i++)
			flt_pattern_free(s->lists[l].items[i]);
		free(s->lists[l].items);
		s->lists[l].items = NULL;
		s->lists[l].count = 0;
	}
	flt_pattern_free(s->thread);
	s->thread = NULL;
	s->min_ns = 0;
	s->max_depth = 0;
	drop_bitmaps(s);
}

void flt_set_free(flt_set *s)
{
	if (s == NULL)
		return;
	flt_set_clear(s);
	free(s);
}

int flt_set_add(flt_set *s, enum flt_list which, const char *pattern, char **cause)
{
	struct pattern_list *l;
	flt_pattern **grown, *p;

	if ((unsigned)which >= FLT_LIST_COUNT)
		return flt_fail(cause, FLT_E_ARG, "unknown pattern list %d", (int)which);
	p = flt_pattern_compile(pattern, FLT_PAT_USER, cause);
	if (p == NULL)
		return FLT_E_PATTERN;
	l = &s->lists[which];
	grown = realloc(l->items, (l->count + 1) * sizeof(*grown));
	if (grown == NULL) {
		flt_pattern_free(p);
		return flt_fail(cause, FLT_E_NOMEM, "out of memory adding '%s'", pattern);
	}
	grown[l->count++] = p;
	l->items = grown;
	drop_bitmaps(s);
	return 0;
}

int flt_set_thread(flt_set *s, const char *pattern, char **cause)
{
	flt_pattern *p = NULL;

	if (pattern != NULL && *pattern != '\0') {
		p = flt_pattern_compile(pattern, FLT_PAT_USER, cause);
		if (p == NULL)
			return FLT_E_PATTERN;
	}
	flt_pattern_free(s->thread);
	s->thread = p;
	return 0;
}

flt_set *flt_set_copy(const flt_set *s, char **cause)
{
	flt_set *c = flt_set_new();

	if (c == NULL) {
		flt_fail(cause, FLT_E_NOMEM, "out of memory copying filters");
		return NULL;
	}
	for (int l = 0; l < FLT_LIST_COUNT; l++)
		for (size_t i = 0; i < s->lists[l].count; i++)
			if (flt_set_add(c, l, flt_pattern_source(s->lists[l].items[i]), cause) < 0)
				goto fail;
	if (s->thread != NULL && flt_set_thread(c, flt_pattern_source(s->thread), cause) < 0)
		goto fail;
	c->min_ns = s->min_ns;
	c->max_depth = s->max_depth;
	return c;
fail:
	flt_set_free(c);
	return NULL;
}

void flt_set_min_duration(flt_set *s, uint64_t min_ns)
{
	s->min_ns = min_ns;
}

void flt_set_max_depth(flt_set *s, uint32_t max_depth)
{
	s->max_depth = max_depth;
}

uint64_t flt_set_get_min_duration(const flt_set *s)
{
	return s->min_ns;
}

uint32_t flt_set_get_max_depth(const flt_set *s)
{
	return s->max_depth;
}

size_t flt_set_list_count(const flt_set *s, enum flt_list which)
{
	return (unsigned)which < FLT_LIST_COUNT ? s->lists[which].count : 0;
}

const char *flt_set_list_pattern(const flt_set *s, enum flt_list which, size_t i)
{
	if ((unsigned)which >= FLT_LIST_COUNT || i >= s->lists[which].count)
		return NULL;
	return flt_pattern_source(s->lists[which].items[i]);
}

const char *flt_set_get_thread(const flt_set *s)
{
	return s->thread ? flt_pattern_source(s->thread) : NULL;
}

int flt_set_has_include(const flt_set *s)
{
	return s->lists[FLT_INCLUDE_NAME].count + s->lists[FLT_INCLUDE_FILE].count + s->lists[FLT_INCLUDE_ARG].count +
		       s->lists[FLT_INCLUDE_RET].count + s->lists[FLT_INCLUDE_EXC].count +
		       s->lists[FLT_INCLUDE_LOG].count + s->lists[FLT_INCLUDE_MARK].count > 0;
}

int flt_set_has_text(const flt_set *s)
{
	for (int l = FLT_INCLUDE_ARG; l < FLT_LIST_COUNT; l++)
		if (s->lists[l].count)
			return 1;
	return 0;
}

flt_pattern *flt_set_list_compiled(flt_set *s, enum flt_list which, size_t i)
{
	if ((unsigned)which >= FLT_LIST_COUNT || i >= s->lists[which].count)
		return NULL;
	return s->lists[which].items[i];
}

int flt_set_has_flatten(const flt_set *s)
{
	return s->lists[FLT_FLATTEN_NAME].count + s->lists[FLT_FLATTEN_FILE].count > 0;
}

int flt_set_is_empty(const flt_set *s)
{
	for (int l = 0; l < FLT_LIST_COUNT; l++)
		if (s->lists[l].count)
			return 0;
	return s->thread == NULL && s->min_ns == 0 && s->max_depth == 0;
}

/* 1 when any pattern of `l` matches `text`, 0 when none, negative on a limit error. */
static int any_match(const struct pattern_list *l, const char *text, char **cause)
{
	size_t len;

	if (l->count == 0 || text == NULL)
		return 0;
	len = strlen(text);
	for (size_t i = 0; i < l->count; i++) {
		int rc = flt_pattern_match(l->items[i], text, len, cause);

		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Results of the file lists for the last file seen: ids of one module are interned
 * together, so consecutive ids usually share their file and it is matched once. */
struct file_memo {
	const char *file;
	int include, exclude, flatten;
};

static int match_file(const flt_set *s, struct file_memo *m, const char *file, char **cause)
{
	int rc;

	if (file == NULL)
		file = "";
	if (m->file != NULL && (m->file == file || strcmp(m->file, file) == 0))
		return 0;
	m->file = NULL;
	if ((rc = any_match(&s->lists[FLT_INCLUDE_FILE], file, cause)) < 0)
		return rc;
	m->include = rc;
	if ((rc = any_match(&s->lists[FLT_EXCLUDE_FILE], file, cause)) < 0)
		return rc;
	m->exclude = rc;
	if ((rc = any_match(&s->lists[FLT_FLATTEN_FILE], file, cause)) < 0)
		return rc;
	m->flatten = rc;
	m->file = file;
	return 0;
}

/* Classify one (name, file): bit 0 included, bit 1 excluded, bit 2 flattened; negative on
 * error. */
static int classify(const flt_set *s, struct file_memo *m, const char *name, const char *file,
		    char **cause)
{
	int inc, exc, flat, rc;

	if ((rc = match_file(s, m, file, cause)) < 0)
		return rc;
	if ((exc = m->exclude) == 0 && (exc = any_match(&s->lists[FLT_EXCLUDE_NAME], name, cause)) < 0)
		return exc;
	inc = !flt_set_has_include(s) || m->include;
	if (!inc && (inc = any_match(&s->lists[FLT_INCLUDE_NAME], name, cause)) < 0)
		return inc;
	if ((flat = m->flatten) == 0 && (flat = any_match(&s->lists[FLT_FLATTEN_NAME], name, cause)) < 0)
		return flat;
	return (inc ? 1 : 0) | (exc ? 2 : 0) | (flat ? 4 : 0);
}

/* Fill the bitmaps `inc`, `exc` and `flat` (cleared) for ids [0, count). */
static int classify_all(const flt_set *s, flt_entry_fn fn, void *ctx, size_t count,
			uint64_t *inc, uint64_t *exc, uint64_t *flat, char **cause)
{
	struct file_memo memo = { 0 };
	struct flt_budget budget;

	flt_budget_start(&budget);
	for (size_t id = 0; id < count; id++) {
		const char *name = NULL, *file = NULL;
		int c;

		if ((c = flt_budget_check(&budget, id, count, cause)) < 0)
			return c;
		if (fn(ctx, id, &name, &file) != 0)
			continue;
		if ((c = classify(s, &memo, name ? name : "", file, cause)) < 0)
			return c;
		if (c & 1)
			flt_bitmap_set(inc, id);
		if (c & 2)
			flt_bitmap_set(exc, id);
		if (c & 4)
			flt_bitmap_set(flat, id);
	}
	return 0;
}

int flt_set_eval(flt_set *s, flt_entry_fn fn, void *ctx, size_t count, char **cause)
{
	size_t words = FLT_BITMAP_WORDS(count) ? FLT_BITMAP_WORDS(count) : 1;
	uint64_t *inc = calloc(words, sizeof(uint64_t)), *exc = calloc(words, sizeof(uint64_t));
	uint64_t *pass = malloc(words * sizeof(uint64_t)), *flat = calloc(words, sizeof(uint64_t));
	int rc = FLT_E_NOMEM;

	if (inc == NULL || exc == NULL || pass == NULL || flat == NULL) {
		flt_fail(cause, rc, "out of memory evaluating filters over %zu names", count);
		goto out;
	}
	if ((rc = classify_all(s, fn, ctx, count, inc, exc, flat, cause)) < 0)
		goto out;
	for (size_t i = 0; i < words; i++)
		pass[i] = inc[i] & ~exc[i];
	drop_bitmaps(s);
	s->included = inc;
	s->excluded = exc;
	s->pass = pass;
	s->flattened = flat;
	s->eval_count = count;
	inc = exc = pass = flat = NULL;
out:
	free(flat);
	free(inc);
	free(exc);
	free(pass);
	return rc;
}

const uint64_t *flt_set_included(const flt_set *s)
{
	return s->included;
}

const uint64_t *flt_set_excluded(const flt_set *s)
{
	return s->excluded;
}

const uint64_t *flt_set_flattened(const flt_set *s)
{
	return s->flattened;
}

size_t flt_set_eval_count(const flt_set *s)
{
	return s->eval_count;
}

int flt_set_match_entry(flt_set *s, const char *name, const char *file, char **cause)
{
	struct file_memo memo = { 0 };
	int c = classify(s, &memo, name ? name : "", file, cause);

	if (c < 0)
		return c;
	return (c & 3) == 1;
}

int flt_set_match_thread(flt_set *s, const char *thread_name)
{
	const char *n = thread_name ? thread_name : "";

	if (s->thread == NULL)
		return 1;
	return flt_pattern_match(s->thread, n, strlen(n), NULL) == 1;
}

int flt_set_call_limits(const flt_set *s, uint64_t dur_ns, uint32_t depth)
{
	return dur_ns >= s->min_ns && (s->max_depth == 0 || depth < s->max_depth);
}

int flt_set_call(const flt_set *s, uint32_t name_id, uint64_t dur_ns, uint32_t depth)
{
	if (s->pass == NULL || name_id >= s->eval_count)
		return 0;
	return flt_bitmap_test(s->pass, name_id) && flt_set_call_limits(s, dur_ns, depth);
}

int flt_set_call_filter(const flt_set *s, flt_call_filter *cf)
{
	if (s->pass == NULL)
		return FLT_E_ARG;
	cf->pass = s->pass;
	cf->count = s->eval_count;
	cf->min_ns = s->min_ns;
	cf->depth_limit = s->max_depth ? s->max_depth : UINT32_MAX;
	return 0;
}
