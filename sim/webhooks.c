/* Signed webhook delivery (docs/CONTRACT.md#signatures, #delivery): one delivery per (event, URL),
 * automatic attempts at 0, +10 s, +100 s, +17 min after each failure (scaled
 * by --speed), manual retries on request, and a record of every attempt for
 * /webhooks/attempts. The chaos switches --drop, --duplicate and --reorder
 * act here. Sends go through curl_ev, so the loop never blocks; the multi
 * handle's connection cache keeps connections alive between sends. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "core/base/clock.h"
#include "core/api/curl_ev.h"
#include "core/wire/event_parse.h"
#include "core/base/sanitize.h"
#include "core/base/xalloc.h"
#include "sim/sim_int.h"

#define WH_AUTO_ATTEMPTS    4
#define WH_ENDPOINT_DEFAULT "webhook_default"
#define WH_ENDPOINT_FAX     "webhook_fax_override"
/* Held-back deliveries (--reorder) go out after this long even if the window
 * is not full, so a quiet sim never sits on events. */
#define WH_REORDER_FLUSH_S 0.25

/* Delay before automatic attempt n+1 after attempt n failed (docs/CONTRACT.md#delivery). */
static const int64_t retry_gap_ms[WH_AUTO_ATTEMPTS] = { 0, 10000, 100000, 1020000 };

static void send_attempt(struct sim *s, struct sim_attempt *a);

static size_t discard_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
	return size * nmemb;
}

bool simwh_url_is_loopback(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL;
	bool ok = false;
	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host) {
		ok = strcasecmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 ||
			strcmp(host, "[::1]") == 0 || strcmp(host, "::1") == 0;
	}
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

static struct sim_attempt *new_attempt(struct sim *s, struct sim_delivery *d, bool manual,
				       const struct sim_attempt *parent)
{
	struct sim_attempt *a = xcalloc(1, sizeof *a);
	int64_t now = sim_now_ms(&s->base);
	simrng_ulid(&s->id_rng, "wha_", now, a->id, sizeof a->id);
	a->d = d;
	a->number = ++d->n_attempts;
	a->manual = manual;
	a->state = ATT_PENDING;
	a->created_at = now;
	a->succeeded_at = a->failed_at = TS_NONE;
	a->duration_ms = -1;
	if (parent)
		snprintf(a->parent_id, sizeof a->parent_id, "%s", parent->id);
	simvec_push(&s->attempts, a);
	return a;
}

static void set_failure(struct sim_attempt *a, const char *cls, const char *msg)
{
	free(a->error_class);
	free(a->error_message);
	a->error_class = xstrdup(cls);
	a->error_message = xstrdup(msg);
}

static void start_auto(struct sim *s, struct sim_delivery *d)
{
	struct sim_attempt *a = new_attempt(s, d, false, NULL);
	d->auto_attempts++;
	d->auto_pending = true;
	send_attempt(s, a);
}

static void retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct sim_delivery *d = w->data;
	if (!d->delivered)
		start_auto(d->sim, d);
}

static void attempt_finished(struct sim *s, struct sim_attempt *a, bool ok)
{
	struct sim_delivery *d = a->d;
	int64_t now = sim_now_ms(&s->base);
	a->duration_ms = now - a->created_at;
	if (ok) {
		a->state = ATT_SUCCEEDED;
		a->succeeded_at = now;
		d->delivered = true;
		d->auto_pending = false;
		ev_timer_stop(s->loop, &d->retry);
		s->stats.deliveries_ok++;
		return;
	}
	a->state = ATT_FAILED;
	a->failed_at = now;
	s->stats.deliveries_failed++;
	if (a->manual || d->delivered)
		return;
	if (d->auto_attempts >= WH_AUTO_ATTEMPTS) {
		d->auto_pending = false;
		/* a per-fax URL came from a request: never raw to a terminal */
		char url[256];
		sanitize_str(url, sizeof url, d->url);
		sim_log(&s->base, 2, "webhook %s to %s failed %d times; kept for /events",
			d->ev->id, url, WH_AUTO_ATTEMPTS);
		return;
	}
	/* ev_now() is the time the loop iteration began; refresh it so a slow
	 * iteration never makes the retry come early. */
	ev_now_update(s->loop);
	ev_timer_set(&d->retry, sim_delay(&s->base, retry_gap_ms[d->auto_attempts]), 0.);
	ev_timer_start(s->loop, &d->retry);
}

