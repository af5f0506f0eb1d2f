/* SPDX-License-Identifier: MIT */
/* test_tui_tmux_hostile.c: the viewer in hostile terminals and on hostile files (issue 9,
 * reliability): resized down to 1x1 and back, TERM=dumb and vt100, a non-UTF-8 locale, no
 * colours, no terminal at all; and a trace whose names, thread names, command line, dump
 * reason, arguments and log messages carry escape sequences, control characters and
 * invalid UTF-8, which must never reach the terminal as anything but text: checked on the
 * bytes of every batch output and on a real terminal (tmux: its pane title, its screen).
 * The binary is $VTUI_BUILD/vtui (tools/run-tests.sh sets VTUI_BUILD; default "build"). */
#include <check.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/tmux_harness.h"
#include "tests/tui_fixtures.h"

static char vtui[512];
static char dir[] = "/tmp/vtui-hostile-XXXXXX";

/* Every sequence that could drive a terminal, in every text field a trace has. */
#define EVIL_TITLE "\x1b]2;PWNED\x07"
static const char *const evil_names[] = {
	"osc" EVIL_TITLE "title",
	"clear\x1b[2J\x1b[Hhome",
	"c1csi\xc2\x9b" "31mred",        /* U+009B, CSI to many terminals */
	"rawcsi\x9b" "32mgreen",          /* the same as one raw byte (invalid UTF-8) */
	"bad\xff\xfe\xc0\x9b" "utf",      /* invalid bytes, an overlong ESC */
	"del\x7f\x08\x07" "bell\x0e\x0f", /* DEL, backspace, bell, shift out/in */
	"dcs\x1bP1$r\x1b\\end\xc2\x90",   /* DCS, string terminator, U+0090 */
};
#define N_EVIL ((int)(sizeof(evil_names) / sizeof(evil_names[0])))

static int write_evil(const char *path)
{
	vtb_header h;
	vtb_writer *w;
	char *cause = NULL;
	int64_t th, id[N_EVIL], logger;
	int rc = -1;

	fx_header("simple", &h);
	h.cmdline = "python " EVIL_TITLE "\x9b" "1;1H.py";
	h.reason_text = "Error" EVIL_TITLE "\xc2\x9b" "2J";
	w = vtb_writer_open_file(path, &h, &cause);
	if (!w)
		goto out;
	FX_TRY(th = vtb_writer_thread(w, 100, 1000, "thread" EVIL_TITLE "\x9b" "7m"));
	FX_TRY(logger = vtb_writer_string(w, "logger" EVIL_TITLE, "", 0));
	for (int i = 0; i < N_EVIL; i++)
		FX_TRY(id[i] = vtb_writer_string(w, evil_names[i], "file" EVIL_TITLE "\xc2\x9b.py", 1));
	FX_TRY(vtb_writer_begin(w, (uint32_t)th, FX_US(0), (uint32_t)id[0], 0));
	FX_TRY(vtb_writer_args(w, (uint32_t)th, "x='" EVIL_TITLE "', y=b'\xc2\x9b'"));
	for (int i = 1; i < N_EVIL; i++) {
		uint64_t at = (uint64_t)i * 10000;

		FX_TRY(vtb_writer_begin(w, (uint32_t)th, FX_US(at), (uint32_t)id[i], 0));
		FX_TRY(vtb_writer_args(w, (uint32_t)th, evil_names[i]));
		FX_TRY(vtb_writer_log(w, (uint32_t)th, FX_US(at + 100), 40, (uint32_t)logger, evil_names[i]));
		FX_TRY(vtb_writer_instant(w, (uint32_t)th, FX_US(at + 200), (uint32_t)id[i], evil_names[i]));
		FX_TRY(vtb_writer_end(w, (uint32_t)th, FX_US(at + 8000), 0));
		FX_TRY(vtb_writer_retval(w, (uint32_t)th, evil_names[i]));
	}
	FX_TRY(vtb_writer_end(w, (uint32_t)th, FX_US(99000), 0));
	rc = vtb_writer_finish(w, &cause);
out:
	if (cause)
		fprintf(stderr, "evil trace: %s\n", cause);
	free(cause);
	vtb_writer_free(w);
	return rc;
}

