/* Health banners (app/health.c): each condition appears with the time it
 * began, keeps that time while it lasts, and goes away when it clears; the
 * key moves whenever anything shown about health changes; the refused
 * signatures banner expires ten minutes after the oldest refusal. */
#include "config.h"

#include <string.h>

#include "app/health.h"
#include "app/rate.h"
#include "tests/unit/unit.h"

#define T0 1800000000000LL

static struct api_conn_state api_ok(void)
{
	struct api_conn_state s;

	memset(&s, 0, sizeof s);
	s.state = API_CONN_OK;
	s.last_ok_ms = T0 - 1000;
	s.last_error_ms = TS_NONE;
	return s;
}

static size_t banners(const struct health *h, const char **text, enum health_kind *kinds)
{
	return health_banners(h, text, kinds, HEALTH_COUNT);
}

static void test_health_api(void)
{
	struct health h;
	struct api_conn_state api = api_ok();
	struct health_input in = {
		.now_ms = T0, .api = &api, .store_ok = true, .low_balance_cents = -1
	};
	const char *text[HEALTH_COUNT];
	enum health_kind kinds[HEALTH_COUNT];
	uint64_t k0, k1;

	health_init(&h);
	k0 = health_update(&h, &in);
	CU_ASSERT_EQUAL(banners(&h, text, kinds), 0);
	/* a refused key: shown with its fix, at once */
	api.state = API_CONN_DOWN;
	api.auth_failed = true;
	api.consecutive_failures = 1;
	snprintf(api.last_error, sizeof api.last_error, "unauthenticated (HTTP 401)");
	in.now_ms = T0 + 5000;
	k1 = health_update(&h, &in);
	CU_ASSERT(k1 != k0);
	CU_ASSERT_EQUAL_FATAL(banners(&h, text, kinds), 1);
	CU_ASSERT_EQUAL(kinds[0], HEALTH_KEY_REFUSED);
	CU_ASSERT_PTR_NOT_NULL(strstr(text[0], "check MINTFAX_API_KEY"));
	CU_ASSERT_EQUAL(h.since[HEALTH_KEY_REFUSED], T0 + 5000);
	/* the same state later: same key, same start */
	in.now_ms = T0 + 9000;
	CU_ASSERT_EQUAL(health_update(&h, &in), k1);
	CU_ASSERT_EQUAL(h.since[HEALTH_KEY_REFUSED], T0 + 5000);
	/* unreachable instead: since the first failure of the run */
	api.auth_failed = false;
	api.consecutive_failures = 3;
	snprintf(api.last_error, sizeof api.last_error, "Couldn't connect to server");
	in.now_ms = T0 + 12000;
	CU_ASSERT(health_update(&h, &in) != k1);
	CU_ASSERT_EQUAL_FATAL(banners(&h, text, kinds), 1);
	CU_ASSERT_EQUAL(kinds[0], HEALTH_API_DOWN);
	CU_ASSERT_EQUAL(h.since[HEALTH_API_DOWN], T0 + 5000);
	CU_ASSERT_PTR_NOT_NULL(strstr(text[0], "API unreachable since"));
	/* degraded after having answered: no banner (the header says it) */
	api.state = API_CONN_DEGRADED;
	api.consecutive_failures = 1;
	CU_ASSERT_EQUAL(health_update(&h, &in) != k0, true);
	CU_ASSERT_EQUAL(banners(&h, text, kinds), 0);
	/* cleared */
	api = api_ok();
	in.now_ms = T0 + 20000;
	CU_ASSERT_EQUAL(health_update(&h, &in), k0);
	CU_ASSERT_EQUAL(banners(&h, text, kinds), 0);
	CU_ASSERT_EQUAL(h.since[HEALTH_API_DOWN], TS_NONE);
}

