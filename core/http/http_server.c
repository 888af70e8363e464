/* HTTP/1.1 server on libev; http_parser frames the requests.
 *
 * One connection holds at most one request at a time: when a request is
 * complete the parser is paused, so pipelined requests wait in the input
 * buffer until the earlier answer has been queued, and answers leave in
 * order. Connections are closed at once (watchers stopped, fd closed) but
 * their memory is freed from an ev_prepare watcher, outside any callback
 * that could still be looking at them. */
#include <config.h>   /* autoconf's; "config.h" would find core/base/options.h */

#include "core/http/http_server.h"
#include "core/http/http_proxy.h"
#include "core/base/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <http_parser.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HTTP_DEFAULT_MAX_HEADER (16 * 1024)
#define HTTP_DEFAULT_MAX_BODY (1024 * 1024)
#define HTTP_DEFAULT_MAX_CONNS 1024
#define HTTP_DEFAULT_IDLE 10.0
#define HTTP_MAX_HEADERS 100
#define HTTP_HEADER_OVERHEAD 4          /* ": " and CRLF, so a flood of empty headers still counts */
#define HTTP_READ_CHUNK 16384
#define HTTP_OUT_HIGH (256 * 1024)      /* stop reading while this much output waits */
#define HTTP_ACCEPT_BURST 64
#define HTTP_BACKOFF_MIN 0.05
#define HTTP_BACKOFF_MAX 1.0
#define HTTP_LINGER_MAX 2.0             /* drain after a final answer, so the peer can read it */
#define HTTP_LINGER_BYTES (4 * 1024 * 1024)
#define HTTP_DRAIN_MAX (128 * 1024 * 1024)   /* most of an announced body read after a 413 */
#define HTTP_REQUEST_IDLES 3            /* a whole request gets this many idle timeouts */
#define HTTP_REPORT_EVERY 10.0          /* seconds between log lines on shedding */

struct http_buf {
	char *data;
	size_t len, cap;
};

enum conn_state {
	CONN_READING,    /* parsing (or waiting for) a request */
	CONN_HANDLING,   /* a complete request is with the handler */
	CONN_CLOSING,    /* final answer queued; no more requests */
	CONN_LINGER,     /* answer written, write side shut; discarding input */
	CONN_CLOSED,
};

struct http_conn;

struct http_request {
	struct http_server *srv;         /* NULL once the server is gone */
	struct http_conn *conn;          /* NULL once orphaned */
	struct http_request *prev, *next; /* the server's list of dispatched requests */
	char method[24];
	struct http_buf url;
	char *path;
	char *query;
	struct http_buf hdr;             /* names and values, NUL-terminated */
	size_t *name_off, *value_off;
	size_t n_headers, cap_headers;
	bool have_value;                 /* the last header piece was a value */
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
	ev_tstamp deadline;              /* idle: moved by progress */
	ev_tstamp req_deadline;          /* the request being read: fixed at its first byte */
	http_parser parser;
	struct http_request *req;
	char in[HTTP_READ_CHUNK];
	size_t in_off, in_len;
	struct http_buf out;
	size_t out_off;
	size_t lingered;
	size_t linger_max;               /* bytes drained at most; 0: HTTP_LINGER_BYTES */
	int err_status;                  /* set by a parser callback to refuse the request */
	const char *err_msg;
	bool in_headers;
	bool peer_eof;
	bool processing;                 /* conn_process is on the stack */
	bool via_proxy;                  /* the TCP peer is a trusted proxy */
	struct net_addr addr;            /* the client, for the per-peer cap */
	ev_tstamp idle_since;            /* accepted, or last answer sent: for shedding */
	char peer[64];
};

struct http_server {
	struct ev_loop *loop;
	struct http_server_opts opts;
	http_handler_fn handler;
	void *ctx;
	int lfd;
	int spare_fd;                    /* held open to accept with when out of fds */
	ev_io accept_w;
	ev_timer backoff_w;
	ev_prepare reaper_w;
	ev_idle nudge_w;                 /* keeps the loop from sleeping after a resume */
	double backoff;
	bool accepting;                  /* false after stop_accepting */
	bool accept_paused;              /* at max_connections or backing off */
	char address[80];
	bool loopback;
	struct http_conn *conns;
	struct http_conn *dead;
	unsigned n_conns;
	struct http_request *live;       /* dispatched, not yet answered */
	size_t pending;
	struct http_server_stats stats;
	time_t date_t;
	char date[40];
	char *server_name;
	struct net_trusted trusted;
	ev_tstamp report_at;             /* next shedding report may go out then */
	uint64_t rep_shed, rep_refused, rep_emfile;   /* since the last report */
};

static http_parser_settings parser_settings;

/* ---- small buffers ---- */

static int buf_reserve(struct http_buf *b, size_t extra)
{
	size_t want, cap;
	char *p;

	if (extra > SIZE_MAX - b->len - 1)
		return -1;
	want = b->len + extra + 1;
	if (want <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < want)
		cap = cap > SIZE_MAX / 2 ? want : cap * 2;
	p = realloc(b->data, cap);
	if (!p)
		return -1;
	b->data = p;
	b->cap = cap;
	return 0;
}

