#include "config.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/wire/event_parse.h"
#include "core/base/log.h"
#include "core/base/sanitize.h"
#include "tui/export.h"
#include "tui/session.h"
#include "tui/state.h"

/* Rows per idle callback: small enough to keep the loop responsive. */
#define EXPORT_SLICE 2000

struct tui_export {
	struct tui *t;
	ev_idle w;
	FILE *f;
	bool json;
	const struct model_fax **rows; /* stable for the model's life */
	size_t n, next;
	bool force;              /* :export!: replace an existing file */
	char path[PATH_MAX];     /* where it goes, ~ expanded */
	char tmp[PATH_MAX + 16]; /* where it is written until complete */
};

static const char csv_header[] = "id,created_at,updated_at,completed_at,status,to,pages,"
				 "attempts,max_attempts,error_code,error_message,resent_from,"
				 "tags\n";

/* A copy of src in which every string that came from outside is
 * terminal-safe (no control character, escape sequence, bidi control or
 * invalid UTF-8: each becomes the placeholder), so neither a CSV nor a JSON
 * export carries them to whoever later cats the file. */
static char *safe_dup(const char *s)
{
	size_t len, cap;
	char *d;

	if (!s)
		return NULL;
	len = strlen(s);
	cap = 3 * len + 4; /* a bad byte becomes a 3-byte placeholder */
	d = malloc(cap);
	if (d)
		sanitize_text(d, cap, s, len, NULL);
	return d;
}

static int safe_field(char **field)
{
	char *d;

	if (!*field)
		return 0;
	d = safe_dup(*field);
	if (!d)
		return -1;
	free(*field);
	*field = d;
	return 0;
}

int tui_export_safe_fax(struct fax *out, const struct fax *src)
{
	char **fields[] = { &out->id,
			    &out->to,
			    &out->error_code,
			    &out->error_subcode,
			    &out->error_message,
			    &out->webhook_url,
			    &out->idempotency_key,
			    &out->csid,
			    &out->page_size,
			    &out->resolution,
			    &out->optimize_for,
			    &out->resent_from };
	int rc = 0;

	fax_init(out);
	fax_copy(out, src);
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		rc |= safe_field(fields[i]);
	for (size_t i = 0; i < out->n_tags; i++)
		rc |= safe_field(&out->tags[i].key) | safe_field(&out->tags[i].value);
	for (size_t i = 0; i < out->n_attempts; i++)
		rc |= safe_field(&out->attempts[i].error_code) |
			safe_field(&out->attempts[i].error_subcode) |
			safe_field(&out->attempts[i].error_message);
	if (rc) {
		fax_done(out);
		return -1;
	}
	return 0;
}

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

static void csv_time(FILE *f, int64_t ms)
{
	char buf[40];

	if (ms == TS_NONE)
		buf[0] = '\0';
	else
		iso8601_format_ms(ms, buf, sizeof buf);
	csv_field(f, buf, false);
}

static int csv_row(FILE *f, const struct fax *src)
{
	char num[3][24], tags[1024];
	struct fax safe, *x = &safe;
	size_t off = 0;

	if (tui_export_safe_fax(&safe, src) < 0) {
		errno = ENOMEM;
		return -1;
	}
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
	csv_time(f, x->created_at);
	csv_time(f, x->updated_at);
	csv_time(f, x->completed_at);
	csv_field(f, fax_status_name(x->status), false);
	csv_field(f, x->to, false);
	csv_field(f, x->pages >= 0 ? num[0] : "", false);
	csv_field(f, num[1], false);
	csv_field(f, x->max_attempts > 0 ? num[2] : "", false);
	csv_field(f, x->error_code, false);
	csv_field(f, x->error_message, false);
	csv_field(f, x->resent_from, false);
	csv_field(f, tags, true);
	fax_done(&safe);
	return 0;
}

