/* SPDX-License-Identifier: MIT */
/* app.c: the viewer's state machine: the model and view of one trace, the input modes
 * (timeline, `:` line, help), and the layout of a frame. It sits on top: the drivers
 * (term.c, script.c, main.c, live_main.c) call it, and nothing under it calls back (a
 * focused panel hands its key's command line up; messages go through message.c, a new
 * trace through swap.c). */
#include "tui/tui_private.h"
#include "tui/filter_view.h"
#include "tui/analysis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

tui_app *tui_app_new(vtb_trace *trace, const char *path, char **cause)
{
	tui_app *app = calloc(1, sizeof(*app));

	if (!app) {
		vtb_trace_free(trace);
		*cause = strdup("out of memory");
		return NULL;
	}
	if (tui_model_init(&app->model, trace, cause) < 0)
		goto fail;
	app->self_ref = TUI_REF_NONE;
	app->details_ref = TUI_REF_NONE;
	if (tui_view_init(&app->view, &app->model) < 0 || !(app->path = strdup(path ? path : "")) ||
	    !(app->fv = tui_fview_new(&app->model)) || !(app->an = tui_an_new(app))) {
		*cause = strdup("out of memory");
		goto fail;
	}
	return app;
fail:
	tui_app_free(app);
	return NULL;
}

void tui_app_free(tui_app *app)
{
	if (!app)
		return;
	tui_live_free(app->live);
	tui_incident_free(app->incident);
	tui_an_free(app->an);
	tui_fview_free(app->fv);
	tui_view_fini(&app->view);
	tui_model_fini(&app->model);
	for (size_t i = 0; i < app->history_count; i++)
		free(app->history[i]);
	free(app->path);
	free(app->note);
	free(app);
}

void tui_app_set_sources(tui_app *app, an_sources *sources)
{
	if (!sources)
		return;
	if (sources->thread_count != app->model.thread_count) { /* not this trace's: no titles */
		an_sources_free(sources);
		return;
	}
	an_sources_free(app->model.sources);
	app->model.sources = sources;
	tui_model_order(&app->model);
}

void tui_app_set_note(tui_app *app, const char *note)
{
	free(app->note);
	app->note = note ? strdup(note) : NULL;
}

tui_live *tui_app_live(const tui_app *app) { return app->live; }

int tui_app_done(const tui_app *app) { return app->quit; }
const vtb_trace *tui_app_trace(const tui_app *app) { return app->model.trace; }
int tui_app_to_rings(const tui_app *app) { return app->quit == 2; }

int tui_app_exec(tui_app *app, const char *line)
{
	int rc;

	app->message[0] = '\0';
	app->message_is_error = 0;
	rc = tui_command_run(app, line);
	/* after any command but a scroll, the selection and the cursor's thread are on screen
	 * (a panel that opened may have taken their rows) */
	if (strncmp(line + strspn(line, " "), "scroll", 6) != 0)
		app->view.follow = 1;
	return rc;
}

static void remember(tui_app *app, const char *line)
{
	if (!*line)
		return;
	if (app->history_count == sizeof(app->history) / sizeof(app->history[0])) {
		free(app->history[0]);
		memmove(app->history, app->history + 1, (app->history_count - 1) * sizeof(char *));
		app->history_count--;
	}
	if ((app->history[app->history_count] = strdup(line)))
		app->history_count++;
}

/* The `:` line: a small line editor, Enter runs, Esc cancels, Up/Down walk the history,
 * Tab completes (complete.c). */
