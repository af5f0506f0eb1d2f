/* SPDX-License-Identifier: MIT */
/* marks.c: `mark next|prev|none [KIND]`, the marks of the focused thread in time order
 * from the cursor: any kind, or only log records, instants, object snapshots, or
 * exceptions: the calls an exception began in (left by it, their last child not), in the
 * order they ended. Marks are found by binary search; exceptions by a pass over the
 * thread's calls (a few ms on a million). */
#include "tui/tui_private.h"
#include "tui/analysis.h"

#include <stdio.h>
#include <string.h>

enum kind { K_ANY, K_LOG, K_INSTANT, K_SNAPSHOT, K_EXCEPTION };
static const char *const kind_words[] = { "any", "log", "instant", "snapshot", "exception", NULL };
static const char *const kind_names[] = { "mark", "log record", "instant", "snapshot", "exception" };

static int kind_of(const char *word)
{
	for (int k = 0; kind_words[k]; k++)
		if (!strcmp(word, kind_words[k]))
			return k;
	return -1;
}

static int wanted(const vtb_mark *mk, int kind)
{
	return kind == K_ANY || (kind == K_LOG && mk->kind == VTB_MARK_LOG) ||
	       (kind == K_INSTANT && mk->kind == VTB_MARK_INSTANT) ||
	       (kind == K_SNAPSHOT && mk->kind == VTB_MARK_OBJECT);
}

/* The next (dir > 0) or previous mark of `kind` from the selected mark or the cursor. */
static int move_mark(tui_app *app, int32_t t, int dir, int kind)
{
	struct tui_analysis *an = app->an;
	const vtb_thread *th = tui_model_thread(&app->model, t);
	size_t i;

	if (an->mark.thread == t && an->mark.index < th->mark_count)
		i = dir > 0 ? an->mark.index + 1 : an->mark.index;
	else
		i = tui_mark_find(th, dir > 0 ? app->view.cursor_ns + 1 : app->view.cursor_ns);
	if (dir > 0)
		while (i < th->mark_count && !wanted(&th->marks[i], kind))
			i++;
	else
		while (i > 0 && !wanted(&th->marks[i - 1], kind))
			i--;
	if (dir < 0 && i-- == 0)
		i = th->mark_count;
	if (i >= th->mark_count) {
		tui_app_msg(app, 0, "no %s %s on this thread", dir > 0 ? "next" : "previous", kind_names[kind]);
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

/* The call an exception began in that ends next after `from` (dir > 0) or last before it. */
static tui_ref next_exception(const tui_model *m, int32_t t, uint64_t from, int dir)
{
	const vtb_thread *th = tui_model_thread(m, t);
	tui_ref best = TUI_REF_NONE;
	uint64_t best_end = 0;

	for (uint32_t d = 0; d < th->depth_count; d++)
		for (size_t i = 0; i < th->rows[d].count; i++) {
			const vtb_slice *s = &th->rows[d].slices[i];
			uint64_t end = tui_slice_end(s);
			tui_ref r = { t, d, i };

			if (!(s->flags & VTB_CALL_EXCEPTION) || (dir > 0 ? end <= from : end >= from) ||
			    (best.thread >= 0 && (dir > 0 ? end >= best_end : end <= best_end)) ||
			    !tui_exception_origin(m, r))
				continue;
			best = r;
			best_end = end;
		}
	return best;
}

static int move_exception(tui_app *app, int32_t t, int dir)
{
	const vtb_slice *cur = tui_model_slice(&app->model, app->view.sel);
	/* from the exception selected, else from the cursor */
	uint64_t from = cur && app->view.sel.thread == t && (cur->flags & VTB_CALL_EXCEPTION) &&
			tui_exception_origin(&app->model, app->view.sel) ? tui_slice_end(cur) : app->view.cursor_ns;
	tui_ref r = next_exception(&app->model, t, from, dir);
	const char *tb;

	if (r.thread < 0) {
		tui_app_msg(app, 0, "no %s exception on this thread", dir > 0 ? "next" : "previous");
		return 0;
	}
	app->an->mark = (tui_mark_ref){ -1, 0 };
	tui_view_select(&app->view, &app->model, r);
	tb = tui_incident_traceback(app, r);
	tui_app_msg(app, 0, "an exception left %s%s", tui_model_name(&app->model, tui_model_slice(&app->model, r)->name_id),
		    tb ? " (the unhandled one)" : "");
	return 0;
}

int tui_cmd_mark(tui_app *app, int argc, char **argv)
{
	int32_t t = app->model.thread_count ? (int32_t)app->model.order[app->view.focus] : -1;
	const vtb_thread *th = tui_model_thread(&app->model, t);
	int kind = argc == 3 ? kind_of(argv[2]) : K_ANY;

	if (kind < 0) /* the dispatcher checked the first word, not the kind */
		return tui_cmd_usage(app);
	if (!strcmp(argv[1], "none")) {
		app->an->mark.thread = -1;
		return 0;
	}
	if (!th) {
		tui_app_msg(app, 0, "the trace has no threads");
		return 0;
	}
	if (kind == K_EXCEPTION)
		return move_exception(app, t, argv[1][0] == 'n' ? 1 : -1);
	if (!th->mark_count) {
		tui_app_msg(app, 0, "this thread has no marks");
		return 0;
	}
	return move_mark(app, t, argv[1][0] == 'n' ? 1 : -1, kind);
}
