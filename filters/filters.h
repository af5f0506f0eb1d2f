/* SPDX-License-Identifier: MIT */
/* filters.h: predicates over names, files, durations and depths, compiled once.
 *
 * The one public header of filters/. Used by the tracer (once per code object, with its
 * own code table) and by the viewer (once per interned name of a loaded trace). Nothing
 * here knows the VTB model: strings come through a callback, results go to bitmaps
 * indexed by the caller's string ids, and events are then selected by id.
 *
 * Conventions: functions return 0 (or a count / boolean where said) or a negative
 * FLT_E* code; where a person will read the reason, `char **cause` receives a malloc'd
 * message (pattern offset, file:line:column) that the caller frees. *_free(NULL) is a
 * no-op. Objects are not thread-safe: a compiled pattern reuses one match-data block.
 */
#ifndef VTUI_FILTERS_H
#define VTUI_FILTERS_H

#include <stddef.h>
#include <stdint.h>

enum flt_error {
	FLT_OK = 0,
	FLT_E_NOMEM = -1,
	FLT_E_PATTERN = -2,  /* the pattern does not compile (PCRE2's message and offset) */
	FLT_E_LIMIT = -3,    /* a match hit the match limit (a pattern that backtracks badly) */
	FLT_E_ARG = -4,      /* a bad value: duration, depth, empty argument */
	FLT_E_UNKNOWN = -5,  /* not a filter command: the caller may know it */
	FLT_E_IO = -6,       /* reading or writing a preset file failed (errno in the cause) */
	FLT_E_NOENT = -7,    /* the file does not exist */
	FLT_E_SYNTAX = -8,   /* a preset file is not valid JSON (file:line:column in the cause) */
	FLT_E_TYPE = -9,     /* a preset file has a value of the wrong type (its path in the cause) */
	FLT_E_NOTFOUND = -10, /* no preset of that name */
};

/* A static message for a code, for when there is no cause. */
const char *flt_strerror(int err);

/* ---- bitmaps over string ids ---- */

#define FLT_BITMAP_WORDS(nbits) (((size_t)(nbits) + 63) / 64)

static inline int flt_bitmap_test(const uint64_t *bm, size_t id)
{
	return (int)((bm[id >> 6] >> (id & 63)) & 1);
}

static inline void flt_bitmap_set(uint64_t *bm, size_t id)
{
	bm[id >> 6] |= (uint64_t)1 << (id & 63);
}

/* Bits set among the first `nbits`. */
size_t flt_bitmap_count(const uint64_t *bm, size_t nbits);

/* The strings of id `id` (0 <= id < count given to the eval call). `*file` may be left
 * NULL or "" when there is none. Return nonzero to skip the id (its bits stay 0). */
typedef int (*flt_entry_fn)(void *ctx, size_t id, const char **name, const char **file);

/* ---- one compiled pattern ----
 * PCRE2 in UTF mode that also accepts invalid UTF-8 subjects (they simply fail to match
 * where the bytes are bad), JIT-compiled where the platform has it. */
typedef struct flt_pattern flt_pattern;

enum flt_pattern_flag {
	FLT_PAT_CASELESS = 1 << 0,
	FLT_PAT_USER = 1 << 1,     /* typed by a person: bound the match work (FLT_E_LIMIT) */
	FLT_PAT_NO_JIT = 1 << 2,   /* interpreter only (tests of the fallback, benchmarks) */
};

/* Compile `pattern`. Returns NULL and sets *cause ("missing closing parenthesis at
 * offset 4 in 'ab(c'") on failure. The caller owns the pattern. */
flt_pattern *flt_pattern_compile(const char *pattern, unsigned flags, char **cause);
/* 1 when `subject` (len_bytes bytes, no NUL needed) matches, 0 when not, FLT_E_LIMIT
 * with *cause set when the match limit was hit (cause may be NULL). */
int flt_pattern_match(flt_pattern *p, const char *subject, size_t len_bytes, char **cause);
/* Like match, and on a match gives the byte range [*start, *end) of the first match
 * (for highlighting inside a name). */
int flt_pattern_find(flt_pattern *p, const char *subject, size_t len_bytes, size_t *start,
		     size_t *end, char **cause);
