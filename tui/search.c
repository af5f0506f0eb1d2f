/* SPDX-License-Identifier: MIT */
/* search.c: `search [FIELD:]REGEX` and the moves to the next and previous match.
 *
 * The pattern runs once per name or file (a bitmap over name ids); the count of their
 * calls comes from the model's per-name call counts. Texts and marks are matched one by
 * one (search_text.c). Every matching call gets one bit in a bitmap over all calls laid
 * out row after row (1 bit a call): texts set theirs as they match, and one pass over the
 * calls sets those of the matching names. Moving between matches is then a binary search
 * by time and a scan for the next set bit per row; a match's rank is the set bits before
 * it (a popcount). Matches are ordered by (start, thread position, depth), so next and
 * previous are exact inverses even when calls start at the same time.
 *
 * The text scan and the name pass are the work of a search that grows with the trace (a
 * million texts, ten million calls: tens of milliseconds), so they run in slices: a
 * command does what its slice allows (tui_app_set_slice; by default everything, so
 * scripts and batch modes see final counts) and tui_app_idle does the rest between keys.
 * The first match is selected when the count is done, unless the selection moved
 * meanwhile. A pattern without an upper-case letter matches caselessly (smartcase). */
#include "tui/filter_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Work between two looks at the clock: about ten microseconds (a text whose match takes
 * long stretches it: the match limit bounds each). */
#define NAME_CHUNK 8192
#define TEXT_CHUNK 64

/* A row's calls by address, so drawing finds a call's bit from its slice. */
struct addr_row {
	const vtb_slice *base;
	size_t count, bit;
};

struct tui_search_job {
	struct tui_search_scan scan; /* the texts */
	uint64_t *bits;        /* one per call, row after row from row_bit */
	size_t *row_bit;       /* per model row: its first bit; [bucket_rows]: all calls */
	struct addr_row *by_addr; /* sorted by base */
	size_t rows;
	size_t row, at;        /* the name pass: the next call to test */
	size_t thread;         /* the thread of `row` */
	int names_left;        /* a matching name has calls: the pass is still to do */
	uint64_t name_calls;   /* calls of the matching names */
	uint64_t hit_calls;    /* calls of other names that texts matched */
	const uint64_t *name_bits;
	size_t string_count;
	int quiet;             /* rerun after the model changed: no message, no move */
	tui_ref sel;           /* the view when the search began: the first match is */
	uint64_t cursor_ns;    /* selected at the end unless it moved */
};

static int string_entry(void *ctx, size_t id, const char **name, const char **file)
{
	const vtb_string *s = vtb_trace_string(ctx, (uint32_t)id);

	if (!s)
		return 1;
	*name = s->name;
	*file = s->file;
	return 0;
}

/* ---- the bitmap of matching calls ---- */

static int bit_test(const uint64_t *bits, size_t b)
{
	return (int)((bits[b >> 6] >> (b & 63)) & 1);
}

/* The first set bit in [from, to), or `to`. */
static size_t next_set(const uint64_t *bits, size_t from, size_t to)
{
	while (from < to) {
		uint64_t w = bits[from >> 6] >> (from & 63);

		if (w)
			return from + (size_t)__builtin_ctzll(w) < to ? from + (size_t)__builtin_ctzll(w) : to;
		from = (from | 63) + 1;
	}
	return to;
}

/* The last set bit in [from, to), or SIZE_MAX. */
static size_t prev_set(const uint64_t *bits, size_t from, size_t to)
{
	while (to > from) {
		size_t last = to - 1;
		uint64_t w = bits[last >> 6] << (63 - (last & 63));

		if (w) {
			size_t b = last - (size_t)__builtin_clzll(w);

			return b >= from ? b : SIZE_MAX;
		}
		to = last & ~(size_t)63;
	}
	return SIZE_MAX;
}

/* Set bits in [from, to). */
static uint64_t count_set(const uint64_t *bits, size_t from, size_t to)
{
	uint64_t n = 0;

	if (from >= to)
		return 0;
	if ((from >> 6) == ((to - 1) >> 6))
		return (uint64_t)__builtin_popcountll(bits[from >> 6] >> (from & 63) &
						      (~0ull >> (63 - ((to - 1 - from) & 63))));
	n = (uint64_t)__builtin_popcountll(bits[from >> 6] >> (from & 63));
	for (size_t w = (from >> 6) + 1; w < (to - 1) >> 6; w++)
		n += (uint64_t)__builtin_popcountll(bits[w]);
	return n + (uint64_t)__builtin_popcountll(bits[(to - 1) >> 6] & (~0ull >> (63 - ((to - 1) & 63))));
}

