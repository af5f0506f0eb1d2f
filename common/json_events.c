/* SPDX-License-Identifier: MIT */
/* json_events.c: one Chrome trace event to the importer's records.
 *
 * Phases mapped: X (complete), B/E (begin/end), i/I (instant; VizTracer's logging
 * handler writes "logging - <message>" instants, which become log records), C (counter:
 * each args key a series), N/O/D (object created, snapshot, deleted), M (process and
 * thread names). The async slices vtui writes for asyncio task steps (ph b/e, category
 * JSON_TASK_CAT) are passed over: the step's call event says it. Every other phase is
 * counted and skipped. An event with a missing or
 * wrongly typed field is counted and skipped with the first one's offset kept for the
 * notes; none stops the import.
 */
#include "common/json_load.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define KNOWN_FLAGS (VTB_CALL_ENTRY_LOST | VTB_CALL_OPEN | VTB_CALL_EXCEPTION | VTB_CALL_C | \
		     VTB_CALL_SPAN | VTB_CALL_GC | VTB_CALL_DAMAGED)

/* What every phase needs: the event, where it was, and its common fields. */
struct jev {
	struct jimp *im;
	const cJSON *ev;
	const cJSON *ph, *name_item, *pid, *tid, *ts, *dur, *args, *cat, *flags, *task; /* first of each key */
	uint64_t off;
	const char *name;
	struct jthread *th;
	uint64_t ts_ns;
};

static int invalid(struct jev *e, const char *why)
{
	struct jimp *im = e->im;

	im->invalid++;
	if (!im->first_invalid)
		im->first_invalid = vtb_fmt("event at byte %llu %s", (unsigned long long)e->off, why);
	return 0;
}

/* 1 and *out: a number (or a string holding one); 0: absent or null; -1: another type. */
static int num_of(const cJSON *v, double *out)
{
	char *end;

	if (!v || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsNumber(v)) {
		*out = v->valuedouble;
		return 1;
	}
	if (!cJSON_IsString(v) || !*v->valuestring)
		return -1;
	*out = strtod(v->valuestring, &end);
	return *end ? -1 : 1;
}

static int get_num(const cJSON *o, const char *key, double *out)
{
	return num_of(cJSON_GetObjectItemCaseSensitive(o, key), out);
}

static const char *get_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Microseconds to nanoseconds, rounded to the nearest; -1 when not a sane time. */
static int us_to_ns(double us, uint64_t *ns)
{
	if (!isfinite(us) || us < 0 || us > 9.0e15)
		return -1;
	*ns = (uint64_t)llround(us * 1000.0);
	return 0;
}

static int get_id(const cJSON *v, double max, uint64_t *out, int *missing)
{
	double d;
	int r = num_of(v, &d);

	if (r == 0) {
		*missing = 1;
		return 0;
	}
	if (r < 0 || d < 0 || d > max || d != floor(d))
		return -1;
	*out = (uint64_t)d;
	return 0;
}

/* pid, tid, thread; ts unless `no_ts`. Nonzero when the event is invalid (counted).
 * Counters, instants and metadata may be per process and lack a tid: they go to the
 * thread whose tid is the pid, without a note. */
static int common_fields(struct jev *e, int no_ts, int tid_expected)
{
	uint64_t pid = 0, tid = 0;
	int no_pid = 0, no_tid = 0;
	double ts;

	if (get_id(e->pid, UINT32_MAX, &pid, &no_pid) || get_id(e->tid, 9.0e18, &tid, &no_tid))
		return invalid(e, "has a pid or tid that is not a non-negative integer"), 1;
	if (no_tid)
		tid = pid;
	if (no_pid || (no_tid && tid_expected))
		e->im->no_ids++;
	if (!no_ts) {
		int r = num_of(e->ts, &ts);
		if (r <= 0 || us_to_ns(ts, &e->ts_ns))
			return invalid(e, r ? "has a ts that is not a time in microseconds" : "has no ts"), 1;
	}
	e->th = jimp_thread(e->im, (uint32_t)pid, tid);
	return e->th ? 0 : VTB_E_NOMEM;
}

