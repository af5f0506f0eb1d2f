/* SPDX-License-Identifier: MIT */
/* json_import.c: import a Chrome trace event JSON file (VizTracer, Perfetto, Chrome) into
 * the trace model.
 *
 * The driver of the import. Two passes. The first (json_scan.c) hands events one at a
 * time to json_events.c; each becomes a compact record in its thread (calls, begin/end
 * halves, marks and counter samples), with names interned and texts in one pool. The second sorts each thread, rebuilds the nesting of
 * calls from their start and end (complete events carry no depth and VizTracer writes them
 * in exit order), and streams the result through a memory writer into the reader: the one
 * path every trace takes into the model (json_build.c). Interning and the state are
 * json_load.c's.
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

static const char *const wanted_members[] = { "viztracer_metadata", "vtb_header", NULL };

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
	if (im->bad_tasks)
		note(&b, "%zu calls had a " JSON_TASK_KEY " that is not {\"id\": \"N\", \"name\": \"...\"}: kept as plain calls",
		     im->bad_tasks);
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
	return vtb_json_load_limited(path, NULL, progress, progress_ctx, report, cause);
}

vtb_trace *vtb_json_load_limited(const char *path, const vtb_json_limits *limits, vtb_progress_fn progress,
				 void *progress_ctx, vtb_json_report *report, char **cause)
{
	static const vtb_json_limits defaults = { VTB_JSON_MAX_BYTES_DEFAULT, VTB_JSON_MAX_EVENTS_DEFAULT };
	const vtb_json_limits *lim = limits ? limits : &defaults;
	struct jimp im = { 0 };
	struct js_result res = { 0 };
	vtb_trace *t = NULL;
	struct js_callbacks cb = { jimp_event, on_member, wanted_members, &im, progress, progress_ctx,
				   lim->max_bytes, lim->max_events };

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
