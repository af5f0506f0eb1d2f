/* SPDX-License-Identifier: MIT */
/* private.h: helpers shared by the files of filters/ (not part of its interface). */
#ifndef VTUI_FILTERS_PRIVATE_H
#define VTUI_FILTERS_PRIVATE_H

#include <stdarg.h>

/* Set *cause (when cause is not NULL) to a malloc'd printf-style message; returns `err`. */
int flt_fail(char **cause, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
