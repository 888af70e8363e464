/* The REST API's internals, shared by the files of sim/api*.c. Three
 * floors, each calling only the ones below it:
 *   api.c           the door (auth, rate limits, --api-errors) and the route
 *                   table {method, pattern, fn}
 *   api_faxes.c     the /faxes routes, with idempotency
 *   api_events.c    /events, the balance and /sim/topup
 *   api_attempts.c  /webhooks/attempts
 *   api_reply.c     answering (simapi_reply, the error envelope, --slow) and
 *                   what every list shares (query, per_page, cursor, page) */
#ifndef FAXTOP_SIM_API_INT_H
#define FAXTOP_SIM_API_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/sim_int.h"

struct json_object;

#define API_DEFAULT_FAX_PAGE   20
#define API_DEFAULT_EVENT_PAGE 100
#define API_MAX_PAGE           100

/* One API request, from the door to its answer. */
struct sim_req {
	struct sim *s;
	struct http_request *req;
	char request_id[SIM_ID_LEN];
	struct ratelimit_info rl;
	bool has_rl;
	int retry_after;
	char idem_key[IDEM_MAX_KEY + 1];
	struct idem_entry *idem; /* a NEW record, finished by simapi_reply() */
	bool replayed;
	const char *allow; /* the Allow header of a 405, or NULL */
	char allow_buf[32];
	/* the answer, kept while --slow holds it back */
	int status;
	char *body;
	ev_timer slow_timer;
};

/* ---- answering (api_reply.c) ---- */

/* Takes ownership of body (may be NULL for 204 or on ENOMEM). */
void simapi_reply(struct sim_req *r, int status, char *body);
/* The error envelope (docs/CONTRACT.md#api-errors). context is taken (may be NULL). */
void simapi_error(struct sim_req *r, int status, const char *code, const char *message,
		  struct json_object *context);
/* 422 validation_failed with context.errors (taken). */
void simapi_validation(struct sim_req *r, struct json_object *errors);
void simapi_field_error(struct sim_req *r, const char *field, const char *msg);
/* The object's text, and the object put. NULL in, NULL out. */
char *simapi_json_take(struct json_object *j);
/* Text from the request made safe to quote in a message: printable ASCII,
 * bounded. */
void simapi_clean(const char *in, char *out, size_t outlen);
/* 404 not_found: "No <what> with id <id>", the id quoted safely. */
void simapi_no_such(struct sim_req *r, const char *what, const char *id);
/* prefix followed by 1..64 letters and digits. */
bool simapi_valid_id(const char *id, const char *prefix);

/* ---- lists (api_reply.c) ---- */

struct query_pair {
	char key[128];
	char value[512];
};

/* Splits a raw query into decoded pairs. -1 with err on a bad escape or an
 * oversized part. */
int simapi_query_split(const char *q, struct query_pair *out, size_t max, size_t *n, char *err,
		       size_t errlen);
/* 1..100, or -1 (error added). */
int simapi_per_page(const char *v, struct json_object *errors);
/* "cur_<n>": the position after which the next page starts. */
int simapi_cursor(const char *v, uint64_t *out, struct json_object *errors);

/* Writes {"data":[…],"has_more":…,"next_cursor":…} around items. */
struct page_out {
	FILE *f;
	char *buf;
	size_t len;
	size_t count;
};

/* A list's query was read into errors (taken): 422 with them, or a page
 * begun (false: answered already). */
bool simapi_list_begin(struct sim_req *r, struct json_object *errors, struct page_out *p);
void simapi_page_item(struct page_out *p, const char *json);
char *simapi_page_end(struct page_out *p, bool has_more, const char *next);

/* ---- routes: the table's fn, arg is the path segment its "*" matched ---- */

/* api_faxes.c */
void simapi_submit(struct sim_req *r, const char *arg);
void simapi_list_faxes(struct sim_req *r, const char *arg);
void simapi_get_fax(struct sim_req *r, const char *id);
void simapi_delete_fax(struct sim_req *r, const char *id);
void simapi_resend(struct sim_req *r, const char *id);
/* api_events.c */
void simapi_list_events(struct sim_req *r, const char *arg);
void simapi_get_event(struct sim_req *r, const char *id);
void simapi_balance(struct sim_req *r, const char *arg);
void simapi_topup(struct sim_req *r, const char *arg);
/* api_attempts.c */
void simapi_list_attempts(struct sim_req *r, const char *arg);
void simapi_get_attempt(struct sim_req *r, const char *id);
void simapi_retry_attempt(struct sim_req *r, const char *id);

#endif
