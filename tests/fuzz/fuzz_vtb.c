/* SPDX-License-Identifier: MIT */
/* fuzz_vtb.c: libFuzzer target for the VTB reader (strict and salvage) and the save path.
 *
 * Input: one mode byte, then the file.
 *   bit 0: recompute every section's CRC32C before loading, so that mutations reach the
 *          section decoders instead of stopping at the checksum;
 *   bit 1: save what salvage loaded and load the saved file strictly.
 * Both loads run on every input. Oracles besides crashes and sanitizers: a failed load
 * says why; every model keeps the contract of vtb.h (fuzz_check.h); a file the strict
 * reader accepts, salvage accepts with no damage and the same counts; a saved model loads
 * strictly with the same calls.
 */
#include "tests/fuzz/fuzz_file.h"
#include "tests/fuzz/fuzz_check.h"

#include "common/vtb.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SEC_OVERHEAD 12 /* tag, u32 length, u32 CRC32C (man/vtb.5) */
#define TRAILER_BYTES 16

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Walk the sections by their lengths and make each checksum right. */
static void fix_crcs(uint8_t *b, size_t len)
{
	size_t off = 8;

	while (len - off >= SEC_OVERHEAD && len >= off) {
		if (len - off == TRAILER_BYTES && !memcmp(b + off + 8, "VTBTRAIL", 8))
			return;
		uint32_t plen = get_u32(b + off + 4);
		if (plen > len - off - SEC_OVERHEAD)
			return;
		uint32_t crc = vtb_crc32c(0, b + off, 8 + (size_t)plen);
		for (int i = 0; i < 4; i++)
			b[off + 8 + plen + i] = (uint8_t)(crc >> (8 * i));
		off += SEC_OVERHEAD + plen;
	}
}

static vtb_trace *load(const uint8_t *b, size_t len, unsigned flags)
{
	char *cause = NULL;
	vtb_trace *t = vtb_trace_load_mem(b, len, flags, &cause);

	if (!t) {
		FZ_REQUIRE(cause != NULL && *cause != '\0');
	} else {
		FZ_REQUIRE(cause == NULL);
		fz_check_trace(t);
	}
	free(cause);
	return t;
}

/* What salvage kept, written out, is a sound file holding the same calls. */
static void save_and_reload(const vtb_trace *t)
{
	char path[32], *cause = NULL;

	fz_file_open(0, path);
	int rc = vtb_trace_save(t, path, &cause);
	if (rc) {
		fprintf(stderr, "save failed: %s\n", cause ? cause : "?");
		FZ_REQUIRE(rc == 0);
	}
	vtb_trace *u = vtb_trace_load(path, 0, NULL, NULL, &cause);
	if (!u)
		fprintf(stderr, "reload failed: %s\n", cause ? cause : "?");
	FZ_REQUIRE(u != NULL);
	fz_check_trace(u);
	FZ_REQUIRE(vtb_trace_call_count(u) == vtb_trace_call_count(t));
	FZ_REQUIRE(vtb_trace_string_count(u) <= vtb_trace_string_count(t)); /* duplicates merge */
	vtb_trace_free(u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	uint8_t mode = data[0];
	size_t len = size - 1;
	uint8_t *b = malloc(len ? len : 1);

	if (!b)
		return 0;
	memcpy(b, data + 1, len);
	if (mode & 1)
		fix_crcs(b, len);
	vtb_trace *strict = load(b, len, 0);
	vtb_trace *salv = load(b, len, VTB_LOAD_SALVAGE);
	if (strict) {
		const vtb_damage *d = vtb_trace_damage(strict);
		FZ_REQUIRE(d->sections_bad == 0 && !d->truncated && d->first_problem == NULL);
		FZ_REQUIRE(salv != NULL);
		d = vtb_trace_damage(salv);
		FZ_REQUIRE(d->sections_bad == 0 && !d->truncated && d->first_problem == NULL);
		FZ_REQUIRE(vtb_trace_call_count(salv) == vtb_trace_call_count(strict));
		FZ_REQUIRE(vtb_trace_event_count(salv) == vtb_trace_event_count(strict));
		FZ_REQUIRE(vtb_trace_string_count(salv) == vtb_trace_string_count(strict));
	}
	if (salv && (mode & 2))
		save_and_reload(salv);
	vtb_trace_free(strict);
	vtb_trace_free(salv);
	free(b);
	return 0;
}
