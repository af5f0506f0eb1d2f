/* SPDX-License-Identifier: MIT */
/* flame.c: the aggregated flame graph's tree: calls merged by stack (the same names from
 * the root down make one node), children widest first, for the whole trace, a time range
 * (times clipped to it) or one call's subtree. Built in one pass per thread with a hash
 * from (parent node, name) to node. The viewer draws it (tui/flamegraph.c). */
#define _GNU_SOURCE /* qsort_r */
#include "analysis/analysis.h"
#include "analysis/private.h"

#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

struct builder {
	struct an_flame_node *nodes;
	size_t count, cap;
	uint32_t *hash;   /* node index or NONE; size hash_cap (a power of two) */
	size_t hash_cap;
};

static size_t slot_of(const struct builder *b, uint32_t parent, uint32_t name)
{
	uint64_t h = ((uint64_t)parent * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)name * 0xc2b2ae3d27d4eb4full);

	return (size_t)(h ^ (h >> 29)) & (b->hash_cap - 1);
}

static int rehash(struct builder *b)
{
	size_t cap = b->hash_cap ? b->hash_cap * 2 : 1024;
	uint32_t *h = malloc(cap * sizeof(*h));

	if (!h)
		return -1;
	memset(h, 0xff, cap * sizeof(*h));
	free(b->hash);
	b->hash = h;
	b->hash_cap = cap;
	for (size_t i = 1; i < b->count; i++) {
		size_t s = slot_of(b, b->nodes[i].parent, b->nodes[i].name_id);

		while (h[s] != NONE)
			s = (s + 1) & (cap - 1);
		h[s] = (uint32_t)i;
	}
	return 0;
}

/* The child of `parent` named `name`, made when new; NONE when out of memory. */
static uint32_t child_node(struct builder *b, uint32_t parent, uint32_t name)
{
	size_t s;

	if ((b->count + 1) * 2 > b->hash_cap && rehash(b) < 0)
		return NONE;
	for (s = slot_of(b, parent, name); b->hash[s] != NONE; s = (s + 1) & (b->hash_cap - 1)) {
		const struct an_flame_node *n = &b->nodes[b->hash[s]];

		if (n->parent == parent && n->name_id == name)
			return b->hash[s];
	}
	if (b->count == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		struct an_flame_node *nn = realloc(b->nodes, cap * sizeof(*nn));

		if (!nn)
			return NONE;
		b->nodes = nn;
		b->cap = cap;
	}
	b->nodes[b->count] = (struct an_flame_node){ name, parent, NONE, NONE, b->nodes[parent].depth + 1, 0, 0 };
	b->hash[s] = (uint32_t)b->count;
	return (uint32_t)b->count++;
}

/* Index of the last slice of `row` starting at or before t, or NONE. */
static size_t last_at_or_before(const vtb_row *row, uint64_t t)
{
	size_t n = t == UINT64_MAX ? row->count : an_row_first_from(row, t + 1);

	return n ? n - 1 : (size_t)NONE;
}

/* The part of a slice that counts: clipped to [t0, t1) when the scope has a range. */
static uint64_t clipped(const vtb_slice *sl, const an_stats_scope *sc)
{
	uint64_t a = sl->start_ns, e = an_slice_end(sl);

	if (!sc || !sc->t1_ns)
		return sl->dur_ns;
	a = a > sc->t0_ns ? a : sc->t0_ns;
	e = e < sc->t1_ns ? e : sc->t1_ns;
	return e > a ? e - a : 0;
}

/* The slices of `row` the scope can hold: [*lo, *hi), found by binary search. */
static void row_range(const vtb_row *row, const an_stats_scope *sc, uint64_t t0, uint64_t t1, size_t *lo,
		      size_t *hi)
{
	*lo = 0;
	*hi = row->count;
	if (!sc || (!sc->t1_ns && !sc->subtree))
		return;
	*lo = vtb_row_find(row, t0);
	*hi = *lo;
	while (*hi < row->count && row->slices[*hi].start_ns < t1)
		(*hi)++;
}

/* One thread: per depth, each slice's node from its parent's (one row back). Only the
 * slices in the scope's time range are visited: a zoomed-in scope costs what it holds. */
