/* SPDX-License-Identifier: MIT */
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

#include <signal.h>
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

/* One event: 16 bytes. id, thread and kind are written as one word (vt_push_word). */
typedef struct vt_record {
	uint64_t ticks;     /* TSC ticks, or CLOCK_MONOTONIC ns where there is no TSC */
	uint32_t id;        /* code table id */
	uint16_t thread;    /* thread table index */
	uint16_t kind;      /* enum vt_kind */
} vt_record;
_Static_assert(sizeof(vt_record) == 16 && __builtin_offsetof(vt_record, id) == 8 &&
	       __builtin_offsetof(vt_record, thread) == 12 && __builtin_offsetof(vt_record, kind) == 14,
	       "vt_push_word writes id, thread and kind as one word");

/* Record kinds. Calls and spans are one record each way; data kinds (from VT_D_FIRST on)
 * keep their variable-length part in the side arena: their `id` is the low 32 bits of the
 * arena position of a vt_blob, checked against the blob's stamp at dump time. */
enum vt_kind {
	VT_BEGIN = 1,
	VT_END = 2,
	VT_END_EXC = 3,
	VT_C_BEGIN = 4,
	VT_C_END = 5,
	VT_C_END_EXC = 6,
	VT_SPAN_BEGIN = 7,   /* vtrace.event: id is a label id */
	VT_SPAN_END = 8,
	VT_SPAN_END_EXC = 9,
	VT_GC_BEGIN = 10,    /* a garbage collection: on the GC track, id is a label id */
	VT_GC_END = 11,
	VT_D_FIRST = 16,
	VT_D_INSTANT = 16,   /* blob: name, text */
	VT_D_COUNTER = 17,   /* blob: name, aux = series, value */
	VT_D_LOG = 18,       /* blob: name = logger, aux = level, text */
	VT_D_OBJECT = 19,    /* blob: name, text */
	VT_D_ARGS = 20,      /* blob: text; attached to the innermost open call */
	VT_D_RETVAL = 21,    /* blob: text; attached to the call that just ended */
	VT_D_GC_INFO = 22,   /* blob: text; the result of the collection that just ended */
	VT_D_TASK = 23,      /* blob: text = asyncio task name, value = the Task's address;
			      * the innermost open call is a step of that task */
};

/* A variable-length record in the arena, 8-byte aligned, followed by its text. */
typedef struct vt_blob {
	uint64_t stamp;      /* its own arena position: a stale reference finds another value */
	double value;        /* counter sample */
	uint32_t name;       /* code table id of the name (counter, instant, object, logger) */
	uint32_t aux;        /* counter series id, or log level */
	uint32_t text_len;   /* bytes of text after the header, no NUL */
	uint32_t len_bytes;  /* the whole entry, header included */
} vt_blob;

/* The side arena: a byte ring that wraps with the record ring. A blob never straddles the
 * end; the tail it would not fit in is skipped. Bytes older than head - cap are gone. */
typedef struct vt_arena {
	uint8_t *buf;
	uint64_t cap;        /* bytes */
	uint64_t head;       /* bytes ever used (positions are offsets into this sequence) */
	uint64_t ready;      /* bytes of buf reserved in the ring file (cap once all are) */
} vt_arena;

#define VT_ARENA_PER_EVENT 4u          /* arena bytes per ring event */
#define VT_ARENA_MIN (64u << 10)
#define VT_TEXT_MAX 4096u              /* longest text one record keeps (bytes) */
#define VT_REPR_MAX 256u               /* longest repr of one value */

/* Sticky flags: set on the hot path, reported and cleared when tracing stops. */
enum vt_sticky {
	VT_STICKY_NOMEM = 1 << 0,        /* a code object or thread could not be registered */
	VT_STICKY_THREADS = 1 << 1,      /* more threads than the table holds: merged into one */
	VT_STICKY_CODES = 1 << 2,        /* more functions than ids */
};

/* A code object's key, cached in its co_extra (plus one): the id in the low 32 bits, and
 * flags above. Any flag sends the frame hook down its slow path:
 * VT_KEY_NOT_HOOKED: pass the frames through (the tracer's own code, or code recorded
 * through sys.monitoring); VT_KEY_EXCLUDED: not recorded, its callees are (filters);
 * VT_KEY_IGNORE: neither it nor its callees (@vtrace.ignore); VT_KEY_SPARSE: it, not its
 * callees (@vtrace.sparse). The filters are fixed for a run: a run with other filters
 * uses a fresh co_extra index, so keys cached under the old ones are never read. */
