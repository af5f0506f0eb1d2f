/* SPDX-License-Identifier: MIT */
/* filter_view.c: the viewer's filters: the filter commands, the per-call visibility
 * marking (see filter_view.h for the rules), and the hooks the timeline draws through.
 * The queries on the marking are filter_visible.c's, below search.c. */
#include "tui/filter_view.h"

#include <stdlib.h>
#include <string.h>

struct tui_fview *tui_fview_new(const tui_model *m)
{
	struct tui_fview *fv = calloc(1, sizeof(*fv));

	(void)m;
	if (!fv)
		return NULL;
	fv->set = flt_set_new();
	if (!fv->set) {
		free(fv);
		return NULL;
	}
	return fv;
}

static void drop_marks(struct tui_fview *fv)
{
	free(fv->vis);
	free(fv->shown_depths);
	fv->vis = NULL;
	fv->shown_depths = NULL;
	tui_search_hits_free(&fv->text_kept);
}

void tui_fview_free(struct tui_fview *fv)
{
	if (!fv)
		return;
	drop_marks(fv);
	free(fv->row_off);
	flt_set_free(fv->set);
	tui_search_clear(fv);
	free(fv->flat_bits);
	flt_presets_free(fv->presets);
	free(fv->presets_path);
	free(fv->presets_error);
	free(fv);
}

/* ---- marking ---- */

/* Move *j along `up` to the last call starting at or before t; 1 when it covers t (it is
 * the parent of a call starting at t). Children come in start order, so *j only grows. */
static inline int parent_at(const vtb_slice *up, size_t n, size_t *j, uint64_t t)
{
	while (*j + 1 < n && up[*j + 1].start_ns <= t)
		(*j)++;
	return n && up[*j].start_ns <= t && up[*j].start_ns + up[*j].dur_ns >= t;
}

/* The layout of the bitmaps, once per trace: rows start on a word, so a row's words can
 * be scanned without its neighbours. */
static int ensure_layout(const tui_model *m, struct tui_fview *fv)
{
	size_t bits = 0;

	if (fv->row_off)
		return 0;
	fv->row_off = malloc((m->bucket_rows + 1) * sizeof(*fv->row_off));
	if (!fv->row_off)
		return -1;
	for (size_t t = 0; t < m->thread_count; t++) {
		const vtb_thread *th = vtb_trace_thread(m->trace, t);

		for (uint32_t d = 0; d < th->depth_count; d++) {
			fv->row_off[m->row_base[t] + d] = bits;
			bits += (th->rows[d].count + 63) & ~(size_t)63;
		}
	}
	fv->row_off[m->bucket_rows] = bits;
	return 0;
}

struct marking {
	const uint64_t *inc, *exc; /* NULL when the set has no such list */
	const uint64_t *tkeep, *tdrop; /* per call (row layout): what text filters select, or NULL */
	size_t nbits;
	uint64_t min_ns;
	uint32_t depth_limit;
	uint64_t *vis;
	uint64_t *keep;            /* "show only": the kept calls, then the result */
};

static inline uint64_t name_in(const uint64_t *bm, size_t nbits, uint32_t id)
{
	return id < nbits ? (bm[id >> 6] >> (id & 63)) & 1 : 0;
}

/* Calls in word w of a row of n calls. The loops below build 64 bits in a register, read
 * each call once, and write one word per 64 calls. */
static inline size_t word_calls(size_t n, size_t w)
{
	return n - w * 64 < 64 ? n - w * 64 : 64;
}

/* One row, top down: the limits and the hide patterns per call (hide_children then clears
 * the subtrees). `base` is the row's first bit. */
