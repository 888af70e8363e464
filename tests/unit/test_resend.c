/* The one resend path (core/api/resend.c) against a scripted API peer and a
 * real store: the ledger's keys and the audit trail. */
#include <ev.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/api/api_client.h"
#include "core/api/resend.h"
#include "core/base/log.h"
#include "core/model/event.h"
#include "core/model/model.h"
#include "core/store/ingest.h"
#include "core/store/store.h"
#include "core/store/triage.h"
#include "tests/unit/test_peer.h"
#include "tests/unit/unit.h"

struct fx {
	struct ev_loop *loop;
	struct peer *peer;
	const struct clock *clock; /* NULL: the real one */
	struct log *log;
	struct store *store;
	struct model *model;
	struct ingest *in;
	struct api_client *api;
	struct triage *triage;
	char db[512];
};

static void fx_init(struct fx *f, const char *name)
{
	char err[256] = "";
	static int seq;

	memset(f, 0, sizeof *f);
	f->loop = ev_loop_new(EVFLAG_AUTO);
	f->peer = peer_new(f->loop);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->peer);
	f->log = log_new(NULL, LOG_DEBUG);
	snprintf(f->db, sizeof f->db, "%s/%s-%d.db", unit_tmpdir(), name, ++seq);
	struct store_opts so = { .path = f->db };
	f->store = store_open(&so, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->store);
	store_attach(f->store, f->loop);
	f->model = model_new(NULL);
	f->in = ingest_new(f->store, f->model, f->clock);
	f->triage = triage_new();
	struct api_client_opts ao = {
		.base_url = peer_url(f->peer, "/v1"),
		.api_key = "mfx_test_resendkey0123456789",
		.log = f->log,
	};
	f->api = api_client_new(f->loop, &ao, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->api);
}

static void fx_done(struct fx *f)
{
	api_client_free(f->api);
	store_detach(f->store);
	ingest_free(f->in);
	store_close(f->store);
	triage_free(f->triage);
	model_free(f->model);
	peer_free(f->peer);
	log_free(f->log);
	ev_loop_destroy(f->loop);
}

struct resend_got {
	int n;
	bool ok, settled, reused;
	char new_id[64], error[64], message[256], action[64], request_id[64], key[64];
	int status;
};

static void resend_cb(void *ctx, const struct resend_result *r)
{
	struct resend_got *g = ctx;

	g->n++;
	g->ok = r->ok;
	g->settled = r->settled;
	g->reused = r->reused_key;
	g->status = r->http_status;
	snprintf(g->new_id, sizeof g->new_id, "%s", r->new_fax_id ? r->new_fax_id : "");
	snprintf(g->error, sizeof g->error, "%s", r->error ? r->error : "");
	snprintf(g->message, sizeof g->message, "%s", r->message ? r->message : "");
	snprintf(g->action, sizeof g->action, "%s", r->action ? r->action : "");
	snprintf(g->request_id, sizeof g->request_id, "%s", r->request_id ? r->request_id : "");
	snprintf(g->key, sizeof g->key, "%s", r->key ? r->key : "");
}

static int count_rows(const char *db, const char *table, const char *where)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	char sql[320];
	int n = -1;

	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE %s", table, where);
	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

static int count_resend_rows(const char *db, const char *where)
{
	return count_rows(db, "resends", where);
}

static struct resender *fx_resender(struct fx *f, int tries)
{
	struct resend_opts ro = { .max_tries = tries, .who = "tester@unit", .triage = f->triage };
	struct resender *r = resend_new(f->loop, f->api, f->store, f->in, f->clock, f->log, &ro);

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	return r;
}

/* Starts a resend and runs the loop until its answer. */
static void resend_run(struct fx *f, struct resender *r, const struct resend_req *q,
		       struct resend_got *g)
{
	char err[256];

