/* SPDX-License-Identifier: MIT */
/* man_commands.c: the command tables as man/vtui.1's list of commands. Between two marker
 * lines the page holds what tui_cmd_man writes from the topics (tui_cmd_topic) and rows
 * (name, alias, usage, man text, else help); `make man-commands` (tools/man-commands.c)
 * rewrites that part, and test_tui fails while the page and the tables disagree.
 *
 * The man texts are a light markup, so that the tables hold no roff escapes: *bold* and
 * _italic_, each ending at the end of its line at the latest (an underscore after a letter
 * or a digit opens nothing, as in a_b, and one before a letter or a digit closes nothing,
 * as in _x._y_); a line that starts with '.' is a request (.IP, .RS, .RE, .PP) whose
 * arguments take the same markup. A backslash prints as one, and a '-' in bold or italic
 * or before a digit as a minus sign (--live, -1), as man pages want for what a user types. */
#define _GNU_SOURCE /* asprintf, open_memstream */
#include "tui/tui_private.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAN_BEGIN ".\\\" BEGIN COMMANDS: made by make man-commands from tui/cmd-*.c; edit those\n"
#define MAN_END ".\\\" END COMMANDS\n"

/* Character c of text as roff, the one after it being `next`; `line_start` when it begins
 * an output line. */
static void put_char(FILE *out, char c, char next, int line_start, int in_font)
{
	if (c == '\\')
		fputs("\\e", out);
	else if (c == '-' && (in_font || isdigit((unsigned char)next)))
		fputs("\\-", out);
	else if (c == '\'' && line_start)
		fputs("\\&'", out);
	else
		fputc(c, out);
}

/* The markup of `text` (see the top of this file) as roff lines. */
static void put_markup(FILE *out, const char *text)
{
	char font = 0; /* 'B', 'I' or none */
	const char *p;

	for (p = text; *p; p++) {
		int after_word = p > text && isalnum((unsigned char)p[-1]);

		if (*p == '*' && font != 'I') {
			fputs(font ? "\\fR" : "\\fB", out);
			font = font ? 0 : 'B';
		} else if (*p == '_' && !font && !after_word && p[1] && !isspace((unsigned char)p[1])) {
			fputs("\\fI", out);
			font = 'I';
		} else if (*p == '_' && font == 'I' && !isalnum((unsigned char)p[1])) {
			fputs("\\fR", out);
			font = 0;
		} else {
			if (*p == '\n' && font) { /* a font ends with its line: roff would carry it on */
				fputs("\\fR", out);
				font = 0;
			}
			put_char(out, *p, p[1], p == text || p[-1] == '\n', font != 0);
		}
	}
	if (font)
		fputs("\\fR", out);
	if (p > text && p[-1] != '\n')
		fputc('\n', out);
}

/* The font a usage character takes: words bold, METAVARIABLES italic, the rest ([ ] | + -
 * . % :) roman; a '-' within a word (page-down) or before one (--view) is the word's. */
static char usage_font(const char *usage, const char *p, char font)
{
	const char *w = p;

	if (*p == '-' && p > usage && isalnum((unsigned char)p[-1]))
		return font;
	while (*w == '-')
		w++;
	if (islower((unsigned char)*w) || isdigit((unsigned char)*w))
		return 'B';
	return isupper((unsigned char)*w) && w == p ? 'I' : 'R';
}

static void put_bold(FILE *out, const char *word)
{
	fputs("\\fB", out);
	for (const char *p = word; *p; p++)
		put_char(out, *p, p[1], 0, 1);
	fputs("\\fR", out);
}

/* A row's heading: ".TP", then its name (and alias) in bold and its usage. */
static void put_heading(FILE *out, const tui_command *c)
{
	char font = 'R';

	fputs(".TP\n", out);
	put_bold(out, c->name);
	if (c->alias) {
		fputs(", ", out);
		put_bold(out, c->alias);
	}
	if (*c->usage)
		fputs(" \\%", out); /* no hyphenation: a usage is typed as it is */
	for (const char *p = c->usage; *p; p++) {
		char f = usage_font(c->usage, p, font);

		if (f != font)
			fprintf(out, "\\f%c", f);
		font = f;
		put_char(out, *p, p[1], 0, 1);
	}
	fputs(font != 'R' ? "\\fR\n" : "\n", out);
}

