/* SPDX-License-Identifier: MIT */
/* calls_cmd.c: `vtui calls`: a thread's call list (analysis/analysis.h) printed for
 * scripts, as a table, CSV or JSON: the last N calls before the incident or a time, the N
 * after one, or those starting in a range. */
#include "tui/analysis.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { EXIT_TRACE = 1, EXIT_USAGE = 2 };
enum calls_format { FMT_TABLE, FMT_CSV, FMT_JSON };

struct calls_opts {
	const char *trace;
	const char *thread;      /* --thread, or NULL: the incident's */
	const char *before, *after, *from, *to;
	size_t count;            /* --count calls; 0: every one */
	int count_given;
	int format;
	int salvage;
};

static void usage(FILE *out)
{
	fputs("usage: vtui calls TRACE [--thread T] [--before WHEN | --after WHEN]\n"
	      "                  [--from TIME] [--to TIME] [--count N]\n"
	      "                  [--format table|csv|json] [--salvage]\n"
	      "A thread's calls in time order, indented by depth, with their duration, arguments\n"
	      "and return value when recorded, and its log records, instants and snapshots where\n"
	      "they happened (the call list of the viewer, C).\n"
	      "  --thread T    a thread name, tid, or position (1 is the first); default: the\n"
	      "                thread of the incident (where the dump was triggered)\n"
	      "  --before WHEN the last N calls starting at or before WHEN (default N: 50)\n"
	      "  --after WHEN  the first N calls starting at or after WHEN (default N: 50)\n"
	      "                WHEN is `incident` or a time from the trace's start (12.5ms)\n"
	      "  --from, --to  the calls starting in [FROM, TO] (times from the trace's start)\n"
	      "  --count N     at most N calls (marks between them are printed too)\n"
	      "CSV and JSON times are in ns from the trace's start. Exit status: 0 success, 1 bad\n"
	      "trace file, 2 bad usage, unknown thread or bad value.\n", out);
}

static int bad(const char *fmt, const char *arg)
{
	fputs("vtui calls: ", stderr);
	an_fprintf_clean(stderr, fmt, arg);
	fputs(" (vtui calls --help)\n", stderr);
	return EXIT_USAGE;
}

static int parse_count(const char *text, size_t *n)
{
	char *end;
	unsigned long long v;

	if (*text < '0' || *text > '9')
		return -1;
	v = strtoull(text, &end, 10);
	if (*end || v == 0 || v > 1000000000ull)
		return -1;
	*n = (size_t)v;
	return 0;
}

