/* A connection's lifecycle and output: closing (the memory is freed later
 * by the reaper, outside any callback that could still be looking at it),
 * the watchers it needs, flushing queued answers and the linger after the
 * last one. Which connections are idle enough to shed lives here too:
 * closing one may let accepting resume. */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include "core/http/http_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- idle connections ---- */

/* Holds nothing a client waits for: no request with the handler, no
 * answer on its way out (or the answer is written and it lingers). */
static bool conn_sheddable(const struct http_conn *c)
{
	if (c->state == CONN_LINGER)
		return true;
	return c->state == CONN_READING && c->out.len == c->out_off;
}

/* The least recently active sheddable connection other than `except` (of
 * client `addr` only, when given), or NULL. */
struct http_conn *http_server_oldest_idle(struct http_server *srv, const struct http_conn *except,
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

/* Accepting resumes below the cap, or at it once a connection is idle
 * (sheddable) again. */
void http_server_resume_accept(struct http_server *srv)
{
	if (srv->accepting && srv->accept_paused && srv->lfd >= 0 &&
	    !ev_is_active(&srv->backoff_w) &&
	    (srv->n_conns < srv->opts.max_connections ||
	     http_server_oldest_idle(srv, NULL, NULL))) {
		srv->accept_paused = false;
		ev_io_start(srv->loop, &srv->accept_w);
	}
}

/* ---- closing ---- */

void http_conn_close(struct http_conn *c)
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
			c->req->conn = NULL; /* the handler still holds it */
		else
			http_request_free(c->req);
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
	http_server_resume_accept(srv);
}

static void conn_free(struct http_conn *c)
{
	http_buf_free(&c->out);
	free(c);
}

void http_reaper_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct http_server *srv = w->data;

	while (srv->dead) {
		struct http_conn *c = srv->dead;

		srv->dead = c->next;
		conn_free(c);
	}
	ev_prepare_stop(loop, w);
}

/* ---- I/O ---- */

void http_conn_touch(struct http_conn *c)
{
	c->deadline = ev_now(c->srv->loop) + c->srv->opts.idle_timeout;
}

void http_conn_update_io(struct http_conn *c)
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

/* The write side is finished: shut it and drain the peer's leftovers for a
 * moment, so it can read the answer before the socket is torn down (closing
 * with unread input would send a RST that may destroy the answer). */
static void conn_start_linger(struct http_conn *c)
{
	double t = c->srv->opts.idle_timeout < HTTP_LINGER_MAX ? c->srv->opts.idle_timeout
							       : HTTP_LINGER_MAX;

	if (c->peer_eof) {
		http_conn_close(c);
		return;
	}
	shutdown(c->fd, SHUT_WR);
	c->state = CONN_LINGER;
	if (c->linger_max < HTTP_LINGER_BYTES)
		c->linger_max = HTTP_LINGER_BYTES;
	c->deadline = ev_now(c->srv->loop) + t;
	http_conn_update_io(c);
}

/* Writes what it can; 0, or -1 when the connection was closed. */
int http_conn_flush(struct http_conn *c)
{
	while (c->out_off < c->out.len) {
		ssize_t n = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off,
				 MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			http_conn_close(c);
			return -1;
		}
		c->out_off += (size_t)n;
		http_conn_touch(c);
	}
	if (c->out_off == c->out.len) {
		c->out_off = c->out.len = 0;
		if (c->out.cap > 4 * HTTP_READ_CHUNK)
			http_buf_free(&c->out);
		if (c->state == CONN_CLOSING) {
			conn_start_linger(c);
			return c->state == CONN_CLOSED ? -1 : 0;
		}
		if (c->state == CONN_READING && c->peer_eof && !c->req) {
			http_conn_close(c);
			return -1;
		}
	}
	http_conn_update_io(c);
	return 0;
}

void http_format_addr(const struct sockaddr *sa, char *out, size_t len)
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