static void seen(struct jev *e, uint64_t from, uint64_t to)
{
	struct jimp *im = e->im;

	if (from < e->th->first_ns)
		e->th->first_ns = from;
	if (to > e->th->last_ns)
		e->th->last_ns = to;
	if (from < im->min_ns)
		im->min_ns = from;
	if (to > im->max_ns)
		im->max_ns = to;
}

/* Render `v` (skipping `skip` keys) into the pool; *ref stays 0 when `v` is absent. */
static int text_of(struct jimp *im, const cJSON *v, const char *const *skip, uint64_t *ref)
{
	if (!v || cJSON_IsNull(v))
		return 0;
	im->scratch.len = 0;
	if (jt_render(v, skip, &im->scratch))
		return VTB_E_NOMEM;
	return jimp_text_ref(im, &im->scratch, ref);
}

/* A call's args: func_args first, then any other key but return_value. */
static int call_texts(struct jimp *im, const cJSON *args, uint64_t *a, uint64_t *r)
{
	static const char *const skip[] = { "func_args", "return_value", NULL };
	const cJSON *fa = cJSON_GetObjectItemCaseSensitive(args, "func_args");

	*a = *r = 0;
	if (!cJSON_IsObject(args))
		return text_of(im, args, NULL, a);
	im->scratch.len = 0;
	if ((fa && jt_render(fa, NULL, &im->scratch)) || jt_render(args, skip, &im->scratch))
		return VTB_E_NOMEM;
	if ((fa || im->scratch.len) && jimp_text_ref(im, &im->scratch, a))
		return VTB_E_NOMEM;
	return text_of(im, cJSON_GetObjectItemCaseSensitive(args, "return_value"), NULL, r);
}

static uint32_t call_flags(struct jev *e, uint32_t name)
{
	double f;
	const char *cat = cJSON_IsString(e->cat) ? e->cat->valuestring : NULL;

	if (num_of(e->flags, &f) == 1 && f >= 0 && f <= 0xffff)
		return (uint32_t)f & KNOWN_FLAGS;
	/* VizTracer files C functions ("builtins.len") under FEE with no file. */
	return cat && !strcmp(cat, "FEE") && !e->im->strs[name].has_file ? VTB_CALL_C : 0;
}

/* The call's JSON_TASK_KEY, when it has one: it is a step of that task. One that is not
 * {"id": "<number>", "name": "<text>"} is counted, and the call kept as a plain call. */
static int call_task(struct jev *e, uint32_t seq)
{
	const char *name = get_str(e->task, "name"), *id = get_str(e->task, "id");
	struct jthread *t = e->th;
	struct jtask k = { .seq = seq };
	char *end;

	if (!e->task)
		return 0;
	if (!name || !id || *id < '0' || *id > '9' || (k.id = strtoull(id, &end, 10), *end)) {
		e->im->bad_tasks++;
		return 0;
	}
	e->im->scratch.len = 0;
	if (vtb_buf_put(&e->im->scratch, name, strlen(name)) || jimp_text_ref(e->im, &e->im->scratch, &k.name) ||
	    vtb_grow((void **)&t->tasks, &t->taskcap, t->ntask + 1, sizeof(*t->tasks)))
		return VTB_E_NOMEM;
	t->tasks[t->ntask++] = k;
	return 0;
}

static int ev_complete(struct jev *e)
{
	double dur;
	uint64_t dur_ns;
	struct jcall c = { 0 };

	int r = num_of(e->dur, &dur);
	if (r <= 0 || us_to_ns(dur, &dur_ns) || dur_ns > UINT64_MAX / 2 - e->ts_ns)
		return invalid(e, r ? "(X) has a dur that is not a duration" : "(X) has no dur");
	int64_t name = jimp_intern(e->im, e->name, 1);
	if (name < 0 || call_texts(e->im, e->args, &c.args, &c.ret))
		return VTB_E_NOMEM;
	c.start_ns = e->ts_ns;
	c.end_ns = e->ts_ns + dur_ns;
	c.name = (uint32_t)name;
	c.flags = call_flags(e, c.name);
	c.seq = e->im->seq++;
	struct jthread *t = e->th;
	if (call_task(e, c.seq) || vtb_grow((void **)&t->calls, &t->callcap, t->ncall + 1, sizeof(*t->calls)))
		return VTB_E_NOMEM;
	t->calls[t->ncall++] = c;
	seen(e, c.start_ns, c.end_ns);
	return 0;
}

