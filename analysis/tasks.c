/* SPDX-License-Identifier: MIT */
/* tasks.c: asyncio tasks as lanes. The tracer names the task of each step (the outermost
 * coroutine the event loop resumed, vtb_task_step); the steps of one task on one thread,
 * in time order, make its lane: its busy time is what the steps took, its span runs from
 * its first step's start to its last step's end, and the gaps between steps are the time
 * it spent awaiting. Figures as vtui(1) TASKS defines them. */
#include "analysis/analysis.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

/* Order of steps while grouping: thread, task, name, then start. */
struct step_ref {
	uint32_t thread;
	const vtb_task_step *step;
	uint64_t start_ns;
};

static int cmp_ref(const void *a, const void *b)
{
	const struct step_ref *x = a, *y = b;
	int c;

	if (x->thread != y->thread)
		return x->thread < y->thread ? -1 : 1;
	if (x->step->task != y->step->task)
		return x->step->task < y->step->task ? -1 : 1;
	if ((c = strcmp(x->step->name, y->step->name)) != 0)
		return c;
	return x->start_ns < y->start_ns ? -1 : x->start_ns > y->start_ns;
}

/* Lanes by thread, then by their first step. */
static int cmp_lane(const void *a, const void *b)
{
	const an_task_lane *x = a, *y = b;

	if (x->thread != y->thread)
		return x->thread < y->thread ? -1 : 1;
	return x->first_ns < y->first_ns ? -1 : x->first_ns > y->first_ns;
}

static struct step_ref *collect(const vtb_trace *t, size_t *count)
{
	size_t n = 0, k = 0;

	for (size_t i = 0; i < vtb_trace_thread_count(t); i++)
		n += vtb_trace_thread(t, i)->task_step_count;
	struct step_ref *r = malloc((n ? n : 1) * sizeof(*r));
	if (!r)
		return NULL;
	for (size_t i = 0; i < vtb_trace_thread_count(t); i++) {
		const vtb_thread *th = vtb_trace_thread(t, i);
		for (size_t j = 0; j < th->task_step_count; j++) {
			const vtb_task_step *s = &th->task_steps[j];
			r[k++] = (struct step_ref){ (uint32_t)i, s, th->rows[s->depth].slices[s->index].start_ns };
		}
	}
	qsort(r, n, sizeof(*r), cmp_ref);
	*count = n;
	return r;
}

static int same_lane(const struct step_ref *a, const struct step_ref *b)
{
	return a->thread == b->thread && a->step->task == b->step->task && !strcmp(a->step->name, b->step->name);
}

/* Fill lane `l` from refs [i, j): slices copied, figures summed. */
static void fill_lane(const vtb_trace *t, an_task_lane *l, const struct step_ref *r, size_t i, size_t j,
		      vtb_slice *slices)
{
	const vtb_thread *th = vtb_trace_thread(t, r[i].thread);

	*l = (an_task_lane){ .thread = r[i].thread, .task = r[i].step->task, .name = r[i].step->name,
			      .slices = slices, .count = j - i, .first_ns = r[i].start_ns };
	for (size_t k = i; k < j; k++) {
		vtb_slice s = th->rows[r[k].step->depth].slices[r[k].step->index];
		s.depth = 0;
		slices[k - i] = s;
		l->busy_ns = vtb_add_sat(l->busy_ns, s.dur_ns);
		if (s.start_ns + s.dur_ns > l->last_ns)
			l->last_ns = s.start_ns + s.dur_ns;
	}
}

/* The lanes own one array of slices, in lane order before the lanes are sorted. */
int an_tasks_build(const vtb_trace *t, an_tasks **out)
{
	size_t n = 0, lanes = 0;
	struct step_ref *r = collect(t, &n);
	an_tasks *ts = calloc(1, sizeof(*ts));

	*out = NULL;
	if (!r || !ts)
		goto nomem;
	for (size_t i = 0; i < n; i++)
		lanes += i == 0 || !same_lane(&r[i - 1], &r[i]);
	ts->slices = malloc((n ? n : 1) * sizeof(*ts->slices));
	ts->lanes = calloc(lanes ? lanes : 1, sizeof(*ts->lanes));
	if (!ts->slices || !ts->lanes)
		goto nomem;
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && same_lane(&r[i], &r[j]); j++)
			;
		fill_lane(t, &ts->lanes[ts->count++], r, i, j, ts->slices + i);
	}
	qsort(ts->lanes, ts->count, sizeof(*ts->lanes), cmp_lane);
	free(r);
	*out = ts;
	return 0;
