/* SPDX-License-Identifier: MIT */
/* follow.c: a running process followed through its ring file (vtb_follow.h): finding the
 * ring, the checks before reading it, and snapshots while the process writes. No terminal
 * here: the viewer's live mode (tui/live.c) and `vtui stats --live` sit on top. */
#include "common/vtb_follow.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/vtb_internal.h"

struct vtb_follow {
	vtb_ring *ring;
	char *path;
	uint32_t pid;
	uint64_t window_ns;        /* 0: the whole ring */
	int ended;                 /* the process is gone: no more snapshots */
	uint64_t last_ns;          /* CLOCK_MONOTONIC of the last snapshot */
	vtb_ring_snap_stats st;
	uint64_t dropped;          /* records the writer overwrote before this reader got them */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int vtb_follow_gone(const vtb_ring_info *in)
{
	return !in->alive || in->state == VTB_RING_EXITED || in->state == VTB_RING_CRASHED;
}

/* Whether the ring at `path` is of a process that runs and records; its pid to *found. */
static int ring_recording(const char *path, uint32_t *found)
{
	vtb_ring *r = NULL;
	vtb_ring_info in;
	char *cause = NULL;
	int ok = 0;

	if (vtb_ring_open(path, &r, &cause) == 0 && vtb_ring_info_read(r, &in, &cause) == 0)
		ok = !vtb_follow_gone(&in);
	if (ok)
		*found = in.pid;
	vtb_ring_close(r);
	free(cause);
	return ok;
}

/* The ring files of `dir` whose processes record: their pids (" 12 34") into *list, the
 * first one's path into *hit and pid into *pid. Returns how many. */
static int recording_rings(const char *dir, char **hit, uint32_t *pid, char **list, char **cause)
{
	char **paths = NULL;
	size_t list_len = 0;
	FILE *names = open_memstream(list, &list_len);
	int n, hits = 0;
	uint32_t found = 0;

	if (!names)
		return VTB_E_NOMEM;
	if ((n = vtb_ring_list(dir, &paths, cause)) < 0 && access(dir, F_OK) != 0) {
		free(*cause); /* no ring directory: no traced process ever ran, the caller says so */
		*cause = NULL;
	}
	for (int i = 0; i < n; i++) {
		if (!ring_recording(paths[i], &found))
			continue;
		fprintf(names, " %u", found);
		if (!hits++) {
			*hit = strdup(paths[i]);
			*pid = found;
		}
	}
	fclose(names);
	vtb_ring_list_free(paths, n);
	return hits;
}

/* The ring file of the one recording process of the ring directory (whose pid goes to
 * *pid); an error naming them when there are several. */
static char *find_ring(uint32_t *pid, char **cause)
{
	char dir[4096], *hit = NULL, *list = NULL;
	uint32_t first = 0;
	int hits;

	if (vtb_ring_default_dir(dir, sizeof dir) < 0) {
		*cause = strdup("no ring directory");
		return NULL;
	}
	if ((hits = recording_rings(dir, &hit, &first, &list, cause)) == 1)
		*pid = first;
	if (hits > 1) {
		free(*cause);
		*cause = vtb_fmt("several processes record (pids%s): say which, vtui --live PID", list);
		free(hit);
		hit = NULL;
	} else if (hits == 0 && !*cause) {
		*cause = vtb_fmt("no recording process in %s (vtui --rings lists the ring files)", dir);
	} else if (hits < 0) {
		*cause = strdup("out of memory");
	}
	free(list);
	return hits == 1 ? hit : NULL;
}

char *vtb_follow_ring_of(uint32_t pid, char **cause)
{
	char dir[4096];
	struct stat st;
	char *path;

	if (vtb_ring_default_dir(dir, sizeof dir) < 0) {
		*cause = strdup("no ring directory");
		return NULL;
	}
	if (!(path = vtb_fmt("%s/vtrace-%u%s", dir, pid, VTB_RING_SUFFIX))) {
		*cause = strdup("out of memory");
		return NULL;
	}
	if (lstat(path, &st) != 0) {
		*cause = errno == ENOENT ? vtb_fmt("no ring file of pid %u in %s (is it traced by vtrace?)", pid, dir)
					 : vtb_fmt("%s: %s", path, strerror(errno));
		free(path);
		return NULL;
	}
	return path;
}

/* Only the owner of the ring (or root) may read it, as for the process itself. */
static int owner_ok(const char *path, char **cause)
{
	struct stat st;

	if (lstat(path, &st) != 0) {
		*cause = vtb_fmt("%s: %s", path, strerror(errno));
		return 0;
	}
	if (geteuid() != 0 && st.st_uid != geteuid()) {
		*cause = vtb_fmt("%s belongs to uid %u: only its owner or root can watch it", path,
				 (unsigned)st.st_uid);
		return 0;
	}
	return 1;
}

/* The file named after the pid is the pid's (a copied or forged one is not). */
static int same_pid(vtb_follow *f, char **cause)
{
	vtb_ring_info in;

	if (vtb_ring_info_read(f->ring, &in, cause) < 0)
		return 0;
	if (!f->pid) /* a ring file named by its path: its own pid */
		f->pid = in.pid;
	if (in.pid == f->pid)
		return 1;
	*cause = vtb_fmt("%s is the ring of pid %u, not %u", f->path, in.pid, f->pid);
	return 0;
}

vtb_follow *vtb_follow_open(uint32_t pid, const char *path, uint64_t window_ns, vtb_trace **first,
			    char **cause)
{
	vtb_follow *f = calloc(1, sizeof(*f));

	*first = NULL;
	if (!f) {
		*cause = strdup("out of memory");
		return NULL;
	}
	f->pid = pid;
	f->window_ns = window_ns;
	if (path && !(f->path = strdup(path)))
		*cause = strdup("out of memory");
	else if (!path)
		f->path = pid ? vtb_follow_ring_of(pid, cause) : find_ring(&f->pid, cause);
	if (!f->path || !owner_ok(f->path, cause) || vtb_ring_open(f->path, &f->ring, cause) < 0 ||
	    !same_pid(f, cause) || !(*first = vtb_ring_snapshot(f->ring, &f->st, cause))) {
		vtb_follow_free(f);
		return NULL;
	}
	f->last_ns = now_ns();
	return f;
}

void vtb_follow_free(vtb_follow *f)
{
	if (!f)
		return;
	vtb_ring_close(f->ring);
	free(f->path);
	free(f);
}

vtb_trace *vtb_follow_tick(vtb_follow *f, uint64_t min_gap_ns, char **cause)
{
	vtb_ring_info in;
	uint64_t now = now_ns();
	char *why = NULL;
	vtb_trace *t;

	if (f->ended || now - f->last_ns < min_gap_ns)
		return NULL;
	f->last_ns = now;
	/* one last snapshot after the end: what the process wrote before it went */
	if (vtb_ring_info_read(f->ring, &in, &why) == 0 && vtb_follow_gone(&in))
		f->ended = 1;
	free(why); /* an unreadable header: the snapshot says why */
	if ((t = vtb_ring_snapshot(f->ring, &f->st, cause)))
		f->dropped += f->st.behind;
	return t;
}

int vtb_follow_ended(const vtb_follow *f) { return f->ended; }
const char *vtb_follow_path(const vtb_follow *f) { return f->path; }
uint32_t vtb_follow_pid(const vtb_follow *f) { return f->pid; }
uint64_t vtb_follow_window(const vtb_follow *f) { return f->window_ns; }
const vtb_ring_snap_stats *vtb_follow_stats(const vtb_follow *f) { return &f->st; }
uint64_t vtb_follow_dropped(const vtb_follow *f) { return f->dropped; }

int vtb_follow_info(const vtb_follow *f, vtb_ring_info *in, char **cause)
{
	return vtb_ring_info_read(f->ring, in, cause);
}

void vtb_follow_window_of(const vtb_follow *f, const vtb_trace *t, uint64_t *t0, uint64_t *t1)
{
	uint64_t first, last;

	vtb_trace_span(t, &first, &last);
	*t1 = last + 1;
	*t0 = f->window_ns && last > first + f->window_ns ? last - f->window_ns : first;
}
