/* SPDX-License-Identifier: MIT */
/* output.c: where a dump goes. Expands the path pattern, never replaces a file an earlier
 * dump of this process wrote (a -<n> suffix instead, unless the pattern has {n}), refuses
 * what is neither a regular file, a new one nor a character device (a FIFO would hang the
 * program, a directory or a socket cannot hold a trace), and writes regular files through
 * a temporary file created exclusively (O_EXCL|O_NOFOLLOW, mode 0600 unless the run asks
 * for another: --dump-mode, set on the descriptor before any byte is written) that is renamed
 * over the target: a symlink planted at the temporary name is never followed. Temporary
 * files that dead processes of this user left beside the target are removed first. */
#include "tracer/vt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/vtb.h"

#define OUT_TMP_TAG ".vtb.tmp"
#define OUT_PATH_MAX 4096

/* Paths this process dumped to (reset in a fork child: its dumps are its own). */
static struct {
	pid_t pid;
	char **paths;
	size_t count, cap;
} written;

static int was_written(const char *path)
{
	if (written.pid != getpid())
		return 0;
	for (size_t i = 0; i < written.count; i++)
		if (strcmp(written.paths[i], path) == 0)
			return 1;
	return 0;
}

static void remember(const char *path)
{
	if (written.pid != getpid()) {
		for (size_t i = 0; i < written.count; i++)
			free(written.paths[i]);
		written.count = 0;
		written.pid = getpid();
	}
	if (written.count == written.cap) {
		size_t cap = written.cap ? written.cap * 2 : 8;
		char **p = realloc(written.paths, cap * sizeof *p);
		if (!p)
			return;
		written.paths = p;
		written.cap = cap;
	}
	char *copy = strdup(path);
	if (copy)
		written.paths[written.count++] = copy;
}

/* Expands {pid}, {n} and {time} in a path pattern (malloc'd); other braces stay as they
 * are. NULL when out of memory or when the result is longer than a path can be. */
static char *expand_pattern(const char *pattern, uint64_t seq)
{
	char pid[32], n[32], tbuf[32];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(tbuf, sizeof tbuf, "%Y%m%d-%H%M%S", &tm);
	snprintf(pid, sizeof pid, "%d", (int)getpid());
	snprintf(n, sizeof n, "%llu", (unsigned long long)seq);
	char *out = malloc(OUT_PATH_MAX);
	size_t len = 0;
	for (const char *p = pattern; out && *p;) {
		const char *rep = NULL;
		size_t skip = 1;
		if (strncmp(p, "{pid}", 5) == 0)
			rep = pid, skip = 5;
		else if (strncmp(p, "{n}", 3) == 0)
			rep = n, skip = 3;
		else if (strncmp(p, "{time}", 6) == 0)
			rep = tbuf, skip = 6;
		size_t add = rep ? strlen(rep) : 1;
		if (len + add >= OUT_PATH_MAX) {
			free(out);
			return NULL;
		}
		memcpy(out + len, rep ? rep : p, add);
		len += add;
		p += skip;
	}
	if (out)
		out[len] = '\0';
	return out;
}

/* path with -<n> before its extension (the last dot of the last component, when it is
 * not the component's first character); malloc'd. */
static char *with_suffix(const char *path, uint64_t n)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	size_t stem = dot && dot > base ? (size_t)(dot - path) : strlen(path);
	char *out = NULL;
	if (asprintf(&out, "%.*s-%llu%s", (int)stem, path, (unsigned long long)n, path + stem) < 0)
		return NULL;
	return out;
}

/* The directory part of path ("." when it has none); malloc'd. */
static char *dir_of(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');
	*base = slash ? slash + 1 : path;
	if (!slash)
		return strdup(".");
	return strndup(path, slash == path ? 1 : (size_t)(slash - path));
}

