/* The webhook route end to end in one process: http_server + webhook over
 * the real ingest, model and SQLite store, a manual clock, and a socket
 * client on the same loop. */
#include <config.h>

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <http_parser.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/http/http_server.h"
#include "core/store/ingest.h"
#include "core/base/log.h"
#include "core/model/model.h"
#include "core/http/signature.h"
#include "core/store/store.h"
#include "core/http/webhook.h"
#include "tests/unit/unit.h"

#define SECRET        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define OLD_SECRET    "whsec_c2VjcmV0LW9mLWEtcm90YXRlZC1lbmRwb2ludA=="
#define LEGACY_SECRET "whsec_test_3JzE9rYNm2VbQ8P6KxLf1WdGa4Tc"
#define NOW_S         1747173600

struct answer {
	int status;
	char body[2048];
	char allow[64];
	char field[64];
	bool done;
};

struct fx {
	struct ev_loop *loop;
	struct clock_manual clk;
	struct store *st;
	struct model *m;
	struct ingest *in;
	struct log *log;
	struct webhook *wh;
	struct http_server *srv;
	char db[512];
};

static int n_db;

static int a_field(http_parser *p, const char *at, size_t len)
{
	struct answer *a = p->data;

	snprintf(a->field, sizeof a->field, "%.*s", (int)len, at);
	return 0;
}

static int a_value(http_parser *p, const char *at, size_t len)
{
	struct answer *a = p->data;

	if (strcasecmp(a->field, "Allow") == 0)
		snprintf(a->allow, sizeof a->allow, "%.*s", (int)len, at);
	return 0;
}

static int a_body(http_parser *p, const char *at, size_t len)
{
	struct answer *a = p->data;
	size_t have = strlen(a->body);

	snprintf(a->body + have, sizeof a->body - have, "%.*s", (int)len, at);
	return 0;
}

static int a_headers_done(http_parser *p)
{
	return p->status_code == 204 ? 1 : 0;
}

static int a_done(http_parser *p)
{
	struct answer *a = p->data;

	a->status = (int)p->status_code;
	a->done = true;
	http_parser_pause(p, 1);
	return 0;
}

static const http_parser_settings a_settings = {
	.on_header_field = a_field,
	.on_header_value = a_value,
	.on_headers_complete = a_headers_done,
	.on_body = a_body,
	.on_message_complete = a_done,
};

struct conn {
	int fd;
	ev_io w;
	http_parser p;
	struct answer *a;
	bool eof;
};

static void conn_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct conn *c = w->data;
	char buf[4096];
	ssize_t n = recv(c->fd, buf, sizeof buf, 0);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		c->eof = true;
		ev_io_stop(loop, w);
		return;
	}
	http_parser_execute(&c->p, &a_settings, buf, (size_t)n);
}

static bool guard_hit;

static void guard_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	guard_hit = true;
}

/* Sends one raw request on a fresh connection; runs the loop until the answer. */
static void exchange(struct fx *f, const char *raw, size_t len, struct answer *a)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct conn c = { 0 };
	ev_timer guard;
	size_t off = 0;

	memset(a, 0, sizeof *a);
	sa.sin_port = htons((uint16_t)http_server_port(f->srv));
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	c.fd = socket(AF_INET, SOCK_STREAM, 0);
	CU_ASSERT_FATAL(c.fd >= 0);
	CU_ASSERT_FATAL(connect(c.fd, (struct sockaddr *)&sa, sizeof sa) == 0);
	while (off < len) {
		ssize_t n = send(c.fd, raw + off, len - off, MSG_NOSIGNAL);

		CU_ASSERT_FATAL(n > 0);
		off += (size_t)n;
	}
	fcntl(c.fd, F_SETFL, O_NONBLOCK);
	http_parser_init(&c.p, HTTP_RESPONSE);
	c.p.data = a;
	c.a = a;
	ev_io_init(&c.w, conn_cb, c.fd, EV_READ);
	c.w.data = &c;
	ev_io_start(f->loop, &c.w);
	guard_hit = false;
	ev_timer_init(&guard, guard_cb, 10., 0.);
	ev_timer_start(f->loop, &guard);
	while (!a->done && !c.eof && !guard_hit)
		ev_run(f->loop, EVRUN_ONCE);
	ev_timer_stop(f->loop, &guard);
	ev_io_stop(f->loop, &c.w);
	close(c.fd);
	CU_ASSERT(a->done);
}