static void test_health_webhooks_store_money(void)
{
	struct health h;
	struct webhook_refusals r;
	struct model_balance b;
	struct health_input in = { .now_ms = T0,
				   .store_ok = true,
				   .refusals = &r,
				   .balance = &b,
				   .balance_fresh = true,
				   .low_balance_cents = 1000 };
	const char *text[HEALTH_COUNT];
	enum health_kind kinds[HEALTH_COUNT];

	memset(&r, 0, sizeof r);
	r.oldest_ms = r.last_ms = r.streak_since_ms = TS_NONE;
	r.last_reason = "";
	memset(&b, 0, sizeof b);
	b.known = true;
	b.available = 5000;
	health_init(&h);
	health_update(&h, &in);
	CU_ASSERT_EQUAL(banners(&h, text, kinds), 0);
	CU_ASSERT_EQUAL(h.next_change_ms, -1);

	/* three refusals in a row: the secret, and the recent refusals */
	r.recent = r.streak = 3;
	r.oldest_ms = r.streak_since_ms = T0 - 60000;
	r.last_ms = T0 - 1000;
	r.last_reason = "signature_mismatch";
	snprintf(r.last_peer, sizeof r.last_peer, "127.0.0.1:5000");
	health_update(&h, &in);
	CU_ASSERT_EQUAL_FATAL(banners(&h, text, kinds), 2);
	CU_ASSERT_EQUAL(kinds[0], HEALTH_SECRET);
	CU_ASSERT_EQUAL(kinds[1], HEALTH_SIGNATURES);
	CU_ASSERT_EQUAL(h.since[HEALTH_SECRET], T0 - 60000);
	CU_ASSERT_PTR_NOT_NULL(strstr(text[1], "from 127.0.0.1:5000"));
	/* the banner expires ten minutes after the oldest refusal */
	CU_ASSERT_EQUAL(h.next_change_ms, HEALTH_REFUSAL_WINDOW_MS - 60000 + 1);
	/* one accepted: the streak ends, the recent refusals stay */
	r.streak = 0;
	r.streak_since_ms = TS_NONE;
	health_update(&h, &in);
	CU_ASSERT_EQUAL_FATAL(banners(&h, text, kinds), 1);
	CU_ASSERT_EQUAL(kinds[0], HEALTH_SIGNATURES);
	r.recent = 0;

	/* the store, then money: low, out (with an old reading said so) */
	in.store_ok = false;
	in.store_error = "begin batch: database is locked";
	b.available = 900;
	in.now_ms = T0 + 1000;
	health_update(&h, &in);
	CU_ASSERT_EQUAL_FATAL(banners(&h, text, kinds), 2);
	CU_ASSERT_EQUAL(kinds[0], HEALTH_STORE);
	CU_ASSERT_EQUAL(kinds[1], HEALTH_LOW);
	CU_ASSERT_PTR_NOT_NULL(strstr(text[0], "database is locked"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text[1], "$9.00"));
	in.store_ok = true;
	b.available = 0;
	in.balance_fresh = false;
	in.now_ms = T0 + 2000;
	health_update(&h, &in);
	CU_ASSERT_EQUAL_FATAL(banners(&h, text, kinds), 1);
	CU_ASSERT_EQUAL(kinds[0], HEALTH_OUT);
	CU_ASSERT_EQUAL(h.since[HEALTH_OUT], T0 + 2000);
	CU_ASSERT_PTR_NOT_NULL(strstr(text[0], "old reading"));
	/* a top-up clears it */
	b.available = 100000;
	health_update(&h, &in);
	CU_ASSERT_EQUAL(banners(&h, text, kinds), 0);
}

/* Events per minute is live traffic: history a catch-up reads is counted
 * apart, for the run it came in, and only while that run goes on. */
/* A catch-up that stopped short (a cycling cursor, the page cap) is a
 * banner from the poller's warning, gone once a round reads to the end. */
static void test_health_catchup(void)
{
	struct health h;
	struct health_input in = {
		.now_ms = T0, .store_ok = true, .low_balance_cents = -1, .catchup_warning = ""
	};
	const char *text[HEALTH_COUNT];
	enum health_kind kinds[HEALTH_COUNT];
	uint64_t k0;

	health_init(&h);
	k0 = health_update(&h, &in);
	CU_ASSERT_EQUAL(banners(&h, text, kinds), 0);
	in.catchup_warning = "the API handed back cursor evt_a again: catch-up stopped";
	in.now_ms = T0 + 2000;
	CU_ASSERT(health_update(&h, &in) != k0);
	CU_ASSERT_EQUAL_FATAL(banners(&h, text, kinds), 1);
	CU_ASSERT_EQUAL(kinds[0], HEALTH_CATCHUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(text[0], "cursor evt_a again"));
	CU_ASSERT_EQUAL(h.since[HEALTH_CATCHUP], T0 + 2000);
	in.catchup_warning = "";
	in.now_ms = T0 + 4000;
	health_update(&h, &in);
	CU_ASSERT_EQUAL(banners(&h, text, kinds), 0);
}

static void test_rate_live_and_catchup(void)
{
	struct rate r = { .run = 0 };
	const int64_t now = 1800000000;

	for (int i = 0; i < 9379; i++)
		rate_count(&r, now, now - 3600, 7);
	rate_count(&r, now, now - 5, 7);    /* a catch-up of the last minute: live */
	rate_count(&r, now, now, 0);        /* a webhook */
	rate_count(&r, now, now - 3600, 0); /* a late webhook is live too */
	rate_count(&r, now, 0, 7);          /* no creation time: live */
	CU_ASSERT_DOUBLE_EQUAL(rate_per_min(&r, now), 4, 1e-9);
	CU_ASSERT_EQUAL(rate_catchup(&r, true, 7), 9379);
	CU_ASSERT_EQUAL(rate_catchup(&r, false, 7), 0);
	CU_ASSERT_EQUAL(rate_catchup(&r, true, 8), 0);
	rate_count(&r, now + 1, now - 3600, 8);
	CU_ASSERT_EQUAL(rate_catchup(&r, true, 8), 1);
	/* a minute later the live ones have left the window */
	CU_ASSERT_DOUBLE_EQUAL(rate_per_min(&r, now + 60), 0, 1e-9);
}

static const struct unit_test tests[] = {
	{ "a catch-up stopped short is a banner until it reads to the end", test_health_catchup },
	{ "events per minute: live only, catch-up apart", test_rate_live_and_catchup },
	{ "API banners: refused key, unreachable, cleared", test_health_api },
	{ "webhook, store and money banners", test_health_webhooks_store_money },
	{ NULL, NULL },
};

UNIT_SUITE(health, NULL, NULL, tests);
