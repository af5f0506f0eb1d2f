/* SPDX-License-Identifier: MIT */
/* man-commands: rewrite the list of commands in a man page (man/vtui.1) from the viewer's
 * command tables (tui/cmd-*.c), between the page's marker lines. `make man-commands` runs
 * it; test_tui fails while the checked-in page and the tables differ.
 * Usage: man-commands PAGE. Exit status 0 (the page said so already, or now does), 1 on
 * an error. */
#include "tui/tui_private.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	char *cause = NULL;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: man-commands PAGE\n");
		return 1;
	}
	rc = tui_cmd_man_update(argv[1], 1, &cause);
	if (rc < 0)
		fprintf(stderr, "man-commands: %s\n", cause ? cause : "out of memory");
	else
		printf("%s: %s\n", argv[1], rc ? "commands rewritten from the tables" : "commands up to date");
	free(cause);
	return rc < 0;
}
