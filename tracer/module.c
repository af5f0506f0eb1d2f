/* SPDX-License-Identifier: MIT */
/* module.c: the _vtrace extension module, the C half of the `vtrace` package. The Python
 * half (vtrace/__init__.py) owns policy: options, when to dump, signals, fork, exit. */
#include "tracer/vt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/vtb.h"

static PyObject *vt_start(PyObject *m, PyObject *args)
{
	(void)m;
	unsigned long long cap;
	int c_calls, fresh = 0;
	if (!PyArg_ParseTuple(args, "Kp|p", &cap, &c_calls, &fresh))
		return NULL;
	if (cap < 16 || cap > (1ull << 40)) {
		PyErr_Format(PyExc_ValueError, "buffer size %llu is out of range (16 .. 2^40 events)", cap);
		return NULL;
	}
	if (vt.recording) {
		PyErr_SetString(PyExc_RuntimeError, "vtrace is already recording");
		return NULL;
	}
	if (vt_ring_alloc(cap) < 0)
		return PyErr_Format(PyExc_MemoryError, "cannot allocate a ring of %llu events (%llu bytes)",
				    cap, cap * (unsigned long long)sizeof(vt_record));
	if (fresh)
		vt_ring_clear();
	vt_hook_install(c_calls);
	vt_ring_set_state(VTB_RING_RECORDING);
	Py_RETURN_NONE;
}

static const char *const sticky_names[] = {
	"out of memory: some functions or threads were not named",
	"more than 65535 threads: the extra ones share one timeline",
	"more functions than ids",
};

/* Stops recording; returns the sticky problems met since the start, as a list of str. */
static PyObject *vt_stop(PyObject *m, PyObject *unused)
{
	(void)m;
	(void)unused;
	vt_hook_uninstall();
	vt_ring_set_state(VTB_RING_STOPPED);
	PyObject *list = PyList_New(0);
	for (unsigned i = 0; list && i < sizeof sticky_names / sizeof *sticky_names; i++) {
		if (!(vt.sticky & (1u << i)))
			continue;
		PyObject *s = PyUnicode_FromString(sticky_names[i]);
		if (!s || PyList_Append(list, s) < 0)
			Py_CLEAR(list);
		Py_XDECREF(s);
	}
	vt.sticky = 0;
	return list;
}

static PyObject *vt_clear(PyObject *m, PyObject *unused)
{
	(void)m;
	(void)unused;
	vt_ring_clear();
	Py_RETURN_NONE;
}

/* Names of threads that were running when the first tracer started ({ident: name}): they
 * end without telling theirs (their Thread._bootstrap_inner was not vtrace's). */
static PyObject *early_names;

/* The ident of the thread that started the interpreter: its oldest thread state. */
static uint64_t main_thread_ident(void)
{
	PyThreadState *ts = PyInterpreterState_ThreadHead(PyThreadState_Get()->interp);
	while (ts && PyThreadState_Next(ts))
		ts = PyThreadState_Next(ts);
	return ts ? (uint64_t)ts->thread_id : 0;
}

/* The name the dump gives a thread that has none and is no longer running, or NULL: its
 * name at the start, or MainThread in a program that never imported threading. */
static const char *fallback_name(uint64_t ident, PyObject *threading, PyObject *active)
{
	PyObject *id = PyLong_FromUnsignedLongLong(ident);
	PyObject *live = id && active && PyDict_Check(active) ? PyDict_GetItemWithError(active, id) : NULL;
	PyObject *n = id && !live && early_names ? PyDict_GetItemWithError(early_names, id) : NULL;
	Py_XDECREF(id);
	if (n && PyUnicode_Check(n))
		return PyUnicode_AsUTF8(n);
	return !threading && ident == main_thread_ident() ? "MainThread" : NULL;
}

static void name_unnamed_threads(void)
{
	vt_exc exc;
	vt_exc_save(&exc);
	PyObject *key = PyUnicode_FromString("threading");
	PyObject *threading = key ? PyImport_GetModule(key) : NULL;
	PyObject *active = threading ? PyObject_GetAttrString(threading, "_active") : NULL;
	for (uint32_t i = 0; i < vt.thread_count; i++) {
		const char *s = vt.threads[i].name ? NULL : fallback_name(vt.threads[i].ident, threading, active);
		if (s)
			vt.threads[i].name = strdup(s);
	}
	Py_XDECREF(key);
	Py_XDECREF(threading);
	Py_XDECREF(active);
	vt_exc_restore(&exc);
}

