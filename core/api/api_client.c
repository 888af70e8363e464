/* The mintfax API client. See api_client.h for the policy; this file keeps
 * it in three places: api_client_pump (the only place a request leaves the
 * queue), api_client_finish (the only place the gate and the connection
 * state change) and the pure helpers of api_policy.c (backoff, pacing,
 * header parsing, classification) that the tests drive directly. */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include <ctype.h>
#include <errno.h>
#include <ev.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/rand.h>

#include "core/api/api_client.h"
#include "core/base/clock.h"
#include "core/api/curl_ev.h"
#include "core/base/errors.h"
#include "core/model/event.h"
#include "core/base/log.h"
#include "core/base/sanitize.h"
#include "core/base/xalloc.h"
#include "core/base/names.h"

#define API_DEFAULT_CONNECT_TIMEOUT 10
#define API_DEFAULT_REQUEST_TIMEOUT 30
#define API_DEFAULT_IN_FLIGHT       4
#define API_DOWN_AFTER              3 /* consecutive failures before "down" */
#define API_IDEM_KEY_MAX            255

struct api_req {
	struct api_client *c;
	struct api_req *prev, *next;
	bool in_flight;
	char method[8];
	char *url;
	char *body;
	char *idem;
	unsigned flags;
	api_done_fn done;
	void *ctx;
	CURL *easy;
	struct curl_slist *hdrs;
	char *buf;
	size_t len, cap;
	bool too_large;
	struct api_response resp;
	char curl_err[CURL_ERROR_SIZE];
};

struct api_list {
	struct api_req *head, *tail;
	unsigned n;
};

struct api_client {
	struct ev_loop *loop;
	struct curl_ev *ce;
	const struct clock *clock;
	struct log *log;
	char *base;
	char *auth_header;
	char *cacert;
	char *user_agent;
	long connect_timeout, request_timeout;
	unsigned max_in_flight;
	bool trace;
	struct api_list queue, inflight;
	ev_timer pump_timer;
	int64_t last_send_ms;
	int64_t rate_at_ms; /* when the rate numbers in st arrived */
	uint64_t rng;
	unsigned depth; /* >0 while a done callback runs */
	bool free_pending;
	struct api_conn_state st;
};

static const struct sanitize_opts api_trace_opts = { .utf8 = true, .max_cols = -1 };

NAME_TABLE(api_conn_names, api_conn_state_name, enum api_conn, API_CONN_STATE_LIST,
	   NAME_COUNT(API_CONN_STATE_LIST), "unknown")

/* ---- lists ---- */

static void api_list_push(struct api_list *l, struct api_req *r, bool front)
{
	r->prev = r->next = NULL;
	if (!l->head) {
		l->head = l->tail = r;
	} else if (front) {
		r->next = l->head;
		l->head->prev = r;
		l->head = r;
	} else {
		r->prev = l->tail;
		l->tail->next = r;
		l->tail = r;
	}
	l->n++;
}

static void api_list_unlink(struct api_list *l, struct api_req *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else
		l->head = r->next;
	if (r->next)
		r->next->prev = r->prev;
	else
		l->tail = r->prev;
	r->prev = r->next = NULL;
	l->n--;
}

static void api_req_free(struct api_req *r)
{
	if (!r)
		return;
	if (r->easy)
		curl_easy_cleanup(r->easy);
	curl_slist_free_all(r->hdrs);
	free(r->url);
	free(r->body);
	free(r->idem);
	free(r->buf);
	free(r);
}

static void api_sync_counts(struct api_client *c)
{
	c->st.queued = c->queue.n;
	c->st.in_flight = c->inflight.n;
}

/* ---- transfer callbacks ---- */

static size_t api_write_cb(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct api_req *r = ud;
	size_t n = size * nmemb;

	if (r->len + n > API_MAX_RESPONSE_BYTES) {
		r->too_large = true;
		return 0; /* aborts the transfer */
	}
	if (r->len + n + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : 4096;
		while (cap < r->len + n + 1)
			cap *= 2;
		/* Bounded by API_MAX_RESPONSE_BYTES above. */
		r->buf = xrealloc(r->buf, cap);
		r->cap = cap;
	}
	memcpy(r->buf + r->len, ptr, n);
	r->len += n;
	r->buf[r->len] = '\0';
	return n;
}

static size_t api_header_cb(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct api_req *r = ud;
	size_t n = size * nmemb;

	api_response_header(&r->resp, ptr, n, clock_now_s(r->c->clock));
	return n;
}

