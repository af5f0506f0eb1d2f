/* SPDX-License-Identifier: MIT */
/* view_calls.c: the call-list panel (C): the selected thread read as a story, rows from
 * analysis/analysis.h. It follows the timeline both ways: a call selected in the timeline becomes the
 * panel's row (its thread's list, through its folded ancestor if one hides it), and a row
 * the panel moves to is selected in the timeline (a mark as the selected mark). E shows
 * the last calls before the incident. Nothing is kept per row: the panel holds the first
 * row drawn and the selected one, and each draw steps from the first over `h` rows. */
#include "tui/analysis.h"

#include <stdlib.h>
#include <string.h>

struct tui_callsview {
	calls_list *list;        /* of one thread of `of` */
	const vtb_trace *of;     /* a live view swaps traces: the list is rebuilt then */
	calls_pos sel, top;      /* the selected row, the first drawn */
	int have_sel;
	tui_ref followed;        /* the timeline selection the panel last took or gave */
	tui_mark_ref mark;       /* the same for the selected mark */
	int rows;                /* list rows of the last draw */
};

static int same_pos(calls_pos a, calls_pos b)
{
	return a.kind == b.kind && a.depth == b.depth && a.index == b.index;
}

/* The panel's state, made at the first use; NULL when out of memory. */
static struct tui_callsview *state(tui_app *app)
{
	return tui_an_state(app, &tui_panel_calls);
}

/* The panel's state on thread `thread` of the app's trace (a new list when the thread or
 * the trace changed); NULL when out of memory. */
static struct tui_callsview *on_thread(tui_app *app, int32_t thread)
{
	struct tui_callsview *cv = state(app);

	if (!cv)
		return NULL;
	if (cv->list && cv->of == app->model.trace && (int32_t)calls_list_thread(cv->list) == thread)
		return cv;
	calls_list_free(cv->list);
	cv->of = app->model.trace;
	cv->have_sel = 0;
	cv->followed = TUI_REF_NONE;
	cv->mark = (tui_mark_ref){ -1, 0 };
	if (thread < 0 || !(cv->list = calls_list_new(app->model.trace, (size_t)thread))) {
		cv->list = NULL;
		return thread < 0 ? cv : NULL;
	}
	cv->have_sel = calls_first(cv->list, &cv->sel) == 0;
	cv->top = cv->sel;
	return cv;
}

static int32_t focused_thread(const tui_app *app)
{
	return app->model.thread_count ? (int32_t)app->model.order[app->view.focus] : -1;
}

/* Take the timeline's selection (a call, else a mark) when it changed since the last look. */
static void follow(tui_app *app)
{
	struct tui_callsview *cv = state(app);
	tui_ref r = app->view.sel;
	tui_mark_ref mk = app->an->mark;

	if (r.thread >= 0 && memcmp(&r, &cv->followed, sizeof(r))) {
		if (!(cv = on_thread(app, r.thread)) || !cv->list)
			return;
		cv->have_sel = calls_of_call(cv->list, r.depth, r.index, &cv->sel) == 0 || cv->have_sel;
	} else if (r.thread < 0 && mk.thread >= 0 && (mk.thread != cv->mark.thread || mk.index != cv->mark.index)) {
		if (!(cv = on_thread(app, mk.thread)) || !cv->list)
			return;
		cv->have_sel = calls_of_mark(cv->list, mk.index, &cv->sel) == 0 || cv->have_sel;
	} else if (!cv->list) {
		on_thread(app, focused_thread(app));
		return;
	}
	cv->followed = r;
	cv->mark = mk;
}

/* Give the selected row to the timeline. */
static void lead(tui_app *app)
{
	struct tui_callsview *cv = state(app);
	int32_t t = (int32_t)calls_list_thread(cv->list);

	if (cv->sel.kind == CALLS_CALL) {
		tui_view_select(&app->view, &app->model, (tui_ref){ t, cv->sel.depth, cv->sel.index });
		app->an->mark.thread = -1;
	} else {
		app->an->mark = (tui_mark_ref){ t, cv->sel.index };
		app->view.sel = TUI_REF_NONE;
		tui_view_center(&app->view, &app->model, tui_model_thread(&app->model, t)->marks[cv->sel.index].ts_ns);
	}
	cv->followed = app->view.sel;
	cv->mark = app->an->mark;
}

static struct tui_callsview *ready(tui_app *app)
{
	struct tui_callsview *cv = state(app);

