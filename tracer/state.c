/* SPDX-License-Identifier: MIT */
/* state.c: the ring, the clock, and the code and thread tables behind the hot path. A leaf:
 * it calls no other file of tracer/ (those that need to hear of new entries observe it). */
#include "tracer/vt.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "filters/filters.h"

struct vt_state vt = { .extra_index = -1 };
__thread int vt_tls_thread __attribute__((tls_model("initial-exec"))) = -1;
__thread uint32_t vt_tls_depth __attribute__((tls_model("initial-exec")));
__thread uintptr_t vt_tls_stack_lo __attribute__((tls_model("initial-exec"))) = UINTPTR_MAX;
static __thread uintptr_t stack_end; /* the stack's lowest address */

/* The bound is read once per thread: pthread_getattr_np gives the stack's lowest address
 * and size (the main thread's from its rlimit). A quarter of a small stack is the margin.
 * Code running on a stack of its own (below this one) is not judged by this one's end. */
int vt_stack_low_slow(void)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	if (vt_tls_stack_lo == UINTPTR_MAX) {
		pthread_attr_t a;
		void *addr;
		size_t size;
		vt_tls_stack_lo = 0;
		if (pthread_getattr_np(pthread_self(), &a) == 0) {
			if (pthread_attr_getstack(&a, &addr, &size) == 0 && addr) {
				stack_end = (uintptr_t)addr;
				vt_tls_stack_lo = stack_end +
						  (size / 4 < VT_STACK_MARGIN ? size / 4 : VT_STACK_MARGIN);
			}
			pthread_attr_destroy(&a);
		}
	}
	return sp < vt_tls_stack_lo && sp >= stack_end;
}

void vt_read_cmdline(char *buf, size_t len)
{
	size_t n = 0;
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t r = read(fd, buf, len - 1);
		n = r > 0 ? (size_t)r : 0;
		close(fd);
	}
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
}

uint64_t vt_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The TSC is a usable clock only when it ticks at one rate in every power state. */
static int tsc_usable(void)
{
	int constant = 0, nonstop = 0;
	char line[8192];
	const char *env = getenv("VTRACE_CLOCK");
	if (!VT_HAVE_TSC || (env && strcmp(env, "monotonic") == 0))
		return 0;
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "flags", 5) != 0)
			continue;
		constant = strstr(line, " constant_tsc") != NULL;
		nonstop = strstr(line, " nonstop_tsc") != NULL;
		break;
	}
	fclose(f);
	return constant && nonstop;
}

void vt_clock_pair(uint64_t *ns, uint64_t *ticks)
{
	uint64_t tightest = UINT64_MAX;

	if (!vt.use_tsc) {
		*ns = *ticks = vt_mono_ns();
		return;
	}
	/* A thread preempted between the two readings would pair a clock reading with ticks
	 * taken milliseconds later, and every time in the dump would scale by that error (a
	 * 0.1 s sleep measured 96.8 ms on a loaded machine). Bracketing the clock between two
	 * tick readings shows such a pair, and of a few the tightest is kept. */
	for (int i = 0; i < 5; i++) {
		uint64_t before = vt_ticks(), at = vt_mono_ns(), after = vt_ticks();
		if (after - before < tightest) {
			tightest = after - before;
			*ns = at;
			*ticks = before + (after - before) / 2;
		}
	}
}

void vt_clock_init(void)
{
	vt.use_tsc = tsc_usable();
	vt.base_wall_ns = wall_ns();
	vt_clock_pair(&vt.base_mono_ns, &vt.base_ticks);
}

/* The most fractional bits that keep mult under 2^63: as exact as the double rate. */
static void clock_fixed_point(vt_clock_conv *c)
{
	const double limit = 9.2e18; /* just under 2^63 */
	c->shift = 63;
	while (c->shift > 0 && c->ns_per_tick * (double)(1ull << c->shift) >= limit)
		c->shift--;
	c->mult = (uint64_t)(c->ns_per_tick * (double)(1ull << c->shift) + 0.5);
}

/* Pairs the base with a reading now; a short interval is stretched so the rate is exact
 * to a few parts per million, asleep: a short program's exit dump costs no CPU for it. */
