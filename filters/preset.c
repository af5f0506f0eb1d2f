/* SPDX-License-Identifier: MIT */
/* preset.c: named lists of commands in JSON files (see filters.h for the format and the
 * search path), loaded with positions in every error, saved without losing the rest of
 * the file. */
#define _GNU_SOURCE /* asprintf */
#include "filters/filters.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "filters/private.h"

#define PROJECT_FILE "./.vtui.json"
#define MAX_FILE_BYTES (16u << 20)

struct flt_presets {
	flt_preset *items;
	size_t count;
	char **paths;          /* files that loaded, in search order */
	size_t path_count;
	char *explicit_path;   /* --presets FILE, or NULL */
};

/* ---- reading ---- */

/* The whole file, NUL-terminated. FLT_E_NOENT when missing. */
static int read_all(const char *path, char **buf, size_t *len, char **cause)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	long size;
	int rc = FLT_E_IO;

	if (f == NULL)
		return flt_fail(cause, errno == ENOENT ? FLT_E_NOENT : FLT_E_IO, "%s: %s", path,
				strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		flt_fail(cause, rc, "%s: %s", path, strerror(errno));
		goto out;
	}
	if ((unsigned long)size > MAX_FILE_BYTES) {
		flt_fail(cause, rc, "%s: %ld bytes is too large for a preset file", path, size);
		goto out;
	}
	if ((data = malloc((size_t)size + 1)) == NULL) {
		flt_fail(cause, rc = FLT_E_NOMEM, "%s: out of memory", path);
		goto out;
	}
	if (fread(data, 1, (size_t)size, f) != (size_t)size) {
		flt_fail(cause, rc, "%s: read error", path);
		goto out;
	}
	data[size] = '\0';
	*buf = data;
	*len = (size_t)size;
	data = NULL;
	rc = 0;
out:
	free(data);
	fclose(f);
	return rc;
}

/* Line and column (in characters, both from 1) of byte `off` of `buf`. */
static void position(const char *buf, size_t off, size_t *line, size_t *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)buf[i] & 0xc0) != 0x80) {
			(*col)++;
		}
	}
}

static int syntax_error(const char *path, const char *buf, size_t off, const char *what,
			char **cause)
{
	size_t line, col;

	position(buf, off, &line, &col);
	return flt_fail(cause, FLT_E_SYNTAX, "%s:%zu:%zu: %s (byte offset %zu)", path, line, col,
			what, off);
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Offset of the first NUL in the text, raw or escaped as \u0000, or `len`. cJSON takes
 * both inside a string and the C string then ends there: a command would lose its tail
 * without a word, so such a file is refused instead. */
static size_t find_nul(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\0')
			return i;
		if (buf[i] == '\\' && i + 1 < len) {
			if (len - i >= 6 && memcmp(buf + i + 1, "u0000", 5) == 0)
				return i;
			i++; /* an escaped character, perhaps a backslash */
		}
	}
	return len;
}

/* Parse the file's bytes; *root is a JSON object the caller deletes. */
static int parse_buffer(const char *path, const char *buf, size_t len, cJSON **root, char **cause)
{
	const char *end = NULL;
	size_t off;
	cJSON *j;

	for (off = 0; off < len && is_ws(buf[off]); off++)
		;
	if (off == len)
		return syntax_error(path, buf, off, "empty file: expected a JSON object", cause);
	j = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
	if (j == NULL) {
		off = end != NULL && end >= buf && end <= buf + len ? (size_t)(end - buf) : 0;
		/* cJSON points at the last byte when the text ran out: say so, at the end. */
		if (off + 1 == len && is_ws(buf[off]))
			return syntax_error(path, buf, len, "JSON syntax error: unexpected end of file",
					    cause);
		return syntax_error(path, buf, off, "JSON syntax error", cause);
	}
	for (off = (size_t)(end - buf); off < len && is_ws(buf[off]); off++)
		;
	if (off < len) {
		cJSON_Delete(j);
		return syntax_error(path, buf, off, "unexpected text after the JSON value", cause);
	}
	if ((off = find_nul(buf, len)) < len) {
		cJSON_Delete(j);
		return syntax_error(path, buf, off, "a NUL character in a string", cause);
	}
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return flt_fail(cause, FLT_E_TYPE, "%s: the top level must be a JSON object", path);
	}
	*root = j;
	return 0;
}

