/* The API client's pure policy (see api_client.h for the whole of it): how
 * a request ended, what the response's headers say, backoff after failures
 * and pacing by the rate-limit headers. No I/O, no state: the tests drive
 * these directly. */
#ifndef FAXTOP_CORE_API_POLICY_H
#define FAXTOP_CORE_API_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/wire/event_parse.h"

#define API_BACKOFF_BASE_MS   1000
#define API_BACKOFF_CAP_MS    60000
#define API_RETRY_AFTER_MAX_S 3600 /* a larger Retry-After is clamped */

/* How a request ended. X(enum, name) */
#define API_OUTCOME_LIST(X)                 \
	X(API_OK, "ok")                     \
	X(API_CLIENT_ERROR, "client_error") \
	X(API_AUTH_ERROR, "auth_error")     \
	X(API_RATE_LIMITED, "rate_limited") \
	X(API_SERVER_ERROR, "server_error") \
	X(API_NETWORK_ERROR, "network_error")

enum api_outcome {
#define X(e, name) e,
	API_OUTCOME_LIST(X)
#undef X
};
const char *api_outcome_name(enum api_outcome o);

struct api_response {
	enum api_outcome outcome;
	int http_status;  /* 0 when no HTTP answer arrived */
	const char *body; /* NUL-terminated; "" when empty; lent for the callback */
	size_t body_len;
	char request_id[64];                           /* X-Request-Id, "" if absent */
	char idempotency_key[256];                     /* X-Idempotency-Key echo, "" if absent */
	long rate_limit, rate_remaining, rate_reset_s; /* -1 when absent */
	long retry_after_s;                            /* -1 when absent */
	bool has_error; /* error was parsed from an error envelope (docs/CONTRACT.md#api-errors) */
	struct api_error error;
	/* One line for people: "insufficient_balance: … (HTTP 402, action
	 * top_up_balance, request req_…)" or the transport error. Sanitised. */
	char message[512];
};

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
/* Clears what api_response_header fills, for a response starting over. */
void api_response_reset_headers(struct api_response *r);
/* Requests kept in reserve out of a window's `limit`. */
long api_reserve(long limit);

#endif