/* A POST signed with `secret` (NULL: no signature headers). */
static void post(struct fx *f, const char *path, const char *secret, const char *id, int64_t ts,
		 const char *body, struct answer *a)
{
	char sig[128] = "", head[1024], *raw;
	size_t blen = strlen(body), hlen;

	if (secret) {
		struct sig_key k;
		char err[256];

		CU_ASSERT_FATAL(sig_key_from_secret(secret, SIG_STANDARD, &k, err, sizeof err) ==
				0);
		CU_ASSERT_FATAL(sig_sign_standard(&k, id, ts, body, blen, sig, sizeof sig) == 0);
		snprintf(head, sizeof head,
			 "POST %s HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
			 "webhook-id: %s\r\nwebhook-timestamp: %lld\r\nwebhook-signature: %s\r\n"
			 "Content-Length: %zu\r\n\r\n",
			 path, id, (long long)ts, sig, blen);
	} else {
		snprintf(head, sizeof head,
			 "POST %s HTTP/1.1\r\nHost: t\r\nContent-Length: %zu\r\n\r\n", path, blen);
	}
	hlen = strlen(head);
	raw = malloc(hlen + blen);
	memcpy(raw, head, hlen);
	memcpy(raw + hlen, body, blen);
	exchange(f, raw, hlen + blen, a);
	free(raw);
}

static void post_headers(struct fx *f, const char *headers, const char *body, struct answer *a)
{
	char raw[4096];

	snprintf(raw, sizeof raw,
		 "POST /webhooks/mintfax HTTP/1.1\r\nHost: t\r\n%s"
		 "Content-Length: %zu\r\n\r\n%s",
		 headers, strlen(body), body);
	exchange(f, raw, strlen(raw), a);
}

static int fx_open(struct fx *f, const struct webhook_opts *wo_in)
{
	struct store_opts so = { 0 };
	struct webhook_opts wo = { .secret = SECRET };
	char err[256];

	memset(f, 0, sizeof *f);
	if (wo_in)
		wo = *wo_in;
	f->loop = ev_loop_new(EVFLAG_AUTO);
	clock_manual_init(&f->clk, (int64_t)NOW_S * 1000);
	snprintf(f->db, sizeof f->db, "%s/webhook-%d.db", unit_tmpdir(), n_db++);
	so.path = f->db;
	f->st = store_open(&so, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->st);
	store_attach(f->st, f->loop);
	f->m = model_new(NULL);
	f->in = ingest_new(f->st, f->m, &f->clk.clock);
	f->log = log_new(NULL, LOG_DEBUG);
	f->wh = webhook_new(&wo, f->in, f->st, f->m, &f->clk.clock, f->log, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->wh);
	/* A long idle timeout: nothing may depend on it waking the loop. */
	f->srv = http_server_new(f->loop, &(struct http_server_opts){ .idle_timeout = 3600 },
				 webhook_handle, f->wh);
	CU_ASSERT_FATAL(http_server_listen(f->srv, "127.0.0.1:0", err, sizeof err) == 0);
	return 0;
}

static void fx_close(struct fx *f)
{
	http_server_free(f->srv);
	webhook_free(f->wh);
	ingest_free(f->in);
	store_detach(f->st);
	store_close(f->st);
	model_free(f->m);
	log_free(f->log);
	ev_loop_destroy(f->loop);
}

