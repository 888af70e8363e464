/* The main screen's panes, by the layout's slots. */
#include "config.h"

#include "tui/panes/pane.h"

static const struct pane_ops *const panes[LP_COUNT] = {
	[LP_FAXES] = &pane_faxes,
	[LP_ATTEMPTS] = &pane_attempts,
	[LP_BALANCE] = &pane_balance,
	[LP_CODES] = &pane_codes,
	[LP_LOG] = &pane_log,
};

const struct pane_ops *tui_pane_ops(enum layout_pane p)
{
	return (unsigned)p < LP_COUNT ? panes[p] : NULL;
}
