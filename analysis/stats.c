/* SPDX-License-Identifier: MIT */
/* stats.c: per-function statistics in one pass per thread over the depth rows. */
#define _GNU_SOURCE /* qsort_r */
#include "analysis/analysis.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

/* One open call during the walk. */
struct frame {
	const vtb_slice *s;
	uint64_t end_ns;
	uint64_t child_ns;      /* durations of its direct children */
	int hidden;             /* it or a call above it is excluded */
	int counted;
	int outermost;          /* counted with no counted ancestor of the same id */
};

struct walk {
	const an_stats_scope *sc;
	an_stats_row *by_id;   /* indexed by string id */
	uint32_t *active;       /* counted open calls per id (recursion) */
	size_t nstr;
	uint64_t calls;
	uint64_t lo_ns, hi_ns;  /* counted calls start in [lo, hi) */
	const vtb_thread *th;
	size_t *cursor;         /* next slice per depth */
	size_t *stop;           /* one past the last slice to visit per depth */
	struct frame *stack;    /* stack[d]: the open call at depth d */
	struct walk_filter {
		const uint64_t *included;  /* NULL: every name counts */
		const uint64_t *excluded;  /* NULL: nothing hidden */
		size_t nbits;
		uint64_t min_ns;
		uint32_t depth_limit;
		int none;                  /* a filter never evaluated: nothing counts */
	} wf;                   /* the filter's bitmaps and limits, read once */
};

static void filter_snapshot(struct walk_filter *wf, const flt_set *f)
{
	memset(wf, 0, sizeof(*wf));
	wf->depth_limit = UINT32_MAX;
	if (f == NULL)
		return;
	wf->included = flt_set_included(f);
	wf->excluded = flt_set_excluded(f);
	wf->none = wf->included == NULL;
	wf->nbits = flt_set_eval_count(f);
	wf->min_ns = flt_set_get_min_duration(f);
	if (flt_set_get_max_depth(f) != 0)
		wf->depth_limit = flt_set_get_max_depth(f);
}

static int name_counts(const struct walk *w, uint32_t id)
{
	const struct walk_filter *wf = &w->wf;

	if (id >= w->nstr || wf->none)
		return 0;
	return wf->included == NULL || (id < wf->nbits && flt_bitmap_test(wf->included, id));
}

static int name_hidden(const struct walk *w, uint32_t id)
{
	const struct walk_filter *wf = &w->wf;

	return wf->excluded != NULL && id < wf->nbits && flt_bitmap_test(wf->excluded, id);
}

static void open_call(struct walk *w, uint32_t level, uint32_t base, const vtb_slice *s)
{
	struct frame *f = &w->stack[level], *parent = level > base ? &w->stack[level - 1] : NULL;

	f->s = s;
	f->end_ns = s->start_ns + s->dur_ns;
	f->child_ns = 0;
	/* A child that starts before its parent is an orphan of a damaged trace, not a child. */
	if (parent != NULL && s->start_ns >= parent->s->start_ns)
		parent->child_ns = vtb_add_sat(parent->child_ns, s->dur_ns);
	f->hidden = (parent != NULL && parent->hidden) || name_hidden(w, s->name_id);
	f->counted = !f->hidden && name_counts(w, s->name_id) &&
		     s->start_ns >= w->lo_ns && s->start_ns < w->hi_ns &&
		     s->dur_ns >= w->wf.min_ns && s->depth < w->wf.depth_limit;
	f->outermost = f->counted && w->active[s->name_id]++ == 0;
}

static void close_call(struct walk *w, const struct frame *f)
{
	an_stats_row *r;
	uint64_t dur = f->s->dur_ns;

	if (!f->counted)
		return;
	r = &w->by_id[f->s->name_id];
	w->active[f->s->name_id]--;
	r->calls++;
	/* Saturating: nested and per-thread sums of long calls can pass 64 bits. */
	r->self_ns = vtb_add_sat(r->self_ns, dur > f->child_ns ? dur - f->child_ns : 0);
	if (f->outermost)
		r->total_ns = vtb_add_sat(r->total_ns, dur);
	if (dur > r->max_ns)
		r->max_ns = dur;
	w->calls++;
}

