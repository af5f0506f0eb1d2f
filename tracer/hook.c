/* SPDX-License-Identifier: MIT */
/* hook.c: the hot path. A PEP 523 frame-evaluation hook records every Python frame; C calls
 * come from sys.monitoring (3.12+) or the profile API, only when asked for. */
#include "tracer/vt.h"

static PyObject *vt_eval_general(PyThreadState *ts, vt_frame *f, int throwflag, PyObject *code,
				 uint64_t key);

/* The end word of a call from its begin word: VT_END, or VT_END_EXC when it raised. */
static inline uint64_t end_word(uint64_t begin, PyObject *r)
{
	return begin + (r ? VT_WORD_KIND(VT_END - VT_BEGIN) : VT_WORD_KIND(VT_END_EXC - VT_BEGIN));
}

/* The lean hook's slow path, out of line so that the common path saves fewer registers:
 * the first sight of a code object, keys with a flag (filtered, decorated, not hooked:
 * the general path), threads that record nothing, generator code. */
static __attribute__((noinline)) PyObject *lean_slow(PyThreadState *ts, vt_frame *f, int throwflag,
						     PyObject *code)
{
	uint64_t key = vt_code_key(code, vt_frame_globals(f));
	uint64_t flags = key & VT_KEY_FLAGS & ~VT_KEY_GENERATOR;
	/* Filtered out: nothing to decide per call. */
	if (flags == VT_KEY_EXCLUDED)
		return vt.prev_eval(ts, f, throwflag);
	int t = vt_tls_thread;
	if (flags || t < 0)
		return vt_eval_general(ts, f, throwflag, code, key);
	if (vt_frame_creates_generator(f, code))
		return vt.prev_eval(ts, f, throwflag);
	uint64_t word = vt_word((uint32_t)key, (uint16_t)t, VT_BEGIN);
	vt_push_word(vt_ticks(), word);
	PyObject *r = vt.prev_eval(ts, f, throwflag);
	vt_push_word(vt_ticks(), end_word(word, r));
	return r;
}

/* The lean hook's clock, chosen once at install: `tsc` is a constant in each hook. */
static inline __attribute__((always_inline)) uint64_t lean_ticks(int tsc)
{
#if VT_HAVE_TSC
	if (tsc)
		return __rdtsc();
#endif
	(void)tsc;
	return vt_mono_ns();
}

/* Every Python frame of every thread passes here, generator resumptions included: each
 * resumption is a call and each yield ends it. A code object without a key yet reads as
 * all ones, a flag: it goes the slow way with the other flags. */
static inline __attribute__((always_inline)) PyObject *eval_lean(PyThreadState *ts, vt_frame *f,
								  int throwflag, int tsc)
{
	PyObject *code = vt_frame_code(f);
	if (VT_UNLIKELY(!vt.recording || !code))
		return vt.prev_eval(ts, f, throwflag);
	uint64_t key = (uint64_t)(uintptr_t)vt_code_extra(code, vt.extra_index) - 1;
	int t = vt_tls_thread;
	if (VT_UNLIKELY((key & VT_KEY_FLAGS) || t < 0))
		return lean_slow(ts, f, throwflag, code);
	uint64_t word = vt_word((uint32_t)key, (uint16_t)t, VT_BEGIN);
	vt_push_word(lean_ticks(tsc), word);
	PyObject *r = vt.prev_eval(ts, f, throwflag);
	vt_push_word(lean_ticks(tsc), end_word(word, r));
	return r;
}

/* The hook of runs that need the general path for every frame: a maximum depth, arguments,
 * return values or exceptions. */
static inline PyObject *eval_full(PyThreadState *ts, vt_frame *f, int throwflag)
{
	PyObject *code = vt_frame_code(f);
	if (VT_UNLIKELY(!vt.recording || !code))
		return vt.prev_eval(ts, f, throwflag);
	return vt_eval_general(ts, f, throwflag, code, vt_code_key(code, vt_frame_globals(f)));
}

/* The hooks proper: the C stack guard and the C recursion budget (compat.h) around the two
 * bodies above. Past the guard a frame does not run: RecursionError, as CPython raises when
 * a program recurses deeper than its stack (it is not recorded, as it never started). */
static PyObject *vt_eval(PyThreadState *ts, vt_frame *f, int throwflag)
{
	if (VT_UNLIKELY(vt_stack_low()))
		return vt_eval_refuse(ts, f, throwflag, vt.prev_eval);
	vt_c_budget(ts, VT_EVAL_C_UNITS);
	PyObject *r = eval_lean(ts, f, throwflag, 1);
	vt_c_budget(ts, -VT_EVAL_C_UNITS);
	return r;
}

static PyObject *vt_eval_mono(PyThreadState *ts, vt_frame *f, int throwflag)
{
	if (VT_UNLIKELY(vt_stack_low()))
		return vt_eval_refuse(ts, f, throwflag, vt.prev_eval);
	vt_c_budget(ts, VT_EVAL_C_UNITS);
	PyObject *r = eval_lean(ts, f, throwflag, 0);
	vt_c_budget(ts, -VT_EVAL_C_UNITS);
	return r;
}

static PyObject *vt_eval_full(PyThreadState *ts, vt_frame *f, int throwflag)
{
	if (VT_UNLIKELY(vt_stack_low()))
		return vt_eval_refuse(ts, f, throwflag, vt.prev_eval);
	vt_c_budget(ts, VT_EVAL_C_UNITS);
	PyObject *r = eval_full(ts, f, throwflag);
	vt_c_budget(ts, -VT_EVAL_C_UNITS);
	return r;
}

static PyObject *run_paused(PyThreadState *ts, vt_frame *f, int throwflag)
{
	int old = vt_thread_pause();
	PyObject *r = vt.prev_eval(ts, f, throwflag);
	vt_thread_resume(old);
	return r;
}