/* name_threads({ident: name}): the threads running as tracing starts. */
static PyObject *vt_name_threads(PyObject *m, PyObject *names)
{
	(void)m;
	if (!PyDict_Check(names))
		return PyErr_Format(PyExc_TypeError, "names must be a dict, not %.100s", Py_TYPE(names)->tp_name);
	Py_INCREF(names);
	Py_XSETREF(early_names, names);
	Py_RETURN_NONE;
}

/* A dump mode argument, or -1 with ValueError saying what is wrong with it. */
static int mode_ok(unsigned long long mode)
{
	const char *problem = vt_dump_mode_problem(mode);
	if (problem) {
		char text[32]; /* PyErr_Format has no octal */
		snprintf(text, sizeof text, "%04llo", mode);
		PyErr_Format(PyExc_ValueError, "dump mode %s: %s", text, problem);
	}
	return problem ? -1 : 0;
}

/* check_dump_mode(mode) -> mode, or ValueError saying why no dump may have it. */
static PyObject *vt_check_dump_mode(PyObject *m, PyObject *arg)
{
	(void)m;
	if (!PyLong_Check(arg) || PyBool_Check(arg))
		return PyErr_Format(PyExc_TypeError, "a dump mode must be an int, not %.100s",
				    Py_TYPE(arg)->tp_name);
	int overflow;
	long long mode = PyLong_AsLongLongAndOverflow(arg, &overflow);
	if (mode == -1 && PyErr_Occurred())
		return NULL;
	if (overflow || mode < 0)
		return PyErr_Format(PyExc_ValueError, "dump mode %R: not a file mode", arg);
	if (mode_ok((unsigned long long)mode) < 0)
		return NULL;
	Py_INCREF(arg);
	return arg;
}

static PyObject *vt_dump_py(PyObject *m, PyObject *args)
{
	(void)m;
	const char *pattern, *text = NULL;
	unsigned int reason;
	unsigned long long mode = VT_DUMP_MODE;
	if (!PyArg_ParseTuple(args, "sI|zK", &pattern, &reason, &text, &mode) || mode_ok(mode) < 0)
		return NULL;
	if (!vt.ring) {
		PyErr_SetString(PyExc_RuntimeError, "vtrace has not recorded anything yet");
		return NULL;
	}
	vt_dump_result res;
	char *cause = NULL;
	name_unnamed_threads();
	int rc = vt_dump(pattern, (unsigned)mode, reason, text, &res, &cause);
	PyObject *ret = NULL;
	if (rc < 0)
		PyErr_SetString(rc == VTB_E_NOMEM ? PyExc_MemoryError : PyExc_OSError,
				cause ? cause : vtb_strerror(rc));
	else
		ret = Py_BuildValue("(sKKKzK)", res.path, (unsigned long long)res.events,
				    (unsigned long long)res.dropped, (unsigned long long)res.data_lost,
				    res.asked, (unsigned long long)res.too_deep);
	free(cause);
	free(res.path);
	free(res.asked);
	return ret;
}

/* A str argument's UTF-8 (borrowed), or NULL with an exception set. */
static const char *str_arg(PyObject *o, const char *what)
{
	if (!PyUnicode_Check(o)) {
		PyErr_Format(PyExc_TypeError, "%s must be a str, not %.100s", what, Py_TYPE(o)->tp_name);
		return NULL;
	}
	return PyUnicode_AsUTF8(o);
}

/* Called by a thread as it ends, with its threading name (the name outlives the thread). */
static PyObject *vt_thread_ended(PyObject *m, PyObject *name)
{
	(void)m;
	int t = vt_tls_thread;
	const char *s = str_arg(name, "a thread name");
	if (!s)
		return NULL;
	if (t >= 0 && (uint32_t)t < vt.thread_count) {
		free(vt.threads[t].name);
		vt.threads[t].name = strdup(s);
		vt_ring_thread_named((uint32_t)t, s);
	}
	Py_RETURN_NONE;
}

/* Called by a thread as it starts, with its threading name: the ring file names it while
 * it runs (a crash report names the thread). */
static PyObject *vt_thread_started(PyObject *m, PyObject *name)
{
	(void)m;
	const char *s = str_arg(name, "name");
	if (!s)
		return NULL;
	int t = vt_tls_thread;
	if (t == -1 && vt.recording)
		t = vt_thread_register(PyThreadState_Get());
	if (t < -1)
		t = -t - 2;
	if (t >= 0 && (uint32_t)t < vt.thread_count)
		vt_ring_thread_named((uint32_t)t, s);
	Py_RETURN_NONE;
}

/* ring_config(dir, no_file, mode, err_fd): where the next ring goes (dir None: the
 * default), and where a file system that runs out of room under it is told of (-1: nowhere). */