void vt_clock_calibrate(vt_clock_conv *c)
{
	c->base_ticks = vt.base_ticks;
	c->base_ns = vt.base_mono_ns;
	c->ns_per_tick = 1.0;
	clock_fixed_point(c);
	if (!vt.use_tsc)
		return;
	uint64_t ns, ticks;
	while ((ns = vt_mono_ns()) - vt.base_mono_ns < 20000000u) {
		uint64_t left = 20000000u - (ns - vt.base_mono_ns);
		struct timespec nap = { 0, (long)left };
		nanosleep(&nap, NULL);
	}
	vt_clock_pair(&ns, &ticks);
	if (ticks > vt.base_ticks)
		c->ns_per_tick = (double)(ns - vt.base_mono_ns) / (double)(ticks - vt.base_ticks);
	clock_fixed_point(c);
}

void vt_ring_clear(void)
{
	vt.pos = 0;
	vt.total = 0;
	vt.arena.head = 0;
	if (vt.ring_head)
		__atomic_store_n(vt.ring_head, 0, __ATOMIC_RELEASE);
	if (vt.arena_head)
		__atomic_store_n(vt.arena_head, 0, __ATOMIC_RELEASE);
}

/* Who hears of new table entries: ring.c (the ring file's tables) and, before 3.12, hook.c
 * and raise.c (their per-thread functions). Called, never called by name: this file is the
 * leaf the others build on. */
static vt_observer observers[VT_MAX_OBSERVERS];
static int observer_count;

int vt_observe(const vt_observer *o)
{
	for (int i = 0; i < observer_count; i++)
		if (observers[i].thread_added == o->thread_added &&
		    observers[i].code_added == o->code_added)
			return 0;
	if (observer_count == VT_MAX_OBSERVERS)
		return -1;
	observers[observer_count++] = *o;
	return 0;
}

/* Cold: the first event of a thread. */
uint16_t vt_thread_register(PyThreadState *ts)
{
	(void)ts; /* used only by the profile API (before 3.12) */
	if (vt.thread_count == vt.thread_cap) {
		uint32_t cap = vt.thread_cap ? vt.thread_cap * 2 : 16;
		vt_thread *t = cap <= VT_MAX_THREADS ? realloc(vt.threads, cap * sizeof *t) : NULL;
		if (!t) {
			vt.sticky |= cap <= VT_MAX_THREADS ? VT_STICKY_NOMEM : VT_STICKY_THREADS;
			vt_tls_thread = VT_MAX_THREADS;
			return VT_MAX_THREADS;
		}
		vt.threads = t;
		vt.thread_cap = cap;
	}
	vt_thread *t = &vt.threads[vt.thread_count];
	t->ident = PyThread_get_thread_ident();
	t->native_id = (uint64_t)syscall(SYS_gettid);
	t->name = t->ring_name = NULL;
	vt_tls_thread = (int)vt.thread_count;
	for (int i = 0; i < observer_count; i++)
		if (observers[i].thread_added)
			observers[i].thread_added(vt.thread_count, ts);
	return (uint16_t)vt.thread_count++;
}

/* Names of threads that were running when the first tracer started ({ident: name}, their
 * last renames included): they never tell theirs (their Thread._bootstrap_inner was not
 * vtrace's). */
static PyObject *early_names;

void vt_early_names(PyObject *names)
{
	Py_INCREF(names);
	Py_XSETREF(early_names, names);
}

void vt_early_renamed(PyObject *id, PyObject *name)
{
	if (early_names && PyDict_SetItem(early_names, id, name) < 0)
		PyErr_Clear();
}

char *vt_early_name(uint64_t ident)
{
	if (!early_names || !PyDict_GET_SIZE(early_names))
		return NULL;
	vt_exc exc;
	vt_exc_save(&exc);
	PyObject *id = PyLong_FromUnsignedLongLong(ident);
	PyObject *n = id ? PyDict_GetItemWithError(early_names, id) : NULL;
	const char *s = n && PyUnicode_Check(n) ? PyUnicode_AsUTF8(n) : NULL;
	char *copy = s ? strdup(s) : NULL;
	Py_XDECREF(id);
	PyErr_Clear();
	vt_exc_restore(&exc);
	return copy;
}

