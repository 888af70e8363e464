/* The pane instances of a session: the main screen's by layout slot and the
 * whole-body screens, each with its ops and its own zeroed state. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/base/xalloc.h"
#include "tui/panes/pane.h"
#include "tui/state.h"

static const struct pane_ops *const main_ops[LP_COUNT] = {
	[LP_FAXES] = &pane_faxes, [LP_ATTEMPTS] = &pane_attempts, [LP_BALANCE] = &pane_balance,
	[LP_CODES] = &pane_codes, [LP_LOG] = &pane_log,
};

static const struct pane_ops *const screen_ops[SCREEN_COUNT] = {
	[SCREEN_DETAIL] = &pane_detail,
	[SCREEN_HELP] = &pane_help,
	[SCREEN_FAILURES] = &pane_failures,
};

static void pane_init(struct pane *p, const struct pane_ops *ops)
{
	memset(p, 0, sizeof *p);
	p->ops = ops;
	if (ops && ops->priv_size)
		p->priv = xcalloc(1, ops->priv_size);
}

static void pane_done(struct pane *p)
{
	if (p->ops && p->ops->done && p->priv)
		p->ops->done(p->priv);
	free(p->priv);
	memset(p, 0, sizeof *p);
}

void tui_panes_init(struct tui *t)
{
	for (int i = 0; i < LP_COUNT; i++)
		pane_init(&t->pane[i], main_ops[i]);
	for (int i = 0; i < SCREEN_COUNT; i++)
		pane_init(&t->screen_pane[i], screen_ops[i]);
}

void tui_panes_done(struct tui *t)
{
	for (int i = 0; i < LP_COUNT; i++)
		pane_done(&t->pane[i]);
	for (int i = 0; i < SCREEN_COUNT; i++)
		pane_done(&t->screen_pane[i]);
}
