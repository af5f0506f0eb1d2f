/* SPDX-License-Identifier: MIT */
/* test_tui_textfilters.c: `filter` and `hide` on a call's own text (arg:, ret:, exc:) in
 * the viewer, without a terminal: the exact calls each leaves visible on a small shop
 * trace, with name filters, flattening and min-duration beside them, drawn undimmed when
 * kept, the errors of fields that select no call, and presets that save and load them. */
#define _GNU_SOURCE /* mkdtemp */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/tui_fixtures.h"
#include "tui/filter_view.h"

/* main [0, 1000) us > three lookups, each > db.get:
 *   lookup  [100, 300)  sku='sku-1'   returns 10      db.get [120, 200) key='p:sku-1'
 *   lookup  [400, 600)  sku='sku-13'  raises KeyError  db.get [420, 500) key='p:sku-13', returns None
 *                                     (the exception instant at 550, in lookup after db.get)
 *   lookup  [700, 900)  sku='sku-2'   returns 20      db.get [720, 800) key='p:sku-2'
 *                                     (logger shop's WARNING "slow lookup of sku-2" at 850)
 * and report [950, 990) with no text. */
static int shop(vtb_writer *w)
{
	int64_t m = vtb_writer_string(w, "main", "shop.py", 1), look = vtb_writer_string(w, "shop.lookup", "shop.py", 10);
	int64_t get = vtb_writer_string(w, "db.get", "db.py", 5), rep = vtb_writer_string(w, "shop.report", "shop.py", 30);
	int64_t exc = vtb_writer_string(w, "KeyError", "", 0), shoplog = vtb_writer_string(w, "shop", "", 0);
	static const char *const skus[] = { "sku-1", "sku-13", "sku-2" }, *const rets[] = { "10", NULL, "20" };
	char text[64];

	FX_TRY(vtb_writer_thread(w, 100, 1000, "MainThread"));
	FX_TRY(m | look | get | rep | exc | shoplog);
	FX_TRY(vtb_writer_begin(w, 0, FX_US(0), (uint32_t)m, 0));
	for (int i = 0; i < 3; i++) {
		uint64_t at = 100 + (uint64_t)i * 300;

		FX_TRY(vtb_writer_begin(w, 0, FX_US(at), (uint32_t)look, 0));
		snprintf(text, sizeof(text), "sku='%s'", skus[i]);
		FX_TRY(vtb_writer_args(w, 0, text));
		FX_TRY(vtb_writer_begin(w, 0, FX_US(at + 20), (uint32_t)get, 0));
		snprintf(text, sizeof(text), "key='p:%s'", skus[i]);
		FX_TRY(vtb_writer_args(w, 0, text));
		FX_TRY(vtb_writer_end(w, 0, FX_US(at + 100), 0));
		if (i == 2)
			FX_TRY(vtb_writer_log(w, 0, FX_US(at + 150), 30, (uint32_t)shoplog, "slow lookup of sku-2"));
		if (i == 1) {
			FX_TRY(vtb_writer_retval(w, 0, "None"));
			FX_TRY(vtb_writer_instant(w, 0, FX_US(at + 150), (uint32_t)exc, "'sku-13'"));
		}
		FX_TRY(vtb_writer_end(w, 0, FX_US(at + 200), rets[i] ? 0 : VTB_CALL_EXCEPTION));
		if (rets[i])
			FX_TRY(vtb_writer_retval(w, 0, rets[i]));
	}
	FX_TRY(fx_call(w, 0, 950, 990, rep));
	return vtb_writer_end(w, 0, FX_US(1000), 0);
}

static tui_app *open_shop(void)
{
	vtb_header h;
	vtb_writer *w;
	char *cause = NULL;
	vtb_trace *t;

	fx_header("simple", &h);
	h.reason = VTB_REASON_SIGNAL;
	h.reason_text = "SIGUSR1";
	h.dump_ns = FX_US(1000);
	w = vtb_writer_open_mem(&h);
	ck_assert_int_eq(shop(w), 0);
	t = fx_load_mem(w, 0, &cause);
	vtb_writer_free(w);
	ck_assert_msg(t != NULL, "%s", cause ? cause : "?");
	return fx_app(t, "shop.vtb");
}

