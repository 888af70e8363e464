/* A one-line text editor for the filter, search and command prompts and
 * the dialogs' fields. Works on UTF-8, never splits a character. */
#ifndef FAXTOP_TUI_WIDGETS_PROMPT_H
#define FAXTOP_TUI_WIDGETS_PROMPT_H

#include <stddef.h>

#define PROMPT_MAX 512

struct prompt {
	char buf[PROMPT_MAX];
	size_t len, cur;          /* bytes */
};

enum prompt_result { PROMPT_CONTINUE, PROMPT_DONE, PROMPT_CANCEL, PROMPT_IGNORED };

void prompt_set(struct prompt *p, const char *text);
/* Keys as in keymap.h. Enter gives DONE, Esc CANCEL; a key the editor does
 * not use gives IGNORED (a dialog may take it, e.g. Tab). */
enum prompt_result prompt_key(struct prompt *p, int key);

#endif