static char *fixture(const char *name)
{
	char path[128];
	size_t len;
	char *s;

	snprintf(path, sizeof path, "fixtures/events/%s", name);
	s = unit_fixture_read(path, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	return s;
}

static int db_count(const char *db, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int n = -1;

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(h);
	return n;
}

/* ---- tests ---- */

static void test_accept_and_duplicate(void)
{
	struct fx f;
	struct answer a;
	char *q = fixture("fax.queued.json");
	const struct model_fax *mf;

	fx_open(&f, NULL);
	post(&f, "/webhooks/mintfax", SECRET, "evt_q1aZqRm4yT3vK7pNxJ2bH9", NOW_S, q, &a);
	CU_ASSERT_EQUAL(a.status, 204);
	/* 204 means committed: another connection sees the row. */
	CU_ASSERT_EQUAL(db_count(f.db, "SELECT count(*) FROM events"), 1);
	mf = model_get(f.m, "fax_8aZqRm4yT3vK7pNxJ2bH9c");
	CU_ASSERT_PTR_NOT_NULL(mf);
	CU_ASSERT_EQUAL(webhook_stats(f.wh)->accepted, 1);
	CU_ASSERT_EQUAL(webhook_pending(f.wh), 0);
	/* A retry: same id, new timestamp and signature. */
	clock_manual_advance(&f.clk, 10000);
	post(&f, "/webhooks/mintfax", SECRET, "evt_q1aZqRm4yT3vK7pNxJ2bH9", NOW_S + 10, q, &a);
	CU_ASSERT_EQUAL(a.status, 204);
	CU_ASSERT_EQUAL(db_count(f.db, "SELECT count(*) FROM events"), 1);
	CU_ASSERT_EQUAL(webhook_stats(f.wh)->duplicates, 1);
	CU_ASSERT_EQUAL(webhook_stats(f.wh)->accepted, 1);
	free(q);
	fx_close(&f);
}

static void test_out_of_order(void)
{
	struct fx f;
	struct answer a;
	char *q = fixture("fax.queued.json"), *s = fixture("fax.sending.json");
	char *d = fixture("fax.delivered.json");
	const struct model_fax *mf;

	fx_open(&f, NULL);
	post(&f, "/webhooks/mintfax", SECRET, "evt_d3aZqRm4yT3vK7pNxJ2bH9", NOW_S, d, &a);
	CU_ASSERT_EQUAL(a.status, 204);
	post(&f, "/webhooks/mintfax", SECRET, "evt_s", NOW_S, s, &a);
	CU_ASSERT_EQUAL(a.status, 204);
	post(&f, "/webhooks/mintfax", SECRET, "evt_q1aZqRm4yT3vK7pNxJ2bH9", NOW_S, q, &a);
	CU_ASSERT_EQUAL(a.status, 204);
	mf = model_get(f.m, "fax_8aZqRm4yT3vK7pNxJ2bH9c");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mf);
	CU_ASSERT_EQUAL(mf->fax.status, FAX_DELIVERED);
	CU_ASSERT_EQUAL(db_count(f.db, "SELECT count(*) FROM faxes WHERE status = 'delivered'"), 1);
	free(q);
	free(s);
	free(d);
	fx_close(&f);
}

