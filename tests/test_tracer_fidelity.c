/* SPDX-License-Identifier: MIT */
/* test_tracer_fidelity.c: every call recorded, whichever way CPython makes it. A tracer
 * started after the program has warmed up meets call sites that the specializer (3.11+)
 * has rewritten; some of those (3.13's CALL_ALLOC_AND_ENTER_INIT) enter Python code without
 * the frame-evaluation hook. tests/programs/late_start.py runs each kind of call under
 * cProfile, then warmed up and under vtrace; the counts must agree exactly. */
#include "tests/tracer_fixtures.h"

#define MAX_FUNCS 64

/* One scenario's calls per function (file and first line), as cProfile counted them. */
struct want {
	char scenario[64];
	char file[PATH_MAX];
	unsigned line, calls;
};

/* The slices of the function at (file, line); with `w`, those of `file` that no entry of
 * w (nw of them) names. */
struct place {
	const char *file;
	unsigned line;
	const struct want *w;
	size_t nw;
};

static int at_place(const vtb_trace *t, const vtb_thread *th, const vtb_slice *sl, void *ctx)
{
	(void)th;
	const struct place *p = ctx;
	const vtb_string *s = vtb_trace_string(t, sl->name_id);
	if (!p->w)
		return s->line == p->line && strcmp(s->file, p->file) == 0;
	int known = strcmp(s->file, p->file) != 0;
	for (size_t j = 0; !known && j < p->nw; j++)
		known = p->w[j].line == s->line && strcmp(p->w[j].file, s->file) == 0;
	return !known;
}

static size_t count_at(const vtb_trace *t, const char *file, unsigned line)
{
	struct place p = { file, line, NULL, 0 };
	return each_slice(t, NULL, at_place, &p);
}

static size_t count_unexpected(const vtb_trace *t, const char *file, const struct want *w, size_t nw)
{
	struct place p = { file, 0, w, nw };
	return each_slice(t, NULL, at_place, &p);
}

static size_t read_wants(struct want *w, size_t cap)
{
	char *txt = read_file("prof.txt"), *save = NULL;
	size_t n = 0;
	for (char *l = strtok_r(txt, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		ck_assert_uint_lt(n, cap);
		ck_assert_msg(sscanf(l, "%63[^\t]\t%4095[^\t]\t%u\t%u", w[n].scenario, w[n].file,
				     &w[n].line, &w[n].calls) == 4, "bad line: %s", l);
		n++;
	}
	free(txt);
	return n;
}

/* Each scenario's dump holds exactly the calls cProfile counted, function by function. */
START_TEST(test_late_start_counts)
{
	char prog[PATH_MAX];
	ck_assert_msg(realpath("tests/programs/late_start.py", prog) != NULL,
		      "run from the source tree: tests/programs/late_start.py not found");
	ck_assert_int_eq(run_py(NULL, "prof.txt", "err.txt", "'%s' t", prog), 0);
	static struct want w[MAX_FUNCS * 4];
	size_t nw = read_wants(w, sizeof w / sizeof *w), scenarios = 0, inits = 0;
	for (size_t i = 0; i < nw; i++) {
		if (i > 0 && strcmp(w[i].scenario, w[i - 1].scenario) == 0)
			continue;
		scenarios++;
		char name[128];
		snprintf(name, sizeof name, "t-%.63s.bin", w[i].scenario);
		vtb_trace *t = load(name);
		size_t j;
		for (j = i; j < nw && strcmp(w[j].scenario, w[i].scenario) == 0; j++) {
			size_t got = count_at(t, w[j].file, w[j].line);
			ck_assert_msg(got == w[j].calls, "%s: %s:%u: cProfile %u calls, vtrace %zu",
				      w[i].scenario, w[j].file, w[j].line, w[j].calls, got);
			inits += strcmp(w[i].scenario, "init") == 0 && got == 1000;
		}
		ck_assert_msg(count_unexpected(t, prog, w + i, j - i) == 0,
			      "%s: vtrace recorded functions cProfile did not see", w[i].scenario);
		ck_assert_uint_eq(vtb_trace_header(t)->events_dropped, 0);
		vtb_trace_free(t);
	}
	ck_assert_uint_eq(scenarios, 17); /* every step_ function of the program */
	ck_assert_uint_eq(inits, 2); /* step_init and Plain.__init__, 1000 each */
}
END_TEST

/* An __init__ not called by make() or fail(). */
static int init_misplaced(const vtb_trace *t, const vtb_thread *th, const vtb_slice *s, void *ctx)
{
	(void)ctx;
	const char *n = name_of(t, s);
	size_t len = strlen(n);
	if (len < 8 || strcmp(n + len - 8, "__init__") != 0)
		return 0;
	const vtb_slice *p = parent_of(th, s);
	return !p || (strcmp(name_of(t, p), "__main__.make") != 0 && strcmp(name_of(t, p), "__main__.fail") != 0);
}

/* An __init__ running when recording starts ends unrecorded, as the hook's frames do; one
 * that raises on the first step after a warm-up is recorded once, with its exception, and
 * the calls around it nest as they ran. */
START_TEST(test_init_running_at_start)
{
	write_program("prog.py", "tracer_fidelity/init_running_at_start.py");
	ck_assert_int_eq(run_py(NULL, NULL, NULL, "prog.py"), 0);
	vtb_trace *t = load("t.bin");
	/* Names lack the class before 3.11: A's calls are those without an exception. */
	ck_assert_uint_eq(count_affix(t, "__main__.", "__init__", 0), 21);
	ck_assert_uint_eq(count_affix(t, "__main__.", "__init__", VTB_CALL_EXCEPTION), 10);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.make"), 11);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.fail"), 10);
	ck_assert_uint_eq(each_slice(t, NULL, init_misplaced, NULL), 0);
	vtb_trace_free(t);
}
END_TEST

