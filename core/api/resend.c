/* The one resend path and its ledger. See resend.h.
 *
 * A call goes: validate → look up the ledger (reuse a pending key with the
 * body it was minted for, refuse an earlier resend without again, or mint
 * a key) → store the pending row → once that is committed, the gate (if
 * any) → POST → record the outcome (the ledger row, the audit row, the
 * gate) → done. */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include <ctype.h>
#include <ev.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "core/api/api_client.h"
#include "core/base/clock.h"
#include "core/model/event.h"
#include "core/wire/event_parse.h"
#include "core/store/ingest.h"
#include "core/base/log.h"
#include "core/model/model.h"
#include "core/api/resend.h"
#include "core/base/sanitize.h"
#include "core/store/store.h"
#include "core/store/triage.h"
#include "core/base/xalloc.h"

#define RESEND_ID_MAX 64
/* Tries with the same key before the outcome is reported unknown; the API
 * client spaces them (backoff, Retry-After). */
#define RESEND_TRIES 3
/* A longer Retry-After is reported rather than waited for. */
#define RESEND_RETRY_MAX_WAIT_S 30

/* Where a call waits; resend_free drops each kind differently. */
enum resend_stage {
	RESEND_COMMIT, /* for its pending row's commit: that callback frees it */
	RESEND_GATE,   /* for the gate's answer: cancelled there */
	RESEND_API,    /* for the API: the request is cancelled */
	RESEND_LOCAL,  /* for its own timer, answering a local failure */
};

struct resend_call {
	struct resender *r; /* NULL once the resender is gone */
	struct resend_call *next;
	resend_done_fn done;
	void *ctx;
	char fax_id[RESEND_ID_MAX + 1];
	char key[RESEND_KEY_MAX];
	char *to;
	int max_attempts;
	int64_t created_ms;
	int tries;
	enum resend_stage stage;
	bool reused;
	bool gate_passed;  /* the gate is told the outcome */
	bool gate_refused; /* settled without a request */
	char *body;
	ev_timer local; /* answers a store failure from the loop */
	char l_message[320];
};

struct resender {
	struct ev_loop *loop;
	struct api_client *api;
	struct store *store;
	struct ingest *in;
	const struct clock *clock;
	struct log *log;
	int max_tries;
	struct triage *triage;
	struct resend_gate gate; /* pass NULL: none */
	char who[128];
	struct resend_call *calls;
	unsigned n_calls;
};

/* ---- small helpers ---- */

bool resend_valid_fax_id(const char *s)
{
	size_t n = 0;

	if (!s)
		return false;
	for (; s[n]; n++)
		if (!isalnum((unsigned char)s[n]) && s[n] != '_' && s[n] != '-')
			return false;
	return n > 0 && n <= RESEND_ID_MAX;
}

bool resend_valid_e164(const char *s)
{
	size_t n;

	if (!s || s[0] != '+' || s[1] < '1' || s[1] > '9')
		return false;
	for (n = 1; s[n]; n++)
		if (!isdigit((unsigned char)s[n]))
			return false;
	return n >= 3 && n <= 16;
}

