#include <ev.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/api/api_client.h"
#include "core/base/clock.h"
#include "core/model/event.h"
#include "core/store/ingest.h"
#include "core/base/log.h"
#include "core/model/model.h"
#include "core/api/poller.h"
#include "core/store/store.h"
#include "tests/unit/test_peer.h"
#include "tests/unit/unit.h"

#define KEY "mfx_test_pollerkey0123456789"

#define FAX_A(status, extra)                                                               \
	"{\"id\":\"fax_a\",\"status\":\"" status "\",\"to\":\"+15005550001\",\"tags\":{}," \
	"\"created_at\":\"2026-11-23T06:00:00Z\",\"updated_at\":\"2026-11-23T06:00:0" extra "Z\"}"
#define FAX_B                                                                          \
	"{\"id\":\"fax_b\",\"status\":\"queued\",\"to\":\"+15005550002\",\"tags\":{}," \
	"\"created_at\":\"2026-11-23T06:01:00Z\",\"updated_at\":\"2026-11-23T06:01:00Z\"}"
#define EVT(id, type, created, obj)                                      \
	"{\"id\":\"" id "\",\"type\":\"" type "\",\"created\":" #created \
	",\"data\":{\"object\":" obj "}}"

static const char page1[] =
	"{\"data\":[" EVT("evt_a1", "fax.queued", 1795413600, FAX_A("queued", "0")) "," EVT(
		"evt_a2", "fax.sending", 1795413601,
		FAX_A("in_progress", "1")) "],"
					   "\"has_more\":true,\"next_cursor\":\"evt_a2\"}";
static const char page2[] =
	"{\"data\":[" EVT("evt_a3", "fax.delivered", 1795413602, FAX_A("delivered", "2")) "," EVT(
		"evt_b1", "fax.queued", 1795413660,
		FAX_B) "],"
		       "\"has_more\":false,\"next_cursor\":\"evt_b1\"}";
static const char empty_page[] = "{\"data\":[],\"has_more\":false,\"next_cursor\":null}";
static const char balance[] =
	"{\"type\":\"sandbox\",\"available\":25000,\"held\":300,"
	"\"auto_top_up\":{\"enabled\":false,\"threshold_amount\":0,\"package_id\":1}}";

struct fx {
	struct ev_loop *loop;
	struct peer *peer;
	struct clock_manual mclock;
	const struct clock *clock;
	struct log *log;
	struct store *store;
	struct model *model;
	struct ingest *in;
	struct api_client *api;
	struct poller *p;
	char db[512];
	struct poller_opts po;
	int auth_calls;
	char auth_msg[256];
};

static void fx_auth(void *ctx, const char *msg)
{
	struct fx *f = ctx;

	f->auth_calls++;
	snprintf(f->auth_msg, sizeof f->auth_msg, "%s", msg);
}

static void fx_start_poller(struct fx *f)
{
	f->p = poller_new(f->loop, f->api, f->in, f->store, f->model, f->clock, f->log, &f->po);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->p);
	poller_start(f->p);
}

static void fx_init(struct fx *f, const char *name, bool manual)
{
	char err[256] = "";
	static int seq;

	memset(f, 0, sizeof *f);
	f->loop = ev_loop_new(EVFLAG_AUTO);
	f->peer = peer_new(f->loop);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->peer);
	clock_manual_init(&f->mclock, 1795413700000);
	f->clock = manual ? &f->mclock.clock : NULL;
	f->log = log_new(NULL, LOG_DEBUG);
	snprintf(f->db, sizeof f->db, "%s/%s-%d.db", unit_tmpdir(), name, ++seq);
	struct store_opts so = { .path = f->db, .retention_days = 0, .recent_events = 100 };
	f->store = store_open(&so, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->store);
	store_attach(f->store, f->loop);
	f->model = model_new(NULL);
	f->in = ingest_new(f->store, f->model, f->clock);
	struct api_client_opts ao = {
		.base_url = peer_url(f->peer, "/v1"),
		.api_key = KEY,
		.log = f->log,
		.clock = f->clock,
	};
	f->api = api_client_new(f->loop, &ao, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->api);
	f->po.poll_interval = 15;
	f->po.balance_interval = 30;
	f->po.stale_after = 60;
	f->po.on_auth_error = fx_auth;
	f->po.auth_ctx = f;
	peer_route(f->peer, "GET", "/v1/environment/balance", 200, NULL, balance);
}

