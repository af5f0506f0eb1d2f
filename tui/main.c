/* SPDX-License-Identifier: MIT */
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
#include "tui/convert.h"
#include "analysis/analysis.h"
#include "tui/tui.h"

#define MAX_CMDS 256

/* Exit status of a preset that could not be used (as `vtui stats`). */
#define EXIT_PRESET 3

struct options {
	int info, render, ascii, mouse;
	int width, height;
	tui_cmd_src *cmds;        /* --cmd and --script commands, in the order given */
	size_t cmd_count;
	const char *preset;       /* -p NAME */
	const char *presets_file; /* --presets FILE */
	const char *path;
	char **paths;             /* every trace given: several dumps of one run, or --diff's two */
	int path_count;
	int diff;                 /* --diff BEFORE AFTER */
	vtb_trace *before;        /* --diff: the first trace, once loaded */
	const char *before_path;
	char *merged_path;        /* the header's name of merged dumps */
	an_sources *sources;     /* which dump each merged thread came from */
};

static void usage(FILE *out)
{
	fputs("usage: vtui [options] FILE        open a trace (.vtb/.bin, or Chrome .json/.json.gz)\n"
	      "       vtui [options] A B ...     the dumps of several processes of one run, one clock\n"
	      "       vtui --diff BEFORE AFTER   compare two traces function by function (totals,\n"
	      "                                  mean, calls/s; vtui stats --diff --help); R or\n"
	      "                                  :diff-rank impact|mean|auto ranks the panel\n"
	      "       vtui --info FILE           print the header and counts\n"
	      "       vtui vtrace-PID.ring       what a killed, crashed or running process left\n"
	      "       vtui --rings [DIR]         list the ring files (black boxes) and open one\n"
	      "       vtui --live [PID] [--window 5s]  follow a running traced process\n"
	      "       vtui --ask-dump PID        ask a traced process to dump (its --dump-signal)\n"
	      "       vtui --render WxH [-p NAME] [--cmd C]... [--script FILE]... FILE\n"
	      "                                  run commands, print the screen as text\n"
	      "       vtui stats FILE [options]  per-function statistics (vtui stats --help);\n"
	      "                                  --tasks: per asyncio task\n"
	      "       vtui calls FILE [options]  a thread's calls in time order (vtui calls --help)\n"
	      "       vtui convert IN -o OUT     between VTB and Chrome JSON (vtui convert --help)\n"
	      "options:\n"
	      "  -p, --preset NAME  start with a preset's filters and commands\n"
	      "  --presets FILE     presets from FILE only (default: ./.vtui.json, then\n"
	      "                     ~/.config/vtui/presets.json)\n"
	      "  --cmd C            with --render, a command to run first (repeatable),\n"
	      "                     e.g. 'goto 3ms', 'goto incident', 'range 10%..20%'\n"
	      "  --script F         with --render, the commands of file F, one per line,\n"
	      "                     # comments (repeatable)\n"
	      "  --ascii            draw with ASCII only (default when the locale is not UTF-8)\n"
	      "  --no-mouse         leave the mouse to the terminal\n"
	      AN_JSON_LIMITS_HELP
	      "  --help, --version\n"
	      "In the viewer, e goes to the incident (the call an unhandled exception began in,\n"
	      "with its traceback; the log record or signal that dumped); ? lists every key;\n"
	      "see vtui(1).\n"
	      "Search (/): names, args, return values, logs, exceptions and marks; a prefix\n"
	      "picks one: file: name: arg: ret: log: exc: mark: (/arg:sku-13); lower case\n"
	      "matches any case. :flatten REGEX hides frames and keeps what they called.\n"
	      "Filters take them too (not flatten): :hide arg:sku-13, :filter exc:KeyError.\n",
	      out);
}

