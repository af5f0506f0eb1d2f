/* SPDX-License-Identifier: MIT */
/* term.c: the terminal layer, the only file that includes curses.h. It copies the screen
 * model to ncurses, turns curses keys into TUI_KEY_*, and owns every terminal quirk:
 * colour modes, the locale, resizes, the escape delay, holding stderr back while the screen
 * is ours, and restoring the terminal on every exit, crash signals included. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "tui/tui_private.h"

#include <curses.h>
#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum colour_mode { COLOURS_NONE, COLOURS_8, COLOURS_256 };

#define PAIR_FUNC 32 /* function hues use pairs from here */

/* Light backgrounds for black text, from the xterm 256-colour cube. */
static const short palette256[] = {
	110, 114, 150, 180, 174, 139, 109, 151, 186, 181, 146, 116,
	152, 187, 223, 217, 183, 153, 158, 229, 224, 189, 144, 179,
};
#define N256 ((int)(sizeof(palette256) / sizeof(palette256[0])))
/* No yellow: black on yellow is a search match, which must not look like a call. */
static const short palette8[] = { COLOR_GREEN, COLOR_CYAN, COLOR_MAGENTA, COLOR_BLUE, COLOR_RED };
#define N8 ((int)(sizeof(palette8) / sizeof(palette8[0])))

static int term_active;
static int saved_stderr = -1;
static FILE *held_stderr;
static SCREEN *term_screen;

/* Give stderr back to the terminal; async-signal-safe. */
static void release_stderr(void)
{
	if (saved_stderr >= 0) {
		dup2(saved_stderr, STDERR_FILENO);
		close(saved_stderr);
		saved_stderr = -1;
	}
}

static void on_fatal(int sig)
{
	char buf[512];
	ssize_t n;

	if (term_active) {
		term_active = 0;
		endwin();
	}
	release_stderr();
	/* what was held back may say why we crashed: read(2)/write(2) are signal-safe */
	if (held_stderr && lseek(fileno(held_stderr), 0, SEEK_SET) == 0)
		while ((n = read(fileno(held_stderr), buf, sizeof(buf))) > 0)
			if (write(STDERR_FILENO, buf, (size_t)n) < 0)
				break;
	signal(sig, SIG_DFL);
	raise(sig);
}

static void catch_signals(void (*fn)(int))
{
	static const int sigs[] = { SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGTERM, SIGINT, SIGHUP, SIGQUIT };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

/* While curses owns the screen, stderr goes to a temporary file, replayed afterwards. */
static void hold_stderr(void)
{
	fflush(stderr);
	held_stderr = tmpfile();
	if (!held_stderr)
		return;
	saved_stderr = dup(STDERR_FILENO);
	if (saved_stderr < 0 || dup2(fileno(held_stderr), STDERR_FILENO) < 0) {
		release_stderr();
		fclose(held_stderr);
		held_stderr = NULL;
	}
}

static void replay_stderr(void)
{
	char buf[4096];
	size_t n;

	fflush(stderr);
	release_stderr();
	if (!held_stderr)
		return;
	rewind(held_stderr);
	while ((n = fread(buf, 1, sizeof(buf), held_stderr)) > 0)
		fwrite(buf, 1, n, stderr);
	fclose(held_stderr);
	held_stderr = NULL;
}

static int colour_mode(void)
{
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");

	if ((no && *no) || !term || !strcmp(term, "dumb") || !has_colors())
		return COLOURS_NONE;
	if (start_color() == ERR)
		return COLOURS_NONE;
	use_default_colors();
	return COLORS >= 256 && COLOR_PAIRS >= PAIR_FUNC + N256 ? COLOURS_256 : COLOURS_8;
}

static void init_pairs(int mode)
{
	static const short fg[TUI_STYLE_COUNT] = {
		[TUI_STYLE_HEADER] = COLOR_WHITE, [TUI_STYLE_RULER] = COLOR_CYAN,
		[TUI_STYLE_STATUS] = COLOR_BLACK, [TUI_STYLE_PROCESS] = COLOR_MAGENTA,
		[TUI_STYLE_THREAD] = COLOR_YELLOW, [TUI_STYLE_MARKER] = COLOR_RED,
		[TUI_STYLE_LABEL] = COLOR_CYAN, [TUI_STYLE_ERROR] = COLOR_RED,
		[TUI_STYLE_MATCH] = COLOR_BLACK,
	};
	static const short bg[TUI_STYLE_COUNT] = {
		[TUI_STYLE_HEADER] = COLOR_BLUE, [TUI_STYLE_STATUS] = COLOR_WHITE,
		[TUI_STYLE_MATCH] = COLOR_YELLOW,
	};

	if (mode == COLOURS_NONE)
		return;
	for (int i = 1; i < TUI_STYLE_COUNT; i++)
		init_pair((short)i, fg[i] || i == TUI_STYLE_STATUS || i == TUI_STYLE_MATCH ? fg[i] : -1, bg[i] ? bg[i] : -1);
	if (mode == COLOURS_256)
		for (int i = 0; i < N256; i++)
			init_pair((short)(PAIR_FUNC + i), COLOR_BLACK, palette256[i]);
	else
		for (int i = 0; i < N8; i++)
			init_pair((short)(PAIR_FUNC + i), i < 2 ? COLOR_BLACK : COLOR_WHITE, palette8[i]);
}

/* Attributes and pair of a cell in the colour mode. */
static attr_t cell_attr(const tui_cell *c, int mode, short *pair)
{
	attr_t a = 0;

	*pair = 0;
	if (c->attr & TUI_ATTR_BOLD)
		a |= A_BOLD;
	if (c->attr & TUI_ATTR_REVERSE)
		a |= A_REVERSE;
	if (c->attr & TUI_ATTR_UNDERLINE)
		a |= A_UNDERLINE;
	if (mode == COLOURS_NONE) {
		if (c->style == TUI_STYLE_HEADER || c->style == TUI_STYLE_STATUS)
			a |= A_REVERSE;
		if (c->style == TUI_STYLE_DIM)
			a |= A_DIM;
		if (c->style == TUI_STYLE_MATCH)
			a |= A_UNDERLINE | A_BOLD;
		return a;
	}
	if (c->style == TUI_STYLE_MATCH) /* underlined too: a match reads as one in any palette */
		a |= A_UNDERLINE;
	if (c->style >= TUI_STYLE_FUNC)
		*pair = (short)(PAIR_FUNC + (c->style - TUI_STYLE_FUNC) % (mode == COLOURS_256 ? N256 : N8));
	else if (c->style == TUI_STYLE_DIM)
		a |= A_DIM;
	else
		*pair = (short)c->style;
	return a;
}

static void paint(const tui_screen *s, int mode)
{
	int w = tui_screen_width(s), h = tui_screen_height(s);

	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++) {
			const tui_cell *c = tui_screen_cell(s, x, y);
			wchar_t wc[2] = { c->ch, 0 };
			cchar_t cc;
			short pair;
			attr_t a = cell_attr(c, mode, &pair);

			if (c->ch == 0)
				continue;
			setcchar(&cc, wc, a, pair, NULL);
			mvadd_wch(y, x, &cc);
		}
	}
	move(h - 1, w - 1);
	refresh();
}

