/* Where things go: screen areas for the panes and the fax list's columns.
 * Pure arithmetic, so it is unit-tested without a terminal. Panes collapse
 * by priority when the window is small; nothing is placed outside it. */
#ifndef FAXTOP_TUI_LAYOUT_H
#define FAXTOP_TUI_LAYOUT_H

#include <stdbool.h>

struct rect {
	int y, x, h, w;
};

/* In priority order: the last ones go first when space runs out. */
enum layout_pane { LP_FAXES, LP_ATTEMPTS, LP_BALANCE, LP_CODES, LP_LOG, LP_COUNT };

struct layout {
	struct rect header, footer, body;
	struct rect pane[LP_COUNT];
	bool visible[LP_COUNT];
	bool too_small;  /* not even the list fits: draw a notice only */
	bool wide;       /* list on the left, the rest stacked on the right */
	int banner_rows; /* the header's last rows, for health banners */
};

#define LAYOUT_HEADER_ROWS 2
#define LAYOUT_MIN_COLS    30
#define LAYOUT_MIN_ROWS    8

void layout_compute(int rows, int cols, struct layout *out);
/* Shrinks the attempts pane to `inner` rows (borders apart) when it has
 * more, giving the rows to the list (narrow) or to the pane below it
 * (wide): a fax with 0 or 1 attempts needs 2 rows, not 6. */
void layout_fit_attempts(struct layout *l, int inner);
/* layout_compute with room for `banners` lines under the header, as many as fit
 * while the list keeps its minimum height. */
void layout_compute_banners(int rows, int cols, int banners, struct layout *out);

struct col_spec {
	const char *title;
	int min, pref; /* display columns */
	int prio;      /* 0 = always shown; higher goes first */
	bool flex;     /* shares what is left over */
};

/* Fills widths[i] (0 = hidden) so that the visible columns plus one blank
 * between each fit in `width`. Returns the number of visible columns. */
int layout_columns(const struct col_spec *specs, int n, int width, int *widths);

#endif
