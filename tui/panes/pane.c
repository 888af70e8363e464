/* What every pane shares: scrolling within its content. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tui/panes/pane.h"
#include "tui/session.h"
#include "tui/state.h"

static bool scroll(struct tui *t, enum layout_pane p, enum tui_action a)
{
	int page = t->layout.pane[p].h > 3 ? t->layout.pane[p].h - 3 : 1;

	switch (a) {
	case ACT_UP:
		t->scroll[p] -= t->scroll[p] > 0;
		return true;
	case ACT_DOWN:
		t->scroll[p]++;
		return true;
	case ACT_PAGE_UP:
		t->scroll[p] = t->scroll[p] > page ? t->scroll[p] - page : 0;
		return true;
	case ACT_PAGE_DOWN:
		t->scroll[p] += page;
		return true;
	case ACT_HOME:
		t->scroll[p] = 0;
		return true;
	case ACT_END:
		t->scroll[p] = 1 << 20;
		return true;
	default:
		return false;
	}
}

bool pane_scroll_action(struct tui *t, enum layout_pane p, enum tui_action a)
{
	if (!scroll(t, p, a))
		return false;
	if (t->scroll[p] > t->scroll_max[p])
		t->scroll[p] = t->scroll_max[p];
	return true;
}

/* Clamps a pane's scroll offset to its content while drawing, so that the
 * stored offset only ever means "this far down". */
int pane_clamp_scroll(int want, int items, int rows)
{
	int max = items > rows ? items - rows : 0;

	return want < 0 ? 0 : want > max ? max : want;
}

bool pane_move_sel(size_t *sel, size_t n, size_t page, enum tui_action a)
{
	switch (a) {
	case ACT_UP:
		*sel -= *sel > 0;
		return true;
	case ACT_DOWN:
		if (*sel + 1 < n)
			(*sel)++;
		return true;
	case ACT_PAGE_UP:
		*sel = *sel > page ? *sel - page : 0;
		return true;
	case ACT_PAGE_DOWN:
		*sel = *sel + page < n ? *sel + page : n ? n - 1 : 0;
		return true;
	case ACT_HOME:
		*sel = 0;
		return true;
	case ACT_END:
		*sel = n ? n - 1 : 0;
		return true;
	default:
		return false;
	}
}

void pane_filter_list(struct tui *t, const char *prefix, const char *field, const char *value)
{
	char expr[160], err[256];

	/* A value the filter language cannot hold is not turned into one. */
	if (!value || !*value || strlen(value) > 64 || strpbrk(value, "\" \t,")) {
		tui_flash(t, true, "this value cannot be used in a filter; type one with /");
		return;
	}
	snprintf(expr, sizeof expr, "%s%s:%s", prefix, field, value);
	if (view_set_filter(&t->view, expr, err, sizeof err) < 0) {
		tui_flash(t, true, "filter: %s", err);
		return;
	}
	t->sel = 0;
	t->focus = LP_FAXES;
	t->screen = SCREEN_MAIN;
	tui_flash(t, false, "filter: %s (Esc clears it)", expr);
}
