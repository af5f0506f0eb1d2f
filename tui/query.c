/* SPDX-License-Identifier: MIT */
/* query.c: the model side of the viewer: indexes computed once at load (calls per
 * function, colour hues, thread order) and navigation over the immutable trace. Every
 * query is a binary search or a walk bounded by what it returns, never a scan of a row. */
#include "tui/tui_private.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const vtb_row *row_of(const tui_model *m, int32_t thread, uint32_t depth)
{
	const vtb_thread *th = tui_model_thread(m, thread);

	if (!th || depth >= th->depth_count)
		return NULL;
	return &th->rows[depth];
}

uint64_t tui_slice_end(const vtb_slice *s)
{
	return s->start_ns + s->dur_ns;
}

const vtb_thread *tui_model_thread(const tui_model *m, int32_t thread)
{
	if (thread < 0 || (size_t)thread >= m->thread_count)
		return NULL;
	return vtb_trace_thread(m->trace, (size_t)thread);
}

const vtb_slice *tui_model_slice(const tui_model *m, tui_ref r)
{
	const vtb_row *row = row_of(m, r.thread, r.depth);

	if (!row || r.index >= row->count)
		return NULL;
	return &row->slices[r.index];
}

const char *tui_model_name(const tui_model *m, uint32_t name_id)
{
	const vtb_string *s = name_id < m->string_count ? vtb_trace_string(m->trace, name_id) : NULL;

	return s && s->name ? s->name : "?";
}

size_t tui_row_first_from(const vtb_row *row, uint64_t t)
{
	return an_lower_bound(row->slices, row->count, sizeof(*row->slices), offsetof(vtb_slice, start_ns), t);
}

int tui_query_at(const tui_model *m, int32_t thread, uint32_t depth, uint64_t t0, uint64_t t1,
		 size_t *index)
{
	const vtb_row *row = row_of(m, thread, depth);
	size_t i;

	if (!row)
		return 0;
	i = vtb_row_find(row, t0);
	if (i >= row->count || row->slices[i].start_ns >= t1)
		return 0;
	*index = i;
	return i + 1 < row->count && row->slices[i + 1].start_ns < t1 ? 2 : 1;
}

int tui_query_parent(const tui_model *m, tui_ref r, tui_ref *out)
{
	const vtb_slice *s = tui_model_slice(m, r);
	const vtb_row *up;
	size_t i;

	if (!s || r.depth == 0 || !(up = row_of(m, r.thread, r.depth - 1)))
		return -1;
	/* The parent is the last call one level up that starts no later than the child. */
	i = tui_row_first_from(up, s->start_ns + 1);
	if (i == 0 || tui_slice_end(&up->slices[i - 1]) < s->start_ns)
		return -1;
	*out = (tui_ref){ r.thread, r.depth - 1, i - 1 };
	return 0;
}

int tui_query_first_child(const tui_model *m, tui_ref r, tui_ref *out)
{
	const vtb_slice *s = tui_model_slice(m, r);
	const vtb_row *down;
	size_t i;

	if (!s || !(down = row_of(m, r.thread, r.depth + 1)))
		return -1;
	i = tui_row_first_from(down, s->start_ns);
	if (i >= down->count)
		return -1;
	if (down->slices[i].start_ns >= tui_slice_end(s) && down->slices[i].start_ns != s->start_ns)
		return -1;
	*out = (tui_ref){ r.thread, r.depth + 1, i };
	return 0;
}

int tui_query_neighbour(const tui_model *m, tui_ref r, int dir, tui_ref *out)
{
	const vtb_row *row = row_of(m, r.thread, r.depth);

	if (!row || r.index >= row->count)
		return -1;
	if ((dir < 0 && r.index == 0) || (dir > 0 && r.index + 1 >= row->count))
		return -1;
	*out = (tui_ref){ r.thread, r.depth, dir < 0 ? r.index - 1 : r.index + 1 };
	return 0;
}

