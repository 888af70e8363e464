/* http_server against real sockets on loopback: the loop runs in bounded
 * steps while test clients (watched on the same loop) read the answers,
 * which are framed by http_parser in response mode. */
#include <config.h>

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <http_parser.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/http/http_proxy.h"
#include "core/http/http_server.h"
#include "tests/unit/unit.h"

#define MAX_RESP 16

struct resp {
	int status;
	char *body;
	size_t body_len;
	char conn_hdr[32];
	bool has_clen;
};

struct client {
	int fd;
	ev_io w;
	http_parser p;
	struct resp r[MAX_RESP];
	int n; /* complete responses */
	bool eof;
	bool reading;
	char field[64];
	bool in_conn_hdr;
	size_t received;
};

/* What the test handler does with a request. */
enum mode { ANSWER_NOW, HOLD };

struct fixture {
	struct ev_loop *loop;
	struct http_server *srv;
	enum mode mode;
	struct http_request *held[MAX_RESP];
	int n_held;
	int handled;
	char last_path[128];
	char last_query[128];
	char last_hdr[128];
	size_t last_body_len;
	size_t last_n_headers;
	bool last_absent_found;
	size_t big_reply; /* answer with this many bytes when > 0 */
};

static int cl_on_status(http_parser *p, const char *at, size_t len)
{
	return 0;
}

static int cl_on_header_field(http_parser *p, const char *at, size_t len)
{
	struct client *c = p->data;

	snprintf(c->field, sizeof c->field, "%.*s", (int)len, at);
	c->in_conn_hdr = strcasecmp(c->field, "Connection") == 0;
	if (strcasecmp(c->field, "Content-Length") == 0 && c->n < MAX_RESP)
		c->r[c->n].has_clen = true;
	return 0;
}

static int cl_on_header_value(http_parser *p, const char *at, size_t len)
{
	struct client *c = p->data;

	if (c->in_conn_hdr && c->n < MAX_RESP)
		snprintf(c->r[c->n].conn_hdr, sizeof c->r[c->n].conn_hdr, "%.*s", (int)len, at);
	return 0;
}

static int cl_on_body(http_parser *p, const char *at, size_t len)
{
	struct client *c = p->data;
	struct resp *r = &c->r[c->n < MAX_RESP ? c->n : MAX_RESP - 1];
	char *nb = realloc(r->body, r->body_len + len + 1);

	if (!nb)
		return -1;
	memcpy(nb + r->body_len, at, len);
	r->body = nb;
	r->body_len += len;
	r->body[r->body_len] = '\0';
	return 0;
}

static int cl_on_complete(http_parser *p)
{
	struct client *c = p->data;

	if (p->status_code == 100) {
		if (c->n < MAX_RESP)
			memset(&c->r[c->n], 0, sizeof c->r[c->n]);
		return 0;
	}
	if (c->n < MAX_RESP) {
		c->r[c->n].status = (int)p->status_code;
		c->n++;
	}
	return 0;
}

static int cl_on_headers_complete(http_parser *p)
{
	/* An answer to 100-continue is interim; a 204 has no body. */
	if (p->status_code == 100 || p->status_code == 204)
		return 1;
	return 0;
}

static http_parser_settings cl_settings = {
	.on_status = cl_on_status,
	.on_header_field = cl_on_header_field,
	.on_header_value = cl_on_header_value,
	.on_headers_complete = cl_on_headers_complete,
	.on_body = cl_on_body,
	.on_message_complete = cl_on_complete,
};

static void client_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct client *c = w->data;
	char buf[65536];
	ssize_t n = recv(c->fd, buf, sizeof buf, 0);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		c->eof = true;
		ev_io_stop(loop, w);
		return;
	}
	c->received += (size_t)n;
	http_parser_execute(&c->p, &cl_settings, buf, (size_t)n);
}

/* When set, the next IPv4 client connects from this loopback address. */
static const char *client_src;

static void client_open(struct fixture *f, struct client *c, const char *host, int family)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;
	int port = http_server_port(f->srv);

	memset(c, 0, sizeof *c);
	c->fd = socket(family, SOCK_STREAM, 0);
	CU_ASSERT_FATAL(c->fd >= 0);
	if (client_src && family == AF_INET) {
		struct sockaddr_in src = { .sin_family = AF_INET };

		inet_pton(AF_INET, client_src, &src.sin_addr);
		CU_ASSERT_FATAL(bind(c->fd, (struct sockaddr *)&src, sizeof src) == 0);
		client_src = NULL;
	}
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, host, &in->sin_addr);
		sl = sizeof *in;
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, host, &in6->sin6_addr);
		sl = sizeof *in6;
	}
	/* A loopback connect completes against the backlog without the loop. */
	CU_ASSERT_FATAL(connect(c->fd, (struct sockaddr *)&ss, sl) == 0);
	fcntl(c->fd, F_SETFL, O_NONBLOCK);
	http_parser_init(&c->p, HTTP_RESPONSE);
	c->p.data = c;
	ev_io_init(&c->w, client_cb, c->fd, EV_READ);
	c->w.data = c;
	c->reading = true;
	ev_io_start(f->loop, &c->w);
}

static void client_pause(struct fixture *f, struct client *c, bool paused)
{
	c->reading = !paused;
	if (paused)
		ev_io_stop(f->loop, &c->w);
	else if (!c->eof)
		ev_io_start(f->loop, &c->w);
}

static void client_send(struct client *c, const char *s, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = send(c->fd, s + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
}

static void client_sends(struct client *c, const char *s)
{
	client_send(c, s, strlen(s));
}

/* Opens a client over IPv4 loopback, sends `req` (then half-closes if
 * asked), and runs the loop until the handler holds the request. */
static void hold_request(struct fixture *f, struct client *c, const char *req, bool half_close)
{
	f->mode = HOLD;
	client_open(f, c, "127.0.0.1", AF_INET);
	client_sends(c, req);
	if (half_close)
		shutdown(c->fd, SHUT_WR);
	while (f->n_held == 0)
		ev_run(f->loop, EVRUN_ONCE);
}

static void client_close(struct fixture *f, struct client *c)
{
	int i;

	ev_io_stop(f->loop, &c->w);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	for (i = 0; i < MAX_RESP; i++)
		free(c->r[i].body);
	memset(c->r, 0, sizeof c->r);
}

static bool guard_fired;

static void guard_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	guard_fired = true;
}