#define VT_KEY_NOT_HOOKED (1ull << 32)
#define VT_KEY_EXCLUDED (1ull << 33)
#define VT_KEY_IGNORE (1ull << 34)
#define VT_KEY_SPARSE (1ull << 35)
/* VT_KEY_GENERATOR: generator or coroutine code (3.11+; coroutine code only before), whose
 * frames the lean hook sends to its slow path: some only create their generator
 * (vt_frame_creates_generator), and a coroutine's step names its asyncio task. */
#define VT_KEY_GENERATOR (1ull << 36)
#define VT_KEY_FLAGS (0xffull << 32)

/* Code table ids 0 and 1 are reserved. */
#define VT_ID_SKIP 0u      /* the tracer's own code: run but not recorded */
#define VT_ID_UNKNOWN 1u   /* could not be registered (out of memory) */
#define VT_MAX_THREADS 65535u
#define VT_MAX_FILTER_SETS 16  /* distinct filter sets whose cached keys are kept */

/* Code table entries: Python code, C functions, and labels (names of counters, series,
 * instants, objects, loggers, spans, GC). */
enum vt_code_kind { VT_CODE_PY = 0, VT_CODE_C = 1, VT_CODE_LABEL = 2 };

typedef struct vt_code {
	char *name;         /* module.qualname (malloc'd) */
	char *file;         /* "" for C functions */
	uint32_t line;
	uint8_t is_c;       /* enum vt_code_kind */
	uint8_t marks;      /* VT_KEY_IGNORE / VT_KEY_SPARSE >> 32, set by the decorators */
	uint8_t verdict;    /* key flags >> 32 under the run's filters */
	uint8_t verdict_ok; /* verdict computed for the current filter generation */
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
	uint64_t lim;       /* slots reserved in the ring file (cap once all are): ring_space.c;
			     * between pos and total, so that no compiler adds those two as a vector */
	uint64_t total;     /* records ever pushed since the last clear */
	uint64_t *ring_head;  /* the ring header's copy of total, for readers (ring.c) */
	uint64_t *arena_head; /* the ring header's copy of arena.head */
	int recording;      /* the hook records (it stays chained while this is 0) */
	int installed;
	int c_calls;
	unsigned sticky;
	vt_eval_fn prev_eval;
	Py_ssize_t extra_index;  /* the co_extra slot keys are cached in for the run's filters */
	Py_ssize_t extra_indices[VT_MAX_FILTER_SETS]; /* one per filter set seen (config.c) */
	int extra_count;
	char *skip_prefix;  /* code from files under it is not recorded (the vtrace package) */
	PyObject *set_local_events; /* sys.monitoring.set_local_events, for __init__ (3.13) */
	int monitor_tool, monitor_events;
	PyObject *init_codes;    /* weak references to the code objects given to it (a list) */

	/* Options of the run (set before start). */
	void *filters;      /* flt_set *, or NULL: include/exclude over names and files */
	uint32_t depth_limit;    /* calls at recorded depth < depth_limit are kept */
	uint64_t min_ns;         /* dump drops calls shorter than this (and their callees) */
	int log_args, log_retval, log_exc, ignore_c;
	int full;                /* the run needs the general hook (depth, args, ...) */
	vt_arena arena;
	uint64_t data_lost;      /* data records whose text the arena had overwritten (last dump) */
	PyObject *repr_fn;       /* vtrace's bounded repr (callable), or NULL */

	vt_code *codes;
	uint32_t code_count, code_cap;
	vt_thread *threads;
	uint32_t thread_count, thread_cap;

	/* The clock: ticks -> ns is calibrated at dump time against this base. */
	int use_tsc;
	uint64_t base_ticks, base_mono_ns, base_wall_ns;
	uint64_t start_ticks;    /* when recording last started */
	uint64_t dump_seq;       /* dumps of this process so far ({n}) */
	volatile sig_atomic_t dumping; /* vt_dump runs: nudge.c waits for it (no Python runs) */
};