static int parse_file(const char *path, cJSON **root, char **cause)
{
	char *buf = NULL;
	size_t len = 0;
	int rc = read_all(path, &buf, &len, cause);

	if (rc == 0)
		rc = parse_buffer(path, buf, len, root, cause);
	free(buf);
	return rc;
}

/* ---- the library ---- */

static const char *json_type(const cJSON *j)
{
	if (cJSON_IsString(j))
		return "a string";
	if (cJSON_IsNumber(j))
		return "a number";
	if (cJSON_IsBool(j))
		return "a boolean";
	if (cJSON_IsNull(j))
		return "null";
	if (cJSON_IsArray(j))
		return "an array";
	return "an object";
}

static void preset_fini(flt_preset *p)
{
	for (size_t i = 0; i < p->command_count; i++)
		free((char *)p->commands[i]);
	free((void *)p->commands);
	free((char *)p->name);
	free((char *)p->description);
	free((char *)p->view.thread);
	free((char *)p->view.range);
	free((char *)p->view.search);
}

/* The optional "view" of preset `name` into p->view; a key of another type is an error. */
static int preset_view(const char *path, const char *name, const cJSON *item, flt_preset *p, char **cause)
{
	static const char *const keys[] = { "thread", "range", "search" };
	const char **fields[] = { &p->view.thread, &p->view.range, &p->view.search };
	const cJSON *view = cJSON_IsObject(item) ? cJSON_GetObjectItemCaseSensitive(item, "view") : NULL, *v;

	if (view == NULL)
		return 0;
	if (!cJSON_IsObject(view))
		return flt_fail(cause, FLT_E_TYPE, "%s: presets.%s.view: expected an object, got %s", path,
				name, json_type(view));
	for (size_t i = 0; i < 3; i++) {
		if ((v = cJSON_GetObjectItemCaseSensitive(view, keys[i])) == NULL)
			continue;
		if (!cJSON_IsString(v))
			return flt_fail(cause, FLT_E_TYPE, "%s: presets.%s.view.%s: expected a string, got %s",
					path, name, keys[i], json_type(v));
		if ((*fields[i] = strdup(v->valuestring)) == NULL)
			return flt_fail(cause, FLT_E_NOMEM, "%s: out of memory", path);
	}
	return 0;
}

/* The command list of preset `name`: a bare array, or an object's "commands". */
static int preset_commands(const char *path, const char *name, const cJSON *item,
			   const cJSON **list, const char **desc, char **cause)
{
	const cJSON *d;

	*desc = "";
	if (cJSON_IsArray(item)) {
		*list = item;
		return 0;
	}
	if (!cJSON_IsObject(item))
		return flt_fail(cause, FLT_E_TYPE, "%s: presets.%s: expected an object or an array "
				"of commands, got %s", path, name, json_type(item));
	d = cJSON_GetObjectItemCaseSensitive(item, "description");
	if (d != NULL && !cJSON_IsString(d))
		return flt_fail(cause, FLT_E_TYPE, "%s: presets.%s.description: expected a string, "
				"got %s", path, name, json_type(d));
	if (d != NULL)
		*desc = d->valuestring;
	*list = cJSON_GetObjectItemCaseSensitive(item, "commands");
	if (!cJSON_IsArray(*list))
		return flt_fail(cause, FLT_E_TYPE, "%s: presets.%s.commands: expected an array of "
				"strings, got %s", path, name,
				*list ? json_type(*list) : "nothing (missing)");
	return 0;
}

