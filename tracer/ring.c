/* SPDX-License-Identifier: MIT */
/* ring.c: where the ring lives. By default in a file mapped shared (the black box: a
 * process killed without running any code leaves its last events there, see common/ring.c
 * for the reader), else in anonymous memory. The file holds the header, the records, the
 * text arena and append-only tables of names and threads (common/vtb.h, vtb_ring_header),
 * written on the slow paths that register them; the hot path only publishes the write
 * position. The file's space is reserved as it is first written (ring_space.c). A crash
 * handler marks the header and hands the signal on. */
#include "tracer/vt.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/vtb.h"

_Static_assert(sizeof(vt_record) == sizeof(vtb_ring_record) && sizeof(vt_blob) == sizeof(vtb_ring_blob),
	       "the ring file's records and blobs are the tracer's");
_Static_assert((int)VT_BEGIN == (int)VTB_RK_BEGIN && (int)VT_C_END_EXC == (int)VTB_RK_C_END_EXC &&
	       (int)VT_GC_END == (int)VTB_RK_GC_END && (int)VT_D_INSTANT == (int)VTB_RK_INSTANT &&
	       (int)VT_D_GC_INFO == (int)VTB_RK_GC_INFO && (int)VT_D_TASK == (int)VTB_RK_TASK,
	       "the ring file's record kinds are the tracer's");

#define RING_THREAD_CAP 4096u
#define RING_CALIB_EVERY_NS 100000000u  /* refresh the clock pair at most this often */
#define RING_CALIB_MIN_NS 2000000u      /* the first pair is at least this far from the base */
/* Thread renames may take this fraction of the strings: a program that names its threads
 * after each task, in a loop, never crowds out the names of functions met later. */
#define RING_RENAME_SHARE 8u

static struct {
	vtb_ring_header *h;      /* the mapping (header first), or NULL */
	size_t map_bytes;
	uint64_t cap;            /* the records asked for (the ring may have shrunk: ring_space.c) */
	int is_file;
	char path[PATH_MAX];     /* the file ("" when anonymous) */
	char *dir;               /* --ring-dir, or NULL for the default */
	int no_file;             /* --no-ring-file */
	mode_t mode;             /* the file's mode: 0600 and the read bits of --dump-mode */
	char *warning;           /* the fallback's reason, until Python takes it */
	int warned;              /* one warning per process */
	int handlers;            /* the crash handler is installed */
	uint32_t dump_signal;    /* written into every ring header (a fork child's too) */
	char *mapped_dir;        /* the options the mapping was made under */
	int mapped_no_file;
	mode_t mapped_mode;
	uint64_t rename_bytes;   /* of this mapping's strings, taken by renames */
} rf = { .mode = 0600 };

static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
#define NFATAL (sizeof fatal_signals / sizeof *fatal_signals)
static struct sigaction fatal_old[NFATAL];

static uint64_t arena_bytes_for(uint64_t cap)
{
	uint64_t bytes = cap * VT_ARENA_PER_EVENT;
	if (bytes < VT_ARENA_MIN)
		bytes = VT_ARENA_MIN;
	return bytes > (1ull << 31) ? 1ull << 31 : bytes;
}

static uint64_t strings_bytes_for(uint64_t cap)
{
	uint64_t bytes = cap * 4;
	if (bytes < (1u << 20))
		bytes = 1u << 20;
	return bytes > (64u << 20) ? 64u << 20 : bytes;
}

/* The layout of a ring of `cap` records (offsets and sizes in *h), and the file's size. */
static uint64_t layout(vtb_ring_header *h, uint64_t cap)
{
	h->capacity = cap;
	h->records_off = VTB_RING_HEADER_BYTES;
	h->arena_off = h->records_off + cap * sizeof(vt_record);
	h->arena_bytes = arena_bytes_for(cap);
	h->codes_off = h->arena_off + h->arena_bytes;
	h->strings_bytes = strings_bytes_for(cap);
	h->code_cap = h->strings_bytes / 64;
	h->threads_off = h->codes_off + h->code_cap * sizeof(vtb_ring_code);
	h->thread_cap = RING_THREAD_CAP;
	h->strings_off = h->threads_off + h->thread_cap * sizeof(vtb_ring_thread);
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	h->file_bytes = (h->strings_off + h->strings_bytes + page - 1) / page * page;
	return h->file_bytes;
}

static void set_warning(const char *fmt, const char *a, const char *b)
{
	char buf[PATH_MAX + 512];
	snprintf(buf, sizeof buf, fmt, a, b);
	free(rf.warning);
	rf.warning = rf.warned ? NULL : strdup(buf);
	rf.warned = 1;
}

