/* SPDX-License-Identifier: MIT */
/* json_load.h: the importer's state, shared by json_import.c (the walk and the report),
 * json_load.c (interning and the state's helpers), json_events.c (one JSON event to
 * records) and json_build.c (records to the model).
 * Not a public header.
 */
#ifndef VTUI_JSON_LOAD_H
#define VTUI_JSON_LOAD_H

#include "common/json_private.h"

#include <stdarg.h>

/* An interned name: `raw` as the JSON has it, `name`/`file`/`line` as the model has it. */
struct jstr {
	char *raw, *name, *file;
	uint64_t hash;
	uint32_t line;
	uint8_t split;      /* split as a function name ("qualname (file:line)") */
	uint8_t has_file;   /* the split found a file */
	int64_t wid;        /* the writer's id */
};

/* A call with both ends known (ph X, or a matched B/E pair). */
struct jcall {
	uint64_t start_ns, end_ns;
	uint32_t name, flags, seq;
	uint64_t args, ret; /* text references, 0 for none */
};

/* Half of a B/E pair, matched in json_build.c. */
struct jbe {
	uint64_t ts_ns;
	uint64_t args, ret;
	uint32_t name, flags, seq;
	uint8_t is_end;
};

/* The call of sequence number `seq` is a step of asyncio task `id` named `name` (a text
 * reference): kept beside the calls, which most traces have without steps. */
struct jtask {
	uint64_t id, name;
	uint32_t seq;
};

enum jmark_kind { JM_INSTANT, JM_OBJECT, JM_LOG, JM_COUNTER };

/* An instant, object snapshot, log record or counter sample. */
struct jmark {
	uint64_t ts_ns;
	uint64_t data;      /* a text reference; a counter's value as f64 bits */
	uint32_t name;      /* instant/object/counter name, logger */
	uint32_t aux;       /* counter series; log level */
	uint32_t seq;
	uint8_t kind;       /* enum jmark_kind */
};

struct jthread {
	uint32_t pid;
	uint64_t tid;
	char *name;
	struct jcall *calls;
	size_t ncall, callcap;
	struct jbe *bes;
	size_t nbe, becap;
	struct jmark *marks;
	size_t nmark, markcap;
	struct jtask *tasks;        /* in file order, so by seq */
	size_t ntask, taskcap;
	uint64_t first_ns, last_ns;
	int64_t wid;
	uint32_t porder;    /* its process's index in jimp.procs */
};

struct jproc {
	uint32_t pid;
	char *name;
};

struct jimp {
	const char *path;
	struct jstr *strs;
	size_t nstr, strcap, shcap;
	uint32_t *shash;
	struct jthread *th;
	size_t nth, thcap, thcap_hash;
	uint32_t *thash;
	struct jproc *procs;
	size_t nproc, proccap, phcap;
	uint32_t *phash;
	struct vtb_buf text;        /* NUL-terminated texts */
	struct vtb_buf scratch;     /* rendering one event's texts */
	uint32_t seq;               /* events in file order */
	uint64_t min_ns, max_ns;

	/* what the file says about itself */
	int overflow;
	int have_base;
	int64_t base_ns;            /* viztracer_metadata.baseTimeNanoseconds */
	char *version;
	int have_hdr;               /* a vtb_header member (written by vtb_json_export) */
	vtb_header hdr;
	char *hdr_cmdline, *hdr_python, *hdr_reason_text;
	uint64_t ts_offset_ns;      /* added to every timestamp (vtb_header.ts_offset_ns) */

	/* what went wrong */
	size_t events, invalid, unknown_total, unknown[128];
	size_t e_unmatched, b_unclosed, clamped, too_deep, no_ids, bad_samples, texts_cut, bad_tasks;
	char *first_invalid;
	char *partial;
};

/* json_load.c */
int64_t jimp_intern(struct jimp *im, const char *raw, int split);
struct jthread *jimp_thread(struct jimp *im, uint32_t pid, uint64_t tid);
struct jproc *jimp_process(struct jimp *im, uint32_t pid);
int jimp_text_ref(struct jimp *im, const struct vtb_buf *b, uint64_t *ref);
const char *jimp_text(const struct jimp *im, uint64_t ref);
void jthread_free(struct jthread *t);
/* Free everything the state holds (not `im` itself). */
void jimp_free(struct jimp *im);

/* json_events.c */
int jimp_event(void *ctx, const cJSON *ev, uint64_t offset);
int jimp_viztracer_meta(struct jimp *im, const cJSON *v);
int jimp_vtb_header(struct jimp *im, const cJSON *v);

/* json_build.c: the model from the records; NULL with *cause on failure. */
vtb_trace *jimp_build(struct jimp *im, char **cause);

#endif
