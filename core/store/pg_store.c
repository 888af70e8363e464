#include "config.h"

#include <ev.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base/sanitize.h"
#include "core/base/xalloc.h"
#include "core/store/pg_ev.h"
#include "core/store/pg_store.h"
#include "core/store/pg_store_int.h"

/* Advisory lock keys: (PG_STORE_LOCK_CLASS, one of these). */
#define PG_STORE_LOCK_CLASS   "1717663860" /* "faxt" */
#define PG_STORE_LOCK_MIGRATE "1"
#define PG_STORE_LOCK_POLLER  "2"
#define PG_STORE_CLAIM_TRIES  5
#define PG_STORE_EVENT_PARAMS 7
_Static_assert(PG_STORE_BATCH_MAX *PG_STORE_EVENT_PARAMS < 9999, "insert_sql's bound");
#define PG_STORE_LEAD_STEP_BACK 5 /* tries a lost leader sits out */

/* Each step moves the schema one version up; never edit a released step,
 * append a new one. The tables mirror the SQLite store's (core/store/
 * store_schema.c, steps 1-5) where a team shares them, with who did what;
 * the poller's cursor and the resend claims are new. The faxes table has
 * the columns of FAX_COLUMN_LIST in its order (a fax's attempts and tags
 * are the same binary records as in SQLite), so the upsert and the reads
 * that the list makes serve both backends. Timestamps are the
 * SQLite store's (ms since the epoch) where the model writes them, and the
 * server's clock where the server decides (claims, leadership). */
static const char *const pg_store_steps[] = {
	/* 1: the shared schema */
	"CREATE TABLE events ("
	" seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,"
	" id text PRIMARY KEY,"
	" type text NOT NULL,"
	" created bigint NOT NULL,"
	" received_at bigint NOT NULL,"
	" source text NOT NULL,"
	" fax_id text,"
	" raw bytea NOT NULL,"
	" stored_by text NOT NULL);"
	"CREATE INDEX events_received ON events(received_at);"
	"CREATE TABLE faxes ("
	" id text PRIMARY KEY,"
	" status text, to_number text, pages integer,"
	" error_code text, error_subcode text, error_message text,"
	" max_attempts integer NOT NULL,"
	" webhook_url text, idempotency_key text, csid text, page_size text,"
	" resolution text, optimize_for text, resent_from text,"
	" submitted_at bigint, completed_at bigint, created_at bigint, updated_at bigint,"
	" attempts bytea NOT NULL, tags bytea NOT NULL,"
	" last_source text NOT NULL, last_update bigint,"
	" anomalies integer NOT NULL DEFAULT 0, anomaly text);"
	"CREATE INDEX faxes_created ON faxes(created_at, id);"
	"CREATE TABLE quarantine ("
	" received_at bigint NOT NULL, reason text NOT NULL, raw bytea NOT NULL,"
	" stored_by text NOT NULL);"
	"CREATE INDEX quarantine_received ON quarantine(received_at);"
	"CREATE TABLE resends ("
	" at bigint NOT NULL, fax_id text NOT NULL, new_fax_id text, error text,"
	" idempotency_key text, request_id text, to_number text,"
	" max_attempts integer NOT NULL, who text);"
	"CREATE TABLE balance ("
	" one integer PRIMARY KEY CHECK (one = 1),"
	" at bigint NOT NULL, available bigint, held bigint, environment_id text,"
	" currency text, type text, auto_top_up_enabled boolean,"
	" auto_top_up_threshold bigint);"
	"CREATE TABLE balance_samples ("
	" at bigint PRIMARY KEY, available bigint NOT NULL, held bigint NOT NULL);"
	"CREATE TABLE resend_ledger ("
	" key text PRIMARY KEY, fax_id text NOT NULL, state text NOT NULL,"
	" to_number text, max_attempts integer NOT NULL,"
	" created_at bigint NOT NULL, updated_at bigint NOT NULL,"
	" new_fax_id text, request_id text, error text, who text);"
	"CREATE INDEX resend_ledger_fax ON resend_ledger(fax_id, created_at);"
	"CREATE TABLE triage ("
	" fax_id text PRIMARY KEY, state text NOT NULL, note text,"
	" at bigint NOT NULL, who text NOT NULL);"
	/* One row: where the poller's catch-up goes on, and the leadership's
	 * fencing token (epoch). */
	"CREATE TABLE poller ("
	" one integer PRIMARY KEY CHECK (one = 1),"
	" cursor text NOT NULL DEFAULT '',"
	" epoch bigint NOT NULL DEFAULT 0,"
	" leader text, since timestamptz, advanced_at timestamptz);"
	"INSERT INTO poller (one) VALUES (1);"
	"CREATE TABLE resend_claims ("
	" fax_id text PRIMARY KEY,"
	" who text NOT NULL,"
	" key text,"
	" claimed_at timestamptz NOT NULL DEFAULT now());",
};
_Static_assert(sizeof pg_store_steps / sizeof pg_store_steps[0] == PG_STORE_SCHEMA_VERSION,
	       "PG_STORE_SCHEMA_VERSION counts the steps");

