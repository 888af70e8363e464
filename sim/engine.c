/* The fax lifecycle (docs/CONTRACT.md#statuses, #failure-codes), driven by one ev_timer per fax and scaled by
 * --speed, and the money (docs/CONTRACT.md#balance): hold on submit, capture on delivery, release
 * on failure, balance.low on the crossing, balance.topup on a top-up. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/base/clock.h"
#include "core/base/xalloc.h"
#include "core/wire/event_parse.h"
#include "sim/sim_int.h"
#include "sim/submit.h"

#define SIM_ENVIRONMENT_ID       "env_sandbox"
#define SIM_DEFAULT_MAX_ATTEMPTS 3
/* submitted → first attempt, in simulated ms */
#define SIM_DIAL_MS 1000

static void step_submit(struct sim_fax *fx);
static void step_attempt_start(struct sim_fax *fx);
static void step_attempt_end(struct sim_fax *fx);

static void fax_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct sim_fax *fx = w->data;
	void (*step)(struct sim_fax *) = fx->step;
	fx->step = NULL;
	if (step)
		step(fx);
}

static void schedule(struct sim_fax *fx, int64_t sim_ms, void (*step)(struct sim_fax *))
{
	fx->step = step;
	ev_timer_stop(fx->sim->loop, &fx->timer);
	ev_timer_set(&fx->timer, sim_delay(&fx->sim->base, sim_ms), 0.);
	ev_timer_start(fx->sim->loop, &fx->timer);
}

/* The events module is handed the balance: it never asks the engine. */
static void emit_balance(struct sim *s, enum event_type t)
{
	struct balance_snapshot b;
	engine_balance_snapshot(s, &b);
	simev_emit_balance(s, t, &b);
	balance_snapshot_done(&b);
}

static void balance_moved(struct sim *s, int64_t before)
{
	int64_t thr = s->o.low_balance_threshold_cents;
	if (s->low_armed && before >= thr && s->available < thr) {
		s->low_armed = false;
		emit_balance(s, EV_BALANCE_LOW);
	}
}

bool engine_rejects_number(const char *to)
{
	struct outcome_plan p;
	outcome_plan(&p, 0, 0, to, 1, 0);
	return p.kind == OUTCOME_REJECT_VALIDATION;
}

static void add_tag(struct fax *f, size_t cap, const char *key, const char *value)
{
	if (!f->tags)
		f->tags = xcalloc(cap, sizeof *f->tags);
	struct fax_tag *tag = &f->tags[f->n_tags++];
	tag->key = xstrdup(key);
	tag->value = xstrdup(value ? value : "");
}

static void copy_request(struct fax *f, const struct submit_req *r, const struct sim_fax *orig,
			 const char *idem_key)
{
	const struct fax *o = orig ? &orig->f : NULL;
	f->to = xstrdup(r->to ? r->to : o ? o->to : NULL);
	f->max_attempts = r->max_attempts ? r->max_attempts
		: o                       ? o->max_attempts
					  : SIM_DEFAULT_MAX_ATTEMPTS;
	f->webhook_url = xstrdup(r->has_webhook_url ? r->webhook_url : o ? o->webhook_url : NULL);
	f->idempotency_key = xstrdup(idem_key);
	if (o) {
		/* docs/CONTRACT.md#assumptions: a resend copies these from the original. */
		f->csid = xstrdup(o->csid);
		f->page_size = xstrdup(o->page_size);
		f->resolution = xstrdup(o->resolution);
		f->optimize_for = xstrdup(o->optimize_for);
		f->resent_from = xstrdup(o->id);
		for (size_t i = 0; i < o->n_tags; i++)
			add_tag(f, o->n_tags, o->tags[i].key, o->tags[i].value);
	} else {
		f->csid = xstrdup(r->csid);
		f->page_size = xstrdup(r->page_size ? r->page_size : "letter");
		f->resolution = xstrdup(r->resolution ? r->resolution : "fine");
		f->optimize_for = xstrdup(r->optimize_for ? r->optimize_for : "text");
		for (size_t i = 0; i < r->n_tags; i++)
			add_tag(f, r->n_tags, r->tags[i].key, r->tags[i].value);
	}
}

