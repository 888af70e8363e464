/* The `:` command line. One table names every command with its usage and
 * the function that runs it (or the action it stands for); the help screen, Tab completion and the
 * "unknown command" message are all made from it. A command does its own
 * work (a theme, a filter, an export) or names an action for the caller to
 * run (quit, help, failures): it never calls the dispatcher itself. */
#ifndef FAXTOP_TUI_COMMAND_H
#define FAXTOP_TUI_COMMAND_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/actions.h"

struct tui;

struct tui_cmd {
	const char *name;
	const char *usage; /* "theme NAME"; NULL: an alias ("q"), not listed */
	/* rest: what follows the name, leading blanks skipped ("" if none);
	 * bang: the name was typed with a '!'. Returns the action to run,
	 * ACT_NONE when done. */
	enum tui_action (*fn)(struct tui *t, char *rest, bool bang);
	/* With no fn: the action the command stands for (quit, help). */
	enum tui_action action;
};

/* The commands in the order help lists them (aliases included). */
size_t tui_cmd_count(void);
const struct tui_cmd *tui_cmd_at(size_t i);
/* Every usage joined by sep ("theme NAME | filter EXPR | ..."). */
void tui_cmd_usages(const char *sep, char *buf, size_t len);

/* Runs one line; returns the action it asks for (ACT_NONE: none). */
enum tui_action tui_command(struct tui *t, const char *line);

#endif