struct pg_op *pg_op_new(struct pg_store *s, pg_op_fn fn, void *ctx)
{
	struct pg_op *op = xcalloc(1, sizeof *op);

	op->s = s;
	op->fn = fn;
	op->ctx = ctx;
	return op;
}

void pg_op_free(struct pg_op *op)
{
	for (size_t i = 0; op->ids && i < op->n; i++)
		free(op->ids[i]);
	free(op->ids);
	free(op->fax_id);
	free(op->key);
	free(op);
}

/* err, or why a statement that ran cannot be trusted: the schema check
 * failed on this connection. */
const char *pg_op_err(const struct pg_op *op, const char *err)
{
	if (err)
		return err;
	return op->s->ready ? NULL : (op->s->err[0] ? op->s->err : "the store is not ready");
}

/* Queues sql for op with cb; a failure to queue (out of memory) is
 * reported as -1 and op is freed. */
int pg_op_send(struct pg_ev *pg, struct pg_op *op, const char *sql, int n,
	       const char *const *params, pg_ev_result_fn cb)
{
	if (pg_ev_query(pg, sql, n, params, cb, op) < 0) {
		pg_op_free(op);
		return -1;
	}
	return 0;
}

static void store_set_err(struct pg_store *s, const char *err)
{
	snprintf(s->err, sizeof s->err, "%s", err ? err : "unknown error");
	s->err[strcspn(s->err, "\n")] = '\0';
}

/* ---- schema ---- */

/* One DO block, so a migration is one transaction under an advisory lock:
 * two instances starting together migrate once, and a failed step leaves
 * the previous version whole. A migrated database is only read, so an
 * instance needs no right to create tables once the schema is there. */
static char *migrate_script(void)
{
	size_t len = 1024;
	char *sql, *p;

	for (int i = 0; i < PG_STORE_SCHEMA_VERSION; i++)
		len += strlen(pg_store_steps[i]) + 64;
	p = sql = xmalloc(len);
	p += sprintf(p,
		     "DO $faxtop_migrate$ DECLARE v integer; BEGIN"
		     " PERFORM pg_advisory_xact_lock(" PG_STORE_LOCK_CLASS
		     ", " PG_STORE_LOCK_MIGRATE ");"
		     " IF to_regclass('meta') IS NULL THEN"
		     " CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL); END IF;"
		     " SELECT value::integer INTO v FROM meta WHERE key = 'schema_version';"
		     " v := coalesce(v, 0);"
		     " IF v > %d THEN RAISE EXCEPTION 'the database has schema version %%,"
		     " newer than this faxtop understands (%d); use a newer faxtop', v; END IF;",
		     PG_STORE_SCHEMA_VERSION, PG_STORE_SCHEMA_VERSION);
	for (int i = 0; i < PG_STORE_SCHEMA_VERSION; i++)
		p += sprintf(p, " IF v < %d THEN %s END IF;", i + 1, pg_store_steps[i]);
	sprintf(p,
		" IF v < %d THEN INSERT INTO meta (key, value) VALUES ('schema_version', '%d')"
		" ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value; END IF;"
		" END $faxtop_migrate$",
		PG_STORE_SCHEMA_VERSION, PG_STORE_SCHEMA_VERSION);
	return sql;
}

static void on_migrated(void *ctx, const PGresult *res, const char *err)
{
	struct pg_store *s = ctx;

	(void)res;
	if (err) {
		char why[sizeof s->err];

		snprintf(why, sizeof why, "the schema of %s: %s", pg_ev_target(s->pg), err);
		store_set_err(s, why);
		s->ready = false;
		if (s->opts.on_state)
			s->opts.on_state(s->opts.ctx, false, s->err);
		return;
	}
	s->ready = true;
	s->err[0] = '\0';
	if (s->opts.on_state)
		s->opts.on_state(s->opts.ctx, true, NULL);
}

