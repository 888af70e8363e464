/* The SQLite store, against real database files under the test's tmpdir. */
#include "config.h"

#include <ev.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/model/event.h"
#include "core/model/model.h"
#include "core/store/store.h"
#include "tests/unit/unit.h"

#define T0     1700000000000LL /* 2023-11-14, a fixed "now" */
#define DAY_MS 86400000LL

static char *db_path(const char *name)
{
	static char path[512];

	snprintf(path, sizeof path, "%s/store/%s/faxtop.db", unit_tmpdir(), name);
	return path;
}

static struct store *open_db(const char *name, int retention_days)
{
	struct store_opts o = { .path = db_path(name),
				.retention_days = retention_days,
				.recent_events = 100 };
	char err[512] = "";
	struct store *s = store_open(&o, err, sizeof err);

	if (!s)
		fprintf(stderr, "store_open(%s): %s\n", name, err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	return s;
}

/* A second, independent connection for looking behind the store's back. */
static sqlite3 *peek_open(const char *name)
{
	sqlite3 *db = NULL;

	CU_ASSERT_EQUAL_FATAL(sqlite3_open(db_path(name), &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 1000);
	return db;
}

static long long peek_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;

	CU_ASSERT_EQUAL_FATAL(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void mk_event(struct event *ev, const char *id, enum event_type t, const char *fax_id)
{
	event_init(ev);
	ev->id = strdup(id);
	ev->type = t;
	ev->type_name = strdup(event_type_name(t));
	ev->created = T0 / 1000;
	if (fax_id) {
		ev->object = EVOBJ_FAX;
		fax_init(&ev->fax);
		ev->fax.id = strdup(fax_id);
		ev->fax.status = event_type_status(t);
	}
}

/* A fax.queued event for fax_1 stored with the given raw body. */
static int put_raw_event(struct store *s, const char *id, const char *raw, size_t len,
			 int64_t received)
{
	struct event ev;
	int r;

	mk_event(&ev, id, EV_FAX_QUEUED, "fax_1");
	r = store_put_event(s, &ev, raw, len, SRC_WEBHOOK, received);
	event_done(&ev);
	return r;
}

static int put_event(struct store *s, const char *id, int64_t received)
{
	char raw[128];

	snprintf(raw, sizeof raw, "{\"id\":\"%s\",\"type\":\"fax.queued\"}", id);
	return put_raw_event(s, id, raw, strlen(raw), received);
}

/* A fax with every field set, two attempts (one in progress) and tags. */
static void mk_full_fax(struct model_fax *mf, const char *id, int64_t created)
{
	struct fax *f = &mf->fax;

	memset(mf, 0, sizeof *mf);
	fax_init(f);
	f->id = strdup(id);
	f->status = FAX_FAILED;
	f->to = strdup("+12125551234");
	f->pages = 3;
	f->error_code = strdup("busy");
	f->error_subcode = strdup("sub.x");
	f->error_message = strdup("Line busy \xe2\x80\x94 try later");
	f->max_attempts = 5;
	f->webhook_url = strdup("https://example.test/hook");
	f->idempotency_key = strdup("idem-1");
	f->csid = strdup("ACME");
	f->page_size = strdup("a4");
	f->resolution = strdup("fine");
	f->optimize_for = strdup("photo");
	f->resent_from = strdup("fax_original");
	f->submitted_at = created + 1000;
	f->completed_at = created + 90000;
	f->created_at = created;
	f->updated_at = created + 90001;
	f->n_attempts = 2;
	f->attempts = calloc(2, sizeof *f->attempts);
	fax_attempt_init(&f->attempts[0]);
	f->attempts[0].number = 1;
	f->attempts[0].started_at = created + 2000;
	f->attempts[0].completed_at = created + 30000;
	f->attempts[0].duration_ms = 28000;
	f->attempts[0].error_code = strdup("no_answer");
	f->attempts[0].error_subcode = NULL;
	f->attempts[0].error_message = strdup("");
	fax_attempt_init(&f->attempts[1]);
	f->attempts[1].number = 2;
	f->attempts[1].started_at = created + 60000;
	f->attempts[1].completed_at = TS_NONE;
	f->attempts[1].duration_ms = -1;
	f->n_tags = 2;
	f->tags = calloc(2, sizeof *f->tags);
	f->tags[0].key = strdup("customer");
	f->tags[0].value = strdup("42");
	f->tags[1].key = strdup("plain");
	f->tags[1].value = strdup("");
	mf->last_update_ms = created + 123456;
	mf->last_source = SRC_POLL;
}

static bool str_same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void assert_fax_equal(const struct fax *a, const struct fax *b)
{
	CU_ASSERT_TRUE(str_same(a->id, b->id));
	CU_ASSERT_EQUAL(a->status, b->status);
	CU_ASSERT_TRUE(str_same(a->to, b->to));
	CU_ASSERT_EQUAL(a->pages, b->pages);
	CU_ASSERT_TRUE(str_same(a->error_code, b->error_code));
	CU_ASSERT_TRUE(str_same(a->error_subcode, b->error_subcode));
	CU_ASSERT_TRUE(str_same(a->error_message, b->error_message));
	CU_ASSERT_EQUAL(a->max_attempts, b->max_attempts);
	CU_ASSERT_TRUE(str_same(a->webhook_url, b->webhook_url));
	CU_ASSERT_TRUE(str_same(a->idempotency_key, b->idempotency_key));
	CU_ASSERT_TRUE(str_same(a->csid, b->csid));
	CU_ASSERT_TRUE(str_same(a->page_size, b->page_size));
	CU_ASSERT_TRUE(str_same(a->resolution, b->resolution));
	CU_ASSERT_TRUE(str_same(a->optimize_for, b->optimize_for));
	CU_ASSERT_TRUE(str_same(a->resent_from, b->resent_from));
	CU_ASSERT_EQUAL(a->submitted_at, b->submitted_at);
	CU_ASSERT_EQUAL(a->completed_at, b->completed_at);
	CU_ASSERT_EQUAL(a->created_at, b->created_at);
	CU_ASSERT_EQUAL(a->updated_at, b->updated_at);
	CU_ASSERT_EQUAL_FATAL(a->n_attempts, b->n_attempts);
	for (size_t i = 0; i < a->n_attempts; i++) {
		const struct fax_attempt *x = &a->attempts[i], *y = &b->attempts[i];

		CU_ASSERT_EQUAL(x->number, y->number);
		CU_ASSERT_EQUAL(x->started_at, y->started_at);
		CU_ASSERT_EQUAL(x->completed_at, y->completed_at);
		CU_ASSERT_EQUAL(x->duration_ms, y->duration_ms);
		CU_ASSERT_TRUE(str_same(x->error_code, y->error_code));
		CU_ASSERT_TRUE(str_same(x->error_subcode, y->error_subcode));
		CU_ASSERT_TRUE(str_same(x->error_message, y->error_message));
	}
	CU_ASSERT_EQUAL_FATAL(a->n_tags, b->n_tags);
	for (size_t i = 0; i < a->n_tags; i++) {
		CU_ASSERT_TRUE(str_same(a->tags[i].key, b->tags[i].key));
		CU_ASSERT_TRUE(str_same(a->tags[i].value, b->tags[i].value));
	}
}

/* ---- commit callbacks ---- */

struct cb_log {
	int calls, oks, fails;
};

static void cb_record(void *ctx, bool ok)
{
	struct cb_log *l = ctx;

	l->calls++;
	if (ok)
		l->oks++;
	else
		l->fails++;
}

/* ---- tests ---- */

static void test_open_wal_schema(void)
{
	struct store *s = open_db("wal", 0);
	char v[16];
	sqlite3 *db;
	sqlite3_stmt *st;
	struct stat sb;

	CU_ASSERT_EQUAL(store_meta_get(s, "schema_version", v, sizeof v), 0);
	CU_ASSERT_STRING_EQUAL(v, "7");
	CU_ASSERT_TRUE(store_ok(s));
	CU_ASSERT_FALSE(store_pending(s));
	/* acknowledged means durable: a commit waits for fsync */
	CU_ASSERT_EQUAL(store_synchronous(s), 2);
	store_close(s);

	/* the database file is private */
	CU_ASSERT_EQUAL_FATAL(stat(db_path("wal"), &sb), 0);
	CU_ASSERT_EQUAL(sb.st_mode & 077, 0);

	db = peek_open("wal");
	CU_ASSERT_EQUAL_FATAL(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL),
			      SQLITE_OK);
	CU_ASSERT_EQUAL_FATAL(sqlite3_step(st), SQLITE_ROW);
	CU_ASSERT_STRING_EQUAL((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	CU_ASSERT_EQUAL(peek_int(db,
				 "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
				 " AND name IN ('events','faxes','meta','quarantine','resends',"
				 "'balance','balance_samples')"),
			7);
	sqlite3_close(db);
}

static void test_relaxed_sync(void)
{
	struct store_opts o = { .path = db_path("relaxed"), .relaxed_sync = true };
	char err[256] = "";
	struct store *s = store_open(&o, err, sizeof err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(store_synchronous(s), 1);
	store_close(s);
}

static void test_reopen_migrations_idempotent(void)
{
	struct store *s = open_db("reopen", 0);
	char v[16];

	CU_ASSERT_EQUAL(put_event(s, "evt_keep", T0), 0);
	CU_ASSERT_EQUAL(store_meta_set(s, "cursor", "evt_keep"), 0);
	store_close(s); /* commits what is pending */

	for (int i = 0; i < 2; i++) {
		s = open_db("reopen", 0);
		CU_ASSERT_EQUAL(store_meta_get(s, "schema_version", v, sizeof v), 0);
		CU_ASSERT_STRING_EQUAL(v, "7");
		CU_ASSERT_EQUAL(store_has_event(s, "evt_keep"), 1);
		CU_ASSERT_EQUAL(store_event_count(s), 1);
		CU_ASSERT_EQUAL(store_meta_get(s, "cursor", v, sizeof v), 0);
		CU_ASSERT_STRING_EQUAL(v, "evt_keep");
		store_close(s);
	}
}

/* A new database `name` holding one full fax (and, with event_id, one
 * event), closed: what the migration tests turn into an older schema. */
static void store_one_fax(const char *name, const char *fax_id, const char *event_id)
{
	struct store *s = open_db(name, 0);
	struct model_fax mf;

	if (event_id)
		CU_ASSERT_EQUAL(put_event(s, event_id, T0), 0);
	mk_full_fax(&mf, fax_id, T0);
	CU_ASSERT_EQUAL(store_put_fax(s, &mf), 0);
	fax_done(&mf.fax);
	store_close(s);
}

/* A database of schema 1 (before the balance history and the anomaly
 * columns) is brought up to the newest and keeps its data. */
static void test_migrate_from_v1(void)
{
	struct store *s;
	struct model *m;
	char v[16];
	sqlite3 *db;

	store_one_fax("v1", "fax_old", "evt_old");
	db = peek_open("v1");
	CU_ASSERT_EQUAL(sqlite3_exec(db,
				     "DROP TABLE balance_samples;"
				     " DROP TABLE resend_ledger; DROP TABLE triage;"
				     " ALTER TABLE resends DROP COLUMN who;"
				     " ALTER TABLE faxes DROP COLUMN anomalies;"
				     " ALTER TABLE faxes DROP COLUMN anomaly;"
				     " UPDATE meta SET value = '1' WHERE key = 'schema_version'",
				     NULL, NULL, NULL),
			SQLITE_OK);
	sqlite3_close(db);
	s = open_db("v1", 0);
	m = model_new(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL_FATAL(store_load(s, m, T0), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(model_get(m, "fax_old"));
	CU_ASSERT_EQUAL(model_get(m, "fax_old")->anomalies, 0);
	model_free(m);
	CU_ASSERT_EQUAL(store_meta_get(s, "schema_version", v, sizeof v), 0);
	CU_ASSERT_STRING_EQUAL(v, "7");
	CU_ASSERT_EQUAL(store_has_event(s, "evt_old"), 1);
	store_close(s);
	db = peek_open("v1");
	CU_ASSERT_EQUAL(peek_int(db, "SELECT count(*) FROM balance_samples"), 0);
	sqlite3_close(db);
}

/* Runs sql on database `name` (made older by it), then opens it with the
 * store, which must bring it to the newest schema. */
static struct store *reopen_migrated(const char *name, const char *sql)
{
	sqlite3 *db = peek_open(name);
	struct store *s;
	char v[16];

	CU_ASSERT_EQUAL(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	s = open_db(name, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(store_meta_get(s, "schema_version", v, sizeof v), 0);
	CU_ASSERT_STRING_EQUAL(v, "7");
	return s;
}

/* Schema 4 kept events under a unique index on the id alone; schema 5 keys
 * them by (created, id), so that random ids no longer scatter the index
 * writes. The events come through in their order, and a duplicate is
 * still found. */
static void test_migrate_events_key(void)
{
	struct store *s = open_db("v4", 0);
	sqlite3 *db;

	store_close(s);
	s = reopen_migrated("v4",
			    "DROP TABLE events;"
			    " CREATE TABLE events (id TEXT PRIMARY KEY NOT NULL,"
			    " type TEXT NOT NULL, created INTEGER NOT NULL,"
			    " received_at INTEGER NOT NULL, source TEXT NOT NULL,"
			    " fax_id TEXT, raw BLOB NOT NULL);"
			    " CREATE INDEX events_received ON events(received_at);"
			    " INSERT INTO events VALUES ('evt_b', 'fax.queued', 1700000002,"
			    "  2, 'webhook', 'fax_1', '{}');"
			    " INSERT INTO events VALUES ('evt_a', 'fax.sending', 1700000001,"
			    "  3, 'poll', 'fax_1', '{\"x\":1}');"
			    " DROP TABLE triage; CREATE TABLE triage (fax_id TEXT PRIMARY KEY"
			    " NOT NULL, state TEXT NOT NULL, note TEXT, at INTEGER NOT NULL);"
			    " INSERT INTO triage VALUES ('fax_1', 'dismissed', 'n', 9);"
			    " UPDATE meta SET value = '4' WHERE key = 'schema_version'");
	CU_ASSERT_EQUAL(store_has_event_at(s, "evt_a", 1700000001), 1);
	CU_ASSERT_EQUAL(store_has_event_at(s, "evt_b", 1700000002), 1);
	CU_ASSERT_EQUAL(store_has_event_at(s, "evt_b", 1700000001), 0);
	CU_ASSERT_EQUAL(store_has_event(s, "evt_b"), 1);
	store_close(s);
	db = peek_open("v4");
	/* Step 7: a dismissal from before keeps its note and gains who (none). */
	CU_ASSERT_EQUAL(peek_int(db,
				 "SELECT count(*) FROM triage WHERE fax_id = 'fax_1'"
				 " AND note = 'n' AND at = 9 AND who IS NULL"),
			1);
	/* Stored order and every column kept; no index on the id alone left. */
	CU_ASSERT_EQUAL(peek_int(db, "SELECT count(*) FROM events"), 2);
	CU_ASSERT_EQUAL(peek_int(db, "SELECT received_at FROM events ORDER BY rowid LIMIT 1"), 2);
	CU_ASSERT_EQUAL(peek_int(db,
				 "SELECT count(*) FROM events WHERE id = 'evt_a'"
				 " AND source = 'poll' AND raw = '{\"x\":1}'"),
			1);
	CU_ASSERT_EQUAL(peek_int(db,
				 "SELECT count(*) FROM sqlite_schema WHERE type = 'index'"
				 " AND tbl_name = 'events' AND name LIKE 'sqlite_autoindex%'"),
			0);
	CU_ASSERT_EQUAL(
		peek_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'events_key'"), 1);
	sqlite3_close(db);
}

/* Schema 6 drops the index no query used (faxes by creation time) and the
 * one prune no longer needs (events by receipt time): a schema 5 database
 * loses them and keeps its faxes; a new one never has them. */
static void test_migrate_narrow_indexes(void)
{
	struct store *s;
	struct fax got;
	sqlite3 *db;

	store_one_fax("v5", "fax_v5", NULL);
	db = peek_open("v5");
	CU_ASSERT_EQUAL(peek_int(db,
				 "SELECT count(*) FROM sqlite_schema WHERE type = 'index'"
				 " AND name IN ('faxes_created', 'events_received')"),
			0);
	sqlite3_close(db);
	s = reopen_migrated("v5",
			    "CREATE INDEX faxes_created ON faxes(created_at, id);"
			    " CREATE INDEX events_received ON events(received_at);"
			    " DROP TABLE triage; CREATE TABLE triage (fax_id TEXT PRIMARY KEY"
			    " NOT NULL, state TEXT NOT NULL, note TEXT, at INTEGER NOT NULL);"
			    " UPDATE meta SET value = '5' WHERE key = 'schema_version'");
	CU_ASSERT_EQUAL(store_get_fax(s, "fax_v5", &got, NULL, NULL), 0);
	CU_ASSERT_STRING_EQUAL(got.id, "fax_v5");
	fax_done(&got);
	store_close(s);
	db = peek_open("v5");
	CU_ASSERT_EQUAL(peek_int(db,
				 "SELECT count(*) FROM sqlite_schema WHERE type = 'index'"
				 " AND name IN ('faxes_created', 'events_received')"),
			0);
	CU_ASSERT_EQUAL(peek_int(db, "SELECT count(*) FROM faxes"), 1);
	sqlite3_close(db);
}

/* Ingest's lookup keys on the event's creation time as well: the same id
 * and time is a duplicate, whichever order the batch and the commit come
 * in. */
static void test_event_key_dedupe(void)
{
	struct store *s = open_db("key", 0);
	struct event ev;

	event_init(&ev);
	ev.id = strdup("evt_k1");
	ev.type = EV_FAX_QUEUED;
	ev.created = 1700000100;
	CU_ASSERT_EQUAL(store_has_event_at(s, "evt_k1", 1700000100), 0);
	CU_ASSERT_EQUAL(store_put_event(s, &ev, "{}", 2, SRC_WEBHOOK, T0), 0);
	CU_ASSERT_EQUAL(store_has_event_at(s, "evt_k1", 1700000100), 1); /* in the open batch */
	CU_ASSERT_EQUAL(store_commit(s), 0);
	CU_ASSERT_EQUAL(store_has_event_at(s, "evt_k1", 1700000100), 1);
	/* A second put of the same event is ignored, not an error, and says
	 * so: ingest's dedupe is this answer. */
	CU_ASSERT_EQUAL(store_put_event(s, &ev, "{}", 2, SRC_POLL, T0 + 1), 1);
	/* ... also when the first is still in the open batch; the same id at
	 * another time is another event */
	ev.created++;
	CU_ASSERT_EQUAL(store_put_event(s, &ev, "{}", 2, SRC_POLL, T0 + 2), 0);
	CU_ASSERT_EQUAL(store_put_event(s, &ev, "{}", 2, SRC_WEBHOOK, T0 + 3), 1);
	CU_ASSERT_EQUAL(store_commit(s), 0);
	CU_ASSERT_EQUAL(store_event_count(s), 2);
	event_done(&ev);
	store_close(s);
}

static void test_newer_schema_refused(void)
{
	struct store *s = open_db("newer", 0);
	struct store_opts o = { .path = db_path("newer") };
	char err[512] = "";
	sqlite3 *db;

	store_close(s);
	db = peek_open("newer");
	CU_ASSERT_EQUAL(sqlite3_exec(db,
				     "UPDATE meta SET value = '99' WHERE key ="
				     " 'schema_version'",
				     NULL, NULL, NULL),
			SQLITE_OK);
	sqlite3_close(db);
	CU_ASSERT_PTR_NULL(store_open(&o, err, sizeof err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "schema version 99"));

	db = peek_open("newer");
	CU_ASSERT_EQUAL(sqlite3_exec(db,
				     "UPDATE meta SET value = 'x1' WHERE key ="
				     " 'schema_version'",
				     NULL, NULL, NULL),
			SQLITE_OK);
	sqlite3_close(db);
	CU_ASSERT_PTR_NULL(store_open(&o, err, sizeof err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "schema_version"));
}

/* A step that fails leaves nothing half-done: the step is one transaction. */
static void test_failed_migration_rolls_back(void)
{
	struct store_opts o = { .path = db_path("badmig") };
	char err[512] = "", dir[512];
	sqlite3 *db;

	snprintf(dir, sizeof dir, "%s/store", unit_tmpdir());
	mkdir(dir, 0700);
	snprintf(dir, sizeof dir, "%s/store/badmig", unit_tmpdir());
	CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0700), 0);
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(db_path("badmig"), &db), SQLITE_OK);
	/* something in the way of step 1, created after its first table */
	CU_ASSERT_EQUAL(sqlite3_exec(db, "CREATE TABLE resends (x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	CU_ASSERT_PTR_NULL(store_open(&o, err, sizeof err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "schema step 1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "resends"));
	db = peek_open("badmig");
	CU_ASSERT_EQUAL(peek_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'events'"),
			0);
	CU_ASSERT_EQUAL(peek_int(db, "SELECT count(*) FROM meta"), 0);
	sqlite3_close(db);
}

static void test_bad_path(void)
{
	struct store_opts o = { .path = "" };
	char err[256] = "", path[512];
	FILE *f;

	CU_ASSERT_PTR_NULL(store_open(&o, err, sizeof err));
	CU_ASSERT_NOT_EQUAL(err[0], '\0');

	/* a parent "directory" that is a file */
	snprintf(path, sizeof path, "%s/store-notadir", unit_tmpdir());
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fclose(f);
	snprintf(path, sizeof path, "%s/store-notadir/sub/faxtop.db", unit_tmpdir());
	o.path = path;
	err[0] = '\0';
	CU_ASSERT_PTR_NULL(store_open(&o, err, sizeof err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot create directory"));

	/* not a database */
	snprintf(path, sizeof path, "%s/store-garbage.db", unit_tmpdir());
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	for (int i = 0; i < 200; i++)
		fputs("this is not an SQLite file at all ", f);
	fclose(f);
	err[0] = '\0';
	CU_ASSERT_PTR_NULL(store_open(&o, err, sizeof err));
	CU_ASSERT_NOT_EQUAL(err[0], '\0');
}

static void test_fax_round_trip(void)
{
	struct store *s = open_db("roundtrip", 0);
	struct model_fax mf, bare;
	struct fax got;
	int64_t lu = 0;
	enum event_source ls = SRC_LOCAL;

	mk_full_fax(&mf, "fax_full", T0);
	CU_ASSERT_EQUAL(store_put_fax(s, &mf), 0);
	/* a fax with every optional field absent */
	memset(&bare, 0, sizeof bare);
	fax_init(&bare.fax);
	bare.fax.id = strdup("fax_bare");
	bare.last_update_ms = TS_NONE;
	bare.last_source = SRC_WEBHOOK;
	CU_ASSERT_EQUAL(store_put_fax(s, &bare), 0);
	CU_ASSERT_EQUAL(store_commit(s), 0);
	store_close(s);

	s = open_db("roundtrip", 0);
	CU_ASSERT_EQUAL_FATAL(store_get_fax(s, "fax_full", &got, &lu, &ls), 0);
	assert_fax_equal(&got, &mf.fax);
	CU_ASSERT_EQUAL(lu, T0 + 123456);
	CU_ASSERT_EQUAL(ls, SRC_POLL);
	fax_done(&got);

	CU_ASSERT_EQUAL_FATAL(store_get_fax(s, "fax_bare", &got, &lu, &ls), 0);
	assert_fax_equal(&got, &bare.fax);
	CU_ASSERT_PTR_NULL(got.attempts);
	CU_ASSERT_PTR_NULL(got.tags);
	CU_ASSERT_EQUAL(got.pages, -1);
	CU_ASSERT_EQUAL(lu, TS_NONE);
	CU_ASSERT_EQUAL(ls, SRC_WEBHOOK);
	fax_done(&got);

	CU_ASSERT_EQUAL(store_get_fax(s, "fax_nowhere", &got, NULL, NULL), 1);
	fax_done(&got);

	/* the latest snapshot replaces the previous one, fewer tags included */
	free(mf.fax.tags[1].key);
	free(mf.fax.tags[1].value);
	mf.fax.n_tags = 1;
	free(mf.fax.to);
	mf.fax.to = NULL;
	mf.fax.status = FAX_DELIVERED;
	CU_ASSERT_EQUAL(store_put_fax(s, &mf), 0);
	CU_ASSERT_EQUAL_FATAL(store_get_fax(s, "fax_full", &got, NULL, NULL), 0);
	assert_fax_equal(&got, &mf.fax);
	fax_done(&got);
	store_close(s);
	fax_done(&mf.fax);
	fax_done(&bare.fax);
}

static void test_damaged_record(void)
{
	struct store *s = open_db("damaged", 0);
	struct model_fax mf;
	struct fax got;
	sqlite3 *db;

	mk_full_fax(&mf, "fax_dmg", T0);
	CU_ASSERT_EQUAL(store_put_fax(s, &mf), 0);
	CU_ASSERT_EQUAL(store_commit(s), 0);
	fax_done(&mf.fax);

	/* a count far beyond the bytes present, then a truncated record */
	db = peek_open("damaged");
	CU_ASSERT_EQUAL(
		sqlite3_exec(db, "UPDATE faxes SET attempts = x'01ffffff7f00'", NULL, NULL, NULL),
		SQLITE_OK);
	CU_ASSERT_EQUAL(store_get_fax(s, "fax_dmg", &got, NULL, NULL), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(store_last_error(s), "damaged"));
	fax_done(&got);
	CU_ASSERT_EQUAL(sqlite3_exec(db, "UPDATE faxes SET attempts = substr(attempts, 1, 20)",
				     NULL, NULL, NULL),
			SQLITE_OK);
	CU_ASSERT_EQUAL(store_get_fax(s, "fax_dmg", &got, NULL, NULL), -1);
	fax_done(&got);
	CU_ASSERT_EQUAL(sqlite3_exec(db,
				     "UPDATE faxes SET attempts = x'0100000000',"
				     " tags = x'0101000000ffffffff'",
				     NULL, NULL, NULL),
			SQLITE_OK);
	CU_ASSERT_EQUAL(store_get_fax(s, "fax_dmg", &got, NULL, NULL), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(store_last_error(s), "tags"));
	fax_done(&got);
	sqlite3_close(db);
	store_close(s);
}

/* Every truncation and many byte flips of a valid record: the reader says
 * yes or no, and never reads past the column. */
static void test_record_reader_hostile(void)
{
	struct store *s = open_db("hostile", 0);
	struct model_fax mf;
	struct fax got;
	sqlite3 *db;
	sqlite3_stmt *st;
	unsigned char rec[1024];
	int len, rejected = 0;

	mk_full_fax(&mf, "fax_h", T0);
	CU_ASSERT_EQUAL(store_put_fax(s, &mf), 0);
	CU_ASSERT_EQUAL(store_commit(s), 0);
	fax_done(&mf.fax);
	db = peek_open("hostile");
	CU_ASSERT_EQUAL_FATAL(sqlite3_prepare_v2(db, "SELECT attempts FROM faxes", -1, &st, NULL),
			      SQLITE_OK);
	CU_ASSERT_EQUAL_FATAL(sqlite3_step(st), SQLITE_ROW);
	len = sqlite3_column_bytes(st, 0);
	CU_ASSERT_FATAL(len > 10 && len <= (int)sizeof rec);
	memcpy(rec, sqlite3_column_blob(st, 0), (size_t)len);
	sqlite3_finalize(st);

	CU_ASSERT_EQUAL_FATAL(
		sqlite3_prepare_v2(db, "UPDATE faxes SET attempts = ?1", -1, &st, NULL), SQLITE_OK);
	for (int cut = 0; cut < len; cut++) {
		sqlite3_bind_blob(st, 1, rec, cut, SQLITE_TRANSIENT);
		CU_ASSERT_EQUAL(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
		if (store_get_fax(s, "fax_h", &got, NULL, NULL) == -1)
			rejected++;
		fax_done(&got);
	}
	CU_ASSERT_EQUAL(rejected, len);
	srand(7);
	for (int i = 0; i < 1500; i++) {
		unsigned char bad[1024];
		int r;

		memcpy(bad, rec, (size_t)len);
		bad[rand() % len] ^= (unsigned char)(1 + rand() % 255);
		bad[rand() % len] ^= (unsigned char)(1 + rand() % 255);
		sqlite3_bind_blob(st, 1, bad, len, SQLITE_TRANSIENT);
		CU_ASSERT_EQUAL(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
		r = store_get_fax(s, "fax_h", &got, NULL, NULL);
		CU_ASSERT_TRUE(r == 0 || r == -1);
		if (r == 0)
			CU_ASSERT_TRUE(got.n_attempts <= 2);
		fax_done(&got);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	store_close(s);
}

static void test_commit_callbacks(void)
{
	struct store *s = open_db("callbacks", 0);
	struct cb_log a = { 0 }, b = { 0 };

	/* nothing pending: the callback still runs at the next commit point */
	CU_ASSERT_EQUAL(store_on_commit(s, cb_record, &a), 0);
	CU_ASSERT_EQUAL(a.calls, 0);
	CU_ASSERT_EQUAL(store_commit(s), 0);
	CU_ASSERT_EQUAL(a.calls, 1);
	CU_ASSERT_EQUAL(a.oks, 1);

	CU_ASSERT_EQUAL(put_event(s, "evt_cb1", T0), 0);
	CU_ASSERT_TRUE(store_pending(s));
	CU_ASSERT_EQUAL(store_on_commit(s, cb_record, &a), 0);
	CU_ASSERT_EQUAL(store_on_commit(s, cb_record, &b), 0);
	CU_ASSERT_EQUAL(store_commit(s), 0);
	CU_ASSERT_FALSE(store_pending(s));
	CU_ASSERT_EQUAL(a.oks, 2);
	CU_ASSERT_EQUAL(b.oks, 1);
	/* each callback runs once */
	CU_ASSERT_EQUAL(store_commit(s), 0);
	CU_ASSERT_EQUAL(a.calls, 2);
	CU_ASSERT_EQUAL(b.calls, 1);
	store_close(s);
}

static void test_fault_switch(void)
{
	struct store *s = open_db("fault", 0);
	struct cb_log l = { 0 };

	CU_ASSERT_EQUAL(put_event(s, "evt_f1", T0), 0);
	CU_ASSERT_EQUAL(store_on_commit(s, cb_record, &l), 0);
	store_set_fault(s, true);
	CU_ASSERT_EQUAL(store_commit(s), -1);
	CU_ASSERT_EQUAL(l.fails, 1);
	CU_ASSERT_EQUAL(l.oks, 0);
	CU_ASSERT_FALSE(store_ok(s));
	CU_ASSERT_PTR_NOT_NULL(strstr(store_last_error(s), "fault"));
	/* rolled back: the event is not stored */
	CU_ASSERT_EQUAL(store_has_event(s, "evt_f1"), 0);
	/* a waiter with nothing pending fails too while the fault is on */
	CU_ASSERT_EQUAL(store_on_commit(s, cb_record, &l), 0);
	CU_ASSERT_EQUAL(store_commit(s), -1);
	CU_ASSERT_EQUAL(l.fails, 2);

	store_set_fault(s, false);
	CU_ASSERT_EQUAL(put_event(s, "evt_f1", T0), 0);
	CU_ASSERT_EQUAL(store_on_commit(s, cb_record, &l), 0);
	CU_ASSERT_EQUAL(store_commit(s), 0);
	CU_ASSERT_EQUAL(l.oks, 1);
	CU_ASSERT_TRUE(store_ok(s));
	CU_ASSERT_EQUAL(store_has_event(s, "evt_f1"), 1);
	store_close(s);
}

/* One failed write dooms the whole batch: what came before it is rolled
 * back, what comes after is refused, and the callbacks hear false. The
 * failure here is a statement error that leaves SQLite's transaction open
 * (a trigger raising ABORT), the case SQLite would otherwise commit. */
static void test_failed_write_dooms_batch(void)
{
	struct store *s = open_db("doom", 0);
	struct cb_log l = { 0 };
	sqlite3 *db = peek_open("doom");

	CU_ASSERT_EQUAL_FATAL(sqlite3_exec(db,
					   "CREATE TRIGGER boom BEFORE INSERT ON quarantine"
					   " WHEN NEW.reason = 'boom' BEGIN"
					   " SELECT RAISE(ABORT, 'refused by trigger'); END",
					   NULL, NULL, NULL),
			      SQLITE_OK);
	CU_ASSERT_EQUAL(put_event(s, "evt_before", T0), 0);
	CU_ASSERT_EQUAL(store_on_commit(s, cb_record, &l), 0);
	CU_ASSERT_EQUAL(store_quarantine(s, "x", 1, "boom", T0), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(store_last_error(s), "refused by trigger"));
	CU_ASSERT_EQUAL(put_event(s, "evt_after", T0), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(store_last_error(s), "failed earlier"));
	CU_ASSERT_PTR_NOT_NULL(strstr(store_last_error(s), "refused by trigger"));
	CU_ASSERT_EQUAL(store_meta_set(s, "cursor", "evt_after"), -1);
	CU_ASSERT_EQUAL(store_has_event(s, "evt_nothing"), 0);
	CU_ASSERT_EQUAL(store_commit(s), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(store_last_error(s), "refused by trigger"));
	CU_ASSERT_EQUAL(l.fails, 1);
	CU_ASSERT_FALSE(store_ok(s));
	CU_ASSERT_EQUAL(store_has_event(s, "evt_before"), 0);
	CU_ASSERT_EQUAL(store_has_event(s, "evt_after"), 0);

	/* the next batch starts clean */
	CU_ASSERT_EQUAL(put_event(s, "evt_before", T0), 0);
	CU_ASSERT_EQUAL(store_quarantine(s, "x", 1, "fine", T0), 0);
	CU_ASSERT_EQUAL(store_commit(s), 0);
	CU_ASSERT_TRUE(store_ok(s));
	CU_ASSERT_EQUAL(store_has_event(s, "evt_before"), 1);
	CU_ASSERT_EQUAL(peek_int(db, "SELECT count(*) FROM quarantine"), 1);
	sqlite3_close(db);
	store_close(s);
}

static void test_has_event_batch(void)
{
	struct store *s = open_db("dedupe", 0);

	CU_ASSERT_EQUAL(store_has_event(s, "evt_d1"), 0);
	CU_ASSERT_EQUAL(put_event(s, "evt_d1", T0), 0);
	/* visible inside the open batch */
	CU_ASSERT_EQUAL(store_has_event(s, "evt_d1"), 1);
	/* storing it again keeps the first copy, does not fail the batch, and
	 * answers that it was stored already */
	CU_ASSERT_EQUAL(put_event(s, "evt_d1", T0 + 5), 1);
	CU_ASSERT_EQUAL(store_commit(s), 0);
	CU_ASSERT_EQUAL(store_has_event(s, "evt_d1"), 1);
	CU_ASSERT_EQUAL(store_has_event(s, "evt_d2"), 0);
	CU_ASSERT_EQUAL(store_event_count(s), 1);
	store_close(s);
}

static void count_id(void *ctx, const char *id)
{
	char *buf = ctx;

	strcat(buf, id);
	strcat(buf, ",");
}

static void test_quarantine_resend_meta(void)
{
	struct store *s = open_db("misc", 0);
	static const char body[] = "{\"id\": \"evt_\xff\x00 broken";
	struct store_resend ok = { .at_ms = T0,
				   .fax_id = "fax_a",
				   .new_fax_id = "fax_b",
				   .idempotency_key = "k1",
				   .request_id = "req_1",
				   .to = "+15550001111",
				   .max_attempts = 4 };
	struct store_resend bad = { .at_ms = T0 + 1,
				    .fax_id = "fax_c",
				    .error = "invalid_state: not failed",
				    .idempotency_key = "k2" };
	char v[8], ids[128] = "";
	sqlite3 *db;
	sqlite3_stmt *st;

	CU_ASSERT_EQUAL(store_quarantine(s, body, sizeof body - 1, "data: expected an object", T0),
			0);
	CU_ASSERT_EQUAL(store_put_resend(s, &ok), 0);
	CU_ASSERT_EQUAL(store_put_resend(s, &bad), 0);
	CU_ASSERT_EQUAL(store_put_resend(s, &(struct store_resend){ .at_ms = 1 }), -1);
	CU_ASSERT_EQUAL(store_meta_set(s, "cursor", "evt_123"), 0);
	CU_ASSERT_EQUAL(store_meta_get(s, "cursor", v, sizeof v), 0);
	CU_ASSERT_STRING_EQUAL(v, "evt_123");
	CU_ASSERT_EQUAL(store_meta_set(s, "cursor", "evt_1234567"), 0);
	CU_ASSERT_EQUAL(store_meta_get(s, "cursor", v, sizeof v), -1); /* too long for v */
	CU_ASSERT_EQUAL(store_meta_get(s, "nothing", v, sizeof v), 1);
	CU_ASSERT_EQUAL(put_event(s, "evt_b", T0), 0);
	CU_ASSERT_EQUAL(put_event(s, "evt_a", T0), 0);
	CU_ASSERT_EQUAL(put_event(s, "evt_c", T0), 0);
	CU_ASSERT_EQUAL(store_commit(s), 0);
	/* insertion order, not id order */
	CU_ASSERT_EQUAL(store_each_event_id(s, count_id, ids), 0);
	CU_ASSERT_STRING_EQUAL(ids, "evt_b,evt_a,evt_c,");

	db = peek_open("misc");
	CU_ASSERT_EQUAL_FATAL(sqlite3_prepare_v2(db,
						 "SELECT reason, raw, received_at FROM"
						 " quarantine",
						 -1, &st, NULL),
			      SQLITE_OK);
	CU_ASSERT_EQUAL_FATAL(sqlite3_step(st), SQLITE_ROW);
	CU_ASSERT_STRING_EQUAL((const char *)sqlite3_column_text(st, 0),
			       "data: expected an object");
	/* byte-exact, invalid UTF-8 and NUL included */
	CU_ASSERT_EQUAL(sqlite3_column_bytes(st, 1), (int)sizeof body - 1);
	CU_ASSERT_EQUAL(memcmp(sqlite3_column_blob(st, 1), body, sizeof body - 1), 0);
	CU_ASSERT_EQUAL(sqlite3_column_int64(st, 2), T0);
	CU_ASSERT_EQUAL(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);

	CU_ASSERT_EQUAL(peek_int(db, "SELECT count(*) FROM resends"), 2);
	CU_ASSERT_EQUAL(peek_int(db,
				 "SELECT max_attempts FROM resends WHERE"
				 " new_fax_id = 'fax_b' AND to_number = '+15550001111'"
				 " AND request_id = 'req_1' AND error IS NULL"),
			4);
	CU_ASSERT_EQUAL(peek_int(db,
				 "SELECT count(*) FROM resends WHERE fax_id = 'fax_c'"
				 " AND new_fax_id IS NULL AND error LIKE 'invalid_state%'"),
			1);
	sqlite3_close(db);
	store_close(s);
}

static void test_prune(void)
{
	struct store *s = open_db("prune", 7);
	struct model_fax mf;
	struct fax got;

	CU_ASSERT_EQUAL(put_event(s, "evt_old", T0 - 10 * DAY_MS), 0);
	CU_ASSERT_EQUAL(put_event(s, "evt_edge", T0 - 7 * DAY_MS + 1), 0);
	CU_ASSERT_EQUAL(put_event(s, "evt_new", T0 - DAY_MS), 0);
	CU_ASSERT_EQUAL(store_quarantine(s, "x", 1, "old", T0 - 8 * DAY_MS), 0);
	mk_full_fax(&mf, "fax_old", T0 - 30 * DAY_MS);
	CU_ASSERT_EQUAL(store_put_fax(s, &mf), 0);
	fax_done(&mf.fax);
	CU_ASSERT_EQUAL(store_commit(s), 0);

	CU_ASSERT_EQUAL(store_prune(s, T0), 0);
	CU_ASSERT_EQUAL(store_commit(s), 0);
	CU_ASSERT_EQUAL(store_has_event(s, "evt_old"), 0);
	CU_ASSERT_EQUAL(store_has_event(s, "evt_edge"), 1);
	CU_ASSERT_EQUAL(store_has_event(s, "evt_new"), 1);
	CU_ASSERT_EQUAL(store_event_count(s), 2);
	/* faxes stay */
	CU_ASSERT_EQUAL(store_get_fax(s, "fax_old", &got, NULL, NULL), 0);
	fax_done(&got);
	store_close(s);

	/* retention 0 keeps everything */
	s = open_db("prune", 0);
	CU_ASSERT_EQUAL(store_prune(s, T0 + 1000 * DAY_MS), 0);
	CU_ASSERT_EQUAL(store_event_count(s), 2);
	store_close(s);
}

/* Prune finds old events by the order they were stored in, without an
 * index on their receipt time: an event stored after a later-received one
 * (the clock stepped back) waits for it, kept longer, never pruned early;
 * an empty store and a store of only old events are pruned too. */
static void test_prune_clock_step(void)
{
	struct store *s = open_db("prune_step", 7);

	CU_ASSERT_EQUAL(store_prune(s, T0), 0); /* nothing stored yet */
	CU_ASSERT_EQUAL(put_event(s, "evt_a", T0 - 20 * DAY_MS), 0);
	CU_ASSERT_EQUAL(put_event(s, "evt_b", T0 - 5 * DAY_MS), 0);
	CU_ASSERT_EQUAL(put_event(s, "evt_c", T0 - 30 * DAY_MS), 0); /* clock stepped back */
	CU_ASSERT_EQUAL(put_event(s, "evt_d", T0 - DAY_MS), 0);
	CU_ASSERT_EQUAL(store_commit(s), 0);
	CU_ASSERT_EQUAL(store_prune(s, T0), 0);
	CU_ASSERT_EQUAL(store_commit(s), 0);
	CU_ASSERT_EQUAL(store_has_event(s, "evt_a"), 0);
	CU_ASSERT_EQUAL(store_has_event(s, "evt_b"), 1);
	CU_ASSERT_EQUAL(store_has_event(s, "evt_c"), 1); /* behind evt_b */
	CU_ASSERT_EQUAL(store_has_event(s, "evt_d"), 1);
	/* once evt_b is old too, everything before the first kept one goes */
	CU_ASSERT_EQUAL(store_prune(s, T0 + 3 * DAY_MS), 0);
	CU_ASSERT_EQUAL(store_commit(s), 0);
	CU_ASSERT_EQUAL(store_has_event(s, "evt_b"), 0);
	CU_ASSERT_EQUAL(store_has_event(s, "evt_c"), 0);
	CU_ASSERT_EQUAL(store_has_event(s, "evt_d"), 1);
	/* all old: all go */
	CU_ASSERT_EQUAL(store_prune(s, T0 + 30 * DAY_MS), 0);
	CU_ASSERT_EQUAL(store_commit(s), 0);
	CU_ASSERT_EQUAL(store_event_count(s), 0);
	store_close(s);
}

static void test_balance_round_trip(void)
{
	struct store *s = open_db("balance", 0);
	struct balance_snapshot b, got;
	int64_t at = 0;

	CU_ASSERT_EQUAL(store_get_balance(s, &got, &at), 1);
	balance_snapshot_done(&got);
	balance_snapshot_init(&b);
	b.has_available = b.has_held = true;
	b.available = 12345;
	b.held = 300;
	b.environment_id = strdup("env_1");
	b.currency = strdup("USD");
	b.type = strdup("sandbox");
	b.auto_top_up_enabled = true;
	b.auto_top_up_threshold = 500;
	CU_ASSERT_EQUAL(store_put_balance(s, &b, T0), 0);
	/* a later reading without `held` keeps the stored one */
	b.available = 999;
	b.has_held = false;
	CU_ASSERT_EQUAL(store_put_balance(s, &b, T0 + 60000), 0);
	CU_ASSERT_EQUAL(store_commit(s), 0);
	store_close(s);

	s = open_db("balance", 0);
	CU_ASSERT_EQUAL_FATAL(store_get_balance(s, &got, &at), 0);
	CU_ASSERT_EQUAL(at, T0 + 60000);
	CU_ASSERT_TRUE(got.has_available && got.has_held);
	CU_ASSERT_EQUAL(got.available, 999);
	CU_ASSERT_EQUAL(got.held, 300);
	CU_ASSERT_TRUE(str_same(got.environment_id, "env_1"));
	CU_ASSERT_TRUE(str_same(got.currency, "USD"));
	CU_ASSERT_TRUE(str_same(got.type, "sandbox"));
	CU_ASSERT_TRUE(got.auto_top_up_enabled);
	CU_ASSERT_EQUAL(got.auto_top_up_threshold, 500);
	balance_snapshot_done(&got);
	balance_snapshot_done(&b);
	store_close(s);
}

/* The balance's history survives a restart, bounded to the newest
 * balance_samples; the burn rate is known again at once. */
static void test_balance_history_kept(void)
{
	struct store_opts o = { .path = db_path("history"), .balance_samples = 4 };
	char err[512] = "";
	struct store *s = store_open(&o, err, sizeof err);
	struct balance_snapshot b;
	struct model *m;
	sqlite3 *db;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	balance_snapshot_init(&b);
	b.has_available = b.has_held = true;
	b.held = 50;
	/* 100 cents an hour, a reading every 30 minutes; six readings, the
	 * last one off the line until it is read again */
	for (int i = 0; i < 6; i++) {
		b.available = i == 5 ? 9700 : 10000 - 50 * i;
		CU_ASSERT_EQUAL(store_put_balance(s, &b, T0 + (int64_t)i * 1800000), 0);
	}
	/* a second reading of the last instant replaces it; without `held`,
	 * the stored held is kept */
	b.available = 9750;
	b.has_held = false;
	CU_ASSERT_EQUAL(store_put_balance(s, &b, T0 + 5 * 1800000), 0);
	store_close(s);

	db = peek_open("history");
	CU_ASSERT_EQUAL(peek_int(db, "SELECT count(*) FROM balance_samples"), 4);
	CU_ASSERT_EQUAL(peek_int(db, "SELECT min(at) FROM balance_samples") - T0, 2 * 1800000);
	CU_ASSERT_EQUAL(peek_int(db, "SELECT available FROM balance_samples ORDER BY at DESC"),
			9750);
	CU_ASSERT_EQUAL(peek_int(db, "SELECT held FROM balance_samples ORDER BY at DESC"), 50);
	sqlite3_close(db);

	s = store_open(&o, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	m = model_new(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL_FATAL(store_load(s, m, T0 + DAY_MS), 0);
	/* the newest reading is the newest sample, not one more */
	CU_ASSERT_EQUAL_FATAL(model_balance_samples(m), 4);
	CU_ASSERT_EQUAL(model_balance_sample(m, 0)->at_ms, T0 + 2 * 1800000);
	CU_ASSERT_EQUAL(model_balance_sample(m, 0)->available, 9900);
	CU_ASSERT_EQUAL(model_balance_sample(m, 3)->available, 9750);
	CU_ASSERT_EQUAL(model_balance_sample(m, 3)->held, 50);
	CU_ASSERT_EQUAL(model_balance(m)->available, 9750);
	CU_ASSERT_DOUBLE_EQUAL(model_burn_rate(m), 100.0, 1e-6);
	model_free(m);
	balance_snapshot_done(&b);
	store_close(s);
}

/* Another connection holds the write lock: the store's write fails fast with
 * the reason, and works again once the lock is gone. */
static void test_locked_database(void)
{
	struct store *s = open_db("locked", 0);
	struct cb_log l = { 0 };
	sqlite3 *db;

	db = peek_open("locked");
	CU_ASSERT_EQUAL_FATAL(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	CU_ASSERT_EQUAL(put_event(s, "evt_l1", T0), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(store_last_error(s), "locked"));
	CU_ASSERT_FALSE(store_pending(s));
	CU_ASSERT_EQUAL(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	CU_ASSERT_EQUAL(put_event(s, "evt_l1", T0), 0);
	CU_ASSERT_EQUAL(store_on_commit(s, cb_record, &l), 0);
	CU_ASSERT_EQUAL(store_commit(s), 0);
	CU_ASSERT_EQUAL(l.oks, 1);
	CU_ASSERT_EQUAL(store_has_event(s, "evt_l1"), 1);
	store_close(s);
}

/* A full disk, for real: the file-size limit makes SQLite's writes fail
 * mid-batch. The batch is doomed whole, the callbacks hear false, and the
 * store recovers once there is room again. */
static void test_disk_full(void)
{
	struct store *s = open_db("full", 0);
	struct cb_log l = { 0 };
	struct rlimit old, lim;
	struct stat sb;
	void (*oldsig)(int);
	char raw[4096], id[32], wal[600];
	int failed_at = -1;
	off_t wal_full;

	CU_ASSERT_EQUAL(put_event(s, "evt_before", T0), 0);
	CU_ASSERT_EQUAL(store_commit(s), 0);
	CU_ASSERT_EQUAL_FATAL(stat(db_path("full"), &sb), 0);

	memset(raw, 'x', sizeof raw);
	oldsig = signal(SIGXFSZ, SIG_IGN);
	CU_ASSERT_EQUAL_FATAL(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = (rlim_t)sb.st_size + 64 * 1024;
	CU_ASSERT_EQUAL_FATAL(setrlimit(RLIMIT_FSIZE, &lim), 0);

	CU_ASSERT_EQUAL(store_on_commit(s, cb_record, &l), 0);
	for (int i = 0; i < 4000 && failed_at < 0; i++) {
		snprintf(id, sizeof id, "evt_full_%d", i);
		if (put_raw_event(s, id, raw, sizeof raw, T0) < 0)
			failed_at = i;
	}
	/* 16 MB cannot stay in SQLite's page cache: a write spills and fails */
	CU_ASSERT_TRUE(failed_at >= 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(store_last_error(s), "store event"));
	/* a doomed batch refuses further writes */
	CU_ASSERT_EQUAL(put_event(s, "evt_after_doom", T0), -1);
	CU_ASSERT_EQUAL(store_commit(s), -1);
	CU_ASSERT_EQUAL(l.fails, 1);
	CU_ASSERT_FALSE(store_ok(s));
	CU_ASSERT_EQUAL(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, oldsig);

	CU_ASSERT_EQUAL(store_has_event(s, "evt_full_0"), 0);
	CU_ASSERT_EQUAL(store_has_event(s, "evt_before"), 1);
	/* the failed batch's frames still take up the WAL */
	snprintf(wal, sizeof wal, "%s-wal", db_path("full"));
	CU_ASSERT_EQUAL_FATAL(stat(wal, &sb), 0);
	wal_full = sb.st_size;
	CU_ASSERT_TRUE(wal_full >= 64 * 1024);
	CU_ASSERT_EQUAL(put_event(s, "evt_full_0", T0), 0);
	CU_ASSERT_EQUAL(store_on_commit(s, cb_record, &l), 0);
	CU_ASSERT_EQUAL(store_commit(s), 0);
	CU_ASSERT_EQUAL(l.oks, 1);
	CU_ASSERT_TRUE(store_ok(s));
	CU_ASSERT_EQUAL(store_event_count(s), 2);
	/* the next batch began by emptying the WAL, so the space is free
	 * again: what is left is that one small batch */
	CU_ASSERT_EQUAL_FATAL(stat(wal, &sb), 0);
	CU_ASSERT_TRUE(sb.st_size < 32 * 1024);
	CU_ASSERT_TRUE(sb.st_size < wal_full);
	store_close(s);
}

/* A read-only database is refused with the reason. Root ignores file modes,
 * so the open runs in a child that has given root up. */
static void test_read_only(void)
{
	struct store *s = open_db("ro", 0);
	char dir[512], parent[512], *slash;
	pid_t pid;
	int status;

	CU_ASSERT_EQUAL(put_event(s, "evt_ro", T0), 0);
	store_close(s);
	snprintf(dir, sizeof dir, "%s", db_path("ro"));
	slash = strrchr(dir, '/');
	*slash = '\0';
	/* the unprivileged child must be able to reach the file */
	snprintf(parent, sizeof parent, "%s/store", unit_tmpdir());
	CU_ASSERT_EQUAL_FATAL(chmod(unit_tmpdir(), 0711), 0);
	CU_ASSERT_EQUAL_FATAL(chmod(parent, 0711), 0);
	CU_ASSERT_EQUAL_FATAL(chmod(db_path("ro"), 0444), 0);
	CU_ASSERT_EQUAL_FATAL(chmod(dir, 0555), 0);

	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		struct store_opts o = { .path = db_path("ro") };
		char err[512] = "";
		struct store *c;

		if (geteuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
			_exit(20);
		c = store_open(&o, err, sizeof err);
		if (c)
			_exit(11);
		if (!strstr(err, "read-only"))
			_exit(12);
		_exit(0);
	}
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFEXITED(status));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 20)
		fprintf(stderr, "store: read-only test not run: root could not drop privileges\n");
	else
		CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
	chmod(dir, 0700);
	chmod(db_path("ro"), 0600);
}

static void test_prepare_watcher(void)
{
	struct store *s = open_db("watcher", 0);
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct cb_log l = { 0 };

	CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
	store_attach(s, loop);
	CU_ASSERT_EQUAL(put_event(s, "evt_w1", T0), 0);
	CU_ASSERT_EQUAL(store_on_commit(s, cb_record, &l), 0);
	CU_ASSERT_EQUAL(l.calls, 0);
	ev_run(loop, EVRUN_NOWAIT);
	CU_ASSERT_EQUAL(l.oks, 1);
	CU_ASSERT_FALSE(store_pending(s));

	store_detach(s);
	CU_ASSERT_EQUAL(put_event(s, "evt_w2", T0), 0);
	ev_run(loop, EVRUN_NOWAIT);
	CU_ASSERT_TRUE(store_pending(s));
	store_close(s);
	ev_loop_destroy(loop);

	s = open_db("watcher", 0);
	CU_ASSERT_EQUAL(store_event_count(s), 2);
	store_close(s);
}

static void test_load_rebuilds_model(void)
{
	struct store *s = open_db("load", 0);
	struct model *m;
	struct model_fax mf;
	struct balance_snapshot b;
	const struct model_fax *got;
	static const char *const ids[] = { "fax_c", "fax_a", "fax_d", "fax_b" };
	static const int64_t created[] = { 1000, 4000, 2000, 3000 };
	char id[16];

	for (int i = 0; i < 4; i++) {
		mk_full_fax(&mf, ids[i], T0 + created[i]);
		if (i == 1)
			mf.fax.status = FAX_DELIVERED; /* fax_a */
		CU_ASSERT_EQUAL(store_put_fax(s, &mf), 0);
		fax_done(&mf.fax);
	}
	for (int i = 0; i < 150; i++) {
		snprintf(id, sizeof id, "evt_%03d", i);
		CU_ASSERT_EQUAL(put_event(s, id, T0 + i), 0);
	}
	balance_snapshot_init(&b);
	b.has_available = b.has_held = true;
	b.available = 4200;
	b.held = 10;
	CU_ASSERT_EQUAL(store_put_balance(s, &b, T0), 0);
	CU_ASSERT_EQUAL(store_commit(s), 0);
	store_close(s);

	s = open_db("load", 0); /* recent_events = 100 */
	m = model_new(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL_FATAL(store_load(s, m, T0 + DAY_MS), 0);
	CU_ASSERT_EQUAL(model_count(m), 4);
	CU_ASSERT_EQUAL(model_count_status(m, FAX_FAILED), 3);
	CU_ASSERT_EQUAL(model_count_status(m, FAX_DELIVERED), 1);
	/* creation order */
	CU_ASSERT_STRING_EQUAL(model_at(m, 0)->fax.id, "fax_c");
	CU_ASSERT_STRING_EQUAL(model_at(m, 1)->fax.id, "fax_d");
	CU_ASSERT_STRING_EQUAL(model_at(m, 2)->fax.id, "fax_b");
	CU_ASSERT_STRING_EQUAL(model_at(m, 3)->fax.id, "fax_a");
	got = model_get(m, "fax_c");
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	mk_full_fax(&mf, "fax_c", T0 + 1000);
	assert_fax_equal(&got->fax, &mf.fax);
	fax_done(&mf.fax);
	CU_ASSERT_EQUAL(got->last_update_ms, T0 + 1000 + 123456);
	/* only the newest events reach the model's dedupe set and log */
	CU_ASSERT_TRUE(model_seen(m, "evt_149"));
	CU_ASSERT_TRUE(model_seen(m, "evt_050"));
	CU_ASSERT_FALSE(model_seen(m, "evt_049"));
	CU_ASSERT_TRUE(model_log_count(m) >= 1);
	CU_ASSERT_STRING_EQUAL(model_log_at(m, 0)->event_id, "evt_149");
	CU_ASSERT_TRUE(model_balance(m)->known);
	CU_ASSERT_EQUAL(model_balance(m)->available, 4200);
	model_free(m);
	store_close(s);
}

/* A fax's anomalies (conflicting terminal events) survive a restart; a
 * later write of the fax keeps them. */
static void test_anomalies_kept(void)
{
	struct store *s = open_db("anomaly", 0);
	struct model_fax mf;
	struct model *m;
	const struct model_fax *got;

	mk_full_fax(&mf, "fax_odd", T0);
	mf.anomalies = 2;
	mf.anomaly = "delivered after failed in evt_9";
	CU_ASSERT_EQUAL(store_put_fax(s, &mf), 0);
	fax_done(&mf.fax);
	mk_full_fax(&mf, "fax_fine", T0 + 1);
	CU_ASSERT_EQUAL(store_put_fax(s, &mf), 0);
	fax_done(&mf.fax);
	store_close(s);

	s = open_db("anomaly", 0);
	m = model_new(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL_FATAL(store_load(s, m, T0 + DAY_MS), 0);
	got = model_get(m, "fax_odd");
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_EQUAL(got->anomalies, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got->anomaly);
	CU_ASSERT_STRING_EQUAL(got->anomaly, "delivered after failed in evt_9");
	got = model_get(m, "fax_fine");
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_EQUAL(got->anomalies, 0);
	CU_ASSERT_PTR_NULL(got->anomaly);
	/* written again from the model: still there */
	CU_ASSERT_EQUAL(store_put_fax(s, model_get(m, "fax_odd")), 0);
	model_free(m);
	store_close(s);
	s = open_db("anomaly", 0);
	m = model_new(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL_FATAL(store_load(s, m, T0 + DAY_MS), 0);
	CU_ASSERT_EQUAL(model_get(m, "fax_odd")->anomalies, 2);
	model_free(m);
	store_close(s);
}

/* In steps: newest first, a chunk at a time, the same model in the end;
 * the stored balance and recent events come with the first call. */
static void test_load_in_steps(void)
{
	struct store *s = open_db("steps", 0);
	struct model *m;
	struct model_fax mf;
	size_t done, total, calls = 0;
	char id[16];
	int r;

	/* stored out of creation order, as catch-up can do */
	for (int i = 0; i < 9; i++) {
		snprintf(id, sizeof id, "fax_%d", i);
		mk_full_fax(&mf, id, T0 + (i % 3) * 100000 + i);
		CU_ASSERT_EQUAL(store_put_fax(s, &mf), 0);
		fax_done(&mf.fax);
	}
	CU_ASSERT_EQUAL(put_event(s, "evt_1", T0), 0);
	store_close(s);

	s = open_db("steps", 0);
	m = model_new(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL_FATAL(store_load_begin(s, m, T0 + DAY_MS), 0);
	store_load_progress(s, &done, &total);
	CU_ASSERT_EQUAL(done, 0);
	CU_ASSERT_EQUAL(total, 9);
	CU_ASSERT_TRUE(model_seen(m, "evt_1"));
	CU_ASSERT_EQUAL(model_count(m), 0);
	/* the first step brings the newest stored */
	CU_ASSERT_EQUAL(store_load_step(s, m, 2), 1);
	CU_ASSERT_EQUAL(model_count(m), 2);
	CU_ASSERT_PTR_NOT_NULL(model_get(m, "fax_8"));
	CU_ASSERT_PTR_NOT_NULL(model_get(m, "fax_7"));
	while ((r = store_load_step(s, m, 2)) == 1)
		calls++;
	CU_ASSERT_EQUAL(r, 0);
	CU_ASSERT_EQUAL(calls, 3);
	store_load_progress(s, &done, &total);
	CU_ASSERT_EQUAL(done, 9);
	CU_ASSERT_EQUAL(model_count(m), 9);
	/* creation order, whatever the reading order */
	for (size_t i = 0; i < 9; i++) {
		snprintf(id, sizeof id, "fax_%zu", (i % 3) * 3 + i / 3);
		CU_ASSERT_STRING_EQUAL(model_at(m, i)->fax.id, id);
	}
	/* a finished load stays finished */
	CU_ASSERT_EQUAL(store_load_step(s, m, 2), 0);
	CU_ASSERT_EQUAL(model_count(m), 9);
	model_free(m);
	store_close(s);
}

/* A damaged row costs that fax only, and says so. */
static void test_load_skips_damaged_row(void)
{
	struct store *s = open_db("loaddmg", 0);
	struct model_fax mf;
	struct model *m;
	sqlite3 *db;

	mk_full_fax(&mf, "fax_good", T0);
	CU_ASSERT_EQUAL(store_put_fax(s, &mf), 0);
	fax_done(&mf.fax);
	mk_full_fax(&mf, "fax_bad", T0 + 1);
	CU_ASSERT_EQUAL(store_put_fax(s, &mf), 0);
	fax_done(&mf.fax);
	CU_ASSERT_EQUAL(store_commit(s), 0);
	db = peek_open("loaddmg");
	CU_ASSERT_EQUAL(sqlite3_exec(db, "UPDATE faxes SET tags = x'02' WHERE id = 'fax_bad'", NULL,
				     NULL, NULL),
			SQLITE_OK);
	sqlite3_close(db);

	m = model_new(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(store_load(s, m, T0), 0);
	CU_ASSERT_EQUAL(store_load_damaged(s), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(store_last_error(s), "fax_bad"));
	CU_ASSERT_EQUAL(model_count(m), 1);
	CU_ASSERT_PTR_NOT_NULL(model_get(m, "fax_good"));
	CU_ASSERT_PTR_NULL(model_get(m, "fax_bad"));
	CU_ASSERT_TRUE(model_log_count(m) >= 1);
	CU_ASSERT_EQUAL(model_log_at(m, 0)->outcome, APPLY_INVALID);
	CU_ASSERT_STRING_EQUAL(model_log_at(m, 0)->fax_id, "fax_bad");
	model_free(m);
	store_close(s);
}

/* ---- the reader thread (store_loader.c) ---- */

#define LOADER_FAXES 5000 /* a few of the thread's batches */

/* LOADER_FAXES full faxes, every 7th with anomalies, every 1000th with a
 * damaged tags record. */
static void mk_loader_store(const char *name, int n)
{
	struct store *s = open_db(name, 0);
	struct model_fax mf;
	char id[32], sql[128];
	sqlite3 *db;

	for (int i = 0; i < n; i++) {
		snprintf(id, sizeof id, "fax_%05d", i);
		mk_full_fax(&mf, id, T0 + i);
		if (i % 7 == 3) {
			mf.anomalies = (unsigned)(i % 5 + 1);
			mf.anomaly = "delivered after failed";
		}
		CU_ASSERT_EQUAL(store_put_fax(s, &mf), 0);
		fax_done(&mf.fax);
	}
	CU_ASSERT_EQUAL(put_event(s, "evt_1", T0), 0);
	store_close(s);
	db = peek_open(name);
	for (int i = 500; i < n; i += 1000) {
		snprintf(sql, sizeof sql, "UPDATE faxes SET tags = x'02' WHERE id = 'fax_%05d'", i);
		CU_ASSERT_EQUAL(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	}
	sqlite3_close(db);
}

static void loader_ready(void *arg)
{
	(*(int *)arg)++;
}

/* store_load_begin, a first step in the loop as faxtop takes, then the rest
 * through the thread, waiting on the loop when it has nothing ready. The
 * last step's answer. */
static int load_threaded(struct store *s, struct model *m, struct ev_loop *loop, int *wakes)
{
	int r;

	CU_ASSERT_EQUAL_FATAL(store_load_begin(s, m, T0 + DAY_MS), 0);
	CU_ASSERT_EQUAL_FATAL(store_load_step(s, m, 100), 1);
	CU_ASSERT_EQUAL_FATAL(store_load_thread(s, loop, loader_ready, wakes), 0);
	while ((r = store_load_step(s, m, 777)) == 1 || r == STORE_LOAD_WAIT)
		if (r == STORE_LOAD_WAIT)
			ev_run(loop, EVRUN_ONCE);
	return r;
}

/* The thread builds the same model as the load in the loop: the same
 * faxes, in the same order, every field, the anomalies, the damaged rows
 * skipped, counted and logged. */
static void test_load_thread_same_model(void)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct model *a = model_new(NULL), *b = model_new(NULL);
	struct store *s;
	size_t done, total, damaged;
	int wakes = 0;

	mk_loader_store("loader", LOADER_FAXES);
	s = open_db("loader", 0);
	CU_ASSERT_EQUAL_FATAL(store_load(s, a, T0 + DAY_MS), 0);
	damaged = store_load_damaged(s);
	store_close(s);
	CU_ASSERT_EQUAL(damaged, LOADER_FAXES / 1000);
	CU_ASSERT_EQUAL(model_count(a), LOADER_FAXES - damaged);

	s = open_db("loader", 0);
	CU_ASSERT_EQUAL(load_threaded(s, b, loop, &wakes), 0);
	CU_ASSERT_TRUE(wakes > 0);
	CU_ASSERT_EQUAL(store_load_damaged(s), damaged);
	CU_ASSERT_PTR_NOT_NULL(strstr(store_last_error(s), "fax_00500"));
	store_load_progress(s, &done, &total);
	CU_ASSERT_EQUAL(done, LOADER_FAXES);
	CU_ASSERT_EQUAL(total, LOADER_FAXES);
	CU_ASSERT_TRUE(model_seen(b, "evt_1"));
	CU_ASSERT_EQUAL_FATAL(model_count(b), model_count(a));
	for (size_t i = 0; i < model_count(a); i++) {
		const struct model_fax *x = model_at(a, i), *y = model_at(b, i);

		assert_fax_equal(&y->fax, &x->fax);
		CU_ASSERT_EQUAL(y->last_update_ms, x->last_update_ms);
		CU_ASSERT_EQUAL(y->anomalies, x->anomalies);
		CU_ASSERT_TRUE(str_same(y->anomaly, x->anomaly));
	}
	CU_ASSERT_EQUAL_FATAL(model_log_count(b), model_log_count(a));
	for (size_t i = 0; i < model_log_count(a); i++) {
		CU_ASSERT_EQUAL(model_log_at(b, i)->outcome, model_log_at(a, i)->outcome);
		CU_ASSERT_TRUE(str_same(model_log_at(b, i)->fax_id, model_log_at(a, i)->fax_id));
	}
	/* a finished load stays finished, in the loop */
	CU_ASSERT_EQUAL(store_load_step(s, b, 10), 0);
	store_close(s);
	model_free(a);
	model_free(b);
	ev_loop_destroy(loop);
}

/* Quitting in the middle of a load: the thread, waiting for room or
 * reading, stops and is joined; what it read is freed (ASan, valgrind). */
static void test_load_thread_stop(void)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct model *m = model_new(NULL);
	struct store *s;
	int wakes = 0, r;

	mk_loader_store("loadstop", 30000);
	for (int round = 0; round < 2; round++) {
		s = open_db("loadstop", 0);
		CU_ASSERT_EQUAL_FATAL(store_load_begin(s, m, T0 + DAY_MS), 0);
		CU_ASSERT_EQUAL_FATAL(store_load_thread(s, loop, loader_ready, &wakes), 0);
		/* round 0: straight away; round 1: after the first rows, with
		 * more queued (each push wakes the loop, so this cannot hang) */
		while (round == 1 && (r = store_load_step(s, m, 10)) == STORE_LOAD_WAIT)
			ev_run(loop, EVRUN_ONCE);
		while (round == 1 && store_load_ahead(s) < 2 * 1000)
			ev_run(loop, EVRUN_ONCE);
		if (round == 1)
			CU_ASSERT_EQUAL(r, 1);
		if (round == 0)
			store_load_stop(s);
		store_close(s); /* round 1: stops it */
	}
	CU_ASSERT_TRUE(model_count(m) > 0);
	CU_ASSERT_TRUE(model_count(m) < 30000);
	model_free(m);
	ev_loop_destroy(loop);
}

/* The thread's read failing reaches the loop as step's -1, named. */
static void test_load_thread_error(void)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct model *m = model_new(NULL);
	struct store *s;
	char gone[600];
	int wakes = 0, r;

	mk_loader_store("loaderr", 10);
	s = open_db("loaderr", 0);
	CU_ASSERT_EQUAL_FATAL(store_load_begin(s, m, T0 + DAY_MS), 0);
	/* the file moves away under the open store: the thread cannot open it */
	snprintf(gone, sizeof gone, "%s.gone", db_path("loaderr"));
	CU_ASSERT_EQUAL_FATAL(rename(db_path("loaderr"), gone), 0);
	CU_ASSERT_EQUAL_FATAL(store_load_thread(s, loop, loader_ready, &wakes), 0);
	while ((r = store_load_step(s, m, 100)) == STORE_LOAD_WAIT)
		ev_run(loop, EVRUN_ONCE);
	CU_ASSERT_EQUAL(r, -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(store_last_error(s), "load faxes"));
	CU_ASSERT_EQUAL(model_count(m), 0);
	CU_ASSERT_EQUAL(rename(gone, db_path("loaderr")), 0);
	store_close(s);
	model_free(m);
	ev_loop_destroy(loop);
}

/* The WAL is checkpointed by the helper thread, not inside COMMIT. */
static void test_checkpoint_helper(void)
{
	struct store *s = open_db("ckpt", 0);
	struct store_checkpoint_stats cs;
	char raw[2048], id[32];

	memset(raw, 'y', sizeof raw);
	/* about 1,600 pages of WAL over three commits: past the helper's
	 * threshold, below the loop's */
	for (int i = 0; i < 1500; i++) {
		snprintf(id, sizeof id, "evt_ck_%d", i);
		CU_ASSERT_EQUAL(put_raw_event(s, id, raw, sizeof raw, T0), 0);
		if (i % 500 == 499)
			CU_ASSERT_EQUAL(store_commit(s), 0);
	}
	/* the helper runs on its own time: wait for it, boundedly */
	for (int i = 0; i < 1000; i++) {
		store_checkpoint_stats(s, &cs);
		if (cs.copying > 0)
			break;
		usleep(10000);
	}
	CU_ASSERT_TRUE(cs.helper);
	CU_ASSERT_TRUE(cs.runs > 0);
	/* and it did the work: it had once run without copying a page */
	CU_ASSERT_TRUE(cs.copying > 0);
	CU_ASSERT_EQUAL(cs.in_loop, 0);
	CU_ASSERT_EQUAL(cs.failures, 0);
	CU_ASSERT_EQUAL(store_event_count(s), 1500);
	store_close(s);

	s = open_db("ckpt", 0);
	CU_ASSERT_EQUAL(store_event_count(s), 1500);
	store_close(s);
}

/* Under a steady stream of small commits the helper's checkpoints race the
 * loop's writes: SQLite restarts the WAL only when a write begins with every
 * frame copied back, so without a bound the WAL grows for as long as the
 * traffic lasts (until it fills the disk). It must stay bounded. */
static void test_wal_bounded(void)
{
	struct store_opts o = { .path = db_path("walbound"),
				.recent_events = 100,
				.wal_max_pages = STORE_WAL_MIN_PAGES };
	char err[512] = "";
	struct store *s = store_open(&o, err, sizeof err);
	struct stat st;
	char raw[1024], id[32], wal[600];
	long long max = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	snprintf(wal, sizeof wal, "%s-wal", db_path("walbound"));
	memset(raw, 'w', sizeof raw);
	/* about 60 MB written to the WAL, ten events per commit */
	for (int i = 0; i < 30000; i++) {
		snprintf(id, sizeof id, "evt_wb_%d", i);
		CU_ASSERT_EQUAL(put_raw_event(s, id, raw, sizeof raw, T0), 0);
		if (i % 10 == 9) {
			CU_ASSERT_EQUAL(store_commit(s), 0);
			if (stat(wal, &st) == 0 && st.st_size > max)
				max = st.st_size;
		}
	}
	/* a page is 4 KiB plus a 24-byte frame header; the last commit
	 * before a checkpoint may overshoot a little */
	CU_ASSERT_TRUE(max > 0);
	CU_ASSERT_TRUE(max <= (long long)STORE_WAL_MIN_PAGES * 5 / 4 * (4096 + 24));
	CU_ASSERT_EQUAL(store_event_count(s), 30000);
	store_close(s);
}

static const struct unit_test tests[] = {
	{ "open: WAL, schema, private file", test_open_wal_schema },
	{ "relaxed_sync selects synchronous=NORMAL", test_relaxed_sync },
	{ "reopen: migrations idempotent, data kept", test_reopen_migrations_idempotent },
	{ "a schema 1 database is migrated to the newest", test_migrate_from_v1 },
	{ "schema 5 keys events by (created, id), data kept", test_migrate_events_key },
	{ "schema 6 drops faxes_created and events_received, data kept",
	  test_migrate_narrow_indexes },
	{ "events deduplicated on (created, id)", test_event_key_dedupe },
	{ "newer or garbled schema version refused", test_newer_schema_refused },
	{ "a failed schema step rolls back whole", test_failed_migration_rolls_back },
	{ "bad paths refused with a reason", test_bad_path },
	{ "fax round trip: every field survives reopen", test_fax_round_trip },
	{ "damaged attempts/tags record reported", test_damaged_record },
	{ "hostile attempts records: rejected, never overread", test_record_reader_hostile },
	{ "commit callbacks run once, ok", test_commit_callbacks },
	{ "fault switch: callbacks false, store_ok false, recovery", test_fault_switch },
	{ "a failed write dooms the batch", test_failed_write_dooms_batch },
	{ "duplicate detection in the open batch and after commit", test_has_event_batch },
	{ "quarantine, resend audit, meta, event order", test_quarantine_resend_meta },
	{ "prune by retention keeps faxes", test_prune },
	{ "prune walks the stored order: a stepped-back clock delays, never hastens",
	  test_prune_clock_step },
	{ "balance reading round trip", test_balance_round_trip },
	{ "balance history kept, bounded, reloaded", test_balance_history_kept },
	{ "locked database: write fails fast, recovers", test_locked_database },
	{ "full disk: batch doomed, callbacks false, recovers", test_disk_full },
	{ "read-only database refused", test_read_only },
	{ "ev_prepare watcher commits before the loop sleeps", test_prepare_watcher },
	{ "store_load rebuilds faxes, order, recent events, balance", test_load_rebuilds_model },
	{ "store_load skips a damaged row and reports it", test_load_skips_damaged_row },
	{ "store_load_begin/step: newest first, in chunks", test_load_in_steps },
	{ "store_load_thread: the same model as the load in the loop",
	  test_load_thread_same_model },
	{ "store_load_thread: quitting during the load stops the thread", test_load_thread_stop },
	{ "store_load_thread: a read error reaches the loop", test_load_thread_error },
	{ "a fax's anomalies survive a restart", test_anomalies_kept },
	{ "WAL checkpoints run on the helper thread", test_checkpoint_helper },
	{ "the WAL stays bounded under steady commits", test_wal_bounded },
	{ NULL, NULL },
};

UNIT_SUITE(store, NULL, NULL, tests);
