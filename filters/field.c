/* SPDX-License-Identifier: MIT */
/* field.c: the field prefix of a search or filter pattern ("file:", "arg:", ...) and the
 * smartcase rule. */
#include "filters/filters.h"

#include <string.h>

static const char *const field_names[FLT_FIELD_COUNT] = {
	[FLT_FIELD_ANY] = "", [FLT_FIELD_NAME] = "name", [FLT_FIELD_FILE] = "file",
	[FLT_FIELD_ARG] = "arg", [FLT_FIELD_RET] = "ret", [FLT_FIELD_LOG] = "log",
	[FLT_FIELD_EXC] = "exc", [FLT_FIELD_MARK] = "mark",
};

enum flt_field flt_field_split(const char *pattern, const char **rest)
{
	for (int f = FLT_FIELD_NAME; f < FLT_FIELD_COUNT; f++) {
		size_t n = strlen(field_names[f]);

		if (strncmp(pattern, field_names[f], n) == 0 && pattern[n] == ':') {
			*rest = pattern + n + 1;
			return (enum flt_field)f;
		}
	}
	*rest = pattern;
	return FLT_FIELD_ANY;
}

const char *flt_field_name(enum flt_field f)
{
	return (unsigned)f < FLT_FIELD_COUNT ? field_names[f] : "";
}

/* A letter after a backslash is syntax (\S, \W, \D, \p{Lu}, \x{41}), not text to match. */
int flt_smartcase(const char *pattern)
{
	for (const char *p = pattern; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			if ((*p == 'p' || *p == 'P' || *p == 'x' || *p == 'N') && p[1] == '{') {
				const char *close = strchr(p, '}');

				p = close ? close : p;
			}
			continue;
		}
		if (*p >= 'A' && *p <= 'Z')
			return 0;
	}
	return 1;
}
