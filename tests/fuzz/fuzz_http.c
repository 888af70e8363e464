/* The listener's request handling, end to end: the input is the byte stream
 * a client sends on one TCP connection to a real http_server on loopback,
 * driven by a real libev loop (bounded by a guard timer). Everything the
 * server does with hostile bytes is exercised: http_parser framing,
 * keep-alive and pipelining, header and body limits, the deferred answers a
 * webhook handler gives after a store commit, half-closed peers.
 *
 * Invariants: every byte the server sends back is a well-formed sequence of
 * HTTP/1.1 responses, each with a Content-Length that matches its body and
 * no control characters in its head; the server closes or keeps the
 * connection sensibly (the client sees EOF once it has half-closed), and
 * after the client is gone the server holds no connection and no request
 * (nothing leaks for an attacker to pile up).
 *
 * Each input uses a fresh client address in 127.0.0.0/8, so millions of
 * runs never exhaust loopback ports with TIME_WAIT. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/http_server.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_HTTP_MAX_BODY (64 * 1024)
#define FUZZ_HTTP_MAX_OUT (4 * 1024 * 1024)
#define FUZZ_HTTP_GUARD 5.0        /* seconds; the idle timeout below is 1 s */
#define FUZZ_HTTP_HELD 16

struct fuzz_http {
	struct ev_loop *loop;
	struct http_server *srv;
	struct sockaddr_in addr;
	uint32_t next_client;
	/* Requests answered later, as the webhook answers after a commit. */
	struct http_request *held[FUZZ_HTTP_HELD];
	size_t n_held;
	ev_idle answer_w;
	char *out;                 /* what the client read, reused */
};

struct fuzz_client {
	int fd;
	const uint8_t *data;
	size_t size, sent;
	bool shut, eof, guard_fired;
	char *out;
	size_t out_len;
	ev_io io;
	ev_timer guard;
};

static struct fuzz_http fuzz_http;

static void fuzz_answer_held(struct ev_loop *loop, ev_idle *w, int revents)
{
	for (size_t i = 0; i < fuzz_http.n_held; i++)
		http_respond(fuzz_http.held[i], 204, NULL, NULL, 0, NULL, 0);
	fuzz_http.n_held = 0;
	ev_idle_stop(loop, w);
}

/* A handler shaped like the listener's: a webhook route answered later,
 * /healthz at once, everything else 404/405, and every accessor used. */
