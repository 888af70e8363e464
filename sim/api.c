/* The door of the REST API under /v1: authentication
 * (docs/CONTRACT.md#auth, #assumptions), rate limits
 * (docs/CONTRACT.md#rate-limits), --api-errors, the request id, and the
 * route table that hands each request to its route (sim/api_int.h lists the
 * files the routes live in). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "core/http/http_server.h"
#include "sim/api_int.h"

/* ---- auth and limits ---- */

static struct sim_bucket *bucket_for(struct sim *s, const char *token)
{
	for (size_t i = 0; i < s->n_buckets; i++)
		if (strncmp(s->buckets[i].key, token, sizeof s->buckets[i].key - 1) == 0 &&
		    strlen(token) < sizeof s->buckets[i].key)
			return &s->buckets[i];
	if (s->n_buckets < SIM_MAX_BUCKETS && strlen(token) < sizeof s->buckets[0].key) {
		struct sim_bucket *b = &s->buckets[s->n_buckets];
		if (ratelimit_init(&b->rl, s->o.rate_limit_per_min, 60000) == 0) {
			snprintf(b->key, sizeof b->key, "%s", token);
			s->n_buckets++;
			return b;
		}
	}
	return &s->other;
}

/* The bearer token, or NULL with the problem in *why. */
static const char *bearer(struct http_request *req, const char **why)
{
	const char *h = http_request_header(req, "Authorization");
	if (!h || !*h) {
		*why = "Missing Authorization header; send Authorization: Bearer mfx_test_...";
		return NULL;
	}
	if (strncasecmp(h, "Bearer ", 7) != 0) {
		*why = "The Authorization header must use the Bearer scheme";
		return NULL;
	}
	h += 7;
	while (*h == ' ')
		h++;
	if (!*h) {
		*why = "The Authorization header carries no key";
		return NULL;
	}
	return h;
}

static bool key_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	return la == lb && CRYPTO_memcmp(a, b, la) == 0;
}

/* 0 when the request may go on; otherwise it has been answered. */
static int gatekeep(struct sim_req *r)
{
	struct sim *s = r->s;
	const char *why = NULL;
	const char *token = bearer(r->req, &why);
	struct sim_bucket *b = bucket_for(s, token ? token : "");
	bool ok = ratelimit_take(&b->rl, sim_now_ms(&s->base), &r->rl);
	r->has_rl = true;
	if (!ok) {
		r->retry_after = r->rl.retry_after_s;
		char msg[128];
		snprintf(msg, sizeof msg,
			 "Rate limit of %d requests per minute exceeded; retry in %d s",
			 r->rl.limit, r->retry_after);
		simapi_error(r, 429, "rate_limit_exceeded", msg, NULL);
		return -1;
	}
	if (!token) {
		simapi_error(r, 401, "unauthenticated", why, NULL);
		return -1;
	}
	if (strncmp(token, "mfx_live_", 9) == 0) {
		simapi_error(
			r, 403, "account_not_activated",
			"Live keys work once the account is activated by a first credit purchase; "
			"faxsim is a sandbox: use the mfx_test_ key",
			NULL);
		return -1;
	}
	if (strncmp(token, "mfx_acct_", 9) == 0) {
		simapi_error(r, 403, "forbidden_key_kind",
			     "Account keys (mfx_acct_) cannot be used on environment routes; "
			     "use an environment key (mfx_test_)",
			     NULL);
		return -1;
	}
	if (!key_equal(token, s->api_key)) {
		simapi_error(r, 401, "unauthenticated", "Unknown or revoked API key", NULL);
		return -1;
	}
	if (s->o.api_errors > 0 && simrng_unit(&s->chaos_rng) < s->o.api_errors) {
		if (simrng_unit(&s->chaos_rng) < 0.5) {
			simapi_error(r, 503, "service_unavailable",
				     "The service is temporarily unavailable (faxsim --api-errors)",
				     NULL);
		} else {
			r->retry_after = 1;
			simapi_error(r, 429, "rate_limit_exceeded",
				     "Too many requests (faxsim --api-errors); retry in 1 s", NULL);
		}
		return -1;
	}
	return 0;
}

/* ---- routing ---- */

struct sim_route {
	const char *method;
	const char *pattern; /* "/"-separated segments; "*" matches any one */
	void (*fn)(struct sim_req *r, const char *arg);
};

