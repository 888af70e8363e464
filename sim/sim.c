/* struct sim: options, the HTTP listener, the curl sender and the timers,
 * all on the caller's loop. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/api/curl_ev.h"
#include "core/http/http_server.h"
#include "core/base/log.h"
#include "core/base/xalloc.h"
#include "sim/sim_int.h"

#define SIM_MAX_BODY       (11u * 1024 * 1024) /* room for a 10 MB file and the form */
#define SIM_MAX_SEND_CONNS 16

void sim_opts_init(struct sim_opts *o)
{
	memset(o, 0, sizeof *o);
	o->listen = SIM_DEFAULT_LISTEN;
	o->seed = 1;
	o->speed = 1.0;
	o->initial_balance_cents = 5000;
	o->low_balance_threshold_cents = 1000;
	o->rate_limit_per_min = 600;
	o->failure_share = 0.2;
}

static void handler(struct http_request *req, void *ctx)
{
	sim_api_handle(ctx, req);
}

static int check_opts(const struct sim_opts *o, char *err, size_t errlen)
{
	if (!(o->speed > 0) || o->speed > 1e6) {
		snprintf(err, errlen, "speed must be above 0 and at most 1000000");
		return -1;
	}
	if (o->rate < 0 || o->rate > 1e6) {
		snprintf(err, errlen, "rate must be between 0 and 1000000 faxes per minute");
		return -1;
	}
	const double *p[] = { &o->duplicate, &o->drop, &o->api_errors, &o->failure_share };
	const char *names[] = { "duplicate", "drop", "api-errors", "failure-share" };
	for (int i = 0; i < 4; i++)
		if (!(*p[i] >= 0 && *p[i] <= 1)) {
			snprintf(err, errlen, "%s must be a probability between 0 and 1", names[i]);
			return -1;
		}
	if (o->reorder < 0 || o->reorder > 10000) {
		snprintf(err, errlen, "reorder must be between 0 and 10000");
		return -1;
	}
	if (o->slow_ms < 0 || o->slow_ms > 600000) {
		snprintf(err, errlen, "slow must be between 0 and 600000 ms");
		return -1;
	}
	if (o->rate_limit_per_min < 1 || o->rate_limit_per_min > 1000000) {
		snprintf(err, errlen, "rate limit must be between 1 and 1000000 per minute");
		return -1;
	}
	if (o->initial_balance_cents < 0 || o->low_balance_threshold_cents < 0) {
		snprintf(err, errlen, "balance and threshold must not be negative");
		return -1;
	}
	if (o->api_key && strncmp(o->api_key, "mfx_test_", 9) != 0) {
		snprintf(err, errlen, "the sandbox key must start with mfx_test_");
		return -1;
	}
	if (o->webhook_url && *o->webhook_url && strncmp(o->webhook_url, "http://", 7) != 0 &&
	    strncmp(o->webhook_url, "https://", 8) != 0) {
		snprintf(err, errlen, "webhook URL must start with http:// or https://");
		return -1;
	}
	return 0;
}