static void key_command(tui_app *app, int key)
{
	if (key != TUI_KEY_TAB)
		app->message[0] = '\0'; /* Tab's candidates go with the next key */
	if (key == TUI_KEY_ENTER || key == '\r') {
		char line[sizeof(app->cmdline)];

		memcpy(line, app->cmdline, sizeof(line));
		app->mode = TUI_MODE_NORMAL;
		remember(app, line);
		tui_app_exec(app, line);
	} else if (key == TUI_KEY_ESC || key == TUI_KEY_CTRL('c')) {
		app->mode = TUI_MODE_NORMAL;
	} else if (key == TUI_KEY_BACKSPACE || key == TUI_KEY_CTRL('h') || key == TUI_KEY_DC) {
		if (app->cmdline_len == 0) {
			app->mode = TUI_MODE_NORMAL;
			return;
		}
		while (app->cmdline_len > 0 && (app->cmdline[--app->cmdline_len] & 0xc0) == 0x80)
			; /* drop a whole UTF-8 sequence */
		app->cmdline[app->cmdline_len] = '\0';
	} else if (key == TUI_KEY_CTRL('u')) {
		app->cmdline[app->cmdline_len = 0] = '\0';
	} else if (key == TUI_KEY_UP || key == TUI_KEY_DOWN) {
		tui_line_recall(app, key == TUI_KEY_UP ? -1 : 1);
	} else if (key == TUI_KEY_TAB) {
		tui_line_complete(app);
	} else if (key >= 0x20 && key < TUI_KEY_BASE && key != 0x7f) {
		char enc[8];
		int n = (int)wcrtomb(enc, (wchar_t)key, NULL);

		if (key < 0x80 || n <= 0) {
			enc[0] = (char)(key < 0x80 ? key : '?');
			n = 1;
		}
		if (app->cmdline_len + n < sizeof(app->cmdline)) {
			memcpy(app->cmdline + app->cmdline_len, enc, n);
			app->cmdline_len += n;
			app->cmdline[app->cmdline_len] = '\0';
		}
	}
}

static void key_help(tui_app *app, int key)
{
	int page = app->screen_h > 4 ? app->screen_h - 3 : 1;

	if (key == 'j' || key == TUI_KEY_DOWN)
		app->help_scroll++;
	else if (key == 'k' || key == TUI_KEY_UP)
		app->help_scroll--;
	else if (key == ' ' || key == TUI_KEY_NPAGE || key == TUI_KEY_CTRL('f'))
		app->help_scroll += page;
	else if (key == 'b' || key == TUI_KEY_PPAGE || key == TUI_KEY_CTRL('b'))
		app->help_scroll -= page;
	else if (key == 'q' || key == '?' || key == TUI_KEY_ESC || key == TUI_KEY_ENTER)
		app->mode = TUI_MODE_NORMAL;
	if (app->help_scroll > tui_help_lines(app->screen_w) - page)
		app->help_scroll = tui_help_lines(app->screen_w) - page;
	if (app->help_scroll < 0)
		app->help_scroll = 0;
}

void tui_app_key(tui_app *app, int key)
{
	const char *cmd;
	char name[16];

	if (app->mode == TUI_MODE_COMMAND) {
		key_command(app, key);
		return;
	}
	if (app->mode == TUI_MODE_HELP) {
		key_help(app, key);
		return;
	}
	if (app->mode == TUI_MODE_PICKER) {
		tui_picker_key(app, key);
		return;
	}
	cmd = tui_an_key(app, key); /* a focused panel takes the movement keys */
	if (!cmd)
		cmd = tui_key_command(key);
	if (cmd) {
		tui_app_exec(app, cmd);
		return;
	}
	tui_key_name(key, name, sizeof(name));
	tui_app_msg(app, 1, "key %s does nothing (? lists the keys)", key < TUI_KEY_BASE ? name : "");
}

/* The timeline row and column under a screen cell, through the last render's layout. */
static int row_at(tui_app *app, int y, tui_row *out)
{
	size_t count = 0;
	tui_row *rows;
	int i = app->view.scroll + (y - app->timeline_y);

	if (y < app->timeline_y || y >= app->timeline_y + app->timeline_h)
		return -1;
	rows = tui_view_rows(&app->view, &app->model, &count);
	if (!rows || i < 0 || (size_t)i >= count) {
		free(rows);
		return -1;
	}
	*out = rows[i];
	free(rows);
	return 0;
}

