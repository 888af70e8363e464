/* ingest: parse → dedupe against the store → store → model, with real
 * SQLite files, the real parser and the real model. */
#include "config.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/wire/event_parse.h"
#include "core/store/ingest.h"
#include "core/model/model.h"
#include "core/store/store.h"
#include "tests/unit/unit.h"

#define T0 1700000000000LL

struct rig {
	char path[512];
	struct store *store;
	struct model *model;
	struct clock_manual clock;
	struct ingest *in;
	int seen[INGEST_RESULT_COUNT];
	char last_id[64];
	enum event_source last_src;
};

static void observe(void *ctx, const struct event *ev, const char *raw, size_t raw_len,
		    enum event_source src, enum ingest_result r)
{
	struct rig *g = ctx;

	g->seen[r]++;
	snprintf(g->last_id, sizeof g->last_id, "%s", ev->id);
	g->last_src = src;
	CU_ASSERT_PTR_NOT_NULL(raw);
	CU_ASSERT_TRUE(raw_len > 0);
}

static void rig_open(struct rig *g, const char *name, size_t recent)
{
	struct store_opts o = { .recent_events = recent };
	char err[512] = "";

	memset(g, 0, sizeof *g);
	snprintf(g->path, sizeof g->path, "%s/ingest/%s.db", unit_tmpdir(), name);
	o.path = g->path;
	g->store = store_open(&o, err, sizeof err);
	if (!g->store)
		fprintf(stderr, "store_open: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g->store);
	g->model = model_new(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g->model);
	clock_manual_init(&g->clock, T0);
	g->in = ingest_new(g->store, g->model, &g->clock.clock);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g->in);
	ingest_set_observer(g->in, observe, g);
}

/* Reopens the same database as after a restart. */
static void rig_reopen(struct rig *g, size_t recent)
{
	struct store_opts o = { .path = g->path, .recent_events = recent };
	char err[512] = "";

	ingest_free(g->in);
	model_free(g->model);
	store_close(g->store);
	g->store = store_open(&o, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g->store);
	g->model = model_new(NULL);
	CU_ASSERT_EQUAL_FATAL(store_load(g->store, g->model, T0), 0);
	g->in = ingest_new(g->store, g->model, &g->clock.clock);
	ingest_set_observer(g->in, observe, g);
}

static void rig_close(struct rig *g)
{
	ingest_free(g->in);
	model_free(g->model);
	store_close(g->store);
}

