/* SPDX-License-Identifier: MIT */
/* analysis.c: the bottom panel (logs, statistics or flame graph) and the selected mark:
 * their state, layout, keys and commands. The panel sits between the timeline and the
 * details pane; when it has the focus, movement keys go to it (each through a named
 * `panel ...` command), every other key to the key table. */
#include "tui/analysis.h"
#include "tui/filter_view.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct tui_analysis *tui_an_new(tui_app *app)
{
	struct tui_analysis *an = calloc(1, sizeof(*an));

	if (!an)
		return NULL;
	app->view.an = an; /* the view asks for track rows through it */
	an->mark = (tui_mark_ref){ -1, 0 };
	an->stats_sort = TUI_COL_TOTAL;
	an->flame_sel = an->flame_zoom = 0;
	if (tui_tracks_init(an, &app->model) < 0) {
		app->view.an = NULL;
		tui_an_free(an);
		return NULL;
	}
	return an;
}

void tui_an_free(struct tui_analysis *an)
{
	if (!an)
		return;
	tui_tracks_fini(an);
	free(an->logs);
	free(an->log_shown);
	flt_pattern_free(an->log_re);
	tui_stats_free(an->stats);
	free(an->flame);
	tui_diffv_free(an->diff);
	tui_callsv_free(an->calls);
	free(an);
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

int tui_an_key(tui_app *app, int key)
{
	struct tui_analysis *an = app->an;

	if (!an || an->panel == TUI_PANEL_NONE || !an->focus)
		return 0;
	for (const tui_binding *b = panel_keys; b->key; b++) {
		if (b->key == key) {
			tui_app_exec(app, b->command);
			return 1;
		}
	}
	return 0;
}

int tui_an_panel_height(tui_app *app, int avail)
{
	struct tui_analysis *an = app->an;
	int h;

	if (!an || an->panel == TUI_PANEL_NONE || avail < 10)
		return 0;
	h = an->panel == TUI_PANEL_FLAME ? avail / 2 : avail * 2 / 5;
	return h < 4 ? 4 : h;
}

void tui_an_draw_panel(tui_app *app, tui_screen *s, int y0, int h)
{
	struct tui_analysis *an = app->an;

	if (!an || h < 2)
		return;
	if (an->panel == TUI_PANEL_LOGS)
		tui_logs_draw(app, s, y0, h);
	else if (an->panel == TUI_PANEL_STATS)
		tui_statsp_draw(app, s, y0, h);
	else if (an->panel == TUI_PANEL_FLAME)
		tui_flame_draw(app, s, y0, h);
	else if (an->panel == TUI_PANEL_DIFF)
		tui_diffv_draw(app, s, y0, h);
	else if (an->panel == TUI_PANEL_CALLS)
		tui_callsv_draw(app, s, y0, h);
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

/* ---- commands ---- */

static int bad(tui_app *app, const char *usage)
{
	tui_app_msg(app, 1, "usage: %s", usage);
	return -1;
}

void tui_an_open_panel(tui_app *app, int panel)
{
	app->an->panel = panel;
	app->an->focus = 1;
}

int tui_cmd_logs(tui_app *app, int argc, char **argv)
{
	struct tui_analysis *an = app->an;
	int on;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "on") && strcmp(argv[1], "off")))
		return bad(app, "logs [on|off]");
	on = argc == 2 ? argv[1][1] == 'n' : an->panel != TUI_PANEL_LOGS;
	if (!on) {
		an->panel = TUI_PANEL_NONE;
		return 0;
	}
	if (tui_logs_build(app) < 0)
		return -1;
	tui_an_open_panel(app, TUI_PANEL_LOGS);
	an->log_cursor = app->view.cursor_ns + 1; /* follow the cursor at the next draw */
	if (!an->log_count)
		tui_app_msg(app, 0, "this trace holds no log records");
	return 0;
}

/* "warning", "WARN", "30", "all". */
static int parse_level(const char *text, uint32_t *level)
{
	static const struct { const char *name; uint32_t level; } names[] = {
		{ "all", 0 }, { "debug", 10 }, { "info", 20 }, { "warning", 30 }, { "warn", 30 },
		{ "error", 40 }, { "critical", 50 }, { "fatal", 50 },
	};
	char *end;
	long n;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(text, names[i].name)) {
			*level = names[i].level;
			return 0;
		}
	n = strtol(text, &end, 10);
	if (end == text || *end || n < 0 || n > 1000)
		return -1;
	*level = (uint32_t)n;
	return 0;
}

