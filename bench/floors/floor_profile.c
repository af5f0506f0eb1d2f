/* SPDX-License-Identifier: MIT */
/* _floor_profile: the cheapest tracer the profile API allows, a callback that does nothing.
 * Whatever it costs is what every PyEval_SetProfile tracer pays before recording anything;
 * bench/tracer_bench.py measures vtrace --c-calls and cProfile against it. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static int floor_profile_cb(PyObject *obj, PyFrameObject *frame, int what, PyObject *arg)
{
	(void)obj; (void)frame; (void)what; (void)arg;
	return 0;
}

static PyObject *floor_profile_start(PyObject *self, PyObject *unused)
{
	(void)self; (void)unused;
	PyEval_SetProfile(floor_profile_cb, NULL);
	Py_RETURN_NONE;
}

static PyObject *floor_profile_stop(PyObject *self, PyObject *unused)
{
	(void)self; (void)unused;
	PyEval_SetProfile(NULL, NULL);
	Py_RETURN_NONE;
}

static PyMethodDef floor_profile_methods[] = {
	{"start", floor_profile_start, METH_NOARGS, "Install the do-nothing profile callback."},
	{"stop", floor_profile_stop, METH_NOARGS, "Remove it."},
	{NULL, NULL, 0, NULL},
};

static struct PyModuleDef floor_profile_module = {
	PyModuleDef_HEAD_INIT, "_floor_profile",
	"A profile callback that returns 0: the floor of PyEval_SetProfile tracers.", -1,
	floor_profile_methods, NULL, NULL, NULL, NULL,
};

/* Returns a new module (a new reference, owned by the import machinery), or NULL. */
PyMODINIT_FUNC PyInit__floor_profile(void)
{
	return PyModule_Create(&floor_profile_module);
}
