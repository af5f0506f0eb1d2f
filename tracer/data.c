/* SPDX-License-Identifier: MIT */
/* data.c: what the ring holds beside calls: counters, object snapshots, instants, log
 * records, custom spans, garbage collections, arguments, return values and exceptions.
 * Their variable-length part goes to the side arena (vt.arena), which wraps with the ring:
 * a record whose blob was overwritten is found out at dump time by the blob's stamp. */
#include "tracer/vt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Bytes of `text` (len_bytes long) to keep under `max`, cut on a UTF-8 character boundary. */
static size_t utf8_cut(const char *text, size_t len_bytes, size_t max)
{
	if (len_bytes <= max)
		return len_bytes;
	while (max > 0 && ((unsigned char)text[max] & 0xc0) == 0x80)
		max--;
	return max;
}

void vt_data_push(uint16_t kind, int thread, uint32_t name, uint32_t aux, double value,
		  const char *text, size_t text_len)
{
	vt_arena *a = &vt.arena;
	if (!a->buf || thread < 0)
		return;
	size_t tl = text ? utf8_cut(text, text_len, VT_TEXT_MAX) : 0;
	uint64_t need = (sizeof(vt_blob) + tl + 7) & ~(uint64_t)7;
	uint64_t off = a->head % a->cap;
	/* Past the end, or past what the ring file could reserve: the tail is skipped. */
	if (off + need > a->cap || (off + need > a->ready && vt_arena_grow(off + need) < 0)) {
		a->head += a->cap - off;
		off = 0;
		if (need > a->ready && vt_arena_grow(need) < 0)
			return;
	}
	vt_blob *b = (vt_blob *)(a->buf + off);
	b->stamp = a->head;
	b->value = value;
	b->name = name;
	b->aux = aux;
	b->text_len = (uint32_t)tl;
	b->len_bytes = (uint32_t)need;
	if (tl)
		memcpy(b + 1, text, tl);
	uint64_t pos = a->head;
	a->head += need;
	/* The head moves before the record that points below it is published. */
	__atomic_store_n(vt.arena_head, a->head, __ATOMIC_RELEASE);
	vt_push(vt_ticks(), (uint32_t)pos, (uint16_t)thread, kind);
}

/* ---- bounded reprs ---- */

/* A growing text with a hard limit: appends past it are dropped and "..." marks the cut. */
typedef struct vt_text {
	char buf[VT_TEXT_MAX + 4];
	size_t len;
	int cut;
} vt_text;

