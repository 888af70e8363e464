/* A pane instance: what it is (its ops, panes/pane.h), where it is scrolled
 * to, and its own state. Kept apart from pane.h so that struct tui can hold
 * the instances without depending on the panes' code. */
#ifndef FAXTOP_TUI_PANES_INSTANCE_H
#define FAXTOP_TUI_PANES_INSTANCE_H

#include "tui/widgets/scroller.h"

struct pane_ops;

struct pane {
	const struct pane_ops *ops;
	struct scroller sc;
	void *priv; /* ops->priv_size bytes, zeroed at start; or NULL */
};

#endif
