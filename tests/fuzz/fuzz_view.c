/* SPDX-License-Identifier: MIT */
/* fuzz_view.c: libFuzzer target for what a file does above the reader (issue 17): load,
 * then statistics, a diff against a fixed trace, conversion both ways, and the viewer
 * drawing at several sizes after commands that move in time, select, filter and search.
 *
 * Input: one mode byte, then the file.
 *   bit 0: the file is Chrome JSON (else VTB, loaded with salvage);
 *   bit 1: (VTB) recompute every section's CRC32C first, so mutations reach the decoders;
 *   bits 2-7: which commands run, and in what order (a rotation of the list below).
 * Oracles besides crashes, sanitizers and libFuzzer's -timeout (a slow input is a finding):
 * every model keeps the contract of vtb.h; what converts one way loads back with the same
 * calls; errors say why; no drawn cell holds a control character.
 */
#include "tests/fuzz/fuzz_file.h"
#include "tests/fuzz/fuzz_check.h"

#include "common/vtb.h"
#include "common/vtb_json.h"
#include "tui/analysis.h"
#include "analysis/analysis.h"
#include "tui/tui.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const commands[] = {
	"zoom 1000000x", "pan right", "goto 4611686018427387904ns", "select cursor", "select child",
	"select next", "zoom sel", "pan -1000000000s", "goto +1ns", "filter a|f", "search .",
	"next-match", "stats all", "flame all", "logs on", "thread next", "mark next", "counter next",
	"hide ^x", "min-duration 1ns", "max-depth 3", "zoom fit", "pan left 0.5", "zoom out",
};
#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))
static const int sizes[][2] = { { 80, 24 }, { 1, 1 }, { 200, 60 }, { 17, 5 } };

static vtb_trace *other; /* the fixed other side of the diff */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	vtb_header h = { .pid = 1, .cmdline = "", .python_version = "", .reason_text = "", .dump_ns = 100 };
	vtb_writer *w = vtb_writer_open_mem(&h);
	char *cause = NULL;
	const uint8_t *b;
	size_t len;

	(void)argc;
	(void)argv;
	FZ_REQUIRE(w && vtb_writer_string(w, "f", "f.py", 1) == 0 && vtb_writer_thread(w, 1, 1, "t") == 0);
	FZ_REQUIRE(!vtb_writer_begin(w, 0, 10, 0, 0) && !vtb_writer_end(w, 0, 20, 0));
	FZ_REQUIRE(vtb_writer_finish(w, &cause) == 0 && (b = vtb_writer_mem(w, &len)));
	other = vtb_trace_load_mem(b, len, 0, &cause);
	FZ_REQUIRE(other != NULL);
	vtb_writer_free(w);
	return 0;
}

static vtb_trace *load(const uint8_t *b, size_t len, int json)
{
	static const vtb_json_limits lim = { 8u << 20, 200000 };
	char path[32], *cause = NULL;
	vtb_trace *t;

	if (json) {
		fz_file_put(0, b, len, path);
		t = vtb_json_load_limited(path, &lim, NULL, NULL, NULL, &cause);
	} else {
		t = vtb_trace_load_mem(b, len, VTB_LOAD_SALVAGE, &cause);
	}
	FZ_REQUIRE(t ? cause == NULL : cause != NULL && *cause);
	free(cause);
	if (t)
		fz_check_trace(t);
	return t;
}

static void stats_and_diff(const vtb_trace *t)
{
	an_stats *s = NULL, *so = NULL;
	an_diff *d = NULL;
	char *cause = NULL;
	FILE *null = fopen("/dev/null", "w");

	FZ_REQUIRE(null != NULL);
	FZ_REQUIRE(an_stats_compute(t, NULL, &s, &cause) == 0);
	FZ_REQUIRE(an_stats_compute(other, NULL, &so, &cause) == 0);
	for (int f = AN_STATS_TABLE; f <= AN_STATS_JSON; f++)
		FZ_REQUIRE(an_stats_write(s, t, (enum an_stats_format)f, 0, null, &cause) == 0);
	FZ_REQUIRE(an_diff_compute(t, s, other, so, &d) == 0);
	for (int f = AN_STATS_TABLE; f <= AN_STATS_JSON; f++)
		FZ_REQUIRE(an_diff_write(d, (enum an_stats_format)f, 0, null, &cause) == 0);
	an_diff_free(d);
	an_stats_free(s);
	an_stats_free(so);
	fclose(null);
}

/* VTB to JSON and JSON to VTB: the other format loads back with the same calls. */
static void convert(const vtb_trace *t, int json)
{
	char path[32], *cause = NULL;
	vtb_trace *back;

	fz_file_open(1, path);
	if (json) {
		FZ_REQUIRE(vtb_trace_save(t, path, &cause) == 0);
		back = vtb_trace_load(path, 0, NULL, NULL, &cause);
	} else {
		FZ_REQUIRE(vtb_json_export(t, path, NULL, NULL, &cause) == 0);
		back = vtb_json_load(path, NULL, NULL, NULL, &cause);
	}
	if (!back)
		fprintf(stderr, "converted file does not load: %s\n", cause ? cause : "?");
	FZ_REQUIRE(back != NULL);
	fz_check_trace(back);
	FZ_REQUIRE(vtb_trace_call_count(back) == vtb_trace_call_count(t));
	vtb_trace_free(back);
}

static void check_screen(const tui_screen *scr)
{
	for (int y = 0; y < tui_screen_height(scr); y++)
		for (int x = 0; x < tui_screen_width(scr); x++) {
			wchar_t ch = tui_screen_cell(scr, x, y)->ch;
			if (!(ch == 0 || vtb_char_safe(ch)))
				fprintf(stderr, "cell (%d, %d) holds U+%04X\n", x, y, (unsigned)ch);
			FZ_REQUIRE(ch == 0 || vtb_char_safe(ch));
		}
}

static void view(vtb_trace *t, unsigned pick)
{
	char *cause = NULL;
	tui_app *app = tui_app_new(t, "fuzz.vtb", &cause);
	tui_screen *scr[4];

	FZ_REQUIRE(app != NULL);
	for (int i = 0; i < 4; i++)
		FZ_REQUIRE((scr[i] = tui_screen_new(sizes[i][0], sizes[i][1])) != NULL);
	tui_app_render(app, scr[0]);
	for (size_t i = 0; i < 8; i++) {
		const char *c = commands[(pick + i * (1 + pick % 5)) % COMMAND_COUNT];
		if (tui_app_exec(app, c) < 0 && !tui_app_message(app)[0]) {
			fprintf(stderr, "'%s' failed without a message\n", c);
			FZ_REQUIRE(0);
		}
		tui_app_render(app, scr[i % 4]);
		check_screen(scr[i % 4]);
	}
	for (int i = 0; i < 4; i++)
		tui_screen_free(scr[i]);
	tui_app_free(app);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	uint8_t mode = data[0];
	size_t len = size - 1;
	uint8_t *b = malloc(len ? len : 1);

	if (!b)
		return 0;
	memcpy(b, data + 1, len);
	if (!(mode & 1) && (mode & 2))
		fz_fix_crcs(b, len);
	vtb_trace *t = load(b, len, mode & 1);
	free(b);
	if (!t)
		return 0;
	stats_and_diff(t);
	convert(t, mode & 1);
	view(t, mode >> 2);
	return 0;
}