static void fixtures_setup(void)
{
	char path[600];

	tmux_find_vtui(vtui, sizeof(vtui));
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/simple.vtb", dir);
	if (fx_write("simple", path) < 0)
		abort();
	snprintf(path, sizeof(path), "%s/evil.vtb", dir);
	if (write_evil(path) < 0)
		abort();
}

static void fixtures_teardown(void)
{
	tmux_remove_dir(dir);
}

/* vtui with `env` and `args` on fixture `name`, in a WxH pane. */
static void start_vtui(int width, int height, const char *env, const char *args, const char *name)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "env %s timeout --foreground 120 '%s' %s '%s/%s.vtb'",
		 env ? env : "", vtui, args ? args : "", dir, name);
	tmux_start(width, height, cmd);
}

/* Offset of the first byte of `buf` that a terminal could take for a control (C0 but tab and
 * newline, DEL, a C1 control in UTF-8 or as a raw byte in 0x80-0x9f outside a valid
 * sequence), or -1. */
static long control_at(const char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)buf;

	for (size_t i = 0; i < len; i++) {
		if ((p[i] < 0x20 && p[i] != '\n' && p[i] != '\t') || p[i] == 0x7f)
			return (long)i;
		if (p[i] == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 && p[i + 1] < 0xa0)
			return (long)i;
		if (p[i] >= 0x80 && p[i] < 0xa0 && (i == 0 || p[i - 1] < 0xc0)) {
			/* a continuation byte must follow a lead or another continuation */
			size_t k = i;

			while (k > 0 && (p[k - 1] & 0xc0) == 0x80)
				k--;
			if (k == 0 || p[k - 1] < 0xc0)
				return (long)i;
		}
	}
	return -1;
}

static void assert_clean(const char *what, const char *buf, size_t len)
{
	long at = control_at(buf, len);

	ck_assert_msg(at < 0, "%s: a control byte 0x%02x at offset %ld: ...%.60s", what,
		      at < 0 ? 0 : (unsigned char)buf[at], at, at < 0 ? "" : buf + (at > 20 ? at - 20 : 0));
}

static char *title(void)
{
	return sh_bytes(NULL, "tmux -L %s display-message -p '#{pane_title}'", tmux_sock);
}

/* ---- the terminal ---- */

START_TEST(resize_to_1x1_and_back)
{
	char *pane;

	start_vtui(80, 24, NULL, NULL, "simple");
	tmux_expect("? help");
	static const int sizes[][2] = { { 1, 1 }, { 2, 1 }, { 1, 5 }, { 200, 1 }, { 3, 3 }, { 1, 1 } };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct timespec nap = { 0, 150 * 1000 * 1000 };

		tmux_resize(sizes[i][0], sizes[i][1]);
		nanosleep(&nap, NULL);
	}
	tmux_resize(30, 6);
	tmux_expect("terminal too small");
	tmux_resize(80, 24);
	pane = tmux_wait_for("[main 100ms");
	ck_assert_ptr_null(strstr(pane, "EXIT="));
	ck_assert_ptr_null(strstr(pane, "too small"));
	free(pane);
	/* still answers keys at the new size */
	tmux_keys(": 'goto 20ms' Enter");
	tmux_expect("cursor 20ms");
	tmux_keys("q");
	tmux_expect("EXIT=0");
	tmux_stop();
}
END_TEST

/* TERM=dumb (no cursor addressing) and vt100 (no colours): the viewer opens, draws, takes
 * keys, quits with status 0 and never sets a colour. */
START_TEST(dumb_and_vt100)
{
	static const char *const terms[] = { "TERM=dumb", "TERM=vt100", "TERM=vt100 NO_COLOR=1" };

	for (size_t i = 0; i < sizeof(terms) / sizeof(terms[0]); i++) {
		char *pane;

		start_vtui(80, 24, terms[i], NULL, "simple");
		tmux_expect("? help");
		tmux_keys(": 'goto 20ms' Enter");
		tmux_expect("cursor 20ms");
		pane = tmux_capture(1);
		ck_assert_msg(!tmux_has_colour(pane), "%s: colours on the screen:\n%.600s", terms[i], pane);
		free(pane);
		tmux_keys("q");
		tmux_expect("EXIT=0");
		tmux_stop();
	}
}
END_TEST

