/* SPDX-License-Identifier: MIT */
/* command.c: the filter words of the command language, applied to a filter set, and the
 * set printed back as commands (save-preset) or as a status-line summary. */
#define _GNU_SOURCE /* asprintf */
#include "filters/filters.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filters/private.h"

enum word_kind { W_LIST, W_MIN_DURATION, W_MAX_DEPTH, W_THREAD, W_CLEAR };

struct word {
	const char *name;
	enum word_kind kind;
	enum flt_list list;
};

static const struct word words[] = {
	{ "filter", W_LIST, FLT_INCLUDE_NAME },
	{ "hide", W_LIST, FLT_EXCLUDE_NAME },
	{ "filter-file", W_LIST, FLT_INCLUDE_FILE },
	{ "hide-file", W_LIST, FLT_EXCLUDE_FILE },
	{ "flatten", W_LIST, FLT_FLATTEN_NAME },
	{ "flatten-file", W_LIST, FLT_FLATTEN_FILE },
	{ "min-duration", W_MIN_DURATION, 0 },
	{ "max-depth", W_MAX_DEPTH, 0 },
	{ "filter-thread", W_THREAD, 0 },
	{ "clear-filters", W_CLEAR, 0 },
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The word at the start of `line` (after blanks) and where its argument begins. */
static const struct word *split(const char *line, const char **arg)
{
	const char *p = line, *end;

	while (is_blank(*p))
		p++;
	for (end = p; *end != '\0' && !is_blank(*end); end++)
		;
	for (*arg = end; is_blank(**arg); (*arg)++)
		;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i].name) == (size_t)(end - p) &&
		    memcmp(words[i].name, p, (size_t)(end - p)) == 0)
			return &words[i];
	return NULL;
}

int flt_is_filter_command(const char *line)
{
	const char *arg;

	return split(line, &arg) != NULL;
}

/* A copy of `arg` without trailing blanks or newline, for numeric arguments. */
static char *trimmed(const char *arg)
{
	size_t n = strlen(arg);

	while (n > 0 && (is_blank(arg[n - 1]) || arg[n - 1] == '\n' || arg[n - 1] == '\r'))
		n--;
	return strndup(arg, n);
}

static int set_depth(flt_set *s, const char *arg, char **cause)
{
	char *end;
	unsigned long v;

	if (strcmp(arg, "none") == 0) {
		flt_set_max_depth(s, 0);
		return 0;
	}
	errno = 0;
	v = strtoul(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end != '\0' || errno != 0 || v > 65536)
		return flt_fail(cause, FLT_E_ARG, "max-depth: '%s' is not a depth (0 to 65536, "
				"or none)", arg);
	flt_set_max_depth(s, (uint32_t)v);
	return 0;
}

/* Put "word: " before the cause of a failed `rc`, so every error names its command. */
static int prefixed(const char *word, int rc, char **cause)
{
	char *inner;

	if (rc >= 0 || cause == NULL || *cause == NULL)
		return rc;
	inner = *cause;
	rc = flt_fail(cause, rc, "%s: %s", word, inner);
	free(inner);
	return rc;
}

static int apply_value(flt_set *s, const struct word *w, const char *arg, char **cause)
{
	char *v = trimmed(arg);
	uint64_t ns;
	int rc;

	if (v == NULL)
		return flt_fail(cause, FLT_E_NOMEM, "out of memory");
	if (w->kind == W_MAX_DEPTH) {
		rc = set_depth(s, v, cause);
	} else if ((rc = flt_duration_parse(v, &ns, cause)) == 0) {
		flt_set_min_duration(s, ns);
	} else {
		rc = prefixed(w->name, rc, cause);
	}
	free(v);
	return rc;
}

/* The list of a name list's word (filter, hide, flatten) for a field prefix, or -1 where
 * the word does not take that field. */