static void done_cb(CURL *easy, CURLcode result, void *ctx)
{
	struct sim_attempt *a = ctx;
	struct sim *s = a->d->sim;
	long code = 0;
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
	a->status_code = code;
	bool ok = result == CURLE_OK && code >= 200 && code < 300;
	if (result != CURLE_OK) {
		set_failure(a, result == CURLE_OPERATION_TIMEDOUT ? "timeout" : "transport_error",
			    curl_easy_strerror(result));
		a->status_code = 0;
	} else if (!ok) {
		char msg[64];
		snprintf(msg, sizeof msg, "the endpoint answered HTTP %ld", code);
		set_failure(a, "http_status", msg);
	}
	curl_easy_cleanup(easy);
	curl_slist_free_all(a->hdrs);
	a->easy = NULL;
	a->hdrs = NULL;
	attempt_finished(s, a, ok);
}

static int add_header(struct curl_slist **l, const char *name, const char *v)
{
	char line[512];
	/* "Name;" is curl's way to send a header with an empty value; "Name:"
	 * with nothing after removes one of curl's own. */
	snprintf(line, sizeof line, "%s:%s%s", name, *v ? " " : "", v);
	struct curl_slist *n = curl_slist_append(*l, line);
	if (!n)
		return -1;
	*l = n;
	return 0;
}

static void send_attempt(struct sim *s, struct sim_attempt *a)
{
	struct sim_delivery *d = a->d;
	struct sim_event *ev = d->ev;
	if (!simwh_url_is_loopback(d->url)) {
		/* faxsim talks to loopback only: it never reaches the network. */
		set_failure(a, "refused", "faxsim delivers to loopback addresses only");
		attempt_finished(s, a, false);
		return;
	}
	int64_t ts = sim_now_ms(&s->base) / 1000;
	char tsbuf[32], sig[160];
	snprintf(tsbuf, sizeof tsbuf, "%lld", (long long)ts);
	struct curl_slist *h = NULL;
	int rc = add_header(&h, "Content-Type", "application/json") |
		add_header(&h, "User-Agent", "faxsim/" PACKAGE_VERSION) |
		add_header(&h, "Expect", "");
	if (s->o.legacy_signatures) {
		rc |= sig_sign_legacy(&s->key, ts, ev->body, ev->len, sig, sizeof sig);
		rc |= add_header(&h, "X-Mintfax-Signature", sig);
		rc |= add_header(&h, "X-Mintfax-Timestamp", tsbuf);
	} else {
		rc |= sig_sign_standard(&s->key, ev->id, ts, ev->body, ev->len, sig, sizeof sig);
		rc |= add_header(&h, "webhook-id", ev->id);
		rc |= add_header(&h, "webhook-timestamp", tsbuf);
		rc |= add_header(&h, "webhook-signature", sig);
	}
	CURL *e = rc == 0 ? curl_easy_init() : NULL;
	if (!e) {
		curl_slist_free_all(h);
		set_failure(a, "internal", "could not prepare the request");
		attempt_finished(s, a, false);
		return;
	}
	double tmo = 30.0 / s->o.speed;
	if (tmo < 2.0)
		tmo = 2.0;
	curl_easy_setopt(e, CURLOPT_URL, d->url);
	curl_easy_setopt(e, CURLOPT_POST, 1L);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, ev->body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)ev->len);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard_body);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(tmo * 1000));
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	a->easy = e;
	a->hdrs = h;
	if (curl_ev_add(s->ce, e, done_cb, a) < 0) {
		curl_easy_cleanup(e);
		curl_slist_free_all(h);
		a->easy = NULL;
		a->hdrs = NULL;
		set_failure(a, "internal", "could not start the request");
		attempt_finished(s, a, false);
	}
}

static struct sim_delivery *new_delivery(struct sim *s, struct sim_event *ev, const char *url,
					 const char *endpoint)
{
	struct sim_delivery *d = xcalloc(1, sizeof *d);
	d->sim = s;
	d->ev = ev;
	d->url = xstrdup(url);
	d->endpoint_id = endpoint;
	ev_init(&d->retry, retry_cb);
	d->retry.data = d;
	simvec_push(&s->deliveries, d);
	return d;
}

static void flush_reorder(struct sim *s)
{
	size_t n = s->reorder.n;
	void **v = s->reorder.v;
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)simrng_range(&s->chaos_rng, 0, (int64_t)i - 1);
		void *t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
	s->reorder.n = 0;
	for (size_t i = 0; i < n; i++)
		start_auto(s, v[i]);
	ev_timer_stop(s->loop, &s->reorder_timer);
}

static void reorder_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	flush_reorder(w->data);
}

static void launch(struct sim *s, struct sim_delivery *d)
{
	if (s->o.reorder <= 1) {
		start_auto(s, d);
		return;
	}
	simvec_push(&s->reorder, d);
	if (s->reorder.n >= (size_t)s->o.reorder) {
		flush_reorder(s);
		return;
	}
	if (!ev_is_active(&s->reorder_timer)) {
		ev_timer_set(&s->reorder_timer, WH_REORDER_FLUSH_S, 0.);
		ev_timer_start(s->loop, &s->reorder_timer);
	}
}

