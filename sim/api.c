/* The REST API under /v1: authentication (docs/CONTRACT.md#auth, #assumptions), rate limits (docs/CONTRACT.md#rate-limits), the
 * error envelope with request ids (docs/CONTRACT.md#api-errors), idempotency (docs/CONTRACT.md#idempotency), and the routes.
 * Every answer goes through reply(), which adds the common headers and, with
 * --slow, holds the answer back on a timer (the idempotency record stays
 * "in progress" until the answer leaves). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/wire/event_parse.h"
#include "core/http/http_server.h"
#include "sim/multipart.h"
#include "sim/sim_int.h"
#include "sim/submit.h"

#define API_DEFAULT_FAX_PAGE 20
#define API_DEFAULT_EVENT_PAGE 100
#define API_MAX_PAGE 100
#define API_RETENTION_S (30LL * 24 * 3600)
#define API_MAX_TAG_FILTERS 10

struct sim_req {
	struct sim *s;
	struct http_request *req;
	char request_id[SIM_ID_LEN];
	struct ratelimit_info rl;
	bool has_rl;
	int retry_after;
	char idem_key[IDEM_MAX_KEY + 1];
	struct idem_entry *idem;          /* a NEW record, finished by reply() */
	bool replayed;
	const char *allow;
	/* the answer, kept while --slow holds it back */
	int status;
	char *body;
	ev_timer slow_timer;
};

/* ---- answering ---- */

static void send_now(struct sim_req *r)
{
	struct sim *s = r->s;
	char lim[16], rem[16], rst[16], ra[16];
	struct http_header h[8];
	size_t n = 0;
	h[n++] = (struct http_header){ "X-Request-Id", r->request_id };
	if (r->has_rl) {
		snprintf(lim, sizeof(lim), "%d", r->rl.limit);
		snprintf(rem, sizeof(rem), "%d", r->rl.remaining);
		snprintf(rst, sizeof(rst), "%d", r->rl.reset_s);
		h[n++] = (struct http_header){ "X-RateLimit-Limit", lim };
		h[n++] = (struct http_header){ "X-RateLimit-Remaining", rem };
		h[n++] = (struct http_header){ "X-RateLimit-Reset", rst };
	}
	if (r->retry_after > 0) {
		snprintf(ra, sizeof(ra), "%d", r->retry_after);
		h[n++] = (struct http_header){ "Retry-After", ra };
	}
	if (r->idem_key[0]) {
		h[n++] = (struct http_header){ "X-Idempotency-Key", r->idem_key };
		h[n++] = (struct http_header){ "Idempotent-Replayed", r->replayed ? "true" : "false" };
	}
	if (r->allow)
		h[n++] = (struct http_header){ "Allow", r->allow };
	if (r->idem) {
		/* Only answers that stay true are replayed: not a server error, a
		 * rate limit, or a conflict that may clear (a resend of a fax that
		 * has not failed yet). */
		if (r->status >= 500 || r->status == 429 || r->status == 409 || !r->body)
			idem_abandon(&s->idem, r->idem);
		else
			idem_finish(&s->idem, r->idem, r->status, r->body, strlen(r->body));
		r->idem = NULL;
	}
	if (r->status == 204)
		http_respond(r->req, 204, NULL, NULL, 0, h, n);
	else if (r->body)
		http_respond_json(r->req, r->status, r->body, h, n);
	else
		http_respond_json(r->req, 500, "{\"error\":\"internal_error\",\"message\":\"out of memory\"}",
				  h, n);
	free(r->body);
	free(r);
}

static void slow_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct sim_req *r = w->data;
	struct sim *s = r->s;
	for (size_t i = 0; i < s->slow.n; i++)
		if (s->slow.v[i] == r) {
			s->slow.v[i] = s->slow.v[--s->slow.n];
			break;
		}
	send_now(r);
}

/* Takes ownership of body (may be NULL for 204 or on ENOMEM). */
static void reply(struct sim_req *r, int status, char *body)
{
	struct sim *s = r->s;
	r->status = status;
	r->body = body;
	if (s->o.slow_ms > 0 && !s->closing && simvec_push(&s->slow, r) == 0) {
		ev_timer_init(&r->slow_timer, slow_cb, s->o.slow_ms / 1000.0, 0.);
		r->slow_timer.data = r;
		ev_timer_start(s->loop, &r->slow_timer);
		return;
	}
	send_now(r);
}

void sim_api_abort_slow(struct sim *s)
{
	while (s->slow.n) {
		struct sim_req *r = s->slow.v[--s->slow.n];
		ev_timer_stop(s->loop, &r->slow_timer);
		send_now(r);
	}
}

static char *json_take(struct json_object *j)
{
	if (!j)
		return NULL;
	const char *t = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	char *out = t ? strdup(t) : NULL;
	json_object_put(j);
	return out;
}

