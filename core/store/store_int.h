/* The store's insides, shared by its files and by nothing else: the
 * struct, the kept statements, and the helpers every part uses. The files
 * stand in layers, each calling only those below it:
 *
 *   store_open.c     open, pragmas, close (SQLite)
 *   store_load.c     rebuilding the model
 *   store_fax.c      a fax row: upsert, read (SQLite, from store_faxcols.h)
 *   store_rows.c     events, balance, quarantine, meta, prune
 *   store_ledger.c   resends, the resend ledger, triage decisions
 *   store_commit.c   the batch's commit point and its callbacks
 *   store_schema.c   the schema steps and the migration that runs them
 *   store_db.c       errors, binds, steps, joining the batch (SQLite)
 *   store_ckpt.c     the WAL checkpoint thread (SQLite)
 *   store_record.c, store_faxcols.c   the fax records and column list,
 *                    backend-neutral (no SQL engine)
 *
 * Only store_db.c, store_ckpt.c and store_open.c know SQLite beyond its
 * statements; docs/ARCHITECTURE.md, "The store", says where a second
 * backend would come in. */
#ifndef FAXTOP_CORE_STORE_INT_H
#define FAXTOP_CORE_STORE_INT_H

#include <ev.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store/store.h"
#include "core/store/store_record.h"

/* WAL checkpoints: the helper is asked to copy the WAL back past this many
 * pages, and the file is cut back to this size when the WAL starts over
 * (store_ckpt.c). */
#define STORE_CKPT_PAGES     1000
#define STORE_WAL_KEEP_BYTES (STORE_CKPT_PAGES * 4096LL)

#define LEDGER_COLUMNS                                                         \
	"key, fax_id, state, to_number, max_attempts, created_at, updated_at," \
	" new_fax_id, request_id, error, who"

/* Events received before ?1, found without an index on received_at: the
 * rows before the first one received since (rowids are the order of
 * receipt), so the scan stops where the kept events begin. An event
 * stored after a later one was received (the clock stepped back) waits
 * for that one: kept longer than the retention, never pruned early. */
#define STORE_PRUNE_EVENTS_SQL                                                \
	"DELETE FROM events WHERE rowid < coalesce((SELECT rowid FROM events" \
	" WHERE received_at >= ?1 ORDER BY rowid LIMIT 1),"                   \
	" (SELECT max(rowid) FROM events) + 1)"

/* The statements prepared once at open and kept: X(enum, sql). A NULL sql
 * is made from the fax column list (store_fax_sql). */