void resend_new_key(char buf[37])
{
	unsigned char b[16];

	if (RAND_bytes(b, sizeof b) != 1 && getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
		/* Both sources failed: time, process and stack address are
		 * still unique enough for an idempotency key. */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		uint64_t x = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		uint64_t y = ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)b;
		memcpy(b, &x, 8);
		memcpy(b + 8, &y, 8);
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(buf, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

void resend_who(char *buf, size_t len)
{
	char host[256] = "", raw[400];
	const char *user = getenv("USER");
	struct passwd *pw = getpwuid(getuid());

	if (pw && pw->pw_name)
		user = pw->pw_name;
	if (gethostname(host, sizeof host - 1) != 0)
		snprintf(host, sizeof host, "?");
	snprintf(raw, sizeof raw, "%s@%s", user && *user ? user : "?", host);
	sanitize_str(buf, len, raw);
}

void resend_fmt_time(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms == TS_NONE || !localtime_r(&t, &tm) || !strftime(buf, len, "%d %b %H:%M", &tm))
		snprintf(buf, len, "an unknown time");
}

static int64_t resend_now(const struct resender *r)
{
	return clock_now_ms(r->clock);
}

/* ---- lifecycle ---- */

struct resender *resend_new(struct ev_loop *loop, struct api_client *api, struct store *store,
			    struct ingest *in, const struct clock *clock, struct log *log,
			    const struct resend_opts *opts)
{
	struct resender *r;

	if (!loop || !api || !store)
		return NULL;
	r = xcalloc(1, sizeof *r);
	r->loop = loop;
	r->api = api;
	r->store = store;
	r->in = in;
	r->clock = clock;
	r->log = log;
	r->max_tries = opts && opts->max_tries > 0 ? opts->max_tries : RESEND_TRIES;
	r->triage = opts ? opts->triage : NULL;
	if (opts && opts->gate)
		r->gate = *opts->gate;
	if (opts && opts->who)
		sanitize_str(r->who, sizeof r->who, opts->who);
	else
		resend_who(r->who, sizeof r->who);
	return r;
}

static void resend_call_free(struct resend_call *c)
{
	free(c->to);
	free(c->body);
	free(c);
}

static void resend_unlink(struct resender *r, struct resend_call *c)
{
	for (struct resend_call **pp = &r->calls; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			r->n_calls--;
			return;
		}
}

void resend_free(struct resender *r)
{
	if (!r)
		return;
	while (r->calls) {
		struct resend_call *c = r->calls;

		r->calls = c->next;
		api_client_cancel(r->api, c);
		ev_timer_stop(r->loop, &c->local);
		c->r = NULL;
		c->done = NULL;
		if (c->stage == RESEND_GATE && r->gate.cancel)
			r->gate.cancel(r->gate.ctx, c);
		/* A call still waiting for its commit is freed by that callback. */
		if (c->stage != RESEND_COMMIT)
			resend_call_free(c);
	}
	free(r);
}

unsigned resend_in_flight(const struct resender *r)
{
	return r ? r->n_calls : 0;
}

bool resend_is_in_flight(const struct resender *r, const char *fax_id)
{
	for (const struct resend_call *c = r ? r->calls : NULL; c; c = c->next)
		if (!strcmp(c->fax_id, fax_id))
			return true;
	return false;
}

/* ---- the ledger ---- */

static void prior_from_row(void *ctx, const struct store_ledger_row *row)
{
	struct resend_prior *p = ctx;

	if (!strcmp(row->state, "pending"))
		p->kind = RESEND_PRIOR_PENDING;
	else if (!strcmp(row->state, "sent"))
		p->kind = RESEND_PRIOR_SENT;
	else
		return; /* refused: no fax was made, the key is spent */
	snprintf(p->key, sizeof p->key, "%s", row->key);
	sanitize_str(p->new_fax_id, sizeof p->new_fax_id, row->new_fax_id ? row->new_fax_id : "");
	snprintf(p->to, sizeof p->to, "%s", row->to ? row->to : "");
	p->max_attempts = row->max_attempts;
	p->at_ms = row->created_ms;
}

/* The newest resend the model knows of (by created_at), when the ledger
 * has none: made elsewhere, or before the ledger existed. */
static void prior_from_model(const struct model *m, const char *fax_id, struct resend_prior *p)
{
	const struct model_fax *mf = m ? model_get(m, fax_id) : NULL;
	const struct model_fax *best = NULL;

	for (size_t i = 0; mf && i < mf->n_resends; i++) {
		const struct model_fax *rf = model_get(m, mf->resends[i]);

		if (rf && (!best || rf->fax.created_at > best->fax.created_at))
			best = rf;
	}
	if (!best)
		return;
	p->kind = RESEND_PRIOR_SENT;
	sanitize_str(p->new_fax_id, sizeof p->new_fax_id, best->fax.id);
	p->at_ms = best->fax.created_at;
}

int resend_prior(struct resender *r, const struct model *m, const char *fax_id,
		 struct resend_prior *out)
{
	memset(out, 0, sizeof *out);
	out->at_ms = TS_NONE;
	if (!resend_valid_fax_id(fax_id))
		return 0;
	if (store_ledger_newest(r->store, fax_id, prior_from_row, out) < 0)
		return -1;
	if (out->kind == RESEND_PRIOR_NONE)
		prior_from_model(m, fax_id, out);
	out->in_flight = resend_is_in_flight(r, fax_id);
	return 0;
}

static void resend_ledger_put(struct resender *r, const struct resend_call *c, const char *state,
			      const struct resend_result *res)
{
	struct store_ledger_row row = {
		.key = c->key,
		.fax_id = c->fax_id,
		.state = state,
		.to = c->to,
		.max_attempts = c->max_attempts,
		.created_ms = c->created_ms,
		.updated_ms = resend_now(r),
		.new_fax_id = res && res->ok ? res->new_fax_id : NULL,
		.request_id = res && res->request_id && *res->request_id ? res->request_id : NULL,
		.error = res && !res->ok ? res->error : NULL,
		.who = r->who,
	};

	if (store_ledger_put(r->store, &row) != 0 && r->log)
		log_warn(r->log, "resend of %s: the ledger could not be updated: %s", c->fax_id,
			 store_last_error(r->store));
	if (r->triage)
		triage_set_pending(r->triage, c->fax_id, !strcmp(state, "pending"));
}

static void resend_audit(struct resender *r, const struct resend_call *c,
			 const struct resend_result *res)
{
	struct store_resend a = {
		.at_ms = resend_now(r),
		.fax_id = c->fax_id,
		.new_fax_id = res->ok ? res->new_fax_id : NULL,
		.error = res->ok ? NULL : res->error,
		.idempotency_key = c->key,
		.request_id = res->request_id && *res->request_id ? res->request_id : NULL,
		.to = c->to,
		.max_attempts = c->max_attempts,
		.who = r->who,
	};

	if (store_put_resend(r->store, &a) != 0 && r->log)
		log_warn(r->log, "resend of %s: the audit record could not be stored: %s",
			 c->fax_id, store_last_error(r->store));
}

/* ---- answers ---- */

static void resend_finish(struct resender *r, struct resend_call *c, struct resend_result *res)
{
	res->key = c->key;
	res->reused_key = c->reused;
	if (c->tries > 0 || c->gate_refused) { /* it reached the API (or may have), or the gate */
		resend_audit(r, c, res);
		resend_ledger_put(r, c,
				  res->ok                ? "sent"
					  : res->settled ? "refused"
							 : "pending",
				  res);
	}
	if (c->gate_passed && res->settled && r->gate.settled)
		r->gate.settled(r->gate.ctx, c->fax_id, c->key, res->ok);
	if (r->log && res->ok)
		log_info(r->log, "resend of %s (key %s): new fax %s", c->fax_id, c->key,
			 res->new_fax_id ? res->new_fax_id : "?");
	else if (r->log)
		log_warn(r->log, "resend of %s (key %s) failed: %s", c->fax_id, c->key,
			 res->message ? res->message : "?");
	resend_unlink(r, c);
	if (c->done)
		c->done(c->ctx, res);
	resend_call_free(c);
}

/* Worth another try with the same key: the first may or may not have
 * made the fax, and the key makes sure it is made once. */
static bool resend_transient(const struct api_response *a)
{
	return a->outcome == API_NETWORK_ERROR || a->outcome == API_SERVER_ERROR ||
		(a->outcome == API_RATE_LIMITED && a->retry_after_s <= RESEND_RETRY_MAX_WAIT_S) ||
		(a->http_status == 409 && a->has_error &&
		 !strcmp(a->error.error, "idempotency_key_in_progress"));
}

static void resend_explain(const struct api_response *a, struct resend_result *res, char *code,
			   char *action, char *text, size_t textlen)
{
	char message[1400];

	if (a->has_error) {
		sanitize_str(code, 64, a->error.error);
		sanitize_str(action, 64, a->error.action);
		snprintf(message, sizeof message, "%s%s%s%s",
			 a->error.message[0] ? a->error.message : a->message,
			 a->error.details[0] ? " (" : "", a->error.details,
			 a->error.details[0] ? ")" : "");
		sanitize_str(text, textlen, message);
		res->message = text;
	} else {
		snprintf(code, 64, a->outcome == API_NETWORK_ERROR ? "network_error" : "http_%d",
			 a->http_status);
		snprintf(action, 64, "%s",
			 a->outcome == API_RATE_LIMITED ? "wait_and_retry"
				 : resend_transient(a)  ? "retry_later"
							: "");
		res->message = a->message;
	}
	res->error = code;
	res->action = action;
}

static int resend_post(struct resend_call *c, char *err, size_t errlen);

static void resend_answer(void *ctx, const struct api_response *a)
{
	struct resend_call *c = ctx;
	struct resender *r = c->r;
	char text[600], err[256] = "", code[64], action[64], rid[64];
	struct resend_result res = { .http_status = a->http_status,
				     .request_id = rid,
				     .action = "",
				     .outcome = a->outcome,
				     .api_message = a->message,
				     .retry_after_s = a->retry_after_s };
	struct fax f;

	/* Envelope fields reach the screen: make them safe once, here. */
	sanitize_str(rid, sizeof rid, a->request_id[0] ? a->request_id : a->error.request_id);
	if (a->outcome != API_OK && resend_transient(a) && c->tries < r->max_tries &&
	    resend_post(c, err, sizeof err) == 0)
		return;
	fax_init(&f);
	if (a->outcome == API_OK) {
		if (wire_fax_parse(a->body, a->body_len, &f, err, sizeof err) == 0 && f.id) {
			enum ingest_result ir = r->in
				? ingest_fax(r->in, &f, SRC_API, err, sizeof err)
				: INGEST_ACCEPTED;

			if ((ir == INGEST_INVALID || ir == INGEST_STORE_ERROR) && r->log)
				log_warn(r->log, "resend: new fax %s not taken: %s", f.id, err);
			res.ok = res.settled = true;
			res.new_fax_id = f.id;
		} else {
			/* Accepted, but which fax? The key stays pending, so a
			 * retry gets the same answer again instead of a fax. */
			res.error = "bad_response";
			snprintf(text, sizeof text,
				 "the API accepted the resend (HTTP %d) but its "
				 "answer could not be read (%s); retrying uses the same key",
				 a->http_status, f.id ? "no fax id" : err);
			res.message = text;
		}
	} else {
		resend_explain(a, &res, code, action, text, sizeof text);
		res.settled = !resend_transient(a);
	}
	resend_finish(r, c, &res);
	fax_done(&f);
}

static int resend_post(struct resend_call *c, char *err, size_t errlen)
{
	char path[128];

	c->tries++;
	c->stage = RESEND_API;
	snprintf(path, sizeof path, "/faxes/%s/resend", c->fax_id);
	return api_client_request(c->r->api, "POST", path, c->body, c->key, API_REQ_URGENT,
				  resend_answer, c, err, errlen);
}

/* An answer that did not come from the API: l_message says why. */
static void resend_finish_local(struct resend_call *c, const char *error, bool settled,
				const char *action, enum api_outcome outcome)
{
	struct resend_result res = {
		.settled = settled,
		.error = error,
		.message = c->l_message,
		.action = action,
		.request_id = "",
		.outcome = outcome,
		.api_message = c->l_message,
		.retry_after_s = -1,
	};

	resend_finish(c->r, c, &res);
}

static void resend_local_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)revents;
	ev_timer_stop(loop, w);
	resend_finish_local(w->data, "not_sent", false, "retry_later", API_NETWORK_ERROR);
}