static int ev_begin_end(struct jev *e, int is_end)
{
	struct jbe b = { .ts_ns = e->ts_ns, .is_end = (uint8_t)is_end };
	const cJSON *args = e->args;

	if (!is_end) {
		if (!e->name)
			return invalid(e, "(B) has no name");
		int64_t name = jimp_intern(e->im, e->name, 1);
		if (name < 0)
			return VTB_E_NOMEM;
		b.name = (uint32_t)name;
		b.flags = call_flags(e, b.name);
	}
	if (call_texts(e->im, args, &b.args, &b.ret))
		return VTB_E_NOMEM;
	b.seq = e->im->seq++;
	struct jthread *t = e->th;
	if (vtb_grow((void **)&t->bes, &t->becap, t->nbe + 1, sizeof(*t->bes)))
		return VTB_E_NOMEM;
	t->bes[t->nbe++] = b;
	seen(e, e->ts_ns, e->ts_ns);
	return 0;
}

static int add_mark(struct jev *e, struct jmark m)
{
	struct jthread *t = e->th;

	m.ts_ns = e->ts_ns;
	m.seq = e->im->seq++;
	if (vtb_grow((void **)&t->marks, &t->markcap, t->nmark + 1, sizeof(*t->marks)))
		return VTB_E_NOMEM;
	t->marks[t->nmark++] = m;
	seen(e, e->ts_ns, e->ts_ns);
	return 0;
}

/* "logging - <message>": args.level and args.logger when vtui wrote it, else unknown. */
static int ev_log(struct jev *e, const cJSON *args)
{
	struct jimp *im = e->im;
	struct jmark m = { .kind = JM_LOG };
	const char *logger = get_str(args, "logger");
	double level;

	if (get_num(args, "level", &level) == 1 && level >= 0 && level <= 1000)
		m.aux = (uint32_t)level;
	int64_t id = jimp_intern(im, logger ? logger : "logging", 0);
	im->scratch.len = 0;
	const char *msg = e->name + strlen(JSON_LOG_PREFIX);
	if (id < 0 || vtb_buf_put(&im->scratch, msg, strlen(msg)) || jimp_text_ref(im, &im->scratch, &m.data))
		return VTB_E_NOMEM;
	m.name = (uint32_t)id;
	return add_mark(e, m);
}

static int ev_instant(struct jev *e)
{
	const cJSON *args = e->args;
	const cJSON *only = cJSON_IsObject(args) ? args->child : NULL;
	struct jmark m = { .kind = JM_INSTANT };

	if (!strncmp(e->name, JSON_LOG_PREFIX, strlen(JSON_LOG_PREFIX)))
		return ev_log(e, args);
	int64_t id = jimp_intern(e->im, e->name, 0);
	if (id < 0)
		return VTB_E_NOMEM;
	m.name = (uint32_t)id;
	if (only && !only->next && !strcmp(only->string, JSON_TEXT_KEY) && cJSON_IsString(only))
		args = only;
	if (text_of(e->im, args, NULL, &m.data))
		return VTB_E_NOMEM;
	return add_mark(e, m);
}

static int ev_counter(struct jev *e)
{
	const cJSON *args = e->args;
	struct jmark m = { .kind = JM_COUNTER };

	if (!cJSON_IsObject(args))
		return invalid(e, "(C) has no args object");
	int64_t id = jimp_intern(e->im, e->name, 0);
	if (id < 0)
		return VTB_E_NOMEM;
	m.name = (uint32_t)id;
	for (const cJSON *c = args->child; c; c = c->next) {
		double v;
		if (!c->string || num_of(c, &v) != 1) {
			e->im->bad_samples++;
			continue;
		}
		int64_t series = jimp_intern(e->im, c->string, 0);
		if (series < 0)
			return VTB_E_NOMEM;
		m.aux = (uint32_t)series;
		memcpy(&m.data, &v, sizeof(v));
		if (add_mark(e, m))
			return VTB_E_NOMEM;
	}
	return 0;
}

