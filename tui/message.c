/* SPDX-License-Identifier: MIT */
/* message.c: the status message every part of the viewer reports through (a leaf: it
 * calls nothing of tui/, so a command or a panel that reports does not depend on app.c). */
#include "tui/tui_private.h"

#include <stdarg.h>
#include <stdio.h>

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
