/* batch.c: the batch entry points: --info and --render. */
#include "tui/tui_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		char calls[32];

		tui_fmt_count(calls, sizeof(calls), th->call_count);
		fprintf(out, "  thread %zu: pid %u tid %llu %s: %s calls, depth %u, %zu marks\n", i + 1,
			th->pid, (unsigned long long)th->tid, th->name && *th->name ? th->name : "(unnamed)",
			calls, th->depth_count, th->mark_count);
	}
}

int tui_print_info(const vtb_trace *t, const char *path, const char *note, FILE *out)
{
	const vtb_header *h = vtb_trace_header(t);
	uint64_t first, last;
	char span[32], events[32], calls[32], dropped[32];

	vtb_trace_span(t, &first, &last);
	tui_fmt_dur(span, sizeof(span), last > first ? last - first : 0, 0);
	tui_fmt_count(events, sizeof(events), vtb_trace_event_count(t));
	tui_fmt_count(calls, sizeof(calls), vtb_trace_call_count(t));
	tui_fmt_count(dropped, sizeof(dropped), h->events_dropped);
	fprintf(out, "file: %s\n", path);
	fprintf(out, "process: pid %u, ppid %u\n", h->pid, h->ppid);
	fprintf(out, "command: %s\n", h->cmdline ? h->cmdline : "");
	fprintf(out, "python: %s\n", h->python_version ? h->python_version : "");
	fprintf(out, "dump: %s%s%s\n", vtb_reason_name(h->reason),
		h->reason_text && *h->reason_text ? ": " : "", h->reason_text ? h->reason_text : "");
	fprintf(out, "span: %s\n", span);
	fprintf(out, "ring: %llu events, %s dropped, %s\n", (unsigned long long)h->ring_capacity,
		dropped, h->wrapped ? "wrapped" : "not wrapped");
	fprintf(out, "events: %s\ncalls: %s\n", events, calls);
	fprintf(out, "strings: %zu\nprocesses: %zu\ncounters: %zu\nthreads: %zu\n",
		vtb_trace_string_count(t), vtb_trace_process_count(t), vtb_trace_counter_count(t),
		vtb_trace_thread_count(t));
	info_threads(t, out);
	if (note)
		fprintf(out, "note: %s\n", note);
	return ferror(out) ? VTB_E_IO : 0;
}

int tui_render_batch(tui_app *app, int width, int height, int ascii,
		     const char *const *cmds, size_t cmd_count, FILE *out, char **cause)
{
	tui_screen *s = tui_screen_new(width, height);
	char *text = NULL;
	int rc = VTB_E_NOMEM;

	if (!s)
		goto out;
	tui_screen_set_ascii(s, ascii);
	tui_app_render(app, s); /* lays out the screen the commands then act on */
	for (size_t i = 0; i < cmd_count; i++) {
		if (tui_app_exec(app, cmds[i]) < 0) {
			rc = VTB_E_ARG;
			*cause = tui_strdupf("--cmd '%s': %s", cmds[i], tui_app_message(app));
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
