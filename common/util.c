/* SPDX-License-Identifier: MIT */
/* util.c: byte buffers, arrays, the string arena and messages shared by common/. */
#include "common/vtb_internal.h"

#include <stdio.h>
#include <stdlib.h>

const uint8_t vtb_magic[4] = { 'V', 'T', 'B', 0 };
const uint8_t vtb_trailer_magic[8] = { 'V', 'T', 'B', 'T', 'R', 'A', 'I', 'L' };

/* The general case of vtb_varint_get (vtb_internal.h), same contract. */
int vtb_varint_get_slow(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	const uint8_t *q = *p;
	uint64_t r = 0;

	for (unsigned shift = 0; shift < 70; shift += 7) {
		if (q >= end)
			return -1;
		uint8_t b = *q++;
		if (shift == 63 && b > 1)
			return -2;
		r |= (uint64_t)(b & 0x7f) << shift;
		if (b < 0x80) {
			*v = r;
			*p = q;
			return 0;
		}
	}
	return -2;
}

/* On failure the array is untouched and still owned by the caller. */
int vtb_slots_grow(uint32_t **slots, size_t *cap, size_t first_cap, size_t n,
		   uint64_t (*hash)(const void *ctx, size_t i), const void *ctx)
{
	size_t c = *cap ? *cap * 2 : first_cap;
	uint32_t *t = calloc(c, sizeof(*t));

	if (!t)
		return VTB_E_NOMEM;
	for (size_t i = 0; i < n; i++) {
		size_t j = hash(ctx, i) & (c - 1);
		while (t[j])
			j = (j + 1) & (c - 1);
		t[j] = (uint32_t)i + 1;
	}
	free(*slots);
	*slots = t;
	*cap = c;
	return 0;
}

/* FNV-1a over the name, a separator and the file, seeded with the line. */
uint64_t vtb_str_hash(const char *name, const char *file, uint32_t line)
{
	uint64_t h = 1469598103934665603ull ^ line;

	for (const char *s = name; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	h = (h ^ 0xff) * 1099511628211ull;
	for (const char *s = file; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return h ^ (h >> 29);
}

int vtb_grow(void **arr, size_t *cap, size_t need, size_t size)
{
	return vtb_grow_min(arr, cap, need, size, 16);
}

int vtb_grow_min(void **arr, size_t *cap, size_t need, size_t size, size_t min)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap < min ? min : *cap + *cap / 2 + 1;
	if (n < need)
		n = need;
	if (n > SIZE_MAX / size)
		return VTB_E_NOMEM;
	void *p = realloc(*arr, n * size);
	if (!p)
		return VTB_E_NOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

/* Buffers own their bytes until vtb_buf_free. */
int vtb_buf_reserve(struct vtb_buf *b, size_t more)
{
	if (more > SIZE_MAX - b->len)
		return VTB_E_NOMEM;
	if (b->len + more <= b->cap)
		return 0;
	size_t n = b->cap < 256 ? 256 : b->cap * 2;
	while (n < b->len + more)
		n *= 2;
	uint8_t *d = realloc(b->data, n);
	if (!d)
		return VTB_E_NOMEM;
	b->data = d;
	b->cap = n;
	return 0;
}

int vtb_buf_put(struct vtb_buf *b, const void *src, size_t len_bytes)
{
	if (vtb_buf_reserve(b, len_bytes))
		return VTB_E_NOMEM;
	if (len_bytes)
		memcpy(b->data + b->len, src, len_bytes);
	b->len += len_bytes;
	return 0;
}

int vtb_buf_varint(struct vtb_buf *b, uint64_t v)
{
	if (vtb_buf_reserve(b, 10))
		return VTB_E_NOMEM;
	b->len += vtb_varint_put(b->data + b->len, v);
	return 0;
}

int vtb_buf_str(struct vtb_buf *b, const char *s, size_t len_bytes)
{
	if (vtb_buf_varint(b, len_bytes))
		return VTB_E_NOMEM;
	return vtb_buf_put(b, s, len_bytes);
}

void vtb_buf_free(struct vtb_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* The caller frees the result. */
char *vtb_vfmt(const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return NULL;
	char *s = malloc((size_t)n + 1);
	if (s)
		vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

char *vtb_fmt(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = vtb_vfmt(fmt, ap);
	va_end(ap);
	return s;
}

/* Blocks of 64 KB hold the small strings; a long one gets a block of its own, linked
 * behind the head so the head keeps filling. */
struct vtb_arena_block {
	struct vtb_arena_block *next;
	char data[];
};

#define ARENA_BLOCK (64u << 10)

/* The copy belongs to the arena and lives until vtb_arena_free. */
const char *vtb_arena_str(struct vtb_arena *a, const char *s, size_t len_bytes)
{
	size_t need = len_bytes + 1;
	char *dst;

	if (need > ARENA_BLOCK / 4) {
		struct vtb_arena_block *b = malloc(sizeof(*b) + need);
		if (!b)
			return NULL;
		if (a->head) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = NULL;
			a->head = b;
			a->used = a->cap = 0;
		}
		dst = b->data;
	} else {
		if (!a->head || a->cap - a->used < need) {
			struct vtb_arena_block *b = malloc(sizeof(*b) + ARENA_BLOCK);
			if (!b)
				return NULL;
			b->next = a->head;
			a->head = b;
			a->used = 0;
			a->cap = ARENA_BLOCK;
		}
		dst = a->head->data + a->used;
		a->used += need;
	}
	if (len_bytes)
		memcpy(dst, s, len_bytes);
	dst[len_bytes] = 0;
	return dst;
}

void vtb_arena_free(struct vtb_arena *a)
{
	struct vtb_arena_block *b = a->head;

	while (b) {
		struct vtb_arena_block *n = b->next;
		free(b);
		b = n;
	}
	a->head = NULL;
	a->used = a->cap = 0;
}

/* Static strings: nothing to free. */
const char *vtb_reason_name(uint32_t reason)
{
	static const char *const names[VTB_REASON_COUNT] = {
		"api", "exit", "exception", "signal", "log", "import", "ring",
	};
	return reason < VTB_REASON_COUNT ? names[reason] : "unknown";
}

const char *vtb_strerror(int err)
{
	switch (err) {
	case VTB_OK: return "success";
	case VTB_E_IO: return "input/output error";
	case VTB_E_NOMEM: return "out of memory";
	case VTB_E_FORMAT: return "malformed VTB data";
	case VTB_E_CRC: return "checksum mismatch";
	case VTB_E_TRUNCATED: return "truncated file";
	case VTB_E_VERSION: return "unsupported VTB version";
	case VTB_E_ARG: return "invalid argument";
	case VTB_E_LIMIT: return "over a limit";
	default: return "unknown error";
	}
}
