/* The durable store: one SQLite database in WAL mode.
 *
 * Writes join one open transaction (BEGIN IMMEDIATE on the first write) that
 * the ev_prepare watcher commits before the loop sleeps: a group commit, so
 * one fsync serves every request of a loop iteration. synchronous=FULL makes
 * that fsync cover the WAL on every COMMIT, which is what lets the listener
 * treat "committed" as "durable" and acknowledge from the commit callback;
 * NORMAL would leave the newest batches to the mercy of a power cut.
 *
 * A failed write dooms the batch: the remaining writes of the batch return
 * -1 at once and the commit point rolls it back and reports ok=false, so a
 * batch is stored whole or not at all and nothing is acknowledged that is
 * not stored.
 *
 * Faxes are kept as columns plus two small binary records (attempts, tags)
 * rather than JSON: store_load reads a million faxes in one index pass and
 * hands each straight to the model without a JSON parser in the way. */
#include "config.h"

#include <errno.h>
#include <ev.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "core/wire/event_parse.h"
#include "core/model/model.h"
#include "core/store/store.h"

#define STORE_SCHEMA_VERSION_KEY "schema_version"
/* Small: a locked database must fail fast rather than stall the loop. */
#define STORE_BUSY_MS 50
#define STORE_RECORD_VERSION 1
#define STORE_STR_NULL UINT32_MAX

/* WAL checkpoints run on a helper thread with its own connection, so the
 * copy back into the database file and its fsync never stall the loop (a
 * checkpoint inside COMMIT took tens of milliseconds here). The loop only
 * signals it.
 *
 * The helper alone cannot bound the WAL: SQLite starts the WAL over only
 * when a write begins with every frame already copied back, and under a
 * steady stream of commits the loop has always appended more by the time
 * the helper finishes (measured: 128 MB of WAL after 60 MB of writes, and
 * in a fault test the WAL filled a small disk, leaving no room for the
 * checkpoint that would have freed it). So past a bound the loop
 * checkpoints itself, between its own writes, where it cannot lose that
 * race. That costs the loop tens of milliseconds, so the bound is as large
 * as the disk allows (store_wal_bound). The file is cut back to
 * STORE_WAL_KEEP_BYTES when the WAL starts over. */
#define STORE_CKPT_PAGES 1000
#define STORE_WAL_KEEP_BYTES (STORE_CKPT_PAGES * 4096LL)
/* After a failed commit (a full disk, say) the next batch first tries a
 * full checkpoint that empties the WAL, at most this often. */
#define STORE_RECOVER_CKPT_S 1.0

/* Each step moves the schema one version up; never edit a released step,
 * append a new one. */
static const char *const store_migrations[] = {
	/* 1: the initial schema */
	"CREATE TABLE events ("
	" id TEXT PRIMARY KEY NOT NULL,"
	" type TEXT NOT NULL,"
	" created INTEGER NOT NULL,"
	" received_at INTEGER NOT NULL,"
	" source TEXT NOT NULL,"
	" fax_id TEXT,"
	" raw BLOB NOT NULL);"
	"CREATE INDEX events_received ON events(received_at);"
	"CREATE TABLE faxes ("
	" id TEXT PRIMARY KEY NOT NULL,"
	" status TEXT,"
	" to_number TEXT,"
	" pages INTEGER,"
	" error_code TEXT,"
	" error_subcode TEXT,"
	" error_message TEXT,"
	" max_attempts INTEGER NOT NULL,"
	" webhook_url TEXT,"
	" idempotency_key TEXT,"
	" csid TEXT,"
	" page_size TEXT,"
	" resolution TEXT,"
	" optimize_for TEXT,"
	" resent_from TEXT,"
	" submitted_at INTEGER,"
	" completed_at INTEGER,"
	" created_at INTEGER,"
	" updated_at INTEGER,"
	" attempts BLOB NOT NULL,"
	" tags BLOB NOT NULL,"
	" last_source TEXT NOT NULL,"
	" last_update INTEGER);"
	"CREATE INDEX faxes_created ON faxes(created_at, id);"
	"CREATE TABLE quarantine ("
	" received_at INTEGER NOT NULL,"
	" reason TEXT NOT NULL,"
	" raw BLOB NOT NULL);"
	"CREATE INDEX quarantine_received ON quarantine(received_at);"
	"CREATE TABLE resends ("
	" at INTEGER NOT NULL,"
	" fax_id TEXT NOT NULL,"
	" new_fax_id TEXT,"
	" error TEXT,"
	" idempotency_key TEXT,"
	" request_id TEXT,"
	" to_number TEXT,"
	" max_attempts INTEGER NOT NULL);"
	"CREATE TABLE balance ("
	" one INTEGER PRIMARY KEY CHECK (one = 1),"
	" at INTEGER NOT NULL,"
	" available INTEGER,"
	" held INTEGER,"
	" environment_id TEXT,"
	" currency TEXT,"
	" type TEXT,"
	" auto_top_up_enabled INTEGER,"
	" auto_top_up_threshold INTEGER);",
	/* 2: the balance's history, so the trend and burn rate survive a restart */
	"CREATE TABLE balance_samples ("
	" at INTEGER PRIMARY KEY NOT NULL,"
	" available INTEGER NOT NULL,"
	" held INTEGER NOT NULL);",
	/* 3: a fax's anomalies (conflicting terminal events), kept over a restart */
	"ALTER TABLE faxes ADD COLUMN anomalies INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE faxes ADD COLUMN anomaly TEXT;",
	/* 4: the resend ledger (one idempotency key per resend of a fax, kept
	 * until its outcome is known), triage decisions, and who asked */
	"CREATE TABLE resend_ledger ("
	" key TEXT PRIMARY KEY NOT NULL,"
	" fax_id TEXT NOT NULL,"
	" state TEXT NOT NULL,"
	" to_number TEXT,"
	" max_attempts INTEGER NOT NULL,"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL,"
	" new_fax_id TEXT,"
	" request_id TEXT,"
	" error TEXT,"
	" who TEXT);"
	"CREATE INDEX resend_ledger_fax ON resend_ledger(fax_id, created_at);"
	"CREATE TABLE triage ("
	" fax_id TEXT PRIMARY KEY NOT NULL,"
	" state TEXT NOT NULL,"
	" note TEXT,"
	" at INTEGER NOT NULL);"
	"ALTER TABLE resends ADD COLUMN who TEXT;",
	/* 5: events deduplicated on (created, id) instead of id alone. mintfax's
	 * ids are random, so a unique index on the id alone took a write to a
	 * random page of a large index for every event; an event's creation
	 * time is part of the event and the same on every delivery of it, and
	 * keyed by it first the index grows at its end. The table keeps its
	 * rowids (the order events were stored in). */
	"CREATE TABLE events_v5 ("
	" id TEXT NOT NULL,"
	" type TEXT NOT NULL,"
	" created INTEGER NOT NULL,"
	" received_at INTEGER NOT NULL,"
	" source TEXT NOT NULL,"
	" fax_id TEXT,"
	" raw BLOB NOT NULL);"
	"INSERT INTO events_v5 (rowid, id, type, created, received_at, source, fax_id, raw)"
	" SELECT rowid, id, type, created, received_at, source, fax_id, raw FROM events"
	" ORDER BY rowid;"
	"DROP TABLE events;"
	"ALTER TABLE events_v5 RENAME TO events;"
	"CREATE UNIQUE INDEX events_key ON events(created, id);"
	"CREATE INDEX events_received ON events(received_at);",
};
#define STORE_SCHEMA_VERSION ((int)(sizeof store_migrations / sizeof store_migrations[0]))

/* The column order of FAX_SELECT is what store_row_to_fax reads. */
#define FAX_COLUMNS                                                          \
	"id, status, to_number, pages, error_code, error_subcode, error_message," \
	" max_attempts, webhook_url, idempotency_key, csid, page_size,"      \
	" resolution, optimize_for, resent_from, submitted_at, completed_at," \
	" created_at, updated_at, attempts, tags, last_source, last_update,"  \
	" anomalies, anomaly"
