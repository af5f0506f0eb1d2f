/* SPDX-License-Identifier: MIT */
/* search.c: `search [FIELD:]REGEX` and the moves to the next and previous match.
 *
 * The pattern runs once per name or file (a bitmap over name ids); the count comes from
 * the model's per-name call counts, and drawing marks a call by one bit test. Texts and
 * marks are matched one by one (search_text.c) into a sorted list of calls. A pattern
 * without an upper-case letter matches caselessly (smartcase). Moving between
 * matches needs their places: at the first move, one pass over the calls lists the
 * matching indexes row by row, and each move is then a binary search per row. Matches
 * are ordered by (start, thread position, depth), so next and previous are exact
 * inverses even when calls start at the same time. */
#include "tui/filter_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int string_entry(void *ctx, size_t id, const char **name, const char **file)
{
	const vtb_string *s = vtb_trace_string(ctx, (uint32_t)id);

	if (!s)
		return 1;
	*name = s->name;
	*file = s->file;
	return 0;
}

void tui_search_clear(struct tui_fview *fv)
{
	tui_search_reset(fv);
	flt_pattern_free(fv->search);
	free(fv->search_bits);
	free(fv->search_text);
	tui_search_hits_free(&fv->hits);
	fv->search = NULL;
	fv->search_bits = NULL;
	fv->search_text = NULL;
	fv->search_names = 0;
	fv->search_calls = 0;
}

int tui_search_matches(const struct tui_fview *fv, size_t string_count, const vtb_slice *s)
{
	return (s->name_id < string_count && flt_bitmap_test(fv->search_bits, s->name_id)) ||
	       (fv->hits.count && tui_search_hit(&fv->hits, s));
}

/* List the matching calls of every row. 0 or -1 when out of memory. */
static int build_index(const tui_model *m, struct tui_fview *fv)
{
	size_t n = 0;

	fv->match_off = malloc((m->bucket_rows + 1) * sizeof(*fv->match_off));
	fv->match_idx = malloc((fv->search_calls + 1) * sizeof(*fv->match_idx));
	if (!fv->match_off || !fv->match_idx) {
		tui_search_reset(fv);
		return -1;
	}
	for (size_t t = 0; t < m->thread_count; t++) {
		const vtb_thread *th = vtb_trace_thread(m->trace, t);

		for (uint32_t d = 0; d < th->depth_count; d++) {
			const vtb_slice *sl = th->rows[d].slices;
			/* the row's hits are a run of the sorted addresses: walked along, no search */
			size_t h = fv->hits.count ? tui_search_hits_from(&fv->hits, sl) : 0;

			fv->match_off[m->row_base[t] + d] = n;
			for (size_t i = 0, c = th->rows[d].count; i < c && n < fv->search_calls; i++) {
				int hit = h < fv->hits.count && fv->hits.calls[h] == &sl[i];

				h += hit;
				if (hit || (sl[i].name_id < m->string_count &&
					    flt_bitmap_test(fv->search_bits, sl[i].name_id)))
					fv->match_idx[n++] = (uint32_t)i;
			}
		}
	}
	fv->match_off[m->bucket_rows] = n;
	return 0;
}

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