/* Append the strings of `list` to p's commands, each after `word` (NULL: as they are);
 * `key` names the list in messages. */
static int add_commands(const char *path, const char *name, const char *key, const cJSON *list,
			const char *word, flt_preset *p, char **cause)
{
	const char **cmds = (const char **)p->commands;
	const cJSON *c;
	size_t i = 0;

	cJSON_ArrayForEach(c, list) {
		if (!cJSON_IsString(c))
			return flt_fail(cause, FLT_E_TYPE, "%s: presets.%s.%s[%zu]: expected a "
					"string, got %s", path, name, key, i, json_type(c));
		if ((word ? asprintf((char **)&cmds[p->command_count], "%s %s", word, c->valuestring) < 0
			  : !(cmds[p->command_count] = strdup(c->valuestring))))
			return flt_fail(cause, FLT_E_NOMEM, "%s: out of memory", path);
		p->command_count++;
		i++;
	}
	return 0;
}

/* Fill `p` from preset `item` called `name`; on error `p` holds what to free. */
static int preset_from_json(const char *path, const char *name, const cJSON *item, flt_preset *p,
			    char **cause)
{
	const cJSON *list = NULL, *flat = cJSON_IsObject(item) ?
		cJSON_GetObjectItemCaseSensitive(item, "flatten") : NULL;
	const char *desc;
	int rc = preset_commands(path, name, item, &list, &desc, cause);

	if (rc < 0)
		return rc;
	if (flat && !cJSON_IsArray(flat))
		return flt_fail(cause, FLT_E_TYPE, "%s: presets.%s.flatten: expected an array of "
				"patterns, got %s", path, name, json_type(flat));
	p->name = strdup(name);
	p->description = strdup(desc);
	p->commands = calloc((size_t)cJSON_GetArraySize(list) + (size_t)cJSON_GetArraySize(flat) + 1,
			     sizeof(*p->commands));
	if (p->name == NULL || p->description == NULL || p->commands == NULL)
		return flt_fail(cause, FLT_E_NOMEM, "%s: out of memory", path);
	if ((rc = add_commands(path, name, "commands", list, NULL, p, cause)) < 0)
		return rc;
	if ((rc = add_commands(path, name, "flatten", flat, "flatten", p, cause)) < 0)
		return rc;
	return preset_view(path, name, item, p, cause);
}

/* Append the presets of `root` (names not already present) to `lib`, all or nothing. */
static int add_presets(flt_presets *lib, const char *path, const cJSON *root, char **cause)
{
	const cJSON *presets = cJSON_GetObjectItemCaseSensitive(root, "presets"), *item;
	size_t start = lib->count;
	flt_preset *grown;
	int rc = 0;

	if (presets == NULL)
		return 0;
	if (!cJSON_IsObject(presets))
		return flt_fail(cause, FLT_E_TYPE, "%s: presets: expected an object, got %s", path,
				json_type(presets));
	grown = realloc(lib->items, (lib->count + (size_t)cJSON_GetArraySize(presets) + 1) *
			sizeof(*grown));
	if (grown == NULL)
		return flt_fail(cause, FLT_E_NOMEM, "%s: out of memory", path);
	lib->items = grown;
	cJSON_ArrayForEach(item, presets) {
		flt_preset *p = &lib->items[lib->count];

		if (*item->string == '\0') {
			rc = flt_fail(cause, FLT_E_TYPE, "%s: presets: a preset needs a name, not \"\"",
				      path);
			break;
		}
		if (flt_presets_get(lib, item->string) != NULL)
			continue;
		memset(p, 0, sizeof(*p));
		p->path = path;
		lib->count++;
		if ((rc = preset_from_json(path, item->string, item, p, cause)) < 0)
			break;
	}
	while (rc < 0 && lib->count > start)
		preset_fini(&lib->items[--lib->count]);
	return rc;
}

