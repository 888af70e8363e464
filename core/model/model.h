/* The live model: faxes, attempts, balance, alerts, the event log, and the
 * aggregates the UI needs. One writer (ingest and the app), many readers
 * through the const query API below; readers never touch internals.
 *
 * model_apply() is the state machine (see model.c for the rules). */
#ifndef FAXTOP_CORE_MODEL_H
#define FAXTOP_CORE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model/event.h"

struct model;

/* Balance samples kept by default: a day at the 30 s poll, 12 h at 15 s. */
#define MODEL_BALANCE_SAMPLES 2880
/* The burn rate looks at the spending of the last hour by default. */
#define MODEL_BURN_WINDOW_MS 3600000

struct model_opts {
	size_t event_log_size;  /* newest N entries kept (default 1000) */
	size_t balance_samples; /* bounded history of balance samples (default
	                                 MODEL_BALANCE_SAMPLES) */
	size_t alert_log_size;  /* newest N balance alerts (default 100) */
	size_t dedupe_window;   /* event ids remembered for duplicate detection (default 1<<20) */
	int64_t low_balance_cents; /* local threshold; < 0 turns it off */
	int64_t burn_window_ms;    /* the burn rate's window (default
	                                 MODEL_BURN_WINDOW_MS) */
};

/* What happened to one input. X(enum, name) */
#define APPLY_OUTCOME_LIST(X)                 \
	X(APPLY_OK, "applied")                \
	X(APPLY_DUPLICATE, "duplicate")       \
	X(APPLY_STALE, "stale")               \
	X(APPLY_ANOMALY, "anomaly")           \
	X(APPLY_UNKNOWN_TYPE, "unknown_type") \
	X(APPLY_REFUSED, "refused")           \
	X(APPLY_INVALID, "invalid")           \
	X(APPLY_ERROR, "error")

enum apply_outcome {
/* clang-format off */
#define X(e, name) e,
	APPLY_OUTCOME_LIST(X)
#undef X
	APPLY_OUTCOME_COUNT
	/* clang-format on */
};
const char *apply_outcome_name(enum apply_outcome o);

/* A fax as the model holds it: the latest merged snapshot plus what the
 * model knows around it. Read-only for everyone but model.c. */
struct model_fax {
	struct fax fax;
	int64_t last_update_ms; /* local time of the last change */
	enum event_source last_source;
	const char *const *resends; /* ids of faxes resent from this one */
	size_t n_resends;
	unsigned anomalies;  /* conflicting terminal events seen */
	const char *anomaly; /* description of the newest anomaly, or NULL */
	bool retrying; /* newest attempt completed with an error, not terminal (docs/CONTRACT.md#assumptions) */
};

struct model_log_entry {
	int64_t at_ms; /* local receive time */
	char event_id[64];
	char type[32]; /* as received (unknown types verbatim) */
	char fax_id[64];
	enum event_source source;
	enum apply_outcome outcome;
	char detail[96]; /* e.g. refusal reason, anomaly */
};

struct model_code_count {
	const char *code; /* lowercase error code; owned by the model */
	size_t count;     /* faxes whose current error_code is this */
};

#define ALERT_KIND_LIST(X)                      \
	X(ALERT_BALANCE_LOW, "balance.low")     \
	X(ALERT_BALANCE_TOPUP, "balance.topup") \
	X(ALERT_LOCAL_LOW, "threshold.low")     \
	X(ALERT_LOCAL_OK, "threshold.ok")

enum alert_kind {
/* clang-format off */
#define X(e, name) e,
	ALERT_KIND_LIST(X)
#undef X
	ALERT_KIND_COUNT
	/* clang-format on */
};
const char *alert_kind_name(enum alert_kind k);

struct model_alert {
	int64_t at_ms;
	enum alert_kind kind;
	int64_t available; /* cents at the time */
	enum event_source source;
};

struct model_balance_sample {
	int64_t at_ms;
	int64_t available;
	int64_t held;
};

struct model_balance {
	bool known;
	int64_t available, held; /* cents */
	char type[16];           /* "sandbox" / "live" / "" */
	char currency[8];
	int64_t updated_ms;
	bool below_threshold; /* local threshold state (armed when false) */
};

struct model_stats {
	uint64_t applied, duplicates, stale, anomalies, unknown_types, refused, invalid;
};

struct model *model_new(const struct model_opts *opts); /* NULL opts: defaults */
void model_free(struct model *m);

/* ---- writers ---- */

