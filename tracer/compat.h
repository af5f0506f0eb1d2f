/* SPDX-License-Identifier: MIT */
/* compat.h: every CPython version difference the tracer depends on (3.9 .. 3.13), in one place.
 *
 * Frames: 3.9/3.10 hand the frame-evaluation hook a PyFrameObject; 3.11+ an internal
 * _PyInterpreterFrame (Py_BUILD_CORE header), whose code moved from f_code to f_executable in
 * 3.13, and which 3.12+ also uses for C-stack shim frames that carry no Python code.
 */
#ifndef VTUI_TRACER_COMPAT_H
#define VTUI_TRACER_COMPAT_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#if PY_VERSION_HEX < 0x03090000 || PY_VERSION_HEX >= 0x030e0000
#error "vtrace supports CPython 3.9 to 3.13"
#endif
#ifdef Py_GIL_DISABLED
#error "vtrace's ring relies on the GIL: free-threaded builds are not supported"
#endif

#if PY_VERSION_HEX >= 0x030b0000
#define Py_BUILD_CORE 1
#include <internal/pycore_frame.h>
#undef Py_BUILD_CORE
typedef struct _PyInterpreterFrame vt_frame;
#else
#include <frameobject.h>
typedef PyFrameObject vt_frame;
#endif

typedef PyObject *(*vt_eval_fn)(PyThreadState *tstate, vt_frame *f, int throwflag);

/* sys.monitoring gives C calls more cheaply than the profile API from 3.12 on. */
#define VT_HAVE_MONITORING (PY_VERSION_HEX >= 0x030c0000)

/* 3.13's CALL_ALLOC_AND_ENTER_INIT enters a plain class's __init__ without the
 * frame-evaluation hook once the call site is specialized (unlike every other specialized
 * call, it does not check for a hook): those code objects are recorded through
 * sys.monitoring (PY_START, PY_RETURN, PY_UNWIND) instead. */
#define VT_INIT_BY_MONITORING (PY_VERSION_HEX >= 0x030d0000)

#if VT_INIT_BY_MONITORING
/* The frame running on a thread: a sys.monitoring callback's is the instrumented frame. */
static inline vt_frame *vt_current_frame(PyThreadState *ts)
{
	return ts->current_frame;
}
#endif

/* The code object a frame runs (borrowed), or NULL for a shim frame that runs none. */
static inline PyObject *vt_frame_code(vt_frame *f)
{
#if PY_VERSION_HEX >= 0x030d0000
	if (f->owner == FRAME_OWNED_BY_CSTACK || !PyCode_Check(f->f_executable))
		return NULL;
	return f->f_executable;
#elif PY_VERSION_HEX >= 0x030c0000
	if (f->owner == FRAME_OWNED_BY_CSTACK)
		return NULL;
	return (PyObject *)f->f_code;
#else
	return (PyObject *)f->f_code;
#endif
}

/* 3.11+ evaluate a generator function's frame once when the generator is created, up to
 * RETURN_GENERATOR; that is no resumption, so it is not recorded. Its frame belongs to the
 * thread then and to the generator afterwards. */
static inline int vt_frame_creates_generator(vt_frame *f, PyObject *code)
{
#if PY_VERSION_HEX >= 0x030b0000
	return f->owner == FRAME_OWNED_BY_THREAD &&
	       (((PyCodeObject *)code)->co_flags & (CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR));
#else
	(void)f;
	(void)code;
	return 0;
#endif
}

/* The code object of the frame running on the thread as the hook is about to run another
 * (borrowed), or NULL: the caller, or the frame that resumed a generator. (A frame's own
 * `previous` is not set yet when the hook sees it from 3.12 on.) */
static inline PyObject *vt_caller_code(PyThreadState *ts)
{
#if PY_VERSION_HEX >= 0x030d0000
	return ts->current_frame ? vt_frame_code(ts->current_frame) : NULL;
#elif PY_VERSION_HEX >= 0x030b0000
	return ts->cframe && ts->cframe->current_frame ? vt_frame_code(ts->cframe->current_frame) : NULL;
#else
	return ts->frame ? (PyObject *)ts->frame->f_code : NULL;
#endif
}

