/* The durable store: one SQLite database in WAL mode. This file opens it
 * (pragmas, schema, the kept statements, the checkpoint helper) and closes
 * it; store_int.h lists the files that do the rest.
 *
 * Writes join one open transaction that is committed before the loop
 * sleeps: a group commit, so one fsync serves every request of a loop
 * iteration. synchronous=FULL makes that fsync cover the WAL on every
 * COMMIT, which is what lets the listener treat "committed" as "durable"
 * and acknowledge from the commit callback; NORMAL would leave the newest
 * batches to the mercy of a power cut. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/base/xalloc.h"
#include "core/model/model.h"
#include "core/store/store_int.h"

/* Small: a locked database must fail fast rather than stall the loop. */
#define STORE_BUSY_MS 50

static const char *const store_stmt_sql[ST_COUNT] = {
#define X(e, sql) [e] = sql,
	STORE_STMT_LIST(X)
#undef X
};

const char *store_last_error(const struct store *s)
{
	return s && s->err[0] ? s->err : "no error";
}

bool store_ok(const struct store *s)
{
	return s && s->ok;
}

void store_set_fault(struct store *s, bool fail)
{
	s->fault = fail;
}

static int mkdir_parents(const char *path, char *err, size_t errlen)
{
	char dir[4096];
	char *slash;
	size_t n = strlen(path);
	struct stat sb;

	if (n >= sizeof dir) {
		snprintf(err, errlen, "database path too long");
		return -1;
	}
	memcpy(dir, path, n + 1);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		/* private: the database holds phone numbers and fax metadata */
		if (stat(dir, &sb) == 0) {
			if (!S_ISDIR(sb.st_mode)) {
				snprintf(err, errlen, "cannot create directory %s: not a directory",
					 dir);
				return -1;
			}
		} else if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create directory %s: %s", dir,
				 strerror(errno));
			return -1;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	return 0;
}

static int store_pragmas(struct store *s, bool relaxed_sync, int busy_ms)
{
	char mode[16];

	if (sqlite3_busy_timeout(s->db, busy_ms > 0 ? busy_ms : STORE_BUSY_MS) != SQLITE_OK)
		return store_read_fail(s, "busy_timeout");
	if (store_query_text(s, "PRAGMA journal_mode=WAL", mode, sizeof mode) != 0)
		return -1;

	if (strcmp(mode, "wal") != 0) {
		store_set_err(s, "cannot switch the database to WAL mode (journal_mode is %s)",
			      mode);
		return -1;
	}
	{
		char sql[64];

		snprintf(sql, sizeof sql, "PRAGMA journal_size_limit=%lld", STORE_WAL_KEEP_BYTES);
		if (store_query_text(s, sql, mode, sizeof mode) != 0)
			return -1;
	}
	/* No mmap_size: measured slower for store_load here (1.15 s against
	 * 0.85 s of CPU at 1M faxes), and an I/O error on a mapped page is a
	 * SIGBUS instead of an error value. */
	return store_exec(s, relaxed_sync ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL",
			  "synchronous");
}

static int store_prepare_all(struct store *s, char *err, size_t errlen)
{
	char buf[4096];

	for (int i = 0; i < ST_COUNT; i++) {
		const char *sql = store_stmt_sql[i]
			? store_stmt_sql[i]
			: store_fax_sql((enum store_stmt)i, buf, sizeof buf);

		if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st[i],
				       NULL) != SQLITE_OK) {
			snprintf(err, errlen, "%s: preparing \"%.40s…\": %s", s->path, sql,
				 sqlite3_errmsg(s->db));
			return -1;
		}
	}
	return 0;
}

struct store *store_open(const struct store_opts *opts, char *err, size_t errlen)
{
	struct store *s;
	struct stat sb;
	bool existed;
	int rc;

	if (!opts || !opts->path || !opts->path[0]) {
		snprintf(err, errlen, "no database path");
		return NULL;
	}
	if (mkdir_parents(opts->path, err, errlen) < 0)
		return NULL;
	s = xcalloc(1, sizeof *s);
	s->retention_days = opts->retention_days;
	s->wal_max_pages = opts->wal_max_pages;
	s->path = xstrdup(opts->path);
	s->recent_events = opts->recent_events;
	s->balance_samples = opts->balance_samples ? opts->balance_samples : MODEL_BALANCE_SAMPLES;
	s->ok = true;
	existed = stat(opts->path, &sb) == 0;

	rc = sqlite3_open_v2(opts->path, &s->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", opts->path,
			 s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	/* SQLite quietly falls back to read-only; faxtop must write to work. */
	if (sqlite3_db_readonly(s->db, "main") == 1) {
		snprintf(err, errlen, "database %s is read-only", opts->path);
		goto fail;
	}
	if (!existed && chmod(opts->path, 0600) < 0) {
		snprintf(err, errlen, "cannot restrict %s to its owner: %s", opts->path,
			 strerror(errno));
		goto fail;
	}
	if (store_pragmas(s, opts->relaxed_sync, opts->busy_ms) < 0 || store_migrate(s) < 0) {
		snprintf(err, errlen, "%s: %s", opts->path, s->err);
		goto fail;
	}
	if (store_prepare_all(s, err, errlen) < 0)
		goto fail;
	store_ckpt_start(s, opts->path);
	s->err[0] = '\0';
	return s;

fail:
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
	return NULL;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	store_detach(s);
	store_load_stop(s);
	if (s->in_tx || s->n_waiters)
		store_commit(s);
	store_ckpt_stop(s);
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	/* the last connection to close checkpoints and removes the WAL */
	sqlite3_close(s->db);
	free(s->waiters);
	free(s->spare);
	store_buf_done(&s->rec_attempts);
	store_buf_done(&s->rec_tags);
	free(s->path);
	free(s);
}

int store_synchronous(struct store *s)
{
	char buf[8];
	char *end;
	long v;

	if (store_query_text(s, "PRAGMA synchronous", buf, sizeof buf) != 0)
		return -1;
	v = strtol(buf, &end, 10);
	return end != buf && !*end ? (int)v : -1;
}
