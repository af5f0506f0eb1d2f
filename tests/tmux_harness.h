/* SPDX-License-Identifier: MIT */
/* tmux_harness.h: the real vtui binary in a private tmux server, for terminal suites: one
 * server per test, vtui under `timeout` in a shell that prints its exit status afterwards,
 * keys sent with send-keys, the pane read with capture-pane. Should a test fail before
 * tmux_stop(), vtui ends by `timeout` and the server with its shell soon after. The
 * including file includes check.h first. Static functions: one copy per suite. */
#ifndef VTUI_TESTS_TMUX_HARNESS_H
#define VTUI_TESTS_TMUX_HARNESS_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char tmux_sock[64];

/* Runs a shell command built from fmt; returns its exit status (-1: killed). */
static inline int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int sh(const char *fmt, ...)
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

static inline char *vsh_bytes(size_t *len_out, const char *fmt, va_list ap)
{
	char cmd[8192], *buf = calloc(1, 1 << 20);
	size_t n = 0, r;
	FILE *p;

	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while (n < (1 << 20) - 1 && (r = fread(buf + n, 1, (1 << 20) - 1 - n, p)) > 0)
		n += r;
	pclose(p);
	if (len_out)
		*len_out = n;
	return buf;
}

/* Output of a shell command (at most 1 MiB, NUL-terminated; *len_out its length, NUL bytes
 * included, when not NULL); the caller frees. */
static inline char *sh_bytes(size_t *len_out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline char *sh_bytes(size_t *len_out, const char *fmt, ...)
{
	va_list ap;
	char *buf;

	va_start(ap, fmt);
	buf = vsh_bytes(len_out, fmt, ap);
	va_end(ap);
	return buf;
}

/* Output of a shell command as text (see sh_bytes); the caller frees. */
static inline char *sh_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline char *sh_out(const char *fmt, ...)
{
	va_list ap;
	char *buf;

	va_start(ap, fmt);
	buf = vsh_bytes(NULL, fmt, ap);
	va_end(ap);
	return buf;
}

/* The binary under test into out: $VTUI_BUILD/vtui (default build/vtui), made absolute
 * when it exists, since panes may start in another directory. */
static inline void tmux_find_vtui(char *out, size_t size)
{
	const char *build = getenv("VTUI_BUILD");
	char *abs;

	snprintf(out, size, "%s/vtui", build && *build ? build : "build");
	abs = realpath(out, NULL);
	if (abs) {
		snprintf(out, size, "%s", abs);
		free(abs);
	}
}

/* Removes a suite's fixture directory (made with mkdtemp). */
static inline void tmux_remove_dir(const char *dir)
{
	if (sh("rm -rf '%s'", dir) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

/* Starts `command` (a shell command line, vtui's) in a WxH pane of a fresh server, in
 * directory cwd (NULL: this one). */
static inline void tmux_start_in(const char *cwd, int width, int height, const char *command)
{
	static int servers;

	/* a fresh socket per server: a dying server must not meet the next one */
	snprintf(tmux_sock, sizeof(tmux_sock), "vtui-test-%d-%d", (int)getpid(), servers++);
	ck_assert_int_eq(sh("cd '%s' && tmux -L %s -f /dev/null new-session -d -x %d -y %d "
			    "\"%s; echo EXIT=\\$?; sleep 30\"", cwd ? cwd : ".", tmux_sock, width, height,
			    command), 0);
	sh("tmux -L %s set-option -g status off >/dev/null 2>&1", tmux_sock);
}

static inline void tmux_start(int width, int height, const char *command)
{
	tmux_start_in(NULL, width, height, command);
}

static inline void tmux_stop(void)
{
	/* kill-server leaves the socket file behind: remove it too */
	sh("p=$(tmux -L %s display-message -p '#{socket_path}' 2>/dev/null); "
	   "tmux -L %s kill-server >/dev/null 2>&1; [ -n \"$p\" ] && rm -f \"$p\"", tmux_sock, tmux_sock);
}

static inline void tmux_keys(const char *k)
{
	ck_assert_int_eq(sh("tmux -L %s send-keys %s", tmux_sock, k), 0);
}

/* Types text literally (regexes have characters tmux would read as key names). */
static inline void tmux_type(const char *text)
{
	ck_assert_int_eq(sh("tmux -L %s send-keys -l '%s'", tmux_sock, text), 0);
}

static inline void tmux_resize(int width, int height)
{
	sh("tmux -L %s resize-window -x %d -y %d", tmux_sock, width, height);
}

/* The pane as text (escapes: with its attributes as escape sequences). */
static inline char *tmux_capture(int escapes)
{
	return sh_bytes(NULL, "tmux -L %s capture-pane -p%s", tmux_sock, escapes ? " -e" : "");
}

/* Waits (up to 10 s) until the pane shows `text`; returns the pane. */
static inline char *tmux_wait_for(const char *text)
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
	/* the bottom of the pane: panels and the status line */
	ck_abort_msg("pane never showed '%s'; it ends with:\n%s", text,
		     pane + (strlen(pane) > 3000 ? strlen(pane) - 3000 : 0));
	return pane;
}

static inline void tmux_expect(const char *text)
{
	free(tmux_wait_for(text));
}

/* Waits (up to 10 s) until the pane no longer shows `text`. */
static inline void tmux_expect_gone(const char *text)
{
	struct timespec nap = { 0, 50 * 1000 * 1000 };
	char *pane = NULL;

	for (int i = 0; i < 200; i++) {
		free(pane);
		pane = tmux_capture(0);
		if (!strstr(pane, text)) {
			free(pane);
			return;
		}
		nanosleep(&nap, NULL);
	}
	ck_abort_msg("pane still shows '%s':\n%.3000s", text, pane);
}

/* Does a pane captured with escapes set a colour (SGR 30-37, 40-47, 38;5, 48;5; 39 and 49 are the
 * defaults)? */
static inline int tmux_has_colour(const char *text)
{
	for (const char *p = strstr(text, "\x1b["); p; p = strstr(p + 1, "\x1b[")) {
		const char *q = p + 2;

		while (*q && *q != 'm') {
			int code = atoi(q);

			if ((code >= 30 && code <= 38) || (code >= 40 && code <= 48))
				return 1;
			while (*q >= '0' && *q <= '9')
				q++;
			if (*q != ';')
				break;
			q++;
		}
	}
	return 0;
}

/* Runs suite s (the runner takes it) between before() and after(), which make and remove
 * the suite's fixture files; the process's exit status. */
static inline int tmux_run(Suite *s, void (*before)(void), void (*after)(void))
{
	SRunner *sr = srunner_create(s);
	int failed;

	before();
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	after();
	return failed ? 1 : 0;
}

#endif
