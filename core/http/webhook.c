/* The webhook route. A verified body goes through ingest; its answer waits
 * in a "hold" until the store's commit callback says whether the batch that
 * holds it is durable: 204 then, 503 otherwise (mintfax retries, and the
 * event is never acknowledged unstored). Refusals never reach ingest. */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include "core/http/webhook.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/http/http_server.h"
#include "core/store/ingest.h"
#include "core/wire/event_parse.h"
#include "core/base/log.h"
#include "core/model/model.h"
#include "core/base/sanitize.h"
#include "core/base/xalloc.h"
#include "core/store/store.h"

struct wh_hold {
	struct webhook *wh; /* NULL once the webhook is gone */
	struct http_request *req;
	struct wh_hold *prev, *next;
	bool is_new; /* a new event, not a duplicate */
};

struct webhook {
	char *path;
	struct sig_verifier verifier;
	struct ingest *ingest;
	struct store *store;
	struct model *model;
	const struct clock *clock;
	struct log *log;
	int64_t started_ms;
	struct wh_hold *holds;
	size_t n_holds;
	struct webhook_stats stats;
	webhook_api_state_fn api_state;
	void *api_state_ctx;
	struct webhook_sink sink; /* team mode: put is set */
	/* the newest refusals, a ring: when, from whom, why */
	struct wh_refusal {
		int64_t at_ms;
		char peer[64];
		enum sig_result why;
	} refusals[WEBHOOK_REFUSAL_RING];
	size_t n_refusals, refusal_next;
	unsigned streak;
	int64_t streak_since_ms;
};

/* ---- answers ---- */

static void json_str(char *out, size_t outlen, const char *s)
{
	char safe[512];
	size_t o = 0;
	const char *p;

	/* Terminal-safe and valid UTF-8 first, then JSON-escaped. */
	sanitize_str(safe, sizeof safe, s ? s : "");
	for (p = safe; *p && o + 7 < outlen; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch == '"' || ch == '\\') {
			out[o++] = '\\';
			out[o++] = (char)ch;
		} else if (ch < 0x20) {
			o += (size_t)snprintf(out + o, outlen - o, "\\u%04x", ch);
		} else {
			out[o++] = (char)ch;
		}
	}
	out[o] = '\0';
}

static void respond_error(struct http_request *req, int status, const char *error,
			  const char *message, const struct http_header *extra, size_t n_extra)
{
	char e[128], m[768], body[1024];

	json_str(e, sizeof e, error);
	json_str(m, sizeof m, message);
	snprintf(body, sizeof body, "{\"error\":\"%s\",\"message\":\"%s\"}", e, m);
	http_respond_json(req, status, body, extra, n_extra);
}

/* ---- acknowledge after commit ---- */

static void hold_unlink(struct wh_hold *h)
{
	struct webhook *wh = h->wh;

	if (!wh)
		return;
	if (h->prev)
		h->prev->next = h->next;
	else
		wh->holds = h->next;
	if (h->next)
		h->next->prev = h->prev;
	wh->n_holds--;
}

/* The answer to a held request: 204 once its event is durable (ok), 503
 * otherwise, with why in the log. */
static void hold_answer(struct wh_hold *h, bool ok, const char *why)
{
	struct webhook *wh = h->wh;

	hold_unlink(h);
	if (ok) {
		/* Counted only now: an event is accepted once it is durable. */
		if (wh && h->is_new) {
			wh->stats.accepted++;
			wh->stats.last_event_ms = clock_now_ms(wh->clock);
		}
		http_respond(h->req, 204, NULL, NULL, 0, NULL, 0);
	} else {
		if (wh) {
			wh->stats.unavailable++;
			wh->stats.commit_failed++;
			log_error(wh->log,
				  "webhook from %s: the store could not commit (%s); "
				  "answered 503 so mintfax retries",
				  http_request_peer(h->req), why ? why : "?");
		}
		respond_error(h->req, 503, "store_unavailable",
			      "the event could not be stored; retry later", NULL, 0);
	}
	free(h);
}

static void on_commit(void *ctx, bool ok)
{
	struct wh_hold *h = ctx;

	hold_answer(h, ok, h->wh ? store_last_error(h->wh->store) : NULL);
}

/* The shared store's answer (team mode): new, stored before, or failed. */
static void on_shared(void *ctx, int r, const char *err)
{
	struct wh_hold *h = ctx;

	h->is_new = r == WEBHOOK_SINK_NEW;
	if (r == WEBHOOK_SINK_DUPLICATE && h->wh)
		h->wh->stats.duplicates++;
	hold_answer(h, r != WEBHOOK_SINK_FAILED, err);
}

