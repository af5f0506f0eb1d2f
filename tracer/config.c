/* SPDX-License-Identifier: MIT */
/* config.c: the run's filters and data options (configure), durations, and the
 * configuration file (.vtrace.json) read through cJSON with errors a person can act on. */
#include "tracer/vt.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "filters/filters.h"

/* ---- configure(include, exclude, include_files, exclude_files, max_depth, min_ns,
 *                log_args, log_retval, log_exceptions) ---- */

/* The include and exclude lists: what to record. Flattening is the viewer's business. */
#define VT_LISTS (FLT_EXCLUDE_FILE + 1)

static const char *const list_flags[VT_LISTS] = {
	[FLT_INCLUDE_NAME] = "--include",
	[FLT_EXCLUDE_NAME] = "--exclude",
	[FLT_INCLUDE_FILE] = "--include-files",
	[FLT_EXCLUDE_FILE] = "--exclude-files",
};

/* Adds every pattern of `list` (a sequence of str) to `s`; a ValueError names the option. */
static int add_patterns(flt_set *s, enum flt_list which, PyObject *list)
{
	PyObject *seq = PySequence_Fast(list, "patterns must be a list of str");
	if (!seq)
		return -1;
	int rc = 0;
	for (Py_ssize_t i = 0; rc == 0 && i < PySequence_Fast_GET_SIZE(seq); i++) {
		PyObject *o = PySequence_Fast_GET_ITEM(seq, i);
		const char *pat = PyUnicode_Check(o) ? PyUnicode_AsUTF8(o) : NULL;
		char *cause = NULL;
		if (!pat) {
			if (!PyErr_Occurred())
				PyErr_Format(PyExc_TypeError, "%s: a pattern must be a str, not %.100s",
					     list_flags[which], Py_TYPE(o)->tp_name);
			rc = -1;
		} else if (flt_set_add(s, which, pat, &cause) < 0) {
			PyErr_Format(PyExc_ValueError, "%s: %s", list_flags[which],
				     cause ? cause : "bad pattern");
			rc = -1;
		}
		free(cause);
	}
	Py_DECREF(seq);
	return rc;
}

/* The patterns of a set, one string, to tell whether a run's filters differ from the last. */
static char *filters_signature(const flt_set *s)
{
	char **cmds = NULL;
	size_t n = 0;
	if (!s)
		return strdup("");
	if (flt_set_to_commands(s, &cmds, &n) < 0)
		return NULL;
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(cmds[i]) + 1;
	char *sig = malloc(len);
	if (sig) {
		sig[0] = '\0';
		for (size_t i = 0; i < n; i++) {
			strcat(sig, cmds[i]);
			strcat(sig, "\n");
		}
	}
	flt_strv_free(cmds, n);
	return sig;
}

/* Filter sets seen so far (by signature) and the co_extra slot each caches its keys in:
 * going back to an earlier set reuses its slot, so a program that alternates between a few
 * does not use up CPython's slots (255 per interpreter). */
static char *set_sigs[VT_MAX_FILTER_SETS];

/* Installs `s` as the run's filters, switching co_extra slots when the patterns differ
 * from the last run's, so verdicts cached under other filters are never read. Takes `s`. */
static int install_filters(flt_set *s)
{
	static int current;
	char *sig = filters_signature(s);
	int i = 0;
	if (vt.extra_count == 0) {
		/* Keys cached before any run (decorators) were made without filters. */
		set_sigs[0] = strdup("");
		if (!set_sigs[0]) {
			free(sig);
			sig = NULL;
		} else {
			vt.extra_indices[vt.extra_count++] = vt.extra_index;
		}
	}
	while (sig && i < vt.extra_count && strcmp(set_sigs[i], sig) != 0)
		i++;
	if (!sig || (i == vt.extra_count && i == VT_MAX_FILTER_SETS)) {
		free(sig);
		flt_set_free(s);
		if (!sig)
			return PyErr_NoMemory(), -1;
		PyErr_Format(PyExc_RuntimeError, "more than %d different filter sets in one process",
			     VT_MAX_FILTER_SETS);
		return -1;
	}
	if (i == vt.extra_count) {
		Py_ssize_t index = vt_codes_refilter(-1);
		if (index < 0) {
			free(sig);
			flt_set_free(s);
			PyErr_SetString(PyExc_RuntimeError, "no free code-extra slot for vtrace's filters");
			return -1;
		}
		set_sigs[i] = sig;
		vt.extra_indices[vt.extra_count++] = index;
	} else {
		free(sig);
		if (i != current)
			vt_codes_refilter(vt.extra_indices[i]);
	}
	current = i;
	flt_set_free(vt.filters);
	vt.filters = s;
	return 0;
}

