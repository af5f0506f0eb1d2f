/* SPDX-License-Identifier: MIT */
/* commands.c: the command language's dispatcher. Keys (keys.c), the `:` line, `--cmd`,
 * presets and the tests all run command lines; a line is a name and whitespace-separated
 * arguments ('...' or "..." keep spaces, as a regex will need). The commands themselves
 * are rows of topic tables in tui/cmd-*.c; this file splits a line, finds its row, checks
 * the arguments against the row and only then runs its handler.
 *
 * Adding a command:
 *   1. write its handler, `static int cmd_NAME(tui_app *app, int argc, char **argv)`, in
 *      the cmd-*.c file of its topic (view, filter, panel, app), or export it from the
 *      file that owns its state: argv[0] is the name, the argument count and a
 *      TUI_CMD_CHOICE word are already checked; change the state and return 0, or call
 *      tui_app_msg(app, 1, "...") with what was wrong (tui_cmd_usage() for a bad value)
 *      and return -1;
 *   2. add its row to that file's table: name, alias, usage, min and max argument
 *      counts, flags (enum tui_cmd_flag), one line of help, handler, and the man page's
 *      text when it has more to say than the help line (markup: man_commands.c);
 *   3. run `make man-commands`, which rewrites man/vtui.1's list of commands from the
 *      tables (test_tui fails until the page agrees), and bind a key in keys.c if it
 *      deserves one.
 * The help view and Tab completion read the tables (tui_cmd_at), so a new row is on
 * screen at once. A new topic file adds its table to `topics` below.
 *
 * A handler that needs other commands run (a preset, Enter in a panel) hands their lines
 * back with tui_cmd_then (message.c) instead of running them: this file runs them after
 * it returns, so no handler calls back up into the tables that name it.
 */
#include "tui/tui_private.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 16

/* The topic tables in the order :help and the man page list them, with the man page's
 * heading and opening text for each. */
static const struct topic {
	const tui_command *rows;
	const char *title;
	const char *intro; /* markup (man_commands.c), or NULL */
} topics[] = {
	{ tui_cmds_view, "Moving around", NULL },
	{ tui_cmds_filter, "Filters, search and presets",
	  "Filters change what the timeline shows; they are always listed in the status line, in\n"
	  "brackets, as the commands that would rebuild them.\n"
	  "Each pattern runs once per function name of the trace, never per call (the text fields\n"
	  "below aside).\n"
	  "A command with a bad pattern or value shows the error and leaves the filters as they were.\n"
	  "Selection moves and thread moves pass over the calls and threads the filters hide.\n"
	  "_REGEX_ is a PCRE2 pattern, the rest of the line after the command word, taken as it is\n"
	  "(blanks and quotes included); it matches anywhere in the name unless anchored.\n"
	  "A pattern that backtracks badly is stopped: each name has a match limit, and one\n"
	  "evaluation over all the names of a trace has 3 seconds of CPU time; passing either is an\n"
	  "error that says so." },
	{ tui_cmds_panel, "Tracks and panels", NULL },
	{ tui_cmds_app, "Other", NULL },
};
#define TOPICS (sizeof(topics) / sizeof(topics[0]))

/* The topic of the i-th command, and i made an index in its table; TOPICS past the end. */
static size_t topic_of(size_t *i)
{
	for (size_t t = 0; t < TOPICS; t++) {
		size_t n = 0;

		while (topics[t].rows[n].name)
			n++;
		if (*i < n)
			return t;
		*i -= n;
	}
	return TOPICS;
}

const tui_command *tui_cmd_at(size_t i)
{
	size_t t = topic_of(&i);

	return t < TOPICS ? &topics[t].rows[i] : NULL;
}

const char *tui_cmd_topic(size_t i, const char **intro)
{
	size_t t = topic_of(&i);

	if (t == TOPICS || i > 0)
		return NULL;
	*intro = topics[t].intro;
	return topics[t].title;
}

const tui_command *tui_command_find(const char *name)
{
	for (size_t t = 0; t < TOPICS; t++)
		for (const tui_command *c = topics[t].rows; c->name; c++)
			if (!strcmp(c->name, name) || (c->alias && !strcmp(c->alias, name)))
				return c;
	return NULL;
}

