/* The terminal: ncursesw set-up and restore, capabilities (UTF-8, colours),
 * theme roles turned into curses attributes, and the line-drawing glyphs
 * with their ASCII fallback. */
#ifndef FAXTOP_TUI_TERM_H
#define FAXTOP_TUI_TERM_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/theme.h"

struct glyphs {
	const char *h, *v, *tl, *tr, *bl, *br;
	const char *status[8]; /* by enum fax_status (0 = none) */
	const char *retrying, *inflight, *mark, *terminal, *up, *down, *ellipsis;
};

struct tui_term {
	bool active;
	bool utf8;
	bool color; /* colours in use (not NO_COLOR, terminal has them) */
	int ncolors;
	unsigned long role_attr[ROLE_COUNT]; /* attr_t: pair + attributes */
	const struct glyphs *g;
	void *screen; /* SCREEN * */
	int rows, cols;
};

/* Starts curses on the controlling stdin/stdout. -1 with err when they are
 * not a terminal or the terminal type is unknown. */
int term_start(struct tui_term *tm, bool mouse, char *err, size_t errlen);
void term_stop(struct tui_term *tm);
/* Turns the theme into colour pairs and attributes for this terminal. */
void term_apply_theme(struct tui_term *tm, const struct theme *th);
/* Re-reads the window size after SIGWINCH. */
void term_resize(struct tui_term *tm);
/* Sets the window title (xterm-like terminals only). */
void term_set_title(struct tui_term *tm, const char *title);
/* Async-signal-safe restore (raw write of the terminfo strings and the saved
 * termios). */
void term_restore_emergency(void);

#endif
