/* SPDX-License-Identifier: MIT */
/* presets_ui.c: presets in the viewer: `preset NAME`, `save-preset NAME`, and the picker
 * (`presets`, a small list to choose from). The files, their format and the search path
 * are filters/'s (flt_presets_*); a preset's filter words go through flt_preset_apply (all
 * or nothing), its other words are viewer commands, run afterwards in order. */
#include "tui/filter_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Presets that run presets: deeper than this is a loop. */
#define MAX_PRESET_DEPTH 4

static void set_error(struct tui_fview *fv, char *cause)
{
	free(fv->presets_error);
	fv->presets_error = cause;
}

int tui_app_open_presets(tui_app *app, const char *explicit_path, char **cause)
{
	struct tui_fview *fv = app->fv;
	char *err = NULL;
	int rc;

	free(fv->presets_path);
	fv->presets_path = explicit_path ? strdup(explicit_path) : NULL;
	flt_presets_free(fv->presets);
	fv->presets = NULL;
	rc = flt_presets_open(fv->presets_path, &fv->presets, &err);
	fv->presets_loaded = fv->presets != NULL;
	set_error(fv, err);
	if (rc < 0 && cause)
		*cause = err ? strdup(err) : strdup(flt_strerror(rc));
	return rc;
}

flt_presets *tui_presets_library(tui_app *app)
{
	struct tui_fview *fv = app->fv;

	if (!fv->presets_loaded) {
		char *path = fv->presets_path ? strdup(fv->presets_path) : NULL;

		tui_app_open_presets(app, path, NULL);
		free(path);
	}
	return fv->presets;
}

/* The names of the library, comma-separated, in buf. */
static void names_of(const flt_presets *lib, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; lib && i < flt_presets_count(lib); i++) {
		size_t n = strlen(buf);

		snprintf(buf + n, len - n, "%s%s", i ? ", " : "", flt_presets_at(lib, i)->name);
	}
}

/* The rest of a preset once its handed-back commands ran: its view, then its message. */
struct preset_rest {
	char *name;
	flt_preset_view view;
};

/* A copy of preset view `v` (NULL fields stay NULL); 0 or -1 when out of memory. */
static int view_copy(const flt_preset_view *v, flt_preset_view *out)
{
	out->thread = v->thread ? strdup(v->thread) : NULL;
	out->range = v->range ? strdup(v->range) : NULL;
	out->search = v->search ? strdup(v->search) : NULL;
	return (v->thread && !out->thread) || (v->range && !out->range) || (v->search && !out->search) ? -1 : 0;
}

static void view_free(flt_preset_view *v)
{
	free((char *)v->thread);
	free((char *)v->range);
	free((char *)v->search);
}

static void rest_free(struct preset_rest *r)
{
	if (!r)
		return;
	view_free(&r->view);
	free(r->name);
	free(r);
}

/* The preset's view, then "preset NAME: ...", after its filters and other commands (rc:
 * theirs). */
static int finish(tui_app *app, const char *name, const flt_preset_view *view, int rc)
{
	char said[384] = "", inner[sizeof(app->message)];

	if (rc == 0 && (rc = tui_preset_view_restore(app, view, said, sizeof(said))) < 0) {
		memcpy(inner, app->message, sizeof(inner));
		tui_app_msg(app, 1, "preset %s, its view: %s", name, inner);
	}
	if (rc == 0 && !app->message_is_error) {
		memcpy(inner, app->message, sizeof(inner));
		tui_app_msg(app, 0, "preset %s: %s%s", name, *said ? "applied" : inner[0] ? inner : "applied", said);
	}
	return rc;
}

/* tui_then's done: the handed-back commands ran (rc: theirs). */
static int after_others(tui_app *app, void *ctx, int rc)
{
	struct preset_rest *r = ctx;

	rc = finish(app, r->name, &r->view, rc);
	rest_free(r);
	return rc;
}

/* The viewer commands of a preset, handed back to run after its filters (commands.c runs
 * them, and then after_others); `rest` is taken over on success. */
static int hand_back(tui_app *app, const flt_preset *p, struct preset_rest *rest)
{
	char context[256];

	snprintf(context, sizeof(context), "preset %s", p->name);
	if (tui_cmd_then_as(app, context) < 0)
		return -1;
	for (size_t i = 0; i < p->command_count; i++)
		if (!flt_is_filter_command(p->commands[i]) && tui_cmd_then(app, p->commands[i]) < 0)
			return -1;
	return tui_cmd_then_done(app, after_others, rest);
}

/* Apply preset `p` of the library: its filters now; its other commands handed back, and
 * its view after them (they run once this command has returned: a save-preset among them
 * may reload the library, so the view is copied). */