	if (cv && (cv->of != app->model.trace || !cv->list))
		cv = on_thread(app, focused_thread(app));
	if (cv && cv->list)
		follow(app);
	cv = state(app);
	return cv && cv->list && cv->have_sel ? cv : NULL;
}

static void callsv_move(tui_app *app, long delta)
{
	struct tui_callsview *cv = ready(app);

	if (!cv)
		return;
	if (delta <= -(long)1e15)
		calls_first(cv->list, &cv->sel);
	else if (delta >= (long)1e15)
		calls_last(cv->list, &cv->sel);
	for (long i = 0; i < labs(delta) && labs(delta) < (long)1e15; i++)
		if (calls_step(cv->list, &cv->sel, delta < 0 ? -1 : 1) < 0)
			break;
	lead(app);
}

/* left: fold the selected call, or go up to the call it is in; right: unfold; enter:
 * fold or unfold. */
static void callsv_fold(tui_app *app, const char *how)
{
	struct tui_callsview *cv = ready(app);
	calls_row r;

	if (!cv || calls_row_get(cv->list, cv->sel, &r) < 0)
		return;
	if (r.has_children && (how[0] == 'e' || (how[0] == 'l') == !r.folded)) {
		if (calls_fold(cv->list, cv->sel.depth, cv->sel.index, !r.folded) < 0)
			tui_app_msg(app, 1, "out of memory");
		return;
	}
	if (how[0] == 'l' && calls_up(cv->list, cv->sel, &cv->sel) == 0)
		lead(app);
}

/* The incident's row: the log record that dumped, else the last row at its moment inside
 * the call `goto incident` selects (an exception raised in a long call, `<module>` say: what
 * it did last, not its first line), else that call, else the last row at its moment. */
static int incident_row(const calls_list *l, const an_incident *in, calls_pos *out)
{
	calls_row call, last;

	if (in->reason == VTB_REASON_LOG && in->mark_thread == in->thread)
		return calls_of_mark(l, in->mark_index, out);
	if (in->call_depth < 0)
		return calls_at_time(l, in->at_ns, out);
	if (calls_of_call(l, (uint32_t)in->call_depth, in->call_index, out) < 0)
		return -1;
	if (calls_row_get(l, *out, &call) == 0 && call.slice && !call.folded &&
	    calls_at_time(l, in->at_ns, &last.pos) == 0 && calls_row_get(l, last.pos, &last) == 0 &&
	    last.indent > call.indent && last.ts_ns >= call.ts_ns && last.ts_ns <= call.ts_ns + call.dur_ns)
		*out = last.pos;
	return 0;
}

static int callsv_incident(tui_app *app)
{
	struct tui_callsview *cv;
	an_incident in;

	an_incident_find(app->model.trace, &in);
	if (in.thread < 0 || !(cv = on_thread(app, (int32_t)in.thread)) || !cv->list || incident_row(cv->list, &in, &cv->sel) < 0) {
		tui_app_msg(app, 1, "no call before the incident");
		return -1;
	}
	cv->have_sel = 1;
	cv->top = cv->sel;
	for (int i = 0; i < (cv->rows > 1 ? cv->rows - 1 : 10); i++) /* the calls before it above it */
		if (calls_step(cv->list, &cv->top, -1) < 0)
			break;
	lead(app);
	return 0;
}

/* Keep the selection on screen: on it, or less than a page past either end of it, the
 * window scrolls just enough; farther (a jump), the selection lands a third down. */
static void place_top(struct tui_callsview *cv, int rows)
{
	calls_pos p = cv->top;
	int i, back = rows / 3;

	for (i = 0; i < 2 * rows && !same_pos(p, cv->sel); i++)
		if (calls_step(cv->list, &p, 1) < 0)
			i = 2 * rows;
	if (i < rows)
		return;
	if (i < 2 * rows) {
		back = rows - 1;
	} else {
		p = cv->top;
		for (i = 0; i < rows && !same_pos(p, cv->sel); i++)
			if (calls_step(cv->list, &p, -1) < 0)
				i = rows;
		if (i < rows) {
			cv->top = cv->sel;
			return;
		}
	}
	p = cv->sel;
	for (i = 0; i < back && calls_step(cv->list, &p, -1) == 0; i++)
		;
	cv->top = p;
}

