/* Team mode: the shared store's health, the queue to it (webhooks and the
 * leader's relay), and the follower. See team.h. */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/log.h"
#include "core/base/names.h"
#include "core/base/sanitize.h"
#include "core/base/xalloc.h"
#include "core/store/pg_store.h"
#include "core/store/store.h"
#include "core/team/team_claim.h"
#include "core/team/team_queue.h"
#include "core/team/team_triage.h"

/* A statement on its way with the entries it carries. */
struct team_op {
	struct team *t;
	struct team_entry *entries;
	size_t n;
	bool relay; /* carries relayed events */
};

void team_entry_free(struct team_entry *e)
{
	free(e->id);
	free(e->type);
	free(e->fax_id);
	free(e->raw);
	free(e->cursor);
	free(e);
}

void team_enqueue(struct team *t, struct team_entry *e)
{
	e->next = NULL;
	*t->tail = e;
	t->tail = &e->next;
	t->queued++;
	if (t->queued >= PG_STORE_BATCH_MAX)
		team_flush(t);
	else
		ev_prepare_start(t->loop, &t->flush_w);
}

static struct team_entry *team_dequeue(struct team *t)
{
	struct team_entry *e = t->head;

	if (!e)
		return NULL;
	t->head = e->next;
	if (!t->head)
		t->tail = &t->head;
	t->queued--;
	e->next = NULL;
	return e;
}

/* Puts a chain back at the head, in its order (relayed events that failed). */
static void team_requeue(struct team *t, struct team_entry *chain, struct team_entry *last,
			 size_t n)
{
	if (!chain)
		return;
	last->next = t->head;
	t->head = chain;
	if (!last->next)
		t->tail = &last->next;
	t->queued += n;
}

/* The answer to one batch: webhooks are answered; relayed events that
 * failed go back to the head of the queue and out again later, so that no
 * cursor after them moves first. */
static void team_on_inserted(void *ctx, const char *err, const bool *is_new, size_t n)
{
	struct team_op *op = ctx;
	struct team *t = op->t;
	struct team_entry *e = op->entries, *back = NULL, **back_tail = &back, *back_last = NULL;
	size_t i = 0, n_back = 0;

	t->insert_busy--;
	if (op->relay)
		t->relay_busy--;
	while (e) {
		struct team_entry *next = e->next;

		if (e->fn) {
			e->fn(e->ctx,
			      err ? TEAM_PUT_FAILED
				  : (i < n && is_new[i] ? TEAM_PUT_NEW : TEAM_PUT_DUPLICATE),
			      err);
			team_entry_free(e);
		} else if (err && !t->closing) {
			*back_tail = back_last = e;
			back_tail = &e->next;
			e->next = NULL;
			n_back++;
		} else {
			team_entry_free(e);
		}
		e = next;
		i++;
	}
	free(op);
	if (t->closing)
		return;
	if (n_back) {
		log_warn(t->opts.log,
			 "team: %zu polled events did not reach the shared store (%s);"
			 " trying again",
			 n_back, err);
		team_requeue(t, back, back_last, n_back);
		ev_timer_again(t->loop, &t->retry_w);
		return;
	}
	team_flush(t);
}

static void team_on_advanced(void *ctx, const char *err)
{
	struct team *t = ctx;

	if (err && !t->closing)
		log_warn(t->opts.log, "team: the shared catch-up cursor did not move: %s", err);
}

/* A cursor at the head goes out once no relayed event before it is on its
 * way; one from an earlier lead is dropped (the fence would refuse it). */
static bool team_send_cursor(struct team *t)
{
	struct team_entry *e;

	if (t->relay_busy)
		return false;
	e = team_dequeue(t);
	if (t->leader && e->epoch == t->epoch &&
	    pg_store_cursor_advance(t->pg, e->epoch, e->cursor, team_on_advanced, t) != 0)
		log_warn(t->opts.log, "team: cannot move the shared cursor");
	team_entry_free(e);
	return true;
}

/* Up to PG_STORE_BATCH_MAX events from the head, up to the next cursor. */
static void team_send_events(struct team *t)
{
	struct pg_store_event evs[64], *ev = evs;
	struct team_op *op = xcalloc(1, sizeof *op);
	struct team_entry **tail = &op->entries;
	size_t cap = sizeof evs / sizeof evs[0];

	op->t = t;
	while (t->head && !t->head->cursor && op->n < PG_STORE_BATCH_MAX) {
		struct team_entry *e = team_dequeue(t);

		if (op->n == cap) {
			cap = PG_STORE_BATCH_MAX;
			ev = ev == evs ? memcpy(xcalloc(cap, sizeof *ev), evs, sizeof evs) : ev;
		}
		ev[op->n++] = (struct pg_store_event){
			.id = e->id,
			.type = e->type,
			.created = e->created,
			.received_at = e->received_ms,
			.source = event_source_name(e->src),
			.fax_id = e->fax_id,
			.raw = e->raw,
			.raw_len = e->raw_len,
		};
		op->relay |= !e->fn;
		*tail = e;
		tail = &e->next;
	}
	t->relay_busy += op->relay;
	t->insert_busy++;
	if (pg_store_insert_events(t->pg, ev, op->n, team_on_inserted, op) != 0)
		team_on_inserted(op, "the events could not be sent", NULL, 0);
	if (ev != evs)
		free(ev);
}