extern struct vt_state vt;
/* The calling thread's index; -1 before its first event; -(index + 2) while it records
 * nothing (inside an ignored or sparse function, or while the tracer runs Python code). */
extern __thread int vt_tls_thread __attribute__((tls_model("initial-exec")));
/* Recorded calls open on this thread (for max depth). */
extern __thread uint32_t vt_tls_depth __attribute__((tls_model("initial-exec")));
/* The lowest stack address a Python frame may start at on this thread (stacks grow down):
 * its stack's end plus a margin. UINTPTR_MAX until the thread's first frame reads it; 0
 * when it could not be read (no guard). */
extern __thread uintptr_t vt_tls_stack_lo __attribute__((tls_model("initial-exec")));
#define VT_STACK_MARGIN (1u << 20) /* bytes kept for what runs past the guard */

/* Cold: reads the bound, then says whether the stack is past it. */
int vt_stack_low_slow(void);

/* Is this thread's C stack too deep for one more Python frame? */
static inline int vt_stack_low(void)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	return VT_UNLIKELY(sp < vt_tls_stack_lo) && vt_stack_low_slow();
}

uint64_t vt_mono_ns(void);
/* This process's command line, arguments joined by spaces, into buf (NUL-terminated). */
void vt_read_cmdline(char *buf, size_t len);

static inline uint64_t vt_ticks(void)
{
#if VT_HAVE_TSC
	if (VT_LIKELY(vt.use_tsc))
		return __rdtsc();
#endif
	return vt_mono_ns();
}

/* A record's id, thread and kind as one 8-byte word: one store instead of three, and the
 * end of a call is its begin's word plus a kind step. */
static inline uint64_t vt_word(uint32_t id, uint16_t thread, uint16_t kind)
{
	return id | (uint64_t)thread << 32 | (uint64_t)kind << 48;
}

#define VT_WORD_KIND(kind) ((uint64_t)(kind) << 48)

/* Stores record number `total` (from 1) at slot `pos`, then publishes it. */
static inline void vt_put(uint64_t pos, uint64_t total, uint64_t *head, uint64_t ticks, uint64_t word)
{
	vt_record *r = &vt.ring[pos];
	r->ticks = ticks;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	__builtin_memcpy(&r->id, &word, sizeof word);
#else
	r->id = (uint32_t)word;
	r->thread = (uint16_t)(word >> 32);
	r->kind = (uint16_t)(word >> 48);
#endif
	/* Published after the record: a reader of the ring file sees it whole. */
	__atomic_store_n(head, total, __ATOMIC_RELEASE);
}

/* Appends a record unless the next slot is vt.lim (the wrap, or the end of what the ring
 * file has reserved: ring_space.c): then 0, nothing written, and vt_push_word_slow must do
 * it. Callers on the hot path branch to code that needs no register kept for the call. */
static inline int vt_push_word_try(uint64_t ticks, uint64_t word)
{
	/* The position moves first: a record store could alias it and force a reload. */
	uint64_t pos = vt.pos, next = pos + 1, total = vt.total + 1;
	uint64_t *head = vt.ring_head;
	if (VT_UNLIKELY(next == vt.lim))
		return 0;
	vt.pos = next;
	vt.total = total;
	vt_put(pos, total, head, ticks, word);
	return 1;
}

/* ring_space.c: the push vt_push_word_try left: wraps, or reserves more of the ring file
 * (or shrinks the ring when the file system has no room). */
void vt_push_word_slow(uint64_t ticks, uint64_t word) __attribute__((cold, noinline));

static inline void vt_push_word(uint64_t ticks, uint64_t word)
{
	if (VT_UNLIKELY(!vt_push_word_try(ticks, word)))
		vt_push_word_slow(ticks, word);
}

static inline void vt_push(uint64_t ticks, uint32_t id, uint16_t thread, uint16_t kind)
{
	vt_push_word(ticks, vt_word(id, thread, kind));
}

/* state.c */
/* Reads the clock base (once, at import) and picks TSC or CLOCK_MONOTONIC. */
void vt_clock_init(void);
/* A CLOCK_MONOTONIC reading and the ticks at the same moment, as one pair. */
void vt_clock_pair(uint64_t *ns, uint64_t *ticks);
/* Converts ticks to CLOCK_MONOTONIC ns; vt_clock_calibrate() first (once per dump). The
 * rate is also kept in fixed point, mult / 2^shift ns per tick with mult < 2^63: a dump
 * converts every timestamp, and a 128-bit multiply costs less than a double round trip. */