int tui_cmd_log_level(tui_app *app, int argc, char **argv)
{
	uint32_t level;

	if (argc != 2 || parse_level(argv[1], &level) < 0)
		return bad(app, "log-level all|debug|info|warning|error|critical|N");
	app->an->log_min_level = level;
	if (tui_logs_build(app) < 0 || tui_logs_refilter(app) < 0)
		return -1;
	tui_an_open_panel(app, TUI_PANEL_LOGS);
	tui_app_msg(app, 0, "%zu of %zu log records shown", app->an->log_shown_count, app->an->log_count);
	return 0;
}

int tui_cmd_log_filter(tui_app *app, int argc, char **argv)
{
	struct tui_analysis *an = app->an;
	char *rest = tui_cmd_rest(app), *cause = NULL;
	flt_pattern *p = NULL;

	(void)argc;
	(void)argv;
	if (!rest) {
		tui_app_msg(app, 1, "out of memory");
		return -1;
	}
	if (*rest && !(p = flt_pattern_compile(rest, FLT_PAT_USER, &cause))) {
		tui_app_msg(app, 1, "log-filter: %s", cause ? cause : "bad pattern");
		free(cause);
		free(rest);
		return -1;
	}
	free(rest);
	flt_pattern_free(an->log_re);
	an->log_re = p;
	if (tui_logs_build(app) < 0 || tui_logs_refilter(app) < 0)
		return -1;
	tui_an_open_panel(app, TUI_PANEL_LOGS);
	tui_app_msg(app, 0, "%zu of %zu log records shown", an->log_shown_count, an->log_count);
	return 0;
}

static int parse_scope(const char *text, int *scope)
{
	if (!strcmp(text, "all"))
		*scope = TUI_SCOPE_ALL;
	else if (!strcmp(text, "visible"))
		*scope = TUI_SCOPE_VISIBLE;
	else if (!strcmp(text, "subtree"))
		*scope = TUI_SCOPE_SUBTREE;
	else
		return -1;
	return 0;
}

/* `stats` and `flame`: [visible|subtree|all|off]; no argument toggles. */
static int scoped_panel(tui_app *app, int argc, char **argv, int panel, int *scope)
{
	const char *usage = panel == TUI_PANEL_STATS ? "stats [visible|subtree|all|off]" : "flame [visible|subtree|all|off]";
	int next = *scope;

	if (argc > 2)
		return bad(app, usage);
	if ((argc == 1 && app->an->panel == panel) || (argc == 2 && !strcmp(argv[1], "off"))) {
		if (app->an->panel == panel)
			app->an->panel = TUI_PANEL_NONE;
		return 0;
	}
	if (argc == 2 && parse_scope(argv[1], &next) < 0)
		return bad(app, usage);
	if (next == TUI_SCOPE_SUBTREE && !tui_model_slice(&app->model, app->view.sel)) {
		tui_app_msg(app, 1, "%s subtree: select a call first (c, Tab)", argv[0]);
		return -1;
	}
	*scope = next;
	tui_an_open_panel(app, panel);
	return panel == TUI_PANEL_STATS ? tui_statsp_update(app) : tui_flame_update(app);
}

int tui_cmd_stats(tui_app *app, int argc, char **argv)
{
	return scoped_panel(app, argc, argv, TUI_PANEL_STATS, &app->an->stats_scope);
}

int tui_cmd_flame(tui_app *app, int argc, char **argv)
{
	return scoped_panel(app, argc, argv, TUI_PANEL_FLAME, &app->an->flame_scope);
}

int tui_cmd_sort(tui_app *app, int argc, char **argv)
{
	enum tui_stats_sort by;

	if (argc != 2 || tui_stats_parse_sort(argv[1], &by) < 0)
		return bad(app, "sort " TUI_STATS_SORT_WORDS);
	app->an->stats_sort = (int)by; /* the columns are in the sort keys' order */
	app->an->stats_sel = 0;
	app->an->stats_top = 0;
	if (app->an->panel != TUI_PANEL_STATS)
		tui_an_open_panel(app, TUI_PANEL_STATS);
	return tui_statsp_update(app);
}