static struct wh_hold *hold_new(struct webhook *wh, struct http_request *req, bool is_new)
{
	struct wh_hold *h = xcalloc(1, sizeof *h);

	h->wh = wh;
	h->req = req;
	h->is_new = is_new;
	h->next = wh->holds;
	if (wh->holds)
		wh->holds->prev = h;
	wh->holds = h;
	wh->n_holds++;
	return h;
}

static void answer_unavailable(struct webhook *wh, struct http_request *req, const char *message)
{
	wh->stats.unavailable++;
	wh->stats.commit_failed++;
	respond_error(req, 503, "store_unavailable", message, NULL, 0);
}

static void hold_for_commit(struct webhook *wh, struct http_request *req, bool is_new)
{
	struct wh_hold *h = hold_new(wh, req, is_new);

	if (store_on_commit(wh->store, on_commit, h) != 0) {
		hold_unlink(h);
		free(h);
		answer_unavailable(wh, req, "the event could not be stored; retry later");
	}
}

/* ---- routes ---- */

static void note_refusal(struct webhook *wh, struct http_request *req, enum sig_result r,
			 int64_t now)
{
	struct wh_refusal *e = &wh->refusals[wh->refusal_next];

	e->at_ms = now;
	e->why = r;
	sanitize_str(e->peer, sizeof e->peer, http_request_peer(req));
	wh->refusal_next = (wh->refusal_next + 1) % WEBHOOK_REFUSAL_RING;
	if (wh->n_refusals < WEBHOOK_REFUSAL_RING)
		wh->n_refusals++;
	/* Only a signature that no configured key produces says the secret is
	 * wrong; a missing header or an old timestamp says nothing about it. */
	if (r != SIG_MISMATCH && r != SIG_NO_SECRET)
		return;
	if (wh->streak++ == 0)
		wh->streak_since_ms = now;
}

static void refuse(struct webhook *wh, struct http_request *req, enum sig_result r)
{
	const char *claimed = http_request_header(req, "webhook-id");
	char id[64] = "", detail[96];
	int64_t now = clock_now_ms(wh->clock);

	if (claimed) {
		char cut[48];

		snprintf(cut, sizeof cut, "%s", claimed);
		sanitize_str(id, sizeof id, cut);
	}
	wh->stats.refused[r]++;
	wh->stats.refused_total++;
	note_refusal(wh, req, r, now);
	log_warn(wh->log, "webhook from %s refused: %s%s%s", http_request_peer(req),
		 sig_result_name(r), id[0] ? ", webhook-id " : "", id);
	snprintf(detail, sizeof detail, "%s from %s", sig_result_name(r), http_request_peer(req));
	model_log(wh->model, now, id[0] ? id : NULL, NULL, NULL, SRC_WEBHOOK, APPLY_REFUSED,
		  detail);
	respond_error(req, sig_result_status(r), sig_result_name(r), sig_result_text(r), NULL, 0);
}

/* Team mode: a verified event goes to the shared store, and is answered
 * from its commit (on_shared); the cache hears of it from the store like
 * every other instance. false when the body is not an event: the local
 * path quarantines it and answers 400. */
static bool to_shared_store(struct webhook *wh, struct http_request *req, const char *body,
			    size_t len)
{
	struct event ev;
	struct wh_hold *h;
	int r;

	if (!body || len > wire_max_bytes())
		return false;
	event_init(&ev);
	if (wire_event_parse(body, len, &ev, NULL, 0) < 0 || !ev.id || !ev.id[0]) {
		event_done(&ev);
		return false;
	}
	h = hold_new(wh, req, false);
	r = wh->sink.put(wh->sink.ctx, &ev, body, len, SRC_WEBHOOK, on_shared, h);
	event_done(&ev);
	if (r == 0)
		return true;
	hold_unlink(h);
	free(h);
	if (r == -2) {
		wh->stats.invalid++;
		respond_error(req, 400, "invalid_event",
			      "the event's id or type is not valid UTF-8", NULL, 0);
	} else {
		answer_unavailable(wh, req, "the shared store is unreachable; retry later");
	}
	return true;
}

