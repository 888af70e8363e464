/* See test_peer.h. Test-only code: simple, bounded buffers, no parser
 * library, because the client under test must not be checked by the same
 * code it relies on. */
#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/unit/test_peer.h"

struct peer_resp {
	int status;
	char *headers;
	char *body;
	char method[16];
	char prefix[256];
};

struct peer_conn {
	ev_io io;
	struct peer *p;
	unsigned id;
	char *buf;
	size_t len, cap;
	struct peer_conn *next;
};

struct peer {
	struct ev_loop *loop;
	int lfd;
	int port;
	ev_io accept_io;
	struct peer_conn *conns;
	unsigned n_conns;
	struct peer_resp *queue;
	size_t n_queue, q_head;
	struct peer_resp *routes;
	size_t n_routes;
	struct peer_resp def;
	int drop;
	struct peer_request *reqs;
	size_t n_reqs;
	char url[128];
};

static void conn_close(struct peer_conn *c)
{
	struct peer *p = c->p;
	struct peer_conn **pp;

	for (pp = &p->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	ev_io_stop(p->loop, &c->io);
	close(c->io.fd);
	free(c->buf);
	free(c);
}

static const char *reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 204:
		return "No Content";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 402:
		return "Payment Required";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 409:
		return "Conflict";
	case 422:
		return "Unprocessable Entity";
	case 429:
		return "Too Many Requests";
	case 500:
		return "Internal Server Error";
	case 503:
		return "Service Unavailable";
	default:
		return "Status";
	}
}

static const struct peer_resp *pick(struct peer *p, const struct peer_request *r)
{
	for (size_t i = 0; i < p->n_routes; i++) {
		const struct peer_resp *rt = &p->routes[i];
		if ((!rt->method[0] || !strcmp(rt->method, r->method)) &&
		    !strncmp(r->path, rt->prefix, strlen(rt->prefix)))
			return rt;
	}
	if (p->q_head < p->n_queue)
		return &p->queue[p->q_head++];
	return &p->def;
}

static void answer(struct peer_conn *c, const struct peer_resp *rs)
{
	const char *body = rs->body ? rs->body : "";
	size_t blen = strlen(body);
	size_t cap = 512 + blen + (rs->headers ? strlen(rs->headers) : 0);
	char *out = malloc(cap);
	int n = snprintf(out, cap, "HTTP/1.1 %d %s\r\nContent-Length: %zu\r\n%s%s\r\n", rs->status,
			 reason(rs->status), blen, blen ? "Content-Type: application/json\r\n" : "",
			 rs->headers ? rs->headers : "");
	memcpy(out + n, body, blen);
	size_t total = (size_t)n + blen, off = 0;
	/* Small answers on loopback: a short blocking loop is fine in a test. */
	int fl = fcntl(c->io.fd, F_GETFL);
	fcntl(c->io.fd, F_SETFL, fl & ~O_NONBLOCK);
	while (off < total) {
		ssize_t w = write(c->io.fd, out + off, total - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	fcntl(c->io.fd, F_SETFL, fl);
	free(out);
}

static size_t content_length(const char *hdrs, size_t hlen)
{
	const char *h = hdrs;
	while (h && h < hdrs + hlen) {
		if (!strncasecmp(h, "Content-Length:", 15))
			return strtoul(h + 15, NULL, 10);
		h = strstr(h, "\r\n");
		if (h)
			h += 2;
	}
	return 0;
}

/* Handles every complete request in the buffer; false when c was closed. */
static bool conn_process(struct peer_conn *c)
{
	struct peer *p = c->p;

	for (;;) {
		if (!c->len)
			return true;
		c->buf[c->len] = '\0';
		char *end = strstr(c->buf, "\r\n\r\n");
		if (!end)
			return true;
		size_t hlen = (size_t)(end - c->buf) + 4;
		size_t clen = content_length(c->buf, hlen);
		if (c->len < hlen + clen)
			return true;

		if (p->drop) {
			conn_close(c);
			return false;
		}
		p->reqs = realloc(p->reqs, (p->n_reqs + 1) * sizeof(*p->reqs));
		struct peer_request *r = &p->reqs[p->n_reqs++];
		memset(r, 0, sizeof(*r));
		r->conn_id = c->id;
		sscanf(c->buf, "%15s %511s", r->method, r->path);
		char *line_end = strstr(c->buf, "\r\n");
		size_t hstart = (size_t)(line_end - c->buf) + 2;
		r->headers = strndup(c->buf + hstart, hlen - hstart);
		r->body = malloc(clen + 1);
		memcpy(r->body, c->buf + hlen, clen);
		r->body[clen] = '\0';
		r->body_len = clen;

		answer(c, pick(p, r));
		memmove(c->buf, c->buf + hlen + clen, c->len - hlen - clen);
		c->len -= hlen + clen;
	}
}

static void conn_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct peer_conn *c = (struct peer_conn *)w;

	if (c->cap - c->len < 4096) {
		c->cap = c->cap * 2 + 8192;
		c->buf = realloc(c->buf, c->cap);
	}
	ssize_t n = read(w->fd, c->buf + c->len, c->cap - c->len - 1);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c);
		return;
	}
	c->len += (size_t)n;
	conn_process(c);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct peer *p = w->data;
	int fd = accept(p->lfd, NULL, NULL);

	if (fd < 0)
		return;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	struct peer_conn *c = calloc(1, sizeof(*c));
	c->p = p;
	c->id = ++p->n_conns;
	ev_io_init(&c->io, conn_cb, fd, EV_READ);
	ev_io_start(loop, &c->io);
	c->next = p->conns;
	p->conns = c;
}

