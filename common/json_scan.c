/* SPDX-License-Identifier: MIT */
/* json_scan.c: walk a Chrome trace JSON file one event at a time.
 *
 * The scanner only finds where each value ends (strings, escapes and bracket nesting);
 * cJSON parses and validates each event on its own. Bytes nobody needs any more are
 * dropped at each refill, so memory holds the current event and a read block, whatever
 * the size of the file; large members nobody asked for (VizTracer's file_info holds
 * whole source files) stream past without being kept.
 */
#include "common/json_private.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#define JS_BLOCK ((size_t)1 << 20)
#define JS_MAX_VALUE ((size_t)256 << 20) /* one event or wanted member larger than this is refused */
#define JS_KEY_MAX 64
#define JS_GZ_READ ((size_t)16 << 10)

enum { JS_EOF = -100, JS_BAD = -101 }; /* internal: end of input, syntax problem */

struct jscan {
	gzFile gz;
	int plain;                /* the file is not gzip */
	char *buf;
	size_t len, cap;
	uint64_t base;            /* file offset of buf[0] */
	size_t pos;               /* scan position in buf */
	size_t keep;              /* buf[keep..) must survive a refill; keep <= pos */
	int eof;
	uint64_t nl_count;        /* newlines in the dropped bytes */
	uint64_t nl_after;        /* offset just after the last dropped newline */
	uint64_t total_bytes;     /* size of the file on disk, for progress */
	uint64_t next_report;
	char *stack;              /* open brackets of the value being scanned */
	size_t stack_cap;
	const struct js_callbacks *cb;
	int rc;                   /* a hard error (I/O, memory, callback, cancel) */
	char *cause;
	const char *msg;          /* a syntax problem ... */
	char zmsg[160];
	uint64_t msg_off;         /* ... and where */
};

static void js_count_lines(struct jscan *s, size_t upto, uint64_t *lines, uint64_t *after)
{
	const char *p = s->buf, *end = s->buf + upto, *nl;

	*lines = s->nl_count;
	*after = s->nl_after;
	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p)))) {
		(*lines)++;
		*after = s->base + (uint64_t)(nl - s->buf) + 1;
		p = nl + 1;
	}
}

/* Drop buf[0..keep), then read one more block. 1: bytes added; 0: end of file; <0 error. */
static int js_more(struct jscan *s)
{
	if (s->eof)
		return 0;
	if (s->keep) {
		js_count_lines(s, s->keep, &s->nl_count, &s->nl_after);
		memmove(s->buf, s->buf + s->keep, s->len - s->keep);
		s->base += s->keep;
		s->len -= s->keep;
		s->pos -= s->keep;
		s->keep = 0;
	}
	if (s->cap - s->len < JS_BLOCK / 2) {
		if (s->len > JS_MAX_VALUE) {
			s->msg = "a single value is larger than 256 MiB";
			s->msg_off = s->base;
			return JS_BAD;
		}
		size_t cap = s->cap ? s->cap * 2 : JS_BLOCK;
		char *b = realloc(s->buf, cap);
		if (!b)
			return s->rc = VTB_E_NOMEM;
		s->buf = b;
		s->cap = cap;
	}
	/* zlib drops what one gzread decompressed before meeting damage: small reads of gzip
	 * data bound that loss; plain files are read in large blocks. */
	size_t want = s->cap - s->len > INT_MAX ? INT_MAX : s->cap - s->len;
	if (!s->plain && want > JS_GZ_READ)
		want = JS_GZ_READ;
	int n = gzread(s->gz, s->buf + s->len, (unsigned)want);
	if (n < 0) {
		int zerr;
		const char *m = gzerror(s->gz, &zerr);
		if (zerr != Z_ERRNO) { /* damaged or cut gzip data: keep what came before */
			snprintf(s->zmsg, sizeof(s->zmsg), "the gzip data is damaged or cut short (%s)", m);
			s->msg = s->zmsg;
			s->msg_off = s->base + s->len;
			return JS_BAD;
		}
		s->cause = vtb_fmt("read failed after byte %llu: %s", (unsigned long long)(s->base + s->len),
				   strerror(errno));
		return s->rc = VTB_E_IO;
	}
	if (n == 0) {
		s->eof = 1;
		return 0;
	}
	if (!s->base && !s->len)
		s->plain = gzdirect(s->gz);
	s->len += (size_t)n;
	uint64_t done = (uint64_t)gzoffset(s->gz);
	if (s->cb->progress && done >= s->next_report) {
		s->next_report = done + (4u << 20);
		if (s->cb->progress(s->cb->progress_ctx, done, s->total_bytes)) {
			s->cause = vtb_fmt("cancelled");
			return s->rc = VTB_E_ARG;
		}
	}
	return 1;
}