static void on_main_state(void *ctx, bool up, const char *err)
{
	struct pg_store *s = ctx;

	if (up) {
		/* Ahead of everything queued: see pg_ev_state_fn. */
		pg_ev_query(s->pg, s->migrate_sql, 0, NULL, on_migrated, s);
		return;
	}
	s->ready = false;
	store_set_err(s, err);
	if (s->opts.on_state)
		s->opts.on_state(s->opts.ctx, false, s->err);
}

static void on_main_notify(void *ctx, const char *channel, const char *payload)
{
	struct pg_store *s = ctx;

	if (s->opts.on_change && strcmp(channel, PG_STORE_CHANNEL) == 0)
		s->opts.on_change(s->opts.ctx, payload);
}

static struct pg_ev *session_new(struct pg_store *s, pg_ev_state_fn on_state,
				 pg_ev_notify_fn on_notify, char *err, size_t errlen)
{
	struct pg_ev_opts o = {
		.conninfo = s->conninfo,
		.on_state = on_state,
		.on_notify = on_notify,
		.ctx = s,
		.retry_min = s->opts.retry_min,
		.retry_max = s->opts.retry_max,
	};

	return pg_ev_new(s->loop, &o, err, errlen);
}

struct pg_store *pg_store_new(struct ev_loop *loop, const struct pg_store_opts *opts, char *err,
			      size_t errlen)
{
	struct pg_store *s;
	size_t wl = opts->who ? strlen(opts->who) : 0;

	/* The name goes into the database and onto other operators' screens. */
	if (wl == 0 || wl > PG_STORE_WHO_MAX || !sanitize_utf8_valid(opts->who, wl)) {
		snprintf(err, errlen, "the operator's name must be 1 to %d bytes of UTF-8",
			 PG_STORE_WHO_MAX);
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	s->loop = loop;
	s->opts = *opts;
	s->conninfo = xstrdup(opts->conninfo ? opts->conninfo : "");
	s->opts.conninfo = NULL;
	memcpy(s->who, opts->who, wl + 1);
	s->opts.who = s->who;
	s->migrate_sql = migrate_script();
	ev_init(&s->lead_w, NULL);
	s->pg = session_new(s, on_main_state, on_main_notify, err, errlen);
	if (!s->pg || (opts->on_change && pg_ev_listen(s->pg, PG_STORE_CHANNEL) < 0)) {
		if (s->pg)
			snprintf(err, errlen, "cannot listen on %s", PG_STORE_CHANNEL);
		pg_store_free(s);
		return NULL;
	}
	return s;
}

void pg_store_free(struct pg_store *s)
{
	if (!s)
		return;
	ev_timer_stop(s->loop, &s->lead_w);
	/* The sessions first: their callbacks still use s. */
	pg_ev_free(s->lead);
	s->lead = NULL;
	pg_ev_free(s->pg);
	free(s->migrate_sql);
	free(s->conninfo);
	free(s);
}

bool pg_store_ready(const struct pg_store *s)
{
	return s->ready;
}

const char *pg_store_target(const struct pg_store *s)
{
	return pg_ev_target(s->pg);
}

/* ---- events ---- */

static char *hex_bytea(const void *raw, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *b = raw;
	char *out = xmalloc(2 * len + 3), *p = out;

	*p++ = '\\';
	*p++ = 'x';
	for (size_t i = 0; i < len; i++) {
		*p++ = hex[b[i] >> 4];
		*p++ = hex[b[i] & 15];
	}
	*p = '\0';
	return out;
}

bool pg_text_ok(const char *t)
{
	return !t || sanitize_utf8_valid(t, strlen(t));
}

bool pg_store_event_ok(const struct pg_store_event *e)
{
	return e->id && *e->id && e->type && e->source && (e->raw || !e->raw_len) &&
		pg_text_ok(e->id) && pg_text_ok(e->type) && pg_text_ok(e->source) &&
		pg_text_ok(e->fax_id);
}

/* The ids RETURNING named were stored by this statement; every other event
 * of the batch was already there (or is a repeat within the batch). */
static void on_inserted(void *ctx, const PGresult *res, const char *err)
{
	struct pg_op *op = ctx;
	pg_store_insert_fn fn = (pg_store_insert_fn)op->fn;
	bool *is_new;

	err = pg_op_err(op, err);
	if (err) {
		fn(op->ctx, err, NULL, op->n);
		pg_op_free(op);
		return;
	}
	is_new = xcalloc(op->n, sizeof *is_new);
	for (int r = 0; r < PQntuples(res); r++) {
		const char *id = PQgetvalue(res, r, 0);

		for (size_t i = 0; i < op->n; i++) {
			if (!is_new[i] && strcmp(op->ids[i], id) == 0) {
				is_new[i] = true;
				break;
			}
		}
	}
	fn(op->ctx, NULL, is_new, op->n);
	free(is_new);
	pg_op_free(op);
}

/* INSERT … VALUES ($2…),(…) with the NOTIFY in the same statement: the
 * notification is delivered only if the statement commits. */
static char *insert_sql(size_t n)
{
	/* A row is at most 110 bytes while the parameters have 4 digits
	 * (PG_STORE_BATCH_MAX * PG_STORE_EVENT_PARAMS < 10000). */
	size_t len = 512 + n * 128;
	char *sql = xmalloc(len), *p = sql;

	p += sprintf(p,
		     "WITH ins AS (INSERT INTO events"
		     " (id, type, created, received_at, source, fax_id, raw, stored_by) VALUES ");
	for (size_t i = 0; i < n; i++) {
		size_t b = 2 + i * PG_STORE_EVENT_PARAMS;

		p += sprintf(p,
			     "%s($%zu::text, $%zu::text, $%zu::bigint, $%zu::bigint, $%zu::text,"
			     " $%zu::text, $%zu::bytea, $1::text)",
			     i ? "," : "", b, b + 1, b + 2, b + 3, b + 4, b + 5, b + 6);
	}
	sprintf(p,
		" ON CONFLICT (id) DO NOTHING RETURNING id, seq),"
		" note AS (SELECT pg_notify('" PG_STORE_CHANNEL "',"
		" 'events:' || min(seq) || '-' || max(seq)) FROM ins HAVING count(*) > 0)"
		" SELECT ins.id FROM ins CROSS JOIN note");
	return sql;
}

int pg_store_insert_events(struct pg_store *s, const struct pg_store_event *evs, size_t n,
			   pg_store_insert_fn fn, void *ctx)
{
	size_t np = 1 + n * PG_STORE_EVENT_PARAMS;
	const char **params;
	char **owned;
	struct pg_op *op;
	char *sql;
	int r;

	if (n == 0 || n > PG_STORE_BATCH_MAX || !fn)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!pg_store_event_ok(&evs[i]))
			return -1;
	op = pg_op_new(s, (pg_op_fn)fn, ctx);
	op->n = n;
	op->ids = xcalloc(n, sizeof *op->ids);
	params = xcalloc(np, sizeof *params);
	owned = xcalloc(n * 3, sizeof *owned);
	params[0] = s->who;
	for (size_t i = 0; i < n; i++) {
		const struct pg_store_event *e = &evs[i];
		const char **pp = params + 1 + i * PG_STORE_EVENT_PARAMS;

		op->ids[i] = xstrdup(e->id);
		owned[3 * i] = xasprintf("%" PRId64, e->created);
		owned[3 * i + 1] = xasprintf("%" PRId64, e->received_at);
		owned[3 * i + 2] = hex_bytea(e->raw, e->raw_len);
		pp[0] = e->id;
		pp[1] = e->type;
		pp[2] = owned[3 * i];
		pp[3] = owned[3 * i + 1];
		pp[4] = e->source;
		pp[5] = e->fax_id;
		pp[6] = owned[3 * i + 2];
	}
	sql = insert_sql(n);
	r = pg_op_send(s->pg, op, sql, (int)np, params, on_inserted);
	free(sql);
	for (size_t i = 0; i < n * 3; i++)
		free(owned[i]);
	free(owned);
	free(params);
	return r;
}

