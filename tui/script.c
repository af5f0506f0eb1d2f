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

int tui_script_append(const char *path, tui_cmd_src **cmds, size_t *count, char **cause)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL, origin[512], *cmd;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	int rc = 0;

	if (!f) {
		*cause = tui_strdupf("%s: %s", path, strerror(errno));
		return VTB_E_IO;
	}
	while ((len = getline(&buf, &cap, f)) >= 0) {
		lineno++;
		if ((size_t)len != strlen(buf)) {
			rc = VTB_E_FORMAT;
			*cause = tui_strdupf("%s:%zu: a NUL byte: not a text script", path, lineno);
			break;
		}
		if (!(cmd = command_of(buf)))
			continue;
		snprintf(origin, sizeof(origin), "%s:%zu:", path, lineno);
		if ((rc = tui_cmd_src_append(cmds, count, cmd, origin)) < 0) {
			*cause = strdup("out of memory");
			break;
		}
	}
	if (rc == 0 && ferror(f)) {
		rc = VTB_E_IO;
		*cause = tui_strdupf("%s: read error after line %zu", path, lineno);
	}
	free(buf);
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