typedef struct vt_clock_conv {
	uint64_t base_ticks, base_ns;
	double ns_per_tick;
	uint64_t mult;
	unsigned shift;
} vt_clock_conv;
void vt_clock_calibrate(vt_clock_conv *c);
static inline uint64_t vt_clock_ns(const vt_clock_conv *c, uint64_t ticks)
{
	if (ticks <= c->base_ticks)
		return c->base_ns;
	return c->base_ns + (uint64_t)(((unsigned __int128)(ticks - c->base_ticks) * c->mult) >> c->shift);
}
/* Empties the ring (the memory stays). */
void vt_ring_clear(void);
/* What a file told of new table entries does: thread `index` registered (ts may be NULL),
 * code table entry `id` added. Either may be NULL. */
typedef struct vt_observer {
	void (*thread_added)(uint32_t index, PyThreadState *ts);
	void (*code_added)(uint32_t id);
} vt_observer;
#define VT_MAX_OBSERVERS 4
/* Adds an observer (once: the same one again is a no-op), called in the order added. -1 when
 * VT_MAX_OBSERVERS are taken. */
int vt_observe(const vt_observer *o);
/* Cold paths behind the hot lookups below; they never raise (problems go to vt.sticky). */
uint16_t vt_thread_register(PyThreadState *ts);
uint64_t vt_code_register(PyObject *code, PyObject *globals);
/* Key flags of a code table entry: the filters' verdict (once per run) and the marks. */
uint64_t vt_code_flags(uint32_t id);
/* Id of a label (counter, instant, logger, span name), registered on first use. */
uint32_t vt_label_id(const char *name);
/* Marks a code object for @vtrace.ignore / @vtrace.sparse (flag VT_KEY_IGNORE or _SPARSE). */
int vt_code_mark(PyObject *code, PyObject *globals, uint64_t flag);
/* Switch to co_extra slot `index` (-1: a fresh one) for other filters: keys cached under the
 * previous filters are not read again. Returns the slot, or -1 when none is left. */
Py_ssize_t vt_codes_refilter(Py_ssize_t index);
uint32_t vt_cfunc_register(PyObject *func, const void *key);
/* Where __init__ code goes (3.13): `set_local_events` is sys.monitoring's, `tool` vtrace's
 * tool id. NULL takes the local events off every code object given so far (before the tool
 * id is freed); a later call with the function puts them back under its tool, and hands
 * over the __init__ of every class alive (call sites specialized before the start enter
 * them past the frame hook) and, until the next call with NULL, each function named
 * __init__ as it is made. */
void vt_init_monitor_set(int tool, PyObject *set_local_events, int events);
/* In a fork child: empty thread table, dump count back to 0 (vt_ring_after_fork: the ring). */
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

/* vt_code_key for callers without the frame at hand (sys.monitoring and profile callbacks):
 * the running frame's globals are fetched only on first sight, when they name the module. */
static inline uint64_t vt_code_key_here(PyObject *code)
{
	void *p = vt_code_extra(code, vt.extra_index);
	if (VT_LIKELY(p != NULL))
		return (uint64_t)(uintptr_t)p - 1;
	return vt_code_register(code, PyEval_GetGlobals());
}

static inline uint16_t vt_thread_index(PyThreadState *ts)
{
	int t = vt_tls_thread;
	if (VT_LIKELY(t >= 0))
		return (uint16_t)t;
	if (t < -1)
		return (uint16_t)(-t - 2);
	return vt_thread_register(ts);
}

/* The thread index to record under, or -1 while the thread records nothing. `ts` may be
 * NULL where the caller has none (it only matters to the profile API, before 3.12). */
static inline int vt_thread_recording(PyThreadState *ts)
{
	int t = vt_tls_thread;
	if (VT_LIKELY(t >= 0))
		return t;
	if (t < -1)
		return -1;
	return vt_thread_register(ts);
}

/* Stop recording this thread (nesting is the caller's: it keeps the value returned and
 * gives it back to vt_thread_resume). */
