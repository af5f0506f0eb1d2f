/* SPDX-License-Identifier: MIT */
/* fuzz_command.c: libFuzzer target for the command language: the filter words
 * (flt_set_command) and the viewer's `:` commands (tui_app_exec, no terminal needed).
 *
 * The input is a script, one command line per line. Each line goes to a filter set and
 * to a viewer over a small fixed trace (names with control characters and invalid UTF-8
 * included); the viewer then draws into a screen model. Oracles besides crashes and
 * sanitizers: an error says why and leaves the set unchanged; the set survives the trip
 * through flt_set_to_commands; evaluation over the names and the per-call predicate agree;
 * with VTUI_FUZZ_CELLS=1, no drawn cell holds a character a terminal would obey or reject.
 */
#include "tests/fuzz/fuzz_check.h"

#include "common/vtb.h"
#include "filters/filters.h"
#include "tui/tui.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE 4096

static const char *const names[][2] = {
	{ "app.main", "/srv/app/main.py" },
	{ "app.worker.Worker.run", "/srv/app/worker.py" },
	{ "threading.Thread._bootstrap", "/usr/lib/python3.11/threading.py" },
	{ "<module>", "<frozen importlib._bootstrap>" },
	{ "builtins.len", "" },
	{ "bad\xff\xfe utf8 \xc3", "/tmp/\x80.py" },
	{ "ctl\x1b[31mred\x07\x08\r\n", "/tmp/ctl\t.py" },
	{ "wide.\xe6\x97\xa5\xe6\x9c\xac.\xf0\x9f\x94\xa5", "/srv/\xcc\x81.py" },
	{ "del\x7f c1\xc2\x9b surrogate\xed\xa0\x80 big\xf4\x90\x80\x80", "/x\xc2\x85.py" },
};
#define NAME_COUNT (sizeof(names) / sizeof(names[0]))

static uint8_t *trace_bytes;
static size_t trace_len;
static int check_cells; /* VTUI_FUZZ_CELLS=1: every drawn cell must be safe for a terminal */

static int entry(void *ctx, size_t id, const char **name, const char **file)
{
	(void)ctx;
	*name = names[id][0];
	*file = names[id][1];
	return 0;
}

/* A small trace over `names`: two threads, nested calls, marks, a counter, open calls. */
static void build_trace(void)
{
	vtb_header h = { .pid = 7, .cmdline = "fuzz \x1b]0;title\x07", .python_version = "3.11",
			 .reason_text = "bad\xff", .dump_ns = 100000, .ring_capacity = 1024 };
	vtb_writer *w = vtb_writer_open_mem(&h);
	char *cause = NULL;

	FZ_REQUIRE(w != NULL);
	for (size_t i = 0; i < NAME_COUNT; i++)
		FZ_REQUIRE(vtb_writer_string(w, names[i][0], names[i][1], (uint32_t)i) == (int64_t)i);
	FZ_REQUIRE(vtb_writer_thread(w, 7, 7, "Main\x1b[2J") == 0);
	FZ_REQUIRE(vtb_writer_thread(w, 7, 8, "work\xff") == 1);
	for (uint32_t th = 0; th < 2; th++) {
		uint64_t ts = 1000 + th * 10;
		for (uint32_t i = 0; i < 40; i++) {
			FZ_REQUIRE(!vtb_writer_begin(w, th, ts, i % NAME_COUNT, 0));
			FZ_REQUIRE(!vtb_writer_args(w, th, "x=\x1b[1m1"));
			FZ_REQUIRE(!vtb_writer_begin(w, th, ts + 5, (i + 3) % NAME_COUNT, 0));
			FZ_REQUIRE(!vtb_writer_instant(w, th, ts + 6, 5, "k=\xff"));
			FZ_REQUIRE(!vtb_writer_end(w, th, ts + 20 + i, 0));
			FZ_REQUIRE(!vtb_writer_end(w, th, ts + 40 + i * 3, 0));
			FZ_REQUIRE(!vtb_writer_retval(w, th, "'\x07'"));
			FZ_REQUIRE(!vtb_writer_counter(w, th, ts + 40 + i * 3, 4, 6, (double)i));
			ts += 100 + i * 17;
		}
		FZ_REQUIRE(!vtb_writer_log(w, th, ts, 40, 6, "error\x1b[0m\n line"));
		FZ_REQUIRE(!vtb_writer_begin(w, th, ts + 1, 0, 0)); /* open at the dump */
	}
	FZ_REQUIRE(vtb_writer_finish(w, &cause) == 0);
	const uint8_t *b = vtb_writer_mem(w, &trace_len);
	trace_bytes = malloc(trace_len);
	FZ_REQUIRE(trace_bytes != NULL);
	memcpy(trace_bytes, b, trace_len);
	vtb_writer_free(w);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	build_trace();
	check_cells = getenv("VTUI_FUZZ_CELLS") && !strcmp(getenv("VTUI_FUZZ_CELLS"), "1");
	return 0;
}