static void handle_event(struct webhook *wh, struct http_request *req)
{
	struct sig_headers h = {
		.webhook_id = http_request_header(req, "webhook-id"),
		.webhook_timestamp = http_request_header(req, "webhook-timestamp"),
		.webhook_signature = http_request_header(req, "webhook-signature"),
		.legacy_signature = http_request_header(req, "X-Mintfax-Signature"),
		.legacy_timestamp = http_request_header(req, "X-Mintfax-Timestamp"),
	};
	size_t len;
	const char *body = http_request_body(req, &len);
	enum sig_result sr = sig_verify(&wh->verifier, &h, body, len, clock_now_s(wh->clock));
	char err[256] = "";

	if (sr != SIG_OK) {
		refuse(wh, req, sr);
		return;
	}
	wh->streak = 0;
	if (wh->sink.put && to_shared_store(wh, req, body, len))
		return;
	switch (ingest_body(wh->ingest, body, len, SRC_WEBHOOK, err, sizeof err)) {
	case INGEST_ACCEPTED:
		hold_for_commit(wh, req, true);
		return;
	case INGEST_DUPLICATE:
		wh->stats.duplicates++;
		hold_for_commit(wh, req, false);
		return;
	case INGEST_INVALID:
		wh->stats.invalid++;
		log_warn(wh->log, "webhook from %s: authentic but invalid, quarantined",
			 http_request_peer(req));
		respond_error(req, 400, "invalid_event", err[0] ? err : "invalid event", NULL, 0);
		return;
	case INGEST_STORE_ERROR:
	case INGEST_RESULT_COUNT:
		break;
	}
	wh->stats.unavailable++;
	wh->stats.commit_failed++;
	log_error(wh->log, "webhook from %s: the store refused the event; answered 503",
		  http_request_peer(req));
	respond_error(req, 503, "store_unavailable", "the event could not be stored; retry later",
		      NULL, 0);
}

static void handle_health(struct webhook *wh, struct http_request *req)
{
	int64_t now = clock_now_ms(wh->clock);
	/* In team mode the shared store is the record: its health is the one
	 * that decides whether webhooks are taken. */
	bool ok = wh->sink.put ? wh->sink.ok(wh->sink.ctx) : store_ok(wh->store);
	const char *api = wh->api_state ? wh->api_state(wh->api_state_ctx) : "off";
	const char *role = wh->sink.role ? wh->sink.role(wh->sink.ctx) : wh->api_state ? "solo" : "off";
	const struct http_server_stats *hs = http_request_server_stats(req);
	char age[32], body[768];

	if (wh->stats.last_event_ms)
		snprintf(age, sizeof age, "%" PRId64,
			 now > wh->stats.last_event_ms ? (now - wh->stats.last_event_ms) / 1000
						       : 0);
	else
		snprintf(age, sizeof age, "null");
	snprintf(body, sizeof body,
		 "{\"status\":\"%s\",\"uptime_s\":%" PRId64 ",\"events_accepted\":%" PRIu64
		 ",\"events_failed\":%" PRIu64 ",\"last_event_age_s\":%s,\"store_ok\":%s"
		 ",\"store\":\"%s\",\"poller\":\"%s\",\"api\":\"%s\",\"listener\":{\"connections\":%u,\"shed\":%" PRIu64
		 ",\"peer_refused\":%" PRIu64 ",\"emfile\":%" PRIu64 ",\"timeouts\":%" PRIu64 "}}",
		 ok ? "ok" : "degraded", now > wh->started_ms ? (now - wh->started_ms) / 1000 : 0,
		 wh->stats.accepted, wh->stats.commit_failed, age, ok ? "true" : "false",
		 wh->sink.name ? wh->sink.name : "sqlite", role, api,
		 hs ? hs->connections : 0, hs ? hs->shed : 0, hs ? hs->peer_refused : 0,
		 hs ? hs->emfile_backoffs : 0, hs ? hs->timeouts : 0);
	http_respond_json(req, 200, body, NULL, 0);
}

void webhook_set_sink(struct webhook *wh, const struct webhook_sink *sink)
{
	wh->sink = *sink;
}

void webhook_set_api_state(struct webhook *wh, webhook_api_state_fn fn, void *ctx)
{
	wh->api_state = fn;
	wh->api_state_ctx = ctx;
}