int vt_thread_find(uint64_t ident, uint64_t native)
{
	for (uint32_t i = vt.thread_count; i-- > 0;)
		if (vt.threads[i].ident == ident && (!native || vt.threads[i].native_id == native))
			return (int)i;
	return -1;
}

static int codes_reserve(void)
{
	if (vt.code_count < vt.code_cap)
		return 0;
	if (vt.code_cap >= UINT32_MAX / 2) {
		vt.sticky |= VT_STICKY_CODES;
		return -1;
	}
	uint32_t cap = vt.code_cap ? vt.code_cap * 2 : 1024;
	vt_code *c = realloc(vt.codes, cap * sizeof *c);
	if (!c) {
		vt.sticky |= VT_STICKY_NOMEM;
		return -1;
	}
	vt.codes = c;
	vt.code_cap = cap;
	return 0;
}

/* Identical (name, file, line) triples share one id, so code compiled over and over (eval
 * in a loop) does not grow the table: an open-addressing index over the entries. */
static struct {
	uint32_t *slots; /* id + 1; 0 = empty */
	size_t cap;
} code_index;

static uint64_t code_hash(const char *name, const char *file, uint32_t line)
{
	uint64_t h = 1469598103934665603ull ^ line;
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	for (const char *p = file; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return h;
}

static uint32_t *code_slot(const char *name, const char *file, uint32_t line, int is_c)
{
	size_t i = (size_t)code_hash(name, file, line) & (code_index.cap - 1);
	for (;; i = (i + 1) & (code_index.cap - 1)) {
		uint32_t *s = &code_index.slots[i];
		if (!*s)
			return s;
		const vt_code *c = &vt.codes[*s - 1];
		if (c->line == line && c->is_c == is_c && strcmp(c->name, name) == 0 &&
		    strcmp(c->file, file) == 0)
			return s;
	}
}

static int code_index_grow(void)
{
	size_t cap = code_index.cap ? code_index.cap * 2 : 1024;
	uint32_t *old = code_index.slots;
	size_t old_cap = code_index.cap;
	code_index.slots = calloc(cap, sizeof *code_index.slots);
	if (!code_index.slots) {
		code_index.slots = old;
		return -1;
	}
	code_index.cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i]) {
			const vt_code *c = &vt.codes[old[i] - 1];
			*code_slot(c->name, c->file, c->line, (int)c->is_c) = old[i];
		}
	free(old);
	return 0;
}

/* Appends a code table entry, or finds the same one; takes ownership of name and file. */
static uint32_t codes_add(char *name, char *file, uint32_t line, int is_c)
{
	if (!name || !file || codes_reserve() < 0 ||
	    ((vt.code_count + 1) * 2 > code_index.cap && code_index_grow() < 0)) {
		vt.sticky |= VT_STICKY_NOMEM;
		free(name);
		free(file);
		return VT_ID_UNKNOWN;
	}
	uint32_t *slot = code_slot(name, file, line, is_c);
	if (*slot) {
		free(name);
		free(file);
		return *slot - 1;
	}
	vt_code *c = &vt.codes[vt.code_count];
	c->name = name;
	c->file = file;
	c->line = line;
	c->is_c = (uint8_t)is_c;
	c->marks = 0;
	c->verdict = 0;
	c->verdict_ok = 0;
	*slot = vt.code_count + 1;
	uint32_t id = vt.code_count++;
	for (int i = 0; i < observer_count; i++)
		if (observers[i].code_added)
			observers[i].code_added(id);
	return id;
}

static void codes_init(void)
{
	if (vt.code_count)
		return;
	codes_add(strdup("<vtrace>"), strdup(""), 0, 0);
	codes_add(strdup("<unknown>"), strdup(""), 0, 0);
}

static char *join_name(const char *module, const char *qualname)
{
	size_t lm = module ? strlen(module) : 0, lq = strlen(qualname);
	char *s = malloc(lm + lq + 2);
	if (!s)
		return NULL;
	if (lm) {
		memcpy(s, module, lm);
		s[lm++] = '.';
	}
	memcpy(s + lm, qualname, lq + 1);
	return s;
}