/* The pattern text as given (owned by the pattern). */
const char *flt_pattern_source(const flt_pattern *p);
/* Nonzero when the JIT compiled this pattern. */
int flt_pattern_jit(const flt_pattern *p);
/* Run `p` once per id over the names (files are ignored) of ids [0, count): sets bit id
 * of `bitmap` (FLT_BITMAP_WORDS(count) words, cleared first) for each matching name.
 * Returns the number of matching ids, or a negative error with *cause. */
int64_t flt_pattern_eval(flt_pattern *p, flt_entry_fn fn, void *ctx, size_t count,
			 uint64_t *bitmap, char **cause);
void flt_pattern_free(flt_pattern *p);

/* ---- a selection (filter set) ----
 * Include and exclude pattern lists over names and over files, a minimum duration, a
 * maximum depth and a thread-name pattern. Name semantics, per string id:
 *   included = no include pattern at all, or any include pattern (name or file) matches;
 *   excluded = any exclude pattern (name or file) matches.
 *   flattened = any flatten pattern (name or file) matches.
 * The tracer records a code object when included and not excluded (it ignores flatten).
 * The viewer reads the bitmaps apart: "show only" keeps included calls and the stack above
 * them; "hide" drops excluded calls and everything below them; "flatten" drops the
 * flattened calls alone, and what they called moves up one level per flattened caller.
 * Depth: max_depth N keeps calls at depth 0 .. N-1 (N levels); 0 means no limit.
 */
typedef struct flt_set flt_set;

enum flt_list {
	FLT_INCLUDE_NAME,   /* command `filter REGEX` */
	FLT_EXCLUDE_NAME,   /* command `hide REGEX` */
	FLT_INCLUDE_FILE,   /* command `filter-file REGEX` */
	FLT_EXCLUDE_FILE,   /* command `hide-file REGEX` */
	FLT_FLATTEN_NAME,   /* command `flatten REGEX` */
	FLT_FLATTEN_FILE,   /* command `flatten-file REGEX` (or `flatten file:REGEX`) */
	/* Text lists: calls whose own text matches, one by one, not names (the viewer
	 * matches them with its search; flt_set_eval and the per-name bitmaps leave them
	 * out, and the per-name users, the tracer and `vtui stats`, refuse a set with them) */
	FLT_INCLUDE_ARG,    /* command `filter arg:REGEX`: argument text */
	FLT_EXCLUDE_ARG,    /* command `hide arg:REGEX` */
	FLT_INCLUDE_RET,    /* command `filter ret:REGEX`: return value text */
	FLT_EXCLUDE_RET,    /* command `hide ret:REGEX` */
	FLT_INCLUDE_EXC,    /* command `filter exc:REGEX`: an exception began in the call */
	FLT_EXCLUDE_EXC,    /* command `hide exc:REGEX` */
	FLT_INCLUDE_LOG,    /* command `filter log:REGEX`: a log record in the call (not below) */
	FLT_EXCLUDE_LOG,    /* command `hide log:REGEX` */
	FLT_INCLUDE_MARK,   /* command `filter mark:REGEX`: an instant or log record in the call */
	FLT_EXCLUDE_MARK,   /* command `hide mark:REGEX` */
	FLT_LIST_COUNT
};

/* An empty set (everything passes). The caller owns it. NULL when out of memory. */
flt_set *flt_set_new(void);
/* A deep copy (patterns recompiled, bitmaps not copied: eval again). The caller owns it. */
flt_set *flt_set_copy(const flt_set *s, char **cause);
void flt_set_free(flt_set *s);
/* Compile and append `pattern` to a list; on error the set is unchanged. Patterns added
 * here count as typed by a person (match limit). Changing a list drops the bitmaps: eval
 * again. Limits and the thread pattern need no eval (flt_set_call reads them directly). */
int flt_set_add(flt_set *s, enum flt_list which, const char *pattern, char **cause);
/* Replace the thread-name pattern (NULL or "" removes it). */
int flt_set_thread(flt_set *s, const char *pattern, char **cause);
void flt_set_min_duration(flt_set *s, uint64_t min_ns);
void flt_set_max_depth(flt_set *s, uint32_t max_depth);
/* Back to empty (every list, limit and thread pattern; bitmaps dropped). */
void flt_set_clear(flt_set *s);