/* The __init__ calls (named module.__init__ before 3.11) whose first line is `line`; in
 * `with_data` those with arguments "self=..., n=N" and the return value None attached. */
struct init_at {
	unsigned line;
	size_t with_data;
};

static int is_init_at(const vtb_trace *t, const vtb_thread *th, const vtb_slice *sl, void *ctx)
{
	struct init_at *c = ctx;
	const vtb_string *s = vtb_trace_string(t, sl->name_id);
	size_t len = strlen(s->name);
	if (s->line != c->line || len < 8 || strcmp(s->name + len - 8, "__init__") != 0)
		return 0;
	const vtb_attachment *a =
		vtb_thread_attachment(th, sl->depth, (uint32_t)(sl - th->rows[sl->depth].slices));
	c->with_data += a && a->args && strncmp(a->args, "self=", 5) == 0 && strstr(a->args, ", n=") &&
			a->retval && strcmp(a->retval, "None") == 0;
	return 1;
}

static size_t inits_at(const vtb_trace *t, unsigned line, size_t *with_data)
{
	struct init_at c = { line, 0 };
	size_t n = each_slice(t, NULL, is_init_at, &c);
	*with_data = c.with_data;
	return n;
}

/* The run's options apply to an __init__ entered past the hook as to any call: arguments
 * and return values, the depth limit, @vtrace.ignore (neither it nor its callees) and
 * @vtrace.sparse (it, not its callees). */
START_TEST(test_init_options_after_warm_up)
{
	write_program("prog.py", "tracer_fidelity/init_options_after_warm_up.py");
	ck_assert_int_eq(run_py(NULL, NULL, "err.txt", "prog.py data"), 0);
	ck_assert_int_eq(run_py(NULL, NULL, "err.txt", "prog.py depth"), 0);
	size_t data;
	vtb_trace *t = load("data.bin");
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.make"), 3);
	ck_assert_uint_eq(inits_at(t, 3, &data), 3);
	ck_assert_uint_eq(data, 3);
	ck_assert_uint_eq(inits_at(t, 8, &data), 0); /* a decorated function starts at its decorator */
	ck_assert_uint_eq(inits_at(t, 12, &data), 3);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.helper"), 3); /* A's only */
	ck_assert_uint_eq(each_slice(t, NULL, init_misplaced, NULL), 0);
	vtb_trace_free(t);
	t = load("depth.bin");
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.make"), 3);
	ck_assert_uint_eq(inits_at(t, 3, &data), 3);
	ck_assert_uint_eq(inits_at(t, 12, &data), 3);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.helper"), 0); /* depth 2 */
	vtb_trace_free(t);
}
END_TEST

/* A tracer stopped inside an ignored __init__ (its end is never seen) leaves the thread
 * recording for the next one, at the right depth. */