/* A str's UTF-8 (borrowed), or dflt. A str with surrogates (a file name that was not UTF-8
 * on disk, a name made with code.replace) gets its bytes back (surrogateescape) or
 * backslashes: the last few such encodings are kept here, long enough to be copied. */
static const char *utf8_or(PyObject *o, const char *dflt)
{
	static PyObject *kept[4];
	static unsigned next;
	if (!o || !PyUnicode_Check(o))
		return dflt;
	const char *s = PyUnicode_AsUTF8(o);
	if (s)
		return s;
	PyErr_Clear();
	PyObject *b = PyUnicode_AsEncodedString(o, "utf-8", "surrogateescape");
	if (!b) {
		PyErr_Clear();
		b = PyUnicode_AsEncodedString(o, "utf-8", "backslashreplace");
	}
	if (!b) {
		PyErr_Clear();
		return dflt;
	}
	Py_XSETREF(kept[next], b);
	next = (next + 1) % 4;
	return PyBytes_AS_STRING(b);
}

#if VT_INIT_BY_MONITORING
/* Hands a code object to sys.monitoring; nonzero when it took it. It is kept (weakly) so
 * its local events can leave with the tool id: one it could not keep is left to the frame
 * hook. Generator code never goes: CALL_ALLOC_AND_ENTER_INIT runs such an __init__ only up
 * to its RETURN_GENERATOR, which the hook does not record either. */
static int monitor_code(PyCodeObject *co)
{
	if (!vt.set_local_events || (co->co_flags & (CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR)))
		return 0;
	if (!vt.init_codes)
		vt.init_codes = PyList_New(0);
	PyObject *ref = vt.init_codes ? PyWeakref_NewRef((PyObject *)co, NULL) : NULL;
	PyObject *r = NULL;
	if (ref && PyList_Append(vt.init_codes, ref) == 0) {
		r = PyObject_CallFunction(vt.set_local_events, "iOi", vt.monitor_tool, (PyObject *)co,
					  vt.monitor_events);
		Py_ssize_t n = PyList_GET_SIZE(vt.init_codes);
		if (!r)
			PyList_SetSlice(vt.init_codes, n - 1, n, NULL);
	}
	Py_XDECREF(ref);
	Py_XDECREF(r);
	PyErr_Clear();
	return r != NULL;
}

/* Code named __init__ goes to sys.monitoring at first sight. */
static int monitor_init(PyCodeObject *co)
{
	return PyUnicode_Check(co->co_name) && PyUnicode_EqualToUTF8(co->co_name, "__init__") &&
	       monitor_code(co);
}

/* Sets the local events of every code object still alive that was given to sys.monitoring,
 * and forgets the dead ones. */
static void init_codes_apply(PyObject *set_local_events, int tool, int events)
{
	Py_ssize_t n = vt.init_codes ? PyList_GET_SIZE(vt.init_codes) : 0;
	PyObject *live = PyList_New(0);
	for (Py_ssize_t i = 0; live && i < n; i++) {
		PyObject *ref = PyList_GET_ITEM(vt.init_codes, i), *code = NULL;
		if (PyWeakref_GetRef(ref, &code) != 1)
			continue;
		PyObject *r = PyObject_CallFunction(set_local_events, "iOi", tool, code, events);
		Py_XDECREF(r);
		Py_DECREF(code);
		if (PyList_Append(live, ref) < 0)
			Py_CLEAR(live);
	}
	PyErr_Clear();
	if (live) {
		Py_XDECREF(vt.init_codes);
		vt.init_codes = live;
	}
}

/* Hands a function's code to sys.monitoring, whether or not the hook met it before. */
static void monitor_function(PyObject *func)
{
	PyObject *code = PyFunction_GET_CODE(func);
	uint64_t key = vt_code_key(code, PyFunction_GET_GLOBALS(func));
	uint32_t id = (uint32_t)key;
	if (id == VT_ID_SKIP || id == VT_ID_UNKNOWN || (key & VT_KEY_NOT_HOOKED) ||
	    !monitor_code((PyCodeObject *)code))
		return;
	if (vt_code_set_extra(code, vt.extra_index, (void *)(uintptr_t)((key | VT_KEY_NOT_HOOKED) + 1)) < 0)
		vt.sticky |= VT_STICKY_NOMEM;
}