/* Visit every slice reachable from rows[base] (from its cursor, while starting before
 * `limit_ns`), children before their next sibling, without recursion. */
static void walk_from(struct walk *w, uint32_t base, uint64_t limit_ns)
{
	uint32_t level = base, depths = w->th->depth_count;

	for (;;) {
		uint64_t limit = level == base ? limit_ns : w->stack[level - 1].end_ns;
		const vtb_row *row = level < depths ? &w->th->rows[level] : NULL;

		if (row != NULL && w->cursor[level] < w->stop[level] &&
		    row->slices[w->cursor[level]].start_ns < limit) {
			open_call(w, level, base, &row->slices[w->cursor[level]++]);
			level++;
		} else if (level == base) {
			return;
		} else {
			close_call(w, &w->stack[--level]);
		}
	}
}

/* First index of `row` that may hold a call starting at or after `ts_ns`: one that ends
 * after ts_ns - 1, so zero-length calls at ts_ns are not skipped. */
static size_t first_from(const vtb_row *row, uint64_t ts_ns)
{
	return vtb_row_find(row, ts_ns ? ts_ns - 1 : 0);
}

/* Position the cursors for the scope and walk the thread. */
static void walk_thread(struct walk *w)
{
	const an_stats_scope *sc = w->sc;
	const vtb_thread *th = w->th;

	w->lo_ns = sc->t1_ns ? sc->t0_ns : 0;
	w->hi_ns = sc->t1_ns ? sc->t1_ns : UINT64_MAX;
	for (uint32_t d = 0; d < th->depth_count; d++) {
		w->stop[d] = th->rows[d].count;
		w->cursor[d] = sc->t1_ns ? first_from(&th->rows[d], sc->t0_ns) : 0;
	}
	if (sc->subtree) {
		const vtb_slice *s = &th->rows[sc->depth].slices[sc->index];

		if (s->start_ns > w->lo_ns)
			w->lo_ns = s->start_ns;
		for (uint32_t d = sc->depth + 1; d < th->depth_count; d++)
			w->cursor[d] = first_from(&th->rows[d], s->start_ns);
		w->cursor[sc->depth] = sc->index;
		w->stop[sc->depth] = sc->index + 1;
		walk_from(w, sc->depth, UINT64_MAX);
		return;
	}
	/* Depth 0 first; then what no parent claimed (orphans of a damaged trace). */
	for (uint32_t d = 0; d < th->depth_count; d++)
		walk_from(w, d, w->hi_ns);
}

static int check_subtree(const vtb_trace *t, const an_stats_scope *sc, char **cause)
{
	const vtb_thread *th;

	if (sc->thread >= vtb_trace_thread_count(t))
		goto bad;
	th = vtb_trace_thread(t, sc->thread);
	if (sc->depth >= th->depth_count || sc->index >= th->rows[sc->depth].count)
		goto bad;
	return 0;
bad:
	if (cause != NULL && asprintf(cause, "no slice %zu at depth %u of thread %zu", sc->index,
				      sc->depth, sc->thread) < 0)
		*cause = NULL;
	return VTB_E_ARG;
}

/* Grow the per-thread arrays to `depths`. */
static int reserve(struct walk *w, size_t *cap, uint32_t depths)
{
	size_t *c, *s;
	struct frame *f;

	if (depths <= *cap)
		return 0;
	c = realloc(w->cursor, depths * sizeof(*c));
	if (c != NULL)
		w->cursor = c;
	s = realloc(w->stop, depths * sizeof(*s));
	if (s != NULL)
		w->stop = s;
	f = realloc(w->stack, depths * sizeof(*f));
	if (f != NULL)
		w->stack = f;
	if (c == NULL || s == NULL || f == NULL)
		return VTB_E_NOMEM;
	*cap = depths;
	return 0;
}

static int walk_all(struct walk *w, const vtb_trace *t, char **cause)
{
	const an_stats_scope *sc = w->sc;
	size_t cap = 0;

	for (size_t i = 0; i < vtb_trace_thread_count(t); i++) {
		w->th = vtb_trace_thread(t, i);
		if (sc->subtree ? i != sc->thread
				: sc->filter && !flt_set_match_thread(sc->filter, w->th->name))
			continue;
		if (reserve(w, &cap, w->th->depth_count) < 0) {
			if (cause != NULL && asprintf(cause, "out of memory computing statistics") < 0)
				*cause = NULL;
			return VTB_E_NOMEM;
		}
		walk_thread(w);
	}
	return 0;
}

