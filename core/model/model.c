/* The live model and its state machine.
 *
 * Rules model_apply() enforces (docs/CONTRACT.md#statuses, #ordering, #assumptions), each with a unit test:
 *  - an event id already seen is a duplicate: counted and logged, not applied
 *    (a bounded window of ids, remembered as 128-bit fingerprints);
 *  - status moves forward only, by rank: queued < submitted < in_progress <
 *    delivered|failed; a lower rank never moves a fax back;
 *  - a terminal status never changes; a conflicting terminal event (failed
 *    after delivered or the reverse) is an anomaly: recorded on the fax,
 *    logged and counted, and nothing of it is applied;
 *  - a terminal event that breaks the delivery contract (docs/CONTRACT.md#failure-codes) is applied and
 *    recorded as an anomaly too: fax.failed with a retryable code before
 *    max_attempts attempts were made, or any terminal event that leaves an
 *    attempt still in progress;
 *  - attempts merge by attempt_number; a completed attempt beats an
 *    in-progress one; an attempt is never lost because a later snapshot
 *    carried fewer;
 *  - freshness: each fax remembers the time of the newest snapshot applied
 *    (updated_at, or the event's `created` when the snapshot has none). A
 *    snapshot at least that fresh, or one that moves the status forward,
 *    overwrites every field it carries; an older one only fills fields
 *    still unknown. Null or absent fields never erase what is known;
 *  - an event for an unknown fax creates it; an unknown type is logged and
 *    kept, never fatal (its fax snapshot, if any, merges under the rules);
 *  - resent_from links both ways, also when the original arrives later;
 *  - a balance event older than the newest one applied keeps its alert but
 *    does not overwrite the balance.
 *
 * This file holds the model's life, model_apply() and the small readers;
 * the parts it is built from are listed in model_int.h. */
#include <stdio.h>
#include <stdlib.h>

#include "core/base/xalloc.h"
#include "core/base/names.h"
#include "core/model/model_int.h"

NAME_TABLE(outcome_names, apply_outcome_name, enum apply_outcome, APPLY_OUTCOME_LIST,
	   APPLY_OUTCOME_COUNT, "")

NAME_TABLE(alert_names, alert_kind_name, enum alert_kind, ALERT_KIND_LIST, ALERT_KIND_COUNT, "")

struct model *model_new(const struct model_opts *opts)
{
	struct model *m = xcalloc(1, sizeof *m);

	if (opts)
		m->opts = *opts;
	else
		m->opts.low_balance_cents = -1;
	if (!m->opts.event_log_size)
		m->opts.event_log_size = 1000;
	if (!m->opts.balance_samples)
		m->opts.balance_samples = MODEL_BALANCE_SAMPLES;
	if (m->opts.burn_window_ms <= 0)
		m->opts.burn_window_ms = MODEL_BURN_WINDOW_MS;
	if (!m->opts.alert_log_size)
		m->opts.alert_log_size = 100;
	if (!m->opts.dedupe_window)
		m->opts.dedupe_window = 1u << 20;
	/* Ring indices are 32-bit. */
	if (m->opts.dedupe_window > UINT32_MAX / 4)
		m->opts.dedupe_window = UINT32_MAX / 4;
	m->last_event_ms = TS_NONE;
	mpool_init(&m->pool);
	mseen_init(&m->seen, m->opts.dedupe_window);
	mring_init(&m->log, sizeof(struct model_log_entry), m->opts.event_log_size);
	mring_init(&m->alerts, sizeof(struct model_alert), m->opts.alert_log_size);
	mring_init(&m->samples, sizeof(struct model_balance_sample), m->opts.balance_samples);
	return m;
}

void model_free(struct model *m)
{
	if (!m)
		return;
	mindex_done(m);
	free(m->log.items);
	free(m->alerts.items);
	free(m->samples.items);
	mseen_done(&m->seen);
	mpool_done(&m->pool);
	free(m);
}

/* ---- applying ---- */

static int64_t snapshot_fresh(const struct fax *f, int64_t fallback)
{
	return f->updated_at != TS_NONE ? f->updated_at : fallback;
}

