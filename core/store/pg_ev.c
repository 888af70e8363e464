#include "config.h"

#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/pg_ev.h"

#define PG_EV_MAX_LISTEN  8
#define PG_EV_CHANNEL_MAX 63

struct pg_query {
	struct pg_query *next;
	char *sql;
	char **params;
	int nparams;
	pg_ev_result_fn fn;
	void *ctx;
};

enum pg_state { PG_DOWN, PG_CONNECTING, PG_UP };

struct pg_ev {
	struct ev_loop *loop;
	struct pg_ev_opts opts;
	char *conninfo;
	PGconn *conn;
	enum pg_state state;
	ev_io io;
	ev_timer retry_w; /* reconnect after back-off */
	ev_timer kick_w;  /* runs the queue from the loop, not from a caller */
	double backoff;
	struct pg_query *head, *tail;
	struct pg_query **front; /* in on_state(up): where pg_ev_query inserts */
	struct pg_query *inflight;
	PGresult *last; /* the in-flight query's newest result */
	size_t n;
	char channels[PG_EV_MAX_LISTEN][PG_EV_CHANNEL_MAX + 1];
	int n_channels;
	char target[160];
	char err[256];
};

static void query_free(struct pg_query *q)
{
	for (int i = 0; i < q->nparams; i++)
		free(q->params[i]);
	free(q->params);
	free(q->sql);
	free(q);
}

/* The first line of libpq's message, without its trailing newline. */
static void set_err(struct pg_ev *p, const char *what, const char *msg)
{
	size_t n;

	snprintf(p->err, sizeof p->err, "%s%s%s", what, msg && *msg ? ": " : "", msg ? msg : "");
	n = strcspn(p->err, "\n");
	p->err[n] = '\0';
}

static void finish(struct pg_ev *p, struct pg_query *q, const PGresult *res, const char *err)
{
	p->n--;
	if (q->fn)
		q->fn(q->ctx, res, err);
	query_free(q);
}

/* Fails the query in flight and every queued one with err. */
static void fail_all(struct pg_ev *p, const char *err)
{
	struct pg_query *q;

	if (p->inflight) {
		q = p->inflight;
		p->inflight = NULL;
		if (p->last) {
			PQclear(p->last);
			p->last = NULL;
		}
		finish(p, q, NULL, err);
	}
	while ((q = p->head)) {
		p->head = q->next;
		if (!p->head)
			p->tail = NULL;
		finish(p, q, NULL, err);
	}
}

static void set_io(struct pg_ev *p, int events)
{
	int fd = p->conn ? PQsocket(p->conn) : -1;

	if (ev_is_active(&p->io) && p->io.fd == fd &&
	    (p->io.events & (EV_READ | EV_WRITE)) == events)
		return;
	ev_io_stop(p->loop, &p->io);
	if (fd < 0 || !events)
		return;
	ev_io_set(&p->io, fd, events);
	ev_io_start(p->loop, &p->io);
}

static void go_down(struct pg_ev *p, const char *why)
{
	bool was_up = p->state == PG_UP;

	set_io(p, 0);
	if (p->conn) {
		PQfinish(p->conn);
		p->conn = NULL;
	}
	p->state = PG_DOWN;
	set_err(p, why, NULL);
	fail_all(p, p->err);
	if (p->opts.on_state && (was_up || p->backoff <= p->opts.retry_min))
		p->opts.on_state(p->opts.ctx, false, p->err);
	ev_timer_set(&p->retry_w, p->backoff, 0.);
	ev_timer_start(p->loop, &p->retry_w);
	p->backoff = p->backoff * 2 > p->opts.retry_max ? p->opts.retry_max : p->backoff * 2;
}

static void lost(struct pg_ev *p, const char *what)
{
	char why[256];

	snprintf(why, sizeof why, "%s %s: %s", what, p->target,
		 p->conn ? PQerrorMessage(p->conn) : "no connection");
	why[strcspn(why, "\n")] = '\0';
	go_down(p, why);
}

static void describe_target(struct pg_ev *p)
{
	const char *h = PQhost(p->conn), *port = PQport(p->conn), *db = PQdb(p->conn);

	snprintf(p->target, sizeof p->target, "%.80s:%.8s/%.60s", h && *h ? h : "?",
		 port && *port ? port : "?", db && *db ? db : "?");
}

/* Sends the next query when nothing is in flight. */
static void pump(struct pg_ev *p)
{
	struct pg_query *q;
	int f;

	if (p->state != PG_UP)
		return;
	if (!p->inflight && (q = p->head)) {
		p->head = q->next;
		if (!p->head)
			p->tail = NULL;
		q->next = NULL;
		if (!PQsendQueryParams(p->conn, q->sql, q->nparams, NULL,
				       (const char *const *)q->params, NULL, NULL, 0)) {
			char why[256];

			snprintf(why, sizeof why, "cannot send to %s: %s", p->target,
				 PQerrorMessage(p->conn));
			why[strcspn(why, "\n")] = '\0';
			finish(p, q, NULL, why);
			if (PQstatus(p->conn) == CONNECTION_BAD) {
				lost(p, "lost");
				return;
			}
			ev_feed_event(p->loop, &p->kick_w, EV_TIMER);
			return;
		}
		p->inflight = q;
	}
	f = PQflush(p->conn);
	if (f < 0) {
		lost(p, "lost");
		return;
	}
	set_io(p, EV_READ | (f == 1 ? EV_WRITE : 0));
}