static void down_row(const struct marking *k, const vtb_slice *sl, size_t n, size_t base)
{
	const uint64_t min = k->min_ns, *exc = k->exc, *tdrop = k->tdrop ? k->tdrop + base / 64 : NULL;
	const size_t nbits = k->nbits;
	uint64_t *out = k->vis + base / 64;

	for (size_t w = 0; w * 64 < n; w++) {
		const vtb_slice *s = sl + w * 64;
		size_t end = word_calls(n, w);
		uint64_t word = 0;

		if (!exc && !min) {
			word = end == 64 ? ~(uint64_t)0 : ((uint64_t)1 << end) - 1;
		} else if (!exc) {
			for (size_t b = 0; b < end; b++)
				word |= (uint64_t)(s[b].dur_ns >= min) << b;
		} else {
			for (size_t b = 0; b < end; b++)
				word |= ((uint64_t)(s[b].dur_ns >= min) & (name_in(exc, nbits, s[b].name_id) ^ 1)) << b;
		}
		out[w] = tdrop ? word & ~tdrop[w] : word;
	}
}

/* One row, bottom up: a visible match, or a call a kept child marked, is kept
 * (keep_parents then marks the row above). vis NULL: every call of the row is visible. */
static void up_row(const struct marking *k, const vtb_slice *sl, size_t n, size_t base, int all_vis)
{
	const uint64_t *inc = k->inc, *vis = all_vis ? NULL : k->vis + base / 64;
	const uint64_t *tkeep = k->tkeep ? k->tkeep + base / 64 : NULL;
	const size_t nbits = k->nbits;
	uint64_t *row = k->keep + base / 64;

	for (size_t w = 0; w * 64 < n; w++) {
		const vtb_slice *s = sl + w * 64;
		size_t end = word_calls(n, w);
		uint64_t m = 0;

		for (size_t b = 0; b < end; b++)
			m |= name_in(inc, nbits, s[b].name_id) << b;
		m |= tkeep ? tkeep[w] : 0;
		row[w] |= vis ? m & vis[w] : m;
	}
}

/* The last start a child of up[j] may have (its children start in [up[j].start_ns,
 * *last]); 0 when it can have none. A call starting where up[j] ends and up[j + 1]
 * begins is up[j + 1]'s (parent_at's rule). */
static inline int child_last(const vtb_slice *up, size_t un, size_t j, uint64_t *last)
{
	*last = up[j].start_ns + up[j].dur_ns;
	if (j + 1 < un && up[j + 1].start_ns <= *last) {
		if (up[j + 1].start_ns == up[j].start_ns)
			return 0;
		*last = up[j + 1].start_ns - 1;
	}
	return 1;
}

/* No per-call parent index: a row's calls never overlap, so children in start order have
 * their parents in start order, and each filter finds the parents it needs by walking the
 * row above forward: hide visits the runs of hidden calls of the row above, a show-only
 * filter the kept calls of the row below. */

/* Index of the first bit equal to `want` among bits [from, hi) of bm; hi when none. */
static size_t find_bit(const uint64_t *bm, size_t from, size_t hi, int want)
{
	uint64_t flip = want ? 0 : ~(uint64_t)0, word;
	size_t w = from >> 6;

	if (from >= hi)
		return hi;
	word = (bm[w] ^ flip) & (~(uint64_t)0 << (from & 63));
	while (!word && ++w < (hi + 63) >> 6)
		word = bm[w] ^ flip;
	from = word ? w * 64 + (size_t)__builtin_ctzll(word) : hi;
	return from < hi ? from : hi;
}

/* Hide, for one run of hidden calls up[ja .. jb] of the row above: clear the calls of the
 * row (from *i on) that one of them covers (parent_at's rule). The run's calls are
 * consecutive, so its children are one stretch of the row. No call lies in a gap between
 * two of them: the model nests every call at depth d > 0 inside a call at depth d - 1
 * (the reader builds calls from a stack), so the whole stretch goes. */
static void clear_run(uint64_t *row, const vtb_slice *sl, size_t n, const vtb_slice *up, size_t un,
		      size_t ja, size_t jb, size_t *i)
{
	uint64_t last;

	if (!child_last(up, un, jb, &last)) {
		if (!up[jb].start_ns)
			return;
		last = up[jb].start_ns - 1; /* up[jb]'s calls are up[jb + 1]'s */
	}
	while (*i < n && sl[*i].start_ns < up[ja].start_ns)
		(*i)++;
	for (; *i < n && sl[*i].start_ns <= last; (*i)++)
		row[*i >> 6] &= ~((uint64_t)1 << (*i & 63));
}

