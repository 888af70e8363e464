#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include <arpa/inet.h>
#include <ev.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/api/api_client.h"
#include "core/base/clock.h"
#include "core/model/event.h"
#include "core/base/log.h"
#include "tests/unit/test_peer.h"
#include "tests/unit/unit.h"

#define KEY "mfx_test_sEcReTkEy0123456789"

/* ---- pure helpers ---- */

static void test_header_parsing(void)
{
	struct api_response r;
	static const char *const lines[] = {
		"HTTP/1.1 429 Too Many Requests\r\n",
		"x-request-id: req_01J9XYZQ8KH7B3R0WXAZP8VW6F\r\n",
		"X-RateLimit-Limit: 60\r\n",
		"X-RATELIMIT-REMAINING:0\r\n",
		"X-RateLimit-Reset:   34  \r\n",
		"Retry-After: 34\r\n",
		"X-Idempotency-Key: 7f0c\x1b[2Jabc\r\n",
		"X-Unrelated: 5\r\n",
		"no colon here\r\n",
	};

	memset(&r, 0, sizeof(r));
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		api_response_header(&r, lines[i], strlen(lines[i]), 1700000000);
	CU_ASSERT_STRING_EQUAL(r.request_id, "req_01J9XYZQ8KH7B3R0WXAZP8VW6F");
	CU_ASSERT_EQUAL(r.rate_limit, 60);
	CU_ASSERT_EQUAL(r.rate_remaining, 0);
	CU_ASSERT_EQUAL(r.rate_reset_s, 34);
	CU_ASSERT_EQUAL(r.retry_after_s, 34);
	/* Control bytes never survive into an id that may be drawn. */
	CU_ASSERT_PTR_NULL(strchr(r.idempotency_key, '\x1b'));
	CU_ASSERT_STRING_EQUAL(r.idempotency_key, "7f0c[2Jabc");

	/* Bad numbers are ignored, huge ones clamped, and a new status line
	 * forgets the previous response's headers. */
	static const char *const bad[] = {
		"X-RateLimit-Limit: -5\r\n",
		"X-RateLimit-Remaining: 12abc\r\n",
		"X-RateLimit-Reset: 99999999999999999999999\r\n",
		"Retry-After: 999999\r\n",
	};
	const char *status = "HTTP/1.1 200 OK\r\n";
	api_response_header(&r, status, strlen(status), 0);
	CU_ASSERT_EQUAL(r.request_id[0], '\0');
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		api_response_header(&r, bad[i], strlen(bad[i]), 0);
	CU_ASSERT_EQUAL(r.rate_limit, -1);
	CU_ASSERT_EQUAL(r.rate_remaining, -1);
	CU_ASSERT_EQUAL(r.rate_reset_s, -1);
	CU_ASSERT_EQUAL(r.retry_after_s, API_RETRY_AFTER_MAX_S);

	/* Retry-After as an HTTP date, 90 s after "now". */
	const char *date = "Retry-After: Sun, 06 Nov 1994 08:49:37 GMT\r\n";
	api_response_header(&r, date, strlen(date), 784111777 - 90);
	CU_ASSERT_EQUAL(r.retry_after_s, 90);
	const char *junk = "Retry-After: soon-ish\r\n";
	api_response_header(&r, junk, strlen(junk), 0);
	CU_ASSERT_EQUAL(r.retry_after_s, -1);
}

