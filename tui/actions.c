#include "config.h"

#include <string.h>

#include "tui/actions.h"

static const struct {
	const char *name;
	bool mutates;
	enum tui_mode mode;
	const char *help;
} actions[ACT_ALL_COUNT] = {
#define X(e, n, m, fn, h) [e] = { n, m, MODE_MAIN, h },
	TUI_ACTION_LIST(X)
#undef X
#define X(e, mode, n, h) [e] = { n, false, mode, h },
		TUI_DIALOG_ACTION_LIST(X)
#undef X
};

static bool valid(enum tui_action a)
{
	return (unsigned)a < ACT_ALL_COUNT && actions[a].name;
}

const char *action_name(enum tui_action a)
{
	return valid(a) ? actions[a].name : "";
}

const char *action_help(enum tui_action a)
{
	return valid(a) ? actions[a].help : "";
}

bool action_mutates(enum tui_action a)
{
	return valid(a) && actions[a].mutates;
}

enum tui_mode action_mode(enum tui_action a)
{
	return valid(a) ? actions[a].mode : MODE_MAIN;
}

const char *mode_title(enum tui_mode m)
{
	static const char *const titles[MODE_COUNT] = {
		[MODE_MAIN] = "the screens",
		[MODE_RESEND] = "the resend dialog",
		[MODE_BULK] = "the bulk resend dialog",
		[MODE_QUIT] = "the quit dialog",
	};

	return (unsigned)m < MODE_COUNT ? titles[m] : "";
}

int action_from_name(const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < ACT_ALL_COUNT; i++)
		if (actions[i].name && strcmp(actions[i].name, name) == 0)
			return i;
	return -1;
}
