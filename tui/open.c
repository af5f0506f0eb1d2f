/* SPDX-License-Identifier: MIT */
/* open.c: opening a trace for the viewer: the kind of file (JSON or VTB, analysis/load.c),
 * salvage of damaged VTB files, and a progress bar on slow loads. */
#include "tui/tui_private.h"

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
	an_fprintf_clean(stderr, "vtui: loading %s [%s] %.1f / %.1f MB", p->path, bar, (double)done / 1e6,
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

vtb_trace *tui_load(const char *path, int progress, char **note, char **cause)
{
	struct progress p = { path, { 0, 0 }, 0 };
	vtb_progress_fn fn = progress ? show_progress : NULL;
	vtb_trace *t;

	*note = NULL;
	clock_gettime(CLOCK_MONOTONIC, &p.start);
	if (an_is_json_file(path)) {
		t = an_load_json(path, fn, &p, note, cause); /* a cut or malformed file is in the notes */
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