	memset(g, 0, sizeof *g);
	CU_ASSERT_EQUAL_FATAL(resend_start(r, f->model, q, resend_cb, g, err, sizeof err), 0);
	CU_ASSERT_EQUAL(g->n, 0); /* never from inside the call */
	CU_ASSERT_TRUE_FATAL(peer_run_until(f->loop, &g->n, 10.0));
	store_commit(f->store);
}

static void test_resend(void)
{
	struct fx f;
	struct resend_got g1, g2, g4;
	char buf[320], err[256];
	struct resender *r;

	fx_init(&f, "resend");
	peer_route(f.peer, "POST", "/v1/faxes/fax_a/resend", 201, "X-Request-Id: req_ok\r\n",
		   "{\"id\":\"fax_new\",\"status\":\"queued\",\"to\":\"+15005550001\",\"tags\":{},"
		   "\"created_at\":\"2026-11-23T06:05:00Z\",\"resent_from\":\"fax_a\"}");
	peer_route(f.peer, "POST", "/v1/faxes/fax_b/resend", 402, "X-Request-Id: req_402\r\n",
		   "{\"error\":\"insufficient_balance\",\"message\":\"Balance too low for 1 page\","
		   "\"action\":\"top_up_balance\",\"docs\":\"x\",\"request_id\":\"req_402\"}");
	r = fx_resender(&f, 1);

	struct resend_req req = { .fax_id = "fax_a", .to = "+15005550001", .max_attempts = 2 };
	resend_run(&f, r, &req, &g1);
	CU_ASSERT_TRUE(g1.ok && g1.settled && !g1.reused);
	CU_ASSERT_EQUAL(g1.status, 201);
	CU_ASSERT_STRING_EQUAL(g1.new_id, "fax_new");
	CU_ASSERT_EQUAL(strlen(g1.key), 36); /* minted */
	size_t last = 0;
	CU_ASSERT_EQUAL(peer_count_paths(f.peer, "/v1/faxes/fax_a/resend", &last), 1);
	const struct peer_request *q = peer_req(f.peer, last);
	CU_ASSERT_STRING_EQUAL(q->body, "{\"to\":\"+15005550001\",\"max_attempts\":2}");
	CU_ASSERT_STRING_EQUAL(peer_header(q, "Idempotency-Key", buf, sizeof buf), g1.key);
	const struct model_fax *nf = model_get(f.model, "fax_new");
	CU_ASSERT_PTR_NOT_NULL_FATAL(nf);
	CU_ASSERT_STRING_EQUAL(nf->fax.resent_from, "fax_a");

	/* A second resend of fax_a needs an explicit choice, and names the first. */
	struct resend_req again = { .fax_id = "fax_a" };
	CU_ASSERT_EQUAL(resend_start(r, f.model, &again, resend_cb, &g2, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "fax_new"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, g1.key));
	CU_ASSERT_EQUAL(peer_count_paths(f.peer, "/v1/faxes/fax_a/resend", NULL), 1);
	again.again = true;
	resend_run(&f, r, &again, &g2);
	CU_ASSERT_TRUE(g2.ok);
	CU_ASSERT_STRING_NOT_EQUAL(g2.key, g1.key); /* a new key for another fax */

	/* A definitive refusal settles the key: the next try mints another. */
	struct resend_req rb = { .fax_id = "fax_b" };
	resend_run(&f, r, &rb, &g2);
	CU_ASSERT_FALSE(g2.ok);
	CU_ASSERT_TRUE(g2.settled);
	CU_ASSERT_EQUAL(g2.status, 402);
	CU_ASSERT_STRING_EQUAL(g2.error, "insufficient_balance");
	CU_ASSERT_STRING_EQUAL(g2.action, "top_up_balance");
	CU_ASSERT_STRING_EQUAL(g2.request_id, "req_402");
	CU_ASSERT_PTR_NOT_NULL(strstr(g2.message, "Balance too low"));
	CU_ASSERT_EQUAL(count_rows(f.db, "resend_ledger", "fax_id='fax_b' AND state='refused'"), 1);
	resend_run(&f, r, &rb, &g4);
	CU_ASSERT_FALSE(g4.reused);
	CU_ASSERT_STRING_NOT_EQUAL(g4.key, g2.key);

	/* A bad number is refused locally, before anything is stored or sent. */
	struct resend_req bad = { .fax_id = "fax_b", .to = "555-1234" };
	size_t before = peer_count(f.peer);
	CU_ASSERT_EQUAL(resend_start(r, f.model, &bad, resend_cb, &g4, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "E.164"));
	CU_ASSERT_EQUAL(peer_count(f.peer), before);

	/* Hostile envelope text never reaches the caller raw. */
	struct resend_req evil = { .fax_id = "fax_evil" };
	peer_route(f.peer, "POST", "/v1/faxes/fax_evil/resend", 409, NULL,
		   "{\"error\":\"invalid_state\\u001b[2J\",\"message\":\"no\\u001b]0;x\\u0007pe\","
		   "\"action\":\"fix\\u009b1m_request\",\"docs\":\"x\",\"request_id\":\"req_"
		   "\\u001bE\"}");
	resend_run(&f, r, &evil, &g4);
	CU_ASSERT_FALSE(g4.ok);
	CU_ASSERT_EQUAL(g4.status, 409);
	CU_ASSERT_PTR_NULL(strchr(g4.error, '\x1b'));
	CU_ASSERT_PTR_NULL(strchr(g4.message, '\x1b'));
	CU_ASSERT_PTR_NULL(strchr(g4.message, '\a'));
	CU_ASSERT_PTR_NULL(strstr(g4.action, "\xc2\x9b"));
	CU_ASSERT_PTR_NULL(strchr(g4.request_id, '\x1b'));
	CU_ASSERT_PTR_NOT_NULL(strstr(g4.error, "invalid_state"));

	/* Every request is in the audit trail, with its key and who asked. */
	snprintf(buf, sizeof buf,
		 "fax_id='fax_a' AND new_fax_id='fax_new' AND "
		 "idempotency_key='%s' AND request_id='req_ok' AND who='tester@unit'",
		 g1.key);
	CU_ASSERT_EQUAL(count_resend_rows(f.db, buf), 1);
	CU_ASSERT_EQUAL(count_resend_rows(f.db, "fax_id='fax_b' AND error='insufficient_balance'"),
			2);
	CU_ASSERT_EQUAL(count_rows(f.db, "resend_ledger", "fax_id='fax_a' AND state='sent'"), 2);
	resend_free(r);
	fx_done(&f);
}

