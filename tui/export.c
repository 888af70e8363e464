#include "config.h"

#include <errno.h>
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/event_parse.h"
#include "core/log.h"
#include "tui/export.h"
#include "tui/state.h"

/* Rows per idle callback: small enough to keep the loop responsive. */
#define EXPORT_SLICE 2000

struct tui_export {
	struct tui *t;
	ev_idle w;
	FILE *f;
	bool json;
	const struct model_fax **rows;   /* stable for the model's life */
	size_t n, next;
	char path[512];
};

static const char csv_header[] = "id,created_at,status,to,pages,attempts,max_attempts,"
				 "error_code,error_message,resent_from,tags\n";

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

static void csv_row(FILE *f, const struct fax *x)
{
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

static int json_row(FILE *f, const struct fax *x, bool first)
{
	char *json = fax_to_json(x);

	if (!json) {
		errno = ENOMEM;
		return -1;
	}
	fprintf(f, "%s\n%s", first ? "" : ",", json);
	free(json);
	return 0;
}

int tui_export_csv(const struct view *v, FILE *f)
{
	size_t n = view_count(v);

	fputs(csv_header, f);
	for (size_t i = 0; i < n; i++)
		csv_row(f, &view_at(v, i)->fax);
	return ferror(f) ? -1 : 0;
}

int tui_export_json(const struct view *v, FILE *f)
{
	size_t n = view_count(v);

	fputs("[", f);
	for (size_t i = 0; i < n; i++)
		if (json_row(f, &view_at(v, i)->fax, i == 0) < 0)
			return -1;
	fputs("\n]\n", f);
	return ferror(f) ? -1 : 0;
}

static void export_free(struct tui_export *e)
{
	ev_idle_stop(e->t->loop, &e->w);
	if (e->f)
		fclose(e->f);
	free(e->rows);
	e->t->export = NULL;
	free(e);
}

static void export_slice(struct ev_loop *loop, ev_idle *w, int revents)
{
	struct tui_export *e = w->data;
	struct tui *t = e->t;
	size_t end = e->next + EXPORT_SLICE < e->n ? e->next + EXPORT_SLICE : e->n;
	int rc = 0;

	(void)loop;
	(void)revents;
	for (; e->next < end && rc == 0; e->next++) {
		if (e->json)
			rc = json_row(e->f, &e->rows[e->next]->fax, e->next == 0);
		else
			csv_row(e->f, &e->rows[e->next]->fax);
	}
	if (rc == 0 && e->next < e->n && !ferror(e->f)) {
		if (e->n > 10 * EXPORT_SLICE)
			tui_flash(t, false, "exporting to %s: %zu%%", e->path, e->next * 100 / e->n);
		return;
	}
	if (rc == 0 && e->json)
		fputs("\n]\n", e->f);
	if (rc < 0 || ferror(e->f) || fclose(e->f) != 0) {
		tui_flash(t, true, "export: %s: %s", e->path, strerror(errno ? errno : EIO));
	} else {
		tui_flash(t, false, "exported %zu faxes to %s", e->n, e->path);
	}
	e->f = NULL;
	export_free(e);
}

void tui_export_start(struct tui *t, const char *fmt, const char *path)
{
	struct tui_export *e;
	size_t n;

	/* A sort or filter typed just before must apply to what is written. */
	view_update(&t->view);
	n = view_count(&t->view);
	if (!fmt || !path || !*path || (strcmp(fmt, "csv") != 0 && strcmp(fmt, "json") != 0)) {
		tui_flash(t, true, "usage: export csv|json FILE");
		return;
	}
	if (t->export) {
		tui_flash(t, true, "an export to %s is still running", t->export->path);
		return;
	}
	e = calloc(1, sizeof *e);
	if (!e || (n && !(e->rows = malloc(n * sizeof *e->rows)))) {
		free(e);
		tui_flash(t, true, "export: out of memory");
		return;
	}
	e->f = fopen(path, "w");
	if (!e->f) {
		tui_flash(t, true, "export: %s: %s", path, strerror(errno));
		free(e->rows);
		free(e);
		return;
	}
	for (size_t i = 0; i < n; i++)
		e->rows[i] = view_at(&t->view, i);
	e->t = t;
	e->n = n;
	e->json = strcmp(fmt, "json") == 0;
	snprintf(e->path, sizeof e->path, "%s", path);
	if (e->json)
		fputs("[", e->f);
	else
		fputs(csv_header, e->f);
	t->export = e;
	ev_idle_init(&e->w, export_slice);
	e->w.data = e;
	ev_idle_start(t->loop, &e->w);
}

void tui_export_stop(struct tui *t)
{
	if (!t->export)
		return;
	if (t->log)
		log_warn(t->log, "export to %s abandoned at %zu of %zu rows", t->export->path,
			 t->export->next, t->export->n);
	export_free(t->export);
}
