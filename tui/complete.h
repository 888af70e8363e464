/* Tab completion in the filter, search and command prompts. */
#ifndef FAXTOP_TUI_COMPLETE_H
#define FAXTOP_TUI_COMPLETE_H

struct tui;

/* Completes the word before the prompt's cursor (see complete.c). */
void tui_complete(struct tui *t);

#endif
