/* SPDX-License-Identifier: MIT */
/* stats_cmd.c: `vtui stats TRACE [options]`, per-function statistics for scripts.
 *
 * Filters come from a preset (its filter commands; other commands are the viewer's and
 * are skipped) and then from the options, which add to it:
 *   --filter REGEX -> `filter REGEX`      --hide REGEX -> `hide REGEX`
 *   --filter-file / --hide-file REGEX      --thread REGEX -> `filter-thread REGEX`
 *   --min-duration DUR                     --max-depth N
 * --range A..B counts the calls that start in a time range (the viewer's `range`).
 */
#define _GNU_SOURCE
#include "tui/tui.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/analysis.h"
#include "common/vtb_follow.h"
#include "filters/filters.h"

enum { EXIT_TRACE = 1, EXIT_USAGE = 2, EXIT_PRESET = 3, EXIT_ENDED = 4 };

struct stats_opts {
	const char *trace;
	const char *after;    /* --diff: the second trace (trace is the first) */
	int diff;
	const char *preset;
	const char *presets_file;
	enum an_stats_sort sort;
	enum an_stats_format format;
	size_t top;
	int salvage;
	char **commands;      /* filter commands from the options, in order */
	size_t command_count;
	uint32_t live_pid;    /* --live PID: intervals of a running process; 0: a file */
	uint64_t interval_ns; /* --interval */
	size_t count;         /* --count intervals; 0: until the process ends */
	int tasks;            /* --tasks: asyncio tasks instead of functions */
	enum an_diff_rank rank; /* --rank, with --diff */
	int rank_given;
	const char *range;    /* --range A..B, or NULL */
};

static void usage(FILE *out)
{
	fputs("usage: vtui stats TRACE [-p|--preset NAME] [--presets FILE] [--filter REGEX]\n"
	      "                  [--hide REGEX] [--filter-file REGEX] [--hide-file REGEX]\n"
	      "                  [--thread REGEX] [--min-duration DUR] [--max-depth N]\n"
	      "                  [--sort name|calls|total|self|mean|max] [--top N]\n"
	      "                  [--format table|csv|json] [--range A..B] [--salvage]\n"
	      "                  [--max-json-bytes SIZE] [--max-events N] [--tasks]\n"
	      "       vtui stats --diff BEFORE AFTER [--rank auto|impact|mean] [the same options]\n"
	      "       vtui stats --live PID [--interval DUR] [--count N] [the same options]\n"
	      "Per-function statistics: calls, total (inclusive, recursion counted once), self,\n"
	      "mean (total / calls) and max; see STATISTICS in vtui(1). -p is short for\n"
	      "--preset, as in vtui. CSV and JSON times are in ns. --diff compares two traces by\n"
	      "function name: calls, total, self and mean before and after and calls per\n"
	      "second of each trace's span; ranked by impact (self, then total change), or by\n"
	      "change of mean when one trace spans over 1.25 times the other's time (--rank).\n"
	      "--tasks gives per asyncio task its steps, span, busy and wait times instead\n"
	      "(TASKS in vtui(1)).\n"
	      "--range counts the calls that start between A and B: times from the trace's\n"
	      "start as the viewer prints them (1.5ms..20ms) or percentages of its span\n"
	      "(10%..90%); an empty end is the trace's start or end (..2s, 50%..).\n"
	      "--live follows a running traced process through its ring file: every interval\n"
	      "(default 1s), the calls that started in the last interval, COUNT times (default:\n"
	      "until the process ends); one table, CSV block or JSON document per interval.\n"
	      "Exit status: 0 success (--live: the process still ran at the end), 1 bad trace\n"
	      "file or no such process, 2 bad usage, pattern or value, 3 bad or missing preset,\n"
	      "4 (--live) the process ended before the last interval.\n", out);
}

static int add_command(struct stats_opts *o, const char *word, const char *arg)
{
	char **grown = realloc(o->commands, (o->command_count + 1) * sizeof(*grown));

	if (grown == NULL)
		return -1;
	o->commands = grown;
	if (asprintf(&grown[o->command_count], "%s %s", word, arg) < 0)
		return -1;
	o->command_count++;
	return 0;
}

static int parse_top(const char *text, size_t *top)
{
	char *end;
	unsigned long long v = strtoull(text, &end, 10);

	if (*text < '0' || *text > '9' || *end != '\0')
		return -1;
	*top = (size_t)v;
	return 0;
}

