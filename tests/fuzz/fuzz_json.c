/* SPDX-License-Identifier: MIT */
/* fuzz_json.c: libFuzzer target for the Chrome trace event JSON importer (and exporter).
 *
 * The input is the file (plain JSON, or gzip: the importer tells them by content). It is
 * written to a memfd because vtb_json_load takes a path. Oracles besides crashes and
 * sanitizers: a failed import says why; the report's counts and notes agree; every model
 * keeps the contract of vtb.h (fuzz_check.h); what was imported exports, and the export
 * imports again with the same calls.
 */
#include "tests/fuzz/fuzz_file.h"
#include "tests/fuzz/fuzz_check.h"

#include "common/vtb.h"
#include "common/vtb_json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static vtb_trace *import(const char *path, vtb_json_report *rep)
{
	char *cause = NULL;
	vtb_trace *t;

	memset(rep, 0, sizeof(*rep));
	t = vtb_json_load(path, NULL, NULL, rep, &cause);
	if (!t) {
		FZ_REQUIRE(cause != NULL && *cause != '\0');
	} else {
		FZ_REQUIRE(cause == NULL);
		fz_check_trace(t);
		FZ_REQUIRE(!rep->partial || rep->notes != NULL);
	}
	free(cause);
	return t;
}

static void export_and_reimport(const vtb_trace *t)
{
	char path[32], *cause = NULL;
	vtb_json_report rep;

	fz_file_open(1, path);
	int rc = vtb_json_export(t, path, NULL, NULL, &cause);
	if (rc)
		fprintf(stderr, "export failed: %s\n", cause ? cause : "?");
	FZ_REQUIRE(rc == 0);
	vtb_trace *u = import(path, &rep);
	if (!u || vtb_trace_call_count(u) != vtb_trace_call_count(t))
		fprintf(stderr, "re-import: %zu calls of %zu; notes: %s\n",
			u ? vtb_trace_call_count(u) : 0, vtb_trace_call_count(t),
			rep.notes ? rep.notes : "none");
	FZ_REQUIRE(u != NULL);
	FZ_REQUIRE(!rep.partial);
	FZ_REQUIRE(vtb_trace_call_count(u) == vtb_trace_call_count(t));
	free(rep.notes);
	vtb_trace_free(u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[32];
	vtb_json_report rep;

	fz_file_put(0, data, size, path);
	vtb_trace *t = import(path, &rep);
	free(rep.notes);
	if (t)
		export_and_reimport(t);
	vtb_trace_free(t);
	return 0;
}
