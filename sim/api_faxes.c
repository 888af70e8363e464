/* The /faxes routes (docs/CONTRACT.md#send, #endpoints): submit, list, get,
 * delete and resend. Submit and resend take an Idempotency-Key
 * (docs/CONTRACT.md#idempotency): the fingerprint covers the route and the
 * fields, and simapi_reply() finishes the record. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "core/wire/event_parse.h"
#include "core/http/http_server.h"
#include "sim/api_int.h"
#include "sim/multipart.h"
#include "sim/submit.h"

#define API_MAX_TAG_FILTERS 10

/* ---- idempotency ---- */

static void fp_add(EVP_MD_CTX *md, const void *p, size_t len)
{
	uint64_t l = len;
	EVP_DigestUpdate(md, &l, sizeof l);
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
		simapi_field_error(r, "Idempotency-Key",
				   "The Idempotency-Key header must be 1 to 255 characters.");
		return 1;
	}
	for (size_t i = 0; i < kl; i++)
		if ((unsigned char)key[i] < 0x20 || (unsigned char)key[i] >= 0x7f) {
			simapi_field_error(r, "Idempotency-Key",
					   "The Idempotency-Key header must be printable ASCII.");
			return 1;
		}
	memcpy(r->idem_key, key, kl + 1);
	struct idem_entry *e;
	enum idem_result res;
	if (idem_begin(&s->idem, key, fp, sim_now_ms(&s->base), &e, &res) < 0) {
		simapi_error(r, 500, "internal_error", "out of memory", NULL);
		return 1;
	}
	switch (res) {
	case IDEM_NEW:
		r->idem = e;
		return 0;
	case IDEM_REPLAY:
		r->replayed = true;
		simapi_reply(r, e->status, strdup(e->body));
		return 1;
	case IDEM_MISMATCH:
		simapi_error(
			r, 409, "idempotency_key_reuse",
			"This Idempotency-Key was used with a different request; use a new key",
			NULL);
		return 1;
	case IDEM_IN_PROGRESS:
		simapi_error(r, 409, "idempotency_key_in_progress",
			     "A request with this Idempotency-Key is still being processed; retry "
			     "shortly",
			     NULL);
		return 1;
	}
	return 0;
}

/* ---- routes ---- */

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
	return simapi_json_take(j);
}

static void finish_submit(struct sim_req *r, const struct submit_req *sr,
			  const struct sim_fax *orig)
{
	struct sim *s = r->s;
	struct sim_fax *fx;
	switch (engine_submit(s, sr, orig, r->idem_key[0] ? r->idem_key : NULL, &fx)) {
	case ENGINE_OK:
		simapi_reply(r, 201, submission_json(fx));
		return;
	case ENGINE_NO_BALANCE: {
		char msg[160];
		snprintf(msg, sizeof msg, "Available balance of %lld cents cannot cover this fax",
			 (long long)s->available);
		simapi_error(r, 402, "insufficient_balance", msg, NULL);
		return;
	}
	case ENGINE_REJECTED:
		simapi_field_error(r, "to",
				   "The to field is the sandbox ValidationFailure number.");
		return;
	}
}

void simapi_submit(struct sim_req *r, const char *arg)
{
	char boundary[MULTIPART_MAX_BOUNDARY + 1], err[256];
	size_t len, n;
	const char *body = http_request_body(r->req, &len);
	if (multipart_boundary(http_request_header(r->req, "Content-Type"), boundary,
			       sizeof boundary, err, sizeof err) < 0) {
		simapi_field_error(r, "body", err);
		return;
	}
	struct multipart_part *parts = calloc(MULTIPART_MAX_PARTS, sizeof *parts);
	if (!parts) {
		simapi_error(r, 500, "internal_error", "out of memory", NULL);
		return;
	}
	if (multipart_parse(body, len, boundary, parts, MULTIPART_MAX_PARTS, &n, err, sizeof err) <
	    0) {
		free(parts);
		simapi_field_error(r, "body", err);
		return;
	}
	/* The fingerprint covers the fields, not the boundary, so a client
	 * retrying the same form with a fresh boundary is recognised. */
	unsigned char fp[32];
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(md);
		free(parts);
		simapi_error(r, 500, "internal_error", "cannot fingerprint the request", NULL);
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
		simapi_validation(r, errors);
	} else {
		json_object_put(errors);
		finish_submit(r, &sr, NULL);
	}
	submit_req_done(&sr);
	free(parts);
}