static void test_refusals(void)
{
	static const struct {
		const char *headers;
		const char *error;
		enum sig_result r;
	} cases[] = {
		{ "", "missing_header", SIG_MISSING_HEADER },
		{ "webhook-id: evt_1\r\nwebhook-timestamp: 1747173600\r\n", "missing_header",
		  SIG_MISSING_HEADER },
		{ "webhook-id: evt_1\r\nwebhook-timestamp: 1747173600\r\nwebhook-signature: "
		  "v1,!!notbase64!!\r\n",
		  "malformed_header", SIG_MALFORMED_HEADER },
		{ "webhook-id: evt_1\r\nwebhook-timestamp: 1747173600\r\n"
		  "webhook-signature: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=\r\n",
		  "signature_mismatch", SIG_MISMATCH },
		{ "webhook-id: evt_1\r\nwebhook-timestamp: soon\r\n"
		  "webhook-signature: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=\r\n",
		  "bad_timestamp", SIG_BAD_TIMESTAMP },
	};
	struct fx f;
	struct answer a;
	char *q = fixture("fax.queued.json");
	size_t i;

	fx_open(&f, NULL);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char want[64];

		post_headers(&f, cases[i].headers, q, &a);
		CU_ASSERT_EQUAL(a.status, 401);
		snprintf(want, sizeof want, "{\"error\":\"%s\",", cases[i].error);
		CU_ASSERT_EQUAL(strncmp(a.body, want, strlen(want)), 0);
	}
	/* Signed with the wrong secret, too old, too new. */
	post(&f, "/webhooks/mintfax", OLD_SECRET, "evt_q1aZqRm4yT3vK7pNxJ2bH9", NOW_S, q, &a);
	CU_ASSERT_EQUAL(a.status, 401);
	CU_ASSERT_PTR_NOT_NULL(strstr(a.body, "signature_mismatch"));
	post(&f, "/webhooks/mintfax", SECRET, "evt_q1aZqRm4yT3vK7pNxJ2bH9", NOW_S - 301, q, &a);
	CU_ASSERT_EQUAL(a.status, 401);
	CU_ASSERT_PTR_NOT_NULL(strstr(a.body, "stale_timestamp"));
	post(&f, "/webhooks/mintfax", SECRET, "evt_q1aZqRm4yT3vK7pNxJ2bH9", NOW_S + 301, q, &a);
	CU_ASSERT_EQUAL(a.status, 401);
	CU_ASSERT_PTR_NOT_NULL(strstr(a.body, "future_timestamp"));
	/* Nothing reached the store or the model; everything was counted. */
	CU_ASSERT_EQUAL(db_count(f.db, "SELECT count(*) FROM events"), 0);
	CU_ASSERT_EQUAL(model_count(f.m), 0);
	CU_ASSERT_EQUAL(webhook_refused_total(f.wh), 8);
	CU_ASSERT_EQUAL(webhook_stats(f.wh)->refused[SIG_MISSING_HEADER], 2);
	CU_ASSERT_EQUAL(webhook_stats(f.wh)->refused[SIG_MISMATCH], 2);
	CU_ASSERT_EQUAL(webhook_stats(f.wh)->refused[SIG_STALE_TIMESTAMP], 1);
	CU_ASSERT_EQUAL(webhook_stats(f.wh)->refused[SIG_FUTURE_TIMESTAMP], 1);
	CU_ASSERT(model_log_count(f.m) >= 1);
	if (model_log_count(f.m) >= 1) {
		const struct model_log_entry *e = model_log_at(f.m, 0);

		CU_ASSERT_EQUAL(e->outcome, APPLY_REFUSED);
		CU_ASSERT_PTR_NOT_NULL(strstr(e->detail, "future_timestamp"));
		CU_ASSERT_PTR_NOT_NULL(strstr(e->detail, "127.0.0.1:"));
	}
	CU_ASSERT(log_count(f.log) >= 8);
	free(q);
	fx_close(&f);
}

/* For the banners: the recent refusals (how many, the last one's time, peer
 * and reason), and a streak of signatures no key matches, which only an
 * accepted event ends and other refusals neither lengthen nor end. */
