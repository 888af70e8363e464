#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui/command.h"
#include "tui/export.h"
#include "tui/dispatch.h"
#include "tui/session.h"
#include "tui/state.h"

static void cmd_theme(struct tui *t, const char *name)
{
	struct theme th;
	char err[512];

	if (!name || !*name) {
		tui_flash(t, true, "usage: theme NAME (default, light, high-contrast, mono or a path); "
			  "current: %s", t->theme.name);
		return;
	}
	if (theme_load(&th, name, err, sizeof err) < 0) {
		tui_flash(t, true, "theme: %s; keeping %s", err, t->theme.name);
		return;
	}
	t->theme = th;
	term_apply_theme(&t->term, &t->theme);
	t->full_redraw = true;
	tui_flash(t, false, "theme %s", th.name);
}

static void cmd_sort(struct tui *t, const char *col, const char *dir)
{
	for (int s = 0; s < SORT_COUNT; s++) {
		if (col && strcasecmp(col, view_sort_name((enum view_sort)s)) == 0) {
			view_set_sort(&t->view, (enum view_sort)s, dir && strcmp(dir, "reverse") == 0);
			tui_flash(t, false, "sorted by %s", view_sort_name((enum view_sort)s));
			return;
		}
	}
	tui_flash(t, true, "usage: sort created|updated|status|to|attempts|code [reverse]");
}

void tui_command(struct tui *t, const char *line)
{
	char buf[PROMPT_MAX], *save = NULL, *cmd, *rest, err[256];

	snprintf(buf, sizeof buf, "%s", line);
	cmd = strtok_r(buf, " \t", &save);
	if (!cmd)
		return;
	rest = save ? save + strspn(save, " \t") : NULL;
	if (strcmp(cmd, "q") == 0 || strcmp(cmd, "quit") == 0) {
		tui_do(t, ACT_QUIT);
	} else if (strcmp(cmd, "help") == 0) {
		tui_do(t, ACT_HELP);
	} else if (strcmp(cmd, "failures") == 0) {
		tui_do(t, ACT_FAILURES);
	} else if (strcmp(cmd, "theme") == 0) {
		cmd_theme(t, strtok_r(NULL, " \t", &save));
	} else if (strcmp(cmd, "filter") == 0) {
		if (view_set_filter(&t->view, rest ? rest : "", err, sizeof err) < 0)
			tui_flash(t, true, "filter: %s", err);
	} else if (strcmp(cmd, "search") == 0) {
		if (!rest || !*rest) {
			filter_done(&t->search);
			t->has_search = false;
		} else if (filter_parse(&t->search, rest, err, sizeof err) < 0) {
			tui_flash(t, true, "search: %s", err);
		} else {
			t->has_search = true;
		}
	} else if (strcmp(cmd, "sort") == 0) {
		char *col = strtok_r(NULL, " \t", &save);

		cmd_sort(t, col, strtok_r(NULL, " \t", &save));
	} else if (strcmp(cmd, "export") == 0 || strcmp(cmd, "export!") == 0) {
		char *fmt = strtok_r(NULL, " \t", &save);

		rest = save ? save + strspn(save, " \t") : NULL;
		tui_export_start(t, fmt, rest, cmd[6] == '!');
	} else {
		tui_flash(t, true, "unknown command '%.40s' (theme, filter, search, sort, export, "
			  "failures, quit, help)", cmd);
	}
	t->dirty = true;
}
