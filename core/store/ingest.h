/* The one door for every source of events (webhook, poll, replay): parse,
 * dedupe against the store, queue the write in the store's open batch, apply
 * to the model. Acknowledgement is the caller's business, through
 * store_on_commit(). */
#ifndef FAXTOP_CORE_INGEST_H
#define FAXTOP_CORE_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "core/model/event.h"

struct clock;
struct model;
struct store;
struct ingest;

#define INGEST_RESULT_LIST(X)            \
	X(INGEST_ACCEPTED, "accepted")   \
	X(INGEST_DUPLICATE, "duplicate") \
	X(INGEST_INVALID, "invalid")     \
	X(INGEST_STORE_ERROR, "store_error")

enum ingest_result {
/* clang-format off */
#define X(e, name) e,
	INGEST_RESULT_LIST(X)
#undef X
	INGEST_RESULT_COUNT
	/* clang-format on */
};
const char *ingest_result_name(enum ingest_result r);

/* Called for every event that was accepted or found duplicate. */
typedef void (*ingest_observer)(void *ctx, const struct event *ev, const char *raw, size_t raw_len,
				enum event_source src, enum ingest_result r);

struct ingest *ingest_new(struct store *s, struct model *m, const struct clock *clock);
void ingest_free(struct ingest *in);
void ingest_set_observer(struct ingest *in, ingest_observer fn, void *ctx);

/* A raw JSON body (webhook). INGEST_INVALID: unparseable or missing required
 * fields; the body is quarantined and err says why. */
enum ingest_result ingest_body(struct ingest *in, const char *body, size_t len,
			       enum event_source src, char *err, size_t errlen);
/* An event already parsed (a page of GET /events) with its raw JSON. */
enum ingest_result ingest_event(struct ingest *in, const struct event *ev, const char *raw,
				size_t raw_len, enum event_source src, char *err, size_t errlen);
/* A fax snapshot without an event (GET /faxes/{id}, lists, a resend's 201). */
enum ingest_result ingest_fax(struct ingest *in, const struct fax *f, enum event_source src,
			      char *err, size_t errlen);
/* A balance reading (GET /environment/balance). */
enum ingest_result ingest_balance(struct ingest *in, const struct balance_snapshot *b,
				  enum event_source src, char *err, size_t errlen);

struct ingest_stats {
	uint64_t by_result[INGEST_RESULT_COUNT];
};
const struct ingest_stats *ingest_stats(const struct ingest *in);

#endif
