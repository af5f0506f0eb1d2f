/* SPDX-License-Identifier: MIT */
/* pattern.c: one PCRE2 pattern, compiled once, matched against many short strings. */
#include "filters/filters.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "filters/private.h"

/* Names and paths are short: a sound pattern stays far below these on any of them, while
 * a catastrophic one ("(a+)+$") stops within milliseconds instead of hanging the viewer. */
#define USER_MATCH_LIMIT 200000u
#define USER_DEPTH_LIMIT 2000u
#define JIT_STACK_START (32u * 1024)
#define JIT_STACK_MAX (512u * 1024)

struct flt_pattern {
	char *source;
	pcre2_code *code;
	pcre2_match_data *md;   /* reused by every match: patterns are single-threaded */
	pcre2_match_context *mctx;
	pcre2_jit_stack *jit_stack;
	int jit;
};

static int compile_code(flt_pattern *p, unsigned flags, char **cause)
{
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_UCP;
	int errcode;
	PCRE2_SIZE erroff;
	PCRE2_UCHAR msg[256];

	if (flags & FLT_PAT_CASELESS)
		opts |= PCRE2_CASELESS;
	p->code = pcre2_compile((PCRE2_SPTR)p->source, PCRE2_ZERO_TERMINATED, opts, &errcode,
				&erroff, NULL);
	if (p->code != NULL)
		return 0;
	if (pcre2_get_error_message(errcode, msg, sizeof(msg)) < 0)
		strcpy((char *)msg, "unknown error");
	return flt_fail(cause, FLT_E_PATTERN, "bad pattern '%s': %s at offset %zu", p->source,
			(char *)msg, (size_t)erroff);
}

/* The JIT is an optimisation: when it is missing or fails, the interpreter runs. */
static void try_jit(flt_pattern *p)
{
	if (pcre2_jit_compile(p->code, PCRE2_JIT_COMPLETE) != 0)
		return;
	p->jit_stack = pcre2_jit_stack_create(JIT_STACK_START, JIT_STACK_MAX, NULL);
	if (p->jit_stack == NULL)
		return;
	pcre2_jit_stack_assign(p->mctx, NULL, p->jit_stack);
	p->jit = 1;
}

flt_pattern *flt_pattern_compile(const char *pattern, unsigned flags, char **cause)
{
	flt_pattern *p = calloc(1, sizeof(*p));

	if (p == NULL || (p->source = strdup(pattern ? pattern : "")) == NULL) {
		flt_fail(cause, FLT_E_NOMEM, "out of memory compiling a pattern");
		goto fail;
	}
	if (compile_code(p, flags, cause) < 0)
		goto fail;
	p->md = pcre2_match_data_create_from_pattern(p->code, NULL);
	p->mctx = pcre2_match_context_create(NULL);
	if (p->md == NULL || p->mctx == NULL) {
		flt_fail(cause, FLT_E_NOMEM, "out of memory compiling '%s'", p->source);
		goto fail;
	}
	if (flags & FLT_PAT_USER) {
		pcre2_set_match_limit(p->mctx, USER_MATCH_LIMIT);
		pcre2_set_depth_limit(p->mctx, USER_DEPTH_LIMIT);
	}
	if (!(flags & FLT_PAT_NO_JIT))
		try_jit(p);
	return p;
fail:
	flt_pattern_free(p);
	return NULL;
}

void flt_pattern_free(flt_pattern *p)
{
	if (p == NULL)
		return;
	pcre2_match_data_free(p->md);
	pcre2_match_context_free(p->mctx);
	pcre2_jit_stack_free(p->jit_stack);
	pcre2_code_free(p->code);
	free(p->source);
	free(p);
}

const char *flt_pattern_source(const flt_pattern *p)
{
	return p->source;
}

int flt_pattern_jit(const flt_pattern *p)
{
	return p->jit;
}

int flt_pattern_find(flt_pattern *p, const char *subject, size_t len_bytes, size_t *start,
		     size_t *end, char **cause)
{
	int rc = pcre2_match(p->code, (PCRE2_SPTR)subject, len_bytes, 0, 0, p->md, p->mctx);
	PCRE2_SIZE *ov;

	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc < 0) {
		PCRE2_UCHAR msg[256];

		if (pcre2_get_error_message(rc, msg, sizeof(msg)) < 0)
			strcpy((char *)msg, "unknown error");
		return flt_fail(cause, FLT_E_LIMIT, "pattern '%s' on '%.*s': %s", p->source,
				(int)(len_bytes > 80 ? 80 : len_bytes), subject, (char *)msg);
	}
	ov = pcre2_get_ovector_pointer(p->md);
	if (start != NULL)
		*start = ov[0];
	if (end != NULL)
		*end = ov[1];
	return 1;
}

int flt_pattern_match(flt_pattern *p, const char *subject, size_t len_bytes, char **cause)
{
	return flt_pattern_find(p, subject, len_bytes, NULL, NULL, cause);
}

int64_t flt_pattern_eval(flt_pattern *p, flt_entry_fn fn, void *ctx, size_t count,
			 uint64_t *bitmap, char **cause)
{
	int64_t hits = 0;

	memset(bitmap, 0, FLT_BITMAP_WORDS(count) * sizeof(uint64_t));
	for (size_t id = 0; id < count; id++) {
		const char *name = NULL, *file = NULL;
		int rc;

		if (fn(ctx, id, &name, &file) != 0 || name == NULL)
			continue;
		rc = flt_pattern_match(p, name, strlen(name), cause);
		if (rc < 0)
			return rc;
		if (rc > 0) {
			flt_bitmap_set(bitmap, id);
			hits++;
		}
	}
	return hits;
}
