/* SPDX-License-Identifier: MIT */
/* map_pool.c: the mappings a live ring's big rows live in (ring_model.c), kept for reuse
 * when the traces holding them are freed (model.c): a decode then writes pages already
 * faulted in, not new ones the kernel must clear. Refcounted by the ring and its traces. */
#define _GNU_SOURCE /* mremap */
#include "common/trace_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define POOL_MAPS 32

struct vtb_map_pool {
	size_t refs;
	int open;                /* its ring still decodes (else nothing is kept) */
	size_t n;
	struct pool_map { void *addr; size_t len_bytes; } m[POOL_MAPS];
};

/* When full, the pool keeps the biggest mappings. */
void vtb_map_pool_put(struct vtb_map_pool *p, void *addr, size_t len_bytes)
{
	if (p && p->open && p->n < POOL_MAPS) {
		p->m[p->n++] = (struct pool_map){ addr, len_bytes };
		return;
	}
	size_t small = 0;
	for (size_t i = 1; p && p->open && i < p->n; i++)
		if (p->m[i].len_bytes < p->m[small].len_bytes)
			small = i;
	if (p && p->open && p->m[small].len_bytes < len_bytes) {
		struct pool_map m = p->m[small];
		p->m[small] = (struct pool_map){ addr, len_bytes };
		addr = m.addr;
		len_bytes = m.len_bytes;
	}
	munmap(addr, len_bytes);
}

void vtb_map_pool_unref(struct vtb_map_pool *p)
{
	if (!p || --p->refs)
		return;
	for (size_t i = 0; i < p->n; i++)
		munmap(p->m[i].addr, p->m[i].len_bytes);
	free(p);
}

/* Faults a new mapping in whole, once: which row reuses it next, and how much of it that
 * row fills, is not known, and a page faulted in later costs as much. */
static void populate(void *addr, size_t len_bytes)
{
#ifdef MADV_POPULATE_WRITE
	madvise(addr, len_bytes, MADV_POPULATE_WRITE); /* a kernel without it faults them later */
#else
	(void)addr;
	(void)len_bytes;
#endif
}

/* A mapping of the pool for len_bytes, taken out of it: the smallest as big, else the
 * biggest grown (its pages are kept); NULL when the pool has none. */
static void *take(struct vtb_map_pool *p, size_t len_bytes, size_t *got)
{
	size_t pick = SIZE_MAX, big = 0;
	for (size_t i = 0; p && i < p->n; i++) {
		if (p->m[i].len_bytes >= len_bytes && (pick == SIZE_MAX || p->m[i].len_bytes < p->m[pick].len_bytes))
			pick = i;
		if (p->m[i].len_bytes > p->m[big].len_bytes)
			big = i;
	}
	if (!p || !p->n)
		return NULL;
	struct pool_map m = p->m[pick != SIZE_MAX ? pick : big];
	p->m[pick != SIZE_MAX ? pick : big] = p->m[--p->n];
	*got = m.len_bytes > len_bytes ? m.len_bytes : len_bytes;
	if (m.len_bytes >= len_bytes)
		return m.addr;
	void *q = mremap(m.addr, m.len_bytes, len_bytes, MREMAP_MAYMOVE);
	if (q != MAP_FAILED) {
		populate((char *)q + m.len_bytes, len_bytes - m.len_bytes);
		return q;
	}
	munmap(m.addr, m.len_bytes);
	return NULL;
}

struct vtb_map_pool *vtb_map_pool_new(void)
{
	struct vtb_map_pool *p = calloc(1, sizeof *p);
	if (p)
		*p = (struct vtb_map_pool){ .refs = 1, .open = 1 };
	return p;
}

struct vtb_map_pool *vtb_map_pool_ref(struct vtb_map_pool *p)
{
	if (p)
		p->refs++;
	return p;
}

void vtb_map_pool_close(struct vtb_map_pool *p)
{
	if (p)
		p->open = 0;
	vtb_map_pool_unref(p);
}

int vtb_map_pool_empty(const struct vtb_map_pool *p)
{
	return !p || !p->n;
}

void *vtb_map_pool_map(struct vtb_map_pool *pool, size_t len_bytes, size_t *got)
{
	void *p = take(pool, len_bytes, got);
	if (p)
		return p;
	if ((p = mmap(NULL, len_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED)
		return NULL;
	madvise(p, len_bytes, MADV_HUGEPAGE); /* a hint: without it, small pages */
	populate(p, len_bytes);
	*got = len_bytes;
	return p;
}
