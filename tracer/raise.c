/* SPDX-License-Identifier: MIT */
/* raise.c: --log-exceptions. Each raised exception becomes one instant (type, message) in
 * the function that raised it, whether it leaves that function or is caught there. The
 * events: sys.monitoring's RAISE on 3.12+ (Python registers _mon_raise under vtrace's tool
 * id); before 3.12, a C trace function that keeps only PyTrace_EXCEPTION. There is no
 * cheaper raise hook there, and it puts the interpreter on its tracing path (the cost is
 * in --help and vtrace(1)), so it is set only when the option is on. A thread whose trace
 * function is someone else's (a debugger, coverage) keeps it: there the exception is
 * recorded as it leaves its first frame (vt_record_exception), as before.
 *
 * Both events fire once in every frame an exception passes through (RAISE too: measured
 * on 3.12.1 and 3.13.0), and also where a loop consumes a StopIteration raised elsewhere.
 * An event is a new raise when the frame's own entry heads the exception's traceback and
 * the traceback had nothing before it (raised here, or by C code this frame called), or,
 * when it had, the exception neither came up from a callee (the entry before is a callee's
 * frame) nor is the one this thread met last (raise e, a generator's throw, contextlib
 * resetting __traceback__). That last exception is remembered by address only: no
 * reference, so its lifetime is the program's. A fresh raise never consults it, so an
 * address reused by a later exception cannot hide that one (exceptions do reuse addresses,
 * a loop's every time); only one raised with a traceback it was handed (with_traceback)
 * at the address of the last one, dead since, would be missed. */
#include "tracer/vt.h"

static __thread const void *last_exc; /* compared, never dereferenced */

/* Did the exception come to this frame (entry `tb`) from another frame or an earlier
 * raise? */
static int seen_before(PyObject *exc, PyTracebackObject *tb)
{
	PyTracebackObject *prev = tb->tb_next;
	if (!prev)
		return 0;
	if ((const void *)exc == last_exc)
		return 1;
	if (prev->tb_frame == tb->tb_frame)
		return 0;
	PyFrameObject *back = PyFrame_GetBack(prev->tb_frame);
	int from_callee = back == tb->tb_frame;
	Py_XDECREF(back);
	return from_callee;
}

/* The tracer's own code, and what the filters leave out, record no exceptions. */
static int code_recorded(PyObject *code, PyObject *globals)
{
	uint64_t key = vt_code_key(code, globals);
	return (uint32_t)key != VT_ID_SKIP && !(key & (VT_KEY_EXCLUDED | VT_KEY_IGNORE));
}

/* An exception event in the frame running `code` (`frame` where the event gives it), with
 * the exception's traceback as it is now (`tbo`, borrowed; before 3.12 the exception's
 * __traceback__ is set only once it is caught). */
static void on_raise(PyObject *exc, PyObject *tbo, PyObject *code, PyFrameObject *frame,
		     PyObject *globals)
{
	int t = vt.recording && PyExceptionInstance_Check(exc) ? vt_thread_recording(NULL) : -1;
	if (t < 0)
		return;
	vt_exc saved;
	vt_exc_save(&saved);
	PyTracebackObject *tb = tbo && PyTraceBack_Check(tbo) ? (PyTracebackObject *)tbo : NULL;
	int here = tb && (frame ? tb->tb_frame == frame : vt_pyframe_code(tb->tb_frame) == code);
	if (here && !seen_before(exc, tb) && code_recorded(code, globals))
		vt_record_raised(exc, t);
	if (here)
		last_exc = exc;
	vt_exc_restore(&saved);
}

#if VT_HAVE_MONITORING
static int raise_monitored; /* the RAISE callback is registered and its event on */

/* sys.monitoring RAISE: (code, offset, exception). Never fails: an error here would
 * replace the program's exception. */
static PyObject *mon_raise(PyObject *m, PyObject *const *args, Py_ssize_t n)
{
	(void)m;
	if (n < 3 || !PyCode_Check(args[0]) || !PyExceptionInstance_Check(args[2]))
		Py_RETURN_NONE;
	PyObject *tb = PyException_GetTraceback(args[2]);
	on_raise(args[2], tb, args[0], NULL, PyEval_GetGlobals());
	Py_XDECREF(tb);
	Py_RETURN_NONE;
}

static PyObject *set_raise_monitor(PyObject *m, PyObject *on)
{
	(void)m;
	raise_monitored = PyObject_IsTrue(on) == 1;
	PyErr_Clear();
	Py_RETURN_NONE;
}

PyMethodDef vt_raise_methods[] = {
	{"_mon_raise", (PyCFunction)(void (*)(void))mon_raise, METH_FASTCALL, "sys.monitoring RAISE callback"},
	{"set_raise_monitor", set_raise_monitor, METH_O, "set_raise_monitor(on): RAISE events record exceptions"},
	{NULL, NULL, 0, NULL},
};

int vt_raise_hooked(PyThreadState *ts)
{
	(void)ts;
	return raise_monitored;
}

void vt_raise_set(int on)
{
	(void)on; /* the Python package switches sys.monitoring */
}
#else
/* Line events are switched off frame by frame as the frames show up. Returns 0 always: an
 * error would replace the program's exception. */
static int vt_trace(PyObject *obj, PyFrameObject *frame, int what, PyObject *arg)
{
	(void)obj;
	frame->f_trace_lines = 0;
	if (what == PyTrace_EXCEPTION && arg && PyTuple_Check(arg) && PyTuple_GET_SIZE(arg) == 3)
		on_raise(PyTuple_GET_ITEM(arg, 1), PyTuple_GET_ITEM(arg, 2), vt_pyframe_code(frame),
			 frame, vt_pyframe_globals(frame));
	return 0;
}

PyMethodDef vt_raise_methods[] = {
	{NULL, NULL, 0, NULL},
};

int vt_raise_hooked(PyThreadState *ts)
{
	return ts->c_tracefunc == vt_trace;
}

/* Only a thread with no trace function gets ours, and only ours is taken off. */
static void set_thread(PyThreadState *ts, int on)
{
	if (on ? ts->c_tracefunc != NULL : ts->c_tracefunc != vt_trace)
		return;
	vt_exc saved;
	vt_exc_save(&saved);
	_PyEval_SetTrace(ts, on ? vt_trace : NULL, NULL);
	vt_exc_restore(&saved);
}

static void thread_added(uint32_t index, PyThreadState *ts)
{
	(void)index;
	if (vt.log_exc && vt.recording)
		set_thread(ts ? ts : PyThreadState_Get(), 1);
}

void vt_raise_set(int on)
{
	PyInterpreterState *interp = PyThreadState_Get()->interp;
	for (PyThreadState *t = PyInterpreterState_ThreadHead(interp); t; t = PyThreadState_Next(t))
		set_thread(t, on);
}
#endif

int vt_raise_observe(void)
{
#if VT_HAVE_MONITORING
	return 0; /* sys.monitoring's RAISE covers every thread */
#else
	static const vt_observer o = { .thread_added = thread_added };
	return vt_observe(&o);
#endif
}