static inline int vt_thread_pause(void)
{
	int old = vt_tls_thread;
	if (old == -1 && vt.recording)
		old = vt_thread_register(NULL); /* else its first frame would register it */
	if (old >= 0)
		vt_tls_thread = -old - 2;
	return old;
}

static inline void vt_thread_resume(int old)
{
	vt_tls_thread = old;
}

/* ring.c: the ring's memory, a shared file (the black box) or anonymous memory */
/* (Re)allocates the ring and its arena for `cap` records, empty (its space reserved, its pages
 * touched as the ring fills); the state owns it. -1: no memory. */
int vt_ring_alloc(uint64_t cap);
/* Observes state.c's tables (vt_observe) to copy them into the ring file. */
int vt_ring_observe(void);
/* Maps a ring of `cap` records with its arena and tables (a file unless the options or the
 * directory say no: then vt_ring_take_warning says why) and points vt at it. -1: no memory. */
int vt_ring_map(uint64_t cap);
/* Is the mapping made for `cap` records under the current options? */
int vt_ring_matches(uint64_t cap);
/* --ring-dir (NULL: the default), --no-ring-file and --dump-mode (checked: vt_dump_mode_problem;
 * the ring file takes its read bits), for the next mapping. */
void vt_ring_configure(const char *dir, int no_file, unsigned dump_mode);
/* The ring file's path, or NULL when the ring is in anonymous memory. */
const char *vt_ring_path(void);
/* Why the ring is not in a file (malloc'd, once per process), or NULL. */
char *vt_ring_take_warning(void);
void vt_ring_thread_named(uint32_t index, const char *name);
/* The state word (enum vtb_ring_state); a successful dump to `path`. */
void vt_ring_set_state(uint32_t state);
void vt_ring_dumped(const char *path);
/* The header names the signal that asks for a dump (0: none), for vtui --ask-dump. */
void vt_ring_set_dump_signal(uint32_t sig);
/* In a fork child (after vt_after_fork_child): its own empty ring, in its own file where a
 * Tracer records. */
int vt_ring_after_fork(void);
/* A normal exit: state exited, and the file removed when `remove`. */
void vt_ring_exit(int remove);
/* The process is about to end by sig's default action: the header says so, and the file
 * is removed when `remove` (a dump holds its data). */
void vt_ring_ended_by(uint32_t sig, int remove);

/* ring_space.c: the ring file's space, reserved as its writers first reach it */
struct vtb_ring_header;
/* A new file mapped at m (map_bytes, laid out as `layout`, fd open): its header and first
 * records reserved. 0: the rest will be reserved as it is written; 1: all of it is (a kernel
 * without MADV_POPULATE_WRITE); -1: the file system has no room for it. */
int vt_space_probe(void *m, size_t map_bytes, const struct vtb_ring_header *layout, int fd);
/* The mapping h (laid out) of the file `path` (a buffer the caller keeps) is the ring's
 * now: vt.lim and vt.arena.ready from what is reserved (everything when !lazy: anonymous
 * memory, or a file reserved whole). */
void vt_space_attach(struct vtb_ring_header *h, size_t map_bytes, int lazy, const char *path);
/* Where the one warning of a file system out of room goes (-1: nowhere). */
void vt_space_set_err_fd(int fd);
/* Reserve the arena up to `end` bytes (vt.arena.ready), the code and thread tables for
 * `count` entries, the strings up to `end` bytes: 0, or -1 when there is no room. */
int vt_arena_grow(uint64_t end);
int vt_space_codes(uint64_t count);
int vt_space_threads(uint64_t count);
int vt_space_strings(uint64_t end);

/* hook.c */
/* Chains the frame hook in (once) and starts recording; C calls too when asked. The lean
 * hook when vt.full is 0, the general one (depth, arguments, ...) otherwise. */
int vt_hook_install(int c_calls);
/* Stops recording; the hook leaves the chain if nothing was installed above it. */
void vt_hook_uninstall(void);
/* Observes state.c's thread table (vt_observe): before 3.12, a thread seen for the first
 * time gets the C-call profile function when the run records C calls. */
