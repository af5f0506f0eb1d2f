/* SPDX-License-Identifier: MIT */
/* nudge.c: makes sure a terminating signal that vtrace handles in Python (to dump first)
 * still terminates. Python runs a signal handler only between bytecodes of the main
 * thread: a signal that lands just before the main thread blocks in C (a multiprocessing
 * worker taking its queue's lock as Pool.terminate() sends SIGTERM) would wait for ever,
 * where the default action would have killed the process at once. So a C handler wraps
 * CPython's, and a watchdog thread re-sends the signal to the main thread every 100 ms
 * (which interrupts the blocking call, so the Python handler runs) until the Python
 * handler says it runs (nudge_ack); after NUDGE_TRIES it gives up on the dump and lets the
 * default action end the process, as it would have without vtrace.
 * Only for signals whose disposition before vtrace was the default action. The C handler
 * only calls CPython's handler, stores a flag and posts a semaphore: async-signal-safe. */
#include "tracer/vt.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NUDGE_TRIES 30           /* 100 ms apart */
#define NUDGE_SIGNALS 65

static struct {
	struct sigaction python[NUDGE_SIGNALS];  /* CPython's handler, called first */
	volatile sig_atomic_t armed[NUDGE_SIGNALS]; /* came, and its Python handler has not run */
	volatile sig_atomic_t wrapped[NUDGE_SIGNALS];
	sem_t wake;
	pthread_t main_thread;
	pid_t pid;                               /* the process the watchdog runs in */
} nudge;

static void nudge_handler(int sig, siginfo_t *si, void *ctx)
{
	int saved = errno;
	const struct sigaction *py = &nudge.python[sig];
	if (py->sa_flags & SA_SIGINFO)
		py->sa_sigaction(sig, si, ctx);
	else if (py->sa_handler != SIG_DFL && py->sa_handler != SIG_IGN)
		py->sa_handler(sig);
	if (!nudge.armed[sig] && nudge.pid == getpid()) {
		nudge.armed[sig] = 1;
		sem_post(&nudge.wake);
	}
	errno = saved;
}

/* The default action, now: the Python handler could not run in time. */
static void nudge_give_up(int sig)
{
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigaction(sig, &dfl, NULL);
	kill(getpid(), sig);
}

static void nudge_signal(int sig)
{
	struct timespec pause = { 0, 100 * 1000 * 1000 };
	for (int i = 0; i < NUDGE_TRIES && nudge.armed[sig]; i++) {
		while (nanosleep(&pause, &pause) < 0 && errno == EINTR)
			;
		pause.tv_nsec = 100 * 1000 * 1000;
		if (nudge.armed[sig])
			pthread_kill(nudge.main_thread, sig);
	}
	if (nudge.armed[sig])
		nudge_give_up(sig);
}

static void *nudge_main(void *unused)
{
	(void)unused;
	for (;;) {
		while (sem_wait(&nudge.wake) < 0 && errno == EINTR)
			;
		for (int sig = 1; sig < NUDGE_SIGNALS; sig++)
			if (nudge.armed[sig])
				nudge_signal(sig);
	}
	return NULL;
}

/* Starts the watchdog in this process (once per process; a fork child starts its own),
 * with every signal blocked in it. Called from the main thread. */
static int nudge_start(void)
{
	if (nudge.pid == getpid())
		return 0;
	sigset_t all, old;
	pthread_t th;
	nudge.pid = 0;
	if (sem_init(&nudge.wake, 0, 0) < 0)
		return -1;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&th, NULL, nudge_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return -1;
	pthread_detach(th);
	nudge.main_thread = pthread_self();
	memset((void *)nudge.armed, 0, sizeof nudge.armed);
	nudge.pid = getpid();
	return 0;
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
	if (sigaction((int)sig, NULL, &now) < 0 || nudge_start() < 0)
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
	if (sig > 0 && sig < NUDGE_SIGNALS)
		nudge.armed[sig] = 0;
	PyErr_Clear();
	Py_RETURN_NONE;
}

/* nudge_after_fork(): the watchdog did not survive the fork; the child starts its own. */
static PyObject *nudge_after_fork(PyObject *m, PyObject *unused)
{
	(void)m;
	(void)unused;
	int any = 0;
	for (int sig = 1; sig < NUDGE_SIGNALS; sig++)
		any |= nudge.wrapped[sig];
	if (any && nudge_start() < 0)
		return PyErr_SetFromErrno(PyExc_OSError);
	Py_RETURN_NONE;
}

PyMethodDef vt_nudge_methods[] = {
	{"nudge_install", nudge_install, METH_O,
	 "nudge_install(signum): the signal terminates even if its Python handler cannot run"},
	{"nudge_ack", nudge_ack, METH_O, "nudge_ack(signum): the Python handler runs"},
	{"nudge_after_fork", nudge_after_fork, METH_NOARGS,
	 "nudge_after_fork(): restart the watchdog in a fork child"},
	{NULL, NULL, 0, NULL},
};
