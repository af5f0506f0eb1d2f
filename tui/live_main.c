/* SPDX-License-Identifier: MIT */
/* live_main.c: `vtui --live [PID | RING-FILE]`: its options, then the viewer on the process's ring
 * (live.c follows it). A driver like main.c: it makes the app and runs the terminal. */
#include "tui/tui_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void live_usage(FILE *out)
{
	fputs("usage: vtui --live [PID | RING-FILE] [--window DURATION] [--no-mouse]\n"
	      "Follow a process that vtrace records, through its ring file in the ring directory\n"
	      "(as vtui --rings): the view refreshes 4 times a second with now at the right edge.\n"
	      "Without PID, the one recording process of the user. --window 5s shows the last 5s\n"
	      "(default: the whole ring). A RING-FILE path (with a /) is followed as it is.\n"
	      "P freezes and follows again, W or :dump [PATH] writes the snapshot as a VTB file\n"
	      "(the process is not asked), :ask-dump asks the process to dump through its\n"
	      "--dump-signal. See vtui(1), LIVE VIEW.\n", out);
}

/* Parses argv; -1: exit 0 (help), 2: a usage error, 0: go on. */
static int live_parse(int argc, char **argv, uint32_t *pid, const char **path, uint64_t *window_ns, int *mouse)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		char *end;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			live_usage(stdout);
			return -1;
		} else if (!strcmp(a, "--no-mouse")) {
			*mouse = 0;
		} else if (!strcmp(a, "--window") && i + 1 < argc) {
			int64_t ns;
			int rel;
			if (an_parse_time(argv[++i], &ns, &rel) < 0 || ns <= 0 || rel) {
				an_fprintf_clean(stderr, "vtui: --window wants a duration like 5s or 500ms, not '%s'\n", argv[i]);
				return 2;
			}
			*window_ns = (uint64_t)ns;
		} else if (strchr(a, '/') && !*pid && !*path) { /* a ring file (vtui --rings opens one so) */
			*path = a;
		} else if (a[0] != '-' && !*pid && !*path) {
			unsigned long v = strtoul(a, &end, 10);
			if (*end || !v || v > UINT32_MAX) {
				an_fprintf_clean(stderr, "vtui: --live wants a process id, not '%s'\n", a);
				return 2;
			}
			*pid = (uint32_t)v;
		} else {
			live_usage(stderr);
			return 2;
		}
	}
	return 0;
}

int vtui_live_main(int argc, char **argv)
{
	uint32_t pid = 0;
	const char *path = NULL;
	uint64_t window_ns = 0;
	int mouse = 1, rc;
	char *cause = NULL;
	vtb_trace *t = NULL;
	tui_app *app;
	tui_live *lv;

	if ((rc = live_parse(argc, argv, &pid, &path, &window_ns, &mouse)) != 0)
		return rc < 0 ? 0 : rc;
	if (!(lv = tui_live_open(pid, path, window_ns, &t, &cause)) || !(app = tui_app_new(t, vtb_follow_path(tui_live_follow(lv)), &cause))) {
		tui_live_free(lv);
		an_fprintf_clean(stderr, "vtui: %s\n", cause ? cause : "cannot follow the process");
		free(cause);
		return 1;
	}
	tui_app_set_live(app, lv);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		tui_app_free(app);
		fputs("vtui: --live needs a terminal on stdin and stdout\n", stderr);
		return 2;
	}
	rc = tui_term_run(app, mouse, &cause);
	tui_app_free(app);
	if (rc < 0) {
		an_fprintf_clean(stderr, "vtui: %s\n", cause ? cause : "failed");
		free(cause);
		return 1;
	}
	return 0;
}
