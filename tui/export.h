/* `:export csv|json FILE`: the faxes of the current view, written in the
 * background a slice at a time (an ev_idle watcher), so a million rows never
 * stall the loop. The rows are the view as it was when the export began.
 *
 * An export can destroy nothing: it refuses the store and the files beside
 * it (-wal, -shm, -journal, .lock), a symbolic link, and an existing file
 * unless forced (`:export!`). It writes a hidden temporary file (mode 0600)
 * in the target's directory and moves it into place when complete, so an
 * abandoned export leaves nothing. Every field passes the sanitiser first,
 * in CSV and JSON alike. */
#ifndef FAXTOP_TUI_EXPORT_H
#define FAXTOP_TUI_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct fax;
struct tui;
struct view;

/* Starts an export, or flashes why not (bad format, a refused or unwritable
 * target, one already running). force: replace an existing file. */
void tui_export_start(struct tui *t, const char *fmt, const char *path, bool force);
/* Abandons a running export (the file is left partial and says so in the
 * log). */
void tui_export_stop(struct tui *t);

/* The whole view at once into f; 0 or -1 (errno set). For tests. */
int tui_export_csv(const struct view *v, FILE *f);
int tui_export_json(const struct view *v, FILE *f);

/* Checks an export target: expands ~, refuses the store (store may be NULL)
 * and its companions, a symbolic link, a non-regular file, and an existing
 * file unless force. The expanded path goes to out. 0, or -1 with err. */
int tui_export_check_target(const char *path, const char *store, bool force, char *out,
			    size_t outlen, char *err, size_t errlen);
/* out = a deep copy of src with every string made terminal-safe; fax_done
 * it. 0, or -1 out of memory. */
int tui_export_safe_fax(struct fax *out, const struct fax *src);

#endif