/* Options taking a filter command: long name and command word match. */
static const struct option long_opts[] = {
	{ "preset", required_argument, NULL, 'p' },
	{ "presets", required_argument, NULL, 'P' },
	{ "sort", required_argument, NULL, 's' },
	{ "top", required_argument, NULL, 'n' },
	{ "format", required_argument, NULL, 'f' },
	{ "salvage", no_argument, NULL, 'S' },
	{ "diff", no_argument, NULL, 'D' },
	{ "tasks", no_argument, NULL, 'T' },
	{ "rank", required_argument, NULL, 'R' },
	{ "max-json-bytes", required_argument, NULL, 'L' },
	{ "max-events", required_argument, NULL, 'L' },
	{ "help", no_argument, NULL, 'h' },
	{ "live", required_argument, NULL, 'l' },
	{ "interval", required_argument, NULL, 'i' },
	{ "count", required_argument, NULL, 'c' },
	{ "range", required_argument, NULL, 'r' },
	{ "filter", required_argument, NULL, 'C' },
	{ "hide", required_argument, NULL, 'C' },
	{ "filter-file", required_argument, NULL, 'C' },
	{ "hide-file", required_argument, NULL, 'C' },
	{ "thread", required_argument, NULL, 'C' },
	{ "min-duration", required_argument, NULL, 'C' },
	{ "max-depth", required_argument, NULL, 'C' },
	{ NULL, 0, NULL, 0 },
};

/* The option's argument (optarg) is not `what`. */
static int bad_value(const char *option, const char *what)
{
	an_fprintf_clean(stderr, "vtui stats: %s: '%s' is not %s\n", option, optarg, what);
	return EXIT_USAGE;
}

/* One option; returns 0, or an exit code (-1: help printed, exit 0). A long option table
 * dispatch, hence its length. */
static int parse_one(struct stats_opts *o, int c, int index)
{
	switch (c) {
	case 'p': o->preset = optarg; return 0;
	case 'P': o->presets_file = optarg; return 0;
	case 'S': o->salvage = 1; return 0;
	case 'D': o->diff = 1; return 0;
	case 'T': o->tasks = 1; return 0;
	case 'R':
		o->rank_given = 1;
		return an_diff_parse_rank(optarg, &o->rank) == 0 ? 0 : bad_value("--rank", "one of " AN_DIFF_RANK_WORDS);
	case 'r': o->range = optarg; return 0;
	case 'h': usage(stdout); return -1;
	case 'L': {
		char *cause = NULL;
		if (an_json_limit_option(long_opts[index].name, optarg, &cause) == 0)
			return 0;
		an_fprintf_clean(stderr, "vtui stats: %s\n", cause ? cause : "out of memory");
		free(cause);
		return EXIT_USAGE;
	}
	case 's':
		return an_stats_parse_sort(optarg, &o->sort) == 0 ? 0 : bad_value("--sort", "one of " AN_STATS_SORT_WORDS);
	case 'f':
		return an_stats_parse_format(optarg, &o->format) == 0 ? 0 : bad_value("--format", "table, csv or json");
	case 'n':
		return parse_top(optarg, &o->top) == 0 ? 0 : bad_value("--top", "a count");
	case 'c':
		return parse_top(optarg, &o->count) == 0 ? 0 : bad_value("--count", "a count");
	case 'l': {
		size_t pid;
		if (parse_top(optarg, &pid) < 0 || !pid || pid > UINT32_MAX)
			return bad_value("--live", "a process id");
		o->live_pid = (uint32_t)pid;
		return 0;
	}
	case 'i': {
		int64_t ns;
		int rel;
		if (an_parse_time(optarg, &ns, &rel) < 0 || ns <= 0 || rel)
			return bad_value("--interval", "a duration like 1s or 500ms");
		o->interval_ns = (uint64_t)ns;
		return 0;
	}
	case 'C':
		/* --thread is short for the command word filter-thread */
		if (add_command(o, strcmp(long_opts[index].name, "thread") == 0 ? "filter-thread"
				   : long_opts[index].name, optarg) == 0)
			return 0;
		an_fprintf_clean(stderr, "vtui stats: out of memory\n");
		return EXIT_USAGE;
	default:
		usage(stderr);
		return EXIT_USAGE;
	}
}

