/* SPDX-License-Identifier: MIT */
/* range_text.c: time ranges as text: parsing "A..B" (the `range` command's and `vtui stats
 * --range`'s) and the status line's part. Apart from range.c, whose command resets the
 * panels' scopes, so that the panels can show the range without calling back into it. */
#include "tui/tui_private.h"

#include <stdio.h>
#include <string.h>

/* One end of a range: empty (the trace's start or end), N% or a time from the start. */
static int parse_end(uint64_t first_ns, uint64_t last_ns, const char *text, size_t len, int is_end,
		     uint64_t *t, char *err, size_t err_len)
{
	char word[64];
	int64_t ns;
	int rel;

	if (len == 0) {
		*t = is_end ? last_ns : first_ns;
		return 0;
	}
	snprintf(word, sizeof(word), "%.*s", (int)(len < sizeof(word) - 1 ? len : sizeof(word) - 1), text);
	if (strchr(word, '%') ? tui_parse_percent(first_ns, last_ns, word, t) == 0 :
	    tui_parse_time(word, &ns, &rel) == 0 && !rel && ns >= 0 && (uint64_t)ns <= last_ns - first_ns &&
	    (*t = first_ns + (uint64_t)ns, 1))
		return 0;
	if (!strchr(word, '%') && tui_parse_time(word, &ns, &rel) == 0 && !rel && ns >= 0) {
		char span[32];

		tui_fmt_dur(span, sizeof(span), last_ns - first_ns, 1);
		snprintf(err, err_len, "'%s' is past the end of the trace (%s)", word, span);
	} else {
		snprintf(err, err_len, "'%s' is not a time from the start like 1.5ms or a percentage like 10%%", word);
	}
	return -1;
}

int tui_parse_range(uint64_t first_ns, uint64_t last_ns, const char *text, uint64_t *t0, uint64_t *t1,
		    char *err, size_t len)
{
	const char *dots = strstr(text, "..");

	if (!dots) {
		snprintf(err, len, "'%s' is not a range like 1.5ms..20ms, 10%%..90%%, ..2s or 1s..", text);
		return -1;
	}
	if (parse_end(first_ns, last_ns, text, (size_t)(dots - text), 0, t0, err, len) < 0 ||
	    parse_end(first_ns, last_ns, dots + 2, strlen(dots + 2), 1, t1, err, len) < 0)
		return -1;
	if (*t1 <= *t0) {
		snprintf(err, len, "'%s' is empty: its end is not after its start", text);
		return -1;
	}
	return 0;
}

void tui_fmt_range(uint64_t first_ns, uint64_t t0, uint64_t t1, uint64_t res_ns, int ascii, char *buf, size_t len)
{
	char a[32], b[32], d[32];

	tui_fmt_time(a, sizeof(a), t0 - first_ns, tui_time_res(t0 - first_ns, res_ns), ascii);
	tui_fmt_time(b, sizeof(b), t1 - first_ns, tui_time_res(t1 - first_ns, res_ns), ascii);
	tui_fmt_dur(d, sizeof(d), t1 - t0, ascii);
	snprintf(buf, len, "%s..%s (%s)", a, b, d);
}

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
		tui_fmt_range(app->model.first_ns, v->range_t0_ns, v->range_t1_ns, column_ns(v), app->ascii, buf + 6, len - 6);
	}
}