/* Notifications libpq has parsed so far. It parses them while it reads
 * results too (PQisBusy, PQgetResult), so this runs again after those: a
 * notice that came in the same packets as a result would otherwise wait
 * for the next bytes from the server, which a quiet connection never
 * sends. */
static void take_notifies(struct pg_ev *p)
{
	PGnotify *nt;

	while ((nt = PQnotifies(p->conn))) {
		if (p->opts.on_notify)
			p->opts.on_notify(p->opts.ctx, nt->relname, nt->extra ? nt->extra : "");
		PQfreemem(nt);
	}
}

static void on_ready(struct pg_ev *p)
{
	if (!PQconsumeInput(p->conn)) {
		lost(p, "lost");
		return;
	}
	take_notifies(p);
	while (p->inflight && !PQisBusy(p->conn)) {
		PGresult *r = PQgetResult(p->conn);
		struct pg_query *q;
		const char *err = NULL;
		ExecStatusType st;

		if (r) {
			if (p->last)
				PQclear(p->last);
			p->last = r;
			continue;
		}
		q = p->inflight;
		p->inflight = NULL;
		r = p->last;
		p->last = NULL;
		st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
		if (!r)
			err = "no result";
		else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
			err = PQresultErrorMessage(r);
		finish(p, q, r, err);
		if (r)
			PQclear(r);
	}
	if (PQstatus(p->conn) == CONNECTION_BAD) {
		lost(p, "lost");
		return;
	}
	take_notifies(p);
	pump(p);
}

static void queue_listens(struct pg_ev *p)
{
	char sql[PG_EV_CHANNEL_MAX + 16];

	/* Ahead of whatever is queued, in order. */
	for (int i = p->n_channels - 1; i >= 0; i--) {
		struct pg_query *q = calloc(1, sizeof *q);

		snprintf(sql, sizeof sql, "LISTEN %s", p->channels[i]);
		if (!q || !(q->sql = strdup(sql))) {
			free(q);
			continue;
		}
		q->next = p->head;
		p->head = q;
		if (!p->tail)
			p->tail = q;
		p->n++;
	}
}

static void connect_step(struct pg_ev *p)
{
	switch (PQconnectPoll(p->conn)) {
	case PGRES_POLLING_READING:
		set_io(p, EV_READ);
		break;
	case PGRES_POLLING_WRITING:
		set_io(p, EV_WRITE);
		break;
	case PGRES_POLLING_OK:
		describe_target(p);
		if (PQsetnonblocking(p->conn, 1) != 0) {
			lost(p, "cannot use");
			return;
		}
		p->state = PG_UP;
		p->backoff = p->opts.retry_min;
		queue_listens(p);
		/* What the callback queues (a session's set-up, a schema check)
		 * goes after the LISTENs and ahead of what was queued before. */
		p->front = &p->head;
		for (int i = 0; i < p->n_channels && *p->front; i++)
			p->front = &(*p->front)->next;
		if (p->opts.on_state)
			p->opts.on_state(p->opts.ctx, true, NULL);
		p->front = NULL;
		pump(p);
		break;
	default:
		lost(p, "cannot connect to");
		break;
	}
}

static void on_io(struct ev_loop *loop, ev_io *w, int revents)
{
	struct pg_ev *p = w->data;

	(void)loop;
	if (p->state == PG_CONNECTING) {
		connect_step(p);
		return;
	}
	if (revents & EV_READ)
		on_ready(p);
	else
		pump(p);
}

/* libpq prints notices on stderr by default: under the TUI that would draw
 * over the screen. The messages that matter come back as errors anyway. */
static void drop_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static void start_connect(struct pg_ev *p)
{
	/* TCP keepalives first, so the conninfo may override them: a server
	 * that vanished without closing the connection is noticed in about
	 * 11 s instead of the kernel's two hours. */
	const char *keys[] = { "keepalives",
			       "keepalives_idle",
			       "keepalives_interval",
			       "keepalives_count",
			       "dbname",
			       "fallback_application_name",
			       NULL };
	const char *vals[] = { "1", "5", "2", "3", p->conninfo, "faxtop", NULL };

	p->conn = PQconnectStartParams(keys, vals, 1);
	if (!p->conn) {
		go_down(p, "out of memory");
		return;
	}
	PQsetNoticeProcessor(p->conn, drop_notice, NULL);
	describe_target(p);
	if (PQstatus(p->conn) == CONNECTION_BAD) {
		lost(p, "cannot connect to");
		return;
	}
	p->state = PG_CONNECTING;
	connect_step(p);
}