void tui_app_click(tui_app *app, int x, int y)
{
	tui_view *v = &app->view;
	tui_row r;
	size_t index;

	if (app->mode != TUI_MODE_NORMAL || row_at(app, y, &r) < 0)
		return;
	v->cursor_ns = tui_view_time(v, x);
	if (r.kind == TUI_ROW_THREAD) {
		for (size_t i = 0; i < app->model.thread_count; i++)
			if ((int32_t)app->model.order[i] == r.thread)
				v->focus = (uint32_t)i;
		return;
	}
	if (r.kind >= TUI_ROW_COUNTER_TITLE)
		tui_tracks_click(app, &r, x);
	if (r.kind == TUI_ROW_DEPTH &&
	    tui_query_at(&app->model, r.thread, r.depth, tui_view_time(v, x), tui_view_time(v, x + 1), &index))
		tui_view_select(v, &app->model, (tui_ref){ r.thread, r.depth, index });
	v->cursor_ns = tui_view_time(v, x);
	tui_view_clamp(v, &app->model);
}

void tui_app_wheel(tui_app *app, int x, int y, int dir)
{
	(void)y;
	if (app->mode != TUI_MODE_NORMAL)
		return;
	app->view.cursor_ns = tui_view_time(&app->view, x);
	tui_view_zoom(&app->view, &app->model, dir > 0 ? 1.25 : 0.8);
}

static void draw_too_small(tui_screen *s, int w, int h)
{
	char line[64];

	snprintf(line, sizeof(line), "need %dx%d, have %dx%d", TUI_MIN_WIDTH, TUI_MIN_HEIGHT, w, h);
	tui_screen_puts(s, 0, 0, "vtui: terminal too small", -1, TUI_STYLE_ERROR, TUI_ATTR_BOLD);
	if (h > 1)
		tui_screen_puts(s, 0, 1, line, -1, TUI_STYLE_ERROR, 0);
}

/* Lines the details pane needs for the selection (0: no pane). */
static int details_height(tui_app *app, int h)
{
	int n;

	if (!app->view.details || h < 14)
		return 0;
	n = tui_details_lines(app, app->screen_w); /* wrapped; I scrolls what is left */
	if (n == 0)
		return 0;
	n++; /* the title */
	return n > h / 3 ? h / 3 : n;
}

void tui_app_render(tui_app *app, tui_screen *s)
{
	int w = tui_screen_width(s), h = tui_screen_height(s), dh, ph;

	tui_screen_clear(s);
	app->ascii = tui_screen_ascii(s);
	app->screen_w = w;
	app->screen_h = h;
	if (w < TUI_MIN_WIDTH || h < TUI_MIN_HEIGHT) {
		draw_too_small(s, w, h);
		return;
	}
	tui_draw_header(app, s, 0);
	if (app->mode == TUI_MODE_HELP) {
		tui_draw_help(app, s, 1, h - 2);
		tui_draw_status(app, s, h - 1);
		return;
	}
	dh = details_height(app, h);
	if (!dh) /* no call selected: a selected mark may use the pane */
		dh = tui_an_mark_lines(app, h);
	ph = tui_an_panel_height(app, h - 3 - dh);
	app->timeline_y = 2;
	app->timeline_h = h - 3 - dh - ph;
	/* The timeline sets the view's columns, which the ruler's ticks depend on. */
	tui_draw_timeline(app, s, app->timeline_y, app->timeline_h);
	tui_draw_ruler(app, s, 1);
	tui_an_draw_panel(app, s, h - 1 - dh - ph, ph);
	tui_draw_details(app, s, h - 1 - dh, dh);
	tui_an_draw_mark(app, s, h - 1 - dh, dh);
	if (app->mode == TUI_MODE_PICKER)
		tui_draw_picker(app, s, app->timeline_y, app->timeline_h);
	tui_draw_status(app, s, h - 1);
}