/* The trace never shows the key: the Authorization line is replaced before
 * the text reaches the log (which would redact it again anyway). */
static int api_debug_cb(CURL *easy, curl_infotype type, char *data, size_t size, void *ud)
{
	struct api_req *r = ud;
	const char *dir;

	switch (type) {
	case CURLINFO_TEXT:
		dir = "*";
		break;
	case CURLINFO_HEADER_IN:
		dir = "<";
		break;
	case CURLINFO_HEADER_OUT:
		dir = ">";
		break;
	default:
		return 0;
	}
	const char *p = data, *end = data + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (len && p[len - 1] == '\r')
			len--;
		if (len) {
			char line[512];
			if (len >= 14 && !strncasecmp(p, "authorization:", 14))
				snprintf(line, sizeof line, "Authorization: Bearer [redacted]");
			else
				sanitize_text(line, sizeof line, p, len, &api_trace_opts);
			log_debug(r->c->log, "api %s %s", dir, line);
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* ---- the gate ---- */

static void api_arm(struct api_client *c, int64_t delay_ms)
{
	if (delay_ms < 0)
		delay_ms = 0;
	ev_timer_stop(c->loop, &c->pump_timer);
	ev_timer_set(&c->pump_timer, (double)delay_ms / 1000.0, 0.);
	ev_timer_start(c->loop, &c->pump_timer);
}

static double api_rand(struct api_client *c)
{
	/* xorshift64*: jitter needs spread, not secrecy. */
	uint64_t x = c->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	c->rng = x;
	return (double)((x * 2685821657736338717ULL) >> 11) / (double)(1ULL << 53);
}

/* The pacing delay from the newest rate-limit numbers, counting the
 * requests sent since they arrived and the time that has passed. */
static int64_t api_current_pace(struct api_client *c, int64_t now)
{
	if (c->st.rate_remaining < 0 || c->st.rate_reset_s < 0 || c->rate_at_ms == TS_NONE)
		return 0;
	int64_t left_ms = c->st.rate_reset_s * 1000 - (now - c->rate_at_ms);
	if (left_ms <= 0)
		return 0; /* the window the numbers describe is over */
	return api_pace_ms(c->st.rate_limit, c->st.rate_remaining, (long)((left_ms + 999) / 1000));
}

static int api_start(struct api_client *c, struct api_req *r, char *err, size_t errlen);

static void api_client_pump(struct api_client *c)
{
	while (c->queue.head) {
		int64_t now = clock_now_ms(c->clock);
		unsigned limit = c->st.consecutive_failures ? 1 : c->max_in_flight;

		if (c->inflight.n >= limit)
			break; /* a completion pumps again */
		if (now < c->st.gate_until_ms) {
			api_arm(c, c->st.gate_until_ms - now);
			break;
		}
		int64_t pace = api_current_pace(c, now);
		if (pace > 0 && c->last_send_ms != TS_NONE && now < c->last_send_ms + pace) {
			api_arm(c, c->last_send_ms + pace - now);
			break;
		}
		struct api_req *r = c->queue.head;
		char err[256];

		api_list_unlink(&c->queue, r);
		if (api_start(c, r, err, sizeof err) != 0) {
			/* Cannot even build the transfer: report it as a
			 * network error, from here (the loop), not from
			 * api_client_request. */
			r->resp.http_status = 0;
			r->resp.body = "";
			api_response_classify(&r->resp, err);
			log_warn(c->log, "api %s %s: %s", r->method, r->url, r->resp.message);
			c->depth++;
			if (r->done)
				r->done(r->ctx, &r->resp);
			c->depth--;
			api_req_free(r);
			if (c->free_pending)
				return;
			continue;
		}
		api_list_push(&c->inflight, r, false);
		r->in_flight = true;
		c->last_send_ms = now;
		c->st.requests_sent++;
		if (c->st.rate_remaining > 0)
			c->st.rate_remaining--;
	}
	api_sync_counts(c);
}

static void api_destroy(struct api_client *c);

static void api_pump_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct api_client *c = w->data;

	api_client_pump(c);
	if (c->free_pending && c->depth == 0)
		api_destroy(c);
}

/* Updates the gate and the connection state from one finished response. */
static void api_client_account(struct api_client *c, const struct api_response *r)
{
	int64_t now = clock_now_ms(c->clock);

	if (r->rate_remaining >= 0 && r->rate_reset_s >= 0) {
		c->st.rate_limit = r->rate_limit;
		c->st.rate_remaining = r->rate_remaining;
		c->st.rate_reset_s = r->rate_reset_s;
		c->rate_at_ms = now;
		if (r->rate_remaining <= api_reserve(r->rate_limit)) {
			int64_t until = now + (int64_t)r->rate_reset_s * 1000;
			if (until > c->st.gate_until_ms)
				c->st.gate_until_ms = until;
		}
	}
	switch (r->outcome) {
	case API_OK:
	case API_CLIENT_ERROR:
		/* The API answered sensibly: the connection is fine even if
		 * this request was not. */
		c->st.state = API_CONN_OK;
		c->st.consecutive_failures = 0;
		c->st.auth_failed = false;
		c->st.last_ok_ms = now;
		return;
	case API_RATE_LIMITED: {
		/* Retry-After is a floor; 429 after 429 (a server that keeps
		 * saying "1 s") still backs off like any other failure. */
		c->st.consecutive_failures++;
		int64_t wait = api_backoff_ms(c->st.consecutive_failures, api_rand(c));
		if (r->retry_after_s >= 0 && (int64_t)r->retry_after_s * 1000 > wait)
			wait = (int64_t)r->retry_after_s * 1000;
		if (now + wait > c->st.gate_until_ms)
			c->st.gate_until_ms = now + wait;
		c->st.auth_failed = false;
		c->st.state = API_CONN_DEGRADED;
		break;
	}
	case API_AUTH_ERROR:
	case API_SERVER_ERROR:
	case API_NETWORK_ERROR: {
		c->st.consecutive_failures++;
		int64_t wait = api_backoff_ms(c->st.consecutive_failures, api_rand(c));
		if (r->retry_after_s >= 0 && r->retry_after_s * 1000 > wait)
			wait = (int64_t)r->retry_after_s * 1000;
		if (now + wait > c->st.gate_until_ms)
			c->st.gate_until_ms = now + wait;
		c->st.auth_failed = r->outcome == API_AUTH_ERROR;
		c->st.state = c->st.auth_failed || c->st.consecutive_failures >= API_DOWN_AFTER
			? API_CONN_DOWN
			: API_CONN_DEGRADED;
		break;
	}
	}
	/* Already safe; sanitising again only truncates without splitting a
	 * character. */
	sanitize_text(c->st.last_error, sizeof c->st.last_error, r->message, strlen(r->message),
		      &api_trace_opts);
	c->st.last_error_ms = now;
}

/* The API answered, but more than we read: a fault of the API (like a
 * 5xx), not an API out of reach. The part read is not passed on. */
static void api_response_too_large(struct api_response *resp, CURL *easy)
{
	long status = 0;
	char raw[256];

	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	resp->http_status = status > 0 ? (int)status : 0;
	resp->outcome = API_SERVER_ERROR;
	resp->body = "";
	resp->body_len = 0;
	snprintf(raw, sizeof raw,
		 "the API's answer is larger than %d bytes, so it was not "
		 "read (HTTP %ld)",
		 API_MAX_RESPONSE_BYTES, status);
	sanitize_str(resp->message, sizeof resp->message, raw);
}

static void api_done_cb(CURL *easy, CURLcode result, void *ud)
{
	struct api_req *r = ud;
	struct api_client *c = r->c;
	long status = 0;
	char cerr[CURL_ERROR_SIZE + 128];

	api_list_unlink(&c->inflight, r);
	r->in_flight = false;
	if (result == CURLE_OK)
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	r->resp.http_status = result == CURLE_OK ? (int)status : 0;
	r->resp.body = r->buf ? r->buf : "";
	r->resp.body_len = r->len;
	snprintf(cerr, sizeof cerr, "%s%s%s", curl_easy_strerror(result),
		 r->curl_err[0] ? ": " : "", r->curl_err);
	api_response_classify(&r->resp, cerr);
	if (r->too_large)
		api_response_too_large(&r->resp, easy);
	api_client_account(c, &r->resp);
	if (r->resp.outcome != API_OK)
		log_msg(c->log, r->resp.outcome == API_CLIENT_ERROR ? LOG_INFO : LOG_WARN,
			"api %s %s: %s", r->method, r->url + strlen(c->base), r->resp.message);
	else
		log_debug(c->log, "api %s %s: HTTP %d", r->method, r->url + strlen(c->base),
			  r->resp.http_status);
	api_sync_counts(c);

	c->depth++;
	if (r->done)
		r->done(r->ctx, &r->resp);
	c->depth--;
	api_req_free(r);
	if (c->free_pending) {
		if (c->depth == 0)
			api_destroy(c);
		return;
	}
	/* From the timer, so a done callback that queues again never
	 * re-enters the pump. */
	api_arm(c, 0);
}

static int api_start(struct api_client *c, struct api_req *r, char *err, size_t errlen)
{
	char line[400];
	CURL *e = curl_easy_init();

	if (!e) {
		snprintf(err, errlen, "cannot create a transfer (out of memory)");
		return -1;
	}
	r->easy = e;
	api_response_reset_headers(&r->resp);
	r->hdrs = curl_slist_append(r->hdrs, c->auth_header);
	r->hdrs = curl_slist_append(r->hdrs, "Accept: application/json");
	r->hdrs = curl_slist_append(r->hdrs, "Expect:");
	if (r->body)
		r->hdrs = curl_slist_append(r->hdrs, "Content-Type: application/json");
	if (r->idem) {
		snprintf(line, sizeof line, "Idempotency-Key: %s", r->idem);
		r->hdrs = curl_slist_append(r->hdrs, line);
	}
	if (!r->hdrs) {
		snprintf(err, errlen, "cannot build the request headers (out of memory)");
		return -1;
	}
	curl_easy_setopt(e, CURLOPT_URL, r->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->hdrs);
	curl_easy_setopt(e, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L); /* never carry the key elsewhere */
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, c->connect_timeout);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, c->request_timeout);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->cacert)
		curl_easy_setopt(e, CURLOPT_CAINFO, c->cacert);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, api_write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, api_header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->curl_err);
	if (c->trace) {
		curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, api_debug_cb);
		curl_easy_setopt(e, CURLOPT_DEBUGDATA, r);
		curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
	}
	if (!strcmp(r->method, "POST")) {
		curl_easy_setopt(e, CURLOPT_POST, 1L);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body ? r->body : "");
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)(r->body ? strlen(r->body) : 0));
	} else if (!strcmp(r->method, "DELETE")) {
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "DELETE");
	} else {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	}
	if (curl_ev_add(c->ce, e, api_done_cb, r) != 0) {
		snprintf(err, errlen, "cannot start the transfer");
		return -1;
	}
	return 0;
}

