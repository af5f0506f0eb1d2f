/* SPDX-License-Identifier: MIT */
/* analysis.c: the generic side of the bottom panel and the selected mark. The panel
 * classes (struct tui_panel_ops: logs, statistics, flame graph, diff, each in its own
 * file with its own state) are registered in panels.c; this file keeps their states,
 * which one is open, its layout and its keys, and knows no class by name. The panel sits
 * between the timeline and the details pane; when it has the focus, movement keys go to
 * it (each as a named `panel ...` command line the app runs), every other key to the key
 * table. */
#include "tui/analysis.h"

#include <stdlib.h>
#include <string.h>

void tui_an_free(struct tui_analysis *an)
{
	if (!an)
		return;
	tui_tracks_fini(an);
	for (struct tui_panel *p = an->panels; p < an->panels + TUI_PANEL_CLASSES && p->ops; p++)
		if (p->st)
			p->ops->free(p->st);
	free(an);
}

int tui_an_carry(struct tui_analysis *to, const struct tui_analysis *from)
{
	to->focus = from->focus;
	for (size_t i = 0; i < TUI_PANEL_CLASSES && from->panels[i].ops; i++) {
		const struct tui_panel *f = &from->panels[i];
		struct tui_panel *t = &to->panels[i];

		if (!f->st || !f->ops->carry)
			continue;
		if (!(t->st = t->ops->init()))
			return VTB_E_NOMEM;
		t->ops->carry(t->st, f->st);
		if (from->open == f)
			to->open = t;
	}
	return 0;
}

static struct tui_panel *panel_of(struct tui_analysis *an, const tui_panel_ops *ops)
{
	for (struct tui_panel *p = an->panels; p < an->panels + TUI_PANEL_CLASSES && p->ops; p++)
		if (p->ops == ops)
			return p;
	return NULL; /* not registered: a bug caught by the tests */
}

void *tui_an_state(tui_app *app, const tui_panel_ops *ops)
{
	struct tui_panel *p = panel_of(app->an, ops);

	if (p && !p->st && !(p->st = ops->init()))
		tui_app_msg(app, 1, "out of memory");
	return p ? p->st : NULL;
}

void *tui_an_peek(const tui_app *app, const tui_panel_ops *ops)
{
	struct tui_panel *p = panel_of(app->an, ops);

	return p ? p->st : NULL;
}

int tui_an_open(tui_app *app, const tui_panel_ops *ops)
{
	void *st = tui_an_state(app, ops);

	if (!st)
		return -1;
	app->an->open = panel_of(app->an, ops);
	app->an->focus = 1;
	return ops->update ? ops->update(app, st) : 0;
}

void tui_an_adopt(tui_app *app, const tui_panel_ops *ops, void *st)
{
	struct tui_panel *p = panel_of(app->an, ops);

	if (st && p->st && p->st != st)
		ops->free(p->st);
	p->st = st;
	if (st) {
		app->an->open = p;
		app->an->focus = 1;
	} else if (app->an->open == p) {
		app->an->open = NULL;
	}
}

void tui_an_close(tui_app *app)
{
	app->an->open = NULL;
}

const tui_panel_ops *tui_an_shown(const tui_app *app)
{
	return app->an && app->an->open ? app->an->open->ops : NULL;
}

static int parse_scope(const char *text, int *scope)
{
	if (!strcmp(text, "all"))
		*scope = TUI_SCOPE_ALL;
	else if (!strcmp(text, "visible"))
		*scope = TUI_SCOPE_VISIBLE;
	else if (!strcmp(text, "subtree"))
		*scope = TUI_SCOPE_SUBTREE;
	else if (!strcmp(text, "range"))
		*scope = TUI_SCOPE_RANGE;
	else
		return -1;
	return 0;
}

int tui_an_scoped(tui_app *app, int argc, char **argv, const tui_panel_ops *ops, int *scope)
{
	int next = *scope;

	if ((argc == 1 && tui_an_shown(app) == ops) || (argc == 2 && !strcmp(argv[1], "off"))) {
		if (tui_an_shown(app) == ops)
			tui_an_close(app);
		return 0;
	}
	if (argc == 2)
		parse_scope(argv[1], &next); /* one of the usage's words */
	if (next == TUI_SCOPE_SUBTREE && !tui_model_slice(&app->model, app->view.sel)) {
		tui_app_msg(app, 1, "%s subtree: select a call first (c, Tab)", argv[0]);
		return -1;
	}
	*scope = next;
	return tui_an_open(app, ops);
}

/* Keys of a focused panel; the rest go to the key table. A key table like keys.c's. */
static const tui_binding panel_keys[] = {
	{ 'j', "panel next", NULL }, { TUI_KEY_DOWN, "panel next", NULL },
	{ 'k', "panel prev", NULL }, { TUI_KEY_UP, "panel prev", NULL },
	{ 'h', "panel left", NULL }, { TUI_KEY_LEFT, "panel left", NULL },
	{ 'l', "panel right", NULL }, { TUI_KEY_RIGHT, "panel right", NULL },
	{ TUI_KEY_NPAGE, "panel page-down", NULL }, { ' ', "panel page-down", NULL },
	{ TUI_KEY_PPAGE, "panel page-up", NULL }, { 'b', "panel page-up", NULL },
	{ 'g', "panel top", NULL }, { TUI_KEY_HOME, "panel top", NULL },
	{ 'G', "panel bottom", NULL }, { TUI_KEY_END, "panel bottom", NULL },
	{ TUI_KEY_ENTER, "panel enter", NULL }, { '\r', "panel enter", NULL },
	{ TUI_KEY_ESC, "panel focus", NULL }, { 'q', "panel close", NULL },
	{ '1', "sort name", NULL }, { '2', "sort calls", NULL }, { '3', "sort total", NULL },
	{ '4', "sort self", NULL }, { '5', "sort mean", NULL }, { '6', "sort max", NULL },
	{ 'A', "diff-open before", NULL }, { 'B', "diff-open after", NULL },
	{ 0, NULL, NULL },
};

