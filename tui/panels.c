/* SPDX-License-Identifier: MIT */
/* panels.c: the registry of panel classes, and the analysis state made with them. Apart
 * from analysis.c so that the classes, which call analysis.c, are not called back
 * through it: app.c -> panels.c -> view_*.c -> analysis.c. */
#include "tui/analysis.h"

#include <stdlib.h>

/* The panel classes, in no particular order: one line registers a new one. */
static const tui_panel_ops *const classes[] = {
	&tui_panel_logs,
	&tui_panel_stats,
	&tui_panel_flame,
	&tui_panel_diff,
	&tui_panel_calls,
};

_Static_assert(sizeof(classes) / sizeof(classes[0]) <= TUI_PANEL_CLASSES, "TUI_PANEL_CLASSES is too small");

struct tui_analysis *tui_an_new(tui_app *app)
{
	struct tui_analysis *an = calloc(1, sizeof(*an));

	if (!an)
		return NULL;
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		an->panels[i].ops = classes[i];
	app->view.an = an; /* the view asks for track rows through it */
	an->mark = (tui_mark_ref){ -1, 0 };
	if (tui_tracks_init(an, &app->model) < 0) {
		app->view.an = NULL;
		tui_an_free(an);
		return NULL;
	}
	return an;
}
