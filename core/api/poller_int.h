/* The poller's private parts, shared by its files (see poller.h):
 *
 *   poller.c        lifecycle, the catch-up rounds: /events through the
 *                   pipeline, the /faxes fallback, the commit tickets
 *   poller_fetch.c  the balance, and one fax refreshed on request
 *   poller_round.c  the bottom: errors, answers, the pace of rounds
 *
 * Each file calls only those listed below it. */
#ifndef FAXTOP_CORE_POLLER_INT_H
#define FAXTOP_CORE_POLLER_INT_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/api/api_client.h"
#include "core/api/poller.h"
#include "core/api/poller_cursor.h"
#include "core/wire/event_parse.h"

struct ingest;
struct store;
struct model;
struct clock;
struct log;

#define POLLER_DEFAULT_POLL         15.0
#define POLLER_DEFAULT_BALANCE      30.0
#define POLLER_DEFAULT_STALE        120.0
#define POLLER_IDLE_POLLS           4     /* quiet catch-ups before slowing down */
#define POLLER_IDLE_MAX             300.0 /* slowest idle period, unless configured slower */
#define POLLER_WATERMARK_OVERLAP_MS 5000  /* created_after may be exclusive; ids may tie */
#define POLLER_ID_MAX               64

enum poller_ticket_kind { TICKET_CURSOR, TICKET_WATERMARK };

struct poller_ticket {
	struct poller *p; /* NULL once orphaned */
	struct poller_ticket *next;
	enum poller_ticket_kind kind;
	bool more;
	char value[POLLER_CURSOR_MAX + 1];
};

/* The catch-up pipeline: the next page is asked for as soon as a page
 * arrives, and pages are taken in (and committed) a few at a time: one
 * commit, and with synchronous=FULL one fsync, serves up to
 * POLLER_PIPE_PAGES pages, and no page waits more than POLLER_PIPE_WAIT.
 * The cursor is saved in the same transaction as the events before it,
 * p->cursor (the committed one) moves only from the commit callback, and
 * any answer other than a page is acted on only once every page before it
 * is committed; a failed commit ends the round and drops the request on
 * its way, so the next round reads again from the last committed page. */
#define POLLER_PIPE_PAGES 8
#define POLLER_PIPE_WAIT  0.02 /* seconds */

struct poller_pipe {
	struct poller *p; /* the ctx of every /events request */
	ev_timer wait;    /* takes the held pages in when the first has waited */
	struct event_page held[POLLER_PIPE_PAGES]; /* read, not yet taken in */
	unsigned n_held;
	bool in_flight;                        /* a /events request is on its way */
	unsigned tickets;                      /* takings whose commit is not reported yet */
	char held_next[POLLER_CURSOR_MAX + 1]; /* the cursor after the held pages */
};

struct poller_refresh {
	struct poller *p;
	struct poller_refresh *next;
	char id[POLLER_ID_MAX + 1];
};

struct poller {
	struct ev_loop *loop;
	struct api_client *api;
	struct ingest *in;
	struct store *store;
	struct model *model;
	const struct clock *clock;
	struct log *log;
	struct poller_opts opts;
	ev_timer poll_timer, balance_timer;
	bool started, stopped;
	bool catchup_busy, balance_busy;
	bool leading; /* opts.led: this instance catches up */
	poller_cursor_fn cursor_hook;
	void *cursor_hook_ctx;
	bool answered; /* some answer arrived since start */
	bool auth_reported;
	char cursor[POLLER_CURSOR_MAX + 1];
	struct poller_round round;
	bool fallback;
	unsigned polls_since_probe;
	char fb_cursor[256];
	int64_t fb_max_created;
	char watermark[40];
	int64_t last_event_ms;
	unsigned idle_polls;
	uint64_t accepted_this_run;
	struct poller_ticket *tickets;
	struct poller_pipe pipe;
	struct poller_refresh *refreshes;
	struct poller_state st;
};

/* poller_round.c */
void poller_set_error(struct poller *p, const char *msg);
/* Reports a refused key once per run of refusals, and to on_auth_error
 * when it is the first answer since start. */
void poller_note_answer(struct poller *p, const struct api_response *r);
/* Ends a catch-up round and sets the timer for the next one. */
void poller_catchup_end(struct poller *p, bool ok, const char *err);
__attribute__((format(printf, 2, 3))) void poller_catchup_warn(struct poller *p, const char *fmt,
							       ...);

/* poller_fetch.c */
void poller_balance_cb(struct ev_loop *loop, ev_timer *w, int revents);

#endif
