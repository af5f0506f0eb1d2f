/* SPDX-License-Identifier: MIT */
/* askdump.c: vtui --ask-dump PID and the viewer's :ask-dump: ask a traced process to write
 * a dump, by sending it the signal it was started with (--dump-signal), which its ring
 * header names. The one place vtui sends a process anything: the live view itself only
 * reads the ring. A process with no dump signal is not sent anything (SIGUSR1 could kill
 * a program that has no handler for it). */
#include "tui/tui_private.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ASK_WAIT_S 5.0

static const char *sig_name(uint32_t sig, char *buf, size_t len)
{
	static const struct {
		int sig;
		const char *name;
	} names[] = { { SIGUSR1, "SIGUSR1" }, { SIGUSR2, "SIGUSR2" }, { SIGHUP, "SIGHUP" }, { SIGINT, "SIGINT" },
		      { SIGQUIT, "SIGQUIT" }, { SIGTERM, "SIGTERM" }, { SIGALRM, "SIGALRM" }, { SIGWINCH, "SIGWINCH" } };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if ((uint32_t)names[i].sig == sig)
			return names[i].name;
	snprintf(buf, len, "signal %u", sig);
	return buf;
}

/* Why the process of `in` cannot be asked, or NULL. */
static char *cannot_ask(const vtb_ring_info *in)
{
	if (vtb_follow_gone(in))
		return tui_strdupf("pid %u is not running (%s): there is no one to ask; its ring file "
				   "opens as it is (vtui --rings)", in->pid, in->state_text);
	if (!in->dump_signal)
		return tui_strdupf("pid %u has no dump signal: start it with vtrace --dump-signal SIGUSR1 "
				   "(or Tracer(dump_signal=...)) to be able to ask it; :dump writes what the "
				   "ring holds without asking", in->pid);
	return NULL;
}

int tui_ask_dump(tui_ask *ask, uint32_t pid, const char *path, char **msg)
{
	vtb_ring_info in;
	char *cause = NULL, name[32];

	memset(ask, 0, sizeof *ask);
	*msg = NULL;
	if (vtb_ring_open(path, &ask->ring, &cause) < 0 || vtb_ring_info_read(ask->ring, &in, &cause) < 0) {
		*msg = cause;
		return -1;
	}
	if (in.pid != pid) {
		*msg = tui_strdupf("%s is the ring of pid %u, not %u", path, in.pid, pid);
		return -1;
	}
	if ((*msg = cannot_ask(&in)))
		return -1;
	ask->pid = pid;
	ask->was_dumped = in.state == VTB_RING_DUMPED;
	snprintf(ask->old_path, sizeof ask->old_path, "%s", in.dump_path);
	if (kill((pid_t)pid, (int)in.dump_signal) < 0) {
		*msg = tui_strdupf("asking pid %u to dump: %s", pid, strerror(errno));
		return -1;
	}
	*msg = tui_strdupf("asked pid %u to dump (%s, its --dump-signal)", pid, sig_name(in.dump_signal, name, sizeof name));
	return 0;
}

int tui_ask_done(tui_ask *ask, char *path, size_t len)
{
	vtb_ring_info in;
	char *cause = NULL;
	int rc = vtb_ring_info_read(ask->ring, &in, &cause);
	free(cause);
	if (rc < 0 || in.state != VTB_RING_DUMPED)
		return 0;
	if (ask->was_dumped && !strcmp(in.dump_path, ask->old_path))
		return 0;
	snprintf(path, len, "%s", in.dump_path);
	return 1;
}

void tui_ask_free(tui_ask *ask)
{
	vtb_ring_close(ask->ring);
	ask->ring = NULL;
}

/* `ask-dump`: in the live view, ask the followed process for a dump of its own. */
int tui_cmd_ask_dump(tui_app *app, int argc, char **argv)
{
	tui_ask ask;
	char *msg = NULL;
	(void)argc;
	(void)argv;
	if (!app->live) {
		tui_app_msg(app, 1, "ask-dump: not following a process (vtui --live PID, or vtui --ask-dump PID)");
		return -1;
	}
	const vtb_follow *f = tui_live_follow(app->live);
	int rc = tui_ask_dump(&ask, vtb_follow_pid(f), vtb_follow_path(f), &msg);
	tui_ask_free(&ask);
	tui_app_msg(app, rc < 0, "%s%s", msg ? msg : "ask-dump: out of memory",
		    rc < 0 ? "" : ": the header names the file when it is written");
	free(msg);
	return rc;
}

static void usage(FILE *out)
{
	fputs("usage: vtui --ask-dump PID [--no-wait]\n"
	      "Ask a process that vtrace records to write a dump, by sending it the signal it was\n"
	      "started with (vtrace --dump-signal SIG, which its ring file names). Waits up to 5 s\n"
	      "for the dump and prints its path. A process without a dump signal is not sent\n"
	      "anything. Exit status: 0 dumped (or sent, with --no-wait), 1 not. See vtui(1).\n", out);
}

int vtui_ask_dump_main(int argc, char **argv)
{
	unsigned long pid = 0;
	int wait = 1;
	char *end, *msg = NULL, *path, *cause = NULL, dumped[1024];
	tui_ask ask;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--no-wait")) {
			wait = 0;
		} else if (argv[i][0] != '-' && !pid && (pid = strtoul(argv[i], &end, 10)) && !*end && pid <= UINT32_MAX) {
			continue;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!pid) {
		usage(stderr);
		return 2;
	}
	if (!(path = vtb_follow_ring_of((uint32_t)pid, &cause))) {
		an_fprintf_clean(stderr, "vtui: %s\n", cause ? cause : "out of memory");
		free(cause);
		return 1;
	}
	int rc = tui_ask_dump(&ask, (uint32_t)pid, path, &msg);
	free(path);
	an_fprintf_clean(rc < 0 ? stderr : stdout, "%s%s\n", rc < 0 ? "vtui: " : "", msg ? msg : "out of memory");
	free(msg);
	struct timespec t0, nap = { 0, 20000000 };
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (rc == 0 && wait && !tui_ask_done(&ask, dumped, sizeof dumped) && tui_seconds_since(&t0) < ASK_WAIT_S)
		nanosleep(&nap, NULL);
	if (rc == 0 && wait) {
		if (tui_ask_done(&ask, dumped, sizeof dumped)) {
			an_fprintf_clean(stdout, "pid %lu dumped to %s\n", pid, dumped);
		} else {
			fprintf(stderr, "vtui: no dump of pid %lu within %.0f s (a process dumps at most once a second, "
				"and only when Python runs its handler)\n", pid, ASK_WAIT_S);
			rc = -1;
		}
	}
	tui_ask_free(&ask);
	return rc < 0 ? 1 : 0;
}