uint64_t flt_set_get_min_duration(const flt_set *s);
uint32_t flt_set_get_max_depth(const flt_set *s);
size_t flt_set_list_count(const flt_set *s, enum flt_list which);
/* Source of pattern i of a list (owned by the set). */
const char *flt_set_list_pattern(const flt_set *s, enum flt_list which, size_t i);
/* Source of the thread pattern, or NULL (owned by the set). */
const char *flt_set_get_thread(const flt_set *s);
/* Nonzero when no list, limit or thread pattern is set. */
int flt_set_is_empty(const flt_set *s);
/* Nonzero when any include pattern (name, file or text) is set. */
int flt_set_has_include(const flt_set *s);
/* Nonzero when any text list (arg:, ret:, log:, exc:, mark:) holds a pattern. */
int flt_set_has_text(const flt_set *s);
/* Pattern i of a list, compiled (owned by the set; matching uses its scratch space). */
flt_pattern *flt_set_list_compiled(flt_set *s, enum flt_list which, size_t i);
/* Nonzero when any flatten pattern (name or file) is set. */
int flt_set_has_flatten(const flt_set *s);

/* Evaluate the name and file lists over ids [0, count): each pattern runs once per
 * distinct string (a file shared by consecutive ids is matched once), never per event.
 * On success the set holds new bitmaps; on error (FLT_E_LIMIT) it keeps the old ones. */
int flt_set_eval(flt_set *s, flt_entry_fn fn, void *ctx, size_t count, char **cause);
/* Bitmaps of the last successful eval (owned by the set), or NULL before one. */
const uint64_t *flt_set_included(const flt_set *s);
const uint64_t *flt_set_excluded(const flt_set *s);
const uint64_t *flt_set_flattened(const flt_set *s);
/* Ids the last eval covered. */
size_t flt_set_eval_count(const flt_set *s);

/* One (name, file) pair without bitmaps: 1 when included and not excluded, 0 when not,
 * negative on a match-limit error. What the tracer asks once per code object. */
int flt_set_match_entry(flt_set *s, const char *name, const char *file, char **cause);
/* 1 when `thread_name` passes the thread pattern (always 1 without one). */
int flt_set_match_thread(flt_set *s, const char *thread_name);

/* The cheap per-call predicate, after eval: the name is included and not excluded,
 * the call lasts at least the minimum and sits above the maximum depth. Ids at or past
 * the evaluated count fail. */
int flt_set_call(const flt_set *s, uint32_t name_id, uint64_t dur_ns, uint32_t depth);
/* The duration and depth half alone (for callers that walk the tree themselves). */
int flt_set_call_limits(const flt_set *s, uint64_t dur_ns, uint32_t depth);

/* The same predicate for loops over millions of calls: a snapshot of the set, tested
 * inline without branches that depend on the data. Valid until the set changes. */
typedef struct flt_call_filter {
	const uint64_t *pass;   /* included and not excluded, per id */
	size_t count;           /* ids covered */
	uint64_t min_ns;
	uint32_t depth_limit;   /* calls at depth < depth_limit pass (UINT32_MAX: no limit) */
} flt_call_filter;

/* Fill *cf from `s` after a successful eval; FLT_E_ARG before one. */
int flt_set_call_filter(const flt_set *s, flt_call_filter *cf);

static inline int flt_call_pass(const flt_call_filter *cf, uint32_t name_id, uint64_t dur_ns,
				uint32_t depth)
{
	if (name_id >= cf->count)
		return 0;
	return flt_bitmap_test(cf->pass, name_id) & (dur_ns >= cf->min_ns) &
	       (depth < cf->depth_limit);
}