/* Keep the ids that were called. */
static int compact(struct walk *w, an_stats *out)
{
	size_t n = 0;

	for (size_t id = 0; id < w->nstr; id++)
		n += w->by_id[id].calls > 0;
	out->rows = malloc((n ? n : 1) * sizeof(*out->rows));
	if (out->rows == NULL)
		return VTB_E_NOMEM;
	for (size_t id = 0; id < w->nstr; id++)
		if (w->by_id[id].calls > 0) {
			out->rows[out->count] = w->by_id[id];
			out->rows[out->count++].name_id = (uint32_t)id;
		}
	out->calls = w->calls;
	return 0;
}

int an_stats_compute(const vtb_trace *t, const an_stats_scope *scope, an_stats **out,
		      char **cause)
{
	static const an_stats_scope everything;
	struct walk w = { .sc = scope ? scope : &everything, .nstr = vtb_trace_string_count(t) };
	an_stats *s = calloc(1, sizeof(*s));
	int rc = VTB_E_NOMEM;

	w.by_id = calloc(w.nstr ? w.nstr : 1, sizeof(*w.by_id));
	w.active = calloc(w.nstr ? w.nstr : 1, sizeof(*w.active));
	if (s == NULL || w.by_id == NULL || w.active == NULL) {
		if (cause != NULL && asprintf(cause, "out of memory computing statistics") < 0)
			*cause = NULL;
		goto out;
	}
	if (w.sc->filter && flt_set_has_text(w.sc->filter)) {
		/* they select calls by their own text, which the name bitmaps cannot say */
		if (cause != NULL && asprintf(cause, "filters on arg:, ret:, log:, exc: or mark: text work in the "
						     "viewer only; statistics filter by name, file, duration and depth") < 0)
			*cause = NULL;
		rc = VTB_E_ARG;
		goto out;
	}
	filter_snapshot(&w.wf, w.sc->filter);
	if (w.sc->subtree && (rc = check_subtree(t, w.sc, cause)) < 0)
		goto out;
	if ((rc = walk_all(&w, t, cause)) < 0 || (rc = compact(&w, s)) < 0)
		goto out;
	*out = s;
	s = NULL;
out:
	an_stats_free(s);
	free(w.by_id);
	free(w.active);
	free(w.cursor);
	free(w.stop);
	free(w.stack);
	return rc;
}

void an_stats_free(an_stats *s)
{
	if (s == NULL)
		return;
	free(s->rows);
	free(s);
}

uint64_t an_stats_mean(const an_stats_row *r)
{
	if (!r->calls)
		return 0;
	/* Rounded to nearest without forming total + calls / 2, which a saturated total overflows. */
	return r->total_ns / r->calls + (r->total_ns % r->calls >= r->calls - r->total_ns % r->calls);
}

struct sort_ctx {
	const vtb_trace *t;
	enum an_stats_sort by;
};

uint64_t an_stats_key(const an_stats_row *r, enum an_stats_sort by)
{
	switch (by) {
	case AN_STATS_SELF:
		return r->self_ns;
	case AN_STATS_CALLS:
		return r->calls;
	case AN_STATS_MAX:
		return r->max_ns;
	case AN_STATS_MEAN:
		return an_stats_mean(r);
	case AN_STATS_NAME:
		return 0;
	default:
		return r->total_ns;
	}
}

static int compare_rows(const void *a, const void *b, void *arg)
{
	const struct sort_ctx *c = arg;
	const an_stats_row *x = a, *y = b;
	uint64_t kx = an_stats_key(x, c->by), ky = an_stats_key(y, c->by);
	int by_name;

	if (kx != ky)
		return kx > ky ? -1 : 1;
	by_name = strcmp(vtb_trace_string(c->t, x->name_id)->name,
			 vtb_trace_string(c->t, y->name_id)->name);
	if (by_name != 0)
		return by_name;
	return x->name_id < y->name_id ? -1 : x->name_id > y->name_id;
}

