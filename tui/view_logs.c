/* SPDX-License-Identifier: MIT */
/* view_logs.c: the log panel. Every log record of every thread in one time-ordered array
 * (built at the first use), a list of the records the level and regex filters pass, and a
 * selection that follows the timeline's cursor (binary search) and moves it. */
#include "tui/analysis.h"

#include <stdlib.h>
#include <string.h>

const char *tui_level_name(uint32_t level)
{
	if (level >= 50)
		return "CRITICAL";
	if (level >= 40)
		return "ERROR";
	if (level >= 30)
		return "WARNING";
	if (level >= 20)
		return "INFO";
	if (level >= 10)
		return "DEBUG";
	return "NOTSET";
}

static int cmp_ent(const void *a, const void *b)
{
	const struct tui_log_ent *x = a, *y = b;

	if (x->ts_ns != y->ts_ns)
		return x->ts_ns < y->ts_ns ? -1 : 1;
	if (x->thread != y->thread)
		return x->thread < y->thread ? -1 : 1;
	return x->mark < y->mark ? -1 : x->mark > y->mark;
}

int tui_logs_build(tui_app *app)
{
	struct tui_analysis *an = app->an;
	size_t n = 0;

	if (an->logs_built)
		return 0;
	for (size_t t = 0; t < app->model.thread_count; t++) {
		const vtb_thread *th = tui_model_thread(&app->model, (int32_t)t);

		for (size_t i = 0; i < th->mark_count; i++)
			n += th->marks[i].kind == VTB_MARK_LOG;
	}
	an->logs = malloc((n + 1) * sizeof(*an->logs));
	if (!an->logs) {
		tui_app_msg(app, 1, "out of memory");
		return -1;
	}
	an->log_count = 0;
	for (size_t t = 0; t < app->model.thread_count; t++) {
		const vtb_thread *th = tui_model_thread(&app->model, (int32_t)t);

		for (size_t i = 0; i < th->mark_count; i++)
			if (th->marks[i].kind == VTB_MARK_LOG)
				an->logs[an->log_count++] = (struct tui_log_ent){ th->marks[i].ts_ns, (int32_t)t, (uint32_t)i };
	}
	qsort(an->logs, an->log_count, sizeof(*an->logs), cmp_ent);
	an->logs_built = 1;
	return tui_logs_refilter(app);
}

static const vtb_mark *ent_mark(const tui_app *app, const struct tui_log_ent *e)
{
	return &tui_model_thread(&app->model, e->thread)->marks[e->mark];
}

static int passes(tui_app *app, const struct tui_log_ent *e)
{
	const vtb_mark *mk = ent_mark(app, e);
	const char *logger = tui_model_name(&app->model, mk->name_id);

	if (mk->level < app->an->log_min_level)
		return 0;
	if (!app->an->log_re)
		return 1;
	return flt_pattern_match(app->an->log_re, mk->text, strlen(mk->text), NULL) == 1 ||
	       flt_pattern_match(app->an->log_re, logger, strlen(logger), NULL) == 1;
}

/* Index in log_shown of the first record at or after t. */
static size_t shown_find(const struct tui_analysis *an, uint64_t t)
{
	size_t lo = 0, hi = an->log_shown_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (an->logs[an->log_shown[mid]].ts_ns < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int tui_logs_refilter(tui_app *app)
{
	struct tui_analysis *an = app->an;
	uint32_t *shown = malloc((an->log_count + 1) * sizeof(*shown));
	uint64_t at = an->log_shown_count && an->log_sel < an->log_shown_count
			      ? an->logs[an->log_shown[an->log_sel]].ts_ns : app->view.cursor_ns;

	if (!shown) {
		tui_app_msg(app, 1, "out of memory");
		return -1;
	}
	free(an->log_shown);
	an->log_shown = shown;
	an->log_shown_count = 0;
	for (size_t i = 0; i < an->log_count; i++)
		if (passes(app, &an->logs[i]))
			shown[an->log_shown_count++] = (uint32_t)i;
	an->log_sel = shown_find(an, at);
	if (an->log_sel >= an->log_shown_count && an->log_sel)
		an->log_sel = an->log_shown_count - 1;
	return 0;
}

void tui_logs_goto(tui_app *app)
{
	struct tui_analysis *an = app->an;
	const struct tui_log_ent *e;
	tui_view *v = &app->view;

	if (an->log_sel >= an->log_shown_count)
		return;
	e = &an->logs[an->log_shown[an->log_sel]];
	an->mark = (tui_mark_ref){ e->thread, e->mark };
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
	an->log_cursor = v->cursor_ns;
}

void tui_logs_move(tui_app *app, long delta)
{
	struct tui_analysis *an = app->an;
	long n = (long)an->log_shown_count, at = (long)an->log_sel + delta;

	if (!n)
		return;
	an->log_sel = (size_t)(at < 0 ? 0 : at >= n ? n - 1 : at);
	tui_logs_goto(app);
}

static void draw_title(tui_app *app, tui_screen *s, int y)
{
	struct tui_analysis *an = app->an;
	char line[512];

	snprintf(line, sizeof(line), "logs: %zu of %zu records%s%s%s%s%s", an->log_shown_count, an->log_count,
		 an->log_min_level ? ", level >= " : "", an->log_min_level ? tui_level_name(an->log_min_level) : "",
		 an->log_re ? ", /" : "", an->log_re ? flt_pattern_source(an->log_re) : "", an->log_re ? "/" : "");
	tui_panel_title(s, y, line, an->focus ? "j/k move, Enter shows, Esc leaves, L closes" : "o to focus");
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

void tui_logs_draw(tui_app *app, tui_screen *s, int y0, int h)
{
	struct tui_analysis *an = app->an;
	int rows = h - 1;

	draw_title(app, s, y0);
	if (!an->log_shown_count) {
		tui_screen_puts(s, 2, y0 + 1, an->log_count ? "no record passes the filters" : "no log records",
				-1, TUI_STYLE_DIM, 0);
		return;
	}
	if (an->log_cursor != app->view.cursor_ns) { /* the timeline moved: the panel follows */
		an->log_sel = shown_find(an, app->view.cursor_ns);
		if (an->log_sel >= an->log_shown_count)
			an->log_sel = an->log_shown_count - 1;
		an->log_cursor = app->view.cursor_ns;
	}
	if ((long)an->log_sel < an->log_top)
		an->log_top = (int)an->log_sel;
	if ((long)an->log_sel >= an->log_top + rows)
		an->log_top = (int)an->log_sel - rows + 1;
	an->log_top = tui_list_top(an->log_top, an->log_shown_count, rows);
	for (int i = 0; i < rows && (size_t)(an->log_top + i) < an->log_shown_count; i++)
		draw_record(app, s, y0 + 1 + i, &an->logs[an->log_shown[an->log_top + i]],
			    (size_t)(an->log_top + i) == an->log_sel);
}