static void resend_fail_local(struct resend_call *c, const char *what, const char *detail)
{
	c->stage = RESEND_LOCAL;
	snprintf(c->l_message, sizeof c->l_message, "%s (%.200s): nothing was sent", what, detail);
	ev_timer_init(&c->local, resend_local_cb, 0., 0.);
	c->local.data = c;
	ev_timer_start(c->r->loop, &c->local);
}

static void resend_go(struct resend_call *c)
{
	char err[256];

	if (resend_post(c, err, sizeof err) != 0)
		resend_fail_local(c, "the request could not be queued", err);
}

/* The gate's answer, from the loop: the request goes out, or the resend is
 * settled as refused without one (its key is spent, the next mints one). */
static void resend_gate_answer(void *cont_ctx, bool ok, const char *why)
{
	struct resend_call *c = cont_ctx;

	if (ok) {
		c->gate_passed = true;
		resend_go(c);
		return;
	}
	sanitize_str(c->l_message, sizeof c->l_message,
		     why && *why ? why : "being resent by another operator");
	c->gate_refused = true;
	/* A refusal like a 4xx's, without the API: the CLI prints it as such. */
	resend_finish_local(c, "claimed", true, "", API_CLIENT_ERROR);
}

/* The pending row is durable (or not): only now may the gate be asked and
 * the POST go out. */