void an_stats_sort(an_stats *s, const vtb_trace *t, enum an_stats_sort by)
{
	struct sort_ctx c = { t, by };

	qsort_r(s->rows, s->count, sizeof(*s->rows), compare_rows, &c);
}

int an_stats_parse_sort(const char *text, enum an_stats_sort *by)
{
	static const char *const names[] = { "name", "calls", "total", "self", "mean", "max" };

	for (int i = 0; i < 6; i++)
		if (strcmp(text, names[i]) == 0) {
			*by = (enum an_stats_sort)i;
			return 0;
		}
	return VTB_E_ARG;
}

int an_stats_parse_format(const char *text, enum an_stats_format *fmt)
{
	static const char *const names[] = { "table", "csv", "json" };

	for (int i = 0; i < 3; i++)
		if (strcmp(text, names[i]) == 0) {
			*fmt = (enum an_stats_format)i;
			return 0;
		}
	return VTB_E_ARG;
}

/* ---- output ---- */

/* Bytes of the valid, shortest UTF-8 sequence at p that may reach a terminal (no C0, DEL or
 * C1 control, U+009B being CSI to many, no bidi control or line separator); 0 when not. An invalid byte decodes as
 * U+FFFD one byte long; a real U+FFFD takes three. */
static int printable_utf8(const unsigned char *p)
{
	const unsigned char *next = p;
	wchar_t ch = vtb_utf8_next(&next);
	int n = (int)(next - p);

	if (!vtb_char_safe(ch) || (ch == 0xfffd && n == 1))
		return 0;
	return n;
}

void an_stats_put_clean(FILE *out, const char *name)
{
	for (const unsigned char *p = (const unsigned char *)name; *p != '\0';) {
		int n = printable_utf8(p);

		if (n == 0)
			fputc('?', out);
		else
			fwrite(p, 1, (size_t)n, out);
		p += n ? n : 1;
	}
}

static void write_table(const an_stats *s, const vtb_trace *t, size_t n, FILE *out)
{
	char b[5][16];

	fprintf(out, "%10s %10s %10s %10s %10s  %s\n", "calls", "total", "self", "mean", "max",
		"name");
	for (size_t i = 0; i < n; i++) {
		const an_stats_row *r = &s->rows[i];

		fprintf(out, "%10llu %10s %10s %10s %10s  ", (unsigned long long)r->calls,
			flt_duration_format(r->total_ns, b[1], sizeof(b[1])),
			flt_duration_format(r->self_ns, b[2], sizeof(b[2])),
			flt_duration_format(an_stats_mean(r), b[3], sizeof(b[3])),
			flt_duration_format(r->max_ns, b[4], sizeof(b[4])));
		an_stats_put_clean(out, vtb_trace_string(t, r->name_id)->name);
		fputc('\n', out);
	}
}

/* Control characters and invalid bytes become '?' here too (a newline in a quoted field
 * stays): CSV goes to terminals as often as to files. */
void an_stats_put_csv_field(FILE *out, const char *text)
{
	int quote = strpbrk(text, ",\"\r\n") != NULL;

	if (quote)
		fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)text; *p != '\0';) {
		int n = printable_utf8(p);

		if (n == 0)
			fputc(*p == '\n' ? '\n' : '?', out);
		else if (*p == '"')
			fputs("\"\"", out);
		else
			fwrite(p, 1, (size_t)n, out);
		p += n ? n : 1;
	}
	if (quote)
		fputc('"', out);
}

/* Printed JSON with what cJSON leaves raw escaped: DEL and the C1 controls as \u00XX, bytes
 * that are not UTF-8 as \ufffd (they only occur inside strings). */
static void put_json_text(FILE *out, const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p != '\0';) {
		int n = *p < 0x80 && *p != 0x7f ? 1 : printable_utf8(p);

		if (n > 0)
			fwrite(p, 1, (size_t)n, out);
		else if (*p == 0x7f || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0))
			fprintf(out, "\\u%04x", *p == 0x7f ? 0x7f : p[1]);
		else
			fputs("\\ufffd", out);
		p += n > 0 ? n : *p == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0 ? 2 : 1;
	}
}

