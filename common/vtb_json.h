/* SPDX-License-Identifier: MIT */
/* vtb_json.h: Chrome trace event JSON (VizTracer, Perfetto) to and from the trace model
 * of vtb.h: the import (json_import.c, with json_scan.c, json_events.c, json_build.c and
 * json_load.c) and the export (json_export.c, json_text.c). Implemented through cJSON (and
 * zlib for .gz).
 */
#ifndef VTUI_VTB_JSON_H
#define VTUI_VTB_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "common/vtb.h"

/* What an import met besides what it loaded. */
typedef struct vtb_json_report {
	size_t events_read;       /* trace events in the file */
	size_t unknown_kinds;     /* events of a phase the importer does not map (counted, skipped) */
	size_t unbalanced;        /* B without E or E without B (closed or dropped, and counted) */
	size_t skipped_invalid;   /* events with missing or wrongly typed fields */
	int partial;              /* the JSON was cut or malformed: the events before the
				   * problem were loaded, and the notes say where it is */
	char *notes;              /* one line per kind of problem, or NULL; the caller frees */
} vtb_json_report;

/* Load a Chrome trace event JSON file (".json" or ".json.gz") into a trace model.
 * Returns NULL and sets *cause (with the line, column and byte offset where parsing
 * stopped) on failure. JSON cut or malformed after some events loads those events: the
 * report says `partial`, and vtb_trace_damage() of the trace has `truncated` and the
 * problem. `report` may be NULL. The caller owns the trace and report->notes. */
vtb_trace *vtb_json_load(const char *path, vtb_progress_fn progress, void *progress_ctx,
			 vtb_json_report *report, char **cause);
/* Bounds on what a JSON import reads: a few MB of gzip can expand to gigabytes. */
typedef struct vtb_json_limits {
	uint64_t max_bytes;  /* uncompressed bytes read; 0: no limit */
	uint64_t max_events; /* trace events read; 0: no limit */
} vtb_json_limits;

#define VTB_JSON_MAX_BYTES_DEFAULT (UINT64_C(1) << 30)
#define VTB_JSON_MAX_EVENTS_DEFAULT UINT64_C(20000000)

/* vtb_json_load with limits (NULL: the defaults above); passing one fails the load with
 * VTB_E_LIMIT and a cause that names the limit. vtb_json_load uses the defaults. */
vtb_trace *vtb_json_load_limited(const char *path, const vtb_json_limits *limits, vtb_progress_fn progress,
				 void *progress_ctx, vtb_json_report *report, char **cause);
/* Write `t` as Chrome trace event JSON that Perfetto and VizTracer's viewer open (gzip
 * when `path` ends in ".gz"), streamed one event at a time; progress counts events.
 * Loading the result gives back the same model. 0, or a negative error with *cause. */
int vtb_json_export(const vtb_trace *t, const char *path, vtb_progress_fn progress,
		    void *progress_ctx, char **cause);

#endif