/* Runs the loop until cond holds; the guard only bounds a broken test. */
static bool run_until(struct fixture *f, bool (*cond)(void *), void *arg)
{
	ev_timer guard;

	guard_fired = false;
	ev_timer_init(&guard, guard_cb, 60., 0.);
	ev_timer_start(f->loop, &guard);
	while (!cond(arg) && !guard_fired)
		ev_run(f->loop, EVRUN_ONCE);
	ev_timer_stop(f->loop, &guard);
	return cond(arg);
}

struct want {
	struct client *c;
	int n;
};

static bool have_n(void *arg)
{
	struct want *w = arg;

	return w->c->n >= w->n || w->c->eof;
}

static bool is_eof(void *arg)
{
	return ((struct client *)arg)->eof;
}

static bool wait_responses(struct fixture *f, struct client *c, int n)
{
	struct want w = { c, n };

	run_until(f, have_n, &w);
	return c->n >= n;
}

static void answer(struct fixture *f, struct http_request *req)
{
	char body[512];
	const char *h = http_request_header(req, "X-Test");
	size_t blen;
	const char *b = http_request_body(req, &blen);
	struct http_header extra[] = { { "X-Echo", h ? h : "-" } };

	snprintf(body, sizeof body, "%s %s?%s %zu %.*s", http_request_method(req),
		 http_request_path(req), http_request_query(req), blen,
		 (int)(blen < 64 ? blen : 64), b);
	if (f->big_reply) {
		char *big = malloc(f->big_reply);

		memset(big, 'x', f->big_reply);
		http_respond(req, 200, "text/plain", big, f->big_reply, NULL, 0);
		free(big);
		return;
	}
	if (strcmp(http_request_path(req), "/empty") == 0) {
		http_respond(req, 204, NULL, NULL, 0, NULL, 0);
		return;
	}
	http_respond(req, 200, "text/plain", body, strlen(body), extra, 1);
}

static void handler(struct http_request *req, void *ctx)
{
	struct fixture *f = ctx;
	const char *h = http_request_header(req, "X-Test");

	f->handled++;
	snprintf(f->last_path, sizeof f->last_path, "%s", http_request_path(req));
	snprintf(f->last_query, sizeof f->last_query, "%s", http_request_query(req));
	snprintf(f->last_hdr, sizeof f->last_hdr, "%s", h ? h : "");
	http_request_body(req, &f->last_body_len);
	f->last_n_headers = http_request_header_count(req);
	f->last_absent_found = http_request_header(req, "X-Absent") != NULL;
	if (f->mode == HOLD && f->n_held < MAX_RESP) {
		f->held[f->n_held++] = req;
		return;
	}
	answer(f, req);
}

static void fx_init(struct fixture *f, const struct http_server_opts *opts, const char *addr)
{
	char err[256];

	memset(f, 0, sizeof *f);
	f->loop = ev_loop_new(EVFLAG_AUTO);
	CU_ASSERT_FATAL(f->loop != NULL);
	f->srv = http_server_new(f->loop, opts, handler, f);
	CU_ASSERT_FATAL(f->srv != NULL);
	CU_ASSERT_FATAL(http_server_listen(f->srv, addr ? addr : "127.0.0.1:0", err, sizeof err) ==
			0);
}

static void fx_done(struct fixture *f)
{
	http_server_free(f->srv);
	ev_loop_destroy(f->loop);
}

/* ---- tests ---- */

static void test_basic_keepalive(void)
{
	struct fixture f;
	struct client c;

	fx_init(&f, NULL, NULL);
	CU_ASSERT(http_server_is_loopback(f.srv));
	CU_ASSERT(http_server_port(f.srv) > 0);
	CU_ASSERT(strncmp(http_server_address(f.srv), "127.0.0.1:", 10) == 0);
	client_open(&f, &c, "127.0.0.1", AF_INET);
	client_sends(&c, "GET /a%20b?x=1&y=%41 HTTP/1.1\r\nHost: t\r\nX-Test:  hello  \r\n\r\n");
	CU_ASSERT_FATAL(wait_responses(&f, &c, 1));
	CU_ASSERT_EQUAL(c.r[0].status, 200);
	CU_ASSERT_STRING_EQUAL(f.last_path, "/a b");
	CU_ASSERT_STRING_EQUAL(f.last_query, "x=1&y=%41");
	CU_ASSERT_STRING_EQUAL(f.last_hdr, "hello");
	/* An empty header value does not swallow the next header's name. */
	client_sends(&c, "GET /e HTTP/1.1\r\nX-Empty:\r\nX-Test: after\r\nHost: t\r\n\r\n");
	CU_ASSERT_FATAL(wait_responses(&f, &c, 2));
	CU_ASSERT_STRING_EQUAL(f.last_hdr, "after");
	CU_ASSERT_EQUAL(f.last_n_headers, 3);
	CU_ASSERT_STRING_EQUAL(c.r[0].body, "GET /a b?x=1&y=%41 0 ");
	/* Same connection, a POST with a body. */
	client_sends(&c, "POST /p HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello");
	CU_ASSERT_FATAL(wait_responses(&f, &c, 3));
	CU_ASSERT_EQUAL(c.r[2].status, 200);
	CU_ASSERT_STRING_EQUAL(c.r[2].body, "POST /p? 5 hello");
	CU_ASSERT_FALSE(c.eof);
	CU_ASSERT_EQUAL(http_server_stats(f.srv)->accepted_conns, 1);
	CU_ASSERT_EQUAL(http_server_stats(f.srv)->requests, 3);
	CU_ASSERT_EQUAL(http_server_connections(f.srv), 1);
	client_close(&f, &c);
	fx_done(&f);
}