static long long peek_int(struct rig *g, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long v = -1;

	CU_ASSERT_EQUAL_FATAL(sqlite3_open(g->path, &db), SQLITE_OK);
	CU_ASSERT_EQUAL_FATAL(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* A fax event body. attempts is the JSON array text. */
static char *fax_body(const char *evt, const char *type, const char *fax, const char *status,
		      const char *updated, const char *attempts, const char *error_code)
{
	char *b = NULL;
	char code[64];

	if (error_code)
		snprintf(code, sizeof code, "\"%s\"", error_code);
	else
		snprintf(code, sizeof code, "null");
	if (asprintf(&b,
		     "{\"id\":\"%s\",\"type\":\"%s\",\"created\":1700000000,"
		     "\"data\":{\"object\":{\"id\":\"%s\",\"status\":\"%s\","
		     "\"to\":\"+12125551234\",\"pages\":2,\"error_code\":%s,"
		     "\"max_attempts\":3,\"attempts\":%s,\"tags\":{\"team\":\"ops\"},"
		     "\"created_at\":\"2023-11-14T22:00:00Z\",\"updated_at\":\"%s\"}}}",
		     evt, type, fax, status, code, attempts, updated) < 0)
		return NULL;
	return b;
}

static enum ingest_result ingest_str(struct rig *g, const char *body, enum event_source src,
				     char *err, size_t errlen)
{
	return ingest_body(g->in, body, strlen(body), src, err, errlen);
}

static const char *const attempt1_open =
	"[{\"attempt_number\":1,\"started_at\":\"2023-11-14T22:00:05Z\",\"completed_at\":null}]";
static const char *const attempt1_done =
	"[{\"attempt_number\":1,\"started_at\":\"2023-11-14T22:00:05Z\","
	"\"completed_at\":\"2023-11-14T22:00:40Z\",\"duration_ms\":35000}]";
static const char *const attempt1_busy =
	"[{\"attempt_number\":1,\"started_at\":\"2023-11-14T22:00:05Z\","
	"\"completed_at\":\"2023-11-14T22:00:40Z\",\"duration_ms\":35000,"
	"\"error_code\":\"BUSY\"}]";

static void test_each_type(void)
{
	struct rig g;
	char err[256] = "";
	struct fax got;
	char *b;
	static const char *const balance_low =
		"{\"id\":\"evt_bl\",\"type\":\"balance.low\",\"created\":1700000100,"
		"\"data\":{\"object\":{\"environment_id\":\"env_1\",\"available\":150,"
		"\"held\":40,\"currency\":\"USD\"}}}";
	static const char *const balance_topup =
		"{\"id\":\"evt_bt\",\"type\":\"balance.topup\",\"created\":1700000200,"
		"\"data\":{\"object\":{\"environment_id\":\"env_1\",\"available\":10150,"
		"\"held\":40,\"currency\":\"USD\"}}}";
	struct balance_snapshot bal;

	rig_open(&g, "types", 100);
	b = fax_body("evt_q", "fax.queued", "fax_1", "queued", "2023-11-14T22:00:00Z", "[]", NULL);
	CU_ASSERT_EQUAL(ingest_str(&g, b, SRC_WEBHOOK, err, sizeof err), INGEST_ACCEPTED);
	free(b);
	b = fax_body("evt_s", "fax.sending", "fax_1", "in_progress", "2023-11-14T22:00:05Z",
		     attempt1_open, NULL);
	CU_ASSERT_EQUAL(ingest_str(&g, b, SRC_WEBHOOK, err, sizeof err), INGEST_ACCEPTED);
	free(b);
	b = fax_body("evt_d", "fax.delivered", "fax_1", "delivered", "2023-11-14T22:00:40Z",
		     attempt1_done, NULL);
	CU_ASSERT_EQUAL(ingest_str(&g, b, SRC_WEBHOOK, err, sizeof err), INGEST_ACCEPTED);
	free(b);
	b = fax_body("evt_f", "fax.failed", "fax_2", "failed", "2023-11-14T22:00:40Z",
		     attempt1_busy, "INVALID_NUMBER");
	CU_ASSERT_EQUAL(ingest_str(&g, b, SRC_WEBHOOK, err, sizeof err), INGEST_ACCEPTED);
	free(b);
	CU_ASSERT_EQUAL(ingest_str(&g, balance_low, SRC_WEBHOOK, err, sizeof err), INGEST_ACCEPTED);
	CU_ASSERT_EQUAL(ingest_str(&g, balance_topup, SRC_WEBHOOK, err, sizeof err),
			INGEST_ACCEPTED);
	CU_ASSERT_EQUAL(g.seen[INGEST_ACCEPTED], 6);
	CU_ASSERT_STRING_EQUAL(g.last_id, "evt_bt");
	CU_ASSERT_EQUAL(ingest_stats(g.in)->by_result[INGEST_ACCEPTED], 6);

	/* the model */
	CU_ASSERT_EQUAL(model_count(g.model), 2);
	CU_ASSERT_EQUAL(model_get(g.model, "fax_1")->fax.status, FAX_DELIVERED);
	CU_ASSERT_EQUAL(model_get(g.model, "fax_2")->fax.status, FAX_FAILED);
	CU_ASSERT_EQUAL(model_balance(g.model)->available, 10150);

	/* the store, after the commit point */
	CU_ASSERT_TRUE(store_pending(g.store));
	CU_ASSERT_EQUAL(store_commit(g.store), 0);
	CU_ASSERT_EQUAL(store_event_count(g.store), 6);
	CU_ASSERT_EQUAL(peek_int(&g,
				 "SELECT count(*) FROM events WHERE source = 'webhook'"
				 " AND fax_id = 'fax_1'"),
			3);
	CU_ASSERT_EQUAL(peek_int(&g,
				 "SELECT count(*) FROM events WHERE type = 'balance.low'"
				 " AND fax_id IS NULL AND received_at = 1700000000000"),
			1);
	CU_ASSERT_EQUAL_FATAL(store_get_fax(g.store, "fax_1", &got, NULL, NULL), 0);
	CU_ASSERT_EQUAL(got.status, FAX_DELIVERED);
	CU_ASSERT_EQUAL(got.n_attempts, 1);
	CU_ASSERT_EQUAL(got.n_tags, 1);
	fax_done(&got);
	CU_ASSERT_EQUAL_FATAL(store_get_fax(g.store, "fax_2", &got, NULL, NULL), 0);
	CU_ASSERT_EQUAL(got.status, FAX_FAILED);
	CU_ASSERT_STRING_EQUAL(got.error_code, "invalid_number");
	fax_done(&got);
	CU_ASSERT_EQUAL_FATAL(store_get_balance(g.store, &bal, NULL), 0);
	CU_ASSERT_EQUAL(bal.available, 10150);
	balance_snapshot_done(&bal);
	rig_close(&g);
}

static void test_duplicate(void)
{
	struct rig g;
	char err[256] = "";
	char *b = fax_body("evt_dup", "fax.queued", "fax_d", "queued", "2023-11-14T22:00:00Z", "[]",
			   NULL);
	char *same_id = fax_body("evt_dup", "fax.delivered", "fax_d", "delivered",
				 "2023-11-14T22:05:00Z", attempt1_done, NULL);
	uint64_t applied;

	rig_open(&g, "dup", 100);
	CU_ASSERT_EQUAL(ingest_str(&g, b, SRC_WEBHOOK, err, sizeof err), INGEST_ACCEPTED);
	/* inside the open batch */
	CU_ASSERT_EQUAL(ingest_str(&g, b, SRC_WEBHOOK, err, sizeof err), INGEST_DUPLICATE);
	CU_ASSERT_EQUAL(store_commit(g.store), 0);
	/* after the commit, and from the poller */
	CU_ASSERT_EQUAL(ingest_str(&g, b, SRC_POLL, err, sizeof err), INGEST_DUPLICATE);
	CU_ASSERT_EQUAL(g.seen[INGEST_DUPLICATE], 2);
	CU_ASSERT_EQUAL(g.last_src, SRC_POLL);
	CU_ASSERT_EQUAL(ingest_stats(g.in)->by_result[INGEST_DUPLICATE], 2);
	CU_ASSERT_EQUAL(model_stats(g.model)->duplicates, 2);
	CU_ASSERT_EQUAL(model_stats(g.model)->applied, 1);
	CU_ASSERT_EQUAL(store_event_count(g.store), 1);
	CU_ASSERT_EQUAL(model_get(g.model, "fax_d")->fax.status, FAX_QUEUED);

	/* after a restart that replays no events into the model, the store
	 * still knows: a duplicate, and the model does not apply it */
	rig_reopen(&g, 0);
	CU_ASSERT_FALSE(model_seen(g.model, "evt_dup"));
	applied = model_stats(g.model)->applied;
	/* the id decides, not the content */
	CU_ASSERT_EQUAL(ingest_str(&g, same_id, SRC_WEBHOOK, err, sizeof err), INGEST_DUPLICATE);
	CU_ASSERT_EQUAL(model_stats(g.model)->duplicates, 1);
	CU_ASSERT_EQUAL(model_stats(g.model)->applied, applied);
	CU_ASSERT_EQUAL(model_get(g.model, "fax_d")->fax.status, FAX_QUEUED);
	free(b);
	free(same_id);
	rig_close(&g);
}

static void test_invalid_body(void)
{
	struct rig g;
	char err[256] = "";
	static const char *const broken = "{\"id\":\"evt_x\",\"type\":\"fax.queued\",";
	static const char *const no_fax_id =
		"{\"id\":\"evt_y\",\"type\":\"fax.queued\",\"created\":1700000000,"
		"\"data\":{\"object\":{\"status\":\"queued\"}}}";
	char *big;
	size_t big_len = WIRE_MAX_BYTES + 10;

	rig_open(&g, "invalid", 100);
	CU_ASSERT_EQUAL(ingest_str(&g, broken, SRC_WEBHOOK, err, sizeof err), INGEST_INVALID);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "invalid event"));
	err[0] = '\0';
	CU_ASSERT_EQUAL(ingest_str(&g, no_fax_id, SRC_WEBHOOK, err, sizeof err), INGEST_INVALID);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "id"));
	big = malloc(big_len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, ' ', big_len);
	err[0] = '\0';
	CU_ASSERT_EQUAL(ingest_body(g.in, big, big_len, SRC_WEBHOOK, err, sizeof err),
			INGEST_INVALID);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "limit"));
	free(big);
	CU_ASSERT_EQUAL(ingest_body(g.in, NULL, 0, SRC_WEBHOOK, err, sizeof err), INGEST_INVALID);

	CU_ASSERT_EQUAL(g.seen[INGEST_ACCEPTED] + g.seen[INGEST_DUPLICATE], 0);
	CU_ASSERT_EQUAL(ingest_stats(g.in)->by_result[INGEST_INVALID], 4);
	CU_ASSERT_EQUAL(model_count(g.model), 0);
	CU_ASSERT_TRUE(model_log_count(g.model) >= 1);
	CU_ASSERT_EQUAL(model_log_at(g.model, 0)->outcome, APPLY_INVALID);
	CU_ASSERT_EQUAL(store_commit(g.store), 0);
	CU_ASSERT_EQUAL(store_event_count(g.store), 0);
	CU_ASSERT_EQUAL(peek_int(&g, "SELECT count(*) FROM quarantine"), 4);
	CU_ASSERT_EQUAL(peek_int(&g,
				 "SELECT length(raw) FROM quarantine WHERE raw ="
				 " CAST('{\"id\":\"evt_x\",\"type\":\"fax.queued\",' AS BLOB)"),
			34);
	/* the oversized body is kept only in part */
	CU_ASSERT_EQUAL(peek_int(&g, "SELECT max(length(raw)) FROM quarantine"), 65536);
	rig_close(&g);
}