static void fx_done(struct fx *f)
{
	poller_free(f->p);
	api_client_free(f->api);
	store_detach(f->store);
	ingest_free(f->in);
	store_close(f->store);
	model_free(f->model);
	peer_free(f->peer);
	log_free(f->log);
	ev_loop_destroy(f->loop);
}

static int polled_ok(void *ctx)
{
	struct fx *f = ctx;
	const struct poller_state *st = poller_state(f->p);

	return st->last_poll_ok_ms != TS_NONE && st->catchup_in_flight == 0 &&
		st->balance_in_flight == 0 && st->refresh_in_flight == 0 &&
		!store_pending(f->store);
}

static int polled_fail(void *ctx)
{
	struct fx *f = ctx;
	const struct poller_state *st = poller_state(f->p);

	return st->errors > 0 && st->catchup_in_flight == 0;
}

static void test_catchup_pages_and_cursor(void)
{
	struct fx f;
	char cursor[128];
	size_t last = 0;

	fx_init(&f, "catchup", false);
	peer_route(f.peer, "GET", "/v1/events?per_page=100", 200, NULL, page1);
	peer_route(f.peer, "GET", "/v1/events?after=evt_a2&", 200, NULL, page2);
	peer_route(f.peer, "GET", "/v1/events?after=evt_b1&", 200, NULL, empty_page);
	fx_start_poller(&f);
	CU_ASSERT_TRUE_FATAL(peer_run_until_fn(f.loop, polled_ok, &f, 10.0));

	const struct poller_state *st = poller_state(f.p);
	CU_ASSERT_EQUAL(peer_count_paths(f.peer, "/v1/events", NULL), 2);
	CU_ASSERT_EQUAL(st->pages, 2);
	CU_ASSERT_EQUAL(st->events_seen, 4);
	CU_ASSERT_EQUAL(st->events_accepted, 4);
	CU_ASSERT_STRING_EQUAL(st->cursor, "evt_b1");
	CU_ASSERT_FALSE(st->events_fallback);
	CU_ASSERT_EQUAL(store_event_count(f.store), 4);
	CU_ASSERT_EQUAL(store_meta_get(f.store, POLLER_CURSOR_KEY, cursor, sizeof cursor), 0);
	CU_ASSERT_STRING_EQUAL(cursor, "evt_b1");
	const struct model_fax *a = model_get(f.model, "fax_a");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->fax.status, FAX_DELIVERED);
	CU_ASSERT_PTR_NOT_NULL(model_get(f.model, "fax_b"));
	CU_ASSERT_TRUE(model_balance(f.model)->known);
	CU_ASSERT_EQUAL(model_balance(f.model)->available, 25000);
	CU_ASSERT_EQUAL(f.auth_calls, 0);

	/* A restart picks the cursor up from the store. */
	poller_free(f.p);
	fx_start_poller(&f);
	CU_ASSERT_STRING_EQUAL(poller_state(f.p)->cursor, "evt_b1");
	CU_ASSERT_TRUE_FATAL(peer_run_until_fn(f.loop, polled_ok, &f, 10.0));
	CU_ASSERT_EQUAL(peer_count_paths(f.peer, "/v1/events", &last), 3);
	CU_ASSERT_STRING_EQUAL(peer_req(f.peer, last)->path,
			       "/v1/events?after=evt_b1&per_page=100");
	CU_ASSERT_EQUAL(store_event_count(f.store), 4);
	fx_done(&f);
}

/* One item that is not an event (here "created" is a word) is quarantined
 * with its reason; the others are stored and the cursor moves past it, by
 * its id since the page gives no next_cursor. Before, the whole page was
 * refused and the cursor could never pass the poisoned event. */
