/* SPDX-License-Identifier: MIT */
/* json_private.h: declarations shared by the Chrome trace JSON files of common/
 * (json_scan.c, json_import.c, json_text.c, json_export.c). Not a public header.
 */
#ifndef VTUI_JSON_PRIVATE_H
#define VTUI_JSON_PRIVATE_H

#include "common/vtb.h"
#include "common/vtb_json.h"
#include "common/vtb_internal.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>

/* ---- json_scan.c: a streaming walk over a trace file ----
 * The file (plain or gzip, told by its content) is read in blocks; the scanner finds the
 * extent of each element of the trace event array and of the top-level members the caller
 * wants, and hands each to cJSON on its own. So memory holds one event at a time, never the
 * tree of the whole file, and a truncated file keeps every event before the cut.
 */

/* One element of the event array, parsed, that began at byte `offset` of the
 * (decompressed) file. Return 0 to go on, negative to stop the walk with that error. */
typedef int (*js_event_fn)(void *ctx, const cJSON *event, uint64_t offset);
/* A top-level member whose key the caller asked for. */
typedef int (*js_member_fn)(void *ctx, const char *key, const cJSON *value);

struct js_callbacks {
	js_event_fn event;
	js_member_fn member;
	const char *const *members; /* keys handed to member(), NULL-terminated */
	void *ctx;
	vtb_progress_fn progress;
	void *progress_ctx;
	uint64_t max_bytes, max_events; /* 0: no limit */
};

/* What a walk ended with. */
struct js_result {
	int found_events;     /* a trace event array was met */
	size_t elements;      /* elements of it handed to cb->event */
	char *problem;        /* where and why the walk stopped early (malformed or truncated
			       * JSON), with line, column and byte offset; NULL when it did not.
			       * The caller frees. */
};

/* Walk `path`. Returns 0 when the walk ended, cleanly or at a problem of the JSON (then
 * res->problem says what); a negative error with *cause when the file could not be read,
 * a callback stopped the walk (its code; *cause is then the callback's business) or the
 * progress callback cancelled it. */
int js_walk(const char *path, const struct js_callbacks *cb, struct js_result *res, char **cause);

/* ---- json_text.c: one text form for arguments, snapshots and instant args ----
 * The model keeps args as text ("k=v, k=v"); JSON keeps objects. Import renders an object
 * as k=v pairs (string values as they are, others as compact JSON); export writes text that
 * splits into k=v pairs back as an object of strings, and any other text under one key,
 * JSON_TEXT_KEY, so that importing what was exported gives the same text.
 */
#define JSON_TEXT_KEY "vtb_text"
/* An asyncio task step: the call event's key {"id": "<task>", "name": "<task name>"}, and a
 * nestable async slice of this category per step (ph b/e, id = the task), which Perfetto
 * draws as one track per task; the import reads the key and passes the slices over. */
#define JSON_TASK_KEY "vtb_task"
#define JSON_TASK_CAT "asyncio task"
#define JSON_LOG_PREFIX "logging - "

/* Append the text form of `v` (object: k=v pairs; string: itself; other: compact JSON),
 * skipping the keys in `skip` (NULL-terminated, or NULL). 0 or VTB_E_NOMEM. */
int jt_render(const cJSON *v, const char *const *skip, struct vtb_buf *out);

/* A buffered output to a FILE or a gzip stream; errors are sticky. */
struct jout {
	FILE *f;
	void *gz;            /* gzFile when writing .json.gz */
	char *buf;
	size_t len, cap;
	int err;             /* errno of the first failure, or -1 for a gzip failure */
};

int jout_open(struct jout *o, const char *path, char **cause);
void jout_write(struct jout *o, const char *s, size_t n);
void jout_puts(struct jout *o, const char *s);
void jout_printf(struct jout *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A JSON string literal with quotes; bytes that are not valid UTF-8 become U+FFFD. */
void jout_str(struct jout *o, const char *s);
/* Write `text` as a JSON value: an object of strings when it splits into k=v pairs, else
 * the plain string (JT_STRING) or {"vtb_text": text} (JT_WRAPPED), whichever the import of
 * that place reads back as the same text. */
enum jt_fallback { JT_STRING, JT_WRAPPED };
void jout_text(struct jout *o, const char *text, enum jt_fallback fallback);
/* Microseconds with three decimals: exact for integer nanoseconds. */
void jout_us(struct jout *o, uint64_t ns);
/* Flush and close; 0 or VTB_E_IO with *cause. */
int jout_close(struct jout *o, const char *path, char **cause);
void jout_abort(struct jout *o);

/* Does `path` end in .gz? */
int json_path_gz(const char *path);

#endif
