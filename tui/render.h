/* Drawing primitives. Every piece of text reaches the terminal through
 * render_text(), which passes it through sanitize_text() (control
 * characters, escape sequences, invalid UTF-8 neutralised) and cuts it to
 * the width it was given, so nothing is ever drawn outside its area. */
#ifndef FAXTOP_TUI_RENDER_H
#define FAXTOP_TUI_RENDER_H

#include "tui/layout.h"
#include "tui/theme.h"

struct tui;

/* Draws s at (y, x) in at most maxw columns; returns the columns used. */
int render_text(struct tui *t, int y, int x, int maxw, enum tui_role role, const char *s);
int render_textf(struct tui *t, int y, int x, int maxw, enum tui_role role, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Blanks w columns in the role's style. */
void render_fill(struct tui *t, int y, int x, int w, enum tui_role role);
/* A frame with a title; returns the inner area. */
struct rect render_box(struct tui *t, const struct rect *r, const char *title, enum tui_role role);
enum tui_role render_border_role(const struct tui *t, bool focused);
/* Confines every later draw to r (NULL: the whole window). */
void render_set_clip(struct tui *t, const struct rect *r);

#endif