static int map_key(int kind, wint_t k)
{
	static const struct {
		int curses, tui;
	} keys[] = {
		{ KEY_UP, TUI_KEY_UP }, { KEY_DOWN, TUI_KEY_DOWN }, { KEY_LEFT, TUI_KEY_LEFT },
		{ KEY_RIGHT, TUI_KEY_RIGHT }, { KEY_SLEFT, TUI_KEY_SLEFT }, { KEY_SRIGHT, TUI_KEY_SRIGHT },
		{ KEY_PPAGE, TUI_KEY_PPAGE }, { KEY_NPAGE, TUI_KEY_NPAGE }, { KEY_HOME, TUI_KEY_HOME },
		{ KEY_END, TUI_KEY_END }, { KEY_BTAB, TUI_KEY_BTAB }, { KEY_DC, TUI_KEY_DC },
		{ KEY_BACKSPACE, TUI_KEY_BACKSPACE }, { KEY_ENTER, TUI_KEY_ENTER },
	};

	if (kind == OK)
		return k == '\r' ? TUI_KEY_ENTER : k == 8 ? TUI_KEY_BACKSPACE : (int)k;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if ((int)k == keys[i].curses)
			return keys[i].tui;
	return -1;
}

static void on_mouse(tui_app *app)
{
	MEVENT ev;

	if (getmouse(&ev) != OK)
		return;
	if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED))
		tui_app_click(app, ev.x, ev.y);
	else if (ev.bstate & BUTTON4_PRESSED)
		tui_app_wheel(app, ev.x, ev.y, 1);
#ifdef BUTTON5_PRESSED
	else if (ev.bstate & BUTTON5_PRESSED)
		tui_app_wheel(app, ev.x, ev.y, -1);
#endif
}

static int start(char **cause)
{
	term_screen = newterm(NULL, stdout, stdin);
	if (!term_screen) {
		*cause = tui_strdupf("cannot use the terminal (TERM=%s)", getenv("TERM") ? getenv("TERM") : "");
		return VTB_E_IO;
	}
	term_active = 1;
	catch_signals(on_fatal);
	hold_stderr();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	return 0;
}

static void stop(void)
{
	if (term_active) {
		term_active = 0;
		endwin();
	}
	if (term_screen) {
		delscreen(term_screen);
		term_screen = NULL;
	}
	catch_signals(SIG_DFL);
	replay_stderr();
}

/* vtui --live: a new snapshot when one is due; a failure goes to the status line and the
 * view stays on the last data. */
