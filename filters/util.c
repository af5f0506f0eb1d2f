/* SPDX-License-Identifier: MIT */
/* util.c: error messages, string vectors and bitmap counting for filters/. */
#define _GNU_SOURCE /* asprintf */
#include "filters/filters.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "filters/private.h"

int flt_fail(char **cause, int err, const char *fmt, ...)
{
	va_list ap;

	if (cause == NULL)
		return err;
	va_start(ap, fmt);
	if (vasprintf(cause, fmt, ap) < 0)
		*cause = NULL;
	va_end(ap);
	return err;
}

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void flt_budget_start(struct flt_budget *b)
{
	b->start_ns = cpu_ns();
}

int flt_budget_check(const struct flt_budget *b, size_t done, size_t count, char **cause)
{
	if (done % 64 || cpu_ns() - b->start_ns <= FLT_EVAL_BUDGET_NS)
		return 0;
	return flt_fail(cause, FLT_E_LIMIT, "matching stopped after %llu s at name %zu of %zu: the pattern "
			"backtracks too much (nested repeats like (a+)+); simplify it",
			FLT_EVAL_BUDGET_NS / 1000000000ull, done, count);
}

const char *flt_strerror(int err)
{
	static const char *const text[] = {
		"success", "out of memory", "bad pattern", "match limit reached",
		"bad argument", "not a filter command", "input/output error",
		"no such file", "JSON syntax error", "wrong type in preset file",
		"no such preset",
	};

	if (err > 0 || -err >= (int)(sizeof(text) / sizeof(text[0])))
		return "unknown error";
	return text[-err];
}

size_t flt_bitmap_count(const uint64_t *bm, size_t nbits)
{
	size_t n = 0, words = nbits / 64;

	for (size_t i = 0; i < words; i++)
		n += (size_t)__builtin_popcountll(bm[i]);
	if (nbits % 64)
		n += (size_t)__builtin_popcountll(bm[words] & (((uint64_t)1 << (nbits % 64)) - 1));
	return n;
}

void flt_strv_free(char **v, size_t count)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < count; i++)
		free(v[i]);
	free(v);
}