static int add_path(flt_presets *lib, const char *path, char **kept)
{
	char **grown = realloc(lib->paths, (lib->path_count + 1) * sizeof(*grown));

	if (grown == NULL)
		return FLT_E_NOMEM;
	lib->paths = grown;
	if ((grown[lib->path_count] = strdup(path)) == NULL)
		return FLT_E_NOMEM;
	*kept = grown[lib->path_count++];
	return 0;
}

/* Load `path` into `lib`. */
static int load_into(flt_presets *lib, const char *path, char **cause)
{
	cJSON *root = NULL;
	char *kept;
	int rc = parse_file(path, &root, cause);

	if (rc < 0)
		return rc;
	if ((rc = add_path(lib, path, &kept)) < 0)
		flt_fail(cause, rc, "%s: out of memory", path);
	else
		rc = add_presets(lib, kept, root, cause);
	cJSON_Delete(root);
	return rc;
}

static void library_empty(flt_presets *lib)
{
	for (size_t i = 0; i < lib->count; i++)
		preset_fini(&lib->items[i]);
	free(lib->items);
	for (size_t i = 0; i < lib->path_count; i++)
		free(lib->paths[i]);
	free(lib->paths);
	lib->items = NULL;
	lib->paths = NULL;
	lib->count = lib->path_count = 0;
}

void flt_presets_free(flt_presets *lib)
{
	if (lib == NULL)
		return;
	library_empty(lib);
	free(lib->explicit_path);
	free(lib);
}

int flt_presets_load(const char *path, flt_presets **out, char **cause)
{
	flt_presets *lib = calloc(1, sizeof(*lib));
	int rc;

	if (lib == NULL)
		return flt_fail(cause, FLT_E_NOMEM, "out of memory");
	if ((rc = load_into(lib, path, cause)) < 0) {
		flt_presets_free(lib);
		return rc;
	}
	*out = lib;
	return 0;
}

char *flt_presets_user_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char *path = NULL;

	if (xdg != NULL && *xdg == '/') {
		if (asprintf(&path, "%s/vtui/presets.json", xdg) < 0)
			path = NULL;
	} else if (home != NULL && *home != '\0') {
		if (asprintf(&path, "%s/.config/vtui/presets.json", home) < 0)
			path = NULL;
	}
	return path;
}

/* Append "line" to the accumulated message `*all`. */
static void append_cause(char **all, char *line)
{
	char *joined;

	if (line == NULL)
		return;
	if (*all == NULL) {
		*all = line;
		return;
	}
	if (asprintf(&joined, "%s\n%s", *all, line) >= 0) {
		free(*all);
		*all = joined;
	}
	free(line);
}

/* Load the search path (or the explicit file) into an empty `lib`. */
static int load_search_path(flt_presets *lib, char **cause)
{
	char *user = flt_presets_user_path(), *msg;
	const char *files[2] = { PROJECT_FILE, user };
	int first = 0, rc;

	if (lib->explicit_path != NULL) {
		free(user);
		return load_into(lib, lib->explicit_path, cause);
	}
	for (int i = 0; i < 2; i++) {
		if (files[i] == NULL)
			continue;
		msg = NULL;
		rc = load_into(lib, files[i], &msg);
		if (rc == FLT_E_NOENT) {
			free(msg);
			continue;
		}
		if (rc < 0 && first == 0)
			first = rc;
		if (cause != NULL)
			append_cause(cause, msg);
		else
			free(msg);
	}
	free(user);
	return first;
}

int flt_presets_open(const char *explicit_path, flt_presets **out, char **cause)
{
	flt_presets *lib = calloc(1, sizeof(*lib));

	*out = NULL;
	if (cause != NULL)
		*cause = NULL;
	if (lib == NULL || (explicit_path && !(lib->explicit_path = strdup(explicit_path)))) {
		free(lib);
		return flt_fail(cause, FLT_E_NOMEM, "out of memory");
	}
	*out = lib;
	return load_search_path(lib, cause);
}

size_t flt_presets_count(const flt_presets *lib)
{
	return lib->count;
}

