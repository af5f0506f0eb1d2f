/* SPDX-License-Identifier: MIT */
/* diff.c: two traces of one program compared function by function (by qualified name):
 * the change in calls, total, self and mean time and the calls per second, sorted by
 * impact (the largest change of self time first, then of total time) or, by default when
 * the traces span different times (two signal dumps of one process), by change of mean.
 * `vtui stats --diff` prints it; the viewer's diff panel (view_diff.c) lists it and opens
 * either trace at a function's calls. */
#include "analysis/analysis.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	const char *name;
	int side;               /* 0: a, 1: b */
	const an_stats_row *r;
};

static int cmp_entry(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	int n = strcmp(a->name, b->name);

	return n ? n : a->side - b->side;
}

static uint64_t absdiff(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

static int cmp_impact(const void *x, const void *y)
{
	const an_diff_row *a = x, *b = y;
	uint64_t sa = absdiff(a->self_a, a->self_b), sb = absdiff(b->self_a, b->self_b);
	uint64_t ta = absdiff(a->total_a, a->total_b), tb = absdiff(b->total_a, b->total_b);

	if (sa != sb)
		return sa > sb ? -1 : 1;
	if (ta != tb)
		return ta > tb ? -1 : 1;
	return strcmp(a->name, b->name);
}

static int cmp_mean(const void *x, const void *y)
{
	const an_diff_row *a = x, *b = y;
	uint64_t ma = absdiff(an_diff_mean(a, 0), an_diff_mean(a, 1));
	uint64_t mb = absdiff(an_diff_mean(b, 0), an_diff_mean(b, 1));
	uint64_t ta = absdiff(a->total_a, a->total_b), tb = absdiff(b->total_a, b->total_b);

	if (ma != mb)
		return ma > mb ? -1 : 1;
	if (ta != tb)
		return ta > tb ? -1 : 1;
	return strcmp(a->name, b->name);
}

uint64_t an_diff_mean(const an_diff_row *r, int side)
{
	an_stats_row row = { .calls = side ? r->calls_b : r->calls_a, .total_ns = side ? r->total_b : r->total_a };

	return an_stats_mean(&row); /* the mean of vtui stats, defined once */
}

double an_diff_rate(const an_diff *d, const an_diff_row *r, int side)
{
	uint64_t span = side ? d->span_b : d->span_a;

	return span ? (double)(side ? r->calls_b : r->calls_a) * 1e9 / (double)span : 0;
}

static int spans_differ(const an_diff *d)
{
	uint64_t lo = d->span_a < d->span_b ? d->span_a : d->span_b;
	uint64_t hi = d->span_a < d->span_b ? d->span_b : d->span_a;

	return (double)hi > AN_DIFF_SPAN_RATIO * (double)lo;
}

void an_diff_rank(an_diff *d, enum an_diff_rank rank)
{
	if (rank == AN_DIFF_AUTO)
		rank = spans_differ(d) ? AN_DIFF_MEAN : AN_DIFF_IMPACT;
	d->rank = rank;
	qsort(d->rows, d->count, sizeof(*d->rows), rank == AN_DIFF_MEAN ? cmp_mean : cmp_impact);
}

int an_diff_parse_rank(const char *text, enum an_diff_rank *rank)
{
	static const char *const words[] = { "auto", "impact", "mean" };

	for (int i = 0; i < 3; i++)
		if (strcmp(text, words[i]) == 0) {
			*rank = (enum an_diff_rank)i;
			return 0;
		}
	return VTB_E_ARG;
}

static uint64_t span_of(const vtb_trace *t)
{
	uint64_t first, last;

	vtb_trace_span(t, &first, &last);
	return last > first ? last - first : 0;
}

static void add(an_diff_row *d, const struct entry *e)
{
	if (e->side == 0) {
		d->id_a = d->id_a < 0 ? (int64_t)e->r->name_id : d->id_a;
		d->calls_a += e->r->calls;
		d->total_a = vtb_add_sat(d->total_a, e->r->total_ns);
		d->self_a = vtb_add_sat(d->self_a, e->r->self_ns);
	} else {
		d->id_b = d->id_b < 0 ? (int64_t)e->r->name_id : d->id_b;
		d->calls_b += e->r->calls;
		d->total_b = vtb_add_sat(d->total_b, e->r->total_ns);
		d->self_b = vtb_add_sat(d->self_b, e->r->self_ns);
	}
}

int an_diff_compute(const vtb_trace *a, const an_stats *sa, const vtb_trace *b, const an_stats *sb,
		     an_diff **out)
{
	size_t n = sa->count + sb->count, k = 0;
	struct entry *e = malloc((n + 1) * sizeof(*e));
	an_diff *d = calloc(1, sizeof(*d));
	int rc = VTB_E_NOMEM;

	if (!e || !d || !(d->rows = malloc((n + 1) * sizeof(*d->rows))))
		goto out;
	for (size_t i = 0; i < sa->count; i++)
		e[k++] = (struct entry){ vtb_trace_string(a, sa->rows[i].name_id)->name, 0, &sa->rows[i] };
	for (size_t i = 0; i < sb->count; i++)
		e[k++] = (struct entry){ vtb_trace_string(b, sb->rows[i].name_id)->name, 1, &sb->rows[i] };
	qsort(e, n, sizeof(*e), cmp_entry);
	for (size_t i = 0; i < n; i++) {
		if (!i || strcmp(e[i].name, e[i - 1].name))
			d->rows[d->count++] = (an_diff_row){ .name = e[i].name, .id_a = -1, .id_b = -1 };
		add(&d->rows[d->count - 1], &e[i]);
	}
	d->span_a = span_of(a);
	d->span_b = span_of(b);
	an_diff_rank(d, AN_DIFF_AUTO);
	*out = d;
	d = NULL;
	rc = 0;
out:
	free(e);
	an_diff_free(d);
	return rc;
}

void an_diff_free(an_diff *d)
{
	if (!d)
		return;
	free(d->rows);
	free(d);
}

/* "+1.5ms", "-200us", "0". */
static const char *signed_dur(char *buf, size_t len, uint64_t a, uint64_t b)
{
	if (a == b)
		return "0";
	buf[0] = b > a ? '+' : '-';
	flt_duration_format(absdiff(a, b), buf + 1, len - 1);
	return buf;
}

static void write_table(const an_diff *d, size_t n, FILE *out)
{
	char b[10][32];

	fprintf(out, "%8s %8s %10s %10s %10s %10s %10s %10s %10s %10s %10s %10s %10s  %s\n", "calls_a", "calls_b",
		"total_a", "total_b", "total+-", "self_a", "self_b", "self+-", "mean_a", "mean_b", "mean+-", "calls/s_a",
		"calls/s_b", "name");
	for (size_t i = 0; i < n; i++) {
		const an_diff_row *r = &d->rows[i];
		uint64_t ma = an_diff_mean(r, 0), mb = an_diff_mean(r, 1);

		fprintf(out, "%8llu %8llu %10s %10s %10s %10s %10s %10s %10s %10s %10s %10.1f %10.1f  ",
			(unsigned long long)r->calls_a, (unsigned long long)r->calls_b,
			flt_duration_format(r->total_a, b[0], 32), flt_duration_format(r->total_b, b[1], 32),
			signed_dur(b[2], 32, r->total_a, r->total_b), flt_duration_format(r->self_a, b[3], 32),
			flt_duration_format(r->self_b, b[4], 32), signed_dur(b[5], 32, r->self_a, r->self_b),
			flt_duration_format(ma, b[6], 32), flt_duration_format(mb, b[7], 32),
			signed_dur(b[8], 32, ma, mb), an_diff_rate(d, r, 0), an_diff_rate(d, r, 1));
		an_stats_put_clean(out, r->name);
		fputc('\n', out);
	}
}

/* ",b-a" exactly, also where the difference does not fit a signed 64-bit number. */
static void put_delta(FILE *out, uint64_t a, uint64_t b)
{
	fprintf(out, ",%s%llu", b < a ? "-" : "", (unsigned long long)absdiff(a, b));
}

static void write_csv(const an_diff *d, size_t n, FILE *out)
{
	fputs("name,calls_a,calls_b,calls_delta,total_a,total_b,total_delta,self_a,self_b,self_delta,"
	      "mean_a,mean_b,mean_delta,rate_a,rate_b\n", out);
	for (size_t i = 0; i < n; i++) {
		const an_diff_row *r = &d->rows[i];

		an_stats_put_csv_field(out, r->name);
		fprintf(out, ",%llu,%llu", (unsigned long long)r->calls_a, (unsigned long long)r->calls_b);
		put_delta(out, r->calls_a, r->calls_b);
		fprintf(out, ",%llu,%llu", (unsigned long long)r->total_a, (unsigned long long)r->total_b);
		put_delta(out, r->total_a, r->total_b);
		fprintf(out, ",%llu,%llu", (unsigned long long)r->self_a, (unsigned long long)r->self_b);
		put_delta(out, r->self_a, r->self_b);
		fprintf(out, ",%llu,%llu", (unsigned long long)an_diff_mean(r, 0), (unsigned long long)an_diff_mean(r, 1));
		put_delta(out, an_diff_mean(r, 0), an_diff_mean(r, 1));
		fprintf(out, ",%.3f,%.3f\n", an_diff_rate(d, r, 0), an_diff_rate(d, r, 1));
	}
}

/* Row i of the diff `ctx` as a JSON object; NULL when out of memory. */
static cJSON *row_json(const void *ctx, size_t i)
{
	const an_diff *d = ctx;
	const an_diff_row *r = &d->rows[i];
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddStringToObject(o, "name", r->name) ||
	    !cJSON_AddNumberToObject(o, "calls_a", (double)r->calls_a) ||
	    !cJSON_AddNumberToObject(o, "calls_b", (double)r->calls_b) ||
	    !cJSON_AddNumberToObject(o, "total_a_ns", (double)r->total_a) ||
	    !cJSON_AddNumberToObject(o, "total_b_ns", (double)r->total_b) ||
	    !cJSON_AddNumberToObject(o, "self_a_ns", (double)r->self_a) ||
	    !cJSON_AddNumberToObject(o, "self_b_ns", (double)r->self_b) ||
	    !cJSON_AddNumberToObject(o, "mean_a_ns", (double)an_diff_mean(r, 0)) ||
	    !cJSON_AddNumberToObject(o, "mean_b_ns", (double)an_diff_mean(r, 1)) ||
	    !cJSON_AddNumberToObject(o, "calls_per_s_a", an_diff_rate(d, r, 0)) ||
	    !cJSON_AddNumberToObject(o, "calls_per_s_b", an_diff_rate(d, r, 1))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* The document's head: how the rows are ranked and what each trace spans. NULL: no memory. */
static cJSON *json_root(const an_diff *d)
{
	cJSON *root = cJSON_CreateObject();

	if (root && (!cJSON_AddStringToObject(root, "rank", d->rank == AN_DIFF_MEAN ? "mean" : "impact") ||
		     !cJSON_AddNumberToObject(root, "span_a_ns", (double)d->span_a) ||
		     !cJSON_AddNumberToObject(root, "span_b_ns", (double)d->span_b))) {
		cJSON_Delete(root);
		root = NULL;
	}
	return root;
}

int an_diff_write(const an_diff *d, enum an_stats_format fmt, size_t top, FILE *out, char **cause)
{
	size_t n = top && top < d->count ? top : d->count;
	int rc = 0;

	if (fmt == AN_STATS_CSV)
		write_csv(d, n, out);
	else if (fmt == AN_STATS_JSON)
		rc = an_stats_json_write(json_root(d), n, row_json, d, out);
	else
		write_table(d, n, out);
	return an_stats_write_end(rc, out, "the diff", cause);
}