static void test_poisoned_item_skipped(void)
{
	static const char poisoned[] =
		"{\"data\":[" EVT("evt_a1", "fax.queued", 1795413600, FAX_A("queued", "0")) "," EVT(
			"evt_b1", "fax.queued", 1795413660,
			FAX_B) ","
			       "{\"id\":\"evt_bad\",\"type\":\"fax.queued\",\"created\":\"soon\"}],"
			       "\"has_more\":true,\"next_cursor\":null}";
	struct fx f;
	char cursor[128];
	sqlite3 *db;
	sqlite3_stmt *st;

	fx_init(&f, "poison", false);
	peer_route(f.peer, "GET", "/v1/events?per_page=100", 200, NULL, poisoned);
	peer_route(f.peer, "GET", "/v1/events?after=evt_bad&", 200, NULL, empty_page);
	fx_start_poller(&f);
	CU_ASSERT_TRUE_FATAL(peer_run_until_fn(f.loop, polled_ok, &f, 10.0));
	CU_ASSERT_EQUAL(poller_state(f.p)->events_seen, 3);
	CU_ASSERT_EQUAL(poller_state(f.p)->events_accepted, 2);
	CU_ASSERT_EQUAL(peer_count_paths(f.peer, "/v1/events?after=evt_bad&", NULL), 1);
	CU_ASSERT_STRING_EQUAL(poller_state(f.p)->cursor, "evt_bad");
	CU_ASSERT_EQUAL(store_meta_get(f.store, POLLER_CURSOR_KEY, cursor, sizeof cursor), 0);
	CU_ASSERT_STRING_EQUAL(cursor, "evt_bad");
	CU_ASSERT_EQUAL(store_event_count(f.store), 2);
	CU_ASSERT_EQUAL(store_has_event(f.store, "evt_bad"), 0);
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(f.db, &db), SQLITE_OK);
	CU_ASSERT_EQUAL_FATAL(
		sqlite3_prepare_v2(db, "SELECT reason, raw FROM quarantine", -1, &st, NULL),
		SQLITE_OK);
	CU_ASSERT_EQUAL_FATAL(sqlite3_step(st), SQLITE_ROW);
	CU_ASSERT_PTR_NOT_NULL(strstr((const char *)sqlite3_column_text(st, 0), "created"));
	CU_ASSERT_PTR_NOT_NULL(strstr((const char *)sqlite3_column_text(st, 1), "\"evt_bad\""));
	CU_ASSERT_EQUAL(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(db);
	fx_done(&f);
}

static int catchup_failed(void *ctx)
{
	const struct poller_state *st = poller_state(((struct fx *)ctx)->p);

	return st->polls >= 1 && st->catchup_in_flight == 0 && st->errors > 0;
}

static void test_cursor_waits_for_commit(void)
{
	struct fx f;
	char cursor[128];

	fx_init(&f, "fault", false);
	peer_route(f.peer, "GET", "/v1/events?per_page=100", 200, NULL, page2);
	store_set_fault(f.store, true);
	fx_start_poller(&f);
	CU_ASSERT_TRUE_FATAL(peer_run_until_fn(f.loop, catchup_failed, &f, 10.0));
	CU_ASSERT_STRING_EQUAL(poller_state(f.p)->cursor, "");
	CU_ASSERT_NOT_EQUAL(store_meta_get(f.store, POLLER_CURSOR_KEY, cursor, sizeof cursor), 0);
	CU_ASSERT_TRUE(poller_state(f.p)->errors > 0);

	/* Healthy again: the same page is read again and the cursor moves. */
	store_set_fault(f.store, false);
	poller_poll_now(f.p);
	CU_ASSERT_TRUE_FATAL(peer_run_until_fn(f.loop, polled_ok, &f, 10.0));
	CU_ASSERT_EQUAL(peer_count_paths(f.peer, "/v1/events?per_page=100", NULL), 2);
	CU_ASSERT_STRING_EQUAL(poller_state(f.p)->cursor, "evt_b1");
	CU_ASSERT_EQUAL(store_meta_get(f.store, POLLER_CURSOR_KEY, cursor, sizeof cursor), 0);
	CU_ASSERT_EQUAL(store_event_count(f.store), 2);
	fx_done(&f);
}