enum engine_result engine_submit(struct sim *s, const struct submit_req *r,
				 const struct sim_fax *resent_from, const char *idem_key,
				 struct sim_fax **out)
{
	*out = NULL;
	const char *to = r->to ? r->to : resent_from ? resent_from->f.to : NULL;
	int max_attempts = r->max_attempts ? r->max_attempts
		: resent_from              ? resent_from->f.max_attempts
					   : SIM_DEFAULT_MAX_ATTEMPTS;
	struct outcome_plan plan;
	outcome_plan(&plan, s->o.seed, s->fax_seq + 1, to, max_attempts, s->o.failure_share);
	if (plan.kind == OUTCOME_REJECT_VALIDATION)
		return ENGINE_REJECTED;
	if (plan.kind == OUTCOME_REJECT_BALANCE)
		return ENGINE_NO_BALANCE;
	int64_t hold = (int64_t)plan.pages * SIM_CENTS_PER_PAGE;
	if (hold > s->available)
		return ENGINE_NO_BALANCE;

	struct sim_fax *fx = xcalloc(1, sizeof *fx);
	fax_init(&fx->f);
	char id[SIM_ID_LEN];
	simrng_id(&s->id_rng, "fax_", id, sizeof id);
	fx->f.id = xstrdup(id);
	copy_request(&fx->f, r, resent_from, idem_key);
	simvec_push(&s->faxes, fx);
	fx->sim = s;
	fx->seq = ++s->fax_seq;
	fx->plan = plan;
	fx->hold_cents = hold;
	fx->f.status = FAX_QUEUED;
	fx->f.created_at = fx->f.updated_at = sim_now_ms(&s->base);
	ev_init(&fx->timer, fax_timer_cb);
	fx->timer.data = fx;
	s->stats.faxes++;

	int64_t before = s->available;
	s->available -= hold;
	s->held += hold;
	/* fax.queued fires right after the 201 (docs/CONTRACT.md#send): the event is queued
	 * now and its delivery starts on a later loop iteration. */
	simev_emit_fax(s, EV_FAX_QUEUED, fx);
	balance_moved(s, before);
	schedule(fx, plan.submit_delay_ms, step_submit);
	*out = fx;
	return ENGINE_OK;
}

static void step_submit(struct sim_fax *fx)
{
	struct sim *s = fx->sim;
	fx->f.status = FAX_SUBMITTED;
	fx->f.submitted_at = fx->f.updated_at = sim_now_ms(&s->base);
	fx->f.pages = fx->plan.pages;
	schedule(fx, SIM_DIAL_MS, step_attempt_start);
}

static void step_attempt_start(struct sim_fax *fx)
{
	struct sim *s = fx->sim;
	struct fax *f = &fx->f;
	f->attempts = xrealloc(f->attempts, (f->n_attempts + 1) * sizeof *f->attempts);
	struct fax_attempt *a = &f->attempts[f->n_attempts++];
	fax_attempt_init(a);
	a->number = fx->attempt_idx + 1;
	a->started_at = sim_now_ms(&s->base);
	f->status = FAX_IN_PROGRESS;
	f->updated_at = a->started_at;
	simev_emit_fax(s, EV_FAX_SENDING, fx);
	schedule(fx, fx->plan.attempt_ms[fx->attempt_idx], step_attempt_end);
}

static void finish(struct sim_fax *fx, const char *code)
{
	struct sim *s = fx->sim;
	struct fax *f = &fx->f;
	f->completed_at = f->updated_at;
	s->held -= fx->hold_cents;
	if (!code) {
		f->status = FAX_DELIVERED;
		/* capture: the hold is spent */
		simev_emit_fax(s, EV_FAX_DELIVERED, fx);
		return;
	}
	f->status = FAX_FAILED;
	f->error_code = xstrdup(code);
	f->error_message = xstrdup(outcome_code_message(code));
	s->available += fx->hold_cents;
	simev_emit_fax(s, EV_FAX_FAILED, fx);
}

