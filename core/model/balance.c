/* The balance: the current reading, its bounded history of samples, the
 * alerts (mintfax's and the local threshold's) and the burn rate. */
#include <stdio.h>
#include <string.h>

#include "core/model/model_int.h"

static void add_alert(struct model *m, enum alert_kind kind, int64_t available,
		      enum event_source src, int64_t now_ms)
{
	struct model_alert *a = mring_push(&m->alerts);

	a->at_ms = now_ms;
	a->kind = kind;
	a->available = available;
	a->source = src;
}

/* Raises ALERT_LOCAL_LOW on crossing below the threshold and re-arms with
 * ALERT_LOCAL_OK once at or above it again. */
static void check_threshold(struct model *m, enum event_source src, int64_t now_ms)
{
	struct model_balance *b = &m->balance;
	int64_t t = m->opts.low_balance_cents;

	if (!b->known)
		return;
	if (t < 0) {
		b->below_threshold = false;
		return;
	}
	if (!b->below_threshold && b->available < t) {
		b->below_threshold = true;
		add_alert(m, ALERT_LOCAL_LOW, b->available, src, now_ms);
	} else if (b->below_threshold && b->available >= t) {
		b->below_threshold = false;
		add_alert(m, ALERT_LOCAL_OK, b->available, src, now_ms);
	}
}

void model_restore_balance_sample(struct model *m, const struct model_balance_sample *s)
{
	struct model_balance_sample *newest = mring_newest(&m->samples, 0);

	/* Two readings of one instant are one sample: the later says more. */
	if (!newest || newest->at_ms != s->at_ms)
		newest = mring_push(&m->samples);
	*newest = *s;
	m->generation++;
}

void model_apply_balance(struct model *m, const struct balance_snapshot *b, enum event_source src,
			 int64_t now_ms)
{
	struct model_balance *mb = &m->balance;

	if (!b || (!b->has_available && !b->has_held))
		return;
	if (b->has_available) {
		mb->available = b->available;
		mb->known = true;
	}
	if (b->has_held)
		mb->held = b->held;
	if (b->type)
		mlog_copy_text(mb->type, sizeof mb->type, b->type);
	if (b->currency)
		mlog_copy_text(mb->currency, sizeof mb->currency, b->currency);
	mb->updated_ms = now_ms;
	if (mb->known) {
		struct model_balance_sample s = { now_ms, mb->available, mb->held };

		model_restore_balance_sample(m, &s);
	}
	check_threshold(m, src, now_ms);
	m->generation++;
}

enum apply_outcome mbalance_apply_event(struct model *m, const struct event *ev,
					enum event_source src, int64_t now_ms, char *detail,
					size_t len)
{
	enum apply_outcome o = APPLY_OK;

	/* A balance event redelivered late (up to ~18 min, docs/CONTRACT.md#delivery)
	 * must not undo a newer one; it still happened, so its alert
	 * is kept. Poll readings are not compared: another clock. */
	if (ev->created < m->balance_event_created) {
		o = APPLY_STALE;
		snprintf(detail, len, "older than the balance event held");
	} else {
		m->balance_event_created = ev->created;
		model_apply_balance(m, &ev->balance, src, now_ms);
	}
	if (ev->type == EV_BALANCE_LOW || ev->type == EV_BALANCE_TOPUP)
		add_alert(m, ev->type == EV_BALANCE_LOW ? ALERT_BALANCE_LOW : ALERT_BALANCE_TOPUP,
			  ev->balance.available, src, now_ms);
	return o;
}

void model_set_low_balance(struct model *m, int64_t cents)
{
	m->opts.low_balance_cents = cents;
	check_threshold(m, SRC_LOCAL, m->balance.updated_ms);
	m->generation++;
}

/* ---- readers ---- */

const struct model_balance *model_balance(const struct model *m)
{
	return &m->balance;
}

size_t model_balance_samples(const struct model *m)
{
	return m->samples.n;
}

const struct model_balance_sample *model_balance_sample(const struct model *m, size_t idx)
{
	return mring_oldest(&m->samples, idx);
}

/* Money is available plus held: a hold moves money from one to the other,
 * a capture spends it, a release or a top-up brings it back. */
/* Cents from outside can be anything an int64 holds: sums and differences
 * stop at the ends instead of overflowing. */
static int64_t money_add(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

static int64_t money_sub(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_sub_overflow(a, b, &r))
		return b < 0 ? INT64_MAX : INT64_MIN;
	return r;
}

static int64_t sample_total(const struct model_balance_sample *s)
{
	return money_add(s->available, s->held);
}

bool model_balance_sample_topup(const struct model *m, size_t idx)
{
	if (idx == 0 || idx >= m->samples.n)
		return false;
	return sample_total(mring_oldest(&m->samples, idx)) >
		sample_total(mring_oldest(&m->samples, idx - 1));
}

double model_burn_rate(const struct model *m)
{
	return model_burn_rate_span(m, NULL);
}

double model_burn_rate_span(const struct model *m, int64_t *span_ms)
{
	size_t n = m->samples.n;
	const struct model_balance_sample *newest, *cur, *prev;
	int64_t start, first = TS_NONE, spent = 0;

	if (span_ms)
		*span_ms = 0;
	if (n < 2)
		return 0;
	newest = mring_oldest(&m->samples, n - 1);
	start = newest->at_ms - m->opts.burn_window_ms;
	/* Spending only: the decreases between readings inside the window.
	 * A top-up in between neither offsets nor adds to them. */
	for (size_t i = n - 1; i > 0; i--) {
		cur = mring_oldest(&m->samples, i);
		prev = mring_oldest(&m->samples, i - 1);
		if (prev->at_ms < start)
			break;
		if (sample_total(prev) > sample_total(cur))
			spent = money_add(spent, money_sub(sample_total(prev), sample_total(cur)));
		first = prev->at_ms;
	}
	if (first == TS_NONE || newest->at_ms <= first)
		return 0;
	if (span_ms)
		*span_ms = newest->at_ms - first;
	return (double)spent * 3600000.0 / (double)(newest->at_ms - first);
}

int64_t model_time_to_empty(const struct model *m)
{
	double burn = model_burn_rate(m);

	if (!m->balance.known || burn <= 0 || m->balance.available <= 0)
		return -1;
	return (int64_t)((double)m->balance.available / burn * 3600.0);
}

size_t model_alert_count(const struct model *m)
{
	return m->alerts.n;
}

const struct model_alert *model_alert_at(const struct model *m, size_t idx)
{
	return mring_newest(&m->alerts, idx);
}
