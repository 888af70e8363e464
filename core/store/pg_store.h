/* The PostgreSQL side of the shared store of team mode (issue 18), on
 * pg_ev: the schema and its migrations, events deduplicated by id across
 * instances, the poller's leadership and its cursor, and resend claims.
 * Not behind the store interface yet (that is the next step): this module
 * speaks in plain values and never blocks the loop.
 *
 * Every operation is one SQL statement, so it is its own transaction, and
 * its callback runs once, from the loop, after the server has answered the
 * statement's Sync: a result is only reported after the commit that holds
 * it. A statement that failed, or whose answer was lost with the
 * connection, is reported with err set and nothing else: never a success
 * that may not have happened (the caller retries; the dedupe by id makes
 * that safe).
 *
 * The schema is checked and migrated on every connection, ahead of
 * whatever the caller queued; until it is, and whenever it is not usable
 * (a schema newer than this faxtop), operations fail with the reason.
 *
 * Dashboards follow the store through NOTIFY on PG_STORE_CHANNEL, sent in
 * the writer's transaction (so only once it commits): "events:LO-HI" (the
 * events of one transaction have sequence numbers in LO..HI; read them
 * with pg_store_events_range), "claim:FAX_ID" and "triage:FAX_ID". */
#ifndef FAXTOP_CORE_PG_STORE_H
#define FAXTOP_CORE_PG_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ev_loop;
struct pg_store;

#define PG_STORE_SCHEMA_VERSION 1
#define PG_STORE_CHANNEL        "faxtop_change"
#define PG_STORE_BATCH_MAX      1000 /* events in one pg_store_insert_events */
#define PG_STORE_WHO_MAX        128  /* bytes of an operator's name */

/* The store is usable (ready) or not (err: why, never the conninfo). */
typedef void (*pg_store_state_fn)(void *ctx, bool ready, const char *err);
/* A NOTIFY on PG_STORE_CHANNEL (the payload is the database's: sanitise it
 * before it reaches a screen). */
typedef void (*pg_store_change_fn)(void *ctx, const char *payload);

struct pg_store_opts {
	const char *conninfo; /* libpq's; the password from PGPASSFILE/.pgpass */
	const char *who;      /* this instance's operator, "ops@desk2" */
	pg_store_state_fn on_state;
	pg_store_change_fn on_change; /* NULL: no LISTEN */
	void *ctx;
	double retry_min, retry_max; /* reconnect back-off, seconds (0: pg_ev's) */
};

struct pg_store_event {
	const char *id;
	const char *type;
	int64_t created;
	int64_t received_at;
	const char *source;
	const char *fax_id; /* may be NULL */
	const void *raw;
	size_t raw_len;
	int64_t seq; /* on reads: the event's place in the shared log (ignored on insert) */
};

struct pg_store *pg_store_new(struct ev_loop *loop, const struct pg_store_opts *opts, char *err,
			      size_t errlen);
void pg_store_free(struct pg_store *s);
bool pg_store_ready(const struct pg_store *s);
const char *pg_store_target(const struct pg_store *s);

/* Inserts n events (1..PG_STORE_BATCH_MAX) in one transaction, each stored
 * once across every instance (ON CONFLICT on the id does nothing), and
 * notifies the new ones. fn gets is_new[i] for each event: true when this
 * call stored it, false when it was already committed (by another
 * instance, or earlier in the batch); either way it is committed and may
 * be acknowledged. On err, is_new is NULL and nothing is known. -1 (fn
 * not called) for a bad argument. */
/* Can the event be stored (its texts valid UTF-8, an id)? A batch with
 * one that cannot is refused whole. */
bool pg_store_event_ok(const struct pg_store_event *e);
typedef void (*pg_store_insert_fn)(void *ctx, const char *err, const bool *is_new, size_t n);
int pg_store_insert_events(struct pg_store *s, const struct pg_store_event *evs, size_t n,
			   pg_store_insert_fn fn, void *ctx);

/* The events whose sequence numbers are in lo..hi (a notification's
 * range), in order. The pointers are valid during the call only. */
typedef void (*pg_store_events_fn)(void *ctx, const char *err, const struct pg_store_event *evs,
				   size_t n);
