/* SPDX-License-Identifier: MIT */
/* view_diff.c: `vtui --diff BEFORE AFTER` in the viewer: the app shows one trace and keeps
 * the other; the diff panel class (tui_panel_diff, its state struct tui_diffview) lists
 * functions by impact, Enter goes to the selected function's longest call in the shown
 * trace (and searches its calls, for n / N); `diff-rank` sorts it by impact or change of
 * mean; `diff-open before|after` (swap.c, above the panels) swaps the trace on screen, the
 * panel staying as it was. */
#include "tui/analysis.h"
#include "tui/filter_view.h"

#include <stdlib.h>
#include <string.h>

void tui_diffv_free(struct tui_diffview *dv)
{
	if (!dv)
		return;
	vtb_trace_free(dv->other);
	free(dv->other_path);
	an_diff_free(dv->d);
	free(dv);
}

static int stats_all(const vtb_trace *t, an_stats **out, char **cause)
{
	return an_stats_compute(t, NULL, out, cause);
}

int tui_app_set_diff(tui_app *app, vtb_trace *before, const char *before_path, char **cause)
{
	struct tui_diffview *dv = calloc(1, sizeof(*dv));
	an_stats *sa = NULL, *sb = NULL;
	int rc = VTB_E_NOMEM;

	if (!dv || !(dv->other_path = strdup(before_path ? before_path : ""))) {
		vtb_trace_free(before);
		goto fail;
	}
	dv->other = before;
	dv->showing_after = 1;
	if ((rc = stats_all(before, &sa, cause)) < 0 || (rc = stats_all(app->model.trace, &sb, cause)) < 0)
		goto fail;
	if ((rc = an_diff_compute(before, sa, app->model.trace, sb, &dv->d)) < 0)
		goto fail;
	tui_an_adopt(app, &tui_panel_diff, dv);
	dv = NULL;
	rc = 0;
fail:
	if (rc == VTB_E_NOMEM && cause && !*cause)
		*cause = strdup("out of memory");
	an_stats_free(sa);
	an_stats_free(sb);
	tui_diffv_free(dv);
	return rc;
}

/* The diff panel's state, or NULL: no second trace. */
static struct tui_diffview *diff_of(const tui_app *app)
{
	return tui_an_peek(app, &tui_panel_diff);
}

static void diff_move(tui_app *app, void *st, const char *word, long delta)
{
	struct tui_diffview *dv = st;
	long n = dv ? (long)dv->d->count : 0, at = dv ? (long)dv->sel + delta : 0;

	(void)app;
	(void)word; /* left and right (0): nothing in a list */
	if (n)
		dv->sel = (size_t)(at < 0 ? 0 : at >= n ? n - 1 : at);
}

/* The shown trace's id of the row's function, or UINT32_MAX when it has no calls there. */
static uint32_t shown_id(const struct tui_diffview *dv, const an_diff_row *r)
{
	int64_t id = dv->showing_after ? r->id_b : r->id_a;

	return id < 0 ? UINT32_MAX : (uint32_t)id;
}

/* The function of the selected row in the shown trace, for `longest`. */
static uint32_t diff_function(const tui_app *app, const void *st)
{
	const struct tui_diffview *dv = st;

	(void)app;
	return dv->sel < dv->d->count ? shown_id(dv, &dv->d->rows[dv->sel]) : UINT32_MAX;
}

/* Enter: search the row's function's calls (n / N), then select its longest one. */
static int diff_enter(tui_app *app, void *st, char *cmd, size_t len)
{
	struct tui_diffview *dv = st;
	const an_diff_row *r;

	if (dv->sel >= dv->d->count)
		return -1;
	r = &dv->d->rows[dv->sel];
	if (shown_id(dv, r) == UINT32_MAX) {
		tui_app_msg(app, 1, "%s has no calls in the %s trace (%s shows the other)", r->name,
			    dv->showing_after ? "after" : "before", dv->showing_after ? "A" : "B");
		return -1;
	}
	/* \Q..\E: the name is literal text, whatever it holds */
	if (strstr(r->name, "\\E") || (size_t)snprintf(cmd, len, "search ^\\Q%s\\E$\n", r->name) >= len)
		cmd[0] = '\0';
	snprintf(cmd + strlen(cmd), len - strlen(cmd), "longest");
	return 0;
}

int tui_cmd_diff(tui_app *app, int argc, char **argv)
{
	if (!diff_of(app)) {
		tui_app_msg(app, 1, "diff: no second trace (start with vtui --diff BEFORE AFTER)");
		return -1;
	}
	if ((argc == 1 && tui_an_shown(app) == &tui_panel_diff) || (argc == 2 && argv[1][1] == 'f')) {
		tui_an_close(app); /* `diff off` closes whichever panel is open */
		return 0;
	}
	return tui_an_open(app, &tui_panel_diff);
}

