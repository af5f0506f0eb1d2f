/* SPDX-License-Identifier: MIT */
/* filter_visible.c: which calls the filters leave visible, and moving between them: the
 * queries on the marking filter_view.c makes. Apart from it so that search.c, which skips
 * hidden calls, sits below the filter commands, which rerun the search (filter_view.c ->
 * flatten_view.c -> search.c -> filter_visible.c). */
#include "tui/filter_view.h"

#include <string.h>

static inline int bit(const uint64_t *bm, size_t i)
{
	return (int)((bm[i >> 6] >> (i & 63)) & 1);
}

static const uint64_t *row_bits(const tui_app *app, int32_t thread, uint32_t depth, size_t *off)
{
	const struct tui_fview *fv = app->fv;

	if (!fv || !fv->vis || thread < 0 || (size_t)thread >= app->model.thread_count)
		return NULL;
	*off = fv->row_off[app->model.row_base[thread] + depth];
	return fv->vis;
}

int tui_fview_visible(const tui_app *app, int32_t thread, uint32_t depth, size_t i)
{
	const vtb_thread *th = tui_model_thread(&app->model, thread);
	const uint64_t *bm;
	size_t off = 0;

	if (!th || depth >= th->depth_count || i >= th->rows[depth].count)
		return 0;
	if (app->fv && app->fv->shown_depths && app->fv->shown_depths[thread] == TUI_THREAD_HIDDEN)
		return 0;
	bm = row_bits(app, thread, depth, &off);
	return !bm || bit(bm, off + i);
}

size_t tui_fview_next(const tui_app *app, const tui_row_cursor *rc, size_t i)
{
	const struct tui_fview *fv = app->fv;
	size_t n = rc->row ? rc->row->count : 0, off, w, end;
	uint64_t word;

	if (!fv || !fv->vis || i >= n)
		return i < n ? i : n;
	/* the cursor's buckets sit at the row's place in the model */
	off = fv->row_off[(size_t)(rc->b - app->model.buckets)];
	w = (off + i) >> 6;
	end = (off + n + 63) >> 6; /* rows start on a word boundary */
	word = fv->vis[w] & (~(uint64_t)0 << ((off + i) & 63));
	while (!word && ++w < end)
		word = fv->vis[w];
	if (!word)
		return n;
	i = w * 64 + (size_t)__builtin_ctzll(word) - off;
	return i < n ? i : n;
}

/* The first set bit at or after `from` (dir > 0) or at or before it (dir < 0) among bits
 * [lo, hi) of `bm`; hi when none. Whole words at a time. */
static size_t seek_bit(const uint64_t *bm, size_t lo, size_t hi, size_t from, int dir)
{
	size_t w = from >> 6;
	uint64_t word;

	if (dir > 0) {
		word = bm[w] & (~(uint64_t)0 << (from & 63));
		while (!word && ++w < (hi + 63) >> 6)
			word = bm[w];
		from = word ? w * 64 + (size_t)__builtin_ctzll(word) : hi;
		return from < hi ? from : hi;
	}
	word = bm[w] & (~(uint64_t)0 >> (63 - (from & 63)));
	while (!word && w-- > lo >> 6)
		word = bm[w];
	from = word ? w * 64 + 63 - (size_t)__builtin_clzll(word) : hi;
	return from >= lo && from < hi ? from : hi;
}

int tui_fview_seek(const tui_app *app, tui_ref *r, int dir)
{
	const vtb_thread *th = tui_model_thread(&app->model, r->thread);
	size_t off = 0, n, at;
	const uint64_t *bm;

	if (!th || r->depth >= th->depth_count || r->index >= th->rows[r->depth].count)
		return -1;
	if (app->fv->shown_depths && app->fv->shown_depths[r->thread] == TUI_THREAD_HIDDEN)
		return -1;
	if (!(bm = row_bits(app, r->thread, r->depth, &off)))
		return 0;
	n = th->rows[r->depth].count;
	at = seek_bit(bm, off, off + n, off + r->index, dir);
	if (at == off + n)
		return -1;
	r->index = at - off;
	return 0;
}

/* Whether r and the call `want` share a parent (or both have none). */
static int same_parent(const tui_app *app, tui_ref r, tui_ref want)
{
	tui_ref a, b;
	int ha = tui_query_parent(&app->model, r, &a) == 0, hb = tui_query_parent(&app->model, want, &b) == 0;

	return ha == hb && (!ha || (a.depth == b.depth && a.index == b.index));
}

int tui_fview_visible_move(const tui_app *app, const char *what, tui_ref cur, tui_ref *r)
{
	int back = !strcmp(what, "prev") || !strcmp(what, "prev-sibling");
	tui_ref t = *r, p;

	if (tui_fview_visible(app, t.thread, t.depth, t.index))
		return 0;
	if (tui_fview_seek(app, &t, back ? -1 : 1) < 0)
		return -1;
	if (!strcmp(what, "child") &&
	    (tui_query_parent(&app->model, t, &p) < 0 || p.depth != cur.depth || p.index != cur.index))
		return -1;
	if (strstr(what, "sibling") && !same_parent(app, t, cur))
		return -1;
	*r = t;
	return 0;
}
