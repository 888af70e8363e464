/* The `:` command line: theme NAME, filter EXPR, search EXPR, sort COLUMN
 * [reverse], export csv|json FILE, quit, help. */
#ifndef FAXTOP_TUI_COMMAND_H
#define FAXTOP_TUI_COMMAND_H

struct tui;

void tui_command(struct tui *t, const char *line);

#endif
