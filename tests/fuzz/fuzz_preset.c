/* SPDX-License-Identifier: MIT */
/* fuzz_preset.c: libFuzzer target for the preset file parser (filters/preset.c).
 *
 * The input is a preset file. Oracles besides crashes and sanitizers: a refused file says
 * why; every preset of a loaded file is complete and found by its name; applying one is
 * all or nothing and what it builds survives the trip through flt_set_to_commands; saving
 * a preset into a loadable file keeps the file loadable and the preset as written.
 */
#include "tests/fuzz/fuzz_file.h"
#include "tests/fuzz/fuzz_check.h"

#include "filters/filters.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char save_dir[] = "/tmp/vtui-fuzz-preset-XXXXXX";
static char save_path[64];

static void remove_save_dir(void)
{
	unlink(save_path);
	rmdir(save_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!mkdtemp(save_dir)) {
		perror("mkdtemp");
		abort();
	}
	snprintf(save_path, sizeof(save_path), "%s/presets.json", save_dir);
	atexit(remove_save_dir);
	return 0;
}

/* The set rebuilt from its own commands describes itself the same way. */
static void check_commands_round_trip(const flt_set *s)
{
	char **cmds = NULL, *a, *b;
	size_t n = 0;
	flt_set *copy = flt_set_new();

	FZ_REQUIRE(copy != NULL);
	FZ_REQUIRE(flt_set_to_commands(s, &cmds, &n) == 0);
	for (size_t i = 0; i < n; i++)
		FZ_REQUIRE(flt_set_command(copy, cmds[i], NULL) == 0);
	a = flt_set_describe(s);
	b = flt_set_describe(copy);
	FZ_REQUIRE(a && b);
	if (strcmp(a, b))
		fprintf(stderr, "set:     %s\nrebuilt: %s\n", a, b);
	FZ_REQUIRE(strcmp(a, b) == 0);
	free(a);
	free(b);
	flt_strv_free(cmds, n);
	flt_set_free(copy);
}

static void check_preset(const flt_presets *lib, const flt_preset *p)
{
	char *cause = NULL, *before, *after;
	size_t skipped = 99;
	flt_set *s = flt_set_new();

	FZ_REQUIRE(s != NULL);
	FZ_REQUIRE(p->name && p->description && p->path);
	FZ_REQUIRE(p->command_count == 0 || p->commands != NULL);
	for (size_t i = 0; i < p->command_count; i++)
		FZ_REQUIRE(p->commands[i] != NULL);
	FZ_REQUIRE(flt_presets_get(lib, p->name) != NULL);
	flt_set_add(s, FLT_EXCLUDE_NAME, "^already$", NULL);
	before = flt_set_describe(s);
	int rc = flt_preset_apply(p, s, &skipped, &cause);
	after = flt_set_describe(s);
	FZ_REQUIRE(before && after);
	if (rc < 0) {
		FZ_REQUIRE(cause != NULL);
		FZ_REQUIRE(strcmp(before, after) == 0); /* all or nothing */
	} else {
		FZ_REQUIRE(cause == NULL);
		FZ_REQUIRE(skipped <= p->command_count);
		check_commands_round_trip(s);
	}
	free(cause);
	free(before);
	free(after);
	flt_set_free(s);
}

static int is_flatten(const char *cmd)
{
	return !strncmp(cmd, "flatten ", 8) || !strncmp(cmd, "flatten-file ", 13);
}

/* The flatten commands of `cmds` applied to an empty set, described. */
static char *flatten_set(const char *const *cmds, size_t n)
{
	flt_set *s = flt_set_new();
	char *d;

	FZ_REQUIRE(s != NULL);
	for (size_t i = 0; i < n; i++)
		if (is_flatten(cmds[i]))
			flt_set_command(s, cmds[i], NULL);
	d = flt_set_describe(s);
	FZ_REQUIRE(d != NULL);
	flt_set_free(s);
	return d;
}

/* A saved preset reads back as saved: its other commands verbatim and in order, its flatten
 * commands (kept under "flatten", as "file:X" for flatten-file X, read back after the
 * others) flattening the same frames. */
static void same_commands(const char *const *got, const char *const *want, size_t n)
{
	size_t i = 0, j = 0;
	char *a, *b;

	for (;; i++, j++) {
		while (i < n && is_flatten(got[i]))
			i++;
		while (j < n && is_flatten(want[j]))
			j++;
		if (i == n || j == n)
			break;
		FZ_REQUIRE(strcmp(got[i], want[j]) == 0);
	}
	FZ_REQUIRE(i == n && j == n);
	a = flatten_set(got, n);
	b = flatten_set(want, n);
	if (strcmp(a, b))
		fprintf(stderr, "flatten saved: %s\nread back:     %s\n", b, a);
	FZ_REQUIRE(strcmp(a, b) == 0);
	free(a);
	free(b);
}

/* Save a preset into the file the input is and read it back. */
static void check_save(const uint8_t *data, size_t size, const flt_preset *like)
{
	static const char *const fixed[] = { "hide ^x", "min-duration 1ms" };
	const char *name = like ? like->name : "fz";
	const char *const *cmds = like ? like->commands : fixed;
	size_t n = like ? like->command_count : 2;
	char *cause = NULL;
	flt_presets *lib = NULL;
	FILE *f = fopen(save_path, "wb");

	FZ_REQUIRE(f && fwrite(data, 1, size, f) == size && fclose(f) == 0);
	int rc = flt_preset_file_save(save_path, name, cmds, n, "saved", NULL, &cause);
	if (rc)
		fprintf(stderr, "save: %s\n", cause ? cause : "?");
	FZ_REQUIRE(rc == 0);
	rc = flt_presets_load(save_path, &lib, &cause);
	if (rc)
		fprintf(stderr, "reload: %s\n", cause ? cause : "?");
	FZ_REQUIRE(rc == 0);
	const flt_preset *p = flt_presets_get(lib, name);
	FZ_REQUIRE(p != NULL && p->command_count == n && !strcmp(p->description, "saved"));
	same_commands((const char *const *)p->commands, cmds, n);
	flt_presets_free(lib);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[32], *cause = NULL;
	flt_presets *lib = NULL;

	fz_file_put(0, data, size, path);
	int rc = flt_presets_load(path, &lib, &cause);
	if (rc < 0) {
		FZ_REQUIRE(cause != NULL && *cause != '\0');
		FZ_REQUIRE(lib == NULL);
		free(cause);
		return 0;
	}
	FZ_REQUIRE(cause == NULL && lib != NULL);
	for (size_t i = 0; i < flt_presets_count(lib); i++)
		check_preset(lib, flt_presets_at(lib, i));
	FZ_REQUIRE(flt_presets_at(lib, flt_presets_count(lib)) == NULL);
	check_save(data, size, flt_presets_count(lib) ? flt_presets_at(lib, 0) : NULL);
	flt_presets_free(lib);
	return 0;
}