/* A directory fit to hold a black box: ours, not a link, writable by nobody else. Made
 * (0700) when missing. Returns its fd, or -1 with the warning set. */
static int open_dir(const char *dir)
{
	struct stat st;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		set_warning("cannot make the ring directory %s (%s)", dir, strerror(errno));
		return -1;
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		set_warning("the ring directory %s: %s", dir,
			    errno == ELOOP || errno == ENOTDIR ? "is a symbolic link or not a directory" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		set_warning("the ring directory %s %s", dir,
			    st.st_uid != geteuid() ? "is not yours" : "is writable by others");
		close(fd);
		return -1;
	}
	return fd;
}

/* Creates vtrace-PID.ring (or vtrace-PID-N.ring beside a dead process's file of the same
 * pid), `bytes` long and sparse, its name into name[64]. Returns the fd, or -1 with the
 * warning set. */
static int create_file(int dirfd, const char *dir, uint64_t bytes, char *name)
{
	int fd = -1;
	for (int n = 1; n <= 9 && fd < 0; n++) {
		if (n == 1)
			snprintf(name, 64, "vtrace-%d%s", (int)getpid(), VTB_RING_SUFFIX);
		else
			snprintf(name, 64, "vtrace-%d-%d%s", (int)getpid(), n, VTB_RING_SUFFIX);
		fd = openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		set_warning("cannot create a ring file in %s (%s)", dir, strerror(errno));
		return -1;
	}
	if (rf.mode != 0600)
		(void)fchmod(fd, rf.mode); /* on failure it stays the owner's alone */
	if (snprintf(rf.path, sizeof rf.path, "%s/%s", dir, name) >= (int)sizeof rf.path)
		rf.path[0] = '\0'; /* too long to unlink by name later: kept */
	if (ftruncate(fd, (off_t)bytes) < 0) {
		set_warning("cannot size a ring file in %s (%s)", dir, strerror(errno));
		unlinkat(dirfd, name, 0);
		close(fd);
		rf.path[0] = '\0';
		return -1;
	}
	return fd;
}

/* The file at fd mapped, its first chunk reserved (ring_space.c); *lazy says whether the
 * rest is reserved as it is written. MAP_FAILED with the warning set when the file system
 * has no room for it. */
static void *map_file(int fd, const char *dir, const vtb_ring_header *layout, int *lazy)
{
	void *m = mmap(NULL, layout->file_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		set_warning("cannot map the ring file in %s (%s)", dir, strerror(errno));
		return m;
	}
	const char *fail = getenv("VTRACE_TEST_FALLOCATE_FAIL"); /* tests: a full disk on demand */
	int rc = fail && *fail ? -1 : vt_space_probe(m, layout->file_bytes, layout, fd);
	if (rc < 0) {
		char what[64];
		snprintf(what, sizeof what, "%.1f MB", (double)layout->file_bytes / 1e6);
		set_warning("no room for a ring file of %s in %s", what, dir);
		munmap(m, layout->file_bytes);
		return MAP_FAILED;
	}
	*lazy = rc == 0;
	return m;
}

/* A file where the options and the directory allow. Its space is reserved as it is first
 * written (ring_space.c: a file system that says it has no room for it is refused here with
 * a warning; one that runs out of room later shrinks the ring, never raises SIGBUS). Neither
 * posix_fallocate of the whole file (9 ms of every start for 25 MB) nor MAP_POPULATE (12 to
 * 14 ms) is paid for a ring most short runs never fill (bench/RESULTS.md). */
static vtb_ring_header *map_ring(const vtb_ring_header *layout, int *is_file, int *lazy)
{
	char dir[PATH_MAX], name[64];
	void *m = MAP_FAILED;
	uint64_t bytes = layout->file_bytes;
	*is_file = *lazy = 0;
	rf.path[0] = '\0';
	if (!rf.no_file && (rf.dir ? snprintf(dir, sizeof dir, "%s", rf.dir) >= 0 :
				      vtb_ring_default_dir(dir, sizeof dir) == 0)) {
		int dirfd = open_dir(dir), fd = dirfd >= 0 ? create_file(dirfd, dir, bytes, name) : -1;
		if (fd >= 0) {
			m = map_file(fd, dir, layout, lazy);
			if (m == MAP_FAILED) {
				unlinkat(dirfd, name, 0);
				rf.path[0] = '\0';
			}
			close(fd);
		}
		if (dirfd >= 0)
			close(dirfd);
		*is_file = m != MAP_FAILED;
		if (m == MAP_FAILED && rf.warning) {
			char *w = rf.warning;
			if (asprintf(&rf.warning, "%s: the ring is in anonymous memory, a crash or kill leaves nothing", w) < 0)
				rf.warning = NULL;
			free(w);
		}
	}
	if (m == MAP_FAILED)
		m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return m == MAP_FAILED ? NULL : m;
}

