/* vt.h: the tracer's internal state, shared by its C files (not a public header: the
 * public interface of tracer/ is the Python package `vtrace`).
 *
 * One global ring of fixed-size records. The GIL serialises every writer (CPython 3.9 ..
 * 3.13 default builds), so the ring keeps exactly the most recent `cap` events across all
 * threads without a lock. The hot path (vt_push) never allocates, raises or hashes.
 */
#ifndef VTUI_TRACER_VT_H
#define VTUI_TRACER_VT_H

#include "tracer/compat.h"

#include <stdint.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define VT_HAVE_TSC 1
#else
#define VT_HAVE_TSC 0
#endif

#define VT_LIKELY(x) __builtin_expect(!!(x), 1)
#define VT_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* One event: 16 bytes. */
typedef struct vt_record {
	uint64_t ticks;     /* TSC ticks, or CLOCK_MONOTONIC ns where there is no TSC */
	uint32_t id;        /* code table id */
	uint16_t thread;    /* thread table index */
	uint16_t kind;      /* enum vt_kind */
} vt_record;

/* Record kinds. Values from VT_KIND_RESERVED up are kept for instants, counters, log
 * records and snapshots, whose variable-length data will live in a side arena. */
enum vt_kind {
	VT_BEGIN = 1,
	VT_END = 2,
	VT_END_EXC = 3,
	VT_C_BEGIN = 4,
	VT_C_END = 5,
	VT_C_END_EXC = 6,
	VT_KIND_RESERVED = 16,
};

/* Sticky flags: set on the hot path, reported and cleared when tracing stops. */
enum vt_sticky {
	VT_STICKY_NOMEM = 1 << 0,        /* a code object or thread could not be registered */
	VT_STICKY_THREADS = 1 << 1,      /* more threads than the table holds: merged into one */
	VT_STICKY_CODES = 1 << 2,        /* more functions than ids */
};

/* A code object's key, cached in its co_extra (plus one): the id in the low 32 bits, and
 * VT_KEY_NOT_HOOKED when the frame hook must pass its frames through (the tracer's own
 * code, or code recorded through sys.monitoring). */
#define VT_KEY_NOT_HOOKED (1ull << 32)

/* Code table ids 0 and 1 are reserved. */
#define VT_ID_SKIP 0u      /* the tracer's own code: run but not recorded */
#define VT_ID_UNKNOWN 1u   /* could not be registered (out of memory) */
#define VT_MAX_THREADS 65535u

typedef struct vt_code {
	char *name;         /* module.qualname (malloc'd) */
	char *file;         /* "" for C functions */
	uint32_t line;
	uint32_t is_c;
} vt_code;

typedef struct vt_thread {
	uint64_t ident;     /* threading.get_ident() */
	uint64_t native_id; /* gettid() */
	char *name;         /* set when the thread ended (threading name), else NULL */
} vt_thread;

struct vt_state {
	vt_record *ring;
	uint64_t cap;       /* records the ring holds */
	uint64_t pos;       /* next slot */
	uint64_t total;     /* records ever pushed since the last clear */
	int recording;      /* the hook records (it stays chained while this is 0) */
	int installed;
	int c_calls;
	unsigned sticky;
	vt_eval_fn prev_eval;
	Py_ssize_t extra_index;
	char *skip_prefix;  /* code from files under it is not recorded (the vtrace package) */
	PyObject *set_local_events; /* sys.monitoring.set_local_events, for __init__ (3.13) */
	int monitor_tool, monitor_events;

	vt_code *codes;
	uint32_t code_count, code_cap;
	vt_thread *threads;
	uint32_t thread_count, thread_cap;

	/* The clock: ticks -> ns is calibrated at dump time against this base. */
	int use_tsc;
	uint64_t base_ticks, base_mono_ns, base_wall_ns;
	uint64_t start_ticks;    /* when recording last started */
	uint64_t dump_seq;       /* dumps of this process so far ({n}) */
};

extern struct vt_state vt;
extern __thread int vt_tls_thread __attribute__((tls_model("initial-exec")));

