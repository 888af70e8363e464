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

#include "core/wire/event_parse.h"

struct ev_loop;
struct clock;
struct log;
struct curl_ev;
struct api_client;

#define API_BACKOFF_BASE_MS 1000
#define API_BACKOFF_CAP_MS 60000
#define API_RETRY_AFTER_MAX_S 3600          /* a larger Retry-After is clamped */
#define API_MAX_RESPONSE_BYTES (8 * 1024 * 1024)

struct api_client_opts {
	const char *base_url;       /* "https://api.mintfax.com/v1"; http or https only */
	const char *api_key;        /* required; copied */
	const char *cacert;         /* CA bundle file, NULL for the system store */
	long connect_timeout;       /* seconds, <= 0: 10 */
	long request_timeout;       /* seconds, <= 0: 30 */
	unsigned max_in_flight;     /* concurrent requests, 0: 4 */
	struct log *log;            /* may be NULL */
	const struct clock *clock;  /* NULL: the system clock */
	bool trace;                 /* log curl's header trace at debug level, key redacted */
	const char *user_agent;     /* NULL: "faxtop/VERSION" */
};

/* Connection state for the UI. X(enum, name) */
#define API_CONN_STATE_LIST(X)            \
	X(API_CONN_UNKNOWN, "unknown")    \
	X(API_CONN_OK, "ok")              \
	X(API_CONN_DEGRADED, "degraded")  \
	X(API_CONN_DOWN, "down")

enum api_conn {
#define X(e, name) e,
	API_CONN_STATE_LIST(X)
#undef X
};
const char *api_conn_state_name(enum api_conn s);

struct api_conn_state {
	enum api_conn state;
	char last_error[256];       /* one sanitised line, "" when none yet */
	int64_t last_error_ms;      /* TS_NONE when none */
	int64_t last_ok_ms;         /* TS_NONE when none */
	unsigned consecutive_failures;
	bool auth_failed;           /* the last answer was 401 or 403 */
	/* From the newest response that carried them; -1 when unknown. */
	long rate_limit, rate_remaining, rate_reset_s;
	int64_t gate_until_ms;      /* no request is sent before this (clock ms) */
	unsigned queued, in_flight;
	uint64_t requests_sent;
};

/* How a request ended. X(enum, name) */
#define API_OUTCOME_LIST(X)                        \
	X(API_OK, "ok")                            \
	X(API_CLIENT_ERROR, "client_error")        \
	X(API_AUTH_ERROR, "auth_error")            \
	X(API_RATE_LIMITED, "rate_limited")        \
	X(API_SERVER_ERROR, "server_error")        \
	X(API_NETWORK_ERROR, "network_error")

enum api_outcome {
#define X(e, name) e,
	API_OUTCOME_LIST(X)
#undef X
};
const char *api_outcome_name(enum api_outcome o);

struct api_response {
	enum api_outcome outcome;
	int http_status;            /* 0 when no HTTP answer arrived */
	const char *body;           /* NUL-terminated; "" when empty; lent for the callback */
	size_t body_len;
	char request_id[64];        /* X-Request-Id, "" if absent */
	char idempotency_key[256];  /* X-Idempotency-Key echo, "" if absent */
	long rate_limit, rate_remaining, rate_reset_s;   /* -1 when absent */
	long retry_after_s;         /* -1 when absent */
	bool has_error;             /* error was parsed from an error envelope (docs/CONTRACT.md#api-errors) */
	struct api_error error;
	/* One line for people: "insufficient_balance: … (HTTP 402, action
	 * top_up_balance, request req_…)" or the transport error. Sanitised. */
	char message[512];
};

/* The response is lent: copy what you keep. Never called after
 * api_client_cancel(ctx) or api_client_free. */
typedef void (*api_done_fn)(void *ctx, const struct api_response *r);

enum api_req_flags {
	API_REQ_URGENT = 1 << 0,    /* a user action: goes ahead of queued polls */
};

struct api_client *api_client_new(struct ev_loop *loop, const struct api_client_opts *opts,
				  char *err, size_t errlen);
void api_client_free(struct api_client *c);   /* cancels everything without callbacks */

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

/* Pure policy helpers, exposed for tests. */
/* Backoff after `failures` consecutive failures (>= 1): the exponential
 * step min(cap, base * 2^(failures-1)), then "equal jitter": half of it
 * fixed plus rand_frac (0..1) of the other half. */
int64_t api_backoff_ms(unsigned failures, double rand_frac);
/* Least spacing between requests so that `remaining` lasts `reset_s`,
 * keeping a small reserve; when at or below the reserve, wait the window
 * out. 0 when no pacing is needed or the numbers are unknown. */
int64_t api_pace_ms(long limit, long remaining, long reset_s);
/* Parses one header line into r (X-Request-Id, X-RateLimit-*, Retry-After,
 * X-Idempotency-Key). Untrusted: bad numbers are ignored. `now_s` is for a
 * Retry-After given as an HTTP date. */
void api_response_header(struct api_response *r, const char *line, size_t len, int64_t now_s);
/* Fills outcome, error and message from http_status/body (or curl_error
 * when http_status is 0). */
void api_response_classify(struct api_response *r, const char *curl_error);

#endif