/* A clock pair far enough from the base for a rate exact to a few parts per million;
 * refreshed on slow paths, so a long run converts as well as a dump would. */
static void calibrate(vtb_ring_header *h, int wait)
{
	uint64_t ns = vt_mono_ns();
	if (!wait && ns - h->calib_ns < RING_CALIB_EVERY_NS)
		return;
	uint64_t ticks;
	while (wait && vt.use_tsc && ns - vt.base_mono_ns < RING_CALIB_MIN_NS)
		ns = vt_mono_ns();
	vt_clock_pair(&ns, &ticks);
	h->calib_ticks = ticks;
	__atomic_store_n(&h->calib_ns, ns, __ATOMIC_RELEASE);
}

static void fill_header(vtb_ring_header *h)
{
	memcpy(h->magic, VTB_RING_MAGIC, 8);
	h->version = VTB_RING_VERSION;
	h->header_bytes = VTB_RING_HEADER_BYTES;
	h->record_bytes = sizeof(vt_record);
	h->pid = (uint32_t)getpid();
	h->ppid = (uint32_t)getppid();
	h->proc_start = vtb_ring_proc_start(h->pid);
	h->base_ticks = vt.base_ticks;
	h->base_ns = vt.base_mono_ns;
	h->start_wall_ns = vt.base_wall_ns;
	h->use_tsc = (uint32_t)vt.use_tsc;
	h->start_ticks = vt.start_ticks;
	h->crash_thread = -1;
	h->strings_used = 1; /* offset 0 is "" */
	vt_read_cmdline(h->cmdline, sizeof h->cmdline);
	const char *v = Py_GetVersion();
	snprintf(h->python_version, sizeof h->python_version, "%.*s", (int)strcspn(v, " "), v);
	calibrate(h, 1);
	h->dump_signal = rf.dump_signal;
	h->state = VTB_RING_STOPPED;
}

/* Appends a string to the file's strings; its offset, or 0 ("") when they are full. */
static uint32_t ring_str(const char *s)
{
	vtb_ring_header *h = rf.h;
	size_t n = strlen(s) + 1;
	if (n > h->strings_bytes - h->strings_used || vt_space_strings(h->strings_used + n) < 0) {
		h->tables_full = 1;
		return 0;
	}
	uint64_t off = h->strings_used;
	memcpy((char *)h + h->strings_off + off, s, n);
	__atomic_store_n(&h->strings_used, off + n, __ATOMIC_RELEASE);
	return (uint32_t)off;
}

static void code_added(uint32_t id)
{
	vtb_ring_header *h = rf.h;
	if (!h || id != h->code_count)
		return;
	if (id >= h->code_cap || vt_space_codes(id + 1) < 0) {
		h->tables_full = 1;
		return;
	}
	const vt_code *c = &vt.codes[id];
	vtb_ring_code *e = (vtb_ring_code *)((char *)h + h->codes_off) + id;
	e->name_off = ring_str(c->name);
	e->file_off = *c->file ? ring_str(c->file) : 0;
	e->line = c->line;
	e->kind = c->is_c;
	__atomic_store_n(&h->code_count, id + 1, __ATOMIC_RELEASE);
	calibrate(h, 0);
}

/* A thread that ran before tracing started never tells its name (its
 * Thread._bootstrap_inner is not vtrace's): the file names it by its name at the start, or
 * its last rename since, unless its ident was registered before (then the ident was given
 * anew, to another thread). Malloc'd, or NULL. */
static char *early_name(uint32_t index)
{
	char *name = vt_early_name(vt.threads[index].ident);
	for (uint32_t i = 0; name && i < index; i++)
		if (vt.threads[i].ident == vt.threads[index].ident) {
			free(name);
			name = NULL;
		}
	return name;
}

static void thread_added(uint32_t index, PyThreadState *ts)
{
	(void)ts;
	vtb_ring_header *h = rf.h;
	if (!h || index != h->thread_count)
		return;
	if (index >= h->thread_cap || vt_space_threads(index + 1) < 0) {
		h->tables_full = 1;
		return;
	}
	vt_thread *t = &vt.threads[index];
	if (!t->name && !t->ring_name)
		t->ring_name = early_name(index);
	const char *name = t->name ? t->name : t->ring_name;
	vtb_ring_thread *e = (vtb_ring_thread *)((char *)h + h->threads_off) + index;
	e->ident = t->ident;
	e->native_id = t->native_id;
	e->name_off = name ? ring_str(name) : 0;
	__atomic_store_n(&h->thread_count, index + 1, __ATOMIC_RELEASE);
}