static void test_refusals_recent_and_streak(void)
{
	struct fx f;
	struct answer a;
	struct webhook_refusals r;
	char *q = fixture("fax.queued.json");
	const int64_t t0 = (int64_t)NOW_S * 1000;

	fx_open(&f, NULL);
	webhook_refusals(f.wh, t0, 600000, &r);
	CU_ASSERT_EQUAL(r.recent, 0);
	CU_ASSERT_EQUAL(r.last_ms, TS_NONE);
	CU_ASSERT_EQUAL(r.streak, 0);
	post(&f, "/webhooks/mintfax", OLD_SECRET, "evt_r1", NOW_S, q, &a);
	clock_manual_advance(&f.clk, 60000);
	post(&f, "/webhooks/mintfax", SECRET, "evt_r2", NOW_S - 301, q, &a); /* stale */
	post(&f, "/webhooks/mintfax", OLD_SECRET, "evt_r3", NOW_S + 60, q, &a);
	webhook_refusals(f.wh, t0 + 60000, 600000, &r);
	CU_ASSERT_EQUAL(r.recent, 3);
	CU_ASSERT_EQUAL(r.oldest_ms, t0);
	CU_ASSERT_EQUAL(r.last_ms, t0 + 60000);
	CU_ASSERT_STRING_EQUAL(r.last_reason, "signature_mismatch");
	CU_ASSERT_EQUAL(strncmp(r.last_peer, "127.0.0.1:", 10), 0);
	CU_ASSERT_EQUAL(r.streak, 2);
	CU_ASSERT_EQUAL(r.streak_since_ms, t0);
	/* ten minutes on, the first one has left the window */
	webhook_refusals(f.wh, t0 + 600001, 600000, &r);
	CU_ASSERT_EQUAL(r.recent, 2);
	CU_ASSERT_EQUAL(r.oldest_ms, t0 + 60000);
	/* an accepted event ends the streak */
	post(&f, "/webhooks/mintfax", SECRET, "evt_r4", NOW_S + 60, q, &a);
	store_commit(f.st);
	webhook_refusals(f.wh, t0 + 60000, 600000, &r);
	CU_ASSERT_EQUAL(r.streak, 0);
	CU_ASSERT_EQUAL(r.streak_since_ms, TS_NONE);
	CU_ASSERT_EQUAL(r.recent, 3);
	free(q);
	fx_close(&f);
}

static void test_invalid_quarantined(void)
{
	struct fx f;
	struct answer a;

	fx_open(&f, NULL);
	post(&f, "/webhooks/mintfax", SECRET, "evt_bad", NOW_S, "{\"id\": \"evt_bad\", ", &a);
	CU_ASSERT_EQUAL(a.status, 400);
	CU_ASSERT_EQUAL(strncmp(a.body, "{\"error\":\"invalid_event\",", 25), 0);
	CU_ASSERT_EQUAL(webhook_stats(f.wh)->invalid, 1);
	store_commit(f.st);
	CU_ASSERT_EQUAL(db_count(f.db, "SELECT count(*) FROM quarantine"), 1);
	CU_ASSERT_EQUAL(db_count(f.db, "SELECT count(*) FROM events"), 0);
	fx_close(&f);
}

static void test_routes_and_health(void)
{
	struct fx f;
	struct answer a;
	const char *get_hook = "GET /webhooks/mintfax HTTP/1.1\r\nHost: t\r\n\r\n";
	const char *get_health = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
	const char *post_health = "POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n";
	const char *nowhere = "GET /nowhere HTTP/1.1\r\nHost: t\r\n\r\n";
	char *q = fixture("fax.queued.json");

	fx_open(&f, NULL);
	exchange(&f, get_hook, strlen(get_hook), &a);
	CU_ASSERT_EQUAL(a.status, 405);
	CU_ASSERT_STRING_EQUAL(a.allow, "POST");
	exchange(&f, post_health, strlen(post_health), &a);
	CU_ASSERT_EQUAL(a.status, 405);
	CU_ASSERT_PTR_NOT_NULL(strstr(a.allow, "GET"));
	exchange(&f, nowhere, strlen(nowhere), &a);
	CU_ASSERT_EQUAL(a.status, 404);
	CU_ASSERT_EQUAL(strncmp(a.body, "{\"error\":\"not_found\"", 20), 0);
	post(&f, "/webhooks/other", SECRET, "evt_q1aZqRm4yT3vK7pNxJ2bH9", NOW_S, q, &a);
	CU_ASSERT_EQUAL(a.status, 404);
	exchange(&f, get_health, strlen(get_health), &a);
	CU_ASSERT_EQUAL(a.status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(a.body, "\"status\":\"ok\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(a.body, "\"events_accepted\":0"));
	CU_ASSERT_PTR_NOT_NULL(strstr(a.body, "\"last_event_age_s\":null"));
	CU_ASSERT_PTR_NOT_NULL(strstr(a.body, "\"store_ok\":true"));
	post(&f, "/webhooks/mintfax", SECRET, "evt_q1aZqRm4yT3vK7pNxJ2bH9", NOW_S, q, &a);
	CU_ASSERT_EQUAL(a.status, 204);
	clock_manual_advance(&f.clk, 7000);
	exchange(&f, get_health, strlen(get_health), &a);
	CU_ASSERT_PTR_NOT_NULL(strstr(a.body, "\"events_accepted\":1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(a.body, "\"last_event_age_s\":7"));
	CU_ASSERT_PTR_NOT_NULL(strstr(a.body, "\"uptime_s\":7"));
	CU_ASSERT_EQUAL(webhook_stats(f.wh)->not_found, 2);
	CU_ASSERT_EQUAL(webhook_stats(f.wh)->bad_method, 2);
	free(q);
	fx_close(&f);
}

