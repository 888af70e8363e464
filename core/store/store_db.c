/* Errors, statements and the batch every write joins.
 *
 * Writes join one open transaction (BEGIN IMMEDIATE on the first write)
 * that the commit point (store_commit.c) commits before the loop sleeps.
 * A failed write dooms the batch: the remaining writes of the batch return
 * -1 at once and the commit point rolls it back and reports ok=false, so a
 * batch is stored whole or not at all and nothing is acknowledged that is
 * not stored. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/store/store_int.h"

void store_set_err(struct store *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof s->err, fmt, ap);
	va_end(ap);
}

int store_read_fail(struct store *s, const char *what)
{
	store_set_err(s, "%s: %s", what, sqlite3_errmsg(s->db));
	return -1;
}

/* Inside the open batch a failed write dooms it (see the top of the file).
 * Not writable until a commit succeeds, even when no batch was open to fail
 * at commit (a lock held elsewhere fails the BEGIN). */
static int store_doom(struct store *s)
{
	if (s->in_tx && !s->doomed) {
		s->doomed = true;
		memcpy(s->doom_err, s->err, sizeof s->doom_err);
	}
	s->ok = false;
	return -1;
}

int store_write_fail(struct store *s, const char *what, const char *msg)
{
	store_set_err(s, "%s: %s", what, msg);
	return store_doom(s);
}

/* The message is taken before the reset so it names the step's failure. */
int store_step_write(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		store_set_err(s, "%s: %s", what, sqlite3_errmsg(s->db));
		sqlite3_reset(st);
		return store_doom(s);
	}
	sqlite3_reset(st);
	return 0;
}

int store_bind_fail(struct store *s, sqlite3_stmt *st, const char *what)
{
	int r = store_write_fail(s, what, sqlite3_errmsg(s->db));

	sqlite3_reset(st);
	return r;
}

int store_bind_key(struct store *s, sqlite3_stmt *st, const char *key, const char *what)
{
	if (key && bind_text(st, 1, key) == SQLITE_OK)
		return 0;
	sqlite3_reset(st);
	store_set_err(s, "%s", what);
	return -1;
}

int store_read_end(struct store *s, sqlite3_stmt *st, int rc, const char *what)
{
	int r = rc == SQLITE_DONE ? 0 : store_read_fail(s, what);

	sqlite3_reset(st);
	return r;
}

int store_begin(struct store *s)
{
	if (s->doomed) {
		store_set_err(s, "the open batch failed earlier: %.400s", s->doom_err);
		return -1;
	}
	if (s->in_tx) {
		/* SQLite rolls a transaction back by itself after some I/O
		 * errors; writing on would silently autocommit. */
		if (sqlite3_get_autocommit(s->db))
			return store_write_fail(s, "open batch", "rolled back by SQLite");
		return 0;
	}
	if (s->recover_ckpt)
		store_recover_ckpt(s);
	if (store_step_write(s, s->st[ST_BEGIN], "begin batch") < 0)
		return -1;
	s->in_tx = true;
	return 0;
}

int store_exec(struct store *s, const char *sql, const char *what)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		store_set_err(s, "%s: %s", what, msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int store_query_text(struct store *s, const char *sql, char *buf, size_t len)
{
	sqlite3_stmt *st;
	int rc, r = 1;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_read_fail(s, sql);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(buf, len, "%s", col_text(st, 0) ? col_text(st, 0) : "");
		r = 0;
	} else if (rc != SQLITE_DONE) {
		r = store_read_fail(s, sql);
	}
	sqlite3_finalize(st);
	return r;
}
