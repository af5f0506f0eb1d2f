/* SPDX-License-Identifier: MIT */
/* clock_stall.c: an LD_PRELOAD library for the tracer's clock test. The process's
 * CLOCK_MONOTONIC readings return their time and only then stall, in turn for 0, 1 and 2
 * times $VTRACE_TEST_CLOCK_STALL_US microseconds, as a thread preempted right after reading
 * the clock would be: whatever reads the TSC next pairs it with a time that old. Two
 * readings whose stalls differ (one in three pairs stall alike) skew a rate taken from them. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int clock_gettime(clockid_t id, struct timespec *ts)
{
	static unsigned long readings;
	const char *stall = getenv("VTRACE_TEST_CLOCK_STALL_US");
	long rc = syscall(SYS_clock_gettime, id, ts);

	if (rc == 0 && id == CLOCK_MONOTONIC && stall) {
		long us = atol(stall) * (long)(__atomic_fetch_add(&readings, 1, __ATOMIC_RELAXED) % 3);
		struct timespec nap = { us / 1000000, us % 1000000 * 1000L }, left;
		while (syscall(SYS_nanosleep, &nap, &left) != 0)
			nap = left;
	}
	return (int)rc;
}