#define FAX_COLUMN_COUNT 25
#define FAX_SELECT "SELECT " FAX_COLUMNS " FROM faxes"
/* Updated in place, so a fax keeps its rowid (its first-seen place) and the
 * indexes are touched only when a key moves. */
#define FAX_UPDATE                                                               \
	"status = excluded.status, to_number = excluded.to_number,"              \
	" pages = excluded.pages, error_code = excluded.error_code,"             \
	" error_subcode = excluded.error_subcode,"                              \
	" error_message = excluded.error_message,"                              \
	" max_attempts = excluded.max_attempts, webhook_url = excluded.webhook_url," \
	" idempotency_key = excluded.idempotency_key, csid = excluded.csid,"    \
	" page_size = excluded.page_size, resolution = excluded.resolution,"    \
	" optimize_for = excluded.optimize_for, resent_from = excluded.resent_from," \
	" submitted_at = excluded.submitted_at, completed_at = excluded.completed_at," \
	" created_at = excluded.created_at, updated_at = excluded.updated_at,"  \
	" attempts = excluded.attempts, tags = excluded.tags,"                  \
	" last_source = excluded.last_source, last_update = excluded.last_update," \
	" anomalies = excluded.anomalies, anomaly = excluded.anomaly"

#define LEDGER_COLUMNS                                                        \
	"key, fax_id, state, to_number, max_attempts, created_at, updated_at,"  \
	" new_fax_id, request_id, error, who"

/* X(enum, sql) */
#define STORE_STMT_LIST(X)                                                          \
	X(ST_BEGIN, "BEGIN IMMEDIATE")                                              \
	X(ST_COMMIT, "COMMIT")                                                      \
	X(ST_ROLLBACK, "ROLLBACK")                                                  \
	X(ST_HAS_EVENT, "SELECT 1 FROM events WHERE id = ?1")                       \
	X(ST_HAS_EVENT_AT, "SELECT 1 FROM events WHERE created = ?2 AND id = ?1")   \
	X(ST_PUT_EVENT, "INSERT OR IGNORE INTO events"                              \
	  " (id, type, created, received_at, source, fax_id, raw)"                  \
	  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")                                   \
	X(ST_PUT_FAX, "INSERT INTO faxes (" FAX_COLUMNS ") VALUES"                  \
	  " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"     \
	  " ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)"                      \
	  " ON CONFLICT (id) DO UPDATE SET " FAX_UPDATE)                            \
	X(ST_GET_FAX, FAX_SELECT " WHERE id = ?1")                                  \
	X(ST_LOAD_FAXES, "SELECT " FAX_COLUMNS ", rowid FROM faxes WHERE rowid < ?1" \
	  " ORDER BY rowid DESC LIMIT ?2")                                          \
	X(ST_FAX_COUNT, "SELECT count(*) FROM faxes")                               \
	X(ST_PUT_BALANCE, "INSERT INTO balance (one, at, available, held,"          \
	  " environment_id, currency, type, auto_top_up_enabled,"                  \
	  " auto_top_up_threshold) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"      \
	  " ON CONFLICT (one) DO UPDATE SET at = excluded.at,"                      \
	  " available = coalesce(excluded.available, available),"                  \
	  " held = coalesce(excluded.held, held),"                                  \
	  " environment_id = coalesce(excluded.environment_id, environment_id),"    \
	  " currency = coalesce(excluded.currency, currency),"                      \
	  " type = coalesce(excluded.type, type),"                                  \
	  " auto_top_up_enabled = coalesce(excluded.auto_top_up_enabled,"          \
	  " auto_top_up_enabled),"                                                  \
	  " auto_top_up_threshold = coalesce(excluded.auto_top_up_threshold,"      \
	  " auto_top_up_threshold)")                                                \
	X(ST_GET_BALANCE, "SELECT at, available, held, environment_id, currency,"   \
	  " type, auto_top_up_enabled, auto_top_up_threshold FROM balance")         \
	X(ST_PUT_SAMPLE, "INSERT OR REPLACE INTO balance_samples (at, available,"   \
	  " held) VALUES (?1, ?2, coalesce(?3, (SELECT held FROM balance), 0))")    \
	X(ST_PRUNE_SAMPLES, "DELETE FROM balance_samples WHERE at < (SELECT at"     \
	  " FROM balance_samples ORDER BY at DESC LIMIT 1 OFFSET ?1)")              \
	X(ST_LOAD_SAMPLES, "SELECT at, available, held FROM (SELECT * FROM"         \
	  " balance_samples ORDER BY at DESC LIMIT ?1) ORDER BY at")                \
	X(ST_QUARANTINE, "INSERT INTO quarantine (received_at, reason, raw)"        \
	  " VALUES (?1, ?2, ?3)")                                                   \
	X(ST_PUT_RESEND, "INSERT INTO resends (at, fax_id, new_fax_id, error,"      \
	  " idempotency_key, request_id, to_number, max_attempts, who)"            \
	  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")                           \
	X(ST_LEDGER_PUT, "INSERT INTO resend_ledger (" LEDGER_COLUMNS ") VALUES"    \
	  " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (key) DO"    \
	  " UPDATE SET state = CASE WHEN state = 'sent' THEN state"                \
	  " ELSE excluded.state END, updated_at = excluded.updated_at,"            \
	  " new_fax_id = coalesce(excluded.new_fax_id, new_fax_id),"               \
	  " request_id = coalesce(excluded.request_id, request_id),"               \
	  " error = excluded.error")                                                \
	X(ST_LEDGER_NEWEST, "SELECT " LEDGER_COLUMNS " FROM resend_ledger"          \
	  " WHERE fax_id = ?1 ORDER BY created_at DESC, rowid DESC LIMIT 1")        \
	X(ST_LEDGER_PENDING, "SELECT " LEDGER_COLUMNS " FROM resend_ledger"         \
	  " WHERE state = 'pending' ORDER BY created_at")                           \
	X(ST_TRIAGE_PUT, "INSERT OR REPLACE INTO triage (fax_id, state, note, at)"  \
	  " VALUES (?1, ?2, ?3, ?4)")                                               \
	X(ST_TRIAGE_DEL, "DELETE FROM triage WHERE fax_id = ?1")                    \
	X(ST_TRIAGE_EACH, "SELECT fax_id, state, note, at FROM triage")             \
	X(ST_META_GET, "SELECT value FROM meta WHERE key = ?1")                     \
	X(ST_META_SET, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")  \
	X(ST_PRUNE_EVENTS, "DELETE FROM events WHERE received_at < ?1")             \
	X(ST_PRUNE_QUARANTINE, "DELETE FROM quarantine WHERE received_at < ?1")     \
	X(ST_EVENT_COUNT, "SELECT count(*) FROM events")                            \
	X(ST_EACH_EVENT, "SELECT id FROM events ORDER BY rowid")                    \
	X(ST_RECENT_EVENTS, "SELECT id, type, received_at, source, fax_id FROM"     \
	  " (SELECT rowid AS r, * FROM events ORDER BY rowid DESC LIMIT ?1)"        \
	  " ORDER BY r")

enum store_stmt {
#define X(e, sql) e,
	STORE_STMT_LIST(X)
#undef X
	ST_COUNT
};

static const char *const store_stmt_sql[ST_COUNT] = {
#define X(e, sql) [e] = sql,
	STORE_STMT_LIST(X)
#undef X
};

struct store_waiter {
	store_commit_cb cb;
	void *ctx;
};

/* A growable byte buffer for the attempts and tags records. */
struct store_buf {
	unsigned char *p;
	size_t len, cap;
	bool oom;
};

struct store_ckpt {
	pthread_t thread;
	pthread_mutex_t mu;       /* guards everything below */
	pthread_cond_t cv;
	sqlite3 *db;              /* the helper's own connection */
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

	bool in_tx;               /* BEGIN done, COMMIT not yet */
	bool doomed;              /* a write of the open batch failed */
	bool ok;
	bool fault;
	bool committing;
	bool recover_ckpt;        /* a commit failed: empty the WAL before the next batch */
	int wal_max_pages;        /* store_opts' fixed bound, 0 for the free-space one */
	char *path;
	double recover_ckpt_at;   /* ev_now() of the last such attempt */
	char err[512];
	char doom_err[512];       /* what doomed the open batch */
	size_t load_damaged;
	/* store_load_begin/step: faxes are read newest first, in chunks */
	int64_t load_before;      /* the next chunk starts below this rowid */
	int64_t load_now;
	size_t load_done, load_total;

	struct store_waiter *waiters, *spare;
	size_t n_waiters, cap_waiters, cap_spare;

	struct store_buf rec_attempts, rec_tags;

	struct ev_loop *loop;
	ev_prepare prepare;

	struct store_ckpt ckpt;
};

/* ---- errors ---- */

static void store_set_err(struct store *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void store_set_err(struct store *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof s->err, fmt, ap);
	va_end(ap);
}

static int store_read_fail(struct store *s, const char *what)
{
	store_set_err(s, "%s: %s", what, sqlite3_errmsg(s->db));
	return -1;
}

/* Inside the open batch a failed write dooms it (see the top of the file). */
static void store_doom(struct store *s)
{
	if (!s->in_tx || s->doomed)
		return;
	s->doomed = true;
	memcpy(s->doom_err, s->err, sizeof s->doom_err);
}

static int store_write_fail(struct store *s, const char *what, const char *msg)
{
	store_set_err(s, "%s: %s", what, msg);
	store_doom(s);
	/* Not writable until a commit succeeds, even when no batch was open
	 * to fail at commit (a lock held elsewhere fails the BEGIN). */
	s->ok = false;
	return -1;
}

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

/* ---- statements ---- */

static int bind_text(sqlite3_stmt *st, int i, const char *v)
{
	return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

static int bind_ts(sqlite3_stmt *st, int i, int64_t v)
{
	return v == TS_NONE ? sqlite3_bind_null(st, i) : sqlite3_bind_int64(st, i, v);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static int64_t col_ts(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? TS_NONE : sqlite3_column_int64(st, i);
}

/* Steps a write statement to completion. The message is taken before the
 * reset so it names the step's failure. */
static int store_step_write(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		store_set_err(s, "%s: %s", what, sqlite3_errmsg(s->db));
		sqlite3_reset(st);
		store_doom(s);
		s->ok = false;   /* as in store_write_fail */
		return -1;
	}
	sqlite3_reset(st);
	return 0;
}

static int store_bind_fail(struct store *s, sqlite3_stmt *st, const char *what)
{
	int r = store_write_fail(s, what, sqlite3_errmsg(s->db));

	sqlite3_reset(st);
	return r;
}

/* After a failed commit: copy the whole WAL back and cut it to nothing, so
 * the space it holds is free again before the next batch needs some. A
 * failure (still no room, the helper busy) is tried again later. */
static void store_recover_ckpt(struct store *s)
{
	if (s->loop) {
		double now = ev_now(s->loop);

		if (s->recover_ckpt_at && now - s->recover_ckpt_at < STORE_RECOVER_CKPT_S)
			return;
		s->recover_ckpt_at = now;
	}
	if (sqlite3_wal_checkpoint_v2(s->db, "main", SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) ==
	    SQLITE_OK)
		s->recover_ckpt = false;
}

/* Joins (or opens) the batch every write belongs to. */
static int store_begin(struct store *s)
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

/* ---- the attempts and tags records ----
 * A version byte, a u32 count, then per item fixed-width integers and
 * strings as u32 length (including the NUL, STORE_STR_NULL for NULL) + bytes.
 * Little-endian. Strings keep their NUL so a loaded record lends pointers
 * into the column without copying. The reader trusts nothing: the database
 * file is outside input too. */

static void buf_reserve(struct store_buf *b, size_t more)
{
	size_t cap;
	unsigned char *p;

	if (b->oom || b->len + more <= b->cap)
		return;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + more)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return;
	}
	b->p = p;
	b->cap = cap;
}

