/* The one resend path (core/api/resend.c) against a scripted API peer and a
 * real store: the ledger's keys, the audit trail, and the gate that team
 * mode puts between the committed key and the request. */
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

static struct resender *fx_resender(struct fx *f, int tries, const struct resend_gate *gate)
{
	struct resend_opts ro = {
		.max_tries = tries, .who = "tester@unit", .triage = f->triage, .gate = gate
	};
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
	r = fx_resender(&f, 1, NULL);

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
	r = fx_resender(&f, 1, NULL);
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
	r = fx_resender(&f, 1, NULL);
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
	r = fx_resender(&f, 1, NULL);
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
/* ---- the gate ---- */

/* A gate that answers from the loop (a timer), at once or when told. */
struct fake_gate {
	struct resend_gate g;
	struct ev_loop *loop;
	ev_timer w;
	bool hold; /* no answer until fake_gate_answer */
	bool ok;
	const char *why;
	int passes, answers, cancels, settles;
	bool sent; /* settled's, the last */
	char fax_id[64], key[RESEND_KEY_MAX], settled_key[RESEND_KEY_MAX];
	resend_gate_cont cont;
	void *cont_ctx, *cancelled;
};

static void gate_fire(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct fake_gate *g = w->data;
	resend_gate_cont cont = g->cont;
	void *cc = g->cont_ctx;

	(void)revents;
	ev_timer_stop(loop, w);
	g->cont = NULL;
	g->cont_ctx = NULL;
	g->answers++;
	cont(cc, g->ok, g->why);
}

static void gate_pass(void *ctx, const char *fax_id, const char *key, resend_gate_cont cont,
		      void *cont_ctx)
{
	struct fake_gate *g = ctx;

	g->passes++;
	snprintf(g->fax_id, sizeof g->fax_id, "%s", fax_id);
	snprintf(g->key, sizeof g->key, "%s", key);
	g->cont = cont;
	g->cont_ctx = cont_ctx;
	if (!g->hold)
		ev_timer_start(g->loop, &g->w);
}

static void gate_cancel(void *ctx, void *cont_ctx)
{
	struct fake_gate *g = ctx;

	g->cancels++;
	g->cancelled = cont_ctx;
	if (cont_ctx == g->cont_ctx) {
		ev_timer_stop(g->loop, &g->w);
		g->cont = NULL;
		g->cont_ctx = NULL;
	}
}

static void gate_settled(void *ctx, const char *fax_id, const char *key, bool sent)
{
	struct fake_gate *g = ctx;

	(void)fax_id;
	g->settles++;
	g->sent = sent;
	snprintf(g->settled_key, sizeof g->settled_key, "%s", key);
}

static void fake_gate_init(struct fake_gate *g, struct fx *f, bool ok, const char *why)
{
	memset(g, 0, sizeof *g);
	g->g = (struct resend_gate){
		.pass = gate_pass, .cancel = gate_cancel, .settled = gate_settled, .ctx = g
	};
	g->loop = f->loop;
	g->ok = ok;
	g->why = why;
	ev_timer_init(&g->w, gate_fire, 0., 0.);
	g->w.data = g;
}

/* The held pass is answered, from the loop's next iteration. */
static void fake_gate_answer(struct fake_gate *g, bool ok, const char *why)
{
	g->hold = false;
	g->ok = ok;
	g->why = why;
	ev_timer_start(g->loop, &g->w);
}

static int gate_asked(void *ctx)
{
	return ((struct fake_gate *)ctx)->passes > 0;
}

static void add_failed(struct model *m, const char *id)
{
	struct fax f;

	fax_init(&f);
	f.id = strdup(id);
	f.status = FAX_FAILED;
	f.error_code = strdup("busy");
	f.created_at = 1795413600000;
	model_apply_fax(m, &f, SRC_API, f.created_at);
	fax_done(&f);
}

static enum triage_state triage_state_of(struct fx *f, const char *id)
{
	struct triage_info ti;

	triage_of(f->triage, f->model, model_get(f->model, id), &ti);
	return ti.state;
}

/* A resend of fax_id whose gate holds its answer: started, its key
 * committed, the gate asked. */
static struct resender *start_held(struct fx *f, struct fake_gate *g, const char *fax_id,
				   struct resend_got *got)
{
	struct resender *r;
	char err[256];