/* N, O, D: a snapshot's text; creation and deletion say so when they carry none. */
static int ev_object(struct jev *e, char ph)
{
	const cJSON *args = e->args;
	const cJSON *snap = cJSON_GetObjectItemCaseSensitive(args, "snapshot");
	struct jmark m = { .kind = JM_OBJECT };
	int64_t id = jimp_intern(e->im, e->name, 0);

	if (id < 0)
		return VTB_E_NOMEM;
	m.name = (uint32_t)id;
	if (snap || ph == 'O') {
		if (text_of(e->im, snap ? snap : args, NULL, &m.data))
			return VTB_E_NOMEM;
	} else {
		e->im->scratch.len = 0;
		const char *what = ph == 'N' ? "(created)" : "(deleted)";
		if (vtb_buf_put(&e->im->scratch, what, strlen(what)) ||
		    jimp_text_ref(e->im, &e->im->scratch, &m.data))
			return VTB_E_NOMEM;
	}
	return add_mark(e, m);
}

static char *dup_name(const cJSON *args, int *bad)
{
	const char *n = get_str(args, "name");
	char *s = n ? strdup(n) : NULL;

	*bad = !n;
	return s;
}

static int ev_meta(struct jev *e)
{
	const cJSON *args = e->args;
	int proc = !strcmp(e->name, "process_name"), bad;

	if (!proc && strcmp(e->name, "thread_name"))
		return 0; /* sort indexes, labels: nothing the model keeps */
	char *name = dup_name(args, &bad);
	if (bad)
		return invalid(e, "(M) has no args.name string");
	if (!name)
		return VTB_E_NOMEM;
	char **slot;
	if (proc) {
		struct jproc *p = jimp_process(e->im, e->th->pid);
		slot = p ? &p->name : NULL;
	} else {
		slot = &e->th->name;
	}
	if (!slot) {
		free(name);
		return VTB_E_NOMEM;
	}
	free(*slot);
	*slot = name;
	return 0;
}

static int dispatch(struct jev *e, char ph)
{
	if (ph != 'M' && ph != 'E' && !e->name)
		return invalid(e, "has no name");
	switch (ph) {
	case 'X': return ev_complete(e);
	case 'B': return ev_begin_end(e, 0);
	case 'E': return ev_begin_end(e, 1);
	case 'i': case 'I': return ev_instant(e);
	case 'C': return ev_counter(e);
	case 'N': case 'O': case 'D': return ev_object(e, ph);
	case 'M': return e->name ? ev_meta(e) : invalid(e, "(M) has no name");
	default: return 0;
	}
}

/* One pass over the event's keys (cJSON looks keys up one by one otherwise); the first
 * of a repeated key wins, as with cJSON_GetObjectItem. */
static void collect(struct jev *e)
{
	static const struct { const char *key; size_t at; } keys[] = {
		{ "ph", offsetof(struct jev, ph) }, { "name", offsetof(struct jev, name_item) },
		{ "pid", offsetof(struct jev, pid) }, { "tid", offsetof(struct jev, tid) },
		{ "ts", offsetof(struct jev, ts) }, { "dur", offsetof(struct jev, dur) },
		{ "args", offsetof(struct jev, args) }, { "cat", offsetof(struct jev, cat) },
		{ "vtb_flags", offsetof(struct jev, flags) }, { JSON_TASK_KEY, offsetof(struct jev, task) },
	};

	for (const cJSON *c = e->ev->child; c; c = c->next) {
		for (size_t k = 0; c->string && k < sizeof(keys) / sizeof(keys[0]); k++) {
			const cJSON **slot = (const cJSON **)((char *)e + keys[k].at);
			if (!*slot && c->string[0] == keys[k].key[0] && !strcmp(c->string, keys[k].key)) {
				*slot = c;
				break;
			}
		}
	}
}