/* What on_range reads, in its order. */
#define EVENT_COLUMNS "id, type, created, received_at, source, fax_id, raw, seq"

static void event_fill(void *row, const PGresult *res, int r)
{
	struct pg_store_event *e = row;
	unsigned char *raw;

	e->id = PQgetvalue(res, r, 0);
	e->type = PQgetvalue(res, r, 1);
	e->created = strtoll(PQgetvalue(res, r, 2), NULL, 10);
	e->received_at = strtoll(PQgetvalue(res, r, 3), NULL, 10);
	e->source = PQgetvalue(res, r, 4);
	e->fax_id = pg_cell(res, r, 5);
	raw = PQunescapeBytea((const unsigned char *)PQgetvalue(res, r, 6), &e->raw_len);
	if (!raw)
		xalloc_die();
	e->raw = raw;
	e->seq = strtoll(PQgetvalue(res, r, 7), NULL, 10);
}

static void on_range(void *ctx, const PGresult *res, const char *err)
{
	struct pg_op *op = ctx;
	size_t n;
	struct pg_store_event *evs = pg_rows(op, res, &err, sizeof *evs, event_fill, &n);

	((pg_store_events_fn)op->fn)(op->ctx, err, evs, n);
	for (size_t r = 0; r < n; r++)
		PQfreemem((void *)evs[r].raw);
	free(evs);
	pg_op_free(op);
}