static const char *api_state_down(void *ctx)
{
	return "down";
}

static void test_store_failure_then_recovery(void)
{
	struct fx f;
	struct answer a;
	const char *get_health = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
	char *q = fixture("fax.queued.json");

	fx_open(&f, NULL);
	store_set_fault(f.st, true);
	post(&f, "/webhooks/mintfax", SECRET, "evt_q1aZqRm4yT3vK7pNxJ2bH9", NOW_S, q, &a);
	/* Never a 2xx for an event that is not stored. */
	CU_ASSERT_EQUAL(a.status, 503);
	CU_ASSERT_PTR_NOT_NULL(strstr(a.body, "store_unavailable"));
	CU_ASSERT_EQUAL(db_count(f.db, "SELECT count(*) FROM events"), 0);
	exchange(&f, get_health, strlen(get_health), &a);
	CU_ASSERT_PTR_NOT_NULL(strstr(a.body, "\"status\":\"degraded\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(a.body, "\"store_ok\":false"));
	CU_ASSERT_PTR_NOT_NULL(strstr(a.body, "\"api\":\"off\""));
	/* The failed commit is no accepted event; it is counted apart. */
	CU_ASSERT_EQUAL(webhook_stats(f.wh)->accepted, 0);
	CU_ASSERT_EQUAL(webhook_stats(f.wh)->commit_failed, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(a.body, "\"events_accepted\":0"));
	CU_ASSERT_PTR_NOT_NULL(strstr(a.body, "\"events_failed\":1"));
	webhook_set_api_state(f.wh, api_state_down, NULL);
	exchange(&f, get_health, strlen(get_health), &a);
	CU_ASSERT_PTR_NOT_NULL(strstr(a.body, "\"api\":\"down\""));
	/* mintfax retries once the disk is back. */
	store_set_fault(f.st, false);
	post(&f, "/webhooks/mintfax", SECRET, "evt_q1aZqRm4yT3vK7pNxJ2bH9", NOW_S, q, &a);
	CU_ASSERT_EQUAL(a.status, 204);
	CU_ASSERT_EQUAL(db_count(f.db, "SELECT count(*) FROM events"), 1);
	CU_ASSERT(webhook_stats(f.wh)->unavailable >= 1);
	CU_ASSERT_EQUAL(webhook_stats(f.wh)->accepted, 1);
	free(q);
	fx_close(&f);
}

