/* SPDX-License-Identifier: MIT */
/* filter_text.c: `filter` and `hide` on a call's own text (arg:, ret:, log:, exc:, mark:). A name
 * filter runs once per name; these select calls one by one, so they go through the
 * search's matcher (search_text.c: the calls whose arguments or return value match, or
 * that a matching exception began in) once per pattern, and the calls found become bits
 * in the marking's row layout, which filter_view.c merges with the name bitmaps. */
#include "tui/filter_view.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const struct text_list {
	enum flt_list list;
	enum flt_field field;
	int keep;                  /* filter (keep) or hide */
} text_lists[] = {
	{ FLT_INCLUDE_ARG, FLT_FIELD_ARG, 1 }, { FLT_EXCLUDE_ARG, FLT_FIELD_ARG, 0 },
	{ FLT_INCLUDE_RET, FLT_FIELD_RET, 1 }, { FLT_EXCLUDE_RET, FLT_FIELD_RET, 0 },
	{ FLT_INCLUDE_EXC, FLT_FIELD_EXC, 1 }, { FLT_EXCLUDE_EXC, FLT_FIELD_EXC, 0 },
	{ FLT_INCLUDE_LOG, FLT_FIELD_LOG, 1 }, { FLT_EXCLUDE_LOG, FLT_FIELD_LOG, 0 },
	{ FLT_INCLUDE_MARK, FLT_FIELD_MARK, 1 }, { FLT_EXCLUDE_MARK, FLT_FIELD_MARK, 0 },
};

/* *all gets the calls of `add` too: both sorted by address, the result without repeats.
 * 0, or -1 when out of memory (*all unchanged). */
static int merge(struct tui_search_hits *all, const struct tui_search_hits *add)
{
	const vtb_slice **out = malloc((all->count + add->count + 1) * sizeof(*out));
	size_t i = 0, j = 0, n = 0;

	if (!out)
		return -1;
	while (i < all->count || j < add->count) {
		const vtb_slice *next = j == add->count || (i < all->count &&
							    (uintptr_t)all->calls[i] <= (uintptr_t)add->calls[j])
					? all->calls[i++] : add->calls[j++];

		if (n == 0 || out[n - 1] != next)
			out[n++] = next;
	}
	free(all->calls);
	all->calls = out;
	all->count = n;
	return 0;
}

/* Bits (row layout `row_off`) of the calls of `h`, into `bits`. The hits are sorted by
 * address and each row's calls are one array: a binary search per row finds its hits. */
static void set_bits(const tui_model *m, const size_t *row_off, const struct tui_search_hits *h, uint64_t *bits)
{
	for (size_t t = 0; t < m->thread_count && h->count; t++) {
		const vtb_thread *th = vtb_trace_thread(m->trace, t);

		for (uint32_t d = 0; d < th->depth_count; d++) {
			const vtb_row *r = &th->rows[d];
			size_t base = row_off[m->row_base[t] + d];

			if (!r->count)
				continue;
			for (size_t i = tui_search_hits_from(h, r->slices);
			     i < h->count && (uintptr_t)h->calls[i] < (uintptr_t)(r->slices + r->count); i++)
				flt_bitmap_set(bits, base + (size_t)(h->calls[i] - r->slices));
		}
	}
}

/* The calls every pattern of the text lists that keep (or hide) selects, merged. */
static int collect(const tui_model *m, flt_set *s, int keep, struct tui_search_hits *all, char **cause)
{
	for (size_t k = 0; k < sizeof(text_lists) / sizeof(text_lists[0]); k++) {
		const struct text_list *tl = &text_lists[k];

		if (tl->keep != keep)
			continue;
		for (size_t i = 0; i < flt_set_list_count(s, tl->list); i++) {
			struct tui_search_hits h;
			int rc = tui_search_text(m, flt_set_list_compiled(s, tl->list, i), tl->field, &h, cause);

			if (rc < 0)
				return rc;
			rc = merge(all, &h);
			tui_search_hits_free(&h);
			if (rc < 0)
				return -1;
		}
	}
	return 0;
}

int tui_filter_text(const tui_model *m, flt_set *s, const size_t *row_off, struct tui_text_marks *out,
		    char **cause)
{
	size_t words = row_off[m->bucket_rows] / 64 + 1;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!flt_set_has_text(s))
		return 0;
	for (int keep = 0; keep <= 1; keep++) {
		struct tui_search_hits *h = keep ? &out->kept : &out->dropped;
		uint64_t **bits = keep ? &out->keep : &out->drop;

		if ((rc = collect(m, s, keep, h, cause)) < 0)
			goto fail;
		if (!h->count)
			continue;
		rc = -1;
		if (!(*bits = calloc(words, sizeof(uint64_t))))
			goto fail;
		set_bits(m, row_off, h, *bits);
	}
	tui_search_hits_free(&out->dropped); /* the bits say it all; paint reads the kept */
	return 0;
fail:
	tui_text_marks_free(out);
	return rc;
}

void tui_text_marks_free(struct tui_text_marks *tm)
{
	free(tm->keep);
	free(tm->drop);
	tui_search_hits_free(&tm->kept);
	tui_search_hits_free(&tm->dropped);
	memset(tm, 0, sizeof(*tm));
}
