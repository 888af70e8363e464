/* A window over lines that do not all fit: the offset of the first line
 * shown, moved by the navigation actions and held within what the last
 * frame drew. Every scrolling pane and screen uses one. */
#ifndef FAXTOP_TUI_WIDGETS_SCROLLER_H
#define FAXTOP_TUI_WIDGETS_SCROLLER_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/actions.h"

struct scroller {
	int off; /* the first line shown */
	int max; /* the furthest Down and PgDn go, from the last frame */
	int end; /* where End goes (usually max) */
};

/* Up, Down, PgUp, PgDn (by page lines), Home, End; the offset stays within
 * 0..max. false when the action is not a move. */
bool scroller_action(struct scroller *sc, enum tui_action a, int page);
/* After drawing: `n` lines of content in `rows`; max and end become the
 * offset that shows the last line at the bottom. */
void scroller_set_extent(struct scroller *sc, int n, int rows);
/* Moves the offset just enough for `line` to be among the `rows` shown. */
void scroller_show(struct scroller *sc, int line, int rows);
/* The first line to show for a wanted offset. */
int scroller_clamp(int want, int n, int rows);

/* Moves a selection among n rows (up, down, page, home, end); false if
 * the action is not a move. */
bool scroller_move_sel(size_t *sel, size_t n, size_t page, enum tui_action a);

#endif