/* Is pid a process that no longer exists? (EPERM: it exists, owned by someone else.) */
static int pid_dead(long pid)
{
	return pid > 0 && pid != (long)getpid() && kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/* Removes <base>.vtb.tmp<pid> beside path where pid is dead and the entry is ours: what a
 * dump killed halfway left. */
static void clean_stale(const char *path)
{
	const char *base;
	char *d = dir_of(path, &base);
	DIR *dp = d ? opendir(d) : NULL;
	size_t blen = strlen(base), tlen = strlen(OUT_TMP_TAG);
	struct dirent *e;
	while (dp && (e = readdir(dp))) {
		const char *name = e->d_name, *digits = name + blen + tlen;
		if (strncmp(name, base, blen) != 0 || strncmp(name + blen, OUT_TMP_TAG, tlen) != 0 ||
		    !*digits || digits[strspn(digits, "0123456789")] != '\0' || strlen(digits) > 9)
			continue;
		struct stat st;
		if (fstatat(dirfd(dp), name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_uid == geteuid() &&
		    pid_dead(atol(digits)))
			unlinkat(dirfd(dp), name, 0);
	}
	if (dp)
		closedir(dp);
	free(d);
}

static const char *kind_name(mode_t m)
{
	return S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket" : S_ISBLK(m) ? "a block device" :
	       "not a regular file";
}

static int fail_errno(const char *what, const char *path, char **cause)
{
	int e = errno;
	if (asprintf(cause, "%s: %s: %s", path, what, strerror(e)) < 0)
		*cause = NULL;
	return VTB_E_IO;
}

static int refuse(const char *path, mode_t m, char **cause)
{
	if (S_ISDIR(m)) {
		errno = EISDIR;
		return fail_errno("open", path, cause);
	}
	if (asprintf(cause, "%s is %s: a dump goes to a regular file (or a new one) or a "
		     "character device such as /dev/null; refusing to write there", path,
		     kind_name(m)) < 0)
		*cause = NULL;
	return VTB_E_ARG;
}

/* A character device (/dev/null, /dev/full) is written in place: a rename would replace
 * it. Opened non-blocking and checked again on the descriptor (it may have been swapped). */
static int open_in_place(vt_output *o, char **cause)
{
	struct stat st;
	o->fd = open(o->path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (o->fd < 0)
		return fail_errno("open", o->path, cause);
	if (fstat(o->fd, &st) < 0)
		return fail_errno("stat", o->path, cause);
	if (!S_ISCHR(st.st_mode))
		return refuse(o->path, st.st_mode, cause);
	return 0;
}

/* A new temporary file beside the target. One of ours with our pid in its name is what a
 * dead process with the same pid left: removed and created again. */
static int open_tmp(vt_output *o, unsigned mode, char **cause)
{
	if (asprintf(&o->tmp, "%s" OUT_TMP_TAG "%d", o->path, (int)getpid()) < 0) {
		o->tmp = NULL;
		return VTB_E_NOMEM;
	}
	clean_stale(o->path);
	for (int attempt = 0; attempt < 2; attempt++) {
		o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, VT_DUMP_MODE);
		if (o->fd >= 0 && mode != VT_DUMP_MODE && fchmod(o->fd, mode) < 0) {
			int rc = fail_errno("set the mode of", o->tmp, cause);
			unlink(o->tmp);
			free(o->tmp);
			o->tmp = NULL;
			return rc;
		}
		if (o->fd >= 0)
			return 0;
		struct stat st;
		if (errno != EEXIST || attempt || lstat(o->tmp, &st) < 0 || st.st_uid != geteuid() ||
		    !S_ISREG(st.st_mode) || unlink(o->tmp) < 0)
			break;
	}
	int rc = fail_errno("create", o->tmp, cause);
	free(o->tmp);
	o->tmp = NULL;
	return rc;
}

/* The path of this dump: the pattern expanded, then made distinct from every earlier dump
 * of this process unless the pattern numbers dumps itself. */
static int choose_path(vt_output *o, const char *pattern, uint64_t seq)
{
	char *path = expand_pattern(pattern, seq);
	if (!path)
		return VTB_E_NOMEM;
	if (!strstr(pattern, "{n}") && was_written(path)) {
		char *other = NULL;
		for (uint64_t n = seq; !other || was_written(other); n++) {
			free(other);
			if (!(other = with_suffix(path, n)))
				break;
		}
		o->asked = path;
		path = other;
	}
	o->path = path;
	return path ? 0 : VTB_E_NOMEM;
}

const char *vt_dump_mode_problem(unsigned long long mode)
{
	if (mode > 0777)
		return "only permission bits (0 .. 0777): no setuid, setgid or sticky bit";
	if (!(mode & 0400))
		return "its owner must be able to read it";
	if (mode & 0002)
		return "a dump is never writable by others (vtui trusts what it reads)";
	return NULL;
}

int vt_output_open(vt_output *o, const char *pattern, uint64_t seq, unsigned mode, char **cause)
{
	memset(o, 0, sizeof *o);
	o->fd = -1;
	int rc = choose_path(o, pattern, seq);
	if (rc < 0) {
		if (asprintf(cause, "%.200s...: the path is too long or out of memory", pattern) < 0)
			*cause = NULL;
		return rc;
	}
	struct stat st;
	if (stat(o->path, &st) < 0 || S_ISREG(st.st_mode))
		return open_tmp(o, mode, cause);
	if (S_ISCHR(st.st_mode))
		return open_in_place(o, cause);
	return refuse(o->path, st.st_mode, cause);
}

int vt_output_commit(vt_output *o, int ok, char **cause)
{
	if (!o->tmp)
		return 0; /* a device: every dump goes there (/dev/null twice is no loss) */
	if (!ok) {
		unlink(o->tmp);
		return 0;
	}
	if (rename(o->tmp, o->path) < 0) {
		int e = errno;
		unlink(o->tmp);
		if (asprintf(cause, "cannot rename %s to %s: %s", o->tmp, o->path, strerror(e)) < 0)
			*cause = NULL;
		return VTB_E_IO;
	}
	remember(o->path);
	return 0;
}

void vt_output_free(vt_output *o)
{
	if (o->fd >= 0)
		close(o->fd);
	free(o->tmp);
	free(o->asked);
	o->fd = -1;
	o->tmp = o->asked = NULL;
}