static void test_pipelining_in_order(void)
{
	struct fixture f;
	struct client c;
	int i;

	fx_init(&f, NULL, NULL);
	f.mode = HOLD;
	client_open(&f, &c, "127.0.0.1", AF_INET);
	/* Three requests in one write: the server must hold the second and third
	 * until the first is answered, and answer in order. */
	client_sends(&c,
		     "GET /1 HTTP/1.1\r\nHost: t\r\n\r\n"
		     "POST /2 HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"
		     "GET /3 HTTP/1.1\r\nHost: t\r\n\r\n");
	for (i = 0; i < 3; i++) {
		struct http_request *req;

		while (f.n_held == 0 && !c.eof)
			ev_run(f.loop, EVRUN_ONCE);
		CU_ASSERT_FATAL(f.n_held == 1);
		CU_ASSERT_EQUAL(http_server_pending(f.srv), 1);
		req = f.held[0];
		f.n_held = 0;
		answer(&f, req);
		CU_ASSERT_FATAL(wait_responses(&f, &c, i + 1));
	}
	CU_ASSERT_STRING_EQUAL(c.r[0].body, "GET /1? 0 ");
	CU_ASSERT_STRING_EQUAL(c.r[1].body, "POST /2? 3 abc");
	CU_ASSERT_STRING_EQUAL(c.r[2].body, "GET /3? 0 ");
	CU_ASSERT_EQUAL(http_server_pending(f.srv), 0);
	CU_ASSERT_FALSE(c.eof);
	client_close(&f, &c);
	fx_done(&f);
}

static void test_pipelining_answered_at_once(void)
{
	struct fixture f;
	struct client c;
	char buf[4096] = "";
	int i;

	fx_init(&f, NULL, NULL);
	client_open(&f, &c, "127.0.0.1", AF_INET);
	for (i = 0; i < 10; i++) {
		char one[128];

		snprintf(one, sizeof one, "GET /%d HTTP/1.1\r\nHost: t\r\n\r\n", i);
		strcat(buf, one);
	}
	client_sends(&c, buf);
	CU_ASSERT_FATAL(wait_responses(&f, &c, 10));
	for (i = 0; i < 10; i++) {
		char want[64];

		snprintf(want, sizeof want, "GET /%d? 0 ", i);
		CU_ASSERT_STRING_EQUAL(c.r[i].body, want);
	}
	client_close(&f, &c);
	fx_done(&f);
}

static void test_body_too_large_by_length(void)
{
	struct http_server_opts o = { .max_body_bytes = 100 };
	struct fixture f;
	struct client c;

	fx_init(&f, &o, NULL);
	client_open(&f, &c, "127.0.0.1", AF_INET);
	/* Refused from the Content-Length alone: the body is never sent. */
	client_sends(&c, "POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 101\r\n\r\n");
	CU_ASSERT_FATAL(wait_responses(&f, &c, 1));
	CU_ASSERT_EQUAL(c.r[0].status, 413);
	CU_ASSERT_STRING_EQUAL(c.r[0].conn_hdr, "close");
	CU_ASSERT_PTR_NOT_NULL(strstr(c.r[0].body, "\"error\":\"payload_too_large\""));
	CU_ASSERT(run_until(&f, is_eof, &c));
	CU_ASSERT_EQUAL(f.handled, 0);
	CU_ASSERT_EQUAL(http_server_stats(f.srv)->too_large, 1);
	client_close(&f, &c);
	fx_done(&f);
}

static void test_body_too_large_chunked(void)
{
	struct http_server_opts o = { .max_body_bytes = 100 };
	struct fixture f;
	struct client c;
	char chunk[80];

	fx_init(&f, &o, NULL);
	client_open(&f, &c, "127.0.0.1", AF_INET);
	memset(chunk, 'a', sizeof chunk);
	client_sends(&c, "POST /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n50\r\n");
	client_send(&c, chunk, sizeof chunk);
	client_sends(&c, "\r\n50\r\n");
	client_send(&c, chunk, sizeof chunk);
	CU_ASSERT_FATAL(wait_responses(&f, &c, 1));
	CU_ASSERT_EQUAL(c.r[0].status, 413);
	CU_ASSERT(run_until(&f, is_eof, &c));
	CU_ASSERT_EQUAL(f.handled, 0);
	client_close(&f, &c);
	fx_done(&f);
}

