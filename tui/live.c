/* SPDX-License-Identifier: MIT */
/* live.c: vtui --live: what the viewer adds to following a process (common/vtb_follow.h,
 * which finds the ring, checks it and takes the snapshots): freezing the view, the header's
 * word on the process and `:dump`. The terminal loop wakes every TUI_LIVE_PERIOD_MS and
 * calls tui_live_tick, and swaps what it returns into the app (swap.c). */
#include "tui/tui_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct tui_live {
	vtb_follow *follow;
	int frozen;
};

tui_live *tui_live_open(uint32_t pid, const char *path, uint64_t window_ns, vtb_trace **first, char **cause)
{
	tui_live *lv = calloc(1, sizeof(*lv));

	*first = NULL;
	if (!lv) {
		*cause = strdup("out of memory");
		return NULL;
	}
	if (!(lv->follow = vtb_follow_open(pid, path, window_ns, first, cause))) {
		free(lv);
		return NULL;
	}
	return lv;
}

void tui_live_free(tui_live *lv)
{
	if (!lv)
		return;
	vtb_follow_free(lv->follow);
	free(lv);
}

const vtb_follow *tui_live_follow(const tui_live *lv) { return lv->follow; }
const vtb_ring_snap_stats *tui_live_stats(const tui_live *lv) { return vtb_follow_stats(lv->follow); }
int tui_live_frozen(const tui_live *lv) { return lv->frozen; }

void tui_live_freeze(tui_live *lv, int frozen)
{
	lv->frozen = frozen;
}

/* The header's word on the process: "live", "frozen", or how it ended. */
void tui_live_state(const tui_live *lv, char *buf, size_t len)
{
	vtb_ring_info in;
	char *cause = NULL;
	uint64_t dropped = vtb_follow_dropped(lv->follow);

	if (vtb_follow_info(lv->follow, &in, &cause) < 0) {
		snprintf(buf, len, "ring unreadable: %s", cause ? cause : "?");
		free(cause);
		return;
	}
	if (vtb_follow_gone(&in)) {
		snprintf(buf, len, "ENDED: %s", in.state_text);
		return;
	}
	/* At 80 columns this is most of the header: the dump by its file's name (the status
	 * line and vtui --rings give the path), the count last. */
	const char *dump = strrchr(in.dump_path, '/');
	int n = snprintf(buf, len, "%s pid %u", lv->frozen ? "FROZEN" : "LIVE", in.pid);
	if (in.state == VTB_RING_DUMPED && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, ", dumped to %s", dump ? dump + 1 : in.dump_path);
	if (dropped && n >= 0 && (size_t)n < len) {
		char num[32];
		tui_fmt_count(num, sizeof num, dropped);
		snprintf(buf + n, len - (size_t)n, " (reader fell behind: %s records dropped)", num);
	}
}

vtb_trace *tui_live_tick(tui_live *lv, int force, char **cause)
{
	if (lv->frozen && !force)
		return NULL;
	/* due at 0.9 of the period, so a loop that wakes a little early does not skip one */
	return vtb_follow_tick(lv->follow, force ? 0 : TUI_LIVE_PERIOD_MS * UINT64_C(900000), cause);
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
