/* SPDX-License-Identifier: MIT */
/* screen.c: the screen model, a grid of cells the views draw into and the terminal layer,
 * --render and the tests read, and the title line of panels. */
#include "tui/tui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tui/tui_private.h"

struct tui_screen {
	int width, height;
	int ascii;
	tui_cell *cells;
};

tui_screen *tui_screen_new(int width, int height)
{
	tui_screen *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (tui_screen_resize(s, width, height) < 0) {
		free(s);
		return NULL;
	}
	return s;
}

int tui_screen_resize(tui_screen *s, int width, int height)
{
	tui_cell *cells;

	if (width < 1)
		width = 1;
	if (height < 1)
		height = 1;
	cells = calloc((size_t)width * height, sizeof(*cells));
	if (!cells)
		return VTB_E_NOMEM;
	free(s->cells);
	s->cells = cells;
	s->width = width;
	s->height = height;
	tui_screen_clear(s);
	return 0;
}

void tui_screen_free(tui_screen *s)
{
	if (!s)
		return;
	free(s->cells);
	free(s);
}

void tui_screen_set_ascii(tui_screen *s, int ascii) { s->ascii = ascii; }
int tui_screen_ascii(const tui_screen *s) { return s->ascii; }
int tui_screen_width(const tui_screen *s) { return s->width; }
int tui_screen_height(const tui_screen *s) { return s->height; }

void tui_screen_clear(tui_screen *s)
{
	size_t n = (size_t)s->width * s->height;

	for (size_t i = 0; i < n; i++)
		s->cells[i] = (tui_cell){ L' ', TUI_STYLE_DEFAULT, 0 };
}

const tui_cell *tui_screen_cell(const tui_screen *s, int x, int y)
{
	if (x < 0 || y < 0 || x >= s->width || y >= s->height)
		return NULL;
	return &s->cells[(size_t)y * s->width + x];
}

void tui_screen_put(tui_screen *s, int x, int y, wchar_t ch, uint16_t style, uint16_t attr)
{
	if (x < 0 || y < 0 || x >= s->width || y >= s->height)
		return;
	if (s->ascii && (ch < 0x20 || ch > 0x7e))
		ch = L'?';
	s->cells[(size_t)y * s->width + x] = (tui_cell){ ch, style, attr };
}

void tui_screen_fill(tui_screen *s, int x, int y, int n, wchar_t ch, uint16_t style, uint16_t attr)
{
	for (int i = 0; i < n; i++)
		tui_screen_put(s, x + i, y, ch, style, attr);
}

/* What a cell shows for a character from a file: C0 controls as spaces (tabs, newlines in
 * messages), DEL, the C1 controls (U+009B is CSI to many terminals) and the characters
 * that reorder or break lines as U+FFFD, so no text from a trace drives the terminal. */
static wchar_t shown(wchar_t ch)
{
	if (ch < 0x20)
		return L' ';
	return vtb_char_safe(ch) ? ch : 0xfffd;
}

static int char_width(const tui_screen *s, wchar_t ch)
{
	int w;

	if (s->ascii || ch < 0x80)
		return 1;
	w = wcwidth(ch);
	return w < 0 ? 1 : w;
}

/* Something other than blanks and controls left to show. */
static int more_text(const unsigned char *p)
{
	while (*p && *p <= ' ')
		p++;
	return *p != '\0';
}

int tui_screen_puts(tui_screen *s, int x, int y, const char *utf8, int max_cols,
		    uint16_t style, uint16_t attr)
{
	const unsigned char *p = (const unsigned char *)utf8;
	int limit = max_cols < 0 ? s->width - x : max_cols;
	int col = 0;

	if (limit > s->width - x)
		limit = s->width - x;
	while (*p && col < limit) {
		wchar_t ch = shown(vtb_utf8_next(&p));
		int w = char_width(s, ch);

		if (w == 0)
			continue; /* combining marks: dropped rather than misplaced */
		if (col + w > limit || (col + w == limit && more_text(p))) {
			/* text is never cut silently: the last column says there is more (in
			 * one column, the first character says more than an ellipsis) */
			if (col > 0 || w > limit)
				tui_screen_put(s, x + col++, y, s->ascii ? L'~' : L'…', style, attr);
			else
				tui_screen_put(s, x + col++, y, ch, style, attr);
			break;
		}
		tui_screen_put(s, x + col, y, ch, style, attr);
		if (w == 2)
			tui_screen_put(s, x + col + 1, y, 0, style, attr);
		col += w;
	}
	return col;
}

static size_t put_utf8(char *out, wchar_t ch)
{
	uint32_t c = (uint32_t)ch;

	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | c >> 12);
		out[1] = (char)(0x80 | (c >> 6 & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | c >> 18);
	out[1] = (char)(0x80 | (c >> 12 & 0x3f));
	out[2] = (char)(0x80 | (c >> 6 & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* Append row y to out (room for 4 bytes per cell), trimmed; returns the bytes written. */
static size_t line_into(const tui_screen *s, int y, char *out)
{
	size_t len = 0, keep = 0;

	for (int x = 0; x < s->width; x++) {
		wchar_t ch = s->cells[(size_t)y * s->width + x].ch;

		if (ch == 0)
			continue;
		len += put_utf8(out + len, ch);
		if (ch != L' ')
			keep = len;
	}
	return keep;
}

char *tui_screen_line(const tui_screen *s, int y)
{
	char *out;
	size_t n;

	if (y < 0 || y >= s->height)
		return NULL;
	out = malloc((size_t)s->width * 4 + 1);
	if (!out)
		return NULL;
	n = line_into(s, y, out);
	out[n] = '\0';
	return out;
}

char *tui_screen_text(const tui_screen *s)
{
	char *out = malloc(((size_t)s->width * 4 + 1) * s->height + 1);
	size_t len = 0;

	if (!out)
		return NULL;
	for (int y = 0; y < s->height; y++) {
		len += line_into(s, y, out + len);
		out[len++] = '\n';
	}
	out[len] = '\0';
	return out;
}

/* "j/k move, Enter shows, Esc leaves" as "j/k Enter Esc": the keys without their words. */
static void keys_only(char *out, size_t len, const char *keys)
{
	size_t o = 0;

	for (const char *p = keys; *p && o + 1 < len; p += strcspn(p, ",")) {
		p += strspn(p, ", ");
		int n = (int)strcspn(p, " :,");

		o += (size_t)snprintf(out + o, len - o, "%s%.*s", o ? " " : "", n, p);
		if (o >= len)
			break;
	}
}

void tui_panel_title(tui_screen *s, int y, const char *what, const char *keys)
{
	int w = tui_screen_width(s);
	char line[1024], short_keys[256];

	tui_screen_fill(s, 0, y, w, tui_screen_ascii(s) ? L'-' : L'─', TUI_STYLE_RULER, 0);
	snprintf(line, sizeof(line), " %s (%s) ", what, keys);
	if (tui_text_cols(line) > w - 2) { /* at 80 columns: the keys without their words */
		keys_only(short_keys, sizeof(short_keys), keys);
		snprintf(line, sizeof(line), " %s (%s) ", what, short_keys);
	}
	tui_screen_puts(s, 2, y, line, w - 2, TUI_STYLE_RULER, TUI_ATTR_BOLD);
}
