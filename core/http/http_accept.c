/* The loop's side of the server: accepting (with a spare descriptor and a
 * back-off when out of them), a new connection's set-up, and its read and
 * write callbacks. */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include "core/http/http_int.h"
#include "core/base/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- connection callbacks ---- */

static void conn_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct http_conn *c = w->data;
	ssize_t n;

	/* Pipelined bytes held back while the previous request was handled. */
	if (c->state == CONN_READING && c->in_off < c->in_len) {
		http_conn_process(c);
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
		http_conn_close(c);
		return;
	}
	if (c->state == CONN_HANDLING) {
		if (n == 0)
			c->peer_eof = true;
		c->in_off = 0;
		c->in_len = (size_t)n;
		http_conn_update_io(c);
		return;
	}
	if (c->state == CONN_LINGER) {
		c->lingered += (size_t)n;
		if (n == 0 || c->lingered > c->linger_max) {
			http_conn_close(c);
			return;
		}
		/* Bounded by bytes: while they come, the drain goes on. */
		c->deadline = ev_now(loop) +
			(c->srv->opts.idle_timeout < HTTP_LINGER_MAX ? c->srv->opts.idle_timeout
								     : HTTP_LINGER_MAX);
		return;
	}
	if (n == 0) {
		c->peer_eof = true;
		/* A half-closed peer still gets the answers already queued; a
		 * request it left unfinished can never complete. */
		if (!c->req && c->out.len > c->out_off) {
			http_conn_update_io(c);
			return;
		}
		http_conn_close(c);
		return;
	}
	if (!c->in_headers)
		http_conn_touch(c);
	c->in_off = 0;
	c->in_len = (size_t)n;
	http_conn_process(c);
}

static void conn_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct http_conn *c = w->data;

	if (http_conn_flush(c) < 0 || c->state == CONN_CLOSED)
		return;
	if (c->state == CONN_READING && c->in_off < c->in_len &&
	    c->out.len - c->out_off < HTTP_OUT_HIGH)
		http_conn_process(c);
}

static void conn_new(struct http_server *srv, int fd, const struct sockaddr *sa)
{
	struct http_conn *c = xcalloc(1, sizeof *c);
	int one = 1;

	c->srv = srv;
	c->fd = fd;
	c->state = CONN_READING;
	c->idle_since = ev_now(srv->loop);
	http_format_addr(sa, c->peer, sizeof c->peer);
	if (net_addr_from_sockaddr(sa, &c->addr))
		c->via_proxy = net_trusted_has(&srv->trusted, &c->addr);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	http_parser_init(&c->parser, HTTP_REQUEST);
	c->parser.data = c;
	ev_io_init(&c->rw, conn_read_cb, fd, EV_READ);
	ev_io_init(&c->ww, conn_write_cb, fd, EV_WRITE);
	c->rw.data = c->ww.data = c;
	ev_init(&c->timer, http_conn_timer_cb);
	c->timer.data = c;
	c->timer.repeat = srv->opts.idle_timeout;
	http_conn_touch(c);
	ev_timer_again(srv->loop, &c->timer);
	c->next = srv->conns;
	if (srv->conns)
		srv->conns->prev = c;
	srv->conns = c;
	srv->stats.connections = ++srv->n_conns;
	srv->stats.accepted_conns++;
	/* A trusted proxy speaks for many clients: each is counted once its
	 * request names it. */
	if (!c->via_proxy && !http_conn_peer_cap(c)) {
		http_conn_close(c);
		return;
	}
	http_conn_update_io(c);
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

	if (srv->spare_fd < 0 || !http_server_oldest_idle(srv, NULL, NULL))
		return -1;
	close(srv->spare_fd);
	fd = accept4(srv->lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd >= 0) {
		http_server_shed(srv, NULL, NULL);
		conn_new(srv, fd, (struct sockaddr *)&ss);
	}
	srv->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return fd >= 0 ? 1 : 0;
}

/* ---- accepting ---- */

void http_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
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
		    !http_server_oldest_idle(srv, NULL, NULL)) {
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
				int r = errno == EMFILE || errno == ENFILE
					? server_accept_spare(srv)
					: -1;

				srv->stats.emfile_backoffs++;
				srv->rep_emfile++;
				http_server_report(srv);
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
			http_server_shed(srv, NULL, NULL);
		conn_new(srv, fd, (struct sockaddr *)&ss);
	}
}

/* Work resumed from a commit callback (an ev_prepare) runs after the store
 * has committed for this pass; an active idle watcher makes the coming poll
 * non-blocking, so the next pass commits it at once instead of whenever
 * something else wakes the loop. */
void http_nudge_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	ev_idle_stop(loop, w);
}

void http_backoff_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct http_server *srv = w->data;

	http_server_resume_accept(srv);
}