int jimp_event(void *ctx, const cJSON *ev, uint64_t offset)
{
	struct jimp *im = ctx;
	struct jev e = { .im = im, .ev = ev, .off = offset };

	im->events++;
	if (!cJSON_IsObject(ev))
		return invalid(&e, "is not an object");
	collect(&e);
	const char *ph = cJSON_IsString(e.ph) ? e.ph->valuestring : NULL;
	if (!ph || !ph[0] || ph[1])
		return invalid(&e, ph ? "has a ph that is not one letter"
				 : e.ph ? "has a ph that is not a string" : "has no ph");
	if (strchr("be", ph[0]) && cJSON_IsString(e.cat) && !strcmp(e.cat->valuestring, JSON_TASK_CAT))
		return 0; /* a task step's slice on its track: the call's JSON_TASK_KEY says it */
	if (!strchr("XBEiICNODM", ph[0])) {
		im->unknown_total++;
		im->unknown[(unsigned char)ph[0] & 127]++;
		return 0;
	}
	e.name = cJSON_IsString(e.name_item) ? e.name_item->valuestring : NULL;
	if (e.name_item && !e.name)
		return invalid(&e, "has a name that is not a string");
	int rc = common_fields(&e, ph[0] == 'M', strchr("XBE", ph[0]) != NULL);
	if (rc)
		return rc > 0 ? 0 : rc;
	if (im->seq >= UINT32_MAX - 1024)
		return invalid(&e, "is beyond the 4 billion events an import holds");
	return dispatch(&e, ph[0]);
}

/* ---- top-level members ---- */

int jimp_viztracer_meta(struct jimp *im, const cJSON *v)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(v, "overflow");
	const char *ver = get_str(v, "version");
	double base;

	if (cJSON_IsTrue(o))
		im->overflow = 1;
	if (get_num(v, "baseTimeNanoseconds", &base) == 1 && isfinite(base) && fabs(base) < 9.2e18) {
		im->have_base = 1;
		im->base_ns = (int64_t)base;
	}
	if (ver && !im->version && !(im->version = strdup(ver)))
		return VTB_E_NOMEM;
	return 0;
}

/* An unsigned integer written as a decimal string (exact) or a number. */
static int get_u64(const cJSON *o, const char *key, uint64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	char *end;

	if (cJSON_IsString(v) && v->valuestring[0] >= '0' && v->valuestring[0] <= '9') {
		unsigned long long x = strtoull(v->valuestring, &end, 10);
		if (!*end)
			*out = x;
	} else if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1.8e19) {
		*out = (uint64_t)v->valuedouble;
	}
	return 0;
}

static int dup_member(const cJSON *o, const char *key, char **out)
{
	const char *s = get_str(o, key);

	if (!s)
		return 0;
	free(*out);
	*out = strdup(s);
	return *out ? 0 : VTB_E_NOMEM;
}

/* What vtb_json_export keeps of the VTB header, so a round trip loses none of it. */
int jimp_vtb_header(struct jimp *im, const cJSON *v)
{
	vtb_header *h = &im->hdr;
	uint64_t x;

	if (!cJSON_IsObject(v))
		return 0;
	im->have_hdr = 1;
	x = h->pid, get_u64(v, "pid", &x), h->pid = (uint32_t)x;
	x = h->ppid, get_u64(v, "ppid", &x), h->ppid = (uint32_t)x;
	x = h->reason, get_u64(v, "reason", &x), h->reason = x < VTB_REASON_COUNT ? (uint32_t)x : VTB_REASON_IMPORT;
	x = h->wrapped, get_u64(v, "wrapped", &x), h->wrapped = x != 0;
	get_u64(v, "start_wall_ns", &h->start_wall_ns);
	get_u64(v, "start_mono_ns", &h->start_mono_ns);
	get_u64(v, "window_start_ns", &h->window_start_ns);
	get_u64(v, "dump_ns", &h->dump_ns);
	get_u64(v, "ring_capacity", &h->ring_capacity);
	get_u64(v, "events_dropped", &h->events_dropped);
	get_u64(v, "ts_offset_ns", &im->ts_offset_ns);
	if (im->ts_offset_ns > (1ull << 63)) /* with times up to 9e18 ns, the sum stays in 64 bits */
		im->ts_offset_ns = 0;
	if (dup_member(v, "cmdline", &im->hdr_cmdline) || dup_member(v, "python_version", &im->hdr_python) ||
	    dup_member(v, "reason_text", &im->hdr_reason_text))
		return VTB_E_NOMEM;
	return 0;
}
