/* SPDX-License-Identifier: MIT */
/* vtb_internal.h: declarations shared by the files of common/ (not a public header).
 *
 * The byte layout these constants describe is specified in man/vtb.5; change both together.
 */
#ifndef VTUI_VTB_INTERNAL_H
#define VTUI_VTB_INTERNAL_H

#include "common/vtb.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define VTB_MINOR 1 /* 1: the TASK escape kind */
#define VTB_PREAMBLE_BYTES 8   /* "VTB\0", u16 major, u16 minor */
#define VTB_TRAILER_BYTES 16   /* u64 offset of INDX, "VTBTRAIL" */
#define VTB_SECTION_OVERHEAD 12 /* tag, u32 length, u32 CRC32C */
#define VTB_MAX_DEPTH VTB_DEPTH_LIMIT /* vtb_slice.depth is a u16 */
#define VTB_MAX_TEXT (64u << 20) /* longest string or text the writer accepts */
#define VTB_MTF_SLOTS 4

extern const uint8_t vtb_magic[4];
extern const uint8_t vtb_trailer_magic[8];

/* Section tags as little-endian u32 of their four ASCII bytes. */
#define VTB_TAG(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define VTB_TAG_HEAD VTB_TAG('H', 'E', 'A', 'D')
#define VTB_TAG_STRS VTB_TAG('S', 'T', 'R', 'S')
#define VTB_TAG_PROC VTB_TAG('P', 'R', 'O', 'C')
#define VTB_TAG_THRD VTB_TAG('T', 'H', 'R', 'D')
#define VTB_TAG_EVTS VTB_TAG('E', 'V', 'T', 'S')
#define VTB_TAG_INDX VTB_TAG('I', 'N', 'D', 'X')

/* Record head (a varint): low bit 0 is an END (delta = head >> 1); low bits 01 a BEGIN whose
 * name id follows (delta = head >> 2); low bits 11 carry an op in bits 2..4 and
 * delta = head >> 5. The commonest records get the most bits of delta. */
enum vtb_op {
	VTB_OP_MTF0 = 0,        /* BEGIN, name in cache slot 0..3 */
	VTB_OP_BEGIN_FLAGS = 4, /* BEGIN, name id and flags follow */
	VTB_OP_END_FLAGS = 5,   /* END, flags follow */
	VTB_OP_ESCAPE = 6,      /* kind byte, payload length, payload */
	VTB_OP_RESERVED = 7,    /* invalid in version 1 */
};

static inline uint64_t vtb_head_end(uint64_t delta) { return delta << 1; }
static inline uint64_t vtb_head_begin(uint64_t delta) { return 1 | delta << 2; }
static inline uint64_t vtb_head_op(unsigned op, uint64_t delta) { return 3 | (uint64_t)op << 2 | delta << 5; }

enum vtb_kind {
	VTB_KIND_INSTANT = 1, /* name, text */
	VTB_KIND_COUNTER = 2, /* name, series, f64 */
	VTB_KIND_LOG = 3,     /* level, logger, text */
	VTB_KIND_OBJECT = 4,  /* name, text */
	VTB_KIND_ARGS = 5,    /* text: innermost open call */
	VTB_KIND_RETVAL = 6,  /* text: the call the previous END closed */
	VTB_KIND_SKIP = 7,    /* varint: a time step too large for a record head */
	VTB_KIND_TASK = 8,    /* varint task, text name: innermost open call is a task's step */
};

/* ---- little-endian fixed-width ---- */
static inline uint32_t vtb_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t vtb_get_u64(const uint8_t *p)
{
	return (uint64_t)vtb_get_u32(p) | (uint64_t)vtb_get_u32(p + 4) << 32;
}

static inline void vtb_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void vtb_put_u64(uint8_t *p, uint64_t v)
{
	vtb_put_u32(p, (uint32_t)v);
	vtb_put_u32(p + 4, (uint32_t)(v >> 32));
}

/* ---- varints: LEB128, 7 bits a byte, low group first, at most 10 bytes ---- */

/* Encode `v` at `p` (room for 10 bytes); returns the bytes written. */
static inline size_t vtb_varint_put(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

static inline size_t vtb_varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* Decode a varint in [*p, end). Returns 0 and advances *p; -1 when it runs past `end`;
 * -2 when it is longer than 10 bytes or overflows 64 bits. */
int vtb_varint_get_slow(const uint8_t **p, const uint8_t *end, uint64_t *v);

static inline int vtb_varint_get(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	const uint8_t *q = *p;

	if (q < end && q[0] < 0x80) {
		*v = q[0];
		*p = q + 1;
		return 0;
	}
	if (end - q >= 2 && q[1] < 0x80) {
		if (q[0] < 0x80)
			return vtb_varint_get_slow(p, end, v);
		*v = (uint64_t)(q[0] & 0x7f) | (uint64_t)q[1] << 7;
		*p = q + 2;
		return 0;
	}
	return vtb_varint_get_slow(p, end, v);
}

/* ---- growable byte buffer ---- */
struct vtb_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
};

/* Make room for `more` bytes; 0 or VTB_E_NOMEM. */
int vtb_buf_reserve(struct vtb_buf *b, size_t more);
int vtb_buf_put(struct vtb_buf *b, const void *src, size_t len_bytes);
int vtb_buf_varint(struct vtb_buf *b, uint64_t v);
/* A string: varint length, then the bytes (no NUL). */
int vtb_buf_str(struct vtb_buf *b, const char *s, size_t len_bytes);
void vtb_buf_free(struct vtb_buf *b);

/* The hash of a string entry (name, file, line): the writer's and the ring reader's interning. */
uint64_t vtb_str_hash(const char *name, const char *file, uint32_t line);
/* Grow an array to hold `need` items of `size` bytes (x1.5, at least 16). 0 or VTB_E_NOMEM. */
int vtb_grow(void **arr, size_t *cap, size_t need, size_t size);
/* The same from a first capacity of `min`: arrays of which there are very many, mostly
 * short (one per depth of a deep stack), start small. */
int vtb_grow_min(void **arr, size_t *cap, size_t need, size_t size, size_t min);

/* Rebuild an open-addressing index over entries 0..n-1 with twice its slots (first_cap,
 * a power of two, when it has none): a slot holds an entry's index + 1 (0: empty), at
 * hash(ctx, i) & (slots - 1) or the next free slot after it. Frees the old *slots.
 * 0, or VTB_E_NOMEM with the old index kept. */
int vtb_slots_grow(uint32_t **slots, size_t *cap, size_t first_cap, size_t n,
		   uint64_t (*hash)(const void *ctx, size_t i), const void *ctx);

/* printf into a new malloc'd string (NULL when out of memory). */
char *vtb_vfmt(const char *fmt, va_list ap);
char *vtb_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- string arena of the trace model ---- */
struct vtb_arena_block;
struct vtb_arena {
	struct vtb_arena_block *head;
	size_t used, cap;
};

/* Copy `len` bytes and a NUL into the arena; NULL when out of memory. */
const char *vtb_arena_str(struct vtb_arena *a, const char *s, size_t len_bytes);
void vtb_arena_free(struct vtb_arena *a);

/* CRC32C by the portable table code only (tests compare it with the fast path). */
uint32_t vtb_crc32c_sw(uint32_t crc, const void *buf, size_t len_bytes);

/* ---- writer extras used by the reader's save path and tests ---- */

/* Flush the current chunk of every thread (sections stay valid on their own). */
int vtb_writer_flush(vtb_writer *w);

#endif
