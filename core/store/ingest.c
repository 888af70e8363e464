/* The one door for every source of events.
 *
 * The store is the dedupe authority: an id is a duplicate only once it is
 * stored. The event row is queued before the model sees the event, so the
 * model is never ahead of the store for a new event; when a batch fails to
 * commit, the model may already hold events that the store rolled back. On
 * re-delivery the store misses, the row is stored, the model calls it a
 * duplicate, and the fax snapshot is written from the model's merged state
 * anyway, which heals the store. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/base/names.h"
#include "core/wire/event_parse.h"
#include "core/store/ingest.h"
#include "core/model/model.h"
#include "core/store/store.h"

/* An oversized body is quarantined, but only this much of it: an authentic
 * sender can still not fill the disk through the quarantine. */
#define INGEST_QUARANTINE_KEEP (64 * 1024)

struct ingest {
	struct store *store;
	struct model *model;
	const struct clock *clock;
	ingest_observer observer;
	void *observer_ctx;
	struct ingest_stats stats;
};

NAME_TABLE(ingest_result_names, ingest_result_name, enum ingest_result, INGEST_RESULT_LIST,
	   INGEST_RESULT_COUNT, "unknown")

struct ingest *ingest_new(struct store *s, struct model *m, const struct clock *clock)
{
	struct ingest *in;

	if (!s || !m)
		return NULL;
	in = calloc(1, sizeof *in);
	if (!in)
		return NULL;
	in->store = s;
	in->model = m;
	in->clock = clock;
	return in;
}

void ingest_free(struct ingest *in)
{
	free(in);
}

void ingest_set_observer(struct ingest *in, ingest_observer fn, void *ctx)
{
	in->observer = fn;
	in->observer_ctx = ctx;
}

const struct ingest_stats *ingest_stats(const struct ingest *in)
{
	return &in->stats;
}

static enum ingest_result ingest_done(struct ingest *in, enum ingest_result r)
{
	in->stats.by_result[r]++;
	return r;
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static enum ingest_result ingest_store_error(struct ingest *in, char *err, size_t errlen)
{
	set_err(err, errlen, "store: %s", store_last_error(in->store));
	return ingest_done(in, INGEST_STORE_ERROR);
}

/* Keeps an authentic body that could not become an event, and says so in the
 * model's log (which also counts it). */
static enum ingest_result ingest_reject(struct ingest *in, const char *raw, size_t len,
					enum event_source src, int64_t now, const char *why,
					char *err, size_t errlen)
{
	char reason[256];

	snprintf(reason, sizeof reason, "%s", why);
	if (store_quarantine(in->store, raw,
			     len > INGEST_QUARANTINE_KEEP ? INGEST_QUARANTINE_KEEP : len, reason,
			     now) < 0) {
		set_err(err, errlen, "invalid event (%s), and quarantine failed: %s", reason,
			store_last_error(in->store));
		return ingest_done(in, INGEST_STORE_ERROR);
	}
	model_log(in->model, now, NULL, NULL, NULL, src, APPLY_INVALID, reason);
	set_err(err, errlen, "invalid event: %s", reason);
	return ingest_done(in, INGEST_INVALID);
}

/* Stores the balance as the model holds it after applying b: a late,
 * stale balance event must not overwrite a newer reading in the store
 * either. b lends the fields the model does not keep. */
static int ingest_store_balance(struct ingest *in, const struct balance_snapshot *b, int64_t now)
{
	const struct model_balance *mb = model_balance(in->model);
	struct balance_snapshot held = *b;

	if (!mb->known)
		return store_put_balance(in->store, b, now);
	held.has_available = held.has_held = true;
	held.available = mb->available;
	held.held = mb->held;
	return store_put_balance(in->store, &held,
				 mb->updated_ms != TS_NONE ? mb->updated_ms : now);
}

static void ingest_notify(struct ingest *in, const struct event *ev, const char *raw,
			  size_t raw_len, enum event_source src, enum ingest_result r)
{
	if (in->observer)
		in->observer(in->observer_ctx, ev, raw, raw_len, src, r);
}

static enum ingest_result ingest_parsed(struct ingest *in, const struct event *ev, const char *raw,
					size_t raw_len, enum event_source src, int64_t now,
					char *err, size_t errlen)
{
	int seen;

	if (!ev->id || !ev->id[0])
		return ingest_reject(in, raw, raw_len, src, now, "event without an id", err,
				     errlen);
	/* stored unless its key is: the insert is the lookup */
	seen = store_put_event(in->store, ev, raw, raw_len, src, now);
	if (seen < 0)
		return ingest_store_error(in, err, errlen);
	if (seen) {
		/* The model counts and logs duplicates itself; an id the store
		 * holds but the model has forgotten (older than its window) is
		 * marked first so the model still sees a duplicate, not news. */
		if (!model_seen(in->model, ev->id))
			model_mark_seen(in->model, ev->id);
		model_apply(in->model, ev, src, now);
		ingest_notify(in, ev, raw, raw_len, src, INGEST_DUPLICATE);
		return ingest_done(in, INGEST_DUPLICATE);
	}
	model_apply(in->model, ev, src, now);
	if (ev->object == EVOBJ_FAX && ev->fax.id) {
		const struct model_fax *mf = model_get(in->model, ev->fax.id);

		if (mf && store_put_fax(in->store, mf) < 0)
			return ingest_store_error(in, err, errlen);
	} else if (ev->object == EVOBJ_BALANCE) {
		if (ingest_store_balance(in, &ev->balance, now) < 0)
			return ingest_store_error(in, err, errlen);
	}
	ingest_notify(in, ev, raw, raw_len, src, INGEST_ACCEPTED);
	return ingest_done(in, INGEST_ACCEPTED);
}

enum ingest_result ingest_body(struct ingest *in, const char *body, size_t len,
			       enum event_source src, char *err, size_t errlen)
{
	int64_t now = clock_now_ms(in->clock);
	struct event ev;
	char why[256];
	enum ingest_result r;