static void text_add(vt_text *t, const char *s, size_t n)
{
	size_t room = VT_TEXT_MAX - t->len;
	if (n > room) {
		n = utf8_cut(s, n, room);
		t->cut = 1;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
}

static void text_end(vt_text *t)
{
	if (t->cut) {
		memcpy(t->buf + t->len, "...", 3);
		t->len += 3;
	}
	t->buf[t->len] = '\0';
}

/* str(o). A builtin exception type's own str is called directly: PyObject_Str's recursion
 * check would refuse it at the recursion limit, where RecursionError is raised (and
 * recorded, --log-exceptions); what it calls in turn is checked as usual. */
static PyObject *str_of(PyObject *o)
{
	PyTypeObject *tp = Py_TYPE(o);
	if (PyExceptionInstance_Check(o) && !(tp->tp_flags & Py_TPFLAGS_HEAPTYPE) && tp->tp_str)
		return tp->tp_str(o);
	return PyObject_Str(o);
}

/* str(o) or repr(o) of at most VT_REPR_MAX bytes, appended to t. Runs with the thread paused
 * (the tracer does not record itself) and the pending exception kept aside; a repr that
 * raises (RecursionError included) gives "<repr failed: Type>". */
static void text_repr(vt_text *t, PyObject *o, int use_str)
{
	vt_exc exc;
	vt_exc_save(&exc);
	int old = vt_thread_pause();
	PyObject *s = use_str ? str_of(o) :
		      vt.repr_fn ? PyObject_CallOneArg(vt.repr_fn, o) : PyObject_Repr(o);
	vt_thread_resume(old);
	Py_ssize_t n = 0;
	const char *u = s && PyUnicode_Check(s) ? PyUnicode_AsUTF8AndSize(s, &n) : NULL;
	if (u) {
		size_t keep = utf8_cut(u, (size_t)n, VT_REPR_MAX);
		text_add(t, u, keep);
		if (keep < (size_t)n)
			text_add(t, "...", 3);
	} else {
		char msg[160];
		PyObject *tp = PyErr_Occurred();
		snprintf(msg, sizeof msg, "<repr failed: %.100s>",
			 tp && PyType_Check(tp) ? ((PyTypeObject *)tp)->tp_name : "?");
		text_add(t, msg, strlen(msg));
	}
	Py_XDECREF(s);
	vt_exc_restore(&exc);
}

/* "k=repr, k=repr" from a dict (any keys; str keys expected). */
static void text_items(vt_text *t, PyObject *dict)
{
	Py_ssize_t pos = 0;
	PyObject *k, *v;
	int first = 1;
	while (dict && PyDict_Next(dict, &pos, &k, &v)) {
		if (!first)
			text_add(t, ", ", 2);
		first = 0;
		text_repr(t, k, 1);
		text_add(t, "=", 1);
		text_repr(t, v, 0);
	}
}

/* Record `kind` with the bounded str (use_str) or repr of `o` as its text. */
static void push_repr(uint16_t kind, int thread, uint32_t name, PyObject *o, int use_str)
{
	vt_text t = { .len = 0 };
	text_repr(&t, o, use_str);
	text_end(&t);
	vt_data_push(kind, thread, name, 0, 0, t.buf, t.len);
}

/* Record `kind` with "k=repr, k=repr" of `dict` (NULL: none) as its text. */
static void push_items(uint16_t kind, int thread, uint32_t name, PyObject *dict)
{
	vt_text t = { .len = 0 };
	text_items(&t, dict);
	text_end(&t);
	vt_data_push(kind, thread, name, 0, 0, t.buf, t.len);
}

/* ---- the recording path's data ---- */

void vt_record_args(vt_frame *f, PyObject *code, int thread)
{
	PyCodeObject *co = (PyCodeObject *)code;
	int n = co->co_argcount + co->co_kwonlyargcount + !!(co->co_flags & CO_VARARGS) +
		!!(co->co_flags & CO_VARKEYWORDS);
	vt_text t = { .len = 0 };
	for (int i = 0; i < n; i++) {
		PyObject *v = vt_frame_local(f, i);
		if (!v)
			continue;
		if (t.len)
			text_add(&t, ", ", 2);
		text_repr(&t, vt_code_local_name(co, i), 1);
		text_add(&t, "=", 1);
		text_repr(&t, v, 0);
	}
	text_end(&t);
	vt_data_push(VT_D_ARGS, thread, 0, 0, 0, t.buf, t.len);
}

void vt_record_retval(PyObject *r, int thread)
{
	push_repr(VT_D_RETVAL, thread, 0, r, 0);
}

/* The exception's type as a traceback shows it: module.Qualname, or Qualname for builtins. */
static void type_name(PyObject *value, char *buf, size_t len)
{
	PyTypeObject *tp = Py_TYPE(value);
	PyObject *mod = PyObject_GetAttrString((PyObject *)tp, "__module__");
	PyObject *qual = PyObject_GetAttrString((PyObject *)tp, "__qualname__");
	const char *m = mod && PyUnicode_Check(mod) ? PyUnicode_AsUTF8(mod) : NULL;
	const char *q = qual && PyUnicode_Check(qual) ? PyUnicode_AsUTF8(qual) : NULL;
	if (m && q && strcmp(m, "builtins") != 0)
		snprintf(buf, len, "%s.%s", m, q);
	else
		snprintf(buf, len, "%s", q ? q : tp->tp_name);
	Py_XDECREF(mod);
	Py_XDECREF(qual);
	PyErr_Clear();
}

void vt_record_raised(PyObject *value, int thread)
{
	char name[256];
	int old = vt_thread_pause();
	type_name(value, name, sizeof name);
	vt_thread_resume(old);
	push_repr(VT_D_INSTANT, thread, vt_label_id(name), value, 1);
}

/* Called as a frame ends by an exception where raises are not reported as they happen
 * (raise.c): an instant for the frame it was raised in (its traceback has that one frame),
 * none for the frames it passes through afterwards. */
void vt_record_exception(int thread)
{
	vt_exc exc;
	vt_exc_save(&exc);
	PyObject *value = vt_exc_value(&exc), *tb = vt_exc_traceback(&exc);
	if (value && tb && PyTraceBack_Check(tb) && !((PyTracebackObject *)tb)->tb_next)
		vt_record_raised(value, thread);
	vt_exc_restore(&exc);
}

/* ---- the Python API (vtrace.instant, counter, log_var, ...) ---- */

static int api_thread(void)
{
	return vt.recording ? (int)vt_thread_index(NULL) : -1;
}

static uint32_t label_of(PyObject *name)
{
	const char *s = PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : NULL;
	if (!s) {
		if (!PyErr_Occurred())
			PyErr_Format(PyExc_TypeError, "a name must be a str, not %.100s",
				     Py_TYPE(name)->tp_name);
		return UINT32_MAX;
	}
	return vt_label_id(s);
}

/* The (name, args: dict | None) of instant and span_begin: the name's label id, with the
 * calling thread (-1: not recording) in *th and the args in *kw; UINT32_MAX with an
 * exception set. */
static uint32_t api_name_args(PyObject *args, int *th, PyObject **kw)
{
	PyObject *name;
	*kw = Py_None;
	if (!PyArg_ParseTuple(args, "U|O", &name, kw))
		return UINT32_MAX;
	*th = api_thread();
	return label_of(name);
}

/* instant(name, args: dict | None) */
static PyObject *api_instant(PyObject *m, PyObject *args)
{
	(void)m;
	PyObject *kw;
	int th;
	uint32_t id = api_name_args(args, &th, &kw);
	if (id == UINT32_MAX)
		return NULL;
	if (th >= 0)
		push_items(VT_D_INSTANT, th, id, PyDict_Check(kw) ? kw : NULL);
	Py_RETURN_NONE;
}

static int number_of(PyObject *v, double *out)
{
	if (!PyLong_Check(v) && !PyFloat_Check(v))
		return 0;
	*out = PyFloat_AsDouble(v);
	if (*out == -1.0 && PyErr_Occurred()) {
		PyErr_Clear(); /* an int too big for a double */
		*out = PyObject_RichCompareBool(v, Py_False, Py_LT) == 1 ? -HUGE_VAL : HUGE_VAL;
		PyErr_Clear();
	}
	return 1;
}

/* counter(name, series: dict of str -> number) */
static PyObject *api_counter(PyObject *m, PyObject *args)
{
	(void)m;
	PyObject *name, *series, *k, *v;
	Py_ssize_t pos = 0;
	double x;
	if (!PyArg_ParseTuple(args, "UO!", &name, &PyDict_Type, &series))
		return NULL;
	while (PyDict_Next(series, &pos, &k, &v))
		if (!number_of(v, &x))
			return PyErr_Format(PyExc_TypeError, "counter %R: series %R is a %.100s, not a number",
					    name, k, Py_TYPE(v)->tp_name);
	int th = api_thread();
	uint32_t id = label_of(name);
	if (id == UINT32_MAX || th < 0)
		return id == UINT32_MAX ? NULL : (Py_INCREF(Py_None), Py_None);
	for (pos = 0; PyDict_Next(series, &pos, &k, &v);) {
		uint32_t sid = label_of(k);
		if (sid == UINT32_MAX)
			return NULL;
		number_of(v, &x);
		vt_data_push(VT_D_COUNTER, th, id, sid, x, NULL, 0);
	}
	Py_RETURN_NONE;
}

/* log_var(name, value): a number is a counter sample (series named as the counter), anything
 * else an object snapshot of its bounded repr. */
static PyObject *api_log_var(PyObject *m, PyObject *args)
{
	(void)m;
	PyObject *name, *value;
	double x;
	if (!PyArg_ParseTuple(args, "UO", &name, &value))
		return NULL;
	int th = api_thread();
	uint32_t id = label_of(name);
	if (id == UINT32_MAX)
		return NULL;
	if (th < 0)
		Py_RETURN_NONE;
	if (!PyBool_Check(value) && number_of(value, &x))
		vt_data_push(VT_D_COUNTER, th, id, id, x, NULL, 0);
	else
		push_repr(VT_D_OBJECT, th, id, value, 0);
	Py_RETURN_NONE;
}

/* log(level, logger, message) */
static PyObject *api_log(PyObject *m, PyObject *args)
{
	(void)m;
	int level;
	PyObject *logger;
	const char *msg;
	Py_ssize_t n;
	if (!PyArg_ParseTuple(args, "iUs#", &level, &logger, &msg, &n))
		return NULL;
	int th = api_thread();
	uint32_t id = label_of(logger);
	if (id == UINT32_MAX)
		return NULL;
	vt_data_push(VT_D_LOG, th, id, level < 0 ? 0 : (uint32_t)level, 0, msg, (size_t)n);
	Py_RETURN_NONE;
}

/* instant_text(name, text): an instant whose text is kept as given (an unhandled
 * exception's traceback), not as "k=repr" items. */
static PyObject *api_instant_text(PyObject *m, PyObject *args)
{
	(void)m;
	PyObject *name;
	const char *text;
	Py_ssize_t n;
	if (!PyArg_ParseTuple(args, "Us#", &name, &text, &n))
		return NULL;
	int th = api_thread();
	uint32_t id = label_of(name);
	if (id == UINT32_MAX)
		return NULL;
	vt_data_push(VT_D_INSTANT, th, id, 0, 0, text, (size_t)n);
	Py_RETURN_NONE;
}

/* span_begin(name, args: dict | None) -> the span's id when it was recorded, else None (give
 * it to span_end). */
static PyObject *api_span_begin(PyObject *m, PyObject *args)
{
	(void)m;
	PyObject *kw;
	int th;
	uint32_t id = api_name_args(args, &th, &kw);
	if (id == UINT32_MAX)
		return NULL;
	if (th < 0 || vt_tls_depth >= vt.depth_limit)
		Py_RETURN_NONE;
	vt_tls_depth++;
	vt_push(vt_ticks(), id, (uint16_t)th, VT_SPAN_BEGIN);
	if (PyDict_Check(kw) && PyDict_GET_SIZE(kw))
		push_items(VT_D_ARGS, th, 0, kw);
	return PyLong_FromUnsignedLong(id);
}

/* span_end(id, failed) */
static PyObject *api_span_end(PyObject *m, PyObject *args)
{
	(void)m;
	unsigned int id;
	int failed;
	if (!PyArg_ParseTuple(args, "Ip", &id, &failed))
		return NULL;
	if (vt_tls_depth)
		vt_tls_depth--;
	if (vt.recording)
		vt_push(vt_ticks(), id, vt_thread_index(NULL), failed ? VT_SPAN_END_EXC : VT_SPAN_END);
	Py_RETURN_NONE;
}

/* gc.callbacks entry: (phase, info). */
static PyObject *api_gc(PyObject *m, PyObject *args)
{
	(void)m;
	static uint32_t gen_ids[3];
	const char *phase;
	PyObject *info;
	if (!PyArg_ParseTuple(args, "sO", &phase, &info) || !vt.recording)
		return PyErr_Occurred() ? NULL : (Py_INCREF(Py_None), Py_None);
	PyObject *g = PyDict_Check(info) ? PyDict_GetItemString(info, "generation") : NULL;
	long gen = g && PyLong_Check(g) ? PyLong_AsLong(g) : 0;
	gen = gen < 0 || gen > 2 ? 0 : gen;
	uint16_t th = vt_thread_index(NULL);
	if (strcmp(phase, "start") == 0) {
		char name[32];
		if (!gen_ids[gen]) {
			snprintf(name, sizeof name, "gc.collect (generation %ld)", gen);
			gen_ids[gen] = vt_label_id(name);
		}
		vt_push(vt_ticks(), gen_ids[gen], th, VT_GC_BEGIN);
	} else {
		vt_push(vt_ticks(), gen_ids[gen], th, VT_GC_END);
		PyObject *c = PyDict_GetItemString(info, "collected"), *u = PyDict_GetItemString(info, "uncollectable");
		char text[96];
		int n = snprintf(text, sizeof text, "collected=%ld, uncollectable=%ld",
				 c && PyLong_Check(c) ? PyLong_AsLong(c) : -1L,
				 u && PyLong_Check(u) ? PyLong_AsLong(u) : -1L);
		vt_data_push(VT_D_GC_INFO, th, 0, 0, 0, text, (size_t)n);
	}
	PyErr_Clear();
	Py_RETURN_NONE;
}

/* call_untraced(fn, *args): fn(*args) with this thread not recording. */
static PyObject *api_untraced(PyObject *m, PyObject *args)
{
	(void)m;
	if (PyTuple_GET_SIZE(args) < 1)
		return PyErr_Format(PyExc_TypeError, "call_untraced needs a function");
	PyObject *rest = PyTuple_GetSlice(args, 1, PyTuple_GET_SIZE(args));
	if (!rest)
		return NULL;
	int old = vt_thread_pause();
	PyObject *r = PyObject_Call(PyTuple_GET_ITEM(args, 0), rest, NULL);
	vt_thread_resume(old);
	Py_DECREF(rest);
	return r;
}

/* mark(function_or_code, "ignore" | "sparse") */
static PyObject *api_mark(PyObject *m, PyObject *args)
{
	(void)m;
	PyObject *fn;
	const char *what;
	if (!PyArg_ParseTuple(args, "Os", &fn, &what))
		return NULL;
	PyObject *code = PyFunction_Check(fn) ? PyFunction_GET_CODE(fn) : fn;
	PyObject *globals = PyFunction_Check(fn) ? PyFunction_GET_GLOBALS(fn) : NULL;
	if (!PyCode_Check(code))
		return PyErr_Format(PyExc_TypeError, "vtrace.%s: %.100s is not a Python function", what,
				    Py_TYPE(fn)->tp_name);
	uint64_t flag = strcmp(what, "ignore") == 0 ? VT_KEY_IGNORE : VT_KEY_SPARSE;
	if (vt_code_mark(code, globals, flag) < 0)
		return PyErr_NoMemory();
	Py_RETURN_NONE;
}

/* set_repr(fn): the bounded repr to use (reprlib), or None for repr(). */
static PyObject *api_set_repr(PyObject *m, PyObject *fn)
{
	(void)m;
	Py_XDECREF(vt.repr_fn);
	vt.repr_fn = NULL;
	if (fn != Py_None) {
		Py_INCREF(fn);
		vt.repr_fn = fn;
	}
	Py_RETURN_NONE;
}

PyMethodDef vt_data_methods[] = {
	{"instant", api_instant, METH_VARARGS, "instant(name, args=None): mark a moment"},
	{"counter", api_counter, METH_VARARGS, "counter(name, series): one sample per series"},
	{"log_var", api_log_var, METH_VARARGS, "log_var(name, value): counter sample or snapshot"},
	{"log", api_log, METH_VARARGS, "log(level, logger, message): a log record"},
	{"instant_text", api_instant_text, METH_VARARGS, "instant_text(name, text): an instant with its text as given"},
	{"span_begin", api_span_begin, METH_VARARGS, "span_begin(name, args=None) -> id or None"},
	{"span_end", api_span_end, METH_VARARGS, "span_end(id, failed)"},
	{"gc_callback", api_gc, METH_VARARGS, "gc.callbacks entry"},
	{"call_untraced", api_untraced, METH_VARARGS, "call_untraced(fn, *args)"},
	{"mark", api_mark, METH_VARARGS, "mark(function, 'ignore' | 'sparse')"},
	{"set_repr", api_set_repr, METH_O, "set_repr(fn): the bounded repr for snapshots and arguments"},
	{NULL, NULL, 0, NULL},
};
