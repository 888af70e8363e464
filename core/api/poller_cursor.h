/* The catch-up's guards on the events cursor, apart from the poller's
 * requests so they can be tested alone.
 *
 * A catch-up round follows next_cursor page after page. An API that hands
 * back a cursor already followed in the round (A -> B -> A) would make that
 * loop forever and spend the rate limit that resends share: the round stops
 * there. A round also stops after POLLER_MAX_PAGES_PER_ROUND pages (the next
 * one goes on from the saved cursor, a poll interval later). The cap was 100
 * pages: a backlog then waited a poll interval every 10,000 events, which
 * held catch-up from faxsim to 5k events/s. A cursor longer than POLLER_CURSOR_MAX
 * is refused out loud, never dropped silently.
 *
 * The cursor is thrown away (catch-up restarts from the oldest retained
 * event) only on the answer docs/CONTRACT.md#assume-events-api documents for an invalid or
 * expired cursor: 422 validation_failed naming the `after` field. Any other
 * refusal (a redirect, another 4xx) is reported and retried with the same
 * cursor. */
#ifndef FAXTOP_CORE_POLLER_CURSOR_H
#define FAXTOP_CORE_POLLER_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct api_response;

#define POLLER_CURSOR_MAX          1024 /* bytes: longer cursors are refused */
#define POLLER_MAX_PAGES_PER_ROUND 1000 /* pages followed in one catch-up round */

enum poller_round_verdict {
	ROUND_FOLLOW,   /* a new cursor: save it and read on */
	ROUND_CYCLE,    /* a cursor already followed in this round */
	ROUND_CAPPED,   /* save it, but this round has read enough pages */
	ROUND_TOO_LONG, /* longer than POLLER_CURSOR_MAX */
};

struct poller_round {
	unsigned pages;
	size_t n_seen;
	uint64_t seen[POLLER_MAX_PAGES_PER_ROUND + 1]; /* hashes of the cursors followed */
};

/* A round begins at `cursor` ("" for the oldest retained event). */
void poller_round_begin(struct poller_round *r, const char *cursor);
/* A page of the round was read and said to go on at `next`. */
enum poller_round_verdict poller_round_next(struct poller_round *r, const char *next);
/* Is this the documented "cursor invalid or expired" answer? */
bool poller_cursor_expired(const struct api_response *resp);

#endif
