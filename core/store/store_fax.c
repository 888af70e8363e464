/* A fax's row: the upsert, and reading a row back into a fax. Every
 * column, bind and read is made from FAX_COLUMN_LIST (store_faxcols.h);
 * this file says only how each kind of column is an SQLite value.
 *
 * Faxes are kept as columns plus two small binary records (attempts, tags)
 * rather than JSON: store_load reads a million faxes in one index pass and
 * hands each straight to the model without a JSON parser in the way. */
#include <config.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "core/model/model.h"
#include "core/store/store_faxcols.h"
#include "core/store/store_int.h"

/* Binding a kind: s the store, i the placeholder, v the model_fax member.
 * The records are encoded into s's buffers before the binds. */
#define FAXCOL_BIND_TEXT(s, st, i, v) bind_text(st, i, v)
#define FAXCOL_BIND_INT(s, st, i, v)  sqlite3_bind_int(st, i, v)
#define FAXCOL_BIND_PAGES(s, st, i, v) \
	((v) < 0 ? sqlite3_bind_null(st, i) : sqlite3_bind_int(st, i, v))
#define FAXCOL_BIND_TS(s, st, i, v) bind_ts(st, i, v)
#define FAXCOL_BIND_STATUS(s, st, i, v) \
	bind_text(st, i, (v) != FAX_STATUS_NONE ? fax_status_name(v) : NULL)
#define FAXCOL_BIND_SOURCE(s, st, i, v) bind_text(st, i, event_source_name(v))
#define FAXCOL_BIND_COUNT(s, st, i, v)  sqlite3_bind_int64(st, i, v)
#define FAXCOL_BIND_ATTEMPTS(s, st, i, v) \
	sqlite3_bind_blob(st, i, (s)->rec_attempts.p, (int)(s)->rec_attempts.len, SQLITE_STATIC)
#define FAXCOL_BIND_TAGS(s, st, i, v) \
	sqlite3_bind_blob(st, i, (s)->rec_tags.p, (int)(s)->rec_tags.len, SQLITE_STATIC)

/* Reading a kind from column i of r->st into the member v. */
struct fax_reader {
	sqlite3_stmt *st;
	struct store_scratch *sc;
	const char *damaged; /* the first record found damaged */
};
#define FAXCOL_READ_TEXT(r, i, v) ((v) = (char *)col_text((r)->st, i))
#define FAXCOL_READ_INT(r, i, v)  ((v) = sqlite3_column_int((r)->st, i))
#define FAXCOL_READ_PAGES(r, i, v) \
	((v) = sqlite3_column_type((r)->st, i) == SQLITE_NULL ? -1 : sqlite3_column_int((r)->st, i))
#define FAXCOL_READ_TS(r, i, v)       ((v) = col_ts((r)->st, i))
#define FAXCOL_READ_STATUS(r, i, v)   ((v) = col_status((r)->st, i))
#define FAXCOL_READ_SOURCE(r, i, v)   ((v) = col_source((r)->st, i))
#define FAXCOL_READ_COUNT(r, i, v)    ((v) = col_count((r)->st, i))
#define FAXCOL_READ_ATTEMPTS(r, i, v) col_record(r, i, &(v), store_read_attempts, "attempts")
#define FAXCOL_READ_TAGS(r, i, v)     col_record(r, i, &(v), store_read_tags, "tags")

static enum fax_status col_status(sqlite3_stmt *st, int i)
{
	const char *name = col_text(st, i);

	return name ? fax_status_from_name(name) : FAX_STATUS_NONE;
}

static enum event_source col_source(sqlite3_stmt *st, int i)
{
	const char *name = col_text(st, i);

	return event_source_from_name(name ? name : "");
}

static unsigned col_count(sqlite3_stmt *st, int i)
{
	int64_t v = sqlite3_column_int64(st, i);

	return v <= 0 ? 0 : v > UINT_MAX ? UINT_MAX : (unsigned)v;
}

static void col_record(struct fax_reader *r, int i, struct fax *f,
		       int (*read)(struct store_scratch *, const void *, size_t, struct fax *),
		       const char *what)
{
	const void *blob = sqlite3_column_blob(r->st, i); /* before its size */
	size_t len = (size_t)sqlite3_column_bytes(r->st, i);

	if (read(r->sc, blob, len, f) < 0 && !r->damaged)
		r->damaged = what;
}