struct sim *sim_new(struct ev_loop *loop, const struct sim_opts *o, char *err, size_t errlen)
{
	if (check_opts(o, err, errlen) < 0)
		return NULL;
	struct sim *s = xcalloc(1, sizeof *s);
	s->loop = loop;
	s->o = *o;
	s->base = (struct sim_base){ .clock = o->clock, .log = o->log, .speed = o->speed };
	s->listen = xstrdup(o->listen ? o->listen : SIM_DEFAULT_LISTEN);
	s->secret = xstrdup(o->secret ? o->secret : SIM_DEFAULT_SECRET);
	s->api_key = xstrdup(o->api_key ? o->api_key : SIM_DEFAULT_KEY);
	if (o->webhook_url && *o->webhook_url)
		s->webhook_url = xstrdup(o->webhook_url);
	s->o.listen = s->listen;
	s->o.secret = s->secret;
	s->o.api_key = s->api_key;
	s->o.webhook_url = s->webhook_url;
	s->available = o->initial_balance_cents;
	s->low_armed = true;
	idem_init(&s->idem, IDEM_TTL_MS);
	simwh_init(s);
	ev_init(&s->traffic_timer, NULL);
	if (s->o.log) {
		log_add_secret(s->o.log, s->secret);
		log_add_secret(s->o.log, s->api_key);
	}
	if (sig_key_from_secret(s->secret, o->legacy_signatures ? SIG_LEGACY : SIG_STANDARD,
				&s->key, err, errlen) < 0)
		goto fail;
	/* Ids differ between runs (a demo's store may outlive one sim), while
	 * the traffic and the chaos decisions follow the seed alone. */
	simrng_seed(&s->id_rng, o->seed, (uint64_t)clock_now_ms(NULL) ^ (uint64_t)(uintptr_t)s);
	simrng_seed(&s->chaos_rng, o->seed, 2);
	simrng_seed(&s->traffic_rng, o->seed, 3);
	if (ratelimit_init(&s->other.rl, o->rate_limit_per_min, 60000) < 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	s->ce = curl_ev_new(loop);
	if (!s->ce) {
		snprintf(err, errlen, "cannot start the webhook sender");
		goto fail;
	}
	/* A burst of events queues behind a bounded set of kept-alive
	 * connections instead of opening one per delivery. */
	curl_multi_setopt(curl_ev_multi(s->ce), CURLMOPT_MAX_HOST_CONNECTIONS,
			  (long)SIM_MAX_SEND_CONNS);
	struct http_server_opts ho = {
		.max_header_bytes = 16 * 1024,
		.max_body_bytes = SIM_MAX_BODY,
		.max_connections = 512,
		.idle_timeout = 10,
		.server_name = "faxsim",
	};
	s->srv = http_server_new(loop, &ho, handler, s);
	if (!s->srv) {
		snprintf(err, errlen, "cannot create the HTTP server");
		goto fail;
	}
	if (http_server_listen(s->srv, s->listen, err, errlen) < 0)
		goto fail;
	snprintf(s->addr, sizeof s->addr, "%s", http_server_address(s->srv));
	if (!http_server_is_loopback(s->srv))
		sim_log(&s->base, 2, "listening on %s, which is not a loopback address", s->addr);
	traffic_start(s);
	return s;
fail:
	sim_free(s);
	return NULL;
}

const char *sim_address(const struct sim *s)
{
	return s->addr;
}

void sim_set_webhook_url(struct sim *s, const char *url)
{
	free(s->webhook_url);
	s->webhook_url = url && *url ? xstrdup(url) : NULL;
	s->o.webhook_url = s->webhook_url;
}

int sim_topup(struct sim *s, int64_t cents)
{
	return engine_topup(s, cents);
}

void sim_get_stats(const struct sim *s, struct sim_stats *out)
{
	*out = s->stats;
	out->available_cents = s->available;
	out->held_cents = s->held;
}

void sim_free(struct sim *s)
{
	if (!s)
		return;
	s->closing = true;
	traffic_stop(s);
	if (s->srv) {
		http_server_stop_accepting(s->srv);
		sim_api_abort_slow(s);
	}
	engine_free_all(s);
	simwh_free_all(s);
	simev_free_all(s);
	if (s->srv)
		http_server_free(s->srv);
	if (s->ce)
		curl_ev_free(s->ce);
	idem_done(&s->idem);
	for (size_t i = 0; i < s->n_buckets; i++)
		ratelimit_done(&s->buckets[i].rl);
	ratelimit_done(&s->other.rl);
	simvec_done(&s->slow);
	sig_key_wipe(&s->key);
	free(s->listen);
	free(s->secret);
	free(s->api_key);
	free(s->webhook_url);
	free(s);
}
