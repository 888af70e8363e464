/* The mintfax API client: JSON requests over libcurl multi on libev
 * (curl_ev), with connection reuse, TLS verification, timeouts, rate-limit
 * pacing, backoff after failures, and a connection state for the UI.
 *
 * Requests never block: each is queued and sent when the pacing gate opens.
 * The gate closes after a 429 (until Retry-After at least; 429 after 429
 * backs off further), after a 5xx, 401/403 or network error (exponential
 * backoff with jitter, capped at API_BACKOFF_CAP_MS), and
 * when X-RateLimit-Remaining runs low (requests are spread over the rest of
 * the window). While the API is failing only one request is in flight at a
 * time (a probe), so an outage costs one request per backoff period.
 *
 * The client never retries by itself: the caller sees every outcome and
 * decides (the poller simply asks again on its next tick, and the gate keeps
 * that within bounds).
 *
 * The API key is copied into the Authorization header only. It is registered
 * with the log's redactor, and the debug trace (opts.trace) prints the header
 * as "Authorization: Bearer [redacted]". */
#ifndef FAXTOP_CORE_API_CLIENT_H
#define FAXTOP_CORE_API_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/api/api_policy.h"

struct ev_loop;
struct clock;
struct log;
struct curl_ev;
struct api_client;

#define API_MAX_RESPONSE_BYTES (8 * 1024 * 1024)

struct api_client_opts {
	const char *base_url;      /* "https://api.mintfax.com/v1"; http or https only */
	const char *api_key;       /* required; copied */
	const char *cacert;        /* CA bundle file, NULL for the system store */
	long connect_timeout;      /* seconds, <= 0: 10 */
	long request_timeout;      /* seconds, <= 0: 30 */
	unsigned max_in_flight;    /* concurrent requests, 0: 4 */
	struct log *log;           /* may be NULL */
	const struct clock *clock; /* NULL: the system clock */
	bool trace;                /* log curl's header trace at debug level, key redacted */
	const char *user_agent;    /* NULL: "faxtop/VERSION" */
};

/* Connection state for the UI. X(enum, name) */
#define API_CONN_STATE_LIST(X)           \
	X(API_CONN_UNKNOWN, "unknown")   \
	X(API_CONN_OK, "ok")             \
	X(API_CONN_DEGRADED, "degraded") \
	X(API_CONN_DOWN, "down")

enum api_conn {
#define X(e, name) e,
	API_CONN_STATE_LIST(X)
#undef X
};
const char *api_conn_state_name(enum api_conn s);

struct api_conn_state {
	enum api_conn state;
	char last_error[256];  /* one sanitised line, "" when none yet */
	int64_t last_error_ms; /* TS_NONE when none */
	int64_t last_ok_ms;    /* TS_NONE when none */
	unsigned consecutive_failures;
	bool auth_failed; /* the last answer was 401 or 403 */
	/* From the newest response that carried them; -1 when unknown. */
	long rate_limit, rate_remaining, rate_reset_s;
	int64_t gate_until_ms; /* no request is sent before this (clock ms) */
	unsigned queued, in_flight;
	uint64_t requests_sent;
};

/* The response is lent: copy what you keep. Never called after
 * api_client_cancel(ctx) or api_client_free. */
typedef void (*api_done_fn)(void *ctx, const struct api_response *r);

enum api_req_flags {
	API_REQ_URGENT = 1 << 0, /* a user action: goes ahead of queued polls */
};

struct api_client *api_client_new(struct ev_loop *loop, const struct api_client_opts *opts,
				  char *err, size_t errlen);
void api_client_free(struct api_client *c); /* cancels everything without callbacks */

/* Queues a request. method: "GET", "POST" or "DELETE"; path is relative to
 * the base URL and starts with '/' (may carry a query string); json_body is
 * sent with Content-Type application/json (NULL: none; a POST then sends an
 * empty body); idempotency_key NULL for none. 0, or -1 with err. */
int api_client_request(struct api_client *c, const char *method, const char *path,
		       const char *json_body, const char *idempotency_key, unsigned flags,
		       api_done_fn done, void *ctx, char *err, size_t errlen);
/* Drops every queued or in-flight request made with ctx (NULL: all); their callbacks
 * never run. */
void api_client_cancel(struct api_client *c, void *ctx);

const struct api_conn_state *api_client_state(const struct api_client *c);
/* Re-evaluates the gate against the clock now (tests with a manual clock;
 * the client's own timer does this otherwise). */
void api_client_kick(struct api_client *c);
struct curl_ev *api_client_curl_ev(struct api_client *c);

#endif