static void on_retry(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct pg_ev *p = w->data;

	(void)loop;
	(void)revents;
	if (p->state == PG_DOWN)
		start_connect(p);
}

/* Runs the queue from the loop: a query made while the connection is down
 * fails there, never inside pg_ev_query. */
static void on_kick(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct pg_ev *p = w->data;

	(void)loop;
	(void)revents;
	if (p->state == PG_DOWN)
		fail_all(p, p->err[0] ? p->err : "not connected");
	else
		pump(p);
}

struct pg_ev *pg_ev_new(struct ev_loop *loop, const struct pg_ev_opts *opts, char *err,
			size_t errlen)
{
	struct pg_ev *p = calloc(1, sizeof *p);
	PQconninfoOption *parsed;
	char *perr = NULL;

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->loop = loop;
	p->opts = *opts;
	if (!(p->opts.retry_min > 0))
		p->opts.retry_min = 0.5;
	if (!(p->opts.retry_max >= p->opts.retry_min))
		p->opts.retry_max = 15.0;
	p->backoff = p->opts.retry_min;
	p->conninfo = strdup(opts->conninfo ? opts->conninfo : "");
	if (!p->conninfo) {
		free(p);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* Checked up front, so a typo is a start-up error. libpq's message may
	 * quote the string, password included: it is not repeated. */
	if (p->conninfo[0]) {
		parsed = PQconninfoParse(p->conninfo, &perr);
		if (!parsed) {
			snprintf(err, errlen,
				 "the store's connection string does not parse "
				 "(a postgresql:// URI or key=value pairs)");
			PQfreemem(perr);
			free(p->conninfo);
			free(p);
			return NULL;
		}
		PQconninfoFree(parsed);
	}
	snprintf(p->target, sizeof p->target, "the store");
	ev_init(&p->io, on_io);
	p->io.data = p;
	ev_init(&p->retry_w, on_retry);
	p->retry_w.data = p;
	ev_init(&p->kick_w, on_kick);
	p->kick_w.data = p;
	start_connect(p);
	return p;
}

void pg_ev_free(struct pg_ev *p)
{
	if (!p)
		return;
	set_io(p, 0);
	ev_timer_stop(p->loop, &p->retry_w);
	ev_timer_stop(p->loop, &p->kick_w);
	fail_all(p, "closed");
	if (p->conn)
		PQfinish(p->conn);
	free(p->conninfo);
	free(p);
}

int pg_ev_query(struct pg_ev *p, const char *sql, int nparams, const char *const *params,
		pg_ev_result_fn fn, void *ctx)
{
	struct pg_query *q = calloc(1, sizeof *q);

	if (!q || !(q->sql = strdup(sql)))
		goto oom;
	if (nparams > 0 && !(q->params = calloc((size_t)nparams, sizeof *q->params)))
		goto oom;
	q->nparams = nparams;
	for (int i = 0; i < nparams; i++)
		if (params[i] && !(q->params[i] = strdup(params[i])))
			goto oom;
	q->fn = fn;
	q->ctx = ctx;
	if (p->front) {
		q->next = *p->front;
		*p->front = q;
		if (!q->next)
			p->tail = q;
		p->front = &q->next;
	} else if (p->tail) {
		p->tail->next = q;
		p->tail = q;
	} else {
		p->head = p->tail = q;
	}
	p->n++;
	if (!ev_is_active(&p->kick_w)) {
		ev_timer_set(&p->kick_w, 0., 0.);
		ev_timer_start(p->loop, &p->kick_w);
	}
	return 0;
oom:
	if (q)
		query_free(q);
	return -1;
}

int pg_ev_listen(struct pg_ev *p, const char *channel)
{
	size_t n = channel ? strlen(channel) : 0;
	char sql[PG_EV_CHANNEL_MAX + 16];

	/* A plain lowercase identifier, so it needs no quoting. */
	if (n == 0 || n > PG_EV_CHANNEL_MAX || p->n_channels == PG_EV_MAX_LISTEN ||
	    strspn(channel, "abcdefghijklmnopqrstuvwxyz0123456789_") != n ||
	    (channel[0] >= '0' && channel[0] <= '9'))
		return -1;
	memcpy(p->channels[p->n_channels++], channel, n + 1);
	if (p->state != PG_UP)
		return 0; /* queued on connection */
	snprintf(sql, sizeof sql, "LISTEN %s", channel);
	return pg_ev_query(p, sql, 0, NULL, NULL, NULL);
}

bool pg_ev_up(const struct pg_ev *p)
{
	return p->state == PG_UP;
}

size_t pg_ev_pending(const struct pg_ev *p)
{
	return p->n;
}

const char *pg_ev_target(const struct pg_ev *p)
{
	return p->target;
}
