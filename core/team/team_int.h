/* struct team and the queue to the shared store, shared by team.c
 * (receiving, following) and team_lead.c (the catch-up's relay). Not for
 * use outside core/team. */
#ifndef FAXTOP_CORE_TEAM_INT_H
#define FAXTOP_CORE_TEAM_INT_H

#include <ev.h>

#include "core/team/team.h"

/* One thing for the shared store, in order: an event (a webhook's, with
 * fn to answer it; or one the poller read, relayed, fn NULL), or a cursor
 * to move the shared catch-up to once every relayed event before it is
 * committed. */
struct team_entry {
	struct team_entry *next;
	char *id, *type, *fax_id;
	void *raw;
	size_t raw_len;
	int64_t created, received_ms;
	enum event_source src;
	team_put_fn fn;
	void *ctx;
	char *cursor; /* a cursor entry: the rest is unused */
	int64_t epoch;
};

struct team {
	struct ev_loop *loop;
	struct team_opts opts;
	char who[128];
	struct pg_store *pg;
	bool ready, closing;
	char why[256];
	struct team_stats st;

	/* the queue, sent before the loop sleeps (flush_w) */
	struct team_entry *head, **tail;
	size_t queued;
	ev_prepare flush_w;
	ev_timer retry_w;     /* relayed events that failed go out again */
	unsigned relay_busy;  /* statements with relayed events on their way */
	unsigned insert_busy; /* statements with events on their way (group commit: one) */
	struct team_op *busy; /* every statement on its way */

	/* following */
	bool follow_busy;
	bool following; /* ingesting the store's events: not to be relayed */

	/* leading */
	struct poller *poller;
	bool leader;
	bool lead_known;
};

void team_changed(struct team *t);
/* Appends e and makes sure a flush comes before the loop sleeps. */
void team_enqueue(struct team *t, struct team_entry *e);
/* Sends what can go now. */
void team_flush(struct team *t);
/* An event's entry (fn NULL), or NULL when the shared store cannot take it
 * (its texts not valid UTF-8, no id). */
struct team_entry *team_entry_new(struct team *t, const struct event *ev, const char *raw,
				  size_t len, enum event_source src);
void team_entry_free(struct team_entry *e);

/* team_triage.c: every decision (fax_id NULL) or one fax's, read and
 * applied to the local triage; and a "triage:…" or "claim:…" notice. */
void team_follow_decisions(struct team *t, const char *fax_id);
void team_on_decision(struct team *t, const char *payload);

#endif