void vt_ring_thread_named(uint32_t index, const char *name, int renamed)
{
	if (index >= vt.thread_count)
		return;
	vt_thread *t = &vt.threads[index];
	char *copy = strdup(name);
	if (copy) {
		free(t->ring_name);
		t->ring_name = copy;
	} else {
		vt.sticky |= VT_STICKY_NOMEM;
	}
	vtb_ring_header *h = rf.h;
	if (!h || index >= h->thread_count)
		return;
	vtb_ring_thread *e = (vtb_ring_thread *)((char *)h + h->threads_off) + index;
	if (!strcmp((const char *)h + h->strings_off + e->name_off, name))
		return; /* the name it has: no string spent */
	size_t n = strlen(name) + 1;
	if (renamed && rf.rename_bytes + n > h->strings_bytes / RING_RENAME_SHARE) {
		vt.sticky |= VT_STICKY_RENAMES;
		return;
	}
	uint32_t off = ring_str(name);
	if (!off)
		return;
	__atomic_store_n(&e->name_off, off, __ATOMIC_RELEASE);
	if (renamed)
		rf.rename_bytes += n;
}

/* The tables of everything registered before this mapping. */
static void copy_tables(void)
{
	for (uint32_t i = 0; i < vt.code_count; i++)
		code_added(i);
	for (uint32_t i = 0; i < vt.thread_count; i++)
		thread_added(i, NULL);
}

void vt_ring_set_state(uint32_t state)
{
	if (rf.h)
		__atomic_store_n(&rf.h->state, state, __ATOMIC_RELEASE);
}

void vt_ring_dumped(const char *path)
{
	if (!rf.h)
		return;
	snprintf(rf.h->dump_path, sizeof rf.h->dump_path, "%s", path);
	vt_ring_set_state(VTB_RING_DUMPED);
}

void vt_ring_set_dump_signal(uint32_t sig)
{
	rf.dump_signal = sig;
	if (rf.h)
		__atomic_store_n(&rf.h->dump_signal, sig, __ATOMIC_RELEASE);
}

/* ---- the crash handler ---- */

/* Async-signal-safe: stores into the mapping and system calls, nothing else. */
static void on_fatal(int sig, siginfo_t *si, void *uc)
{
	vtb_ring_header *h = rf.h;
	size_t i = 0;
	while (i < NFATAL && fatal_signals[i] != sig)
		i++;
	if (h && rf.is_file && h->pid == (uint32_t)getpid() && h->state != VTB_RING_CRASHED) {
		int t = vt_tls_thread;
		h->signal = (uint32_t)sig;
		h->crash_tid = (uint64_t)syscall(SYS_gettid);
		h->crash_thread = t >= 0 ? t : t < -1 ? -t - 2 : -1;
		h->end_ticks = vt_ticks();
		__atomic_store_n(&h->state, VTB_RING_CRASHED, __ATOMIC_RELEASE);
	}
	if (i == NFATAL)
		return;
	struct sigaction *old = &fatal_old[i];
	if (old->sa_flags & SA_SIGINFO) {
		old->sa_sigaction(sig, si, uc);
		return;
	}
	if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
		old->sa_handler(sig);
		return;
	}
	/* The default again: a fault re-executes and dies, a sent signal is raised anew. */
	sigaction(sig, old, NULL);
	if (old->sa_handler == SIG_DFL)
		raise(sig);
}

static void install_handlers(void)
{
	struct sigaction sa;
	if (rf.handlers)
		return;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fatal;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NFATAL; i++)
		sigaction(fatal_signals[i], &sa, &fatal_old[i]);
	rf.handlers = 1;
}

/* ---- mapping, fork and exit ---- */

/* In a fork child, before any Python code: the parent's file must not receive the child's
 * records. Zero pages over the mapping (touched only if the child records); the child's
 * own file comes with vt_ring_after_fork, when a Tracer runs on in it. */