int vt_hook_observe(void);
/* Code table id of a C function object (VT_ID_UNKNOWN for other callables). */
uint32_t vt_cfunc_id(PyObject *func);
/* The sys.monitoring callbacks the module exports (empty before 3.12). */
extern PyMethodDef vt_monitor_methods[];

/* data.c */
/* Appends a data record with a blob; text may be NULL. Never raises. */
void vt_data_push(uint16_t kind, int thread, uint32_t name, uint32_t aux, double value,
		  const char *text, size_t text_len);
/* The recording path's data: arguments of a frame about to run, a return value, the
 * exception leaving a frame (pending). Each runs Python code with the thread paused. */
void vt_record_args(vt_frame *f, PyObject *code, int thread);
void vt_record_retval(PyObject *r, int thread);
/* After the begin of a resumed coroutine frame: when it is the outermost coroutine of its
 * await chain (a step of an asyncio task), a VT_D_TASK record names the current task. */
void vt_record_task(PyThreadState *ts, PyObject *code, int thread);
void vt_record_exception(int thread);
/* An instant for a raised exception: its type (module.Qualname) and its bounded str. */
void vt_record_raised(PyObject *value, int thread);
/* The Python functions of the data API (instant, counter, log, ...), for module.c. */
extern PyMethodDef vt_data_methods[];
/* nudge.c: terminating signals handled in Python still terminate (nudge_install, _ack,
 * _after_fork), for module.c. */
extern PyMethodDef vt_nudge_methods[];

/* raise.c (--log-exceptions: every raise recorded once, caught where raised or not) */
/* Switches the raise events on (1) or off (0) for every thread (before 3.12; from 3.12
 * the Python package switches sys.monitoring's RAISE). */
void vt_raise_set(int on);
/* Does this thread report raises as they happen? Else exceptions are recorded as they
 * leave their first frame (vt_record_exception). */
int vt_raise_hooked(PyThreadState *ts);
/* Observes state.c's thread table (vt_observe): before 3.12, a thread seen for the first
 * time gets the raise events when the run asks for them. */
int vt_raise_observe(void);
/* The module functions of raise.c (the RAISE callback from 3.12). */
extern PyMethodDef vt_raise_methods[];

/* config.c */
extern PyMethodDef vt_config_methods[];

/* dump.c */
typedef struct vt_dump_result {
	char *path;           /* the file written (malloc'd) */
	char *asked;          /* the path the pattern gave when an earlier dump had it (malloc'd) */
	uint64_t events;      /* records in it */
	uint64_t dropped;     /* records the ring overwrote */
	uint64_t data_lost;   /* data records dropped because the arena overwrote their text */
	uint64_t too_deep;    /* calls left out: deeper than the format's depth limit */
} vt_dump_result;
/* Write the ring to `pattern` ({pid}, {n}, {time} expanded) through a temporary file and a
 * rename (output.c). Returns 0, or a negative VTB error with *cause (malloc'd) saying what
 * failed. */
int vt_dump(const char *pattern, unsigned mode, uint32_t reason, const char *reason_text,
	    vt_dump_result *res, char **cause);

/* output.c: the file a dump goes to. */
typedef struct vt_output {
	char *path;           /* the file to write */
	char *asked;          /* what the pattern gave, when path had to differ from it */
	char *tmp;            /* the temporary file renamed to path; NULL: written in place */
	int fd;               /* open for writing; -1 once handed on */
} vt_output;
/* Chooses the path of dump number seq from pattern and opens it, a new file of `mode`
 * (vt_dump_mode_problem; a mode other than VT_DUMP_MODE is set as given, the umask aside): 0, or a negative VTB error with
 * *cause (malloc'd). vt_output_free releases o either way. */
int vt_output_open(vt_output *o, const char *pattern, uint64_t seq, unsigned mode, char **cause);
/* The default mode of dumps. */
#define VT_DUMP_MODE 0600u
/* Is `mode` one a dump may have: permission bits only, readable by its owner, writable by no
 * one but its owner and group (vtui trusts what it reads)? NULL, or why not. */
const char *vt_dump_mode_problem(unsigned long long mode);
/* Renames the finished temporary file into place (ok) or removes it (!ok): 0, or a negative
 * VTB error with *cause (malloc'd). */
int vt_output_commit(vt_output *o, int ok, char **cause);
void vt_output_free(vt_output *o);

#endif