static int field_list(enum flt_list word_list, enum flt_field f)
{
	static const int by_field[3][FLT_FIELD_COUNT] = {
		{ -1, FLT_INCLUDE_NAME, FLT_INCLUDE_FILE, FLT_INCLUDE_ARG, FLT_INCLUDE_RET, FLT_INCLUDE_LOG,
		  FLT_INCLUDE_EXC, FLT_INCLUDE_MARK },
		{ -1, FLT_EXCLUDE_NAME, FLT_EXCLUDE_FILE, FLT_EXCLUDE_ARG, FLT_EXCLUDE_RET, FLT_EXCLUDE_LOG,
		  FLT_EXCLUDE_EXC, FLT_EXCLUDE_MARK },
		{ -1, FLT_FLATTEN_NAME, FLT_FLATTEN_FILE, -1, -1, -1, -1, -1 },
	};
	int row = word_list == FLT_INCLUDE_NAME ? 0 : word_list == FLT_EXCLUDE_NAME ? 1 : 2;

	return by_field[row][f];
}

/* The list a pattern goes to: a name list's word takes a field prefix (file:, name:, and
 * for filter and hide arg:, ret:, exc:); a file list's word takes file: alone. */
static int list_of(const struct word *w, const char **arg, enum flt_list *list, char **cause)
{
	const char *rest;
	enum flt_field f = flt_field_split(*arg, &rest);
	int name_list = w->list == FLT_INCLUDE_NAME || w->list == FLT_EXCLUDE_NAME ||
			w->list == FLT_FLATTEN_NAME;
	int l = f == FLT_FIELD_ANY ? (int)w->list : name_list ? field_list(w->list, f)
						  : f == FLT_FIELD_FILE ? (int)w->list : -1;

	*list = w->list;
	if (l < 0 && w->list == FLT_FLATTEN_NAME)
		return flt_fail(cause, FLT_E_ARG, "flatten: '%s:' selects calls one by one; flatten takes "
				"frames by name: or file:", flt_field_name(f));
	if (l < 0)
		return flt_fail(cause, FLT_E_ARG, "%s: '%s:' is a search field; %s matches %s",
				w->name, flt_field_name(f), w->name,
				!name_list ? "files" : "name:, file:, arg:, ret:, log:, exc: or mark:");
	*list = (enum flt_list)l;
	*arg = f == FLT_FIELD_ANY ? *arg : rest;
	return **arg ? 0 : flt_fail(cause, FLT_E_ARG, "%s: missing pattern", w->name);
}

int flt_set_command(flt_set *s, const char *line, char **cause)
{
	const char *arg;
	const struct word *w = split(line ? line : "", &arg);
	enum flt_list list;
	int rc;

	if (w == NULL)
		return FLT_E_UNKNOWN;
	switch (w->kind) {
	case W_LIST:
		if (*arg == '\0')
			return flt_fail(cause, FLT_E_ARG, "%s: missing pattern", w->name);
		if ((rc = list_of(w, &arg, &list, cause)) < 0)
			return rc;
		return prefixed(w->name, flt_set_add(s, list, arg, cause), cause);
	case W_THREAD:
		return prefixed(w->name, flt_set_thread(s, arg, cause), cause);
	case W_CLEAR:
		flt_set_clear(s);
		return 0;
	default:
		if (*arg == '\0')
			return flt_fail(cause, FLT_E_ARG, "%s: missing value", w->name);
		return apply_value(s, w, arg, cause);
	}
}

/* A duration that reads back exactly: the largest unit that divides it. */
static const char *exact_duration(uint64_t ns, char *buf, size_t len)
{
	static const struct { uint64_t ns; const char *suffix; } u[] = {
		{ 1000000000, "s" }, { 1000000, "ms" }, { 1000, "us" }, { 1, "ns" },
	};
	size_t i = 0;

	while (ns % u[i].ns != 0)
		i++;
	snprintf(buf, len, "%llu%s", (unsigned long long)(ns / u[i].ns), u[i].suffix);
	return buf;
}

/* Growable vector of malloc'd strings. */
struct strv {
	char **v;
	size_t n;
	int failed;
};