static int json_row(FILE *f, const struct fax *src, bool first)
{
	struct fax safe;
	char *json;

	if (tui_export_safe_fax(&safe, src) < 0) {
		errno = ENOMEM;
		return -1;
	}
	json = wire_fax_to_json(&safe);
	fax_done(&safe);
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
		if (csv_row(f, &view_at(v, i)->fax) < 0)
			return -1;
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
	if (e->f) {
		/* Abandoned or failed: no partial file is left behind. */
		fclose(e->f);
		unlink(e->tmp);
	}
	free(e->rows);
	e->t->export = NULL;
	free(e);
}

/* Puts the finished temporary file in place: over an existing file only
 * with :export!, and never over one that appeared since the export began
 * (RENAME_NOREPLACE, or link() where the file system lacks it). */
static int export_publish(struct tui_export *e)
{
	if (e->force)
		return rename(e->tmp, e->path);
	if (renameat2(AT_FDCWD, e->tmp, AT_FDCWD, e->path, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	if (link(e->tmp, e->path) < 0)
		return -1;
	unlink(e->tmp);
	return 0;
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
			rc = csv_row(e->f, &e->rows[e->next]->fax);
	}
	if (rc == 0 && e->next < e->n && !ferror(e->f)) {
		if (e->n > 10 * EXPORT_SLICE)
			tui_flash(t, false, "exporting to %s: %zu%%", e->path,
				  e->next * 100 / e->n);
		return;
	}
	if (rc == 0 && e->json)
		fputs("\n]\n", e->f);
	errno = 0;
	if (rc < 0 || ferror(e->f) || fflush(e->f) != 0) {
		tui_flash(t, true, "export: %s: %s", e->path, strerror(errno ? errno : EIO));
	} else if (fclose(e->f) != 0) {
		e->f = NULL;
		unlink(e->tmp);
		tui_flash(t, true, "export: %s: %s", e->path, strerror(errno ? errno : EIO));
	} else {
		e->f = NULL;
		if (export_publish(e) == 0) {
			tui_flash(t, false, "exported %zu faxes to %s", e->n, e->path);
		} else {
			int err = errno;

			unlink(e->tmp);
			if (err == EEXIST)
				tui_flash(t, true,
					  "export: %s appeared meanwhile; not overwritten "
					  "(:export! replaces it)",
					  e->path);
			else
				tui_flash(t, true, "export: %s: %s", e->path, strerror(err));
		}
	}
	export_free(e);
}

/* "~" and "~/…" are the home directory; "~user" is not expanded. */
static int expand_home(const char *in, char *out, size_t len, char *err, size_t errlen)
{
	const char *home = getenv("HOME");
	int n;

	if (in[0] != '~') {
		n = snprintf(out, len, "%s", in);
	} else if (in[1] != '\0' && in[1] != '/') {
		snprintf(err, errlen, "~user is not expanded: write the path out");
		return -1;
	} else if (!home || !*home) {
		snprintf(err, errlen, "~ needs HOME to be set");
		return -1;
	} else {
		n = snprintf(out, len, "%s%s", home, in + 1);
	}
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "the path is too long");
		return -1;
	}
	return 0;
}

/* The absolute path of `path` with its directory resolved (symbolic links
 * and all); the last part is kept as written. -1 when the directory does
 * not exist. */
static int canonical(const char *path, char *out, size_t len)
{
	char d[PATH_MAX], b[PATH_MAX], dir[PATH_MAX];

	snprintf(d, sizeof d, "%s", path);
	snprintf(b, sizeof b, "%s", path);
	if (!realpath(dirname(d), dir))
		return -1;
	return snprintf(out, len, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, basename(b)) < (int)len
		? 0
		: -1;
}

/* The store and the files SQLite and faxtop keep beside it. */
static const char *const store_suffixes[] = { "", "-wal", "-shm", "-journal", ".lock" };

/* Whether target is the store or one of its companion files: by name (it
 * may not exist yet: a CSV named like the WAL would be taken for one), and
 * by inode (a hard link to the database). */
