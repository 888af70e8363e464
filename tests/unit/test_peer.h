/* A tiny scripted HTTP/1.1 peer on loopback for the API client and poller
 * tests. It runs on the test's ev loop, records every request, and answers
 * from a queue of canned responses (then a default one). Keep-alive is
 * honoured so connection reuse can be observed. */
#ifndef FAXTOP_TESTS_TEST_PEER_H
#define FAXTOP_TESTS_TEST_PEER_H

#include <stddef.h>

struct ev_loop;

struct peer_request {
	char method[16];
	char path[512];
	char *headers; /* raw header block, "Name: value\r\n"… */
	char *body;
	size_t body_len;
	unsigned conn_id; /* which accepted connection carried it */
};

struct peer;

struct peer *peer_new(struct ev_loop *loop);
void peer_free(struct peer *p);
int peer_port(const struct peer *p);
/* "http://127.0.0.1:PORT" plus prefix (e.g. "/v1"); static buffer in p. */
const char *peer_url(struct peer *p, const char *prefix);
/* Queues one response. extra_headers: "Name: value\r\n"… or NULL. */
void peer_push(struct peer *p, int status, const char *extra_headers, const char *body);
/* The response used when the queue is empty. */
void peer_set_default(struct peer *p, int status, const char *extra_headers, const char *body);
/* Responses for a path prefix take precedence over the queue (route table). */
void peer_route(struct peer *p, const char *method, const char *path_prefix, int status,
		const char *extra_headers, const char *body);
/* Close every connection instead of answering (a network error). */
void peer_set_drop(struct peer *p, int drop);
size_t peer_count(const struct peer *p);
const struct peer_request *peer_req(const struct peer *p, size_t idx);
/* Requests whose path starts with prefix; *last (if not NULL) gets the
 * index of the newest. */
size_t peer_count_paths(const struct peer *p, const char *prefix, size_t *last);
unsigned peer_connections(const struct peer *p);
/* Value of a header in a recorded request (case-insensitive), copied to buf. */
const char *peer_header(const struct peer_request *r, const char *name, char *buf, size_t len);
/* Runs the loop until *flag is non-zero or `limit_s` seconds of loop time
 * pass (a safety bound for a broken test, not a timing assertion). Returns
 * the flag. */
int peer_run_until(struct ev_loop *loop, const int *flag, double limit_s);
/* The same with a predicate; returns its final value. */
int peer_run_until_fn(struct ev_loop *loop, int (*pred)(void *ctx), void *ctx, double limit_s);

#endif
