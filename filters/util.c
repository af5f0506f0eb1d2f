/* SPDX-License-Identifier: MIT */
/* util.c: error messages, string vectors and bitmap counting for filters/. */
#define _GNU_SOURCE /* asprintf */
#include "filters/filters.h"

#include <stdio.h>
#include <stdlib.h>

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
