/* SPDX-License-Identifier: MIT */
/* search_text.c: what a search finds besides function names: argument and return text,
 * log records, exceptions and other marks, the dump's exception.
 *
 * Names are matched once per string (search.c); texts belong to one call or one mark
 * each, so they are matched one by one: a search costs one match per attachment and per
 * mark of the fields asked for, and nothing for the others. A mark counts for the
 * innermost call around it (where the exception was raised, the record logged), found
 * by one binary search per depth. The hits are kept as slice addresses, sorted, so that
 * drawing tests a call by one binary search and the match index merges them row by row. */
#include "tui/filter_view.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct collect {
	const tui_model *m;
	flt_pattern *p;
	enum flt_field field;
	struct tui_search_hits *h;
	size_t cap;
	char **cause;
	int err;
	int unhandled;  /* the unhandled-exception instant of an exception dump matched */
};

/* Does the pattern match `text`? Errors (the match limit) stop the collection. */
static int hit(struct collect *c, const char *text)
{
	int rc;

	if (c->err || !text || !*text)
		return 0;
	rc = flt_pattern_match(c->p, text, strlen(text), c->cause);
	if (rc < 0)
		c->err = rc;
	return rc > 0;
}

static int wants(const struct collect *c, enum flt_field f)
{
	return c->field == FLT_FIELD_ANY || c->field == f;
}

static void add_call(struct collect *c, const vtb_slice *s)
{
	if (c->err)
		return;
	if (c->h->count == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		const vtb_slice **grown = realloc(c->h->calls, cap * sizeof(*grown));

		if (!grown) {
			c->err = -1;
			return;
		}
		c->h->calls = grown;
		c->cap = cap;
	}
	c->h->calls[c->h->count++] = s;
}

/* The innermost call of `thread` running at ts, or NULL. */
static const vtb_slice *call_at(const tui_model *m, int32_t thread, uint64_t ts)
{
	const vtb_thread *th = tui_model_thread(m, thread);
	const vtb_slice *found = NULL;
	size_t i;

	for (uint32_t d = 0; d < th->depth_count && tui_query_at(m, thread, d, ts, ts + 1, &i); d++)
		found = &th->rows[d].slices[i];
	return found;
}

static void attachments(struct collect *c, int32_t t)
{
	const vtb_thread *th = tui_model_thread(c->m, t);

	for (size_t i = 0; i < th->attachment_count && !c->err; i++) {
		const vtb_attachment *a = &th->attachments[i];
		int arg = wants(c, FLT_FIELD_ARG) && hit(c, a->args);
		int ret = !arg && wants(c, FLT_FIELD_RET) && hit(c, a->retval);

		if (!arg && !ret)
			continue;
		c->h->per_field[arg ? FLT_FIELD_ARG : FLT_FIELD_RET]++;
		if (a->depth < th->depth_count && a->index < th->rows[a->depth].count)
			add_call(c, &th->rows[a->depth].slices[a->index]);
	}
}

/* The field a mark matches, or FLT_FIELD_ANY for none. Instants are the exceptions
 * --log-exceptions records (named by their type, the message as text) and vtrace.instant
 * events; a log record is its logger's name and message. */
static enum flt_field mark_field(struct collect *c, const vtb_mark *mk)
{
	const char *name = tui_model_name(c->m, mk->name_id);

	if (mk->kind == VTB_MARK_LOG)
		return wants(c, FLT_FIELD_LOG) && (hit(c, mk->text) || hit(c, name)) ? FLT_FIELD_LOG
		       : wants(c, FLT_FIELD_MARK) && hit(c, name) ? FLT_FIELD_MARK : FLT_FIELD_ANY;
	if (mk->kind == VTB_MARK_INSTANT && wants(c, FLT_FIELD_EXC) && (hit(c, name) || hit(c, mk->text)))
		return FLT_FIELD_EXC;
	if (wants(c, FLT_FIELD_MARK) && hit(c, name))
		return FLT_FIELD_MARK;
	return c->field == FLT_FIELD_ANY && hit(c, mk->text) ? FLT_FIELD_MARK : FLT_FIELD_ANY;
}

