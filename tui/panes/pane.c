/* What every pane shares: scrolling within its content. */
#include "config.h"

#include "tui/panes/pane.h"
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