static void test_body_at_limit_and_chunked(void)
{
	struct http_server_opts o = { .max_body_bytes = 100 };
	struct fixture f;
	struct client c;
	char req[512], body[101];

	fx_init(&f, &o, NULL);
	client_open(&f, &c, "127.0.0.1", AF_INET);
	memset(body, 'b', 100);
	body[100] = '\0';
	snprintf(req, sizeof req, "POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n%s",
		 body);
	client_sends(&c, req);
	CU_ASSERT_FATAL(wait_responses(&f, &c, 1));
	CU_ASSERT_EQUAL(c.r[0].status, 200);
	CU_ASSERT_EQUAL(f.last_body_len, 100);
	client_sends(&c,
		     "POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
		     "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
	CU_ASSERT_FATAL(wait_responses(&f, &c, 2));
	CU_ASSERT_STRING_EQUAL(c.r[1].body, "POST /c? 5 abcde");
	/* Trailers after a chunked body are not headers of the request. */
	client_sends(
		&c,
		"POST /t HTTP/1.1\r\nHost: t\r\nX-Test: head\r\nTransfer-Encoding: chunked\r\n\r\n"
		"2\r\nhi\r\n0\r\nX-Trailer: tail\r\nX-Test: trailer\r\n\r\n");
	CU_ASSERT_FATAL(wait_responses(&f, &c, 3));
	CU_ASSERT_STRING_EQUAL(c.r[2].body, "POST /t? 2 hi");
	CU_ASSERT_STRING_EQUAL(f.last_hdr, "head");
	CU_ASSERT_EQUAL(f.last_n_headers, 3);
	CU_ASSERT_FALSE(f.last_absent_found);
	client_close(&f, &c);
	fx_done(&f);
}

static void test_header_flood(void)
{
	struct http_server_opts o = { .max_header_bytes = 1024 };
	struct fixture f;
	struct client c, c2;
	int i;

	fx_init(&f, &o, NULL);
	client_open(&f, &c, "127.0.0.1", AF_INET);
	client_sends(&c, "GET / HTTP/1.1\r\nHost: t\r\n");
	for (i = 0; i < 200; i++)
		client_sends(&c, "X-Flood: yyyyyyyyyyyyyyyyyyyyy\r\n");
	CU_ASSERT_FATAL(wait_responses(&f, &c, 1));
	CU_ASSERT_EQUAL(c.r[0].status, 431);
	CU_ASSERT(run_until(&f, is_eof, &c));
	/* Many empty headers count too. */
	client_open(&f, &c2, "127.0.0.1", AF_INET);
	client_sends(&c2, "GET / HTTP/1.1\r\n");
	for (i = 0; i < 150; i++)
		client_sends(&c2, "A:\r\n");
	client_sends(&c2, "\r\n");
	CU_ASSERT_FATAL(wait_responses(&f, &c2, 1));
	CU_ASSERT_EQUAL(c2.r[0].status, 431);
	CU_ASSERT_EQUAL(f.handled, 0);
	client_close(&f, &c);
	client_close(&f, &c2);
	fx_done(&f);
}

static void test_bad_requests(void)
{
	static const char *const bad[] = {
		"GARBAGE\r\n\r\n",
		"GET / HTTP/1.1\r\nBad Header\r\n\r\n",
		"GET /%zz HTTP/1.1\r\nHost: t\r\n\r\n",
		"GET /a%00b HTTP/1.1\r\nHost: t\r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
		"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
	};
	struct fixture f;
	size_t i;

	fx_init(&f, NULL, NULL);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct client c;

		client_open(&f, &c, "127.0.0.1", AF_INET);
		client_sends(&c, bad[i]);
		CU_ASSERT_FATAL(wait_responses(&f, &c, 1));
		CU_ASSERT_EQUAL(c.r[0].status, 400);
		CU_ASSERT(c.r[0].body && strstr(c.r[0].body, "\"error\":\"bad_request\"") != NULL);
		CU_ASSERT(run_until(&f, is_eof, &c));
		client_close(&f, &c);
	}
	CU_ASSERT_EQUAL(f.handled, 0);
	CU_ASSERT_EQUAL(http_server_stats(f.srv)->bad_requests, sizeof bad / sizeof bad[0]);
	fx_done(&f);
}

static void test_slow_client_timed_out(void)
{
	struct http_server_opts o = { .idle_timeout = 0.2 };
	struct fixture f;
	struct client slow, idle, ok;

	fx_init(&f, &o, NULL);
	client_open(&f, &slow, "127.0.0.1", AF_INET);
	client_open(&f, &idle, "127.0.0.1", AF_INET);
	client_sends(&slow, "GET / HTTP/1.1\r\nHost:");
	/* Others are served while the slow one hangs. */
	client_open(&f, &ok, "127.0.0.1", AF_INET);
	client_sends(&ok, "GET /ok HTTP/1.1\r\nHost: t\r\n\r\n");
	CU_ASSERT_FATAL(wait_responses(&f, &ok, 1));
	CU_ASSERT_EQUAL(ok.r[0].status, 200);
	CU_ASSERT(run_until(&f, is_eof, &slow));
	CU_ASSERT(run_until(&f, is_eof, &idle));
	CU_ASSERT_EQUAL(slow.n, 0);
	CU_ASSERT(http_server_stats(f.srv)->timeouts >= 1);
	client_close(&f, &slow);
	client_close(&f, &idle);
	client_close(&f, &ok);
	fx_done(&f);
}

