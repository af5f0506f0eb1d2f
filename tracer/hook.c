/* SPDX-License-Identifier: MIT */
/* hook.c: the hot path. A PEP 523 frame-evaluation hook records every Python frame; C calls
 * come from sys.monitoring (3.12+) or the profile API, only when asked for. */
#include "tracer/vt.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>

static PyObject *vt_eval_general(PyThreadState *ts, vt_frame *f, int throwflag, PyObject *code,
				 uint64_t key);

/* Coroutine code, whose resumptions may be asyncio task steps (plain generators are not:
 * they skip the call). */
static inline int vt_is_coroutine(uint64_t key, PyObject *code)
{
	return (key & VT_KEY_GENERATOR) && (((PyCodeObject *)code)->co_flags & CO_COROUTINE);
}

/* The end word of a call from its VT_BEGIN word: VT_END, or VT_END_EXC when it raised. By
 * an exclusive or (1 ^ 3 = 2, 1 ^ 2 = 3) whose constants are not the begin's kind: with the
 * same constant on both sides the compiler keeps it in a saved register across the call. */
_Static_assert((VT_BEGIN ^ 3) == VT_END && (VT_BEGIN ^ 2) == VT_END_EXC, "end_word's kinds");
static inline uint64_t end_word(uint64_t begin, PyObject *r)
{
	return begin ^ (r ? VT_WORD_KIND(3) : VT_WORD_KIND(2));
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
	if (vt_is_coroutine(key, code))
		vt_record_task(ts, code, t);
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

/* The lean hook's end of a call that vt_push_word_try left to the slow path; returns r. */
static __attribute__((noinline, cold)) PyObject *lean_end_slow(PyObject *r, uint64_t ticks, uint64_t word)
{
	vt_push_word_slow(ticks, word);
	return r;
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
	/* At the wrap or the end of the ring file's reserved part, the slow paths push: calls
	 * from here would keep the arguments in saved registers on every call. */
	if (VT_UNLIKELY(!vt_push_word_try(lean_ticks(tsc), word)))
		return lean_slow(ts, f, throwflag, code);
	PyObject *r = vt.prev_eval(ts, f, throwflag);
	uint64_t end = end_word(word, r), ticks = lean_ticks(tsc);
	if (VT_UNLIKELY(!vt_push_word_try(ticks, end)))
		return lean_end_slow(r, ticks, end);
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
	if (vt_is_coroutine(key, code))
		vt_record_task(ts, code, t);
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
/* Starts of recording: an entry of an earlier run is stale (it stopped inside the frame). */
static uint64_t mon_run;

/* The frames this thread acted on through sys.monitoring, innermost last: recorded, or run
 * with the thread paused (ignored, sparse, past the depth limit), as the hook does. An end
 * acts only for such a frame, so begins and ends pair up as the hook's do: a frame already
 * running when recording started (start() called in an __init__), or one whose first event
 * made the code known (PY_UNWIND is global), ends unrecorded. Frames of one thread nest
 * (generator code is never monitored). The stack is on the heap, grown as frames nest
 * (cold), freed with its thread: it is too big for the static TLS block. */
#define MON_NOT_PAUSED INT_MIN
struct mon_frame {
	vt_frame *frame;
	uint32_t id;       /* the code's id; VT_ID_SKIP: not recorded */
	int resume;        /* the thread's value to give back at the end, or MON_NOT_PAUSED */
};
struct mon_stack {
	uint64_t run;
	uint32_t n, cap;
	struct mon_frame f[];
};
static __thread struct mon_stack *mon;
static pthread_key_t mon_owner; /* frees a thread's stack as it ends */
static pthread_once_t mon_once = PTHREAD_ONCE_INIT;

/* A fork child's thread starts afresh (vt_after_fork_child): what it had paused and the
 * thread index to give back belong to the parent. */
static void mon_forget(void)
{
	if (mon)
		mon->n = 0;
}

static void mon_key_create(void)
{
	if (pthread_key_create(&mon_owner, free) != 0)
		mon_owner = (pthread_key_t)-1;
	pthread_atfork(NULL, NULL, mon_forget);
}

/* Room for one more frame; 0 when there is none (the frame is then not acted on). */
static int mon_reserve(void)
{
	if (mon && mon->n < mon->cap)
		return 1;
	uint32_t cap = mon ? mon->cap * 2 : 64;
	struct mon_stack *m = realloc(mon, sizeof *m + cap * sizeof m->f[0]);
	if (!m) {
		vt.sticky |= VT_STICKY_NOMEM;
		return 0;
	}
	if (!mon)
		m->run = mon_run, m->n = 0;
	m->cap = cap;
	mon = m;
	pthread_once(&mon_once, mon_key_create);
	if (mon_owner != (pthread_key_t)-1)
		pthread_setspecific(mon_owner, m);
	return 1;
}

/* A thread left inside frames of a run that stopped records again, at its depth. */
static void mon_sync(void)
{
	if (!mon || mon->run == mon_run)
		return;
	int resumed = 0;
	for (uint32_t i = 0; i < mon->n; i++) {
		if (mon->f[i].resume != MON_NOT_PAUSED && !resumed++)
			vt_thread_resume(mon->f[i].resume);
		if (mon->f[i].id != VT_ID_SKIP && vt_tls_depth > 0)
			vt_tls_depth--;
	}
	mon->run = mon_run;
	mon->n = 0;
}

/* The key of code the hook passes through and sys.monitoring records, or 0. */
static uint64_t mon_key(PyObject *const *args, Py_ssize_t n)
{
	if (!vt.recording || n < 1 || !PyCode_Check(args[0]))
		return 0;
	/* A run with other filters reads another co_extra slot: the key may be missing there. */
	uint64_t key = vt_code_key_here(args[0]);
	if (!(key & VT_KEY_NOT_HOOKED) || (uint32_t)key == VT_ID_SKIP ||
	    (key & (VT_KEY_EXCLUDED | VT_KEY_IGNORE | VT_KEY_SPARSE)) == VT_KEY_EXCLUDED)
		return 0;
	mon_sync();
	return key;
}

/* What the hook's general path does as a frame starts, but for the end, which the matching
 * PY_RETURN or PY_UNWIND does. */
static struct mon_frame mon_begin(PyThreadState *ts, PyObject *code, uint64_t key, int t)
{
	struct mon_frame e = { vt_current_frame(ts), VT_ID_SKIP, MON_NOT_PAUSED };
	uint32_t depth = vt_tls_depth;
	if ((key & VT_KEY_IGNORE) || depth >= vt.depth_limit) {
		e.resume = vt_thread_pause();
		return e;
	}
	e.id = (uint32_t)key;
	vt_tls_depth = depth + 1;
	vt_push(vt_ticks(), e.id, (uint16_t)t, VT_BEGIN);
	if (vt.log_args)
		vt_record_args(e.frame, code, t);
	if (key & VT_KEY_SPARSE)
		e.resume = vt_thread_pause();
	return e;
}

/* PY_START of code the hook passes through: (code, offset). */
static PyObject *mon_py_start(PyObject *m, PyObject *const *args, Py_ssize_t n)
{
	(void)m;
	uint64_t key = mon_key(args, n);
	int t;
	if (!key || (t = vt_thread_recording(NULL)) < 0 || !mon_reserve())
		Py_RETURN_NONE;
	mon->f[mon->n] = mon_begin(PyThreadState_Get(), args[0], key, t);
	mon->n++;
	Py_RETURN_NONE;
}

static void mon_finish(const struct mon_frame *e, uint16_t kind, PyObject *value)
{
	if (e->resume != MON_NOT_PAUSED)
		vt_thread_resume(e->resume);
	int t = vt_tls_thread;
	if (e->id == VT_ID_SKIP || t < 0)
		return;
	vt_tls_depth--;
	vt_push(vt_ticks(), e->id, (uint16_t)t, kind);
	if (kind == VT_END && vt.log_retval && value)
		vt_record_retval(value, t);
}

/* PY_RETURN, PY_UNWIND: (code, offset, value). The frame's own start was acted on when it
 * is on the stack; ends missed above it (none are expected) are made first. */
static PyObject *mon_py_end(PyObject *const *args, Py_ssize_t n, uint16_t kind)
{
	if (!mon_key(args, n) || !mon || !mon->n)
		Py_RETURN_NONE;
	PyObject *value = n >= 3 ? args[2] : NULL;
	const vt_frame *f = vt_current_frame(PyThreadState_Get());
	uint32_t i = mon->n;
	while (i > 0 && mon->f[i - 1].frame != f)
		i--;
	if (i == 0)
		Py_RETURN_NONE;
	while (mon->n >= i) {
		struct mon_frame e = mon->f[--mon->n];
		mon_finish(&e, mon->n + 1 == i ? kind : VT_END, mon->n + 1 == i ? value : NULL);
	}
	Py_RETURN_NONE;
}

static PyObject *mon_py_return(PyObject *m, PyObject *const *args, Py_ssize_t n)
{
	(void)m;
	return mon_py_end(args, n, VT_END);
}

static PyObject *mon_py_unwind(PyObject *m, PyObject *const *args, Py_ssize_t n)
{
	(void)m;
	return mon_py_end(args, n, VT_END_EXC);
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

static void thread_added(uint32_t index, PyThreadState *ts)
{
	(void)index;
	if (!(vt.c_calls && vt.installed && ts))
		return;
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
#if VT_INIT_BY_MONITORING
	mon_run++;
	mon_sync(); /* other threads do at their next __init__ */
#endif
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

int vt_hook_observe(void)
{
#if VT_HAVE_MONITORING
	return 0; /* sys.monitoring covers every thread */
#else
	static const vt_observer o = { .thread_added = thread_added };
	return vt_observe(&o);
#endif
}
