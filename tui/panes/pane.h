/* Panes: each is a const ops table. The main screen draws the panes the
 * layout made visible; the focused pane gets the navigation actions. */
#ifndef FAXTOP_TUI_PANES_PANE_H
#define FAXTOP_TUI_PANES_PANE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model/model.h"
#include "tui/actions.h"
#include "tui/panes/instance.h"
#include "tui/layout.h"
#include "tui/theme.h"

struct tui;

/* One kind of pane; its instances (struct pane, instance.h) live in struct
 * tui. The main screen draws the panes the layout made visible and gives the
 * focused one the navigation actions; the detail, help and failures screens
 * are panes that take the whole body. */
struct pane_ops {
	const char *name;
	void (*draw)(struct tui *t, struct pane *p, const struct rect *r, bool focused);
	/* Navigation while focused; false if the action is not the pane's. */
	bool (*action)(struct tui *t, struct pane *p, enum tui_action a);
	size_t priv_size;         /* its own state (struct pane.priv), or 0 */
	void (*done)(void *priv); /* frees what priv holds; may be NULL */
};

extern const struct pane_ops pane_faxes;
extern const struct pane_ops pane_attempts;
extern const struct pane_ops pane_codes;
extern const struct pane_ops pane_balance;
extern const struct pane_ops pane_log;
extern const struct pane_ops pane_detail;
extern const struct pane_ops pane_help;
extern const struct pane_ops pane_failures;

/* panes.c: every instance with its ops and zeroed state, and back. */
void tui_panes_init(struct tui *t);
void tui_panes_done(struct tui *t);

/* The fax list's columns, in order. */
enum faxes_col {
	COL_SYM,
	COL_CREATED,
	COL_ID,
	COL_TO,
	COL_STATUS,
	COL_ATT,
	COL_PAGES,
	COL_CODE,
	COL_TRAIL,
	COL_AGE,
	COL_SINCE,
	COL_TAGS,
	COL_N
};
/* Beyond this an id is cut (head and tail kept). */
#define FAXES_ID_MAX_COLS 40
/* Widths of the list's columns (0: hidden) for an inner width and the
 * widest id in view (display columns); returns the visible count. */
int faxes_columns(int width, int id_cols, int *widths);

/* Scrolling by the focused pane's scroller, one page being the pane's
 * inner height. */
bool pane_scroll_action(struct tui *t, struct pane *p, enum layout_pane slot, enum tui_action a);
/* Shows the list filtered by "PREFIX FIELD:VALUE" (a flash says which, or
 * why not). */
void pane_filter_list(struct tui *t, const char *prefix, const char *field, const char *value);

/* The whole-screen parts. */
void header_draw(struct tui *t, const struct rect *r);
void footer_draw(struct tui *t, const struct rect *r);
/* The detail screen of a fax (asks the app to refresh it). */
void detail_open(struct tui *t, const char *fax_id);
/* Esc on the detail screen: from the raw JSON back to the fields (true),
 * or nothing to do here (false). */
bool detail_back(struct tui *t);
bool detail_showing_raw(const struct tui *t);
void help_open(struct tui *t);
void failures_open(struct tui *t);
void dialog_draw(struct tui *t);
/* A key while a dialog is open. */
void dialog_key(struct tui *t, int key);
/* Opens the resend dialog for a fax, or flashes why not. */
void dialog_open_resend(struct tui *t, const char *fax_id);
void dialog_open_bulk(struct tui *t);
void dialog_open_quit(struct tui *t);
void dialog_close(struct tui *t);

/* Symbol and role for a fax's state (in flight, retrying, status). */
const char *fax_state_symbol(const struct tui *t, const struct model_fax *mf, const char **word,
			     enum tui_role *role);

#endif
