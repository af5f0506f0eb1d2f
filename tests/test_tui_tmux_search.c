/* SPDX-License-Identifier: MIT */
/* test_tui_tmux_search.c: a search too large for one key in the real terminal (the
 * approach of test_tui_tmux.c: a private tmux server, vtui under `timeout`, the pane read
 * with capture-pane). 300,000 argument lists take longer to match than the slice a key
 * may spend, so the count must go on between keys for the match to be selected and
 * counted at all. The binary is $VTUI_BUILD/vtui. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/tmux_harness.h"
#include "tests/tui_fixtures.h"

#define CALLS 300000

static char vtui[512];
static char dir[] = "/tmp/vtui-tmuxs-XXXXXX";

/* CALLS calls of `shop.handle(k=I)`, each over a call of `shop.work`. */
static int write_big(const char *path)
{
	vtb_header h;
	vtb_writer *w;
	vtb_trace *t;
	char *cause = NULL, args[32];
	int64_t handle, work;
	int rc = -1;

	fx_header("big", &h);
	h.reason = VTB_REASON_API;
	h.dump_ns = FX_T0 + 4ull * CALLS * 1000;
	w = vtb_writer_open_mem(&h);
	if (!w || vtb_writer_thread(w, 100, 1000, "MainThread") < 0)
		goto out;
	handle = vtb_writer_string(w, "shop.handle", "shop.py", 1);
	work = vtb_writer_string(w, "shop.work", "shop.py", 9);
	for (uint64_t i = 0, now = FX_T0; i < CALLS; i++, now += 4000) {
		snprintf(args, sizeof(args), "k=%llu", (unsigned long long)i);
		if (vtb_writer_begin(w, 0, now, (uint32_t)handle, 0) < 0 || vtb_writer_args(w, 0, args) < 0 ||
		    vtb_writer_begin(w, 0, now + 1000, (uint32_t)work, 0) < 0 ||
		    vtb_writer_end(w, 0, now + 2000, 0) < 0 || vtb_writer_end(w, 0, now + 3000, 0) < 0)
			goto out;
	}
	if ((t = fx_load_mem(w, 0, &cause))) {
		rc = vtb_trace_save(t, path, &cause);
		vtb_trace_free(t);
	}
out:
	if (rc < 0)
		fprintf(stderr, "big trace: %s\n", cause ? cause : "writer failed");
	free(cause);
	vtb_writer_free(w);
	return rc;
}

static void setup(void)
{
	char path[600];

	tmux_find_vtui(vtui, sizeof(vtui));
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/big.vtb", dir);
	if (write_big(path) < 0)
		abort();
}

static void teardown(void)
{
	tmux_remove_dir(dir);
}

static void start(void)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "timeout --foreground 120 '%s' '%s/big.vtb'", vtui, dir);
	tmux_start_in(dir, 120, 24, cmd);
	tmux_expect("? help");
}

/* One match among 300,000 texts: counted, selected, and n walks it. */
START_TEST(one_match_in_many_texts)
{
	start();
	tmux_keys("/");
	tmux_type("arg:k=123456$");
	tmux_keys("Enter");
	/* from the cursor in the middle, round to the match (at 41%) */
	tmux_expect("match 1 of 1 (from the start): 1 call (0 names, 1 arg)");
	tmux_expect("/arg:k=123456$ 1 call ");
	tmux_expect_gone("(counting)");
	tmux_expect("args k=123456");
	tmux_keys("n");
	tmux_expect("match 1 of 1 (from the start)");
	tmux_stop();
}
END_TEST

/* Ten thousand matches: the count is complete and the walk goes round. */
START_TEST(many_matches_counted)
{
	start();
	tmux_keys("/");
	tmux_type("arg:k=1\\d{4}$");
	tmux_keys("Enter");
	tmux_expect("match 1 of 10,000 (from the start): 10,000 calls (0 names, 10000 args)");
	tmux_keys("N");
	tmux_expect("match 10000 of 10,000 (from the end)");
	tmux_expect("args k=19999");
	tmux_expect_gone("(counting)");
	tmux_stop();
}
END_TEST

static Suite *tmux_search_suite(void)
{
	Suite *s = suite_create("tui_tmux_search");
	TCase *tc = tcase_create("large");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, one_match_in_many_texts);
	tcase_add_test(tc, many_matches_counted);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tmux_run(tmux_search_suite(), setup, teardown);
}
