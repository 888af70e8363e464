/* What the panes share: scrolling, and filtering the list from a pane. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tui/panes/pane.h"
#include "tui/session.h"
#include "tui/state.h"

bool pane_scroll_action(struct tui *t, struct pane *p, enum layout_pane slot, enum tui_action a)
{
	int page = t->layout.pane[slot].h > 3 ? t->layout.pane[slot].h - 3 : 1;

	return scroller_action(&p->sc, a, page);
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