	if (!body)
		return ingest_reject(in, "", 0, src, now, "empty body", err, errlen);
	if (len > wire_max_bytes()) {
		snprintf(why, sizeof why, "body of %zu bytes exceeds the %zu-byte limit", len,
			 wire_max_bytes());
		return ingest_reject(in, body, len, src, now, why, err, errlen);
	}
	event_init(&ev);
	why[0] = '\0';
	if (wire_event_parse(body, len, &ev, why, sizeof why) < 0) {
		event_done(&ev);
		return ingest_reject(in, body, len, src, now, why[0] ? why : "unparseable event",
				     err, errlen);
	}
	r = ingest_parsed(in, &ev, body, len, src, now, err, errlen);
	event_done(&ev);
	return r;
}

enum ingest_result ingest_event(struct ingest *in, const struct event *ev, const char *raw,
				size_t raw_len, enum event_source src, char *err, size_t errlen)
{
	int64_t now = clock_now_ms(in->clock);

	if (!ev)
		return ingest_reject(in, raw ? raw : "", raw ? raw_len : 0, src, now, "no event",
				     err, errlen);
	return ingest_parsed(in, ev, raw, raw_len, src, now, err, errlen);
}

enum ingest_result ingest_fax(struct ingest *in, const struct fax *f, enum event_source src,
			      char *err, size_t errlen)
{
	int64_t now = clock_now_ms(in->clock);
	const struct model_fax *mf;
	enum apply_outcome o;

	if (!f || !f->id || !f->id[0]) {
		set_err(err, errlen, "invalid fax: no id");
		return ingest_done(in, INGEST_INVALID);
	}
	o = model_apply_fax(in->model, f, src, now);
	if (o == APPLY_INVALID || o == APPLY_ERROR) {
		set_err(err, errlen, "fax %.64s: %s", f->id, apply_outcome_name(o));
		return ingest_done(in, INGEST_INVALID);
	}
	mf = model_get(in->model, f->id);
	if (mf && store_put_fax(in->store, mf) < 0)
		return ingest_store_error(in, err, errlen);
	return ingest_done(in, INGEST_ACCEPTED);
}

enum ingest_result ingest_balance(struct ingest *in, const struct balance_snapshot *b,
				  enum event_source src, char *err, size_t errlen)
{
	int64_t now = clock_now_ms(in->clock);

	if (!b || (!b->has_available && !b->has_held)) {
		set_err(err, errlen, "invalid balance: neither available nor held");
		return ingest_done(in, INGEST_INVALID);
	}
	model_apply_balance(in->model, b, src, now);
	if (ingest_store_balance(in, b, now) < 0)
		return ingest_store_error(in, err, errlen);
	return ingest_done(in, INGEST_ACCEPTED);
}
