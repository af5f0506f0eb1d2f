/* SPDX-License-Identifier: MIT */
/* complete.c: Tab completion and history on the `:` line.
 *
 * Tab completes the word before the end of the line: a command name (first word), a
 * preset name (after preset and save-preset), a thread name (after filter-thread, as a
 * regex that matches it literally), a choice word (the first argument of a command that
 * takes one of a few words: `diff-rank mean`). One candidate is put in whole; several
 * are extended to their longest common prefix and listed on the status line. The history
 * Up and Down walk is history.c's. */
#include "tui/filter_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Command names and aliases, in help order: the one place that reads the tables. */
static const char *command_name(size_t i)
{
	const tui_command *c;
	size_t k = 0;

	for (size_t j = 0; (c = tui_cmd_at(j)); j++) {
		if (k++ == i)
			return c->name;
		if (c->alias && k++ == i)
			return c->alias;
	}
	return NULL;
}

/* The candidates of one kind: i-th name, NULL past the last. */
typedef const char *(*name_fn)(tui_app *app, size_t i);

static const char *command_at(tui_app *app, size_t i)
{
	(void)app;
	return command_name(i);
}

static const char *preset_at(tui_app *app, size_t i)
{
	flt_presets *lib = tui_presets_library(app);

	return lib && i < flt_presets_count(lib) ? flt_presets_at(lib, i)->name : NULL;
}

static const char *thread_at(tui_app *app, size_t i)
{
	const vtb_thread *th;

	if (i >= app->model.thread_count)
		return NULL;
	th = tui_model_thread(&app->model, (int32_t)app->model.order[i]);
	return th->name && *th->name ? th->name : "";
}

struct match {
	char common[256];  /* the longest common prefix of the candidates */
	size_t count;
	char list[200];    /* the first candidates, for the status line */
};

/* Is `name` a word of `list`? (Threads of several processes share names.) */
static int listed(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; (p = strstr(p, name)); p++)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
	return 0;
}

static void add_candidate(struct match *m, const char *name)
{
	size_t n = strlen(m->list), k = 0;

	if (listed(m->list, name))
		return;
	if (m->count++ == 0) {
		snprintf(m->common, sizeof(m->common), "%s", name);
	} else {
		while (m->common[k] && m->common[k] == name[k])
			k++;
		m->common[k] = '\0';
	}
	if (n + strlen(name) + 2 < sizeof(m->list))
		snprintf(m->list + n, sizeof(m->list) - n, "%s%s", n ? " " : "", name);
}

/* Regex metacharacters escaped, so a thread name matches as written. */
static void escape_regex(const char *in, char *out, size_t len)
{
	size_t n = 0;

	for (; *in && n + 2 < len; in++) {
		if (strchr("\\^$.|?*+()[]{}", *in))
			out[n++] = '\\';
		out[n++] = *in;
	}
	out[n] = '\0';
}

/* The i-th choice word of the command typed ("[auto|impact|mean]"): what the dispatcher
 * accepts as its first argument. */
static const char *choice_at(tui_app *app, size_t i)
{
	static char word[64];
	char name[64];
	const tui_command *c;

	snprintf(name, sizeof(name), "%.*s", (int)strcspn(app->cmdline, " "), app->cmdline);
	if (!(c = tui_command_find(name)) || !(c->flags & TUI_CMD_CHOICE))
		return NULL;
	return tui_cmd_choice_word(c, i, word, sizeof(word)) == 0 ? word : NULL;
}

/* The kind of word being typed: the first word is a command, then by the command. */
static name_fn kind_of(const char *line, size_t word_start, int *escape)
{
	size_t n = strcspn(line, " ");

	*escape = 0;
	if (word_start == 0)
		return command_at;
	if ((n == 6 && !strncmp(line, "preset", 6)) || (n == 11 && !strncmp(line, "save-preset", 11)))
		return preset_at;
	if (n == 13 && !strncmp(line, "filter-thread", 13)) {
		*escape = 1;
		return thread_at;
	}
	return word_start == n + 1 ? choice_at : NULL; /* the first argument */
}

void tui_line_complete(tui_app *app)
{
	char *line = app->cmdline, *word = strrchr(line, ' ');
	size_t start = word ? (size_t)(word - line) + 1 : 0, wlen = strlen(line + start);
	int escape, done;
	name_fn fn = kind_of(line, start, &escape);
	struct match m = { .count = 0 };
	const char *name;

	app->message[0] = '\0';
	for (size_t i = 0; fn && (name = fn(app, i)); i++) {
		char esc[256];

		if (escape) {
			escape_regex(name, esc, sizeof(esc));
			name = esc;
		}
		if (*name && !strncmp(name, line + start, wlen))
			add_candidate(&m, name);
	}
	if (m.count == 0)
		return;
	done = m.count == 1 && start + strlen(m.common) + 1 < sizeof(app->cmdline);
	snprintf(line + start, sizeof(app->cmdline) - start, "%s%s", m.common, done ? " " : "");
	app->cmdline_len = strlen(line);
	if (m.count > 1)
		tui_app_msg(app, 0, "%s", m.list);
}
