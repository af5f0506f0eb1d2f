/* SPDX-License-Identifier: MIT */
/* task.c: which asyncio task a coroutine step belongs to. The viewer stitches the steps of
 * one task into a lane; the tracer only names the task at the start of each step. */
#include "tracer/vt.h"

#include <string.h>

/* _asyncio.get_running_loop and _asyncio._current_tasks (loop -> task), C on 3.9 to 3.13,
 * unlike asyncio.current_task before 3.12: no Python frame runs inside the hook. Strong
 * references once found, never released: the module lives as long as the interpreter. */
static PyObject *running_loop_fn, *current_tasks, *get_name;

static int asyncio_found(void)
{
	static PyObject *mod_name;
	if (current_tasks)
		return 1;
	if (!mod_name && !(mod_name = PyUnicode_InternFromString("_asyncio")))
		return 0;
	if (!get_name && !(get_name = PyUnicode_InternFromString("get_name")))
		return 0;
	PyObject *mod = PyImport_GetModule(mod_name);
	if (!mod)
		return 0;
	PyObject *fn = PyObject_GetAttrString(mod, "get_running_loop");
	PyObject *tasks = PyObject_GetAttrString(mod, "_current_tasks");
	Py_DECREF(mod);
	if (!fn || !tasks || !PyDict_Check(tasks)) {
		Py_XDECREF(fn);
		Py_XDECREF(tasks);
		return 0;
	}
	running_loop_fn = fn;
	current_tasks = tasks;
	return 1;
}

/* The task running on this thread (borrowed), or NULL. */
static PyObject *current_task(void)
{
	if (!asyncio_found())
		return NULL;
	PyObject *loop = PyObject_CallNoArgs(running_loop_fn);
	PyObject *task = loop ? PyDict_GetItemWithError(current_tasks, loop) : NULL;
	Py_XDECREF(loop);
	return task;
}

/* A coroutine resumed by another coroutine (an await chain) or an async generator is not a
 * task step: only the outermost coroutine, resumed from the event loop, is. */
static int is_task_step(PyThreadState *ts, PyObject *code)
{
	if (!(((PyCodeObject *)code)->co_flags & CO_COROUTINE))
		return 0;
	PyObject *caller = vt_caller_code(ts);
	return !caller || !(((PyCodeObject *)caller)->co_flags & (CO_COROUTINE | CO_ASYNC_GENERATOR));
}

/* Runs inside the frame hook before the frame does: a pending exception (a throw into the
 * coroutine) is kept aside, and whatever the calls raise is dropped. A coroutine driven by
 * hand outside a running loop has no task: nothing is recorded. */
void vt_record_task(PyThreadState *ts, PyObject *code, int thread)
{
	if (!is_task_step(ts, code))
		return;
	vt_exc exc;
	vt_exc_save(&exc);
	PyObject *task = current_task();
	PyObject *name = task ? PyObject_CallMethodNoArgs(task, get_name) : NULL;
	Py_ssize_t len = 0;
	const char *text = name && PyUnicode_Check(name) ? PyUnicode_AsUTF8AndSize(name, &len) : NULL;
	if (text)
		vt_data_push(VT_D_TASK, thread, 0, 0, (double)(uintptr_t)task, text, (size_t)len);
	Py_XDECREF(name);
	vt_exc_restore(&exc);
}
