/* SPDX-License-Identifier: MIT */
/* _floor_evalframe: the cheapest recording tracer a PEP 523 frame-evaluation hook allows.
 * At every frame entry and exit it reads the TSC and stores one 16-byte record (timestamp,
 * code object with the kind in its low bit) into a preallocated ring, then calls CPython's own
 * evaluator. No lookup, no filter, no per-thread state: vtrace must stay within 1.25x of this.
 * count() gives the records written since start() (entries plus exits). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

/* The one version difference: what the hook receives and where its code object is. */
#if PY_VERSION_HEX >= 0x030B0000
#define Py_BUILD_CORE 1
#include "internal/pycore_frame.h"
#undef Py_BUILD_CORE
typedef struct _PyInterpreterFrame floor_frame;
#if PY_VERSION_HEX >= 0x030D0000
#define FLOOR_FRAME_CODE(f) ((uintptr_t)(f)->f_executable)
#else
#define FLOOR_FRAME_CODE(f) ((uintptr_t)(f)->f_code)
#endif
#else
#include <frameobject.h>
typedef PyFrameObject floor_frame;
#define FLOOR_FRAME_CODE(f) ((uintptr_t)(f)->f_code)
#endif

struct floor_record {
	uint64_t tsc;
	uintptr_t code_kind; /* code object address | 1 at exit */
};

#define FLOOR_RING_LEN (1u << 20) /* 16 MiB: big enough to keep it out of cache, like a real ring */

static struct floor_record *floor_ring;
static uint64_t floor_next;   /* records written since start(), wrapping into the ring */
static _PyFrameEvalFunction floor_saved; /* the evaluator start() replaced */

static inline uint64_t floor_ticks(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return __rdtsc();
#else
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}

static inline void floor_put(uintptr_t code_kind)
{
	struct floor_record *r = &floor_ring[floor_next++ & (FLOOR_RING_LEN - 1)];
	r->tsc = floor_ticks();
	r->code_kind = code_kind;
}

static PyObject *floor_eval(PyThreadState *tstate, floor_frame *frame, int throwflag)
{
	uintptr_t code = FLOOR_FRAME_CODE(frame);
	PyObject *res;

	floor_put(code);
	res = _PyEval_EvalFrameDefault(tstate, frame, throwflag);
	floor_put(code | 1);
	return res;
}

static PyObject *floor_evalframe_start(PyObject *self, PyObject *unused)
{
	PyInterpreterState *interp = PyThreadState_Get()->interp;
	_PyFrameEvalFunction cur = _PyInterpreterState_GetEvalFrameFunc(interp);

	(void)self; (void)unused;
	if (!floor_ring) {
		floor_ring = PyMem_RawCalloc(FLOOR_RING_LEN, sizeof(*floor_ring));
		if (!floor_ring)
			return PyErr_NoMemory();
	}
	if (cur != floor_eval)
		floor_saved = cur;
	floor_next = 0;
	_PyInterpreterState_SetEvalFrameFunc(interp, floor_eval);
	Py_RETURN_NONE;
}

static PyObject *floor_evalframe_stop(PyObject *self, PyObject *unused)
{
	PyInterpreterState *interp = PyThreadState_Get()->interp;

	(void)self; (void)unused;
	if (_PyInterpreterState_GetEvalFrameFunc(interp) == floor_eval)
		_PyInterpreterState_SetEvalFrameFunc(interp, floor_saved ? floor_saved : _PyEval_EvalFrameDefault);
	Py_RETURN_NONE;
}

static PyObject *floor_evalframe_count(PyObject *self, PyObject *unused)
{
	(void)self; (void)unused;
	return PyLong_FromUnsignedLongLong(floor_next);
}

static PyMethodDef floor_evalframe_methods[] = {
	{"start", floor_evalframe_start, METH_NOARGS, "Install the recording frame hook."},
	{"stop", floor_evalframe_stop, METH_NOARGS, "Put CPython's default evaluator back."},
	{"count", floor_evalframe_count, METH_NOARGS, "Records (frame entries and exits) written since the last start()."},
	{NULL, NULL, 0, NULL},
};

static struct PyModuleDef floor_evalframe_module = {
	PyModuleDef_HEAD_INIT, "_floor_evalframe",
	"A PEP 523 hook storing a 16-byte TSC record at each frame entry and exit.", -1,
	floor_evalframe_methods, NULL, NULL, NULL, NULL,
};

/* Returns a new module (a new reference, owned by the import machinery), or NULL. */
PyMODINIT_FUNC PyInit__floor_evalframe(void)
{
	return PyModule_Create(&floor_evalframe_module);
}