static void strv_addf(struct strv *sv, const char *fmt, const char *a, const char *b)
{
	char **grown, *line;

	if (sv->failed)
		return;
	if (asprintf(&line, fmt, a, b) < 0) {
		sv->failed = 1;
		return;
	}
	grown = realloc(sv->v, (sv->n + 1) * sizeof(*grown));
	if (grown == NULL) {
		free(line);
		sv->failed = 1;
		return;
	}
	grown[sv->n++] = line;
	sv->v = grown;
}

/* "WORD PATTERN"; a text list's pattern gets its field ("hide arg:x"), and a pattern that
 * starts like a field prefix or with a blank (which the reader skips) gets its own list's
 * prefix ("hide name:file:x", "hide name: x"), so that reading the command back gives the
 * same pattern. */
static void add_pattern(struct strv *sv, const char *word, int list, const char *pattern)
{
	static const char *const text_field[FLT_LIST_COUNT] = {
		[FLT_INCLUDE_ARG] = "arg", [FLT_EXCLUDE_ARG] = "arg", [FLT_INCLUDE_RET] = "ret",
		[FLT_EXCLUDE_RET] = "ret", [FLT_INCLUDE_EXC] = "exc", [FLT_EXCLUDE_EXC] = "exc",
		[FLT_INCLUDE_LOG] = "log", [FLT_EXCLUDE_LOG] = "log", [FLT_INCLUDE_MARK] = "mark",
		[FLT_EXCLUDE_MARK] = "mark",
	};
	const char *rest;
	char *escaped = NULL;
	int file_list = list == FLT_INCLUDE_FILE || list == FLT_EXCLUDE_FILE || list == FLT_FLATTEN_FILE;

	if ((text_field[list] || is_blank(*pattern) || flt_field_split(pattern, &rest) != FLT_FIELD_ANY) &&
	    asprintf(&escaped, "%s:%s", text_field[list] ? text_field[list] : file_list ? "file" : "name",
		     pattern) < 0) {
		sv->failed = 1;
		return;
	}
	strv_addf(sv, "%s %s", word, escaped ? escaped : pattern);
	free(escaped);
}

int flt_set_to_commands(const flt_set *s, char ***out, size_t *count)
{
	static const char *const list_words[FLT_LIST_COUNT] = {
		"filter", "hide", "filter-file", "hide-file", "flatten", "flatten-file",
		"filter", "hide", "filter", "hide", "filter", "hide", "filter", "hide", "filter", "hide",
	};
	struct strv sv = { 0 };
	char buf[32];

	for (int l = 0; l < FLT_LIST_COUNT; l++)
		for (size_t i = 0; i < flt_set_list_count(s, l); i++)
			add_pattern(&sv, list_words[l], l, flt_set_list_pattern(s, l, i));
	if (flt_set_get_min_duration(s) != 0)
		strv_addf(&sv, "%s %s", "min-duration",
			  exact_duration(flt_set_get_min_duration(s), buf, sizeof(buf)));
	if (flt_set_get_max_depth(s) != 0) {
		snprintf(buf, sizeof(buf), "%u", flt_set_get_max_depth(s));
		strv_addf(&sv, "%s %s", "max-depth", buf);
	}
	if (flt_set_get_thread(s) != NULL)
		strv_addf(&sv, "%s %s", "filter-thread", flt_set_get_thread(s));
	if (sv.failed) {
		flt_strv_free(sv.v, sv.n);
		return FLT_E_NOMEM;
	}
	*out = sv.v;
	*count = sv.n;
	return 0;
}

char *flt_set_describe(const flt_set *s)
{
	char **cmds = NULL, *text = NULL;
	size_t n = 0, len = 1;

	if (flt_set_to_commands(s, &cmds, &n) < 0)
		return NULL;
	for (size_t i = 0; i < n; i++)
		len += strlen(cmds[i]) + 3;
	if ((text = malloc(len)) == NULL)
		goto out;
	text[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			strcat(text, " | ");
		strcat(text, cmds[i]);
	}
out:
	flt_strv_free(cmds, n);
	return text;
}
