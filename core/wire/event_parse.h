/* JSON to the project's own types (event_parse.c) and back
 * (event_write.c). json-c stays inside core/wire: no json_object ever
 * crosses this header. Every export is prefixed wire_.
 *
 * Every parser takes an explicit length, refuses bodies over
 * WIRE_MAX_BYTES or nested deeper than WIRE_MAX_DEPTH, checks
 * the type of every field it reads, and on failure returns -1 with `err`
 * naming the offending field. Outputs are filled only on success (on error
 * they are left initialised and empty, safe to _done). */
#ifndef FAXTOP_CORE_EVENT_PARSE_H
#define FAXTOP_CORE_EVENT_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model/event.h"

#define WIRE_MAX_BYTES (1024 * 1024)      /* default: bodies larger are refused */
#define WIRE_LIMIT_MAX (64 * 1024 * 1024) /* the most the limit can be raised to */
#define WIRE_MAX_DEPTH 32                 /* deeper nesting is refused */

/* The size limit of every parser here (and of ingest): one limit with the
 * listener's --max-body-bytes, so a body the listener takes is never
 * refused for its size after. Clamped to 1 KiB..WIRE_LIMIT_MAX. */
void wire_set_max_bytes(size_t n);
size_t wire_max_bytes(void);

/* Either envelope: {id,type,created,data:{object}} or legacy
 * {event_id,event,timestamp(ISO or unix),data:{...}}.
 * 0, or -1 with err naming the field
 * ("data.object.attempts[1].started_at: expected a string"). */
int wire_event_parse(const char *json, size_t len, struct event *out, char *err, size_t errlen);
/* A FaxResource or FaxSubmissionResource. */
int wire_fax_parse(const char *json, size_t len, struct fax *out, char *err, size_t errlen);
/* A BalanceResource or a balance.* snapshot. */
int wire_balance_parse(const char *json, size_t len, struct balance_snapshot *out, char *err,
		       size_t errlen);

struct event_page_item {
	struct event ev; /* if bad: only ev.id, when the item had a string id */
	char *raw;       /* the item's own JSON text */
	size_t raw_len;
	char *error; /* non-NULL: the item is bad, and this says why */
};
struct event_page {
	struct event_page_item *items;
	size_t n;
	bool has_more;
	char *next_cursor;
};
/* GET /events (docs/CONTRACT.md#assumptions). A page that is not a page fails whole; an item that
 * is not an event is kept as a bad item (raw text and the reason), so one
 * poisoned event cannot hold the cursor. */
int wire_event_page_parse(const char *json, size_t len, struct event_page *out, char *err,
			  size_t errlen);
void wire_event_page_done(struct event_page *p);

struct fax_page {
	struct fax *items;
	size_t n;
	bool has_more;
	char *next_cursor;
};
/* GET /faxes */
int wire_fax_page_parse(const char *json, size_t len, struct fax_page *out, char *err,
			size_t errlen);
void wire_fax_page_done(struct fax_page *p);

/* The error envelope (docs/CONTRACT.md#api-errors). */
struct api_error {
	char error[64];
	char message[256];
	char action[64];
	char request_id[64];
	char docs[256];
	char details[512]; /* context.errors flattened "to: must be E.164; file: required" */
};
/* 0 if it looked like the error envelope (docs/CONTRACT.md#api-errors), -1 otherwise. */
int wire_api_error_parse(const char *json, size_t len, struct api_error *out);

/* Serialisers (used by faxsim and headless output); return malloc'd
 * NUL-terminated JSON, never NULL (out of memory is fatal, as in
 * core/base/xalloc.h). */
/* The FaxResource; tags as a map; max_attempts as an integer. */
char *wire_fax_to_json(const struct fax *f);
/* {environment_id?,available,held,currency?,type?} as given. */
char *wire_balance_to_json(const struct balance_snapshot *b);
/* The current envelope {id,type,created,data:{object}}. */
char *wire_event_to_json(const struct event *ev);
/* One line for `faxtop --headless`:
 * {"id","type","created","source","data":<data from raw>} (no newline). */
char *wire_event_json_line(const struct event *ev, const char *raw, size_t raw_len,
			   enum event_source src);
/* A JSON string literal (with quotes) for s, for code that builds small
 * bodies by hand. */
char *wire_json_quote(const char *s);
/* How every timestamp goes out: ISO 8601 UTC with milliseconds written to
 * buf (40 bytes suffice), or NULL for TS_NONE, which goes out as null. */
const char *wire_time_text(int64_t ms, char *buf, size_t len);

#endif