/* How many matches of one row have a key below `cur`. */
static size_t count_below(const vtb_slice *sl, const uint32_t *mi, size_t n, const struct key *row,
			  const struct key *cur)
{
	size_t lo = 0, hi = n;
	int same = row->pos == cur->pos && row->depth == cur->depth;
	int row_first = row->pos < cur->pos || (row->pos == cur->pos && row->depth < cur->depth);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t s = sl[mi[mid]].start_ns;
		int below = same ? mi[mid] < cur->index
				 : s < cur->start_ns || (s == cur->start_ns && row_first);

		if (below)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct hunt {
	int dir;           /* +1 next, -1 previous */
	struct key cur;
	struct key best;
	tui_ref found;
	uint64_t rank;     /* matches before `cur`, over all rows */
};

static int row_skipped(const tui_app *app, int32_t t, uint32_t d)
{
	const uint32_t *shown = app->fv->shown_depths;

	return shown && (shown[t] == TUI_THREAD_HIDDEN || d >= shown[t]);
}

/* The nearest visible match of one row in the hunt's direction. */
static void hunt_row(const tui_app *app, struct hunt *h, int64_t pos, int32_t t, uint32_t d)
{
	const struct tui_fview *fv = app->fv;
	const vtb_slice *sl = tui_model_thread(&app->model, t)->rows[d].slices;
	size_t r = app->model.row_base[t] + d, a = fv->match_off[r], n = fv->match_off[r + 1] - a;
	const uint32_t *mi = fv->match_idx + a;
	struct key row = { 0, pos, d, 0 }, k;
	size_t below = count_below(sl, mi, n, &row, &h->cur), i = below;

	h->rank += below;
	if (row_skipped(app, t, d))
		return;
	if (h->dir > 0) {
		if (i < n && pos == h->cur.pos && (int64_t)d == h->cur.depth && mi[i] == h->cur.index)
			i++; /* cur itself */
		while (i < n && !tui_fview_visible(app, t, d, mi[i]))
			i++;
		if (i >= n)
			return;
	} else {
		while (i > 0 && !tui_fview_visible(app, t, d, mi[i - 1]))
			i--;
		if (i == 0)
			return;
		i--;
	}
	k = (struct key){ sl[mi[i]].start_ns, pos, d, mi[i] };
	if (h->found.thread < 0 || key_cmp(&k, &h->best) * h->dir < 0) {
		h->best = k;
		h->found = (tui_ref){ t, d, mi[i] };
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

/* Select the next (dir +1) or previous (-1) match from the selection, or from the cursor. */
static int move_to_match(tui_app *app, int dir)
{
	struct tui_fview *fv = app->fv;
	const vtb_slice *sel = tui_model_slice(&app->model, app->view.sel);
	struct hunt h = { .dir = dir };
	const char *wrapped = "";
	char of[32];

	if (!fv->search) {
		tui_app_msg(app, 1, "no search (/ or :search REGEX starts one)");
		return -1;
	}
	if (!fv->match_idx && build_index(&app->model, fv) < 0) {
		tui_app_msg(app, 1, "out of memory listing the matches");
		return -1;
	}
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
	hunt_all(app, &h);
	tui_fmt_count(of, sizeof(of), fv->search_calls);
	tui_app_msg(app, 0, "match %llu of %s%s", (unsigned long long)h.rank + 1, of, wrapped);
	return 0;
}

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

/* Match names (or files) into `bits` and texts into `hits`. */
static int64_t eval_search(const tui_model *m, flt_pattern *p, enum flt_field f, uint64_t *bits,
			   struct tui_search_hits *hits, char **cause)
{
	int64_t names = 0;

	if (f == FLT_FIELD_FILE)
		names = eval_files(p, m, bits, cause);
	else if (f == FLT_FIELD_ANY || f == FLT_FIELD_NAME)
		names = flt_pattern_eval(p, string_entry, m->trace, m->string_count, bits, cause);
	if (names >= 0 && tui_search_text(m, p, f, hits, cause) < 0)
		return -1;
	return names;
}

/* Calls and names the search matched: calls of the matching names, then the hits of
 * other names. */
static void count_search(const tui_model *m, struct tui_fview *fv)
{
	fv->search_calls = 0;
	fv->search_names = 0;
	for (size_t i = 0; i < m->string_count; i++)
		if (flt_bitmap_test(fv->search_bits, i) && m->fn_calls[i]) {
			fv->search_calls += m->fn_calls[i];
			fv->search_names++;
		}
	for (size_t i = 0; i < fv->hits.count; i++)
		if (fv->hits.calls[i]->name_id >= m->string_count ||
		    !flt_bitmap_test(fv->search_bits, fv->hits.calls[i]->name_id))
			fv->search_calls++;
}

static int start_search(tui_app *app, const char *text, char **cause)
{
	struct tui_fview *fv = app->fv;
	const char *pattern;
	enum flt_field f = flt_field_split(text, &pattern);
	size_t words = FLT_BITMAP_WORDS(app->model.string_count) + 1;
	uint64_t *bits = calloc(words, sizeof(uint64_t));
	struct tui_search_hits hits = { 0 };
	char *copy = strdup(text);
	flt_pattern *p = NULL;

	if (!*pattern)
		*cause = tui_strdupf("nothing to search for after '%s:'", flt_field_name(f));
	else if (bits && copy)
		p = flt_pattern_compile(pattern, FLT_PAT_USER | (flt_smartcase(pattern) ? FLT_PAT_CASELESS : 0), cause);
	if (!p || eval_search(&app->model, p, f, bits, &hits, cause) < 0) {
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
	fv->hits = hits;
	count_search(&app->model, fv);
	return 0;
}

void tui_search_rerun(tui_app *app)
{
	char *text = app->fv->search_text ? strdup(app->fv->search_text) : NULL, *cause = NULL;

	tui_search_clear(app->fv);
	if (text)
		start_search(app, text, &cause);
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
	char num[32];
	size_t n;

	tui_fmt_count(num, sizeof(num), fv->search_calls);
	n = (size_t)snprintf(buf, len, "%s call%s (%zu name%s", num, fv->search_calls == 1 ? "" : "s",
			     fv->search_names, fv->search_names == 1 ? "" : "s");
	for (int f = FLT_FIELD_ARG; f < FLT_FIELD_COUNT && n < len; f++)
		if (fv->hits.per_field[f])
			n += (size_t)snprintf(buf + n, len - n, ", %zu %s", fv->hits.per_field[f],
					      what[f][fv->hits.per_field[f] != 1]);
	if (n < len && fv->hits.loose)
		n += (size_t)snprintf(buf + n, len - n, ", %zu outside any call", fv->hits.loose);
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

int tui_cmd_search(tui_app *app, int argc, char **argv)
{
	struct tui_fview *fv = app->fv;
	char *rest = tui_cmd_rest(app), *cause = NULL, what[160];
	int rc = -1;

	(void)argc;
	(void)argv;
	if (!rest) {
		tui_app_msg(app, 1, "out of memory");
		return -1;
	}
	if (!*rest) {
		tui_search_clear(fv);
		tui_app_msg(app, 0, "search cleared");
		rc = 0;
	} else if (start_search(app, rest, &cause) < 0) {
		tui_app_msg(app, 1, "search: %s (search unchanged)", cause ? cause : "out of memory");
	} else {
		/* like less and vim: go to the first match from where the eye is */
		rc = 0;
		describe(fv, what, sizeof(what));
		if (fv->search_calls == 0 || move_to_match(app, 1) < 0)
			tui_app_msg(app, 0, "/%s: %s%s", rest, what, fv->search_calls ? ", none visible" : "");
		else
			append_msg(app, what);
	}
	free(cause);
	free(rest);
	return rc;
}

int tui_cmd_next_match(tui_app *app, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return move_to_match(app, 1);
}

int tui_cmd_prev_match(tui_app *app, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return move_to_match(app, -1);
}