static int never(void *ctx)
{
	return 0;
}

/* Ten pages of one event each, evt_p1 to evt_p10, routed by cursor. */
static void fx_ten_pages(struct fx *f)
{
	char body[1024], route[64];

	for (int k = 1; k <= 10; k++) {
		snprintf(body, sizeof body,
			 "{\"data\":[{\"id\":\"evt_p%d\",\"type\":\"fax.queued\",\"created\":%d,"
			 "\"data\":{\"object\":" FAX_B "}}],\"has_more\":%s,\"next_cursor\":"
			 "\"evt_p%d\"}",
			 k, 1795413660 + k, k < 10 ? "true" : "false", k);
		if (k == 1)
			snprintf(route, sizeof route, "/v1/events?per_page=100");
		else
			snprintf(route, sizeof route, "/v1/events?after=evt_p%d&", k - 1);
		peer_route(f->peer, "GET", route, 200, NULL, body);
	}
	peer_route(f->peer, "GET", "/v1/events?after=evt_p10&", 200, NULL, empty_page);
}

/* The next page is asked for while the pages before it are committed (at
 * the latest when 8 are held). If that commit fails, the answer on its way
 * must not be taken: the cursor would pass pages that were never stored. */
static void test_pipeline_commit_fails(void)
{
	struct fx f;
	char cursor[128];

	fx_init(&f, "pipefault", false);
	fx_ten_pages(&f);
	store_set_fault(f.store, true);
	fx_start_poller(&f);
	CU_ASSERT_TRUE_FATAL(peer_run_until_fn(f.loop, catchup_failed, &f, 10.0));
	store_set_fault(f.store, false);
	/* Whatever was still on its way has time to arrive (and be dropped). */
	peer_run_until_fn(f.loop, never, NULL, 0.3);
	CU_ASSERT_STRING_EQUAL(poller_state(f.p)->cursor, "");
	CU_ASSERT_NOT_EQUAL(store_meta_get(f.store, POLLER_CURSOR_KEY, cursor, sizeof cursor), 0);
	CU_ASSERT_EQUAL(store_event_count(f.store), 0);
	CU_ASSERT_EQUAL(poller_state(f.p)->catchup_in_flight, 0);

	/* The next round reads from the last committed page: the start. */
	poller_poll_now(f.p);
	CU_ASSERT_TRUE_FATAL(peer_run_until_fn(f.loop, polled_ok, &f, 10.0));
	CU_ASSERT_EQUAL(peer_count_paths(f.peer, "/v1/events?per_page=100", NULL), 2);
	CU_ASSERT_STRING_EQUAL(poller_state(f.p)->cursor, "evt_p10");
	CU_ASSERT_EQUAL(store_meta_get(f.store, POLLER_CURSOR_KEY, cursor, sizeof cursor), 0);
	CU_ASSERT_STRING_EQUAL(cursor, "evt_p10");
	CU_ASSERT_EQUAL(store_event_count(f.store), 10);
	fx_done(&f);
}

struct pipe_probe {
	struct fx *f;
	long events_when_asked; /* stored events when page 2 was asked for */
};

static int page2_asked(void *ctx)
{
	struct pipe_probe *pp = ctx;

	if (pp->events_when_asked < 0 &&
	    peer_count_paths(pp->f->peer, "/v1/events?after=evt_a2&", NULL) > 0)
		pp->events_when_asked = (long)store_event_count(pp->f->store);
	return polled_ok(pp->f);
}

/* Page 2 is asked for before page 1's events are taken in, so the
 * request's round trip overlaps page 1's commit; page 1's cursor is
 * saved in the same transaction as its events. */
static void test_pipeline_asks_before_commit(void)
{
	struct fx f;
	struct pipe_probe pp = { &f, -1 };
	char cursor[128];

	fx_init(&f, "pipeline", false);
	peer_route(f.peer, "GET", "/v1/events?per_page=100", 200, NULL, page1);
	peer_route(f.peer, "GET", "/v1/events?after=evt_a2&", 200, NULL, page2);
	fx_start_poller(&f);
	CU_ASSERT_TRUE_FATAL(peer_run_until_fn(f.loop, page2_asked, &pp, 10.0));
	CU_ASSERT_EQUAL(pp.events_when_asked, 0);
	CU_ASSERT_EQUAL(store_event_count(f.store), 4);
	CU_ASSERT_EQUAL(store_meta_get(f.store, POLLER_CURSOR_KEY, cursor, sizeof cursor), 0);
	CU_ASSERT_STRING_EQUAL(cursor, "evt_b1");
	fx_done(&f);
}