/* The function the analysis keys act on: the stats row, the flame node, or the call. */
static uint32_t focused_function(tui_app *app)
{
	struct tui_analysis *an = app->an;
	const vtb_slice *sl = tui_model_slice(&app->model, app->view.sel);

	if (an->panel == TUI_PANEL_STATS && tui_statsp_selected(app) != UINT32_MAX)
		return tui_statsp_selected(app);
	if (an->panel == TUI_PANEL_FLAME && an->flame && an->flame_sel > 0 && an->flame_sel < an->flame_count)
		return an->flame[an->flame_sel].name_id;
	return sl ? sl->name_id : UINT32_MAX;
}

int tui_cmd_longest(tui_app *app, int argc, char **argv)
{
	uint32_t id = focused_function(app);

	(void)argv;
	if (argc != 1)
		return bad(app, "longest");
	if (id == UINT32_MAX) {
		tui_app_msg(app, 1, "longest: select a call, a statistics row or a flame graph node first");
		return -1;
	}
	return tui_select_longest(app, id);
}

int tui_select_longest(tui_app *app, uint32_t id)
{
	tui_ref best = TUI_REF_NONE;
	uint64_t max = 0;
	char dur[32];

	/* one pass over the calls: a command run on demand, not per frame */
	for (size_t t = 0; t < app->model.thread_count; t++) {
		const vtb_thread *th = tui_model_thread(&app->model, (int32_t)t);

		for (uint32_t d = 0; d < th->depth_count; d++)
			for (size_t i = 0; i < th->rows[d].count; i++) {
				const vtb_slice *sl = &th->rows[d].slices[i];

				if (sl->name_id == id && (best.thread < 0 || sl->dur_ns > max)) {
					max = sl->dur_ns;
					best = (tui_ref){ (int32_t)t, d, i };
				}
			}
	}
	if (best.thread < 0) {
		tui_app_msg(app, 1, "longest: %s has no calls", tui_model_name(&app->model, id));
		return -1;
	}
	tui_view_select(&app->view, &app->model, best);
	tui_view_show(&app->view, &app->model, tui_model_slice(&app->model, best)->start_ns,
		      tui_slice_end(tui_model_slice(&app->model, best)));
	app->an->mark.thread = -1;
	tui_fmt_dur(dur, sizeof(dur), max, app->ascii);
	tui_app_msg(app, 0, "longest call of %s: %s", tui_model_name(&app->model, id), dur);
	return 0;
}

static void panel_move(tui_app *app, long delta)
{
	struct tui_analysis *an = app->an;

	if (an->panel == TUI_PANEL_LOGS)
		tui_logs_move(app, delta);
	else if (an->panel == TUI_PANEL_STATS)
		tui_statsp_move(app, delta);
	else if (an->panel == TUI_PANEL_FLAME)
		tui_flame_move(app, delta < 0 ? "parent" : "child");
	else if (an->panel == TUI_PANEL_DIFF)
		tui_diffv_move(app, delta);
	else if (an->panel == TUI_PANEL_CALLS)
		tui_callsv_move(app, delta);
}

/* Enter in the open panel: the log record, the longest call of the stats row, the flame
 * node zoomed to, the diff row's calls. */
static int panel_enter(tui_app *app)
{
	struct tui_analysis *an = app->an;

	switch (an->panel) {
	case TUI_PANEL_LOGS:
		tui_logs_goto(app);
		return 0;
	case TUI_PANEL_FLAME:
		an->flame_zoom = an->flame_sel;
		return 0;
	case TUI_PANEL_DIFF:
		return tui_diffv_enter(app);
	case TUI_PANEL_CALLS:
		tui_callsv_fold(app, "enter");
		return 0;
	default:
		return tui_cmd_longest(app, 1, NULL);
	}
}

/* top, bottom, left, right: ends of a list; in the flame graph, the root and siblings. */
static void panel_ends(tui_app *app, const char *w)
{
	struct tui_analysis *an = app->an;

	if (an->panel == TUI_PANEL_FLAME && (!strcmp(w, "top") || !strcmp(w, "bottom")))
		an->flame_zoom = an->flame_sel = 0;
	else if (an->panel == TUI_PANEL_FLAME)
		tui_flame_move(app, w[0] == 'l' ? "prev" : "next");
	else if (an->panel == TUI_PANEL_CALLS && (w[0] == 'l' || w[0] == 'r'))
		tui_callsv_fold(app, w);
	else if (!strcmp(w, "top") || !strcmp(w, "bottom"))
		panel_move(app, w[0] == 't' ? -(long)1e15 : (long)1e15);
}