static int name_matches(const struct tui_search_job *j, uint32_t name_id)
{
	return name_id < j->string_count && flt_bitmap_test(j->name_bits, name_id);
}

/* A text matched a call: its bit, counted once, unless its name matched (the name pass
 * sets those, and they are counted by name). */
static void add_hit(void *ctx, int32_t thread, uint32_t depth, size_t index)
{
	struct tui_search_job *j = ctx;
	const vtb_thread *th = tui_model_thread(j->scan.m, thread);
	size_t b = j->row_bit[j->scan.m->row_base[thread] + depth] + index;

	if (name_matches(j, th->rows[depth].slices[index].name_id) || bit_test(j->bits, b))
		return;
	j->bits[b >> 6] |= 1ull << (b & 63);
	j->hit_calls++;
}

/* The name pass over up to `units` calls, from where it stopped (row `row`, call `at`). */
static size_t mark_names(struct tui_search_job *j, size_t units)
{
	const tui_model *m = j->scan.m;
	size_t done = 0;

	while (j->row < j->rows && done < units) {
		size_t b = j->row_bit[j->row], n = j->row_bit[j->row + 1] - b, i = j->at, stop;
		const vtb_slice *sl;

		while (j->thread + 1 < m->thread_count && m->row_base[j->thread + 1] <= j->row)
			j->thread++;
		sl = vtb_trace_thread(m->trace, j->thread)->rows[j->row - m->row_base[j->thread]].slices;
		stop = n - i < units - done ? n : i + (units - done);
		done += stop - i;
		for (; i < stop; i++)
			if (name_matches(j, sl[i].name_id))
				j->bits[(b + i) >> 6] |= 1ull << ((b + i) & 63);
		j->at = i;
		if (i == n) {
			j->row++;
			j->at = 0;
		}
	}
	j->names_left = j->row < j->rows;
	return done;
}

static int job_done(const struct tui_search_job *j)
{
	return j->scan.done && !j->names_left;
}

/* A slice is bounded in wall time, which bounds its CPU too (whatever the load), and this
 * clock is read without a system call, so it can be read every few microseconds. */
static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Work on the job for `ms` and at most `units` texts and calls (0: no bound on
 * either). 1 when done, 0 when not yet, or a negative error with *cause. */
static int job_run(struct tui_search_job *j, unsigned ms, size_t units, char **cause)
{
	double until = ms ? now_ms() + ms : 0;
	size_t left = units ? units : SIZE_MAX;
	int rc = 0;

	while (!job_done(j) && left > 0) {
		size_t n = left < TEXT_CHUNK ? left : TEXT_CHUNK, before = j->scan.units_done;

		if (!j->scan.done) {
			if ((rc = tui_search_scan_step(&j->scan, n, cause)) < 0)
				return rc;
			n = j->scan.units_done - before;
			n = n ? n : 1; /* the dump's exception at the end */
		} else {
			n = mark_names(j, left < NAME_CHUNK ? left : NAME_CHUNK);
		}
		left -= n < left ? n : left;
		if (ms && now_ms() >= until)
			break;
	}
	return job_done(j);
}

/* Percent of the job done: texts read and calls tested. */
static int job_percent(const struct tui_search_job *j)
{
	double calls = j->name_calls ? (double)j->row_bit[j->rows] : 0;
	double tested = j->name_calls ? (double)(j->row_bit[j->row] + j->at) : 0;
	double total = (double)j->scan.units_total + calls;

	return total > 0 ? (int)(100 * ((double)j->scan.units_done + tested) / total) : 100;
}

static int cmp_base(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct addr_row *)a)->base;
	uintptr_t y = (uintptr_t)((const struct addr_row *)b)->base;

	return x < y ? -1 : x > y;
}

/* The bit layout and the rows by address. 0 or -1 when out of memory. */
static int job_layout(struct tui_search_job *j, const tui_model *m)
{
	size_t bits = 0;

	j->rows = m->bucket_rows;
	j->row_bit = malloc((j->rows + 1) * sizeof(*j->row_bit));
	j->by_addr = malloc((j->rows + 1) * sizeof(*j->by_addr));
	if (!j->row_bit || !j->by_addr)
		return -1;
	for (size_t t = 0; t < m->thread_count; t++) {
		const vtb_thread *th = vtb_trace_thread(m->trace, t);

		for (uint32_t d = 0; d < th->depth_count; d++) {
			j->row_bit[m->row_base[t] + d] = bits;
			j->by_addr[m->row_base[t] + d] = (struct addr_row){ th->rows[d].slices, th->rows[d].count, bits };
			bits += th->rows[d].count;
		}
	}
	j->row_bit[j->rows] = bits;
	qsort(j->by_addr, j->rows, sizeof(*j->by_addr), cmp_base);
	j->bits = calloc(bits / 64 + 1, sizeof(uint64_t));
	return j->bits ? 0 : -1;
}

