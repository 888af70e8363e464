/* The limits on time and on numbers: the per-connection timer (idle and
 * whole-request bounds), shedding the least recently active idle connection
 * at the caps, and the rate-limited log line that reports it. */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include "core/http/http_int.h"
#include "core/base/log.h"

#include <inttypes.h>

/* ---- timeouts ---- */

void http_conn_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct http_conn *c = w->data;
	ev_tstamp left;

	if (c->state == CONN_HANDLING) {
		/* The handler holds the request; the peer is not the slow one. */
		http_conn_touch(c);
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
	http_conn_close(c);
}

/* ---- shedding: room for new connections at the caps ---- */

/* One line every HTTP_REPORT_EVERY seconds at most, with the counts since
 * the last; /healthz has the totals. */
void http_server_report(struct http_server *srv)
{
	ev_tstamp now = ev_now(srv->loop);

	if (!srv->opts.log || now < srv->report_at ||
	    !(srv->rep_shed || srv->rep_refused || srv->rep_emfile))
		return;
	log_warn(srv->opts.log,
		 "listener: %" PRIu64 " idle connections shed for new ones, %" PRIu64
		 " refused over the per-peer cap of %u, %" PRIu64 " accepts out of file "
		 "descriptors (in the last %.0f s; %u open of %u)",
		 srv->rep_shed, srv->rep_refused, srv->opts.max_conns_per_peer, srv->rep_emfile,
		 HTTP_REPORT_EVERY, srv->n_conns, srv->opts.max_connections);
	srv->rep_shed = srv->rep_refused = srv->rep_emfile = 0;
	srv->report_at = now + HTTP_REPORT_EVERY;
}

/* Closes that connection. true if there was one. */
bool http_server_shed(struct http_server *srv, const struct http_conn *except,
		      const struct net_addr *addr)
{
	struct http_conn *oldest = http_server_oldest_idle(srv, except, addr);

	if (!oldest)
		return false;
	http_conn_close(oldest);
	srv->stats.shed++;
	srv->rep_shed++;
	http_server_report(srv);
	return true;
}

/* c's client may hold at most max_conns_per_peer connections: its least
 * recently active idle one makes room. false when none could (the caller
 * refuses c). */
bool http_conn_peer_cap(struct http_conn *c)
{
	struct http_server *srv = c->srv;
	const struct http_conn *o;
	unsigned n = 0;

	if (!c->addr.family)
		return true;
	for (o = srv->conns; o; o = o->next)
		n += net_addr_equal(&o->addr, &c->addr);
	if (n <= srv->opts.max_conns_per_peer || http_server_shed(srv, c, &c->addr))
		return true;
	srv->stats.peer_refused++;
	srv->rep_refused++;
	http_server_report(srv);
	return false;
}
