/* SPDX-License-Identifier: MIT */
/* view_statspanel.c: the statistics panel class (tui_panel_stats) and its commands: per
 * function calls, total, self, mean and max (analysis/stats.c) for the whole trace, the
 * visible range or the selected call's subtree,
 * sorted by any column. Recomputed only when the scope changes (for the visible range:
 * when the window moves). */
#include "tui/analysis.h"

#include <stdlib.h>
#include <string.h>

static struct tui_stats_panel *stats_of(tui_app *app)
{
	return tui_an_state(app, &tui_panel_stats); /* made when the panel opened */
}

int tui_scope_fill(tui_app *app, int scope, an_stats_scope *sc, uint64_t key[4])
{
	const tui_view *v = &app->view;

	memset(sc, 0, sizeof(*sc));
	key[0] = (uint64_t)scope;
	key[1] = key[2] = key[3] = 0;
	if (scope == TUI_SCOPE_RANGE && v->range_t1_ns > v->range_t0_ns && !v->range_open) {
		sc->t0_ns = v->range_t0_ns;
		sc->t1_ns = v->range_t1_ns;
		key[1] = sc->t0_ns;
		key[2] = sc->t1_ns;
	} else if (scope == TUI_SCOPE_VISIBLE || scope == TUI_SCOPE_RANGE) {
		sc->t0_ns = v->start_ns;
		sc->t1_ns = v->start_ns + v->span_ns;
		key[1] = sc->t0_ns;
		key[2] = sc->t1_ns;
	} else if (scope == TUI_SCOPE_SUBTREE) {
		if (!tui_model_slice(&app->model, v->sel)) {
			tui_app_msg(app, 1, "subtree: select a call first (c, Tab)");
			return -1;
		}
		sc->subtree = 1;
		sc->thread = (size_t)v->sel.thread;
		sc->depth = v->sel.depth;
		sc->index = v->sel.index;
		key[1] = sc->thread;
		key[2] = sc->depth;
		key[3] = sc->index;
	}
	return 0;
}

/* What each column (enum tui_col) sorts on. */
static const enum an_stats_sort col_sort[] = { AN_STATS_NAME, AN_STATS_CALLS, AN_STATS_TOTAL,
						AN_STATS_SELF, AN_STATS_MEAN, AN_STATS_MAX };

static int statsp_update(tui_app *app)
{
	struct tui_stats_panel *sp = stats_of(app);
	an_stats_scope sc;
	uint64_t key[4];
	an_stats *st = NULL;
	char *cause = NULL;

	if (tui_scope_fill(app, sp->stats_scope, &sc, key) < 0)
		return -1;
	if (sp->stats && !memcmp(key, sp->stats_key, sizeof(key))) {
		if (sp->stats_sorted_by != sp->stats_sort)
			goto sort;
		return 0;
	}
	if (an_stats_compute(app->model.trace, &sc, &st, &cause) < 0) {
		tui_app_msg(app, 1, "stats: %s", cause ? cause : "failed");
		free(cause);
		return -1;
	}
	an_stats_free(sp->stats);
	sp->stats = st;
	memcpy(sp->stats_key, key, sizeof(key));
	sp->stats_sel = 0;
	sp->stats_top = 0;
sort:
	an_stats_sort(sp->stats, app->model.trace, col_sort[sp->stats_sort]);
	sp->stats_sorted_by = sp->stats_sort;
	return 0;
}

static uint32_t stats_function(const tui_app *app, const void *st)
{
	const struct tui_stats_panel *sp = st;

	(void)app;
	if (!sp->stats || sp->stats_sel >= sp->stats->count)
		return UINT32_MAX;
	return sp->stats->rows[sp->stats_sel].name_id;
}

static void stats_move(tui_app *app, long delta)
{
	struct tui_stats_panel *sp = stats_of(app);
	long n = sp->stats ? (long)sp->stats->count : 0, at = (long)sp->stats_sel + delta;

	if (n)
		sp->stats_sel = (size_t)(at < 0 ? 0 : at >= n ? n - 1 : at);
}

static const char *const col_names[] = { "function", "calls", "total", "self", "mean", "max" };
#define NUM_W 10

static void draw_head(tui_app *app, tui_screen *s, int y, int name_w)
{
	const char *mark = tui_screen_ascii(s) ? "v" : "▼";
	char line[64];

	for (int c = 0; c < 6; c++) {
		const char *m = stats_of(app)->stats_sort == c ? mark : " ";

		if (!c) {
			snprintf(line, sizeof(line), "%s%s", col_names[c], m);
			tui_screen_puts(s, 1, y, line, name_w, TUI_STYLE_LABEL, TUI_ATTR_BOLD);
		} else {
			snprintf(line, sizeof(line), "%*s%s", NUM_W - 2, col_names[c], m);
			tui_screen_puts(s, 1 + name_w + (c - 1) * NUM_W, y, line, NUM_W, TUI_STYLE_LABEL, TUI_ATTR_BOLD);
		}
	}
}

static void draw_row(tui_app *app, tui_screen *s, int y, const an_stats_row *r, int name_w, int sel)
{
	int ascii = tui_screen_ascii(s);
	uint16_t attr = sel ? TUI_ATTR_REVERSE : 0;
	char num[32], cell[48], name[512];

	if (sel)
		tui_screen_fill(s, 0, y, tui_screen_width(s), L' ', TUI_STYLE_DEFAULT, attr);
	tui_elide(name, sizeof(name), tui_model_name(&app->model, r->name_id), name_w - 1, ascii);
	tui_screen_puts(s, 1, y, name, name_w - 1, TUI_STYLE_DEFAULT, attr);
	for (int c = 1; c < 6; c++) {
		if (c == TUI_COL_CALLS)
			tui_fmt_count(num, sizeof(num), r->calls);
		else
			an_fmt_dur(num, sizeof(num), an_stats_key(r, col_sort[c]), ascii);
		snprintf(cell, sizeof(cell), "%*s ", NUM_W - 1, num);
		tui_screen_puts(s, 1 + name_w + (c - 1) * NUM_W, y, cell, NUM_W,
				c == stats_of(app)->stats_sort ? TUI_STYLE_LABEL : TUI_STYLE_DEFAULT, attr);
	}
}

