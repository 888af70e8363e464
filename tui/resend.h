/* Resends in flight: single ones from the dialog and paced bulk runs.
 * Each request carries a small record as its done_ctx; the records outlive
 * the TUI if the app answers after tui_free(), so a late answer is safe. */
#ifndef FAXTOP_TUI_RESEND_H
#define FAXTOP_TUI_RESEND_H

#include <stdbool.h>
#include <stddef.h>

struct tui;

struct resend_req;

/* Through the app's resend action (core/api/resend.h). 0 if started, -1 with err. */
int tui_resend_start(struct tui *t, const struct resend_req *req, bool bulk, char *err,
		     size_t errlen);
/* Takes ownership of ids (malloc'd array of malloc'd strings) and again
 * (malloc'd, per id: resend although it was resent already). */
void tui_bulk_start(struct tui *t, char **ids, bool *again, size_t n);
/* Pause toggles (a paused run starts nothing new); cancel drops the rest. */
void tui_bulk_pause(struct tui *t);
void tui_bulk_cancel(struct tui *t);
/* Not started yet, of a running bulk. */
size_t tui_bulk_remaining(const struct tui *t);
/* Stops the bulk run and detaches every in-flight record from t. */
void tui_resend_shutdown(struct tui *t);

#endif