static int buf_add(struct http_buf *b, const char *s, size_t n)
{
	if (buf_reserve(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

static int buf_addc(struct http_buf *b, char c)
{
	return buf_add(b, &c, 1);
}

__attribute__((format(printf, 2, 3)))
static int buf_printf(struct http_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_reserve(b, (size_t)n) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

static void buf_free(struct http_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* ---- requests ---- */

static struct http_request *request_new(struct http_conn *c)
{
	struct http_request *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	r->srv = c->srv;
	r->conn = c;
	memcpy(r->peer, c->peer, sizeof r->peer);
	return r;
}

static void request_free(struct http_request *r)
{
	if (!r)
		return;
	if (r->dispatched && r->srv) {
		if (r->prev)
			r->prev->next = r->next;
		else
			r->srv->live = r->next;
		if (r->next)
			r->next->prev = r->prev;
		r->srv->pending--;
	}
	free(r->path);
	free(r->query);
	buf_free(&r->url);
	buf_free(&r->hdr);
	buf_free(&r->body);
	free(r->name_off);
	free(r->value_off);
	free(r->headers);
	free(r);
}

/* Closes off a header that had a name but no value callback. */
static int request_end_header(struct http_request *r)
{
	if (r->n_headers == 0 || r->have_value)
		return 0;
	if (buf_addc(&r->hdr, '\0') < 0)
		return -1;
	r->value_off[r->n_headers - 1] = r->hdr.len;
	r->have_value = true;
	return 0;
}

static int request_finish_headers(struct http_request *r)
{
	size_t i;

	if (request_end_header(r) < 0 || buf_addc(&r->hdr, '\0') < 0)
		return -1;
	/* Keep the list of pairs NUL-terminated even with no headers. */
	r->headers = calloc(r->n_headers + 1, sizeof *r->headers);
	if (!r->headers)
		return -1;
	for (i = 0; i < r->n_headers; i++) {
		char *v = r->hdr.data + r->value_off[i];
		size_t n = strlen(v);

		while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
			v[--n] = '\0';
		r->headers[i].name = r->hdr.data + r->name_off[i];
		r->headers[i].value = v;
	}
	return 0;
}

/* ---- connections ---- */

static void conn_update_io(struct http_conn *c);
static void conn_process(struct http_conn *c);
static void conn_close(struct http_conn *c);
static bool conn_peer_cap(struct http_conn *c);

static struct http_conn *server_oldest_idle(struct http_server *srv,
					    const struct http_conn *except,
					    const struct net_addr *addr);

/* Accepting resumes below the cap, or at it once a connection is idle
 * (sheddable) again. */
static void server_maybe_resume_accept(struct http_server *srv)
{
	if (srv->accepting && srv->accept_paused && srv->lfd >= 0 &&
	    !ev_is_active(&srv->backoff_w) &&
	    (srv->n_conns < srv->opts.max_connections || server_oldest_idle(srv, NULL, NULL))) {
		srv->accept_paused = false;
		ev_io_start(srv->loop, &srv->accept_w);
	}
}

static void conn_close(struct http_conn *c)
{
	struct http_server *srv = c->srv;

	if (c->state == CONN_CLOSED)
		return;
	c->state = CONN_CLOSED;
	ev_io_stop(srv->loop, &c->rw);
	ev_io_stop(srv->loop, &c->ww);
	ev_timer_stop(srv->loop, &c->timer);
	ev_clear_pending(srv->loop, &c->rw);
	ev_clear_pending(srv->loop, &c->ww);
	ev_clear_pending(srv->loop, &c->timer);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (c->req) {
		if (c->req->dispatched)
			c->req->conn = NULL;    /* the handler still holds it */
		else
			request_free(c->req);
		c->req = NULL;
	}
	if (c->prev)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = NULL;
	c->next = srv->dead;
	srv->dead = c;
	srv->stats.connections = --srv->n_conns;
	if (!ev_is_active(&srv->reaper_w))
		ev_prepare_start(srv->loop, &srv->reaper_w);
	server_maybe_resume_accept(srv);
}

static void conn_free(struct http_conn *c)
{
	buf_free(&c->out);
	free(c);
}

static void reaper_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct http_server *srv = w->data;

	while (srv->dead) {
		struct http_conn *c = srv->dead;

		srv->dead = c->next;
		conn_free(c);
	}
	ev_prepare_stop(loop, w);
}

static void conn_touch(struct http_conn *c)
{
	c->deadline = ev_now(c->srv->loop) + c->srv->opts.idle_timeout;
}

/* The write side is finished: shut it and drain the peer's leftovers for a
 * moment, so it can read the answer before the socket is torn down (closing
 * with unread input would send a RST that may destroy the answer). */
static void conn_start_linger(struct http_conn *c)
{
	double t = c->srv->opts.idle_timeout < HTTP_LINGER_MAX ? c->srv->opts.idle_timeout
							      : HTTP_LINGER_MAX;

	if (c->peer_eof) {
		conn_close(c);
		return;
	}
	shutdown(c->fd, SHUT_WR);
	c->state = CONN_LINGER;
	if (c->linger_max < HTTP_LINGER_BYTES)
		c->linger_max = HTTP_LINGER_BYTES;
	c->deadline = ev_now(c->srv->loop) + t;
	conn_update_io(c);
}

/* Writes what it can; 0, or -1 when the connection was closed. */
static int conn_flush(struct http_conn *c)
{
	while (c->out_off < c->out.len) {
		ssize_t n = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off,
				 MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			conn_close(c);
			return -1;
		}
		c->out_off += (size_t)n;
		conn_touch(c);
	}
	if (c->out_off == c->out.len) {
		c->out_off = c->out.len = 0;
		if (c->out.cap > 4 * HTTP_READ_CHUNK)
			buf_free(&c->out);
		if (c->state == CONN_CLOSING) {
			conn_start_linger(c);
			return c->state == CONN_CLOSED ? -1 : 0;
		}
		if (c->state == CONN_READING && c->peer_eof && !c->req) {
			conn_close(c);
			return -1;
		}
	}
	conn_update_io(c);
	return 0;
}

static void conn_update_io(struct http_conn *c)
{
	struct ev_loop *loop = c->srv->loop;
	size_t queued = c->out.len - c->out_off;
	bool want_read, want_write = queued > 0;

	switch (c->state) {
	case CONN_READING:
		want_read = queued < HTTP_OUT_HIGH && !c->peer_eof;
		break;
	case CONN_LINGER:
		want_read = true;
		break;
	case CONN_HANDLING:
		/* Watch for the peer going away while the handler holds the
		 * request, but hold pipelined bytes rather than parse them. */
		want_read = c->in_off == c->in_len && !c->peer_eof;
		break;
	default:
		want_read = false;
		break;
	}
	if (want_read && !ev_is_active(&c->rw))
		ev_io_start(loop, &c->rw);
	else if (!want_read && ev_is_active(&c->rw))
		ev_io_stop(loop, &c->rw);
	if (want_write && !ev_is_active(&c->ww))
		ev_io_start(loop, &c->ww);
	else if (!want_write && ev_is_active(&c->ww))
		ev_io_stop(loop, &c->ww);
}

static const char *server_date(struct http_server *srv)
{
	time_t now = time(NULL);
	struct tm tm;

	if (now != srv->date_t && gmtime_r(&now, &tm)) {
		strftime(srv->date, sizeof srv->date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
		srv->date_t = now;
	}
	return srv->date;
}

static bool header_safe(const char *s)
{
	return s && !strpbrk(s, "\r\n");
}

static bool status_has_body(int status)
{
	return !(status < 200 || status == 204 || status == 304);
}

/* Queues one answer. keep_alive false makes it the last one. */
static void conn_queue_response(struct http_conn *c, int status, const char *ctype,
				const char *body, size_t len, const struct http_header *extra,
				size_t n_extra, bool keep_alive, bool head)
{
	struct http_server *srv = c->srv;
	struct http_buf *o = &c->out;
	size_t i;
	int rc = 0;

	if (!body)
		len = 0;
	rc |= buf_printf(o, "HTTP/1.1 %d %s\r\nDate: %s\r\n", status, http_status_text(status),
			 server_date(srv));
	if (srv->server_name)
		rc |= buf_printf(o, "Server: %s\r\n", srv->server_name);
	if (status_has_body(status)) {
		if (ctype && header_safe(ctype))
			rc |= buf_printf(o, "Content-Type: %s\r\n", ctype);
		rc |= buf_printf(o, "Content-Length: %zu\r\n", len);
	}
	for (i = 0; i < n_extra; i++) {
		/* A CR or LF would let a caller's value split the response. */
		if (!header_safe(extra[i].name) || !header_safe(extra[i].value) || !*extra[i].name)
			continue;
		rc |= buf_printf(o, "%s: %s\r\n", extra[i].name, extra[i].value);
	}
	if (!keep_alive)
		rc |= buf_add(o, "Connection: close\r\n", 19);
	else if (c->parser.http_major == 1 && c->parser.http_minor == 0)
		rc |= buf_add(o, "Connection: keep-alive\r\n", 24);
	rc |= buf_add(o, "\r\n", 2);
	if (!head && status_has_body(status) && len)
		rc |= buf_add(o, body, len);
	if (rc) {
		conn_close(c);
		return;
	}
	if (!keep_alive && c->state != CONN_CLOSED)
		c->state = CONN_CLOSING;
}

static void json_escape(struct http_buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			buf_printf(b, "\\%c", ch);
		else if (ch < 0x20)
			buf_printf(b, "\\u%04x", ch);
		else
			buf_addc(b, (char)ch);
	}
}

/* Refuses what is in the input: the answer is the connection's last. */
static void conn_refuse(struct http_conn *c, int status, const char *error, const char *msg)
{
	struct http_buf b = { 0 };

	buf_add(&b, "{\"error\":\"", 10);
	json_escape(&b, error);
	buf_add(&b, "\",\"message\":\"", 13);
	json_escape(&b, msg);
	buf_add(&b, "\"}", 2);
	if (status == 400)
		c->srv->stats.bad_requests++;
	else if (status == 413 || status == 431)
		c->srv->stats.too_large++;
	if (c->req && !c->req->dispatched) {
		request_free(c->req);
		c->req = NULL;
	}
	c->in_off = c->in_len = 0;
	conn_queue_response(c, status, "application/json", b.data ? b.data : "{}",
			    b.data ? b.len : 2, NULL, 0, false, false);
	buf_free(&b);
	if (c->state != CONN_CLOSED)
		conn_flush(c);
}

/* ---- parser callbacks: return non-zero to stop with err_status set ---- */

static int parser_fail(struct http_conn *c, int status, const char *msg)
{
	c->err_status = status;
	c->err_msg = msg;
	return -1;
}

static int header_budget(struct http_conn *c, size_t n)
{
	struct http_request *r = c->req;

	r->header_bytes += n;
	if (r->header_bytes > c->srv->opts.max_header_bytes)
		return parser_fail(c, 431, "request headers too large");
	return 0;
}

static int on_message_begin(http_parser *p)
{
	struct http_conn *c = p->data;

	if (!c->req)
		c->req = request_new(c);
	if (!c->req)
		return parser_fail(c, 503, "out of memory");
	c->in_headers = true;
	conn_touch(c);
	c->req_deadline = ev_now(c->srv->loop) + HTTP_REQUEST_IDLES * c->srv->opts.idle_timeout;
	return 0;
}

static int on_url(http_parser *p, const char *at, size_t len)
{
	struct http_conn *c = p->data;

	if (header_budget(c, len))
		return -1;
	if (buf_add(&c->req->url, at, len) < 0)
		return parser_fail(c, 503, "out of memory");
	return 0;
}

/* A header's name begins: a new slot in the offset arrays. */
static int header_name_start(struct http_conn *c, struct http_request *r)
{
	if (r->n_headers >= HTTP_MAX_HEADERS)
		return parser_fail(c, 431, "too many request headers");
	if (header_budget(c, HTTP_HEADER_OVERHEAD))
		return -1;
	if (r->n_headers == r->cap_headers) {
		size_t cap = r->cap_headers ? r->cap_headers * 2 : 16;
		size_t *no = realloc(r->name_off, cap * sizeof *no);
		size_t *vo;

		if (!no)
			return parser_fail(c, 503, "out of memory");
		r->name_off = no;
		vo = realloc(r->value_off, cap * sizeof *vo);
		if (!vo)
			return parser_fail(c, 503, "out of memory");
		r->value_off = vo;
		r->cap_headers = cap;
	}
	if (r->n_headers > 0 && buf_addc(&r->hdr, '\0') < 0)
		return parser_fail(c, 503, "out of memory");
	r->name_off[r->n_headers] = r->hdr.len;
	r->value_off[r->n_headers] = 0;
	r->n_headers++;
	r->have_value = false;
	return 0;
}

/* Its value begins, after the name's NUL. */
static int header_value_start(struct http_conn *c, struct http_request *r)
{
	if (buf_addc(&r->hdr, '\0') < 0)
		return parser_fail(c, 503, "out of memory");
	r->value_off[r->n_headers - 1] = r->hdr.len;
	r->have_value = true;
	return 0;
}

/* A piece of a header's name or value (http_parser may split either). */
static int on_header_part(http_parser *p, const char *at, size_t len, bool value)
{
	struct http_conn *c = p->data;
	struct http_request *r = c->req;

	if (header_budget(c, len))
		return -1;
	/* Trailers of a chunked body: counted, not kept (the header array is
	 * built and points into the buffer). */
	if (r->headers)
		return 0;
	if (value ? !r->have_value : r->n_headers == 0 || r->have_value) {
		int rc = value ? header_value_start(c, r) : header_name_start(c, r);

		if (rc)
			return rc;
	}
	if (buf_add(&r->hdr, at, len) < 0)
		return parser_fail(c, 503, "out of memory");
	return 0;
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
	return on_header_part(p, at, len, false);
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
	return on_header_part(p, at, len, true);
}

static size_t request_header_count(const struct http_request *r, const char *name)
{
	size_t i, n = 0;

	for (i = 0; i < r->n_headers; i++)
		n += strcasecmp(r->headers[i].name, name) == 0;
	return n;
}

static int request_split_url(struct http_request *r, bool is_connect)
{
	struct http_parser_url u;
	char *path;
	size_t plen;
	int n;

	http_parser_url_init(&u);
	if (!r->url.data || http_parser_parse_url(r->url.data, r->url.len, is_connect, &u) != 0)
		return -1;
	if (!(u.field_set & (1 << UF_PATH)))
		return -1;
	plen = u.field_data[UF_PATH].len;
	path = malloc(plen + 1);
	if (!path)
		return -1;
	n = http_url_decode(r->url.data + u.field_data[UF_PATH].off, plen, path, plen + 1, false);
	/* A decoded NUL would silently cut the path short. */
	if (n < 0 || strlen(path) != (size_t)n) {
		free(path);
		return -1;
	}
	r->path = path;
	if (u.field_set & (1 << UF_QUERY)) {
		r->query = strndup(r->url.data + u.field_data[UF_QUERY].off,
				   u.field_data[UF_QUERY].len);
	} else {
		r->query = strdup("");
	}
	return r->query ? 0 : -1;
}

/* A trusted proxy's request names its client: logs and the per-peer cap
 * use it from now on. -1 when that client is over its cap. */
static int conn_forwarded(struct http_conn *c, struct http_request *r)
{
	struct net_addr client;

	if (!http_forwarded_client(&c->srv->trusted, http_request_header(r, "X-Forwarded-For"),
				   http_request_header(r, "X-Real-IP"), &client))
		return 0;
	c->addr = client;
	net_addr_format(&client, r->peer, sizeof r->peer);
	memcpy(c->peer, r->peer, sizeof c->peer);
	return conn_peer_cap(c) ? 0 : -1;
}

static int on_headers_complete(http_parser *p)
{
	struct http_conn *c = p->data;
	struct http_request *r = c->req;
	const char *expect;
	size_t hosts;

	c->in_headers = false;
	conn_touch(c);
	if (request_finish_headers(r) < 0)
		return parser_fail(c, 503, "out of memory");
	snprintf(r->method, sizeof r->method, "%s", http_method_str(p->method));
	r->head = p->method == HTTP_HEAD;
	if (request_split_url(r, p->method == HTTP_CONNECT) < 0)
		return parser_fail(c, 400, "malformed request target");
	/* RFC 9112 3.2: an HTTP/1.1 request without Host, or any request with
	 * two, is refused; a proxy and we could disagree on which one counts. */
	hosts = request_header_count(r, "Host");
	if (hosts > 1)
		return parser_fail(c, 400, "more than one Host header");
	if (hosts == 0 && (p->http_major > 1 || (p->http_major == 1 && p->http_minor >= 1)))
		return parser_fail(c, 400, "missing Host header");
	if (c->via_proxy && conn_forwarded(c, r) != 0)
		return parser_fail(c, 429, "too many connections from this client");
	if (!(p->flags & F_CHUNKED) && p->content_length != ULLONG_MAX &&
	    p->content_length > c->srv->opts.max_body_bytes)
		return parser_fail(c, 413, "request body too large");
	if (!(p->flags & F_CHUNKED) && p->content_length != ULLONG_MAX && p->content_length > 0 &&
	    buf_reserve(&r->body, (size_t)p->content_length) < 0)
		return parser_fail(c, 503, "out of memory");
	expect = http_request_header(r, "Expect");
	if (expect && strcasecmp(expect, "100-continue") == 0 && p->http_minor >= 1 &&
	    buf_add(&c->out, "HTTP/1.1 100 Continue\r\n\r\n", 25) < 0)
		return parser_fail(c, 503, "out of memory");
	return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
	struct http_conn *c = p->data;
	struct http_request *r = c->req;

	if (len > c->srv->opts.max_body_bytes - r->body.len)
		return parser_fail(c, 413, "request body too large");
	if (buf_add(&r->body, at, len) < 0)
		return parser_fail(c, 503, "out of memory");
	return 0;
}

static int on_message_complete(http_parser *p)
{
	struct http_conn *c = p->data;

	c->req->keep_alive = http_should_keep_alive(p) && !p->upgrade;
	/* Hold whatever follows until this one is answered. */
	http_parser_pause(p, 1);
	return 0;
}

static void parser_settings_init(void)
{
	parser_settings.on_message_begin = on_message_begin;
	parser_settings.on_url = on_url;
	parser_settings.on_header_field = on_header_field;
	parser_settings.on_header_value = on_header_value;
	parser_settings.on_headers_complete = on_headers_complete;
	parser_settings.on_body = on_body;
	parser_settings.on_message_complete = on_message_complete;
}

/* ---- request dispatch ---- */

static void conn_dispatch(struct http_conn *c)
{
	struct http_server *srv = c->srv;
	struct http_request *r = c->req;

	c->state = CONN_HANDLING;
	r->dispatched = true;
	r->next = srv->live;
	if (srv->live)
		srv->live->prev = r;
	srv->live = r;
	srv->pending++;
	srv->stats.requests++;
	conn_update_io(c);
	srv->handler(r, srv->ctx);
}

/* Parses what is buffered, dispatching complete requests one at a time. */
static void conn_process(struct http_conn *c)
{
	if (c->processing)
		return;
	c->processing = true;
	while (c->state == CONN_READING && c->in_off < c->in_len) {
		size_t n = http_parser_execute(&c->parser, &parser_settings, c->in + c->in_off,
					       c->in_len - c->in_off);
		enum http_errno err = HTTP_PARSER_ERRNO(&c->parser);

		c->in_off += n;
		/* Past the limit, the rest of an announced body is read (up to
		 * HTTP_DRAIN_MAX) after the 413: a reverse proxy still sending
		 * it would take a reset for a broken upstream (502). */
		if (c->err_status == 413 && !(c->parser.flags & F_CHUNKED) &&
		    c->parser.content_length != ULLONG_MAX)
			c->linger_max = c->parser.content_length > HTTP_DRAIN_MAX ? HTTP_DRAIN_MAX :
					(size_t)c->parser.content_length + HTTP_READ_CHUNK;
		if (c->err_status) {
			conn_refuse(c, c->err_status, c->err_status == 400 ? "bad_request" :
				    c->err_status == 413 ? "payload_too_large" :
				    c->err_status == 431 ? "headers_too_large" :
				    c->err_status == 429 ? "too_many_connections" : "unavailable",
				    c->err_msg);
			break;
		}
		if (err == HPE_PAUSED) {
			if (c->parser.upgrade) {
				/* Nothing after an Upgrade request is HTTP any more. */
				c->in_off = c->in_len;
				c->req->keep_alive = false;
			}
			conn_dispatch(c);
			continue;
		}
		if (err == HPE_HEADER_OVERFLOW) {
			conn_refuse(c, 431, "headers_too_large", "request headers too large");
			break;
		}
		if (err != HPE_OK) {
			conn_refuse(c, 400, "bad_request", http_errno_description(err));
			break;
		}
		if (n == 0) {
			/* No progress and no error (an upgrade the parser stopped at):
			 * never spin on the same bytes. */
			conn_refuse(c, 400, "bad_request", "unsupported request");
			break;
		}
	}
	if (c->state != CONN_CLOSED && c->in_off == c->in_len)
		c->in_off = c->in_len = 0;
	c->processing = false;
	if (c->state == CONN_READING && c->peer_eof && !c->req && c->out.len == c->out_off) {
		conn_close(c);
		return;
	}
	if (c->state != CONN_CLOSED)
		conn_update_io(c);
}

static void conn_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct http_conn *c = w->data;
	ssize_t n;

	/* Pipelined bytes held back while the previous request was handled. */
	if (c->state == CONN_READING && c->in_off < c->in_len) {
		conn_process(c);
		if (c->state != CONN_READING || c->in_off < c->in_len)
			return;
	}
	if (c->state == CONN_HANDLING && c->in_off < c->in_len)
		return;
	if (c->state != CONN_READING && c->state != CONN_LINGER && c->state != CONN_HANDLING)
		return;
	n = recv(c->fd, c->in, sizeof c->in, 0);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		conn_close(c);
		return;
	}
	if (c->state == CONN_HANDLING) {
		if (n == 0)
			c->peer_eof = true;
		c->in_off = 0;
		c->in_len = (size_t)n;
		conn_update_io(c);
		return;
	}
	if (c->state == CONN_LINGER) {
		c->lingered += (size_t)n;
		if (n == 0 || c->lingered > c->linger_max) {
			conn_close(c);
			return;
		}
		/* Bounded by bytes: while they come, the drain goes on. */
		c->deadline = ev_now(loop) + (c->srv->opts.idle_timeout < HTTP_LINGER_MAX ?
					      c->srv->opts.idle_timeout : HTTP_LINGER_MAX);
		return;
	}
	if (n == 0) {
		c->peer_eof = true;
		/* A half-closed peer still gets the answers already queued; a
		 * request it left unfinished can never complete. */
		if (!c->req && c->out.len > c->out_off) {
			conn_update_io(c);
			return;
		}
		conn_close(c);
		return;
	}
	if (!c->in_headers)
		conn_touch(c);
	c->in_off = 0;
	c->in_len = (size_t)n;
	conn_process(c);
}

static void conn_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct http_conn *c = w->data;

	if (conn_flush(c) < 0 || c->state == CONN_CLOSED)
		return;
	if (c->state == CONN_READING && c->in_off < c->in_len &&
	    c->out.len - c->out_off < HTTP_OUT_HIGH)
		conn_process(c);
}