static void job_free(struct tui_search_job *j)
{
	if (!j)
		return;
	free(j->bits);
	free(j->row_bit);
	free(j->by_addr);
	free(j);
}

/* A job for the names in `name_bits` (`names`: how many have calls) and the texts `p`
 * matches in `f`. NULL when out of memory. */
static struct tui_search_job *job_new(const tui_model *m, const uint64_t *name_bits, flt_pattern *p,
				      enum flt_field f)
{
	struct tui_search_job *j = calloc(1, sizeof(*j));

	if (!j || job_layout(j, m) < 0) {
		job_free(j);
		return NULL;
	}
	j->name_bits = name_bits;
	j->string_count = m->string_count;
	tui_search_scan_init(&j->scan, m, p, f, add_hit, j);
	for (size_t i = 0; i < m->string_count; i++)
		if (flt_bitmap_test(name_bits, i))
			j->name_calls += m->fn_calls[i];
	j->names_left = j->name_calls > 0;
	return j;
}

void tui_search_clear(struct tui_fview *fv)
{
	flt_pattern_free(fv->search);
	free(fv->search_bits);
	free(fv->search_text);
	job_free(fv->job);
	fv->search = NULL;
	fv->search_bits = NULL;
	fv->search_text = NULL;
	fv->job = NULL;
	fv->search_names = 0;
	fv->search_calls = 0;
}

int tui_search_busy(const struct tui_fview *fv)
{
	return fv && fv->job && !job_done(fv->job);
}

/* The bit of a drawn call: its row by address. */
static int hit_bit(const struct tui_search_job *j, const vtb_slice *s)
{
	size_t lo = 0, hi = j->rows;

	while (lo < hi) { /* the first row starting after s */
		size_t mid = lo + (hi - lo) / 2;

		if ((uintptr_t)j->by_addr[mid].base <= (uintptr_t)s)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || s >= j->by_addr[lo - 1].base + j->by_addr[lo - 1].count)
		return 0;
	return bit_test(j->bits, j->by_addr[lo - 1].bit + (size_t)(s - j->by_addr[lo - 1].base));
}

int tui_search_matches(const struct tui_fview *fv, size_t string_count, const vtb_slice *s)
{
	return (s->name_id < string_count && flt_bitmap_test(fv->search_bits, s->name_id)) ||
	       (fv->job && fv->job->hit_calls && hit_bit(fv->job, s));
}

/* ---- moving between matches ---- */

/* Where a match sits in the order of matches. */
struct key {
	uint64_t start_ns;
	int64_t pos;   /* the thread's position in the display order */
	int64_t depth;
	size_t index;  /* in its row: calls of one row may start together (zero durations) */
};

