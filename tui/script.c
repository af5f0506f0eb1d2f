/* SPDX-License-Identifier: MIT */
/* script.c: command scripts for batch use (`--script FILE`): one command of the command
 * language per line, blank lines and `#` comments skipped, each command remembering where
 * it came from so that an error names the file and line. */
#include "tui/tui_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tui_cmd_src_append(tui_cmd_src **cmds, size_t *count, const char *line, const char *origin)
{
	tui_cmd_src *grown = realloc(*cmds, (*count + 1) * sizeof(*grown));

	if (!grown)
		return VTB_E_NOMEM;
	*cmds = grown;
	grown[*count].line = strdup(line);
	grown[*count].origin = strdup(origin);
	if (!grown[*count].line || !grown[*count].origin) {
		free(grown[*count].line);
		free(grown[*count].origin);
		return VTB_E_NOMEM;
	}
	(*count)++;
	return 0;
}

void tui_cmd_src_free(tui_cmd_src *cmds, size_t count)
{
	for (size_t i = 0; cmds && i < count; i++) {
		free(cmds[i].line);
		free(cmds[i].origin);
	}
	free(cmds);
}

/* The line without its newline and surrounding blanks; NULL for a blank or comment line. */
static char *command_of(char *line)
{
	size_t n;

	while (*line == ' ' || *line == '\t')
		line++;
	n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
		line[--n] = '\0';
	return *line && *line != '#' ? line : NULL;
}

/* A script is commands typed by a person: its lines and its size are bounded, so that
 * `--script /dev/zero` or a 100 MB line is an error, not all of memory. */
#define SCRIPT_LINE_MAX 4096
#define SCRIPT_BYTES_MAX (4u << 20)

enum { LINE_EOF = 0, LINE_OK = 1, LINE_LONG = -1, LINE_NUL = -2, LINE_ERR = -3 };

/* One line of `f` into buf[cap] (NUL-terminated, without its newline); `*total` counts bytes. */
static int read_line(FILE *f, char *buf, size_t cap, size_t *total)
{
	size_t n = 0;
	int c;

	while ((c = getc(f)) != EOF && c != '\n') {
		if (c == '\0')
			return LINE_NUL;
		if (n + 1 >= cap || ++*total > SCRIPT_BYTES_MAX)
			return LINE_LONG;
		buf[n++] = (char)c;
	}
	buf[n] = '\0';
	if (c == EOF && ferror(f))
		return LINE_ERR;
	return c == EOF && !n ? LINE_EOF : LINE_OK;
}

static char *line_error(const char *path, size_t lineno, int why, int err)
{
	if (why == LINE_NUL)
		return tui_strdupf("%s:%zu: a NUL byte: not a text script", path, lineno);
	if (why == LINE_LONG)
		return tui_strdupf("%s:%zu: line longer than %d bytes, or the script over %u MiB: not a "
				   "command script", path, lineno, SCRIPT_LINE_MAX - 1, SCRIPT_BYTES_MAX >> 20);
	return tui_strdupf("%s: read error at line %zu: %s", path, lineno, strerror(err));
}

int tui_script_append(const char *path, tui_cmd_src **cmds, size_t *count, char **cause)
{
	FILE *f = fopen(path, "r");
	char *buf = malloc(SCRIPT_LINE_MAX), origin[512], *cmd;
	size_t lineno = 0, total = 0;
	int rc = 0, got;

	if (!f || !buf) {
		*cause = f ? strdup("out of memory") : tui_strdupf("%s: %s", path, strerror(errno));
		rc = f ? VTB_E_NOMEM : VTB_E_IO;
		goto out;
	}
	while ((got = read_line(f, buf, SCRIPT_LINE_MAX, &total)) == LINE_OK) {
		lineno++;
		if (!(cmd = command_of(buf)))
			continue;
		snprintf(origin, sizeof(origin), "%s:%zu:", path, lineno);
		if ((rc = tui_cmd_src_append(cmds, count, cmd, origin)) < 0) {
			*cause = strdup("out of memory");
			goto out;
		}
	}
	if (got != LINE_EOF) {
		rc = got == LINE_ERR ? VTB_E_IO : VTB_E_FORMAT;
		*cause = line_error(path, lineno + 1, got, errno);
	}
out:
	free(buf);
	if (f)
		fclose(f);
	return rc;
}

int tui_render_script(tui_app *app, int width, int height, int ascii, const tui_cmd_src *cmds,
		      size_t count, FILE *out, char **cause)
{
	tui_screen *s = NULL;
	char *text = NULL;
	int rc = VTB_E_NOMEM;

	if (width < TUI_MIN_WIDTH || height < TUI_MIN_HEIGHT) { /* a screen of "too small" is no render */
		*cause = tui_strdupf("--render %dx%d is too small: the viewer needs at least %dx%d", width,
				     height, TUI_MIN_WIDTH, TUI_MIN_HEIGHT);
		return VTB_E_ARG;
	}
	if (!(s = tui_screen_new(width, height)))
		goto out;
	tui_screen_set_ascii(s, ascii);
	tui_app_render(app, s); /* lays out the screen the commands then act on */
	for (size_t i = 0; i < count; i++) {
		if (tui_app_exec(app, cmds[i].line) < 0) {
			rc = VTB_E_ARG;
			*cause = tui_strdupf("%s '%s': %s", cmds[i].origin, cmds[i].line, tui_app_message(app));
			goto out;
		}
		tui_app_render(app, s);
	}
	text = tui_screen_text(s);
	if (!text)
		goto out;
	fputs(text, out);
	rc = ferror(out) ? VTB_E_IO : 0;
out:
	if (rc == VTB_E_NOMEM && !*cause)
		*cause = strdup("out of memory");
	free(text);
	tui_screen_free(s);
	return rc;
}