static PyObject *vt_configure(PyObject *m, PyObject *args)
{
	(void)m;
	PyObject *lists[VT_LISTS];
	unsigned int max_depth;
	unsigned long long min_ns;
	int log_args, log_retval, log_exc;
	if (vt.recording) {
		PyErr_SetString(PyExc_RuntimeError, "vtrace is recording: configure before start");
		return NULL;
	}
	if (!PyArg_ParseTuple(args, "OOOOIKppp", &lists[0], &lists[1], &lists[2], &lists[3],
			      &max_depth, &min_ns, &log_args, &log_retval, &log_exc))
		return NULL;
	flt_set *s = flt_set_new();
	if (!s)
		return PyErr_NoMemory();
	for (int i = 0; i < VT_LISTS; i++)
		if (add_patterns(s, (enum flt_list)i, lists[i]) < 0) {
			flt_set_free(s);
			return NULL;
		}
	if (flt_set_is_empty(s)) {
		flt_set_free(s);
		s = NULL;
	}
	if (install_filters(s) < 0)
		return NULL;
	vt.depth_limit = max_depth ? max_depth : UINT32_MAX;
	vt.min_ns = min_ns;
	vt.log_args = log_args;
	vt.log_retval = log_retval;
	vt.log_exc = log_exc;
	vt.full = max_depth || log_args || log_retval || log_exc;
	Py_RETURN_NONE;
}

/* parse_duration("50us") -> ns */
static PyObject *vt_parse_duration(PyObject *m, PyObject *arg)
{
	(void)m;
	const char *s = PyUnicode_Check(arg) ? PyUnicode_AsUTF8(arg) : NULL;
	uint64_t ns;
	char *cause = NULL;
	if (!s)
		return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_TypeError, "a duration must be a str");
	if (flt_duration_parse(s, &ns, &cause) < 0) {
		PyErr_SetString(PyExc_ValueError, cause ? cause : "bad duration");
		free(cause);
		return NULL;
	}
	return PyLong_FromUnsignedLongLong(ns);
}

/* ---- the configuration file ---- */

enum cfg_type { CFG_STR = 1, CFG_INT = 2, CFG_BOOL = 4, CFG_LIST = 8, CFG_NUM = 16 };

/* Every key a configuration file may hold, with the JSON types it takes. Keys are the
 * Tracer's argument names. */
static const struct cfg_key {
	const char *key;
	unsigned types;
} cfg_keys[] = {
	{ "output", CFG_STR },
	{ "buffer_size", CFG_INT },
	{ "c_calls", CFG_BOOL },
	{ "quiet", CFG_BOOL },
	{ "dump_on_exit", CFG_BOOL },
	{ "dump_on_exception", CFG_BOOL },
	{ "dump_signal", CFG_STR | CFG_INT },
	{ "log_args", CFG_BOOL },
	{ "log_retval", CFG_BOOL },
	{ "log_exceptions", CFG_BOOL },
	{ "log_gc", CFG_BOOL },
	{ "log_handler", CFG_BOOL | CFG_STR | CFG_INT },
	{ "dump_on_log", CFG_STR | CFG_INT },
	{ "max_depth", CFG_INT },
	{ "include", CFG_STR | CFG_LIST },
	{ "exclude", CFG_STR | CFG_LIST },
	{ "include_files", CFG_STR | CFG_LIST },
	{ "exclude_files", CFG_STR | CFG_LIST },
	{ "ignore_c", CFG_BOOL },
	{ "min_duration", CFG_STR | CFG_NUM },
	{ "ring_dir", CFG_STR },
	{ "ring_file", CFG_BOOL },
	{ "dump_mode", CFG_STR },
};