static void test_orphaned_request(void)
{
	struct fixture f;
	struct client c, c2;
	struct linger lg = { 1, 0 };

	fx_init(&f, NULL, NULL);
	hold_request(&f, &c, "POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi", false);
	/* The peer resets the connection while the handler holds its request. */
	setsockopt(c.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	client_close(&f, &c);
	f.mode = ANSWER_NOW;
	while (http_server_connections(f.srv) > 0)
		ev_run(f.loop, EVRUN_ONCE);
	CU_ASSERT_EQUAL(http_server_pending(f.srv), 1);
	/* The server goes on serving others. */
	client_open(&f, &c2, "127.0.0.1", AF_INET);
	client_sends(&c2, "GET / HTTP/1.1\r\nHost: t\r\n\r\n");
	CU_ASSERT_FATAL(wait_responses(&f, &c2, 1));
	/* Answering the orphan just frees it. */
	http_respond(f.held[0], 204, NULL, NULL, 0, NULL, 0);
	f.n_held = 0;
	CU_ASSERT_EQUAL(http_server_pending(f.srv), 0);
	client_close(&f, &c2);
	fx_done(&f);
}

static void test_half_close_still_answered(void)
{
	struct fixture f;
	struct client c;

	fx_init(&f, NULL, NULL);
	hold_request(&f, &c, "GET /h HTTP/1.1\r\nHost: t\r\n\r\n", true);
	for (int i = 0; i < 10; i++)
		ev_run(f.loop, EVRUN_NOWAIT);
	answer(&f, f.held[0]);
	f.n_held = 0;
	CU_ASSERT_FATAL(wait_responses(&f, &c, 1));
	CU_ASSERT_EQUAL(c.r[0].status, 200);
	CU_ASSERT_STRING_EQUAL(c.r[0].conn_hdr, "close");
	CU_ASSERT(run_until(&f, is_eof, &c));
	client_close(&f, &c);
	fx_done(&f);
}

static void test_request_outlives_server(void)
{
	struct fixture f;
	struct client c;

	fx_init(&f, NULL, NULL);
	hold_request(&f, &c, "GET / HTTP/1.1\r\nHost: t\r\n\r\n", false);
	http_server_free(f.srv);
	http_respond(f.held[0], 200, NULL, "x", 1, NULL, 0);
	client_close(&f, &c);
	ev_loop_destroy(f.loop);
}

static bool big_done(void *arg)
{
	struct client *c = arg;

	return c->n >= 1 || c->eof;
}

static void test_partial_writes(void)
{
	struct fixture f;
	struct client c;
	size_t big = 4 * 1024 * 1024;
	int i;

	fx_init(&f, NULL, NULL);
	f.big_reply = big;
	client_open(&f, &c, "127.0.0.1", AF_INET);
	client_pause(&f, &c, true);
	client_sends(&c, "GET /big HTTP/1.1\r\nHost: t\r\n\r\n");
	/* The client reads nothing: the server fills the socket and waits. */
	for (i = 0; i < 20; i++)
		ev_run(f.loop, EVRUN_NOWAIT);
	CU_ASSERT_EQUAL(f.handled, 1);
	CU_ASSERT_EQUAL(c.received, 0);
	client_pause(&f, &c, false);
	CU_ASSERT_FATAL(run_until(&f, big_done, &c));
	CU_ASSERT_EQUAL(c.r[0].status, 200);
	CU_ASSERT_EQUAL(c.r[0].body_len, big);
	f.big_reply = 0;
	client_sends(&c, "GET /after HTTP/1.1\r\nHost: t\r\n\r\n");
	CU_ASSERT_FATAL(wait_responses(&f, &c, 2));
	CU_ASSERT_STRING_EQUAL(c.r[1].body, "GET /after? 0 ");
	client_close(&f, &c);
	fx_done(&f);
}

static bool two_held(void *arg)
{
	return ((struct fixture *)arg)->n_held == 2;
}

static void test_connection_limit(void)
{
	struct http_server_opts o = { .max_connections = 2, .max_conns_per_peer = 2 };
	struct fixture f;
	struct client c[3];
	int i;

	/* Idle keep-alive connections at the cap: the one idle the longest
	 * is shed for the newcomer. */
	fx_init(&f, &o, NULL);
	for (i = 0; i < 2; i++) {
		client_open(&f, &c[i], "127.0.0.1", AF_INET);
		client_sends(&c[i], "GET / HTTP/1.1\r\nHost: t\r\n\r\n");
		CU_ASSERT_FATAL(wait_responses(&f, &c[i], 1));
	}
	client_open(&f, &c[2], "127.0.0.1", AF_INET);
	client_sends(&c[2], "GET / HTTP/1.1\r\nHost: t\r\n\r\n");
	CU_ASSERT_FATAL(wait_responses(&f, &c[2], 1));
	CU_ASSERT_EQUAL(c[2].r[0].status, 200);
	CU_ASSERT(run_until(&f, is_eof, &c[0]));
	CU_ASSERT_FALSE(c[1].eof);
	CU_ASSERT_EQUAL(http_server_stats(f.srv)->shed, 1);
	CU_ASSERT_EQUAL(http_server_connections(f.srv), 2);
	for (i = 0; i < 3; i++)
		client_close(&f, &c[i]);
	fx_done(&f);

	/* Both held by the handler: nothing can be shed, the third waits in
	 * the backlog. */
	fx_init(&f, &o, NULL);
	f.mode = HOLD;
	for (i = 0; i < 2; i++) {
		client_open(&f, &c[i], "127.0.0.1", AF_INET);
		client_sends(&c[i], "GET / HTTP/1.1\r\nHost: t\r\n\r\n");
	}
	CU_ASSERT_FATAL(run_until(&f, two_held, &f));
	client_open(&f, &c[2], "127.0.0.1", AF_INET);
	client_sends(&c[2], "GET / HTTP/1.1\r\nHost: t\r\n\r\n");
	for (i = 0; i < 20; i++)
		ev_run(f.loop, EVRUN_NOWAIT);
	CU_ASSERT_EQUAL(c[2].n, 0);
	CU_ASSERT_EQUAL(http_server_connections(f.srv), 2);
	CU_ASSERT_EQUAL(http_server_stats(f.srv)->shed, 0);
	for (i = 0; i < 2; i++)
		http_respond(f.held[i], 204, NULL, NULL, 0, NULL, 0);
	for (i = 0; i < 3; i++)
		client_close(&f, &c[i]);
	fx_done(&f);
}

/* One client may hold max_conns_per_peer connections: its oldest idle one
 * makes room for its next; others are not touched. */
static void test_per_peer_cap(void)
{
	struct http_server_opts o = { .max_conns_per_peer = 2 };
	struct fixture f;
	struct client c[3], other;
	int i;

	fx_init(&f, &o, NULL);
	client_src = "127.0.0.2";
	client_open(&f, &other, "127.0.0.1", AF_INET);
	for (i = 0; i < 3; i++)
		client_open(&f, &c[i], "127.0.0.1", AF_INET);
	CU_ASSERT(run_until(&f, is_eof, &c[0]));
	CU_ASSERT_EQUAL(http_server_stats(f.srv)->shed, 1);
	client_sends(&c[2], "GET /newest HTTP/1.1\r\nHost: t\r\n\r\n");
	CU_ASSERT_FATAL(wait_responses(&f, &c[2], 1));
	client_sends(&other, "GET /other HTTP/1.1\r\nHost: t\r\n\r\n");
	CU_ASSERT_FATAL(wait_responses(&f, &other, 1));
	CU_ASSERT_EQUAL(other.r[0].status, 200);
	CU_ASSERT_FALSE(other.eof);
	for (i = 0; i < 3; i++)
		client_close(&f, &c[i]);
	client_close(&f, &other);
	fx_done(&f);
}

static void test_http10_head_204_close(void)
{
	struct fixture f;
	struct client c, c2, c3;

	fx_init(&f, NULL, NULL);
	client_open(&f, &c, "127.0.0.1", AF_INET);
	client_sends(&c, "GET /x HTTP/1.0\r\n\r\n");
	CU_ASSERT_FATAL(wait_responses(&f, &c, 1));
	CU_ASSERT_EQUAL(c.r[0].status, 200);
	CU_ASSERT(run_until(&f, is_eof, &c));
	client_open(&f, &c2, "127.0.0.1", AF_INET);
	client_sends(&c2, "GET /empty HTTP/1.1\r\nHost: t\r\n\r\n");
	CU_ASSERT_FATAL(wait_responses(&f, &c2, 1));
	CU_ASSERT_EQUAL(c2.r[0].status, 204);
	CU_ASSERT_FALSE(c2.r[0].has_clen);
	client_sends(&c2, "GET /last HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
	CU_ASSERT_FATAL(wait_responses(&f, &c2, 2));
	CU_ASSERT_STRING_EQUAL(c2.r[1].conn_hdr, "close");
	CU_ASSERT(run_until(&f, is_eof, &c2));
	client_open(&f, &c3, "127.0.0.1", AF_INET);
	client_sends(
		&c3,
		"POST /e HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n");
	for (int i = 0; i < 10; i++)
		ev_run(f.loop, EVRUN_NOWAIT);
	client_sends(&c3, "ok");
	CU_ASSERT_FATAL(wait_responses(&f, &c3, 1));
	CU_ASSERT_EQUAL(c3.r[0].status, 200);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c3.r[0].body);
	CU_ASSERT_STRING_EQUAL(c3.r[0].body, "POST /e? 2 ok");
	client_close(&f, &c);
	client_close(&f, &c2);
	client_close(&f, &c3);
	fx_done(&f);
}

static void test_ipv6(void)
{
	struct fixture f;
	struct client c;
	char err[256];
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct http_server *probe = http_server_new(loop, NULL, handler, NULL);
	int ok = http_server_listen(probe, "[::1]:0", err, sizeof err);

	http_server_free(probe);
	ev_loop_destroy(loop);
	if (ok != 0)
		return; /* no IPv6 loopback in this sandbox */
	fx_init(&f, NULL, "[::1]:0");
	CU_ASSERT(strncmp(http_server_address(f.srv), "[::1]:", 6) == 0);
	CU_ASSERT(http_server_is_loopback(f.srv));
	client_open(&f, &c, "::1", AF_INET6);
	client_sends(&c, "GET /v6 HTTP/1.1\r\nHost: t\r\n\r\n");
	CU_ASSERT_FATAL(wait_responses(&f, &c, 1));
	CU_ASSERT_EQUAL(c.r[0].status, 200);
	client_close(&f, &c);
	fx_done(&f);
}

static void test_listen_addresses(void)
{
	static const char *const bad[] = { "",       "127.0.0.1", "127.0.0.1:",      "127.0.0.1:x",
					   "::1:80", "[::1]80",   "127.0.0.1:70000", "[]:1" };
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	char err[256];
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct http_server *s = http_server_new(loop, NULL, handler, NULL);

		err[0] = '\0';
		CU_ASSERT_EQUAL(http_server_listen(s, bad[i], err, sizeof err), -1);
		CU_ASSERT(err[0] != '\0');
		http_server_free(s);
	}
	{
		struct http_server *s = http_server_new(loop, NULL, handler, NULL);

		CU_ASSERT_EQUAL(http_server_listen(s, ":0", err, sizeof err), 0);
		CU_ASSERT(http_server_is_loopback(s));
		http_server_free(s);
	}
	{
		struct http_server *s = http_server_new(loop, NULL, handler, NULL);

		CU_ASSERT_EQUAL(http_server_listen(s, "0.0.0.0:0", err, sizeof err), 0);
		CU_ASSERT_FALSE(http_server_is_loopback(s));
		http_server_free(s);
	}
	ev_loop_destroy(loop);
}