static void fuzz_handler(struct http_request *req, void *ctx)
{
	const char *method = http_request_method(req);
	const char *path = http_request_path(req);
	const char *query = http_request_query(req);
	size_t len, n = http_request_header_count(req);
	const char *body = http_request_body(req, &len);
	char buf[256];

	fuzz_check(method && path && query && http_request_peer(req), "missing request parts");
	fuzz_check(len <= FUZZ_HTTP_MAX_BODY, "body of %zu bytes passed the limit", len);
	fuzz_check(len == 0 || body != NULL, "no body pointer for %zu bytes", len);
	for (size_t i = 0; i < n; i++) {
		const struct http_header *h = http_request_header_at(req, i);

		fuzz_check(h && h->name && h->value, "header %zu incomplete", i);
		fuzz_check(http_request_header(req, h->name) != NULL, "header %s not found", h->name);
	}
	http_query_get(query, "cursor", buf, sizeof buf);
	http_url_decode(query, strlen(query), buf, sizeof buf, true);

	if (strcmp(path, "/webhooks/mintfax") == 0) {
		if (strcmp(method, "POST") != 0) {
			http_respond_json(req, 405, "{\"error\":\"method_not_allowed\"}", NULL, 0);
		} else if (!http_request_header(req, "webhook-signature") &&
			   !http_request_header(req, "x-mintfax-signature")) {
			http_respond_json(req, 401, "{\"error\":\"missing_header\"}", NULL, 0);
		} else if (fuzz_http.n_held < FUZZ_HTTP_HELD) {
			fuzz_http.held[fuzz_http.n_held++] = req;
			ev_idle_start(fuzz_http.loop, &fuzz_http.answer_w);
		} else {
			http_respond_json(req, 503, "{\"error\":\"busy\"}", NULL, 0);
		}
	} else if (strcmp(path, "/healthz") == 0) {
		http_respond_json(req, 200, "{\"ok\":true}", NULL, 0);
	} else {
		http_respond_json(req, 404, "{\"error\":\"not_found\"}", NULL, 0);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct http_server_opts o = {
		.max_header_bytes = 16 * 1024,
		.max_body_bytes = FUZZ_HTTP_MAX_BODY,
		.max_connections = 64,
		.idle_timeout = 1.0,
		.server_name = "faxtop-fuzz",
	};
	char err[256];

	fuzz_http.loop = ev_loop_new(EVFLAG_AUTO);
	fuzz_http.srv = fuzz_http.loop ? http_server_new(fuzz_http.loop, &o, fuzz_handler, NULL)
				       : NULL;
	if (!fuzz_http.srv || http_server_listen(fuzz_http.srv, "127.0.0.1:0", err, sizeof err)) {
		fprintf(stderr, "fuzz_http: cannot listen on loopback: %s\n",
			fuzz_http.srv ? err : "no server");
		abort();
	}
	fuzz_http.addr.sin_family = AF_INET;
	fuzz_http.addr.sin_port = htons((uint16_t)http_server_port(fuzz_http.srv));
	fuzz_http.addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ev_idle_init(&fuzz_http.answer_w, fuzz_answer_held);
	return 0;
}

static void fuzz_client_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct fuzz_client *c = w->data;

	if (revents & EV_WRITE) {
		while (c->sent < c->size) {
			ssize_t n = send(c->fd, c->data + c->sent, c->size - c->sent, MSG_NOSIGNAL);

			if (n < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
					break;
				/* The server closed early (a refusal): stop sending. */
				c->sent = c->size;
				break;
			}
			c->sent += (size_t)n;
		}
		if (c->sent == c->size && !c->shut) {
			shutdown(c->fd, SHUT_WR);
			c->shut = true;
			ev_io_stop(loop, w);
			ev_io_set(w, c->fd, EV_READ);
			ev_io_start(loop, w);
		}
	}
	if (revents & EV_READ) {
		char buf[16384];
		ssize_t n = recv(c->fd, buf, sizeof buf, 0);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		if (n <= 0) {
			c->eof = true;
			ev_io_stop(loop, w);
			ev_break(loop, EVBREAK_ONE);
			return;
		}
		fuzz_check(c->out_len + (size_t)n <= FUZZ_HTTP_MAX_OUT, "server sent over 4 MiB");
		memcpy(c->out + c->out_len, buf, (size_t)n);
		c->out_len += (size_t)n;
	}
}

static void fuzz_guard_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct fuzz_client *c = w->data;

	c->guard_fired = true;
	ev_break(loop, EVBREAK_ONE);
}