/* Group commit: while one statement of events is on its way, what comes
 * meanwhile waits and then goes out as one (the connection runs one
 * statement at a time anyway; sent one by one, each would be its own
 * transaction). */
void team_flush(struct team *t)
{
	ev_prepare_stop(t->loop, &t->flush_w);
	while (t->head && t->ready && !t->closing) {
		if (t->head->cursor) {
			if (!team_send_cursor(t))
				return;
			continue;
		}
		if (t->insert_busy)
			return;
		team_send_events(t);
	}
}

static void team_flush_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	(void)loop;
	(void)revents;
	team_flush(w->data);
}

static void team_retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)revents;
	ev_timer_stop(loop, w);
	team_flush(w->data);
}

/* ---- receiving ---- */

struct team_entry *team_entry_new(struct team *t, const struct event *ev, const char *raw,
				  size_t len, enum event_source src)
{
	struct pg_store_event probe = {
		.id = ev->id,
		.type = ev->type_name ? ev->type_name : "",
		.source = event_source_name(src),
		.fax_id = ev->object == EVOBJ_FAX ? ev->fax.id : NULL,
		.raw = raw,
		.raw_len = len,
	};
	struct team_entry *e;

	if (!raw || !pg_store_event_ok(&probe))
		return NULL;
	e = xcalloc(1, sizeof *e);
	e->id = xstrdup(ev->id);
	e->type = xstrdup(probe.type);
	e->fax_id = probe.fax_id ? xstrdup(probe.fax_id) : NULL;
	e->raw = xmalloc(len ? len : 1);
	memcpy(e->raw, raw, len);
	e->raw_len = len;
	e->created = ev->created;
	e->received_ms = (int64_t)(ev_now(t->loop) * 1000);
	e->src = src;
	return e;
}

int team_put(struct team *t, const struct event *ev, const char *raw, size_t len,
	     enum event_source src, team_put_fn fn, void *ctx)
{
	struct team_entry *e;

	if (!t->ready)
		return -1;
	e = team_entry_new(t, ev, raw, len, src);
	if (!e)
		return -2;
	e->fn = fn;
	e->ctx = ctx;
	team_enqueue(t, e);
	return 0;
}

/* ---- following ---- */

static void team_follow_after(struct team *t, int64_t after);

/* Events of the shared store into the cache and the model, through ingest
 * like any other; what the cache holds already is a duplicate there. */
static void team_take(struct team *t, const struct pg_store_event *evs, size_t n)
{
	int64_t top = t->seq;
	char err[256], seq[24];

	t->following = true;
	for (size_t i = 0; i < n; i++) {
		enum event_source src = event_source_from_name(evs[i].source);

		if (src != SRC_POLL)
			src = SRC_WEBHOOK; /* what a receiver got, or a name not ours */
		if (ingest_body(t->opts.in, evs[i].raw, evs[i].raw_len, src, err, sizeof err) ==
		    INGEST_STORE_ERROR) {
			log_warn(t->opts.log,
				 "team: event %.64s not taken into the local store: %s", evs[i].id,
				 err);
			continue;
		}
		if (evs[i].seq > top)
			top = evs[i].seq;
	}
	t->following = false;
	if (top > t->seq) {
		t->seq = top;
		snprintf(seq, sizeof seq, "%" PRId64, top);
		store_meta_set(t->opts.cache, TEAM_SEQ_KEY, seq);
	}
}

static void team_on_range(void *ctx, const char *err, const struct pg_store_event *evs, size_t n)
{
	struct team *t = ctx;

	if (t->closing)
		return;
	/* On err: read again by the catch-up of the next connection. */
	if (!err)
		team_take(t, evs, n);
}

static void team_on_page(void *ctx, const char *err, const struct pg_store_event *evs, size_t n)
{
	struct team *t = ctx;

	if (t->closing)
		return;
	if (err) {
		t->follow_busy = false;
		return;
	}
	team_take(t, evs, n);
	if (n == PG_STORE_BATCH_MAX) {
		team_follow_after(t, evs[n - 1].seq);
		return;
	}
	t->follow_busy = false;
}