/* Events arrive newest first; the end state is the newest one. */
static void test_out_of_order(void)
{
	struct rig g;
	char err[256] = "";
	char *d = fax_body("evt_o3", "fax.delivered", "fax_o", "delivered", "2023-11-14T22:00:40Z",
			   attempt1_done, NULL);
	char *s = fax_body("evt_o2", "fax.sending", "fax_o", "in_progress", "2023-11-14T22:00:05Z",
			   attempt1_open, NULL);
	char *q = fax_body("evt_o1", "fax.queued", "fax_o", "queued", "2023-11-14T22:00:00Z", "[]",
			   NULL);
	struct fax got;

	rig_open(&g, "order", 100);
	CU_ASSERT_EQUAL(ingest_str(&g, d, SRC_WEBHOOK, err, sizeof err), INGEST_ACCEPTED);
	CU_ASSERT_EQUAL(ingest_str(&g, s, SRC_POLL, err, sizeof err), INGEST_ACCEPTED);
	CU_ASSERT_EQUAL(ingest_str(&g, q, SRC_WEBHOOK, err, sizeof err), INGEST_ACCEPTED);
	CU_ASSERT_EQUAL(model_get(g.model, "fax_o")->fax.status, FAX_DELIVERED);
	CU_ASSERT_EQUAL(store_commit(g.store), 0);
	CU_ASSERT_EQUAL_FATAL(store_get_fax(g.store, "fax_o", &got, NULL, NULL), 0);
	CU_ASSERT_EQUAL(got.status, FAX_DELIVERED);
	CU_ASSERT_EQUAL_FATAL(got.n_attempts, 1);
	CU_ASSERT_NOT_EQUAL(got.attempts[0].completed_at, TS_NONE);
	fax_done(&got);
	CU_ASSERT_EQUAL(store_event_count(g.store), 3);

	/* and after a restart the model comes back in the same state */
	rig_reopen(&g, 100);
	CU_ASSERT_EQUAL(model_get(g.model, "fax_o")->fax.status, FAX_DELIVERED);
	CU_ASSERT_TRUE(model_seen(g.model, "evt_o1"));
	free(d);
	free(s);
	free(q);
	rig_close(&g);
}