/* A row without man text: its help, as a sentence. */
static int put_help(FILE *out, const char *help)
{
	char *s = NULL;

	if (asprintf(&s, "%s.", help) < 0)
		return VTB_E_NOMEM;
	s[0] = (char)toupper((unsigned char)s[0]);
	put_markup(out, s);
	free(s);
	return 0;
}

int tui_cmd_man(FILE *out)
{
	const tui_command *c;
	const char *title, *intro;

	for (size_t i = 0; (c = tui_cmd_at(i)); i++) {
		if ((title = tui_cmd_topic(i, &intro))) {
			fprintf(out, ".SS %s\n", title);
			if (intro)
				put_markup(out, intro);
		}
		put_heading(out, c);
		if (c->man)
			put_markup(out, c->man);
		else if (put_help(out, c->help) < 0)
			return VTB_E_NOMEM;
	}
	return ferror(out) ? VTB_E_IO : 0;
}

/* The whole of file `path` (NUL-terminated, the caller frees), or NULL with *cause. */
static char *read_page(const char *path, char **cause)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0, n;
	char chunk[4096];
	FILE *mem = open_memstream(&text, &len);

	if (!f || !mem) {
		if (asprintf(cause, "%s: %s", path, strerror(errno)) < 0)
			*cause = NULL;
		goto out;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, mem);
	if (ferror(f) && asprintf(cause, "%s: read error", path) < 0)
		*cause = NULL;
out:
	if (f)
		fclose(f);
	if (mem)
		fclose(mem);
	if (*cause || !f) {
		free(text);
		return NULL;
	}
	return text;
}

/* The page with its generated part replaced by `gen` into *fresh (the caller frees); 0,
 * or VTB_E_FORMAT when the page lacks the marker lines. */
static int splice(const char *page, const char *gen, char **fresh)
{
	const char *begin = strstr(page, MAN_BEGIN), *end;

	if (!begin || (begin > page && begin[-1] != '\n'))
		return VTB_E_FORMAT;
	begin += strlen(MAN_BEGIN);
	end = strstr(begin, MAN_END);
	if (!end || (end > begin && end[-1] != '\n'))
		return VTB_E_FORMAT;
	if (asprintf(fresh, "%.*s%s%s", (int)(begin - page), page, gen, end) < 0)
		return VTB_E_NOMEM;
	return 0;
}

/* Replace file `path` by `text` (through path.new, renamed over it); 0 or VTB_E_IO. */
static int write_page(const char *path, const char *text, char **cause)
{
	char *tmp = NULL;
	const char *failed;
	FILE *f;
	int rc = VTB_E_IO;

	if (asprintf(&tmp, "%s.new", path) < 0)
		return VTB_E_NOMEM;
	failed = tmp;
	if ((f = fopen(tmp, "w"))) {
		fputs(text, f);
		if (fclose(f) == 0) {
			failed = path;
			rc = rename(tmp, path) == 0 ? 0 : VTB_E_IO;
		}
	}
	if (rc < 0) {
		if (asprintf(cause, "%s: %s", failed, strerror(errno)) < 0)
			*cause = NULL;
		remove(tmp);
	}
	free(tmp);
	return rc;
}

int tui_cmd_man_update(const char *path, int rewrite, char **cause)
{
	char *page = NULL, *gen = NULL, *fresh = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&gen, &len);
	int rc = VTB_E_NOMEM;

	*cause = NULL;
	if (!mem)
		goto out;
	rc = tui_cmd_man(mem);
	if (fclose(mem) != 0 || rc < 0)
		goto out;
	if (!(page = read_page(path, cause))) {
		rc = VTB_E_IO;
		goto out;
	}
	rc = splice(page, gen, &fresh);
	if (rc == VTB_E_FORMAT && asprintf(cause, "%s: no lines \"%.*s\" and \"%.*s\" around the commands",
					   path, (int)strlen(MAN_BEGIN) - 1, MAN_BEGIN,
					   (int)strlen(MAN_END) - 1, MAN_END) < 0)
		*cause = NULL;
	if (rc < 0)
		goto out;
	rc = strcmp(page, fresh) != 0;
	if (rc && rewrite && write_page(path, fresh, cause) < 0)
		rc = VTB_E_IO;
out:
	if (rc == VTB_E_NOMEM && !*cause)
		*cause = strdup("out of memory");
	free(page);
	free(gen);
	free(fresh);
	return rc;
}
