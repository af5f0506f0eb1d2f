/* SPDX-License-Identifier: MIT */
/* cli_capture.h: a batch entry point (vtui_stats_main, vtui_calls_main) run in the test's
 * process with its stdout and stderr going to files, read back as text. Included after
 * check.h (static functions: one copy per suite). */
#ifndef VTUI_TESTS_CLI_CAPTURE_H
#define VTUI_TESTS_CLI_CAPTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The file at `path` (under 64 KB) as a string; the caller frees it. */
static inline char *cli_read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = calloc(1, 65536);

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_lt(fread(text, 1, 65535, f), 65535);
	fclose(f);
	return text;
}

/* Runs main_fn(argc, argv) with stdout to `out_path` and stderr to `err_path`, then puts
 * them back; what each received into *out and *err (the caller frees). Its exit code. */
static inline int cli_run_captured(int (*main_fn)(int, char **), int argc, char **argv, const char *out_path,
				   const char *err_path, char **out, char **err)
{
	int rc, so = dup(1), se = dup(2);

	fflush(stdout);
	fflush(stderr);
	ck_assert(freopen(out_path, "w", stdout) != NULL);
	ck_assert(freopen(err_path, "w", stderr) != NULL);
	rc = main_fn(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	*out = cli_read_text(out_path);
	*err = cli_read_text(err_path);
	return rc;
}

#endif