void tui_scope_name(const tui_app *app, int scope, char *buf, size_t len)
{
	static const char *const scopes[] = { "whole trace", "visible range", "selected call's subtree",
					      "visible range (no range set: r)" };

	tui_range_status(app, buf, len);
	if (scope != TUI_SCOPE_RANGE || !*buf || app->view.range_open)
		snprintf(buf, len, "%s", scopes[scope]);
}

static void draw_title(tui_app *app, tui_screen *s, int y)
{
	struct tui_stats_panel *sp = stats_of(app);
	char line[512], calls[32], scope[96];

	tui_fmt_count(calls, sizeof(calls), sp->stats ? sp->stats->calls : 0);
	tui_scope_name(app, sp->stats_scope, scope, sizeof(scope));
	snprintf(line, sizeof(line), "statistics: %s, %zu functions, %s calls", scope,
		 sp->stats ? sp->stats->count : 0, calls);
	tui_panel_title(s, y, line, app->an->focus ? "j/k move, 1-6 sort, Enter longest call, Esc leaves, S closes"
					      : "o to focus");
}

static void stats_draw(tui_app *app, tui_screen *s, int y0, int h)
{
	struct tui_stats_panel *sp = stats_of(app);
	int w = tui_screen_width(s), name_w = w - 2 - 5 * NUM_W, rows = h - 2;

	/* a subtree scope keeps its last result when the selection goes */
	if (sp->stats_scope != TUI_SCOPE_SUBTREE || tui_model_slice(&app->model, app->view.sel))
		statsp_update(app);
	if (!sp->stats) {
		draw_title(app, s, y0);
		tui_screen_puts(s, 2, y0 + 1, "select a call for the subtree scope (:stats all)", -1, TUI_STYLE_DIM, 0);
		return;
	}
	draw_title(app, s, y0);
	if (name_w < 8 || rows < 1)
		return;
	draw_head(app, s, y0 + 1, name_w);
	if ((long)sp->stats_sel < sp->stats_top)
		sp->stats_top = (int)sp->stats_sel;
	if ((long)sp->stats_sel >= sp->stats_top + rows)
		sp->stats_top = (int)sp->stats_sel - rows + 1;
	sp->stats_top = tui_list_top(sp->stats_top, sp->stats->count, rows);
	for (int i = 0; i < rows && (size_t)(sp->stats_top + i) < sp->stats->count; i++)
		draw_row(app, s, y0 + 2 + i, &sp->stats->rows[sp->stats_top + i], name_w,
			 (size_t)(sp->stats_top + i) == sp->stats_sel);
}

/* ---- commands ---- */

int tui_cmd_stats(tui_app *app, int argc, char **argv)
{
	struct tui_stats_panel *sp = stats_of(app);

	return sp ? tui_an_scoped(app, argc, argv, &tui_panel_stats, &sp->stats_scope) : -1;
}

int tui_cmd_sort(tui_app *app, int argc, char **argv)
{
	struct tui_stats_panel *sp = stats_of(app);
	enum an_stats_sort by;

	(void)argc;
	if (!sp)
		return -1;
	if (an_stats_parse_sort(argv[1], &by) < 0)
		return tui_cmd_usage(app);
	sp->stats_sort = (int)by; /* the columns are in the sort keys' order */
	sp->stats_sel = 0;
	sp->stats_top = 0;
	if (tui_an_shown(app) == &tui_panel_stats) /* open already: the focus stays */
		return statsp_update(app);
	return tui_an_open(app, &tui_panel_stats);
}

/* ---- the class ---- */

static void *stats_init(void)
{
	struct tui_stats_panel *sp = calloc(1, sizeof(*sp));

	if (sp)
		sp->stats_sort = TUI_COL_TOTAL;
	return sp;
}

static void stats_free(void *st)
{
	an_stats_free(((struct tui_stats_panel *)st)->stats);
	free(st);
}

static void stats_carry(void *to, const void *from)
{
	struct tui_stats_panel *t = to;
	const struct tui_stats_panel *f = from;

	t->stats_scope = f->stats_scope;
	t->stats_sort = f->stats_sort;
}

static int stats_update(tui_app *app, void *st)
{
	(void)st;
	return statsp_update(app);
}

static void stats_draw_op(tui_app *app, void *st, tui_screen *s, int y0, int h)
{
	(void)st;
	stats_draw(app, s, y0, h);
}

static void stats_move_op(tui_app *app, void *st, const char *word, long delta)
{
	(void)st;
	(void)word;
	stats_move(app, delta); /* left and right (0): nothing in a list */
}

/* Enter: the longest call of the row's function. */
static int stats_enter(tui_app *app, void *st, char *cmd, size_t len)
{
	(void)app;
	(void)st;
	snprintf(cmd, len, "longest");
	return 0;
}

const tui_panel_ops tui_panel_stats = {
	.name = "stats", .init = stats_init, .free = stats_free, .carry = stats_carry, .update = stats_update,
	.draw = stats_draw_op, .move = stats_move_op, .enter = stats_enter, .function = stats_function,
};
