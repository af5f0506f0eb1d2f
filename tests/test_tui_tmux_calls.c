/* SPDX-License-Identifier: MIT */
/* test_tui_tmux_calls.c: the call list (C, E) in a real terminal on the story of
 * calls_fixture.h (a threaded program that logs, then dies of a KeyError): the exact rows
 * before the incident, the panel and the timeline moving each other, folding, and another
 * thread's list when the timeline selects one of its calls. The harness is the one of
 * test_tui_tmux.c: a private tmux server per test, vtui from $VTUI_BUILD. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/calls_fixture.h"
#include "tests/tmux_harness.h"

static char vtui[512];
static char dir[] = "/tmp/vtui-tmux-calls-XXXXXX";

static void fixtures_setup(void)
{
	char path[600], *cause = NULL;

	tmux_find_vtui(vtui, sizeof(vtui));
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/story.vtb", dir);
	if (cfx_write_file(path, &cause) != 0)
		abort();
}

static void fixtures_teardown(void)
{
	tmux_remove_dir(dir);
}

static void start(void)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "env LC_ALL=C.UTF-8 timeout --foreground 120 '%s' story.vtb", vtui);
	tmux_start_in(dir, 120, 40, cmd);
	tmux_expect("? help");
}

/* The panel's rows (the lines after its title, up to the next rule), names and labels
 * only: the text after the duration column. */
static char *panel_rows(const char *pane)
{
	const char *p = strstr(pane, "── calls of ");
	char *out = calloc(1, 8192);
	size_t n = 0;

	ck_assert_ptr_nonnull(p);
	p = strchr(p, '\n') + 1;
	while (*p && strncmp(p, "──", strlen("──"))) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		/* columns: 12 of time, 9 of duration (µs is one column and two bytes), 2 blank */
		const char *q = p;
		for (int col = 0; col < 23 && q < p + len; col++)
			q += (*q & 0x80) ? ((*q & 0xe0) == 0xc0 ? 2 : 3) : 1;
		while (len && p[len - 1] == ' ')
			len--;
		if (q < p + len)
			n += (size_t)snprintf(out + n, 8192 - n, "%.*s\n", (int)(p + len - q), q);
		if (!end)
			break;
		p = end + 1;
	}
	return out;
}

/* Whether the pane (captured with attributes) shows the line holding `text` reversed. */
static int reversed_line(const char *pane, const char *text)
{
	const char *hit = strstr(pane, text), *line;

	ck_assert_msg(hit != NULL, "no '%s' in the pane", text);
	for (line = hit; line > pane && line[-1] != '\n'; line--)
		;
	for (const char *p = line; p < hit; p++)
		if (!strncmp(p, "\x1b[7m", 4) || (!strncmp(p, "\x1b[", 2) && strstr(p, ";7m") && strstr(p, ";7m") < hit))
			return 1;
	return 0;
}

/* Wait until the panel row holding `text` is the selected one. */
static void expect_selected(const char *text)
{
	struct timespec nap = { 0, 50 * 1000 * 1000 };

	char *pane = NULL;

	for (int i = 0; i < 200; i++) {
		free(pane);
		pane = tmux_capture(1);
		if (strstr(pane, text) && reversed_line(pane, text)) {
			free(pane);
			return;
		}
		nanosleep(&nap, NULL);
	}
	ck_abort_msg("the row '%s' never showed selected:\n%s", text, pane);
}

/* The panel's first rows whatever is folded below them. */
#define ROWS_BEFORE_PROCESS                     \
	"▾ app.main() [exception]\n"            \
	"  ▾ app.load(path='a.txt') = 3\n"      \
	"      io.open()\n"                      \
	"      io.read()\n"                      \
	"    [INFO app] loaded 3 items\n"

START_TEST(incident_rows)
{
	char *pane, *rows;

	start();
	tmux_keys("E");
	pane = tmux_wait_for("calls of MainThread tid 1000");
	rows = panel_rows(pane);
	ck_assert_str_eq(rows, ROWS_BEFORE_PROCESS
			       "  ▾ app.process() [exception]\n"
			       "      app.step(i=0) = 0\n"
			       "      app.step(i=1) = 2\n"
			       "      [WARNING app] slow step\n"
			       "    ▾ app.fetch(key='sku-13') [exception]\n"
			       "        app.lookup() [exception]\n");
	ck_assert_ptr_nonnull(strstr(pane, "sel app.lookup 370µs"));
	expect_selected("app.lookup() [exception]");
	free(pane);
	pane = tmux_capture(1);
	ck_assert(!reversed_line(pane, "app.fetch(key='sku-13')")); /* one row is selected */
	free(rows);
	free(pane);
	tmux_stop();
}
END_TEST

START_TEST(follows_both_ways)
{
	start();
	tmux_keys("E");
	expect_selected("app.lookup() [exception]");
	tmux_keys("Escape"); /* the keys go back to the timeline: k selects the parent */
	tmux_keys("k");
	tmux_expect("sel app.fetch 390µs");
	expect_selected("app.fetch(key='sku-13')");
	tmux_keys("o"); /* and back to the panel: up to the log record, then a call */
	tmux_keys("k");
	tmux_expect("mark log record at");
	expect_selected("[WARNING app] slow step");
	tmux_keys("k");
	tmux_expect("sel app.step 90µs");
	expect_selected("app.step(i=1) = 2");
	/* the timeline selects a call of another thread: the panel lists that thread */
	tmux_keys("Escape");
	tmux_keys("Tab");
	tmux_keys("c");
	tmux_expect("calls of worker-1 tid 1001");
	tmux_expect("[INFO app] worker done 1");
	tmux_stop();
}
END_TEST

START_TEST(fold_unfold)
{
	char *pane, *rows;

	start();
	tmux_keys("E");
	expect_selected("app.lookup() [exception]");
	tmux_keys("h"); /* lookup has no children: up to fetch; then fold fetch */
	expect_selected("app.fetch(key='sku-13')");
	tmux_keys("h");
	tmux_expect("▸ app.fetch(key='sku-13')");
	tmux_keys("h"); /* folded: up to process, and fold it */
	expect_selected("app.process() [exception]");
	tmux_keys("Enter");
	pane = tmux_wait_for("▸ app.process() [exception]");
	rows = panel_rows(pane);
	ck_assert_str_eq(rows, ROWS_BEFORE_PROCESS
			       "  ▸ app.process() [exception]\n"
			       "    * checkpoint n=2\n");
	free(rows);
	free(pane);
	tmux_keys("l"); /* unfold: its rows come back, fetch still folded */
	pane = tmux_wait_for("▾ app.process()");
	rows = panel_rows(pane);
	ck_assert_ptr_nonnull(strstr(rows, "      [WARNING app] slow step\n    ▸ app.fetch(key='sku-13') [exception]\n    * checkpoint"));
	ck_assert_ptr_null(strstr(rows, "app.lookup"));
	free(rows);
	free(pane);
	tmux_keys("C"); /* closes */
	tmux_expect_gone("calls of MainThread");
	tmux_stop();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tui_tmux_calls");
	TCase *tc = tcase_create("calls");

	tcase_add_test(tc, incident_rows);
	tcase_add_test(tc, follows_both_ways);
	tcase_add_test(tc, fold_unfold);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return tmux_run(s, fixtures_setup, fixtures_teardown);
}