/* A class whose instances object.__new__ makes: its __init__, when a Python function, is
 * what a specialized call of the class enters inline (whatever the function's name). */
static void monitor_class(PyTypeObject *tp, PyObject *init_name)
{
	if (!(tp->tp_flags & Py_TPFLAGS_HEAPTYPE) || tp->tp_new != PyBaseObject_Type.tp_new)
		return;
	PyObject *init = _PyType_Lookup(tp, init_name); /* borrowed */
	if (init && PyFunction_Check(init))
		monitor_function(init);
}

/* A function named __init__ made while recording (a class statement, a dataclass's exec)
 * goes to sys.monitoring at once: a call site specialized for another class respecializes
 * for its class at a first call now and then, which the hook would then never see. */
static int init_watcher = -1;

static int on_function(PyFunction_WatchEvent event, PyFunctionObject *func, PyObject *new_value)
{
	(void)new_value;
	PyObject *name = ((PyCodeObject *)func->func_code)->co_name;
	if (event != PyFunction_EVENT_CREATE || !vt.recording || !PyUnicode_Check(name) ||
	    PyUnicode_GET_LENGTH(name) != 8 || !PyUnicode_EqualToUTF8(name, "__init__"))
		return 0;
	vt_exc exc;
	vt_exc_save(&exc);
	monitor_function((PyObject *)func);
	vt_exc_restore(&exc);
	return 0;
}

static void watch_functions(int on)
{
	if (on && init_watcher < 0)
		init_watcher = PyFunction_AddWatcher(on_function);
	else if (!on && init_watcher >= 0 && PyFunction_ClearWatcher(init_watcher) == 0)
		init_watcher = -1;
	PyErr_Clear(); /* without a watcher, the hook still meets most of them first */
}

/* Call sites specialized before recording started enter __init__ without the frame hook,
 * which therefore never saw that code: every class alive (object's subclasses, transitively)
 * hands its __init__ over now. */
static void monitor_classes(void)
{
	vt_exc exc;
	vt_exc_save(&exc);
	PyObject *name = PyUnicode_InternFromString("__init__");
	PyObject *subclasses = PyObject_GetAttrString((PyObject *)&PyType_Type, "__subclasses__");
	PyObject *seen = PySet_New(NULL), *todo = PyList_New(0);
	if (!name || !subclasses || !seen || !todo || PyList_Append(todo, (PyObject *)&PyBaseObject_Type) < 0)
		goto out;
	Py_ssize_t n;
	while ((n = PyList_GET_SIZE(todo)) > 0) {
		PyObject *tp = Py_NewRef(PyList_GET_ITEM(todo, n - 1));
		PyObject *subs = PyList_SetSlice(todo, n - 1, n, NULL) == 0 ?
			PyObject_CallOneArg(subclasses, tp) : NULL;
		Py_DECREF(tp);
		for (Py_ssize_t i = 0; subs && PyList_Check(subs) && i < PyList_GET_SIZE(subs); i++) {
			PyObject *sub = PyList_GET_ITEM(subs, i);
			/* Seen by address: a metaclass's __hash__ or __eq__ is the program's code. */
			PyObject *id = PyType_Check(sub) ? PyLong_FromVoidPtr(sub) : NULL;
			int known = id ? PySet_Contains(seen, id) : 1;
			if (!known && (PySet_Add(seen, id) < 0 || PyList_Append(todo, sub) < 0))
				known = -1;
			Py_XDECREF(id);
			if (known < 0)
				break;
			if (!known)
				monitor_class((PyTypeObject *)sub, name);
		}
		Py_XDECREF(subs);
		PyErr_Clear();
	}
out:
	Py_XDECREF(name);
	Py_XDECREF(subclasses);
	Py_XDECREF(seen);
	Py_XDECREF(todo);
	vt_exc_restore(&exc);
}
#endif