/* A path's methods are listed in the order its Allow header names them. */
static const struct sim_route routes[] = {
	{ "GET", "/v1/faxes", simapi_list_faxes },
	{ "POST", "/v1/faxes", simapi_submit },
	{ "GET", "/v1/faxes/*", simapi_get_fax },
	{ "DELETE", "/v1/faxes/*", simapi_delete_fax },
	{ "POST", "/v1/faxes/*/resend", simapi_resend },
	{ "GET", "/v1/environment/balance", simapi_balance },
	{ "GET", "/v1/events", simapi_list_events },
	{ "GET", "/v1/events/*", simapi_get_event },
	{ "GET", "/v1/webhooks/attempts", simapi_list_attempts },
	{ "GET", "/v1/webhooks/attempts/*", simapi_get_attempt },
	{ "POST", "/v1/webhooks/attempts/*/retry", simapi_retry_attempt },
	{ "POST", "/v1/sim/topup", simapi_topup },
};

#define API_MAX_SEGMENTS 5

static void method_not_allowed(struct sim_req *r, const char *allow)
{
	char msg[128];
	r->allow = allow;
	snprintf(msg, sizeof msg, "Method %.16s is not allowed here; allowed: %s",
		 http_request_method(r->req), allow);
	simapi_error(r, 405, "method_not_allowed", msg, NULL);
}

static void not_found(struct sim_req *r, const char *path)
{
	char c[160], msg[220];
	simapi_clean(path, c, 120);
	snprintf(msg, sizeof msg, "No such route: %s", c);
	simapi_error(r, 404, "not_found", msg, NULL);
}

/* Splits "/a/b/c" into at most max segments (pointers into buf). */
static size_t split_path(char *buf, char **seg, size_t max)
{
	size_t n = 0;
	char *save = NULL;
	for (char *p = strtok_r(buf, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		if (n == max)
			return max + 1;
		seg[n++] = p;
	}
	return n;
}

/* Whether the n segments match the pattern; *arg is the one its "*" matched. */
static bool route_matches(const char *pattern, char **seg, size_t n, const char **arg)
{
	size_t i = 0;
	*arg = NULL;
	for (const char *p = pattern; *p == '/'; i++) {
		p++;
		size_t len = strcspn(p, "/");
		if (i == n)
			return false;
		if (len == 1 && *p == '*')
			*arg = seg[i];
		else if (strlen(seg[i]) != len || strncmp(seg[i], p, len) != 0)
			return false;
		p += len;
	}
	return i == n;
}

/* The route for the path and method; a path known with other methods is a
 * 405 naming them in Allow, an unknown path a 404. */
static void route(struct sim_req *r)
{
	const char *m = http_request_method(r->req);
	const char *path = http_request_path(r->req);
	char buf[512];
	char *seg[API_MAX_SEGMENTS];
	if (strlen(path) >= sizeof buf) {
		not_found(r, path);
		return;
	}
	strcpy(buf, path);
	size_t n = split_path(buf, seg, API_MAX_SEGMENTS);
	size_t allow_len = 0;
	for (size_t i = 0; n <= API_MAX_SEGMENTS && i < sizeof routes / sizeof routes[0]; i++) {
		const char *arg;
		if (!route_matches(routes[i].pattern, seg, n, &arg))
			continue;
		if (strcmp(routes[i].method, m) == 0) {
			routes[i].fn(r, arg);
			return;
		}
		int w = snprintf(r->allow_buf + allow_len, sizeof r->allow_buf - allow_len, "%s%s",
				 allow_len ? ", " : "", routes[i].method);
		if (w > 0 && (size_t)w < sizeof r->allow_buf - allow_len)
			allow_len += (size_t)w;
	}
	if (allow_len)
		method_not_allowed(r, r->allow_buf);
	else
		not_found(r, path);
}

void sim_api_handle(struct sim *s, struct http_request *req)
{
	struct sim_req *r = calloc(1, sizeof *r);
	if (!r) {
		http_respond_json(req, 503,
				  "{\"error\":\"service_unavailable\","
				  "\"message\":\"out of memory\",\"action\":\"wait_and_retry\"}",
				  NULL, 0);
		return;
	}
	r->s = s;
	r->req = req;
	s->stats.api_requests++;
	simrng_ulid(&s->id_rng, "req_", sim_now_ms(&s->base), r->request_id, sizeof r->request_id);
	if (gatekeep(r) == 0)
		route(r);
}
