/* main.c: the vtui command line. */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/vtb.h"
#include "tui/tui.h"

#define MAX_CMDS 256

struct options {
	int info, render, ascii, mouse;
	int width, height;
	const char *cmds[MAX_CMDS];
	size_t cmd_count;
	const char *path;
};

static void usage(FILE *out)
{
	fputs("usage: vtui [options] FILE        open a trace (.vtb/.bin, or Chrome .json/.json.gz)\n"
	      "       vtui --info FILE           print the header and counts\n"
	      "       vtui --render WxH [--cmd C]... FILE\n"
	      "                                  run commands, print the screen as text\n"
	      "options:\n"
	      "  --cmd C      a command to run before rendering (repeatable), e.g. 'goto 3ms'\n"
	      "  --ascii      draw with ASCII only (default when the locale is not UTF-8)\n"
	      "  --no-mouse   leave the mouse to the terminal\n"
	      "  --help, --version\n"
	      "Press ? in the viewer for the keys; see vtui(1).\n",
	      out);
}

/* Returns -1 to exit 0 (help, version), 1 on a usage error, 0 to go on. */
static int parse(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{ "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, 'V' },
		{ "info", no_argument, NULL, 'i' }, { "render", required_argument, NULL, 'r' },
		{ "cmd", required_argument, NULL, 'c' }, { "ascii", no_argument, NULL, 'a' },
		{ "no-mouse", no_argument, NULL, 'm' }, { NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "hV", longs, NULL)) != -1) {
		switch (c) {
		case 'h': usage(stdout); return -1;
		case 'V': printf("vtui %s (VTB format %d)\n", TUI_VERSION, VTB_VERSION); return -1;
		case 'i': o->info = 1; break;
		case 'a': o->ascii = 1; break;
		case 'm': o->mouse = 0; break;
		case 'r':
			o->render = 1;
			if (tui_parse_size(optarg, &o->width, &o->height) < 0) {
				fprintf(stderr, "vtui: --render wants WIDTHxHEIGHT like 120x40, not '%s'\n", optarg);
				return 1;
			}
			break;
		case 'c':
			if (o->cmd_count == MAX_CMDS) {
				fprintf(stderr, "vtui: more than %d --cmd options\n", MAX_CMDS);
				return 1;
			}
			o->cmds[o->cmd_count++] = optarg;
			break;
		default: usage(stderr); return 1;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "vtui: %s (try vtui --help)\n", optind >= argc ? "no trace file given" : "one trace file at a time");
		return 1;
	}
	o->path = argv[optind];
	if (o->cmd_count && !o->render) {
		fprintf(stderr, "vtui: --cmd goes with --render\n");
		return 1;
	}
	return 0;
}

static int run(struct options *o, vtb_trace *t, const char *note)
{
	char *cause = NULL;
	tui_app *app;
	int rc = 0;

	if (o->info) {
		rc = tui_print_info(t, o->path, note, stdout);
		vtb_trace_free(t);
		return rc < 0 ? 1 : 0;
	}
	app = tui_app_new(t, o->path, &cause);
	if (!app)
		goto fail;
	tui_app_set_note(app, note);
	if (o->render)
		rc = tui_render_batch(app, o->width, o->height, o->ascii, o->cmds, o->cmd_count, stdout, &cause);
	else
		rc = tui_term_run(app, o->mouse, &cause);
	tui_app_free(app);
	if (rc == 0)
		return 0;
fail:
	fprintf(stderr, "vtui: %s\n", cause ? cause : "failed");
	free(cause);
	return 1;
}

int main(int argc, char **argv)
{
	struct options o = { .mouse = 1 };
	char *cause = NULL, *note = NULL;
	const char *cs;
	struct stat st;
	vtb_trace *t;
	int rc;

	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C"); /* times parse and print the same everywhere */
	if ((rc = parse(argc, argv, &o)) != 0)
		return rc < 0 ? 0 : 2;
	cs = nl_langinfo(CODESET);
	if (!cs || strcmp(cs, "UTF-8"))
		o.ascii = 1;
	if (access(o.path, R_OK) != 0 || stat(o.path, &st) != 0) { /* the file is the bigger news */
		fprintf(stderr, "vtui: %s: %s\n", o.path, strerror(errno));
		return 1;
	}
	if (S_ISDIR(st.st_mode)) {
		fprintf(stderr, "vtui: %s: is a directory, not a trace\n", o.path);
		return 1;
	}
	if (!o.info && !o.render && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		fprintf(stderr, "vtui: the viewer needs a terminal on stdin and stdout; "
				"use --render WxH or --info to print instead\n");
		return 2;
	}
	t = tui_load(o.path, !o.info && !o.render && isatty(STDERR_FILENO), &note, &cause);
	if (!t) {
		/* the reader's causes name the file already; say it once */
		if (cause && !strncmp(cause, o.path, strlen(o.path)))
			fprintf(stderr, "vtui: %s\n", cause);
		else
			fprintf(stderr, "vtui: %s: %s\n", o.path, cause ? cause : "cannot load");
		free(cause);
		return 1;
	}
	rc = run(&o, t, note);
	free(note);
	return rc;
}