static const struct {
	const char *code;
	const char *action;
} actions[] = {
	{ "validation_failed", "fix_request" },
	{ "insufficient_balance", "top_up_balance" },
	{ "unauthenticated", "check_api_key" },
	{ "account_not_activated", "activate_account" },
	{ "forbidden_key_kind", "use_environment_key" },
	{ "idempotency_key_reuse", "use_new_idempotency_key" },
	{ "idempotency_key_in_progress", "wait_and_retry" },
	{ "rate_limit_exceeded", "wait_and_retry" },
	{ "not_found", "fix_request" },
	{ "invalid_state", "fix_request" },
	{ "method_not_allowed", "fix_request" },
	{ "internal_error", "wait_and_retry" },
	{ "service_unavailable", "wait_and_retry" },
};

/* The error envelope (docs/CONTRACT.md#api-errors). context is taken (may be NULL). */
static void reply_error(struct sim_req *r, int status, const char *code, const char *message,
			struct json_object *context)
{
	const char *action = "fix_request";
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcmp(actions[i].code, code) == 0)
			action = actions[i].action;
	char docs[128];
	int n = snprintf(docs, sizeof(docs), "https://mintfax.com/docs/errors/");
	for (const char *c = code; *c && n < (int)sizeof(docs) - 1; c++)
		docs[n++] = *c == '_' ? '-' : *c;
	docs[n] = '\0';
	struct json_object *j = json_object_new_object();
	if (j) {
		json_object_object_add(j, "error", json_object_new_string(code));
		json_object_object_add(j, "message", json_object_new_string(message));
		json_object_object_add(j, "action", json_object_new_string(action));
		json_object_object_add(j, "docs", json_object_new_string(docs));
		json_object_object_add(j, "request_id", json_object_new_string(r->request_id));
		if (context)
			json_object_object_add(j, "context", context);
		context = NULL;
	}
	json_object_put(context);
	reply(r, status, json_take(j));
}

static void reply_validation(struct sim_req *r, struct json_object *errors)
{
	struct json_object *ctx = json_object_new_object();
	char msg[512] = "The request is invalid";
	size_t n = strlen(msg);
	const char *sep = ": ";
	json_object_object_foreach(errors, field, arr) {
		const char *first = json_object_get_string(json_object_array_get_idx(arr, 0));
		int w = snprintf(msg + n, sizeof(msg) - n, "%s%s", sep, first ? first : field);
		if (w < 0 || (size_t)w >= sizeof(msg) - n)
			break;
		n += (size_t)w;
		sep = " ";
	}
	json_object_object_add(ctx, "errors", errors);
	reply_error(r, 422, "validation_failed", msg, ctx);
}

static void reply_field_error(struct sim_req *r, const char *field, const char *msg)
{
	struct json_object *errors = json_object_new_object();
	submit_error(errors, field, msg);
	reply_validation(r, errors);
}

/* Text from the request made safe to quote in a message: printable ASCII,
 * bounded. */
