/* Every event the sim fires: serialised once into the envelope
 * {id,type,created,data:{object}}, kept for GET /events (also when its
 * delivery fails or is dropped) and handed to the webhook sender. A
 * balance event is handed its snapshot by the engine: nothing here calls
 * back up. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/base/xalloc.h"
#include "core/wire/event_parse.h"
#include "sim/sim_int.h"

/* The heap is the only way to fail here: an event is never dropped quietly. */
static struct sim_event *store(struct sim *s, struct event *ev, const char *fax_id,
			       const char *fax_webhook_url)
{
	struct sim_event *se = xcalloc(1, sizeof *se);
	snprintf(se->id, sizeof se->id, "%s", ev->id);
	se->type = ev->type;
	se->created_ms = sim_now_ms(&s->base);
	se->created = ev->created;
	se->seq = ++s->event_seq;
	snprintf(se->fax_id, sizeof se->fax_id, "%s", fax_id ? fax_id : "");
	se->body = wire_event_to_json(ev);
	if (!se->body)
		xalloc_die();
	se->fax_webhook_url = xstrdup(fax_webhook_url);
	simvec_push(&s->events, se);
	se->len = strlen(se->body);
	s->stats.events++;
	return se;
}

static void fill_envelope(struct sim *s, struct event *ev, enum event_type t)
{
	char id[SIM_ID_LEN];
	simrng_id(&s->id_rng, "evt_", id, sizeof id);
	ev->id = xstrdup(id);
	ev->type = t;
	ev->type_name = xstrdup(event_type_name(t));
	ev->created = sim_now_ms(&s->base) / 1000;
}

struct sim_event *simev_emit_fax(struct sim *s, enum event_type t, const struct sim_fax *fx)
{
	struct event ev;
	event_init(&ev);
	fill_envelope(s, &ev, t);
	ev.object = EVOBJ_FAX;
	fax_copy(&ev.fax, &fx->f);
	struct sim_event *se = store(s, &ev, fx->f.id, fx->f.webhook_url);
	event_done(&ev);
	sim_log(&s->base, 0, "event %s %s %s", se->id, event_type_name(t), fx->f.id);
	simwh_dispatch(s, se);
	return se;
}

struct sim_event *simev_emit_balance(struct sim *s, enum event_type t, struct balance_snapshot *b)
{
	struct event ev;
	event_init(&ev);
	fill_envelope(s, &ev, t);
	ev.object = EVOBJ_BALANCE;
	ev.balance = *b;
	balance_snapshot_init(b);
	struct sim_event *se = store(s, &ev, NULL, NULL);
	sim_log(&s->base, 1, "event %s %s available=%lld held=%lld", se->id, event_type_name(t),
		(long long)ev.balance.available, (long long)ev.balance.held);
	event_done(&ev);
	simwh_dispatch(s, se);
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