static void buf_put_u32(struct store_buf *b, uint32_t v)
{
	buf_reserve(b, 4);
	if (b->oom)
		return;
	for (int i = 0; i < 4; i++)
		b->p[b->len++] = (unsigned char)(v >> (8 * i));
}

static void buf_put_i64(struct store_buf *b, int64_t v)
{
	uint64_t u = (uint64_t)v;

	buf_reserve(b, 8);
	if (b->oom)
		return;
	for (int i = 0; i < 8; i++)
		b->p[b->len++] = (unsigned char)(u >> (8 * i));
}

static void buf_put_str(struct store_buf *b, const char *str)
{
	size_t n;

	if (!str) {
		buf_put_u32(b, STORE_STR_NULL);
		return;
	}
	n = strlen(str) + 1;
	if (n >= STORE_STR_NULL) {
		b->oom = true;
		return;
	}
	buf_put_u32(b, (uint32_t)n);
	buf_reserve(b, n);
	if (b->oom)
		return;
	memcpy(b->p + b->len, str, n);
	b->len += n;
}

static void buf_start(struct store_buf *b, size_t count)
{
	b->len = 0;
	b->oom = false;
	buf_reserve(b, 1);
	if (!b->oom)
		b->p[b->len++] = STORE_RECORD_VERSION;
	buf_put_u32(b, (uint32_t)count);
}

static void record_attempts(struct store_buf *b, const struct fax *f)
{
	buf_start(b, f->n_attempts);
	for (size_t i = 0; i < f->n_attempts; i++) {
		const struct fax_attempt *a = &f->attempts[i];

		buf_put_i64(b, a->number);
		buf_put_i64(b, a->started_at);
		buf_put_i64(b, a->completed_at);
		buf_put_i64(b, a->duration_ms);
		buf_put_str(b, a->error_code);
		buf_put_str(b, a->error_subcode);
		buf_put_str(b, a->error_message);
	}
}

static void record_tags(struct store_buf *b, const struct fax *f)
{
	buf_start(b, f->n_tags);
	for (size_t i = 0; i < f->n_tags; i++) {
		/* NULL is how the reader recognises a damaged tag */
		buf_put_str(b, f->tags[i].key ? f->tags[i].key : "");
		buf_put_str(b, f->tags[i].value ? f->tags[i].value : "");
	}
}

struct rec_reader {
	const unsigned char *p;
	size_t len, off;
	bool bad;
};

static uint32_t rd_u32(struct rec_reader *r)
{
	uint32_t v = 0;

	if (r->bad || r->len - r->off < 4) {
		r->bad = true;
		return 0;
	}
	for (int i = 0; i < 4; i++)
		v |= (uint32_t)r->p[r->off++] << (8 * i);
	return v;
}

static int64_t rd_i64(struct rec_reader *r)
{
	uint64_t v = 0;

	if (r->bad || r->len - r->off < 8) {
		r->bad = true;
		return 0;
	}
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)r->p[r->off++] << (8 * i);
	return (int64_t)v;
}

static char *rd_str(struct rec_reader *r)
{
	uint32_t n = rd_u32(r);
	const unsigned char *s;

	if (r->bad || n == STORE_STR_NULL)
		return NULL;
	if (n == 0 || r->len - r->off < n || r->p[r->off + n - 1] != '\0') {
		r->bad = true;
		return NULL;
	}
	s = r->p + r->off;
	r->off += n;
	return (char *)s;
}

/* Opens a record; returns its item count or -1 if it is not one of ours.
 * min_item bounds the count by the bytes present, so a corrupt count can
 * never ask for a huge allocation. */
static long rd_start(struct rec_reader *r, const void *blob, int len, size_t min_item)
{
	uint32_t n;

	r->p = blob;
	r->len = len > 0 ? (size_t)len : 0;
	r->off = 0;
	r->bad = false;
	if (r->len < 5 || r->p[0] != STORE_RECORD_VERSION)
		return -1;
	r->off = 1;
	n = rd_u32(r);
	if ((r->len - r->off) / min_item < n)
		return -1;
	return (long)n;
}