/* The frame's globals (borrowed; may be NULL). */
static inline PyObject *vt_frame_globals(vt_frame *f)
{
	return f->f_globals;
}

/* The name to show for a code object (borrowed): the qualified name where the code has one. */
static inline PyObject *vt_code_qualname(PyCodeObject *co)
{
#if PY_VERSION_HEX >= 0x030b0000
	return co->co_qualname;
#else
	return co->co_name;
#endif
}

/* co_extra: the tracer caches its id for a code object there. Reading it is the hot path,
 * so it is read directly: the layout below is CPython's private _PyCodeObjectExtra
 * (Objects/codeobject.c), the same from 3.6 to 3.13. Writing goes through the API. */
typedef struct vt_code_extra_layout {
	Py_ssize_t ce_size;
	void *ce_extras[1];
} vt_code_extra_layout;

static inline void *vt_code_extra(PyObject *code, Py_ssize_t index)
{
	const vt_code_extra_layout *x = (const vt_code_extra_layout *)((PyCodeObject *)code)->co_extra;
	return (x && index < x->ce_size) ? x->ce_extras[index] : NULL;
}

static inline int vt_code_set_extra(PyObject *code, Py_ssize_t index, void *value)
{
#if PY_VERSION_HEX >= 0x030c0000
	return PyUnstable_Code_SetExtra(code, index, value);
#else
	return _PyCode_SetExtra(code, index, value);
#endif
}

static inline Py_ssize_t vt_request_extra_index(void)
{
#if PY_VERSION_HEX >= 0x030c0000
	return PyUnstable_Eval_RequestCodeExtraIndex(NULL);
#else
	return _PyEval_RequestCodeExtraIndex(NULL);
#endif
}

/* The pending exception, kept aside while the tracer runs code that could disturb it. */
typedef struct vt_exc {
#if PY_VERSION_HEX >= 0x030c0000
	PyObject *exc;
#else
	PyObject *type, *value, *tb;
#endif
} vt_exc;

static inline void vt_exc_save(vt_exc *e)
{
#if PY_VERSION_HEX >= 0x030c0000
	e->exc = PyErr_GetRaisedException();
#else
	PyErr_Fetch(&e->type, &e->value, &e->tb);
#endif
}

/* Drops whatever the tracer raised meanwhile and puts the saved exception back. */
static inline void vt_exc_restore(vt_exc *e)
{
	PyErr_Clear();
#if PY_VERSION_HEX >= 0x030c0000
	PyErr_SetRaisedException(e->exc);
#else
	PyErr_Restore(e->type, e->value, e->tb);
#endif
}

/* The exception kept aside: its value (borrowed; normalized first before 3.12) and its
 * traceback (borrowed; NULL when none). */
static inline PyObject *vt_exc_value(vt_exc *e)
{
#if PY_VERSION_HEX >= 0x030c0000
	return e->exc;
#else
	if (e->type)
		PyErr_NormalizeException(&e->type, &e->value, &e->tb);
	return e->value;
#endif
}

static inline PyObject *vt_exc_traceback(vt_exc *e)
{
#if PY_VERSION_HEX >= 0x030c0000
	PyObject *tb = e->exc ? PyException_GetTraceback(e->exc) : NULL;
	Py_XDECREF(tb); /* the exception holds it */
	return tb;
#else
	return e->tb;
#endif
}

/* Local i of a frame about to run (borrowed; NULL when unset) and its name (borrowed).
 * Arguments come first, in both layouts. */
static inline PyObject *vt_frame_local(vt_frame *f, int i)
{
#if PY_VERSION_HEX >= 0x030b0000
	return f->localsplus[i];
#else
	return f->f_localsplus[i];
#endif
}

static inline PyObject *vt_code_local_name(PyCodeObject *co, int i)
{
#if PY_VERSION_HEX >= 0x030b0000
	return PyTuple_GET_ITEM(co->co_localsplusnames, i);
#else
	return PyTuple_GET_ITEM(co->co_varnames, i);
#endif
}