static int parse_args(struct stats_opts *o, int argc, char **argv)
{
	int c, index = 0, rc;

	optind = 0; /* full reinitialisation: main() may have used getopt already */
	while ((c = getopt_long(argc, argv, "hp:", long_opts, &index)) != -1)
		if ((rc = parse_one(o, c, index)) != 0)
			return rc;
	if (o->live_pid) {
		if (optind == argc && !o->diff && !o->range)
			return 0;
		an_fprintf_clean(stderr, o->range ? "vtui stats: --range goes with a trace file, not --live\n"
				  : "vtui stats: --live reads the process, not a file nor --diff\n");
		return EXIT_USAGE;
	}
	if (o->rank_given && !o->diff) {
		an_fprintf_clean(stderr, "vtui stats: --rank goes with --diff\n");
		return EXIT_USAGE;
	}
	if (o->tasks && o->diff) {
		an_fprintf_clean(stderr, "vtui stats: --tasks reads one trace, not --diff\n");
		return EXIT_USAGE;
	}
	if (o->interval_ns || o->count) {
		an_fprintf_clean(stderr, "vtui stats: --interval and --count go with --live PID\n");
		return EXIT_USAGE;
	}
	if (optind != argc - 1 - o->diff) {
		an_fprintf_clean(stderr, "vtui stats: %s\n", o->diff ? "--diff wants two trace files, BEFORE and AFTER" :
			optind >= argc ? "no trace file given" : "one trace file at a time");
		usage(stderr);
		return EXIT_USAGE;
	}
	o->trace = argv[optind];
	o->after = o->diff ? argv[optind + 1] : NULL;
	return 0;
}

static vtb_trace *load_trace(const struct stats_opts *o)
{
	vtb_trace *t;
	char *cause = NULL;

	if (an_is_json_file(o->trace))
		t = an_load_json(o->trace, NULL, NULL, NULL, &cause);
	else
		t = vtb_trace_load(o->trace, o->salvage ? VTB_LOAD_SALVAGE : 0, NULL, NULL, &cause);
	if (t == NULL)
		an_fprintf_clean(stderr, "vtui stats: %s\n", cause ? cause : o->trace);
	else if (vtb_trace_damage(t)->first_problem != NULL)
		an_fprintf_clean(stderr, "vtui stats: warning: %s (damaged parts skipped)\n",
			vtb_trace_damage(t)->first_problem);
	free(cause);
	return t;
}

/* The preset's filter commands into `f`. */
static int apply_preset(const struct stats_opts *o, flt_set *f)
{
	flt_presets *lib = NULL;
	const flt_preset *p;
	char *cause = NULL;
	int rc = EXIT_PRESET;

	if (flt_presets_open(o->presets_file, &lib, &cause) < 0) {
		an_fprintf_clean(stderr, "vtui stats: %s\n", cause ? cause : "cannot load presets");
		goto out;
	}
	if ((p = flt_presets_get(lib, o->preset)) == NULL) {
		an_fprintf_clean(stderr, "vtui stats: no preset '%s' (%zu preset%s found)\n", o->preset,
			flt_presets_count(lib), flt_presets_count(lib) == 1 ? "" : "s");
		goto out;
	}
	if (flt_preset_apply(p, f, NULL, &cause) < 0) {
		an_fprintf_clean(stderr, "vtui stats: %s\n", cause);
		goto out;
	}
	rc = 0;
out:
	free(cause);
	flt_presets_free(lib);
	return rc;
}

static int string_entry(void *ctx, size_t id, const char **name, const char **file)
{
	const vtb_string *s = vtb_trace_string(ctx, (uint32_t)id);

	*name = s->name;
	*file = s->file;
	return 0;
}

/* Build the filter set from the preset and the options; 0 or an exit code. */
static int build_filter(const struct stats_opts *o, flt_set *f)
{
	char *cause = NULL;
	int rc;

	if (o->preset != NULL && (rc = apply_preset(o, f)) != 0)
		return rc;
	for (size_t i = 0; i < o->command_count; i++) {
		if (flt_set_command(f, o->commands[i], &cause) < 0) {
			an_fprintf_clean(stderr, "vtui stats: --%s\n", cause ? cause : o->commands[i]);
			free(cause);
			return EXIT_USAGE;
		}
	}
	return 0;
}