static void team_follow_after(struct team *t, int64_t after)
{
	t->follow_busy =
		pg_store_events_after(t->pg, after, PG_STORE_BATCH_MAX, team_on_page, t) == 0;
}

/* "events:LO-HI" from a writer's commit. */
static void team_on_notify(void *ctx, const char *payload)
{
	struct team *t = ctx;
	long long lo, hi;
	int used = 0;

	if (sscanf(payload, "events:%lld-%lld%n", &lo, &hi, &used) == 2 && payload[used] == '\0' &&
	    lo > 0 && lo <= hi)
		pg_store_events_range(t->pg, lo, hi, team_on_range, t);
	else
		team_on_decision(t, payload);
}

/* The store went away: webhooks still queued are answered now (503, and
 * mintfax retries) rather than held until it comes back; relayed events
 * and cursors wait for it. */
static void team_fail_waiting(struct team *t)
{
	struct team_entry *keep = NULL, **tail = &keep, *e;
	size_t n = 0;

	while ((e = team_dequeue(t))) {
		if (e->fn) {
			e->fn(e->ctx, TEAM_PUT_FAILED, t->why);
			team_entry_free(e);
			continue;
		}
		*tail = e;
		tail = &e->next;
		n++;
	}
	t->head = keep;
	t->tail = keep ? tail : &t->head;
	t->queued = n;
}

static void team_on_state(void *ctx, bool ready, const char *err)
{
	struct team *t = ctx;

	t->ready = ready;
	if (ready) {
		t->why[0] = '\0';
		log_info(t->opts.log, "team: the shared store %s is ready", team_target(t));
		if (!t->follow_busy)
			team_follow_after(
				t, t->seq > TEAM_SEQ_OVERLAP ? t->seq - TEAM_SEQ_OVERLAP : 0);
		team_follow_decisions(t, NULL);
		team_flush(t);
	} else {
		sanitize_str(t->why, sizeof t->why, err && *err ? err : "unreachable");
		log_warn(t->opts.log, "team: the shared store is unusable: %s", t->why);
		t->follow_busy = false;
		team_fail_waiting(t);
	}
	team_changed(t);
}

/* ---- lifecycle ---- */

struct team *team_new(struct ev_loop *loop, const struct team_opts *opts, char *err, size_t errlen)
{
	struct team *t;
	char seq[24];
	struct pg_store_opts po = {
		.conninfo = opts->conninfo,
		.who = opts->who,
		.on_state = team_on_state,
		.on_change = team_on_notify,
		.retry_min = opts->retry_min,
		.retry_max = opts->retry_max,
	};

	if (!opts->in || !opts->cache) {
		snprintf(err, errlen, "team mode needs its local store");
		return NULL;
	}
	t = xcalloc(1, sizeof *t);
	t->loop = loop;
	t->opts = *opts;
	snprintf(t->who, sizeof t->who, "%s", opts->who ? opts->who : "");
	t->opts.who = t->who;
	t->opts.conninfo = NULL;
	t->tail = &t->head;
	snprintf(t->why, sizeof t->why, "connecting");
	if (store_meta_get(opts->cache, TEAM_SEQ_KEY, seq, sizeof seq) == 0)
		t->seq = strtoll(seq, NULL, 10);
	ev_prepare_init(&t->flush_w, team_flush_cb);
	t->flush_w.data = t;
	ev_init(&t->retry_w, team_retry_cb);
	t->retry_w.repeat = 2.;
	t->retry_w.data = t;
	po.ctx = t;
	t->pg = pg_store_new(loop, &po, err, errlen);
	if (!t->pg) {
		free(t);
		return NULL;
	}
	t->claims = team_claims_new(loop, t->pg, opts->log);
	return t;
}

void team_free(struct team *t)
{
	struct team_entry *e;

	if (!t)
		return;
	t->closing = true;
	ev_prepare_stop(t->loop, &t->flush_w);
	ev_timer_stop(t->loop, &t->retry_w);
	team_claims_free(t->claims);
	/* Statements on their way fail with "closed": their webhooks are
	 * answered (not confirmed), their relayed events dropped. */
	pg_store_free(t->pg);
	while ((e = team_dequeue(t))) {
		if (e->fn)
			e->fn(e->ctx, TEAM_PUT_FAILED, "shutting down");
		team_entry_free(e);
	}
	free(t);
}

bool team_ready(const struct team *t)
{
	return t->ready;
}

const char *team_why(const struct team *t)
{
	return t->ready ? "" : t->why;
}

const char *team_target(const struct team *t)
{
	return pg_store_target(t->pg);
}

const struct resend_gate *team_resend_gate(struct team *t)
{
	return team_claims_gate(t->claims);
}
