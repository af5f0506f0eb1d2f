/* SPDX-License-Identifier: MIT */
/* flamegraph.c: the flame graph panel class (tui_panel_flame), its state and the `flame`
 * command: the tree analysis/flame.c builds for the whole trace, the visible range or the
 * selected call's subtree, cached per scope; drawn as an icicle from the zoomed node down,
 * skipping nodes narrower than a column, so a frame costs what the screen shows. */
#include "tui/analysis.h"

#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

static struct tui_flame_panel *flame_of(const tui_app *app)
{
	return tui_an_state((tui_app *)app, &tui_panel_flame); /* made when the panel opened */
}

static int flame_update(tui_app *app)
{
	struct tui_flame_panel *fp = flame_of(app);
	struct an_flame_node *nodes;
	an_stats_scope sc;
	uint64_t key[4];
	size_t count;

	if (tui_scope_fill(app, fp->flame_scope, &sc, key) < 0)
		return -1;
	if (fp->flame && !memcmp(key, fp->flame_key, sizeof(key)))
		return 0;
	if (an_flame_build(app->model.trace, &sc, &nodes, &count) < 0) {
		tui_app_msg(app, 1, "flame: out of memory");
		return -1;
	}
	free(fp->flame);
	fp->flame = nodes;
	fp->flame_count = count;
	memcpy(fp->flame_key, key, sizeof(key));
	fp->flame_sel = fp->flame_zoom = 0;
	return 0;
}

static int is_ancestor(const struct an_flame_node *n, uint32_t a, uint32_t x)
{
	for (; x != NONE; x = n[x].parent)
		if (x == a)
			return 1;
	return 0;
}

static int flame_step(tui_app *app, const char *dir)
{
	struct tui_flame_panel *fp = flame_of(app);
	const struct an_flame_node *n = fp->flame;
	uint32_t s = fp->flame_sel, to = NONE;

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
	fp->flame_sel = to;
	if (!is_ancestor(n, fp->flame_zoom, to)) /* left the zoomed part: zoom out to it */
		fp->flame_zoom = n[to].parent == NONE ? to : n[to].parent;
	return 0;
}

static void draw_node(tui_app *app, tui_screen *s, int y, int x0, int x1, uint32_t id)
{
	const struct tui_flame_panel *fp = flame_of(app);
	const struct an_flame_node *nd = &fp->flame[id];
	uint16_t style = id ? TUI_STYLE_FUNC + app->model.hue[nd->name_id < app->model.string_count ? nd->name_id : 0]
			    : TUI_STYLE_THREAD;
	uint16_t attr = id == fp->flame_sel ? TUI_ATTR_REVERSE | TUI_ATTR_BOLD : 0;
	uint64_t all = fp->flame[0].total_ns ? fp->flame[0].total_ns : 1;
	char dur[32], label[512];

	an_fmt_dur(dur, sizeof(dur), nd->total_ns, tui_screen_ascii(s));
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
	const struct an_flame_node *n = flame_of(app)->flame;
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

static void flame_draw(tui_app *app, tui_screen *s, int y0, int h)
{
	struct tui_flame_panel *fp = flame_of(app);
	char line[512], scope[96];
	int w = tui_screen_width(s);

	if (fp->flame_scope != TUI_SCOPE_SUBTREE || tui_model_slice(&app->model, app->view.sel))
		flame_update(app);
	tui_scope_name(app, fp->flame_scope, scope, sizeof(scope));
	snprintf(line, sizeof(line), "flame graph: %s, %zu stacks", scope,
		 fp->flame ? fp->flame_count - 1 : 0);
	tui_panel_title(s, y0, line, app->an->focus ? "arrows move, Enter zooms, g resets, J longest call, Esc leaves, M closes"
					       : "o to focus");
	if (!fp->flame || fp->flame_count < 2) {
		tui_screen_puts(s, 2, y0 + 1, "no calls in this scope", -1, TUI_STYLE_DIM, 0);
		return;
	}
	if (!is_ancestor(fp->flame, fp->flame_zoom, fp->flame_sel))
		fp->flame_zoom = 0;
	/* keep the selection within the rows: zoom down to an ancestor near it */
	while (fp->flame[fp->flame_sel].depth >= fp->flame[fp->flame_zoom].depth + (uint32_t)(h - 1)) {
		uint32_t z = fp->flame_sel;

		while (fp->flame[z].parent != fp->flame_zoom && fp->flame[z].parent != NONE)
			z = fp->flame[z].parent;
		fp->flame_zoom = z;
	}
	draw_tree(app, s, y0 + 1, y0 + h, 0, w, fp->flame_zoom);
}

int tui_cmd_flame(tui_app *app, int argc, char **argv)
{
	struct tui_flame_panel *fp = flame_of(app);

	return fp ? tui_an_scoped(app, argc, argv, &tui_panel_flame, &fp->flame_scope) : -1;
}

/* ---- the class ---- */

static void *flame_init(void)
{
	return calloc(1, sizeof(struct tui_flame_panel));
}

static void flame_free(void *st)
{
	free(((struct tui_flame_panel *)st)->flame);
	free(st);
}

static void flame_carry(void *to, const void *from)
{
	((struct tui_flame_panel *)to)->flame_scope = ((const struct tui_flame_panel *)from)->flame_scope;
}

static int flame_height(int avail)
{
	return avail / 2;
}

static int flame_update_op(tui_app *app, void *st)
{
	(void)st;
	return flame_update(app);
}

static void flame_draw_op(tui_app *app, void *st, tui_screen *s, int y0, int h)
{
	(void)st;
	flame_draw(app, s, y0, h);
}

/* Up and down the stack; left and right among siblings; top and bottom: the root. */
static void flame_move(tui_app *app, void *st, const char *word, long delta)
{
	struct tui_flame_panel *fp = st;

	if (!strcmp(word, "top") || !strcmp(word, "bottom"))
		fp->flame_zoom = fp->flame_sel = 0;
	else if (!strcmp(word, "left") || !strcmp(word, "right"))
		flame_step(app, word[0] == 'l' ? "prev" : "next");
	else
		flame_step(app, delta < 0 ? "parent" : "child");
}

/* Enter: zoom to the selected node. */
static int flame_enter(tui_app *app, void *st, char *cmd, size_t len)
{
	struct tui_flame_panel *fp = st;

	(void)app;
	(void)cmd;
	(void)len;
	fp->flame_zoom = fp->flame_sel;
	return 0;
}

static uint32_t flame_function(const tui_app *app, const void *st)
{
	const struct tui_flame_panel *fp = st;

	(void)app;
	if (fp->flame && fp->flame_sel > 0 && fp->flame_sel < fp->flame_count)
		return fp->flame[fp->flame_sel].name_id;
	return UINT32_MAX;
}

const tui_panel_ops tui_panel_flame = {
	.name = "flame", .init = flame_init, .free = flame_free, .carry = flame_carry, .height = flame_height,
	.update = flame_update_op, .draw = flame_draw_op, .move = flame_move, .enter = flame_enter,
	.function = flame_function,
};