/* The fax part of model_apply(). */
static enum apply_outcome apply_fax_event(struct model *m, const struct event *ev,
					  enum event_source src, int64_t now_ms, char *detail,
					  size_t len)
{
	struct snapshot s = {
		.fax = &ev->fax,
		.status = ev->fax.status,
		.fresh = snapshot_fresh(&ev->fax, ev->created * 1000),
		.heard_ms = ev->created > 0 ? ev->created * 1000 : now_ms,
		.src = src,
		.now_ms = now_ms,
		.event_id = ev->id,
	};
	enum apply_outcome o;

	if (s.status == FAX_STATUS_NONE)
		s.status = event_type_status(ev->type);
	if (!ev->fax.id || !ev->fax.id[0]) {
		snprintf(detail, len, "fax without an id");
		return APPLY_INVALID;
	}
	o = mmerge_fax(m, &s);
	snprintf(detail, len, "%s", s.detail);
	if (o == APPLY_OK)
		o = mmerge_check_contract(m, ev, detail, len);
	return o;
}

enum apply_outcome model_apply(struct model *m, const struct event *ev, enum event_source src,
			       int64_t now_ms)
{
	enum apply_outcome o = APPLY_OK;
	const char *type = ev && ev->type_name ? ev->type_name
		: ev                           ? event_type_name(ev->type)
					       : "";
	const char *fax_id = ev && ev->object == EVOBJ_FAX ? ev->fax.id : NULL;
	char detail[96] = "";

	if (!ev || !ev->id || !ev->id[0]) {
		mlog_count_outcome(m, APPLY_INVALID);
		mlog_entry(m, now_ms, NULL, type, fax_id, src, APPLY_INVALID,
			   "event without an id");
		return APPLY_INVALID;
	}
	if (mseen_has(&m->seen, ev->id)) {
		mlog_count_outcome(m, APPLY_DUPLICATE);
		/* A redelivered webhook is worth a line; catch-up finding events
		 * the webhooks already brought is the normal case, and a line
		 * for each would drown the log. Both are counted. */
		if (src != SRC_POLL && src != SRC_REPLAY)
			mlog_entry(m, now_ms, ev->id, type, fax_id, src, APPLY_DUPLICATE, NULL);
		return APPLY_DUPLICATE;
	}
	if (ev->object == EVOBJ_FAX) {
		o = apply_fax_event(m, ev, src, now_ms, detail, sizeof detail);
	} else if (ev->object == EVOBJ_BALANCE) {
		o = mbalance_apply_event(m, ev, src, now_ms, detail, sizeof detail);
	} else if (ev->type != EV_UNKNOWN) {
		o = APPLY_INVALID;
		snprintf(detail, sizeof detail, "no data.object");
	}
	if (ev->type == EV_UNKNOWN && (o == APPLY_OK || o == APPLY_STALE)) {
		o = APPLY_UNKNOWN_TYPE;
		snprintf(detail, sizeof detail, "unknown event type, kept");
	}
	mseen_add(&m->seen, ev->id);
	mlog_count_outcome(m, o);
	mlog_entry(m, now_ms, ev->id, type, fax_id, src, o, detail[0] ? detail : NULL);
	m->last_event_ms = now_ms;
	return o;
}

enum apply_outcome model_apply_fax(struct model *m, const struct fax *f, enum event_source src,
				   int64_t now_ms)
{
	struct snapshot s = {
		.fax = f,
		.status = f ? f->status : FAX_STATUS_NONE,
		.fresh = f ? snapshot_fresh(f, TS_NONE) : TS_NONE,
		.heard_ms = now_ms,
		.src = src,
		.now_ms = now_ms,
	};
	enum apply_outcome o;

	if (!f || !f->id || !f->id[0]) {
		mlog_count_outcome(m, APPLY_INVALID);
		return APPLY_INVALID;
	}
	o = mmerge_fax(m, &s);
	mlog_count_outcome(m, o);
	/* Snapshots are not events: only an anomaly earns a log line. */
	if (o == APPLY_ANOMALY)
		mlog_entry(m, now_ms, NULL, "snapshot", f->id, src, o, s.detail);
	return o;
}

void model_mark_seen(struct model *m, const char *event_id)
{
	if (event_id && event_id[0])
		mseen_add(&m->seen, event_id);
}

void model_prefetch_fax(const struct model *m, const struct fax *f)
{
	mpool_prefetch(&m->pool, f->id);
	mpool_prefetch(&m->pool, f->to);
	mpool_prefetch(&m->pool, f->idempotency_key);
}

bool model_seen(const struct model *m, const char *event_id)
{
	return event_id && mseen_has(&m->seen, event_id);
}

/* ---- readers ---- */

uint64_t model_generation(const struct model *m)
{
	return m->generation;
}

int64_t model_last_event_ms(const struct model *m)
{
	return m->last_event_ms;
}