/* A resend whose outcome is unknown (a 503, a timeout) keeps its key and
 * body; the retry, after a restart too, reuses both. */
static void test_resend_pending_key(void)
{
	struct fx f;
	struct resend_got g1, g2;
	char k1[64], k2[64], err[512];
	struct resender *r;
	size_t last = 0;

	fx_init(&f, "resend-pending");
	peer_push(f.peer, 503, NULL,
		  "{\"error\":\"service_unavailable\",\"message\":\"later\","
		  "\"action\":\"retry_later\",\"docs\":\"x\",\"request_id\":\"req_503\"}");
	peer_set_default(f.peer, 201, NULL,
			 "{\"id\":\"fax_c2\",\"status\":\"queued\",\"tags\":{},"
			 "\"to\":\"+15005550001\",\"created_at\":\"2026-11-23T06:05:00Z\","
			 "\"resent_from\":\"fax_c\"}");
	r = fx_resender(&f, 1);
	struct resend_req q = { .fax_id = "fax_c", .to = "+15005550001" };
	resend_run(&f, r, &q, &g1);
	CU_ASSERT_FALSE(g1.ok);
	CU_ASSERT_FALSE(g1.settled);
	CU_ASSERT_EQUAL(count_rows(f.db, "resend_ledger", "fax_id='fax_c' AND state='pending'"), 1);

	/* A restart: another resender on a reopened store; the pending
	 * request is retried as it was. */
	resend_free(r);
	store_detach(f.store);
	ingest_free(f.in);
	store_close(f.store);
	struct store_opts so = { .path = f.db };
	f.store = store_open(&so, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f.store);
	store_attach(f.store, f.loop);
	f.in = ingest_new(f.store, f.model, f.clock);
	r = fx_resender(&f, 1);
	/* Another number cannot ride on that key: refused, nothing sent. */
	struct resend_req q3 = { .fax_id = "fax_c", .to = "+15005550003" };
	CU_ASSERT_EQUAL(resend_start(r, f.model, &q3, resend_cb, &g2, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no known outcome"));
	CU_ASSERT_EQUAL(peer_count_paths(f.peer, "/v1/faxes/fax_c/resend", NULL), 1);
	struct resend_req q2 = { .fax_id = "fax_c", .to = "+15005550001" };
	resend_run(&f, r, &q2, &g2);
	CU_ASSERT_TRUE(g2.ok && g2.reused);
	CU_ASSERT_STRING_EQUAL(g2.key, g1.key);
	CU_ASSERT_EQUAL(peer_count_paths(f.peer, "/v1/faxes/fax_c/resend", &last), 2);
	CU_ASSERT_STRING_EQUAL(
		peer_header(peer_req(f.peer, last), "Idempotency-Key", k2, sizeof k2), g1.key);
	CU_ASSERT_STRING_EQUAL(peer_req(f.peer, last)->body, "{\"to\":\"+15005550001\"}");
	CU_ASSERT_STRING_EQUAL(peer_header(peer_req(f.peer, 0), "Idempotency-Key", k1, sizeof k1),
			       g1.key);
	CU_ASSERT_EQUAL(count_rows(f.db, "resend_ledger", "fax_id='fax_c'"), 1);
	resend_free(r);
	fx_done(&f);
}

/* The key is committed before the POST: a store that cannot commit means
 * nothing is sent. */
static void test_resend_key_before_post(void)
{
	struct fx f;
	struct resend_got g;
	struct resender *r;

	fx_init(&f, "resend-commit");
	peer_set_default(f.peer, 201, NULL,
			 "{\"id\":\"fax_d2\",\"status\":\"queued\",\"tags\":{}}");
	r = fx_resender(&f, 1);
	store_set_fault(f.store, true);
	struct resend_req q = { .fax_id = "fax_d" };
	memset(&g, 0, sizeof g);
	char err[256];
	CU_ASSERT_EQUAL_FATAL(resend_start(r, f.model, &q, resend_cb, &g, err, sizeof err), 0);
	CU_ASSERT_TRUE_FATAL(peer_run_until(f.loop, &g.n, 10.0));
	CU_ASSERT_FALSE(g.ok);
	CU_ASSERT_STRING_EQUAL(g.error, "not_sent");
	CU_ASSERT_EQUAL(peer_count(f.peer), 0);
	store_set_fault(f.store, false);
	resend_free(r);
	fx_done(&f);
}

static void test_uuid_keys(void)
{
	char a[37], b[37];

	resend_new_key(a);
	resend_new_key(b);
	CU_ASSERT_EQUAL(strlen(a), 36);
	CU_ASSERT_STRING_NOT_EQUAL(a, b);
	CU_ASSERT_EQUAL(a[8], '-');
	CU_ASSERT_EQUAL(a[13], '-');
	CU_ASSERT_EQUAL(a[14], '4');                   /* version 4 */
	CU_ASSERT_PTR_NOT_NULL(strchr("89ab", a[19])); /* RFC 4122 variant */
}
static const struct unit_test tests[] = {
	{ "resend: 201 links the new fax, errors carry message and action, audit", test_resend },
	{ "a resend with no known outcome keeps its key and body, over a restart",
	  test_resend_pending_key },
	{ "the resend's key is committed before the POST goes out", test_resend_key_before_post },
	{ "idempotency keys are UUIDv4", test_uuid_keys },
	{ 0 },
};

UNIT_SUITE(resend, NULL, NULL, tests);