/* A non-UTF-8 locale: every byte on the screen is ASCII, names that are not become '?'. */
START_TEST(ascii_locale)
{
	char *pane;
	size_t n;

	start_vtui(100, 30, "LC_ALL=C LANG=C", NULL, "evil");
	tmux_expect("? help");
	pane = sh_bytes(&n, "tmux -L %s capture-pane -p", tmux_sock);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg((unsigned char)pane[i] < 0x80, "a non-ASCII byte at %zu:\n%.600s", i, pane);
	ck_assert_ptr_nonnull(strstr(pane, "osc"));
	free(pane);
	tmux_keys("q");
	tmux_expect("EXIT=0");
	tmux_stop();
}
END_TEST

START_TEST(no_terminal)
{
	char *out;

	out = sh_bytes(NULL, "'%s' '%s/simple.vtb' </dev/null 2>&1; echo EXIT=$?", vtui, dir);
	ck_assert_ptr_nonnull(strstr(out, "needs a terminal"));
	ck_assert_ptr_nonnull(strstr(out, "EXIT=2"));
	free(out);
	out = sh_bytes(NULL, "echo q | '%s' '%s/simple.vtb' 2>&1 | cat; echo EXIT=$?", vtui, dir);
	ck_assert_ptr_nonnull(strstr(out, "needs a terminal"));
	ck_assert_ptr_nonnull(strstr(out, "--render"));
	free(out);
	/* stdin a pipe inside a terminal: the same clear error, nothing drawn */
	start_vtui(80, 24, NULL, "</dev/null", "simple");
	tmux_expect("EXIT=2");
	char *pane = tmux_capture(0);
	ck_assert_ptr_nonnull(strstr(pane, "needs a terminal"));
	ck_assert_ptr_null(strstr(pane, "[main"));
	free(pane);
	tmux_stop();
}
END_TEST

/* ---- text from the file never drives the terminal ---- */

START_TEST(evil_names_batch)
{
	static const char *const cmds[] = {
		"", "--cmd 'select cursor'", "--cmd 'goto 35ms' --cmd 'select cursor' --cmd 'select child'",
		"--cmd 'goto 35ms' --cmd 'select cursor' --cmd 'select child' --cmd 'details on'",
		"--cmd 'stats all'", "--cmd 'flame all'", "--cmd 'logs on'", "--cmd 'search PWNED'",
		"--cmd 'search .' --cmd 'next-match' --cmd 'next-match'", "--cmd 'mark next'",
		"--cmd 'help'",
	};
	char *out;
	size_t n;

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		for (int ascii = 0; ascii < 2; ascii++) {
			char what[256];

			out = sh_bytes(&n, "LC_ALL=C.UTF-8 '%s' --render 160x40 %s %s '%s/evil.vtb' 2>&1; echo EXIT=$?",
				       vtui, ascii ? "--ascii" : "", cmds[i], dir);
			snprintf(what, sizeof(what), "--render %s%s", ascii ? "--ascii " : "", cmds[i]);
			assert_clean(what, out, n);
			ck_assert_msg(strstr(out, "EXIT=0"), "%s failed:\n%.800s", what, out);
			free(out);
		}
	}
	out = sh_bytes(&n, "'%s' --render 160x40 '%s/evil.vtb'", vtui, dir);
	ck_assert_ptr_nonnull(strstr(out, "\xef\xbf\xbd")); /* U+FFFD where bytes were invalid */
	ck_assert_ptr_nonnull(strstr(out, "osc"));
	free(out);
	static const char *const batch[] = {
		"--info", "stats", "stats --format csv", "stats --format json", "stats --by-file",
	};
	for (size_t i = 0; i < sizeof(batch) / sizeof(batch[0]); i++) {
		out = sh_bytes(&n, "'%s' %s '%s/evil.vtb' 2>&1", vtui, batch[i], dir);
		assert_clean(batch[i], out, n);
		free(out);
	}
	out = sh_bytes(&n, "'%s' --info '%s/evil.vtb'", vtui, dir);
	ck_assert_ptr_nonnull(strstr(out, "thread?]2;PWNED?"));
	free(out);
	/* JSON out and back in: still clean */
	ck_assert_int_eq(sh("'%s' convert '%s/evil.vtb' -o '%s/evil.json' >/dev/null", vtui, dir, dir), 0);
	out = sh_bytes(&n, "'%s' --render 160x40 --cmd 'logs on' '%s/evil.json' 2>&1", vtui, dir);
	assert_clean("--render of the JSON export", out, n);
	free(out);
}
END_TEST

