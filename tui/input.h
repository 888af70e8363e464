/* Input: keys and mouse from the terminal, through the keymap, to actions.
 * Actions change state and mark the screen dirty; they never draw. */
#ifndef FAXTOP_TUI_INPUT_H
#define FAXTOP_TUI_INPUT_H

#include <ev.h>

#include "tui/actions.h"

struct tui;

void tui_on_input(struct ev_loop *loop, ev_io *w, int revents);
/* One key (keymap.h key space), as if typed. */
void tui_key(struct tui *t, int key);

#endif