const char *store_fax_sql(enum store_stmt which, char *buf, size_t len)
{
	char names[1024], values[512], update[2048];

	store_faxcols_sql(names, sizeof names, FAXCOLS_NAMES, '?');
	switch (which) {
	case ST_PUT_FAX:
		/* Updated in place, so a fax keeps its rowid (its first-seen
		 * place) and the indexes are touched only when a key moves. */
		snprintf(buf, len,
			 "INSERT INTO faxes (%s) VALUES (%s) ON CONFLICT (id) DO UPDATE SET %s",
			 names, store_faxcols_sql(values, sizeof values, FAXCOLS_VALUES, '?'),
			 store_faxcols_sql(update, sizeof update, FAXCOLS_UPDATE, '?'));
		return buf;
	case ST_GET_FAX:
		snprintf(buf, len, "SELECT %s FROM faxes WHERE id = ?1", names);
		return buf;
	case ST_LOAD_FAXES:
		/* the rowid after the columns: where the next chunk starts */
		snprintf(buf, len,
			 "SELECT %s, rowid FROM faxes WHERE rowid < ?1"
			 " ORDER BY rowid DESC LIMIT ?2",
			 names);
		return buf;
	default:
		return NULL;
	}
}

int store_put_fax(struct store *s, const struct model_fax *mf)
{
	sqlite3_stmt *st = s->st[ST_PUT_FAX];

	if (!mf || !mf->fax.id || !mf->fax.id[0]) {
		store_set_err(s, "fax without an id");
		return -1;
	}
	store_record_attempts(&s->rec_attempts, &mf->fax);
	store_record_tags(&s->rec_tags, &mf->fax);
	if (s->rec_attempts.too_large || s->rec_tags.too_large)
		return store_write_fail(s, "store fax", "a string too large for its record");
	if (store_begin(s) < 0)
		return -1;
	if (0
#define X(column, kind, member) || FAXCOL_BIND_##kind(s, st, FAXCOL_##column + 1, mf->member)
	    FAX_COLUMN_LIST(X)
#undef X
	)
		return store_bind_fail(s, st, "store fax");
	return store_step_write(s, st, "store fax");
}

int store_fax_decode(sqlite3_stmt *st, struct store_scratch *sc, struct model_fax *out, char *err,
		     size_t errlen)
{
	struct fax_reader r = { st, sc, NULL };

	memset(out, 0, sizeof *out);
	fax_init(&out->fax);
#define X(column, kind, member) FAXCOL_READ_##kind(&r, FAXCOL_##column, out->member);
	FAX_COLUMN_LIST(X)
#undef X
	if (!out->fax.id) {
		snprintf(err, errlen, "faxes: a row without an id");
		return -1;
	}
	if (r.damaged) {
		snprintf(err, errlen, "fax %.64s: the stored %s record is damaged", out->fax.id,
			 r.damaged);
		return -1;
	}
	return 0;
}

int store_fax_from_row(struct store *s, sqlite3_stmt *st, struct store_scratch *sc,
		       struct model_fax *out)
{
	char err[160];

	if (store_fax_decode(st, sc, out, err, sizeof err) < 0) {
		store_set_err(s, "%s", err);
		return -1;
	}
	return 0;
}

int store_get_fax(struct store *s, const char *fax_id, struct fax *out, int64_t *last_update_ms,
		  enum event_source *last_source)
{
	sqlite3_stmt *st = s->st[ST_GET_FAX];
	struct store_scratch sc = { 0 };
	struct model_fax lent;
	int rc, r;

	fax_init(out);
	if (store_bind_key(s, st, fax_id, "get fax: bad id") < 0)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		r = 1;
	} else if (rc != SQLITE_ROW) {
		r = store_read_fail(s, "get fax");
	} else if (store_fax_from_row(s, st, &sc, &lent) < 0) {
		r = -1;
	} else {
		fax_copy(out, &lent.fax);
		if (last_update_ms)
			*last_update_ms = lent.last_update_ms;
		if (last_source)
			*last_source = lent.last_source;
		r = 0;
	}
	sqlite3_reset(st);
	store_scratch_done(&sc);
	return r;
}