/* The byte at pos (refilling as needed), or JS_EOF / a negative error. */
static inline int js_peek(struct jscan *s)
{
	while (s->pos >= s->len) {
		int r = js_more(s);
		if (r <= 0)
			return r ? r : JS_EOF;
	}
	return (unsigned char)s->buf[s->pos];
}

static int js_ws(struct jscan *s)
{
	for (;;) {
		int c = js_peek(s);
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			return c;
		s->pos++;
		s->keep = s->pos; /* blanks between values need not survive a refill */
	}
}

static int js_bad(struct jscan *s, const char *msg)
{
	s->msg = msg;
	s->msg_off = s->base + s->pos;
	return JS_BAD;
}

static int js_push(struct jscan *s, size_t depth, char c)
{
	if (vtb_grow((void **)&s->stack, &s->stack_cap, depth + 1, 1))
		return s->rc = VTB_E_NOMEM;
	s->stack[depth] = c;
	return 0;
}

static int is_scalar_byte(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '-' || c == '+' || c == '.';
}

/* Scan one value from pos; on return pos is just past it. With `retain`, the bytes from
 * the value's start stay in the buffer (*start_off is its file offset); without, they are
 * dropped as the scan goes. A scanner of extents, not a validator: cJSON checks what it
 * parses. This loop is a small state machine over bytes. */
static int js_value(struct jscan *s, int retain, uint64_t *start_off)
{
	int c = js_peek(s), in_str = 0, esc = 0;
	size_t depth = 0;

	if (c < 0)
		return c == JS_EOF ? js_bad(s, "unexpected end of file") : c;
	*start_off = s->base + s->pos;
	if (retain)
		s->keep = s->pos;
	if (is_scalar_byte(c)) {
		while ((c = js_peek(s)) >= 0 && is_scalar_byte(c)) {
			s->pos++;
			if (!retain)
				s->keep = s->pos;
		}
		return c == JS_EOF || c >= 0 ? 0 : c;
	}
	if (c != '"' && c != '{' && c != '[')
		return js_bad(s, "unexpected character where a value should start");
	for (;;) {
		if (s->pos >= s->len) {
			if (!retain)
				s->keep = s->pos;
			c = js_peek(s);
			if (c < 0)
				return c == JS_EOF ? js_bad(s, "unexpected end of file inside a value") : c;
		}
		if (in_str && !esc) { /* most bytes are inside strings: jump to a quote or backslash */
			const char *p = s->buf + s->pos, *end = s->buf + s->len;
			const char *q = memchr(p, '"', (size_t)(end - p));
			const char *bs = memchr(p, '\\', (size_t)((q ? q : end) - p));
			s->pos = (size_t)((bs ? bs : q ? q : end) - s->buf);
			if (s->pos >= s->len)
				continue;
		}
		c = (unsigned char)s->buf[s->pos++];
		if (in_str) {
			if (esc)
				esc = 0;
			else if (c == '\\')
				esc = 1;
			else if (c == '"' && (in_str = 0, depth == 0))
				return 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '{' || c == '[') {
			if (js_push(s, depth++, (char)c))
				return s->rc;
		} else if (c == '}' || c == ']') {
			if (!depth || s->stack[depth - 1] != (c == '}' ? '{' : '[')) {
				s->pos--;
				return js_bad(s, "mismatched bracket");
			}
			if (--depth == 0)
				return 0;
		}
	}
}