nomem:
	free(r);
	an_tasks_free(ts);
	return VTB_E_NOMEM;
}

void an_tasks_free(an_tasks *ts)
{
	if (!ts)
		return;
	free(ts->slices);
	free(ts->lanes);
	free(ts);
}

uint64_t an_task_span(const an_task_lane *l)
{
	return l->last_ns - l->first_ns;
}

uint64_t an_task_wait(const an_task_lane *l)
{
	return an_task_span(l) > l->busy_ns ? an_task_span(l) - l->busy_ns : 0;
}

static const char *thread_label(const vtb_trace *t, uint32_t i, char *buf, size_t len)
{
	const vtb_thread *th = vtb_trace_thread(t, i);

	if (th->name && *th->name)
		return th->name;
	snprintf(buf, len, "%llu", (unsigned long long)th->tid);
	return buf;
}

static void write_table(const an_tasks *ts, const vtb_trace *t, FILE *out)
{
	char b[3][16], tb[32];

	fprintf(out, "%8s %10s %10s %10s  %s\n", "steps", "span", "busy", "wait", "task (thread)");
	for (size_t i = 0; i < ts->count; i++) {
		const an_task_lane *l = &ts->lanes[i];

		fprintf(out, "%8zu %10s %10s %10s  ", l->count,
			flt_duration_format(an_task_span(l), b[0], sizeof(b[0])),
			flt_duration_format(l->busy_ns, b[1], sizeof(b[1])),
			flt_duration_format(an_task_wait(l), b[2], sizeof(b[2])));
		an_stats_put_clean(out, l->name);
		fputs(" (", out);
		an_stats_put_clean(out, thread_label(t, l->thread, tb, sizeof(tb)));
		fputs(")\n", out);
	}
}

static void write_csv(const an_tasks *ts, const vtb_trace *t, FILE *out)
{
	char tb[32];

	fputs("task,thread,steps,span,busy,wait\n", out);
	for (size_t i = 0; i < ts->count; i++) {
		const an_task_lane *l = &ts->lanes[i];

		an_stats_put_csv_field(out, l->name);
		fputc(',', out);
		an_stats_put_csv_field(out, thread_label(t, l->thread, tb, sizeof(tb)));
		fprintf(out, ",%zu,%llu,%llu,%llu\n", l->count, (unsigned long long)an_task_span(l),
			(unsigned long long)l->busy_ns, (unsigned long long)an_task_wait(l));
	}
}

struct json_ctx {
	const an_tasks *ts;
	const vtb_trace *t;
};

static cJSON *lane_json(const void *ctx, size_t i)
{
	const struct json_ctx *x = ctx;
	const an_task_lane *l = &x->ts->lanes[i];
	const vtb_thread *th = vtb_trace_thread(x->t, l->thread);
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddStringToObject(o, "task", l->name) ||
	    !cJSON_AddNumberToObject(o, "tid", (double)th->tid) ||
	    !cJSON_AddStringToObject(o, "thread", th->name ? th->name : "") ||
	    !cJSON_AddNumberToObject(o, "steps", (double)l->count) ||
	    !cJSON_AddNumberToObject(o, "span", (double)an_task_span(l)) ||
	    !cJSON_AddNumberToObject(o, "busy", (double)l->busy_ns) ||
	    !cJSON_AddNumberToObject(o, "wait", (double)an_task_wait(l))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

int an_tasks_write(const an_tasks *ts, const vtb_trace *t, enum an_stats_format fmt, FILE *out,
		    char **cause)
{
	int rc = 0;

	if (fmt == AN_STATS_TABLE) {
		write_table(ts, t, out);
	} else if (fmt == AN_STATS_CSV) {
		write_csv(ts, t, out);
	} else {
		struct json_ctx x = { ts, t };
		rc = an_stats_json_list(cJSON_CreateObject(), "tasks", ts->count, lane_json, &x, out);
	}
	return an_stats_write_end(rc, out, "the task statistics", cause);
}