static bool is_store_file(const char *target, const struct stat *tst, const char *store)
{
	char canon_t[PATH_MAX], canon_s[PATH_MAX], name[PATH_MAX + 16];
	struct stat st;

	if (!store || !*store || canonical(target, canon_t, sizeof canon_t) < 0)
		return false;
	for (size_t i = 0; i < sizeof store_suffixes / sizeof store_suffixes[0]; i++) {
		snprintf(name, sizeof name, "%s%s", store, store_suffixes[i]);
		if (canonical(name, canon_s, sizeof canon_s) == 0 && strcmp(canon_s, canon_t) == 0)
			return true;
		if (tst && stat(name, &st) == 0 && st.st_dev == tst->st_dev &&
		    st.st_ino == tst->st_ino)
			return true;
	}
	return false;
}

int tui_export_check_target(const char *path, const char *store, bool force, char *out,
			    size_t outlen, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	struct stat st;
	bool exists;

	if (expand_home(path, out, outlen, err, errlen) < 0)
		return -1;
	if (lstat(out, &st) == 0) {
		exists = true;
	} else if (errno == ENOENT) {
		exists = false;
	} else {
		snprintf(err, errlen, "%s: %s", out, strerror(errno));
		return -1;
	}
	if (is_store_file(out, exists ? &st : NULL, store)) {
		snprintf(err, errlen,
			 "%s is faxtop's own database (or a file beside it): "
			 "choose another name",
			 out);
		return -1;
	}
	if (exists && S_ISLNK(st.st_mode)) {
		snprintf(err, errlen, "%s is a symbolic link: export never follows one", out);
		return -1;
	}
	if (exists && !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a regular file", out);
		return -1;
	}
	if (exists && !force) {
		snprintf(err, errlen, "%s exists: :export! overwrites it", out);
		return -1;
	}
	snprintf(dir, sizeof dir, "%s", out);
	if (access(dirname(dir), W_OK) < 0) {
		snprintf(err, errlen, "%s: %s", out, strerror(errno));
		return -1;
	}
	return 0;
}

void tui_export_start(struct tui *t, const char *fmt, const char *path, bool force)
{
	struct tui_export *e;
	char d[PATH_MAX], b[PATH_MAX], err[PATH_MAX + 128];
	size_t n;
	int fd;

	/* A sort or filter typed just before must apply to what is written. */
	view_update(&t->view);
	n = view_count(&t->view);
	if (!fmt || !path || !*path || (strcmp(fmt, "csv") != 0 && strcmp(fmt, "json") != 0)) {
		/* The command line says how it is used; this is a caller's slip. */
		tui_flash(t, true, "export: csv or json, and a file");
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
	if (tui_export_check_target(path, t->act.store_path, force, e->path, sizeof e->path, err,
				    sizeof err) < 0) {
		tui_flash(t, true, "export refused: %s", err);
		goto fail;
	}
	/* Written beside the target under a hidden name (mkstemp: mode 0600,
	 * O_EXCL), and moved into place only once complete. */
	snprintf(d, sizeof d, "%s", e->path);
	snprintf(b, sizeof b, "%s", e->path);
	snprintf(e->tmp, sizeof e->tmp, "%s/.%.200s.XXXXXX", dirname(d), basename(b));
	fd = mkostemp(e->tmp, O_CLOEXEC);
	if (fd < 0 || !(e->f = fdopen(fd, "w"))) {
		tui_flash(t, true, "export: %s: %s", e->path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(e->tmp);
		}
		goto fail;
	}
	for (size_t i = 0; i < n; i++)
		e->rows[i] = view_at(&t->view, i);
	e->t = t;
	e->n = n;
	e->force = force;
	e->json = strcmp(fmt, "json") == 0;
	if (e->json)
		fputs("[", e->f);
	else
		fputs(csv_header, e->f);
	t->export = e;
	ev_idle_init(&e->w, export_slice);
	e->w.data = e;
	ev_idle_start(t->loop, &e->w);
	return;
fail:
	free(e->rows);
	free(e);
}

void tui_export_stop(struct tui *t)
{
	if (!t->export)
		return;
	if (t->log)
		log_warn(t->log, "export to %s abandoned at %zu of %zu rows; nothing written",
			 t->export->path, t->export->next, t->export->n);
	export_free(t->export);
}
