/* HTTP/1.1 server on libev; http_parser frames the requests.
 *
 * One connection holds at most one request at a time: when a request is
 * complete the parser is paused, so pipelined requests wait in the input
 * buffer until the earlier answer has been queued, and answers leave in
 * order. Connections are closed at once (watchers stopped, fd closed) but
 * their memory is freed from an ev_prepare watcher, outside any callback
 * that could still be looking at them. */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include "core/http/http_int.h"
#include "core/base/xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- the server ---- */

struct http_server *http_server_new(struct ev_loop *loop, const struct http_server_opts *opts,
				    http_handler_fn handler, void *ctx)
{
	struct http_server *srv;
	char err[128];

	if (!loop || !handler)
		return NULL;
	srv = xcalloc(1, sizeof *srv);
	http_parse_init();
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
		srv->opts.max_conns_per_peer =
			srv->opts.max_connections / 4 ? srv->opts.max_connections / 4 : 1;
	/* config checked the list; here a bad one only means no server. */
	if (net_trusted_parse(&srv->trusted, srv->opts.trusted_proxies, err, sizeof err) != 0) {
		free(srv);
		return NULL;
	}
	if (!(srv->opts.idle_timeout > 0))
		srv->opts.idle_timeout = HTTP_DEFAULT_IDLE;
	if (srv->opts.server_name && http_header_safe(srv->opts.server_name))
		srv->server_name = xstrdup(srv->opts.server_name);
	srv->opts.server_name = srv->server_name;
	srv->handler = handler;
	srv->ctx = ctx;
	srv->lfd = -1;
	srv->spare_fd = -1;
	srv->accepting = true;
	ev_init(&srv->accept_w, http_accept_cb);
	srv->accept_w.data = srv;
	ev_init(&srv->backoff_w, http_backoff_cb);
	srv->backoff_w.data = srv;
	ev_prepare_init(&srv->reaper_w, http_reaper_cb);
	srv->reaper_w.data = srv;
	ev_idle_init(&srv->nudge_w, http_nudge_cb);
	return srv;
}

void http_server_free(struct http_server *srv)
{
	struct http_request *r;

	if (!srv)
		return;
	http_server_stop_accepting(srv);
	while (srv->conns)
		http_conn_close(srv->conns);
	http_reaper_cb(srv->loop, &srv->reaper_w, 0);
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
		snprintf(err, errlen,
			 "bad listen address '%.64s': want HOST:PORT, [V6]:PORT or :PORT",
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
	http_format_addr((struct sockaddr *)&ss, srv->address, sizeof srv->address);
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
			http_conn_close(c);
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