/* A terminal event that contradicts the fax's terminal status is an anomaly:
 * recorded on the fax, not applied, and still there after a restart. */
static void test_anomaly_survives_restart(void)
{
	struct rig g;
	char err[256] = "";
	char *f = fax_body("evt_a1", "fax.failed", "fax_a", "failed", "2023-11-14T22:00:40Z",
			   attempt1_busy, "INVALID_NUMBER");
	char *d = fax_body("evt_a2", "fax.delivered", "fax_a", "delivered", "2023-11-14T22:01:40Z",
			   attempt1_done, NULL);
	const struct model_fax *mf;

	rig_open(&g, "anomaly", 100);
	CU_ASSERT_EQUAL(ingest_str(&g, f, SRC_WEBHOOK, err, sizeof err), INGEST_ACCEPTED);
	CU_ASSERT_EQUAL(ingest_str(&g, d, SRC_WEBHOOK, err, sizeof err), INGEST_ACCEPTED);
	mf = model_get(g.model, "fax_a");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mf);
	CU_ASSERT_EQUAL(mf->fax.status, FAX_FAILED);
	CU_ASSERT_EQUAL(mf->anomalies, 1);
	CU_ASSERT_EQUAL(store_commit(g.store), 0);
	CU_ASSERT_EQUAL(peek_int(&g, "SELECT anomalies FROM faxes WHERE id = 'fax_a'"), 1);

	rig_reopen(&g, 100);
	mf = model_get(g.model, "fax_a");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mf);
	CU_ASSERT_EQUAL(mf->fax.status, FAX_FAILED);
	CU_ASSERT_EQUAL(mf->anomalies, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mf->anomaly);
	CU_ASSERT_PTR_NOT_NULL(strstr(mf->anomaly, "delivered after failed"));
	free(f);
	free(d);
	rig_close(&g);
}

