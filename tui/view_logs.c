/* SPDX-License-Identifier: MIT */
/* view_logs.c: the log panel. Every log record of every thread in one time-ordered array
 * (built at the first use), a list of the records the level and regex filters pass, and a
 * selection that follows the timeline's cursor (binary search) and moves it. */
#include "tui/analysis.h"
#include "tui/filter_view.h"

#include <stdlib.h>
#include <strings.h>
#include <string.h>

static struct tui_logs_panel *logs_of(tui_app *app)
{
	return tui_an_state(app, &tui_panel_logs); /* made when the panel opened */
}

static int logs_refilter(tui_app *app);

static int cmp_ent(const void *a, const void *b)
{
	const struct tui_log_ent *x = a, *y = b;

	if (x->ts_ns != y->ts_ns)
		return x->ts_ns < y->ts_ns ? -1 : 1;
	if (x->thread != y->thread)
		return x->thread < y->thread ? -1 : 1;
	return x->mark < y->mark ? -1 : x->mark > y->mark;
}

static int logs_build(tui_app *app)
{
	struct tui_logs_panel *lp = logs_of(app);
	size_t n = 0;

	if (lp->logs_built)
		return 0;
	for (size_t t = 0; t < app->model.thread_count; t++) {
		const vtb_thread *th = tui_model_thread(&app->model, (int32_t)t);

		for (size_t i = 0; i < th->mark_count; i++)
			n += th->marks[i].kind == VTB_MARK_LOG;
	}
	lp->logs = malloc((n + 1) * sizeof(*lp->logs));
	if (!lp->logs) {
		tui_app_msg(app, 1, "out of memory");
		return -1;
	}
	lp->log_count = 0;
	for (size_t t = 0; t < app->model.thread_count; t++) {
		const vtb_thread *th = tui_model_thread(&app->model, (int32_t)t);

		for (size_t i = 0; i < th->mark_count; i++)
			if (th->marks[i].kind == VTB_MARK_LOG)
				lp->logs[lp->log_count++] = (struct tui_log_ent){ th->marks[i].ts_ns, (int32_t)t, (uint32_t)i };
	}
	qsort(lp->logs, lp->log_count, sizeof(*lp->logs), cmp_ent);
	lp->logs_built = 1;
	return logs_refilter(app);
}

static const vtb_mark *ent_mark(const tui_app *app, const struct tui_log_ent *e)
{
	return &tui_model_thread(&app->model, e->thread)->marks[e->mark];
}

static int passes(tui_app *app, const struct tui_logs_panel *lp, const struct tui_log_ent *e)
{
	const vtb_mark *mk = ent_mark(app, e);
	const char *logger = tui_model_name(&app->model, mk->name_id);

	if (mk->level < lp->log_min_level)
		return 0;
	if (!lp->log_re)
		return 1;
	return flt_pattern_match(lp->log_re, mk->text, strlen(mk->text), NULL) == 1 ||
	       flt_pattern_match(lp->log_re, logger, strlen(logger), NULL) == 1;
}