static void clean(const char *in, char *out, size_t outlen)
{
	size_t o = 0;
	for (; in && *in && o + 4 < outlen; in++)
		out[o++] = (*in >= 0x20 && *in < 0x7f) ? *in : '?';
	if (in && *in && o + 4 <= outlen) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/* ---- auth and limits ---- */

static struct sim_bucket *bucket_for(struct sim *s, const char *token)
{
	for (size_t i = 0; i < s->n_buckets; i++)
		if (strncmp(s->buckets[i].key, token, sizeof(s->buckets[i].key) - 1) == 0 &&
		    strlen(token) < sizeof(s->buckets[i].key))
			return &s->buckets[i];
	if (s->n_buckets < SIM_MAX_BUCKETS && strlen(token) < sizeof(s->buckets[0].key)) {
		struct sim_bucket *b = &s->buckets[s->n_buckets];
		if (ratelimit_init(&b->rl, s->o.rate_limit_per_min, 60000) == 0) {
			snprintf(b->key, sizeof(b->key), "%s", token);
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
	bool ok = ratelimit_take(&b->rl, sim_now_ms(s), &r->rl);
	r->has_rl = true;
	if (!ok) {
		r->retry_after = r->rl.retry_after_s;
		char msg[128];
		snprintf(msg, sizeof(msg), "Rate limit of %d requests per minute exceeded; retry in %d s",
			 r->rl.limit, r->retry_after);
		reply_error(r, 429, "rate_limit_exceeded", msg, NULL);
		return -1;
	}
	if (!token) {
		reply_error(r, 401, "unauthenticated", why, NULL);
		return -1;
	}
	if (strncmp(token, "mfx_live_", 9) == 0) {
		reply_error(r, 403, "account_not_activated",
			    "Live keys work once the account is activated by a first credit purchase; "
			    "faxsim is a sandbox: use the mfx_test_ key", NULL);
		return -1;
	}
	if (strncmp(token, "mfx_acct_", 9) == 0) {
		reply_error(r, 403, "forbidden_key_kind",
			    "Account keys (mfx_acct_) cannot be used on environment routes; "
			    "use an environment key (mfx_test_)", NULL);
		return -1;
	}
	if (!key_equal(token, s->api_key)) {
		reply_error(r, 401, "unauthenticated", "Unknown or revoked API key", NULL);
		return -1;
	}
	if (s->o.api_errors > 0 && simrng_unit(&s->chaos_rng) < s->o.api_errors) {
		if (simrng_unit(&s->chaos_rng) < 0.5) {
			reply_error(r, 503, "service_unavailable",
				    "The service is temporarily unavailable (faxsim --api-errors)", NULL);
		} else {
			r->retry_after = 1;
			reply_error(r, 429, "rate_limit_exceeded",
				    "Too many requests (faxsim --api-errors); retry in 1 s", NULL);
		}
		return -1;
	}
	return 0;
}

/* ---- idempotency ---- */

static void fp_add(EVP_MD_CTX *md, const void *p, size_t len)
{
	uint64_t l = len;
	EVP_DigestUpdate(md, &l, sizeof(l));
	if (len)
		EVP_DigestUpdate(md, p, len);
}

/* 0 to go on (r->idem set when a record was opened); 1 when answered. */
static int idem_open(struct sim_req *r, const unsigned char fp[32])
{
	struct sim *s = r->s;
	const char *key = http_request_header(r->req, "Idempotency-Key");
	if (!key)
		return 0;
	size_t kl = strlen(key);
	if (kl == 0 || kl > IDEM_MAX_KEY) {
		reply_field_error(r, "Idempotency-Key",
				  "The Idempotency-Key header must be 1 to 255 characters.");
		return 1;
	}
	for (size_t i = 0; i < kl; i++)
		if ((unsigned char)key[i] < 0x20 || (unsigned char)key[i] >= 0x7f) {
			reply_field_error(r, "Idempotency-Key",
					  "The Idempotency-Key header must be printable ASCII.");
			return 1;
		}
	memcpy(r->idem_key, key, kl + 1);
	struct idem_entry *e;
	enum idem_result res;
	if (idem_begin(&s->idem, key, fp, sim_now_ms(s), &e, &res) < 0) {
		reply_error(r, 500, "internal_error", "out of memory", NULL);
		return 1;
	}
	switch (res) {
	case IDEM_NEW:
		r->idem = e;
		return 0;
	case IDEM_REPLAY:
		r->replayed = true;
		reply(r, e->status, strdup(e->body));
		return 1;
	case IDEM_MISMATCH:
		reply_error(r, 409, "idempotency_key_reuse",
			    "This Idempotency-Key was used with a different request; use a new key", NULL);
		return 1;
	case IDEM_IN_PROGRESS:
		reply_error(r, 409, "idempotency_key_in_progress",
			    "A request with this Idempotency-Key is still being processed; retry shortly",
			    NULL);
		return 1;
	}
	return 0;
}

/* ---- resources ---- */

static char *submission_json(const struct sim_fax *fx)
{
	struct json_object *j = json_object_new_object(), *tags = json_object_new_object();
	if (!j || !tags) {
		json_object_put(j);
		json_object_put(tags);
		return NULL;
	}
	json_object_object_add(j, "id", json_object_new_string(fx->f.id));
	json_object_object_add(j, "status", json_object_new_string(fax_status_name(fx->f.status)));
	json_object_object_add(j, "to", json_object_new_string(fx->f.to));
	for (size_t i = 0; i < fx->f.n_tags; i++)
		json_object_object_add(tags, fx->f.tags[i].key,
				       json_object_new_string(fx->f.tags[i].value));
	json_object_object_add(j, "tags", tags);
	json_object_object_add(j, "created_at", sim_json_time(fx->f.created_at));
	if (fx->f.resent_from)
		json_object_object_add(j, "resent_from", json_object_new_string(fx->f.resent_from));
	return json_take(j);
}

static void finish_submit(struct sim_req *r, const struct submit_req *sr,
			  const struct sim_fax *orig)
{
	struct sim *s = r->s;
	struct sim_fax *fx;
	switch (engine_submit(s, sr, orig, r->idem_key[0] ? r->idem_key : NULL, &fx)) {
	case ENGINE_OK:
		reply(r, 201, submission_json(fx));
		return;
	case ENGINE_NO_BALANCE: {
		char msg[160];
		snprintf(msg, sizeof(msg), "Available balance of %lld cents cannot cover this fax",
			 (long long)s->available);
		reply_error(r, 402, "insufficient_balance", msg, NULL);
		return;
	}
	case ENGINE_REJECTED:
		reply_field_error(r, "to", "The to field is the sandbox ValidationFailure number.");
		return;
	case ENGINE_NOMEM:
		break;
	}
	reply_error(r, 500, "internal_error", "out of memory", NULL);
}

static void route_submit(struct sim_req *r)
{
	char boundary[MULTIPART_MAX_BOUNDARY + 1], err[256];
	size_t len, n;
	const char *body = http_request_body(r->req, &len);
	if (multipart_boundary(http_request_header(r->req, "Content-Type"), boundary,
			       sizeof(boundary), err, sizeof(err)) < 0) {
		reply_field_error(r, "body", err);
		return;
	}
	struct multipart_part *parts = calloc(MULTIPART_MAX_PARTS, sizeof(*parts));
	if (!parts) {
		reply_error(r, 500, "internal_error", "out of memory", NULL);
		return;
	}
	if (multipart_parse(body, len, boundary, parts, MULTIPART_MAX_PARTS, &n, err,
			    sizeof(err)) < 0) {
		free(parts);
		reply_field_error(r, "body", err);
		return;
	}
	/* The fingerprint covers the fields, not the boundary, so a client
	 * retrying the same form with a fresh boundary is recognised. */
	unsigned char fp[32];
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(md);
		free(parts);
		reply_error(r, 500, "internal_error", "cannot fingerprint the request", NULL);
		return;
	}
	fp_add(md, "POST /v1/faxes", 14);
	for (size_t i = 0; i < n; i++) {
		fp_add(md, parts[i].name, strlen(parts[i].name));
		fp_add(md, parts[i].filename, strlen(parts[i].filename));
		fp_add(md, parts[i].data, parts[i].len);
	}
	EVP_DigestFinal_ex(md, fp, NULL);
	EVP_MD_CTX_free(md);
	if (idem_open(r, fp)) {
		free(parts);
		return;
	}
	struct submit_req sr;
	submit_req_init(&sr);
	struct json_object *errors = json_object_new_object();
	int errs = submit_from_multipart(&sr, parts, n, errors);
	if (errs == 0 && engine_rejects_number(sr.to)) {
		submit_error(errors, "to", "The to field is the sandbox ValidationFailure number.");
		errs = 1;
	}
	if (errs != 0) {
		reply_validation(r, errors);
	} else {
		json_object_put(errors);
		finish_submit(r, &sr, NULL);
	}
	submit_req_done(&sr);
	free(parts);
}

static bool valid_id(const char *id, const char *prefix)
{
	size_t pl = strlen(prefix), n = strlen(id);
	if (n <= pl || n > pl + 64 || strncmp(id, prefix, pl) != 0)
		return false;
	for (size_t i = pl; i < n; i++)
		if (!isalnum((unsigned char)id[i]))
			return false;
	return true;
}

static struct sim_fax *fax_or_404(struct sim_req *r, const char *id)
{
	char c[96], msg[160];
	if (!valid_id(id, "fax_")) {
		clean(id, c, 72);
		snprintf(msg, sizeof(msg), "'%s' is not a fax id (fax_ followed by letters and digits)", c);
		reply_error(r, 404, "not_found", msg, NULL);
		return NULL;
	}
	struct sim_fax *fx = engine_find(r->s, id);
	if (!fx) {
		snprintf(msg, sizeof(msg), "No fax with id %s", id);
		reply_error(r, 404, "not_found", msg, NULL);
	}
	return fx;
}

static void route_get_fax(struct sim_req *r, const char *id)
{
	struct sim_fax *fx = fax_or_404(r, id);
	if (fx)
		reply(r, 200, wire_fax_to_json(&fx->f));
}

static void route_delete_fax(struct sim_req *r, const char *id)
{
	struct sim_fax *fx = fax_or_404(r, id);
	if (!fx)
		return;
	if (!fax_status_terminal(fx->f.status)) {
		char msg[160];
		snprintf(msg, sizeof(msg), "Fax %s is %s; only delivered or failed faxes can be deleted",
			 fx->f.id, fax_status_name(fx->f.status));
		reply_error(r, 409, "invalid_state", msg, NULL);
		return;
	}
	fx->deleted = true;
	reply(r, 204, NULL);
}

static void route_resend(struct sim_req *r, const char *id)
{
	struct sim_fax *fx = fax_or_404(r, id);
	if (!fx)
		return;
	size_t len;
	const char *body = http_request_body(r->req, &len);
	unsigned char fp[32];
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(md);
		reply_error(r, 500, "internal_error", "cannot fingerprint the request", NULL);
		return;
	}
	fp_add(md, "POST resend ", 12);
	fp_add(md, id, strlen(id));
	fp_add(md, body, len);
	EVP_DigestFinal_ex(md, fp, NULL);
	EVP_MD_CTX_free(md);
	if (idem_open(r, fp))
		return;
	if (fx->f.status != FAX_FAILED) {
		char msg[160];
		snprintf(msg, sizeof(msg), "Fax %s is %s; only failed faxes can be resent",
			 fx->f.id, fax_status_name(fx->f.status));
		reply_error(r, 409, "invalid_state", msg, NULL);
		return;
	}
	struct submit_req sr;
	submit_req_init(&sr);
	struct json_object *errors = json_object_new_object();
	int errs = submit_from_resend_json(&sr, body, len, errors);
	if (errs == 0 && engine_rejects_number(sr.to ? sr.to : fx->f.to)) {
		submit_error(errors, "to", "The to field is the sandbox ValidationFailure number.");
		errs = 1;
	}
	if (errs < 0) {
		json_object_put(errors);
		reply_error(r, 500, "internal_error", "out of memory", NULL);
	} else if (errs > 0) {
		reply_validation(r, errors);
	} else {
		json_object_put(errors);
		finish_submit(r, &sr, fx);
	}
	submit_req_done(&sr);
}

/* ---- lists ---- */

struct query_pair {
	char key[128];
	char value[512];
};

/* Splits a raw query into decoded pairs. -1 with err on a bad escape or an
 * oversized part. */
static int query_split(const char *q, struct query_pair *out, size_t max, size_t *n,
		       char *err, size_t errlen)
{
	*n = 0;
	while (q && *q) {
		const char *amp = strchr(q, '&');
		size_t l = amp ? (size_t)(amp - q) : strlen(q);
		if (l > 0) {
			if (*n >= max) {
				snprintf(err, errlen, "too many query parameters (at most %zu)", max);
				return -1;
			}
			const char *eq = memchr(q, '=', l);
			size_t kl = eq ? (size_t)(eq - q) : l;
			struct query_pair *p = &out[*n];
			if (http_url_decode(q, kl, p->key, sizeof(p->key), true) < 0) {
				snprintf(err, errlen, "malformed query parameter name");
				return -1;
			}
			const char *v = eq ? eq + 1 : q + l;
			if (http_url_decode(v, (size_t)(q + l - v), p->value, sizeof(p->value), true) < 0) {
				char c[64];
				clean(p->key, c, 48);
				snprintf(err, errlen, "malformed or too long value for query parameter %s", c);
				return -1;
			}
			(*n)++;
		}
		q = amp ? amp + 1 : NULL;
	}
	return 0;
}

/* 1..100, or -1 (error added). */
static int parse_per_page(const char *v, struct json_object *errors)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (!*v || *end || errno || n < 1 || n > API_MAX_PAGE) {
		submit_error(errors, "per_page", "per_page must be an integer from 1 to 100.");
		return -1;
	}
	return (int)n;
}