/* Line and column (from 1) of byte `off` of `text`. */
static void position(const char *text, size_t off, size_t *line, size_t *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && text[i]; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			(*col)++;
		}
	}
}

/* Where key `k` is written in the file (its first occurrence as a quoted string). */
static size_t key_offset(const char *text, const char *k)
{
	size_t kl = strlen(k);
	for (const char *p = strchr(text, '"'); p; p = strchr(p + 1, '"'))
		if (strncmp(p + 1, k, kl) == 0 && p[kl + 1] == '"')
			return (size_t)(p - text);
	return 0;
}

static PyObject *cfg_error(const char *path, const char *text, size_t off, const char *fmt,
			   const char *a, const char *b)
{
	size_t line, col;
	char msg[512];
	position(text, off, &line, &col);
	snprintf(msg, sizeof msg, fmt, a, b);
	return PyErr_Format(PyExc_ValueError, "%s:%zu:%zu: %s", path, line, col, msg);
}

static unsigned json_type(const cJSON *v)
{
	if (cJSON_IsString(v))
		return CFG_STR;
	if (cJSON_IsBool(v))
		return CFG_BOOL;
	if (cJSON_IsArray(v))
		return CFG_LIST;
	if (cJSON_IsNumber(v))
		return v->valuedouble == (double)(long long)v->valuedouble ? CFG_INT | CFG_NUM : CFG_NUM;
	return 0;
}

static const char *types_text(unsigned t)
{
	static char buf[96];
	static const char *const names[] = { "a string", "an integer", "true or false",
					     "a list of strings", "a number" };
	buf[0] = '\0';
	for (unsigned i = 0; i < 5; i++)
		if (t & (1u << i)) {
			if (buf[0])
				strcat(buf, " or ");
			strcat(buf, names[i]);
		}
	return buf;
}

/* The Python value of a checked item (new reference). */
static PyObject *cfg_value(const cJSON *v, unsigned t)
{
	if (t & CFG_STR)
		return PyUnicode_FromString(v->valuestring);
	if (t & CFG_BOOL)
		return PyBool_FromLong(cJSON_IsTrue(v));
	if (t & CFG_LIST) {
		PyObject *l = PyList_New(0);
		const cJSON *e;
		cJSON_ArrayForEach(e, v) {
			PyObject *s = l ? PyUnicode_FromString(e->valuestring) : NULL;
			if (!s || PyList_Append(l, s) < 0)
				Py_CLEAR(l);
			Py_XDECREF(s);
		}
		return l;
	}
	if (t & CFG_INT)
		return PyLong_FromLongLong((long long)v->valuedouble);
	return PyFloat_FromDouble(v->valuedouble);
}

/* Checks one key/value pair and stores it in `out`; a ValueError names the file, the
 * line and column of the key, and what was expected. */
static int cfg_item(const char *path, const char *text, const cJSON *item, PyObject *out)
{
	const struct cfg_key *k = NULL;
	for (size_t i = 0; i < sizeof cfg_keys / sizeof *cfg_keys; i++)
		if (strcmp(cfg_keys[i].key, item->string) == 0)
			k = &cfg_keys[i];
	size_t off = key_offset(text, item->string);
	if (!k) {
		cfg_error(path, text, off, "unknown key \"%s\"%s", item->string,
			  " (see vtrace(1), CONFIGURATION FILE)");
		return -1;
	}
	unsigned t = json_type(item) & k->types;
	const cJSON *e;
	if (t == CFG_LIST)
		cJSON_ArrayForEach(e, item) if (!cJSON_IsString(e)) t = 0;
	if (!t || ((t & CFG_INT) && !(t & CFG_NUM) && item->valuedouble < 0)) {
		cfg_error(path, text, off, "\"%s\" must be %s", item->string, types_text(k->types));
		return -1;
	}
	if ((t & CFG_INT) && (k->types & CFG_NUM))
		t = CFG_NUM;
	PyObject *v = cfg_value(item, t);
	int rc = v ? PyDict_SetItemString(out, item->string, v) : -1;
	Py_XDECREF(v);
	return rc;
}

