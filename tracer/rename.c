/* SPDX-License-Identifier: MIT */
/* rename.c: threading.Thread.name's setter while a tracer records. It sets the name as
 * threading's does (through it), then tells the ring file's thread table, so that a live
 * reader shows a rename at its next snapshot rather than when the thread ends. Only the
 * setter changes: reading a name, and every call, cost what they did. A C function rather
 * than a Python one: no frame of vtrace's in the program's tracebacks, and the recursion
 * limit met where it would be without the tracer. */
#include "tracer/vt.h"

/* threading's setter (kept once given: a property of ours that the program kept a
 * reference to may still call it) and the threads running as tracing first started
 * ({ident: Thread}), whose names state.c keeps. */
static PyObject *plain_fset, *early_threads;
static int telling; /* renames go to the table (between name_hook on and off) */

/* name_hook(fset, threads): thread_name_set stands in for `fset` and tells renames from
 * now on; name_hook(None, None): it no longer tells them. */
static PyObject *vt_name_hook(PyObject *m, PyObject *args)
{
	(void)m;
	PyObject *fset, *threads;
	if (!PyArg_ParseTuple(args, "OO", &fset, &threads))
		return NULL;
	if (fset == Py_None && threads == Py_None) {
		telling = 0;
		Py_RETURN_NONE;
	}
	if (!PyCallable_Check(fset) || !PyDict_Check(threads))
		return PyErr_Format(PyExc_TypeError, "name_hook wants a callable and a dict");
	Py_INCREF(fset);
	Py_XSETREF(plain_fset, fset);
	Py_INCREF(threads);
	Py_XSETREF(early_threads, threads);
	telling = 1;
	Py_RETURN_NONE;
}

/* An unsigned attribute of `o` (`name` interned), 0 when it is None or missing (an error
 * is cleared). */
static uint64_t attr_u64(PyObject *o, PyObject *name)
{
	PyObject *v = PyObject_GetAttr(o, name);
	uint64_t n = v && PyLong_Check(v) ? (uint64_t)PyLong_AsUnsignedLongLong(v) : 0;
	Py_XDECREF(v);
	if (PyErr_Occurred()) {
		PyErr_Clear();
		n = 0;
	}
	return n;
}

/* Thread `t`, just renamed: its entry in the table (the newest of its ident and tid) shows
 * the name, unless the thread ended (its name is the one it ended with). A thread not
 * started has no ident: it tells its name as it starts. A thread running before tracing
 * started is named by its last name if it ends before the dump. Never raises. */
static void tell_rename(PyObject *t)
{
	static PyObject *ident_s, *native_s, *name_s;
	if (!ident_s && (!(ident_s = PyUnicode_InternFromString("_ident")) ||
			 !(native_s = PyUnicode_InternFromString("_native_id")) ||
			 !(name_s = PyUnicode_InternFromString("_name")))) {
		Py_CLEAR(ident_s);
		PyErr_Clear();
		return;
	}
	vt_exc exc;
	vt_exc_save(&exc);
	uint64_t ident = attr_u64(t, ident_s);
	PyObject *name = ident ? PyObject_GetAttr(t, name_s) : NULL;
	const char *s = name && PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : NULL;
	if (s) {
		int i = vt_thread_find(ident, attr_u64(t, native_s));
		if (i >= 0 && !vt.threads[i].name)
			vt_ring_thread_named((uint32_t)i, s, 1);
		PyObject *id = early_threads && PyDict_GET_SIZE(early_threads) ? PyLong_FromUnsignedLongLong(ident) : NULL;
		if (id && PyDict_GetItemWithError(early_threads, id) == t)
			vt_early_renamed(id, name);
		Py_XDECREF(id);
	}
	Py_XDECREF(name);
	PyErr_Clear();
	vt_exc_restore(&exc);
}

/* thread_name_set(thread, value): threading's setter, then the rename told. Before 3.12
 * one counter holds both C calls and Python frames: this function counted as the setter's
 * frame, so the setter's own frame does not count again. */
static PyObject *vt_thread_name_set(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
	(void)m;
	if (nargs != 2)
		return PyErr_Format(PyExc_TypeError, "thread_name_set takes 2 arguments (%zd given)", nargs);
	if (!plain_fset)
		return PyErr_Format(PyExc_RuntimeError, "thread_name_set stands in for no setter");
#if PY_VERSION_HEX < 0x030c0000
	PyThreadState *ts = PyThreadState_Get();
	vt_recursion_shift(ts, -1);
#endif
	PyObject *r = PyObject_Vectorcall(plain_fset, args, 2, NULL);
#if PY_VERSION_HEX < 0x030c0000
	vt_recursion_shift(ts, 1);
#endif
	if (!r)
		return NULL;
	Py_DECREF(r);
	if (telling && vt.recording)
		tell_rename(args[0]);
	Py_RETURN_NONE;
}

PyMethodDef vt_rename_methods[] = {
	{"name_hook", vt_name_hook, METH_VARARGS, "name_hook(fset, threads): thread_name_set tells renames"},
	{"thread_name_set", (PyCFunction)(void (*)(void))vt_thread_name_set, METH_FASTCALL,
	 "thread_name_set(thread, value): Thread.name's setter, telling the ring file"},
	{NULL, NULL, 0, NULL},
};
