/* SPDX-License-Identifier: MIT */
/* convert.h: `vtui convert IN -o OUT`, between VTB files and Chrome trace event JSON.
 * Private to tui/: tui/main.c dispatches the subcommand here.
 */
#ifndef VTUI_CONVERT_H
#define VTUI_CONVERT_H

/* Run the subcommand; argv[0] is "convert". Returns the process exit status: 0 done,
 * 1 the conversion failed (the reason is on stderr), 2 a usage error. */
int vtui_convert_main(int argc, char **argv);

#endif
