/* SPDX-License-Identifier: MIT */
/* view_help.c: the `?` screen, generated from the key and command tables so that it
 * cannot disagree with what the keys do. */
#include "tui/tui_private.h"

#include <stdio.h>
#include <string.h>

#define HELP_MAX_LINES 160

struct help_line {
	char key[48];   /* left column (keys, or a command and its arguments) */
	char text[320]; /* right column; a heading when key is empty */
};

static const char *const legend[][2] = {
	{ "[name 1.2ms]", "a call: its name and duration where there is room" },
	{ "<  >", "the call goes on left or right of the view" },
	{ "~ at the left", "its entry was lost when the ring wrapped" },
	{ "~ at the right", "still running when the dump was taken" },
	{ "! at the right", "left by an exception" },
	{ "| or #", "one short call in a cell, or several (the unicode glyphs are half and full blocks)" },
	{ "* o l W E  (marks)", "under a thread's title: an instant (an exception too), a snapshot, a log "
	  "record, a warning, an error (in unicode a diamond, square, dot, triangle, cross); m and K walk them" },
	{ "W  D  (ruler)", "where the record begins after the ring wrapped, and the dump; : marks them below" },
	{ "v  (ruler)", "the cursor: zooming keeps it in place" },
	{ "TIME", "12.5ms, 300us, 40ns, 2s; a bare number is milliseconds; +/- is from the cursor" },
	{ "[filter ...]", "(status line) the active filters; X removes them" },
	{ "dim call", "with filter: a call above a match, kept so the chart reads as a flame chart" },
	{ "yellow call", "a search match, underlined (bold and underlined without colours); n and N walk them" },
};

static int add(struct help_line *l, int n, const char *key, const char *text)
{
	if (n >= HELP_MAX_LINES)
		return n;
	snprintf(l[n].key, sizeof(l[n].key), "%s", key);
	snprintf(l[n].text, sizeof(l[n].text), "%s", text);
	return n + 1;
}

/* Every key bound to the same command line as `b`, joined by spaces. */
static void keys_of(const tui_binding *b, char *buf, size_t len)
{
	buf[0] = '\0';
	for (const tui_binding *o = tui_bindings(); o->key; o++) {
		char name[16];

		if (strcmp(o->command, b->command))
			continue;
		tui_key_name(o->key, name, sizeof(name));
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? " " : "", name);
	}
}

static int build(struct help_line *l)
{
	int n = 0;
	char keys[64], usage[320];

	n = add(l, n, "", "Keys (q, ? or Esc closes this help; j k Space b scroll it)");
	for (const tui_binding *b = tui_bindings(); b->key; b++) {
		if (!b->help)
			continue;
		keys_of(b, keys, sizeof(keys));
		n = add(l, n, keys, b->help);
	}
	n = add(l, n, "", "");
	n = add(l, n, "", "Commands (after :, or vtui --render --cmd '...')");
	const tui_command *c;

	for (size_t i = 0; (c = tui_cmd_at(i)); i++) {
		snprintf(usage, sizeof(usage), "%s%s%s", c->usage, *c->usage ? ": " : "", c->help);
		n = add(l, n, c->name, usage);
	}
	n = add(l, n, "", "");
	n = add(l, n, "", "On the timeline");
	for (size_t i = 0; i < sizeof(legend) / sizeof(legend[0]); i++)
		n = add(l, n, legend[i][0], legend[i][1]);
	return n;
}

/* Lay the lines out at width w: draw them from physical line `skip` into rows
 * [y0, y0 + h) when s is set; returns the physical line count. Text wraps between
 * words. */
static int layout(const struct help_line *l, int n, tui_screen *s, int w, int y0, int h, int skip)
{
	int phys = 0;

	for (int i = 0; i < n; i++) {
		const char *t = l[i].text;
		int x = l[i].key[0] ? 24 : 1, room = w - x - 1, first = 1;

		do {
			int len = (int)strlen(t), y = y0 + phys - skip, line_room = first ? room : room - 2;
			char piece[320];

			if (len > line_room && line_room > 10)
				len = tui_wrap_at(t, line_room);
			snprintf(piece, sizeof(piece), "%.*s", len, t);
			if (s && y >= y0 && y < y0 + h) {
				if (first && l[i].key[0])
					tui_screen_puts(s, 2, y, l[i].key, 21, TUI_STYLE_LABEL, TUI_ATTR_BOLD);
				tui_screen_puts(s, first ? x : x + 2, y, piece, -1,
						l[i].key[0] ? TUI_STYLE_DEFAULT : TUI_STYLE_LABEL,
						l[i].key[0] ? 0 : TUI_ATTR_BOLD);
			}
			t += len;
			while (*t == ' ')
				t++;
			phys++;
			first = 0;
		} while (*t);
	}
	return phys;
}

int tui_help_lines(int width)
{
	static struct help_line lines[HELP_MAX_LINES];

	return layout(lines, build(lines), NULL, width, 0, 0, 0);
}

void tui_draw_help(tui_app *app, tui_screen *s, int y0, int h)
{
	static struct help_line lines[HELP_MAX_LINES];

	layout(lines, build(lines), s, tui_screen_width(s), y0, h, app->help_scroll);
}
