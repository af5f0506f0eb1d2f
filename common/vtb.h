/* SPDX-License-Identifier: MIT */
/* vtb.h: the VTB trace format (writer, reader) and the immutable trace model.
 *
 * The one public header of common/. Both the tracer and the viewer go through it.
 * No curses, no Python, no regex here. The byte layout is specified in man/vtb.5.
 *
 * Conventions: functions return 0 or a negative VTB_E* code; where a person will read
 * the reason, a `char **cause` receives a malloc'd message (file, byte offset) that the
 * caller frees. Every *_free(NULL) is a no-op.
 */
#ifndef VTUI_VTB_H
#define VTUI_VTB_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#define VTB_VERSION 1

/* The latest time (ns) any time field or timestamp may hold: 2^62 ns, 146 years. Readers
 * refuse later ones and the writer refuses to write them, so that a time plus a span, or
 * the difference of two times, never overflows 64 bits anywhere above the reader. */
#define VTB_TIME_MAX (UINT64_C(1) << 62)

/* a + b, or UINT64_MAX when that overflows: sums of durations over many calls. */
static inline uint64_t vtb_add_sat(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

enum vtb_error {
	VTB_OK = 0,
	VTB_E_IO = -1,       /* open/read/write/rename failed (errno in the cause) */
	VTB_E_NOMEM = -2,
	VTB_E_FORMAT = -3,   /* not a VTB file, or a structure that breaks the spec */
	VTB_E_CRC = -4,      /* a section's checksum does not match */
	VTB_E_TRUNCATED = -5,
	VTB_E_VERSION = -6,  /* a newer major version than this reader knows */
	VTB_E_ARG = -7,      /* the caller passed something invalid (unknown id, bad order) */
	VTB_E_LIMIT = -8,    /* the input passes a limit the caller set (the cause names it) */
};

/* Why a dump happened. */
enum vtb_reason {
	VTB_REASON_API = 0,       /* dump() called by the program */
	VTB_REASON_EXIT = 1,
	VTB_REASON_EXCEPTION = 2, /* unhandled exception in some thread */
	VTB_REASON_SIGNAL = 3,
	VTB_REASON_LOG = 4,       /* a log record at or above the dump level */
	VTB_REASON_IMPORT = 5,    /* converted from another format (Chrome JSON) */
	VTB_REASON_RING = 6,      /* read from a ring file (the black box): reason_text says how
				   * the process ended */
	VTB_REASON_COUNT
};

/* Flags of a call (slice). */
enum vtb_call_flag {
	VTB_CALL_ENTRY_LOST = 1 << 0, /* entry overwritten when the ring wrapped: starts at window start */
	VTB_CALL_OPEN = 1 << 1,       /* still running at dump time: ends at the dump */
	VTB_CALL_EXCEPTION = 1 << 2,  /* left by an exception */
	VTB_CALL_C = 1 << 3,          /* a C function (builtin, extension method) */
	VTB_CALL_SPAN = 1 << 4,       /* a custom span (vtrace.event) rather than a function */
	VTB_CALL_GC = 1 << 5,         /* a garbage collection */
	VTB_CALL_DAMAGED = 1 << 6,    /* its end was in a damaged section: ends where the data resumes */
};

/* Log levels follow Python's logging numbers (10 DEBUG .. 50 CRITICAL). */

/* ---- header ---- */

typedef struct vtb_header {
	uint32_t pid;              /* the process that dumped */
	uint32_t ppid;
	const char *cmdline;       /* NUL-separated argv is not used: one string, args joined by ' ' */
	const char *python_version;
	const char *reason_text;   /* free text (exception type and message, signal name, ...) */
	uint64_t start_wall_ns;    /* Unix epoch ns at start_mono_ns */
	uint64_t start_mono_ns;    /* CLOCK_MONOTONIC ns when recording began */
	uint64_t window_start_ns;  /* first timestamp the record holds (after a wrap: where it begins) */
	uint64_t dump_ns;          /* CLOCK_MONOTONIC ns of the dump */
	uint64_t ring_capacity;    /* events the ring holds */
	uint64_t events_dropped;   /* events the ring overwrote (0: no wrap) */
	uint32_t reason;           /* enum vtb_reason */
	uint32_t wrapped;          /* nonzero when the ring wrapped before the dump */
} vtb_header;

/* ---- writer ----
 * A writer streams sections to a file or a memory buffer. Strings and threads must be
 * added before events use them; the writer emits them before the first chunk that
 * refers to them, so a truncated file keeps the names of every intact chunk.
 * Events of one thread must come in non-decreasing time order; ends must match begins
 * (the writer rejects an end with no open call with VTB_E_ARG). Limits, each refused with
 * VTB_E_ARG: VTB_DEPTH_LIMIT open calls per thread, flags in 16 bits, texts and names of 64 MB.
 */
#define VTB_DEPTH_LIMIT 65535 /* open calls per thread the format holds (man/vtb.5) */
typedef struct vtb_writer vtb_writer;

/* Open a writer on `path` (written directly; atomic rename is the caller's business).
 * Returns NULL and sets *cause on failure. The caller owns the writer. */
vtb_writer *vtb_writer_open_file(const char *path, const vtb_header *h, char **cause);
/* The same on an open descriptor (named `path` in messages), which the writer owns from
 * then on, failure included. */
vtb_writer *vtb_writer_open_fd(int fd, const char *path, const vtb_header *h, char **cause);
/* Open a writer into memory; vtb_writer_mem() gives the bytes after finish. */
vtb_writer *vtb_writer_open_mem(const vtb_header *h);

/* Events of a thread are cut into chunks of about this many bytes (default 65536;
 * small values are for tests). Returns 0, or VTB_E_ARG outside 64 bytes .. 64 MB. */
int vtb_writer_set_chunk_bytes(vtb_writer *w, size_t bytes);

/* Intern (name, file, line); returns its id (>= 0) or a negative error. Interning the
 * same triple twice returns the same id. */
int64_t vtb_writer_string(vtb_writer *w, const char *name, const char *file, uint32_t line);
/* Declare a process (name may be NULL). */
int vtb_writer_process(vtb_writer *w, uint32_t pid, uint32_t ppid, const char *name);
/* Declare a thread; returns its thread index (>= 0) used by the event calls. */
int64_t vtb_writer_thread(vtb_writer *w, uint32_t pid, uint64_t tid, const char *name);

int vtb_writer_begin(vtb_writer *w, uint32_t thread, uint64_t ts_ns, uint32_t name_id, uint32_t flags);
/* Ends the innermost open call of `thread`; flags are OR'ed into the call's flags. */
int vtb_writer_end(vtb_writer *w, uint32_t thread, uint64_t ts_ns, uint32_t flags);
/* Text attached to the innermost open call (arguments) or the call that just ended
 * (return value). */
int vtb_writer_args(vtb_writer *w, uint32_t thread, const char *text);
int vtb_writer_retval(vtb_writer *w, uint32_t thread, const char *text);
/* The innermost open call of `thread` is a step of the asyncio task `task` (a number that
 * tells tasks apart; equal numbers and names: one task) named `name`. */
int vtb_writer_task(vtb_writer *w, uint32_t thread, uint64_t task, const char *name);
/* An instant event; args may be NULL (free text, usually "k=v, k=v"). */
int vtb_writer_instant(vtb_writer *w, uint32_t thread, uint64_t ts_ns, uint32_t name_id, const char *args);
/* A counter sample: counter `name_id`, series `series_id` (both string ids). */
int vtb_writer_counter(vtb_writer *w, uint32_t thread, uint64_t ts_ns, uint32_t name_id,
		       uint32_t series_id, double value);
int vtb_writer_log(vtb_writer *w, uint32_t thread, uint64_t ts_ns, uint32_t level,
		   uint32_t logger_id, const char *message);
/* An object snapshot: name and its text (repr). */
int vtb_writer_object(vtb_writer *w, uint32_t thread, uint64_t ts_ns, uint32_t name_id, const char *text);

/* Flush every thread, write the index and trailer, close the file. Calls still open
 * are ended at h->dump_ns with VTB_CALL_OPEN. */
int vtb_writer_finish(vtb_writer *w, char **cause);
/* After finish on a memory writer: the bytes (owned by the writer). */
const uint8_t *vtb_writer_mem(const vtb_writer *w, size_t *len_bytes);
/* The message of the failure that stuck (I/O, memory), owned by the writer; NULL if none. */
const char *vtb_writer_cause(const vtb_writer *w);
void vtb_writer_free(vtb_writer *w);

/* ---- the trace model (what the reader builds) ---- */

typedef struct vtb_string {
	const char *name;   /* qualified name: module.Class.func, or a counter/logger/event name */
	const char *file;   /* "" when none */
	uint32_t line;
} vtb_string;

/* A call. Slices at one depth of a thread never overlap and are sorted by start. */
typedef struct vtb_slice {
	uint64_t start_ns;
	uint64_t dur_ns;
	uint32_t name_id;
	uint16_t flags;      /* enum vtb_call_flag */
	uint16_t depth;
} vtb_slice;

typedef struct vtb_row {
	const vtb_slice *slices;
	size_t count;
} vtb_row;

enum vtb_mark_kind { VTB_MARK_INSTANT, VTB_MARK_OBJECT, VTB_MARK_LOG };

/* An instant, object snapshot or log record on a thread. */
typedef struct vtb_mark {
	uint64_t ts_ns;
	uint32_t kind;       /* enum vtb_mark_kind */
	uint32_t name_id;    /* instant/object name, or logger for a log record */
	uint32_t level;      /* log level; 0 otherwise */
	const char *text;    /* args, repr or message; "" when none */
} vtb_mark;

/* Arguments or return value text of one call. */
typedef struct vtb_attachment {
	uint32_t depth;
	uint32_t index;      /* index in rows[depth] */
	const char *args;    /* NULL when not recorded */
	const char *retval;
} vtb_attachment;

/* A step of an asyncio task: the call rows[depth][index] of its thread, the outermost
 * coroutine the event loop resumed. Steps of one task share `task` and `name`. */
typedef struct vtb_task_step {
	uint32_t depth;
	uint32_t index;
	uint64_t task;       /* tells tasks apart (the Task's address when it ran) */
	const char *name;    /* the task's name: Task-3, or the one create_task() gave */
} vtb_task_step;

typedef struct vtb_thread {
	uint32_t pid;
	uint64_t tid;
	const char *name;
	uint32_t depth_count;
	const vtb_row *rows;          /* rows[0 .. depth_count) */
	size_t call_count;
	const vtb_mark *marks;        /* sorted by ts */
	size_t mark_count;
	const vtb_attachment *attachments; /* sorted by (depth, index) */
	size_t attachment_count;
	const vtb_task_step *task_steps;   /* sorted by start */
	size_t task_step_count;
} vtb_thread;

typedef struct vtb_sample {
	uint64_t ts_ns;
	double value;
} vtb_sample;

/* One series of one counter in one process, sorted by time. */
typedef struct vtb_counter {
	uint32_t pid;
	uint32_t name_id;
	uint32_t series_id;
	const vtb_sample *samples;
	size_t count;
} vtb_counter;

typedef struct vtb_process {
	uint32_t pid;
	uint32_t ppid;
	const char *name;
} vtb_process;

/* What a load met: zero problems on a sound file. */
typedef struct vtb_damage {
	size_t sections_bad;       /* sections skipped (CRC, bad length, undecodable) */
	size_t bytes_lost;         /* bytes in skipped sections and the truncated tail */
	int truncated;             /* the trailer/index was missing */
	char *first_problem;       /* the first problem with its byte offset, or NULL */
} vtb_damage;

typedef struct vtb_trace vtb_trace;

enum vtb_load_flag {
	VTB_LOAD_SALVAGE = 1 << 0, /* keep every intact section of a damaged file */
};

/* Progress callback: bytes done of total; return nonzero to cancel. */
typedef int (*vtb_progress_fn)(void *ctx, uint64_t done_bytes, uint64_t total_bytes);

/* Load a VTB file (mmap). Without VTB_LOAD_SALVAGE any problem fails the load with a
 * cause naming it and its offset; with it, a damaged file loads what is intact and the
 * problems go to vtb_trace_damage(). Returns NULL and sets *cause on failure.
 * The caller owns the trace. */
vtb_trace *vtb_trace_load(const char *path, unsigned flags, vtb_progress_fn progress,
			  void *progress_ctx, char **cause);
/* The same over a buffer (the trace copies what it keeps). */
vtb_trace *vtb_trace_load_mem(const uint8_t *buf, size_t len_bytes, unsigned flags, char **cause);
void vtb_trace_free(vtb_trace *t);

/* Accessors: everything returned is owned by the trace and lives as long as it. */
const vtb_header *vtb_trace_header(const vtb_trace *t);
const vtb_damage *vtb_trace_damage(const vtb_trace *t);
size_t vtb_trace_string_count(const vtb_trace *t);
const vtb_string *vtb_trace_string(const vtb_trace *t, uint32_t id);
size_t vtb_trace_process_count(const vtb_trace *t);
const vtb_process *vtb_trace_process(const vtb_trace *t, size_t i);
size_t vtb_trace_thread_count(const vtb_trace *t);
const vtb_thread *vtb_trace_thread(const vtb_trace *t, size_t i);
size_t vtb_trace_counter_count(const vtb_trace *t);
const vtb_counter *vtb_trace_counter(const vtb_trace *t, size_t i);
/* Totals over all threads. Events are the begins, ends, instants, counter samples, log
 * records and object snapshots decoded (not arguments or return values; a call whose begin
 * or end was lost to damage or closed at the dump has fewer than two). */
size_t vtb_trace_call_count(const vtb_trace *t);
size_t vtb_trace_event_count(const vtb_trace *t);
/* Earliest start and latest end of anything in the trace. */
void vtb_trace_span(const vtb_trace *t, uint64_t *first_ns, uint64_t *last_ns);

/* Helpers on the model. */
/* Index of the first slice in `row` that ends after `ts_ns` (count if none). */
size_t vtb_row_find(const vtb_row *row, uint64_t ts_ns);
/* The attachment of rows[depth][index] of `th`, or NULL. */
const vtb_attachment *vtb_thread_attachment(const vtb_thread *th, uint32_t depth, uint32_t index);

/* A view of `base` where the calls whose name id has its bit set in `drop` (ids below
 * nbits) are taken out of their stack and what they called moves up one level for each
 * caller taken out (an attachment moves with its call). Marks, counters, strings and the
 * header are base's. On success the new trace owns `base` (vtb_trace_free frees both);
 * NULL with *cause when out of memory, base still the caller's. */
vtb_trace *vtb_trace_flatten(vtb_trace *base, const uint64_t *drop, size_t nbits, char **cause);
/* The trace a flattened trace was made from: `t` is freed and its base returned (the
 * caller owns it). A trace that is not flattened is returned as it is. */
vtb_trace *vtb_trace_unflatten(vtb_trace *t);
/* The trace a flattened trace was made from (owned by t), or t itself. */
const vtb_trace *vtb_trace_base(const vtb_trace *t);

/* ---- building a trace in memory (used by the JSON importer and tests) ----
 * Write through a memory writer and load the result: one code path for every source. */

/* Names of enum values, for messages and --info. */
const char *vtb_reason_name(uint32_t reason);
const char *vtb_strerror(int err);

/* Text from a file (text.c). */
/* Decode one UTF-8 sequence at *p and step past it. Invalid bytes decode as U+FFFD one byte
 * at a time: overlong forms (an ESC in two bytes), surrogates and code points past U+10FFFF
 * included. */
wchar_t vtb_utf8_next(const unsigned char **p);
/* Whether a character from a file may reach a terminal as it is: not a C0 or C1 control,
 * DEL, a bidirectional control (U+202E...) or a line or paragraph separator. */
int vtb_char_safe(wchar_t ch);

/* CRC32C (Castagnoli) of a buffer, continuing from `crc` (start with 0). */
uint32_t vtb_crc32c(uint32_t crc, const void *buf, size_t len_bytes);

/* ---- ring files (the black box; layout in man/vtb.5, RING FILES) ----
 * A traced process keeps its ring in a file mapped shared: this header, then the 16-byte
 * records, the text arena, the code table, the thread table and the strings they point to.
 * The writer publishes `head`, `arena_head`, `strings_used` and the table counts with
 * release stores after what they cover; a reader trusts none of it (every offset and count
 * is checked against the file's size). Little-endian, as the tracer's machine. */
#define VTB_RING_MAGIC "VTBRING"  /* 8 bytes with its NUL */
#define VTB_RING_VERSION 1
#define VTB_RING_HEADER_BYTES 4096u
#define VTB_RING_SUFFIX ".ring"

enum vtb_ring_state {
	VTB_RING_RECORDING = 1,
	VTB_RING_STOPPED = 2,     /* recording stopped; the process went on */
	VTB_RING_DUMPED = 3,      /* the last dump succeeded (dump_path); still recording */
	VTB_RING_CRASHED = 4,     /* a fatal signal (signal, crash_tid) */
	VTB_RING_EXITED = 5,      /* exited normally (the file is usually removed then) */
};

/* Record kinds as the tracer writes them (tracer/vt.h's enum vt_kind). */
enum vtb_ring_kind {
	VTB_RK_BEGIN = 1, VTB_RK_END = 2, VTB_RK_END_EXC = 3,
	VTB_RK_C_BEGIN = 4, VTB_RK_C_END = 5, VTB_RK_C_END_EXC = 6,
	VTB_RK_SPAN_BEGIN = 7, VTB_RK_SPAN_END = 8, VTB_RK_SPAN_END_EXC = 9,
	VTB_RK_GC_BEGIN = 10, VTB_RK_GC_END = 11,
	VTB_RK_DATA_FIRST = 16,
	VTB_RK_INSTANT = 16, VTB_RK_COUNTER = 17, VTB_RK_LOG = 18, VTB_RK_OBJECT = 19,
	VTB_RK_ARGS = 20, VTB_RK_RETVAL = 21, VTB_RK_GC_INFO = 22, VTB_RK_TASK = 23,
};

typedef struct vtb_ring_header {
	char magic[8];
	uint32_t version, header_bytes;
	uint32_t pid, ppid;
	uint64_t proc_start;        /* /proc/PID/stat start time: a reused pid is told apart */
	uint64_t start_wall_ns;     /* CLOCK_REALTIME at base_ns */
	uint64_t base_ticks, base_ns;   /* a clock pair (ns: CLOCK_MONOTONIC) ... */
	uint64_t calib_ticks, calib_ns; /* ... and a later one: their slope converts ticks */
	uint64_t start_ticks;       /* recording started */
	uint32_t use_tsc;           /* 0: ticks are CLOCK_MONOTONIC ns */
	uint32_t record_bytes;      /* 16 */
	uint64_t capacity;          /* records */
	uint64_t records_off, arena_off, arena_bytes;
	uint64_t codes_off, code_cap, threads_off, thread_cap, strings_off, strings_bytes;
	uint64_t file_bytes;
	/* Written while recording. */
	uint64_t head;              /* records ever written; record i is at slot i % capacity */
	uint64_t arena_head;        /* arena bytes ever used */
	uint64_t strings_used;
	uint32_t code_count, thread_count;
	uint32_t state;             /* enum vtb_ring_state */
	uint32_t signal;            /* the fatal signal (crashed), or the one whose default
				     * action the tracer let end the process (SIGTERM) */
	uint64_t crash_tid;         /* the thread it hit (gettid) */
	int32_t crash_thread;       /* its thread table index, or -1 */
	uint32_t tables_full;       /* names or threads past the tables' room were not kept */
	uint64_t end_ticks;         /* when it crashed or exited */
	char cmdline[2048];         /* argv joined by spaces, NUL-terminated */
	char python_version[32];
	char dump_path[1024];       /* the last dump written */
	uint32_t dump_signal;       /* the signal that asks for a dump (--dump-signal); 0: none, or
				     * a tracer older than this field */
} vtb_ring_header;
_Static_assert(sizeof(vtb_ring_header) <= VTB_RING_HEADER_BYTES, "ring header fits its page");

/* A record: tracer/vt.h's vt_record. Data kinds point into the arena (low 32 bits of a
 * blob's position); a blob is vtb_ring_blob then its text. */
typedef struct vtb_ring_record {
	uint64_t ticks;
	uint32_t id;
	uint16_t thread, kind;
} vtb_ring_record;

typedef struct vtb_ring_blob {
	uint64_t stamp;      /* its own arena position */
	double value;
	uint32_t name, aux, text_len, len_bytes;
} vtb_ring_blob;

typedef struct vtb_ring_code {
	uint32_t name_off, file_off;   /* into the strings (offset 0 is "") */
	uint32_t line, kind;           /* kind: 0 Python, 1 C, 2 label */
} vtb_ring_code;

typedef struct vtb_ring_thread {
	uint64_t ident, native_id;
	uint32_t name_off, pad;        /* name_off 0: not named yet */
} vtb_ring_thread;

/* What a ring file says about its process, read from the header without the records. */
typedef struct vtb_ring_info {
	uint32_t pid, ppid;
	uint32_t state, signal;
	int alive;                  /* the pid runs and is the same process */
	uint64_t start_wall_ns;
	uint64_t capacity, head;
	uint64_t file_bytes;
	int64_t age_s;              /* since the file last changed */
	char cmdline[2048];
	char python_version[32];
	char crash_thread[128];     /* the crashed thread's name ("" when unknown) */
	char dump_path[1024];
	uint32_t dump_signal;       /* --dump-signal of the process, 0 when it has none */
	char state_text[1400];      /* "pid 1234 is gone and never dumped: killed (...)" */
} vtb_ring_info;

/* What one snapshot met. */
typedef struct vtb_ring_snap_stats {
	uint64_t records;           /* records the trace holds (its window of the ring) */
	uint64_t decoded;           /* records decoded by this snapshot (new since the last one) */
	uint64_t behind;            /* records written since the last snapshot that the writer
				     * overwrote before this reader could copy them (dropped) */
	uint64_t overwritten;       /* copied but overwritten by the writer while copying */
	uint64_t bad;               /* records of no known kind (dropped) */
	uint64_t data_lost;         /* data records whose arena text was gone */
} vtb_ring_snap_stats;

typedef struct vtb_ring vtb_ring;

/* Open a ring file for reading (no symlinks, FIFOs or devices; never blocks) and check its
 * header against the file's size. Returns 0 or a negative error with *cause. The caller
 * owns *out (vtb_ring_close). */
int vtb_ring_open(const char *path, vtb_ring **out, char **cause);
/* The same over an open file (duplicated: the caller keeps fd); `name` names it in messages. */
int vtb_ring_open_fd(int fd, const char *name, vtb_ring **out, char **cause);
void vtb_ring_close(vtb_ring *r);
/* Rereads the header (cheap: call it every refresh) into *info. 0, or an error + cause. */
int vtb_ring_info_read(vtb_ring *r, vtb_ring_info *info, char **cause);
/* A consistent snapshot of the ring as a trace model: copies the records, validates them
 * against the write position before and after the copy (what the writer overwrote while
 * copying is dropped and counted in *st, which may be NULL), and decodes them. Calls still
 * open are drawn open; ends whose begins were overwritten start at the window start. The
 * header's reason is VTB_REASON_RING with the state text. Repeatable on one open ring: the
 * decoded model is kept, and the next snapshot decodes only the records written since (all
 * of the ring again when the writer lapped the reader; st->behind counts what was lost).
 * The caller owns the trace; NULL and *cause on failure. A ring and the traces it handed out
 * share memory they reuse: use them from one thread at a time. */
vtb_trace *vtb_ring_snapshot(vtb_ring *r, vtb_ring_snap_stats *st, char **cause);
/* Does this buffer start like a ring file? */
int vtb_ring_is(const uint8_t *buf, size_t len_bytes);
/* The default ring directory ($XDG_RUNTIME_DIR/vtrace, else /dev/shm/vtrace-UID) into buf. */
/* Field 22 of /proc/PID/stat (its start time in clock ticks), or 0: tells a reused pid apart. */
uint64_t vtb_ring_proc_start(uint32_t pid);
int vtb_ring_default_dir(char *buf, size_t len_bytes);
/* The name of a fatal or terminating signal ("SIGSEGV", "SIGTERM"), or NULL. */
const char *vtb_ring_signal_name(uint32_t sig);
/* The ring files of `dir` (regular files named vtrace-*.ring, not followed through links),
 * newest first: paths into *paths (malloc'd array of malloc'd strings). Returns the count
 * or a negative error with *cause. */
int vtb_ring_list(const char *dir, char ***paths, char **cause);
void vtb_ring_list_free(char **paths, int count);

/* Write `t` as a VTB file (the import half of `vtui convert`). */
int vtb_trace_save(const vtb_trace *t, const char *path, char **cause);

#endif
