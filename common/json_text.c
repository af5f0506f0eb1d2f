/* SPDX-License-Identifier: MIT */
/* json_text.c: the text form of JSON arguments, and a buffered JSON output (plain or gzip). */
#include "common/json_private.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define JOUT_BUF (256u << 10)

static int jt_value(const cJSON *v, struct vtb_buf *out)
{
	if (cJSON_IsString(v))
		return vtb_buf_put(out, v->valuestring, strlen(v->valuestring));
	char *s = cJSON_PrintUnformatted(v);
	if (!s)
		return VTB_E_NOMEM;
	int rc = vtb_buf_put(out, s, strlen(s));
	cJSON_free(s);
	return rc;
}

static int jt_skipped(const char *key, const char *const *skip)
{
	for (; skip && *skip; skip++)
		if (key && !strcmp(key, *skip))
			return 1;
	return 0;
}

int jt_render(const cJSON *v, const char *const *skip, struct vtb_buf *out)
{
	int rc = 0;

	if (!cJSON_IsObject(v))
		return jt_value(v, out);
	for (const cJSON *c = v->child; c && !rc; c = c->next) {
		if (jt_skipped(c->string, skip))
			continue;
		if (out->len)
			rc = vtb_buf_put(out, ", ", 2);
		if (!rc && c->string)
			rc = vtb_buf_put(out, c->string, strlen(c->string));
		if (!rc)
			rc = vtb_buf_put(out, "=", 1);
		if (!rc)
			rc = jt_value(c, out);
	}
	return rc;
}

/* ---- output ---- */

int json_path_gz(const char *path)
{
	size_t n = strlen(path);

	return n > 3 && !strcmp(path + n - 3, ".gz");
}

int jout_open(struct jout *o, const char *path, char **cause)
{
	memset(o, 0, sizeof(*o));
	o->buf = malloc(JOUT_BUF);
	if (!o->buf) {
		*cause = vtb_fmt("out of memory");
		return VTB_E_NOMEM;
	}
	o->cap = JOUT_BUF;
	errno = 0;
	if (json_path_gz(path))
		o->gz = gzopen(path, "wb4");
	else
		o->f = fopen(path, "wb");
	if (!o->gz && !o->f) {
		*cause = vtb_fmt("%s: %s", path, errno ? strerror(errno) : "cannot open for writing");
		free(o->buf);
		o->buf = NULL;
		return VTB_E_IO;
	}
	return 0;
}

static void jout_flush(struct jout *o)
{
	if (!o->len || o->err)
		return;
	if (o->gz) {
		if (gzwrite(o->gz, o->buf, (unsigned)o->len) != (int)o->len)
			o->err = -1;
	} else if (fwrite(o->buf, 1, o->len, o->f) != o->len) {
		o->err = errno ? errno : EIO;
	}
	o->len = 0;
}

void jout_write(struct jout *o, const char *s, size_t n)
{
	while (n) {
		if (o->len == o->cap)
			jout_flush(o);
		size_t k = o->cap - o->len < n ? o->cap - o->len : n;
		memcpy(o->buf + o->len, s, k);
		o->len += k;
		s += k;
		n -= k;
	}
}

void jout_puts(struct jout *o, const char *s)
{
	jout_write(o, s, strlen(s));
}

void jout_printf(struct jout *o, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		jout_write(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

void jout_us(struct jout *o, uint64_t ns)
{
	jout_printf(o, "%llu.%03u", (unsigned long long)(ns / 1000), (unsigned)(ns % 1000));
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is not valid. */
static size_t utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0))
			return 0; /* overlong, or a surrogate */
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

void jout_str(struct jout *o, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : ""), *run = s;

	jout_write(o, "\"", 1);
	while (*s) {
		size_t n = utf8_len(s);
		if (n == 1 && *s >= 0x20 && *s != '"' && *s != '\\') {
			s++;
			continue;
		}
		if (n > 1) {
			s += n;
			continue;
		}
		jout_write(o, (const char *)run, (size_t)(s - run));
		if (n == 0)
			jout_puts(o, "\\ufffd");
		else if (*s == '"' || *s == '\\')
			jout_printf(o, "\\%c", *s);
		else if (*s == '\n')
			jout_puts(o, "\\n");
		else if (*s == '\t')
			jout_puts(o, "\\t");
		else
			jout_printf(o, "\\u%04x", *s);
		run = ++s;
	}
	jout_write(o, (const char *)run, (size_t)(s - run));
	jout_write(o, "\"", 1);
}

static int kv_key_byte(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '.' || c == '*' || c == '$' || c == '@' || c == '-';
}

/* Length of a key at s followed by '=', or 0. */
static size_t kv_key(const char *s)
{
	size_t n = 0;

	while (n < 128 && kv_key_byte((unsigned char)s[n]))
		n++;
	return n && s[n] == '=' ? n : 0;
}

/* The end of the value that starts at v: the next ", " before a key, or the end. */
static const char *kv_value_end(const char *v)
{
	const char *q = v;

	while ((q = strstr(q, ", ")) && !kv_key(q + 2))
		q++;
	return q ? q : v + strlen(v);
}

/* Text that is k=v pairs becomes an object of strings: importing it renders the same text,
 * since strings render as themselves and pairs join with ", ". */
void jout_text(struct jout *o, const char *text, enum jt_fallback fallback)
{
	size_t k = text ? kv_key(text) : 0;

	if (!k) {
		if (fallback == JT_WRAPPED)
			jout_puts(o, "{\"" JSON_TEXT_KEY "\":");
		jout_str(o, text);
		if (fallback == JT_WRAPPED)
			jout_write(o, "}", 1);
		return;
	}
	jout_write(o, "{", 1);
	for (const char *p = text; p;) {
		k = kv_key(p);
		const char *v = p + k + 1, *end = kv_value_end(v);
		char *key = strndup(p, k), *val = strndup(v, (size_t)(end - v));
		if (!key || !val)
			o->err = ENOMEM;
		if (p != text)
			jout_write(o, ",", 1);
		jout_str(o, key ? key : "");
		jout_write(o, ":", 1);
		jout_str(o, val ? val : "");
		free(key);
		free(val);
		p = *end ? end + 2 : NULL;
	}
	jout_write(o, "}", 1);
}

int jout_close(struct jout *o, const char *path, char **cause)
{
	int rc = 0;

	jout_flush(o);
	if (o->gz) {
		if (gzclose(o->gz) != Z_OK && !o->err)
			o->err = -1;
	} else if (o->f && fclose(o->f) && !o->err) {
		o->err = errno ? errno : EIO;
	}
	o->gz = NULL;
	o->f = NULL;
	if (o->err) {
		*cause = vtb_fmt("%s: write failed: %s", path,
				 o->err == -1 ? "gzip stream error" : strerror(o->err));
		rc = o->err == ENOMEM ? VTB_E_NOMEM : VTB_E_IO;
	}
	free(o->buf);
	o->buf = NULL;
	return rc;
}

void jout_abort(struct jout *o)
{
	if (o->gz)
		gzclose(o->gz);
	if (o->f)
		fclose(o->f);
	free(o->buf);
	memset(o, 0, sizeof(*o));
}
