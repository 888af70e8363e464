/* Actions to handlers: tui_do runs one action (a key, a mouse wheel, a
 * `:` command's result) through the handler column of TUI_ACTION_LIST. */
#ifndef FAXTOP_TUI_DISPATCH_H
#define FAXTOP_TUI_DISPATCH_H

#include <stdbool.h>

#include "tui/actions.h"

struct tui;

void tui_do(struct tui *t, enum tui_action a);
/* Up, down, page, home, end (and a pane's own Enter) to the screen or the
 * focused pane; false if it was not theirs. */
bool tui_navigate(struct tui *t, enum tui_action a);
/* n/N: the next (or previous) search match in the list. */
void tui_search_jump(struct tui *t, bool forward);

#endif