static void resend_committed(void *ctx, bool ok)
{
	struct resend_call *c = ctx;
	struct resender *r = c->r;

	if (!r) {
		resend_call_free(c);
		return;
	}
	if (!ok) {
		resend_fail_local(c, "the resend's key could not be stored",
				  store_last_error(r->store));
		return;
	}
	if (!r->gate.pass) {
		resend_go(c);
		return;
	}
	c->stage = RESEND_GATE;
	/* Last: an answer that came at once may have freed c. */
	r->gate.pass(r->gate.ctx, c->fax_id, c->key, resend_gate_answer, c);
}

/* ---- start ---- */

static int resend_check(const struct resend_req *q, char *err, size_t errlen)
{
	if (!resend_valid_fax_id(q->fax_id)) {
		snprintf(err, errlen, "not a fax id (expected something like fax_8aZqRm4y…)");
		return -1;
	}
	if (q->to && !resend_valid_e164(q->to)) {
		snprintf(err, errlen,
			 "destination must be E.164: + then 2 to 15 digits, not "
			 "starting with 0, e.g. +14155550100");
		return -1;
	}
	if (q->max_attempts != 0 && (q->max_attempts < 1 || q->max_attempts > 5)) {
		snprintf(err, errlen, "max attempts must be 1 to 5");
		return -1;
	}
	if (q->key && (!*q->key || strlen(q->key) >= RESEND_KEY_MAX)) {
		snprintf(err, errlen, "an idempotency key is 1 to 255 characters");
		return -1;
	}
	return 0;
}

