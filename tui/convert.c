/* SPDX-License-Identifier: MIT */
/* convert.c: `vtui convert IN -o OUT`.
 *
 * The input's kind comes from its name (.json, .json.gz: Chrome trace JSON; .bin, .vtb:
 * VTB) or, failing that, from its first bytes; the output's from its name alone. The
 * output is written to a temporary file in the same directory and renamed over OUT only
 * when complete, so a failed conversion never leaves half a file under OUT. Progress goes
 * to stderr when it is a terminal, nothing otherwise.
 */
#include "tui/convert.h"

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/vtb.h"
#include "common/vtb_json.h"
#include "tui/tui_private.h"

enum kind { KIND_UNKNOWN, KIND_JSON, KIND_VTB };

struct progress {
	const char *what;
	const char *path;
	int shown;
	int last_pct;
	struct timespec start;
};

static enum kind kind_of_name(const char *path)
{
	if (an_is_json_name(path))
		return KIND_JSON;
	if (an_ends_with(path, ".bin") || an_ends_with(path, ".vtb") || an_ends_with(path, VTB_RING_SUFFIX))
		return KIND_VTB;
	return KIND_UNKNOWN;
}

/* VTB files start with "VTB\0"; anything else that opens is tried as JSON. */
static enum kind kind_of_file(const char *path)
{
	enum kind k = kind_of_name(path);
	unsigned char magic[4] = { 0 };
	FILE *f;

	if (k != KIND_UNKNOWN || !(f = fopen(path, "rb")))
		return k == KIND_UNKNOWN ? KIND_JSON : k;
	size_t n = fread(magic, 1, sizeof(magic), f);
	fclose(f);
	return n == 4 && (!memcmp(magic, "VTB", 4) || !memcmp(magic, "VTBR", 4)) ? KIND_VTB : KIND_JSON;
}

/* Shown after half a second, so quick conversions print nothing at all. */
static int show_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct progress *p = ctx;
	int pct = total ? (int)(done * 100 / total) : 0;

	if (pct > 100)
		pct = 100;
	if ((pct == p->last_pct && p->shown) || tui_seconds_since(&p->start) < 0.5)
		return 0;
	p->last_pct = pct;
	p->shown = 1;
	fputs("\r\033[K", stderr); /* ours; the path is cleaned */
	an_fprintf_clean(stderr, "vtui convert: %s %s %3d%%", p->what, p->path, pct);
	fflush(stderr);
	return 0;
}

static void end_progress(struct progress *p)
{
	if (p->shown)
		fputs("\r\033[K", stderr);
	p->shown = 0;
}

static void print_notes(const char *path, const char *notes)
{
	const char *p = notes;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);
		an_fprintf_clean(stderr, "vtui convert: %s: note: %.*s\n", path, n, p);
		p = nl ? nl + 1 : NULL;
	}
}

static vtb_trace *load(const char *in, struct progress *p, char **cause)
{
	vtb_progress_fn fn = isatty(STDERR_FILENO) ? show_progress : NULL;
	vtb_trace *t;

	p->what = "reading";
	p->path = in;
	if (kind_of_file(in) == KIND_JSON) {
		vtb_json_report r = { 0 };
		t = an_json_load(in, fn, p, &r, cause);
		end_progress(p);
		print_notes(in, r.notes);
		free(r.notes);
		return t;
	}
	t = vtb_trace_load(in, VTB_LOAD_SALVAGE, fn, p, cause);
	end_progress(p);
	const vtb_damage *d = t ? vtb_trace_damage(t) : NULL;
	if (d && (d->sections_bad || d->truncated))
		an_fprintf_clean(stderr, "vtui convert: %s: note: damaged: %zu section(s) skipped, %zu bytes lost%s%s\n", in,
			d->sections_bad, d->bytes_lost, d->first_problem ? "; first: " : "",
			d->first_problem ? d->first_problem : "");
	return t;
}

/* OUT's directory, "." + OUT's name + ".tmpPID" + OUT's extension (the writers look at it). */
static char *temp_name(const char *out)
{
	const char *base = strrchr(out, '/');
	const char *ext = an_ends_with(out, ".json.gz") ? ".json.gz" : strrchr(out, '.');
	size_t dir = base ? (size_t)(base - out) + 1 : 0;
	char *tmp = malloc(strlen(out) + 64);

	base = base ? base + 1 : out;
	if (tmp)
		snprintf(tmp, strlen(out) + 64, "%.*s.%.*s.tmp%ld%s", (int)dir, out,
			 (int)(strlen(base) - strlen(ext)), base, (long)getpid(), ext);
	return tmp;
}