/* A store whose cursor is `cursor`, and an API that answers a request
 * after it with `status` and `body`, and page2 from the start. */
static void fx_cursor_refused(struct fx *f, const char *name, const char *cursor, int status,
			      const char *body)
{
	char route[128];

	fx_init(f, name, false);
	CU_ASSERT_EQUAL(store_meta_set(f->store, POLLER_CURSOR_KEY, cursor), 0);
	CU_ASSERT_EQUAL(store_commit(f->store), 0);
	snprintf(route, sizeof route, "/v1/events?after=%s&", cursor);
	peer_route(f->peer, "GET", route, status, NULL, body);
	peer_route(f->peer, "GET", "/v1/events?per_page=100", 200, NULL, page2);
	fx_start_poller(f);
}

static void test_refused_cursor_restarts(void)
{
	struct fx f;
	char cursor[128];

	fx_cursor_refused(
		&f, "gone", "evt_gone", 422,
		"{\"error\":\"validation_failed\",\"message\":\"after is not the id of a "
		"retained event\",\"action\":\"fix_request\",\"docs\":\"x\",\"request_id\":"
		"\"r\",\"context\":{\"errors\":{\"after\":[\"after is not the id of a "
		"retained event.\"]}}}");
	CU_ASSERT_TRUE_FATAL(peer_run_until_fn(f.loop, polled_ok, &f, 10.0));
	CU_ASSERT_STRING_EQUAL(poller_state(f.p)->cursor, "evt_b1");
	CU_ASSERT_EQUAL(store_meta_get(f.store, POLLER_CURSOR_KEY, cursor, sizeof cursor), 0);
	CU_ASSERT_STRING_EQUAL(cursor, "evt_b1");
	CU_ASSERT_EQUAL(store_event_count(f.store), 2);
	CU_ASSERT_EQUAL(peer_count_paths(f.peer, "/v1/events?after=evt_gone", NULL), 1);
	fx_done(&f);
}

/* The round's guards: a cycle, the page cap, an overlong cursor; and which
 * answer alone means "cursor invalid or expired". */
static void test_cursor_guards(void)
{
	struct poller_round r;
	struct api_response resp;
	char longc[POLLER_CURSOR_MAX + 2], name[32];

	poller_round_begin(&r, "start");
	CU_ASSERT_EQUAL(poller_round_next(&r, "A"), ROUND_FOLLOW);
	CU_ASSERT_EQUAL(poller_round_next(&r, "B"), ROUND_FOLLOW);
	CU_ASSERT_EQUAL(poller_round_next(&r, "A"), ROUND_CYCLE);
	CU_ASSERT_EQUAL(poller_round_next(&r, "start"), ROUND_CYCLE);
	memset(longc, 'c', POLLER_CURSOR_MAX);
	longc[POLLER_CURSOR_MAX] = '\0';
	CU_ASSERT_EQUAL(poller_round_next(&r, longc), ROUND_FOLLOW); /* at the bound: kept */
	longc[POLLER_CURSOR_MAX] = 'c';
	longc[POLLER_CURSOR_MAX + 1] = '\0';
	CU_ASSERT_EQUAL(poller_round_next(&r, longc), ROUND_TOO_LONG);
	poller_round_begin(&r, "");
	for (int i = 1; i < POLLER_MAX_PAGES_PER_ROUND; i++) {
		snprintf(name, sizeof name, "c%d", i);
		CU_ASSERT_EQUAL(poller_round_next(&r, name), ROUND_FOLLOW);
	}
	CU_ASSERT_EQUAL(poller_round_next(&r, "last"), ROUND_CAPPED);

	memset(&resp, 0, sizeof resp);
	resp.http_status = 422;
	resp.has_error = true;
	snprintf(resp.error.error, sizeof resp.error.error, "validation_failed");
	snprintf(resp.error.details, sizeof resp.error.details, "type: bad; after: gone");
	CU_ASSERT_TRUE(poller_cursor_expired(&resp));
	snprintf(resp.error.details, sizeof resp.error.details, "per_page: too big");
	CU_ASSERT_FALSE(poller_cursor_expired(&resp));
	snprintf(resp.error.details, sizeof resp.error.details, "after_x: no");
	CU_ASSERT_FALSE(poller_cursor_expired(&resp));
	snprintf(resp.error.details, sizeof resp.error.details, "after: gone");
	resp.http_status = 400;
	CU_ASSERT_FALSE(poller_cursor_expired(&resp));
	resp.http_status = 302;
	resp.has_error = false;
	CU_ASSERT_FALSE(poller_cursor_expired(&resp));
}