#define STORE_STMT_LIST(X)                                                         \
	X(ST_BEGIN, "BEGIN IMMEDIATE")                                             \
	X(ST_COMMIT, "COMMIT")                                                     \
	X(ST_ROLLBACK, "ROLLBACK")                                                 \
	X(ST_HAS_EVENT, "SELECT 1 FROM events WHERE id = ?1")                      \
	X(ST_HAS_EVENT_AT, "SELECT 1 FROM events WHERE created = ?2 AND id = ?1")  \
	X(ST_PUT_EVENT,                                                            \
	  "INSERT OR IGNORE INTO events"                                           \
	  " (id, type, created, received_at, source, fax_id, raw)"                 \
	  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")                                  \
	X(ST_PUT_FAX, NULL)                                                        \
	X(ST_GET_FAX, NULL)                                                        \
	X(ST_LOAD_FAXES, NULL)                                                     \
	X(ST_FAX_COUNT, "SELECT count(*) FROM faxes")                              \
	X(ST_PUT_BALANCE,                                                          \
	  "INSERT INTO balance (one, at, available, held,"                         \
	  " environment_id, currency, type, auto_top_up_enabled,"                  \
	  " auto_top_up_threshold) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"     \
	  " ON CONFLICT (one) DO UPDATE SET at = excluded.at,"                     \
	  " available = coalesce(excluded.available, available),"                  \
	  " held = coalesce(excluded.held, held),"                                 \
	  " environment_id = coalesce(excluded.environment_id, environment_id),"   \
	  " currency = coalesce(excluded.currency, currency),"                     \
	  " type = coalesce(excluded.type, type),"                                 \
	  " auto_top_up_enabled = coalesce(excluded.auto_top_up_enabled,"          \
	  " auto_top_up_enabled),"                                                 \
	  " auto_top_up_threshold = coalesce(excluded.auto_top_up_threshold,"      \
	  " auto_top_up_threshold)")                                               \
	X(ST_GET_BALANCE,                                                          \
	  "SELECT at, available, held, environment_id, currency,"                  \
	  " type, auto_top_up_enabled, auto_top_up_threshold FROM balance")        \
	X(ST_PUT_SAMPLE,                                                           \
	  "INSERT OR REPLACE INTO balance_samples (at, available,"                 \
	  " held) VALUES (?1, ?2, coalesce(?3, (SELECT held FROM balance), 0))")   \
	X(ST_PRUNE_SAMPLES,                                                        \
	  "DELETE FROM balance_samples WHERE at < (SELECT at"                      \
	  " FROM balance_samples ORDER BY at DESC LIMIT 1 OFFSET ?1)")             \
	X(ST_LOAD_SAMPLES,                                                         \
	  "SELECT at, available, held FROM (SELECT * FROM"                         \
	  " balance_samples ORDER BY at DESC LIMIT ?1) ORDER BY at")               \
	X(ST_QUARANTINE,                                                           \
	  "INSERT INTO quarantine (received_at, reason, raw)"                      \
	  " VALUES (?1, ?2, ?3)")                                                  \
	X(ST_PUT_RESEND,                                                           \
	  "INSERT INTO resends (at, fax_id, new_fax_id, error,"                    \
	  " idempotency_key, request_id, to_number, max_attempts, who)"            \
	  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")                          \
	X(ST_LEDGER_PUT,                                                           \
	  "INSERT INTO resend_ledger (" LEDGER_COLUMNS ") VALUES"                  \
	  " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (key) DO"   \
	  " UPDATE SET state = CASE WHEN state = 'sent' THEN state"                \
	  " ELSE excluded.state END, updated_at = excluded.updated_at,"            \
	  " new_fax_id = coalesce(excluded.new_fax_id, new_fax_id),"               \
	  " request_id = coalesce(excluded.request_id, request_id),"               \
	  " error = excluded.error")                                               \
	X(ST_LEDGER_NEWEST,                                                        \
	  "SELECT " LEDGER_COLUMNS " FROM resend_ledger"                           \
	  " WHERE fax_id = ?1 ORDER BY created_at DESC, rowid DESC LIMIT 1")       \
	X(ST_LEDGER_LIVE,                                                          \
	  "SELECT " LEDGER_COLUMNS " FROM resend_ledger"                           \
	  " WHERE state IN ('pending', 'sent') ORDER BY created_at")               \
	X(ST_TRIAGE_PUT,                                                           \
	  "INSERT OR REPLACE INTO triage (fax_id, state, note, at, who)"           \
	  " VALUES (?1, ?2, ?3, ?4, ?5)")                                          \
	X(ST_TRIAGE_DEL, "DELETE FROM triage WHERE fax_id = ?1")                   \
	X(ST_TRIAGE_EACH, "SELECT fax_id, state, note, at, who FROM triage")       \
	X(ST_META_GET, "SELECT value FROM meta WHERE key = ?1")                    \
	X(ST_META_SET, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)") \
	X(ST_PRUNE_EVENTS, STORE_PRUNE_EVENTS_SQL)                                 \
	X(ST_PRUNE_QUARANTINE, "DELETE FROM quarantine WHERE received_at < ?1")    \
	X(ST_EVENT_COUNT, "SELECT count(*) FROM events")                           \
	X(ST_EACH_EVENT, "SELECT id FROM events ORDER BY rowid")                   \
	X(ST_RECENT_EVENTS,                                                        \
	  "SELECT id, type, received_at, source, fax_id FROM"                      \
	  " (SELECT rowid AS r, * FROM events ORDER BY rowid DESC LIMIT ?1)"       \
	  " ORDER BY r")

enum store_stmt {
/* clang-format off */
#define X(e, sql) e,
	STORE_STMT_LIST(X)
#undef X
	ST_COUNT
	/* clang-format on */
};

struct store_waiter {
	store_commit_cb cb;
	void *ctx;
};