/* Scratch arrays for a loaded fax; their strings are lent by the row. */
struct store_scratch {
	struct fax_attempt *attempts;
	size_t cap_attempts;
	struct fax_tag *tags;
	size_t cap_tags;
};

static int scratch_grow(void **arr, size_t *cap, size_t need, size_t size)
{
	void *p;

	if (need <= *cap)
		return 0;
	p = realloc(*arr, need * size);
	if (!p)
		return -1;
	*arr = p;
	*cap = need;
	return 0;
}

static void scratch_done(struct store_scratch *sc)
{
	free(sc->attempts);
	free(sc->tags);
}

/* Fills f with pointers lent by the current row of st (a FAX_SELECT): valid
 * until the next step. Never fax_done() it. */
static int store_row_to_fax(struct store *s, sqlite3_stmt *st, struct store_scratch *sc,
			    struct fax *f, int64_t *last_update, enum event_source *last_source)
{
	struct rec_reader r;
	long n;
	const char *status;

	fax_init(f);
	f->id = (char *)col_text(st, 0);
	status = col_text(st, 1);
	f->status = status ? fax_status_from_name(status) : FAX_STATUS_NONE;
	f->to = (char *)col_text(st, 2);
	f->pages = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 3);
	f->error_code = (char *)col_text(st, 4);
	f->error_subcode = (char *)col_text(st, 5);
	f->error_message = (char *)col_text(st, 6);
	f->max_attempts = sqlite3_column_int(st, 7);
	f->webhook_url = (char *)col_text(st, 8);
	f->idempotency_key = (char *)col_text(st, 9);
	f->csid = (char *)col_text(st, 10);
	f->page_size = (char *)col_text(st, 11);
	f->resolution = (char *)col_text(st, 12);
	f->optimize_for = (char *)col_text(st, 13);
	f->resent_from = (char *)col_text(st, 14);
	f->submitted_at = col_ts(st, 15);
	f->completed_at = col_ts(st, 16);
	f->created_at = col_ts(st, 17);
	f->updated_at = col_ts(st, 18);
	*last_source = event_source_from_name(col_text(st, 21) ? col_text(st, 21) : "");
	*last_update = col_ts(st, 22);
	if (!f->id) {
		store_set_err(s, "faxes: a row without an id");
		return -1;
	}

	/* 4 × 8 bytes of integers and 3 × 4 bytes of string lengths */
	n = rd_start(&r, sqlite3_column_blob(st, 19), sqlite3_column_bytes(st, 19), 44);
	if (n < 0 || scratch_grow((void **)&sc->attempts, &sc->cap_attempts, (size_t)n,
				  sizeof *sc->attempts) < 0)
		goto bad_attempts;
	for (long i = 0; i < n; i++) {
		struct fax_attempt *a = &sc->attempts[i];
		int64_t num = rd_i64(&r);

		a->number = num >= 0 && num <= 1000000 ? (int)num : 0;
		a->started_at = rd_i64(&r);
		a->completed_at = rd_i64(&r);
		a->duration_ms = rd_i64(&r);
		a->error_code = rd_str(&r);
		a->error_subcode = rd_str(&r);
		a->error_message = rd_str(&r);
	}
	if (r.bad)
		goto bad_attempts;
	f->attempts = n ? sc->attempts : NULL;
	f->n_attempts = (size_t)n;

	n = rd_start(&r, sqlite3_column_blob(st, 20), sqlite3_column_bytes(st, 20), 8);
	if (n < 0 || scratch_grow((void **)&sc->tags, &sc->cap_tags, (size_t)n,
				  sizeof *sc->tags) < 0)
		goto bad_tags;
	for (long i = 0; i < n; i++) {
		sc->tags[i].key = rd_str(&r);
		sc->tags[i].value = rd_str(&r);
		if (!sc->tags[i].key || !sc->tags[i].value)
			r.bad = true;
	}
	if (r.bad)
		goto bad_tags;
	f->tags = n ? sc->tags : NULL;
	f->n_tags = (size_t)n;
	return 0;

bad_attempts:
	store_set_err(s, "fax %.64s: the stored attempts record is damaged", f->id);
	return -1;
bad_tags:
	store_set_err(s, "fax %.64s: the stored tags record is damaged", f->id);
	return -1;
}

/* ---- checkpoints ---- */

static void *store_ckpt_main(void *arg)
{
	struct store_ckpt *c = arg;

	pthread_mutex_lock(&c->mu);
	for (;;) {
		int rc, done = 0;

		while (!c->wanted && !c->stop)
			pthread_cond_wait(&c->cv, &c->mu);
		if (c->stop)
			break;
		c->wanted = false;
		pthread_mutex_unlock(&c->mu);
		/* PASSIVE: never waits for the loop's writes, takes what it can */
		rc = sqlite3_wal_checkpoint_v2(c->db, "main", SQLITE_CHECKPOINT_PASSIVE, NULL, &done);
		pthread_mutex_lock(&c->mu);
		c->runs++;
		if (rc == SQLITE_OK && done > 0)
			c->copying++;
		if (rc != SQLITE_OK) {
			c->failures++;
			snprintf(c->err, sizeof c->err, "%s", sqlite3_errmsg(c->db));
		}
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* The WAL's bound in pages: a quarter of the free space of the database's
 * file system, within [STORE_WAL_MIN_PAGES, STORE_WAL_MAX_PAGES]. */
static int store_wal_bound(const struct store *s)
{
	struct statvfs fs;
	unsigned long long quarter;

	if (s->wal_max_pages > 0)
		return s->wal_max_pages;
	if (statvfs(s->path, &fs) != 0)
		return STORE_WAL_MIN_PAGES;
	quarter = (unsigned long long)fs.f_bavail * fs.f_frsize / 4 / 4096;
	if (quarter < STORE_WAL_MIN_PAGES)
		return STORE_WAL_MIN_PAGES;
	return quarter > STORE_WAL_MAX_PAGES ? STORE_WAL_MAX_PAGES : (int)quarter;
}

/* Called by SQLite after every commit with the WAL's size in pages. */
static int store_wal_hook(void *ctx, sqlite3 *db, const char *name, int pages)
{
	struct store *s = ctx;
	struct store_ckpt *c = &s->ckpt;

	if (pages < STORE_CKPT_PAGES)
		return SQLITE_OK;
	if (!c->started || (pages >= STORE_WAL_MIN_PAGES && pages >= store_wal_bound(s))) {
		int rc = sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);

		/* the commit itself succeeded; a failed checkpoint is retried
		 * after the next one and counted */
		pthread_mutex_lock(&c->mu);
		c->in_loop++;
		if (rc != SQLITE_OK) {
			c->failures++;
			snprintf(c->err, sizeof c->err, "%s", sqlite3_errmsg(db));
		}
		pthread_mutex_unlock(&c->mu);
		return SQLITE_OK;
	}
	pthread_mutex_lock(&c->mu);
	c->wanted = true;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	return SQLITE_OK;
}

/* Without the helper the store still works: the hook checkpoints in the
 * loop, as SQLite's own autocheckpoint would. */
static void store_ckpt_start(struct store *s, const char *path)
{
	struct store_ckpt *c = &s->ckpt;
	sigset_t all, old;

	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	sqlite3_wal_hook(s->db, store_wal_hook, s);
	/* A connection opens the file lazily: until it has read something it
	 * does not know the database is in WAL mode, and a checkpoint on it
	 * quietly does nothing (it did, in the first session, for every run). */
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK ||
	    sqlite3_exec(c->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) !=
		    SQLITE_OK) {
		snprintf(c->err, sizeof c->err, "checkpoint connection: %s",
			 c->db ? sqlite3_errmsg(c->db) : "out of memory");
		sqlite3_close(c->db);
		c->db = NULL;
		return;
	}
	/* signals belong to the loop's thread */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	c->started = pthread_create(&c->thread, NULL, store_ckpt_main, c) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!c->started) {
		snprintf(c->err, sizeof c->err, "checkpoint thread: %s", strerror(errno));
		sqlite3_close(c->db);
		c->db = NULL;
	}
}

