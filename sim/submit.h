/* The fields of POST /faxes (multipart) and POST /faxes/{id}/resend (JSON),
 * validated per docs/CONTRACT.md#send. Errors go into a json-c object shaped like the docs/CONTRACT.md#api-errors
 * `context.errors`: {"field": ["message", …]}. */
#ifndef FAXTOP_SIM_SUBMIT_H
#define FAXTOP_SIM_SUBMIT_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/multipart.h"

struct json_object;

#define SUBMIT_MAX_FILE    (10 * 1024 * 1024)
#define SUBMIT_MAX_TAGS    10
#define SUBMIT_MAX_TAG_LEN 255
#define SUBMIT_MAX_URL     2048
#define SUBMIT_MAX_CSID    20

struct submit_tag {
	char *key;
	char *value;
};

struct submit_req {
	char *to;         /* NULL when absent (resend: keep the original's) */
	const char *file; /* points into the request body */
	size_t file_len;
	bool has_file;
	char *webhook_url;
	bool has_webhook_url; /* present, possibly null */
	int max_attempts;     /* 0: not given */
	char *csid;
	char *page_size;
	char *resolution;
	char *optimize_for;
	struct submit_tag tags[SUBMIT_MAX_TAGS];
	size_t n_tags;
};

void submit_req_init(struct submit_req *r);
void submit_req_done(struct submit_req *r);
/* Reads the parts of a POST /faxes. Returns the number of field errors
 * added to errors (0: valid), -1 on ENOMEM. */
int submit_from_multipart(struct submit_req *r, const struct multipart_part *parts, size_t n,
			  struct json_object *errors);
/* Reads a resend body (may be empty). A body that is not a JSON object is
 * reported under the field "body". Returns the error count or -1. */
int submit_from_resend_json(struct submit_req *r, const char *body, size_t len,
			    struct json_object *errors);
/* Adds one message under a field. */
void submit_error(struct json_object *errors, const char *field, const char *msg);
bool submit_valid_e164(const char *s);
bool submit_valid_url(const char *s);

#endif
