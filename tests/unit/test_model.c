/* The model's state machine: one test per rule, then aggregates and scale. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/wire/event_parse.h"
#include "core/model/model.h"
#include "core/model/model_int.h"
#include "tests/unit/unit.h"

#define T0 1747173600LL /* 2025-05-13T22:00:00Z */

/* An event for fax `fax_id` with the status its type implies. */
static void mk_event(struct event *ev, const char *id, enum event_type type, int64_t created,
		     const char *fax_id)
{
	event_init(ev);
	ev->id = strdup(id);
	ev->type = type;
	ev->type_name = strdup(type == EV_UNKNOWN ? "fax.archived" : event_type_name(type));
	ev->created = created;
	if (fax_id) {
		ev->object = EVOBJ_FAX;
		ev->fax.id = strdup(fax_id);
		ev->fax.status = event_type_status(type);
	}
}

static void add_attempt(struct fax *f, int number, int64_t started, int64_t completed,
			const char *code)
{
	struct fax_attempt *a = realloc(f->attempts, (f->n_attempts + 1) * sizeof(*a));

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	f->attempts = a;
	a = &f->attempts[f->n_attempts++];
	fax_attempt_init(a);
	a->number = number;
	a->started_at = started;
	a->completed_at = completed;
	a->error_code = code ? strdup(code) : NULL;
}

static enum apply_outcome apply(struct model *m, struct event *ev)
{
	enum apply_outcome o = model_apply(m, ev, SRC_WEBHOOK, (ev->created + 1) * 1000);

	event_done(ev);
	return o;
}

static enum apply_outcome apply_simple(struct model *m, const char *id, enum event_type type,
				       int64_t created, const char *fax_id)
{
	struct event ev;

	mk_event(&ev, id, type, created, fax_id);
	return apply(m, &ev);
}