	fake_gate_init(g, f, true, NULL);
	g->hold = true;
	r = fx_resender(f, 1, &g->g);
	memset(got, 0, sizeof *got);
	CU_ASSERT_EQUAL_FATAL(resend_start(r, f->model, &(struct resend_req){ .fax_id = fax_id },
					   resend_cb, got, err, sizeof err),
			      0);
	CU_ASSERT_EQUAL(g->passes, 0); /* not before the key is committed */
	CU_ASSERT_TRUE_FATAL(peer_run_until_fn(f->loop, gate_asked, g, 10.0));
	return r;
}

#define RESENT(id, from)                                                                \
	"{\"id\":\"" id "\",\"status\":\"queued\",\"to\":\"+15005550001\",\"tags\":{}," \
	"\"created_at\":\"2026-11-23T06:05:00Z\",\"resent_from\":\"" from "\"}"
#define REFUSAL_402                                                            \
	"{\"error\":\"insufficient_balance\",\"message\":\"Balance too low\"," \
	"\"action\":\"top_up_balance\",\"docs\":\"x\",\"request_id\":\"req_402\"}"
#define BUSY_503                                                                               \
	"{\"error\":\"service_unavailable\",\"message\":\"later\",\"action\":\"retry_later\"," \
	"\"docs\":\"x\",\"request_id\":\"req_503\"}"

/* (a) A gate that passes: the request goes out with the key it was shown,
 * and the gate hears that a fax was made. */
static void test_gate_passes(void)
{
	struct fx f;
	struct fake_gate g;
	struct resend_got got;
	struct resender *r;
	char hk[RESEND_KEY_MAX];
	size_t last = 0;

	fx_init(&f, "gate-pass");
	fake_gate_init(&g, &f, true, NULL);
	peer_route(f.peer, "POST", "/v1/faxes/fax_a/resend", 201, NULL, RESENT("fax_a2", "fax_a"));
	r = fx_resender(&f, 1, &g.g);
	resend_run(&f, r, &(struct resend_req){ .fax_id = "fax_a" }, &got);
	CU_ASSERT_TRUE(got.ok && got.settled);
	CU_ASSERT_EQUAL(g.passes, 1);
	CU_ASSERT_STRING_EQUAL(g.fax_id, "fax_a");
	CU_ASSERT_STRING_EQUAL(g.key, got.key);
	CU_ASSERT_EQUAL(peer_count_paths(f.peer, "/v1/faxes/fax_a/resend", &last), 1);
	CU_ASSERT_STRING_EQUAL(
		peer_header(peer_req(f.peer, last), "Idempotency-Key", hk, sizeof hk), got.key);
	/* (f) a 201 is reported to the gate as sent. */
	CU_ASSERT_EQUAL(g.settles, 1);
	CU_ASSERT_TRUE(g.sent);
	CU_ASSERT_STRING_EQUAL(g.settled_key, got.key);
	resend_free(r);
	CU_ASSERT_EQUAL(g.cancels, 0);
	fx_done(&f);
}

/* (b) A refusal settles the resend without a request: its reason is the
 * message, the key's row is refused, the audit trail has it, the fax stays
 * unresolved, and the next resend mints a new key. */
static void test_gate_refuses(void)
{
	struct fx f;
	struct fake_gate g;
	struct resend_got g1, g2;
	struct resender *r;
	char where[400];

	fx_init(&f, "gate-refuse");
	add_failed(f.model, "fax_a");
	fake_gate_init(&g, &f, false, "being resent by ops@desk2 since 16:15");
	peer_set_default(f.peer, 201, NULL, RESENT("fax_a2", "fax_a"));
	r = fx_resender(&f, 1, &g.g);
	resend_run(&f, r, &(struct resend_req){ .fax_id = "fax_a" }, &g1);
	CU_ASSERT_EQUAL(g.passes, 1);
	CU_ASSERT_FALSE(g1.ok);
	CU_ASSERT_TRUE(g1.settled);
	CU_ASSERT_STRING_EQUAL(g1.error, "claimed");
	CU_ASSERT_STRING_EQUAL(g1.message, "being resent by ops@desk2 since 16:15");
	CU_ASSERT_EQUAL(g1.status, 0);
	CU_ASSERT_STRING_EQUAL(g1.request_id, "");
	CU_ASSERT_EQUAL(peer_count(f.peer), 0);
	snprintf(where, sizeof where, "key='%s' AND state='refused' AND error='claimed'", g1.key);
	CU_ASSERT_EQUAL(count_rows(f.db, "resend_ledger", where), 1);
	CU_ASSERT_EQUAL(count_rows(f.db, "resend_ledger", "state='pending'"), 0);
	snprintf(where, sizeof where,
		 "fax_id='fax_a' AND idempotency_key='%s' AND error='claimed' AND "
		 "new_fax_id IS NULL AND who='tester@unit'",
		 g1.key);
	CU_ASSERT_EQUAL(count_resend_rows(f.db, where), 1);
	CU_ASSERT_FALSE(triage_is_pending(f.triage, "fax_a"));
	CU_ASSERT_EQUAL(triage_state_of(&f, "fax_a"), TRIAGE_UNRESOLVED);
	CU_ASSERT_EQUAL(g.settles, 0); /* it never passed */
	CU_ASSERT_EQUAL(resend_in_flight(r), 0);

	/* The claim is gone: the next resend has a key of its own. */
	g.ok = true;
	resend_run(&f, r, &(struct resend_req){ .fax_id = "fax_a" }, &g2);
	CU_ASSERT_TRUE(g2.ok);
	CU_ASSERT_FALSE(g2.reused);
	CU_ASSERT_STRING_NOT_EQUAL(g2.key, g1.key);
	CU_ASSERT_EQUAL(peer_count(f.peer), 1);
	CU_ASSERT_EQUAL(triage_state_of(&f, "fax_a"), TRIAGE_RESENT);

	/* A reason from the shared store is text from outside: made safe. */
	g.ok = false;
	g.why = "by \x1b]0;evil\a\x1b[2Jops";
	resend_run(&f, r, &(struct resend_req){ .fax_id = "fax_b" }, &g1);
	CU_ASSERT_STRING_EQUAL(g1.error, "claimed");
	CU_ASSERT_PTR_NULL(strchr(g1.message, '\x1b'));
	CU_ASSERT_PTR_NULL(strchr(g1.message, '\a'));
	CU_ASSERT_PTR_NOT_NULL(strstr(g1.message, "ops"));
	resend_free(r);
	fx_done(&f);
}

/* (c) The gate may answer much later: until then the key is committed,
 * the fax is being resent, and nothing goes out. */
static void test_gate_answers_later(void)
{
	struct fx f;
	struct fake_gate g;
	struct resend_got got;
	struct resender *r;
	int never = 0;

	fx_init(&f, "gate-later");
	add_failed(f.model, "fax_a");
	peer_set_default(f.peer, 201, NULL, RESENT("fax_a2", "fax_a"));
	r = start_held(&f, &g, "fax_a", &got);
	CU_ASSERT_EQUAL(count_rows(f.db, "resend_ledger", "fax_id='fax_a' AND state='pending'"), 1);
	/* The loop runs on (a bound, not a timing): still nothing sent. */
	CU_ASSERT_FALSE(peer_run_until(f.loop, &never, 0.2));
	CU_ASSERT_EQUAL(peer_count(f.peer), 0);
	CU_ASSERT_EQUAL(got.n, 0);
	CU_ASSERT_EQUAL(resend_in_flight(r), 1);
	CU_ASSERT_EQUAL(triage_state_of(&f, "fax_a"), TRIAGE_RESENDING);

	fake_gate_answer(&g, true, NULL);
	CU_ASSERT_TRUE_FATAL(peer_run_until(f.loop, &got.n, 10.0));
	CU_ASSERT_TRUE(got.ok);
	CU_ASSERT_EQUAL(peer_count(f.peer), 1);
	CU_ASSERT_EQUAL(g.answers, 1);
	resend_free(r);
	fx_done(&f);
}

/* (d) Freed while waiting: the gate is told, done never runs. */
static void test_gate_cancelled_by_free(void)
{
	struct fx f;
	struct fake_gate g;
	struct resend_got got;
	struct resender *r;
	int never = 0;

	fx_init(&f, "gate-free");
	peer_set_default(f.peer, 201, NULL, RESENT("fax_a2", "fax_a"));
	r = start_held(&f, &g, "fax_a", &got);
	void *waiting = g.cont_ctx;
	resend_free(r);
	CU_ASSERT_EQUAL(g.cancels, 1);
	CU_ASSERT_PTR_EQUAL(g.cancelled, waiting);
	CU_ASSERT_PTR_NULL(g.cont_ctx);
	CU_ASSERT_FALSE(peer_run_until(f.loop, &never, 0.1));
	CU_ASSERT_EQUAL(got.n, 0);
	CU_ASSERT_EQUAL(g.answers, 0);
	CU_ASSERT_EQUAL(g.settles, 0);
	CU_ASSERT_EQUAL(peer_count(f.peer), 0);
	/* The key stays pending for the next resend to reuse. */
	store_commit(f.store);
	CU_ASSERT_EQUAL(count_rows(f.db, "resend_ledger", "fax_id='fax_a' AND state='pending'"), 1);
	fx_done(&f);
}

/* (e) A second press while the first waits on the gate is refused. */
static void test_gate_wait_is_in_flight(void)
{
	struct fx f;
	struct fake_gate g;
	struct resend_got g1, g2 = { 0 };
	struct resender *r;
	char err[256] = "";

	fx_init(&f, "gate-twice");
	r = start_held(&f, &g, "fax_a", &g1);
	CU_ASSERT_TRUE(resend_is_in_flight(r, "fax_a"));
	CU_ASSERT_EQUAL(resend_in_flight(r), 1);
	CU_ASSERT_EQUAL(resend_start(r, f.model, &(struct resend_req){ .fax_id = "fax_a" },
				     resend_cb, &g2, err, sizeof err),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "already being resent"));
	CU_ASSERT_EQUAL(g.passes, 1);