/* "cur_<n>": the position after which the next page starts. */
static int parse_cursor(const char *v, uint64_t *out, struct json_object *errors)
{
	char *end;
	errno = 0;
	if (strncmp(v, "cur_", 4) != 0 || !isdigit((unsigned char)v[4]))
		goto bad;
	unsigned long long n = strtoull(v + 4, &end, 10);
	if (*end || errno)
		goto bad;
	*out = n;
	return 0;
bad:
	submit_error(errors, "cursor", "cursor is not one this API returned (use next_cursor).");
	return -1;
}

/* Writes {"data":[…],"has_more":…,"next_cursor":…} around items. */
struct page_out {
	FILE *f;
	char *buf;
	size_t len;
	size_t count;
};

static int page_begin(struct page_out *p)
{
	memset(p, 0, sizeof(*p));
	p->f = open_memstream(&p->buf, &p->len);
	if (!p->f)
		return -1;
	fputs("{\"data\":[", p->f);
	return 0;
}

static void page_item(struct page_out *p, const char *json)
{
	if (p->count++)
		fputc(',', p->f);
	fputs(json ? json : "null", p->f);
}

/* A list's query was read into errors: 422 with them, or a page begun
 * (false: answered already). */
static bool list_begin(struct sim_req *r, struct json_object *errors, struct page_out *p)
{
	if (json_object_object_length(errors)) {
		reply_validation(r, errors);
		return false;
	}
	json_object_put(errors);
	if (page_begin(p) < 0) {
		reply_error(r, 500, "internal_error", "out of memory", NULL);
		return false;
	}
	return true;
}

