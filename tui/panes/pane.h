/* Panes: each is a const ops table. The main screen draws the panes the
 * layout made visible; the focused pane gets the navigation actions. */
#ifndef FAXTOP_TUI_PANES_PANE_H
#define FAXTOP_TUI_PANES_PANE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model/model.h"
#include "tui/actions.h"
#include "tui/layout.h"
#include "tui/theme.h"

struct tui;

struct pane_ops {
	const char *name;
	void (*draw)(struct tui *t, const struct rect *r, bool focused);
	/* Navigation while focused; false if the action is not the pane's. */
	bool (*action)(struct tui *t, enum tui_action a);
};

extern const struct pane_ops pane_faxes;
extern const struct pane_ops pane_attempts;
extern const struct pane_ops pane_codes;
extern const struct pane_ops pane_balance;
extern const struct pane_ops pane_log;
/* The main screen's panes by layout slot (panes.c). */
const struct pane_ops *tui_pane_ops(enum layout_pane p);

/* The fax list's columns, in order. */
enum faxes_col { COL_SYM, COL_CREATED, COL_ID, COL_TO, COL_STATUS, COL_ATT, COL_PAGES, COL_CODE,
		 COL_TRAIL, COL_AGE, COL_SINCE, COL_TAGS, COL_N };
/* Beyond this an id is cut (head and tail kept). */
#define FAXES_ID_MAX_COLS 40
/* Widths of the list's columns (0: hidden) for an inner width and the
 * widest id in view (display columns); returns the visible count. */
int faxes_columns(int width, int id_cols, int *widths);

/* Generic scrolling of a pane's offset (t->scroll[p]), clamped to the
 * content seen in the last frame. */
bool pane_scroll_action(struct tui *t, enum layout_pane p, enum tui_action a);
/* Moves a selection among n rows (up, down, page, home, end); false if
 * the action is not a move. */
bool pane_move_sel(size_t *sel, size_t n, size_t page, enum tui_action a);
/* Shows the list filtered by "PREFIX FIELD:VALUE" (a flash says which, or
 * why not). */
void pane_filter_list(struct tui *t, const char *prefix, const char *field, const char *value);
/* The first item to show for a wanted offset. */
int pane_clamp_scroll(int want, int items, int rows);

/* The whole-screen parts. */
void header_draw(struct tui *t, const struct rect *r);
void footer_draw(struct tui *t, const struct rect *r);
void detail_draw(struct tui *t, const struct rect *r);
bool detail_action(struct tui *t, enum tui_action a);
void help_draw(struct tui *t, const struct rect *r);
void failures_draw(struct tui *t, const struct rect *r);
bool failures_action(struct tui *t, enum tui_action a);
void failures_open(struct tui *t);
/* Rows of the failures screen (destinations, then codes). */
size_t failures_rows(const struct tui *t);
/* The detail screen of a fax (asks the app to refresh it). */
void detail_open(struct tui *t, const char *fax_id);
bool help_action(struct tui *t, enum tui_action a);
void dialog_draw(struct tui *t);
/* A key while a dialog is open. */
void dialog_key(struct tui *t, int key);
/* Opens the resend dialog for a fax, or flashes why not. */
void dialog_open_resend(struct tui *t, const char *fax_id);
void dialog_open_bulk(struct tui *t);
void dialog_open_quit(struct tui *t);
void dialog_close(struct tui *t);

/* Symbol and role for a fax's state (in flight, retrying, status). */
const char *fax_state_symbol(const struct tui *t, const struct model_fax *mf,
			     const char **word, enum tui_role *role);

#endif
