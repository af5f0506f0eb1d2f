/* SPDX-License-Identifier: MIT */
/* rings.c: vtui --rings: the ring files (black boxes) of a ring directory, with how each
 * process ended; in a terminal a list where Enter opens one in the viewer. Every text of
 * the files goes through the control-character cleaning: they are not trusted. */
#include "tui/tui_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/analysis.h"

#define RINGS_HEAD "PID      STATE             ALIVE  AGE     SIZE      COMMAND"

/* "crashed SIGSEGV", "SIGTERM (dumped)", "killed?", "recording", ... */
static const char *short_state(const vtb_ring_info *in, char *buf, size_t len)
{
	const char *sig = vtb_ring_signal_name(in->signal);
	if (!in->alive && in->signal && in->state != VTB_RING_CRASHED && in->state != VTB_RING_EXITED) {
		char num[24];
		if (!sig)
			snprintf(num, sizeof num, "signal %u", in->signal), sig = num;
		snprintf(buf, len, "%s%s", sig, in->state == VTB_RING_DUMPED ? " (dumped)" : "");
		return buf;
	}
	switch (in->state) {
	case VTB_RING_CRASHED:
		snprintf(buf, len, "crashed %s", sig ? sig : "?");
		return buf;
	case VTB_RING_EXITED:
		return "exited";
	case VTB_RING_DUMPED:
		return in->alive ? "recording, dumped" : "killed? (dumped)";
	case VTB_RING_STOPPED:
		return in->alive ? "stopped" : "killed?";
	default:
		return in->alive ? "recording" : "killed?";
	}
}

static void fmt_age(char *buf, size_t len, long long s)
{
	if (s < 0)
		s = 0;
	if (s < 120)
		snprintf(buf, len, "%llds", (long long)s);
	else if (s < 7200)
		snprintf(buf, len, "%lldm", (long long)(s / 60));
	else if (s < 172800)
		snprintf(buf, len, "%lldh", (long long)(s / 3600));
	else
		snprintf(buf, len, "%lldd", (long long)(s / 86400));
}

/* One row of the list into a memory stream (cleaned), NUL-terminated; the caller frees.
 * *live: the process runs and records (Enter follows it live). */
static char *ring_row(const char *path, int *live)
{
	vtb_ring *r = NULL;
	vtb_ring_info in;
	char *cause = NULL, *row = NULL, st[64], age[32];
	size_t len = 0;
	FILE *f = open_memstream(&row, &len);

	if (!f)
		return NULL;
	if (vtb_ring_open(path, &r, &cause) == 0 && vtb_ring_info_read(r, &in, &cause) == 0) {
		fmt_age(age, sizeof age, (long long)in.age_s);
		fprintf(f, "%-8u %-17s %-6s %-7s %5.1f MB  ", in.pid, short_state(&in, st, sizeof st),
			in.alive ? "alive" : "dead", age, (double)in.file_bytes / 1e6);
		an_stats_put_clean(f, in.cmdline);
		*live = !vtb_follow_gone(&in);
	} else {
		fputs("?        unreadable: ", f);
		an_stats_put_clean(f, cause ? cause : path);
	}
	vtb_ring_close(r);
	free(cause);
	fclose(f);
	return row;
}

static void usage(FILE *out)
{
	fputs("usage: vtui --rings [DIR]\n"
	      "List the ring files (black boxes) of traced processes in DIR (default:\n"
	      "$XDG_RUNTIME_DIR/vtrace, else /dev/shm/vtrace-UID): pid, how the process ended,\n"
	      "alive or dead, age, size, command. In a terminal, Enter follows a running process\n"
	      "live (vtui --live) and opens what a gone one left in the viewer; otherwise the\n"
	      "list is printed with each file's path.\n", out);
}

/* Runs this program again with `a` `b`: the viewer (or the list) starts as from the shell. */
static int exec_self(const char *self, const char *a, const char *b)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		self = exe;
	}
	execl(self, "vtui", a, b, (char *)NULL);
	fprintf(stderr, "vtui: cannot start %s: %s\n", self, strerror(errno));
	return 1;
}

/* A running process is followed live; what a gone one left opens as it is. */
static int open_in_viewer(const char *self, const char *path, int live)
{
	return live ? exec_self(self, "--live", path) : exec_self(self, "--", path);
}

int vtui_rings_reopen(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	if (an_ends_with(path, VTB_RING_SUFFIX))
		snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
	else if (vtb_ring_default_dir(dir, sizeof dir) < 0)
		return 1;
	return exec_self("vtui", "--rings", dir[0] ? dir : "/");
}

static int pick(const char *self, const char *dir, char **paths, char **rows, const int *live, int n)
{
	char title[4200], *cause = NULL;
	snprintf(title, sizeof title, "ring files in %s", dir);
	int k = tui_term_pick(title, RINGS_HEAD, (const char *const *)rows, n, &cause);
	if (k < 0) {
		fprintf(stderr, "vtui: %s\n", cause ? cause : "cannot use the terminal");
		free(cause);
		return 1;
	}
	return k < n ? open_in_viewer(self, paths[k], live[k]) : 0;
}

int vtui_rings_main(int argc, char **argv)
{
	char dir[4096], **paths = NULL, *cause = NULL;
	int n, rc = 0;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		usage(stderr);
		return 2;
	}
	if (argc == 2)
		snprintf(dir, sizeof dir, "%s", argv[1]);
	else if (vtb_ring_default_dir(dir, sizeof dir) < 0) {
		fprintf(stderr, "vtui: no ring directory (XDG_RUNTIME_DIR is too long)\n");
		return 1;
	}
	if (access(dir, F_OK) != 0 && errno == ENOENT) {
		/* No traced process ever ran here: nothing to list, nothing wrong. */
		printf("no ring files in %s (no such directory)\n", dir);
		return 0;
	}
	if ((n = vtb_ring_list(dir, &paths, &cause)) < 0) {
		fprintf(stderr, "vtui: %s\n", cause);
		free(cause);
		return 1;
	}
	char **rows = calloc((size_t)n + 1, sizeof *rows);
	int *live = calloc((size_t)n + 1, sizeof *live);
	for (int i = 0; rows && live && i < n; i++)
		if (!(rows[i] = ring_row(paths[i], &live[i])) && !(rows[i] = strdup("?")))
			break;
	if (!rows || !live || (n && !rows[n - 1])) {
		rc = 1;
	} else if (n && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		rc = pick(argv[0], dir, paths, rows, live, n);
	} else {
		printf("%s\n", n ? RINGS_HEAD "  [FILE]" : "");
		for (int i = 0; i < n; i++) {
			printf("%s  ", rows[i] ? rows[i] : "?");
			an_stats_put_clean(stdout, paths[i]);
			putchar('\n');
		}
		if (!n)
			printf("no ring files in %s\n", dir);
	}
	for (int i = 0; rows && i < n; i++)
		free(rows[i]);
	free(rows);
	free(live);
	vtb_ring_list_free(paths, n);
	return rc;
}