static int parse_args(struct calls_opts *o, int argc, char **argv)
{
	static const struct option longs[] = {
		{ "help", no_argument, NULL, 'h' }, { "thread", required_argument, NULL, 't' },
		{ "before", required_argument, NULL, 'b' }, { "after", required_argument, NULL, 'a' },
		{ "from", required_argument, NULL, 'f' }, { "to", required_argument, NULL, 'T' },
		{ "count", required_argument, NULL, 'n' }, { "format", required_argument, NULL, 'F' },
		{ "salvage", no_argument, NULL, 's' }, { NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
		switch (c) {
		case 'h': usage(stdout); return -1;
		case 't': o->thread = optarg; break;
		case 'b': o->before = optarg; break;
		case 'a': o->after = optarg; break;
		case 'f': o->from = optarg; break;
		case 'T': o->to = optarg; break;
		case 's': o->salvage = 1; break;
		case 'n':
			if (parse_count(optarg, &o->count) < 0)
				return bad("--count wants a number of calls from 1, not '%s'", optarg);
			o->count_given = 1;
			break;
		case 'F':
			o->format = !strcmp(optarg, "table") ? FMT_TABLE : !strcmp(optarg, "csv") ? FMT_CSV
				  : !strcmp(optarg, "json") ? FMT_JSON : -1;
			if (o->format < 0)
				return bad("--format wants table, csv or json, not '%s'", optarg);
			break;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc)
		return bad("%s", optind >= argc ? "which trace?" : "one trace at a time");
	if (!!o->before + !!o->after + !!(o->from || o->to) > 1)
		return bad("%s", "--before, --after and --from/--to do not go together");
	if ((o->before || o->after) && !o->count_given)
		o->count = 50;
	o->trace = argv[optind];
	return 0;
}

/* A WHEN ("incident" or a time from the start) as a trace time. */
static int parse_when(const char *opt, const char *text, const vtb_trace *t, const an_incident *in,
		      uint64_t *out)
{
	uint64_t first, last;
	int64_t ns;
	int rel;

	vtb_trace_span(t, &first, &last);
	if (!strcmp(text, "incident")) {
		*out = in->at_ns;
		return 0;
	}
	if (an_parse_time(text, &ns, &rel) < 0 || ns < 0) {
		fprintf(stderr, "vtui calls: %s wants `incident` or a time from the trace's start such as 12.5ms, not '",
			opt);
		an_fprintf_clean(stderr, "%s'\n", text);
		return EXIT_USAGE;
	}
	*out = first + (uint64_t)ns;
	return 0;
}

/* The thread --thread names: a name, a tid, or a position from 1. */
static int64_t find_thread(const vtb_trace *t, const char *spec)
{
	size_t n = vtb_trace_thread_count(t);
	char *end;
	unsigned long long v = strtoull(spec, &end, 10);
	int number = *spec >= '0' && *spec <= '9' && !*end;

	for (size_t i = 0; i < n; i++)
		if (vtb_trace_thread(t, i)->name && !strcmp(vtb_trace_thread(t, i)->name, spec))
			return (int64_t)i;
	for (size_t i = 0; number && i < n; i++)
		if (vtb_trace_thread(t, i)->tid == v)
			return (int64_t)i;
	return number && v >= 1 && v <= n ? (int64_t)v - 1 : -1;
}

static void thread_list(const vtb_trace *t)
{
	for (size_t i = 0; i < vtb_trace_thread_count(t); i++) {
		char label[160];

		tui_thread_label(vtb_trace_thread(t, i), label, sizeof(label));
		an_fprintf_clean(stderr, "  %zu  %s\n", i + 1, label);
	}
}

struct printer {
	const vtb_trace *t;
	uint64_t first_ns;
	int format;
	size_t rows;
};

/* `text` right-aligned in `cols` columns (characters, not bytes: "µs"). */
static int put_right(char *buf, size_t len, const char *text, int cols)
{
	int pad = cols - tui_text_cols(text);

	return snprintf(buf, len, "%*s%s", pad > 0 ? pad : 0, "", text);
}

void tui_calls_columns(char *buf, size_t len, const calls_row *r, uint64_t first_ns, int ascii)
{
	char at[48], dur[32] = "";
	int n;

	/* to the µs: rows microseconds apart read apart */
	an_fmt_time(at, sizeof(at), r->ts_ns - first_ns, 1000, ascii);
	if (r->slice)
		an_fmt_dur(dur, sizeof(dur), r->dur_ns, ascii);
	n = put_right(buf, len, at, 12);
	if (n >= 0 && (size_t)n < len)
		n += put_right(buf + n, len - (size_t)n, dur, 9);
	if (n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "  %*s", (int)(2 * r->indent), "");
}

static void put_table(struct printer *p, const calls_row *r, const char *label)
{
	char cols[1024];

	tui_calls_columns(cols, sizeof(cols), r, p->first_ns, 0);
	fputs(cols, stdout);
	an_stats_put_clean(stdout, label);
	putchar('\n');
}

static const char *kind_word(const calls_row *r)
{
	if (!r->mark)
		return "call";
	return r->mark->kind == VTB_MARK_LOG ? "log" : r->mark->kind == VTB_MARK_OBJECT ? "object" : "instant";
}

static const char *row_name(const vtb_trace *t, const calls_row *r)
{
	uint32_t id = r->slice ? r->slice->name_id : r->mark->name_id;

	return id < vtb_trace_string_count(t) ? vtb_trace_string(t, id)->name : "?";
}

static void put_csv(struct printer *p, const calls_row *r)
{
	if (p->rows == 0)
		puts("kind,depth,start_ns,dur_ns,name,args,retval,exception,level,text");
	printf("%s,%u,%llu,%llu,", kind_word(r), r->indent, (unsigned long long)(r->ts_ns - p->first_ns),
	       (unsigned long long)r->dur_ns);
	an_stats_put_csv_field(stdout, row_name(p->t, r));
	putchar(',');
	an_stats_put_csv_field(stdout, r->args ? r->args : "");
	putchar(',');
	an_stats_put_csv_field(stdout, r->retval ? r->retval : "");
	printf(",%d,%u,", !!(r->flags & VTB_CALL_EXCEPTION), r->mark ? r->mark->level : 0);
	an_stats_put_csv_field(stdout, r->mark ? r->mark->text : "");
	putchar('\n');
}

/* One object per row, streamed: a 10M-call thread is never one document in memory. */
static int put_json(struct printer *p, const calls_row *r)
{
	cJSON *o = cJSON_CreateObject();
	char *text;

	if (!o)
		return -1;
	cJSON_AddStringToObject(o, "kind", kind_word(r));
	cJSON_AddNumberToObject(o, "depth", r->indent);
	cJSON_AddNumberToObject(o, "start_ns", (double)(r->ts_ns - p->first_ns));
	if (r->slice)
		cJSON_AddNumberToObject(o, "dur_ns", (double)r->dur_ns);
	cJSON_AddStringToObject(o, "name", row_name(p->t, r));
	if (r->args)
		cJSON_AddStringToObject(o, "args", r->args);
	if (r->retval)
		cJSON_AddStringToObject(o, "retval", r->retval);
	if (r->flags & VTB_CALL_EXCEPTION)
		cJSON_AddBoolToObject(o, "exception", 1);
	if (r->mark && r->mark->kind == VTB_MARK_LOG)
		cJSON_AddNumberToObject(o, "level", r->mark->level);
	if (r->mark)
		cJSON_AddStringToObject(o, "text", r->mark->text);
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!text)
		return -1;
	printf("%s%s", p->rows ? ",\n " : "[", text);
	free(text);
	return 0;
}

static int put_row(struct printer *p, const calls_list *l, calls_pos pos)
{
	calls_row r;
	char label[1024];

	if (calls_row_get(l, pos, &r) < 0)
		return 0;
	if (p->format == FMT_TABLE) {
		calls_label(p->t, &r, label, sizeof(label));
		put_table(p, &r, label);
	} else if (p->format == FMT_CSV) {
		put_csv(p, &r);
	} else if (put_json(p, &r) < 0) {
		return -1;
	}
	p->rows++;
	return 0;
}

/* The first row to print and how many calls at most (0: all); -1 when there is none. */
static int first_row(const struct calls_opts *o, const calls_list *l, uint64_t when, uint64_t from,
		     calls_pos *pos)
{
	if (o->before) {
		size_t calls;

		if (calls_at_time(l, when, pos) < 0)
			return -1;
		calls = pos->kind == CALLS_CALL;
		/* back until `count` calls are in, marks between them included */
		for (calls_pos q = *pos; calls < o->count && calls_step(l, &q, -1) == 0;) {
			*pos = q;
			calls += q.kind == CALLS_CALL;
		}
		return 0;
	}
	when = o->after ? when : from;
	if (when == 0 || calls_at_time(l, when - 1, pos) < 0)
		return calls_first(l, pos);
	return calls_step(l, pos, 1);
}

static int print_rows(const struct calls_opts *o, struct printer *p, const calls_list *l, uint64_t when,
		      uint64_t from, uint64_t to)
{
	calls_pos pos, end;
	size_t calls = 0;
	int have_end = o->before && calls_at_time(l, when, &end) == 0;

	if (first_row(o, l, when, from, &pos) < 0)
		return 0;
	do {
		calls_row r;

		if (calls_row_get(l, pos, &r) < 0 || r.ts_ns > to)
			break;
		if (pos.kind == CALLS_CALL && o->count && calls == o->count)
			break;
		calls += pos.kind == CALLS_CALL;
		if (put_row(p, l, pos) < 0)
			return -1;
		if (have_end && !memcmp(&pos, &end, sizeof(pos)))
			break;
	} while (calls_step(l, &pos, 1) == 0);
	return 0;
}

static int run(const struct calls_opts *o, const vtb_trace *t)
{
	struct printer p = { .t = t, .format = o->format };
	uint64_t last, when = 0, from = 0, to = UINT64_MAX;
	an_incident in;
	calls_list *l;
	int64_t th;
	int rc = 0;

	vtb_trace_span(t, &p.first_ns, &last);
	an_incident_find(t, &in);
	th = o->thread ? find_thread(t, o->thread) : in.thread;
	if (th < 0) {
		if (o->thread)
			an_fprintf_clean(stderr, "vtui calls: no thread '%s'; the trace has:\n", o->thread);
		else
			fputs("vtui calls: the trace has no threads\n", stderr);
		thread_list(t);
		return EXIT_USAGE;
	}
	if ((o->before && (rc = parse_when("--before", o->before, t, &in, &when))) ||
	    (o->after && (rc = parse_when("--after", o->after, t, &in, &when))) ||
	    (o->from && (rc = parse_when("--from", o->from, t, &in, &from))) ||
	    (o->to && (rc = parse_when("--to", o->to, t, &in, &to))))
		return rc;
	if (!(l = calls_list_new(t, (size_t)th))) {
		fputs("vtui calls: out of memory\n", stderr);
		return EXIT_TRACE;
	}
	if (print_rows(o, &p, l, when, from, to) < 0) {
		fputs("vtui calls: out of memory\n", stderr);
		rc = EXIT_TRACE;
	}
	if (o->format == FMT_JSON)
		puts(p.rows ? "]" : "[]");
	calls_list_free(l);
	return rc;
}

int vtui_calls_main(int argc, char **argv)
{
	struct calls_opts o = { 0 };
	vtb_trace *t;
	char *cause = NULL;
	int rc = parse_args(&o, argc, argv);

	if (rc)
		return rc < 0 ? 0 : rc;
	if (an_is_json_file(o.trace))
		t = an_load_json(o.trace, NULL, NULL, NULL, &cause);
	else
		t = vtb_trace_load(o.trace, o.salvage ? VTB_LOAD_SALVAGE : 0, NULL, NULL, &cause);
	if (!t) {
		an_fprintf_clean(stderr, "vtui calls: %s\n", cause ? cause : o.trace);
		free(cause);
		return EXIT_TRACE;
	}
	rc = run(&o, t);
	vtb_trace_free(t);
	return rc;
}
