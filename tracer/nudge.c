/* SPDX-License-Identifier: MIT */
/* nudge.c: makes sure a terminating signal that vtrace handles in Python (to dump first)
 * still terminates. Python runs a signal handler only between bytecodes of the main
 * thread: a signal that lands just before the main thread blocks in C (a multiprocessing
 * worker taking its queue's lock as Pool.terminate() sends SIGTERM) would wait for ever,
 * where the default action would have killed the process at once. So a C handler wraps
 * CPython's and, at the signal's first arrival, arms a POSIX timer that re-sends the signal
 * to the main thread every 100 ms (which interrupts the blocking call, so the Python
 * handler runs) until the Python handler says it runs (nudge_ack); after NUDGE_TRIES it
 * gives up on the dump and lets the default action end the process, as it would have
 * without vtrace. It does not count while a dump is written (vt.dumping): Python handlers
 * cannot run then, and giving up would kill the process under its dump. A timer, not a
 * watchdog thread: a thread would make every traced process multi-threaded (3.12+ warns at
 * each os.fork()).
 * Only for signals whose disposition before vtrace was the default action. The C handler
 * calls CPython's handler, stores flags and sets a timer (timer_settime, sigaction and
 * kill are async-signal-safe). */
#include "tracer/vt.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

#define NUDGE_TRIES 30           /* 100 ms apart */
#define NUDGE_SIGNALS 65

static struct {
	struct sigaction python[NUDGE_SIGNALS];  /* CPython's handler, called first */
	volatile sig_atomic_t armed[NUDGE_SIGNALS]; /* came, and its Python handler has not run */
	volatile sig_atomic_t tries[NUDGE_SIGNALS]; /* re-sent this many times since */
	volatile sig_atomic_t wrapped[NUDGE_SIGNALS];
	timer_t timer[NUDGE_SIGNALS];            /* valid where has_timer */
	volatile sig_atomic_t has_timer[NUDGE_SIGNALS];
	pid_t pid;                               /* the process the timers belong to */
} nudge;

static void nudge_timer_set(int sig, long interval_ns)
{
	struct itimerspec it;
	memset(&it, 0, sizeof it);
	it.it_value.tv_nsec = interval_ns;
	it.it_interval.tv_nsec = interval_ns;
	if (nudge.has_timer[sig])
		timer_settime(nudge.timer[sig], 0, &it, NULL);
}

/* The default action, now: the Python handler could not run in time. */
static void nudge_give_up(int sig)
{
	struct sigaction dfl;
	nudge_timer_set(sig, 0);
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigaction(sig, &dfl, NULL);
	kill(getpid(), sig);
}

static void nudge_handler(int sig, siginfo_t *si, void *ctx)
{
	int saved = errno;
	const struct sigaction *py = &nudge.python[sig];
	if (py->sa_flags & SA_SIGINFO)
		py->sa_sigaction(sig, si, ctx);
	else if (py->sa_handler != SIG_DFL && py->sa_handler != SIG_IGN)
		py->sa_handler(sig);
	if (nudge.pid == getpid()) {
		if (!nudge.armed[sig]) {
			nudge.armed[sig] = 1;
			nudge.tries[sig] = 0;
			nudge_timer_set(sig, 100 * 1000 * 1000);
		} else if (!vt.dumping && ++nudge.tries[sig] > NUDGE_TRIES) {
			nudge_give_up(sig);
		}
	}
	errno = saved;
}

/* A timer that sends sig to the calling (main) thread; 0, or -1 with errno. */
static int nudge_timer_create(int sig)
{
	struct sigevent ev;
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = sig;
	ev.sigev_notify_thread_id = (pid_t)syscall(SYS_gettid);
	if (timer_create(CLOCK_MONOTONIC, &ev, &nudge.timer[sig]) < 0)
		return -1;
	nudge.has_timer[sig] = 1;
	return 0;
}

/* This process's timers (a fork child inherits none): one per wrapped signal. Called from
 * the main thread. */
static int nudge_start(int sig)
{
	if (nudge.pid != getpid()) {
		memset((void *)nudge.armed, 0, sizeof nudge.armed);
		memset((void *)nudge.has_timer, 0, sizeof nudge.has_timer);
		nudge.pid = getpid();
	}
	return nudge.has_timer[sig] ? 0 : nudge_timer_create(sig);
}

/* nudge_install(signum): wraps the handler Python just installed for signum. */
static PyObject *nudge_install(PyObject *m, PyObject *arg)
{
	(void)m;
	long sig = PyLong_AsLong(arg);
	if (sig == -1 && PyErr_Occurred())
		return NULL;
	if (sig <= 0 || sig >= NUDGE_SIGNALS) {
		PyErr_Format(PyExc_ValueError, "signal %ld out of range", sig);
		return NULL;
	}
	struct sigaction now, ours;
	if (sigaction((int)sig, NULL, &now) < 0 || nudge_start((int)sig) < 0)
		return PyErr_SetFromErrno(PyExc_OSError);
	if ((now.sa_flags & SA_SIGINFO) && now.sa_sigaction == nudge_handler)
		Py_RETURN_NONE;
	nudge.python[sig] = now;
	ours = now;
	ours.sa_flags |= SA_SIGINFO;
	ours.sa_sigaction = nudge_handler;
	if (sigaction((int)sig, &ours, NULL) < 0)
		return PyErr_SetFromErrno(PyExc_OSError);
	nudge.wrapped[sig] = 1;
	Py_RETURN_NONE;
}

/* nudge_ack(signum): its Python handler runs; no more nudges. */
static PyObject *nudge_ack(PyObject *m, PyObject *arg)
{
	(void)m;
	long sig = PyLong_AsLong(arg);
	if (sig > 0 && sig < NUDGE_SIGNALS) {
		nudge.armed[sig] = 0;
		nudge_timer_set((int)sig, 0);
	}
	PyErr_Clear();
	Py_RETURN_NONE;
}

/* nudge_after_fork(): timers do not survive a fork; the child makes its own. */
static PyObject *nudge_after_fork(PyObject *m, PyObject *unused)
{
	(void)m;
	(void)unused;
	for (int sig = 1; sig < NUDGE_SIGNALS; sig++)
		if (nudge.wrapped[sig] && nudge_start(sig) < 0)
			return PyErr_SetFromErrno(PyExc_OSError);
	Py_RETURN_NONE;
}

PyMethodDef vt_nudge_methods[] = {
	{"nudge_install", nudge_install, METH_O,
	 "nudge_install(signum): the signal terminates even if its Python handler cannot run"},
	{"nudge_ack", nudge_ack, METH_O, "nudge_ack(signum): the Python handler runs"},
	{"nudge_after_fork", nudge_after_fork, METH_NOARGS,
	 "nudge_after_fork(): the fork child's own timers"},
	{NULL, NULL, 0, NULL},
};