static int key_cmp(const struct key *a, const struct key *b)
{
	if (a->start_ns != b->start_ns)
		return a->start_ns < b->start_ns ? -1 : 1;
	if (a->pos != b->pos)
		return a->pos < b->pos ? -1 : 1;
	if (a->depth != b->depth)
		return a->depth < b->depth ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

/* How many calls of one row (at `pos`, `depth`) come before `cur` in the match order. */
static size_t count_below(const vtb_row *row, int64_t pos, int64_t depth, const struct key *cur)
{
	int row_first = pos < cur->pos || (pos == cur->pos && depth < cur->depth);

	if (pos == cur->pos && depth == cur->depth)
		return cur->index < row->count ? cur->index : row->count;
	if (!row_first)
		return tui_row_first_from(row, cur->start_ns);
	return cur->start_ns == UINT64_MAX ? row->count : tui_row_first_from(row, cur->start_ns + 1);
}

struct hunt {
	int dir;           /* +1 next, -1 previous */
	struct key cur;
	struct key best;
	tui_ref found;
	int ranking;       /* count the rank (a popcount over every row) */
	uint64_t rank;     /* matches before `cur`, over all rows */
};

static int row_skipped(const tui_app *app, int32_t t, uint32_t d)
{
	const uint32_t *shown = app->fv->shown_depths;

	return shown && (shown[t] == TUI_THREAD_HIDDEN || d >= shown[t]);
}

/* The nearest visible match in [b + i, b + n) forward or before b + i backward, as an
 * index in the row, or SIZE_MAX. */
static size_t visible_match(const tui_app *app, int dir, int32_t t, uint32_t d, size_t b, size_t i, size_t n)
{
	const uint64_t *bits = app->fv->job->bits;
	size_t k;

	if (dir > 0) {
		for (k = next_set(bits, b + i, b + n); k < b + n; k = next_set(bits, k + 1, b + n))
			if (tui_fview_visible(app, t, d, k - b))
				return k - b;
		return SIZE_MAX;
	}
	for (k = prev_set(bits, b, b + i); k != SIZE_MAX; k = prev_set(bits, b, k))
		if (tui_fview_visible(app, t, d, k - b))
			return k - b;
	return SIZE_MAX;
}

/* The nearest visible match of one row in the hunt's direction. */
static void hunt_row(const tui_app *app, struct hunt *h, int64_t pos, int32_t t, uint32_t d)
{
	const struct tui_search_job *j = app->fv->job;
	const vtb_row *row = &tui_model_thread(&app->model, t)->rows[d];
	size_t b = j->row_bit[app->model.row_base[t] + d];
	size_t below = count_below(row, pos, d, &h->cur), i;
	int same = pos == h->cur.pos && (int64_t)d == h->cur.depth;
	struct key k;

	if (h->ranking) {
		h->rank += count_set(j->bits, b, b + below);
		return;
	}
	if (row_skipped(app, t, d))
		return;
	i = visible_match(app, h->dir, t, d, b, below + (h->dir > 0 && same && below < row->count), row->count);
	if (i == SIZE_MAX)
		return;
	k = (struct key){ row->slices[i].start_ns, pos, d, i };
	if (h->found.thread < 0 || key_cmp(&k, &h->best) * h->dir < 0) {
		h->best = k;
		h->found = (tui_ref){ t, d, i };
	}
}

static void hunt_all(const tui_app *app, struct hunt *h)
{
	const tui_model *m = &app->model;

	h->found = TUI_REF_NONE;
	h->rank = 0;
	for (size_t p = 0; p < m->thread_count; p++) {
		int32_t t = (int32_t)m->order[p];
		const vtb_thread *th = tui_model_thread(m, t);

		for (uint32_t d = 0; d < th->depth_count; d++)
			hunt_row(app, h, (int64_t)p, t, d);
	}
}

static int64_t thread_pos(const tui_model *m, int32_t t)
{
	for (size_t p = 0; p < m->thread_count; p++)
		if ((int32_t)m->order[p] == t)
			return (int64_t)p;
	return -1;
}

/* Select the next (dir +1) or previous (-1) match from the selection, or from the cursor
 * (the search's count complete). */
static int move_to_match(tui_app *app, int dir)
{
	struct tui_fview *fv = app->fv;
	const vtb_slice *sel = tui_model_slice(&app->model, app->view.sel);
	struct hunt h = { .dir = dir };
	const char *wrapped = "";
	char of[32];

	if (sel)
		h.cur = (struct key){ sel->start_ns, thread_pos(&app->model, app->view.sel.thread),
				      app->view.sel.depth, app->view.sel.index };
	else
		h.cur = (struct key){ app->view.cursor_ns, -1, -1, 0 };
	hunt_all(app, &h);
	if (h.found.thread < 0) { /* past the last one: go round */
		h.cur = dir > 0 ? (struct key){ 0, -2, -2, 0 }
				: (struct key){ UINT64_MAX, INT64_MAX, INT64_MAX, SIZE_MAX };
		hunt_all(app, &h);
		wrapped = dir > 0 ? " (from the start)" : " (from the end)";
	}
	if (h.found.thread < 0) {
		tui_app_msg(app, 1, "no visible call matches /%s", fv->search_text);
		return -1;
	}
	tui_view_select(&app->view, &app->model, h.found);
	/* its rank: the matches that come before it */
	h.cur = h.best;
	h.ranking = 1;
	hunt_all(app, &h);
	tui_fmt_count(of, sizeof(of), fv->search_calls);
	tui_app_msg(app, 0, "match %llu of %s%s", (unsigned long long)h.rank + 1, of, wrapped);
	return 0;
}

/* ---- starting a search ---- */

/* Files are matched once per distinct file: ids of one module come together. */
static int64_t eval_files(flt_pattern *p, const tui_model *m, uint64_t *bits, char **cause)
{
	const char *last = NULL;
	int64_t names = 0;
	int rc = 0;

	for (size_t i = 0; i < m->string_count; i++) {
		const vtb_string *s = vtb_trace_string(m->trace, (uint32_t)i);

		if (s->file != last && (!last || strcmp(s->file, last) != 0)) {
			last = s->file;
			if ((rc = flt_pattern_match(p, s->file, strlen(s->file), cause)) < 0)
				return rc;
		}
		if (rc > 0) {
			flt_bitmap_set(bits, i);
			names++;
		}
	}
	return names;
}

/* Match names (or files) into `bits`. */
static int64_t eval_names(const tui_model *m, flt_pattern *p, enum flt_field f, uint64_t *bits, char **cause)
{
	if (f == FLT_FIELD_FILE)
		return eval_files(p, m, bits, cause);
	if (f == FLT_FIELD_ANY || f == FLT_FIELD_NAME)
		return flt_pattern_eval(p, string_entry, m->trace, m->string_count, bits, cause);
	return 0;
}

/* Names of the search that have calls. */
static size_t count_names(const tui_model *m, const uint64_t *bits)
{
	size_t n = 0;

	for (size_t i = 0; i < m->string_count; i++)
		n += flt_bitmap_test(bits, i) && m->fn_calls[i];
	return n;
}

static void update_count(struct tui_fview *fv)
{
	fv->search_calls = fv->job->name_calls + fv->job->hit_calls;
}

/* The search `text` compiled, its names matched and its job as far as the slice allows,
 * then in place of the old search. 0, or -1 with *cause (the old search kept). */
static int start_search(tui_app *app, const char *text, int quiet, char **cause)
{
	struct tui_fview *fv = app->fv;
	const char *pattern;
	enum flt_field f = flt_field_split(text, &pattern);
	uint64_t *bits = calloc(FLT_BITMAP_WORDS(app->model.string_count) + 1, sizeof(uint64_t));
	char *copy = strdup(text);
	flt_pattern *p = NULL;
	struct tui_search_job *j = NULL;

	if (!*pattern)
		*cause = tui_strdupf("nothing to search for after '%s:'", flt_field_name(f));
	else if (bits && copy)
		p = flt_pattern_compile(pattern, FLT_PAT_USER | (flt_smartcase(pattern) ? FLT_PAT_CASELESS : 0), cause);
	if (!p || eval_names(&app->model, p, f, bits, cause) < 0 ||
	    !(j = job_new(&app->model, bits, p, f)) || job_run(j, app->slice_ms, app->slice_units, cause) < 0) {
		job_free(j);
		flt_pattern_free(p);
		free(bits);
		free(copy);
		return -1;
	}
	tui_search_clear(fv);
	fv->search = p;
	fv->search_bits = bits;
	fv->search_text = copy;
	fv->search_field = f;
	fv->search_names = count_names(&app->model, bits);
	fv->job = j;
	j->quiet = quiet;
	j->sel = app->view.sel;
	j->cursor_ns = app->view.cursor_ns;
	update_count(fv);
	return 0;
}

void tui_search_rerun(tui_app *app)
{
	char *text = app->fv->search_text ? strdup(app->fv->search_text) : NULL, *cause = NULL;

	tui_search_clear(app->fv);
	if (text)
		start_search(app, text, 1, &cause);
	free(cause);
	free(text);
}

/* "3 calls (1 name, 2 args)": what a search matched, in `buf`. */
static void describe(const struct tui_fview *fv, char *buf, size_t len)
{
	static const char *const what[FLT_FIELD_COUNT][2] = {
		[FLT_FIELD_ARG] = { "arg", "args" }, [FLT_FIELD_RET] = { "return value", "return values" },
		[FLT_FIELD_LOG] = { "log record", "log records" }, [FLT_FIELD_EXC] = { "exception", "exceptions" },
		[FLT_FIELD_MARK] = { "mark", "marks" },
	};
	const struct tui_search_scan *sc = &fv->job->scan;
	char num[32];
	size_t n;

	tui_fmt_count(num, sizeof(num), fv->search_calls);
	n = (size_t)snprintf(buf, len, "%s call%s (%zu name%s", num, fv->search_calls == 1 ? "" : "s",
			     fv->search_names, fv->search_names == 1 ? "" : "s");
	for (int f = FLT_FIELD_ARG; f < FLT_FIELD_COUNT && n < len; f++)
		if (sc->per_field[f])
			n += (size_t)snprintf(buf + n, len - n, ", %zu %s", sc->per_field[f],
					      what[f][sc->per_field[f] != 1]);
	if (n < len && sc->loose)
		n += (size_t)snprintf(buf + n, len - n, ", %zu outside any call", sc->loose);
	if (n < len)
		snprintf(buf + n, len - n, ")");
}

/* "match 1 of 3: 3 calls (1 name, 2 args)" */
static void append_msg(tui_app *app, const char *what)
{
	char first[sizeof(app->message)];

	snprintf(first, sizeof(first), "%s", tui_app_message(app));
	tui_app_msg(app, 0, "%.100s: %s", first, what);
}

/* The count is complete: say what matched and, like less and vim, go to the first match
 * from where the eye was when the search began (not when it moved since). */
static void announce(tui_app *app)
{
	struct tui_fview *fv = app->fv;
	const struct tui_search_job *j = fv->job;
	char what[160];
	int moved = memcmp(&j->sel, &app->view.sel, sizeof(j->sel)) != 0 || j->cursor_ns != app->view.cursor_ns;

	if (j->quiet)
		return;
	describe(fv, what, sizeof(what));
	if (moved)
		tui_app_msg(app, 0, "/%s: %s", fv->search_text, what);
	else if (fv->search_calls == 0 || move_to_match(app, 1) < 0)
		tui_app_msg(app, 0, "/%s: %s%s", fv->search_text, what, fv->search_calls ? ", none visible" : "");
	else
		append_msg(app, what);
}

static void say_counting(tui_app *app)
{
	char num[32];

	tui_fmt_count(num, sizeof(num), app->fv->search_calls);
	tui_app_msg(app, 0, "/%s: counting (%d%%), %s calls so far", app->fv->search_text,
		    job_percent(app->fv->job), num);
}

/* One slice of the search's count: 1 when it is complete (announced), 0 when not, -1
 * when it failed (the search dropped, the message set). */
static int search_step(tui_app *app)
{
	struct tui_fview *fv = app->fv;
	char *cause = NULL;
	int rc = job_run(fv->job, app->slice_ms, app->slice_units, &cause);

	if (rc < 0) {
		tui_app_msg(app, 1, "search: %s (search cleared)", cause ? cause : "out of memory");
		tui_search_clear(fv);
	} else {
		update_count(fv);
	}
	free(cause);
	return rc;
}

void tui_app_set_slice(tui_app *app, unsigned ms, size_t units)
{
	app->slice_ms = ms;
	app->slice_units = units;
}

int tui_app_busy(const tui_app *app)
{
	return tui_search_busy(app->fv);
}

void tui_app_idle(tui_app *app)
{
	if (tui_search_busy(app->fv) && search_step(app) > 0)
		announce(app);
}

/* Search for `rest` (taken over; NULL: out of memory), or clear the search when it is "". */
static int search_for(tui_app *app, char *rest)
{
	struct tui_fview *fv = app->fv;
	char *cause = NULL;
	int rc = -1;

	if (!rest) {
		tui_app_msg(app, 1, "out of memory");
		return -1;
	}
	if (!*rest) {
		tui_search_clear(fv);
		tui_app_msg(app, 0, "search cleared");
		rc = 0;
	} else if (start_search(app, rest, 0, &cause) < 0) {
		tui_app_msg(app, 1, "search: %s (search unchanged)", cause ? cause : "out of memory");
	} else {
		rc = 0;
		if (tui_search_busy(fv))
			say_counting(app);
		else
			announce(app);
	}
	free(cause);
	free(rest);
	return rc;
}

/* n and N: while the search counts, a slice more of it; the move once it is complete. */
static int move_cmd(tui_app *app, int dir)
{
	if (!app->fv->search) {
		tui_app_msg(app, 1, "no search (/ or :search REGEX starts one)");
		return -1;
	}
	if (tui_search_busy(app->fv)) {
		int rc = search_step(app);

		if (rc < 0)
			return -1;
		if (rc == 0) {
			say_counting(app);
			return 0;
		}
	}
	return move_to_match(app, dir);
}

int tui_cmd_next_match(tui_app *app, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return move_cmd(app, 1);
}

int tui_cmd_prev_match(tui_app *app, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return move_cmd(app, -1);
}

int tui_cmd_search(tui_app *app, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return search_for(app, tui_cmd_rest(app));
}

int tui_search_run(tui_app *app, const char *text)
{
	return search_for(app, tui_trim_dup(text));
}