/* Walks the responses: status line, header lines, Content-Length body. */
static void fuzz_check_responses(const char *out, size_t len)
{
	size_t off = 0;

	while (off < len) {
		const char *head = out + off;
		const char *end = memmem(head, len - off, "\r\n\r\n", 4);
		long clen = -1;

		fuzz_check(end != NULL, "response head not terminated");
		fuzz_check(len - off >= 12 && memcmp(head, "HTTP/1.1 ", 9) == 0 &&
				   head[9] >= '1' && head[9] <= '5',
			   "bad status line: %.40s", head);
		for (const char *p = head; p < end; p++) {
			unsigned char ch = (unsigned char)*p;

			if (ch == '\r') {
				fuzz_check(p[1] == '\n', "bare CR in the response head");
				continue;
			}
			fuzz_check(ch == '\n' ? p[-1] == '\r' : (ch >= 0x20 && ch != 0x7f),
				   "control byte 0x%02x in the response head", ch);
		}
		for (const char *p = head; p < end; p++) {
			if (p[0] == '\n' && strncasecmp(p + 1, "Content-Length:", 15) == 0) {
				fuzz_check(clen < 0, "two Content-Length headers");
				clen = strtol(p + 16, NULL, 10);
			}
		}
		off = (size_t)(end + 4 - out);
		/* 1xx, 204 and 304 carry no body (and must not claim one). */
		if (head[9] == '1' || memcmp(head + 9, "204", 3) == 0 || memcmp(head + 9, "304", 3) == 0) {
			fuzz_check(clen <= 0, "bodiless status with Content-Length %ld", clen);
			continue;
		}
		fuzz_check(clen >= 0, "response without Content-Length");
		fuzz_check((size_t)clen <= len - off, "body shorter than its Content-Length");
		off += (size_t)clen;
	}
}

static int fuzz_client_open(void)
{
	struct sockaddr_in from = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	/* 127.0.0.2 … 127.255.255.254 in turn. */
	fuzz_http.next_client = fuzz_http.next_client % 0xFFFFFC + 1;
	from.sin_addr.s_addr = htonl(0x7F000001u + fuzz_http.next_client);
	if (bind(fd, (struct sockaddr *)&from, sizeof from) != 0 ||
	    (connect(fd, (struct sockaddr *)&fuzz_http.addr, sizeof fuzz_http.addr) != 0 &&
	     errno != EINPROGRESS)) {
		close(fd);
		return -1;
	}
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ev_loop *loop = fuzz_http.loop;
	struct fuzz_client c = { .data = data, .size = size };
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	if (!loop)
		LLVMFuzzerInitialize(NULL, NULL);
	loop = fuzz_http.loop;
	c.fd = fuzz_client_open();
	fuzz_check(c.fd >= 0, "cannot connect to the server: %s", strerror(errno));
	if (!fuzz_http.out && !(fuzz_http.out = malloc(FUZZ_HTTP_MAX_OUT)))
		abort();
	c.out = fuzz_http.out;

	ev_io_init(&c.io, fuzz_client_cb, c.fd, EV_READ | EV_WRITE);
	c.io.data = &c;
	ev_io_start(loop, &c.io);
	ev_timer_init(&c.guard, fuzz_guard_cb, FUZZ_HTTP_GUARD, 0.);
	c.guard.data = &c;
	ev_timer_start(loop, &c.guard);
	while (!c.eof && !c.guard_fired)
		ev_run(loop, 0);
	fuzz_check(c.eof, "no EOF %g s after the client half-closed (%zu of %zu bytes sent)",
		   FUZZ_HTTP_GUARD, c.sent, c.size);
	ev_io_stop(loop, &c.io);
	fuzz_check_responses(c.out, c.out_len);

	/* Gone for good: the server must let go of everything it held. */
	setsockopt(c.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	close(c.fd);
	ev_timer_stop(loop, &c.guard);
	ev_timer_set(&c.guard, FUZZ_HTTP_GUARD, 0.);
	c.guard_fired = false;
	ev_timer_start(loop, &c.guard);
	while ((http_server_connections(fuzz_http.srv) > 0 || http_server_pending(fuzz_http.srv) > 0 ||
		fuzz_http.n_held > 0) && !c.guard_fired)
		ev_run(loop, EVRUN_ONCE);
	ev_timer_stop(loop, &c.guard);
	/* Let the reaper free closed connections before the next input. */
	ev_run(loop, EVRUN_NOWAIT);
	fuzz_check(http_server_connections(fuzz_http.srv) == 0, "%u connections left after close",
		   http_server_connections(fuzz_http.srv));
	fuzz_check(http_server_pending(fuzz_http.srv) == 0, "%zu requests left after close",
		   http_server_pending(fuzz_http.srv));
	return 0;
}