struct store_ckpt {
	pthread_t thread;
	pthread_mutex_t mu; /* guards everything below */
	pthread_cond_t cv;
	sqlite3 *db; /* the helper's own connection */
	bool started, wanted, stop;
	unsigned long runs, copying, failures, in_loop;
	char err[256];
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];
	int retention_days;
	size_t recent_events;
	size_t balance_samples;

	bool in_tx;  /* BEGIN done, COMMIT not yet */
	bool doomed; /* a write of the open batch failed */
	bool ok;
	bool fault;
	bool committing;
	bool recover_ckpt; /* a commit failed: empty the WAL before the next batch */
	int wal_max_pages; /* store_opts' fixed bound, 0 for the free-space one */
	char *path;
	double recover_ckpt_at; /* ev_now() of the last such attempt */
	char err[512];
	char doom_err[512]; /* what doomed the open batch */
	size_t load_damaged;
	/* store_load_begin/step: faxes are read newest first, in chunks */
	int64_t load_before; /* the next chunk starts below this rowid */
	int64_t load_now;
	size_t load_done, load_total;
	struct store_loader *loader; /* the reader thread, while it runs */

	struct store_waiter *waiters, *spare;
	size_t n_waiters, cap_waiters, cap_spare;

	struct store_buf rec_attempts, rec_tags;

	struct ev_loop *loop;
	ev_prepare prepare;

	struct store_ckpt ckpt;
};

/* ---- store_db.c: errors, statements, the batch ---- */

void store_set_err(struct store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A failed read: names it with SQLite's message; returns -1. */
int store_read_fail(struct store *s, const char *what);
/* A failed write: dooms the open batch, marks the store not ok; -1. */
int store_write_fail(struct store *s, const char *what, const char *msg);
/* A failed bind of st: as store_write_fail, and resets st. */
int store_bind_fail(struct store *s, sqlite3_stmt *st, const char *what);
/* Steps a write statement to completion and resets it; 0 or -1 (failed
 * as store_write_fail). */
int store_step_write(struct store *s, sqlite3_stmt *st, const char *what);
/* Binds a lookup's key to ?1: 0, or -1 (st reset, the error set to `what`)
 * when the key is NULL or cannot be bound. */
int store_bind_key(struct store *s, sqlite3_stmt *st, const char *key, const char *what);
/* Ends a read that stepped st until it answered rc: resets st; 0 when it
 * ran to its end, -1 (named by `what`) when a step failed. */
int store_read_end(struct store *s, sqlite3_stmt *st, int rc, const char *what);
/* Joins (or opens) the batch every write belongs to. 0 or -1. */
int store_begin(struct store *s);
/* Runs SQL with no kept statement (open, migrations). 0 or -1. */
int store_exec(struct store *s, const char *sql, const char *what);
/* Reads one text value with a throwaway statement (before the kept ones
 * exist). 0 found, 1 absent, -1 error. */
int store_query_text(struct store *s, const char *sql, char *buf, size_t len);

static inline int bind_text(sqlite3_stmt *st, int i, const char *v)
{
	return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

static inline int bind_ts(sqlite3_stmt *st, int i, int64_t v)
{
	return v == TS_NONE ? sqlite3_bind_null(st, i) : sqlite3_bind_int64(st, i, v);
}

static inline const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static inline int64_t col_ts(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? TS_NONE : sqlite3_column_int64(st, i);
}

/* ---- store_ckpt.c: WAL checkpoints ---- */

void store_ckpt_start(struct store *s, const char *path);
void store_ckpt_stop(struct store *s);
/* After a failed commit: empty the WAL (at most once a second). */
void store_recover_ckpt(struct store *s);

/* ---- store_loader.c: the faxes read on a thread (below store_load.c) ---- */

struct store_loader;
/* Applies up to max rows the thread has read: as store_load_step. */
int store_loader_step(struct store *s, struct model *m, size_t max);
/* One fax row into the model, as the load does it: a damaged row (mf NULL,
 * id its id if any, why what is wrong) is skipped, counted and logged. */
void store_load_row(struct store *s, struct model *m, const struct model_fax *mf, const char *id,
		    const char *why);

/* ---- store_schema.c ---- */

/* Brings the schema up to this faxtop's version, a step per transaction. */
int store_migrate(struct store *s);

/* ---- store_fax.c ---- */

/* The SQL of ST_PUT_FAX, ST_GET_FAX, ST_LOAD_FAXES, written into buf. */
const char *store_fax_sql(enum store_stmt which, char *buf, size_t len);
/* Fills out from the current row of st (one of the statements above):
 * pointers lent by the row and sc, valid until the next step; never
 * fax_done() it. 0, or -1 for a damaged row (store_last_error names it). */
int store_fax_from_row(struct store *s, sqlite3_stmt *st, struct store_scratch *sc,
		       struct model_fax *out);
/* The same without a store, for the loader's thread: a damaged row is
 * named in err instead. */
int store_fax_decode(sqlite3_stmt *st, struct store_scratch *sc, struct model_fax *out, char *err,
		     size_t errlen);

#endif