static void conn_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct http_conn *c = w->data;
	ev_tstamp left;

	if (c->state == CONN_HANDLING) {
		/* The handler holds the request; the peer is not the slow one. */
		conn_touch(c);
	}
	left = c->deadline - ev_now(loop);
	/* A body dribbled a byte at a time makes progress forever: the whole
	 * request has its own bound as well. */
	if (c->state == CONN_READING && c->req && c->req_deadline - ev_now(loop) < left)
		left = c->req_deadline - ev_now(loop);
	if (left > 0) {
		w->repeat = left;
		ev_timer_again(loop, w);
		return;
	}
	if (c->state != CONN_LINGER && (c->req || c->out.len > c->out_off))
		c->srv->stats.timeouts++;
	conn_close(c);
}

static void format_addr(const struct sockaddr *sa, char *out, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";
	int port = 0;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
		port = ntohs(in->sin_port);
		snprintf(out, len, "%s:%d", host, port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
		port = ntohs(in6->sin6_port);
		snprintf(out, len, "[%s]:%d", host, port);
	} else {
		snprintf(out, len, "unknown");
	}
}

static void conn_new(struct http_server *srv, int fd, const struct sockaddr *sa)
{
	struct http_conn *c = calloc(1, sizeof *c);
	int one = 1;

	if (!c) {
		close(fd);
		return;
	}
	c->srv = srv;
	c->fd = fd;
	c->state = CONN_READING;
	c->idle_since = ev_now(srv->loop);
	format_addr(sa, c->peer, sizeof c->peer);
	if (net_addr_from_sockaddr(sa, &c->addr))
		c->via_proxy = net_trusted_has(&srv->trusted, &c->addr);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	http_parser_init(&c->parser, HTTP_REQUEST);
	c->parser.data = c;
	ev_io_init(&c->rw, conn_read_cb, fd, EV_READ);
	ev_io_init(&c->ww, conn_write_cb, fd, EV_WRITE);
	c->rw.data = c->ww.data = c;
	ev_init(&c->timer, conn_timer_cb);
	c->timer.data = c;
	c->timer.repeat = srv->opts.idle_timeout;
	conn_touch(c);
	ev_timer_again(srv->loop, &c->timer);
	c->next = srv->conns;
	if (srv->conns)
		srv->conns->prev = c;
	srv->conns = c;
	srv->stats.connections = ++srv->n_conns;
	srv->stats.accepted_conns++;
	/* A trusted proxy speaks for many clients: each is counted once its
	 * request names it. */
	if (!c->via_proxy && !conn_peer_cap(c)) {
		conn_close(c);
		return;
	}
	conn_update_io(c);
}

