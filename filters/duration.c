/* SPDX-License-Identifier: MIT */
/* duration.c: durations as people type them ("12.5ms"), parsed and printed without the
 * C library's locale-dependent number functions. */
#include "filters/filters.h"

#include <stdio.h>
#include <string.h>

#include "filters/private.h"

struct unit {
	const char *suffix;
	uint64_t ns;
};

/* Longest suffixes first so "ms" is not read as "m" followed by junk. */
static const struct unit units[] = {
	{ "ns", 1 }, { "us", 1000 }, { "\xc2\xb5s", 1000 }, { "ms", 1000000 },
	{ "s", 1000000000 }, { "m", 60000000000ull }, { "h", 3600000000000ull },
};

static const struct unit *find_unit(const char *s)
{
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(s, units[i].suffix) == 0)
			return &units[i];
	return NULL;
}

/* Digits of the fraction scaled to `unit` ns, truncated below one nanosecond. */
static uint64_t fraction_ns(const char *digits, size_t n, uint64_t unit)
{
	uint64_t num = 0, den = 1;

	for (size_t i = 0; i < n && den <= 1000000000000ull; i++) {
		num = num * 10 + (uint64_t)(digits[i] - '0');
		den *= 10;
	}
	return (uint64_t)(((unsigned __int128)num * unit) / den);
}

int flt_duration_parse(const char *text, uint64_t *ns, char **cause)
{
	const char *p = text ? text : "", *frac = NULL;
	uint64_t whole = 0, fns;
	size_t nint = 0, nfrac = 0;
	const struct unit *u;

	while (*p == ' ' || *p == '\t')
		p++;
	for (; *p >= '0' && *p <= '9'; p++, nint++) {
		if (whole > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return flt_fail(cause, FLT_E_ARG, "duration '%s' is too large", text);
		whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.')
		for (frac = ++p; *p >= '0' && *p <= '9'; p++)
			nfrac++;
	if (nint + nfrac == 0)
		return flt_fail(cause, FLT_E_ARG, "bad duration '%s': expected a number and a unit "
				"(300ns, 50us, 12.5ms, 2s, 1m)", text ? text : "");
	if (*p == '\0' && whole == 0 && nfrac == 0) {
		*ns = 0;
		return 0;
	}
	if (*p == '\0')
		return flt_fail(cause, FLT_E_ARG, "bad duration '%s': missing unit (ns, us, ms, s, "
				"m, h)", text);
	if ((u = find_unit(p)) == NULL)
		return flt_fail(cause, FLT_E_ARG, "bad duration '%s': unit '%s' is not one of ns, us, "
				"ms, s, m, h", text, p);
	fns = fraction_ns(frac, nfrac, u->ns);
	if (whole > UINT64_MAX / u->ns || whole * u->ns > UINT64_MAX - fns)
		return flt_fail(cause, FLT_E_ARG, "duration '%s' is too large", text);
	*ns = whole * u->ns + fns;
	return 0;
}

/* `v` hundredths of a unit, printed with as many decimals as keep 3 significant digits. */
static void print_scaled(uint64_t v, const char *suffix, char *buf, size_t buf_len)
{
	uint64_t whole = v / 100, cents = v % 100;

	if (whole >= 100 || cents == 0)
		snprintf(buf, buf_len, "%llu%s", (unsigned long long)whole, suffix);
	else if (whole >= 10 || cents % 10 == 0)
		snprintf(buf, buf_len, "%llu.%llu%s", (unsigned long long)whole,
			 (unsigned long long)(cents / 10), suffix);
	else
		snprintf(buf, buf_len, "%llu.%02llu%s", (unsigned long long)whole,
			 (unsigned long long)cents, suffix);
}

/* Round ns/unit to hundredths, then to what print_scaled shows. */
static uint64_t rounded_cents(uint64_t ns, uint64_t unit)
{
	uint64_t whole = ns / unit, rem = ns % unit;
	uint64_t v = whole * 100 + (uint64_t)(((unsigned __int128)rem * 100 + unit / 2) / unit);

	if (v >= 10000)
		return (v + 50) / 100 * 100;
	if (v >= 1000)
		return (v + 5) / 10 * 10;
	return v;
}

char *flt_duration_format(uint64_t ns, char *buf, size_t buf_len)
{
	static const struct unit scale[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
	};
	size_t i = 0;
	uint64_t v;

	while (i + 1 < 4 && ns >= scale[i + 1].ns)
		i++;
	v = rounded_cents(ns, scale[i].ns);
	if (v >= 100000 && i + 1 < 4) /* rounding reached 1000 of this unit */
		v = rounded_cents(ns, scale[++i].ns);
	print_scaled(v, scale[i].suffix, buf, buf_len);
	return buf;
}
