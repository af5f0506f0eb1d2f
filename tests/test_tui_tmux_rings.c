/* SPDX-License-Identifier: MIT */
/* test_tui_tmux_rings.c: vtui --rings in a terminal (tmux): the ring files of a directory
 * are listed with how each process ended, a hostile one as unreadable, and Enter opens the
 * selected one in the viewer. The binary is $VTUI_BUILD/vtui (default "build"). */
#include <check.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "tests/ring_fixture.h"
#include "tests/tmux_harness.h"

static char vtui[512];
static char dir[] = "/tmp/vtui-rings-XXXXXX";

static void put(const char *name, const uint8_t *b, size_t len, time_t mtime)
{
	char path[600];
	struct timeval tv[2] = { { mtime, 0 }, { mtime, 0 } };
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(b, 1, len, f) != len || fclose(f) || utimes(path, tv))
		abort();
	chmod(path, 0600);
}

static void fixtures_setup(void)
{
	rf_ring r;
	tmux_find_vtui(vtui, sizeof(vtui));
	if (!mkdtemp(dir))
		abort();
	rf_sample(&r);
	r.h->pid = 4194303; /* gone */
	put("vtrace-4194303.ring", r.buf, r.len, time(NULL));
	free(r.buf);
	put("vtrace-77.ring", (const uint8_t *)"VTBRING\0garbage", 16, time(NULL) - 3600);
}

static void fixtures_teardown(void)
{
	tmux_remove_dir(dir);
}

START_TEST(rings_list_and_open)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "timeout --foreground 120 '%s' --rings '%s'", vtui, dir);
	tmux_start(140, 20, cmd);
	tmux_expect("ring files in");
	tmux_expect("crashed SIGSEGV");
	tmux_expect("unreadable:");
	tmux_expect("python3 prog.py");
	tmux_keys("Enter");
	/* The viewer on that ring: its header says how the process ended. */
	tmux_expect("crashed: SIGSEGV in thread worker-2");
	tmux_expect("? help");
	/* R goes back to the list, where q quits. */
	tmux_keys("R");
	tmux_expect("ring files in");
	tmux_keys("q");
	tmux_expect("EXIT=0");
	tmux_stop();
}
END_TEST

START_TEST(rings_quit_without_opening)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "timeout --foreground 120 '%s' --rings '%s'", vtui, dir);
	tmux_start(140, 20, cmd);
	tmux_expect("ring files in");
	tmux_keys("j");
	tmux_keys("q");
	tmux_expect("EXIT=0");
	tmux_stop();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tui_tmux_rings");
	TCase *tc = tcase_create("rings");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, rings_list_and_open);
	tcase_add_test(tc, rings_quit_without_opening);
	suite_add_tcase(s, tc);
	return tmux_run(s, fixtures_setup, fixtures_teardown);
}
