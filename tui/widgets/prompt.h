/* A one-line text editor for the filter, search and command prompts and
 * the dialogs' fields. Works on UTF-8, never splits a character. */
#ifndef FAXTOP_TUI_WIDGETS_PROMPT_H
#define FAXTOP_TUI_WIDGETS_PROMPT_H

#include <stdbool.h>
#include <stddef.h>

#define PROMPT_MAX     512
#define PROMPT_HISTORY 50

/* Earlier entries of one prompt (filters, searches, commands), oldest first. */
struct prompt_history {
	char *items[PROMPT_HISTORY];
	size_t n;
};

struct prompt {
	char buf[PROMPT_MAX];
	size_t len, cur; /* bytes */
	/* Pre-filled text the first typed character replaces (any editing or
	 * moving key keeps it instead). */
	bool fresh;
	/* Up and Down walk this history (NULL: none); pos == n is the text
	 * being typed, kept in draft meanwhile. */
	const struct prompt_history *hist;
	size_t hist_pos;
	char draft[PROMPT_MAX];
};

enum prompt_result { PROMPT_CONTINUE, PROMPT_DONE, PROMPT_CANCEL, PROMPT_IGNORED };

void prompt_set(struct prompt *p, const char *text);
/* Opens with `text` pre-filled (replaced by the first typed character) and
 * Up/Down over `hist` (may be NULL). */
void prompt_open(struct prompt *p, const char *text, const struct prompt_history *hist);
/* Remembers an entry (not an empty one, nor a repeat of the newest). */
void prompt_history_add(struct prompt_history *h, const char *text);
void prompt_history_free(struct prompt_history *h);
/* Tab: completes the word before the cursor from `cands` (whole words).
 * One match is completed (a space follows unless it ends in ':'); several
 * are completed to their longest common prefix. A leading '!' of the word
 * is kept. Returns the number of matches. */
size_t prompt_complete(struct prompt *p, const char *const *cands, size_t n);
/* The word before the cursor (from the last space), without a leading '!'. */
const char *prompt_word(const struct prompt *p, size_t *len);
/* Keys as in keymap.h. Enter gives DONE, Esc CANCEL; a key the editor does
 * not use gives IGNORED (a dialog may take it, e.g. Tab). */
enum prompt_result prompt_key(struct prompt *p, int key);

#endif