/* Parse the retained value [start_off, pos) with cJSON. NULL with the problem set. */
static cJSON *js_parse(struct jscan *s, uint64_t start_off)
{
	const char *json = s->buf + (start_off - s->base), *end = NULL;
	size_t len = s->base + s->pos - start_off;
	cJSON *v = cJSON_ParseWithLengthOpts(json, len, &end, 0);

	if (!v) {
		s->msg = "invalid JSON";
		s->msg_off = start_off + (end && end >= json && end <= json + len ? (uint64_t)(end - json) : 0);
	}
	return v;
}

/* `[`, already consumed: hand each element to the callback. Chrome allows the array of a
 * bare-array file to stay unterminated (a trace cut while being written). */
static int js_events(struct jscan *s, int bare, struct js_result *res)
{
	int c = js_ws(s);

	res->found_events = 1;
	if (c == ']') {
		s->pos++;
		return 0;
	}
	for (;;) {
		uint64_t start;
		c = js_ws(s);
		if (c == JS_EOF && bare)
			return 0;
		if (c == ']' && res->elements) { /* a trailing comma: lenient */
			s->pos++;
			return 0;
		}
		int rc = js_value(s, 1, &start);
		if (rc)
			return rc;
		cJSON *ev = js_parse(s, start);
		if (!ev)
			return JS_BAD;
		rc = s->cb->event(s->cb->ctx, ev, start);
		cJSON_Delete(ev);
		if (rc)
			return s->rc = rc;
		res->elements++;
		s->keep = s->pos;
		c = js_ws(s);
		if (c == ',')
			s->pos++;
		else if (c == ']')
			return s->pos++, 0;
		else if (c == JS_EOF && bare)
			return 0;
		else
			return c == JS_EOF ? js_bad(s, "unexpected end of file in the event array")
			     : c < 0 ? c : js_bad(s, "expected ',' or ']' after an event");
	}
}

/* The key of a member, raw (escapes left as they are; the keys that matter have none). */
static int js_key(struct jscan *s, char key[JS_KEY_MAX])
{
	uint64_t start;
	int c = js_ws(s);

	if (c != '"')
		return c < 0 && c != JS_EOF ? c : js_bad(s, "expected a member name");
	int rc = js_value(s, 1, &start);
	if (rc)
		return rc;
	size_t len = s->base + s->pos - start - 2;
	if (len >= JS_KEY_MAX)
		len = 0;
	memcpy(key, s->buf + (start - s->base) + 1, len);
	key[len] = 0;
	c = js_ws(s);
	if (c != ':')
		return c < 0 && c != JS_EOF ? c : js_bad(s, "expected ':' after a member name");
	s->pos++;
	return 0;
}

static int js_wanted(const struct js_callbacks *cb, const char *key)
{
	for (const char *const *m = cb->members; m && *m; m++)
		if (!strcmp(*m, key))
			return 1;
	return 0;
}

/* One member of the top-level object: the events, a member the caller wants, or a skip. */
static int js_member(struct jscan *s, struct js_result *res)
{
	char key[JS_KEY_MAX];
	uint64_t start;
	int rc = js_key(s, key);

	if (rc)
		return rc;
	int c = js_ws(s);
	if (!strcmp(key, "traceEvents")) {
		if (c != '[')
			return c < 0 && c != JS_EOF ? c : js_bad(s, "traceEvents is not an array");
		s->pos++;
		return js_events(s, 0, res);
	}
	int want = js_wanted(s->cb, key);
	rc = js_value(s, want, &start);
	if (rc || !want)
		return rc;
	cJSON *v = js_parse(s, start);
	if (!v)
		return JS_BAD;
	rc = s->cb->member(s->cb->ctx, key, v);
	cJSON_Delete(v);
	s->keep = s->pos;
	return rc ? (s->rc = rc) : 0;
}