/* --range A..B of trace `t` into the scope; 0, or -1 after saying what is wrong. */
static int range_of(const struct stats_opts *o, const char *path, const vtb_trace *t, an_stats_scope *scope)
{
	uint64_t first, last;
	char err[160], text[96];

	vtb_trace_span(t, &first, &last);
	if (an_parse_range(first, last, o->range, &scope->t0_ns, &scope->t1_ns, err, sizeof(err)) < 0) {
		an_fprintf_clean(stderr, "vtui stats: --range: %s\n", err);
		return -1;
	}
	if (o->format == AN_STATS_TABLE) {
		an_fmt_range(first, scope->t0_ns, scope->t1_ns, (scope->t1_ns - scope->t0_ns) / 1000, 0, text, sizeof(text));
		printf("# range %s of %s\n", text, path);
	}
	return 0;
}

/* The statistics of `path` with the filters `f`; 0 or an exit code. */
static int stats_of(const struct stats_opts *o, const char *path, flt_set *f, vtb_trace **t, an_stats **s)
{
	struct stats_opts one = *o;
	an_stats_scope scope = { .filter = f };
	char *cause = NULL;

	one.trace = path;
	if (!(*t = load_trace(&one)))
		return EXIT_TRACE;
	if (flt_set_eval(f, string_entry, *t, vtb_trace_string_count(*t), &cause) < 0) {
		an_fprintf_clean(stderr, "vtui stats: %s\n", cause);
		free(cause);
		return EXIT_USAGE;
	}
	if (flt_set_has_flatten(f)) { /* the statistics of the calls the viewer shows */
		vtb_trace *flat = vtb_trace_flatten(*t, flt_set_flattened(f), flt_set_eval_count(f), &cause);

		if (!flat) {
			an_fprintf_clean(stderr, "vtui stats: %s\n", cause ? cause : "out of memory");
			free(cause);
			return EXIT_TRACE;
		}
		*t = flat;
	}
	if (o->range && range_of(o, path, *t, &scope) < 0)
		return EXIT_USAGE;
	if (an_stats_compute(*t, &scope, s, &cause) < 0) {
		an_fprintf_clean(stderr, "vtui stats: %s: %s\n", path, cause ? cause : "failed");
		free(cause);
		return EXIT_TRACE;
	}
	return 0;
}

static int run(const struct stats_opts *o, flt_set *f)
{
	vtb_trace *t = NULL;
	an_stats *s = NULL;
	char *cause = NULL;
	int rc = stats_of(o, o->trace, f, &t, &s);

	if (rc != 0)
		goto out;
	an_stats_sort(s, t, o->sort);
	if (an_stats_write(s, t, o->format, o->top, stdout, &cause) < 0) {
		an_fprintf_clean(stderr, "vtui stats: %s\n", cause ? cause : "write error");
		rc = EXIT_TRACE;
	}
out:
	free(cause);
	an_stats_free(s);
	vtb_trace_free(t);
	return rc;
}

/* `--tasks`: the lanes of the asyncio tasks (the filters do not apply: a lane is a task's
 * steps, whatever they called). */
static int run_tasks(const struct stats_opts *o)
{
	vtb_trace *t = load_trace(o);
	an_tasks *ts = NULL;
	char *cause = NULL;
	int rc = 0;

	if (!t)
		return EXIT_TRACE;
	if (an_tasks_build(t, &ts) < 0 || an_tasks_write(ts, t, o->format, stdout, &cause) < 0) {
		an_fprintf_clean(stderr, "vtui stats: %s\n", cause ? cause : "out of memory");
		rc = EXIT_TRACE;
	}
	free(cause);
	an_tasks_free(ts);
	vtb_trace_free(t);
	return rc;
}

/* The statistics of the calls of `t` that started in its last interval (the window of `f`),
 * printed. */