static void live_tick(tui_app *app)
{
	char *cause = NULL;
	vtb_trace *t = tui_live_tick(app->live, 0, &cause);

	if (t && tui_app_swap_trace(app, t, &cause) < 0) /* it quits: the old model is gone */
		fprintf(stderr, "vtui: live: %s\n", cause ? cause : "out of memory");
	else if (cause)
		tui_app_msg(app, 1, "live: %s", cause);
	free(cause);
}

static void loop(tui_app *app, tui_screen *s, int mode)
{
	/* a search's count over a large trace goes on between keys: each key stays short */
	tui_app_set_slice(app, TUI_SLICE_MS, 0);
	while (!tui_app_done(app)) {
		wint_t k;
		int kind, key;

		if (app->live)
			live_tick(app);
		if (tui_app_done(app))
			break;

		tui_app_render(app, s);
		if (app->redraw) {
			clearok(curscr, TRUE);
			app->redraw = 0;
		}
		paint(s, mode);
		timeout(tui_app_busy(app) ? 0 : app->live ? TUI_LIVE_PERIOD_MS : -1);
		kind = get_wch(&k);
		if (kind == ERR) {
			tui_app_idle(app);
			continue;
		}
		if (kind == KEY_CODE_YES && k == KEY_RESIZE) {
			tui_screen_resize(s, COLS, LINES);
			clear();
			continue;
		}
		if (kind == KEY_CODE_YES && k == KEY_MOUSE) {
			on_mouse(app);
			continue;
		}
		if ((key = map_key(kind, k)) >= 0)
			tui_app_key(app, key);
	}
}

/* The terminal in curses mode and a screen model of its size; NULL with *rc and *cause
 * (`need` says what wants a terminal). */
static tui_screen *term_open(const char *need, int *mode, int *rc, char **cause)
{
	tui_screen *s;
	const char *cs;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		*cause = strdup(need);
		*rc = VTB_E_ARG;
		return NULL;
	}
	if ((*rc = start(cause)) < 0)
		return NULL;
	*mode = colour_mode();
	init_pairs(*mode);
	if (!(s = tui_screen_new(COLS, LINES))) {
		stop();
		*cause = strdup("out of memory");
		*rc = VTB_E_NOMEM;
		return NULL;
	}
	cs = nl_langinfo(CODESET);
	tui_screen_set_ascii(s, !cs || strcmp(cs, "UTF-8"));
	return s;
}

int tui_term_run(tui_app *app, int mouse, char **cause)
{
	int rc, mode;
	tui_screen *s = term_open("the viewer needs a terminal on stdin and stdout (use --render or --info without one)",
				  &mode, &rc, cause);

	if (!s)
		return rc;
	if (mouse)
		mousemask(BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	loop(app, s, mode);
	tui_screen_free(s);
	stop();
	return 0;
}

/* The picker's frame: the title and the heading, then the rows around the selected one. */
static void pick_draw(tui_screen *s, const char *title, const char *heading, const char *const *lines, int count,
		      int sel)
{
	int h = tui_screen_height(s) - 3, top = sel >= h ? sel - h + 1 : 0;

	tui_screen_clear(s);
	tui_screen_puts(s, 0, 0, title, -1, TUI_STYLE_HEADER, TUI_ATTR_BOLD);
	tui_screen_puts(s, 0, 1, heading, -1, TUI_STYLE_LABEL, 0);
	for (int i = top; i < count && i - top < h; i++)
		tui_screen_puts(s, 0, 2 + i - top, lines[i], -1, TUI_STYLE_DEFAULT, i == sel ? TUI_ATTR_REVERSE : 0);
	tui_screen_puts(s, 0, tui_screen_height(s) - 1, "Enter: open   up/down: move   q: quit", -1,
			TUI_STYLE_STATUS, 0);
}

int tui_term_pick(const char *title, const char *heading, const char *const *lines, int count, char **cause)
{
	int rc, sel = 0, mode;
	tui_screen *s = term_open("the list needs a terminal on stdin and stdout", &mode, &rc, cause);

	if (!s)
		return rc;
	for (rc = -1; rc == -1;) {
		wint_t k;
		int kind;

		pick_draw(s, title, heading, lines, count, sel);
		paint(s, mode);
		kind = get_wch(&k);
		if (kind == KEY_CODE_YES && k == KEY_RESIZE) {
			tui_screen_resize(s, COLS, LINES);
			clear();
			continue;
		}
		int key = kind == ERR ? -1 : map_key(kind, k);
		if ((key == TUI_KEY_DOWN || key == 'j') && sel + 1 < count)
			sel++;
		else if ((key == TUI_KEY_UP || key == 'k') && sel > 0)
			sel--;
		else if (key == TUI_KEY_ENTER && count > 0)
			rc = sel;
		else if (key == 'q' || key == TUI_KEY_ESC)
			rc = count;
	}
	tui_screen_free(s);
	stop();
	return rc;
}