void vt_init_monitor_set(int tool, PyObject *set_local_events, int events)
{
#if VT_INIT_BY_MONITORING
	if (set_local_events)
		init_codes_apply(set_local_events, tool, events);
	else if (vt.set_local_events)
		init_codes_apply(vt.set_local_events, vt.monitor_tool, 0);
#endif
	Py_XINCREF(set_local_events);
	Py_XDECREF(vt.set_local_events);
	vt.set_local_events = set_local_events;
	vt.monitor_tool = tool;
	vt.monitor_events = events;
#if VT_INIT_BY_MONITORING
	if (set_local_events)
		monitor_classes();
	watch_functions(set_local_events != NULL);
#endif
}

/* The filters' verdict on a code table entry, once per run, and the decorators' marks:
 * key flags. A pattern that hits its match limit leaves the function recorded. */
uint64_t vt_code_flags(uint32_t id)
{
	vt_code *c = &vt.codes[id];
	if (!c->verdict_ok) {
		c->verdict = 0;
		if (vt.filters && flt_set_match_entry(vt.filters, c->name, c->file, NULL) == 0)
			c->verdict = (uint8_t)(VT_KEY_EXCLUDED >> 32);
		c->verdict_ok = 1;
	}
	return (uint64_t)(c->verdict | c->marks) << 32;
}

Py_ssize_t vt_codes_refilter(Py_ssize_t index)
{
	if (index < 0)
		index = vt_request_extra_index();
	if (index < 0)
		return -1;
	vt.extra_index = index;
	for (uint32_t i = 0; i < vt.code_count; i++)
		vt.codes[i].verdict_ok = 0;
	return index;
}

uint32_t vt_label_id(const char *name)
{
	codes_init();
	return codes_add(strdup(name), strdup(""), 0, VT_CODE_LABEL);
}

int vt_code_mark(PyObject *code, PyObject *globals, uint64_t flag)
{
	uint64_t key = vt_code_key(code, globals);
	uint32_t id = (uint32_t)key;
	if (id == VT_ID_SKIP || id == VT_ID_UNKNOWN)
		return -1;
	vt.codes[id].marks |= (uint8_t)(flag >> 32);
	key = (key & (VT_KEY_NOT_HOOKED | VT_KEY_GENERATOR)) | id | vt_code_flags(id);
	/* Keys cached for other filter sets lack the mark: they are registered again. */
	for (int i = 0; i < vt.extra_count; i++)
		if (vt.extra_indices[i] != vt.extra_index)
			vt_code_set_extra(code, vt.extra_indices[i], NULL);
	return vt_code_set_extra(code, vt.extra_index, (void *)(uintptr_t)(key + 1));
}

/* Cold: the first sight of a code object. Names it once (module from the frame's globals)
 * and caches its key on the code object. */
uint64_t vt_code_register(PyObject *code, PyObject *globals)
{
	vt_exc exc;
	vt_exc_save(&exc);
	codes_init();
	PyCodeObject *co = (PyCodeObject *)code;
	PyObject *modname = globals && PyDict_Check(globals) ?
		PyDict_GetItemString(globals, "__name__") : NULL;
	const char *file = utf8_or(co->co_filename, "");
	uint64_t key;
	if (vt.skip_prefix && strncmp(file, vt.skip_prefix, strlen(vt.skip_prefix)) == 0)
		key = VT_ID_SKIP | VT_KEY_NOT_HOOKED;
	else
		key = codes_add(join_name(utf8_or(modname, NULL), utf8_or(vt_code_qualname(co), "?")),
				strdup(file), (uint32_t)co->co_firstlineno, 0);
	if (key != VT_ID_SKIP && key != VT_ID_UNKNOWN)
		key |= vt_code_flags((uint32_t)key);
#if VT_INIT_BY_MONITORING
	if (key != VT_ID_UNKNOWN && !(key & VT_KEY_NOT_HOOKED) && monitor_init(co))
		key |= VT_KEY_NOT_HOOKED;
#endif
#if PY_VERSION_HEX >= 0x030b0000
	if (co->co_flags & (CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR))
		key |= VT_KEY_GENERATOR;
#else
	if (co->co_flags & CO_COROUTINE) /* the slow path names asyncio tasks */
		key |= VT_KEY_GENERATOR;
#endif
	if (key != VT_ID_UNKNOWN && vt_code_set_extra(code, vt.extra_index, (void *)(uintptr_t)(key + 1)) < 0)
		vt.sticky |= VT_STICKY_NOMEM;
	vt_exc_restore(&exc);
	return key;
}