/* What a terminal would take as a control or cannot encode: C0, DEL, C1, surrogates, past
 * U+10FFFF. Names and typed text reach the screen, so none of it may. */
static void check_screen(const tui_screen *scr)
{
	for (int y = 0; y < tui_screen_height(scr); y++)
		for (int x = 0; x < tui_screen_width(scr); x++) {
			uint32_t ch = (uint32_t)tui_screen_cell(scr, x, y)->ch;
			int bad = (ch != 0 && ch < 0x20) || (ch >= 0x7f && ch < 0xa0) ||
				  (ch >= 0xd800 && ch < 0xe000) || ch > 0x10ffff;
			if (bad)
				fprintf(stderr, "cell (%d, %d) holds U+%04X\n", x, y, (unsigned)ch);
			FZ_REQUIRE(!bad);
		}
}

static void check_round_trip(const flt_set *s)
{
	char **cmds = NULL, *a, *b;
	size_t n = 0;
	flt_set *copy = flt_set_new();

	FZ_REQUIRE(copy && flt_set_to_commands(s, &cmds, &n) == 0);
	for (size_t i = 0; i < n; i++)
		FZ_REQUIRE(flt_set_command(copy, cmds[i], NULL) == 0);
	a = flt_set_describe(s);
	b = flt_set_describe(copy);
	FZ_REQUIRE(a && b);
	if (strcmp(a, b))
		fprintf(stderr, "set:     %s\nrebuilt: %s\n", a, b);
	FZ_REQUIRE(strcmp(a, b) == 0);
	free(a);
	free(b);
	flt_strv_free(cmds, n);
	flt_set_free(copy);
}

/* Evaluate over the names; the inline predicate agrees with flt_set_call. */
static void check_eval(flt_set *s)
{
	char *cause = NULL;
	flt_call_filter cf;
	int rc = flt_set_eval(s, entry, NULL, NAME_COUNT, &cause);

	if (rc < 0) {
		FZ_REQUIRE(rc == FLT_E_LIMIT);
		free(cause);
		return;
	}
	FZ_REQUIRE(flt_set_call_filter(s, &cf) == 0);
	for (uint32_t id = 0; id <= NAME_COUNT; id++)
		for (uint32_t depth = 0; depth < 3; depth++)
			FZ_REQUIRE(flt_call_pass(&cf, id, 1000u * id, depth) ==
				   flt_set_call(s, id, 1000u * id, depth));
}

static void filter_line(flt_set *s, const char *line)
{
	char *cause = NULL, *before = flt_set_describe(s);
	int rc = flt_set_command(s, line, &cause);
	char *after = flt_set_describe(s);

	FZ_REQUIRE(before && after);
	FZ_REQUIRE((rc == FLT_E_UNKNOWN) == !flt_is_filter_command(line));
	if (rc < 0) {
		FZ_REQUIRE(rc == FLT_E_UNKNOWN ? cause == NULL : cause != NULL);
		FZ_REQUIRE(strcmp(before, after) == 0);
	} else {
		FZ_REQUIRE(cause == NULL);
		check_round_trip(s);
		check_eval(s);
	}
	free(cause);
	free(before);
	free(after);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *cause = NULL, line[MAX_LINE + 1];
	flt_set *s = flt_set_new();
	vtb_trace *t = vtb_trace_load_mem(trace_bytes, trace_len, 0, &cause);
	tui_app *app = t ? tui_app_new(t, "fuzz.vtb", &cause) : NULL;
	tui_screen *scr = tui_screen_new(80, 24);

	FZ_REQUIRE(s && app && scr);
	for (size_t pos = 0; pos < size;) {
		size_t n = 0;
		while (pos < size && data[pos] != '\n' && n < MAX_LINE)
			line[n++] = (char)data[pos++];
		pos++; /* the newline, or a byte past a cut line */
		line[n] = '\0';
		filter_line(s, line);
		if (tui_app_exec(app, line) < 0)
			FZ_REQUIRE(tui_app_message(app)[0] != '\0');
		tui_app_render(app, scr);
		if (check_cells)
			check_screen(scr);
	}
	tui_app_free(app);
	tui_screen_free(scr);
	flt_set_free(s);
	return 0;
}
