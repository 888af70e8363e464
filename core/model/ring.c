/* Bounded rings (the event log, the alerts, the balance samples), and the
 * event log kept in one. */
#include <stdio.h>
#include <string.h>

#include "core/base/xalloc.h"
#include "core/model/model_int.h"

void mring_init(struct ring *r, size_t size, size_t cap)
{
	memset(r, 0, sizeof *r);
	r->size = size;
	r->cap = cap ? cap : 1;
	r->items = xcalloc(r->cap, size);
}

void *mring_push(struct ring *r)
{
	size_t idx;

	if (r->n == r->cap) {
		idx = r->head;
		r->head = (r->head + 1) % r->cap;
	} else {
		idx = (r->head + r->n) % r->cap;
		r->n++;
	}
	return (char *)r->items + idx * r->size;
}

void *mring_oldest(const struct ring *r, size_t k)
{
	if (k >= r->n)
		return NULL;
	return (char *)r->items + ((r->head + k) % r->cap) * r->size;
}

void *mring_newest(const struct ring *r, size_t k)
{
	if (k >= r->n)
		return NULL;
	return mring_oldest(r, r->n - 1 - k);
}

/* ---- the event log ---- */

void mlog_copy_text(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

void mlog_entry(struct model *m, int64_t now_ms, const char *event_id, const char *type,
		const char *fax_id, enum event_source src, enum apply_outcome outcome,
		const char *detail)
{
	struct model_log_entry *e = mring_push(&m->log);

	e->at_ms = now_ms;
	mlog_copy_text(e->event_id, sizeof e->event_id, event_id);
	mlog_copy_text(e->type, sizeof e->type, type);
	mlog_copy_text(e->fax_id, sizeof e->fax_id, fax_id);
	e->source = src;
	e->outcome = outcome;
	mlog_copy_text(e->detail, sizeof e->detail, detail);
	m->generation++;
}

void mlog_count_outcome(struct model *m, enum apply_outcome o)
{
	switch (o) {
	case APPLY_OK:
		m->stats.applied++;
		break;
	case APPLY_DUPLICATE:
		m->stats.duplicates++;
		break;
	case APPLY_STALE:
		m->stats.stale++;
		break;
	case APPLY_ANOMALY:
		m->stats.anomalies++;
		break;
	case APPLY_UNKNOWN_TYPE:
		m->stats.unknown_types++;
		break;
	case APPLY_REFUSED:
		m->stats.refused++;
		break;
	case APPLY_INVALID:
		m->stats.invalid++;
		break;
	case APPLY_ERROR:
	case APPLY_OUTCOME_COUNT:
		break;
	}
}

void model_log(struct model *m, int64_t now_ms, const char *event_id, const char *type,
	       const char *fax_id, enum event_source src, enum apply_outcome outcome,
	       const char *detail)
{
	if (outcome == APPLY_REFUSED || outcome == APPLY_INVALID)
		mlog_count_outcome(m, outcome);
	mlog_entry(m, now_ms, event_id, type, fax_id, src, outcome, detail);
}

size_t model_log_count(const struct model *m)
{
	return m->log.n;
}

const struct model_log_entry *model_log_at(const struct model *m, size_t idx)
{
	return mring_newest(&m->log, idx);
}

const struct model_stats *model_stats(const struct model *m)
{
	return &m->stats;
}
