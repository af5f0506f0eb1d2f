/* SPDX-License-Identifier: MIT */
/* private.h: helpers shared by the files of filters/ (not part of its interface). */
#ifndef VTUI_FILTERS_PRIVATE_H
#define VTUI_FILTERS_PRIVATE_H

#include <stdarg.h>

/* Set *cause (when cause is not NULL) to a malloc'd printf-style message; returns `err`. */
int flt_fail(char **cause, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* CPU time one evaluation over many names may take in all. The match limit bounds one
 * name; 40,000 names that each stay just under it took 14.8 s before this. */
#define FLT_EVAL_BUDGET_NS (3ull * 1000 * 1000 * 1000)

struct flt_budget {
	uint64_t start_ns;
};

void flt_budget_start(struct flt_budget *b);
/* 0, or FLT_E_LIMIT with *cause once the evaluation has used its CPU time; checks the clock
 * every 64 names (`done` of `count`). */
int flt_budget_check(const struct flt_budget *b, size_t done, size_t count, char **cause);

#endif