int pg_store_events_range(struct pg_store *s, int64_t lo, int64_t hi, pg_store_events_fn fn,
			  void *ctx)
{
	char a[24], b[24];
	const char *params[2] = { a, b };

	if (!fn || lo > hi)
		return -1;
	snprintf(a, sizeof a, "%" PRId64, lo);
	snprintf(b, sizeof b, "%" PRId64, hi);
	return pg_op_send(s->pg, pg_op_new(s, (pg_op_fn)fn, ctx),
			  "SELECT " EVENT_COLUMNS " FROM events"
			  " WHERE seq BETWEEN $1::bigint AND $2::bigint ORDER BY seq",
			  2, params, on_range);
}

int pg_store_events_after(struct pg_store *s, int64_t after, size_t limit, pg_store_events_fn fn,
			  void *ctx)
{
	char a[24], b[24];
	const char *params[2] = { a, b };

	if (!fn || limit == 0 || limit > PG_STORE_BATCH_MAX)
		return -1;
	snprintf(a, sizeof a, "%" PRId64, after);
	snprintf(b, sizeof b, "%zu", limit);
	return pg_op_send(s->pg, pg_op_new(s, (pg_op_fn)fn, ctx),
			  "SELECT " EVENT_COLUMNS " FROM events"
			  " WHERE seq > $1::bigint ORDER BY seq LIMIT $2::bigint",
			  2, params, on_range);
}

/* ---- the poller's leadership ---- */

static void lead_change(struct pg_store *s, bool leader, const char *cursor, const char *why)
{
	s->leader = leader;
	if (s->lead_fn)
		s->lead_fn(s->lead_ctx, leader, s->epoch, cursor, why);
}

static void on_lead_try(void *ctx, const PGresult *res, const char *err)
{
	struct pg_store *s = ctx;

	s->lead_busy = false;
	/* An error (the schema not there yet, say) is a standby's: try later. */
	if (err || !res || s->leader)
		return;
	if (PQntuples(res) != 1) {
		if (!s->lead_known)
			lead_change(s, false, NULL, "standby: another instance is the poller");
		s->lead_known = true;
		return;
	}
	s->lead_known = true;
	s->epoch = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	lead_change(s, true, PQgetvalue(res, 0, 1), NULL);
}

static void on_lead_beat(void *ctx, const PGresult *res, const char *err)
{
	struct pg_store *s = ctx;

	(void)res;
	(void)err;
	s->lead_busy = false;
}

/* A standby tries for the lock; the leader keeps its session talking, so
 * the server's keepalives and user timeout have something to time. */
static void lead_tick(struct pg_store *s)
{
	const char *params[1] = { s->who };

	if (s->lead_busy || !pg_ev_up(s->lead) || (!s->leader && ev_now(s->loop) < s->lead_after))
		return;
	s->lead_busy = true;
	if (s->leader) {
		if (pg_ev_query(s->lead, "SELECT 1", 0, NULL, on_lead_beat, s) < 0)
			s->lead_busy = false;
		return;
	}
	if (pg_ev_query(
		    s->lead,
		    "WITH l AS (SELECT pg_try_advisory_lock(" PG_STORE_LOCK_CLASS
		    ", " PG_STORE_LOCK_POLLER ") AS got)"
		    " UPDATE poller SET epoch = poller.epoch + 1, leader = $1::text, since = now()"
		    " FROM l WHERE l.got AND poller.one = 1 RETURNING poller.epoch, poller.cursor",
		    1, params, on_lead_try, s) < 0)
		s->lead_busy = false;
}