/* ---- filter commands ----
 * The filter words of the one command language, shared by the viewer's `:` line,
 * presets and `vtui stats`:
 *   filter REGEX         show only calls whose name matches (adds to the include list)
 *   filter-file REGEX    show only calls whose file matches (include list, files)
 *   hide REGEX           hide calls whose name matches and everything below them
 *   hide-file REGEX      the same by file
 *   flatten REGEX        hide calls whose name matches but keep what they called, one
 *                        level up (a frame taken out of the stack)
 *   flatten-file REGEX   the same by file
 *   min-duration DUR     hide calls shorter than DUR ("50us", "12.5ms", "0" removes it)
 *   max-depth N          show N levels (depths 0 .. N-1); "0" or "none" removes it
 *   filter-thread REGEX  only threads whose name matches; no argument removes it
 *   clear-filters        remove every filter
 * REGEX is the rest of the line after the word and its blanks, taken verbatim. A REGEX of
 * filter, hide and flatten may start with a field prefix (below): `name:` (the default)
 * or `file:` (`hide file:X` is `hide-file X`); filter and hide also take `arg:`, `ret:`,
 * `log:`, `exc:` and `mark:` (the text lists: calls whose arguments or return value match,
 * that made a matching log record or mark, or that a matching exception began in). Flatten
 * takes names and files only: an error says so.
 */

/* Apply one command line to `s`. FLT_E_UNKNOWN (cause left NULL) when its first word is
 * not a filter word; on any error the set is unchanged. */
int flt_set_command(flt_set *s, const char *line, char **cause);
/* Nonzero when the first word of `line` is a filter word. */
int flt_is_filter_command(const char *line);
/* The commands that rebuild `s` from empty, in a stable order (for save-preset).
 * *out is a malloc'd array of malloc'd strings; free with flt_strv_free. */
int flt_set_to_commands(const flt_set *s, char ***out, size_t *count);
/* A one-line summary for the status line: the commands joined by " | " ("filter ^app\. |
 * hide ^importlib | min-duration 50us"), or "" when empty. The caller frees it. */
char *flt_set_describe(const flt_set *s);
void flt_strv_free(char **v, size_t count);

/* ---- fields and smartcase ----
 * What a search pattern looks at, chosen by a prefix: "file:^app/", "arg:sku-13". Without
 * one, a search looks at every field but files, a filter at names. */
enum flt_field {
	FLT_FIELD_ANY,   /* no prefix */
	FLT_FIELD_NAME,  /* name: function names */
	FLT_FIELD_FILE,  /* file: source file paths */
	FLT_FIELD_ARG,   /* arg:  argument text */
	FLT_FIELD_RET,   /* ret:  return value text */
	FLT_FIELD_LOG,   /* log:  log messages and logger names */
	FLT_FIELD_EXC,   /* exc:  exception types and messages */
	FLT_FIELD_MARK,  /* mark: names of instants, snapshots and loggers */
	FLT_FIELD_COUNT
};

/* The field `pattern` names by its prefix; *rest points past the prefix (into pattern),
 * or at pattern itself with FLT_FIELD_ANY. */
enum flt_field flt_field_split(const char *pattern, const char **rest);
/* The prefix word of a field ("file"), "" for FLT_FIELD_ANY. Static. */
const char *flt_field_name(enum flt_field f);
/* Smartcase: 1 when `pattern` has no ASCII upper-case letter of its own (letters of an
 * escape such as \S or \p{Lu} do not count), so it should match caselessly. */
int flt_smartcase(const char *pattern);

/* ---- durations ----
 * "300ns", "50us" (or "50µs"), "12.5ms", "2s", "1.5m"; a bare "0" is zero. Parsing does
 * not depend on the locale (the decimal mark is always '.'). */
int flt_duration_parse(const char *text, uint64_t *ns, char **cause);
/* Print `ns` with three significant digits at most in the largest unit it reaches
 * ("999ns", "12.5ms", "1.23s", "2s"). Returns `buf`. buf_len >= 16 is enough. */
char *flt_duration_format(uint64_t ns, char *buf, size_t buf_len);