/* The visible calls, in depth then start order: "name@start_us" joined by blanks. */
static char *visible(tui_app *app)
{
	static char out[1024];
	const vtb_thread *th = tui_model_thread(&app->model, 0);

	out[0] = '\0';
	for (uint32_t d = 0; d < th->depth_count; d++)
		for (size_t i = 0; i < th->rows[d].count; i++) {
			const vtb_slice *s = &th->rows[d].slices[i];

			if (tui_fview_visible(app, 0, d, i))
				snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s@%llu", *out ? " " : "",
					 tui_model_name(&app->model, s->name_id),
					 (unsigned long long)((s->start_ns - FX_T0) / 1000));
		}
	return out;
}

static const struct {
	const char *cmds[4];
	const char *shown;
} cases[] = {
	{ { NULL }, "main@0 shop.lookup@100 shop.lookup@400 shop.lookup@700 shop.report@950 db.get@120 db.get@420 db.get@720" },
	/* hide: the call whose own arguments match goes with its subtree */
	{ { "hide arg:sku-13", NULL }, "main@0 shop.lookup@100 shop.lookup@700 shop.report@950 db.get@120 db.get@720" },
	/* db.get's key 'p:sku-13' matches too: only it goes */
	{ { "hide arg:p:sku-13", NULL },
	  "main@0 shop.lookup@100 shop.lookup@400 shop.lookup@700 shop.report@950 db.get@120 db.get@720" },
	{ { "hide arg:'sku-1'", NULL },
	  "main@0 shop.lookup@400 shop.lookup@700 shop.report@950 db.get@420 db.get@720" },
	{ { "hide ret:^20$", NULL }, "main@0 shop.lookup@100 shop.lookup@400 shop.report@950 db.get@120 db.get@420" },
	{ { "hide ret:None", NULL },
	  "main@0 shop.lookup@100 shop.lookup@400 shop.lookup@700 shop.report@950 db.get@120 db.get@720" },
	/* the call the exception began in (the innermost around its instant) */
	{ { "hide exc:KeyError", NULL }, "main@0 shop.lookup@100 shop.lookup@700 shop.report@950 db.get@120 db.get@720" },
	{ { "hide exc:sku-13", NULL }, "main@0 shop.lookup@100 shop.lookup@700 shop.report@950 db.get@120 db.get@720" },
	/* show only: the matches and the stack above them */
	{ { "filter arg:sku-13", NULL }, "main@0 shop.lookup@400 db.get@420" },
	{ { "filter arg:^sku=", NULL }, "main@0 shop.lookup@100 shop.lookup@400 shop.lookup@700" },
	{ { "filter ret:.", NULL }, "main@0 shop.lookup@100 shop.lookup@400 shop.lookup@700 db.get@420" },
	{ { "filter exc:KeyError", NULL }, "main@0 shop.lookup@400" },
	{ { "filter exc:ValueError", NULL }, "" },
	/* the call a log record or an instant was made in (not its callers' own) */
	{ { "filter log:^slow", NULL }, "main@0 shop.lookup@700" },
	{ { "hide log:sku-2", NULL }, "main@0 shop.lookup@100 shop.lookup@400 shop.report@950 db.get@120 db.get@420" },
	{ { "filter mark:^KeyError$", NULL }, "main@0 shop.lookup@400" },
	{ { "hide mark:shop", NULL }, "main@0 shop.lookup@100 shop.lookup@400 shop.report@950 db.get@120 db.get@420" },
	{ { "filter log:timeout", NULL }, "" },
	/* several: includes add up, hides take away */
	{ { "filter ret:^10$", "filter exc:.", NULL }, "main@0 shop.lookup@100 shop.lookup@400" },
	{ { "filter ^db\\.get$", "hide arg:sku-13", NULL }, "main@0 shop.lookup@100 shop.lookup@700 db.get@120 db.get@720" },
	{ { "filter arg:sku", "hide ret:^20$", NULL },
	  "main@0 shop.lookup@100 shop.lookup@400 db.get@120 db.get@420" },
	{ { "filter report", "filter ret:^20$", NULL }, "main@0 shop.lookup@700 shop.report@950" },
	/* with flattening: the texts stay with their calls */
	{ { "flatten ^shop\\.lookup$", "hide arg:sku-13", NULL }, "main@0 db.get@120 db.get@720 shop.report@950" },
	{ { "hide arg:sku-13", "min-duration 100us", NULL }, "main@0 shop.lookup@100 shop.lookup@700" },
};

START_TEST(text_filters_exact)
{
	tui_app *app = open_shop();

	for (int i = 0; cases[_i].cmds[i]; i++)
		fx_run(app, cases[_i].cmds[i]);
	ck_assert_str_eq(visible(app), cases[_i].shown);
	tui_app_free(app);
}
END_TEST

