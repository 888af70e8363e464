/* /events (docs/CONTRACT.md#assumptions), the balance
 * (docs/CONTRACT.md#balance) and the sandbox's own /sim/topup. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/wire/event_parse.h"
#include "core/http/http_server.h"
#include "sim/api_int.h"
#include "sim/submit.h"

#define API_RETENTION_S (30LL * 24 * 3600)

void simapi_list_events(struct sim_req *r, const char *arg)
{
	struct sim *s = r->s;
	char after[SIM_ID_LEN + 16] = "", type[64] = "", pp[16] = "";
	struct json_object *errors = json_object_new_object();
	const char *q = http_request_query(r->req);
	int per_page = API_DEFAULT_EVENT_PAGE;
	int ra = http_query_get(q, "after", after, sizeof after);
	int rt = http_query_get(q, "type", type, sizeof type);
	int rp = http_query_get(q, "per_page", pp, sizeof pp);
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
		per_page = simapi_per_page(pp, errors);
	struct page_out p;
	if (!simapi_list_begin(r, errors, &p))
		return;
	int64_t horizon = sim_now_ms(&s->base) / 1000 - API_RETENTION_S;
	const char *last = NULL;
	bool more = false;
	for (size_t i = (size_t)start; i < s->events.n; i++) {
		const struct sim_event *se = s->events.v[i];
		if (se->created < horizon || (t != EV_UNKNOWN && se->type != t))
			continue;
		if ((more = p.count == (size_t)per_page))
			break;
		simapi_page_item(&p, se->body);
		last = se->id;
	}
	simapi_reply(r, 200, simapi_page_end(&p, more, last));
}

void simapi_get_event(struct sim_req *r, const char *id)
{
	long idx = simapi_valid_id(id, "evt_") ? simev_index(r->s, id) : -1;
	if (idx < 0) {
		simapi_no_such(r, "event", id);
		return;
	}
	const struct sim_event *se = r->s->events.v[idx];
	simapi_reply(r, 200, strdup(se->body));
}

void simapi_balance(struct sim_req *r, const char *arg)
{
	simapi_reply(r, 200, engine_balance_json(r->s));
}

void simapi_topup(struct sim_req *r, const char *arg)
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
		simapi_field_error(r, "body",
				   "The body must be a JSON object such as {\"amount\": 5000}.");
		return;
	}
	if (!json_object_object_get_ex(j, "amount", &amt) ||
	    !json_object_is_type(amt, json_type_int) || (cents = json_object_get_int64(amt)) < 1 ||
	    cents > 100000000) {
		json_object_put(j);
		simapi_field_error(
			r, "amount",
			"amount must be an integer number of cents from 1 to 100000000.");
		return;
	}
	json_object_put(j);
	if (engine_topup(r->s, cents) < 0) {
		simapi_field_error(r, "amount", "amount would overflow the balance.");
		return;
	}
	simapi_reply(r, 200, engine_balance_json(r->s));
}