int tui_query_sibling(const tui_model *m, tui_ref r, int dir, tui_ref *out)
{
	tui_ref parent, cand;
	const vtb_slice *p, *c;

	if (tui_query_neighbour(m, r, dir, &cand) < 0)
		return -1;
	if (tui_query_parent(m, r, &parent) < 0) {
		*out = cand; /* top level, or an orphan of a damaged section: the row decides */
		return 0;
	}
	p = tui_model_slice(m, parent);
	c = tui_model_slice(m, cand);
	if (c->start_ns < p->start_ns || c->start_ns > tui_slice_end(p) ||
	    (c->start_ns == tui_slice_end(p) && c->dur_ns > 0))
		return -1;
	*out = cand;
	return 0;
}

uint64_t tui_query_self_ns(const tui_model *m, tui_ref r)
{
	const vtb_slice *s = tui_model_slice(m, r);
	const vtb_row *down;
	uint64_t children = 0, end;

	if (!s)
		return 0;
	down = row_of(m, r.thread, r.depth + 1);
	end = tui_slice_end(s);
	if (down) {
		for (size_t i = tui_row_first_from(down, s->start_ns);
		     i < down->count && down->slices[i].start_ns < end; i++)
			children += down->slices[i].dur_ns;
	}
	return children >= s->dur_ns ? 0 : s->dur_ns - children;
}

int tui_query_nearest(const tui_model *m, int32_t thread, uint32_t depth, uint64_t t, tui_ref *out)
{
	const vtb_row *row = row_of(m, thread, depth);
	size_t i;

	if (!row || row->count == 0)
		return -1;
	i = vtb_row_find(row, t);
	if (i >= row->count)
		i = row->count - 1;
	else if (row->slices[i].start_ns > t && i > 0 &&
		 t - tui_slice_end(&row->slices[i - 1]) < row->slices[i].start_ns - t)
		i--;
	*out = (tui_ref){ thread, depth, i };
	return 0;
}

/* ---- searching a row through its time buckets ---- */

void tui_row_cursor_init(tui_row_cursor *c, const tui_model *m, int32_t thread, uint32_t depth)
{
	c->row = row_of(m, thread, depth);
	c->b = c->row ? &m->buckets[m->row_base[thread] + depth] : NULL;
}

size_t tui_row_cursor_find(tui_row_cursor *c, uint64_t t)
{
	const struct tui_buckets *b = c->b;
	size_t k, lo, hi;

	if (!c->row || !c->row->count || t < b->t0_ns)
		return 0;
	k = (size_t)((unsigned __int128)(t - b->t0_ns) * b->count / b->span_ns);
	if (k >= b->count)
		k = b->count - 1;
	/* every slice before first[k] ends by the bucket's start <= t; first[k + 1] ends after t */
	lo = b->first ? b->first[k] : 0;
	hi = b->first ? b->first[k + 1] : c->row->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (tui_slice_end(&c->row->slices[mid]) > t)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* ---- built once at load ---- */

static int bucket_row(struct tui_buckets *b, const vtb_row *row)
{
	size_t i = 0;

	b->count = row->count / TUI_BUCKET_SLICES + 1;
	b->t0_ns = row->count ? row->slices[0].start_ns : 0;
	b->span_ns = row->count ? tui_slice_end(&row->slices[row->count - 1]) - b->t0_ns + 1 : 1;
	if (b->count == 1) /* a short row is searched whole: deep stacks have 65535 of them */
		return 0;
	b->first = malloc((b->count + 1) * sizeof(*b->first));
	if (!b->first)
		return VTB_E_NOMEM;
	for (size_t k = 0; k < b->count; k++) {
		uint64_t edge = b->t0_ns + (uint64_t)((unsigned __int128)b->span_ns * k / b->count);

		while (i < row->count && tui_slice_end(&row->slices[i]) <= edge)
			i++;
		b->first[k] = i;
	}
	b->first[b->count] = row->count;
	return 0;
}

static int build_buckets(tui_model *m)
{
	size_t rows = 0;

	m->row_base = calloc(m->thread_count + 1, sizeof(*m->row_base));
	if (!m->row_base)
		return VTB_E_NOMEM;
	for (size_t t = 0; t < m->thread_count; t++) {
		m->row_base[t] = rows;
		rows += vtb_trace_thread(m->trace, t)->depth_count;
	}
	m->bucket_rows = rows;
	m->buckets = calloc(rows + 1, sizeof(*m->buckets));
	if (!m->buckets)
		return VTB_E_NOMEM;
	for (size_t t = 0; t < m->thread_count; t++) {
		const vtb_thread *th = vtb_trace_thread(m->trace, t);

		for (uint32_t d = 0; d < th->depth_count; d++)
			if (bucket_row(&m->buckets[m->row_base[t] + d], &th->rows[d]) < 0)
				return VTB_E_NOMEM;
	}
	return 0;
}

static uint8_t name_hue(const char *name)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 16777619u;
	return (uint8_t)(h ^ h >> 8 ^ h >> 16 ^ h >> 24);
}

