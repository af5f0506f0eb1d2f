/* SPDX-License-Identifier: MIT */
/* batch.c: the batch entry points: --info and --render. */
#include "tui/tui_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"

int tui_parse_size(const char *text, int *width, int *height)
{
	char *end;
	long w = strtol(text, &end, 10), h;

	if (end == text || (*end != 'x' && *end != 'X'))
		return VTB_E_ARG;
	text = end + 1;
	h = strtol(text, &end, 10);
	if (end == text || *end || w < 1 || h < 1 || w > 10000 || h > 10000)
		return VTB_E_ARG;
	*width = (int)w;
	*height = (int)h;
	return 0;
}

static void info_threads(const vtb_trace *t, FILE *out)
{
	for (size_t i = 0; i < vtb_trace_thread_count(t); i++) {
		const vtb_thread *th = vtb_trace_thread(t, i);
		char calls[32], who[256];

		tui_fmt_count(calls, sizeof(calls), th->call_count);
		tui_thread_label(th, who, sizeof(who));
		fprintf(out, "  thread %zu: pid %u ", i + 1, th->pid);
		an_stats_put_clean(out, who);
		fprintf(out, ": %s calls, depth %u, %zu mark%s\n", calls, th->depth_count, th->mark_count,
			th->mark_count == 1 ? "" : "s");
	}
}

int tui_print_info(const vtb_trace *t, const char *path, const char *note, FILE *out)
{
	const vtb_header *h = vtb_trace_header(t);
	uint64_t first, last;
	char span[32], events[32], calls[32], dropped[32];

	vtb_trace_span(t, &first, &last);
	an_fmt_dur(span, sizeof(span), last > first ? last - first : 0, 0);
	tui_fmt_count(events, sizeof(events), vtb_trace_event_count(t));
	tui_fmt_count(calls, sizeof(calls), vtb_trace_call_count(t));
	tui_fmt_count(dropped, sizeof(dropped), h->events_dropped);
	/* Texts from the file go through an_stats_put_clean: none may drive the terminal. */
	fputs("file: ", out);
	an_stats_put_clean(out, path);
	fprintf(out, "\nprocess: pid %u, ppid %u\ncommand: ", h->pid, h->ppid);
	an_stats_put_clean(out, h->cmdline ? h->cmdline : "");
	fputs("\npython: ", out);
	an_stats_put_clean(out, h->python_version ? h->python_version : "");
	fprintf(out, "\ndump: %s%s", vtb_reason_name(h->reason),
		h->reason_text && *h->reason_text ? ": " : "");
	an_stats_put_clean(out, h->reason_text ? h->reason_text : "");
	fputc('\n', out);
	fprintf(out, "span: %s\n", span);
	fprintf(out, "ring: %llu records, %s dropped, %s\n", (unsigned long long)h->ring_capacity,
		dropped, h->wrapped ? "wrapped" : "not wrapped");
	fprintf(out, "events: %s\ncalls: %s\n", events, calls);
	fprintf(out, "strings: %zu\nprocesses: %zu\ncounters: %zu\nthreads: %zu\n",
		vtb_trace_string_count(t), vtb_trace_process_count(t), vtb_trace_counter_count(t),
		vtb_trace_thread_count(t));
	info_threads(t, out);
	for (const char *p = note; p && *p; p += strcspn(p, "\n"), p += *p == '\n') {
		char *line = strndup(p, strcspn(p, "\n")); /* one "note:" line per part */

		fputs("note: ", out);
		an_stats_put_clean(out, line ? line : "");
		fputc('\n', out);
		free(line);
	}
	return ferror(out) ? VTB_E_IO : 0;
}

int tui_render_batch(tui_app *app, int width, int height, int ascii,
		     const char *const *cmds, size_t cmd_count, FILE *out, char **cause)
{
	tui_cmd_src *srcs = NULL;
	size_t n = 0;
	int rc = 0;

	for (size_t i = 0; i < cmd_count && rc == 0; i++)
		rc = tui_cmd_src_append(&srcs, &n, cmds[i], "--cmd");
	if (rc == 0)
		rc = tui_render_script(app, width, height, ascii, srcs, n, out, cause);
	else
		*cause = strdup("out of memory");
	tui_cmd_src_free(srcs, n);
	return rc;
}