#define CFG_MAX_BYTES (1 << 20)

/* The whole file, NUL-terminated (malloc'd); NULL with errno, or with *why for a file that
 * is not a regular one (a FIFO would block, a device never end) or is over a megabyte. */
static char *read_all(const char *path, size_t *len, const char **why)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	FILE *f = NULL;
	char *buf = NULL;
	size_t cap = 0, n = 0, got;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > CFG_MAX_BYTES) {
		*why = !S_ISREG(st.st_mode) ? "not a regular file" : "larger than a megabyte";
		close(fd);
		return NULL;
	}
	if (!(f = fdopen(fd, "rb"))) {
		close(fd);
		return NULL;
	}
	do {
		if (n + 4096 + 1 > cap) {
			char *b = realloc(buf, cap = (n + 4096 + 1) * 2);
			if (!b) {
				free(buf);
				fclose(f);
				errno = ENOMEM;
				return NULL;
			}
			buf = b;
		}
		got = fread(buf + n, 1, 4096, f);
		n += got;
	} while (got > 0 && n <= CFG_MAX_BYTES);
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		errno = EIO;
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* The first \u0000 escape in JSON text (a NUL that C strings would cut at), or NULL. */
static const char *nul_escape(const char *text)
{
	for (const char *p = strstr(text, "\\u0000"); p; p = strstr(p + 1, "\\u0000")) {
		size_t slashes = 0;
		while (p - slashes > text && p[-(ptrdiff_t)slashes - 1] == '\\')
			slashes++;
		if (slashes % 2 == 0)
			return p;
	}
	return NULL;
}

/* load_config(path) -> dict of Tracer arguments. */
static PyObject *vt_load_config(PyObject *m, PyObject *arg)
{
	(void)m;
	PyObject *out = NULL;
	const char *path = PyUnicode_Check(arg) ? PyUnicode_AsUTF8(arg) : NULL, *end = NULL;
	size_t len = 0;
	if (!path)
		return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_TypeError, "a path must be a str");
	const char *why = NULL;
	char *text = read_all(path, &len, &why);
	if (!text)
		return PyErr_Format(PyExc_OSError, "%s: %s", path, why ? why : strerror(errno));
	const char *nul = nul_escape(text);
	if (nul) {
		cfg_error(path, text, (size_t)(nul - text), "a string holds \\u0000 (NUL)%s%s", "", "");
		free(text);
		return NULL;
	}
	/* The length counts the NUL: cJSON wants to see it to accept the end of the text. */
	cJSON *root = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
	if (!root) {
		size_t off = end && end >= text ? (size_t)(end - text) : 0;
		cfg_error(path, text, off, "not valid JSON%s%s", off >= len ? " (it ends too soon)" : "", "");
		goto out;
	}
	if (!cJSON_IsObject(root)) {
		cfg_error(path, text, 0, "the configuration must be a JSON object {...}%s%s", "", "");
		goto out;
	}
	out = PyDict_New();
	const cJSON *item;
	cJSON_ArrayForEach(item, root) {
		if (out && cfg_item(path, text, item, out) < 0)
			Py_CLEAR(out);
	}
out:
	cJSON_Delete(root);
	free(text);
	return out;
}

PyMethodDef vt_config_methods[] = {
	{"configure", vt_configure, METH_VARARGS,
	 "configure(include, exclude, include_files, exclude_files, max_depth, min_ns, log_args, "
	 "log_retval, log_exceptions): the next run's filters and data"},
	{"parse_duration", vt_parse_duration, METH_O, "parse_duration('50us') -> ns"},
	{"load_config", vt_load_config, METH_O, "load_config(path) -> dict of Tracer arguments"},
	{NULL, NULL, 0, NULL},
};