static void dispatch_to(struct sim *s, struct sim_event *ev, const char *url, const char *endpoint)
{
	if (s->o.drop > 0 && simrng_unit(&s->chaos_rng) < s->o.drop) {
		sim_log(&s->base, 1, "chaos: dropped delivery of %s", ev->id);
		return;
	}
	int copies = s->o.duplicate > 0 && simrng_unit(&s->chaos_rng) < s->o.duplicate ? 2 : 1;
	for (int i = 0; i < copies; i++)
		launch(s, new_delivery(s, ev, url, endpoint));
}

void simwh_init(struct sim *s)
{
	ev_init(&s->reorder_timer, reorder_cb);
	s->reorder_timer.data = s;
}

void simwh_dispatch(struct sim *s, struct sim_event *ev)
{
	if (s->closing)
		return;
	if (s->webhook_url)
		dispatch_to(s, ev, s->webhook_url, WH_ENDPOINT_DEFAULT);
	if (ev->fax_webhook_url && (!s->webhook_url || strcmp(ev->fax_webhook_url, s->webhook_url)))
		dispatch_to(s, ev, ev->fax_webhook_url, WH_ENDPOINT_FAX);
}

struct sim_attempt *simwh_find_attempt(struct sim *s, const char *id)
{
	for (size_t i = s->attempts.n; i-- > 0;) {
		struct sim_attempt *a = s->attempts.v[i];
		if (strcmp(a->id, id) == 0)
			return a;
	}
	return NULL;
}

struct sim_attempt *simwh_retry(struct sim *s, struct sim_attempt *parent)
{
	struct sim_attempt *a = new_attempt(s, parent->d, true, parent);
	send_attempt(s, a);
	return a;
}

static const char *state_name(enum sim_attempt_state st)
{
	return st == ATT_SUCCEEDED ? "succeeded" : st == ATT_FAILED ? "failed" : "pending";
}

static struct json_object *str_or_null(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

struct json_object *simwh_attempt_json(const struct sim_attempt *a)
{
	struct json_object *j = json_object_new_object();
	if (!j)
		return NULL;
	json_object_object_add(j, "id", json_object_new_string(a->id));
	json_object_object_add(j, "event_id", json_object_new_string(a->d->ev->id));
	json_object_object_add(j, "event_type",
			       json_object_new_string(event_type_name(a->d->ev->type)));
	json_object_object_add(j, "webhook_endpoint_id", json_object_new_string(a->d->endpoint_id));
	json_object_object_add(j, "url", json_object_new_string(a->d->url));
	json_object_object_add(j, "attempt_number", json_object_new_int(a->number));
	json_object_object_add(j, "status", json_object_new_string(state_name(a->state)));
	json_object_object_add(j, "status_code",
			       a->status_code ? json_object_new_int((int)a->status_code) : NULL);
	json_object_object_add(j, "created_at", sim_json_time(a->created_at));
	json_object_object_add(j, "succeeded_at", sim_json_time(a->succeeded_at));
	json_object_object_add(j, "failed_at", sim_json_time(a->failed_at));
	json_object_object_add(j, "duration_ms",
			       a->duration_ms >= 0 ? json_object_new_int64(a->duration_ms) : NULL);
	json_object_object_add(j, "error_class", str_or_null(a->error_class));
	json_object_object_add(j, "error_message", str_or_null(a->error_message));
	json_object_object_add(j, "parent_attempt_id", str_or_null(a->parent_id));
	return j;
}

void simwh_stop_all(struct sim *s)
{
	ev_timer_stop(s->loop, &s->reorder_timer);
	s->reorder.n = 0;
	for (size_t i = 0; i < s->deliveries.n; i++) {
		struct sim_delivery *d = s->deliveries.v[i];
		ev_timer_stop(s->loop, &d->retry);
	}
	for (size_t i = 0; i < s->attempts.n; i++) {
		struct sim_attempt *a = s->attempts.v[i];
		if (a->easy) {
			curl_ev_remove(s->ce, a->easy);
			curl_easy_cleanup(a->easy);
			curl_slist_free_all(a->hdrs);
			a->easy = NULL;
			a->hdrs = NULL;
		}
	}
}

void simwh_free_all(struct sim *s)
{
	simwh_stop_all(s);
	for (size_t i = 0; i < s->attempts.n; i++) {
		struct sim_attempt *a = s->attempts.v[i];
		free(a->error_class);
		free(a->error_message);
		free(a);
	}
	for (size_t i = 0; i < s->deliveries.n; i++) {
		struct sim_delivery *d = s->deliveries.v[i];
		free(d->url);
		free(d);
	}
	simvec_done(&s->attempts);
	simvec_done(&s->deliveries);
	simvec_done(&s->reorder);
}