/* A C function's name: module.name for module functions, Type.name for methods. */
static char *cfunc_name(PyObject *func)
{
	if (PyCFunction_Check(func)) {
		PyCFunctionObject *f = (PyCFunctionObject *)func;
		PyObject *self = f->m_self;
		if (!self || PyModule_Check(self))
			return join_name(utf8_or(f->m_module, NULL), f->m_ml->ml_name);
		PyTypeObject *tp = PyType_Check(self) ? (PyTypeObject *)self : Py_TYPE(self);
		return join_name(tp->tp_name, f->m_ml->ml_name);
	}
	if (Py_IS_TYPE(func, &PyMethodDescr_Type)) {
		PyMethodDescrObject *d = (PyMethodDescrObject *)func;
		return join_name(d->d_common.d_type->tp_name, d->d_method->ml_name);
	}
	return join_name(NULL, Py_TYPE(func)->tp_name);
}

/* C functions have no co_extra: their ids live in an open-addressing table keyed by the
 * address of their PyMethodDef (static, so stable). */
static struct {
	const void **keys;
	uint32_t *ids;
	size_t cap, count;
} cfuncs;

static size_t cfunc_slot(const void *key, size_t cap)
{
	uint64_t h = (uint64_t)(uintptr_t)key * 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 20) & (cap - 1);
}

static int cfuncs_grow(void)
{
	size_t cap = cfuncs.cap ? cfuncs.cap * 2 : 256;
	const void **keys = calloc(cap, sizeof *keys);
	uint32_t *ids = calloc(cap, sizeof *ids);
	if (!keys || !ids) {
		free(keys);
		free(ids);
		return -1;
	}
	for (size_t i = 0; i < cfuncs.cap; i++) {
		if (!cfuncs.keys[i])
			continue;
		size_t s = cfunc_slot(cfuncs.keys[i], cap);
		while (keys[s])
			s = (s + 1) & (cap - 1);
		keys[s] = cfuncs.keys[i];
		ids[s] = cfuncs.ids[i];
	}
	free(cfuncs.keys);
	free(cfuncs.ids);
	cfuncs.keys = keys;
	cfuncs.ids = ids;
	cfuncs.cap = cap;
	return 0;
}

/* Looks a C function up by key, registering it on first sight. */
uint32_t vt_cfunc_register(PyObject *func, const void *key)
{
	if (cfuncs.cap) {
		size_t s = cfunc_slot(key, cfuncs.cap);
		for (; cfuncs.keys[s]; s = (s + 1) & (cfuncs.cap - 1))
			if (cfuncs.keys[s] == key)
				return cfuncs.ids[s];
	}
	if ((cfuncs.count + 1) * 2 > cfuncs.cap && cfuncs_grow() < 0) {
		vt.sticky |= VT_STICKY_NOMEM;
		return VT_ID_UNKNOWN;
	}
	codes_init();
	uint32_t id = codes_add(cfunc_name(func), strdup(""), 0, 1);
	if (id == VT_ID_UNKNOWN)
		return id;
	size_t s = cfunc_slot(key, cfuncs.cap);
	while (cfuncs.keys[s])
		s = (s + 1) & (cfuncs.cap - 1);
	cfuncs.keys[s] = key;
	cfuncs.ids[s] = id;
	cfuncs.count++;
	return id;
}

/* In a forked child: only the forking thread is left (ring.c gives it a fresh ring). */
void vt_after_fork_child(void)
{
	for (uint32_t i = 0; i < vt.thread_count; i++) {
		free(vt.threads[i].name);
		free(vt.threads[i].ring_name);
	}
	vt.thread_count = 0;
	vt_tls_thread = -1;
	vt.start_ticks = vt_ticks();
	vt.sticky = 0;
	vt.dump_seq = 0;
}