static void store_ckpt_stop(struct store *s)
{
	struct store_ckpt *c = &s->ckpt;

	if (c->started) {
		pthread_mutex_lock(&c->mu);
		c->stop = true;
		pthread_cond_signal(&c->cv);
		pthread_mutex_unlock(&c->mu);
		pthread_join(c->thread, NULL);
		c->started = false;
		sqlite3_close(c->db);
		c->db = NULL;
	}
	sqlite3_wal_hook(s->db, NULL, NULL);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
}

void store_checkpoint_stats(struct store *s, struct store_checkpoint_stats *out)
{
	struct store_ckpt *c = &s->ckpt;

	pthread_mutex_lock(&c->mu);
	out->helper = c->started;
	out->runs = c->runs;
	out->copying = c->copying;
	out->in_loop = c->in_loop;
	out->failures = c->failures;
	snprintf(out->last_error, sizeof out->last_error, "%s", c->err);
	pthread_mutex_unlock(&c->mu);
}

/* ---- open, schema, close ---- */

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
	for (char *p = dir + 1; ; p++) {
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
			snprintf(err, errlen, "cannot create directory %s: %s", dir, strerror(errno));
			return -1;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	return 0;
}

static int store_exec(struct store *s, const char *sql, const char *what)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		store_set_err(s, "%s: %s", what, msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* Reads one text value with a throwaway statement (before the kept ones
 * exist). 0 found, 1 absent, -1 error. */
static int store_query_text(struct store *s, const char *sql, char *buf, size_t len)
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

static int store_migrate(struct store *s)
{
	char buf[32], sql[160];
	char *end;
	long version;
	int r;

	if (store_exec(s, "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY NOT NULL,"
		       " value TEXT NOT NULL)", "create meta") < 0)
		return -1;
	r = store_query_text(s, "SELECT value FROM meta WHERE key = '"
			     STORE_SCHEMA_VERSION_KEY "'", buf, sizeof buf);
	if (r < 0)
		return -1;
	version = 0;
	if (r == 0) {
		errno = 0;
		version = strtol(buf, &end, 10);
		if (errno || end == buf || *end || version < 0) {
			store_set_err(s, "meta.schema_version is not a version: \"%.20s\"", buf);
			return -1;
		}
	}
	if (version > STORE_SCHEMA_VERSION) {
		store_set_err(s, "the database has schema version %ld, newer than this faxtop"
			      " understands (%d); use a newer faxtop or another --db",
			      version, STORE_SCHEMA_VERSION);
		return -1;
	}
	for (long v = version; v < STORE_SCHEMA_VERSION; v++) {
		snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO meta (key, value) VALUES ('"
			 STORE_SCHEMA_VERSION_KEY "', '%ld')", v + 1);
		if (store_exec(s, "BEGIN IMMEDIATE", "migration") < 0)
			return -1;
		if (store_exec(s, store_migrations[v], "migration") < 0 ||
		    store_exec(s, sql, "migration") < 0 ||
		    store_exec(s, "COMMIT", "migration") < 0) {
			char keep[sizeof s->err];

			memcpy(keep, s->err, sizeof keep);
			if (!sqlite3_get_autocommit(s->db))
				store_exec(s, "ROLLBACK", "migration rollback");
			store_set_err(s, "schema step %ld: %s", v + 1, keep);
			return -1;
		}
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
		store_set_err(s, "cannot switch the database to WAL mode (journal_mode is %s)", mode);
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
	s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->retention_days = opts->retention_days;
	s->wal_max_pages = opts->wal_max_pages;
	s->path = strdup(opts->path);
	if (!s->path) {
		free(s);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->recent_events = opts->recent_events;
	s->balance_samples = opts->balance_samples ? opts->balance_samples : MODEL_BALANCE_SAMPLES;
	s->ok = true;
	existed = stat(opts->path, &sb) == 0;

	rc = sqlite3_open_v2(opts->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			     SQLITE_OPEN_NOMUTEX, NULL);
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
	for (int i = 0; i < ST_COUNT; i++) {
		if (sqlite3_prepare_v3(s->db, store_stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
				       &s->st[i], NULL) != SQLITE_OK) {
			snprintf(err, errlen, "%s: preparing \"%.40s…\": %s", opts->path,
				 store_stmt_sql[i], sqlite3_errmsg(s->db));
			goto fail;
		}
	}
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
	if (s->in_tx || s->n_waiters)
		store_commit(s);
	store_ckpt_stop(s);
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	/* the last connection to close checkpoints and removes the WAL */
	sqlite3_close(s->db);
	free(s->waiters);
	free(s->spare);
	free(s->rec_attempts.p);
	free(s->rec_tags.p);
	free(s->path);
	free(s);
}

/* ---- commit ---- */

int store_on_commit(struct store *s, store_commit_cb cb, void *ctx)
{
	if (s->n_waiters == s->cap_waiters) {
		size_t cap = s->cap_waiters ? s->cap_waiters * 2 : 64;
		struct store_waiter *w = realloc(s->waiters, cap * sizeof *w);

		if (!w) {
			store_set_err(s, "commit callback: out of memory");
			return -1;
		}
		s->waiters = w;
		s->cap_waiters = cap;
	}
	s->waiters[s->n_waiters++] = (struct store_waiter){ cb, ctx };
	return 0;
}

bool store_pending(const struct store *s)
{
	return s->in_tx;
}

/* Callbacks may register for the next batch while these run, so the list
 * is swapped out first. */
static void store_run_waiters(struct store *s, bool ok)
{
	struct store_waiter *w = s->waiters;
	size_t n = s->n_waiters, cap = s->cap_waiters;

	s->waiters = s->spare;
	s->cap_waiters = s->cap_spare;
	s->n_waiters = 0;
	for (size_t i = 0; i < n; i++)
		w[i].cb(w[i].ctx, ok);
	s->spare = w;
	s->cap_spare = cap;
}

static void store_rollback(struct store *s)
{
	char keep[sizeof s->err];

	if (sqlite3_get_autocommit(s->db))
		return;
	memcpy(keep, s->err, sizeof keep);
	if (store_step_write(s, s->st[ST_ROLLBACK], "rollback") < 0) {
		char also[sizeof s->err];

		memcpy(also, s->err, sizeof also);
		store_set_err(s, "%.240s; then %.240s", keep, also);
		return;
	}
	memcpy(s->err, keep, sizeof keep);
}

int store_commit(struct store *s)
{
	int rc = 0;

	if (s->committing)
		return 0;
	s->committing = true;
	if (s->in_tx) {
		if (s->doomed) {
			store_set_err(s, "%s", s->doom_err);
			rc = -1;
		} else if (s->fault) {
			store_set_err(s, "commit: failure injected (fault switch)");
			rc = -1;
		} else {
			s->in_tx = false;   /* a failed COMMIT must not doom a batch that is gone */
			rc = store_step_write(s, s->st[ST_COMMIT], "commit");
		}
		if (rc < 0) {
			store_rollback(s);
			s->recover_ckpt = true;
		}
		s->in_tx = false;
		s->doomed = false;
		s->ok = rc == 0;
	} else if (s->fault && s->n_waiters) {
		store_set_err(s, "commit: failure injected (fault switch)");
		rc = -1;
		s->ok = false;
	}
	store_run_waiters(s, rc == 0);
	s->committing = false;
	return rc;
}

/* Commits before the loop sleeps. Callbacks may queue more writes (a cursor
 * update after a page); those are committed in the same pass so they never
 * wait for the next wake-up. */
static void store_prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct store *s = w->data;

	(void)loop;
	(void)revents;
	for (int i = 0; i < 4 && (s->in_tx || s->n_waiters); i++)
		store_commit(s);
}

void store_attach(struct store *s, struct ev_loop *loop)
{
	store_detach(s);
	s->loop = loop;
	ev_prepare_init(&s->prepare, store_prepare_cb);
	s->prepare.data = s;
	ev_set_priority(&s->prepare, EV_MAXPRI);
	ev_prepare_start(loop, &s->prepare);
}

void store_detach(struct store *s)
{
	if (!s->loop)
		return;
	ev_prepare_stop(s->loop, &s->prepare);
	s->loop = NULL;
}

/* ---- writes ---- */

int store_put_event(struct store *s, const struct event *ev, const char *raw, size_t raw_len,
		    enum event_source src, int64_t received_ms)
{
	sqlite3_stmt *st = s->st[ST_PUT_EVENT];
	char *made = NULL;
	int r;

	if (!ev || !ev->id || !ev->id[0]) {
		store_set_err(s, "event without an id");
		return -1;
	}
	if (!raw) {
		made = wire_event_to_json(ev);
		if (!made) {
			store_set_err(s, "event %.64s: out of memory", ev->id);
			return -1;
		}
		raw = made;
		raw_len = strlen(made);
	}
	if (raw_len > INT32_MAX) {
		free(made);
		store_set_err(s, "event %.64s: body too large", ev->id);
		return -1;
	}
	if (store_begin(s) < 0) {
		free(made);
		return -1;
	}
	if (bind_text(st, 1, ev->id) ||
	    bind_text(st, 2, ev->type_name ? ev->type_name : event_type_name(ev->type)) ||
	    sqlite3_bind_int64(st, 3, ev->created) ||
	    sqlite3_bind_int64(st, 4, received_ms) ||
	    bind_text(st, 5, event_source_name(src)) ||
	    bind_text(st, 6, ev->object == EVOBJ_FAX ? ev->fax.id : NULL) ||
	    sqlite3_bind_blob(st, 7, raw, (int)raw_len, SQLITE_STATIC))
		r = store_bind_fail(s, st, "store event");
	else
		r = store_step_write(s, st, "store event");
	free(made);
	return r;
}

int store_put_fax(struct store *s, const struct model_fax *mf)
{
	sqlite3_stmt *st = s->st[ST_PUT_FAX];
	const struct fax *f;

	if (!mf || !mf->fax.id || !mf->fax.id[0]) {
		store_set_err(s, "fax without an id");
		return -1;
	}
	f = &mf->fax;
	record_attempts(&s->rec_attempts, f);
	record_tags(&s->rec_tags, f);
	if (s->rec_attempts.oom || s->rec_tags.oom)
		return store_write_fail(s, "store fax", "out of memory");
	if (store_begin(s) < 0)
		return -1;
	if (bind_text(st, 1, f->id) ||
	    bind_text(st, 2, f->status != FAX_STATUS_NONE ? fax_status_name(f->status) : NULL) ||
	    bind_text(st, 3, f->to) ||
	    (f->pages < 0 ? sqlite3_bind_null(st, 4) : sqlite3_bind_int(st, 4, f->pages)) ||
	    bind_text(st, 5, f->error_code) ||
	    bind_text(st, 6, f->error_subcode) ||
	    bind_text(st, 7, f->error_message) ||
	    sqlite3_bind_int(st, 8, f->max_attempts) ||
	    bind_text(st, 9, f->webhook_url) ||
	    bind_text(st, 10, f->idempotency_key) ||
	    bind_text(st, 11, f->csid) ||
	    bind_text(st, 12, f->page_size) ||
	    bind_text(st, 13, f->resolution) ||
	    bind_text(st, 14, f->optimize_for) ||
	    bind_text(st, 15, f->resent_from) ||
	    bind_ts(st, 16, f->submitted_at) ||
	    bind_ts(st, 17, f->completed_at) ||
	    bind_ts(st, 18, f->created_at) ||
	    bind_ts(st, 19, f->updated_at) ||
	    sqlite3_bind_blob(st, 20, s->rec_attempts.p, (int)s->rec_attempts.len, SQLITE_STATIC) ||
	    sqlite3_bind_blob(st, 21, s->rec_tags.p, (int)s->rec_tags.len, SQLITE_STATIC) ||
	    bind_text(st, 22, event_source_name(mf->last_source)) ||
	    bind_ts(st, 23, mf->last_update_ms) ||
	    sqlite3_bind_int64(st, 24, mf->anomalies) ||
	    bind_text(st, 25, mf->anomaly))
		return store_bind_fail(s, st, "store fax");
	return store_step_write(s, st, "store fax");
}

int store_put_balance(struct store *s, const struct balance_snapshot *b, int64_t at_ms)
{
	sqlite3_stmt *st = s->st[ST_PUT_BALANCE];

	if (!b) {
		store_set_err(s, "no balance");
		return -1;
	}
	if (store_begin(s) < 0)
		return -1;
	if (sqlite3_bind_int64(st, 1, at_ms) ||
	    (b->has_available ? sqlite3_bind_int64(st, 2, b->available) : sqlite3_bind_null(st, 2)) ||
	    (b->has_held ? sqlite3_bind_int64(st, 3, b->held) : sqlite3_bind_null(st, 3)) ||
	    bind_text(st, 4, b->environment_id) ||
	    bind_text(st, 5, b->currency) ||
	    bind_text(st, 6, b->type) ||
	    sqlite3_bind_int(st, 7, b->auto_top_up_enabled) ||
	    (b->auto_top_up_threshold < 0 ? sqlite3_bind_null(st, 8) :
	     sqlite3_bind_int64(st, 8, b->auto_top_up_threshold)))
		return store_bind_fail(s, st, "store balance");
	if (store_step_write(s, st, "store balance") < 0)
		return -1;
	if (!b->has_available)
		return 0;
	/* The history keeps its newest balance_samples, as the model does. */
	st = s->st[ST_PUT_SAMPLE];
	if (sqlite3_bind_int64(st, 1, at_ms) || sqlite3_bind_int64(st, 2, b->available) ||
	    (b->has_held ? sqlite3_bind_int64(st, 3, b->held) : sqlite3_bind_null(st, 3)))
		return store_bind_fail(s, st, "store balance sample");
	if (store_step_write(s, st, "store balance sample") < 0)
		return -1;
	st = s->st[ST_PRUNE_SAMPLES];
	if (sqlite3_bind_int64(st, 1, (int64_t)s->balance_samples - 1))
		return store_bind_fail(s, st, "prune balance samples");
	return store_step_write(s, st, "prune balance samples");
}

int store_quarantine(struct store *s, const char *raw, size_t len, const char *reason,
		     int64_t received_ms)
{
	sqlite3_stmt *st = s->st[ST_QUARANTINE];

	if (len > INT32_MAX) {
		store_set_err(s, "quarantine: body too large");
		return -1;
	}
	if (store_begin(s) < 0)
		return -1;
	if (sqlite3_bind_int64(st, 1, received_ms) ||
	    bind_text(st, 2, reason ? reason : "") ||
	    sqlite3_bind_blob(st, 3, raw ? raw : "", raw ? (int)len : 0, SQLITE_STATIC))
		return store_bind_fail(s, st, "quarantine");
	return store_step_write(s, st, "quarantine");
}

int store_put_resend(struct store *s, const struct store_resend *r)
{
	sqlite3_stmt *st = s->st[ST_PUT_RESEND];

	if (!r || !r->fax_id) {
		store_set_err(s, "resend without a fax id");
		return -1;
	}
	if (store_begin(s) < 0)
		return -1;
	if (sqlite3_bind_int64(st, 1, r->at_ms) ||
	    bind_text(st, 2, r->fax_id) ||
	    bind_text(st, 3, r->new_fax_id) ||
	    bind_text(st, 4, r->error) ||
	    bind_text(st, 5, r->idempotency_key) ||
	    bind_text(st, 6, r->request_id) ||
	    bind_text(st, 7, r->to) ||
	    sqlite3_bind_int(st, 8, r->max_attempts) ||
	    bind_text(st, 9, r->who))
		return store_bind_fail(s, st, "store resend");
	return store_step_write(s, st, "store resend");
}

/* ---- the resend ledger and triage decisions ---- */

int store_ledger_put(struct store *s, const struct store_ledger_row *r)
{
	sqlite3_stmt *st = s->st[ST_LEDGER_PUT];

	if (!r || !r->key || !r->fax_id || !r->state) {
		store_set_err(s, "ledger row without a key, fax id or state");
		return -1;
	}
	if (store_begin(s) < 0)
		return -1;
	if (bind_text(st, 1, r->key) || bind_text(st, 2, r->fax_id) ||
	    bind_text(st, 3, r->state) || bind_text(st, 4, r->to) ||
	    sqlite3_bind_int(st, 5, r->max_attempts) ||
	    sqlite3_bind_int64(st, 6, r->created_ms) ||
	    sqlite3_bind_int64(st, 7, r->updated_ms) || bind_text(st, 8, r->new_fax_id) ||
	    bind_text(st, 9, r->request_id) || bind_text(st, 10, r->error) ||
	    bind_text(st, 11, r->who))
		return store_bind_fail(s, st, "store ledger row");
	return store_step_write(s, st, "store ledger row");
}

/* Runs fn on every row st yields (strings lent for the call). The number
 * of rows, or -1. */
static int store_ledger_rows(struct store *s, sqlite3_stmt *st, store_ledger_fn fn, void *ctx)
{
	int rc, n = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_ledger_row r = {
			.key = col_text(st, 0),
			.fax_id = col_text(st, 1),
			.state = col_text(st, 2),
			.to = col_text(st, 3),
			.max_attempts = sqlite3_column_int(st, 4),
			.created_ms = sqlite3_column_int64(st, 5),
			.updated_ms = sqlite3_column_int64(st, 6),
			.new_fax_id = col_text(st, 7),
			.request_id = col_text(st, 8),
			.error = col_text(st, 9),
			.who = col_text(st, 10),
		};

		n++;
		if (r.key && r.fax_id && r.state)
			fn(ctx, &r);
	}
	if (rc != SQLITE_DONE)
		n = store_read_fail(s, "read the resend ledger");
	sqlite3_reset(st);
	return n;
}

int store_ledger_newest(struct store *s, const char *fax_id, store_ledger_fn fn, void *ctx)
{
	sqlite3_stmt *st = s->st[ST_LEDGER_NEWEST];
	int n;

	if (!fax_id || bind_text(st, 1, fax_id) != SQLITE_OK) {
		sqlite3_reset(st);
		store_set_err(s, "ledger: bad fax id");
		return -1;
	}
	n = store_ledger_rows(s, st, fn, ctx);
	return n < 0 ? -1 : n == 0;
}

int store_ledger_each_pending(struct store *s, store_ledger_fn fn, void *ctx)
{
	return store_ledger_rows(s, s->st[ST_LEDGER_PENDING], fn, ctx) < 0 ? -1 : 0;
}

int store_triage_put(struct store *s, const char *fax_id, const char *state, const char *note,
		     int64_t at_ms)
{
	sqlite3_stmt *st = s->st[ST_TRIAGE_PUT];

	if (!fax_id || !state) {
		store_set_err(s, "triage without a fax id or state");
		return -1;
	}
	if (store_begin(s) < 0)
		return -1;
	if (bind_text(st, 1, fax_id) || bind_text(st, 2, state) || bind_text(st, 3, note) ||
	    sqlite3_bind_int64(st, 4, at_ms))
		return store_bind_fail(s, st, "store triage");
	return store_step_write(s, st, "store triage");
}

int store_triage_del(struct store *s, const char *fax_id)
{
	sqlite3_stmt *st = s->st[ST_TRIAGE_DEL];

	if (store_begin(s) < 0)
		return -1;
	if (bind_text(st, 1, fax_id))
		return store_bind_fail(s, st, "delete triage");
	return store_step_write(s, st, "delete triage");
}

int store_triage_each(struct store *s, store_triage_fn fn, void *ctx)
{
	sqlite3_stmt *st = s->st[ST_TRIAGE_EACH];
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (col_text(st, 0) && col_text(st, 1))
			fn(ctx, col_text(st, 0), col_text(st, 1), col_text(st, 2),
			   sqlite3_column_int64(st, 3));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_read_fail(s, "read triage");
}

int store_meta_set(struct store *s, const char *key, const char *value)
{
	sqlite3_stmt *st = s->st[ST_META_SET];

	if (!key || !value) {
		store_set_err(s, "meta: missing key or value");
		return -1;
	}
	if (store_begin(s) < 0)
		return -1;
	if (bind_text(st, 1, key) || bind_text(st, 2, value))
		return store_bind_fail(s, st, "meta set");
	return store_step_write(s, st, "meta set");
}

int store_prune(struct store *s, int64_t now_ms)
{
	int64_t cutoff;

	if (s->retention_days <= 0)
		return 0;
	cutoff = now_ms - (int64_t)s->retention_days * 86400000;
	if (store_begin(s) < 0)
		return -1;
	if (sqlite3_bind_int64(s->st[ST_PRUNE_EVENTS], 1, cutoff))
		return store_bind_fail(s, s->st[ST_PRUNE_EVENTS], "prune events");
	if (store_step_write(s, s->st[ST_PRUNE_EVENTS], "prune events") < 0)
		return -1;
	/* quarantined bodies age out with the events they failed to be */
	if (sqlite3_bind_int64(s->st[ST_PRUNE_QUARANTINE], 1, cutoff))
		return store_bind_fail(s, s->st[ST_PRUNE_QUARANTINE], "prune quarantine");
	return store_step_write(s, s->st[ST_PRUNE_QUARANTINE], "prune quarantine");
}

/* ---- reads ---- */

static int store_has_event_stmt(struct store *s, sqlite3_stmt *st, const char *event_id,
				int64_t created)
{
	int rc;

	if (!event_id)
		return 0;
	if (bind_text(st, 1, event_id) != SQLITE_OK ||
	    (st == s->st[ST_HAS_EVENT_AT] && sqlite3_bind_int64(st, 2, created) != SQLITE_OK)) {
		sqlite3_reset(st);
		return store_read_fail(s, "look up event");
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_read_fail(s, "look up event");
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW;
}

int store_has_event(struct store *s, const char *event_id)
{
	return store_has_event_stmt(s, s->st[ST_HAS_EVENT], event_id, 0);
}

int store_has_event_at(struct store *s, const char *event_id, int64_t created)
{
	return store_has_event_stmt(s, s->st[ST_HAS_EVENT_AT], event_id, created);
}

int store_meta_get(struct store *s, const char *key, char *buf, size_t len)
{
	sqlite3_stmt *st = s->st[ST_META_GET];
	int rc, r;

	if (!key || bind_text(st, 1, key) != SQLITE_OK) {
		sqlite3_reset(st);
		store_set_err(s, "meta get: bad key");
		return -1;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *v = col_text(st, 0);
		size_t n = v ? strlen(v) : 0;

		if (n >= len) {
			store_set_err(s, "meta %.64s: value longer than the %zu-byte buffer", key, len);
			r = -1;
		} else {
			memcpy(buf, v ? v : "", n + 1);
			r = 0;
		}
	} else if (rc == SQLITE_DONE) {
		r = 1;
	} else {
		r = store_read_fail(s, "meta get");
	}
	sqlite3_reset(st);
	return r;
}

size_t store_event_count(struct store *s)
{
	sqlite3_stmt *st = s->st[ST_EVENT_COUNT];
	size_t n = 0;

	if (sqlite3_step(st) == SQLITE_ROW)
		n = (size_t)sqlite3_column_int64(st, 0);
	else
		store_read_fail(s, "count events");
	sqlite3_reset(st);
	return n;
}

int store_each_event_id(struct store *s, void (*fn)(void *ctx, const char *id), void *ctx)
{
	sqlite3_stmt *st = s->st[ST_EACH_EVENT];
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(ctx, col_text(st, 0));
	if (rc != SQLITE_DONE) {
		store_read_fail(s, "list events");
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return 0;
}

int store_get_fax(struct store *s, const char *fax_id, struct fax *out, int64_t *last_update_ms,
		  enum event_source *last_source)
{
	sqlite3_stmt *st = s->st[ST_GET_FAX];
	struct store_scratch sc = { 0 };
	struct fax lent;
	int64_t lu;
	enum event_source ls;
	int rc, r;

	fax_init(out);
	if (!fax_id || bind_text(st, 1, fax_id) != SQLITE_OK) {
		sqlite3_reset(st);
		store_set_err(s, "get fax: bad id");
		return -1;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		r = 1;
	} else if (rc != SQLITE_ROW) {
		r = store_read_fail(s, "get fax");
	} else if (store_row_to_fax(s, st, &sc, &lent, &lu, &ls) < 0) {
		r = -1;
	} else if (fax_copy(out, &lent) < 0) {
		store_set_err(s, "get fax: out of memory");
		r = -1;
	} else {
		if (last_update_ms)
			*last_update_ms = lu;
		if (last_source)
			*last_source = ls;
		r = 0;
	}
	sqlite3_reset(st);
	scratch_done(&sc);
	return r;
}

int store_get_balance(struct store *s, struct balance_snapshot *out, int64_t *at_ms)
{
	sqlite3_stmt *st = s->st[ST_GET_BALANCE];
	struct balance_snapshot lent;
	int rc, r;

	balance_snapshot_init(out);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		r = 1;
	} else if (rc != SQLITE_ROW) {
		r = store_read_fail(s, "get balance");
	} else {
		balance_snapshot_init(&lent);
		lent.has_available = sqlite3_column_type(st, 1) != SQLITE_NULL;
		lent.available = sqlite3_column_int64(st, 1);
		lent.has_held = sqlite3_column_type(st, 2) != SQLITE_NULL;
		lent.held = sqlite3_column_int64(st, 2);
		lent.environment_id = (char *)col_text(st, 3);
		lent.currency = (char *)col_text(st, 4);
		lent.type = (char *)col_text(st, 5);
		lent.auto_top_up_enabled = sqlite3_column_int(st, 6) != 0;
		lent.auto_top_up_threshold = sqlite3_column_type(st, 7) == SQLITE_NULL ? -1 :
			sqlite3_column_int64(st, 7);
		if (at_ms)
			*at_ms = sqlite3_column_int64(st, 0);
		if (balance_snapshot_copy(out, &lent) < 0) {
			store_set_err(s, "get balance: out of memory");
			r = -1;
		} else {
			r = 0;
		}
	}
	sqlite3_reset(st);
	return r;
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

/* ---- rebuilding the model ---- */

/* Up to `max` faxes below s->load_before, newest first (by rowid: the order
 * they were first stored, close to creation order, which the model's index
 * takes at O(1) either way). Each chunk is a whole statement, so nothing is
 * held open between chunks. 1 while more remain, 0 when done, -1 on error. */
int store_load_step(struct store *s, struct model *m, size_t max)
{
	sqlite3_stmt *st = s->st[ST_LOAD_FAXES];
	struct store_scratch sc = { 0 };
	struct fax f;
	int64_t lu;
	enum event_source ls;
	size_t rows = 0;
	int rc, r;

	if (max == 0 || max > INT32_MAX)
		max = INT32_MAX;
	if (sqlite3_bind_int64(st, 1, s->load_before) || sqlite3_bind_int64(st, 2, (int64_t)max)) {
		sqlite3_reset(st);
		return store_read_fail(s, "load faxes");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rows++;
		s->load_done++;
		s->load_before = sqlite3_column_int64(st, FAX_COLUMN_COUNT);
		/* One damaged row must not keep faxtop from starting: it is
		 * skipped, counted and shown, and the poller fetches it again. */
		if (store_row_to_fax(s, st, &sc, &f, &lu, &ls) < 0) {
			s->load_damaged++;
			model_log(m, s->load_now, NULL, "store", col_text(st, 0), SRC_REPLAY,
				  APPLY_INVALID, "damaged fax row skipped at start-up");
			continue;
		}
		/* the stored time of the last change, so ages survive a restart */
		model_apply_fax(m, &f, SRC_REPLAY, lu != TS_NONE ? lu : s->load_now);
		if (sqlite3_column_int64(st, 23) > 0)
			model_restore_anomalies(m, f.id, (unsigned)sqlite3_column_int64(st, 23),
						col_text(st, 24));
	}
	r = rc == SQLITE_DONE ? (rows == max ? 1 : 0) : store_read_fail(s, "load faxes");
	sqlite3_reset(st);
	scratch_done(&sc);
	if (r == 0 && s->load_done > s->load_total)
		s->load_total = s->load_done;
	return r;
}

/* The kept history first, oldest first; then the newest reading, which is
 * also the newest sample (one instant: it replaces it). */
static int store_load_balance(struct store *s, struct model *m)
{
	sqlite3_stmt *st = s->st[ST_LOAD_SAMPLES];
	struct balance_snapshot b;
	int64_t at;
	int r, rc;

	if (sqlite3_bind_int64(st, 1, (int64_t)s->balance_samples) != SQLITE_OK) {
		sqlite3_reset(st);
		return store_read_fail(s, "load balance samples");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct model_balance_sample sm = {
			sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
			sqlite3_column_int64(st, 2)
		};

		model_restore_balance_sample(m, &sm);
	}
	r = rc == SQLITE_DONE ? 0 : store_read_fail(s, "load balance samples");
	sqlite3_reset(st);
	if (r < 0)
		return -1;
	r = store_get_balance(s, &b, &at);
	if (r == 0)
		model_apply_balance(m, &b, SRC_REPLAY, at);
	balance_snapshot_done(&b);
	return r < 0 ? -1 : 0;
}

static int store_load_recent(struct store *s, struct model *m)
{
	sqlite3_stmt *st = s->st[ST_RECENT_EVENTS];
	int rc;

	if (!s->recent_events)
		return 0;
	if (sqlite3_bind_int64(st, 1, s->recent_events > INT64_MAX ? INT64_MAX :
			       (int64_t)s->recent_events) != SQLITE_OK) {
		sqlite3_reset(st);
		return store_read_fail(s, "load recent events");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = col_text(st, 0);
		const char *src = col_text(st, 3);

		if (!id)
			continue;
		model_mark_seen(m, id);
		model_log(m, sqlite3_column_int64(st, 2), id, col_text(st, 1), col_text(st, 4),
			  event_source_from_name(src ? src : ""), APPLY_OK, "from the store");
	}
	if (rc != SQLITE_DONE) {
		store_read_fail(s, "load recent events");
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return 0;
}

size_t store_load_damaged(const struct store *s)
{
	return s->load_damaged;
}

int store_load_begin(struct store *s, struct model *m, int64_t now_ms)
{
	sqlite3_stmt *st = s->st[ST_FAX_COUNT];
	int rc;

	s->load_before = INT64_MAX;
	s->load_now = now_ms;
	s->load_done = 0;
	rc = sqlite3_step(st);
	s->load_total = rc == SQLITE_ROW ? (size_t)sqlite3_column_int64(st, 0) : 0;
	if (rc != SQLITE_ROW) {
		store_read_fail(s, "count faxes");
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	if (store_load_balance(s, m) < 0 || store_load_recent(s, m) < 0)
		return -1;
	return 0;
}

void store_load_progress(const struct store *s, size_t *done, size_t *total)
{
	*done = s->load_done;
	*total = s->load_total;
}

int store_load(struct store *s, struct model *m, int64_t now_ms)
{
	int r = store_load_begin(s, m, now_ms);

	while (r == 0 && (r = store_load_step(s, m, 0)) == 1)
		r = 0;
	return r;
}