static int js_object(struct jscan *s, struct js_result *res)
{
	int c = js_ws(s);

	if (c == '}')
		return s->pos++, 0;
	for (;;) {
		int rc = js_member(s, res);
		if (rc)
			return rc;
		c = js_ws(s);
		if (c == '}')
			return s->pos++, 0;
		if (c != ',')
			return c == JS_EOF ? js_bad(s, "unexpected end of file: the trace object is not closed")
			     : c < 0 ? c : js_bad(s, "expected ',' or '}' between members");
		s->pos++;
	}
}

static int js_top(struct jscan *s, struct js_result *res)
{
	int c = js_ws(s);

	if (c == 0xef && s->len - s->pos >= 3 && !memcmp(s->buf + s->pos, "\xef\xbb\xbf", 3)) {
		s->pos += 3; /* a UTF-8 byte order mark */
		c = js_ws(s);
	}
	if (c == JS_EOF)
		return js_bad(s, "the file is empty");
	if (c < 0)
		return c;
	if (c != '{' && c != '[')
		return js_bad(s, "not a Chrome trace: expected '{' or '[' to start the JSON");
	s->pos++;
	int rc = c == '[' ? js_events(s, 1, res) : js_object(s, res);
	if (rc)
		return rc;
	c = js_ws(s);
	return c == JS_EOF ? 0 : c < 0 ? c : js_bad(s, "unexpected data after the end of the JSON");
}

/* "line L, column C (byte B)" of the problem. */
static char *js_where(struct jscan *s)
{
	uint64_t lines, after, off = s->msg_off;

	if (off < s->base || off > s->base + s->len)
		return vtb_fmt("byte %llu%s", (unsigned long long)off,
			       s->plain ? "" : " of the uncompressed data");
	js_count_lines(s, (size_t)(off - s->base), &lines, &after);
	return vtb_fmt("line %llu, column %llu (byte %llu%s)", (unsigned long long)lines + 1,
		       (unsigned long long)(off - after + 1), (unsigned long long)off,
		       s->plain ? "" : " of the uncompressed data");
}

static int js_open(struct jscan *s, const char *path, char **cause)
{
	struct stat st;

	errno = 0;
	s->gz = gzopen(path, "rb");
	if (!s->gz) {
		*cause = vtb_fmt("%s: %s", path, errno ? strerror(errno) : "cannot open");
		return errno == ENOMEM ? VTB_E_NOMEM : VTB_E_IO;
	}
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			*cause = vtb_fmt("%s: is a directory, not a trace", path);
			return VTB_E_IO;
		}
		s->total_bytes = (uint64_t)st.st_size;
	}
	return 0;
}

int js_walk(const char *path, const struct js_callbacks *cb, struct js_result *res, char **cause)
{
	struct jscan s = { .cb = cb };
	int rc;

	memset(res, 0, sizeof(*res));
	rc = js_open(&s, path, cause);
	if (rc)
		goto out;
	rc = js_top(&s, res);
	if (rc == JS_BAD) {
		char *where = js_where(&s);
		res->problem = vtb_fmt("%s: %s: %s", path, where ? where : "?", s.msg);
		free(where);
		rc = res->problem ? 0 : VTB_E_NOMEM;
	} else if (rc) {
		rc = s.rc ? s.rc : rc;
		if (s.cause)
			*cause = vtb_fmt("%s: %s", path, s.cause);
	}
out:
	if (s.gz)
		gzclose(s.gz);
	free(s.cause);
	free(s.buf);
	free(s.stack);
	return rc;
}