/* Applies one parsed event. `now_ms` is the local receive time. */
enum apply_outcome model_apply(struct model *m, const struct event *ev, enum event_source src,
			       int64_t now_ms);
/* Applies a fax snapshot that came without an event (GET /faxes/{id}, a list
 * page, a resend's 201): the same per-field rules, no dedupe. */
enum apply_outcome model_apply_fax(struct model *m, const struct fax *f, enum event_source src,
				   int64_t now_ms);
/* Applies a balance reading (poll) or snapshot; raises local threshold alerts. */
void model_apply_balance(struct model *m, const struct balance_snapshot *b, enum event_source src,
			 int64_t now_ms);
/* Adds an event-log line for something that never became an event:
 * a refused signature, an unparseable body. */
void model_log(struct model *m, int64_t now_ms, const char *event_id, const char *type,
	       const char *fax_id, enum event_source src, enum apply_outcome outcome,
	       const char *detail);
/* Marks an event id as seen without applying anything (used when rebuilding
 * from the store). */
void model_mark_seen(struct model *m, const char *event_id);
bool model_seen(const struct model *m, const char *event_id);
/* A hint for a bulk load: f is applied soon, so the pool slots of the
 * strings a new fax does not share with others (its id, number, key) start
 * coming into the cache now rather than one miss at a time then. */
void model_prefetch_fax(const struct model *m, const struct fax *f);
void model_set_low_balance(struct model *m, int64_t cents); /* < 0: off */

/* ---- readers ---- */

/* Increases on every change; the UI redraws when it moved. */
uint64_t model_generation(const struct model *m);
const struct model_fax *model_get(const struct model *m, const char *fax_id);
size_t model_count(const struct model *m);
/* The creation-order index: 0 is the oldest (created_at, then id).
 * A fax whose created_at is not known yet sorts by when it was first heard
 * of (its event's `created`, or the local time) and moves once it is. */
const struct model_fax *model_at(const struct model *m, size_t idx);
/* Walks the creation order from `start` (inclusive) one step at a time in
 * direction `dir` (+1 towards newer, -1 towards older) and returns the index
 * of the first fax `pred` accepts, or SIZE_MAX when none does. */
size_t model_find(const struct model *m, size_t start, int dir,
		  bool (*pred)(const struct model_fax *f, void *ctx), void *ctx);
size_t model_count_status(const struct model *m, enum fax_status s);
/* Counts by current error code over all faxes, most frequent first.
 * Returns the number of codes (may exceed max; only max are written). */
size_t model_error_codes(const struct model *m, struct model_code_count *out, size_t max);
const struct model_balance *model_balance(const struct model *m);
size_t model_balance_samples(const struct model *m);
/* 0 is the oldest kept sample. */
const struct model_balance_sample *model_balance_sample(const struct model *m, size_t idx);
/* Puts back a sample kept from an earlier run (oldest first): no alert, no
 * change to the current balance. A sample at the instant of the newest one
 * replaces it, here as in model_apply_balance. */
void model_restore_balance_sample(struct model *m, const struct model_balance_sample *s);
/* Puts back a fax's anomaly count and newest description, kept from an
 * earlier run (after the fax itself). */
void model_restore_anomalies(struct model *m, const char *fax_id, unsigned n, const char *text);
/* Burn rate in cents per hour: what was spent (decreases of available plus
 * held between readings; top-ups and released holds are not spending) over
 * the burn window ending at the newest reading. 0 when nothing was spent or
 * there are fewer than two readings in the window. Time to empty in
 * seconds while money is being spent and some is left, else -1. */
double model_burn_rate(const struct model *m);
/* The same, and how long the readings it is taken from span (at most the
 * window; less while history builds up). */
double model_burn_rate_span(const struct model *m, int64_t *span_ms);
/* Whether sample idx (0 oldest) brought money in (a top-up): available plus
 * held grew since the sample before. */
bool model_balance_sample_topup(const struct model *m, size_t idx);
int64_t model_time_to_empty(const struct model *m);
size_t model_alert_count(const struct model *m);
const struct model_alert *model_alert_at(const struct model *m, size_t idx); /* 0 newest */
size_t model_log_count(const struct model *m);
const struct model_log_entry *model_log_at(const struct model *m, size_t idx); /* 0 newest */
const struct model_stats *model_stats(const struct model *m);
/* Local time of the newest applied event, TS_NONE if none. */
int64_t model_last_event_ms(const struct model *m);

#endif