int tui_cmd_choice_word(const tui_command *c, size_t i, char *buf, size_t len)
{
	const char *p = c->usage + (*c->usage == '['), *end = p + strcspn(p, " ]");

	for (; p < end; p += strcspn(p, "|") + 1, i--)
		if (i == 0) {
			size_t n = strcspn(p, "|");

			snprintf(buf, len, "%.*s", (int)(p + n > end ? (size_t)(end - p) : n), p);
			return 0;
		}
	return -1;
}

/* Whether `word` is one of the choice words of the row. */
static int usage_word(const tui_command *c, const char *word)
{
	char w[64];

	for (size_t i = 0; tui_cmd_choice_word(c, i, w, sizeof(w)) == 0; i++)
		if (!strcmp(w, word))
			return 1;
	return 0;
}

/* The row's checks: argument counts, then the choice word. */
static int check_args(const tui_command *c, int argc, char **argv)
{
	if (argc - 1 < c->min_args)
		return -1;
	if (c->flags & TUI_CMD_TEXT)
		return 0;
	if (argc - 1 > c->max_args)
		return -1;
	if ((c->flags & TUI_CMD_CHOICE) && argc > 1 && !usage_word(c, argv[1]))
		return -1;
	return 0;
}

/* Split `line` in place into argv; quotes group, and are removed. */
static int split(char *line, char **argv)
{
	int argc = 0;
	char *p = line, *o;

	while (*p && argc < MAX_ARGS) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		argv[argc++] = o = p;
		while (*p && !isspace((unsigned char)*p)) {
			char q = *p;

			if (q == '\'' || q == '"') {
				for (p++; *p && *p != q; p++)
					*o++ = *p;
				if (*p)
					p++;
			} else {
				*o++ = *p++;
			}
		}
		if (*p)
			p++;
		*o = '\0';
	}
	return argc;
}

/* The lines a handler handed back, after it returned rc (tui_cmd_then, tui_cmd_then_as),
 * then its done (tui_cmd_then_done). */
static int run_then(tui_app *app, tui_then *t, int rc)
{
	char inner[sizeof(app->message)];

	if (rc == 0 && t->count) {
		app->then_depth++;
		for (size_t i = 0; i < t->count; i++) {
			if (!t->context)
				app->message[0] = '\0';
			if ((rc = tui_command_run(app, t->lines[i])) < 0 && t->context) {
				memcpy(inner, app->message, sizeof(inner));
				tui_app_msg(app, 1, "%s, '%s': %s", t->context, t->lines[i], inner);
				break;
			}
		}
		app->then_depth--;
	}
	return t->done ? t->done(app, t->done_ctx, rc) : rc;
}

static void then_free(tui_then *t)
{
	for (size_t i = 0; i < t->count; i++)
		free(t->lines[i]);
	free(t->lines);
	free(t->context);
}

int tui_command_run(tui_app *app, const char *line)
{
	char *copy = strdup(line), *argv[MAX_ARGS + 1];
	const char *outer;
	const tui_command *c, *outer_cmd;
	tui_then then = { 0 }, *outer_then;
	int argc, rc = -1;

	if (!copy) {
		tui_app_msg(app, 1, "out of memory");
		return -1;
	}
	argc = split(copy, argv);
	argv[argc] = NULL;
	if (argc == 0) {
		rc = 0;
		goto out;
	}
	c = tui_command_find(argv[0]);
	if (!c) {
		tui_app_msg(app, 1, "unknown command '%s' (:help lists them)", argv[0]);
		goto out;
	}
	outer = app->cmd_line; /* handed-back lines run from inside the line that handed them */
	outer_cmd = app->cmd;
	outer_then = app->then;
	app->cmd_line = line;
	app->cmd = c;
	app->then = &then;
	rc = check_args(c, argc, argv) < 0 ? tui_cmd_usage(app) : c->run(app, argc, argv);
	app->cmd_line = outer;
	app->cmd = outer_cmd;
	app->then = outer_then;
	rc = run_then(app, &then, rc);
	then_free(&then);
out:
	free(copy);
	return rc;
}
