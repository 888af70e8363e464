/* HTTP/1.1 server on libev, framed by http_parser. Used by the webhook
 * listener and by faxsim. Keep-alive, pipelining (answered in order),
 * non-blocking writes, limits on headers/body/connections, idle timeouts.
 *
 * A handler may answer at once or later (after a store commit): the request
 * stays valid until http_respond() is called on it, even if the peer went
 * away meanwhile (then the answer is dropped and the request freed). */
#ifndef FAXTOP_CORE_HTTP_SERVER_H
#define FAXTOP_CORE_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ev_loop;
struct log;
struct http_server;
struct http_request;

struct http_header {
	const char *name;
	const char *value;
};

struct http_server_opts {
	size_t max_header_bytes;     /* default 16 KiB → 431 */
	size_t max_body_bytes;       /* default 1 MiB → 413 without buffering the rest */
	unsigned max_connections;    /* default 1024; at the cap the least recently active
				      * idle connection (no complete request, or keep-alive
				      * between requests) is shed for a new one */
	unsigned max_conns_per_peer; /* default max_connections / 4 (at least 1); the same
				      * shedding within one client address */
	double idle_timeout;         /* seconds, default 10: read/idle timeout per connection */
	const char *server_name;     /* Server: header; NULL for none */
	const char *trusted_proxies; /* CIDRs whose X-Forwarded-For / X-Real-IP name the
				      * client (logs, per-peer cap); NULL: headers ignored */
	struct log *log;             /* shedding and fd exhaustion, rate-limited; may be NULL */
};

/* The handler owns nothing; it must eventually call http_respond(req, …). */
typedef void (*http_handler_fn)(struct http_request *req, void *ctx);

/* NULL when trusted_proxies does not parse. */
struct http_server *http_server_new(struct ev_loop *loop, const struct http_server_opts *opts,
				    http_handler_fn handler, void *ctx);
void http_server_free(struct http_server *srv);
/* Binds and listens on "HOST:PORT", "[V6]:PORT" or ":PORT"; port 0 picks a
 * free one. 0 or -1 with a message in err. */
int http_server_listen(struct http_server *srv, const char *host_port, char *err, size_t errlen);
/* The bound address as "HOST:PORT" (after listen). */
const char *http_server_address(const struct http_server *srv);
int http_server_port(const struct http_server *srv);
bool http_server_is_loopback(const struct http_server *srv);
/* Stops accepting; connections in flight finish. */
void http_server_stop_accepting(struct http_server *srv);
/* Number of requests waiting for an answer. */
size_t http_server_pending(const struct http_server *srv);
unsigned http_server_connections(const struct http_server *srv);

struct http_server_stats {
	uint64_t accepted_conns, requests, timeouts, too_large, bad_requests, emfile_backoffs;
	uint64_t shed;         /* connections closed to make room at the cap */
	uint64_t peer_refused; /* connections closed at once: their peer was at its cap */
	unsigned connections;  /* open now */
};
const struct http_server_stats *http_server_stats(const struct http_server *srv);

/* ---- the request ---- */
const char *http_request_method(const struct http_request *req); /* "POST" */
const char *http_request_path(const struct http_request *req);   /* decoded path, no query */
const char *http_request_query(const struct http_request *req);  /* raw query or "" */
/* Case-insensitive; the first occurrence, or NULL. */
const char *http_request_header(const struct http_request *req, const char *name);
size_t http_request_header_count(const struct http_request *req);
const struct http_header *http_request_header_at(const struct http_request *req, size_t i);
const char *http_request_body(const struct http_request *req, size_t *len);
const char *http_request_peer(const struct http_request *req); /* "127.0.0.1:53122" */
/* The server's counters, or NULL once the server is gone. */
const struct http_server_stats *http_request_server_stats(const struct http_request *req);
/* Per-request slot for the handler's own pointer. */
void http_request_set_data(struct http_request *req, void *data);
void *http_request_data(const struct http_request *req);

/* Answers the request (Content-Length is added; Connection per keep-alive).
 * body may be NULL for an empty body. Frees req: do not use it afterwards. */
void http_respond(struct http_request *req, int status, const char *content_type, const char *body,
		  size_t len, const struct http_header *extra, size_t n_extra);
/* Same, with a JSON body. */
void http_respond_json(struct http_request *req, int status, const char *json,
		       const struct http_header *extra, size_t n_extra);
const char *http_status_text(int status);

/* Query string helper: decodes the value of `key` from a raw query into buf.
 * Returns 1 found, 0 absent, -1 malformed/too long. */
int http_query_get(const char *query, const char *key, char *buf, size_t len);
/* Percent-decoding (+ as space when form is true). -1 on a bad escape. */
int http_url_decode(const char *src, size_t len, char *dst, size_t dstlen, bool form);

#endif