static char *resend_body(const char *to, int max_attempts)
{
	char *body, *to_json = NULL, ma[32] = "";

	/* json-c's NULL here means the heap is gone. */
	if (to && !(to_json = wire_json_quote(to)))
		xalloc_die();
	if (max_attempts)
		snprintf(ma, sizeof ma, "\"max_attempts\":%d", max_attempts);
	body = xasprintf("{%s%s%s%s}", to_json ? "\"to\":" : "", to_json ? to_json : "",
			 to_json && ma[0] ? "," : "", ma);
	free(to_json);
	return body;
}

/* Which key and body: a pending key is retried with the body it was minted
 * for (the API refuses the same key with another body); a settled resend
 * needs again; otherwise a fresh key. */
static int resend_pick(struct resend_call *c, const struct resend_prior *p,
		       const struct resend_req *q, char *err, size_t errlen)
{
	char when[32];
	const char *to = q->to;
	int max = q->max_attempts;

	if (q->key) {
		snprintf(c->key, sizeof c->key, "%s", q->key);
		c->reused = p->kind != RESEND_PRIOR_NONE && !strcmp(p->key, q->key);
	} else if (p->kind == RESEND_PRIOR_PENDING && !q->again) {
		if (strcmp(q->to ? q->to : "", p->to) ||
		    (q->max_attempts && p->max_attempts && q->max_attempts != p->max_attempts)) {
			/* Its key cannot carry another request. */
			resend_fmt_time(p->at_ms, when, sizeof when);
			snprintf(err, errlen,
				 "an earlier resend of %s (asked %s, to %s) has no known "
				 "outcome: retry it as it was, or choose again for another fax",
				 c->fax_id, when, p->to[0] ? p->to : "the same number");
			return -1;
		}
		snprintf(c->key, sizeof c->key, "%s", p->key);
		to = p->to[0] ? p->to : NULL;
		max = p->max_attempts;
		c->reused = true;
	} else {
		resend_new_key(c->key);
	}
	if (p->kind == RESEND_PRIOR_SENT && !q->again && !c->reused) {
		resend_fmt_time(p->at_ms, when, sizeof when);
		snprintf(err, errlen,
			 "%s was resent already as %s on %s%s%s: resending again "
			 "makes another fax and needs an explicit choice",
			 c->fax_id, p->new_fax_id[0] ? p->new_fax_id : "a fax", when,
			 p->key[0] ? ", key " : "", p->key);
		return -1;
	}
	c->to = xstrdup(to);
	c->max_attempts = max;
	c->body = resend_body(to, max);
	return 0;
}

static struct resend_call *resend_call_new(struct resender *r, const struct resend_req *q,
					   resend_done_fn done, void *ctx)
{
	struct resend_call *c = xcalloc(1, sizeof *c);

	c->r = r;
	c->done = done;
	c->ctx = ctx;
	c->created_ms = resend_now(r);
	snprintf(c->fax_id, sizeof c->fax_id, "%s", q->fax_id);
	return c;
}

int resend_start(struct resender *r, const struct model *m, const struct resend_req *q,
		 resend_done_fn done, void *ctx, char *err, size_t errlen)
{
	struct resend_prior p;
	struct resend_call *c;

	if (!r || !q || !done) {
		snprintf(err, errlen, "resending is not available");
		return -1;
	}
	if (resend_check(q, err, errlen) < 0)
		return -1;
	if (resend_is_in_flight(r, q->fax_id)) {
		snprintf(err, errlen, "%s is already being resent", q->fax_id);
		return -1;
	}
	if (resend_prior(r, m, q->fax_id, &p) < 0) {
		snprintf(err, errlen, "the resend ledger cannot be read (%s): nothing was sent",
			 store_last_error(r->store));
		return -1;
	}
	c = resend_call_new(r, q, done, ctx);
	if (resend_pick(c, &p, q, err, errlen) < 0) {
		resend_call_free(c);
		return -1;
	}
	if (c->reused && p.kind == RESEND_PRIOR_PENDING)
		c->created_ms = p.at_ms;
	resend_ledger_put(r, c, "pending", NULL);
	if (store_on_commit(r->store, resend_committed, c) != 0) {
		snprintf(err, errlen, "the resend's key cannot be stored (%s): nothing was sent",
			 store_last_error(r->store));
		resend_call_free(c);
		return -1;
	}
	c->next = r->calls;
	r->calls = c;
	r->n_calls++;
	return 0;
}