static void test_rotation_and_legacy(void)
{
	struct webhook_opts wo = { .secret = SECRET, .secret_old = OLD_SECRET };
	struct fx f;
	struct answer a;
	char *q = fixture("fax.queued.json"), *d = fixture("fax.delivered.json");
	char hdr[512], hex[65];
	struct sig_key k;
	char err[256];

	fx_open(&f, &wo);
	post(&f, "/webhooks/mintfax", OLD_SECRET, "evt_q1aZqRm4yT3vK7pNxJ2bH9", NOW_S, q, &a);
	CU_ASSERT_EQUAL(a.status, 204);
	post(&f, "/webhooks/mintfax", SECRET, "evt_d3aZqRm4yT3vK7pNxJ2bH9", NOW_S, d, &a);
	CU_ASSERT_EQUAL(a.status, 204);
	fx_close(&f);

	wo.secret = LEGACY_SECRET;
	wo.secret_old = NULL;
	wo.scheme_name = "legacy";
	fx_open(&f, &wo);
	CU_ASSERT_FATAL(sig_key_from_secret(LEGACY_SECRET, SIG_LEGACY, &k, err, sizeof err) == 0);
	CU_ASSERT_FATAL(sig_sign_legacy(&k, NOW_S, q, strlen(q), hex, sizeof hex) == 0);
	snprintf(hdr, sizeof hdr, "X-Mintfax-Timestamp: %d\r\nX-Mintfax-Signature: %s\r\n", NOW_S,
		 hex);
	post_headers(&f, hdr, q, &a);
	CU_ASSERT_EQUAL(a.status, 204);
	post_headers(&f, hdr, d, &a);
	CU_ASSERT_EQUAL(a.status, 401);
	CU_ASSERT_EQUAL(db_count(f.db, "SELECT count(*) FROM events"), 1);
	free(q);
	free(d);
	fx_close(&f);
}