uint64_t vt_mono_ns(void);

static inline uint64_t vt_ticks(void)
{
#if VT_HAVE_TSC
	if (VT_LIKELY(vt.use_tsc))
		return __rdtsc();
#endif
	return vt_mono_ns();
}

static inline void vt_push(uint64_t ticks, uint32_t id, uint16_t thread, uint16_t kind)
{
	vt_record *r = &vt.ring[vt.pos];
	r->ticks = ticks;
	r->id = id;
	r->thread = thread;
	r->kind = kind;
	if (VT_UNLIKELY(++vt.pos == vt.cap))
		vt.pos = 0;
	vt.total++;
}

/* state.c */
/* Reads the clock base (once, at import) and picks TSC or CLOCK_MONOTONIC. */
void vt_clock_init(void);
/* Converts ticks to CLOCK_MONOTONIC ns; vt_clock_calibrate() first (once per dump). */
typedef struct vt_clock_conv {
	uint64_t base_ticks, base_ns;
	double ns_per_tick;
} vt_clock_conv;
void vt_clock_calibrate(vt_clock_conv *c);
static inline uint64_t vt_clock_ns(const vt_clock_conv *c, uint64_t ticks)
{
	if (ticks <= c->base_ticks)
		return c->base_ns;
	return c->base_ns + (uint64_t)((double)(ticks - c->base_ticks) * c->ns_per_tick);
}
/* (Re)allocates the ring for `cap` records, touched and empty; the state owns it. -1: no memory. */
int vt_ring_alloc(uint64_t cap);
void vt_ring_clear(void);
/* Cold paths behind the hot lookups below; they never raise (problems go to vt.sticky). */
uint16_t vt_thread_register(PyThreadState *ts);
uint64_t vt_code_register(PyObject *code, PyObject *globals);
uint32_t vt_cfunc_register(PyObject *func, const void *key);
/* In a fork child: empty ring, empty thread table, dump count back to 0. */
void vt_after_fork_child(void);

/* Key of a code object: cached in co_extra, so no hashing per event. */
static inline uint64_t vt_code_key(PyObject *code, PyObject *globals)
{
	void *p = vt_code_extra(code, vt.extra_index);
	if (VT_LIKELY(p != NULL))
		return (uint64_t)(uintptr_t)p - 1;
	return vt_code_register(code, globals);
}

static inline uint32_t vt_code_id(PyObject *code, PyObject *globals)
{
	return (uint32_t)vt_code_key(code, globals);
}

static inline uint16_t vt_thread_index(PyThreadState *ts)
{
	int t = vt_tls_thread;
	if (VT_LIKELY(t >= 0))
		return (uint16_t)t;
	return vt_thread_register(ts);
}

/* hook.c */
/* Chains the frame hook in (once) and starts recording; C calls too when asked. */
int vt_hook_install(int c_calls);
/* Stops recording; the hook leaves the chain if nothing was installed above it. */
void vt_hook_uninstall(void);
#if !VT_HAVE_MONITORING
/* Gives a thread seen for the first time the C-call profile function. */
void vt_hook_thread_started(PyThreadState *ts);
#endif
/* Code table id of a C function object (VT_ID_UNKNOWN for other callables). */
uint32_t vt_cfunc_id(PyObject *func);
/* The sys.monitoring callbacks the module exports (empty before 3.12). */
extern PyMethodDef vt_monitor_methods[];

/* dump.c */
typedef struct vt_dump_result {
	char *path;           /* the file written (malloc'd) */
	uint64_t events;      /* records in it */
	uint64_t dropped;     /* records the ring overwrote */
} vt_dump_result;
/* Write the ring to `pattern` ({pid}, {n}, {time} expanded) through a temporary file and a
 * rename. Returns 0, or a negative VTB error with *cause (malloc'd) saying what failed. */
int vt_dump(const char *pattern, uint32_t reason, const char *reason_text,
	    vt_dump_result *res, char **cause);

#endif
