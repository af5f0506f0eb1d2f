/* SPDX-License-Identifier: MIT */
/* bench_util.h: what the benchmark programs measure with: clocks, resident memory, medians
 * and a seeded generator. Each program is one file, so these are static inline. */
#ifndef VTUI_BENCH_UTIL_H
#define VTUI_BENCH_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* Seconds on `clock`: CLOCK_MONOTONIC for wall time, CLOCK_*_CPUTIME_ID for CPU time. */
static inline double bench_clock_s(clockid_t clock)
{
	struct timespec t;

	clock_gettime(clock, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static inline double bench_now_s(void)
{
	return bench_clock_s(CLOCK_MONOTONIC);
}

static inline double bench_now_ms(void)
{
	return bench_clock_s(CLOCK_MONOTONIC) * 1e3;
}

/* Resident set size in KiB; 0 when /proc/self/statm cannot be read. */
static inline long bench_rss_kib(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* xorshift64: the next number of the sequence in *state (seeded with anything but 0). */
static inline uint64_t bench_rand(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/* The trace a benchmark reads: argv[2], else $TMPDIR/NAME-CALLS.vtb (made when missing). */
static inline void bench_trace_path(char *path, size_t len, int argc, char **argv, const char *name,
				    size_t calls)
{
	const char *tmp = getenv("TMPDIR");

	if (argc > 2)
		snprintf(path, len, "%s", argv[2]);
	else
		snprintf(path, len, "%s/%s-%zu.vtb", tmp && *tmp ? tmp : "/tmp", name, calls);
}

/* qsort's comparison for doubles, smallest first. */
static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sorts v[0..n) (n > 0) and returns its median. */
static inline double bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#endif