static int apply(tui_app *app, const flt_preset *p)
{
	struct tui_fview *fv = app->fv;
	struct preset_rest *rest = calloc(1, sizeof(*rest));
	char *cause = NULL;
	flt_set *next = NULL;
	size_t skipped = 0;
	int rc = -1;

	if (!rest || !(rest->name = strdup(p->name)) || view_copy(&p->view, &rest->view) < 0 ||
	    !(next = flt_set_copy(fv->set, &cause))) {
		tui_app_msg(app, 1, "%s", cause ? cause : "out of memory");
		goto out;
	}
	if (flt_preset_apply(p, next, &skipped, &cause) < 0) {
		tui_app_msg(app, 1, "%s (filters unchanged)", cause ? cause : "preset failed");
		goto out;
	}
	rc = tui_fview_commit(app, next);
	next = NULL;
	if (rc == 0 && skipped) {
		if ((rc = hand_back(app, p, rest)) == 0)
			rest = NULL; /* the dispatcher's now */
	} else {
		rc = finish(app, rest->name, &rest->view, rc);
	}
out:
	rest_free(rest);
	flt_set_free(next);
	free(cause);
	return rc;
}

int tui_cmd_preset(tui_app *app, int argc, char **argv)
{
	struct tui_fview *fv = app->fv;
	char *name = tui_cmd_rest(app), names[512];
	const flt_presets *lib;
	const flt_preset *p;
	int rc = -1;

	(void)argc;
	(void)argv;
	if (!name || !*name) { /* a quoted empty name */
		tui_cmd_usage(app);
		goto out;
	}
	if (app->then_depth >= MAX_PRESET_DEPTH) {
		tui_app_msg(app, 1, "preset %s: presets run each other in a loop", name);
		goto out;
	}
	if (!(lib = tui_presets_library(app)) || !(p = flt_presets_get(lib, name))) {
		names_of(lib, names, sizeof(names));
		if (fv->presets_error)
			tui_app_msg(app, 1, "no preset '%s': %s", name, fv->presets_error);
		else
			tui_app_msg(app, 1, "no preset '%s' (%s%s)", name, *names ? "there are: " :
				    "no preset file: copy vtui's examples/presets.json to ~/.config/vtui/presets.json",
				    names);
		goto out;
	}
	rc = apply(app, p);
out:
	free(name);
	return rc;
}

/* The current filters as the commands of a preset that rebuilds them from scratch. */
static int preset_commands(const flt_set *s, char ***out, size_t *count)
{
	char **cmds = NULL, **all;
	size_t n = 0;

	if (flt_set_to_commands(s, &cmds, &n) < 0)
		return -1;
	all = calloc(n + 2, sizeof(*all));
	if (!all || !(all[0] = strdup("clear-filters"))) {
		free(all);
		flt_strv_free(cmds, n);
		return -1;
	}
	memcpy(all + 1, cmds, n * sizeof(*cmds));
	free(cmds);
	*out = all;
	*count = n + 1;
	return 0;
}

/* The directory of the user preset file when it does not exist yet (a save creates it),
 * malloc'd, or NULL. */
static char *missing_user_dir(void)
{
	char *dir = flt_presets_user_path(), *slash = dir ? strrchr(dir, '/') : NULL;

	if (slash)
		*slash = '\0';
	if (dir && (!slash || access(dir, F_OK) == 0)) {
		free(dir);
		dir = NULL;
	}
	return dir;
}

int tui_cmd_save_preset(tui_app *app, int argc, char **argv)
{
	char *rest = tui_cmd_rest(app), *name = rest, *cause = NULL, *saved = NULL, **cmds = NULL;
	char *new_dir = missing_user_dir(), created[600] = "";
	struct tui_preset_texts keep;
	flt_preset_view view = { NULL, NULL, NULL }; /* without --view: none (a view saved before goes) */
	flt_presets *lib;
	size_t n = 0;
	int rc = -1, with_view = 0;

	(void)argc;
	(void)argv;
	if (name && !strncmp(name, "--view", 6) && (name[6] == ' ' || !name[6])) {
		with_view = 1;
		for (name += 6; *name == ' '; name++)
			;
	}
	if (!name || !*name) {
		tui_cmd_usage(app);
		goto out;
	}
	if (!(lib = tui_presets_library(app)) || preset_commands(app->fv->set, &cmds, &n) < 0) {
		tui_app_msg(app, 1, "out of memory");
		goto out;
	}
	if (with_view)
		tui_preset_view_take(app, &view, &keep);
	if (flt_presets_save(lib, name, (const char *const *)cmds, n, NULL, &view, &saved,
			     &cause) < 0) {
		tui_app_msg(app, 1, "save-preset: %s", cause ? cause : "failed");
		goto out;
	}
	if (new_dir && !strncmp(saved, new_dir, strlen(new_dir)) && saved[strlen(new_dir)] == '/')
		snprintf(created, sizeof(created), " (created %s)", new_dir);
	tui_app_msg(app, 0, "saved preset %s (%zu command%s%s) to %s%s", name, n, n == 1 ? "" : "s",
		    with_view ? view.search ? ", thread, range, search" : ", thread, range" : "", saved, created);
	rc = 0;
out:
	free(new_dir);
	flt_strv_free(cmds, n);
	free(saved);
	free(cause);
	free(rest);
	return rc;
}

