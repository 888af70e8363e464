#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui/command.h"
#include "tui/export.h"
#include "tui/session.h"
#include "tui/state.h"

static const char *usage_of(const char *name);

static enum tui_action cmd_theme(struct tui *t, char *rest, bool bang)
{
	char *save = NULL, *name = strtok_r(rest, " \t", &save);
	struct theme th;
	char err[512];

	(void)bang;
	if (!name || !*name) {
		tui_flash(t, true,
			  "usage: %s (default, light, high-contrast, mono or a path); "
			  "current: %s",
			  usage_of("theme"), t->theme.name);
		return ACT_NONE;
	}
	if (theme_load(&th, name, err, sizeof err) < 0) {
		tui_flash(t, true, "theme: %s; keeping %s", err, t->theme.name);
		return ACT_NONE;
	}
	t->theme = th;
	term_apply_theme(&t->term, &t->theme);
	t->full_redraw = true;
	tui_flash(t, false, "theme %s", th.name);
	return ACT_NONE;
}

static enum tui_action cmd_filter(struct tui *t, char *rest, bool bang)
{
	char err[256];

	(void)bang;
	if (view_set_filter(&t->view, rest, err, sizeof err) < 0)
		tui_flash(t, true, "filter: %s", err);
	return ACT_NONE;
}

static enum tui_action cmd_search(struct tui *t, char *rest, bool bang)
{
	char err[256];

	(void)bang;
	if (!*rest) {
		filter_done(&t->search);
		t->has_search = false;
	} else if (filter_parse(&t->search, rest, err, sizeof err) < 0) {
		tui_flash(t, true, "search: %s", err);
	} else {
		t->has_search = true;
	}
	return ACT_NONE;
}

static enum tui_action cmd_sort(struct tui *t, char *rest, bool bang)
{
	char *save = NULL, *col = strtok_r(rest, " \t", &save);
	char *dir = strtok_r(NULL, " \t", &save), cols[96];
	size_t o = 0;

	(void)bang;
	for (int s = 0; s < SORT_COUNT; s++) {
		if (col && strcasecmp(col, view_sort_name((enum view_sort)s)) == 0) {
			view_set_sort(&t->view, (enum view_sort)s,
				      dir && strcmp(dir, "reverse") == 0);
			tui_flash(t, false, "sorted by %s", view_sort_name((enum view_sort)s));
			return ACT_NONE;
		}
	}
	for (int s = 0; s < SORT_COUNT && o < sizeof cols; s++)
		o += (size_t)snprintf(cols + o, sizeof cols - o, "%s%s", s ? "|" : "",
				      view_sort_name((enum view_sort)s));
	tui_flash(t, true, "usage: %s (COLUMN: %s)", usage_of("sort"), cols);
	return ACT_NONE;
}

static enum tui_action cmd_export(struct tui *t, char *rest, bool bang)
{
	char *save = NULL, *fmt = strtok_r(rest, " \t", &save);
	char *path = fmt && save ? save + strspn(save, " \t") : NULL;

	if (!fmt || !path || !*path || (strcmp(fmt, "csv") != 0 && strcmp(fmt, "json") != 0)) {
		tui_flash(t, true, "usage: %s  (! overwrites an existing file)",
			  usage_of("export"));
		return ACT_NONE;
	}
	tui_export_start(t, fmt, path, bang);
	return ACT_NONE;
}

static const struct tui_cmd commands[] = {
	{ "theme", "theme NAME", cmd_theme, ACT_NONE },
	{ "filter", "filter EXPR", cmd_filter, ACT_NONE },
	{ "search", "search EXPR", cmd_search, ACT_NONE },
	{ "sort", "sort COLUMN [reverse]", cmd_sort, ACT_NONE },
	{ "export", "export[!] csv|json FILE", cmd_export, ACT_NONE },
	{ "failures", "failures", NULL, ACT_FAILURES },
	{ "quit", "quit", NULL, ACT_QUIT },
	{ "q", NULL, NULL, ACT_QUIT },
	{ "help", "help", NULL, ACT_HELP },
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static const char *usage_of(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return commands[i].usage;
	return name;
}

size_t tui_cmd_count(void)
{
	return N_COMMANDS;
}

const struct tui_cmd *tui_cmd_at(size_t i)
{
	return i < N_COMMANDS ? &commands[i] : NULL;
}

void tui_cmd_usages(const char *sep, char *buf, size_t len)
{
	size_t o = 0;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < N_COMMANDS && o < len; i++)
		if (commands[i].usage)
			o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? sep : "",
					      commands[i].usage);
}

/* The command a typed name means. A trailing '!' is taken only by a
 * command whose usage shows one ("export[!]"). */
static const struct tui_cmd *lookup(const char *name, bool *bang)
{
	size_t n = strlen(name);

	*bang = n > 1 && name[n - 1] == '!';
	n -= *bang;
	for (size_t i = 0; i < N_COMMANDS; i++) {
		const struct tui_cmd *c = &commands[i];
		size_t cn = strlen(c->name);

		if (cn == n && strncmp(c->name, name, n) == 0 &&
		    (!*bang || (c->usage && strncmp(c->usage + cn, "[!]", 3) == 0)))
			return c;
	}
	return NULL;
}

enum tui_action tui_command(struct tui *t, const char *line)
{
	char buf[PROMPT_MAX], *save = NULL, *name, *rest, names[160];
	const struct tui_cmd *c;
	bool bang;
	size_t o = 0;

	t->dirty = true;
	snprintf(buf, sizeof buf, "%s", line);
	name = strtok_r(buf, " \t", &save);
	if (!name)
		return ACT_NONE;
	rest = save ? save + strspn(save, " \t") : "";
	if ((c = lookup(name, &bang)))
		return c->fn ? c->fn(t, rest, bang) : c->action;
	for (size_t i = 0; i < N_COMMANDS && o < sizeof names; i++)
		if (commands[i].usage)
			o += (size_t)snprintf(names + o, sizeof names - o, "%s%s", o ? ", " : "",
					      commands[i].name);
	tui_flash(t, true, "unknown command '%.40s' (%s)", name, names);
	return ACT_NONE;
}
