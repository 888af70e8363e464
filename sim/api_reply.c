/* Answering an API request: every answer goes through simapi_reply(), which
 * adds the common headers (request id, rate limit, idempotency, Allow),
 * finishes the idempotency record and, with --slow, holds the answer back on
 * a timer (the record stays "in progress" until the answer leaves). Also the
 * error envelope (docs/CONTRACT.md#api-errors) and what every list shares. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/wire/event_parse.h"
#include "core/http/http_server.h"
#include "sim/api_int.h"
#include "sim/submit.h"

/* ---- answering ---- */

static void send_now(struct sim_req *r)
{
	struct sim *s = r->s;
	char lim[16], rem[16], rst[16], ra[16];
	struct http_header h[8];
	size_t n = 0;
	h[n++] = (struct http_header){ "X-Request-Id", r->request_id };
	if (r->has_rl) {
		snprintf(lim, sizeof lim, "%d", r->rl.limit);
		snprintf(rem, sizeof rem, "%d", r->rl.remaining);
		snprintf(rst, sizeof rst, "%d", r->rl.reset_s);
		h[n++] = (struct http_header){ "X-RateLimit-Limit", lim };
		h[n++] = (struct http_header){ "X-RateLimit-Remaining", rem };
		h[n++] = (struct http_header){ "X-RateLimit-Reset", rst };
	}
	if (r->retry_after > 0) {
		snprintf(ra, sizeof ra, "%d", r->retry_after);
		h[n++] = (struct http_header){ "Retry-After", ra };
	}
	if (r->idem_key[0]) {
		h[n++] = (struct http_header){ "X-Idempotency-Key", r->idem_key };
		h[n++] = (struct http_header){ "Idempotent-Replayed",
					       r->replayed ? "true" : "false" };
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
		http_respond_json(r->req, 500,
				  "{\"error\":\"internal_error\",\"message\":\"out of memory\"}", h,
				  n);
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

void simapi_reply(struct sim_req *r, int status, char *body)
{
	struct sim *s = r->s;
	r->status = status;
	r->body = body;
	if (s->o.slow_ms > 0 && !s->closing) {
		simvec_push(&s->slow, r);
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

char *simapi_json_take(struct json_object *j)
{
	if (!j)
		return NULL;
	const char *t = json_object_to_json_string_ext(
		j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
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

void simapi_error(struct sim_req *r, int status, const char *code, const char *message,
		  struct json_object *context)
{
	const char *action = "fix_request";
	for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
		if (strcmp(actions[i].code, code) == 0)
			action = actions[i].action;
	char docs[128];
	int n = snprintf(docs, sizeof docs, "https://mintfax.com/docs/errors/");
	for (const char *c = code; *c && n < (int)sizeof docs - 1; c++)
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
	simapi_reply(r, status, simapi_json_take(j));
}

void simapi_validation(struct sim_req *r, struct json_object *errors)
{
	struct json_object *ctx = json_object_new_object();
	char msg[512] = "The request is invalid";
	size_t n = strlen(msg);
	const char *sep = ": ";
	json_object_object_foreach(errors, field, arr)
	{
		const char *first = json_object_get_string(json_object_array_get_idx(arr, 0));
		int w = snprintf(msg + n, sizeof msg - n, "%s%s", sep, first ? first : field);
		if (w < 0 || (size_t)w >= sizeof msg - n)
			break;
		n += (size_t)w;
		sep = " ";
	}
	json_object_object_add(ctx, "errors", errors);
	simapi_error(r, 422, "validation_failed", msg, ctx);
}

void simapi_field_error(struct sim_req *r, const char *field, const char *msg)
{
	struct json_object *errors = json_object_new_object();
	submit_error(errors, field, msg);
	simapi_validation(r, errors);
}

void simapi_clean(const char *in, char *out, size_t outlen)
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

void simapi_no_such(struct sim_req *r, const char *what, const char *id)
{
	char c[96], msg[160];
	simapi_clean(id, c, 72);
	snprintf(msg, sizeof msg, "No %s with id %s", what, c);
	simapi_error(r, 404, "not_found", msg, NULL);
}

bool simapi_valid_id(const char *id, const char *prefix)
{
	size_t pl = strlen(prefix), n = strlen(id);
	if (n <= pl || n > pl + 64 || strncmp(id, prefix, pl) != 0)
		return false;
	for (size_t i = pl; i < n; i++)
		if (!isalnum((unsigned char)id[i]))
			return false;
	return true;
}

/* ---- lists ---- */

int simapi_query_split(const char *q, struct query_pair *out, size_t max, size_t *n, char *err,
		       size_t errlen)
{
	*n = 0;
	while (q && *q) {
		const char *amp = strchr(q, '&');
		size_t l = amp ? (size_t)(amp - q) : strlen(q);
		if (l > 0) {
			if (*n >= max) {
				snprintf(err, errlen, "too many query parameters (at most %zu)",
					 max);
				return -1;
			}
			const char *eq = memchr(q, '=', l);
			size_t kl = eq ? (size_t)(eq - q) : l;
			struct query_pair *p = &out[*n];
			if (http_url_decode(q, kl, p->key, sizeof p->key, true) < 0) {
				snprintf(err, errlen, "malformed query parameter name");
				return -1;
			}
			const char *v = eq ? eq + 1 : q + l;
			if (http_url_decode(v, (size_t)(q + l - v), p->value, sizeof p->value,
					    true) < 0) {
				char c[64];
				simapi_clean(p->key, c, 48);
				snprintf(err, errlen,
					 "malformed or too long value for query parameter %s", c);
				return -1;
			}
			(*n)++;
		}
		q = amp ? amp + 1 : NULL;
	}
	return 0;
}

int simapi_per_page(const char *v, struct json_object *errors)
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

int simapi_cursor(const char *v, uint64_t *out, struct json_object *errors)
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

static int page_begin(struct page_out *p)
{
	memset(p, 0, sizeof *p);
	p->f = open_memstream(&p->buf, &p->len);
	if (!p->f)
		return -1;
	fputs("{\"data\":[", p->f);
	return 0;
}

void simapi_page_item(struct page_out *p, const char *json)
{
	if (p->count++)
		fputc(',', p->f);
	fputs(json ? json : "null", p->f);
}

bool simapi_list_begin(struct sim_req *r, struct json_object *errors, struct page_out *p)
{
	if (json_object_object_length(errors)) {
		simapi_validation(r, errors);
		return false;
	}
	json_object_put(errors);
	if (page_begin(p) < 0) {
		simapi_error(r, 500, "internal_error", "out of memory", NULL);
		return false;
	}
	return true;
}

char *simapi_page_end(struct page_out *p, bool has_more, const char *next)
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