/* A batch that failed to commit is re-delivered: the model already holds
 * the event, the store does not; it must be stored now. */
static void test_redelivery_after_failed_commit(void)
{
	struct rig g;
	char err[256] = "";
	char *b = fax_body("evt_r", "fax.failed", "fax_r", "failed", "2023-11-14T22:00:40Z",
			   attempt1_busy, "invalid_number");
	struct fax got;

	rig_open(&g, "redeliver", 100);
	store_set_fault(g.store, true);
	CU_ASSERT_EQUAL(ingest_str(&g, b, SRC_WEBHOOK, err, sizeof err), INGEST_ACCEPTED);
	CU_ASSERT_EQUAL(store_commit(g.store), -1);
	CU_ASSERT_EQUAL(store_has_event(g.store, "evt_r"), 0);
	CU_ASSERT_EQUAL(store_get_fax(g.store, "fax_r", &got, NULL, NULL), 1);
	fax_done(&got);
	store_set_fault(g.store, false);

	CU_ASSERT_EQUAL(ingest_str(&g, b, SRC_WEBHOOK, err, sizeof err), INGEST_ACCEPTED);
	CU_ASSERT_EQUAL(store_commit(g.store), 0);
	CU_ASSERT_EQUAL(store_has_event(g.store, "evt_r"), 1);
	CU_ASSERT_EQUAL_FATAL(store_get_fax(g.store, "fax_r", &got, NULL, NULL), 0);
	CU_ASSERT_EQUAL(got.status, FAX_FAILED);
	fax_done(&got);
	CU_ASSERT_EQUAL(model_stats(g.model)->applied, 1);
	free(b);
	rig_close(&g);
}

static void test_store_error(void)
{
	struct rig g;
	char err[256] = "";
	char *b = fax_body("evt_e", "fax.queued", "fax_e", "queued", "2023-11-14T22:00:00Z", "[]",
			   NULL);
	sqlite3 *db;

	rig_open(&g, "storeerr", 100);
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(g.path, &db), SQLITE_OK);
	CU_ASSERT_EQUAL_FATAL(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	CU_ASSERT_EQUAL(ingest_str(&g, b, SRC_WEBHOOK, err, sizeof err), INGEST_STORE_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "store"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "locked"));
	/* the model did not get ahead of the store */
	CU_ASSERT_PTR_NULL(model_get(g.model, "fax_e"));
	CU_ASSERT_EQUAL(g.seen[INGEST_ACCEPTED], 0);
	/* an invalid body whose quarantine cannot be written is a store error */
	CU_ASSERT_EQUAL(ingest_str(&g, "nope", SRC_WEBHOOK, err, sizeof err), INGEST_STORE_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "quarantine"));
	CU_ASSERT_EQUAL(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	CU_ASSERT_EQUAL(ingest_str(&g, b, SRC_WEBHOOK, err, sizeof err), INGEST_ACCEPTED);
	CU_ASSERT_EQUAL(ingest_stats(g.in)->by_result[INGEST_STORE_ERROR], 2);
	free(b);
	rig_close(&g);
}