/* A refusal that is not the documented one keeps the cursor. */
static void test_other_refusal_keeps_cursor(void)
{
	struct fx f;
	char cursor[128];

	fx_cursor_refused(&f, "keep", "evt_keep", 400,
			  "{\"error\":\"bad_request\",\"message\":\"nope\",\"action\":"
			  "\"fix_request\",\"docs\":\"x\",\"request_id\":\"r\"}");
	CU_ASSERT_TRUE_FATAL(peer_run_until_fn(f.loop, polled_fail, &f, 10.0));
	CU_ASSERT_EQUAL(peer_count_paths(f.peer, "/v1/events?per_page=100", NULL), 0);
	CU_ASSERT_STRING_EQUAL(poller_state(f.p)->cursor, "evt_keep");
	CU_ASSERT_EQUAL(store_meta_get(f.store, POLLER_CURSOR_KEY, cursor, sizeof cursor), 0);
	CU_ASSERT_STRING_EQUAL(cursor, "evt_keep");
	CU_ASSERT_PTR_NOT_NULL(strstr(poller_state(f.p)->catchup_warning, "stays at evt_keep"));
	fx_done(&f);
}

static void test_events_404_falls_back_to_faxes(void)
{
	struct fx f;
	size_t last = 0;

	fx_init(&f, "fallback", true);
	peer_route(
		f.peer, "GET", "/v1/events", 404, NULL,
		"{\"error\":\"not_found\",\"message\":\"No such route\",\"action\":\"fix_request\","
		"\"docs\":\"x\",\"request_id\":\"req_404\"}");
	peer_route(f.peer, "GET", "/v1/faxes?", 200, NULL,
		   "{\"data\":[" FAX_A("in_progress", "1") "," FAX_B "],\"has_more\":false,"
							   "\"next_cursor\":null}");
	peer_route(f.peer, "GET", "/v1/faxes/fax_a", 200, NULL, FAX_A("delivered", "9"));
	peer_route(f.peer, "GET", "/v1/faxes/fax_b", 200, NULL, FAX_B);
	fx_start_poller(&f);
	CU_ASSERT_TRUE_FATAL(peer_run_until_fn(f.loop, polled_ok, &f, 10.0));
	CU_ASSERT_TRUE(poller_state(f.p)->events_fallback);
	CU_ASSERT_EQUAL(model_get(f.model, "fax_a")->fax.status, FAX_IN_PROGRESS);
	CU_ASSERT_EQUAL(peer_count_paths(f.peer, "/v1/faxes/", NULL), 0); /* nothing stale yet */

	/* Later: the unfinished faxes went stale and are refreshed one by one;
	 * the list asks only for faxes created since the watermark. */
	clock_manual_advance(&f.mclock, 61000);
	poller_poll_now(f.p);
	CU_ASSERT_TRUE_FATAL(peer_run_until_fn(f.loop, polled_ok, &f, 10.0));
	CU_ASSERT_EQUAL(peer_count_paths(f.peer, "/v1/faxes/fax_a", NULL), 1);
	CU_ASSERT_EQUAL(peer_count_paths(f.peer, "/v1/faxes/fax_b", NULL), 1);
	CU_ASSERT_EQUAL(model_get(f.model, "fax_a")->fax.status, FAX_DELIVERED);
	CU_ASSERT_EQUAL(peer_count_paths(f.peer, "/v1/faxes?", &last), 2);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(peer_req(f.peer, last)->path, "created_after=2026-11-23T06%3A00%3A55Z"));
	/* /events was not asked again on every poll. */
	CU_ASSERT_EQUAL(peer_count_paths(f.peer, "/v1/events", NULL), 1);
	fx_done(&f);
}

