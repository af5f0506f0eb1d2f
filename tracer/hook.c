/* hook.c: the hot path. A PEP 523 frame-evaluation hook records every Python frame; C calls
 * come from sys.monitoring (3.12+) or the profile API, only when asked for. */
#include "tracer/vt.h"

/* Every Python frame of every thread passes here, generator resumptions included: each
 * resumption is a call and each yield ends it. */
static PyObject *vt_eval(PyThreadState *ts, vt_frame *f, int throwflag)
{
	PyObject *code = vt_frame_code(f);
	if (VT_UNLIKELY(!vt.recording || !code))
		return vt.prev_eval(ts, f, throwflag);
	uint64_t key = vt_code_key(code, vt_frame_globals(f));
	if (VT_UNLIKELY((key & VT_KEY_NOT_HOOKED) || vt_frame_creates_generator(f, code)))
		return vt.prev_eval(ts, f, throwflag);
	uint32_t id = (uint32_t)key;
	uint16_t th = vt_thread_index(ts);
	vt_push(vt_ticks(), id, th, VT_BEGIN);
	PyObject *r = vt.prev_eval(ts, f, throwflag);
	vt_push(vt_ticks(), id, th, r ? VT_END : VT_END_EXC);
	return r;
}

/* Id of a C function (builtin or method); descriptors and bound builtins share their
 * PyMethodDef, hence one id. */
uint32_t vt_cfunc_id(PyObject *func)
{
	const void *key;
	if (PyCFunction_Check(func))
		key = ((PyCFunctionObject *)func)->m_ml;
	else if (Py_IS_TYPE(func, &PyMethodDescr_Type))
		key = ((PyMethodDescrObject *)func)->d_method;
	else
		return VT_ID_UNKNOWN;
	return vt_cfunc_register(func, key);
}

static inline int is_c_function(PyObject *func)
{
	return PyCFunction_Check(func) || Py_IS_TYPE(func, &PyMethodDescr_Type);
}

/* C calls made by code the tracer does not record (its own) are not recorded either. */
static void c_event(PyObject *code, PyObject *func, uint16_t kind)
{
	if (!vt.recording || !is_c_function(func))
		return;
	if (code && PyCode_Check(code) && vt_code_id(code, PyEval_GetGlobals()) == VT_ID_SKIP)
		return;
	uint16_t th = vt_thread_index(NULL);
	vt_push(vt_ticks(), vt_cfunc_id(func), th, kind);
}

#if VT_HAVE_MONITORING
/* sys.monitoring callbacks: (code, offset, callable, arg0). */
static PyObject *mon_event(PyObject *const *args, Py_ssize_t n, uint16_t kind)
{
	if (n >= 3)
		c_event(args[0], args[2], kind);
	Py_RETURN_NONE;
}

static PyObject *mon_call(PyObject *m, PyObject *const *args, Py_ssize_t n)
{
	(void)m;
	return mon_event(args, n, VT_C_BEGIN);
}

static PyObject *mon_c_return(PyObject *m, PyObject *const *args, Py_ssize_t n)
{
	(void)m;
	return mon_event(args, n, VT_C_END);
}

static PyObject *mon_c_raise(PyObject *m, PyObject *const *args, Py_ssize_t n)
{
	(void)m;
	return mon_event(args, n, VT_C_END_EXC);
}

#if VT_INIT_BY_MONITORING
/* PY_START, PY_RETURN, PY_UNWIND of code the hook passes through: (code, offset, ...). */
static PyObject *mon_py(PyObject *const *args, Py_ssize_t n, uint16_t kind)
{
	if (!vt.recording || n < 1 || !PyCode_Check(args[0]))
		Py_RETURN_NONE;
	void *p = vt_code_extra(args[0], vt.extra_index);
	uint64_t key = p ? (uint64_t)(uintptr_t)p - 1 : 0;
	if ((key & VT_KEY_NOT_HOOKED) && (uint32_t)key != VT_ID_SKIP)
		vt_push(vt_ticks(), (uint32_t)key, vt_thread_index(NULL), kind);
	Py_RETURN_NONE;
}

static PyObject *mon_py_start(PyObject *m, PyObject *const *args, Py_ssize_t n)
{
	(void)m;
	return mon_py(args, n, VT_BEGIN);
}