static void test_poll_event_fax_balance(void)
{
	struct rig g;
	char err[256] = "";
	struct event ev;
	struct fax f, got;
	struct balance_snapshot bal;
	char *b = fax_body("evt_p", "fax.sending", "fax_p", "in_progress", "2023-11-14T22:00:05Z",
			   attempt1_open, NULL);
	int64_t lu;
	enum event_source ls;

	rig_open(&g, "poll", 100);
	event_init(&ev);
	CU_ASSERT_EQUAL_FATAL(wire_event_parse(b, strlen(b), &ev, err, sizeof err), 0);
	CU_ASSERT_EQUAL(ingest_event(g.in, &ev, b, strlen(b), SRC_POLL, err, sizeof err),
			INGEST_ACCEPTED);
	CU_ASSERT_EQUAL(ingest_event(g.in, &ev, b, strlen(b), SRC_POLL, err, sizeof err),
			INGEST_DUPLICATE);
	event_done(&ev);

	/* a snapshot from GET /faxes/{id} moves it on */
	fax_init(&f);
	f.id = strdup("fax_p");
	f.status = FAX_DELIVERED;
	f.created_at = T0 - 40000;
	f.updated_at = T0;
	CU_ASSERT_EQUAL(ingest_fax(g.in, &f, SRC_API, err, sizeof err), INGEST_ACCEPTED);
	fax_done(&f);
	fax_init(&f);
	CU_ASSERT_EQUAL(ingest_fax(g.in, &f, SRC_API, err, sizeof err), INGEST_INVALID);
	fax_done(&f);

	balance_snapshot_init(&bal);
	bal.has_available = bal.has_held = true;
	bal.available = 777;
	bal.held = 3;
	CU_ASSERT_EQUAL(ingest_balance(g.in, &bal, SRC_POLL, err, sizeof err), INGEST_ACCEPTED);
	balance_snapshot_done(&bal);
	balance_snapshot_init(&bal);
	CU_ASSERT_EQUAL(ingest_balance(g.in, &bal, SRC_POLL, err, sizeof err), INGEST_INVALID);

	CU_ASSERT_EQUAL(store_commit(g.store), 0);
	CU_ASSERT_EQUAL(peek_int(&g, "SELECT count(*) FROM events WHERE source = 'poll'"), 1);
	CU_ASSERT_EQUAL_FATAL(store_get_fax(g.store, "fax_p", &got, &lu, &ls), 0);
	CU_ASSERT_EQUAL(got.status, FAX_DELIVERED);
	CU_ASSERT_EQUAL(ls, SRC_API);
	CU_ASSERT_EQUAL(lu, T0);
	fax_done(&got);
	CU_ASSERT_EQUAL_FATAL(store_get_balance(g.store, &bal, NULL), 0);
	CU_ASSERT_EQUAL(bal.available, 777);
	balance_snapshot_done(&bal);
	CU_ASSERT_EQUAL(model_balance(g.model)->available, 777);
	CU_ASSERT_STRING_EQUAL(ingest_result_name(INGEST_STORE_ERROR), "store_error");
	free(b);
	rig_close(&g);
}