/* ---- shedding: room for new connections at the caps ---- */

/* Holds nothing a client waits for: no request with the handler, no
 * answer on its way out (or the answer is written and it lingers). */
static bool conn_sheddable(const struct http_conn *c)
{
	if (c->state == CONN_LINGER)
		return true;
	return c->state == CONN_READING && c->out.len == c->out_off;
}

/* One line every HTTP_REPORT_EVERY seconds at most, with the counts since
 * the last; /healthz has the totals. */
static void server_report(struct http_server *srv)
{
	ev_tstamp now = ev_now(srv->loop);

	if (!srv->opts.log || now < srv->report_at ||
	    !(srv->rep_shed || srv->rep_refused || srv->rep_emfile))
		return;
	log_warn(srv->opts.log, "listener: %" PRIu64 " idle connections shed for new ones, %"
		 PRIu64 " refused over the per-peer cap of %u, %" PRIu64 " accepts out of file "
		 "descriptors (in the last %.0f s; %u open of %u)", srv->rep_shed, srv->rep_refused,
		 srv->opts.max_conns_per_peer, srv->rep_emfile, HTTP_REPORT_EVERY, srv->n_conns,
		 srv->opts.max_connections);
	srv->rep_shed = srv->rep_refused = srv->rep_emfile = 0;
	srv->report_at = now + HTTP_REPORT_EVERY;
}