static void test_backoff_growth_cap_and_jitter(void)
{
	int64_t prev_lo = 0;

	CU_ASSERT_EQUAL(api_backoff_ms(0, 0.5), 0);
	for (unsigned n = 1; n <= 40; n++) {
		int64_t step = API_BACKOFF_BASE_MS;
		for (unsigned i = 1; i < n && step < API_BACKOFF_CAP_MS; i++)
			step *= 2;
		if (step > API_BACKOFF_CAP_MS)
			step = API_BACKOFF_CAP_MS;
		int64_t lo = api_backoff_ms(n, 0.0), hi = api_backoff_ms(n, 1.0);
		int64_t mid = api_backoff_ms(n, 0.5);

		CU_ASSERT_EQUAL(lo, step / 2);
		CU_ASSERT_EQUAL(hi, step);
		CU_ASSERT_TRUE(mid >= lo && mid <= hi);
		CU_ASSERT_TRUE(hi <= API_BACKOFF_CAP_MS);
		CU_ASSERT_TRUE(lo >= prev_lo); /* never shrinks as failures grow */
		prev_lo = lo;
	}
	CU_ASSERT_EQUAL(api_backoff_ms(1, 0.0), 500);
	CU_ASSERT_EQUAL(api_backoff_ms(2, 1.0), 2000);
	CU_ASSERT_EQUAL(api_backoff_ms(7, 1.0), API_BACKOFF_CAP_MS); /* 64 s capped */
	/* Out-of-range jitter input is clamped, not trusted. */
	CU_ASSERT_EQUAL(api_backoff_ms(3, -4.0), 2000);
	CU_ASSERT_EQUAL(api_backoff_ms(3, 9.0), 4000);
}

static void test_pacing(void)
{
	CU_ASSERT_EQUAL(api_pace_ms(60, 0, 34), 34000); /* exhausted: wait it out */
	CU_ASSERT_EQUAL(api_pace_ms(60, 3, 10), 10000); /* down to the reserve (3 of 60) */
	CU_ASSERT_EQUAL(api_pace_ms(60, 13, 10), 1000); /* 10 to spend over 10 s */
	CU_ASSERT_EQUAL(api_pace_ms(600, 30, 60), 60000);
	CU_ASSERT_EQUAL(api_pace_ms(600, 590, 60), 60000 / 560);
	CU_ASSERT_EQUAL(api_pace_ms(-1, -1, -1), 0); /* unknown: no pacing */
	/* Spreading the remaining requests never spends the reserve within
	 * the window. */
	for (long rem = 31; rem < 600; rem += 37) {
		int64_t gap = api_pace_ms(600, rem, 60);
		CU_ASSERT_TRUE(gap > 0);
		CU_ASSERT_TRUE(gap * (rem - 30) >= 60000 - (rem - 30));
	}
}