static void count_calls(tui_model *m)
{
	for (size_t t = 0; t < m->thread_count; t++) {
		const vtb_thread *th = vtb_trace_thread(m->trace, t);

		for (uint32_t d = 0; d < th->depth_count; d++) {
			const vtb_slice *sl = th->rows[d].slices;

			for (size_t i = 0, n = th->rows[d].count; i < n; i++)
				if (sl[i].name_id < m->string_count)
					m->fn_calls[sl[i].name_id]++;
		}
	}
}

uint64_t tui_model_group(const tui_model *m, size_t thread)
{
	const an_sources *src = m->sources;
	uint64_t dump = src && thread < src->thread_count ? src->of_thread[thread] : 0;

	return dump << 32 | vtb_trace_thread(m->trace, thread)->pid;
}

void tui_model_order(tui_model *m)
{
	for (size_t i = 0; i < m->thread_count; i++) {
		uint32_t cur = (uint32_t)i;
		uint64_t key = tui_model_group(m, i);
		size_t j = i;

		while (j > 0 && tui_model_group(m, m->order[j - 1]) > key) {
			m->order[j] = m->order[j - 1];
			j--;
		}
		m->order[j] = cur;
	}
	m->process_groups = 0;
	for (size_t i = 0; i < m->thread_count; i++)
		if (i == 0 || tui_model_group(m, m->order[i]) != tui_model_group(m, m->order[i - 1]))
			m->process_groups++;
}

int tui_model_init(tui_model *m, vtb_trace *t, char **cause)
{
	memset(m, 0, sizeof(*m));
	m->trace = t;
	m->hdr = vtb_trace_header(t);
	vtb_trace_span(t, &m->first_ns, &m->last_ns);
	if (m->last_ns < m->first_ns)
		m->last_ns = m->first_ns;
	m->thread_count = vtb_trace_thread_count(t);
	m->string_count = vtb_trace_string_count(t);
	m->order = calloc(m->thread_count + 1, sizeof(*m->order));
	m->fn_calls = calloc(m->string_count + 1, sizeof(*m->fn_calls));
	m->hue = calloc(m->string_count + 1, 1);
	if (!m->order || !m->fn_calls || !m->hue) {
		*cause = strdup("out of memory indexing the trace");
		return VTB_E_NOMEM;
	}
	for (size_t i = 0; i < m->string_count; i++)
		m->hue[i] = name_hue(tui_model_name(m, (uint32_t)i));
	count_calls(m);
	tui_model_order(m);
	if (build_buckets(m) < 0) {
		*cause = strdup("out of memory indexing the trace");
		return VTB_E_NOMEM;
	}
	return 0;
}

void tui_model_fini(tui_model *m)
{
	for (size_t i = 0; m->buckets && i < m->bucket_rows; i++)
		free(m->buckets[i].first);
	free(m->buckets);
	free(m->row_base);
	free(m->order);
	free(m->fn_calls);
	free(m->hue);
	an_sources_free(m->sources);
	vtb_trace_free(m->trace);
	memset(m, 0, sizeof(*m));
}
