/* SPDX-License-Identifier: MIT */
/* vtb_follow.h: following a running process through its ring file (follow.c), with no user
 * interface: find the ring of a pid, or the user's one recording process among the ring
 * files; check that the reader may watch it (its owner, or root) and that it is that pid's;
 * then take snapshots while the process writes, and say when it has ended and how many
 * records the reader lost by falling behind. `vtui --live` (the viewer) and `vtui stats
 * --live` (a batch command) both follow through it.
 *
 * The reader only maps and copies shared memory (vtb_ring_snapshot): no signal, no ptrace,
 * no lock that the writer takes.
 */
#ifndef VTUI_VTB_FOLLOW_H
#define VTUI_VTB_FOLLOW_H

#include <stdint.h>

#include "common/vtb.h"

typedef struct vtb_follow vtb_follow;

/* The path of `pid`'s ring file in the default ring directory (vtrace-PID.ring), which
 * exists; whether it is the pid's is checked when it is opened. Malloc'd, or NULL with
 * *cause (no such file: "is it traced by vtrace?"). */
char *vtb_follow_ring_of(uint32_t pid, char **cause);
/* Follow the ring file `path` (when not NULL; pid 0: whichever process it is of), else the
 * ring of `pid` (when not 0), else the one process of the ring directory that runs and
 * records. Checks that the user owns the file (or is root) and that the ring is the pid's,
 * and takes a first snapshot into *first (the caller owns it). `window_ns` is the reader's
 * window (0: the whole ring), kept for vtb_follow_window_of. NULL with *cause, which names
 * the candidates when several processes record. The caller owns the result. */
vtb_follow *vtb_follow_open(uint32_t pid, const char *path, uint64_t window_ns, vtb_trace **first,
			    char **cause);
void vtb_follow_free(vtb_follow *f);
/* A new snapshot (the caller owns it), unless the last one is less than `min_gap_ns` old
 * (0: whenever asked) or was already the last of an ended process: NULL then, with *cause
 * left NULL; NULL with *cause on failure. The snapshot taken when the process is seen gone
 * is its last (vtb_follow_ended says so from then on). */
vtb_trace *vtb_follow_tick(vtb_follow *f, uint64_t min_gap_ns, char **cause);
/* Whether the process was gone at the last snapshot (that snapshot was its last). */
int vtb_follow_ended(const vtb_follow *f);
/* The ring file, the process and the window given to vtb_follow_open; owned by `f`. */
const char *vtb_follow_path(const vtb_follow *f);
uint32_t vtb_follow_pid(const vtb_follow *f);
uint64_t vtb_follow_window(const vtb_follow *f);
/* What the last snapshot met; owned by `f`. */
const vtb_ring_snap_stats *vtb_follow_stats(const vtb_follow *f);
/* Records the writer overwrote before this reader copied them, over every snapshot. */
uint64_t vtb_follow_dropped(const vtb_follow *f);
/* The ring's header now (state, whether the process runs, its last dump): 0, or a
 * negative VTB_E* code with *cause. */
int vtb_follow_info(const vtb_follow *f, vtb_ring_info *in, char **cause);
/* Whether a process in the state `in` describes has ended (exited, crashed or gone). */
int vtb_follow_gone(const vtb_ring_info *in);
/* The window of snapshot `t`: [*t0, *t1) holds the calls that started in its last
 * window_ns (the whole snapshot for a window of 0). */
void vtb_follow_window_of(const vtb_follow *f, const vtb_trace *t, uint64_t *t0, uint64_t *t1);

#endif