static struct sim_fax *fax_or_404(struct sim_req *r, const char *id)
{
	char c[96], msg[160];
	if (!simapi_valid_id(id, "fax_")) {
		simapi_clean(id, c, 72);
		snprintf(msg, sizeof msg,
			 "'%s' is not a fax id (fax_ followed by letters and digits)", c);
		simapi_error(r, 404, "not_found", msg, NULL);
		return NULL;
	}
	struct sim_fax *fx = engine_find(r->s, id);
	if (!fx)
		simapi_no_such(r, "fax", id);
	return fx;
}

void simapi_get_fax(struct sim_req *r, const char *id)
{
	struct sim_fax *fx = fax_or_404(r, id);
	if (fx)
		simapi_reply(r, 200, wire_fax_to_json(&fx->f));
}

void simapi_delete_fax(struct sim_req *r, const char *id)
{
	struct sim_fax *fx = fax_or_404(r, id);
	if (!fx)
		return;
	if (!fax_status_terminal(fx->f.status)) {
		char msg[160];
		snprintf(msg, sizeof msg,
			 "Fax %s is %s; only delivered or failed faxes can be deleted", fx->f.id,
			 fax_status_name(fx->f.status));
		simapi_error(r, 409, "invalid_state", msg, NULL);
		return;
	}
	fx->deleted = true;
	simapi_reply(r, 204, NULL);
}

void simapi_resend(struct sim_req *r, const char *id)
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
		simapi_error(r, 500, "internal_error", "cannot fingerprint the request", NULL);
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
		snprintf(msg, sizeof msg, "Fax %s is %s; only failed faxes can be resent", fx->f.id,
			 fax_status_name(fx->f.status));
		simapi_error(r, 409, "invalid_state", msg, NULL);
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
		simapi_error(r, 500, "internal_error", "out of memory", NULL);
	} else if (errs > 0) {
		simapi_validation(r, errors);
	} else {
		json_object_put(errors);
		finish_submit(r, &sr, fx);
	}
	submit_req_done(&sr);
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

void simapi_list_faxes(struct sim_req *r, const char *arg)
{
	struct sim *s = r->s;
	struct query_pair q[48];
	size_t nq;
	char err[160];
	if (simapi_query_split(http_request_query(r->req), q, 48, &nq, err, sizeof err) < 0) {
		simapi_field_error(r, "query", err);
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
				submit_error(errors, "status",
					     "status must be one of queued, submitted, "
					     "in_progress, delivered, failed.");
		} else if (strcmp(k, "to") == 0) {
			flt.to = v;
			if (!submit_valid_e164(v))
				submit_error(errors, "to", "to must be an E.164 number.");
		} else if (strcmp(k, "error_code") == 0) {
			flt.error_code = v;
			if (strlen(v) > 64)
				submit_error(errors, "error_code",
					     "error_code must be at most 64 characters.");
		} else if (strcmp(k, "created_after") == 0 || strcmp(k, "created_before") == 0) {
			int64_t *dst = k[8] == 'a' ? &flt.after : &flt.before;
			if (iso8601_parse_ms(v, dst) < 0) {
				char msg[96];
				snprintf(msg, sizeof msg, "%s must be an ISO-8601 date-time.", k);
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
				submit_error(errors, "tag",
					     "tag values must be at most 255 characters.");
		} else if (strcmp(k, "per_page") == 0) {
			per_page = simapi_per_page(v, errors);
		} else if (strcmp(k, "cursor") == 0) {
			if (*v)
				simapi_cursor(v, &cursor, errors);
		}
	}
	struct page_out p;
	if (!simapi_list_begin(r, errors, &p))
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
		simapi_page_item(&p, j);
		free(j);
		last = fx->seq;
	}
	char next[32];
	snprintf(next, sizeof next, "cur_%llu", (unsigned long long)last);
	simapi_reply(r, 200, simapi_page_end(&p, more, more ? next : NULL));
}