static void test_classify(void)
{
	struct api_response r;
	const char *env =
		"{\"error\":\"insufficient_balance\",\"message\":\"Balance too low\","
		"\"action\":\"top_up_balance\",\"docs\":\"https://mintfax.com/docs/errors\","
		"\"request_id\":\"req_1\"}";

	memset(&r, 0, sizeof(r));
	r.http_status = 402;
	r.body = env;
	r.body_len = strlen(env);
	api_response_classify(&r, NULL);
	CU_ASSERT_EQUAL(r.outcome, API_CLIENT_ERROR);
	CU_ASSERT_TRUE(r.has_error);
	CU_ASSERT_STRING_EQUAL(r.error.error, "insufficient_balance");
	CU_ASSERT_STRING_EQUAL(r.error.action, "top_up_balance");
	CU_ASSERT_PTR_NOT_NULL(strstr(r.message, "Balance too low"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.message, "top_up_balance"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.message, "req_1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.message, "402"));

	static const struct {
		int status;
		enum api_outcome o;
		const char *word;
	} rows[] = {
		{ 200, API_OK, NULL },
		{ 201, API_OK, NULL },
		{ 401, API_AUTH_ERROR, "refused" },
		{ 403, API_AUTH_ERROR, "not allowed" },
		{ 404, API_CLIENT_ERROR, "not found" },
		{ 409, API_CLIENT_ERROR, "409" },
		{ 422, API_CLIENT_ERROR, "422" },
		{ 429, API_RATE_LIMITED, "rate limited" },
		{ 500, API_SERVER_ERROR, "500" },
		{ 503, API_SERVER_ERROR, "503" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(&r, 0, sizeof(r));
		r.http_status = rows[i].status;
		r.body = "<html>\x1b]0;pwned\x07</html>"; /* not JSON, hostile */
		r.body_len = strlen(r.body);
		api_response_classify(&r, NULL);
		CU_ASSERT_EQUAL(r.outcome, rows[i].o);
		CU_ASSERT_FALSE(r.has_error);
		if (rows[i].word)
			CU_ASSERT_PTR_NOT_NULL(strstr(r.message, rows[i].word));
		CU_ASSERT_PTR_NULL(strchr(r.message, '\x1b'));
	}
	memset(&r, 0, sizeof(r));
	api_response_classify(&r, "Couldn't connect to server\x1b[31m");
	CU_ASSERT_EQUAL(r.outcome, API_NETWORK_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.message, "cannot reach the API"));
	CU_ASSERT_PTR_NULL(strchr(r.message, '\x1b'));
}

/* ---- against the loopback peer ---- */

struct got {
	int n;
	struct api_response r;
	char body[8192];
};

static void got_done(void *ctx, const struct api_response *r)
{
	struct got *g = ctx;

	g->n++;
	g->r = *r;
	snprintf(g->body, sizeof(g->body), "%s", r->body);
	g->r.body = g->body;
}

struct fixture {
	struct ev_loop *loop;
	struct peer *peer;
	struct clock_manual mclock;
	struct log *log;
	struct api_client *c;
};

static void fx_init(struct fixture *f, bool manual_clock, bool trace)
{
	char err[256] = "";

	memset(f, 0, sizeof(*f));
	f->loop = ev_loop_new(EVFLAG_AUTO);
	f->peer = peer_new(f->loop);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->peer);
	clock_manual_init(&f->mclock, 1700000000000);
	f->log = log_new(NULL, LOG_DEBUG);
	struct api_client_opts o = {
		.base_url = peer_url(f->peer, "/v1/"),
		.api_key = KEY,
		.log = f->log,
		.clock = manual_clock ? &f->mclock.clock : NULL,
		.trace = trace,
	};
	f->c = api_client_new(f->loop, &o, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->c);
}

static void fx_done(struct fixture *f)
{
	api_client_free(f->c);
	peer_free(f->peer);
	log_free(f->log);
	ev_loop_destroy(f->loop);
}

static int fx_get(struct fixture *f, const char *path, struct got *g)
{
	char err[256];

	memset(g, 0, sizeof(*g));
	return api_client_request(f->c, "GET", path, NULL, NULL, 0, got_done, g, err, sizeof(err));
}

/* A few turns of the loop: lets anything that is allowed to happen now
 * happen, without waiting on time. */
static void spin(struct ev_loop *loop)
{
	for (int i = 0; i < 50; i++)
		ev_run(loop, EVRUN_NOWAIT);
}

static void test_request_shape_and_reuse(void)
{
	struct fixture f;
	struct got g1, g2;
	char buf[256], err[256];

	fx_init(&f, false, false);
	peer_push(f.peer, 200,
		  "X-Request-Id: req_A\r\nX-RateLimit-Limit: 600\r\n"
		  "X-RateLimit-Remaining: 598\r\nX-RateLimit-Reset: 60\r\n",
		  "{\"available\":100}");
	peer_push(f.peer, 201, "X-Idempotency-Key: k-123\r\n", "{\"id\":\"fax_2\"}");
	CU_ASSERT_EQUAL(fx_get(&f, "/environment/balance", &g1), 0);
	CU_ASSERT_TRUE(peer_run_until(f.loop, &g1.n, 10.0));
	memset(&g2, 0, sizeof(g2));
	CU_ASSERT_EQUAL(api_client_request(f.c, "POST", "/faxes/fax_1/resend",
					   "{\"to\":\"+15005550001\"}", "k-123", API_REQ_URGENT,
					   got_done, &g2, err, sizeof(err)),
			0);
	CU_ASSERT_TRUE(peer_run_until(f.loop, &g2.n, 10.0));

	CU_ASSERT_EQUAL_FATAL(peer_count(f.peer), 2);
	const struct peer_request *q1 = peer_req(f.peer, 0), *q2 = peer_req(f.peer, 1);
	CU_ASSERT_STRING_EQUAL(q1->method, "GET");
	CU_ASSERT_STRING_EQUAL(q1->path, "/v1/environment/balance");
	CU_ASSERT_STRING_EQUAL(peer_header(q1, "Authorization", buf, sizeof(buf)), "Bearer " KEY);
	CU_ASSERT_STRING_EQUAL(peer_header(q1, "User-Agent", buf, sizeof(buf)),
			       "faxtop/" PACKAGE_VERSION);
	CU_ASSERT_STRING_EQUAL(peer_header(q1, "Accept", buf, sizeof(buf)), "application/json");
	CU_ASSERT_PTR_NULL(peer_header(q1, "Idempotency-Key", buf, sizeof(buf)));
	CU_ASSERT_STRING_EQUAL(q2->method, "POST");
	CU_ASSERT_STRING_EQUAL(q2->path, "/v1/faxes/fax_1/resend");
	CU_ASSERT_STRING_EQUAL(q2->body, "{\"to\":\"+15005550001\"}");
	CU_ASSERT_STRING_EQUAL(peer_header(q2, "Idempotency-Key", buf, sizeof(buf)), "k-123");
	CU_ASSERT_STRING_EQUAL(peer_header(q2, "Content-Type", buf, sizeof(buf)),
			       "application/json");
	/* Connection reuse: both went over one connection. */
	CU_ASSERT_EQUAL(peer_connections(f.peer), 1);

	CU_ASSERT_EQUAL(g1.r.outcome, API_OK);
	CU_ASSERT_EQUAL(g1.r.http_status, 200);
	CU_ASSERT_STRING_EQUAL(g1.body, "{\"available\":100}");
	CU_ASSERT_STRING_EQUAL(g1.r.request_id, "req_A");
	CU_ASSERT_EQUAL(g1.r.rate_remaining, 598);
	CU_ASSERT_EQUAL(g2.r.http_status, 201);
	CU_ASSERT_STRING_EQUAL(g2.r.idempotency_key, "k-123");

	const struct api_conn_state *st = api_client_state(f.c);
	CU_ASSERT_EQUAL(st->state, API_CONN_OK);
	CU_ASSERT_STRING_EQUAL(api_conn_state_name(st->state), "ok");
	CU_ASSERT_EQUAL(st->requests_sent, 2);
	CU_ASSERT_EQUAL(st->in_flight, 0);
	fx_done(&f);
}

static void test_retry_after_is_honoured(void)
{
	struct fixture f;
	struct got g1, g2;

	fx_init(&f, true, false);
	peer_push(f.peer, 429, "Retry-After: 30\r\n",
		  "{\"error\":\"rate_limit_exceeded\",\"message\":\"Slow down\","
		  "\"action\":\"wait_and_retry\",\"docs\":\"x\",\"request_id\":\"req_R\"}");
	CU_ASSERT_EQUAL(fx_get(&f, "/events", &g1), 0);
	CU_ASSERT_TRUE(peer_run_until(f.loop, &g1.n, 10.0));
	CU_ASSERT_EQUAL(g1.r.outcome, API_RATE_LIMITED);
	CU_ASSERT_EQUAL(g1.r.retry_after_s, 30);
	CU_ASSERT_PTR_NOT_NULL(strstr(g1.r.message, "wait_and_retry"));

	const struct api_conn_state *st = api_client_state(f.c);
	int64_t t0 = f.mclock.now;
	CU_ASSERT_EQUAL(st->gate_until_ms, t0 + 30000);
	CU_ASSERT_EQUAL(st->state, API_CONN_DEGRADED);
	CU_ASSERT_PTR_NOT_NULL(strstr(st->last_error, "Slow down"));

	CU_ASSERT_EQUAL(fx_get(&f, "/events", &g2), 0);
	spin(f.loop);
	CU_ASSERT_EQUAL(peer_count(f.peer), 1);
	CU_ASSERT_EQUAL(st->queued, 1);
	clock_manual_advance(&f.mclock, 29999);
	api_client_kick(f.c);
	spin(f.loop);
	CU_ASSERT_EQUAL(peer_count(f.peer), 1); /* 1 ms early: still nothing */
	clock_manual_advance(&f.mclock, 1);
	api_client_kick(f.c);
	CU_ASSERT_TRUE(peer_run_until(f.loop, &g2.n, 10.0));
	CU_ASSERT_EQUAL(peer_count(f.peer), 2);
	CU_ASSERT_EQUAL(g2.r.outcome, API_OK);
	CU_ASSERT_EQUAL(st->state, API_CONN_OK);
	fx_done(&f);
}

static void test_repeated_429_backs_off(void)
{
	struct fixture f;
	struct got g;
	const struct api_conn_state *st;

	fx_init(&f, true, false);
	peer_set_default(f.peer, 429, "Retry-After: 1\r\n", "");
	st = api_client_state(f.c);
	for (unsigned n = 1; n <= 4; n++) {
		clock_manual_advance(
			&f.mclock,
			st->gate_until_ms > f.mclock.now ? st->gate_until_ms - f.mclock.now : 0);
		CU_ASSERT_EQUAL(fx_get(&f, "/events", &g), 0);
		CU_ASSERT_TRUE(peer_run_until(f.loop, &g.n, 10.0));
		int64_t gap = st->gate_until_ms - f.mclock.now;
		/* never sooner than Retry-After, and growing like any failure */
		CU_ASSERT_TRUE(gap >= 1000);
		CU_ASSERT_TRUE(gap >= api_backoff_ms(n, 0.0));
		CU_ASSERT_EQUAL(st->state, API_CONN_DEGRADED);
	}
	CU_ASSERT_EQUAL(peer_count(f.peer), 4);
	fx_done(&f);
}

static void test_rate_limit_headers_pace(void)
{
	struct fixture f;
	struct got g1, g2;

	fx_init(&f, true, false);
	/* 2 left of 60 (below the reserve): wait for the window to reset. */
	peer_push(f.peer, 200,
		  "X-RateLimit-Limit: 60\r\nX-RateLimit-Remaining: 2\r\n"
		  "X-RateLimit-Reset: 20\r\n",
		  "{}");
	CU_ASSERT_EQUAL(fx_get(&f, "/events", &g1), 0);
	CU_ASSERT_TRUE(peer_run_until(f.loop, &g1.n, 10.0));
	const struct api_conn_state *st = api_client_state(f.c);
	CU_ASSERT_EQUAL(st->rate_remaining, 2);
	CU_ASSERT_EQUAL(st->gate_until_ms, f.mclock.now + 20000);
	CU_ASSERT_EQUAL(st->state, API_CONN_OK);

	CU_ASSERT_EQUAL(fx_get(&f, "/events", &g2), 0);
	spin(f.loop);
	CU_ASSERT_EQUAL(peer_count(f.peer), 1);
	clock_manual_advance(&f.mclock, 20000);
	api_client_kick(f.c);
	CU_ASSERT_TRUE(peer_run_until(f.loop, &g2.n, 10.0));
	CU_ASSERT_EQUAL(peer_count(f.peer), 2);

	/* With plenty left, requests are spaced so the quota lasts: 40 left
	 * of 60 (reserve 3) over 37 s is one per second. */
	struct got g[3];
	peer_set_default(f.peer, 200,
			 "X-RateLimit-Limit: 60\r\nX-RateLimit-Remaining: 40\r\n"
			 "X-RateLimit-Reset: 37\r\n",
			 "{}");
	CU_ASSERT_EQUAL(fx_get(&f, "/a", &g[0]), 0);
	CU_ASSERT_TRUE(peer_run_until(f.loop, &g[0].n, 10.0));
	CU_ASSERT_EQUAL(fx_get(&f, "/b", &g[1]), 0);
	CU_ASSERT_EQUAL(fx_get(&f, "/c", &g[2]), 0);
	spin(f.loop);
	CU_ASSERT_EQUAL(peer_count(f.peer), 3); /* /b waits for the gap */
	clock_manual_advance(&f.mclock, 1000);
	api_client_kick(f.c);
	CU_ASSERT_TRUE(peer_run_until(f.loop, &g[1].n, 10.0));
	spin(f.loop);
	CU_ASSERT_EQUAL(peer_count(f.peer), 4); /* and /c for the next one */
	clock_manual_advance(&f.mclock, 1000);
	api_client_kick(f.c);
	CU_ASSERT_TRUE(peer_run_until(f.loop, &g[2].n, 10.0));
	CU_ASSERT_EQUAL(peer_count(f.peer), 5);
	fx_done(&f);
}

static void test_server_errors_back_off(void)
{
	struct fixture f;
	struct got g;
	const struct api_conn_state *st;

	fx_init(&f, true, false);
	peer_set_default(f.peer, 503, "X-Request-Id: req_5\r\n",
			 "{\"error\":\"service_unavailable\",\"message\":\"Down for a bit\","
			 "\"action\":\"wait_and_retry\",\"docs\":\"x\",\"request_id\":\"req_5\"}");
	st = api_client_state(f.c);
	int64_t prev_gap = 0;
	for (unsigned n = 1; n <= 8; n++) {
		CU_ASSERT_EQUAL(fx_get(&f, "/events", &g), 0);
		/* Nothing goes out before the gate opens. */
		spin(f.loop);
		if (n > 1) {
			CU_ASSERT_EQUAL(peer_count(f.peer), n - 1);
			clock_manual_advance(&f.mclock, st->gate_until_ms - f.mclock.now);
			api_client_kick(f.c);
		}
		CU_ASSERT_TRUE(peer_run_until(f.loop, &g.n, 10.0));
		CU_ASSERT_EQUAL(g.r.outcome, API_SERVER_ERROR);
		CU_ASSERT_EQUAL(st->consecutive_failures, n);
		CU_ASSERT_EQUAL(st->state, n >= 3 ? API_CONN_DOWN : API_CONN_DEGRADED);
		int64_t gap = st->gate_until_ms - f.mclock.now;
		CU_ASSERT_TRUE(gap >= api_backoff_ms(n, 0.0) && gap <= api_backoff_ms(n, 1.0));
		CU_ASSERT_TRUE(gap <= API_BACKOFF_CAP_MS);
		CU_ASSERT_TRUE(n < 2 || gap * 2 >= prev_gap); /* keeps growing to the cap */
		prev_gap = gap;
	}
	CU_ASSERT_EQUAL(peer_count(f.peer), 8);
	CU_ASSERT_PTR_NOT_NULL(strstr(st->last_error, "Down for a bit"));
	CU_ASSERT_NOT_EQUAL(st->last_error_ms, TS_NONE);

	/* One success clears it all. */
	peer_set_default(f.peer, 200, NULL, "{}");
	clock_manual_advance(&f.mclock, st->gate_until_ms - f.mclock.now);
	CU_ASSERT_EQUAL(fx_get(&f, "/events", &g), 0);
	CU_ASSERT_TRUE(peer_run_until(f.loop, &g.n, 10.0));
	CU_ASSERT_EQUAL(st->state, API_CONN_OK);
	CU_ASSERT_EQUAL(st->consecutive_failures, 0);
	fx_done(&f);
}

static void test_outage_probes_one_at_a_time(void)
{
	struct fixture f;
	struct got g[5];

	fx_init(&f, true, false);
	peer_set_default(f.peer, 500, NULL, "");
	CU_ASSERT_EQUAL(fx_get(&f, "/events", &g[0]), 0);
	CU_ASSERT_TRUE(peer_run_until(f.loop, &g[0].n, 10.0));
	/* Four queued during the backoff: when it ends only one probe goes. */
	for (int i = 1; i < 5; i++)
		CU_ASSERT_EQUAL(fx_get(&f, "/events", &g[i]), 0);
	const struct api_conn_state *st = api_client_state(f.c);
	clock_manual_advance(&f.mclock, st->gate_until_ms - f.mclock.now);
	api_client_kick(f.c);
	CU_ASSERT_TRUE(peer_run_until(f.loop, &g[1].n, 10.0));
	spin(f.loop);
	CU_ASSERT_EQUAL(peer_count(f.peer), 2);
	CU_ASSERT_EQUAL(st->queued, 3);
	fx_done(&f);
}

/* A client of base url with a GET /events on its way to g. */
static struct api_client *client_get_events(struct ev_loop *loop, const char *url, struct got *g)
{
	struct api_client_opts o = { .base_url = url, .api_key = KEY };
	char err[256];
	struct api_client *c = api_client_new(loop, &o, err, sizeof(err));

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	memset(g, 0, sizeof(*g));
	CU_ASSERT_EQUAL(api_client_request(c, "GET", "/events", NULL, NULL, 0, got_done, g, err,
					   sizeof(err)),
			0);
	return c;
}

static void test_network_error(void)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct peer *p = peer_new(loop);
	char url[128];
	struct got g;

	snprintf(url, sizeof(url), "%s", peer_url(p, "/v1"));
	peer_free(p); /* nothing listens there now */
	struct api_client *c = client_get_events(loop, url, &g);
	CU_ASSERT_TRUE(peer_run_until(loop, &g.n, 10.0));
	CU_ASSERT_EQUAL(g.r.outcome, API_NETWORK_ERROR);
	CU_ASSERT_EQUAL(g.r.http_status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(g.r.message, "cannot reach the API"));
	CU_ASSERT_EQUAL(api_client_state(c)->state, API_CONN_DEGRADED);
	api_client_free(c);
	ev_loop_destroy(loop);
}