struct peer *peer_new(struct ev_loop *loop)
{
	struct peer *p = calloc(1, sizeof(*p));
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);

	p->loop = loop;
	p->lfd = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (p->lfd < 0 || bind(p->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(p->lfd, 64) < 0 || getsockname(p->lfd, (struct sockaddr *)&sa, &sl) < 0) {
		if (p->lfd >= 0)
			close(p->lfd);
		free(p);
		return NULL;
	}
	fcntl(p->lfd, F_SETFL, fcntl(p->lfd, F_GETFL) | O_NONBLOCK);
	p->port = ntohs(sa.sin_port);
	ev_io_init(&p->accept_io, accept_cb, p->lfd, EV_READ);
	p->accept_io.data = p;
	ev_io_start(loop, &p->accept_io);
	p->def.status = 200;
	p->def.body = strdup("{}");
	return p;
}

static void resp_done(struct peer_resp *r)
{
	free(r->headers);
	free(r->body);
}

void peer_free(struct peer *p)
{
	if (!p)
		return;
	while (p->conns)
		conn_close(p->conns);
	ev_io_stop(p->loop, &p->accept_io);
	close(p->lfd);
	for (size_t i = 0; i < p->n_queue; i++)
		resp_done(&p->queue[i]);
	for (size_t i = 0; i < p->n_routes; i++)
		resp_done(&p->routes[i]);
	resp_done(&p->def);
	for (size_t i = 0; i < p->n_reqs; i++) {
		free(p->reqs[i].headers);
		free(p->reqs[i].body);
	}
	free(p->queue);
	free(p->routes);
	free(p->reqs);
	free(p);
}

int peer_port(const struct peer *p)
{
	return p->port;
}

const char *peer_url(struct peer *p, const char *prefix)
{
	snprintf(p->url, sizeof(p->url), "http://127.0.0.1:%d%s", p->port, prefix ? prefix : "");
	return p->url;
}

static void resp_fill(struct peer_resp *r, int status, const char *hdrs, const char *body)
{
	memset(r, 0, sizeof(*r));
	r->status = status;
	r->headers = hdrs ? strdup(hdrs) : NULL;
	r->body = body ? strdup(body) : NULL;
}

void peer_push(struct peer *p, int status, const char *hdrs, const char *body)
{
	p->queue = realloc(p->queue, (p->n_queue + 1) * sizeof(*p->queue));
	resp_fill(&p->queue[p->n_queue++], status, hdrs, body);
}

void peer_set_default(struct peer *p, int status, const char *hdrs, const char *body)
{
	resp_done(&p->def);
	resp_fill(&p->def, status, hdrs, body);
}

void peer_route(struct peer *p, const char *method, const char *prefix, int status,
		const char *hdrs, const char *body)
{
	p->routes = realloc(p->routes, (p->n_routes + 1) * sizeof(*p->routes));
	struct peer_resp *r = &p->routes[p->n_routes++];
	resp_fill(r, status, hdrs, body);
	snprintf(r->method, sizeof(r->method), "%s", method ? method : "");
	snprintf(r->prefix, sizeof(r->prefix), "%s", prefix);
}

void peer_set_drop(struct peer *p, int drop)
{
	p->drop = drop;
}

size_t peer_count(const struct peer *p)
{
	return p->n_reqs;
}

const struct peer_request *peer_req(const struct peer *p, size_t idx)
{
	return idx < p->n_reqs ? &p->reqs[idx] : NULL;
}

size_t peer_count_paths(const struct peer *p, const char *prefix, size_t *last)
{
	size_t n = 0;

	for (size_t i = 0; i < peer_count(p); i++)
		if (!strncmp(peer_req(p, i)->path, prefix, strlen(prefix))) {
			n++;
			if (last)
				*last = i;
		}
	return n;
}

unsigned peer_connections(const struct peer *p)
{
	return p->n_conns;
}

const char *peer_header(const struct peer_request *r, const char *name, char *buf, size_t len)
{
	size_t nl = strlen(name);
	const char *h = r ? r->headers : NULL;

	while (h && *h) {
		if (!strncasecmp(h, name, nl) && h[nl] == ':') {
			const char *v = h + nl + 1;
			while (*v == ' ')
				v++;
			const char *e = strstr(v, "\r\n");
			size_t vl = e ? (size_t)(e - v) : strlen(v);
			if (vl >= len)
				vl = len - 1;
			memcpy(buf, v, vl);
			buf[vl] = '\0';
			return buf;
		}
		h = strstr(h, "\r\n");
		if (h)
			h += 2;
	}
	return NULL;
}

static void watchdog_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	*(int *)w->data = 1;
}

int peer_run_until(struct ev_loop *loop, const int *flag, double limit_s)
{
	int expired = 0;
	ev_timer wd;

	ev_timer_init(&wd, watchdog_cb, limit_s, 0.);
	wd.data = &expired;
	ev_timer_start(loop, &wd);
	while (!*flag && !expired)
		ev_run(loop, EVRUN_ONCE);
	ev_timer_stop(loop, &wd);
	return *flag;
}

int peer_run_until_fn(struct ev_loop *loop, int (*pred)(void *ctx), void *ctx, double limit_s)
{
	int expired = 0;
	ev_timer wd;

	ev_timer_init(&wd, watchdog_cb, limit_s, 0.);
	wd.data = &expired;
	ev_timer_start(loop, &wd);
	while (!pred(ctx) && !expired)
		ev_run(loop, EVRUN_ONCE);
	ev_timer_stop(loop, &wd);
	return pred(ctx);
}
