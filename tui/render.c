#include "config.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/base/sanitize.h"
#include "tui/render.h"
#include "tui/state.h"

/* The visible part of a row segment: inside the window and the clip area.
 * Returns the usable width from x, 0 if none. */
static int clip_width(const struct tui *t, int y, int x, int w)
{
	const struct rect *c = &t->clip;
	int right = t->term.cols;

	if (y < 0 || y >= t->term.rows || x < 0 || x >= t->term.cols)
		return 0;
	if (c->w > 0 || c->h > 0) {
		if (y < c->y || y >= c->y + c->h || x < c->x || x >= c->x + c->w)
			return 0;
		if (c->x + c->w < right)
			right = c->x + c->w;
	}
	return w < right - x ? w : right - x;
}

void render_set_clip(struct tui *t, const struct rect *r)
{
	if (r)
		t->clip = *r;
	else
		t->clip = (struct rect){ 0, 0, 0, 0 };
}

int render_text(struct tui *t, int y, int x, int maxw, enum tui_role role, const char *s)
{
	char buf[2048];
	struct sanitize_opts o = { .utf8 = t->term.utf8, .ellipsis = true };
	int w;

	if (!s)
		return 0;
	maxw = o.max_cols = clip_width(t, y, x, maxw);
	if (maxw <= 0)
		return 0;
	w = sanitize_text(buf, sizeof buf, s, strlen(s), &o);
	attrset((attr_t)t->term.role_attr[role]);
	mvaddstr(y, x, buf);
	return w < 0 ? 0 : w;
}

int render_textf(struct tui *t, int y, int x, int maxw, enum tui_role role, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return render_text(t, y, x, maxw, role, buf);
}

void render_fill(struct tui *t, int y, int x, int w, enum tui_role role)
{
	w = clip_width(t, y, x, w);
	if (w <= 0)
		return;
	attrset((attr_t)t->term.role_attr[role]);
	mvhline(y, x, ' ', w);
}

static void glyph_at(struct tui *t, int y, int x, const char *g)
{
	if (clip_width(t, y, x, 1) == 1)
		mvaddstr(y, x, g);
}

enum tui_role render_border_role(const struct tui *t, bool focused)
{
	if (t->status.environment && strcmp(t->status.environment, "live") == 0)
		return ROLE_BORDER_LIVE;
	return focused ? ROLE_BORDER_FOCUS : ROLE_BORDER;
}

struct rect render_box(struct tui *t, const struct rect *r, const char *title, enum tui_role role)
{
	const struct glyphs *g = t->term.g;
	struct rect in = { r->y + 1, r->x + 1, r->h - 2, r->w - 2 };

	if (r->h < 2 || r->w < 2)
		return (struct rect){ r->y, r->x, 0, 0 };
	attrset((attr_t)t->term.role_attr[role]);
	glyph_at(t, r->y, r->x, g->tl);
	glyph_at(t, r->y, r->x + r->w - 1, g->tr);
	glyph_at(t, r->y + r->h - 1, r->x, g->bl);
	glyph_at(t, r->y + r->h - 1, r->x + r->w - 1, g->br);
	for (int x = r->x + 1; x < r->x + r->w - 1; x++) {
		glyph_at(t, r->y, x, g->h);
		glyph_at(t, r->y + r->h - 1, x, g->h);
	}
	for (int y = r->y + 1; y < r->y + r->h - 1; y++) {
		glyph_at(t, y, r->x, g->v);
		glyph_at(t, y, r->x + r->w - 1, g->v);
	}
	if (title && r->w > 6) {
		int w = render_textf(t, r->y, r->x + 2, r->w - 4,
				     role == ROLE_BORDER ? ROLE_TITLE : role, " %s ", title);
		(void)w;
	}
	return in;
}
