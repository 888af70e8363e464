/* The HTTP server's own insides, shared by its files and by nothing else:
 * the connection, request and server structs and the functions one part
 * calls in another. The parts, from the bottom up:
 *
 *   http_request.c  buffers, the request being built, the request API
 *   http_conn.c     closing, watchers, flushing output, idle connections
 *   http_respond.c  answers and refusals
 *   http_limits.c   timeouts and shedding at the caps
 *   http_parse.c    http_parser's callbacks; dispatching requests
 *   http_accept.c   accepting; the read and write callbacks
 *   http_server.c   the server's public life: new, listen, stop, free
 *
 * A part calls only parts above it in this list. */
#ifndef FAXTOP_CORE_HTTP_INT_H
#define FAXTOP_CORE_HTTP_INT_H

#include <ev.h>
#include <http_parser.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/base/netaddr.h"
#include "core/http/http_server.h"

struct sockaddr;

#define HTTP_DEFAULT_MAX_HEADER (16 * 1024)
#define HTTP_DEFAULT_MAX_BODY   (1024 * 1024)
#define HTTP_DEFAULT_MAX_CONNS  1024
#define HTTP_DEFAULT_IDLE       10.0
#define HTTP_MAX_HEADERS        100
#define HTTP_HEADER_OVERHEAD    4 /* ": " and CRLF, so a flood of empty headers still counts */
#define HTTP_READ_CHUNK         16384
#define HTTP_OUT_HIGH           (256 * 1024) /* stop reading while this much output waits */
#define HTTP_ACCEPT_BURST       64
#define HTTP_BACKOFF_MIN        0.05
#define HTTP_BACKOFF_MAX        1.0
#define HTTP_LINGER_MAX         2.0 /* drain after a final answer, so the peer can read it */
#define HTTP_LINGER_BYTES       (4 * 1024 * 1024)
#define HTTP_DRAIN_MAX          (128 * 1024 * 1024) /* most of an announced body read after a 413 */
#define HTTP_REQUEST_IDLES      3    /* a whole request gets this many idle timeouts */
#define HTTP_REPORT_EVERY       10.0 /* seconds between log lines on shedding */

struct http_buf {
	char *data;
	size_t len, cap;
};

enum conn_state {
	CONN_READING,  /* parsing (or waiting for) a request */
	CONN_HANDLING, /* a complete request is with the handler */
	CONN_CLOSING,  /* final answer queued; no more requests */
	CONN_LINGER,   /* answer written, write side shut; discarding input */
	CONN_CLOSED,
};

struct http_conn;

struct http_request {
	struct http_server *srv;          /* NULL once the server is gone */
	struct http_conn *conn;           /* NULL once orphaned */
	struct http_request *prev, *next; /* the server's list of dispatched requests */
	char method[24];
	struct http_buf url;
	char *path;
	char *query;
	struct http_buf hdr; /* names and values, NUL-terminated */
	size_t *name_off, *value_off;
	size_t n_headers, cap_headers;
	bool have_value; /* the last header piece was a value */
	struct http_header *headers;
	struct http_buf body;
	size_t header_bytes;
	char peer[64];
	void *data;
	bool keep_alive, head, dispatched;
};

struct http_conn {
	struct http_server *srv;
	struct http_conn *prev, *next;
	int fd;
	enum conn_state state;
	ev_io rw, ww;
	ev_timer timer;
	ev_tstamp deadline;     /* idle: moved by progress */
	ev_tstamp req_deadline; /* the request being read: fixed at its first byte */
	http_parser parser;
	struct http_request *req;
	char in[HTTP_READ_CHUNK];
	size_t in_off, in_len;
	struct http_buf out;
	size_t out_off;
	size_t lingered;
	size_t linger_max; /* bytes drained at most; 0: HTTP_LINGER_BYTES */
	int err_status;    /* set by a parser callback to refuse the request */
	const char *err_msg;
	bool in_headers;
	bool peer_eof;
	bool processing;      /* conn_process is on the stack */
	bool via_proxy;       /* the TCP peer is a trusted proxy */
	struct net_addr addr; /* the client, for the per-peer cap */
	ev_tstamp idle_since; /* accepted, or last answer sent: for shedding */
	char peer[64];
};

struct http_server {
	struct ev_loop *loop;
	struct http_server_opts opts;
	http_handler_fn handler;
	void *ctx;
	int lfd;
	int spare_fd; /* held open to accept with when out of fds */
	ev_io accept_w;
	ev_timer backoff_w;
	ev_prepare reaper_w;
	ev_idle nudge_w; /* keeps the loop from sleeping after a resume */
	double backoff;
	bool accepting;     /* false after stop_accepting */
	bool accept_paused; /* at max_connections or backing off */
	char address[80];
	bool loopback;
	struct http_conn *conns;
	struct http_conn *dead;
	unsigned n_conns;
	struct http_request *live; /* dispatched, not yet answered */
	size_t pending;
	struct http_server_stats stats;
	time_t date_t;
	char date[40];
	char *server_name;
	struct net_trusted trusted;
	ev_tstamp report_at;                        /* next shedding report may go out then */
	uint64_t rep_shed, rep_refused, rep_emfile; /* since the last report */
};

/* http_request.c */
int http_buf_reserve(struct http_buf *b, size_t extra);
int http_buf_add(struct http_buf *b, const char *s, size_t n);
int http_buf_addc(struct http_buf *b, char c);
__attribute__((format(printf, 2, 3))) int http_buf_printf(struct http_buf *b, const char *fmt, ...);
void http_buf_free(struct http_buf *b);
struct http_request *http_request_new(struct http_conn *c);
void http_request_free(struct http_request *r);
int http_request_finish_headers(struct http_request *r);

/* http_conn.c */
struct http_conn *http_server_oldest_idle(struct http_server *srv, const struct http_conn *except,
					  const struct net_addr *addr);
void http_server_resume_accept(struct http_server *srv);
void http_conn_close(struct http_conn *c);
void http_reaper_cb(struct ev_loop *loop, ev_prepare *w, int revents);
void http_conn_touch(struct http_conn *c);
void http_conn_update_io(struct http_conn *c);
int http_conn_flush(struct http_conn *c);
void http_format_addr(const struct sockaddr *sa, char *out, size_t len);

/* http_respond.c */
bool http_header_safe(const char *s);
void http_conn_refuse(struct http_conn *c, int status, const char *error, const char *msg);

/* http_limits.c */
void http_conn_timer_cb(struct ev_loop *loop, ev_timer *w, int revents);
void http_server_report(struct http_server *srv);
bool http_server_shed(struct http_server *srv, const struct http_conn *except,
		      const struct net_addr *addr);
bool http_conn_peer_cap(struct http_conn *c);

/* http_parse.c */
void http_parse_init(void);
void http_conn_process(struct http_conn *c);

/* http_accept.c */
void http_accept_cb(struct ev_loop *loop, ev_io *w, int revents);
void http_backoff_cb(struct ev_loop *loop, ev_timer *w, int revents);
void http_nudge_cb(struct ev_loop *loop, ev_idle *w, int revents);

#endif