/* A server on its own thread that answers one request with a body over the
 * client's cap (the scripted peer writes on the test's loop, so it cannot
 * send more than the socket buffers hold). */
struct big_server {
	int lfd;
	pthread_t th;
};

static void *big_server_run(void *arg)
{
	struct big_server *b = arg;
	size_t n = API_MAX_RESPONSE_BYTES + 65536, off = 0;
	char head[128], req[4096];
	char *body = malloc(n);
	int fd = accept(b->lfd, NULL, NULL);

	if (fd >= 0 && body) {
		memset(body, 'x', n);
		(void)!read(fd, req, sizeof(req));
		snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", n);
		(void)!write(fd, head, strlen(head));
		while (off < n) {
			ssize_t w = send(fd, body + off, n - off, MSG_NOSIGNAL);
			if (w <= 0)
				break;
			off += (size_t)w;
		}
	}
	if (fd >= 0)
		close(fd);
	free(body);
	return NULL;
}

/* An answer over the cap is the API's fault, said as such: it was reached. */
static void test_oversized_answer(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	struct big_server b;
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	char url[128];
	struct got g;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	b.lfd = socket(AF_INET, SOCK_STREAM, 0);
	CU_ASSERT_FATAL(b.lfd >= 0);
	CU_ASSERT_FATAL(bind(b.lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CU_ASSERT_FATAL(listen(b.lfd, 1) == 0);
	CU_ASSERT_FATAL(getsockname(b.lfd, (struct sockaddr *)&sa, &sl) == 0);
	CU_ASSERT_FATAL(pthread_create(&b.th, NULL, big_server_run, &b) == 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/v1", ntohs(sa.sin_port));
	struct api_client *c = client_get_events(loop, url, &g);
	CU_ASSERT_TRUE(peer_run_until(loop, &g.n, 30.0));
	CU_ASSERT_EQUAL(g.r.outcome, API_SERVER_ERROR);
	CU_ASSERT_EQUAL(g.r.http_status, 200);
	CU_ASSERT_EQUAL(g.r.body_len, 0);
	CU_ASSERT_PTR_NULL(strstr(g.r.message, "cannot reach"));
	CU_ASSERT_PTR_NOT_NULL(strstr(g.r.message, "larger than 8388608 bytes"));
	CU_ASSERT_PTR_NULL(strstr(api_client_state(c)->last_error, "cannot reach"));
	api_client_free(c);
	pthread_join(b.th, NULL);
	close(b.lfd);
	ev_loop_destroy(loop);
}

static void test_key_never_logged(void)
{
	struct fixture f;
	struct got g;

	fx_init(&f, false, true);
	/* A hostile or buggy server echoing the key back. */
	peer_push(f.peer, 401, "X-Echo: Bearer " KEY "\r\n",
		  "{\"error\":\"unauthenticated\",\"message\":\"bad key " KEY "\","
		  "\"action\":\"fix_credentials\",\"docs\":\"x\",\"request_id\":\"req_K\"}");
	CU_ASSERT_EQUAL(fx_get(&f, "/environment/balance", &g), 0);
	CU_ASSERT_TRUE(peer_run_until(f.loop, &g.n, 10.0));
	CU_ASSERT_EQUAL(g.r.outcome, API_AUTH_ERROR);
	CU_ASSERT_TRUE(api_client_state(f.c)->auth_failed);
	CU_ASSERT_EQUAL(api_client_state(f.c)->state, API_CONN_DOWN);

	size_t n = log_count(f.log);
	int saw_redacted_auth = 0;
	CU_ASSERT_TRUE(n > 3); /* the trace did run */
	for (size_t i = 0; i < n; i++) {
		const char *line = log_line_at(f.log, i, NULL);
		CU_ASSERT_PTR_NULL(strstr(line, "sEcReTkEy"));
		if (strstr(line, "Authorization: Bearer [redacted]"))
			saw_redacted_auth = 1;
	}
	CU_ASSERT_TRUE(saw_redacted_auth);
	fx_done(&f);
}

static void test_bad_input_refused(void)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	char err[256];
	struct api_client_opts o = { .base_url = "https://api.example.invalid/v1" };
	struct got g;

	CU_ASSERT_PTR_NULL(api_client_new(loop, &o, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "MINTFAX_API_KEY"));
	o.api_key = "mfx_test_x\r\nX-Evil: 1";
	CU_ASSERT_PTR_NULL(api_client_new(loop, &o, err, sizeof(err)));
	o.api_key = KEY;
	o.base_url = "ftp://example.invalid";
	CU_ASSERT_PTR_NULL(api_client_new(loop, &o, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "https://"));
	o.base_url = "https://api.example.invalid/v1";
	o.cacert = "/nonexistent/ca.pem";
	CU_ASSERT_PTR_NULL(api_client_new(loop, &o, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/ca.pem"));
	o.cacert = NULL;

	struct api_client *c = api_client_new(loop, &o, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	memset(&g, 0, sizeof(g));
	CU_ASSERT_EQUAL(api_client_request(c, "GET", "events", NULL, NULL, 0, got_done, &g, err,
					   sizeof(err)),
			-1);
	CU_ASSERT_EQUAL(
		api_client_request(c, "GET", "/a b", NULL, NULL, 0, got_done, &g, err, sizeof(err)),
		-1);
	CU_ASSERT_EQUAL(
		api_client_request(c, "PATCH", "/x", NULL, NULL, 0, got_done, &g, err, sizeof(err)),
		-1);
	CU_ASSERT_EQUAL(api_client_request(c, "POST", "/x", "{}", "k\r\nX-Evil: 1", 0, got_done, &g,
					   err, sizeof(err)),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "idempotency key"));
	CU_ASSERT_EQUAL(api_client_state(c)->queued, 0);
	api_client_free(c);
	ev_loop_destroy(loop);
}

static void test_cancel_silences_callbacks(void)
{
	struct fixture f;
	struct got a, b;
	char err[256];

	fx_init(&f, false, false);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	CU_ASSERT_EQUAL(
		api_client_request(f.c, "GET", "/x", NULL, NULL, 0, got_done, &a, err, sizeof(err)),
		0);
	CU_ASSERT_EQUAL(
		api_client_request(f.c, "GET", "/y", NULL, NULL, 0, got_done, &b, err, sizeof(err)),
		0);
	api_client_cancel(f.c, &a);
	CU_ASSERT_TRUE(peer_run_until(f.loop, &b.n, 10.0));
	spin(f.loop);
	CU_ASSERT_EQUAL(a.n, 0);
	CU_ASSERT_EQUAL(b.n, 1);
	CU_ASSERT_EQUAL(peer_count(f.peer), 1);
	fx_done(&f);
}

static const struct unit_test tests[] = {
	{ "response headers parsed, untrusted values refused", test_header_parsing },
	{ "backoff grows, caps at 60 s, jitter within bounds", test_backoff_growth_cap_and_jitter },
	{ "pacing from X-RateLimit numbers", test_pacing },
	{ "error envelope and statuses classified", test_classify },
	{ "request shape, headers, connection reuse", test_request_shape_and_reuse },
	{ "429: nothing sent before Retry-After", test_retry_after_is_honoured },
	{ "X-RateLimit headers pace requests", test_rate_limit_headers_pace },
	{ "429 after 429 backs off beyond a short Retry-After", test_repeated_429_backs_off },
	{ "5xx backs off exponentially, state degraded then down", test_server_errors_back_off },
	{ "an oversized answer is the API's fault, not unreachable", test_oversized_answer },
	{ "during an outage one probe at a time", test_outage_probes_one_at_a_time },
	{ "connection refused is a network error", test_network_error },
	{ "the API key never reaches a log line", test_key_never_logged },
	{ "bad options and requests refused", test_bad_input_refused },
	{ "cancelled requests never call back", test_cancel_silences_callbacks },
	{ 0 },
};

UNIT_SUITE(api_client, NULL, NULL, tests);