static PyObject *vt_ring_config(PyObject *m, PyObject *args)
{
	(void)m;
	const char *dir;
	int no_file, err_fd = -1;
	unsigned long long mode = VT_DUMP_MODE;
	if (!PyArg_ParseTuple(args, "zp|Ki", &dir, &no_file, &mode, &err_fd) || mode_ok(mode) < 0)
		return NULL;
	vt_ring_configure(dir, no_file, (unsigned)mode);
	vt_space_set_err_fd(err_fd);
	Py_RETURN_NONE;
}

/* ring_info() -> (path or None, warning or None): the warning is given once. */
static PyObject *vt_ring_info(PyObject *m, PyObject *unused)
{
	(void)m;
	(void)unused;
	char *w = vt_ring_take_warning();
	PyObject *r = Py_BuildValue("(zz)", vt_ring_path(), w);
	free(w);
	return r;
}

static PyObject *vt_ring_dumped_py(PyObject *m, PyObject *arg)
{
	(void)m;
	const char *s = str_arg(arg, "path");
	if (!s)
		return NULL;
	vt_ring_dumped(s);
	Py_RETURN_NONE;
}

static PyObject *vt_ring_dump_signal_py(PyObject *m, PyObject *arg)
{
	(void)m;
	long sig = PyLong_AsLong(arg);
	if (sig == -1 && PyErr_Occurred())
		return NULL;
	if (sig < 0 || sig > 64) {
		PyErr_SetString(PyExc_ValueError, "ring_dump_signal: not a signal number");
		return NULL;
	}
	vt_ring_set_dump_signal((uint32_t)sig);
	Py_RETURN_NONE;
}

static PyObject *vt_ring_exit_py(PyObject *m, PyObject *arg)
{
	(void)m;
	int remove = PyObject_IsTrue(arg);
	if (remove < 0)
		return NULL;
	vt_ring_exit(remove);
	Py_RETURN_NONE;
}

static PyObject *vt_ring_ended_by_py(PyObject *m, PyObject *args)
{
	(void)m;
	int sig, remove;
	if (!PyArg_ParseTuple(args, "ip:ring_ended_by", &sig, &remove))
		return NULL;
	if (sig <= 0 || sig > 64) {
		PyErr_SetString(PyExc_ValueError, "ring_ended_by: not a signal number");
		return NULL;
	}
	vt_ring_ended_by((uint32_t)sig, remove);
	Py_RETURN_NONE;
}

static PyObject *vt_after_fork(PyObject *m, PyObject *unused)
{
	(void)m;
	(void)unused;
	vt_after_fork_child();
	vt_ring_after_fork();
	Py_RETURN_NONE;
}

/* shift_depth(levels) -> the depth before: the runner's levels below the program stop
 * counting (negative) toward the recursion limit, and count again (positive) once it is
 * done. shift_depth(0) reads the depth. */
static PyObject *vt_shift_depth(PyObject *m, PyObject *arg)
{
	(void)m;
	int levels = (int)PyLong_AsLong(arg);
	if (levels == -1 && PyErr_Occurred())
		return NULL;
	PyThreadState *ts = PyThreadState_Get();
	int before = vt_recursion_depth(ts);
	vt_recursion_shift(ts, levels);
	return PyLong_FromLong(before);
}

static PyObject *vt_set_skip(PyObject *m, PyObject *arg)
{
	(void)m;
	const char *s = str_arg(arg, "the prefix");
	char *copy = s ? strdup(s) : NULL;
	if (!copy)
		return s ? PyErr_NoMemory() : NULL;
	free(vt.skip_prefix);
	vt.skip_prefix = copy;
	Py_RETURN_NONE;
}

/* set_init_monitor(tool, set_local_events, events): where __init__ code goes (3.13);
 * set_local_events None: nowhere, the tool id is about to be freed. */
static PyObject *vt_set_init_monitor(PyObject *m, PyObject *args)
{
	(void)m;
	PyObject *fn;
	int tool, events;
	if (!PyArg_ParseTuple(args, "iOi", &tool, &fn, &events))
		return NULL;
	vt_init_monitor_set(tool, fn == Py_None ? NULL : fn, events);
	Py_RETURN_NONE;
}

static PyObject *vt_stats(PyObject *m, PyObject *unused)
{
	(void)m;
	(void)unused;
	return Py_BuildValue("{sKsKsKsisIsIsssKsKsK}", "capacity", (unsigned long long)vt.cap,
			     "total", (unsigned long long)vt.total, "record_bytes",
			     (unsigned long long)sizeof(vt_record), "recording", vt.recording,
			     "functions", vt.code_count, "threads", vt.thread_count,
			     "clock", vt.use_tsc ? "tsc" : "monotonic",
			     "arena_bytes", (unsigned long long)vt.arena.cap,
			     "arena_used", (unsigned long long)vt.arena.head,
			     "data_lost", (unsigned long long)vt.data_lost);
}

