/* SPDX-License-Identifier: MIT */
/* vtb_craft.h: raw VTB sections with sound checksums around whatever content a test wants,
 * for files the writer refuses to make (lying counts, times past the format's range).
 * Included by test suites after common/vtb_internal.h (static functions). */
#ifndef VTUI_TESTS_VTB_CRAFT_H
#define VTUI_TESTS_VTB_CRAFT_H

#include "common/vtb_internal.h"

/* Append one section: tag, u32 length, payload, CRC32C over tag, length and payload. */
static void craft_section(struct vtb_buf *b, uint32_t tag, const void *payload, size_t len)
{
	uint8_t h[8], c[4];
	size_t start = b->len;

	vtb_put_u32(h, tag);
	vtb_put_u32(h + 4, (uint32_t)len);
	vtb_buf_put(b, h, 8);
	vtb_buf_put(b, payload, len);
	vtb_put_u32(c, vtb_crc32c(0, b->data + start, 8 + len));
	vtb_buf_put(b, c, 4);
}

#endif