#define RUNS_AHEAD 16

/* Hide: clear the calls of a row (bits `row`, calls sl[0 .. n)) whose parent is not
 * visible (bits `upvis`, calls up[0 .. un)): a hidden call takes its whole subtree. Rows
 * go top down, so the row above is final. Runs of hidden calls are found in the bitmap
 * RUNS_AHEAD ahead of the one being cleared and their calls prefetched: the row above is
 * read only at the runs, and out of cache. */
static void hide_children(uint64_t *row, const vtb_slice *sl, size_t n, const uint64_t *upvis,
			  const vtb_slice *up, size_t un)
{
	size_t i = 0, ja = 0, q[RUNS_AHEAD][2], head = 0, tail = 0;

	for (;;) {
		if (tail - head < RUNS_AHEAD && (ja = find_bit(upvis, ja, un, 0)) < un) {
			size_t jb = find_bit(upvis, ja + 1, un, 1) - 1;

			__builtin_prefetch(&up[ja]);
			__builtin_prefetch(&up[jb]);
			__builtin_prefetch(&up[jb + 1 < un ? jb + 1 : jb]);
			q[tail % RUNS_AHEAD][0] = ja;
			q[tail % RUNS_AHEAD][1] = jb;
			tail++;
			ja = jb + 1;
		} else if (head < tail) {
			clear_run(row, sl, n, up, un, q[head % RUNS_AHEAD][0], q[head % RUNS_AHEAD][1], &i);
			head++;
		} else {
			break;
		}
	}
}

/* Show only: keep the parent (in bits `uprow`) of each kept call of a row (bits `row`).
 * Only kept calls are visited; the parents' starts are read in order. */
static void keep_parents(const uint64_t *row, const vtb_slice *sl, size_t n, uint64_t *uprow,
			 const vtb_slice *up, size_t un)
{
	size_t j = 0;

	for (size_t w = 0; w * 64 < n; w++)
		for (uint64_t word = row[w]; word; word &= word - 1)
			if (parent_at(up, un, &j, sl[w * 64 + (size_t)__builtin_ctzll(word)].start_ns))
				uprow[j >> 6] |= (uint64_t)1 << (j & 63);
}

/* Rows of `th` that hold a visible call; counts them into *calls. */
static uint32_t shown_rows(const uint64_t *vis, const size_t *off, size_t row0,
			   const vtb_thread *th, uint64_t *calls)
{
	uint32_t shown = 0;

	for (uint32_t d = 0; d < th->depth_count; d++) {
		/* bits past a row's count stay 0 */
		size_t a = off[row0 + d] / 64, b = (off[row0 + d] + th->rows[d].count + 63) / 64;
		uint64_t n = 0;

		for (size_t w = a; w < b; w++)
			n += (uint64_t)__builtin_popcountll(vis[w]);
		if (n)
			shown = d + 1;
		*calls += n;
	}
	return shown;
}

struct marks {
	uint64_t *vis;
	uint32_t *shown;
	uint64_t calls;
	struct tui_text_marks text;
};

static void mark_thread(const struct marking *k, const vtb_thread *th, const size_t *off, int all_vis)
{
	uint32_t top = th->depth_count < k->depth_limit ? th->depth_count : k->depth_limit;

	const vtb_row *r = th->rows;

	for (uint32_t d = 0; d < top && !all_vis; d++) {
		down_row(k, r[d].slices, r[d].count, off[d]);
		if ((k->exc || k->tdrop) && d > 0)
			hide_children(k->vis + off[d] / 64, r[d].slices, r[d].count, k->vis + off[d - 1] / 64,
				      r[d - 1].slices, r[d - 1].count);
	}
	for (uint32_t d = top; k->inc && d-- > 0;) {
		up_row(k, r[d].slices, r[d].count, off[d], all_vis);
		if (d > 0)
			keep_parents(k->keep + off[d] / 64, r[d].slices, r[d].count, k->keep + off[d - 1] / 64,
				     r[d - 1].slices, r[d - 1].count);
	}
}

