/* The schema: its steps and the migration that runs them.
 *
 * The step list is the history of the database's shape: each step moves
 * the schema one version up, in its own transaction, and the version is
 * kept in meta. Never edit a released step; append a new one (a new fax
 * column is also a line in core/store/store_faxcols.h). */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/store_int.h"

#define STORE_SCHEMA_VERSION_KEY "schema_version"

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
	/* 6: no index on the faxes' creation time. No query ever used it
	 * (faxes are loaded by rowid), and under random ids it cost a page
	 * write at the end of the index for every commit: measured, 7% of the
	 * bytes each event wrote (BENCHMARKS.md, issue 17). Nor on the events'
	 * receipt time: prune walks the events in the order they were stored
	 * (rowid) instead, which is the order of receipt. */
	"DROP INDEX IF EXISTS faxes_created;"
	"DROP INDEX IF EXISTS events_received;",
	/* 7: who dismissed a fax, shown on its detail (a team's operators) */
	"ALTER TABLE triage ADD COLUMN who TEXT;",
};
#define STORE_SCHEMA_VERSION ((int)(sizeof store_migrations / sizeof store_migrations[0]))

int store_migrate(struct store *s)
{
	char buf[32], sql[160];
	char *end;
	long version;
	int r;

	if (store_exec(s,
		       "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY NOT NULL,"
		       " value TEXT NOT NULL)",
		       "create meta") < 0)
		return -1;
	r = store_query_text(s, "SELECT value FROM meta WHERE key = '" STORE_SCHEMA_VERSION_KEY "'",
			     buf, sizeof buf);
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
		store_set_err(s,
			      "the database has schema version %ld, newer than this faxtop"
			      " understands (%d); use a newer faxtop or another --db",
			      version, STORE_SCHEMA_VERSION);
		return -1;
	}
	for (long v = version; v < STORE_SCHEMA_VERSION; v++) {
		snprintf(sql, sizeof sql,
			 "INSERT OR REPLACE INTO meta (key, value) VALUES "
			 "('" STORE_SCHEMA_VERSION_KEY "', '%ld')",
			 v + 1);
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