int pg_store_events_range(struct pg_store *s, int64_t lo, int64_t hi, pg_store_events_fn fn,
			  void *ctx);

/* Up to limit (1..PG_STORE_BATCH_MAX) events after sequence number after,
 * in order: a follower's catch-up. Sequence numbers are taken when a
 * transaction inserts, not when it commits, so one committed late may sit
 * below a number already read: read again from a little before. */
int pg_store_events_after(struct pg_store *s, int64_t after, size_t limit, pg_store_events_fn fn,
			  void *ctx);

/* The poller's leadership: a session of its own holds a PostgreSQL
 * advisory lock, which the server releases when that session dies (a
 * killed process at once; a vanished host after its TCP keepalives, about
 * 11 s). Standbys try again every retry_s seconds. On winning, the epoch
 * (a fencing token, one higher each time someone wins) is bumped and fn
 * gets the cursor as the database holds it; when the session is lost, fn
 * gets leader false with why, at once, and sits out five tries so that a
 * standby takes over rather than the instance in trouble. A standby hears once, after its
 * first try on each connection, leader false with why "standby: …". */
typedef void (*pg_store_lead_fn)(void *ctx, bool leader, int64_t epoch, const char *cursor,
				 const char *why);
int pg_store_lead(struct pg_store *s, double retry_s, pg_store_lead_fn fn, void *ctx);
bool pg_store_leader(const struct pg_store *s);

/* Moves the cursor, only for the holder of that epoch: call it once the
 * events read up to the cursor are committed. err is "no longer the
 * poller" when another instance has won since. */
typedef void (*pg_store_done_fn)(void *ctx, const char *err);
int pg_store_cursor_advance(struct pg_store *s, int64_t epoch, const char *cursor,
			    pg_store_done_fn fn, void *ctx);

/* Claims the resend of a fax for this instance's operator (a row with a
 * unique key on the fax). won is true for the one claim that got it; the
 * others learn who holds it, since when (Unix seconds) and with which
 * idempotency key (a claim lost to one's own key is one's own, from
 * earlier). who is the database's: pg_store_claim_describe sanitises it. */
typedef void (*pg_store_claim_fn)(void *ctx, const char *err, bool won, const char *who,
				  int64_t since, const char *key);
int pg_store_claim(struct pg_store *s, const char *fax_id, const char *key, pg_store_claim_fn fn,
		   void *ctx);
/* Gives a claim back (a resend refused for good: nothing was made), only
 * when this operator holds it with key (two desks may share an operator's
 * name, never a key). */
int pg_store_claim_release(struct pg_store *s, const char *fax_id, const char *key,
			   pg_store_done_fn fn, void *ctx);
/* Every claim, or fax_id's (NULL: all): who, since when, with which key. */
struct pg_store_claim_row {
	const char *fax_id, *who, *key; /* key may be NULL */
	int64_t since;                  /* Unix seconds */
};
typedef void (*pg_store_claims_fn)(void *ctx, const char *err, const struct pg_store_claim_row *rows,
				   size_t n);
int pg_store_claims_read(struct pg_store *s, const char *fax_id, pg_store_claims_fn fn, void *ctx);

/* Triage: this operator's decision on a failed fax, "dismissed" (with an
 * optional note) or "none" (undone; the row keeps who undid it), notified
 * as "triage:FAX_ID". The reads give fax_id's decision, or every one
 * (fax_id NULL); their texts are the database's: sanitise before drawing. */
struct pg_store_triage {
	const char *fax_id, *state, *note, *who; /* note may be NULL */
	int64_t at_ms;
};
int pg_store_triage_put(struct pg_store *s, const char *fax_id, const char *state,
			const char *note, int64_t at_ms, pg_store_done_fn fn, void *ctx);
typedef void (*pg_store_triage_fn)(void *ctx, const char *err, const struct pg_store_triage *rows,
				   size_t n);
int pg_store_triage_read(struct pg_store *s, const char *fax_id, pg_store_triage_fn fn, void *ctx);

/* "being resent by ops@desk2 since 16:15" (local time). */
void pg_store_claim_describe(char *buf, size_t len, const char *who, int64_t since);

#endif