static char *page_end(struct page_out *p, bool has_more, const char *next)
{
	char *q = next ? wire_json_quote(next) : NULL;
	fprintf(p->f, "],\"has_more\":%s,\"next_cursor\":%s}", has_more ? "true" : "false",
		q ? q : "null");
	free(q);
	if (fclose(p->f) != 0) {
		free(p->buf);
		return NULL;
	}
	return p->buf;
}

struct fax_filter {
	enum fax_status status;
	const char *to, *error_code;
	int64_t after, before;
	const char *tag_k[API_MAX_TAG_FILTERS], *tag_v[API_MAX_TAG_FILTERS];
	size_t n_tags;
};

static bool fax_matches(const struct sim_fax *fx, const struct fax_filter *flt)
{
	const struct fax *f = &fx->f;
	if (fx->deleted)
		return false;
	if (flt->status && f->status != flt->status)
		return false;
	if (flt->to && strcmp(f->to, flt->to) != 0)
		return false;
	if (flt->error_code && (!f->error_code || strcasecmp(f->error_code, flt->error_code)))
		return false;
	if (flt->after != TS_NONE && f->created_at <= flt->after)
		return false;
	if (flt->before != TS_NONE && f->created_at >= flt->before)
		return false;
	for (size_t t = 0; t < flt->n_tags; t++) {
		bool hit = false;
		for (size_t i = 0; i < f->n_tags && !hit; i++)
			hit = strcmp(f->tags[i].key, flt->tag_k[t]) == 0 &&
			      strcmp(f->tags[i].value, flt->tag_v[t]) == 0;
		if (!hit)
			return false;
	}
	return true;
}

