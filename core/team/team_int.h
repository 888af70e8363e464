/* struct team, at the bottom of core/team: what team.c (receiving,
 * following), team_lead.c (the catch-up's relay) and team_triage.c (the
 * operators' decisions) share. The queue is team_queue.h's. Not for use
 * outside core/team. */
#ifndef FAXTOP_CORE_TEAM_INT_H
#define FAXTOP_CORE_TEAM_INT_H

#include <ev.h>

#include "core/team/team.h"

struct team_entry;

struct team {
	struct ev_loop *loop;
	struct team_opts opts;
	char who[128];
	struct pg_store *pg;
	struct team_claims *claims; /* the resend gate */
	bool ready, closing;
	char why[256];
	int64_t seq;   /* newest sequence number followed */
	int64_t epoch; /* the lead's, 0 before any */

	/* the queue, sent before the loop sleeps (flush_w) */
	struct team_entry *head, **tail;
	size_t queued;
	ev_prepare flush_w;
	ev_timer retry_w;     /* relayed events that failed go out again */
	unsigned relay_busy;  /* statements with relayed events on their way */
	unsigned insert_busy; /* statements with events on their way (group commit: one) */

	/* following */
	bool follow_busy;
	bool following; /* ingesting the store's events: not to be relayed */

	/* leading */
	struct poller *poller;
	bool leader;
};

/* The store's health, this instance's role or the team's decisions
 * changed: the app draws it now. */
static inline void team_changed(struct team *t)
{
	if (t->opts.on_change && !t->closing)
		t->opts.on_change(t->opts.ctx);
}
#endif
