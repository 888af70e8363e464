#include "config.h"

#include <string.h>

#include "tui/actions.h"

static const struct {
	const char *name;
	bool mutates;
	const char *help;
} actions[] = {
#define X(e, n, m, fn, h) [e] = { n, m, h },
	TUI_ACTION_LIST(X)
#undef X
};

const char *action_name(enum tui_action a)
{
	return (unsigned)a < ACT_COUNT ? actions[a].name : "";
}

const char *action_help(enum tui_action a)
{
	return (unsigned)a < ACT_COUNT ? actions[a].help : "";
}

bool action_mutates(enum tui_action a)
{
	return (unsigned)a < ACT_COUNT && actions[a].mutates;
}

int action_from_name(const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < ACT_COUNT; i++)
		if (strcmp(actions[i].name, name) == 0)
			return i;
	return -1;
}
