/* The queue to the shared store (team.c): webhooks' events, the leader's
 * relayed ones, and the cursors that follow them. Not for use outside
 * core/team. */
#ifndef FAXTOP_CORE_TEAM_QUEUE_H
#define FAXTOP_CORE_TEAM_QUEUE_H

#include "core/team/team_int.h"

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

/* Appends e and makes sure a flush comes before the loop sleeps. */
void team_enqueue(struct team *t, struct team_entry *e);
/* Sends what can go now. */
void team_flush(struct team *t);
/* An event's entry (fn NULL), or NULL when the shared store cannot take it
 * (its texts not valid UTF-8, no id). */
struct team_entry *team_entry_new(struct team *t, const struct event *ev, const char *raw,
				  size_t len, enum event_source src);
void team_entry_free(struct team_entry *e);

#endif
