/* `:export csv|json FILE`: the faxes of the current view, written in the
 * background a slice at a time (an ev_idle watcher), so a million rows never
 * stall the loop. The rows are the view as it was when the export began. */
#ifndef FAXTOP_TUI_EXPORT_H
#define FAXTOP_TUI_EXPORT_H

#include <stdio.h>

struct tui;
struct view;

/* Starts an export, or flashes why not (bad format, file error, one
 * already running). */
void tui_export_start(struct tui *t, const char *fmt, const char *path);
/* Abandons a running export (the file is left partial and says so in the
 * log). */
void tui_export_stop(struct tui *t);

/* The whole view at once into f; 0 or -1 (errno set). For tests. */
int tui_export_csv(const struct view *v, FILE *f);
int tui_export_json(const struct view *v, FILE *f);

#endif
