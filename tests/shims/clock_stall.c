/* SPDX-License-Identifier: MIT */
/* clock_stall.c: an LD_PRELOAD library for the tracer's clock test. With
 * $VTRACE_TEST_CLOCK_STALL set to "US:N", the Nth CLOCK_MONOTONIC reading that the tracer's
 * extension makes (counting from 0) returns its time and only then stalls for US
 * microseconds, as a thread preempted right after reading the clock would be: whatever
 * reads the TSC next pairs it with a time that old. Readings by anything else (the
 * interpreter, the shell scripts that may start it) never stall. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int by_tracer(const void *caller)
{
	Dl_info in;

	return dladdr(caller, &in) && in.dli_fname && strstr(in.dli_fname, "/_vtrace") != NULL;
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	static unsigned long readings;
	const char *how = getenv("VTRACE_TEST_CLOCK_STALL");
	long rc = syscall(SYS_clock_gettime, id, ts);
	long us;
	unsigned long nth;

	if (rc != 0 || id != CLOCK_MONOTONIC || !how || sscanf(how, "%ld:%lu", &us, &nth) != 2 ||
	    !by_tracer(__builtin_return_address(0)) || readings++ != nth)
		return (int)rc;
	struct timespec nap = { us / 1000000, us % 1000000 * 1000L }, left;
	while (syscall(SYS_nanosleep, &nap, &left) != 0)
		nap = left;
	return 0;
}
