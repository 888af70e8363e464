#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/event_parse.h"
#include "tui/command.h"
#include "tui/input.h"
#include "tui/state.h"

static void csv_field(FILE *f, const char *s, bool last)
{
	bool quote = s && strpbrk(s, ",\"\r\n") != NULL;

	if (quote) {
		fputc('"', f);
		for (const char *p = s; *p; p++) {
			if (*p == '"')
				fputc('"', f);
			fputc(*p, f);
		}
		fputc('"', f);
	} else if (s) {
		fputs(s, f);
	}
	fputc(last ? '\n' : ',', f);
}

int tui_export_csv(const struct view *v, FILE *f)
{
	size_t n = view_count(v);

	fputs("id,created_at,status,to,pages,attempts,max_attempts,error_code,error_message,"
	      "resent_from,tags\n", f);
	for (size_t i = 0; i < n; i++) {
		const struct fax *x = &view_at(v, i)->fax;
		char created[40], num[3][24], tags[1024];
		size_t off = 0;

		iso8601_format_ms(x->created_at, created, sizeof created);
		snprintf(num[0], sizeof num[0], "%d", x->pages);
		snprintf(num[1], sizeof num[1], "%zu", x->n_attempts);
		snprintf(num[2], sizeof num[2], "%d", x->max_attempts);
		tags[0] = '\0';
		for (size_t k = 0; k < x->n_tags && off < sizeof tags; k++) {
			int w = snprintf(tags + off, sizeof tags - off, "%s%s=%s", k ? ";" : "",
					 x->tags[k].key ? x->tags[k].key : "",
					 x->tags[k].value ? x->tags[k].value : "");
			if (w < 0)
				break;
			off += (size_t)w;
		}
		csv_field(f, x->id, false);
		csv_field(f, x->created_at == TS_NONE ? "" : created, false);
		csv_field(f, fax_status_name(x->status), false);
		csv_field(f, x->to, false);
		csv_field(f, x->pages >= 0 ? num[0] : "", false);
		csv_field(f, num[1], false);
		csv_field(f, x->max_attempts > 0 ? num[2] : "", false);
		csv_field(f, x->error_code, false);
		csv_field(f, x->error_message, false);
		csv_field(f, x->resent_from, false);
		csv_field(f, tags, true);
	}
	return ferror(f) ? -1 : 0;
}

int tui_export_json(const struct view *v, FILE *f)
{
	size_t n = view_count(v);

	fputs("[", f);
	for (size_t i = 0; i < n; i++) {
		char *json = fax_to_json(&view_at(v, i)->fax);

		if (!json) {
			errno = ENOMEM;
			return -1;
		}
		fprintf(f, "%s\n%s", i ? "," : "", json);
		free(json);
	}
	fputs("\n]\n", f);
	return ferror(f) ? -1 : 0;
}

static void cmd_export(struct tui *t, const char *fmt, const char *path)
{
	FILE *f;
	int rc;

	if (!fmt || !path || !*path || (strcmp(fmt, "csv") != 0 && strcmp(fmt, "json") != 0)) {
		tui_flash(t, true, "usage: export csv|json FILE");
		return;
	}
	/* A local file the user asked for, written once, like the store's
	 * SQLite writes: acceptable on the loop. */
	f = fopen(path, "w");
	if (!f) {
		tui_flash(t, true, "export: %s: %s", path, strerror(errno));
		return;
	}
	rc = strcmp(fmt, "csv") == 0 ? tui_export_csv(&t->view, f) : tui_export_json(&t->view, f);
	if (fclose(f) != 0)
		rc = -1;
	if (rc < 0)
		tui_flash(t, true, "export: %s: %s", path, strerror(errno));
	else
		tui_flash(t, false, "exported %zu faxes to %s", view_count(&t->view), path);
}

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
	} else if (strcmp(cmd, "export") == 0) {
		char *fmt = strtok_r(NULL, " \t", &save);

		rest = save ? save + strspn(save, " \t") : NULL;
		cmd_export(t, fmt, rest);
	} else {
		tui_flash(t, true, "unknown command '%.40s' (theme, filter, search, sort, export, "
			  "quit, help)", cmd);
	}
	t->dirty = true;
}