static void snapshot(struct marking *k, flt_set *s)
{
	k->inc = flt_set_has_include(s) ? flt_set_included(s) : NULL;
	k->exc = flt_set_list_count(s, FLT_EXCLUDE_NAME) + flt_set_list_count(s, FLT_EXCLUDE_FILE)
		 ? flt_set_excluded(s) : NULL;
	k->nbits = flt_set_eval_count(s);
	k->min_ns = flt_set_get_min_duration(s);
	k->depth_limit = flt_set_get_max_depth(s) ? flt_set_get_max_depth(s) : UINT32_MAX;
}

/* Mark every call of the model under `s` (evaluated); mk->text keeps what the text
 * filters selected. 0, or -1 with *cause (NULL: out of memory). */
static int mark_all(const tui_model *m, struct tui_fview *fv, flt_set *s, struct marks *mk, char **cause)
{
	struct marking k = { 0 };
	size_t words;
	int rc = -1, all_vis;

	memset(mk, 0, sizeof(*mk));
	snapshot(&k, s);
	if (ensure_layout(m, fv) < 0 || tui_filter_text(m, s, fv->row_off, &mk->text, cause) < 0)
		goto out;
	k.tkeep = mk->text.keep;
	k.tdrop = mk->text.drop;
	words = fv->row_off[m->bucket_rows] / 64 + 1;
	mk->shown = calloc(m->thread_count + 1, sizeof(*mk->shown));
	k.vis = mk->vis = calloc(words, sizeof(uint64_t));
	if (!mk->shown || !mk->vis || (k.inc && !(k.keep = calloc(words, sizeof(uint64_t)))))
		goto out;
	all_vis = k.inc && !k.exc && !k.tdrop && !k.min_ns; /* the top-down pass would set every bit */
	for (size_t t = 0; t < m->thread_count; t++) {
		const vtb_thread *th = vtb_trace_thread(m->trace, t);

		if (!flt_set_match_thread(s, th->name))
			mk->shown[t] = TUI_THREAD_HIDDEN;
		else
			mark_thread(&k, th, fv->row_off + m->row_base[t], all_vis);
	}
	if (k.inc) {
		free(mk->vis);
		mk->vis = k.keep;
		k.keep = NULL;
	}
	for (size_t t = 0; t < m->thread_count; t++)
		if (mk->shown[t] != TUI_THREAD_HIDDEN)
			mk->shown[t] = shown_rows(mk->vis, fv->row_off, m->row_base[t],
						  vtb_trace_thread(m->trace, t), &mk->calls);
	rc = 0;
out:
	free(k.keep);
	free(mk->text.keep); /* merged into vis: only the kept calls' addresses stay */
	free(mk->text.drop);
	mk->text.keep = mk->text.drop = NULL;
	if (rc < 0) {
		free(mk->vis);
		free(mk->shown);
		tui_text_marks_free(&mk->text);
	}
	return rc;
}

static int string_entry(void *ctx, size_t id, const char **name, const char **file)
{
	const vtb_string *s = vtb_trace_string(ctx, (uint32_t)id);

	if (!s)
		return 1;
	*name = s->name;
	*file = s->file;
	return 0;
}

static void install(tui_app *app, flt_set *next, struct marks *mk)
{
	struct tui_fview *fv = app->fv;
	tui_view *v = &app->view;

	drop_marks(fv);
	flt_set_free(fv->set);
	fv->set = next;
	fv->has_include = flt_set_has_include(next);
	fv->vis = mk->vis;
	fv->shown_depths = mk->shown;
	fv->text_kept = mk->text.kept;
	fv->shown_calls = mk->calls;
	v->shown_depths = fv->shown_depths;
	if (v->sel.thread >= 0 && !tui_fview_visible(app, v->sel.thread, v->sel.depth, v->sel.index))
		v->sel = TUI_REF_NONE;
	v->follow = 1;
}