/* Index in log_shown of the first record at or after t. */
static size_t shown_find(const struct tui_logs_panel *lp, uint64_t t)
{
	size_t lo = 0, hi = lp->log_shown_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (lp->logs[lp->log_shown[mid]].ts_ns < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int logs_refilter(tui_app *app)
{
	struct tui_logs_panel *lp = logs_of(app);
	uint32_t *shown = malloc((lp->log_count + 1) * sizeof(*shown));
	uint64_t at = lp->log_shown_count && lp->log_sel < lp->log_shown_count
			      ? lp->logs[lp->log_shown[lp->log_sel]].ts_ns : app->view.cursor_ns;

	if (!shown) {
		tui_app_msg(app, 1, "out of memory");
		return -1;
	}
	free(lp->log_shown);
	lp->log_shown = shown;
	lp->log_shown_count = 0;
	for (size_t i = 0; i < lp->log_count; i++)
		if (passes(app, lp, &lp->logs[i]))
			shown[lp->log_shown_count++] = (uint32_t)i;
	lp->log_sel = shown_find(lp, at);
	if (lp->log_sel >= lp->log_shown_count && lp->log_sel)
		lp->log_sel = lp->log_shown_count - 1;
	return 0;
}

static void logs_goto(tui_app *app)
{
	struct tui_logs_panel *lp = logs_of(app);
	const struct tui_log_ent *e;
	tui_view *v = &app->view;

	if (lp->log_sel >= lp->log_shown_count)
		return;
	e = &lp->logs[lp->log_shown[lp->log_sel]];
	app->an->mark = (tui_mark_ref){ e->thread, e->mark };
	v->sel = TUI_REF_NONE;
	for (size_t i = 0; i < app->model.thread_count; i++)
		if ((int32_t)app->model.order[i] == e->thread)
			v->focus = (uint32_t)i;
	v->folded[e->thread] = 0;
	v->follow = 1;
	if (e->ts_ns < v->start_ns || e->ts_ns >= v->start_ns + v->span_ns)
		tui_view_center(v, &app->model, e->ts_ns);
	v->cursor_ns = e->ts_ns;
	tui_view_clamp(v, &app->model);
	lp->log_cursor = v->cursor_ns;
}

void tui_logs_move(tui_app *app, long delta)
{
	struct tui_logs_panel *lp = logs_of(app);
	long n = (long)lp->log_shown_count, at = (long)lp->log_sel + delta;

	if (!n)
		return;
	lp->log_sel = (size_t)(at < 0 ? 0 : at >= n ? n - 1 : at);
	logs_goto(app);
}

static void draw_title(tui_app *app, tui_screen *s, int y)
{
	struct tui_logs_panel *lp = logs_of(app);
	char line[512];

	snprintf(line, sizeof(line), "logs: %zu of %zu records%s%s%s%s%s", lp->log_shown_count, lp->log_count,
		 lp->log_min_level ? ", level >= " : "", lp->log_min_level ? tui_level_name(lp->log_min_level) : "",
		 lp->log_re ? ", /" : "", lp->log_re ? flt_pattern_source(lp->log_re) : "", lp->log_re ? "/" : "");
	tui_panel_title(s, y, line, app->an->focus ? "j/k move, Enter shows, Esc leaves, L closes" : "o to focus");
}

static void draw_record(tui_app *app, tui_screen *s, int y, const struct tui_log_ent *e, int selected)
{
	const vtb_mark *mk = ent_mark(app, e);
	const vtb_thread *th = tui_model_thread(&app->model, e->thread);
	uint16_t style = mk->level >= 40 ? TUI_STYLE_ERROR : mk->level >= 30 ? TUI_STYLE_MARKER : TUI_STYLE_DEFAULT;
	uint16_t attr = (mk->level >= 40 ? TUI_ATTR_BOLD : 0) | (selected ? TUI_ATTR_REVERSE : 0);
	int ascii = tui_screen_ascii(s);
	char at[32], who[160], logger[64], thread[64], line[1024];

	tui_fmt_at(app, at, sizeof(at), mk->ts_ns, ascii);
	/* with several processes, the thread's name alone is ambiguous */
	snprintf(who, sizeof(who), "%.0u%s%s", app->model.process_groups > 1 ? th->pid : 0,
		 app->model.process_groups > 1 ? "/" : "", th->name && *th->name ? th->name : "thread");
	tui_elide(logger, sizeof(logger), tui_model_name(&app->model, mk->name_id), 14, ascii);
	tui_elide(thread, sizeof(thread), who, 14, ascii);
	/* columns padded by characters, not bytes (an ellipsis is three); the whole message:
	 * its line breaks show as blanks, and what is cut ends in an ellipsis */
	snprintf(line, sizeof(line), "%10s %-8s %s%*s %s%*s %s", at, tui_level_name(mk->level), logger,
		 14 - tui_text_cols(logger), "", thread, 14 - tui_text_cols(thread), "", mk->text);
	if (selected)
		tui_screen_fill(s, 0, y, tui_screen_width(s), L' ', style, attr);
	tui_screen_puts(s, 1, y, line, tui_screen_width(s) - 1, style, attr);
}

static void logs_draw(tui_app *app, tui_screen *s, int y0, int h)
{
	struct tui_logs_panel *lp = logs_of(app);
	int rows = h - 1;

	draw_title(app, s, y0);
	if (!lp->log_shown_count) {
		tui_screen_puts(s, 2, y0 + 1, lp->log_count ? "no record passes the filters" : "no log records",
				-1, TUI_STYLE_DIM, 0);
		return;
	}
	if (lp->log_cursor != app->view.cursor_ns) { /* the timeline moved: the panel follows */
		lp->log_sel = shown_find(lp, app->view.cursor_ns);
		if (lp->log_sel >= lp->log_shown_count)
			lp->log_sel = lp->log_shown_count - 1;
		lp->log_cursor = app->view.cursor_ns;
	}
	if ((long)lp->log_sel < lp->log_top)
		lp->log_top = (int)lp->log_sel;
	if ((long)lp->log_sel >= lp->log_top + rows)
		lp->log_top = (int)lp->log_sel - rows + 1;
	lp->log_top = tui_list_top(lp->log_top, lp->log_shown_count, rows);
	for (int i = 0; i < rows && (size_t)(lp->log_top + i) < lp->log_shown_count; i++)
		draw_record(app, s, y0 + 1 + i, &lp->logs[lp->log_shown[lp->log_top + i]],
			    (size_t)(lp->log_top + i) == lp->log_sel);
}

/* ---- commands ---- */

int tui_cmd_logs(tui_app *app, int argc, char **argv)
{
	struct tui_logs_panel *lp;
	int on = argc == 2 ? argv[1][1] == 'n' : tui_an_shown(app) != &tui_panel_logs;

	if (!on) { /* `logs off` closes whichever panel is open */
		tui_an_close(app);
		return 0;
	}
	if (tui_an_open(app, &tui_panel_logs) < 0)
		return -1;
	lp = logs_of(app);
	lp->log_cursor = app->view.cursor_ns + 1; /* follow the cursor at the next draw */
	if (!lp->log_count)
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
	struct tui_logs_panel *lp;
	uint32_t level;

	(void)argc;
	if (parse_level(argv[1], &level) < 0)
		return tui_cmd_usage(app);
	if (!(lp = logs_of(app)))
		return -1;
	lp->log_min_level = level;
	if (tui_an_open(app, &tui_panel_logs) < 0 || logs_refilter(app) < 0)
		return -1;
	tui_app_msg(app, 0, "%zu of %zu log records shown", lp->log_shown_count, lp->log_count);
	return 0;
}

int tui_cmd_log_filter(tui_app *app, int argc, char **argv)
{
	struct tui_logs_panel *lp = logs_of(app);
	char *rest = tui_cmd_rest(app), *cause = NULL;
	flt_pattern *p = NULL;

	(void)argc;
	(void)argv;
	if (!rest || !lp) {
		tui_app_msg(app, 1, "out of memory");
		free(rest);
		return -1;
	}
	if (*rest && !(p = flt_pattern_compile(rest, FLT_PAT_USER, &cause))) {
		tui_app_msg(app, 1, "log-filter: %s", cause ? cause : "bad pattern");
		free(cause);
		free(rest);
		return -1;
	}
	free(rest);
	flt_pattern_free(lp->log_re);
	lp->log_re = p;
	if (tui_an_open(app, &tui_panel_logs) < 0 || logs_refilter(app) < 0)
		return -1;
	tui_app_msg(app, 0, "%zu of %zu log records shown", lp->log_shown_count, lp->log_count);
	return 0;
}

/* ---- the class ---- */

static void *logs_init(void)
{
	return calloc(1, sizeof(struct tui_logs_panel));
}

static void logs_free(void *st)
{
	struct tui_logs_panel *lp = st;

	free(lp->logs);
	free(lp->log_shown);
	flt_pattern_free(lp->log_re);
	free(lp);
}

static void logs_carry(void *to, const void *from)
{
	((struct tui_logs_panel *)to)->log_min_level = ((const struct tui_logs_panel *)from)->log_min_level;
}

static int logs_update(tui_app *app, void *st)
{
	(void)st;
	return logs_build(app);
}

static void logs_draw_op(tui_app *app, void *st, tui_screen *s, int y0, int h)
{
	(void)st;
	logs_draw(app, s, y0, h);
}

static void logs_move_op(tui_app *app, void *st, const char *word, long delta)
{
	(void)st;
	(void)word;
	if (delta) /* left and right: nothing in a list */
		tui_logs_move(app, delta);
}

static int logs_enter(tui_app *app, void *st, char *cmd, size_t len)
{
	(void)st;
	(void)cmd;
	(void)len;
	logs_goto(app);
	return 0;
}

const tui_panel_ops tui_panel_logs = {
	.name = "logs", .init = logs_init, .free = logs_free, .carry = logs_carry, .update = logs_update,
	.draw = logs_draw_op, .move = logs_move_op, .enter = logs_enter,
};