static void child_after_fork(void)
{
	if (!rf.h)
		return;
	if (mmap(rf.h, rf.map_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
	    MAP_FAILED)
		return;
	rf.is_file = 0;
	rf.path[0] = '\0';
	layout(rf.h, vt.cap);
	vt_space_attach(rf.h, rf.map_bytes, 0, rf.path);
}

static void unmap(void)
{
	if (!rf.h)
		return;
	munmap(rf.h, rf.map_bytes);
	rf.h = NULL;
	if (rf.path[0])
		unlink(rf.path);
	rf.path[0] = '\0';
}

int vt_ring_map(uint64_t cap)
{
	static int atfork;
	vtb_ring_header tmp;
	int is_file, lazy;
	memset(&tmp, 0, sizeof tmp);
	uint64_t bytes = layout(&tmp, cap);
	char old_path[PATH_MAX];
	snprintf(old_path, sizeof old_path, "%s", rf.path);
	vtb_ring_header *h = map_ring(&tmp, &is_file, &lazy);
	if (!h) {
		snprintf(rf.path, sizeof rf.path, "%s", old_path);
		return -1;
	}
	char new_path[PATH_MAX];
	snprintf(new_path, sizeof new_path, "%s", rf.path);
	snprintf(rf.path, sizeof rf.path, "%s", old_path);
	unmap();
	snprintf(rf.path, sizeof rf.path, "%s", new_path);
	layout(h, cap);
	rf.h = h;
	rf.map_bytes = bytes;
	rf.cap = cap;
	rf.is_file = is_file;
	free(rf.mapped_dir);
	rf.mapped_dir = rf.dir ? strdup(rf.dir) : NULL;
	rf.mapped_no_file = rf.no_file;
	rf.mapped_mode = rf.mode;
	fill_header(h);
	vt.ring = (vt_record *)((char *)h + h->records_off);
	vt.cap = cap;
	vt.ring_head = &h->head;
	vt.arena.buf = (uint8_t *)h + h->arena_off;
	vt.arena.cap = h->arena_bytes;
	vt.arena_head = &h->arena_head;
	vt_space_attach(h, bytes, lazy, rf.path);
	rf.rename_bytes = 0;
	copy_tables();
	if (is_file)
		install_handlers();
	if (!atfork && pthread_atfork(NULL, NULL, child_after_fork) == 0)
		atfork = 1;
	return 0;
}

int vt_ring_observe(void)
{
	static const vt_observer o = { .thread_added = thread_added, .code_added = code_added };
	return vt_observe(&o);
}

int vt_ring_alloc(uint64_t cap)
{
	if (vt_ring_matches(cap))
		return 0;
	if (vt_ring_map(cap) < 0)
		return -1;
	vt_ring_clear();
	return 0;
}

int vt_ring_after_fork(void)
{
	int rc = 0;
	if (rf.h && rf.cap) {
		rf.warned = 0; /* the child's own warning */
		rc = vt_ring_map(rf.cap);
	}
	vt_ring_clear();
	vt_ring_set_state(vt.recording ? VTB_RING_RECORDING : VTB_RING_STOPPED);
	return rc;
}

/* This process's file says it ended (in `state`, or by `sig`: 0 leaves either as it is),
 * and goes when `remove`. */
static void ring_end(int remove, uint32_t state, uint32_t sig)
{
	if (!rf.h || rf.h->pid != (uint32_t)getpid())
		return;
	rf.h->end_ticks = vt_ticks();
	if (sig)
		__atomic_store_n(&rf.h->signal, sig, __ATOMIC_RELEASE);
	if (state)
		vt_ring_set_state(state);
	if (remove && rf.path[0])
		unlink(rf.path);
	rf.path[0] = '\0';
}

void vt_ring_exit(int remove)
{
	ring_end(remove, VTB_RING_EXITED, 0);
}

void vt_ring_ended_by(uint32_t sig, int remove)
{
	ring_end(remove, 0, sig);
}

void vt_ring_configure(const char *dir, int no_file, unsigned dump_mode)
{
	free(rf.dir);
	rf.dir = dir && *dir ? strdup(dir) : NULL;
	rf.no_file = no_file;
	/* Others may read a ring file as they may read dumps, never write it: vtui trusts it. */
	rf.mode = 0600 | (dump_mode & 0044);
}

const char *vt_ring_path(void)
{
	return rf.path[0] ? rf.path : NULL;
}

char *vt_ring_take_warning(void)
{
	char *w = rf.warning;
	rf.warning = NULL;
	return w;
}

int vt_ring_matches(uint64_t cap)
{
	const char *a = rf.dir ? rf.dir : "", *b = rf.mapped_dir ? rf.mapped_dir : "";
	return rf.h && rf.cap == cap && rf.no_file == rf.mapped_no_file && rf.mode == rf.mapped_mode &&
	       strcmp(a, b) == 0;
}

void vt_ring_calibrate(void)
{
	if (rf.h)
		calibrate(rf.h, 0);
}