static PyMethodDef methods[] = {
	{"start", vt_start, METH_VARARGS, "start(buffer_size, c_calls, fresh=False): record into a ring of buffer_size events (emptied first when fresh)"},
	{"stop", vt_stop, METH_NOARGS, "stop() -> list of problems met while recording"},
	{"clear", vt_clear, METH_NOARGS, "clear(): empty the ring"},
	{"dump", vt_dump_py, METH_VARARGS, "dump(pattern, reason, text=None, mode=0o600) -> (path, events, dropped, data_lost, asked, too_deep)"},
	{"thread_ended", vt_thread_ended, METH_O, "thread_ended(name): the calling thread ends"},
	{"thread_started", vt_thread_started, METH_O, "thread_started(name): the calling thread starts"},
	{"check_dump_mode", vt_check_dump_mode, METH_O, "check_dump_mode(mode) -> mode, or ValueError"},
	{"ring_config", vt_ring_config, METH_VARARGS, "ring_config(dir, no_file, mode=0o600, err_fd=-1): where the next ring goes, its read bits, where a full file system is told of"},
	{"ring_info", vt_ring_info, METH_NOARGS, "ring_info() -> (ring file path or None, warning or None)"},
	{"ring_dumped", vt_ring_dumped_py, METH_O, "ring_dumped(path): the ring file's header says so"},
	{"ring_dump_signal", vt_ring_dump_signal_py, METH_O, "ring_dump_signal(signum): the ring file's header names the dump signal (0: none)"},
	{"ring_exit", vt_ring_exit_py, METH_O, "ring_exit(remove): a normal exit; the ring file goes when remove"},
	{"ring_ended_by", vt_ring_ended_by_py, METH_VARARGS,
	 "ring_ended_by(signum, remove): the process ends by the signal; the ring file goes when remove"},
	{"name_threads", vt_name_threads, METH_O, "name_threads({ident: name}): threads running as tracing starts"},
	{"after_fork_child", vt_after_fork, METH_NOARGS, "after_fork_child(): fresh ring in a child"},
	{"shift_depth", vt_shift_depth, METH_O, "shift_depth(levels) -> depth: move this thread's recursion depth"},
	{"set_skip_prefix", vt_set_skip, METH_O, "set_skip_prefix(dir): do not record code from files under dir"},
	{"set_init_monitor", vt_set_init_monitor, METH_VARARGS, "set_init_monitor(tool, set_local_events, events)"},
	{"stats", vt_stats, METH_NOARGS, "stats() -> dict"},
	{NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
	PyModuleDef_HEAD_INIT, "_vtrace", "vtrace's recorder (C)", -1, methods,
	NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__vtrace(void);

__attribute__((visibility("default"))) PyMODINIT_FUNC PyInit__vtrace(void)
{
	PyObject *m = PyModule_Create(&module);
	if (!m)
		return NULL;
	if (vt.extra_index < 0) {
		vt.extra_index = vt_request_extra_index();
		if (vt.extra_index < 0) {
			Py_DECREF(m);
			PyErr_SetString(PyExc_RuntimeError, "no free code-extra slot for vtrace");
			return NULL;
		}
		vt_clock_init();
		vt.depth_limit = UINT32_MAX;
		/* In the order the new thread's functions were set before the ring saw it. */
		if (vt_hook_observe() < 0 || vt_raise_observe() < 0 || vt_ring_observe() < 0) {
			Py_DECREF(m);
			PyErr_SetString(PyExc_RuntimeError, "vtrace: too many table observers");
			return NULL;
		}
	}
	if (PyModule_AddFunctions(m, vt_monitor_methods) < 0 ||
	    PyModule_AddFunctions(m, vt_raise_methods) < 0 ||
	    PyModule_AddFunctions(m, vt_data_methods) < 0 ||
	    PyModule_AddFunctions(m, vt_nudge_methods) < 0 ||
	    PyModule_AddFunctions(m, vt_config_methods) < 0 ||
	    PyModule_AddIntConstant(m, "ARENA_PER_EVENT", VT_ARENA_PER_EVENT) < 0 ||
	    PyModule_AddIntConstant(m, "ARENA_MIN", VT_ARENA_MIN) < 0 ||
	    PyModule_AddIntConstant(m, "HAVE_MONITORING", VT_HAVE_MONITORING) < 0 ||
	    PyModule_AddIntConstant(m, "INIT_BY_MONITORING", VT_INIT_BY_MONITORING) < 0 ||
	    PyModule_AddIntConstant(m, "RECORD_BYTES", (long)sizeof(vt_record)) < 0) {
		Py_DECREF(m);
		return NULL;
	}
	return m;
}