const flt_preset *flt_presets_at(const flt_presets *lib, size_t i)
{
	return i < lib->count ? &lib->items[i] : NULL;
}

const flt_preset *flt_presets_get(const flt_presets *lib, const char *name)
{
	for (size_t i = 0; i < lib->count; i++)
		if (strcmp(lib->items[i].name, name) == 0)
			return &lib->items[i];
	return NULL;
}

int flt_preset_apply(const flt_preset *p, flt_set *s, size_t *skipped, char **cause)
{
	flt_set *trial = flt_set_copy(s, cause);
	size_t unknown = 0;
	int rc = FLT_E_NOMEM;

	if (trial == NULL)
		goto out;
	for (size_t i = 0; i < p->command_count; i++) {
		char *inner = NULL;

		rc = flt_set_command(trial, p->commands[i], &inner);
		if (rc == FLT_E_UNKNOWN) {
			unknown++;
			continue;
		}
		if (rc < 0) {
			flt_fail(cause, rc, "preset '%s' (%s), command %zu '%s': %s", p->name, p->path,
				 i + 1, p->commands[i], inner ? inner : flt_strerror(rc));
			free(inner);
			goto out;
		}
	}
	/* Apply for real only once every command is known to be good. */
	for (size_t i = 0; i < p->command_count; i++)
		flt_set_command(s, p->commands[i], NULL);
	rc = 0;
out:
	if (skipped != NULL)
		*skipped = unknown;
	flt_set_free(trial);
	return rc;
}

/* ---- saving ---- */

/* Set key `key` of object `p` to `item` (taken over), replacing it in place. */
static int put_key(cJSON *p, const char *key, cJSON *item)
{
	if (item != NULL && (cJSON_GetObjectItemCaseSensitive(p, key)
			     ? cJSON_ReplaceItemInObjectCaseSensitive(p, key, item)
			     : cJSON_AddItemToObject(p, key, item)))
		return 0;
	cJSON_Delete(item);
	return FLT_E_NOMEM;
}

/* The pattern of a flatten command as the "flatten" key holds it, or NULL for another
 * command ("flatten-file X" is "file:X"; "flatten-file log:X", which is refused, stays a
 * command, so that it reads back refused). The caller frees. */
static char *flatten_pattern(const char *cmd)
{
	char *out = NULL;
	const char *arg, *rest;
	enum flt_field f;

	if (strncmp(cmd, "flatten ", 8) == 0)
		return strdup(cmd + 8 + strspn(cmd + 8, " \t"));
	if (strncmp(cmd, "flatten-file ", 13) != 0)
		return NULL;
	arg = cmd + 13 + strspn(cmd + 13, " \t"); /* past the word: only now is it in the string */
	if ((f = flt_field_split(arg, &rest)) != FLT_FIELD_ANY && f != FLT_FIELD_FILE)
		return NULL;
	if (asprintf(&out, "%s%s", strncmp(arg, "file:", 5) ? "file:" : "", arg) < 0)
		out = NULL;
	return out;
}

/* Put `commands` into `p`: flatten commands as the "flatten" key (dropped when there are
 * none), the others as "commands". */
static int put_commands(cJSON *p, const char *const *commands, size_t count)
{
	cJSON *list = cJSON_CreateArray(), *flat = cJSON_CreateArray();

	for (size_t i = 0; list && flat && i < count; i++) {
		char *pat = flatten_pattern(commands[i]);
		cJSON *str = cJSON_CreateString(pat ? pat : commands[i]);

		free(pat);
		if (str == NULL || !cJSON_AddItemToArray(pat ? flat : list, str)) {
			cJSON_Delete(str);
			break;
		}
	}
	if (list == NULL || flat == NULL || (size_t)cJSON_GetArraySize(list) +
	    (size_t)cJSON_GetArraySize(flat) != count) {
		cJSON_Delete(list);
		cJSON_Delete(flat);
		return FLT_E_NOMEM;
	}
	if (cJSON_GetArraySize(flat) == 0) {
		cJSON_Delete(flat);
		cJSON_DeleteItemFromObjectCaseSensitive(p, "flatten");
		flat = NULL;
	}
	if (put_key(p, "commands", list) < 0 || (flat && put_key(p, "flatten", flat) < 0))
		return FLT_E_NOMEM;
	return 0;
}

