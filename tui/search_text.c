/* SPDX-License-Identifier: MIT */
/* search_text.c: what a search finds besides function names: argument and return text,
 * log records, exceptions and other marks, the dump's exception.
 *
 * Names are matched once per string (search.c); texts belong to one call or one mark
 * each, so they are matched one by one: a search costs one match per attachment and per
 * mark of the fields asked for, and nothing for the others. A mark counts for the
 * innermost call around it (where the exception was raised, the record logged), found
 * by one binary search per depth. The scan goes in steps of a given number of texts
 * (a million texts take tens of milliseconds: the viewer spreads them over idle time)
 * and hands each matching call to a sink; tui_search_text collects them by address. */
#include "tui/filter_view.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Does the pattern match `text`? Errors (the match limit) stop the scan. */
static int hit(struct tui_search_scan *c, const char *text)
{
	int rc;

	if (c->err || !text || !*text)
		return 0;
	rc = flt_pattern_match(c->p, text, strlen(text), c->cause);
	if (rc < 0)
		c->err = rc;
	return rc > 0;
}

static int wants(const struct tui_search_scan *c, enum flt_field f)
{
	return c->field == FLT_FIELD_ANY || c->field == f;
}

static int wants_attachments(const struct tui_search_scan *c)
{
	return wants(c, FLT_FIELD_ARG) || wants(c, FLT_FIELD_RET);
}

/* The innermost call of `thread` running at ts: 0 with its depth and index, or -1. */
static int call_at(const tui_model *m, int32_t thread, uint64_t ts, uint32_t *depth, size_t *index)
{
	const vtb_thread *th = tui_model_thread(m, thread);
	int found = -1;
	size_t i;

	for (uint32_t d = 0; d < th->depth_count && tui_query_at(m, thread, d, ts, ts + 1, &i); d++) {
		*depth = d;
		*index = i;
		found = 0;
	}
	return found;
}

static void attachment(struct tui_search_scan *c, const vtb_thread *th, const vtb_attachment *a)
{
	int arg = wants(c, FLT_FIELD_ARG) && hit(c, a->args);
	int ret = !arg && wants(c, FLT_FIELD_RET) && hit(c, a->retval);

	if (!arg && !ret)
		return;
	c->per_field[arg ? FLT_FIELD_ARG : FLT_FIELD_RET]++;
	if (a->depth < th->depth_count && a->index < th->rows[a->depth].count)
		c->add(c->ctx, (int32_t)c->thread, a->depth, a->index);
}

/* The field a mark matches, or FLT_FIELD_ANY for none. Instants are the exceptions
 * --log-exceptions records (named by their type, the message as text) and vtrace.instant
 * events; a log record is its logger's name and message. */
static enum flt_field mark_field(struct tui_search_scan *c, const vtb_mark *mk)
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

static void mark(struct tui_search_scan *c, const vtb_mark *mk)
{
	enum flt_field f = mark_field(c, mk);
	uint32_t d;
	size_t i;

	if (f == FLT_FIELD_ANY)
		return;
	if (f == FLT_FIELD_EXC && c->m->hdr->reason == VTB_REASON_EXCEPTION &&
	    !strcmp(tui_model_name(c->m, mk->name_id), AN_UNHANDLED)) {
		c->unhandled = 1; /* the dump's exception, its traceback: counted there */
		return;
	}
	c->per_field[f]++;
	if (call_at(c->m, (int32_t)c->thread, mk->ts_ns, &d, &i) == 0)
		c->add(c->ctx, (int32_t)c->thread, d, i);
	else
		c->loose++;
}

/* The dump's unhandled exception (its type and message in the reason, its traceback in
 * the instant the tracer leaves) is one match, at the call it began in: the incident's
 * (analysis/incident.c), as `goto incident` shows it. */
static void dump_exception(struct tui_search_scan *c)
{
	an_incident in;

	if (c->m->hdr->reason != VTB_REASON_EXCEPTION || !wants(c, FLT_FIELD_EXC) ||
	    (!c->unhandled && !hit(c, c->m->hdr->reason_text)))
		return;
	c->per_field[FLT_FIELD_EXC]++;
	an_incident_find(c->m->trace, &in);
	if (in.call_depth >= 0)
		c->add(c->ctx, (int32_t)in.thread, (uint32_t)in.call_depth, in.call_index);
	else
		c->loose++;
}

/* The texts a thread holds for the scan: its attachments when asked, then its marks. */
static size_t thread_units(const struct tui_search_scan *c, size_t t)
{
	const vtb_thread *th = tui_model_thread(c->m, (int32_t)t);

	return (wants_attachments(c) ? th->attachment_count : 0) + th->mark_count;
}

void tui_search_scan_init(struct tui_search_scan *c, const tui_model *m, flt_pattern *p,
			  enum flt_field field, tui_search_sink add, void *ctx)
{
	memset(c, 0, sizeof(*c));
	c->m = m;
	c->p = p;
	c->field = field;
	c->add = add;
	c->ctx = ctx;
	c->done = field == FLT_FIELD_NAME || field == FLT_FIELD_FILE;
	for (size_t t = 0; t < m->thread_count && !c->done; t++)
		c->units_total += thread_units(c, t);
}

/* Up to `units` texts of the current thread, from where the scan stopped. */
static size_t scan_thread(struct tui_search_scan *c, size_t units)
{
	const vtb_thread *th = tui_model_thread(c->m, (int32_t)c->thread);
	size_t atts = wants_attachments(c) ? th->attachment_count : 0, n = 0;

	for (; c->next < atts && n < units && !c->err; c->next++, n++)
		attachment(c, th, &th->attachments[c->next]);
	for (; c->next >= atts && c->next - atts < th->mark_count && n < units && !c->err; c->next++, n++)
		mark(c, &th->marks[c->next - atts]);
	if (c->next == atts + th->mark_count) {
		c->thread++;
		c->next = 0;
	}
	return n;
}

int tui_search_scan_step(struct tui_search_scan *c, size_t units, char **cause)
{
	c->cause = cause;
	while (!c->done && !c->err && units > 0) {
		size_t n;

		if (c->thread == c->m->thread_count) {
			dump_exception(c);
			c->done = 1;
			break;
		}
		n = scan_thread(c, units);
		c->units_done += n;
		units -= n;
	}
	c->cause = NULL;
	return c->err ? c->err : c->done;
}

/* The old interface: every hit call by address. */
static void add_address(void *ctx, int32_t thread, uint32_t depth, size_t index)
{
	struct tui_search_hits *h = ctx;
	const vtb_slice **grown;

	if (h->count == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;

		if (!(grown = realloc(h->calls, cap * sizeof(*grown)))) {
			h->oom = 1;
			return;
		}
		h->calls = grown;
		h->cap = cap;
	}
	h->calls[h->count++] = tui_model_slice(h->m, (tui_ref){ thread, depth, index });
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
	struct tui_search_scan c;
	int rc;

	memset(h, 0, sizeof(*h));
	h->m = m;
	tui_search_scan_init(&c, m, p, field, add_address, h);
	rc = tui_search_scan_step(&c, SIZE_MAX, cause);
	if (rc >= 0 && h->oom)
		rc = -1;
	if (rc < 0) {
		tui_search_hits_free(h);
		return rc;
	}
	memcpy(h->per_field, c.per_field, sizeof(h->per_field));
	h->loose = c.loose;
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
