/* Team mode (--store postgresql://…): several faxtop processes on one
 * PostgreSQL store (core/store/pg_store.h). The shared store is the record;
 * each instance's SQLite store is its local cache of it, which keeps the
 * model, the screen, the start-up load and the resend ledger as they are
 * for one operator.
 *
 *  - Receiving: a webhook's event goes to the shared store first and is
 *    answered once that commit holds it, or once the store says another
 *    instance had stored it (team_put).
 *  - Following: every event any instance commits is announced by NOTIFY
 *    with its sequence numbers; it is read back and goes through ingest
 *    into the cache and the model, like a webhook. On every (re)connection
 *    the follower reads what it missed, from a little before the last
 *    sequence number it took (kept in the cache's meta, in the same
 *    transaction as the events), because numbers are taken when a writer
 *    inserts, not when it commits.
 *  - Leading: one instance at a time catches up from the API (an advisory
 *    lock; core/team/team_lead.c). What its poller reads goes into its
 *    cache as today, is relayed to the shared store, and only then does
 *    the shared cursor move.
 *
 * Nothing here blocks: every database call is pg_store's, on the loop. */
#ifndef FAXTOP_CORE_TEAM_H
#define FAXTOP_CORE_TEAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model/event.h"
#include "core/store/ingest.h"

struct clock;
struct ev_loop;
struct log;
struct poller;
struct store;
struct team;

/* The cache's meta key for the newest sequence number followed. */
#define TEAM_SEQ_KEY "team_seq"
/* How far before that number a catch-up reads again (see above): more
 * than the events that can be in flight from every receiver at once. */
#define TEAM_SEQ_OVERLAP 4000

struct team_opts {
	const char *conninfo;  /* libpq's; the password from its usual sources */
	const char *who;       /* the operator, "ops@desk2" */
	struct ingest *in;     /* followed events come in through here */
	struct store *cache;   /* the local store: TEAM_SEQ_KEY lives there */
	struct triage *triage; /* the local triage: the team's decisions go there (may be NULL) */
	struct log *log;
	/* The store's health or this instance's role changed: draw it now. */
	void (*on_change)(void *ctx);
	void *ctx;
	double retry_min, retry_max; /* reconnect back-off, seconds (0: defaults) */
	double lead_retry;           /* a standby's tries for the lead, seconds (0: 2) */
};

struct team *team_new(struct ev_loop *loop, const struct team_opts *opts, char *err, size_t errlen);
/* Answers every webhook still waiting (failed: it was not confirmed). */
void team_free(struct team *t);

bool team_ready(const struct team *t);
/* Why the shared store is not usable, sanitised ("" while it is). */
const char *team_why(const struct team *t);
/* host:port/database, never a password. */
const char *team_target(const struct team *t);

/* ---- receiving ---- */

#define TEAM_PUT_LIST(X)                   \
	X(TEAM_PUT_NEW, "new")             \
	X(TEAM_PUT_DUPLICATE, "duplicate") \
	X(TEAM_PUT_FAILED, "failed")

enum team_put_result {
/* clang-format off */
#define X(e, name) e,
	TEAM_PUT_LIST(X)
#undef X
	/* clang-format on */
};

/* r is an enum team_put_result (an int, so that the webhook's sink type
 * is this one). */
typedef void (*team_put_fn)(void *ctx, int r, const char *err);
/* Queues an event (ev parsed from raw) for the shared store; the queue
 * goes out as one statement before the loop next sleeps, or when full. fn
 * runs once, from the loop, after the commit or its failure. 0; -1 (fn
 * not called) when the store is not ready; -2 when the event cannot be
 * stored (its id or type is not valid UTF-8). */
int team_put(struct team *t, const struct event *ev, const char *raw, size_t len,
	     enum event_source src, team_put_fn fn, void *ctx);

/* ---- operators' decisions (team_triage.c) ---- */

/* This operator dismisses fax_id (note may be NULL), or undoes it, for the
 * whole team: -1 with err when the shared store cannot take it now (the
 * caller then changes nothing). The local triage is the caller's. */
int team_dismiss(struct team *t, const char *fax_id, const char *note, int64_t at_ms, char *err,
		 size_t errlen);
int team_undismiss(struct team *t, const char *fax_id, int64_t at_ms, char *err, size_t errlen);

/* The resend gate (team_claim.c): a resend claims its fax in the shared
 * store before it goes out; for resend_opts.gate. */
struct resend_gate;
const struct resend_gate *team_resend_gate(struct team *t);

/* ---- leading (team_lead.c) ---- */

/* Starts contending for the catch-up with p (made with opts.led). */
void team_lead(struct team *t, struct poller *p);
/* "leader", "standby", or "off" before team_lead. */
const char *team_role(const struct team *t);
/* The ingest observer's share: the leader's polled events are relayed. */
void team_observe(struct team *t, const struct event *ev, const char *raw, size_t raw_len,
		  enum event_source src, enum ingest_result r);

#endif