int tui_fview_commit(tui_app *app, flt_set *next)
{
	struct tui_fview *fv = app->fv;
	struct marks mk = { 0 };
	char *cause = NULL, calls[32], all[32], flattened[32];
	size_t flat;

	if (flt_set_eval(next, string_entry, app->model.trace, app->model.string_count, &cause) < 0) {
		tui_app_msg(app, 1, "%s (filters unchanged)", cause ? cause : "filters failed");
		goto fail;
	}
	if (tui_flatten_update(app, next) < 0)
		goto fail;
	if (flt_set_is_empty(next)) {
		install(app, next, &mk);
		fv->shown_calls = vtb_trace_call_count(app->model.trace);
		tui_app_msg(app, 0, "no filters");
		return 0;
	}
	if (mark_all(&app->model, fv, next, &mk, &cause) < 0) {
		tui_app_msg(app, 1, "%s (filters unchanged)", cause ? cause : "out of memory marking calls");
		goto fail;
	}
	install(app, next, &mk);
	tui_fmt_count(calls, sizeof(calls), fv->shown_calls);
	tui_fmt_count(all, sizeof(all), vtb_trace_call_count(app->model.trace));
	flat = vtb_trace_call_count(vtb_trace_base(app->model.trace)) - vtb_trace_call_count(app->model.trace);
	tui_fmt_count(flattened, sizeof(flattened), flat);
	tui_app_msg(app, 0, "%s of %s calls shown%s%s%s", calls, all, flat ? " (" : "", flat ? flattened : "",
		    flat ? " flattened)" : "");
	return 0;
fail:
	free(cause);
	flt_set_free(next);
	return -1;
}

/* ---- drawing hooks ---- */

void tui_fview_paint(const tui_app *app, const vtb_slice *sl, uint16_t *style, uint16_t *attr)
{
	const struct tui_fview *fv = app->fv;
	const uint64_t *inc;

	if (!fv)
		return;
	if (fv->search_bits && tui_search_matches(fv, app->model.string_count, sl)) {
		*style = TUI_STYLE_MATCH;
		*attr |= TUI_ATTR_BOLD;
		return;
	}
	inc = fv->has_include ? flt_set_included(fv->set) : NULL;
	if (inc && !name_in(inc, flt_set_eval_count(fv->set), sl->name_id) &&
	    (!fv->text_kept.count || !tui_search_hit(&fv->text_kept, sl)))
		*style = TUI_STYLE_DIM; /* the stack above a match */
}

void tui_fview_status(const tui_app *app, char *buf, size_t len)
{
	const struct tui_fview *fv = app->fv;
	char *d, calls[32];
	size_t n;

	buf[0] = '\0';
	if (!fv)
		return;
	d = flt_set_describe(fv->set);
	if (d && *d)
		snprintf(buf, len, "[%s]", d);
	free(d);
	if (fv->search) {
		n = strlen(buf);
		tui_fmt_count(calls, sizeof(calls), fv->search_calls);
		snprintf(buf + n, len - n, "%s/%s %s call%s%s", n ? " " : "", fv->search_text,
			 calls, fv->search_calls == 1 ? "" : "s", tui_search_busy(fv) ? " (counting)" : "");
	}
}

/* ---- commands ---- */

/* filter, filter-file, hide, hide-file, min-duration, max-depth, filter-thread,
 * clear-filters: applied to a copy, so a bad pattern leaves the filters as they were. */
int tui_cmd_filter(tui_app *app, int argc, char **argv)
{
	char *cause = NULL, *rest = tui_cmd_rest(app), *line = NULL;
	flt_set *next = NULL;
	int rc = -1;

	(void)argc;
	if (!rest || !(line = tui_strdupf("%s %s", argv[0], rest)) ||
	    !(next = flt_set_copy(app->fv->set, &cause))) {
		tui_app_msg(app, 1, "%s", cause ? cause : "out of memory");
		goto out;
	}
	if (flt_set_command(next, line, &cause) < 0) {
		tui_app_msg(app, 1, "%s (filters unchanged)", cause ? cause : line);
		goto out;
	}
	rc = tui_fview_commit(app, next);
	next = NULL;
out:
	flt_set_free(next);
	free(cause);
	free(line);
	free(rest);
	return rc;
}
