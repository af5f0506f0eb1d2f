/* SPDX-License-Identifier: MIT */
/* live.c: vtui --live: follow a running process through its ring file. The reader only
 * maps and copies shared memory (vtb_ring_snapshot): no signal, no ptrace, no lock the
 * writer takes. The terminal loop wakes every TUI_LIVE_PERIOD_MS and calls tui_live_tick,
 * which swaps a fresh snapshot into the app unless the view is frozen. */
#include "tui/tui_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct tui_live {
	vtb_ring *ring;
	char *path;
	uint32_t pid;
	uint64_t window_ns;        /* 0: the whole ring */
	int frozen;
	int ended;                 /* the process is gone: no more snapshots */
	struct timespec last;      /* the last snapshot */
	vtb_ring_snap_stats st;
	uint64_t dropped;          /* records the writer overwrote before this reader got them */
};

/* Whether the ring at `path` is of a process that runs and records; its pid to *found. */
static int ring_recording(const char *path, uint32_t *found)
{
	vtb_ring *r = NULL;
	vtb_ring_info in;
	char *cause = NULL;
	int ok = 0;

	if (vtb_ring_open(path, &r, &cause) == 0 && vtb_ring_info_read(r, &in, &cause) == 0)
		ok = in.alive && (in.state == VTB_RING_RECORDING || in.state == VTB_RING_DUMPED);
	if (ok)
		*found = in.pid;
	vtb_ring_close(r);
	free(cause);
	return ok;
}

/* The ring file of the one recording process of the ring directory (whose pid goes to
 * *pid); an error naming them when there are several. */
static char *find_ring(uint32_t *pid, char **cause)
{
	char dir[4096], **paths = NULL, *hit = NULL, *list = NULL;
	size_t list_len = 0;
	FILE *names = open_memstream(&list, &list_len);
	int n, hits = 0;
	uint32_t found = 0, first = 0;

	if (!names || vtb_ring_default_dir(dir, sizeof dir) < 0) {
		if (names)
			fclose(names);
		free(list);
		*cause = strdup("no ring directory");
		return NULL;
	}
	if ((n = vtb_ring_list(dir, &paths, cause)) < 0 && access(dir, F_OK) != 0) {
		free(*cause); /* no ring directory: no traced process ever ran, said below */
		*cause = NULL;
	}
	if (n < 0)
		n = 0;
	for (int i = 0; i < n; i++) {
		if (!ring_recording(paths[i], &found))
			continue;
		fprintf(names, " %u", found);
		if (!hits++) {
			hit = strdup(paths[i]);
			first = found;
		}
	}
	fclose(names);
	vtb_ring_list_free(paths, n);
	if (hits == 1)
		*pid = first;
	if (hits > 1) {
		free(*cause);
		*cause = tui_strdupf("several processes record (pids%s): say which, vtui --live PID", list);
		free(hit);
		hit = NULL;
	} else if (!hits && !*cause) {
		*cause = tui_strdupf("no recording process in %s (vtui --rings lists the ring files)", dir);
	}
	free(list);
	return hits ? hit : NULL;
}

/* The ring file of `pid`: its name is vtrace-PID.ring; a file there that is not the pid's
 * is refused when opened. */
char *tui_live_ring_of(uint32_t pid, char **cause)
{
	char dir[4096];
	struct stat st;
	char *path;

	if (vtb_ring_default_dir(dir, sizeof dir) < 0) {
		*cause = strdup("no ring directory");
		return NULL;
	}
	if (!(path = tui_strdupf("%s/vtrace-%u%s", dir, pid, VTB_RING_SUFFIX))) {
		*cause = strdup("out of memory");
		return NULL;
	}
	if (lstat(path, &st) != 0) {
		*cause = errno == ENOENT ? tui_strdupf("no ring file of pid %u in %s (is it traced by vtrace?)", pid, dir)
					 : tui_strdupf("%s: %s", path, strerror(errno));
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
		*cause = tui_strdupf("%s: %s", path, strerror(errno));
		return 0;
	}
	if (geteuid() != 0 && st.st_uid != geteuid()) {
		*cause = tui_strdupf("%s belongs to uid %u: only its owner or root can watch it", path,
				     (unsigned)st.st_uid);
		return 0;
	}
	return 1;
}

/* The file named after the pid is the pid's (a copied or forged one is not). */
static int same_pid(tui_live *lv, char **cause)
{
	vtb_ring_info in;

	if (vtb_ring_info_read(lv->ring, &in, cause) < 0)
		return 0;
	if (!lv->pid) /* a ring file named by its path: its own pid */
		lv->pid = in.pid;
	if (in.pid == lv->pid)
		return 1;
	*cause = tui_strdupf("%s is the ring of pid %u, not %u", lv->path, in.pid, lv->pid);
	return 0;
}

