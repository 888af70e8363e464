/* The webhook route: POST <path> is verified (core/signature), handed to
 * ingest, and acknowledged only once the store has committed it (204), or
 * refused with a one-line JSON reason (401, 400, 503). GET /healthz reports
 * a small status. Pass webhook_handle to http_server_new with the webhook as
 * its context. */
#ifndef FAXTOP_CORE_WEBHOOK_H
#define FAXTOP_CORE_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/http/signature.h"
#include "core/model/event.h"

struct clock;
struct http_request;
struct ingest;
struct log;
struct model;
struct store;
struct webhook;

#define WEBHOOK_DEFAULT_PATH "/webhooks/mintfax"

struct webhook_opts {
	const char *path;        /* NULL: WEBHOOK_DEFAULT_PATH */
	const char *secret;      /* whsec_…; required */
	const char *secret_old;  /* the previous secret during rotation, or NULL */
	const char *scheme_name; /* "auto" (NULL), "standard" or "legacy" */
	int64_t tolerance_s;     /* ± around the clock; <= 0: 300 */
};

struct webhook_stats {
	uint64_t accepted;                  /* new events committed and acknowledged with 204 */
	uint64_t commit_failed;             /* verified events whose commit failed: 503 */
	uint64_t duplicates;                /* already stored; 204 without applying again */
	uint64_t refused[SIG_RESULT_COUNT]; /* 401 by reason (refused[SIG_OK] stays 0) */
	uint64_t refused_total;
	uint64_t invalid;     /* authentic but unparseable: 400, quarantined */
	uint64_t unavailable; /* 503: the store could not take or commit it */
	uint64_t not_found, bad_method;
	int64_t last_event_ms; /* local time of the newest accepted event, or 0 */
};

/* The secrets become key bytes here; they are not kept as text. NULL with a
 * message in err (never containing a secret) on a bad secret or scheme. */
struct webhook *webhook_new(const struct webhook_opts *opts, struct ingest *in, struct store *st,
			    struct model *m, const struct clock *clk, struct log *log, char *err,
			    size_t errlen);
/* Requests still waiting for their commit are answered by the store's
 * callback even after this; free the webhook before closing the store is
 * fine, closing the store first is too. */
void webhook_free(struct webhook *wh);
/* The http_server handler; ctx is the struct webhook. */
void webhook_handle(struct http_request *req, void *ctx);

/* Team mode: verified events go to a shared store (core/team) instead of
 * the local one, and are answered from its commit. put returns 0 (done
 * runs once, from the loop, with a WEBHOOK_SINK_* result), -1 when the
 * store is unreachable (503), -2 when the event cannot be stored (400).
 * ok and name feed GET /healthz. */
enum { WEBHOOK_SINK_NEW, WEBHOOK_SINK_DUPLICATE, WEBHOOK_SINK_FAILED };
typedef void (*webhook_sink_done)(void *done_ctx, int result, const char *err);
struct webhook_sink {
	int (*put)(void *ctx, const struct event *ev, const char *raw, size_t len,
		   enum event_source src, webhook_sink_done done, void *done_ctx);
	bool (*ok)(void *ctx);
	const char *(*role)(void *ctx); /* the poller's: "leader", "standby" */
	const char *name;               /* "postgresql" */
	void *ctx;
};
void webhook_set_sink(struct webhook *wh, const struct webhook_sink *sink);

/* The API connection's state for GET /healthz ("ok", "degraded", "down",
 * …); without one set, /healthz says "off". */
typedef const char *(*webhook_api_state_fn)(void *ctx);
void webhook_set_api_state(struct webhook *wh, webhook_api_state_fn fn, void *ctx);

/* Refusals kept for the recent-refusals banner (their times and peers). */
#define WEBHOOK_REFUSAL_RING 256
/* Refused in a row, none accepted, before the secret is called unusable. */
#define WEBHOOK_SECRET_STREAK 3

struct webhook_refusals {
	unsigned recent;         /* refused within the window (at most the ring) */
	bool more;               /* the ring is full of recent ones: at least that many */
	int64_t oldest_ms;       /* the oldest refusal within the window, TS_NONE */
	int64_t last_ms;         /* the newest refusal, TS_NONE when none */
	char last_peer[64];      /* its peer, "" when none */
	const char *last_reason; /* its sig_result name, "" when none */
	/* Signatures no configured key matches, in a row, with nothing
	 * accepted since: a secret that is not what the sender signs with. */
	unsigned streak;
	int64_t streak_since_ms; /* the first of the streak, TS_NONE when none */
};

const struct webhook_stats *webhook_stats(const struct webhook *wh);
uint64_t webhook_refused_total(const struct webhook *wh);
/* The refusals since now_ms - window_ms, and the streak. */
void webhook_refusals(const struct webhook *wh, int64_t now_ms, int64_t window_ms,
		      struct webhook_refusals *out);
/* Requests verified and stored but not yet answered (waiting for a commit). */
size_t webhook_pending(const struct webhook *wh);

#endif