static void test_stop_accepting(void)
{
	struct fixture f;
	struct client c;

	fx_init(&f, NULL, NULL);
	hold_request(&f, &c, "GET / HTTP/1.1\r\nHost: t\r\n\r\n", false);
	http_server_stop_accepting(f.srv);
	/* The request in flight is still answered, then the connection ends. */
	answer(&f, f.held[0]);
	CU_ASSERT_FATAL(wait_responses(&f, &c, 1));
	CU_ASSERT_EQUAL(c.r[0].status, 200);
	CU_ASSERT_STRING_EQUAL(c.r[0].conn_hdr, "close");
	CU_ASSERT(run_until(&f, is_eof, &c));
	client_close(&f, &c);
	fx_done(&f);
}

static void test_url_helpers(void)
{
	char buf[32];

	CU_ASSERT_EQUAL(http_url_decode("a%20b+c", 7, buf, sizeof buf, false), 5);
	CU_ASSERT_STRING_EQUAL(buf, "a b+c");
	CU_ASSERT_EQUAL(http_url_decode("a%20b+c", 7, buf, sizeof buf, true), 5);
	CU_ASSERT_STRING_EQUAL(buf, "a b c");
	CU_ASSERT_EQUAL(http_url_decode("%4", 2, buf, sizeof buf, false), -1);
	CU_ASSERT_EQUAL(http_url_decode("%", 1, buf, sizeof buf, false), -1);
	CU_ASSERT_EQUAL(http_url_decode("%g0", 3, buf, sizeof buf, false), -1);
	CU_ASSERT_EQUAL(http_url_decode("abcdef", 6, buf, 4, false), -1);
	CU_ASSERT_EQUAL(http_query_get("a=1&cursor=evt_%41&b", "cursor", buf, sizeof buf), 1);
	CU_ASSERT_STRING_EQUAL(buf, "evt_A");
	CU_ASSERT_EQUAL(http_query_get("a=1&b", "b", buf, sizeof buf), 1);
	CU_ASSERT_STRING_EQUAL(buf, "");
	CU_ASSERT_EQUAL(http_query_get("a=1", "z", buf, sizeof buf), 0);
	CU_ASSERT_EQUAL(http_query_get("", "z", buf, sizeof buf), 0);
	CU_ASSERT_EQUAL(http_query_get("z=%zz", "z", buf, sizeof buf), -1);
	CU_ASSERT_EQUAL(
		http_query_get("z=0123456789012345678901234567890123456789", "z", buf, sizeof buf),
		-1);
	CU_ASSERT_STRING_EQUAL(http_status_text(413), "Payload Too Large");
	CU_ASSERT_STRING_EQUAL(http_status_text(431), "Request Header Fields Too Large");
}

static bool slow_body_done(void *arg)
{
	struct client *c = arg;

	return c->eof;
}