/* ---- presets ----
 * A preset file is a JSON object; presets live under its "presets" key, and every other
 * key is left alone (saving keeps it):
 *   { "presets": {
 *       "no-stdlib": { "description": "Hide the standard library",
 *                      "commands": ["hide-file ^<frozen", "hide-file /lib/python3"],
 *                      "flatten": ["file:^/usr/lib/python3"] },
 *       "slow": ["min-duration 1ms"] } }      <- a bare list of commands is accepted too
 * "flatten" (optional) lists flatten patterns: loading adds "flatten PATTERN" to the
 * commands, saving moves flatten commands there, so a vtui that predates flatten still
 * loads the file (it ignores the key). Search order: an explicit file (--presets FILE) alone when given; otherwise
 * ./.vtui.json, then $XDG_CONFIG_HOME/vtui/presets.json (or ~/.config/vtui/presets.json).
 * A name found in an earlier file shadows the same name in a later one.
 * A preset object may also keep a view, which the viewer restores after the commands
 * (`save-preset --view`); code that does not know the key ignores it:
 *       "incident": { "commands": ["clear-filters"],
 *                     "view": { "thread": "worker-2", "range": "1.5ms..20ms", "search": "Key" } }
 * Each of its keys is optional: the thread by name, the visible range in times from the
 * trace's start, the search pattern.
 */
typedef struct flt_preset_view {
	const char *thread;            /* NULL when not kept */
	const char *range;
	const char *search;
} flt_preset_view;

typedef struct flt_preset {
	const char *name;
	const char *description;       /* "" when none */
	const char *const *commands;
	size_t command_count;
	const char *path;              /* the file it came from */
	flt_preset_view view;          /* all NULL: no view */
} flt_preset;

typedef struct flt_presets flt_presets;

/* Load one preset file. FLT_E_NOENT when it does not exist; FLT_E_SYNTAX / FLT_E_TYPE
 * with "FILE:LINE:COLUMN: ..." or "FILE: presets.NAME.commands[2]: ..." in *cause.
 * On success *out is a new library the caller owns. */
int flt_presets_load(const char *path, flt_presets **out, char **cause);
/* Load along the search path (or only `explicit_path` when not NULL). *out is always a
 * library (possibly empty) unless out of memory; the return is 0, or the first error
 * with every broken file's message in *cause (one per line): the good files still load.
 * A missing explicit file is an error; missing files on the search path are not. */
int flt_presets_open(const char *explicit_path, flt_presets **out, char **cause);
void flt_presets_free(flt_presets *lib);
size_t flt_presets_count(const flt_presets *lib);
/* Preset i (0 <= i < count), in file order; owned by the library. */
const flt_preset *flt_presets_at(const flt_presets *lib, size_t i);
/* The preset called `name`, or NULL. Owned by the library. */
const flt_preset *flt_presets_get(const flt_presets *lib, const char *name);
/* Apply the filter commands of preset `p` to `s`, on top of what it holds (a preset that
 * starts with clear-filters replaces it), all or nothing. Commands that are not filter
 * words are skipped and counted in *skipped (may be NULL) for the caller to run. */
int flt_preset_apply(const flt_preset *p, flt_set *s, size_t *skipped, char **cause);

/* Write preset `name` with `commands` into the file at `path`, keeping every other key
 * and preset of the file and the preset's other keys ("description" replaced only when
 * `description` is not NULL, "view" only when `view` is not NULL: by its fields that are
 * set, or removed when none is). A missing file is
 * created; a broken one is refused (its error in *cause) rather than overwritten. Written
 * to a temporary file, then renamed. */
int flt_preset_file_save(const char *path, const char *name, const char *const *commands,
			 size_t count, const char *description, const flt_preset_view *view, char **cause);
/* Save into the library's files: the explicit file when the library was opened with one;
 * else the file that already holds `name`; else the first existing file of the search
 * path; else $XDG_CONFIG_HOME/vtui/presets.json (directories created). The library is
 * reloaded from disk afterwards. *saved_path (may be NULL) gets a malloc'd copy of the
 * file written. */
int flt_presets_save(flt_presets *lib, const char *name, const char *const *commands,
		     size_t count, const char *description, const flt_preset_view *view,
		     char **saved_path, char **cause);
/* The user preset file ($XDG_CONFIG_HOME/vtui/presets.json or ~/.config/vtui/presets.json),
 * malloc'd, or NULL when neither variable is set. */
char *flt_presets_user_path(void);

#endif
