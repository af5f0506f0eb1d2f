/* SPDX-License-Identifier: MIT */
/* range_text.c: the time range's part of the status line (parsing and printing "A..B",
 * shared with `vtui stats --range`, is analysis/text.c's). Apart from range.c, whose
 * command resets the panels' scopes, so that the panels can show the range without calling
 * back into it. */
#include "tui/tui_private.h"

#include <stdio.h>
#include <string.h>

static uint64_t column_ns(const tui_view *v)
{
	return v->span_ns / (uint64_t)(v->cols > 0 ? v->cols : 1);
}

void tui_range_status(const tui_app *app, char *buf, size_t len)
{
	const tui_view *v = &app->view;
	char at[32];

	buf[0] = '\0';
	if (v->range_open) {
		tui_fmt_at(app, at, sizeof(at), v->range_t0_ns, app->ascii);
		snprintf(buf, len, "range %s..?", at);
	} else if (v->range_t1_ns > v->range_t0_ns) {
		snprintf(buf, len, "range ");
		an_fmt_range(app->model.first_ns, v->range_t0_ns, v->range_t1_ns, column_ns(v), app->ascii, buf + 6, len - 6);
	}
}