/* One body byte per tick until cut off: per loop pass, a fast machine
 * could send the whole body before the request's deadline. */
static void tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct client *c = w->data;

	if (!c->eof)
		send(c->fd, "x", 1, MSG_NOSIGNAL);
}

static void test_slow_body_bounded(void)
{
	struct http_server_opts o = { .idle_timeout = 0.1 };
	struct fixture f;
	struct client c;
	ev_timer tick;

	fx_init(&f, &o, NULL);
	client_open(&f, &c, "127.0.0.1", AF_INET);
	client_sends(&c, "POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n");
	/* A ticking timer keeps the loop turning so the client keeps sending a
	 * byte every 10 ms, well inside the idle timeout: progress on the body
	 * never lets the request run forever. */
	ev_timer_init(&tick, tick_cb, 0.01, 0.01);
	tick.data = &c;
	ev_timer_start(f.loop, &tick);
	CU_ASSERT(run_until(&f, slow_body_done, &c));
	ev_timer_stop(f.loop, &tick);
	CU_ASSERT_EQUAL(f.handled, 0);
	CU_ASSERT(http_server_stats(f.srv)->timeouts >= 1);
	client_close(&f, &c);
	fx_done(&f);
}

/* The lowest free descriptor: what the next accept would get. */
static int lowest_free_fd(void)
{
	int fd = dup(0);

	if (fd >= 0)
		close(fd);
	return fd;
}

static bool backed_off(void *arg)
{
	return http_server_stats(arg)->emfile_backoffs > 0;
}

static void test_emfile_backoff(void)
{
	struct fixture f;
	struct client c1, c2;
	struct rlimit old, lim;

	fx_init(&f, NULL, NULL);
	CU_ASSERT_FATAL(getrlimit(RLIMIT_NOFILE, &old) == 0);
	client_open(&f, &c1, "127.0.0.1", AF_INET);
	client_open(&f, &c2, "127.0.0.1", AF_INET);
	client_sends(&c2, "GET /after-emfile HTTP/1.1\r\nHost: t\r\n\r\n");
	/* No descriptor left below the limit: the server's accept hits EMFILE. */
	lim = old;
	lim.rlim_cur = (rlim_t)lowest_free_fd();
	CU_ASSERT_FATAL(setrlimit(RLIMIT_NOFILE, &lim) == 0);
	CU_ASSERT(run_until(&f, backed_off, f.srv));
	CU_ASSERT_EQUAL(http_server_connections(f.srv), 0);
	/* A descriptor frees up: the backoff timer retries and all is served. */
	client_close(&f, &c1);
	CU_ASSERT(wait_responses(&f, &c2, 1));
	CU_ASSERT_EQUAL(c2.r[0].status, 200);
	setrlimit(RLIMIT_NOFILE, &old);
	client_close(&f, &c2);
	fx_done(&f);
}

static void test_byte_at_a_time(void)
{
	struct fixture f;
	struct client c;
	const char *req = "POST /bytes?q=1 HTTP/1.1\r\nHost: t\r\nX-Test: split\r\n"
			  "Content-Length: 4\r\n\r\nabcd";
	size_t i;

	fx_init(&f, NULL, NULL);
	client_open(&f, &c, "127.0.0.1", AF_INET);
	for (i = 0; req[i]; i++) {
		client_send(&c, req + i, 1);
		ev_run(f.loop, EVRUN_NOWAIT);
	}
	CU_ASSERT_FATAL(wait_responses(&f, &c, 1));
	CU_ASSERT_EQUAL(c.r[0].status, 200);
	CU_ASSERT_STRING_EQUAL(c.r[0].body, "POST /bytes?q=1 4 abcd");
	CU_ASSERT_STRING_EQUAL(f.last_hdr, "split");
	client_close(&f, &c);
	fx_done(&f);
}

static void test_pipelined_while_held(void)
{
	struct fixture f;
	struct client c;
	int i;

	fx_init(&f, NULL, NULL);
	hold_request(&f, &c, "GET /first HTTP/1.1\r\nHost: t\r\n\r\n", false);
	/* The next request arrives while the first is held: it is read but
	 * not handed over until the first is answered. */
	client_sends(&c, "GET /second HTTP/1.1\r\nHost: t\r\n\r\n");
	for (i = 0; i < 20; i++)
		ev_run(f.loop, EVRUN_NOWAIT);
	CU_ASSERT_EQUAL(f.n_held, 1);
	CU_ASSERT_EQUAL(f.handled, 1);
	f.mode = ANSWER_NOW;
	answer(&f, f.held[0]);
	f.n_held = 0;
	CU_ASSERT_FATAL(wait_responses(&f, &c, 2));
	CU_ASSERT_STRING_EQUAL(c.r[0].body, "GET /first? 0 ");
	CU_ASSERT_STRING_EQUAL(c.r[1].body, "GET /second? 0 ");
	CU_ASSERT_EQUAL(f.handled, 2);
	client_close(&f, &c);
	fx_done(&f);
}

static void test_half_close_large_answer(void)
{
	struct fixture f;
	struct client c;
	size_t big = 4 * 1024 * 1024;

	fx_init(&f, NULL, NULL);
	f.big_reply = big;
	client_open(&f, &c, "127.0.0.1", AF_INET);
	client_pause(&f, &c, true);
	client_sends(&c, "GET /big HTTP/1.1\r\nHost: t\r\n\r\n");
	/* The peer is done sending before the answer has left. */
	shutdown(c.fd, SHUT_WR);
	for (int i = 0; i < 20; i++)
		ev_run(f.loop, EVRUN_NOWAIT);
	client_pause(&f, &c, false);
	CU_ASSERT_FATAL(run_until(&f, big_done, &c));
	CU_ASSERT_EQUAL(c.r[0].status, 200);
	CU_ASSERT_EQUAL(c.r[0].body_len, big);
	CU_ASSERT(run_until(&f, is_eof, &c));
	client_close(&f, &c);
	fx_done(&f);
}