static int save(const vtb_trace *t, const char *out, enum kind k, struct progress *p, char **cause)
{
	vtb_progress_fn fn = isatty(STDERR_FILENO) ? show_progress : NULL;
	char *tmp = temp_name(out);
	int rc;

	if (!tmp) {
		*cause = strdup("out of memory");
		return VTB_E_NOMEM;
	}
	p->what = "writing";
	p->path = out;
	p->last_pct = -1;
	rc = k == KIND_JSON ? vtb_json_export(t, tmp, fn, p, cause) : vtb_trace_save(t, tmp, cause);
	end_progress(p);
	if (!rc && rename(tmp, out)) {
		char buf[512];
		snprintf(buf, sizeof(buf), "%s: %s", out, strerror(errno));
		*cause = strdup(buf);
		rc = VTB_E_IO;
	}
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

static void usage(FILE *f)
{
	fputs("usage: vtui convert IN -o OUT [--max-json-bytes SIZE] [--max-events N]\n"
	      "  Convert between VTB (.bin, .vtb) and Chrome trace event JSON (.json, .json.gz),\n"
	      "  the format VizTracer and Perfetto read and write. OUT's name picks its format.\n"
	      "  asyncio task steps become a track per task in Perfetto and read back as lanes.\n"
	      AN_JSON_LIMITS_HELP, f);
}

/* Parse the command line; 0, or the exit status of a usage error (or of --help). */
static int parse(int argc, char **argv, const char **in, const char **out)
{
	static const struct option opts[] = { { "output", required_argument, NULL, 'o' },
					      { "help", no_argument, NULL, 'h' },
					      { "max-json-bytes", required_argument, NULL, 'L' },
					      { "max-events", required_argument, NULL, 'L' },
					      { NULL, 0, NULL, 0 } };
	int c, index = 0;
	char *cause = NULL;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, &index)) != -1) {
		if (c == 'o') {
			*out = optarg;
		} else if (c == 'L') {
			if (an_json_limit_option(opts[index].name, optarg, &cause) < 0) {
				an_fprintf_clean(stderr, "vtui convert: %s\n", cause ? cause : "out of memory");
				free(cause);
				return 2;
			}
		} else
			return usage(c == 'h' ? stdout : stderr), c == 'h' ? -1 : 2;
	}
	if (optind != argc - 1 || !*out) {
		an_fprintf_clean(stderr, "vtui convert: %s\n", optind >= argc ? "no input file" :
			optind < argc - 1 ? "one input file only" : "no output: give -o OUT");
		return usage(stderr), 2;
	}
	*in = argv[optind];
	if (kind_of_name(*out) == KIND_UNKNOWN) {
		an_fprintf_clean(stderr, "vtui convert: %s: cannot tell the output format: name it .json, .json.gz, "
			".bin or .vtb\n", *out);
		return 2;
	}
	return 0;
}

int vtui_convert_main(int argc, char **argv)
{
	const char *in = NULL, *out = NULL;
	struct progress p = { 0 };
	char *cause = NULL;
	vtb_trace *t = NULL;
	int status = parse(argc, argv, &in, &out);

	if (status)
		return status < 0 ? 0 : status;
	setlocale(LC_NUMERIC, "C"); /* JSON numbers parse and print with a '.' whatever the locale */
	clock_gettime(CLOCK_MONOTONIC, &p.start);
	t = load(in, &p, &cause);
	if (!t) {
		an_fprintf_clean(stderr, "vtui convert: %s\n", cause ? cause : "failed");
		status = 1;
		goto out;
	}
	if (save(t, out, kind_of_name(out), &p, &cause)) {
		an_fprintf_clean(stderr, "vtui convert: cannot write %s: %s\n", out, cause ? cause : "failed");
		status = 1;
		goto out;
	}
	an_fprintf_clean(stdout, "%s -> %s: %zu calls, %zu events, %zu threads\n", in, out, vtb_trace_call_count(t),
	       vtb_trace_event_count(t), vtb_trace_thread_count(t));
out:
	free(cause);
	vtb_trace_free(t);
	return status;
}
