/* SPDX-License-Identifier: MIT */
/* history.c: Up and Down on the `:` line recall only lines that begin as the prompt opened
 * (`/` opens "search ": it recalls searches). Apart from complete.c, which reads the command
 * tables, so that the commands that open the prompt (cmd-app.c) need nothing above them. */
#include "tui/tui_private.h"

#include <stdio.h>
#include <string.h>

void tui_line_opened(tui_app *app)
{
	app->history_pos = app->history_count;
	snprintf(app->history_prefix, sizeof(app->history_prefix), "%s", app->cmdline);
}

void tui_line_recall(tui_app *app, int dir)
{
	size_t pos = app->history_pos, plen = strlen(app->history_prefix);

	do {
		if ((dir < 0 && pos == 0) || (dir > 0 && pos >= app->history_count))
			return;
		pos += dir;
	} while (pos < app->history_count && strncmp(app->history[pos], app->history_prefix, plen) != 0);
	app->history_pos = pos;
	snprintf(app->cmdline, sizeof(app->cmdline), "%s",
		 pos < app->history_count ? app->history[pos] : app->history_prefix);
	app->cmdline_len = strlen(app->cmdline);
}