/* The code object of a frame object (borrowed). */
static inline PyObject *vt_pyframe_code(PyFrameObject *f)
{
#if PY_VERSION_HEX >= 0x030d0000
	return f->f_frame->f_executable;
#elif PY_VERSION_HEX >= 0x030b0000
	return (PyObject *)f->f_frame->f_code;
#else
	return (PyObject *)f->f_code;
#endif
}

/* The globals of a frame object (borrowed). */
static inline PyObject *vt_pyframe_globals(PyFrameObject *f)
{
#if PY_VERSION_HEX >= 0x030b0000
	return f->f_frame->f_globals;
#else
	return f->f_globals;
#endif
}

/* The C stack. With a frame-evaluation hook every Python call is a C call into the
 * evaluator: 3.11+ no longer run Python-to-Python calls inside one C frame. From 3.12 each
 * evaluator entry also costs PY_EVAL_C_STACK_UNITS (2, ceval.c) of the C recursion budget,
 * which an inlined call does not: a program 800 calls deep would meet RecursionError on
 * 3.12 (budget 1500) under the hook only. The hook gives those units back (vt_c_budget) and
 * guards the real stack itself (vt_stack_low in vt.h). */
#if PY_VERSION_HEX >= 0x030c0000
#define VT_EVAL_C_UNITS 2
static inline void vt_c_budget(PyThreadState *ts, int units)
{
	ts->c_recursion_remaining += units;
}
#else
#define VT_EVAL_C_UNITS 0
static inline void vt_c_budget(PyThreadState *ts, int units)
{
	(void)ts;
	(void)units;
}
#endif

/* Refuses to run a frame for want of C stack: the RecursionError CPython raises when a
 * frame enters past its limit, through the evaluator's own check (3.11+: the evaluator
 * unlinks and frees the frame; 3.12+ it must, as only it can), or, before 3.11, where
 * that check is the evaluator's first statement, as it does. */
static inline PyObject *vt_eval_refuse(PyThreadState *ts, vt_frame *f, int throwflag, vt_eval_fn eval)
{
#if PY_VERSION_HEX >= 0x030c0000
	int saved = ts->c_recursion_remaining;
	ts->c_recursion_remaining = -1;
	PyObject *r = eval(ts, f, throwflag);
	ts->c_recursion_remaining = saved;
	return r;
#elif PY_VERSION_HEX >= 0x030b0000
	int saved = ts->recursion_remaining;
	ts->recursion_remaining = 0;
	PyObject *r = eval(ts, f, throwflag);
	ts->recursion_remaining = saved;
	return r;
#else
	(void)ts;
	(void)f;
	(void)throwflag;
	(void)eval;
	PyErr_SetString(PyExc_RecursionError, "maximum recursion depth exceeded");
	return NULL;
#endif
}

/* The calling thread's recursion depth as the limit sees it, and a move of it by `frames`
 * (negative: shallower), for the command-line runner's levels below the program's own. */
static inline int vt_recursion_depth(PyThreadState *ts)
{
#if PY_VERSION_HEX >= 0x030c0000
	return ts->py_recursion_limit - ts->py_recursion_remaining;
#elif PY_VERSION_HEX >= 0x030b0000
	return ts->recursion_limit - ts->recursion_remaining;
#else
	return ts->recursion_depth;
#endif
}

static inline void vt_recursion_shift(PyThreadState *ts, int frames)
{
#if PY_VERSION_HEX >= 0x030c0000
	ts->py_recursion_remaining -= frames;
#elif PY_VERSION_HEX >= 0x030b0000
	ts->recursion_remaining -= frames;
#else
	ts->recursion_depth += frames;
#endif
}

#if !VT_HAVE_MONITORING
/* Set (func non-NULL) or clear the C profile function of one thread. */
static inline void vt_set_thread_profile(PyThreadState *ts, Py_tracefunc func)
{
	_PyEval_SetProfile(ts, func, NULL);
}
#endif

#endif