static int add_thread(struct builder *b, const vtb_thread *th, size_t t, const an_stats_scope *sc)
{
	uint32_t *prev = NULL, *cur = NULL;
	uint64_t t0 = sc ? sc->t0_ns : 0, t1 = sc ? sc->t1_ns : 0;
	size_t plo = 0, phi = 0, lo, hi;
	int rc = -1;

	if (sc && sc->subtree) { /* the selected call's span */
		const vtb_slice *top;

		if (t != sc->thread || sc->depth >= th->depth_count || sc->index >= th->rows[sc->depth].count)
			return 0;
		top = &th->rows[sc->depth].slices[sc->index];
		t0 = top->start_ns;
		t1 = an_slice_end(top) + 1;
	}
	for (uint32_t d = 0; d < th->depth_count; d++, free(prev), prev = cur, cur = NULL, plo = lo, phi = hi) {
		const vtb_row *row = &th->rows[d];

		row_range(row, sc, t0, t1, &lo, &hi);
		if (!(cur = malloc((hi - lo + 1) * sizeof(*cur))))
			goto out;
		for (size_t i = lo; i < hi; i++) {
			const vtb_slice *sl = &row->slices[i];
			uint32_t parent = 0;
			size_t p;

			cur[i - lo] = NONE;
			if (sc && sc->subtree && (t != sc->thread || d < sc->depth || (d == sc->depth && i != sc->index)))
				continue;
			if (d > 0 && !(sc && sc->subtree && d == sc->depth)) {
				p = last_at_or_before(&th->rows[d - 1], sl->start_ns);
				if (p == NONE || an_slice_end(&th->rows[d - 1].slices[p]) < sl->start_ns)
					parent = sc && sc->subtree ? NONE : 0; /* an orphan: under the root */
				else if (p < plo || p >= phi) /* its parent is outside the range */
					parent = sc && sc->subtree ? NONE : 0;
				else
					parent = prev[p - plo];
			}
			if (parent == NONE || !clipped(sl, sc))
				continue;
			if ((cur[i - lo] = child_node(b, parent, sl->name_id)) == NONE)
				goto out;
			b->nodes[cur[i - lo]].total_ns = vtb_add_sat(b->nodes[cur[i - lo]].total_ns, clipped(sl, sc));
			b->nodes[cur[i - lo]].calls++;
		}
	}
	rc = 0;
out:
	free(prev);
	free(cur);
	return rc;
}

static int cmp_children(const void *a, const void *b, void *arg)
{
	const struct an_flame_node *n = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (n[x].parent != n[y].parent)
		return n[x].parent < n[y].parent ? -1 : 1;
	if (n[x].total_ns != n[y].total_ns)
		return n[x].total_ns > n[y].total_ns ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Children lists, widest first; the root's total is its children's. */
static int link_children(struct an_flame_node *n, size_t count)
{
	uint32_t *order = malloc((count + 1) * sizeof(*order));

	if (!order)
		return -1;
	for (size_t i = 1; i < count; i++)
		order[i - 1] = (uint32_t)i;
	qsort_r(order, count - 1, sizeof(*order), cmp_children, n);
	for (size_t k = count - 1; k-- > 0;) {
		struct an_flame_node *c = &n[order[k]];

		c->next = n[c->parent].first_child;
		n[c->parent].first_child = order[k];
	}
	n[0].total_ns = 0;
	for (uint32_t c = n[0].first_child; c != NONE; c = n[c].next)
		n[0].total_ns = vtb_add_sat(n[0].total_ns, n[c].total_ns);
	free(order);
	return 0;
}

int an_flame_build(const vtb_trace *t, const an_stats_scope *sc, struct an_flame_node **out, size_t *count)
{
	struct builder b = { 0 };
	int rc = VTB_E_NOMEM;

	if (!(b.nodes = malloc(256 * sizeof(*b.nodes))))
		goto out;
	b.cap = 256;
	b.nodes[0] = (struct an_flame_node){ NONE, NONE, NONE, NONE, 0, 0, 0 };
	b.count = 1;
	for (size_t i = 0; i < vtb_trace_thread_count(t); i++)
		if (add_thread(&b, vtb_trace_thread(t, i), i, sc) < 0)
			goto out;
	if (link_children(b.nodes, b.count) < 0)
		goto out;
	*out = b.nodes;
	*count = b.count;
	b.nodes = NULL;
	rc = 0;
out:
	free(b.nodes);
	free(b.hash);
	return rc;
}
