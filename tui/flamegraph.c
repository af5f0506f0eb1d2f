/* SPDX-License-Identifier: MIT */
/* flamegraph.c: the flame graph panel: the tree analysis/flame.c builds for the whole
 * trace, the visible range or the selected call's subtree, cached per scope; drawn as an
 * icicle from the zoomed node down, skipping nodes narrower than a column, so a frame
 * costs what the screen shows. */
#include "tui/analysis.h"

#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

int tui_flame_update(tui_app *app)
{
	struct tui_analysis *an = app->an;
	struct tui_flame_node *nodes;
	tui_stats_scope sc;
	uint64_t key[4];
	size_t count;

	if (tui_scope_fill(app, an->flame_scope, &sc, key) < 0)
		return -1;
	if (an->flame && !memcmp(key, an->flame_key, sizeof(key)))
		return 0;
	if (tui_flame_build(app->model.trace, &sc, &nodes, &count) < 0) {
		tui_app_msg(app, 1, "flame: out of memory");
		return -1;
	}
	free(an->flame);
	an->flame = nodes;
	an->flame_count = count;
	memcpy(an->flame_key, key, sizeof(key));
	an->flame_sel = an->flame_zoom = 0;
	return 0;
}

static int is_ancestor(const struct tui_flame_node *n, uint32_t a, uint32_t x)
{
	for (; x != NONE; x = n[x].parent)
		if (x == a)
			return 1;
	return 0;
}

int tui_flame_move(tui_app *app, const char *dir)
{
	struct tui_analysis *an = app->an;
	const struct tui_flame_node *n = an->flame;
	uint32_t s = an->flame_sel, to = NONE;

	if (!n)
		return -1;
	if (!strcmp(dir, "parent"))
		to = n[s].parent;
	else if (!strcmp(dir, "child"))
		to = n[s].first_child;
	else if (!strcmp(dir, "next"))
		to = n[s].next;
	else if (s && n[s].parent != NONE) /* prev: walk the parent's list */
		for (uint32_t c = n[n[s].parent].first_child; c != NONE && c != s; c = n[c].next)
			to = c;
	if (to == NONE)
		return -1;
	an->flame_sel = to;
	if (!is_ancestor(n, an->flame_zoom, to)) /* left the zoomed part: zoom out to it */
		an->flame_zoom = n[to].parent == NONE ? to : n[to].parent;
	return 0;
}

static void draw_node(tui_app *app, tui_screen *s, int y, int x0, int x1, uint32_t id)
{
	const struct tui_analysis *an = app->an;
	const struct tui_flame_node *nd = &an->flame[id];
	uint16_t style = id ? TUI_STYLE_FUNC + app->model.hue[nd->name_id < app->model.string_count ? nd->name_id : 0]
			    : TUI_STYLE_THREAD;
	uint16_t attr = id == an->flame_sel ? TUI_ATTR_REVERSE | TUI_ATTR_BOLD : 0;
	uint64_t all = an->flame[0].total_ns ? an->flame[0].total_ns : 1;
	char dur[32], label[512];

	tui_fmt_dur(dur, sizeof(dur), nd->total_ns, tui_screen_ascii(s));
	snprintf(label, sizeof(label), "%s %s %.1f%%", id ? tui_model_name(&app->model, nd->name_id) : "all",
		 dur, 100.0 * (double)nd->total_ns / (double)all);
	tui_screen_fill(s, x0, y, x1 - x0, L' ', style, attr);
	if (x1 - x0 >= 2) {
		tui_screen_put(s, x0, y, tui_screen_ascii(s) ? '|' : L'▏', style, attr);
		tui_screen_puts(s, x0 + 1, y, label, x1 - x0 - 1, style, attr);
	} else {
		tui_screen_put(s, x0, y, tui_screen_ascii(s) ? '|' : L'▌', style, attr);
	}
}

/* A node over columns [x0, x1) at screen row y, then its children below. */
static void draw_tree(tui_app *app, tui_screen *s, int y, int y_end, double x0, double x1, uint32_t id)
{
	const struct tui_flame_node *n = app->an->flame;
	double x = x0;

	if (y >= y_end || (int)x1 <= (int)x0)
		return;
	draw_node(app, s, y, (int)x0, (int)x1, id);
	for (uint32_t c = n[id].first_child; c != NONE; c = n[c].next) {
		double w = n[id].total_ns ? (x1 - x0) * (double)n[c].total_ns / (double)n[id].total_ns : 0;

		if (w > x1 - x) /* a damaged trace's child may outweigh its parent: stay inside it */
			w = x1 - x;
		if (w < 0.5)
			break; /* widest first: the rest are narrower still */
		draw_tree(app, s, y + 1, y_end, x, x + w, c);
		x += w;
	}
}

void tui_flame_draw(tui_app *app, tui_screen *s, int y0, int h)
{
	static const char *const scopes[] = { "whole trace", "visible range", "selected call's subtree" };
	struct tui_analysis *an = app->an;
	char line[512];
	int w = tui_screen_width(s);

	if (an->flame_scope != TUI_SCOPE_SUBTREE || tui_model_slice(&app->model, app->view.sel))
		tui_flame_update(app);
	snprintf(line, sizeof(line), "flame graph: %s, %zu stacks", scopes[an->flame_scope],
		 an->flame ? an->flame_count - 1 : 0);
	tui_panel_title(s, y0, line, an->focus ? "arrows move, Enter zooms, g resets, J longest call, Esc leaves, M closes"
					       : "o to focus");
	if (!an->flame || an->flame_count < 2) {
		tui_screen_puts(s, 2, y0 + 1, "no calls in this scope", -1, TUI_STYLE_DIM, 0);
		return;
	}
	if (!is_ancestor(an->flame, an->flame_zoom, an->flame_sel))
		an->flame_zoom = 0;
	/* keep the selection within the rows: zoom down to an ancestor near it */
	while (an->flame[an->flame_sel].depth >= an->flame[an->flame_zoom].depth + (uint32_t)(h - 1)) {
		uint32_t z = an->flame_sel;

		while (an->flame[z].parent != an->flame_zoom && an->flame[z].parent != NONE)
			z = an->flame[z].parent;
		an->flame_zoom = z;
	}
	draw_tree(app, s, y0 + 1, y0 + h, 0, w, an->flame_zoom);
}