/* The least recently active sheddable connection other than `except` (of
 * client `addr` only, when given), or NULL. */
static struct http_conn *server_oldest_idle(struct http_server *srv,
					    const struct http_conn *except,
					    const struct net_addr *addr)
{
	struct http_conn *c, *oldest = NULL;

	for (c = srv->conns; c; c = c->next) {
		if (c == except || !conn_sheddable(c) || (addr && !net_addr_equal(addr, &c->addr)))
			continue;
		/* The list runs newest first: on a tie the older one goes. */
		if (!oldest || c->idle_since <= oldest->idle_since)
			oldest = c;
	}
	return oldest;
}

/* Closes that connection. true if there was one. */
static bool server_shed(struct http_server *srv, const struct http_conn *except,
			const struct net_addr *addr)
{
	struct http_conn *oldest = server_oldest_idle(srv, except, addr);

	if (!oldest)
		return false;
	conn_close(oldest);
	srv->stats.shed++;
	srv->rep_shed++;
	server_report(srv);
	return true;
}

/* c's client may hold at most max_conns_per_peer connections: its least
 * recently active idle one makes room. false when none could (the caller
 * refuses c). */
static bool conn_peer_cap(struct http_conn *c)
{
	struct http_server *srv = c->srv;
	const struct http_conn *o;
	unsigned n = 0;

	if (!c->addr.family)
		return true;
	for (o = srv->conns; o; o = o->next)
		n += net_addr_equal(&o->addr, &c->addr);
	if (n <= srv->opts.max_conns_per_peer || server_shed(srv, c, &c->addr))
		return true;
	srv->stats.peer_refused++;
	srv->rep_refused++;
	server_report(srv);
	return false;
}