static const char *binding_of(const tui_binding *table, int key)
{
	for (const tui_binding *b = table; b && b->key; b++)
		if (b->key == key)
			return b->command;
	return NULL;
}

const char *tui_an_key(tui_app *app, int key)
{
	const tui_panel_ops *ops = tui_an_shown(app);
	const char *own;

	if (!ops || !app->an->focus)
		return NULL;
	own = binding_of(ops->keys, key);
	return own ? own : binding_of(panel_keys, key);
}

int tui_an_panel_height(tui_app *app, int avail)
{
	const tui_panel_ops *ops = tui_an_shown(app);
	int h;

	if (!ops || avail < 10)
		return 0;
	h = ops->height ? ops->height(avail) : avail * 2 / 5;
	return h < 4 ? 4 : h;
}

void tui_an_draw_panel(tui_app *app, tui_screen *s, int y0, int h)
{
	const tui_panel_ops *ops = tui_an_shown(app);

	if (ops && h >= 2)
		ops->draw(app, app->an->open->st, s, y0, h);
}

/* ---- the selected mark in the details pane ---- */

static const vtb_mark *selected_mark(const tui_app *app, const vtb_thread **thp)
{
	const tui_mark_ref *r = &app->an->mark;
	const vtb_thread *th;

	if (!app->an || r->thread < 0 || app->view.sel.thread >= 0)
		return NULL;
	th = tui_model_thread(&app->model, r->thread);
	if (!th || r->index >= th->mark_count)
		return NULL;
	*thp = th;
	return &th->marks[r->index];
}

/* Lines of a mark's text wrapped under the "text" label at width w. */
static int text_lines(const char *text, int w)
{
	int n = 0, len;

	for (const char *p = text; p; p = tui_next_line(p, w - 7, &len))
		n++;
	return n;
}

int tui_an_mark_lines(tui_app *app, int h)
{
	const vtb_thread *th;
	const vtb_mark *mk;
	int n;

	if (!app->an || !app->view.details || h < 14 || !(mk = selected_mark(app, &th)))
		return 0;
	n = 3 + text_lines(mk->text, app->screen_w);
	return n > h / 3 ? h / 3 : n;
}

static const char *kind_name(const vtb_mark *mk)
{
	return mk->kind == VTB_MARK_LOG ? "log record" : mk->kind == VTB_MARK_OBJECT ? "object snapshot" : "instant event";
}

void tui_an_draw_mark(tui_app *app, tui_screen *s, int y0, int h)
{
	const vtb_thread *th;
	const vtb_mark *mk = selected_mark(app, &th);
	char line[1024], at[32], who[256];
	const char *p;
	int y = y0 + 1, n;

	if (!mk || h < 2)
		return;
	tui_screen_fill(s, 0, y0, tui_screen_width(s), tui_screen_ascii(s) ? L'-' : L'─', TUI_STYLE_RULER, 0);
	tui_screen_puts(s, 2, y0, " details (i hides) ", -1, TUI_STYLE_RULER, TUI_ATTR_BOLD);
	tui_fmt_at(app, at, sizeof(at), mk->ts_ns, tui_screen_ascii(s));
	tui_thread_label(th, who, sizeof(who));
	snprintf(line, sizeof(line), "%s at %s on %s", kind_name(mk), at, who);
	n = tui_screen_puts(s, 1, y, "mark", -1, TUI_STYLE_LABEL, TUI_ATTR_BOLD);
	tui_screen_puts(s, 2 + n, y++, line, -1, TUI_STYLE_DEFAULT, 0);
	if (mk->kind == VTB_MARK_LOG)
		snprintf(line, sizeof(line), "%s  logger %s", tui_level_name(mk->level), tui_model_name(&app->model, mk->name_id));
	else
		snprintf(line, sizeof(line), "%s", tui_model_name(&app->model, mk->name_id));
	n = tui_screen_puts(s, 1, y, "name", -1, TUI_STYLE_LABEL, TUI_ATTR_BOLD);
	tui_screen_puts(s, 2 + n, y++, line, -1, mk->kind == VTB_MARK_LOG && mk->level >= 40 ? TUI_STYLE_ERROR : TUI_STYLE_DEFAULT,
			mk->kind == VTB_MARK_LOG && mk->level >= 40 ? TUI_ATTR_BOLD : 0);
	n = tui_screen_puts(s, 1, y, "text", -1, TUI_STYLE_LABEL, TUI_ATTR_BOLD);
	for (p = mk->text; p && y < y0 + h; y++) { /* wrapped; a last line that is not the end says so */
		int len;
		const char *next = tui_next_line(p, tui_screen_width(s) - 7, &len);

		snprintf(line, sizeof(line), "%.*s%s", len, p, !next || y + 1 < y0 + h ? "" : tui_screen_ascii(s) ? " ~" : " \xe2\x80\xa6");
		tui_screen_puts(s, 2 + n, y, line, -1, TUI_STYLE_DEFAULT, 0);
		p = next;
	}
}
