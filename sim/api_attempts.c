/* /webhooks/attempts (docs/CONTRACT.md#webhook-attempts): the list, one
 * attempt, and a manual retry. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/http/http_server.h"
#include "sim/api_int.h"
#include "sim/submit.h"

void simapi_list_attempts(struct sim_req *r, const char *arg)
{
	struct sim *s = r->s;
	char st[32] = "", ep[96] = "", evid[96] = "", pp[16] = "", cur[40] = "";
	const char *q = http_request_query(r->req);
	struct json_object *errors = json_object_new_object();
	int per_page = API_DEFAULT_FAX_PAGE;
	uint64_t cursor = UINT64_MAX;
	int want = -1;
	if (http_query_get(q, "status", st, sizeof st) < 0 ||
	    (*st && strcmp(st, "pending") && strcmp(st, "succeeded") && strcmp(st, "failed")))
		submit_error(errors, "status", "status must be pending, succeeded or failed.");
	else if (*st)
		want = st[0] == 'p' ? ATT_PENDING : st[0] == 's' ? ATT_SUCCEEDED : ATT_FAILED;
	if (http_query_get(q, "endpoint", ep, sizeof ep) < 0)
		submit_error(errors, "endpoint", "endpoint is malformed or too long.");
	if (http_query_get(q, "event_id", evid, sizeof evid) < 0)
		submit_error(errors, "event_id", "event_id is malformed or too long.");
	int rp = http_query_get(q, "per_page", pp, sizeof pp);
	if (rp < 0)
		submit_error(errors, "per_page", "per_page must be an integer from 1 to 100.");
	else if (rp == 1)
		per_page = simapi_per_page(pp, errors);
	int rc = http_query_get(q, "cursor", cur, sizeof cur);
	if (rc < 0)
		submit_error(errors, "cursor",
			     "cursor is not one this API returned (use next_cursor).");
	else if (rc == 1 && *cur)
		simapi_cursor(cur, &cursor, errors);
	struct page_out p;
	if (!simapi_list_begin(r, errors, &p))
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
		char *j = simapi_json_take(simwh_attempt_json(a));
		simapi_page_item(&p, j);
		free(j);
		last = i + 1;
	}
	char next[32];
	snprintf(next, sizeof next, "cur_%llu", (unsigned long long)last);
	simapi_reply(r, 200, simapi_page_end(&p, more, more ? next : NULL));
}

static struct sim_attempt *attempt_or_404(struct sim_req *r, const char *id)
{
	struct sim_attempt *a = simapi_valid_id(id, "wha_") ? simwh_find_attempt(r->s, id) : NULL;
	if (!a)
		simapi_no_such(r, "webhook attempt", id);
	return a;
}

void simapi_get_attempt(struct sim_req *r, const char *id)
{
	struct sim_attempt *a = attempt_or_404(r, id);
	if (a)
		simapi_reply(r, 200, simapi_json_take(simwh_attempt_json(a)));
}

void simapi_retry_attempt(struct sim_req *r, const char *id)
{
	struct sim_attempt *a = attempt_or_404(r, id);
	if (!a)
		return;
	simapi_reply(r, 202, simapi_json_take(simwh_attempt_json(simwh_retry(r->s, a))));
}