/* Out of descriptors: accept with the spare one, then shed the idle
 * connection that has waited longest to keep the new one. (accept fails
 * with EMFILE before it looks at the queue, so the spare also tells
 * whether anyone is waiting.) 1 accepted, 0 nobody waiting, -1 nothing to
 * shed (back off, the rest wait in the backlog). */
static int server_accept_spare(struct http_server *srv)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	int fd;

	if (srv->spare_fd < 0 || !server_oldest_idle(srv, NULL, NULL))
		return -1;
	close(srv->spare_fd);
	fd = accept4(srv->lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd >= 0) {
		server_shed(srv, NULL, NULL);
		conn_new(srv, fd, (struct sockaddr *)&ss);
	}
	srv->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return fd >= 0 ? 1 : 0;
}

/* ---- accepting ---- */

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct http_server *srv = w->data;
	int i;

	for (i = 0; i < HTTP_ACCEPT_BURST; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		int fd;

		/* At the cap an idle connection will make room for the next
		 * one; with none, the rest wait in the kernel's backlog. */
		if (srv->n_conns >= srv->opts.max_connections &&
		    !server_oldest_idle(srv, NULL, NULL)) {
			ev_io_stop(loop, w);
			srv->accept_paused = true;
			return;
		}
		fd = accept4(srv->lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				int r = errno == EMFILE || errno == ENFILE ? server_accept_spare(srv) : -1;

				srv->stats.emfile_backoffs++;
				srv->rep_emfile++;
				server_report(srv);
				if (r > 0)
					continue;
				if (r == 0)
					break;
				ev_io_stop(loop, w);
				srv->accept_paused = true;
				srv->backoff = srv->backoff ? srv->backoff * 2 : HTTP_BACKOFF_MIN;
				if (srv->backoff > HTTP_BACKOFF_MAX)
					srv->backoff = HTTP_BACKOFF_MAX;
				ev_timer_set(&srv->backoff_w, srv->backoff, 0.);
				ev_timer_start(loop, &srv->backoff_w);
				return;
			}
			/* ECONNABORTED, EINTR, EPROTO…: that one client is gone. */
			continue;
		}
		srv->backoff = 0;
		if (srv->n_conns >= srv->opts.max_connections)
			server_shed(srv, NULL, NULL);
		conn_new(srv, fd, (struct sockaddr *)&ss);
	}
}