static void route_list_faxes(struct sim_req *r)
{
	struct sim *s = r->s;
	struct query_pair q[48];
	size_t nq;
	char err[160];
	if (query_split(http_request_query(r->req), q, 48, &nq, err, sizeof(err)) < 0) {
		reply_field_error(r, "query", err);
		return;
	}
	struct fax_filter flt = { .after = TS_NONE, .before = TS_NONE };
	int per_page = API_DEFAULT_FAX_PAGE;
	uint64_t cursor = UINT64_MAX;
	struct json_object *errors = json_object_new_object();
	for (size_t i = 0; i < nq; i++) {
		const char *k = q[i].key, *v = q[i].value;
		if (strcmp(k, "status") == 0) {
			flt.status = fax_status_from_name(v);
			if (!flt.status || strcmp(v, "sending") == 0)
				submit_error(errors, "status", "status must be one of queued, submitted, "
					     "in_progress, delivered, failed.");
		} else if (strcmp(k, "to") == 0) {
			flt.to = v;
			if (!submit_valid_e164(v))
				submit_error(errors, "to", "to must be an E.164 number.");
		} else if (strcmp(k, "error_code") == 0) {
			flt.error_code = v;
			if (strlen(v) > 64)
				submit_error(errors, "error_code", "error_code must be at most 64 characters.");
		} else if (strcmp(k, "created_after") == 0 || strcmp(k, "created_before") == 0) {
			int64_t *dst = k[8] == 'a' ? &flt.after : &flt.before;
			if (iso8601_parse_ms(v, dst) < 0) {
				char msg[96];
				snprintf(msg, sizeof(msg), "%s must be an ISO-8601 date-time.", k);
				submit_error(errors, k, msg);
			}
		} else if (strncmp(k, "tag[", 4) == 0 && k[strlen(k) - 1] == ']' && strlen(k) > 5) {
			if (flt.n_tags >= API_MAX_TAG_FILTERS) {
				submit_error(errors, "tag", "at most 10 tag filters.");
				continue;
			}
			q[i].key[strlen(k) - 1] = '\0';
			flt.tag_k[flt.n_tags] = q[i].key + 4;
			flt.tag_v[flt.n_tags++] = v;
			if (strlen(v) > 255)
				submit_error(errors, "tag", "tag values must be at most 255 characters.");
		} else if (strcmp(k, "per_page") == 0) {
			per_page = parse_per_page(v, errors);
		} else if (strcmp(k, "cursor") == 0) {
			if (*v)
				parse_cursor(v, &cursor, errors);
		}
	}
	struct page_out p;
	if (!list_begin(r, errors, &p))
		return;
	bool more = false;
	uint64_t last = 0;
	for (size_t i = s->faxes.n; i-- > 0;) {
		const struct sim_fax *fx = s->faxes.v[i];
		if (fx->seq >= cursor || !fax_matches(fx, &flt))
			continue;
		if ((more = p.count == (size_t)per_page))
			break;
		char *j = wire_fax_to_json(&fx->f);
		page_item(&p, j);
		free(j);
		last = fx->seq;
	}
	char next[32];
	snprintf(next, sizeof(next), "cur_%llu", (unsigned long long)last);
	reply(r, 200, page_end(&p, more, more ? next : NULL));
}

static void route_events(struct sim_req *r)
{
	struct sim *s = r->s;
	char after[SIM_ID_LEN + 16] = "", type[64] = "", pp[16] = "";
	struct json_object *errors = json_object_new_object();
	const char *q = http_request_query(r->req);
	int per_page = API_DEFAULT_EVENT_PAGE;
	int ra = http_query_get(q, "after", after, sizeof(after));
	int rt = http_query_get(q, "type", type, sizeof(type));
	int rp = http_query_get(q, "per_page", pp, sizeof(pp));
	long start = 0;
	enum event_type t = EV_UNKNOWN;
	if (ra < 0)
		submit_error(errors, "after", "after must be an event id (evt_...).");
	else if (ra == 1 && *after) {
		long idx = simev_index(s, after);
		if (idx < 0)
			submit_error(errors, "after", "after is not the id of a retained event.");
		start = idx + 1;
	}
	if (rt < 0 || (rt == 1 && *type && (t = event_type_from_name(type)) == EV_UNKNOWN))
		submit_error(errors, "type", "type must be an event type such as fax.delivered.");
	if (rp < 0)
		submit_error(errors, "per_page", "per_page must be an integer from 1 to 100.");
	else if (rp == 1)
		per_page = parse_per_page(pp, errors);
	struct page_out p;
	if (!list_begin(r, errors, &p))
		return;
	int64_t horizon = sim_now_ms(s) / 1000 - API_RETENTION_S;
	const char *last = NULL;
	bool more = false;
	for (size_t i = (size_t)start; i < s->events.n; i++) {
		const struct sim_event *se = s->events.v[i];
		if (se->created < horizon || (t != EV_UNKNOWN && se->type != t))
			continue;
		if ((more = p.count == (size_t)per_page))
			break;
		page_item(&p, se->body);
		last = se->id;
	}
	reply(r, 200, page_end(&p, more, last));
}