/* ---- public ---- */

static bool api_valid_base(const char *base)
{
	return !strncmp(base, "http://", 7) || !strncmp(base, "https://", 8);
}

static bool api_valid_header_value(const char *s, size_t max)
{
	size_t n = 0;

	for (; s[n]; n++)
		if ((unsigned char)s[n] < 0x21 || (unsigned char)s[n] > 0x7e)
			return false;
	return n > 0 && n <= max;
}

struct api_client *api_client_new(struct ev_loop *loop, const struct api_client_opts *o, char *err,
				  size_t errlen)
{
	if (!o || !o->base_url || !*o->base_url) {
		snprintf(err, errlen, "no API base URL configured");
		return NULL;
	}
	if (!api_valid_base(o->base_url)) {
		snprintf(err, errlen,
			 "the API base URL must start with https:// (or http:// for "
			 "a local simulator)");
		return NULL;
	}
	if (!o->api_key || !*o->api_key) {
		snprintf(err, errlen,
			 "no API key configured: set MINTFAX_API_KEY or api-key in "
			 "the config file");
		return NULL;
	}
	if (!api_valid_header_value(o->api_key, 1024)) {
		snprintf(err, errlen, "the API key contains spaces or control characters");
		return NULL;
	}
	if (o->cacert && access(o->cacert, R_OK) != 0) {
		snprintf(err, errlen, "cannot read the CA bundle %s: %s", o->cacert,
			 strerror(errno));
		return NULL;
	}

	struct api_client *c = xcalloc(1, sizeof *c);
	c->loop = loop;
	c->clock = o->clock;
	c->log = o->log;
	c->trace = o->trace;
	c->connect_timeout =
		o->connect_timeout > 0 ? o->connect_timeout : API_DEFAULT_CONNECT_TIMEOUT;
	c->request_timeout =
		o->request_timeout > 0 ? o->request_timeout : API_DEFAULT_REQUEST_TIMEOUT;
	c->max_in_flight = o->max_in_flight ? o->max_in_flight : API_DEFAULT_IN_FLIGHT;
	c->base = xstrdup(o->base_url);
	size_t bl = strlen(c->base);
	while (bl > 0 && c->base[bl - 1] == '/')
		c->base[--bl] = '\0';
	c->auth_header = xasprintf("Authorization: Bearer %s", o->api_key);
	c->user_agent = xstrdup(o->user_agent ? o->user_agent : "faxtop/" PACKAGE_VERSION);
	c->cacert = xstrdup(o->cacert);
	c->ce = curl_ev_new(loop);
	if (!c->ce) {
		snprintf(err, errlen, "cannot initialise libcurl");
		api_destroy(c);
		return NULL;
	}
	ev_init(&c->pump_timer, api_pump_cb);
	c->pump_timer.data = c;
	if (RAND_bytes((unsigned char *)&c->rng, sizeof c->rng) != 1 || !c->rng)
		c->rng = (uint64_t)clock_now_ms(c->clock) | 1;
	c->last_send_ms = TS_NONE;
	c->rate_at_ms = TS_NONE;
	c->st.state = API_CONN_UNKNOWN;
	c->st.last_error_ms = TS_NONE;
	c->st.last_ok_ms = TS_NONE;
	c->st.rate_limit = c->st.rate_remaining = c->st.rate_reset_s = -1;
	c->st.gate_until_ms = INT64_MIN;
	log_add_secret(c->log, o->api_key);
	return c;
}