void webhook_handle(struct http_request *req, void *ctx)
{
	struct webhook *wh = ctx;
	const char *method = http_request_method(req);
	const char *path = http_request_path(req);

	if (strcmp(path, wh->path) == 0) {
		if (strcmp(method, "POST") == 0) {
			handle_event(wh, req);
			return;
		}
		wh->stats.bad_method++;
		respond_error(req, 405, "method_not_allowed", "use POST",
			      &(struct http_header){ "Allow", "POST" }, 1);
		return;
	}
	if (strcmp(path, "/healthz") == 0) {
		if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) {
			handle_health(wh, req);
			return;
		}
		wh->stats.bad_method++;
		respond_error(req, 405, "method_not_allowed", "use GET",
			      &(struct http_header){ "Allow", "GET, HEAD" }, 1);
		return;
	}
	wh->stats.not_found++;
	respond_error(req, 404, "not_found", "no such path", NULL, 0);
}

/* ---- lifecycle ---- */

struct webhook *webhook_new(const struct webhook_opts *opts, struct ingest *in, struct store *st,
			    struct model *m, const struct clock *clk, struct log *log, char *err,
			    size_t errlen)
{
	struct webhook *wh;
	enum sig_scheme scheme = SIG_AUTO;
	const char *secrets[2];
	const char *path;
	unsigned i;

	if (!opts || !in || !st || !m) {
		snprintf(err, errlen, "webhook: missing ingest, store or model");
		return NULL;
	}
	if (!opts->secret || !*opts->secret) {
		snprintf(err, errlen, "no webhook secret configured (MINTFAX_WEBHOOK_SECRET)");
		return NULL;
	}
	if (opts->scheme_name && sig_scheme_from_name(opts->scheme_name, &scheme) != 0) {
		snprintf(err, errlen, "signature scheme must be auto, standard or legacy");
		return NULL;
	}
	path = opts->path && *opts->path ? opts->path : WEBHOOK_DEFAULT_PATH;
	if (path[0] != '/') {
		snprintf(err, errlen, "the webhook path must start with '/'");
		return NULL;
	}
	wh = calloc(1, sizeof *wh);
	if (!wh || !(wh->path = strdup(path))) {
		free(wh);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	secrets[0] = opts->secret;
	secrets[1] = opts->secret_old && *opts->secret_old ? opts->secret_old : NULL;
	wh->verifier.scheme = scheme;
	wh->verifier.tolerance_s = opts->tolerance_s > 0 ? opts->tolerance_s : 300;
	for (i = 0; i < 2 && secrets[i]; i++) {
		char why[256];

		if (sig_key_from_secret(secrets[i], scheme, &wh->verifier.keys[i], why,
					sizeof why) != 0) {
			snprintf(err, errlen, "%s: %s",
				 i ? "the old webhook secret" : "the webhook secret", why);
			webhook_free(wh);
			return NULL;
		}
		wh->verifier.n_keys = i + 1;
	}
	wh->ingest = in;
	wh->store = st;
	wh->model = m;
	wh->clock = clk;
	wh->log = log;
	wh->started_ms = clock_now_ms(clk);
	return wh;
}

void webhook_free(struct webhook *wh)
{
	struct wh_hold *h;

	if (!wh)
		return;
	/* The store still owes these their commit callback, which answers. */
	for (h = wh->holds; h; h = h->next)
		h->wh = NULL;
	sig_key_wipe(&wh->verifier.keys[0]);
	sig_key_wipe(&wh->verifier.keys[1]);
	free(wh->path);
	free(wh);
}

const struct webhook_stats *webhook_stats(const struct webhook *wh)
{
	return &wh->stats;
}

uint64_t webhook_refused_total(const struct webhook *wh)
{
	return wh->stats.refused_total;
}

void webhook_refusals(const struct webhook *wh, int64_t now_ms, int64_t window_ms,
		      struct webhook_refusals *out)
{
	memset(out, 0, sizeof *out);
	out->oldest_ms = out->last_ms = out->streak_since_ms = TS_NONE;
	out->last_reason = "";
	for (size_t i = 0; i < wh->n_refusals; i++) {
		size_t at =
			(wh->refusal_next + WEBHOOK_REFUSAL_RING - 1 - i) % WEBHOOK_REFUSAL_RING;
		const struct wh_refusal *e = &wh->refusals[at];

		if (i == 0) {
			out->last_ms = e->at_ms;
			out->last_reason = sig_result_name(e->why);
			snprintf(out->last_peer, sizeof out->last_peer, "%s", e->peer);
		}
		if (now_ms - e->at_ms > window_ms)
			break;
		out->recent++;
		out->oldest_ms = e->at_ms;
	}
	out->more = out->recent == WEBHOOK_REFUSAL_RING;
	out->streak = wh->streak;
	if (wh->streak)
		out->streak_since_ms = wh->streak_since_ms;
}

size_t webhook_pending(const struct webhook *wh)
{
	return wh->n_holds;
}