static void route_event(struct sim_req *r, const char *id)
{
	long idx = valid_id(id, "evt_") ? simev_index(r->s, id) : -1;
	if (idx < 0) {
		char c[96], msg[160];
		clean(id, c, 72);
		snprintf(msg, sizeof(msg), "No event with id %s", c);
		reply_error(r, 404, "not_found", msg, NULL);
		return;
	}
	const struct sim_event *se = r->s->events.v[idx];
	reply(r, 200, strdup(se->body));
}

static void route_list_attempts(struct sim_req *r)
{
	struct sim *s = r->s;
	char st[32] = "", ep[96] = "", evid[96] = "", pp[16] = "", cur[40] = "";
	const char *q = http_request_query(r->req);
	struct json_object *errors = json_object_new_object();
	int per_page = API_DEFAULT_FAX_PAGE;
	uint64_t cursor = UINT64_MAX;
	int want = -1;
	if (http_query_get(q, "status", st, sizeof(st)) < 0 ||
	    (*st && strcmp(st, "pending") && strcmp(st, "succeeded") && strcmp(st, "failed")))
		submit_error(errors, "status", "status must be pending, succeeded or failed.");
	else if (*st)
		want = st[0] == 'p' ? ATT_PENDING : st[0] == 's' ? ATT_SUCCEEDED : ATT_FAILED;
	if (http_query_get(q, "endpoint", ep, sizeof(ep)) < 0)
		submit_error(errors, "endpoint", "endpoint is malformed or too long.");
	if (http_query_get(q, "event_id", evid, sizeof(evid)) < 0)
		submit_error(errors, "event_id", "event_id is malformed or too long.");
	int rp = http_query_get(q, "per_page", pp, sizeof(pp));
	if (rp < 0)
		submit_error(errors, "per_page", "per_page must be an integer from 1 to 100.");
	else if (rp == 1)
		per_page = parse_per_page(pp, errors);
	int rc = http_query_get(q, "cursor", cur, sizeof(cur));
	if (rc < 0)
		submit_error(errors, "cursor", "cursor is not one this API returned (use next_cursor).");
	else if (rc == 1 && *cur)
		parse_cursor(cur, &cursor, errors);
	struct page_out p;
	if (!list_begin(r, errors, &p))
		return;
	bool more = false;
	uint64_t last = 0;
	for (size_t i = s->attempts.n; i-- > 0;) {
		const struct sim_attempt *a = s->attempts.v[i];
		if (i + 1 >= cursor)
			continue;
		if ((want >= 0 && (int)a->state != want) ||
		    (*ep && strcmp(ep, a->d->endpoint_id)) || (*evid && strcmp(evid, a->d->ev->id)))
			continue;
		if ((more = p.count == (size_t)per_page))
			break;
		char *j = json_take(simwh_attempt_json(a));
		page_item(&p, j);
		free(j);
		last = i + 1;
	}
	char next[32];
	snprintf(next, sizeof(next), "cur_%llu", (unsigned long long)last);
	reply(r, 200, page_end(&p, more, more ? next : NULL));
}

static struct sim_attempt *attempt_or_404(struct sim_req *r, const char *id)
{
	struct sim_attempt *a = valid_id(id, "wha_") ? simwh_find_attempt(r->s, id) : NULL;
	if (!a) {
		char c[96], msg[160];
		clean(id, c, 72);
		snprintf(msg, sizeof(msg), "No webhook attempt with id %s", c);
		reply_error(r, 404, "not_found", msg, NULL);
	}
	return a;
}

static void route_retry_attempt(struct sim_req *r, const char *id)
{
	struct sim_attempt *a = attempt_or_404(r, id);
	if (!a)
		return;
	struct sim_attempt *na = simwh_retry(r->s, a);
	if (!na)
		reply_error(r, 500, "internal_error", "out of memory", NULL);
	else
		reply(r, 202, json_take(simwh_attempt_json(na)));
}