/* Trusted proxies: CIDR lists, and the client X-Forwarded-For names. */
static void test_forwarded_client(void)
{
	struct net_trusted t;
	struct net_addr a;
	char err[128], text[64];

	CU_ASSERT_EQUAL(net_trusted_parse(&t, "10.0.0.0/8, 127.0.0.1 ::1/128", err, sizeof err), 0);
	CU_ASSERT_EQUAL(t.n, 3);
	CU_ASSERT(net_addr_parse("10.200.1.1", 10, &a) && net_trusted_has(&t, &a));
	CU_ASSERT(net_addr_parse("11.0.0.1", 8, &a) && !net_trusted_has(&t, &a));
	CU_ASSERT(net_addr_parse("::ffff:127.0.0.1", 16, &a) && net_trusted_has(&t, &a));
	CU_ASSERT(net_addr_parse("[::1]", 5, &a) && net_trusted_has(&t, &a));
	/* Read from the right, past our own proxies. */
	CU_ASSERT(http_forwarded_client(&t, "198.51.100.7, 203.0.113.9, 10.1.1.1", NULL, &a));
	net_addr_format(&a, text, sizeof text);
	CU_ASSERT_STRING_EQUAL(text, "203.0.113.9");
	/* Garbage ends the walk; X-Real-IP when there is no list. */
	CU_ASSERT(http_forwarded_client(&t, "junk, 192.0.2.1", NULL, &a));
	net_addr_format(&a, text, sizeof text);
	CU_ASSERT_STRING_EQUAL(text, "192.0.2.1");
	CU_ASSERT(http_forwarded_client(&t, NULL, " 2001:db8::5 ", &a));
	net_addr_format(&a, text, sizeof text);
	CU_ASSERT_STRING_EQUAL(text, "2001:db8::5");
	CU_ASSERT(!http_forwarded_client(&t, "nonsense", "also nonsense", &a));
	net_trusted_free(&t);
	CU_ASSERT_EQUAL(net_trusted_parse(&t, "10.0.0.0/33", err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "10.0.0.0/33"));
	CU_ASSERT_EQUAL(net_trusted_parse(&t, "example.com", err, sizeof err), -1);
	CU_ASSERT_EQUAL(net_trusted_parse(&t, NULL, err, sizeof err), 0);
	CU_ASSERT_EQUAL(t.n, 0);
}

/* --listen's syntax, shared by the configuration and the listener. */
static void test_split_host_port(void)
{
	char host[16], port[8];

	CU_ASSERT_EQUAL(net_split_host_port("127.0.0.1:8080", host, sizeof host, port, sizeof port),
			0);
	CU_ASSERT_STRING_EQUAL(host, "127.0.0.1");
	CU_ASSERT_STRING_EQUAL(port, "8080");
	CU_ASSERT_EQUAL(net_split_host_port("[::1]:0", host, sizeof host, port, sizeof port), 0);
	CU_ASSERT_STRING_EQUAL(host, "::1");
	CU_ASSERT_STRING_EQUAL(port, "0");
	CU_ASSERT_EQUAL(net_split_host_port(":65535", host, sizeof host, port, sizeof port), 0);
	CU_ASSERT_STRING_EQUAL(host, "");
	/* Refused: a port past 65535, none, a bare IPv6 address, a host that
	 * does not fit, no brackets' colon, no input. */
	CU_ASSERT_EQUAL(net_split_host_port(":65536", host, sizeof host, port, sizeof port), -1);
	CU_ASSERT_EQUAL(net_split_host_port("localhost:", host, sizeof host, port, sizeof port),
			-1);
	CU_ASSERT_EQUAL(net_split_host_port("::1:80", host, sizeof host, port, sizeof port), -1);
	CU_ASSERT_EQUAL(net_split_host_port("a-very-long-host-name:80", host, sizeof host, port,
					    sizeof port),
			-1);
	CU_ASSERT_EQUAL(net_split_host_port("[::1]80", host, sizeof host, port, sizeof port), -1);
	CU_ASSERT_EQUAL(net_split_host_port(":8x", host, sizeof host, port, sizeof port), -1);
	CU_ASSERT_EQUAL(net_split_host_port(NULL, host, sizeof host, port, sizeof port), -1);
}

static const struct unit_test tests[] = {
	{ "GET and POST on one keep-alive connection", test_basic_keepalive },
	{ "pipelined requests held and answered in order", test_pipelining_in_order },
	{ "pipelined requests answered at once", test_pipelining_answered_at_once },
	{ "413 from Content-Length", test_body_too_large_by_length },
	{ "413 from a chunked body", test_body_too_large_chunked },
	{ "body at the limit; chunked body", test_body_at_limit_and_chunked },
	{ "431 on a header flood", test_header_flood },
	{ "400 on malformed requests", test_bad_requests },
	{ "slow and idle clients timed out, others served", test_slow_client_timed_out },
	{ "answering an orphaned request frees it", test_orphaned_request },
	{ "a half-closed peer still gets its answer", test_half_close_still_answered },
	{ "a held request outlives the server", test_request_outlives_server },
	{ "partial writes to a client that reads late", test_partial_writes },
	{ "max_connections: an idle one is shed, else the rest wait", test_connection_limit },
	{ "a per-peer cap sheds that peer's oldest idle connection", test_per_peer_cap },
	{ "trusted proxies and the client they name", test_forwarded_client },
	{ "HTTP/1.0, 204, Connection: close, Expect", test_http10_head_204_close },
	{ "IPv6 loopback", test_ipv6 },
	{ "listen address parsing", test_listen_addresses },
	{ "stop_accepting finishes requests in flight", test_stop_accepting },
	{ "url decoding and query strings", test_url_helpers },
	{ "a dribbled body does not keep a request alive", test_slow_body_bounded },
	{ "EMFILE on accept backs off, then recovers", test_emfile_backoff },
	{ "a request sent a byte at a time", test_byte_at_a_time },
	{ "a half-closed peer gets all of a large answer", test_half_close_large_answer },
	{ "a request arriving while the previous is held waits", test_pipelined_while_held },
	{ "HOST:PORT, [V6]:PORT and :PORT split and checked", test_split_host_port },
	{ 0 }
};

UNIT_SUITE(http_server, NULL, NULL, tests);