/* The title's words for a ranking. */
static const char *rank_words(int rank)
{
	return rank == AN_DIFF_MEAN ? "by change of mean" : "by impact";
}

/* `diff-rank [auto|impact|mean]` (R in the panel): sort the rows again, the selected
 * function staying selected; no word: the other ranking. */
int tui_cmd_diff_rank(tui_app *app, int argc, char **argv)
{
	struct tui_diffview *dv = diff_of(app);
	enum an_diff_rank rank;
	const char *name;

	if (!dv) {
		tui_app_msg(app, 1, "diff-rank: no second trace (start with vtui --diff BEFORE AFTER)");
		return -1;
	}
	if (argc == 1)
		rank = dv->d->rank == AN_DIFF_MEAN ? AN_DIFF_IMPACT : AN_DIFF_MEAN;
	else if (an_diff_parse_rank(argv[1], &rank) < 0)
		return tui_cmd_usage(app);
	name = dv->sel < dv->d->count ? dv->d->rows[dv->sel].name : NULL;
	an_diff_rank(dv->d, rank);
	for (size_t i = 0; name && i < dv->d->count; i++)
		if (dv->d->rows[i].name == name) /* one row per name: the pointer says which */
			dv->sel = i;
	tui_app_msg(app, 0, "diff ranked %s%s", rank_words(dv->d->rank),
		    rank != AN_DIFF_AUTO ? ""
		    : dv->d->rank == AN_DIFF_MEAN ? " (auto: one trace spans more than 1.25 times the other)"
						   : " (auto: the traces span about the same time)");
	return tui_an_shown(app) == &tui_panel_diff ? 0 : tui_an_open(app, &tui_panel_diff);
}

#define NUM_W 9

static void signed_dur(char *buf, size_t len, uint64_t a, uint64_t b, int ascii)
{
	if (a == b) {
		snprintf(buf, len, "0");
		return;
	}
	buf[0] = b > a ? '+' : '-';
	an_fmt_dur(buf + 1, len - 1, b > a ? b - a : a - b, ascii);
}

/* The columns after the calls: total before, after, change; self the same; mean the same;
 * calls per second before and after. Where they do not all fit beside NAME_MIN columns of
 * names, the ones that matter least for the ranking go: each ranking lists its columns
 * most wanted first, and the kept ones show in the order above. */
#define NCOLS 11
enum { C_TOTAL_A, C_TOTAL_B, C_TOTAL_D, C_SELF_A, C_SELF_B, C_SELF_D, C_MEAN_A, C_MEAN_B, C_MEAN_D, C_RATE_A,
       C_RATE_B };
static const char *const col_heads[NCOLS] = { "total a", "total b", "total +-", "self a", "self b", "self +-",
					      "mean a", "mean b", "mean +-", "/s a", "/s b" };
static const int by_impact[NCOLS] = { C_TOTAL_D, C_SELF_D, C_TOTAL_A, C_TOTAL_B, C_MEAN_D, C_MEAN_A, C_MEAN_B,
				      C_RATE_A, C_RATE_B, C_SELF_A, C_SELF_B };
static const int by_mean[NCOLS] = { C_MEAN_D, C_MEAN_A, C_MEAN_B, C_RATE_A, C_RATE_B, C_TOTAL_D, C_SELF_D,
				    C_TOTAL_A, C_TOTAL_B, C_SELF_A, C_SELF_B };
#define NAME_MIN 28

/* Which columns show at width w; returns the name column's width. */
static int layout(int w, int rank, int shown[NCOLS])
{
	const int *want = rank == AN_DIFF_MEAN ? by_mean : by_impact;
	int room = w - 16 - NAME_MIN, used = 0;

	for (int c = 0; c < NCOLS; c++)
		shown[c] = 0;
	for (int i = 0; i < NCOLS && room - used >= NUM_W; i++, used += NUM_W)
		shown[want[i]] = 1;
	return w - 16 - used;
}

/* "12.5k/s"-like, in NUM_W columns. */
static void fmt_rate(char *buf, size_t len, double r)
{
	if (r < 1e3)
		snprintf(buf, len, "%.4g", r);
	else if (r < 1e6)
		snprintf(buf, len, "%.4gk", r / 1e3);
	else
		snprintf(buf, len, "%.4gM", r / 1e6);
}

