/* The project's own event and fax types: what wire_event_parse produces from the
 * wire, what the model keeps and what the store persists. No json-c here.
 *
 * Times: every ISO-8601 field is held as milliseconds since the epoch (UTC);
 * TS_NONE stands for null/absent. The envelope's `created` is unix seconds, as
 * on the wire. Strings are owned, NUL-terminated, NULL when absent/null. */
#ifndef FAXTOP_CORE_EVENT_H
#define FAXTOP_CORE_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TS_NONE INT64_MIN

/* Fax statuses in lifecycle order. X(enum, wire name, rank) */
#define FAX_STATUS_LIST(X)                   \
	X(FAX_QUEUED, "queued", 1)           \
	X(FAX_SUBMITTED, "submitted", 2)     \
	X(FAX_IN_PROGRESS, "in_progress", 3) \
	X(FAX_DELIVERED, "delivered", 4)     \
	X(FAX_FAILED, "failed", 4)

enum fax_status {
	FAX_STATUS_NONE = 0,
/* clang-format off */
#define X(e, name, rank) e,
	FAX_STATUS_LIST(X)
#undef X
	FAX_STATUS_COUNT
	/* clang-format on */
};

/* Event types. The first six are the current catalog; the last two appear
 * only in legacy docs (docs/CONTRACT.md#legacy) and are accepted on input.
 * X(enum, wire name, carries a fax, status it implies or FAX_STATUS_NONE) */
#define EVENT_TYPE_LIST(X)                                       \
	X(EV_FAX_QUEUED, "fax.queued", 1, FAX_QUEUED)            \
	X(EV_FAX_SENDING, "fax.sending", 1, FAX_IN_PROGRESS)     \
	X(EV_FAX_DELIVERED, "fax.delivered", 1, FAX_DELIVERED)   \
	X(EV_FAX_FAILED, "fax.failed", 1, FAX_FAILED)            \
	X(EV_BALANCE_LOW, "balance.low", 0, FAX_STATUS_NONE)     \
	X(EV_BALANCE_TOPUP, "balance.topup", 0, FAX_STATUS_NONE) \
	X(EV_FAX_SUBMITTED, "fax.submitted", 1, FAX_SUBMITTED)   \
	X(EV_FAX_RETRY_SCHEDULED, "fax.retry_scheduled", 1, FAX_STATUS_NONE)

enum event_type {
	EV_UNKNOWN = 0,
/* clang-format off */
#define X(e, name, is_fax, status) e,
	EVENT_TYPE_LIST(X)
#undef X
	EV_TYPE_COUNT
	/* clang-format on */
};

/* Where a piece of information came from. X(enum, name) */
#define EVENT_SOURCE_LIST(X)      \
	X(SRC_WEBHOOK, "webhook") \
	X(SRC_POLL, "poll")       \
	X(SRC_API, "api")         \
	X(SRC_REPLAY, "replay")   \
	X(SRC_LOCAL, "local")

enum event_source {
/* clang-format off */
#define X(e, name) e,
	EVENT_SOURCE_LIST(X)
#undef X
	SRC_COUNT
	/* clang-format on */
};

struct fax_attempt {
	int number;           /* attempt_number, 1-based; 0 if absent */
	int64_t started_at;   /* ms, TS_NONE if null */
	int64_t completed_at; /* ms, TS_NONE while in progress */
	int64_t duration_ms;  /* -1 if absent */
	char *error_code;     /* lowercase */
	char *error_subcode;
	char *error_message;
};

struct fax_tag {
	char *key;
	char *value; /* "" when tags came as an array of plain strings */
};

/* Every field of the FaxResource (docs/CONTRACT.md#fax-resource) plus resent_from. */
struct fax {
	char *id;
	enum fax_status status; /* FAX_STATUS_NONE if absent */
	char *to;
	int pages;        /* -1 if null */
	char *error_code; /* lowercase */
	char *error_subcode;
	char *error_message;
	int max_attempts; /* 0 if absent; accepted as "3" or 3 */
	struct fax_attempt *attempts;
	size_t n_attempts;
	char *webhook_url;
	char *idempotency_key;
	struct fax_tag *tags;
	size_t n_tags;
	char *csid;
	char *page_size;
	char *resolution;
	char *optimize_for;
	char *resent_from;
	int64_t submitted_at;
	int64_t completed_at;
	int64_t created_at;
	int64_t updated_at;
};

/* The balance snapshot of balance.* events (docs/CONTRACT.md#balance) and GET /environment/balance. */
struct balance_snapshot {
	bool has_available, has_held;
	int64_t available; /* cents */
	int64_t held;      /* cents */
	char *environment_id;
	char *currency; /* "USD" */
	char *type;     /* "sandbox" | "live" */
	bool auto_top_up_enabled;
	int64_t auto_top_up_threshold; /* cents, -1 if absent */
};

enum event_object {
	EVOBJ_NONE = 0,
	EVOBJ_FAX,
	EVOBJ_BALANCE,
};

struct event {
	char *id;             /* evt_… (or legacy event_id) */
	enum event_type type; /* EV_UNKNOWN for a type not in the table */
	char *type_name;      /* the type as it came, always set */
	int64_t created;      /* unix seconds */
	bool legacy;          /* came in the {event_id,event,timestamp,data} envelope */
	enum event_object object;
	struct fax fax;                  /* valid when object == EVOBJ_FAX */
	struct balance_snapshot balance; /* valid when object == EVOBJ_BALANCE */
};

/* Names and table look-ups (event.c). */
const char *fax_status_name(enum fax_status s); /* "queued", …, "" for NONE */
enum fax_status
fax_status_from_name(const char *name); /* case-insensitive; "sending" → in_progress */
int fax_status_rank(enum fax_status s); /* 0 for NONE */
bool fax_status_terminal(enum fax_status s);
const char *event_type_name(enum event_type t);         /* "fax.queued", … "" for unknown */
enum event_type event_type_from_name(const char *name); /* EV_UNKNOWN if not in the table */
bool event_type_is_fax(enum event_type t);
enum fax_status event_type_status(enum event_type t);
const char *event_source_name(enum event_source s);
enum event_source event_source_from_name(const char *name);

/* Lifecycle of the structs above. _init zeroes with every TS field TS_NONE,
 * pages -1 and so on; _done frees what the struct owns (not the struct).
 * _copy makes a deep copy; it allocates through xalloc, so it cannot fail. */
void fax_init(struct fax *f);
void fax_done(struct fax *f);
void fax_copy(struct fax *dst, const struct fax *src);
void fax_attempt_init(struct fax_attempt *a);
void fax_attempt_done(struct fax_attempt *a);
void fax_attempt_copy(struct fax_attempt *dst, const struct fax_attempt *src);
void balance_snapshot_init(struct balance_snapshot *b);
void balance_snapshot_done(struct balance_snapshot *b);
void balance_snapshot_copy(struct balance_snapshot *dst, const struct balance_snapshot *src);
void event_init(struct event *ev);
void event_done(struct event *ev);

/* Time helpers: ISO-8601 UTC ("2023-11-07T05:31:56Z", optional fraction,
 * "+00:00" offsets) to ms since the epoch; -1 on a malformed string. */
int iso8601_parse_ms(const char *s, int64_t *out_ms);
/* ms since the epoch to "2023-11-07T05:31:56Z" (or with .mmm when ms != 0). */
void iso8601_format_ms(int64_t ms, char *buf, size_t len);

#endif