static void step_attempt_end(struct sim_fax *fx)
{
	struct sim *s = fx->sim;
	struct fax *f = &fx->f;
	struct fax_attempt *a = &f->attempts[f->n_attempts - 1];
	int idx = fx->attempt_idx;
	const char *code = fx->plan.codes[idx];
	a->completed_at = f->updated_at = sim_now_ms(&s->base);
	/* The elapsed time between the attempt's own timestamps: under --speed
	 * the planned (simulated) duration would disagree with them. */
	a->duration_ms = a->started_at != TS_NONE ? a->completed_at - a->started_at : 0;
	if (code) {
		a->error_code = xstrdup(code);
		a->error_message = xstrdup(outcome_code_message(code));
		if (strcmp(code, "internal_error") == 0)
			a->error_subcode = xstrdup("transient");
	}
	if (idx + 1 >= fx->plan.n_attempts) {
		finish(fx, fx->plan.delivered ? NULL : code);
		return;
	}
	/* docs/CONTRACT.md#assumptions: between attempts the fax keeps its last status. */
	fx->attempt_idx++;
	schedule(fx, OUTCOME_GAP_MS, step_attempt_start);
}

struct sim_fax *engine_find(struct sim *s, const char *id)
{
	for (size_t i = s->faxes.n; i-- > 0;) {
		struct sim_fax *fx = s->faxes.v[i];
		if (!fx->deleted && strcmp(fx->f.id, id) == 0)
			return fx;
	}
	return NULL;
}

void engine_stop_all(struct sim *s)
{
	for (size_t i = 0; i < s->faxes.n; i++) {
		struct sim_fax *fx = s->faxes.v[i];
		ev_timer_stop(s->loop, &fx->timer);
	}
}

void engine_free_all(struct sim *s)
{
	engine_stop_all(s);
	for (size_t i = 0; i < s->faxes.n; i++) {
		struct sim_fax *fx = s->faxes.v[i];
		fax_done(&fx->f);
		free(fx);
	}
	simvec_done(&s->faxes);
}

int engine_topup(struct sim *s, int64_t cents)
{
	if (cents <= 0 || cents > INT64_MAX / 4 || s->available > INT64_MAX / 2)
		return -1;
	s->available += cents;
	s->low_armed = true;
	emit_balance(s, EV_BALANCE_TOPUP);
	return 0;
}

void engine_balance_snapshot(const struct sim *s, struct balance_snapshot *b)
{
	balance_snapshot_init(b);
	b->has_available = b->has_held = true;
	b->available = s->available;
	b->held = s->held;
	b->environment_id = xstrdup(SIM_ENVIRONMENT_ID);
	b->currency = xstrdup("USD");
}

char *engine_balance_json(struct sim *s)
{
	struct json_object *j = json_object_new_object();
	struct json_object *at = json_object_new_object();
	if (!j || !at) {
		json_object_put(j);
		json_object_put(at);
		return NULL;
	}
	json_object_object_add(j, "type", json_object_new_string("sandbox"));
	json_object_object_add(j, "environment_id", json_object_new_string(SIM_ENVIRONMENT_ID));
	json_object_object_add(j, "available", json_object_new_int64(s->available));
	json_object_object_add(j, "held", json_object_new_int64(s->held));
	json_object_object_add(j, "currency", json_object_new_string("USD"));
	json_object_object_add(at, "enabled", json_object_new_boolean(s->o.auto_topup));
	json_object_object_add(at, "threshold_amount",
			       json_object_new_int64(s->o.low_balance_threshold_cents));
	json_object_object_add(at, "package_id", json_object_new_int(0));
	json_object_object_add(j, "auto_top_up", at);
	char *out = strdup(json_object_to_json_string_ext(
		j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(j);
	return out;
}
