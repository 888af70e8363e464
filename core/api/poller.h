/* The pull half of faxtop: catch-up on missed events, balance readings,
 * and on-demand fax refreshes, all through
 * api_client and into the same ingest door as webhooks.
 *
 * Catch-up reads GET /events?after=<cursor>&per_page=100 page after page
 * until has_more is false, at start and then on a timer whose period adapts
 * (sooner while faxes are in flight, slower when nothing moves). The next
 * page is asked for while the previous one commits. The cursor lives in the
 * store's meta table ("events_cursor"), written in the same transaction as
 * the page's events, and the poller's copy advances only from a
 * store_on_commit callback, once the page is durable. When
 * /events answers 404 the poller falls back to GET /faxes?created_after=…
 * plus GET /faxes/{id} for unfinished faxes not updated for stale_after
 * (the list's created_after watermark is kept in meta as well), and tries
 * /events again every POLLER_FALLBACK_PROBE polls. Only the documented
 * "cursor invalid or expired" answer restarts catch-up from the oldest
 * retained event; a cycling cursor or a round past its page cap stops the
 * round with a warning (see poller_cursor.h).
 *
 * Pace: poll_interval / 3 (at least 1 s) while faxes are queued, submitted
 * or in progress; poll_interval * 4 (up to 5 min) after four catch-ups in a
 * row with no new event; never more often than a quarter of the per-minute
 * rate limit allows. Balance readings every balance_interval.
 *
 * Resends are core/api/resend.h's; nothing is ever resent automatically. */
#ifndef FAXTOP_CORE_POLLER_H
#define FAXTOP_CORE_POLLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/api/poller_cursor.h"

struct ev_loop;
struct api_client;
struct ingest;
struct store;
struct model;
struct clock;
struct log;
struct poller;

#define POLLER_CURSOR_KEY         "events_cursor"
#define POLLER_WATERMARK_KEY      "faxes_created_after"
#define POLLER_PAGE_SIZE          100
#define POLLER_FALLBACK_PROBE     20 /* in fallback, try /events again every N polls */
#define POLLER_MAX_STALE_PER_TICK 20 /* fallback refreshes per poll, to stay within limits */

struct poller_opts {
	double poll_interval;    /* seconds between catch-ups (0: 15) */
	double balance_interval; /* seconds between balance readings (0: 30) */
	double stale_after;      /* seconds before an unfinished fax is refreshed (0: 120) */
	/* Called (from the loop) when the API refuses the key (401/403) on the
	 * first answer after start: faxtop --headless turns this into a clear
	 * start-up error. message is sanitised. May be NULL. */
	void (*on_auth_error)(void *ctx, const char *message);
	void *auth_ctx;
	/* Team mode (core/team): the catch-up runs only while this instance
	 * leads, from the cursor poller_lead hands over; balance readings and
	 * refreshes run regardless. */
	bool led;
};

struct poller_state {
	int64_t started_ms;
	int64_t last_poll_ms;               /* start of the newest catch-up, TS_NONE before */
	int64_t last_poll_ok_ms;            /* end of the newest complete catch-up */
	int64_t last_balance_ms;            /* newest balance reading */
	char cursor[POLLER_CURSOR_MAX + 1]; /* newest committed events cursor, "" for none */
	bool events_fallback;               /* /events answered 404: polling /faxes instead */
	double interval;                    /* current adaptive catch-up period, seconds */
	uint64_t polls, pages, events_seen, events_accepted;
	uint64_t faxes_refreshed, errors;
	char last_error[256]; /* sanitised, "" for none */
	/* Catch-up stopped short (a cursor cycle, the page cap, a cursor too
	 * long, a redirect or refusal of the cursor request): one sanitised
	 * line for a banner, "" once a round reads to the end again. */
	char catchup_warning[256];
	uint64_t catchup_cycles, catchup_capped;
	unsigned catchup_in_flight, balance_in_flight, refresh_in_flight;
};

struct poller *poller_new(struct ev_loop *loop, struct api_client *api, struct ingest *in,
			  struct store *store, struct model *model, const struct clock *clock,
			  struct log *log, const struct poller_opts *opts);
/* Loads the cursor and starts the timers; the first catch-up and balance
 * reading go out on the next loop iteration. */
void poller_start(struct poller *p);
/* Stops the timers; requests already on the way finish. */
void poller_stop(struct poller *p);
void poller_free(struct poller *p);

/* A catch-up now (coalesced with one already running). */
void poller_poll_now(struct poller *p);
/* GET /faxes/{id} into the model; requests for the same fax are coalesced.
 * 0, or -1 for an id that is not a plausible fax id. */
int poller_refresh_fax(struct poller *p, const char *fax_id);
/* A fax id is 1 to 64 of [A-Za-z0-9_-]. */
bool poller_valid_fax_id(const char *s);

const struct poller_state *poller_state(const struct poller *p);

/* Team mode (opts.led): lead true starts catching up from cursor (the
 * shared store's, "" for the start); false stops before the next round
 * (a round on its way ends normally: what it read is deduplicated). */
void poller_lead(struct poller *p, bool lead, const char *cursor);
bool poller_leading(const struct poller *p);
/* Called with each cursor once the events read up to it are committed to
 * the local store (team mode relays them, then moves the shared cursor). */
typedef void (*poller_cursor_fn)(void *ctx, const char *cursor);
void poller_set_cursor_hook(struct poller *p, poller_cursor_fn fn, void *ctx);

#endif