static void test_refresh_coalesced(void)
{
	struct fx f;

	fx_init(&f, "refresh", false);
	peer_route(f.peer, "GET", "/v1/events", 200, NULL, empty_page);
	peer_route(f.peer, "GET", "/v1/faxes/fax_a", 200, NULL, FAX_A("delivered", "5"));
	fx_start_poller(&f);
	CU_ASSERT_TRUE_FATAL(peer_run_until_fn(f.loop, polled_ok, &f, 10.0));
	CU_ASSERT_EQUAL(poller_refresh_fax(f.p, "fax_a"), 0);
	CU_ASSERT_EQUAL(poller_refresh_fax(f.p, "fax_a"), 0);
	CU_ASSERT_EQUAL(poller_refresh_fax(f.p, "fax_a"), 0);
	CU_ASSERT_EQUAL(poller_state(f.p)->refresh_in_flight, 1);
	CU_ASSERT_EQUAL(poller_refresh_fax(f.p, "../../etc/passwd"), -1);
	CU_ASSERT_EQUAL(poller_refresh_fax(f.p, ""), -1);
	CU_ASSERT_EQUAL(poller_refresh_fax(f.p, NULL), -1);
	CU_ASSERT_TRUE_FATAL(peer_run_until_fn(f.loop, polled_ok, &f, 10.0));
	CU_ASSERT_EQUAL(peer_count_paths(f.peer, "/v1/faxes/fax_a", NULL), 1);
	const struct model_fax *a = model_get(f.model, "fax_a");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->fax.status, FAX_DELIVERED);
	fx_done(&f);
}

static int auth_reported(void *ctx)
{
	return ((struct fx *)ctx)->auth_calls > 0;
}

static void test_wrong_key_reported(void)
{
	struct fx f;

	fx_init(&f, "auth", false);
	peer_set_default(f.peer, 401, NULL,
			 "{\"error\":\"unauthenticated\",\"message\":\"Invalid API key\","
			 "\"action\":\"fix_credentials\",\"docs\":\"x\",\"request_id\":\"req_a\"}");
	peer_route(f.peer, "GET", "/v1/environment/balance", 401, NULL,
		   "{\"error\":\"unauthenticated\",\"message\":\"Invalid API key\","
		   "\"action\":\"fix_credentials\",\"docs\":\"x\",\"request_id\":\"req_b\"}");
	fx_start_poller(&f);
	CU_ASSERT_TRUE_FATAL(peer_run_until_fn(f.loop, auth_reported, &f, 10.0));
	CU_ASSERT_EQUAL(f.auth_calls, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(f.auth_msg, "Invalid API key"));
	CU_ASSERT_TRUE(api_client_state(f.api)->auth_failed);
	fx_done(&f);
}