/* ---- the picker ---- */

int tui_cmd_presets(tui_app *app, int argc, char **argv)
{
	const flt_presets *lib = tui_presets_library(app);

	(void)argc;
	(void)argv;
	if (!lib || flt_presets_count(lib) == 0) {
		if (app->fv->presets_error)
			tui_app_msg(app, 1, "%s", app->fv->presets_error);
		else
			tui_app_msg(app, 1, "no presets: copy vtui's examples/presets.json to ~/.config/vtui/presets.json "
				    "or ./.vtui.json (or :save-preset NAME)");
		return -1;
	}
	app->fv->picker_pos = 0;
	app->mode = TUI_MODE_PICKER;
	if (app->fv->presets_error) /* the good files loaded: say what the bad one had */
		tui_app_msg(app, 1, "%s", app->fv->presets_error);
	return 0;
}

static void pick(tui_app *app, size_t i)
{
	const flt_preset *p = flt_presets_at(app->fv->presets, i);

	app->mode = TUI_MODE_NORMAL;
	if (p) {
		app->message[0] = '\0';
		app->message_is_error = 0;
		apply(app, p);
	}
}

void tui_picker_key(tui_app *app, int key)
{
	struct tui_fview *fv = app->fv;
	size_t n = fv->presets ? flt_presets_count(fv->presets) : 0;

	if (key == 'j' || key == TUI_KEY_DOWN || key == TUI_KEY_TAB)
		fv->picker_pos = n && fv->picker_pos + 1 < n ? fv->picker_pos + 1 : fv->picker_pos;
	else if (key == 'k' || key == TUI_KEY_UP || key == TUI_KEY_BTAB)
		fv->picker_pos = fv->picker_pos ? fv->picker_pos - 1 : 0;
	else if (key == TUI_KEY_ENTER || key == '\r')
		pick(app, fv->picker_pos);
	else if (key >= '1' && key <= '9' && (size_t)(key - '1') < n)
		pick(app, (size_t)(key - '1'));
	else if (key == TUI_KEY_ESC || key == 'q' || key == 'p' || key == TUI_KEY_CTRL('c'))
		app->mode = TUI_MODE_NORMAL;
}

static void picker_line(const flt_preset *p, size_t i, char *buf, size_t len)
{
	const char *base = strrchr(p->path, '/');

	snprintf(buf, len, " %zu  %-16s %s%s(%s)", i + 1, p->name, p->description,
		 *p->description ? "  " : "", base ? base + 1 : p->path);
}

void tui_draw_picker(tui_app *app, tui_screen *s, int y0, int h)
{
	const flt_presets *lib = app->fv->presets;
	size_t n = lib ? flt_presets_count(lib) : 0, top = 0;
	int w = tui_screen_width(s) - 4, rows = h - 2 < (int)n ? h - 2 : (int)n;
	char line[1024];

	if (w < 20 || rows < 1)
		return;
	if (app->fv->picker_pos >= top + (size_t)rows)
		top = app->fv->picker_pos - (size_t)rows + 1;
	tui_screen_fill(s, 2, y0, w, L' ', TUI_STYLE_HEADER, TUI_ATTR_BOLD);
	tui_screen_puts(s, 3, y0, "Presets: Enter or 1-9 applies, j/k move, Esc closes", w - 2,
			TUI_STYLE_HEADER, TUI_ATTR_BOLD);
	for (int r = 0; r < rows; r++) {
		size_t i = top + (size_t)r;
		uint16_t attr = i == app->fv->picker_pos ? TUI_ATTR_REVERSE | TUI_ATTR_BOLD : 0;

		picker_line(flt_presets_at(lib, i), i, line, sizeof(line));
		tui_screen_fill(s, 2, y0 + 1 + r, w, L' ', TUI_STYLE_DEFAULT, attr);
		tui_screen_puts(s, 2, y0 + 1 + r, line, w, TUI_STYLE_DEFAULT, attr);
	}
	tui_screen_fill(s, 2, y0 + 1 + rows, w, tui_screen_ascii(s) ? L'-' : L'─', TUI_STYLE_HEADER, 0);
}