static int live_interval(const struct stats_opts *o, flt_set *f, const vtb_follow *fw, const vtb_trace *t, size_t n)
{
	an_stats_scope scope = { .filter = f };
	an_stats *s = NULL;
	char *cause = NULL;
	uint64_t first, last;
	int rc = 0;

	vtb_trace_span(t, &first, &last);
	vtb_follow_window_of(fw, t, &scope.t0_ns, &scope.t1_ns);
	if (flt_set_eval(f, string_entry, (void *)t, vtb_trace_string_count(t), &cause) < 0 ||
	    an_stats_compute(t, &scope, &s, &cause) < 0) {
		an_fprintf_clean(stderr, "vtui stats: %s\n", cause ? cause : "out of memory");
		rc = EXIT_TRACE;
		goto out;
	}
	an_stats_sort(s, t, o->sort);
	if (n > 1)
		putchar('\n');
	if (o->format == AN_STATS_TABLE)
		printf("# interval %zu of pid %u: %.3fs to %.3fs of the ring (%s)\n", n, vtb_trace_header(t)->pid,
		       (double)(scope.t0_ns - first) / 1e9, (double)(last - first) / 1e9,
		       vtb_trace_header(t)->reason_text);
	if (an_stats_write(s, t, o->format, o->top, stdout, &cause) < 0 || fflush(stdout) != 0) {
		an_fprintf_clean(stderr, "vtui stats: %s\n", cause ? cause : "write error");
		rc = EXIT_TRACE;
	}
out:
	free(cause);
	an_stats_free(s);
	return rc;
}

/* --live PID: a table per interval while the process runs. */
static int run_live(const struct stats_opts *o, flt_set *f)
{
	struct timespec nap = { (time_t)(o->interval_ns / 1000000000u), (long)(o->interval_ns % 1000000000u) };
	vtb_trace *t = NULL;
	char *cause = NULL;
	vtb_follow *fw = vtb_follow_open(o->live_pid, NULL, o->interval_ns, &t, &cause);
	int rc = 0;

	if (!fw) {
		an_fprintf_clean(stderr, "vtui stats: %s\n", cause ? cause : "cannot follow the process");
		free(cause);
		return EXIT_TRACE;
	}
	vtb_trace_free(t); /* the first interval starts now */
	for (size_t n = 1; rc == 0 && (!o->count || n <= o->count); n++) {
		if (vtb_follow_ended(fw)) {
			rc = EXIT_ENDED;
			break;
		}
		nanosleep(&nap, NULL);
		if (!(t = vtb_follow_tick(fw, 0, &cause))) {
			an_fprintf_clean(stderr, "vtui stats: %s\n", cause ? cause : "no snapshot");
			rc = EXIT_TRACE;
			break;
		}
		rc = live_interval(o, f, fw, t, n);
		vtb_trace_free(t);
	}
	if (rc == 0 && vtb_follow_ended(fw))
		rc = EXIT_ENDED;
	free(cause);
	vtb_follow_free(fw);
	return rc;
}

/* --diff: both traces through the same filters, compared by function name. */
static int run_diff(const struct stats_opts *o, flt_set *f)
{
	vtb_trace *a = NULL, *b = NULL;
	an_stats *sa = NULL, *sb = NULL;
	an_diff *d = NULL;
	char *cause = NULL;
	int rc;

	if ((rc = stats_of(o, o->trace, f, &a, &sa)) != 0 || (rc = stats_of(o, o->after, f, &b, &sb)) != 0)
		goto out;
	rc = EXIT_TRACE;
	if (an_diff_compute(a, sa, b, sb, &d) < 0) {
		an_fprintf_clean(stderr, "vtui stats: out of memory\n");
		goto out;
	}
	an_diff_rank(d, o->rank);
	if (an_diff_write(d, o->format, o->top, stdout, &cause) < 0) {
		an_fprintf_clean(stderr, "vtui stats: %s\n", cause ? cause : "write error");
		goto out;
	}
	rc = 0;
out:
	free(cause);
	an_diff_free(d);
	an_stats_free(sa);
	an_stats_free(sb);
	vtb_trace_free(a);
	vtb_trace_free(b);
	return rc;
}

int vtui_stats_main(int argc, char **argv)
{
	struct stats_opts o = { .sort = AN_STATS_TOTAL, .format = AN_STATS_TABLE };
	flt_set *f = flt_set_new();
	int rc = parse_args(&o, argc, argv);

	if (!o.interval_ns)
		o.interval_ns = 1000000000u;

	if (rc == 0 && f == NULL) {
		an_fprintf_clean(stderr, "vtui stats: out of memory\n");
		rc = EXIT_USAGE;
	}
	if (rc == 0)
		rc = build_filter(&o, f);
	if (rc == 0)
		rc = o.live_pid ? run_live(&o, f) : o.diff ? run_diff(&o, f) : o.tasks ? run_tasks(&o) : run(&o, f);
	flt_strv_free(o.commands, o.command_count);
	flt_set_free(f);
	return rc < 0 ? 0 : rc;
}
