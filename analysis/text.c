/* SPDX-License-Identifier: MIT */
/* text.c: times, durations and time ranges as people read and type them ("12.5ms",
 * "1.5ms..20ms", "10%"), and messages made safe for a terminal: shared by the viewer and
 * the batch commands, so both print and accept the same words. */
#include "analysis/analysis.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void an_fmt_dur(char *buf, size_t len, uint64_t ns, int ascii)
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

void an_fmt_time(char *buf, size_t len, uint64_t t_ns, uint64_t res_ns, int ascii)
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
	/* rounded as an_fmt_dur rounds, so a start and a duration printed side by side add up */
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

uint64_t an_time_res(uint64_t t_ns, uint64_t res_ns)
{
	uint64_t sig = 1;

	while (sig <= t_ns / 1000) /* the third significant digit of t */
		sig *= 10;
	return sig < res_ns ? sig : res_ns;
}

int an_parse_time(const char *text, int64_t *ns, int *relative)
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

/* "95%", "12.5%": a point of the trace's span. 0 with *t, or -1 (not a percentage). */
int an_parse_percent(uint64_t first_ns, uint64_t last_ns, const char *text, uint64_t *t)
{
	char *end;
	double p = strtod(text, &end);

	if (end == text || strcmp(end, "%") || !(p >= 0 && p <= 100))
		return -1;
	*t = first_ns + (uint64_t)((double)(last_ns - first_ns) * p / 100.0);
	return 0;
}

/* One end of a range: empty (the trace's start or end), N% or a time from the start. */
static int parse_end(uint64_t first_ns, uint64_t last_ns, const char *text, size_t len, int is_end,
		     uint64_t *t, char *err, size_t err_len)
{
	char word[64];
	int64_t ns;
	int rel;

	if (len == 0) {
		*t = is_end ? last_ns : first_ns;
		return 0;
	}
	snprintf(word, sizeof(word), "%.*s", (int)(len < sizeof(word) - 1 ? len : sizeof(word) - 1), text);
	if (strchr(word, '%') ? an_parse_percent(first_ns, last_ns, word, t) == 0 :
	    an_parse_time(word, &ns, &rel) == 0 && !rel && ns >= 0 && (uint64_t)ns <= last_ns - first_ns &&
	    (*t = first_ns + (uint64_t)ns, 1))
		return 0;
	if (!strchr(word, '%') && an_parse_time(word, &ns, &rel) == 0 && !rel && ns >= 0) {
		char span[32];

		an_fmt_dur(span, sizeof(span), last_ns - first_ns, 1);
		snprintf(err, err_len, "'%s' is past the end of the trace (%s)", word, span);
	} else {
		snprintf(err, err_len, "'%s' is not a time from the start like 1.5ms or a percentage like 10%%", word);
	}
	return -1;
}

int an_parse_range(uint64_t first_ns, uint64_t last_ns, const char *text, uint64_t *t0, uint64_t *t1,
		    char *err, size_t len)
{
	const char *dots = strstr(text, "..");

	if (!dots) {
		snprintf(err, len, "'%s' is not a range like 1.5ms..20ms, 10%%..90%%, ..2s or 1s..", text);
		return -1;
	}
	if (parse_end(first_ns, last_ns, text, (size_t)(dots - text), 0, t0, err, len) < 0 ||
	    parse_end(first_ns, last_ns, dots + 2, strlen(dots + 2), 1, t1, err, len) < 0)
		return -1;
	if (*t1 <= *t0) {
		snprintf(err, len, "'%s' is empty: its end is not after its start", text);
		return -1;
	}
	return 0;
}

void an_fmt_range(uint64_t first_ns, uint64_t t0, uint64_t t1, uint64_t res_ns, int ascii, char *buf, size_t len)
{
	char a[32], b[32], d[32];

	an_fmt_time(a, sizeof(a), t0 - first_ns, an_time_res(t0 - first_ns, res_ns), ascii);
	an_fmt_time(b, sizeof(b), t1 - first_ns, an_time_res(t1 - first_ns, res_ns), ascii);
	an_fmt_dur(d, sizeof(d), t1 - t0, ascii);
	snprintf(buf, len, "%s..%s (%s)", a, b, d);
}

/* The caller frees the result. */
char *an_clean(const char *text, int keep_newlines)
{
	size_t len = strlen(text);
	char *out = malloc(len + 1), *o = out;

	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)text; *p;) {
		const unsigned char *next = p;
		wchar_t ch = vtb_utf8_next(&next);

		if (vtb_char_safe(ch) && !(ch == 0xfffd && next - p == 1)) {
			memcpy(o, p, (size_t)(next - p));
			o += next - p;
		} else {
			*o++ = *p == '\n' && keep_newlines ? '\n' : '?';
			next = p + 1; /* an unsafe sequence is one '?' per byte: never longer */
		}
		p = next;
	}
	*o = '\0';
	return out;
}

int an_fprintf_clean(FILE *out, const char *fmt, ...)
{
	va_list ap, again;
	char *raw, *clean;
	int n;

	va_start(ap, fmt);
	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	raw = n < 0 ? NULL : malloc((size_t)n + 1);
	if (raw)
		vsnprintf(raw, (size_t)n + 1, fmt, again);
	va_end(again);
	va_end(ap);
	clean = raw ? an_clean(raw, 1) : NULL;
	n = fputs(clean ? clean : "vtui: out of memory\n", out);
	free(raw);
	free(clean);
	return n;
}

