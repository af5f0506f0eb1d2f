/* SPDX-License-Identifier: MIT */
/* ring.c: ring files (the tracer's black box) from the reader's side: opening one without
 * trusting it, reading its header, saying how its process ended, listing a ring directory.
 * The records are decoded in ring_decode.c, and so is the info of a ring read (a crashed
 * ring's needs the copied tables): ring.c is the layer below and calls nothing there. Every offset and count the file gives is
 * checked against the file's size as it is now. The file is read with pread, and the
 * records through a read-only mapping where the pages hold data (vtb_ring_read): a file
 * truncated under the reader, or a page never written (a hole, which a read through the
 * mapping would have the kernel allocate: on a full tmpfs, a SIGBUS), makes a read fail
 * or go through pread, not a SIGBUS. */
#include "common/vtb.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/ring_internal.h"
#include "common/vtb_internal.h"

int vtb_ring_is(const uint8_t *buf, size_t len_bytes)
{
	return len_bytes >= 8 && memcmp(buf, VTB_RING_MAGIC, 8) == 0;
}

int vtb_ring_pread(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;
	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? VTB_E_IO : VTB_E_TRUNCATED;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/* Are the pages of [p, p + len) of the mapping all in memory (in the file's page cache:
 * written, not truncated away)? mincore reports it for a file its caller owns or may
 * write (a ring's owner or root, as ring_open requires); for another file it reports the
 * pages this process has mapped, which hold data too. */
static int map_resident(const uint8_t *p, size_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = (uintptr_t)p / page * page, hi = ((uintptr_t)p + len + page - 1) / page * page;
	unsigned char vec[64];
	for (; lo < hi; lo += sizeof vec * page) {
		size_t pages = (hi - lo) / page < sizeof vec ? (hi - lo) / page : sizeof vec;
		if (mincore((void *)lo, pages * page, vec) < 0)
			return 0;
		for (size_t i = 0; i < pages; i++)
			if (!(vec[i] & 1))
				return 0;
	}
	return 1;
}

static void ring_map(vtb_ring *r)
{
	void *m = r->file_bytes && r->file_bytes <= SIZE_MAX ?
		mmap(NULL, (size_t)r->file_bytes, PROT_READ, MAP_SHARED, r->fd, 0) : MAP_FAILED;
	if (m == MAP_FAILED) {
		r->map_failed = 1;
		return;
	}
	r->map = m;
	r->map_bytes = (size_t)r->file_bytes;
}

/* Does the file still hold [off, off + len), as fstat says now? (mincore does not say it
 * on every file system: ext4 reports pages truncated away as in memory.) */
static int file_holds(int fd, uint64_t off, size_t len)
{
	struct stat st;
	return fstat(fd, &st) == 0 && st.st_size >= 0 && (uint64_t)st.st_size >= off + len;
}

/* The window between the checks and the copy is a few microseconds: a file truncated then
 * by another program than the tracer (which never truncates its ring) would still raise
 * a SIGBUS. Loads of the copy come before the caller's next read (the write position). */
int vtb_ring_read(vtb_ring *r, void *buf, size_t len, uint64_t off)
{
	if (!r->map && !r->map_failed)
		ring_map(r);
	if (!r->map || off > r->map_bytes || len > r->map_bytes - off || !file_holds(r->fd, off, len) ||
	    !map_resident(r->map + off, len))
		return vtb_ring_pread(r->fd, buf, len, off);
	memcpy(buf, r->map + off, len);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return 0;
}

/* Is [off, off + count * size) inside the file, past the header? */
static int region_ok(uint64_t off, uint64_t count, uint64_t size, uint64_t file)
{
	if (off < VTB_RING_HEADER_BYTES || off > file || (size && count > (file - off) / size))
		return 0;
	return 1;
}

static const char *header_problem(const vtb_ring_header *h, uint64_t file)
{
	if (memcmp(h->magic, VTB_RING_MAGIC, 8))
		return "not a ring file";
	if (h->version != VTB_RING_VERSION)
		return "a ring file version this vtui does not know";
	if (h->header_bytes != VTB_RING_HEADER_BYTES || h->record_bytes != sizeof(vtb_ring_record))
		return "a ring header with wrong sizes";
	if (!h->capacity || !region_ok(h->records_off, h->capacity, sizeof(vtb_ring_record), file))
		return "its records lie outside the file";
	if (!region_ok(h->arena_off, h->arena_bytes, 1, file) ||
	    !region_ok(h->codes_off, h->code_cap, sizeof(vtb_ring_code), file) ||
	    !region_ok(h->threads_off, h->thread_cap, sizeof(vtb_ring_thread), file) ||
	    !region_ok(h->strings_off, h->strings_bytes, 1, file) || h->strings_bytes > UINT32_MAX)
		return "its tables lie outside the file";
	return NULL;
}

/* Counts beyond their tables are clamped, strings terminated: what the rest reads. */
static void header_clamp(vtb_ring_header *h)
{
	/* Records name threads in 16 bits: more entries could not be used. */
	if (h->code_count > h->code_cap)
		h->code_count = (uint32_t)h->code_cap;
	if (h->code_count > VTB_RING_MAX_CODES)
		h->code_count = VTB_RING_MAX_CODES;
	if (h->thread_count > h->thread_cap)
		h->thread_count = (uint32_t)h->thread_cap;
	if (h->thread_count > 65535u)
		h->thread_count = 65535u;
	if (h->strings_used > h->strings_bytes)
		h->strings_used = h->strings_bytes;
	h->cmdline[sizeof h->cmdline - 1] = '\0';
	h->python_version[sizeof h->python_version - 1] = '\0';
	h->dump_path[sizeof h->dump_path - 1] = '\0';
}

int vtb_ring_header_read(vtb_ring *r, char **cause)
{
	struct stat st;
	int rc;

	if (fstat(r->fd, &st) < 0) {
		*cause = vtb_fmt("%s: %s", r->path, strerror(errno));
		return VTB_E_IO;
	}
	r->file_bytes = (uint64_t)st.st_size;
	r->mtime = st.st_mtime;
	if (r->file_bytes < VTB_RING_HEADER_BYTES) {
		*cause = vtb_fmt("%s: truncated ring file (%llu bytes, the header alone takes %u)", r->path,
				 (unsigned long long)r->file_bytes, VTB_RING_HEADER_BYTES);
		return VTB_E_TRUNCATED;
	}
	if ((rc = vtb_ring_pread(r->fd, &r->h, sizeof r->h, 0)) < 0) {
		*cause = vtb_fmt("%s: reading the header: %s", r->path, vtb_strerror(rc));
		return rc;
	}
	const char *why = header_problem(&r->h, r->file_bytes);
	if (why) {
		*cause = vtb_fmt("%s: %s", r->path, why);
		return r->h.version != VTB_RING_VERSION && !memcmp(r->h.magic, VTB_RING_MAGIC, 8) ?
			VTB_E_VERSION : VTB_E_FORMAT;
	}
	header_clamp(&r->h);
	return 0;
}

/* Takes fd over (closed on failure too). */
static int ring_open(int fd, const char *path, vtb_ring **out, char **cause)
{
	struct stat st;
	vtb_ring *r = calloc(1, sizeof *r);
	int rc = VTB_E_NOMEM;

	*out = NULL;
	*cause = NULL;
	if (!r) {
		if (fd >= 0)
			close(fd);
		*cause = vtb_fmt("%s: out of memory", path);
		return rc;
	}
	r->fd = fd;
	if (!(r->path = strdup(path)))
		goto fail;
	rc = VTB_E_IO;
	if (r->fd < 0 || fstat(r->fd, &st) < 0) {
		*cause = vtb_fmt("%s: %s", path, errno == ELOOP ? "is a symbolic link (not followed)" : strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		*cause = vtb_fmt("%s: not a regular file", path);
		goto fail;
	}
	if (st.st_uid != geteuid() && geteuid() != 0) {
		*cause = vtb_fmt("%s: owned by uid %u, not by you: only its owner (or root) opens a ring",
				 path, (unsigned)st.st_uid);
		goto fail;
	}
	if ((rc = vtb_ring_header_read(r, cause)) < 0)
		goto fail;
	*out = r;
	return 0;
fail:
	if (!*cause)
		*cause = vtb_fmt("%s: %s", path, vtb_strerror(rc));
	vtb_ring_close(r);
	return rc;
}

int vtb_ring_open(const char *path, vtb_ring **out, char **cause)
{
	/* O_NONBLOCK: a FIFO put in the ring's place must not hang the open. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	return ring_open(fd, path, out, cause);
}

int vtb_ring_open_fd(int fd, const char *name, vtb_ring **out, char **cause)
{
	return ring_open(fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1, name, out, cause);
}

void vtb_ring_close(vtb_ring *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	if (r->map)
		munmap((void *)r->map, r->map_bytes);
	free(r->path);
	free(r->records);
	free(r->arena);
	free(r->codes);
	free(r->threads);
	free(r->strings);
	ring_live_free(r->live);
	free(r);
}

const char *vtb_ring_signal_name(uint32_t sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV";
	case SIGBUS: return "SIGBUS";
	case SIGILL: return "SIGILL";
	case SIGFPE: return "SIGFPE";
	case SIGABRT: return "SIGABRT";
	case SIGTERM: return "SIGTERM";
	case SIGHUP: return "SIGHUP";
	case SIGINT: return "SIGINT";
	case SIGQUIT: return "SIGQUIT";
	case SIGALRM: return "SIGALRM";
	case SIGPIPE: return "SIGPIPE";
	default: return NULL;
	}
}


uint64_t vtb_ring_proc_start(uint32_t pid)
{
	char path[64], buf[1024];
	unsigned long long v = 0;
	snprintf(path, sizeof path, "/proc/%u/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	const char *p = strrchr(buf, ')');
	/* After the command: state is field 3, start time field 22. */
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (p)
		sscanf(p + 1, "%llu", &v);
	return v;
}

/* Runs, and is the process that made the file (not a later one with its pid)? */
static int pid_alive(const vtb_ring_header *h)
{
	if (h->pid == 0 || h->pid > (1u << 22) || (kill((pid_t)h->pid, 0) < 0 && errno != EPERM))
		return 0;
	return !h->proc_start || vtb_ring_proc_start(h->pid) == h->proc_start;
}

/* The name of thread table entry `i` of a copied table, or NULL. */
const char *vtb_ring_thread_name(const vtb_ring *r, uint64_t i)
{
	if (!r->threads || i >= r->thread_count || !r->threads[i].name_off)
		return NULL;
	return vtb_ring_str(r, r->threads[i].name_off);
}

const char *vtb_ring_str(const vtb_ring *r, uint64_t off)
{
	if (!r->strings || off >= r->strings_len || !memchr(r->strings + off, '\0', r->strings_len - off))
		return "?";
	return r->strings + off;
}

/* The crashed thread's name: from the thread table when it was copied, else by tid. */
static void crash_thread_name(vtb_ring *r, vtb_ring_info *in)
{
	const char *name = NULL;
	if (r->h.crash_thread >= 0)
		name = vtb_ring_thread_name(r, (uint64_t)r->h.crash_thread);
	if (name)
		snprintf(in->crash_thread, sizeof in->crash_thread, "%s", name);
	else if (r->h.crash_tid && r->h.crash_tid == r->h.pid)
		snprintf(in->crash_thread, sizeof in->crash_thread, "MainThread");
	else
		snprintf(in->crash_thread, sizeof in->crash_thread, "tid %llu", (unsigned long long)r->h.crash_tid);
}

static void state_text(const vtb_ring_info *in, char *buf, size_t len)
{
	const char *sig = vtb_ring_signal_name(in->signal);
	char signame[32];
	if (!sig)
		snprintf(signame, sizeof signame, "signal %u", in->signal), sig = signame;
	switch (in->state) {
	case VTB_RING_CRASHED:
		snprintf(buf, len, "pid %u crashed: %s in thread %s%s", in->pid, sig, in->crash_thread,
			 in->alive ? " (a handler of the program kept it running)" : "");
		return;
	case VTB_RING_EXITED:
		snprintf(buf, len, "pid %u exited", in->pid);
		return;
	default:
		break;
	}
	if (in->alive)
		snprintf(buf, len, "pid %u is alive: %s%s%s", in->pid,
			 in->state == VTB_RING_STOPPED ? "recording stopped" : "recording",
			 in->state == VTB_RING_DUMPED ? ", last dumped to " : "",
			 in->state == VTB_RING_DUMPED ? in->dump_path : "");
	else if (in->signal)
		snprintf(buf, len, "pid %u ended by %s%s%s", in->pid, sig,
			 in->state == VTB_RING_DUMPED ? " after a dump to " : " and never dumped",
			 in->state == VTB_RING_DUMPED ? in->dump_path : "");
	else if (in->state == VTB_RING_DUMPED)
		snprintf(buf, len, "pid %u is gone: killed (SIGKILL or the OOM killer?) after a dump to %s",
			 in->pid, in->dump_path);
	else
		snprintf(buf, len, "pid %u is gone and never dumped: killed (SIGKILL or the OOM killer?)",
			 in->pid);
}

void vtb_ring_fill_info(vtb_ring *r, vtb_ring_info *in)
{
	const vtb_ring_header *h = &r->h;
	memset(in, 0, sizeof *in);
	in->pid = h->pid;
	in->ppid = h->ppid;
	in->state = h->state;
	in->signal = h->signal;
	in->alive = pid_alive(h);
	in->start_wall_ns = h->start_wall_ns;
	in->capacity = h->capacity;
	in->head = h->head;
	in->file_bytes = r->file_bytes;
	in->age_s = (int64_t)time(NULL) - (int64_t)r->mtime;
	memcpy(in->cmdline, h->cmdline, sizeof in->cmdline);
	memcpy(in->python_version, h->python_version, sizeof in->python_version);
	memcpy(in->dump_path, h->dump_path, sizeof in->dump_path);
	in->dump_signal = h->dump_signal < 65 ? h->dump_signal : 0;
	if (h->state == VTB_RING_CRASHED)
		crash_thread_name(r, in);
	state_text(in, in->state_text, sizeof in->state_text);
}

int vtb_ring_default_dir(char *buf, size_t len_bytes)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int n = xdg && *xdg == '/' ? snprintf(buf, len_bytes, "%s/vtrace", xdg)
				   : snprintf(buf, len_bytes, "/dev/shm/vtrace-%u", (unsigned)geteuid());
	return n < 0 || (size_t)n >= len_bytes ? VTB_E_ARG : 0;
}

static int ring_name(const char *name)
{
	size_t n = strlen(name), s = strlen(VTB_RING_SUFFIX);
	return n > 7 + s && !strncmp(name, "vtrace-", 7) && !strcmp(name + n - s, VTB_RING_SUFFIX);
}

struct listed {
	char *path;
	time_t mtime;
};

static int cmp_listed(const void *pa, const void *pb)
{
	const struct listed *a = pa, *b = pb;
	if (a->mtime != b->mtime)
		return a->mtime > b->mtime ? -1 : 1;
	return strcmp(a->path, b->path);
}

#define RING_LIST_MAX 4096

int vtb_ring_list(const char *dir, char ***paths, char **cause)
{
	struct listed *l = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	int rc = 0;
	DIR *d = opendir(dir);

	*paths = NULL;
	*cause = NULL;
	if (!d) {
		*cause = vtb_fmt("%s: %s", dir, strerror(errno));
		return VTB_E_IO;
	}
	while ((e = readdir(d)) && n < RING_LIST_MAX) {
		struct stat st;
		if (!ring_name(e->d_name) || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (vtb_grow((void **)&l, &cap, n + 1, sizeof *l) < 0 ||
		    !(l[n].path = vtb_fmt("%s/%s", dir, e->d_name))) {
			rc = VTB_E_NOMEM;
			break;
		}
		l[n++].mtime = st.st_mtime;
	}
	closedir(d);
	if (n)
		qsort(l, n, sizeof *l, cmp_listed);
	char **out = rc == 0 ? malloc((n ? n : 1) * sizeof *out) : NULL;
	for (size_t i = 0; i < n; i++) {
		if (out)
			out[i] = l[i].path;
		else
			free(l[i].path);
	}
	free(l);
	if (!out) {
		*cause = vtb_fmt("%s: out of memory", dir);
		return VTB_E_NOMEM;
	}
	*paths = out;
	return (int)n;
}

void vtb_ring_list_free(char **paths, int count)
{
	for (int i = 0; paths && i < count; i++)
		free(paths[i]);
	free(paths);
}
