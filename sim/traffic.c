/* The built-in traffic driver (--rate): faxes to made-up numbers at random
 * (exponential) gaps, all drawn from the seed, so the same seed gives the
 * same traffic. The first faxes come in a quick burst and two of them fail
 * fast, so a fresh demo has failures to resubmit within its first minute:
 * one with a terminal code, one with a retryable code on a fax allowed a
 * single attempt, as the contract says fax.failed may. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "sim/sim_int.h"
#include "sim/submit.h"

#define TRAFFIC_BURST        4
#define TRAFFIC_BURST_GAP_MS 3000
#define TRAFFIC_TOPUP_CENTS  10000

static const char *const departments[] = { "billing", "claims", "intake", "records", "legal" };

static void arm(struct sim *s, int64_t sim_ms)
{
	ev_timer_set(&s->traffic_timer, sim_delay(&s->base, sim_ms), 0.);
	ev_timer_start(s->loop, &s->traffic_timer);
}

static void force_quick_failure(struct sim_fax *fx, const char *code)
{
	struct outcome_plan *p = &fx->plan;
	for (int i = 0; i < OUTCOME_MAX_ATTEMPTS; i++)
		p->codes[i] = NULL;
	p->codes[0] = code;
	p->n_attempts = 1;
	p->delivered = false;
	p->attempt_ms[0] = OUTCOME_MIN_ATTEMPT_MS;
}

static void send_one(struct sim *s)
{
	struct simrng *r = &s->traffic_rng;
	char to[24], tag[64];
	/* North American numbers outside the 500-555 sandbox block. */
	snprintf(to, sizeof to, "+1%03d%03d%04d", (int)simrng_range(r, 201, 989),
		 (int)simrng_range(r, 200, 999), (int)simrng_range(r, 0, 9999));
	snprintf(tag, sizeof tag, "dept=%s",
		 departments[simrng_range(
			 r, 0, (int64_t)(sizeof departments / sizeof departments[0]) - 1)]);
	int max_attempts = (int)simrng_range(r, 2, 4);

	struct submit_req req;
	submit_req_init(&req);
	req.to = to;
	/* The third fails fast with busy, a retryable code: only a fax with
	 * one attempt may end that way after one (the contract, docs/CONTRACT.md#failure-codes). */
	req.max_attempts = s->traffic_n + 1 == 3 ? 1 : max_attempts;
	req.tags[0].key = (char *)"dept";
	req.tags[0].value = tag + 5;
	req.n_tags = 1;
	s->traffic_n++;
	if (s->o.auto_topup && s->available < 40 * SIM_CENTS_PER_PAGE)
		engine_topup(s, TRAFFIC_TOPUP_CENTS);
	struct sim_fax *fx = NULL;
	enum engine_result er = engine_submit(s, &req, NULL, NULL, &fx);
	if (er == ENGINE_OK && s->traffic_n == 2)
		force_quick_failure(fx, "invalid_number");
	else if (er == ENGINE_OK && s->traffic_n == 3)
		force_quick_failure(fx, "busy");
	else if (er == ENGINE_NO_BALANCE)
		sim_log(&s->base, 2, "traffic: insufficient balance for a fax to %s", to);
}

static void traffic_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct sim *s = w->data;
	send_one(s);
	if (s->o.traffic_limit && s->traffic_n >= s->o.traffic_limit)
		return;
	if (s->traffic_n < TRAFFIC_BURST)
		arm(s, TRAFFIC_BURST_GAP_MS);
	else
		arm(s, (int64_t)(simrng_exp(&s->traffic_rng, 60000.0 / s->o.rate)));
}

void traffic_start(struct sim *s)
{
	ev_init(&s->traffic_timer, traffic_cb);
	s->traffic_timer.data = s;
	if (s->o.rate > 0)
		arm(s, 0);
}

void traffic_stop(struct sim *s)
{
	ev_timer_stop(s->loop, &s->traffic_timer);
}
