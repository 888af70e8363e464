/* Triage in the TUI: see tui/triage.c. */
#ifndef FAXTOP_TUI_TRIAGE_H
#define FAXTOP_TUI_TRIAGE_H

#include <stddef.h>

struct tui;
struct model_fax;

/* The list's status cell: word (the status) plus the failure's state. */
void tui_triage_cell(struct tui *t, const struct model_fax *mf, const char *word, char *buf,
		     size_t len);
/* Unresolved cases, for the header (cached by generation). */
size_t tui_triage_unresolved(struct tui *t);
/* Asks for a note, then dismisses the selected failure's case. */
void tui_triage_dismiss(struct tui *t);
void tui_triage_dismiss_done(struct tui *t, const char *note);
void tui_triage_undismiss(struct tui *t);
void tui_triage_next(struct tui *t);

#endif
