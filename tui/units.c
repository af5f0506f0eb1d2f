/* SPDX-License-Identifier: MIT */
/* units.c: counts, text widths, thread labels and log levels as the viewer shows them, and
 * the view's columns as times; times and durations themselves are analysis/text.c's (the
 * batch commands print them too). */
#include "tui/tui_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Byte offset of code point n of s (or its end). */
static size_t cp_offset(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	while (n-- > 0 && *p)
		vtb_utf8_next(&p);
	return (size_t)(p - (const unsigned char *)s);
}

int tui_text_cols(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int n = 0;

	while (*p) {
		vtb_utf8_next(&p);
		n++;
	}
	return n;
}

void tui_elide(char *out, size_t len, const char *in, int cols, int ascii)
{
	size_t n = (size_t)tui_text_cols(in), head, tail;

	if (cols < 3 || n <= (size_t)cols) { /* too narrow to elide: tui_screen_puts cuts with a sign */
		snprintf(out, len, "%s", in);
		return;
	}
	/* a qualified name's end (the function) tells more than its start (the module) */
	head = (size_t)(cols - 1) / 3;
	tail = (size_t)cols - 1 - head;
	snprintf(out, len, "%.*s%s%s", (int)cp_offset(in, head), in, ascii ? "~" : "…", in + cp_offset(in, n - tail));
}

int tui_wrap_at(const char *t, int room)
{
	for (int len = room; len > 0; len--)
		if (t[len] == ' ' || t[len - 1] == '|' || t[len - 1] == ',')
			return len;
	return room;
}

const char *tui_next_line(const char *t, int room, int *len)
{
	int n = (int)strcspn(t, "\n");

	if (n > room && room > 10)
		n = tui_wrap_at(t, room);
	*len = n;
	t += n;
	if (*t == '\n')
		return t + 1;
	while (*t == ' ')
		t++;
	return *t ? t : NULL;
}

int tui_list_top(int top, size_t count, int rows)
{
	long max = (long)count - rows;

	if (top > max)
		top = max > 0 ? (int)max : 0;
	return top < 0 ? 0 : top;
}

void tui_thread_label(const vtb_thread *th, char *buf, size_t len)
{
	if (th->tid == TUI_GC_TID)
		snprintf(buf, len, "%s (garbage collections)", th->name && *th->name ? th->name : "GC");
	else
		snprintf(buf, len, "%s tid %llu", th->name && *th->name ? th->name : "thread",
			 (unsigned long long)th->tid);
}

void tui_fmt_count(char *buf, size_t len, uint64_t n)
{
	char digits[32];
	size_t nd, o = 0;

	snprintf(digits, sizeof(digits), "%llu", (unsigned long long)n);
	nd = strlen(digits);
	for (size_t i = 0; i < nd && o + 2 < len; i++) {
		if (i > 0 && (nd - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
}

double tui_seconds_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

char *tui_strdupf(const char *fmt, ...)
{
	va_list ap;
	char *out;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !(out = malloc((size_t)n + 1)))
		return NULL;
	va_start(ap, fmt);
	vsnprintf(out, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return out;
}

void tui_fmt_at(const tui_app *app, char *buf, size_t len, uint64_t t_ns, int ascii)
{
	const tui_view *v = &app->view;
	uint64_t rel = t_ns - app->model.first_ns;

	an_fmt_time(buf, len, rel, an_time_res(rel, v->span_ns / (uint64_t)(v->cols > 0 ? v->cols : 1)), ascii);
}

const char *tui_level_name(uint32_t level)
{
	if (level >= 50)
		return "CRITICAL";
	if (level >= 40)
		return "ERROR";
	if (level >= 30)
		return "WARNING";
	if (level >= 20)
		return "INFO";
	if (level >= 10)
		return "DEBUG";
	return "NOTSET";
}

int64_t tui_view_col(const tui_view *v, uint64_t t)
{
	__int128 d = (__int128)t - (__int128)v->start_ns;
	__int128 c = d * v->cols;

	/* floor division, also for times left of the window */
	if (c < 0)
		return (int64_t)((c - (__int128)v->span_ns + 1) / (__int128)v->span_ns);
	return (int64_t)(c / (__int128)v->span_ns);
}

uint64_t tui_view_time(const tui_view *v, int64_t c)
{
	__int128 t = (__int128)v->start_ns + ((__int128)c * v->span_ns + v->cols - 1) / v->cols;

	return t < 0 ? 0 : (uint64_t)t;
}