static void test_create_and_get(void)
{
	struct model *m = model_new(NULL);
	uint64_t gen = model_generation(m);
	const struct model_fax *f;

	CU_ASSERT_PTR_NULL(model_get(m, "fax_1"));
	CU_ASSERT_EQUAL(model_last_event_ms(m), TS_NONE);
	CU_ASSERT_EQUAL(apply_simple(m, "evt_1", EV_FAX_QUEUED, T0, "fax_1"), APPLY_OK);
	f = model_get(m, "fax_1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_STRING_EQUAL(f->fax.id, "fax_1");
	CU_ASSERT_EQUAL(f->fax.status, FAX_QUEUED);
	CU_ASSERT_EQUAL(f->last_source, SRC_WEBHOOK);
	CU_ASSERT_EQUAL(f->last_update_ms, (T0 + 1) * 1000);
	CU_ASSERT_EQUAL(model_count(m), 1);
	CU_ASSERT_EQUAL(model_count_status(m, FAX_QUEUED), 1);
	CU_ASSERT_EQUAL(model_count_status(m, FAX_STATUS_NONE), 0);
	CU_ASSERT(model_generation(m) > gen);
	CU_ASSERT_EQUAL(model_last_event_ms(m), (T0 + 1) * 1000);
	CU_ASSERT_EQUAL(model_stats(m)->applied, 1);
	CU_ASSERT_PTR_EQUAL(model_at(m, 0), f);
	CU_ASSERT_PTR_NULL(model_at(m, 1));
	CU_ASSERT_EQUAL_FATAL(model_log_count(m), 1);
	CU_ASSERT_STRING_EQUAL(model_log_at(m, 0)->event_id, "evt_1");
	CU_ASSERT_STRING_EQUAL(model_log_at(m, 0)->type, "fax.queued");
	CU_ASSERT_STRING_EQUAL(model_log_at(m, 0)->fax_id, "fax_1");
	CU_ASSERT_EQUAL(model_log_at(m, 0)->outcome, APPLY_OK);
	CU_ASSERT_PTR_NULL(model_get(m, "fax_2"));
	CU_ASSERT_PTR_NULL(model_get(m, "fax"));
	model_free(m);
}

static void test_duplicate(void)
{
	struct model *m = model_new(NULL);
	struct event ev;
	uint64_t gen;

	CU_ASSERT_EQUAL(apply_simple(m, "evt_1", EV_FAX_QUEUED, T0, "fax_1"), APPLY_OK);
	CU_ASSERT(model_seen(m, "evt_1"));
	CU_ASSERT(!model_seen(m, "evt_2"));
	/* The same id with different content is still the same event. */
	mk_event(&ev, "evt_1", EV_FAX_DELIVERED, T0 + 50, "fax_1");
	gen = model_generation(m);
	CU_ASSERT_EQUAL(apply(m, &ev), APPLY_DUPLICATE);
	CU_ASSERT_EQUAL(model_get(m, "fax_1")->fax.status, FAX_QUEUED);
	CU_ASSERT_EQUAL(model_stats(m)->duplicates, 1);
	CU_ASSERT_EQUAL(model_stats(m)->applied, 1);
	CU_ASSERT_EQUAL(model_log_at(m, 0)->outcome, APPLY_DUPLICATE);
	CU_ASSERT(model_generation(m) > gen); /* the log line changed */

	/* Ids marked while rebuilding from the store count as seen. */
	model_mark_seen(m, "evt_9");
	CU_ASSERT(model_seen(m, "evt_9"));
	CU_ASSERT_EQUAL(apply_simple(m, "evt_9", EV_FAX_SENDING, T0 + 5, "fax_1"), APPLY_DUPLICATE);
	CU_ASSERT_EQUAL(model_get(m, "fax_1")->fax.status, FAX_QUEUED);
	CU_ASSERT_EQUAL(model_stats(m)->duplicates, 2);

	/* Catch-up finding an event the webhook brought is counted, but not
	 * logged: it is the normal case and would drown the log. */
	mk_event(&ev, "evt_1", EV_FAX_QUEUED, T0, "fax_1");
	gen = model_log_count(m);
	CU_ASSERT_EQUAL(model_apply(m, &ev, SRC_POLL, (T0 + 9) * 1000), APPLY_DUPLICATE);
	event_done(&ev);
	CU_ASSERT_EQUAL(model_stats(m)->duplicates, 3);
	CU_ASSERT_EQUAL(model_log_count(m), gen);
	model_free(m);
}

static void test_dedupe_window(void)
{
	struct model_opts o = { .dedupe_window = 3000, .low_balance_cents = -1 };
	struct model *m = model_new(&o);
	char id[32];

	/* 5000 ids through a window of 3000: the ring grows, then evicts. */
	for (int i = 0; i < 5000; i++) {
		snprintf(id, sizeof(id), "evt_%d", i);
		model_mark_seen(m, id);
	}
	for (int i = 0; i < 5000; i++) {
		snprintf(id, sizeof(id), "evt_%d", i);
		CU_ASSERT_EQUAL(model_seen(m, id), i >= 2000);
	}
	/* Forgotten ids apply again; remembered ones stay duplicates. */
	CU_ASSERT_EQUAL(apply_simple(m, "evt_0", EV_FAX_QUEUED, T0, "fax_1"), APPLY_OK);
	CU_ASSERT_EQUAL(apply_simple(m, "evt_4999", EV_FAX_QUEUED, T0, "fax_1"), APPLY_DUPLICATE);
	/* Adding evt_0 pushed out the oldest remembered one. */
	CU_ASSERT(!model_seen(m, "evt_2000"));
	CU_ASSERT(model_seen(m, "evt_2001"));
	model_free(m);
}

static void test_status_forward_only(void)
{
	struct model *m = model_new(NULL);

	CU_ASSERT_EQUAL(apply_simple(m, "evt_2", EV_FAX_SENDING, T0 + 10, "fax_1"), APPLY_OK);
	CU_ASSERT_EQUAL(model_get(m, "fax_1")->fax.status, FAX_IN_PROGRESS);
	/* fax.queued arriving late never moves it back. */
	apply_simple(m, "evt_1", EV_FAX_QUEUED, T0, "fax_1");
	CU_ASSERT_EQUAL(model_get(m, "fax_1")->fax.status, FAX_IN_PROGRESS);
	/* Not even with a newer created time. */
	apply_simple(m, "evt_1b", EV_FAX_SUBMITTED, T0 + 20, "fax_1");
	CU_ASSERT_EQUAL(model_get(m, "fax_1")->fax.status, FAX_IN_PROGRESS);
	CU_ASSERT_EQUAL(apply_simple(m, "evt_3", EV_FAX_DELIVERED, T0 + 30, "fax_1"), APPLY_OK);
	CU_ASSERT_EQUAL(model_get(m, "fax_1")->fax.status, FAX_DELIVERED);
	/* A terminal status never changes: a later fax.sending is ignored. */
	apply_simple(m, "evt_4", EV_FAX_SENDING, T0 + 40, "fax_1");
	CU_ASSERT_EQUAL(model_get(m, "fax_1")->fax.status, FAX_DELIVERED);
	CU_ASSERT_EQUAL(model_count_status(m, FAX_DELIVERED), 1);
	CU_ASSERT_EQUAL(model_count_status(m, FAX_IN_PROGRESS), 0);
	CU_ASSERT_EQUAL(model_count_status(m, FAX_QUEUED), 0);
	model_free(m);
}

static void test_terminal_conflict_is_anomaly(void)
{
	struct model *m = model_new(NULL);
	struct event ev;
	const struct model_fax *f;

	apply_simple(m, "evt_1", EV_FAX_DELIVERED, T0, "fax_1");
	mk_event(&ev, "evt_2", EV_FAX_FAILED, T0 + 10, "fax_1");
	ev.fax.error_code = strdup("busy");
	ev.fax.pages = 9;
	CU_ASSERT_EQUAL(apply(m, &ev), APPLY_ANOMALY);
	f = model_get(m, "fax_1");
	CU_ASSERT_EQUAL(f->fax.status, FAX_DELIVERED);
	CU_ASSERT_EQUAL(f->anomalies, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->anomaly);
	CU_ASSERT_PTR_NOT_NULL(strstr(f->anomaly, "failed after delivered"));
	/* Nothing of the conflicting event is applied. */
	CU_ASSERT_PTR_NULL(f->fax.error_code);
	CU_ASSERT_EQUAL(f->fax.pages, -1);
	CU_ASSERT_EQUAL(model_error_codes(m, NULL, 0), 0);
	CU_ASSERT_EQUAL(model_stats(m)->anomalies, 1);
	CU_ASSERT_EQUAL(model_log_at(m, 0)->outcome, APPLY_ANOMALY);
	CU_ASSERT_PTR_NOT_NULL(strstr(model_log_at(m, 0)->detail, "failed after delivered"));
	CU_ASSERT_EQUAL(model_count_status(m, FAX_FAILED), 0);
	/* And the reverse, through a polled snapshot. */
	apply_simple(m, "evt_3", EV_FAX_FAILED, T0, "fax_2");
	{
		struct fax s;

		fax_init(&s);
		s.id = strdup("fax_2");
		s.status = FAX_DELIVERED;
		CU_ASSERT_EQUAL(model_apply_fax(m, &s, SRC_POLL, 5), APPLY_ANOMALY);
		fax_done(&s);
	}
	CU_ASSERT_EQUAL(model_get(m, "fax_2")->fax.status, FAX_FAILED);
	CU_ASSERT_EQUAL(model_get(m, "fax_2")->anomalies, 1);
	CU_ASSERT_EQUAL(model_stats(m)->anomalies, 2);
	/* The same terminal status again is no anomaly. */
	CU_ASSERT_EQUAL(apply_simple(m, "evt_4", EV_FAX_FAILED, T0 + 5, "fax_2"), APPLY_OK);
	CU_ASSERT_EQUAL(model_get(m, "fax_2")->anomalies, 1);
	model_free(m);
}

/* A terminal event that breaks the delivery contract is applied, and kept
 * as an anomaly on the fax. */
static void test_contract_breach_is_anomaly(void)
{
	struct model *m = model_new(NULL);
	const struct model_fax *f;
	struct event ev;

	/* fax.failed with a retryable code after 1 of 3 attempts. */
	mk_event(&ev, "evt_f1", EV_FAX_FAILED, T0 + 60, "fax_early");
	ev.fax.max_attempts = 3;
	ev.fax.error_code = strdup("busy");
	add_attempt(&ev.fax, 1, (T0 + 5) * 1000, (T0 + 50) * 1000, "busy");
	CU_ASSERT_EQUAL(apply(m, &ev), APPLY_ANOMALY);
	f = model_get(m, "fax_early");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(f->fax.status, FAX_FAILED); /* applied all the same */
	CU_ASSERT_EQUAL(f->anomalies, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->anomaly);
	CU_ASSERT_PTR_NOT_NULL(strstr(f->anomaly, "retryable busy after 1 of 3 attempts"));
	CU_ASSERT_EQUAL(model_stats(m)->anomalies, 1);
	CU_ASSERT_EQUAL(model_log_at(m, model_log_count(m) - 1)->outcome, APPLY_ANOMALY);

	/* The same after every attempt, or with a terminal code: no anomaly. */
	mk_event(&ev, "evt_f2", EV_FAX_FAILED, T0 + 60, "fax_spent");
	ev.fax.max_attempts = 2;
	ev.fax.error_code = strdup("busy");
	add_attempt(&ev.fax, 1, (T0 + 5) * 1000, (T0 + 20) * 1000, "busy");
	add_attempt(&ev.fax, 2, (T0 + 30) * 1000, (T0 + 50) * 1000, "busy");
	CU_ASSERT_EQUAL(apply(m, &ev), APPLY_OK);
	mk_event(&ev, "evt_f3", EV_FAX_FAILED, T0 + 60, "fax_bad_number");
	ev.fax.max_attempts = 3;
	ev.fax.error_code = strdup("invalid_number");
	add_attempt(&ev.fax, 1, (T0 + 5) * 1000, (T0 + 50) * 1000, "invalid_number");
	CU_ASSERT_EQUAL(apply(m, &ev), APPLY_OK);
	CU_ASSERT_EQUAL(model_get(m, "fax_spent")->anomalies, 0);
	CU_ASSERT_EQUAL(model_get(m, "fax_bad_number")->anomalies, 0);

	/* A terminal event while an attempt the model knows is in progress. */
	mk_event(&ev, "evt_s2", EV_FAX_SENDING, T0 + 30, "fax_open");
	ev.fax.max_attempts = 3;
	add_attempt(&ev.fax, 1, (T0 + 5) * 1000, (T0 + 20) * 1000, "busy");
	add_attempt(&ev.fax, 2, (T0 + 30) * 1000, TS_NONE, NULL);
	CU_ASSERT_EQUAL(apply(m, &ev), APPLY_OK);
	mk_event(&ev, "evt_d2", EV_FAX_DELIVERED, T0 + 40, "fax_open");
	add_attempt(&ev.fax, 1, (T0 + 5) * 1000, (T0 + 20) * 1000, "busy");
	CU_ASSERT_EQUAL(apply(m, &ev), APPLY_ANOMALY);
	f = model_get(m, "fax_open");
	CU_ASSERT_EQUAL(f->fax.status, FAX_DELIVERED);
	CU_ASSERT_EQUAL(f->anomalies, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(f->anomaly, "attempt 2 still in progress"));
	/* Completing that attempt is the normal case. */
	mk_event(&ev, "evt_s3", EV_FAX_SENDING, T0 + 30, "fax_ok");
	add_attempt(&ev.fax, 1, (T0 + 5) * 1000, TS_NONE, NULL);
	CU_ASSERT_EQUAL(apply(m, &ev), APPLY_OK);
	mk_event(&ev, "evt_d3", EV_FAX_DELIVERED, T0 + 40, "fax_ok");
	add_attempt(&ev.fax, 1, (T0 + 5) * 1000, (T0 + 35) * 1000, NULL);
	CU_ASSERT_EQUAL(apply(m, &ev), APPLY_OK);
	CU_ASSERT_EQUAL(model_get(m, "fax_ok")->anomalies, 0);
	model_free(m);
}

static void test_freshness_per_field(void)
{
	struct model *m = model_new(NULL);
	struct event ev;
	const struct model_fax *f;

	mk_event(&ev, "evt_2", EV_FAX_SENDING, T0 + 20, "fax_1");
	ev.fax.to = strdup("+12125550002");
	ev.fax.pages = 2;
	ev.fax.updated_at = (T0 + 20) * 1000;
	CU_ASSERT_EQUAL(apply(m, &ev), APPLY_OK);
	/* An older snapshot does not overwrite what a newer one set ... */
	mk_event(&ev, "evt_1", EV_FAX_QUEUED, T0, "fax_1");
	ev.fax.to = strdup("+12125550001");
	ev.fax.updated_at = T0 * 1000;
	CU_ASSERT_EQUAL(apply(m, &ev), APPLY_STALE);
	f = model_get(m, "fax_1");
	CU_ASSERT_STRING_EQUAL(f->fax.to, "+12125550002");
	CU_ASSERT_EQUAL(model_stats(m)->stale, 1);
	/* ... but fills what is still unknown. */
	mk_event(&ev, "evt_1b", EV_FAX_QUEUED, T0, "fax_1");
	ev.fax.csid = strdup("ACME");
	ev.fax.to = strdup("+12125550001");
	CU_ASSERT_EQUAL(apply(m, &ev), APPLY_OK);
	CU_ASSERT_STRING_EQUAL(f->fax.csid, "ACME");
	CU_ASSERT_STRING_EQUAL(f->fax.to, "+12125550002");
	/* Without updated_at, an event's `created` is its freshness. */
	mk_event(&ev, "evt_3", EV_FAX_SENDING, T0 + 10, "fax_1");
	ev.fax.pages = 7;
	CU_ASSERT_EQUAL(apply(m, &ev), APPLY_STALE);
	CU_ASSERT_EQUAL(f->fax.pages, 2);
	/* A newer snapshot overwrites; its null fields keep what is known. */
	mk_event(&ev, "evt_4", EV_FAX_DELIVERED, T0 + 30, "fax_1");
	ev.fax.pages = 3;
	ev.fax.updated_at = (T0 + 30) * 1000;
	CU_ASSERT_EQUAL(apply(m, &ev), APPLY_OK);
	CU_ASSERT_EQUAL(f->fax.pages, 3);
	CU_ASSERT_STRING_EQUAL(f->fax.to, "+12125550002");
	CU_ASSERT_STRING_EQUAL(f->fax.csid, "ACME");
	CU_ASSERT_EQUAL(f->fax.updated_at, (T0 + 30) * 1000);
	/* A polled snapshot older than the events does not undo them. */
	{
		struct fax s;

		fax_init(&s);
		s.id = strdup("fax_1");
		s.status = FAX_IN_PROGRESS;
		s.pages = 1;
		s.updated_at = (T0 + 25) * 1000;
		CU_ASSERT_EQUAL(model_apply_fax(m, &s, SRC_POLL, 1), APPLY_STALE);
		fax_done(&s);
	}
	CU_ASSERT_EQUAL(f->fax.pages, 3);
	CU_ASSERT_EQUAL(f->fax.status, FAX_DELIVERED);
	CU_ASSERT_EQUAL(f->last_source, SRC_WEBHOOK);

	/* A snapshot that moves the status forward wins even when its clock
	 * says it is older: here the poll's updated_at runs ahead of the
	 * event's whole-second `created`. */
	{
		struct fax s;

		fax_init(&s);
		s.id = strdup("fax_2");
		s.status = FAX_IN_PROGRESS;
		s.pages = 2;
		s.updated_at = (T0 + 50) * 1000 + 900;
		CU_ASSERT_EQUAL(model_apply_fax(m, &s, SRC_POLL, 1), APPLY_OK);
		fax_done(&s);
	}
	mk_event(&ev, "evt_5", EV_FAX_DELIVERED, T0 + 50, "fax_2");
	ev.fax.pages = 3;
	CU_ASSERT_EQUAL(apply(m, &ev), APPLY_OK);
	f = model_get(m, "fax_2");
	CU_ASSERT_EQUAL(f->fax.status, FAX_DELIVERED);
	CU_ASSERT_EQUAL(f->fax.pages, 3);
	model_free(m);
}

static void test_attempts_merge(void)
{
	struct model *m = model_new(NULL);
	struct event ev;
	const struct model_fax *f;
	int64_t s1 = (T0 + 1) * 1000, c1 = (T0 + 40) * 1000, s2 = (T0 + 70) * 1000;

	/* Attempt 2 starts: attempt 1 finished busy, 2 in progress. */
	mk_event(&ev, "evt_s2", EV_FAX_SENDING, T0 + 70, "fax_1");
	add_attempt(&ev.fax, 1, s1, c1, "busy");
	add_attempt(&ev.fax, 2, s2, TS_NONE, NULL);
	CU_ASSERT_EQUAL(apply(m, &ev), APPLY_OK);
	f = model_get(m, "fax_1");
	CU_ASSERT_EQUAL_FATAL(f->fax.n_attempts, 2);
	CU_ASSERT(!f->retrying);
	/* The late fax.sending of attempt 1 carries it in progress and
	 * nothing of attempt 2: both survive, attempt 1 stays completed. */
	mk_event(&ev, "evt_s1", EV_FAX_SENDING, T0 + 1, "fax_1");
	add_attempt(&ev.fax, 1, s1, TS_NONE, NULL);
	apply(m, &ev);
	CU_ASSERT_EQUAL_FATAL(f->fax.n_attempts, 2);
	CU_ASSERT_EQUAL(f->fax.attempts[0].number, 1);
	CU_ASSERT_EQUAL(f->fax.attempts[0].completed_at, c1);
	CU_ASSERT_STRING_EQUAL(f->fax.attempts[0].error_code, "busy");
	CU_ASSERT_EQUAL(f->fax.attempts[1].number, 2);
	/* Even a newer snapshot with attempt 1 in progress loses to the
	 * completed one. */
	mk_event(&ev, "evt_x", EV_FAX_SENDING, T0 + 80, "fax_1");
	add_attempt(&ev.fax, 1, s1 + 5000, TS_NONE, NULL);
	apply(m, &ev);
	CU_ASSERT_EQUAL(f->fax.attempts[0].completed_at, c1);
	CU_ASSERT_EQUAL(f->fax.attempts[0].started_at, s1);
	/* An older snapshot that has attempt 2 completed beats the newer
	 * in-progress view; attempts arriving out of order are sorted. */
	mk_event(&ev, "evt_f", EV_FAX_DELIVERED, T0 + 60, "fax_1");
	add_attempt(&ev.fax, 3, s2 + 60000, s2 + 90000, NULL);
	add_attempt(&ev.fax, 2, s2, s2 + 30000, "NO_ANSWER");
	CU_ASSERT_EQUAL(apply(m, &ev), APPLY_OK);
	CU_ASSERT_EQUAL_FATAL(f->fax.n_attempts, 3);
	CU_ASSERT_EQUAL(f->fax.attempts[1].number, 2);
	CU_ASSERT_EQUAL(f->fax.attempts[1].completed_at, s2 + 30000);
	CU_ASSERT_STRING_EQUAL(f->fax.attempts[1].error_code, "no_answer");
	CU_ASSERT_EQUAL(f->fax.attempts[2].number, 3);
	CU_ASSERT_EQUAL(f->fax.attempts[0].completed_at, c1);
	CU_ASSERT_EQUAL(f->fax.status, FAX_DELIVERED);
	model_free(m);
}

static void test_retrying(void)
{
	struct model *m = model_new(NULL);
	struct event ev;
	const struct model_fax *f;

	mk_event(&ev, "evt_1", EV_FAX_SENDING, T0, "fax_1");
	add_attempt(&ev.fax, 1, T0 * 1000, TS_NONE, NULL);
	apply(m, &ev);
	f = model_get(m, "fax_1");
	CU_ASSERT(!f->retrying);
	/* Attempt 1 finished with an error, nothing started yet (docs/CONTRACT.md#assumptions). */
	{
		struct fax s;

		fax_init(&s);
		s.id = strdup("fax_1");
		s.status = FAX_IN_PROGRESS;
		s.updated_at = (T0 + 40) * 1000;
		add_attempt(&s, 1, T0 * 1000, (T0 + 40) * 1000, "busy");
		CU_ASSERT_EQUAL(model_apply_fax(m, &s, SRC_POLL, 1), APPLY_OK);
		fax_done(&s);
	}
	CU_ASSERT(f->retrying);
	CU_ASSERT_EQUAL(f->last_source, SRC_POLL);
	mk_event(&ev, "evt_2", EV_FAX_SENDING, T0 + 70, "fax_1");
	add_attempt(&ev.fax, 2, (T0 + 70) * 1000, TS_NONE, NULL);
	apply(m, &ev);
	CU_ASSERT(!f->retrying);
	/* A failed fax is terminal, not retrying. */
	mk_event(&ev, "evt_3", EV_FAX_FAILED, T0 + 110, "fax_1");
	add_attempt(&ev.fax, 2, (T0 + 70) * 1000, (T0 + 110) * 1000, "busy");
	apply(m, &ev);
	CU_ASSERT(!f->retrying);
	model_free(m);
}

static void test_unknown_type(void)
{
	struct model *m = model_new(NULL);
	struct event ev;

	/* Unknown type with a fax: kept, logged, the fax is created. */
	CU_ASSERT_EQUAL(apply_simple(m, "evt_1", EV_UNKNOWN, T0, "fax_1"), APPLY_UNKNOWN_TYPE);
	CU_ASSERT_PTR_NOT_NULL(model_get(m, "fax_1"));
	CU_ASSERT_EQUAL(model_stats(m)->unknown_types, 1);
	CU_ASSERT_EQUAL(model_log_at(m, 0)->outcome, APPLY_UNKNOWN_TYPE);
	CU_ASSERT_STRING_EQUAL(model_log_at(m, 0)->type, "fax.archived");
	/* Unknown type without an object. */
	mk_event(&ev, "evt_2", EV_UNKNOWN, T0, NULL);
	free(ev.type_name);
	ev.type_name = strdup("account.renamed");
	CU_ASSERT_EQUAL(apply(m, &ev), APPLY_UNKNOWN_TYPE);
	CU_ASSERT_EQUAL(model_stats(m)->unknown_types, 2);
	CU_ASSERT(model_seen(m, "evt_2"));
	/* A known fax type without a fax is invalid, not fatal. */
	mk_event(&ev, "evt_3", EV_FAX_QUEUED, T0, NULL);
	CU_ASSERT_EQUAL(apply(m, &ev), APPLY_INVALID);
	mk_event(&ev, "", EV_FAX_QUEUED, T0, "fax_9");
	CU_ASSERT_EQUAL(apply(m, &ev), APPLY_INVALID);
	CU_ASSERT_PTR_NULL(model_get(m, "fax_9"));
	CU_ASSERT_EQUAL(model_stats(m)->invalid, 2);
	CU_ASSERT_EQUAL(model_count(m), 1);
	model_free(m);
}

static void test_resend_links(void)
{
	struct model *m = model_new(NULL);
	struct event ev;
	const struct model_fax *o;

	/* The resend arrives before its original. */
	mk_event(&ev, "evt_r1", EV_FAX_QUEUED, T0 + 100, "fax_new1");
	ev.fax.resent_from = strdup("fax_orig");
	apply(m, &ev);
	mk_event(&ev, "evt_r2", EV_FAX_QUEUED, T0 + 200, "fax_new2");
	ev.fax.resent_from = strdup("fax_orig");
	apply(m, &ev);
	CU_ASSERT_PTR_NULL(model_get(m, "fax_orig"));
	CU_ASSERT_EQUAL(model_count(m), 2);
	apply_simple(m, "evt_o", EV_FAX_FAILED, T0, "fax_orig");
	o = model_get(m, "fax_orig");
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL_FATAL(o->n_resends, 2);
	CU_ASSERT(strcmp(o->resends[0], "fax_new1") == 0 || strcmp(o->resends[1], "fax_new1") == 0);
	CU_ASSERT(strcmp(o->resends[0], "fax_new2") == 0 || strcmp(o->resends[1], "fax_new2") == 0);
	CU_ASSERT_STRING_EQUAL(model_get(m, "fax_new1")->fax.resent_from, "fax_orig");
	/* The original first; a repeated snapshot does not link twice. */
	for (int i = 0; i < 2; i++) {
		char id[16];

		snprintf(id, sizeof(id), "evt_r3_%d", i);
		mk_event(&ev, id, i ? EV_FAX_SENDING : EV_FAX_QUEUED, T0 + 300 + i, "fax_new3");
		ev.fax.resent_from = strdup("fax_orig");
		apply(m, &ev);
	}
	CU_ASSERT_EQUAL(o->n_resends, 3);
	CU_ASSERT_STRING_EQUAL(o->resends[2], "fax_new3");
	CU_ASSERT_EQUAL(model_get(m, "fax_new3")->n_resends, 0);
	model_free(m);
}

static void test_error_codes(void)
{
	struct model *m = model_new(NULL);
	struct model_code_count out[4];
	struct event ev;
	const char *codes[] = { "busy", "BUSY", "invalid_number", "Busy", "no_answer" };

	for (int i = 0; i < 5; i++) {
		char id[16], fax[16];

		snprintf(id, sizeof(id), "evt_%d", i);
		snprintf(fax, sizeof(fax), "fax_%d", i);
		mk_event(&ev, id, EV_FAX_FAILED, T0 + i, fax);
		ev.fax.error_code = strdup(codes[i]);
		apply(m, &ev);
	}
	CU_ASSERT_STRING_EQUAL(model_get(m, "fax_1")->fax.error_code, "busy");
	CU_ASSERT_EQUAL(model_error_codes(m, out, 2), 3);
	CU_ASSERT_STRING_EQUAL(out[0].code, "busy");
	CU_ASSERT_EQUAL(out[0].count, 3);
	CU_ASSERT_STRING_EQUAL(out[1].code, "invalid_number");
	CU_ASSERT_EQUAL(out[1].count, 1);
	/* A code that changes (a newer snapshot) moves the counts. */
	mk_event(&ev, "evt_x", EV_FAX_FAILED, T0 + 100, "fax_4");
	ev.fax.error_code = strdup("busy");
	apply(m, &ev);
	CU_ASSERT_EQUAL(model_error_codes(m, out, 4), 2);
	CU_ASSERT_EQUAL(out[0].count, 4);
	CU_ASSERT_STRING_EQUAL(out[1].code, "invalid_number");
	model_free(m);
}

static void test_creation_order(void)
{
	struct model *m = model_new(NULL);
	struct event ev;
	static const int created[] = { 50, 10, 30, 30, 70, 20 };

	for (int i = 0; i < 6; i++) {
		char id[16], fax[16];

		snprintf(id, sizeof(id), "evt_%d", i);
		snprintf(fax, sizeof(fax), "fax_%c", 'f' - i);
		mk_event(&ev, id, EV_FAX_QUEUED, T0 + 100, fax);
		ev.fax.created_at = (T0 + created[i]) * 1000;
		apply(m, &ev);
	}
	CU_ASSERT_EQUAL_FATAL(model_count(m), 6);
	CU_ASSERT_STRING_EQUAL(model_at(m, 0)->fax.id, "fax_e");
	CU_ASSERT_STRING_EQUAL(model_at(m, 1)->fax.id, "fax_a");
	/* Equal times: by id. */
	CU_ASSERT_STRING_EQUAL(model_at(m, 2)->fax.id, "fax_c");
	CU_ASSERT_STRING_EQUAL(model_at(m, 3)->fax.id, "fax_d");
	CU_ASSERT_STRING_EQUAL(model_at(m, 4)->fax.id, "fax_f");
	CU_ASSERT_STRING_EQUAL(model_at(m, 5)->fax.id, "fax_b");
	/* A fax first heard of without created_at sorts by the event time,
	 * and moves once its created_at is known. */
	apply_simple(m, "evt_late", EV_FAX_SENDING, T0 + 60, "fax_z");
	CU_ASSERT_STRING_EQUAL(model_at(m, 5)->fax.id, "fax_z");
	mk_event(&ev, "evt_late2", EV_FAX_SENDING, T0 + 61, "fax_z");
	ev.fax.created_at = (T0 + 5) * 1000;
	apply(m, &ev);
	CU_ASSERT_STRING_EQUAL(model_at(m, 0)->fax.id, "fax_z");
	CU_ASSERT_STRING_EQUAL(model_at(m, 6)->fax.id, "fax_b");
	for (size_t i = 1; i < model_count(m); i++)
		CU_ASSERT(model_at(m, i - 1)->fax.created_at <= model_at(m, i)->fax.created_at);
	model_free(m);
}

static void test_balance_alerts(void)
{
	struct model_opts o = { .balance_samples = 4,
				.alert_log_size = 10,
				.low_balance_cents = 1000 };
	struct model *m = model_new(&o);
	struct balance_snapshot b;
	struct event ev;
	static const int64_t readings[] = { 5000, 900, 800, 1200, 999 };

	balance_snapshot_init(&b);
	b.has_available = b.has_held = true;
	b.held = 100;
	b.type = strdup("sandbox");
	CU_ASSERT(!model_balance(m)->known);
	for (int i = 0; i < 5; i++) {
		b.available = readings[i];
		model_apply_balance(m, &b, SRC_POLL, 1000 * i);
	}
	balance_snapshot_done(&b);
	CU_ASSERT(model_balance(m)->known);
	CU_ASSERT_EQUAL(model_balance(m)->available, 999);
	CU_ASSERT_EQUAL(model_balance(m)->held, 100);
	CU_ASSERT_STRING_EQUAL(model_balance(m)->type, "sandbox");
	CU_ASSERT(model_balance(m)->below_threshold);
	/* Crossing below, staying below (no repeat), re-arming, below again. */
	CU_ASSERT_EQUAL_FATAL(model_alert_count(m), 3);
	CU_ASSERT_EQUAL(model_alert_at(m, 2)->kind, ALERT_LOCAL_LOW);
	CU_ASSERT_EQUAL(model_alert_at(m, 2)->available, 900);
	CU_ASSERT_EQUAL(model_alert_at(m, 1)->kind, ALERT_LOCAL_OK);
	CU_ASSERT_EQUAL(model_alert_at(m, 0)->kind, ALERT_LOCAL_LOW);
	CU_ASSERT_EQUAL(model_alert_at(m, 0)->source, SRC_POLL);
	/* The sample history is bounded: the newest 4, oldest first. */
	CU_ASSERT_EQUAL_FATAL(model_balance_samples(m), 4);
	CU_ASSERT_EQUAL(model_balance_sample(m, 0)->available, 900);
	CU_ASSERT_EQUAL(model_balance_sample(m, 3)->available, 999);
	CU_ASSERT_PTR_NULL(model_balance_sample(m, 4));

	/* balance.* events become alerts and update the balance. */
	mk_event(&ev, "evt_b1", EV_BALANCE_TOPUP, T0, NULL);
	ev.object = EVOBJ_BALANCE;
	ev.balance.has_available = true;
	ev.balance.available = 20000;
	ev.balance.currency = strdup("USD");
	CU_ASSERT_EQUAL(apply(m, &ev), APPLY_OK);
	CU_ASSERT_EQUAL(model_balance(m)->available, 20000);
	CU_ASSERT_STRING_EQUAL(model_balance(m)->currency, "USD");
	CU_ASSERT_EQUAL(model_alert_at(m, 0)->kind, ALERT_BALANCE_TOPUP);
	CU_ASSERT_EQUAL(model_alert_at(m, 1)->kind, ALERT_LOCAL_OK);
	mk_event(&ev, "evt_b2", EV_BALANCE_LOW, T0 + 1, NULL);
	ev.object = EVOBJ_BALANCE;
	ev.balance.has_available = true;
	ev.balance.available = 1500;
	CU_ASSERT_EQUAL(apply(m, &ev), APPLY_OK);
	CU_ASSERT_EQUAL(model_alert_at(m, 0)->kind, ALERT_BALANCE_LOW);
	CU_ASSERT_EQUAL(model_alert_at(m, 0)->available, 1500);
	CU_ASSERT_EQUAL(model_alert_at(m, 0)->source, SRC_WEBHOOK);
	CU_ASSERT_EQUAL(model_alert_count(m), 6);
	/* A late balance event does not undo a newer one, but its alert
	 * is kept. */
	mk_event(&ev, "evt_b0", EV_BALANCE_LOW, T0 - 100, NULL);
	ev.object = EVOBJ_BALANCE;
	ev.balance.has_available = true;
	ev.balance.available = 10;
	CU_ASSERT_EQUAL(apply(m, &ev), APPLY_STALE);
	CU_ASSERT_EQUAL(model_balance(m)->available, 1500);
	CU_ASSERT_EQUAL(model_alert_at(m, 0)->kind, ALERT_BALANCE_LOW);
	CU_ASSERT_EQUAL(model_alert_at(m, 0)->available, 10);
	CU_ASSERT_EQUAL(model_alert_count(m), 7);
	/* Raising the local threshold above the balance fires at once;
	 * turning it off raises nothing. */
	model_set_low_balance(m, 2000);
	CU_ASSERT_EQUAL(model_alert_at(m, 0)->kind, ALERT_LOCAL_LOW);
	model_set_low_balance(m, -1);
	CU_ASSERT_EQUAL(model_alert_count(m), 8);
	CU_ASSERT(!model_balance(m)->below_threshold);
	model_free(m);
}

static void test_alert_log_bounded(void)
{
	struct model_opts o = { .alert_log_size = 2, .low_balance_cents = -1 };
	struct model *m = model_new(&o);
	struct event ev;

	for (int i = 0; i < 5; i++) {
		char id[16];

		snprintf(id, sizeof(id), "evt_%d", i);
		mk_event(&ev, id, i % 2 ? EV_BALANCE_LOW : EV_BALANCE_TOPUP, T0 + i, NULL);
		ev.object = EVOBJ_BALANCE;
		ev.balance.has_available = true;
		ev.balance.available = i;
		apply(m, &ev);
	}
	CU_ASSERT_EQUAL(model_alert_count(m), 2);
	CU_ASSERT_EQUAL(model_alert_at(m, 0)->available, 4);
	CU_ASSERT_EQUAL(model_alert_at(m, 1)->available, 3);
	CU_ASSERT_PTR_NULL(model_alert_at(m, 2));
	model_free(m);
}

/* The case: $82 falling to $44 with top-ups in between is spending,
 * never "growing". Only decreases within the window count; a hold that
 * moves money from available to held is no spending, its capture is. */
static void test_burn_rate_topups(void)
{
	struct model_opts o = { .low_balance_cents = -1, .burn_window_ms = 3600000 };
	struct model *m = model_new(&o);
	struct balance_snapshot b;
	/* every 10 minutes: spend 10 00, top up 50 00 twice */
	const int64_t avail[] = { 8200, 7200, 12200, 11200, 10200, 9200, 14200, 4400 };
	size_t n = sizeof avail / sizeof *avail;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	balance_snapshot_init(&b);
	b.has_available = b.has_held = true;
	/* two hours before, a reading outside the window that spent a lot */
	b.available = 90000;
	model_apply_balance(m, &b, SRC_POLL, -7200000);
	for (size_t i = 0; i < n; i++) {
		b.available = avail[i];
		model_apply_balance(m, &b, SRC_POLL, (int64_t)i * 600000);
	}
	/* window [10 min, 70 min]: decreases 10 00 + 10 00 + 10 00 + 98 00 =
	 * 128 00 over 60 minutes */
	CU_ASSERT_DOUBLE_EQUAL(model_burn_rate(m), 12800.0, 1e-6);
	{
		int64_t span = 0;

		CU_ASSERT_DOUBLE_EQUAL(model_burn_rate_span(m, &span), 12800.0, 1e-6);
		CU_ASSERT_EQUAL(span, 3600000);
	}
	CU_ASSERT(llabs(model_time_to_empty(m) - 4400LL * 3600 / 12800) <= 1);
	CU_ASSERT(model_balance_sample_topup(m, 3));
	CU_ASSERT(model_balance_sample_topup(m, 7));
	CU_ASSERT(!model_balance_sample_topup(m, 2));
	CU_ASSERT(!model_balance_sample_topup(m, 0));
	/* a hold (available down, held up) is not spending, its capture is;
	 * the window now starts at 11 min, so from the 20 min reading */
	b.available = 4000;
	b.held = 400;
	model_apply_balance(m, &b, SRC_POLL, 71 * 60000);
	CU_ASSERT_DOUBLE_EQUAL(model_burn_rate(m), 12800.0 * 60 / 51, 1e-6);
	b.held = 0;
	model_apply_balance(m, &b, SRC_POLL, 72 * 60000);
	CU_ASSERT_DOUBLE_EQUAL(model_burn_rate(m), 13200.0 * 60 / 52, 1e-6);
	/* out of credit: no time to empty */
	b.available = 0;
	model_apply_balance(m, &b, SRC_POLL, 73 * 60000);
	CU_ASSERT(model_burn_rate(m) > 0);
	CU_ASSERT_EQUAL(model_time_to_empty(m), -1);
	model_free(m);
}

static void test_burn_rate(void)
{
	struct model *m = model_new(NULL);
	struct balance_snapshot b;

	balance_snapshot_init(&b);
	b.has_available = true;
	CU_ASSERT_EQUAL(model_burn_rate(m), 0);
	CU_ASSERT_EQUAL(model_time_to_empty(m), -1);
	b.available = 10000;
	model_apply_balance(m, &b, SRC_POLL, 0);
	CU_ASSERT_EQUAL(model_burn_rate(m), 0);
	/* 100 cents an hour, readings every 30 minutes. */
	for (int i = 1; i <= 4; i++) {
		b.available = 10000 - 50 * i;
		model_apply_balance(m, &b, SRC_POLL, (int64_t)i * 1800000);
	}
	CU_ASSERT_DOUBLE_EQUAL(model_burn_rate(m), 100.0, 1e-6);
	/* 9800 cents left at 100/h: 98 hours. */
	CU_ASSERT(llabs(model_time_to_empty(m) - 98 * 3600) <= 1);
	model_free(m);

	/* A growing balance spends nothing and never empties. */
	m = model_new(NULL);
	for (int i = 0; i < 3; i++) {
		b.available = 1000 + 10 * i;
		model_apply_balance(m, &b, SRC_POLL, (int64_t)i * 1800000);
	}
	CU_ASSERT_DOUBLE_EQUAL(model_burn_rate(m), 0, 1e-6);
	CU_ASSERT_EQUAL(model_time_to_empty(m), -1);
	CU_ASSERT(model_balance_sample_topup(m, 1));
	model_free(m);
	/* Readings all at one instant say nothing about a rate. */
	m = model_new(NULL);
	model_apply_balance(m, &b, SRC_POLL, 7);
	b.available = 900;
	model_apply_balance(m, &b, SRC_POLL, 7);
	CU_ASSERT_EQUAL(model_burn_rate(m), 0);
	/* ... and are one sample: the later reading */
	CU_ASSERT_EQUAL_FATAL(model_balance_samples(m), 1);
	CU_ASSERT_EQUAL(model_balance_sample(m, 0)->available, 900);
	model_free(m);
}

static void test_event_log_bounded(void)
{
	struct model_opts o = { .event_log_size = 3, .low_balance_cents = -1 };
	struct model *m = model_new(&o);
	char long_id[200];

	for (int i = 0; i < 5; i++) {
		char id[16];

		snprintf(id, sizeof(id), "evt_%d", i);
		apply_simple(m, id, EV_FAX_QUEUED, T0 + i, "fax_1");
	}
	CU_ASSERT_EQUAL_FATAL(model_log_count(m), 3);
	CU_ASSERT_STRING_EQUAL(model_log_at(m, 0)->event_id, "evt_4");
	CU_ASSERT_STRING_EQUAL(model_log_at(m, 2)->event_id, "evt_2");
	CU_ASSERT_PTR_NULL(model_log_at(m, 3));
	/* model_log: refusals from outside the parser; long text is cut. */
	memset(long_id, 'x', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	model_log(m, 5, long_id, "fax.queued", NULL, SRC_WEBHOOK, APPLY_REFUSED, "bad signature");
	CU_ASSERT_EQUAL(model_log_at(m, 0)->outcome, APPLY_REFUSED);
	CU_ASSERT_EQUAL(strlen(model_log_at(m, 0)->event_id),
			sizeof(model_log_at(m, 0)->event_id) - 1);
	CU_ASSERT_STRING_EQUAL(model_log_at(m, 0)->detail, "bad signature");
	CU_ASSERT_STRING_EQUAL(model_log_at(m, 0)->fax_id, "");
	CU_ASSERT_EQUAL(model_stats(m)->refused, 1);
	CU_ASSERT_EQUAL(model_log_count(m), 3);
	CU_ASSERT_STRING_EQUAL(apply_outcome_name(APPLY_STALE), "stale");
	CU_ASSERT_STRING_EQUAL(alert_kind_name(ALERT_LOCAL_OK), "threshold.ok");
	model_free(m);
}

/* The seed shapes, delivered in the worst order. */
static void test_fixtures_out_of_order(void)
{
	static const char *const order[] = { "fax.delivered.json", "fax.queued.json",
					     "fax.sending.json", "fax.delivered.json" };
	static const enum apply_outcome want[] = { APPLY_OK, APPLY_OK, APPLY_STALE,
						   APPLY_DUPLICATE };
	struct model *m = model_new(NULL);
	const struct model_fax *f;

	for (int i = 0; i < 4; i++) {
		char path[96], err[256];
		struct event ev;
		size_t len;
		char *body;

		snprintf(path, sizeof(path), "fixtures/events/%s", order[i]);
		body = unit_fixture_read(path, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(body);
		CU_ASSERT_EQUAL_FATAL(wire_event_parse(body, len, &ev, err, sizeof(err)), 0);
		CU_ASSERT_EQUAL(model_apply(m, &ev, SRC_WEBHOOK, i), want[i]);
		event_done(&ev);
		free(body);
	}
	f = model_get(m, "fax_8aZqRm4yT3vK7pNxJ2bH9c");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(f->fax.status, FAX_DELIVERED);
	CU_ASSERT_EQUAL(f->fax.pages, 2);
	CU_ASSERT_EQUAL_FATAL(f->fax.n_attempts, 2);
	CU_ASSERT(f->fax.attempts[1].completed_at != TS_NONE);
	/* fax.queued was older but knew the resolution, which nothing else did. */
	CU_ASSERT_STRING_EQUAL(f->fax.resolution, "fine");
	CU_ASSERT_EQUAL(f->fax.n_tags, 2);
	CU_ASSERT(!f->retrying);
	CU_ASSERT_EQUAL(model_count_status(m, FAX_DELIVERED), 1);
	CU_ASSERT_EQUAL(model_count(m), 1);
	model_free(m);
}

static void apply_created(struct model *m, int n, int64_t created_s)
{
	char id[32], fax[32];
	struct event ev;

	snprintf(id, sizeof(id), "evt_%d", n);
	snprintf(fax, sizeof(fax), "fax_%07d", n);
	mk_event(&ev, id, EV_FAX_QUEUED, T0, fax);
	ev.fax.created_at = created_s * 1000;
	CU_ASSERT_EQUAL(apply(m, &ev), APPLY_OK);
}

/* Newest first (GET /faxes), then a scattered batch, then a batch whose
 * creation times are learned late: the index stays sorted throughout. */
static void test_order_any_arrival(void)
{
	enum { N = 20000 };
	struct model *m = model_new(NULL);
	unsigned seed = 12345;

	for (int i = N - 1; i >= 0; i--)
		apply_created(m, i, T0 + 2 * i);
	for (int k = 0; k < 5000; k++) {
		seed = seed * 1103515245u + 12345u;
		apply_created(m, N + k, T0 + (int64_t)((seed >> 8) % (2 * N)) + 1);
	}
	for (int k = 0; k < 500; k++) {
		char id[32], fax[32];
		struct event ev;

		snprintf(id, sizeof(id), "evt_late_%d", k);
		snprintf(fax, sizeof(fax), "fax_late_%d", k);
		mk_event(&ev, id, EV_FAX_SENDING, T0 + 3 * N, fax);
		apply(m, &ev);
		snprintf(id, sizeof(id), "evt_late2_%d", k);
		mk_event(&ev, id, EV_FAX_SENDING, T0 + 3 * N, fax);
		ev.fax.created_at = (T0 + 7 * k) * 1000;
		apply(m, &ev);
	}
	CU_ASSERT_EQUAL_FATAL(model_count(m), N + 5000 + 500);
	for (size_t i = 1; i < model_count(m); i++) {
		const struct model_fax *a = model_at(m, i - 1), *b = model_at(m, i);

		if (a->fax.created_at > b->fax.created_at ||
		    (a->fax.created_at == b->fax.created_at && strcmp(a->fax.id, b->fax.id) >= 0)) {
			CU_FAIL("creation order");
			break;
		}
	}
	CU_ASSERT_STRING_EQUAL(model_at(m, 0)->fax.id, "fax_0000000");
	CU_ASSERT_PTR_NOT_NULL(model_get(m, "fax_late_499"));
	model_free(m);
}

static bool is_failed(const struct model_fax *f, void *ctx)
{
	(*(int *)ctx)++;
	return f->fax.status == FAX_FAILED;
}

static void test_find(void)
{
	struct model *m = model_new(NULL);
	int calls = 0;

	for (int i = 0; i < 6; i++) {
		char id[16], fax[16];
		struct event ev;

		snprintf(id, sizeof(id), "evt_%d", i);
		snprintf(fax, sizeof(fax), "fax_%d", i);
		mk_event(&ev, id, i % 3 == 1 ? EV_FAX_FAILED : EV_FAX_DELIVERED, T0 + i, fax);
		ev.fax.created_at = (T0 + i) * 1000;
		apply(m, &ev);
	}
	CU_ASSERT_EQUAL(model_find(m, 0, 1, is_failed, &calls), 1);
	CU_ASSERT_EQUAL(calls, 2);
	CU_ASSERT_EQUAL(model_find(m, 2, 1, is_failed, &calls), 4);
	CU_ASSERT_EQUAL(model_find(m, 5, 1, is_failed, &calls), SIZE_MAX);
	CU_ASSERT_EQUAL(model_find(m, 5, -1, is_failed, &calls), 4);
	CU_ASSERT_EQUAL(model_find(m, 3, -1, is_failed, &calls), 1);
	CU_ASSERT_EQUAL(model_find(m, 0, -1, is_failed, &calls), SIZE_MAX);
	CU_ASSERT_EQUAL(model_find(m, 99, -1, is_failed, &calls), SIZE_MAX);
	CU_ASSERT_EQUAL(model_find(m, 0, 0, is_failed, &calls), SIZE_MAX);
	model_free(m);
}

/* 100,000 faxes with 3 attempts each, arriving nearly in creation order
 * with some stragglers; counts, order and look-ups must all agree. */
static void test_scale(void)
{
	enum { N = 100000 };
	struct model *m = model_new(NULL);
	static const char *const codes[] = { "busy", "no_answer", "line_quality" };
	size_t want_status[FAX_STATUS_COUNT] = { 0 };
	struct model_code_count cc[8];
	size_t want_codes[3] = { 0 };

	for (int k = 0; k < N; k++) {
		/* In each hundred, the 50th and the 100th swap places. */
		int i = k % 100 == 49 ? k + 50 : k % 100 == 99 ? k - 50 : k;
		char id[32], fax[32];
		struct event ev;
		int kind = i % 5;

		snprintf(id, sizeof(id), "evt_%07d", i);
		snprintf(fax, sizeof(fax), "fax_%07d", i);
		mk_event(&ev, id,
			 kind == 0           ? EV_FAX_QUEUED
				 : kind == 1 ? EV_FAX_SENDING
				 : kind < 4  ? EV_FAX_DELIVERED
					     : EV_FAX_FAILED,
			 T0 + i, fax);
		ev.fax.to = strdup("+15005550001");
		ev.fax.created_at = (T0 + i) * 1000;
		ev.fax.max_attempts = 3;
		for (int a = 1; a <= 3; a++)
			add_attempt(&ev.fax, a, (T0 + i) * 1000 + a, (T0 + i) * 1000 + a + 1,
				    a < 3 || kind == 4 ? codes[(i + a) % 3] : NULL);
		if (kind == 4)
			ev.fax.error_code = strdup(codes[(i + 3) % 3]);
		CU_ASSERT_EQUAL(model_apply(m, &ev, SRC_POLL, i), APPLY_OK);
		event_done(&ev);
		want_status[kind == 0           ? FAX_QUEUED
				    : kind == 1 ? FAX_IN_PROGRESS
				    : kind < 4  ? FAX_DELIVERED
						: FAX_FAILED]++;
		if (kind == 4)
			want_codes[(i + 3) % 3]++;
	}
	CU_ASSERT_EQUAL_FATAL(model_count(m), N);
	for (int s = 0; s < FAX_STATUS_COUNT; s++)
		CU_ASSERT_EQUAL(model_count_status(m, (enum fax_status)s), want_status[s]);
	CU_ASSERT_EQUAL(model_error_codes(m, cc, 8), 3);
	CU_ASSERT_EQUAL(cc[0].count + cc[1].count + cc[2].count, N / 5);
	for (int c = 0; c < 3; c++)
		for (int j = 0; j < 3; j++)
			if (strcmp(cc[j].code, codes[c]) == 0)
				CU_ASSERT_EQUAL(cc[j].count, want_codes[c]);
	/* The index is the creation order, and look-ups find every fax. */
	for (size_t i = 0; i < N; i++) {
		const struct model_fax *f = model_at(m, i);
		char fax[32];

		snprintf(fax, sizeof(fax), "fax_%07zu", i);
		if (strcmp(f->fax.id, fax) != 0) {
			CU_FAIL("creation order");
			break;
		}
		if (model_get(m, fax) != f || f->fax.n_attempts != 3) {
			CU_FAIL("look-up");
			break;
		}
	}
	CU_ASSERT_EQUAL(model_stats(m)->applied, N);
	CU_ASSERT(model_seen(m, "evt_0000000"));
	CU_ASSERT(model_seen(m, "evt_0099999"));
	model_free(m);
}

/* The model allocates through xalloc: an event it finds no memory for
 * kills the process (the event is not acknowledged, so it comes again)
 * rather than being half-applied and counted as an error. The child runs
 * under an address-space limit the event's message cannot fit in. */
static void test_no_memory_is_fatal(void)
{
#if defined(__SANITIZE_ADDRESS__)
	/* The sanitizer's allocator reports a failure itself. */
	return;
#else
	int status = 0;
	pid_t pid = fork();

	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		size_t big = (size_t)64 << 20;
		struct model *m = model_new(NULL);
		struct rlimit none = { 0, 0 }, rl;
		unsigned long pages = 0;
		struct event ev;
		FILE *f = fopen("/proc/self/statm", "r");
		char *msg = malloc(big + 1);

		if (!m || !f || !msg || fscanf(f, "%lu", &pages) != 1)
			_exit(4);
		fclose(f);
		memset(msg, 'x', big);
		msg[big] = '\0';
		mk_event(&ev, "evt_big", EV_FAX_FAILED, T0, "fax_big");
		ev.fax.error_message = msg;
		rl.rlim_cur = rl.rlim_max =
			pages * (unsigned long)sysconf(_SC_PAGESIZE) + ((size_t)16 << 20);
		if (setrlimit(RLIMIT_CORE, &none) != 0 || setrlimit(RLIMIT_AS, &rl) != 0 ||
		    !freopen("/dev/null", "w", stderr))
			_exit(4);
		model_apply(m, &ev, SRC_WEBHOOK, T0 * 1000);
		_exit(0); /* carried on without the memory */
	}
	CU_ASSERT_EQUAL_FATAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
#endif
}

/* The pool keeps each string once and finds it again through every growth
 * of its table (its slots carry part of the hash beside the address). */
static void test_pool(void)
{
	enum { N = 300000 };
	struct pool p;
	const char **kept = calloc(N, sizeof *kept);
	char buf[32];
	bool ok = true;

	CU_ASSERT_PTR_NOT_NULL_FATAL(kept);
	mpool_init(&p);
	for (int i = 0; i < N; i++) {
		snprintf(buf, sizeof buf, "fax_%06d", i);
		kept[i] = mpool_intern(&p, buf);
	}
	CU_ASSERT_EQUAL(p.n, N);
	for (int i = 0; i < N && ok; i++) {
		const struct istr *e;

		snprintf(buf, sizeof buf, "fax_%06d", i);
		e = mpool_lookup(&p, buf);
		ok = e && e->s == kept[i] && strcmp(kept[i], buf) == 0 &&
			mpool_intern(&p, buf) == kept[i];
		snprintf(buf, sizeof buf, "fax_%06d", N + i);
		ok = ok && mpool_lookup(&p, buf) == NULL;
	}
	CU_ASSERT(ok);
	CU_ASSERT_EQUAL(p.n, N);
	CU_ASSERT_PTR_EQUAL(mpool_intern_lower(&p, "FAX_000007"), kept[7]);
	CU_ASSERT_PTR_NULL(mpool_intern(&p, NULL));
	mpool_done(&p);
	free(kept);
}

static const struct unit_test tests[] = {
	{ "an event for an unknown fax creates it", test_create_and_get },
	{ "a seen event id is a duplicate", test_duplicate },
	{ "the dedupe window is bounded", test_dedupe_window },
	{ "status only moves forward; terminal is final", test_status_forward_only },
	{ "a conflicting terminal event is an anomaly", test_terminal_conflict_is_anomaly },
	{ "a terminal event that breaks the contract is an anomaly",
	  test_contract_breach_is_anomaly },
	{ "older snapshots never overwrite newer fields", test_freshness_per_field },
	{ "attempts merge by number; completed wins", test_attempts_merge },
	{ "retrying is derived (docs/CONTRACT.md#assumptions)", test_retrying },
	{ "unknown types are logged and kept", test_unknown_type },
	{ "resent_from links both ways", test_resend_links },
	{ "counts by error code", test_error_codes },
	{ "creation-order index", test_creation_order },
	{ "balance, samples and alerts", test_balance_alerts },
	{ "the alert log is bounded", test_alert_log_bounded },
	{ "burn rate and time to empty", test_burn_rate },
	{ "burn rate: spending only, top-ups marked", test_burn_rate_topups },
	{ "the event log is bounded", test_event_log_bounded },
	{ "seed fixtures out of order", test_fixtures_out_of_order },
	{ "creation order holds whatever the arrival order", test_order_any_arrival },
	{ "model_find walks the order with a predicate", test_find },
	{ "100k faxes: counts, order, look-ups", test_scale },
	{ "the string pool keeps each string once through its growth", test_pool },
	{ "no memory for an event is fatal, not a half-applied event", test_no_memory_is_fatal },
	{ 0 },
};
UNIT_SUITE(model, NULL, NULL, tests);