static void route_topup(struct sim_req *r)
{
	size_t len;
	const char *body = http_request_body(r->req, &len);
	struct json_tokener *tok = json_tokener_new_ex(8);
	struct json_object *j = tok ? json_tokener_parse_ex(tok, body, (int)len) : NULL;
	bool ok = j && json_tokener_get_error(tok) == json_tokener_success;
	if (tok)
		json_tokener_free(tok);
	struct json_object *amt;
	int64_t cents = 0;
	if (!ok || !json_object_is_type(j, json_type_object)) {
		json_object_put(j);
		reply_field_error(r, "body", "The body must be a JSON object such as {\"amount\": 5000}.");
		return;
	}
	if (!json_object_object_get_ex(j, "amount", &amt) || !json_object_is_type(amt, json_type_int) ||
	    (cents = json_object_get_int64(amt)) < 1 || cents > 100000000) {
		json_object_put(j);
		reply_field_error(r, "amount", "amount must be an integer number of cents from 1 to 100000000.");
		return;
	}
	json_object_put(j);
	if (engine_topup(r->s, cents) < 0) {
		reply_field_error(r, "amount", "amount would overflow the balance.");
		return;
	}
	reply(r, 200, engine_balance_json(r->s));
}

/* ---- routing ---- */

static void method_not_allowed(struct sim_req *r, const char *allow)
{
	char msg[128];
	r->allow = allow;
	snprintf(msg, sizeof(msg), "Method %.16s is not allowed here; allowed: %s",
		 http_request_method(r->req), allow);
	reply_error(r, 405, "method_not_allowed", msg, NULL);
}

static void not_found(struct sim_req *r, const char *path)
{
	char c[160], msg[220];
	clean(path, c, 120);
	snprintf(msg, sizeof(msg), "No such route: %s", c);
	reply_error(r, 404, "not_found", msg, NULL);
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

static void route(struct sim_req *r)
{
	const char *m = http_request_method(r->req);
	const char *path = http_request_path(r->req);
	char buf[512];
	char *seg[6];
	bool get = strcmp(m, "GET") == 0, post = strcmp(m, "POST") == 0,
	     del = strcmp(m, "DELETE") == 0;
	if (strlen(path) >= sizeof(buf)) {
		not_found(r, path);
		return;
	}
	strcpy(buf, path);
	size_t n = split_path(buf, seg, 5);
	if (n < 2 || n > 5 || strcmp(seg[0], "v1") != 0) {
		not_found(r, path);
		return;
	}
	const char *a = seg[1];
	if (strcmp(a, "faxes") == 0) {
		if (n == 2) {
			if (post)
				route_submit(r);
			else if (get)
				route_list_faxes(r);
			else
				method_not_allowed(r, "GET, POST");
		} else if (n == 3) {
			if (get)
				route_get_fax(r, seg[2]);
			else if (del)
				route_delete_fax(r, seg[2]);
			else
				method_not_allowed(r, "GET, DELETE");
		} else if (n == 4 && strcmp(seg[3], "resend") == 0) {
			if (post)
				route_resend(r, seg[2]);
			else
				method_not_allowed(r, "POST");
		} else {
			not_found(r, path);
		}
	} else if (strcmp(a, "environment") == 0 && n == 3 && strcmp(seg[2], "balance") == 0) {
		if (get)
			reply(r, 200, engine_balance_json(r->s));
		else
			method_not_allowed(r, "GET");
	} else if (strcmp(a, "events") == 0 && n <= 3) {
		if (!get)
			method_not_allowed(r, "GET");
		else if (n == 2)
			route_events(r);
		else
			route_event(r, seg[2]);
	} else if (strcmp(a, "webhooks") == 0 && n >= 3 && strcmp(seg[2], "attempts") == 0) {
		if (n == 3) {
			if (get)
				route_list_attempts(r);
			else
				method_not_allowed(r, "GET");
		} else if (n == 4) {
			struct sim_attempt *at;
			if (!get)
				method_not_allowed(r, "GET");
			else if ((at = attempt_or_404(r, seg[3])))
				reply(r, 200, json_take(simwh_attempt_json(at)));
		} else if (n == 5 && strcmp(seg[4], "retry") == 0) {
			if (post)
				route_retry_attempt(r, seg[3]);
			else
				method_not_allowed(r, "POST");
		} else {
			not_found(r, path);
		}
	} else if (strcmp(a, "sim") == 0 && n == 3 && strcmp(seg[2], "topup") == 0) {
		if (post)
			route_topup(r);
		else
			method_not_allowed(r, "POST");
	} else {
		not_found(r, path);
	}
}

void sim_api_handle(struct sim *s, struct http_request *req)
{
	struct sim_req *r = calloc(1, sizeof(*r));
	if (!r) {
		http_respond_json(req, 503, "{\"error\":\"service_unavailable\","
				  "\"message\":\"out of memory\",\"action\":\"wait_and_retry\"}", NULL, 0);
		return;
	}
	r->s = s;
	r->req = req;
	s->stats.api_requests++;
	simrng_ulid(&s->id_rng, "req_", sim_now_ms(s), r->request_id, sizeof(r->request_id));
	if (gatekeep(r) == 0)
		route(r);
}