/* The preset object `p`'s "view", replaced by the fields of `view` that are set (none:
 * the key goes). */
static int put_view(cJSON *p, const char *path, const flt_preset_view *view, char **cause)
{
	cJSON *v;

	if (!view->thread && !view->range && !view->search) {
		cJSON_DeleteItemFromObjectCaseSensitive(p, "view");
		return 0;
	}
	v = cJSON_CreateObject();

	if (v == NULL || (view->thread && !cJSON_AddStringToObject(v, "thread", view->thread)) ||
	    (view->range && !cJSON_AddStringToObject(v, "range", view->range)) ||
	    (view->search && !cJSON_AddStringToObject(v, "search", view->search)) ||
	    (cJSON_GetObjectItemCaseSensitive(p, "view") ? !cJSON_ReplaceItemInObjectCaseSensitive(p, "view", v)
							 : !cJSON_AddItemToObject(p, "view", v))) {
		cJSON_Delete(v);
		return flt_fail(cause, FLT_E_NOMEM, "%s: out of memory", path);
	}
	return 0;
}

/* The preset object for `name` inside `root`, replacing its commands (and description when
 * given) and keeping its other keys. */
static int put_preset(cJSON *root, const char *path, const char *name,
		      const char *const *commands, size_t count, const char *description,
		      const flt_preset_view *view, char **cause)
{
	cJSON *presets = cJSON_GetObjectItemCaseSensitive(root, "presets"), *p;

	if (presets == NULL)
		presets = cJSON_AddObjectToObject(root, "presets");
	else if (!cJSON_IsObject(presets))
		return flt_fail(cause, FLT_E_TYPE, "%s: presets: expected an object, got %s; not "
				"overwriting it", path, json_type(presets));
	p = cJSON_GetObjectItemCaseSensitive(presets, name);
	if (p == NULL || !cJSON_IsObject(p)) {
		cJSON *fresh = cJSON_CreateObject();

		if (fresh == NULL || (p ? !cJSON_ReplaceItemInObjectCaseSensitive(presets, name, fresh)
					: !cJSON_AddItemToObject(presets, name, fresh))) {
			cJSON_Delete(fresh);
			return flt_fail(cause, FLT_E_NOMEM, "%s: out of memory", path);
		}
		p = fresh;
	}
	/* Replaced in place: with a duplicate key, the first is the one a load reads. */
	if (description != NULL && put_key(p, "description", cJSON_CreateString(description)) < 0)
		return flt_fail(cause, FLT_E_NOMEM, "%s: out of memory", path);
	if (put_commands(p, commands, count) < 0)
		return flt_fail(cause, FLT_E_NOMEM, "%s: out of memory", path);
	return view ? put_view(p, path, view, cause) : 0;
}

/* Write `text` to `path` through a temporary file in the same directory and a rename.
 * The new file keeps the old one's permissions; `path` is a real path (no symlink). */