static void draw_row(tui_app *app, tui_screen *s, int y, const calls_row *r, int selected)
{
	int ascii = tui_screen_ascii(s), w = tui_screen_width(s);
	uint16_t style = TUI_STYLE_DEFAULT, attr = selected ? TUI_ATTR_REVERSE : 0;
	char cols[512], line[1536], label[900];
	calls_row shown = *r;

	if (r->mark)
		style = r->mark->kind == VTB_MARK_LOG && r->mark->level >= 40 ? TUI_STYLE_ERROR : TUI_STYLE_MARKER;
	else if (r->flags & VTB_CALL_EXCEPTION)
		style = TUI_STYLE_ERROR;
	if (shown.indent > (uint32_t)w / 4) /* deep stacks keep their names on screen */
		shown.indent = (uint32_t)w / 4;
	tui_calls_columns(cols, sizeof(cols), &shown, app->model.first_ns, ascii);
	calls_label(app->model.trace, r, label, sizeof(label));
	snprintf(line, sizeof(line), "%s%s%s", cols,
		 !r->has_children ? "  " : r->folded ? (ascii ? "+ " : "\xe2\x96\xb8 ") : (ascii ? "- " : "\xe2\x96\xbe "),
		 label);
	if (selected)
		tui_screen_fill(s, 0, y, w, L' ', style, attr);
	tui_screen_puts(s, 0, y, line, w, style, attr);
}

static void callsv_draw(tui_app *app, tui_screen *s, int y0, int h)
{
	struct tui_callsview *cv = ready(app);
	char title[320], who[200];
	calls_pos p;
	int rows = h - 1;

	cv = state(app);
	if (!cv || !cv->list) {
		tui_panel_title(s, y0, "calls", "C closes");
		tui_screen_puts(s, 2, y0 + 1, "no thread", -1, TUI_STYLE_DIM, 0);
		return;
	}
	tui_thread_label(tui_model_thread(&app->model, (int32_t)calls_list_thread(cv->list)), who, sizeof(who));
	snprintf(title, sizeof(title), "calls of %s", who);
	tui_panel_title(s, y0, title,
			app->an->focus ? "j/k move, Enter folds, h/l fold/unfold, E incident, Esc leaves, C closes"
				       : "o to focus");
	if (!cv->have_sel) {
		tui_screen_puts(s, 2, y0 + 1, "no calls or marks in this thread", -1, TUI_STYLE_DIM, 0);
		return;
	}
	cv->rows = rows;
	place_top(cv, rows);
	p = cv->top;
	for (int i = 0; i < rows; i++) {
		calls_row r;

		if (calls_row_get(cv->list, p, &r) < 0)
			break;
		draw_row(app, s, y0 + 1 + i, &r, same_pos(p, cv->sel));
		if (calls_step(cv->list, &p, 1) < 0)
			break;
	}
}

int tui_cmd_calls(tui_app *app, int argc, char **argv)
{
	const char *w = argc == 2 ? argv[1] : "";

	if (argc == 2 && strcmp(w, "on") && strcmp(w, "off") && strcmp(w, "incident"))
		return tui_cmd_usage(app);
	if (!strcmp(w, "off") || (argc == 1 && tui_an_shown(app) == &tui_panel_calls)) {
		if (tui_an_shown(app) == &tui_panel_calls)
			tui_an_close(app);
		return 0;
	}
	if (tui_an_open(app, &tui_panel_calls) < 0)
		return -1;
	return !strcmp(w, "incident") ? callsv_incident(app) : 0;
}

/* ---- the class ---- */

static void *callsv_init(void)
{
	return calloc(1, sizeof(struct tui_callsview));
}

static void callsv_free(void *st)
{
	struct tui_callsview *cv = st;

	if (!cv)
		return;
	calls_list_free(cv->list);
	free(cv);
}

/* A new snapshot: the list is rebuilt from the focused thread at the next draw. */
static void callsv_carry(void *to, const void *from)
{
	(void)to;
	(void)from;
}

static void callsv_draw_op(tui_app *app, void *st, tui_screen *s, int y0, int h)
{
	(void)st;
	callsv_draw(app, s, y0, h);
}

static void callsv_move_op(tui_app *app, void *st, const char *word, long delta)
{
	(void)st;
	if (delta)
		callsv_move(app, delta);
	else if (!strcmp(word, "left") || !strcmp(word, "right"))
		callsv_fold(app, word);
}

static int callsv_enter(tui_app *app, void *st, char *cmd, size_t len)
{
	(void)st;
	(void)cmd;
	(void)len;
	callsv_fold(app, "enter");
	return 0;
}

const tui_panel_ops tui_panel_calls = {
	.name = "calls", .init = callsv_init, .free = callsv_free, .carry = callsv_carry,
	.draw = callsv_draw_op, .move = callsv_move_op, .enter = callsv_enter,
};