static void on_lead_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	lead_tick(w->data);
}

static void on_lead_state(void *ctx, bool up, const char *err)
{
	struct pg_store *s = ctx;

	if (up) {
		/* The server drops this session, and with it the lock, about 11 s
		 * after the leader's host stops answering. */
		pg_ev_query(s->lead,
			    "SELECT set_config('tcp_keepalives_idle', '5', false),"
			    " set_config('tcp_keepalives_interval', '2', false),"
			    " set_config('tcp_keepalives_count', '3', false),"
			    " set_config('tcp_user_timeout', '10000', false)",
			    0, NULL, NULL, NULL);
		s->lead_busy = false;
		lead_tick(s);
		return;
	}
	s->lead_busy = false;
	s->lead_known = false;
	if (s->leader) {
		/* The standbys get the first chance: the instance whose session
		 * just died is the likelier one to be in trouble. */
		s->lead_after = ev_now(s->loop) + PG_STORE_LEAD_STEP_BACK * s->lead_retry;
		lead_change(s, false, NULL, err ? err : "the leadership session was lost");
	}
}

int pg_store_lead(struct pg_store *s, double retry_s, pg_store_lead_fn fn, void *ctx)
{
	char err[256];

	if (s->lead || !fn || !(retry_s > 0))
		return -1;
	s->lead_fn = fn;
	s->lead_ctx = ctx;
	s->lead_retry = retry_s;
	s->lead = session_new(s, on_lead_state, NULL, err, sizeof err);
	if (!s->lead)
		return -1;
	ev_timer_init(&s->lead_w, on_lead_timer, retry_s, retry_s);
	s->lead_w.data = s;
	ev_timer_start(s->loop, &s->lead_w);
	return 0;
}

bool pg_store_leader(const struct pg_store *s)
{
	return s->leader;
}

static void on_advanced(void *ctx, const PGresult *res, const char *err)
{
	struct pg_op *op = ctx;

	err = pg_op_err(op, err);
	if (!err && strcmp(PQcmdTuples((PGresult *)res), "1") != 0)
		err = "no longer the poller: another instance has won the leadership since";
	((pg_store_done_fn)op->fn)(op->ctx, err);
	pg_op_free(op);
}

int pg_store_cursor_advance(struct pg_store *s, int64_t epoch, const char *cursor,
			    pg_store_done_fn fn, void *ctx)
{
	char e[24];
	const char *params[2] = { e, cursor };

	if (!fn || !cursor || !pg_text_ok(cursor))
		return -1;
	snprintf(e, sizeof e, "%" PRId64, epoch);
	return pg_op_send(s->pg, pg_op_new(s, (pg_op_fn)fn, ctx),
			  "UPDATE poller SET cursor = $2::text, advanced_at = now()"
			  " WHERE one = 1 AND epoch = $1::bigint",
			  2, params, on_advanced);
}

/* ---- resend claims ---- */

/* The claim and, for the loser, the holder, in one statement. A claim
 * that lost to one committed after this statement's snapshot sees no row
 * for it: the statement runs again, with a newer snapshot. */
#define CLAIM_SQL                                                                            \
	"WITH ins AS (INSERT INTO resend_claims (fax_id, who, key)"                          \
	" VALUES ($1::text, $2::text, $3::text) ON CONFLICT (fax_id) DO NOTHING"             \
	" RETURNING who, claimed_at),"                                                       \
	" note AS (SELECT pg_notify('" PG_STORE_CHANNEL "', 'claim:' || $1::text) FROM ins)" \
	" SELECT true, who, extract(epoch FROM claimed_at)::bigint, $3::text"                \
	" FROM ins CROSS JOIN note"                                                          \
	" UNION ALL SELECT false, who, extract(epoch FROM claimed_at)::bigint, key"          \
	" FROM resend_claims WHERE fax_id = $1::text AND NOT EXISTS (SELECT 1 FROM ins)"

static void claim_send(struct pg_op *op);

