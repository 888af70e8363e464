/* Resends in flight: single ones from the dialog and paced bulk runs.
 * Each request carries a small record as its done_ctx; the records outlive
 * the TUI if the app answers after tui_free(), so a late answer is safe. */
#ifndef FAXTOP_TUI_RESEND_H
#define FAXTOP_TUI_RESEND_H

#include <stdbool.h>
#include <stddef.h>

struct tui;

/* to NULL: same number; max 0: same. 0 if started, -1 with err. */
int tui_resend_start(struct tui *t, const char *fax_id, const char *to, int max_attempts,
		     const char *idem_key, bool bulk, char *err, size_t errlen);
/* Takes ownership of ids (malloc'd array of malloc'd strings). */
void tui_bulk_start(struct tui *t, char **ids, size_t n);
/* Stops the bulk run and detaches every in-flight record from t. */
void tui_resend_shutdown(struct tui *t);
void tui_new_idem_key(struct tui *t, const char *fax_id, char *buf, size_t len);

#endif