/* The status line says the filter as typed, the message counts what is shown, a kept call
 * is drawn undimmed and the stack above it dim, and clear-filters shows everything again. */
START_TEST(text_filter_status_and_paint)
{
	tui_app *app = open_shop();
	const vtb_thread *th = tui_model_thread(&app->model, 0);
	uint16_t style = TUI_STYLE_DEFAULT, attr = 0;
	char *status;

	fx_run(app, "filter arg:sku-13");
	ck_assert_str_eq(tui_app_message(app), "3 of 8 calls shown");
	status = fx_line_of(app, 120, 24, -1);
	ck_assert_has(status, "[filter arg:sku-13]");
	free(status);
	tui_fview_paint(app, &th->rows[1].slices[1], &style, &attr); /* lookup@400: a match */
	ck_assert_int_eq(style, TUI_STYLE_DEFAULT);
	tui_fview_paint(app, &th->rows[0].slices[0], &style, &attr); /* main: above it */
	ck_assert_int_eq(style, TUI_STYLE_DIM);
	fx_run(app, "clear-filters");
	ck_assert_str_eq(visible(app), cases[0].shown);
	tui_app_free(app);
}
END_TEST

/* A field that selects no call is refused with the fields that do; the filters stay. */
START_TEST(text_filter_errors)
{
	tui_app *app = open_shop();
	static const struct {
		const char *cmd, *msg;
	} bad[] = {
		{ "hide-file log:x", "hide-file: 'log:' is a search field; hide-file matches files (filters unchanged)" },
		{ "flatten mark:tick", "flatten: 'mark:' selects calls one by one; flatten takes frames by name: or file:" },
		{ "flatten arg:sku", "flatten: 'arg:' selects calls one by one; flatten takes frames by name: or file:" },
		{ "hide-file ret:x", "hide-file: 'ret:' is a search field; hide-file matches files" },
		{ "hide arg:(", "hide: bad pattern '(': missing closing parenthesis" },
		{ "filter exc:", "filter: missing pattern" },
	};

	fx_run(app, "hide ret:^20$");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(tui_app_exec(app, bad[i].cmd), -1);
		ck_assert_has(tui_app_message(app), bad[i].msg);
		ck_assert_str_eq(visible(app), cases[4].shown);
	}
	tui_app_free(app);
}
END_TEST

static char tmpdir[] = "/tmp/vtui-textfilters-XXXXXX";

static void tmp_setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void tmp_teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	strcpy(tmpdir, "/tmp/vtui-textfilters-XXXXXX");
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text;

	ck_assert_ptr_nonnull(f);
	text = fx_slurp(f);
	fclose(f);
	return text;
}

/* save-preset writes the text filters as commands; a fresh viewer reads them back and
 * shows the same calls; a file written before text filters existed still loads. */
START_TEST(text_filter_presets)
{
	char path[300], *file, *cause = NULL;
	tui_app *app = open_shop();
	FILE *f;

	snprintf(path, sizeof(path), "%s/p.json", tmpdir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{ \"presets\": { \"old\": { \"commands\": [\"hide ^db\\\\.\"], \"flatten\": [\"^shop\\\\.lookup$\"] } } }\n", f);
	fclose(f);
	ck_assert_int_eq(tui_app_open_presets(app, path, &cause), 0);
	fx_run(app, "filter arg:sku");
	fx_run(app, "hide ret:^20$");
	fx_run(app, "hide exc:KeyError");
	ck_assert_str_eq(visible(app), "main@0 shop.lookup@100 db.get@120");
	fx_run(app, "save-preset mine");
	tui_app_free(app);
	file = slurp(path);
	ck_assert_has(file, "\"filter arg:sku\"");
	ck_assert_has(file, "\"hide ret:^20$\"");
	ck_assert_has(file, "\"hide exc:KeyError\"");
	free(file);
	app = open_shop();
	ck_assert_int_eq(tui_app_open_presets(app, path, &cause), 0);
	fx_run(app, "preset mine");
	ck_assert_str_eq(visible(app), "main@0 shop.lookup@100 db.get@120");
	fx_run(app, "clear-filters");
	fx_run(app, "preset old");
	ck_assert_str_eq(visible(app), "main@0 shop.report@950");
	tui_app_free(app);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tui_textfilters");
	TCase *tc = tcase_create("text");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, text_filters_exact, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, text_filter_status_and_paint);
	tcase_add_test(tc, text_filter_errors);
	suite_add_tcase(s, tc);
	tc = tcase_create("presets");
	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, text_filter_presets);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