static void on_claimed(void *ctx, const PGresult *res, const char *err)
{
	struct pg_op *op = ctx;
	pg_store_claim_fn fn = (pg_store_claim_fn)op->fn;

	err = pg_op_err(op, err);
	if (!err && PQntuples(res) == 0) {
		if (++op->tries < PG_STORE_CLAIM_TRIES) {
			claim_send(op);
			return;
		}
		err = "the claim is contended: try again";
	}
	if (err)
		fn(op->ctx, err, false, NULL, 0, NULL);
	else
		fn(op->ctx, NULL, PQgetvalue(res, 0, 0)[0] == 't', PQgetvalue(res, 0, 1),
		   strtoll(PQgetvalue(res, 0, 2), NULL, 10),
		   PQgetisnull(res, 0, 3) ? NULL : PQgetvalue(res, 0, 3));
	pg_op_free(op);
}

static void claim_send(struct pg_op *op)
{
	const char *params[3] = { op->fax_id, op->s->who, op->key };

	if (pg_ev_query(op->s->pg, CLAIM_SQL, 3, params, on_claimed, op) < 0) {
		/* From the loop (a retry): report rather than drop. */
		((pg_store_claim_fn)op->fn)(op->ctx, "out of memory", false, NULL, 0, NULL);
		pg_op_free(op);
	}
}

const char *pg_cell(const PGresult *res, int r, int c)
{
	return PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
}

void *pg_rows(const struct pg_op *op, const PGresult *res, const char **err, size_t size,
	      void (*fill)(void *row, const PGresult *res, int r), size_t *n)
{
	char *rows;

	*n = 0;
	*err = pg_op_err(op, *err);
	if (*err)
		return NULL;
	*n = (size_t)PQntuples(res);
	rows = xcalloc(*n + 1, size);
	for (size_t r = 0; r < *n; r++)
		fill(rows + r * size, res, (int)r);
	return rows;
}

bool pg_fax_id_ok(const char *fax_id)
{
	return fax_id && *fax_id && strlen(fax_id) <= PG_STORE_FAX_ID_MAX && pg_text_ok(fax_id);
}

int pg_store_claim(struct pg_store *s, const char *fax_id, const char *key, pg_store_claim_fn fn,
		   void *ctx)
{
	struct pg_op *op;
	const char *params[3] = { fax_id, s->who, key };

	if (!fn || !pg_fax_id_ok(fax_id) || !pg_text_ok(key))
		return -1;
	op = pg_op_new(s, (pg_op_fn)fn, ctx);
	op->fax_id = xstrdup(fax_id);
	op->key = xstrdup(key);
	return pg_op_send(s->pg, op, CLAIM_SQL, 3, params, on_claimed);
}

static void on_released(void *ctx, const PGresult *res, const char *err)
{
	struct pg_op *op = ctx;

	err = pg_op_err(op, err);
	if (!err && PQntuples(res) != 1)
		err = "this operator holds no claim on that fax";
	((pg_store_done_fn)op->fn)(op->ctx, err);
	pg_op_free(op);
}

int pg_store_claim_release(struct pg_store *s, const char *fax_id, const char *key,
			   pg_store_done_fn fn, void *ctx)
{
	const char *params[3] = { fax_id, s->who, key };

	if (!fn || !pg_fax_id_ok(fax_id) || !key || !pg_text_ok(key))
		return -1;
	return pg_op_send(s->pg, pg_op_new(s, (pg_op_fn)fn, ctx),
			  "WITH d AS (DELETE FROM resend_claims WHERE fax_id = $1::text"
			  " AND who = $2::text AND key = $3::text RETURNING fax_id)"
			  " SELECT pg_notify('" PG_STORE_CHANNEL "', 'claim:' || fax_id) FROM d",
			  3, params, on_released);
}

void pg_store_claim_describe(char *buf, size_t len, const char *who, int64_t since)
{
	char safe[PG_STORE_WHO_MAX * 4 + 1], when[32];
	time_t t = (time_t)since, now = time(NULL);
	struct tm tm;

	sanitize_str(safe, sizeof safe, who ? who : "?");
	/* The time of day alone while it cannot be mistaken for yesterday's. */
	if (!localtime_r(&t, &tm) ||
	    !strftime(when, sizeof when, now - t < 12 * 3600 ? "%H:%M" : "%Y-%m-%d %H:%M", &tm))
		snprintf(when, sizeof when, "an unknown time");
	snprintf(buf, len, "being resent by %s since %s", safe, when);
}
