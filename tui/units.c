/* SPDX-License-Identifier: MIT */
/* units.c: times, counts and log levels as people read and type them. */
#include "tui/tui_private.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct unit {
	double ns;
	const char *name, *ascii;
} units[] = {
	{ 1, "ns", "ns" }, { 1e3, "µs", "us" }, { 1e6, "ms", "ms" }, { 1e9, "s", "s" },
};
#define UNIT_COUNT (sizeof(units) / sizeof(units[0]))

/* The largest unit not larger than ns (ns for 0). */
static size_t unit_for(double ns)
{
	size_t u = 0;

	while (u + 1 < UNIT_COUNT && ns >= units[u + 1].ns)
		u++;
	return u;
}

static void trim_zeros(char *num)
{
	char *dot = strchr(num, '.');
	size_t n;

	if (!dot)
		return;
	n = strlen(num);
	while (n > 0 && num[n - 1] == '0')
		num[--n] = '\0';
	if (n > 0 && num[n - 1] == '.')
		num[--n] = '\0';
}

void tui_fmt_dur(char *buf, size_t len, uint64_t ns, int ascii)
{
	size_t u = unit_for((double)ns);
	double v = (double)ns / units[u].ns;
	char num[32];

	if (ns == 0) {
		snprintf(buf, len, "0");
		return;
	}
	if (v >= 999.5 && u + 1 < UNIT_COUNT) { /* would print as 1000 of this unit */
		u++;
		v = (double)ns / units[u].ns;
	}
	snprintf(num, sizeof(num), v < 9.995 ? "%.2f" : v < 99.95 ? "%.1f" : "%.0f", v);
	if (u == 0)
		snprintf(num, sizeof(num), "%llu", (unsigned long long)ns);
	trim_zeros(num);
	snprintf(buf, len, "%s%s", num, ascii ? units[u].ascii : units[u].name);
}

void tui_fmt_time(char *buf, size_t len, uint64_t t_ns, uint64_t res_ns, int ascii)
{
	/* the unit of the rounded time: 999.9999ms at 1us is 1.000000s */
	size_t u = unit_for((double)(t_ns > res_ns ? t_ns + res_ns / 2 : res_ns));
	uint64_t scale = 1, digit, v;
	int decimals = 0;
	char frac[24], num[48];

	if (t_ns == 0) {
		snprintf(buf, len, "0");
		return;
	}
	for (size_t i = 0; i < u; i++)
		scale *= 1000;
	/* the fewest decimals whose last digit is no coarser than res_ns */
	for (digit = scale; digit > 1 && digit > (res_ns ? res_ns : 1); digit /= 10)
		decimals++;
	/* rounded as tui_fmt_dur rounds, so a start and a duration printed side by side add up */
	v = t_ns / digit + (t_ns % digit >= (digit + 1) / 2);
	if (decimals == 0) {
		snprintf(buf, len, "%llu%s", (unsigned long long)v, ascii ? units[u].ascii : units[u].name);
		return;
	}
	snprintf(frac, sizeof(frac), "%020llu", (unsigned long long)(v % (scale / digit)));
	snprintf(num, sizeof(num), "%llu.%s", (unsigned long long)(v / (scale / digit)), frac + 20 - decimals);
	trim_zeros(num); /* as durations: 50ms, not 50.0ms */
	snprintf(buf, len, "%s%s", num, ascii ? units[u].ascii : units[u].name);
}

uint64_t tui_time_res(uint64_t t_ns, uint64_t res_ns)
{
	uint64_t sig = 1;

	while (sig <= t_ns / 1000) /* the third significant digit of t */
		sig *= 10;
	return sig < res_ns ? sig : res_ns;
}

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

int tui_parse_time(const char *text, int64_t *ns, int *relative)
{
	char *end;
	double v, mult = 1e6; /* a bare number is milliseconds */

	while (*text == ' ')
		text++;
	*relative = *text == '+' || *text == '-';
	v = strtod(text, &end);
	if (end == text || !isfinite(v))
		return VTB_E_ARG;
	if (*end) {
		size_t u;

		for (u = 0; u < UNIT_COUNT; u++)
			if (!strcmp(end, units[u].name) || !strcmp(end, units[u].ascii))
				break;
		if (u == UNIT_COUNT)
			return VTB_E_ARG;
		mult = units[u].ns;
	}
	v *= mult;
	if (fabs(v) > 9e18)
		return VTB_E_ARG;
	*ns = (int64_t)llround(v);
	return 0;
}

int tui_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

int tui_is_json_name(const char *path)
{
	return tui_ends_with(path, ".json") || tui_ends_with(path, ".json.gz");
}

/* A name that says nothing (a download called "trace") leaves it to the first bytes:
 * gzip, or { or [ after blanks, is JSON. What cannot be read goes to the VTB reader,
 * whose message says why. */
int tui_is_json_file(const char *path)
{
	unsigned char b[64];
	size_t n, i = 0;
	FILE *f;

	if (tui_is_json_name(path))
		return 1;
	if (tui_ends_with(path, ".bin") || tui_ends_with(path, ".vtb") || tui_ends_with(path, VTB_RING_SUFFIX) ||
	    !(f = fopen(path, "rb")))
		return 0;
	n = fread(b, 1, sizeof(b), f);
	fclose(f);
	if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return 1;
	while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r'))
		i++;
	return i < n && (b[i] == '{' || b[i] == '[');
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

	tui_fmt_time(buf, len, rel, tui_time_res(rel, v->span_ns / (uint64_t)(v->cols > 0 ? v->cols : 1)), ascii);
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
