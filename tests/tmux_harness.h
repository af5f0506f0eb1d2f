/* tmux_harness.h: the real vtui binary in a private tmux server, for terminal suites (the
 * approach of test_tui_tmux.c: one server per test, vtui under `timeout` in a shell that
 * prints its exit status afterwards, the pane read with capture-pane). The including file
 * defines `vtui` (the binary's path) and includes check.h first. Static functions: one
 * copy per suite. */
#ifndef VTUI_TESTS_TMUX_HARNESS_H
#define VTUI_TESTS_TMUX_HARNESS_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

static char tmux_sock[64];

/* Runs a shell command built from fmt; returns its exit status (-1: killed). */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* Output of a shell command (at most 1 MiB, NUL-terminated; *len_out its length, NUL bytes
 * included, when not NULL); the caller frees. */
static char *sh_bytes(size_t *len_out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *sh_bytes(size_t *len_out, const char *fmt, ...)
{
	char cmd[8192], *buf = calloc(1, 1 << 20);
	size_t n = 0, r;
	va_list ap;
	FILE *p;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while (n < (1 << 20) - 1 && (r = fread(buf + n, 1, (1 << 20) - 1 - n, p)) > 0)
		n += r;
	pclose(p);
	if (len_out)
		*len_out = n;
	return buf;
}

/* Starts `command` (a shell command line, vtui's) in a WxH pane of a fresh server. */
static void tmux_start(int width, int height, const char *command)
{
	static int servers;

	snprintf(tmux_sock, sizeof(tmux_sock), "vtui-hostile-%d-%d", (int)getpid(), servers++);
	ck_assert_int_eq(sh("tmux -L %s -f /dev/null new-session -d -x %d -y %d "
			    "\"%s; echo EXIT=\\$?; sleep 30\"", tmux_sock, width, height, command), 0);
	sh("tmux -L %s set-option -g status off >/dev/null 2>&1", tmux_sock);
}

static void tmux_stop(void)
{
	/* kill-server leaves the socket file behind: remove it too */
	sh("p=$(tmux -L %s display-message -p '#{socket_path}' 2>/dev/null); "
	   "tmux -L %s kill-server >/dev/null 2>&1; [ -n \"$p\" ] && rm -f \"$p\"", tmux_sock, tmux_sock);
}

static void tmux_keys(const char *k)
{
	ck_assert_int_eq(sh("tmux -L %s send-keys %s", tmux_sock, k), 0);
}

static void tmux_resize(int width, int height)
{
	sh("tmux -L %s resize-window -x %d -y %d", tmux_sock, width, height);
}

/* The pane as text (escapes: with its attributes as escape sequences). */
static char *tmux_capture(int escapes)
{
	return sh_bytes(NULL, "tmux -L %s capture-pane -p%s", tmux_sock, escapes ? " -e" : "");
}

/* Waits (up to 10 s) until the pane shows `text`; returns the pane. */
static char *tmux_wait_for(const char *text)
{
	struct timespec nap = { 0, 50 * 1000 * 1000 };
	char *pane = NULL;

	for (int i = 0; i < 200; i++) {
		free(pane);
		pane = tmux_capture(0);
		if (strstr(pane, text))
			return pane;
		nanosleep(&nap, NULL);
	}
	ck_abort_msg("pane never showed '%s'; it shows:\n%.1800s", text, pane);
	return pane;
}

static void tmux_expect(const char *text)
{
	free(tmux_wait_for(text));
}

#endif