/* Work resumed from a commit callback (an ev_prepare) runs after the store
 * has committed for this pass; an active idle watcher makes the coming poll
 * non-blocking, so the next pass commits it at once instead of whenever
 * something else wakes the loop. */
static void nudge_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	ev_idle_stop(loop, w);
}

static void backoff_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct http_server *srv = w->data;

	server_maybe_resume_accept(srv);
}

/* ---- the server ---- */

struct http_server *http_server_new(struct ev_loop *loop, const struct http_server_opts *opts,
				    http_handler_fn handler, void *ctx)
{
	struct http_server *srv;
	char err[128];

	if (!loop || !handler)
		return NULL;
	srv = calloc(1, sizeof *srv);
	if (!srv)
		return NULL;
	if (!parser_settings.on_message_begin)
		parser_settings_init();
	srv->loop = loop;
	if (opts)
		srv->opts = *opts;
	if (!srv->opts.max_header_bytes)
		srv->opts.max_header_bytes = HTTP_DEFAULT_MAX_HEADER;
	if (!srv->opts.max_body_bytes)
		srv->opts.max_body_bytes = HTTP_DEFAULT_MAX_BODY;
	if (!srv->opts.max_connections)
		srv->opts.max_connections = HTTP_DEFAULT_MAX_CONNS;
	if (!srv->opts.max_conns_per_peer)
		srv->opts.max_conns_per_peer = srv->opts.max_connections / 4 ?
					       srv->opts.max_connections / 4 : 1;
	/* config checked the list; here a bad one only means no server. */
	if (net_trusted_parse(&srv->trusted, srv->opts.trusted_proxies, err, sizeof err) != 0) {
		free(srv);
		return NULL;
	}
	if (!(srv->opts.idle_timeout > 0))
		srv->opts.idle_timeout = HTTP_DEFAULT_IDLE;
	if (srv->opts.server_name && header_safe(srv->opts.server_name)) {
		srv->server_name = strdup(srv->opts.server_name);
		if (!srv->server_name) {
			net_trusted_free(&srv->trusted);
			free(srv);
			return NULL;
		}
	}
	srv->opts.server_name = srv->server_name;
	srv->handler = handler;
	srv->ctx = ctx;
	srv->lfd = -1;
	srv->spare_fd = -1;
	srv->accepting = true;
	ev_init(&srv->accept_w, accept_cb);
	srv->accept_w.data = srv;
	ev_init(&srv->backoff_w, backoff_cb);
	srv->backoff_w.data = srv;
	ev_prepare_init(&srv->reaper_w, reaper_cb);
	srv->reaper_w.data = srv;
	ev_idle_init(&srv->nudge_w, nudge_cb);
	return srv;
}

void http_server_free(struct http_server *srv)
{
	struct http_request *r;

	if (!srv)
		return;
	http_server_stop_accepting(srv);
	while (srv->conns)
		conn_close(srv->conns);
	reaper_cb(srv->loop, &srv->reaper_w, 0);
	ev_idle_stop(srv->loop, &srv->nudge_w);
	/* Requests still with a handler outlive us: http_respond just frees them. */
	for (r = srv->live; r; r = r->next) {
		r->srv = NULL;
		r->conn = NULL;
	}
	net_trusted_free(&srv->trusted);
	free(srv->server_name);
	free(srv);
}

static bool addr_is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		const uint8_t *b = in6->sin6_addr.s6_addr;

		if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
			return true;
		return IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && b[12] == 127;
	}
	return false;
}

