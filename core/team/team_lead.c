/* Team mode's catch-up: one instance at a time leads (pg_store_lead); its
 * poller reads the API into its cache as for one operator, and what it
 * read is relayed to the shared store, each page's cursor moving only after
 * the page's events are committed there. See team.h. */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/api/poller.h"
#include "core/base/log.h"
#include "core/base/xalloc.h"
#include "core/store/pg_store.h"
#include "core/team/team_queue.h"

static void team_on_lead(void *ctx, bool leader, int64_t epoch, const char *cursor, const char *why)
{
	struct team *t = ctx;

	if (t->closing)
		return;
	if (leader) {
		t->epoch = epoch;
		log_info(t->opts.log, "team: this instance leads the catch-up (epoch %" PRId64 ")",
			 epoch);
	} else if (t->leader || why) {
		log_info(t->opts.log, "team: %s", why ? why : "no longer leading the catch-up");
	}
	t->leader = leader;
	poller_lead(t->poller, leader, leader ? cursor : NULL);
	team_changed(t);
}

/* A page's cursor, committed in the cache after the page's events: it
 * follows them into the queue. */
static void team_on_cursor(void *ctx, const char *cursor)
{
	struct team *t = ctx;
	struct team_entry *e;

	if (!t->leader)
		return;
	e = xcalloc(1, sizeof *e);
	e->cursor = xstrdup(cursor);
	e->epoch = t->epoch;
	team_enqueue(t, e);
}

void team_lead(struct team *t, struct poller *p)
{
	t->poller = p;
	poller_set_cursor_hook(p, team_on_cursor, t);
	if (pg_store_lead(t->pg, t->opts.lead_retry > 0 ? t->opts.lead_retry : 2., team_on_lead,
			  t) != 0)
		log_error(t->opts.log, "team: cannot contend for the catch-up");
}

const char *team_role(const struct team *t)
{
	if (!t->poller)
		return "off";
	return t->leader ? "leader" : "standby";
}

void team_observe(struct team *t, const struct event *ev, const char *raw, size_t raw_len,
		  enum event_source src, enum ingest_result r)
{
	struct team_entry *e;

	if (t->following || src != SRC_POLL || !t->leader ||
	    (r != INGEST_ACCEPTED && r != INGEST_DUPLICATE))
		return;
	e = team_entry_new(t, ev, raw, raw_len, src);
	if (!e) {
		log_warn(t->opts.log, "team: a polled event cannot be stored in the shared store");
		return;
	}
	team_enqueue(t, e);
}