static PyObject *record_call(PyThreadState *ts, vt_frame *f, int throwflag, PyObject *code,
			     uint64_t key, int t, uint32_t depth)
{
	uint32_t id = (uint32_t)key;
	vt_tls_depth = depth + 1;
	vt_push(vt_ticks(), id, (uint16_t)t, VT_BEGIN);
	if (vt.log_args)
		vt_record_args(f, code, t);
	int sparse = (key & VT_KEY_SPARSE) != 0;
	int old = sparse ? vt_thread_pause() : t;
	PyObject *r = vt.prev_eval(ts, f, throwflag);
	if (sparse)
		vt_thread_resume(old);
	if (!r) {
		if (vt.log_exc && !vt_raise_hooked(ts))
			vt_record_exception(t);
		vt_push(vt_ticks(), id, (uint16_t)t, VT_END_EXC);
	} else {
		vt_push(vt_ticks(), id, (uint16_t)t, VT_END);
		if (vt.log_retval)
			vt_record_retval(r, t);
	}
	vt_tls_depth = depth;
	return r;
}

/* Filters, decorators, depth and data. An excluded function runs untouched (its callees
 * are still looked at); an ignored one, or one past the depth limit, runs with its thread
 * paused, so nothing below it costs more than a flag test. */
static PyObject *vt_eval_general(PyThreadState *ts, vt_frame *f, int throwflag, PyObject *code,
				 uint64_t key)
{
	if ((key & VT_KEY_NOT_HOOKED) || vt_frame_creates_generator(f, code))
		return vt.prev_eval(ts, f, throwflag);
	int t = vt_thread_recording(ts);
	if (t < 0 || (key & (VT_KEY_EXCLUDED | VT_KEY_IGNORE | VT_KEY_SPARSE)) == VT_KEY_EXCLUDED)
		return vt.prev_eval(ts, f, throwflag);
	uint32_t depth = vt_tls_depth;
	if ((key & VT_KEY_IGNORE) || depth >= vt.depth_limit)
		return run_paused(ts, f, throwflag);
	return record_call(ts, f, throwflag, code, key, t, depth);
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

/* C calls made by code the tracer does not record (its own) are not recorded either, nor
 * those the filters exclude, nor those below the depth limit (C calls do not count as a
 * level: the depth is the same at their begin and their end). */
static void c_event(PyObject *code, PyObject *func, uint16_t kind)
{
	if (!vt.recording || !is_c_function(func))
		return;
	if (code && PyCode_Check(code) && (uint32_t)vt_code_key_here(code) == VT_ID_SKIP)
		return;
	int th = vt_thread_recording(NULL);
	if (th < 0 || vt_tls_depth >= vt.depth_limit)
		return;
	uint32_t id = vt_cfunc_id(func);
	if (vt.filters && id != VT_ID_UNKNOWN && (vt_code_flags(id) & VT_KEY_EXCLUDED))
		return;
	vt_push(vt_ticks(), id, (uint16_t)th, kind);
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
	/* A run with other filters reads another co_extra slot: the key may be missing there. */
	uint64_t key = vt_code_key_here(args[0]);
	int th;
	if ((key & VT_KEY_NOT_HOOKED) && (uint32_t)key != VT_ID_SKIP &&
	    !(key & (VT_KEY_EXCLUDED | VT_KEY_IGNORE)) && (th = vt_thread_recording(NULL)) >= 0)
		vt_push(vt_ticks(), (uint32_t)key, (uint16_t)th, kind);
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

static int is_mine(_PyFrameEvalFunction fn)
{
	return fn == (_PyFrameEvalFunction)vt_eval || fn == (_PyFrameEvalFunction)vt_eval_mono ||
	       fn == (_PyFrameEvalFunction)vt_eval_full;
}

/* The hook for this run: the lean one reads the clock it was built for. */
static _PyFrameEvalFunction hook_for_run(void)
{
	if (vt.full)
		return (_PyFrameEvalFunction)vt_eval_full;
	return VT_HAVE_TSC && vt.use_tsc ? (_PyFrameEvalFunction)vt_eval : (_PyFrameEvalFunction)vt_eval_mono;
}

/* Chains to whatever hook was installed before (normally CPython's default evaluator). */
int vt_hook_install(int c_calls)
{
	PyInterpreterState *interp = PyThreadState_Get()->interp;
	_PyFrameEvalFunction mine = hook_for_run();
	_PyFrameEvalFunction cur = _PyInterpreterState_GetEvalFrameFunc(interp);
	/* Still chained under another hook: it stays as it is (a run needing the other of the
	 * two hooks then records as that one does). */
	if (!vt.installed || is_mine(cur)) {
		if (!is_mine(cur))
			vt.prev_eval = (vt_eval_fn)cur;
		_PyInterpreterState_SetEvalFrameFunc(interp, mine);
		vt.installed = 1;
	}
	vt.c_calls = c_calls;
	vt.start_ticks = vt_ticks();
	vt.recording = 1;
	if (c_calls)
		c_calls_set(1);
	if (vt.log_exc)
		vt_raise_set(1);
	return 0;
}

/* Unchains the hook if it is still on top; else it stays, passing frames through. */
void vt_hook_uninstall(void)
{
	PyInterpreterState *interp = PyThreadState_Get()->interp;
	vt.recording = 0;
	if (vt.c_calls)
		c_calls_set(0);
	vt_raise_set(0);
	vt.c_calls = 0;
	if (vt.installed && is_mine(_PyInterpreterState_GetEvalFrameFunc(interp))) {
		_PyInterpreterState_SetEvalFrameFunc(interp, (_PyFrameEvalFunction)vt.prev_eval);
		vt.installed = 0;
	}
}