static void marks(struct collect *c, int32_t t)
{
	const vtb_thread *th = tui_model_thread(c->m, t);

	for (size_t i = 0; i < th->mark_count && !c->err; i++) {
		enum flt_field f = mark_field(c, &th->marks[i]);
		const vtb_slice *s;

		if (f == FLT_FIELD_ANY)
			continue;
		if (f == FLT_FIELD_EXC && c->m->hdr->reason == VTB_REASON_EXCEPTION &&
		    !strcmp(tui_model_name(c->m, th->marks[i].name_id), AN_UNHANDLED)) {
			c->unhandled = 1; /* the dump's exception, its traceback: counted there */
			continue;
		}
		c->h->per_field[f]++;
		if ((s = call_at(c->m, t, th->marks[i].ts_ns)))
			add_call(c, s);
		else
			c->h->loose++;
	}
}

/* The dump's unhandled exception (its type and message in the reason, its traceback in
 * the instant the tracer leaves) is one match, at the call it began in: the incident's
 * (analysis/incident.c), as `goto incident` shows it. */
static void dump_exception(struct collect *c)
{
	an_incident in;

	if (c->m->hdr->reason != VTB_REASON_EXCEPTION || !wants(c, FLT_FIELD_EXC) ||
	    (!c->unhandled && !hit(c, c->m->hdr->reason_text)))
		return;
	c->h->per_field[FLT_FIELD_EXC]++;
	an_incident_find(c->m->trace, &in);
	if (in.call_depth >= 0)
		add_call(c, tui_model_slice(c->m, (tui_ref){ (int32_t)in.thread, (uint32_t)in.call_depth, in.call_index }));
	else
		c->h->loose++;
}

static int cmp_addr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(const vtb_slice *const *)a, y = (uintptr_t)*(const vtb_slice *const *)b;

	return x < y ? -1 : x > y;
}

/* Sort the hits by address and drop repeats (a call with matching args and a log). */
static void unique(struct tui_search_hits *h)
{
	size_t n = 0;

	if (h->count > 1)
		qsort(h->calls, h->count, sizeof(*h->calls), cmp_addr);
	for (size_t i = 0; i < h->count; i++)
		if (n == 0 || h->calls[n - 1] != h->calls[i])
			h->calls[n++] = h->calls[i];
	h->count = n;
}

int tui_search_text(const tui_model *m, flt_pattern *p, enum flt_field field,
		    struct tui_search_hits *h, char **cause)
{
	struct collect c = { m, p, field, h, 0, cause, 0, 0 };

	memset(h, 0, sizeof(*h));
	if (field == FLT_FIELD_NAME || field == FLT_FIELD_FILE)
		return 0;
	for (size_t t = 0; t < m->thread_count && !c.err; t++) {
		if (wants(&c, FLT_FIELD_ARG) || wants(&c, FLT_FIELD_RET))
			attachments(&c, (int32_t)t);
		marks(&c, (int32_t)t);
	}
	dump_exception(&c);
	if (c.err) {
		tui_search_hits_free(h);
		return c.err;
	}
	unique(h);
	return 0;
}

void tui_search_hits_free(struct tui_search_hits *h)
{
	free(h->calls);
	memset(h, 0, sizeof(*h));
}

size_t tui_search_hits_from(const struct tui_search_hits *h, const vtb_slice *s)
{
	size_t lo = 0, hi = h->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if ((uintptr_t)h->calls[mid] < (uintptr_t)s)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int tui_search_hit(const struct tui_search_hits *h, const vtb_slice *s)
{
	size_t i = tui_search_hits_from(h, s);

	return i < h->count && h->calls[i] == s;
}