static void api_destroy(struct api_client *c)
{
	struct api_req *r, *n;

	if (!c)
		return;
	for (r = c->inflight.head; r; r = n) {
		n = r->next;
		curl_ev_remove(c->ce, r->easy);
		api_req_free(r);
	}
	for (r = c->queue.head; r; r = n) {
		n = r->next;
		api_req_free(r);
	}
	if (c->loop)
		ev_timer_stop(c->loop, &c->pump_timer);
	curl_ev_free(c->ce);
	if (c->auth_header) {
		explicit_bzero(c->auth_header, strlen(c->auth_header));
		free(c->auth_header);
	}
	free(c->base);
	free(c->cacert);
	free(c->user_agent);
	free(c);
}

void api_client_free(struct api_client *c)
{
	if (!c)
		return;
	if (c->depth > 0) {
		/* From inside a done callback: the caller of that callback
		 * still uses c and frees it on the way out. Nothing else may
		 * be reported meanwhile. */
		c->free_pending = true;
		api_client_cancel(c, NULL);
		return;
	}
	api_destroy(c);
}

int api_client_request(struct api_client *c, const char *method, const char *path,
		       const char *json_body, const char *idempotency_key, unsigned flags,
		       api_done_fn done, void *ctx, char *err, size_t errlen)
{
	if (!c || c->free_pending) {
		snprintf(err, errlen, "the API client is shutting down");
		return -1;
	}
	if (!method ||
	    (strcmp(method, "GET") && strcmp(method, "POST") && strcmp(method, "DELETE"))) {
		snprintf(err, errlen, "unsupported method");
		return -1;
	}
	if (!path || path[0] != '/' || !api_valid_header_value(path, 4096)) {
		snprintf(err, errlen, "bad request path");
		return -1;
	}
	if (idempotency_key && !api_valid_header_value(idempotency_key, API_IDEM_KEY_MAX)) {
		snprintf(err, errlen,
			 "the idempotency key must be 1 to %d visible ASCII characters",
			 API_IDEM_KEY_MAX);
		return -1;
	}
	struct api_req *r = xcalloc(1, sizeof *r);
	r->c = c;
	snprintf(r->method, sizeof r->method, "%s", method);
	r->flags = flags;
	r->done = done;
	r->ctx = ctx;
	r->url = xasprintf("%s%s", c->base, path);
	r->body = xstrdup(json_body);
	r->idem = xstrdup(idempotency_key);
	api_list_push(&c->queue, r, flags & API_REQ_URGENT);
	api_sync_counts(c);
	if (!ev_is_active(&c->pump_timer))
		api_arm(c, 0);
	return 0;
}

void api_client_cancel(struct api_client *c, void *ctx)
{
	struct api_req *r, *n;

	if (!c)
		return;
	for (r = c->queue.head; r; r = n) {
		n = r->next;
		if (ctx && r->ctx != ctx)
			continue;
		api_list_unlink(&c->queue, r);
		api_req_free(r);
	}
	for (r = c->inflight.head; r; r = n) {
		n = r->next;
		if (ctx && r->ctx != ctx)
			continue;
		api_list_unlink(&c->inflight, r);
		curl_ev_remove(c->ce, r->easy);
		api_req_free(r);
	}
	api_sync_counts(c);
	if (!c->free_pending && c->queue.head)
		api_arm(c, 0);
}

const struct api_conn_state *api_client_state(const struct api_client *c)
{
	return &c->st;
}

void api_client_kick(struct api_client *c)
{
	if (c && !c->free_pending)
		api_arm(c, 0);
}

struct curl_ev *api_client_curl_ev(struct api_client *c)
{
	return c ? c->ce : NULL;
}