static PyObject *mon_py_return(PyObject *m, PyObject *const *args, Py_ssize_t n)
{
	(void)m;
	return mon_py(args, n, VT_END);
}

static PyObject *mon_py_unwind(PyObject *m, PyObject *const *args, Py_ssize_t n)
{
	(void)m;
	return mon_py(args, n, VT_END_EXC);
}

#define VT_INIT_METHODS \
	{"_mon_py_start", (PyCFunction)(void (*)(void))mon_py_start, METH_FASTCALL, "sys.monitoring PY_START callback"}, \
	{"_mon_py_return", (PyCFunction)(void (*)(void))mon_py_return, METH_FASTCALL, "sys.monitoring PY_RETURN callback"}, \
	{"_mon_py_unwind", (PyCFunction)(void (*)(void))mon_py_unwind, METH_FASTCALL, "sys.monitoring PY_UNWIND callback"},
#else
#define VT_INIT_METHODS
#endif

PyMethodDef vt_monitor_methods[] = {
	VT_INIT_METHODS
	{"_mon_call", (PyCFunction)(void (*)(void))mon_call, METH_FASTCALL, "sys.monitoring CALL callback"},
	{"_mon_c_return", (PyCFunction)(void (*)(void))mon_c_return, METH_FASTCALL, "sys.monitoring C_RETURN callback"},
	{"_mon_c_raise", (PyCFunction)(void (*)(void))mon_c_raise, METH_FASTCALL, "sys.monitoring C_RAISE callback"},
	{NULL, NULL, 0, NULL},
};

/* From 3.12 the Python package switches sys.monitoring on and off. */
static void c_calls_set(int on)
{
	(void)on;
}
#else
static int vt_profile(PyObject *obj, PyFrameObject *frame, int what, PyObject *arg)
{
	(void)obj;
	PyObject *code = frame ? vt_pyframe_code(frame) : NULL;
	if (what == PyTrace_C_CALL)
		c_event(code, arg, VT_C_BEGIN);
	else if (what == PyTrace_C_RETURN)
		c_event(code, arg, VT_C_END);
	else if (what == PyTrace_C_EXCEPTION)
		c_event(code, arg, VT_C_END_EXC);
	return 0;
}

PyMethodDef vt_monitor_methods[] = {
	{NULL, NULL, 0, NULL},
};

void vt_hook_thread_started(PyThreadState *ts)
{
	vt_exc exc;
	vt_exc_save(&exc);
	vt_set_thread_profile(ts, vt_profile);
	vt_exc_restore(&exc);
}

/* The profile API is per thread: set it on every thread alive; new ones get it at their
 * first event (vt_thread_register). */
static void c_calls_set(int on)
{
	PyInterpreterState *interp = PyThreadState_Get()->interp;
	for (PyThreadState *t = PyInterpreterState_ThreadHead(interp); t; t = PyThreadState_Next(t))
		vt_set_thread_profile(t, on ? vt_profile : NULL);
}
#endif

/* Chains to whatever hook was installed before (normally CPython's default evaluator). */
int vt_hook_install(int c_calls)
{
	PyInterpreterState *interp = PyThreadState_Get()->interp;
	if (!vt.installed) {
		_PyFrameEvalFunction cur = _PyInterpreterState_GetEvalFrameFunc(interp);
		if (cur != (_PyFrameEvalFunction)vt_eval)
			vt.prev_eval = (vt_eval_fn)cur;
		_PyInterpreterState_SetEvalFrameFunc(interp, (_PyFrameEvalFunction)vt_eval);
		vt.installed = 1;
	}
	vt.c_calls = c_calls;
	vt.start_ticks = vt_ticks();
	vt.recording = 1;
	if (c_calls)
		c_calls_set(1);
	return 0;
}

/* Unchains the hook if it is still on top; else it stays, passing frames through. */
void vt_hook_uninstall(void)
{
	PyInterpreterState *interp = PyThreadState_Get()->interp;
	vt.recording = 0;
	if (vt.c_calls)
		c_calls_set(0);
	vt.c_calls = 0;
	if (vt.installed && _PyInterpreterState_GetEvalFrameFunc(interp) == (_PyFrameEvalFunction)vt_eval) {
		_PyInterpreterState_SetEvalFrameFunc(interp, (_PyFrameEvalFunction)vt.prev_eval);
		vt.installed = 0;
	}
}
