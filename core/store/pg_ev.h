/* libpq driven by libev, for the shared PostgreSQL store of team mode
 * (issue 18): the connection is made with PQconnectStartParams and
 * PQconnectPoll, queries go out with PQsendQueryParams on a non-blocking
 * connection, and results, LISTEN notifications and the server going away
 * all arrive through one ev_io on PQsocket. Nothing here ever blocks the
 * loop.
 *
 * Queries are queued and sent one at a time, in order; each callback runs
 * exactly once, from the loop (never from inside pg_ev_query). When the
 * connection is lost, the query in flight and every queued one fail with
 * the reason, and pg_ev reconnects with back-off (0.5 s doubling to 15 s),
 * re-issuing its LISTENs. The conninfo is libpq's (a postgresql:// URI or
 * key=value pairs); the password comes from libpq's usual sources
 * (PGPASSFILE, ~/.pgpass) and is never printed: every message that could
 * carry the conninfo names the host and database only.
 *
 * Callbacks must not free the pg_ev they were called from. */
#ifndef FAXTOP_CORE_PG_EV_H
#define FAXTOP_CORE_PG_EV_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

struct ev_loop;
struct pg_ev;

/* res is the query's last result (owned by pg_ev: valid during the call
 * only), or NULL with err set when it could not run (connection lost, not
 * connected, send failed). A result whose status is an error comes with
 * err set to the server's message as well. */
typedef void (*pg_ev_result_fn)(void *ctx, const PGresult *res, const char *err);
/* The connection came up (up true) or went down (up false, err: why).
 * Queries made from this callback when up is true run right after the
 * LISTENs, ahead of those queued before (a session's set-up, a schema
 * check), in the order they were made. */
typedef void (*pg_ev_state_fn)(void *ctx, bool up, const char *err);
/* A NOTIFY on a channel this connection LISTENs to. */
typedef void (*pg_ev_notify_fn)(void *ctx, const char *channel, const char *payload);

struct pg_ev_opts {
	const char *conninfo; /* NULL or "": libpq's environment (PGHOST…) */
	pg_ev_state_fn on_state;
	pg_ev_notify_fn on_notify;
	void *ctx;
	double retry_min, retry_max; /* seconds (0: 0.5 and 15) */
};

/* Starts connecting at once. NULL (with err) only when out of memory or the
 * conninfo does not parse; an unreachable server is reported through
 * on_state and retried. */
struct pg_ev *pg_ev_new(struct ev_loop *loop, const struct pg_ev_opts *opts, char *err,
			size_t errlen);
/* Fails what is queued (callbacks run before it returns) and closes. */
void pg_ev_free(struct pg_ev *p);

/* Queues one statement with text parameters (NULL for SQL NULL). 0, or -1
 * when out of memory (fn will not run). */
int pg_ev_query(struct pg_ev *p, const char *sql, int nparams, const char *const *params,
		pg_ev_result_fn fn, void *ctx);
/* LISTEN on a channel now and after every reconnection. 0 or -1. */
int pg_ev_listen(struct pg_ev *p, const char *channel);

bool pg_ev_up(const struct pg_ev *p);
/* Queries waiting or in flight. */
size_t pg_ev_pending(const struct pg_ev *p);
/* "host:port/dbname" of the target, for messages (no user, no password). */
const char *pg_ev_target(const struct pg_ev *p);

#endif