START_TEST(test_stop_inside_ignored_init)
{
	write_program("prog.py", "tracer_fidelity/stop_inside_ignored_init.py");
	ck_assert_int_eq(run_py(NULL, NULL, "err.txt", "prog.py"), 0);
	vtb_trace *t = load("two.bin");
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.helper"), 1);
	vtb_trace_free(t);
}
END_TEST

/* Classes made after the start, each with an __init__ of its own, first called at a site
 * specialized for another class: 3.13 respecializes such a site for the class at hand every
 * so often, at that class's first call. */
START_TEST(test_new_classes_at_a_warm_site)
{
	write_program("prog.py", "tracer_fidelity/new_classes_at_a_warm_site.py");
	ck_assert_int_eq(run_py(NULL, NULL, "err.txt", "prog.py"), 0);
	vtb_trace *t = load("t.bin");
	ck_assert_uint_eq(count_affix(t, "", "__init__", 0), 200);
	ck_assert_uint_eq(count_calls(t, NULL, "__main__.make"), 200);
	vtb_trace_free(t);
}
END_TEST

static int named_keep(const vtb_trace *t, const vtb_thread *th, const vtb_slice *sl, void *ctx)
{
	const vtb_slice **found = ctx;
	if (!named(t, th, sl, (void *)"__main__.nap"))
		return 0;
	*found = sl;
	return 1;
}

/* The clock pairs the dump's rate comes from (a monotonic time and the TSC) are read as one
 * even when the thread is preempted between the two readings: under a library that stalls
 * one of the tracer's monotonic readings (tests/shims/clock_stall.c), the first, second, ...
 * in turn, a 0.2 s nap lasts at least 0.2 s and no longer than the wall-clock bracket around
 * it. Before, the rate came from single readings, and a stalled one skewed every time of
 * the dump (a 0.1 s asyncio sleep measured 96.8 ms on a loaded machine). */
START_TEST(test_clock_under_preemption)
{
	const char *build = getenv("VTUI_BUILD"), *asan = getenv("VTRACE_TEST_PRELOAD");
	char shim[PATH_MAX + 32], so[PATH_MAX];
	static char env[3 * PATH_MAX];

	/* absolute: the program runs in the test's directory */
	snprintf(shim, sizeof shim, "%s/tests/clock_stall.so", build && *build ? build : "build");
	ck_assert_msg(realpath(shim, so) != NULL, "%s: not built (make tests)", shim);
	write_program("prog.py", "tracer_fidelity/clock_under_preemption.py");
	for (int nth = 0; nth < 6; nth++) {
		snprintf(env, sizeof env, "LD_PRELOAD='%s %s' VTRACE_TEST_CLOCK_STALL=50000:%d ", asan ? asan : "", so, nth);
		extra_env = env;
		ck_assert_int_eq(run_py(NULL, "out.txt", "err.txt", "-m vtrace -q -o t.bin prog.py"), 0);
		char *out = read_file("out.txt");
		unsigned long long bracket = strtoull(out, NULL, 10);
		vtb_trace *t = load("t.bin");
		const vtb_slice *nap = NULL;
		ck_assert_uint_eq(each_slice(t, NULL, named_keep, &nap), 1);
		ck_assert_msg(nap->dur_ns >= 200000000u && nap->dur_ns <= bracket + 1000,
			      "reading %d stalled: nap %llu ns, wall-clock bracket %llu ns", nth,
			      (unsigned long long)nap->dur_ns, bracket);
		vtb_trace_free(t);
		free(out);
	}
	extra_env = "";
}
END_TEST

static Suite *fidelity_suite(void)
{
	Suite *s = suite_create("tracer_fidelity");
	const struct tf_case cases[] = {
		{ "late_start_counts", test_late_start_counts },
		{ "init_running_at_start", test_init_running_at_start },
		{ "init_options_after_warm_up", test_init_options_after_warm_up },
		{ "stop_inside_ignored_init", test_stop_inside_ignored_init },
		{ "new_classes_at_a_warm_site", test_new_classes_at_a_warm_site },
		{ "clock_under_preemption", test_clock_under_preemption },
	};
	tf_add_cases(s, cases, sizeof cases / sizeof *cases, 240);
	return s;
}

int main(void)
{
	return tf_run(fidelity_suite());
}