int http_server_listen(struct http_server *srv, const char *host_port, char *err, size_t errlen)
{
	char host[256], port[8];
	struct addrinfo hints = { 0 }, *res = NULL, *ai;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	int fd = -1, rc, saved = 0, one = 1;

	if (srv->lfd >= 0) {
		snprintf(err, errlen, "already listening on %s", srv->address);
		return -1;
	}
	if (net_split_host_port(host_port, host, sizeof host, port, sizeof port) < 0) {
		snprintf(err, errlen, "bad listen address '%.64s': want HOST:PORT, [V6]:PORT or :PORT",
			 host_port ? host_port : "");
		return -1;
	}
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	/* ":PORT" means loopback: exposing the listener must be a deliberate choice. */
	rc = getaddrinfo(host[0] ? host : "127.0.0.1", port, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "cannot resolve '%.64s': %s", host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (ai->ai_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(err, errlen, "cannot listen on %.80s: %s", host_port, strerror(saved));
		return -1;
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
		snprintf(err, errlen, "getsockname: %s", strerror(errno));
		close(fd);
		return -1;
	}
	srv->lfd = fd;
	if (srv->spare_fd < 0)
		srv->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	format_addr((struct sockaddr *)&ss, srv->address, sizeof srv->address);
	srv->loopback = addr_is_loopback((struct sockaddr *)&ss);
	ev_io_set(&srv->accept_w, fd, EV_READ);
	srv->accepting = true;
	srv->accept_paused = false;
	ev_io_start(srv->loop, &srv->accept_w);
	return 0;
}

const char *http_server_address(const struct http_server *srv)
{
	return srv->address;
}

int http_server_port(const struct http_server *srv)
{
	const char *colon = strrchr(srv->address, ':');

	return colon ? atoi(colon + 1) : 0;
}

bool http_server_is_loopback(const struct http_server *srv)
{
	return srv->loopback;
}

void http_server_stop_accepting(struct http_server *srv)
{
	struct http_conn *c, *next;

	srv->accepting = false;
	ev_io_stop(srv->loop, &srv->accept_w);
	ev_timer_stop(srv->loop, &srv->backoff_w);
	if (srv->lfd >= 0) {
		close(srv->lfd);
		srv->lfd = -1;
	}
	if (srv->spare_fd >= 0) {
		close(srv->spare_fd);
		srv->spare_fd = -1;
	}
	/* Idle keep-alive connections would never end on their own. */
	for (c = srv->conns; c; c = next) {
		next = c->next;
		if (c->state == CONN_READING && !c->req && c->in_off == c->in_len &&
		    c->out.len == c->out_off)
			conn_close(c);
	}
}

size_t http_server_pending(const struct http_server *srv)
{
	return srv->pending;
}

unsigned http_server_connections(const struct http_server *srv)
{
	return srv->n_conns;
}

const struct http_server_stats *http_server_stats(const struct http_server *srv)
{
	return &srv->stats;
}

/* ---- the request API ---- */

const char *http_request_method(const struct http_request *req)
{
	return req->method;
}

const char *http_request_path(const struct http_request *req)
{
	return req->path ? req->path : "/";
}

const char *http_request_query(const struct http_request *req)
{
	return req->query ? req->query : "";
}

const char *http_request_header(const struct http_request *req, const char *name)
{
	size_t i;

	if (!req->headers)
		return NULL;
	for (i = 0; i < req->n_headers; i++)
		if (strcasecmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	return NULL;
}

size_t http_request_header_count(const struct http_request *req)
{
	return req->headers ? req->n_headers : 0;
}

const struct http_header *http_request_header_at(const struct http_request *req, size_t i)
{
	return req->headers && i < req->n_headers ? &req->headers[i] : NULL;
}

const char *http_request_body(const struct http_request *req, size_t *len)
{
	if (len)
		*len = req->body.len;
	return req->body.data ? req->body.data : "";
}

const char *http_request_peer(const struct http_request *req)
{
	return req->peer;
}

const struct http_server_stats *http_request_server_stats(const struct http_request *req)
{
	return req->srv ? http_server_stats(req->srv) : NULL;
}

void http_request_set_data(struct http_request *req, void *data)
{
	req->data = data;
}

void *http_request_data(const struct http_request *req)
{
	return req->data;
}

void http_respond(struct http_request *req, int status, const char *content_type,
		  const char *body, size_t len, const struct http_header *extra, size_t n_extra)
{
	struct http_conn *c = req->conn;
	struct http_server *srv = req->srv;
	bool keep;

	if (!c || !srv || c->state != CONN_HANDLING || c->req != req) {
		request_free(req);
		return;
	}
	keep = req->keep_alive && srv->accepting && !c->peer_eof;
	c->req = NULL;
	c->state = CONN_READING;
	c->idle_since = ev_now(srv->loop);
	conn_queue_response(c, status, content_type, body, len, extra, n_extra, keep, req->head);
	request_free(req);
	if (c->state == CONN_CLOSED)
		return;
	if (c->state == CONN_READING) {
		http_parser_pause(&c->parser, 0);
		conn_touch(c);
		server_maybe_resume_accept(srv);
	}
	if (conn_flush(c) < 0 || c->state != CONN_READING)
		return;
	if (c->peer_eof && c->out.len == c->out_off) {
		conn_close(c);
		return;
	}
	/* Outside conn_process (a deferred answer), resume from the loop rather
	 * than re-entering the handler from whatever callback answered. */
	if (!c->processing && c->in_off < c->in_len) {
		ev_feed_event(srv->loop, &c->rw, EV_READ);
		ev_idle_start(srv->loop, &srv->nudge_w);
	}
}

void http_respond_json(struct http_request *req, int status, const char *json,
		       const struct http_header *extra, size_t n_extra)
{
	http_respond(req, status, "application/json", json, json ? strlen(json) : 0, extra,
		     n_extra);
}

const char *http_status_text(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 402: return "Payment Required";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 411: return "Length Required";
	case 413: return "Payload Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Unknown";
	}
}

/* ---- query strings ---- */

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int http_url_decode(const char *src, size_t len, char *dst, size_t dstlen, bool form)
{
	size_t i, o = 0;

	if (!dst || dstlen == 0)
		return -1;
	for (i = 0; i < len; i++) {
		char ch = src[i];

		if (ch == '%') {
			int hi, lo;

			if (i + 2 >= len)
				return -1;
			hi = hexval(src[i + 1]);
			lo = hexval(src[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			ch = (char)(hi << 4 | lo);
			i += 2;
		} else if (form && ch == '+') {
			ch = ' ';
		}
		if (o + 1 >= dstlen)
			return -1;
		dst[o++] = ch;
	}
	dst[o] = '\0';
	return (int)o;
}

int http_query_get(const char *query, const char *key, char *buf, size_t len)
{
	const char *p = query;

	if (!query || !key)
		return 0;
	while (*p) {
		const char *amp = strchr(p, '&');
		const char *end = amp ? amp : p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p));
		const char *kend = eq ? eq : end;
		size_t klen = (size_t)(kend - p);
		char kbuf[256];

		/* A key too long for kbuf cannot be the one asked for. */
		if (klen > 0 && klen < sizeof kbuf) {
			if (http_url_decode(p, klen, kbuf, sizeof kbuf, true) < 0)
				return -1;
			if (strcmp(kbuf, key) == 0) {
				if (!eq) {
					if (len == 0)
						return -1;
					buf[0] = '\0';
					return 1;
				}
				if (http_url_decode(eq + 1, (size_t)(end - eq - 1), buf, len,
						    true) < 0)
					return -1;
				return 1;
			}
		}
		if (!amp)
			break;
		p = amp + 1;
	}
	return 0;
}
