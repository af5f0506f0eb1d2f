/* SPDX-License-Identifier: MIT */
/* open.c: opening a trace for the viewer: the format by the file's name, salvage of
 * damaged VTB files, and a progress bar on slow loads. */
#include "tui/tui_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Only loads slower than this show a progress bar. */
#define PROGRESS_AFTER_S 0.5

struct progress {
	const char *path;
	struct timespec start;
	int shown;
};

static int show_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct progress *p = ctx;
	char bar[31];
	int fill;

	if (tui_seconds_since(&p->start) < PROGRESS_AFTER_S)
		return 0;
	fill = total ? (int)((double)done / (double)total * 30) : 0;
	for (int i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[30] = '\0';
	fputc('\r', stderr);
	tui_fprintf_clean(stderr, "vtui: loading %s [%s] %.1f / %.1f MB", p->path, bar, (double)done / 1e6,
		(double)total / 1e6);
	fflush(stderr);
	p->shown = 1;
	return 0;
}

static char *damage_note(const vtb_trace *t)
{
	const vtb_damage *d = vtb_trace_damage(t);
	char buf[1024];

	if (!d || (!d->sections_bad && !d->truncated && !d->bytes_lost && !d->first_problem))
		return NULL;
	snprintf(buf, sizeof(buf), "DAMAGED: %zu section(s) skipped, %zu bytes lost%s%s%s",
		 d->sections_bad, d->bytes_lost, d->truncated ? ", index missing" : "",
		 d->first_problem ? "; first: " : "", d->first_problem ? d->first_problem : "");
	return strdup(buf);
}

static vtb_json_limits json_limits = { VTB_JSON_MAX_BYTES_DEFAULT, VTB_JSON_MAX_EVENTS_DEFAULT };

int tui_json_limit_option(const char *option, const char *value, char **cause)
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
		*cause = tui_strdupf("--%s wants %s, not '%s'", option, bytes ? "a size like 500M or 4G" : "a count",
				     value);
		return -1;
	}
	if (bytes)
		json_limits.max_bytes = n;
	else
		json_limits.max_events = n;
	return 0;
}

/* The caller owns the trace. */
vtb_trace *tui_json_load(const char *path, vtb_progress_fn fn, void *ctx, vtb_json_report *report, char **cause)
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

vtb_trace *tui_load_json(const char *path, vtb_progress_fn fn, void *ctx, char **notes, char **cause)
{
	vtb_json_report report = { 0 };
	vtb_trace *t = tui_json_load(path, fn, ctx, &report, cause);

	if (t && vtb_trace_event_count(t) == 0) { /* nothing to show is a failed import */
		char *line = report.notes ? notes_line(report.notes) : NULL;

		*cause = tui_strdupf("%s: no event could be loaded%s%s", path, line ? ": " : "",
				     line ? line : "");
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

vtb_trace *tui_load(const char *path, int progress, char **note, char **cause)
{
	struct progress p = { path, { 0, 0 }, 0 };
	vtb_progress_fn fn = progress ? show_progress : NULL;
	vtb_trace *t;

	*note = NULL;
	clock_gettime(CLOCK_MONOTONIC, &p.start);
	if (tui_is_json_file(path)) {
		t = tui_load_json(path, fn, &p, note, cause); /* a cut or malformed file is in the notes */
		if (t && !*note)
			*note = damage_note(t);
	} else {
		t = vtb_trace_load(path, VTB_LOAD_SALVAGE, fn, &p, cause);
		if (t)
			*note = damage_note(t);
	}
	if (p.shown)
		fprintf(stderr, "\r\033[K");
	return t;
}