	fake_gate_answer(&g, false, "being resent by ops@desk2 since 16:15");
	CU_ASSERT_TRUE_FATAL(peer_run_until(f.loop, &g1.n, 10.0));
	CU_ASSERT_STRING_EQUAL(g1.error, "claimed");
	CU_ASSERT_EQUAL(g2.n, 0);
	CU_ASSERT_FALSE(resend_is_in_flight(r, "fax_a"));
	CU_ASSERT_EQUAL(peer_count(f.peer), 0);
	resend_free(r);
	fx_done(&f);
}

/* (f) The gate hears a definitive refusal as not sent, and nothing of an
 * unknown outcome; every resend_start with a pending key passes it again,
 * retries inside one do not. */
static void test_gate_settled(void)
{
	struct fx f;
	struct fake_gate g;
	struct resend_got g1, g2;
	struct resender *r;

	fx_init(&f, "gate-settled");
	fake_gate_init(&g, &f, true, NULL);
	peer_route(f.peer, "POST", "/v1/faxes/fax_b/resend", 402, NULL, REFUSAL_402);
	r = fx_resender(&f, 1, &g.g);
	resend_run(&f, r, &(struct resend_req){ .fax_id = "fax_b" }, &g1);
	CU_ASSERT_EQUAL(g1.status, 402);
	CU_ASSERT_TRUE(g1.settled);
	CU_ASSERT_EQUAL(g.settles, 1);
	CU_ASSERT_FALSE(g.sent);
	CU_ASSERT_STRING_EQUAL(g.settled_key, g1.key);

	/* A 503 with no try left: the outcome is unknown, the gate hears nothing. */
	g.settles = 0;
	peer_push(f.peer, 503, NULL, BUSY_503);
	peer_set_default(f.peer, 201, NULL, RESENT("fax_c2", "fax_c"));
	resend_run(&f, r, &(struct resend_req){ .fax_id = "fax_c" }, &g1);
	CU_ASSERT_FALSE(g1.settled);
	CU_ASSERT_EQUAL(g.settles, 0);
	CU_ASSERT_EQUAL(count_rows(f.db, "resend_ledger", "fax_id='fax_c' AND state='pending'"), 1);

	/* The pending key is retried: it passes the gate again, with that key. */
	g.passes = 0;
	resend_run(&f, r, &(struct resend_req){ .fax_id = "fax_c" }, &g2);
	CU_ASSERT_TRUE(g2.ok && g2.reused);
	CU_ASSERT_EQUAL(g.passes, 1);
	CU_ASSERT_STRING_EQUAL(g.key, g1.key);
	CU_ASSERT_EQUAL(g.settles, 1);
	CU_ASSERT_TRUE(g.sent);
	resend_free(r);

	/* Retries after a 503 inside one resend_start: one pass, two requests. */
	r = fx_resender(&f, 3, &g.g);
	g.passes = 0;
	peer_push(f.peer, 503, NULL, BUSY_503);
	peer_set_default(f.peer, 201, NULL, RESENT("fax_d2", "fax_d"));
	resend_run(&f, r, &(struct resend_req){ .fax_id = "fax_d" }, &g1);
	CU_ASSERT_TRUE(g1.ok);
	CU_ASSERT_EQUAL(g.passes, 1);
	CU_ASSERT_EQUAL(peer_count_paths(f.peer, "/v1/faxes/fax_d/resend", NULL), 2);
	resend_free(r);
	fx_done(&f);
}

static const struct unit_test tests[] = {
	{ "resend: 201 links the new fax, errors carry message and action, audit", test_resend },
	{ "a resend with no known outcome keeps its key and body, over a restart",
	  test_resend_pending_key },
	{ "the resend's key is committed before the POST goes out", test_resend_key_before_post },
	{ "idempotency keys are UUIDv4", test_uuid_keys },
	{ "gate: a pass lets the request out with its key, and hears it was sent",
	  test_gate_passes },
	{ "gate: a refusal settles the resend as claimed, nothing sent, key refused",
	  test_gate_refuses },
	{ "gate: nothing is sent before a late answer", test_gate_answers_later },
	{ "gate: resend_free while waiting cancels, done never runs", test_gate_cancelled_by_free },
	{ "gate: a resend waiting on it is in flight", test_gate_wait_is_in_flight },
	{ "gate: settled after 201 and 4xx, not after an unknown outcome", test_gate_settled },
	{ 0 },
};

UNIT_SUITE(resend, NULL, NULL, tests);