tui_live *tui_live_open(uint32_t pid, const char *path, uint64_t window_ns, vtb_trace **first, char **cause)
{
	tui_live *lv = calloc(1, sizeof(*lv));

	*first = NULL;
	if (!lv) {
		*cause = strdup("out of memory");
		return NULL;
	}
	lv->pid = pid;
	lv->window_ns = window_ns;
	if (path && !(lv->path = strdup(path)))
		*cause = strdup("out of memory");
	else if (!path)
		lv->path = pid ? tui_live_ring_of(pid, cause) : find_ring(&lv->pid, cause);
	if (!lv->path || !owner_ok(lv->path, cause) ||
	    vtb_ring_open(lv->path, &lv->ring, cause) < 0 || !same_pid(lv, cause) ||
	    !(*first = vtb_ring_snapshot(lv->ring, &lv->st, cause))) {
		tui_live_free(lv);
		return NULL;
	}
	clock_gettime(CLOCK_MONOTONIC, &lv->last);
	return lv;
}

void tui_live_free(tui_live *lv)
{
	if (!lv)
		return;
	vtb_ring_close(lv->ring);
	free(lv->path);
	free(lv);
}

const char *tui_live_path(const tui_live *lv) { return lv->path; }
uint64_t tui_live_window(const tui_live *lv) { return lv->window_ns; }
int tui_live_frozen(const tui_live *lv) { return lv->frozen; }
int tui_live_ended(const tui_live *lv) { return lv->ended; }
uint32_t tui_live_pid(const tui_live *lv) { return lv->pid; }
const vtb_ring_snap_stats *tui_live_stats(const tui_live *lv) { return &lv->st; }

void tui_live_freeze(tui_live *lv, int frozen)
{
	lv->frozen = frozen;
}

/* The header's word on the process: "live", "frozen", or how it ended. */
void tui_live_state(const tui_live *lv, char *buf, size_t len)
{
	vtb_ring_info in;
	char *cause = NULL;

	if (vtb_ring_info_read(lv->ring, &in, &cause) < 0) {
		snprintf(buf, len, "ring unreadable: %s", cause ? cause : "?");
		free(cause);
		return;
	}
	if (in.alive && in.state != VTB_RING_EXITED && in.state != VTB_RING_CRASHED) {
		int n = snprintf(buf, len, "%s pid %u", lv->frozen ? "FROZEN" : "LIVE", in.pid);
		if (lv->dropped && n >= 0 && (size_t)n < len)
			n += snprintf(buf + n, len - (size_t)n, " (reader fell behind: %llu records dropped)",
				      (unsigned long long)lv->dropped);
		if (in.state == VTB_RING_DUMPED && n >= 0 && (size_t)n < len)
			snprintf(buf + n, len - (size_t)n, ", dumped to %s", in.dump_path);
	} else
		snprintf(buf, len, "ENDED: %s", in.state_text);
}

vtb_trace *tui_live_tick(tui_live *lv, int force, char **cause)
{
	vtb_ring_info in;

	if (lv->ended || (lv->frozen && !force))
		return NULL;
	if (!force && tui_seconds_since(&lv->last) * 1000.0 < TUI_LIVE_PERIOD_MS * 0.9)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &lv->last);
	/* one last snapshot after the end: what the process wrote before it went */
	if (vtb_ring_info_read(lv->ring, &in, cause) == 0 &&
	    (!in.alive || in.state == VTB_RING_EXITED || in.state == VTB_RING_CRASHED))
		lv->ended = 1;
	vtb_trace *t = vtb_ring_snapshot(lv->ring, &lv->st, cause);
	if (t)
		lv->dropped += lv->st.behind;
	return t;
}

/* `dump [PATH]`: the snapshot on screen as a VTB file; the process is not asked anything. */
int tui_cmd_dump(tui_app *app, int argc, char **argv)
{
	char path[4096], *cause = NULL;

	if (argc == 2)
		snprintf(path, sizeof path, "%s", argv[1]);
	else
		snprintf(path, sizeof path, "vtrace-%u-%lld.vtb", app->model.hdr->pid, (long long)time(NULL));
	/* every call, the flattened ones too */
	if (vtb_trace_save(vtb_trace_base(app->model.trace), path, &cause) < 0) {
		tui_app_msg(app, 1, "dump: %s", cause ? cause : "cannot write");
		free(cause);
		return -1;
	}
	tui_app_msg(app, 0, "wrote %s", path);
	return 0;
}
