/* Team mode's resend gate: before a resend's first request goes out, the
 * fax is claimed in the shared store (one row per fax under a unique key).
 * The claim won, or held already with this resend's own key (an earlier
 * try of the same resend), lets it through; one held by another desk stops
 * it, naming who and since when. A resend refused for good (nothing made)
 * gives its claim back; one that made a fax keeps it, as the team's record
 * of who resent the fax. See core/api/resend.h. */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/api/resend.h"
#include "core/base/log.h"
#include "core/base/xalloc.h"
#include "core/store/pg_store.h"
#include "core/team/team_claim.h"

struct claim_wait {
	struct team_claims *c; /* NULL once the claims are freed */
	struct claim_wait *next;
	resend_gate_cont cont; /* NULL once cancelled */
	void *cont_ctx;
	char *key;
	char why[256]; /* a refusal made before the store was asked */
};

struct team_claims {
	struct ev_loop *loop;
	struct pg_store *pg;
	struct log *log;
	struct resend_gate gate;
	struct claim_wait *waits; /* claims asked for, and claims being given back */
};

static void claim_unlink(struct claim_wait *w)
{
	if (!w->c)
		return;
	for (struct claim_wait **pp = &w->c->waits; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	w->c = NULL;
}

static struct claim_wait *claim_wait_new(struct team_claims *c, const char *key)
{
	struct claim_wait *w = xcalloc(1, sizeof *w);

	w->c = c;
	w->key = xstrdup(key ? key : "");
	w->next = c->waits;
	c->waits = w;
	return w;
}

static void claim_end(struct claim_wait *w, bool ok, const char *why)
{
	claim_unlink(w);
	if (w->cont)
		w->cont(w->cont_ctx, ok, why);
	free(w->key);
	free(w);
}

static void on_claimed(void *ctx, const char *err, bool won, const char *who, int64_t since,
		       const char *held_key)
{
	struct claim_wait *w = ctx;
	char why[320];

	if (err) {
		snprintf(why, sizeof why,
			 "the shared store could not take the claim (%s): nothing was sent", err);
		claim_end(w, false, why);
	} else if (won || (held_key && strcmp(held_key, w->key) == 0)) {
		claim_end(w, true, NULL);
	} else {
		pg_store_claim_describe(why, sizeof why, who, since);
		claim_end(w, false, why);
	}
}

/* A refusal found before the store was asked is still answered from the
 * loop, never from inside pass. */
static void claim_refused_cb(int revents, void *arg)
{
	struct claim_wait *w = arg;

	(void)revents;
	claim_end(w, false, w->why);
}

static void claim_pass(void *ctx, const char *fax_id, const char *key, resend_gate_cont cont,
		       void *cont_ctx)
{
	struct team_claims *c = ctx;
	struct claim_wait *w = claim_wait_new(c, key);

	w->cont = cont;
	w->cont_ctx = cont_ctx;
	if (!key || pg_store_claim(c->pg, fax_id, key, on_claimed, w) != 0) {
		snprintf(w->why, sizeof w->why,
			 "this resend cannot be claimed in the shared store: nothing was sent");
		ev_once(c->loop, -1, 0, 0., claim_refused_cb, w);
	}
}

static void claim_cancel(void *ctx, void *cont_ctx)
{
	struct team_claims *c = ctx;

	for (struct claim_wait *w = c->waits; w; w = w->next)
		if (w->cont_ctx == cont_ctx)
			w->cont = NULL;
}

static void on_released(void *ctx, const char *err)
{
	struct claim_wait *w = ctx;

	if (err && w->c)
		log_warn(w->c->log, "team: a resend's claim was not given back: %s", err);
	claim_end(w, true, NULL);
}

/* The giving back waits on the list too (cont NULL), so that the claims
 * can be freed before the store answers. */
static void claim_settled(void *ctx, const char *fax_id, const char *key, bool sent)
{
	struct team_claims *c = ctx;
	struct claim_wait *w;

	/* A fax was made: the claim stays, the team's record of who resent it. */
	if (sent || !key)
		return;
	w = claim_wait_new(c, key);
	if (pg_store_claim_release(c->pg, fax_id, key, on_released, w) != 0)
		claim_end(w, true, NULL);
}

struct team_claims *team_claims_new(struct ev_loop *loop, struct pg_store *pg, struct log *log)
{
	struct team_claims *c = xcalloc(1, sizeof *c);

	c->loop = loop;
	c->pg = pg;
	c->log = log;
	c->gate = (struct resend_gate){
		.pass = claim_pass,
		.cancel = claim_cancel,
		.settled = claim_settled,
		.ctx = c,
	};
	return c;
}

/* Waits still out are answered by nobody: pg_store frees their statements
 * (their callbacks only free them). */
void team_claims_free(struct team_claims *c)
{
	struct claim_wait *w;

	if (!c)
		return;
	while ((w = c->waits)) {
		c->waits = w->next;
		w->c = NULL;
		w->cont = NULL;
	}
	free(c);
}

const struct resend_gate *team_claims_gate(struct team_claims *c)
{
	return &c->gate;
}

bool team_claims_busy(const struct team_claims *c)
{
	return c->waits != NULL;
}
