/* The `:` command line: theme NAME, filter EXPR, search EXPR, sort COLUMN
 * [reverse], export csv|json FILE, quit, help. */
#ifndef FAXTOP_TUI_COMMAND_H
#define FAXTOP_TUI_COMMAND_H

#include <stdio.h>

struct tui;
struct view;

void tui_command(struct tui *t, const char *line);
/* Writes the view's faxes to f; 0 or -1 (errno set). Exposed for tests. */
int tui_export_csv(const struct view *v, FILE *f);
int tui_export_json(const struct view *v, FILE *f);

#endif
