/* Every event the sim fires: serialised once into the envelope
 * {id,type,created,data:{object}}, kept for GET /events (also when its
 * delivery fails or is dropped) and handed to the webhook sender. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/wire/event_parse.h"
#include "sim/sim_int.h"

static struct sim_event *store(struct sim *s, struct event *ev, const char *fax_id,
			       const char *fax_webhook_url)
{
	struct sim_event *se = calloc(1, sizeof(*se));
	if (!se)
		return NULL;
	snprintf(se->id, sizeof(se->id), "%s", ev->id);
	se->type = ev->type;
	se->created_ms = sim_now_ms(s);
	se->created = ev->created;
	se->seq = ++s->event_seq;
	snprintf(se->fax_id, sizeof(se->fax_id), "%s", fax_id ? fax_id : "");
	se->body = wire_event_to_json(ev);
	if (fax_webhook_url)
		se->fax_webhook_url = strdup(fax_webhook_url);
	if (!se->body || (fax_webhook_url && !se->fax_webhook_url) ||
	    simvec_push(&s->events, se) < 0) {
		sim_log(s, 3, "out of memory recording a %s event", event_type_name(ev->type));
		free(se->body);
		free(se->fax_webhook_url);
		free(se);
		return NULL;
	}
	se->len = strlen(se->body);
	s->stats.events++;
	return se;
}

static void fill_envelope(struct sim *s, struct event *ev, enum event_type t)
{
	char id[SIM_ID_LEN];
	simrng_id(&s->id_rng, "evt_", id, sizeof(id));
	ev->id = strdup(id);
	ev->type = t;
	ev->type_name = strdup(event_type_name(t));
	ev->created = sim_now_ms(s) / 1000;
}

struct sim_event *simev_emit_fax(struct sim *s, enum event_type t, const struct sim_fax *fx)
{
	struct event ev;
	event_init(&ev);
	fill_envelope(s, &ev, t);
	ev.object = EVOBJ_FAX;
	struct sim_event *se = NULL;
	if (ev.id && ev.type_name && fax_copy(&ev.fax, &fx->f) == 0)
		se = store(s, &ev, fx->f.id, fx->f.webhook_url);
	event_done(&ev);
	if (se) {
		sim_log(s, 0, "event %s %s %s", se->id, event_type_name(t), fx->f.id);
		simwh_dispatch(s, se);
	}
	return se;
}

struct sim_event *simev_emit_balance(struct sim *s, enum event_type t)
{
	struct event ev;
	event_init(&ev);
	fill_envelope(s, &ev, t);
	ev.object = EVOBJ_BALANCE;
	engine_balance_snapshot(s, &ev.balance);
	struct sim_event *se = NULL;
	if (ev.id && ev.type_name)
		se = store(s, &ev, NULL, NULL);
	event_done(&ev);
	if (se) {
		sim_log(s, 1, "event %s %s available=%lld held=%lld", se->id,
			event_type_name(t), (long long)s->available, (long long)s->held);
		simwh_dispatch(s, se);
	}
	return se;
}

long simev_index(const struct sim *s, const char *id)
{
	for (size_t i = s->events.n; i-- > 0;) {
		const struct sim_event *se = s->events.v[i];
		if (strcmp(se->id, id) == 0)
			return (long)i;
	}
	return -1;
}

void simev_free_all(struct sim *s)
{
	for (size_t i = 0; i < s->events.n; i++) {
		struct sim_event *se = s->events.v[i];
		free(se->body);
		free(se->fax_webhook_url);
		free(se);
	}
	simvec_done(&s->events);
}
