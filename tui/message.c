/* SPDX-License-Identifier: MIT */
/* message.c: what a command or a panel hands back: the status message every part of the
 * viewer reports through, and the command lines to run after a command (a leaf: it calls
 * nothing of tui/, so a command or a panel that reports does not depend on app.c, nor a
 * handler that hands back lines on the dispatcher, commands.c, which runs them). */
#include "tui/tui_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tui_app_msg(tui_app *app, int error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(app->message, sizeof(app->message), fmt, ap);
	va_end(ap);
	app->message_is_error = error;
}

const char *tui_app_message(const tui_app *app) { return app->message; }

int tui_cmd_usage(tui_app *app)
{
	const tui_command *c = app->cmd;

	if (c)
		tui_app_msg(app, 1, "usage: %s%s%s", c->name, *c->usage ? " " : "", c->usage);
	return -1;
}

int tui_cmd_then(tui_app *app, const char *line)
{
	tui_then *t = app->then;
	char **lines = t ? realloc(t->lines, (t->count + 1) * sizeof(*lines)) : NULL;

	if (!lines) {
		tui_app_msg(app, 1, t ? "out of memory" : "no command is running");
		return -1;
	}
	t->lines = lines;
	if (!(lines[t->count] = strdup(line))) {
		tui_app_msg(app, 1, "out of memory");
		return -1;
	}
	t->count++;
	return 0;
}

int tui_cmd_then_as(tui_app *app, const char *context)
{
	tui_then *t = app->then;

	if (!t || !(t->context = strdup(context))) {
		tui_app_msg(app, 1, t ? "out of memory" : "no command is running");
		return -1;
	}
	return 0;
}

char *tui_cmd_rest(const tui_app *app)
{
	const char *p = app->cmd_line ? app->cmd_line : "";
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	while (*p == ' ' || *p == '\t')
		p++;
	n = strlen(p);
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\n' || p[n - 1] == '\r'))
		n--;
	return strndup(p, n);
}

int tui_cmd_then_done(tui_app *app, int (*done)(tui_app *app, void *ctx, int rc), void *ctx)
{
	if (!app->then) {
		tui_app_msg(app, 1, "no command is running");
		return -1;
	}
	app->then->done = done;
	app->then->done_ctx = ctx;
	return 0;
}
