/* SPDX-License-Identifier: MIT */
/* preset_view.c: the view a preset keeps besides its commands (`save-preset --view`): the
 * focused thread by name, the visible range in times from the trace's start, and the
 * search. filters/ reads and writes the "view" key (filters.h); this file takes the view
 * from the viewer and puts it back. */
#include "tui/filter_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tui_preset_view_take(tui_app *app, flt_preset_view *out, struct tui_preset_texts *keep)
{
	const tui_view *v = &app->view;
	const tui_model *m = &app->model;
	const vtb_thread *th = m->thread_count ? tui_model_thread(m, (int32_t)m->order[v->focus]) : NULL;
	uint64_t res = v->span_ns / 1000 ? v->span_ns / 1000 : 1;
	char a[32], b[32];

	memset(out, 0, sizeof(*out));
	if (th) {
		if (th->name && *th->name)
			snprintf(keep->thread, sizeof(keep->thread), "%s", th->name);
		else
			snprintf(keep->thread, sizeof(keep->thread), "tid %llu", (unsigned long long)th->tid);
		out->thread = keep->thread;
	}
	/* ASCII units ("us"): the text is for a file, and parses back the same */
	an_fmt_time(a, sizeof(a), v->start_ns - m->first_ns, an_time_res(v->start_ns - m->first_ns, res), 1);
	an_fmt_time(b, sizeof(b), v->start_ns + v->span_ns - m->first_ns,
		     an_time_res(v->start_ns + v->span_ns - m->first_ns, res), 1);
	snprintf(keep->range, sizeof(keep->range), "%s..%s", a, b);
	out->range = keep->range;
	if (app->fv->search)
		out->search = flt_pattern_source(app->fv->search);
}

static int restore_thread(tui_app *app, const char *name)
{
	const tui_model *m = &app->model;
	char tid[32];

	for (size_t i = 0; i < m->thread_count; i++) {
		const vtb_thread *th = tui_model_thread(m, (int32_t)m->order[i]);

		snprintf(tid, sizeof(tid), "tid %llu", (unsigned long long)th->tid);
		if ((th->name && !strcmp(th->name, name)) || !strcmp(tid, name)) {
			app->view.focus = (uint32_t)i;
			app->view.sel = TUI_REF_NONE;
			app->view.follow = 1;
			app->view.folded[m->order[i]] = 0;
			return 0;
		}
	}
	tui_app_msg(app, 1, "no thread '%s' in this trace", name);
	return -1;
}

static int restore_range(tui_app *app, const char *text)
{
	uint64_t t0, t1;
	char err[160];

	if (an_parse_range(app->model.first_ns, app->model.last_ns, text, &t0, &t1, err, sizeof(err)) < 0) {
		tui_app_msg(app, 1, "view range: %s", err);
		return -1;
	}
	app->view.start_ns = t0;
	app->view.span_ns = t1 - t0;
	app->view.cursor_ns = t0 + (t1 - t0) / 2;
	tui_view_clamp(&app->view, &app->model);
	return 0;
}

int tui_preset_view_restore(tui_app *app, const flt_preset_view *v, char *said, size_t len)
{
	said[0] = '\0';
	if (v->search) { /* first: going to its first match moves the view the range then sets */
		if (tui_search_run(app, v->search) < 0)
			return -1;
		snprintf(said + strlen(said), len - strlen(said), ", search /%s/", v->search);
	}
	if (v->thread) {
		if (restore_thread(app, v->thread) < 0)
			return -1;
		snprintf(said + strlen(said), len - strlen(said), ", thread %s", v->thread);
	}
	if (v->range) {
		if (restore_range(app, v->range) < 0)
			return -1;
		snprintf(said + strlen(said), len - strlen(said), ", view %s", v->range);
	}
	return 0;
}
