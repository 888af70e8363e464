/* Health banners: see health.h. */
#include "config.h"
#include "core/base/names.h"

#include <stdio.h>
#include <string.h>

#include "app/health.h"
#include "core/model/event.h"
#include "tui/widgets/format.h"

NAME_TABLE(titles, health_kind_title, enum health_kind, HEALTH_KIND_LIST, HEALTH_COUNT, "?")

void health_init(struct health *h)
{
	memset(h, 0, sizeof *h);
	for (int k = 0; k < HEALTH_COUNT; k++)
		h->since[k] = TS_NONE;
	h->api_failing_since = TS_NONE;
	h->next_change_ms = -1;
}

static bool api_unreachable(const struct api_conn_state *s)
{
	if (!s || s->auth_failed || s->consecutive_failures == 0)
		return false;
	/* "down" after a few failures; at start-up, the first one already
	 * says the API has not been reached at all. */
	return s->state == API_CONN_DOWN || s->last_ok_ms == TS_NONE;
}

static bool balance_known(const struct health_input *in)
{
	return in->balance && in->balance->known;
}

/* Whether each condition holds now. */
static void health_detect(const struct health_input *in, bool *on)
{
	const struct webhook_refusals *r = in->refusals;

	on[HEALTH_KEY_REFUSED] = in->api && in->api->auth_failed;
	on[HEALTH_API_DOWN] = api_unreachable(in->api);
	on[HEALTH_STORE] = !in->store_ok;
	on[HEALTH_SHARED] = in->shared_error && in->shared_error[0];
	on[HEALTH_SECRET] = r && r->streak >= WEBHOOK_SECRET_STREAK;
	on[HEALTH_SIGNATURES] = r && r->recent > 0;
	on[HEALTH_CATCHUP] = in->catchup_warning && in->catchup_warning[0];
	on[HEALTH_OUT] = balance_known(in) && in->balance->available <= 0;
	on[HEALTH_LOW] = balance_known(in) && !on[HEALTH_OUT] &&
		(in->balance->below_threshold ||
		 (in->low_balance_cents >= 0 && in->balance->available < in->low_balance_cents));
}

static void health_text(struct health *h, enum health_kind k, const struct health_input *in)
{
	char *buf = h->text[k], since[24], last[24], amt[32], limit[32];
	size_t len = sizeof h->text[k];
	const struct webhook_refusals *r = in->refusals;
	const char *cur = balance_known(in) ? in->balance->currency : NULL;
	const char *old = in->balance_fresh ? "" : " (an old reading: the API was not read yet)";

	fmt_when(h->since[k], in->now_ms, since, sizeof since);
	switch (k) {
	case HEALTH_KEY_REFUSED:
		snprintf(buf, len, "API key refused since %s: check MINTFAX_API_KEY (%.200s)",
			 since, in->api->last_error);
		break;
	case HEALTH_API_DOWN:
		snprintf(buf, len, "API unreachable since %s: %.200s", since, in->api->last_error);
		break;
	case HEALTH_STORE:
		snprintf(buf, len, "store not writable since %s: %.200s; webhooks are answered 503",
			 since, in->store_error && *in->store_error ? in->store_error : "?");
		break;
	case HEALTH_SHARED:
		snprintf(buf, len,
			 "shared store unreachable since %s: %.200s; webhooks are answered 503, "
			 "reconnecting",
			 since, in->shared_error);
		break;
	case HEALTH_SECRET:
		snprintf(buf, len,
			 "webhook secret unusable since %s: check MINTFAX_WEBHOOK_SECRET "
			 "(%u signatures in a row match no secret: %s)",
			 since, r->streak, r->last_reason);
		break;
	case HEALTH_SIGNATURES:
		/* Count, times and peer first: the reason may be cut at 80
		 * columns. The window is ten minutes. */
		fmt_when(r->oldest_ms, in->now_ms, since, sizeof since);
		fmt_when(r->last_ms, in->now_ms, last, sizeof last);
		snprintf(buf, len, "%s%u signatures refused since %s, last %s from %s: %s",
			 r->more ? "over " : "", r->recent, since, last, r->last_peer,
			 r->last_reason);
		break;
	case HEALTH_CATCHUP:
		/* The poller's line is sanitised already; events may be missing
		 * until a round reads to the end again. */
		snprintf(buf, len, "catch-up stopped short since %s: %.240s", since,
			 in->catchup_warning);
		break;
	case HEALTH_OUT:
		fmt_cents(in->balance->available, cur, amt, sizeof amt);
		snprintf(buf, len,
			 "OUT of credit since %s: %s available, nothing can be sent until "
			 "a top-up%s",
			 since, amt, old);
		break;
	case HEALTH_LOW:
		fmt_cents(in->balance->available, cur, amt, sizeof amt);
		fmt_cents(in->low_balance_cents, cur, limit, sizeof limit);
		snprintf(buf, len, "balance LOW since %s: %s available%s%s%s", since, amt,
			 in->low_balance_cents >= 0 ? ", alert below " : "",
			 in->low_balance_cents >= 0 ? limit : "", old);
		break;
	case HEALTH_COUNT:
		break;
	}
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h;
}

uint64_t health_update(struct health *h, const struct health_input *in)
{
	bool on[HEALTH_COUNT];
	uint64_t key = 1469598103934665603ULL;

	if (in->api && in->api->consecutive_failures == 0)
		h->api_failing_since = TS_NONE;
	else if (in->api && h->api_failing_since == TS_NONE)
		h->api_failing_since = in->now_ms;
	health_detect(in, on);
	h->next_change_ms = -1;
	for (int k = 0; k < HEALTH_COUNT; k++) {
		if (on[k] && !h->active[k])
			h->since[k] = k == HEALTH_API_DOWN ? h->api_failing_since
				: k == HEALTH_SECRET       ? in->refusals->streak_since_ms
							   : in->now_ms;
		if (!on[k])
			h->since[k] = TS_NONE;
		h->active[k] = on[k];
		if (!on[k])
			continue;
		health_text(h, (enum health_kind)k, in);
		key = fnv(key, &k, sizeof k);
		key = fnv(key, h->text[k], strlen(h->text[k]));
	}
	/* The header's own words for the sources count as health too. */
	if (in->api) {
		key = fnv(key, &in->api->state, sizeof in->api->state);
		if (in->api->state != API_CONN_OK)
			key = fnv(key, in->api->last_error, strlen(in->api->last_error));
	}
	key = fnv(key, &in->listener_ok, sizeof in->listener_ok);
	key = fnv(key, &in->balance_fresh, sizeof in->balance_fresh);
	if (on[HEALTH_SIGNATURES])
		h->next_change_ms =
			in->refusals->oldest_ms + HEALTH_REFUSAL_WINDOW_MS + 1 - in->now_ms;
	h->key = key;
	return key;
}

size_t health_banners(const struct health *h, const char **text, enum health_kind *kinds,
		      size_t max)
{
	size_t n = 0;

	for (int k = 0; k < HEALTH_COUNT && n < max; k++) {
		if (!h->active[k])
			continue;
		text[n] = h->text[k];
		kinds[n] = (enum health_kind)k;
		n++;
	}
	return n;
}
