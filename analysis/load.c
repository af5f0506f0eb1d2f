/* SPDX-License-Identifier: MIT */
/* load.c: a trace file opened by its kind, for the viewer and the batch commands alike:
 * Chrome JSON (by its name, else by its first bytes) under the JSON limits the options set,
 * or VTB. */
#define _GNU_SOURCE /* asprintf */
#include "analysis/analysis.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/vtb_json.h"

int an_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

int an_is_json_name(const char *path)
{
	return an_ends_with(path, ".json") || an_ends_with(path, ".json.gz");
}

/* A name that says nothing (a download called "trace") leaves it to the first bytes:
 * gzip, or { or [ after blanks, is JSON. What cannot be read goes to the VTB reader,
 * whose message says why. */
int an_is_json_file(const char *path)
{
	unsigned char b[64];
	size_t n, i = 0;
	FILE *f;

	if (an_is_json_name(path))
		return 1;
	if (an_ends_with(path, ".bin") || an_ends_with(path, ".vtb") || an_ends_with(path, VTB_RING_SUFFIX) ||
	    !(f = fopen(path, "rb")))
		return 0;
	n = fread(b, 1, sizeof(b), f);
	fclose(f);
	if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return 1;
	while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r'))
		i++;
	return i < n && (b[i] == '{' || b[i] == '[');
}

static vtb_json_limits json_limits = { VTB_JSON_MAX_BYTES_DEFAULT, VTB_JSON_MAX_EVENTS_DEFAULT };

int an_json_limit_option(const char *option, const char *value, char **cause)
{
	int bytes = !strcmp(option, "max-json-bytes");
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(value, &end, 10);
	if (bytes && *end && strchr("KMG", *end) && !end[1]) {
		int shift = *end == 'K' ? 10 : *end == 'M' ? 20 : 30;
		n = n > UINT64_MAX >> shift ? (errno = ERANGE, n) : n << shift;
		end++;
	}
	if (errno || end == value || *end || *value == '-') {
		if (asprintf(cause, "--%s wants %s, not '%s'", option, bytes ? "a size like 500M or 4G" : "a count",
			     value) < 0)
			*cause = NULL;
		return -1;
	}
	if (bytes)
		json_limits.max_bytes = n;
	else
		json_limits.max_events = n;
	return 0;
}

/* The caller owns the trace. */
vtb_trace *an_json_load(const char *path, vtb_progress_fn fn, void *ctx, vtb_json_report *report, char **cause)
{
	return vtb_json_load_limited(path, &json_limits, fn, ctx, report, cause);
}

/* The notes, one a line, as one line: "a; b". */
static char *notes_line(const char *notes)
{
	char *out = malloc(2 * strlen(notes) + 1), *o = out;

	for (; out && *notes; notes++) {
		*o++ = *notes == '\n' ? ';' : *notes;
		if (*notes == '\n')
			*o++ = ' ';
	}
	if (out)
		*o = '\0';
	return out;
}

vtb_trace *an_load_json(const char *path, vtb_progress_fn fn, void *ctx, char **notes, char **cause)
{
	vtb_json_report report = { 0 };
	vtb_trace *t = an_json_load(path, fn, ctx, &report, cause);

	if (t && vtb_trace_event_count(t) == 0) { /* nothing to show is a failed import */
		char *line = report.notes ? notes_line(report.notes) : NULL;

		if (asprintf(cause, "%s: no event could be loaded%s%s", path, line ? ": " : "", line ? line : "") < 0)
			*cause = NULL;
		free(line);
		vtb_trace_free(t);
		t = NULL;
	}
	if (notes)
		*notes = t ? report.notes : NULL;
	if (!t || !notes)
		free(report.notes);
	return t;
}