int tui_cmd_panel(tui_app *app, int argc, char **argv)
{
	static const char *const usage = "panel next|prev|left|right|page-down|page-up|top|bottom|enter|focus|close";
	struct tui_analysis *an = app->an;
	long page = app->screen_h > 0 ? app->screen_h / 3 : 10;
	const char *w = argc == 2 ? argv[1] : "";

	if (argc != 2)
		return bad(app, usage);
	if (an->panel == TUI_PANEL_NONE) {
		tui_app_msg(app, 1, "no panel is open (L logs, S statistics, M flame graph, V diff)");
		return -1;
	}
	if (!strcmp(w, "focus"))
		an->focus = !an->focus;
	else if (!strcmp(w, "close"))
		an->panel = TUI_PANEL_NONE;
	else if (!strcmp(w, "next") || !strcmp(w, "prev"))
		panel_move(app, w[0] == 'n' ? 1 : -1);
	else if (!strcmp(w, "page-down") || !strcmp(w, "page-up"))
		panel_move(app, w[5] == 'd' ? page : -page);
	else if (!strcmp(w, "top") || !strcmp(w, "bottom") || !strcmp(w, "left") || !strcmp(w, "right"))
		panel_ends(app, w);
	else if (!strcmp(w, "enter"))
		return panel_enter(app);
	else
		return bad(app, usage);
	return 0;
}

/* `mark next|prev|none`: the marks of the focused thread, from the cursor. */
int tui_cmd_mark(tui_app *app, int argc, char **argv)
{
	struct tui_analysis *an = app->an;
	int32_t t = app->model.thread_count ? (int32_t)app->model.order[app->view.focus] : -1;
	const vtb_thread *th = tui_model_thread(&app->model, t);
	uint64_t at = app->view.cursor_ns;
	size_t i;

	if (argc != 2 || (strcmp(argv[1], "next") && strcmp(argv[1], "prev") && strcmp(argv[1], "none")))
		return bad(app, "mark next|prev|none");
	if (argv[1][0] == 'n' && argv[1][1] == 'o') {
		an->mark.thread = -1;
		return 0;
	}
	if (!th || !th->mark_count) {
		tui_app_msg(app, 0, "this thread has no marks");
		return 0;
	}
	if (an->mark.thread == t && an->mark.index < th->mark_count)
		i = argv[1][0] == 'n' ? an->mark.index + 1 : an->mark.index;
	else
		i = argv[1][0] == 'n' ? tui_mark_find(th, at + 1) : tui_mark_find(th, at);
	if (argv[1][0] == 'p' && i == 0) {
		tui_app_msg(app, 0, "no previous mark");
		return 0;
	}
	i = argv[1][0] == 'p' ? i - 1 : i;
	if (i >= th->mark_count) {
		tui_app_msg(app, 0, "no next mark");
		return 0;
	}
	an->mark = (tui_mark_ref){ t, i };
	app->view.sel = TUI_REF_NONE;
	if (th->marks[i].ts_ns < app->view.start_ns || th->marks[i].ts_ns >= app->view.start_ns + app->view.span_ns)
		tui_view_center(&app->view, &app->model, th->marks[i].ts_ns);
	app->view.cursor_ns = th->marks[i].ts_ns;
	tui_view_clamp(&app->view, &app->model);
	return 0;
}

int tui_cmd_counter(tui_app *app, int argc, char **argv)
{
	struct tui_analysis *an = app->an;
	long n = an->counter;
	char *end;

	if (argc != 2)
		return bad(app, "counter next|prev|N");
	if (!an->counter_count) {
		tui_app_msg(app, 1, "this trace holds no counters");
		return -1;
	}
	if (!strcmp(argv[1], "next") || !strcmp(argv[1], "prev"))
		n += argv[1][0] == 'n' ? 1 : -1;
	else if ((n = strtol(argv[1], &end, 10) - 1) < 0 || *end)
		return bad(app, "counter next|prev|N");
	if (n < 0 || (size_t)n >= an->counter_count) {
		tui_app_msg(app, 0, "no such counter (%zu)", an->counter_count);
		return 0;
	}
	an->counter = (int)n;
	return 0;
}
