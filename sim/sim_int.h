/* faxsim internals shared by the files of sim/. Not for use outside sim/. */
#ifndef FAXTOP_SIM_SIM_INT_H
#define FAXTOP_SIM_SIM_INT_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>

#include <curl/curl.h>

#include "core/model/event.h"
#include "core/http/signature.h"
#include "sim/base.h"
#include "sim/idempotency.h"
#include "sim/outcome.h"
#include "sim/ratelimit.h"
#include "sim/rng.h"
#include "sim/sim.h"

struct json_object;
struct http_request;
struct submit_req;

#define SIM_ID_LEN 48
/* Price of one transmitted page, in cents: the hold and the capture. */
#define SIM_CENTS_PER_PAGE 7

struct sim_event {
	char id[SIM_ID_LEN];
	enum event_type type;
	int64_t created; /* unix seconds, as on the wire */
	int64_t created_ms;
	uint64_t seq;
	char fax_id[SIM_ID_LEN]; /* "" for balance events */
	char *fax_webhook_url;   /* the fax's override at firing time, or NULL */
	char *body;              /* the envelope, exactly as delivered and listed */
	size_t len;
};

struct sim_fax {
	struct sim *sim;
	struct fax f;
	uint64_t seq;
	bool deleted;
	struct outcome_plan plan;
	int64_t hold_cents;
	int attempt_idx; /* index of the current/next attempt */
	ev_timer timer;
	void (*step)(struct sim_fax *fx);
};

enum sim_attempt_state { ATT_PENDING, ATT_SUCCEEDED, ATT_FAILED };

struct sim_delivery;

struct sim_attempt {
	char id[SIM_ID_LEN];
	struct sim_delivery *d;
	int number;
	bool manual;
	enum sim_attempt_state state;
	long status_code;                            /* 0 while none */
	int64_t created_at, succeeded_at, failed_at; /* ms, TS_NONE when null */
	int64_t duration_ms;                         /* -1 while in flight */
	char *error_class;
	char *error_message;
	char parent_id[SIM_ID_LEN];
	CURL *easy; /* while in flight */
	struct curl_slist *hdrs;
};

struct sim_delivery {
	struct sim *sim;
	struct sim_event *ev;
	char *url;
	const char *endpoint_id;
	int auto_attempts; /* automatic attempts made, 1..4 */
	int n_attempts;    /* every attempt including manual retries */
	bool delivered;
	bool auto_pending; /* an automatic attempt is in flight or scheduled */
	ev_timer retry;
};

struct sim_bucket {
	char key[80];
	struct ratelimit rl;
};

#define SIM_MAX_BUCKETS 16

struct sim {
	struct ev_loop *loop;
	struct sim_base base; /* clock, log and speed, from o */
	struct sim_opts o;    /* strings below are the sim's own copies */
	char *listen, *secret, *api_key, *webhook_url;
	struct sig_key key;
	struct http_server *srv;
	struct curl_ev *ce;
	char addr[80];
	struct simrng id_rng, chaos_rng, traffic_rng;
	uint64_t fax_seq, event_seq;
	struct simvec faxes, events, deliveries, attempts;
	struct simvec reorder; /* deliveries held back by --reorder */
	ev_timer reorder_timer;
	int64_t available, held;
	bool low_armed;
	struct idem_store idem;
	struct sim_bucket buckets[SIM_MAX_BUCKETS];
	size_t n_buckets;
	struct sim_bucket other; /* shared by keys beyond SIM_MAX_BUCKETS */
	ev_timer traffic_timer;
	uint64_t traffic_n;
	struct simvec slow; /* deferred API requests (--slow) */
	struct sim_stats stats;
	bool closing;
};

/* engine.c: faxes, lifecycle, money */
enum engine_result { ENGINE_OK, ENGINE_NO_BALANCE, ENGINE_REJECTED };
enum engine_result engine_submit(struct sim *s, const struct submit_req *r,
				 const struct sim_fax *resent_from, const char *idem_key,
				 struct sim_fax **out);
/* A plan check before anything is created: the ValidationFailure number. */
bool engine_rejects_number(const char *to);
struct sim_fax *engine_find(struct sim *s, const char *id);
void engine_stop_all(struct sim *s);
void engine_free_all(struct sim *s);
int engine_topup(struct sim *s, int64_t cents);
char *engine_balance_json(struct sim *s);
/* The balance.* snapshot object, for simev_emit_balance. */
void engine_balance_snapshot(const struct sim *s, struct balance_snapshot *b);

/* traffic.c: the built-in traffic driver (--rate) */
void traffic_start(struct sim *s);
void traffic_stop(struct sim *s);

/* events.c */
struct sim_event *simev_emit_fax(struct sim *s, enum event_type t, const struct sim_fax *fx);
/* The event carries the snapshot b, which it takes (b is left empty). */
struct sim_event *simev_emit_balance(struct sim *s, enum event_type t, struct balance_snapshot *b);
/* Index in s->events of the event with this id, or -1. */
long simev_index(const struct sim *s, const char *id);
void simev_free_all(struct sim *s);

/* webhooks.c */
/* faxsim sends to loopback hosts only. */
bool simwh_url_is_loopback(const char *url);
void simwh_init(struct sim *s);
void simwh_dispatch(struct sim *s, struct sim_event *ev);
struct sim_attempt *simwh_find_attempt(struct sim *s, const char *id);
/* A manual retry of the attempt's delivery, now. */
struct sim_attempt *simwh_retry(struct sim *s, struct sim_attempt *parent);
struct json_object *simwh_attempt_json(const struct sim_attempt *a);
void simwh_stop_all(struct sim *s);
void simwh_free_all(struct sim *s);

/* The REST API (sim/api_int.h lists its files) */
void sim_api_handle(struct sim *s, struct http_request *req); /* api.c */
void sim_api_abort_slow(struct sim *s);                       /* api_reply.c */

#endif