/* Column c of row r as text; its style goes to *style. */
static void cell_text(const struct tui_diffview *dv, const an_diff_row *r, int c, int ascii, char *num, size_t len,
		      uint16_t *style)
{
	uint64_t v[9] = { r->total_a, r->total_b, 0, r->self_a, r->self_b, 0, an_diff_mean(r, 0),
			  an_diff_mean(r, 1), 0 };

	*style = TUI_STYLE_DEFAULT;
	if (c >= C_RATE_A) {
		fmt_rate(num, len, an_diff_rate(dv->d, r, c - C_RATE_A));
	} else if (c == C_TOTAL_D || c == C_SELF_D || c == C_MEAN_D) {
		signed_dur(num, len, v[c - 2], v[c - 1], ascii);
		*style = v[c - 1] > v[c - 2] ? TUI_STYLE_ERROR : TUI_STYLE_LABEL;
	} else {
		an_fmt_dur(num, len, v[c], ascii);
	}
}

static void draw_row(const struct tui_diffview *dv, tui_screen *s, int y, const an_diff_row *r, int name_w,
		     const int shown[NCOLS], int sel)
{
	int ascii = tui_screen_ascii(s), x = 15 + name_w;
	uint16_t attr = sel ? TUI_ATTR_REVERSE : 0, style;
	char num[32], cell[48], name[512];

	if (sel)
		tui_screen_fill(s, 0, y, tui_screen_width(s), L' ', TUI_STYLE_DEFAULT, attr);
	tui_elide(name, sizeof(name), r->name, name_w - 1, ascii);
	tui_screen_puts(s, 1, y, name, name_w - 1, TUI_STYLE_DEFAULT, attr);
	snprintf(cell, sizeof(cell), "%6llu>%-6llu", (unsigned long long)r->calls_a, (unsigned long long)r->calls_b);
	tui_screen_puts(s, 1 + name_w, y, cell, 14, TUI_STYLE_DEFAULT, attr);
	for (int c = 0; c < NCOLS; c++) {
		if (!shown[c])
			continue;
		cell_text(dv, r, c, ascii, num, sizeof(num), &style);
		snprintf(cell, sizeof(cell), "%*s", NUM_W, num);
		tui_screen_puts(s, x, y, cell, NUM_W, style, attr);
		x += NUM_W;
	}
}

static void draw_head(tui_screen *s, int y, int name_w, const int shown[NCOLS])
{
	char line[256];

	snprintf(line, sizeof(line), "%-*s%14s", name_w, "function", "calls a>b ");
	for (int c = 0; c < NCOLS; c++)
		if (shown[c])
			snprintf(line + strlen(line), sizeof(line) - strlen(line), "%*s", NUM_W, col_heads[c]);
	tui_screen_puts(s, 1, y, line, -1, TUI_STYLE_LABEL, TUI_ATTR_BOLD);
}

static void diff_draw(tui_app *app, void *st, tui_screen *s, int y0, int h)
{
	struct tui_diffview *dv = st;
	int w = tui_screen_width(s), shown[NCOLS], name_w = layout(w, dv ? dv->d->rank : 0, shown), rows = h - 2;
	const char *base = strrchr(dv ? dv->other_path : "", '/');
	char line[512];

	if (!dv)
		return;
	/* a and b as the columns say: the title fits 80 columns with its keys */
	snprintf(line, sizeof(line), "diff %s: %zu functions; showing %c, other: %s", rank_words(dv->d->rank),
		 dv->d->count, dv->showing_after ? 'b' : 'a', base ? base + 1 : dv->other_path);
	tui_panel_title(s, y0, line,
			app->an->focus ? "j/k move, Enter: its calls, A/B: show before/after, R: rank, Esc leaves"
				       : "o to focus");
	if (name_w < 8 || rows < 1)
		return;
	draw_head(s, y0 + 1, name_w, shown);
	if ((long)dv->sel < dv->top)
		dv->top = (int)dv->sel;
	if ((long)dv->sel >= dv->top + rows)
		dv->top = (int)dv->sel - rows + 1;
	dv->top = tui_list_top(dv->top, dv->d->count, rows);
	for (int i = 0; i < rows && (size_t)(dv->top + i) < dv->d->count; i++)
		draw_row(dv, s, y0 + 2 + i, &dv->d->rows[dv->top + i], name_w, shown, (size_t)(dv->top + i) == dv->sel);
}

/* ---- the class ---- */

/* The state comes from tui_app_set_diff only: without a second trace there is none. */
static void *diff_init(void)
{
	return NULL;
}

static void diff_free(void *st)
{
	tui_diffv_free(st);
}

static const tui_binding diff_keys[] = {
	{ 'R', "diff-rank", NULL },
	{ 0, NULL, NULL },
};

const tui_panel_ops tui_panel_diff = {
	.name = "diff", .init = diff_init, .free = diff_free, .draw = diff_draw, .move = diff_move,
	.enter = diff_enter, .function = diff_function, .keys = diff_keys,
};