/* A type not in the catalog and the legacy envelope are kept, never fatal. */
static void test_unknown_and_legacy(void)
{
	struct rig g;
	char err[256] = "";
	static const char *const unknown =
		"{\"id\":\"evt_u1\",\"type\":\"fax.archived\",\"created\":1700000300,"
		"\"data\":{\"object\":{\"id\":\"fax_u\",\"status\":\"delivered\"}}}";
	static const char *const legacy =
		"{\"event_id\":\"01H7ZJ8Q3X4K5M6N7P8Q9R0S1T\",\"event\":\"fax.delivered\","
		"\"timestamp\":\"2024-02-01T10:15:30Z\",\"data\":{\"id\":\"fax_legacy\","
		"\"status\":\"delivered\",\"to\":\"+12125551234\",\"pages\":3}}";
	struct fax got;

	rig_open(&g, "unknown", 100);
	CU_ASSERT_EQUAL(ingest_str(&g, unknown, SRC_WEBHOOK, err, sizeof err), INGEST_ACCEPTED);
	CU_ASSERT_EQUAL(model_stats(g.model)->unknown_types, 1);
	CU_ASSERT_STRING_EQUAL(model_log_at(g.model, 0)->type, "fax.archived");
	CU_ASSERT_EQUAL(ingest_str(&g, unknown, SRC_WEBHOOK, err, sizeof err), INGEST_DUPLICATE);
	CU_ASSERT_EQUAL(ingest_str(&g, legacy, SRC_WEBHOOK, err, sizeof err), INGEST_ACCEPTED);
	CU_ASSERT_EQUAL(model_get(g.model, "fax_legacy")->fax.status, FAX_DELIVERED);
	CU_ASSERT_EQUAL(store_commit(g.store), 0);
	CU_ASSERT_EQUAL(store_has_event(g.store, "evt_u1"), 1);
	CU_ASSERT_EQUAL(store_has_event(g.store, "01H7ZJ8Q3X4K5M6N7P8Q9R0S1T"), 1);
	CU_ASSERT_EQUAL(peek_int(&g, "SELECT count(*) FROM events WHERE type = 'fax.archived'"), 1);
	CU_ASSERT_EQUAL_FATAL(store_get_fax(g.store, "fax_legacy", &got, NULL, NULL), 0);
	CU_ASSERT_EQUAL(got.pages, 3);
	fax_done(&got);
	rig_close(&g);
}

/* A late balance event older than the one held changes neither the model
 * nor the stored reading. */
static void test_stale_balance_event(void)
{
	struct rig g;
	char err[256] = "";
	static const char *const newer =
		"{\"id\":\"evt_b2\",\"type\":\"balance.topup\",\"created\":1700000200,"
		"\"data\":{\"object\":{\"available\":500,\"held\":7,\"currency\":\"USD\"}}}";
	static const char *const older =
		"{\"id\":\"evt_b1\",\"type\":\"balance.low\",\"created\":1700000100,"
		"\"data\":{\"object\":{\"available\":900,\"held\":1,\"currency\":\"USD\"}}}";
	struct balance_snapshot got;

	rig_open(&g, "stalebal", 100);
	CU_ASSERT_EQUAL(ingest_str(&g, newer, SRC_WEBHOOK, err, sizeof err), INGEST_ACCEPTED);
	CU_ASSERT_EQUAL(ingest_str(&g, older, SRC_WEBHOOK, err, sizeof err), INGEST_ACCEPTED);
	CU_ASSERT_EQUAL(model_balance(g.model)->available, 500);
	CU_ASSERT_EQUAL(store_commit(g.store), 0);
	CU_ASSERT_EQUAL_FATAL(store_get_balance(g.store, &got, NULL), 0);
	CU_ASSERT_EQUAL(got.available, 500);
	CU_ASSERT_EQUAL(got.held, 7);
	balance_snapshot_done(&got);
	rig_reopen(&g, 100);
	CU_ASSERT_EQUAL(model_balance(g.model)->available, 500);
	rig_close(&g);
}

static const struct unit_test tests[] = {
	{ "each event type is stored and applied", test_each_type },
	{ "duplicates: open batch, committed, after restart", test_duplicate },
	{ "invalid bodies are quarantined and refused", test_invalid_body },
	{ "out-of-order events end in the newest state", test_out_of_order },
	{ "an anomaly is stored and survives a restart", test_anomaly_survives_restart },
	{ "re-delivery after a failed commit is stored", test_redelivery_after_failed_commit },
	{ "store errors are reported; model not ahead", test_store_error },
	{ "poll events, fax snapshots and balance readings", test_poll_event_fax_balance },
	{ "unknown types and the legacy envelope are kept", test_unknown_and_legacy },
	{ "a stale balance event does not overwrite the stored reading", test_stale_balance_event },
	{ NULL, NULL },
};

UNIT_SUITE(ingest, NULL, NULL, tests);
