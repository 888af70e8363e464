/* Session services: what every part of the TUI may call and nothing in it
 * calls back up from. The flash line, the clock, the next-tick request, the
 * marks, the set of resends in flight, whether an action is available, the
 * quit request and the list's selection. The panes, the dialogs, the
 * command line and the input dispatcher sit above this; tui.c (lifecycle
 * and frame) sits on top. */
#ifndef FAXTOP_TUI_SESSION_H
#define FAXTOP_TUI_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tui/actions.h"

struct tui;
struct model_fax;

/* Now, from the injectable clock the TUI was given (the system's if none). */
int64_t tui_now_ms(const struct tui *t);
void tui_flash(struct tui *t, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Records the soonest moment (ms from now) something displayed will change. */
void tui_need_tick(struct tui *t, int64_t in_ms);

bool tui_is_marked(const struct tui *t, const char *id);
void tui_toggle_mark(struct tui *t, const char *id);
void tui_clear_marks(struct tui *t);

bool tui_is_inflight(const struct tui *t, const char *id);
size_t tui_n_inflight(const struct tui *t);

/* Why an action cannot run now, or NULL if it can. */
const char *tui_action_unavailable(const struct tui *t, enum tui_action a);
/* Stops reading keys and asks the app to quit (once). */
void tui_request_quit(struct tui *t);

/* Brings the view and the selection up to date (actions typed in one burst
 * must see what the previous one changed). */
void tui_sync_view(struct tui *t);
/* The selection alone, after the layout moved (no view rebuild). */
void tui_sync_selection(struct tui *t);
/* The list's selected fax (or the detail screen's), and moving the selection. */
const struct model_fax *tui_selected(const struct tui *t);
void tui_select(struct tui *t, size_t row);

#endif
