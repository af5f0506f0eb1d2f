/* SPDX-License-Identifier: MIT */
/* cmd-app.c: the commands of the viewer itself (the : line, help, redraw, the live
 * view's freeze, dump and ask-dump, rings, quit): their table rows and the small handlers. */
#include "tui/tui_private.h"

#include <stdio.h>
#include <string.h>

/* `prompt [WORDS]`: open the `:` line with WORDS and a blank already typed. */
static int cmd_prompt(tui_app *app, int argc, char **argv)
{
	app->mode = TUI_MODE_COMMAND;
	app->cmdline[0] = '\0';
	for (int i = 1; i < argc; i++)
		snprintf(app->cmdline + strlen(app->cmdline), sizeof(app->cmdline) - strlen(app->cmdline),
			 "%s ", argv[i]);
	app->cmdline_len = strlen(app->cmdline);
	tui_line_opened(app);
	return 0;
}

static int cmd_help(tui_app *app, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	app->mode = TUI_MODE_HELP;
	app->help_scroll = 0;
	return 0;
}

static int cmd_redraw(tui_app *app, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	app->redraw = 1;
	return 0;
}

static int cmd_quit(tui_app *app, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	app->quit = 1;
	return 0;
}

/* Quits to the ring list: main starts vtui --rings once the terminal is restored. */
static int cmd_rings(tui_app *app, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	app->quit = 2;
	return 0;
}

const tui_command tui_cmds_app[] = {
	{ "prompt", NULL, "[WORDS]", 0, 0, TUI_CMD_TEXT, "open the : command line (with WORDS typed)", cmd_prompt,
	  "Open the command line, with _WORDS_ and a blank already typed." },
	{ "help", "h", "", 0, 0, 0, "show every key and command", cmd_help,
	  "Show the help screen: every key and command (*?*)." },
	{ "redraw", NULL, "", 0, 0, 0, "redraw the whole terminal", cmd_redraw, "Repaint the terminal." },
	{ "freeze", NULL, "", 0, 0, 0, "vtui --live: stay on the current snapshot", tui_cmd_freeze,
	  "With *--live*: stay on the current snapshot." },
	{ "follow", NULL, "", 0, 0, 0, "vtui --live: follow the process again, now at the right edge", tui_cmd_freeze,
	  "With *--live*: follow the process again, with now at the right edge." },
	{ "pause", NULL, "", 0, 0, 0, "vtui --live: freeze, or follow again when frozen", tui_cmd_freeze,
	  "With *--live*: toggle between *freeze* and *follow* (*P*)." },
	{ "dump", NULL, "[PATH]", 0, 1, 0, "write the trace on screen (a live snapshot) as a VTB file, asking the process nothing",
	  tui_cmd_dump,
	  "Write the trace on screen (with *--live*, the current snapshot) as a VTB file, to _PATH_ or\n"
	  "*vtrace-*_pid_*-*_time_*.vtb* in the current directory (*W*).\n"
	  "The process is not asked anything." },
	{ "ask-dump", NULL, "", 0, 0, 0, "vtui --live: ask the process to dump itself, by sending it its --dump-signal",
	  tui_cmd_ask_dump,
	  "With *--live*: ask the process to write a dump of its own, by sending it the signal it was\n"
	  "started with (*vtrace --dump-signal*, which its ring file names). A process started without\n"
	  "one is sent nothing, and the message says so; the header names the file once the process\n"
	  "has written it." },
	{ "rings", NULL, "", 0, 0, 0, "quit to the list of ring files (black boxes) of the ring directory", cmd_rings,
	  "Quit to the list of ring files of the directory the open ring file is in (else the default\n"
	  "ring directory), as *vtui --rings* shows it (*R*)." },
	{ "quit", "q", "", 0, 0, 0, "quit vtui", cmd_quit, "Quit (*q*)." },
	{ NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL },
};