START_TEST(evil_names_terminal)
{
	/* Each step waits for what it shows (or hides), so the title and the pane are checked
	 * after the key was handled, not merely sent. `details on` finds details already open. */
	static const struct {
		const char *keys, *shows, *hides;
	} steps[] = {
		{ ": 'goto 35ms' Enter", "cursor 35ms", NULL },
		{ ": 'select cursor' Enter", "sel osc", NULL },
		{ ": 'select child' Enter", "sel rawcsi", NULL },
		{ ": 'details on' Enter", "details (i hides)", NULL },
		{ ": 'stats all' Enter", "statistics: whole trace", NULL },
		{ ": 'flame all' Enter", "flame graph: whole trace", NULL },
		{ ": 'flame off' Enter", NULL, "flame graph: whole trace" },
		{ ": 'logs on' Enter", "logs: 6 of 6 records", NULL },
		{ ": 'search name:PWNED' Enter", "match 1 of 1", NULL },
		{ ": 'mark next' Enter", "mark log record at 40.1ms", NULL },
		{ "?", "remove every filter", NULL },
		{ "q", NULL, "remove every filter" },
	};
	char *before, *t, *pane;

	start_vtui(140, 40, "TERM=xterm-256color", NULL, "simple");
	tmux_expect("? help");
	before = title();
	tmux_keys("q");
	tmux_expect("EXIT=0");
	tmux_stop();
	ck_assert_ptr_null(strstr(before, "PWNED"));

	start_vtui(140, 40, "TERM=xterm-256color", NULL, "evil");
	tmux_expect("? help");
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		tmux_keys(steps[i].keys);
		if (steps[i].shows)
			tmux_expect(steps[i].shows);
		if (steps[i].hides)
			tmux_expect_gone(steps[i].hides);
		t = title();
		ck_assert_msg(!strstr(t, "PWNED"), "after '%s' the pane title is '%s'", steps[i].keys, t);
		free(t);
		pane = tmux_capture(0);
		ck_assert_msg(!strstr(pane, "EXIT="), "vtui ended after '%s':\n%.1500s", steps[i].keys, pane);
		free(pane);
	}
	/* the screen shows the names as text, on the lines they belong to */
	pane = tmux_wait_for("osc");
	ck_assert_ptr_nonnull(strstr(pane, "PWNED"));
	free(pane);
	tmux_keys("q");
	tmux_keys("q");
	tmux_expect("EXIT=0");
	t = title();
	ck_assert_msg(!strstr(t, "PWNED"), "the pane title is '%s'", t);
	free(t);
	free(before);
	tmux_stop();
}
END_TEST

static Suite *hostile_suite(void)
{
	Suite *s = suite_create("tui_tmux_hostile");
	TCase *tc = tcase_create("terminal");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, resize_to_1x1_and_back);
	tcase_add_test(tc, dumb_and_vt100);
	tcase_add_test(tc, ascii_locale);
	tcase_add_test(tc, no_terminal);
	tcase_add_test(tc, evil_names_terminal);
	suite_add_tcase(s, tc);
	tc = tcase_create("batch");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, evil_names_batch);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tmux_run(hostile_suite(), fixtures_setup, fixtures_teardown);
}
