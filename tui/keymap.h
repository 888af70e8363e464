/* Keys to actions. The defaults are written in the same `bind KEY ACTION`
 * language as the config file's bind lines and parsed by the same code.
 *
 * A key is an int: a Unicode code point for characters (control characters
 * included: C-l is 12, Enter is '\n', Esc is 27, Tab is 9), or
 * TUI_KEY_FN(curses KEY_*) for function keys, so the two ranges never meet. */
#ifndef FAXTOP_TUI_KEYMAP_H
#define FAXTOP_TUI_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/actions.h"

#define TUI_KEY_FN_BASE 0x200000
#define TUI_KEY_FN(k)   (TUI_KEY_FN_BASE + (k))
#define TUI_KEY_ENTER   '\n'
#define TUI_KEY_ESC     27

struct keymap;

/* Key names: a single character ("r", "?", "é"), "C-x", "Space", "Enter",
 * "Esc", "Tab", "S-Tab", "Backspace", "Up", "Down", "Left", "Right", "PgUp",
 * "PgDn", "Home", "End", "Insert", "Delete", "F1".."F12". 0 or -1. */
int keymap_key_parse(const char *name, int *key);
/* The canonical name of a key (for help); "?" for something unnameable. */
void keymap_key_name(int key, char *buf, size_t len);
/* Folds what curses reports into the key space above (CR and KEY_ENTER to
 * Enter, DEL and ^H to Backspace). `is_fn` is get_wch's KEY_CODE_YES. */
int keymap_key_from_curses(int ch, bool is_fn);

struct keymap *keymap_new(void);
void keymap_free(struct keymap *km);
/* Loads the built-in bindings (written as bind lines). */
int keymap_load_defaults(struct keymap *km, char *err, size_t errlen);
/* One binding. `where` names its origin ("default", "file:line").
 * -1 with err for an unknown key or action. A key already bound elsewhere
 * by a non-default line to another action is a conflict: the new binding
 * wins and a message is queued (keymap_message_at). */
int keymap_bind(struct keymap *km, const char *key, const char *action, const char *where,
		char *err, size_t errlen);
/* A whole line: "bind KEY ACTION", blank or "#" comment. Same errors. */
int keymap_parse_line(struct keymap *km, const char *line, const char *where, char *err,
		      size_t errlen);

/* The screens' action for a key (ACT_NONE if unbound). */
enum tui_action keymap_lookup(const struct keymap *km, int key);
/* The action a key means in a mode (a dialog's keys). */
enum tui_action keymap_lookup_mode(const struct keymap *km, enum tui_mode mode, int key);
/* Comma-separated names of the keys bound to `a` ("" if none). Returns the
 * number of keys. */
size_t keymap_keys_for(const struct keymap *km, enum tui_action a, char *buf, size_t len);

/* Conflicts and overrides found while binding, oldest first. */
/* Queues a message of the caller's (a config bind line that was refused),
 * shown with the conflicts in the help screen. */
void keymap_add_message(struct keymap *km, const char *msg);
size_t keymap_message_count(const struct keymap *km);
const char *keymap_message_at(const struct keymap *km, size_t idx);

#endif