static void test_new_refuses_bad_config(void)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct store_opts so = { 0 };
	struct store *st;
	struct model *m = model_new(NULL);
	struct ingest *in;
	char err[256], db[512];
	struct webhook_opts bad_secret = { .secret = LEGACY_SECRET, .scheme_name = "standard" };
	struct webhook_opts bad_old = { .secret = SECRET,
					.secret_old = "whsec_???",
					.scheme_name = "standard" };
	struct webhook_opts bad_scheme = { .secret = SECRET, .scheme_name = "hmac" };
	struct webhook_opts no_secret = { .secret = NULL };
	struct webhook_opts bad_path = { .secret = SECRET, .path = "webhooks" };
	struct webhook_opts auto_legacy = { .secret = LEGACY_SECRET };
	struct webhook *wh;

	snprintf(db, sizeof db, "%s/webhook-cfg.db", unit_tmpdir());
	so.path = db;
	st = store_open(&so, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	in = ingest_new(st, m, NULL);
	err[0] = '\0';
	CU_ASSERT_PTR_NULL(webhook_new(&bad_secret, in, st, m, NULL, NULL, err, sizeof err));
	CU_ASSERT(err[0] != '\0');
	CU_ASSERT_PTR_NULL(strstr(err, "3JzE9rYNm2VbQ8P6KxLf1WdGa4Tc"));
	CU_ASSERT_PTR_NULL(webhook_new(&bad_old, in, st, m, NULL, NULL, err, sizeof err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "old"));
	CU_ASSERT_PTR_NULL(webhook_new(&bad_scheme, in, st, m, NULL, NULL, err, sizeof err));
	CU_ASSERT_PTR_NULL(webhook_new(&no_secret, in, st, m, NULL, NULL, err, sizeof err));
	CU_ASSERT_PTR_NULL(webhook_new(&bad_path, in, st, m, NULL, NULL, err, sizeof err));
	/* auto refuses a secret that gives no standard key (mintfax signs
	 * with the standard scheme), naming the way out; legacy takes it. */
	err[0] = '\0';
	CU_ASSERT_PTR_NULL(webhook_new(&auto_legacy, in, st, m, NULL, NULL, err, sizeof err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "legacy"));
	CU_ASSERT_PTR_NULL(strstr(err, "3JzE9rYNm2VbQ8P6KxLf1WdGa4Tc"));
	auto_legacy.scheme_name = "legacy";
	wh = webhook_new(&auto_legacy, in, st, m, NULL, NULL, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL(wh);
	webhook_free(wh);
	ingest_free(in);
	store_close(st);
	model_free(m);
	ev_loop_destroy(loop);
}

struct raw_reader {
	int fd;
	char buf[8192];
	size_t len;
};

/* Reads what has arrived without a watcher: the answers must not be what
 * wakes the server's loop. */
static void raw_drain(struct raw_reader *r)
{
	ssize_t n;

	while ((n = recv(r->fd, r->buf + r->len, sizeof r->buf - 1 - r->len, MSG_DONTWAIT)) > 0) {
		r->len += (size_t)n;
		r->buf[r->len] = '\0';
	}
}

static int count_204(const char *s)
{
	int n = 0;

	while ((s = strstr(s, "HTTP/1.1 204 ")) != NULL) {
		n++;
		s++;
	}
	return n;
}

static void test_pipelined_events(void)
{
	struct fx f;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct raw_reader rr = { 0 };
	struct sig_key k;
	char err[256], all[8192] = "";
	ev_timer guard;
	int i;

	fx_open(&f, NULL);
	CU_ASSERT_FATAL(sig_key_from_secret(SECRET, SIG_STANDARD, &k, err, sizeof err) == 0);
	for (i = 0; i < 3; i++) {
		char id[32], fax[32], body[256], sig[64], one[1024];

		snprintf(id, sizeof id, "evt_pipe_%d", i);
		snprintf(fax, sizeof fax, "fax_pipe_%d", i);
		snprintf(body, sizeof body,
			 "{\"id\":\"%s\",\"type\":\"fax.queued\",\"created\":%d,"
			 "\"data\":{\"object\":{\"id\":\"%s\",\"status\":\"queued\","
			 "\"to\":\"+12125551234\"}}}",
			 id, NOW_S, fax);
		CU_ASSERT_FATAL(
			sig_sign_standard(&k, id, NOW_S, body, strlen(body), sig, sizeof sig) == 0);
		snprintf(one, sizeof one,
			 "POST /webhooks/mintfax HTTP/1.1\r\nHost: t\r\n"
			 "webhook-id: %s\r\nwebhook-timestamp: %d\r\nwebhook-signature: %s\r\n"
			 "Content-Length: %zu\r\n\r\n%s",
			 id, NOW_S, sig, strlen(body), body);
		strcat(all, one);
	}
	sa.sin_port = htons((uint16_t)http_server_port(f.srv));
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	rr.fd = socket(AF_INET, SOCK_STREAM, 0);
	CU_ASSERT_FATAL(connect(rr.fd, (struct sockaddr *)&sa, sizeof sa) == 0);
	CU_ASSERT_FATAL(send(rr.fd, all, strlen(all), 0) == (ssize_t)strlen(all));
	/* Each answer waits for its commit, and each commit must follow at
	 * once: nothing else will wake this loop before the guard. */
	guard_hit = false;
	ev_timer_init(&guard, guard_cb, 10., 0.);
	ev_timer_start(f.loop, &guard);
	while (count_204(rr.buf) < 3 && !guard_hit) {
		ev_run(f.loop, EVRUN_ONCE);
		raw_drain(&rr);
	}
	ev_timer_stop(f.loop, &guard);
	close(rr.fd);
	CU_ASSERT_EQUAL(count_204(rr.buf), 3);
	CU_ASSERT_EQUAL(db_count(f.db, "SELECT count(*) FROM events WHERE id LIKE 'evt_pipe_%'"),
			3);
	sig_key_wipe(&k);
	fx_close(&f);
}

static const struct unit_test tests[] = {
	{ "valid event → 204 after commit; duplicate → 204, one row", test_accept_and_duplicate },
	{ "out-of-order events end delivered", test_out_of_order },
	{ "refusals → 401 by reason, nothing stored", test_refusals },
	{ "recent refusals and the wrong-secret streak", test_refusals_recent_and_streak },
	{ "authentic but invalid JSON → 400, quarantined", test_invalid_quarantined },
	{ "404, 405 with Allow, healthz", test_routes_and_health },
	{ "store failure → 503, then recovery", test_store_failure_then_recovery },
	{ "rotation and the legacy scheme", test_rotation_and_legacy },
	{ "webhook_new refuses bad configuration", test_new_refuses_bad_config },
	{ "pipelined events each answered after their commit", test_pipelined_events },
	{ 0 }
};

UNIT_SUITE(webhook, NULL, NULL, tests);