static void test_adaptive_interval(void)
{
	struct fx f;

	fx_init(&f, "pace", false);
	/* fax_b stays queued: something is in flight, so poll sooner. */
	peer_route(f.peer, "GET", "/v1/events?per_page=100", 200, NULL,
		   "{\"data\":[" EVT("evt_b1", "fax.queued", 1795413660,
				     FAX_B) "],"
					    "\"has_more\":false,\"next_cursor\":\"evt_b1\"}");
	peer_route(f.peer, "GET", "/v1/events?after=evt_b1&", 200, NULL, page2);
	peer_route(f.peer, "GET", "/v1/events?after=", 200, NULL, empty_page);
	fx_start_poller(&f);
	CU_ASSERT_TRUE_FATAL(peer_run_until_fn(f.loop, polled_ok, &f, 10.0));
	CU_ASSERT_EQUAL(model_count_status(f.model, FAX_QUEUED), 1);
	CU_ASSERT_DOUBLE_EQUAL(poller_state(f.p)->interval, 5.0, 1e-9);

	/* fax_a was delivered by page2; a refresh delivers fax_b: nothing is
	 * in flight any more. */
	peer_route(f.peer, "GET", "/v1/faxes/fax_b", 200, NULL,
		   "{\"id\":\"fax_b\",\"status\":\"delivered\",\"to\":\"+15005550002\","
		   "\"tags\":{},\"created_at\":\"2026-11-23T06:01:00Z\","
		   "\"updated_at\":\"2026-11-23T06:02:00Z\"}");
	CU_ASSERT_EQUAL(poller_refresh_fax(f.p, "fax_b"), 0);
	CU_ASSERT_TRUE_FATAL(peer_run_until_fn(f.loop, polled_ok, &f, 10.0));
	CU_ASSERT_EQUAL(model_get(f.model, "fax_b")->fax.status, FAX_DELIVERED);

	/* Quiet catch-ups: the base period at first, four times slower once
	 * nothing has moved for a while. */
	double seen[8];
	for (int i = 0; i < 8; i++) {
		uint64_t polls = poller_state(f.p)->polls;
		poller_poll_now(f.p);
		CU_ASSERT_EQUAL(poller_state(f.p)->polls, polls + 1);
		CU_ASSERT_TRUE_FATAL(peer_run_until_fn(f.loop, polled_ok, &f, 10.0));
		seen[i] = poller_state(f.p)->interval;
	}
	CU_ASSERT_DOUBLE_EQUAL(seen[7], 60.0, 1e-9);
	for (int i = 0; i < 8; i++)
		CU_ASSERT_TRUE(seen[i] == 15.0 || seen[i] == 60.0);
	CU_ASSERT_DOUBLE_EQUAL(seen[0], 15.0, 1e-9);
	fx_done(&f);
}

static void test_stop_sends_nothing_more(void)
{
	struct fx f;

	fx_init(&f, "stop", false);
	peer_route(f.peer, "GET", "/v1/events", 200, NULL, empty_page);
	f.po.poll_interval = 0.05; /* would poll again almost at once */
	f.po.balance_interval = 0.05;
	fx_start_poller(&f);
	CU_ASSERT_TRUE_FATAL(peer_run_until_fn(f.loop, polled_ok, &f, 10.0));
	poller_stop(f.p);
	size_t n = peer_count(f.peer);
	poller_poll_now(f.p);
	/* Run the loop past several would-be periods: no timer is left. */
	int done = 0;
	CU_ASSERT_FALSE(peer_run_until(f.loop, &done, 0.3));
	CU_ASSERT_EQUAL(peer_count(f.peer), n);
	fx_done(&f);
}

static const struct unit_test tests[] = {
	{ "catch-up pages until has_more is false; cursor survives restart",
	  test_catchup_pages_and_cursor },
	{ "the cursor moves only after a successful commit", test_cursor_waits_for_commit },
	{ "a failed commit drops the next page already asked for", test_pipeline_commit_fails },
	{ "the next page is asked for while the previous one commits",
	  test_pipeline_asks_before_commit },
	{ "a poisoned item is quarantined and passed", test_poisoned_item_skipped },
	{ "a refused cursor restarts from the oldest event", test_refused_cursor_restarts },
	{ "cursor guards: cycle, page cap, length, the expired answer", test_cursor_guards },
	{ "another refusal keeps the cursor", test_other_refusal_keeps_cursor },
	{ "/events 404 falls back to /faxes and stale refreshes",
	  test_events_404_falls_back_to_faxes },
	{ "refresh of one fax is coalesced and ids are checked", test_refresh_coalesced },
	{ "a refused key is reported once at start-up", test_wrong_key_reported },
	{ "catch-up pace: sooner with faxes in flight, slower when idle", test_adaptive_interval },
	{ "after poller_stop nothing more is sent", test_stop_sends_nothing_more },
	{ 0 },
};

UNIT_SUITE(poller, NULL, NULL, tests);