static void write_csv(const an_stats *s, const vtb_trace *t, size_t n, FILE *out)
{
	fputs("name,calls,total,self,mean,max\n", out);
	for (size_t i = 0; i < n; i++) {
		const an_stats_row *r = &s->rows[i];

		an_stats_put_csv_field(out, vtb_trace_string(t, r->name_id)->name);
		fprintf(out, ",%llu,%llu,%llu,%llu,%llu\n", (unsigned long long)r->calls,
			(unsigned long long)r->total_ns, (unsigned long long)r->self_ns,
			(unsigned long long)an_stats_mean(r), (unsigned long long)r->max_ns);
	}
}

struct json_ctx {
	const an_stats *s;
	const vtb_trace *t;
};

/* Function i as a JSON object; NULL when out of memory. */
static cJSON *row_json(const void *ctx, size_t i)
{
	const struct json_ctx *c = ctx;
	const an_stats_row *r = &c->s->rows[i];
	const vtb_string *str = vtb_trace_string(c->t, r->name_id);
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || !cJSON_AddStringToObject(o, "name", str->name) ||
	    !cJSON_AddStringToObject(o, "file", str->file ? str->file : "") ||
	    !cJSON_AddNumberToObject(o, "line", str->line) ||
	    !cJSON_AddNumberToObject(o, "calls", (double)r->calls) ||
	    !cJSON_AddNumberToObject(o, "total_ns", (double)r->total_ns) ||
	    !cJSON_AddNumberToObject(o, "self_ns", (double)r->self_ns) ||
	    !cJSON_AddNumberToObject(o, "mean_ns", (double)an_stats_mean(r)) ||
	    !cJSON_AddNumberToObject(o, "max_ns", (double)r->max_ns)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

int an_stats_json_write(cJSON *root, size_t n, cJSON *(*item)(const void *ctx, size_t i),
			 const void *ctx, FILE *out)
{
	return an_stats_json_list(root, "functions", n, item, ctx, out);
}

int an_stats_json_list(cJSON *root, const char *key, size_t n, cJSON *(*item)(const void *ctx, size_t i),
			const void *ctx, FILE *out)
{
	cJSON *list;
	char *text = NULL;
	int rc = VTB_E_NOMEM;

	if (root == NULL || (list = cJSON_AddArrayToObject(root, key)) == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		cJSON *o = item(ctx, i);

		if (o == NULL || !cJSON_AddItemToArray(list, o)) {
			cJSON_Delete(o);
			goto out;
		}
	}
	if ((text = cJSON_Print(root)) == NULL)
		goto out;
	put_json_text(out, text);
	fputc('\n', out);
	rc = 0;
out:
	cJSON_free(text);
	cJSON_Delete(root);
	return rc;
}

static int write_json(const an_stats *s, const vtb_trace *t, size_t n, FILE *out)
{
	struct json_ctx c = { s, t };
	cJSON *root = cJSON_CreateObject();

	if (root != NULL && !cJSON_AddNumberToObject(root, "calls", (double)s->calls)) {
		cJSON_Delete(root);
		root = NULL;
	}
	return an_stats_json_write(root, n, row_json, &c, out);
}

int an_stats_write_end(int rc, FILE *out, const char *what, char **cause)
{
	if (rc == 0 && (fflush(out) != 0 || ferror(out)))
		rc = VTB_E_IO;
	if (rc < 0 && cause != NULL &&
	    asprintf(cause, "writing %s: %s", what, rc == VTB_E_IO ? "write error" : "out of memory") < 0)
		*cause = NULL;
	return rc;
}

int an_stats_write(const an_stats *s, const vtb_trace *t, enum an_stats_format fmt,
		    size_t top, FILE *out, char **cause)
{
	size_t n = top && top < s->count ? top : s->count;
	int rc = 0;

	if (fmt == AN_STATS_CSV)
		write_csv(s, t, n, out);
	else if (fmt == AN_STATS_JSON)
		rc = write_json(s, t, n, out);
	else
		write_table(s, t, n, out);
	return an_stats_write_end(rc, out, "statistics", cause);
}
