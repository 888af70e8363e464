/* Drives core/pg_ev against a real PostgreSQL (the throwaway cluster of
 * tests/integration/pg_lib.sh), for team_pg_ev.sh. The connection comes from
 * libpq's environment (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSFILE).
 *
 *   pg_ev_probe basic    queries in order, parameters (NULL and hostile
 *                        text), an error that does not break the connection,
 *                        LISTEN and NOTIFY; prints "ok" and exits 0
 *   pg_ev_probe outage   prints "up", "down: why", "up" as the server goes
 *                        and comes back (the test stops and starts it), with
 *                        a query every 100 ms whose failures are counted;
 *                        exits 0 after the second "up", 1 after 60 s */
#include "config.h"

#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/pg_ev.h"

static int failures, order_next, ups, downs, notified;
static struct pg_ev *pg;
static struct ev_loop *loop;

#define CHECK(c)                                                                             \
	do {                                                                                 \
		if (!(c)) {                                                                  \
			fprintf(stderr, "pg_ev_probe: %s:%d: %s\n", __FILE__, __LINE__, #c); \
			exit(1);                                                             \
		}                                                                            \
	} while (0)

static void on_state(void *ctx, bool up, const char *err)
{
	(void)ctx;
	if (up) {
		ups++;
		printf("up %s\n", pg ? pg_ev_target(pg) : "");
	} else {
		downs++;
		printf("down: %s\n", err ? err : "?");
	}
	fflush(stdout);
	if (ups == 2 && getenv("PROBE_OUTAGE"))
		ev_break(loop, EVBREAK_ALL);
}

static void on_notify(void *ctx, const char *channel, const char *payload)
{
	(void)ctx;
	CHECK(strcmp(channel, "faxtop_probe") == 0);
	if (strcmp(payload, "from-psql") == 0 || strcmp(payload, "from-self") == 0)
		notified++;
	printf("notify %s %s\n", channel, payload);
	fflush(stdout);
}

static void expect_ok(void *ctx, const PGresult *res, const char *err)
{
	(void)ctx;
	if (!res || err)
		fprintf(stderr, "pg_ev_probe: %s\n", err ? err : "no result");
	CHECK(res && !err);
}

static void in_order(void *ctx, const PGresult *res, const char *err)
{
	int want = (int)(long)ctx;

	CHECK(res && !err);
	CHECK(want == order_next);
	CHECK(atoi(PQgetvalue(res, 0, 0)) == want);
	order_next++;
}

static void expect_error(void *ctx, const PGresult *res, const char *err)
{
	(void)ctx;
	CHECK(res && err && strstr(err, "does_not_exist"));
}

static void read_back(void *ctx, const PGresult *res, const char *err)
{
	(void)ctx;
	CHECK(res && !err);
	CHECK(PQntuples(res) == 2);
	CHECK(strcmp(PQgetvalue(res, 0, 0), "\033]0;pwned\007 ' \"; DROP TABLE probe; --") == 0);
	CHECK(PQgetisnull(res, 1, 0));
	printf("ok\n");
	fflush(stdout);
}

static void count_failure(void *ctx, const PGresult *res, const char *err)
{
	(void)ctx;
	(void)res;
	if (err)
		failures++;
}

static void tick(struct ev_loop *l, ev_timer *w, int revents)
{
	(void)revents;
	(void)w;
	if (getenv("PROBE_OUTAGE")) {
		if (pg_ev_pending(pg) < 4)
			pg_ev_query(pg, "SELECT 1", 0, NULL, count_failure, NULL);
		return;
	}
	/* basic: done once the read-back and the notifications are in */
	if (notified >= 2 && order_next == 100)
		ev_break(l, EVBREAK_ALL);
}

static void deadline(struct ev_loop *l, ev_timer *w, int revents)
{
	(void)w;
	(void)revents;
	fprintf(stderr, "pg_ev_probe: timed out (ups %d, downs %d, order %d, notified %d)\n", ups,
		downs, order_next, notified);
	ev_break(l, EVBREAK_ALL);
	exit(1);
}

int main(int argc, char **argv)
{
	struct pg_ev_opts o = {
		.on_state = on_state, .on_notify = on_notify, .retry_min = 0.1, .retry_max = 0.5
	};
	const char *hostile = "\033]0;pwned\007 ' \"; DROP TABLE probe; --";
	const char *params[2] = { hostile, NULL };
	char err[256];
	ev_timer t, d;

	if (argc < 2)
		return 2;
	if (strcmp(argv[1], "outage") == 0)
		setenv("PROBE_OUTAGE", "1", 1);
	loop = ev_loop_new(EVFLAG_AUTO);
	/* A conninfo that does not parse is refused at once, without echoing it. */
	o.conninfo = "postgresql://faxtop:s3cret@[::1";
	CHECK(pg_ev_new(loop, &o, err, sizeof err) == NULL);
	CHECK(!strstr(err, "s3cret"));
	o.conninfo = "";
	pg = pg_ev_new(loop, &o, err, sizeof err);
	CHECK(pg != NULL);
	CHECK(pg_ev_listen(pg, "faxtop_probe") == 0);
	CHECK(pg_ev_listen(pg, "Bad Channel") == -1);
	if (!getenv("PROBE_OUTAGE")) {
		pg_ev_query(pg, "CREATE TABLE IF NOT EXISTS probe (v text)", 0, NULL, expect_ok,
			    NULL);
		pg_ev_query(pg, "TRUNCATE probe", 0, NULL, expect_ok, NULL);
		for (long i = 0; i < 100; i++) {
			char n[16];
			const char *pv[1] = { n };

			snprintf(n, sizeof n, "%ld", i);
			pg_ev_query(pg, "SELECT $1::int", 1, pv, in_order, (void *)i);
		}
		pg_ev_query(pg, "SELECT * FROM does_not_exist", 0, NULL, expect_error, NULL);
		pg_ev_query(pg, "INSERT INTO probe (v) VALUES ($1), ($2)", 2, params, expect_ok,
			    NULL);
		pg_ev_query(pg, "SELECT v FROM probe ORDER BY v IS NULL, v", 0, NULL, read_back,
			    NULL);
		pg_ev_query(pg, "NOTIFY faxtop_probe, 'from-self'", 0, NULL, expect_ok, NULL);
		printf("waiting for notify\n");
		fflush(stdout);
	}
	ev_timer_init(&t, tick, 0.1, 0.1);
	ev_timer_start(loop, &t);
	ev_timer_init(&d, deadline, 60., 0.);
	ev_timer_start(loop, &d);
	if (getenv("PROBE_OUTAGE"))
		pg_ev_query(pg, "SELECT 1", 0, NULL, count_failure, NULL);
	ev_run(loop, 0);
	printf("failures %d\n", failures);
	pg_ev_free(pg);
	ev_loop_destroy(loop);
	return 0;
}
