/* SPDX-License-Identifier: MIT */
/* test_stats.c: the `vtui stats` subcommand's output and exit codes on a trace with known
 * timings (the figures themselves are test_analysis.c's), and `vtui stats --live` on a
 * ring file made by hand. Links tui/stats_cmd.o with common/, filters/ and analysis/ only:
 * the batch command needs nothing of the viewer. */
#define _GNU_SOURCE /* asprintf, mkdtemp */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/vtb.h"
#include "tests/cli_capture.h"
#include "tests/ring_fixture.h"
#include "tests/stats_fixture.h"
#include "tui/tui.h"

static char tmpdir[64];

static char *tmp_path(const char *name)
{
	char *p;

	if (tmpdir[0] == '\0') {
		strcpy(tmpdir, "/tmp/vtui-test-stats-XXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	}
	ck_assert_int_ge(asprintf(&p, "%s/%s", tmpdir, name), 0);
	return p;
}

static void remove_tmpdir(void)
{
	char *cmd;

	ck_assert_int_ge(asprintf(&cmd, "rm -rf '%s'", tmpdir), 0);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	tmpdir[0] = '\0';
}

static char *write_known_file(void)
{
	int64_t ids[NNAMES];
	char *path = tmp_path("known.vtb"), *cause = NULL;
	vtb_writer *w = start_writer(vtb_writer_open_file(path, &header, &cause), ids);

	write_events(w, ids, known, sizeof(known) / sizeof(known[0]));
	ck_assert_msg(vtb_writer_finish(w, &cause) == 0, "%s", cause);
	vtb_writer_free(w);
	return path;
}

static void put_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void put_bytes(const char *path, const void *bytes, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(bytes, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* Run `vtui stats` with stdout and stderr going to files; returns the exit code. */
static int run_stats(const char *const *args, char **out, char **err)
{
	char *argv[16], *out_path = tmp_path("out"), *err_path = tmp_path("err");
	int argc = 0, rc;

	argv[argc++] = "stats";
	while (*args != NULL)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	rc = cli_run_captured(vtui_stats_main, argc, argv, out_path, err_path, out, err);
	free(out_path);
	free(err_path);
	return rc;
}

struct cli_case {
	const char *args[10];   /* "@T" is the known trace, "@P" the preset file */
	int rc;
	const char *out;        /* exact stdout, or NULL */
	const char *err;        /* a part of stderr, or NULL for empty */
};

static const char preset_file[] =
	"{\"presets\": {\"workers\": {\"description\": \"w\", \"commands\": [\"filter-thread Worker\", "
	"\"goto 10\"]},\n \"bad\": [\"filter (\"]}}";

static const struct cli_case cli_cases[] = {
	{ { "@T", "--format", "csv", "--sort", "self", "--top", "2" }, 0,
	  "name,calls,total,self,mean,max\nmain,1,100,40,100,100\napp.a,1,40,25,40,40\n", NULL },
	{ { "--filter", "^app\\.", "@T", "--format=csv" }, 0,
	  "name,calls,total,self,mean,max\napp.a,1,40,25,40,40\napp.b,3,25,25,8,10\n", NULL },
	{ { "@T", "--format", "csv", "--hide", "^app\\.a$", "--min-duration", "20ns" }, 0,
	  "name,calls,total,self,mean,max\nmain,1,100,40,100,100\nc,1,20,10,20,20\n"
	  "fib,1,20,11,20,20\n", NULL },
	{ { "@T", "--format", "csv", "--presets", "@P", "--preset", "workers", "--max-depth", "1" },
	  0, "name,calls,total,self,mean,max\nc,1,20,10,20,20\n", NULL },
	{ { "@T", "--format", "csv", "--thread", "^Main", "--filter", "^fib$", "--sort", "calls" }, 0,
	  "name,calls,total,self,mean,max\nfib,3,20,20,7,20\n", NULL },
	{ { "@T", "--format", "csv", "--filter", "^nothing$" }, 0,
	  "name,calls,total,self,mean,max\n", NULL },
	{ { "@T", "--filter", "ab(c" }, 2, "", "missing closing parenthesis at offset 4" },
	/* filters on call text are the viewer's: refused, not ignored */
	{ { "@T", "--hide", "arg:x" }, 1, "", "filters on arg:, ret:, log:, exc: or mark: text work in the viewer only" },
	{ { "@T", "--filter", "log:x" }, 1, "", "filters on arg:, ret:, log:, exc: or mark: text work in the viewer only" },
	{ { "@T", "--filter", "log:(" }, 2, "", "--filter: bad pattern '('" },
	{ { "@T", "--min-duration", "fast" }, 2, "", "bad duration 'fast'" },
	{ { "@T", "--sort", "median" }, 2, "", "--sort: 'median' is not one of name|calls|total|self|mean|max" },
	/* the panel's sort keys and vtui's -p are vtui stats' too */
	{ { "@T", "--format", "csv", "--sort", "mean", "--top", "3" }, 0,
	  "name,calls,total,self,mean,max\nmain,1,100,40,100,100\napp.a,1,40,25,40,40\nc,1,20,10,20,20\n", NULL },
	{ { "@T", "--format", "csv", "--sort", "name", "--top", "2" }, 0,
	  "name,calls,total,self,mean,max\napp.a,1,40,25,40,40\napp.b,3,25,25,8,10\n", NULL },
	{ { "@T", "--presets", "@P", "-p", "nope" }, 3, "", "no preset 'nope' (2 presets found)" },
	{ { "@T", "--format", "xml" }, 2, "", "--format: 'xml' is not" },
	{ { "@T", "--top", "-3" }, 2, "", "--top: '-3' is not a count" },
	{ { "@T", "--bogus" }, 2, "", "usage: vtui stats" },
	{ { "--top", "3" }, 2, "", "no trace file given" },
	{ { "@T", "@T" }, 2, "", "one trace file at a time" },
	{ { "/nonexistent/trace.vtb" }, 1, "", "/nonexistent/trace.vtb" },
	{ { "@P" }, 1, "", "vtui stats: " },     /* a JSON preset file is not a VTB trace */
	/* Chrome JSON under a name that does not say so is known by its first bytes. */
	{ { "@J", "--format", "csv" }, 0, "name,calls,total,self,mean,max\nf,1,5000,5000,5000,5000\n", NULL },
	{ { "@E" }, 1, "", "the file is empty" },
	{ { "@T", "--presets", "@P", "--preset", "nope" }, 3, "", "no preset 'nope' (2 presets found)" },
	{ { "@T", "--presets", "@P", "--preset", "bad" }, 3, "",
	  "preset 'bad' (" },
	{ { "@T", "--presets", "/nonexistent/p.json", "--preset", "x" }, 3, "",
	  "/nonexistent/p.json: No such file" },
	{ { "@T", "--presets", "@B", "--preset", "x" }, 3, "", ":2:1: JSON syntax error" },
	{ { "--help" }, 0, NULL, NULL },
	/* --range: the calls starting in a time range (from the start) or a share of the span */
	{ { "@T", "--format", "csv", "--range", "55ns..100ns" }, 0,
	  "name,calls,total,self,mean,max\nfib,3,20,20,7,20\n", NULL },
	{ { "@T", "--format", "csv", "--range", "60%.." }, 0,
	  "name,calls,total,self,mean,max\nfib,3,20,20,7,20\n", NULL },
	{ { "@T", "--format", "csv", "--range", "..6ns", "--sort", "name" }, 0,
	  "name,calls,total,self,mean,max\nc,1,20,10,20,20\nmain,1,100,40,100,100\n", NULL },
	{ { "@T", "--range", "60ns..", "--top", "1" }, 0,
	  "# range 60ns..100ns (40ns) of @T\n     calls      total       self       mean        max  name\n"
	  "         3       20ns       20ns        7ns       20ns  fib\n", NULL },
	{ { "@T", "--range", "5ns" }, 2, "", "--range: '5ns' is not a range like 1.5ms..20ms" },
	{ { "@T", "--range", "50ns..10ns" }, 2, "", "--range: '50ns..10ns' is empty" },
	{ { "@T", "--range", "1s.." }, 2, "", "--range: '1s' is past the end of the trace (100ns)" },
	{ { "@T", "--range", "10%..x" }, 2, "", "--range: 'x' is not a time from the start" },
	{ { "@T", "--range", "10%..120%" }, 2, "", "--range: '120%' is not a time from the start" },
	{ { "--live", "1", "--range", "1s.." }, 2, "", "--range goes with a trace file, not --live" },
};

START_TEST(test_cli_table)
{
	const struct cli_case *c = &cli_cases[_i];
	char *trace = write_known_file(), *presets = tmp_path("p.json"), *broken = tmp_path("b.json");
	char *json = tmp_path("trace"), *empty = tmp_path("empty.bin");
	const char *args[10] = { NULL };
	char *out, *err;

	put_text(presets, preset_file);
	put_text(broken, "{\"presets\": {}\n");
	put_text(json, " {\"traceEvents\": [{\"ph\": \"X\", \"pid\": 1, \"tid\": 1, \"ts\": 0, \"dur\": 5, "
		       "\"name\": \"f\"}]}\n");
	put_text(empty, "");
	for (int i = 0; i < 10 && c->args[i]; i++)
		args[i] = strcmp(c->args[i], "@T") == 0 ? trace : strcmp(c->args[i], "@P") == 0
			  ? presets : strcmp(c->args[i], "@B") == 0 ? broken : strcmp(c->args[i], "@J") == 0
			  ? json : strcmp(c->args[i], "@E") == 0 ? empty : c->args[i];
	ck_assert_int_eq(run_stats(args, &out, &err), c->rc);
	if (c->out != NULL && strstr(c->out, "@T")) { /* the trace's path in the output */
		char *want = calloc(1, strlen(c->out) + strlen(trace) + 1), *at = strstr(c->out, "@T");

		sprintf(want, "%.*s%s%s", (int)(at - c->out), c->out, trace, at + 2);
		ck_assert_str_eq(out, want);
		free(want);
	} else if (c->out != NULL)
		ck_assert_str_eq(out, c->out);
	else
		ck_assert_ptr_nonnull(strstr(out, "usage: vtui stats"));
	if (c->err != NULL)
		ck_assert_msg(strstr(err, c->err) != NULL, "stderr '%s' lacks '%s'", err, c->err);
	else
		ck_assert_str_eq(err, "");
	free(out);
	free(err);
	free(trace);
	free(presets);
	free(broken);
	free(json);
	free(empty);
	remove_tmpdir();
}
END_TEST

/* `vtui stats --live PID`: the process is this one, its ring a file in a ring directory of
 * the test's, with three calls of f (10 us each, 20 us apart). Recording, one interval is
 * printed and the status is 0; once the ring says the process exited, the interval its
 * last snapshot holds is printed and the status is 4. */
START_TEST(test_live_ring)
{
	char *rings = tmp_path("vtrace"), *ring, *out, *err, pid[16];
	const char *args[] = { "--live", pid, "--interval", "10ms", "--format", "csv", "--count", "1", NULL };
	const char *csv = "name,calls,total,self,mean,max\n__main__.f,3,30000,30000,10000,10000\n";
	rf_ring r;

	snprintf(pid, sizeof pid, "%d", (int)getpid());
	ck_assert_int_gt(asprintf(&ring, "%s/vtrace-%s.ring", rings, pid), 0);
	ck_assert_int_eq(mkdir(rings, 0700), 0);
	ck_assert_int_eq(setenv("XDG_RUNTIME_DIR", tmpdir, 1), 0);
	rf_init(&r, VTB_RING_RECORDING);
	uint32_t f = rf_code(&r, "__main__.f");
	rf_thread(&r, 1, "MainThread");
	for (uint64_t i = 0; i < 3; i++) {
		rf_push(&r, 2000000 + 20000 * i, f, 0, VTB_RK_BEGIN);
		rf_push(&r, 2010000 + 20000 * i, f, 0, VTB_RK_END);
	}
	put_bytes(ring, r.buf, r.len);
	ck_assert_int_eq(run_stats(args, &out, &err), 0);
	ck_assert_str_eq(out, csv);
	ck_assert_str_eq(err, "");
	free(out);
	free(err);
	r.h->state = VTB_RING_EXITED;
	put_bytes(ring, r.buf, r.len);
	args[6] = NULL; /* no --count: until the process ends */
	ck_assert_int_eq(run_stats(args, &out, &err), 4);
	ck_assert_str_eq(out, csv);
	ck_assert_str_eq(err, "");
	free(out);
	free(err);
	free(r.buf);
	free(ring);
	free(rings);
	remove_tmpdir();
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *stats_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *cli = tcase_create("cli");

	tcase_add_loop_test(cli, test_cli_table, 0, N(cli_cases));
	tcase_add_test(cli, test_live_ring);
	suite_add_tcase(s, cli);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(stats_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