static int write_atomic(const char *path, const char *text, char **cause)
{
	char *tmp = NULL;
	size_t len = strlen(text);
	struct stat st;
	mode_t mode = stat(path, &st) == 0 ? (st.st_mode & 07777) : 0644;
	int fd = -1, rc = FLT_E_IO;

	if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0)
		return flt_fail(cause, FLT_E_NOMEM, "out of memory");
	if ((fd = mkstemp(tmp)) < 0) {
		flt_fail(cause, rc, "%s: cannot create a temporary file: %s", path, strerror(errno));
		goto out;
	}
	if (write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1 || fsync(fd) != 0 ||
	    fchmod(fd, mode) != 0) {
		flt_fail(cause, rc, "%s: write failed: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		fd = -1;
		flt_fail(cause, rc, "%s: cannot replace the file: %s", path, strerror(errno));
		goto out;
	}
	fd = -1;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* The file's JSON, or an empty object when the file does not exist yet. */
static int parse_or_new(const char *path, cJSON **root, char **cause)
{
	char *msg = NULL;
	int rc = parse_file(path, root, &msg);

	if (rc == FLT_E_NOENT) {
		free(msg);
		*root = cJSON_CreateObject();
		return *root ? 0 : flt_fail(cause, FLT_E_NOMEM, "out of memory");
	}
	if (cause != NULL)
		*cause = msg;
	else
		free(msg);
	return rc;
}

/* A file whose presets do not load is not written to: the saved preset would be lost
 * with the rest at the next load, and the person should see the problem first. */
static int check_loads(const char *path, const cJSON *root, char **cause)
{
	flt_presets scratch = { 0 };
	int rc = add_presets(&scratch, path, root, cause);

	library_empty(&scratch);
	return rc;
}

int flt_preset_file_save(const char *path, const char *name, const char *const *commands,
			 size_t count, const char *description, const flt_preset_view *view, char **cause)
{
	cJSON *root = NULL;
	char *text = NULL, *real = NULL;
	int rc;

	if (name == NULL || *name == '\0')
		return flt_fail(cause, FLT_E_ARG, "a preset needs a name");
	if ((rc = parse_or_new(path, &root, cause)) < 0 || (rc = check_loads(path, root, cause)) < 0)
		goto out;
	if ((rc = put_preset(root, path, name, commands, count, description, view, cause)) < 0)
		goto out;
	if ((text = cJSON_Print(root)) == NULL) {
		rc = flt_fail(cause, FLT_E_NOMEM, "%s: out of memory printing JSON", path);
		goto out;
	}
	/* A dotfile is often a symlink into a repository: replace what it points to. */
	real = realpath(path, NULL);
	rc = write_atomic(real ? real : path, text, cause);
out:
	free(real);
	cJSON_free(text);
	cJSON_Delete(root);
	return rc;
}

/* mkdir -p of the directory part of `path`. */
static int make_parents(const char *path, char **cause)
{
	char *dir = strdup(path);
	int rc = 0;

	if (dir == NULL)
		return flt_fail(cause, FLT_E_NOMEM, "out of memory");
	for (char *p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
			rc = flt_fail(cause, FLT_E_IO, "cannot create %s: %s", dir, strerror(errno));
			break;
		}
		*p = '/';
	}
	free(dir);
	return rc;
}

/* Which file a save of `name` goes to (see flt_presets_save); malloc'd. */
static char *save_target(const flt_presets *lib, const char *name)
{
	const flt_preset *p = flt_presets_get(lib, name);

	if (lib->explicit_path != NULL)
		return strdup(lib->explicit_path);
	if (p != NULL)
		return strdup(p->path);
	if (access(PROJECT_FILE, F_OK) == 0)
		return strdup(PROJECT_FILE);
	return flt_presets_user_path();
}

int flt_presets_save(flt_presets *lib, const char *name, const char *const *commands,
		     size_t count, const char *description, const flt_preset_view *view,
		     char **saved_path, char **cause)
{
	char *target = save_target(lib, name);
	int rc;

	if (target == NULL)
		return flt_fail(cause, FLT_E_IO, "nowhere to save presets: set HOME, "
				"XDG_CONFIG_HOME or --presets");
	if ((rc = make_parents(target, cause)) < 0)
		goto out;
	if ((rc = flt_preset_file_save(target, name, commands, count, description, view, cause)) < 0)
		goto out;
	/* Saved: a broken other file on the path was reported when the library was opened. */
	library_empty(lib);
	load_search_path(lib, NULL);
	if (saved_path != NULL) {
		*saved_path = target;
		target = NULL;
	}
out:
	free(target);
	return rc;
}