/* Returns -1 to exit 0 (help, version), 1 on a usage error, 0 to go on. */
static int parse(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{ "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, 'V' },
		{ "info", no_argument, NULL, 'i' }, { "render", required_argument, NULL, 'r' },
		{ "cmd", required_argument, NULL, 'c' }, { "ascii", no_argument, NULL, 'a' },
		{ "no-mouse", no_argument, NULL, 'm' }, { "preset", required_argument, NULL, 'p' },
		{ "presets", required_argument, NULL, 'P' }, { "script", required_argument, NULL, 's' },
		{ "diff", no_argument, NULL, 'd' }, { "max-json-bytes", required_argument, NULL, 'L' },
		{ "max-events", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	char *cause = NULL;
	int c, index = 0;

	while ((c = getopt_long(argc, argv, "hVp:", longs, &index)) != -1) {
		switch (c) {
		case 'h': usage(stdout); return -1;
		case 'V': printf("vtui %s (VTB format %d)\n", VTUI_VERSION, VTB_VERSION); return -1;
		case 'i': o->info = 1; break;
		case 'd': o->diff = 1; break;
		case 'a': o->ascii = 1; break;
		case 'm': o->mouse = 0; break;
		case 'r':
			o->render = 1;
			if (tui_parse_size(optarg, &o->width, &o->height) < 0) {
				an_fprintf_clean(stderr, "vtui: --render wants WIDTHxHEIGHT like 120x40, not '%s'\n", optarg);
				return 1;
			}
			break;
		case 'p': o->preset = optarg; break;
		case 'P': o->presets_file = optarg; break;
		case 'c':
			if (o->cmd_count == MAX_CMDS) {
				an_fprintf_clean(stderr, "vtui: more than %d --cmd options\n", MAX_CMDS);
				return 1;
			}
			if (tui_cmd_src_append(&o->cmds, &o->cmd_count, optarg, "--cmd") < 0) {
				an_fprintf_clean(stderr, "vtui: out of memory\n");
				return 1;
			}
			break;
		case 's':
			if (tui_script_append(optarg, &o->cmds, &o->cmd_count, &cause) < 0) {
				an_fprintf_clean(stderr, "vtui: --script %s\n", cause ? cause : optarg);
				free(cause);
				return 1;
			}
			break;
		case 'L':
			if (an_json_limit_option(longs[index].name, optarg, &cause) < 0) {
				an_fprintf_clean(stderr, "vtui: %s\n", cause ? cause : "out of memory");
				free(cause);
				return 1;
			}
			break;
		default: usage(stderr); return 1;
		}
	}
	if (optind >= argc || (o->diff && argc - optind != 2)) {
		an_fprintf_clean(stderr, "vtui: %s (try vtui --help)\n", optind >= argc ? "no trace file given"
				: "--diff compares two traces: vtui --diff BEFORE AFTER");
		return 1;
	}
	o->path = argv[optind];
	o->paths = argv + optind;
	o->path_count = argc - optind;
	if (o->cmd_count && !o->render) {
		an_fprintf_clean(stderr, "vtui: --cmd and --script go with --render\n");
		return 1;
	}
	return 0;
}

/* A problem with presets: on stderr in batch mode, on the screen otherwise. */
static void preset_problem(const struct options *o, tui_app *app, const char *note, const char *what)
{
	char *both;

	if (o->render) {
		an_fprintf_clean(stderr, "vtui: %s\n", what);
		return;
	}
	both = malloc(strlen(what) + (note ? strlen(note) : 0) + 3);
	if (!both)
		return;
	sprintf(both, "%s%s%s", note ? note : "", note ? "; " : "", what);
	tui_app_set_note(app, both);
	free(both);
}

/* --presets and -p. Returns 0, or EXIT_PRESET after saying what went wrong: the trace
 * opens all the same. */
static int use_presets(const struct options *o, tui_app *app, const char *note)
{
	char *cause = NULL, line[512];
	int rc = 0;

	if (!o->preset && !o->presets_file)
		return 0;
	if (tui_app_open_presets(app, o->presets_file, &cause) < 0) {
		preset_problem(o, app, note, cause ? cause : "cannot load the presets");
		rc = EXIT_PRESET;
	}
	free(cause);
	if (o->preset) {
		snprintf(line, sizeof(line), "preset %s", o->preset);
		if (tui_app_exec(app, line) < 0) {
			if (o->render || rc == 0) /* interactive: the status line shows it */
				preset_problem(o, app, NULL, tui_app_message(app));
			rc = EXIT_PRESET;
		}
	}
	return rc;
}

static int run(struct options *o, vtb_trace *t, const char *note)
{
	int preset_rc;
	char *cause = NULL;
	tui_app *app;
	int rc = 0;

	if (o->info) {
		rc = tui_print_info(t, o->path, note, stdout);
		vtb_trace_free(t);
		vtb_trace_free(o->before);
		return rc < 0 ? 1 : 0;
	}
	app = tui_app_new(t, o->merged_path ? o->merged_path : o->path, &cause);
	if (!app)
		goto fail;
	if (o->before && tui_app_set_diff(app, o->before, o->before_path, &cause) < 0) {
		o->before = NULL; /* the app freed it */
		tui_app_free(app);
		goto fail;
	}
	o->before = NULL;
	tui_app_set_sources(app, o->sources);
	o->sources = NULL;
	tui_app_set_note(app, note);
	preset_rc = use_presets(o, app, note);
	if (o->render)
		rc = tui_render_script(app, o->width, o->height, o->ascii, o->cmds, o->cmd_count, stdout, &cause);
	else
		rc = tui_term_run(app, o->mouse, &cause);
	int to_rings = rc == 0 && tui_app_to_rings(app);
	tui_app_free(app);
	if (to_rings)
		return vtui_rings_reopen(o->path);
	if (rc == 0) /* interactive, the screen said what was wrong with the presets */
		return o->render ? preset_rc : 0;
fail:
	vtb_trace_free(o->before); /* NULL once the app took it */
	o->before = NULL;
	an_fprintf_clean(stderr, "vtui: %s\n", cause ? cause : "failed");
	free(cause);
	return 1;
}

/* Load paths[i] as the viewer does, saying what went wrong on stderr. */
static vtb_trace *load_path(const char *path, char **note)
{
	char *cause = NULL;
	vtb_trace *t = tui_load(path, 0, note, &cause);

	if (!t && cause && !strncmp(cause, path, strlen(path)))
		an_fprintf_clean(stderr, "vtui: %s\n", cause);
	else if (!t)
		an_fprintf_clean(stderr, "vtui: %s: %s\n", path, cause ? cause : "cannot load");
	free(cause);
	return t;
}

/* The traces after the first: --diff keeps the first aside and shows the second; several
 * dumps merge onto one clock. Returns the trace to show, or NULL (first freed). */
static vtb_trace *load_more(struct options *o, vtb_trace *first, char **note)
{
	vtb_trace **all = calloc((size_t)o->path_count, sizeof(*all)), *out = NULL;
	char *cause = NULL;
	int i;

	if (!all || !(all[0] = first))
		goto out;
	for (i = 1; i < o->path_count; i++) {
		free(*note); /* a note is per trace: keep the last problem */
		*note = NULL;
		if (!(all[i] = load_path(o->paths[i], note)))
			goto out;
	}
	if (o->diff) {
		o->before = all[0];
		o->before_path = o->paths[0];
		o->path = o->paths[1];
		out = all[1];
		all[0] = all[1] = NULL;
		goto out;
	}
	if (!(out = an_multi_merge(all, (const char *const *)o->paths, (size_t)o->path_count, &o->sources, &cause)))
		an_fprintf_clean(stderr, "vtui: %s\n", cause ? cause : "cannot merge the dumps");
	else if ((o->merged_path = malloc(strlen(o->paths[0]) + 32)))
		sprintf(o->merged_path, "%s + %d more", o->paths[0], o->path_count - 1);
out:
	for (i = 0; all && i < o->path_count; i++)
		vtb_trace_free(all[i]);
	if (!all)
		vtb_trace_free(first);
	free(all);
	free(cause);
	return out;
}

int main(int argc, char **argv)
{
	static struct options o = { .mouse = 1 }; /* static: reachable on every early exit */
	char *cause = NULL, *note = NULL;
	const char *cs;
	struct stat st;
	vtb_trace *t;
	int rc;

	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C"); /* times parse and print the same everywhere */
	/* subcommands; a trace called "stats" opens as ./stats */
	if (argc > 1 && !strcmp(argv[1], "stats"))
		return vtui_stats_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "calls"))
		return vtui_calls_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "convert"))
		return vtui_convert_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "--rings"))
		return vtui_rings_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "--live"))
		return vtui_live_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "--ask-dump"))
		return vtui_ask_dump_main(argc - 1, argv + 1);
	if ((rc = parse(argc, argv, &o)) != 0) {
		tui_cmd_src_free(o.cmds, o.cmd_count);
		return rc < 0 ? 0 : 2;
	}
	cs = nl_langinfo(CODESET);
	if (!cs || strcmp(cs, "UTF-8"))
		o.ascii = 1;
	for (int i = 0; i < o.path_count; i++) {
		if (access(o.paths[i], R_OK) != 0 || stat(o.paths[i], &st) != 0) { /* the file is the bigger news */
			an_fprintf_clean(stderr, "vtui: %s: %s\n", o.paths[i], strerror(errno));
			return 1;
		}
		if (S_ISDIR(st.st_mode)) {
			an_fprintf_clean(stderr, "vtui: %s: is a directory, not a trace\n", o.paths[i]);
			return 1;
		}
	}
	if (!o.info && !o.render && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		an_fprintf_clean(stderr, "vtui: the viewer needs a terminal on stdin and stdout; "
				"use --render WxH or --info to print instead\n");
		return 2;
	}
	t = tui_load(o.path, !o.info && !o.render && isatty(STDERR_FILENO), &note, &cause);
	if (!t) {
		/* the reader's causes name the file already; say it once */
		if (cause && !strncmp(cause, o.path, strlen(o.path)))
			an_fprintf_clean(stderr, "vtui: %s\n", cause);
		else
			an_fprintf_clean(stderr, "vtui: %s: %s\n", o.path, cause ? cause : "cannot load");
		free(cause);
		return 1;
	}
	if (o.path_count > 1 && !(t = load_more(&o, t, &note))) {
		free(note);
		return 1;
	}
	rc = run(&o, t, note);
	an_sources_free(o.sources); /* NULL once the app took them */
	free(o.merged_path);
	free(note);
	tui_cmd_src_free(o.cmds, o.cmd_count);
	return rc;
}
